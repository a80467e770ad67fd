/*
 * fuzz_site.c - request bodies as the site reads them (site/site.h
 * site_handle, in process, as tests/unit/test_site.c drives it): the JSON
 * API, the public site's forms and the staff API of case work, against a
 * real data directory made once in a temporary folder.
 *
 * The first byte of the input minus '0' picks the endpoint (modulo their
 * number; so 7 is '7', 10 is ':' and 17 is 'A'), the rest is the body; for
 * search it is the query string's "q":
 *
 *   0  POST /api/v1/tips               application/json
 *   1  POST /api/v1/receipts/lookup    application/json
 *   2  POST /api/v1/receipts/messages  application/json
 *   3  POST /report                    application/x-www-form-urlencoded
 *   4  POST /check                     application/x-www-form-urlencoded
 *   5  POST /check/add                 application/x-www-form-urlencoded
 *   6  POST /api/v1/sessions           (name, password and "code")
 *   7  POST /api/v1/cases/{C}/notes    8  .../tasks       9  .../task-done
 *  10  POST /api/v1/cases/{C}/persons  11 .../locations   12 .../entities
 *  13  POST /api/v1/cases/{C}/status   14 .../assignment  15 .../access
 *  16  POST /api/v1/cases/{M}/notes    (M is merged into C: 409)
 *  17  POST /api/v1/meetings           18 /api/v1/meetings/{G}/agenda
 *  19  POST /api/v1/meetings/{G}/outcome  20 .../actions  21 .../attendees
 *  22  POST /api/v1/teams              23 /api/v1/teams/members
 *  24  GET  /api/v1/search?q=<body>
 *
 * The staff endpoints are called with the bearer token of an admin signed
 * in once at start. Both accounts are made with the cheapest Argon2id
 * parameters libsodium allows (the hash string carries them), so that a
 * body with the right name and password costs no tenth of a second; the
 * second has a TOTP secret in force, so that "code" reaches auth_totp().
 * A name that is no account's still costs the dummy hash, and is throttled
 * after a few failures. Receipt lookups are not slowed down
 * (max_delay_ms = 0), so failed guesses cost nothing here; tip submissions
 * keep the default global limit, which bounds how much the database grows.
 * The database is the one state that outlives an input: tips, notes and
 * the like that were accepted stay (each case holds at most its limits),
 * but their ids are random, so no later input finds them by chance.
 *
 * No body may make the site answer 500, and every API answer must be a
 * JSON object, with "error" exactly when the status is 400 or more.
 */
#include "base/compat.h"
#include "fuzz.h"
#include "app/cases.h"
#include "app/meetings.h"
#include "app/totp.h"
#include "app/work.h"
#include "site/site.h"

#include <sodium.h>
#include <sys/stat.h>

#define FUZZ_PASSWORD "fuzz password 1234"

static struct app app;
static struct site site;
static char case_id[CASE_ID_SIZE], merged_id[CASE_ID_SIZE], meeting_id[TOKEN_ID_SIZE];
static char bearer[TOKEN_TEXT_SIZE + 8];

/* Where a path's {C}, {M} and {G} point. */
enum which { NONE, CASE, MERGED, MEETING };

static const struct {
	enum http_method method;
	const char *path;       /* before the id */
	enum which id;
	const char *rest;       /* after the id */
	const char *type;
} endpoints[] = {
	{HTTP_POST, "/api/v1/tips", NONE, "", "application/json"},
	{HTTP_POST, "/api/v1/receipts/lookup", NONE, "", "application/json"},
	{HTTP_POST, "/api/v1/receipts/messages", NONE, "", "application/json"},
	{HTTP_POST, "/report", NONE, "", "application/x-www-form-urlencoded"},
	{HTTP_POST, "/check", NONE, "", "application/x-www-form-urlencoded"},
	{HTTP_POST, "/check/add", NONE, "", "application/x-www-form-urlencoded"},
	{HTTP_POST, "/api/v1/sessions", NONE, "", "application/json"},
	{HTTP_POST, "/api/v1/cases/", CASE, "/notes", "application/json"},
	{HTTP_POST, "/api/v1/cases/", CASE, "/tasks", "application/json"},
	{HTTP_POST, "/api/v1/cases/", CASE, "/task-done", "application/json"},
	{HTTP_POST, "/api/v1/cases/", CASE, "/persons", "application/json"},
	{HTTP_POST, "/api/v1/cases/", CASE, "/locations", "application/json"},
	{HTTP_POST, "/api/v1/cases/", CASE, "/entities", "application/json"},
	{HTTP_POST, "/api/v1/cases/", CASE, "/status", "application/json"},
	{HTTP_POST, "/api/v1/cases/", CASE, "/assignment", "application/json"},
	{HTTP_POST, "/api/v1/cases/", CASE, "/access", "application/json"},
	{HTTP_POST, "/api/v1/cases/", MERGED, "/notes", "application/json"},
	{HTTP_POST, "/api/v1/meetings", NONE, "", "application/json"},
	{HTTP_POST, "/api/v1/meetings/", MEETING, "/agenda", "application/json"},
	{HTTP_POST, "/api/v1/meetings/", MEETING, "/outcome", "application/json"},
	{HTTP_POST, "/api/v1/meetings/", MEETING, "/actions", "application/json"},
	{HTTP_POST, "/api/v1/meetings/", MEETING, "/attendees", "application/json"},
	{HTTP_POST, "/api/v1/teams", NONE, "", "application/json"},
	{HTTP_POST, "/api/v1/teams/members", NONE, "", "application/json"},
	{HTTP_GET, "/api/v1/search", NONE, "", NULL},
};

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) == EOF || fclose(f)) {
		fprintf(stderr, "fuzz_site: cannot write %s\n", path);
		abort();
	}
}

static void need(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_site: cannot set up %s\n", what);
		abort();
	}
}

/* An admin whose password hash is quick to check (see above). */
static int64_t add_admin(const char *name)
{
	char hash[crypto_pwhash_STRBYTES];
	struct user_row u = {0};
	int64_t id = 0;

	need(crypto_pwhash_str(hash, FUZZ_PASSWORD, strlen(FUZZ_PASSWORD),
			       crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN) == 0,
	     "a password hash");
	u.name = (char *)name;
	u.role = (char *)"admin";
	u.password_hash = hash;
	u.created_at = 1;
	need(store_user_insert(app.store, &u, &id) == VG_OK, "an account");
	return id;
}

/* A case of one synthetic tip, through the store as the backlog opens it. */
static void add_case(const char *tip_id, char out[CASE_ID_SIZE])
{
	struct tip_row t = {0};
	unsigned char sealed[64];

	t.id = (char *)tip_id;
	t.created_at = t.updated_at = 1000;
	t.status = (char *)"new";
	t.source = (char *)"api";
	t.country = t.region = t.city = (char *)"";
	t.language = (char *)"en";
	randombytes_buf(t.receipt_index, sizeof(t.receipt_index));
	randombytes_buf(sealed, sizeof(sealed));
	t.narrative.data = sealed;
	t.narrative.len = sizeof(sealed);
	t.urgency = t.kinds = t.typology = t.screen_status = (char *)"";
	need(store_tip_insert(app.store, &t) == VG_OK, "a tip");
	token_id(out);
	need(store_case_open_for_tip(app.store, out, tip_id, 1000) == VG_OK, "a case");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct meeting_input m = { .starts_at = 4102444800LL, .title = "Fuzz", .place = "" };
	struct totp_enrolment e;
	struct auth_user admin, totp_user = {0};
	char dir[256], path[512], token[TOKEN_TEXT_SIZE];

	(void)argc;
	(void)argv;
	fuzz_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/vigil.conf", dir);
	write_file(path, "[receipts]\nmax_delay_ms = 0\n");
	snprintf(path, sizeof(path), "%s/keys", dir);
	if (mkdir(path, 0700))
		abort();
	snprintf(path, sizeof(path), "%s/keys/master.key", dir);
	if (keys_create(path) || app_open(dir, &app) || cases_load(&app) ||
	    site_init(&site, &app)) {
		fprintf(stderr, "fuzz_site: cannot open a data directory in %s\n", dir);
		abort();
	}
	add_admin("fz");
	totp_user.id = add_admin("fzt");
	snprintf(totp_user.name, sizeof(totp_user.name), "fzt");
	snprintf(totp_user.role, sizeof(totp_user.role), "admin");
	need(totp_enrol(&app, &totp_user, 1, &e) == VG_OK, "a second factor");
	need(auth_login(&app, "fz", FUZZ_PASSWORD, "api", token, &admin) == VG_OK, "a session");
	snprintf(bearer, sizeof(bearer), "Bearer %s", token);
	add_case("f100000000000001", case_id);
	add_case("f100000000000002", merged_id);
	need(cases_merge(&app, &admin, merged_id, case_id) == VG_OK, "a merged case");
	need(work_team_add(&app, "mdt", "mdt", &m.team_id) == VG_OK, "a team");
	need(meeting_schedule(&app, &admin, &m, meeting_id) == VG_OK, "a meeting");
	return 0;
}

struct lookup_ctx {
	const char *type;
	const char *query;      /* the search's q, or NULL */
	int staff;
};

/*
 * The request's headers: the Content-Type, and for staff endpoints the
 * bearer token, as a client without a browser sends them.
 */
static const char *lookup(void *ctx, enum http_lookup kind, const char *key)
{
	const struct lookup_ctx *l = ctx;

	if (kind == HTTP_LOOKUP_HEADER && !strcmp(key, "Content-Type"))
		return l->type;
	if (kind == HTTP_LOOKUP_HEADER && !strcmp(key, "Authorization") && l->staff)
		return bearer;
	if (kind == HTTP_LOOKUP_QUERY && !strcmp(key, "q"))
		return l->query;
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lookup_ctx l = {0};
	struct http_request req = {0};
	struct http_response res;
	char path[128];
	const char *id;
	char *query = NULL;
	size_t e;

	if (size == 0)
		return 0;
	e = (uint8_t)(data[0] - '0') % ARRAY_SIZE(endpoints);
	id = endpoints[e].id == CASE ? case_id : endpoints[e].id == MERGED ? merged_id :
	     endpoints[e].id == MEETING ? meeting_id : "";
	snprintf(path, sizeof(path), "%s%s%s", endpoints[e].path, id, endpoints[e].rest);
	req.method = endpoints[e].method;
	req.path = path;
	req.lookup = lookup;
	req.lookup_ctx = &l;
	l.type = endpoints[e].type;
	l.staff = e >= 7;
	buf_init(&req.body, (size_t)app.cfg.body_max);
	if (req.method == HTTP_GET)
		l.query = query = fuzz_strndup((const char *)data + 1, size - 1);
	else if (buf_add(&req.body, data + 1, size - 1))
		req.body_too_big = 1;
	http_response_init(&res, 1 << 20);
	site_handle(&site, &req, &res);

	fuzz_check(res.status >= 200 && res.status < 500);
	if (!strncmp(path, "/api/", 5)) {
		json_t *j = json_loads(buf_str(&res.body), 0, NULL);

		fuzz_check(json_is_object(j));
		fuzz_check((json_object_get(j, "error") != NULL) == (res.status >= 400));
		json_decref(j);
	} else {
		fuzz_check(res.body.len > 0);
	}
	/* A merged case takes no note, whatever the body. */
	fuzz_check(endpoints[e].id != MERGED || res.status >= 400);
	http_response_release(&res);
	buf_release(&req.body);
	free(query);
	return 0;
}

/*
 * Roles and access: the permission matrix of docs/permissions.md against
 * the code and against every route of the site (each role signs in and
 * tries each route through site_handle), the object-level rules for
 * restricted cases and team members, and the TOTP second factor with
 * codes computed by liboath itself.
 *
 * The matrix, the routes and the commands come from the tables of
 * docs/permissions.md (VIGIL_PERMISSIONS_MD), so a route added without a
 * row there fails here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/compat.h"
#include "site/site.h"
#include "app/access.h"
#include "app/cases.h"
#include "app/meetings.h"
#include "app/totp.h"
#include "crypto/keys.h"
#include "crypto/token.h"
#include "store/access.h"
#include "store/db.h"
#include "web/router.h"

#include <liboath/oath.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const role_names[] = {
	"admin", "supervisor", "advocate", "analyst", "investigator",
	"team_member", "volunteer",
};
#define NROLES ARRAY_SIZE(role_names)

struct fixture {
	char dir[64];
	struct app app;
	struct site site;
	int64_t uid[NROLES];
	char web[NROLES][TOKEN_TEXT_SIZE];
	char api[NROLES][TOKEN_TEXT_SIZE];
};

/* What a fake request carries besides its body. */
struct fake {
	const char *type;
	char cookie[TOKEN_TEXT_SIZE];
	char bearer[TOKEN_TEXT_SIZE + 8];
};

static const char *fake_lookup(void *ctx, enum http_lookup kind, const char *key)
{
	struct fake *f = ctx;

	if (kind == HTTP_LOOKUP_HEADER && !strcmp(key, "Content-Type"))
		return f->type;
	if (kind == HTTP_LOOKUP_HEADER && !strcmp(key, "Authorization") && f->bearer[0])
		return f->bearer;
	if (kind == HTTP_LOOKUP_COOKIE && !strcmp(key, SITE_SESSION_COOKIE) && f->cookie[0])
		return f->cookie;
	return NULL;
}

static void sql(struct fixture *fx, const char *q)
{
	char *err = NULL;

	if (sqlite3_exec(fx->app.store->db, q, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", q, err);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct auth_user u;
	char path[128], name[32];
	size_t i;

	assert_non_null(fx);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/vigil-access-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(path, sizeof(path), "%s/keys", fx->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/keys/master.key", fx->dir);
	assert_int_equal(keys_create(path), VG_OK);
	assert_int_equal(app_open(fx->dir, &fx->app), VG_OK);
	assert_int_equal(site_init(&fx->site, &fx->app), VG_OK);
	for (i = 0; i < NROLES; i++) {
		snprintf(name, sizeof(name), "u-%s", role_names[i]);
		assert_int_equal(auth_user_add(&fx->app, name, role_names[i],
					       "correct horse battery", 0, &fx->uid[i]), VG_OK);
		assert_int_equal(auth_login(&fx->app, name, "correct horse battery", "web",
					    fx->web[i], &u), VG_OK);
		assert_int_equal(auth_login(&fx->app, name, "correct horse battery", "api",
					    fx->api[i], &u), VG_OK);
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[128];

	site_release(&fx->site);
	app_release(&fx->app);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	assert_int_equal(system(cmd), 0);
	free(fx);
	return 0;
}

/* Sends a request as the user of session token (web or api by path). */
static int request(struct fixture *fx, enum http_method m, const char *path,
		   const char *token, const char *body, struct http_response *res)
{
	struct http_request req = {0};
	struct fake f = {0};
	int api = !strncmp(path, "/api/", 5);

	req.method = m;
	req.path = path;
	req.lookup = fake_lookup;
	req.lookup_ctx = &f;
	f.type = api ? "application/json" : "application/x-www-form-urlencoded";
	if (token && api)
		snprintf(f.bearer, sizeof(f.bearer), "Bearer %s", token);
	else if (token)
		snprintf(f.cookie, sizeof(f.cookie), "%s", token);
	buf_init(&req.body, 65536);
	assert_int_equal(buf_adds(&req.body, body ? body : ""), VG_OK);
	http_response_init(res, 1 << 20);
	site_handle(&fx->site, &req, res);
	buf_release(&req.body);
	return res->status;
}

static int status_of(struct fixture *fx, enum http_method m, const char *path,
		     const char *token, const char *body)
{
	struct http_response res;
	int status = request(fx, m, path, token, body, &res);

	http_response_release(&res);
	return status;
}

static const char *location(const struct http_response *res)
{
	size_t i;

	for (i = 0; i < res->nheaders; i++)
		if (!strcmp(res->headers[i].name, "Location"))
			return res->headers[i].value;
	return "";
}

/* A form body with the CSRF token of web session token. */
static void form_body(struct fixture *fx, const char *token, const char *rest,
		      char *out, size_t size)
{
	char csrf[TOKEN_TEXT_SIZE];

	token_csrf(&fx->app.keys, token, csrf);
	snprintf(out, size, "csrf=%s%s%s", csrf, rest[0] ? "&" : "", rest);
}

/* The cells of a markdown table row "| a | b |", trimmed, backticks dropped. */
static size_t cells(char *line, char **out, size_t max)
{
	size_t n = 0;
	char *p = line, *bar;

	if (*p != '|')
		return 0;
	p++;
	while (n < max && (bar = strchr(p, '|'))) {
		char *s = p, *e = bar;

		while (s < e && (*s == ' ' || *s == '`'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '`'))
			e--;
		*e = '\0';
		out[n++] = s;
		p = bar + 1;
	}
	return n;
}

/* Calls fn for every row of the table under the heading "## title". */
static void each_row(const char *title, void (*fn)(char **cell, size_t n, void *ctx), void *ctx)
{
	const char *path = getenv("VIGIL_PERMISSIONS_MD");
	char line[512], heading[96], *cell[12];
	int in = 0, rows = 0;
	FILE *f;

	assert_non_null(path);
	f = fopen(path, "r");
	assert_non_null(f);
	snprintf(heading, sizeof(heading), "## %s\n", title);
	while (fgets(line, sizeof(line), f)) {
		size_t n;

		if (!strncmp(line, "## ", 3)) {
			in = !strcmp(line, heading);
			continue;
		}
		if (!in || line[0] != '|')
			continue;
		n = cells(line, cell, ARRAY_SIZE(cell));
		/* The header row and the |---| row. */
		if (rows++ < 2)
			continue;
		fn(cell, n, ctx);
	}
	fclose(f);
	assert_true(rows > 2);
}

static void check_matrix_row(char **cell, size_t n, void *ctx)
{
	int *seen = ctx, op = access_op_parse(cell[0]);
	struct auth_user u = {0};
	size_t i;

	assert_int_equal(n, NROLES + 1);
	if (op < 0)
		fail_msg("docs/permissions.md: unknown op %s", cell[0]);
	seen[op]++;
	for (i = 0; i < NROLES; i++) {
		snprintf(u.role, sizeof(u.role), "%s", role_names[i]);
		if (access_allowed(&u, (enum access_op)op) != !strcmp(cell[i + 1], "yes"))
			fail_msg("%s may %s%s in the code but the matrix says %s", role_names[i],
				 access_allowed(&u, (enum access_op)op) ? "" : "not ",
				 cell[0], cell[i + 1]);
	}
}

/* The matrix in the docs is the matrix in the code, op by op, role by role. */
static void test_matrix_matches_docs(void **state)
{
	int seen[ACCESS_OP_COUNT] = {0}, i;
	struct auth_user u = {0};

	(void)state;
	each_row("The role matrix", check_matrix_row, seen);
	for (i = 0; i < ACCESS_OP_COUNT; i++)
		if (seen[i] != 1)
			fail_msg("op %s has %d rows in docs/permissions.md",
				 access_op_name((enum access_op)i), seen[i]);
	snprintf(u.role, sizeof(u.role), "intruder");
	for (i = 0; i < ACCESS_OP_COUNT; i++)
		assert_false(access_allowed(&u, (enum access_op)i));
}

struct doc_route {
	char method[8];
	char path[96];
	char needs[32];
};

struct doc_routes {
	struct doc_route r[256];
	size_t n;
};

static void collect_route(char **cell, size_t n, void *ctx)
{
	struct doc_routes *d = ctx;

	assert_int_equal(n, 3);
	assert_true(d->n < ARRAY_SIZE(d->r));
	snprintf(d->r[d->n].method, sizeof(d->r[0].method), "%s", cell[0]);
	snprintf(d->r[d->n].path, sizeof(d->r[0].path), "%s", cell[1]);
	snprintf(d->r[d->n].needs, sizeof(d->r[0].needs), "%s", cell[2]);
	d->n++;
}

static const struct doc_route *doc_find(const struct doc_routes *d, const struct route *r)
{
	const char *m = r->method == HTTP_GET ? "GET" : "POST";
	size_t i;

	for (i = 0; i < d->n; i++)
		if (!strcmp(d->r[i].method, m) && !strcmp(d->r[i].path, r->pattern))
			return &d->r[i];
	return NULL;
}

/* A path for pattern with every "{}" replaced by an id nothing has. */
static void concrete(const char *pattern, char *out, size_t size)
{
	size_t o = 0;

	for (; *pattern && o + 20 < size; pattern++) {
		if (pattern[0] == '{' && pattern[1] == '}') {
			memcpy(out + o, "00000000deadbeef", 16);
			o += 16;
			pattern++;
		} else {
			out[o++] = *pattern;
		}
	}
	out[o] = '\0';
}

/*
 * Every route of the site has its row, with the same needs, and every row
 * is a route; then every role tries every route that needs an op: refused
 * roles get 403, allowed roles get anything else.
 */
static void test_every_route_every_role(void **state)
{
	struct fixture *fx = *state;
	static struct doc_routes d;
	const struct route *routes;
	size_t n, i, j, k;

	d.n = 0;
	each_row("Routes", collect_route, &d);
	routes = site_routes(&n);
	for (i = 0; i < n; i++) {
		const struct doc_route *row = doc_find(&d, &routes[i]);
		int op = site_route_op(&routes[i]);

		if (!row)
			fail_msg("route %s %s has no row in docs/permissions.md",
				 routes[i].method == HTTP_GET ? "GET" : "POST", routes[i].pattern);
		if (op >= 0 && strcmp(row->needs, access_op_name((enum access_op)op)))
			fail_msg("route %s needs %s, docs/permissions.md says %s",
				 routes[i].pattern, access_op_name((enum access_op)op), row->needs);
		if (op < 0 && access_op_parse(row->needs) >= 0)
			fail_msg("route %s needs no op, docs/permissions.md says %s",
				 routes[i].pattern, row->needs);
	}
	for (j = 0; j < d.n; j++) {
		for (i = 0; i < n; i++)
			if (doc_find(&d, &routes[i]) == &d.r[j])
				break;
		if (i == n)
			fail_msg("docs/permissions.md lists %s %s, which is no route",
				 d.r[j].method, d.r[j].path);
	}
	for (i = 0; i < n; i++) {
		int op = site_route_op(&routes[i]);
		char path[160], body[256];

		if (op < 0)
			continue;
		concrete(routes[i].pattern, path, sizeof(path));
		for (k = 0; k < NROLES; k++) {
			int api = !strncmp(path, "/api/", 5), status;
			struct auth_user u = {0};
			const char *tok = api ? fx->api[k] : fx->web[k];

			snprintf(u.role, sizeof(u.role), "%s", role_names[k]);
			if (routes[i].method == HTTP_POST && !api)
				form_body(fx, tok, "", body, sizeof(body));
			else
				snprintf(body, sizeof(body), "%s", routes[i].method == HTTP_POST ? "{}" : "");
			status = status_of(fx, routes[i].method, path, tok, body);
			if (access_allowed(&u, (enum access_op)op) ? status == 403 : status != 403)
				fail_msg("%s %s as %s: %d", routes[i].method == HTTP_GET ? "GET" : "POST",
					 path, role_names[k], status);
		}
	}
}

/* Every route anyone may use answers without a session. */
static void test_open_routes_need_no_session(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(status_of(fx, HTTP_GET, "/", NULL, NULL), 200);
	assert_int_equal(status_of(fx, HTTP_GET, "/staff/login", NULL, NULL), 200);
	assert_int_equal(status_of(fx, HTTP_GET, "/staff", NULL, NULL), 303);
	assert_int_equal(status_of(fx, HTTP_GET, "/api/v1/tips", NULL, NULL), 401);
}

/*
 * Before each test: the users and sessions of the group stay (hashing
 * fourteen passwords per test would be slow); everything a test adds goes.
 */
static int reset(void **state)
{
	struct fixture *fx = *state;

	sql(fx, "DELETE FROM meeting_agenda; DELETE FROM meetings; DELETE FROM case_access;"
		" DELETE FROM case_events; DELETE FROM team_members; DELETE FROM cases;"
		" DELETE FROM teams; DELETE FROM user_totp; DELETE FROM throttle;"
		" UPDATE sessions SET totp_pending = 0");
	fx->app.cfg.totp_admin_required = 0;
	return 0;
}

/* Users, teams, cases and a meeting for the object-level rules. */
static void seed_cases(struct fixture *fx)
{
	char q[512];

	sql(fx, "INSERT INTO cases (id, created_at, updated_at, restricted) VALUES"
		" ('aaaaaaaaaaaaaaaa', 1, 1, 0), ('bbbbbbbbbbbbbbbb', 1, 1, 1),"
		" ('cccccccccccccccc', 1, 1, 1)");
	sql(fx, "INSERT INTO teams (id, name, kind, created_at) VALUES"
		" (1, 'mdt-east', 'mdt', 1), (2, 'unit-b', 'staff', 1)");
	snprintf(q, sizeof(q), "INSERT INTO team_members (team_id, user_id, added_at)"
		 " VALUES (1, %" PRId64 ", 1)", fx->uid[5]);
	sql(fx, q);
	sql(fx, "INSERT INTO meetings (id, team_id, starts_at, title, created_at, updated_at)"
		" VALUES ('mmmmmmmmmmmmmmmm', 1, 100, 'SafetyNet', 1, 1)");
}

static struct auth_user as(struct fixture *fx, size_t role)
{
	struct auth_user u = {0};

	u.id = fx->uid[role];
	snprintf(u.role, sizeof(u.role), "%s", role_names[role]);
	snprintf(u.name, sizeof(u.name), "u-%s", role_names[role]);
	return u;
}

static int64_t denials(struct fixture *fx, const char *object)
{
	struct audit_list l = {0};
	int64_t n = 0;
	size_t i;

	assert_int_equal(store_audit_list(fx->app.store, 0, 1000, &l), VG_OK);
	for (i = 0; i < l.count; i++)
		if (!strcmp(l.rows[i].action, "access.denied") && l.rows[i].object &&
		    !strcmp(l.rows[i].object, object))
			n++;
	audit_list_release(&l);
	return n;
}

static void test_restricted_cases(void **state)
{
	struct fixture *fx = *state;
	struct app *app = &fx->app;
	struct auth_user admin = as(fx, 0), sup = as(fx, 1), adv = as(fx, 2),
			 inv = as(fx, 4), vol = as(fx, 6);
	char q[256];

	seed_cases(fx);
	assert_int_equal(access_case(app, &adv, "aaaaaaaaaaaaaaaa", ACCESS_READ_CASE), VG_OK);
	assert_int_equal(access_case(app, &adv, "aaaaaaaaaaaaaaaa", ACCESS_WORK_CASE), VG_OK);
	/* A restricted case and one that does not exist look the same. */
	assert_int_equal(access_case(app, &adv, "bbbbbbbbbbbbbbbb", ACCESS_READ_CASE), VG_NOTFOUND);
	assert_int_equal(access_case(app, &adv, "0000000000000000", ACCESS_READ_CASE), VG_NOTFOUND);
	assert_int_equal(denials(fx, "bbbbbbbbbbbbbbbb"), 1);
	assert_int_equal(denials(fx, "0000000000000000"), 0);
	assert_int_equal(access_case(app, &admin, "bbbbbbbbbbbbbbbb", ACCESS_WORK_CASE), VG_OK);
	assert_int_equal(access_case(app, &sup, "bbbbbbbbbbbbbbbb", ACCESS_RESTRICT), VG_OK);
	assert_int_equal(access_case(app, &adv, "bbbbbbbbbbbbbbbb", ACCESS_RESTRICT), VG_FORBIDDEN);
	assert_int_equal(access_case(app, &vol, "aaaaaaaaaaaaaaaa", ACCESS_READ_CASE), VG_FORBIDDEN);

	/* Named users, and members of named teams, may open it. */
	assert_int_equal(store_access_grant(app->store, "bbbbbbbbbbbbbbbb", 0, "u-advocate",
					    sup.id, 5), VG_OK);
	assert_int_equal(store_access_grant(app->store, "bbbbbbbbbbbbbbbb", 0, "u-advocate",
					    sup.id, 5), VG_EXISTS);
	assert_int_equal(store_access_grant(app->store, "bbbbbbbbbbbbbbbb", 0, "nobody",
					    sup.id, 5), VG_NOTFOUND);
	assert_int_equal(access_case(app, &adv, "bbbbbbbbbbbbbbbb", ACCESS_READ_CASE), VG_OK);
	assert_int_equal(access_case(app, &inv, "bbbbbbbbbbbbbbbb", ACCESS_READ_CASE), VG_NOTFOUND);
	snprintf(q, sizeof(q), "INSERT INTO team_members (team_id, user_id, added_at)"
		 " VALUES (2, %" PRId64 ", 1)", inv.id);
	sql(fx, q);
	assert_int_equal(store_access_grant(app->store, "bbbbbbbbbbbbbbbb", 1, "unit-b",
					    sup.id, 5), VG_OK);
	assert_int_equal(access_case(app, &inv, "bbbbbbbbbbbbbbbb", ACCESS_WORK_CASE), VG_OK);
	/* A disabled team grants nothing. */
	sql(fx, "UPDATE teams SET disabled = 1 WHERE id = 2");
	assert_int_equal(access_case(app, &inv, "bbbbbbbbbbbbbbbb", ACCESS_READ_CASE), VG_NOTFOUND);
	assert_int_equal(access_case(app, &adv, "cccccccccccccccc", ACCESS_READ_CASE), VG_NOTFOUND);
}

static void test_restrict_and_revoke_are_recorded(void **state)
{
	struct fixture *fx = *state;
	struct app *app = &fx->app;
	struct auth_user adv = as(fx, 2);
	struct access_grant_list l = {0};
	sqlite3_stmt *st;
	int events = 0;

	seed_cases(fx);
	assert_int_equal(store_access_restrict(app->store, "aaaaaaaaaaaaaaaa", 1, fx->uid[1], 9), VG_OK);
	assert_int_equal(access_case(app, &adv, "aaaaaaaaaaaaaaaa", ACCESS_READ_CASE), VG_NOTFOUND);
	assert_int_equal(store_access_restrict(app->store, "0000000000000000", 1, fx->uid[1], 9),
			 VG_NOTFOUND);
	assert_int_equal(store_access_grant(app->store, "aaaaaaaaaaaaaaaa", 0, "u-advocate",
					    fx->uid[1], 9), VG_OK);
	assert_int_equal(store_access_grants(app->store, "aaaaaaaaaaaaaaaa", &l), VG_OK);
	assert_int_equal(l.count, 1);
	assert_string_equal(l.rows[0].name, "u-advocate");
	assert_int_equal(store_access_revoke(app->store, "bbbbbbbbbbbbbbbb", l.rows[0].id,
					     fx->uid[1], 9), VG_NOTFOUND);
	assert_int_equal(store_access_revoke(app->store, "aaaaaaaaaaaaaaaa", l.rows[0].id,
					     fx->uid[1], 9), VG_OK);
	access_grant_list_release(&l);
	assert_int_equal(access_case(app, &adv, "aaaaaaaaaaaaaaaa", ACCESS_READ_CASE), VG_NOTFOUND);
	assert_int_equal(sqlite3_prepare_v2(app->store->db,
		"SELECT group_concat(kind) FROM case_events WHERE case_id = 'aaaaaaaaaaaaaaaa'",
		-1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "restricted,granted,revoked");
	events = 1;
	sqlite3_finalize(st);
	assert_true(events);
}

/* The restriction pages: an advocate guessing the id gets the 404 of no case. */
static void test_access_routes(void **state)
{
	struct fixture *fx = *state;
	struct http_response res;
	char body[256];
	json_t *j;

	seed_cases(fx);
	assert_int_equal(status_of(fx, HTTP_GET, "/staff/cases/bbbbbbbbbbbbbbbb/access",
				   fx->web[2], NULL), 403);
	assert_int_equal(status_of(fx, HTTP_GET, "/staff/cases/bbbbbbbbbbbbbbbb/access",
				   fx->web[1], NULL), 200);
	assert_int_equal(status_of(fx, HTTP_GET, "/staff/cases/0000000000000000/access",
				   fx->web[1], NULL), 404);
	form_body(fx, fx->web[1], "action=grant_user&name=u-analyst", body, sizeof(body));
	assert_int_equal(request(fx, HTTP_POST, "/staff/cases/bbbbbbbbbbbbbbbb/access",
				 fx->web[1], body, &res), 303);
	http_response_release(&res);
	assert_int_equal(request(fx, HTTP_POST, "/api/v1/cases/aaaaaaaaaaaaaaaa/access",
				 fx->api[0], "{\"action\": \"restrict\"}", &res), 200);
	j = json_loads(buf_str(&res.body), 0, NULL);
	assert_non_null(j);
	assert_true(json_is_true(json_object_get(j, "restricted")));
	json_decref(j);
	http_response_release(&res);
	assert_int_equal(request(fx, HTTP_GET, "/api/v1/cases/bbbbbbbbbbbbbbbb/access",
				 fx->api[1], NULL, &res), 200);
	assert_non_null(strstr(buf_str(&res.body), "u-analyst"));
	http_response_release(&res);
	assert_int_equal(status_of(fx, HTTP_POST, "/api/v1/cases/bbbbbbbbbbbbbbbb/access",
				   fx->api[1], "{\"action\": \"explode\"}"), 422);
}

static void test_team_member_sees_agenda_cases_only(void **state)
{
	struct fixture *fx = *state;
	struct app *app = &fx->app;
	struct auth_user tm = as(fx, 5);

	seed_cases(fx);
	assert_int_equal(access_case(app, &tm, "aaaaaaaaaaaaaaaa", ACCESS_READ_CASE), VG_NOTFOUND);
	assert_int_equal(access_case(app, &tm, "bbbbbbbbbbbbbbbb", ACCESS_READ_CASE), VG_NOTFOUND);
	sql(fx, "INSERT INTO meeting_agenda (id, meeting_id, case_id, position, updated_at)"
		" VALUES ('gggggggggggggggg', 'mmmmmmmmmmmmmmmm', 'bbbbbbbbbbbbbbbb', 1, 1)");
	assert_int_equal(access_case(app, &tm, "bbbbbbbbbbbbbbbb", ACCESS_READ_CASE), VG_OK);
	assert_int_equal(access_case(app, &tm, "bbbbbbbbbbbbbbbb", ACCESS_WORK_CASE), VG_FORBIDDEN);
	assert_int_equal(access_case(app, &tm, "aaaaaaaaaaaaaaaa", ACCESS_READ_CASE), VG_NOTFOUND);
	assert_int_equal(access_tip(app, &tm, "0000000000000000", ACCESS_READ_TIPS), VG_FORBIDDEN);
}

/* 1 when the JSON array holds an object whose key is value. */
static int has(json_t *arr, const char *key, const char *value)
{
	json_t *o;
	size_t i;

	json_array_foreach(arr, i, o)
		if (!strcmp(json_string_value(json_object_get(o, key)), value))
			return 1;
	return 0;
}

/* The agenda_count of the meeting the caller lists as u. */
static json_int_t agenda_count_as(struct fixture *fx, const struct auth_user *u)
{
	json_t *l = NULL;
	json_int_t n;

	assert_int_equal(meeting_list(&fx->app, u, 0, &l), VG_OK);
	assert_int_equal(json_array_size(l), 1);
	n = json_integer_value(json_object_get(json_array_get(l, 0), "agenda_count"));
	json_decref(l);
	return n;
}

/*
 * Lists, counts and agendas leave out what a user may not open, silently:
 * the case list (also for a member of a disabled team named in the access
 * list), the agenda of a meeting and its count, and listing writes no
 * access.denied to the audit log.
 */
static void test_lists_hide_restricted(void **state)
{
	struct fixture *fx = *state;
	struct app *app = &fx->app;
	struct auth_user sup = as(fx, 1), adv = as(fx, 2), inv = as(fx, 4), tm = as(fx, 5),
			 vol = as(fx, 6);
	struct case_filter f = { .status = "all", .limit = 50 };
	struct case_list l = {0};
	json_t *m = NULL, *agenda;
	int64_t before;
	char q[256];
	size_t i;
	int seen_a = 0, seen_b = 0;

	seed_cases(fx);
	snprintf(q, sizeof(q), "INSERT INTO team_members (team_id, user_id, added_at)"
		 " VALUES (2, %" PRId64 ", 1)", inv.id);
	sql(fx, q);
	assert_int_equal(store_access_grant(app->store, "bbbbbbbbbbbbbbbb", 1, "unit-b",
					    sup.id, 5), VG_OK);
	sql(fx, "UPDATE teams SET disabled = 1 WHERE id = 2");
	assert_int_equal(access_case(app, &inv, "bbbbbbbbbbbbbbbb", ACCESS_READ_CASE), VG_NOTFOUND);
	before = denials(fx, "bbbbbbbbbbbbbbbb");
	assert_int_equal(cases_list(app, &inv, &f, &l), VG_OK);
	for (i = 0; i < l.count; i++) {
		seen_a |= !strcmp(l.rows[i].id, "aaaaaaaaaaaaaaaa");
		seen_b |= !strcmp(l.rows[i].id, "bbbbbbbbbbbbbbbb");
	}
	case_list_release(&l);
	assert_true(seen_a);
	assert_false(seen_b);

	assert_true(access_case_listed(app, &adv, "aaaaaaaaaaaaaaaa"));
	assert_false(access_case_listed(app, &adv, "bbbbbbbbbbbbbbbb"));
	assert_false(access_case_listed(app, &adv, "0000000000000000"));
	assert_true(access_case_listed(app, &sup, "bbbbbbbbbbbbbbbb"));
	assert_false(access_case_listed(app, &tm, "aaaaaaaaaaaaaaaa"));
	assert_false(access_case_listed(app, &vol, "aaaaaaaaaaaaaaaa"));

	/* A restricted and an open case on the agenda of the MDT's meeting. */
	sql(fx, "INSERT INTO meeting_agenda (id, meeting_id, case_id, position, updated_at) VALUES"
		" ('gggggggggggggggg', 'mmmmmmmmmmmmmmmm', 'bbbbbbbbbbbbbbbb', 1, 1),"
		" ('hhhhhhhhhhhhhhhh', 'mmmmmmmmmmmmmmmm', 'aaaaaaaaaaaaaaaa', 2, 1)");
	assert_int_equal(meeting_view(app, &adv, "mmmmmmmmmmmmmmmm", &m), VG_OK);
	agenda = json_object_get(m, "agenda");
	assert_int_equal(json_array_size(agenda), 1);
	assert_true(has(agenda, "case_id", "aaaaaaaaaaaaaaaa"));
	assert_int_equal(json_integer_value(json_object_get(m, "agenda_count")), 1);
	json_decref(m);
	assert_int_equal(agenda_count_as(fx, &adv), 1);
	assert_int_equal(agenda_count_as(fx, &sup), 2);
	/* The team member sees both: the agenda shares them with the team. */
	assert_int_equal(meeting_view(app, &tm, "mmmmmmmmmmmmmmmm", &m), VG_OK);
	assert_int_equal(json_array_size(json_object_get(m, "agenda")), 2);
	json_decref(m);
	assert_int_equal(agenda_count_as(fx, &tm), 2);
	assert_true(access_case_listed(app, &tm, "bbbbbbbbbbbbbbbb"));
	assert_int_equal(denials(fx, "bbbbbbbbbbbbbbbb"), before);
}

/* The code liboath computes for base32 secret at time t. */
static void code_at(const char *secret, time_t t, char out[7])
{
	char *raw = NULL;
	size_t len = 0;

	assert_int_equal(oath_base32_decode(secret, strlen(secret), &raw, &len), OATH_OK);
	assert_int_equal(oath_totp_generate(raw, len, t, 30, 0, 6, out), OATH_OK);
	free(raw);
}

static void test_totp_verify(void **state)
{
	struct fixture *fx = *state;
	struct auth_user adv = as(fx, 2);
	struct totp_enrolment e;
	char code[7], mine[7];
	int on = -1, i;

	assert_int_equal(totp_verify(&fx->app, adv.id, "123456"), VG_NOTFOUND);
	assert_int_equal(totp_enrol(&fx->app, &adv, 0, &e), VG_OK);
	assert_int_equal(strlen(e.secret), 32);
	assert_non_null(strstr(e.uri, "otpauth://totp/vigil:u-advocate?secret="));
	assert_non_null(strstr(e.uri, e.secret));
	assert_int_equal(totp_enrolled(&fx->app, adv.id, &on), VG_OK);
	assert_int_equal(on, 0);
	code_at(e.secret, time(NULL), code);
	assert_int_equal(totp_code(e.secret, time(NULL), mine), VG_OK);
	assert_string_equal(code, mine);
	/* A secret being set up is not asked for at sign-in until confirmed. */
	assert_int_equal(totp_verify(&fx->app, adv.id, code), VG_NOTFOUND);
	assert_int_equal(totp_confirm(&fx->app, adv.id, code), VG_OK);
	assert_int_equal(totp_enrolled(&fx->app, adv.id, &on), VG_OK);
	assert_int_equal(on, 1);
	assert_int_equal(totp_confirm(&fx->app, adv.id, code), VG_NOTFOUND);
	/* Once only: the confirming code does not sign in afterwards. */
	assert_int_equal(totp_verify(&fx->app, adv.id, code), VG_AUTH);
	assert_int_equal(totp_verify(&fx->app, adv.id, "12345"), VG_AUTH);
	assert_int_equal(totp_verify(&fx->app, adv.id, "abcdef"), VG_AUTH);
	for (i = 0; i < TOTP_MAX_FAILURES; i++)
		totp_verify(&fx->app, adv.id, "000000");
	code_at(e.secret, time(NULL) + 30, code);
	assert_int_equal(totp_verify(&fx->app, adv.id, code), VG_THROTTLED);
	/* The secret is sealed: its base32 is nowhere in the database file. */
	{
		char cmd[256];

		snprintf(cmd, sizeof(cmd), "grep -rqa '%s' '%s'", e.secret, fx->dir);
		assert_int_not_equal(system(cmd), 0);
	}
	assert_int_equal(totp_remove(&fx->app, adv.id), VG_OK);
	assert_int_equal(totp_enrolled(&fx->app, adv.id, &on), VG_OK);
	assert_int_equal(on, 0);
}

/* Sign-in with a second factor, on the web and through the API. */
static void test_totp_login(void **state)
{
	struct fixture *fx = *state;
	struct auth_user adv = as(fx, 2), u;
	struct totp_enrolment e;
	struct http_response res;
	char tok[TOKEN_TEXT_SIZE], code[7], body[256];

	assert_int_equal(totp_enrol(&fx->app, &adv, 1, &e), VG_OK);
	assert_int_equal(auth_login(&fx->app, "u-advocate", "correct horse battery", "web",
				    tok, &u), VG_OK);
	assert_true(u.totp_pending);
	/* Waiting for the code opens nothing else. */
	assert_int_equal(request(fx, HTTP_GET, "/staff", tok, NULL, &res), 303);
	assert_string_equal(location(&res), "/staff/login/code");
	http_response_release(&res);
	assert_int_equal(status_of(fx, HTTP_GET, "/staff/login/code", tok, NULL), 200);
	form_body(fx, tok, "code=000000", body, sizeof(body));
	code_at(e.secret, time(NULL), code);
	if (!strcmp(code, "000000"))
		form_body(fx, tok, "code=111111", body, sizeof(body));
	assert_int_equal(status_of(fx, HTTP_POST, "/staff/login/code", tok, body), 401);
	snprintf(body + strlen(body) - 6, 7, "%s", code);
	assert_int_equal(request(fx, HTTP_POST, "/staff/login/code", tok, body, &res), 303);
	assert_string_equal(location(&res), "/staff");
	http_response_release(&res);
	assert_int_equal(status_of(fx, HTTP_GET, "/staff", tok, NULL), 200);

	/* The API takes the code with the password. */
	assert_int_equal(request(fx, HTTP_POST, "/api/v1/sessions", NULL,
		"{\"name\": \"u-advocate\", \"password\": \"correct horse battery\"}", &res), 401);
	assert_non_null(strstr(buf_str(&res.body), "code_required"));
	http_response_release(&res);
	code_at(e.secret, time(NULL) + 30, code);
	snprintf(body, sizeof(body), "{\"name\": \"u-advocate\", \"password\":"
		 " \"correct horse battery\", \"code\": \"%s\"}", code);
	assert_int_equal(status_of(fx, HTTP_POST, "/api/v1/sessions", NULL, body), 201);
	assert_int_equal(status_of(fx, HTTP_POST, "/api/v1/sessions", NULL, body), 401);
}

/* How many audit records have action `action`. */
static int64_t audited(struct fixture *fx, const char *action)
{
	struct audit_list l = {0};
	int64_t n = 0;
	size_t i;

	assert_int_equal(store_audit_list(fx->app.store, 0, 1000, &l), VG_OK);
	for (i = 0; i < l.count; i++)
		if (!strcmp(l.rows[i].action, action))
			n++;
	audit_list_release(&l);
	return n;
}

/*
 * Setting up again keeps the secret in force until the new one is
 * confirmed: sign-in goes on asking for a code from the old one, and a
 * code from the new one opens nothing until it has confirmed it.
 */
static void test_totp_reenrol_keeps_secret(void **state)
{
	struct fixture *fx = *state;
	struct auth_user adv = as(fx, 2), u;
	struct totp_enrolment old, fresh;
	struct http_response res;
	char tok[TOKEN_TEXT_SIZE], code[7], body[256];
	time_t now = time(NULL);
	int64_t confirms = audited(fx, "totp.confirm");
	int on = 0;

	assert_int_equal(totp_enrol(&fx->app, &adv, 1, &old), VG_OK);
	/* The console's set-up page, as the user with a second factor in force. */
	form_body(fx, fx->web[2], "", body, sizeof(body));
	assert_int_equal(request(fx, HTTP_POST, "/staff/totp", fx->web[2], body, &res), 200);
	assert_non_null(strstr(buf_str(&res.body), "otpauth://totp/vigil:u-advocate"));
	assert_null(strstr(buf_str(&res.body), old.secret));
	http_response_release(&res);
	assert_int_equal(totp_enrolled(&fx->app, adv.id, &on), VG_OK);
	assert_int_equal(on, 1);
	assert_int_equal(auth_login(&fx->app, "u-advocate", "correct horse battery", "web",
				    tok, &u), VG_OK);
	assert_true(u.totp_pending);
	assert_int_equal(auth_session(&fx->app, tok, "web", &u), VG_OK);
	assert_true(u.totp_pending);
	assert_true(u.totp_enrolled);
	assert_int_equal(request(fx, HTTP_GET, "/staff", tok, NULL, &res), 303);
	assert_string_equal(location(&res), "/staff/login/code");
	http_response_release(&res);

	/* A second set-up replaces the pending secret, never the one in force. */
	assert_int_equal(totp_enrol(&fx->app, &adv, 0, &fresh), VG_OK);
	code_at(fresh.secret, now, code);
	assert_int_equal(totp_verify(&fx->app, adv.id, code), VG_AUTH);
	code_at(old.secret, now, code);
	assert_int_equal(auth_totp(&fx->app, tok, &u, code), VG_OK);
	assert_int_equal(status_of(fx, HTTP_GET, "/staff", tok, NULL), 200);
	/* A code of the old secret does not confirm the new one. */
	code_at(old.secret, now + 30, code);
	assert_int_equal(totp_confirm(&fx->app, adv.id, code), VG_AUTH);

	/* Confirmed through the console, the new secret replaces the old. */
	code_at(fresh.secret, now, code);
	form_body(fx, fx->web[2], "code=", body, sizeof(body));
	snprintf(body + strlen(body), sizeof(body) - strlen(body), "%s", code);
	assert_int_equal(status_of(fx, HTTP_POST, "/staff/totp/confirm", fx->web[2], body), 200);
	assert_int_equal(audited(fx, "totp.confirm"), confirms + 1);
	code_at(old.secret, now + 30, code);
	assert_int_equal(totp_verify(&fx->app, adv.id, code), VG_AUTH);
	code_at(fresh.secret, now + 30, code);
	assert_int_equal(totp_verify(&fx->app, adv.id, code), VG_OK);
	assert_int_equal(totp_confirm(&fx->app, adv.id, code), VG_NOTFOUND);
}

/*
 * Removing one's own second factor in the console takes a current code
 * and the CSRF token, and is audited; an admin the configuration requires
 * to have one cannot remove it.
 */
static void test_totp_remove_own(void **state)
{
	struct fixture *fx = *state;
	struct auth_user adv = as(fx, 2), admin = as(fx, 0);
	struct totp_enrolment e, a;
	struct http_response res;
	char code[7], body[256];
	time_t now = time(NULL);
	int64_t removed = audited(fx, "totp.remove"), failed = audited(fx, "totp.remove_failed");
	int on = 0;

	/* Nothing to remove. */
	form_body(fx, fx->web[2], "code=123456", body, sizeof(body));
	assert_int_equal(status_of(fx, HTTP_POST, "/staff/totp/remove", fx->web[2], body), 422);

	assert_int_equal(totp_enrol(&fx->app, &adv, 1, &e), VG_OK);
	assert_int_equal(request(fx, HTTP_GET, "/staff/totp", fx->web[2], NULL, &res), 200);
	assert_non_null(strstr(buf_str(&res.body), "action=\"/staff/totp/remove\""));
	http_response_release(&res);
	code_at(e.secret, now, code);
	snprintf(body, sizeof(body), "code=%s", code);
	assert_int_equal(status_of(fx, HTTP_POST, "/staff/totp/remove", fx->web[2], body), 403);
	form_body(fx, fx->web[2], strcmp(code, "000000") ? "code=000000" : "code=111111",
		  body, sizeof(body));
	assert_int_equal(status_of(fx, HTTP_POST, "/staff/totp/remove", fx->web[2], body), 422);
	assert_int_equal(audited(fx, "totp.remove_failed"), failed + 1);
	assert_int_equal(totp_enrolled(&fx->app, adv.id, &on), VG_OK);
	assert_int_equal(on, 1);
	form_body(fx, fx->web[2], "code=", body, sizeof(body));
	snprintf(body + strlen(body), sizeof(body) - strlen(body), "%s", code);
	assert_int_equal(status_of(fx, HTTP_POST, "/staff/totp/remove", fx->web[2], body), 200);
	assert_int_equal(totp_enrolled(&fx->app, adv.id, &on), VG_OK);
	assert_int_equal(on, 0);
	assert_int_equal(audited(fx, "totp.remove"), removed + 1);

	/* An admin who must have a second factor keeps it, code or not. */
	fx->app.cfg.totp_admin_required = 1;
	assert_int_equal(totp_enrol(&fx->app, &admin, 1, &a), VG_OK);
	assert_int_equal(request(fx, HTTP_GET, "/staff/totp", fx->web[0], NULL, &res), 200);
	assert_null(strstr(buf_str(&res.body), "/staff/totp/remove"));
	http_response_release(&res);
	code_at(a.secret, now, code);
	form_body(fx, fx->web[0], "code=", body, sizeof(body));
	snprintf(body + strlen(body), sizeof(body) - strlen(body), "%s", code);
	assert_int_equal(status_of(fx, HTTP_POST, "/staff/totp/remove", fx->web[0], body), 403);
	assert_int_equal(totp_remove_own(&fx->app, &admin, code), VG_FORBIDDEN);
	assert_int_equal(totp_enrolled(&fx->app, admin.id, &on), VG_OK);
	assert_int_equal(on, 1);
	assert_int_equal(audited(fx, "totp.remove"), removed + 1);
	/* Without the requirement the same code removes it. */
	fx->app.cfg.totp_admin_required = 0;
	assert_int_equal(totp_remove_own(&fx->app, &admin, code), VG_OK);
}

/* [auth] totp_admin = required sends an admin without one to set it up. */
static void test_totp_required_for_admin(void **state)
{
	struct fixture *fx = *state;
	struct auth_user admin = as(fx, 0);
	struct totp_enrolment e;
	struct http_response res;
	char code[7], body[256];

	fx->app.cfg.totp_admin_required = 1;
	assert_int_equal(request(fx, HTTP_GET, "/staff", fx->web[0], NULL, &res), 303);
	assert_string_equal(location(&res), "/staff/totp");
	http_response_release(&res);
	assert_int_equal(status_of(fx, HTTP_GET, "/api/v1/tips", fx->api[0], NULL), 403);
	/* Other roles are not held up. */
	assert_int_equal(status_of(fx, HTTP_GET, "/staff", fx->web[1], NULL), 200);
	assert_int_equal(status_of(fx, HTTP_GET, "/staff/totp", fx->web[0], NULL), 200);
	form_body(fx, fx->web[0], "", body, sizeof(body));
	assert_int_equal(request(fx, HTTP_POST, "/staff/totp", fx->web[0], body, &res), 200);
	assert_non_null(strstr(buf_str(&res.body), "otpauth://totp/vigil:u-admin"));
	http_response_release(&res);
	/* The page's secret is the one now stored: replace it to know it. */
	assert_int_equal(totp_enrol(&fx->app, &admin, 0, &e), VG_OK);
	code_at(e.secret, time(NULL), code);
	snprintf(body + strlen(body), sizeof(body) - strlen(body), "&code=%s", code);
	assert_int_equal(status_of(fx, HTTP_POST, "/staff/totp/confirm", fx->web[0], body), 200);
	assert_int_equal(status_of(fx, HTTP_GET, "/staff", fx->web[0], NULL), 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_matrix_matches_docs, reset),
		cmocka_unit_test_setup(test_every_route_every_role, reset),
		cmocka_unit_test_setup(test_open_routes_need_no_session, reset),
		cmocka_unit_test_setup(test_restricted_cases, reset),
		cmocka_unit_test_setup(test_restrict_and_revoke_are_recorded, reset),
		cmocka_unit_test_setup(test_access_routes, reset),
		cmocka_unit_test_setup(test_team_member_sees_agenda_cases_only, reset),
		cmocka_unit_test_setup(test_lists_hide_restricted, reset),
		cmocka_unit_test_setup(test_totp_verify, reset),
		cmocka_unit_test_setup(test_totp_login, reset),
		cmocka_unit_test_setup(test_totp_required_for_admin, reset),
		cmocka_unit_test_setup(test_totp_reenrol_keeps_secret, reset),
		cmocka_unit_test_setup(test_totp_remove_own, reset),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

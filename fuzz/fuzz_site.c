/*
 * fuzz_site.c - request bodies as the site reads them (site/site.h
 * site_handle, in process, as tests/unit/test_site.c drives it): the JSON
 * API's public endpoints and the public site's forms, against a real data
 * directory made once in a temporary folder.
 *
 * The first byte of the input picks the endpoint, the rest is the body:
 *
 *   0  POST /api/v1/tips               application/json
 *   1  POST /api/v1/receipts/lookup    application/json
 *   2  POST /api/v1/receipts/messages  application/json
 *   3  POST /report                    application/x-www-form-urlencoded
 *   4  POST /check                     application/x-www-form-urlencoded
 *   5  POST /check/add                 application/x-www-form-urlencoded
 *
 * POST /api/v1/sessions and /staff/login are left out: their bodies go
 * through the same api_body() and form_parse() as the ones above, and then
 * into an Argon2id hash that takes a tenth of a second, which would make
 * the target a thousand times slower. Receipt lookups are not slowed down
 * (max_delay_ms = 0), so failed guesses cost nothing here; tip submissions
 * keep the default global limit, which bounds how much the database grows.
 * The database is the one state that outlives an input: tips that were
 * accepted stay, but their receipts are random, so no later input finds
 * them by chance.
 *
 * No body may make the site answer 500, and every API answer must be a
 * JSON object, with "error" exactly when the status is 400 or more.
 */
#include "base/compat.h"
#include "fuzz.h"
#include "site/site.h"

#include <sys/stat.h>

static struct app app;
static struct site site;

static const struct {
	const char *path;
	const char *type;
} endpoints[] = {
	{"/api/v1/tips", "application/json"},
	{"/api/v1/receipts/lookup", "application/json"},
	{"/api/v1/receipts/messages", "application/json"},
	{"/report", "application/x-www-form-urlencoded"},
	{"/check", "application/x-www-form-urlencoded"},
	{"/check/add", "application/x-www-form-urlencoded"},
};

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) == EOF || fclose(f)) {
		fprintf(stderr, "fuzz_site: cannot write %s\n", path);
		abort();
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[256], path[512];

	(void)argc;
	(void)argv;
	fuzz_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/vigil.conf", dir);
	write_file(path, "[receipts]\nmax_delay_ms = 0\n");
	snprintf(path, sizeof(path), "%s/keys", dir);
	if (mkdir(path, 0700))
		abort();
	snprintf(path, sizeof(path), "%s/keys/master.key", dir);
	if (keys_create(path) || app_open(dir, &app) || site_init(&site, &app)) {
		fprintf(stderr, "fuzz_site: cannot open a data directory in %s\n", dir);
		abort();
	}
	return 0;
}

/* The request's headers: the Content-Type only, as a client without a browser sends. */
static const char *lookup(void *ctx, enum http_lookup kind, const char *key)
{
	if (kind == HTTP_LOOKUP_HEADER && !strcmp(key, "Content-Type"))
		return ctx;
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_request req = {0};
	struct http_response res;
	size_t e;

	if (size == 0)
		return 0;
	e = data[0] % ARRAY_SIZE(endpoints);
	req.method = HTTP_POST;
	req.path = endpoints[e].path;
	req.lookup = lookup;
	req.lookup_ctx = (void *)endpoints[e].type;
	buf_init(&req.body, (size_t)app.cfg.body_max);
	if (buf_add(&req.body, data + 1, size - 1))
		req.body_too_big = 1;
	http_response_init(&res, 1 << 20);
	site_handle(&site, &req, &res);

	fuzz_check(res.status >= 200 && res.status < 500);
	if (!strncmp(endpoints[e].path, "/api/", 5)) {
		json_t *j = json_loads(buf_str(&res.body), 0, NULL);

		fuzz_check(json_is_object(j));
		fuzz_check((json_object_get(j, "error") != NULL) == (res.status >= 400));
		json_decref(j);
	} else {
		fuzz_check(res.body.len > 0);
	}
	http_response_release(&res);
	buf_release(&req.body);
	return 0;
}

/*
 * The site in process, without sockets: JSON and form bodies go through
 * site_handle() exactly as the server passes them, against a real data
 * directory, so parsing, validation and the error contract are tested where
 * they live.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/compat.h"
#include "site/site.h"
#include "app/throttle.h"
#include "app/tip.h"
#include "crypto/keys.h"
#include "site/evidence.h"

#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

struct fixture {
	char dir[64];
	struct app app;
	struct site site;
};

/* A request's headers: Content-Type only, which is all these tests vary. */
static const char *fake_lookup(void *ctx, enum http_lookup kind, const char *key)
{
	if (kind == HTTP_LOOKUP_HEADER && !strcmp(key, "Content-Type"))
		return ctx;
	return NULL;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	char path[128];

	assert_non_null(fx);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/vigil-site-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(path, sizeof(path), "%s/keys", fx->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/keys/master.key", fx->dir);
	assert_int_equal(keys_create(path), VG_OK);
	assert_int_equal(app_open(fx->dir, &fx->app), VG_OK);
	assert_int_equal(site_init(&fx->site, &fx->app), VG_OK);
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

/* Sends body to path and returns the status; the response stays in *res. */
static int post(struct fixture *fx, const char *path, const char *type,
		const char *body, struct http_response *res)
{
	struct http_request req = {0};

	req.method = HTTP_POST;
	req.path = path;
	req.lookup = fake_lookup;
	req.lookup_ctx = (void *)type;
	buf_init(&req.body, 65536);
	if (buf_adds(&req.body, body))
		req.body_too_big = 1;
	http_response_init(res, 1 << 20);
	site_handle(&fx->site, &req, res);
	buf_release(&req.body);
	return res->status;
}

static int post_json(struct fixture *fx, const char *path, const char *body, char *code,
		     size_t size)
{
	struct http_response res;
	json_t *j, *c;
	int status = post(fx, path, "application/json", body, &res);

	j = json_loads(buf_str(&res.body), 0, NULL);
	assert_non_null(j);
	c = json_object_get(json_object_get(j, "error"), "code");
	snprintf(code, size, "%s", c ? json_string_value(c) : "");
	json_decref(j);
	http_response_release(&res);
	return status;
}

static void test_api_json_errors(void **state)
{
	struct fixture *fx = *state;
	static const struct {
		const char *body;
		int status;
		const char *code;
	} cases[] = {
		{"{\"narrative\": \"A tip.\"}", 201, ""},
		{"", 400, "bad_json"},
		{"{", 400, "bad_json"},
		{"[1, 2]", 400, "bad_json"},
		{"\"narrative\"", 400, "bad_json"},
		{"{\"narrative\": \"a\", \"narrative\": \"b\"}", 400, "bad_json"},
		{"{\"narrative\": \"\\u0000\"}", 400, "bad_json"},
		{"{\"narrative\": \"\xff\"}", 400, "bad_json"},
		{"{}", 422, "invalid"},
		{"{\"narrative\": \"   \"}", 422, "invalid"},
		{"{\"narrative\": 7}", 422, "invalid"},
		{"{\"narrative\": \"x\", \"danger_now\": 1}", 422, "invalid"},
		{"{\"narrative\": \"x\", \"location\": []}", 422, "invalid"},
		{"{\"narrative\": \"x\", \"location\": {\"country\": \"XX\"}}", 422, "invalid"},
		{"{\"narrative\": \"x\", \"location\": {\"planet\": \"Earth\"}}", 422, "invalid"},
		{"{\"narrative\": \"x\", \"extra\": true}", 422, "invalid"},
		{"{\"narrative\": \"x\", \"language\": \"xx\"}", 422, "invalid"},
		{"{\"narrative\": \"bell \\u0007\"}", 422, "invalid"},
		{"{\"narrative\": \"x\", \"location\": {\"country\": \"us\", \"region\": \"California\"}}", 201, ""},
		{"{\"narrative\": \"x\", \"location\": {\"region\": \"CA\"}}", 422, "invalid"},
		{"{\"narrative\": \"x\", \"location\": {\"country\": \"us\", \"region\": \"ca\"}}", 201, ""},
		{"{\"narrative\": null, \"when\": null}", 422, "invalid"},
	};
	char code[32];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int status = post_json(fx, "/api/v1/tips", cases[i].body, code, sizeof(code));

		if (status != cases[i].status || strcmp(code, cases[i].code))
			fail_msg("case %zu (%s): got %d %s", i, cases[i].body, status, code);
	}
}

static void test_api_content_type_and_size(void **state)
{
	struct fixture *fx = *state;
	struct http_response res;
	struct http_request req = {0};

	assert_int_equal(post(fx, "/api/v1/tips", "text/plain", "{\"narrative\":\"x\"}", &res), 415);
	http_response_release(&res);
	assert_int_equal(post(fx, "/api/v1/tips", "application/json; charset=utf-8",
			      "{\"narrative\":\"x\"}", &res), 201);
	http_response_release(&res);

	req.method = HTTP_POST;
	req.path = "/api/v1/tips";
	req.lookup = fake_lookup;
	req.lookup_ctx = (void *)"application/json";
	req.body_too_big = 1;
	buf_init(&req.body, 16);
	http_response_init(&res, 1 << 20);
	site_handle(&fx->site, &req, &res);
	assert_int_equal(res.status, 413);
	assert_non_null(strstr(buf_str(&res.body), "\"too_large\""));
	http_response_release(&res);
}

static void test_form_submission(void **state)
{
	struct fixture *fx = *state;
	struct http_response res;
	int64_t before, after;

	assert_int_equal(store_tip_count(fx->app.store, NULL, &before), VG_OK);
	assert_int_equal(post(fx, "/report", "application/x-www-form-urlencoded",
			      "narrative=Seen+at+the+farm&country=US&region=California&danger_now=no",
			      &res), 201);
	assert_non_null(strstr(buf_str(&res.body), "receipt"));
	http_response_release(&res);
	assert_int_equal(post(fx, "/report", "application/x-www-form-urlencoded",
			      "narrative=", &res), 422);
	http_response_release(&res);
	assert_int_equal(post(fx, "/report", "application/x-www-form-urlencoded",
			      "narrative=%ZZ", &res), 400);
	http_response_release(&res);
	assert_int_equal(post(fx, "/report", "multipart/form-data", "x", &res), 415);
	http_response_release(&res);
	assert_int_equal(store_tip_count(fx->app.store, NULL, &after), VG_OK);
	assert_int_equal(after, before + 1);
}

static void test_tip_round_trip(void **state)
{
	struct fixture *fx = *state;
	struct tip_input in = {0};
	struct tip_errors errs;
	struct tip_receipt r;
	struct tip_view v;
	struct tip_row row = {0};

	in.narrative = "Narrative text";
	in.country = "es";
	in.region = "Madrid";
	in.contact = "555-0100";
	in.when = "ayer";
	in.source = "phone";
	assert_int_equal(tip_submit(&fx->app, &in, &errs, &r), VG_OK);
	assert_int_equal(tip_open(&fx->app, r.id, &v), VG_OK);
	assert_string_equal(v.narrative, "Narrative text");
	assert_string_equal(v.contact, "555-0100");
	assert_string_equal(v.row.country, "ES");
	/* ES-M is the province of Madrid (ES-MD, the autonomous community). */
	assert_string_equal(v.row.region, "M");
	assert_string_equal(json_string_value(json_object_get(v.details, "when")), "ayer");
	assert_string_equal(v.row.source, "phone");
	tip_view_release(&v);

	assert_int_equal(tip_find_by_receipt(&fx->app, r.receipt, strlen(r.receipt), &row), VG_OK);
	assert_string_equal(row.id, r.id);
	tip_row_release(&row);
	assert_int_equal(tip_find_by_receipt(&fx->app, "123", 3, &row), VG_NOTFOUND);
	assert_int_equal(tip_find_by_receipt(&fx->app, "00000 00000 00000 00000 00000", 29, &row),
			 VG_NOTFOUND);

	/* A web-form region that matches nothing is kept, sealed, as text. */
	in.strict_region = 0;
	in.region = "Somewhere near the coast";
	assert_int_equal(tip_submit(&fx->app, &in, &errs, &r), VG_OK);
	assert_int_equal(tip_open(&fx->app, r.id, &v), VG_OK);
	assert_string_equal(v.row.region, "");
	assert_string_equal(json_string_value(json_object_get(v.details, "region_text")),
			    "Somewhere near the coast");
	tip_view_release(&v);
}

static void test_message_limit(void **state)
{
	struct fixture *fx = *state;
	struct tip_input in = { .narrative = "A tip.", .source = "web" };
	struct tip_errors errs;
	struct tip_receipt r;
	int i;

	assert_int_equal(tip_submit(&fx->app, &in, &errs, &r), VG_OK);
	for (i = 0; i < TIP_MESSAGES_MAX; i++)
		assert_int_equal(tip_add_message(&fx->app, r.id, "reporter", 0, "more", 4), VG_OK);
	assert_int_equal(tip_add_message(&fx->app, r.id, "reporter", 0, "more", 4), VG_TOOBIG);
	assert_int_equal(tip_add_message(&fx->app, "0000000000000000", "reporter", 0, "x", 1),
			 VG_NOTFOUND);
}

static void test_receipt_delays(void **state)
{
	struct config cfg;

	(void)state;
	config_defaults(&cfg, "/nonexistent");
	cfg.receipt_free_failures = 3;
	cfg.receipt_max_delay_ms = 1000;
	assert_int_equal(throttle_receipt_delay(&cfg, 0), 0);
	assert_int_equal(throttle_receipt_delay(&cfg, 3), 0);
	assert_int_equal(throttle_receipt_delay(&cfg, 4), 100);
	assert_int_equal(throttle_receipt_delay(&cfg, 5), 200);
	assert_int_equal(throttle_receipt_delay(&cfg, 7), 800);
	assert_int_equal(throttle_receipt_delay(&cfg, 8), 1000);
	assert_int_equal(throttle_receipt_delay(&cfg, 1000000), 1000);
}

static void test_failed_lookups_are_counted(void **state)
{
	struct fixture *fx = *state;
	struct tip_row row;
	int64_t n0 = 0, n1 = 0;

	assert_int_equal(store_throttle_peek(fx->app.store, "receipt", time(NULL),
					     fx->app.cfg.receipt_window, &n0), VG_OK);
	assert_int_equal(tip_find_by_receipt(&fx->app, "nope", 4, &row), VG_NOTFOUND);
	assert_int_equal(tip_find_by_receipt(&fx->app, "11111 11111 11111 11111 11111", 29, &row),
			 VG_NOTFOUND);
	assert_int_equal(store_throttle_peek(fx->app.store, "receipt", time(NULL),
					     fx->app.cfg.receipt_window, &n1), VG_OK);
	/* A window boundary may fall between the two reads; the count only grows within one. */
	assert_true(n1 == n0 + 2 || n1 == 2 || n1 == 1);
}

static void test_evidence_parts(void **state)
{
	const char *text = "She said he took her passport and she owes him 3000.";
	json_t *screening = json_loads(
		"{\"indicators\": ["
		"{\"category\": \"means.withholds_documents\", \"span\": [12, 29]},"
		"{\"category\": \"means.debt_bondage\", \"span\": [38, 47]},"
		"{\"category\": \"means.debt_bondage\", \"span\": [42, 51]},"
		"{\"category\": \"elsewhere\", \"span\": [60, 70]},"
		"{\"category\": \"broken\", \"span\": [5, 2]}]}", 0, NULL);
	json_t *parts;
	struct buf joined;
	size_t i;
	json_t *p;

	(void)state;
	assert_non_null(screening);
	parts = evidence_parts(text, screening);
	assert_non_null(parts);
	/* text, mark, text, mark (two overlapping spans merged), text */
	assert_int_equal(json_array_size(parts), 5);
	assert_string_equal(json_string_value(json_object_get(json_array_get(parts, 1), "text")),
			    "took her passport");
	assert_true(json_is_true(json_object_get(json_array_get(parts, 1), "mark")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(parts, 1), "categories")),
			    "means.withholds_documents");
	assert_string_equal(json_string_value(json_object_get(json_array_get(parts, 3), "text")),
			    "owes him 3000");
	assert_string_equal(json_string_value(json_object_get(json_array_get(parts, 3), "categories")),
			    "means.debt_bondage");
	assert_true(json_is_false(json_object_get(json_array_get(parts, 4), "mark")));
	/* Nothing is lost or repeated: the parts put together are the text. */
	buf_init(&joined, 1024);
	json_array_foreach(parts, i, p)
		buf_adds(&joined, json_string_value(json_object_get(p, "text")));
	assert_string_equal(buf_str(&joined), text);
	buf_release(&joined);
	json_decref(parts);
	/* No screening: the whole narrative, unmarked. */
	parts = evidence_parts(text, NULL);
	assert_int_equal(json_array_size(parts), 1);
	json_decref(parts);
	json_decref(screening);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_api_json_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_api_content_type_and_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_form_submission, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tip_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_message_limit, setup, teardown),
		cmocka_unit_test(test_receipt_delays),
		cmocka_unit_test(test_evidence_parts),
		cmocka_unit_test_setup_teardown(test_failed_lookups_are_counted, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

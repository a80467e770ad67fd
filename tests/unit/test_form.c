#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/compat.h"
#include "web/form.h"
#include "web/router.h"

static int parse(struct form *f, const char *body)
{
	form_init(f);
	return form_parse(f, body, strlen(body));
}

static void test_decodes_fields(void **state)
{
	struct form f;
	size_t len;

	(void)state;
	assert_int_equal(parse(&f, "narrative=I+saw%20a+man&country=US&empty=&&x=%E2%82%AC"), VG_OK);
	assert_int_equal(f.count, 4);
	assert_string_equal(form_get(&f, "narrative", &len), "I saw a man");
	assert_int_equal(len, 11);
	assert_string_equal(form_get(&f, "country", NULL), "US");
	assert_string_equal(form_get(&f, "empty", &len), "");
	assert_int_equal(len, 0);
	assert_string_equal(form_get(&f, "x", NULL), "€");
	assert_null(form_get(&f, "missing", NULL));
	form_release(&f);
}

static void test_crlf_folded(void **state)
{
	struct form f;

	(void)state;
	assert_int_equal(parse(&f, "t=one%0D%0Atwo%0D%0A"), VG_OK);
	assert_string_equal(form_get(&f, "t", NULL), "one\ntwo\n");
	form_release(&f);
}

static void test_rejects_malformed(void **state)
{
	struct form f;

	(void)state;
	assert_int_equal(parse(&f, "novalue"), VG_INVAL);
	assert_int_equal(parse(&f, "a=%zz"), VG_INVAL);
	assert_int_equal(parse(&f, "a=%4"), VG_INVAL);
	assert_int_equal(parse(&f, "a=100%"), VG_INVAL);
	assert_int_equal(parse(&f, "=value"), VG_INVAL);
	assert_int_equal(parse(&f, "a=1&a=2"), VG_INVAL);
	assert_string_equal(f.error_field, "a");
	form_release(&f);
}

/* A list's name may repeat; each value is kept, in order. */
static void test_lists_repeat(void **state)
{
	struct form f;

	(void)state;
	assert_int_equal(parse(&f, "m%5B%5D=a&x=1&m%5B%5D=b&m[]=c"), VG_OK);
	assert_int_equal(f.count, 4);
	assert_string_equal(f.fields[0].value, "a");
	assert_string_equal(f.fields[2].value, "b");
	assert_string_equal(f.fields[3].name, "m[]");
	assert_string_equal(f.fields[3].value, "c");
	form_release(&f);
	assert_int_equal(parse(&f, "m[=a&m[=b"), VG_INVAL);
	form_release(&f);
}

static void test_rejects_bad_text(void **state)
{
	struct form f;

	(void)state;
	assert_int_equal(parse(&f, "ok=1&narrative=%FF%FE"), VG_UTF8);
	assert_string_equal(f.error_field, "narrative");
	assert_int_equal(parse(&f, "narrative=a%00b"), VG_UTF8);
	assert_int_equal(parse(&f, "narrative=%1B%5B31m"), VG_UTF8);
	form_release(&f);
}

static void test_limits(void **state)
{
	struct form f;
	char body[2048] = "";
	size_t off = 0;
	int i;

	(void)state;
	for (i = 0; i < FORM_MAX_FIELDS; i++)
		off += (size_t)snprintf(body + off, sizeof(body) - off, "f%d=v&", i);
	assert_int_equal(parse(&f, body), VG_OK);
	assert_int_equal(f.count, FORM_MAX_FIELDS);
	form_release(&f);
	snprintf(body + off, sizeof(body) - off, "one=more");
	assert_int_equal(parse(&f, body), VG_TOOBIG);
	assert_int_equal(parse(&f, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=1"), VG_TOOBIG);
	form_release(&f);
}

static void test_router(void **state)
{
	static const struct route routes[] = {
		{HTTP_GET, "/", NULL, 0},
		{HTTP_GET, "/staff/tips/{}", NULL, 1},
		{HTTP_POST, "/staff/tips/{}/status", NULL, 2},
	};
	struct http_request req = {0};
	char param[ROUTER_PARAM_MAX];
	const struct route *r;

	(void)state;
	req.method = HTTP_GET;
	req.path = "/staff/tips/0123abcd";
	assert_int_equal(router_match(routes, 3, &req, param, &r), VG_OK);
	assert_int_equal(r->flags, 1);
	assert_string_equal(req.param, "0123abcd");
	req.method = HTTP_HEAD;
	req.path = "/";
	assert_int_equal(router_match(routes, 3, &req, param, &r), VG_OK);
	assert_null(req.param);
	req.method = HTTP_GET;
	req.path = "/staff/tips/x/status";
	assert_int_equal(router_match(routes, 3, &req, param, &r), VG_FORBIDDEN);
	req.path = "/staff/tips/";
	assert_int_equal(router_match(routes, 3, &req, param, &r), VG_NOTFOUND);
	req.path = "/staff/tips/a/b";
	assert_int_equal(router_match(routes, 3, &req, param, &r), VG_NOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decodes_fields),
		cmocka_unit_test(test_crlf_folded),
		cmocka_unit_test(test_rejects_malformed),
		cmocka_unit_test(test_rejects_bad_text),
		cmocka_unit_test(test_lists_repeat),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_router),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

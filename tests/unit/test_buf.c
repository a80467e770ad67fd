#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/compat.h"
#include "base/buf.h"

static void test_empty(void **state)
{
	struct buf b;
	char *p;
	size_t len = 99;

	(void)state;
	buf_init(&b, 16);
	assert_string_equal(buf_str(&b), "");
	assert_int_equal(b.len, 0);
	p = buf_detach(&b, &len);
	assert_non_null(p);
	assert_string_equal(p, "");
	assert_int_equal(len, 0);
	free(p);
}

static void test_append_within_limit(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 16);
	assert_int_equal(buf_adds(&b, "hello"), VG_OK);
	assert_int_equal(buf_addch(&b, ' '), VG_OK);
	assert_int_equal(buf_addf(&b, "%d-%s", 42, "x"), VG_OK);
	assert_string_equal(buf_str(&b), "hello 42-x");
	assert_int_equal(b.len, 10);
	buf_release(&b);
	assert_null(b.ptr);
	assert_int_equal(b.max, 16);
}

static void test_limit_is_exact(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(buf_adds(&b, "12345678"), VG_OK);
	assert_int_equal(buf_addch(&b, '9'), VG_TOOBIG);
	assert_string_equal(buf_str(&b), "12345678");
	buf_reset(&b);
	assert_string_equal(buf_str(&b), "");
	assert_int_equal(buf_addf(&b, "%s", "123456789"), VG_TOOBIG);
	assert_int_equal(b.len, 0);
	assert_int_equal(buf_add(&b, "abc", 3), VG_OK);
	assert_string_equal(buf_str(&b), "abc");
	buf_release(&b);
}

static void test_growth_keeps_content(void **state)
{
	struct buf b;
	int i;

	(void)state;
	buf_init(&b, 100000);
	for (i = 0; i < 10000; i++)
		assert_int_equal(buf_addch(&b, (char)('a' + i % 26)), VG_OK);
	assert_int_equal(b.len, 10000);
	for (i = 0; i < 10000; i++)
		assert_int_equal(b.ptr[i], 'a' + i % 26);
	assert_int_equal(b.ptr[10000], '\0');
	buf_release(&b);
}

static void test_status_table(void **state)
{
	(void)state;
	assert_string_equal(vg_strerror(VG_OK), "ok");
	assert_string_equal(vg_strerror(VG_TOOBIG), "input exceeds its limit");
	assert_string_equal(vg_status_name(VG_NOTFOUND), "NOTFOUND");
	assert_string_equal(vg_strerror(-1), "unknown status");
	assert_string_equal(vg_strerror(VG_STATUS_COUNT), "unknown status");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_append_within_limit),
		cmocka_unit_test(test_limit_is_exact),
		cmocka_unit_test(test_growth_keeps_content),
		cmocka_unit_test(test_status_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

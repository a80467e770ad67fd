#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/compat.h"
#include "base/text.h"
#include "base/config.h"

#include <unistd.h>

static int check(const char *s)
{
	return text_check(s, strlen(s), 64);
}

static void test_accepts_text(void **state)
{
	(void)state;
	assert_int_equal(check(""), VG_OK);
	assert_int_equal(check("plain ASCII"), VG_OK);
	assert_int_equal(check("línea uno\nlínea dos\ttab\r\n"), VG_OK);
	assert_int_equal(check("日本語 and emoji 😀"), VG_OK);
}

static void test_rejects_bad_utf8(void **state)
{
	(void)state;
	assert_int_equal(check("\xff"), VG_UTF8);
	assert_int_equal(check("ab\xc3"), VG_UTF8);           /* truncated */
	assert_int_equal(check("\xc0\xaf"), VG_UTF8);         /* overlong '/' */
	assert_int_equal(check("\xed\xa0\x80"), VG_UTF8);     /* surrogate */
	assert_int_equal(text_check("a\0b", 3, 64), VG_UTF8); /* NUL inside */
	assert_int_equal(check("bell\x07"), VG_UTF8);
	assert_int_equal(check("esc\x1b[31m"), VG_UTF8);
	assert_int_equal(check("c1 \xc2\x85"), VG_UTF8);      /* U+0085 */
}

static void test_limits(void **state)
{
	(void)state;
	assert_int_equal(text_check("12345", 5, 5), VG_OK);
	assert_int_equal(text_check("123456", 6, 5), VG_TOOBIG);
	assert_int_equal(text_check_line("one line", 8, 64), VG_OK);
	assert_int_equal(text_check_line("two\nlines", 9, 64), VG_UTF8);
	assert_true(text_is_alpha("US", 2));
	assert_false(text_is_alpha("U1", 2));
	assert_false(text_is_alpha("USA", 2));
}

static void test_config_defaults_and_file(void **state)
{
	char dir[] = "/tmp/vigil-text-XXXXXX";
	char path[128];
	struct config c;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(config_load(dir, &c), VG_OK);
	assert_string_equal(c.listen, "127.0.0.1:8080");
	assert_int_equal(c.idle_timeout, 1800);
	snprintf(path, sizeof(path), "%s/vigil.conf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("[server]\nlisten = 127.0.0.1:9\nidle_timeout = 120\n[storage]\ndatabase = x.db\n", f);
	fclose(f);
	assert_int_equal(config_load(dir, &c), VG_OK);
	assert_string_equal(c.listen, "127.0.0.1:9");
	assert_int_equal(c.idle_timeout, 120);
	assert_non_null(strstr(c.database, "/x.db"));
	f = fopen(path, "w");
	fputs("[server]\nidle_timeot = 120\n", f);
	fclose(f);
	assert_int_equal(config_load(dir, &c), VG_CONFIG);
	f = fopen(path, "w");
	fputs("[server]\nidle_timeout = 0\n", f);
	fclose(f);
	assert_int_equal(config_load(dir, &c), VG_CONFIG);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts_text),
		cmocka_unit_test(test_rejects_bad_utf8),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_config_defaults_and_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * The fast path of reading ads' JSON lines (app/ads_json.h): the shapes it
 * must take itself (or the speed is lost without a word), the lines it
 * must leave to jansson, and its promise, checked on every line here and
 * on a hundred thousand random mutations of them: whatever it accepts,
 * jansson (json_loadb with JSON_REJECT_DUPLICATES) accepts with the same
 * values.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/compat.h"
#include "app/ads_json.h"
#include "base/text.h"

#include <jansson.h>

enum { K_ID, K_TEXT, K_CITY, K_PHONES, K_N };

static const struct ads_json_key keys[K_N] = {
	{"id", ADS_JSON_ID}, {"text", ADS_JSON_TEXT}, {"city", ADS_JSON_TEXT},
	{"phones", ADS_JSON_LIST},
};

static int same(const struct ads_json_str *s, const char *v, size_t len)
{
	return s->len == len && !memcmp(s->s, v, len);
}

/*
 * Reads line[0..len) the fast way; when it is accepted, checks that
 * jansson accepts it with the same values. Returns whether it was.
 */
static int read_and_compare(const char *line, size_t len)
{
	char *copy = malloc(len + 1);
	struct ads_json r;
	json_t *o, *v, *item;
	size_t i, k;
	int ok;

	assert_non_null(copy);
	memcpy(copy, line, len);
	copy[len] = '\0';
	ok = ads_json_read(copy, len, keys, K_N, &r);
	if (!ok) {
		/* A line left to jansson is left as it was. */
		assert_memory_equal(copy, line, len);
		free(copy);
		return 0;
	}
	o = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
	assert_true(json_is_object(o));
	for (k = 0; k < K_N; k++) {
		v = json_object_get(o, keys[k].name);
		if (!r.val[k].s) {
			assert_true(!v || json_is_null(v));
			continue;
		}
		assert_non_null(v);
		if (keys[k].kind == ADS_JSON_LIST) {
			assert_true(json_is_array(v));
			assert_int_equal(json_array_size(v), r.n_items);
			json_array_foreach(v, i, item) {
				assert_true(json_is_string(item));
				assert_true(same(&r.item[i], json_string_value(item),
						 json_string_length(item)));
			}
		} else if (json_is_integer(v)) {
			char digits[32];

			assert_int_equal(keys[k].kind, ADS_JSON_ID);
			snprintf(digits, sizeof(digits), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
			assert_true(same(&r.val[k], digits, strlen(digits)));
		} else {
			assert_true(json_is_string(v));
			assert_true(same(&r.val[k], json_string_value(v), json_string_length(v)));
		}
	}
	json_decref(o);
	free(copy);
	return 1;
}

static int accepted(const char *line)
{
	return read_and_compare(line, strlen(line));
}

static const char *const taken[] = {
	"{\"id\":\"ad-1\",\"text\":\"hello there\",\"city\":\"Oakland\",\"phones\":[\"510-555-0142\"]}",
	" {\"id\": 3, \"text\": \"spaced\\tout\"}\r\n",
	"{\"id\":-12,\"text\":\"\"}",
	"{\"id\":\"x\",\"text\":\"quote \\\" slash \\\\ \\/ \\b\\f\\n\\r\\t\"}",
	"{\"id\":\"x\",\"text\":\"caf\\u00e9 \\u00E9 \\u4e2d \\ud83d\\ude00 caf\xc3\xa9\"}",
	"{\"id\":\"x\",\"text\":\"t\",\"city\":null,\"phones\":null}",
	"{\"id\":\"x\",\"text\":\"t\",\"phones\":[]}",
	"{\"id\":\"x\",\"text\":\"t\",\"phones\":[\"1\", \"2\" ,\"3\"]}",
	"{\"id\":\"ad0\",\"posted_at\":\"2026-05-13T00:32:14Z\",\"text\":\"t\",\"truth\":{\"template\":"
	"29358,\"network\":15809,\"subs\":3,\"background\":false,\"generic\":true,\"x\":null,"
	"\"f\":-1.25,\"z\":0,\"a\":[1,[2,{}],{\"b\":\"c\"}]}}",
	"{}",
	"{\"text\":\"no id: the caller says so\"}",
};

static const char *const left[] = {
	"",
	"   ",
	"[]",
	"\"a string\"",
	"{\"id\":\"x\",\"text\":\"t\"} trailing",
	"{\"id\":\"x\",\"text\":\"t\",}",
	"{\"id\":\"x\",\"id\":\"y\",\"text\":\"t\"}",
	"{\"id\":null,\"id\":\"y\",\"text\":\"t\"}",
	"{\"id\":\"x\",\"text\":\"t\",\"o\":{\"a\":1,\"a\":2}}",
	"{\"\\u0069d\":\"x\",\"text\":\"t\"}",
	"{\"id\":\"x\",\"text\":\"nul \\u0000 inside\"}",
	"{\"id\":\"x\",\"text\":\"lone \\ud83d surrogate\"}",
	"{\"id\":\"x\",\"text\":\"lone \\ude00 low half\"}",
	"{\"id\":\"x\",\"text\":\"bad escape \\x\"}",
	"{\"id\":\"x\",\"text\":\"short \\u12\"}",
	"{\"id\":\"x\",\"text\":\"control \x01 char\"}",
	"{\"id\":\"x\",\"text\":\"bad \xff utf-8\"}",
	"{\"id\":\"x\",\"text\":\"overlong \xc0\xaf\"}",
	"{\"id\":\"x\",\"text\":\"surrogate \xed\xa0\x80\"}",
	"{\"id\":\"x\",\"text\":\"cut \xe2\x82\"}",
	"{\"id\":-0,\"text\":\"t\"}",
	"{\"id\":1.5,\"text\":\"t\"}",
	"{\"id\":12345678901234567890,\"text\":\"t\"}",
	"{\"id\":\"x\",\"text\":\"t\",\"n\":1e999}",
	"{\"id\":\"x\",\"text\":\"t\",\"n\":01}",
	"{\"id\":\"x\",\"text\":\"t\",\"n\":-}",
	"{\"id\":\"x\",\"text\":\"t\",\"n\":1.}",
	"{\"id\":\"x\",\"text\":\"t\",\"n\":nul}",
	"{\"id\":\"x\",\"text\":\"t\",\"n\":truex}",
	"{\"id\":true,\"text\":\"t\"}",
	"{\"id\":\"x\",\"text\":5}",
	"{\"id\":\"x\",\"text\":\"t\",\"phones\":\"555-0100\"}",
	"{\"id\":\"x\",\"text\":\"t\",\"phones\":[1]}",
	"{\"id\":\"x\",\"text\":\"t\",\"phones\":[\"a\",]}",
	"{\"id\":\"x\",\"text\":\"t\",\"d\":[[[[[[[[[[1]]]]]]]]]]}",
	"{\"id\":\"x\",\"text\":\"unclosed}",
	"{\"id\":\"x\" \"text\":\"t\"}",
	"{\"id\" \"x\",\"text\":\"t\"}",
	"{'id':'x'}",
};

static void test_takes_common_shapes(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(taken); i++) {
		if (!accepted(taken[i]))
			fail_msg("left to jansson: %s", taken[i]);
	}
}

static void test_leaves_the_rest_to_jansson(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(left); i++) {
		if (accepted(left[i]))
			fail_msg("taken: %s", left[i]);
	}
}

static void test_values(void **state)
{
	char line[] = "{\"id\":\"a\\u00e9\",\"text\":\"x\\ny \\ud83d\\ude00\",\"phones\":[\"1\\/2\"]}";
	struct ads_json r;

	(void)state;
	assert_true(ads_json_read(line, strlen(line), keys, K_N, &r));
	assert_true(same(&r.val[K_ID], "a\xc3\xa9", 3));
	assert_true(same(&r.val[K_TEXT], "x\ny \xf0\x9f\x98\x80", 8));
	assert_null(r.val[K_CITY].s);
	assert_int_equal(r.n_items, 1);
	assert_true(same(&r.item[0], "1/2", 3));
}

static void test_too_many_keys_or_items(void **state)
{
	char line[4096];
	size_t len, i;

	(void)state;
	len = (size_t)snprintf(line, sizeof(line), "{\"id\":\"x\",\"text\":\"t\"");
	for (i = 0; i < ADS_JSON_KEYS; i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, ",\"k%zu\":%zu", i, i);
	snprintf(line + len, sizeof(line) - len, "}");
	assert_false(accepted(line));
	len = (size_t)snprintf(line, sizeof(line), "{\"id\":\"x\",\"text\":\"t\",\"phones\":[\"0\"");
	for (i = 1; i <= ADS_JSON_ITEMS; i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, ",\"%zu\"", i);
	snprintf(line + len, sizeof(line) - len, "]}");
	assert_false(accepted(line));
}

/* The bytes mutations draw from: JSON's own and a few that break UTF-8. */
static const char alphabet[] = "{}[]\":,\\/ \t\n-+.0129eEuUdDbBfntrlsa\x01\x7f\x80\xc3\xa9\xed\xff";

static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void test_mutations_agree_with_jansson(void **state)
{
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	size_t round, taken_count = 0;

	(void)state;
	for (round = 0; round < 100000; round++) {
		const char *base = taken[next_rand(&seed) % ARRAY_SIZE(taken)];
		char line[512];
		size_t len = strlen(base), m, edits = 1 + next_rand(&seed) % 3;

		memcpy(line, base, len);
		for (m = 0; m < edits; m++) {
			size_t at = len ? next_rand(&seed) % len : 0;
			char c = alphabet[next_rand(&seed) % (sizeof(alphabet) - 1)];

			switch (next_rand(&seed) % 3) {
			case 0: /* replace */
				if (len)
					line[at] = c;
				break;
			case 1: /* insert */
				if (len + 1 < sizeof(line)) {
					memmove(line + at + 1, line + at, len - at);
					line[at] = c;
					len++;
				}
				break;
			default: /* delete */
				if (len) {
					memmove(line + at, line + at + 1, len - at - 1);
					len--;
				}
				break;
			}
		}
		taken_count += (size_t)read_and_compare(line, len);
	}
	/* Most mutations break the line; some must still be taken, or this tests nothing. */
	assert_true(taken_count > 1000);
	print_message("# %zu of 100000 mutated lines taken by the fast path, all as jansson reads them\n",
		      taken_count);
}

/* A literal, NULs included, but not the one that ends it. */
#define PLAIN(lit, newlines) ads_json_plain(lit, sizeof(lit) - 1, newlines)

/* Whatever ads_json_plain() passes, text_check() (or text_check_line()) passes too. */
static void check_plain(const char *s, size_t len)
{
	if (ads_json_plain(s, len, 1))
		assert_int_equal(text_check(s, len, len), VG_OK);
	if (ads_json_plain(s, len, 0))
		assert_int_equal(text_check_line(s, len, len), VG_OK);
}

static void test_plain_text(void **state)
{
	static const char bytes[] = "aZ 9\t\n\r\x01\x1f\x7f\x80\x9f\xa0\xbf\xc0\xc1\xc2\xc3\xdf\xe0"
				    "\xe2\xed\xef\xf0\xf4\xf5\xff";
	uint64_t seed = 0x2545f4914f6cdd1dull;
	size_t round, passed = 0;

	(void)state;
	assert_true(PLAIN("plain words, 100% real", 0));
	assert_true(PLAIN("caf\xc3\xa9 \xd0\x85WEET \xf0\x9f\x98\x80\ttab", 0));
	assert_true(PLAIN("title\n\ntext\r\n", 1));
	assert_false(PLAIN("title\n\ntext", 0));
	assert_false(PLAIN("bell\x07", 1));
	assert_false(PLAIN("del\x7f", 1));
	assert_false(PLAIN("c1 \xc2\x85", 1));
	assert_false(PLAIN("overlong \xc0\xaf", 1));
	assert_false(PLAIN("surrogate \xed\xa0\x80", 1));
	assert_false(PLAIN("cut \xe2\x82", 1));
	assert_false(PLAIN("nul\0inside", 1));
	for (round = 0; round < 200000; round++) {
		char s[24];
		size_t len = next_rand(&seed) % sizeof(s), i;

		for (i = 0; i < len; i++)
			s[i] = bytes[next_rand(&seed) % (sizeof(bytes) - 1)];
		check_plain(s, len);
		passed += (size_t)ads_json_plain(s, len, 1);
	}
	assert_true(passed > 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_takes_common_shapes),
		cmocka_unit_test(test_leaves_the_rest_to_jansson),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_too_many_keys_or_items),
		cmocka_unit_test(test_mutations_agree_with_jansson),
		cmocka_unit_test(test_plain_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

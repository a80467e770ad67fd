#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <utf8proc.h>

#include "base/compat.h"
#include "screen/norm.h"

/* Normalises s (strlen bytes) into n and checks that it worked. */
static void norm_ok(struct norm *n, const char *s)
{
	assert_int_equal(norm_text(n, s, strlen(s)), VG_OK);
}

/* The original bytes that normalised bytes [a, b) came from. */
static void assert_source(const struct norm *n, const char *orig, size_t a, size_t b,
			  const char *want)
{
	size_t start, end;

	norm_span(n, a, b, &start, &end);
	assert_int_equal(end - start, strlen(want));
	assert_memory_equal(orig + start, want, strlen(want));
}

/* Every byte maps to a non-empty source, in order, inside the original. */
static void assert_map_sane(const struct norm *n, size_t orig_len)
{
	size_t i;

	for (i = 0; i < n->len; i++) {
		assert_true(n->from[i] < n->to[i]);
		assert_true(n->to[i] <= orig_len);
		if (i > 0) {
			assert_true(n->from[i] >= n->from[i - 1]);
			assert_true(n->to[i] >= n->to[i - 1]);
		}
	}
	assert_int_equal(strlen(n->text), n->len);
}

static void test_ascii_case_and_space(void **state)
{
	const char *s = "  Call ME\t\tnow,\r\nPLEASE  ";
	struct norm n;

	(void)state;
	norm_init(&n);
	norm_ok(&n, s);
	assert_string_equal(n.text, " call me now, please ");
	assert_map_sane(&n, strlen(s));
	/* The first space stands for both leading spaces, the tabs for both tabs. */
	assert_source(&n, s, 0, 1, "  ");
	assert_source(&n, s, 8, 9, "\t\t");
	assert_source(&n, s, 1, 5, "Call");
	assert_source(&n, s, 13, 14, "\r\n");
	assert_source(&n, s, 14, 20, "PLEASE");
	norm_release(&n);
}

static void test_ascii_long_text_maps_every_byte(void **state)
{
	const char *s = "ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghij 0123456789 "
			"!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
	struct norm n;
	size_t i;

	(void)state;
	norm_init(&n);
	norm_ok(&n, s);
	assert_string_equal(n.text, "abcdefghijklmnopqrstuvwxyz abcdefghij 0123456789 "
			    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");
	assert_int_equal(n.len, strlen(s));
	for (i = 0; i < n.len; i++) {
		assert_int_equal(n.from[i], i);
		assert_int_equal(n.to[i], i + 1);
	}
	norm_release(&n);
}

static void test_nul_and_controls_are_separators(void **state)
{
	const char s[] = "a\0\0b\x01" "c\x7f" "d";
	struct norm n;

	(void)state;
	norm_init(&n);
	assert_int_equal(norm_text(&n, s, sizeof(s) - 1), VG_OK);
	assert_int_equal(n.len, 7);
	assert_memory_equal(n.text, "a b c d", 7);
	assert_int_equal(n.from[1], 1);
	assert_int_equal(n.to[1], 3);
	norm_release(&n);
}

static void test_invalid_utf8(void **state)
{
	static const char *const bad[] = {
		"ok \xff", "truncated \xc3", "overlong \xc0\xaf", "surrogate \xed\xa0\x80",
		"\xe2\x82", "stray \x80 continuation",
	};
	struct norm n;
	size_t i;

	(void)state;
	norm_init(&n);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(norm_text(&n, bad[i], strlen(bad[i])), VG_UTF8);
		assert_int_equal(n.len, 0);
		assert_string_equal(n.text, "");
	}
	/* The struct is usable again after a failure. */
	norm_ok(&n, "Fine");
	assert_string_equal(n.text, "fine");
	norm_release(&n);
}

static void test_too_big(void **state)
{
	size_t len = NORM_MAX_INPUT + 1;
	char *big = malloc(len);
	struct norm n;

	(void)state;
	assert_non_null(big);
	memset(big, 'a', len);
	norm_init(&n);
	assert_int_equal(norm_text(&n, big, len), VG_TOOBIG);
	free(big);
	norm_release(&n);
}

static void test_empty(void **state)
{
	struct norm n;

	(void)state;
	norm_init(&n);
	assert_int_equal(norm_text(&n, "", 0), VG_OK);
	assert_int_equal(n.len, 0);
	assert_non_null(n.text);
	assert_string_equal(n.text, "");
	norm_release(&n);
	assert_null(n.text);
}

static void test_fullwidth_and_unicode_digits(void **state)
{
	/* Full-width "５１０", Arabic-Indic "١٢٣", Devanagari "४", dingbat "❺". */
	const char *s = "\xef\xbc\x95\xef\xbc\x91\xef\xbc\x90 \xd9\xa1\xd9\xa2\xd9\xa3 "
			"\xe0\xa5\xaa \xe2\x9d\xba";
	struct norm n;

	(void)state;
	norm_init(&n);
	norm_ok(&n, s);
	assert_string_equal(n.text, "510 123 4 5");
	assert_map_sane(&n, strlen(s));
	assert_source(&n, s, 0, 1, "\xef\xbc\x95");
	assert_source(&n, s, 0, 3, "\xef\xbc\x95\xef\xbc\x91\xef\xbc\x90");
	assert_source(&n, s, 4, 5, "\xd9\xa1");
	norm_release(&n);
}

static void test_accents_and_case(void **state)
{
	/* "AÑOS", "é" written as e + U+0301, "Straße", "ÉCOLE". */
	const char *s = "A\xc3\x91OS e\xcc\x81t\xc3\xa9 Stra\xc3\x9f" "e \xc3\x89" "COLE";
	struct norm n;

	(void)state;
	norm_init(&n);
	norm_ok(&n, s);
	assert_string_equal(n.text, "anos ete strasse ecole");
	assert_map_sane(&n, strlen(s));
	assert_source(&n, s, 1, 2, "\xc3\x91");
	/* The accent written apart belongs to its letter. */
	assert_source(&n, s, 5, 6, "e\xcc\x81");
	/* Both letters of "ss" come from the one "ß". */
	assert_source(&n, s, 13, 14, "\xc3\x9f");
	assert_source(&n, s, 14, 15, "\xc3\x9f");
	norm_release(&n);
}

/*
 * ASCII is folded sixteen, eight and one byte at a time depending on where
 * white space falls; all three must give what one byte at a time gives.
 * Random texts of letters, digits, punctuation, spaces, tabs, newlines,
 * NUL, controls and DEL, of every length up to 80, against a reference
 * written here: lower case, and each run of white space and controls one
 * space mapped to the whole run.
 */
static void test_ascii_fold_widths_agree(void **state)
{
	static const char alphabet[] = "aZq9. ,\t\n  \x01\x7f\0Hm-";
	uint32_t seed = 12345;
	struct norm n;

	(void)state;
	norm_init(&n);
	for (int round = 0; round < 4000; round++) {
		char in[80], want[80];
		uint32_t from[80], to[80];
		size_t len = (size_t)round % 81, w = 0;
		bool space = false;

		for (size_t i = 0; i < len; i++) {
			/* A run of one kind now and then, so that sixteen-byte blocks of letters occur. */
			seed = seed * 1103515245u + 12345u;
			in[i] = (seed >> 16) % 4 == 0 ? 'x' : alphabet[(seed >> 8) % (sizeof(alphabet) - 1)];
		}
		for (size_t i = 0; i < len; i++) {
			unsigned char c = (unsigned char)in[i];
			bool sp = c <= ' ' || c == 0x7f;

			if (sp && space) {
				to[w - 1] = (uint32_t)(i + 1);
				continue;
			}
			want[w] = sp ? ' ' : (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
			from[w] = (uint32_t)i;
			to[w] = (uint32_t)(i + 1);
			w++;
			space = sp;
		}
		assert_int_equal(norm_text(&n, in, len), VG_OK);
		assert_int_equal(n.len, w);
		assert_memory_equal(n.text, want, w);
		for (size_t i = 0; i < w; i++) {
			assert_int_equal(n.from[i], from[i]);
			assert_int_equal(n.to[i], to[i]);
		}
	}
	norm_release(&n);
}

/*
 * A Latin-1 letter next to ASCII is a cluster of its own, so the ASCII
 * byte before it takes the fast path; a mark after either still joins it.
 */
static void test_latin1_next_to_ascii_and_marks(void **state)
{
	/* "caño", "n" + U+0303 "o", "ñ" + U+0301 "x", "e" + U+0301 "é", "¡sí!" */
	const char *s = "ca\xc3\xb1o n\xcc\x83o \xc3\xb1\xcc\x81x e\xcc\x81\xc3\xa9 "
			"\xc2\xa1s\xc3\xad!";
	struct norm n;

	(void)state;
	norm_init(&n);
	norm_ok(&n, s);
	assert_string_equal(n.text, "cano no nx ee \xc2\xa1si!");
	assert_map_sane(&n, strlen(s));
	assert_source(&n, s, 1, 2, "a");
	assert_source(&n, s, 2, 3, "\xc3\xb1");
	assert_source(&n, s, 5, 6, "n\xcc\x83");
	assert_source(&n, s, 8, 9, "\xc3\xb1\xcc\x81");
	assert_source(&n, s, 9, 10, "x");
	assert_source(&n, s, 11, 12, "e\xcc\x81");
	assert_source(&n, s, 12, 13, "\xc3\xa9");
	assert_source(&n, s, 16, 17, "s");
	assert_source(&n, s, 17, 18, "\xc3\xad");
	norm_release(&n);
}

/*
 * The cache of characters seen before (norm.c: a character followed by
 * ASCII written as the cache says, and the ASCII byte before one written on
 * the fast path when the cache says no mark joins it) gives what the first
 * reading gave. Random texts of ASCII and of characters that are marks,
 * joiners, prefixes, emoji parts, spaces and letters, each at most once a
 * text, are read by a fresh struct norm (each character through utf8proc)
 * and by one that has seen every character before, alone and next to ASCII.
 */
static void test_cache_agrees_with_first_reading(void **state)
{
	static const char *const ascii[] = {
		"a", "Z", " ", "  ", "\t", "\r\n", ".", "x9", "\x7f", "word ", "e",
		"ABCDEFGHIJKLMNOPQRSTU ", "call me now please ok ",
	};
	static const char *const other[] = {
		"\xc3\xb1", "\xc3\xa9", "\xcc\x81", "\xcc\x83", "\xe2\x80\x8d",
		"\xf0\x9f\x93\x9e", "\xef\xb8\x8f", "\xd8\x80", "\xe2\x80\x8b", "\xc2\xa0",
		"\xd0\xb0", "\xef\xbc\x95", "\xe0\xa4\xbe", "\xf0\x9f\x87\xba",
		"\xf0\x9f\x87\xb8", "\xc2\xbf", "\xe2\x80\x93", "\xe2\x9d\xba", "\xd0\x9d",
	};
	static const char *const beside[] = { "", "a", " ", "\t" };
	struct norm warm, cold;
	uint32_t seed = 777;
	char buf[512];

	(void)state;
	norm_init(&warm);
	for (size_t k = 0; k < ARRAY_SIZE(other); k++) {
		for (size_t b = 0; b < ARRAY_SIZE(beside); b++) {
			for (size_t a = 0; a < ARRAY_SIZE(beside); a++) {
				snprintf(buf, sizeof(buf), "%s%s%s", beside[b], other[k], beside[a]);
				norm_ok(&warm, buf);
			}
		}
	}
	for (int round = 0; round < 3000; round++) {
		bool used[ARRAY_SIZE(other)] = { false };
		size_t len = 0, parts = (size_t)round % 24;

		for (size_t i = 0; i < parts; i++) {
			const char *t;
			size_t k;

			seed = seed * 1103515245u + 12345u;
			k = (seed >> 8) % ARRAY_SIZE(other);
			if ((seed >> 20) % 2 && !used[k]) {
				used[k] = true;
				t = other[k];
			} else {
				t = ascii[(seed >> 12) % ARRAY_SIZE(ascii)];
			}
			assert_true(len + strlen(t) < sizeof(buf));
			memcpy(buf + len, t, strlen(t));
			len += strlen(t);
		}
		norm_init(&cold);
		assert_int_equal(norm_text(&cold, buf, len), VG_OK);
		assert_int_equal(norm_text(&warm, buf, len), VG_OK);
		assert_int_equal(warm.len, cold.len);
		assert_memory_equal(warm.text, cold.text, cold.len + 1);
		if (cold.len) {
			assert_memory_equal(warm.from, cold.from, cold.len * sizeof(*cold.from));
			assert_memory_equal(warm.to, cold.to, cold.len * sizeof(*cold.to));
		}
		assert_map_sane(&warm, len);
		norm_release(&cold);
	}
	norm_release(&warm);
}

/*
 * A mark or prefix the cache has seen alone still joins the ASCII next to
 * it: "e" and U+0301 stay one cluster, and so do U+0600 (a prefix) and the
 * digit after it, however often they were seen before.
 */
static void test_cached_marks_still_join(void **state)
{
	const char *mark = "e\xcc\x81 cafe\xcc\x81";
	const char *prefix = "\xd8\x80" "1 x";
	struct norm n;

	(void)state;
	norm_init(&n);
	for (int i = 0; i < 3; i++) {
		norm_ok(&n, "\xcc\x81");
		norm_ok(&n, "\xd8\x80");
		norm_ok(&n, mark);
		assert_string_equal(n.text, "e cafe");
		assert_source(&n, mark, 0, 1, "e\xcc\x81");
		assert_source(&n, mark, 5, 6, "e\xcc\x81");
		assert_source(&n, mark, 2, 5, "caf");
		norm_ok(&n, prefix);
		assert_source(&n, prefix, n.len - 3, n.len - 2, "\xd8\x80" "1");
		assert_source(&n, prefix, n.len - 1, n.len, "x");
	}
	norm_release(&n);
}

static void test_cyrillic_lookalikes_in_latin_words(void **state)
{
	/* "Сall mе НОТ" with Cyrillic С, е, Н, О, Т. */
	const char *s = "\xd0\xa1" "all m\xd0\xb5 \xd0\x9d\xd0\x9e\xd0\xa2";
	struct norm n;

	(void)state;
	norm_init(&n);
	norm_ok(&n, s);
	assert_string_equal(n.text, "call me hot");
	assert_map_sane(&n, strlen(s));
	assert_source(&n, s, 0, 4, "\xd0\xa1" "all");
	assert_source(&n, s, 8, 11, "\xd0\x9d\xd0\x9e\xd0\xa2");
	norm_release(&n);
}

static void test_ascii_is_never_skeletoned(void **state)
{
	/*
	 * uspoof would read "m" as "rn", "0" as "O", "1" and "I" as "l": plain
	 * ASCII keeps its letters and digits, and so do the ASCII letters of a
	 * word with a Cyrillic "а" in it.
	 */
	const char *s = "rn m 0 1 l I | m\xd0\xb0ma";
	struct norm n;

	(void)state;
	norm_init(&n);
	norm_ok(&n, s);
	assert_string_equal(n.text, "rn m 0 1 l i | mama");
	norm_release(&n);
}

static void test_invisible_and_odd_spaces(void **state)
{
	/*
	 * A zero-width space and a soft hyphen inside a word, a no-break space
	 * and an ideographic space next to a plain one, an en dash.
	 */
	const char *s = "s\xe2\x80\x8b" "e\xc2\xad" "x a\xc2\xa0 \xe3\x80\x80" "b 510\xe2\x80\x93" "555";
	struct norm n;

	(void)state;
	norm_init(&n);
	norm_ok(&n, s);
	assert_string_equal(n.text, "sex a b 510-555");
	assert_map_sane(&n, strlen(s));
	assert_source(&n, s, 5, 6, "\xc2\xa0 \xe3\x80\x80");
	assert_source(&n, s, 11, 12, "\xe2\x80\x93");
	norm_release(&n);
}

static void test_emoji_and_other_scripts_kept(void **state)
{
	const char *s = "hi \xf0\x9f\x98\x80 \xed\x95\x9c\xea\xb5\xad";
	struct norm n;

	(void)state;
	norm_init(&n);
	norm_ok(&n, s);
	assert_string_equal(n.text, s);
	assert_map_sane(&n, strlen(s));
	assert_source(&n, s, 3, 7, "\xf0\x9f\x98\x80");
	norm_release(&n);
}

static void test_reuse_between_calls(void **state)
{
	struct norm n;
	size_t cap;

	(void)state;
	norm_init(&n);
	norm_ok(&n, "A much longer first text, so that the storage grows to hold it.");
	cap = n.cap;
	norm_ok(&n, "\xd0\xa1hort");
	assert_string_equal(n.text, "chort");
	assert_int_equal(n.cap, cap);
	assert_int_equal(n.from[1], 2);
	norm_ok(&n, "\xd0\xa1hort");
	assert_string_equal(n.text, "chort");
	norm_release(&n);
}

static void test_long_inputs_are_linear(void **state)
{
	size_t len = 1u << 20, i;
	char *s = malloc(len);
	struct norm n;

	(void)state;
	assert_non_null(s);
	norm_init(&n);
	/* 1 MB of digits. */
	memset(s, '7', len);
	assert_int_equal(norm_text(&n, s, len), VG_OK);
	assert_int_equal(n.len, len);
	assert_int_equal(n.from[len - 1], len - 1);
	/* 512 K Cyrillic letters (1 MB): the slow path, one code point at a time. */
	for (i = 0; i + 1 < len; i += 2) {
		s[i] = '\xd0';
		s[i + 1] = (char)(i % 6 ? '\xb0' : '\xb5');
	}
	assert_int_equal(norm_text(&n, s, len), VG_OK);
	assert_int_equal(n.len, len / 2);
	assert_int_equal(n.to[n.len - 1], len);
	/* One letter with 100 000 combining marks, then a word. */
	s[0] = 'a';
	for (i = 1; i + 1 < 200001; i += 2) {
		s[i] = '\xcc';
		s[i + 1] = '\x81';
	}
	memcpy(s + 200001, " ok", 3);
	assert_int_equal(norm_text(&n, s, 200004), VG_OK);
	assert_string_equal(n.text, "a ok");
	free(s);
	norm_release(&n);
}

static void test_expansion_is_bounded(void **state)
{
	/* U+FDFA is 3 bytes and becomes 33: a text of it would take 11 times its size. */
	size_t count = 5000, i;
	char *s = malloc(count * 3);
	struct norm n;

	(void)state;
	assert_non_null(s);
	for (i = 0; i < count; i++)
		memcpy(s + 3 * i, "\xef\xb7\xba", 3);
	norm_init(&n);
	assert_int_equal(norm_text(&n, s, count * 3), VG_TOOBIG);
	assert_int_equal(n.len, 0);
	/* A few of them in ordinary text are fine. */
	assert_int_equal(norm_text(&n, s, 9), VG_OK);
	assert_true(n.len > 9);
	free(s);
	norm_release(&n);
}

/*
 * The way back (an offset pair for every normalised byte), made without
 * norm.c: the text is cut into grapheme clusters as norm.c
 * cuts it (utf8proc's rules with a fresh state at each cluster, at most 16
 * code points), each cluster is normalised on its own by one, and every
 * byte a cluster gives maps to the whole cluster, but for a space that
 * follows a space, which widens that space instead. Fills text, from and
 * to (room for 4 * len + 64 bytes) and returns the length.
 */
static size_t dense_reference(struct norm *one, const char *in, size_t len, char *text,
			      uint32_t *from, uint32_t *to)
{
	const utf8proc_uint8_t *u = (const utf8proc_uint8_t *)in;
	size_t i = 0, w = 0;

	while (i < len) {
		utf8proc_int32_t prev, next, st = 0;
		utf8proc_ssize_t k = utf8proc_iterate(u + i, (utf8proc_ssize_t)(len - i), &prev);
		size_t end = i, count = 0;

		assert_true(k > 0);
		end += (size_t)k;
		count++;
		while (end < len && count < 16) {
			k = utf8proc_iterate(u + end, (utf8proc_ssize_t)(len - end), &next);
			assert_true(k > 0);
			if (utf8proc_grapheme_break_stateful(prev, next, &st))
				break;
			prev = next;
			end += (size_t)k;
			count++;
		}
		assert_int_equal(norm_text(one, in + i, end - i), VG_OK);
		for (size_t j = 0; j < one->len; j++) {
			if (one->text[j] == ' ' && w && text[w - 1] == ' ') {
				to[w - 1] = (uint32_t)end;
				continue;
			}
			text[w] = one->text[j];
			from[w] = (uint32_t)i;
			to[w] = (uint32_t)end;
			w++;
		}
		i = end;
	}
	return w;
}

/*
 * norm.c's offsets and norm_span() give, for every byte and every span,
 * what reading cluster by cluster gives: random texts of plain ASCII and
 * of the pieces that are not mapped byte for byte (runs of white space to
 * merge, invisible characters to drop, characters that become several
 * bytes or none, look-alike letters and digits, marks and long runs of
 * them, a space that comes out of a compatibility form), from a few bytes
 * to 2 KB, read by one struct norm whose cache warms as it goes. Spelled-out digits are not
 * normalisation's (the extractors read them), so they are plain ASCII here.
 */
static void test_map_agrees_with_clusters(void **state)
{
	static const char *const pieces[] = {
		"a", "Call", "me at five ", "0", " ", "  ", "\t\n", "\r\n", "\x7f", ".",
		"\xe2\x80\x8b",                 /* zero-width space: nothing */
		"\xc2\xad", "\xef\xbb\xbf",     /* soft hyphen, BOM: nothing */
		"\xe2\x80\x8d",                 /* joiner: joins the cluster before */
		"\xc2\xa0", "\xe3\x80\x80",     /* no-break and ideographic spaces */
		"\xc3\xa9", "e\xcc\x81",         /* "é" written both ways */
		"\xcc\x81\xcc\x81\xcc\x81\xcc\x81\xcc\x81\xcc\x81\xcc\x81\xcc\x81"
		"\xcc\x81\xcc\x81\xcc\x81\xcc\x81\xcc\x81\xcc\x81\xcc\x81\xcc\x81\xcc\x81",
		"\xef\xac\x81",                 /* "ﬁ": two bytes */
		"\xef\xb7\xba",                 /* U+FDFA: 33 bytes */
		"\xc2\xbd",                     /* "½": "1/2" */
		"\xc2\xa8",                     /* diaeresis: a space and a mark */
		"\xd0\xb0", "\xd0\x9d",         /* Cyrillic а, Н */
		"\xef\xbc\xa6", "\xef\xbc\x95", /* full-width F, 5 */
		"\xe2\x9d\xba", "\xd9\xa3",     /* ❺, Arabic-Indic 3 */
		"\xf0\x9f\x93\x9e", "\xf0\x9f\x87\xba\xf0\x9f\x87\xb8", "\xef\xb8\x8f",
		"\xd8\x80", "\xe0\xa4\xbe", "\xed\x95\x9c",
		"five", "seven two", "zero",
	};
	static char in[2048], text[4 * 2048 + 64], want[4 * 2048 + 64];
	static uint32_t from[4 * 2048 + 64], to[4 * 2048 + 64];
	struct norm n, one;
	uint32_t seed = 4242;

	(void)state;
	norm_init(&n);
	norm_init(&one);
	for (int round = 0; round < 3000; round++) {
		size_t len = 0, parts = (size_t)round % 150, w;
		/* Some texts are plain but for a few pieces, some made of nothing else. */
		unsigned odd = 1 + (unsigned)round % 4;

		for (size_t p = 0; p < parts; p++) {
			const char *t;

			seed = seed * 1103515245u + 12345u;
			t = (seed >> 24) % 4 < odd ? pieces[(seed >> 8) % ARRAY_SIZE(pieces)] :
						     pieces[(seed >> 8) % 4];
			if (len + strlen(t) >= sizeof(in))
				break;
			memcpy(in + len, t, strlen(t));
			len += strlen(t);
		}
		w = dense_reference(&one, in, len, want, from, to);
		assert_int_equal(norm_text(&n, in, len), VG_OK);
		assert_int_equal(n.len, w);
		memcpy(text, n.text, w);
		assert_memory_equal(text, want, w);
		for (size_t i = 0; i < w; i++) {
			size_t start, end;

			assert_int_equal(n.from[i], from[i]);
			assert_int_equal(n.to[i], to[i]);
			norm_span(&n, i, i + 1, &start, &end);
			assert_int_equal(start, from[i]);
			assert_int_equal(end, to[i]);
		}
		for (int k = 0; w && k < 200; k++) {
			size_t a, b, start, end;

			seed = seed * 1103515245u + 12345u;
			a = (seed >> 8) % w;
			b = a + 1 + (seed >> 4) % (k % 2 ? 8 : w - a);
			if (b > w)
				b = w;
			norm_span(&n, a, b, &start, &end);
			assert_int_equal(start, from[a]);
			assert_int_equal(end, to[b - 1]);
		}
	}
	norm_release(&one);
	norm_release(&n);
}

/*
 * A text with something to map at nearly every byte (a merged space, an
 * accent, an invisible character, over and over): every span of a few
 * bytes and the whole text map as reading cluster by cluster says.
 */
static void test_map_odd_everywhere(void **state)
{
	static const char unit[] = "  \xc3\xa9\xe2\x80\x8b" "a\t\t\xef\xac\x81";
	static char in[64 * 1024];
	static char want[4 * sizeof(in) + 64];
	static uint32_t from[4 * sizeof(in) + 64], to[4 * sizeof(in) + 64];
	size_t len = 0, w;
	struct norm n, one;

	(void)state;
	while (len + sizeof(unit) - 1 <= sizeof(in)) {
		memcpy(in + len, unit, sizeof(unit) - 1);
		len += sizeof(unit) - 1;
	}
	norm_init(&n);
	norm_init(&one);
	w = dense_reference(&one, in, len, want, from, to);
	assert_int_equal(norm_text(&n, in, len), VG_OK);
	assert_int_equal(n.len, w);
	assert_memory_equal(n.text, want, w);
	for (size_t a = 0; a < w; a++) {
		for (size_t b = a + 1; b <= w && b <= a + 9; b++) {
			size_t start, end;

			norm_span(&n, a, b, &start, &end);
			assert_int_equal(start, from[a]);
			assert_int_equal(end, to[b - 1]);
		}
	}
	assert_int_equal(n.to[w - 1], to[w - 1]);
	norm_release(&one);
	norm_release(&n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ascii_case_and_space),
		cmocka_unit_test(test_ascii_long_text_maps_every_byte),
		cmocka_unit_test(test_nul_and_controls_are_separators),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_fullwidth_and_unicode_digits),
		cmocka_unit_test(test_accents_and_case),
		cmocka_unit_test(test_ascii_fold_widths_agree),
		cmocka_unit_test(test_latin1_next_to_ascii_and_marks),
		cmocka_unit_test(test_cache_agrees_with_first_reading),
		cmocka_unit_test(test_cached_marks_still_join),
		cmocka_unit_test(test_cyrillic_lookalikes_in_latin_words),
		cmocka_unit_test(test_ascii_is_never_skeletoned),
		cmocka_unit_test(test_invisible_and_odd_spaces),
		cmocka_unit_test(test_emoji_and_other_scripts_kept),
		cmocka_unit_test(test_reuse_between_calls),
		cmocka_unit_test(test_long_inputs_are_linear),
		cmocka_unit_test(test_expansion_is_bounded),
		cmocka_unit_test(test_map_agrees_with_clusters),
		cmocka_unit_test(test_map_odd_everywhere),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

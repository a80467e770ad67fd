#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/compat.h"
#include "screen/byteclass.h"
#include "screen/entities.h"
#include "screen/numword.h"
#include "screen/phone.h"
#include "screen/phrase.h"

/*
 * Every phone number here is in the fictional 555-01xx range, the UK's
 * drama range (07700 900xxx, 020 7946 0xxx) or otherwise plainly made up.
 */

static struct entities ents;
static struct norm norm;

/* Normalises and extracts len bytes of s with the default country. */
static const struct entities *extract_n(const char *s, size_t len, const char *country)
{
	struct entity_options o;

	memset(&o, 0, sizeof(o));
	memcpy(o.default_country, country, strlen(country));
	assert_int_equal(norm_text(&norm, s, len), VG_OK);
	assert_int_equal(entities_extract(s, len, &norm, &o, &ents), VG_OK);
	return &ents;
}

static const struct entities *extract(const char *s, const char *country)
{
	return extract_n(s, strlen(s), country);
}

static size_t count(enum entity_kind kind)
{
	size_t i, c = 0;

	for (i = 0; i < ents.count; i++)
		c += ents.items[i].kind == kind;
	return c;
}

/* The entity of kind with value, or NULL. */
static const struct entity *find(enum entity_kind kind, const char *value)
{
	size_t i;

	for (i = 0; i < ents.count; i++)
		if (ents.items[i].kind == kind && !strcmp(ents.items[i].value, value))
			return &ents.items[i];
	return NULL;
}

/* There is an entity of kind with value, and its span in s is exactly quote[0..qlen). */
static const struct entity *expect_n(const char *s, enum entity_kind kind, const char *value,
				     const char *quote, size_t qlen)
{
	const struct entity *x = find(kind, value);

	if (!x)
		fail_msg("no entity %d \"%s\" in \"%s\"", kind, value, s);
	assert_int_equal(x->end - x->start, qlen);
	assert_memory_equal(s + x->start, quote, qlen);
	return x;
}

static const struct entity *expect(const char *s, enum entity_kind kind, const char *value,
				   const char *quote)
{
	return expect_n(s, kind, value, quote, strlen(quote));
}

static int setup(void **state)
{
	(void)state;
	norm_init(&norm);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	norm_release(&norm);
	return 0;
}

static void test_phone_nanp(void **state)
{
	static const struct {
		const char *text, *quote;
	} cases[] = {
		{ "Call (510) 555-0142 now", "(510) 555-0142" },
		{ "call me 510.555.0142.", "510.555.0142" },
		{ "tel:5105550142", "5105550142" },
		{ "+1 510 555 0142 anytime", "+1 510 555 0142" },
		{ "1-510-555-0142", "1-510-555-0142" },
		{ "5 1 0 / 5 5 5 / 0 1 4 2", "5 1 0 / 5 5 5 / 0 1 4 2" },
		{ "text 510*555*0142 or 510~555~0142", "510*555*0142" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		extract(cases[i].text, "US");
		expect(cases[i].text, ENTITY_PHONE, "+15105550142", cases[i].quote);
		assert_int_equal(count(ENTITY_PHONE), 1);
	}
	/* North American numbers are +1 whatever the default country. */
	extract("(510) 555-0142", "GB");
	assert_non_null(find(ENTITY_PHONE, "+15105550142"));
	extract("(510) 555-0142", "");
	assert_non_null(find(ENTITY_PHONE, "+15105550142"));
}

static void test_phone_obfuscated(void **state)
{
	/* Emoji between the digits. */
	const char *emoji = "5\xf0\x9f\x94\xa5" "10\xf0\x9f\x94\xa5" "555\xe2\x9c\xa8" "0142";
	/* Full-width digits, and Cyrillic "О" for a zero. */
	const char *wide = "\xef\xbc\x95\xef\xbc\x91\xef\xbc\x90 555 \xd0\x9e" "142";
	const char *s;

	(void)state;
	s = "Text (5l0) 555-O1Z3 for fun";
	extract(s, "US");
	expect(s, ENTITY_PHONE, "+15105550123", "(5l0) 555-O1Z3");
	s = "call 5IO.555.OI42";
	extract(s, "US");
	expect(s, ENTITY_PHONE, "+15105550142", "5IO.555.OI42");
	/* "s" and "b" only between digits: 5s5 is 555, 01b2 is 0182. */
	s = "5l0 5s5 01b2";
	extract(s, "US");
	expect(s, ENTITY_PHONE, "+15105550182", s);
	extract(emoji, "US");
	expect(emoji, ENTITY_PHONE, "+15105550142", emoji);
	extract(wide, "US");
	expect(wide, ENTITY_PHONE, "+15105550142", wide);
}

static void test_phone_spelled(void **state)
{
	const char *s;

	(void)state;
	s = "my number is five one zero five five five zero one four two ok";
	extract(s, "US");
	expect(s, ENTITY_PHONE, "+15105550142", "five one zero five five five zero one four two");
	s = "510 five five five 0123";
	extract(s, "US");
	expect(s, ENTITY_PHONE, "+15105550123", s);
	s = "FIVE-ONE-OH five five five oh one four two";
	extract(s, "US");
	expect(s, ENTITY_PHONE, "+15105550142", s);
	s = "llama al cinco uno cero cinco cinco cinco cero uno cuatro dos";
	extract(s, "MX");
	expect(s, ENTITY_PHONE, "+525105550142", "cinco uno cero cinco cinco cinco cero uno cuatro dos");
	/* Number words in an ordinary sentence are not a number. */
	extract("one or two of them, maybe three or four", "US");
	assert_int_equal(count(ENTITY_PHONE), 0);
}

static void test_phone_international(void **state)
{
	const char *s;

	(void)state;
	s = "UK +44 20 7946 0958 or 0044 20 7946 0959.";
	extract(s, "US");
	expect(s, ENTITY_PHONE, "+442079460958", "+44 20 7946 0958");
	expect(s, ENTITY_PHONE, "+442079460959", "0044 20 7946 0959");
	s = "+44 (0)7700 900123";
	extract(s, "US");
	expect(s, ENTITY_PHONE, "+447700900123", s);
	/* Default country: the trunk prefix goes, the calling code comes. */
	s = "ring 07700 900123 or 020 7946 0958";
	extract(s, "gb");
	expect(s, ENTITY_PHONE, "+447700900123", "07700 900123");
	expect(s, ENTITY_PHONE, "+442079460958", "020 7946 0958");
	/* In Mexico ten digits are a Mexican number. */
	s = "55 5555 0142";
	extract(s, "MX");
	expect(s, ENTITY_PHONE, "+525555550142", s);
	extract(s, "US");
	expect(s, ENTITY_PHONE, "+15555550142", s);
	/* A national number with no default country, or the wrong length, is not read. */
	extract("07700 900123", "");
	assert_int_equal(count(ENTITY_PHONE), 0);
	extract("07700 9001234", "GB");
	assert_int_equal(count(ENTITY_PHONE), 0);
	/* 16 digits after "+" is more than E.164 allows. */
	extract("+44 7700 9001 2345 678", "US");
	assert_int_equal(count(ENTITY_PHONE), 0);
}

static void test_phone_e164(void **state)
{
	char out[PHONE_E164_SIZE];

	(void)state;
	assert_int_equal(phone_e164("5105550142", 10, 0, "US", out), 1);
	assert_string_equal(out, "+15105550142");
	assert_int_equal(phone_e164("15105550142", 11, 0, "DE", out), 1);
	assert_string_equal(out, "+15105550142");
	/* Area codes and exchanges start with 2-9; N11 is a service code. */
	assert_int_equal(phone_e164("1235550142", 10, 0, "US", out), 0);
	assert_int_equal(phone_e164("5101550142", 10, 0, "US", out), 0);
	assert_int_equal(phone_e164("9115550142", 10, 0, "US", out), 0);
	/* "+" and "00": the calling code's length decides where the number starts. */
	assert_int_equal(phone_e164("4915555550142", 13, 1, "", out), 1);
	assert_string_equal(out, "+4915555550142");
	assert_int_equal(phone_e164("004915555550142", 15, 0, "", out), 1);
	assert_string_equal(out, "+4915555550142");
	assert_int_equal(phone_e164("5995550142", 10, 1, "", out), 1);
	assert_string_equal(out, "+5995550142");
	assert_int_equal(phone_e164("0995550142", 10, 1, "", out), 0);
	assert_int_equal(phone_e164("1555014", 7, 1, "", out), 0);
	/* Italian numbers keep their 0; Spanish ones have no trunk prefix. */
	assert_int_equal(phone_e164("065550142", 9, 0, "IT", out), 1);
	assert_string_equal(out, "+39065550142");
	assert_int_equal(phone_e164("655550142", 9, 0, "ES", out), 1);
	assert_string_equal(out, "+34655550142");
	assert_int_equal(phone_e164("0655550142", 10, 0, "ES", out), 0);
	/* Hungary's trunk prefix is 06, Lithuania's 8 (or 0). */
	assert_int_equal(phone_e164("0620555014", 10, 0, "HU", out), 1);
	assert_string_equal(out, "+3620555014");
	assert_int_equal(phone_e164("865550142", 9, 0, "LT", out), 1);
	assert_string_equal(out, "+37065550142");
	/* An unknown country reads only international and North American numbers. */
	assert_int_equal(phone_e164("0655550142", 10, 0, "ZZ", out), 0);
}

static void test_phone_negatives(void **state)
{
	static const char *const texts[] = {
		"on 2026-05-01 at 10:30", "born 05/01/2026", "2026.05.01",
		"only $300 or $5105550142", "3000 dollars", "she is 16 years old",
		"order 12345678901234567890 shipped", "room 12 floor 3",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(texts); i++) {
		extract(texts[i], "NO");
		if (count(ENTITY_PHONE))
			fail_msg("a phone number in \"%s\": %s", texts[i], ents.items[0].value);
	}
	/* A date next to a number does not swallow it. */
	extract("on 05/01/2026 510-555-0142", "US");
	assert_int_equal(count(ENTITY_PHONE), 1);
	assert_non_null(find(ENTITY_PHONE, "+15105550142"));
	extract("I am 25. 510 555 0142", "NO");
	assert_int_equal(count(ENTITY_PHONE), 1);
	assert_non_null(find(ENTITY_PHONE, "+15105550142"));
}

static void test_phone_two_numbers_and_dedupe(void **state)
{
	const char *s = "510-555-0142 / 510-555-0199, again (510) 555-0142 and 5 1 0 5 5 5 0 1 4 2";

	(void)state;
	extract(s, "US");
	assert_int_equal(count(ENTITY_PHONE), 2);
	expect(s, ENTITY_PHONE, "+15105550142", "510-555-0142");
	expect(s, ENTITY_PHONE, "+15105550199", "510-555-0199");
}

static void test_email(void **state)
{
	/* "jаne" with a Cyrillic "а". */
	const char *cyr = "mail j\xd0\xb0ne@Example.com";
	const char *s;

	(void)state;
	s = "write to Jane.Doe+ads@Example.co.uk. Thanks";
	extract(s, "US");
	expect(s, ENTITY_EMAIL, "jane.doe+ads@example.co.uk", "Jane.Doe+ads@Example.co.uk");
	s = "jane at example dot com";
	extract(s, "US");
	expect(s, ENTITY_EMAIL, "jane@example.com", s);
	s = "jane (at) example [dot] com";
	extract(s, "US");
	expect(s, ENTITY_EMAIL, "jane@example.com", s);
	s = "jane@example . com";
	extract(s, "US");
	expect(s, ENTITY_EMAIL, "jane@example.com", s);
	s = "escribe a juana arroba correo punto es";
	extract(s, "MX");
	expect(s, ENTITY_EMAIL, "juana@correo.es", "juana arroba correo punto es");
	extract(cyr, "US");
	expect(cyr, ENTITY_EMAIL, "jane@example.com", "j\xd0\xb0ne@Example.com");
	/* Spelled-out addresses need a known domain; "at" in English is not an address. */
	static const char *const not_email[] = {
		"look at this dot com", "meet at noon", "jane at home dot town",
		"find me at mysite.com", "name@localhost", "@@@@ x@ @y.com",
	};
	for (size_t i = 0; i < ARRAY_SIZE(not_email); i++) {
		extract(not_email[i], "US");
		if (count(ENTITY_EMAIL))
			fail_msg("an address in \"%s\": %s", not_email[i], ents.items[0].value);
	}
}

static void test_url(void **state)
{
	const char *s;

	(void)state;
	s = "see https://Example.com/Path?q=1, www.test.org and onlyfans.com/BellaX.";
	extract(s, "US");
	expect(s, ENTITY_URL, "https://example.com/Path?q=1", "https://Example.com/Path?q=1");
	expect(s, ENTITY_URL, "https://www.test.org", "www.test.org");
	expect(s, ENTITY_URL, "https://onlyfans.com/BellaX", "onlyfans.com/BellaX");
	s = "http://plain.example t.me/someone";
	extract(s, "US");
	expect(s, ENTITY_URL, "http://plain.example", "http://plain.example");
	expect(s, ENTITY_URL, "https://t.me/someone", "t.me/someone");
	/* Missing spaces after a full stop are not domains; an address's domain is not a URL. */
	extract("I was done.it was late.no", "US");
	assert_int_equal(count(ENTITY_URL), 0);
	extract("jane@example.com and jane at example.com", "US");
	assert_int_equal(count(ENTITY_URL), 0);
	assert_int_equal(count(ENTITY_EMAIL), 1);
}

static void test_handles(void **state)
{
	const char *s;

	(void)state;
	s = "IG: bella_22, snap: kitty.k, instagram bella2, insta @rosa.x and @candy_x.";
	extract(s, "US");
	expect(s, ENTITY_HANDLE, "instagram:bella_22", "IG: bella_22");
	expect(s, ENTITY_HANDLE, "snapchat:kitty.k", "snap: kitty.k");
	expect(s, ENTITY_HANDLE, "instagram:bella2", "instagram bella2");
	expect(s, ENTITY_HANDLE, "instagram:rosa.x", "insta @rosa.x");
	expect(s, ENTITY_HANDLE, "@candy_x", "@candy_x");
	assert_int_equal(count(ENTITY_HANDLE), 5);
	s = "telegram: @ana_555 kik - lola";
	extract(s, "US");
	expect(s, ENTITY_HANDLE, "telegram:ana_555", "telegram: @ana_555");
	expect(s, ENTITY_HANDLE, "kik:lola", "kik - lola");
	static const char *const none[] = {
		"my instagram account", "snap a photo", "jane@example.com", "@ home",
		"her tiktok is private",
	};
	for (size_t i = 0; i < ARRAY_SIZE(none); i++) {
		extract(none[i], "US");
		if (count(ENTITY_HANDLE))
			fail_msg("a handle in \"%s\": %s", none[i], ents.items[0].value);
	}
}

static void test_ages_stated(void **state)
{
	static const struct {
		const char *text, *quote;
		double age;
	} cases[] = {
		{ "she is 16 years old", "16 years old", 16 },
		{ "new girl 16yo", "16yo", 16 },
		{ "16 y/o, sweet", "16 y/o", 16 },
		{ "a 15-year-old girl", "15-year-old", 15 },
		{ "Age: 14", "Age: 14", 14 },
		{ "aged 17 at the time", "aged 17", 17 },
		{ "sixteen years old", "sixteen years old", 16 },
		{ "twenty-one years old", "twenty-one years old", 21 },
		{ "la trajeron a los 15 a\xc3\xb1os", "15 a\xc3\xb1os", 15 },
		{ "tiene 14 a\xc3\xb1os", "14 a\xc3\xb1os", 14 },
		{ "una chica de 15 a\xc3\xb1os", "15 a\xc3\xb1os", 15 },
		{ "mi ni\xc3\xb1" "a de 13 a\xc3\xb1itos", "13 a\xc3\xb1itos", 13 },
		{ "quince a\xc3\xb1os de edad", "quince a\xc3\xb1os de edad", 15 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct entity *x;
		size_t k;

		extract(cases[i].text, "US");
		assert_int_equal(count(ENTITY_AGE), 1);
		for (k = 0; ents.items[k].kind != ENTITY_AGE; k++)
			;
		x = &ents.items[k];
		assert_true(x->number == cases[i].age);
		assert_int_equal(x->is_cue, 0);
		assert_int_equal(x->end - x->start, strlen(cases[i].quote));
		assert_memory_equal(cases[i].text + x->start, cases[i].quote, strlen(cases[i].quote));
		assert_true(entities_min_age(&ents) == cases[i].age);
	}
}

static void test_ages_cues_and_negatives(void **state)
{
	static const char *const none[] = {
		"hace 15 a\xc3\xb1os", "m\xc3\xa1s de 15 a\xc3\xb1os trabajando", "she worked 16 years",
		"100 years old", "0 years old", "aged 100", "age 0", "a minor injury", "2.5 years old",
	};
	const struct entity *x;
	const char *s;
	size_t i;

	(void)state;
	s = "she looks about 14 and is in high school";
	extract(s, "US");
	x = expect(s, ENTITY_AGE, "looks about 14", "looks about 14");
	assert_int_equal(x->is_cue, 1);
	assert_true(x->number == 14);
	x = expect(s, ENTITY_AGE, "high school", "high school");
	assert_int_equal(x->is_cue, 1);
	assert_true(x->number == 17);
	assert_true(entities_min_age(&ents) == 14);
	s = "Es MENOR DE EDAD, va a la secundaria y luego a la prepa";
	extract(s, "MX");
	expect(s, ENTITY_AGE, "menor de edad", "MENOR DE EDAD");
	expect(s, ENTITY_AGE, "secundaria", "secundaria");
	expect(s, ENTITY_AGE, "prepa", "prepa");
	s = "the boss knows she is a minor; underage girls";
	extract(s, "US");
	expect(s, ENTITY_AGE, "a minor", "a minor");
	expect(s, ENTITY_AGE, "underage", "underage");
	for (i = 0; i < ARRAY_SIZE(none); i++) {
		extract(none[i], "US");
		if (count(ENTITY_AGE))
			fail_msg("an age in \"%s\": %s", none[i], ents.items[0].value);
		assert_true(entities_min_age(&ents) == -1);
	}
}

static void test_money(void **state)
{
	static const struct {
		const char *text, *value, *quote;
		double amount;
	} cases[] = {
		{ "rent is $3,000 a month", "USD 3000", "$3,000", 3000 },
		{ "paid 3000 dollars", "USD 3000", "3000 dollars", 3000 },
		{ "USD 3000 cash", "USD 3000", "USD 3000", 3000 },
		{ "\xe2\x82\xac" "500 per week", "EUR 500", "\xe2\x82\xac" "500", 500 },
		{ "500 euros", "EUR 500", "500 euros", 500 },
		{ "cobran 3.000 pesos", "MXN 3000", "3.000 pesos", 3000 },
		{ "$20k upfront", "USD 20000", "$20k", 20000 },
		{ "$3.50 coffee", "USD 3.5", "$3.50", 3.5 },
		{ "5 mil pesos", "MXN 5000", "5 mil pesos", 5000 },
		{ "\xc2\xa3" "200 a night", "GBP 200", "\xc2\xa3" "200", 200 },
		/* A currency after the amount, after a multiplier, at the end of the text. */
		{ "2 thousand dollars", "USD 2000", "2 thousand dollars", 2000 },
		{ "1.5 million euros", "EUR 1500000", "1.5 million euros", 1500000 },
		{ "5k usd", "USD 5000", "5k usd", 5000 },
		{ "3 k bucks", "USD 3000", "3 k bucks", 3000 },
		{ "4 millones pesos", "MXN 4000000", "4 millones pesos", 4000000 },
		{ "40\xe2\x82\xac", "EUR 40", "40\xe2\x82\xac", 40 },
		{ "3,500.25 libras", "GBP 3500.25", "3,500.25 libras", 3500.25 },
		{ "12.5 $", "USD 12.5", "12.5 $", 12.5 },
	};
	const struct entity *x;
	const char *s;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		extract(cases[i].text, "US");
		x = expect(cases[i].text, ENTITY_MONEY, cases[i].value, cases[i].quote);
		assert_true(x->number == cases[i].amount);
		assert_int_equal(x->is_debt, 0);
		assert_int_equal(count(ENTITY_MONEY), 1);
	}
	/* "$" is the dollar of the default country. */
	s = "$300 la noche";
	extract(s, "MX");
	expect(s, ENTITY_MONEY, "MXN 300", "$300");
	extract(s, "CA");
	expect(s, ENTITY_MONEY, "CAD 300", "$300");
	/* No currency, no money; nor a currency after a "." or "," inside the number. */
	extract("20k followers and 300 likes", "US");
	assert_int_equal(count(ENTITY_MONEY), 0);
	extract("1,2345 pesos, 7 t, 8 m, 9 k", "US");
	assert_int_equal(count(ENTITY_MONEY), 0);
}

static void test_money_debt(void **state)
{
	static const struct {
		const char *text, *country, *value;
	} debts[] = {
		{ "he says she owes $4,000 for the trip", "US", "debt USD 4000" },
		{ "$4,000 that she still owes", "US", "debt USD 4000" },
		{ "the debt is now 3000 dollars", "US", "debt USD 3000" },
		{ "ella debe 3.000 pesos", "MX", "debt MXN 3000" },
		{ "una deuda de 5 mil pesos", "MX", "debt MXN 5000" },
		{ "she has to pay back $1.5k", "US", "debt USD 1500" },
		{ "tiene que pagar 800 d\xc3\xb3lares", "MX", "debt USD 800" },
		{ "le cobran $800 de deuda", "MX", "debt MXN 800" },
	};
	const struct entity *x;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(debts); i++) {
		extract(debts[i].text, debts[i].country);
		x = find(ENTITY_MONEY, debts[i].value);
		if (!x)
			fail_msg("no \"%s\" in \"%s\"", debts[i].value, debts[i].text);
		assert_int_equal(x->is_debt, 1);
	}
	/* The word of debt is in another sentence, or too far away. */
	extract("It costs $40. She owes nothing.", "US");
	assert_non_null(find(ENTITY_MONEY, "USD 40"));
	extract("She owes me a favour and a long story about nothing at all, really; $40 a night",
		"US");
	assert_non_null(find(ENTITY_MONEY, "USD 40"));
}

static void test_spans_point_at_original(void **state)
{
	/* Upper case, NUL bytes and a full-width digit before the entities shift nothing. */
	const char s[] = "CALL\0NOW \xef\xbc\x91: (510)\0" "555-0142 OR JANE AT EXAMPLE DOT COM, "
			 "\xd0\x90GE 16";
	size_t i;

	(void)state;
	extract_n(s, sizeof(s) - 1, "US");
	expect_n(s, ENTITY_PHONE, "+15105550142", "(510)\0" "555-0142", 14);
	expect(s, ENTITY_EMAIL, "jane@example.com", "JANE AT EXAMPLE DOT COM");
	expect(s, ENTITY_AGE, "age 16", "\xd0\x90GE 16");
	for (i = 0; i < ents.count; i++)
		assert_true(ents.items[i].start < ents.items[i].end &&
			    ents.items[i].end <= sizeof(s) - 1);
}

static void test_caps(void **state)
{
	size_t len = 0, i, size = 200 * 64;
	char *s = malloc(size);

	(void)state;
	assert_non_null(s);
	for (i = 0; i < 200; i++)
		len += (size_t)snprintf(s + len, size - len,
					"u%zu@example.com (510) 555-01%02zu %zu years old ",
					i, i % 100, i % 99 + 1);
	extract_n(s, len, "US");
	assert_int_equal(count(ENTITY_EMAIL), ENTITIES_MAX);
	assert_int_equal(count(ENTITY_PHONE), ENTITIES_MAX);
	assert_int_equal(count(ENTITY_AGE), ENTITIES_MAX);
	assert_int_equal(ents.per_kind[ENTITY_EMAIL], ENTITIES_MAX);
	/* The first ones are kept, in order. */
	assert_non_null(find(ENTITY_EMAIL, "u0@example.com"));
	assert_null(find(ENTITY_EMAIL, "u64@example.com"));
	free(s);
}

/* len bytes of pattern repeated. */
static char *repeat(const char *pattern, size_t len)
{
	size_t n = strlen(pattern), i;
	char *s = malloc(len);

	assert_non_null(s);
	for (i = 0; i < len; i++)
		s[i] = pattern[i % n];
	return s;
}

static void test_hostile_inputs(void **state)
{
	static const struct {
		const char *pattern;
		size_t len;
		enum entity_kind kind;
		size_t max;
	} cases[] = {
		{ "7", 1u << 20, ENTITY_PHONE, 0 },
		{ "@", 1u << 20, ENTITY_HANDLE, 0 },
		{ "@", 1u << 20, ENTITY_EMAIL, 0 },
		{ "at ", 300000, ENTITY_EMAIL, 0 },
		{ "a.", 1u << 20, ENTITY_URL, 0 },
		{ "five ", 1u << 20, ENTITY_PHONE, 1 },
		{ "x at a dot ", 1u << 20, ENTITY_EMAIL, 0 },
		{ "1 2 3 4 5 6 7 8 9 ", 1u << 20, ENTITY_PHONE, ENTITIES_MAX },
		{ "$1 ", 900000, ENTITY_MONEY, 1 },
		{ "owes $1 ", 800000, ENTITY_MONEY, 1 },
		{ "16 years old ", 1u << 20, ENTITY_AGE, 1 },
		{ "(((((", 1u << 20, ENTITY_PHONE, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *s = repeat(cases[i].pattern, cases[i].len);

		extract_n(s, cases[i].len, "US");
		if (count(cases[i].kind) > cases[i].max)
			fail_msg("%zu entities from \"%s\" repeated", count(cases[i].kind),
				 cases[i].pattern);
		free(s);
	}
	/* A million digits then a real number: the number is still read. */
	{
		size_t len = (1u << 20) + 20;
		char *s = repeat("9", len);

		memcpy(s + len - 15, " 510-555-0142", 13);
		s[len - 2] = ' ';
		s[len - 1] = ' ';
		extract_n(s, len, "US");
		assert_non_null(find(ENTITY_PHONE, "+15105550142"));
		free(s);
	}
}

/*
 * A number with no unit after a person and a verb ("she is 15"), after
 * "turned" or "cumplió", after "tiene" (10 and over), or after "a girl of"
 * and "una niña de": an age only when the clause ends there or goes on
 * with "and", "when", "y", ... (after a birthday, a time may follow).
 */
static void test_ages_bare_numbers(void **state)
{
	static const struct {
		const char *text, *quote;
		double age;
	} cases[] = {
		{ "she is 15", "she is 15", 15 },
		{ "She is 15 and he has pictures of her", "She is 15", 15 },
		{ "He\xe2\x80\x99s 14.", "He\xe2\x80\x99s 14", 14 },
		{ "my daughter was 12 when he started", "daughter was 12", 12 },
		{ "I'm 16, please help", "I'm 16", 16 },
		{ "they're 15 or so", "they're 15", 15 },
		{ "the girls are 14 and 16", "girls are 14", 14 },
		{ "she is fifteen.", "she is fifteen", 15 },
		{ "she turned 16 last month", "turned 16", 16 },
		{ "Ella tiene 15 y trabaja", "tiene 15", 15 },
		{ "mi hija tiene 13.", "tiene 13", 13 },
		{ "cumpli\xc3\xb3 16 en marzo", "cumpli\xc3\xb3 16", 16 },
		{ "una ni\xc3\xb1" "a de 13, sola", "ni\xc3\xb1" "a de 13", 13 },
		{ "a girl of 14.", "girl of 14", 14 },
		{ "two 15 year olds", "15 year olds", 15 },
		{ "a 14 yr. old", "14 yr. old", 14 },
		{ "15-year-olds", "15-year-olds", 15 },
	};
	static const char *const none[] = {
		"he is 15 minutes away", "meet at 15:00", "room 15", "$15", "15 dollars", "15 miles",
		"she is $15", "the rent is 15.", "her quota is 15, every night", "he is one too",
		"tiene dos", "tiene 3.", "tiene 15 d\xc3\xb3lares", "tiene 15 en la cuenta",
		"turned 15 minutes later", "she is 15.5", "she is 15,000", "she was 15 minutes late",
		"he's 14 girls working for him", "is 15", "she is 15-16", "a los 15 d\xc3\xad" "as",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct entity *x = NULL;
		size_t k;

		extract(cases[i].text, "US");
		if (count(ENTITY_AGE) != 1)
			fail_msg("%zu ages in \"%s\"", count(ENTITY_AGE), cases[i].text);
		for (k = 0; k < ents.count; k++)
			if (ents.items[k].kind == ENTITY_AGE)
				x = &ents.items[k];
		assert_non_null(x);
		assert_true(x->number == cases[i].age);
		assert_int_equal(x->is_cue, 0);
		if (x->end - x->start != strlen(cases[i].quote) ||
		    memcmp(cases[i].text + x->start, cases[i].quote, strlen(cases[i].quote)))
			fail_msg("\"%s\": the age's span is \"%.*s\"", cases[i].text,
				 (int)(x->end - x->start), cases[i].text + x->start);
	}
	for (i = 0; i < ARRAY_SIZE(none); i++) {
		extract(none[i], "US");
		if (count(ENTITY_AGE))
			fail_msg("an age in \"%s\": %s", none[i], ents.items[0].value);
	}
}

/* "looked about 13" is a cue like "looks about 13"; repeated, one age is kept. */
static void test_ages_looked_and_repeated(void **state)
{
	const struct entity *x;
	const char *s = "a girl who looked about 13 got into a van";
	size_t len = 1u << 20;
	char *big;

	(void)state;
	extract(s, "US");
	x = expect(s, ENTITY_AGE, "looked about 13", "looked about 13");
	assert_int_equal(x->is_cue, 1);
	assert_true(x->number == 13);
	big = repeat("she is 15 and ", len);
	extract_n(big, len, "US");
	assert_int_equal(count(ENTITY_AGE), 1);
	assert_true(entities_min_age(&ents) == 15);
	free(big);
}

/* The entities of ents, spans moved back by off, as one comparable string. */
static void describe(char *out, size_t size, size_t off)
{
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; i < ents.count; i++) {
		const struct entity *x = &ents.items[i];
		int k = snprintf(out + n, size - n, "%d %s %g %d %d %zu %zu; ", (int)x->kind,
				 x->value, x->number, x->is_cue, x->is_debt, x->start - off,
				 x->end - off);

		assert_true(k > 0 && (size_t)k < size - n);
		n += (size_t)k;
	}
}

/*
 * The pass reads the text in blocks of 64 bytes and sifts the words of
 * each block before it stops at them: whatever the offset of a phrase from
 * the start of a block, the same entities are found, with the same spans.
 * Each phrase is put after filler of every length from 3 to 133 bytes (short
 * words, or one long word that crosses blocks) and compared with the
 * first.
 */
static void test_block_offsets(void **state)
{
	static const char *const phrases[] = {
		"Text (5l0) 555-O1Z3 for fun",
		"call 5l0 555 O1Z3 or 5IO.555.OI42 now",
		"five one zero five five five zero one four two",
		"cinco uno cero cinco cinco cinco cero uno cuatro dos",
		"+44 20 7946 0123 and 07700 900123",
		"she is 15 and he's 14. a girl of 13; tiene 16 anos",
		"sixteen years old, twenty-one yrs old, treinta y dos anos de edad",
		"looks about 14, in high school, a minor, menor de edad",
		"write maria at example dot com or ana.b@example.org today",
		"see www.example.com/x. or https://example.net/a?b=c and site.io",
		"ig: rosa_22, snap - lulu, @someone and instagram girl",
		"she owes $3,000 and 2k pesos; paid back 500 dollars. 40 euros",
		"owe owes debt deuda pagar pay back $20 arroba at to a o i y 16",
	};
	static const char *const fillers[] = { "xq ", "ab cd ", "qqqqqqqqqqqqqqqqqqq" };
	static char first[8192], now[8192];
	size_t p, f, shift;

	(void)state;
	for (p = 0; p < ARRAY_SIZE(phrases); p++) {
		for (f = 0; f < ARRAY_SIZE(fillers); f++) {
			for (shift = 3; shift <= 133; shift++) {
				size_t plen = strlen(phrases[p]), len = shift + 1 + plen;
				char *s = repeat(fillers[f], len);

				s[shift] = ' ';
				memcpy(s + shift + 1, phrases[p], plen);
				extract_n(s, len, "US");
				describe(shift == 3 ? first : now, sizeof(now), shift + 1);
				if (shift > 3 && strcmp(first, now))
					fail_msg("\"%s\" after %zu bytes of \"%s\":\n%s\nagainst\n%s",
						 phrases[p], shift, fillers[f], now, first);
				free(s);
			}
			if (!first[0])
				fail_msg("no entity in \"%s\"", phrases[p]);
		}
	}
}

/* Every word the number readers know, and words they must not take. */
static void test_number_words(void **state)
{
	static const char *const digits[] = {
		"zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight",
		"nine", "cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho",
		"nueve",
	};
	static const int digit_values[] = {
		0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
	};
	static const struct {
		const char *text;
		int value;
		size_t end;
	} numbers[] = {
		{ "one", 1, 3 }, { "nineteen", 19, 8 }, { "twenty", 20, 6 },
		{ "twenty-one", 21, 10 }, { "ninety nine", 99, 11 }, { "forty-", 40, 5 },
		{ "thirty ten", 30, 6 }, { "uno", 1, 3 }, { "quince", 15, 6 },
		{ "veintiun", 21, 8 }, { "veintinueve", 29, 11 }, { "treinta y dos", 32, 13 },
		{ "noventa y nueve", 99, 15 }, { "cincuenta y diez", 50, 9 }, { "diez", 10, 4 },
		{ "zero", -1, 0 }, { "oh", -1, 0 }, { "cero", -1, 0 }, { "un", -1, 0 },
		{ "una", -1, 0 }, { "fivee", -1, 0 }, { "five5", -1, 0 }, { "tens", -1, 0 },
		{ "twentyone", -1, 0 }, { "", -1, 0 },
	};
	size_t i, end;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(digits); i++)
		assert_int_equal(numword_digit(digits[i], strlen(digits[i])), digit_values[i]);
	assert_int_equal(numword_digit("ten", 3), -1);
	assert_int_equal(numword_digit("onee", 4), -1);
	assert_int_equal(numword_digit("on", 2), -1);
	assert_int_equal(numword_digit("x", 0), -1);
	for (i = 0; i < ARRAY_SIZE(numbers); i++) {
		const char *t = numbers[i].text;

		end = 12345;
		assert_int_equal(numword_parse(t, strlen(t), 0, &end), numbers[i].value);
		assert_int_equal(end, numbers[i].value < 0 ? 12345 : numbers[i].end);
	}
}

/* The classes of byteclass.h, a byte at a time. */
static void byteclass_plain(const unsigned char *s, struct byteclass *c)
{
	c->alpha = c->digit = c->sign = 0;
	for (unsigned j = 0; j < 64; j++) {
		unsigned b = s[j];

		c->alpha |= (uint64_t)(b >= 'a' && b <= 'z') << j;
		c->digit |= (uint64_t)(b >= '0' && b <= '9') << j;
		c->sign |= (uint64_t)((b && strchr(".!?;@+$", (int)b)) || b >= 0xc0) << j;
	}
}

static void expect_byteclass(const unsigned char *s)
{
	struct byteclass want, got;

	byteclass_plain(s, &want);
	byteclass_swar(s, &got);
	assert_memory_equal(&got, &want, sizeof(want));
#if defined(__SSE2__)
	byteclass_sse2(s, &got);
	assert_memory_equal(&got, &want, sizeof(want));
#endif
	byteclass_of(s, &got);
	assert_memory_equal(&got, &want, sizeof(want));
}

/*
 * swar_equal_after8() (swar.h, for the matcher's strings) against memcmp()
 * of the bytes after the first eight: every length from 9 to 40, equal and
 * with one byte changed at each place.
 */
static void test_swar_equal_after8(void **state)
{
	unsigned char a[48], b[48];

	(void)state;
	for (size_t i = 0; i < sizeof(a); i++)
		a[i] = (unsigned char)('a' + i % 26);
	for (size_t n = 9; n <= 40; n++) {
		memcpy(b, a, sizeof(b));
		assert_true(swar_equal_after8(a, b, n));
		for (size_t k = 8; k < n; k++) {
			b[k] ^= 0x20;
			assert_false(swar_equal_after8(a, b, n));
			b[k] ^= 0x20;
		}
		/* A byte past n does not count. */
		b[n] ^= 0x20;
		assert_true(swar_equal_after8(a, b, n));
	}
}

/* Every byte value at every place of a block, beside random bytes and the bounds. */
static void test_byteclass(void **state)
{
	static const unsigned char edges[] = {
		0, ' ', '!', '"', '#', '$', '%', '+', ',', '-', '.', '/', '0', '9', ':', ';', '<',
		'>', '?', '@', 'A', 'Z', '`', 'a', 'z', '{', 0x7f, 0x80, 0xbf, 0xc0, 0xff,
	};
	unsigned char block[64];
	uint32_t seed = 20261123;
	size_t v, j, r;

	(void)state;
	for (v = 0; v < 256; v++) {
		for (j = 0; j < 64; j++) {
			for (r = 0; r < 64; r++) {
				seed = seed * 1664525u + 1013904223u;
				block[r] = edges[(seed >> 24) % sizeof(edges)];
			}
			block[j] = (unsigned char)v;
			expect_byteclass(block);
			memset(block, (int)v, sizeof(block));
			expect_byteclass(block);
		}
	}
	for (r = 0; r < 20000; r++) {
		for (j = 0; j < 64; j++) {
			seed = seed * 1664525u + 1013904223u;
			block[j] = (unsigned char)(seed >> 24);
		}
		expect_byteclass(block);
	}
}

/*
 * The indexed lists give what a walk over the phrases with phrase_at()
 * and phrase_before() gives, at every place of texts made of the phrases'
 * pieces, up to their very end (the last eight bytes are read apart).
 */
static void test_phrase_lists(void **state)
{
	static const char *const phrases[] = {
		"years old", "year old", "yrs old", "yo", "y", "y/o", "years of age", "a los ",
		"de ", "de edad ", "i", "she", "he", "the minor", "a ", "owe", "owes", "pay back",
		"paying back", "x", "xyz-", "twelve bytes", "twelve byte", "-", "minor",
		"mas de ", "anos", "anos de edad", "high school", "hi", "h", "z z z z z z z z",
	};
	static const char *const pieces[] = {
		"years", "year", "yrs", "old", "of", "age", "yo", "y", "/o", "a", "los", "de",
		"edad", "i", "she", "he", "the", "minor", "owe", "owes", "pay", "back", "paying",
		"x", "xyz", "twelve", "bytes", "byte", "mas", "anos", "high", "school", "hi",
		"h", "z", "15", "-", "/", ".", "she's",
	};
	static const char *const seps[] = { " ", "", "-", ". ", "  " };
	struct phrase_list l;
	char t[160];
	uint32_t seed = 20261123;
	size_t r, i, k, len, want;
	const char *got_before, *want_before;

	(void)state;
	assert_int_equal(ARRAY_SIZE(phrases), PHRASE_LIST_MAX);
	phrase_list_init(&l, phrases, ARRAY_SIZE(phrases));
	for (r = 0; r < 4000; r++) {
		len = 0;
		while (len < 100) {
			const char *w, *sep;

			seed = seed * 1664525u + 1013904223u;
			w = pieces[(seed >> 16) % ARRAY_SIZE(pieces)];
			sep = seps[(seed >> 8) % ARRAY_SIZE(seps)];
			memcpy(t + len, w, strlen(w));
			len += strlen(w);
			memcpy(t + len, sep, strlen(sep));
			len += strlen(sep);
		}
		seed = seed * 1664525u + 1013904223u;
		len -= (seed >> 24) % 8;
		for (i = 0; i <= len; i++) {
			want = 0;
			for (k = 0; k < ARRAY_SIZE(phrases) && !want; k++)
				want = i < len ? phrase_at(t, len, i, phrases[k]) : 0;
			assert_int_equal(phrase_list_at(&l, t, len, i), want);
			want_before = NULL;
			for (k = 0; k < ARRAY_SIZE(phrases) && !want_before; k++)
				if (phrase_before(t, i, phrases[k]))
					want_before = phrases[k];
			got_before = phrase_list_before(&l, t, i);
			assert_ptr_equal(got_before, want_before);
		}
	}
}

/*
 * Runs of digits are read whole: at most fifteen make a group, more make
 * it too long to be a number or to join its neighbours, and letters that
 * stand for digits continue the run ("l" for 1, "o" for 0).
 */
static void test_phone_digit_runs(void **state)
{
	(void)state;
	extract("555012345678901", "");
	assert_int_equal(count(ENTITY_PHONE), 0);
	extract("5550123456789012", "");
	assert_int_equal(count(ENTITY_PHONE), 0);
	extract("call 212-555-0123 5550123456789012 212-555-0142", "");
	assert_int_equal(count(ENTITY_PHONE), 2);
	assert_non_null(find(ENTITY_PHONE, "+12125550123"));
	assert_non_null(find(ENTITY_PHONE, "+12125550142"));
	extract("21255501234567l", "");
	assert_int_equal(count(ENTITY_PHONE), 0);
	extract("212555012345678l", "");
	assert_int_equal(count(ENTITY_PHONE), 0);
	extract("212 555 0123 212 555 0142 2125550111", "");
	assert_int_equal(count(ENTITY_PHONE), 3);
	assert_non_null(find(ENTITY_PHONE, "+12125550111"));
	extract("l2125550123", "");
	assert_int_equal(count(ENTITY_PHONE), 1);
	assert_non_null(find(ENTITY_PHONE, "+12125550123"));
	extract("2125550123o", "");
	assert_int_equal(count(ENTITY_PHONE), 0);
	extract("212555012 3", "");
	assert_non_null(find(ENTITY_PHONE, "+12125550123"));
	extract("2125550123456 212 555 0199", "");
	assert_int_equal(count(ENTITY_PHONE), 1);
	assert_non_null(find(ENTITY_PHONE, "+12125550199"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phone_nanp),
		cmocka_unit_test(test_phone_obfuscated),
		cmocka_unit_test(test_phone_spelled),
		cmocka_unit_test(test_phone_international),
		cmocka_unit_test(test_phone_e164),
		cmocka_unit_test(test_phone_negatives),
		cmocka_unit_test(test_phone_two_numbers_and_dedupe),
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_handles),
		cmocka_unit_test(test_ages_stated),
		cmocka_unit_test(test_ages_cues_and_negatives),
		cmocka_unit_test(test_money),
		cmocka_unit_test(test_money_debt),
		cmocka_unit_test(test_spans_point_at_original),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_hostile_inputs),
		cmocka_unit_test(test_ages_bare_numbers),
		cmocka_unit_test(test_ages_looked_and_repeated),
		cmocka_unit_test(test_block_offsets),
		cmocka_unit_test(test_number_words),
		cmocka_unit_test(test_byteclass),
		cmocka_unit_test(test_swar_equal_after8),
		cmocka_unit_test(test_phrase_lists),
		cmocka_unit_test(test_phone_digit_runs),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

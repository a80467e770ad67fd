#include "base/compat.h"
#include "screen/numword.h"

struct word {
	const char *text;
	size_t len;
	int value;
};

#define W(text, value) { text, sizeof(text) - 1, value }

static const struct word digit_words[] = {
	W("zero", 0), W("oh", 0), W("one", 1), W("two", 2), W("three", 3),
	W("four", 4), W("five", 5), W("six", 6), W("seven", 7), W("eight", 8),
	W("nine", 9),
	W("cero", 0), W("uno", 1), W("dos", 2), W("tres", 3), W("cuatro", 4),
	W("cinco", 5), W("seis", 6), W("siete", 7), W("ocho", 8), W("nueve", 9),
};

/* Numbers that are one word, and the English tens that may take a unit. */
static const struct word en_units[] = {
	W("one", 1), W("two", 2), W("three", 3), W("four", 4), W("five", 5),
	W("six", 6), W("seven", 7), W("eight", 8), W("nine", 9), W("ten", 10),
	W("eleven", 11), W("twelve", 12), W("thirteen", 13), W("fourteen", 14),
	W("fifteen", 15), W("sixteen", 16), W("seventeen", 17), W("eighteen", 18),
	W("nineteen", 19),
};

static const struct word en_tens[] = {
	W("twenty", 20), W("thirty", 30), W("forty", 40), W("fifty", 50),
	W("sixty", 60), W("seventy", 70), W("eighty", 80), W("ninety", 90),
};

/* Spanish writes 1 to 29 as one word; "un" and "una" are left out: articles. */
static const struct word es_units[] = {
	W("uno", 1), W("dos", 2), W("tres", 3), W("cuatro", 4), W("cinco", 5),
	W("seis", 6), W("siete", 7), W("ocho", 8), W("nueve", 9), W("diez", 10),
	W("once", 11), W("doce", 12), W("trece", 13), W("catorce", 14),
	W("quince", 15), W("dieciseis", 16), W("diecisiete", 17),
	W("dieciocho", 18), W("diecinueve", 19), W("veinte", 20),
	W("veintiuno", 21), W("veintiun", 21), W("veintidos", 22),
	W("veintitres", 23), W("veinticuatro", 24), W("veinticinco", 25),
	W("veintiseis", 26), W("veintisiete", 27), W("veintiocho", 28),
	W("veintinueve", 29),
};

static const struct word es_tens[] = {
	W("treinta", 30), W("cuarenta", 40), W("cincuenta", 50),
	W("sesenta", 60), W("setenta", 70), W("ochenta", 80), W("noventa", 90),
};

static int lookup(const struct word *list, size_t count, const char *w, size_t len)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (list[i].len == len && list[i].text[0] == w[0] && !memcmp(list[i].text, w, len))
			return list[i].value;
	return -1;
}

static void add_words(struct wordset *w, const struct word *list, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		wordset_add(w, list[i].text);
}

void numword_add_digits(struct wordset *w)
{
	add_words(w, digit_words, ARRAY_SIZE(digit_words));
}

void numword_add_numbers(struct wordset *w)
{
	add_words(w, en_units, ARRAY_SIZE(en_units));
	add_words(w, en_tens, ARRAY_SIZE(en_tens));
	add_words(w, es_units, ARRAY_SIZE(es_units));
	add_words(w, es_tens, ARRAY_SIZE(es_tens));
}

int numword_digit(const char *w, size_t len)
{
	return lookup(digit_words, ARRAY_SIZE(digit_words), w, len);
}

static int is_alpha(char c)
{
	return c >= 'a' && c <= 'z';
}

/* The length of the word of lower-case letters at text[pos]. */
static size_t word_len(const char *text, size_t len, size_t pos)
{
	size_t e = pos;

	while (e < len && is_alpha(text[e]))
		e++;
	return e - pos;
}

/* A word ends where the next byte is not a letter or a digit. */
static int ends_word(const char *text, size_t len, size_t pos)
{
	return pos == len || !(is_alpha(text[pos]) || (text[pos] >= '0' && text[pos] <= '9'));
}

/*
 * Reads the unit (1 to 9: the first nine entries of units) after a tens
 * word; sep is the joiner ("-" or " " in English, " y " in Spanish).
 * Returns the unit and sets *end, or returns 0.
 */
static int unit_after(const char *text, size_t len, size_t pos, const char *sep,
		      const struct word *units, size_t *end)
{
	size_t s = strlen(sep), w;
	int v;

	if (len - pos < s || memcmp(text + pos, sep, s))
		return 0;
	pos += s;
	w = word_len(text, len, pos);
	if (!w || !ends_word(text, len, pos + w))
		return 0;
	v = lookup(units, 9, text + pos, w);
	if (v < 0)
		return 0;
	*end = pos + w;
	return v;
}

int numword_parse(const char *text, size_t len, size_t pos, size_t *end)
{
	size_t w = word_len(text, len, pos), e = pos + w;
	int v, u;

	if (!w || !ends_word(text, len, e))
		return -1;
	v = lookup(en_tens, ARRAY_SIZE(en_tens), text + pos, w);
	if (v > 0) {
		u = unit_after(text, len, e, "-", en_units, &e);
		if (!u)
			u = unit_after(text, len, e, " ", en_units, &e);
		*end = e;
		return v + u;
	}
	v = lookup(es_tens, ARRAY_SIZE(es_tens), text + pos, w);
	if (v > 0) {
		*end = e;
		return v + unit_after(text, len, e, " y ", es_units, end);
	}
	v = lookup(en_units, ARRAY_SIZE(en_units), text + pos, w);
	if (v < 0)
		v = lookup(es_units, ARRAY_SIZE(es_units), text + pos, w);
	if (v < 0)
		return -1;
	*end = e;
	return v;
}

#include "base/compat.h"
#include "screen/numword.h"

#include <pthread.h>

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

/* What a word is: a bit for each list it is in. */
enum {
	IN_DIGITS = 1, IN_EN_UNITS = 2, IN_EN_TENS = 4, IN_ES_UNITS = 8, IN_ES_TENS = 16,
};

/*
 * Every word of the lists above once, with the lists it is in; a word in
 * several ("one", "uno") has the same value in each. Found through an
 * open-addressing table of the word's hash: the words are looked up at
 * every number word of a text (the digits of phone numbers spelled out),
 * and walking the lists one after the other cost some 60 comparisons.
 */
#define TABLE_SLOTS 256
#define WORDS_MAX 128

struct entry {
	const char *text;
	size_t len;
	int value;
	unsigned lists;
};

struct table {
	struct entry words[WORDS_MAX];
	size_t count;
	uint8_t slots[TABLE_SLOTS]; /* an index into words plus one; 0 for none */
};

static pthread_once_t table_once = PTHREAD_ONCE_INIT;
static struct table table;

static unsigned hash(const char *w, size_t len)
{
	unsigned h = (unsigned)len * 131u + (unsigned char)w[0] * 31u + (unsigned char)w[len - 1];

	if (len > 1)
		h = h * 7u + (unsigned char)w[1];
	return h % TABLE_SLOTS;
}

/* The entry of the word w[0..len), or NULL. */
/*
 * The words are a few bytes long and most lookups find theirs: they are
 * compared in a loop rather than through a call to memcmp().
 */
static struct entry *find(struct table *t, const char *w, size_t len)
{
	for (unsigned h = hash(w, len);; h = (h + 1) % TABLE_SLOTS) {
		struct entry *e;
		size_t k;

		if (!t->slots[h])
			return NULL;
		e = &t->words[t->slots[h] - 1];
		if (e->len != len)
			continue;
		for (k = 0; k < len && e->text[k] == w[k]; k++)
			;
		if (k == len)
			return e;
	}
}

static void table_add(struct table *t, const struct word *list, size_t count, unsigned lists)
{
	for (size_t i = 0; i < count; i++) {
		struct entry *e = find(t, list[i].text, list[i].len);
		unsigned h;

		if (e) {
			assert(e->value == list[i].value);
			e->lists |= lists;
			continue;
		}
		assert(t->count < WORDS_MAX);
		e = &t->words[t->count++];
		e->text = list[i].text;
		e->len = list[i].len;
		e->value = list[i].value;
		e->lists = lists;
		for (h = hash(e->text, e->len); t->slots[h]; h = (h + 1) % TABLE_SLOTS)
			;
		t->slots[h] = (uint8_t)t->count;
	}
}

static void table_init(void)
{
	table_add(&table, digit_words, ARRAY_SIZE(digit_words), IN_DIGITS);
	table_add(&table, en_units, ARRAY_SIZE(en_units), IN_EN_UNITS);
	table_add(&table, en_tens, ARRAY_SIZE(en_tens), IN_EN_TENS);
	table_add(&table, es_units, ARRAY_SIZE(es_units), IN_ES_UNITS);
	table_add(&table, es_tens, ARRAY_SIZE(es_tens), IN_ES_TENS);
}

/* The entry of the word w[0..len), len > 0, or NULL. */
static const struct entry *word(const char *w, size_t len)
{
	pthread_once(&table_once, table_init);
	return find(&table, w, len);
}

/* The value of the word w[0..len), len > 0, when it is in one of lists, or -1. */
static int lookup(unsigned lists, const char *w, size_t len)
{
	const struct entry *e = word(w, len);

	return e && (e->lists & lists) ? e->value : -1;
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
	return len ? lookup(IN_DIGITS, w, len) : -1;
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
 * Reads the unit (1 to 9 of the list units) after a tens
 * word; sep is the joiner ("-" or " " in English, " y " in Spanish).
 * Returns the unit and sets *end, or returns 0.
 */
static int unit_after(const char *text, size_t len, size_t pos, const char *sep,
		      unsigned units, size_t *end)
{
	size_t s = strlen(sep), w;
	int v;

	if (len - pos < s || memcmp(text + pos, sep, s))
		return 0;
	pos += s;
	w = word_len(text, len, pos);
	if (!w || !ends_word(text, len, pos + w))
		return 0;
	v = lookup(units, text + pos, w);
	if (v < 1 || v > 9)
		return 0;
	*end = pos + w;
	return v;
}

int numword_parse(const char *text, size_t len, size_t pos, size_t *end)
{
	size_t w = word_len(text, len, pos), e = pos + w;
	const struct entry *n;
	int v, u;

	if (!w || !ends_word(text, len, e))
		return -1;
	n = word(text + pos, w);
	if (!n)
		return -1;
	if (n->lists & IN_EN_TENS) {
		u = unit_after(text, len, e, "-", IN_EN_UNITS, &e);
		if (!u)
			u = unit_after(text, len, e, " ", IN_EN_UNITS, &e);
		*end = e;
		return n->value + u;
	}
	if (n->lists & IN_ES_TENS) {
		*end = e;
		return n->value + unit_after(text, len, e, " y ", IN_ES_UNITS, end);
	}
	if (!(n->lists & (IN_EN_UNITS | IN_ES_UNITS)))
		return -1;
	v = n->value;
	*end = e;
	return v;
}

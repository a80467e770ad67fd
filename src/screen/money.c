#include "base/compat.h"
#include "screen/money.h"

#include "screen/phrase.h"

#define VALUE_SIZE sizeof(((struct entity *)0)->value)

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * c is one of the bytes of set (never NUL). The sets are a few bytes long,
 * shorter than what a call of strchr() costs.
 */
static int is_one_of(char c, const char *set)
{
	for (; *set; set++)
		if (*set == c)
			return 1;
	return 0;
}

struct currency {
	const char *text;
	const char *code;   /* NULL: the dollar of the default country */
};

/* Written before the amount: "$300", "USD 300", "€500". */
static const struct currency cur_before[] = {
	{ "us$", "USD" }, { "mx$", "MXN" }, { "$", NULL }, { "\xe2\x82\xac", "EUR" },
	{ "\xc2\xa3", "GBP" }, { "usd", "USD" }, { "eur", "EUR" }, { "mxn", "MXN" },
	{ "gbp", "GBP" }, { "cad", "CAD" }, { "aud", "AUD" }, { "nzd", "NZD" },
};

/* Written after it: "500€", "3000 dollars", "3.000 pesos". */
static const struct currency cur_after[] = {
	{ "$", NULL }, { "\xe2\x82\xac", "EUR" }, { "usd", "USD" }, { "eur", "EUR" },
	{ "mxn", "MXN" }, { "gbp", "GBP" }, { "cad", "CAD" }, { "aud", "AUD" },
	{ "nzd", "NZD" }, { "dollars", "" }, { "dollar", "" }, { "dolares", "" },
	{ "dolar", "" }, { "bucks", "" }, { "euros", "EUR" }, { "euro", "EUR" },
	{ "pesos", "MXN" }, { "peso", "MXN" }, { "libras", "GBP" },
};

/* "$" is the dollar of the default country; "dollars" ("") is USD unless that has its own. */
static const char *dollar(const char *country, bool sign)
{
	static const char *const own[][2] = {
		{ "CA", "CAD" }, { "AU", "AUD" }, { "NZ", "NZD" }, { "MX", "MXN" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(own); i++)
		if ((sign || i < 3) && (country[0] & ~0x20) == own[i][0][0] &&
		    (country[1] & ~0x20) == own[i][0][1])
			return own[i][1];
	return "USD";
}

static const char *currency_code(const struct currency *c, const char *country)
{
	if (!c->code)
		return dollar(country, true);
	if (!c->code[0])
		return dollar(country, false);
	return c->code;
}

/* A sign or code right before t[i] (one space allowed): its start, or SIZE_MAX. */
static size_t currency_before(const char *t, size_t i, const struct currency **cur)
{
	size_t k, p = i > 0 && t[i - 1] == ' ' ? i - 1 : i;

	/* Every sign and code ends in one of these bytes. */
	if (p == 0)
		return SIZE_MAX;
	switch (t[p - 1]) {
	case '$': case '\xac': case '\xa3': case 'd': case 'n': case 'r': case 'p':
		break;
	default:
		return SIZE_MAX;
	}
	for (k = 0; k < ARRAY_SIZE(cur_before); k++) {
		size_t n = strlen(cur_before[k].text);

		if (p < n || t[p - 1] != cur_before[k].text[n - 1] ||
		    memcmp(t + p - n, cur_before[k].text, n))
			continue;
		/* Letters must be a whole word: "fusd 30" is not dollars. */
		if (phrase_is_alnum(cur_before[k].text[0]) && p > n && phrase_is_alnum(t[p - n - 1]))
			continue;
		*cur = &cur_before[k];
		return p - n;
	}
	return SIZE_MAX;
}

/* The byte c may start a sign or word of cur_after. */
static bool currency_after_first(char c)
{
	switch (c) {
	case '$': case '\xe2': case 'a': case 'b': case 'c': case 'd': case 'e': case 'g':
	case 'l': case 'm': case 'n': case 'p': case 'u':
		return true;
	default:
		return false;
	}
}

static size_t currency_after(const char *t, size_t len, size_t e, const struct currency **cur)
{
	size_t k, p = e < len && t[e] == ' ' ? e + 1 : e, q, n;

	/* Every sign and word of cur_after starts with one of these bytes. */
	if (p >= len || !currency_after_first(t[p]))
		return 0;
	for (k = 0; k < ARRAY_SIZE(cur_after); k++) {
		const char *w = cur_after[k].text;

		if (p >= len || t[p] != w[0])
			continue;
		n = strlen(w);
		/* A sign before digits belongs to the next amount: "01 $300". */
		if (phrase_is_alnum(w[0]))
			q = phrase_at(t, len, p, w);
		else
			q = len - p >= n && !memcmp(t + p, w, n) &&
			    (p + n == len || !phrase_is_alnum(t[p + n])) ? p + n : 0;
		if (q) {
			*cur = &cur_after[k];
			return q;
		}
	}
	return 0;
}

/*
 * Whether a currency can follow the amount at t[i], for an amount with
 * none before it: most numbers (the groups of a phone number) have
 * nothing after them that one could start with, and are turned away
 * before they are read. parse_amount() reads only digits, "." and ","
 * and then a multiplier, so the amount ends inside the run of those at
 * t[i..q) or at q; inside it, a "." or "," stands where no multiplier
 * or currency starts. At q, after at most a space, the next byte must
 * start a multiplier ("k", " k", " mil", " thousand", " million") or a
 * currency (currency_after()).
 */
static bool currency_may_follow(const char *t, size_t len, size_t i)
{
	size_t q = i;

	while (q < len && (is_digit(t[q]) || t[q] == '.' || t[q] == ','))
		q++;
	if (q == len)
		return false;
	if (t[q] == 'k')
		return true;
	if (t[q] == ' ') {
		if (++q == len)
			return false;
		if (t[q] == 'k' || t[q] == 't' || t[q] == 'm')
			return true;
	}
	return currency_after_first(t[q]);
}

/* "k", " mil", " thousand", " million" at t[*e]: moves *e past it. */
static double multiplier(const char *t, size_t len, size_t *e)
{
	static const struct {
		const char *word;
		double factor;
	} words[] = {
		{ "k", 1e3 }, { " k", 1e3 }, { " mil", 1e3 }, { " thousand", 1e3 },
		{ " million", 1e6 }, { " millones", 1e6 }, { " millon", 1e6 },
	};
	size_t k, q;

	if (*e >= len || (t[*e] != 'k' && t[*e] != ' ') ||
	    (t[*e] == ' ' && !(*e + 1 < len && is_one_of(t[*e + 1], "ktm"))))
		return 1;
	for (k = 0; k < ARRAY_SIZE(words); k++) {
		q = phrase_at(t, len, *e, words[k].word);
		if (q) {
			*e = q;
			return words[k].factor;
		}
	}
	return 1;
}

/*
 * An amount at t[i]: "3000", "3,000", "3.000" (thousands), "3000.50",
 * "3,5", then "k", "mil", "thousand", "million". Sets *value and *end.
 */
static int parse_amount(const char *t, size_t len, size_t i, double *value, size_t *end)
{
	size_t e = i;
	double v = 0;
	int digits = 0;
	bool grouped;

	while (e < len && is_digit(t[e])) {
		v = v * 10 + (t[e++] - '0');
		digits++;
	}
	/* Thousands separators only follow a first group of 1 to 3 digits. */
	grouped = digits <= 3;
	while (grouped && e + 3 < len && (t[e] == ',' || t[e] == '.') &&
	       is_digit(t[e + 1]) && is_digit(t[e + 2]) && is_digit(t[e + 3]) &&
	       (e + 4 == len || !is_digit(t[e + 4]))) {
		v = v * 1000 + (t[e + 1] - '0') * 100 + (t[e + 2] - '0') * 10 + (t[e + 3] - '0');
		e += 4;
		digits += 3;
	}
	if (e + 1 < len && (t[e] == '.' || t[e] == ',') && is_digit(t[e + 1])) {
		if (e + 2 < len && is_digit(t[e + 2]) && (e + 3 >= len || !is_digit(t[e + 3]))) {
			v += (t[e + 1] - '0') / 10.0 + (t[e + 2] - '0') / 100.0;
			e += 3;
		} else if (e + 2 >= len || !is_digit(t[e + 2])) {
			v += (t[e + 1] - '0') / 10.0;
			e += 2;
		}
	}
	if (digits == 0 || digits > 12)
		return 0;
	*value = v * multiplier(t, len, &e);
	*end = e;
	return 1;
}

static const char *const debt_words[] = {
	"owe", "owes", "owed", "owing", "debt", "debts", "indebted", "repay", "repaid",
	"debe", "deben", "debo", "debia", "deuda", "deudas", "adeuda", "pagar",
	"pay back", "paying back", "paid back", "pay off", "paying off", "paid off",
};

void money_words_init(struct wordset *debt, struct phrase_list *phrases)
{
	wordset_init(debt);
	wordset_add_all(debt, debt_words, ARRAY_SIZE(debt_words));
	phrase_list_init(phrases, debt_words, ARRAY_SIZE(debt_words));
}

size_t money_debt_at(const struct phrase_list *phrases, const char *t, size_t len, size_t i)
{
	return phrase_list_at(phrases, t, len, i);
}

int money_read(const struct norm *n, const char *country, size_t i, struct money *m)
{
	const char *t = n->text;
	size_t len = n->len, a, b, e;
	const struct currency *cur = NULL;
	double v;

	assert(i < len && is_digit(t[i]));
	if (i > 0 && (phrase_is_alnum(t[i - 1]) || t[i - 1] == '.' || t[i - 1] == ','))
		return 0;
	a = currency_before(t, i, &cur);
	if ((a == SIZE_MAX && !currency_may_follow(t, len, i)) || !parse_amount(t, len, i, &v, &e))
		return 0;
	b = e;
	if (a == SIZE_MAX) {
		a = i;
		b = currency_after(t, len, e, &cur);
	}
	if (!cur || !b || v <= 0 || (b == e && e < len && phrase_is_alnum(t[e])))
		return 0;
	m->start = a;
	m->end = b;
	m->amount = v;
	m->currency = currency_code(cur, country);
	return 1;
}

/* Writes the amount as "%.15g" would, whole amounts without printf (the common case). */
static void format_amount(char *out, size_t size, double v)
{
	char digits[24];
	uint64_t u;
	size_t k = 0, i;

	if (v != (double)(uint64_t)v || v >= 1e15) {
		snprintf(out, size, "%.15g", v);
		return;
	}
	u = (uint64_t)v;
	do {
		digits[k++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	assert(k < size);
	for (i = 0; i < k; i++)
		out[i] = digits[k - 1 - i];
	out[k] = '\0';
}

void money_add(const struct norm *n, const struct money *m, int debt, struct entities *out)
{
	char value[VALUE_SIZE];
	struct entity *x;
	size_t start, end, len = 0, c = strlen(m->currency);

	/* "debt USD 3000": at most 5 + 3 + 1 + 24 bytes, well inside the value. */
	if (debt) {
		memcpy(value, "debt ", 5);
		len = 5;
	}
	memcpy(value + len, m->currency, c);
	len += c;
	value[len++] = ' ';
	format_amount(value + len, sizeof(value) - len, m->amount);
	norm_span(n, m->start, m->end, &start, &end);
	x = entities_add(out, ENTITY_MONEY, value, start, end);
	if (x) {
		x->number = m->amount;
		x->is_debt = debt;
	}
}

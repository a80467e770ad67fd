#include "base/compat.h"
#include "screen/phone.h"

#include <utf8proc.h>

#include "screen/numword.h"

/*
 * Calling codes are the ITU-T E.164 assignments ("List of ITU-T
 * Recommendation E.164 assigned country codes", ITU-T Operational Bulletin
 * annex); trunk prefixes and the lengths of national significant numbers
 * are those of each country's national numbering plan as notified to the
 * ITU. Only the countries the project covers are listed.
 */
struct phone_country {
	char iso[3];
	char cc[4];        /* calling code */
	char trunk[3];     /* dialled before national numbers; "" when none */
	char trunk2[2];    /* a second trunk prefix also in use, or "" */
	uint8_t min, max;  /* digits of the national significant number */
};

static const struct phone_country countries[] = {
	{ "US", "1", "1", "", 10, 10 },
	{ "CA", "1", "1", "", 10, 10 },
	/* Mexico dropped its trunk prefixes (01, 044, 045) in 2019. */
	{ "MX", "52", "", "", 10, 10 },
	{ "GB", "44", "0", "", 9, 10 },
	{ "IE", "353", "0", "", 7, 9 },
	{ "FR", "33", "0", "", 9, 9 },
	{ "DE", "49", "0", "", 6, 13 },
	{ "ES", "34", "", "", 9, 9 },
	/* Italian numbers keep their leading 0 after the calling code. */
	{ "IT", "39", "", "", 6, 11 },
	{ "PT", "351", "", "", 9, 9 },
	{ "NL", "31", "0", "", 9, 9 },
	{ "BE", "32", "0", "", 8, 9 },
	{ "AT", "43", "0", "", 6, 13 },
	{ "CH", "41", "0", "", 9, 9 },
	{ "SE", "46", "0", "", 7, 9 },
	{ "NO", "47", "", "", 8, 8 },
	{ "DK", "45", "", "", 8, 8 },
	{ "FI", "358", "0", "", 6, 12 },
	{ "PL", "48", "", "", 9, 9 },
	{ "CZ", "420", "", "", 9, 9 },
	{ "SK", "421", "0", "", 9, 9 },
	{ "HU", "36", "06", "", 8, 9 },
	{ "RO", "40", "0", "", 9, 9 },
	{ "BG", "359", "0", "", 8, 9 },
	{ "GR", "30", "", "", 10, 10 },
	{ "HR", "385", "0", "", 8, 9 },
	{ "SI", "386", "0", "", 8, 8 },
	/* Lithuania's trunk prefix has long been 8; 0 is read too, as it moves to it. */
	{ "LT", "370", "8", "0", 8, 8 },
	{ "LV", "371", "", "", 8, 8 },
	{ "EE", "372", "", "", 7, 8 },
	{ "LU", "352", "", "", 6, 11 },
	{ "MT", "356", "", "", 8, 8 },
	{ "CY", "357", "", "", 8, 8 },
	{ "AU", "61", "0", "", 9, 9 },
	{ "NZ", "64", "0", "", 8, 10 },
};

/*
 * The two-digit calling codes; 1 and 7 have one digit and every other
 * code three (E.164 assigns codes by zone so that no code is the prefix
 * of another).
 */
static const char cc2[][3] = {
	"20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43",
	"44", "45", "46", "47", "48", "49", "51", "52", "53", "54", "55", "56",
	"57", "58", "60", "61", "62", "63", "64", "65", "66", "81", "82", "84",
	"86", "90", "91", "92", "93", "94", "95", "98",
};

#define DIGITS_MAX PHONE_DIGITS_MAX
#define WINDOW_DIGITS PHONE_WINDOW_DIGITS
/* Fewer digits than this are never a number anyone could call back. */
#define DIGITS_MIN 7
/* Separator code points allowed between two groups of digits. */
#define GAP_MAX 4

static const struct phone_country *country_find(const char *iso)
{
	size_t i;

	if (!iso || strlen(iso) != 2)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(countries); i++)
		if ((iso[0] | 0x20) == (countries[i].iso[0] | 0x20) &&
		    (iso[1] | 0x20) == (countries[i].iso[1] | 0x20))
			return &countries[i];
	return NULL;
}

static const struct phone_country *country_by_cc(const char *cc, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(countries); i++)
		if (strlen(countries[i].cc) == len && !memcmp(countries[i].cc, cc, len))
			return &countries[i];
	return NULL;
}

static size_t cc_len(const char *d)
{
	size_t i;

	if (d[0] == '1' || d[0] == '7')
		return 1;
	for (i = 0; i < ARRAY_SIZE(cc2); i++)
		if (d[0] == cc2[i][0] && d[1] == cc2[i][1])
			return 2;
	return 3;
}

/*
 * A North American number: area code and exchange both start with 2-9,
 * and the area code is not a service code such as 911.
 */
static int nanp_valid(const char *d)
{
	return d[0] >= '2' && d[3] >= '2' && !(d[1] == '1' && d[2] == '1');
}

/* d[0..len) starts with the non-empty prefix. */
static int starts_with(const char *d, size_t len, const char *prefix)
{
	size_t i;

	for (i = 0; prefix[i]; i++)
		if (i == len || d[i] != prefix[i])
			return 0;
	return i > 0;
}

static int put_e164(char out[PHONE_E164_SIZE], const char *cc, size_t cc_n,
		    const char *nsn, size_t nsn_n)
{
	if (cc_n + nsn_n > DIGITS_MAX)
		return 0;
	out[0] = '+';
	memcpy(out + 1, cc, cc_n);
	memcpy(out + 1 + cc_n, nsn, nsn_n);
	out[1 + cc_n + nsn_n] = '\0';
	return 1;
}

/* Digits written after "+" or "00": calling code, then national number. */
static int international(const char *d, size_t len, char out[PHONE_E164_SIZE])
{
	const struct phone_country *c;
	size_t cl, nl;
	const char *nsn;

	if (len < 8 || len > DIGITS_MAX || d[0] == '0')
		return 0;
	cl = cc_len(d);
	nsn = d + cl;
	nl = len - cl;
	if (cl == 1 && d[0] == '1')
		return nl == 10 && nanp_valid(nsn) && put_e164(out, d, cl, nsn, nl);
	c = country_by_cc(d, cl);
	if (!c)
		return put_e164(out, d, cl, nsn, nl);
	/* "+44 (0)20 ..." repeats the trunk prefix after the calling code. */
	if (!strcmp(c->trunk, "0") && nsn[0] == '0') {
		nsn++;
		nl--;
	}
	if (nl < c->min || nl > c->max)
		return 0;
	return put_e164(out, d, cl, nsn, nl);
}

/* phone_e164() for the default country c (NULL for none). */
static int to_e164(const char *digits, size_t len, int plus, const struct phone_country *c,
		   char out[PHONE_E164_SIZE])
{
	size_t t;

	if (len < DIGITS_MIN || len > WINDOW_DIGITS)
		return 0;
	if (plus)
		return international(digits, len, out);
	if (starts_with(digits, len, "00"))
		return international(digits + 2, len - 2, out);
	if (len == 10 && nanp_valid(digits) && !(c && !strcmp(c->iso, "MX")))
		return put_e164(out, "1", 1, digits, 10);
	if (len == 11 && digits[0] == '1' && nanp_valid(digits + 1))
		return put_e164(out, "1", 1, digits + 1, 10);
	if (!c || !strcmp(c->cc, "1"))
		return 0;
	if (starts_with(digits, len, c->trunk))
		t = strlen(c->trunk);
	else if (starts_with(digits, len, c->trunk2))
		t = strlen(c->trunk2);
	else if (!c->trunk[0])
		t = 0;
	else
		return 0;
	if (len - t < c->min || len - t > c->max || (t && digits[t] == '0'))
		return 0;
	return put_e164(out, c->cc, strlen(c->cc), digits + t, len - t);
}

int phone_e164(const char *digits, size_t len, int plus, const char *country,
	       char out[PHONE_E164_SIZE])
{
	return to_e164(digits, len, plus, country_find(country), out);
}

/* The number the digits of a group make (at most DIGITS_MAX of them, which a long holds). */
static long group_value(const struct phone_group *g)
{
	long v = 0;

	for (size_t k = 0; k < g->ndig; k++)
		v = v * 10 + (g->digits[k] - '0');
	return v;
}

/* is_date() once the groups' separators are known to be a date's. */
static int date_values(const struct phone_group *g)
{
	long a, b, c;

	a = group_value(&g[0]);
	b = group_value(&g[1]);
	c = group_value(&g[2]);
	if (g[0].ndig == 4 && g[1].ndig <= 2 && g[2].ndig <= 2)
		return a >= 1900 && a <= 2099 && b >= 1 && b <= 12 && c >= 1 && c <= 31;
	if (g[0].ndig <= 2 && g[1].ndig <= 2 && g[2].ndig == 4)
		return c >= 1900 && c <= 2099 && a >= 1 && a <= 31 && b >= 1 && b <= 31 &&
		       (a <= 12 || b <= 12);
	return 0;
}

/*
 * Year-month-day or day-month-year with one separator: "2026-05-01". Most
 * windows fail on the separators; that test is inlined where it is asked.
 */
static inline int is_date(const struct phone_group *g, size_t count)
{
	if (count < 3 || g[1].sep != g[2].sep ||
	    (g[1].sep != '-' && g[1].sep != '/' && g[1].sep != '.'))
		return 0;
	return date_values(g);
}

/* Reads the longest number at the start of the window; returns the groups used. */
static size_t take_number(struct phone_scan *s)
{
	const struct phone_group *g = s->win + s->head;
	/*
	 * Each group's whole array is copied, a constant size the compiler
	 * makes one move of; what lies past its digits is overwritten by the
	 * next group or never read. nd is at most WINDOW_DIGITS - 1 before a
	 * copy, so the array holds the last one.
	 */
	char digits[WINDOW_DIGITS + sizeof(g->digits)];
	char e164[PHONE_E164_SIZE], best[PHONE_E164_SIZE];
	size_t nd = 0, used = 0, j, a, b, start, end;

	if (g[0].currency)
		return 1;
	if (is_date(g, s->count))
		return 3;
	for (j = 0; j < s->count && nd + g[j].ndig <= WINDOW_DIGITS; j++) {
		/* A number does not run into a date: "25 2026-05-01". */
		if (j > 0 && is_date(g + j, s->count - j))
			break;
		memcpy(digits + nd, g[j].digits, sizeof(g[j].digits));
		nd += g[j].ndig;
		if (nd >= DIGITS_MIN &&
		    to_e164(digits, nd, g[0].plus, s->country, e164)) {
			memcpy(best, e164, sizeof(best));
			used = j + 1;
		}
	}
	if (!used)
		return 1;
	a = g[0].start;
	b = g[used - 1].end;
	if (a > 0 && s->n->text[a - 1] == '(')
		a--;
	norm_span(s->n, a, b, &start, &end);
	entities_add(s->out, ENTITY_PHONE, best, start, end);
	return used;
}

/* Reads numbers off the window while it is full, or until empty when force. */
static void flush(struct phone_scan *s, bool force)
{
	while (s->count && (force || s->digits > WINDOW_DIGITS)) {
		size_t used, i;

		if (entities_full(s->out, ENTITY_PHONE)) {
			s->done = true;
			s->count = 0;
			s->digits = 0;
			return;
		}
		used = take_number(s);
		for (i = 0; i < used; i++)
			s->digits -= s->win[s->head + i].ndig;
		s->head += used;
		s->count -= used;
	}
}

static void end_group(struct phone_scan *s)
{
	if (!s->in_group)
		return;
	s->in_group = false;
	s->gap = 0;
	s->gap_char = 0;
	if (s->cur.overlong) {
		/* A long digit string is not a number, and nothing joins across it. */
		flush(s, true);
		return;
	}
	/* The window slides along the array and moves back when at its end. */
	if (s->head + s->count == ARRAY_SIZE(s->win)) {
		memmove(s->win, s->win + s->head, s->count * sizeof(s->win[0]));
		s->head = 0;
	}
	s->win[s->head + s->count++] = s->cur;
	s->digits += s->cur.ndig;
	/* Most groups leave the window short of full: no call then. */
	if (s->digits > WINDOW_DIGITS)
		flush(s, false);
}

static void end_candidate(struct phone_scan *s)
{
	end_group(s);
	if (s->count)
		flush(s, true);
	s->gap = 0;
	s->gap_char = 0;
	s->after_plus = false;
	s->after_currency = false;
}

/*
 * Adds the n digits d[0..n), which stand at start..end, to the group being
 * read, starting one if none is. Past DIGITS_MAX digits the group is only
 * marked overlong.
 */
static void add_digits(struct phone_scan *s, const char *d, size_t n, size_t start, size_t end)
{
	struct phone_group *g = &s->cur;
	size_t room;

	if (!s->in_group) {
		memset(g, 0, sizeof(*g));
		g->sep = s->count ? s->gap_char : 0;
		g->plus = s->after_plus && s->gap <= 1;
		g->currency = s->after_currency && s->gap <= 1;
		g->start = g->plus ? s->plus_pos : start;
		s->after_plus = false;
		s->after_currency = false;
		s->in_group = true;
	}
	g->end = end;
	if (g->overlong)
		return;
	room = DIGITS_MAX - g->ndig;
	if (n > room) {
		n = room;
		g->overlong = true;
	}
	/* The array was cleared when the group began: the digits stay a string. */
	memcpy(g->digits + g->ndig, d, n);
	g->ndig += n;
}

static void add_gap(struct phone_scan *s, char c)
{
	end_group(s);
	s->gap++;
	s->gap_char = s->gap == 1 ? c : ' ';
	if (s->gap > GAP_MAX && s->count)
		end_candidate(s);
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * A run of letters: a spelled-out digit, letters standing for digits
 * inside a number ("5l0", "O1Z3"), or a word that ends the candidate. "o",
 * "l", "i" and "|" count next to a digit; "z", "s" and "b", which are more
 * often just letters, only between two digits.
 */
static void add_letters(struct phone_scan *s, size_t i, size_t j)
{
	const char *t = s->n->text;
	bool strict = false, lookalike = true;
	size_t k;
	int d;

	for (k = i; k < j && lookalike; k++) {
		switch (t[k]) {
		case 'z': case 's': case 'b':
			strict = true;
			break;
		case 'o': case 'l': case 'i': case '|':
			break;
		default:
			lookalike = false;
		}
	}
	if (lookalike) {
		bool before = i > 0 && is_digit(t[i - 1]);
		bool after = j < s->n->len && is_digit(t[j]);

		if (strict ? before && after : before || after) {
			for (k = i; k < j; k++)
				add_digits(s, &"0111258"[strchr("oli|zsb", t[k]) - "oli|zsb"], 1, k, k + 1);
			return;
		}
	}
	/* The wordset turns away most words before they are searched for "|". */
	d = !wordset_maybe(s->digit_words, t + i, j - i) || memchr(t + i, '|', j - i) ? -1 :
	    numword_digit(t + i, j - i);
	if (d < 0) {
		end_candidate(s);
		return;
	}
	end_group(s);
	add_digits(s, &"0123456789"[d], 1, i, j);
	end_group(s);
}

/* What may stand between the digits of a number (emoji aside). */
static int is_separator(char c)
{
	switch (c) {
	case ' ': case '.': case '-': case '/': case '(': case ')': case '*': case '~': case '_':
		return 1;
	default:
		return 0;
	}
}

static int is_run_char(char c)
{
	return (c >= 'a' && c <= 'z') || c == '|';
}

static bool idle(const struct phone_scan *s)
{
	return !s->in_group && !s->count && !s->after_plus && !s->after_currency;
}

void phone_scan_init(struct phone_scan *s, const struct norm *n, const char *country,
		     const struct wordset *digit_words, struct entities *out)
{
	/* The window (most of the struct) is written before it is read: it is not cleared. */
	s->n = n;
	s->country = country_find(country);
	s->out = out;
	s->digit_words = digit_words;
	s->head = s->count = s->digits = 0;
	memset(&s->cur, 0, sizeof(s->cur));
	s->in_group = false;
	s->gap = 0;
	s->gap_char = 0;
	s->after_plus = s->after_currency = false;
	s->plus_pos = 0;
	s->done = false;
}

int phone_scan_wants(const struct phone_scan *s, size_t i, size_t k)
{
	const char *t = s->n->text;
	unsigned char c = (unsigned char)t[i];

	if (s->done)
		return 0;
	if (is_digit((char)c) || c == '+' || c == '$')
		return 1;
	if (c >= 0x80) {
		utf8proc_int32_t cp;

		/* Between candidates, only a currency sign changes what follows. */
		return utf8proc_iterate((const utf8proc_uint8_t *)t + i,
					(utf8proc_ssize_t)(s->n->len - i), &cp) > 0 &&
		       utf8proc_category(cp) == UTF8PROC_CATEGORY_SC;
	}
	if (!is_run_char((char)c))
		return 0;
	return (k < s->n->len && is_digit(t[k])) || wordset_maybe(s->digit_words, t + i, k - i);
}

/* Reads the one character or run of letters at t[i]; returns where the next starts. */
static size_t step(struct phone_scan *s, size_t i)
{
	const char *t = s->n->text;
	size_t len = s->n->len, j;
	char c = t[i];

	if (is_digit(c)) {
		/* A run of digits is read at once: nothing between two of them ends the group. */
		for (j = i + 1; j < len && is_digit(t[j]); j++)
			;
		add_digits(s, t + i, j - i, i, j);
		return j;
	}
	if (is_run_char(c)) {
		for (j = i; j < len && is_run_char(t[j]); j++)
			;
		add_letters(s, i, j);
		return j;
	}
	if ((unsigned char)c >= 0x80) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)t + i,
			(utf8proc_ssize_t)(len - i), &cp);
		utf8proc_category_t cat;

		assert(k > 0);
		cat = utf8proc_category(cp);
		if (cat == UTF8PROC_CATEGORY_SC) {
			end_candidate(s);
			s->after_currency = true;
		} else if (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) {
			end_candidate(s);
		} else {
			/* Emoji and other symbols between digits. */
			add_gap(s, ' ');
		}
		return i + (size_t)k;
	}
	if (c == '.' && i + 1 < len && t[i + 1] == ' ' && i > 0 && t[i - 1] != ' ') {
		/* The end of a sentence, not a dot between digits. */
		end_candidate(s);
	} else if (is_separator(c)) {
		add_gap(s, c);
	} else {
		end_candidate(s);
		if (c == '+') {
			s->after_plus = true;
			s->plus_pos = i;
		} else if (c == '$') {
			s->after_currency = true;
		}
	}
	return i + 1;
}

size_t phone_scan_run(struct phone_scan *s, size_t i)
{
	assert(i < s->n->len);
	do
		i = step(s, i);
	while (i < s->n->len && !s->done && !idle(s));
	return i;
}

void phone_scan_finish(struct phone_scan *s)
{
	if (!s->done)
		end_candidate(s);
}

#include "base/compat.h"
#include "screen/screen.h"

#include <locale.h>
#include <math.h>

#include "screen/assess.h"
#include "screen/entities.h"
#include "screen/norm.h"
#include "screen/rules.h"
#include "screen/swar.h"

/*
 * At most this many indicator matches are kept for one text. A text that
 * reaches it has long since tipped every element; the scan stops there and
 * the output says "indicators_truncated". It says so too when a hostile
 * text would make the matcher's checks take more than linear time
 * (rules.h, rules_match()).
 */
#define SCREEN_MAX_MATCHES 4096

/*
 * The most bytes of the rules' indicator heads (see struct screen_engine):
 * an id and a category of under 64 bytes each are at most six times as
 * long escaped, so a head is under 1 KB.
 */
#define HEADS_MAX ((size_t)RULES_MAX * 1024)

/*
 * The engine keeps, for each rule, the start of its indicator object as
 * JSON text ({"id":"...","category":"...","span":[), escaped once when the
 * engine is built: a result has some forty indicators, and escaping the
 * same two names for each of them was a third of the writer's time.
 */
struct screen_engine {
	struct rules rules;
	struct rules_db *db;
	struct buf heads;         /* every rule's head, one after the other */
	uint32_t *head_off;       /* per rule: where its head starts in heads; one more at the end */
	bool *negation;           /* per rule: a negation (RULE_NEGATION) */
};

/* One indicator span, in bytes of the normalised text. */
struct match {
	uint32_t rule;
	bool dead;        /* inside a negation */
	size_t from, to;
};

struct screen_scratch {
	struct rules_scratch *rs;
	struct norm norm;
	struct entities *ents;
	struct rules_span *spans;
	struct match *m;
	size_t nm;
	struct screen_indicator *ind;
	bool full;
	uint8_t *seen;    /* per rule: counted in hits already */
	uint32_t *hits;
	size_t nrules;
};

static int heads_build(struct screen_engine *e);

/* Fills e->negation from the rules' families. */
static int negations_build(struct screen_engine *e)
{
	e->negation = malloc(e->rules.count * sizeof(*e->negation));
	if (!e->negation)
		return VG_NOMEM;
	for (size_t i = 0; i < e->rules.count; i++)
		e->negation[i] = e->rules.items[i].family == RULE_NEGATION;
	return VG_OK;
}

int screen_engine_build(const struct screen_file *files, size_t n,
			struct screen_engine **out, char *err, size_t errsize)
{
	struct screen_engine *e;
	int rc = VG_OK;

	assert(files || !n);
	if (errsize)
		err[0] = '\0';
	e = calloc(1, sizeof(*e));
	if (!e)
		return VG_NOMEM;
	rules_init(&e->rules);
	buf_init(&e->heads, HEADS_MAX);
	/* The typology comes first: indicator files name its slugs. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n; i++) {
			bool typ = rules_is_typology(files[i].text, files[i].len);

			if (typ != (pass == 0))
				continue;
			rc = rules_parse(&e->rules, files[i].name, files[i].text, files[i].len,
					 err, errsize);
			if (rc)
				goto out;
		}
	}
	rc = rules_compile(&e->rules, &e->db, err, errsize);
	if (!rc)
		rc = heads_build(e);
	if (!rc)
		rc = negations_build(e);
	if (rc)
		goto out;
	*out = e;
	e = NULL;
out:
	screen_engine_free(e);
	return rc;
}

void screen_engine_free(struct screen_engine *e)
{
	if (!e)
		return;
	rules_db_free(e->db);
	rules_release(&e->rules);
	buf_release(&e->heads);
	free(e->head_off);
	free(e->negation);
	free(e);
}

size_t screen_engine_patterns(const struct screen_engine *e)
{
	return e->rules.count;
}

const struct rules *screen_engine_rules(const struct screen_engine *e)
{
	return &e->rules;
}

int screen_scratch_new(const struct screen_engine *e, struct screen_scratch **out)
{
	struct screen_scratch *s;
	size_t n = e->rules.count;
	int rc = VG_NOMEM;

	s = calloc(1, sizeof(*s));
	if (!s)
		return VG_NOMEM;
	norm_init(&s->norm);
	s->nrules = n;
	s->ents = malloc(sizeof(*s->ents));
	s->spans = malloc(SCREEN_MAX_MATCHES * sizeof(*s->spans));
	s->m = malloc(SCREEN_MAX_MATCHES * sizeof(*s->m));
	s->ind = malloc(SCREEN_MAX_MATCHES * sizeof(*s->ind));
	s->seen = calloc(n, 1);
	s->hits = malloc(n * sizeof(*s->hits));
	if (!s->ents || !s->spans || !s->m || !s->ind || !s->seen || !s->hits)
		goto out;
	if (rules_scratch_new(e->db, &s->rs))
		goto out;
	*out = s;
	s = NULL;
	rc = VG_OK;
out:
	screen_scratch_free(s);
	return rc;
}

void screen_scratch_free(struct screen_scratch *s)
{
	if (!s)
		return;
	rules_scratch_free(s->rs);
	norm_release(&s->norm);
	free(s->ents);
	free(s->spans);
	free(s->m);
	free(s->ind);
	free(s->seen);
	free(s->hits);
	free(s);
}

/*
 * A negation ("no one forced her", "nadie la obliga") silences every other
 * indicator that starts inside its span; it is kept as evidence itself.
 * Most texts have no negation: the matches are read once for one, through
 * the engine's byte per rule rather than the rules themselves.
 */
static void apply_negations(const struct screen_engine *e, struct screen_scratch *s)
{
	for (size_t i = 0; i < s->nm; i++) {
		const struct match *neg = &s->m[i];

		if (!e->negation[neg->rule])
			continue;
		for (size_t j = 0; j < s->nm; j++) {
			struct match *m = &s->m[j];

			if (!e->negation[m->rule] && m->from >= neg->from && m->from < neg->to)
				m->dead = true;
		}
	}
}

static int match_cmp(const void *a, const void *b)
{
	const struct match *x = a, *y = b;

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	if (x->to != y->to)
		return x->to < y->to ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/*
 * Sorts the matches by start, end and rule. The matcher gives them in
 * order of their first end, which is nearly this order: an insertion sort
 * puts a text's matches right in one pass, however many (one text in eight
 * of the benchmark corpus has more than 64). When they are far from that
 * order (more than SORT_MOVES moves a match), qsort() sorts them instead,
 * so that a hostile text costs no more than n log n. The matcher gives
 * each rule and end once, so no two matches have the same three keys and
 * either sort gives the same order.
 */
#define SORT_MOVES 8

static void matches_sort(struct match *m, size_t n)
{
	size_t moves = 0;

	for (size_t i = 1; i < n; i++) {
		struct match x = m[i];
		size_t j = i;

		for (; j > 0 && match_cmp(&m[j - 1], &x) > 0; j--)
			m[j] = m[j - 1];
		m[j] = x;
		moves += i - j;
		if (moves > SORT_MOVES * n) {
			qsort(m, n, sizeof(*m), match_cmp);
			return;
		}
	}
}

int screen_analyse(const struct screen_engine *e, struct screen_scratch *s,
		   const struct screen_options *opt, const char *text, size_t len,
		   struct screen_result *out)
{
	const struct rules *r = &e->rules;
	struct entity_options eopt;
	struct assess_input in;
	size_t nhits = 0, nind = 0;
	int rc;

	assert(e && s && opt && out && (text || !len) && s->nrules == r->count);
	rc = norm_text(&s->norm, text, len);
	if (rc)
		return rc;
	memcpy(eopt.default_country, opt->default_country, sizeof(eopt.default_country));
	eopt.default_country[sizeof(eopt.default_country) - 1] = '\0';
	rc = entities_extract(text, len, &s->norm, &eopt, s->ents);
	if (rc)
		return rc;
	rc = rules_match(e->db, s->rs, s->norm.text, s->norm.len, s->spans, SCREEN_MAX_MATCHES,
			 &s->nm, &s->full);
	if (rc)
		return rc;
	for (size_t i = 0; i < s->nm; i++) {
		s->m[i].rule = s->spans[i].rule;
		s->m[i].dead = false;
		s->m[i].from = s->spans[i].from;
		s->m[i].to = s->spans[i].to;
	}
	apply_negations(e, s);
	matches_sort(s->m, s->nm);
	for (size_t i = 0; i < s->nm; i++) {
		const struct match *m = &s->m[i];
		struct screen_indicator *ind;

		if (m->dead)
			continue;
		if (!s->seen[m->rule]) {
			s->seen[m->rule] = 1;
			s->hits[nhits++] = m->rule;
		}
		ind = &s->ind[nind++];
		ind->rule = m->rule;
		ind->id = r->items[m->rule].id;
		ind->category = r->items[m->rule].category;
		norm_span(&s->norm, m->from, m->to, &ind->start, &ind->end);
	}
	for (size_t i = 0; i < nhits; i++)
		s->seen[s->hits[i]] = 0;
	in.rules = r;
	in.hits = s->hits;
	in.nhits = nhits;
	in.min_age = entities_min_age(s->ents);
	in.framework = opt->framework == SCREEN_PALERMO ? ASSESS_PALERMO : ASSESS_TVPA;
	assess_run(&in, &out->assessment);
	out->engine = e;
	out->text = text;
	out->len = len;
	out->framework = in.framework;
	out->hits = s->hits;
	out->nhits = nhits;
	out->indicators = s->ind;
	out->nindicators = nind;
	out->truncated = s->full;
	out->entities = s->ents;
	return VG_OK;
}

/*
 * The JSON writer. It writes what jansson's json_dumps(JSON_COMPACT) writes
 * for the same values, byte for byte: objects in the order their keys were
 * set, no spaces, strings escaped as jansson escapes them (only '"', '\\'
 * and control characters; other bytes as they are, since every string here
 * is valid UTF-8: the original text was checked by norm_text() and the
 * names come from the rule files), integers in decimal, and other numbers
 * as jansson's jsonp_dtostr() gives them. tests/unit/test_screen_json.c
 * compares the two on the labelled corpus and on hostile texts.
 *
 * The writer gathers small pieces in a block on the stack and hands the
 * buffer whole blocks: a result is a few hundred pieces of a few bytes
 * each, and a call to buf_add() for each cost more than the rest of the
 * writing together. The first error sticks and every later write is a
 * no-op, so the callers check once, at the end.
 */
struct jw {
	struct buf *out;
	int rc;
	size_t n;
	char block[1024];
};

static void jw_flush(struct jw *w)
{
	if (!w->rc && w->n)
		w->rc = buf_add(w->out, w->block, w->n);
	w->n = 0;
}

static void put(struct jw *w, const char *s, size_t len)
{
	if (w->n + len > sizeof(w->block)) {
		jw_flush(w);
		if (len > sizeof(w->block)) {
			if (!w->rc)
				w->rc = buf_add(w->out, s, len);
			return;
		}
	}
	memcpy(w->block + w->n, s, len);
	w->n += len;
}

static void put_ch(struct jw *w, char c)
{
	if (w->n == sizeof(w->block))
		jw_flush(w);
	w->block[w->n++] = c;
}

#define PUT(w, lit) put((w), (lit), sizeof(lit) - 1)

/* Bytes a JSON string must escape: '"', '\\' and the control characters. */
static bool needs_escape(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\';
}

/* The bytes of the word x that needs_escape() is true of, as swar.h's class words. */
static uint64_t escapes8(uint64_t x)
{
	return swar_between(x, -1, 0x20) | swar_between(x ^ (SWAR_ONES * '"'), -1, 1) |
	       swar_between(x ^ (SWAR_ONES * '\\'), -1, 1);
}

/*
 * The common case of put_str(): a string with nothing to escape that fits
 * in the block is copied there eight bytes at a time as it is checked,
 * with no test of the room left for each piece. False, with nothing
 * added, for any other string (the block may have been flushed).
 */
static bool put_str_plain(struct jw *w, const char *s, size_t len)
{
	char *p;
	size_t i = 0;

	if (len + 2 + 8 > sizeof(w->block))
		return false;
	if (w->n + len + 2 + 8 > sizeof(w->block))
		jw_flush(w);
	p = w->block + w->n + 1;
	for (; len - i >= 8; i += 8) {
		uint64_t x = swar_load8((const unsigned char *)s + i);

		if (escapes8(x))
			return false;
		swar_store8((unsigned char *)p + i, x);
	}
	for (; i < len; i++) {
		if (needs_escape((unsigned char)s[i]))
			return false;
		p[i] = s[i];
	}
	p[-1] = '"';
	p[len] = '"';
	w->n += len + 2;
	return true;
}

/*
 * A string, escaped. Quotes are mostly plain text: the bytes are read
 * eight at a time up to the next one to escape, and copied in runs.
 */
static void put_str(struct jw *w, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t run = 0, i = 0;

	if (put_str_plain(w, s, len))
		return;
	put_ch(w, '"');
	while (i < len) {
		unsigned char c;
		char esc[6];
		size_t n = 2;

		if (len - i >= 8) {
			uint64_t m = escapes8(swar_load8((const unsigned char *)s + i));

			if (!m) {
				i += 8;
				continue;
			}
			i += (size_t)__builtin_ctzll(m) / 8;
		} else if (!needs_escape((unsigned char)s[i])) {
			i++;
			continue;
		}
		c = (unsigned char)s[i];
		esc[0] = '\\';
		switch (c) {
		case '"': case '\\': esc[1] = (char)c; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
			break;
		}
		put(w, s + run, i - run);
		put(w, esc, n);
		run = ++i;
	}
	put(w, s + run, len - run);
	put_ch(w, '"');
}

static void put_cstr(struct jw *w, const char *s)
{
	put_str(w, s, strlen(s));
}

/*
 * An integer in decimal. A result holds some eighty (the spans' offsets,
 * of a few digits each): the digits are counted first and written straight
 * into the block from the last, two at a time, with 32-bit arithmetic
 * when the value fits in it.
 */
static void put_int(struct jw *w, long long v)
{
	static const char pairs[] =
		"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
		"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
		"8081828384858687888990919293949596979899";
	/* pow10[k] is 10 to the power k + 1: u has n digits when it is below pow10[n - 1]. */
	static const unsigned long long pow10[19] = {
		10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull,
		100000000ull, 1000000000ull, 10000000000ull, 100000000000ull,
		1000000000000ull, 10000000000000ull, 100000000000000ull,
		1000000000000000ull, 10000000000000000ull, 100000000000000000ull,
		1000000000000000000ull, 10000000000000000000ull,
	};
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
	size_t n = 1;
	uint32_t y;
	char *p;

	while (n < 20 && u >= pow10[n - 1])
		n++;
	/* At most a sign and 20 digits. */
	if (w->n + 21 > sizeof(w->block))
		jw_flush(w);
	if (v < 0)
		w->block[w->n++] = '-';
	p = w->block + w->n + n;
	w->n += n;
	for (; u > UINT32_MAX; u /= 10)
		*--p = (char)('0' + u % 10);
	for (y = (uint32_t)u; y >= 100; y /= 100) {
		p -= 2;
		memcpy(p, pairs + 2 * (y % 100), 2);
	}
	if (y >= 10) {
		p -= 2;
		memcpy(p, pairs + 2 * y, 2);
	} else {
		*--p = (char)('0' + y);
	}
}

/*
 * The fast path of put_real(), for the scores most results hold (0, 0.5,
 * 2.25): a value that is a whole number of 1024ths below a million in
 * magnitude has at most six digits before the point and ten after it, so
 * "%.17g" writes its exact decimal expansion, without trailing zeros, and
 * jsonp_dtostr() adds ".0" to a whole number. The same digits are written
 * here with no call to snprintf(). False (nothing written) for any other
 * value, and for -0, which "%.17g" writes as "-0".
 */
static bool put_dyadic(struct jw *w, double v)
{
	double scaled = v * 1024;
	long long m;
	char tmp[32];
	size_t n = 0;
	unsigned long long ip, frac;

	if (!(v > -1e6 && v < 1e6) || scaled != (double)(long long)scaled ||
	    (v == 0 && signbit(v)))
		return false;
	m = (long long)scaled;
	if (m < 0) {
		tmp[n++] = '-';
		m = -m;
	}
	ip = (unsigned long long)m >> 10;
	frac = (unsigned long long)m & 1023;
	{
		char digits[8];
		size_t k = 0;

		do {
			digits[k++] = (char)('0' + ip % 10);
			ip /= 10;
		} while (ip);
		while (k)
			tmp[n++] = digits[--k];
	}
	tmp[n++] = '.';
	if (!frac) {
		tmp[n++] = '0';
	} else {
		/* frac / 1024 = frac * 5^10 / 10^10: ten digits, trailing zeros dropped. */
		unsigned long long d = frac * 9765625ull, div = 1000000000ull;

		while (d) {
			tmp[n++] = (char)('0' + d / div);
			d %= div;
			div /= 10;
		}
	}
	put(w, tmp, n);
	return true;
}

/*
 * A real as jansson 2.14's jsonp_dtostr() writes it: "%.17g" with the
 * locale's decimal point made a '.', ".0" added when there is neither a
 * point nor an exponent, and the exponent without '+' or leading zeros.
 * Not-a-number and the infinities, which JSON cannot hold, are VG_INVAL.
 */
static void put_real(struct jw *w, double v)
{
	char tmp[40], out[40], *e;
	const char *point = localeconv()->decimal_point;
	size_t n, k = 0;
	int len;

	if (!isfinite(v)) {
		if (!w->rc)
			w->rc = VG_INVAL;
		return;
	}
	if (put_dyadic(w, v))
		return;
	len = snprintf(tmp, sizeof(tmp), "%.17g", v);
	assert(len > 0 && (size_t)len < sizeof(tmp) - 3);
	n = (size_t)len;
	if (point[0] != '.' && (e = strchr(tmp, point[0])))
		*e = '.';
	if (!strchr(tmp, '.') && !strchr(tmp, 'e')) {
		memcpy(tmp + n, ".0", 3);
		n += 2;
	}
	e = strchr(tmp, 'e');
	if (!e) {
		put(w, tmp, n);
		return;
	}
	for (const char *p = tmp; p <= e; p++)
		out[k++] = *p;
	e++;
	if (*e == '+')
		e++;
	else if (*e == '-')
		out[k++] = *e++;
	while (*e == '0' && e[1])
		e++;
	while (*e)
		out[k++] = *e++;
	put(w, out, k);
}

/* A number as an integer when it is a whole one (ages), else as a real. */
static void put_number(struct jw *w, double v)
{
	if (v == (double)(long long)v && v > -1e15 && v < 1e15)
		put_int(w, (long long)v);
	else
		put_real(w, v);
}

static void put_bool(struct jw *w, bool v)
{
	if (v)
		PUT(w, "true");
	else
		PUT(w, "false");
}

/* One string of a list of strings, with a comma before every one but the first. */
static void put_item(struct jw *w, bool *first, const char *s)
{
	if (!*first)
		put_ch(w, ',');
	*first = false;
	put_cstr(w, s);
}

/* {"amount": n, "currency": "USD" or null, "debt": b} from "USD 3000" or "debt USD 3000". */
static void put_money(struct jw *w, const struct entity *en)
{
	const char *v = en->value;
	const char *sp;

	if (!strncmp(v, "debt ", 5))
		v += 5;
	sp = strchr(v, ' ');
	PUT(w, "{\"amount\":");
	put_number(w, en->number);
	PUT(w, ",\"currency\":");
	if (sp)
		put_str(w, v, (size_t)(sp - v));
	else
		PUT(w, "null");
	PUT(w, ",\"debt\":");
	put_bool(w, en->is_debt);
	put_ch(w, '}');
}

/* One entity as an element of its list. */
static void put_entity(struct jw *w, const struct entity *en)
{
	if (en->kind == ENTITY_AGE && en->is_cue) {
		PUT(w, "{\"cue\":");
		put_cstr(w, en->value);
		PUT(w, ",\"under\":");
		put_number(w, en->number);
		put_ch(w, '}');
	} else if (en->kind == ENTITY_AGE) {
		put_number(w, en->number);
	} else if (en->kind == ENTITY_MONEY) {
		put_money(w, en);
	} else {
		put_cstr(w, en->value);
	}
}

/* The entities object: every list, each in the order the extractors found them. */
static void put_entities(struct jw *w, const struct entities *ents)
{
	static const struct {
		const char *key;
		enum entity_kind kind;
		int cue;          /* ages only: 0 stated ages, 1 cues */
	} lists[] = {
		{ "{\"phones\":[", ENTITY_PHONE, 0 }, { "],\"emails\":[", ENTITY_EMAIL, 0 },
		{ "],\"urls\":[", ENTITY_URL, 0 }, { "],\"handles\":[", ENTITY_HANDLE, 0 },
		{ "],\"ages\":[", ENTITY_AGE, 0 }, { "],\"age_cues\":[", ENTITY_AGE, 1 },
		{ "],\"money\":[", ENTITY_MONEY, 0 },
	};

	for (size_t l = 0; l < ARRAY_SIZE(lists); l++) {
		bool first = true;

		put(w, lists[l].key, strlen(lists[l].key));
		if (!ents->per_kind[lists[l].kind])
			continue;
		for (size_t i = 0; i < ents->count; i++) {
			const struct entity *en = &ents->items[i];

			if (en->kind != lists[l].kind ||
			    (en->kind == ENTITY_AGE && !en->is_cue != !lists[l].cue))
				continue;
			if (!first)
				put_ch(w, ',');
			first = false;
			put_entity(w, en);
		}
	}
	PUT(w, "]}");
}

static void put_indicators(struct jw *w, const struct screen_result *r)
{
	const char *heads = r->engine->heads.ptr;
	const uint32_t *off = r->engine->head_off;

	put_ch(w, '[');
	for (size_t i = 0; i < r->nindicators; i++) {
		const struct screen_indicator *ind = &r->indicators[i];

		if (i)
			put_ch(w, ',');
		put(w, heads + off[ind->rule], off[ind->rule + 1] - off[ind->rule]);
		put_int(w, (long long)ind->start);
		put_ch(w, ',');
		put_int(w, (long long)ind->end);
		PUT(w, "],\"quote\":");
		put_str(w, r->text + ind->start, ind->end - ind->start);
		put_ch(w, '}');
	}
	put_ch(w, ']');
}

/* The names of the matched rules of one family, each once, in the order of the hits. */
static void put_names(struct jw *w, const struct screen_result *r, enum rule_family family)
{
	const struct rules *rules = &r->engine->rules;
	bool first = true;

	put_ch(w, '[');
	for (size_t i = 0; i < r->nhits; i++) {
		const struct rule *rule = &rules->items[r->hits[i]];
		bool dup = false;

		if (rule->family != family)
			continue;
		for (size_t k = 0; k < i && !dup; k++) {
			const struct rule *prev = &rules->items[r->hits[k]];

			dup = prev->family == family && !strcmp(rule_name(prev), rule_name(rule));
		}
		if (!dup)
			put_item(w, &first, rule_name(rule));
	}
	put_ch(w, ']');
}

/* The kinds, typology, elements and means: the names of what the assessment found. */
static void put_sets(struct jw *w, const struct screen_result *r)
{
	const struct rules *rules = &r->engine->rules;
	const struct assessment *as = &r->assessment;
	const struct assess_elements *el = &as->fw[r->framework];
	bool first = true;

	PUT(w, ",\"kinds\":[");
	if (as->kinds & ASSESS_KIND_SEX)
		put_item(w, &first, "sex");
	if (as->kinds & ASSESS_KIND_LABOR)
		put_item(w, &first, "labor");
	PUT(w, "],\"typology\":[");
	first = true;
	for (size_t t = 0; t < rules->ntypes; t++) {
		if (as->types >> t & 1)
			put_item(w, &first, rules->types[t].slug);
	}
	PUT(w, "],\"elements\":{\"act\":");
	put_bool(w, el->act);
	PUT(w, ",\"means\":");
	put_bool(w, el->means);
	PUT(w, ",\"purpose\":[");
	first = true;
	for (int p = 0; p < PURPOSE_COUNT; p++) {
		if (el->purpose[p])
			put_item(w, &first, rules_purposes[p].name);
	}
	PUT(w, "],\"minor\":");
	put_bool(w, as->minor);
	PUT(w, ",\"act_implied\":");
	put_bool(w, el->act_implied);
	PUT(w, "},\"means\":[");
	first = true;
	for (size_t i = 0; i < rules_means_count; i++) {
		if (as->means_seen >> i & 1)
			put_item(w, &first, rules_means[i].name);
	}
	put_ch(w, ']');
}

/* Writes every rule's indicator head into e->heads (see struct screen_engine). */
static int heads_build(struct screen_engine *e)
{
	const struct rules *r = &e->rules;
	struct jw w;

	e->head_off = malloc((r->count + 1) * sizeof(*e->head_off));
	if (!e->head_off)
		return VG_NOMEM;
	w.out = &e->heads;
	w.rc = VG_OK;
	w.n = 0;
	for (size_t i = 0; i < r->count; i++) {
		jw_flush(&w);
		e->head_off[i] = (uint32_t)e->heads.len;
		PUT(&w, "{\"id\":");
		put_cstr(&w, r->items[i].id);
		PUT(&w, ",\"category\":");
		put_cstr(&w, r->items[i].category);
		PUT(&w, ",\"span\":[");
	}
	jw_flush(&w);
	e->head_off[r->count] = (uint32_t)e->heads.len;
	return w.rc;
}

int screen_result_write(const struct screen_result *r, struct buf *out)
{
	const struct assessment *as = &r->assessment;
	struct jw w;

	assert(r && r->engine && out);
	w.out = out;
	w.rc = VG_OK;
	w.n = 0;
	PUT(&w, "{\"status\":");
	put_cstr(&w, assess_status_name(as->fw[r->framework].status));
	if (r->framework == ASSESS_TVPA)
		PUT(&w, ",\"framework\":\"tvpa\"");
	else
		PUT(&w, ",\"framework\":\"palermo\"");
	PUT(&w, ",\"frameworks\":{\"tvpa\":");
	put_cstr(&w, assess_status_name(as->fw[ASSESS_TVPA].status));
	PUT(&w, ",\"palermo\":");
	put_cstr(&w, assess_status_name(as->fw[ASSESS_PALERMO].status));
	put_ch(&w, '}');
	put_sets(&w, r);
	PUT(&w, ",\"risk_factors\":");
	put_names(&w, r, RULE_RISK);
	PUT(&w, ",\"labor_exploitation\":");
	put_bool(&w, as->labor_exploitation);
	PUT(&w, ",\"urgency\":");
	put_cstr(&w, assess_urgency_name(as->urgency));
	PUT(&w, ",\"ad_score\":");
	put_real(&w, as->ad_score);
	PUT(&w, ",\"indicators\":");
	put_indicators(&w, r);
	PUT(&w, ",\"indicators_truncated\":");
	put_bool(&w, r->truncated);
	PUT(&w, ",\"entities\":");
	put_entities(&w, r->entities);
	put_ch(&w, '}');
	jw_flush(&w);
	return w.rc;
}

int screen_write(const struct screen_engine *e, struct screen_scratch *s,
		 const struct screen_options *opt, const char *text, size_t len,
		 struct buf *out)
{
	struct screen_result r;
	int rc = screen_analyse(e, s, opt, text, len, &r);

	return rc ? rc : screen_result_write(&r, out);
}

int screen_run(const struct screen_engine *e, struct screen_scratch *s,
	       const struct screen_options *opt, const char *text, size_t len,
	       json_t **out)
{
	struct buf b;
	json_t *res;
	int rc;

	buf_init(&b, SCREEN_JSON_MAX);
	rc = screen_write(e, s, opt, text, len, &b);
	if (rc)
		goto out;
	res = json_loadb(b.ptr, b.len, JSON_ALLOW_NUL, NULL);
	if (!res) {
		rc = VG_NOMEM;
		goto out;
	}
	*out = res;
out:
	buf_release(&b);
	return rc;
}

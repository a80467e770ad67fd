#include "base/compat.h"
#include "screen/screen.h"

#include <locale.h>
#include <math.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "screen/assess.h"
#include "screen/entities.h"
#include "screen/rules.h"
#include "screen/screen_impl.h"
#include "screen/swar.h"

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
	char block[4096];
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

/*
 * A string literal: inline, so that its copy is a few moves of a length
 * known when compiling rather than a call to memcpy() (a result has some
 * forty of them besides its indicators).
 */
static inline __attribute__((always_inline)) void put_lit(struct jw *w, const char *s,
							  size_t len)
{
	assert(len <= sizeof(w->block));
	if (w->n + len > sizeof(w->block))
		jw_flush(w);
	memcpy(w->block + w->n, s, len);
	w->n += len;
}

#define PUT(w, lit) put_lit((w), (lit), sizeof(lit) - 1)

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

/* plain_copy() and head_copy() may write this many bytes past what they copy. */
#define PLAIN_SLACK 16

#if defined(__SSE2__)
/* One bit per byte of x that a JSON string must escape (needs_escape()). */
static unsigned escapes16(__m128i x)
{
	__m128i ctl = _mm_cmpeq_epi8(_mm_subs_epu8(x, _mm_set1_epi8(0x1f)), _mm_setzero_si128());
	__m128i quote = _mm_cmpeq_epi8(x, _mm_set1_epi8('"'));
	__m128i bslash = _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'));

	return (unsigned)_mm_movemask_epi8(_mm_or_si128(ctl, _mm_or_si128(quote, bslash)));
}
#endif

/*
 * Copies the len bytes at s to dst when none of them needs escaping, and
 * says whether it did (dst holds part of them when not). It reads no more
 * than the avail bytes at s (avail >= len), and may write up to
 * PLAIN_SLACK bytes past dst + len: sixteen bytes at a time, the tail with
 * one more load of sixteen where the text goes on past the quote (nearly
 * always) or, for a long quote at the end of the text, with the last
 * sixteen bytes of the quote again; a short tail eight bytes at a time
 * (SWAR), then one byte at a time.
 */
static inline __attribute__((always_inline)) bool plain_copy(char *dst, const char *s, size_t len,
							   size_t avail)
{
	size_t i = 0;

	assert(avail >= len);
#if defined(__SSE2__)
	for (; len - i >= 16; i += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));

		if (escapes16(x))
			return false;
		_mm_storeu_si128((__m128i *)(void *)(dst + i), x);
	}
	if (i == len)
		return true;
	if (avail - i >= 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));

		if (escapes16(x) & ((1u << (len - i)) - 1))
			return false;
		_mm_storeu_si128((__m128i *)(void *)(dst + i), x);
		return true;
	}
	if (len >= 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + len - 16));

		if (escapes16(x))
			return false;
		_mm_storeu_si128((__m128i *)(void *)(dst + len - 16), x);
		return true;
	}
#endif
	for (; len - i >= 8; i += 8) {
		uint64_t x = swar_load8((const unsigned char *)s + i);

		if (escapes8(x))
			return false;
		swar_store8((unsigned char *)dst + i, x);
	}
	if (i < len && avail - i >= 8) {
		uint64_t x = swar_load8((const unsigned char *)s + i);

		if (escapes8(x) & (UINT64_MAX >> (64 - 8 * (len - i))))
			return false;
		swar_store8((unsigned char *)dst + i, x);
		return true;
	}
	for (; i < len; i++) {
		if (needs_escape((unsigned char)s[i]))
			return false;
		dst[i] = s[i];
	}
	return true;
}

/*
 * The common case of put_str(): a string with nothing to escape that fits
 * in the block is copied there as it is checked, with one test of the room
 * left. False, with nothing added, for any other string (the block may
 * have been flushed). avail is as for plain_copy().
 */
static bool put_str_plain(struct jw *w, const char *s, size_t len, size_t avail)
{
	char *p;

	if (len + 2 + PLAIN_SLACK > sizeof(w->block))
		return false;
	if (w->n + len + 2 + PLAIN_SLACK > sizeof(w->block))
		jw_flush(w);
	p = w->block + w->n;
	if (!plain_copy(p + 1, s, len, avail))
		return false;
	p[0] = '"';
	p[len + 1] = '"';
	w->n += len + 2;
	return true;
}

/*
 * A string, escaped; avail is as for plain_copy(). Quotes are mostly plain
 * text: the bytes are read eight at a time up to the next one to escape,
 * and copied in runs.
 */
static void put_str_in(struct jw *w, const char *s, size_t len, size_t avail)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t run = 0, i = 0;

	if (put_str_plain(w, s, len, avail))
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

static void put_str(struct jw *w, const char *s, size_t len)
{
	put_str_in(w, s, len, len);
}

static void put_cstr(struct jw *w, const char *s)
{
	put_str(w, s, strlen(s));
}

/* An entity's value: the string may be read to the end of its array. */
static void put_value(struct jw *w, const struct entity *en)
{
	put_str_in(w, en->value, en->len, sizeof(en->value));
}

/*
 * Writes the decimal digits of u at p, two at a time from the last, and
 * returns the end: at most 20 bytes. A result holds some eighty integers
 * (the spans' offsets, of a few digits each): those under 10,000 are
 * written by their number of digits, and the digits of a larger one that
 * fits in 32 bits are counted from its highest bit, with one comparison.
 */
static char *int_put(char *p, uint64_t u)
{
	static const char pairs[] =
		"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
		"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
		"8081828384858687888990919293949596979899";
	static const uint32_t pow10[10] = {
		1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000,
	};
	unsigned n;
	uint32_t y;
	char *end;

	if (u < 10000) {
		/* Most of the integers: the offsets in a text of up to 10 KB. */
		y = (uint32_t)u;
		if (y < 100) {
			if (y < 10) {
				*p = (char)('0' + y);
				return p + 1;
			}
			memcpy(p, pairs + 2 * y, 2);
			return p + 2;
		}
		if (y < 1000) {
			*p = (char)('0' + y / 100);
			memcpy(p + 1, pairs + 2 * (y % 100), 2);
			return p + 3;
		}
		memcpy(p, pairs + 2 * (y / 100), 2);
		memcpy(p + 2, pairs + 2 * (y % 100), 2);
		return p + 4;
	}
	if (u > UINT32_MAX) {
		char tmp[20];
		size_t k = 0;

		for (; u > UINT32_MAX; u /= 10)
			tmp[k++] = (char)('0' + u % 10);
		p = int_put(p, u);
		while (k)
			*p++ = tmp[--k];
		return p;
	}
	y = (uint32_t)u;
	/* 1233 / 4096 is just above log10(2): t is the digits less one, or one more. */
	n = (unsigned)(32 - __builtin_clz(y | 1)) * 1233 >> 12;
	n += y >= pow10[n];
	n += !n;
	end = p + n;
	p = end;
	for (; y >= 100; y /= 100) {
		p -= 2;
		memcpy(p, pairs + 2 * (y % 100), 2);
	}
	if (y >= 10)
		memcpy(p - 2, pairs + 2 * y, 2);
	else
		p[-1] = (char)('0' + y);
	return end;
}

/* An integer in decimal: a sign and at most 20 digits. */
static void put_int(struct jw *w, long long v)
{
	uint64_t u = v < 0 ? 0ull - (uint64_t)v : (uint64_t)v;
	char *p;

	if (w->n + 21 > sizeof(w->block))
		jw_flush(w);
	p = w->block + w->n;
	if (v < 0)
		*p++ = '-';
	w->n = (size_t)(int_put(p, u) - w->block);
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
	const char *point;
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
	point = localeconv()->decimal_point;
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
		put_str_in(w, v, (size_t)(sp - v), sizeof(en->value) - (size_t)(v - en->value));
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
		put_value(w, en);
		PUT(w, ",\"under\":");
		put_number(w, en->number);
		put_ch(w, '}');
	} else if (en->kind == ENTITY_AGE) {
		put_number(w, en->number);
	} else if (en->kind == ENTITY_MONEY) {
		put_money(w, en);
	} else {
		put_value(w, en);
	}
}

/* The entities object: every list, each in the order the extractors found them. */
static void put_entities(struct jw *w, const struct entities *ents)
{
#define LIST(key) key, sizeof(key) - 1
	static const struct {
		const char *key;
		size_t len;
		enum entity_kind kind;
		int cue;          /* ages only: 0 stated ages, 1 cues */
	} lists[] = {
		{ LIST("{\"phones\":["), ENTITY_PHONE, 0 },
		{ LIST("],\"emails\":["), ENTITY_EMAIL, 0 },
		{ LIST("],\"urls\":["), ENTITY_URL, 0 },
		{ LIST("],\"handles\":["), ENTITY_HANDLE, 0 },
		{ LIST("],\"ages\":["), ENTITY_AGE, 0 },
		{ LIST("],\"age_cues\":["), ENTITY_AGE, 1 },
		{ LIST("],\"money\":["), ENTITY_MONEY, 0 },
	};
#undef LIST

	for (size_t l = 0; l < ARRAY_SIZE(lists); l++) {
		bool first = true;

		put(w, lists[l].key, lists[l].len);
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

/*
 * The fast path of the indicators, which are most of a result's bytes:
 * each piece of one indicator is written straight into the block, with one
 * test of the room left for the whole indicator, and its head and quote
 * are copied sixteen bytes at a time (head_copy() and plain_copy() may
 * write up to PLAIN_SLACK bytes past their end, which that test leaves
 * room for). INDICATOR_FIXED is the most bytes of an indicator besides its
 * head and quote: a comma, two integers and the comma between them,
 * "],\"quote\":\"" and "\"}".
 */
#define INDICATOR_FIXED (1 + 20 + 1 + 20 + 11 + 2)

/*
 * Copies a head (len bytes at s, followed by at least SCREEN_HEADS_PAD
 * bytes that may be read) to dst, sixteen bytes at a time; may write up to
 * 15 bytes past dst + len. Returns the end of the head in dst.
 */
static char *head_copy(char *dst, const char *s, size_t len)
{
#if defined(__SSE2__)
	for (size_t i = 0; i < len; i += 16)
		_mm_storeu_si128((__m128i *)(void *)(dst + i),
				 _mm_loadu_si128((const __m128i *)(const void *)(s + i)));
#else
	memcpy(dst, s, len);
#endif
	return dst + len;
}

/*
 * One indicator, with a comma before it when comma is set, by the fast
 * path. False when it does not fit in an empty block or its quote has
 * bytes to escape: nothing is added then (the block may have been
 * flushed), and put_indicator() writes it piece by piece.
 */
static bool put_indicator_fast(struct jw *w, const struct screen_result *r,
			       const struct screen_indicator *ind, bool comma)
{
	const struct screen_engine *e = r->engine;
	size_t hlen = e->head_off[ind->rule + 1] - e->head_off[ind->rule];
	size_t qlen = ind->end - ind->start;
	size_t need = hlen + qlen + INDICATOR_FIXED + PLAIN_SLACK;
	char *p;

	if (need > sizeof(w->block))
		return false;
	if (w->n + need > sizeof(w->block))
		jw_flush(w);
	p = w->block + w->n;
	*p = ',';
	p = head_copy(p + comma, e->heads.ptr + e->head_off[ind->rule], hlen);
	p = int_put(p, ind->start);
	*p++ = ',';
	p = int_put(p, ind->end);
	memcpy(p, "],\"quote\":\"", 11);
	p += 11;
	if (!plain_copy(p, r->text + ind->start, qlen, r->len - ind->start))
		return false;
	p += qlen;
	p[0] = '"';
	p[1] = '}';
	w->n = (size_t)(p + 2 - w->block);
	return true;
}

static void put_indicator(struct jw *w, const struct screen_result *r,
			  const struct screen_indicator *ind, bool comma)
{
	const char *heads = r->engine->heads.ptr;
	const uint32_t *off = r->engine->head_off;

	if (put_indicator_fast(w, r, ind, comma))
		return;
	if (comma)
		put_ch(w, ',');
	put(w, heads + off[ind->rule], off[ind->rule + 1] - off[ind->rule]);
	put_int(w, (long long)ind->start);
	put_ch(w, ',');
	put_int(w, (long long)ind->end);
	PUT(w, "],\"quote\":");
	put_str(w, r->text + ind->start, ind->end - ind->start);
	put_ch(w, '}');
}

static void put_indicators(struct jw *w, const struct screen_result *r)
{
	put_ch(w, '[');
	for (size_t i = 0; i < r->nindicators; i++)
		put_indicator(w, r, &r->indicators[i], i > 0);
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
	/* The types and means found, lowest bit first: most results have none or a few. */
	for (uint64_t m = as->types; m; m &= m - 1)
		put_item(w, &first, rules->types[__builtin_ctzll(m)].slug);
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
	for (uint32_t m = as->means_seen; m; m &= m - 1)
		put_item(w, &first, rules_means[__builtin_ctz(m)].name);
	put_ch(w, ']');
}

int screen_json_heads(struct screen_engine *e)
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
	if (!w.rc) {
		static const char pad[SCREEN_HEADS_PAD];

		w.rc = buf_add(&e->heads, pad, sizeof(pad));
	}
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


#include "base/compat.h"
#include "screen/entities.h"

#include <pthread.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "screen/age.h"
#include "screen/contact.h"
#include "screen/money.h"
#include "screen/numword.h"
#include "screen/phone.h"
#include "screen/phrase.h"
#include "screen/swar.h"
#include "screen/wordset.h"

#define VALUE_SIZE sizeof(((struct entity *)0)->value)

struct entity *entities_add(struct entities *e, enum entity_kind kind,
			    const char *value, size_t start, size_t end)
{
	struct entity *x;
	size_t len = strlen(value), i;

	assert(kind < ENTITY_KIND_COUNT && start <= end);
	if (e->per_kind[kind] >= ENTITIES_MAX)
		return NULL;
	if (len >= VALUE_SIZE) {
		len = VALUE_SIZE - 1;
		while (len > 0 && ((unsigned char)value[len] & 0xc0) == 0x80)
			len--;
	}
	for (i = 0; i < e->count; i++)
		if (e->items[i].kind == kind && !strncmp(e->items[i].value, value, len) &&
		    e->items[i].value[len] == '\0')
			return NULL;
	assert(e->count < ARRAY_SIZE(e->items));
	x = &e->items[e->count++];
	memset(x, 0, sizeof(*x));
	x->kind = kind;
	memcpy(x->value, value, len);
	x->start = start;
	x->end = end;
	e->per_kind[kind]++;
	return x;
}

int entities_full(const struct entities *e, enum entity_kind kind)
{
	return e->per_kind[kind] >= ENTITIES_MAX;
}

double entities_min_age(const struct entities *e)
{
	double min = -1;
	size_t i;

	for (i = 0; i < e->count; i++)
		if (e->items[i].kind == ENTITY_AGE && (min < 0 || e->items[i].number < min))
			min = e->items[i].number;
	return min;
}

/*
 * URLs are found by a pass of their own (contact.h); everything else
 * starts at a word, a run of digits or one of a few signs, so one pass
 * finds those and hands each to the extractors that want it. The pass
 * reads the text in blocks of 64 bytes, makes a bit mask of each class of
 * byte and walks the bits that start something; most words are then
 * turned away by one lookup in the union of the extractors' wordsets.
 */
struct lexicon {
	struct wordset digits;      /* spelled-out digits of phone numbers */
	struct age_words ages;
	struct wordset debt, platforms, at;
	struct wordset any;         /* the union of the ones read word by word */
};

/*
 * The wordsets are the same for every text, so they are made once, on
 * first use, and only read after that: like the spoof checker of norm.c,
 * this is not state that changes between calls.
 */
static pthread_once_t lexicon_once = PTHREAD_ONCE_INIT;
static struct lexicon lexicon;

static void lexicon_init(void)
{
	struct lexicon *l = &lexicon;

	wordset_init(&l->digits);
	numword_add_digits(&l->digits);
	age_words_init(&l->ages);
	money_words_init(&l->debt);
	contact_platforms_init(&l->platforms);
	wordset_init(&l->at);
	contact_at_words(&l->at);
	wordset_init(&l->any);
	wordset_merge(&l->any, &l->digits);
	wordset_merge(&l->any, &l->ages.numbers);
	wordset_merge(&l->any, &l->ages.before);
	wordset_merge(&l->any, &l->ages.cues);
	wordset_merge(&l->any, &l->platforms);
	wordset_merge(&l->any, &l->at);
	wordset_merge(&l->any, &l->debt);
}

/*
 * An amount waits here until the pass is MONEY_DEBT_WINDOW bytes past it
 * or past the end of its sentence, in case a word of debt follows it
 * ("$3,000 that she owes"). In a text with more amounts than this that
 * close together, the oldest is added early.
 */
#define PENDING_MAX 32

struct pending {
	struct money m;
	bool debt;
};

#define NONE SIZE_MAX

struct pass {
	const struct lexicon *lex;
	const struct norm *n;
	const char *country;
	struct entities *out;
	struct phone_scan phone;
	size_t phone_end;          /* the phone scanner has read up to here */
	size_t age_end;            /* the last age ends here: "twenty-one years old" is one */
	struct pending pending[PENDING_MAX];
	size_t npending;
	size_t debt_start, debt_end; /* the last word of debt, or NONE */
	size_t stop;               /* the last end of a sentence, or NONE */
};

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(char c)
{
	return c >= 'a' && c <= 'z';
}

/* Adds the oldest amount waiting. */
static void money_flush_one(struct pass *p)
{
	assert(p->npending > 0);
	money_add(p->n, &p->pending[0].m, p->pending[0].debt, p->out);
	memmove(p->pending, p->pending + 1, --p->npending * sizeof(p->pending[0]));
}

/* Adds the amounts that no word of debt can follow any more, at position i. */
static void money_flush(struct pass *p, size_t i)
{
	while (p->npending && p->pending[0].m.end + MONEY_DEBT_WINDOW < i)
		money_flush_one(p);
}

static void money_read_at(struct pass *p, size_t i)
{
	struct pending *w;
	struct money m;

	if (!money_read(p->n, p->country, i, &m))
		return;
	if (p->npending == PENDING_MAX)
		money_flush_one(p);
	w = &p->pending[p->npending++];
	w->m = m;
	/* A word of debt before it, in the same sentence. */
	w->debt = p->debt_end != NONE && p->debt_end + MONEY_DEBT_WINDOW >= m.start &&
		  (p->stop == NONE || p->stop < p->debt_start);
}

/* A word of debt at t[i..e): the amounts waiting before it are debts. */
static void money_debt(struct pass *p, size_t i, size_t e)
{
	size_t k;

	p->debt_start = i;
	p->debt_end = e;
	for (k = 0; k < p->npending; k++)
		if (p->pending[k].m.end <= i)
			p->pending[k].debt = true;
}

/* The end of a sentence at t[i]: what waits is added. */
static void money_stop(struct pass *p, size_t i)
{
	p->stop = i;
	while (p->npending)
		money_flush_one(p);
}

/* The phone scanner reads from t[i] when nothing before it is pending. */
static void phone_try(struct pass *p, size_t i, size_t k)
{
	if (i >= p->phone_end && phone_scan_wants(&p->phone, i, k))
		p->phone_end = phone_scan_run(&p->phone, i);
}

/* An age that starts at the word t[i..k), unless inside the last one. */
static void age_try(struct pass *p, size_t i, size_t k)
{
	size_t e;

	if (i < p->age_end || entities_full(p->out, ENTITY_AGE))
		return;
	e = age_at(p->n, &p->lex->ages, i, k, p->out);
	if (e)
		p->age_end = e;
}

/* A word of letters t[i..k) that starts at a word boundary. */
static void read_word(struct pass *p, size_t i, size_t k)
{
	const char *t = p->n->text;
	size_t e;

	money_flush(p, i);
	if (!wordset_maybe(&p->lex->any, t + i, k - i)) {
		/* Letters that stand for digits: "O1Z3". */
		if (k < p->n->len && is_digit(t[k]))
			phone_try(p, i, k);
		return;
	}
	phone_try(p, i, k);
	age_try(p, i, k);
	if (!entities_full(p->out, ENTITY_HANDLE))
		contact_handle_at(p->n, &p->lex->platforms, i, k, p->out);
	if (!entities_full(p->out, ENTITY_EMAIL) && wordset_maybe(&p->lex->at, t + i, k - i))
		contact_email_at(p->n, i, p->out);
	if (wordset_maybe(&p->lex->debt, t + i, k - i) &&
	    (e = money_debt_at(t, p->n->len, i)))
		money_debt(p, i, e);
}

/* The first digit of a run at t[i]. */
static void read_number(struct pass *p, size_t i)
{
	const char *t = p->n->text;

	money_flush(p, i);
	phone_try(p, i, i + 1);
	if (i > 0 && phrase_is_alnum(t[i - 1]))
		return;
	age_try(p, i, i + 1);
	if (!entities_full(p->out, ENTITY_MONEY))
		money_read_at(p, i);
}

/* ASCII punctuation or the first byte of a non-ASCII character at t[i]. */
static void read_sign(struct pass *p, size_t i)
{
	const char *t = p->n->text;
	char c = t[i];

	money_flush(p, i);
	if (c == '.' || c == '!' || c == '?' || c == ';') {
		if (i + 1 == p->n->len || t[i + 1] == ' ')
			money_stop(p, i);
		return;
	}
	if (c != '@') {
		if (c == '+' || c == '$' || (unsigned char)c >= 0x80)
			phone_try(p, i, i + 1);
		return;
	}
	if (!entities_full(p->out, ENTITY_EMAIL))
		contact_email_at(p->n, i, p->out);
	if (!entities_full(p->out, ENTITY_HANDLE))
		contact_handle_at(p->n, &p->lex->platforms, i, i + 1, p->out);
}

struct classes {
	uint64_t alpha, digit, sign;
};

#if defined(__SSE2__)
/* Bytes b of x with lo < b < hi, as signed bytes, for -128 <= lo < hi <= 127. */
static inline __m128i sse_between(__m128i x, int lo, int hi)
{
	return _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8((char)lo)),
			     _mm_cmplt_epi8(x, _mm_set1_epi8((char)hi)));
}

/*
 * The classes of the 64 bytes at s, one bit per byte, sixteen bytes at a
 * time (SSE2 is on every x86-64): the same classes as the eight-byte
 * version below. The comparisons are signed, so bytes from 0x80 on are
 * below every ASCII bound, and the lead bytes 0xc0 to 0xff are those
 * from -64 to -1.
 */
static void classify(const unsigned char *s, struct classes *c)
{
	c->alpha = c->digit = c->sign = 0;
	for (unsigned j = 0; j < 64; j += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + j));
		__m128i sign = _mm_or_si128(_mm_or_si128(sse_between(x, ' ', '0'),
							 sse_between(x, '9', 'A')),
					    sse_between(x, -65, 0));

		c->alpha |= (uint64_t)(unsigned)_mm_movemask_epi8(sse_between(x, 'a' - 1, 'z' + 1)) << j;
		c->digit |= (uint64_t)(unsigned)_mm_movemask_epi8(sse_between(x, '0' - 1, '9' + 1)) << j;
		c->sign |= (uint64_t)(unsigned)_mm_movemask_epi8(sign) << j;
	}
}
#else
/* The classes of the 64 bytes at s, one bit per byte. */
static void classify(const unsigned char *s, struct classes *c)
{
	unsigned j;

	c->alpha = c->digit = c->sign = 0;
	for (j = 0; j < 64; j += 8) {
		uint64_t x = swar_load8(s + j);
		/* ASCII punctuation from "!" to "/" and from ":" to "@", and lead bytes. */
		uint64_t sign = swar_between(x, ' ', '0') | swar_between(x, '9', 'A') | swar_lead(x);

		c->alpha |= (uint64_t)swar_mask(swar_between(x, 'a' - 1, 'z' + 1)) << j;
		c->digit |= (uint64_t)swar_mask(swar_between(x, '0' - 1, '9' + 1)) << j;
		c->sign |= (uint64_t)swar_mask(sign) << j;
	}
}
#endif

/* Where the word of letters that starts at bit j of the block at base ends. */
static size_t word_end(const char *t, size_t len, uint64_t alpha, size_t base, unsigned j)
{
	uint64_t rest = ~alpha >> j;
	size_t k;

	if (rest)
		return base + j + (size_t)__builtin_ctzll(rest);
	for (k = base + 64; k < len && is_alpha(t[k]); k++)
		;
	return k;
}

static void read_all(struct pass *p)
{
	const char *t = p->n->text;
	size_t len = p->n->len, base;
	uint64_t alnum_carry = 0, digit_carry = 0;

	for (base = 0; base < len; base += 64) {
		const unsigned char *block = (const unsigned char *)t + base;
		unsigned char tail[64];
		struct classes c;
		uint64_t alpha, digit, events;

		/* The last block is read from a copy padded with NULs, which are in no class. */
		if (len - base < 64) {
			memset(tail, 0, sizeof(tail));
			memcpy(tail, block, len - base);
			block = tail;
		}
		classify(block, &c);
		alpha = c.alpha;
		digit = c.digit;
		events = (alpha & ~(((alpha | digit) << 1) | alnum_carry)) |
			 (digit & ~((digit << 1) | digit_carry)) | c.sign;
		alnum_carry = (alpha | digit) >> 63;
		digit_carry = digit >> 63;
		while (events) {
			unsigned b = (unsigned)__builtin_ctzll(events);
			size_t i = base + b;

			events &= events - 1;
			if (alpha >> b & 1)
				read_word(p, i, word_end(t, len, alpha, base, b));
			else if (digit >> b & 1)
				read_number(p, i);
			else
				read_sign(p, i);
		}
	}
	phone_scan_finish(&p->phone);
	while (p->npending)
		money_flush_one(p);
}

int entities_extract(const char *text, size_t len, const struct norm *n,
		     const struct entity_options *opt, struct entities *out)
{
	char country[3] = "";
	struct pass p;

	assert(n->len == 0 || n->to[n->len - 1] <= len);
	if (opt) {
		country[0] = opt->default_country[0];
		country[1] = country[0] ? opt->default_country[1] : '\0';
	}
	memset(out->per_kind, 0, sizeof(out->per_kind));
	out->count = 0;
	if (!n->len)
		return VG_OK;
	pthread_once(&lexicon_once, lexicon_init);
	p.lex = &lexicon;
	p.n = n;
	p.country = country;
	p.out = out;
	p.phone_end = 0;
	p.age_end = 0;
	p.npending = 0;
	p.debt_start = p.debt_end = p.stop = NONE;
	phone_scan_init(&p.phone, n, country, &lexicon.digits, out);
	read_all(&p);
	contact_urls(text, n, out);
	return VG_OK;
}

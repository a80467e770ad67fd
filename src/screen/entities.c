#include "base/compat.h"
#include "screen/entities.h"

#include <pthread.h>

#include "screen/age.h"
#include "screen/byteclass.h"
#include "screen/contact.h"
#include "screen/money.h"
#include "screen/numword.h"
#include "screen/phone.h"
#include "screen/phrase.h"
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
	/*
	 * Values of one kind mostly differ in their last byte (the digits of
	 * phone numbers all start alike); with the byte after it, which is
	 * NUL only in values at most len long, it is tested before the rest.
	 */
	for (i = 0; i < e->count; i++) {
		const char *v = e->items[i].value;

		if (e->items[i].kind == kind && v[len] == '\0' &&
		    (len == 0 || v[len - 1] == value[len - 1]) && !memcmp(v, value, len))
			return NULL;
	}
	assert(e->count < ARRAY_SIZE(e->items));
	x = &e->items[e->count++];
	memset(x, 0, sizeof(*x));
	x->kind = kind;
	memcpy(x->value, value, len);
	x->len = len;
	x->start = start;
	x->end = end;
	e->per_kind[kind]++;
	return x;
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
 * Every entity starts at a word, a run of digits or one of a few signs
 * (a URL's host holds a dot), so one pass finds those and hands each to
 * the extractors that want it. The pass reads the text in blocks of 64
 * bytes, makes a bit mask of each class of byte (byteclass.h) and walks
 * the bits that start something. Words are first sifted a block at a time
 * by the first tests of the union of the extractors' wordsets, by the
 * letters at either end and the length (words_wanted()), so the walk stops
 * only at the few that pass them, at numbers and at signs; read_word()
 * then looks each one up whole.
 */
struct lexicon {
	struct wordset digits;      /* spelled-out digits of phone numbers */
	struct age_words ages;
	struct wordset debt, platforms, at;
	struct phrase_list debt_phrases;
	struct wordset age_any;     /* the union of the ages' wordsets */
	struct wordset any;         /* the union of the ones read word by word */
	/*
	 * The first test of any, for words_wanted(): bit n of the entry of
	 * the first two bytes of a word (pair_index()) is set when a word of
	 * n letters that starts with them can be in any. Single letters set
	 * bit 1 of every entry of their letter, whatever the second byte.
	 * end_lengths is the same for the last two bytes (single letters:
	 * whatever the byte before), and a word must pass both.
	 */
	uint64_t pair_lengths[32 * 32];
	uint64_t end_lengths[32 * 32];
};

/*
 * The wordsets are the same for every text, so they are made once, on
 * first use, and only read after that: like the spoof checker of norm.c,
 * this is not state that changes between calls.
 */
static pthread_once_t lexicon_once = PTHREAD_ONCE_INIT;
static struct lexicon lexicon;

/* The entry of pair_lengths for a word whose first two bytes are c0 and c1. */
static inline unsigned pair_index(unsigned c0, unsigned c1)
{
	return (c0 & 31) << 5 | (c1 & 31);
}

/*
 * Sets the bits of one entry of pair_lengths or end_lengths from a slot of
 * any's lengths or ends (wordset_length_bit() gives 15 and more one bit).
 */
static void lengths_add(uint64_t *e, unsigned bits)
{
	for (unsigned n = 1; n < 15; n++)
		if (bits & wordset_length_bit(n))
			*e |= UINT64_C(1) << n;
	if (bits & wordset_length_bit(15))
		*e |= ~UINT64_C(0) << 15;
}

/* Fills pair_lengths and end_lengths from any's tables of letters and lengths. */
static void pair_lengths_init(struct lexicon *l)
{
	memset(l->pair_lengths, 0, sizeof(l->pair_lengths));
	memset(l->end_lengths, 0, sizeof(l->end_lengths));
	for (unsigned c0 = 'a'; c0 <= 'z'; c0++) {
		const char one[] = { (char)c0, ' ' };
		unsigned k1 = wordset_key(one, 1);

		for (unsigned c1 = 0; c1 < 32; c1++) {
			lengths_add(&l->pair_lengths[pair_index(c0, c1)],
				    l->any.lengths[k1] & wordset_length_bit(1));
			lengths_add(&l->end_lengths[pair_index(c1, c0)],
				    l->any.ends[k1] & wordset_length_bit(1));
		}
		for (unsigned c1 = 'a'; c1 <= 'z'; c1++) {
			const char two[] = { (char)c0, (char)c1 };
			unsigned k2 = wordset_key(two, 2);

			lengths_add(&l->pair_lengths[pair_index(c0, c1)],
				    l->any.lengths[k2] & ~wordset_length_bit(1));
			lengths_add(&l->end_lengths[pair_index(c0, c1)],
				    l->any.ends[k2] & ~wordset_length_bit(1));
		}
	}
}

static void lexicon_init(void)
{
	struct lexicon *l = &lexicon;

	wordset_init(&l->digits);
	numword_add_digits(&l->digits);
	age_words_init(&l->ages);
	money_words_init(&l->debt, &l->debt_phrases);
	contact_platforms_init(&l->platforms);
	wordset_init(&l->at);
	contact_at_words(&l->at);
	wordset_init(&l->age_any);
	wordset_merge(&l->age_any, &l->ages.numbers);
	wordset_merge(&l->age_any, &l->ages.before);
	wordset_merge(&l->age_any, &l->ages.cues);
	wordset_init(&l->any);
	wordset_merge(&l->any, &l->digits);
	wordset_merge(&l->any, &l->ages.numbers);
	wordset_merge(&l->any, &l->ages.before);
	wordset_merge(&l->any, &l->ages.cues);
	wordset_merge(&l->any, &l->platforms);
	wordset_merge(&l->any, &l->at);
	wordset_merge(&l->any, &l->debt);
	pair_lengths_init(l);
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
	const char *text;          /* the original of n */
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
	size_t url_from;           /* dots before this are read (contact_url_at_dot()) */
};

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(char c)
{
	return c >= 'a' && c <= 'z';
}

/*
 * Adds the oldest amount waiting. Amounts wait in pending until no word
 * of debt can follow them any more (money_flush()). Only what reads
 * pending flushes it first: a word of debt, a number and the end of a
 * sentence; the other words and signs leave it alone, since flushing up
 * to a later position adds the same amounts in the same order as
 * flushing at every step would.
 */
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
/* pr: the probe of a word of letters, NULL for digits (age_at()). */
static void age_try(struct pass *p, size_t i, const struct wordset_probe *pr)
{
	size_t e;

	if (i < p->age_end || entities_full(p->out, ENTITY_AGE))
		return;
	e = age_at(p->n, &p->lex->ages, i, pr, p->out);
	if (e)
		p->age_end = e;
}

/* A word of letters t[i..k) that starts at a word boundary. */
static void read_word(struct pass *p, size_t i, size_t k)
{
	const char *t = p->n->text;
	struct wordset_probe pr;
	size_t e;

	/*
	 * words_wanted() made the first tests of the union (or the word runs
	 * past its block, where a word the test would turn away is read all
	 * the same: every extractor below looks the word up in its own set).
	 * The word's hash, made once, serves the union and the sets below.
	 */
	wordset_probe_init(&pr, t + i, k - i);
	if (!wordset_maybe_probe_hash(&p->lex->any, &pr)) {
		/* Letters that stand for digits: "O1Z3". */
		if (k < p->n->len && is_digit(t[k]))
			phone_try(p, i, k);
		return;
	}
	phone_try(p, i, k);
	/* A word that starts no age (most of those read: "at", "pay") is not handed to age_at(). */
	if (wordset_maybe_probe(&p->lex->age_any, &pr))
		age_try(p, i, &pr);
	/* contact_handle_at() reads a word only when it may be a platform's name. */
	if (!entities_full(p->out, ENTITY_HANDLE) && wordset_maybe_probe(&p->lex->platforms, &pr))
		contact_handle_at(p->n, &p->lex->platforms, i, k, p->out);
	if (!entities_full(p->out, ENTITY_EMAIL) && wordset_maybe_probe(&p->lex->at, &pr))
		contact_email_at(p->n, i, p->out);
	if (wordset_maybe_probe(&p->lex->debt, &pr) &&
	    (e = money_debt_at(&p->lex->debt_phrases, t, p->n->len, i))) {
		money_flush(p, i);
		money_debt(p, i, e);
	}
}

/* The first digit of a run at t[i]. */
static void read_number(struct pass *p, size_t i)
{
	const char *t = p->n->text;

	money_flush(p, i);
	phone_try(p, i, i + 1);
	if (i > 0 && phrase_is_alnum(t[i - 1]))
		return;
	/* Ages have one or two digits: the groups of phone numbers have more. */
	if (!(i + 2 < p->n->len && is_digit(t[i + 1]) && is_digit(t[i + 2])))
		age_try(p, i, NULL);
	if (!entities_full(p->out, ENTITY_MONEY))
		money_read_at(p, i);
}

/* What a host is made of, as contact.c reads it: letters, digits, "-" and ".". */
static int is_host_byte(char c)
{
	return phrase_is_alnum(c) || c == '-' || c == '.';
}

/*
 * A sign of byteclass.h at t[i]: one of ". ! ? ; @ + $", or the first byte
 * of a non-ASCII character.
 */
static void read_sign(struct pass *p, size_t i)
{
	const char *t = p->n->text;
	char c = t[i];

	/*
	 * Most dots end a sentence. A dot before a byte that no host holds
	 * (contact_url_at_dot()) starts no URL, and that byte also keeps the
	 * next dot's host from reaching back past it, so the call is left out.
	 */
	if (c == '.' && i + 1 < p->n->len && is_host_byte(t[i + 1]) && i >= p->url_from &&
	    !entities_full(p->out, ENTITY_URL))
		p->url_from = contact_url_at_dot(p->text, p->n, p->url_from, i, p->out);
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

/*
 * Whether the word of letters s[b..e] (fewer than 64) passes the first
 * tests of wordset_maybe() on the union of the extractors' wordsets: its
 * first two letters, its last two and its length. s[b + 1] is read even
 * for a word of one letter.
 */
static inline unsigned word_may_be(const struct lexicon *l, const unsigned char *s, size_t b,
				   size_t e)
{
	uint64_t m = l->pair_lengths[pair_index(s[b], s[b + 1])] &
		     l->end_lengths[pair_index(s[e - (e > b)], s[e])];

	return (unsigned)(m >> ((e - b + 1) & 63) & 1);
}

/*
 * The word starts of a block (bits of starts, letters at bits of alpha,
 * the 64 bytes at s and one more) that the pass reads: those whose first
 * two letters, last two and length could be a word of the union of the
 * extractors' wordsets (word_may_be()), and every word that reaches the last byte of the
 * block (read_word() decides). Most words of prose are in none of the
 * wordsets, and testing them here without a branch per word costs less
 * than stopping at each: the branch on the lookup was the hottest part of
 * the pass, mispredicted at random.
 *
 * Every run of letters has a first and a last letter in the block (a run
 * from the block before starts at bit 0 here), so the runs are walked in
 * step from both ends; runs that start no word (after a digit, or from the
 * block before) are tested all the same and masked out at the end.
 */
static uint64_t words_wanted(const struct lexicon *l, const unsigned char *s, uint64_t alpha,
			     uint64_t starts)
{
	uint64_t first = alpha & ~(alpha << 1), last = alpha & ~(alpha >> 1), wanted = 0;

	while (first) {
		unsigned b = (unsigned)__builtin_ctzll(first), e = (unsigned)__builtin_ctzll(last);
		/* The length of a run to bit 63 may be 64; the run is read anyway, below. */
		unsigned may = word_may_be(l, s, b, e);

		first &= first - 1;
		last &= last - 1;
		wanted |= (uint64_t)may << b;
	}
	/* The run that reaches bit 63 starts after the last byte that is no letter. */
	if (alpha >> 63)
		wanted |= UINT64_C(1) << (~alpha ? 64 - __builtin_clzll(~alpha) : 0);
	return wanted & starts;
}

/*
 * The word of letters that ends right before the digit at t[k], if
 * words_wanted() passed it over: it may still stand for digits of a phone
 * number ("O1Z3"), which read_word() would have tried. Nothing else of the
 * pass happens between the word's start and k, so trying it here is the
 * same as trying it there.
 */
static void word_before_digit(struct pass *p, size_t k)
{
	const char *t = p->n->text;
	size_t i = k;

	while (i > 0 && is_alpha(t[i - 1]))
		i--;
	/* Letters right after a digit start no word ("5l0"). */
	if (i == k || (i > 0 && is_digit(t[i - 1])))
		return;
	/* Read by read_word() already: it was wanted, or reached the end of its block. */
	if (k - (i & ~(size_t)63) >= 64 || word_may_be(p->lex, (const unsigned char *)t, i, k - 1))
		return;
	phone_try(p, i, k);
}

static void read_all(struct pass *p)
{
	const char *t = p->n->text;
	size_t len = p->n->len, base;
	uint64_t alnum_carry = 0, digit_carry = 0;

	for (base = 0; base < len; base += 64) {
		const unsigned char *block = (const unsigned char *)t + base;
		unsigned char tail[65];
		struct byteclass c;
		uint64_t alpha, digit, events;

		/*
		 * The last block is read from a copy padded with NULs, which are
		 * in no class; words_wanted() may read the byte after a block.
		 */
		if (len - base <= 64) {
			memset(tail, 0, sizeof(tail));
			memcpy(tail, block, len - base);
			block = tail;
		}
		byteclass_of(block, &c);
		alpha = c.alpha;
		digit = c.digit;
		events = words_wanted(p->lex, block, alpha,
				      alpha & ~(((alpha | digit) << 1) | alnum_carry)) |
			 (digit & ~((digit << 1) | digit_carry)) | c.sign;
		alnum_carry = (alpha | digit) >> 63;
		digit_carry = digit >> 63;
		while (events) {
			unsigned b = (unsigned)__builtin_ctzll(events);
			size_t i = base + b;

			events &= events - 1;
			if (alpha >> b & 1) {
				read_word(p, i, word_end(t, len, alpha, base, b));
			} else if (digit >> b & 1) {
				if (i > 0 && is_alpha(t[i - 1]))
					word_before_digit(p, i);
				read_number(p, i);
			} else {
				read_sign(p, i);
			}
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
	p.text = text;
	p.n = n;
	p.country = country;
	p.out = out;
	p.phone_end = 0;
	p.age_end = 0;
	p.npending = 0;
	p.debt_start = p.debt_end = p.stop = NONE;
	p.url_from = 0;
	phone_scan_init(&p.phone, n, country, &lexicon.digits, out);
	read_all(&p);
	return VG_OK;
}

#include "base/compat.h"
#include "screen/rules_impl.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "screen/swar.h"

/*
 * Phase one's scanner (rules_impl.h, struct p1scan), in place of a
 * vectorscan literal database: on the benchmark corpus it takes some 30 %
 * less time for as many instructions. The filter has the four bytes at
 * about one place in thirteen, and at less than half of those is a string
 * found. Two things make it fast. The keys: by letters that are rare one
 * by one, the strings were found about as often as by their first bytes
 * (" the", "her "); by the runs of four bytes least common in prose
 * (data/indicators/four-grams.tsv), they are seldom compared in vain. And
 * no branch on the filter: a place in thirteen is a block of eight in two,
 * which no branch predictor foresees; the places are written down, and
 * kept when the filter has them, without a branch.
 */

/* Keys of three bytes are the low three of what load4() reads. */
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "rules_scan.c reads keys of three bytes as the low bytes of a 32-bit load"
#endif

/* Fibonacci hashing: the top bits of the product mix all four bytes. */
#define P1_MUL UINT32_C(2654435761)

static inline uint32_t p1_hash(uint32_t key, unsigned bits)
{
	return (key * P1_MUL) >> (32 - bits);
}

static inline uint32_t load4(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* The key of the bytes p[0..n), n 3 or 4, as load4() reads them. */
static uint32_t key_of(const char *p, size_t n)
{
	unsigned char b[4] = { 0 };

	memcpy(b, p, n);
	return load4(b);
}

static int gram_cmp(const void *a, const void *b)
{
	const struct rules_gram *x = a, *y = b;

	return memcmp(x->g, y->g, 4);
}

/* How often the run p[0..4) was counted: 0 when it is not in the list. */
static uint32_t gram_count(const struct rules_gram *grams, size_t n, const char *p)
{
	struct rules_gram k;
	const struct rules_gram *g;

	memcpy(k.g, p, 4);
	g = n ? bsearch(&k, grams, n, sizeof(*grams), gram_cmp) : NULL;
	return g ? g->count : 0;
}

/* Strings of three bytes after those of four; by key, then id, within each. */
static int p1str_cmp(const void *a, const void *b)
{
	const struct p1str *x = a, *y = b;
	bool x3 = x->len == 3, y3 = y->len == 3;

	if (x3 != y3)
		return x3 ? 1 : -1;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/*
 * The run of four bytes of s[0..len) least often counted; among those
 * counted as often (most runs of a string were never seen in the few tips
 * counted), the one whose bytes are least common in the runs counted
 * (freq: each byte's count over all of them), then the first.
 */
static uint32_t window_choose(const struct rules_gram *grams, size_t ngrams,
			      const uint64_t *freq, const char *s, size_t len)
{
	uint32_t best = 0, least = UINT32_MAX;
	uint64_t bytes = UINT64_MAX;

	for (size_t o = 0; o + 4 <= len; o++) {
		uint32_t n = gram_count(grams, ngrams, s + o);
		uint64_t b = 0;

		for (size_t i = 0; i < 4; i++)
			b += freq[(unsigned char)s[o + i]];
		if (n < least || (n == least && b < bytes)) {
			least = n;
			bytes = b;
			best = (uint32_t)o;
		}
	}
	return best;
}

/* Sets key in the filter: see filter_has(). */
static inline void filter_add(uint64_t *f, uint32_t key)
{
	uint32_t h = key * P1_MUL;

	f[h >> (32 - P1_FILTER_BITS + 6)] |= UINT64_C(1) << ((h >> (32 - P1_FILTER_BITS)) & 63);
}

/*
 * A table of at least twice as many slots as keys, a power of two, for
 * strs[from..to) (sorted by key); *bits is the log of its size. A key's
 * first slot is the top bits of its hash: the low bits of a product
 * depend on the low bits of the key only, its first byte or two.
 */
static int slots_fill(struct p1slot **out, unsigned *bits, const struct p1str *strs,
		      size_t from, size_t to)
{
	size_t size = 2;
	unsigned b = 1;
	struct p1slot *t;

	while (size < 2 * (to - from)) {
		size *= 2;
		b++;
	}
	t = calloc(size, sizeof(*t));
	if (!t)
		return VG_NOMEM;
	for (size_t i = from; i < to;) {
		size_t j = i;
		uint32_t h = p1_hash(strs[i].key, b);

		while (j < to && strs[j].key == strs[i].key)
			j++;
		while (t[h].count)
			h = (h + 1) & (uint32_t)(size - 1);
		t[h].key = strs[i].key;
		t[h].first = (uint32_t)i;
		t[h].count = (uint32_t)(j - i);
		i = j;
	}
	*out = t;
	*bits = b;
	return VG_OK;
}

int p1scan_build(struct rules_db *db, const char *const *strs, const size_t *lens, size_t n,
		 const struct rules *r)
{
	struct p1scan *sc = &db->scan;
	struct rules_gram *grams = NULL;
	uint64_t freq[256] = { 0 };
	size_t n3 = 0;
	int rc = VG_NOMEM;

	if (r->ngrams) {
		grams = malloc(r->ngrams * sizeof(*grams));
		if (!grams)
			goto out;
		memcpy(grams, r->grams, r->ngrams * sizeof(*grams));
		qsort(grams, r->ngrams, sizeof(*grams), gram_cmp);
	}
	for (size_t i = 0; i < r->ngrams; i++) {
		for (size_t j = 0; j < 4; j++)
			freq[(unsigned char)r->grams[i].g[j]] += r->grams[i].count;
	}
	sc->filter = calloc((UINT32_C(1) << P1_FILTER_BITS) / 64, sizeof(*sc->filter));
	/* One more: a rule set may have no string, and malloc(0) may give NULL. */
	sc->strs = malloc((n + 1) * sizeof(*sc->strs));
	sc->shorts = malloc((n + 1) * sizeof(*sc->shorts));
	if (!sc->filter || !sc->strs || !sc->shorts)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct p1str *ps;
		struct lit l;

		assert(lens[i] > 0 && lens[i] < LIT_LEN);
		ps = lens[i] < 3 ? &sc->shorts[sc->nshorts++] : &sc->strs[sc->nstrs++];
		if (array_grow(&db->litbuf, &db->capbuf, db->litbuflen + lens[i] + 1, 1))
			goto out;
		l.len = (uint32_t)lens[i];
		lit_head(&l, strs[i], false);
		ps->head = l.head;
		ps->mask = l.mask;
		ps->id = (uint32_t)i;
		ps->lit = (uint32_t)db->litbuflen;
		ps->len = (uint32_t)lens[i];
		ps->off = 0;
		ps->key = 0;
		memcpy(db->litbuf + db->litbuflen, strs[i], lens[i]);
		db->litbuflen += lens[i];
		if (lens[i] < 3)
			continue;
		if (lens[i] == 3) {
			ps->key = key_of(strs[i], 3);
			n3++;
		} else {
			ps->off = window_choose(grams, r->ngrams, freq, strs[i], lens[i]);
			ps->key = key_of(strs[i] + ps->off, 4);
		}
	}
	qsort(sc->strs, sc->nstrs, sizeof(*sc->strs), p1str_cmp);
	for (size_t i = 0; i < sc->nstrs; i++) {
		uint32_t h3;

		if (sc->strs[i].len > 3) {
			filter_add(sc->filter, sc->strs[i].key);
			continue;
		}
		/* A key of three bytes is there whatever the fourth byte is. */
		for (uint32_t c = 0; c < 256; c++)
			filter_add(sc->filter, sc->strs[i].key | c << 24);
		h3 = p1_hash(sc->strs[i].key, P1_HAS3_BITS);
		sc->has3[h3 >> 6] |= UINT64_C(1) << (h3 & 63);
	}
	rc = slots_fill(&sc->slots4, &sc->bits4, sc->strs, 0, sc->nstrs - n3);
	if (!rc)
		rc = slots_fill(&sc->slots3, &sc->bits3, sc->strs, sc->nstrs - n3, sc->nstrs);
out:
	free(grams);
	return rc;
}

void p1scan_release(struct p1scan *sc)
{
	free(sc->filter);
	free(sc->slots4);
	free(sc->slots3);
	free(sc->strs);
	free(sc->shorts);
	memset(sc, 0, sizeof(*sc));
}

/* hit_add() when there is no room in s->hits, or end is past to. */
static __attribute__((noinline)) int hit_add_slow(struct rules_scratch *s, uint32_t id, size_t end,
						  size_t to)
{
	struct hit **v = &s->hits;
	size_t *nv = &s->nhits, *cap = &s->caphits;

	if (end > to) {
		v = &s->carry;
		nv = &s->ncarry;
		cap = &s->capcarry;
	}
	if (*nv == *cap && array_grow(v, cap, *nv + 1, sizeof(**v)))
		return VG_NOMEM;
	(*v)[*nv].id = id;
	(*v)[*nv].end = (uint32_t)end;
	(*nv)++;
	return VG_OK;
}

/* Adds a string found ending at end: to s->hits, or to s->carry past to. */
static inline int hit_add(struct rules_scratch *s, uint32_t id, size_t end, size_t to)
{
	if (end > to || s->nhits == s->caphits)
		return hit_add_slow(s, id, end, to);
	s->hits[s->nhits].id = id;
	s->hits[s->nhits].end = (uint32_t)end;
	s->nhits++;
	return VG_OK;
}

/*
 * Compares the strings of the slot of key in t (if any) with the text
 * where their keys would be at x.
 */
static inline __attribute__((always_inline)) int
slot_check(const struct rules_db *db, struct rules_scratch *s, const struct p1slot *t,
	   unsigned bits, uint32_t key, size_t x, size_t to)
{
	const unsigned char *text = (const unsigned char *)s->text;
	uint32_t mask = (UINT32_C(1) << bits) - 1, h = p1_hash(key, bits);

	for (; t[h].count; h = (h + 1) & mask) {
		if (t[h].key != key)
			continue;
		for (uint32_t i = t[h].first; i < t[h].first + t[h].count; i++) {
			const struct p1str *ps = &db->scan.strs[i];
			const char *lit = db->litbuf + ps->lit;
			size_t st;
			int rc;

			if (x < ps->off || ps->len > s->len - (x - ps->off))
				continue;
			st = x - ps->off;
			if (s->len - st >= 8) {
				if ((swar_load8(text + st) & ps->mask) != ps->head ||
				    (ps->len > 8 && !swar_equal_after8(text + st,
								       (const unsigned char *)lit,
								       ps->len)))
					continue;
			} else if (memcmp(text + st, lit, ps->len)) {
				continue;
			}
			rc = hit_add(s, ps->id, st + ps->len, to);
			if (rc)
				return rc;
		}
		break;
	}
	return VG_OK;
}

/* The strings that may be at x, where the filter has the four bytes key. */
static inline __attribute__((always_inline)) int
candidate(const struct rules_db *db, struct rules_scratch *s, uint32_t key, size_t x, size_t to)
{
	const struct p1scan *sc = &db->scan;
	uint32_t h3 = p1_hash(key & 0xffffff, P1_HAS3_BITS);
	int rc = slot_check(db, s, sc->slots4, sc->bits4, key, x, to);

	if (!rc && (sc->has3[h3 >> 6] >> (h3 & 63) & 1))
		rc = slot_check(db, s, sc->slots3, sc->bits3, key & 0xffffff, x, to);
	return rc;
}

/*
 * Whether the filter has key (0 or 1): the top bits of its hash pick a
 * word of the filter and the six below them a bit of it.
 */
static inline uint64_t filter_has(const uint64_t *f, uint32_t key)
{
	uint32_t h = key * P1_MUL;

	return f[h >> (32 - P1_FILTER_BITS + 6)] >> ((h >> (32 - P1_FILTER_BITS)) & 63) & 1;
}

/*
 * The places from..to of the text whose keys are in the filter: written
 * down eight at a time while eleven bytes can be read, then one at a time,
 * and looked up after; the last three places of the text from a copy
 * padded with zeros (a string is only ever compared with the text itself).
 */
static int keys_scan(const struct rules_db *db, struct rules_scratch *s, size_t from, size_t to)
{
	const unsigned char *t = (const unsigned char *)s->text;
	const uint64_t *f = db->scan.filter;
	unsigned char pad[16] = { 0 };
	uint32_t *cand;
	size_t x = from, n = 0;
	int rc;

	if (s->capcand < to - from + 8 &&
	    array_grow(&s->cand, &s->capcand, to - from + 8, sizeof(*s->cand)))
		return VG_NOMEM;
	cand = s->cand;
	/*
	 * Every place is written to cand and kept when the filter has its
	 * key: a place in thirteen or so is kept, too many for a branch on
	 * each block of places to be foreseen.
	 */
	for (; x + 8 <= to && s->len - x >= 11; x += 8) {
		/* GCC does not unroll it at -O2, and the loop cost as much as the tests. */
#pragma GCC unroll 8
		for (unsigned j = 0; j < 8; j++) {
			cand[n] = (uint32_t)(x + j);
			n += filter_has(f, load4(t + x + j));
		}
	}
	for (; x < to && s->len - x >= 4; x++) {
		cand[n] = (uint32_t)x;
		n += filter_has(f, load4(t + x));
	}
	for (size_t i = 0; i < n; i++) {
		rc = candidate(db, s, load4(t + cand[i]), cand[i], to);
		if (rc)
			return rc;
	}
	if (x >= to)
		return VG_OK;
	/* The last three places of the text, from a copy padded with zeros. */
	memcpy(pad, t + x, s->len - x);
	for (size_t j = 0; x + j < to; j++) {
		uint32_t key = load4(pad + j);

		if (!filter_has(f, key))
			continue;
		rc = candidate(db, s, key, x + j, to);
		if (rc)
			return rc;
	}
	return VG_OK;
}

/* The strings shorter than three bytes that end in (from, to]. */
static int shorts_scan(const struct rules_db *db, struct rules_scratch *s, size_t from, size_t to)
{
	const unsigned char *t = (const unsigned char *)s->text;

	for (size_t i = 0; i < db->scan.nshorts; i++) {
		const struct p1str *ps = &db->scan.shorts[i];
		const unsigned char *lit = (const unsigned char *)db->litbuf + ps->lit;
		size_t x = from + 1 >= ps->len ? from + 1 - ps->len : 0;
		size_t stop = to - ps->len + 1;     /* the starts are x..stop) */
		int rc;

#if defined(__SSE2__)
		/*
		 * Sixteen places at a time: the text holds many of the first
		 * bytes ("-" for "-o"), and a search for that byte alone
		 * stopped at each.
		 */
		__m128i c0 = _mm_set1_epi8((char)lit[0]);
		__m128i c1 = _mm_set1_epi8((char)lit[ps->len - 1]);

		for (; x < stop && s->len - x >= 17; x += 16) {
			__m128i eq = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(t + x)), c0);
			unsigned m;

			if (ps->len == 2)
				eq = _mm_and_si128(eq, _mm_cmpeq_epi8(
					_mm_loadu_si128((const __m128i *)(t + x + 1)), c1));
			m = (unsigned)_mm_movemask_epi8(eq);
			if (stop - x < 16)
				m &= (1u << (stop - x)) - 1;
			while (m) {
				unsigned j = (unsigned)__builtin_ctz(m);

				m &= m - 1;
				rc = hit_add(s, ps->id, x + j + ps->len, to);
				if (rc)
					return rc;
			}
		}
#endif
		for (; x < stop; x++) {
			if (t[x] != lit[0] || (ps->len == 2 && t[x + 1] != lit[1]))
				continue;
			rc = hit_add(s, ps->id, x + ps->len, to);
			if (rc)
				return rc;
		}
	}
	return VG_OK;
}


int p1scan_chunk(const struct rules_db *db, struct rules_scratch *s, size_t from, size_t to)
{
	size_t kept = 0, n0 = s->nhits;
	int rc;

	assert(from < to && to <= s->len);
	/* What an earlier chunk found ending in this one, and no further. */
	for (size_t i = 0; i < s->ncarry; i++) {
		if (s->carry[i].end > to) {
			s->carry[kept++] = s->carry[i];
			continue;
		}
		if (s->nhits == s->caphits &&
		    array_grow(&s->hits, &s->caphits, s->nhits + 1, sizeof(*s->hits)))
			return VG_NOMEM;
		s->hits[s->nhits++] = s->carry[i];
	}
	s->ncarry = kept;
	rc = keys_scan(db, s, from, to);
	if (!rc)
		rc = shorts_scan(db, s, from, to);
	if (rc)
		return rc;
	/*
	 * Found in order of where their keys are: nearly in order of their
	 * ends, which differ from it by less than LIT_LEN. The order of those
	 * that end at one place does not matter (hits_process()).
	 */
	for (size_t i = n0 + 1; i < s->nhits; i++) {
		struct hit h = s->hits[i];
		size_t j = i;

		for (; j > n0 && h.end < s->hits[j - 1].end; j--)
			s->hits[j] = s->hits[j - 1];
		s->hits[j] = h;
	}
	return VG_OK;
}

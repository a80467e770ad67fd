#include "base/compat.h"
#include "cluster/lsh.h"

/* Inlined from libxxhash's header, as in minhash.c: one short hash per band. */
#define XXH_INLINE_ALL
#include <xxhash.h>

/*
 * A segment's first size in buckets, and its largest (slots a 32-bit count
 * may hold).
 */
#define SEG_MIN 8u
#define SEG_MAX (UINT32_MAX / 2 / LSH_BUCKET)

int lsh_layout_ok(unsigned bands, unsigned rows)
{
	return bands >= 1 && rows >= 1 && bands <= LSH_BANDS_MAX &&
	       (size_t)bands * rows <= MINHASH_K;
}

void lsh_init(struct lsh *l, unsigned bands, unsigned rows, uint64_t seed)
{
	assert(lsh_layout_ok(bands, rows));
	l->bands = bands;
	l->rows = rows;
	l->levels = 1 + (MINHASH_K - bands * rows) / bands;
	if (l->levels > LSH_LEVELS)
		l->levels = LSH_LEVELS;
	l->seed = seed;
	l->used = 0;
	memset(l->seg, 0, sizeof(l->seg));
}

void lsh_release(struct lsh *l)
{
	size_t i;

	for (i = 0; i < LSH_SEGMENTS; i++)
		free(l->seg[i].slots);
	memset(l->seg, 0, sizeof(l->seg));
	l->used = 0;
}

void lsh_keys(const struct lsh *l, const uint32_t sig[MINHASH_K],
	      uint32_t keys[LSH_BANDS_MAX][LSH_LEVELS], unsigned levels)
{
	uint32_t v[MINHASH_K];
	unsigned b, k, spare = l->bands * l->rows;

	assert(levels >= 1 && levels <= l->levels);
	for (b = 0; b < l->bands; b++) {
		/* The band's rows, then its spare values, one more per level. */
		memcpy(v, sig + (size_t)b * l->rows, l->rows * sizeof(*v));
		for (k = 1; k < levels; k++)
			v[l->rows + k - 1] = sig[spare + b * (l->levels - 1) + k - 1];
		for (k = 0; k < levels; k++) {
			uint64_t h = XXH3_64bits_withSeed(v, (l->rows + k) * sizeof(*v),
							  l->seed + b + (uint64_t)k * LSH_BANDS_MAX);

			keys[b][k] = (uint32_t)(h ^ (h >> 32));
		}
	}
}

/* The segment of key: its top 8 bits. */
static struct lsh_segment *segment_of(const struct lsh *l, uint32_t key)
{
	return (struct lsh_segment *)&l->seg[key >> 24];
}

/*
 * The home bucket of key in seg: the key's low 24 bits scaled to the
 * segment's number of buckets (the top 8 bits chose the segment).
 */
static uint32_t home(const struct lsh_segment *seg, uint32_t key)
{
	return (uint32_t)(((uint64_t)(key & 0xffffff) * seg->buckets) >> 24);
}

/*
 * Which of a bucket's slots hold an entry, a bit each. Slots fill in order
 * and are never emptied, so the first free one is the count of the used.
 */
static inline unsigned bucket_used(const struct lsh_slot *s)
{
	unsigned j, used = 0;

	for (j = 0; j < LSH_BUCKET; j++)
		used |= (unsigned)(s[j].ad != LSH_EMPTY) << j;
	return used;
}

void lsh_prefetch(const struct lsh *l, uint32_t key)
{
	const struct lsh_segment *seg = segment_of(l, key);

	if (seg->buckets)
		__builtin_prefetch(&seg->slots[(size_t)home(seg, key) * LSH_BUCKET]);
}

size_t lsh_find(const struct lsh *l, uint32_t key, uint32_t out[LSH_PER_KEY])
{
	const struct lsh_segment *seg = segment_of(l, key);
	uint32_t b;
	size_t n = 0;

	if (!seg->buckets)
		return 0;
	/*
	 * Entries are never removed, and each went into the first bucket from
	 * its home on that had room; so every entry of key is in the buckets
	 * from key's home up to the first one that is not full.
	 */
	for (b = home(seg, key);; b = b + 1 == seg->buckets ? 0 : b + 1) {
		const struct lsh_slot *s = &seg->slots[(size_t)b * LSH_BUCKET];
		unsigned j, match = 0, used = 0;

		/* A bucket at a time without a branch per slot: masks, then the matches. */
		for (j = 0; j < LSH_BUCKET; j++) {
			match |= (unsigned)(s[j].key == key && s[j].ad != LSH_EMPTY) << j;
			used |= (unsigned)(s[j].ad != LSH_EMPTY) << j;
		}
		for (; match && n < LSH_PER_KEY; match &= match - 1)
			out[n++] = s[__builtin_ctz(match)].ad;
		if (used != (1u << LSH_BUCKET) - 1 || n == LSH_PER_KEY)
			break;
	}
	return n;
}

/* Places an entry into a segment known to have room: the first free slot from its home on. */
static void place(struct lsh_segment *seg, struct lsh_slot e)
{
	uint32_t b;

	for (b = home(seg, e.key);; b = b + 1 == seg->buckets ? 0 : b + 1) {
		struct lsh_slot *s = &seg->slots[(size_t)b * LSH_BUCKET];
		unsigned used = bucket_used(s);

		if (used != (1u << LSH_BUCKET) - 1) {
			s[__builtin_ctz(~used)] = e;
			return;
		}
	}
}

/* Grows a segment by half and places its entries again. */
static int grow(struct lsh_segment *seg)
{
	struct lsh_segment old = *seg;
	uint32_t buckets = seg->buckets ? seg->buckets + seg->buckets / 2 : SEG_MIN, i;
	size_t bytes = (size_t)buckets * LSH_BUCKET * sizeof(*seg->slots);

	if (seg->buckets >= SEG_MAX / 3 * 2)
		return VG_TOOBIG;
	/* One bucket is one cache line. */
	seg->slots = aligned_alloc(LSH_BUCKET * sizeof(*seg->slots), bytes);
	if (!seg->slots) {
		*seg = old;
		return VG_NOMEM;
	}
	seg->buckets = buckets;
	for (i = 0; i < buckets * LSH_BUCKET; i++)
		seg->slots[i].ad = LSH_EMPTY;
	for (i = 0; i < old.buckets * LSH_BUCKET; i++)
		if (old.slots[i].ad != LSH_EMPTY)
			place(seg, old.slots[i]);
	free(old.slots);
	return VG_OK;
}

int lsh_insert(struct lsh *l, uint32_t key, uint32_t ad)
{
	struct lsh_segment *seg = segment_of(l, key);
	struct lsh_slot e = {key, ad};
	uint64_t cap = (uint64_t)seg->buckets * LSH_BUCKET;
	int rc;

	assert(ad != LSH_EMPTY);
	if ((uint64_t)seg->used + 1 > cap - cap / 8) {
		rc = grow(seg);
		if (rc)
			return rc;
	}
	place(seg, e);
	seg->used++;
	l->used++;
	return VG_OK;
}

void lsh_foreach(const struct lsh *l, void (*fn)(void *arg, uint32_t key, uint32_t ad),
		 void *arg)
{
	size_t s;
	uint32_t i;

	for (s = 0; s < LSH_SEGMENTS; s++)
		for (i = 0; i < l->seg[s].buckets * LSH_BUCKET; i++)
			if (l->seg[s].slots[i].ad != LSH_EMPTY)
				fn(arg, l->seg[s].slots[i].key, l->seg[s].slots[i].ad);
}

#include "base/compat.h"
#include "cluster/lsh.h"

/* Inlined from libxxhash's header, as in minhash.c: one short hash per band. */
#define XXH_INLINE_ALL
#include <xxhash.h>

/* A segment's first size, and its largest (slots a 32-bit count may hold). */
#define SEG_MIN 64u
#define SEG_MAX (UINT32_MAX / 2)

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
	      uint32_t keys[LSH_BANDS_MAX][LSH_LEVELS])
{
	uint32_t v[MINHASH_K];
	unsigned b, k, spare = l->bands * l->rows;

	for (b = 0; b < l->bands; b++) {
		/* The band's rows, then its spare values, one more per level. */
		memcpy(v, sig + (size_t)b * l->rows, l->rows * sizeof(*v));
		for (k = 1; k < l->levels; k++)
			v[l->rows + k - 1] = sig[spare + b * (l->levels - 1) + k - 1];
		for (k = 0; k < l->levels; k++) {
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
 * The home slot of key in seg: its low 24 bits scaled to the segment's
 * size, so that keys keep their order in the array whatever the size.
 */
static uint32_t home(const struct lsh_segment *seg, uint32_t key)
{
	return (uint32_t)(((uint64_t)(key & 0xffffff) * seg->cap) >> 24);
}

/* How far slot i is past home h, around the end of the segment. */
static uint32_t distance(const struct lsh_segment *seg, uint32_t i, uint32_t h)
{
	return i >= h ? i - h : i + seg->cap - h;
}

void lsh_prefetch(const struct lsh *l, uint32_t key)
{
	const struct lsh_segment *seg = segment_of(l, key);

	if (seg->cap)
		__builtin_prefetch(&seg->slots[home(seg, key)]);
}

size_t lsh_find(const struct lsh *l, uint32_t key, uint32_t out[LSH_PER_KEY])
{
	const struct lsh_segment *seg = segment_of(l, key);
	uint32_t i, dist;
	size_t n = 0;

	if (!seg->cap)
		return 0;
	i = home(seg, key);
	/*
	 * Robin Hood order: an entry sits no closer to its home than any entry
	 * it passed, so the search stops at the first entry that is closer to
	 * its own home than the key would be.
	 */
	for (dist = 0;; dist++, i = i + 1 == seg->cap ? 0 : i + 1) {
		const struct lsh_slot *s = &seg->slots[i];

		if (s->ad == LSH_EMPTY || distance(seg, i, home(seg, s->key)) < dist)
			break;
		if (s->key == key) {
			out[n++] = s->ad;
			if (n == LSH_PER_KEY)
				break;
		}
	}
	return n;
}

/* Places an entry into a segment known to have room. */
static void place(struct lsh_segment *seg, struct lsh_slot e)
{
	uint32_t i = home(seg, e.key), dist = 0;

	for (;; dist++, i = i + 1 == seg->cap ? 0 : i + 1) {
		struct lsh_slot *s = &seg->slots[i];
		uint32_t theirs;

		if (s->ad == LSH_EMPTY) {
			*s = e;
			return;
		}
		theirs = distance(seg, i, home(seg, s->key));
		if (theirs < dist) {
			struct lsh_slot t = *s;

			*s = e;
			e = t;
			dist = theirs;
		}
	}
}

/* Grows a segment by half and places its entries again. */
static int grow(struct lsh_segment *seg)
{
	struct lsh_segment old = *seg;
	uint32_t cap = seg->cap ? seg->cap + seg->cap / 2 : SEG_MIN, i;

	if (seg->cap >= SEG_MAX / 3 * 2)
		return VG_TOOBIG;
	seg->slots = malloc((size_t)cap * sizeof(*seg->slots));
	if (!seg->slots) {
		*seg = old;
		return VG_NOMEM;
	}
	seg->cap = cap;
	for (i = 0; i < cap; i++)
		seg->slots[i].ad = LSH_EMPTY;
	for (i = 0; i < old.cap; i++)
		if (old.slots[i].ad != LSH_EMPTY)
			place(seg, old.slots[i]);
	free(old.slots);
	return VG_OK;
}

int lsh_insert(struct lsh *l, uint32_t key, uint32_t ad)
{
	struct lsh_segment *seg = segment_of(l, key);
	struct lsh_slot e = {key, ad};
	int rc;

	assert(ad != LSH_EMPTY);
	if ((uint64_t)seg->used + 1 > (uint64_t)seg->cap - seg->cap / 8) {
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
		for (i = 0; i < l->seg[s].cap; i++)
			if (l->seg[s].slots[i].ad != LSH_EMPTY)
				fn(arg, l->seg[s].slots[i].key, l->seg[s].slots[i].ad);
}

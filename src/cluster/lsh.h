/*
 * lsh.h - locality-sensitive hashing of MinHash signatures by banding.
 *
 * A signature's first bands * rows values are cut into `bands` bands of
 * `rows` values; each band hashes (XXH3, seeded by the band's number) to a
 * key. Two texts of Jaccard similarity s share at least one key with
 * probability 1 - (1 - s^rows)^bands: an S-curve whose steepest point is
 * near (1 / bands)^(1 / rows). Pairs that share a key are only candidates:
 * the caller checks each one (cluster/index.c compares sketches).
 *
 * The table maps keys to ad numbers. A key is 32 bits of the band's hash,
 * so a lookup can return an ad whose band merely hashes alike (about one
 * lookup in 2^32 / entries): one more reason to check candidates. A key
 * holds at most LSH_PER_KEY ads, so a band that many unrelated ads share
 * (both of its values from stock phrases) costs a bounded amount.
 *
 * Such a key fills up with unrelated ads, and then the band is lost to
 * every later template it would have found. So each band also has longer
 * keys, of its rows plus one, then two, of the signature's values that no
 * band uses: an ad that finds a key full also looks up the band's next
 * longer key, and is stored under the last key it looked up when no ad it
 * found was like it. Two copies of a template that meet a full key both go
 * on to the same longer key, which unrelated ads share far less often. The
 * number of levels is whatever the spare values allow, up to LSH_LEVELS
 * (docs/ads.md, "Templates").
 *
 * Layout: one table for all bands, cut into LSH_SEGMENTS segments by the
 * key's top 8 bits. Each segment is an array of buckets of LSH_BUCKET
 * slots, one 64-byte cache line each, 8 bytes a slot (the key's 32 bits and
 * the ad), probed linearly a bucket at a time: a key's entries are in its
 * home bucket or, when that filled up, the next ones, so a lookup reads one
 * cache line nearly always and an insert moves nothing. (The Robin Hood
 * slots this replaced read and moved entries across several lines as the
 * table filled.) A segment grows by half when 7/8 full: only one segment
 * is copied at a time, so growing never needs twice the table's memory,
 * and the table stays between 58% and 88% full. Pure and caller-owned;
 * nothing is shared between tables.
 */
#ifndef VIGIL_LSH_H
#define VIGIL_LSH_H

#include <stddef.h>
#include <stdint.h>

#include "cluster/minhash.h"

#define LSH_BANDS_MAX 32
#define LSH_PER_KEY 4
#define LSH_LEVELS 3
#define LSH_EMPTY UINT32_MAX

#define LSH_SEGMENTS 256
/* Slots per bucket: a cache line. */
#define LSH_BUCKET 8

struct lsh_slot {
	uint32_t key;
	uint32_t ad; /* LSH_EMPTY when the slot is free */
};

struct lsh_segment {
	struct lsh_slot *slots;  /* buckets * LSH_BUCKET, aligned to a bucket */
	uint32_t buckets;        /* 0 before the first insert */
	uint32_t used;
};

struct lsh {
	unsigned bands, rows;
	unsigned levels; /* keys per band: 1 to LSH_LEVELS */
	uint64_t seed;
	size_t used;     /* entries in all */
	struct lsh_segment seg[LSH_SEGMENTS];
};

/*
 * Sets up an empty table. bands and rows are at least 1, bands is at most
 * LSH_BANDS_MAX and bands * rows at most MINHASH_K (asserted: check user
 * input with lsh_layout_ok() first).
 */
void lsh_init(struct lsh *l, unsigned bands, unsigned rows, uint64_t seed);
void lsh_release(struct lsh *l);

/* Whether bands x rows is a layout lsh_init() accepts. */
int lsh_layout_ok(unsigned bands, unsigned rows);

/*
 * The keys of each band of sig (32 bits of a hash): keys[b][0] of band b's
 * rows, keys[b][1 .. levels-1] the longer ones, for the first `levels`
 * (1 to l->levels) levels; the others are left as they were.
 */
void lsh_keys(const struct lsh *l, const uint32_t sig[MINHASH_K],
	      uint32_t keys[LSH_BANDS_MAX][LSH_LEVELS], unsigned levels);

/* Asks the CPU to start loading key's bucket, so that lookups of all bands overlap. */
void lsh_prefetch(const struct lsh *l, uint32_t key);

/* The ads stored under key, at most LSH_PER_KEY of them; returns how many. */
size_t lsh_find(const struct lsh *l, uint32_t key, uint32_t out[LSH_PER_KEY]);

/*
 * Stores ad (not LSH_EMPTY) under key. The caller keeps to LSH_PER_KEY ads
 * a key by asking lsh_find() first. VG_NOMEM, or VG_TOOBIG past 2^31 slots
 * in a segment. A saved table is loaded by inserting its entries again.
 */
int lsh_insert(struct lsh *l, uint32_t key, uint32_t ad);

/* Calls fn for every entry, in a fixed order. */
void lsh_foreach(const struct lsh *l, void (*fn)(void *arg, uint32_t key, uint32_t ad),
		 void *arg);

#endif

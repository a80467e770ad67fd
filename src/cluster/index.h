/*
 * index.h - the ads seen so far, what is kept of each, and their template
 * clusters: everything `vigil ads cluster --index FILE` keeps between runs.
 *
 * Of an ad only this is kept (docs/ads.md, "Memory"): its id, posting
 * time, place (city and region), contacts (phones in E.164 and emails, by
 * number), the indicator categories it showed (a bit each), its youngest
 * stated age, a 32-byte MinHash sketch, its template cluster (union-find)
 * and the LSH keys it added. Never its text.
 *
 * index_add() places an ad in a template cluster: it looks up the LSH keys
 * of the ad's signature and joins the ad to every candidate whose sketch
 * estimates a Jaccard similarity of at least params.threshold. A band
 * whose key already holds LSH_PER_KEY ads goes on to its next longer key
 * (lsh.h); the ads under such a passed full key are checked only when no
 * other candidate was similar. A band that found no similar ad stores the
 * ad under the last key it looked up, if that one has room. Ads are numbered 0, 1, 2, ... in
 * the order they were added; a cluster is named by its first ad's number.
 *
 * index_save() and index_load() write and read the whole index through a
 * callback in a versioned little-endian format ending in an XXH3 checksum
 * (docs/ads.md, "The index file"); the file itself is the caller's. A
 * loaded index goes on exactly as if its ads had been added in this run.
 *
 * Pure: no I/O, no global state; one index belongs to one thread.
 */
#ifndef VIGIL_INDEX_H
#define VIGIL_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "cluster/intern.h"
#include "cluster/lsh.h"
#include "cluster/minhash.h"
#include "cluster/unionfind.h"

/* Indicator categories the index can keep a bit for. */
#define INDEX_CATS_MAX 16
/* Contacts kept per ad; more are dropped (and counted). */
#define INDEX_CONTACTS_MAX 8
/* The longest ad id, city or region, in bytes. */
#define INDEX_FIELD_MAX 256
#define INDEX_NO_TIME INT64_MIN
#define INDEX_NO_AGE 0xff
#define INDEX_NONE UINT32_MAX

struct index_params {
	uint64_t seed;      /* of the hash functions */
	unsigned shingle;   /* words per shingle */
	unsigned bands;     /* LSH bands ... */
	unsigned rows;      /* ... of this many values each */
	double threshold;   /* the least estimated Jaccard similarity of one template */
};

/* The defaults documented in docs/ads.md: seed 1, bigrams, 9 bands of 2 rows, 0.42. */
void index_params_default(struct index_params *p);

/* VG_OK, or VG_INVAL with a message in err for a layout or threshold out of range. */
int index_params_check(const struct index_params *p, char *err, size_t errsize);

/*
 * What index_add() needs of an ad's text: the sketch it keeps and the LSH
 * keys it looks up, both from the text's signature. index_sign() makes
 * them; it only reads the index's parameters (and whether index_defer()
 * was called: the batch path needs only each band's first key, and the
 * longer ones are not made), so the threads that sign ads may call it
 * while another adds ads.
 */
struct index_sig {
	uint8_t sketch[MINHASH_SKETCH_BYTES];
	uint32_t keys[LSH_BANDS_MAX][LSH_LEVELS];
};

/*
 * The hashes index_add() looks an ad's id, place and contacts up by, and
 * the strings' lengths: made by index_hash() on any thread.
 */
struct index_hashes {
	uint64_t id, place, contact[INDEX_CONTACTS_MAX];
	uint32_t city_len, region_len, contact_len[INDEX_CONTACTS_MAX];
};

/* One ad as the caller read and screened it. */
struct index_ad {
	const char *id;
	size_t id_len;
	int64_t posted;               /* seconds since 1970, or INDEX_NO_TIME */
	const char *city;             /* "" when not given */
	const char *region;           /* "" when not given */
	const char *contacts[INDEX_CONTACTS_MAX]; /* "+15555550123" or "name@example.com" */
	size_t n_contacts;
	uint16_t cats;                /* bits from index_category() */
	unsigned min_age;             /* youngest stated age, or INDEX_NO_AGE */
	const struct index_sig *sig;  /* from index_sign(); NULL when the text had no word */
	const struct index_hashes *h; /* from index_hash(), or NULL: index_add() makes them */
};

struct index_pair {
	uint32_t ad, contact;
};

struct ads_index {
	struct index_params params;
	unsigned max_differ;        /* sketch positions that may differ at the threshold */
	struct minhash mh;
	struct lsh lsh;
	struct uf tpl;              /* template clusters */
	struct intern ids;          /* number i is ad i's id */
	struct intern places;       /* "city\x1fregion" */
	struct intern contacts;
	struct intern cats;         /* category names; number i is bit i */
	int64_t *posted;
	uint32_t *place;
	uint32_t *contact;          /* the ad's first contact, or INDEX_NONE */
	uint16_t *catbits;
	uint8_t *age;
	uint8_t *sketch;            /* MINHASH_SKETCH_BYTES per ad, from a cache line's start */
	uint8_t *sketch_mem;        /* the allocation the sketches lie in */
	size_t n, cap;
	struct index_pair *extra;   /* contacts after each ad's first */
	size_t n_extra, cap_extra;
	uint32_t *extra_at;         /* index_flatten(): where each ad's extras start, or NULL */
	size_t n_loaded;            /* ads that came from index_load() */
	int dropped;                /* index_drop_lookup() was called */
	uint64_t dropped_cats;      /* category sightings past INDEX_CATS_MAX */
	int deferred;               /* index_defer(): clustering waits for index_settle() */
	int settled;                /* index_settle() ran: the LSH table was never filled */
	uint32_t *first_keys[LSH_BANDS_MAX]; /* deferred: each band's first key of every ad */
	uint8_t *wordless;          /* deferred: a bit per ad whose text had no word */
};

void index_sign(const struct ads_index *x, const uint32_t sig[MINHASH_K], struct index_sig *out);

/* An empty index with params (already checked). */
void index_init(struct ads_index *x, const struct index_params *p);
void index_release(struct ads_index *x);

/*
 * The bit of indicator category name, registered on first sight. VG_TOOBIG
 * once INDEX_CATS_MAX categories are known (the sighting is counted in
 * dropped_cats), VG_NOMEM.
 */
int index_category(struct ads_index *x, const char *name, unsigned *bit);

/*
 * The hashes of ad's id, place and contacts (the lengths of its city,
 * region and contacts must fit in 32 bits: index_add() refuses longer
 * fields anyway). Reads only the ad, so the threads that read ads may make
 * them while another adds ads.
 */
void index_hash(const struct index_ad *ad, struct index_hashes *out);

/*
 * Asks for the table slots that index_add() will read for an ad with
 * hashes h and n_contacts contacts. At millions of ads the tables of ids
 * and contacts are far larger than the caches and each lookup misses: a
 * caller that knows the next ads calls this a few ads ahead, so that the
 * misses overlap the work on the ads before.
 */
void index_prefetch(const struct ads_index *x, const struct index_hashes *h, size_t n_contacts);

/*
 * A contact seen before is then compared with its string, found through
 * its offset: two more misses, one after the other. Called after
 * index_prefetch() once the slots have arrived, with step 0 and then,
 * later still, step 1, this asks for the offset and then the string
 * (intern_prefetch_match()).
 */
void index_prefetch_contacts(const struct ads_index *x, const struct index_hashes *h,
			     size_t n_contacts, int step);

/*
 * Adds an ad and places it in a template cluster; *out is its number.
 * VG_EXISTS when an ad with the same id is already in the index (it is
 * not added again: a day's scrape may overlap the last), VG_INVAL for a field with a NUL or "\x1f" or an empty id,
 * VG_TOOBIG for a field past INDEX_FIELD_MAX or an index past 2^32 - 2
 * ads, VG_NOMEM.
 */
int index_add(struct ads_index *x, const struct index_ad *ad, uint32_t *out);

/*
 * The batch path. index_defer(), on an empty index, makes index_add() keep
 * each ad's sketch and its bands' first keys (4 bytes a band) instead of
 * looking them up; index_settle(), once every ad is in, clusters them all
 * by sorting: per band, the (key, ad) pairs of every ad are radix-sorted,
 * and each run of equal keys is walked in ad order exactly as the table
 * would have been filled: an ad is checked against the run's first
 * LSH_PER_KEY ads that were not like an earlier one (the ads the table
 * would have stored), and once those are LSH_PER_KEY it goes on to the
 * band's next longer key. The longer keys of this path mix the first key
 * with the sketch's 4 bits of the band's spare values (lsh.h), so they
 * need no memory of their own. The memory is read in order instead of at
 * random (docs/ads.md, "The batch path"). Between the two calls clusters
 * may not be read; after index_settle() the index can be read, ranked and
 * written, but index_add() and index_save() may not be called (asserted):
 * an index that will be saved and added to later (`--index`) is filled
 * one ad at a time through the table. index_settle() returns VG_NOMEM.
 */
void index_defer(struct ads_index *x);
int index_settle(struct ads_index *x);

/* The template cluster of ad a: the number of its first ad. */
static inline uint32_t index_cluster(struct ads_index *x, uint32_t a)
{
	return uf_find(&x->tpl, a);
}

/*
 * Where ad a's contacts after its first start in x->extra (they are kept
 * in ad order): x->extra[i] for i from there while x->extra[i].ad == a.
 */
size_t index_extra(const struct ads_index *x, uint32_t a);

/*
 * Makes every ad's parent its cluster's first ad, so x->tpl.parent[a] is
 * a's cluster, and makes index_extra() a table lookup until the next
 * index_add() (4 bytes an ad; without the memory it stays a search).
 */
void index_flatten(struct ads_index *x);

/*
 * Frees what only adding ads needs, the LSH table and the sketches (most
 * of the index's memory), when no more ads will come and the index will
 * not be saved: what remains can be read, ranked and written out.
 * index_add() and index_save() may not be called after it (asserted).
 */
void index_drop_lookup(struct ads_index *x);

/* The city and region of place p (either may be ""), cut at the separator into bufs. */
void index_place(const struct ads_index *x, uint32_t p, const char **city, size_t *city_len,
		 const char **region);

typedef int (*index_write_fn)(void *arg, const void *data, size_t len);
/* Reads exactly len bytes or fails (VG_IO, VG_INVAL for a short file). */
typedef int (*index_read_fn)(void *arg, void *data, size_t len);

/* Writes the whole index; a write error is returned as the callback gave it. */
int index_save(const struct ads_index *x, index_write_fn write, void *arg);

/*
 * Reads an index written by index_save() into x, which must be empty (just
 * index_init()ed); its parameters are replaced by the file's. size is the
 * file's length in bytes: counts that could not fit in it are refused
 * before anything is allocated for them. VG_INVAL for a file that is not
 * an index of this version, is cut short or too long, fails its checksum
 * or holds anything out of range, VG_NOMEM; on failure x is released.
 */
int index_load(struct ads_index *x, index_read_fn read, void *arg, uint64_t size);

#endif

#include "base/compat.h"
#include "cluster/index.h"
#include "base/hugepage.h"

#include <xxhash.h>

#define PLACE_SEP '\x1f'
#define MAGIC "VIGILADS"
/*
 * 3: words hashed by minhash.c's multiply-shift hash instead of XXH3.
 * 2: signatures by one-permutation hashing (minhash.h). The sketches and
 * keys of an older version came from other hash functions and would never
 * match a new ad's.
 */
#define VERSION 3
/* A cache line: where the sketches start. */
#define SKETCH_ALIGN 64
/* The fewest bytes one ad takes in a file: used to refuse impossible counts. */
#define AD_MIN_BYTES (8 + 4 + 4 + 2 + 1 + MINHASH_SKETCH_BYTES + 4 + 2)

void index_params_default(struct index_params *p)
{
	p->seed = 1;
	p->shingle = 2;
	p->bands = 9;
	p->rows = 2;
	p->threshold = 0.42;
}

int index_params_check(const struct index_params *p, char *err, size_t errsize)
{
	if (p->shingle < 1 || p->shingle > MINHASH_SHINGLE_MAX) {
		snprintf(err, errsize, "shingles are 1 to %d words", MINHASH_SHINGLE_MAX);
		return VG_INVAL;
	}
	if (!lsh_layout_ok(p->bands, p->rows)) {
		snprintf(err, errsize, "the band layout %ux%u must have 1 to %d bands and at most %d values",
			 p->bands, p->rows, LSH_BANDS_MAX, MINHASH_K);
		return VG_INVAL;
	}
	if (!(p->threshold > 0.0 && p->threshold <= 1.0)) {
		snprintf(err, errsize, "the threshold must be above 0 and at most 1");
		return VG_INVAL;
	}
	return VG_OK;
}

/*
 * The most sketch positions that may differ for the threshold to be met:
 * minhash_sketch_similarity() of every possible count, once, so that the
 * check of a candidate counts differences and compares integers.
 */
static unsigned max_differ(double threshold)
{
	uint8_t a[MINHASH_SKETCH_BYTES] = {0}, b[MINHASH_SKETCH_BYTES] = {0};
	unsigned d, most = 0;

	for (d = 0; d <= MINHASH_K; d++) {
		if (d)
			b[(d - 1) / 2] |= (uint8_t)(1u << ((d - 1) % 2 * 4));
		if (minhash_sketch_similarity(a, b) >= threshold)
			most = d;
	}
	return most;
}

void index_init(struct ads_index *x, const struct index_params *p)
{
	memset(x, 0, sizeof(*x));
	x->params = *p;
	x->max_differ = max_differ(p->threshold);
	minhash_init(&x->mh, p->seed, p->shingle);
	lsh_init(&x->lsh, p->bands, p->rows, p->seed);
	uf_init(&x->tpl);
	intern_init(&x->ids);
	intern_init(&x->places);
	intern_init(&x->contacts);
	intern_init(&x->cats);
}

static void drop_first_keys(struct ads_index *x)
{
	size_t b;

	for (b = 0; b < LSH_BANDS_MAX; b++) {
		free(x->first_keys[b]);
		x->first_keys[b] = NULL;
	}
	free(x->wordless);
	x->wordless = NULL;
}

void index_release(struct ads_index *x)
{
	lsh_release(&x->lsh);
	uf_release(&x->tpl);
	intern_release(&x->ids);
	intern_release(&x->places);
	intern_release(&x->contacts);
	intern_release(&x->cats);
	free(x->posted);
	free(x->place);
	free(x->contact);
	free(x->catbits);
	free(x->age);
	free(x->sketch_mem);
	free(x->extra);
	free(x->extra_at);
	drop_first_keys(x);
	x->extra_at = NULL;
	x->posted = NULL;
	x->place = x->contact = NULL;
	x->catbits = NULL;
	x->age = x->sketch = x->sketch_mem = NULL;
	x->extra = NULL;
	x->n = x->cap = x->n_extra = x->cap_extra = x->n_loaded = 0;
}

int index_category(struct ads_index *x, const char *name, unsigned *bit)
{
	uint32_t id = intern_find(&x->cats, name, strlen(name));
	int rc;

	if (id == INTERN_NONE) {
		if (x->cats.n >= INDEX_CATS_MAX) {
			x->dropped_cats++;
			return VG_TOOBIG;
		}
		rc = intern_add(&x->cats, name, strlen(name), &id, NULL);
		if (rc)
			return rc;
	}
	*bit = id;
	return VG_OK;
}

/* Grows one per-ad array to cap elements of size bytes. */
static int grow_array(void **p, size_t cap, size_t size)
{
	void *q = realloc(*p, cap * size);

	if (!q)
		return VG_NOMEM;
	*p = q;
	return VG_OK;
}

/*
 * Grows the sketches to cap ads. They start at a cache line's boundary
 * inside their allocation, so that no sketch straddles two lines: malloc()
 * aligns a large block to 16 bytes only, which left every other 32-byte
 * sketch across two lines, and a candidate's check waiting for both.
 * realloc() keeps growing cheap (a large block is remapped, not copied);
 * when the block comes back at another distance from a boundary, the
 * sketches move to the new one.
 */
static int grow_sketches(struct ads_index *x, size_t cap)
{
	size_t old = x->sketch ? (size_t)(x->sketch - x->sketch_mem) : 0, off;
	uint8_t *p = realloc(x->sketch_mem, cap * MINHASH_SKETCH_BYTES + SKETCH_ALIGN);

	if (!p)
		return VG_NOMEM;
	off = (SKETCH_ALIGN - (uintptr_t)p % SKETCH_ALIGN) % SKETCH_ALIGN;
	if (off != old && x->n)
		memmove(p + off, p + old, x->n * MINHASH_SKETCH_BYTES);
	x->sketch_mem = p;
	x->sketch = p + off;
	hugepage_advise(p, cap * MINHASH_SKETCH_BYTES + SKETCH_ALIGN);
	return VG_OK;
}

/* Makes room for need ads in every per-ad array, growing by half. */
static int reserve_ads(struct ads_index *x, size_t need)
{
	size_t cap = x->cap ? x->cap : 1024, b;
	int rc;

	if (need <= x->cap)
		return VG_OK;
	while (cap < need)
		cap = cap + cap / 2 < UF_MAX ? cap + cap / 2 : UF_MAX;
	rc = grow_array((void **)&x->posted, cap, sizeof(*x->posted));
	if (!rc)
		rc = grow_array((void **)&x->place, cap, sizeof(*x->place));
	if (!rc)
		rc = grow_array((void **)&x->contact, cap, sizeof(*x->contact));
	if (!rc)
		rc = grow_array((void **)&x->catbits, cap, sizeof(*x->catbits));
	if (!rc)
		rc = grow_array((void **)&x->age, cap, sizeof(*x->age));
	if (!rc)
		rc = grow_sketches(x, cap);
	if (!rc)
		rc = uf_reserve(&x->tpl, cap);
	for (b = 0; !rc && x->deferred && b < x->params.bands; b++)
		rc = grow_array((void **)&x->first_keys[b], cap, sizeof(*x->first_keys[b]));
	if (!rc && x->deferred) {
		rc = grow_array((void **)&x->wordless, cap / 8 + 1, 1);
		if (!rc)
			memset(x->wordless + x->cap / 8, 0, cap / 8 + 1 - x->cap / 8);
	}
	if (rc)
		return rc;
	x->cap = cap;
	return VG_OK;
}

static int reserve_extra(struct ads_index *x, size_t more)
{
	size_t cap = x->cap_extra ? x->cap_extra : 256;

	if (x->n_extra + more <= x->cap_extra)
		return VG_OK;
	while (cap < x->n_extra + more)
		cap += cap / 2;
	if (grow_array((void **)&x->extra, cap, sizeof(*x->extra)))
		return VG_NOMEM;
	x->cap_extra = cap;
	return VG_OK;
}

static int field_ok(const char *s, size_t len, int may_be_empty)
{
	if (len > INDEX_FIELD_MAX)
		return VG_TOOBIG;
	if ((!len && !may_be_empty) || memchr(s, '\0', len) || memchr(s, PLACE_SEP, len))
		return VG_INVAL;
	return VG_OK;
}

void index_sign(const struct ads_index *x, const uint32_t sig[MINHASH_K], struct index_sig *out)
{
	minhash_sketch(sig, out->sketch);
	/* The batch path makes its longer keys from the sketch: it needs only the first. */
	lsh_keys(&x->lsh, sig, out->keys, x->deferred ? 1 : x->lsh.levels);
}

#define CANDIDATES (LSH_BANDS_MAX * LSH_LEVELS * LSH_PER_KEY)
/* A power of two at least twice CANDIDATES: the set of candidates seen. */
#define SEEN_SLOTS 1024

/*
 * The candidates of one ad: each once, with where it is in the list. Only
 * the first `mask + 1` slots are used, a power of two at least twice the
 * candidates the layout can find (256 for the default), so that each ad
 * clears 1 KiB of them and not all 4 KiB.
 */
struct candidates {
	uint32_t ad[CANDIDATES];
	uint8_t similar[CANDIDATES];
	uint8_t passed[CANDIDATES]; /* found only under full keys the ad went past */
	size_t n, mask;
	uint32_t slot[SEEN_SLOTS]; /* 1 + a position in ad[], or 0 */
};

static void candidates_init(struct candidates *cs, const struct lsh *l)
{
	size_t most = (size_t)l->bands * l->levels * LSH_PER_KEY, slots = 16;

	while (slots < 2 * most)
		slots *= 2;
	assert(slots <= SEEN_SLOTS);
	cs->n = 0;
	cs->mask = slots - 1;
	memset(cs->slot, 0, slots * sizeof(*cs->slot));
}

static void ask_sketch(const struct ads_index *x, uint32_t c)
{
	__builtin_prefetch(x->sketch + (size_t)c * MINHASH_SKETCH_BYTES);
}

/*
 * The position of ad c in the list, added if new. passed: c was found
 * under a full key that the ad went past to a longer one. The sketches
 * of the others are asked for at once; those of the passed ones only if
 * they are checked.
 */
static size_t candidate(struct candidates *cs, const struct ads_index *x, uint32_t c, int passed)
{
	size_t i = (c * 2654435761u) & cs->mask, k;

	for (; cs->slot[i]; i = (i + 1) & cs->mask) {
		k = cs->slot[i] - 1;
		if (cs->ad[k] != c)
			continue;
		if (cs->passed[k] && !passed) {
			cs->passed[k] = 0;
			ask_sketch(x, c);
		}
		return k;
	}
	k = cs->n++;
	cs->ad[k] = c;
	cs->similar[k] = 0;
	cs->passed[k] = (uint8_t)passed;
	cs->slot[i] = (uint32_t)cs->n;
	if (!passed)
		ask_sketch(x, c);
	return k;
}

/*
 * Checks the candidates whose passed flag is `passed` and joins a to each
 * that is similar; returns whether any was.
 */
static int check_candidates(struct ads_index *x, uint32_t a, struct candidates *cs, int passed)
{
	const uint8_t *mine = x->sketch + (size_t)a * MINHASH_SKETCH_BYTES;
	size_t k;
	int joined = 0;

	for (k = 0; k < cs->n; k++) {
		if (cs->passed[k] != passed)
			continue;
		cs->similar[k] = minhash_sketch_differ(mine, x->sketch + (size_t)cs->ad[k] *
						       MINHASH_SKETCH_BYTES) <= x->max_differ;
		if (cs->similar[k]) {
			uf_union(&x->tpl, a, cs->ad[k]);
			joined = 1;
		}
	}
	return joined;
}

/*
 * Joins ad a to the earlier ads that share an LSH key with it and whose
 * sketch is similar enough. A band whose key is full (LSH_PER_KEY ads)
 * goes on to its next longer key; a band stores a under the last key it
 * looked up when no ad it found was similar and that key has room.
 *
 * The ads under a full key that the ad went past are checked only when
 * no other candidate was similar. Such a key is one that many unrelated
 * ads share (its values come from stock phrases), and its ads are the
 * first few that had it: they are half of all candidates and nearly
 * never like the new ad. Each check is a chance for the sketch's noise
 * to join two unrelated ads, and one such join merges two whole
 * clusters; so an ad that has found its template elsewhere does not check
 * them (docs/ads.md, "Templates", step 8). An ad that found nothing else
 * still checks them, so an ad whose template's only earlier copy is there
 * still finds it.
 *
 * The work goes level by level over all bands, then checks the
 * candidates, so that the memory it waits for (slots, then sketches) is
 * asked for in a few rounds instead of one read after another.
 */
static int place_in_cluster(struct ads_index *x, uint32_t a, const struct index_sig *sig)
{
	struct candidates cs;
	uint16_t pos[LSH_BANDS_MAX][LSH_LEVELS][LSH_PER_KEY];
	uint8_t n_found[LSH_BANDS_MAX][LSH_LEVELS], depth[LSH_BANDS_MAX];
	uint8_t *mine = x->sketch + (size_t)a * MINHASH_SKETCH_BYTES;
	size_t b, j, k, bands = x->lsh.bands;
	unsigned level, levels = x->lsh.levels;
	int rc, deeper = 1;

	if (!sig) {
		memset(mine, 0, MINHASH_SKETCH_BYTES);
		return VG_OK;
	}
	memcpy(mine, sig->sketch, MINHASH_SKETCH_BYTES);
	candidates_init(&cs, &x->lsh);
	/*
	 * Every band's first key is asked for at once, and a longer key only
	 * once the band has found its shorter one full. Asking for every
	 * level's key up front (three a band) asked for about ten cache lines
	 * an ad that were never read, and on this machine a software prefetch
	 * waits when too many lines are already on their way.
	 */
	for (b = 0; b < bands; b++) {
		depth[b] = 0;
		lsh_prefetch(&x->lsh, sig->keys[b][0]);
	}
	for (level = 0; level < levels && deeper; level++) {
		deeper = 0;
		for (b = 0; b < bands; b++) {
			uint32_t f[LSH_PER_KEY];

			if (depth[b] != level)
				continue;
			n_found[b][level] = (uint8_t)lsh_find(&x->lsh, sig->keys[b][level], f);
			for (j = 0; j < n_found[b][level]; j++)
				pos[b][level][j] = (uint16_t)candidate(&cs, x, f[j],
								       n_found[b][level] == LSH_PER_KEY &&
								       level + 1 < levels);
			if (n_found[b][level] == LSH_PER_KEY && level + 1 < levels) {
				depth[b] = (uint8_t)(level + 1);
				lsh_prefetch(&x->lsh, sig->keys[b][level + 1]);
				deeper = 1;
			}
		}
	}
	if (!check_candidates(x, a, &cs, 0)) {
		for (k = 0; k < cs.n; k++)
			if (cs.passed[k])
				ask_sketch(x, cs.ad[k]);
		check_candidates(x, a, &cs, 1);
	}
	for (b = 0; b < bands; b++) {
		int linked = 0;

		for (level = 0; level <= depth[b]; level++)
			for (j = 0; j < n_found[b][level]; j++)
				linked |= cs.similar[pos[b][level][j]];
		if (linked || n_found[b][depth[b]] == LSH_PER_KEY)
			continue;
		rc = lsh_insert(&x->lsh, sig->keys[b][depth[b]], a);
		if (rc)
			return rc;
	}
	return VG_OK;
}

/* Keeps what index_settle() needs of ad a: its sketch and its bands' first keys. */
static void defer_ad(struct ads_index *x, uint32_t a, const struct index_sig *sig)
{
	uint8_t *mine = x->sketch + (size_t)a * MINHASH_SKETCH_BYTES;
	size_t b;

	if (!sig) {
		memset(mine, 0, MINHASH_SKETCH_BYTES);
		x->wordless[a / 8] |= (uint8_t)(1u << (a % 8));
		return;
	}
	memcpy(mine, sig->sketch, MINHASH_SKETCH_BYTES);
	for (b = 0; b < x->params.bands; b++)
		x->first_keys[b][a] = sig->keys[b][0];
}

/* A string's length for index_hash(), capped where index_add() refuses it anyway. */
static uint32_t capped_len(const char *s, size_t cap)
{
	return (uint32_t)strnlen(s, cap + 1);
}

/* The place key "city\x1fregion" of an ad into key; returns its length. */
static size_t place_key(const struct index_ad *ad, const struct index_hashes *h,
			char key[2 * INDEX_FIELD_MAX + 2])
{
	memcpy(key, ad->city, h->city_len);
	key[h->city_len] = PLACE_SEP;
	memcpy(key + h->city_len + 1, ad->region, h->region_len);
	return (size_t)h->city_len + 1 + h->region_len;
}

void index_hash(const struct index_ad *ad, struct index_hashes *out)
{
	char key[2 * INDEX_FIELD_MAX + 2];
	size_t i;

	assert(ad->n_contacts <= INDEX_CONTACTS_MAX);
	out->city_len = capped_len(ad->city, INDEX_FIELD_MAX);
	out->region_len = capped_len(ad->region, INDEX_FIELD_MAX);
	out->id = intern_hash(ad->id, ad->id_len);
	out->place = out->city_len > INDEX_FIELD_MAX || out->region_len > INDEX_FIELD_MAX ?
			     0 : intern_hash(key, place_key(ad, out, key));
	for (i = 0; i < ad->n_contacts; i++) {
		out->contact_len[i] = capped_len(ad->contacts[i], INTERN_STR_MAX);
		out->contact[i] = intern_hash(ad->contacts[i], out->contact_len[i]);
	}
}

void index_prefetch(const struct ads_index *x, const struct index_hashes *h, size_t n_contacts)
{
	size_t i;

	intern_prefetch(&x->ids, h->id);
	for (i = 0; i < n_contacts; i++)
		intern_prefetch(&x->contacts, h->contact[i]);
}

void index_prefetch_contacts(const struct ads_index *x, const struct index_hashes *h,
			     size_t n_contacts, int step)
{
	size_t i;

	for (i = 0; i < n_contacts; i++)
		intern_prefetch_match(&x->contacts, h->contact[i], step);
}

int index_add(struct ads_index *x, const struct index_ad *ad, uint32_t *out)
{
	char key[2 * INDEX_FIELD_MAX + 2];
	struct index_hashes mine;
	const struct index_hashes *h = ad->h;
	uint32_t place, contacts[INDEX_CONTACTS_MAX], a;
	size_t nc = 0, i, j;
	int rc, added;

	assert(ad->n_contacts <= INDEX_CONTACTS_MAX && !x->dropped && !x->settled);
	if (x->extra_at) {
		/* The table of index_flatten() is of the ads before this one. */
		free(x->extra_at);
		x->extra_at = NULL;
	}
	if (!h) {
		/*
		 * Asked for here, the slots are read soon after: the misses
		 * still overlap one another, if not the work on earlier ads.
		 */
		index_hash(ad, &mine);
		index_prefetch(x, &mine, ad->n_contacts);
		h = &mine;
	}
	if ((rc = field_ok(ad->id, ad->id_len, 0)) || (rc = field_ok(ad->city, h->city_len, 1)) ||
	    (rc = field_ok(ad->region, h->region_len, 1)))
		return rc;
	if (x->n >= UF_MAX)
		return VG_TOOBIG;
	rc = reserve_ads(x, x->n + 1);
	if (rc)
		return rc;
	rc = intern_add_hashed(&x->places, key, place_key(ad, h, key), h->place, &place, NULL);
	for (i = 0; !rc && i < ad->n_contacts; i++) {
		uint32_t c;

		rc = intern_add_hashed(&x->contacts, ad->contacts[i], h->contact_len[i],
				       h->contact[i], &c, NULL);
		for (j = 0; !rc && j < nc && contacts[j] != c; j++)
			;
		if (!rc && j == nc)
			contacts[nc++] = c;
	}
	if (!rc && nc > 1)
		rc = reserve_extra(x, nc - 1);
	/* The id last: once it is in, the ad is. */
	if (!rc)
		rc = intern_add_hashed(&x->ids, ad->id, ad->id_len, h->id, &a, &added);
	if (rc)
		return rc;
	if (!added)
		return VG_EXISTS;
	assert(a == x->n);
	rc = uf_add(&x->tpl);
	assert(rc == VG_OK);
	x->posted[a] = ad->posted;
	x->place[a] = place;
	x->contact[a] = nc ? contacts[0] : INDEX_NONE;
	x->catbits[a] = ad->cats;
	x->age[a] = ad->min_age < INDEX_NO_AGE ? (uint8_t)ad->min_age : INDEX_NO_AGE;
	for (i = 1; i < nc; i++) {
		x->extra[x->n_extra].ad = a;
		x->extra[x->n_extra].contact = contacts[i];
		x->n_extra++;
	}
	x->n++;
	if (x->deferred) {
		defer_ad(x, a, ad->sig);
	} else {
		rc = place_in_cluster(x, a, ad->sig);
		if (rc)
			return rc;
	}
	*out = a;
	return VG_OK;
}

void index_defer(struct ads_index *x)
{
	assert(!x->n && !x->deferred && !x->settled);
	x->deferred = 1;
}

/*
 * A pair of the batch path: a key in the high 32 bits, an ad in the low.
 * Sorting pairs by their key alone, stably, keeps each run of one key in
 * ad order, since the pairs are made in ad order.
 */
static uint32_t pair_key(uint64_t p)
{
	return (uint32_t)(p >> 32);
}

static uint32_t pair_ad(uint64_t p)
{
	return (uint32_t)p;
}

/* The radix sort's digits: three of 11 bits cover a key. */
#define DIGIT_BITS 11
#define DIGITS 3

/*
 * Sorts n pairs by key, stably: DIGITS passes, least significant digit
 * first, between a and tmp. A pass whose digit is the same in every pair
 * is skipped (the pairs stay where they are), so the result may end in
 * either array: returns where it is.
 */
static uint64_t *sort_pairs(uint64_t *a, uint64_t *tmp, size_t n)
{
	uint32_t count[DIGITS][1u << DIGIT_BITS]; /* n is below 2^32: ads are numbered in 32 bits */
	const uint64_t mask = (1u << DIGIT_BITS) - 1;
	size_t i;
	unsigned pass, d;

	memset(count, 0, sizeof(count));
	for (i = 0; i < n; i++)
		for (pass = 0; pass < DIGITS; pass++)
			count[pass][(a[i] >> (32 + DIGIT_BITS * pass)) & mask]++;
	for (pass = 0; pass < DIGITS; pass++) {
		uint32_t sum = 0, c;
		uint64_t *t;

		if (n && count[pass][(a[0] >> (32 + DIGIT_BITS * pass)) & mask] == n)
			continue;
		for (d = 0; d <= mask; d++) {
			c = count[pass][d];
			count[pass][d] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			tmp[count[pass][(a[i] >> (32 + DIGIT_BITS * pass)) & mask]++] = a[i];
		t = a;
		a = tmp;
		tmp = t;
	}
	return a;
}

/*
 * The batch path's next step of a band at level (1 or more): the sketch's
 * 4 bits of the band's spare value for that level (the values lsh_keys()
 * adds to the band's rows). A full run's ads that go on are split by it
 * into up to 16 runs of a longer key.
 */
static unsigned spare_nibble(const struct ads_index *x, uint32_t a, size_t band, unsigned level)
{
	const uint8_t *sk = x->sketch + (size_t)a * MINHASH_SKETCH_BYTES;
	size_t v = (size_t)x->params.bands * x->params.rows + band * (x->lsh.levels - 1) + level - 1;

	return sk[v / 2] >> (v % 2 * 4) & 0xf;
}

/*
 * The full runs of one band's first keys, in key order: each key that more
 * than LSH_PER_KEY ads had, with the ads the table would have stored under
 * it (the walk's kept ads).
 */
struct full_run {
	uint32_t key;
	uint32_t ad[LSH_PER_KEY];
};

struct full_runs {
	struct full_run *v;
	size_t n, cap;
	uint32_t *slot; /* full_runs_hash(): 1 + a position in v, or 0; mask + 1 of them */
	size_t mask;
};

static int full_runs_add(struct full_runs *f, uint32_t key, const uint32_t ad[LSH_PER_KEY])
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap + f->cap / 2 : 256;
		struct full_run *v = realloc(f->v, cap * sizeof(*v));

		if (!v)
			return VG_NOMEM;
		f->v = v;
		f->cap = cap;
	}
	f->v[f->n].key = key;
	memcpy(f->v[f->n].ad, ad, sizeof(f->v[f->n].ad));
	f->n++;
	return VG_OK;
}

/*
 * Makes the table that full_runs_find() looks keys up in: at most half
 * full, a few KiB to a few hundred, so that it stays in the cache while
 * every ad's key is looked up in it. The keys are hashes already.
 */
static int full_runs_hash(struct full_runs *f)
{
	size_t slots = 16, i, h;

	while (slots < 2 * f->n)
		slots *= 2;
	f->slot = calloc(slots, sizeof(*f->slot));
	if (!f->slot)
		return VG_NOMEM;
	f->mask = slots - 1;
	for (i = 0; i < f->n; i++) {
		for (h = f->v[i].key & f->mask; f->slot[h]; h = (h + 1) & f->mask)
			;
		f->slot[h] = (uint32_t)(i + 1);
	}
	return VG_OK;
}

/* The full run of key, or NULL. */
static const struct full_run *full_runs_find(const struct full_runs *f, uint32_t key)
{
	size_t h;

	for (h = key & f->mask; f->slot[h]; h = (h + 1) & f->mask)
		if (f->v[f->slot[h] - 1].key == key)
			return &f->v[f->slot[h] - 1];
	return NULL;
}

/* How far ahead of the walk an ad's sketch and parent are asked for. */
#define WALK_AHEAD 8

/* One band's walk: what its runs are checked with. */
struct band_walk {
	struct ads_index *x;
	size_t band;
	uint8_t *joined;
	struct full_runs *full;
	uint32_t *run;      /* a first-level run's ads, then the runs of its longer keys */
	size_t cap;
};

static void ask_ad(const struct ads_index *x, uint32_t a)
{
	__builtin_prefetch(x->sketch + (size_t)a * MINHASH_SKETCH_BYTES);
	__builtin_prefetch(&x->tpl.parent[a]);
}

static int check_run(struct band_walk *w, const uint32_t *ads, size_t n, unsigned level,
		     uint32_t key, size_t used);

/*
 * The ads of a full run that came after it filled, ads[0..n), split by
 * their spare value at level into runs of the band's longer keys: counted,
 * placed in w->run from `used` on (in ad order within each), and each
 * checked. The sketches were read for the split, so the checks find them
 * in the cache.
 */
static int split_run(struct band_walk *w, const uint32_t *ads, size_t n, unsigned level,
		     size_t used)
{
	size_t count[16] = {0}, at[16], i, d, sum = 0;
	uint32_t *out = w->run + used;
	int rc;

	assert(used + n <= w->cap);
	for (i = 0; i < n; i++)
		count[spare_nibble(w->x, ads[i], w->band, level)]++;
	for (d = 0; d < 16; d++) {
		at[d] = sum;
		sum += count[d];
	}
	for (i = 0; i < n; i++)
		out[at[spare_nibble(w->x, ads[i], w->band, level)]++] = ads[i];
	for (d = 0, sum = 0; d < 16; sum += count[d], d++) {
		if (count[d] < 2)
			continue;
		rc = check_run(w, out + sum, count[d], level, 0, used + n);
		if (rc)
			return rc;
	}
	return VG_OK;
}

/*
 * Checks a run of two or more ads under one key of the band, in ad order:
 * an ad is checked against the run's kept ads (at most LSH_PER_KEY, each
 * unlike the ads kept before it) and joined to those it is like; an ad
 * like none of them is kept while the run has room, as the table stores an
 * ad under a band's key when nothing it found there was similar. Once the
 * run is full, the ads after it go on to the band's next longer key
 * (split_run()) without being checked against this run's ads: those are
 * the candidates the table checks only when nothing else was similar, and
 * check_full() checks them once every band has been walked; the
 * first-level full runs (key) are recorded in w->full for it. At the last
 * level a full run's ads are checked and nothing more is kept. w->run has
 * room from `used` on for the longer keys' runs. VG_NOMEM.
 */
static int check_run(struct band_walk *w, const uint32_t *ads, size_t n, unsigned level,
		     uint32_t key, size_t used)
{
	struct ads_index *x = w->x;
	uint8_t kept_sk[LSH_PER_KEY][MINHASH_SKETCH_BYTES];
	uint32_t kept[LSH_PER_KEY];
	size_t i, k, n_kept = 0;
	int last = level + 1 >= x->lsh.levels;

	for (i = 0; i < n; i++) {
		uint32_t a = ads[i];
		const uint8_t *mine = x->sketch + (size_t)a * MINHASH_SKETCH_BYTES;
		int similar = 0;

		if (i + WALK_AHEAD < n)
			ask_ad(x, ads[i + WALK_AHEAD]);
		if (n_kept == LSH_PER_KEY && !last)
			break;
		for (k = 0; k < n_kept; k++) {
			if (minhash_sketch_differ(mine, kept_sk[k]) <= x->max_differ) {
				uf_union(&x->tpl, a, kept[k]);
				similar = 1;
			}
		}
		if (similar)
			w->joined[a / 8] |= (uint8_t)(1u << (a % 8));
		else if (n_kept < LSH_PER_KEY) {
			kept[n_kept] = a;
			memcpy(kept_sk[n_kept], mine, MINHASH_SKETCH_BYTES);
			n_kept++;
		}
	}
	if (i == n)
		return VG_OK;
	if (!level && full_runs_add(w->full, key, kept))
		return VG_NOMEM;
	return split_run(w, ads + i, n - i, level + 1, used);
}

/*
 * Walks a band's n pairs of first keys, sorted: each run of two or more
 * ads under one key is checked (check_run()), with the runs of its longer
 * keys; an ad alone under its key is passed over without reading its
 * sketch. The sketches and union-find parents of the first ads of the
 * next runs are asked for before a run is checked, since the pairs say
 * which they will be. VG_NOMEM.
 */
static int walk_band(struct band_walk *w, const uint64_t *p, size_t n)
{
	size_t i = 0, e, ahead = 0, k;

	while (i < n) {
		uint32_t key = pair_key(p[i]);

		for (e = i + 1; e < n && pair_key(p[e]) == key; e++)
			;
		/* The next runs' first ads; a run's later ones are asked for as it is checked. */
		for (ahead = ahead > e ? ahead : e; ahead < n && ahead < e + WALK_AHEAD; ahead++)
			if (pair_key(p[ahead - 1]) == pair_key(p[ahead]) ||
			    (ahead + 1 < n && pair_key(p[ahead + 1]) == pair_key(p[ahead])))
				ask_ad(w->x, pair_ad(p[ahead]));
		if (e - i >= 2) {
			/* The run, then each further level's runs: together at most the run's length. */
			if (LSH_LEVELS * (e - i) > w->cap) {
				uint32_t *r = realloc(w->run, LSH_LEVELS * (e - i) * sizeof(*r));

				if (!r)
					return VG_NOMEM;
				w->run = r;
				w->cap = LSH_LEVELS * (e - i);
			}
			for (k = i; k < e; k++)
				w->run[k - i] = pair_ad(p[k]);
			if (check_run(w, w->run, e - i, 0, key, e - i))
				return VG_NOMEM;
		}
		i = e;
	}
	return VG_OK;
}

/*
 * The second round of the batch path, for the ads that the first joined
 * to nothing: an ad that came to one of a band's full runs after it had
 * filled is checked against the ads kept there and joined to each it is
 * like. The table checks these candidates when an ad found nothing
 * similar elsewhere, so that an ad whose template's only earlier copy
 * lies under a full key still finds it; this is that check, made once
 * all the bands have been looked at. The ads to check are listed first
 * (in ad order, with their keys' full runs found in a small hash table),
 * then checked with their sketches and the kept ads' asked for ahead;
 * todo has room for one entry an ad.
 */
static void check_full(struct ads_index *x, size_t b, const struct full_runs *full,
		       const uint8_t *joined, uint64_t *todo)
{
	size_t a, i, k, m = 0;

	/* First the ads to check, then the checks, with the kept ads' sketches asked for ahead. */
	for (a = 0; a < x->n; a++) {
		const struct full_run *r;

		if ((joined[a / 8] | x->wordless[a / 8]) >> (a % 8) & 1)
			continue;
		r = full_runs_find(full, x->first_keys[b][a]);
		if (r && a > r->ad[LSH_PER_KEY - 1])
			todo[m++] = (uint64_t)(r - full->v) << 32 | a;
	}
	for (i = 0; i < m; i++) {
		const struct full_run *r = &full->v[todo[i] >> 32];
		uint32_t ad = (uint32_t)todo[i];

		if (i + WALK_AHEAD < m) {
			const struct full_run *ahead = &full->v[todo[i + WALK_AHEAD] >> 32];

			__builtin_prefetch(x->sketch + (size_t)(uint32_t)todo[i + WALK_AHEAD] *
						       MINHASH_SKETCH_BYTES);
			for (k = 0; k < LSH_PER_KEY; k++)
				__builtin_prefetch(x->sketch + (size_t)ahead->ad[k] * MINHASH_SKETCH_BYTES);
		}
		for (k = 0; k < LSH_PER_KEY; k++)
			if (minhash_sketch_differ(x->sketch + (size_t)ad * MINHASH_SKETCH_BYTES,
						  x->sketch + (size_t)r->ad[k] * MINHASH_SKETCH_BYTES) <=
			    x->max_differ)
				uf_union(&x->tpl, ad, r->ad[k]);
	}
}

/* The pairs of band b's first keys of every ad that has words, in ad order; returns how many. */
static size_t first_pairs(const struct ads_index *x, size_t b, uint64_t *pairs)
{
	size_t a, n = 0;

	for (a = 0; a < x->n; a++)
		if (!(x->wordless[a / 8] >> (a % 8) & 1))
			pairs[n++] = (uint64_t)x->first_keys[b][a] << 32 | a;
	return n;
}

int index_settle(struct ads_index *x)
{
	uint64_t *pairs = NULL, *tmp = NULL, *sorted;
	uint32_t *run = NULL;
	uint8_t *joined = NULL;
	struct full_runs full[LSH_BANDS_MAX];
	size_t b, n, run_cap = 0;
	int rc = VG_NOMEM;

	assert(x->deferred && !x->n_loaded);
	memset(full, 0, sizeof(full));
	pairs = malloc((x->n + 1) * sizeof(*pairs));
	tmp = malloc((x->n + 1) * sizeof(*tmp));
	joined = calloc(x->n / 8 + 1, 1);
	if (!pairs || !tmp || !joined)
		goto out;
	hugepage_advise(pairs, (x->n + 1) * sizeof(*pairs));
	hugepage_advise(tmp, (x->n + 1) * sizeof(*tmp));
	for (b = 0; b < x->params.bands; b++) {
		struct band_walk w = {.x = x, .band = b, .joined = joined, .full = &full[b],
				      .run = run, .cap = run_cap};

		n = first_pairs(x, b, pairs);
		sorted = sort_pairs(pairs, tmp, n);
		if (sorted == tmp) {
			tmp = pairs;
			pairs = sorted;
		}
		rc = walk_band(&w, pairs, n);
		run = w.run;
		run_cap = w.cap;
		if (rc)
			goto out;
	}
	rc = VG_NOMEM;
	free(tmp);
	tmp = NULL;
	for (b = 0; b < x->params.bands; b++) {
		if (full_runs_hash(&full[b]))
			goto out;
		check_full(x, b, &full[b], joined, pairs);
	}
	drop_first_keys(x);
	x->deferred = 0;
	x->settled = 1;
	rc = VG_OK;
out:
	for (b = 0; b < x->params.bands; b++) {
		free(full[b].v);
		free(full[b].slot);
	}
	free(pairs);
	free(tmp);
	free(run);
	free(joined);
	return rc;
}

size_t index_extra(const struct ads_index *x, uint32_t a)
{
	size_t lo = 0, hi = x->n_extra;

	if (x->extra_at)
		return x->extra_at[a];

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (x->extra[mid].ad < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void index_flatten(struct ads_index *x)
{
	uint32_t *p = x->tpl.parent;
	size_t i, k;

	/* A parent is never after its child, so it is already flat when reached. */
	for (i = 0; i < x->n; i++)
		p[i] = p[p[i]];
	/*
	 * Where each ad's extra contacts start, for index_extra(): networks and
	 * every written group look them up for each of their ads, and a binary
	 * search over all of them was a third of the time of writing the
	 * output. Without memory for it, index_extra() searches as before.
	 */
	free(x->extra_at);
	x->extra_at = NULL;
	if (x->n_extra >= UINT32_MAX)
		return;
	x->extra_at = malloc((x->n + 1) * sizeof(*x->extra_at));
	if (!x->extra_at)
		return;
	for (i = 0, k = 0; i <= x->n; i++) {
		while (k < x->n_extra && x->extra[k].ad < i)
			k++;
		x->extra_at[i] = (uint32_t)k;
	}
}

void index_drop_lookup(struct ads_index *x)
{
	lsh_release(&x->lsh);
	free(x->sketch_mem);
	x->sketch = x->sketch_mem = NULL;
	x->dropped = 1;
}

void index_place(const struct ads_index *x, uint32_t p, const char **city, size_t *city_len,
		 const char **region)
{
	const char *s = intern_str(&x->places, p), *sep = strchr(s, PLACE_SEP);

	assert(sep);
	*city = s;
	*city_len = (size_t)(sep - s);
	*region = sep + 1;
}

/* Saving. */

struct writer {
	index_write_fn fn;
	void *arg;
	XXH3_state_t *hash;
	uint8_t buf[1 << 16];
	size_t len;
	int rc;
};

static void w_flush(struct writer *w)
{
	if (!w->rc && w->len) {
		XXH3_64bits_update(w->hash, w->buf, w->len);
		w->rc = w->fn(w->arg, w->buf, w->len);
	}
	w->len = 0;
}

static uint8_t *w_room(struct writer *w, size_t n)
{
	if (w->len + n > sizeof(w->buf))
		w_flush(w);
	w->len += n;
	return w->buf + w->len - n;
}

static void w_u64(struct writer *w, uint64_t v)
{
	uint8_t *p = w_room(w, 8);
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void w_u32(struct writer *w, uint32_t v)
{
	uint8_t *p = w_room(w, 4);

	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void w_u16(struct writer *w, uint16_t v)
{
	uint8_t *p = w_room(w, 2);

	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void w_bytes(struct writer *w, const void *data, size_t n)
{
	const uint8_t *d = data;

	while (n) {
		size_t k = n < sizeof(w->buf) ? n : sizeof(w->buf);

		memcpy(w_room(w, k), d, k);
		d += k;
		n -= k;
	}
}

static void w_entry(void *arg, uint32_t key, uint32_t ad)
{
	w_u32(arg, key);
	w_u32(arg, ad);
}

static void w_strings(struct writer *w, const struct intern *t)
{
	w_u64(w, t->n);
	w_u64(w, t->len);
	w_bytes(w, t->arena, t->len);
}

int index_save(const struct ads_index *x, index_write_fn fn, void *arg)
{
	assert(!x->deferred && !x->settled);
	struct writer *w = calloc(1, sizeof(*w));
	size_t i;
	uint64_t sum;
	int rc;

	assert(!x->dropped);
	if (!w)
		return VG_NOMEM;
	w->fn = fn;
	w->arg = arg;
	w->hash = XXH3_createState();
	if (!w->hash) {
		free(w);
		return VG_NOMEM;
	}
	XXH3_64bits_reset(w->hash);
	w_bytes(w, MAGIC, 8);
	w_u32(w, VERSION);
	w_u64(w, x->params.seed);
	w_u32(w, x->params.shingle);
	w_u32(w, x->params.bands);
	w_u32(w, x->params.rows);
	w_u32(w, (uint32_t)(x->params.threshold * 1e6 + 0.5));
	w_u64(w, x->n);
	w_u64(w, x->n_extra);
	w_u64(w, x->lsh.used);
	w_u64(w, x->dropped_cats);
	w_strings(w, &x->ids);
	w_strings(w, &x->places);
	w_strings(w, &x->contacts);
	w_strings(w, &x->cats);
	for (i = 0; i < x->n; i++)
		w_u64(w, (uint64_t)x->posted[i]);
	for (i = 0; i < x->n; i++)
		w_u32(w, x->place[i]);
	for (i = 0; i < x->n; i++)
		w_u32(w, x->contact[i]);
	for (i = 0; i < x->n; i++)
		w_u16(w, x->catbits[i]);
	w_bytes(w, x->age, x->n);
	w_bytes(w, x->sketch, x->n * MINHASH_SKETCH_BYTES);
	for (i = 0; i < x->n; i++)
		w_u32(w, x->tpl.parent[i]);
	for (i = 0; i < x->n_extra; i++) {
		w_u32(w, x->extra[i].ad);
		w_u32(w, x->extra[i].contact);
	}
	lsh_foreach(&x->lsh, w_entry, w);
	w_flush(w);
	/* The checksum covers every byte before it and is not part of itself. */
	sum = XXH3_64bits_digest(w->hash);
	rc = w->rc;
	if (!rc) {
		uint8_t tail[8];

		for (i = 0; i < 8; i++)
			tail[i] = (uint8_t)(sum >> (8 * i));
		rc = fn(arg, tail, sizeof(tail));
	}
	XXH3_freeState(w->hash);
	free(w);
	return rc;
}

/* Loading. */

struct reader {
	index_read_fn fn;
	void *arg;
	XXH3_state_t *hash;
	uint8_t buf[1 << 16];
	uint64_t left; /* bytes the file still holds, from the caller's size */
	int rc;
};

/*
 * Reads exactly n bytes into p. Once anything failed, reads nothing more
 * and leaves zeros in p (p may then be NULL: an array never allocated).
 */
static void r_bytes(struct reader *r, void *p, size_t n)
{
	if (!r->rc && n > r->left)
		r->rc = VG_INVAL;
	if (!r->rc)
		r->rc = r->fn(r->arg, p, n);
	if (r->rc) {
		if (p)
			memset(p, 0, n);
		return;
	}
	r->left -= n;
	XXH3_64bits_update(r->hash, p, n);
}

static uint64_t r_u64(struct reader *r)
{
	uint8_t p[8];
	uint64_t v = 0;
	int i;

	r_bytes(r, p, 8);
	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint32_t r_u32(struct reader *r)
{
	uint8_t p[4];

	r_bytes(r, p, 4);
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Reads an array of n little-endian values of size bytes, decoding each with put. */
static void r_array(struct reader *r, size_t n, size_t size, void *dst,
		    void (*put)(void *dst, size_t i, const uint8_t *src))
{
	size_t done = 0;

	while (done < n && !r->rc) {
		size_t k = (n - done) < sizeof(r->buf) / size ? n - done : sizeof(r->buf) / size, i;

		r_bytes(r, r->buf, k * size);
		for (i = 0; !r->rc && i < k; i++)
			put(dst, done + i, r->buf + i * size);
		done += k;
	}
}

static void put_i64(void *dst, size_t i, const uint8_t *s)
{
	uint64_t v = 0;
	int k;

	for (k = 7; k >= 0; k--)
		v = v << 8 | s[k];
	((int64_t *)dst)[i] = (int64_t)v;
}

static void put_u32(void *dst, size_t i, const uint8_t *s)
{
	((uint32_t *)dst)[i] = (uint32_t)s[0] | (uint32_t)s[1] << 8 | (uint32_t)s[2] << 16 |
			       (uint32_t)s[3] << 24;
}

static void put_u16(void *dst, size_t i, const uint8_t *s)
{
	((uint16_t *)dst)[i] = (uint16_t)(s[0] | s[1] << 8);
}

/* Reads a string section into t: count strings, each NUL-terminated, all different. */
static void r_strings(struct reader *r, struct intern *t, uint64_t limit)
{
	uint64_t count = r_u64(r), bytes = r_u64(r), i;
	char *arena;
	size_t pos = 0;
	int added;

	if (r->rc)
		return;
	if (count > limit || bytes > INTERN_ARENA_MAX || bytes > r->left || count > bytes) {
		r->rc = VG_INVAL;
		return;
	}
	arena = malloc(bytes ? bytes : 1);
	if (!arena) {
		r->rc = VG_NOMEM;
		return;
	}
	r_bytes(r, arena, bytes);
	for (i = 0; !r->rc && i < count; i++) {
		const char *end = pos < bytes ? memchr(arena + pos, '\0', bytes - pos) : NULL;
		size_t len;
		uint32_t id;

		if (!end) {
			r->rc = VG_INVAL;
			break;
		}
		len = (size_t)(end - (arena + pos));
		r->rc = intern_add(t, arena + pos, len, &id, &added);
		if (!r->rc && !added)
			r->rc = VG_INVAL; /* the same string twice */
		if (r->rc == VG_TOOBIG)
			r->rc = VG_INVAL;
		pos += len + 1;
	}
	if (!r->rc && pos != bytes)
		r->rc = VG_INVAL;
	free(arena);
}

/* Every stored number within range: a file that passes may be used freely. */
static int check_loaded(const struct ads_index *x)
{
	size_t i;

	for (i = 0; i < x->n; i++) {
		if (x->place[i] >= x->places.n || x->tpl.parent[i] > i ||
		    (x->contact[i] != INDEX_NONE && x->contact[i] >= x->contacts.n) ||
		    (x->catbits[i] >> x->cats.n) != 0)
			return VG_INVAL;
		if (!strchr(intern_str(&x->places, x->place[i]), PLACE_SEP))
			return VG_INVAL;
	}
	/* Extra contacts in ad order (index_extra() searches them), of ads with a first one. */
	for (i = 0; i < x->n_extra; i++)
		if (x->extra[i].ad >= x->n || x->extra[i].contact >= x->contacts.n ||
		    (i && x->extra[i].ad < x->extra[i - 1].ad) ||
		    x->contact[x->extra[i].ad] == INDEX_NONE)
			return VG_INVAL;
	return VG_OK;
}

static void put_pair(void *dst, size_t i, const uint8_t *s)
{
	struct index_pair *p = dst;

	put_u32(&p[i].ad, 0, s);
	put_u32(&p[i].contact, 0, s + 4);
}

int index_load(struct ads_index *x, index_read_fn fn, void *arg, uint64_t size)
{
	struct reader *r = calloc(1, sizeof(*r));
	struct index_params p;
	char magic[8], err[160];
	uint64_t n, n_extra, used, dropped, sum, i;
	uint8_t tail[8];
	int rc;

	assert(x->n == 0);
	if (!r)
		return VG_NOMEM;
	r->fn = fn;
	r->arg = arg;
	r->left = size;
	r->hash = XXH3_createState();
	if (!r->hash) {
		free(r);
		return VG_NOMEM;
	}
	XXH3_64bits_reset(r->hash);
	r_bytes(r, magic, sizeof(magic));
	if (!r->rc && (memcmp(magic, MAGIC, 8) || r_u32(r) != VERSION))
		r->rc = VG_INVAL;
	p.seed = r_u64(r);
	p.shingle = r_u32(r);
	p.bands = r_u32(r);
	p.rows = r_u32(r);
	p.threshold = r_u32(r) / 1e6;
	n = r_u64(r);
	n_extra = r_u64(r);
	used = r_u64(r);
	dropped = r_u64(r);
	rc = r->rc;
	if (!rc && (index_params_check(&p, err, sizeof(err)) || n > UF_MAX ||
		    n > r->left / AD_MIN_BYTES || n_extra > r->left / 8 || used > r->left / 8))
		rc = VG_INVAL;
	if (rc)
		goto out;
	index_release(x);
	index_init(x, &p);
	x->dropped_cats = dropped;
	r_strings(r, &x->ids, n);
	if (!r->rc && x->ids.n != n)
		r->rc = VG_INVAL;
	r_strings(r, &x->places, n + 1);
	r_strings(r, &x->contacts, n * INDEX_CONTACTS_MAX);
	r_strings(r, &x->cats, INDEX_CATS_MAX);
	if (!r->rc)
		r->rc = reserve_ads(x, n ? n : 1);
	if (!r->rc && n_extra)
		r->rc = reserve_extra(x, n_extra);
	r_array(r, n, 8, x->posted, put_i64);
	r_array(r, n, 4, x->place, put_u32);
	r_array(r, n, 4, x->contact, put_u32);
	r_array(r, n, 2, x->catbits, put_u16);
	r_bytes(r, x->age, n);
	r_bytes(r, x->sketch, n * MINHASH_SKETCH_BYTES);
	r_array(r, n, 4, x->tpl.parent, put_u32);
	r_array(r, n_extra, 8, x->extra, put_pair);
	if (!r->rc) {
		x->n = x->tpl.n = n;
		x->n_extra = n_extra;
		r->rc = check_loaded(x);
	}
	for (i = 0; !r->rc && i < used; i++) {
		uint32_t key = r_u32(r), ad = r_u32(r);

		if (!r->rc && ad >= n)
			r->rc = VG_INVAL;
		if (!r->rc)
			r->rc = lsh_insert(&x->lsh, key, ad);
	}
	rc = r->rc;
	if (rc)
		goto out;
	sum = XXH3_64bits_digest(r->hash);
	rc = r->left != 8 ? VG_INVAL : fn(arg, tail, sizeof(tail));
	for (i = 0; !rc && i < 8; i++)
		if (tail[i] != (uint8_t)(sum >> (8 * i)))
			rc = VG_INVAL;
	if (!rc)
		x->n_loaded = x->n;
out:
	if (rc == VG_TOOBIG)
		rc = VG_INVAL;
	if (rc)
		index_release(x);
	XXH3_freeState(r->hash);
	free(r);
	return rc;
}

/*
 * The clustering of bulk ads (src/cluster/, docs/ads.md): MinHash, LSH,
 * union-find, the index and its file format, networks with the generic
 * number guard, ranking, and the quality on ads with known truth from
 * bench/adgen, reported as TAP diagnostics.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/compat.h"
#include "base/buf.h"
#include "cluster/groups.h"
#include "cluster/index.h"
#include "cluster/intern.h"
#include "cluster/lsh.h"
#include "cluster/minhash.h"
#include "cluster/network.h"
#include "cluster/rank.h"
#include "cluster/unionfind.h"
#include "screen/entities.h"
#include "screen/norm.h"
#include "vigil_config.h"

#include "../../bench/adgen/gen.h"

#define WEIGHTS_FILE VIGIL_RULES_DIR "/ads/weights.tsv"

/* Normalises text and signs it with m; returns the shingle count. */
static size_t sign(const struct minhash *m, const char *text, uint32_t sig[MINHASH_K])
{
	struct norm n;
	size_t count;

	norm_init(&n);
	assert_int_equal(norm_text(&n, text, strlen(text)), VG_OK);
	count = minhash_sign(m, n.text, n.len, sig);
	norm_release(&n);
	return count;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The exact Jaccard similarity of two texts' shingle sets. */
static double jaccard(const struct minhash *m, const char *a, const char *b)
{
	uint64_t sa[512], sb[512];
	size_t na, nb, i = 0, j = 0, k, common = 0, ua = 0, ub = 0;

	na = minhash_shingles(m, a, strlen(a), sa, 512);
	nb = minhash_shingles(m, b, strlen(b), sb, 512);
	assert_true(na <= 512 && nb <= 512);
	qsort(sa, na, sizeof(*sa), cmp_u64);
	qsort(sb, nb, sizeof(*sb), cmp_u64);
	for (k = 0; k < na; k++)
		if (!k || sa[k] != sa[k - 1])
			sa[ua++] = sa[k];
	for (k = 0; k < nb; k++)
		if (!k || sb[k] != sb[k - 1])
			sb[ub++] = sb[k];
	while (i < ua && j < ub) {
		if (sa[i] == sb[j]) {
			common++;
			i++;
			j++;
		} else if (sa[i] < sb[j]) {
			i++;
		} else {
			j++;
		}
	}
	return (double)common / (double)(ua + ub - common);
}

/* The shingles of a string (at most 7 are written). */
static size_t shingles(const struct minhash *m, const char *s, uint64_t *out)
{
	return minhash_shingles(m, s, strlen(s), out, 7);
}

static void test_minhash_words(void **state)
{
	struct minhash m;
	uint64_t sh[16];
	uint32_t a[MINHASH_K], b[MINHASH_K];
	size_t i;

	(void)state;
	minhash_init(&m, 1, 1);
	/* Emoji and punctuation separate words; digits and other scripts are words. */
	assert_int_equal(shingles(&m, "call\xf0\x9f\x92\x8bme, 555", sh), 3);
	assert_int_equal(shingles(&m, "\xd0\xbf\xd1\x80\xd0\xb8 \xe4\xbd\xa0\xe5\xa5\xbd", sh), 2);
	assert_int_equal(shingles(&m, " .,!? ", sh), 0);
	/* The same words give the same shingles wherever they are. */
	assert_int_equal(shingles(&m, "a b a", sh), 3);
	assert_true(sh[0] == sh[2] && sh[0] != sh[1]);
	/*
	 * A word's hash does not depend on where it lies: at the text's end
	 * (read without going past it) or before other words (read 8 bytes at
	 * a time). Every prefix of a long word, shorter and longer than 8
	 * bytes, hashes differently from every other.
	 */
	{
		static const char word[] = "abcdefghijklmnopqrstu\xc3\xa9";
		uint64_t alone[sizeof(word)], inside;
		char text[64];
		size_t len, k;

		for (len = 1; len < sizeof(word); len++) {
			if (len == sizeof(word) - 2)
				continue; /* half of the last letter */
			memcpy(text, word, len);
			assert_int_equal(minhash_shingles(&m, text, len, &alone[len], 1), 1);
			memcpy(text + len, " zzzzzzzzzzzzzzz", 16);
			assert_int_equal(minhash_shingles(&m, text, len + 16, &inside, 1), 2);
			assert_true(inside == alone[len]);
			for (k = 1; k < len; k++)
				assert_true(k == sizeof(word) - 2 || alone[k] != alone[len]);
		}
	}
	/* No word: every value is the maximum. */
	assert_int_equal(minhash_sign(&m, "--", 2, a), 0);
	for (i = 0; i < MINHASH_K; i++)
		assert_true(a[i] == UINT32_MAX);
	/* Bigrams: fewer words than a shingle make one shingle; order matters. */
	minhash_init(&m, 1, 2);
	assert_int_equal(shingles(&m, "hello", sh), 1);
	assert_int_equal(shingles(&m, "one two three", sh), 2);
	shingles(&m, "two one", sh + 8);
	shingles(&m, "one two", sh + 9);
	assert_true(sh[8] != sh[9] && sh[9] == sh[0]);
	/*
	 * Words are found 64 bytes at a time: wherever the blocks fall (here
	 * shifted by leading spaces), across words, numbers, letters of other
	 * scripts, emoji and an invalid byte, the shingles are the same.
	 */
	{
		static const char words[] = "sweet\xd0\xb0latina 555 123 4567 x\xf0\x9f\x92\x8by "
					    "\xe4\xbd\xa0\xe5\xa5\xbd\xff call\xcc\x81 me 12ab now";
		uint64_t first[16], shifted[16];
		char text[256];
		size_t n0, shift;

		memset(text, ' ', sizeof(text));
		memcpy(text, words, sizeof(words) - 1);
		n0 = minhash_shingles(&m, text, sizeof(words) - 1, first, 16);
		assert_int_equal(n0, 8);
		for (shift = 1; shift < 130; shift++) {
			memset(text, ' ', sizeof(text));
			memcpy(text + shift, words, sizeof(words) - 1);
			assert_int_equal(minhash_shingles(&m, text, shift + sizeof(words) - 1,
							  shifted, 16), n0);
			assert_memory_equal(first, shifted, n0 * sizeof(*first));
		}
	}
	/* A different seed is a different family of hashes. */
	sign(&m, "sweet and classy companion", a);
	minhash_init(&m, 2, 2);
	sign(&m, "sweet and classy companion", b);
	assert_true(minhash_similarity(a, b) < 0.5);
}

/* Normalisation first: look-alike letters, case and emoji do not change the signature. */
static void test_minhash_disguises(void **state)
{
	struct minhash m;
	uint32_t a[MINHASH_K], b[MINHASH_K];

	(void)state;
	minhash_init(&m, 1, 2);
	sign(&m, "sweet latina girl new in town, real pics, no games", a);
	/* Cyrillic а, е, о, full-width letters, capitals and emoji between words. */
	sign(&m, "SWEET l\xd0\xb0tin\xd0\xb0 girl \xf0\x9f\x92\x8b new in t\xd0\xbewn, "
		 "\xef\xbd\x92\xef\xbd\x85\xef\xbd\x81\xef\xbd\x8c pics \xf0\x9f\x94\xa5 NO games",
	     b);
	assert_true(minhash_similarity(a, b) == 1.0);
	sign(&m, "sweet latina girl new in town, fake pics, no games", b);
	assert_true(minhash_similarity(a, b) < 1.0);
}

/* The estimate follows the exact Jaccard similarity, and the sketch the signature. */
static void test_minhash_estimates(void **state)
{
	static const char *const words[] = {
		"sweet", "classy", "call", "me", "now", "real", "pics", "no", "games", "incall",
		"outcall", "tonight", "relax", "massage", "private", "discreet", "new", "town",
		"text", "only", "gentlemen", "friendly", "fun", "time", "hotel", "visit",
	};
	struct minhash m;
	uint64_t rng = 7;
	double err_sum = 0, worst = 0, sk_err = 0;
	int t;

	(void)state;
	minhash_init(&m, 3, 2);
	for (t = 0; t < 200; t++) {
		char a[1024] = "", b[1024] = "";
		uint32_t sa[MINHASH_K], sb[MINHASH_K];
		uint8_t ka[MINHASH_SKETCH_BYTES], kb[MINHASH_SKETCH_BYTES];
		int w, n = 30 + t % 40, changes = t % 25;
		double exact, est, e;

		for (w = 0; w < n; w++) {
			const char *word;

			rng = rng * 6364136223846793005ull + 1442695040888963407ull;
			word = words[(rng >> 33) % ARRAY_SIZE(words)];
			snprintf(a + strlen(a), sizeof(a) - strlen(a), "%s ", word);
			/* b is a with some words changed: similarities from 1 down. */
			if ((int)((rng >> 20) % 30) < changes)
				word = words[(rng >> 40) % ARRAY_SIZE(words)];
			snprintf(b + strlen(b), sizeof(b) - strlen(b), "%s ", word);
		}
		exact = jaccard(&m, a, b);
		minhash_sign(&m, a, strlen(a), sa);
		minhash_sign(&m, b, strlen(b), sb);
		est = minhash_similarity(sa, sb);
		e = est > exact ? est - exact : exact - est;
		err_sum += e;
		worst = e > worst ? e : worst;
		minhash_sketch(sa, ka);
		minhash_sketch(sb, kb);
		e = minhash_sketch_similarity(ka, kb) - est;
		sk_err += e < 0 ? -e : e;
	}
	print_message("# minhash: mean error %.3f, worst %.3f, sketch against signature %.3f\n",
		      err_sum / 200, worst, sk_err / 200);
	/* 64 values: the standard error is at most 0.0625. */
	assert_true(err_sum / 200 < 0.05);
	assert_true(worst < 0.25);
	assert_true(sk_err / 200 < 0.05);
}

static void test_sketch(void **state)
{
	uint32_t a[MINHASH_K], b[MINHASH_K];
	uint8_t ka[MINHASH_SKETCH_BYTES], kb[MINHASH_SKETCH_BYTES];
	size_t i;

	(void)state;
	for (i = 0; i < MINHASH_K; i++) {
		a[i] = (uint32_t)(i * 2654435761u);
		b[i] = a[i] + 1;
	}
	minhash_sketch(a, ka);
	assert_true(minhash_sketch_similarity(ka, ka) == 1.0);
	/* Every low nibble differs: nothing in common, whatever chance would give. */
	minhash_sketch(b, kb);
	assert_true(minhash_sketch_similarity(ka, kb) == 0.0);
	/* Half the values equal: (0.5 - 1/16) / (15/16). */
	for (i = 0; i < MINHASH_K; i += 2)
		b[i] = a[i];
	minhash_sketch(b, kb);
	assert_true(minhash_sketch_similarity(ka, kb) > 0.466 &&
		    minhash_sketch_similarity(ka, kb) < 0.467);
}

static void test_unionfind(void **state)
{
	struct uf u;
	uint32_t i;

	(void)state;
	uf_init(&u);
	for (i = 0; i < 3000; i++)
		assert_int_equal(uf_add(&u), VG_OK);
	assert_int_equal(uf_union(&u, 10, 20), 10);
	assert_int_equal(uf_union(&u, 2999, 20), 10);
	assert_int_equal(uf_union(&u, 5, 2999), 5);
	assert_int_equal(uf_find(&u, 20), 5);
	assert_int_equal(uf_find(&u, 10), 5);
	assert_int_equal(uf_find(&u, 11), 11);
	/* A long chain still ends at its smallest member. */
	for (i = 100; i < 2000; i++)
		uf_union(&u, i + 1, i);
	assert_int_equal(uf_find(&u, 2000), 100);
	for (i = 0; i < 3000; i++)
		assert_true(u.parent[i] <= i);
	uf_release(&u);
}

static void test_intern(void **state)
{
	struct intern t;
	uint32_t id, i;
	int added;
	char s[32];

	(void)state;
	intern_init(&t);
	assert_int_equal(intern_find(&t, "x", 1), INTERN_NONE);
	for (i = 0; i < 5000; i++) {
		snprintf(s, sizeof(s), "ad-%u", i);
		assert_int_equal(intern_add(&t, s, strlen(s), &id, &added), VG_OK);
		assert_int_equal(id, i);
		assert_true(added);
	}
	assert_int_equal(intern_add(&t, "ad-77", 5, &id, &added), VG_OK);
	assert_int_equal(id, 77);
	assert_false(added);
	assert_int_equal(intern_find(&t, "ad-4999", 7), 4999);
	assert_int_equal(intern_find(&t, "ad-499", 6), 499);
	assert_int_equal(intern_find(&t, "ad-49", 5), 49);
	assert_string_equal(intern_str(&t, 123), "ad-123");
	assert_int_equal(intern_add(&t, "a\0b", 3, &id, NULL), VG_INVAL);
	intern_release(&t);
}

/*
 * The two-step add gives the numbers of intern_add(), and every string is
 * found under its number after the table has been doubled many times (the
 * strings are placed again in the order of their numbers, the empty one
 * and the last one included).
 */
static void test_intern_hashed(void **state)
{
	struct intern t;
	uint32_t id, i;
	uint64_t h;
	int added;
	char s[32], big[INTERN_STR_MAX + 2];

	(void)state;
	intern_init(&t);
	h = intern_hash("", 0);
	intern_prefetch(&t, h);
	assert_int_equal(intern_add_hashed(&t, "", 0, h, &id, &added), VG_OK);
	assert_int_equal(id, 0);
	assert_true(added);
	for (i = 1; i < 20000; i++) {
		snprintf(s, sizeof(s), "contact-%u@example.com", i);
		h = intern_hash(s, strlen(s));
		intern_prefetch(&t, h);
		assert_int_equal(intern_add_hashed(&t, s, strlen(s), h, &id, &added), VG_OK);
		assert_int_equal(id, i);
		assert_true(added);
	}
	for (i = 1; i < 20000; i++) {
		snprintf(s, sizeof(s), "contact-%u@example.com", i);
		assert_int_equal(intern_find(&t, s, strlen(s)), i);
		h = intern_hash(s, strlen(s));
		assert_int_equal(intern_add_hashed(&t, s, strlen(s), h, &id, &added), VG_OK);
		assert_int_equal(id, i);
		assert_false(added);
	}
	assert_int_equal(intern_find(&t, "", 0), 0);
	assert_int_equal(intern_find(&t, "contact-20000@example.com", 25), INTERN_NONE);
	memset(big, 'a', sizeof(big));
	h = intern_hash(big, sizeof(big));
	assert_int_equal(intern_add_hashed(&t, big, sizeof(big), h, &id, NULL), VG_TOOBIG);
	assert_int_equal(intern_add_hashed(&t, "a\0b", 3, intern_hash("a\0b", 3), &id, NULL), VG_INVAL);
	assert_int_equal(t.n, 20000);
	intern_release(&t);
}

static void test_lsh(void **state)
{
	struct lsh l;
	uint32_t out[LSH_PER_KEY], keys[LSH_BANDS_MAX][LSH_LEVELS], keys2[LSH_BANDS_MAX][LSH_LEVELS];
	uint32_t sig[MINHASH_K];
	uint32_t i;

	(void)state;
	assert_true(lsh_layout_ok(10, 2));
	assert_true(lsh_layout_ok(32, 2));
	assert_false(lsh_layout_ok(33, 1));
	assert_false(lsh_layout_ok(16, 5));
	assert_false(lsh_layout_ok(0, 2));
	lsh_init(&l, 10, 2, 1);
	assert_int_equal(lsh_find(&l, 42, out), 0);
	/* Enough entries to grow the table several times; every one is found again. */
	for (i = 0; i < 50000; i++)
		assert_int_equal(lsh_insert(&l, i * 2654435761u, i), VG_OK);
	for (i = 0; i < 50000; i += 7) {
		assert_int_equal(lsh_find(&l, i * 2654435761u, out), 1);
		assert_int_equal(out[0], i);
	}
	/* One key, several ads: up to LSH_PER_KEY are returned. */
	for (i = 0; i < LSH_PER_KEY + 2; i++)
		assert_int_equal(lsh_insert(&l, 7, 100000 + i), VG_OK);
	assert_int_equal(lsh_find(&l, 7, out), LSH_PER_KEY);
	/* Keys depend on each band's own values only. */
	for (i = 0; i < MINHASH_K; i++)
		sig[i] = i * 77;
	lsh_keys(&l, sig, keys, l.levels);
	sig[0]++;
	lsh_keys(&l, sig, keys2, l.levels);
	assert_true(keys[0][0] != keys2[0][0]);
	for (i = 1; i < 10; i++)
		assert_true(keys[i][0] == keys2[i][0] && keys[i][1] == keys2[i][1]);
	assert_true(keys[1][0] != keys[2][0]);
	/* Ten bands of two leave 44 values spare: two longer keys a band. */
	assert_int_equal(l.levels, 3);
	assert_true(keys[3][0] != keys[3][1] && keys[3][1] != keys[3][2]);
	/* A spare value changes only its own band's longer keys. */
	sig[20 + 3 * 2]++;
	lsh_keys(&l, sig, keys2, l.levels);
	assert_true(keys2[3][0] == keys[3][0] && keys2[3][1] != keys[3][1]);
	assert_true(keys2[4][1] == keys[4][1]);
	lsh_release(&l);
	/* A layout that uses every value has no longer keys. */
	lsh_init(&l, 32, 2, 1);
	assert_int_equal(l.levels, 1);
	lsh_release(&l);
}

/* Adds an ad to x with the given text, contacts (NULL-terminated) and place. */
static uint32_t add_ad(struct ads_index *x, const char *id, const char *text, const char **contacts,
		       const char *city)
{
	struct index_ad ad = {0};
	struct index_sig is;
	uint32_t sig[MINHASH_K], a;
	size_t words = sign(&x->mh, text, sig);

	ad.id = id;
	ad.id_len = strlen(id);
	ad.posted = INDEX_NO_TIME;
	ad.city = city;
	ad.region = "";
	ad.min_age = INDEX_NO_AGE;
	index_sign(x, sig, &is);
	ad.sig = words ? &is : NULL;
	while (contacts && contacts[ad.n_contacts])
		ad.contacts[ad.n_contacts] = contacts[ad.n_contacts], ad.n_contacts++;
	assert_int_equal(index_add(x, &ad, &a), VG_OK);
	return a;
}

#define TEMPLATE "hi gentlemen my name is %s and i am a sweet latina girl visiting %s " \
	"this week. real pics no games, incall and outcall available all night. " \
	"call me for a %s time, donations %s roses"

/* Marsaglia's xorshift32: all 32 bits vary, the low ones too. */
static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Adds an ad with a signature made up for the test. */
static uint32_t add_sig(struct ads_index *x, const char *id, const uint32_t sig[MINHASH_K])
{
	struct index_ad ad = {0};
	struct index_sig is;
	uint32_t a;

	index_sign(x, sig, &is);
	ad.id = id;
	ad.id_len = strlen(id);
	ad.posted = INDEX_NO_TIME;
	ad.city = ad.region = "";
	ad.min_age = INDEX_NO_AGE;
	ad.sig = &is;
	assert_int_equal(index_add(x, &ad, &a), VG_OK);
	return a;
}

/*
 * A band key full of unlike ads sends the next ads of that band to its
 * longer key, where two copies of one template still meet; an ad like one
 * of the full key's ads and like nothing else is still joined to it. The
 * same in the table (batch 0) and in the batch path (batch 1), whose keys
 * keep LSH_PER_KEY ads.
 */
static void longer_keys(int batch)
{
	struct index_params p;
	struct ads_index x;
	uint32_t sig[MINHASH_K], copy[MINHASH_K], first_sig[MINHASH_K];
	uint32_t first, second, head = 0, late, i, k, spare, rng = 1;
	char id[8];

	index_params_default(&p);
	index_init(&x, &p);
	if (batch)
		index_defer(&x);
	spare = p.bands * p.rows;
	/* Ads alike in band 0 only (values 0 and 1): its key fills up. */
	for (k = 0; k < LSH_PER_KEY; k++) {
		for (i = 0; i < MINHASH_K; i++)
			sig[i] = xorshift(&rng);
		sig[0] = 7;
		sig[1] = 9;
		if (!k)
			memcpy(first_sig, sig, sizeof(sig));
		snprintf(id, sizeof(id), "u%u", k);
		head = k ? head : add_sig(&x, id, sig);
		if (k)
			add_sig(&x, id, sig);
	}
	/*
	 * Two copies: the same band 0 and its spare values, every other
	 * value 16 apart, so no other band shares a key but the 4-bit sketches
	 * are the same.
	 */
	for (i = 0; i < MINHASH_K; i++)
		sig[i] = xorshift(&rng);
	sig[0] = 7;
	sig[1] = 9;
	for (i = 0; i < MINHASH_K; i++)
		copy[i] = i == 0 || i == 1 || i == spare || i == spare + 1 ? sig[i] : sig[i] + 16;
	first = add_sig(&x, "copy1", sig);
	second = add_sig(&x, "copy2", copy);
	/*
	 * A late copy of the full key's first ad: its band 0 is that key, every
	 * other value 16 apart, so it meets its original under no other key,
	 * not even the longer one (the original is not stored there).
	 */
	for (i = 0; i < MINHASH_K; i++)
		copy[i] = i == 0 || i == 1 ? first_sig[i] : first_sig[i] + 16;
	late = add_sig(&x, "late", copy);
	if (batch)
		assert_int_equal(index_settle(&x), VG_OK);
	assert_int_equal(index_cluster(&x, second), first);
	assert_int_equal(index_cluster(&x, first), first);
	assert_int_equal(index_cluster(&x, late), head);
	assert_int_equal(index_cluster(&x, head), head);
	/* The other unlike ads stay alone. */
	for (k = 1; k < LSH_PER_KEY; k++)
		assert_int_equal(index_cluster(&x, head + k), head + k);
	index_release(&x);
}

/*
 * Two levels full: LSH_PER_KEY unlike ads fill band 0's key, LSH_PER_KEY
 * more with the same first spare value fill its longer key, and two
 * copies that also share the second spare value meet under the last key
 * and are joined; the unlike ads stay alone.
 */
static void longer_keys_last(int batch)
{
	struct index_params p;
	struct ads_index x;
	uint32_t sig[MINHASH_K], copy[MINHASH_K], first, second, rng = 7, unlike[2 * LSH_PER_KEY];
	unsigned i, k, spare;
	char id[8];

	index_params_default(&p);
	index_init(&x, &p);
	assert_true(x.lsh.levels >= 3);
	if (batch)
		index_defer(&x);
	spare = p.bands * p.rows;
	for (k = 0; k < 2 * LSH_PER_KEY; k++) {
		for (i = 0; i < MINHASH_K; i++)
			sig[i] = xorshift(&rng);
		sig[0] = 7;
		sig[1] = 9;
		if (k >= LSH_PER_KEY)
			sig[spare] = 11;
		snprintf(id, sizeof(id), "u%u", k);
		unlike[k] = add_sig(&x, id, sig);
	}
	for (i = 0; i < MINHASH_K; i++)
		sig[i] = xorshift(&rng);
	sig[0] = 7;
	sig[1] = 9;
	sig[spare] = 11;
	for (i = 0; i < MINHASH_K; i++)
		copy[i] = i <= 1 || i == spare || i == spare + 1 ? sig[i] : sig[i] + 16;
	first = add_sig(&x, "copy1", sig);
	second = add_sig(&x, "copy2", copy);
	if (batch)
		assert_int_equal(index_settle(&x), VG_OK);
	assert_int_equal(index_cluster(&x, second), first);
	for (k = 0; k < 2 * LSH_PER_KEY; k++)
		assert_int_equal(index_cluster(&x, unlike[k]), unlike[k]);
	index_release(&x);
}

static void test_index_longer_keys(void **state)
{
	(void)state;
	longer_keys(0);
	longer_keys(1);
	longer_keys_last(0);
	longer_keys_last(1);
}

static void test_index_clusters(void **state)
{
	struct index_params p;
	struct ads_index x;
	struct index_ad ad = {0};
	char text[512];
	uint32_t a0, a1, a2, a3, out;

	(void)state;
	index_params_default(&p);
	index_init(&x, &p);
	snprintf(text, sizeof(text), TEMPLATE, "lola", "oakland", "relaxing", "150");
	a0 = add_ad(&x, "a0", text, NULL, "Oakland");
	/* Slots changed (name, city, price) and a word substituted: the same template. */
	snprintf(text, sizeof(text), TEMPLATE, "mia", "fresno", "soothing", "200");
	a1 = add_ad(&x, "a1", text, NULL, "Fresno");
	a2 = add_ad(&x, "a2", "brand new spa with licensed therapists, open nine to five, "
			      "walk ins welcome and gift cards for sale", NULL, "Oakland");
	a3 = add_ad(&x, "a3", "...", NULL, "");
	assert_int_equal(index_cluster(&x, a1), a0);
	assert_int_equal(index_cluster(&x, a2), a2);
	assert_int_equal(index_cluster(&x, a3), a3);
	/* An id seen before is not added again. */
	ad.id = "a1";
	ad.id_len = 2;
	ad.city = ad.region = "";
	assert_int_equal(index_add(&x, &ad, &out), VG_EXISTS);
	assert_int_equal(x.n, 4);
	ad.id = "";
	ad.id_len = 0;
	assert_int_equal(index_add(&x, &ad, &out), VG_INVAL);
	ad.id = "x";
	ad.id_len = 1;
	ad.city = "bad\x1f";
	assert_int_equal(index_add(&x, &ad, &out), VG_INVAL);
	/* Without its lookup tables the index still knows its clusters. */
	index_drop_lookup(&x);
	assert_int_equal(x.lsh.used, 0);
	assert_null(x.sketch);
	assert_int_equal(index_cluster(&x, a1), a0);
	index_release(&x);
}

/* A growing buffer as the index file. */
struct mem {
	struct buf b;
	size_t pos;
};

static int mem_write(void *arg, const void *data, size_t len)
{
	return buf_add(&((struct mem *)arg)->b, data, len);
}

static int mem_read(void *arg, void *data, size_t len)
{
	struct mem *m = arg;

	if (len > m->b.len - m->pos)
		return VG_INVAL;
	memcpy(data, m->b.ptr + m->pos, len);
	m->pos += len;
	return VG_OK;
}

/* Loads m's bytes into a fresh index. */
static int reload(struct mem *m, struct ads_index *x)
{
	struct index_params p;

	index_params_default(&p);
	index_init(x, &p);
	m->pos = 0;
	return index_load(x, mem_read, m, m->b.len);
}

/* The generated ads, as the app reads them: contacts from the text, then signed. */
struct corpus {
	size_t n;
	struct index_ad *ads;
	struct index_sig *sig;
	char (*ids)[24];
	char (*city)[32];
	char (*region)[8];
	char (*contacts)[INDEX_CONTACTS_MAX][128];
	uint32_t *truth_template, *truth_network;
	uint8_t *subs;
	uint8_t *generic;   /* the generator added a generic number */
	unsigned max_subs;
};

static void corpus_make(struct corpus *c, size_t n, unsigned generic_permille)
{
	struct adgen_options o;
	struct adgen *g;
	struct adgen_ad *ad = malloc(sizeof(*ad));
	struct entities *e = malloc(sizeof(*e));
	struct entity_options eo = {.default_country = "US"};
	struct index_params p;
	struct ads_index params_only;
	struct norm nm;
	uint32_t sig[MINHASH_K];
	static char text[2 * ADGEN_TEXT_MAX];
	size_t i = 0, k;

	assert_non_null(ad);
	assert_non_null(e);
	adgen_options_default(&o);
	o.ads = n;
	o.seed = 2026;
	o.generic_permille = generic_permille;
	assert_int_equal(adgen_new(&o, &g), 0);
	c->n = n;
	c->max_subs = o.max_subs;
	c->ads = calloc(n, sizeof(*c->ads));
	c->sig = malloc(n * sizeof(*c->sig));
	c->ids = malloc(n * sizeof(*c->ids));
	c->city = malloc(n * sizeof(*c->city));
	c->region = malloc(n * sizeof(*c->region));
	c->contacts = malloc(n * sizeof(*c->contacts));
	c->truth_template = malloc(n * sizeof(uint32_t));
	c->truth_network = malloc(n * sizeof(uint32_t));
	c->subs = malloc(n);
	c->generic = malloc(n);
	assert_true(c->ads && c->sig && c->ids && c->city && c->region && c->contacts &&
		    c->truth_template && c->truth_network && c->subs && c->generic);
	/* Signs as an index with the default parameters will: only its parameters are read. */
	index_params_default(&p);
	index_init(&params_only, &p);
	norm_init(&nm);
	while (adgen_next(g, ad)) {
		struct index_ad *x = &c->ads[i];
		int len = snprintf(text, sizeof(text), "%s\n\n%s", ad->title, ad->text);

		assert_int_equal(norm_text(&nm, text, (size_t)len), VG_OK);
		entities_extract(text, (size_t)len, &nm, &eo, e);
		for (k = 0; k < e->count && x->n_contacts < INDEX_CONTACTS_MAX; k++) {
			if (e->items[k].kind != ENTITY_PHONE && e->items[k].kind != ENTITY_EMAIL)
				continue;
			snprintf(c->contacts[i][x->n_contacts], 128, "%s", e->items[k].value);
			x->contacts[x->n_contacts] = c->contacts[i][x->n_contacts];
			x->n_contacts++;
		}
		snprintf(c->ids[i], sizeof(c->ids[i]), "%s", ad->id);
		snprintf(c->city[i], sizeof(c->city[i]), "%s", ad->city);
		snprintf(c->region[i], sizeof(c->region[i]), "%s", ad->region);
		x->id = c->ids[i];
		x->id_len = strlen(c->ids[i]);
		x->city = c->city[i];
		x->region = c->region[i];
		x->posted = 1777593600 + (int64_t)i * 60;
		x->min_age = INDEX_NO_AGE;
		x->sig = minhash_sign(&params_only.mh, nm.text, nm.len, sig) ? &c->sig[i] : NULL;
		index_sign(&params_only, sig, &c->sig[i]);
		c->truth_template[i] = ad->truth_template;
		c->truth_network[i] = ad->truth_network;
		c->subs[i] = (uint8_t)ad->subs;
		c->generic[i] = (uint8_t)ad->generic;
		i++;
	}
	assert_int_equal(i, n);
	index_release(&params_only);
	norm_release(&nm);
	adgen_free(g);
	free(ad);
	free(e);
}

static void corpus_release(struct corpus *c)
{
	free(c->ads);
	free(c->sig);
	free(c->ids);
	free(c->city);
	free(c->region);
	free(c->contacts);
	free(c->truth_template);
	free(c->truth_network);
	free(c->subs);
	free(c->generic);
}

static void add_range(struct ads_index *x, const struct corpus *c, size_t from, size_t to)
{
	uint32_t a;
	size_t i;

	for (i = from; i < to; i++) {
		assert_int_equal(index_add(x, &c->ads[i], &a), VG_OK);
		assert_int_equal(a, i);
	}
}

static uint64_t pairs(uint64_t n)
{
	return n * (n - 1) / 2;
}

static int cmp_u64p(const void *a, const void *b)
{
	return cmp_u64(a, b);
}

/*
 * Sums over groups of equal keys (the top 63 bits) the pairs that have at
 * least one marked member (bit 0) when only_marked, else all pairs.
 */
static uint64_t group_pairs(uint64_t *v, size_t n, int only_marked)
{
	uint64_t sum = 0;
	size_t i = 0, j;

	qsort(v, n, sizeof(*v), cmp_u64p);
	while (i < n) {
		uint64_t marked = 0;

		for (j = i; j < n && v[j] >> 1 == v[i] >> 1; j++)
			marked += v[j] & 1;
		sum += only_marked ? pairs(j - i) - pairs(j - i - marked) : pairs(j - i);
		i = j;
	}
	return sum;
}

/* Pairwise precision and recall of pred against truth (marked: only pairs with a marked ad). */
static void pairwise(const uint32_t *truth, const uint32_t *pred, const uint8_t *mark, size_t n,
		     double *precision, double *recall)
{
	uint64_t *v = malloc(n * sizeof(*v)), tp, pp, tt;
	size_t i;

	assert_non_null(v);
	for (i = 0; i < n; i++)
		v[i] = ((uint64_t)truth[i] << 32 | pred[i]) << 1 | (mark ? mark[i] : 0);
	tp = group_pairs(v, n, mark != NULL);
	for (i = 0; i < n; i++)
		v[i] = (uint64_t)pred[i] << 1 | (mark ? mark[i] : 0);
	pp = group_pairs(v, n, mark != NULL);
	for (i = 0; i < n; i++)
		v[i] = (uint64_t)truth[i] << 1 | (mark ? mark[i] : 0);
	tt = group_pairs(v, n, mark != NULL);
	free(v);
	assert_true(tt > 0);
	*precision = pp ? (double)tp / (double)pp : 1;
	*recall = (double)tp / (double)tt;
}

/*
 * 2,000 generated ads: templates with slot changes and up to 5 scattered
 * substitutions, disguised letters, emoji, phones written many ways,
 * networks over several templates, generic numbers, background ads.
 * The bar is 0.95 for both precision and recall, for templates, for the
 * pairs with a 5-substitution ad, and for networks.
 */
static void quality(int batch)
{
	struct corpus c;
	struct index_params p;
	struct ads_index x;
	struct networks nw;
	uint8_t *five;
	double tp, tr, fp, fr, np, nr;
	size_t i;

	corpus_make(&c, 2000, 50);
	index_params_default(&p);
	index_init(&x, &p);
	if (batch)
		index_defer(&x);
	add_range(&x, &c, 0, c.n);
	if (batch)
		assert_int_equal(index_settle(&x), VG_OK);
	index_flatten(&x);
	assert_int_equal(networks_build(&x, NETWORK_GUARD_DEFAULT, &nw), VG_OK);
	five = malloc(c.n);
	assert_non_null(five);
	for (i = 0; i < c.n; i++)
		five[i] = c.subs[i] == c.max_subs;
	pairwise(c.truth_template, x.tpl.parent, NULL, c.n, &tp, &tr);
	pairwise(c.truth_template, x.tpl.parent, five, c.n, &fp, &fr);
	pairwise(c.truth_network, nw.of, NULL, c.n, &np, &nr);
	print_message("# %s: templates: precision %.4f recall %.4f\n", batch ? "batch" : "table", tp,
		      tr);
	print_message("# templates, pairs with a 5-substitution ad: precision %.4f recall %.4f\n",
		      fp, fr);
	print_message("# networks: precision %.4f recall %.4f (%zu generic contacts)\n", np, nr,
		      nw.n_generic);
	assert_true(tp >= 0.95 && tr >= 0.95);
	assert_true(fp >= 0.95 && fr >= 0.95);
	assert_true(np >= 0.95 && nr >= 0.95);
	/* The generator's generic numbers are all found, and nothing else. */
	assert_int_equal(nw.n_generic, 4);
	for (i = 0; i < nw.n_generic; i++) {
		const char *g = intern_str(&x.contacts, nw.generic[i].contact);
		size_t a, k, with = 0;

		for (a = 0; a < c.n; a++)
			for (k = 0; k < c.ads[a].n_contacts; k++)
				if (!strcmp(c.ads[a].contacts[k], g)) {
					assert_true(c.generic[a]);
					with++;
				}
		assert_int_equal(with, nw.generic[i].ads);
	}
	free(five);
	networks_release(&nw);
	index_release(&x);
	corpus_release(&c);
}

static void test_quality(void **state)
{
	(void)state;
	quality(0);
}

/* The batch path (index_defer(), index_settle()) on the same ads, to the same bar. */
static void test_quality_batch(void **state)
{
	(void)state;
	quality(1);
}

/*
 * Hashes made ahead (index_hash(), on a reader's thread in `vigil ads`) and
 * the slots, offsets and strings asked for ahead change nothing: the same
 * ads give the same numbers, places, contacts and clusters as ads whose
 * hashes index_add() makes itself, in the table and in the batch path.
 */
static void test_index_hashes(void **state)
{
	struct corpus c;
	struct index_params p;
	struct ads_index plain, ahead;
	struct index_hashes *h;
	uint32_t a;
	size_t i;
	int batch;

	(void)state;
	corpus_make(&c, 1500, 20);
	h = malloc(c.n * sizeof(*h));
	assert_non_null(h);
	for (i = 0; i < c.n; i++)
		index_hash(&c.ads[i], &h[i]);
	index_params_default(&p);
	for (batch = 0; batch < 2; batch++) {
		index_init(&plain, &p);
		index_init(&ahead, &p);
		if (batch) {
			index_defer(&plain);
			index_defer(&ahead);
		}
		add_range(&plain, &c, 0, c.n);
		for (i = 0; i < c.n; i++) {
			struct index_ad ad = c.ads[i];

			if (i + 4 < c.n)
				index_prefetch(&ahead, &h[i + 4], c.ads[i + 4].n_contacts);
			if (i + 2 < c.n)
				index_prefetch_contacts(&ahead, &h[i + 2], c.ads[i + 2].n_contacts, 0);
			if (i + 1 < c.n)
				index_prefetch_contacts(&ahead, &h[i + 1], c.ads[i + 1].n_contacts, 1);
			ad.h = &h[i];
			assert_int_equal(index_add(&ahead, &ad, &a), VG_OK);
			assert_int_equal(a, i);
		}
		/* An id seen before, with its hashes: still refused. */
		{
			struct index_ad ad = c.ads[7];

			ad.h = &h[7];
			assert_int_equal(index_add(&ahead, &ad, &a), VG_EXISTS);
		}
		if (batch) {
			assert_int_equal(index_settle(&plain), VG_OK);
			assert_int_equal(index_settle(&ahead), VG_OK);
		}
		assert_int_equal(ahead.n, plain.n);
		assert_int_equal(ahead.contacts.n, plain.contacts.n);
		assert_int_equal(ahead.places.n, plain.places.n);
		assert_int_equal(ahead.n_extra, plain.n_extra);
		for (i = 0; i < c.n; i++) {
			assert_int_equal(ahead.place[i], plain.place[i]);
			assert_int_equal(ahead.contact[i], plain.contact[i]);
			assert_int_equal(index_cluster(&ahead, (uint32_t)i),
					 index_cluster(&plain, (uint32_t)i));
		}
		index_release(&plain);
		index_release(&ahead);
	}
	free(h);
	corpus_release(&c);
}

/*
 * A day at a time: an index saved and loaded again goes on exactly as the
 * one that stayed in memory, so the second day joins the first day's
 * clusters without reading the first day's ads.
 */
static void test_incremental(void **state)
{
	struct corpus c;
	struct index_params p;
	struct ads_index whole, day1, day2;
	struct mem m = {0};
	size_t i, joined = 0;

	(void)state;
	corpus_make(&c, 1200, 20);
	index_params_default(&p);
	index_init(&whole, &p);
	add_range(&whole, &c, 0, c.n);
	index_init(&day1, &p);
	add_range(&day1, &c, 0, 600);
	buf_init(&m.b, 64u << 20);
	assert_int_equal(index_save(&day1, mem_write, &m), VG_OK);
	index_release(&day1);
	assert_int_equal(reload(&m, &day2), VG_OK);
	assert_int_equal(day2.n, 600);
	assert_int_equal(day2.n_loaded, 600);
	add_range(&day2, &c, 600, c.n);
	index_flatten(&whole);
	index_flatten(&day2);
	for (i = 0; i < c.n; i++) {
		assert_int_equal(day2.tpl.parent[i], whole.tpl.parent[i]);
		joined += i >= 600 && day2.tpl.parent[i] < 600;
	}
	print_message("# incremental: %zu of 600 second-day ads joined first-day clusters\n", joined);
	assert_true(joined > 100);
	assert_int_equal(day2.lsh.used, whole.lsh.used);
	assert_string_equal(intern_str(&day2.ids, 599), c.ids[599]);
	buf_release(&m.b);
	index_release(&day2);
	index_release(&whole);
	corpus_release(&c);
}

/* Whatever is damaged, cut or lengthened, the index is refused, not trusted. */
static void test_index_file_damage(void **state)
{
	struct corpus c;
	struct index_params p;
	struct ads_index x, y;
	struct mem m = {0};
	size_t at, len;

	(void)state;
	corpus_make(&c, 300, 20);
	index_params_default(&p);
	index_init(&x, &p);
	add_range(&x, &c, 0, c.n);
	buf_init(&m.b, 16u << 20);
	assert_int_equal(index_save(&x, mem_write, &m), VG_OK);
	assert_int_equal(reload(&m, &y), VG_OK);
	assert_int_equal(y.n, 300);
	index_release(&y);
	len = m.b.len;
	for (at = 0; at < len; at += len / 97 + 1) {
		m.b.ptr[at] ^= 0x20;
		assert_int_equal(reload(&m, &y), VG_INVAL);
		m.b.ptr[at] ^= 0x20;
	}
	m.b.len = len - 1;
	assert_int_equal(reload(&m, &y), VG_INVAL);
	m.b.len = 20;
	assert_int_equal(reload(&m, &y), VG_INVAL);
	m.b.len = len;
	assert_int_equal(buf_addch(&m.b, 0), VG_OK);
	assert_int_equal(reload(&m, &y), VG_INVAL);
	buf_release(&m.b);
	index_release(&x);
	corpus_release(&c);
}

static void test_networks_guard(void **state)
{
	struct index_params p;
	struct ads_index x;
	struct networks nw;
	char id[16], text[160], phone[24];
	const char *contacts[3];
	uint32_t lone[12], i;

	(void)state;
	index_params_default(&p);
	index_init(&x, &p);
	/*
	 * Twelve posters with numbers of their own and unrelated texts, each
	 * also giving the same booking line: the line is generic.
	 */
	for (i = 0; i < 12; i++) {
		snprintf(id, sizeof(id), "p%u", i);
		snprintf(text, sizeof(text), "alpha%u beta%u gamma%u delta%u epsilon%u", i, i, i, i, i);
		snprintf(phone, sizeof(phone), "+1555200%04u", i);
		contacts[0] = phone;
		contacts[1] = "+15559990000";
		contacts[2] = NULL;
		add_ad(&x, id, text, contacts, "");
	}
	/* One operator: twelve different texts, one number and nothing else. */
	for (i = 0; i < 12; i++) {
		snprintf(id, sizeof(id), "t%u", i);
		snprintf(text, sizeof(text), "zeta%u eta%u theta%u iota%u kappa%u", i, i, i, i, i);
		contacts[0] = "+15558880000";
		contacts[1] = NULL;
		lone[i] = add_ad(&x, id, text, contacts, "");
	}
	/* Two clusters sharing an email are one network. */
	contacts[0] = "boss@example.com";
	contacts[1] = NULL;
	add_ad(&x, "e1", "first template about something entirely different", contacts, "");
	add_ad(&x, "e2", "second template with its own words and phrases", contacts, "");
	index_flatten(&x);
	assert_int_equal(networks_build(&x, 8, &nw), VG_OK);
	assert_int_equal(nw.n_generic, 1);
	assert_string_equal(intern_str(&x.contacts, nw.generic[0].contact), "+15559990000");
	assert_int_equal(nw.generic[0].networks, 12);
	assert_int_equal(nw.generic[0].ads, 12);
	for (i = 1; i < 12; i++)
		assert_true(nw.of[i] == i);
	for (i = 0; i < 12; i++)
		assert_int_equal(nw.of[lone[i]], lone[0]);
	assert_int_equal(nw.of[x.n - 1], x.n - 2);
	networks_release(&nw);
	/* With a guard above the line's reach, it links them all. */
	assert_int_equal(networks_build(&x, 12, &nw), VG_OK);
	assert_int_equal(nw.n_generic, 0);
	assert_int_equal(nw.of[11], 0);
	networks_release(&nw);
	index_release(&x);
}

static void load_weights(struct rank_weights *w)
{
	static char text[1 << 16];
	char err[256];
	FILE *f = fopen(WEIGHTS_FILE, "r");
	size_t n;

	assert_non_null(f);
	n = fread(text, 1, sizeof(text), f);
	fclose(f);
	assert_int_equal(rank_weights_parse("weights.tsv", text, n, w, err, sizeof(err)), VG_OK);
}

static int parse_str(const char *text, struct rank_weights *w, char *err, size_t errsize)
{
	return rank_weights_parse("w.tsv", text, strlen(text), w, err, errsize);
}

static void test_rank_weights_file(void **state)
{
	struct rank_weights w;
	char err[256];
	size_t i;
	int movement = 0, young = 0;

	(void)state;
	load_weights(&w);
	for (i = 0; i < w.n; i++) {
		if (!strcmp(w.f[i].name, "ad.movement"))
			movement = 1, assert_true(w.f[i].weight == 0);
		if (!strcmp(w.f[i].name, "age_under_23"))
			young = 1, assert_true(w.f[i].weight == 0);
	}
	assert_true(movement && young);
	assert_int_equal(parse_str("feature\tweight\tscale\tlabel\tsource\n"
				   "ads\t1\t1\tads\tsomewhere\n", &w, err, sizeof(err)), VG_INVAL);
	assert_string_equal(err, "w.tsv:2: the scale of a count must be above 1");
	assert_int_equal(parse_str("# c\nfeature\tweight\tscale\tlabel\tsource\n"
				   "colour\t1\t1\tx\ty\n", &w, err, sizeof(err)), VG_INVAL);
	assert_non_null(strstr(err, "w.tsv:3: unknown feature"));
	assert_int_equal(parse_str("feature\tweight\tscale\tlabel\tsource\n"
				   "ad.x\t1\t1\tx\t\n", &w, err, sizeof(err)), VG_INVAL);
	assert_string_equal(err, "w.tsv:2: every weight needs its source");
	assert_int_equal(parse_str("feature\tweight\n", &w, err, sizeof(err)), VG_INVAL);
	assert_string_equal(err, "w.tsv:1: the header must be \"feature, weight, scale, label, "
			    "source\", tab-separated");
	assert_int_equal(parse_str("feature\tweight\tscale\tlabel\tsource\n"
				   "ad.x\tlots\t1\tx\ty\n", &w, err, sizeof(err)), VG_INVAL);
	assert_string_equal(err, "w.tsv:2: the weight must be a number from -10 to 10");
	assert_int_equal(parse_str("feature\tweight\tscale\tlabel\tsource\n"
				   "ad.x\t1\t1\tx\ty\nad.x\t2\t1\tx\ty\n", &w, err, sizeof(err)),
			 VG_INVAL);
	assert_string_equal(err, "w.tsv:3: the feature is listed twice");
}

static void test_rank_score(void **state)
{
	struct rank_weights w;
	struct intern cats;
	struct rank_stats trust = {0}, moving = {0}, minor = {0};
	struct rank_result r1, r2, r3;
	uint32_t id;
	size_t i;
	int found = 0;

	(void)state;
	load_weights(&w);
	intern_init(&cats);
	assert_int_equal(intern_add(&cats, "ad.reassurance", 14, &id, NULL), VG_OK);
	assert_int_equal(intern_add(&cats, "ad.movement", 11, &id, NULL), VG_OK);
	trust.ads = moving.ads = minor.ads = 10;
	trust.cities = moving.cities = minor.cities = 1;
	trust.first = moving.first = minor.first = INDEX_NO_TIME;
	trust.last = moving.last = minor.last = INDEX_NO_TIME;
	trust.youngest = moving.youngest = -1;
	trust.cats = moving.cats = minor.cats = &cats;
	trust.cat_ads[0] = 10;
	moving.cat_ads[1] = 10;
	minor.under18 = minor.under23 = 1;
	minor.youngest = 16;
	rank_score(&w, &trust, &r1);
	rank_score(&w, &moving, &r2);
	rank_score(&w, &minor, &r3);
	/* Trust language raises the score; movement language is shown but not counted. */
	assert_true(r1.risk > r2.risk + 0.05);
	for (i = 0; i < r2.n_why; i++)
		found |= strstr(r2.why[i], "movement language") && strstr(r2.why[i], "not counted");
	assert_true(found);
	assert_non_null(strstr(r1.why[0], "trust or reassurance language in 10 of 10 ads"));
	/* A stated age under 18 comes first, in the ranking and in the explanation. */
	assert_true(rank_compare(&minor, r3.risk, &trust, r1.risk) < 0);
	assert_true(rank_compare(&trust, r1.risk, &moving, r2.risk) < 0);
	assert_non_null(strstr(r3.why[0], "stated age under 18 in 1 of 10 ads (youngest 16)"));
	/* The ranking's risk without the reasons is the same number, bit for bit. */
	assert_true(rank_risk(&w, &trust) == r1.risk);
	assert_true(rank_risk(&w, &moving) == r2.risk);
	assert_true(rank_risk(&w, &minor) == r3.risk);
	trust.phones = 3;
	trust.regions = 2;
	trust.first = 0;
	trust.last = 86400 * 3;
	rank_score(&w, &trust, &r1);
	assert_true(r1.risk > 0 && rank_risk(&w, &trust) == r1.risk);
	intern_release(&cats);
}

static void test_groups(void **state)
{
	const uint32_t root_of[8] = {0, 1, 0, 3, 1, 0, 6, 3};
	struct groups g;

	(void)state;
	assert_int_equal(groups_build(root_of, 8, &g), VG_OK);
	assert_int_equal(groups_size(&g, 0), 3);
	assert_int_equal(groups_ads(&g, 0)[0], 0);
	assert_int_equal(groups_ads(&g, 0)[1], 2);
	assert_int_equal(groups_ads(&g, 0)[2], 5);
	assert_int_equal(groups_size(&g, 1), 2);
	assert_int_equal(groups_ads(&g, 1)[1], 4);
	assert_int_equal(groups_size(&g, 2), 0);
	assert_int_equal(groups_size(&g, 3), 2);
	assert_int_equal(groups_size(&g, 6), 1);
	assert_int_equal(groups_ads(&g, 6)[0], 6);
	groups_release(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minhash_words),
		cmocka_unit_test(test_minhash_disguises),
		cmocka_unit_test(test_minhash_estimates),
		cmocka_unit_test(test_sketch),
		cmocka_unit_test(test_unionfind),
		cmocka_unit_test(test_intern),
		cmocka_unit_test(test_intern_hashed),
		cmocka_unit_test(test_lsh),
		cmocka_unit_test(test_index_clusters),
		cmocka_unit_test(test_index_longer_keys),
		cmocka_unit_test(test_quality),
		cmocka_unit_test(test_quality_batch),
		cmocka_unit_test(test_index_hashes),
		cmocka_unit_test(test_incremental),
		cmocka_unit_test(test_index_file_damage),
		cmocka_unit_test(test_networks_guard),
		cmocka_unit_test(test_rank_weights_file),
		cmocka_unit_test(test_rank_score),
		cmocka_unit_test(test_groups),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

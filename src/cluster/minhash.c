#include "base/compat.h"
#include "cluster/minhash.h"

#include "screen/swar.h"

#include <utf8proc.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
/*
 * libxxhash's own header-only mode: the library's functions compiled
 * inline here, because a call per word through the shared library costs
 * as much as the hash of a short word itself.
 */
#define XXH_INLINE_ALL
#include <xxhash.h>

_Static_assert(MINHASH_K <= 64, "a signature's filled bins are one 64-bit mask");

/* The seed of the salts, apart from the word hash's. */
#define SALT_SALT 0x6d696e6861736862ull

void minhash_init(struct minhash *m, uint64_t seed, unsigned shingle)
{
	uint64_t i;

	assert(shingle >= 1 && shingle <= MINHASH_SHINGLE_MAX);
	m->seed = seed;
	m->shingle = shingle;
	m->number = XXH3_64bits_withSeed("#", 1, seed);
	for (i = 0; i < MINHASH_K; i++)
		m->salt[i] = (uint32_t)XXH3_64bits_withSeed(&i, sizeof(i), seed ^ SALT_SALT);
}

/*
 * The byte length of the non-ASCII character at text[i] (1 for an invalid
 * byte), and in *word whether it belongs in a word: a letter, a mark or a
 * digit. Invalid UTF-8 separates words.
 */
static size_t wide_char(const char *text, size_t len, size_t i, int *word)
{
	utf8proc_int32_t cp;
	utf8proc_ssize_t n;

	*word = 0;
	n = utf8proc_iterate((const utf8proc_uint8_t *)text + i, (utf8proc_ssize_t)(len - i), &cp);
	if (n <= 0)
		return 1;
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_LU:
	case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
	case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC:
	case UTF8PROC_CATEGORY_ME:
	case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL:
	case UTF8PROC_CATEGORY_NO:
		*word = 1;
		break;
	default:
		break;
	}
	return (size_t)n;
}

/*
 * Bytes of x that are ASCII letters or digits (0x80 in each). Setting 0x20
 * folds upper case onto lower and moves no other byte into a-z; digits
 * already have it.
 */
static inline uint64_t ascii_word_bytes(uint64_t x)
{
	return swar_between(x | SWAR_ONES * 0x20, 'a' - 1, 'z' + 1) |
	       swar_between(x, '0' - 1, '9' + 1);
}

/*
 * The masks of a 64-byte block: bit i of *in set when byte i is an ASCII
 * letter or digit, of *digit when it is an ASCII digit, of *high when it
 * is not ASCII. Sixteen bytes at a time with SSE2, which every x86-64
 * has (signed compares: a byte from 0x80 up is below every bound, so it
 * is in no class); eight at a time elsewhere.
 */
static inline void classify(const unsigned char *blk, uint64_t *in, uint64_t *digit,
			    uint64_t *high)
{
	unsigned j;

#ifdef __SSE2__
	const __m128i case_bit = _mm_set1_epi8(0x20), a = _mm_set1_epi8('a' - 1),
		      z = _mm_set1_epi8('z' + 1), d0 = _mm_set1_epi8('0' - 1),
		      d9 = _mm_set1_epi8('9' + 1);

	for (j = 0; j < 4; j++) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(blk + 16 * j));
		__m128i f = _mm_or_si128(x, case_bit);
		__m128i letter = _mm_and_si128(_mm_cmpgt_epi8(f, a), _mm_cmplt_epi8(f, z));
		__m128i dig = _mm_and_si128(_mm_cmpgt_epi8(x, d0), _mm_cmplt_epi8(x, d9));

		*in |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_or_si128(letter, dig)) << (16 * j);
		*digit |= (uint64_t)(uint16_t)_mm_movemask_epi8(dig) << (16 * j);
		*high |= (uint64_t)(uint16_t)_mm_movemask_epi8(x) << (16 * j);
	}
#else
	for (j = 0; j < 8; j++) {
		uint64_t x = swar_load8(blk + 8 * j);

		*in |= (uint64_t)swar_mask(ascii_word_bytes(x)) << (8 * j);
		*digit |= (uint64_t)swar_mask(swar_between(x, '0' - 1, '9' + 1)) << (8 * j);
		*high |= (uint64_t)swar_mask(x & SWAR_HIGH) << (8 * j);
	}
#endif
}

/* Where the shingles of a walk go: a signature, or a list. */
struct sink {
	const struct minhash *m;
	uint32_t *sig;
	uint64_t filled;   /* the signature's bins that a shingle fell in */
	uint64_t *out;
	size_t max;
	size_t count;
};

/*
 * One-permutation hashing (Li, Owen and Zhang, "One Permutation Hashing",
 * NIPS 2012): the shingle's 64-bit hash is read as a bin, from its top
 * 32 bits by a multiply and shift, and a value, its low 32 bits; each bin
 * keeps the least value that fell in it. One hash per shingle instead of
 * one per value: the 64 independent hash functions this replaced cost 64
 * finalisers per shingle, most of the signature's time.
 */
static inline __attribute__((always_inline)) void offer(struct sink *s, uint64_t x)
{
	uint32_t bin = (uint32_t)(((x >> 32) * MINHASH_K) >> 32), v = (uint32_t)x;

	s->filled |= 1ull << bin;
	s->sig[bin] = v < s->sig[bin] ? v : s->sig[bin];
}

/*
 * A shingle makes two offers: its hash, and the hash multiplied by an odd
 * constant and folded (another bin and value, nearly independent of the
 * first). With one, an ad of about 80 bigrams leaves 30% of 64 bins empty
 * and with two 9%: densified bins copy others, and copies make the LSH
 * bands less independent (docs/ads.md, "Templates").
 *
 * signing is a constant where walk() is inlined, so that each of its two
 * callers gets a loop without the other's branch or a call per shingle.
 */
static inline __attribute__((always_inline)) void emit(struct sink *s, uint64_t x, int signing)
{
	if (signing) {
		offer(s, x);
		x *= 0x9e3779b97f4a7c15ull;
		offer(s, x ^ x >> 29);
	} else if (s->count < s->max) {
		s->out[s->count] = x;
	}
	s->count++;
}

/* MurmurHash3's 32-bit finaliser: a bijection with full avalanche. */
static inline uint32_t fmix32(uint32_t v)
{
	v ^= v >> 16;
	v *= 0x85ebca6bu;
	v ^= v >> 13;
	v *= 0xc2b2ae35u;
	v ^= v >> 16;
	return v;
}

/*
 * Fills the bins no shingle fell in by optimal densification (Shrivastava,
 * "Optimal Densification for Fast and Accurate Minwise Hashing", ICML
 * 2017): empty bin i takes the value of bin d_i(1), d_i(2), ... , the
 * first of them that is filled, where d_i is a hash of the attempt seeded
 * by salt_i, the same for every text. Two texts then agree at each position
 * with probability their Jaccard similarity, as with 64 independent
 * permutations (exactly so with one offer per shingle, closely with two).
 * fmix32(salt_i + t * 0x9e3779b9) is a bijection of t modulo 2^32, so
 * d_i(t), its top bits, reaches every bin and the search ends whenever one
 * bin is filled.
 */
static void densify(const struct minhash *m, uint32_t sig[MINHASH_K], uint64_t filled)
{
	uint32_t i, t;

	for (i = 0; i < MINHASH_K; i++) {
		if (filled >> i & 1)
			continue;
		for (t = 1;; t++) {
			uint32_t j = (uint32_t)(((uint64_t)fmix32(m->salt[i] + t * 0x9e3779b9u) *
						 MINHASH_K) >> 32);

			if (filled >> j & 1) {
				sig[i] = sig[j];
				break;
			}
		}
	}
}

/*
 * The hash of a shingle from its k words' hashes, kept in a ring whose
 * oldest entry is at `oldest`: each word is folded in with a multiply and
 * a rotation (so the order matters), then the result is finished with
 * MurmurHash3's 64-bit finaliser. The word hashes are already XXH3's, so
 * mixing them need not be stronger.
 */
static inline uint64_t shingle_hash(const uint64_t *ring, size_t k, size_t oldest)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ k;
	size_t j, p = oldest;

	if (k == 2) {
		/* Bigrams, the default: the same steps without the loop. */
		h ^= ring[oldest];
		h = (h << 27 | h >> 37) * 0xff51afd7ed558ccdull;
		h ^= ring[oldest ^ 1];
		h = (h << 27 | h >> 37) * 0xff51afd7ed558ccdull;
	} else {
		for (j = 0; j < k; j++) {
			h ^= ring[p];
			h = (h << 27 | h >> 37) * 0xff51afd7ed558ccdull;
			p = p + 1 == k ? 0 : p + 1;
		}
	}
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

/*
 * The hash of the word text[start, end), end <= len (the text's length):
 * a seeded multiply-shift hash over its bytes read eight at a time.
 *
 * XXH3 was the word hash before, and cost most of MinHash: about ninety
 * short words an ad, each through its dispatch on the length (1-3, 4-8,
 * 9-16, ... bytes), a branch the varied lengths of words mispredict. Most
 * words are at most 8 bytes: one load (masked to the word), two
 * multiplies. (MinHash alone: 1.34 µs an ad with XXH3, 1.06 with this.)
 *
 * Quality: a word of up to 8 bytes (never NUL, so the masked load tells
 * every length apart) maps to a distinct 64-bit value, since xor with the
 * seed, multiplication by an odd constant and h ^ h >> s are each
 * bijections: no two such words collide at all. The last steps (a
 * xorshift, a multiply, a xorshift) let every byte of the word change the
 * low bits too, which a single product does not: with one-word shingles
 * the word hash is the shingle's, and its low 32 bits are the value. A
 * longer word folds in its length and each 8-byte piece with a multiply
 * and a rotation, its last piece the 8 bytes that end it (so pieces may
 * overlap): two long words collide only if that sequence of 64-bit steps
 * meets, about as rarely as any 64-bit hash's values do. With longer
 * shingles the result is not used as it is: shingle_hash() mixes it with
 * its neighbours' and ends in MurmurHash3's finaliser, which spreads
 * every bit over the bins and values. The seed changes every value, so
 * two indexes with different seeds make unrelated signatures.
 */
#define WORD_K1 0x9e3779b97f4a7c15ull
#define WORD_K2 0xd6e8feb86659fd93ull

/* A product's low bits depend only on its factors' low bits: folds the high ones down. */
static inline uint64_t word_mix(uint64_t h)
{
	h ^= h >> 32;
	h *= WORD_K2;
	return h ^ h >> 29;
}

static inline uint64_t word_hash(const char *text, size_t start, size_t end, size_t len,
				 uint64_t seed)
{
	const unsigned char *t = (const unsigned char *)text;
	size_t w = end - start, i;
	uint64_t h;

	if (w <= 8) {
		unsigned char tail[8] = {0};
		uint64_t x;

		/* Little-endian loads (swar_load8), so that every machine makes the same hashes. */
		if (start + 8 <= len) {
			x = swar_load8(t + start) & ~0ull >> (64 - 8 * w);
		} else {
			memcpy(tail, t + start, w);
			x = swar_load8(tail);
		}
		return word_mix((x ^ seed) * WORD_K1);
	}
	h = seed ^ (w * WORD_K2);
	for (i = start; i + 8 < end; i += 8) {
		h = (h ^ swar_load8(t + i)) * WORD_K1;
		h = h << 31 | h >> 33;
	}
	return word_mix((h ^ swar_load8(t + end - 8)) * WORD_K2);
}

/* Where a walk is: the last words' hashes and the word being read. */
struct walker {
	uint64_t ring[MINHASH_SHINGLE_MAX];
	size_t words, next;
	int last_number;
	size_t start;     /* where the word being read began */
	int in_word;      /* a word runs up to the current block */
	int digits;       /* and so far it is all ASCII digits */
};

/*
 * The word text[start, end) is complete: hashes it (a word of ASCII
 * digits as "#", once for numbers with only separators between them),
 * and emits a shingle once there are enough words. ring holds the last k
 * words' hashes; next is where the next one goes, which is also where the
 * oldest is once the ring is full.
 */
static inline __attribute__((always_inline)) void word_done(struct walker *wk, struct sink *s,
							     const char *text, size_t end,
							     size_t len, int signing)
{
	const struct minhash *m = s->m;
	size_t k = m->shingle;

	if (wk->digits) {
		/* Numbers next to each other are one number: "555 234 5678". */
		if (wk->last_number)
			return;
		wk->last_number = 1;
		wk->ring[wk->next] = m->number;
	} else {
		wk->last_number = 0;
		wk->ring[wk->next] = word_hash(text, wk->start, end, len, m->seed);
	}
	wk->next = wk->next + 1 == k ? 0 : wk->next + 1;
	wk->words++;
	if (k == 1)
		emit(s, wk->ring[0], signing);
	else if (wk->words >= k)
		emit(s, shingle_hash(wk->ring, k, wk->next), signing);
}

/* Bits from..63 of a 64-bit mask (from < 64). */
static inline uint64_t bits_from(unsigned from)
{
	return ~0ull << from;
}

/*
 * Reads the words of text and emits a hash for each window of m->shingle
 * consecutive words (one for all of them when there are fewer).
 *
 * The text is read 64 bytes at a time: a bit mask of the bytes that are
 * in words (ASCII letters and digits from eight-byte SWAR tests; each
 * non-ASCII character decoded where it starts and its bytes marked when
 * it is a letter, mark or digit), and of ASCII digits. A word starts where
 * a set bit follows a clear one and ends where a clear bit follows a set
 * one, so words are found by counting trailing zeros, without a branch per
 * byte or one that depends on each word's length. A character that runs
 * past the block carries into the next; a word may span blocks.
 */
static inline __attribute__((always_inline)) void walk(const char *text, size_t len,
							 struct sink *s, int signing)
{
	const unsigned char *t = (const unsigned char *)text;
	struct walker wk = {.words = 0};
	size_t p, carry = 0;   /* bytes at the next block's start that a character took */
	int carry_word = 0;    /* and whether that character was in a word */

	for (p = 0; p < len; p += 64) {
		unsigned char tail[64];
		const unsigned char *blk = t + p;
		uint64_t in = 0, digit = 0, high = 0, edges, prev;
		size_t n = len - p < 64 ? len - p : 64;

		if (n < 64) {
			/* The last bytes, padded with NUL: a separator. */
			memset(tail, 0, sizeof(tail));
			memcpy(tail, blk, n);
			blk = tail;
		}
		classify(blk, &in, &digit, &high);
		if (carry) {
			/* A character is at most 4 bytes: it reaches 3 bytes into this block at most. */
			uint64_t mine = (1ull << carry) - 1;

			assert(carry < 4);
			high &= ~mine;
			in |= carry_word ? mine : 0;
			carry = 0;
		}
		/* Each non-ASCII character where it starts: in a word or not, all its bytes. */
		while (high) {
			size_t at = (size_t)__builtin_ctzll(high), clen;
			uint64_t mine;
			int word;

			clen = wide_char(text, len, p + at, &word);
			if (at + clen >= 64) {
				mine = bits_from((unsigned)at);
				carry = at + clen - 64;
				carry_word = word;
			} else {
				mine = ((1ull << clen) - 1) << at;
			}
			high &= ~mine;
			if (word)
				in |= mine;
		}
		/* Transitions: a start where in follows out, an end where out follows in. */
		prev = in << 1 | (uint64_t)wk.in_word;
		edges = in ^ prev;
		while (edges) {
			unsigned at = (unsigned)__builtin_ctzll(edges);

			if (in >> at & 1) {
				wk.start = p + at;
				wk.digits = 1;
				wk.in_word = 1;
			} else {
				/* The word ends here: were its bytes in this block digits? */
				uint64_t span = bits_from((unsigned)(wk.start > p ? wk.start - p : 0)) &
						~bits_from(at);

				wk.digits = wk.digits && !(span & ~digit);
				wk.in_word = 0;
				word_done(&wk, s, text, p + at, len, signing);
			}
			edges &= edges - 1;
		}
		if (wk.in_word)
			wk.digits = wk.digits &&
				    !(bits_from((unsigned)(wk.start > p ? wk.start - p : 0)) & ~digit);
	}
	if (wk.in_word)
		word_done(&wk, s, text, len, len, signing);
	if (wk.words > 0 && wk.words < s->m->shingle)
		emit(s, shingle_hash(wk.ring, wk.words, 0), signing);
}

size_t minhash_sign(const struct minhash *m, const char *text, size_t len,
		    uint32_t sig[MINHASH_K])
{
	struct sink s = {.m = m, .sig = sig};
	size_t i;

	for (i = 0; i < MINHASH_K; i++)
		sig[i] = UINT32_MAX;
	walk(text, len, &s, 1);
	if (s.filled)
		densify(m, sig, s.filled);
	return s.count;
}

size_t minhash_shingles(const struct minhash *m, const char *text, size_t len,
			uint64_t *out, size_t max)
{
	struct sink s = {.m = m, .out = out, .max = max};

	walk(text, len, &s, 0);
	return s.count;
}

double minhash_similarity(const uint32_t a[MINHASH_K], const uint32_t b[MINHASH_K])
{
	unsigned same = 0;
	size_t i;

	for (i = 0; i < MINHASH_K; i++)
		same += a[i] == b[i];
	return (double)same / MINHASH_K;
}

void minhash_sketch(const uint32_t sig[MINHASH_K], uint8_t out[MINHASH_SKETCH_BYTES])
{
	size_t i;

	for (i = 0; i < MINHASH_SKETCH_BYTES; i++)
		out[i] = (uint8_t)((sig[2 * i] & 0xf) | (sig[2 * i + 1] & 0xf) << 4);
}

double minhash_sketch_similarity(const uint8_t a[MINHASH_SKETCH_BYTES],
				 const uint8_t b[MINHASH_SKETCH_BYTES])
{
	const double chance = 1.0 / (1u << MINHASH_SKETCH_BITS);
	double p, j;

	p = (double)(MINHASH_K - minhash_sketch_differ(a, b)) / MINHASH_K;
	j = (p - chance) / (1.0 - chance);
	return j < 0 ? 0 : j > 1 ? 1 : j;
}

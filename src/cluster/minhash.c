#include "base/compat.h"
#include "cluster/minhash.h"

#include "screen/swar.h"

#include <utf8proc.h>
/*
 * libxxhash's own header-only mode: the library's functions compiled
 * inline here, because a call per word through the shared library costs
 * as much as the hash of a short word itself.
 */
#define XXH_INLINE_ALL
#include <xxhash.h>

/* The seed of the salts, apart from the word hash's. */
#define SALT_SALT 0x6d696e6861736862ull

void minhash_init(struct minhash *m, uint64_t seed, unsigned shingle)
{
	uint64_t i;

	assert(shingle >= 1 && shingle <= MINHASH_SHINGLE_MAX);
	m->seed = seed;
	m->shingle = shingle;
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

static inline int ascii_word(unsigned char c)
{
	return (unsigned)((c | 0x20) - 'a') < 26 || (unsigned)(c - '0') < 10;
}

/*
 * From i, the end of the run of ASCII letters and digits (want 1) or of
 * ASCII bytes that are neither (want 0), eight bytes at a time.
 */
static inline __attribute__((always_inline)) size_t ascii_run(const char *text, size_t len,
								size_t i, int want)
{
	const unsigned char *t = (const unsigned char *)text;

	while (i + 8 <= len) {
		uint64_t x = swar_load8(t + i), w = ascii_word_bytes(x);
		unsigned stay = swar_mask(want ? w : ~(w | x) & SWAR_HIGH);

		if (stay != 0xff)
			return i + (size_t)__builtin_ctz(~stay);
		i += 8;
	}
	while (i < len && t[i] < 0x80 && ascii_word(t[i]) == want)
		i++;
	return i;
}

/* Where the shingles of a walk go: a signature, or a list. */
struct sink {
	const struct minhash *m;
	uint32_t *sig;
	uint64_t *out;
	size_t max;
	size_t count;
};

/*
 * Value i of a shingle x is fmix32(x ^ salt_i), MurmurHash3's finaliser: a
 * bijection of 32-bit words with full avalanche, so each salt gives an
 * independent-looking order of the shingles. The loop is plain 32-bit
 * arithmetic that compilers turn into vector code; the AVX2 clone does
 * eight values at a time where the CPU has it.
 */
__attribute__((target_clones("avx2", "default")))
static void sign_one(const uint32_t *restrict salt, uint32_t x, uint32_t *restrict sig)
{
	size_t i;

	for (i = 0; i < MINHASH_K; i++) {
		uint32_t v = x ^ salt[i];

		v ^= v >> 16;
		v *= 0x85ebca6bu;
		v ^= v >> 13;
		v *= 0xc2b2ae35u;
		v ^= v >> 16;
		sig[i] = v < sig[i] ? v : sig[i];
	}
}

static void emit(struct sink *s, uint64_t x)
{
	if (s->sig)
		sign_one(s->m->salt, (uint32_t)(x ^ (x >> 32)), s->sig);
	else if (s->count < s->max)
		s->out[s->count] = x;
	s->count++;
}

static int all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned)(s[i] - '0') > 9)
			return 0;
	return 1;
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

	for (j = 0; j < k; j++) {
		h ^= ring[p];
		h = (h << 27 | h >> 37) * 0xff51afd7ed558ccdull;
		p = p + 1 == k ? 0 : p + 1;
	}
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

/*
 * Reads the words of text and emits a hash for each window of
 * m->shingle consecutive words (one for all of them when there are fewer).
 * A word of ASCII digits is a number, and every number reads as the same
 * word, "#"; numbers with only separators between them are one number.
 * ring holds the last k words' hashes; next is where the next one goes,
 * which is also where the oldest is once the ring is full.
 */
static void walk(const char *text, size_t len, struct sink *s)
{
	const struct minhash *m = s->m;
	uint64_t ring[MINHASH_SHINGLE_MAX];
	size_t i = 0, words = 0, k = m->shingle, next = 0;
	int last_number = 0;

	while (i < len) {
		size_t start;
		int word;

		/* Separators: ASCII ones eight at a time, others one character at a time. */
		i = ascii_run(text, len, i, 0);
		if (i >= len)
			break;
		if ((unsigned char)text[i] >= 0x80) {
			size_t n = wide_char(text, len, i, &word);

			if (!word) {
				i += n;
				continue;
			}
		}
		/* A word: runs of ASCII letters and digits joined by non-ASCII ones. */
		start = i;
		for (;;) {
			size_t n;

			i = ascii_run(text, len, i, 1);
			if (i >= len || (unsigned char)text[i] < 0x80)
				break;
			n = wide_char(text, len, i, &word);
			if (!word)
				break;
			i += n;
		}
		if (all_digits(text + start, i - start)) {
			/* Numbers next to each other are one number: "555 234 5678". */
			if (last_number)
				continue;
			last_number = 1;
			ring[next] = XXH3_64bits_withSeed("#", 1, m->seed);
		} else {
			last_number = 0;
			ring[next] = XXH3_64bits_withSeed(text + start, i - start, m->seed);
		}
		next = next + 1 == k ? 0 : next + 1;
		words++;
		if (k == 1)
			emit(s, ring[0]);
		else if (words >= k)
			emit(s, shingle_hash(ring, k, next));
	}
	if (words > 0 && words < k)
		emit(s, shingle_hash(ring, words, 0));
}

size_t minhash_sign(const struct minhash *m, const char *text, size_t len,
		    uint32_t sig[MINHASH_K])
{
	struct sink s = {.m = m, .sig = sig};
	size_t i;

	for (i = 0; i < MINHASH_K; i++)
		sig[i] = UINT32_MAX;
	walk(text, len, &s);
	return s.count;
}

size_t minhash_shingles(const struct minhash *m, const char *text, size_t len,
			uint64_t *out, size_t max)
{
	struct sink s = {.m = m, .out = out, .max = max};

	walk(text, len, &s);
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
	unsigned differ = 0;
	double p, j;
	size_t i;

	/*
	 * A nibble differs when any of its four bits does: one flag bit per
	 * nibble, then the flags of each byte added (0 to 2) and the bytes
	 * summed by a multiply, without needing a popcount instruction.
	 */
	for (i = 0; i < MINHASH_SKETCH_BYTES; i += 8) {
		uint64_t x, y;

		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		x ^= y;
		x = (x | x >> 1 | x >> 2 | x >> 3) & 0x1111111111111111ull;
		x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
		differ += (unsigned)((x * 0x0101010101010101ull) >> 56);
	}
	p = (double)(MINHASH_K - differ) / MINHASH_K;
	j = (p - chance) / (1.0 - chance);
	return j < 0 ? 0 : j > 1 ? 1 : j;
}

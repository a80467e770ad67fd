/*
 * minhash.h - MinHash signatures of word shingles, for near-duplicate ads.
 *
 * The text given here is already normalised (screen/norm.h: case folded,
 * look-alike letters read as Latin, NFKC), so "ЅWEET" and "sweet" are one
 * word. A word is a run of letters and digits, ASCII or not (digits and
 * non-Latin letters are kept: a blind spot of tools that drop them); emoji,
 * symbols, punctuation and white space only separate words. A word of
 * digits is a number, and every number reads as the one word "#", numbers
 * with only separators between them ("555 234 5678", "$150.00") as one:
 * prices, ages and phone numbers are the slots a template changes from copy
 * to copy, and are written in many ways; that a number stands there still
 * counts, and the numbers themselves are the entity extractor's (phones
 * link networks). A shingle is `shingle` consecutive words; a text with
 * fewer words is one shingle.
 *
 * Each word is hashed with XXH3 (libxxhash) seeded with the signature's
 * seed, each shingle by mixing its words' hashes in order (multiply and
 * rotate, then MurmurHash3's 64-bit finaliser). The signature is made by
 * one-permutation hashing with optimal densification (Li, Owen and Zhang,
 * NIPS 2012; Shrivastava, ICML 2017): a shingle's hash picks one of the
 * MINHASH_K bins (its top bits) and offers it a value (its low 32 bits),
 * and a remix of the hash makes a second offer; each bin keeps the least
 * value offered, and a bin no shingle fell in
 * copies the value of a filled bin chosen by a hash seeded per bin, the
 * same for every text. One hash per shingle instead of MINHASH_K, and two
 * texts' signatures still agree at each position with probability equal
 * to the Jaccard similarity of their shingle sets.
 *
 * For storage a signature is cut to a sketch of MINHASH_SKETCH_BITS bits per
 * value (b-bit MinHash, Li and König 2010): two sketches agree at a position
 * with probability J + (1 - J) / 2^b, from which J is estimated.
 *
 * Pure: no I/O, no global state; a struct minhash is read-only after
 * minhash_init() and may be shared by threads.
 */
#ifndef VIGIL_MINHASH_H
#define VIGIL_MINHASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Values per signature. */
#define MINHASH_K 64
/* Words per shingle: 1 to this. */
#define MINHASH_SHINGLE_MAX 4
/* Bits kept per value in a sketch, and the sketch's size. */
#define MINHASH_SKETCH_BITS 4
#define MINHASH_SKETCH_BYTES (MINHASH_K * MINHASH_SKETCH_BITS / 8)

struct minhash {
	uint64_t seed;
	unsigned shingle;
	uint64_t number;            /* the hash of the word every number reads as */
	uint32_t salt[MINHASH_K];   /* seeds of each bin's densification */
};

/* Sets up the hash functions for seed; shingle is 1 to MINHASH_SHINGLE_MAX. */
void minhash_init(struct minhash *m, uint64_t seed, unsigned shingle);

/*
 * The signature of len bytes of normalised UTF-8 text. Returns the number
 * of shingles read, repeats included; 0 when the text has no word, and then
 * every value is UINT32_MAX. Invalid UTF-8 bytes separate words.
 */
size_t minhash_sign(const struct minhash *m, const char *text, size_t len,
		    uint32_t sig[MINHASH_K]);

/*
 * The shingle hashes of the text in text order, repeats included: at most
 * max are written, the count of all is returned. What minhash_sign() hashes.
 */
size_t minhash_shingles(const struct minhash *m, const char *text, size_t len,
			uint64_t *out, size_t max);

/* The share of positions where two signatures agree: their estimated J. */
double minhash_similarity(const uint32_t a[MINHASH_K], const uint32_t b[MINHASH_K]);

/* Keeps the low MINHASH_SKETCH_BITS bits of each value. */
void minhash_sketch(const uint32_t sig[MINHASH_K], uint8_t out[MINHASH_SKETCH_BYTES]);

/*
 * The number of positions where two sketches differ: 0 to MINHASH_K.
 * Inline: the index's checks call it tens of millions of times.
 */
static inline unsigned minhash_sketch_differ(const uint8_t a[MINHASH_SKETCH_BYTES],
					      const uint8_t b[MINHASH_SKETCH_BYTES])
{
	unsigned differ = 0;
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
	return differ;
}

/*
 * The Jaccard similarity estimated from two sketches, corrected for the
 * chance agreement of b-bit values: in [0, 1].
 */
double minhash_sketch_similarity(const uint8_t a[MINHASH_SKETCH_BYTES],
				 const uint8_t b[MINHASH_SKETCH_BYTES]);

#endif

/*
 * wordset.h - a quick "might this word start one of these phrases?" test.
 *
 * The extractors look for a few hundred words and phrases at every word of
 * a text; comparing each word with each phrase would cost more than the
 * rest of the screen together. A wordset remembers the first two letters
 * and the length of the first word of every phrase added, so most words of
 * a text are turned away with one table lookup; the few that start like
 * one of them are then checked against a hash of the whole word (a Bloom
 * filter with one hash). A "yes" may be wrong; a "no" never is. It
 * remembers the last two letters with the length too, for entities.c's
 * sifting of whole blocks of words.
 *
 * A wordset is plain memory (about 3.5 KB) with no pointers; entities.c makes
 * its wordsets once and only reads them after that.
 */
#ifndef VIGIL_WORDSET_H
#define VIGIL_WORDSET_H

#include <stddef.h>
#include <stdint.h>

#define WORDSET_KEYS (27 * 27)
#define WORDSET_HASH_BITS 4096

struct wordset {
	uint16_t lengths[WORDSET_KEYS]; /* bit n: a word of length n (15: 15 or more) */
	/*
	 * The same by the last two letters (a word of one letter: that letter
	 * and 26), for a caller that sifts words by both ends (entities.c).
	 */
	uint16_t ends[WORDSET_KEYS];
	uint64_t hashes[WORDSET_HASH_BITS / 64];
};

/* The slot of a word of len > 0 bytes: its first two letters (26: not a letter). */
static inline unsigned wordset_key(const char *word, size_t len)
{
	unsigned c0 = (unsigned char)word[0] - 'a', c1 = len > 1 ? (unsigned char)word[1] - 'a' : 26;

	return (c0 < 26 ? c0 : 26) * 27 + (c1 < 26 ? c1 : 26);
}

/* The bit of a length in a slot; 15 stands for 15 and more. */
static inline unsigned wordset_length_bit(size_t len)
{
	return 1u << (len < 15 ? len : 15);
}

/* FNV-1a of the word, cut to WORDSET_HASH_BITS. */
static inline unsigned wordset_hash(const char *word, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)word[i]) * 16777619u;
	return (unsigned)(h % WORDSET_HASH_BITS);
}

void wordset_init(struct wordset *w);

/* Adds the first word of phrase (its lower-case letters up to anything else). */
void wordset_add(struct wordset *w, const char *phrase);

/* Adds every word of other to w. */
void wordset_merge(struct wordset *w, const struct wordset *other);

/* Adds the first word of each of count phrases. */
void wordset_add_all(struct wordset *w, const char *const *phrases, size_t count);

/*
 * The second test of wordset_maybe() alone, the hash of the whole word
 * w[0..len), len > 0: for a caller that has made the first test (the
 * first two letters and the length) in a cheaper way already. False
 * only when no phrase added starts with the word.
 */
static inline int wordset_maybe_hash(const struct wordset *w, const char *word, size_t len)
{
	unsigned h = wordset_hash(word, len);

	return (w->hashes[h / 64] >> (h % 64)) & 1;
}

/*
 * False when no phrase added starts with the word w[0..len), len > 0.
 * Inline: it runs once per word of every text.
 */
static inline int wordset_maybe(const struct wordset *w, const char *word, size_t len)
{
	if (!(w->lengths[wordset_key(word, len)] & wordset_length_bit(len)))
		return 0;
	return wordset_maybe_hash(w, word, len);
}

/*
 * The tests of one word in several wordsets: its slot, length bit and
 * hash are the same in all of them, so they are worked out once.
 */
struct wordset_probe {
	unsigned key, bit, hash;
};

static inline void wordset_probe_init(struct wordset_probe *pr, const char *word, size_t len)
{
	pr->key = wordset_key(word, len);
	pr->bit = wordset_length_bit(len);
	pr->hash = wordset_hash(word, len);
}

/* wordset_maybe_hash() of the word pr was made from. */
static inline int wordset_maybe_probe_hash(const struct wordset *w, const struct wordset_probe *pr)
{
	return (w->hashes[pr->hash / 64] >> (pr->hash % 64)) & 1;
}

/* wordset_maybe() of the word pr was made from. */
static inline int wordset_maybe_probe(const struct wordset *w, const struct wordset_probe *pr)
{
	return (w->lengths[pr->key] & pr->bit) && wordset_maybe_probe_hash(w, pr);
}

#endif

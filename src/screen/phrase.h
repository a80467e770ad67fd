/*
 * phrase.h - fixed phrases in normalised text (norm.h: lower case, one
 * space between words), for the extractors.
 */
#ifndef VIGIL_PHRASE_H
#define VIGIL_PHRASE_H

#include <stddef.h>
#include <stdint.h>

/*
 * The phrase p stands at t[i] (of len bytes) and, unless p ends in a space,
 * ends at a word boundary. Returns its end or 0.
 */
size_t phrase_at(const char *t, size_t len, size_t i, const char *p);

/*
 * A list of at most PHRASE_LIST_MAX phrases indexed by their first byte, so
 * that phrase_list_at() reads only those that start with the text's byte.
 * The phrases are not copied: they must outlive the list.
 */
#define PHRASE_LIST_MAX 32

struct phrase_list {
	const char *const *phrases;
	/*
	 * The first eight bytes of phrases[k] (swar_load8() order) and the
	 * mask of those it has: one comparison reads a short phrase whole.
	 */
	uint64_t head[PHRASE_LIST_MAX], mask[PHRASE_LIST_MAX];
	uint8_t len[PHRASE_LIST_MAX];
	uint32_t first[256];   /* bit k of first[c]: phrases[k] starts with byte c */
	/*
	 * Bit k of second_last[c]: phrases[k] has c before its last byte, or
	 * has one byte only; all: every phrase.
	 */
	uint32_t second_last[256], all;
};

void phrase_list_init(struct phrase_list *l, const char *const *phrases, size_t count);

/* The first of the list's phrases standing at t[i] (phrase_at()); returns its end or 0. */
size_t phrase_list_at(const struct phrase_list *l, const char *t, size_t len, size_t i);

/*
 * The first of the list's phrases that ends right before t[i] and starts
 * at a word boundary (phrase_before()), or NULL.
 */
const char *phrase_list_before(const struct phrase_list *l, const char *t, size_t i);

/* The phrase p ends right before t[i] and starts at a word boundary. */
int phrase_before(const char *t, size_t i, const char *p);

/* ASCII letters and digits: what words are made of in normalised text. */
static inline int phrase_is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

#endif

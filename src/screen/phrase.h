/*
 * phrase.h - fixed phrases in normalised text (norm.h: lower case, one
 * space between words), for the extractors.
 */
#ifndef VIGIL_PHRASE_H
#define VIGIL_PHRASE_H

#include <stddef.h>

/*
 * The phrase p stands at t[i] (of len bytes) and, unless p ends in a space,
 * ends at a word boundary. Returns its end or 0.
 */
size_t phrase_at(const char *t, size_t len, size_t i, const char *p);

/* The first of count phrases standing at t[i]; returns its end or 0. */
size_t phrase_any_at(const char *t, size_t len, size_t i, const char *const *phrases,
		     size_t count);

/* The phrase p ends right before t[i] and starts at a word boundary. */
int phrase_before(const char *t, size_t i, const char *p);

/* ASCII letters and digits: what words are made of in normalised text. */
static inline int phrase_is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

#endif

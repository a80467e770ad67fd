/*
 * norm.h - the text the screen reads, and the way back to the original.
 *
 * Tips and ads hide words and numbers on purpose: look-alike letters from
 * other scripts, full-width forms, accents, odd case, emoji between digits.
 * norm_text() produces one normalised UTF-8 string in which such variants
 * read alike, and remembers for every byte of it the span of the original
 * text it came from, so that every match can be shown where the person
 * wrote it.
 *
 * The normalised text is: Unicode NFKC with case folding (utf8proc); for
 * each word that is not plain ASCII, letters folded to their Latin skeleton
 * (ICU uspoof confusables: Cyrillic "а" reads as Latin "a"); accents removed
 * (so "años" and "anos" match the same pattern); every Unicode decimal digit
 * as its ASCII digit; runs of white space as one space. Nothing else is
 * rewritten here: digit look-alikes and spelled-out numbers are read by the
 * entity extractors, which know when they are inside a number.
 *
 * Pure: no I/O, no global state; safe to call from several threads.
 */
#ifndef VIGIL_NORM_H
#define VIGIL_NORM_H

#include <stddef.h>
#include <stdint.h>

/* The longest text the screen accepts, in bytes; longer input is VG_TOOBIG. */
#define NORM_MAX_INPUT (16u << 20)

struct norm {
	char *text;        /* normalised, NUL-terminated, valid UTF-8 */
	size_t len;        /* bytes of text, not counting the NUL */
	uint32_t *from;    /* from[i]: original offset where the source of byte i starts */
	uint32_t *to;      /* to[i]: original offset where the source of byte i ends */
	size_t cap;        /* allocated bytes, for reuse between calls */
};

void norm_init(struct norm *n);
void norm_release(struct norm *n);

/*
 * Normalises len bytes of in into n, reusing its storage. VG_UTF8 if in is
 * not valid UTF-8 (nothing is screened then), VG_TOOBIG past NORM_MAX_INPUT.
 */
int norm_text(struct norm *n, const char *in, size_t len);

/*
 * The original span [*start, *end) for normalised bytes [a, b), a < b <= len.
 */
void norm_span(const struct norm *n, size_t a, size_t b, size_t *start, size_t *end);

#endif

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
 * The normalised text is: Unicode NFKC with case folding (utf8proc);
 * accents and other marks removed (so "años" and "anos" match the same
 * pattern); invisible characters (zero-width space, soft hyphen, joiners)
 * dropped; look-alike punctuation as ASCII (an en dash reads as "-"); every
 * non-ASCII letter folded to its Latin skeleton when that is made of ASCII
 * letters (ICU uspoof confusables: Cyrillic "а" reads as "a", "Н" as "h"),
 * while ASCII letters and digits are left alone even inside such a word
 * (uspoof would read "m" as "rn" and "0" as "O"); every Unicode decimal
 * digit, and single-digit numbers such as "❺", as its ASCII digit; runs of
 * white space, NUL and other control characters as one space. Nothing else
 * is rewritten here: digit look-alikes and spelled-out numbers are read by
 * the entity extractors, which know when they are inside a number.
 *
 * Each byte of the normalised text maps back to the whole grapheme cluster
 * (a letter with its accents, an emoji) or run of white space it came from;
 * plain ASCII maps byte for byte. docs/screening-text.md has the details.
 *
 * Pure: no I/O and no state that changes between calls (one read-only ICU
 * checker is made on first use and shared); safe to call from several
 * threads, each with its own struct norm.
 */
#ifndef VIGIL_NORM_H
#define VIGIL_NORM_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

/* The longest text the screen accepts, in bytes; longer input is VG_TOOBIG. */
#define NORM_MAX_INPUT (16u << 20)

struct norm_cache;

struct norm {
	char *text;        /* normalised, NUL-terminated, valid UTF-8 */
	size_t len;        /* bytes of text, not counting the NUL */
	uint32_t *from;    /* from[i]: original offset where the source of byte i starts */
	uint32_t *to;      /* to[i]: original offset where the source of byte i ends */
	size_t cap;        /* allocated bytes, for reuse between calls */
	struct norm_cache *cache; /* private: what characters became, kept between calls */
};

void norm_init(struct norm *n);
void norm_release(struct norm *n);

/*
 * Normalises len bytes of in into n, reusing its storage. VG_UTF8 if in is
 * not valid UTF-8 (nothing is screened then), VG_TOOBIG past NORM_MAX_INPUT
 * or when the normalised text would take more than 4 * len + 64 bytes
 * (compatibility forms can grow elevenfold: a text made of them is
 * refused), VG_NOMEM, VG_INTERNAL if ICU cannot make its checker. On
 * failure n->len is 0 and n->text is "" (or NULL if nothing was ever
 * allocated).
 */
int norm_text(struct norm *n, const char *in, size_t len);

/*
 * The original span [*start, *end) for normalised bytes [a, b), a < b <= len.
 * Inline: the screen maps some forty spans a text, and the extractors more.
 */
static inline void norm_span(const struct norm *n, size_t a, size_t b, size_t *start,
			     size_t *end)
{
	assert(a < b && b <= n->len);
	*start = n->from[a];
	*end = n->to[b - 1];
}

#endif

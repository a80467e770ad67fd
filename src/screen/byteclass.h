/*
 * byteclass.h - the classes of bytes the entity pass (entities.c) stops
 * at, 64 bytes at a time, one bit per byte: the first byte gives bit 0.
 *
 * alpha: "a" to "z" (normalised text has no capitals); digit: "0" to
 * "9"; sign: the signs the pass acts on, those that end a sentence or
 * may start an address, a number or an amount ("." "!" "?" ";" "@" "+"
 * "$"), and the lead bytes of multi-byte UTF-8 characters (0xc0 to 0xff).
 * Commas, quotes, dashes and brackets, some fifty a tip, start nothing
 * and are left out: each was a stop of the pass.
 *
 * Two ways to the same bits: eight bytes at a time in a 64-bit word
 * (swar.h), for every machine, and sixteen at a time with SSE2, which
 * every x86-64 has. byteclass_of() takes the faster one the build has;
 * the unit tests compare the two on every byte value.
 */
#ifndef VIGIL_BYTECLASS_H
#define VIGIL_BYTECLASS_H

#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "screen/swar.h"

struct byteclass {
	uint64_t alpha, digit, sign;
};

/* The bytes of x equal to c. */
static inline uint64_t byteclass_swar_is(uint64_t x, unsigned char c)
{
	return swar_between(x ^ (SWAR_ONES * c), -1, 1);
}

/* The classes of the 64 bytes at s, eight at a time. */
static inline void byteclass_swar(const unsigned char *s, struct byteclass *c)
{
	c->alpha = c->digit = c->sign = 0;
	for (unsigned j = 0; j < 64; j += 8) {
		uint64_t x = swar_load8(s + j);
		uint64_t sign = byteclass_swar_is(x, '.') | byteclass_swar_is(x, '!') |
				byteclass_swar_is(x, '?') | byteclass_swar_is(x, ';') |
				byteclass_swar_is(x, '@') | byteclass_swar_is(x, '+') |
				byteclass_swar_is(x, '$') | swar_lead(x);

		c->alpha |= (uint64_t)swar_mask(swar_between(x, 'a' - 1, 'z' + 1)) << j;
		c->digit |= (uint64_t)swar_mask(swar_between(x, '0' - 1, '9' + 1)) << j;
		c->sign |= (uint64_t)swar_mask(sign) << j;
	}
}

#if defined(__SSE2__)
/*
 * The bytes of x from lo to hi (0 <= lo <= hi <= 255, as unsigned bytes).
 * SSE2 compares only signed bytes: adding 0x80 - lo moves lo to -128, so
 * the bytes in the range are those that end up below -128 + hi - lo + 1.
 * One addition and one comparison, where a test of each bound takes two
 * comparisons and an "and".
 */
static inline __m128i byteclass_range(__m128i x, unsigned lo, unsigned hi)
{
	__m128i y = _mm_add_epi8(x, _mm_set1_epi8((char)(int8_t)(uint8_t)(0x80 - lo)));

	return _mm_cmplt_epi8(y, _mm_set1_epi8((char)(int8_t)(hi - lo + 1 - 128)));
}

/* The classes of the 64 bytes at s, sixteen at a time. */
static inline void byteclass_sse2(const unsigned char *s, struct byteclass *c)
{
	c->alpha = c->digit = c->sign = 0;
	for (unsigned j = 0; j < 64; j += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + j));
		/* "?" and "@" are next to each other: one range. */
		__m128i sign = _mm_or_si128(
			_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('.')),
						  _mm_cmpeq_epi8(x, _mm_set1_epi8('!'))),
				     _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(';')),
						  _mm_cmpeq_epi8(x, _mm_set1_epi8('+')))),
			_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('$')),
						  byteclass_range(x, '?', '@')),
				     byteclass_range(x, 0xc0, 0xff)));

		c->alpha |= (uint64_t)(unsigned)_mm_movemask_epi8(byteclass_range(x, 'a', 'z')) << j;
		c->digit |= (uint64_t)(unsigned)_mm_movemask_epi8(byteclass_range(x, '0', '9')) << j;
		c->sign |= (uint64_t)(unsigned)_mm_movemask_epi8(sign) << j;
	}
}
#endif

static inline void byteclass_of(const unsigned char *s, struct byteclass *c)
{
#if defined(__SSE2__)
	byteclass_sse2(s, c);
#else
	byteclass_swar(s, c);
#endif
}

#endif

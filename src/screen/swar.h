/*
 * swar.h - byte classes eight at a time, in a 64-bit word ("SIMD within a
 * register"), for the hot loops of norm.c and entities.c.
 *
 * The tricks are those of Sean Anderson's "Bit Twiddling Hacks": each class
 * function returns a word with 0x80 set in exactly the bytes of the class
 * and clear in the others (no false positives from carries). Portable C:
 * the compiler turns load8() into one load on little-endian machines.
 */
#ifndef VIGIL_SWAR_H
#define VIGIL_SWAR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SWAR_ONES UINT64_C(0x0101010101010101)
#define SWAR_LOW7 (SWAR_ONES * 0x7f)
#define SWAR_HIGH (SWAR_ONES * 0x80)

/* The eight bytes at s as a number, the first in the lowest bits. */
static inline uint64_t swar_load8(const unsigned char *s)
{
	return (uint64_t)s[0] | (uint64_t)s[1] << 8 | (uint64_t)s[2] << 16 |
	       (uint64_t)s[3] << 24 | (uint64_t)s[4] << 32 | (uint64_t)s[5] << 40 |
	       (uint64_t)s[6] << 48 | (uint64_t)s[7] << 56;
}

/* Stores x as the eight bytes at s, the lowest first: swar_load8()'s inverse. */
static inline void swar_store8(unsigned char *s, uint64_t x)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(s, &x, 8);
#else
	for (unsigned j = 0; j < 8; j++)
		s[j] = (unsigned char)(x >> (8 * j));
#endif
}

/*
 * Whether a[8..n) and b[8..n) hold the same bytes, n > 8, where the first
 * eight are known to: eight at a time, the last eight read again where n
 * is not a multiple of eight. The strings of the matcher are a little
 * longer than eight bytes, and a call to memcmp() cost more than this.
 */
static inline int swar_equal_after8(const unsigned char *a, const unsigned char *b, size_t n)
{
	size_t i = 8;

	for (; i + 8 < n; i += 8) {
		if (swar_load8(a + i) != swar_load8(b + i))
			return 0;
	}
	return swar_load8(a + n - 8) == swar_load8(b + n - 8);
}

/* Bytes b of x with lo < b < hi, for -1 <= lo and hi <= 128. */
static inline uint64_t swar_between(uint64_t x, int lo, int hi)
{
	return (SWAR_ONES * (uint64_t)(127 + hi) - (x & SWAR_LOW7)) & ~x &
	       ((x & SWAR_LOW7) + SWAR_ONES * (uint64_t)(127 - lo)) & SWAR_HIGH;
}

/* Bytes of x that start a multi-byte UTF-8 character (0xc0 and up). */
static inline uint64_t swar_lead(uint64_t x)
{
	return x & (x << 1) & SWAR_HIGH;
}

/* One bit per byte from a class word: byte i gives bit i. */
static inline unsigned swar_mask(uint64_t high)
{
	return (unsigned)(((high >> 7) * UINT64_C(0x0102040810204080)) >> 56);
}

#endif

/*
 * receipt.h - the receipt a reporter keeps to come back to a tip.
 *
 * 25 decimal digits from the system CSPRNG: 83 bits, read aloud or written
 * down in five groups of five ("48219 93011 77204 56618 30952"). Only a keyed
 * BLAKE2b of the digits (the blind index) is stored, so the database alone
 * cannot turn a receipt into a tip or a tip into its receipt.
 */
#ifndef VIGIL_RECEIPT_H
#define VIGIL_RECEIPT_H

#include <stddef.h>

#include "crypto/keys.h"

#define RECEIPT_DIGITS 25
#define RECEIPT_TEXT_SIZE 30  /* 25 digits, 4 spaces, NUL */
#define RECEIPT_INDEX_LEN 32

/* Fills digits with RECEIPT_DIGITS random digits and a NUL. */
void receipt_generate(char digits[RECEIPT_DIGITS + 1]);

/* Writes the grouped form, "ddddd ddddd ddddd ddddd ddddd". */
void receipt_format(const char digits[RECEIPT_DIGITS + 1],
		    char out[RECEIPT_TEXT_SIZE]);

/*
 * Reads a receipt as a person types it: digits with any spaces, dashes or
 * dots between them. VG_INVAL unless exactly RECEIPT_DIGITS digits remain.
 * The work done does not depend on where the input goes wrong.
 */
int receipt_parse(const char *in, size_t len, char digits[RECEIPT_DIGITS + 1]);

/* The blind index stored in place of the receipt. */
void receipt_index(const struct keys *k, const char digits[RECEIPT_DIGITS + 1],
		   unsigned char out[RECEIPT_INDEX_LEN]);

#endif

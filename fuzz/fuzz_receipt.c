/*
 * fuzz_receipt.c - receipts as people type them (crypto/receipt.h), the
 * one input the public check page and the receipt API take from anyone.
 *
 * On success the result must be exactly the input's digits, in order, and
 * it must survive a round trip through receipt_format().
 */
#include "base/compat.h"
#include "fuzz.h"
#include "crypto/receipt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char digits[RECEIPT_DIGITS + 1], again[RECEIPT_DIGITS + 1];
	char text[RECEIPT_TEXT_SIZE];
	size_t i, n = 0;

	memset(digits, 'x', sizeof(digits));
	if (receipt_parse((const char *)data, size, digits)) {
		fuzz_check(digits[0] == 'x');
		return 0;
	}
	fuzz_check(digits[RECEIPT_DIGITS] == '\0');
	for (i = 0; i < size; i++) {
		if (data[i] < '0' || data[i] > '9')
			continue;
		fuzz_check(n < RECEIPT_DIGITS && digits[n] == (char)data[i]);
		n++;
	}
	fuzz_check(n == RECEIPT_DIGITS);
	receipt_format(digits, text);
	fuzz_check(receipt_parse(text, strlen(text), again) == VG_OK);
	fuzz_check(!memcmp(digits, again, sizeof(digits)));
	return 0;
}

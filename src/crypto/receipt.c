#include "base/compat.h"

#include <sodium.h>

#include "crypto/receipt.h"

#define RECEIPT_GROUP 5

_Static_assert(RECEIPT_INDEX_LEN == crypto_generichash_BYTES,
	       "the blind index is BLAKE2b-256");
_Static_assert(KEYS_LEN >= crypto_generichash_KEYBYTES_MIN &&
		       KEYS_LEN <= crypto_generichash_KEYBYTES_MAX,
	       "index key size");
_Static_assert(RECEIPT_TEXT_SIZE ==
		       RECEIPT_DIGITS + RECEIPT_DIGITS / RECEIPT_GROUP,
	       "grouped form: digits, a space between groups, and a NUL");

/*
 * Domain separation: the index key may serve other lookups later, and a
 * receipt must never hash to the same index as another kind of value.
 */
static const char index_prefix[] = "receipt:";

/*
 * There is no safe way on without randomness; libsodium's own random
 * functions abort in the same case.
 */
static void sodium_ready(void)
{
	if (sodium_init() < 0)
		abort();
}

void receipt_generate(char digits[RECEIPT_DIGITS + 1])
{
	unsigned char pool[64];
	size_t i = 0, used = sizeof(pool);

	assert(digits);
	sodium_ready();
	/*
	 * One call to the CSPRNG fills a pool of bytes; a byte below 250 gives
	 * a digit (250 = 25 * 10, so no digit is likelier than another) and the
	 * rest are dropped. One system call per receipt instead of 25.
	 */
	while (i < RECEIPT_DIGITS) {
		if (used == sizeof(pool)) {
			randombytes_buf(pool, sizeof(pool));
			used = 0;
		}
		if (pool[used] < 250)
			digits[i++] = (char)('0' + pool[used] % 10);
		used++;
	}
	sodium_memzero(pool, sizeof(pool));
	digits[RECEIPT_DIGITS] = '\0';
}

void receipt_format(const char digits[RECEIPT_DIGITS + 1],
		    char out[RECEIPT_TEXT_SIZE])
{
	size_t i, o = 0;

	assert(digits && out);
	assert(strnlen(digits, RECEIPT_DIGITS + 1) == RECEIPT_DIGITS);
	for (i = 0; i < RECEIPT_DIGITS; i++) {
		if (i && i % RECEIPT_GROUP == 0)
			out[o++] = ' ';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	assert(o + 1 == RECEIPT_TEXT_SIZE);
}

/*
 * The grammar is  WS* digit (SEP* digit)* WS*  where SEP is a space, '-' or
 * '.', and WS is any ASCII white space. It is checked by a scan that visits
 * every byte once, does the same work for each, and keeps every verdict in
 * flags that are only looked at after the end: a failure at the first byte
 * costs exactly as much as one at the last, so timing does not tell how
 * much of a guessed receipt was well formed.
 */
int receipt_parse(const char *in, size_t len, char digits[RECEIPT_DIGITS + 1])
{
	/* One extra slot absorbs the writes of any digits past the 25th. */
	char scratch[RECEIPT_DIGITS + 1] = { 0 };
	size_t i, count = 0;
	unsigned bad = 0, trailing = 0, pending = 0;

	assert((in || !len) && digits);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		unsigned digit = (unsigned)(c >= '0') & (unsigned)(c <= '9');
		unsigned space = (unsigned)(c == ' ');
		unsigned punct = (unsigned)(c == '-') | (unsigned)(c == '.');
		unsigned ws = (unsigned)(c == '\t') | (unsigned)(c == '\n') |
			      (unsigned)(c == '\v') | (unsigned)(c == '\f') |
			      (unsigned)(c == '\r');
		unsigned started = (unsigned)(count > 0);
		size_t over = (size_t)(count >= RECEIPT_DIGITS);
		size_t slot = count * (1 - over) + RECEIPT_DIGITS * over;

		/* A byte that is none of the allowed kinds. */
		bad |= 1 ^ (digit | space | punct | ws);
		/* A '-' or '.' before the first digit. */
		bad |= punct & (1 ^ started);
		/*
		 * A digit after a tab or line break, which may only end the
		 * input. (A '-' or '.' there is caught by `pending` below.)
		 */
		bad |= digit & trailing;

		trailing |= ws & started;
		pending = (pending | punct) & (1 ^ digit);
		/*
		 * Every byte is stored, digit or not, in the slot of the next
		 * digit: a separator is overwritten by the digit after it, and
		 * anything after the 25th digit lands in the spare slot. A valid
		 * receipt therefore leaves exactly its digits in front.
		 */
		scratch[slot] = (char)c;
		count += digit;
	}
	/* A '-' or '.' must be followed by a digit. */
	bad |= pending;
	bad |= (unsigned)(count != RECEIPT_DIGITS);
	if (!bad) {
		memcpy(digits, scratch, RECEIPT_DIGITS);
		digits[RECEIPT_DIGITS] = '\0';
	}
	sodium_memzero(scratch, sizeof(scratch));
	return bad ? VG_INVAL : VG_OK;
}

void receipt_index(const struct keys *k, const char digits[RECEIPT_DIGITS + 1],
		   unsigned char out[RECEIPT_INDEX_LEN])
{
	crypto_generichash_state st;

	assert(k && digits && out);
	assert(strnlen(digits, RECEIPT_DIGITS + 1) == RECEIPT_DIGITS);
	sodium_ready();
	crypto_generichash_init(&st, k->index, KEYS_LEN, RECEIPT_INDEX_LEN);
	crypto_generichash_update(&st, (const unsigned char *)index_prefix,
				  sizeof(index_prefix) - 1);
	crypto_generichash_update(&st, (const unsigned char *)digits,
				  RECEIPT_DIGITS);
	crypto_generichash_final(&st, out, RECEIPT_INDEX_LEN);
	sodium_memzero(&st, sizeof(st));
}

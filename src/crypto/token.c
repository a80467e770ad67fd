#include "base/compat.h"

#include <sodium.h>

#include "crypto/token.h"

#define TOKEN_BYTES 32
#define TOKEN_ID_BYTES 8
#define B64URL sodium_base64_VARIANT_URLSAFE_NO_PADDING

_Static_assert(TOKEN_TEXT_SIZE == sodium_base64_ENCODED_LEN(TOKEN_BYTES, B64URL),
	       "a token is 32 bytes in unpadded base64url");
_Static_assert(TOKEN_TEXT_SIZE ==
		       sodium_base64_ENCODED_LEN(crypto_generichash_BYTES, B64URL),
	       "a CSRF token is a BLAKE2b-256 in unpadded base64url");
_Static_assert(TOKEN_ID_SIZE == 2 * TOKEN_ID_BYTES + 1, "id size");
_Static_assert(TOKEN_HASH_LEN == crypto_generichash_BYTES,
	       "the stored hash is BLAKE2b-256");
_Static_assert(KEYS_LEN >= crypto_generichash_KEYBYTES_MIN &&
		       KEYS_LEN <= crypto_generichash_KEYBYTES_MAX,
	       "CSRF key size");

/* Separates CSRF tokens from any other keyed hash of the same secret. */
static const char csrf_prefix[] = "csrf:";

/*
 * There is no safe way on without randomness; libsodium's own random
 * functions abort in the same case.
 */
static void sodium_ready(void)
{
	if (sodium_init() < 0)
		abort();
}

void token_generate(char out[TOKEN_TEXT_SIZE])
{
	unsigned char bin[TOKEN_BYTES];

	assert(out);
	sodium_ready();
	randombytes_buf(bin, sizeof(bin));
	sodium_bin2base64(out, TOKEN_TEXT_SIZE, bin, sizeof(bin), B64URL);
	sodium_memzero(bin, sizeof(bin));
}

void token_id(char out[TOKEN_ID_SIZE])
{
	unsigned char bin[TOKEN_ID_BYTES];

	assert(out);
	sodium_ready();
	randombytes_buf(bin, sizeof(bin));
	sodium_bin2hex(out, TOKEN_ID_SIZE, bin, sizeof(bin));
}

void token_hash(const char *token, unsigned char out[TOKEN_HASH_LEN])
{
	assert(token && out);
	sodium_ready();
	crypto_generichash(out, TOKEN_HASH_LEN, (const unsigned char *)token,
			   strlen(token), NULL, 0);
}

void token_csrf(const struct keys *k, const char *secret, char out[TOKEN_TEXT_SIZE])
{
	crypto_generichash_state st;
	unsigned char mac[crypto_generichash_BYTES];

	assert(k && secret && out);
	sodium_ready();
	crypto_generichash_init(&st, k->csrf, KEYS_LEN, sizeof(mac));
	crypto_generichash_update(&st, (const unsigned char *)csrf_prefix,
				  sizeof(csrf_prefix) - 1);
	crypto_generichash_update(&st, (const unsigned char *)secret,
				  strlen(secret));
	crypto_generichash_final(&st, mac, sizeof(mac));
	sodium_bin2base64(out, TOKEN_TEXT_SIZE, mac, sizeof(mac), B64URL);
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(mac, sizeof(mac));
}

/*
 * Tokens have a fixed, public length, so a length mismatch may be answered
 * at once; the contents are compared only when the lengths agree, and then
 * in time that does not depend on where they differ.
 */
int token_equal(const char *a, const char *b)
{
	size_t la, lb;

	assert(a && b);
	sodium_ready();
	la = strlen(a);
	lb = strlen(b);
	if (la != lb)
		return 0;
	return sodium_memcmp(a, b, la) == 0;
}

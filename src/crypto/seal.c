#include "base/compat.h"

#include <sodium.h>

#include "crypto/seal.h"

/*
 * Layout of a sealed value: version || nonce || ciphertext || tag. The
 * version byte lets a later format (another cipher, a key id) be told apart
 * from this one without guessing; a value with any other version is refused
 * as malformed rather than tried.
 */
#define SEAL_VERSION 1
#define NONCE_LEN crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define NONCE_OFF 1
#define BODY_OFF (NONCE_OFF + NONCE_LEN)

_Static_assert(SEAL_OVERHEAD ==
		       1 + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES +
			       crypto_aead_xchacha20poly1305_ietf_ABYTES,
	       "SEAL_OVERHEAD matches the AEAD");
_Static_assert(KEYS_LEN == crypto_aead_xchacha20poly1305_ietf_KEYBYTES,
	       "field key size");

int seal_encrypt(const struct keys *k, const char *ad, const void *pt,
		 size_t len, unsigned char **out, size_t *out_len)
{
	unsigned char *sealed;
	unsigned long long clen = 0;

	assert(k && ad && (pt || !len) && out && out_len);
	if (sodium_init() < 0)
		return VG_CRYPTO;
	if (len > crypto_aead_xchacha20poly1305_ietf_MESSAGEBYTES_MAX ||
	    len > SIZE_MAX - SEAL_OVERHEAD)
		return VG_TOOBIG;
	sealed = malloc(len + SEAL_OVERHEAD);
	if (!sealed)
		return VG_NOMEM;
	sealed[0] = SEAL_VERSION;
	/* 192-bit random nonces cannot realistically repeat under one key. */
	randombytes_buf(sealed + NONCE_OFF, NONCE_LEN);
	crypto_aead_xchacha20poly1305_ietf_encrypt(
		sealed + BODY_OFF, &clen, pt, len, (const unsigned char *)ad,
		strlen(ad), NULL, sealed + NONCE_OFF, k->field);
	assert(clen == len + crypto_aead_xchacha20poly1305_ietf_ABYTES);
	*out = sealed;
	*out_len = len + SEAL_OVERHEAD;
	return VG_OK;
}

int seal_decrypt(const struct keys *k, const char *ad, const unsigned char *ct,
		 size_t len, char **out, size_t *out_len)
{
	unsigned long long mlen = 0;
	char *pt;

	assert(k && ad && (ct || !len) && out && out_len);
	if (sodium_init() < 0)
		return VG_CRYPTO;
	if (len < SEAL_OVERHEAD || ct[0] != SEAL_VERSION)
		return VG_INVAL;
	/* One byte more than the plaintext for the terminator. */
	pt = malloc(len - SEAL_OVERHEAD + 1);
	if (!pt)
		return VG_NOMEM;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
		    (unsigned char *)pt, &mlen, NULL, ct + BODY_OFF,
		    len - BODY_OFF, (const unsigned char *)ad, strlen(ad),
		    ct + NONCE_OFF, k->field) != 0) {
		free(pt);
		return VG_CRYPTO;
	}
	assert(mlen == len - SEAL_OVERHEAD);
	pt[mlen] = '\0';
	*out = pt;
	*out_len = (size_t)mlen;
	return VG_OK;
}

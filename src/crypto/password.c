#include "base/compat.h"

#include <pthread.h>

#include <sodium.h>

#include "base/log.h"
#include "crypto/password.h"

#define PASSWORD_GENERATED_LEN 20

_Static_assert(PASSWORD_HASH_SIZE == crypto_pwhash_STRBYTES,
	       "PASSWORD_HASH_SIZE matches crypto_pwhash_STRBYTES");

/*
 * Letters and digits without the ones that are mistaken for each other when
 * a one-time password is read out or copied from paper: 0 O 1 l I.
 */
static const char generate_alphabet[] =
	"ABCDEFGHJKLMNPQRSTUVWXYZ"
	"abcdefghijkmnopqrstuvwxyz"
	"23456789";

/*
 * The hash that password_verify_dummy() checks against, made once with the
 * same cost parameters as password_hash() so that the two verifications do
 * the same work. It stays empty if it could not be made.
 */
static char dummy_hash[PASSWORD_HASH_SIZE];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

int password_hash(const char *pw, char out[PASSWORD_HASH_SIZE])
{
	char hash[PASSWORD_HASH_SIZE];
	size_t len;

	assert(pw && out);
	if (sodium_init() < 0)
		return VG_CRYPTO;
	len = strnlen(pw, PASSWORD_MAX_LEN + 1);
	if (len < PASSWORD_MIN_LEN || len > PASSWORD_MAX_LEN)
		return VG_INVAL;
	/* The only documented failure is running out of memory for Argon2. */
	if (crypto_pwhash_str(hash, pw, len, crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return VG_NOMEM;
	memcpy(out, hash, sizeof(hash));
	return VG_OK;
}

int password_verify(const char *hash, const char *pw)
{
	size_t len;

	assert(hash && pw);
	if (sodium_init() < 0)
		return VG_CRYPTO;
	/*
	 * No stored hash was made from a longer password, so such an attempt
	 * cannot match; refusing it early only tells the sender the length they
	 * already know, and keeps strlen() off unbounded input.
	 */
	len = strnlen(pw, PASSWORD_MAX_LEN + 1);
	if (len > PASSWORD_MAX_LEN)
		return VG_AUTH;
	return crypto_pwhash_str_verify(hash, pw, len) == 0 ? VG_OK : VG_AUTH;
}

static void dummy_init(void)
{
	unsigned char secret[32];

	/*
	 * The dummy hash is of a random password that is thrown away, so no
	 * input can ever verify against it.
	 */
	randombytes_buf(secret, sizeof(secret));
	if (crypto_pwhash_str(dummy_hash, (const char *)secret, sizeof(secret),
			      crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		dummy_hash[0] = '\0';
		log_error("password: cannot make the dummy hash (out of memory)");
	}
	sodium_memzero(secret, sizeof(secret));
}

int password_verify_dummy(const char *pw)
{
	assert(pw);
	if (sodium_init() < 0)
		return VG_CRYPTO;
	if (pthread_once(&dummy_once, dummy_init) != 0)
		return VG_INTERNAL;
	/*
	 * Without a dummy hash (the process lacked memory for Argon2 when it was
	 * made) the check is skipped. Real verifications then fail just as fast
	 * for want of the same memory, so this reveals nothing.
	 */
	if (dummy_hash[0])
		(void)password_verify(dummy_hash, pw);
	return VG_AUTH;
}

int password_generate(char out[21])
{
	char pw[PASSWORD_GENERATED_LEN + 1];
	size_t i;

	assert(out);
	if (sodium_init() < 0)
		return VG_CRYPTO;
	for (i = 0; i < PASSWORD_GENERATED_LEN; i++)
		pw[i] = generate_alphabet[randombytes_uniform(
			(uint32_t)(sizeof(generate_alphabet) - 1))];
	pw[PASSWORD_GENERATED_LEN] = '\0';
	memcpy(out, pw, sizeof(pw));
	sodium_memzero(pw, sizeof(pw));
	return VG_OK;
}

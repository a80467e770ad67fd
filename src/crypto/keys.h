/*
 * keys.h - the server's secret keys, kept in a file outside the database.
 *
 * The key file holds one 32-byte master key as 64 hex digits and a newline,
 * created by keys_create() with mode 0600. Purpose keys are derived from it
 * with libsodium's crypto_kdf so that one secret never serves two purposes:
 * field encryption, the receipt/entity blind index, CSRF tokens, and the
 * audit log's hash chain.
 */
#ifndef VIGIL_KEYS_H
#define VIGIL_KEYS_H

#define KEYS_LEN 32

struct keys {
	unsigned char field[KEYS_LEN]; /* XChaCha20-Poly1305 for fields at rest */
	unsigned char index[KEYS_LEN]; /* keyed BLAKE2b for receipts and lookups */
	unsigned char csrf[KEYS_LEN];  /* keyed BLAKE2b for CSRF tokens */
	unsigned char audit[KEYS_LEN]; /* keyed BLAKE2b chaining the audit log */
};

/*
 * Creates a new random master key at path with mode 0600.
 * VG_EXISTS if the file is already there (a key is never overwritten),
 * VG_IO on any other failure.
 */
int keys_create(const char *path);

/*
 * Reads the master key at path and derives the purpose keys into *out.
 * VG_IO if it cannot be read, VG_CONFIG if it is malformed or readable by
 * group or others. *out is set only on success.
 */
int keys_load(const char *path, struct keys *out);

/* Zeroes the keys (sodium_memzero). */
void keys_release(struct keys *k);

#endif

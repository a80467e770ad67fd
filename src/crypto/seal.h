/*
 * seal.h - authenticated encryption of fields at rest.
 *
 * XChaCha20-Poly1305 (libsodium's IETF AEAD) with a random nonce per value.
 * The associated data names where the value lives, "table/column/row-id",
 * so a ciphertext copied to another row or column fails to open.
 *
 * Sealed format: one version byte (1), the 24-byte nonce, the ciphertext
 * with its 16-byte tag. SEAL_OVERHEAD is the size added to the plaintext.
 */
#ifndef VIGIL_SEAL_H
#define VIGIL_SEAL_H

#include <stddef.h>

#include "crypto/keys.h"

#define SEAL_OVERHEAD (1 + 24 + 16)

/*
 * Encrypts len bytes of pt under the field key with `ad` as associated data.
 * On success *out is a malloc'd buffer of len + SEAL_OVERHEAD bytes.
 */
int seal_encrypt(const struct keys *k, const char *ad, const void *pt,
		 size_t len, unsigned char **out, size_t *out_len);

/*
 * Opens a sealed value. On success *out is a malloc'd NUL-terminated
 * plaintext of *out_len bytes. VG_CRYPTO if the value was altered, moved to
 * another ad, or sealed with another key; VG_INVAL if it is malformed.
 */
int seal_decrypt(const struct keys *k, const char *ad, const unsigned char *ct,
		 size_t len, char **out, size_t *out_len);

#endif

/*
 * password.h - staff password hashing with Argon2id (libsodium crypto_pwhash).
 *
 * Hashes are libsodium's self-describing strings, so the cost parameters can
 * be raised later and old hashes still verify.
 */
#ifndef VIGIL_PASSWORD_H
#define VIGIL_PASSWORD_H

#include <stddef.h>

#define PASSWORD_HASH_SIZE 128 /* crypto_pwhash_STRBYTES */
#define PASSWORD_MIN_LEN 12
#define PASSWORD_MAX_LEN 256

/* VG_INVAL if the password is shorter than PASSWORD_MIN_LEN or longer than MAX. */
int password_hash(const char *pw, char out[PASSWORD_HASH_SIZE]);

/* VG_OK if pw matches hash, VG_AUTH otherwise. */
int password_verify(const char *hash, const char *pw);

/*
 * Does the work of one verification against a fixed hash and returns
 * VG_AUTH, so that a login for a user who does not exist takes as long as a
 * wrong password for one who does.
 */
int password_verify_dummy(const char *pw);

/* Writes a new random password of 20 characters (letters and digits) for one-time use. */
int password_generate(char out[21]);

#endif

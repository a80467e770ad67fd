/*
 * token.h - random identifiers and bearer secrets.
 *
 * Session tokens are 32 random bytes in unpadded base64url; only their
 * BLAKE2b hash is stored, so a copy of the database does not hold a usable
 * session. CSRF tokens are a keyed hash of the session token, so they need
 * no storage and die with the session.
 */
#ifndef VIGIL_TOKEN_H
#define VIGIL_TOKEN_H

#include <stddef.h>

#include "crypto/keys.h"

#define TOKEN_TEXT_SIZE 44  /* 43 base64url characters and a NUL */
#define TOKEN_HASH_LEN 32
#define TOKEN_ID_SIZE 17    /* 16 hex digits (64 random bits) and a NUL */

void token_generate(char out[TOKEN_TEXT_SIZE]);

/* A random public id for a row, e.g. a tip: 16 lower-case hex digits. */
void token_id(char out[TOKEN_ID_SIZE]);

void token_hash(const char *token, unsigned char out[TOKEN_HASH_LEN]);

/* The CSRF token for a session or a login form nonce, in base64url. */
void token_csrf(const struct keys *k, const char *secret, char out[TOKEN_TEXT_SIZE]);

/* Constant-time comparison of two NUL-terminated tokens; 1 when equal. */
int token_equal(const char *a, const char *b);

#endif

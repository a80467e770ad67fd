/*
 * totp.h - the optional second factor: time-based one-time codes
 * (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps, as every authenticator
 * app expects), computed by liboath.
 *
 * A user sets up a secret (totp_enrol), shows one code from it to confirm
 * that their app has it (totp_confirm), and from then on signs in with a
 * code after the password (totp_verify). A secret being set up is kept
 * beside the one in force and replaces it only once confirmed, so the
 * second factor never lapses while a new device is set up. Secrets are
 * sealed at rest. Wrong codes are
 * counted per user: after TOTP_MAX_FAILURES in TOTP_WINDOW seconds every
 * code is refused until the window ends, so six digits cannot be guessed.
 * A code is accepted once: the step of the last accepted code is stored.
 */
#ifndef VIGIL_TOTP_H
#define VIGIL_TOTP_H

#include "app/app.h"
#include "app/auth.h"

#define TOTP_SECRET_BYTES 20    /* 160 bits, as RFC 4226 recommends */
#define TOTP_DIGITS 6
#define TOTP_STEP 30
#define TOTP_WINDOW 300
#define TOTP_MAX_FAILURES 5

/* What a user types into an authenticator app, or lets it read. */
struct totp_enrolment {
	char secret[64];        /* base32, no padding */
	char uri[256];          /* otpauth://totp/vigil:<name>?secret=...&issuer=vigil */
};

/*
 * Makes a new secret for user u. With confirmed = 1 (`vigil user totp`, run
 * by whoever holds the data directory, who hands the secret over out of
 * band, e.g. to a user who lost their device) it is in force at once. With
 * confirmed = 0 (the console) it is pending: the secret in force, if any,
 * stays in force and is still asked for at sign-in until totp_confirm()
 * sees a code from the new one. A second pending secret replaces the first.
 */
int totp_enrol(struct app *app, const struct auth_user *u, int confirmed,
	       struct totp_enrolment *out);

/*
 * Checks code against user_id's secret in force (sign-in). VG_OK; VG_AUTH
 * for a wrong, old or already used code; VG_THROTTLED after too many wrong
 * codes; VG_NOTFOUND when the user has no secret in force.
 */
int totp_verify(struct app *app, int64_t user_id, const char *code);

/*
 * Checks code against user_id's pending secret and, when it is right, puts
 * that secret in force in place of any earlier one. The same answers as
 * totp_verify(); VG_NOTFOUND when nothing is being set up.
 */
int totp_confirm(struct app *app, int64_t user_id, const char *code);

/* *out = 1 when user_id has a secret in force. */
int totp_enrolled(struct app *app, int64_t user_id, int *out);

/* Removes user_id's secrets: they sign in with the password alone. */
int totp_remove(struct app *app, int64_t user_id);

/*
 * A user removing their own second factor in the console: only with a
 * valid code from the secret in force (answers as totp_verify()), so a
 * session left open is not enough. VG_FORBIDDEN for an admin while the
 * configuration requires administrators to have one ([auth] totp_admin).
 */
int totp_remove_own(struct app *app, const struct auth_user *u, const char *code);

/*
 * The code of base32 secret `secret` at time `now`, for the tests and for
 * tools that check a setup. VG_INVAL for a malformed secret.
 */
int totp_code(const char *secret, int64_t now, char out[TOTP_DIGITS + 1]);

#endif

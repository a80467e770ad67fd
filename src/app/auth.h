/*
 * auth.h - staff accounts and sessions.
 *
 * Passwords are Argon2id hashes; a login for a name that does not exist
 * costs what a wrong password costs. Sessions are random tokens of which
 * only a hash is stored; they end after the configured idle time or
 * maximum age, on logout, or when the account is disabled. Failed logins
 * per account name are counted in the store, and an account name with too
 * many recent failures is refused for a while whatever the password.
 */
#ifndef VIGIL_AUTH_H
#define VIGIL_AUTH_H

#include "app/app.h"
#include "crypto/token.h"

#define AUTH_NAME_MAX 64
#define AUTH_LOGIN_WINDOW 900
#define AUTH_LOGIN_MAX_FAILURES 10

struct auth_user {
	int64_t id;
	char name[AUTH_NAME_MAX + 1];
	char role[16];
	int must_change;
	int totp_enrolled;   /* has a second factor in force (app/totp.h) */
	int totp_pending;    /* this session still waits for the code */
};

/* 1 for a role vigil knows: admin, supervisor, advocate, analyst, ... */
int auth_role_valid(const char *role);

/*
 * Creates an account. VG_INVAL for a bad name (1-64 of [A-Za-z0-9._-]) or
 * role, or a password outside the allowed length; VG_EXISTS when taken.
 */
int auth_user_add(struct app *app, const char *name, const char *role,
		  const char *password, int must_change, int64_t *id_out);

/*
 * Checks name and password and opens a session of kind "web" or "api".
 * VG_AUTH for any wrong combination, VG_THROTTLED after too many failures.
 * For a user with a second factor the session is opened waiting for the
 * code (out->totp_pending): auth_session() reports it so, and only
 * auth_totp() makes it a full session.
 */
int auth_login(struct app *app, const char *name, const char *password,
	       const char *kind, char token[TOKEN_TEXT_SIZE], struct auth_user *out);

/*
 * The user of a live session, which it keeps alive. VG_AUTH for an unknown
 * token, VG_EXPIRED for one that timed out (it is deleted).
 */
int auth_session(struct app *app, const char *token, const char *kind,
		 struct auth_user *out);

int auth_logout(struct app *app, const char *token);

/*
 * Completes the sign-in of a session waiting for its second factor with
 * the code from the user's authenticator. VG_AUTH for a wrong code,
 * VG_THROTTLED after too many (see app/totp.h).
 */
int auth_totp(struct app *app, const char *token, const struct auth_user *u,
	      const char *code);

/* VG_AUTH when current is wrong, VG_INVAL when the new one is unacceptable. */
int auth_change_password(struct app *app, const struct auth_user *u,
			 const char *current, const char *password);

#endif

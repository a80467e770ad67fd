/*
 * totp.h (store) - the users' TOTP secrets (migration 0008) and the
 * sessions still waiting for a code.
 *
 * Secrets arrive sealed and leave sealed (app/totp.c holds the key). Every
 * function takes the store's lock for its whole run.
 */
#ifndef VIGIL_STORE_TOTP_H
#define VIGIL_STORE_TOTP_H

#include "store/store.h"

struct totp_row {
	struct sealed secret;   /* in force; ad "user_totp/secret/<user_id>"; {NULL, 0} if none */
	struct sealed pending;  /* being set up; ad "user_totp/pending/<user_id>"; {NULL, 0} if none */
	int64_t last_step;
};

/*
 * Puts secret in force for user_id at once and drops any pending one (for
 * `vigil user totp`, which hands the secret over out of band).
 */
int store_totp_put(struct store *s, int64_t user_id, const struct sealed *secret,
		   int64_t now);
/*
 * Sets pending as user_id's secret being set up, replacing an earlier
 * pending one; the secret in force, if any, stays in force.
 */
int store_totp_put_pending(struct store *s, int64_t user_id, const struct sealed *pending,
			   int64_t now);
/* VG_NOTFOUND when the user has neither secret. */
int store_totp_get(struct store *s, int64_t user_id, struct totp_row *out);
/*
 * Records that the code of time step `step` of the secret in force was
 * accepted. VG_NOTFOUND when the user has no secret in force or a code of
 * this or a later step was already accepted (a replay).
 */
int store_totp_use(struct store *s, int64_t user_id, int64_t step);
/*
 * Puts secret (the pending one, sealed again for its new column) in force
 * in place of the pending one, which a code of step `step` confirmed.
 * VG_NOTFOUND when the pending secret is no longer `was` (set up again, or
 * confirmed, meanwhile), so only the secret that was checked is promoted.
 */
int store_totp_promote(struct store *s, int64_t user_id, const struct sealed *was,
		       const struct sealed *secret, int64_t step, int64_t now);
/* Removes both of the user's secrets; VG_OK whether or not there were any. */
int store_totp_delete(struct store *s, int64_t user_id);
void totp_row_release(struct totp_row *r);

/*
 * Of the session with token hash `hash`: whether it waits for a code, and
 * whether its user has a secret in force. VG_NOTFOUND for no such session.
 */
int store_totp_session_state(struct store *s, const unsigned char hash[32],
			     int *pending, int *enrolled);
/* Sets or clears the session's totp_pending flag. */
int store_totp_session_pending(struct store *s, const unsigned char hash[32],
			       int pending);

#endif

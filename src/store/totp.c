#include "base/compat.h"
#include "store/totp.h"
#include "store/db.h"

int store_totp_put(struct store *s, int64_t user_id, const struct sealed *secret,
		   int64_t now)
{
	static const char sql[] =
		"INSERT OR REPLACE INTO user_totp (user_id, secret, pending, changed_at,"
		" last_step) VALUES (?, ?, NULL, ?, 0)";
	sqlite3_stmt *st = NULL;
	int rc;

	assert(secret->data);
	db_lock(s);
	rc = db_stmt(s, sql, &st);
	if (rc)
		goto out;
	rc = db_bind_check(s, sqlite3_bind_int64(st, 1, user_id), "totp put");
	if (!rc)
		rc = db_bind_check(s, db_bind_sealed(st, 2, secret), "totp put");
	if (!rc)
		rc = db_bind_check(s, sqlite3_bind_int64(st, 3, now), "totp put");
	if (!rc)
		rc = db_write(s, st, "totp put");
	db_done(st);
out:
	db_unlock(s);
	return rc;
}

int store_totp_put_pending(struct store *s, int64_t user_id, const struct sealed *pending,
			   int64_t now)
{
	static const char sql[] =
		"INSERT INTO user_totp (user_id, secret, pending, changed_at)"
		" VALUES (?1, NULL, ?2, ?3) ON CONFLICT (user_id)"
		" DO UPDATE SET pending = excluded.pending, changed_at = excluded.changed_at";
	sqlite3_stmt *st = NULL;
	int rc;

	assert(pending->data);
	db_lock(s);
	rc = db_stmt(s, sql, &st);
	if (rc)
		goto out;
	rc = db_bind_check(s, sqlite3_bind_int64(st, 1, user_id), "totp put pending");
	if (!rc)
		rc = db_bind_check(s, db_bind_sealed(st, 2, pending), "totp put pending");
	if (!rc)
		rc = db_bind_check(s, sqlite3_bind_int64(st, 3, now), "totp put pending");
	if (!rc)
		rc = db_write(s, st, "totp put pending");
	db_done(st);
out:
	db_unlock(s);
	return rc;
}

int store_totp_get(struct store *s, int64_t user_id, struct totp_row *out)
{
	static const char sql[] =
		"SELECT secret, pending, last_step FROM user_totp WHERE user_id = ?";
	struct totp_row r = {0};
	sqlite3_stmt *st = NULL;
	int rc;

	db_lock(s);
	rc = db_stmt(s, sql, &st);
	if (rc)
		goto out;
	rc = db_bind_check(s, sqlite3_bind_int64(st, 1, user_id), "totp get");
	if (!rc)
		rc = db_row(s, st, "totp get", false);
	if (!rc) {
		r.last_step = sqlite3_column_int64(st, 2);
		rc = db_col_sealed(st, 0, &r.secret);
	}
	if (!rc)
		rc = db_col_sealed(st, 1, &r.pending);
	db_done(st);
out:
	db_unlock(s);
	if (!rc)
		*out = r;
	else
		totp_row_release(&r);
	return rc;
}

int store_totp_use(struct store *s, int64_t user_id, int64_t step)
{
	static const char sql[] =
		"UPDATE user_totp SET last_step = ?2"
		" WHERE user_id = ?1 AND secret IS NOT NULL AND last_step < ?2";
	sqlite3_stmt *st = NULL;
	int rc;

	db_lock(s);
	rc = db_stmt(s, sql, &st);
	if (rc)
		goto out;
	rc = db_bind_check(s, sqlite3_bind_int64(st, 1, user_id), "totp use");
	if (!rc)
		rc = db_bind_check(s, sqlite3_bind_int64(st, 2, step), "totp use");
	if (!rc)
		rc = db_write(s, st, "totp use");
	if (!rc && sqlite3_changes(s->db) == 0)
		rc = VG_NOTFOUND;
	db_done(st);
out:
	db_unlock(s);
	return rc;
}

int store_totp_promote(struct store *s, int64_t user_id, const struct sealed *was,
		       const struct sealed *secret, int64_t step, int64_t now)
{
	/*
	 * last_step starts at the confirming code's step: that code was seen
	 * by this secret's check and must not sign anyone in afterwards.
	 */
	static const char sql[] =
		"UPDATE user_totp SET secret = ?3, pending = NULL, last_step = ?4,"
		" changed_at = ?5 WHERE user_id = ?1 AND pending = ?2";
	sqlite3_stmt *st = NULL;
	int rc;

	assert(was->data && secret->data);
	db_lock(s);
	rc = db_stmt(s, sql, &st);
	if (rc)
		goto out;
	rc = db_bind_check(s, sqlite3_bind_int64(st, 1, user_id), "totp promote");
	if (!rc)
		rc = db_bind_check(s, db_bind_sealed(st, 2, was), "totp promote");
	if (!rc)
		rc = db_bind_check(s, db_bind_sealed(st, 3, secret), "totp promote");
	if (!rc)
		rc = db_bind_check(s, sqlite3_bind_int64(st, 4, step), "totp promote");
	if (!rc)
		rc = db_bind_check(s, sqlite3_bind_int64(st, 5, now), "totp promote");
	if (!rc)
		rc = db_write(s, st, "totp promote");
	if (!rc && sqlite3_changes(s->db) == 0)
		rc = VG_NOTFOUND;
	db_done(st);
out:
	db_unlock(s);
	return rc;
}

int store_totp_delete(struct store *s, int64_t user_id)
{
	static const char sql[] = "DELETE FROM user_totp WHERE user_id = ?";
	sqlite3_stmt *st = NULL;
	int rc;

	db_lock(s);
	rc = db_stmt(s, sql, &st);
	if (rc)
		goto out;
	rc = db_bind_check(s, sqlite3_bind_int64(st, 1, user_id), "totp delete");
	if (!rc)
		rc = db_write(s, st, "totp delete");
	db_done(st);
out:
	db_unlock(s);
	return rc;
}

void totp_row_release(struct totp_row *r)
{
	free(r->secret.data);
	free(r->pending.data);
	r->secret = (struct sealed){0};
	r->pending = (struct sealed){0};
}

int store_totp_session_state(struct store *s, const unsigned char hash[32],
			     int *pending, int *enrolled)
{
	static const char sql[] =
		"SELECT s.totp_pending, t.secret IS NOT NULL FROM sessions s"
		" LEFT JOIN user_totp t ON t.user_id = s.user_id WHERE s.token_hash = ?";
	sqlite3_stmt *st = NULL;
	int rc, p = 0, e = 0;

	db_lock(s);
	rc = db_stmt(s, sql, &st);
	if (rc)
		goto out;
	rc = db_bind_check(s, db_bind_hash(st, 1, hash), "totp session");
	if (!rc)
		rc = db_row(s, st, "totp session", false);
	if (!rc) {
		p = sqlite3_column_int(st, 0);
		e = sqlite3_column_int(st, 1);
	}
	db_done(st);
out:
	db_unlock(s);
	if (!rc) {
		*pending = p;
		*enrolled = e;
	}
	return rc;
}

int store_totp_session_pending(struct store *s, const unsigned char hash[32],
			       int pending)
{
	static const char sql[] = "UPDATE sessions SET totp_pending = ? WHERE token_hash = ?";
	sqlite3_stmt *st = NULL;
	int rc;

	db_lock(s);
	rc = db_stmt(s, sql, &st);
	if (rc)
		goto out;
	rc = db_bind_check(s, sqlite3_bind_int(st, 1, pending ? 1 : 0), "totp pending");
	if (!rc)
		rc = db_bind_check(s, db_bind_hash(st, 2, hash), "totp pending");
	if (!rc)
		rc = db_write(s, st, "totp pending");
	if (!rc && sqlite3_changes(s->db) == 0)
		rc = VG_NOTFOUND;
	db_done(st);
out:
	db_unlock(s);
	return rc;
}

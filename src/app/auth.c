#include "base/compat.h"
#include "app/auth.h"
#include "base/clock.h"
#include "crypto/password.h"
#include "app/totp.h"
#include "store/totp.h"

static const char *const roles[] = {
	"admin", "supervisor", "advocate", "analyst", "investigator",
	"team_member", "volunteer",
};

int auth_role_valid(const char *role)
{
	size_t i;

	for (i = 0; role && i < ARRAY_SIZE(roles); i++)
		if (!strcmp(role, roles[i]))
			return 1;
	return 0;
}

static int name_valid(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > AUTH_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

int auth_user_add(struct app *app, const char *name, const char *role,
		  const char *password, int must_change, int64_t *id_out)
{
	struct user_row u = {0};
	char hash[PASSWORD_HASH_SIZE];
	int rc;

	if (!name_valid(name) || !auth_role_valid(role))
		return VG_INVAL;
	rc = password_hash(password, hash);
	if (rc)
		return rc;
	u.name = (char *)name;
	u.role = (char *)role;
	u.password_hash = hash;
	u.created_at = clock_now();
	u.must_change = must_change;
	return store_user_insert(app->store, &u, id_out);
}

static void fill_user(const struct user_row *row, struct auth_user *out)
{
	out->id = row->id;
	snprintf(out->name, sizeof(out->name), "%s", row->name);
	snprintf(out->role, sizeof(out->role), "%s", row->role);
	out->must_change = row->must_change;
}

int auth_login(struct app *app, const char *name, const char *password,
	       const char *kind, char token[TOKEN_TEXT_SIZE], struct auth_user *out)
{
	struct user_row row = {0};
	struct session_row sess = {0};
	unsigned char hash[TOKEN_HASH_LEN];
	char counter[16 + AUTH_NAME_MAX];
	char tok[TOKEN_TEXT_SIZE];
	int64_t now = clock_now(), failures = 0;
	int rc, enrolled = 0;

	if (!name_valid(name)) {
		password_verify_dummy(password);
		return VG_AUTH;
	}
	snprintf(counter, sizeof(counter), "login:%s", name);
	if (!store_throttle_peek(app->store, counter, now, AUTH_LOGIN_WINDOW, &failures) &&
	    failures >= AUTH_LOGIN_MAX_FAILURES)
		return VG_THROTTLED;
	rc = store_user_by_name(app->store, name, &row);
	if (rc == VG_NOTFOUND) {
		rc = password_verify_dummy(password);
	} else if (!rc) {
		rc = password_verify(row.password_hash, password);
		if (!rc && row.disabled)
			rc = VG_AUTH;
	}
	if (rc == VG_AUTH)
		store_throttle_hit(app->store, counter, now, AUTH_LOGIN_WINDOW, &failures);
	if (rc)
		goto out;
	token_generate(tok);
	token_hash(tok, hash);
	sess.user_id = row.id;
	sess.kind = (char *)kind;
	sess.created_at = sess.last_seen = now;
	rc = totp_enrolled(app, row.id, &enrolled);
	if (rc)
		goto out;
	rc = store_session_insert(app->store, hash, &sess);
	if (rc)
		goto out;
	if (enrolled) {
		rc = store_totp_session_pending(app->store, hash, 1);
		if (rc) {
			store_session_delete(app->store, hash);
			goto out;
		}
	}
	fill_user(&row, out);
	out->totp_enrolled = out->totp_pending = enrolled;
	memcpy(token, tok, TOKEN_TEXT_SIZE);
out:
	user_row_release(&row);
	return rc;
}

int auth_session(struct app *app, const char *token, const char *kind,
		 struct auth_user *out)
{
	struct session_row sess = {0};
	struct user_row row = {0};
	unsigned char hash[TOKEN_HASH_LEN];
	int64_t now = clock_now();
	int rc, pending = 0, enrolled = 0;

	if (!token || strlen(token) != TOKEN_TEXT_SIZE - 1)
		return VG_AUTH;
	token_hash(token, hash);
	rc = store_session_get(app->store, hash, &sess);
	if (rc == VG_NOTFOUND)
		return VG_AUTH;
	if (rc)
		return rc;
	if (strcmp(sess.kind, kind)) {
		rc = VG_AUTH;
		goto out;
	}
	if (now - sess.last_seen > app->cfg.idle_timeout ||
	    now - sess.created_at > app->cfg.session_max_age) {
		store_session_delete(app->store, hash);
		rc = VG_EXPIRED;
		goto out;
	}
	rc = store_user_by_id(app->store, sess.user_id, &row);
	if (rc == VG_NOTFOUND || (!rc && row.disabled)) {
		store_session_delete(app->store, hash);
		rc = VG_AUTH;
	}
	if (rc)
		goto out;
	rc = store_totp_session_state(app->store, hash, &pending, &enrolled);
	if (rc == VG_NOTFOUND)
		rc = VG_AUTH;
	if (rc)
		goto out;
	/* One write a minute at most: the idle clock needs no finer grain. */
	if (now - sess.last_seen >= 60)
		store_session_touch(app->store, hash, now);
	fill_user(&row, out);
	out->totp_pending = pending;
	out->totp_enrolled = enrolled;
out:
	session_row_release(&sess);
	user_row_release(&row);
	return rc;
}

int auth_totp(struct app *app, const char *token, const struct auth_user *u,
	      const char *code)
{
	unsigned char hash[TOKEN_HASH_LEN];
	int rc;

	if (!token)
		return VG_AUTH;
	rc = totp_verify(app, u->id, code);
	if (rc == VG_NOTFOUND)
		rc = VG_AUTH;
	if (rc)
		return rc;
	token_hash(token, hash);
	return store_totp_session_pending(app->store, hash, 0);
}

int auth_logout(struct app *app, const char *token)
{
	unsigned char hash[TOKEN_HASH_LEN];

	if (!token)
		return VG_AUTH;
	token_hash(token, hash);
	return store_session_delete(app->store, hash);
}

int auth_change_password(struct app *app, const struct auth_user *u,
			 const char *current, const char *password)
{
	struct user_row row = {0};
	char hash[PASSWORD_HASH_SIZE];
	int rc;

	rc = store_user_by_id(app->store, u->id, &row);
	if (rc)
		return rc;
	rc = password_verify(row.password_hash, current);
	if (!rc && !strcmp(current, password))
		rc = VG_INVAL;
	if (!rc)
		rc = password_hash(password, hash);
	if (!rc)
		rc = store_user_set_password(app->store, u->id, hash, 0);
	user_row_release(&row);
	return rc;
}

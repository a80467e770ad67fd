#include "base/compat.h"
#include "app/totp.h"
#include "base/clock.h"
#include "crypto/seal.h"
#include "store/totp.h"

#include <liboath/oath.h>
#include <pthread.h>
#include <sodium.h>

/*
 * liboath keeps no state that needs oath_init() for the functions used
 * here (base32 and TOTP); it is called once anyway, as its manual asks.
 */
static pthread_once_t oath_once = PTHREAD_ONCE_INIT;

static void oath_start(void)
{
	oath_init();
}

/* The associated data of a sealed secret: its column ("secret", "pending") and user. */
static void secret_ad(const char *column, int64_t user_id, char *ad, size_t size)
{
	snprintf(ad, size, "user_totp/%s/%" PRId64, column, user_id);
}

int totp_enrol(struct app *app, const struct auth_user *u, int confirmed,
	       struct totp_enrolment *out)
{
	struct totp_enrolment e = {0};
	unsigned char raw[TOTP_SECRET_BYTES];
	struct sealed sealed = {0};
	char ad[48], *b32 = NULL;
	size_t b32_len = 0, n;
	int rc;

	pthread_once(&oath_once, oath_start);
	randombytes_buf(raw, sizeof(raw));
	if (oath_base32_encode((const char *)raw, sizeof(raw), &b32, &b32_len) != OATH_OK) {
		rc = VG_NOMEM;
		goto out;
	}
	/* 160 bits are 32 base32 digits exactly: no padding to strip. */
	n = strcspn(b32, "=");
	if (n >= sizeof(e.secret)) {
		rc = VG_INTERNAL;
		goto out;
	}
	memcpy(e.secret, b32, n);
	snprintf(e.uri, sizeof(e.uri),
		 "otpauth://totp/vigil:%s?secret=%s&issuer=vigil&digits=%d&period=%d",
		 u->name, e.secret, TOTP_DIGITS, TOTP_STEP);
	secret_ad(confirmed ? "secret" : "pending", u->id, ad, sizeof(ad));
	rc = seal_encrypt(&app->keys, ad, raw, sizeof(raw), &sealed.data, &sealed.len);
	if (rc)
		goto out;
	if (confirmed)
		rc = store_totp_put(app->store, u->id, &sealed, clock_now());
	else
		rc = store_totp_put_pending(app->store, u->id, &sealed, clock_now());
	if (rc)
		goto out;
	*out = e;
out:
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(&e, sizeof(e));
	if (b32) {
		sodium_memzero(b32, b32_len);
		free(b32);
	}
	free(sealed.data);
	return rc;
}

/* 1 for exactly TOTP_DIGITS decimal digits. */
static int code_valid(const char *code)
{
	size_t i;

	if (!code || strlen(code) != TOTP_DIGITS)
		return 0;
	for (i = 0; i < TOTP_DIGITS; i++)
		if (code[i] < '0' || code[i] > '9')
			return 0;
	return 1;
}

/*
 * Checks code against `sealed`, the user's secret of column `column`, and
 * returns in *raw (the caller frees it with sodium_memzero) the opened
 * secret and in *step the time step the code matched. Wrong codes count
 * towards the user's throttle, whichever secret they were meant for.
 */
static int code_check(struct app *app, int64_t user_id, const char *column,
		      const struct sealed *sealed, const char *code, char **raw_out,
		      size_t *raw_len_out, int64_t *step_out)
{
	char counter[40], ad[48], *raw = NULL;
	size_t raw_len = 0;
	int64_t now = clock_now(), failures = 0;
	uint64_t step = 0;
	int rc, pos = 0;

	pthread_once(&oath_once, oath_start);
	snprintf(counter, sizeof(counter), "totp:%" PRId64, user_id);
	if (!store_throttle_peek(app->store, counter, now, TOTP_WINDOW, &failures) &&
	    failures >= TOTP_MAX_FAILURES)
		return VG_THROTTLED;
	if (!sealed->data)
		return VG_NOTFOUND;
	secret_ad(column, user_id, ad, sizeof(ad));
	rc = seal_decrypt(&app->keys, ad, sealed->data, sealed->len, &raw, &raw_len);
	if (rc)
		return rc;
	/* One step either side, for clocks that drift and codes typed slowly. */
	if (!code_valid(code) ||
	    oath_totp_validate3(raw, raw_len, (time_t)now, TOTP_STEP, 0, 1, &pos,
				&step, code) < 0) {
		store_throttle_hit(app->store, counter, now, TOTP_WINDOW, &failures);
		sodium_memzero(raw, raw_len);
		free(raw);
		return VG_AUTH;
	}
	*raw_out = raw;
	*raw_len_out = raw_len;
	*step_out = (int64_t)step;
	return VG_OK;
}

static void raw_release(char *raw, size_t len)
{
	if (raw) {
		sodium_memzero(raw, len);
		free(raw);
	}
}

/* A replayed code counts as a wrong one. */
static int code_use(struct app *app, int64_t user_id, int64_t step)
{
	char counter[40];
	int64_t failures = 0;
	int rc = store_totp_use(app->store, user_id, step);

	if (rc != VG_NOTFOUND)
		return rc;
	snprintf(counter, sizeof(counter), "totp:%" PRId64, user_id);
	store_throttle_hit(app->store, counter, clock_now(), TOTP_WINDOW, &failures);
	return VG_AUTH;
}

int totp_verify(struct app *app, int64_t user_id, const char *code)
{
	struct totp_row row = {0};
	char *raw = NULL;
	size_t raw_len = 0;
	int64_t step = 0;
	int rc;

	rc = store_totp_get(app->store, user_id, &row);
	if (rc)
		return rc;
	rc = code_check(app, user_id, "secret", &row.secret, code, &raw, &raw_len, &step);
	if (!rc)
		rc = code_use(app, user_id, step);
	raw_release(raw, raw_len);
	totp_row_release(&row);
	return rc;
}

int totp_confirm(struct app *app, int64_t user_id, const char *code)
{
	struct totp_row row = {0};
	struct sealed sealed = {0};
	char ad[48], *raw = NULL;
	size_t raw_len = 0;
	int64_t step = 0;
	int rc;

	rc = store_totp_get(app->store, user_id, &row);
	if (rc)
		return rc;
	rc = code_check(app, user_id, "pending", &row.pending, code, &raw, &raw_len, &step);
	if (rc)
		goto out;
	secret_ad("secret", user_id, ad, sizeof(ad));
	rc = seal_encrypt(&app->keys, ad, raw, raw_len, &sealed.data, &sealed.len);
	if (!rc)
		rc = store_totp_promote(app->store, user_id, &row.pending, &sealed, step,
					clock_now());
	/* Set up again between the check and now: the code was for an old key. */
	if (rc == VG_NOTFOUND)
		rc = VG_AUTH;
out:
	raw_release(raw, raw_len);
	free(sealed.data);
	totp_row_release(&row);
	return rc;
}

int totp_enrolled(struct app *app, int64_t user_id, int *out)
{
	struct totp_row row = {0};
	int rc = store_totp_get(app->store, user_id, &row);

	if (rc == VG_NOTFOUND) {
		*out = 0;
		return VG_OK;
	}
	if (rc)
		return rc;
	*out = row.secret.data != NULL;
	totp_row_release(&row);
	return VG_OK;
}

int totp_remove(struct app *app, int64_t user_id)
{
	return store_totp_delete(app->store, user_id);
}

int totp_remove_own(struct app *app, const struct auth_user *u, const char *code)
{
	int rc;

	if (app->cfg.totp_admin_required && !strcmp(u->role, "admin"))
		return VG_FORBIDDEN;
	rc = totp_verify(app, u->id, code);
	if (!rc)
		rc = store_totp_delete(app->store, u->id);
	return rc;
}

int totp_code(const char *secret, int64_t now, char out[TOTP_DIGITS + 1])
{
	char *raw = NULL;
	size_t raw_len = 0;
	int rc = VG_INVAL;

	pthread_once(&oath_once, oath_start);
	if (oath_base32_decode(secret, strlen(secret), &raw, &raw_len) != OATH_OK)
		return VG_INVAL;
	if (oath_totp_generate(raw, raw_len, (time_t)now, TOTP_STEP, 0, TOTP_DIGITS,
			       out) == OATH_OK)
		rc = VG_OK;
	sodium_memzero(raw, raw_len);
	free(raw);
	return rc;
}

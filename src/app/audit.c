#include "base/compat.h"
#include "app/audit.h"
#include "base/clock.h"
#include "base/log.h"

#include <sodium.h>

#define VERIFY_PAGE 1000

static void put_i64(crypto_generichash_state *st, int64_t v)
{
	unsigned char b[8];
	int i;

	for (i = 7; i >= 0; i--) {
		b[i] = (unsigned char)(v & 0xff);
		v = (int64_t)((uint64_t)v >> 8);
	}
	crypto_generichash_update(st, b, sizeof(b));
}

/* A length-prefixed string, so "ab"+"c" and "a"+"bc" hash apart; NULL differs from "". */
static void put_str(crypto_generichash_state *st, const char *s)
{
	put_i64(st, s ? (int64_t)strlen(s) : -1);
	if (s)
		crypto_generichash_update(st, (const unsigned char *)s, strlen(s));
}

void audit_hash(const struct keys *k, const struct audit_row *e, unsigned char out[32])
{
	static const char domain[] = "vigil audit v1";
	crypto_generichash_state st;

	crypto_generichash_init(&st, k->audit, sizeof(k->audit), 32);
	crypto_generichash_update(&st, (const unsigned char *)domain, sizeof(domain));
	crypto_generichash_update(&st, e->prev, 32);
	put_i64(&st, e->id);
	put_i64(&st, e->at);
	put_i64(&st, e->user_id);
	put_str(&st, e->action);
	put_str(&st, e->object);
	put_str(&st, e->detail);
	crypto_generichash_final(&st, out, 32);
}

static void hash_cb(void *ctx, const struct audit_row *e, unsigned char out[32])
{
	audit_hash(ctx, e, out);
}

static void append(struct app *app, int64_t user_id, const char *action,
		   const char *object, const char *detail, int deferred)
{
	struct audit_row e = {0};
	int rc;

	e.at = clock_now();
	e.user_id = user_id;
	e.action = (char *)action;
	e.object = (char *)object;
	e.detail = (char *)detail;
	e.deferred = deferred;
	rc = store_audit_append(app->store, &e, hash_cb, &app->keys);
	if (rc)
		log_error("audit: cannot record %s %s: %s", action, object ? object : "",
			  vg_strerror(rc));
}

void app_audit(struct app *app, int64_t user_id, const char *action,
	       const char *object, const char *detail)
{
	append(app, user_id, action, object, detail, 0);
}

void app_audit_derived(struct app *app, const char *action, const char *object,
		       const char *detail)
{
	append(app, 0, action, object, detail, 1);
}

static void set_head(struct audit_report *r, int64_t id, const unsigned char hash[32])
{
	char hex[65];

	sodium_bin2hex(hex, sizeof(hex), hash, 32);
	snprintf(r->head, sizeof(r->head), "%" PRId64 ":%s", id, hex);
}

static int broken(struct audit_report *r, int64_t id, const char *why)
{
	r->broken_id = id;
	snprintf(r->reason, sizeof(r->reason), "%s", why);
	return VG_CRYPTO;
}

/* Checks one entry against the one before it; VG_CRYPTO when it does not hold. */
static int check_entry(struct app *app, const struct audit_row *e, int64_t prev_id,
		       const unsigned char prev_hash[32], int *chain_started,
		       struct audit_report *r)
{
	unsigned char want[32];

	if (e->id != prev_id + 1)
		return broken(r, prev_id + 1, "missing: the entries jump from one id to a later one");
	if (!e->chained) {
		if (*chain_started)
			return broken(r, e->id, "its hash was removed");
		r->unchained++;
		return VG_OK;
	}
	*chain_started = 1;
	if (sodium_memcmp(e->prev, prev_hash, 32))
		return broken(r, e->id, "it does not follow the entry before it (one was changed, "
			      "removed or inserted)");
	audit_hash(&app->keys, e, want);
	if (sodium_memcmp(e->hash, want, 32))
		return broken(r, e->id, "its content does not match its hash (it was changed)");
	return VG_OK;
}

int audit_verify(struct app *app, struct audit_report *report)
{
	struct audit_report r = {0};
	unsigned char prev_hash[32] = {0};
	int64_t prev_id = 0;
	int chain_started = 0, rc = VG_OK;

	set_head(&r, 0, prev_hash);
	while (!rc) {
		struct audit_list page = {0};
		size_t i;

		rc = store_audit_list(app->store, prev_id, VERIFY_PAGE, &page);
		if (rc || page.count == 0) {
			audit_list_release(&page);
			break;
		}
		for (i = 0; !rc && i < page.count; i++) {
			const struct audit_row *e = &page.rows[i];

			rc = check_entry(app, e, prev_id, prev_hash, &chain_started, &r);
			if (rc)
				break;
			r.entries++;
			prev_id = e->id;
			/* An unchained entry links its successor to zeros, as appending does. */
			if (e->chained)
				memcpy(prev_hash, e->hash, 32);
			else
				memset(prev_hash, 0, 32);
			set_head(&r, e->id, prev_hash);
		}
		audit_list_release(&page);
	}
	*report = r;
	return rc;
}

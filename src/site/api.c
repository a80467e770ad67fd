/*
 * api.c - the JSON API, version 1 (docs/api.md).
 *
 * Bodies are JSON objects (jansson: duplicate keys, invalid UTF-8 and
 * \u0000 inside strings are all refused as malformed);
 * errors are {"error": {"code", "message"}} with the matching status. The
 * public endpoints need nothing; the staff ones a bearer token from
 * POST /api/v1/sessions.
 */
#include "base/compat.h"
#include "site/site.h"
#include "app/access.h"
#include "app/referral.h"
#include "app/tip.h"
#include "base/clock.h"

#include <sodium.h>

#define API_LIST_DEFAULT 50
#define API_LIST_MAX 200

void api_json(struct reqctx *c, int status, json_t *body)
{
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;

	json_decref(body);
	buf_reset(&c->res->body);
	c->res->content_type = "application/json";
	if (!text || buf_adds(&c->res->body, text) || buf_addch(&c->res->body, '\n')) {
		buf_reset(&c->res->body);
		buf_adds(&c->res->body, "{\"error\":{\"code\":\"internal\",\"message\":\"response too large\"}}\n");
		status = 500;
	}
	free(text);
	c->res->status = status;
}

void api_error(struct reqctx *c, int status, const char *code, const char *message)
{
	/*
	 * Both mean "later, not never": the submission limit, a full or
	 * read-only disk, a busy database. A client may retry in a minute.
	 */
	if (status == 429 || status == 503)
		http_add_header(c->res, "Retry-After", "60");
	api_json(c, status, json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", message));
}

int api_body(struct reqctx *c, json_t **out)
{
	char ct[64], msg[256];
	json_error_t err;
	json_t *j;

	if (c->req->body_too_big) {
		api_error(c, 413, "too_large", "the request body is larger than the limit");
		return VG_TOOBIG;
	}
	http_content_type(c->req, ct, sizeof(ct));
	if (strcmp(ct, "application/json")) {
		api_error(c, 415, "unsupported_media_type", "the body must be application/json");
		return VG_INVAL;
	}
	j = json_loadb(buf_str(&c->req->body), c->req->body.len, JSON_REJECT_DUPLICATES, &err);
	if (!j) {
		snprintf(msg, sizeof(msg), "malformed JSON at line %d, column %d: %s",
			 err.line, err.column, err.text);
		api_error(c, 400, "bad_json", msg);
		return VG_INVAL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		api_error(c, 400, "bad_json", "the body must be a JSON object");
		return VG_INVAL;
	}
	*out = j;
	return VG_OK;
}

/*
 * Reads an optional string member. Sets *out to NULL when absent or null;
 * answers 422 naming the member when it has another type.
 */
static int opt_string(struct reqctx *c, json_t *obj, const char *key, const char *path,
		      const char **out)
{
	json_t *v = json_object_get(obj, key);
	char msg[128];

	*out = NULL;
	if (!v || json_is_null(v))
		return VG_OK;
	if (!json_is_string(v)) {
		snprintf(msg, sizeof(msg), "%s must be a string", path);
		api_error(c, 422, "invalid", msg);
		return VG_INVAL;
	}
	*out = json_string_value(v);
	return VG_OK;
}

static int opt_bool(struct reqctx *c, json_t *obj, const char *key, int *out)
{
	json_t *v = json_object_get(obj, key);
	char msg[128];

	*out = 0;
	if (!v || json_is_null(v))
		return VG_OK;
	if (!json_is_boolean(v)) {
		snprintf(msg, sizeof(msg), "%s must be true or false", key);
		api_error(c, 422, "invalid", msg);
		return VG_INVAL;
	}
	*out = json_is_true(v);
	return VG_OK;
}

/* Refuses members the endpoint does not know, so a misspelt one is not lost. */
static int known_members(struct reqctx *c, json_t *obj, const char *const *keys, size_t n,
			 const char *prefix)
{
	const char *key;
	json_t *v;
	char msg[160];

	json_object_foreach(obj, key, v) {
		size_t i;

		for (i = 0; i < n && strcmp(key, keys[i]); i++)
			;
		if (i == n) {
			snprintf(msg, sizeof(msg), "unknown member %s%.64s", prefix, key);
			api_error(c, 422, "invalid", msg);
			return VG_INVAL;
		}
	}
	return VG_OK;
}

static const char *const tip_keys[] = {
	"narrative", "location", "when", "danger_now", "contact", "may_contact",
	"language", "people", "ages",
};
static const char *const location_keys[] = {"country", "region", "city", "detail"};

static int read_tip(struct reqctx *c, json_t *j, struct tip_input *in)
{
	json_t *loc = json_object_get(j, "location");

	if (known_members(c, j, tip_keys, ARRAY_SIZE(tip_keys), "") ||
	    opt_string(c, j, "narrative", "narrative", &in->narrative) ||
	    opt_string(c, j, "when", "when", &in->when) ||
	    opt_string(c, j, "contact", "contact", &in->contact) ||
	    opt_string(c, j, "language", "language", &in->language) ||
	    opt_string(c, j, "people", "people", &in->people) ||
	    opt_string(c, j, "ages", "ages", &in->ages) ||
	    opt_bool(c, j, "danger_now", &in->danger_now) ||
	    opt_bool(c, j, "may_contact", &in->may_contact))
		return VG_INVAL;
	if (loc && !json_is_null(loc)) {
		if (!json_is_object(loc)) {
			api_error(c, 422, "invalid", "location must be an object");
			return VG_INVAL;
		}
		if (known_members(c, loc, location_keys, ARRAY_SIZE(location_keys), "location.") ||
		    opt_string(c, loc, "country", "location.country", &in->country) ||
		    opt_string(c, loc, "region", "location.region", &in->region) ||
		    opt_string(c, loc, "city", "location.city", &in->city) ||
		    opt_string(c, loc, "detail", "location.detail", &in->place))
			return VG_INVAL;
	}
	return VG_OK;
}

/* The API's name for a tip_input field in an error. */
static const char *api_field(const char *field)
{
	static const char *const map[][2] = {
		{"country", "location.country"}, {"region", "location.region"},
		{"city", "location.city"}, {"place", "location.detail"},
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (!strcmp(field, map[i][0]))
			return map[i][1];
	return field;
}

void api_tip_submit(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	struct tip_input in = { .source = "api", .strict_region = 1 };
	struct tip_errors errs = {0};
	struct tip_receipt r;
	json_t *j = NULL;
	char msg[256];
	int rc;

	(void)req;
	(void)res;
	if (api_body(c, &j))
		return;
	if (read_tip(c, j, &in))
		goto out;
	rc = tip_submit(c->app, &in, &errs, &r);
	if (rc == VG_INVAL) {
		snprintf(msg, sizeof(msg), "%s: %s", api_field(errs.e[0].field), errs.e[0].msg);
		api_error(c, 422, "invalid", msg);
	} else if (rc == VG_THROTTLED) {
		api_error(c, 429, "rate_limited", "too many tips right now; retry in a minute");
	} else if (rc) {
		api_error(c, page_status_of(rc), page_status_of(rc) == 503 ? "unavailable" : "internal",
			  page_status_of(rc) == 503 ?
			  "the tip was NOT stored: the database cannot be written right now; retry later" :
			  "the tip could not be stored; nothing was saved");
	} else {
		api_json(c, 201, json_pack("{s:s, s:s}", "receipt", r.receipt, "id", r.id));
	}
out:
	json_decref(j);
}

/* Finds the tip for the "receipt" member; answers 404 itself on failure. */
static int receipt_tip(struct reqctx *c, json_t *j, struct tip_row *t)
{
	const char *receipt;

	if (opt_string(c, j, "receipt", "receipt", &receipt))
		return VG_INVAL;
	if (!receipt) {
		api_error(c, 422, "invalid", "receipt is required");
		return VG_INVAL;
	}
	if (tip_find_by_receipt(c->app, receipt, strlen(receipt), t)) {
		api_error(c, 404, "not_found", "no report has this receipt");
		return VG_NOTFOUND;
	}
	return VG_OK;
}

/* {status, status_label, created_at, updated_at, messages} for a reporter. */
static void reporter_view(struct reqctx *c, int status, const struct tip_row *t)
{
	json_t *messages, *m;
	char created[CLOCK_ISO_SIZE], updated[CLOCK_ISO_SIZE];
	size_t i;
	int rc = tip_messages(c->app, t->id, &messages);

	if (rc) {
		api_error(c, page_status_of(rc), "internal", "the report could not be opened");
		return;
	}
	json_array_foreach(messages, i, m) {
		char at[CLOCK_ISO_SIZE];

		clock_iso(json_integer_value(json_object_get(m, "at_unix")), at);
		json_object_set_new(m, "at", json_string(at));
		json_object_del(m, "at_unix");
		json_object_del(m, "from_staff");
		json_object_del(m, "id");
	}
	clock_iso(t->created_at, created);
	clock_iso(t->updated_at, updated);
	api_json(c, status, json_pack("{s:s, s:s, s:s, s:s, s:o}", "status", t->status,
		"status_label", page_tr(c, tip_status_label(t->status)),
		"created_at", created, "updated_at", updated, "messages", messages));
}

void api_receipt_lookup(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	struct tip_row t = {0};
	json_t *j = NULL;
	static const char *const keys[] = {"receipt"};

	(void)req;
	(void)res;
	if (api_body(c, &j))
		return;
	if (!known_members(c, j, keys, ARRAY_SIZE(keys), "") && !receipt_tip(c, j, &t))
		reporter_view(c, 200, &t);
	tip_row_release(&t);
	json_decref(j);
}

void api_receipt_message(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	struct tip_row t = {0};
	const char *message;
	json_t *j = NULL;
	static const char *const keys[] = {"receipt", "message"};
	int rc;

	(void)req;
	(void)res;
	if (api_body(c, &j))
		return;
	if (known_members(c, j, keys, ARRAY_SIZE(keys), "") ||
	    opt_string(c, j, "message", "message", &message) || receipt_tip(c, j, &t))
		goto out;
	rc = tip_add_message(c->app, t.id, "reporter", 0, message ? message : "",
			     message ? strlen(message) : 0);
	if (rc == VG_INVAL || rc == VG_TOOBIG || rc == VG_UTF8)
		api_error(c, 422, "invalid", rc == VG_INVAL ? "message: is required" :
			  rc == VG_TOOBIG ? "message: is too long" :
			  "message: contains control characters");
	else if (rc)
		api_error(c, page_status_of(rc), "internal", "the message could not be stored");
	else
		reporter_view(c, 201, &t);
out:
	tip_row_release(&t);
	json_decref(j);
}

void api_session_create(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	static const char *const keys[] = {"name", "password", "code"};
	char token[TOKEN_TEXT_SIZE];
	const char *name, *password, *code;
	json_t *j = NULL;
	int rc, need_code = 0;

	(void)req;
	(void)res;
	if (api_body(c, &j))
		return;
	if (known_members(c, j, keys, ARRAY_SIZE(keys), "") ||
	    opt_string(c, j, "name", "name", &name) ||
	    opt_string(c, j, "password", "password", &password) ||
	    opt_string(c, j, "code", "code", &code))
		goto out;
	if (!name || !password) {
		api_error(c, 422, "invalid", "name and password are required");
		goto out;
	}
	rc = auth_login(c->app, name, password, "api", token, &c->user);
	/* With a second factor the code comes in the same request. */
	if (!rc && c->user.totp_pending) {
		need_code = !code;
		rc = code ? auth_totp(c->app, token, &c->user, code) : VG_AUTH;
		if (rc)
			auth_logout(c->app, token);
	}
	if (rc == VG_AUTH && need_code) {
		api_error(c, 401, "code_required",
			  "this account has a second factor; send its current code as \"code\"");
	} else if (rc == VG_AUTH) {
		app_audit(c->app, 0, "login_failed", NULL, "api");
		api_error(c, 401, "unauthorized", "wrong name or password");
	} else if (rc == VG_THROTTLED) {
		api_error(c, 429, "rate_limited", "too many failed sign-ins for this name; wait 15 minutes");
	} else if (rc) {
		api_error(c, page_status_of(rc), "internal", "signing in failed");
	} else if (c->user.must_change) {
		auth_logout(c->app, token);
		api_error(c, 403, "password_change_required",
			  "this account has a one-time password; change it in the staff console first");
	} else {
		app_audit(c->app, c->user.id, "login", NULL, "api");
		api_json(c, 201, json_pack("{s:s, s:I}", "token", token,
			"expires_in", (json_int_t)c->app->cfg.idle_timeout));
	}
	sodium_memzero(token, sizeof(token));
out:
	json_decref(j);
}

/* "a,b" as ["a", "b"]. */
static json_t *split_list(const char *s)
{
	json_t *arr = json_array();

	while (arr && s && *s) {
		size_t n = strcspn(s, ",");

		if (n)
			json_array_append_new(arr, json_stringn(s, n));
		s += n + (s[n] == ',');
	}
	return arr;
}

/* A tip's plain columns; its screening summary, or null before screening. */
static json_t *tip_json(const struct tip_row *t)
{
	char created[CLOCK_ISO_SIZE], updated[CLOCK_ISO_SIZE];
	json_t *screening = json_null();

	clock_iso(t->created_at, created);
	clock_iso(t->updated_at, updated);
	if (t->screened_at)
		screening = json_pack("{s:s, s:s, s:o, s:o}", "status", t->screen_status,
			"urgency", t->urgency, "kinds", split_list(t->kinds),
			"typology", split_list(t->typology));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:s, s:b, s:b, s:o}",
		"id", t->id, "created_at", created, "updated_at", updated,
		"status", t->status, "source", t->source,
		"location", "country", t->country, "region", t->region, "city", t->city,
		"language", t->language, "danger_now", t->danger_now,
		"may_contact", t->may_contact, "screening", screening);
}

void api_tip_list(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	const char *status = http_query(req, "status");
	const char *before = http_query(req, "before");
	const char *limit = http_query(req, "limit");
	struct tip_filter f = { .limit = API_LIST_DEFAULT };
	struct tip_list list = {0};
	json_t *tips, *body;
	char *end;
	size_t i;
	int rc;

	(void)res;
	if (status && !tip_status_valid(status)) {
		api_error(c, 400, "bad_request", "status must be new, in_review or closed");
		return;
	}
	if (before) {
		f.before_seq = strtoll(before, &end, 10);
		if (*end || f.before_seq <= 0) {
			api_error(c, 400, "bad_request", "before must be a next_before value from a previous page");
			return;
		}
	}
	if (limit) {
		long n = strtol(limit, &end, 10);

		if (*end || n < 1 || n > API_LIST_MAX) {
			api_error(c, 400, "bad_request", "limit must be between 1 and 200");
			return;
		}
		f.limit = (int)n;
	}
	f.status = status;
	rc = store_tip_list(c->app->store, &f, &list);
	if (rc) {
		api_error(c, page_status_of(rc), "internal", "the tips could not be listed");
		return;
	}
	tips = json_array();
	/* Tips of restricted cases the user may not see are left out. */
	for (i = 0; i < list.count; i++)
		if (access_tip_listed(c->app, &c->user, list.rows[i].id))
			json_array_append_new(tips, tip_json(&list.rows[i]));
	body = json_pack("{s:o}", "tips", tips);
	if (list.count == (size_t)f.limit)
		json_object_set_new(body, "next_before",
				    json_integer(list.rows[list.count - 1].seq));
	tip_list_release(&list);
	app_audit(c->app, c->user.id, "list_tips", NULL, status);
	api_json(c, 200, body);
}

void api_tip_get(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	struct tip_view v;
	json_t *t, *messages = NULL, *suggested = NULL, *made = NULL;
	int rc;

	(void)res;
	rc = access_tip(c->app, &c->user, req->param, ACCESS_READ_TIPS);
	if (!rc)
		rc = tip_open(c->app, req->param, &v);
	if (rc) {
		api_error(c, page_status_of(rc), rc == VG_NOTFOUND ? "not_found" : "internal",
			  rc == VG_NOTFOUND ? "no tip has this id" : "the tip could not be opened");
		return;
	}
	rc = tip_messages(c->app, req->param, &messages);
	if (rc) {
		tip_view_release(&v);
		api_error(c, page_status_of(rc), "internal", "the tip could not be opened");
		return;
	}
	t = tip_json(&v.row);
	json_object_set_new(t, "narrative", json_string(v.narrative));
	json_object_set_new(t, "contact", v.contact ? json_string(v.contact) : json_null());
	json_object_set_new(t, "details", json_incref(v.details));
	/* The full result with its evidence replaces the summary. */
	if (v.screening)
		json_object_set(t, "screening", v.screening);
	if (!referral_suggest(c->app, &v, &suggested)) {
		if (!referral_list(c->app, req->param, &made))
			json_object_set_new(t, "referrals", json_pack("{s:o, s:o}",
				"suggested", suggested, "made", made));
		else
			json_decref(suggested);
	}
	json_object_set_new(t, "messages", messages);
	tip_view_release(&v);
	app_audit(c->app, c->user.id, "view_tip", req->param, "api");
	api_json(c, 200, t);
}

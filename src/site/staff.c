/*
 * staff.c - the staff console: sign in and out, the tip queue, a tip, and
 * what staff do with it. Every action is written to the audit table. Every
 * form carries a CSRF token derived from the session (or, for the sign-in
 * form, from a random nonce in a cookie), and posts without it are refused.
 */
#include "base/compat.h"
#include "site/site.h"
#include "app/access.h"
#include "app/tip.h"
#include "crypto/password.h"
#include "app/referral.h"
#include "site/evidence.h"

#include <sodium.h>

#define QUEUE_PAGE 50
#define EXCERPT_MAX 160

static void audit(struct reqctx *c, const char *action, const char *object,
		  const char *detail)
{
	app_audit(c->app, c->user.id, action, object, detail);
}

/* The sign-in form's CSRF token comes from a nonce cookie set with the form. */
static void login_csrf(struct reqctx *c)
{
	const char *nonce = http_cookie(c->req, SITE_LOGIN_COOKIE);
	char fresh[TOKEN_TEXT_SIZE];

	if (!nonce || strlen(nonce) != TOKEN_TEXT_SIZE - 1) {
		token_generate(fresh);
		http_set_cookie(c->res, SITE_LOGIN_COOKIE, fresh, -1, c->app->cfg.behind_tls);
		nonce = fresh;
	}
	token_csrf(&c->app->keys, nonce, c->csrf);
}

static void render_login(struct reqctx *c, int status, int error, const char *name)
{
	json_t *d = page_data(c, N_("Staff sign-in"));

	json_object_set_new(d, "csrf", json_string(c->csrf));
	json_object_set_new(d, "error", json_boolean(error));
	json_object_set_new(d, "expired", json_boolean(http_query(c->req, "expired") != NULL));
	json_object_set_new(d, "name", json_string(name));
	page_render(c, status, "staff_login", d);
}

void staff_login_form(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;

	(void)req;
	(void)res;
	login_csrf(c);
	render_login(c, 200, 0, "");
}

void staff_login(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	char token[TOKEN_TEXT_SIZE];
	struct form f;
	const char *name;
	int rc;

	(void)req;
	form_init(&f);
	if (page_form(c, &f))
		return;
	login_csrf(c);
	if (!page_csrf_ok(c, &f))
		goto out;
	name = page_field(&f, "name");
	rc = auth_login(c->app, name, page_field(&f, "password"), "web", token, &c->user);
	if (rc == VG_AUTH || rc == VG_THROTTLED) {
		app_audit(c->app, 0, "login_failed", NULL, rc == VG_THROTTLED ? "throttled" : NULL);
		render_login(c, rc == VG_THROTTLED ? 429 : 401, 1, name);
		goto out;
	}
	if (rc) {
		page_error(c, page_status_of(rc), N_("Signing in failed. Please try again."));
		goto out;
	}
	app_audit(c->app, c->user.id, "login", NULL, "web");
	/* The login nonce is spent; the session cookie replaces it. */
	http_set_cookie(res, SITE_LOGIN_COOKIE, "", 0, c->app->cfg.behind_tls);
	http_set_cookie(res, SITE_SESSION_COOKIE, token, -1, c->app->cfg.behind_tls);
	http_redirect(res, c->user.must_change ? "/staff/password" : "/staff");
	sodium_memzero(token, sizeof(token));
out:
	form_release(&f);
}

void staff_logout(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	struct form f;

	(void)req;
	form_init(&f);
	if (page_form(c, &f))
		return;
	if (page_csrf_ok(c, &f)) {
		auth_logout(c->app, c->token);
		audit(c, "logout", NULL, NULL);
		http_set_cookie(res, SITE_SESSION_COOKIE, "", 0, c->app->cfg.behind_tls);
		http_redirect(res, "/staff/login");
	}
	form_release(&f);
}

static void render_password(struct reqctx *c, int status, const char *error)
{
	json_t *d = page_data(c, N_("Choose a new password"));

	if (error)
		json_object_set_new(d, "error", json_string(page_tr(c, error)));
	page_render(c, status, "staff_password", d);
}

void staff_password_form(void *ctx, struct http_request *req, struct http_response *res)
{
	(void)req;
	(void)res;
	render_password(ctx, 200, NULL);
}

void staff_password(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	const char *pw, *error = NULL;
	struct form f;
	int rc;

	(void)req;
	form_init(&f);
	if (page_form(c, &f))
		return;
	if (!page_csrf_ok(c, &f))
		goto out;
	pw = page_field(&f, "password");
	if (strcmp(pw, page_field(&f, "confirm")))
		error = N_("The two new passwords are not the same.");
	else if (strlen(pw) < PASSWORD_MIN_LEN || strlen(pw) > PASSWORD_MAX_LEN)
		error = N_("A password must be 12 to 256 characters long.");
	if (error) {
		render_password(c, 422, error);
		goto out;
	}
	rc = auth_change_password(c->app, &c->user, page_field(&f, "current"), pw);
	if (rc == VG_AUTH || rc == VG_INVAL) {
		render_password(c, 422, rc == VG_AUTH ? N_("Your current password is wrong.") :
			N_("The new password must differ from the current one."));
		goto out;
	}
	if (rc) {
		page_error(c, page_status_of(rc), N_("The password could not be changed."));
		goto out;
	}
	audit(c, "password_changed", NULL, NULL);
	http_redirect(res, "/staff");
out:
	form_release(&f);
}

/* The first EXCERPT_MAX bytes of s, cut at a character boundary. */
static json_t *excerpt(const char *s)
{
	size_t n = strlen(s);
	char cut[EXCERPT_MAX + 4];

	if (n <= EXCERPT_MAX)
		return json_string(s);
	n = EXCERPT_MAX;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	memcpy(cut, s, n);
	memcpy(cut + n, "…", sizeof("…"));
	return json_string(cut);
}

static json_t *status_options(struct reqctx *c, const char *selected, int with_all)
{
	static const char *const values[] = {"new", "in_review", "closed"};
	json_t *arr = json_array();
	size_t i;

	if (with_all)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:b}", "value", "",
			"label", page_tr(c, N_("All")), "selected", !selected[0]));
	for (i = 0; i < ARRAY_SIZE(values); i++)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:b}", "value", values[i],
			"label", page_tr(c, tip_status_label(values[i])),
			"selected", !strcmp(values[i], selected)));
	return arr;
}

void staff_queue(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	const char *status = http_query(req, "status");
	const char *before = http_query(req, "before");
	struct tip_filter filter = { .limit = QUEUE_PAGE + 1, .triage = 1 };
	struct tip_list list = {0};
	json_t *d, *tips;
	size_t i;
	int rc;

	(void)res;
	if (status && status[0] && !tip_status_valid(status)) {
		page_error(c, 400, N_("There is no such status."));
		return;
	}
	filter.status = status && status[0] ? status : NULL;
	if (before && sscanf(before, "%d.%" SCNd64, &filter.before_rank, &filter.before_seq) != 2) {
		page_error(c, 400, N_("This page of the queue does not exist."));
		return;
	}
	rc = store_tip_list(c->app->store, &filter, &list);
	if (rc) {
		page_error(c, page_status_of(rc), N_("The queue could not be loaded."));
		return;
	}
	d = page_data(c, N_("Tip queue"));
	tips = json_array();
	for (i = 0; i < list.count && i < QUEUE_PAGE; i++) {
		struct tip_view v;
		json_t *t;

		/* A tip of a restricted case the user may not see is left out. */
		if (!access_tip_listed(c->app, &c->user, list.rows[i].id))
			continue;
		t = site_tip_summary(c, &list.rows[i]);
		if (!tip_open(c->app, list.rows[i].id, &v)) {
			json_object_set_new(t, "excerpt", excerpt(v.narrative));
			tip_view_release(&v);
		}
		json_array_append_new(tips, t);
	}
	if (list.count > QUEUE_PAGE) {
		char next[128];

		/* The cursor is the last row's place in the triage order. */
		snprintf(next, sizeof(next), "/staff?status=%s&before=%d.%" PRId64,
			 filter.status ? filter.status : "", list.rows[QUEUE_PAGE - 1].urgency_rank,
			 list.rows[QUEUE_PAGE - 1].seq);
		json_object_set_new(d, "next", json_string(next));
	}
	json_object_set_new(d, "tips", tips);
	/* Empty as this user sees it: hidden tips do not count. */
	json_object_set_new(d, "empty", json_boolean(json_array_size(tips) == 0 &&
						     list.count <= QUEUE_PAGE));
	json_object_set_new(d, "statuses", status_options(c, filter.status ? filter.status : "", 1));
	tip_list_release(&list);
	audit(c, "view_queue", NULL, filter.status);
	page_render(c, 200, "staff_queue", d);
}

/*
 * The object-level check for tip id; makes the error page itself. A tip of
 * a restricted case the user may not see gets the page of a tip that does
 * not exist.
 */
static int tip_access_ok(struct reqctx *c, const char *id, enum access_op op)
{
	int rc = access_tip(c->app, &c->user, id, op);

	if (!rc)
		return 1;
	page_error(c, page_status_of(rc), rc == VG_NOTFOUND ?
		   N_("There is no tip with this id.") : N_("Your role does not allow this."));
	return 0;
}

/* The tip page; notice is a msgid confirming what was just done, or NULL. */
static void render_tip(struct reqctx *c, const char *id, int status, const char *notice)
{
	struct tip_view v;
	json_t *d, *t, *messages = NULL, *suggested, *made;
	int rc;

	rc = tip_open(c->app, id, &v);
	if (!rc)
		rc = tip_messages(c->app, id, &messages);
	if (rc) {
		if (rc != VG_NOTFOUND)
			tip_view_release(&v);
		page_error(c, page_status_of(rc), rc == VG_NOTFOUND ?
			   N_("There is no tip with this id.") : N_("The tip could not be opened."));
		return;
	}
	t = site_tip_summary(c, &v.row);
	json_object_set_new(t, "language", json_string(v.row.language));
	json_object_set_new(t, "narrative", json_string(v.narrative));
	json_object_set_new(t, "narrative_parts", evidence_parts(v.narrative, v.screening));
	json_object_set_new(t, "contact", json_string(v.contact ? v.contact : ""));
	json_object_update(t, v.details);
	d = page_data(c, N_("Tip"));
	json_object_set_new(d, "tip", t);
	json_object_set_new(d, "messages", messages);
	if (v.screening)
		json_object_set_new(d, "screen", evidence_view(c, v.screening));
	if (!referral_suggest(c->app, &v, &suggested))
		json_object_set_new(d, "suggested", suggested);
	if (!referral_list(c->app, id, &made))
		json_object_set_new(d, "referrals", made);
	/* The page still shows the tip when its links cannot be read. */
	if (search_related_fill(c, d, id, ""))
		json_object_set_new(d, "related_failed", json_true());
	json_object_set_new(d, "statuses", status_options(c, v.row.status, 0));
	json_object_set_new(d, "can_work",
			    json_boolean(access_allowed(&c->user, ACCESS_WORK_TIPS)));
	if (notice)
		json_object_set_new(d, "notice", json_string(page_tr(c, notice)));
	tip_view_release(&v);
	audit(c, "view_tip", id, NULL);
	page_render(c, status, "staff_tip", d);
}

void staff_tip(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;

	(void)res;
	if (!tip_access_ok(c, req->param, ACCESS_READ_TIPS))
		return;
	render_tip(c, req->param, 200, NULL);
}

/* Reads a staff form about tip id and checks that the user may work on it. */
static int tip_form(struct reqctx *c, const char *id, struct form *f)
{
	if (page_form(c, f))
		return VG_INVAL;
	if (!page_csrf_ok(c, f))
		return VG_FORBIDDEN;
	if (!tip_access_ok(c, id, ACCESS_WORK_TIPS))
		return VG_FORBIDDEN;
	return VG_OK;
}

void staff_tip_status(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	struct form f;
	const char *status;
	int rc;

	(void)res;
	form_init(&f);
	if (tip_form(c, req->param, &f))
		goto out;
	status = page_field(&f, "status");
	rc = tip_set_status(c->app, req->param, status);
	if (rc) {
		page_error(c, page_status_of(rc), rc == VG_INVAL ? N_("There is no such status.") :
			   rc == VG_NOTFOUND ? N_("There is no tip with this id.") :
			   N_("The status could not be changed."));
		goto out;
	}
	audit(c, "set_status", req->param, status);
	render_tip(c, req->param, 200, N_("The status was changed."));
out:
	form_release(&f);
}

void staff_tip_reply(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	struct form f;
	const char *message;
	size_t len = 0;
	int rc;

	(void)res;
	form_init(&f);
	if (tip_form(c, req->param, &f))
		goto out;
	message = form_get(&f, "message", &len);
	rc = tip_add_message(c->app, req->param, "staff", c->user.id, message ? message : "", len);
	if (rc) {
		page_error(c, rc == VG_INVAL ? 422 : page_status_of(rc),
			   rc == VG_INVAL ? N_("Please write something before sending.") :
			   rc == VG_NOTFOUND ? N_("There is no tip with this id.") :
			   rc == VG_TOOBIG ? N_("This is too long.") :
			   N_("Your message could not be saved. Please try again."));
		goto out;
	}
	audit(c, "reply", req->param, NULL);
	render_tip(c, req->param, 200, N_("Your message was sent. The reporter sees it when they check their report."));
out:
	form_release(&f);
}

void staff_tip_referral(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	char id[TOKEN_ID_SIZE], detail[160];
	const char *entry, *consent;
	struct form f;
	int rc;

	(void)res;
	form_init(&f);
	if (tip_form(c, req->param, &f))
		goto out;
	entry = page_field(&f, "entry");
	consent = page_field(&f, "consent");
	if (strcmp(consent, "yes") && strcmp(consent, "no")) {
		page_error(c, 422, N_("Say whether the person agreed to the referral."));
		goto out;
	}
	rc = referral_record(c->app, req->param, c->user.id, entry, page_field(&f, "rule"),
			     !strcmp(consent, "yes"), page_field(&f, "override"), id);
	if (rc) {
		page_error(c, rc == VG_INVAL ? 422 : page_status_of(rc), rc == VG_INVAL ?
			   N_("A referral needs a line from the directory and, without consent, the reason it is made anyway.") :
			   rc == VG_NOTFOUND ? N_("There is no tip with this id.") :
			   N_("The referral could not be recorded."));
		goto out;
	}
	snprintf(detail, sizeof(detail), "%s %s %s", id, entry, consent[0] == 'y' ? "consent" : "override");
	audit(c, "referral", req->param, detail);
	render_tip(c, req->param, 200, N_("The referral was recorded."));
out:
	form_release(&f);
}

void staff_tip_referral_outcome(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	const char *referral, *outcome;
	char detail[96];
	struct form f;
	int rc;

	(void)res;
	form_init(&f);
	if (tip_form(c, req->param, &f))
		goto out;
	referral = page_field(&f, "referral");
	outcome = page_field(&f, "outcome");
	rc = referral_set_outcome(c->app, req->param, referral, outcome, c->user.id);
	if (rc) {
		page_error(c, rc == VG_INVAL ? 422 : page_status_of(rc), rc == VG_INVAL ?
			   N_("The outcome is accepted, rejected or done.") :
			   rc == VG_NOTFOUND ? N_("This tip has no such referral.") :
			   N_("The outcome could not be recorded."));
		goto out;
	}
	snprintf(detail, sizeof(detail), "%.20s %.16s", referral, outcome);
	audit(c, "referral_outcome", req->param, detail);
	render_tip(c, req->param, 200, N_("The outcome was recorded."));
out:
	form_release(&f);
}

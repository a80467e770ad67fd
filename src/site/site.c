#include "base/compat.h"
#include "site/site.h"
#include "base/embedded.h"
#include "base/log.h"
#include "web/router.h"

#include <sodium.h>
#include <strings.h>

/* What a route needs before its handler runs. */
enum access {
	OPEN,        /* anyone; the public site */
	STAFF,       /* a staff web session; else the login page */
	STAFF_FRESH, /* a staff web session whose password need not change */
	API_OPEN,    /* anyone; JSON errors */
	API_STAFF,   /* a bearer token */
};

static const struct route routes[] = {
	{HTTP_GET, "/", public_home, OPEN},
	{HTTP_GET, "/report", public_report_form, OPEN},
	{HTTP_POST, "/report", public_report_submit, OPEN},
	{HTTP_GET, "/check", public_check_form, OPEN},
	{HTTP_POST, "/check", public_check, OPEN},
	{HTTP_POST, "/check/add", public_check_add, OPEN},
	{HTTP_GET, "/help", public_help, OPEN},
	{HTTP_GET, "/static/{}", public_static, OPEN},
	{HTTP_GET, "/staff/login", staff_login_form, OPEN},
	{HTTP_POST, "/staff/login", staff_login, OPEN},
	{HTTP_POST, "/staff/logout", staff_logout, STAFF},
	{HTTP_GET, "/staff/password", staff_password_form, STAFF},
	{HTTP_POST, "/staff/password", staff_password, STAFF},
	{HTTP_GET, "/staff", staff_queue, STAFF_FRESH},
	{HTTP_GET, "/staff/tips/{}", staff_tip, STAFF_FRESH},
	{HTTP_POST, "/staff/tips/{}/status", staff_tip_status, STAFF_FRESH},
	{HTTP_POST, "/staff/tips/{}/reply", staff_tip_reply, STAFF_FRESH},
	{HTTP_POST, "/staff/tips/{}/referrals", staff_tip_referral, STAFF_FRESH},
	{HTTP_POST, "/staff/tips/{}/referral-outcome", staff_tip_referral_outcome, STAFF_FRESH},
	{HTTP_POST, "/api/v1/tips", api_tip_submit, API_OPEN},
	{HTTP_GET, "/api/v1/tips", api_tip_list, API_STAFF},
	{HTTP_GET, "/api/v1/tips/{}", api_tip_get, API_STAFF},
	{HTTP_POST, "/api/v1/receipts/lookup", api_receipt_lookup, API_OPEN},
	{HTTP_POST, "/api/v1/receipts/messages", api_receipt_message, API_OPEN},
	{HTTP_POST, "/api/v1/sessions", api_session_create, API_OPEN},
};

int site_init(struct site *site, struct app *app)
{
	site->app = app;
	return tpl_set_load(embedded_templates, &site->tpl);
}

void site_release(struct site *site)
{
	tpl_set_free(site->tpl);
	site->tpl = NULL;
}

int site_can_read_tips(const struct auth_user *u)
{
	return !strcmp(u->role, "admin") || !strcmp(u->role, "supervisor") ||
	       !strcmp(u->role, "advocate") || !strcmp(u->role, "analyst") ||
	       !strcmp(u->role, "investigator");
}

int site_can_work_tips(const struct auth_user *u)
{
	return !strcmp(u->role, "admin") || !strcmp(u->role, "supervisor") ||
	       !strcmp(u->role, "advocate");
}

/*
 * The language: an explicit ?lang= (remembered in a cookie that ends with
 * the browser session, so nothing lasts on a shared device), then that
 * cookie, then the browser's Accept-Language.
 */
static void choose_language(struct reqctx *c)
{
	const char *q = http_query(c->req, "lang");
	int l = i18n_lang(q);

	if (l >= 0) {
		c->lang = (enum i18n_lang)l;
		http_set_cookie(c->res, SITE_LANG_COOKIE, i18n_code(c->lang), -1,
				c->app->cfg.behind_tls);
		return;
	}
	l = i18n_lang(http_cookie(c->req, SITE_LANG_COOKIE));
	c->lang = l >= 0 ? (enum i18n_lang)l :
			   i18n_negotiate(http_header(c->req, "Accept-Language"));
}

static const char *bearer(const struct http_request *req)
{
	const char *h = http_header(req, "Authorization");

	if (!h || strncasecmp(h, "Bearer ", 7))
		return NULL;
	return h + 7;
}

/* Checks the session a route needs; makes the response itself when it fails. */
static int authenticate(struct reqctx *c, enum access need)
{
	const char *token;
	int rc;

	if (need == OPEN || need == API_OPEN)
		return VG_OK;
	if (need == API_STAFF) {
		token = bearer(c->req);
		rc = auth_session(c->app, token, "api", &c->user);
		if (rc == VG_AUTH || rc == VG_EXPIRED) {
			api_error(c, 401, "unauthorized", rc == VG_EXPIRED ?
				  "the session has expired; create a new one" :
				  "a valid bearer token is required");
			return rc;
		}
	} else {
		token = http_cookie(c->req, SITE_SESSION_COOKIE);
		rc = auth_session(c->app, token, "web", &c->user);
		if (rc == VG_AUTH || rc == VG_EXPIRED) {
			http_set_cookie(c->res, SITE_SESSION_COOKIE, "", 0, c->app->cfg.behind_tls);
			http_redirect(c->res, rc == VG_EXPIRED ? "/staff/login?expired=1" :
								 "/staff/login");
			return rc;
		}
	}
	if (rc) {
		page_error(c, page_status_of(rc), N_("The server could not check your session."));
		return rc;
	}
	c->authed = 1;
	snprintf(c->token, sizeof(c->token), "%s", token);
	token_csrf(&c->app->keys, c->token, c->csrf);
	if (need == STAFF_FRESH && c->user.must_change) {
		http_redirect(c->res, "/staff/password");
		return VG_FORBIDDEN;
	}
	return VG_OK;
}

void site_handle(void *ctx, struct http_request *req, struct http_response *res)
{
	struct site *site = ctx;
	struct reqctx c = { .site = site, .app = site->app, .req = req, .res = res };
	char param[ROUTER_PARAM_MAX];
	const struct route *route;
	int rc;

	choose_language(&c);
	if (req->method == HTTP_OTHER) {
		page_error(&c, 405, N_("This method is not allowed here."));
		return;
	}
	rc = router_match(routes, ARRAY_SIZE(routes), req, param, &route);
	if (rc == VG_NOTFOUND) {
		page_error(&c, 404, N_("There is no page at this address."));
		return;
	}
	if (rc) {
		page_error(&c, 405, N_("This method is not allowed here."));
		return;
	}
	if (authenticate(&c, (enum access)route->flags))
		return;
	route->fn(&c, req, res);
	sodium_memzero(c.token, sizeof(c.token));
}

#include "base/compat.h"
#include "site/site.h"
#include "app/access.h"
#include "base/embedded.h"
#include "base/log.h"
#include "web/router.h"

#include <sodium.h>
#include <strings.h>

/* What a route needs before its handler runs. */
enum access {
	OPEN,        /* anyone; the public site */
	STAFF_CODE,  /* a staff web session, also one still waiting for its code */
	STAFF,       /* a staff web session that has passed its second factor */
	STAFF_FRESH, /* a staff web session whose password need not change */
	API_OPEN,    /* anyone; JSON errors */
	API_STAFF,   /* a bearer token */
};

/*
 * A route's flags: the access above in the low bits and, for a staff route
 * whose every use needs one permission of app/access.h, that op + 1 from
 * bit 4 up. The handler adds the object-level check (access_case,
 * access_tip) for the case or tip it is about.
 */
#define ACCESS_MASK 0xf
#define NEEDS(op) (((op) + 1) << 4)

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
	{HTTP_GET, "/staff/login/code", staff_code_form, STAFF_CODE},
	{HTTP_POST, "/staff/login/code", staff_code, STAFF_CODE},
	{HTTP_POST, "/staff/logout", staff_logout, STAFF_CODE},
	{HTTP_GET, "/staff/totp", staff_totp_form, STAFF},
	{HTTP_POST, "/staff/totp", staff_totp_enrol, STAFF},
	{HTTP_POST, "/staff/totp/confirm", staff_totp_confirm, STAFF},
	{HTTP_POST, "/staff/totp/remove", staff_totp_remove, STAFF},
	{HTTP_GET, "/staff/password", staff_password_form, STAFF},
	{HTTP_POST, "/staff/password", staff_password, STAFF},
	{HTTP_GET, "/staff", staff_queue, STAFF_FRESH | NEEDS(ACCESS_READ_TIPS)},
	{HTTP_GET, "/staff/tips/{}", staff_tip, STAFF_FRESH | NEEDS(ACCESS_READ_TIPS)},
	{HTTP_POST, "/staff/tips/{}/status", staff_tip_status, STAFF_FRESH | NEEDS(ACCESS_WORK_TIPS)},
	{HTTP_POST, "/staff/tips/{}/reply", staff_tip_reply, STAFF_FRESH | NEEDS(ACCESS_WORK_TIPS)},
	{HTTP_POST, "/staff/tips/{}/referrals", staff_tip_referral, STAFF_FRESH | NEEDS(ACCESS_WORK_TIPS)},
	{HTTP_POST, "/staff/tips/{}/referral-outcome", staff_tip_referral_outcome, STAFF_FRESH | NEEDS(ACCESS_WORK_TIPS)},
	{HTTP_GET, "/staff/cases", staff_cases, STAFF_FRESH | NEEDS(ACCESS_READ_TIPS)},
	{HTTP_GET, "/staff/cases/{}", staff_case, STAFF_FRESH},
	{HTTP_POST, "/staff/cases/{}/status", staff_case_status, STAFF_FRESH},
	{HTTP_POST, "/staff/cases/{}/merge", staff_case_merge, STAFF_FRESH},
	{HTTP_POST, "/staff/cases/{}/split", staff_case_split, STAFF_FRESH},
	{HTTP_POST, "/staff/cases/{}/persons", staff_case_person, STAFF_FRESH},
	{HTTP_POST, "/staff/cases/{}/locations", staff_case_location, STAFF_FRESH},
	{HTTP_GET, "/staff/persons/{}", staff_person, STAFF_FRESH | NEEDS(ACCESS_WORK_CASE)},
	{HTTP_POST, "/staff/persons/{}", staff_person_update, STAFF_FRESH | NEEDS(ACCESS_WORK_CASE)},
	{HTTP_GET, "/api/v1/cases", api_case_list, API_STAFF | NEEDS(ACCESS_READ_TIPS)},
	{HTTP_GET, "/api/v1/cases/{}", api_case_get, API_STAFF},
	{HTTP_POST, "/api/v1/cases/{}/status", api_case_status, API_STAFF},
	{HTTP_POST, "/api/v1/cases/{}/merge", api_case_merge, API_STAFF},
	{HTTP_POST, "/api/v1/cases/{}/split", api_case_split, API_STAFF},
	{HTTP_POST, "/api/v1/cases/{}/persons", api_case_person, API_STAFF},
	{HTTP_POST, "/api/v1/cases/{}/locations", api_case_location, API_STAFF},
	{HTTP_POST, "/api/v1/persons/{}", api_person_update, API_STAFF | NEEDS(ACCESS_WORK_CASE)},
	{HTTP_POST, "/api/v1/tips", api_tip_submit, API_OPEN},
	{HTTP_GET, "/api/v1/tips", api_tip_list, API_STAFF | NEEDS(ACCESS_READ_TIPS)},
	{HTTP_GET, "/api/v1/tips/{}", api_tip_get, API_STAFF | NEEDS(ACCESS_READ_TIPS)},
	{HTTP_POST, "/api/v1/receipts/lookup", api_receipt_lookup, API_OPEN},
	{HTTP_POST, "/api/v1/receipts/messages", api_receipt_message, API_OPEN},
	{HTTP_POST, "/api/v1/sessions", api_session_create, API_OPEN},
	{HTTP_GET, "/staff/cases/{}/access", staff_case_access, STAFF_FRESH | NEEDS(ACCESS_RESTRICT)},
	{HTTP_POST, "/staff/cases/{}/access", staff_case_access_update, STAFF_FRESH | NEEDS(ACCESS_RESTRICT)},
	{HTTP_GET, "/api/v1/cases/{}/access", api_case_access_get, API_STAFF | NEEDS(ACCESS_RESTRICT)},
	{HTTP_POST, "/api/v1/cases/{}/access", api_case_access_update, API_STAFF | NEEDS(ACCESS_RESTRICT)},
	{HTTP_GET, "/staff/cases/{}/work", staff_case_work, STAFF_FRESH | NEEDS(ACCESS_READ_CASE)},
	{HTTP_POST, "/staff/cases/{}/notes", staff_case_note, STAFF_FRESH | NEEDS(ACCESS_WORK_CASE)},
	{HTTP_POST, "/staff/cases/{}/tasks", staff_case_task, STAFF_FRESH | NEEDS(ACCESS_WORK_CASE)},
	{HTTP_POST, "/staff/cases/{}/task-done", staff_case_task_done, STAFF_FRESH | NEEDS(ACCESS_WORK_CASE)},
	{HTTP_POST, "/staff/cases/{}/assign", staff_case_assign, STAFF_FRESH | NEEDS(ACCESS_ASSIGN)},
	{HTTP_GET, "/staff/tasks", staff_tasks, STAFF_FRESH | NEEDS(ACCESS_READ_CASE)},
	{HTTP_GET, "/staff/teams", staff_teams, STAFF_FRESH | NEEDS(ACCESS_MANAGE_TEAMS)},
	{HTTP_POST, "/staff/teams", staff_team_create, STAFF_FRESH | NEEDS(ACCESS_MANAGE_TEAMS)},
	{HTTP_POST, "/staff/teams/members", staff_team_member, STAFF_FRESH | NEEDS(ACCESS_MANAGE_TEAMS)},
	{HTTP_GET, "/api/v1/cases/{}/notes", api_case_notes, API_STAFF | NEEDS(ACCESS_READ_CASE)},
	{HTTP_POST, "/api/v1/cases/{}/notes", api_case_note_add, API_STAFF | NEEDS(ACCESS_WORK_CASE)},
	{HTTP_GET, "/api/v1/cases/{}/tasks", api_case_tasks, API_STAFF | NEEDS(ACCESS_READ_CASE)},
	{HTTP_POST, "/api/v1/cases/{}/tasks", api_case_task_add, API_STAFF | NEEDS(ACCESS_WORK_CASE)},
	{HTTP_POST, "/api/v1/cases/{}/task-done", api_case_task_done, API_STAFF | NEEDS(ACCESS_WORK_CASE)},
	{HTTP_GET, "/api/v1/cases/{}/assignment", api_case_assignment, API_STAFF | NEEDS(ACCESS_READ_CASE)},
	{HTTP_POST, "/api/v1/cases/{}/assignment", api_case_assign, API_STAFF | NEEDS(ACCESS_ASSIGN)},
	{HTTP_GET, "/api/v1/tasks", api_tasks_mine, API_STAFF | NEEDS(ACCESS_READ_CASE)},
	{HTTP_GET, "/api/v1/teams", api_teams, API_STAFF | NEEDS(ACCESS_MANAGE_TEAMS)},
	{HTTP_POST, "/api/v1/teams", api_team_create, API_STAFF | NEEDS(ACCESS_MANAGE_TEAMS)},
	{HTTP_POST, "/api/v1/teams/members", api_team_member, API_STAFF | NEEDS(ACCESS_MANAGE_TEAMS)},
	{HTTP_GET, "/staff/search", staff_search, STAFF_FRESH | NEEDS(ACCESS_SEARCH)},
	{HTTP_POST, "/staff/cases/{}/entities", staff_case_entity_add, STAFF_FRESH | NEEDS(ACCESS_LINK)},
	{HTTP_POST, "/staff/cases/{}/entities/remove", staff_case_entity_remove, STAFF_FRESH | NEEDS(ACCESS_LINK)},
	{HTTP_GET, "/api/v1/search", api_search, API_STAFF | NEEDS(ACCESS_SEARCH)},
	{HTTP_GET, "/api/v1/tips/{}/related", api_tip_related, API_STAFF | NEEDS(ACCESS_READ_TIPS)},
	{HTTP_GET, "/api/v1/cases/{}/related", api_case_related, API_STAFF | NEEDS(ACCESS_READ_CASE)},
	{HTTP_POST, "/api/v1/cases/{}/entities", api_case_entity_add, API_STAFF | NEEDS(ACCESS_LINK)},
	{HTTP_GET, "/staff/ads", staff_ads, STAFF_FRESH | NEEDS(ACCESS_ADS)},
	{HTTP_POST, "/staff/ads/{}/lead", staff_ads_lead, STAFF_FRESH | NEEDS(ACCESS_ADS)},
	{HTTP_GET, "/api/v1/ads/networks", api_ads_networks, API_STAFF | NEEDS(ACCESS_ADS)},
	{HTTP_POST, "/api/v1/ads/networks/{}/lead", api_ads_lead, API_STAFF | NEEDS(ACCESS_ADS)},
	{HTTP_GET, "/staff/meetings", staff_meetings, STAFF_FRESH | NEEDS(ACCESS_READ_MEETINGS)},
	{HTTP_POST, "/staff/meetings", staff_meeting_create, STAFF_FRESH | NEEDS(ACCESS_MANAGE_MEETINGS)},
	{HTTP_GET, "/staff/meetings/{}", staff_meeting, STAFF_FRESH | NEEDS(ACCESS_READ_MEETINGS)},
	{HTTP_POST, "/staff/meetings/{}/edit", staff_meeting_edit, STAFF_FRESH | NEEDS(ACCESS_MANAGE_MEETINGS)},
	{HTTP_POST, "/staff/meetings/{}/agenda", staff_meeting_agenda, STAFF_FRESH | NEEDS(ACCESS_MANAGE_MEETINGS)},
	{HTTP_POST, "/staff/meetings/{}/summary", staff_meeting_summary, STAFF_FRESH | NEEDS(ACCESS_MANAGE_MEETINGS)},
	{HTTP_POST, "/staff/meetings/{}/remove", staff_meeting_remove, STAFF_FRESH | NEEDS(ACCESS_MANAGE_MEETINGS)},
	{HTTP_POST, "/staff/meetings/{}/outcome", staff_meeting_outcome, STAFF_FRESH | NEEDS(ACCESS_MANAGE_MEETINGS)},
	{HTTP_POST, "/staff/meetings/{}/attendees", staff_meeting_attendee, STAFF_FRESH | NEEDS(ACCESS_MANAGE_MEETINGS)},
	{HTTP_POST, "/staff/meetings/{}/attendance", staff_meeting_attendance, STAFF_FRESH | NEEDS(ACCESS_MANAGE_MEETINGS)},
	{HTTP_POST, "/staff/meetings/{}/actions", staff_meeting_action, STAFF_FRESH | NEEDS(ACCESS_MANAGE_MEETINGS)},
	{HTTP_POST, "/staff/meetings/{}/action-done", staff_meeting_action_done, STAFF_FRESH | NEEDS(ACCESS_MANAGE_MEETINGS)},
	{HTTP_GET, "/api/v1/meetings", api_meeting_list, API_STAFF | NEEDS(ACCESS_READ_MEETINGS)},
	{HTTP_POST, "/api/v1/meetings", api_meeting_create, API_STAFF | NEEDS(ACCESS_MANAGE_MEETINGS)},
	{HTTP_GET, "/api/v1/meetings/{}", api_meeting_get, API_STAFF | NEEDS(ACCESS_READ_MEETINGS)},
	{HTTP_POST, "/api/v1/meetings/{}/edit", api_meeting_edit, API_STAFF | NEEDS(ACCESS_MANAGE_MEETINGS)},
	{HTTP_POST, "/api/v1/meetings/{}/agenda", api_meeting_agenda, API_STAFF | NEEDS(ACCESS_MANAGE_MEETINGS)},
	{HTTP_POST, "/api/v1/meetings/{}/summary", api_meeting_summary, API_STAFF | NEEDS(ACCESS_MANAGE_MEETINGS)},
	{HTTP_POST, "/api/v1/meetings/{}/remove", api_meeting_remove, API_STAFF | NEEDS(ACCESS_MANAGE_MEETINGS)},
	{HTTP_POST, "/api/v1/meetings/{}/outcome", api_meeting_outcome, API_STAFF | NEEDS(ACCESS_MANAGE_MEETINGS)},
	{HTTP_POST, "/api/v1/meetings/{}/attendees", api_meeting_attendee, API_STAFF | NEEDS(ACCESS_MANAGE_MEETINGS)},
	{HTTP_POST, "/api/v1/meetings/{}/attendance", api_meeting_attendance, API_STAFF | NEEDS(ACCESS_MANAGE_MEETINGS)},
	{HTTP_POST, "/api/v1/meetings/{}/actions", api_meeting_action, API_STAFF | NEEDS(ACCESS_MANAGE_MEETINGS)},
	{HTTP_POST, "/api/v1/meetings/{}/action-done", api_meeting_action_done, API_STAFF | NEEDS(ACCESS_MANAGE_MEETINGS)},
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

const struct route *site_routes(size_t *n)
{
	*n = ARRAY_SIZE(routes);
	return routes;
}

int site_route_op(const struct route *r)
{
	return (r->flags >> 4) - 1;
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

/* 1 when the configuration requires this administrator to have TOTP and they do not. */
static int second_factor_missing(const struct reqctx *c)
{
	return c->app->cfg.totp_admin_required && !c->user.totp_enrolled &&
	       !strcmp(c->user.role, "admin");
}

/* Checks the session a route needs; makes the response itself when it fails. */
static int authenticate(struct reqctx *c, enum access need, int op)
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
	if (c->user.totp_pending && need != STAFF_CODE) {
		if (need == API_STAFF)
			api_error(c, 401, "unauthorized", "a valid bearer token is required");
		else
			http_redirect(c->res, "/staff/login/code");
		return VG_AUTH;
	}
	if (need != STAFF_CODE && need != STAFF && second_factor_missing(c)) {
		if (need == API_STAFF)
			api_error(c, 403, "second_factor_required",
				  "administrators must set up a second factor in the staff console first");
		else
			http_redirect(c->res, "/staff/totp");
		return VG_FORBIDDEN;
	}
	if (need == STAFF_FRESH && c->user.must_change) {
		http_redirect(c->res, "/staff/password");
		return VG_FORBIDDEN;
	}
	if (op >= 0 && !access_allowed(&c->user, (enum access_op)op)) {
		page_error(c, 403, N_("Your role does not allow this."));
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
	if (authenticate(&c, (enum access)(route->flags & ACCESS_MASK), site_route_op(route)))
		return;
	route->fn(&c, req, res);
	sodium_memzero(c.token, sizeof(c.token));
}

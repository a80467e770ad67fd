/*
 * site.h - vigil's web site: the public pages, the staff console and the
 * JSON API, on top of the app features and the web plumbing.
 *
 * site_handle() is the server's handler. It picks the request's language,
 * finds the route, checks the staff session where a route needs one, and
 * turns every failure into the right status with an HTML page or, under
 * /api/, a JSON error object.
 */
#ifndef VIGIL_SITE_H
#define VIGIL_SITE_H

#include <jansson.h>

#include "app/app.h"
#include "app/auth.h"
#include "web/form.h"
#include "web/http.h"
#include "web/i18n.h"
#include "web/template.h"

#define SITE_SESSION_COOKIE "vigil_session"
#define SITE_LOGIN_COOKIE "vigil_login"
#define SITE_LANG_COOKIE "vigil_lang"

struct site {
	struct app *app;
	struct tpl_set *tpl;
};

/* Everything a handler needs about the request it is answering. */
struct reqctx {
	struct site *site;
	struct app *app;
	struct http_request *req;
	struct http_response *res;
	enum i18n_lang lang;
	int authed;                     /* a staff session was checked */
	struct auth_user user;
	char token[TOKEN_TEXT_SIZE];    /* the session token when authed */
	char csrf[TOKEN_TEXT_SIZE];     /* the CSRF token forms must echo */
};

int site_init(struct site *site, struct app *app);
void site_release(struct site *site);
void site_handle(void *site, struct http_request *req, struct http_response *res);

/* How many help lines every public page ends with. */
#define PAGE_FOOTER_LINES 3

/* page.c: rendering and errors shared by every handler. */
const char *page_tr(const struct reqctx *c, const char *msgid);
json_t *page_data(struct reqctx *c, const char *title_msgid);
/* Renders template name with data (the reference is stolen). */
void page_render(struct reqctx *c, int status, const char *name, json_t *data);
/* An error page, or a JSON error under /api/. */
void page_error(struct reqctx *c, int status, const char *msgid);
/* The HTTP status for a status code from an app function. */
int page_status_of(int rc);
/*
 * Reads a form body: 413 when too big, 415 unless urlencoded, 403 when a
 * browser says the post came from another site, 400 when malformed. On any
 * of those the error response is already made and the rc is returned.
 */
int page_form(struct reqctx *c, struct form *f);
/* The value of a form field, "" when absent. */
const char *page_field(const struct form *f, const char *name);
/* 1 when the form's csrf field matches c->csrf; a 403 page otherwise. */
int page_csrf_ok(struct reqctx *c, const struct form *f);

/* api: JSON responses. */
void api_json(struct reqctx *c, int status, json_t *body);
void api_error(struct reqctx *c, int status, const char *code, const char *message);
/* Reads a JSON object body, answering 413/415/400 itself on failure. */
int api_body(struct reqctx *c, json_t **out);

/* The handlers, by file. */
void public_home(void *c, struct http_request *req, struct http_response *res);
void public_report_form(void *c, struct http_request *req, struct http_response *res);
void public_report_submit(void *c, struct http_request *req, struct http_response *res);
void public_check_form(void *c, struct http_request *req, struct http_response *res);
void public_check(void *c, struct http_request *req, struct http_response *res);
void public_check_add(void *c, struct http_request *req, struct http_response *res);
void public_help(void *c, struct http_request *req, struct http_response *res);
void public_static(void *c, struct http_request *req, struct http_response *res);

void staff_login_form(void *c, struct http_request *req, struct http_response *res);
void staff_login(void *c, struct http_request *req, struct http_response *res);
void staff_logout(void *c, struct http_request *req, struct http_response *res);
void staff_password_form(void *c, struct http_request *req, struct http_response *res);
void staff_password(void *c, struct http_request *req, struct http_response *res);
void staff_queue(void *c, struct http_request *req, struct http_response *res);
void staff_tip(void *c, struct http_request *req, struct http_response *res);
void staff_tip_status(void *c, struct http_request *req, struct http_response *res);
void staff_tip_reply(void *c, struct http_request *req, struct http_response *res);
void staff_tip_referral(void *c, struct http_request *req, struct http_response *res);
void staff_tip_referral_outcome(void *c, struct http_request *req, struct http_response *res);

void api_tip_submit(void *c, struct http_request *req, struct http_response *res);
void api_receipt_lookup(void *c, struct http_request *req, struct http_response *res);
void api_receipt_message(void *c, struct http_request *req, struct http_response *res);
void api_session_create(void *c, struct http_request *req, struct http_response *res);
void api_tip_list(void *c, struct http_request *req, struct http_response *res);
void api_tip_get(void *c, struct http_request *req, struct http_response *res);

/* Shared by the staff console and the API: who may do what with tips. */
int site_can_read_tips(const struct auth_user *u);
int site_can_work_tips(const struct auth_user *u);

/* Fills the common fields of a tip for display (where, dates, labels). */
json_t *site_tip_summary(struct reqctx *c, const struct tip_row *t);

#endif

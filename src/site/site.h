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
/*
 * The answer to adding something to case case_id that was merged into
 * another (VG_MERGED): 409, on a page with a link to the case it was
 * merged into, or under /api/ the error "merged" with that case's id in
 * "merged_into". The caller has already checked that the user may work
 * on case_id, so naming the other case tells them nothing new.
 */
void page_merged(struct reqctx *c, const char *case_id);
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
void staff_code_form(void *c, struct http_request *req, struct http_response *res);
void staff_code(void *c, struct http_request *req, struct http_response *res);
void staff_totp_form(void *c, struct http_request *req, struct http_response *res);
void staff_totp_enrol(void *c, struct http_request *req, struct http_response *res);
void staff_totp_confirm(void *c, struct http_request *req, struct http_response *res);
void staff_totp_remove(void *c, struct http_request *req, struct http_response *res);
void staff_case_access(void *c, struct http_request *req, struct http_response *res);
void staff_case_access_update(void *c, struct http_request *req, struct http_response *res);
void api_case_access_get(void *c, struct http_request *req, struct http_response *res);
void api_case_access_update(void *c, struct http_request *req, struct http_response *res);
void staff_queue(void *c, struct http_request *req, struct http_response *res);
void staff_tip(void *c, struct http_request *req, struct http_response *res);
void staff_tip_status(void *c, struct http_request *req, struct http_response *res);
void staff_tip_reply(void *c, struct http_request *req, struct http_response *res);
void staff_tip_referral(void *c, struct http_request *req, struct http_response *res);
void staff_tip_referral_outcome(void *c, struct http_request *req, struct http_response *res);

/* cases.c: the case queue, the case page and the case API. */
void staff_cases(void *c, struct http_request *req, struct http_response *res);
void staff_case(void *c, struct http_request *req, struct http_response *res);
void staff_case_status(void *c, struct http_request *req, struct http_response *res);
void staff_case_merge(void *c, struct http_request *req, struct http_response *res);
void staff_case_split(void *c, struct http_request *req, struct http_response *res);
void staff_case_person(void *c, struct http_request *req, struct http_response *res);
void staff_case_location(void *c, struct http_request *req, struct http_response *res);
void staff_person(void *c, struct http_request *req, struct http_response *res);
void staff_person_update(void *c, struct http_request *req, struct http_response *res);
void api_case_list(void *c, struct http_request *req, struct http_response *res);
void api_case_get(void *c, struct http_request *req, struct http_response *res);
void api_case_status(void *c, struct http_request *req, struct http_response *res);
void api_case_merge(void *c, struct http_request *req, struct http_response *res);
void api_case_split(void *c, struct http_request *req, struct http_response *res);
void api_case_person(void *c, struct http_request *req, struct http_response *res);
void api_case_location(void *c, struct http_request *req, struct http_response *res);
void api_person_update(void *c, struct http_request *req, struct http_response *res);

void api_tip_submit(void *c, struct http_request *req, struct http_response *res);
void api_receipt_lookup(void *c, struct http_request *req, struct http_response *res);
void api_receipt_message(void *c, struct http_request *req, struct http_response *res);
void api_session_create(void *c, struct http_request *req, struct http_response *res);
void api_tip_list(void *c, struct http_request *req, struct http_response *res);
void api_tip_get(void *c, struct http_request *req, struct http_response *res);

/*
 * The route table, for the permission matrix test: every route, and the
 * access.h op a route needs of every user (-1 when it needs none beyond
 * its session, or its handler decides per object).
 */
struct route;
const struct route *site_routes(size_t *n);
int site_route_op(const struct route *r);

/* ads.c: networks of online ads and leads (docs/ads.md). */
void staff_ads(void *c, struct http_request *req, struct http_response *res);
void staff_ads_lead(void *c, struct http_request *req, struct http_response *res);
void api_ads_networks(void *c, struct http_request *req, struct http_response *res);
void api_ads_lead(void *c, struct http_request *req, struct http_response *res);

/* meetings.c: child-exploitation team meetings (docs/meetings.md). */
void staff_meetings(void *c, struct http_request *req, struct http_response *res);
void staff_meeting_create(void *c, struct http_request *req, struct http_response *res);
void staff_meeting(void *c, struct http_request *req, struct http_response *res);
void staff_meeting_edit(void *c, struct http_request *req, struct http_response *res);
void staff_meeting_agenda(void *c, struct http_request *req, struct http_response *res);
void staff_meeting_summary(void *c, struct http_request *req, struct http_response *res);
void staff_meeting_remove(void *c, struct http_request *req, struct http_response *res);
void staff_meeting_outcome(void *c, struct http_request *req, struct http_response *res);
void staff_meeting_attendee(void *c, struct http_request *req, struct http_response *res);
void staff_meeting_attendance(void *c, struct http_request *req, struct http_response *res);
void staff_meeting_action(void *c, struct http_request *req, struct http_response *res);
void staff_meeting_action_done(void *c, struct http_request *req, struct http_response *res);
void api_meeting_list(void *c, struct http_request *req, struct http_response *res);
void api_meeting_create(void *c, struct http_request *req, struct http_response *res);
void api_meeting_get(void *c, struct http_request *req, struct http_response *res);
void api_meeting_edit(void *c, struct http_request *req, struct http_response *res);
void api_meeting_agenda(void *c, struct http_request *req, struct http_response *res);
void api_meeting_summary(void *c, struct http_request *req, struct http_response *res);
void api_meeting_remove(void *c, struct http_request *req, struct http_response *res);
void api_meeting_outcome(void *c, struct http_request *req, struct http_response *res);
void api_meeting_attendee(void *c, struct http_request *req, struct http_response *res);
void api_meeting_attendance(void *c, struct http_request *req, struct http_response *res);
void api_meeting_action(void *c, struct http_request *req, struct http_response *res);
void api_meeting_action_done(void *c, struct http_request *req, struct http_response *res);
/*
 * The meetings with case_id on their agenda that the signed-in user may
 * read, for the case page's Meetings section (template meeting_case);
 * [] when there are none or the user may not see them.
 */
json_t *site_case_meetings(struct reqctx *c, const char *case_id);

/* Fills the common fields of a tip for display (where, dates, labels). */
json_t *site_tip_summary(struct reqctx *c, const struct tip_row *t);

/* work.c: assignment, notes, tasks and teams (docs/work.md). */
void staff_case_work(void *c, struct http_request *req, struct http_response *res);
void staff_case_note(void *c, struct http_request *req, struct http_response *res);
void staff_case_task(void *c, struct http_request *req, struct http_response *res);
void staff_case_task_done(void *c, struct http_request *req, struct http_response *res);
void staff_case_assign(void *c, struct http_request *req, struct http_response *res);
void staff_tasks(void *c, struct http_request *req, struct http_response *res);
void staff_teams(void *c, struct http_request *req, struct http_response *res);
void staff_team_create(void *c, struct http_request *req, struct http_response *res);
void staff_team_member(void *c, struct http_request *req, struct http_response *res);
void api_case_notes(void *c, struct http_request *req, struct http_response *res);
void api_case_note_add(void *c, struct http_request *req, struct http_response *res);
void api_case_tasks(void *c, struct http_request *req, struct http_response *res);
void api_case_task_add(void *c, struct http_request *req, struct http_response *res);
void api_case_task_done(void *c, struct http_request *req, struct http_response *res);
void api_case_assignment(void *c, struct http_request *req, struct http_response *res);
void api_case_assign(void *c, struct http_request *req, struct http_response *res);
void api_tasks_mine(void *c, struct http_request *req, struct http_response *res);
void api_teams(void *c, struct http_request *req, struct http_response *res);
void api_team_create(void *c, struct http_request *req, struct http_response *res);
void api_team_member(void *c, struct http_request *req, struct http_response *res);
/*
 * The case page's work section (template partial case_work): assignment,
 * notes, tasks with the overdue ones marked, and the forms the user may
 * use. The caller has checked ACCESS_READ_CASE on the case; NULL on failure.
 */
json_t *site_case_work(struct reqctx *c, const char *case_id);
/* The number of overdue open tasks of a case, for the queue (0 on failure). */
int64_t site_case_overdue(struct reqctx *c, const char *case_id);

/* search.c: search, related tips and cases, entities of a case (docs/search.md). */
void staff_search(void *c, struct http_request *req, struct http_response *res);
void staff_case_entity_add(void *c, struct http_request *req, struct http_response *res);
void staff_case_entity_remove(void *c, struct http_request *req, struct http_response *res);
void api_search(void *c, struct http_request *req, struct http_response *res);
void api_tip_related(void *c, struct http_request *req, struct http_response *res);
void api_case_related(void *c, struct http_request *req, struct http_response *res);
void api_case_entity_add(void *c, struct http_request *req, struct http_response *res);
/*
 * Fills data for the partial search_related (tip or case page: "related",
 * "has_related") and, for a case, search_entities ("entities",
 * "entity_kinds", "entity_case", "can_link"). One of tip_id and case_id
 * is "". The caller has checked that the user may read the tip or case.
 */
int search_related_fill(struct reqctx *c, json_t *data, const char *tip_id, const char *case_id);

#endif

/*
 * meetings.c - child-exploitation team (MDT) meetings in the staff console
 * (/staff/meetings) and the JSON API (/api/v1/meetings). The handlers only
 * translate between HTTP and app/meetings.h, which checks access and
 * writes the audit log; every form carries the session's CSRF token.
 */
#include "base/compat.h"
#include "base/clock.h"
#include "site/site.h"
#include "app/access.h"
#include "app/meetings.h"
#include "store/work.h"

/* The status for an app result; a duplicate is a conflict, not a crash. */
static int status_of(int rc)
{
	return rc == VG_EXISTS ? 409 : page_status_of(rc);
}

/* The message for a failed change, by status code. */
static const char *change_error(int rc)
{
	switch (rc) {
	case VG_INVAL: return N_("Please check the fields: something is missing, too long or not one of the choices.");
	case VG_NOTFOUND: return N_("There is no such meeting, agenda item, case or attendee.");
	case VG_FORBIDDEN: return N_("Your role does not allow changing meetings.");
	case VG_EXISTS: return N_("This case is already on the agenda.");
	case VG_TOOBIG: return N_("This meeting has reached its limit.");
	default: return N_("The meeting could not be changed. Please try again.");
	}
}

/* The picklist of safety statuses, with selected marked and labels translated. */
static json_t *safety_options(struct reqctx *c, const struct safety_list *l,
			      const char *selected)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < l->n; i++)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:b}", "value", l->v[i].slug,
			"label", page_tr(c, l->v[i].label),
			"selected", selected && !strcmp(selected, l->v[i].slug)));
	return arr;
}

static json_t *team_options(struct reqctx *c)
{
	struct team_list l = { 0 };
	json_t *arr = json_array();
	size_t i;

	if (store_team_list(c->app->store, &l))
		return arr;
	for (i = 0; i < l.count; i++)
		if (!l.rows[i].disabled)
			json_array_append_new(arr, json_pack("{s:I, s:s, s:b}",
				"id", (json_int_t)l.rows[i].id, "name", l.rows[i].name,
				"mdt", !strcmp(l.rows[i].kind, "mdt")));
	team_list_release(&l);
	return arr;
}

void staff_meetings(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	json_t *d, *upcoming = NULL, *past = NULL;
	int rc;

	(void)req;
	(void)res;
	rc = meeting_list(c->app, &c->user, 1, &upcoming);
	if (!rc)
		rc = meeting_list(c->app, &c->user, 0, &past);
	if (rc) {
		json_decref(upcoming);
		page_error(c, status_of(rc), rc == VG_FORBIDDEN ?
			   N_("Your role does not give access to meetings.") :
			   N_("The meetings could not be loaded."));
		return;
	}
	d = page_data(c, N_("Team meetings"));
	json_object_set_new(d, "upcoming", upcoming);
	json_object_set_new(d, "past", past);
	json_object_set_new(d, "csrf", json_string(c->csrf));
	if (access_allowed(&c->user, ACCESS_MANAGE_MEETINGS)) {
		json_object_set_new(d, "can_manage", json_true());
		json_object_set_new(d, "teams", team_options(c));
	}
	page_render(c, 200, "meetings", d);
}

/* Reads a staff form about meetings: the body and its CSRF token. */
static int meeting_form(struct reqctx *c, struct form *f)
{
	if (page_form(c, f))
		return VG_INVAL;
	if (!page_csrf_ok(c, f))
		return VG_FORBIDDEN;
	return VG_OK;
}

/* Fills a meeting_input from the fields team, starts, title, place, status. */
static int input_from(const char *team, const char *starts, struct meeting_input *in)
{
	char *end;
	long long t;

	errno = 0;
	t = strtoll(team, &end, 10);
	if (team[0] == '\0' || *end || errno || t <= 0)
		return VG_INVAL;
	in->team_id = t;
	return clock_parse_minute(starts, &in->starts_at);
}

void staff_meeting_create(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	struct meeting_input in = { 0 };
	char id[TOKEN_ID_SIZE], url[64];
	struct form f;
	int rc;

	(void)req;
	form_init(&f);
	if (meeting_form(c, &f))
		goto out;
	in.title = page_field(&f, "title");
	in.place = page_field(&f, "place");
	rc = input_from(page_field(&f, "team"), page_field(&f, "starts"), &in);
	if (!rc)
		rc = meeting_schedule(c->app, &c->user, &in, id);
	if (rc) {
		page_error(c, status_of(rc), change_error(rc));
		goto out;
	}
	snprintf(url, sizeof(url), "/staff/meetings/%s", id);
	http_redirect(res, url);
out:
	form_release(&f);
}

/* Adds to each agenda item of d its picklist and its status's label. */
static void add_safety(struct reqctx *c, json_t *d, const struct safety_list *l)
{
	json_t *items = json_object_get(d, "agenda"), *item;
	size_t i;

	json_array_foreach(items, i, item) {
		const char *slug = json_string_value(json_object_get(item, "safety_status"));
		const struct safety_status *s = meeting_safety_find(l, slug);

		json_object_set_new(item, "safety_options", safety_options(c, l, slug));
		json_object_set_new(item, "safety_label", json_string(s ? page_tr(c, s->label) : slug));
	}
}

void staff_meeting(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	struct safety_list safety;
	const char *notice = http_query(req, "done");
	json_t *d, *m = NULL;
	int rc;

	(void)res;
	rc = meeting_safety_load(c->app->cfg.rules_dir, &safety);
	if (!rc)
		rc = meeting_view(c->app, &c->user, req->param, &m);
	if (rc) {
		page_error(c, status_of(rc), rc == VG_NOTFOUND ? N_("There is no meeting with this id.") :
			   rc == VG_FORBIDDEN ? N_("Your role does not give access to meetings.") :
			   N_("The meeting could not be opened."));
		return;
	}
	add_safety(c, m, &safety);
	d = page_data(c, N_("Team meeting"));
	json_object_set_new(d, "meeting", m);
	json_object_set_new(d, "csrf", json_string(c->csrf));
	json_object_set_new(d, "can_manage",
			    json_boolean(access_allowed(&c->user, ACCESS_MANAGE_MEETINGS)));
	json_object_set_new(d, "statuses", json_pack("[{s:s, s:s, s:b}, {s:s, s:s, s:b}, {s:s, s:s, s:b}]",
		"value", "scheduled", "label", page_tr(c, N_("Scheduled")),
		"selected", !strcmp(json_string_value(json_object_get(m, "status")), "scheduled"),
		"value", "held", "label", page_tr(c, N_("Held")),
		"selected", !strcmp(json_string_value(json_object_get(m, "status")), "held"),
		"value", "cancelled", "label", page_tr(c, N_("Cancelled")),
		"selected", !strcmp(json_string_value(json_object_get(m, "status")), "cancelled")));
	if (notice && notice[0])
		json_object_set_new(d, "notice", json_string(page_tr(c, N_("The meeting was updated."))));
	page_render(c, 200, "meeting", d);
}

/*
 * The fields of a change: a form's, or a JSON body's members (true and
 * false read as "yes" and "no"), so that both take the same path.
 */
struct fields {
	const struct form *form;
	json_t *json;
};

static const char *field(const struct fields *fs, const char *name)
{
	json_t *v;

	if (fs->form)
		return page_field(fs->form, name);
	v = json_object_get(fs->json, name);
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_boolean(v))
		return json_is_true(v) ? "yes" : "no";
	return "";
}

/* What a meeting form asks for. */
enum meeting_change {
	CHANGE_EDIT,
	CHANGE_AGENDA,
	CHANGE_SUMMARY,
	CHANGE_REMOVE,
	CHANGE_OUTCOME,
	CHANGE_ATTENDEE,
	CHANGE_ATTENDANCE,
	CHANGE_ACTION,
	CHANGE_ACTION_DONE,
};

/* Applies one change from f to meeting id; out is the new row's id or "". */
static int apply_change(struct reqctx *c, const char *id, enum meeting_change what,
			const struct fields *f, char out[TOKEN_ID_SIZE])
{
	const char *item = field(f, "item");
	struct agenda_summary sum = {
		field(f, "background"), field(f, "case_status"),
		field(f, "safety_concerns"),
	};
	int64_t due = 0;
	int rc;

	out[0] = '\0';

	switch (what) {
	case CHANGE_EDIT: {
		struct meeting_input in = { .title = field(f, "title"),
					    .place = field(f, "place"),
					    .status = field(f, "status") };

		rc = clock_parse_minute(field(f, "starts"), &in.starts_at);
		return rc ? rc : meeting_update(c->app, &c->user, id, &in);
	}
	case CHANGE_AGENDA:
		return meeting_agenda_add(c->app, &c->user, id, field(f, "case"), &sum, out);
	case CHANGE_SUMMARY:
		return meeting_agenda_summary(c->app, &c->user, id, item, &sum);
	case CHANGE_REMOVE:
		return meeting_agenda_remove(c->app, &c->user, id, item);
	case CHANGE_OUTCOME: {
		struct agenda_outcome o = { field(f, "safety_status"),
					    field(f, "safety_plan"),
					    field(f, "stabilisation") };

		return meeting_outcome_set(c->app, &c->user, id, item, &o);
	}
	case CHANGE_ATTENDEE:
		return meeting_attendee_add(c->app, &c->user, id, field(f, "name"),
					    field(f, "agency"), field(f, "user"),
					    !strcmp(field(f, "present"), "yes"), out);
	case CHANGE_ATTENDANCE:
		return meeting_attendee_present(c->app, &c->user, id, field(f, "attendee"),
						!strcmp(field(f, "present"), "yes"));
	case CHANGE_ACTION:
		if (field(f, "due")[0]) {
			rc = clock_parse_day_end(field(f, "due"), &due);
			if (rc)
				return rc;
		}
		return meeting_action_add(c->app, &c->user, id, item, field(f, "text"),
					  field(f, "owner"), field(f, "owner_user"),
					  due, out);
	case CHANGE_ACTION_DONE:
		return meeting_action_done(c->app, &c->user, id, field(f, "action"),
					   !strcmp(field(f, "done"), "yes"));
	}
	return VG_INTERNAL;
}

/* A meeting form: the change, then back to the meeting page. */
static void meeting_post(struct reqctx *c, enum meeting_change what)
{
	char url[96], id[TOKEN_ID_SIZE];
	struct form f;
	struct fields fs = { .form = &f };
	int rc;

	form_init(&f);
	if (meeting_form(c, &f))
		goto out;
	rc = apply_change(c, c->req->param, what, &fs, id);
	if (rc == VG_MERGED) {
		/* Only an agenda item names a case, and may meet a merged one. */
		page_merged(c, field(&fs, "case"));
		goto out;
	}
	if (rc) {
		page_error(c, status_of(rc), change_error(rc));
		goto out;
	}
	snprintf(url, sizeof(url), "/staff/meetings/%s?done=1", c->req->param);
	http_redirect(c->res, url);
out:
	form_release(&f);
}

#define MEETING_POST(fn, what)                                                  \
	void fn(void *ctx, struct http_request *req, struct http_response *res) \
	{                                                                       \
		(void)req;                                                      \
		(void)res;                                                      \
		meeting_post(ctx, what);                                        \
	}

MEETING_POST(staff_meeting_edit, CHANGE_EDIT)
MEETING_POST(staff_meeting_agenda, CHANGE_AGENDA)
MEETING_POST(staff_meeting_summary, CHANGE_SUMMARY)
MEETING_POST(staff_meeting_remove, CHANGE_REMOVE)
MEETING_POST(staff_meeting_outcome, CHANGE_OUTCOME)
MEETING_POST(staff_meeting_attendee, CHANGE_ATTENDEE)
MEETING_POST(staff_meeting_attendance, CHANGE_ATTENDANCE)
MEETING_POST(staff_meeting_action, CHANGE_ACTION)
MEETING_POST(staff_meeting_action_done, CHANGE_ACTION_DONE)

/* API */

static const char *api_code(int rc)
{
	switch (rc) {
	case VG_INVAL: return "invalid";
	case VG_NOTFOUND: return "not_found";
	case VG_FORBIDDEN: return "forbidden";
	case VG_EXISTS: return "exists";
	case VG_TOOBIG: return "too_large";
	default: return "internal";
	}
}

static void api_fail(struct reqctx *c, int rc)
{
	api_error(c, status_of(rc), api_code(rc), rc == VG_INVAL ?
		  "a field is missing, too long or not one of the choices" :
		  rc == VG_NOTFOUND ? "no such meeting, agenda item, case or attendee" :
		  rc == VG_FORBIDDEN ? "the role does not allow this" :
		  rc == VG_EXISTS ? "the case is already on the agenda" :
		  rc == VG_TOOBIG ? "the meeting has reached its limit" :
		  "the meeting could not be read or changed");
}

void api_meeting_list(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	const char *when = http_query(req, "when");
	json_t *list;
	int rc;

	(void)res;
	if (when && strcmp(when, "upcoming") && strcmp(when, "past")) {
		api_error(c, 400, "bad_query", "when is upcoming or past");
		return;
	}
	rc = meeting_list(c->app, &c->user, !when || !strcmp(when, "upcoming"), &list);
	if (rc) {
		api_fail(c, rc);
		return;
	}
	api_json(c, 200, json_pack("{s:o}", "meetings", list));
}

void api_meeting_get(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	json_t *m;
	int rc;

	(void)res;
	rc = meeting_view(c->app, &c->user, req->param, &m);
	if (rc) {
		api_fail(c, rc);
		return;
	}
	api_json(c, 200, m);
}

/* The string member key of obj, "" when absent; NULL when it is not a string. */
static const char *str_of(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (!v || json_is_null(v))
		return "";
	return json_string_value(v);
}

void api_meeting_create(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	struct meeting_input in = { 0 };
	char id[TOKEN_ID_SIZE];
	json_t *body;
	int rc;

	(void)req;
	(void)res;
	if (!access_allowed(&c->user, ACCESS_MANAGE_MEETINGS)) {
		api_fail(c, VG_FORBIDDEN);
		return;
	}
	if (api_body(c, &body))
		return;
	in.team_id = json_integer_value(json_object_get(body, "team_id"));
	in.title = str_of(body, "title");
	in.place = str_of(body, "place");
	in.status = json_object_get(body, "status") ? str_of(body, "status") : NULL;
	rc = in.title && in.place && (!json_object_get(body, "status") || in.status) ?
	     clock_parse_minute(str_of(body, "starts"), &in.starts_at) : VG_INVAL;
	if (!rc)
		rc = meeting_schedule(c->app, &c->user, &in, id);
	json_decref(body);
	if (rc) {
		api_fail(c, rc);
		return;
	}
	api_json(c, 201, json_pack("{s:s}", "id", id));
}

/* An API change to meeting {id}: the JSON body's members as the form's fields. */
static void api_change(struct reqctx *c, enum meeting_change what)
{
	struct fields fs = { 0 };
	char id[TOKEN_ID_SIZE];
	int rc;

	if (api_body(c, &fs.json))
		return;
	rc = apply_change(c, c->req->param, what, &fs, id);
	if (rc == VG_MERGED)
		page_merged(c, field(&fs, "case"));
	json_decref(fs.json);
	if (rc == VG_MERGED)
		return;
	if (rc) {
		api_fail(c, rc);
		return;
	}
	api_json(c, id[0] ? 201 : 200, id[0] ? json_pack("{s:s}", "id", id) :
					    json_pack("{s:b}", "ok", 1));
}

#define MEETING_API(fn, what)                                                   \
	void fn(void *ctx, struct http_request *req, struct http_response *res) \
	{                                                                       \
		(void)req;                                                      \
		(void)res;                                                      \
		api_change(ctx, what);                                          \
	}

MEETING_API(api_meeting_edit, CHANGE_EDIT)
MEETING_API(api_meeting_agenda, CHANGE_AGENDA)
MEETING_API(api_meeting_summary, CHANGE_SUMMARY)
MEETING_API(api_meeting_remove, CHANGE_REMOVE)
MEETING_API(api_meeting_outcome, CHANGE_OUTCOME)
MEETING_API(api_meeting_attendee, CHANGE_ATTENDEE)
MEETING_API(api_meeting_attendance, CHANGE_ATTENDANCE)
MEETING_API(api_meeting_action, CHANGE_ACTION)
MEETING_API(api_meeting_action_done, CHANGE_ACTION_DONE)

json_t *site_case_meetings(struct reqctx *c, const char *case_id)
{
	json_t *list;

	if (meeting_for_case(c->app, &c->user, case_id, &list))
		return json_array();
	return list;
}

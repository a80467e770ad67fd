/*
 * work.c - the staff console's and the API's daily work on a case:
 * assignment, notes, tasks (with the overdue ones marked), "my tasks", and
 * team management (docs/work.md).
 *
 * Every handler checks the role through the route (site.c) and the case
 * through access_case(), so a case the user may not see is a 404 exactly as
 * a case that does not exist. Every read and change is audited.
 */
#include "base/compat.h"
#include "site/site.h"
#include "app/access.h"
#include "app/work.h"
#include "base/clock.h"
#include "base/log.h"

#include <time.h>

static void audit(struct reqctx *c, const char *action, const char *object, const char *detail)
{
	app_audit(c->app, c->user.id, action, object, detail);
}

/*
 * The object-level check for the case in the path; answers the request
 * itself (404 for a case the user may not know of, 403 for a role that may
 * not do op) and returns non-zero when the handler must stop.
 */
static int case_allowed(struct reqctx *c, const char *case_id, enum access_op op)
{
	int rc = access_case(c->app, &c->user, case_id, op);

	if (!rc)
		return 0;
	page_error(c, page_status_of(rc), rc == VG_NOTFOUND ? N_("There is no case with this id.") :
		   rc == VG_FORBIDDEN ? N_("Your role does not allow this.") :
		   N_("The case could not be opened."));
	return rc;
}

/* "2026-11-23T10:00" (a datetime-local field, read as UTC) or "" for none. */
static int parse_due(const char *s, int64_t *out)
{
	if (!s[0]) {
		*out = 0;
		return VG_OK;
	}
	return clock_parse_minute(s, out);
}

/* A user or team name from a form or JSON to an id; "" is none. */
static int owner_ids(struct reqctx *c, const char *user, const char *team, int64_t *uid,
		     int64_t *tid)
{
	struct user_row u;
	struct team_row t;
	int rc;

	*uid = *tid = 0;
	if (user && user[0]) {
		rc = store_user_by_name(c->app->store, user, &u);
		if (rc)
			return rc == VG_NOTFOUND ? VG_INVAL : rc;
		*uid = u.id;
		user_row_release(&u);
	}
	if (team && team[0]) {
		rc = store_team_by_name(c->app->store, team, &t);
		if (rc)
			return rc == VG_NOTFOUND ? VG_INVAL : rc;
		*tid = t.id;
		team_row_release(&t);
	}
	return VG_OK;
}

/* Translates the titles of automatic tasks and adds the times for people. */
static void tasks_for_page(struct reqctx *c, json_t *tasks)
{
	char when[CLOCK_ISO_SIZE + 4];
	json_t *t;
	size_t i;

	json_array_foreach(tasks, i, t) {
		const char *kind = json_string_value(json_object_get(t, "kind"));
		json_t *due = json_object_get(t, "due_at");

		if (work_task_title(kind))
			json_object_set_new(t, "title", json_string(page_tr(c, work_task_title(kind))));
		json_object_set_new(t, "auto", json_boolean(strcmp(kind, TASK_MANUAL) != 0));
		if (json_is_integer(due)) {
			clock_human(json_integer_value(due), when);
			json_object_set_new(t, "due", json_string(when));
		}
	}
}

/* The choices of the assignment and owner selects, with `selected` marked. */
static json_t *name_options(struct reqctx *c, int teams, const char *selected)
{
	json_t *arr = json_array();
	size_t i;

	json_array_append_new(arr, json_pack("{s:s, s:s, s:b}", "value", "",
		"label", page_tr(c, N_("Nobody")), "selected", !selected || !selected[0]));
	if (teams) {
		struct team_list l = {0};

		if (!store_team_list(c->app->store, &l))
			for (i = 0; i < l.count; i++)
				if (!l.rows[i].disabled)
					json_array_append_new(arr, json_pack("{s:s, s:s, s:b}",
						"value", l.rows[i].name, "label", l.rows[i].name,
						"selected", selected && !strcmp(selected, l.rows[i].name)));
		team_list_release(&l);
	} else {
		struct member_list l = {0};

		if (!store_user_list(c->app->store, &l))
			for (i = 0; i < l.count; i++)
				if (strcmp(l.rows[i].role, "volunteer"))
					json_array_append_new(arr, json_pack("{s:s, s:s, s:b}",
						"value", l.rows[i].user_name, "label", l.rows[i].user_name,
						"selected", selected && !strcmp(selected, l.rows[i].user_name)));
		member_list_release(&l);
	}
	return arr;
}

json_t *site_case_work(struct reqctx *c, const char *case_id)
{
	json_t *w = NULL, *notes = NULL, *tasks = NULL, *assignment = NULL, *n;
	char when[CLOCK_ISO_SIZE + 4];
	int64_t overdue = 0;
	size_t i;
	json_t *t;

	if (work_notes(c->app, case_id, &notes) ||
	    work_tasks(c->app, case_id, clock_now(), &tasks) ||
	    work_assignment(c->app, case_id, &assignment))
		goto fail;
	json_array_foreach(notes, i, n) {
		clock_human(json_integer_value(json_object_get(n, "at")), when);
		json_object_set_new(n, "when", json_string(when));
	}
	tasks_for_page(c, tasks);
	json_array_foreach(tasks, i, t)
		overdue += json_is_true(json_object_get(t, "overdue"));
	w = json_pack("{s:s, s:s, s:o, s:o, s:o, s:I, s:b, s:b}", "case_id", case_id, "back", "case",
		"notes", notes, "tasks", tasks, "assignment", assignment,
		"overdue_count", (json_int_t)overdue,
		"can_work", access_allowed(&c->user, ACCESS_WORK_CASE),
		"can_assign", access_allowed(&c->user, ACCESS_ASSIGN));
	notes = tasks = NULL;
	if (!w)
		return NULL;
	json_object_set_new(w, "users", name_options(c, 0,
		json_string_value(json_object_get(assignment, "user"))));
	json_object_set_new(w, "teams", name_options(c, 1,
		json_string_value(json_object_get(assignment, "team"))));
	json_object_set_new(w, "owners", name_options(c, 0, NULL));
	json_object_set_new(w, "owner_teams", name_options(c, 1, NULL));
	return w;
fail:
	json_decref(notes);
	json_decref(tasks);
	json_decref(assignment);
	return NULL;
}

int64_t site_case_overdue(struct reqctx *c, const char *case_id)
{
	int64_t n = 0;

	if (store_task_overdue_count(c->app->store, case_id, clock_now(), &n))
		return 0;
	return n;
}

static void render_work(struct reqctx *c, const char *case_id, const char *notice)
{
	json_t *d, *w = site_case_work(c, case_id);

	if (!w) {
		page_error(c, 500, N_("The case could not be opened."));
		return;
	}
	d = page_data(c, N_("Case work"));
	json_object_set_new(w, "back", json_string("work"));
	json_object_set_new(d, "work", w);
	if (notice)
		json_object_set_new(d, "notice", json_string(page_tr(c, notice)));
	audit(c, "view_case_work", case_id, NULL);
	page_render(c, 200, "case_work", d);
}

void staff_case_work(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;

	(void)res;
	if (case_allowed(c, req->param, ACCESS_READ_CASE))
		return;
	render_work(c, req->param, NULL);
}

/*
 * Reads a staff form about the case in the path and checks CSRF and the
 * object-level access for op; VG_OK when the handler may go on.
 */
static int work_form(struct reqctx *c, struct form *f, enum access_op op)
{
	if (page_form(c, f))
		return VG_INVAL;
	if (!page_csrf_ok(c, f))
		return VG_FORBIDDEN;
	if (case_allowed(c, c->req->param, op))
		return VG_FORBIDDEN;
	return VG_OK;
}

/* After a change, back to the page the form was on: the case or its work page. */
static void back(struct reqctx *c, const struct form *f)
{
	char to[128];

	snprintf(to, sizeof(to), "/staff/cases/%s%s", c->req->param,
		 strcmp(page_field(f, "back"), "case") ? "/work" : "");
	http_redirect(c->res, to);
}

void staff_case_note(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	char id[TOKEN_ID_SIZE];
	const char *body;
	size_t len = 0;
	struct form f;
	int rc;

	(void)res;
	form_init(&f);
	if (work_form(c, &f, ACCESS_WORK_CASE))
		goto out;
	body = form_get(&f, "note", &len);
	rc = work_note_add(c->app, req->param, c->user.id, body ? body : "", len, id);
	if (rc == VG_MERGED) {
		page_merged(c, req->param);
		goto out;
	}
	if (rc) {
		page_error(c, page_status_of(rc), rc == VG_INVAL ?
			   N_("Please write something before saving.") :
			   rc == VG_TOOBIG ? N_("This is too long.") :
			   rc == VG_NOTFOUND ? N_("There is no case with this id.") :
			   N_("The note could not be saved."));
		goto out;
	}
	audit(c, "note_add", req->param, id);
	back(c, &f);
out:
	form_release(&f);
}

void staff_case_task(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	struct work_task_input in = {0};
	char id[TOKEN_ID_SIZE];
	struct form f;
	int rc;

	(void)res;
	form_init(&f);
	if (work_form(c, &f, ACCESS_WORK_CASE))
		goto out;
	in.title = page_field(&f, "title");
	rc = parse_due(page_field(&f, "due"), &in.due_at);
	if (!rc)
		rc = owner_ids(c, page_field(&f, "owner_user"), page_field(&f, "owner_team"),
			       &in.owner_user, &in.owner_team);
	if (!rc)
		rc = work_task_add(c->app, req->param, c->user.id, &in, id);
	if (rc == VG_MERGED) {
		page_merged(c, req->param);
		goto out;
	}
	if (rc) {
		page_error(c, page_status_of(rc), rc == VG_INVAL ?
			   N_("A task needs a title on one line, a valid due time and an owner who exists.") :
			   rc == VG_TOOBIG ? N_("This is too long.") :
			   rc == VG_NOTFOUND ? N_("There is no case with this id.") :
			   N_("The task could not be saved."));
		goto out;
	}
	audit(c, "task_add", req->param, id);
	back(c, &f);
out:
	form_release(&f);
}

void staff_case_task_done(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	const char *task;
	struct form f;
	int rc, done;

	(void)res;
	form_init(&f);
	if (work_form(c, &f, ACCESS_WORK_CASE))
		goto out;
	task = page_field(&f, "task");
	done = strcmp(page_field(&f, "done"), "0") != 0;
	rc = work_task_set_done(c->app, req->param, task, done, c->user.id);
	if (rc) {
		page_error(c, page_status_of(rc), rc == VG_NOTFOUND ?
			   N_("This case has no such task.") : N_("The task could not be changed."));
		goto out;
	}
	audit(c, done ? "task_done" : "task_reopen", req->param, task);
	back(c, &f);
out:
	form_release(&f);
}

void staff_case_assign(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	const char *user, *team;
	char detail[160];
	struct form f;
	int rc;

	(void)res;
	form_init(&f);
	if (work_form(c, &f, ACCESS_ASSIGN))
		goto out;
	user = page_field(&f, "user");
	team = page_field(&f, "team");
	rc = work_assign(c->app, req->param, c->user.id, user, team);
	if (rc) {
		page_error(c, page_status_of(rc), rc == VG_INVAL ?
			   N_("There is no such user or team.") :
			   rc == VG_NOTFOUND ? N_("There is no case with this id.") :
			   N_("The assignment could not be saved."));
		goto out;
	}
	snprintf(detail, sizeof(detail), "user=%.64s team=%.64s", user, team);
	audit(c, "case_assign", req->param, detail);
	back(c, &f);
out:
	form_release(&f);
}

/* The user's open tasks on the cases they may read. */
static int my_tasks(struct reqctx *c, json_t **out)
{
	json_t *all = NULL, *mine, *t;
	size_t i;
	int rc = work_tasks_mine(c->app, c->user.id, clock_now(), &all);

	if (rc)
		return rc;
	mine = json_array();
	json_array_foreach(all, i, t) {
		const char *case_id = json_string_value(json_object_get(t, "case_id"));

		if (!access_case_listed(c->app, &c->user, case_id))
			continue;
		json_object_set_new(t, "can_work", json_boolean(!access_case(c->app, &c->user,
			case_id, ACCESS_WORK_CASE)));
		json_array_append(mine, t);
	}
	json_decref(all);
	*out = mine;
	return VG_OK;
}

void staff_tasks(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	json_t *d, *tasks;
	int64_t overdue = 0;
	size_t i;
	json_t *t;

	(void)req;
	(void)res;
	if (my_tasks(c, &tasks)) {
		page_error(c, 500, N_("The tasks could not be loaded."));
		return;
	}
	tasks_for_page(c, tasks);
	json_array_foreach(tasks, i, t)
		overdue += json_is_true(json_object_get(t, "overdue"));
	d = page_data(c, N_("My tasks"));
	json_object_set_new(d, "list", json_true());
	json_object_set_new(d, "back", json_string("work"));
	json_object_set_new(d, "tasks", tasks);
	json_object_set_new(d, "overdue_count", json_integer(overdue));
	json_object_set_new(d, "can_manage_teams",
			    json_boolean(access_allowed(&c->user, ACCESS_MANAGE_TEAMS)));
	audit(c, "view_tasks", NULL, NULL);
	page_render(c, 200, "case_work_tasks", d);
}

static void render_teams(struct reqctx *c, const char *notice)
{
	json_t *d, *teams = NULL;

	json_t *t;
	size_t i;

	if (work_teams(c->app, &teams)) {
		page_error(c, 500, N_("The teams could not be loaded."));
		return;
	}
	/* The member rows' remove forms name their team from an outer scope. */
	json_array_foreach(teams, i, t)
		json_object_set(t, "team_name", json_object_get(t, "name"));
	d = page_data(c, N_("Teams"));
	json_object_set_new(d, "teams", teams);
	json_object_set_new(d, "users", name_options(c, 0, NULL));
	if (notice)
		json_object_set_new(d, "notice", json_string(page_tr(c, notice)));
	audit(c, "view_teams", NULL, NULL);
	page_render(c, 200, "case_work_teams", d);
}

void staff_teams(void *ctx, struct http_request *req, struct http_response *res)
{
	(void)req;
	(void)res;
	render_teams(ctx, NULL);
}

void staff_team_create(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	const char *name, *kind;
	struct form f;
	int rc;

	(void)req;
	(void)res;
	form_init(&f);
	if (page_form(c, &f))
		return;
	if (!page_csrf_ok(c, &f))
		goto out;
	name = page_field(&f, "name");
	kind = page_field(&f, "kind");
	rc = work_team_add(c->app, name, kind[0] ? kind : "staff", NULL);
	if (rc) {
		page_error(c, rc == VG_EXISTS ? 409 : page_status_of(rc), rc == VG_EXISTS ?
			   N_("There is already a team with this name.") : rc == VG_INVAL ?
			   N_("A team name is 1 to 64 letters, digits, spaces, dots, dashes or underscores.") :
			   N_("The team could not be created."));
		goto out;
	}
	audit(c, "team_add", name, kind[0] ? kind : "staff");
	render_teams(c, N_("The team was created."));
out:
	form_release(&f);
}

void staff_team_member(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	const char *team, *user;
	struct form f;
	int rc, add;

	(void)req;
	(void)res;
	form_init(&f);
	if (page_form(c, &f))
		return;
	if (!page_csrf_ok(c, &f))
		goto out;
	team = page_field(&f, "team");
	user = page_field(&f, "user");
	add = strcmp(page_field(&f, "action"), "remove") != 0;
	rc = work_team_member(c->app, team, user, add, page_field(&f, "agency"));
	if (rc) {
		page_error(c, rc == VG_EXISTS ? 409 : page_status_of(rc), rc == VG_INVAL ?
			   N_("There is no such team or user.") : rc == VG_EXISTS ?
			   N_("This user is already a member of the team.") : rc == VG_NOTFOUND ?
			   N_("This user is not a member of the team.") :
			   N_("The team could not be changed."));
		goto out;
	}
	audit(c, add ? "team_member_add" : "team_member_remove", team, user);
	render_teams(c, add ? N_("The member was added.") : N_("The member was removed."));
out:
	form_release(&f);
}

/* The JSON API */

static void api_fail(struct reqctx *c, int rc, const char *what)
{
	int status = rc == VG_EXISTS ? 409 : page_status_of(rc);

	api_error(c, status, rc == VG_INVAL ? "invalid" : rc == VG_NOTFOUND ? "not_found" :
		  rc == VG_TOOBIG ? "too_large" : rc == VG_EXISTS ? "exists" :
		  rc == VG_FORBIDDEN ? "forbidden" : "internal", what);
}

/* Reads the body's members: each of keys is an optional string. */
static int api_strings(struct reqctx *c, json_t *j, const char *const *keys, size_t n,
		       const char **out)
{
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach(j, key, v) {
		for (i = 0; i < n && strcmp(key, keys[i]); i++)
			;
		if (i == n) {
			api_error(c, 422, "unknown_member", key);
			return VG_INVAL;
		}
		if (!json_is_string(v) && !json_is_null(v) &&
		    !(json_is_integer(v) && !strcmp(key, "due_at")) &&
		    !(json_is_boolean(v) && !strcmp(key, "done"))) {
			api_error(c, 422, "wrong_type", key);
			return VG_INVAL;
		}
		out[i] = json_string_value(v);
	}
	return VG_OK;
}

void api_case_notes(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	json_t *notes;
	int rc;

	(void)res;
	if (case_allowed(c, req->param, ACCESS_READ_CASE))
		return;
	rc = work_notes(c->app, req->param, &notes);
	if (rc) {
		api_fail(c, rc, "the notes could not be read");
		return;
	}
	audit(c, "view_notes", req->param, "api");
	api_json(c, 200, json_pack("{s:o}", "notes", notes));
}

void api_case_note_add(void *ctx, struct http_request *req, struct http_response *res)
{
	static const char *const keys[] = {"body"};
	struct reqctx *c = ctx;
	const char *v[1] = {NULL};
	char id[TOKEN_ID_SIZE];
	json_t *j;
	int rc;

	(void)res;
	if (case_allowed(c, req->param, ACCESS_WORK_CASE) || api_body(c, &j))
		return;
	if (!api_strings(c, j, keys, 1, v)) {
		rc = work_note_add(c->app, req->param, c->user.id, v[0] ? v[0] : "",
				   v[0] ? strlen(v[0]) : 0, id);
		if (rc == VG_MERGED) {
			page_merged(c, req->param);
		} else if (rc) {
			api_fail(c, rc, rc == VG_INVAL ? "body must be non-empty text" :
				 "the note could not be saved");
		} else {
			audit(c, "note_add", req->param, id);
			api_json(c, 201, json_pack("{s:s}", "id", id));
		}
	}
	json_decref(j);
}

void api_case_tasks(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	json_t *tasks;
	int rc;

	(void)res;
	if (case_allowed(c, req->param, ACCESS_READ_CASE))
		return;
	rc = work_tasks(c->app, req->param, clock_now(), &tasks);
	if (rc) {
		api_fail(c, rc, "the tasks could not be read");
		return;
	}
	audit(c, "view_tasks", req->param, "api");
	api_json(c, 200, json_pack("{s:o}", "tasks", tasks));
}

void api_case_task_add(void *ctx, struct http_request *req, struct http_response *res)
{
	static const char *const keys[] = {"title", "due_at", "owner_user", "owner_team"};
	struct reqctx *c = ctx;
	struct work_task_input in = {0};
	const char *v[4] = {NULL};
	char id[TOKEN_ID_SIZE];
	json_t *j, *due;
	int rc;

	(void)res;
	if (case_allowed(c, req->param, ACCESS_WORK_CASE) || api_body(c, &j))
		return;
	if (api_strings(c, j, keys, 4, v))
		goto out;
	due = json_object_get(j, "due_at");
	if (due && !json_is_null(due) && (!json_is_integer(due) || json_integer_value(due) <= 0)) {
		api_error(c, 422, "invalid", "due_at must be unix seconds");
		goto out;
	}
	in.title = v[0];
	in.due_at = json_is_integer(due) ? json_integer_value(due) : 0;
	rc = owner_ids(c, v[2], v[3], &in.owner_user, &in.owner_team);
	if (!rc)
		rc = work_task_add(c->app, req->param, c->user.id, &in, id);
	if (rc == VG_MERGED) {
		page_merged(c, req->param);
		goto out;
	}
	if (rc) {
		api_fail(c, rc, rc == VG_INVAL ? "a task needs a one-line title and owners that exist" :
			 "the task could not be saved");
		goto out;
	}
	audit(c, "task_add", req->param, id);
	api_json(c, 201, json_pack("{s:s}", "id", id));
out:
	json_decref(j);
}

void api_case_task_done(void *ctx, struct http_request *req, struct http_response *res)
{
	static const char *const keys[] = {"task", "done"};
	struct reqctx *c = ctx;
	const char *v[2] = {NULL};
	json_t *j, *done;
	int rc;

	(void)res;
	if (case_allowed(c, req->param, ACCESS_WORK_CASE) || api_body(c, &j))
		return;
	if (api_strings(c, j, keys, 2, v))
		goto out;
	done = json_object_get(j, "done");
	if (!v[0] || !json_is_boolean(done)) {
		api_error(c, 422, "invalid", "task (an id) and done (true or false) are required");
		goto out;
	}
	rc = work_task_set_done(c->app, req->param, v[0], json_is_true(done), c->user.id);
	if (rc) {
		api_fail(c, rc, rc == VG_NOTFOUND ? "this case has no such task" :
			 "the task could not be changed");
		goto out;
	}
	audit(c, json_is_true(done) ? "task_done" : "task_reopen", req->param, v[0]);
	api_json(c, 200, json_pack("{s:s, s:b}", "id", v[0], "done", json_is_true(done)));
out:
	json_decref(j);
}

void api_case_assignment(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	json_t *a;
	int rc;

	(void)res;
	if (case_allowed(c, req->param, ACCESS_READ_CASE))
		return;
	rc = work_assignment(c->app, req->param, &a);
	if (rc) {
		api_fail(c, rc, "the assignment could not be read");
		return;
	}
	audit(c, "view_assignment", req->param, "api");
	api_json(c, 200, a);
}

void api_case_assign(void *ctx, struct http_request *req, struct http_response *res)
{
	static const char *const keys[] = {"user", "team"};
	struct reqctx *c = ctx;
	const char *v[2] = {NULL};
	char detail[160];
	json_t *j, *a;
	int rc;

	(void)res;
	if (case_allowed(c, req->param, ACCESS_ASSIGN) || api_body(c, &j))
		return;
	if (api_strings(c, j, keys, 2, v))
		goto out;
	rc = work_assign(c->app, req->param, c->user.id, v[0], v[1]);
	if (!rc)
		rc = work_assignment(c->app, req->param, &a);
	if (rc) {
		api_fail(c, rc, rc == VG_INVAL ? "there is no such user or team" :
			 "the assignment could not be saved");
		goto out;
	}
	snprintf(detail, sizeof(detail), "user=%.64s team=%.64s", v[0] ? v[0] : "",
		 v[1] ? v[1] : "");
	audit(c, "case_assign", req->param, detail);
	api_json(c, 200, a);
out:
	json_decref(j);
}

void api_tasks_mine(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	json_t *tasks;

	(void)req;
	(void)res;
	if (my_tasks(c, &tasks)) {
		api_error(c, 500, "internal", "the tasks could not be read");
		return;
	}
	audit(c, "view_tasks", NULL, "api");
	api_json(c, 200, json_pack("{s:o}", "tasks", tasks));
}

void api_team_create(void *ctx, struct http_request *req, struct http_response *res)
{
	static const char *const keys[] = {"name", "kind"};
	struct reqctx *c = ctx;
	const char *v[2] = {NULL};
	const char *kind;
	int64_t id = 0;
	json_t *j;
	int rc;

	(void)req;
	(void)res;
	if (api_body(c, &j))
		return;
	if (api_strings(c, j, keys, 2, v))
		goto out;
	kind = v[1] ? v[1] : "staff";
	rc = work_team_add(c->app, v[0], kind, &id);
	if (rc) {
		api_fail(c, rc, rc == VG_EXISTS ? "there is already a team with this name" :
			 rc == VG_INVAL ? "name is 1-64 letters, digits, spaces, '.', '_' or '-'; "
			 "kind staff or mdt" : "the team could not be created");
		goto out;
	}
	audit(c, "team_add", v[0], kind);
	api_json(c, 201, json_pack("{s:I}", "id", (json_int_t)id));
out:
	json_decref(j);
}

void api_team_member(void *ctx, struct http_request *req, struct http_response *res)
{
	static const char *const keys[] = {"team", "user", "agency", "action"};
	struct reqctx *c = ctx;
	const char *v[4] = {NULL};
	json_t *j;
	int rc, add;

	(void)req;
	(void)res;
	if (api_body(c, &j))
		return;
	if (api_strings(c, j, keys, 4, v))
		goto out;
	if (v[3] && strcmp(v[3], "add") && strcmp(v[3], "remove")) {
		api_error(c, 422, "invalid", "action is add or remove");
		goto out;
	}
	add = !v[3] || !strcmp(v[3], "add");
	rc = work_team_member(c->app, v[0], v[1], add, v[2]);
	if (rc) {
		api_fail(c, rc, rc == VG_INVAL ? "there is no such team or user" :
			 rc == VG_EXISTS ? "already a member" : rc == VG_NOTFOUND ?
			 "not a member" : "the team could not be changed");
		goto out;
	}
	audit(c, add ? "team_member_add" : "team_member_remove", v[0], v[1]);
	api_json(c, 200, json_pack("{s:s, s:s, s:b}", "team", v[0], "user", v[1], "member", add));
out:
	json_decref(j);
}

void api_teams(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	json_t *teams;

	(void)req;
	(void)res;
	if (work_teams(c->app, &teams)) {
		api_error(c, 500, "internal", "the teams could not be read");
		return;
	}
	audit(c, "view_teams", NULL, "api");
	api_json(c, 200, json_pack("{s:o}", "teams", teams));
}

/*
 * work.c - assignment, teams, notes and tasks (work.h). Sealing happens
 * here, storage in store/work.c, and each change also goes to the case's
 * history through store/cases.h.
 */
#include "base/compat.h"
#include "app/work.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/text.h"
#include "crypto/seal.h"
#include "store/cases.h"
#include "web/i18n.h"

static int seal_text(struct app *app, const char *table, const char *column, const char *id,
		     const char *text, size_t len, struct sealed *out)
{
	char ad[96];

	snprintf(ad, sizeof(ad), "%s/%s/%s", table, column, id);
	return seal_encrypt(&app->keys, ad, text, len, &out->data, &out->len);
}

static int open_text(struct app *app, const char *table, const char *column, const char *id,
		     const struct sealed *in, char **out)
{
	char ad[96];
	size_t len;

	snprintf(ad, sizeof(ad), "%s/%s/%s", table, column, id);
	return seal_decrypt(&app->keys, ad, in->data, in->len, out, &len);
}

/* 1 when s holds something other than spaces and line breaks. */
static int has_text(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return 1;
	return 0;
}

/* Staff's free text: VG_INVAL when empty or not clean UTF-8, VG_TOOBIG past max. */
static int check_free_text(const char *s, size_t len, size_t max, int one_line)
{
	int rc;

	if (!s || !has_text(s, len))
		return VG_INVAL;
	rc = one_line ? text_check_line(s, len, max) : text_check(s, len, max);
	return rc == VG_UTF8 ? VG_INVAL : rc;
}

/* The case's history gets ids only; a failure there does not undo the change. */
static void history(struct app *app, const char *case_id, int64_t user_id, const char *kind,
		    const char *detail)
{
	int rc = store_case_event_add(app->store, case_id, user_id, kind, NULL, detail,
				      clock_now());

	if (rc)
		log_warn("case %s: history entry %s not recorded: %s", case_id, kind,
			 vg_strerror(rc));
}

int work_task_overdue(const struct task_row *t, int64_t now)
{
	return !t->done_at && t->due_at && t->due_at < now;
}

const char *work_task_title(const char *kind)
{
	if (!strcmp(kind, TASK_CRISIS))
		return N_("Respond within 24 hours (crisis tip)");
	if (!strcmp(kind, TASK_CSE))
		return N_("Refer to the child-exploitation team (a minor is involved)");
	return NULL;
}

/* Notes */

int work_note_add(struct app *app, const char *case_id, int64_t user_id, const char *body,
		  size_t len, char id_out[TOKEN_ID_SIZE])
{
	struct note_row n = {0};
	char id[TOKEN_ID_SIZE];
	int64_t count;
	int rc;

	rc = check_free_text(body, len, WORK_NOTE_MAX, 0);
	if (rc)
		return rc;
	rc = store_note_count(app->store, case_id, &count);
	if (rc)
		return rc;
	if (count >= WORK_NOTES_MAX)
		return VG_TOOBIG;
	token_id(id);
	n.id = id;
	n.case_id = (char *)case_id;
	n.created_at = clock_now();
	n.user_id = user_id;
	rc = seal_text(app, "notes", "body", id, body, len, &n.body);
	if (rc)
		return rc;
	rc = store_note_insert(app->store, &n);
	free(n.body.data);
	if (rc)
		return rc;
	history(app, case_id, user_id, "note_added", id);
	memcpy(id_out, id, TOKEN_ID_SIZE);
	return VG_OK;
}

int work_notes(struct app *app, const char *case_id, json_t **out)
{
	struct note_list l = {0};
	json_t *arr = NULL;
	char *body = NULL;
	size_t i;
	int rc;

	rc = store_note_list(app->store, case_id, &l);
	if (rc)
		return rc;
	arr = json_array();
	if (!arr) {
		rc = VG_NOMEM;
		goto out;
	}
	for (i = 0; i < l.count; i++) {
		struct note_row *n = &l.rows[i];

		rc = open_text(app, "notes", "body", n->id, &n->body, &body);
		if (rc) {
			log_error("note %s does not open: %s", n->id, vg_strerror(rc));
			goto out;
		}
		if (json_array_append_new(arr, json_pack("{s:s, s:I, s:s, s:s}", "id", n->id,
				"at", (json_int_t)n->created_at, "author", n->author,
				"body", body))) {
			rc = VG_NOMEM;
			goto out;
		}
		free(body);
		body = NULL;
	}
	*out = arr;
	arr = NULL;
out:
	free(body);
	json_decref(arr);
	note_list_release(&l);
	return rc;
}

/* Tasks */

int work_task_add(struct app *app, const char *case_id, int64_t user_id,
		  const struct work_task_input *in, char id_out[TOKEN_ID_SIZE])
{
	struct task_row t = {0};
	struct task_list existing = {0};
	char id[TOKEN_ID_SIZE];
	size_t len = in->title ? strlen(in->title) : 0;
	int rc;

	rc = check_free_text(in->title, len, WORK_TITLE_MAX, 1);
	if (rc)
		return rc;
	if (in->due_at < 0 || in->owner_user < 0 || in->owner_team < 0)
		return VG_INVAL;
	rc = store_task_list(app->store, case_id, &existing);
	if (rc)
		return rc;
	rc = existing.count >= WORK_TASKS_MAX ? VG_TOOBIG : VG_OK;
	task_list_release(&existing);
	if (rc)
		return rc;
	token_id(id);
	t.id = id;
	t.case_id = (char *)case_id;
	t.kind = (char *)TASK_MANUAL;
	t.created_at = clock_now();
	t.created_by = user_id;
	t.due_at = in->due_at;
	t.owner_user = in->owner_user;
	t.owner_team = in->owner_team;
	rc = seal_text(app, "tasks", "title", id, in->title, len, &t.title);
	if (rc)
		return rc;
	rc = store_task_insert(app->store, &t);
	free(t.title.data);
	if (rc)
		return rc;
	history(app, case_id, user_id, "task_added", id);
	memcpy(id_out, id, TOKEN_ID_SIZE);
	return VG_OK;
}

int work_task_set_done(struct app *app, const char *case_id, const char *task_id, int done,
		       int64_t user_id)
{
	int rc = store_task_set_done(app->store, case_id, task_id, done, clock_now(), user_id);

	if (!rc)
		history(app, case_id, user_id, done ? "task_done" : "task_reopened", task_id);
	return rc;
}

static json_t *task_json(struct app *app, const struct task_row *t, int64_t now)
{
	const char *auto_title = work_task_title(t->kind);
	char *title = NULL;
	json_t *j;

	if (!auto_title && open_text(app, "tasks", "title", t->id, &t->title, &title)) {
		log_error("task %s does not open", t->id);
		return NULL;
	}
	j = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:b, s:o, s:b, s:I}",
		"id", t->id, "case_id", t->case_id, "kind", t->kind,
		"title", auto_title ? auto_title : title,
		"due_at", t->due_at ? json_integer(t->due_at) : json_null(),
		"owner_user", t->owner_user_name[0] ? json_string(t->owner_user_name) : json_null(),
		"owner_team", t->owner_team_name[0] ? json_string(t->owner_team_name) : json_null(),
		"done", t->done_at != 0,
		"done_at", t->done_at ? json_integer(t->done_at) : json_null(),
		"overdue", work_task_overdue(t, now),
		"created_at", (json_int_t)t->created_at);
	free(title);
	return j;
}

static int tasks_json(struct app *app, const struct task_list *l, int64_t now, json_t **out)
{
	json_t *arr = json_array();
	size_t i;

	if (!arr)
		return VG_NOMEM;
	for (i = 0; i < l->count; i++) {
		json_t *t = task_json(app, &l->rows[i], now);

		if (!t || json_array_append_new(arr, t)) {
			json_decref(arr);
			return t ? VG_NOMEM : VG_CRYPTO;
		}
	}
	*out = arr;
	return VG_OK;
}

int work_tasks(struct app *app, const char *case_id, int64_t now, json_t **out)
{
	struct task_list l = {0};
	int rc = store_task_list(app->store, case_id, &l);

	if (!rc)
		rc = tasks_json(app, &l, now, out);
	task_list_release(&l);
	return rc;
}

int work_tasks_mine(struct app *app, int64_t user_id, int64_t now, json_t **out)
{
	struct task_list l = {0};
	int rc = store_task_mine(app->store, user_id, WORK_MINE_MAX, &l);

	if (!rc)
		rc = tasks_json(app, &l, now, out);
	task_list_release(&l);
	return rc;
}

/* Automatic tasks */

/* 1 when the tip's sealed screening says a minor is involved. */
static int tip_minor(struct app *app, const struct work_tip *t)
{
	json_t *result, *minor;
	char *text = NULL;
	int yes;

	if (!t->screening.data)
		return 0;
	if (open_text(app, "tips", "screening", t->id, &t->screening, &text)) {
		log_error("tip %s: the screening does not open", t->id);
		return 0;
	}
	result = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	free(text);
	minor = json_object_get(json_object_get(result, "elements"), "minor");
	yes = json_is_true(minor);
	json_decref(result);
	return yes;
}

static int start_auto(struct app *app, const char *case_id, const struct work_tip *tip,
		      const char *kind, int64_t due_at, int *created)
{
	struct task_row t = {0};
	char id[TOKEN_ID_SIZE];
	int made = 0, rc;

	token_id(id);
	t.id = id;
	t.case_id = (char *)case_id;
	t.kind = (char *)kind;
	t.created_at = clock_now();
	t.due_at = due_at;
	t.tip_id = tip->id;
	rc = store_task_auto(app->store, &t, &made);
	if (rc || !made)
		return rc;
	(*created)++;
	history(app, case_id, 0, "task_added", id);
	app_audit_derived(app, "task_auto", case_id, kind);
	return VG_OK;
}

/* The automatic tasks tip t of case case_id calls for; minor: its screening found a minor. */
static int auto_tip(struct app *app, const char *case_id, const struct work_tip *t, int minor,
		    int *n)
{
	int rc = VG_OK;

	if (!strcmp(t->urgency, "crisis"))
		rc = start_auto(app, case_id, t, TASK_CRISIS, t->created_at + WORK_CRISIS_DUE, n);
	if (!rc && minor)
		rc = start_auto(app, case_id, t, TASK_CSE, 0, n);
	if (!rc && t->screening.data)
		rc = store_task_checked(app->store, t->id);
	return rc;
}

int work_auto_tasks(struct app *app, const char *case_id, int *created)
{
	struct work_tip_list tips = {0};
	int n = 0, rc;
	size_t i;

	rc = store_work_tips(app->store, case_id, &tips);
	for (i = 0; !rc && i < tips.count; i++) {
		const struct work_tip *t = &tips.rows[i];

		rc = auto_tip(app, case_id, t, tip_minor(app, t), &n);
	}
	work_tip_list_release(&tips);
	if (!rc && created)
		*created = n;
	return rc;
}

int work_auto_backlog(struct app *app, int64_t *cases)
{
	char **ids = NULL;
	size_t n = 0, i;
	int64_t done = 0;
	int rc;

	do {
		rc = store_work_backlog(app->store, WORK_BACKLOG_BATCH, &ids, &n);
		if (rc)
			break;
		for (i = 0; i < n; i++) {
			if (!rc)
				rc = work_auto_tasks(app, ids[i], NULL);
			free(ids[i]);
		}
		free(ids);
		ids = NULL;
		done += (int64_t)n;
	} while (!rc && n == WORK_BACKLOG_BATCH);
	if (!rc)
		*cases = done;
	return rc;
}

void work_tip_screened(struct app *app, const char *tip_id)
{
	char *case_id = NULL;
	int rc = store_tip_case(app->store, tip_id, &case_id);

	if (!rc)
		rc = work_auto_tasks(app, case_id, NULL);
	if (rc && rc != VG_NOTFOUND)
		log_error("tip %s: automatic tasks not started: %s", tip_id, vg_strerror(rc));
	free(case_id);
}

void work_new_tip(struct app *app, const char *case_id, const struct tip_row *row,
		  const json_t *result)
{
	struct work_tip t = {
		.id = row->id,
		.created_at = row->created_at,
		.urgency = row->urgency ? row->urgency : (char *)"",
		.screening = row->screening,
	};
	int n = 0, minor = json_is_true(json_object_get(json_object_get(result, "elements"),
							"minor"));
	int rc = auto_tip(app, case_id, &t, minor, &n);

	if (rc)
		log_error("tip %s: automatic tasks not started: %s", row->id, vg_strerror(rc));
}

/* Assignment */

static int user_id_of(struct app *app, const char *name, int64_t *out)
{
	struct user_row u;
	int rc;

	if (!name || !name[0]) {
		*out = 0;
		return VG_OK;
	}
	rc = store_user_by_name(app->store, name, &u);
	if (rc)
		return rc == VG_NOTFOUND ? VG_INVAL : rc;
	rc = u.disabled ? VG_INVAL : VG_OK;
	if (!rc)
		*out = u.id;
	user_row_release(&u);
	return rc;
}

static int team_id_of(struct app *app, const char *name, int64_t *out)
{
	struct team_row t;
	int rc;

	if (!name || !name[0]) {
		*out = 0;
		return VG_OK;
	}
	rc = store_team_by_name(app->store, name, &t);
	if (rc)
		return rc == VG_NOTFOUND ? VG_INVAL : rc;
	rc = t.disabled ? VG_INVAL : VG_OK;
	if (!rc)
		*out = t.id;
	team_row_release(&t);
	return rc;
}

int work_assign(struct app *app, const char *case_id, int64_t by, const char *user_name,
		const char *team_name)
{
	struct assignment a = {0};
	char detail[64];
	int rc;

	rc = user_id_of(app, user_name, &a.user_id);
	if (!rc)
		rc = team_id_of(app, team_name, &a.team_id);
	if (!rc)
		rc = store_case_assign(app->store, case_id, &a, clock_now());
	if (rc)
		return rc;
	snprintf(detail, sizeof(detail), "user=%" PRId64 " team=%" PRId64, a.user_id, a.team_id);
	history(app, case_id, by, "assigned", detail);
	return VG_OK;
}

int work_assignment(struct app *app, const char *case_id, json_t **out)
{
	struct assignment a;
	struct user_row u = {0};
	struct team_row t = {0};
	int rc, have_user = 0, have_team = 0;
	json_t *j;

	rc = store_case_assignment(app->store, case_id, &a);
	if (!rc && a.user_id) {
		rc = store_user_by_id(app->store, a.user_id, &u);
		have_user = !rc;
	}
	if (!rc && a.team_id) {
		rc = store_team_by_id(app->store, a.team_id, &t);
		have_team = !rc;
	}
	if (rc)
		goto out;
	j = json_pack("{s:o, s:o, s:I, s:I}",
		"user", have_user ? json_string(u.name) : json_null(),
		"team", have_team ? json_string(t.name) : json_null(),
		"user_id", (json_int_t)a.user_id, "team_id", (json_int_t)a.team_id);
	if (!j) {
		rc = VG_NOMEM;
		goto out;
	}
	*out = j;
out:
	if (have_user)
		user_row_release(&u);
	if (have_team)
		team_row_release(&t);
	return rc;
}

/* Teams */

static int team_name_valid(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > WORK_TEAM_NAME_MAX || name[0] == ' ' || name[n - 1] == ' ')
		return 0;
	for (i = 0; i < n; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-' || ch == ' '))
			return 0;
	}
	return 1;
}

int work_team_add(struct app *app, const char *name, const char *kind, int64_t *id_out)
{
	if (!name || !team_name_valid(name) || !kind ||
	    (strcmp(kind, "staff") && strcmp(kind, "mdt")))
		return VG_INVAL;
	return store_team_insert(app->store, name, kind, clock_now(), id_out);
}

int work_team_member(struct app *app, const char *team_name, const char *user_name,
		     int add, const char *agency)
{
	int64_t team = 0, user = 0;
	int rc;

	if (!team_name || !team_name[0] || !user_name || !user_name[0])
		return VG_INVAL;
	if (agency && text_check_line(agency, strlen(agency), 200))
		return VG_INVAL;
	rc = team_id_of(app, team_name, &team);
	if (!rc)
		rc = user_id_of(app, user_name, &user);
	if (rc)
		return rc;
	if (add)
		return store_team_member_add(app->store, team, user, agency, clock_now());
	return store_team_member_remove(app->store, team, user);
}

int work_teams(struct app *app, json_t **out)
{
	struct team_list teams = {0};
	json_t *arr = NULL;
	size_t i, j;
	int rc;

	rc = store_team_list(app->store, &teams);
	if (rc)
		return rc;
	arr = json_array();
	for (i = 0; !rc && i < teams.count; i++) {
		struct member_list m = {0};
		json_t *members = json_array();

		rc = store_team_members(app->store, teams.rows[i].id, &m);
		for (j = 0; !rc && j < m.count; j++)
			json_array_append_new(members, json_pack("{s:I, s:s, s:s, s:s}",
				"id", (json_int_t)m.rows[j].user_id, "name", m.rows[j].user_name,
				"role", m.rows[j].role, "agency", m.rows[j].agency));
		member_list_release(&m);
		if (!rc && json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:b, s:o}",
				"id", (json_int_t)teams.rows[i].id, "name", teams.rows[i].name,
				"kind", teams.rows[i].kind, "disabled", teams.rows[i].disabled,
				"members", members)))
			rc = VG_NOMEM;
		else if (rc)
			json_decref(members);
	}
	team_list_release(&teams);
	if (rc) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return VG_OK;
}

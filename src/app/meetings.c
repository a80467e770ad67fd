#include "base/compat.h"
#include "app/meetings.h"
#include "app/access.h"
#include "base/clock.h"
#include "base/files.h"
#include "base/log.h"
#include "base/text.h"
#include "crypto/seal.h"
#include "store/meetings.h"

/* The safety-status file is a short picklist: anything longer is a mistake. */
#define SAFETY_FILE_MAX (64 * 1024)
#define AD_MAX 96

static int slug_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

/* Reads one "slug<TAB>label<TAB>source" line into e; VG_INVAL when malformed. */
static int safety_line(const char *line, size_t len, struct safety_status *e)
{
	const char *tab = memchr(line, '\t', len), *tab2;
	size_t slen, llen;

	if (!tab)
		return VG_INVAL;
	slen = (size_t)(tab - line);
	tab2 = memchr(tab + 1, '\t', len - slen - 1);
	llen = tab2 ? (size_t)(tab2 - tab - 1) : len - slen - 1;
	if (!slug_ok(line, slen) || slen >= sizeof(e->slug) || llen == 0 ||
	    llen >= sizeof(e->label) || text_check_line(tab + 1, llen, sizeof(e->label)))
		return VG_INVAL;
	memcpy(e->slug, line, slen);
	e->slug[slen] = '\0';
	memcpy(e->label, tab + 1, llen);
	e->label[llen] = '\0';
	return VG_OK;
}

int meeting_safety_load(const char *dir, struct safety_list *out)
{
	struct safety_list l = { .n = 0 };
	struct file_set fs;
	char path[4096], err[512];
	const char *p, *end;
	int rc, header = 1, lineno = 0;

	file_set_init(&fs);
	snprintf(path, sizeof(path), "%s/%s", dir, MEETING_SAFETY_FILE);
	rc = file_set_add(&fs, path, SAFETY_FILE_MAX, err, sizeof(err));
	if (rc) {
		log_error("%s", err);
		goto out;
	}
	for (p = fs.v[0].text, end = p + fs.v[0].len; p < end; ) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *next = nl ? nl + 1 : end;
		size_t len = (size_t)((nl ? nl : end) - p);

		lineno++;
		if (len && p[len - 1] == '\r')
			len--;
		if (len && p[0] != '#') {
			if (header) {
				header = 0;
			} else if (l.n == SAFETY_STATUS_MAX || safety_line(p, len, &l.v[l.n]) ||
				   meeting_safety_find(&l, l.v[l.n].slug)) {
				log_error("%s:%d: a status is slug, label and source, once each "
					  "(at most %d)", path, lineno, SAFETY_STATUS_MAX);
				rc = VG_INVAL;
				goto out;
			} else {
				l.n++;
			}
		}
		p = next;
	}
	if (!meeting_safety_find(&l, "unknown")) {
		log_error("%s: the status \"unknown\" is missing", path);
		rc = VG_INVAL;
		goto out;
	}
	*out = l;
out:
	file_set_release(&fs);
	return rc;
}

const struct safety_status *meeting_safety_find(const struct safety_list *l, const char *slug)
{
	size_t i;

	for (i = 0; slug && i < l->n; i++)
		if (!strcmp(l->v[i].slug, slug))
			return &l->v[i];
	return NULL;
}

int meeting_status_valid(const char *status)
{
	return status && (!strcmp(status, "scheduled") || !strcmp(status, "held") ||
			  !strcmp(status, "cancelled"));
}

/* A one-line field of 1..max bytes (0..max when it may be empty). */
static int line_ok(const char *s, int may_be_empty)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0)
		return may_be_empty;
	return !text_check_line(s, n, MEETING_LINE_MAX);
}

static int text_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n == 0 || !text_check(s, n, MEETING_TEXT_MAX);
}

/* Seals obj as JSON under ad; obj is released. */
static int seal_json(struct app *app, const char *ad, json_t *obj, struct sealed *out)
{
	char *text = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
	int rc;

	json_decref(obj);
	if (!text)
		return VG_NOMEM;
	rc = seal_encrypt(&app->keys, ad, text, strlen(text), &out->data, &out->len);
	free(text);
	return rc;
}

/* Opens a sealed JSON object; an absent value opens as an empty object. */
static int open_json(struct app *app, const char *ad, const struct sealed *v, json_t **out)
{
	char *text = NULL;
	size_t len;
	json_t *j;
	int rc;

	if (!v->data) {
		*out = json_object();
		return *out ? VG_OK : VG_NOMEM;
	}
	rc = seal_decrypt(&app->keys, ad, v->data, v->len, &text, &len);
	if (rc)
		return rc;
	j = json_loadb(text, len, 0, NULL);
	free(text);
	if (!json_is_object(j)) {
		json_decref(j);
		return VG_CRYPTO;
	}
	*out = j;
	return VG_OK;
}

/* The string member key of obj, "" when absent. */
static const char *member(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

static void audit(struct app *app, const struct auth_user *u, const char *action,
		  const char *object, const char *detail)
{
	app_audit(app, u->id, action, object, detail);
}

static int may_manage(const struct auth_user *u)
{
	return access_allowed(u, ACCESS_MANAGE_MEETINGS) ? VG_OK : VG_FORBIDDEN;
}

int meeting_may_read(struct app *app, const struct auth_user *u, const char *id)
{
	struct meeting_row m;
	int rc;

	if (!access_allowed(u, ACCESS_READ_MEETINGS))
		return VG_FORBIDDEN;
	if (!strcmp(u->role, "team_member"))
		return store_meeting_is_member(app->store, u->id, id);
	rc = store_meeting_get(app->store, id, &m);
	if (!rc)
		meeting_row_release(&m);
	return rc;
}

/* Checks that u may change meeting id and that it exists. */
static int may_change(struct app *app, const struct auth_user *u, const char *id)
{
	int rc = may_manage(u);

	if (!rc)
		rc = meeting_may_read(app, u, id);
	return rc;
}

static json_t *user_name(struct app *app, int64_t id)
{
	struct user_row r;
	json_t *name;

	if (!id || store_user_by_id(app->store, id, &r))
		return json_string("");
	name = json_string(r.name);
	user_row_release(&r);
	return name;
}

static json_t *meeting_json(const struct meeting_row *m)
{
	char starts[CLOCK_ISO_SIZE + 4], iso[CLOCK_ISO_SIZE];

	clock_human(m->starts_at, starts);
	clock_iso(m->starts_at, iso);
	/* The value a datetime-local field takes: "YYYY-MM-DDTHH:MM". */
	iso[16] = '\0';
	return json_pack("{s:s, s:I, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:I}",
			 "id", m->id, "team_id", (json_int_t)m->team_id, "team", m->team_name,
			 "starts_at", (json_int_t)m->starts_at, "starts", starts,
			 "starts_input", iso, "title", m->title, "place", m->place,
			 "status", m->status, "agenda_count", (json_int_t)m->agenda_count);
}

/*
 * The meeting's count of agenda cases as u sees it: a case u may not read
 * is left out of the count as it is left off u's copy of the agenda, so a
 * count never tells that a restricted case is on it.
 */
static int agenda_count_for(struct app *app, const struct auth_user *u, struct meeting_row *m)
{
	struct agenda_list a = { 0 };
	size_t i;
	int rc;

	if (access_sees_all(u))
		return VG_OK;
	rc = store_agenda_list(app->store, m->id, &a);
	if (rc)
		return rc;
	m->agenda_count = 0;
	for (i = 0; i < a.count; i++)
		m->agenda_count += access_case_listed(app, u, a.rows[i].case_id);
	agenda_list_release(&a);
	return VG_OK;
}

static int list_json(struct meeting_list *l, json_t **out)
{
	json_t *arr = json_array();
	size_t i;

	if (!arr)
		return VG_NOMEM;
	for (i = 0; i < l->count; i++) {
		if (json_array_append_new(arr, meeting_json(&l->rows[i]))) {
			json_decref(arr);
			return VG_NOMEM;
		}
	}
	*out = arr;
	return VG_OK;
}

static int check_input(const struct meeting_input *in)
{
	if (!line_ok(in->title, 0) || !line_ok(in->place, 1) ||
	    (in->status && !meeting_status_valid(in->status)) || in->starts_at <= 0)
		return VG_INVAL;
	return VG_OK;
}

int meeting_schedule(struct app *app, const struct auth_user *u,
		     const struct meeting_input *in, char id_out[TOKEN_ID_SIZE])
{
	struct meeting_row m = { 0 };
	char id[TOKEN_ID_SIZE];
	int rc;

	rc = may_manage(u);
	if (!rc)
		rc = check_input(in);
	if (rc)
		return rc;
	token_id(id);
	m.id = id;
	m.team_id = in->team_id;
	m.starts_at = in->starts_at;
	m.title = (char *)in->title;
	m.place = (char *)(in->place ? in->place : "");
	m.status = (char *)(in->status ? in->status : "scheduled");
	m.created_at = clock_now();
	m.created_by = u->id;
	rc = store_meeting_insert(app->store, &m);
	if (rc)
		return rc;
	audit(app, u, "meeting.schedule", id, NULL);
	memcpy(id_out, id, TOKEN_ID_SIZE);
	return VG_OK;
}

int meeting_update(struct app *app, const struct auth_user *u, const char *id,
		   const struct meeting_input *in)
{
	struct meeting_row m = { 0 };
	int rc;

	rc = may_change(app, u, id);
	if (!rc)
		rc = check_input(in);
	if (rc)
		return rc;
	m.id = (char *)id;
	m.starts_at = in->starts_at;
	m.title = (char *)in->title;
	m.place = (char *)(in->place ? in->place : "");
	m.status = (char *)(in->status ? in->status : "scheduled");
	m.updated_at = clock_now();
	rc = store_meeting_update(app->store, &m);
	if (!rc)
		audit(app, u, "meeting.update", id, m.status);
	return rc;
}

int meeting_list(struct app *app, const struct auth_user *u, int upcoming, json_t **out)
{
	struct meeting_filter f = { .upcoming = upcoming, .now = clock_now(),
				    .limit = MEETING_LIST_PAGE };
	struct meeting_list l = { 0 };
	size_t i;
	int rc;

	if (!access_allowed(u, ACCESS_READ_MEETINGS))
		return VG_FORBIDDEN;
	if (!strcmp(u->role, "team_member"))
		f.member = u->id;
	rc = store_meeting_list(app->store, &f, &l);
	for (i = 0; !rc && i < l.count; i++)
		rc = agenda_count_for(app, u, &l.rows[i]);
	if (!rc)
		rc = list_json(&l, out);
	meeting_list_release(&l);
	if (!rc)
		audit(app, u, "meeting.list", NULL, upcoming ? "upcoming" : "past");
	return rc;
}

static void ad_for(char *ad, const char *table_col, const char *id)
{
	snprintf(ad, AD_MAX, "%s/%s", table_col, id);
}

/* The action items of one agenda item, opened. */
static int actions_json(struct app *app, const struct action_list *l, const char *item_id,
			json_t **out)
{
	json_t *arr = json_array();
	size_t i;
	int rc = arr ? VG_OK : VG_NOMEM;

	for (i = 0; !rc && i < l->count; i++) {
		const struct action_row *a = &l->rows[i];
		char ad[AD_MAX], due[CLOCK_ISO_SIZE] = "", done_at[CLOCK_ISO_SIZE + 4] = "";
		json_t *body;

		if (strcmp(a->agenda_id, item_id))
			continue;
		ad_for(ad, "meeting_actions/body", a->id);
		rc = open_json(app, ad, &a->body, &body);
		if (rc)
			break;
		if (a->due_at) {
			clock_iso(a->due_at, due);
			due[10] = '\0';
		}
		if (a->done_at)
			clock_human(a->done_at, done_at);
		rc = json_array_append_new(arr, json_pack(
			"{s:s, s:s, s:s, s:o, s:s, s:I, s:b, s:s, s:b}",
			"id", a->id, "text", member(body, "text"), "owner", member(body, "owner"),
			"owner_user", user_name(app, a->owner_id), "due", due,
			"due_at", (json_int_t)a->due_at, "done", a->done, "done_at", done_at,
			"overdue", !a->done && a->due_at && a->due_at < clock_now())) ?
			VG_NOMEM : VG_OK;
		json_decref(body);
	}
	if (rc) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return VG_OK;
}

/* One agenda item with its summary, outcome and actions opened. */
static int agenda_json(struct app *app, const struct agenda_row *a,
		       const struct action_list *actions, json_t **out)
{
	json_t *sum = NULL, *outc = NULL, *acts = NULL, *item;
	char ad[AD_MAX];
	int rc;

	ad_for(ad, "meeting_agenda/summary", a->id);
	rc = open_json(app, ad, &a->summary, &sum);
	if (!rc) {
		ad_for(ad, "meeting_agenda/outcome", a->id);
		rc = open_json(app, ad, &a->outcome, &outc);
	}
	if (!rc)
		rc = actions_json(app, actions, a->id, &acts);
	if (!rc) {
		item = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:o}",
			"id", a->id, "case_id", a->case_id, "position", (json_int_t)a->position,
			"background", member(sum, "background"),
			"case_status", member(sum, "case_status"),
			"safety_concerns", member(sum, "safety_concerns"),
			"safety_status", a->safety_status,
			"safety_plan", member(outc, "safety_plan"),
			"stabilisation", member(outc, "stabilisation"), "actions", acts);
		acts = NULL;
		if (!item)
			rc = VG_NOMEM;
		else
			*out = item;
	}
	json_decref(sum);
	json_decref(outc);
	json_decref(acts);
	return rc;
}

static int attendees_json(struct app *app, const struct attendee_list *l, json_t **out)
{
	json_t *arr = json_array();
	size_t i;
	int rc = arr ? VG_OK : VG_NOMEM;

	for (i = 0; !rc && i < l->count; i++) {
		const struct attendee_row *a = &l->rows[i];
		char ad[AD_MAX], *name = NULL;
		size_t len;

		ad_for(ad, "meeting_attendees/name", a->id);
		rc = seal_decrypt(&app->keys, ad, a->name.data, a->name.len, &name, &len);
		if (rc)
			break;
		rc = json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:o, s:b}",
			"id", a->id, "name", name, "agency", a->agency,
			"user", user_name(app, a->user_id), "present", a->present)) ?
			VG_NOMEM : VG_OK;
		free(name);
	}
	if (rc) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return VG_OK;
}

int meeting_view(struct app *app, const struct auth_user *u, const char *id, json_t **out)
{
	struct meeting_row m = { 0 };
	struct agenda_list agenda = { 0 };
	struct attendee_list att = { 0 };
	struct action_list actions = { 0 };
	json_t *d = NULL, *items = NULL, *people = NULL;
	size_t i;
	int rc;

	rc = meeting_may_read(app, u, id);
	if (rc)
		return rc;
	rc = store_meeting_get(app->store, id, &m);
	if (!rc)
		rc = store_agenda_list(app->store, id, &agenda);
	if (!rc)
		rc = store_attendee_list(app->store, id, &att);
	if (!rc)
		rc = store_action_list(app->store, id, &actions);
	if (rc)
		goto out;
	d = meeting_json(&m);
	items = json_array();
	if (!d || !items) {
		rc = VG_NOMEM;
		goto out;
	}
	for (i = 0; i < agenda.count; i++) {
		json_t *item = NULL;

		/*
		 * A case the user may not read is left off their copy of the
		 * agenda, silently: showing an agenda is no attempt to open it.
		 */
		if (!access_case_listed(app, u, agenda.rows[i].case_id))
			continue;
		rc = agenda_json(app, &agenda.rows[i], &actions, &item);
		if (!rc && json_array_append_new(items, item))
			rc = VG_NOMEM;
		if (rc)
			goto out;
	}
	rc = attendees_json(app, &att, &people);
	if (rc)
		goto out;
	json_object_set_new(d, "agenda_count", json_integer((json_int_t)json_array_size(items)));
	json_object_set_new(d, "agenda", items);
	json_object_set_new(d, "attendees", people);
	items = people = NULL;
	audit(app, u, "meeting.view", id, NULL);
	*out = d;
	d = NULL;
out:
	json_decref(d);
	json_decref(items);
	json_decref(people);
	meeting_row_release(&m);
	agenda_list_release(&agenda);
	attendee_list_release(&att);
	action_list_release(&actions);
	return rc;
}

int meeting_for_case(struct app *app, const struct auth_user *u, const char *case_id,
		     json_t **out)
{
	struct meeting_list l = { 0 };
	json_t *arr = NULL;
	size_t i, keep = 0;
	int rc;

	if (!access_allowed(u, ACCESS_READ_MEETINGS))
		return VG_FORBIDDEN;
	rc = access_case(app, u, case_id, ACCESS_READ_CASE);
	if (!rc)
		rc = store_meeting_list_for_case(app->store, case_id, &l);
	if (rc)
		return rc;
	/* A team member sees only their own meetings of this case. */
	for (i = 0; i < l.count; i++) {
		if (!strcmp(u->role, "team_member") &&
		    store_meeting_is_member(app->store, u->id, l.rows[i].id)) {
			meeting_row_release(&l.rows[i]);
			continue;
		}
		l.rows[keep++] = l.rows[i];
	}
	l.count = keep;
	for (i = 0; !rc && i < l.count; i++)
		rc = agenda_count_for(app, u, &l.rows[i]);
	if (!rc)
		rc = list_json(&l, &arr);
	meeting_list_release(&l);
	if (rc)
		return rc;
	audit(app, u, "meeting.list_case", case_id, NULL);
	*out = arr;
	return VG_OK;
}

static int summary_seal(struct app *app, const char *item_id, const struct agenda_summary *s,
			struct sealed *out)
{
	char ad[AD_MAX];

	if (!text_ok(s->background) || !text_ok(s->case_status) || !text_ok(s->safety_concerns))
		return VG_INVAL;
	ad_for(ad, "meeting_agenda/summary", item_id);
	return seal_json(app, ad, json_pack("{s:s, s:s, s:s}",
		"background", s->background ? s->background : "",
		"case_status", s->case_status ? s->case_status : "",
		"safety_concerns", s->safety_concerns ? s->safety_concerns : ""), out);
}

int meeting_agenda_add(struct app *app, const struct auth_user *u, const char *meeting_id,
		       const char *case_id, const struct agenda_summary *sum,
		       char id_out[TOKEN_ID_SIZE])
{
	struct agenda_row a = { 0 };
	struct meeting_row m = { 0 };
	char id[TOKEN_ID_SIZE];
	int rc;

	rc = may_change(app, u, meeting_id);
	if (!rc)
		rc = access_case(app, u, case_id, ACCESS_READ_CASE);
	if (!rc)
		rc = store_meeting_get(app->store, meeting_id, &m);
	if (rc)
		return rc;
	if (m.agenda_count >= MEETING_AGENDA_MAX)
		rc = VG_TOOBIG;
	meeting_row_release(&m);
	if (rc)
		return rc;
	token_id(id);
	rc = summary_seal(app, id, sum, &a.summary);
	if (rc)
		return rc;
	a.id = id;
	a.meeting_id = (char *)meeting_id;
	a.case_id = (char *)case_id;
	a.safety_status = (char *)"unknown";
	a.updated_at = clock_now();
	a.updated_by = u->id;
	rc = store_agenda_insert(app->store, &a);
	free(a.summary.data);
	if (rc)
		return rc;
	audit(app, u, "meeting.agenda_add", meeting_id, case_id);
	memcpy(id_out, id, TOKEN_ID_SIZE);
	return VG_OK;
}

int meeting_agenda_summary(struct app *app, const struct auth_user *u,
			   const char *meeting_id, const char *item_id,
			   const struct agenda_summary *sum)
{
	struct sealed v = { 0 };
	int rc;

	rc = may_change(app, u, meeting_id);
	if (!rc)
		rc = summary_seal(app, item_id, sum, &v);
	if (!rc)
		rc = store_agenda_set_summary(app->store, meeting_id, item_id, &v, clock_now(),
					      u->id);
	free(v.data);
	if (!rc)
		audit(app, u, "meeting.summary", meeting_id, item_id);
	return rc;
}

int meeting_agenda_remove(struct app *app, const struct auth_user *u,
			  const char *meeting_id, const char *item_id)
{
	int rc = may_change(app, u, meeting_id);

	if (!rc)
		rc = store_agenda_delete(app->store, meeting_id, item_id);
	if (!rc)
		audit(app, u, "meeting.agenda_remove", meeting_id, item_id);
	return rc;
}

int meeting_outcome_set(struct app *app, const struct auth_user *u,
			const char *meeting_id, const char *item_id,
			const struct agenda_outcome *o)
{
	struct safety_list safety;
	struct sealed v = { 0 };
	char ad[AD_MAX], detail[64];
	int rc;

	rc = may_change(app, u, meeting_id);
	if (rc)
		return rc;
	rc = meeting_safety_load(app->cfg.rules_dir, &safety);
	if (rc)
		return rc;
	if (!meeting_safety_find(&safety, o->safety_status) || !text_ok(o->safety_plan) ||
	    !text_ok(o->stabilisation))
		return VG_INVAL;
	ad_for(ad, "meeting_agenda/outcome", item_id);
	rc = seal_json(app, ad, json_pack("{s:s, s:s}",
		"safety_plan", o->safety_plan ? o->safety_plan : "",
		"stabilisation", o->stabilisation ? o->stabilisation : ""), &v);
	if (!rc)
		rc = store_agenda_set_outcome(app->store, meeting_id, item_id, o->safety_status,
					      &v, clock_now(), u->id);
	free(v.data);
	if (!rc) {
		snprintf(detail, sizeof(detail), "%s %s", item_id, o->safety_status);
		audit(app, u, "meeting.outcome", meeting_id, detail);
	}
	return rc;
}

/* The id of the account named name; 0 for NULL or "". VG_INVAL when there is none. */
static int account_id(struct app *app, const char *name, int64_t *out)
{
	struct user_row r;
	int rc;

	if (!name || !name[0]) {
		*out = 0;
		return VG_OK;
	}
	rc = store_user_by_name(app->store, name, &r);
	if (rc)
		return rc == VG_NOTFOUND ? VG_INVAL : rc;
	*out = r.id;
	user_row_release(&r);
	return VG_OK;
}

int meeting_attendee_add(struct app *app, const struct auth_user *u, const char *meeting_id,
			 const char *name, const char *agency, const char *user_name_in,
			 int present, char id_out[TOKEN_ID_SIZE])
{
	struct attendee_list l = { 0 };
	struct attendee_row a = { 0 };
	char id[TOKEN_ID_SIZE], ad[AD_MAX];
	int rc;

	rc = may_change(app, u, meeting_id);
	if (rc)
		return rc;
	if (!line_ok(name, 0) || !line_ok(agency, 1))
		return VG_INVAL;
	rc = account_id(app, user_name_in, &a.user_id);
	if (!rc)
		rc = store_attendee_list(app->store, meeting_id, &l);
	if (!rc && l.count >= MEETING_ATTENDEES_MAX)
		rc = VG_TOOBIG;
	attendee_list_release(&l);
	if (rc)
		return rc;
	token_id(id);
	ad_for(ad, "meeting_attendees/name", id);
	rc = seal_encrypt(&app->keys, ad, name, strlen(name), &a.name.data, &a.name.len);
	if (rc)
		return rc;
	a.id = id;
	a.meeting_id = (char *)meeting_id;
	a.agency = (char *)(agency ? agency : "");
	a.present = !!present;
	rc = store_attendee_insert(app->store, &a);
	free(a.name.data);
	if (rc)
		return rc;
	audit(app, u, "meeting.attendee_add", meeting_id, id);
	memcpy(id_out, id, TOKEN_ID_SIZE);
	return VG_OK;
}

int meeting_attendee_present(struct app *app, const struct auth_user *u,
			     const char *meeting_id, const char *attendee_id, int present)
{
	char detail[64];
	int rc = may_change(app, u, meeting_id);

	if (!rc)
		rc = store_attendee_set_present(app->store, meeting_id, attendee_id, present);
	if (!rc) {
		snprintf(detail, sizeof(detail), "%.20s %s", attendee_id,
			 present ? "present" : "absent");
		audit(app, u, "meeting.attendance", meeting_id, detail);
	}
	return rc;
}

int meeting_action_add(struct app *app, const struct auth_user *u, const char *meeting_id,
		       const char *item_id, const char *text, const char *owner,
		       const char *owner_user, int64_t due_at, char id_out[TOKEN_ID_SIZE])
{
	struct action_list l = { 0 };
	struct agenda_row item;
	struct action_row a = { 0 };
	char id[TOKEN_ID_SIZE], ad[AD_MAX];
	int rc;

	rc = may_change(app, u, meeting_id);
	if (rc)
		return rc;
	if (!text || !text[0] || !text_ok(text) || !line_ok(owner, 1) || due_at < 0)
		return VG_INVAL;
	/* The item must be on this meeting's agenda, not on another's. */
	rc = store_agenda_get(app->store, meeting_id, item_id, &item);
	if (rc)
		return rc;
	agenda_row_release(&item);
	rc = account_id(app, owner_user, &a.owner_id);
	if (!rc)
		rc = store_action_list(app->store, meeting_id, &l);
	if (!rc && l.count >= MEETING_ACTIONS_MAX)
		rc = VG_TOOBIG;
	action_list_release(&l);
	if (rc)
		return rc;
	token_id(id);
	ad_for(ad, "meeting_actions/body", id);
	rc = seal_json(app, ad, json_pack("{s:s, s:s}", "text", text,
					  "owner", owner ? owner : ""), &a.body);
	if (rc)
		return rc;
	a.id = id;
	a.agenda_id = (char *)item_id;
	a.due_at = due_at;
	a.created_at = clock_now();
	rc = store_action_insert(app->store, &a);
	free(a.body.data);
	if (rc)
		return rc;
	audit(app, u, "meeting.action_add", meeting_id, id);
	memcpy(id_out, id, TOKEN_ID_SIZE);
	return VG_OK;
}

int meeting_action_done(struct app *app, const struct auth_user *u, const char *meeting_id,
			const char *action_id, int done)
{
	char detail[64];
	int rc = may_change(app, u, meeting_id);

	if (!rc)
		rc = store_action_set_done(app->store, meeting_id, action_id, done, clock_now(),
					   u->id);
	if (!rc) {
		snprintf(detail, sizeof(detail), "%.20s %s", action_id, done ? "done" : "undone");
		audit(app, u, "meeting.action_done", meeting_id, detail);
	}
	return rc;
}

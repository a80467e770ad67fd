#include "base/compat.h"
#include "site/site.h"
#include "app/access.h"
#include "app/cases.h"
#include "base/clock.h"
#include "store/work.h"

#include <ctype.h>

/*
 * The case queue and case page (/staff/cases), and the case API
 * (/api/v1/cases). Every handler makes exactly one access check first:
 * access_case() for one case (a case the user may not know answers 404),
 * or the route's op (site.c) for the queue. docs/cases.md lists the routes.
 */

#define CASE_PAGE 50

static const char *const statuses[] = {"active", "follow_up", "closed", "closed_referred"};

static int status_ok(const char *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(statuses); i++)
		if (!strcmp(s, statuses[i]))
			return 1;
	return 0;
}

/*
 * 1 when a filter value is absent or a slug or code: letters, digits, "_"
 * and "-", at most 64. Nothing else matches a case, and such values go
 * into the next page's link as they are.
 */
static int word_ok(const char *v)
{
	size_t i;

	if (!v)
		return 1;
	for (i = 0; v[i]; i++)
		if (i >= 64 || !(isalnum((unsigned char)v[i]) || v[i] == '_' || v[i] == '-'))
			return 0;
	return 1;
}

/* A user or team id: decimal digits only, above 0. */
static int parse_id(const char *v, int64_t *out)
{
	char *end;
	long long n;

	if (!isdigit((unsigned char)v[0]))
		return VG_INVAL;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (*end || errno || n <= 0)
		return VG_INVAL;
	*out = n;
	return VG_OK;
}

/*
 * Reads the queue filter from the query string. assignee is a user id,
 * "team:<id>" or "none"; team a team id. The cursor "after" is
 * "<rank>.<created>.<id>", the last row's place in the order.
 */
static int read_filter(const struct http_request *req, struct case_filter *f, char after[CASE_ID_SIZE])
{
	const char *status = http_query(req, "status");
	const char *assignee = http_query(req, "assignee");
	const char *team = http_query(req, "team");
	const char *cursor = http_query(req, "after");
	char *end;

	f->status = status && status[0] ? status : "open";
	f->kind = http_query(req, "kind");
	f->typology = http_query(req, "typology");
	f->country = http_query(req, "country");
	f->region = http_query(req, "region");
	if (!word_ok(f->kind) || !word_ok(f->typology) || !word_ok(f->country) ||
	    !word_ok(f->region))
		return VG_INVAL;
	if (strcmp(f->status, "open") && strcmp(f->status, "all") && !status_ok(f->status) &&
	    strcmp(f->status, "merged"))
		return VG_INVAL;
	if (assignee && !strcmp(assignee, "none")) {
		f->unassigned = 1;
	} else if (assignee && !strcmp(assignee, "me")) {
		/* "Me or my teams": list_page() sets f->mine to the signed-in user. */
	} else if (assignee && !strncmp(assignee, "team:", 5)) {
		if (parse_id(assignee + 5, &f->assignee_team))
			return VG_INVAL;
	} else if (assignee && assignee[0]) {
		if (parse_id(assignee, &f->assignee_user))
			return VG_INVAL;
	}
	if (team && team[0] && parse_id(team, &f->assignee_team))
		return VG_INVAL;
	after[0] = '\0';
	if (cursor && cursor[0]) {
		long rank = strtol(cursor, &end, 10);

		if (*end != '.' || rank < 0 || rank > 2)
			return VG_INVAL;
		f->after_rank = (int)rank;
		f->after_created = strtoll(end + 1, &end, 10);
		if (*end != '.' || strlen(end + 1) != CASE_ID_SIZE - 1)
			return VG_INVAL;
		snprintf(after, CASE_ID_SIZE, "%s", end + 1);
		f->after_id = after;
	}
	return VG_OK;
}

static json_t *row_json(struct reqctx *c, const struct case_row *r)
{
	json_t *o = cases_row_json(r);
	char created[CLOCK_ISO_SIZE + 4];

	if (!o)
		return NULL;
	clock_human(r->created_at, created);
	json_object_set_new(o, "created", json_string(created));
	json_object_set_new(o, "status_label", json_string(page_tr(c, cases_status_label(r->status))));
	json_object_set_new(o, "crisis", json_boolean(r->urgency_rank == 0));
	/* Open tasks past their due time (site/work.c), shown in red with a count. */
	json_object_set_new(o, "overdue_tasks", json_integer(site_case_overdue(c, r->id)));
	if (r->country[0])
		json_object_set_new(o, "where", json_pack("[s]", r->region[0] ? r->region : r->country));
	return o;
}

/* Lists one page into arr and returns the "after" cursor of the next page, or "". */
static int list_page(struct reqctx *c, const struct case_filter *f, int limit, json_t *arr,
		     char *next, size_t size)
{
	struct case_filter g = *f;
	struct case_list l = {0};
	size_t i;
	int rc;

	g.limit = limit + 1;
	if (http_query(c->req, "assignee") && !strcmp(http_query(c->req, "assignee"), "me"))
		g.mine = c->user.id;
	rc = cases_list(c->app, &c->user, &g, &l);
	if (rc)
		return rc;
	next[0] = '\0';
	for (i = 0; i < l.count && i < (size_t)limit; i++)
		json_array_append_new(arr, row_json(c, &l.rows[i]));
	if (l.count > (size_t)limit) {
		const struct case_row *last = &l.rows[limit - 1];

		snprintf(next, size, "%d.%" PRId64 ".%s", last->urgency_rank, last->created_at, last->id);
	}
	case_list_release(&l);
	return VG_OK;
}

/*
 * The assignee filter's choices: anyone, nobody, every user and every team
 * (values as read_filter() reads them), with the chosen one selected.
 */
static json_t *assignee_options(struct reqctx *c, const char *chosen)
{
	struct member_list users = {0};
	struct team_list teams = {0};
	json_t *arr = json_array();
	char value[32];
	size_t i;

	if (!arr)
		return NULL;
	json_array_append_new(arr, json_pack("{s:s, s:s, s:b}", "value", "", "label",
		page_tr(c, N_("Anyone")), "selected", !chosen[0]));
	json_array_append_new(arr, json_pack("{s:s, s:s, s:b}", "value", "me", "label",
		page_tr(c, N_("Me or my teams")), "selected", !strcmp(chosen, "me")));
	json_array_append_new(arr, json_pack("{s:s, s:s, s:b}", "value", "none", "label",
		page_tr(c, N_("Nobody")), "selected", !strcmp(chosen, "none")));
	if (!store_user_list(c->app->store, &users)) {
		for (i = 0; i < users.count; i++) {
			snprintf(value, sizeof(value), "%" PRId64, users.rows[i].user_id);
			json_array_append_new(arr, json_pack("{s:s, s:s, s:b}", "value", value,
				"label", users.rows[i].user_name, "selected", !strcmp(chosen, value)));
		}
		member_list_release(&users);
	}
	if (!store_team_list(c->app->store, &teams)) {
		for (i = 0; i < teams.count; i++) {
			snprintf(value, sizeof(value), "team:%" PRId64, teams.rows[i].id);
			json_array_append_new(arr, json_pack("{s:s, s:s, s:b}", "value", value,
				"label", teams.rows[i].name, "selected", !strcmp(chosen, value)));
		}
		team_list_release(&teams);
	}
	return arr;
}

void staff_cases(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	struct case_filter f = {0};
	char after[CASE_ID_SIZE], next[96];
	const char *assignee = http_query(req, "assignee");
	json_t *d, *arr, *st, *fj;
	size_t i;
	int rc;

	(void)res;
	if (read_filter(req, &f, after)) {
		page_error(c, 400, N_("This filter or page of the queue does not exist."));
		return;
	}
	if (!assignee)
		assignee = "";
	arr = json_array();
	rc = list_page(c, &f, CASE_PAGE, arr, next, sizeof(next));
	if (rc) {
		json_decref(arr);
		page_error(c, page_status_of(rc), N_("The queue could not be loaded."));
		return;
	}
	d = page_data(c, N_("Cases"));
	st = json_array();
	json_array_append_new(st, json_pack("{s:s, s:s, s:b}", "value", "open", "label",
		page_tr(c, N_("Open")), "selected", !strcmp(f.status, "open")));
	for (i = 0; i < ARRAY_SIZE(statuses); i++)
		json_array_append_new(st, json_pack("{s:s, s:s, s:b}", "value", statuses[i],
			"label", page_tr(c, cases_status_label(statuses[i])),
			"selected", !strcmp(f.status, statuses[i])));
	json_array_append_new(st, json_pack("{s:s, s:s, s:b}", "value", "all", "label",
		page_tr(c, N_("All")), "selected", !strcmp(f.status, "all")));
	fj = json_pack("{s:s, s:s, s:s, s:s}", "kind", f.kind ? f.kind : "",
		       "typology", f.typology ? f.typology : "", "region", f.region ? f.region : "",
		       "country", f.country ? f.country : "");
	json_object_set_new(d, "filter", fj);
	json_object_set_new(d, "statuses", st);
	json_object_set_new(d, "assignees", assignee_options(c, assignee));
	json_object_set_new(d, "empty", json_boolean(json_array_size(arr) == 0));
	json_object_set_new(d, "cases", arr);
	if (next[0]) {
		char url[512];
		const char *team = http_query(req, "team");

		/* read_filter() let through only slugs, codes and numbers. */
		snprintf(url, sizeof(url), "/staff/cases?status=%s&kind=%s&typology=%s&country=%s"
			 "&region=%s&assignee=%s&team=%s&after=%s", f.status, f.kind ? f.kind : "",
			 f.typology ? f.typology : "", f.country ? f.country : "",
			 f.region ? f.region : "", assignee, team ? team : "", next);
		json_object_set_new(d, "next", json_string(url));
	}
	page_render(c, 200, "case_queue", d);
}

/* The case view as the page and the API show it. */
static json_t *view_json(struct reqctx *c, const struct case_view *v)
{
	json_t *o = row_json(c, &v->row), *tips = json_array(), *events = json_array();
	size_t i;

	for (i = 0; i < v->tips.count; i++) {
		const struct case_tip_row *t = &v->tips.rows[i];
		char created[CLOCK_ISO_SIZE];

		clock_iso(t->created_at, created);
		json_array_append_new(tips, json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s}",
			"tip_id", t->tip_id, "created", created, "status", t->status,
			"source", t->source, "urgency", t->urgency, "danger_now", t->danger_now,
			"screen_status", t->screen_status, "kinds", t->kinds,
			"typology", t->typology));
	}
	for (i = 0; i < v->events.count; i++) {
		const struct case_event_row *e = &v->events.rows[i];
		char at[CLOCK_ISO_SIZE];

		clock_iso(e->at, at);
		json_array_append_new(events, json_pack("{s:s, s:I, s:s, s:s, s:s, s:s}",
			"at", at, "user_id", (json_int_t)e->user_id,
			"who", e->user_name[0] ? e->user_name : "system", "kind", e->kind,
			"other_case", e->other_case, "detail", e->detail));
	}
	json_object_set_new(o, "tip_list", tips);
	json_object_set_new(o, "persons", json_incref(v->persons));
	json_object_set_new(o, "locations", json_incref(v->locations));
	json_object_set_new(o, "events", events);
	return o;
}

/* 1 when the comma-separated list holds slug. */
static int list_has(const char *list, const char *slug)
{
	size_t n = strlen(slug);
	const char *p = list;

	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && !memcmp(p, slug, n))
			return 1;
		p = end ? end + 1 : NULL;
	}
	return 0;
}

/*
 * The picklists for the forms: labels translated, and the values of person
 * (a person object, or NULL for an empty form) selected. Each picklist
 * field fills the person member of the same name, or its plural.
 */
static json_t *form_picks(struct reqctx *c, const json_t *person)
{
	json_t *o = cases_picklists_json(c->app), *arr, *e;
	const char *field;
	size_t i;

	if (!o)
		return NULL;
	json_object_foreach(o, field, arr) {
		char plural[40];
		const char *have;

		snprintf(plural, sizeof(plural), "%ss", field);
		have = json_string_value(json_object_get(person, field));
		if (!have)
			have = json_string_value(json_object_get(person, plural));
		json_array_foreach(arr, i, e) {
			const char *slug = json_string_value(json_object_get(e, "slug"));

			json_object_set_new(e, "label", json_string(page_tr(c,
				json_string_value(json_object_get(e, "label")))));
			json_object_set_new(e, "selected", json_boolean(have && list_has(have, slug)));
		}
	}
	return o;
}

/*
 * Sets key "<member>_label" of each object of arr: the translated labels
 * of its member's comma-separated slugs of picklist field, joined by ", ".
 * A slug that is no longer in the picklist shows as itself.
 */
static void add_labels(struct reqctx *c, json_t *arr, const char *member, const char *field)
{
	char key[48], out[1024];
	json_t *o;
	size_t i;

	snprintf(key, sizeof(key), "%s_label", member);
	json_array_foreach(arr, i, o) {
		const char *p = json_string_value(json_object_get(o, member));
		size_t used = 0;

		out[0] = '\0';
		while (p && *p) {
			const char *end = strchr(p, ',');
			size_t len = end ? (size_t)(end - p) : strlen(p);
			char slug[64];
			const char *label;
			int n;

			snprintf(slug, sizeof(slug), "%.*s", (int)len, p);
			label = cases_pick_label(c->app, field, slug);
			n = snprintf(out + used, sizeof(out) - used, "%s%s", used ? ", " : "",
				     label ? page_tr(c, label) : slug);
			if (n < 0 || (size_t)n >= sizeof(out) - used)
				break;
			used += (size_t)n;
			p = end ? end + 1 : NULL;
		}
		json_object_set_new(o, key, json_string(out));
	}
}

static void render_case(struct reqctx *c, const char *id, int status, const char *notice,
			const struct case_errors *errs)
{
	struct case_view v;
	json_t *d, *cj, *st, *ej;
	size_t i;
	int rc;

	rc = cases_view(c->app, &c->user, id, &v);
	if (rc) {
		page_error(c, page_status_of(rc), rc == VG_NOTFOUND ?
			   N_("There is no case with this id.") : N_("The case could not be opened."));
		return;
	}
	d = page_data(c, N_("Case"));
	cj = view_json(c, &v);
	st = json_array();
	for (i = 0; i < ARRAY_SIZE(statuses); i++)
		json_array_append_new(st, json_pack("{s:s, s:s, s:b}", "value", statuses[i],
			"label", page_tr(c, cases_status_label(statuses[i])),
			"selected", !strcmp(v.row.status, statuses[i])));
	/* The forms a user may use on a case not merged away. */
	json_object_set_new(cj, "open", json_boolean(strcmp(v.row.status, "merged") &&
		access_allowed(&c->user, ACCESS_WORK_CASE)));
	json_object_set_new(cj, "can_merge", json_boolean(strcmp(v.row.status, "merged") &&
		access_allowed(&c->user, ACCESS_MERGE)));
	json_object_set_new(cj, "statuses", st);
	add_labels(c, json_object_get(cj, "persons"), "case_role", "case_role");
	add_labels(c, json_object_get(cj, "persons"), "gender", "gender");
	add_labels(c, json_object_get(cj, "persons"), "process_roles", "process_role");
	add_labels(c, json_object_get(cj, "persons"), "control_methods", "control_method");
	add_labels(c, json_object_get(cj, "persons"), "exploitation", "exploitation");
	add_labels(c, json_object_get(cj, "persons"), "industry", "industry");
	add_labels(c, json_object_get(cj, "persons"), "trafficking_status", "trafficking_status");
	add_labels(c, json_object_get(cj, "locations"), "kind", "location_kind");
	json_object_set_new(d, "tips", json_incref(json_object_get(cj, "tip_list")));
	json_object_set_new(d, "persons", json_incref(json_object_get(cj, "persons")));
	json_object_set_new(d, "locations", json_incref(json_object_get(cj, "locations")));
	json_object_set_new(d, "events", json_incref(json_object_get(cj, "events")));
	json_object_set_new(d, "case", cj);
	json_object_set_new(d, "picklists", form_picks(c, NULL));
	/* Assignment, notes and tasks (site/work.c, the case_slot_work partial). */
	json_object_set_new(d, "work", site_case_work(c, id));
	/* Related tips and cases and the case's entities (site/search.c, case_slot_related). */
	if (search_related_fill(c, d, "", id))
		json_object_set_new(d, "related_failed", json_true());
	/* The meetings whose agenda held the case (site/meetings.c, case_slot_meetings). */
	json_object_set_new(d, "meetings", site_case_meetings(c, id));
	if (notice)
		json_object_set_new(d, "notice", json_string(page_tr(c, notice)));
	if (errs && errs->count) {
		ej = json_array();
		for (i = 0; i < errs->count; i++)
			json_array_append_new(ej, json_pack("{s:s, s:s}", "field", errs->e[i].field,
				"message", page_tr(c, errs->e[i].msg)));
		json_object_set_new(d, "errors", ej);
	}
	case_view_release(&v);
	page_render(c, status, "case", d);
}

/* The one access check of a case handler; makes the error page itself. */
static int case_allowed(struct reqctx *c, const char *id, enum access_op op)
{
	int rc = access_case(c->app, &c->user, id, op);

	if (rc)
		page_error(c, page_status_of(rc), rc == VG_NOTFOUND ?
			   N_("There is no case with this id.") :
			   N_("You may not do this."));
	return rc;
}

/*
 * What a form did, as the case page confirms it after the redirect: the
 * key of ?done= and its message. Unknown keys show nothing.
 */
static const struct {
	const char *key;
	const char *msg;
} done_msgs[] = {
	{"status", N_("The status was changed.")},
	{"merged", N_("The cases were merged.")},
	{"split", N_("The tips were moved to a new case.")},
	{"person", N_("The person was added.")},
	{"person_changed", N_("The person was changed.")},
	{"location", N_("The location was added.")},
};

void staff_case(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	const char *done = http_query(req, "done"), *notice = NULL;
	size_t i;

	(void)res;
	if (case_allowed(c, req->param, ACCESS_READ_CASE))
		return;
	for (i = 0; done && i < ARRAY_SIZE(done_msgs); i++)
		if (!strcmp(done, done_msgs[i].key))
			notice = done_msgs[i].msg;
	render_case(c, req->param, 200, notice, NULL);
}

/* Reads a case form: body, CSRF, then the one access check. */
static int case_form(struct reqctx *c, const char *id, enum access_op op, struct form *f)
{
	if (page_form(c, f))
		return VG_INVAL;
	if (!page_csrf_ok(c, f))
		return VG_FORBIDDEN;
	return case_allowed(c, id, op);
}

/*
 * Every value of a list field (a multiple select, named "...[]"),
 * comma-joined into out; "\x01", which no picklist holds, when too long.
 */
static const char *joined(const struct form *f, const char *name, char *out, size_t size)
{
	size_t i, used = 0;

	out[0] = '\0';
	for (i = 0; i < f->count; i++) {
		int n;

		if (strcmp(f->fields[i].name, name) || !f->fields[i].value[0])
			continue;
		n = snprintf(out + used, size - used, "%s%s", used ? "," : "", f->fields[i].value);
		if (n < 0 || (size_t)n >= size - used)
			return "\x01";
		used += (size_t)n;
	}
	return out;
}

/*
 * After a form: on success a redirect to case id's page confirming done (a
 * key of done_msgs), so reloading the page does not post again; otherwise
 * the error page.
 */
static void changed(struct reqctx *c, const char *id, int rc, const char *done)
{
	char to[96];

	if (rc == VG_OK) {
		snprintf(to, sizeof(to), "/staff/cases/%s?done=%s", id, done);
		http_redirect(c->res, to);
	} else if (rc == VG_INVAL)
		page_error(c, 422, N_("This change is not possible for this case."));
	else
		page_error(c, page_status_of(rc), rc == VG_NOTFOUND ?
			   N_("There is no case with this id.") : N_("The case could not be changed."));
}

void staff_case_status(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	struct form f;

	(void)res;
	form_init(&f);
	if (!case_form(c, req->param, ACCESS_WORK_CASE, &f))
		changed(c, req->param, cases_set_status(c->app, &c->user, req->param,
			page_field(&f, "status")), "status");
	form_release(&f);
}

void staff_case_merge(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	const char *into;
	struct form f;
	int rc;

	(void)res;
	form_init(&f);
	if (case_form(c, req->param, ACCESS_MERGE, &f))
		goto out;
	into = page_field(&f, "into");
	/* The other case is changed too: the user must be allowed to merge it. */
	rc = access_case(c->app, &c->user, into, ACCESS_MERGE);
	if (!rc)
		rc = cases_merge(c->app, &c->user, req->param, into);
	changed(c, rc ? req->param : into, rc, "merged");
out:
	form_release(&f);
}

void staff_case_split(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	const char *tips[CASE_SPLIT_MAX];
	char new_id[CASE_ID_SIZE];
	struct form f;
	size_t i, n = 0;
	int rc;

	(void)res;
	form_init(&f);
	if (case_form(c, req->param, ACCESS_MERGE, &f))
		goto out;
	rc = VG_OK;
	for (i = 0; !rc && i < f.count; i++) {
		if (strcmp(f.fields[i].name, "tip[]"))
			continue;
		if (n == CASE_SPLIT_MAX)
			rc = VG_INVAL;
		else
			tips[n++] = f.fields[i].value;
	}
	if (!rc)
		rc = cases_split(c->app, &c->user, req->param, tips, n, new_id);
	changed(c, rc ? req->param : new_id, rc, "split");
out:
	form_release(&f);
}

/* The lists of a person form, comma-joined. */
struct person_lists {
	char roles[1100], methods[1100], expl[1100];
};

static struct person_input person_form(const struct form *f, struct person_lists *l)
{
	return (struct person_input){
		.case_role = page_field(f, "case_role"), .age = page_field(f, "age"),
		.gender = page_field(f, "gender"), .nationality = page_field(f, "nationality"),
		.process_roles = joined(f, "process_roles[]", l->roles, sizeof(l->roles)),
		.control_methods = joined(f, "control_methods[]", l->methods, sizeof(l->methods)),
		.exploitation = joined(f, "exploitation[]", l->expl, sizeof(l->expl)),
		.industry = page_field(f, "industry"),
		.trafficking_status = page_field(f, "trafficking_status"),
		.name = page_field(f, "name"), .notes = page_field(f, "notes"),
	};
}

void staff_case_person(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	char id[CASE_ID_SIZE];
	struct case_errors errs = {0};
	struct person_lists lists;
	struct person_input in;
	struct form f;
	int rc;

	(void)res;
	form_init(&f);
	if (case_form(c, req->param, ACCESS_WORK_CASE, &f))
		goto out;
	in = person_form(&f, &lists);
	rc = cases_add_person(c->app, &c->user, req->param, &in, &errs, id);
	if (rc == VG_MERGED)
		page_merged(c, req->param);
	else if (rc == VG_INVAL && errs.count)
		render_case(c, req->param, 422, NULL, &errs);
	else
		changed(c, req->param, rc, "person");
out:
	form_release(&f);
}

/*
 * The person edit page: the form filled with person (as stored, or as just
 * entered when errs says what was wrong).
 */
static void render_person(struct reqctx *c, const char *case_id, json_t *person, int status,
			  const struct case_errors *errs)
{
	json_t *d = page_data(c, N_("Edit a person")), *ej;
	size_t i;

	json_object_set_new(d, "picklists", form_picks(c, person));
	json_object_set_new(person, "case_id", json_string(case_id));
	json_object_set_new(person, "person_id", json_string(c->req->param));
	json_object_set_new(d, "person", person);
	if (errs && errs->count) {
		ej = json_array();
		for (i = 0; i < errs->count; i++)
			json_array_append_new(ej, json_pack("{s:s, s:s}", "field", errs->e[i].field,
				"message", page_tr(c, errs->e[i].msg)));
		json_object_set_new(d, "errors", ej);
	}
	page_render(c, status, "case_person", d);
}

/*
 * The one access check of a person handler: the person's case, which a
 * user who may not know of it cannot tell from a person that does not exist.
 */
static int person_allowed(struct reqctx *c, char case_id[CASE_ID_SIZE])
{
	int rc = cases_person_case(c->app, c->req->param, case_id);

	if (!rc)
		rc = access_case(c->app, &c->user, case_id, ACCESS_WORK_CASE);
	return rc;
}

static void person_error(struct reqctx *c, int rc)
{
	page_error(c, page_status_of(rc), rc == VG_NOTFOUND ? N_("There is no person with this id.") :
		   rc == VG_FORBIDDEN ? N_("You may not do this.") :
		   N_("The person could not be read or changed."));
}

void staff_person(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	char case_id[CASE_ID_SIZE];
	json_t *person;
	int rc;

	(void)res;
	rc = person_allowed(c, case_id);
	if (!rc)
		rc = cases_person(c->app, &c->user, req->param, &person);
	if (rc) {
		person_error(c, rc);
		return;
	}
	render_person(c, case_id, person, 200, NULL);
}

void staff_person_update(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	char case_id[CASE_ID_SIZE];
	struct case_errors errs = {0};
	struct person_lists lists;
	struct person_input in;
	struct form f;
	int rc;

	(void)res;
	form_init(&f);
	if (page_form(c, &f) || !page_csrf_ok(c, &f))
		goto out;
	rc = person_allowed(c, case_id);
	if (rc) {
		person_error(c, rc);
		goto out;
	}
	in = person_form(&f, &lists);
	rc = cases_update_person(c->app, &c->user, case_id, req->param, &in, &errs);
	if (rc == VG_MERGED)
		page_merged(c, case_id);
	else if (rc == VG_INVAL && errs.count)
		render_person(c, case_id, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, "
			"s:s, s:s, s:s}", "case_role", in.case_role, "age", in.age,
			"gender", in.gender, "nationality", in.nationality,
			"process_roles", in.process_roles, "control_methods", in.control_methods,
			"exploitation", in.exploitation, "industry", in.industry,
			"trafficking_status", in.trafficking_status, "name", in.name,
			"notes", in.notes), 422, &errs);
	else
		changed(c, case_id, rc, "person_changed");
out:
	form_release(&f);
}

void staff_case_location(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	struct case_errors errs = {0};
	struct location_input in;
	char id[CASE_ID_SIZE];
	struct form f;
	int rc;

	(void)res;
	form_init(&f);
	if (case_form(c, req->param, ACCESS_WORK_CASE, &f))
		goto out;
	in = (struct location_input){
		.kind = page_field(&f, "kind"), .country = page_field(&f, "country"),
		.region = page_field(&f, "region"), .city = page_field(&f, "city"),
		.address = page_field(&f, "address"), .description = page_field(&f, "description"),
	};
	rc = cases_add_location(c->app, &c->user, req->param, &in, &errs, id);
	if (rc == VG_MERGED)
		page_merged(c, req->param);
	else if (rc == VG_INVAL && errs.count)
		render_case(c, req->param, 422, NULL, &errs);
	else
		changed(c, req->param, rc, "location");
out:
	form_release(&f);
}

/* API */

static void api_case_error(struct reqctx *c, int rc)
{
	if (rc == VG_NOTFOUND)
		api_error(c, 404, "not_found", "no case has this id");
	else if (rc == VG_FORBIDDEN)
		api_error(c, 403, "forbidden", "your role may not do this");
	else if (rc == VG_INVAL)
		api_error(c, 422, "invalid", "this change is not possible for this case");
	else
		api_error(c, page_status_of(rc), "internal", "the case could not be read or changed");
}

void api_case_list(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	struct case_filter f = {0};
	char after[CASE_ID_SIZE], next[96];
	const char *limit = http_query(req, "limit");
	json_t *arr;
	long n = 50;
	int rc;

	(void)res;
	if (limit && limit[0]) {
		char *end;

		n = strtol(limit, &end, 10);
		if (*end || n < 1 || n > CASE_LIST_MAX - 1) {
			api_error(c, 400, "bad_request", "limit is 1..199");
			return;
		}
	}
	if (read_filter(req, &f, after)) {
		api_error(c, 400, "bad_request", "a filter or the cursor is malformed");
		return;
	}
	arr = json_array();
	rc = list_page(c, &f, (int)n, arr, next, sizeof(next));
	if (rc) {
		json_decref(arr);
		api_case_error(c, rc);
		return;
	}
	api_json(c, 200, json_pack("{s:o, s:s?}", "cases", arr, "next", next[0] ? next : NULL));
}

void api_case_get(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	struct case_view v;
	int rc;

	(void)res;
	rc = access_case(c->app, &c->user, req->param, ACCESS_READ_CASE);
	if (!rc)
		rc = cases_view(c->app, &c->user, req->param, &v);
	if (rc) {
		api_case_error(c, rc);
		return;
	}
	api_json(c, 200, view_json(c, &v));
	case_view_release(&v);
}

static const char *jstr(json_t *body, const char *key)
{
	const char *s = json_string_value(json_object_get(body, key));

	return s ? s : "";
}

/* A string or an array of strings, comma-joined into out; "\x01" when neither. */
static const char *jlist(json_t *body, const char *key, char *out, size_t size)
{
	json_t *v = json_object_get(body, key), *e;
	size_t i, used = 0;

	out[0] = '\0';
	if (!v || json_is_string(v))
		return v ? json_string_value(v) : "";
	if (!json_is_array(v))
		return "\x01";
	json_array_foreach(v, i, e) {
		int n;

		if (!json_is_string(e))
			return "\x01";
		n = snprintf(out + used, size - used, "%s%s", used ? "," : "", json_string_value(e));
		if (n < 0 || (size_t)n >= size - used)
			return "\x01";
		used += (size_t)n;
	}
	return out;
}

/* Reads the body and makes the one access check of a changing API call. */
static const char *const status_keys[] = {"status"};
static const char *const merge_keys[] = {"into"};
static const char *const split_keys[] = {"tips"};
static const char *const person_keys[] = {
	"case_role", "age", "gender", "nationality", "process_roles", "control_methods",
	"exploitation", "industry", "trafficking_status", "name", "notes",
};
static const char *const location_keys[] = {
	"kind", "country", "region", "city", "address", "description",
};

/* Members whose value is a list: an array (or, for the person's, a string). */
static int list_member(const char *key)
{
	return !strcmp(key, "tips") || !strcmp(key, "process_roles") ||
	       !strcmp(key, "control_methods") || !strcmp(key, "exploitation");
}

/*
 * Refuses a member the endpoint does not know or of the wrong type,
 * answering 422 itself, so that a misspelt member is never silently
 * dropped. Members are strings; list members arrays (their elements are
 * checked where they are read).
 */
static int members_ok(struct reqctx *c, json_t *body, const char *const *keys, size_t n)
{
	const char *key;
	char msg[160];
	json_t *v;
	size_t i;

	json_object_foreach(body, key, v) {
		for (i = 0; i < n && strcmp(key, keys[i]); i++)
			;
		if (i == n) {
			snprintf(msg, sizeof(msg), "unknown member %.64s", key);
			api_error(c, 422, "invalid", msg);
			return VG_INVAL;
		}
		if ((json_is_string(v) && strcmp(key, "tips")) ||
		    (json_is_array(v) && list_member(key)))
			continue;
		snprintf(msg, sizeof(msg), "%.64s must be %s", key,
			 list_member(key) ? "a list of strings" : "a string");
		api_error(c, 422, "invalid", msg);
		return VG_INVAL;
	}
	return VG_OK;
}

/*
 * Makes the one access check of a changing API call, then reads the body
 * and checks its members against keys. Answers the error itself.
 */
static int api_change(struct reqctx *c, const char *id, enum access_op op,
		      const char *const *keys, size_t n, json_t **body)
{
	int rc = access_case(c->app, &c->user, id, op);

	if (rc) {
		api_case_error(c, rc);
		return rc;
	}
	rc = api_body(c, body);
	if (rc)
		return rc;
	rc = members_ok(c, *body, keys, n);
	if (rc)
		json_decref(*body);
	return rc;
}

static void api_errors(struct reqctx *c, const struct case_errors *errs)
{
	json_t *fields = json_array();
	size_t i;

	for (i = 0; i < errs->count; i++)
		json_array_append_new(fields, json_pack("{s:s, s:s}", "field", errs->e[i].field,
			"message", errs->e[i].msg));
	api_json(c, 422, json_pack("{s:{s:s, s:s, s:o}}", "error", "code", "invalid",
		"message", "some fields are not valid", "fields", fields));
}

void api_case_status(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	json_t *body;
	int rc;

	(void)res;
	if (api_change(c, req->param, ACCESS_WORK_CASE, status_keys, ARRAY_SIZE(status_keys),
		       &body))
		return;
	rc = cases_set_status(c->app, &c->user, req->param, jstr(body, "status"));
	if (rc)
		api_case_error(c, rc);
	else
		api_json(c, 200, json_pack("{s:s, s:s}", "id", req->param, "status",
					   jstr(body, "status")));
	json_decref(body);
}

void api_case_merge(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	char into[CASE_ID_SIZE];
	json_t *body;
	int rc;

	(void)res;
	if (api_change(c, req->param, ACCESS_MERGE, merge_keys, ARRAY_SIZE(merge_keys),
		       &body))
		return;
	/* An id too long to be one is no case, never a truncated other one. */
	rc = strlen(jstr(body, "into")) < sizeof(into) ? VG_OK : VG_NOTFOUND;
	snprintf(into, sizeof(into), "%s", jstr(body, "into"));
	json_decref(body);
	if (!rc)
		rc = access_case(c->app, &c->user, into, ACCESS_MERGE);
	if (!rc)
		rc = cases_merge(c->app, &c->user, req->param, into);
	if (rc)
		api_case_error(c, rc);
	else
		api_json(c, 200, json_pack("{s:s, s:s}", "merged", req->param, "into", into));
}

void api_case_split(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	const char *tips[CASE_SPLIT_MAX];
	char new_id[CASE_ID_SIZE];
	json_t *body, *arr, *e;
	size_t i, n = 0;
	int rc = VG_OK;

	(void)res;
	if (api_change(c, req->param, ACCESS_MERGE, split_keys, ARRAY_SIZE(split_keys),
		       &body))
		return;
	arr = json_object_get(body, "tips");
	if (!json_is_array(arr) || json_array_size(arr) > CASE_SPLIT_MAX)
		rc = VG_INVAL;
	json_array_foreach(arr, i, e) {
		if (!json_is_string(e))
			rc = VG_INVAL;
		else if (n < CASE_SPLIT_MAX)
			tips[n++] = json_string_value(e);
	}
	if (!rc)
		rc = cases_split(c->app, &c->user, req->param, tips, n, new_id);
	json_decref(body);
	if (rc)
		api_case_error(c, rc);
	else
		api_json(c, 201, json_pack("{s:s, s:s}", "from", req->param, "id", new_id));
}

/* Reads a person from a JSON body; the lists may be strings or arrays. */
static struct person_input person_body(json_t *body, struct person_lists *l)
{
	return (struct person_input){
		.case_role = jstr(body, "case_role"), .age = jstr(body, "age"),
		.gender = jstr(body, "gender"), .nationality = jstr(body, "nationality"),
		.process_roles = jlist(body, "process_roles", l->roles, sizeof(l->roles)),
		.control_methods = jlist(body, "control_methods", l->methods, sizeof(l->methods)),
		.exploitation = jlist(body, "exploitation", l->expl, sizeof(l->expl)),
		.industry = jstr(body, "industry"),
		.trafficking_status = jstr(body, "trafficking_status"),
		.name = jstr(body, "name"), .notes = jstr(body, "notes"),
	};
}

void api_case_person(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	char id[CASE_ID_SIZE];
	struct case_errors errs = {0};
	struct person_lists lists;
	struct person_input in;
	json_t *body;
	int rc;

	(void)res;
	if (api_change(c, req->param, ACCESS_WORK_CASE, person_keys, ARRAY_SIZE(person_keys),
		       &body))
		return;
	in = person_body(body, &lists);
	rc = cases_add_person(c->app, &c->user, req->param, &in, &errs, id);
	json_decref(body);
	if (rc == VG_MERGED)
		page_merged(c, req->param);
	else if (rc == VG_INVAL && errs.count)
		api_errors(c, &errs);
	else if (rc)
		api_case_error(c, rc);
	else
		api_json(c, 201, json_pack("{s:s}", "id", id));
}

void api_person_update(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	char case_id[CASE_ID_SIZE];
	struct case_errors errs = {0};
	struct person_lists lists;
	struct person_input in;
	json_t *body;
	int rc;

	(void)res;
	rc = person_allowed(c, case_id);
	if (rc) {
		if (rc == VG_NOTFOUND)
			api_error(c, 404, "not_found", "no person has this id");
		else
			api_case_error(c, rc);
		return;
	}
	if (api_body(c, &body))
		return;
	if (members_ok(c, body, person_keys, ARRAY_SIZE(person_keys))) {
		json_decref(body);
		return;
	}
	in = person_body(body, &lists);
	rc = cases_update_person(c->app, &c->user, case_id, req->param, &in, &errs);
	json_decref(body);
	if (rc == VG_MERGED)
		page_merged(c, case_id);
	else if (rc == VG_INVAL && errs.count)
		api_errors(c, &errs);
	else if (rc)
		api_case_error(c, rc);
	else
		api_json(c, 200, json_pack("{s:s, s:s}", "id", req->param, "case_id", case_id));
}

void api_case_location(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	struct case_errors errs = {0};
	struct location_input in;
	char id[CASE_ID_SIZE];
	json_t *body;
	int rc;

	(void)res;
	if (api_change(c, req->param, ACCESS_WORK_CASE, location_keys, ARRAY_SIZE(location_keys),
		       &body))
		return;
	in = (struct location_input){
		.kind = jstr(body, "kind"), .country = jstr(body, "country"),
		.region = jstr(body, "region"), .city = jstr(body, "city"),
		.address = jstr(body, "address"), .description = jstr(body, "description"),
	};
	rc = cases_add_location(c->app, &c->user, req->param, &in, &errs, id);
	json_decref(body);
	if (rc == VG_MERGED)
		page_merged(c, req->param);
	else if (rc == VG_INVAL && errs.count)
		api_errors(c, &errs);
	else if (rc)
		api_case_error(c, rc);
	else
		api_json(c, 201, json_pack("{s:s}", "id", id));
}

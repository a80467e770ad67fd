#include "base/compat.h"
#include "app/cases.h"
#include "base/clock.h"
#include "base/files.h"
#include "base/log.h"
#include "base/text.h"
#include "crypto/seal.h"
#include "crypto/token.h"
#include "app/access.h"
#include "web/i18n.h"

#include <sodium.h>

#define PICKLIST_FILE_MAX (256 * 1024)
#define PICK_SLUG_MAX 48
#define PICK_FIELD_MAX 24
#define PICK_LABEL_MAX 96
/* A one-line field: a name, a city. */
#define CASES_LINE_MAX 200

struct pick {
	char field[PICK_FIELD_MAX];
	char slug[PICK_SLUG_MAX];
	char label[PICK_LABEL_MAX];
};

struct case_picklists {
	struct pick *v;
	size_t n;
};

/* Fields every picklist file must have at least one value for. */
static const char *const pick_fields[] = {
	"case_role", "trafficking_status", "gender", "process_role", "control_method",
	"exploitation", "industry", "location_kind",
};

static int slug_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n >= PICK_SLUG_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

/* Copies the next tab-separated field of *p (up to end) into out. */
static int next_field(const char **p, const char *end, char *out, size_t size)
{
	const char *tab = memchr(*p, '\t', (size_t)(end - *p));
	size_t n = tab ? (size_t)(tab - *p) : (size_t)(end - *p);

	if (n >= size)
		return VG_TOOBIG;
	memcpy(out, *p, n);
	out[n] = '\0';
	*p = tab ? tab + 1 : end;
	return VG_OK;
}

static int parse_picklists(const char *path, const char *text, struct case_picklists *pl)
{
	const char *line = text;
	int header = 0, lineno = 0, rc = VG_OK;
	size_t i, j;

	while (*line && !rc) {
		const char *end = strchr(line, '\n');
		const char *p = line;
		struct pick k;
		char htcds[256];

		end = end ? end : line + strlen(line);
		lineno++;
		if (end == line || *line == '#') {
			line = *end ? end + 1 : end;
			continue;
		}
		rc = next_field(&p, end, k.field, sizeof(k.field));
		if (!rc)
			rc = next_field(&p, end, k.slug, sizeof(k.slug));
		if (!rc)
			rc = next_field(&p, end, k.label, sizeof(k.label));
		if (!rc)
			rc = next_field(&p, end, htcds, sizeof(htcds));
		if (rc || p != end) {
			log_error("%s:%d: expected field, slug, label, htcds", path, lineno);
			return VG_INVAL;
		}
		if (!header) {
			header = 1;
			line = *end ? end + 1 : end;
			continue;
		}
		/*
		 * The field and the label become JSON keys and strings for the
		 * forms and the API, and the label a msgid on every page: both
		 * must be text that jansson and the templates take (fuzz_picklists
		 * found a label that was not UTF-8 loading and then failing every
		 * case form).
		 */
		if (!slug_ok(k.field, strlen(k.field)) || !slug_ok(k.slug, strlen(k.slug)) ||
		    !k.label[0] || text_check_line(k.label, strlen(k.label), sizeof(k.label))) {
			log_error("%s:%d: a field and a slug are [a-z0-9_] and every value needs a "
				  "label of one line of UTF-8 text", path, lineno);
			return VG_INVAL;
		}
		for (i = 0; i < pl->n; i++) {
			if (!strcmp(pl->v[i].field, k.field) && !strcmp(pl->v[i].slug, k.slug)) {
				log_error("%s:%d: %s %s is listed twice", path, lineno, k.field, k.slug);
				return VG_INVAL;
			}
		}
		{
			struct pick *grown = reallocarray(pl->v, pl->n + 1, sizeof(*pl->v));

			if (!grown)
				return VG_NOMEM;
			pl->v = grown;
			pl->v[pl->n++] = k;
		}
		line = *end ? end + 1 : end;
	}
	for (j = 0; j < ARRAY_SIZE(pick_fields); j++) {
		for (i = 0; i < pl->n && strcmp(pl->v[i].field, pick_fields[j]); i++)
			;
		if (i == pl->n) {
			log_error("%s: no values for %s", path, pick_fields[j]);
			return VG_INVAL;
		}
	}
	return rc;
}

int cases_load(struct app *app)
{
	struct case_picklists *pl = calloc(1, sizeof(*pl));
	struct file_set fs;
	char path[CONFIG_PATH_MAX + 32], err[256];
	int rc;

	if (!pl)
		return VG_NOMEM;
	file_set_init(&fs);
	snprintf(path, sizeof(path), "%s/cases/picklists.tsv", app->cfg.rules_dir);
	rc = file_set_add(&fs, path, PICKLIST_FILE_MAX, err, sizeof(err));
	if (rc)
		log_error("case picklists: %s", err);
	else
		rc = parse_picklists(path, fs.v[0].text, pl);
	file_set_release(&fs);
	if (rc) {
		cases_picklists_free(pl);
		return rc;
	}
	cases_picklists_free(app->picklists);
	app->picklists = pl;
	return VG_OK;
}

void cases_picklists_free(struct case_picklists *p)
{
	if (!p)
		return;
	free(p->v);
	free(p);
}

int cases_pick_valid(const struct app *app, const char *field, const char *slug)
{
	size_t i;

	if (!app->picklists || !slug)
		return 0;
	for (i = 0; i < app->picklists->n; i++)
		if (!strcmp(app->picklists->v[i].field, field) &&
		    !strcmp(app->picklists->v[i].slug, slug))
			return 1;
	return 0;
}

const char *cases_pick_label(const struct app *app, const char *field, const char *slug)
{
	size_t i;

	if (!app->picklists || !slug)
		return NULL;
	for (i = 0; i < app->picklists->n; i++)
		if (!strcmp(app->picklists->v[i].field, field) &&
		    !strcmp(app->picklists->v[i].slug, slug))
			return app->picklists->v[i].label;
	return NULL;
}

json_t *cases_picklists_json(const struct app *app)
{
	json_t *o = json_object();
	size_t i;

	if (!o)
		return NULL;
	for (i = 0; app->picklists && i < app->picklists->n; i++) {
		const struct pick *k = &app->picklists->v[i];
		json_t *arr = json_object_get(o, k->field);

		if (!arr) {
			arr = json_array();
			if (json_object_set_new(o, k->field, arr))
				goto fail;
		}
		if (json_array_append_new(arr, json_pack("{s:s, s:s}", "slug", k->slug,
							  "label", k->label)))
			goto fail;
	}
	return o;
fail:
	json_decref(o);
	return NULL;
}

const char *cases_status_label(const char *status)
{
	if (!strcmp(status, "active"))
		return N_("Active");
	if (!strcmp(status, "follow_up"))
		return N_("Follow-up");
	if (!strcmp(status, "closed"))
		return N_("Closed");
	if (!strcmp(status, "closed_referred"))
		return N_("Closed, referred");
	return N_("Merged");
}

int cases_open_for_tip(struct app *app, const char *tip_id, char case_id[CASE_ID_SIZE])
{
	char id[TOKEN_ID_SIZE];
	int rc;

	token_id(id);
	rc = store_case_open_for_tip(app->store, id, tip_id, clock_now());
	if (rc)
		return rc;
	app_audit_derived(app, "case.open", id, tip_id);
	snprintf(case_id, CASE_ID_SIZE, "%s", id);
	return VG_OK;
}

int cases_backlog(struct app *app, int64_t *opened)
{
	char ids[64][CASE_ID_SIZE];
	int64_t n = 0;
	size_t count, i;
	int rc;

	for (;;) {
		rc = store_case_backlog(app->store, ids, ARRAY_SIZE(ids), &count);
		if (rc || count == 0)
			break;
		for (i = 0; !rc && i < count; i++) {
			char case_id[CASE_ID_SIZE];

			rc = cases_open_for_tip(app, ids[i], case_id);
			/* Another server process may have opened it meanwhile. */
			if (rc == VG_EXISTS)
				rc = VG_OK;
			else if (!rc)
				n++;
		}
		if (rc)
			break;
	}
	if (rc)
		return rc;
	*opened = n;
	return VG_OK;
}

int cases_tip_screened(struct app *app, const char *tip_id)
{
	return store_case_refresh_tip(app->store, tip_id, clock_now());
}

int cases_list(struct app *app, const struct auth_user *u, const struct case_filter *f,
	       struct case_list *out)
{
	struct case_filter g = *f;
	int rc;

	g.viewer = access_sees_all(u) ? 0 : u->id;
	rc = store_case_list(app->store, &g, out);
	if (!rc)
		app_audit(app, u->id, "case.list", NULL, NULL);
	return rc;
}

static int seal_text(struct app *app, const char *table, const char *column, const char *id,
		     const char *text, struct sealed *out)
{
	char ad[96];

	out->data = NULL;
	out->len = 0;
	if (!text || !text[0])
		return VG_OK;
	snprintf(ad, sizeof(ad), "%s/%s/%s", table, column, id);
	return seal_encrypt(&app->keys, ad, text, strlen(text), &out->data, &out->len);
}

/* Opens a sealed field into a JSON string (NULL-safe: "" when absent). */
static int open_text(struct app *app, const char *table, const char *column, const char *id,
		     const struct sealed *in, json_t *obj, const char *key)
{
	char ad[96], *text = NULL;
	size_t len = 0;
	int rc;

	if (!in->data)
		return json_object_set_new(obj, key, json_string("")) ? VG_NOMEM : VG_OK;
	snprintf(ad, sizeof(ad), "%s/%s/%s", table, column, id);
	rc = seal_decrypt(&app->keys, ad, in->data, in->len, &text, &len);
	if (rc)
		return rc;
	rc = json_object_set_new(obj, key, json_stringn(text, len)) ? VG_NOMEM : VG_OK;
	sodium_memzero(text, len);
	free(text);
	return rc;
}

json_t *cases_row_json(const struct case_row *c)
{
	char created[CLOCK_ISO_SIZE], updated[CLOCK_ISO_SIZE], closed[CLOCK_ISO_SIZE] = "";

	clock_iso(c->created_at, created);
	clock_iso(c->updated_at, updated);
	if (c->closed_at)
		clock_iso(c->closed_at, closed);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:s, s:s, "
			 "s:s, s:I, s:I, s:I, s:b, s:i}",
		"id", c->id, "status", c->status, "created_at", created,
		"updated_at", updated, "closed_at", closed, "merged_into", c->merged_into,
		"urgency", c->urgency, "danger_now", c->danger_now,
		"screen_status", c->screen_status, "kinds", c->kinds,
		"typology", c->typology, "country", c->country, "region", c->region,
		"city", c->city, "tips", (json_int_t)c->ntips,
		"assignee_user", (json_int_t)c->assignee_user,
		"assignee_team", (json_int_t)c->assignee_team,
		"restricted", c->restricted, "urgency_rank", c->urgency_rank);
}

static json_t *person_json(struct app *app, const struct person_row *p, int *rc)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
		"id", p->id, "case_role", p->case_role, "gender", p->gender,
		"nationality", p->nationality, "process_roles", p->process_roles,
		"control_methods", p->control_methods, "exploitation", p->exploitation,
		"industry", p->industry, "trafficking_status", p->trafficking_status,
		"age", "");

	*rc = o ? VG_OK : VG_NOMEM;
	if (!o)
		return NULL;
	if (p->age_min >= 0 && p->age_max >= 0) {
		char age[32];

		if (p->age_min == p->age_max)
			snprintf(age, sizeof(age), "%d", p->age_min);
		else
			snprintf(age, sizeof(age), "%d-%d", p->age_min, p->age_max);
		json_object_set_new(o, "age", json_string(age));
		json_object_set_new(o, "age_min", json_integer(p->age_min));
		json_object_set_new(o, "age_max", json_integer(p->age_max));
		json_object_set_new(o, "minor", json_boolean(p->age_min < 18));
	}
	*rc = open_text(app, "persons", "name", p->id, &p->name, o, "name");
	if (!*rc)
		*rc = open_text(app, "persons", "notes", p->id, &p->notes, o, "notes");
	if (*rc) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *location_json(struct app *app, const struct location_row *l, int *rc)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", l->id, "kind", l->kind,
			      "country", l->country, "region", l->region, "city", l->city);

	*rc = o ? VG_OK : VG_NOMEM;
	if (!o)
		return NULL;
	*rc = open_text(app, "locations", "address", l->id, &l->address, o, "address");
	if (!*rc)
		*rc = open_text(app, "locations", "description", l->id, &l->description, o,
				"description");
	if (*rc) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int cases_view(struct app *app, const struct auth_user *u, const char *id, struct case_view *out)
{
	struct case_view v = {0};
	struct person_list pl = {0};
	struct location_list ll = {0};
	size_t i;
	int rc;

	rc = store_case_get(app->store, id, &v.row);
	if (rc)
		return rc;
	v.persons = json_array();
	v.locations = json_array();
	if (!v.persons || !v.locations) {
		rc = VG_NOMEM;
		goto out;
	}
	rc = store_case_tips(app->store, id, &v.tips);
	if (!rc)
		rc = store_case_events(app->store, id, &v.events);
	if (!rc)
		rc = store_person_list(app->store, id, &pl);
	for (i = 0; !rc && i < pl.count; i++) {
		json_t *p = person_json(app, &pl.rows[i], &rc);

		if (!rc && json_array_append_new(v.persons, p))
			rc = VG_NOMEM;
	}
	if (!rc)
		rc = store_location_list(app->store, id, &ll);
	for (i = 0; !rc && i < ll.count; i++) {
		json_t *l = location_json(app, &ll.rows[i], &rc);

		if (!rc && json_array_append_new(v.locations, l))
			rc = VG_NOMEM;
	}
out:
	person_list_release(&pl);
	location_list_release(&ll);
	if (rc) {
		case_view_release(&v);
		return rc;
	}
	app_audit(app, u->id, "case.read", id, NULL);
	*out = v;
	return VG_OK;
}

void case_view_release(struct case_view *v)
{
	case_row_release(&v->row);
	case_tip_list_release(&v->tips);
	case_event_list_release(&v->events);
	json_decref(v->persons);
	json_decref(v->locations);
	memset(v, 0, sizeof(*v));
}

int cases_set_status(struct app *app, const struct auth_user *u, const char *id,
		     const char *status)
{
	char detail[48];
	int rc = store_case_set_status(app->store, id, status, u->id, clock_now());

	if (rc)
		return rc;
	snprintf(detail, sizeof(detail), "status=%s", status);
	app_audit(app, u->id, "case.status", id, detail);
	return VG_OK;
}

int cases_merge(struct app *app, const struct auth_user *u, const char *from, const char *into)
{
	char detail[48];
	int rc = store_case_merge(app->store, from, into, u->id, clock_now());

	if (rc)
		return rc;
	snprintf(detail, sizeof(detail), "into=%s", into);
	app_audit(app, u->id, "case.merge", from, detail);
	return VG_OK;
}

int cases_split(struct app *app, const struct auth_user *u, const char *id,
		const char *const *tip_ids, size_t n, char new_id[CASE_ID_SIZE])
{
	char nid[TOKEN_ID_SIZE], detail[48];
	int rc;

	token_id(nid);
	rc = store_case_split(app->store, id, nid, tip_ids, n, u->id, clock_now());
	if (rc)
		return rc;
	snprintf(detail, sizeof(detail), "new=%s tips=%zu", nid, n);
	app_audit(app, u->id, "case.split", id, detail);
	snprintf(new_id, CASE_ID_SIZE, "%s", nid);
	return VG_OK;
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

static void add_error(struct case_errors *errs, const char *field, const char *msg)
{
	if (errs->count < CASES_MAX_ERRORS) {
		errs->e[errs->count].field = field;
		errs->e[errs->count].msg = msg;
		errs->count++;
	}
}

/* Checks one optional picklist value. */
static void check_pick(struct app *app, struct case_errors *errs, const char *field,
		       const char *list, const char *v)
{
	if (nz(v)[0] && !cases_pick_valid(app, list, v))
		add_error(errs, field, N_("Choose a value from the list."));
}

/* Checks a comma-separated list of picklist values, each at most once. */
static void check_picks(struct app *app, struct case_errors *errs, const char *field,
			const char *list, const char *v)
{
	const char *p = nz(v);
	char slug[PICK_SLUG_MAX];

	if (strlen(p) > 1024) {
		add_error(errs, field, N_("This is too long."));
		return;
	}
	while (*p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n >= sizeof(slug) || n == 0) {
			add_error(errs, field, N_("Choose values from the list."));
			return;
		}
		memcpy(slug, p, n);
		slug[n] = '\0';
		if (!cases_pick_valid(app, list, slug)) {
			add_error(errs, field, N_("Choose values from the list."));
			return;
		}
		p = end ? end + 1 : p + n;
	}
}

static void check_text(struct case_errors *errs, const char *field, const char *v, int one_line)
{
	size_t len = strlen(nz(v));
	int rc = one_line ? text_check_line(nz(v), len, CASES_LINE_MAX) :
			    text_check(nz(v), len, CASES_TEXT_MAX);

	if (rc == VG_TOOBIG)
		add_error(errs, field, N_("This is too long."));
	else if (rc)
		add_error(errs, field, N_("This contains characters we cannot accept."));
}

/* Parses "17" or "14-17" (0..130); 0 on success. */
static int parse_age(const char *s, int *lo, int *hi)
{
	char *end;
	long a, b;

	errno = 0;
	a = strtol(s, &end, 10);
	if (end == s || errno || a < 0 || a > 130)
		return -1;
	b = a;
	if (*end == '-') {
		const char *q = end + 1;

		b = strtol(q, &end, 10);
		if (end == q || errno || b < a || b > 130)
			return -1;
	}
	if (*end)
		return -1;
	*lo = (int)a;
	*hi = (int)b;
	return 0;
}

/*
 * Checks a person as staff entered it and fills p's plain fields (pointing
 * into in and the geo table); VG_INVAL with errs naming each wrong field.
 */
static int person_check(struct app *app, const struct person_input *in, struct case_errors *errs,
			struct person_row *p)
{
	errs->count = 0;
	p->age_min = p->age_max = -1;
	if (!app->picklists)
		return VG_CONFIG;
	if (!nz(in->case_role)[0])
		add_error(errs, "case_role", N_("Choose the person's role in the case."));
	else
		check_pick(app, errs, "case_role", "case_role", in->case_role);
	if (nz(in->age)[0] && parse_age(in->age, &p->age_min, &p->age_max))
		add_error(errs, "age", N_("Give an age (17) or a range (14-17)."));
	check_pick(app, errs, "gender", "gender", in->gender);
	if (nz(in->nationality)[0] && !geo_country(app->geo, in->nationality))
		add_error(errs, "nationality", N_("Choose a country from the list."));
	check_picks(app, errs, "process_roles", "process_role", in->process_roles);
	check_picks(app, errs, "control_methods", "control_method", in->control_methods);
	check_picks(app, errs, "exploitation", "exploitation", in->exploitation);
	check_pick(app, errs, "industry", "industry", in->industry);
	check_pick(app, errs, "trafficking_status", "trafficking_status", in->trafficking_status);
	check_text(errs, "name", in->name, 1);
	check_text(errs, "notes", in->notes, 0);
	if (errs->count)
		return VG_INVAL;
	p->case_role = (char *)in->case_role;
	p->gender = (char *)nz(in->gender);
	p->nationality = (char *)(nz(in->nationality)[0] ?
				  geo_country(app->geo, in->nationality)->code : "");
	p->process_roles = (char *)nz(in->process_roles);
	p->control_methods = (char *)nz(in->control_methods);
	p->exploitation = (char *)nz(in->exploitation);
	p->industry = (char *)nz(in->industry);
	p->trafficking_status = (char *)(nz(in->trafficking_status)[0] ?
					 in->trafficking_status : "possible");
	return VG_OK;
}

/* Seals p's name and notes (ad by p->id) and stores p, new or changed. */
static int person_store(struct app *app, const struct person_input *in, struct person_row *p,
			int64_t user_id, int update)
{
	int rc;

	rc = seal_text(app, "persons", "name", p->id, in->name, &p->name);
	if (!rc)
		rc = seal_text(app, "persons", "notes", p->id, in->notes, &p->notes);
	if (!rc)
		rc = update ? store_person_update(app->store, p, user_id) :
			      store_person_insert(app->store, p);
	free(p->name.data);
	free(p->notes.data);
	return rc;
}

int cases_add_person(struct app *app, const struct auth_user *u, const char *case_id,
		     const struct person_input *in, struct case_errors *errs,
		     char id[CASE_ID_SIZE])
{
	struct person_row p = {0};
	char pid[TOKEN_ID_SIZE];
	int rc;

	rc = person_check(app, in, errs, &p);
	if (rc)
		return rc;
	token_id(pid);
	p.id = pid;
	p.case_id = (char *)case_id;
	p.created_at = p.updated_at = clock_now();
	p.created_by = u->id;
	rc = person_store(app, in, &p, u->id, 0);
	if (rc)
		return rc;
	app_audit(app, u->id, "case.person.add", case_id, pid);
	snprintf(id, CASE_ID_SIZE, "%s", pid);
	return VG_OK;
}

int cases_person_case(struct app *app, const char *person_id, char case_id[CASE_ID_SIZE])
{
	struct person_row p;
	int rc;

	rc = store_person_get(app->store, person_id, &p);
	if (rc)
		return rc;
	snprintf(case_id, CASE_ID_SIZE, "%s", p.case_id);
	person_row_release(&p);
	return VG_OK;
}

int cases_person(struct app *app, const struct auth_user *u, const char *person_id, json_t **out)
{
	struct person_row p;
	json_t *o;
	int rc;

	rc = store_person_get(app->store, person_id, &p);
	if (rc)
		return rc;
	o = person_json(app, &p, &rc);
	if (!rc) {
		json_object_set_new(o, "case_id", json_string(p.case_id));
		app_audit(app, u->id, "case.person.read", p.case_id, person_id);
		*out = o;
	}
	person_row_release(&p);
	return rc;
}

int cases_update_person(struct app *app, const struct auth_user *u, const char *case_id,
			const char *person_id, const struct person_input *in,
			struct case_errors *errs)
{
	struct person_row p = {0};
	int rc;

	rc = person_check(app, in, errs, &p);
	if (rc)
		return rc;
	p.id = (char *)person_id;
	p.case_id = (char *)case_id;
	p.updated_at = clock_now();
	rc = person_store(app, in, &p, u->id, 1);
	if (rc)
		return rc;
	app_audit(app, u->id, "case.person.change", case_id, person_id);
	return VG_OK;
}

int cases_add_location(struct app *app, const struct auth_user *u, const char *case_id,
		       const struct location_input *in, struct case_errors *errs,
		       char id[CASE_ID_SIZE])
{
	struct location_row l = {0};
	const struct geo_country *country = NULL;
	char lid[TOKEN_ID_SIZE], region[GEO_REGION_SIZE] = "";
	int rc;

	errs->count = 0;
	if (!app->picklists)
		return VG_CONFIG;
	check_pick(app, errs, "kind", "location_kind", in->kind);
	if (nz(in->country)[0]) {
		country = geo_country(app->geo, in->country);
		if (!country)
			add_error(errs, "country", N_("Choose a country from the list."));
	}
	if (nz(in->region)[0]) {
		if (!country)
			add_error(errs, "region", N_("A region needs a country."));
		else if (geo_region_find(app->geo, country->code, in->region, region))
			add_error(errs, "region", N_("This is not a region code of that country."));
	}
	check_text(errs, "city", in->city, 1);
	check_text(errs, "address", in->address, 0);
	check_text(errs, "description", in->description, 0);
	if (errs->count)
		return VG_INVAL;

	token_id(lid);
	l.id = lid;
	l.case_id = (char *)case_id;
	l.created_at = clock_now();
	l.created_by = u->id;
	l.kind = (char *)(nz(in->kind)[0] ? in->kind : "other");
	l.country = (char *)(country ? country->code : "");
	l.region = region;
	l.city = (char *)nz(in->city);
	rc = seal_text(app, "locations", "address", lid, in->address, &l.address);
	if (!rc)
		rc = seal_text(app, "locations", "description", lid, in->description,
			       &l.description);
	if (!rc)
		rc = store_location_insert(app->store, &l);
	free(l.address.data);
	free(l.description.data);
	if (rc)
		return rc;
	app_audit(app, u->id, "case.location.add", case_id, lid);
	snprintf(id, CASE_ID_SIZE, "%s", lid);
	return VG_OK;
}

/*
 * Cases against a real data directory: a case for every tip, the backlog,
 * derived triage fields, merge, split, person validation, the queue order,
 * its filters and keyset paging.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/compat.h"
#include "app/cases.h"
#include "app/links.h"
#include "app/tip.h"
#include "app/work.h"
#include "store/meetings.h"
#include "crypto/keys.h"
#include "crypto/token.h"

#include <sodium.h>
#include <sys/stat.h>

struct fixture {
	char dir[64];
	struct app app;
	struct auth_user admin;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	char path[128];

	assert_non_null(fx);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/vigil-cases-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(path, sizeof(path), "%s/keys", fx->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/keys/master.key", fx->dir);
	assert_int_equal(keys_create(path), VG_OK);
	assert_int_equal(app_open(fx->dir, &fx->app), VG_OK);
	assert_int_equal(cases_load(&fx->app), VG_OK);
	snprintf(fx->admin.role, sizeof(fx->admin.role), "admin");
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[128];

	app_release(&fx->app);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	assert_int_equal(system(cmd), 0);
	free(fx);
	return 0;
}

/* Stores a tip straight through the store (no case), with the given screening. */
static void raw_tip(struct fixture *fx, char id[TOKEN_ID_SIZE], int64_t at,
		    const char *urgency, const char *kinds, const char *region)
{
	struct tip_row t = {0};
	unsigned char n[5] = "narr";

	token_id(id);
	t.id = id;
	t.created_at = t.updated_at = at;
	t.status = (char *)"new";
	t.source = (char *)"api";
	t.country = (char *)(region[0] ? "US" : "");
	t.region = (char *)region;
	t.city = (char *)"";
	t.language = (char *)"en";
	randombytes_buf(t.receipt_index, sizeof(t.receipt_index));
	t.narrative.data = n;
	t.narrative.len = 4;
	t.screened_at = at;
	t.screen_status = (char *)"possible";
	t.urgency = (char *)urgency;
	t.kinds = (char *)kinds;
	t.typology = (char *)"";
	assert_int_equal(store_tip_insert(fx->app.store, &t), VG_OK);
}

static void test_submit_opens_case(void **state)
{
	struct fixture *fx = *state;
	struct tip_input in = { .narrative = "They took my passport.", .source = "api" };
	struct tip_errors errs;
	struct tip_receipt r;
	struct case_row c;

	assert_int_equal(tip_submit(&fx->app, &in, &errs, &r), VG_OK);
	assert_int_equal(store_case_by_tip(fx->app.store, r.id, &c), VG_OK);
	assert_string_equal(c.status, "active");
	assert_int_equal(c.ntips, 1);
	assert_int_equal(strlen(c.id), 16);
	case_row_release(&c);
}

static void test_backlog_and_derived(void **state)
{
	struct fixture *fx = *state;
	char a[TOKEN_ID_SIZE], b[TOKEN_ID_SIZE], id[CASE_ID_SIZE];
	struct case_row ca, cb;
	int64_t opened = 0;

	raw_tip(fx, a, 1000, "routine", "labor", "CA");
	raw_tip(fx, b, 2000, "crisis", "sex", "");
	assert_int_equal(store_case_by_tip(fx->app.store, a, &ca), VG_NOTFOUND);
	assert_int_equal(cases_backlog(&fx->app, &opened), VG_OK);
	assert_int_equal(opened, 2);
	/* Run again: nothing left, and a tip never gets a second case. */
	assert_int_equal(cases_backlog(&fx->app, &opened), VG_OK);
	assert_int_equal(opened, 0);
	assert_int_equal(cases_open_for_tip(&fx->app, a, id), VG_EXISTS);

	assert_int_equal(store_case_by_tip(fx->app.store, a, &ca), VG_OK);
	assert_int_equal(store_case_by_tip(fx->app.store, b, &cb), VG_OK);
	/* A case opened for one tip carries that tip's triage fields. */
	assert_string_equal(ca.urgency, "routine");
	assert_int_equal(ca.urgency_rank, 2);
	assert_string_equal(ca.region, "CA");
	assert_string_equal(ca.country, "US");
	assert_string_equal(ca.kinds, "labor");
	assert_string_equal(ca.screen_status, "possible");
	assert_int_equal(ca.ntips, 1);
	assert_string_equal(cb.urgency, "crisis");
	assert_int_equal(cb.urgency_rank, 0);
	assert_string_equal(cb.kinds, "sex");
	assert_string_equal(cb.country, "");
	assert_string_equal(cb.region, "");
	assert_int_equal(cases_merge(&fx->app, &fx->admin, cb.id, ca.id), VG_OK);
	case_row_release(&ca);
	assert_int_equal(store_case_by_tip(fx->app.store, b, &ca), VG_OK);
	/* The worst urgency and the union of kinds, after the merge. */
	assert_string_equal(ca.urgency, "crisis");
	assert_string_equal(ca.kinds, "labor,sex");
	assert_int_equal(ca.ntips, 2);
	case_row_release(&ca);
	case_row_release(&cb);
}

static void test_merge_split(void **state)
{
	struct fixture *fx = *state;
	char a[TOKEN_ID_SIZE], b[TOKEN_ID_SIZE], c2[TOKEN_ID_SIZE], new_id[CASE_ID_SIZE];
	char ida[CASE_ID_SIZE], idb[CASE_ID_SIZE], idc[CASE_ID_SIZE];
	struct case_row from, to;
	struct case_event_list ev;
	const char *move[1];
	const char *all[2];
	int64_t opened;

	raw_tip(fx, a, 1000, "routine", "", "");
	raw_tip(fx, b, 1100, "priority", "", "");
	raw_tip(fx, c2, 1200, "routine", "", "");
	assert_int_equal(cases_backlog(&fx->app, &opened), VG_OK);
	assert_int_equal(store_case_by_tip(fx->app.store, a, &to), VG_OK);
	snprintf(ida, sizeof(ida), "%s", to.id);
	case_row_release(&to);
	assert_int_equal(store_case_by_tip(fx->app.store, b, &from), VG_OK);
	snprintf(idb, sizeof(idb), "%s", from.id);
	case_row_release(&from);
	assert_int_equal(store_case_by_tip(fx->app.store, c2, &from), VG_OK);
	snprintf(idc, sizeof(idc), "%s", from.id);
	case_row_release(&from);

	assert_int_equal(cases_merge(&fx->app, &fx->admin, ida, ida), VG_INVAL);
	assert_int_equal(cases_merge(&fx->app, &fx->admin, idb, ida), VG_OK);
	assert_int_equal(cases_merge(&fx->app, &fx->admin, idb, idc), VG_INVAL);
	assert_int_equal(store_case_get(fx->app.store, idb, &from), VG_OK);
	assert_string_equal(from.status, "merged");
	assert_string_equal(from.merged_into, ida);
	assert_int_equal(from.ntips, 0);
	case_row_release(&from);
	assert_int_equal(store_case_events(fx->app.store, ida, &ev), VG_OK);
	assert_string_equal(ev.rows[ev.count - 1].kind, "merged_from");
	assert_string_equal(ev.rows[ev.count - 1].other_case, idb);
	case_event_list_release(&ev);

	/* A case keeps at least one tip; a tip from elsewhere is refused. */
	all[0] = a;
	all[1] = b;
	assert_int_equal(cases_split(&fx->app, &fx->admin, ida, all, 2, new_id), VG_INVAL);
	move[0] = c2;
	assert_int_equal(cases_split(&fx->app, &fx->admin, ida, move, 1, new_id), VG_INVAL);
	move[0] = b;
	assert_int_equal(cases_split(&fx->app, &fx->admin, ida, move, 1, new_id), VG_OK);
	assert_int_equal(store_case_by_tip(fx->app.store, b, &to), VG_OK);
	assert_string_equal(to.id, new_id);
	assert_string_equal(to.urgency, "priority");
	case_row_release(&to);
	assert_int_equal(store_case_get(fx->app.store, ida, &to), VG_OK);
	assert_string_equal(to.urgency, "routine");
	assert_int_equal(to.ntips, 1);
	case_row_release(&to);
}

/* The id of the case holding tip tip_id, into id. */
static void case_of(struct fixture *fx, const char *tip_id, char id[CASE_ID_SIZE])
{
	struct case_row c;

	assert_int_equal(store_case_by_tip(fx->app.store, tip_id, &c), VG_OK);
	snprintf(id, CASE_ID_SIZE, "%s", c.id);
	case_row_release(&c);
}

/* Puts case_id on the agenda of meeting_id, which answers want. */
static void on_agenda_rc(struct fixture *fx, const char *meeting_id, const char *case_id,
			 int want)
{
	struct agenda_row a = {0};
	char id[TOKEN_ID_SIZE];

	token_id(id);
	a.id = id;
	a.meeting_id = (char *)meeting_id;
	a.case_id = (char *)case_id;
	a.safety_status = (char *)"unknown";
	a.updated_at = 1;
	a.updated_by = fx->admin.id;
	assert_int_equal(store_agenda_insert(fx->app.store, &a), want);
}

/* Adds case_id to the agenda of meeting_id. */
static void on_agenda(struct fixture *fx, const char *meeting_id, const char *case_id)
{
	on_agenda_rc(fx, meeting_id, case_id, VG_OK);
}

static void new_meeting(struct fixture *fx, int64_t team, char id[TOKEN_ID_SIZE])
{
	struct meeting_row m = {0};

	token_id(id);
	m.id = id;
	m.team_id = team;
	m.starts_at = 5000;
	m.title = (char *)"Weekly";
	m.place = (char *)"Room 1";
	m.status = (char *)"scheduled";
	m.created_at = m.updated_at = 1;
	m.created_by = fx->admin.id;
	assert_int_equal(store_meeting_insert(fx->app.store, &m), VG_OK);
}

/*
 * Merging moves the case's notes, tasks and agenda items; an agenda item
 * that would put the case twice on one meeting stays with the merged case.
 * The case merged into, and a case split off, wait since their oldest tip.
 */
static void test_merge_moves_work(void **state)
{
	struct fixture *fx = *state;
	char a[TOKEN_ID_SIZE], b[TOKEN_ID_SIZE], note[TOKEN_ID_SIZE], task[TOKEN_ID_SIZE];
	char m1[TOKEN_ID_SIZE], m2[TOKEN_ID_SIZE], ida[CASE_ID_SIZE], idb[CASE_ID_SIZE];
	char new_id[CASE_ID_SIZE];
	struct work_task_input ti = { .title = "Call the shelter back" };
	struct agenda_list al;
	struct case_row c;
	const char *move[1];
	int64_t opened, team, n;
	json_t *tasks;

	assert_int_equal(auth_user_add(&fx->app, "sam", "supervisor", "a long password 123", 0,
				       &fx->admin.id), VG_OK);
	raw_tip(fx, a, 2000, "routine", "", "");
	raw_tip(fx, b, 1000, "routine", "", "");
	assert_int_equal(cases_backlog(&fx->app, &opened), VG_OK);
	case_of(fx, a, ida);
	case_of(fx, b, idb);
	assert_int_equal(work_note_add(&fx->app, idb, fx->admin.id, "Spoke to her aunt.", 18, note),
			 VG_OK);
	assert_int_equal(work_task_add(&fx->app, idb, fx->admin.id, &ti, task), VG_OK);
	assert_int_equal(work_team_add(&fx->app, "mdt", "mdt", &team), VG_OK);
	new_meeting(fx, team, m1);
	new_meeting(fx, team, m2);
	on_agenda(fx, m1, ida);
	on_agenda(fx, m1, idb);
	on_agenda(fx, m2, idb);

	assert_int_equal(cases_merge(&fx->app, &fx->admin, idb, ida), VG_OK);
	assert_int_equal(store_note_count(fx->app.store, ida, &n), VG_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_note_count(fx->app.store, idb, &n), VG_OK);
	assert_int_equal(n, 0);
	assert_int_equal(work_tasks(&fx->app, ida, 3000, &tasks), VG_OK);
	assert_int_equal(json_array_size(tasks), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(tasks, 0), "id")), task);
	json_decref(tasks);
	/* m2's item moved; on m1 the case already was, so b's item stays with b. */
	assert_int_equal(store_agenda_list(fx->app.store, m2, &al), VG_OK);
	assert_int_equal(al.count, 1);
	assert_string_equal(al.rows[0].case_id, ida);
	agenda_list_release(&al);
	assert_int_equal(store_agenda_list(fx->app.store, m1, &al), VG_OK);
	assert_int_equal(al.count, 2);
	assert_string_equal(al.rows[0].case_id, ida);
	assert_string_equal(al.rows[1].case_id, idb);
	agenda_list_release(&al);
	/* b's tip is the older: the merged case has waited since it arrived. */
	assert_int_equal(store_case_get(fx->app.store, ida, &c), VG_OK);
	assert_int_equal(c.created_at, 1000);
	case_row_release(&c);

	/*
	 * The merged case takes no new work: a note, a task, an entity or an
	 * agenda item answer VG_MERGED and nothing is stored; the case it was
	 * merged into takes them, closed or not (follow-up after closing).
	 */
	assert_int_equal(work_note_add(&fx->app, idb, fx->admin.id, "Late note.", 10, note),
			 VG_MERGED);
	assert_int_equal(work_task_add(&fx->app, idb, fx->admin.id, &ti, task), VG_MERGED);
	assert_int_equal(links_add(&fx->app, &fx->admin, idb, "phone", "(510) 555-0142", "US"),
			 VG_MERGED);
	on_agenda_rc(fx, m2, idb, VG_MERGED);
	assert_int_equal(store_note_count(fx->app.store, idb, &n), VG_OK);
	assert_int_equal(n, 0);
	assert_int_equal(cases_set_status(&fx->app, &fx->admin, ida, "closed"), VG_OK);
	assert_int_equal(work_note_add(&fx->app, ida, fx->admin.id, "Late note.", 10, note), VG_OK);
	assert_int_equal(work_task_add(&fx->app, ida, fx->admin.id, &ti, task), VG_OK);
	assert_int_equal(links_add(&fx->app, &fx->admin, ida, "phone", "(510) 555-0142", "US"),
			 VG_OK);
	assert_int_equal(cases_set_status(&fx->app, &fx->admin, ida, "active"), VG_OK);

	/* Split off, a's tip (2000) makes a case that waits since 2000, not now. */
	move[0] = a;
	assert_int_equal(cases_split(&fx->app, &fx->admin, ida, move, 1, new_id), VG_OK);
	assert_int_equal(store_case_get(fx->app.store, new_id, &c), VG_OK);
	assert_int_equal(c.created_at, 2000);
	case_row_release(&c);
}

/* Writes a picklists file of a header, lines and one value for every other field. */
static int load_picklists(struct fixture *fx, const char *lines)
{
	char path[192];
	FILE *f;

	snprintf(fx->app.cfg.rules_dir, sizeof(fx->app.cfg.rules_dir), "%s/rules", fx->dir);
	snprintf(path, sizeof(path), "%s/rules", fx->dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/rules/cases", fx->dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/rules/cases/picklists.tsv", fx->dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("field\tslug\tlabel\thtcds\n"
	      "trafficking_status\tpossible\tPossible\tx\ngender\tfemale\tFemale\tx\n"
	      "process_role\trecruiter\tRecruiter\tx\ncontrol_method\tthreats\tThreats\tx\n"
	      "exploitation\tsex\tSex\tx\nindustry\tfarm\tFarm\tx\nlocation_kind\thome\tHome\tx\n", f);
	fputs(lines, f);
	assert_int_equal(fclose(f), 0);
	return cases_load(&fx->app);
}

/*
 * A picklist's field and label must be one line of UTF-8 text: they become
 * JSON and page text (fuzz/regressions/picklists/label-not-utf8). A file
 * refused leaves the picklists loaded before in force.
 */
static void test_picklists_refused(void **state)
{
	struct fixture *fx = *state;
	json_t *o;

	assert_int_equal(load_picklists(fx, "case_role\tvictim\tVictim\tx\n"), VG_OK);
	assert_true(cases_pick_valid(&fx->app, "case_role", "victim"));
	assert_int_equal(load_picklists(fx, "case_role\tother\tPla\x95\x9a of work\tx\n"), VG_INVAL);
	assert_int_equal(load_picklists(fx, "case_role\tother\tTwo\x01parts\tx\n"), VG_INVAL);
	assert_int_equal(load_picklists(fx, "Case_Role\tother\tOther\tx\n"), VG_INVAL);
	assert_int_equal(load_picklists(fx, "case_role\tother\t\tx\n"), VG_INVAL);
	assert_true(cases_pick_valid(&fx->app, "case_role", "victim"));
	assert_false(cases_pick_valid(&fx->app, "case_role", "other"));
	o = cases_picklists_json(&fx->app);
	assert_non_null(o);
	json_decref(o);
}

static void test_person_validation(void **state)
{
	struct fixture *fx = *state;
	char t[TOKEN_ID_SIZE], pid[CASE_ID_SIZE];
	struct case_errors errs;
	struct person_input bad = { .case_role = "boss", .age = "17-14", .gender = "x",
				    .control_methods = "threats,levitation", .nationality = "ZZ" };
	struct person_input good = { .case_role = "potential_victim", .age = "14-17",
				     .control_methods = "threats,withholds_documents",
				     .nationality = "mx", .name = "Synthetic Name" };
	struct case_row c;
	struct case_view v;
	int64_t opened;

	raw_tip(fx, t, 1000, "routine", "", "");
	assert_int_equal(cases_backlog(&fx->app, &opened), VG_OK);
	assert_int_equal(store_case_by_tip(fx->app.store, t, &c), VG_OK);
	assert_int_equal(cases_add_person(&fx->app, &fx->admin, c.id, &bad, &errs, pid), VG_INVAL);
	assert_int_equal(errs.count, 5);
	assert_string_equal(errs.e[0].field, "case_role");
	assert_string_equal(errs.e[1].field, "age");
	assert_string_equal(errs.e[2].field, "gender");
	assert_string_equal(errs.e[3].field, "nationality");
	assert_string_equal(errs.e[4].field, "control_methods");
	assert_int_equal(cases_add_person(&fx->app, &fx->admin, c.id, &good, &errs, pid), VG_OK);
	assert_int_equal(cases_view(&fx->app, &fx->admin, c.id, &v), VG_OK);
	assert_int_equal(json_array_size(v.persons), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(v.persons, 0), "name")),
			    "Synthetic Name");
	assert_string_equal(json_string_value(json_object_get(json_array_get(v.persons, 0), "age")),
			    "14-17");
	assert_string_equal(json_string_value(json_object_get(json_array_get(v.persons, 0),
			    "nationality")), "MX");
	case_view_release(&v);
	case_row_release(&c);
}

/*
 * Editing a person replaces every field, names wrong fields as adding
 * does, keeps the person in its case and records person_changed; a merged
 * case's persons cannot be edited and it takes no new ones (VG_MERGED).
 */
static void test_person_update(void **state)
{
	struct fixture *fx = *state;
	char a[TOKEN_ID_SIZE], b[TOKEN_ID_SIZE], pid[CASE_ID_SIZE], owner[CASE_ID_SIZE];
	char ida[CASE_ID_SIZE], idb[CASE_ID_SIZE];
	struct case_errors errs;
	struct person_input first = { .case_role = "potential_victim", .age = "16",
				      .notes = "Synthetic note", .name = "First Name" };
	struct person_input second = { .case_role = "suspected_exploiter",
				       .process_roles = "recruiter", .name = "Second Name" };
	struct person_input bad = { .case_role = "other", .industry = "space_mining" };
	struct case_event_list ev;
	json_t *p;
	int64_t opened;

	raw_tip(fx, a, 1000, "routine", "", "");
	raw_tip(fx, b, 1100, "routine", "", "");
	assert_int_equal(cases_backlog(&fx->app, &opened), VG_OK);
	case_of(fx, a, ida);
	case_of(fx, b, idb);
	assert_int_equal(cases_add_person(&fx->app, &fx->admin, idb, &first, &errs, pid), VG_OK);
	assert_int_equal(cases_person_case(&fx->app, pid, owner), VG_OK);
	assert_string_equal(owner, idb);
	assert_int_equal(cases_person_case(&fx->app, "ffffffffffffffff", owner), VG_NOTFOUND);

	assert_int_equal(cases_update_person(&fx->app, &fx->admin, idb, pid, &bad, &errs), VG_INVAL);
	assert_int_equal(errs.count, 1);
	assert_string_equal(errs.e[0].field, "industry");
	/* The person is in another case: nothing there to change. */
	assert_int_equal(cases_update_person(&fx->app, &fx->admin, ida, pid, &second, &errs),
			 VG_NOTFOUND);
	assert_int_equal(cases_update_person(&fx->app, &fx->admin, idb, pid, &second, &errs), VG_OK);
	assert_int_equal(cases_person(&fx->app, &fx->admin, pid, &p), VG_OK);
	assert_string_equal(json_string_value(json_object_get(p, "case_role")), "suspected_exploiter");
	assert_string_equal(json_string_value(json_object_get(p, "name")), "Second Name");
	assert_string_equal(json_string_value(json_object_get(p, "notes")), "");
	assert_string_equal(json_string_value(json_object_get(p, "age")), "");
	assert_string_equal(json_string_value(json_object_get(p, "process_roles")), "recruiter");
	assert_string_equal(json_string_value(json_object_get(p, "case_id")), idb);
	json_decref(p);
	assert_int_equal(store_case_events(fx->app.store, idb, &ev), VG_OK);
	assert_string_equal(ev.rows[ev.count - 1].kind, "person_changed");
	assert_string_equal(ev.rows[ev.count - 1].detail, pid);
	case_event_list_release(&ev);

	/* Merged away, the person moved with the case; the old case takes no edit. */
	assert_int_equal(cases_merge(&fx->app, &fx->admin, idb, ida), VG_OK);
	assert_int_equal(cases_person_case(&fx->app, pid, owner), VG_OK);
	assert_string_equal(owner, ida);
	assert_int_equal(cases_update_person(&fx->app, &fx->admin, idb, pid, &second, &errs),
			 VG_MERGED);
	/* Nor a new person or location: they belong on the case it was merged into. */
	assert_int_equal(cases_add_person(&fx->app, &fx->admin, idb, &second, &errs, pid),
			 VG_MERGED);
	assert_int_equal(cases_add_person(&fx->app, &fx->admin, ida, &second, &errs, pid), VG_OK);
}

static void test_queue_order_filters_paging(void **state)
{
	struct fixture *fx = *state;
	char t[6][TOKEN_ID_SIZE];
	struct case_filter f = { .limit = 2 };
	struct case_list l;
	struct case_row c;
	char after[CASE_ID_SIZE];
	const char *want[6];
	size_t seen = 0, i;
	int64_t opened;

	raw_tip(fx, t[0], 3000, "routine", "labor", "");
	raw_tip(fx, t[1], 1000, "routine", "sex", "");
	raw_tip(fx, t[2], 5000, "crisis", "sex", "NY");
	raw_tip(fx, t[3], 4000, "priority", "labor", "");
	raw_tip(fx, t[4], 2000, "priority", "labor", "NY");
	raw_tip(fx, t[5], 6000, "crisis", "labor", "");
	assert_int_equal(cases_backlog(&fx->app, &opened), VG_OK);
	/* Crisis first, then priority, then routine; oldest first within each. */
	want[0] = t[2];
	want[1] = t[5];
	want[2] = t[4];
	want[3] = t[3];
	want[4] = t[1];
	want[5] = t[0];
	for (;;) {
		assert_int_equal(cases_list(&fx->app, &fx->admin, &f, &l), VG_OK);
		if (l.count == 0) {
			case_list_release(&l);
			break;
		}
		for (i = 0; i < l.count; i++) {
			assert_true(seen < 6);
			assert_int_equal(store_case_by_tip(fx->app.store, want[seen], &c), VG_OK);
			assert_string_equal(l.rows[i].id, c.id);
			case_row_release(&c);
			seen++;
		}
		f.after_rank = l.rows[l.count - 1].urgency_rank;
		f.after_created = l.rows[l.count - 1].created_at;
		snprintf(after, sizeof(after), "%s", l.rows[l.count - 1].id);
		f.after_id = after;
		case_list_release(&l);
	}
	assert_int_equal(seen, 6);

	struct case_filter g = { .limit = 10, .kind = "labor", .region = "NY" };

	assert_int_equal(cases_list(&fx->app, &fx->admin, &g, &l), VG_OK);
	assert_int_equal(l.count, 1);
	assert_int_equal(store_case_by_tip(fx->app.store, t[4], &c), VG_OK);
	assert_string_equal(l.rows[0].id, c.id);
	assert_int_equal(cases_set_status(&fx->app, &fx->admin, c.id, "closed"), VG_OK);
	assert_int_equal(cases_set_status(&fx->app, &fx->admin, c.id, "gone"), VG_INVAL);
	case_list_release(&l);
	/* Closed cases leave the open queue. */
	assert_int_equal(cases_list(&fx->app, &fx->admin, &g, &l), VG_OK);
	assert_int_equal(l.count, 0);
	case_list_release(&l);
	g.status = "closed";
	assert_int_equal(cases_list(&fx->app, &fx->admin, &g, &l), VG_OK);
	assert_int_equal(l.count, 1);
	case_list_release(&l);
	case_row_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_submit_opens_case, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backlog_and_derived, setup, teardown),
		cmocka_unit_test_setup_teardown(test_merge_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_picklists_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_merge_moves_work, setup, teardown),
		cmocka_unit_test_setup_teardown(test_person_validation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_person_update, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_order_filters_paging, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

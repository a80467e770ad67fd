/*
 * The daily work on cases (app/work.c, app/retention.c, store/work.c)
 * against a real data directory: automatic tasks started once per case and
 * never again for the same tip, overdue tasks, assignment and "my tasks",
 * notes sealed, teams, and the purge of closed cases by age.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/compat.h"
#include "app/app.h"
#include "app/links.h"
#include "app/retention.h"
#include "app/work.h"
#include "base/clock.h"
#include "crypto/keys.h"
#include "crypto/seal.h"
#include "store/cases.h"
#include "store/db.h"

#include <sodium.h>
#include <sqlite3.h>
#include <sys/stat.h>

#define HOUR 3600
#define DAY 86400

struct fixture {
	char dir[64];
	struct app app;
	int64_t ana, ben;       /* two advocates */
	int64_t team;           /* "north", with ben */
};

static int64_t add_user(struct fixture *fx, const char *name)
{
	struct user_row u = {0};
	int64_t id = 0;

	u.name = (char *)name;
	u.role = (char *)"advocate";
	u.password_hash = (char *)"not-a-real-hash";
	u.created_at = clock_now();
	assert_int_equal(store_user_insert(fx->app.store, &u, &id), VG_OK);
	return id;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	char path[128];

	assert_non_null(fx);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/vigil-work-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(path, sizeof(path), "%s/keys", fx->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/keys/master.key", fx->dir);
	assert_int_equal(keys_create(path), VG_OK);
	assert_int_equal(app_open(fx->dir, &fx->app), VG_OK);
	fx->ana = add_user(fx, "ana");
	fx->ben = add_user(fx, "ben");
	assert_int_equal(work_team_add(&fx->app, "north", "staff", &fx->team), VG_OK);
	assert_int_equal(work_team_member(&fx->app, "north", "ben", 1, NULL), VG_OK);
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

static void seal_into(struct fixture *fx, const char *ad, const char *text, struct sealed *out)
{
	assert_int_equal(seal_encrypt(&fx->app.keys, ad, text, strlen(text), &out->data,
				      &out->len), VG_OK);
}

/*
 * Stores a screened tip, as tip_submit() would, and opens its case
 * (written to case_id). urgency is the screen's; minor goes into the
 * sealed result's legal elements.
 */
static void add_tip(struct fixture *fx, const char *id, int64_t created_at,
		    const char *urgency, int minor, char case_id[CASE_ID_SIZE])
{
	struct tip_row t = {0};
	char ad[96], json[128];

	t.id = (char *)id;
	t.created_at = t.updated_at = created_at;
	t.status = (char *)"new";
	t.source = (char *)"web";
	t.country = t.region = t.city = (char *)"";
	t.language = (char *)"en";
	randombytes_buf(t.receipt_index, sizeof(t.receipt_index));
	snprintf(ad, sizeof(ad), "tips/narrative/%s", id);
	seal_into(fx, ad, "A synthetic narrative.", &t.narrative);
	t.screened_at = created_at;
	t.screen_status = (char *)"possible";
	t.urgency = (char *)urgency;
	t.kinds = t.typology = (char *)"";
	snprintf(ad, sizeof(ad), "tips/screening/%s", id);
	snprintf(json, sizeof(json), "{\"status\": \"possible\", \"elements\": {\"minor\": %s}}",
		 minor ? "true" : "false");
	seal_into(fx, ad, json, &t.screening);
	assert_int_equal(store_tip_insert(fx->app.store, &t), VG_OK);
	free(t.narrative.data);
	free(t.screening.data);
	token_id(case_id);
	assert_int_equal(store_case_open_for_tip(fx->app.store, case_id, id, created_at), VG_OK);
}

static size_t count_kind(struct fixture *fx, const char *case_id, const char *kind)
{
	struct task_list l = {0};
	size_t i, n = 0;

	assert_int_equal(store_task_list(fx->app.store, case_id, &l), VG_OK);
	for (i = 0; i < l.count; i++)
		n += !strcmp(l.rows[i].kind, kind);
	task_list_release(&l);
	return n;
}

static void test_auto_tasks_once(void **state)
{
	struct fixture *fx = *state;
	char crisis[CASE_ID_SIZE], child[CASE_ID_SIZE], calm[CASE_ID_SIZE];
	int64_t now = clock_now();
	struct task_list l = {0};
	int created = -1;

	add_tip(fx, "a000000000000001", now - HOUR, "crisis", 1, crisis);
	assert_int_equal(work_auto_tasks(&fx->app, crisis, &created), VG_OK);
	assert_int_equal(created, 2);
	assert_int_equal(count_kind(fx, crisis, TASK_CRISIS), 1);
	assert_int_equal(count_kind(fx, crisis, TASK_CSE), 1);

	/* The crisis task is due 24 hours after the tip arrived, not after now. */
	assert_int_equal(store_task_list(fx->app.store, crisis, &l), VG_OK);
	assert_int_equal(l.count, 2);
	assert_string_equal(l.rows[0].kind, TASK_CRISIS);
	assert_int_equal(l.rows[0].due_at, now - HOUR + WORK_CRISIS_DUE);
	assert_string_equal(l.rows[0].tip_id, "a000000000000001");
	assert_int_equal(l.rows[1].due_at, 0);
	task_list_release(&l);

	/* Screening the same tip again starts nothing. */
	work_tip_screened(&fx->app, "a000000000000001");
	assert_int_equal(work_auto_tasks(&fx->app, crisis, &created), VG_OK);
	assert_int_equal(created, 0);
	assert_int_equal(count_kind(fx, crisis, TASK_CRISIS), 1);

	/* Neither does a done task: it is once per case, not once at a time. */
	assert_int_equal(store_task_list(fx->app.store, crisis, &l), VG_OK);
	assert_int_equal(work_task_set_done(&fx->app, crisis, l.rows[0].id, 1, fx->ana), VG_OK);
	task_list_release(&l);
	assert_int_equal(work_auto_tasks(&fx->app, crisis, &created), VG_OK);
	assert_int_equal(created, 0);

	/* A case without crisis or minor gets none. */
	add_tip(fx, "a000000000000002", now, "routine", 0, calm);
	assert_int_equal(work_auto_tasks(&fx->app, calm, &created), VG_OK);
	assert_int_equal(created, 0);

	/* A minor alone starts only the referral. */
	add_tip(fx, "a000000000000003", now, "priority", 1, child);
	work_tip_screened(&fx->app, "a000000000000003");
	assert_int_equal(count_kind(fx, child, TASK_CSE), 1);
	assert_int_equal(count_kind(fx, child, TASK_CRISIS), 0);

	/*
	 * Merging the crisis case into the calm one moves its tip and its
	 * tasks (store_case_merge); the tip has already started its tasks, so
	 * none is started again: the calm case holds the moved one only.
	 */
	assert_int_equal(store_case_merge(fx->app.store, crisis, calm, fx->ana, now), VG_OK);
	assert_int_equal(work_auto_tasks(&fx->app, calm, &created), VG_OK);
	assert_int_equal(created, 0);
	assert_int_equal(count_kind(fx, calm, TASK_CRISIS), 1);
	assert_int_equal(count_kind(fx, crisis, TASK_CRISIS), 0);
}

static void test_second_crisis_tip_same_case(void **state)
{
	struct fixture *fx = *state;
	char one[CASE_ID_SIZE], two[CASE_ID_SIZE];
	int64_t now = clock_now();
	int created = -1;

	add_tip(fx, "b000000000000001", now, "crisis", 0, one);
	add_tip(fx, "b000000000000002", now, "crisis", 0, two);
	assert_int_equal(work_auto_tasks(&fx->app, one, &created), VG_OK);
	assert_int_equal(created, 1);
	/* The second case, not yet worked, merged in: still one crisis task. */
	assert_int_equal(store_case_merge(fx->app.store, two, one, fx->ana, now), VG_OK);
	assert_int_equal(work_auto_tasks(&fx->app, one, &created), VG_OK);
	assert_int_equal(created, 0);
	assert_int_equal(count_kind(fx, one, TASK_CRISIS), 1);
}

static void test_auto_backlog(void **state)
{
	struct fixture *fx = *state;
	char a[CASE_ID_SIZE], b[CASE_ID_SIZE];
	int64_t now = clock_now(), n = -1;

	/* Two cases opened with no hook run, as the start-up backlog opens them. */
	add_tip(fx, "a100000000000001", now, "crisis", 0, a);
	add_tip(fx, "a100000000000002", now, "routine", 1, b);
	assert_int_equal(work_auto_backlog(&fx->app, &n), VG_OK);
	assert_int_equal(n, 2);
	assert_int_equal(count_kind(fx, a, TASK_CRISIS), 1);
	assert_int_equal(count_kind(fx, b, TASK_CSE), 1);
	/* Every tip has been looked at: nothing is left for the next start. */
	assert_int_equal(work_auto_backlog(&fx->app, &n), VG_OK);
	assert_int_equal(n, 0);
}

static void test_overdue(void **state)
{
	struct fixture *fx = *state;
	struct task_row t = {0};
	struct work_task_input in = {0};
	char c[CASE_ID_SIZE], id[TOKEN_ID_SIZE];
	int64_t now = clock_now(), n = -1;
	json_t *tasks;

	t.due_at = 1000;
	assert_true(work_task_overdue(&t, 1001));
	assert_false(work_task_overdue(&t, 1000));
	assert_false(work_task_overdue(&t, 999));
	t.done_at = 1002;
	assert_false(work_task_overdue(&t, 5000));
	t.done_at = 0;
	t.due_at = 0;
	assert_false(work_task_overdue(&t, 5000));

	/* A crisis tip that arrived 25 hours ago: its task is already late. */
	add_tip(fx, "c000000000000001", now - 25 * HOUR, "crisis", 0, c);
	assert_int_equal(work_auto_tasks(&fx->app, c, NULL), VG_OK);
	in.title = "Call the shelter back";
	in.due_at = now + DAY;
	assert_int_equal(work_task_add(&fx->app, c, fx->ana, &in, id), VG_OK);
	assert_int_equal(store_task_overdue_count(fx->app.store, c, now, &n), VG_OK);
	assert_int_equal(n, 1);
	assert_int_equal(work_tasks(&fx->app, c, now, &tasks), VG_OK);
	assert_int_equal(json_array_size(tasks), 2);
	assert_true(json_is_true(json_object_get(json_array_get(tasks, 0), "overdue")));
	assert_false(json_is_true(json_object_get(json_array_get(tasks, 1), "overdue")));
	/* The manual task's title comes back opened. */
	assert_string_equal(json_string_value(json_object_get(json_array_get(tasks, 1), "title")),
			    "Call the shelter back");
	json_decref(tasks);
	/* Two days later both are late. */
	assert_int_equal(store_task_overdue_count(fx->app.store, c, now + 2 * DAY, &n), VG_OK);
	assert_int_equal(n, 2);
	/* Bad titles and owners. */
	in.title = "two\nlines";
	assert_int_equal(work_task_add(&fx->app, c, fx->ana, &in, id), VG_INVAL);
	in.title = "   ";
	assert_int_equal(work_task_add(&fx->app, c, fx->ana, &in, id), VG_INVAL);
	in.title = "ok";
	in.owner_user = 999999;
	assert_int_equal(work_task_add(&fx->app, c, fx->ana, &in, id), VG_NOTFOUND);
	in.owner_user = 0;
	assert_int_equal(work_task_add(&fx->app, "ffffffffffffffff", fx->ana, &in, id), VG_NOTFOUND);
}

static void test_assignment_and_mine(void **state)
{
	struct fixture *fx = *state;
	struct work_task_input in = {0};
	char c1[CASE_ID_SIZE], c2[CASE_ID_SIZE], id[TOKEN_ID_SIZE];
	int64_t now = clock_now();
	json_t *a, *mine;

	add_tip(fx, "d000000000000001", now - 30 * HOUR, "crisis", 0, c1);
	add_tip(fx, "d000000000000002", now, "routine", 0, c2);
	assert_int_equal(work_auto_tasks(&fx->app, c1, NULL), VG_OK);

	assert_int_equal(work_assign(&fx->app, c1, fx->ana, "", "north"), VG_OK);
	assert_int_equal(work_assignment(&fx->app, c1, &a), VG_OK);
	assert_true(json_is_null(json_object_get(a, "user")));
	assert_string_equal(json_string_value(json_object_get(a, "team")), "north");
	json_decref(a);
	assert_int_equal(work_assign(&fx->app, c1, fx->ana, "nobody", ""), VG_INVAL);
	assert_int_equal(work_assign(&fx->app, c1, fx->ana, "", "south"), VG_INVAL);
	assert_int_equal(work_assign(&fx->app, "ffffffffffffffff", fx->ana, "ana", ""), VG_NOTFOUND);

	/* A task owned by ben himself, due later, on the other case. */
	in.title = "Visit";
	in.due_at = now + DAY;
	in.owner_user = fx->ben;
	assert_int_equal(work_task_add(&fx->app, c2, fx->ana, &in, id), VG_OK);

	/* ben: the ownerless crisis task of his team's case (overdue, first), then his own. */
	assert_int_equal(work_tasks_mine(&fx->app, fx->ben, now, &mine), VG_OK);
	assert_int_equal(json_array_size(mine), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(mine, 0), "kind")),
			    TASK_CRISIS);
	assert_true(json_is_true(json_object_get(json_array_get(mine, 0), "overdue")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(mine, 1), "id")), id);
	json_decref(mine);
	/* ana is in no team and owns nothing: none. */
	assert_int_equal(work_tasks_mine(&fx->app, fx->ana, now, &mine), VG_OK);
	assert_int_equal(json_array_size(mine), 0);
	json_decref(mine);

	/* Leaving the team takes the team's tasks off ben's list. */
	assert_int_equal(work_team_member(&fx->app, "north", "ben", 0, NULL), VG_OK);
	assert_int_equal(work_team_member(&fx->app, "north", "ben", 0, NULL), VG_NOTFOUND);
	assert_int_equal(work_tasks_mine(&fx->app, fx->ben, now, &mine), VG_OK);
	assert_int_equal(json_array_size(mine), 1);
	json_decref(mine);
	/* Done tasks are not on anyone's list. */
	assert_int_equal(work_task_set_done(&fx->app, c2, id, 1, fx->ben), VG_OK);
	assert_int_equal(work_tasks_mine(&fx->app, fx->ben, now, &mine), VG_OK);
	assert_int_equal(json_array_size(mine), 0);
	json_decref(mine);
	assert_int_equal(work_task_set_done(&fx->app, c1, id, 1, fx->ben), VG_NOTFOUND);
}

static void test_teams(void **state)
{
	struct fixture *fx = *state;
	json_t *teams;

	assert_int_equal(work_team_add(&fx->app, "north", "staff", NULL), VG_EXISTS);
	assert_int_equal(work_team_add(&fx->app, "", "staff", NULL), VG_INVAL);
	assert_int_equal(work_team_add(&fx->app, "x<y", "staff", NULL), VG_INVAL);
	assert_int_equal(work_team_add(&fx->app, "Alameda MDT", "club", NULL), VG_INVAL);
	assert_int_equal(work_team_add(&fx->app, "Alameda MDT", "mdt", NULL), VG_OK);
	assert_int_equal(work_team_member(&fx->app, "Alameda MDT", "ana", 1, "Probation"), VG_OK);
	assert_int_equal(work_team_member(&fx->app, "Alameda MDT", "ana", 1, NULL), VG_EXISTS);
	assert_int_equal(work_team_member(&fx->app, "Alameda MDT", "zed", 1, NULL), VG_INVAL);
	assert_int_equal(work_team_member(&fx->app, "nope", "ana", 1, NULL), VG_INVAL);
	assert_int_equal(work_teams(&fx->app, &teams), VG_OK);
	assert_int_equal(json_array_size(teams), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(teams, 0), "name")),
			    "Alameda MDT");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(
		json_array_get(teams, 0), "members"), 0), "agency")), "Probation");
	json_decref(teams);
}

static void test_notes(void **state)
{
	struct fixture *fx = *state;
	char c[CASE_ID_SIZE], id[TOKEN_ID_SIZE];
	struct note_list l = {0};
	const char *text = "Met the caller at the 555-0142 shelter.";
	json_t *notes;

	add_tip(fx, "e000000000000001", clock_now(), "routine", 0, c);
	assert_int_equal(work_note_add(&fx->app, c, fx->ana, text, strlen(text), id), VG_OK);
	assert_int_equal(work_note_add(&fx->app, c, fx->ana, " \n", 2, id), VG_INVAL);
	assert_int_equal(work_note_add(&fx->app, c, fx->ana, "a\x01", 2, id), VG_INVAL);
	assert_int_equal(work_note_add(&fx->app, "ffffffffffffffff", fx->ana, "x", 1, id),
			 VG_NOTFOUND);
	/* Stored sealed: the row holds no plaintext. */
	assert_int_equal(store_note_list(fx->app.store, c, &l), VG_OK);
	assert_int_equal(l.count, 1);
	assert_int_equal(l.rows[0].body.len, strlen(text) + SEAL_OVERHEAD);
	assert_null(memmem(l.rows[0].body.data, l.rows[0].body.len, "555-0142", 8));
	note_list_release(&l);
	assert_int_equal(work_notes(&fx->app, c, &notes), VG_OK);
	assert_int_equal(json_array_size(notes), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(notes, 0), "body")), text);
	assert_string_equal(json_string_value(json_object_get(json_array_get(notes, 0), "author")), "ana");
	json_decref(notes);
}

/* 1 when the audit log has an entry with this action and object. */
static int audited(struct fixture *fx, const char *action, const char *object, char *detail,
		   size_t size)
{
	struct audit_list l = {0};
	size_t i;
	int found = 0;

	assert_int_equal(store_audit_list(fx->app.store, 0, 1000, &l), VG_OK);
	for (i = 0; i < l.count; i++) {
		if (!strcmp(l.rows[i].action, action) && l.rows[i].object &&
		    !strcmp(l.rows[i].object, object)) {
			found = 1;
			if (detail)
				snprintf(detail, size, "%s", l.rows[i].detail ? l.rows[i].detail : "");
		}
	}
	audit_list_release(&l);
	return found;
}

static void test_purge_by_age(void **state)
{
	struct fixture *fx = *state;
	char old[CASE_ID_SIZE], recent[CASE_ID_SIZE], open[CASE_ID_SIZE];
	char id[TOKEN_ID_SIZE], detail[256];
	struct retention_report r;
	struct work_task_input in = {.title = "Follow up"};
	int64_t now = clock_now();
	struct tip_row t;
	struct case_row cr;

	add_tip(fx, "f000000000000001", now - 100 * DAY, "crisis", 1, old);
	add_tip(fx, "f000000000000002", now - 100 * DAY, "routine", 0, recent);
	add_tip(fx, "f000000000000003", now - 100 * DAY, "routine", 0, open);
	assert_int_equal(work_auto_tasks(&fx->app, old, NULL), VG_OK);
	assert_int_equal(work_note_add(&fx->app, old, fx->ana, "note", 4, id), VG_OK);
	assert_int_equal(work_task_add(&fx->app, old, fx->ana, &in, id), VG_OK);
	assert_int_equal(store_case_set_status(fx->app.store, old, "closed", fx->ana,
					       now - 40 * DAY), VG_OK);
	assert_int_equal(store_case_set_status(fx->app.store, recent, "closed_referred", fx->ana,
					       now - 10 * DAY), VG_OK);

	/* Closed 40 and 10 days ago, kept 30 days: only the first goes. */
	assert_int_equal(retention_purge(&fx->app, now, 30, &r), VG_OK);
	assert_int_equal(r.cases, 1);
	assert_int_equal(r.total.tips, 1);
	assert_int_equal(r.total.notes, 1);
	assert_int_equal(r.total.tasks, 3);
	assert_int_equal(store_case_get(fx->app.store, old, &cr), VG_NOTFOUND);
	assert_int_equal(store_tip_get(fx->app.store, "f000000000000001", &t), VG_NOTFOUND);
	assert_int_equal(store_tip_get(fx->app.store, "f000000000000002", &t), VG_OK);
	tip_row_release(&t);
	assert_true(audited(fx, "case_purge", old, detail, sizeof(detail)));
	assert_non_null(strstr(detail, "tips=1 "));
	assert_non_null(strstr(detail, "notes=1 "));
	assert_false(audited(fx, "case_purge", recent, NULL, 0));

	/* Nothing more is due; a purge again is a no-op. */
	assert_int_equal(retention_purge(&fx->app, now, 30, &r), VG_OK);
	assert_int_equal(r.cases, 0);
	/* Eleven days on, the second is due too; the open case never is. */
	assert_int_equal(retention_purge(&fx->app, now + 21 * DAY, 30, &r), VG_OK);
	assert_int_equal(r.cases, 1);
	assert_int_equal(store_case_get(fx->app.store, open, &cr), VG_OK);
	case_row_release(&cr);
	assert_int_equal(retention_purge(&fx->app, now + 1000 * DAY, 30, &r), VG_OK);
	assert_int_equal(r.cases, 0);
}

/* Rows anywhere in the database that belong to case id. */
static int64_t rows_of(struct fixture *fx, const char *id)
{
	sqlite3_stmt *st;
	int64_t n;

	assert_int_equal(sqlite3_prepare_v2(fx->app.store->db,
		"SELECT (SELECT count(*) FROM cases WHERE id = ?1 OR merged_into = ?1) "
		"+ (SELECT count(*) FROM case_tips WHERE case_id = ?1) "
		"+ (SELECT count(*) FROM case_events WHERE case_id = ?1 OR other_case = ?1) "
		"+ (SELECT count(*) FROM case_access WHERE case_id = ?1) "
		"+ (SELECT count(*) FROM persons WHERE case_id = ?1) "
		"+ (SELECT count(*) FROM locations WHERE case_id = ?1) "
		"+ (SELECT count(*) FROM notes WHERE case_id = ?1) "
		"+ (SELECT count(*) FROM tasks WHERE case_id = ?1) "
		"+ (SELECT count(*) FROM entities WHERE case_id = ?1) "
		"+ (SELECT count(*) FROM meeting_agenda WHERE case_id = ?1)", -1, &st, NULL),
		SQLITE_OK);
	assert_int_equal(sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/*
 * A case merged into a purged one goes with it, and so does a case merged
 * into that one: what stayed with them at the merge (an automatic task and
 * an entity the other case already had, their history) is gone too.
 */
static void test_purge_merged(void **state)
{
	struct fixture *fx = *state;
	struct auth_user u = {.id = fx->ana, .name = "ana", .role = "advocate"};
	char into[CASE_ID_SIZE], merged[CASE_ID_SIZE], deeper[CASE_ID_SIZE];
	char keep[CASE_ID_SIZE], other[CASE_ID_SIZE];
	struct retention_report r;
	int64_t now = clock_now();
	struct case_row cr;
	struct tip_row t;

	add_tip(fx, "b100000000000001", now - 100 * DAY, "crisis", 1, into);
	add_tip(fx, "b100000000000002", now - 90 * DAY, "crisis", 1, merged);
	add_tip(fx, "b100000000000003", now - 80 * DAY, "crisis", 0, deeper);
	add_tip(fx, "b100000000000004", now - 80 * DAY, "routine", 0, keep);
	add_tip(fx, "b100000000000005", now - 80 * DAY, "routine", 0, other);
	assert_int_equal(work_auto_tasks(&fx->app, into, NULL), VG_OK);
	assert_int_equal(work_auto_tasks(&fx->app, merged, NULL), VG_OK);
	assert_int_equal(work_auto_tasks(&fx->app, deeper, NULL), VG_OK);
	assert_int_equal(links_add(&fx->app, &u, into, "phone", "(510) 555-0142", "US"), VG_OK);
	assert_int_equal(links_add(&fx->app, &u, merged, "phone", "+1 510 555 0142", "US"), VG_OK);
	/* deeper into merged, merged into `into`; keep merged into a case left open. */
	assert_int_equal(store_case_merge(fx->app.store, deeper, merged, fx->ana, now - 60 * DAY),
			 VG_OK);
	assert_int_equal(store_case_merge(fx->app.store, merged, into, fx->ana, now - 50 * DAY),
			 VG_OK);
	assert_int_equal(store_case_merge(fx->app.store, keep, other, fx->ana, now - 50 * DAY),
			 VG_OK);
	/* The merged cases kept what the case merged into already had. */
	assert_int_equal(count_kind(fx, merged, TASK_CRISIS), 1);
	assert_int_equal(count_kind(fx, deeper, TASK_CRISIS), 1);
	assert_true(rows_of(fx, merged) > 3);
	assert_int_equal(store_case_set_status(fx->app.store, into, "closed", fx->ana,
					       now - 40 * DAY), VG_OK);

	assert_int_equal(retention_purge(&fx->app, now, 30, &r), VG_OK);
	assert_int_equal(r.cases, 3);
	assert_int_equal(r.total.tips, 3);
	assert_int_equal(store_case_get(fx->app.store, into, &cr), VG_NOTFOUND);
	assert_int_equal(store_case_get(fx->app.store, merged, &cr), VG_NOTFOUND);
	assert_int_equal(store_case_get(fx->app.store, deeper, &cr), VG_NOTFOUND);
	assert_int_equal(store_tip_get(fx->app.store, "b100000000000003", &t), VG_NOTFOUND);
	assert_int_equal(rows_of(fx, into), 0);
	assert_int_equal(rows_of(fx, merged), 0);
	assert_int_equal(rows_of(fx, deeper), 0);
	assert_true(audited(fx, "case_purge", merged, NULL, 0));
	assert_true(audited(fx, "case_purge", deeper, NULL, 0));

	/* A case merged into one that is still open stays, and so does that one. */
	assert_int_equal(store_case_get(fx->app.store, keep, &cr), VG_OK);
	assert_string_equal(cr.status, "merged");
	case_row_release(&cr);
	assert_true(rows_of(fx, other) > 0);
	assert_false(audited(fx, "case_purge", keep, NULL, 0));
}

/* [retention] closed_days: a default, a value read, and values out of range refused. */
static void test_retention_config(void **state)
{
	struct fixture *fx = *state;
	struct config c;
	char path[128];
	FILE *f;

	assert_int_equal(config_load(fx->dir, &c), VG_OK);
	assert_int_equal(c.retention_closed_days, 365);
	snprintf(path, sizeof(path), "%s/vigil.conf", fx->dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("[retention]\nclosed_days = 30\n", f);
	fclose(f);
	assert_int_equal(config_load(fx->dir, &c), VG_OK);
	assert_int_equal(c.retention_closed_days, 30);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("[retention]\nclosed_days = 0\n", f);
	fclose(f);
	assert_int_equal(config_load(fx->dir, &c), VG_CONFIG);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("[retention]\nclosed_weeks = 3\n", f);
	fclose(f);
	assert_int_equal(config_load(fx->dir, &c), VG_CONFIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_auto_tasks_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_crisis_tip_same_case, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auto_backlog, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overdue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_assignment_and_mine, setup, teardown),
		cmocka_unit_test_setup_teardown(test_teams, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_purge_by_age, setup, teardown),
		cmocka_unit_test_setup_teardown(test_purge_merged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retention_config, setup, teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}

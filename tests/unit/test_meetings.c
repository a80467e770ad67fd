/*
 * test_meetings.c - MDT meetings: the time and date parsers, the safety
 * status picklist in data/, and the store (store/meetings.h): agendas,
 * attendees, action items and the team-member lookup app/access.c makes.
 * All data is synthetic.
 */
#include "base/compat.h"
#include "base/clock.h"

#include <setjmp.h>
#include <cmocka.h>
#include <unistd.h>

#include "app/meetings.h"
#include "store/cases.h"
#include "store/meetings.h"
#include "store/work.h"

/* The rules folder, data/ of the source tree (set by tests/meson.build). */
static const char *data_dir(void)
{
	const char *d = getenv("VIGIL_DATA_DIR");

	return d ? d : "data";
}

static void test_parse_time(void **state)
{
	int64_t t;

	(void)state;
	assert_int_equal(clock_parse_minute("2026-05-04T10:30", &t), VG_OK);
	assert_int_equal(t, 1777890600);
	assert_int_equal(clock_parse_minute("2026-05-04 10:30", &t), VG_OK);
	assert_int_equal(clock_parse_minute("2026-02-30T10:00", &t), VG_INVAL);
	assert_int_equal(clock_parse_minute("2026-05-04T24:00", &t), VG_INVAL);
	assert_int_equal(clock_parse_minute("2026-05-04T10:30Z", &t), VG_INVAL);
	assert_int_equal(clock_parse_minute("", &t), VG_INVAL);
	assert_int_equal(clock_parse_day_end("2026-05-04", &t), VG_OK);
	assert_int_equal(t, 1777939199);
	assert_int_equal(clock_parse_day_end("2026-5-4", &t), VG_INVAL);
}

static void test_safety_picklist(void **state)
{
	struct safety_list l;

	(void)state;
	assert_int_equal(meeting_safety_load(data_dir(), &l), VG_OK);
	assert_non_null(meeting_safety_find(&l, "unknown"));
	assert_non_null(meeting_safety_find(&l, "missing"));
	assert_null(meeting_safety_find(&l, "fine"));
	assert_int_equal(meeting_safety_load("/nonexistent", &l), VG_IO);
}

struct fixture {
	char dir[64];
	char path[96];
	struct store *s;
	int64_t team, other_team, user;
	char case1[CASE_ID_SIZE], case2[CASE_ID_SIZE];
};

static unsigned char blob[8] = "sealed!";

static void add_tip_case(struct fixture *f, unsigned n, char *case_id)
{
	struct tip_row t = { 0 };
	char id[17];

	snprintf(id, sizeof(id), "%016x", n);
	t.id = id;
	t.created_at = t.updated_at = 1000;
	t.status = (char *)"new";
	t.source = (char *)"web";
	memset(t.receipt_index, (int)n, sizeof(t.receipt_index));
	t.narrative.data = blob;
	t.narrative.len = sizeof(blob);
	assert_int_equal(store_tip_insert(f->s, &t), VG_OK);
	snprintf(case_id, CASE_ID_SIZE, "%016x", n + 0x100);
	assert_int_equal(store_case_open_for_tip(f->s, case_id, id, 1000), VG_OK);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct user_row u = { 0 };

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/vigil-meetings-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/vigil.db", f->dir);
	assert_int_equal(store_open(f->path, &f->s), VG_OK);
	u.name = (char *)"terry";
	u.role = (char *)"team_member";
	u.password_hash = (char *)"x";
	assert_int_equal(store_user_insert(f->s, &u, &f->user), VG_OK);
	assert_int_equal(store_team_insert(f->s, "SafetyNet", "mdt", 1000, &f->team), VG_OK);
	assert_int_equal(store_team_insert(f->s, "Other", "mdt", 1000, &f->other_team), VG_OK);
	assert_int_equal(store_team_member_add(f->s, f->team, f->user, "Probation", 1000), VG_OK);
	add_tip_case(f, 1, f->case1);
	add_tip_case(f, 2, f->case2);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char path[128];

	store_free(f->s);
	snprintf(path, sizeof(path), "%s/vigil.db-wal", f->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/vigil.db-shm", f->dir);
	unlink(path);
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void schedule(struct fixture *f, const char *id, int64_t team, int64_t starts)
{
	struct meeting_row m = { 0 };

	m.id = (char *)id;
	m.team_id = team;
	m.starts_at = starts;
	m.title = (char *)"SafetyNet weekly";
	m.status = (char *)"scheduled";
	m.created_at = 1000;
	assert_int_equal(store_meeting_insert(f->s, &m), VG_OK);
}

static void put_on_agenda(struct fixture *f, const char *id, const char *meeting,
			  const char *case_id, int want)
{
	struct agenda_row a = { 0 };

	a.id = (char *)id;
	a.meeting_id = (char *)meeting;
	a.case_id = (char *)case_id;
	a.safety_status = (char *)"unknown";
	a.summary.data = blob;
	a.summary.len = sizeof(blob);
	assert_int_equal(store_agenda_insert(f->s, &a), want);
}

static void test_agenda(void **state)
{
	struct fixture *f = *state;
	struct meeting_row bad = { .id = (char *)"m9", .team_id = 999, .title = (char *)"x",
				   .status = (char *)"scheduled" };
	struct agenda_list l = { 0 };
	struct sealed outcome = { blob, 4 };
	struct agenda_row a;

	assert_int_equal(store_meeting_insert(f->s, &bad), VG_NOTFOUND);
	schedule(f, "m1", f->team, 5000);
	put_on_agenda(f, "a1", "m1", f->case1, VG_OK);
	put_on_agenda(f, "a2", "m1", f->case2, VG_OK);
	put_on_agenda(f, "a3", "m1", f->case1, VG_EXISTS);
	put_on_agenda(f, "a4", "m1", "nosuchcase", VG_NOTFOUND);
	put_on_agenda(f, "a5", "nosuchmeeting", f->case1, VG_NOTFOUND);
	assert_int_equal(store_agenda_list(f->s, "m1", &l), VG_OK);
	assert_int_equal(l.count, 2);
	assert_string_equal(l.rows[0].case_id, f->case1);
	assert_int_equal(l.rows[0].position, 1);
	assert_int_equal(l.rows[1].position, 2);
	assert_int_equal(l.rows[0].summary.len, sizeof(blob));
	assert_null(l.rows[0].outcome.data);
	agenda_list_release(&l);

	assert_int_equal(store_agenda_set_outcome(f->s, "m1", "a1", "at_risk", &outcome, 2000, 0),
			 VG_OK);
	/* An item named under another meeting changes nothing. */
	schedule(f, "m2", f->other_team, 6000);
	assert_int_equal(store_agenda_set_outcome(f->s, "m2", "a1", "safe", &outcome, 2000, 0),
			 VG_NOTFOUND);
	assert_int_equal(store_agenda_get(f->s, "m1", "a1", &a), VG_OK);
	assert_string_equal(a.safety_status, "at_risk");
	assert_int_equal(a.outcome.len, 4);
	agenda_row_release(&a);
	assert_int_equal(store_agenda_get(f->s, "m2", "a1", &a), VG_NOTFOUND);
}

static void test_actions_and_attendees(void **state)
{
	struct fixture *f = *state;
	struct action_row x = { 0 };
	struct attendee_row p = { 0 };
	struct action_list al = { 0 };
	struct attendee_list pl = { 0 };

	schedule(f, "m1", f->team, 5000);
	put_on_agenda(f, "a1", "m1", f->case1, VG_OK);
	x.id = (char *)"x1";
	x.agenda_id = (char *)"a1";
	x.body.data = blob;
	x.body.len = sizeof(blob);
	x.due_at = 3000;
	x.created_at = 1000;
	assert_int_equal(store_action_insert(f->s, &x), VG_OK);
	x.id = (char *)"x2";
	x.agenda_id = (char *)"nosuchitem";
	assert_int_equal(store_action_insert(f->s, &x), VG_NOTFOUND);
	assert_int_equal(store_action_set_done(f->s, "m1", "x1", 1, 4000, f->user), VG_OK);
	assert_int_equal(store_action_set_done(f->s, "other", "x1", 0, 4000, 0), VG_NOTFOUND);
	assert_int_equal(store_action_list(f->s, "m1", &al), VG_OK);
	assert_int_equal(al.count, 1);
	assert_int_equal(al.rows[0].done, 1);
	assert_int_equal(al.rows[0].done_at, 4000);
	assert_int_equal(al.rows[0].due_at, 3000);
	assert_string_equal(al.rows[0].meeting_id, "m1");
	action_list_release(&al);

	p.id = (char *)"p1";
	p.meeting_id = (char *)"m1";
	p.name.data = blob;
	p.name.len = sizeof(blob);
	p.agency = (char *)"Public Defender";
	assert_int_equal(store_attendee_insert(f->s, &p), VG_OK);
	assert_int_equal(store_attendee_set_present(f->s, "m1", "p1", 1), VG_OK);
	assert_int_equal(store_attendee_list(f->s, "m1", &pl), VG_OK);
	assert_int_equal(pl.count, 1);
	assert_int_equal(pl.rows[0].present, 1);
	assert_int_equal(pl.rows[0].user_id, 0);
	attendee_list_release(&pl);

	/* Taking the youth off the agenda takes their action items too. */
	assert_int_equal(store_agenda_delete(f->s, "m1", "a1"), VG_OK);
	assert_int_equal(store_action_list(f->s, "m1", &al), VG_OK);
	assert_int_equal(al.count, 0);
	action_list_release(&al);
}

static void test_team_member_lookup(void **state)
{
	struct fixture *f = *state;
	struct meeting_filter mf = { .member = f->user, .upcoming = 1, .now = 0, .limit = 10 };
	struct meeting_list ml = { 0 };
	struct attendee_row p = { 0 };

	schedule(f, "m1", f->team, 5000);
	schedule(f, "m2", f->other_team, 6000);
	put_on_agenda(f, "a1", "m1", f->case1, VG_OK);
	put_on_agenda(f, "a2", "m2", f->case2, VG_OK);
	assert_int_equal(store_meeting_case_on_agenda(f->s, f->user, f->case1), VG_OK);
	assert_int_equal(store_meeting_case_on_agenda(f->s, f->user, f->case2), VG_NOTFOUND);
	assert_int_equal(store_meeting_is_member(f->s, f->user, "m1"), VG_OK);
	assert_int_equal(store_meeting_is_member(f->s, f->user, "m2"), VG_NOTFOUND);
	assert_int_equal(store_meeting_list(f->s, &mf, &ml), VG_OK);
	assert_int_equal(ml.count, 1);
	assert_string_equal(ml.rows[0].id, "m1");
	assert_string_equal(ml.rows[0].team_name, "SafetyNet");
	assert_int_equal(ml.rows[0].agenda_count, 1);
	meeting_list_release(&ml);

	/* Recorded as attending the other team's meeting, they see its case too. */
	p.id = (char *)"p1";
	p.meeting_id = (char *)"m2";
	p.user_id = f->user;
	p.name.data = blob;
	p.name.len = sizeof(blob);
	assert_int_equal(store_attendee_insert(f->s, &p), VG_OK);
	assert_int_equal(store_meeting_case_on_agenda(f->s, f->user, f->case2), VG_OK);

	mf.member = 0;
	assert_int_equal(store_meeting_list(f->s, &mf, &ml), VG_OK);
	assert_int_equal(ml.count, 2);
	assert_string_equal(ml.rows[0].id, "m1");
	meeting_list_release(&ml);
	mf.upcoming = 0;
	mf.now = 5500;
	assert_int_equal(store_meeting_list(f->s, &mf, &ml), VG_OK);
	assert_int_equal(ml.count, 1);
	assert_string_equal(ml.rows[0].id, "m1");
	meeting_list_release(&ml);
	assert_int_equal(store_meeting_list_for_case(f->s, f->case2, &ml), VG_OK);
	assert_int_equal(ml.count, 1);
	assert_string_equal(ml.rows[0].id, "m2");
	meeting_list_release(&ml);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_time),
		cmocka_unit_test(test_safety_picklist),
		cmocka_unit_test_setup_teardown(test_agenda, setup, teardown),
		cmocka_unit_test_setup_teardown(test_actions_and_attendees, setup, teardown),
		cmocka_unit_test_setup_teardown(test_team_member_lookup, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

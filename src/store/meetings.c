/*
 * meetings.c - the SQLite statements of store/meetings.h: MDT meetings,
 * their agendas, attendees and action items.
 *
 * Inserts that need a parent row are INSERT ... SELECT ... WHERE EXISTS,
 * so a missing parent is VG_NOTFOUND rather than a foreign-key error, and
 * every change names its meeting, so an item id guessed from another
 * meeting changes nothing.
 */
#include "base/compat.h"
#include "store/meetings.h"
#include "store/db.h"

/* The upper bound of meeting_filter.limit. */
#define MEETING_LIST_MAX 500

#define MEETING_SELECT                                                        \
	"SELECT m.id, m.team_id, t.name, m.starts_at, m.title, m.place, "    \
	"m.status, m.created_at, m.created_by, m.updated_at, "               \
	"(SELECT count(*) FROM meeting_agenda a WHERE a.meeting_id = m.id) " \
	"FROM meetings m JOIN teams t ON t.id = m.team_id "

#define AGENDA_SELECT                                                         \
	"SELECT id, meeting_id, case_id, position, summary, safety_status, " \
	"outcome, updated_at, updated_by FROM meeting_agenda "

#define ATTENDEE_SELECT \
	"SELECT id, meeting_id, user_id, name, agency, present FROM meeting_attendees "

/* Membership of a meeting: its team, or a recorded attendance. ?1 user, m the meeting. */
#define MEMBER_OF_M                                                           \
	"(EXISTS (SELECT 1 FROM team_members tm WHERE tm.team_id = m.team_id " \
	"AND tm.user_id = ?1) OR EXISTS (SELECT 1 FROM meeting_attendees ma "  \
	"WHERE ma.meeting_id = m.id AND ma.user_id = ?1))"

static const char SQL_MEETING_INSERT[] =
	"INSERT INTO meetings (id, team_id, starts_at, title, place, status, "
	"created_at, created_by, updated_at) "
	"SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?7 "
	"WHERE EXISTS (SELECT 1 FROM teams WHERE id = ?2)";
static const char SQL_MEETING_GET[] = MEETING_SELECT "WHERE m.id = ?1";
static const char SQL_MEETING_UPDATE[] =
	"UPDATE meetings SET starts_at = ?2, title = ?3, place = ?4, status = ?5, "
	"updated_at = ?6 WHERE id = ?1";
/* ?2 0 for every meeting; ?3 1 upcoming; ?4 now; ?5 limit. */
static const char SQL_MEETING_LIST[] =
	MEETING_SELECT "WHERE (?2 = 0 OR " MEMBER_OF_M ") "
	"AND ((?3 = 1 AND m.starts_at >= ?4) OR (?3 = 0 AND m.starts_at < ?4)) "
	"ORDER BY CASE WHEN ?3 = 1 THEN m.starts_at ELSE -m.starts_at END, m.rowid "
	"LIMIT ?5";
static const char SQL_MEETING_FOR_CASE[] =
	MEETING_SELECT "WHERE m.id IN (SELECT meeting_id FROM meeting_agenda "
	"WHERE case_id = ?1) ORDER BY m.starts_at DESC, m.rowid DESC";

static const char SQL_AGENDA_INSERT[] =
	"INSERT INTO meeting_agenda (id, meeting_id, case_id, position, summary, "
	"safety_status, updated_at, updated_by) "
	"SELECT ?1, ?2, ?3, (SELECT coalesce(max(position), 0) + 1 FROM meeting_agenda "
	"WHERE meeting_id = ?2), ?4, ?5, ?6, ?7 "
	"WHERE EXISTS (SELECT 1 FROM meetings WHERE id = ?2) "
	"AND EXISTS (SELECT 1 FROM cases WHERE id = ?3 AND status <> 'merged')";
static const char SQL_AGENDA_LIST[] =
	AGENDA_SELECT "WHERE meeting_id = ?1 ORDER BY position, rowid";
static const char SQL_AGENDA_GET[] =
	AGENDA_SELECT "WHERE meeting_id = ?1 AND id = ?2";
static const char SQL_AGENDA_SUMMARY[] =
	"UPDATE meeting_agenda SET summary = ?3, updated_at = ?4, updated_by = ?5 "
	"WHERE meeting_id = ?1 AND id = ?2";
static const char SQL_AGENDA_OUTCOME[] =
	"UPDATE meeting_agenda SET safety_status = ?3, outcome = ?4, updated_at = ?5, "
	"updated_by = ?6 WHERE meeting_id = ?1 AND id = ?2";
static const char SQL_AGENDA_DELETE[] =
	"DELETE FROM meeting_agenda WHERE meeting_id = ?1 AND id = ?2";

static const char SQL_ATTENDEE_INSERT[] =
	"INSERT INTO meeting_attendees (id, meeting_id, user_id, name, agency, present) "
	"SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM meetings WHERE id = ?2)";
static const char SQL_ATTENDEE_LIST[] =
	ATTENDEE_SELECT "WHERE meeting_id = ?1 ORDER BY rowid";
static const char SQL_ATTENDEE_PRESENT[] =
	"UPDATE meeting_attendees SET present = ?3 WHERE meeting_id = ?1 AND id = ?2";

static const char SQL_ACTION_INSERT[] =
	"INSERT INTO meeting_actions (id, agenda_id, body, owner_id, due_at, done, "
	"created_at) SELECT ?1, ?2, ?3, ?4, ?5, 0, ?6 "
	"WHERE EXISTS (SELECT 1 FROM meeting_agenda WHERE id = ?2)";
static const char SQL_ACTION_LIST[] =
	"SELECT x.id, x.agenda_id, a.meeting_id, x.body, x.owner_id, x.due_at, x.done, "
	"x.done_at, x.done_by, x.created_at FROM meeting_actions x "
	"JOIN meeting_agenda a ON a.id = x.agenda_id WHERE a.meeting_id = ?1 "
	"ORDER BY a.position, x.created_at, x.rowid";
static const char SQL_ACTION_DONE[] =
	"UPDATE meeting_actions SET done = ?3, done_at = ?4, done_by = ?5 "
	"WHERE id = ?2 AND agenda_id IN (SELECT id FROM meeting_agenda WHERE meeting_id = ?1)";

static const char SQL_CASE_ON_AGENDA[] =
	"SELECT 1 FROM meeting_agenda a JOIN meetings m ON m.id = a.meeting_id "
	"WHERE a.case_id = ?2 AND " MEMBER_OF_M " LIMIT 1";
static const char SQL_IS_MEMBER[] =
	"SELECT 1 FROM meetings m WHERE m.id = ?2 AND " MEMBER_OF_M;

/* Binds the text v, which must be set. */
static int bind_str(sqlite3_stmt *st, int idx, const char *v)
{
	return sqlite3_bind_text(st, idx, v, -1, SQLITE_STATIC);
}

/* Binds 0 as NULL: "no due date", "not done". */
static int bind_time(sqlite3_stmt *st, int idx, int64_t t)
{
	return t ? sqlite3_bind_int64(st, idx, t) : sqlite3_bind_null(st, idx);
}

/* Runs a change that must touch one row: VG_NOTFOUND when it touched none. */
static int change_one(struct store *s, sqlite3_stmt *st, int src, const char *what)
{
	int rc = db_bind_check(s, src, what);

	if (!rc)
		rc = db_write(s, st, what);
	if (!rc && sqlite3_changes(s->db) == 0)
		rc = VG_NOTFOUND;
	return rc;
}

static int read_meeting(sqlite3_stmt *st, void *row)
{
	struct meeting_row m = { 0 };
	int rc;

	rc = db_col_text(st, 0, &m.id);
	if (!rc) {
		m.team_id = sqlite3_column_int64(st, 1);
		rc = db_col_text(st, 2, &m.team_name);
	}
	if (!rc) {
		m.starts_at = sqlite3_column_int64(st, 3);
		rc = db_col_text(st, 4, &m.title);
	}
	if (!rc)
		rc = db_col_text(st, 5, &m.place);
	if (!rc)
		rc = db_col_text(st, 6, &m.status);
	if (rc) {
		meeting_row_release(&m);
		return rc;
	}
	m.created_at = sqlite3_column_int64(st, 7);
	m.created_by = sqlite3_column_int64(st, 8);
	m.updated_at = sqlite3_column_int64(st, 9);
	m.agenda_count = sqlite3_column_int64(st, 10);
	*(struct meeting_row *)row = m;
	return VG_OK;
}

static int read_agenda(sqlite3_stmt *st, void *row)
{
	struct agenda_row a = { 0 };
	int rc;

	rc = db_col_text(st, 0, &a.id);
	if (!rc)
		rc = db_col_text(st, 1, &a.meeting_id);
	if (!rc)
		rc = db_col_text(st, 2, &a.case_id);
	if (!rc) {
		a.position = sqlite3_column_int64(st, 3);
		rc = db_col_sealed(st, 4, &a.summary);
	}
	if (!rc)
		rc = db_col_text(st, 5, &a.safety_status);
	if (!rc)
		rc = db_col_sealed(st, 6, &a.outcome);
	if (rc) {
		agenda_row_release(&a);
		return rc;
	}
	a.updated_at = sqlite3_column_int64(st, 7);
	a.updated_by = sqlite3_column_int64(st, 8);
	*(struct agenda_row *)row = a;
	return VG_OK;
}

static int read_attendee(sqlite3_stmt *st, void *row)
{
	struct attendee_row a = { 0 };
	int rc;

	rc = db_col_text(st, 0, &a.id);
	if (!rc)
		rc = db_col_text(st, 1, &a.meeting_id);
	if (!rc) {
		a.user_id = sqlite3_column_int64(st, 2);
		rc = db_col_sealed(st, 3, &a.name);
	}
	if (!rc)
		rc = db_col_text(st, 4, &a.agency);
	if (rc) {
		attendee_row_release(&a);
		return rc;
	}
	a.present = sqlite3_column_int(st, 5);
	*(struct attendee_row *)row = a;
	return VG_OK;
}

static int read_action(sqlite3_stmt *st, void *row)
{
	struct action_row a = { 0 };
	int rc;

	rc = db_col_text(st, 0, &a.id);
	if (!rc)
		rc = db_col_text(st, 1, &a.agenda_id);
	if (!rc)
		rc = db_col_text(st, 2, &a.meeting_id);
	if (!rc)
		rc = db_col_sealed(st, 3, &a.body);
	if (rc) {
		action_row_release(&a);
		return rc;
	}
	/* SQL NULL (no owner account, no due date, not done) reads as 0. */
	a.owner_id = sqlite3_column_int64(st, 4);
	a.due_at = sqlite3_column_int64(st, 5);
	a.done = sqlite3_column_int(st, 6);
	a.done_at = sqlite3_column_int64(st, 7);
	a.done_by = sqlite3_column_int64(st, 8);
	a.created_at = sqlite3_column_int64(st, 9);
	*(struct action_row *)row = a;
	return VG_OK;
}

int store_meeting_insert(struct store *s, const struct meeting_row *m)
{
	sqlite3_stmt *st = NULL;
	int rc, src;

	assert(m && m->id && m->title && m->status);
	db_lock(s);
	rc = db_stmt(s, SQL_MEETING_INSERT, &st);
	if (rc)
		goto out;
	src = bind_str(st, 1, m->id);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 2, m->team_id);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 3, m->starts_at);
	if (src == SQLITE_OK)
		src = bind_str(st, 4, m->title);
	if (src == SQLITE_OK)
		src = db_bind_text(st, 5, m->place);
	if (src == SQLITE_OK)
		src = bind_str(st, 6, m->status);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 7, m->created_at);
	if (src == SQLITE_OK)
		src = db_bind_user(st, 8, m->created_by);
	rc = change_one(s, st, src, __func__);
	db_done(st);
out:
	db_unlock(s);
	return rc;
}

int store_meeting_get(struct store *s, const char *id, struct meeting_row *out)
{
	struct meeting_row m = { 0 };
	sqlite3_stmt *st = NULL;
	int rc;

	assert(id && out);
	db_lock(s);
	rc = db_stmt(s, SQL_MEETING_GET, &st);
	if (rc)
		goto out;
	rc = db_bind_check(s, bind_str(st, 1, id), __func__);
	if (!rc)
		rc = db_row(s, st, __func__, false);
	if (!rc)
		rc = read_meeting(st, &m);
	db_done(st);
out:
	db_unlock(s);
	if (!rc)
		*out = m;
	return rc;
}

int store_meeting_update(struct store *s, const struct meeting_row *m)
{
	sqlite3_stmt *st = NULL;
	int rc, src;

	assert(m && m->id && m->title && m->status);
	db_lock(s);
	rc = db_stmt(s, SQL_MEETING_UPDATE, &st);
	if (rc)
		goto out;
	src = bind_str(st, 1, m->id);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 2, m->starts_at);
	if (src == SQLITE_OK)
		src = bind_str(st, 3, m->title);
	if (src == SQLITE_OK)
		src = db_bind_text(st, 4, m->place);
	if (src == SQLITE_OK)
		src = bind_str(st, 5, m->status);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 6, m->updated_at);
	rc = change_one(s, st, src, __func__);
	db_done(st);
out:
	db_unlock(s);
	return rc;
}

int store_meeting_list(struct store *s, const struct meeting_filter *f,
		       struct meeting_list *out)
{
	struct meeting_list l = { 0 };
	sqlite3_stmt *st = NULL;
	int limit, rc, src;

	assert(f && out);
	limit = f->limit < 1 ? 1 : f->limit > MEETING_LIST_MAX ? MEETING_LIST_MAX : f->limit;
	db_lock(s);
	rc = db_stmt(s, SQL_MEETING_LIST, &st);
	if (rc)
		goto out;
	src = sqlite3_bind_int64(st, 1, f->member);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int(st, 2, f->member != 0);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int(st, 3, f->upcoming ? 1 : 0);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 4, f->now);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int(st, 5, limit);
	rc = db_bind_check(s, src, __func__);
	if (!rc)
		rc = db_collect(s, st, __func__, sizeof(*l.rows), read_meeting,
				(void **)&l.rows, &l.count);
	db_done(st);
out:
	db_unlock(s);
	if (rc) {
		meeting_list_release(&l);
		return rc;
	}
	*out = l;
	return VG_OK;
}

int store_meeting_list_for_case(struct store *s, const char *case_id,
				struct meeting_list *out)
{
	struct meeting_list l = { 0 };
	int rc;

	assert(case_id && out);
	rc = db_collect_by(s, SQL_MEETING_FOR_CASE, case_id, __func__, sizeof(*l.rows),
			   read_meeting, (void **)&l.rows, &l.count);
	if (rc) {
		meeting_list_release(&l);
		return rc;
	}
	*out = l;
	return VG_OK;
}

int store_agenda_insert(struct store *s, const struct agenda_row *a)
{
	sqlite3_stmt *st = NULL;
	int rc, src;

	assert(a && a->id && a->meeting_id && a->case_id && a->safety_status);
	db_lock(s);
	rc = db_stmt(s, SQL_AGENDA_INSERT, &st);
	if (rc)
		goto out;
	src = bind_str(st, 1, a->id);
	if (src == SQLITE_OK)
		src = bind_str(st, 2, a->meeting_id);
	if (src == SQLITE_OK)
		src = bind_str(st, 3, a->case_id);
	if (src == SQLITE_OK)
		src = db_bind_sealed(st, 4, &a->summary);
	if (src == SQLITE_OK)
		src = bind_str(st, 5, a->safety_status);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 6, a->updated_at);
	if (src == SQLITE_OK)
		src = db_bind_user(st, 7, a->updated_by);
	rc = db_case_refusal(s, a->case_id, change_one(s, st, src, __func__));
	db_done(st);
out:
	db_unlock(s);
	return rc;
}

int store_agenda_list(struct store *s, const char *meeting_id, struct agenda_list *out)
{
	struct agenda_list l = { 0 };
	int rc;

	assert(meeting_id && out);
	rc = db_collect_by(s, SQL_AGENDA_LIST, meeting_id, __func__, sizeof(*l.rows),
			   read_agenda, (void **)&l.rows, &l.count);
	if (rc) {
		agenda_list_release(&l);
		return rc;
	}
	*out = l;
	return VG_OK;
}

int store_agenda_get(struct store *s, const char *meeting_id, const char *id,
		     struct agenda_row *out)
{
	struct agenda_row a = { 0 };
	sqlite3_stmt *st = NULL;
	int rc, src;

	assert(meeting_id && id && out);
	db_lock(s);
	rc = db_stmt(s, SQL_AGENDA_GET, &st);
	if (rc)
		goto out;
	src = bind_str(st, 1, meeting_id);
	if (src == SQLITE_OK)
		src = bind_str(st, 2, id);
	rc = db_bind_check(s, src, __func__);
	if (!rc)
		rc = db_row(s, st, __func__, false);
	if (!rc)
		rc = read_agenda(st, &a);
	db_done(st);
out:
	db_unlock(s);
	if (!rc)
		*out = a;
	return rc;
}

int store_agenda_set_summary(struct store *s, const char *meeting_id, const char *id,
			     const struct sealed *summary, int64_t at, int64_t by)
{
	sqlite3_stmt *st = NULL;
	int rc, src;

	assert(meeting_id && id && summary);
	db_lock(s);
	rc = db_stmt(s, SQL_AGENDA_SUMMARY, &st);
	if (rc)
		goto out;
	src = bind_str(st, 1, meeting_id);
	if (src == SQLITE_OK)
		src = bind_str(st, 2, id);
	if (src == SQLITE_OK)
		src = db_bind_sealed(st, 3, summary);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 4, at);
	if (src == SQLITE_OK)
		src = db_bind_user(st, 5, by);
	rc = change_one(s, st, src, __func__);
	db_done(st);
out:
	db_unlock(s);
	return rc;
}

int store_agenda_set_outcome(struct store *s, const char *meeting_id, const char *id,
			     const char *safety_status, const struct sealed *outcome,
			     int64_t at, int64_t by)
{
	sqlite3_stmt *st = NULL;
	int rc, src;

	assert(meeting_id && id && safety_status && outcome);
	db_lock(s);
	rc = db_stmt(s, SQL_AGENDA_OUTCOME, &st);
	if (rc)
		goto out;
	src = bind_str(st, 1, meeting_id);
	if (src == SQLITE_OK)
		src = bind_str(st, 2, id);
	if (src == SQLITE_OK)
		src = bind_str(st, 3, safety_status);
	if (src == SQLITE_OK)
		src = db_bind_sealed(st, 4, outcome);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 5, at);
	if (src == SQLITE_OK)
		src = db_bind_user(st, 6, by);
	rc = change_one(s, st, src, __func__);
	db_done(st);
out:
	db_unlock(s);
	return rc;
}

int store_agenda_delete(struct store *s, const char *meeting_id, const char *id)
{
	sqlite3_stmt *st = NULL;
	int rc, src;

	assert(meeting_id && id);
	db_lock(s);
	/* The action items go with the item (ON DELETE CASCADE). */
	rc = db_stmt(s, SQL_AGENDA_DELETE, &st);
	if (rc)
		goto out;
	src = bind_str(st, 1, meeting_id);
	if (src == SQLITE_OK)
		src = bind_str(st, 2, id);
	rc = change_one(s, st, src, __func__);
	db_done(st);
out:
	db_unlock(s);
	return rc;
}

int store_attendee_insert(struct store *s, const struct attendee_row *a)
{
	sqlite3_stmt *st = NULL;
	int rc, src;

	assert(a && a->id && a->meeting_id && a->name.data);
	db_lock(s);
	rc = db_stmt(s, SQL_ATTENDEE_INSERT, &st);
	if (rc)
		goto out;
	src = bind_str(st, 1, a->id);
	if (src == SQLITE_OK)
		src = bind_str(st, 2, a->meeting_id);
	if (src == SQLITE_OK)
		src = db_bind_user(st, 3, a->user_id);
	if (src == SQLITE_OK)
		src = db_bind_sealed(st, 4, &a->name);
	if (src == SQLITE_OK)
		src = db_bind_text(st, 5, a->agency);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int(st, 6, a->present ? 1 : 0);
	rc = change_one(s, st, src, __func__);
	db_done(st);
out:
	db_unlock(s);
	return rc;
}

int store_attendee_list(struct store *s, const char *meeting_id, struct attendee_list *out)
{
	struct attendee_list l = { 0 };
	int rc;

	assert(meeting_id && out);
	rc = db_collect_by(s, SQL_ATTENDEE_LIST, meeting_id, __func__, sizeof(*l.rows),
			   read_attendee, (void **)&l.rows, &l.count);
	if (rc) {
		attendee_list_release(&l);
		return rc;
	}
	*out = l;
	return VG_OK;
}

int store_attendee_set_present(struct store *s, const char *meeting_id, const char *id,
			       int present)
{
	sqlite3_stmt *st = NULL;
	int rc, src;

	assert(meeting_id && id);
	db_lock(s);
	rc = db_stmt(s, SQL_ATTENDEE_PRESENT, &st);
	if (rc)
		goto out;
	src = bind_str(st, 1, meeting_id);
	if (src == SQLITE_OK)
		src = bind_str(st, 2, id);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int(st, 3, present ? 1 : 0);
	rc = change_one(s, st, src, __func__);
	db_done(st);
out:
	db_unlock(s);
	return rc;
}

int store_action_insert(struct store *s, const struct action_row *a)
{
	sqlite3_stmt *st = NULL;
	int rc, src;

	assert(a && a->id && a->agenda_id && a->body.data);
	db_lock(s);
	rc = db_stmt(s, SQL_ACTION_INSERT, &st);
	if (rc)
		goto out;
	src = bind_str(st, 1, a->id);
	if (src == SQLITE_OK)
		src = bind_str(st, 2, a->agenda_id);
	if (src == SQLITE_OK)
		src = db_bind_sealed(st, 3, &a->body);
	if (src == SQLITE_OK)
		src = db_bind_user(st, 4, a->owner_id);
	if (src == SQLITE_OK)
		src = bind_time(st, 5, a->due_at);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 6, a->created_at);
	rc = change_one(s, st, src, __func__);
	db_done(st);
out:
	db_unlock(s);
	return rc;
}

int store_action_list(struct store *s, const char *meeting_id, struct action_list *out)
{
	struct action_list l = { 0 };
	int rc;

	assert(meeting_id && out);
	rc = db_collect_by(s, SQL_ACTION_LIST, meeting_id, __func__, sizeof(*l.rows),
			   read_action, (void **)&l.rows, &l.count);
	if (rc) {
		action_list_release(&l);
		return rc;
	}
	*out = l;
	return VG_OK;
}

int store_action_set_done(struct store *s, const char *meeting_id, const char *id,
			  int done, int64_t at, int64_t by)
{
	sqlite3_stmt *st = NULL;
	int rc, src;

	assert(meeting_id && id);
	db_lock(s);
	rc = db_stmt(s, SQL_ACTION_DONE, &st);
	if (rc)
		goto out;
	src = bind_str(st, 1, meeting_id);
	if (src == SQLITE_OK)
		src = bind_str(st, 2, id);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int(st, 3, done ? 1 : 0);
	if (src == SQLITE_OK)
		src = bind_time(st, 4, done ? at : 0);
	if (src == SQLITE_OK)
		src = db_bind_user(st, 5, done ? by : 0);
	rc = change_one(s, st, src, __func__);
	db_done(st);
out:
	db_unlock(s);
	return rc;
}

/* Runs a one-row existence query on (?1 user, ?2 key): VG_OK or VG_NOTFOUND. */
static int exists_for_user(struct store *s, const char *sql, int64_t user_id,
			   const char *key, const char *what)
{
	sqlite3_stmt *st = NULL;
	int rc, src;

	db_lock(s);
	rc = db_stmt(s, sql, &st);
	if (rc)
		goto out;
	src = sqlite3_bind_int64(st, 1, user_id);
	if (src == SQLITE_OK)
		src = bind_str(st, 2, key);
	rc = db_bind_check(s, src, what);
	if (!rc)
		rc = db_row(s, st, what, false);
	db_done(st);
out:
	db_unlock(s);
	return rc;
}

int store_meeting_case_on_agenda(struct store *s, int64_t user_id, const char *case_id)
{
	assert(case_id);
	return exists_for_user(s, SQL_CASE_ON_AGENDA, user_id, case_id, __func__);
}

int store_meeting_is_member(struct store *s, int64_t user_id, const char *meeting_id)
{
	assert(meeting_id);
	return exists_for_user(s, SQL_IS_MEMBER, user_id, meeting_id, __func__);
}

void meeting_row_release(struct meeting_row *m)
{
	free(m->id);
	free(m->team_name);
	free(m->title);
	free(m->place);
	free(m->status);
	memset(m, 0, sizeof(*m));
}

DB_LIST_RELEASE(meeting_list_release, meeting_list, meeting_row_release)

void agenda_row_release(struct agenda_row *a)
{
	free(a->id);
	free(a->meeting_id);
	free(a->case_id);
	free(a->summary.data);
	free(a->safety_status);
	free(a->outcome.data);
	memset(a, 0, sizeof(*a));
}

DB_LIST_RELEASE(agenda_list_release, agenda_list, agenda_row_release)

void attendee_row_release(struct attendee_row *a)
{
	free(a->id);
	free(a->meeting_id);
	free(a->name.data);
	free(a->agency);
	memset(a, 0, sizeof(*a));
}

DB_LIST_RELEASE(attendee_list_release, attendee_list, attendee_row_release)

void action_row_release(struct action_row *a)
{
	free(a->id);
	free(a->agenda_id);
	free(a->meeting_id);
	free(a->body.data);
	memset(a, 0, sizeof(*a));
}

DB_LIST_RELEASE(action_list_release, action_list, action_row_release)

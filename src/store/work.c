/*
 * work.c - the SQLite side of store/work.h: teams, assignment, notes,
 * tasks and the retention purge.
 *
 * Inserts that name a case, user or team use INSERT ... SELECT ... WHERE
 * EXISTS, so a missing parent inserts nothing and reads as VG_NOTFOUND
 * instead of a foreign-key failure logged as a database error.
 */
#include "base/compat.h"
#include "store/work.h"
#include "store/db.h"

#define TEAM_COLUMNS "id, name, kind, created_at, disabled"

/* The order read_task() expects. */
#define TASK_SELECT                                                          \
	"SELECT t.id, t.case_id, t.kind, t.title, t.created_at, t.created_by, "  \
	"t.due_at, t.owner_user, t.owner_team, COALESCE(u.name, ''), "          \
	"COALESCE(m.name, ''), t.done_at, t.done_by, COALESCE(t.tip_id, '') "   \
	"FROM tasks t LEFT JOIN users u ON u.id = t.owner_user "               \
	"LEFT JOIN teams m ON m.id = t.owner_team "

/* The ids of the teams a user (?1) belongs to. */
#define MY_TEAMS "(SELECT team_id FROM team_members WHERE user_id = ?1)"

static const char SQL_TEAM_INSERT[] =
	"INSERT INTO teams (name, kind, created_at) VALUES (?1, ?2, ?3)";
static const char SQL_TEAM_BY_NAME[] =
	"SELECT " TEAM_COLUMNS " FROM teams WHERE name = ?1";
static const char SQL_TEAM_BY_ID[] =
	"SELECT " TEAM_COLUMNS " FROM teams WHERE id = ?1";
static const char SQL_TEAM_LIST[] =
	"SELECT " TEAM_COLUMNS " FROM teams ORDER BY name";
static const char SQL_MEMBER_ADD[] =
	"INSERT INTO team_members (team_id, user_id, agency, added_at) "
	"SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM teams WHERE id = ?1) "
	"AND EXISTS (SELECT 1 FROM users WHERE id = ?2)";
static const char SQL_MEMBER_REMOVE[] =
	"DELETE FROM team_members WHERE team_id = ?1 AND user_id = ?2";
static const char SQL_MEMBERS[] =
	"SELECT m.team_id, m.user_id, u.name, u.role, m.agency, m.added_at "
	"FROM team_members m JOIN users u ON u.id = m.user_id "
	"WHERE m.team_id = ?1 ORDER BY u.name";
static const char SQL_USER_TEAMS[] =
	"SELECT m.team_id, m.user_id, t.name, t.kind, m.agency, m.added_at "
	"FROM team_members m JOIN teams t ON t.id = m.team_id "
	"WHERE m.user_id = ?1 AND t.disabled = 0 ORDER BY m.team_id";
static const char SQL_USER_LIST[] =
	"SELECT 0, id, name, role, '', created_at FROM users WHERE disabled = 0 ORDER BY name";

static const char SQL_ASSIGNMENT[] =
	"SELECT COALESCE(assignee_user, 0), COALESCE(assignee_team, 0) FROM cases WHERE id = ?1";
static const char SQL_ASSIGN[] =
	"UPDATE cases SET assignee_user = ?2, assignee_team = ?3, updated_at = ?4 "
	"WHERE id = ?1 AND (?2 IS NULL OR EXISTS (SELECT 1 FROM users WHERE id = ?2)) "
	"AND (?3 IS NULL OR EXISTS (SELECT 1 FROM teams WHERE id = ?3))";

static const char SQL_NOTE_INSERT[] =
	"INSERT INTO notes (id, case_id, created_at, user_id, body) "
	"SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM cases WHERE id = ?2 "
	"AND status <> 'merged')";
static const char SQL_NOTE_LIST[] =
	"SELECT n.id, n.case_id, n.created_at, n.user_id, COALESCE(u.name, ''), n.body "
	"FROM notes n LEFT JOIN users u ON u.id = n.user_id "
	"WHERE n.case_id = ?1 ORDER BY n.created_at, n.rowid";
static const char SQL_NOTE_COUNT[] =
	"SELECT count(*) FROM notes WHERE case_id = ?1";

static const char SQL_TASK_INSERT[] =
	"INSERT INTO tasks (id, case_id, kind, title, created_at, created_by, due_at, "
	"owner_user, owner_team, tip_id) "
	"SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10 "
	"WHERE EXISTS (SELECT 1 FROM cases WHERE id = ?2 AND status <> 'merged') "
	"AND (?8 IS NULL OR EXISTS (SELECT 1 FROM users WHERE id = ?8)) "
	"AND (?9 IS NULL OR EXISTS (SELECT 1 FROM teams WHERE id = ?9))";
static const char SQL_TRIGGER_SEEN[] =
	"SELECT (SELECT count(*) FROM task_triggers WHERE tip_id = ?1 AND kind = ?2) + "
	"(SELECT count(*) FROM tasks WHERE case_id = ?3 AND kind = ?2)";
static const char SQL_TRIGGER_ADD[] =
	"INSERT OR IGNORE INTO task_triggers (tip_id, kind) VALUES (?1, ?2)";
static const char SQL_TASK_GET[] =
	TASK_SELECT "WHERE t.case_id = ?1 AND t.id = ?2";
static const char SQL_TASK_DONE[] =
	"UPDATE tasks SET done_at = ?3, done_by = ?4 WHERE case_id = ?1 AND id = ?2";
static const char SQL_TASK_LIST[] =
	TASK_SELECT "WHERE t.case_id = ?1 "
	"ORDER BY t.done_at IS NOT NULL, t.due_at IS NULL, t.due_at, t.created_at, t.rowid";
static const char SQL_TASK_MINE[] =
	TASK_SELECT "JOIN cases c ON c.id = t.case_id "
	"WHERE t.done_at IS NULL AND c.status <> 'merged' AND (t.owner_user = ?1 "
	"OR t.owner_team IN " MY_TEAMS " "
	"OR (t.owner_user IS NULL AND t.owner_team IS NULL AND (c.assignee_user = ?1 "
	"OR c.assignee_team IN " MY_TEAMS "))) "
	"ORDER BY t.due_at IS NULL, t.due_at, t.created_at, t.rowid LIMIT ?2";
static const char SQL_TASK_OVERDUE[] =
	"SELECT count(*) FROM tasks WHERE case_id = ?1 AND done_at IS NULL "
	"AND due_at IS NOT NULL AND due_at < ?2";

static const char SQL_WORK_TIPS[] =
	"SELECT t.id, t.created_at, t.urgency, t.screening FROM case_tips ct "
	"JOIN tips t ON t.id = ct.tip_id WHERE ct.case_id = ?1 ORDER BY ct.added_at, t.rowid";
/* Cases with a screened tip that work_auto_tasks() has not looked at. */
static const char SQL_WORK_BACKLOG[] =
	"SELECT DISTINCT ct.case_id FROM case_tips ct JOIN tips t ON t.id = ct.tip_id "
	"WHERE t.screening IS NOT NULL AND NOT EXISTS (SELECT 1 FROM task_triggers tt "
	"WHERE tt.tip_id = ct.tip_id AND tt.kind = 'checked') LIMIT ?1";
static const char SQL_TIP_CASE[] =
	"SELECT case_id FROM case_tips WHERE tip_id = ?1";

/*
 * Due: a case closed at or before `before`, and a merged case whose merged_into
 * the purge of the case it was merged into has emptied (ON DELETE SET NULL
 * in 0005): what stayed with it at the merge (an automatic task or an
 * entity the other case already had, an agenda item, its history and
 * grants) must not outlive the case it belongs to.
 */
#define PURGE_DUE(before)                                                      \
	"((closed_at IS NOT NULL AND closed_at <= " before " "                 \
	"AND status IN ('closed', 'closed_referred')) "                         \
	"OR (status = 'merged' AND merged_into IS NULL))"
static const char SQL_PURGE_CANDIDATES[] =
	"SELECT id FROM cases WHERE " PURGE_DUE("?1") " ORDER BY closed_at, id LIMIT ?2";
static const char SQL_PURGE_CHECK[] =
	"SELECT 1 FROM cases WHERE id = ?1 AND " PURGE_DUE("?2");
static const char SQL_PURGE_COUNT[] =
	"SELECT (SELECT count(*) FROM case_tips WHERE case_id = ?1), "
	"(SELECT count(*) FROM messages WHERE tip_id IN "
	"(SELECT tip_id FROM case_tips WHERE case_id = ?1)), "
	"(SELECT count(*) FROM referrals WHERE tip_id IN "
	"(SELECT tip_id FROM case_tips WHERE case_id = ?1)), "
	"(SELECT count(*) FROM persons WHERE case_id = ?1), "
	"(SELECT count(*) FROM locations WHERE case_id = ?1), "
	"(SELECT count(*) FROM notes WHERE case_id = ?1), "
	"(SELECT count(*) FROM tasks WHERE case_id = ?1), "
	"(SELECT count(*) FROM entities WHERE case_id = ?1 OR tip_id IN "
	"(SELECT tip_id FROM case_tips WHERE case_id = ?1))";
static const char SQL_PURGE_MESSAGES[] =
	"DELETE FROM messages WHERE tip_id IN (SELECT tip_id FROM case_tips WHERE case_id = ?1)";
static const char SQL_PURGE_REFERRALS[] =
	"DELETE FROM referrals WHERE tip_id IN (SELECT tip_id FROM case_tips WHERE case_id = ?1)";
static const char SQL_PURGE_TIPS[] =
	"DELETE FROM tips WHERE id IN (SELECT tip_id FROM case_tips WHERE case_id = ?1)";
/* Entities of a case name it without a foreign key (0007_entities.sql). */
static const char SQL_PURGE_ENTITIES[] =
	"DELETE FROM entities WHERE case_id = ?1";
static const char SQL_PURGE_CASE[] =
	"DELETE FROM cases WHERE id = ?1";

static int bind_opt_id(sqlite3_stmt *st, int idx, int64_t id)
{
	return id ? sqlite3_bind_int64(st, idx, id) : sqlite3_bind_null(st, idx);
}

static int64_t col_opt(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, i);
}

/* Runs a write that must change one row: VG_NOTFOUND when it changed none. */
static int write_one(struct store *s, sqlite3_stmt *st, int src, const char *what)
{
	int rc = db_bind_check(s, src, what);

	if (!rc)
		rc = db_write(s, st, what);
	if (!rc && sqlite3_changes(s->db) == 0)
		rc = VG_NOTFOUND;
	return rc;
}

/* Teams */

static int read_team(sqlite3_stmt *st, void *row)
{
	struct team_row *t = row;
	int rc;

	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(st, 0);
	rc = db_col_text(st, 1, &t->name);
	if (!rc)
		rc = db_col_text(st, 2, &t->kind);
	t->created_at = sqlite3_column_int64(st, 3);
	t->disabled = sqlite3_column_int(st, 4);
	if (rc)
		team_row_release(t);
	return rc;
}

int store_team_insert(struct store *s, const char *name, const char *kind, int64_t now,
		      int64_t *id_out)
{
	sqlite3_stmt *st;
	int rc, src;

	assert(name && kind);
	db_lock(s);
	rc = db_stmt(s, SQL_TEAM_INSERT, &st);
	if (rc)
		goto out;
	src = sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 3, now);
	rc = write_one(s, st, src, __func__);
	if (!rc && id_out)
		*id_out = sqlite3_last_insert_rowid(s->db);
	db_done(st);
out:
	db_unlock(s);
	return rc;
}

static int team_get(struct store *s, const char *sql, const char *name, int64_t id,
		    struct team_row *out)
{
	struct team_row t;
	sqlite3_stmt *st;
	int rc;

	db_lock(s);
	rc = db_stmt(s, sql, &st);
	if (rc)
		goto out;
	rc = db_bind_check(s, name ? sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC) :
				     sqlite3_bind_int64(st, 1, id), __func__);
	if (!rc)
		rc = db_row(s, st, __func__, false);
	if (!rc)
		rc = read_team(st, &t);
	if (!rc)
		*out = t;
	db_done(st);
out:
	db_unlock(s);
	return rc;
}

int store_team_by_name(struct store *s, const char *name, struct team_row *out)
{
	assert(name && out);
	return team_get(s, SQL_TEAM_BY_NAME, name, 0, out);
}

int store_team_by_id(struct store *s, int64_t id, struct team_row *out)
{
	assert(out);
	return team_get(s, SQL_TEAM_BY_ID, NULL, id, out);
}

int store_team_list(struct store *s, struct team_list *out)
{
	struct team_list l = {0};
	sqlite3_stmt *st;
	int rc;

	assert(out);
	db_lock(s);
	rc = db_stmt(s, SQL_TEAM_LIST, &st);
	if (!rc) {
		rc = db_collect(s, st, __func__, sizeof(*l.rows), read_team,
				(void **)&l.rows, &l.count);
		db_done(st);
	}
	db_unlock(s);
	if (rc) {
		team_list_release(&l);
		return rc;
	}
	*out = l;
	return VG_OK;
}

int store_team_member_add(struct store *s, int64_t team_id, int64_t user_id,
			  const char *agency, int64_t now)
{
	sqlite3_stmt *st;
	int rc, src;

	db_lock(s);
	rc = db_stmt(s, SQL_MEMBER_ADD, &st);
	if (rc)
		goto out;
	src = sqlite3_bind_int64(st, 1, team_id);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 2, user_id);
	if (src == SQLITE_OK)
		src = db_bind_text(st, 3, agency);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 4, now);
	rc = write_one(s, st, src, __func__);
	db_done(st);
out:
	db_unlock(s);
	return rc;
}

int store_team_member_remove(struct store *s, int64_t team_id, int64_t user_id)
{
	sqlite3_stmt *st;
	int rc, src;

	db_lock(s);
	rc = db_stmt(s, SQL_MEMBER_REMOVE, &st);
	if (rc)
		goto out;
	src = sqlite3_bind_int64(st, 1, team_id);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 2, user_id);
	rc = write_one(s, st, src, __func__);
	db_done(st);
out:
	db_unlock(s);
	return rc;
}

static int read_member(sqlite3_stmt *st, void *row)
{
	struct member_row *m = row;
	int rc;

	memset(m, 0, sizeof(*m));
	m->team_id = sqlite3_column_int64(st, 0);
	m->user_id = sqlite3_column_int64(st, 1);
	m->added_at = sqlite3_column_int64(st, 5);
	rc = db_col_text(st, 2, &m->user_name);
	if (!rc)
		rc = db_col_text(st, 3, &m->role);
	if (!rc)
		rc = db_col_text(st, 4, &m->agency);
	if (rc) {
		free(m->user_name);
		free(m->role);
		free(m->agency);
	}
	return rc;
}

static int member_query(struct store *s, const char *sql, int64_t id, int bind,
			struct member_list *out)
{
	struct member_list l = {0};
	sqlite3_stmt *st;
	int rc;

	db_lock(s);
	rc = db_stmt(s, sql, &st);
	if (rc)
		goto out;
	if (bind)
		rc = db_bind_check(s, sqlite3_bind_int64(st, 1, id), __func__);
	if (!rc)
		rc = db_collect(s, st, __func__, sizeof(*l.rows), read_member,
				(void **)&l.rows, &l.count);
	db_done(st);
out:
	db_unlock(s);
	if (rc) {
		member_list_release(&l);
		return rc;
	}
	*out = l;
	return VG_OK;
}

int store_team_members(struct store *s, int64_t team_id, struct member_list *out)
{
	assert(out);
	return member_query(s, SQL_MEMBERS, team_id, 1, out);
}

int store_user_teams(struct store *s, int64_t user_id, struct member_list *out)
{
	assert(out);
	return member_query(s, SQL_USER_TEAMS, user_id, 1, out);
}

int store_user_list(struct store *s, struct member_list *out)
{
	assert(out);
	return member_query(s, SQL_USER_LIST, 0, 0, out);
}

void team_row_release(struct team_row *t)
{
	free(t->name);
	free(t->kind);
	t->name = t->kind = NULL;
}

void team_list_release(struct team_list *l)
{
	size_t i;

	for (i = 0; i < l->count; i++)
		team_row_release(&l->rows[i]);
	free(l->rows);
	l->rows = NULL;
	l->count = 0;
}

void member_list_release(struct member_list *l)
{
	size_t i;

	for (i = 0; i < l->count; i++) {
		free(l->rows[i].user_name);
		free(l->rows[i].role);
		free(l->rows[i].agency);
	}
	free(l->rows);
	l->rows = NULL;
	l->count = 0;
}

/* Assignment */

int store_case_assignment(struct store *s, const char *case_id, struct assignment *out)
{
	sqlite3_stmt *st;
	int rc;

	assert(case_id && out);
	db_lock(s);
	rc = db_stmt(s, SQL_ASSIGNMENT, &st);
	if (rc)
		goto out;
	rc = db_bind_check(s, sqlite3_bind_text(st, 1, case_id, -1, SQLITE_STATIC), __func__);
	if (!rc)
		rc = db_row(s, st, __func__, false);
	if (!rc) {
		out->user_id = sqlite3_column_int64(st, 0);
		out->team_id = sqlite3_column_int64(st, 1);
	}
	db_done(st);
out:
	db_unlock(s);
	return rc;
}

int store_case_assign(struct store *s, const char *case_id, const struct assignment *a,
		      int64_t now)
{
	sqlite3_stmt *st;
	int rc, src;

	assert(case_id && a);
	db_lock(s);
	rc = db_stmt(s, SQL_ASSIGN, &st);
	if (rc)
		goto out;
	src = sqlite3_bind_text(st, 1, case_id, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = bind_opt_id(st, 2, a->user_id);
	if (src == SQLITE_OK)
		src = bind_opt_id(st, 3, a->team_id);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 4, now);
	rc = write_one(s, st, src, __func__);
	db_done(st);
out:
	db_unlock(s);
	return rc;
}

/* Notes */

int store_note_insert(struct store *s, const struct note_row *n)
{
	sqlite3_stmt *st;
	int rc, src;

	assert(n && n->id && n->case_id && n->body.data && n->user_id);
	db_lock(s);
	rc = db_stmt(s, SQL_NOTE_INSERT, &st);
	if (rc)
		goto out;
	src = sqlite3_bind_text(st, 1, n->id, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 2, n->case_id, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 3, n->created_at);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 4, n->user_id);
	if (src == SQLITE_OK)
		src = db_bind_sealed(st, 5, &n->body);
	rc = db_case_refusal(s, n->case_id, write_one(s, st, src, __func__));
	db_done(st);
out:
	db_unlock(s);
	return rc;
}

static void note_row_release(struct note_row *n)
{
	free(n->id);
	free(n->case_id);
	free(n->author);
	free(n->body.data);
	memset(n, 0, sizeof(*n));
}

static int read_note(sqlite3_stmt *st, void *row)
{
	struct note_row *n = row;
	int rc;

	memset(n, 0, sizeof(*n));
	n->created_at = sqlite3_column_int64(st, 2);
	n->user_id = sqlite3_column_int64(st, 3);
	rc = db_col_text(st, 0, &n->id);
	if (!rc)
		rc = db_col_text(st, 1, &n->case_id);
	if (!rc)
		rc = db_col_text(st, 4, &n->author);
	if (!rc)
		rc = db_col_sealed(st, 5, &n->body);
	if (rc)
		note_row_release(n);
	return rc;
}

int store_note_list(struct store *s, const char *case_id, struct note_list *out)
{
	struct note_list l = {0};
	int rc;

	assert(case_id && out);
	rc = db_collect_by(s, SQL_NOTE_LIST, case_id, __func__, sizeof(*l.rows), read_note,
			   (void **)&l.rows, &l.count);
	if (rc) {
		note_list_release(&l);
		return rc;
	}
	*out = l;
	return VG_OK;
}

/* A count whose statement takes a case id as ?1 and, with `with_time`, a time as ?2. */
static int case_count(struct store *s, const char *sql, const char *case_id, int with_time,
		      int64_t t, int64_t *out)
{
	sqlite3_stmt *st;
	int64_t n = 0;
	int rc, src;

	db_lock(s);
	rc = db_stmt(s, sql, &st);
	if (rc)
		goto out;
	src = sqlite3_bind_text(st, 1, case_id, -1, SQLITE_STATIC);
	if (src == SQLITE_OK && with_time)
		src = sqlite3_bind_int64(st, 2, t);
	rc = db_bind_check(s, src, __func__);
	if (!rc)
		rc = db_int64(s, st, __func__, false, &n);
	if (!rc)
		*out = n;
	db_done(st);
out:
	db_unlock(s);
	return rc;
}

int store_note_count(struct store *s, const char *case_id, int64_t *out)
{
	assert(case_id && out);
	return case_count(s, SQL_NOTE_COUNT, case_id, 0, 0, out);
}

void note_list_release(struct note_list *l)
{
	size_t i;

	for (i = 0; i < l->count; i++)
		note_row_release(&l->rows[i]);
	free(l->rows);
	l->rows = NULL;
	l->count = 0;
}

/* Tasks */

static int bind_task(sqlite3_stmt *st, const struct task_row *t)
{
	int src = sqlite3_bind_text(st, 1, t->id, -1, SQLITE_STATIC);

	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 2, t->case_id, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 3, t->kind, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = db_bind_sealed(st, 4, &t->title);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 5, t->created_at);
	if (src == SQLITE_OK)
		src = db_bind_user(st, 6, t->created_by);
	if (src == SQLITE_OK)
		src = bind_opt_id(st, 7, t->due_at);
	if (src == SQLITE_OK)
		src = bind_opt_id(st, 8, t->owner_user);
	if (src == SQLITE_OK)
		src = bind_opt_id(st, 9, t->owner_team);
	if (src == SQLITE_OK)
		src = t->tip_id && t->tip_id[0] ?
		      sqlite3_bind_text(st, 10, t->tip_id, -1, SQLITE_STATIC) :
		      sqlite3_bind_null(st, 10);
	return src;
}

int store_task_insert(struct store *s, const struct task_row *t)
{
	sqlite3_stmt *st;
	int rc;

	assert(t && t->id && t->case_id && t->kind);
	db_lock(s);
	rc = db_stmt(s, SQL_TASK_INSERT, &st);
	if (!rc) {
		rc = db_case_refusal(s, t->case_id, write_one(s, st, bind_task(st, t), __func__));
		db_done(st);
	}
	db_unlock(s);
	return rc;
}

int store_task_auto(struct store *s, const struct task_row *t, int *created)
{
	sqlite3_stmt *seen = NULL, *ins = NULL, *mark = NULL;
	int64_t n = 0;
	int rc, src;

	assert(t && t->id && t->case_id && t->kind && t->tip_id && created);
	assert(strcmp(t->kind, TASK_MANUAL));
	db_lock(s);
	rc = db_stmt(s, SQL_TRIGGER_SEEN, &seen);
	if (!rc)
		rc = db_stmt(s, SQL_TASK_INSERT, &ins);
	if (!rc)
		rc = db_stmt(s, SQL_TRIGGER_ADD, &mark);
	/* Derived from the tip: work_auto_backlog() does it again if a crash loses it. */
	if (!rc)
		rc = db_begin_deferred(s, __func__);
	if (rc)
		goto out;
	src = sqlite3_bind_text(seen, 1, t->tip_id, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(seen, 2, t->kind, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(seen, 3, t->case_id, -1, SQLITE_STATIC);
	rc = db_bind_check(s, src, __func__);
	if (!rc)
		rc = db_int64(s, seen, __func__, false, &n);
	if (!rc && n == 0)
		rc = write_one(s, ins, bind_task(ins, t), __func__);
	if (!rc) {
		src = sqlite3_bind_text(mark, 1, t->tip_id, -1, SQLITE_STATIC);
		if (src == SQLITE_OK)
			src = sqlite3_bind_text(mark, 2, t->kind, -1, SQLITE_STATIC);
		rc = db_bind_check(s, src, __func__);
	}
	if (!rc)
		rc = db_write(s, mark, __func__);
	if (!rc)
		rc = db_commit(s, __func__);
	if (rc)
		db_rollback(s);
	rc = db_end_deferred(s, rc);
	if (!rc)
		*created = n == 0;
out:
	if (seen)
		db_done(seen);
	if (ins)
		db_done(ins);
	if (mark)
		db_done(mark);
	db_unlock(s);
	return rc;
}

void task_row_release(struct task_row *t)
{
	free(t->id);
	free(t->case_id);
	free(t->kind);
	free(t->title.data);
	free(t->owner_user_name);
	free(t->owner_team_name);
	free(t->tip_id);
	memset(t, 0, sizeof(*t));
}

static int read_task(sqlite3_stmt *st, void *row)
{
	struct task_row *t = row;
	int rc;

	memset(t, 0, sizeof(*t));
	t->created_at = sqlite3_column_int64(st, 4);
	t->created_by = col_opt(st, 5);
	t->due_at = col_opt(st, 6);
	t->owner_user = col_opt(st, 7);
	t->owner_team = col_opt(st, 8);
	t->done_at = col_opt(st, 11);
	t->done_by = col_opt(st, 12);
	rc = db_col_text(st, 0, &t->id);
	if (!rc)
		rc = db_col_text(st, 1, &t->case_id);
	if (!rc)
		rc = db_col_text(st, 2, &t->kind);
	if (!rc)
		rc = db_col_sealed(st, 3, &t->title);
	if (!rc)
		rc = db_col_text(st, 9, &t->owner_user_name);
	if (!rc)
		rc = db_col_text(st, 10, &t->owner_team_name);
	if (!rc)
		rc = db_col_text(st, 13, &t->tip_id);
	if (rc)
		task_row_release(t);
	return rc;
}

int store_task_get(struct store *s, const char *case_id, const char *id, struct task_row *out)
{
	struct task_row t;
	sqlite3_stmt *st;
	int rc, src;

	assert(case_id && id && out);
	db_lock(s);
	rc = db_stmt(s, SQL_TASK_GET, &st);
	if (rc)
		goto out;
	src = sqlite3_bind_text(st, 1, case_id, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	rc = db_bind_check(s, src, __func__);
	if (!rc)
		rc = db_row(s, st, __func__, false);
	if (!rc)
		rc = read_task(st, &t);
	if (!rc)
		*out = t;
	db_done(st);
out:
	db_unlock(s);
	return rc;
}

int store_task_set_done(struct store *s, const char *case_id, const char *id, int done,
			int64_t at, int64_t by)
{
	sqlite3_stmt *st;
	int rc, src;

	assert(case_id && id);
	db_lock(s);
	rc = db_stmt(s, SQL_TASK_DONE, &st);
	if (rc)
		goto out;
	src = sqlite3_bind_text(st, 1, case_id, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = done ? sqlite3_bind_int64(st, 3, at) : sqlite3_bind_null(st, 3);
	if (src == SQLITE_OK)
		src = done ? db_bind_user(st, 4, by) : sqlite3_bind_null(st, 4);
	rc = write_one(s, st, src, __func__);
	db_done(st);
out:
	db_unlock(s);
	return rc;
}

int store_task_list(struct store *s, const char *case_id, struct task_list *out)
{
	struct task_list l = {0};
	int rc;

	assert(case_id && out);
	rc = db_collect_by(s, SQL_TASK_LIST, case_id, __func__, sizeof(*l.rows), read_task,
			   (void **)&l.rows, &l.count);
	if (rc) {
		task_list_release(&l);
		return rc;
	}
	*out = l;
	return VG_OK;
}

int store_task_mine(struct store *s, int64_t user_id, int limit, struct task_list *out)
{
	struct task_list l = {0};
	sqlite3_stmt *st;
	int rc, src;

	assert(out && limit > 0);
	db_lock(s);
	rc = db_stmt(s, SQL_TASK_MINE, &st);
	if (rc)
		goto out;
	src = sqlite3_bind_int64(st, 1, user_id);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int(st, 2, limit);
	rc = db_bind_check(s, src, __func__);
	if (!rc)
		rc = db_collect(s, st, __func__, sizeof(*l.rows), read_task,
				(void **)&l.rows, &l.count);
	db_done(st);
out:
	db_unlock(s);
	if (rc) {
		task_list_release(&l);
		return rc;
	}
	*out = l;
	return VG_OK;
}

int store_task_overdue_count(struct store *s, const char *case_id, int64_t now, int64_t *out)
{
	assert(case_id && out);
	return case_count(s, SQL_TASK_OVERDUE, case_id, 1, now, out);
}

void task_list_release(struct task_list *l)
{
	size_t i;

	for (i = 0; i < l->count; i++)
		task_row_release(&l->rows[i]);
	free(l->rows);
	l->rows = NULL;
	l->count = 0;
}

/* The tips of a case */

static int read_work_tip(sqlite3_stmt *st, void *row)
{
	struct work_tip *t = row;
	int rc;

	memset(t, 0, sizeof(*t));
	t->created_at = sqlite3_column_int64(st, 1);
	rc = db_col_text(st, 0, &t->id);
	if (!rc)
		rc = db_col_text(st, 2, &t->urgency);
	if (!rc)
		rc = db_col_sealed(st, 3, &t->screening);
	if (rc) {
		free(t->id);
		free(t->urgency);
	}
	return rc;
}

int store_work_tips(struct store *s, const char *case_id, struct work_tip_list *out)
{
	struct work_tip_list l = {0};
	int rc;

	assert(case_id && out);
	rc = db_collect_by(s, SQL_WORK_TIPS, case_id, __func__, sizeof(*l.rows), read_work_tip,
			   (void **)&l.rows, &l.count);
	if (rc) {
		work_tip_list_release(&l);
		return rc;
	}
	*out = l;
	return VG_OK;
}

void work_tip_list_release(struct work_tip_list *l)
{
	size_t i;

	for (i = 0; i < l->count; i++) {
		free(l->rows[i].id);
		free(l->rows[i].urgency);
		free(l->rows[i].screening.data);
	}
	free(l->rows);
	l->rows = NULL;
	l->count = 0;
}

int store_task_checked(struct store *s, const char *tip_id)
{
	sqlite3_stmt *st;
	int rc, src;

	assert(tip_id);
	db_lock(s);
	rc = db_stmt(s, SQL_TRIGGER_ADD, &st);
	/* Derived from the tip: work_auto_backlog() checks it again if a crash loses it. */
	if (!rc)
		rc = db_begin_deferred(s, __func__);
	if (rc)
		goto out;
	src = sqlite3_bind_text(st, 1, tip_id, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 2, TASK_CHECKED, -1, SQLITE_STATIC);
	rc = db_bind_check(s, src, __func__);
	if (!rc)
		rc = db_write(s, st, __func__);
	db_done(st);
	if (!rc)
		rc = db_commit(s, __func__);
	if (rc)
		db_rollback(s);
	rc = db_end_deferred(s, rc);
out:
	db_unlock(s);
	return rc;
}

static int read_id(sqlite3_stmt *st, void *row)
{
	return db_col_text(st, 0, row);
}

/* Runs a statement of ids whose one parameter is a limit. */
static int id_list(struct store *s, const char *sql, int64_t p1, int64_t p2, int nparams,
		   char ***ids, size_t *count)
{
	char **rows = NULL;
	size_t n = 0, i;
	sqlite3_stmt *st;
	int rc, src;

	db_lock(s);
	rc = db_stmt(s, sql, &st);
	if (rc)
		goto out;
	src = sqlite3_bind_int64(st, 1, p1);
	if (src == SQLITE_OK && nparams > 1)
		src = sqlite3_bind_int64(st, 2, p2);
	rc = db_bind_check(s, src, __func__);
	if (!rc)
		rc = db_collect(s, st, __func__, sizeof(*rows), read_id, (void **)&rows, &n);
	db_done(st);
out:
	db_unlock(s);
	if (rc) {
		for (i = 0; i < n; i++)
			free(rows[i]);
		free(rows);
		return rc;
	}
	*ids = rows;
	*count = n;
	return VG_OK;
}

int store_work_backlog(struct store *s, size_t limit, char ***ids, size_t *count)
{
	assert(ids && count && limit > 0);
	return id_list(s, SQL_WORK_BACKLOG, (int64_t)limit, 0, 1, ids, count);
}

int store_tip_case(struct store *s, const char *tip_id, char **out)
{
	sqlite3_stmt *st;
	int rc;

	assert(tip_id && out);
	db_lock(s);
	rc = db_stmt(s, SQL_TIP_CASE, &st);
	if (rc)
		goto out;
	rc = db_bind_check(s, sqlite3_bind_text(st, 1, tip_id, -1, SQLITE_STATIC), __func__);
	if (!rc)
		rc = db_row(s, st, __func__, false);
	if (!rc)
		rc = db_col_text(st, 0, out);
	db_done(st);
out:
	db_unlock(s);
	return rc;
}

/* Retention */

int store_purge_candidates(struct store *s, int64_t before, size_t limit, char ***ids,
			   size_t *count)
{
	assert(ids && count && limit > 0);
	return id_list(s, SQL_PURGE_CANDIDATES, before, (int64_t)limit, 2, ids, count);
}

/* Runs a statement bound to the case id as ?1 (and `before` as ?2 when it has one). */
static int purge_step(struct store *s, const char *sql, const char *case_id, int64_t before,
		      int rows)
{
	sqlite3_stmt *st;
	int rc, src;

	rc = db_stmt(s, sql, &st);
	if (rc)
		return rc;
	src = sqlite3_bind_text(st, 1, case_id, -1, SQLITE_STATIC);
	if (src == SQLITE_OK && sqlite3_bind_parameter_count(st) > 1)
		src = sqlite3_bind_int64(st, 2, before);
	rc = db_bind_check(s, src, __func__);
	if (!rc)
		rc = rows ? db_row(s, st, __func__, false) : db_write(s, st, __func__);
	db_done(st);
	return rc;
}

int store_case_purge(struct store *s, const char *case_id, int64_t before,
		     struct purge_counts *counts)
{
	struct purge_counts c = {0};
	sqlite3_stmt *st;
	int rc;

	assert(case_id && counts);
	db_lock(s);
	rc = db_begin(s, __func__);
	if (rc)
		goto out;
	rc = purge_step(s, SQL_PURGE_CHECK, case_id, before, 1);
	if (rc)
		goto fail;
	rc = db_stmt(s, SQL_PURGE_COUNT, &st);
	if (rc)
		goto fail;
	rc = db_bind_check(s, sqlite3_bind_text(st, 1, case_id, -1, SQLITE_STATIC), __func__);
	if (!rc)
		rc = db_row(s, st, __func__, false);
	if (!rc) {
		c.tips = sqlite3_column_int64(st, 0);
		c.messages = sqlite3_column_int64(st, 1);
		c.referrals = sqlite3_column_int64(st, 2);
		c.persons = sqlite3_column_int64(st, 3);
		c.locations = sqlite3_column_int64(st, 4);
		c.notes = sqlite3_column_int64(st, 5);
		c.tasks = sqlite3_column_int64(st, 6);
		c.entities = sqlite3_column_int64(st, 7);
	}
	db_done(st);
	/*
	 * Messages and referrals reference tips without a cascade, so they go
	 * first; deleting the tips takes their case_tips rows and entities
	 * with them, and deleting the case everything else that hangs from it.
	 */
	if (!rc)
		rc = purge_step(s, SQL_PURGE_MESSAGES, case_id, before, 0);
	if (!rc)
		rc = purge_step(s, SQL_PURGE_REFERRALS, case_id, before, 0);
	if (!rc)
		rc = purge_step(s, SQL_PURGE_TIPS, case_id, before, 0);
	if (!rc)
		rc = purge_step(s, SQL_PURGE_ENTITIES, case_id, before, 0);
	if (!rc)
		rc = purge_step(s, SQL_PURGE_CASE, case_id, before, 0);
	if (!rc)
		rc = db_commit(s, __func__);
fail:
	if (rc)
		db_rollback(s);
	else
		*counts = c;
out:
	db_unlock(s);
	return rc;
}

int store_checkpoint(struct store *s)
{
	int rc;

	db_lock(s);
	rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	rc = rc == SQLITE_OK ? VG_OK : db_error(s, rc, __func__, true);
	db_unlock(s);
	return rc;
}

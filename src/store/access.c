#include "base/compat.h"
#include "store/access.h"
#include "store/db.h"

/*
 * Whether a case is restricted and whether the user is named in its access
 * list, directly or through a team that is not disabled.
 */
#define FACTS_SQL(from) \
	"SELECT c.restricted, EXISTS (SELECT 1 FROM case_access a" \
	" WHERE a.case_id = c.id AND (a.user_id = ?2 OR a.team_id IN" \
	" (SELECT m.team_id FROM team_members m JOIN teams t ON t.id = m.team_id" \
	" WHERE m.user_id = ?2 AND t.disabled = 0))) " from

static const char case_facts_sql[] = FACTS_SQL("FROM cases c WHERE c.id = ?1");
static const char tip_facts_sql[] =
	FACTS_SQL("FROM case_tips ct JOIN cases c ON c.id = ct.case_id WHERE ct.tip_id = ?1");
static const char tip_exists_sql[] = "SELECT 1 FROM tips WHERE id = ?";

static int facts(struct store *s, const char *sql, const char *id, int64_t user_id,
		 struct access_facts *out)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = db_stmt(s, sql, &st);
	if (rc)
		return rc;
	rc = db_bind_check(s, sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC), "access");
	if (!rc)
		rc = db_bind_check(s, sqlite3_bind_int64(st, 2, user_id), "access");
	if (!rc)
		rc = db_row(s, st, "access facts", false);
	if (!rc) {
		out->restricted = sqlite3_column_int(st, 0);
		out->granted = sqlite3_column_int(st, 1);
	}
	db_done(st);
	return rc;
}

int store_access_case(struct store *s, const char *case_id, int64_t user_id,
		      struct access_facts *out)
{
	struct access_facts f = {0};
	int rc;

	db_lock(s);
	rc = facts(s, case_facts_sql, case_id, user_id, &f);
	db_unlock(s);
	if (!rc)
		*out = f;
	return rc;
}

int store_access_tip(struct store *s, const char *tip_id, int64_t user_id,
		     struct access_facts *out)
{
	struct access_facts f = {0};
	sqlite3_stmt *st = NULL;
	int rc;

	db_lock(s);
	rc = facts(s, tip_facts_sql, tip_id, user_id, &f);
	if (rc != VG_NOTFOUND)
		goto out;
	/* In no case yet: it exists or it does not. */
	rc = db_stmt(s, tip_exists_sql, &st);
	if (rc)
		goto out;
	rc = db_bind_check(s, sqlite3_bind_text(st, 1, tip_id, -1, SQLITE_STATIC), "access");
	if (!rc)
		rc = db_row(s, st, "access tip", false);
	db_done(st);
out:
	db_unlock(s);
	if (!rc)
		*out = f;
	return rc;
}

static int read_grant(sqlite3_stmt *st, void *row)
{
	struct access_grant *g = row;

	g->id = sqlite3_column_int64(st, 0);
	g->user_id = sqlite3_column_int64(st, 1);
	g->team_id = sqlite3_column_int64(st, 2);
	g->granted_at = sqlite3_column_int64(st, 4);
	return db_col_text(st, 3, &g->name);
}

int store_access_grants(struct store *s, const char *case_id,
			struct access_grant_list *out)
{
	static const char sql[] =
		"SELECT a.id, a.user_id, a.team_id, coalesce(u.name, t.name), a.granted_at"
		" FROM case_access a LEFT JOIN users u ON u.id = a.user_id"
		" LEFT JOIN teams t ON t.id = a.team_id WHERE a.case_id = ?"
		" ORDER BY a.team_id IS NOT NULL, coalesce(u.name, t.name)";
	struct access_grant_list l = {0};
	sqlite3_stmt *st = NULL;
	void *rows = NULL;
	int rc;

	db_lock(s);
	rc = db_stmt(s, sql, &st);
	if (rc)
		goto out;
	rc = db_bind_check(s, sqlite3_bind_text(st, 1, case_id, -1, SQLITE_STATIC), "grants");
	if (!rc)
		rc = db_collect(s, st, "grants", sizeof(struct access_grant), read_grant,
				&rows, &l.count);
	l.rows = rows;
	db_done(st);
out:
	db_unlock(s);
	if (rc) {
		access_grant_list_release(&l);
		return rc;
	}
	*out = l;
	return VG_OK;
}

void access_grant_list_release(struct access_grant_list *l)
{
	size_t i;

	for (i = 0; l->rows && i < l->count; i++)
		free(l->rows[i].name);
	free(l->rows);
	l->rows = NULL;
	l->count = 0;
}

/* Appends to the case's history; with the lock held, inside a transaction. */
static int event(struct store *s, const char *case_id, int64_t by, int64_t now,
		 const char *kind, const char *detail)
{
	static const char sql[] =
		"INSERT INTO case_events (case_id, at, user_id, kind, detail)"
		" VALUES (?, ?, ?, ?, ?)";
	sqlite3_stmt *st = NULL;
	int rc;

	rc = db_stmt(s, sql, &st);
	if (rc)
		return rc;
	rc = db_bind_check(s, sqlite3_bind_text(st, 1, case_id, -1, SQLITE_STATIC), "event");
	if (!rc)
		rc = db_bind_check(s, sqlite3_bind_int64(st, 2, now), "event");
	if (!rc)
		rc = db_bind_check(s, db_bind_user(st, 3, by), "event");
	if (!rc)
		rc = db_bind_check(s, db_bind_text(st, 4, kind), "event");
	if (!rc)
		rc = db_bind_check(s, db_bind_text(st, 5, detail), "event");
	if (!rc)
		rc = db_write(s, st, "case event");
	db_done(st);
	return rc;
}

/* Runs st (bound by the caller) and fails with VG_NOTFOUND if it changed nothing. */
static int write_one(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = db_write(s, st, what);

	if (!rc && sqlite3_changes(s->db) == 0)
		rc = VG_NOTFOUND;
	db_done(st);
	return rc;
}

int store_access_restrict(struct store *s, const char *case_id, int restricted,
			  int64_t by, int64_t now)
{
	static const char sql[] =
		"UPDATE cases SET restricted = ?, updated_at = ? WHERE id = ?";
	sqlite3_stmt *st = NULL;
	int rc;

	db_lock(s);
	rc = db_begin(s, "restrict");
	if (rc)
		goto out;
	rc = db_stmt(s, sql, &st);
	if (rc)
		goto fail;
	rc = db_bind_check(s, sqlite3_bind_int(st, 1, restricted ? 1 : 0), "restrict");
	if (!rc)
		rc = db_bind_check(s, sqlite3_bind_int64(st, 2, now), "restrict");
	if (!rc)
		rc = db_bind_check(s, sqlite3_bind_text(st, 3, case_id, -1, SQLITE_STATIC),
				   "restrict");
	if (!rc)
		rc = write_one(s, st, "restrict");
	else
		db_done(st);
	if (!rc)
		rc = event(s, case_id, by, now, restricted ? "restricted" : "unrestricted", "");
	if (!rc)
		rc = db_commit(s, "restrict");
fail:
	if (rc)
		db_rollback(s);
out:
	db_unlock(s);
	return rc;
}

int store_access_grant(struct store *s, const char *case_id, int team,
		       const char *name, int64_t by, int64_t now)
{
	static const char user_sql[] =
		"INSERT INTO case_access (case_id, user_id, granted_by, granted_at)"
		" SELECT c.id, u.id, ?2, ?3 FROM cases c, users u"
		" WHERE c.id = ?1 AND u.name = ?4 AND u.disabled = 0";
	static const char team_sql[] =
		"INSERT INTO case_access (case_id, team_id, granted_by, granted_at)"
		" SELECT c.id, t.id, ?2, ?3 FROM cases c, teams t"
		" WHERE c.id = ?1 AND t.name = ?4 AND t.disabled = 0";
	char detail[80];
	sqlite3_stmt *st = NULL;
	int rc;

	snprintf(detail, sizeof(detail), "%s:%s", team ? "team" : "user", name);
	db_lock(s);
	rc = db_begin(s, "grant");
	if (rc)
		goto out;
	rc = db_stmt(s, team ? team_sql : user_sql, &st);
	if (rc)
		goto fail;
	rc = db_bind_check(s, sqlite3_bind_text(st, 1, case_id, -1, SQLITE_STATIC), "grant");
	if (!rc)
		rc = db_bind_check(s, db_bind_user(st, 2, by), "grant");
	if (!rc)
		rc = db_bind_check(s, sqlite3_bind_int64(st, 3, now), "grant");
	if (!rc)
		rc = db_bind_check(s, db_bind_text(st, 4, name), "grant");
	if (!rc)
		rc = write_one(s, st, "grant");
	else
		db_done(st);
	if (!rc)
		rc = event(s, case_id, by, now, "granted", detail);
	if (!rc)
		rc = db_commit(s, "grant");
fail:
	if (rc)
		db_rollback(s);
out:
	db_unlock(s);
	return rc;
}

int store_access_revoke(struct store *s, const char *case_id, int64_t grant_id,
			int64_t by, int64_t now)
{
	static const char name_sql[] =
		"SELECT CASE WHEN a.team_id IS NULL THEN 'user:' ELSE 'team:' END"
		" || coalesce(u.name, t.name) FROM case_access a"
		" LEFT JOIN users u ON u.id = a.user_id LEFT JOIN teams t ON t.id = a.team_id"
		" WHERE a.id = ? AND a.case_id = ?";
	static const char sql[] = "DELETE FROM case_access WHERE id = ? AND case_id = ?";
	char *detail = NULL;
	sqlite3_stmt *st = NULL;
	int rc;

	db_lock(s);
	rc = db_begin(s, "revoke");
	if (rc)
		goto out;
	rc = db_stmt(s, name_sql, &st);
	if (rc)
		goto fail;
	rc = db_bind_check(s, sqlite3_bind_int64(st, 1, grant_id), "revoke");
	if (!rc)
		rc = db_bind_check(s, sqlite3_bind_text(st, 2, case_id, -1, SQLITE_STATIC),
				   "revoke");
	if (!rc)
		rc = db_row(s, st, "revoke", true);
	if (!rc)
		rc = db_col_text(st, 0, &detail);
	db_done(st);
	if (rc)
		goto fail;
	rc = db_stmt(s, sql, &st);
	if (rc)
		goto fail;
	rc = db_bind_check(s, sqlite3_bind_int64(st, 1, grant_id), "revoke");
	if (!rc)
		rc = db_bind_check(s, sqlite3_bind_text(st, 2, case_id, -1, SQLITE_STATIC),
				   "revoke");
	if (!rc)
		rc = write_one(s, st, "revoke");
	else
		db_done(st);
	if (!rc)
		rc = event(s, case_id, by, now, "revoked", detail);
	if (!rc)
		rc = db_commit(s, "revoke");
fail:
	if (rc)
		db_rollback(s);
out:
	db_unlock(s);
	free(detail);
	return rc;
}

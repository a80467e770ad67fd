/*
 * entities.c - linked entities and the search index (entities.h).
 */
#include "base/compat.h"
#include "store/entities.h"
#include "store/db.h"

#define ENTITY_COLUMNS \
	"id, kind, blind, value, tip_id, case_id, source, user_id, created_at"

/* Staff add an entity to a case that exists and is not merged into another. */
static const char SQL_INSERT[] =
	"INSERT INTO entities (" ENTITY_COLUMNS ") "
	"SELECT ?1, ?2, ?3, ?4, nullif(?5, ''), nullif(?6, ''), ?7, ?8, ?9 "
	"WHERE ?6 = '' OR EXISTS (SELECT 1 FROM cases WHERE id = ?6 AND status <> 'merged')";
/* A screening entity the tip already has is skipped, not an error. */
static const char SQL_INSERT_SCAN[] =
	"INSERT OR IGNORE INTO entities (" ENTITY_COLUMNS ") VALUES "
	"(?1, ?2, ?3, ?4, ?5, NULL, 'screening', NULL, ?6)";
static const char SQL_TIP_EXISTS[] = "SELECT 1 FROM tips WHERE id = ?1";
static const char SQL_SCANNED[] =
	"INSERT OR REPLACE INTO entity_scans (tip_id, scanned_at) VALUES (?1, ?2)";
static const char SQL_DELETE[] =
	"DELETE FROM entities WHERE id = ?1 AND case_id = ?2";
/* Two statements, so that each uses its owner's index. */
static const char SQL_LIST_TIP[] =
	"SELECT " ENTITY_COLUMNS " FROM entities WHERE tip_id = ?1 ORDER BY created_at, rowid";
static const char SQL_LIST_CASE[] =
	"SELECT " ENTITY_COLUMNS " FROM entities WHERE case_id = ?1 ORDER BY created_at, rowid";
static const char SQL_UNSCANNED[] =
	"SELECT t.id FROM tips t WHERE t.screened_at IS NOT NULL "
	"AND NOT EXISTS (SELECT 1 FROM entity_scans e WHERE e.tip_id = t.id) "
	"ORDER BY t.rowid LIMIT ?1";
/*
 * The other owners of each of the tip's blind indexes. A tip that is
 * in a case is reached as itself; the case page asks for the case.
 */
static const char SQL_RELATED_TIP[] =
	"SELECT CASE WHEN o.tip_id IS NOT NULL THEN 'tip' ELSE 'case' END, "
	"coalesce(o.tip_id, o.case_id), m.id, m.kind, m.value "
	"FROM entities m JOIN entities o ON o.blind = m.blind "
	"WHERE m.tip_id = ?1 AND (o.tip_id IS NULL OR o.tip_id <> ?1) "
	"ORDER BY o.rowid DESC LIMIT ?2";
/* The case's own entities and its tips', against everyone else's. */
static const char SQL_RELATED_CASE[] =
	"WITH mine AS (SELECT id, kind, blind, value, rowid AS r FROM entities WHERE case_id = ?1 "
	"UNION ALL SELECT e.id, e.kind, e.blind, e.value, e.rowid FROM entities e "
	"JOIN case_tips ct ON ct.tip_id = e.tip_id WHERE ct.case_id = ?1) "
	"SELECT CASE WHEN o.tip_id IS NOT NULL THEN 'tip' ELSE 'case' END, "
	"coalesce(o.tip_id, o.case_id), m.id, m.kind, m.value "
	"FROM mine m JOIN entities o ON o.blind = m.blind "
	"WHERE (o.case_id IS NULL OR o.case_id <> ?1) "
	"AND (o.tip_id IS NULL OR NOT EXISTS (SELECT 1 FROM case_tips x "
	"WHERE x.tip_id = o.tip_id AND x.case_id = ?1)) "
	"ORDER BY o.rowid DESC LIMIT ?2";
/*
 * The paging cursor ?2 is always bound (INT64_MAX from the start: see
 * cursor_of()): as a plain range SQLite, and FTS5 in its xBestIndex, start
 * the scan at it, where `?2 = 0 OR rowid < ?2` would read every row before.
 */
static const char SQL_FIND[] =
	"SELECT CASE WHEN tip_id IS NOT NULL THEN 'tip' ELSE 'case' END, "
	"coalesce(tip_id, case_id), id, kind, value, rowid FROM entities "
	"WHERE blind = ?1 AND rowid < ?2 ORDER BY rowid DESC LIMIT ?3";
static const char SQL_SEARCH[] =
	"SELECT d.rowid, d.kind, d.ref FROM search_fts f "
	"JOIN search_docs d ON d.rowid = f.rowid "
	"WHERE search_fts MATCH ?1 AND f.rowid < ?2 "
	"ORDER BY f.rowid DESC LIMIT ?3";

/*
 * The search catch-up (migration 0013): the queued documents get their
 * search_docs rows in the order they arrived, so every new row is above
 * the highest rowid before, and those rows are indexed. A document that
 * somehow has its row already is left to the update triggers, which keep
 * its text current, rather than failing the whole catch-up.
 */
static const char SQL_QUEUED[] = "SELECT count(*) FROM search_queue";
static const char SQL_DOCS_LAST[] = "SELECT coalesce(max(rowid), 0) FROM search_docs";
static const char SQL_MAKE_DOCS[] =
	"INSERT OR IGNORE INTO search_docs (kind, ref) "
	"SELECT kind, ref FROM search_queue ORDER BY rowid";
static const char SQL_INDEX_TIPS[] =
	"INSERT INTO search_fts (rowid, body) SELECT d.rowid, v.body "
	"FROM search_docs d JOIN search_tip_text v ON v.id = d.ref "
	"WHERE d.rowid > ?1 AND d.kind = 'tip'";
static const char SQL_INDEX_CASES[] =
	"INSERT INTO search_fts (rowid, body) SELECT d.rowid, v.body "
	"FROM search_docs d JOIN search_case_text v ON v.id = d.ref "
	"WHERE d.rowid > ?1 AND d.kind = 'case'";
static const char SQL_UNQUEUE[] = "DELETE FROM search_queue";

void entity_row_release(struct entity_row *e)
{
	free(e->id);
	free(e->kind);
	free(e->value.data);
	free(e->tip_id);
	free(e->case_id);
	free(e->source);
	memset(e, 0, sizeof(*e));
}

void entity_list_release(struct entity_list *l)
{
	size_t i;

	for (i = 0; i < l->count; i++)
		entity_row_release(&l->rows[i]);
	free(l->rows);
	l->rows = NULL;
	l->count = 0;
}

void entity_link_list_release(struct entity_link_list *l)
{
	size_t i;

	for (i = 0; i < l->count; i++) {
		free(l->rows[i].doc_kind);
		free(l->rows[i].ref);
		free(l->rows[i].entity_id);
		free(l->rows[i].kind);
		free(l->rows[i].value.data);
	}
	free(l->rows);
	l->rows = NULL;
	l->count = 0;
}

void search_hit_list_release(struct search_hit_list *l)
{
	size_t i;

	for (i = 0; i < l->count; i++) {
		free(l->rows[i].doc_kind);
		free(l->rows[i].ref);
	}
	free(l->rows);
	l->rows = NULL;
	l->count = 0;
}

void store_ids_free(char **ids, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		free(ids[i]);
	free(ids);
}

static int bind_scan(struct store *s, sqlite3_stmt *st, const char *tip_id,
		     const struct entity_row *e, int64_t now)
{
	int rc = db_bind_text(st, 1, e->id);

	if (rc == SQLITE_OK)
		rc = db_bind_text(st, 2, e->kind);
	if (rc == SQLITE_OK)
		rc = db_bind_hash(st, 3, e->blind);
	if (rc == SQLITE_OK)
		rc = db_bind_sealed(st, 4, &e->value);
	if (rc == SQLITE_OK)
		rc = db_bind_text(st, 5, tip_id);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 6, now);
	return db_bind_check(s, rc, "entity scan");
}

int store_entity_scan(struct store *s, const char *tip_id, const struct entity_row *rows,
		      size_t n, int64_t now)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc;

	db_lock(s);
	/*
	 * Derived data: a scan lost in a crash is made again at the next start
	 * (its entity_scans row is missing).
	 */
	rc = db_begin_deferred(s, "entity scan");
	if (rc)
		goto unlock;
	rc = db_stmt(s, SQL_TIP_EXISTS, &st);
	if (!rc)
		rc = db_bind_check(s, db_bind_text(st, 1, tip_id), "entity scan");
	if (!rc)
		rc = db_row(s, st, "entity scan", false);
	if (st)
		db_done(st);
	if (rc)
		goto out;
	rc = db_stmt(s, SQL_INSERT_SCAN, &st);
	for (i = 0; !rc && i < n; i++) {
		rc = bind_scan(s, st, tip_id, &rows[i], now);
		if (!rc)
			rc = db_write(s, st, "entity scan");
		db_done(st);
	}
	if (rc)
		goto out;
	rc = db_stmt(s, SQL_SCANNED, &st);
	if (!rc) {
		rc = db_bind_check(s, db_bind_text(st, 1, tip_id), "entity scan");
		if (!rc)
			rc = db_bind_check(s, sqlite3_bind_int64(st, 2, now), "entity scan");
		if (!rc)
			rc = db_write(s, st, "entity scan");
		db_done(st);
	}
	if (!rc)
		rc = db_commit(s, "entity scan");
out:
	if (rc)
		db_rollback(s);
	rc = db_end_deferred(s, rc);
unlock:
	db_unlock(s);
	return rc;
}

int store_entity_insert(struct store *s, const struct entity_row *e)
{
	sqlite3_stmt *st;
	int rc;

	db_lock(s);
	rc = db_stmt(s, SQL_INSERT, &st);
	if (rc)
		goto out;
	rc = db_bind_text(st, 1, e->id);
	if (rc == SQLITE_OK)
		rc = db_bind_text(st, 2, e->kind);
	if (rc == SQLITE_OK)
		rc = db_bind_hash(st, 3, e->blind);
	if (rc == SQLITE_OK)
		rc = db_bind_sealed(st, 4, &e->value);
	if (rc == SQLITE_OK)
		rc = db_bind_text(st, 5, e->tip_id);
	if (rc == SQLITE_OK)
		rc = db_bind_text(st, 6, e->case_id);
	if (rc == SQLITE_OK)
		rc = db_bind_text(st, 7, e->source);
	if (rc == SQLITE_OK)
		rc = db_bind_user(st, 8, e->user_id);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 9, e->created_at);
	rc = db_bind_check(s, rc, "entity insert");
	if (!rc)
		rc = db_write(s, st, "entity insert");
	if (!rc && sqlite3_changes(s->db) == 0)
		rc = db_case_refusal(s, e->case_id, VG_NOTFOUND);
	db_done(st);
out:
	db_unlock(s);
	return rc;
}

int store_entity_delete(struct store *s, const char *id, const char *case_id)
{
	sqlite3_stmt *st;
	int rc;

	db_lock(s);
	rc = db_stmt(s, SQL_DELETE, &st);
	if (rc)
		goto out;
	rc = db_bind_text(st, 1, id);
	if (rc == SQLITE_OK)
		rc = db_bind_text(st, 2, case_id);
	rc = db_bind_check(s, rc, "entity delete");
	if (!rc)
		rc = db_write(s, st, "entity delete");
	if (!rc && sqlite3_changes(s->db) == 0)
		rc = VG_NOTFOUND;
	db_done(st);
out:
	db_unlock(s);
	return rc;
}

static int read_entity(sqlite3_stmt *st, void *row)
{
	struct entity_row *e = row;
	int rc;

	memset(e, 0, sizeof(*e));
	rc = db_col_text(st, 0, &e->id);
	if (!rc)
		rc = db_col_text(st, 1, &e->kind);
	if (!rc)
		rc = db_col_hash(st, 2, e->blind);
	if (!rc)
		rc = db_col_sealed(st, 3, &e->value);
	if (!rc)
		rc = db_col_text(st, 4, &e->tip_id);
	if (!rc)
		rc = db_col_text(st, 5, &e->case_id);
	if (!rc)
		rc = db_col_text(st, 6, &e->source);
	e->user_id = sqlite3_column_int64(st, 7);
	e->created_at = sqlite3_column_int64(st, 8);
	if (rc)
		entity_row_release(e);
	return rc;
}

int store_entity_list(struct store *s, const char *tip_id, const char *case_id,
		      struct entity_list *out)
{
	struct entity_list l = {0};
	sqlite3_stmt *st;
	int rc;

	assert(tip_id[0] != '\0' || case_id[0] != '\0');
	db_lock(s);
	rc = db_stmt(s, tip_id[0] ? SQL_LIST_TIP : SQL_LIST_CASE, &st);
	if (rc)
		goto out;
	rc = db_bind_check(s, db_bind_text(st, 1, tip_id[0] ? tip_id : case_id), "entity list");
	if (!rc)
		rc = db_collect(s, st, "entity list", sizeof(*l.rows), read_entity,
				(void **)&l.rows, &l.count);
	db_done(st);
out:
	db_unlock(s);
	if (rc) {
		entity_list_release(&l);
		return rc;
	}
	*out = l;
	return VG_OK;
}

static int read_id(sqlite3_stmt *st, void *row)
{
	return db_col_text(st, 0, (char **)row);
}

int store_entity_unscanned(struct store *s, int limit, char ***ids, size_t *count)
{
	char **v = NULL;
	size_t n = 0;
	sqlite3_stmt *st;
	int rc;

	assert(limit > 0);
	db_lock(s);
	rc = db_stmt(s, SQL_UNSCANNED, &st);
	if (rc)
		goto out;
	rc = db_bind_check(s, sqlite3_bind_int(st, 1, limit), "entity unscanned");
	if (!rc)
		rc = db_collect(s, st, "entity unscanned", sizeof(*v), read_id, (void **)&v, &n);
	db_done(st);
out:
	db_unlock(s);
	if (rc) {
		store_ids_free(v, n);
		return rc;
	}
	*ids = v;
	*count = n;
	return VG_OK;
}

static int read_link(sqlite3_stmt *st, void *row)
{
	struct entity_link *k = row;
	int rc;

	memset(k, 0, sizeof(*k));
	rc = db_col_text(st, 0, &k->doc_kind);
	if (!rc)
		rc = db_col_text(st, 1, &k->ref);
	if (!rc)
		rc = db_col_text(st, 2, &k->entity_id);
	if (!rc)
		rc = db_col_text(st, 3, &k->kind);
	if (!rc)
		rc = db_col_sealed(st, 4, &k->value);
	if (!rc && sqlite3_column_count(st) > 5)
		k->pos = sqlite3_column_int64(st, 5);
	if (rc) {
		free(k->doc_kind);
		free(k->ref);
		free(k->entity_id);
		free(k->kind);
	}
	return rc;
}

/* Runs a links query whose ?1 is an owner id and ?2 the limit. */
static int related(struct store *s, const char *sql, const char *owner, int limit,
		   struct entity_link_list *out)
{
	struct entity_link_list l = {0};
	sqlite3_stmt *st;
	int rc;

	assert(limit > 0 && limit <= 500);
	db_lock(s);
	rc = db_stmt(s, sql, &st);
	if (rc)
		goto out;
	rc = db_bind_text(st, 1, owner);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(st, 2, limit);
	rc = db_bind_check(s, rc, "entity related");
	if (!rc)
		rc = db_collect(s, st, "entity related", sizeof(*l.rows), read_link,
				(void **)&l.rows, &l.count);
	db_done(st);
out:
	db_unlock(s);
	if (rc) {
		entity_link_list_release(&l);
		return rc;
	}
	*out = l;
	return VG_OK;
}

int store_entity_related_tip(struct store *s, const char *tip_id, int limit,
			     struct entity_link_list *out)
{
	return related(s, SQL_RELATED_TIP, tip_id, limit, out);
}

int store_entity_related_case(struct store *s, const char *case_id, int limit,
			      struct entity_link_list *out)
{
	return related(s, SQL_RELATED_CASE, case_id, limit, out);
}

/* A position of 0 means from the start: before every row there is. */
static int64_t cursor_of(int64_t before)
{
	return before ? before : INT64_MAX;
}

int store_entity_find(struct store *s, const unsigned char blind[32], int64_t before,
		      int limit, struct entity_link_list *out, int64_t *next)
{
	struct entity_link_list l = {0};
	sqlite3_stmt *st;
	int rc;

	assert(limit > 0 && limit <= 500);
	db_lock(s);
	rc = db_stmt(s, SQL_FIND, &st);
	if (rc)
		goto out;
	rc = db_bind_hash(st, 1, blind);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 2, cursor_of(before));
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(st, 3, limit);
	rc = db_bind_check(s, rc, "entity find");
	if (!rc)
		rc = db_collect(s, st, "entity find", sizeof(*l.rows), read_link,
				(void **)&l.rows, &l.count);
	db_done(st);
out:
	db_unlock(s);
	if (rc) {
		entity_link_list_release(&l);
		return rc;
	}
	*out = l;
	*next = l.count == (size_t)limit ? l.rows[l.count - 1].pos : 0;
	return VG_OK;
}

static int read_hit(sqlite3_stmt *st, void *row)
{
	struct search_hit *h = row;
	int rc;

	memset(h, 0, sizeof(*h));
	h->pos = sqlite3_column_int64(st, 0);
	rc = db_col_text(st, 1, &h->doc_kind);
	if (!rc)
		rc = db_col_text(st, 2, &h->ref);
	if (rc)
		free(h->doc_kind);
	return rc;
}

/* Indexes the documents above rowid last with one of SQL_INDEX_*. */
static int index_docs(struct store *s, const char *sql, int64_t last)
{
	sqlite3_stmt *st;
	int rc;

	rc = db_stmt(s, sql, &st);
	if (rc)
		return rc;
	rc = db_bind_check(s, sqlite3_bind_int64(st, 1, last), "search catch-up");
	if (!rc)
		rc = db_write(s, st, "search catch-up");
	db_done(st);
	return rc;
}

/* store_search_catch_up() with the lock held. */
static int catch_up(struct store *s, int64_t min)
{
	sqlite3_stmt *st;
	int64_t queued = 0, last = 0;
	int rc;

	rc = db_stmt(s, SQL_QUEUED, &st);
	if (rc)
		return rc;
	rc = db_int64(s, st, "search queue", false, &queued);
	db_done(st);
	if (rc || queued == 0 || queued < min)
		return rc;
	/* Derived from the documents, and the queue goes with it: no flush. */
	rc = db_begin_deferred(s, "search catch-up");
	if (rc)
		return rc;
	rc = db_stmt(s, SQL_DOCS_LAST, &st);
	if (!rc) {
		rc = db_int64(s, st, "search catch-up", false, &last);
		db_done(st);
	}
	if (!rc)
		rc = db_run(s, SQL_MAKE_DOCS, "search catch-up");
	if (!rc)
		rc = index_docs(s, SQL_INDEX_TIPS, last);
	if (!rc)
		rc = index_docs(s, SQL_INDEX_CASES, last);
	if (!rc)
		rc = db_run(s, SQL_UNQUEUE, "search catch-up");
	if (!rc)
		rc = db_commit(s, "search catch-up");
	if (rc)
		db_rollback(s);
	return db_end_deferred(s, rc);
}

int store_search_catch_up(struct store *s, int64_t min)
{
	int rc;

	db_lock(s);
	rc = catch_up(s, min);
	db_unlock(s);
	return rc;
}

int store_search(struct store *s, const char *fts, int64_t before, int limit,
		 struct search_hit_list *out)
{
	struct search_hit_list l = {0};
	sqlite3_stmt *st;
	int rc;

	assert(limit > 0 && limit <= 500);
	db_lock(s);
	/* The failure is logged; what is already indexed can still be searched. */
	(void)catch_up(s, 0);
	rc = db_stmt(s, SQL_SEARCH, &st);
	if (rc)
		goto out;
	rc = db_bind_text(st, 1, fts);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 2, cursor_of(before));
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(st, 3, limit);
	rc = db_bind_check(s, rc, "search");
	if (!rc)
		rc = db_collect(s, st, "search", sizeof(*l.rows), read_hit,
				(void **)&l.rows, &l.count);
	/* A query FTS5 cannot parse is the asker's mistake, not the store's. */
	if (rc == VG_DB && sqlite3_errcode(s->db) == SQLITE_ERROR)
		rc = VG_INVAL;
	db_done(st);
out:
	db_unlock(s);
	if (rc) {
		search_hit_list_release(&l);
		return rc;
	}
	*out = l;
	return VG_OK;
}

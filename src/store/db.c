/*
 * db.c - the helpers every store_*.c file shares (db.h).
 *
 * Errors are logged with the SQLite message, which names tables and
 * constraints but never the bound values, so no tip data reaches the log.
 */
#include "base/compat.h"
#include "store/db.h"
#include "base/log.h"

void db_lock(struct store *s)
{
	int rc = pthread_mutex_lock(&s->lock);

	assert(rc == 0);
	(void)rc;
}

void db_unlock(struct store *s)
{
	int rc = pthread_mutex_unlock(&s->lock);

	assert(rc == 0);
	(void)rc;
}

/*
 * Turns an SQLite result code into a status and logs what the operator
 * needs to know. `write` says whether the statement changes data: only then
 * do a read-only or full database and failed I/O mean VG_READONLY.
 */
static int error_status(struct store *s, int rc, const char *what, bool write)
{
	switch (rc & 0xff) {
	case SQLITE_CONSTRAINT:
		if (rc == SQLITE_CONSTRAINT_UNIQUE ||
		    rc == SQLITE_CONSTRAINT_PRIMARYKEY)
			return VG_EXISTS;
		break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		log_warn("store: %s: %s", what, sqlite3_errmsg(s->db));
		return VG_BUSY;
	case SQLITE_FULL:
	case SQLITE_READONLY:
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
		if (!write)
			break;
		log_error("store: %s: %s", what, sqlite3_errmsg(s->db));
		return VG_READONLY;
	case SQLITE_NOMEM:
		log_error("store: %s: out of memory", what);
		return VG_NOMEM;
	default:
		break;
	}
	log_error("store: %s: %s", what, sqlite3_errmsg(s->db));
	return VG_DB;
}

int db_error(struct store *s, int rc, const char *what, bool write)
{
	int status = error_status(s, rc, what, write);

	/* SQLite ends the whole transaction on some errors (a full disk). */
	if (s->batch && !s->lost && sqlite3_get_autocommit(s->db))
		s->lost = status;
	return status;
}

/* Binding only fails for lack of memory or an oversized value. */
int db_bind_check(struct store *s, int rc, const char *what)
{
	return rc == SQLITE_OK ? VG_OK : db_error(s, rc, what, false);
}

int db_case_refusal(struct store *s, const char *case_id, int rc)
{
	static const char sql[] = "SELECT 1 FROM cases WHERE id = ?1 AND status = 'merged'";
	sqlite3_stmt *st;
	int merged;

	if (rc != VG_NOTFOUND || db_stmt(s, sql, &st))
		return rc;
	merged = sqlite3_bind_text(st, 1, case_id, -1, SQLITE_STATIC) == SQLITE_OK &&
		 sqlite3_step(st) == SQLITE_ROW;
	db_done(st);
	return merged ? VG_MERGED : rc;
}

/* Makes the statement ready for the next caller and drops its bindings. */
void db_done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* Runs a statement that returns no rows. */
int db_write(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_DONE)
		return VG_OK;
	return db_error(s, rc, what, true);
}

/* Steps to the first row: VG_OK with a row ready, or VG_NOTFOUND. */
int db_row(struct store *s, sqlite3_stmt *st, const char *what, bool write)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return VG_OK;
	if (rc == SQLITE_DONE)
		return VG_NOTFOUND;
	return db_error(s, rc, what, write);
}

int db_exec(struct store *s, const char *sql, const char *what)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? VG_OK : db_error(s, rc, what, true);
}

int db_run(struct store *s, const char *sql, const char *what)
{
	sqlite3_stmt *st;
	int rc = db_stmt(s, sql, &st);

	if (rc)
		return rc;
	rc = db_write(s, st, what);
	db_done(st);
	return rc;
}

int db_begin(struct store *s, const char *what)
{
	int rc;

	if (!s->batch)
		return db_run(s, "BEGIN IMMEDIATE", what);
	/* Nothing may write outside the batch's transaction once it is gone. */
	if (s->lost)
		return s->lost;
	assert(s->nested == 0);
	rc = db_run(s, "SAVEPOINT store_fn", what);
	if (!rc)
		s->nested = 1;
	return rc;
}

int db_commit(struct store *s, const char *what)
{
	int rc;

	if (!s->batch)
		return db_run(s, "COMMIT", what);
	rc = db_run(s, "RELEASE store_fn", what);
	if (!rc)
		s->nested = 0;
	return rc;
}

int db_begin_deferred(struct store *s, const char *what)
{
	int rc;

	if (s->batch)
		return db_begin(s, what);
	rc = db_exec(s, "PRAGMA synchronous = NORMAL", what);
	if (rc)
		return rc;
	rc = db_begin(s, what);
	if (rc)
		db_end_deferred(s, rc);
	return rc;
}

int db_end_deferred(struct store *s, int rc)
{
	if (s->batch)
		return rc;
	if (db_exec(s, "PRAGMA synchronous = FULL", "synchronous") && !rc)
		return VG_DB;
	return rc;
}

/*
 * Undoes an open transaction after a failure. SQLite has already rolled
 * back on some errors (a full disk, for one), so only roll back what is
 * still open; a failure here changes nothing the caller can act on.
 */
void db_rollback(struct store *s)
{
	if (sqlite3_get_autocommit(s->db))
		goto out;
	if (!s->batch)
		db_run(s, "ROLLBACK", "rollback");
	else if (s->nested && !db_run(s, "ROLLBACK TO store_fn", "rollback"))
		db_run(s, "RELEASE store_fn", "rollback");
out:
	s->nested = 0;
}

int db_bind_sealed(sqlite3_stmt *st, int idx, const struct sealed *v)
{
	if (!v->data)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_blob64(st, idx, v->data, v->len, SQLITE_STATIC);
}

/* NULL is stored as "", the documented value of an absent text field. */
int db_bind_text(sqlite3_stmt *st, int idx, const char *v)
{
	return sqlite3_bind_text(st, idx, v ? v : "", -1, SQLITE_STATIC);
}

int db_bind_hash(sqlite3_stmt *st, int idx, const unsigned char h[32])
{
	return sqlite3_bind_blob(st, idx, h, 32, SQLITE_STATIC);
}

/* Stores the user id 0 (the reporter, the system) as NULL. */
int db_bind_user(sqlite3_stmt *st, int idx, int64_t id)
{
	if (!id)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_int64(st, idx, id);
}

/* A malloc'd copy of a text column; NULL reads as "". */
int db_col_text(sqlite3_stmt *st, int i, char **out)
{
	const unsigned char *p = sqlite3_column_text(st, i);
	size_t n = (size_t)sqlite3_column_bytes(st, i);
	char *copy;

	if (!p && sqlite3_column_type(st, i) != SQLITE_NULL)
		return VG_NOMEM;
	copy = malloc(n + 1);
	if (!copy)
		return VG_NOMEM;
	if (n)
		memcpy(copy, p, n);
	copy[n] = '\0';
	*out = copy;
	return VG_OK;
}

/* A malloc'd copy of a blob column; SQL NULL reads as {NULL, 0}. */
int db_col_sealed(sqlite3_stmt *st, int i, struct sealed *out)
{
	const void *p;
	size_t n;
	unsigned char *copy;

	if (sqlite3_column_type(st, i) == SQLITE_NULL) {
		out->data = NULL;
		out->len = 0;
		return VG_OK;
	}
	p = sqlite3_column_blob(st, i);
	n = (size_t)sqlite3_column_bytes(st, i);
	if (!p && n)
		return VG_NOMEM;
	/* An empty but present value still gets a pointer, unlike NULL. */
	copy = malloc(n ? n : 1);
	if (!copy)
		return VG_NOMEM;
	if (n)
		memcpy(copy, p, n);
	out->data = copy;
	out->len = n;
	return VG_OK;
}

/* A 32-byte hash column; any other length means the file was altered. */
int db_col_hash(sqlite3_stmt *st, int i, unsigned char out[32])
{
	const void *p = sqlite3_column_blob(st, i);

	if (!p || sqlite3_column_bytes(st, i) != 32) {
		log_error("store: %s holds a malformed hash",
			  sqlite3_column_name(st, i));
		return VG_DB;
	}
	memcpy(out, p, 32);
	return VG_OK;
}

/*
 * Steps st to its end, reading each row with read into a growing array of
 * elements of `size` bytes at *rows; *count says how many were read, also
 * on failure, so the caller can release them.
 */
int db_collect(struct store *s, sqlite3_stmt *st, const char *what, size_t size,
	       int (*read)(sqlite3_stmt *st, void *row), void **rows, size_t *count)
{
	size_t cap = 0;
	int rc;

	for (;;) {
		rc = db_row(s, st, what, false);
		if (rc)
			return rc == VG_NOTFOUND ? VG_OK : rc;
		if (*count == cap) {
			void *grown;

			cap = cap ? cap * 2 : 8;
			grown = reallocarray(*rows, cap, size);
			if (!grown)
				return VG_NOMEM;
			*rows = grown;
		}
		rc = read(st, (char *)*rows + *count * size);
		if (rc)
			return rc;
		(*count)++;
	}
}

/* Runs a statement whose one row is one integer, e.g. a count. */
int db_int64(struct store *s, sqlite3_stmt *st, const char *what, bool write,
	     int64_t *out)
{
	int rc = db_row(s, st, what, write);

	if (rc == VG_NOTFOUND) {
		log_error("store: %s: no result row", what);
		return VG_DB;
	}
	if (rc)
		return rc;
	*out = sqlite3_column_int64(st, 0);
	return VG_OK;
}

int db_collect_by(struct store *s, const char *sql, const char *key, const char *what,
		  size_t size, int (*read)(sqlite3_stmt *st, void *row), void **rows,
		  size_t *count)
{
	sqlite3_stmt *st;
	int rc;

	db_lock(s);
	rc = db_stmt(s, sql, &st);
	if (rc)
		goto out;
	rc = db_bind_check(s, db_bind_text(st, 1, key), what);
	if (!rc)
		rc = db_collect(s, st, what, size, read, rows, count);
	db_done(st);
out:
	db_unlock(s);
	return rc;
}

int db_stmt(struct store *s, const char *sql, sqlite3_stmt **out)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc;

	for (i = 0; i < s->ncache; i++) {
		if (s->cache[i].sql == sql) {
			*out = s->cache[i].st;
			return VG_OK;
		}
	}
	/* A fixed number of constants in the source: more is a programming error. */
	assert(s->ncache < DB_STMT_CACHE_MAX);
	if (s->ncache == DB_STMT_CACHE_MAX)
		return VG_INTERNAL;
	rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(s, rc, "prepare", false);
	s->cache[s->ncache].sql = sql;
	s->cache[s->ncache].st = st;
	s->ncache++;
	*out = st;
	return VG_OK;
}

void db_stmt_release(struct store *s)
{
	size_t i;

	for (i = 0; i < s->ncache; i++)
		sqlite3_finalize(s->cache[i].st);
	s->ncache = 0;
}

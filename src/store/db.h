/*
 * db.h - internal to src/store/: the connection, its lock and the helpers
 * every store_*.c file shares. Not for callers outside the store.
 *
 * One connection serves every thread. The mutex in struct store is held for
 * the whole of each public store call (db_lock .. db_unlock), so a call that
 * runs several statements is atomic with respect to the other threads, and
 * no prepared statement is used by two threads at once. Every statement is
 * reset, with its bindings cleared (db_done), before the lock is released.
 */
#ifndef VIGIL_STORE_DB_H
#define VIGIL_STORE_DB_H

#include <pthread.h>
#include <stdbool.h>

#include <sqlite3.h>

#include "store/store.h"
#include "store/walsync.h"

/*
 * Defines fn, the release function of a list type whose rows are released
 * one by one with row_release: every store list (rows, count) is freed the
 * same way, and a list is left empty and reusable.
 */
#define DB_LIST_RELEASE(fn, list_type, row_release)      \
	void fn(struct list_type *l)                     \
	{                                                \
		size_t i;                                \
								 \
		for (i = 0; i < l->count; i++)           \
			row_release(&l->rows[i]);        \
		free(l->rows);                           \
		memset(l, 0, sizeof(*l));                \
	}

/* How many distinct statements db_stmt() can keep prepared. */
#define DB_STMT_CACHE_MAX 256

struct db_cached {
	const char *sql;        /* the constant it was prepared from */
	sqlite3_stmt *st;
};

struct store {
	pthread_mutex_t lock;
	sqlite3 *db;
	sqlite3_stmt **stmt;    /* store_sqlite.c's table, prepared at open */
	struct db_cached cache[DB_STMT_CACHE_MAX];
	size_t ncache;
	/*
	 * store_batch_begin() .. store_batch_end(): the holding thread's writes
	 * share one transaction. `batch` is set while it is open, `nested`
	 * counts the savepoint a store function opened inside it (0 or 1: a
	 * store function never calls another), `lost` is the status of an
	 * error on which SQLite rolled the whole transaction back (0: none).
	 * They change only under lock.
	 */
	bool batch;
	int nested;
	int lost;
	struct walsync wal;     /* the batch's commit waits for the disk here */
};

/*
 * The prepared statement for sql, prepared on first use and kept until
 * store_free(). sql must be a string constant: the cache is keyed by its
 * address, so a feature module can keep its SQL next to its code. Call
 * with the lock held; use db_done() when finished with it.
 */
int db_stmt(struct store *s, const char *sql, sqlite3_stmt **out);
/* Finalizes every statement db_stmt() prepared. */
void db_stmt_release(struct store *s);

void db_lock(struct store *s);
void db_unlock(struct store *s);
/*
 * Turns an SQLite result code into a status and logs what the operator
 * needs to know. `write` says whether the statement changes data: only then
 * do a read-only or full database and failed I/O mean VG_READONLY.
 */
int db_error(struct store *s, int rc, const char *what, bool write);
/* Binding only fails for lack of memory or an oversized value. */
int db_bind_check(struct store *s, int rc, const char *what);
/*
 * What a write to case case_id that changed nothing answers, with the
 * lock held: a merged case takes no new notes, tasks, persons, locations,
 * entities or agenda items (the writes' own SQL refuses it), so VG_MERGED
 * for one, else rc (VG_NOTFOUND: no such case).
 */
int db_case_refusal(struct store *s, const char *case_id, int rc);
/* Makes the statement ready for the next caller and drops its bindings. */
void db_done(sqlite3_stmt *st);
/* Runs a statement that returns no rows. */
int db_write(struct store *s, sqlite3_stmt *st, const char *what);
/* Steps to the first row: VG_OK with a row ready, or VG_NOTFOUND. */
int db_row(struct store *s, sqlite3_stmt *st, const char *what, bool write);
int db_exec(struct store *s, const char *sql, const char *what);
/*
 * Runs the statement without rows sql (a string constant, as for
 * db_stmt()) from the statement cache. The transaction statements run
 * several times for each tip, and parsing them each time cost more than
 * running them. Not for PRAGMAs: some take effect when prepared.
 */
int db_run(struct store *s, const char *sql, const char *what);
/*
 * BEGIN IMMEDIATE and COMMIT; inside a batch (store_batch_begin()) a
 * savepoint and its release instead, so that a store function's writes
 * can be undone alone while the batch's transaction stays open.
 */
int db_begin(struct store *s, const char *what);
int db_commit(struct store *s, const char *what);
/*
 * A transaction for derived data, which the next start makes again if a
 * crash loses it (a tip's case, its entities, the audit entry saying so):
 * its commit does not wait for the disk (synchronous = NORMAL for this
 * transaction only), and the next durable commit syncs the write-ahead log
 * with it. SQLite refuses to change the level inside a transaction, so
 * db_begin_deferred() sets it before BEGIN, and db_end_deferred(), called
 * after the COMMIT or the rollback, sets it back to FULL and returns rc, or
 * VG_DB if every later write could not be made durable again. Inside a
 * batch they are db_begin() and a plain return of rc: the derived writes
 * commit with the batch, durably.
 */
int db_begin_deferred(struct store *s, const char *what);
int db_end_deferred(struct store *s, int rc);
/*
 * Undoes an open transaction after a failure. SQLite has already rolled
 * back on some errors (a full disk, for one), so only roll back what is
 * still open; a failure here changes nothing the caller can act on.
 * Inside a batch it undoes only the store function's savepoint.
 */
void db_rollback(struct store *s);
int db_bind_sealed(sqlite3_stmt *st, int idx, const struct sealed *v);
/* NULL is stored as "", the documented value of an absent text field. */
int db_bind_text(sqlite3_stmt *st, int idx, const char *v);
int db_bind_hash(sqlite3_stmt *st, int idx, const unsigned char h[32]);
/* Stores the user id 0 (the reporter, the system) as NULL. */
int db_bind_user(sqlite3_stmt *st, int idx, int64_t id);
/* A malloc'd copy of a text column; NULL reads as "". */
int db_col_text(sqlite3_stmt *st, int i, char **out);
/* A malloc'd copy of a blob column; SQL NULL reads as {NULL, 0}. */
int db_col_sealed(sqlite3_stmt *st, int i, struct sealed *out);
/* A 32-byte hash column; any other length means the file was altered. */
int db_col_hash(sqlite3_stmt *st, int i, unsigned char out[32]);
/*
 * Steps st to its end, reading each row with read into a growing array of
 * elements of `size` bytes at *rows; *count says how many were read, also
 * on failure, so the caller can release them.
 */
int db_collect(struct store *s, sqlite3_stmt *st, const char *what, size_t size,
	       int (*read)(sqlite3_stmt *st, void *row), void **rows, size_t *count);
/*
 * Takes the lock and collects, as db_collect() does, the rows of the
 * statement sql whose one parameter ?1 is the text key (an id).
 */
int db_collect_by(struct store *s, const char *sql, const char *key, const char *what,
		  size_t size, int (*read)(sqlite3_stmt *st, void *row), void **rows,
		  size_t *count);
/* Runs a statement whose one row is one integer, e.g. a count. */
int db_int64(struct store *s, sqlite3_stmt *st, const char *what, bool write,
	     int64_t *out);

#endif

/*
 * store_sqlite.c - the embedded SQLite backend of store.h: opening,
 * migrations, tips, messages, users, sessions, the audit log, throttles
 * and referrals. The connection, its lock and the shared helpers are in
 * db.h; newer features keep their statements in files of their own
 * (db_stmt()).
 *
 * Every statement here is prepared once at open from constant SQL and
 * reset, with its bindings cleared, before the lock is released: data is
 * only ever bound, never spliced into SQL, and no statement keeps a read
 * transaction open.
 */
#include "base/compat.h"

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <sqlite3.h>

#include "base/embedded.h"
#include "base/log.h"
#include "store/db.h"
#include "store/store.h"
#include "store/walbuf.h"

/* The upper bound of tip_filter.limit; smaller limits are clamped to 1. */
#define TIP_LIST_MAX 500

enum stmt_id {
	ST_TIP_INSERT,
	ST_TIP_GET,
	ST_TIP_BY_RECEIPT,
	ST_TIP_LIST,
	ST_TIP_TRIAGE,
	ST_TIP_SET_STATUS,
	ST_TIP_COUNT,
	ST_TIP_BUMP,
	ST_TIP_SET_SCREENING,
	ST_REFERRAL_INSERT,
	ST_REFERRAL_LIST,
	ST_REFERRAL_OUTCOME,
	ST_MESSAGE_INSERT,
	ST_MESSAGE_LIST,
	ST_USER_INSERT,
	ST_USER_BY_NAME,
	ST_USER_BY_ID,
	ST_USER_COUNT,
	ST_USER_SET_PASSWORD,
	ST_SESSION_INSERT,
	ST_SESSION_GET,
	ST_SESSION_TOUCH,
	ST_SESSION_DELETE,
	ST_SESSION_EXPIRE,
	ST_AUDIT_APPEND,
	ST_AUDIT_LAST,
	ST_AUDIT_LIST,
	ST_AUDIT_COUNT,
	ST_THROTTLE_HIT,
	ST_THROTTLE_PRUNE,
	ST_THROTTLE_PEEK,
	ST_SCHEMA_VERSION,
	ST_COUNT
};

/* The order read_tip() expects; selects add rowid and urgency_rank. */
#define TIP_COLUMNS                                                        \
	"id, receipt_index, created_at, updated_at, status, source, country, " \
	"region, city, language, danger_now, may_contact, narrative, "        \
	"contact, details, screened_at, screen_status, urgency, kinds, "      \
	"typology, screening"

#define TIP_SELECT TIP_COLUMNS ", rowid, urgency_rank"

/*
 * One urgency rank of the triage queue (ST_TIP_TRIAGE): nothing before the
 * cursor's rank ?5, and within it only rows older than the cursor ?2.
 */
#define TIP_RANK(k)                                                        \
	"SELECT " TIP_COLUMNS ", rowid AS seq, urgency_rank AS rk FROM tips "  \
	"WHERE urgency_rank = " #k " AND ?5 <= " #k " "                          \
	"AND rowid < CASE WHEN ?5 = " #k " THEN ?2 ELSE 9223372036854775807 END " \
	"AND (?1 IS NULL OR status = ?1) AND (?6 = 0 OR screened_at IS NULL) " \
	"ORDER BY rowid DESC LIMIT ?3"

#define REFERRAL_COLUMNS                                                   \
	"id, tip_id, entry_id, rule, made_at, user_id, consent, override, "   \
	"outcome, outcome_at, outcome_by"

#define MESSAGE_COLUMNS "id, tip_id, created_at, author, user_id, body"

#define USER_COLUMNS \
	"id, name, role, password_hash, created_at, must_change, disabled"

static const char *const stmt_sql[ST_COUNT] = {
	[ST_TIP_INSERT] =
		"INSERT INTO tips (" TIP_COLUMNS ") VALUES "
		"(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
		"?16, ?17, ?18, ?19, ?20, ?21)",
	[ST_TIP_GET] = "SELECT " TIP_SELECT " FROM tips WHERE id = ?1",
	[ST_TIP_BY_RECEIPT] =
		"SELECT " TIP_SELECT " FROM tips WHERE receipt_index = ?1",
	/*
	 * rowid is the insertion order: a stable cursor even within one
	 * second. The cursor is always bound (INT64_MAX for the first page),
	 * so that it is a range SQLite seeks to rather than a condition inside
	 * an OR that it tests on every row from the start.
	 */
	[ST_TIP_LIST] =
		"SELECT " TIP_SELECT " FROM tips "
		"WHERE (?1 IS NULL OR status = ?1) AND (?6 = 0 OR screened_at IS NULL) "
		"AND rowid < ?2 ORDER BY rowid DESC LIMIT ?3",
	/*
	 * Triage order: urgency_rank, then newest first, after the cursor
	 * (rank ?5, rowid ?2). The ranks are 0 to 2 (0002_screening.sql), so
	 * each is read on its own through tips_rank, newest first and at most
	 * ?3 rows, and only those few rows are sorted.
	 */
	[ST_TIP_TRIAGE] =
		"SELECT * FROM (" TIP_RANK(0) ") UNION ALL SELECT * FROM (" TIP_RANK(1) ") "
		"UNION ALL SELECT * FROM (" TIP_RANK(2) ") ORDER BY rk, seq DESC LIMIT ?3",
	[ST_REFERRAL_INSERT] =
		"INSERT INTO referrals (" REFERRAL_COLUMNS ") "
		"SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11 "
		"WHERE EXISTS (SELECT 1 FROM tips WHERE id = ?2)",
	[ST_REFERRAL_LIST] =
		"SELECT " REFERRAL_COLUMNS " FROM referrals WHERE tip_id = ?1 "
		"ORDER BY made_at, rowid",
	[ST_REFERRAL_OUTCOME] =
		"UPDATE referrals SET outcome = ?3, outcome_at = ?4, outcome_by = ?5 "
		"WHERE id = ?1 AND tip_id = ?2",
	[ST_TIP_SET_SCREENING] =
		"UPDATE tips SET screened_at = ?2, screen_status = ?3, urgency = ?4, "
		"kinds = ?5, typology = ?6, screening = ?7 WHERE id = ?1",
	[ST_TIP_SET_STATUS] =
		"UPDATE tips SET status = ?2, updated_at = ?3 WHERE id = ?1",
	[ST_TIP_COUNT] =
		"SELECT count(*) FROM tips WHERE (?1 IS NULL OR status = ?1)",
	/* max(): a message from a slow clock never moves the time back. */
	[ST_TIP_BUMP] =
		"UPDATE tips SET updated_at = max(updated_at, ?2) WHERE id = ?1",
	[ST_MESSAGE_INSERT] =
		"INSERT INTO messages (" MESSAGE_COLUMNS ") "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_MESSAGE_LIST] =
		"SELECT " MESSAGE_COLUMNS " FROM messages WHERE tip_id = ?1 "
		"ORDER BY created_at, rowid",
	[ST_USER_INSERT] =
		"INSERT INTO users (name, role, password_hash, created_at, "
		"must_change, disabled) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_USER_BY_NAME] = "SELECT " USER_COLUMNS " FROM users WHERE name = ?1",
	[ST_USER_BY_ID] = "SELECT " USER_COLUMNS " FROM users WHERE id = ?1",
	[ST_USER_COUNT] = "SELECT count(*) FROM users",
	[ST_USER_SET_PASSWORD] =
		"UPDATE users SET password_hash = ?2, must_change = ?3 "
		"WHERE id = ?1",
	[ST_SESSION_INSERT] =
		"INSERT INTO sessions (token_hash, user_id, kind, created_at, "
		"last_seen) VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_SESSION_GET] =
		"SELECT user_id, kind, created_at, last_seen FROM sessions "
		"WHERE token_hash = ?1",
	[ST_SESSION_TOUCH] =
		"UPDATE sessions SET last_seen = ?2 WHERE token_hash = ?1",
	[ST_SESSION_DELETE] = "DELETE FROM sessions WHERE token_hash = ?1",
	[ST_SESSION_EXPIRE] = "DELETE FROM sessions WHERE last_seen < ?1",
	[ST_AUDIT_APPEND] =
		"INSERT INTO audit (id, at, user_id, action, object, detail, prev, hash) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[ST_AUDIT_LAST] = "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1",
	[ST_AUDIT_LIST] =
		"SELECT id, at, user_id, action, object, detail, prev, hash FROM audit "
		"WHERE id > ?1 ORDER BY id LIMIT ?2",
	[ST_AUDIT_COUNT] = "SELECT count(*) FROM audit",
	[ST_THROTTLE_HIT] =
		"INSERT INTO throttle (name, window_start, count) "
		"VALUES (?1, ?2, 1) ON CONFLICT (name, window_start) "
		"DO UPDATE SET count = count + 1 RETURNING count",
	[ST_THROTTLE_PRUNE] =
		"DELETE FROM throttle WHERE name = ?1 AND window_start < ?2",
	[ST_THROTTLE_PEEK] =
		"SELECT count FROM throttle WHERE name = ?1 AND window_start = ?2",
	[ST_SCHEMA_VERSION] = "SELECT count(*) FROM schema_migrations",
};


/*
 * Binds the six screening columns from idx on: screened_at (NULL while 0,
 * "never screened"), status, urgency, kinds, typology, the sealed result.
 */
static int bind_screening(sqlite3_stmt *st, int idx, const struct tip_row *t)
{
	int src = t->screened_at ? sqlite3_bind_int64(st, idx, t->screened_at) :
				   sqlite3_bind_null(st, idx);

	if (src == SQLITE_OK)
		src = db_bind_text(st, idx + 1, t->screen_status);
	if (src == SQLITE_OK)
		src = db_bind_text(st, idx + 2, t->urgency);
	if (src == SQLITE_OK)
		src = db_bind_text(st, idx + 3, t->kinds);
	if (src == SQLITE_OK)
		src = db_bind_text(st, idx + 4, t->typology);
	if (src == SQLITE_OK)
		src = db_bind_sealed(st, idx + 5, &t->screening);
	return src;
}

static int read_tip(sqlite3_stmt *st, struct tip_row *out)
{
	struct tip_row t = { 0 };
	int rc;

	rc = db_col_text(st, 0, &t.id);
	if (!rc)
		rc = db_col_hash(st, 1, t.receipt_index);
	if (!rc) {
		t.created_at = sqlite3_column_int64(st, 2);
		t.updated_at = sqlite3_column_int64(st, 3);
		rc = db_col_text(st, 4, &t.status);
	}
	if (!rc)
		rc = db_col_text(st, 5, &t.source);
	if (!rc)
		rc = db_col_text(st, 6, &t.country);
	if (!rc)
		rc = db_col_text(st, 7, &t.region);
	if (!rc)
		rc = db_col_text(st, 8, &t.city);
	if (!rc)
		rc = db_col_text(st, 9, &t.language);
	if (!rc) {
		t.danger_now = sqlite3_column_int(st, 10);
		t.may_contact = sqlite3_column_int(st, 11);
		rc = db_col_sealed(st, 12, &t.narrative);
	}
	if (!rc)
		rc = db_col_sealed(st, 13, &t.contact);
	if (!rc)
		rc = db_col_sealed(st, 14, &t.details);
	if (!rc) {
		t.screened_at = sqlite3_column_int64(st, 15);
		rc = db_col_text(st, 16, &t.screen_status);
	}
	if (!rc)
		rc = db_col_text(st, 17, &t.urgency);
	if (!rc)
		rc = db_col_text(st, 18, &t.kinds);
	if (!rc)
		rc = db_col_text(st, 19, &t.typology);
	if (!rc)
		rc = db_col_sealed(st, 20, &t.screening);
	t.seq = sqlite3_column_int64(st, 21);
	t.urgency_rank = sqlite3_column_int(st, 22);
	if (rc) {
		tip_row_release(&t);
		return rc;
	}
	*out = t;
	return VG_OK;
}

static int read_message(sqlite3_stmt *st, struct message_row *out)
{
	struct message_row m = { 0 };
	int rc;

	rc = db_col_text(st, 0, &m.id);
	if (!rc)
		rc = db_col_text(st, 1, &m.tip_id);
	if (!rc) {
		m.created_at = sqlite3_column_int64(st, 2);
		rc = db_col_text(st, 3, &m.author);
	}
	if (!rc) {
		/* SQL NULL (the reporter) reads as 0. */
		m.user_id = sqlite3_column_int64(st, 4);
		rc = db_col_sealed(st, 5, &m.body);
	}
	if (rc) {
		message_row_release(&m);
		return rc;
	}
	*out = m;
	return VG_OK;
}

static int read_referral(sqlite3_stmt *st, struct referral_row *out)
{
	struct referral_row r = { 0 };
	int rc;

	rc = db_col_text(st, 0, &r.id);
	if (!rc)
		rc = db_col_text(st, 1, &r.tip_id);
	if (!rc)
		rc = db_col_text(st, 2, &r.entry_id);
	if (!rc)
		rc = db_col_text(st, 3, &r.rule);
	if (!rc) {
		r.made_at = sqlite3_column_int64(st, 4);
		r.user_id = sqlite3_column_int64(st, 5);
		r.consent = sqlite3_column_int(st, 6);
		rc = db_col_sealed(st, 7, &r.override);
	}
	if (!rc)
		rc = db_col_text(st, 8, &r.outcome);
	if (!rc) {
		/* SQL NULL (no outcome yet) reads as 0. */
		r.outcome_at = sqlite3_column_int64(st, 9);
		r.outcome_by = sqlite3_column_int64(st, 10);
	}
	if (rc) {
		referral_row_release(&r);
		return rc;
	}
	*out = r;
	return VG_OK;
}

static int read_message_cb(sqlite3_stmt *st, void *row)
{
	return read_message(st, row);
}

static int read_referral_cb(sqlite3_stmt *st, void *row)
{
	return read_referral(st, row);
}

static int read_user(sqlite3_stmt *st, struct user_row *out)
{
	struct user_row u = { 0 };
	int rc;

	u.id = sqlite3_column_int64(st, 0);
	rc = db_col_text(st, 1, &u.name);
	if (!rc)
		rc = db_col_text(st, 2, &u.role);
	if (!rc)
		rc = db_col_text(st, 3, &u.password_hash);
	if (rc) {
		user_row_release(&u);
		return rc;
	}
	u.created_at = sqlite3_column_int64(st, 4);
	u.must_change = sqlite3_column_int(st, 5);
	u.disabled = sqlite3_column_int(st, 6);
	*out = u;
	return VG_OK;
}

/*
 * Migrations. Each embedded file "NNNN_name.sql" is applied once, in order
 * of NNNN, in its own transaction together with its row in
 * schema_migrations, so a crash leaves either all of a migration or none.
 */

/* The leading digits of a migration's name, or -1 when there are none. */
static int64_t migration_version(const char *name)
{
	int64_t v = 0;
	const char *p;

	for (p = name; *p >= '0' && *p <= '9'; p++) {
		if (v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*p - '0');
	}
	return p == name ? -1 : v;
}

int64_t store_schema_newest(void)
{
	const struct embedded_file *m;
	int64_t newest = 0, v;

	for (m = embedded_migrations; m->name; m++) {
		v = migration_version(m->name);
		if (v > newest)
			newest = v;
	}
	return newest;
}

/* Prepares one statement for the migration code, which runs only at open. */
static int prepare_once(struct store *s, const char *sql, sqlite3_stmt **st)
{
	int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);

	if (rc != SQLITE_OK) {
		sqlite3_finalize(*st);
		*st = NULL;
		return db_error(s, rc, "migrations", false);
	}
	return VG_OK;
}

/*
 * Runs one query whose one row is one integer, binding *arg as ?1 when arg
 * is not NULL.
 */
static int query_once(struct store *s, const char *sql, const int64_t *arg,
		      int64_t *out)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = prepare_once(s, sql, &st);
	if (rc)
		return rc;
	if (arg)
		rc = db_bind_check(s, sqlite3_bind_int64(st, 1, *arg),
				"migrations");
	if (!rc)
		rc = db_int64(s, st, "migrations", false, out);
	sqlite3_finalize(st);
	return rc;
}

static int migration_is_applied(struct store *s, int64_t version,
				bool *applied)
{
	int64_t n;
	int rc = query_once(s,
		"SELECT count(*) FROM schema_migrations WHERE version = ?1",
		&version, &n);

	if (rc)
		return rc;
	*applied = n > 0;
	return VG_OK;
}

static int migration_record(struct store *s, int64_t version,
			    const char *name)
{
	sqlite3_stmt *st = NULL;
	int rc, src;

	rc = prepare_once(s, "INSERT INTO schema_migrations (version, name, "
			  "applied_at) VALUES (?1, ?2, ?3)", &st);
	if (rc)
		return rc;
	src = sqlite3_bind_int64(st, 1, version);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 3, (int64_t)time(NULL));
	rc = db_bind_check(s, src, "migrations");
	if (!rc)
		rc = db_write(s, st, "migrations");
	sqlite3_finalize(st);
	return rc;
}

/* Applies one migration unless it is recorded; see migrate(). */
static int migration_apply(struct store *s, const struct embedded_file *m,
			   int64_t version)
{
	bool applied;
	char *msg = NULL;
	int rc;

	rc = migration_is_applied(s, version, &applied);
	if (rc || applied)
		return rc;
	/*
	 * Another process may apply it between the check above and the
	 * write lock, so check again inside the transaction. The check
	 * outside it lets a fully migrated read-only database open.
	 */
	rc = db_begin(s, "migrations");
	if (rc)
		goto fail;
	rc = migration_is_applied(s, version, &applied);
	if (rc)
		goto fail;
	if (applied) {
		db_rollback(s);
		return VG_OK;
	}
	if (sqlite3_exec(s->db, (const char *)m->data, NULL, NULL, &msg) !=
	    SQLITE_OK) {
		log_error("store: migration %s failed: %s", m->name,
			  msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		db_rollback(s);
		return VG_DB;
	}
	rc = migration_record(s, version, m->name);
	if (!rc)
		rc = db_commit(s, "migrations");
	if (!rc) {
		log_info("store: applied migration %s", m->name);
		return VG_OK;
	}
fail:
	log_error("store: migration %s failed: %s", m->name,
		  sqlite3_errmsg(s->db));
	db_rollback(s);
	return VG_DB;
}

static int migrate(struct store *s)
{
	const struct embedded_file *m;
	int64_t newest = 0, recorded, v;
	int rc;

	rc = db_exec(s, "CREATE TABLE IF NOT EXISTS schema_migrations ("
		      "version INTEGER PRIMARY KEY, name TEXT, "
		      "applied_at INTEGER)", "migrations");
	if (rc) {
		log_error("store: cannot create schema_migrations");
		return VG_DB;
	}
	/* The table is built in, so a misnamed file is a build mistake. */
	for (m = embedded_migrations; m->name; m++) {
		v = migration_version(m->name);
		if (v <= newest) {
			log_error("store: migration %s is misnamed or out of "
				  "order", m->name);
			return VG_DB;
		}
		newest = v;
	}
	rc = query_once(s, "SELECT coalesce(max(version), 0) "
			"FROM schema_migrations", NULL, &recorded);
	if (rc)
		return VG_DB;
	if (recorded > newest) {
		log_error("store: the database has schema version %" PRId64
			  ", newer than this vigil's %" PRId64
			  "; refusing to open it", recorded, newest);
		return VG_DB;
	}
	for (m = embedded_migrations; m->name; m++) {
		rc = migration_apply(s, m, migration_version(m->name));
		if (rc)
			return VG_DB;
	}
	return VG_OK;
}

/* Runs one PRAGMA and copies the first value it returns, if any, to out. */
static int pragma(struct store *s, const char *sql, char *out, size_t size)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *v;
	int rc;

	rc = prepare_once(s, sql, &st);
	if (rc)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!out)
			continue;
		v = sqlite3_column_text(st, 0);
		snprintf(out, size, "%s", v ? (const char *)v : "");
		out = NULL;
	}
	if (rc != SQLITE_DONE) {
		rc = db_error(s, rc, sql, false);
		goto out;
	}
	rc = VG_OK;
out:
	sqlite3_finalize(st);
	return rc;
}

static int configure(struct store *s)
{
	char mode[16] = "";
	int rc;

	/* The busy timeout first, so that switching to WAL waits for locks. */
	rc = pragma(s, "PRAGMA busy_timeout = 5000", NULL, 0);
	if (!rc)
		rc = pragma(s, "PRAGMA journal_mode = WAL", mode, sizeof(mode));
	if (!rc && strcmp(mode, "wal")) {
		log_error("store: cannot use write-ahead logging (journal "
			  "mode is %s)", mode);
		rc = VG_DB;
	}
	if (!rc)
		rc = pragma(s, "PRAGMA synchronous = FULL", NULL, 0);
	if (!rc)
		rc = pragma(s, "PRAGMA foreign_keys = ON", NULL, 0);
	/*
	 * A checkpoint every 4000 pages (16 MB of log) rather than SQLite's
	 * 1000: the pages many tips change (index leaves, the search index)
	 * are copied back once for more tips, and a tip's commit, which runs
	 * the checkpoint under the store's lock, pays for it less often
	 * (BENCHMARKS.md, "Intake").
	 */
	if (!rc)
		rc = pragma(s, "PRAGMA wal_autocheckpoint = 4000", NULL, 0);
	/* Deleted rows (sessions, old sealed values) are overwritten. */
	if (!rc)
		rc = pragma(s, "PRAGMA secure_delete = ON", NULL, 0);
	return rc;
}

static int prepare_all(struct store *s)
{
	size_t i;
	int rc;

	s->stmt = calloc(ST_COUNT, sizeof(*s->stmt));
	if (!s->stmt)
		return VG_NOMEM;
	for (i = 0; i < ST_COUNT; i++) {
		assert(stmt_sql[i]);
		rc = sqlite3_prepare_v3(s->db, stmt_sql[i], -1,
					SQLITE_PREPARE_PERSISTENT,
					&s->stmt[i], NULL);
		if (rc != SQLITE_OK)
			return db_error(s, rc, "prepare", false);
	}
	return VG_OK;
}

/* Recursive: the store calls inside a batch take the lock its holder has. */
static int lock_init(pthread_mutex_t *lock)
{
	pthread_mutexattr_t a;
	int rc;

	if (pthread_mutexattr_init(&a))
		return -1;
	rc = pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	if (!rc)
		rc = pthread_mutex_init(lock, &a);
	pthread_mutexattr_destroy(&a);
	return rc;
}

int store_open(const char *path, struct store **out)
{
	struct store *s;
	const char *vfs = NULL;
	int rc, fd;

	assert(path && out);
	s = calloc(1, sizeof(*s));
	if (!s)
		return VG_NOMEM;
	if (lock_init(&s->lock)) {
		free(s);
		return VG_NOMEM;
	}
	/*
	 * Create the file owner-only before SQLite does, as it would use 0644
	 * less the umask; the -wal and -shm files copy the file's mode. An
	 * existing file is left as it is.
	 */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	/* The -wal file's frames are written a commit at a time (walbuf.h). */
	rc = walbuf_register(&vfs);
	if (rc) {
		log_error("store: cannot register the write-ahead log's VFS: %s", vg_strerror(rc));
		goto out;
	}
	rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
			     SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, vfs);
	if (rc != SQLITE_OK) {
		log_error("store: cannot open %s: %s", path,
			  s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		rc = (rc & 0xff) == SQLITE_NOMEM ? VG_NOMEM : VG_DB;
		goto out;
	}
	sqlite3_extended_result_codes(s->db, 1);
	rc = configure(s);
	if (!rc)
		rc = walsync_init(&s->wal, sqlite3_db_filename(s->db, "main"));
	if (!rc)
		rc = migrate(s);
	if (!rc)
		rc = prepare_all(s);
out:
	if (rc) {
		store_free(s);
		return rc;
	}
	*out = s;
	return VG_OK;
}

void store_free(struct store *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; s->stmt && i < ST_COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	free(s->stmt);
	db_stmt_release(s);
	/* Every statement is finalized, so the close cannot be refused. */
	if (sqlite3_close(s->db) != SQLITE_OK)
		log_error("store: close: %s", sqlite3_errmsg(s->db));
	walsync_release(&s->wal);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

int store_schema_version(struct store *s, int *out)
{
	sqlite3_stmt *st = s->stmt[ST_SCHEMA_VERSION];
	int64_t n = 0;
	int rc;

	assert(out);
	db_lock(s);
	rc = db_int64(s, st, __func__, false, &n);
	db_done(st);
	db_unlock(s);
	if (rc)
		return rc;
	if (n > INT_MAX)
		return VG_DB;
	*out = (int)n;
	return VG_OK;
}

/* Tips */

int store_tip_insert(struct store *s, const struct tip_row *t)
{
	sqlite3_stmt *st = s->stmt[ST_TIP_INSERT];
	int rc, src;

	assert(t && t->id && t->status && t->source && t->narrative.data);
	db_lock(s);
	src = sqlite3_bind_text(st, 1, t->id, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = db_bind_hash(st, 2, t->receipt_index);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 3, t->created_at);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 4, t->updated_at);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 5, t->status, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 6, t->source, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = db_bind_text(st, 7, t->country);
	if (src == SQLITE_OK)
		src = db_bind_text(st, 8, t->region);
	if (src == SQLITE_OK)
		src = db_bind_text(st, 9, t->city);
	if (src == SQLITE_OK)
		src = db_bind_text(st, 10, t->language);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int(st, 11, t->danger_now);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int(st, 12, t->may_contact);
	if (src == SQLITE_OK)
		src = db_bind_sealed(st, 13, &t->narrative);
	if (src == SQLITE_OK)
		src = db_bind_sealed(st, 14, &t->contact);
	if (src == SQLITE_OK)
		src = db_bind_sealed(st, 15, &t->details);
	if (src == SQLITE_OK)
		src = bind_screening(st, 16, t);
	rc = db_bind_check(s, src, __func__);
	if (!rc)
		rc = db_write(s, st, __func__);
	db_done(st);
	db_unlock(s);
	return rc;
}

/* Runs a tip query bound by the caller and reads its one row. */
static int tip_fetch(struct store *s, sqlite3_stmt *st, int src,
		     const char *what, struct tip_row *out)
{
	int rc = db_bind_check(s, src, what);

	if (!rc)
		rc = db_row(s, st, what, false);
	if (!rc)
		rc = read_tip(st, out);
	db_done(st);
	return rc;
}

int store_tip_get(struct store *s, const char *id, struct tip_row *out)
{
	sqlite3_stmt *st = s->stmt[ST_TIP_GET];
	int rc;

	assert(id && out);
	db_lock(s);
	rc = tip_fetch(s, st, sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC),
		       __func__, out);
	db_unlock(s);
	return rc;
}

int store_tip_by_receipt(struct store *s, const unsigned char index[32],
			 struct tip_row *out)
{
	sqlite3_stmt *st = s->stmt[ST_TIP_BY_RECEIPT];
	int rc;

	assert(index && out);
	db_lock(s);
	rc = tip_fetch(s, st, db_bind_hash(st, 1, index), __func__, out);
	db_unlock(s);
	return rc;
}

int store_tip_list(struct store *s, const struct tip_filter *f,
		   struct tip_list *out)
{
	struct tip_list l = { 0 };
	sqlite3_stmt *st;
	int from_start, limit, rc, src;

	assert(f && out);
	st = s->stmt[f->triage ? ST_TIP_TRIAGE : ST_TIP_LIST];
	from_start = f->before_seq <= 0;
	limit = f->limit < 1 ? 1 : f->limit;
	if (limit > TIP_LIST_MAX)
		limit = TIP_LIST_MAX;
	l.rows = calloc((size_t)limit, sizeof(*l.rows));
	if (!l.rows)
		return VG_NOMEM;
	db_lock(s);
	src = sqlite3_bind_text(st, 1, f->status, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 2, from_start ? INT64_MAX : f->before_seq);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int(st, 3, limit);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int(st, 5, from_start ? 0 : f->before_rank);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int(st, 6, !!f->unscreened);
	rc = db_bind_check(s, src, __func__);
	while (!rc && l.count < (size_t)limit) {
		rc = db_row(s, st, __func__, false);
		if (rc == VG_NOTFOUND) {
			rc = VG_OK;
			break;
		}
		if (!rc)
			rc = read_tip(st, &l.rows[l.count]);
		if (!rc)
			l.count++;
	}
	db_done(st);
	db_unlock(s);
	if (rc) {
		tip_list_release(&l);
		return rc;
	}
	*out = l;
	return VG_OK;
}

/* Runs an UPDATE or DELETE that must change one row, else VG_NOTFOUND. */
static int change_one(struct store *s, sqlite3_stmt *st, int src,
		      const char *what)
{
	int rc = db_bind_check(s, src, what);

	if (!rc)
		rc = db_write(s, st, what);
	if (!rc && sqlite3_changes(s->db) == 0)
		rc = VG_NOTFOUND;
	return rc;
}

int store_tip_set_status(struct store *s, const char *id, const char *status,
			 int64_t now)
{
	sqlite3_stmt *st = s->stmt[ST_TIP_SET_STATUS];
	int rc, src;

	assert(id && status);
	db_lock(s);
	src = sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 3, now);
	rc = change_one(s, st, src, __func__);
	db_done(st);
	db_unlock(s);
	return rc;
}

int store_tip_set_screening(struct store *s, const struct tip_row *t)
{
	sqlite3_stmt *st = s->stmt[ST_TIP_SET_SCREENING];
	int rc, src;

	assert(t && t->id);
	db_lock(s);
	src = sqlite3_bind_text(st, 1, t->id, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = bind_screening(st, 2, t);
	rc = change_one(s, st, src, __func__);
	db_done(st);
	db_unlock(s);
	return rc;
}

int store_tip_count(struct store *s, const char *status, int64_t *out)
{
	sqlite3_stmt *st = s->stmt[ST_TIP_COUNT];
	int rc;

	assert(out);
	db_lock(s);
	rc = db_bind_check(s, sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC),
			__func__);
	if (!rc)
		rc = db_int64(s, st, __func__, false, out);
	db_done(st);
	db_unlock(s);
	return rc;
}

void tip_row_release(struct tip_row *t)
{
	free(t->id);
	free(t->status);
	free(t->source);
	free(t->country);
	free(t->region);
	free(t->city);
	free(t->language);
	free(t->narrative.data);
	free(t->contact.data);
	free(t->details.data);
	free(t->screen_status);
	free(t->urgency);
	free(t->kinds);
	free(t->typology);
	free(t->screening.data);
	memset(t, 0, sizeof(*t));
}

DB_LIST_RELEASE(tip_list_release, tip_list, tip_row_release)

/* Messages */

int store_message_insert(struct store *s, const struct message_row *m)
{
	sqlite3_stmt *bump = s->stmt[ST_TIP_BUMP];
	sqlite3_stmt *st = s->stmt[ST_MESSAGE_INSERT];
	int rc, src;

	assert(m && m->id && m->tip_id && m->author && m->body.data);
	db_lock(s);
	rc = db_begin(s, __func__);
	if (rc)
		goto out;
	/* Bumping first finds out whether the tip exists. */
	src = sqlite3_bind_text(bump, 1, m->tip_id, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(bump, 2, m->created_at);
	rc = change_one(s, bump, src, __func__);
	if (rc)
		goto out;
	src = sqlite3_bind_text(st, 1, m->id, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 2, m->tip_id, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 3, m->created_at);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 4, m->author, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = db_bind_user(st, 5, m->user_id);
	if (src == SQLITE_OK)
		src = db_bind_sealed(st, 6, &m->body);
	rc = db_bind_check(s, src, __func__);
	if (!rc)
		rc = db_write(s, st, __func__);
	if (!rc)
		rc = db_commit(s, __func__);
out:
	/* Statements are reset first so that none is pending at ROLLBACK. */
	db_done(bump);
	db_done(st);
	if (rc)
		db_rollback(s);
	db_unlock(s);
	return rc;
}

int store_message_list(struct store *s, const char *tip_id,
		       struct message_list *out)
{
	sqlite3_stmt *st = s->stmt[ST_MESSAGE_LIST];
	struct message_list l = { 0 };
	int rc;

	assert(tip_id && out);
	db_lock(s);
	rc = db_bind_check(s, sqlite3_bind_text(st, 1, tip_id, -1, SQLITE_STATIC),
			__func__);
	if (!rc)
		rc = db_collect(s, st, __func__, sizeof(*l.rows), read_message_cb,
				  (void **)&l.rows, &l.count);
	db_done(st);
	db_unlock(s);
	if (rc) {
		message_list_release(&l);
		return rc;
	}
	*out = l;
	return VG_OK;
}

void message_row_release(struct message_row *m)
{
	free(m->id);
	free(m->tip_id);
	free(m->author);
	free(m->body.data);
	memset(m, 0, sizeof(*m));
}

DB_LIST_RELEASE(message_list_release, message_list, message_row_release)

/* Users */

int store_user_insert(struct store *s, const struct user_row *u,
		      int64_t *id_out)
{
	sqlite3_stmt *st = s->stmt[ST_USER_INSERT];
	int64_t id = 0;
	int rc, src;

	assert(u && u->name && u->role && u->password_hash);
	db_lock(s);
	src = sqlite3_bind_text(st, 1, u->name, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 2, u->role, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 3, u->password_hash, -1,
					SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 4, u->created_at);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int(st, 5, u->must_change);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int(st, 6, u->disabled);
	rc = db_bind_check(s, src, __func__);
	if (!rc)
		rc = db_write(s, st, __func__);
	/* Read under the lock, before another thread inserts a row. */
	if (!rc)
		id = sqlite3_last_insert_rowid(s->db);
	db_done(st);
	db_unlock(s);
	if (!rc && id_out)
		*id_out = id;
	return rc;
}

static int user_fetch(struct store *s, sqlite3_stmt *st, int src,
		      const char *what, struct user_row *out)
{
	int rc = db_bind_check(s, src, what);

	if (!rc)
		rc = db_row(s, st, what, false);
	if (!rc)
		rc = read_user(st, out);
	db_done(st);
	return rc;
}

int store_user_by_name(struct store *s, const char *name, struct user_row *out)
{
	sqlite3_stmt *st = s->stmt[ST_USER_BY_NAME];
	int rc;

	assert(name && out);
	db_lock(s);
	rc = user_fetch(s, st,
			sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC),
			__func__, out);
	db_unlock(s);
	return rc;
}

int store_user_by_id(struct store *s, int64_t id, struct user_row *out)
{
	sqlite3_stmt *st = s->stmt[ST_USER_BY_ID];
	int rc;

	assert(out);
	db_lock(s);
	rc = user_fetch(s, st, sqlite3_bind_int64(st, 1, id), __func__, out);
	db_unlock(s);
	return rc;
}

int store_user_count(struct store *s, int64_t *out)
{
	sqlite3_stmt *st = s->stmt[ST_USER_COUNT];
	int rc;

	assert(out);
	db_lock(s);
	rc = db_int64(s, st, __func__, false, out);
	db_done(st);
	db_unlock(s);
	return rc;
}

int store_user_set_password(struct store *s, int64_t id,
			    const char *password_hash, int must_change)
{
	sqlite3_stmt *st = s->stmt[ST_USER_SET_PASSWORD];
	int rc, src;

	assert(password_hash);
	db_lock(s);
	src = sqlite3_bind_int64(st, 1, id);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 2, password_hash, -1,
					SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int(st, 3, must_change);
	rc = change_one(s, st, src, __func__);
	db_done(st);
	db_unlock(s);
	return rc;
}

void user_row_release(struct user_row *u)
{
	free(u->name);
	free(u->role);
	free(u->password_hash);
	memset(u, 0, sizeof(*u));
}

/* Sessions */

int store_session_insert(struct store *s, const unsigned char hash[32],
			 const struct session_row *row)
{
	sqlite3_stmt *st = s->stmt[ST_SESSION_INSERT];
	int rc, src;

	assert(hash && row && row->kind);
	db_lock(s);
	src = db_bind_hash(st, 1, hash);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 2, row->user_id);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 3, row->kind, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 4, row->created_at);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 5, row->last_seen);
	rc = db_bind_check(s, src, __func__);
	if (!rc)
		rc = db_write(s, st, __func__);
	db_done(st);
	db_unlock(s);
	return rc;
}

int store_session_get(struct store *s, const unsigned char hash[32],
		      struct session_row *out)
{
	sqlite3_stmt *st = s->stmt[ST_SESSION_GET];
	struct session_row r = { 0 };
	int rc;

	assert(hash && out);
	db_lock(s);
	rc = db_bind_check(s, db_bind_hash(st, 1, hash), __func__);
	if (!rc)
		rc = db_row(s, st, __func__, false);
	if (!rc) {
		r.user_id = sqlite3_column_int64(st, 0);
		r.created_at = sqlite3_column_int64(st, 2);
		r.last_seen = sqlite3_column_int64(st, 3);
		rc = db_col_text(st, 1, &r.kind);
	}
	db_done(st);
	db_unlock(s);
	if (rc)
		return rc;
	*out = r;
	return VG_OK;
}

int store_session_touch(struct store *s, const unsigned char hash[32],
			int64_t now)
{
	sqlite3_stmt *st = s->stmt[ST_SESSION_TOUCH];
	int rc, src;

	assert(hash);
	db_lock(s);
	src = db_bind_hash(st, 1, hash);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 2, now);
	rc = change_one(s, st, src, __func__);
	db_done(st);
	db_unlock(s);
	return rc;
}

int store_session_delete(struct store *s, const unsigned char hash[32])
{
	sqlite3_stmt *st = s->stmt[ST_SESSION_DELETE];
	int rc;

	assert(hash);
	db_lock(s);
	rc = db_bind_check(s, db_bind_hash(st, 1, hash), __func__);
	if (!rc)
		rc = db_write(s, st, __func__);
	db_done(st);
	db_unlock(s);
	return rc;
}

int store_session_expire(struct store *s, int64_t before)
{
	sqlite3_stmt *st = s->stmt[ST_SESSION_EXPIRE];
	int rc;

	db_lock(s);
	rc = db_bind_check(s, sqlite3_bind_int64(st, 1, before), __func__);
	if (!rc)
		rc = db_write(s, st, __func__);
	db_done(st);
	db_unlock(s);
	return rc;
}

void session_row_release(struct session_row *r)
{
	free(r->kind);
	memset(r, 0, sizeof(*r));
}

/* Audit */

/* The last entry's id and hash (zeros when absent or unchained). */
static int audit_last(struct store *s, int64_t *id, unsigned char hash[32])
{
	sqlite3_stmt *st = s->stmt[ST_AUDIT_LAST];
	int rc = db_row(s, st, __func__, true);

	*id = 0;
	memset(hash, 0, 32);
	if (rc == VG_NOTFOUND)
		rc = VG_OK;
	else if (!rc) {
		*id = sqlite3_column_int64(st, 0);
		if (sqlite3_column_bytes(st, 1) == 32)
			memcpy(hash, sqlite3_column_blob(st, 1), 32);
	}
	db_done(st);
	return rc;
}

int store_batch_begin(struct store *s)
{
	int rc;

	db_lock(s);
	assert(!s->batch);
	/* Committed without waiting for the disk: store_batch_end() waits. */
	rc = db_begin_deferred(s, "batch");
	if (rc) {
		db_unlock(s);
		return rc;
	}
	s->batch = true;
	s->lost = 0;
	return VG_OK;
}

int store_batch_end(struct store *s, int rc)
{
	uint64_t ticket = 0;

	assert(s->batch && s->nested == 0);
	s->batch = false;
	if (!rc)
		rc = s->lost;
	if (!rc)
		rc = db_commit(s, "batch");
	if (rc)
		db_rollback(s);
	else
		ticket = walsync_ticket(&s->wal);
	rc = db_end_deferred(s, rc);
	s->lost = 0;
	db_unlock(s);
	/* Outside the lock: the next writers go on while the disk flushes. */
	return rc ? rc : walsync_wait(&s->wal, ticket);
}

int store_audit_append(struct store *s, struct audit_row *e, store_audit_hash_fn fn,
		       void *ctx)
{
	sqlite3_stmt *st = s->stmt[ST_AUDIT_APPEND];
	int64_t last;
	int rc, src;

	assert(e && e->action && fn);
	db_lock(s);
	rc = e->deferred ? db_begin_deferred(s, __func__) : db_begin(s, __func__);
	if (rc)
		goto unlock;
	rc = audit_last(s, &last, e->prev);
	if (rc)
		goto out;
	e->id = last + 1;
	e->chained = 1;
	fn(ctx, e, e->hash);
	src = sqlite3_bind_int64(st, 1, e->id);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 2, e->at);
	if (src == SQLITE_OK)
		src = db_bind_user(st, 3, e->user_id);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 4, e->action, -1, SQLITE_STATIC);
	/* A NULL pointer binds SQL NULL. */
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 5, e->object, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 6, e->detail, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = db_bind_hash(st, 7, e->prev);
	if (src == SQLITE_OK)
		src = db_bind_hash(st, 8, e->hash);
	rc = db_bind_check(s, src, __func__);
	if (!rc)
		rc = db_write(s, st, __func__);
	db_done(st);
	if (!rc)
		rc = db_commit(s, __func__);
out:
	if (rc)
		db_rollback(s);
	if (e->deferred)
		rc = db_end_deferred(s, rc);
unlock:
	db_unlock(s);
	return rc;
}

static int read_audit(sqlite3_stmt *st, struct audit_row *out)
{
	struct audit_row r = { 0 };
	int rc;

	r.id = sqlite3_column_int64(st, 0);
	r.at = sqlite3_column_int64(st, 1);
	r.user_id = sqlite3_column_int64(st, 2);
	rc = db_col_text(st, 3, &r.action);
	if (!rc && sqlite3_column_type(st, 4) != SQLITE_NULL)
		rc = db_col_text(st, 4, &r.object);
	if (!rc && sqlite3_column_type(st, 5) != SQLITE_NULL)
		rc = db_col_text(st, 5, &r.detail);
	/* A hash of the wrong length is kept as "chained" with what is there,
	 * so that verification reports it rather than skipping it. */
	if (!rc && sqlite3_column_type(st, 7) != SQLITE_NULL) {
		r.chained = 1;
		if (sqlite3_column_bytes(st, 6) == 32)
			memcpy(r.prev, sqlite3_column_blob(st, 6), 32);
		if (sqlite3_column_bytes(st, 7) == 32)
			memcpy(r.hash, sqlite3_column_blob(st, 7), 32);
	}
	if (rc) {
		audit_row_release(&r);
		return rc;
	}
	*out = r;
	return VG_OK;
}

int store_audit_list(struct store *s, int64_t after_id, int limit, struct audit_list *out)
{
	sqlite3_stmt *st = s->stmt[ST_AUDIT_LIST];
	struct audit_list l = { 0 };
	int rc, src;

	assert(out && limit > 0);
	l.rows = calloc((size_t)limit, sizeof(*l.rows));
	if (!l.rows)
		return VG_NOMEM;
	db_lock(s);
	src = sqlite3_bind_int64(st, 1, after_id);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int(st, 2, limit);
	rc = db_bind_check(s, src, __func__);
	while (!rc && l.count < (size_t)limit) {
		rc = db_row(s, st, __func__, false);
		if (rc == VG_NOTFOUND) {
			rc = VG_OK;
			break;
		}
		if (!rc)
			rc = read_audit(st, &l.rows[l.count]);
		if (!rc)
			l.count++;
	}
	db_done(st);
	db_unlock(s);
	if (rc) {
		audit_list_release(&l);
		return rc;
	}
	*out = l;
	return VG_OK;
}

void audit_row_release(struct audit_row *r)
{
	free(r->action);
	free(r->object);
	free(r->detail);
	memset(r, 0, sizeof(*r));
}

DB_LIST_RELEASE(audit_list_release, audit_list, audit_row_release)

int store_audit_count(struct store *s, int64_t *out)
{
	sqlite3_stmt *st = s->stmt[ST_AUDIT_COUNT];
	int rc;

	assert(out);
	db_lock(s);
	rc = db_int64(s, st, __func__, false, out);
	db_done(st);
	db_unlock(s);
	return rc;
}

/* Throttle */

/* The start of the window of length `window` that contains `now`. */
static int64_t window_start(int64_t now, int64_t window)
{
	int64_t r = now % window;

	if (r < 0)
		r += window;
	return now - r;
}

int store_throttle_hit(struct store *s, const char *name, int64_t now,
		       int64_t window, int64_t *count_out)
{
	sqlite3_stmt *hit = s->stmt[ST_THROTTLE_HIT];
	sqlite3_stmt *prune = s->stmt[ST_THROTTLE_PRUNE];
	int64_t start, count = 0;
	int rc, src;

	assert(name && window > 0 && count_out);
	start = window_start(now, window);
	db_lock(s);
	rc = db_begin(s, __func__);
	if (rc)
		goto out;
	src = sqlite3_bind_text(hit, 1, name, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(hit, 2, start);
	rc = db_bind_check(s, src, __func__);
	if (!rc)
		rc = db_int64(s, hit, __func__, true, &count);
	/* Run the upsert to completion before the next statement. */
	if (!rc) {
		src = sqlite3_step(hit);
		if (src != SQLITE_DONE)
			rc = db_error(s, src, __func__, true);
	}
	if (rc)
		goto out;
	/* Keep the previous window for callers that look back one window. */
	src = sqlite3_bind_text(prune, 1, name, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(prune, 2, start - window);
	rc = db_bind_check(s, src, __func__);
	if (!rc)
		rc = db_write(s, prune, __func__);
	if (!rc)
		rc = db_commit(s, __func__);
out:
	db_done(hit);
	db_done(prune);
	if (rc)
		db_rollback(s);
	db_unlock(s);
	if (!rc)
		*count_out = count;
	return rc;
}

int store_throttle_peek(struct store *s, const char *name, int64_t now,
			int64_t window, int64_t *count_out)
{
	sqlite3_stmt *st = s->stmt[ST_THROTTLE_PEEK];
	int64_t count = 0;
	int rc, src;

	assert(name && window > 0 && count_out);
	db_lock(s);
	src = sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 2, window_start(now, window));
	rc = db_bind_check(s, src, __func__);
	if (!rc)
		rc = db_row(s, st, __func__, false);
	if (!rc)
		count = sqlite3_column_int64(st, 0);
	else if (rc == VG_NOTFOUND)
		rc = VG_OK;
	db_done(st);
	db_unlock(s);
	if (!rc)
		*count_out = count;
	return rc;
}

int store_referral_insert(struct store *s, const struct referral_row *r)
{
	sqlite3_stmt *st = s->stmt[ST_REFERRAL_INSERT];
	int rc, src;

	assert(r && r->id && r->tip_id && r->entry_id && r->outcome);
	db_lock(s);
	src = sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 2, r->tip_id, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 3, r->entry_id, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = db_bind_text(st, 4, r->rule);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 5, r->made_at);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 6, r->user_id);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int(st, 7, r->consent);
	if (src == SQLITE_OK)
		src = db_bind_sealed(st, 8, &r->override);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 9, r->outcome, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = r->outcome_at ? sqlite3_bind_int64(st, 10, r->outcome_at) :
				      sqlite3_bind_null(st, 10);
	if (src == SQLITE_OK)
		src = db_bind_user(st, 11, r->outcome_by);
	/* The INSERT ... SELECT inserts nothing when the tip does not exist. */
	rc = change_one(s, st, src, __func__);
	db_done(st);
	db_unlock(s);
	return rc;
}

int store_referral_list(struct store *s, const char *tip_id, struct referral_list *out)
{
	sqlite3_stmt *st = s->stmt[ST_REFERRAL_LIST];
	struct referral_list l = { 0 };
	int rc;

	assert(tip_id && out);
	db_lock(s);
	rc = db_bind_check(s, sqlite3_bind_text(st, 1, tip_id, -1, SQLITE_STATIC), __func__);
	if (!rc)
		rc = db_collect(s, st, __func__, sizeof(*l.rows), read_referral_cb,
				  (void **)&l.rows, &l.count);
	db_done(st);
	db_unlock(s);
	if (rc) {
		referral_list_release(&l);
		return rc;
	}
	*out = l;
	return VG_OK;
}

int store_referral_set_outcome(struct store *s, const char *id, const char *tip_id,
			       const char *outcome, int64_t at, int64_t user_id)
{
	sqlite3_stmt *st = s->stmt[ST_REFERRAL_OUTCOME];
	int rc, src;

	assert(id && tip_id && outcome);
	db_lock(s);
	src = sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 2, tip_id, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 3, outcome, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 4, at);
	if (src == SQLITE_OK)
		src = db_bind_user(st, 5, user_id);
	rc = change_one(s, st, src, __func__);
	db_done(st);
	db_unlock(s);
	return rc;
}

void referral_row_release(struct referral_row *r)
{
	free(r->id);
	free(r->tip_id);
	free(r->entry_id);
	free(r->rule);
	free(r->override.data);
	free(r->outcome);
	memset(r, 0, sizeof(*r));
}

DB_LIST_RELEASE(referral_list_release, referral_list, referral_row_release)

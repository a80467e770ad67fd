/*
 * test_walbuf.c - the gathered writes of the -wal file (store/walbuf.h).
 *
 * A connection through the "vigil-walbuf" VFS writes; what it committed
 * must be read back by a second connection through SQLite's default VFS
 * (another reader of the same files) and survive a crash: the database and
 * -wal files copied while the writer is still open, without the -shm file,
 * must recover to every commit, which SQLite only does when each frame and
 * its checksum are in the file. The transactions are small (a few frames),
 * larger than the buffer, rewrite pages already in the log (a cache of two
 * pages spills), are rolled back after spilling, follow another
 * connection's commits, and restart the log (frequent checkpoints). All
 * data is synthetic.
 */
#include "base/compat.h"

#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/walbuf.h"
#include "testlib.h"

struct fixture {
	char dir[64];
	char path[96];
	sqlite3 *db;            /* the writer, through the VFS */
};

static void exec_ok(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &err);

	if (rc != SQLITE_OK)
		print_message("# %s: %s\n", sql, err ? err : sqlite3_errstr(rc));
	sqlite3_free(err);
	assert_int_equal(rc, SQLITE_OK);
}

static int64_t query_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	const char *vfs;

	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/vigil-walbuf-XXXXXX");
	if (!mkdtemp(fx->dir) || walbuf_register(&vfs)) {
		free(fx);
		return -1;
	}
	snprintf(fx->path, sizeof(fx->path), "%s/w.db", fx->dir);
	if (sqlite3_open_v2(fx->path, &fx->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			    vfs) != SQLITE_OK) {
		sqlite3_close(fx->db);
		rmdir(fx->dir);
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char copy[128];

	sqlite3_close(fx->db);
	test_remove_db(fx->path);
	snprintf(copy, sizeof(copy), "%s/copy.db", fx->dir);
	test_remove_db(copy);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

/* Copies one file byte for byte; a missing file is copied as missing. */
static void copy_file(const char *from, const char *to)
{
	char buf[65536];
	ssize_t n;
	int in, out;

	in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		assert_int_equal(errno, ENOENT);
		return;
	}
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	assert_int_equal(n, 0);
	close(in);
	close(out);
}

/*
 * The writer's files as a crash would leave them (no -shm: the reader
 * rebuilds the index from the log, checking every frame's checksum), opened
 * through the default VFS.
 */
static sqlite3 *crash_copy(struct fixture *fx)
{
	char from[128], to[128];
	sqlite3 *db = NULL;

	snprintf(to, sizeof(to), "%s/copy.db", fx->dir);
	test_remove_db(to);
	copy_file(fx->path, to);
	snprintf(from, sizeof(from), "%s-wal", fx->path);
	snprintf(to, sizeof(to), "%s/copy.db-wal", fx->dir);
	copy_file(from, to);
	snprintf(to, sizeof(to), "%s/copy.db", fx->dir);
	assert_int_equal(sqlite3_open_v2(to, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	return db;
}

/* A second connection through the default VFS, as another process reads. */
static sqlite3 *reader(struct fixture *fx)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open_v2(fx->path, &db, SQLITE_OPEN_READONLY, NULL),
			 SQLITE_OK);
	return db;
}

/* What rows 1..n with values of `size` bytes sum to, as check() reads them. */
static void expect(sqlite3 *db, int64_t n, int64_t size)
{
	assert_int_equal(query_int(db, "SELECT count(*) FROM t"), n);
	assert_int_equal(query_int(db, "SELECT coalesce(sum(a), 0) FROM t"), n * (n + 1) / 2);
	assert_int_equal(query_int(db, "SELECT coalesce(sum(length(b)), 0) FROM t"), n * size);
}

static void integrity_ok(sqlite3 *db)
{
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
}

static void start(struct fixture *fx)
{
	exec_ok(fx->db, "PRAGMA journal_mode = WAL");
	exec_ok(fx->db, "PRAGMA synchronous = NORMAL");
	exec_ok(fx->db, "CREATE TABLE t (a INTEGER PRIMARY KEY, b BLOB)");
}

/* Checks that a reader and a crash copy both see rows 1..n of `size` bytes. */
static void check_rows(struct fixture *fx, int64_t n, int64_t size)
{
	sqlite3 *db;

	db = reader(fx);
	expect(db, n, size);
	sqlite3_close(db);
	db = crash_copy(fx);
	integrity_ok(db);
	expect(db, n, size);
	sqlite3_close(db);
}

/* Inserts rows from+1 .. to of `size` bytes in one transaction; check_rows(). */
static void commit_rows(struct fixture *fx, int64_t from, int64_t to, int64_t size)
{
	char sql[160];

	snprintf(sql, sizeof(sql),
		 "WITH RECURSIVE n(i) AS (SELECT %" PRId64 " UNION ALL SELECT i + 1 FROM n "
		 "WHERE i < %" PRId64 ") INSERT INTO t SELECT i, zeroblob(%" PRId64 ") FROM n",
		 from + 1, to, size);
	exec_ok(fx->db, sql);
	check_rows(fx, to, size);
}

/* Commits of one to a few frames, one after the other. */
static void test_small_commits(void **state)
{
	struct fixture *fx = *state;
	int64_t i;

	start(fx);
	for (i = 0; i < 20; i++)
		commit_rows(fx, i, i + 1, 100);
}

/* A commit of about 2 MB: many times the buffer, written in pieces. */
static void test_large_commit(void **state)
{
	struct fixture *fx = *state;

	start(fx);
	commit_rows(fx, 0, 500, 4000);
	commit_rows(fx, 500, 501, 4000);
}

/*
 * Runs the statements of sql in one transaction with a cache of two pages,
 * so that frames spill to the log before it ends with `end`.
 */
static void spilled(struct fixture *fx, const char *const *sql, size_t n, const char *end)
{
	size_t i;

	exec_ok(fx->db, "PRAGMA cache_size = 2");
	exec_ok(fx->db, "BEGIN");
	for (i = 0; i < n; i++)
		exec_ok(fx->db, sql[i]);
	exec_ok(fx->db, end);
}

/*
 * Frames spill before the commit, and the commit then writes some pages
 * again in place and rewrites the checksums after them.
 */
static void test_rewritten_frames(void **state)
{
	static const char *const sql[] = {
		"UPDATE t SET b = zeroblob(301) WHERE a % 2 = 0",
		"UPDATE t SET b = zeroblob(300) WHERE a % 2 = 0",
		"INSERT INTO t VALUES (51, zeroblob(300))",
		"UPDATE t SET b = zeroblob(300) WHERE a % 3 = 0",
	};
	struct fixture *fx = *state;

	start(fx);
	commit_rows(fx, 0, 50, 300);
	spilled(fx, sql, ARRAY_SIZE(sql), "COMMIT");
	check_rows(fx, 51, 300);
}

/* Checkpoints every few pages: the log starts again from its header often. */
static void test_restarts(void **state)
{
	struct fixture *fx = *state;
	int64_t i;

	start(fx);
	exec_ok(fx->db, "PRAGMA wal_autocheckpoint = 4");
	for (i = 0; i < 40; i++)
		commit_rows(fx, i * 3, i * 3 + 3, 2000);
	assert_true(query_int(fx->db, "PRAGMA page_count") > 10);
}

/*
 * A transaction that spilled frames to the log and was rolled back: the
 * next commit writes over them, and what was committed stays.
 */
static void test_rollback(void **state)
{
	static const char *const sql[] = {
		"INSERT INTO t SELECT a + 100, zeroblob(3000) FROM t",
		"INSERT INTO t SELECT a + 1000, b FROM t",
	};
	struct fixture *fx = *state;

	start(fx);
	commit_rows(fx, 0, 10, 500);
	spilled(fx, sql, ARRAY_SIZE(sql), "ROLLBACK");
	assert_int_not_equal(sqlite3_exec(fx->db, "INSERT INTO t VALUES (1, x'00')", NULL, NULL,
					  NULL), SQLITE_OK);
	check_rows(fx, 10, 500);
	commit_rows(fx, 10, 11, 500);
}

/* Another connection's commits come between ours in the same log. */
static void test_other_writer(void **state)
{
	struct fixture *fx = *state;
	sqlite3 *other = NULL;
	int64_t i;

	start(fx);
	assert_int_equal(sqlite3_open_v2(fx->path, &other, SQLITE_OPEN_READWRITE, NULL),
			 SQLITE_OK);
	exec_ok(other, "PRAGMA synchronous = NORMAL");
	for (i = 0; i < 10; i++) {
		char sql[96];

		commit_rows(fx, i * 2, i * 2 + 1, 700);
		snprintf(sql, sizeof(sql), "INSERT INTO t VALUES (%" PRId64 ", zeroblob(700))",
			 i * 2 + 2);
		exec_ok(other, sql);
	}
	sqlite3_close(other);
	commit_rows(fx, 20, 21, 700);
}

#define WALBUF_TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		WALBUF_TEST(test_small_commits),
		WALBUF_TEST(test_large_commit),
		WALBUF_TEST(test_rewritten_frames),
		WALBUF_TEST(test_restarts),
		WALBUF_TEST(test_rollback),
		WALBUF_TEST(test_other_writer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

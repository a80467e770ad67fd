/*
 * backup.c - online backup, restore and the server lock (backup.h).
 *
 * These work on files, not on an open struct store: a backup is taken by
 * another process than the server, and a restore runs when no server does.
 * SQLite's messages name files and tables, never stored values, so they
 * may be logged.
 */
#include "base/compat.h"
#include "store/backup.h"
#include "base/log.h"
#include "store/store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <sqlite3.h>

/* How long a backup waits for a moment when the source is not locked. */
#define BACKUP_BUSY_MS 5000

static int status_of(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
		return VG_OK;
	case SQLITE_NOMEM:
		return VG_NOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return VG_BUSY;
	case SQLITE_CANTOPEN:
		return VG_NOTFOUND;
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_READONLY:
	case SQLITE_PERM:
		return VG_IO;
	default:
		return VG_DB;
	}
}

static int lock_path(const char *db_path, char *out, size_t size)
{
	int n = snprintf(out, size, "%s.lock", db_path);

	return n < 0 || (size_t)n >= size ? VG_TOOBIG : VG_OK;
}

int store_lock_take(const char *db_path, int exclusive, int *fd)
{
	char path[PATH_MAX];
	int rc, lfd;

	rc = lock_path(db_path, path, sizeof(path));
	if (rc)
		return rc;
	lfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lfd < 0) {
		log_error("store: cannot open %s: %s", path, strerror(errno));
		return VG_IO;
	}
	if (flock(lfd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB)) {
		rc = errno == EWOULDBLOCK ? VG_BUSY : VG_IO;
		close(lfd);
		return rc;
	}
	*fd = lfd;
	return VG_OK;
}

void store_lock_release(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* Opens an existing database without creating one. */
static int open_existing(const char *path, int flags, sqlite3 **out)
{
	sqlite3 *db = NULL;
	int rc;

	rc = sqlite3_open_v2(path, &db, flags, NULL);
	if (rc != SQLITE_OK) {
		log_error("store: cannot open %s: %s", path,
			  db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		return status_of(rc);
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, BACKUP_BUSY_MS);
	*out = db;
	return VG_OK;
}

/* The first value of a one-row query as text into out. */
static int query_text(sqlite3 *db, const char *sql, char *out, size_t size)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *v;
	int rc;

	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		log_error("store: %s: %s", sql, sqlite3_errmsg(db));
		rc = status_of(rc == SQLITE_DONE ? SQLITE_CORRUPT : rc);
		goto out;
	}
	v = sqlite3_column_text(st, 0);
	snprintf(out, size, "%s", v ? (const char *)v : "");
	rc = VG_OK;
out:
	sqlite3_finalize(st);
	return rc;
}

static int check_integrity(sqlite3 *db, const char *path)
{
	char result[256];
	int rc = query_text(db, "PRAGMA integrity_check(1)", result, sizeof(result));

	if (rc)
		return rc == VG_NOMEM ? rc : VG_DB;
	if (strcmp(result, "ok")) {
		log_error("store: %s is damaged: %s", path, result);
		return VG_DB;
	}
	return VG_OK;
}

/* Copies every page of src's main database into dst's in one step. */
static int copy_pages(sqlite3 *src, sqlite3 *dst)
{
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
	int rc;

	if (!b) {
		log_error("store: backup: %s", sqlite3_errmsg(dst));
		return status_of(sqlite3_errcode(dst));
	}
	/*
	 * One step reads all pages in one read transaction, a consistent
	 * snapshot; in WAL mode the server's writers go on meanwhile.
	 */
	rc = sqlite3_backup_step(b, -1);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		log_error("store: backup: %s", sqlite3_errstr(rc));
		return status_of(rc);
	}
	return status_of(sqlite3_errcode(dst));
}

/* Creates path, mode 0600, failing when it exists. */
static int create_new(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0) {
		if (errno == EEXIST)
			return VG_EXISTS;
		log_error("store: cannot create %s: %s", path, strerror(errno));
		return VG_IO;
	}
	close(fd);
	return VG_OK;
}

/*
 * Copies the database src (open) into the new file dest as a rollback
 * journal database, checked; dest is removed on failure.
 */
static int copy_to(sqlite3 *src, const char *dest)
{
	sqlite3 *dst = NULL;
	char mode[16];
	int rc;

	rc = create_new(dest);
	if (rc)
		return rc;
	rc = open_existing(dest, SQLITE_OPEN_READWRITE, &dst);
	if (!rc)
		rc = copy_pages(src, dst);
	/* The copy is one file: it takes no WAL along wherever it goes. */
	if (!rc)
		rc = query_text(dst, "PRAGMA journal_mode = DELETE", mode, sizeof(mode));
	if (!rc && strcmp(mode, "delete"))
		rc = VG_DB;
	if (!rc)
		rc = check_integrity(dst, dest);
	if (dst && sqlite3_close(dst) != SQLITE_OK && !rc)
		rc = VG_IO;
	if (rc)
		unlink(dest);
	return rc;
}

int store_backup(const char *db_path, const char *dest)
{
	sqlite3 *src = NULL;
	int rc;

	assert(db_path && dest);
	rc = open_existing(db_path, SQLITE_OPEN_READWRITE, &src);
	if (!rc)
		rc = copy_to(src, dest);
	sqlite3_close(src);
	return rc;
}

int store_check_file(const char *path, int64_t *version)
{
	sqlite3 *db = NULL;
	char v[32];
	char *end;
	long long n;
	int rc;

	assert(path && version);
	if (access(path, F_OK))
		return VG_NOTFOUND;
	rc = open_existing(path, SQLITE_OPEN_READONLY, &db);
	if (!rc)
		rc = check_integrity(db, path);
	if (!rc &&
	    query_text(db, "SELECT coalesce(max(version), 0) FROM schema_migrations", v, sizeof(v))) {
		log_error("store: %s is not a vigil database", path);
		rc = VG_DB;
	}
	if (rc)
		goto out;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || *end || n < 1) {
		log_error("store: %s has no schema version", path);
		rc = VG_DB;
	} else if (n > store_schema_newest()) {
		log_error("store: %s has schema version %lld, newer than this vigil's %" PRId64,
			  path, n, store_schema_newest());
		rc = VG_INVAL;
	} else {
		*version = n;
	}
out:
	sqlite3_close(db);
	return rc;
}

/* Makes a rename in dir permanent. */
static int sync_dir(const char *file)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(file, '/');
	size_t n = slash ? (size_t)(slash - file) : 0;
	int fd, rc = VG_OK;

	if (n >= sizeof(dir))
		return VG_TOOBIG;
	if (slash && n == 0)
		n = 1;
	if (slash)
		memcpy(dir, file, n);
	else
		dir[n++] = '.';
	dir[n] = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd))
		rc = VG_IO;
	if (fd >= 0)
		close(fd);
	return rc;
}

static int unlink_beside(const char *db_path, const char *suffix)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s%s", db_path, suffix);

	if (n < 0 || (size_t)n >= sizeof(path))
		return VG_TOOBIG;
	if (unlink(path) && errno != ENOENT) {
		log_error("store: cannot remove %s: %s", path, strerror(errno));
		return VG_IO;
	}
	return VG_OK;
}

int store_restore(const char *src, const char *db_path)
{
	char tmp[PATH_MAX];
	sqlite3 *from = NULL;
	int64_t version;
	int rc, n;

	assert(src && db_path);
	n = snprintf(tmp, sizeof(tmp), "%s.restoring", db_path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return VG_TOOBIG;
	rc = store_check_file(src, &version);
	if (rc)
		return rc;
	/* What an interrupted restore left behind is of no use. */
	rc = unlink_beside(db_path, ".restoring");
	if (!rc)
		rc = open_existing(src, SQLITE_OPEN_READONLY, &from);
	if (!rc)
		rc = copy_to(from, tmp);
	sqlite3_close(from);
	if (!rc)
		rc = unlink_beside(db_path, "-wal");
	if (!rc)
		rc = unlink_beside(db_path, "-shm");
	if (!rc && rename(tmp, db_path)) {
		log_error("store: cannot rename %s to %s: %s", tmp, db_path, strerror(errno));
		rc = VG_IO;
	}
	if (!rc)
		rc = sync_dir(db_path);
	if (rc)
		unlink(tmp);
	else
		log_info("store: restored %s (schema version %" PRId64 ") to %s", src, version,
			 db_path);
	return rc;
}

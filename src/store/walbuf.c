/*
 * walbuf.c - a commit's frames written to the write-ahead log with one
 * system call (walbuf.h).
 */
#include "base/compat.h"
#include "store/walbuf.h"

#include <pthread.h>

#include <sqlite3.h>

#define WALBUF_NAME "vigil-walbuf"
/*
 * A tip's commit is about 90 KB. The default VFS (os_unix.c) writes at most
 * 128 KiB - 1 bytes in one call and takes a longer write as a full disk, so
 * the buffer stays below that.
 */
#define WALBUF_MAX (120 * 1024)
/* The log's header; a frame's: page number, database size (0 but in a commit frame), ... */
#define WAL_HEADER 32
#define FRAME_HEADER 24

struct wal_file {
	sqlite3_file base;      /* its methods: wal_methods */
	sqlite3_file *real;     /* the default VFS's file, in the memory after this */
	unsigned char *buf;     /* WALBUF_MAX bytes, or NULL until first needed */
	size_t len;             /* bytes gathered in buf */
	sqlite3_int64 at;       /* the file offset of buf[0] */
	sqlite3_int64 next;     /* just past the last write, or -1 before the first */
	int header;             /* the last write was a frame header, gathered */
	int commit;             /* the last write was a commit frame's header */
};

/* The real file after ours, aligned as the default VFS's files are. */
#define WAL_FILE_SIZE ((sizeof(struct wal_file) + 15) & ~(size_t)15)

static sqlite3_vfs walbuf_vfs;
static sqlite3_vfs *real_vfs;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int registered = VG_INTERNAL;

/* Writes what is gathered; the caller returns any error as its own. */
static int flush(struct wal_file *w)
{
	int rc;

	if (!w->len)
		return SQLITE_OK;
	rc = w->real->pMethods->xWrite(w->real, w->buf, (int)w->len, w->at);
	w->len = 0;
	return rc;
}

static int wal_close(sqlite3_file *f)
{
	struct wal_file *w = (struct wal_file *)f;
	int rc = flush(w);
	int crc = w->real->pMethods->xClose(w->real);

	free(w->buf);
	w->buf = NULL;
	return rc != SQLITE_OK ? rc : crc;
}

static int wal_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
	struct wal_file *w = (struct wal_file *)f;
	int rc = flush(w);

	return rc != SQLITE_OK ? rc : w->real->pMethods->xRead(w->real, p, n, off);
}

/*
 * Whether the write can wait in the buffer (made if need be). Only the
 * writes of wal.c's frames as SQLite 3 makes them are gathered: the log's
 * header at offset 0, a frame's 24-byte header right after the last write,
 * and the page right after a gathered header. Anything else is written at
 * once: a header elsewhere is a rewrite in place (SQLite's checksum repair,
 * which comes after the commit frame, so it must not wait) or the first
 * frame after a rolled-back or another connection's frames, and a page
 * elsewhere is one written again in place. So a commit frame's page is
 * either gathered after its header, and then written at once with the
 * rest, or written at once itself.
 */
static int can_gather(struct wal_file *w, int n, sqlite3_int64 off, int header, int page)
{
	int follows = w->next < 0 || off == w->next;

	if (!((off == 0 && n == WAL_HEADER) || (header && follows) || page))
		return 0;
	if ((size_t)n > WALBUF_MAX)
		return 0;
	if (!w->buf)
		w->buf = malloc(WALBUF_MAX);
	return w->buf != NULL;
}

static int wal_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	struct wal_file *w = (struct wal_file *)f;
	const unsigned char *b = p;
	int header = n == FRAME_HEADER;
	/* The page of the frame whose header was gathered last. */
	int page = !header && w->header && off == w->next;
	int commit_page = page && w->commit;
	int rc;

	assert(n >= 0);
	w->commit = header && (b[4] | b[5] | b[6] | b[7]);
	w->header = 0;
	if (w->len && (off != w->at + (sqlite3_int64)w->len ||
		       w->len + (size_t)n > WALBUF_MAX)) {
		rc = flush(w);
		if (rc != SQLITE_OK)
			return rc;
	}
	if (!can_gather(w, n, off, header, page)) {
		rc = flush(w);
		if (rc == SQLITE_OK)
			rc = w->real->pMethods->xWrite(w->real, p, n, off);
		w->next = off + n;
		return rc;
	}
	if (!w->len)
		w->at = off;
	memcpy(w->buf + w->len, p, (size_t)n);
	w->len += (size_t)n;
	w->next = off + n;
	w->header = header;
	return commit_page ? flush(w) : SQLITE_OK;
}

static int wal_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	struct wal_file *w = (struct wal_file *)f;
	int rc = flush(w);

	return rc != SQLITE_OK ? rc : w->real->pMethods->xTruncate(w->real, size);
}

static int wal_sync(sqlite3_file *f, int flags)
{
	struct wal_file *w = (struct wal_file *)f;
	int rc = flush(w);

	return rc != SQLITE_OK ? rc : w->real->pMethods->xSync(w->real, flags);
}

static int wal_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	struct wal_file *w = (struct wal_file *)f;
	int rc = flush(w);

	return rc != SQLITE_OK ? rc : w->real->pMethods->xFileSize(w->real, size);
}

static int wal_lock(sqlite3_file *f, int level)
{
	struct wal_file *w = (struct wal_file *)f;

	return w->real->pMethods->xLock(w->real, level);
}

static int wal_unlock(sqlite3_file *f, int level)
{
	struct wal_file *w = (struct wal_file *)f;

	return w->real->pMethods->xUnlock(w->real, level);
}

static int wal_check_reserved(sqlite3_file *f, int *out)
{
	struct wal_file *w = (struct wal_file *)f;

	return w->real->pMethods->xCheckReservedLock(w->real, out);
}

static int wal_file_control(sqlite3_file *f, int op, void *arg)
{
	struct wal_file *w = (struct wal_file *)f;
	int rc = flush(w);

	return rc != SQLITE_OK ? rc : w->real->pMethods->xFileControl(w->real, op, arg);
}

static int wal_sector_size(sqlite3_file *f)
{
	struct wal_file *w = (struct wal_file *)f;

	return w->real->pMethods->xSectorSize(w->real);
}

static int wal_device(sqlite3_file *f)
{
	struct wal_file *w = (struct wal_file *)f;

	return w->real->pMethods->xDeviceCharacteristics(w->real);
}

/*
 * Version 1: SQLite maps shared memory and pages only through the main
 * database file, never through its -wal file.
 */
static const sqlite3_io_methods wal_methods = {
	.iVersion = 1,
	.xClose = wal_close,
	.xRead = wal_read,
	.xWrite = wal_write,
	.xTruncate = wal_truncate,
	.xSync = wal_sync,
	.xFileSize = wal_file_size,
	.xLock = wal_lock,
	.xUnlock = wal_unlock,
	.xCheckReservedLock = wal_check_reserved,
	.xFileControl = wal_file_control,
	.xSectorSize = wal_sector_size,
	.xDeviceCharacteristics = wal_device,
};

/* Every file but a -wal file is the default VFS's own, unwrapped. */
static int vfs_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *f,
		    int flags, int *out_flags)
{
	struct wal_file *w = (struct wal_file *)f;
	int rc;

	(void)vfs;
	if (!(flags & SQLITE_OPEN_WAL))
		return real_vfs->xOpen(real_vfs, name, f, flags, out_flags);
	memset(w, 0, sizeof(*w));
	w->real = (sqlite3_file *)((char *)w + WAL_FILE_SIZE);
	memset(w->real, 0, (size_t)real_vfs->szOsFile);
	rc = real_vfs->xOpen(real_vfs, name, w->real, flags, out_flags);
	if (rc != SQLITE_OK) {
		if (w->real->pMethods)
			w->real->pMethods->xClose(w->real);
		return rc;
	}
	w->next = -1;
	w->base.pMethods = &wal_methods;
	return SQLITE_OK;
}

/* The other methods are the default VFS's, called with its own object. */
static int vfs_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
	(void)vfs;
	return real_vfs->xDelete(real_vfs, name, sync_dir);
}

static int vfs_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	(void)vfs;
	return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int vfs_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void)vfs;
	return real_vfs->xFullPathname(real_vfs, name, n, out);
}

static int vfs_randomness(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return real_vfs->xRandomness(real_vfs, n, out);
}

static int vfs_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	return real_vfs->xSleep(real_vfs, us);
}

static int vfs_current_time(sqlite3_vfs *vfs, double *out)
{
	(void)vfs;
	return real_vfs->xCurrentTime(real_vfs, out);
}

static int vfs_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return real_vfs->xGetLastError(real_vfs, n, out);
}

static int vfs_current_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	(void)vfs;
	return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

static void register_once(void)
{
	real_vfs = sqlite3_vfs_find(NULL);
	if (!real_vfs || real_vfs->iVersion < 2) {
		registered = VG_DB;
		return;
	}
	/* Extensions are not loaded: no xDlOpen and friends. */
	walbuf_vfs = (sqlite3_vfs){
		.iVersion = 2,
		.szOsFile = (int)WAL_FILE_SIZE + real_vfs->szOsFile,
		.mxPathname = real_vfs->mxPathname,
		.zName = WALBUF_NAME,
		.xOpen = vfs_open,
		.xDelete = vfs_delete,
		.xAccess = vfs_access,
		.xFullPathname = vfs_full_pathname,
		.xRandomness = vfs_randomness,
		.xSleep = vfs_sleep,
		.xCurrentTime = vfs_current_time,
		.xGetLastError = vfs_last_error,
		.xCurrentTimeInt64 = vfs_current_time64,
	};
	switch (sqlite3_vfs_register(&walbuf_vfs, 0)) {
	case SQLITE_OK:
		registered = VG_OK;
		break;
	case SQLITE_NOMEM:
		registered = VG_NOMEM;
		break;
	default:
		registered = VG_DB;
		break;
	}
}

int walbuf_register(const char **name)
{
	pthread_once(&once, register_once);
	if (registered)
		return registered;
	*name = WALBUF_NAME;
	return VG_OK;
}

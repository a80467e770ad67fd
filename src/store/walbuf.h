/*
 * walbuf.h - internal to src/store/: a commit's frames written to the
 * write-ahead log with one system call.
 *
 * SQLite writes each frame of the -wal file with two pwrite() calls, its
 * 24-byte header and then the page, and a new tip's commit is about twenty
 * frames: forty system calls, each of which also locks, reads and dirties a
 * page of the kernel's cache (BENCHMARKS.md, "Intake"). SQLite has no option
 * to gather them, so the store opens its database through a VFS of its own,
 * "vigil-walbuf", that is the default VFS except for -wal files: writes that
 * follow one another there are gathered in a buffer and written with one
 * call.
 *
 * What SQLite and other readers see is unchanged:
 * - the gathered bytes are written before any other operation on the file
 *   (read, sync, truncate, size, file control, close) and before a write
 *   that does not follow them, so the file reads as SQLite wrote it;
 * - a commit's frames are written as soon as the page of its commit frame
 *   (the frame whose header holds a database size) is given, inside that
 *   xWrite, so a failure is the commit's own error, and the frames are in
 *   the file before SQLite publishes the commit in the wal-index, where
 *   other connections and processes look for it;
 * - a frame header rewritten in place (SQLite's checksum repair after a
 *   page was written twice in one transaction) is written at once;
 * - syncs are SQLite's own (and walsync.h's), on the same bytes.
 * Frames of a transaction not yet committed may wait in the buffer: nobody
 * reads them but the writer, whose reads write them first, and a crash
 * loses them as it loses the transaction.
 */
#ifndef VIGIL_STORE_WALBUF_H
#define VIGIL_STORE_WALBUF_H

/*
 * Registers the VFS (once per process; later calls only return its name)
 * and sets *name to pass to sqlite3_open_v2(). VG_NOMEM, VG_DB when there is
 * no default VFS to wrap, or VG_OK.
 */
int walbuf_register(const char **name);

#endif

/*
 * backup.h - copies of the database, taken while the server runs, put back
 * while it does not; and the lock that tells the two cases apart.
 *
 * A backup is one self-contained SQLite file (no WAL beside it) made with
 * SQLite's online backup API from a consistent snapshot: the server goes on
 * writing meanwhile. It holds what the database holds, so sealed fields stay
 * sealed; the key file is not in it and must be kept separately.
 *
 * The server holds a shared lock on "<database>.lock" for as long as it runs
 * (several server processes may share one database); a restore takes it
 * exclusively, so it cannot replace the database under a running server.
 */
#ifndef VIGIL_STORE_BACKUP_H
#define VIGIL_STORE_BACKUP_H

#include <stdint.h>

/*
 * Takes the lock of the database at db_path: shared for a server, exclusive
 * for a restore, never waiting. *fd is set only on success and is released
 * with store_lock_release(). VG_BUSY when the other kind is held, VG_IO when
 * the lock file cannot be opened.
 */
int store_lock_take(const char *db_path, int exclusive, int *fd);
void store_lock_release(int fd);

/*
 * Copies the database at db_path into the new file dest (mode 0600; an
 * existing dest is refused with VG_EXISTS) and checks the copy's integrity.
 * On failure dest is removed. VG_NOTFOUND when there is no database,
 * VG_IO when dest cannot be written, VG_DB when the copy is not intact.
 */
int store_backup(const char *db_path, const char *dest);

/*
 * Checks that path is an intact vigil database this build can open:
 * `PRAGMA integrity_check` says ok and its schema version is between 1 and
 * store_schema_newest(). *version is set only on success. VG_NOTFOUND when
 * there is no such file, VG_DB when it is damaged or not a vigil database,
 * VG_INVAL when it is newer than this build.
 */
int store_check_file(const char *path, int64_t *version);

/*
 * Replaces the database at db_path with the backup src, after
 * store_check_file(src). The caller holds the exclusive lock. The copy is
 * written beside db_path and renamed over it, so a crash leaves the old
 * database or the new one, never a mixture; the old WAL goes first, so it
 * can never be applied to the new file.
 */
int store_restore(const char *src, const char *db_path);

#endif

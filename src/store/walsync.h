/*
 * walsync.h - internal to src/store/: group commit for the write-ahead log.
 *
 * A commit made with synchronous = NORMAL has written its frames to the
 * -wal file without waiting for the disk. walsync_wait() returns once an
 * fdatasync() of that file that began after the commit has finished, so the
 * commit is then as durable as one made with synchronous = FULL. Threads that
 * commit while one fdatasync() runs are covered together by the next one:
 * the disk's flush is shared, and it happens outside the store's lock, so
 * the next writers are not held up by it.
 *
 * The file is synced by inode through a descriptor of our own; fdatasync()
 * flushes an inode's data whichever descriptor names it. It is reopened when
 * the -wal file is not the one it names any more (the last connection of
 * another process deleted and recreated it).
 */
#ifndef VIGIL_STORE_WALSYNC_H
#define VIGIL_STORE_WALSYNC_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct walsync {
	pthread_mutex_t lock;
	pthread_cond_t done;
	uint64_t committed;     /* commits counted by walsync_ticket() */
	uint64_t synced;        /* every commit up to this one is on disk */
	bool syncing;           /* a thread is in fdatasync() for the others */
	int fd;                 /* the -wal file, or -1 until first needed */
	dev_t dev;
	ino_t ino;
	char *path;             /* "<database>-wal" */
};

/* VG_NOMEM or VG_OK; nothing is opened yet. */
int walsync_init(struct walsync *w, const char *db_path);
void walsync_release(struct walsync *w);
/* Call right after a commit, before anything else commits: its ticket. */
uint64_t walsync_ticket(struct walsync *w);
/*
 * Waits until the commit of `ticket` is on disk: VG_OK, or VG_READONLY when
 * the file could not be opened or synced (the commit may then be lost in a
 * crash, and the caller must not say it was kept).
 */
int walsync_wait(struct walsync *w, uint64_t ticket);

#endif

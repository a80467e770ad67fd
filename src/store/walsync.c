/*
 * walsync.c - group commit for the write-ahead log (walsync.h).
 */
#include "base/compat.h"
#include "store/walsync.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"

int walsync_init(struct walsync *w, const char *db_path)
{
	size_t n = strlen(db_path) + sizeof("-wal");

	memset(w, 0, sizeof(*w));
	w->fd = -1;
	w->path = malloc(n);
	if (!w->path)
		return VG_NOMEM;
	snprintf(w->path, n, "%s-wal", db_path);
	if (pthread_mutex_init(&w->lock, NULL))
		goto fail;
	if (pthread_cond_init(&w->done, NULL)) {
		pthread_mutex_destroy(&w->lock);
		goto fail;
	}
	return VG_OK;
fail:
	free(w->path);
	w->path = NULL;
	return VG_NOMEM;
}

void walsync_release(struct walsync *w)
{
	if (!w->path)
		return;
	if (w->fd >= 0)
		close(w->fd);
	pthread_cond_destroy(&w->done);
	pthread_mutex_destroy(&w->lock);
	free(w->path);
	w->path = NULL;
}

uint64_t walsync_ticket(struct walsync *w)
{
	uint64_t t;

	pthread_mutex_lock(&w->lock);
	t = ++w->committed;
	pthread_mutex_unlock(&w->lock);
	return t;
}

/*
 * Syncs the -wal file as it is on disk now, reopening it if it was replaced.
 * Only the thread that set `syncing` calls this, so fd needs no lock.
 */
static int sync_file(struct walsync *w)
{
	struct stat now;

	if (stat(w->path, &now))
		goto fail;
	if (w->fd >= 0 && (now.st_dev != w->dev || now.st_ino != w->ino)) {
		close(w->fd);
		w->fd = -1;
	}
	if (w->fd < 0) {
		struct stat opened;

		w->fd = open(w->path, O_RDONLY | O_CLOEXEC);
		if (w->fd < 0)
			goto fail;
		if (fstat(w->fd, &opened)) {
			close(w->fd);
			w->fd = -1;
			goto fail;
		}
		w->dev = opened.st_dev;
		w->ino = opened.st_ino;
	}
	if (fdatasync(w->fd))
		goto fail;
	return VG_OK;
fail:
	log_error("store: cannot sync %s: %s", w->path, strerror(errno));
	return VG_READONLY;
}

int walsync_wait(struct walsync *w, uint64_t ticket)
{
	int rc = VG_OK;

	pthread_mutex_lock(&w->lock);
	while (w->synced < ticket) {
		uint64_t target;

		if (w->syncing) {
			pthread_cond_wait(&w->done, &w->lock);
			continue;
		}
		/* This thread syncs for every commit counted so far. */
		w->syncing = true;
		target = w->committed;
		pthread_mutex_unlock(&w->lock);
		rc = sync_file(w);
		pthread_mutex_lock(&w->lock);
		w->syncing = false;
		if (!rc && target > w->synced)
			w->synced = target;
		pthread_cond_broadcast(&w->done);
		if (rc)
			break;
	}
	pthread_mutex_unlock(&w->lock);
	return rc;
}

/*
 * retention.h - closed cases are deleted after a configurable period
 * ([retention] closed_days in vigil.conf), with everything they hold: their
 * tips and the tips' messages, referrals and entities, persons, locations,
 * history, notes, tasks and agenda items. A case merged into a purged one
 * goes in the same run (what stayed with it at the merge belongs to the
 * purged case), and so on down a chain of merges.
 *
 * The database runs with secure_delete, so freed pages are zeroed, and a
 * purge ends with a checkpoint that truncates the write-ahead log, so the
 * deleted values leave the files. Each purged case is recorded in the
 * audit log as the system ("case_purge", the case id, the counts), never
 * with any of its content.
 */
#ifndef VIGIL_RETENTION_H
#define VIGIL_RETENTION_H

#include "app/app.h"
#include "store/work.h"

/* Cases purged in one store call; a purge runs batches until none are left. */
#define RETENTION_BATCH 100

struct retention_report {
	int64_t cases;
	struct purge_counts total;
};

/*
 * Purges every case closed at least `days` days before now, then every case
 * merged into one purged, each with its own audit entry (the server
 * passes cfg.retention_closed_days; `vigil purge --days` may pass another,
 * 0 included). VG_OK with *report filled, also when nothing was due; on a
 * failure *report still counts the cases purged before it, which stay
 * purged.
 */
int retention_purge(struct app *app, int64_t now, int64_t days,
		    struct retention_report *report);

/* The server's daily purge: a thread that runs retention_purge() at start
 * and then every RETENTION_PERIOD seconds until retention_stop(). */
#define RETENTION_PERIOD 86400

struct retention_daily;

int retention_start(struct app *app, struct retention_daily **out);
/* Wakes the thread, waits for it to finish and frees it; NULL is a no-op. */
void retention_stop(struct retention_daily *d);

#endif

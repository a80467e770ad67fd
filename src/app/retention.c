/*
 * retention.c - the purge of closed cases, and of the cases merged into
 * them, and the server's daily run of it (retention.h).
 */
#include "base/compat.h"
#include "app/retention.h"
#include "base/clock.h"
#include "base/log.h"

#include <pthread.h>
#include <time.h>

static void add_counts(struct purge_counts *a, const struct purge_counts *b)
{
	a->tips += b->tips;
	a->messages += b->messages;
	a->referrals += b->referrals;
	a->persons += b->persons;
	a->locations += b->locations;
	a->notes += b->notes;
	a->tasks += b->tasks;
	a->entities += b->entities;
}

int retention_purge(struct app *app, int64_t now, int64_t days,
		    struct retention_report *report)
{
	int64_t before = now - days * 86400;
	struct retention_report r = {0};
	char **ids = NULL;
	size_t n = 0, i;
	int64_t pass;
	int rc;

	/*
	 * Purging a case empties the merged_into of the cases merged into it,
	 * which makes them due (store_purge_candidates()): another pass takes
	 * them, and their own merged cases the pass after, until one purges
	 * nothing. Each pass purges a case or meets fewer than a batch.
	 */
	do {
		pass = r.cases;
		rc = store_purge_candidates(app->store, before, RETENTION_BATCH, &ids, &n);
		if (rc)
			break;
		for (i = 0; i < n; i++) {
			struct purge_counts c;
			char detail[256];
			int one = store_case_purge(app->store, ids[i], before, &c);

			/* Reopened since the list was read: not due any more. */
			if (one == VG_NOTFOUND)
				continue;
			if (one) {
				rc = one;
				continue;
			}
			snprintf(detail, sizeof(detail), "tips=%" PRId64 " messages=%" PRId64
				 " referrals=%" PRId64 " persons=%" PRId64 " locations=%" PRId64
				 " notes=%" PRId64 " tasks=%" PRId64 " entities=%" PRId64,
				 c.tips, c.messages, c.referrals, c.persons, c.locations, c.notes,
				 c.tasks, c.entities);
			app_audit(app, 0, "case_purge", ids[i], detail);
			add_counts(&r.total, &c);
			r.cases++;
		}
		for (i = 0; i < n; i++)
			free(ids[i]);
		free(ids);
		ids = NULL;
	} while (!rc && (n == RETENTION_BATCH || r.cases > pass));
	if (r.cases) {
		int cp = store_checkpoint(app->store);

		/* The zeroed pages still reach the main file at a later checkpoint. */
		if (cp == VG_BUSY)
			log_warn("retention: the database was busy; the purged pages are "
				 "overwritten at the next checkpoint");
		else if (!rc)
			rc = cp;
	}
	*report = r;
	return rc;
}

struct retention_daily {
	struct app *app;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;  /* on the monotonic clock */
	int stop;
};

static void run_once(struct app *app)
{
	struct retention_report r;
	int rc = retention_purge(app, clock_now(), app->cfg.retention_closed_days, &r);

	if (rc)
		log_error("retention: the purge failed: %s", vg_strerror(rc));
	else if (r.cases)
		log_info("retention: purged %" PRId64 " cases", r.cases);
}

static void *daily(void *arg)
{
	struct retention_daily *d = arg;
	struct timespec until;

	pthread_mutex_lock(&d->lock);
	while (!d->stop) {
		pthread_mutex_unlock(&d->lock);
		run_once(d->app);
		pthread_mutex_lock(&d->lock);
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += RETENTION_PERIOD;
		while (!d->stop && pthread_cond_timedwait(&d->wake, &d->lock, &until) == 0)
			;
	}
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

int retention_start(struct app *app, struct retention_daily **out)
{
	struct retention_daily *d = calloc(1, sizeof(*d));
	pthread_condattr_t attr;
	int rc;

	if (!d)
		return VG_NOMEM;
	d->app = app;
	pthread_mutex_init(&d->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&d->wake, &attr);
	pthread_condattr_destroy(&attr);
	rc = pthread_create(&d->thread, NULL, daily, d);
	if (rc) {
		pthread_cond_destroy(&d->wake);
		pthread_mutex_destroy(&d->lock);
		free(d);
		return VG_NOMEM;
	}
	*out = d;
	return VG_OK;
}

void retention_stop(struct retention_daily *d)
{
	if (!d)
		return;
	pthread_mutex_lock(&d->lock);
	d->stop = 1;
	pthread_cond_signal(&d->wake);
	pthread_mutex_unlock(&d->lock);
	pthread_join(d->thread, NULL);
	pthread_cond_destroy(&d->wake);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

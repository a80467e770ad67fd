/*
 * vigil purge [--days N]: deletes the cases closed at least N days ago
 * (default: [retention] closed_days) with everything they hold, records
 * each in the audit log, and prints what went. The server does the same
 * once a day.
 */
#include "base/compat.h"
#include "cli/cli.h"
#include "app/retention.h"
#include "base/clock.h"

int cmd_purge(int argc, char **argv, const char *data_dir)
{
	struct retention_report r;
	int64_t days = -1;
	struct app app;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--days") && i + 1 < argc) {
			char *end;

			errno = 0;
			days = strtoll(argv[++i], &end, 10);
			if (errno || end == argv[i] || *end || days < 0 || days > 36500) {
				cli_error("purge: --days must be a number of days from 0 to 36500");
				return CLI_USAGE;
			}
		} else {
			cli_error("purge: unknown argument %s (usage: vigil purge [--days N])",
				  argv[i]);
			return CLI_USAGE;
		}
	}
	rc = app_open(data_dir, &app);
	if (rc) {
		cli_error("%s: %s", data_dir, vg_strerror(rc));
		return CLI_FAIL;
	}
	if (days < 0)
		days = app.cfg.retention_closed_days;
	rc = retention_purge(&app, clock_now(), days, &r);
	app_release(&app);
	printf("purged %" PRId64 " cases: %" PRId64 " tips, %" PRId64 " messages, %" PRId64
	       " referrals, %" PRId64 " persons, %" PRId64 " locations, %" PRId64 " notes, %"
	       PRId64 " tasks, %" PRId64 " entities\n", r.cases, r.total.tips, r.total.messages,
	       r.total.referrals, r.total.persons, r.total.locations, r.total.notes,
	       r.total.tasks, r.total.entities);
	if (rc) {
		cli_error("purge: %s", vg_strerror(rc));
		return CLI_FAIL;
	}
	return CLI_OK;
}

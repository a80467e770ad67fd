/*
 * vigil serve [--listen HOST:PORT]: serves the public site, the staff
 * console and the API until SIGTERM or SIGINT.
 */
#include "base/compat.h"
#include "cli/cli.h"
#include "app/tip.h"
#include "app/cases.h"
#include "app/links.h"
#include "app/retention.h"
#include "app/work.h"
#include "base/log.h"
#include "site/site.h"
#include "store/backup.h"
#include "web/server.h"
#include "vigil_config.h"

int cmd_serve(int argc, char **argv, const char *data_dir)
{
	struct server_options opt;
	struct app app;
	struct site site;
	struct retention_daily *purge = NULL;
	const char *listen = NULL;
	int64_t screened = 0, linked = 0, opened = 0, tasked = 0;
	int i, rc, lock = -1;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--listen") && i + 1 < argc) {
			listen = argv[++i];
		} else {
			cli_error("serve: unknown argument %s (usage: vigil serve [--listen HOST:PORT])",
				  argv[i]);
			return CLI_USAGE;
		}
	}
	rc = i18n_init(VIGIL_LOCALEDIR);
	if (rc) {
		cli_error("serve: cannot set up languages: %s", vg_strerror(rc));
		return CLI_FAIL;
	}
	rc = app_open(data_dir, &app);
	if (rc) {
		cli_error("serve: %s: %s", data_dir, vg_strerror(rc));
		return CLI_FAIL;
	}
	/* The server shares the connections out among its threads. */
	if (app.cfg.connection_max < app.cfg.threads) {
		cli_error("serve: connection_max (%u) must be at least threads (%u)",
			  app.cfg.connection_max, app.cfg.threads);
		app_release(&app);
		return CLI_USAGE;
	}
	/* Shared: other servers may use the database too, but no restore may. */
	rc = store_lock_take(app.cfg.database, 0, &lock);
	if (rc) {
		if (rc == VG_BUSY)
			cli_error("serve: %s is being restored; try again when that is done",
				  app.cfg.database);
		else
			cli_error("serve: cannot lock %s: %s", app.cfg.database, vg_strerror(rc));
		app_release(&app);
		return CLI_FAIL;
	}
	rc = app_load_screening(&app);
	if (!rc)
		rc = app_load_helplines(&app);
	if (!rc)
		rc = tip_screen_backlog(&app, &screened);
	if (rc) {
		cli_error("serve: the rules in %s do not load: %s", app.cfg.rules_dir,
			  vg_strerror(rc));
		app_release(&app);
		store_lock_release(lock);
		return CLI_FAIL;
	}
	if (screened)
		log_info("screened %" PRId64 " tips stored before", screened);
	/* Tips stored without a case (a crash in between, or from before cases). */
	rc = cases_load(&app);
	if (!rc)
		rc = cases_backlog(&app, &opened);
	if (rc) {
		cli_error("serve: cases: %s", vg_strerror(rc));
		app_release(&app);
		store_lock_release(lock);
		return CLI_FAIL;
	}
	if (opened)
		log_info("opened cases for %" PRId64 " tips stored before", opened);
	/* Tips screened before entities were kept, or whose indexing failed. */
	if (links_backlog(&app, &linked))
		log_error("serve: the entities of some tips are not indexed yet");
	else if (linked)
		log_info("indexed the entities of %" PRId64 " tips stored before", linked);
	/* Automatic tasks for tips whose cases were opened above, or older ones. */
	if (work_auto_backlog(&app, &tasked))
		log_error("serve: the automatic tasks of some cases are not started yet");
	else if (tasked)
		log_info("looked for automatic tasks in %" PRId64 " cases", tasked);
	rc = site_init(&site, &app);
	if (rc) {
		cli_error("serve: the templates do not load: %s", vg_strerror(rc));
		app_release(&app);
		store_lock_release(lock);
		return CLI_FAIL;
	}
	opt.listen = listen ? listen : app.cfg.listen;
	opt.threads = app.cfg.threads;
	opt.body_max = (size_t)app.cfg.body_max;
	opt.response_max = 8u << 20;
	opt.connection_timeout = app.cfg.connection_timeout;
	opt.connection_max = app.cfg.connection_max;
	/* Closed cases past the retention period go at start and then daily. */
	rc = retention_start(&app, &purge);
	if (!rc)
		rc = server_run(&opt, site_handle, &site);
	retention_stop(purge);
	site_release(&site);
	app_release(&app);
	store_lock_release(lock);
	i18n_release();
	if (rc == VG_CONFIG) {
		cli_error("serve: --listen must be HOST:PORT, e.g. 127.0.0.1:8080");
		return CLI_USAGE;
	}
	return rc ? CLI_FAIL : CLI_OK;
}

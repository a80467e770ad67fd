/*
 * vigil serve [--listen HOST:PORT]: serves the public site, the staff
 * console and the API until SIGTERM or SIGINT.
 */
#include "base/compat.h"
#include "cli/cli.h"
#include "app/tip.h"
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
	const char *listen = NULL;
	int64_t screened = 0;
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
	rc = server_run(&opt, site_handle, &site);
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

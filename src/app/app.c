#include "base/compat.h"
#include "app/app.h"
#include "base/clock.h"
#include "base/log.h"
#include "app/screening.h"
#include "app/cases.h"
#include "vigil_config.h"

#include <sodium.h>
#include <sys/stat.h>

int app_open(const char *dir, struct app *out)
{
	struct app app = {0};
	struct stat st;
	int rc;

	if (sodium_init() < 0)
		return VG_INTERNAL;
	rc = config_load(dir, &app.cfg);
	if (rc)
		return rc;
	if (stat(app.cfg.key_file, &st)) {
		log_error("%s is not initialised: run `vigil --data %s init`", dir, dir);
		return VG_NOTFOUND;
	}
	rc = keys_load(app.cfg.key_file, &app.keys);
	if (rc) {
		log_error("%s: cannot load the key file (%s)", app.cfg.key_file, vg_strerror(rc));
		return rc;
	}
	rc = store_open(app.cfg.database, &app.store);
	if (rc)
		goto out;
	rc = geo_load(VIGIL_ISO_CODES_DIR, &app.geo);
out:
	if (rc) {
		app_release(&app);
		return rc;
	}
	*out = app;
	return VG_OK;
}

int app_load_screening(struct app *app)
{
	struct screen_options opt = {
		.framework = app->cfg.framework_palermo ? SCREEN_PALERMO : SCREEN_TVPA,
	};
	char err[512];
	int rc;

	memcpy(opt.default_country, app->cfg.default_country, 3);
	rc = screening_load(app->cfg.rules_dir, &opt, &app->screening, err, sizeof(err));
	if (rc)
		log_error("screening rules: %s", err);
	return rc;
}

int app_load_helplines(struct app *app)
{
	char err[512];
	int rc = helplines_load(app->cfg.rules_dir, app->geo, 1, &app->helplines, err, sizeof(err));

	if (rc)
		log_error("help lines: %s", err);
	return rc;
}

void app_release(struct app *app)
{
	helplines_release(&app->helplines);
	cases_picklists_free(app->picklists);
	app->picklists = NULL;
	screening_free(app->screening);
	app->screening = NULL;
	if (app->store)
		store_free(app->store);
	if (app->geo)
		geo_free(app->geo);
	keys_release(&app->keys);
	app->store = NULL;
	app->geo = NULL;
}

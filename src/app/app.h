/*
 * app.h - what every feature needs: settings, keys, storage, place names.
 *
 * One struct app is opened by a command (serve, user add, ...) and shared by
 * all threads; nothing in it changes after app_open().
 */
#ifndef VIGIL_APP_H
#define VIGIL_APP_H

#include "app/helplines.h"
#include "base/config.h"
#include "crypto/keys.h"
#include "directory/geo.h"
#include "store/store.h"

struct screening;
struct case_picklists;

struct app {
	struct config cfg;
	struct keys keys;
	struct store *store;
	struct geo *geo;
	struct screening *screening; /* NULL unless app_load_screening() ran */
	struct helplines helplines;  /* empty unless app_load_helplines() ran */
	struct case_picklists *picklists; /* NULL unless cases_load() ran */
};

/*
 * Loads the configuration of data directory dir, its keys and database
 * (applying migrations) and the ISO 3166 lists. VG_NOTFOUND when dir has not
 * been initialised with `vigil init`.
 */
int app_open(const char *dir, struct app *out);
void app_release(struct app *app);

/*
 * Builds the screening engine from cfg.rules_dir, for the commands that
 * screen (serve); the others never pay for it. VG_INVAL or VG_IO with the
 * file and line logged.
 */
int app_load_screening(struct app *app);

/* Loads the directory and referral rules from cfg.rules_dir (serve only). */
int app_load_helplines(struct app *app);

/* Appends to the audit table, logging (not failing) when that is impossible. */
void app_audit(struct app *app, int64_t user_id, const char *action,
	       const char *object, const char *detail);
/*
 * The same for the system's record of derived work that the next start
 * does again if a crash loses it (a case opened for a new tip): the entry
 * is committed without waiting for the disk, so a tip costs one fsync.
 */
void app_audit_derived(struct app *app, const char *action, const char *object,
		       const char *detail);

#endif

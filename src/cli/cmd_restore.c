/*
 * vigil restore FILE: replaces the database with the backup FILE. Refuses
 * while a server runs on the database (it holds the lock of backup.h), and
 * checks the backup's integrity and schema version before touching
 * anything. A backup from an older vigil is brought up to date by the
 * migrations, as at every open. The data directory is made (mode 0700)
 * when it does not exist; the key file must be put back by hand.
 */
#include "base/compat.h"
#include "cli/cli.h"
#include "base/config.h"
#include "store/backup.h"
#include "store/store.h"

#include <sys/stat.h>
#include <unistd.h>

static int say(int rc, const char *file, const struct config *cfg)
{
	switch (rc) {
	case VG_OK:
		return CLI_OK;
	case VG_BUSY:
		cli_error("restore: a server is running on %s; stop it first", cfg->database);
		return CLI_FAIL;
	case VG_NOTFOUND:
		cli_error("restore: %s does not exist", file);
		return CLI_USAGE;
	case VG_DB:
		cli_error("restore: %s is damaged or not a vigil database; nothing was changed", file);
		return CLI_USAGE;
	case VG_INVAL:
		cli_error("restore: %s comes from a newer vigil (schema version above %" PRId64
			  "); nothing was changed", file, store_schema_newest());
		return CLI_USAGE;
	default:
		cli_error("restore: %s: %s", file, vg_strerror(rc));
		return CLI_FAIL;
	}
}

int cmd_restore(int argc, char **argv, const char *data_dir)
{
	struct config cfg;
	struct store *s = NULL;
	int64_t version = 0;
	int rc, lock = -1;

	if (argc != 2 || argv[1][0] == '-') {
		cli_error("usage: vigil restore FILE");
		return CLI_USAGE;
	}
	if (mkdir(data_dir, 0700) && errno != EEXIST) {
		cli_error("restore: %s: %s", data_dir, strerror(errno));
		return CLI_FAIL;
	}
	rc = config_load(data_dir, &cfg);
	if (rc) {
		cli_error("%s: %s", data_dir, vg_strerror(rc));
		return CLI_FAIL;
	}
	/* Checked before the lock, so a bad file is named even while a server runs. */
	rc = store_check_file(argv[1], &version);
	if (!rc)
		rc = store_lock_take(cfg.database, 1, &lock);
	if (!rc)
		rc = store_restore(argv[1], cfg.database);
	/* Opening applies the migrations a backup from an older vigil lacks. */
	if (!rc)
		rc = store_open(cfg.database, &s);
	store_free(s);
	store_lock_release(lock);
	if (rc)
		return say(rc, argv[1], &cfg);
	printf("restored %s (schema version %" PRId64 ") to %s\n", argv[1], version, cfg.database);
	if (access(cfg.key_file, R_OK))
		printf("the key file %s is missing: copy it from where it was kept, or no "
		       "sealed field will open\n", cfg.key_file);
	return CLI_OK;
}

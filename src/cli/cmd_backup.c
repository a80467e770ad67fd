/*
 * vigil backup FILE: copies the database to FILE while the server runs,
 * with SQLite's online backup API. FILE must not exist; it is made mode
 * 0600 and checked with `PRAGMA integrity_check` before vigil says ok.
 * The key file is not in the backup (docs/cli.md says how to keep it).
 */
#include "base/compat.h"
#include "cli/cli.h"
#include "base/config.h"
#include "store/backup.h"

int cmd_backup(int argc, char **argv, const char *data_dir)
{
	struct config cfg;
	int rc;

	if (argc != 2 || argv[1][0] == '-') {
		cli_error("usage: vigil backup FILE");
		return CLI_USAGE;
	}
	rc = config_load(data_dir, &cfg);
	if (rc) {
		cli_error("%s: %s", data_dir, vg_strerror(rc));
		return CLI_FAIL;
	}
	rc = store_backup(cfg.database, argv[1]);
	if (rc == VG_EXISTS) {
		cli_error("backup: %s exists; a backup never overwrites a file", argv[1]);
		return CLI_USAGE;
	}
	if (rc == VG_NOTFOUND) {
		cli_error("backup: there is no database at %s", cfg.database);
		return CLI_FAIL;
	}
	if (rc) {
		cli_error("backup: %s: %s", argv[1], vg_strerror(rc));
		return CLI_FAIL;
	}
	printf("backed up %s to %s\n"
	       "the key file %s is not in the backup: keep a copy of it apart from the backup\n",
	       cfg.database, argv[1], cfg.key_file);
	return CLI_OK;
}

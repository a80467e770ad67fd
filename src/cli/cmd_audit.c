/*
 * vigil audit verify [--expect ID:HASH]: checks the audit log's hash chain
 * and reports the first entry that does not hold. Prints the head (the
 * last entry's id and hash) so it can be recorded elsewhere; --expect
 * checks that the entry recorded then is still there with that hash, which
 * also catches entries deleted from the end since. Exit 0 when the chain
 * holds, 1 when it does not.
 */
#include "base/compat.h"
#include "cli/cli.h"
#include "app/audit.h"

#include <sodium.h>

/* VG_OK when entry ID of the log has HASH; VG_NOTFOUND when not; VG_INVAL for bad text. */
static int check_expected(struct app *app, const char *expect)
{
	struct audit_list l = {0};
	unsigned char want[32];
	char *end;
	long long id;
	size_t bin_len = 0;
	int rc;

	errno = 0;
	id = strtoll(expect, &end, 10);
	if (errno || id < 1 || *end != ':' ||
	    sodium_hex2bin(want, sizeof(want), end + 1, strlen(end + 1), NULL, &bin_len, NULL) ||
	    bin_len != sizeof(want))
		return VG_INVAL;
	rc = store_audit_list(app->store, id - 1, 1, &l);
	if (!rc && (l.count != 1 || l.rows[0].id != id || sodium_memcmp(l.rows[0].hash, want, 32)))
		rc = VG_NOTFOUND;
	audit_list_release(&l);
	return rc;
}

static int verify(int argc, char **argv, const char *data_dir)
{
	struct audit_report r;
	struct app app;
	const char *expect = NULL;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--expect") && i + 1 < argc) {
			expect = argv[++i];
		} else {
			cli_error("audit verify: unknown argument %s (usage: vigil audit verify "
				  "[--expect ID:HASH])", argv[i]);
			return CLI_USAGE;
		}
	}
	rc = app_open(data_dir, &app);
	if (rc) {
		cli_error("%s: %s", data_dir, vg_strerror(rc));
		return CLI_FAIL;
	}
	rc = audit_verify(&app, &r);
	if (!rc && expect)
		rc = check_expected(&app, expect);
	app_release(&app);
	if (rc == VG_INVAL) {
		cli_error("audit verify: --expect takes ID:HASH as printed after \"head\"");
		return CLI_USAGE;
	}
	if (rc == VG_NOTFOUND) {
		cli_error("audit verify: entry %s is not in the log as recorded: entries were removed "
			  "from the end or changed", expect);
		return CLI_FAIL;
	}
	if (rc == VG_CRYPTO) {
		cli_error("audit verify: entry %" PRId64 " does not hold: %s (%" PRId64
			  " entries before it hold)", r.broken_id, r.reason, r.entries);
		return CLI_FAIL;
	}
	if (rc) {
		cli_error("audit verify: %s", vg_strerror(rc));
		return CLI_FAIL;
	}
	printf("ok: %" PRId64 " entries hold (%" PRId64 " from before the chain began)\nhead %s\n",
	       r.entries, r.unchained, r.head);
	return CLI_OK;
}

int cmd_audit(int argc, char **argv, const char *data_dir)
{
	if (argc >= 2 && !strcmp(argv[1], "verify"))
		return verify(argc - 1, argv + 1, data_dir);
	cli_error("usage: vigil audit verify [--expect ID:HASH]");
	return CLI_USAGE;
}

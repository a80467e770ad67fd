/*
 * fuzz_leads.c - `vigil ads import`: one line of what `vigil ads cluster
 * --networks` writes, as leads_store() (app/leads.h) reads it from a file an
 * analyst hands over, then leads_make() for a network that was stored.
 *
 * Beyond memory safety it checks the promises: a line that is not a
 * network is refused with VG_INVAL and a sentence saying why, never stored;
 * a stored network gets its lead, once (asking again finds the same case).
 */
#include "base/compat.h"
#include "fuzz.h"
#include "app/app.h"
#include "app/leads.h"
#include "crypto/keys.h"

#include <sys/stat.h>

static struct app app;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[256], path[512];

	(void)argc;
	(void)argv;
	fuzz_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/keys", dir);
	if (mkdir(path, 0700))
		abort();
	snprintf(path, sizeof(path), "%s/keys/master.key", dir);
	if (keys_create(path) || app_open(dir, &app)) {
		fprintf(stderr, "fuzz_leads: cannot open a data directory in %s\n", dir);
		abort();
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char id[ADNET_ID_SIZE], case_id[CASE_ID_SIZE], again[CASE_ID_SIZE];
	const char *msg = NULL;
	int created = 0, opened = 0, rc;
	json_t *net;

	/* As cmd_ads_import.c reads each line. */
	net = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (!net)
		return 0;
	rc = leads_store(&app, net, id, &created, &msg);
	fuzz_check(rc == VG_OK || rc == VG_INVAL);
	fuzz_check(rc != VG_INVAL || (msg && msg[0]));
	if (rc == VG_OK) {
		fuzz_check(leads_make(&app, NULL, id, case_id, &opened) == VG_OK);
		fuzz_check(leads_make(&app, NULL, id, again, &opened) == VG_OK);
		fuzz_check(!opened && !strcmp(case_id, again));
	}
	json_decref(net);
	return 0;
}

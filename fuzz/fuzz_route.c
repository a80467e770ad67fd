/*
 * fuzz_route.c - the referral rule loader (directory/route.h route_parse)
 * on up to two fuzzed rule files cut at form feeds, against the real
 * help-line directory of data/directory/, loaded once.
 *
 * Rules that load are applied to a few screening results at a few places,
 * as the staff console does for every tip, and the referrals written as
 * `vigil route` writes them. A failed parse must say why.
 */
#include "base/compat.h"
#include "fuzz.h"
#include "base/files.h"
#include "directory/route.h"
#include "vigil_config.h"

#define NFILES 2
#define FUZZ_NOW 1774879200 /* Monday 2026-03-30 14:00 UTC */

static struct directory *dir;
static json_t *screenings[3];

static const char *const screening_text[] = {
	"{\"status\": \"likely\", \"urgency\": \"crisis\", \"kinds\": [\"sex\"],"
	" \"typology\": [\"escort_services\"], \"elements\": {\"act\": true, \"means\": true,"
	" \"purpose\": [\"commercial_sex\"], \"minor\": true}, \"labor_exploitation\": false,"
	" \"indicators\": [{\"category\": \"means.withholds_documents\"}]}",
	"{\"status\": \"not_indicated\", \"urgency\": \"routine\", \"kinds\": [],"
	" \"typology\": [], \"elements\": {\"act\": false, \"means\": false,"
	" \"purpose\": [], \"minor\": false}, \"labor_exploitation\": true,"
	" \"indicators\": []}",
	"{\"status\": \"possible\", \"urgency\": \"priority\", \"kinds\": [\"labor\"],"
	" \"typology\": [\"agriculture\"], \"elements\": {\"act\": true, \"means\": false,"
	" \"purpose\": [\"labor\"], \"minor\": false}, \"labor_exploitation\": false,"
	" \"indicators\": [{\"category\": \"purpose.labor\"}]}",
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct directory_file files[FILES_MAX];
	struct file_set set;
	char err[512];
	size_t i;

	(void)argc;
	(void)argv;
	file_set_init(&set);
	if (file_set_add_dir(&set, VIGIL_RULES_DIR "/directory", ".ini", DIRECTORY_FILE_MAX,
			     err, sizeof(err)))
		goto fail;
	for (i = 0; i < set.n; i++) {
		files[i].name = set.v[i].name;
		files[i].text = set.v[i].text;
		files[i].len = set.v[i].len;
	}
	if (directory_parse(files, set.n, &dir, err, sizeof(err)))
		goto fail;
	file_set_release(&set);
	for (i = 0; i < ARRAY_SIZE(screenings); i++) {
		screenings[i] = json_loads(screening_text[i], 0, NULL);
		if (!screenings[i])
			abort();
	}
	return 0;
fail:
	fprintf(stderr, "fuzz_route: %s\n", err);
	abort();
}

static void apply(const struct route_rules *r)
{
	static const char *const places[][2] = {{"US", "CA"}, {"ES", ""}, {"", ""}};
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(screenings); i++) {
		for (j = 0; j < ARRAY_SIZE(places); j++) {
			struct route_place pl;
			struct route_result res;
			json_t *out = NULL;
			char err[256];

			fuzz_check(route_place_set(&pl, places[j][0], places[j][1]) == VG_OK);
			route_result_init(&res);
			fuzz_check(route_eval(r, screenings[i], &pl, FUZZ_NOW, &res,
					      err, sizeof(err)) == VG_OK);
			fuzz_check(route_result_json(&res, &out) == VG_OK);
			fuzz_check(json_array_size(out) == res.n);
			json_decref(out);
			route_result_release(&res);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[NFILES] = {"a.tsv", "b.tsv"};
	struct fuzz_part parts[NFILES];
	struct directory_file files[NFILES];
	struct route_rules *r = NULL;
	char err[256];
	size_t i, n = fuzz_split(data, size, parts, NFILES);
	int rc;

	for (i = 0; i < n; i++) {
		files[i].name = names[i];
		files[i].text = fuzz_strndup(parts[i].data, parts[i].len);
		files[i].len = parts[i].len;
	}
	err[0] = '\0';
	rc = route_parse(dir, files, n, &r, err, sizeof(err));
	if (rc == VG_OK) {
		fuzz_check(route_count(r) == 0 || route_rule_id(r, 0) != NULL);
		apply(r);
		route_free(r);
	}
	fuzz_check(rc != VG_INVAL || err[0] != '\0');
	for (i = 0; i < n; i++)
		free((void *)files[i].text);
	return 0;
}

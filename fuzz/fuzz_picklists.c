/*
 * fuzz_picklists.c - the case picklists (app/cases.h cases_load), which
 * the server reads from <rules>/cases/picklists.tsv at start: each input is
 * written there, in a temporary rules directory made once, and loaded.
 *
 * A file that loads must give a value for every field the forms ask for,
 * each value valid and labelled, and picklists that the forms and the API
 * can show (cases_picklists_json() succeeds); one that does not must leave
 * the picklists loaded before alone.
 */
#include "base/compat.h"
#include "fuzz.h"
#include "app/cases.h"

#include <sys/stat.h>

/* The fields the case forms read (app/cases.c pick_fields). */
static const char *const fields[] = {
	"case_role", "trafficking_status", "gender", "process_role", "control_method",
	"exploitation", "industry", "location_kind",
};

static struct app app;
static char path[512];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[256];

	(void)argc;
	(void)argv;
	fuzz_tmpdir(dir, sizeof(dir));
	snprintf(app.cfg.rules_dir, sizeof(app.cfg.rules_dir), "%s", dir);
	snprintf(path, sizeof(path), "%s/cases", dir);
	if (mkdir(path, 0700)) {
		fprintf(stderr, "fuzz_picklists: cannot make %s\n", path);
		abort();
	}
	snprintf(path, sizeof(path), "%s/cases/picklists.tsv", dir);
	return 0;
}

static void check_loaded(void)
{
	json_t *o = cases_picklists_json(&app), *arr, *v;
	const char *field;
	size_t i;

	fuzz_check(o != NULL);
	for (i = 0; i < ARRAY_SIZE(fields); i++)
		fuzz_check(json_array_size(json_object_get(o, fields[i])) > 0);
	json_object_foreach(o, field, arr) {
		json_array_foreach(arr, i, v) {
			const char *slug = json_string_value(json_object_get(v, "slug"));
			const char *label = json_string_value(json_object_get(v, "label"));

			fuzz_check(slug && slug[0] && label && label[0]);
			fuzz_check(cases_pick_valid(&app, field, slug));
			fuzz_check(!strcmp(cases_pick_label(&app, field, slug), label));
		}
	}
	fuzz_check(!cases_pick_valid(&app, "gender", "not a slug"));
	json_decref(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct case_picklists *before = app.picklists;
	FILE *f = fopen(path, "wb");

	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f)) {
		fprintf(stderr, "fuzz_picklists: cannot write %s\n", path);
		abort();
	}
	if (cases_load(&app) == VG_OK)
		check_loaded();
	else
		fuzz_check(app.picklists == before);
	return 0;
}

/*
 * fuzz_directory.c - the help-line directory loader (directory/directory.h
 * directory_parse) on up to three fuzzed .ini files cut at form feeds.
 *
 * A directory that loads is used as the help page and `vigil directory`
 * use it: every entry is found by its id and turned into JSON, and every
 * country's entries are queried at a fixed instant, open or not. Strings
 * the header promises are never NULL must not be.
 */
#include "base/compat.h"
#include "fuzz.h"
#include "directory/directory.h"

#define NFILES 3
/* Monday 2026-03-30 14:00 UTC: a weekday afternoon in Europe and America. */
#define FUZZ_NOW 1774879200

static void use_directory(const struct directory *d)
{
	const struct directory_entry *v;
	struct directory_hits hits;
	size_t i, j, n;

	v = directory_entries(d, &n);
	for (i = 0; i < n; i++) {
		const struct directory_entry *e = &v[i];
		enum hours_state st = HOURS_UNKNOWN;
		json_t *j_entry = NULL;

		fuzz_check(e->id && e->name && e->area && e->hours_text && e->holidays &&
			   e->note && e->file);
		fuzz_check(directory_find(d, e->id) == e);
		for (j = 0; j < e->nchannels; j++)
			fuzz_check(e->channels[j].value && e->channels[j].written &&
				   e->channels[j].note);
		if (hours_state_at(&e->hours, FUZZ_NOW, &st) == VG_OK &&
		    directory_entry_json(e, st, &j_entry) == VG_OK) {
			fuzz_check(json_is_object(j_entry));
			json_decref(j_entry);
		}
		directory_dial(e);
	}
	for (i = 0; i < n; i++) {
		struct directory_query q = {
			.country = v[i].country,
			.region = v[i].region,
			.service = (int)(i % (DIR_SVC_COUNT + 1)) - 1,
			.open_only = i % 2,
			.now = FUZZ_NOW,
		};

		directory_hits_init(&hits);
		if (directory_query(d, &q, &hits) == VG_OK)
			fuzz_check(hits.n <= n);
		directory_hits_release(&hits);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[NFILES] = {"a.ini", "b.ini", "c.ini"};
	struct fuzz_part parts[NFILES];
	struct directory_file files[NFILES];
	struct directory *d = NULL;
	char err[256];
	size_t i, n = fuzz_split(data, size, parts, NFILES);
	int rc;

	for (i = 0; i < n; i++) {
		files[i].name = names[i];
		files[i].text = fuzz_strndup(parts[i].data, parts[i].len);
		files[i].len = parts[i].len;
	}
	err[0] = '\0';
	rc = directory_parse(files, n, &d, err, sizeof(err));
	if (rc == VG_OK) {
		use_directory(d);
		directory_free(d);
	}
	fuzz_check(rc != VG_INVAL || err[0] != '\0');
	for (i = 0; i < n; i++)
		free((void *)files[i].text);
	return 0;
}

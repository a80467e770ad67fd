/*
 * fuzz_rules.c - the screening rule loader (screen/screen.h
 * screen_engine_build: the typology and indicator lexicon parser and the
 * vectorscan compile) on up to three fuzzed .tsv files cut at form feeds.
 *
 * An engine that builds is used at once: a scratch is made for it and the
 * input itself is screened with it, so that the patterns it holds have
 * text to match (a rule's own pattern is in the input), and a fixed tip as
 * well. A failed build must say why.
 */
#include "base/compat.h"
#include "fuzz.h"
#include "screen/screen.h"

#define NFILES 3

static const char sample[] =
	"They took her passport and she owes a debt of $5000. She is 16 and "
	"cannot leave the massage parlor. Call 555-0123. Le quitaron el pasaporte.";

static void use_engine(const struct screen_engine *e, const char *text, size_t len)
{
	struct screen_options opt = { .framework = SCREEN_TVPA, .default_country = "US" };
	struct screen_scratch *s = NULL;
	json_t *r = NULL;
	int rc;

	fuzz_check(screen_engine_patterns(e) > 0);
	if (screen_scratch_new(e, &s))
		return;
	fuzz_check(screen_run(e, s, &opt, sample, sizeof(sample) - 1, &r) == VG_OK);
	json_decref(r);
	r = NULL;
	rc = screen_run(e, s, &opt, text, len, &r);
	fuzz_check(rc == VG_OK || rc == VG_UTF8 || rc == VG_TOOBIG);
	json_decref(r);
	screen_scratch_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[NFILES] = {"f0.tsv", "f1.tsv", "f2.tsv"};
	struct fuzz_part parts[NFILES];
	struct screen_file files[NFILES];
	struct screen_engine *e = NULL;
	char err[512];
	size_t i, n = fuzz_split(data, size, parts, NFILES);
	int rc;

	for (i = 0; i < n; i++) {
		files[i].name = names[i];
		files[i].text = fuzz_strndup(parts[i].data, parts[i].len);
		files[i].len = parts[i].len;
	}
	rc = screen_engine_build(files, n, &e, err, sizeof(err));
	if (rc == VG_OK) {
		use_engine(e, (const char *)data, size);
		screen_engine_free(e);
	}
	fuzz_check(rc != VG_INVAL || err[0] != '\0');
	for (i = 0; i < n; i++)
		free((void *)files[i].text);
	return 0;
}

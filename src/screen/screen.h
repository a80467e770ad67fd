/*
 * screen.h - reading a tip or an ad for the signs of trafficking.
 *
 * The engine is built once from the rule files' text (indicator lexicons in
 * data/indicators/, the typology in data/typology.tsv: see docs/screening.md)
 * and shared read-only by every thread; each thread owns a scratch. Reading
 * the files is the caller's job: this layer does no I/O.
 *
 * screen_run() returns the result as the JSON object of the output contract
 * in docs/screening.md (everything but "id"): status under the configured
 * framework and under both, kinds, typology, elements, labor exploitation,
 * urgency, the indicators with their spans in the original text, and the
 * entities. The evidence is always there: a person decides.
 */
#ifndef VIGIL_SCREEN_H
#define VIGIL_SCREEN_H

#include <stddef.h>

#include <jansson.h>

enum screen_framework { SCREEN_TVPA, SCREEN_PALERMO };

struct screen_options {
	enum screen_framework framework; /* which framework decides "status" */
	char default_country[3];         /* for phone numbers without a country code */
};

/* One rule file's contents; name is used in error messages ("en.tsv"). */
struct screen_file {
	const char *name;
	const char *text;
	size_t len;
};

struct screen_engine;
struct screen_scratch;

/*
 * Parses and compiles the rules. On VG_INVAL, err holds one line naming the
 * file, the line number and what is wrong ("en.tsv:12: weight must be ...").
 */
int screen_engine_build(const struct screen_file *files, size_t n,
			struct screen_engine **out, char *err, size_t errsize);
void screen_engine_free(struct screen_engine *e);

/* The number of indicator patterns loaded. */
size_t screen_engine_patterns(const struct screen_engine *e);

int screen_scratch_new(const struct screen_engine *e, struct screen_scratch **out);
void screen_scratch_free(struct screen_scratch *s);

/*
 * Screens len bytes of UTF-8 text. VG_UTF8 for invalid UTF-8, VG_TOOBIG
 * past NORM_MAX_INPUT; *out is a new reference on success.
 */
int screen_run(const struct screen_engine *e, struct screen_scratch *s,
	       const struct screen_options *opt, const char *text, size_t len,
	       json_t **out);

#endif

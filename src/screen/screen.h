/*
 * screen.h - reading a tip or an ad for the signs of trafficking.
 *
 * The engine is built once from the rule files' text (indicator lexicons in
 * data/indicators/, the typology in data/typology.tsv: see docs/screening.md)
 * and shared read-only by every thread; each thread owns a scratch. Reading
 * the files is the caller's job: this layer does no I/O.
 *
 * screen_analyse() reads a text into a struct screen_result that points
 * into the scratch; screen_result_write() writes it as the JSON object of
 * the output contract in docs/screening.md (everything but "id"): status
 * under the configured framework and under both, kinds, typology, elements,
 * labor exploitation, urgency, the indicators with their spans in the
 * original text, and the entities. screen_write() does both, and
 * screen_run() gives the same object as a jansson tree for callers that
 * want one. The evidence is always there: a person decides.
 */
#ifndef VIGIL_SCREEN_H
#define VIGIL_SCREEN_H

#include <stddef.h>

#include <jansson.h>

#include "base/buf.h"
#include "screen/assess.h"
#include "screen/entities.h"

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

/* One indicator of a result: a rule's span in the original text. */
struct screen_indicator {
	uint32_t rule;           /* index of the rule in the engine */
	const char *id;          /* the rule's id and category, owned by the engine */
	const char *category;
	size_t start, end;       /* bytes [start, end) of the original text */
};

/*
 * What screen_analyse() found. Every pointer is into the engine, the
 * scratch or the text screened, and stays valid until the scratch screens
 * another text or is freed (or the text or engine goes away).
 */
struct screen_result {
	const struct screen_engine *engine;
	const char *text;                       /* the original text */
	size_t len;
	enum assess_framework framework;        /* the one that decides "status" */
	struct assessment assessment;
	const uint32_t *hits;                   /* matched rules, each once, in order of first match */
	size_t nhits;
	const struct screen_indicator *indicators; /* live (not negated), in text order */
	size_t nindicators;
	bool truncated;                         /* "indicators_truncated" */
	const struct entities *entities;
};

/*
 * The most bytes screen_run() lets one result's JSON text take. A result
 * is a few kilobytes for a tip; only a hostile text of many megabytes with
 * thousands of long, overlapping spans could come near it.
 */
#define SCREEN_JSON_MAX ((size_t)256 << 20)

/*
 * Screens len bytes of UTF-8 text into *out. VG_UTF8 for invalid UTF-8,
 * VG_TOOBIG past NORM_MAX_INPUT, VG_NOMEM. No allocation.
 */
int screen_analyse(const struct screen_engine *e, struct screen_scratch *s,
		   const struct screen_options *opt, const char *text, size_t len,
		   struct screen_result *out);

/*
 * Appends the result as one JSON object, compact, to out: the bytes
 * json_dumps(JSON_COMPACT) would give for the object screen_run() returns.
 * VG_TOOBIG when out's limit is reached (out may then hold part of the
 * object: reset it), VG_INVAL when a number is not finite.
 */
int screen_result_write(const struct screen_result *r, struct buf *out);

/* screen_analyse() and screen_result_write(): the same errors as both. */
int screen_write(const struct screen_engine *e, struct screen_scratch *s,
		 const struct screen_options *opt, const char *text, size_t len,
		 struct buf *out);

/*
 * The result as a jansson object (parsed back from screen_write()'s text,
 * so the two never differ); *out is a new reference on success. The same
 * errors as screen_write(), with SCREEN_JSON_MAX as the limit.
 */
int screen_run(const struct screen_engine *e, struct screen_scratch *s,
	       const struct screen_options *opt, const char *text, size_t len,
	       json_t **out);

/* The rules the engine was built from: a result's rule and type indices are into these. */
const struct rules *screen_engine_rules(const struct screen_engine *e);

#endif

/*
 * screening.h - the screen as the app uses it: rules read from data files,
 * a pool of per-thread scratch space, and tips screened when they are
 * stored, with the result sealed beside the narrative.
 */
#ifndef VIGIL_SCREENING_H
#define VIGIL_SCREENING_H

#include <jansson.h>

#include "base/buf.h"
#include "screen/screen.h"
#include "store/store.h"

struct screening;
struct keys;

/*
 * Reads dir/typology.tsv and every dir/indicators/ *.tsv and builds the
 * engine. VG_IO when a file cannot be read, VG_INVAL when a rule is wrong;
 * either way one line naming the file and line is written to err.
 */
int screening_load(const char *dir, const struct screen_options *opt,
		   struct screening **out, char *err, size_t errsize);
void screening_free(struct screening *s);

/*
 * Screens text with a scratch from the pool and calls fn with the result,
 * which is valid only during the call; returns the screen's error or else
 * what fn returns. country (ISO 3166-1 alpha-2, may be NULL or "") is
 * where the text comes from: phone numbers without a country code are read
 * as that country's.
 */
int screening_with(struct screening *s, const char *country, const char *text, size_t len,
		   int (*fn)(const struct screen_result *r, void *arg), void *arg);

/* Screens text and appends the result's JSON text to out (screen_result_write()). */
int screening_write(struct screening *s, const char *country, const char *text, size_t len,
		    struct buf *out);

/*
 * Screens text; *out is the result object. For callers that want a tree:
 * screening_write() and screening_with() are much cheaper.
 */
int screening_run(struct screening *s, const char *country, const char *text, size_t len,
		  json_t **out);

/*
 * The text of a tip that is screened: the narrative, then each other free
 * text field on its own paragraph. Spans below the narrative's length fall
 * in the narrative. Returns a malloc'd string.
 */
char *screening_tip_text(const char *narrative, json_t *details);

/*
 * Screens a tip's text and fills the screening fields of row (whose id must
 * be set), sealing the result under ad "tips/screening/<id>". The strings
 * are malloc'd: release them with screening_row_release(). When facts is
 * not NULL it is also set to what a new tip's derived records read of the
 * result, in the result's own JSON shape (json_decref() it):
 * {"entities": {"phones", "emails", "urls", "handles"}, "elements": {"minor"}}.
 */
int screening_fill(struct screening *s, const struct keys *k, const char *text,
		   const char *country, int64_t now, struct tip_row *row, json_t **facts);
void screening_row_release(struct tip_row *row);

#endif

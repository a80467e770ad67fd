/*
 * search.h - staff search: full text over what is not sealed, and exact
 * lookups of entities through the blind index.
 *
 * A query that is one phone number, email address, URL or handle (as the
 * screen reads them), or that names a kind ("plate:7ABC123", "name:Ana
 * Diaz"), is looked up in the blind index (app/links.h): the tips and
 * cases that hold that value. Any other query is words matched whole (or
 * as a prefix when written with a "*" after them, "escort*") against the
 * search index of tips and cases (ids, statuses,
 * kinds, typology, place, urgency, case status and the persons' attributes
 * that are not sealed; store/entities.h).
 *
 * Results come newest first, a page at a time, and only those the user
 * may see (app/access.h): hidden ones are skipped, so a page can be short
 * of limit while more follow. Every search is audited as "search" with the
 * words of a text query, or only the kind of an entity lookup: the value
 * itself is never written to the log.
 */
#ifndef VIGIL_SEARCH_H
#define VIGIL_SEARCH_H

#include <jansson.h>

#include "app/app.h"
#include "app/auth.h"

/* The longest query, in bytes. */
#define SEARCH_QUERY_MAX 200
/* Results per page by default and at most. */
#define SEARCH_LIMIT_DEFAULT 20
#define SEARCH_LIMIT_MAX 100

/*
 * Runs query q for user u, returning up to limit (1..SEARCH_LIMIT_MAX)
 * results after cursor before (0: from the start) as
 * {"mode":"text"|"entity", "entity_kind": kind or absent,
 *  "results":[{"kind":"tip"|"case","id","status","urgency","created_at",
 *              "country","region","city","kinds","typology"}],
 *  "next": the cursor of the next page, or 0 when this is the last}.
 * VG_FORBIDDEN when the role may not search, VG_INVAL for an empty query
 * or one with no words, VG_UTF8 or VG_TOOBIG for bad input.
 */
int search_run(struct app *app, const struct auth_user *u, const char *q, int64_t before,
	       int limit, json_t **out);

/*
 * The FTS5 query for the words of q: each word quoted, a prefix when a
 * "*" follows it, all required. VG_INVAL when q has no words. Exposed for the tests.
 */
int search_fts_query(const char *q, char *out, size_t size);

#endif

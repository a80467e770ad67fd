/*
 * entities.h - linked entities and the search index (migration 0007).
 *
 * An entity row ties a value (a phone number, an address, ...) to the tip
 * or case it was found in. The value arrives sealed and leaves sealed; the
 * store compares only the blind index, a keyed hash the app computes
 * (app/links.h), so equal values link without the store seeing them.
 *
 * The search index holds one document per tip and case, made by triggers
 * from their fields that are not sealed; store_search() runs an FTS5 query
 * against it. A new document waits in a queue (migrations 0012, 0013)
 * until store_search_catch_up() makes its search_docs row and indexes it,
 * which store_search() does first. The query must already be valid FTS5
 * syntax: app/search.c builds it from what a person typed.
 *
 * Errors and ownership as in store.h: output parameters are set only on
 * success, strings in rows are malloc'd and freed by the *_release().
 */
#ifndef VIGIL_STORE_ENTITIES_H
#define VIGIL_STORE_ENTITIES_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct entity_row {
	char *id;               /* random public id, 16 hex digits */
	char *kind;             /* "phone", "email", "url", "handle", "name", "address", "plate" */
	unsigned char blind[32];/* keyed BLAKE2b of "<kind>:<normalised value>" */
	struct sealed value;    /* ad "entities/value/<id>": the normalised value */
	char *tip_id;           /* the tip it belongs to, or "" */
	char *case_id;          /* the case it belongs to, or "" */
	char *source;           /* "screening" or "staff" */
	int64_t user_id;        /* the staff member who added it; 0 for the screen */
	int64_t created_at;
};

struct entity_list {
	struct entity_row *rows;
	size_t count;
};

/*
 * Stores the entities a tip's screen found and records the tip as scanned,
 * in one transaction. An entity whose blind index the tip already has is
 * skipped, so scanning a tip again adds nothing twice. VG_NOTFOUND when
 * there is no such tip. Unlike every other write, this one is not synced
 * before it returns: what it stores is derived from the tip and is made
 * again at start when lost (store_entity_unscanned()).
 */
int store_entity_scan(struct store *s, const char *tip_id, const struct entity_row *rows,
		      size_t n, int64_t now);

/*
 * Adds one entity (tip_id or case_id set, the other ""). VG_EXISTS when
 * its owner already has one with this blind index; for a case, VG_NOTFOUND
 * when there is no such case and VG_MERGED when it was merged into another.
 */
int store_entity_insert(struct store *s, const struct entity_row *e);

/* Deletes entity id of the case; VG_NOTFOUND when the case has no such entity. */
int store_entity_delete(struct store *s, const char *id, const char *case_id);

/* The entities of one tip or case (pass "" for the other), oldest first. */
int store_entity_list(struct store *s, const char *tip_id, const char *case_id,
		      struct entity_list *out);

/*
 * Up to limit ids of tips that have been screened but whose entities were
 * never stored (screened before 0007, or indexing failed), oldest first.
 * *ids is a malloc'd array of malloc'd strings; free with store_ids_free().
 */
int store_entity_unscanned(struct store *s, int limit, char ***ids, size_t *count);
void store_ids_free(char **ids, size_t count);

/*
 * One tip or case that shares a value with another: which (doc_kind
 * "tip" or "case" and its id), and the entity that links them on the
 * side of the one asked about, so its sealed value can be shown.
 */
struct entity_link {
	char *doc_kind;         /* "tip" or "case" */
	char *ref;              /* its id */
	char *entity_id;        /* the asker's entity: the ad of value */
	char *kind;             /* the entity kind they share */
	struct sealed value;
	int64_t pos;            /* store_entity_find(): the paging cursor */
};

struct entity_link_list {
	struct entity_link *rows;
	size_t count;
};

/*
 * The tips and cases that share a blind index with tip tip_id, newest
 * first, up to limit (1..500) links. A tip is not related to itself.
 */
int store_entity_related_tip(struct store *s, const char *tip_id, int limit,
			     struct entity_link_list *out);

/*
 * The same for case case_id: the entities of the case and of the tips
 * it gathers (case_tips, 0005), leaving out the case and those tips.
 */
int store_entity_related_case(struct store *s, const char *case_id, int limit,
			      struct entity_link_list *out);

/*
 * The owners of blind index blind, newest first, after the cursor: rows
 * whose position is below before (0: from the start). Each row's doc_kind
 * and ref name the owner and entity_id/kind/value the entity; *next is
 * the cursor for the next page, 0 when there is none.
 */
int store_entity_find(struct store *s, const unsigned char blind[32], int64_t before,
		      int limit, struct entity_link_list *out, int64_t *next);

void entity_row_release(struct entity_row *e);
void entity_list_release(struct entity_list *l);
void entity_link_list_release(struct entity_link_list *l);

/* One search hit: a document of the index. */
struct search_hit {
	int64_t pos;            /* its place in the index: the paging cursor */
	char *doc_kind;         /* "tip" or "case" */
	char *ref;              /* its id */
};

struct search_hit_list {
	struct search_hit *rows;
	size_t count;
};

/*
 * Indexes the queued documents in one transaction when there are at least
 * min of them (and any at all): FTS5 makes one segment for all of them.
 * Its commit does not wait for the disk (the queue stays until it is on
 * disk, and the documents are derived). Inside a batch it is part of it.
 */
int store_search_catch_up(struct store *s, int64_t min);
/*
 * Runs the FTS5 query fts over the index, newest first, returning up to
 * limit (1..500) hits with pos below before (0: from the start). VG_INVAL
 * when fts is not a valid query. Queued documents are indexed first; if
 * that fails (a full disk), the search runs without them.
 */
int store_search(struct store *s, const char *fts, int64_t before, int limit,
		 struct search_hit_list *out);
void search_hit_list_release(struct search_hit_list *l);

#endif

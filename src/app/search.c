/*
 * search.c - full-text and entity search with paging and access (search.h).
 */
#include "base/compat.h"
#include "app/search.h"
#include "app/access.h"
#include "app/links.h"
#include "base/buf.h"
#include "base/text.h"
#include "store/cases.h"
#include "store/entities.h"

#include <ctype.h>
#include <sodium.h>

/* Words of a query that are used; the rest are ignored. */
#define SEARCH_WORDS_MAX 16
/*
 * A word written with a "*" after it matches as a prefix when it has at
 * least this many characters; every other word matches whole. Prefixes
 * are opt-in because FTS5 must read every matching word's whole list for
 * them (tens of milliseconds with a million tips, docs/search.md).
 */
#define SEARCH_PREFIX_MIN 3
/* Store pages read for one page of results before giving a short page. */
#define SEARCH_ROUNDS 10

int search_fts_query(const char *q, char *out, size_t size)
{
	struct buf b;
	size_t words = 0;
	const char *p = q;
	int rc = VG_OK;

	buf_init(&b, size ? size - 1 : 0);
	while (*p && words < SEARCH_WORDS_MAX) {
		const char *start;
		size_t n;

		/* ASCII other than letters, digits, "-" and "_" separates words. */
		while (*p && (unsigned char)*p < 0x80 && !isalnum((unsigned char)*p) &&
		       *p != '-' && *p != '_')
			p++;
		start = p;
		while (*p && ((unsigned char)*p >= 0x80 || isalnum((unsigned char)*p) ||
			      *p == '-' || *p == '_'))
			p++;
		n = (size_t)(p - start);
		if (!n)
			continue;
		rc = buf_addf(&b, "%s\"%.*s\"%s", words ? " " : "", (int)n, start,
			      *p == '*' && n >= SEARCH_PREFIX_MIN ? "*" : "");
		if (rc)
			goto out;
		words++;
	}
	if (!words) {
		rc = VG_INVAL;
		goto out;
	}
	memcpy(out, buf_str(&b), b.len + 1);
out:
	buf_release(&b);
	return rc;
}

static int may_see(struct app *app, const struct auth_user *u, const char *kind,
		   const char *id)
{
	/* A hit the user may not see is left out silently, as in every list. */
	if (!strcmp(kind, "tip"))
		return access_tip_listed(app, u, id);
	return access_case_listed(app, u, id);
}

/* The summary of one tip or case; NULL when it is gone or unreadable. */
static json_t *summary(struct app *app, const char *kind, const char *id)
{
	json_t *o = NULL;

	if (!strcmp(kind, "tip")) {
		struct tip_row t;

		if (store_tip_get(app->store, id, &t))
			return NULL;
		o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:b}",
			      "kind", "tip", "id", t.id, "status", t.status, "urgency", t.urgency,
			      "created_at", (json_int_t)t.created_at, "country", t.country,
			      "region", t.region, "city", t.city, "kinds", t.kinds,
			      "typology", t.typology, "danger_now", t.danger_now);
		tip_row_release(&t);
	} else {
		struct case_row c;

		if (store_case_get(app->store, id, &c))
			return NULL;
		o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:b}",
			      "kind", "case", "id", c.id, "status", c.status, "urgency", c.urgency,
			      "created_at", (json_int_t)c.created_at, "country", c.country,
			      "region", c.region, "city", c.city, "kinds", c.kinds,
			      "typology", c.typology, "danger_now", c.danger_now);
		case_row_release(&c);
	}
	return o;
}

/* What one round read from the store, whichever mode. */
struct round {
	size_t count;
	const char *(*kind)(const struct round *r, size_t i);
	const char *(*id)(const struct round *r, size_t i);
	int64_t (*pos)(const struct round *r, size_t i);
	struct search_hit_list hits;
	struct entity_link_list links;
};

static const char *hit_kind(const struct round *r, size_t i) { return r->hits.rows[i].doc_kind; }
static const char *hit_id(const struct round *r, size_t i) { return r->hits.rows[i].ref; }
static int64_t hit_pos(const struct round *r, size_t i) { return r->hits.rows[i].pos; }
static const char *link_kind(const struct round *r, size_t i) { return r->links.rows[i].doc_kind; }
static const char *link_id(const struct round *r, size_t i) { return r->links.rows[i].ref; }
static int64_t link_pos(const struct round *r, size_t i) { return r->links.rows[i].pos; }

static int read_round(struct app *app, const char *fts, const unsigned char *blind,
		      int64_t before, int limit, struct round *r)
{
	int64_t next;
	int rc;

	memset(r, 0, sizeof(*r));
	if (fts) {
		rc = store_search(app->store, fts, before, limit, &r->hits);
		r->count = r->hits.count;
		r->kind = hit_kind;
		r->id = hit_id;
		r->pos = hit_pos;
	} else {
		rc = store_entity_find(app->store, blind, before, limit, &r->links, &next);
		r->count = r->links.count;
		r->kind = link_kind;
		r->id = link_id;
		r->pos = link_pos;
	}
	return rc;
}

static void round_release(struct round *r)
{
	search_hit_list_release(&r->hits);
	entity_link_list_release(&r->links);
}

/*
 * Fills results with up to limit visible hits after before; *next is
 * the cursor after the last one examined, 0 when the store has no more.
 */
static int collect(struct app *app, const struct auth_user *u, const char *fts,
		   const unsigned char *blind, int64_t before, int limit, json_t *results,
		   int64_t *next)
{
	int batch = limit * 2 > 500 ? 500 : limit * 2;
	int rounds, rc = VG_OK;

	*next = 0;
	for (rounds = 0; rounds < SEARCH_ROUNDS; rounds++) {
		struct round r;
		size_t i;

		rc = read_round(app, fts, blind, before, batch, &r);
		if (rc)
			return rc;
		for (i = 0; i < r.count; i++) {
			json_t *o;

			before = r.pos(&r, i);
			if (!may_see(app, u, r.kind(&r, i), r.id(&r, i)))
				continue;
			o = summary(app, r.kind(&r, i), r.id(&r, i));
			if (o && json_array_append_new(results, o)) {
				rc = VG_NOMEM;
				break;
			}
			if (json_array_size(results) == (size_t)limit)
				break;
		}
		/* More may follow unless the store gave a short batch that was read to its end. */
		*next = (i < r.count || r.count == (size_t)batch) ? before : 0;
		round_release(&r);
		if (rc || json_array_size(results) == (size_t)limit || !*next)
			break;
	}
	return rc;
}

int search_run(struct app *app, const struct auth_user *u, const char *q, int64_t before,
	       int limit, json_t **out)
{
	char fts[SEARCH_QUERY_MAX * 4], value[LINKS_VALUE_MAX], detail[SEARCH_QUERY_MAX * 4 + 16];
	unsigned char blind[32];
	enum links_kind kind;
	json_t *res = NULL, *results;
	int64_t next = 0;
	int rc, entity;

	assert(limit > 0 && limit <= SEARCH_LIMIT_MAX);
	if (!access_allowed(u, ACCESS_SEARCH))
		return VG_FORBIDDEN;
	rc = text_check_line(q, strlen(q), SEARCH_QUERY_MAX);
	if (rc)
		return rc;
	rc = links_detect(q, &kind, value);
	if (rc && rc != VG_NOTFOUND)
		return rc;
	entity = rc == VG_OK;
	if (entity) {
		links_blind(&app->keys, kind, value, blind);
		sodium_memzero(value, sizeof(value));
		snprintf(detail, sizeof(detail), "entity %s", links_kind_name(kind));
	} else {
		rc = search_fts_query(q, fts, sizeof(fts));
		if (rc)
			return rc;
		snprintf(detail, sizeof(detail), "text %s", fts);
	}
	res = json_pack("{s:s, s:[]}", "mode", entity ? "entity" : "text", "results");
	if (!res)
		return VG_NOMEM;
	if (entity)
		json_object_set_new(res, "entity_kind", json_string(links_kind_name(kind)));
	results = json_object_get(res, "results");
	rc = collect(app, u, entity ? NULL : fts, entity ? blind : NULL, before, limit, results,
		     &next);
	if (rc)
		goto out;
	json_object_set_new(res, "next", json_integer(next));
	app_audit(app, u->id, "search", NULL, detail);
	*out = res;
	res = NULL;
out:
	json_decref(res);
	return rc;
}

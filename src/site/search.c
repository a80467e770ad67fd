/*
 * search.c - staff search, related tips and cases, and the entities staff
 * add to a case: the page /staff/search, the partials the tip and case
 * pages include, and their JSON API (docs/search.md, docs/api.md).
 */
#include "base/compat.h"
#include "site/site.h"
#include "app/access.h"
#include "app/links.h"
#include "app/search.h"

/* Reads ?before= (a cursor from a previous page) and ?limit=. */
static int paging(struct reqctx *c, int64_t *before, int *limit)
{
	const char *b = http_query(c->req, "before");
	const char *l = http_query(c->req, "limit");
	char *end;

	*before = 0;
	*limit = SEARCH_LIMIT_DEFAULT;
	if (b && b[0]) {
		*before = strtoll(b, &end, 10);
		if (*end || *before <= 0)
			return VG_INVAL;
	}
	if (l && l[0]) {
		long n = strtol(l, &end, 10);

		if (*end || n < 1 || n > SEARCH_LIMIT_MAX)
			return VG_INVAL;
		*limit = (int)n;
	}
	return VG_OK;
}

/* Adds the labels the page shows to each result. */
static void label_results(struct reqctx *c, json_t *results)
{
	json_t *r;
	size_t i;

	json_array_foreach(results, i, r) {
		int tip = !strcmp(json_string_value(json_object_get(r, "kind")), "tip");

		json_object_set_new(r, "is_tip", json_boolean(tip));
		json_object_set_new(r, "kind_label", json_string(page_tr(c, tip ? N_("Tip") :
									  N_("Case"))));
	}
}

void staff_search(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	const char *q = http_query(req, "q");
	json_t *d, *found = NULL;
	int64_t before;
	int limit, rc;

	(void)res;
	if (!access_allowed(&c->user, ACCESS_SEARCH)) {
		page_error(c, 403, N_("Your role does not allow this."));
		return;
	}
	if (paging(c, &before, &limit)) {
		page_error(c, 400, N_("This page of results does not exist."));
		return;
	}
	d = page_data(c, N_("Search"));
	json_object_set_new(d, "q", json_string(q ? q : ""));
	if (q && q[0]) {
		rc = search_run(c->app, &c->user, q, before, limit, &found);
		if (rc == VG_INVAL || rc == VG_UTF8 || rc == VG_TOOBIG) {
			json_object_set_new(d, "notice", json_string(page_tr(c,
				N_("Type words, an id, or a phone number, email address, web address or handle."))));
		} else if (rc) {
			json_decref(d);
			page_error(c, page_status_of(rc), N_("The search could not be run."));
			return;
		} else {
			json_t *results = json_object_get(found, "results");
			const char *ek = json_string_value(json_object_get(found, "entity_kind"));
			int k = ek ? links_kind_parse(ek) : -1;

			label_results(c, results);
			json_object_set(d, "results", results);
			json_object_set_new(d, "searched", json_true());
			json_object_set_new(d, "empty", json_boolean(json_array_size(results) == 0));
			if (k >= 0)
				json_object_set_new(d, "entity_label",
						    json_string(page_tr(c, links_kind_label((enum links_kind)k))));
			json_object_set(d, "next", json_object_get(found, "next"));
			json_decref(found);
		}
	}
	page_render(c, 200, "search", d);
}

void api_search(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	const char *q = http_query(req, "q");
	json_t *found;
	int64_t before;
	int limit, rc;

	(void)res;
	if (!access_allowed(&c->user, ACCESS_SEARCH)) {
		api_error(c, 403, "forbidden", "your role does not allow searching");
		return;
	}
	if (paging(c, &before, &limit)) {
		api_error(c, 400, "bad_request",
			  "before must be a next value from a previous page, limit 1 to 100");
		return;
	}
	rc = search_run(c->app, &c->user, q ? q : "", before, limit, &found);
	if (rc == VG_INVAL || rc == VG_UTF8 || rc == VG_TOOBIG) {
		api_error(c, 400, "bad_request", "q must be 1 to 200 bytes of text with a word in it");
		return;
	}
	if (rc) {
		api_error(c, page_status_of(rc), "internal", "the search could not be run");
		return;
	}
	api_json(c, 200, found);
}

/* Translates the kind label of each entity of values. */
static void label_values(struct reqctx *c, json_t *values)
{
	json_t *w;
	size_t i;

	json_array_foreach(values, i, w)
		json_object_set_new(w, "label", json_string(page_tr(c,
			json_string_value(json_object_get(w, "label")))));
}

/* Adds the translated labels of related tips and cases and of why they are. */
static void label_related(struct reqctx *c, json_t *related)
{
	json_t *r;
	size_t i;

	label_results(c, related);
	json_array_foreach(related, i, r)
		label_values(c, json_object_get(r, "why"));
}

int search_related_fill(struct reqctx *c, json_t *data, const char *tip_id, const char *case_id)
{
	json_t *related = NULL, *entities = NULL, *kinds;
	int rc, k;

	rc = links_related(c->app, &c->user, tip_id, case_id, &related);
	if (!rc && case_id[0])
		rc = links_entities(c->app, "", case_id, &entities);
	if (rc) {
		json_decref(related);
		return rc;
	}
	label_related(c, related);
	json_object_set_new(data, "related", related);
	json_object_set_new(data, "has_related", json_boolean(json_array_size(related) > 0));
	if (!case_id[0])
		return VG_OK;
	label_values(c, entities);
	json_object_set_new(data, "entities", entities);
	json_object_set_new(data, "entity_case", json_string(case_id));
	json_object_set_new(data, "can_link",
			    json_boolean(access_allowed(&c->user, ACCESS_LINK)));
	kinds = json_array();
	for (k = 0; k < LINKS_KIND_COUNT; k++)
		json_array_append_new(kinds, json_pack("{s:s, s:s}", "value",
			links_kind_name((enum links_kind)k), "label",
			page_tr(c, links_kind_label((enum links_kind)k))));
	json_object_set_new(data, "entity_kinds", kinds);
	return VG_OK;
}

/* The message of a failed links_add or links_remove. */
static const char *entity_error(int rc)
{
	switch (rc) {
	case VG_NOTFOUND: return N_("There is no case with this id.");
	case VG_FORBIDDEN: return N_("Your role does not allow this.");
	case VG_EXISTS: return N_("The case already has this.");
	case VG_INVAL:
	case VG_UTF8:
	case VG_TOOBIG: return N_("This is not a value of that kind.");
	default: return N_("This could not be saved. Please try again.");
	}
}

static void back_to_case(struct reqctx *c, const char *case_id)
{
	char to[64];

	snprintf(to, sizeof(to), "/staff/cases/%s", case_id);
	http_redirect(c->res, to);
}

void staff_case_entity_add(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	struct form f;
	int rc;

	(void)res;
	form_init(&f);
	if (page_form(c, &f) || !page_csrf_ok(c, &f))
		goto out;
	rc = links_add(c->app, &c->user, req->param, page_field(&f, "kind"),
		       page_field(&f, "value"), "");
	if (rc == VG_MERGED) {
		page_merged(c, req->param);
		goto out;
	}
	if (rc) {
		page_error(c, rc == VG_EXISTS || rc == VG_UTF8 || rc == VG_TOOBIG ? 422 :
			   page_status_of(rc), entity_error(rc));
		goto out;
	}
	back_to_case(c, req->param);
out:
	form_release(&f);
}

void staff_case_entity_remove(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	struct form f;
	int rc;

	(void)res;
	form_init(&f);
	if (page_form(c, &f) || !page_csrf_ok(c, &f))
		goto out;
	rc = links_remove(c->app, &c->user, req->param, page_field(&f, "entity"));
	if (rc) {
		page_error(c, page_status_of(rc), entity_error(rc));
		goto out;
	}
	back_to_case(c, req->param);
out:
	form_release(&f);
}

/* GET /api/v1/{tips,cases}/{id}/related once access to the owner is checked. */
static void api_related(struct reqctx *c, const char *tip_id, const char *case_id, int rc)
{
	json_t *related = NULL, *entities = NULL;

	if (rc) {
		api_error(c, page_status_of(rc), rc == VG_NOTFOUND ? "not_found" : "forbidden",
			  rc == VG_NOTFOUND ? "there is no such tip or case" :
			  "your role does not allow this");
		return;
	}
	rc = links_related(c->app, &c->user, tip_id, case_id, &related);
	if (!rc)
		rc = links_entities(c->app, tip_id, case_id, &entities);
	if (rc) {
		json_decref(related);
		api_error(c, page_status_of(rc), "internal", "the links could not be read");
		return;
	}
	app_audit(c->app, c->user.id, "related", tip_id[0] ? tip_id : case_id, NULL);
	api_json(c, 200, json_pack("{s:o, s:o}", "entities", entities, "related", related));
}

void api_tip_related(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;

	(void)res;
	api_related(c, req->param, "", access_tip(c->app, &c->user, req->param, ACCESS_READ_TIPS));
}

void api_case_related(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;

	(void)res;
	api_related(c, "", req->param,
		    access_case(c->app, &c->user, req->param, ACCESS_READ_CASE));
}

void api_case_entity_add(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	const char *kind, *value;
	json_t *body;
	int rc;

	(void)res;
	if (api_body(c, &body))
		return;
	kind = json_string_value(json_object_get(body, "kind"));
	value = json_string_value(json_object_get(body, "value"));
	if (!kind || !value) {
		json_decref(body);
		api_error(c, 400, "bad_request", "kind and value are required strings");
		return;
	}
	rc = links_add(c->app, &c->user, req->param, kind, value, "");
	json_decref(body);
	switch (rc) {
	case VG_OK:
		api_json(c, 201, json_pack("{s:b}", "added", 1));
		break;
	case VG_NOTFOUND:
		api_error(c, 404, "not_found", "there is no such case");
		break;
	case VG_FORBIDDEN:
		api_error(c, 403, "forbidden", "your role does not allow this");
		break;
	case VG_EXISTS:
		api_error(c, 409, "exists", "the case already has this value");
		break;
	case VG_MERGED:
		page_merged(c, req->param);
		break;
	case VG_INVAL:
	case VG_UTF8:
	case VG_TOOBIG:
		api_error(c, 422, "invalid", "kind must be phone, email, url, handle, name, "
			  "address or plate, and value one of that kind");
		break;
	default:
		api_error(c, page_status_of(rc), "internal", "the value could not be saved");
		break;
	}
}

/*
 * Restricted cases: the page and the API where an admin or a supervisor
 * marks a case restricted and names the users and teams who may still open
 * it (app/access.h decides; store/access.h keeps the list). Every change is
 * audited and recorded in the case's history.
 */
#include "base/compat.h"
#include "site/site.h"
#include "app/access.h"
#include "base/clock.h"
#include "store/access.h"

/*
 * The object-level check of the case in the path; answers 404 or 403
 * itself. A case the user may not know exists is "no such case".
 */
static int case_ok(struct reqctx *c, const char *id)
{
	int rc = access_case(c->app, &c->user, id, ACCESS_RESTRICT);

	if (!rc)
		return 1;
	page_error(c, page_status_of(rc), rc == VG_NOTFOUND ?
		   N_("There is no case with this id.") : N_("Your role does not allow this."));
	return 0;
}

/* The case's flag and list as JSON: {"restricted": b, "grants": [...]}. */
static int access_json(struct reqctx *c, const char *id, json_t **out)
{
	struct access_grant_list l = {0};
	struct access_facts f;
	json_t *grants;
	size_t i;
	int rc;

	rc = store_access_case(c->app->store, id, c->user.id, &f);
	if (!rc)
		rc = store_access_grants(c->app->store, id, &l);
	if (rc)
		return rc;
	grants = json_array();
	for (i = 0; i < l.count; i++) {
		char at[CLOCK_ISO_SIZE];

		clock_iso(l.rows[i].granted_at, at);
		json_array_append_new(grants, json_pack("{s:I, s:s, s:s, s:s}",
			"id", (json_int_t)l.rows[i].id,
			"kind", l.rows[i].team_id ? "team" : "user",
			"name", l.rows[i].name, "granted_at", at));
	}
	access_grant_list_release(&l);
	*out = json_pack("{s:s, s:b, s:o}", "case", id, "restricted", f.restricted,
			 "grants", grants);
	return *out ? VG_OK : VG_NOMEM;
}

static void render(struct reqctx *c, const char *id, int status, const char *error)
{
	json_t *d, *a = NULL;
	int rc = access_json(c, id, &a);

	if (rc) {
		page_error(c, page_status_of(rc), N_("The access list could not be loaded."));
		return;
	}
	d = page_data(c, N_("Who may open this case"));
	json_object_set_new(d, "access", a);
	if (error)
		json_object_set_new(d, "error", json_string(page_tr(c, error)));
	page_render(c, status, "case_access", d);
}

void staff_case_access(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;

	(void)res;
	if (!case_ok(c, req->param))
		return;
	app_audit(c->app, c->user.id, "case.access_view", req->param, NULL);
	render(c, req->param, 200, NULL);
}

/*
 * One change: "restrict", "unrestrict", "grant_user", "grant_team" (name)
 * or "revoke" (grant). Audited as case.restrict, case.unrestrict,
 * case.grant or case.revoke.
 */
static int apply(struct reqctx *c, const char *id, const char *action, const char *name,
		 int64_t grant)
{
	int64_t now = clock_now();
	char detail[96];
	int rc;

	if (!strcmp(action, "restrict") || !strcmp(action, "unrestrict")) {
		int on = !strcmp(action, "restrict");

		rc = store_access_restrict(c->app->store, id, on, c->user.id, now);
		if (!rc)
			app_audit(c->app, c->user.id, on ? "case.restrict" : "case.unrestrict",
				  id, NULL);
		return rc;
	}
	if (!strcmp(action, "grant_user") || !strcmp(action, "grant_team")) {
		int team = !strcmp(action, "grant_team");

		if (!name || !name[0] || strlen(name) > 64)
			return VG_INVAL;
		rc = store_access_grant(c->app->store, id, team, name, c->user.id, now);
		snprintf(detail, sizeof(detail), "%s:%s", team ? "team" : "user", name);
		if (!rc)
			app_audit(c->app, c->user.id, "case.grant", id, detail);
		return rc;
	}
	if (!strcmp(action, "revoke")) {
		rc = store_access_revoke(c->app->store, id, grant, c->user.id, now);
		snprintf(detail, sizeof(detail), "%" PRId64, grant);
		if (!rc)
			app_audit(c->app, c->user.id, "case.revoke", id, detail);
		return rc;
	}
	return VG_INVAL;
}

void staff_case_access_update(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	char next[96];
	struct form f;
	char *end;
	int64_t grant;
	int rc;

	form_init(&f);
	if (page_form(c, &f))
		return;
	if (!page_csrf_ok(c, &f) || !case_ok(c, req->param))
		goto out;
	grant = strtoll(page_field(&f, "grant"), &end, 10);
	rc = apply(c, req->param, page_field(&f, "action"), page_field(&f, "name"), grant);
	if (rc == VG_NOTFOUND || rc == VG_EXISTS || rc == VG_INVAL) {
		render(c, req->param, 422, rc == VG_EXISTS ?
		       N_("They may already open this case.") :
		       N_("There is no such user or team, or the change is not possible."));
		goto out;
	}
	if (rc) {
		page_error(c, page_status_of(rc), N_("The access list could not be changed."));
		goto out;
	}
	snprintf(next, sizeof(next), "/staff/cases/%s/access", req->param);
	http_redirect(res, next);
out:
	form_release(&f);
}

void api_case_access_get(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	json_t *a = NULL;
	int rc;

	(void)res;
	if (!case_ok(c, req->param))
		return;
	rc = access_json(c, req->param, &a);
	if (rc) {
		api_error(c, page_status_of(rc), "internal", "the access list could not be loaded");
		return;
	}
	app_audit(c->app, c->user.id, "case.access_view", req->param, NULL);
	api_json(c, 200, a);
}

/*
 * {"action": "restrict" | "unrestrict" | "grant_user" | "grant_team" |
 * "revoke", "name": "...", "grant": 12}; answers with the new list.
 */
void api_case_access_update(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	json_t *j = NULL, *a = NULL;
	const char *action, *name;
	json_int_t grant;
	int rc;

	(void)res;
	if (api_body(c, &j))
		return;
	if (!case_ok(c, req->param))
		goto out;
	action = json_string_value(json_object_get(j, "action"));
	name = json_string_value(json_object_get(j, "name"));
	grant = json_integer_value(json_object_get(j, "grant"));
	if (!action) {
		api_error(c, 422, "invalid", "action is required");
		goto out;
	}
	rc = apply(c, req->param, action, name, grant);
	if (rc == VG_INVAL) {
		api_error(c, 422, "invalid", "unknown action, or a name is missing");
	} else if (rc == VG_NOTFOUND) {
		api_error(c, 422, "invalid", "no such user, team or grant");
	} else if (rc == VG_EXISTS) {
		api_error(c, 409, "conflict", "already granted");
	} else if (rc) {
		api_error(c, page_status_of(rc), "internal", "the access list could not be changed");
	} else if ((rc = access_json(c, req->param, &a))) {
		api_error(c, page_status_of(rc), "internal", "the access list could not be loaded");
	} else {
		api_json(c, 200, a);
	}
out:
	json_decref(j);
}

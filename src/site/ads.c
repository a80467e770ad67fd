/*
 * ads.c - the networks of online ads in the staff console and the API:
 * /staff/ads lists the networks `vigil ads import` stored, ranked as
 * `vigil ads report` ranks them, each with a button that turns it into a
 * lead (docs/ads.md, docs/api.md). Nothing is fetched or uploaded here:
 * the networks come from the database.
 */
#include "base/compat.h"
#include "site/site.h"
#include "app/access.h"
#include "app/leads.h"

/* Networks the page shows unless ?top= says otherwise. */
#define ADS_PAGE_TOP 50

/* Reads ?top= (1..ADNET_LIST_MAX), default ADS_PAGE_TOP. */
static int top_of(struct reqctx *c, int *top)
{
	const char *t = http_query(c->req, "top");
	char *end;
	long n;

	*top = ADS_PAGE_TOP;
	if (!t || !t[0])
		return VG_OK;
	n = strtol(t, &end, 10);
	if (*end || n < 1 || n > ADNET_LIST_MAX)
		return VG_INVAL;
	*top = (int)n;
	return VG_OK;
}

/* Adds what the page shows but the summary does not say as such. */
static void decorate(json_t *nets)
{
	json_t *n, *ads;
	size_t i;
	char risk[32];

	json_array_foreach(nets, i, n) {
		json_int_t total = json_integer_value(json_object_get(n, "ads_total"));

		ads = json_object_get(n, "ads");
		snprintf(risk, sizeof(risk), "%.2f", json_number_value(json_object_get(n, "risk")));
		json_object_set_new(n, "rank", json_integer((json_int_t)i + 1));
		json_object_set_new(n, "risk_text", json_string(risk));
		snprintf(risk, sizeof(risk), "%.1f",
			 json_number_value(json_object_get(n, "posting_rate")));
		json_object_set_new(n, "rate_text", json_string(risk));
		if (total > (json_int_t)json_array_size(ads))
			json_object_set_new(n, "more_ads",
					    json_integer(total - (json_int_t)json_array_size(ads)));
		if (!json_string_length(json_object_get(n, "case_id")))
			json_object_del(n, "case_id");
		if (json_integer_value(json_object_get(n, "ages_under_18")) == 0)
			json_object_del(n, "ages_under_18");
	}
}

void staff_ads(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	json_t *d, *nets;
	int top, rc;

	(void)req;
	(void)res;
	if (!access_allowed(&c->user, ACCESS_ADS)) {
		page_error(c, 403, N_("Your role does not allow this."));
		return;
	}
	if (top_of(c, &top)) {
		page_error(c, 400, N_("This page of results does not exist."));
		return;
	}
	rc = leads_list(c->app, &c->user, top, &nets);
	if (rc) {
		page_error(c, page_status_of(rc), N_("The networks could not be read."));
		return;
	}
	decorate(nets);
	d = page_data(c, N_("Ad networks"));
	json_object_set_new(d, "empty", json_boolean(json_array_size(nets) == 0));
	json_object_set_new(d, "networks", nets);
	page_render(c, 200, "staff_ads", d);
}

void staff_ads_lead(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	char case_id[CASE_ID_SIZE], to[64];
	struct form f;
	int created, rc;

	form_init(&f);
	if (page_form(c, &f) || !page_csrf_ok(c, &f))
		goto out;
	rc = leads_make(c->app, &c->user, req->param, case_id, &created);
	if (rc) {
		page_error(c, page_status_of(rc), rc == VG_FORBIDDEN ?
			   N_("Your role does not allow this.") : rc == VG_NOTFOUND ?
			   N_("There is no network with this id.") :
			   N_("The lead could not be opened."));
		goto out;
	}
	snprintf(to, sizeof(to), "/staff/cases/%s", case_id);
	http_redirect(res, to);
out:
	form_release(&f);
}

void api_ads_networks(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	json_t *nets;
	int top, rc;

	(void)req;
	(void)res;
	if (top_of(c, &top)) {
		api_error(c, 400, "bad_request", "top must be a number from 1 to 500");
		return;
	}
	rc = leads_list(c->app, &c->user, top, &nets);
	if (rc == VG_FORBIDDEN) {
		api_error(c, 403, "forbidden", "your role does not allow this");
		return;
	}
	if (rc) {
		api_error(c, page_status_of(rc), "internal", "the networks could not be read");
		return;
	}
	api_json(c, 200, json_pack("{s:o}", "networks", nets));
}

void api_ads_lead(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	char case_id[CASE_ID_SIZE];
	int created, rc;

	(void)res;
	rc = leads_make(c->app, &c->user, req->param, case_id, &created);
	if (rc == VG_FORBIDDEN) {
		api_error(c, 403, "forbidden", "your role does not allow this");
		return;
	}
	if (rc == VG_NOTFOUND) {
		api_error(c, 404, "not_found", "there is no network with this id");
		return;
	}
	if (rc) {
		api_error(c, page_status_of(rc), "internal", "the lead could not be opened");
		return;
	}
	api_json(c, created ? 201 : 200, json_pack("{s:s, s:b}", "case", case_id,
						    "created", created));
}

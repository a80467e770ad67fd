#include "base/compat.h"
#include "site/site.h"
#include "base/log.h"
#include "app/tip.h"
#include "base/clock.h"
#include "site/evidence.h"
#include "site/help.h"
#include "store/cases.h"

const char *page_tr(const struct reqctx *c, const char *msgid)
{
	return i18n_tr(c->lang, msgid);
}

static const char *translate(void *arg, const char *msgid)
{
	return page_tr(arg, msgid);
}

json_t *page_data(struct reqctx *c, const char *title_msgid)
{
	json_t *d = json_object(), *langs = json_array();
	int i;

	if (!d || !langs) {
		json_decref(d);
		json_decref(langs);
		return NULL;
	}
	for (i = 0; i < LANG_COUNT; i++)
		json_array_append_new(langs, json_pack("{s:s, s:s, s:b}",
			"code", i18n_code((enum i18n_lang)i),
			"name", i18n_name((enum i18n_lang)i),
			"current", i == (int)c->lang));
	json_object_set_new(d, "lang", json_string(i18n_code(c->lang)));
	json_object_set_new(d, "langs", langs);
	json_object_set_new(d, "path", json_string(c->req->path));
	json_object_set_new(d, "quick_exit_url", json_string(c->app->cfg.quick_exit_url));
	json_object_set_new(d, "title", json_string(page_tr(c, title_msgid)));
	if (c->authed) {
		json_object_set_new(d, "staff", json_pack("{s:s, s:s}", "name",
			c->user.name, "role", c->user.role));
		json_object_set_new(d, "csrf", json_string(c->csrf));
	} else {
		/* Every public page ends with the lines to call; pages that know
		 * the person's country replace these. */
		help_add(c, d, "footer", NULL, PAGE_FOOTER_LINES);
	}
	return d;
}

void page_render(struct reqctx *c, int status, const char *name, json_t *data)
{
	int rc;

	buf_reset(&c->res->body);
	rc = data ? tpl_render(c->site->tpl, name, data, translate, c, &c->res->body) : VG_NOMEM;
	json_decref(data);
	if (rc) {
		log_error("rendering %s: %s", name, vg_strerror(rc));
		buf_reset(&c->res->body);
		c->res->status = 500;
		c->res->content_type = "text/plain; charset=utf-8";
		buf_adds(&c->res->body, "500 internal error\n");
		return;
	}
	c->res->status = status;
	c->res->content_type = "text/html; charset=utf-8";
}

static int is_api(const struct reqctx *c)
{
	return !strncmp(c->req->path, "/api/", 5);
}

static const char *code_of(int status)
{
	switch (status) {
	case 400: return "bad_request";
	case 401: return "unauthorized";
	case 403: return "forbidden";
	case 404: return "not_found";
	case 405: return "method_not_allowed";
	case 413: return "too_large";
	case 415: return "unsupported_media_type";
	case 422: return "invalid";
	case 429: return "rate_limited";
	case 503: return "unavailable";
	default: return "internal";
	}
}

static const char *error_template(int status)
{
	switch (status) {
	case 429: return "throttled";
	case 503: return "unavailable";
	default: return "error";
	}
}

void page_error(struct reqctx *c, int status, const char *msgid)
{
	json_t *d;

	if (is_api(c)) {
		api_error(c, status, code_of(status), msgid);
		return;
	}
	/* As api_error(): 429 and 503 mean "later, not never". */
	if (status == 429 || status == 503)
		http_add_header(c->res, "Retry-After", "60");
	d = page_data(c, status == 429 ? N_("Please wait a moment") :
			 status == 503 ? N_("Not available right now") :
					 N_("Something went wrong"));
	if (d) {
		/* A person turned away must still see whom to call. */
		if (status == 429 || status == 503)
			help_add(c, d, "help", NULL, 0);
		json_object_set_new(d, "status", json_integer(status));
		json_object_set_new(d, "message", json_string(page_tr(c, msgid)));
	}
	page_render(c, status, error_template(status), d);
}

int page_status_of(int rc)
{
	switch (rc) {
	case VG_OK: return 200;
	case VG_INVAL: return 422;
	case VG_UTF8: return 400;
	case VG_TOOBIG: return 413;
	case VG_NOTFOUND: return 404;
	case VG_AUTH: return 401;
	case VG_FORBIDDEN: return 403;
	case VG_THROTTLED: return 429;
	case VG_MERGED: return 409;
	case VG_READONLY:
	case VG_BUSY: return 503;
	default: return 500;
	}
}

void page_merged(struct reqctx *c, const char *case_id)
{
	struct case_row row = {0};
	char href[64], msg[160];
	const char *into = "";
	json_t *d;

	if (store_case_get(c->app->store, case_id, &row) == VG_OK && row.merged_into)
		into = row.merged_into;
	if (is_api(c)) {
		snprintf(msg, sizeof(msg), "the case was merged into case %s: add to that case",
			 into[0] ? into : "(no longer kept)");
		api_json(c, 409, json_pack("{s:{s:s, s:s, s:s}}", "error", "code", "merged",
					   "message", msg, "merged_into", into));
		goto out;
	}
	d = page_data(c, N_("This case was merged into another"));
	if (d) {
		json_object_set_new(d, "status", json_integer(409));
		json_object_set_new(d, "message", json_string(page_tr(c, into[0] ?
			N_("This case was merged into another case. Add to that case instead.") :
			N_("This case was merged into another case that is no longer kept."))));
		if (into[0]) {
			snprintf(href, sizeof(href), "/staff/cases/%s", into);
			json_object_set_new(d, "link", json_pack("{s:s, s:s, s:s}", "href", href,
				"text", page_tr(c, N_("Open the case it was merged into")),
				"id", into));
		}
	}
	page_render(c, 409, "error", d);
out:
	case_row_release(&row);
}

/*
 * Browsers say where a post comes from (Sec-Fetch-Site, Origin). A form
 * posted from another site is refused, so no page elsewhere can file or
 * read tips through a visitor's browser. Clients that send neither header
 * (curl, partners' servers) are not browsers acting for someone else.
 * Sec-Fetch-Site, when sent, decides alone: our pages set "no-referrer",
 * under which Chromium sends "Origin: null" with every form post, even
 * one from our own page (the browser tests found this).
 */
static int cross_site(const struct reqctx *c)
{
	const char *site = http_header(c->req, "Sec-Fetch-Site");
	const char *origin = http_header(c->req, "Origin");
	const char *host = http_header(c->req, "Host");
	const char *p;

	if (site)
		return strcmp(site, "same-origin") && strcmp(site, "none");
	if (!origin || !strcmp(origin, "null"))
		return origin != NULL;
	p = strstr(origin, "://");
	return !p || !host || strcmp(p + 3, host);
}

int page_form(struct reqctx *c, struct form *f)
{
	char ct[64];
	int rc;

	if (c->req->body_too_big) {
		page_error(c, 413, N_("What you sent is too long. Please shorten it and try again."));
		return VG_TOOBIG;
	}
	http_content_type(c->req, ct, sizeof(ct));
	if (strcmp(ct, "application/x-www-form-urlencoded")) {
		page_error(c, 415, N_("This form must be sent as a web form."));
		return VG_INVAL;
	}
	if (cross_site(c)) {
		page_error(c, 403, N_("This form was sent from another site and was refused."));
		return VG_FORBIDDEN;
	}
	rc = form_parse(f, buf_str(&c->req->body), c->req->body.len);
	if (rc == VG_UTF8)
		page_error(c, 400, N_("The form contains text that is not valid UTF-8."));
	else if (rc == VG_TOOBIG)
		page_error(c, 413, N_("The form has too many fields."));
	else if (rc)
		page_error(c, 400, N_("The form could not be read."));
	return rc;
}

const char *page_field(const struct form *f, const char *name)
{
	const char *v = form_get(f, name, NULL);

	return v ? v : "";
}

int page_csrf_ok(struct reqctx *c, const struct form *f)
{
	if (c->csrf[0] && token_equal(page_field(f, "csrf"), c->csrf))
		return 1;
	page_error(c, 403, N_("This form has expired. Go back, reload the page and try again."));
	return 0;
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

/* "sex,labor" as translated labels. */
static json_t *kind_labels(struct reqctx *c, const char *kinds)
{
	json_t *arr = json_array();

	while (arr && *kinds) {
		size_t n = strcspn(kinds, ",");
		char kind[32];

		if (n > 0 && n < sizeof(kind)) {
			memcpy(kind, kinds, n);
			kind[n] = '\0';
			json_array_append_new(arr, json_string(page_tr(c, evidence_kind_label(kind))));
		}
		kinds += n + (kinds[n] == ',');
	}
	return arr;
}

json_t *site_tip_summary(struct reqctx *c, const struct tip_row *t)
{
	char created[32], updated[32], where[512];
	const struct geo_country *country = t->country[0] ? geo_country(c->app->geo, t->country) : NULL;

	clock_human(t->created_at, created);
	clock_human(t->updated_at, updated);
	snprintf(where, sizeof(where), "%s%s%s%s%s", t->city,
		 t->city[0] && t->region[0] ? ", " : "", t->region,
		 (t->city[0] || t->region[0]) && country ? ", " : "",
		 country ? i18n_dtr(c->lang, "iso_3166-1", country->name) : "");
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:s, s:s, s:s, s:s, s:b, s:o}",
		"id", t->id, "created", created, "updated", updated,
		"status", t->status, "status_label", page_tr(c, tip_status_label(t->status)),
		"source", t->source, "where", where,
		"danger_now", t->danger_now, "may_contact", t->may_contact,
		"screen_status", nz(t->screen_status),
		"screen_label", page_tr(c, evidence_status_label(nz(t->screen_status))),
		"urgency", nz(t->urgency),
		"urgency_label", page_tr(c, evidence_urgency_label(nz(t->urgency))),
		"crisis", t->urgency && !strcmp(t->urgency, "crisis"),
		"kinds", kind_labels(c, nz(t->kinds)));
}

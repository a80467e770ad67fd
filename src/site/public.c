/*
 * public.c - the pages anyone can open: home, report a tip, check a report,
 * get help, and the static assets. Nothing here reads the client's address
 * or user agent (the http layer does not offer them), and nothing sets a
 * cookie but the language choice.
 */
#include "base/compat.h"
#include "site/site.h"
#include "app/tip.h"
#include "base/clock.h"
#include "base/embedded.h"
#include "site/help.h"

void public_home(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;

	(void)req;
	(void)res;
	page_render(c, 200, "home", page_data(c, N_("Report human trafficking")));
}

static json_t *country_options(struct reqctx *c, const char *selected);

void public_help(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	const char *country = http_query(req, "country");
	json_t *d;

	(void)res;
	if (country && country[0] && !geo_country(c->app->geo, country)) {
		page_error(c, 404, N_("We do not know that country. Choose one from the list."));
		return;
	}
	d = page_data(c, N_("Get help"));
	help_add(c, d, "help", country, 0);
	help_add(c, d, "footer", country, PAGE_FOOTER_LINES);
	/* help_add chose the country shown (the default when none was asked). */
	json_object_set_new(d, "countries", country_options(c,
		json_string_value(json_object_get(json_object_get(d, "help"), "country"))));
	page_render(c, 200, "help", d);
}

static json_t *country_options(struct reqctx *c, const char *selected)
{
	json_t *arr = json_array();
	size_t i, n;
	const struct geo_country *list = geo_countries(c->app->geo, &n);

	for (i = 0; arr && i < n; i++)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:b}",
			"code", list[i].code,
			"name", i18n_dtr(c->lang, "iso_3166-1", list[i].name),
			"selected", selected && !strcmp(list[i].code, selected)));
	return arr;
}

static json_t *language_options(struct reqctx *c, const char *selected)
{
	json_t *arr = json_array();
	int i;

	for (i = 0; arr && i < LANG_COUNT; i++) {
		const char *code = i18n_code((enum i18n_lang)i);

		json_array_append_new(arr, json_pack("{s:s, s:s, s:b}", "code", code,
			"name", i18n_name((enum i18n_lang)i),
			"selected", selected[0] ? !strcmp(code, selected) : i == (int)c->lang));
	}
	return arr;
}

static const char *const report_fields[] = {
	"narrative", "region", "city", "place", "when", "people", "ages", "contact",
};

/* The report page, empty or refilled from f with errs shown. */
static void render_report(struct reqctx *c, int status, const struct form *f,
			  const struct tip_errors *errs)
{
	json_t *d = page_data(c, N_("Report a tip"));
	json_t *form = json_object(), *errors = json_array(), *field_errors = json_object();
	const char *country = f ? page_field(f, "country") : "";
	const char *danger = f ? page_field(f, "danger_now") : "";
	size_t i;

	for (i = 0; f && i < ARRAY_SIZE(report_fields); i++)
		json_object_set_new(form, report_fields[i],
				    json_string(page_field(f, report_fields[i])));
	json_object_set_new(form, "danger_yes", json_boolean(!strcmp(danger, "yes")));
	json_object_set_new(form, "danger_no", json_boolean(!strcmp(danger, "no")));
	json_object_set_new(form, "may_contact",
			    json_boolean(f && !strcmp(page_field(f, "may_contact"), "yes")));
	for (i = 0; errs && i < errs->count; i++) {
		const char *msg = page_tr(c, errs->e[i].msg);

		json_array_append_new(errors, json_pack("{s:s, s:s}", "field",
			errs->e[i].field, "message", msg));
		json_object_set_new(field_errors, errs->e[i].field, json_string(msg));
	}
	json_object_set_new(d, "form", form);
	json_object_set_new(d, "errors", errors);
	json_object_set_new(d, "field_errors", field_errors);
	json_object_set_new(d, "countries", country_options(c, country));
	json_object_set_new(d, "languages",
			    language_options(c, f ? page_field(f, "language") : ""));
	page_render(c, status, "report", d);
}

void public_report_form(void *ctx, struct http_request *req, struct http_response *res)
{
	(void)req;
	(void)res;
	render_report(ctx, 200, NULL, NULL);
}

void public_report_submit(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	struct form f;
	struct tip_input in = {0};
	struct tip_errors errs = {0};
	struct tip_receipt r;
	json_t *d;
	int rc;

	(void)req;
	(void)res;
	form_init(&f);
	if (page_form(c, &f))
		return;
	in.narrative = page_field(&f, "narrative");
	in.country = page_field(&f, "country");
	in.region = page_field(&f, "region");
	in.city = page_field(&f, "city");
	in.place = page_field(&f, "place");
	in.when = page_field(&f, "when");
	in.people = page_field(&f, "people");
	in.ages = page_field(&f, "ages");
	in.contact = page_field(&f, "contact");
	in.language = page_field(&f, "language");
	in.danger_now = !strcmp(page_field(&f, "danger_now"), "yes");
	in.may_contact = !strcmp(page_field(&f, "may_contact"), "yes");
	in.source = "web";
	rc = tip_submit(c->app, &in, &errs, &r);
	if (rc == VG_INVAL) {
		render_report(c, 422, &f, &errs);
		goto out;
	}
	if (rc) {
		page_error(c, page_status_of(rc), rc == VG_THROTTLED ?
			   N_("We are receiving many reports right now. Please try again in a minute, or call one of the numbers below.") :
			   rc == VG_READONLY || rc == VG_BUSY ?
			   N_("Your report was NOT saved: we cannot store reports right now. Please try again in a few minutes, or call one of the numbers below.") :
			   N_("Your report could not be saved. Please try again, or call one of the numbers below."));
		goto out;
	}
	d = page_data(c, N_("Thank you: keep your receipt"));
	help_add(c, d, "help", in.country, 0);
	help_add(c, d, "footer", in.country, PAGE_FOOTER_LINES);
	json_object_set_new(d, "receipt", json_string(r.receipt));
	json_object_set_new(d, "danger_now", json_boolean(in.danger_now));
	page_render(c, 201, "report_done", d);
out:
	form_release(&f);
}

void public_check_form(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;

	(void)req;
	(void)res;
	page_render(c, 200, "check", page_data(c, N_("Check a report")));
}

/*
 * Shows the report for the receipt in the form, or the one answer every
 * wrong receipt gets. `added` is 1 after the reporter added a message,
 * error a msgid when adding failed.
 */
static void render_check(struct reqctx *c, const struct tip_row *t, const char *receipt,
			 int added, const char *error)
{
	json_t *d = page_data(c, N_("Your report")), *messages = NULL;
	char created[32];
	int rc;

	rc = tip_messages(c->app, t->id, &messages);
	if (rc) {
		json_decref(d);
		page_error(c, page_status_of(rc), N_("Your report could not be opened. Please try again."));
		return;
	}
	clock_human(t->created_at, created);
	help_add(c, d, "footer", t->country, PAGE_FOOTER_LINES);
	json_object_set_new(d, "receipt", json_string(receipt));
	json_object_set_new(d, "status_label", json_string(page_tr(c, tip_status_label(t->status))));
	json_object_set_new(d, "created", json_string(created));
	json_object_set_new(d, "messages", messages);
	json_object_set_new(d, "added", json_boolean(added));
	if (error)
		json_object_set_new(d, "error", json_string(page_tr(c, error)));
	page_render(c, error ? 422 : 200, "check_view", d);
}

static void render_not_found(struct reqctx *c)
{
	json_t *d = page_data(c, N_("Check a report"));

	json_object_set_new(d, "not_found", json_true());
	page_render(c, 404, "check", d);
}

void public_check(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	struct tip_row t = {0};
	struct form f;
	size_t len = 0;
	const char *receipt;

	(void)req;
	(void)res;
	form_init(&f);
	if (page_form(c, &f))
		return;
	receipt = form_get(&f, "receipt", &len);
	if (tip_find_by_receipt(c->app, receipt ? receipt : "", len, &t))
		render_not_found(c);
	else
		render_check(c, &t, receipt, 0, NULL);
	tip_row_release(&t);
	form_release(&f);
}

void public_check_add(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	struct tip_row t = {0};
	struct form f;
	size_t len = 0, mlen = 0;
	const char *receipt, *message, *error = NULL;
	int rc;

	(void)req;
	(void)res;
	form_init(&f);
	if (page_form(c, &f))
		return;
	receipt = form_get(&f, "receipt", &len);
	if (tip_find_by_receipt(c->app, receipt ? receipt : "", len, &t)) {
		render_not_found(c);
		goto out;
	}
	message = form_get(&f, "message", &mlen);
	rc = tip_add_message(c->app, t.id, "reporter", 0, message ? message : "", mlen);
	if (rc == VG_INVAL)
		error = N_("Please write something before sending.");
	else if (rc == VG_TOOBIG)
		error = N_("This is too long.");
	else if (rc == VG_UTF8)
		error = N_("This contains characters we cannot accept.");
	else if (rc) {
		page_error(c, page_status_of(rc), N_("Your message could not be saved. Please try again."));
		goto out;
	}
	render_check(c, &t, receipt, !error, error);
out:
	tip_row_release(&t);
	form_release(&f);
}

static const char *media_type(const char *name)
{
	const char *dot = strrchr(name, '.');

	if (dot && !strcmp(dot, ".css"))
		return "text/css; charset=utf-8";
	if (dot && !strcmp(dot, ".js"))
		return "text/javascript; charset=utf-8";
	if (dot && !strcmp(dot, ".svg"))
		return "image/svg+xml";
	if (dot && !strcmp(dot, ".png"))
		return "image/png";
	if (dot && !strcmp(dot, ".ico"))
		return "image/x-icon";
	return "application/octet-stream";
}

void public_static(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	const struct embedded_file *f = embedded_find(embedded_static, req->param);

	if (!f) {
		page_error(c, 404, N_("There is no page at this address."));
		return;
	}
	buf_reset(&res->body);
	if (buf_add(&res->body, f->data, f->len)) {
		page_error(c, 500, N_("Something went wrong"));
		return;
	}
	res->content_type = media_type(f->name);
	res->cache_static = 1;
}

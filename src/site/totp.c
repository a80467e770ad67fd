/*
 * The second factor in the staff console: the page that asks for the code
 * after the password, and the page where a user sets up their
 * authenticator app or removes it. The secret is shown as text and as an
 * otpauth:// URI, never as an image, so nothing is fetched from anywhere.
 */
#include "base/compat.h"
#include "site/site.h"
#include "app/totp.h"

#include <sodium.h>

static void render_code(struct reqctx *c, int status, const char *error)
{
	json_t *d = page_data(c, N_("Enter your code"));

	if (error)
		json_object_set_new(d, "error", json_string(page_tr(c, error)));
	page_render(c, status, "staff_code", d);
}

void staff_code_form(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;

	(void)req;
	if (!c->user.totp_pending) {
		http_redirect(res, "/staff");
		return;
	}
	render_code(c, 200, NULL);
}

void staff_code(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	struct form f;
	int rc;

	(void)req;
	form_init(&f);
	if (page_form(c, &f))
		return;
	if (!page_csrf_ok(c, &f))
		goto out;
	if (!c->user.totp_pending) {
		http_redirect(res, "/staff");
		goto out;
	}
	rc = auth_totp(c->app, c->token, &c->user, page_field(&f, "code"));
	if (rc == VG_AUTH || rc == VG_THROTTLED) {
		app_audit(c->app, c->user.id, "login_failed", NULL,
			  rc == VG_THROTTLED ? "code throttled" : "code");
		render_code(c, rc == VG_THROTTLED ? 429 : 401, rc == VG_THROTTLED ?
			    N_("Too many wrong codes. Wait five minutes and try again.") :
			    N_("This code is wrong or has already been used."));
		goto out;
	}
	if (rc) {
		page_error(c, page_status_of(rc), N_("The code could not be checked."));
		goto out;
	}
	app_audit(c->app, c->user.id, "login", NULL, "web totp");
	http_redirect(res, c->user.must_change ? "/staff/password" : "/staff");
out:
	form_release(&f);
}

/* The set-up page; e is the new secret to show, or NULL. */
static void render_totp(struct reqctx *c, int status, const struct totp_enrolment *e,
			const char *notice, const char *error)
{
	json_t *d = page_data(c, N_("Second factor"));

	int required = c->app->cfg.totp_admin_required && !strcmp(c->user.role, "admin");

	json_object_set_new(d, "enrolled", json_boolean(c->user.totp_enrolled));
	json_object_set_new(d, "required", json_boolean(required));
	json_object_set_new(d, "removable", json_boolean(c->user.totp_enrolled && !required));
	if (e)
		json_object_set_new(d, "setup", json_pack("{s:s, s:s}", "secret", e->secret,
							  "uri", e->uri));
	if (notice)
		json_object_set_new(d, "notice", json_string(page_tr(c, notice)));
	if (error)
		json_object_set_new(d, "error", json_string(page_tr(c, error)));
	page_render(c, status, "staff_totp", d);
}

void staff_totp_form(void *ctx, struct http_request *req, struct http_response *res)
{
	(void)req;
	(void)res;
	render_totp(ctx, 200, NULL, NULL, NULL);
}

void staff_totp_enrol(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	struct totp_enrolment e;
	struct form f;
	int rc;

	(void)req;
	(void)res;
	form_init(&f);
	if (page_form(c, &f))
		return;
	if (!page_csrf_ok(c, &f))
		goto out;
	rc = totp_enrol(c->app, &c->user, 0, &e);
	if (rc) {
		page_error(c, page_status_of(rc), N_("The second factor could not be set up."));
		goto out;
	}
	app_audit(c->app, c->user.id, "totp.enrol", c->user.name, NULL);
	render_totp(c, 200, &e, NULL, NULL);
	sodium_memzero(&e, sizeof(e));
out:
	form_release(&f);
}

void staff_totp_confirm(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	struct form f;
	int rc;

	(void)req;
	(void)res;
	form_init(&f);
	if (page_form(c, &f))
		return;
	if (!page_csrf_ok(c, &f))
		goto out;
	rc = totp_confirm(c->app, c->user.id, page_field(&f, "code"));
	if (rc == VG_AUTH || rc == VG_THROTTLED || rc == VG_NOTFOUND) {
		render_totp(c, rc == VG_THROTTLED ? 429 : 422, NULL, NULL,
			    rc == VG_NOTFOUND ? N_("Set up the second factor first.") :
			    rc == VG_THROTTLED ?
			    N_("Too many wrong codes. Wait five minutes and try again.") :
			    N_("This code is wrong. Check the time on your device and set up again."));
		goto out;
	}
	if (rc) {
		page_error(c, page_status_of(rc), N_("The code could not be checked."));
		goto out;
	}
	app_audit(c->app, c->user.id, "totp.confirm", c->user.name, NULL);
	c->user.totp_enrolled = 1;
	render_totp(c, 200, NULL, N_("Your second factor is on. You will be asked for a code when you sign in."),
		    NULL);
out:
	form_release(&f);
}

/*
 * Removing one's own second factor takes a current code, not just the
 * session: whoever finds a console left open must not be able to switch
 * it off. An admin the configuration requires to have one cannot.
 */
void staff_totp_remove(void *ctx, struct http_request *req, struct http_response *res)
{
	struct reqctx *c = ctx;
	struct form f;
	int rc;

	(void)req;
	(void)res;
	form_init(&f);
	if (page_form(c, &f))
		return;
	if (!page_csrf_ok(c, &f))
		goto out;
	rc = totp_remove_own(c->app, &c->user, page_field(&f, "code"));
	if (rc == VG_FORBIDDEN) {
		render_totp(c, 403, NULL, NULL,
			    N_("Administrators must use a second factor here; it cannot be removed."));
		goto out;
	}
	if (rc == VG_AUTH || rc == VG_THROTTLED || rc == VG_NOTFOUND) {
		if (rc != VG_NOTFOUND)
			app_audit(c->app, c->user.id, "totp.remove_failed", c->user.name,
				  rc == VG_THROTTLED ? "throttled" : "code");
		render_totp(c, rc == VG_THROTTLED ? 429 : 422, NULL, NULL,
			    rc == VG_NOTFOUND ? N_("You have no second factor to remove.") :
			    rc == VG_THROTTLED ?
			    N_("Too many wrong codes. Wait five minutes and try again.") :
			    N_("This code is wrong or has already been used."));
		goto out;
	}
	if (rc) {
		page_error(c, page_status_of(rc), N_("The second factor could not be removed."));
		goto out;
	}
	app_audit(c->app, c->user.id, "totp.remove", c->user.name, "console");
	c->user.totp_enrolled = 0;
	render_totp(c, 200, NULL, N_("Your second factor is off. You sign in with your password alone."),
		    NULL);
out:
	form_release(&f);
}

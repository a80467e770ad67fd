#include "base/compat.h"
#include "app/referral.h"
#include "base/clock.h"
#include "base/text.h"
#include "crypto/seal.h"
#include "directory/directory.h"
#include "directory/route.h"
#include "base/log.h"

int referral_suggest(struct app *app, const struct tip_view *v, json_t **out)
{
	struct route_place place;
	struct route_result res;
	char err[256];
	int rc;

	if (!v->screening || !app->helplines.rules) {
		*out = json_array();
		return *out ? VG_OK : VG_NOMEM;
	}
	rc = route_place_set(&place, v->row.country[0] ? v->row.country : app->cfg.default_country,
			     v->row.region);
	if (rc)
		return rc;
	route_result_init(&res);
	rc = route_eval(app->helplines.rules, v->screening, &place, clock_now(), &res, err, sizeof(err));
	if (rc)
		log_error("routing tip %s: %s", v->row.id, err);
	if (!rc)
		rc = route_result_json(&res, out);
	route_result_release(&res);
	return rc;
}

static void override_ad(const char *id, char *ad, size_t size)
{
	snprintf(ad, size, "referrals/override/%s", id);
}

int referral_record(struct app *app, const char *tip_id, int64_t user_id,
		    const char *entry_id, const char *rule, int consent,
		    const char *override, char id_out[TOKEN_ID_SIZE])
{
	struct referral_row r = {0};
	char id[TOKEN_ID_SIZE], ad[64];
	size_t olen = override ? strlen(override) : 0;
	int rc;

	if (!app->helplines.directory || !directory_find(app->helplines.directory, entry_id))
		return VG_INVAL;
	if (!consent && (olen == 0 || text_check(override, olen, REFERRAL_OVERRIDE_MAX)))
		return VG_INVAL;
	token_id(id);
	r.id = id;
	r.tip_id = (char *)tip_id;
	r.entry_id = (char *)entry_id;
	r.rule = (char *)(rule ? rule : "");
	r.made_at = clock_now();
	r.user_id = user_id;
	r.consent = !!consent;
	r.outcome = (char *)"made";
	if (!consent) {
		override_ad(id, ad, sizeof(ad));
		rc = seal_encrypt(&app->keys, ad, override, olen, &r.override.data, &r.override.len);
		if (rc)
			return rc;
	}
	rc = store_referral_insert(app->store, &r);
	free(r.override.data);
	if (!rc)
		memcpy(id_out, id, TOKEN_ID_SIZE);
	return rc;
}

int referral_outcome_valid(const char *outcome)
{
	return outcome && (!strcmp(outcome, "accepted") || !strcmp(outcome, "rejected") ||
			   !strcmp(outcome, "done"));
}

int referral_set_outcome(struct app *app, const char *tip_id, const char *id,
			 const char *outcome, int64_t user_id)
{
	if (!referral_outcome_valid(outcome))
		return VG_INVAL;
	return store_referral_set_outcome(app->store, id, tip_id, outcome, clock_now(), user_id);
}

/* The name of user id, or "" when the account is gone. */
static json_t *user_name(struct app *app, int64_t id)
{
	struct user_row u = {0};
	json_t *name;

	if (!id || store_user_by_id(app->store, id, &u))
		return json_string("");
	name = json_string(u.name);
	user_row_release(&u);
	return name;
}

int referral_list(struct app *app, const char *tip_id, json_t **out)
{
	struct referral_list list = {0};
	json_t *arr = json_array();
	size_t i;
	int rc;

	if (!arr)
		return VG_NOMEM;
	rc = store_referral_list(app->store, tip_id, &list);
	for (i = 0; !rc && i < list.count; i++) {
		struct referral_row *r = &list.rows[i];
		const struct directory_entry *e = app->helplines.directory ?
			directory_find(app->helplines.directory, r->entry_id) : NULL;
		char made[CLOCK_ISO_SIZE + 4], outcome_at[CLOCK_ISO_SIZE + 4] = "", ad[64];
		char *override = NULL;
		size_t olen;

		if (r->override.data) {
			override_ad(r->id, ad, sizeof(ad));
			rc = seal_decrypt(&app->keys, ad, r->override.data, r->override.len,
					  &override, &olen);
			if (rc)
				break;
		}
		clock_human(r->made_at, made);
		if (r->outcome_at)
			clock_human(r->outcome_at, outcome_at);
		rc = json_array_append_new(arr, json_pack(
			"{s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:b, s:s, s:s, s:s}",
			"id", r->id, "entry_id", r->entry_id, "name", e ? e->name : r->entry_id,
			"rule", r->rule, "made_at", made, "made_at_unix", (json_int_t)r->made_at,
			"by", user_name(app, r->user_id), "consent", r->consent,
			"override", override ? override : "", "outcome", r->outcome,
			"outcome_at", outcome_at)) ? VG_NOMEM : VG_OK;
		free(override);
	}
	referral_list_release(&list);
	if (rc) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return VG_OK;
}

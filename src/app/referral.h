/*
 * referral.h - referrals: the lines the rules suggest for a tip, and the
 * referrals staff actually make, with the person's consent or the reason
 * they were made without it, and what came of them.
 */
#ifndef VIGIL_REFERRAL_H
#define VIGIL_REFERRAL_H

#include <jansson.h>

#include "app/tip.h"

#define REFERRAL_OVERRIDE_MAX 1000

/*
 * The suggestions for an opened tip, most urgent first, as `vigil route`
 * writes them ([{id, name, phone, email, web, reason, open_now, priority,
 * rule}]); [] for a tip not yet screened.
 */
int referral_suggest(struct app *app, const struct tip_view *v, json_t **out);

/*
 * Records a referral of tip_id to directory entry entry_id by user_id.
 * Without consent, override (1 to REFERRAL_OVERRIDE_MAX bytes) says why;
 * it is sealed. VG_INVAL for an unknown entry or a missing reason,
 * VG_NOTFOUND for an unknown tip.
 */
int referral_record(struct app *app, const char *tip_id, int64_t user_id,
		    const char *entry_id, const char *rule, int consent,
		    const char *override, char id_out[TOKEN_ID_SIZE]);

/* 1 for an outcome staff may record: accepted, rejected, done. */
int referral_outcome_valid(const char *outcome);

/* Records what came of referral id of tip_id. VG_INVAL, VG_NOTFOUND. */
int referral_set_outcome(struct app *app, const char *tip_id, const char *id,
			 const char *outcome, int64_t user_id);

/*
 * The referrals made for tip_id, oldest first: [{id, entry_id, name,
 * rule, made_at, made_at_unix, by, consent, override, outcome,
 * outcome_at}] with the override reason opened.
 */
int referral_list(struct app *app, const char *tip_id, json_t **out);

#endif

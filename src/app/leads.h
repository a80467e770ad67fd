/*
 * leads.h - networks of online ads in the database, and leads: cases
 * opened from a network instead of from a tip (docs/ads.md, "Networks in
 * the console and leads").
 *
 * `vigil ads import` reads what `vigil ads cluster --networks` wrote and
 * stores each network (leads_store); the staff console lists them in rank
 * order (leads_list) and turns one into a lead (leads_make), as the command
 * does for the networks it is told to. A lead is a case with no tip whose
 * entities are the network's phones and emails, normalised and
 * blind-indexed as app/links.h does, so that the case is related to every
 * tip and case that gives one of them.
 *
 * Idempotent: a network is recognised by any of its ads (a keyed hash of
 * the ad's id) that is already stored, so importing it again, grown or
 * not, updates the stored network; and a network has at most one lead.
 *
 * The network's summary (contacts, places, times, indicator counts, the
 * score and why, the first LEADS_IDS_MAX ads' ids) is sealed. Nothing of
 * an ad's text is ever read here. Every change and every list is audited.
 */
#ifndef VIGIL_LEADS_H
#define VIGIL_LEADS_H

#include <jansson.h>

#include "app/app.h"
#include "app/auth.h"
#include "store/adnets.h"
#include "store/cases.h"

/* The longest line `vigil ads import` reads, in bytes. */
#define LEADS_LINE_MAX (16u << 20)
/* Ad ids a stored summary keeps, as `vigil ads report` shows. */
#define LEADS_IDS_MAX 200
/* Contacts, places and reasons a summary keeps, each. */
#define LEADS_LIST_MAX 100
/* Ads of one network that may be recognised again (the first ones). */
#define LEADS_ADS_MAX 100000

/*
 * Stores one network, a JSON object as `vigil ads cluster --networks`
 * writes it, writing its stored id to id and to *created 1 when it was
 * new (0 when it updated a network stored before). VG_INVAL with msg
 * (a static English sentence) when the object is not such a network.
 * Audited "ads.import" (user 0: a command).
 */
int leads_store(struct app *app, const json_t *net, char id[ADNET_ID_SIZE], int *created,
		const char **msg);

/*
 * Opens the lead of stored network net_id, or finds the one it has,
 * writing the case's id to case_id and to *created whether it was opened
 * now. u is the staff member (VG_FORBIDDEN unless access_allowed
 * ACCESS_ADS), or NULL for a command. VG_NOTFOUND for no such network.
 * Audited "ads.lead" with the network's id.
 */
int leads_make(struct app *app, const struct auth_user *u, const char *net_id,
	       char case_id[CASE_ID_SIZE], int *created);

/*
 * The top limit (1..ADNET_LIST_MAX) stored networks in rank order as a
 * JSON array of their summaries with "id", "name" and "case_id" (""
 * without a lead) added. VG_FORBIDDEN unless u may ACCESS_ADS. Audited
 * "ads.list".
 */
int leads_list(struct app *app, const struct auth_user *u, int limit, json_t **out);

#endif

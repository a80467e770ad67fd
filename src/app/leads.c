/*
 * leads.c - networks of online ads in the database, and leads (leads.h).
 */
#include "base/compat.h"
#include "app/leads.h"
#include "app/access.h"
#include "app/links.h"
#include "base/clock.h"
#include "crypto/seal.h"
#include "crypto/token.h"

#include <sodium.h>

/* The longest id, name, contact or place kept, in bytes. */
#define LEADS_FIELD_MAX 256

static void summary_ad(const char *id, char ad[64])
{
	snprintf(ad, 64, "ad_networks/summary/%s", id);
}

/* The keyed hash that recognises an ad again without keeping its id. */
static void ad_blind(const struct keys *k, const char *ad_id, unsigned char out[32])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, k->index, sizeof(k->index), 32);
	crypto_generichash_update(&st, (const unsigned char *)"ad:", 3);
	crypto_generichash_update(&st, (const unsigned char *)ad_id, strlen(ad_id));
	crypto_generichash_final(&st, out, 32);
}

static int short_string(const json_t *v)
{
	size_t n;

	if (!json_is_string(v))
		return 0;
	n = json_string_length(v);
	return n > 0 && n <= LEADS_FIELD_MAX;
}

/*
 * Copies array key of net (absent: empty) into sum, at most max strings of
 * at most LEADS_FIELD_MAX bytes each; VG_INVAL for anything else.
 */
static int copy_strings(const json_t *net, json_t *sum, const char *key, size_t max,
			size_t field_max)
{
	const json_t *a = json_object_get(net, key), *v;
	json_t *copy;
	size_t i;

	if (!a)
		return json_object_set_new(sum, key, json_array()) ? VG_NOMEM : VG_OK;
	if (!json_is_array(a))
		return VG_INVAL;
	copy = json_array();
	if (!copy)
		return VG_NOMEM;
	json_array_foreach(a, i, v) {
		if (!json_is_string(v) || json_string_length(v) > field_max) {
			json_decref(copy);
			return VG_INVAL;
		}
		if (i < max && json_array_append(copy, (json_t *)v)) {
			json_decref(copy);
			return VG_NOMEM;
		}
	}
	return json_object_set_new(sum, key, copy) ? VG_NOMEM : VG_OK;
}

/* A time as written, or null. */
static int copy_time(const json_t *net, json_t *sum, const char *key)
{
	const json_t *v = json_object_get(net, key);

	if (v && !json_is_null(v) && !short_string(v))
		return VG_INVAL;
	return json_object_set_new(sum, key, v && !json_is_null(v) ? json_copy((json_t *)v) :
				   json_null()) ? VG_NOMEM : VG_OK;
}

/*
 * The summary kept of network net: what the report shows of it, never
 * ad text. VG_INVAL with msg for what is not a network.
 */
static int summarise(const json_t *net, json_t **out, const char **msg)
{
	const json_t *ads = json_object_get(net, "ads"), *v, *ind;
	json_t *sum = json_object(), *kept;
	const char *key;
	size_t i;
	int rc = VG_INVAL;

	if (!sum)
		return VG_NOMEM;
	*msg = "not a network of vigil ads cluster --networks";
	if (!json_is_object(net) || json_object_get(net, "cluster"))
		goto out;
	if (!short_string(json_object_get(net, "network")))
		goto out;
	*msg = "\"ads\" must be a list of ad ids";
	if (!json_is_array(ads) || json_array_size(ads) == 0)
		goto out;
	kept = json_array();
	if (!kept || json_object_set_new(sum, "ads", kept)) {
		rc = VG_NOMEM;
		goto out;
	}
	json_array_foreach(ads, i, v) {
		if (!short_string(v))
			goto out;
		if (i < LEADS_IDS_MAX && json_array_append(kept, (json_t *)v)) {
			rc = VG_NOMEM;
			goto out;
		}
	}
	json_object_set_new(sum, "ads_total", json_integer((json_int_t)json_array_size(ads)));
	json_object_set(sum, "network", json_object_get(net, "network"));
	*msg = "\"size\", \"risk\", \"ages_under_18\" or \"youngest\" is not a number";
	v = json_object_get(net, "size");
	if (v && (!json_is_integer(v) || json_integer_value(v) < 0))
		goto out;
	json_object_set_new(sum, "size", v ? json_copy((json_t *)v) :
			    json_integer((json_int_t)json_array_size(ads)));
	v = json_object_get(net, "risk");
	if (!json_is_number(v))
		goto out;
	json_object_set_new(sum, "risk", json_real(json_number_value(v)));
	v = json_object_get(net, "posting_rate");
	if (v && !json_is_number(v))
		goto out;
	json_object_set_new(sum, "posting_rate", json_real(v ? json_number_value(v) : 0));
	v = json_object_get(net, "ages_under_18");
	if (v && (!json_is_integer(v) || json_integer_value(v) < 0))
		goto out;
	json_object_set_new(sum, "ages_under_18", json_integer(v ? json_integer_value(v) : 0));
	v = json_object_get(net, "youngest");
	if (v && !json_is_null(v) && !json_is_integer(v))
		goto out;
	json_object_set_new(sum, "youngest", v && !json_is_null(v) ?
			    json_copy((json_t *)v) : json_null());
	v = json_object_get(net, "clusters");
	json_object_set_new(sum, "clusters", json_integer(json_is_array(v) ?
			    (json_int_t)json_array_size(v) : 1));
	*msg = "\"indicators\" must map categories to counts";
	ind = json_object_get(net, "indicators");
	kept = json_object();
	if (!kept || json_object_set_new(sum, "indicators", kept)) {
		rc = VG_NOMEM;
		goto out;
	}
	if (ind && !json_is_object(ind))
		goto out;
	if (ind) {
		json_object_foreach((json_t *)ind, key, v) {
			if (!json_is_integer(v) || strlen(key) > LEADS_FIELD_MAX)
				goto out;
			if (json_object_size(kept) < LEADS_LIST_MAX)
				json_object_set(kept, key, (json_t *)v);
		}
	}
	*msg = "\"phones\", \"emails\", \"cities\", \"regions\" or \"why\" is not a list of short texts";
	if (copy_strings(net, sum, "phones", LEADS_LIST_MAX, LEADS_FIELD_MAX) ||
	    copy_strings(net, sum, "emails", LEADS_LIST_MAX, LEADS_FIELD_MAX) ||
	    copy_strings(net, sum, "cities", LEADS_LIST_MAX, LEADS_FIELD_MAX) ||
	    copy_strings(net, sum, "regions", LEADS_LIST_MAX, LEADS_FIELD_MAX) ||
	    copy_strings(net, sum, "why", LEADS_LIST_MAX, 4 * LEADS_FIELD_MAX))
		goto out;
	*msg = "\"first_seen\" or \"last_seen\" is not a time";
	if (copy_time(net, sum, "first_seen") || copy_time(net, sum, "last_seen"))
		goto out;
	rc = VG_OK;
out:
	if (rc) {
		json_decref(sum);
		return rc;
	}
	*out = sum;
	return VG_OK;
}

int leads_store(struct app *app, const json_t *net, char id[ADNET_ID_SIZE], int *created,
		const char **msg)
{
	unsigned char (*blinds)[32] = NULL;
	struct adnet_row r = {0};
	char nid[ADNET_ID_SIZE], ad[64], *text = NULL;
	const json_t *ads, *v;
	json_t *sum = NULL;
	size_t i, n;
	int rc, isnew = 0;

	*msg = "";
	rc = summarise(net, &sum, msg);
	if (rc)
		return rc;
	*msg = "";
	ads = json_object_get(net, "ads");
	n = json_array_size(ads);
	if (n > LEADS_ADS_MAX)
		n = LEADS_ADS_MAX;
	blinds = calloc(n, sizeof(*blinds));
	if (!blinds) {
		rc = VG_NOMEM;
		goto out;
	}
	for (i = 0; i < n; i++)
		ad_blind(&app->keys, json_string_value(json_array_get(ads, i)), blinds[i]);
	rc = store_adnet_find(app->store, (const unsigned char (*)[32])blinds, n, nid);
	if (rc == VG_NOTFOUND) {
		token_id(nid);
		isnew = 1;
		rc = VG_OK;
	}
	if (rc)
		goto out;
	text = json_dumps(sum, JSON_COMPACT);
	if (!text) {
		rc = VG_NOMEM;
		goto out;
	}
	summary_ad(nid, ad);
	rc = seal_encrypt(&app->keys, ad, text, strlen(text), &r.summary.data, &r.summary.len);
	if (rc)
		goto out;
	r.id = nid;
	r.name = (char *)json_string_value(json_object_get(net, "network"));
	r.size = json_integer_value(json_object_get(sum, "size"));
	r.risk = json_number_value(json_object_get(sum, "risk"));
	v = json_object_get(sum, "ages_under_18");
	r.under_18 = json_integer_value(v) > 0;
	rc = store_adnet_put(app->store, &r, (const unsigned char (*)[32])blinds, n,
			     clock_now());
	if (rc)
		goto out;
	app_audit(app, 0, "ads.import", nid, isnew ? "new" : "updated");
	memcpy(id, nid, ADNET_ID_SIZE);
	*created = isnew;
out:
	if (text) {
		sodium_memzero(text, strlen(text));
		free(text);
	}
	free(r.summary.data);
	free(blinds);
	json_decref(sum);
	return rc;
}

/* Opens the sealed summary of row r as JSON. */
static int open_summary(struct app *app, const struct adnet_row *r, json_t **out)
{
	char ad[64], *text = NULL;
	json_t *j;
	size_t len;
	int rc;

	summary_ad(r->id, ad);
	rc = seal_decrypt(&app->keys, ad, r->summary.data, r->summary.len, &text, &len);
	if (rc)
		return rc;
	j = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	sodium_memzero(text, len);
	free(text);
	if (!json_is_object(j)) {
		json_decref(j);
		return VG_INVAL;
	}
	*out = j;
	return VG_OK;
}

/* Adds the entity of kind with value to rows (sealed), unless it is not one. */
static int add_entity(struct app *app, enum links_kind kind, const char *value,
		      struct entity_row *rows, char (*ids)[TOKEN_ID_SIZE], size_t *n)
{
	char norm[LINKS_VALUE_MAX], ad[64];
	struct entity_row *e = &rows[*n];
	int rc;

	rc = links_normalise(kind, value, app->cfg.default_country, norm);
	if (rc == VG_INVAL || rc == VG_UTF8 || rc == VG_TOOBIG)
		return VG_OK;
	if (rc)
		return rc;
	token_id(ids[*n]);
	e->id = ids[*n];
	e->kind = (char *)links_kind_name(kind);
	links_blind(&app->keys, kind, norm, e->blind);
	snprintf(ad, sizeof(ad), "entities/value/%s", e->id);
	rc = seal_encrypt(&app->keys, ad, norm, strlen(norm), &e->value.data, &e->value.len);
	sodium_memzero(norm, sizeof(norm));
	if (!rc)
		(*n)++;
	return rc;
}

int leads_make(struct app *app, const struct auth_user *u, const char *net_id,
	       char case_id[CASE_ID_SIZE], int *created)
{
	static const struct { const char *key; enum links_kind kind; } lists[] = {
		{"phones", LINKS_PHONE}, {"emails", LINKS_EMAIL},
	};
	struct entity_row rows[2 * LEADS_LIST_MAX] = {{0}};
	char ids[2 * LEADS_LIST_MAX][TOKEN_ID_SIZE];
	char new_id[CASE_ID_SIZE], lead[CASE_ID_SIZE];
	struct adnet_row r = {0};
	json_t *sum = NULL, *v;
	size_t i, j, n = 0;
	int rc, made = 0;

	if (u && !access_allowed(u, ACCESS_ADS))
		return VG_FORBIDDEN;
	rc = store_adnet_get(app->store, net_id, &r);
	if (rc)
		return rc;
	rc = open_summary(app, &r, &sum);
	if (rc)
		goto out;
	for (i = 0; i < ARRAY_SIZE(lists) && !rc; i++) {
		json_array_foreach(json_object_get(sum, lists[i].key), j, v) {
			if (j >= LEADS_LIST_MAX || !json_is_string(v))
				break;
			rc = add_entity(app, lists[i].kind, json_string_value(v), rows, ids, &n);
			if (rc)
				break;
		}
	}
	if (rc)
		goto out;
	token_id(new_id);
	rc = store_adnet_lead(app->store, net_id, new_id, rows, n, u ? u->id : 0, clock_now(),
			      lead, &made);
	if (rc)
		goto out;
	app_audit(app, u ? u->id : 0, "ads.lead", lead, made ? "opened" : "existing");
	memcpy(case_id, lead, CASE_ID_SIZE);
	*created = made;
out:
	for (i = 0; i < n; i++)
		free(rows[i].value.data);
	json_decref(sum);
	adnet_row_release(&r);
	return rc;
}

int leads_list(struct app *app, const struct auth_user *u, int limit, json_t **out)
{
	struct adnet_list l = {0};
	json_t *arr, *sum;
	size_t i;
	int rc;

	if (!access_allowed(u, ACCESS_ADS))
		return VG_FORBIDDEN;
	rc = store_adnet_list(app->store, limit, &l);
	if (rc)
		return rc;
	arr = json_array();
	if (!arr) {
		rc = VG_NOMEM;
		goto out;
	}
	for (i = 0; i < l.count; i++) {
		rc = open_summary(app, &l.rows[i], &sum);
		if (rc)
			goto out;
		json_object_set_new(sum, "id", json_string(l.rows[i].id));
		json_object_set_new(sum, "name", json_string(l.rows[i].name));
		json_object_set_new(sum, "case_id", json_string(l.rows[i].case_id));
		if (json_array_append_new(arr, sum)) {
			rc = VG_NOMEM;
			goto out;
		}
	}
	app_audit(app, u->id, "ads.list", NULL, NULL);
out:
	adnet_list_release(&l);
	if (rc) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return VG_OK;
}

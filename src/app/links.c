/*
 * links.c - normalised entities, their blind index, and related tips and
 * cases (links.h).
 */
#include "base/compat.h"
#include "app/links.h"
#include "app/access.h"
#include "app/tip.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/text.h"
#include "crypto/seal.h"
#include "crypto/token.h"
#include "screen/entities.h"
#include "screen/norm.h"
#include "store/entities.h"
#include "web/i18n.h"

#include <ctype.h>
#include <sodium.h>

/* Screening keeps at most ENTITIES_MAX of each of the four kinds it reads. */
#define SCAN_MAX (4 * ENTITIES_MAX)
/* Links read from the store for one page; more than are shown, since some are hidden. */
#define RELATED_READ 400

static const char *const kind_names[LINKS_KIND_COUNT] = {
	[LINKS_PHONE] = "phone", [LINKS_EMAIL] = "email", [LINKS_URL] = "url",
	[LINKS_HANDLE] = "handle", [LINKS_NAME] = "name", [LINKS_ADDRESS] = "address",
	[LINKS_PLATE] = "plate",
};

static const char *const kind_labels[LINKS_KIND_COUNT] = {
	[LINKS_PHONE] = N_("phone number"), [LINKS_EMAIL] = N_("email address"),
	[LINKS_URL] = N_("web address"), [LINKS_HANDLE] = N_("social media handle"),
	[LINKS_NAME] = N_("name"), [LINKS_ADDRESS] = N_("address"),
	[LINKS_PLATE] = N_("vehicle plate"),
};

const char *links_kind_name(enum links_kind kind)
{
	return (unsigned)kind < LINKS_KIND_COUNT ? kind_names[kind] : NULL;
}

const char *links_kind_label(enum links_kind kind)
{
	return (unsigned)kind < LINKS_KIND_COUNT ? kind_labels[kind] : NULL;
}

int links_kind_parse(const char *name)
{
	int i;

	for (i = 0; name && i < LINKS_KIND_COUNT; i++)
		if (!strcmp(name, kind_names[i]))
			return i;
	return -1;
}

/* The screen's entity kind that reads a links kind, or -1 for staff-only kinds. */
static int screen_kind(enum links_kind kind)
{
	switch (kind) {
	case LINKS_PHONE: return ENTITY_PHONE;
	case LINKS_EMAIL: return ENTITY_EMAIL;
	case LINKS_URL: return ENTITY_URL;
	case LINKS_HANDLE: return ENTITY_HANDLE;
	default: return -1;
	}
}

/*
 * The URL as the index compares it: without scheme, "www." and a trailing
 * "/", the host in lower case; the path keeps its case, which servers may
 * honour.
 */
static void url_canon(const char *url, char out[LINKS_VALUE_MAX])
{
	const char *p = strstr(url, "://");
	size_t n = 0, len;
	int in_host = 1;

	p = p ? p + 3 : url;
	if (!strncasecmp(p, "www.", 4))
		p += 4;
	for (; *p && n < LINKS_VALUE_MAX - 1; p++) {
		if (*p == '/' || *p == '?' || *p == '#')
			in_host = 0;
		out[n++] = in_host ? (char)tolower((unsigned char)*p) : *p;
	}
	out[n] = '\0';
	len = n;
	while (len > 0 && out[len - 1] == '/')
		out[--len] = '\0';
}

/*
 * Folds normalised text (already case-folded, accents removed) for names,
 * addresses and plates: ASCII punctuation reads as a space, runs of space
 * as one, none at the ends; `tight` drops the spaces too (plates).
 */
static int fold_words(const char *in, int tight, char out[LINKS_VALUE_MAX])
{
	size_t n = 0;
	int space = 0;

	for (; *in; in++) {
		unsigned char ch = (unsigned char)*in;

		if (ch < 0x80 && !isalnum(ch)) {
			space = n > 0;
			continue;
		}
		if (space && !tight) {
			if (n + 1 >= LINKS_VALUE_MAX)
				return VG_TOOBIG;
			out[n++] = ' ';
		}
		space = 0;
		if (n + 1 >= LINKS_VALUE_MAX)
			return VG_TOOBIG;
		out[n++] = (char)ch;
	}
	out[n] = '\0';
	return n ? VG_OK : VG_INVAL;
}

/* The first entity of the screen's kind ek the extractor finds in text. */
static int extract(const char *text, int ek, const char *country, char out[LINKS_VALUE_MAX])
{
	struct entity_options opt = {{0}};
	struct entities *ents;
	struct norm n;
	size_t i;
	int rc;

	ents = malloc(sizeof(*ents));
	if (!ents)
		return VG_NOMEM;
	norm_init(&n);
	if (country && strlen(country) == 2)
		memcpy(opt.default_country, country, 3);
	rc = norm_text(&n, text, strlen(text));
	if (!rc)
		rc = entities_extract(text, strlen(text), &n, &opt, ents);
	if (rc)
		goto out;
	rc = VG_INVAL;
	for (i = 0; i < ents->count; i++) {
		if ((int)ents->items[i].kind == ek) {
			snprintf(out, LINKS_VALUE_MAX, "%s", ents->items[i].value);
			rc = VG_OK;
			break;
		}
	}
out:
	norm_release(&n);
	free(ents);
	return rc;
}

/* links_normalise(); bare: a handle may be typed without its "@". */
static int normalise(enum links_kind kind, const char *value, const char *country, int bare,
		     char out[LINKS_VALUE_MAX])
{
	char v[LINKS_VALUE_MAX], at[LINKS_INPUT_MAX + 2];
	struct norm n;
	int rc, ek = screen_kind(kind);

	assert((unsigned)kind < LINKS_KIND_COUNT);
	rc = text_check_line(value, strlen(value), LINKS_INPUT_MAX);
	if (rc)
		return rc;
	if (ek >= 0) {
		rc = extract(value, ek, country, v);
		/* A bare name typed as a handle is an "@name". */
		if (rc == VG_INVAL && bare && kind == LINKS_HANDLE && value[0] != '@') {
			snprintf(at, sizeof(at), "@%s", value);
			rc = extract(at, ek, country, v);
		}
		if (rc)
			return rc;
		if (kind == LINKS_URL)
			url_canon(v, out);
		else
			memcpy(out, v, strlen(v) + 1);
		return VG_OK;
	}
	norm_init(&n);
	rc = norm_text(&n, value, strlen(value));
	if (!rc)
		rc = fold_words(n.text, kind == LINKS_PLATE, out);
	norm_release(&n);
	return rc;
}

int links_normalise(enum links_kind kind, const char *value, const char *country,
		    char out[LINKS_VALUE_MAX])
{
	return normalise(kind, value, country, 1, out);
}

void links_blind(const struct keys *k, enum links_kind kind, const char *norm,
		 unsigned char out[32])
{
	crypto_generichash_state st;
	const char *name = kind_names[kind];

	crypto_generichash_init(&st, k->index, sizeof(k->index), 32);
	crypto_generichash_update(&st, (const unsigned char *)name, strlen(name));
	crypto_generichash_update(&st, (const unsigned char *)":", 1);
	crypto_generichash_update(&st, (const unsigned char *)norm, strlen(norm));
	crypto_generichash_final(&st, out, 32);
}

static int is_public_id(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return 0;
	return i == TOKEN_ID_SIZE - 1;
}

int links_detect(const char *query, enum links_kind *kind, char out[LINKS_VALUE_MAX])
{
	/* The kinds a bare query is tried as, most specific first. */
	static const enum links_kind order[] = { LINKS_EMAIL, LINKS_PHONE, LINKS_HANDLE,
						 LINKS_URL };
	char v[LINKS_VALUE_MAX];
	const char *colon = strchr(query, ':');
	size_t i;
	int k, rc;

	if (colon && colon - query < 10) {
		char name[10];

		snprintf(name, sizeof(name), "%.*s", (int)(colon - query), query);
		k = links_kind_parse(name);
		if (k >= 0) {
			rc = links_normalise((enum links_kind)k, colon + 1, "", v);
			if (rc)
				return rc == VG_NOMEM ? rc : VG_NOTFOUND;
			*kind = (enum links_kind)k;
			memcpy(out, v, strlen(v) + 1);
			return VG_OK;
		}
	}
	if (is_public_id(query))
		return VG_NOTFOUND;
	/* Only a query that is one value: words around it make it a search. */
	if (strchr(query, ' ') && !strpbrk(query, "0123456789"))
		return VG_NOTFOUND;
	for (i = 0; i < ARRAY_SIZE(order); i++) {
		rc = normalise(order[i], query, "", 0, v);
		if (rc == VG_NOMEM)
			return rc;
		if (!rc) {
			*kind = order[i];
			memcpy(out, v, strlen(v) + 1);
			return VG_OK;
		}
	}
	return VG_NOTFOUND;
}

void links_display(enum links_kind kind, const char *norm, char *out, size_t size)
{
	if (kind == LINKS_PHONE && strlen(norm) == 12 && !strncmp(norm, "+1", 2))
		snprintf(out, size, "+1 %.3s %.3s %.4s", norm + 2, norm + 5, norm + 8);
	else
		snprintf(out, size, "%s", norm);
}

/* Fills e for a normalised value: a new id, the blind index, the sealed value. */
static int entity_make(struct app *app, enum links_kind kind, const char *norm,
		       struct entity_row *e, char id[TOKEN_ID_SIZE])
{
	char ad[64];

	token_id(id);
	e->id = id;
	e->kind = (char *)kind_names[kind];
	links_blind(&app->keys, kind, norm, e->blind);
	snprintf(ad, sizeof(ad), "entities/value/%s", id);
	return seal_encrypt(&app->keys, ad, norm, strlen(norm), &e->value.data, &e->value.len);
}

static int open_value(struct app *app, const char *entity_id, const struct sealed *v,
		      char **out)
{
	char ad[64];
	size_t len;

	snprintf(ad, sizeof(ad), "entities/value/%s", entity_id);
	return seal_decrypt(&app->keys, ad, v->data, v->len, out, &len);
}

int links_index_result(struct app *app, const char *tip_id, const char *country,
		       const json_t *screening)
{
	static const struct { const char *key; enum links_kind kind; } lists[] = {
		{"phones", LINKS_PHONE}, {"emails", LINKS_EMAIL},
		{"urls", LINKS_URL}, {"handles", LINKS_HANDLE},
	};
	struct entity_row *rows = NULL;
	char (*ids)[TOKEN_ID_SIZE] = NULL;
	size_t n = 0, i, j;
	json_t *ents;
	int rc;

	ents = screening ? json_object_get(screening, "entities") : NULL;
	if (!ents)
		return VG_INVAL;
	rows = calloc(SCAN_MAX, sizeof(*rows));
	ids = calloc(SCAN_MAX, sizeof(*ids));
	if (!rows || !ids) {
		rc = VG_NOMEM;
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(lists); i++) {
		json_t *arr = json_object_get(ents, lists[i].key), *item;
		size_t k;

		json_array_foreach(arr, k, item) {
			char norm[LINKS_VALUE_MAX];
			const char *s = json_string_value(item);

			if (!s || n == SCAN_MAX)
				continue;
			/* The screen's own values normalise; one that does not is skipped. */
			if (links_normalise(lists[i].kind, s, country, norm))
				continue;
			rc = entity_make(app, lists[i].kind, norm, &rows[n], ids[n]);
			if (rc)
				goto out;
			n++;
		}
	}
	rc = store_entity_scan(app->store, tip_id, rows, n, clock_now());
out:
	for (j = 0; rows && j < n; j++)
		free(rows[j].value.data);
	free(rows);
	free(ids);
	return rc;
}

int links_index_tip(struct app *app, const char *tip_id)
{
	struct tip_view v;
	int rc = tip_open(app, tip_id, &v);

	if (rc)
		return rc;
	rc = links_index_result(app, tip_id, v.row.country, v.screening);
	tip_view_release(&v);
	return rc;
}

int links_backlog(struct app *app, int64_t *done)
{
	int64_t count = 0;
	int rc;

	for (;;) {
		char **ids = NULL;
		size_t n = 0, i;

		rc = store_entity_unscanned(app->store, 100, &ids, &n);
		if (rc || n == 0)
			break;
		for (i = 0; !rc && i < n; i++) {
			rc = links_index_tip(app, ids[i]);
			if (rc == VG_NOMEM || rc == VG_DB || rc == VG_BUSY || rc == VG_READONLY)
				break;
			if (rc) {
				/* A tip that cannot be read is marked so the loop ends. */
				log_error("tip %s: entities not indexed: %s", ids[i], vg_strerror(rc));
				rc = store_entity_scan(app->store, ids[i], NULL, 0, clock_now());
			}
			if (!rc)
				count++;
		}
		store_ids_free(ids, n);
		if (rc)
			break;
	}
	*done = count;
	return rc;
}

int links_add(struct app *app, const struct auth_user *u, const char *case_id,
	      const char *kind, const char *value, const char *country)
{
	struct entity_row e = {0};
	char norm[LINKS_VALUE_MAX], id[TOKEN_ID_SIZE];
	int k, rc;

	rc = access_case(app, u, case_id, ACCESS_LINK);
	if (rc)
		return rc;
	k = links_kind_parse(kind);
	if (k < 0)
		return VG_INVAL;
	rc = links_normalise((enum links_kind)k, value, country, norm);
	if (rc)
		return rc;
	rc = entity_make(app, (enum links_kind)k, norm, &e, id);
	if (rc)
		goto out;
	e.tip_id = (char *)"";
	e.case_id = (char *)case_id;
	e.source = (char *)"staff";
	e.user_id = u->id;
	e.created_at = clock_now();
	rc = store_entity_insert(app->store, &e);
	if (!rc)
		app_audit(app, u->id, "entity.add", case_id, kind_names[k]);
out:
	sodium_memzero(norm, sizeof(norm));
	free(e.value.data);
	return rc;
}

int links_remove(struct app *app, const struct auth_user *u, const char *case_id,
		 const char *entity_id)
{
	int rc = access_case(app, u, case_id, ACCESS_LINK);

	if (rc)
		return rc;
	rc = store_entity_delete(app->store, entity_id, case_id);
	if (!rc)
		app_audit(app, u->id, "entity.remove", case_id, entity_id);
	return rc;
}

/* {"kind","value","display"} of one entity, its value opened. */
static json_t *value_json(struct app *app, const char *entity_id, const char *kind,
			  const struct sealed *sealed)
{
	char *plain = NULL, display[LINKS_VALUE_MAX + 8];
	int k = links_kind_parse(kind);
	json_t *o;

	if (k < 0 || open_value(app, entity_id, sealed, &plain))
		return NULL;
	links_display((enum links_kind)k, plain, display, sizeof(display));
	o = json_pack("{s:s, s:s, s:s, s:s}", "kind", kind, "label", kind_labels[k],
		      "value", plain, "display", display);
	sodium_memzero(plain, strlen(plain));
	free(plain);
	return o;
}

int links_entities(struct app *app, const char *tip_id, const char *case_id, json_t **out)
{
	struct entity_list l = {0};
	json_t *arr = NULL;
	size_t i;
	int rc;

	rc = store_entity_list(app->store, tip_id, case_id, &l);
	if (rc)
		return rc;
	arr = json_array();
	if (!arr) {
		rc = VG_NOMEM;
		goto out;
	}
	for (i = 0; i < l.count; i++) {
		json_t *o = value_json(app, l.rows[i].id, l.rows[i].kind, &l.rows[i].value);

		if (!o) {
			rc = VG_CRYPTO;
			goto out;
		}
		json_object_set_new(o, "id", json_string(l.rows[i].id));
		json_object_set_new(o, "source", json_string(l.rows[i].source));
		json_object_set_new(o, "at", json_integer(l.rows[i].created_at));
		if (json_array_append_new(arr, o)) {
			rc = VG_NOMEM;
			goto out;
		}
	}
	*out = arr;
	arr = NULL;
out:
	json_decref(arr);
	entity_list_release(&l);
	return rc;
}

/* The entry of docs for doc_kind/ref, or NULL. */
static json_t *find_doc(json_t *docs, const char *doc_kind, const char *ref)
{
	json_t *d;
	size_t i;

	json_array_foreach(docs, i, d) {
		if (!strcmp(json_string_value(json_object_get(d, "kind")), doc_kind) &&
		    !strcmp(json_string_value(json_object_get(d, "id")), ref))
			return d;
	}
	return NULL;
}

/* 1 when the user may see the tip or case: access.h decides. */
static int may_see(struct app *app, const struct auth_user *u, const char *doc_kind,
		   const char *ref)
{
	/* Left out silently: showing related items is no attempt to open them. */
	if (!strcmp(doc_kind, "tip"))
		return access_tip_listed(app, u, ref);
	return access_case_listed(app, u, ref);
}

int links_related(struct app *app, const struct auth_user *u, const char *tip_id,
		  const char *case_id, json_t **out)
{
	struct entity_link_list l = {0};
	json_t *docs, *hidden;
	size_t i;
	int rc;

	assert(tip_id[0] != '\0' || case_id[0] != '\0');
	rc = tip_id[0] ? store_entity_related_tip(app->store, tip_id, RELATED_READ, &l) :
			 store_entity_related_case(app->store, case_id, RELATED_READ, &l);
	if (rc)
		return rc;
	docs = json_array();
	hidden = json_object();
	if (!docs || !hidden) {
		rc = VG_NOMEM;
		goto out;
	}
	for (i = 0; i < l.count; i++) {
		struct entity_link *k = &l.rows[i];
		json_t *d, *why, *w;
		char key[64];
		size_t j;
		int seen = 0;

		snprintf(key, sizeof(key), "%s/%s", k->doc_kind, k->ref);
		if (json_object_get(hidden, key))
			continue;
		d = find_doc(docs, k->doc_kind, k->ref);
		if (!d) {
			if (json_array_size(docs) == LINKS_RELATED_MAX)
				continue;
			if (!may_see(app, u, k->doc_kind, k->ref)) {
				json_object_set_new(hidden, key, json_true());
				continue;
			}
			d = json_pack("{s:s, s:s, s:[]}", "kind", k->doc_kind, "id", k->ref, "why");
			if (!d || json_array_append_new(docs, d)) {
				rc = VG_NOMEM;
				goto out;
			}
		}
		why = json_object_get(d, "why");
		json_array_foreach(why, j, w)
			seen |= !strcmp(json_string_value(json_object_get(w, "entity")), k->entity_id);
		if (seen)
			continue;
		w = value_json(app, k->entity_id, k->kind, &k->value);
		if (!w) {
			rc = VG_CRYPTO;
			goto out;
		}
		json_object_set_new(w, "entity", json_string(k->entity_id));
		if (json_array_append_new(why, w)) {
			rc = VG_NOMEM;
			goto out;
		}
	}
	*out = docs;
	docs = NULL;
out:
	json_decref(docs);
	json_decref(hidden);
	entity_link_list_release(&l);
	return rc;
}

#include "base/compat.h"
#include "app/screening.h"
#include "base/buf.h"
#include "base/log.h"
#include "crypto/keys.h"
#include "crypto/seal.h"

#include "base/files.h"

#include <pthread.h>

#define RULE_FILE_MAX (4u << 20)
#define POOL_MAX 64

struct screening {
	struct screen_engine *engine;
	struct screen_options opt;
	pthread_mutex_t lock;
	struct screen_scratch *pool[POOL_MAX]; /* idle scratch, reused */
	size_t idle;
};

int screening_load(const char *dir, const struct screen_options *opt,
		   struct screening **out, char *err, size_t errsize)
{
	struct screen_file files[FILES_MAX];
	struct file_set set;
	struct screening *s = NULL;
	char path[1024];
	size_t i;
	int rc;

	file_set_init(&set);
	snprintf(path, sizeof(path), "%s/typology.tsv", dir);
	rc = file_set_add(&set, path, RULE_FILE_MAX, err, errsize);
	snprintf(path, sizeof(path), "%s/indicators", dir);
	if (!rc)
		rc = file_set_add_dir(&set, path, ".tsv", RULE_FILE_MAX, err, errsize);
	if (rc)
		goto out;
	for (i = 0; i < set.n; i++) {
		files[i].name = set.v[i].name;
		files[i].text = set.v[i].text;
		files[i].len = set.v[i].len;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		rc = VG_NOMEM;
		goto out;
	}
	rc = screen_engine_build(files, set.n, &s->engine, err, errsize);
	if (rc)
		goto out;
	s->opt = *opt;
	pthread_mutex_init(&s->lock, NULL);
	*out = s;
	s = NULL;
out:
	file_set_release(&set);
	free(s);
	return rc;
}

void screening_free(struct screening *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->idle; i++)
		screen_scratch_free(s->pool[i]);
	screen_engine_free(s->engine);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

int screening_with(struct screening *s, const char *country, const char *text, size_t len,
		   int (*fn)(const struct screen_result *r, void *arg), void *arg)
{
	struct screen_scratch *scratch = NULL;
	struct screen_options opt = s->opt;
	struct screen_result r;
	int rc = VG_OK;

	if (country && strlen(country) == 2)
		memcpy(opt.default_country, country, 3);
	pthread_mutex_lock(&s->lock);
	if (s->idle)
		scratch = s->pool[--s->idle];
	pthread_mutex_unlock(&s->lock);
	if (!scratch)
		rc = screen_scratch_new(s->engine, &scratch);
	if (rc)
		return rc;
	rc = screen_analyse(s->engine, scratch, &opt, text, len, &r);
	if (!rc)
		rc = fn(&r, arg);
	pthread_mutex_lock(&s->lock);
	if (s->idle < POOL_MAX) {
		s->pool[s->idle++] = scratch;
		scratch = NULL;
	}
	pthread_mutex_unlock(&s->lock);
	screen_scratch_free(scratch);
	return rc;
}

static int write_result(const struct screen_result *r, void *arg)
{
	return screen_result_write(r, arg);
}

int screening_write(struct screening *s, const char *country, const char *text, size_t len,
		    struct buf *out)
{
	return screening_with(s, country, text, len, write_result, out);
}

int screening_run(struct screening *s, const char *country, const char *text, size_t len,
		  json_t **out)
{
	struct buf b;
	json_t *res;
	int rc;

	buf_init(&b, SCREEN_JSON_MAX);
	rc = screening_write(s, country, text, len, &b);
	if (rc)
		goto out;
	res = json_loadb(b.ptr, b.len, JSON_ALLOW_NUL, NULL);
	if (!res) {
		rc = VG_NOMEM;
		goto out;
	}
	*out = res;
out:
	buf_release(&b);
	return rc;
}

char *screening_tip_text(const char *narrative, json_t *details)
{
	static const char *const fields[] = {"people", "ages", "place", "when", "region_text"};
	struct buf b;
	size_t i;

	/* The tip fields' own limits add up to far less than this. */
	buf_init(&b, 1u << 20);
	if (buf_adds(&b, narrative))
		goto fail;
	for (i = 0; details && i < ARRAY_SIZE(fields); i++) {
		const char *v = json_string_value(json_object_get(details, fields[i]));

		if (v && v[0] && (buf_adds(&b, "\n\n") || buf_adds(&b, v)))
			goto fail;
	}
	return buf_detach(&b, NULL);
fail:
	buf_release(&b);
	return NULL;
}

/*
 * What screening_fill() keeps of a result: its JSON text, the columns of the
 * tip row and, when asked for (want_facts), its facts (screening_fill()).
 */
struct fill {
	struct buf json;
	char *status, *urgency, *kinds, *typology;
	bool want_facts;
	json_t *facts;
};

/*
 * The facts of a result: {"entities": {"phones": [...], "emails": [...],
 * "urls": [...], "handles": [...]}, "elements": {"minor": bool}}, in the
 * result's own shape. Built from the result itself: parsing its JSON text
 * again cost more than the rest of indexing a tip's entities.
 */
static json_t *facts_of(const struct screen_result *r)
{
	static const struct { const char *key; enum entity_kind kind; } lists[] = {
		{"phones", ENTITY_PHONE}, {"emails", ENTITY_EMAIL},
		{"urls", ENTITY_URL}, {"handles", ENTITY_HANDLE},
	};
	json_t *facts = json_object(), *ents = json_object(), *elements = json_object();
	int bad = !facts || !ents || !elements;
	size_t l, i;

	for (l = 0; !bad && l < ARRAY_SIZE(lists); l++) {
		json_t *arr = json_array();

		bad = !arr || json_object_set_new(ents, lists[l].key, arr);
		for (i = 0; !bad && i < r->entities->count; i++)
			if (r->entities->items[i].kind == lists[l].kind)
				bad = json_array_append_new(arr, json_string(r->entities->items[i].value));
	}
	if (!bad)
		bad = json_object_set_new(elements, "minor", json_boolean(r->assessment.minor));
	if (!bad) {
		bad = json_object_set_new(facts, "entities", ents) ||
		      json_object_set_new(facts, "elements", elements);
		ents = elements = NULL;
	}
	json_decref(ents);
	json_decref(elements);
	if (bad) {
		json_decref(facts);
		return NULL;
	}
	return facts;
}

/* The names of the bits of set joined with commas ("sex,labor"): name(r, i) for bit i. */
static char *join_bits(uint64_t set, const char *(*name)(const struct rules *, size_t),
		       const struct rules *r, size_t n)
{
	struct buf b;

	buf_init(&b, 4096);
	for (size_t i = 0; i < n; i++) {
		if (!(set >> i & 1))
			continue;
		if ((b.len && buf_addch(&b, ',')) || buf_adds(&b, name(r, i))) {
			buf_release(&b);
			return NULL;
		}
	}
	return buf_detach(&b, NULL);
}

static const char *kind_name(const struct rules *r, size_t i)
{
	(void)r;
	return i == 0 ? "sex" : "labor";
}

static const char *type_slug(const struct rules *r, size_t i)
{
	return r->types[i].slug;
}

static int fill_result(const struct screen_result *r, void *arg)
{
	const struct rules *rules = screen_engine_rules(r->engine);
	const struct assessment *as = &r->assessment;
	struct fill *f = arg;
	int rc = screen_result_write(r, &f->json);

	if (rc)
		return rc;
	f->status = strdup(assess_status_name(as->fw[r->framework].status));
	f->urgency = strdup(assess_urgency_name(as->urgency));
	f->kinds = join_bits(as->kinds, kind_name, rules, 2);
	f->typology = join_bits(as->types, type_slug, rules, rules->ntypes);
	if (f->want_facts)
		f->facts = facts_of(r);
	return f->status && f->urgency && f->kinds && f->typology &&
	       (!f->want_facts || f->facts) ? VG_OK : VG_NOMEM;
}

int screening_fill(struct screening *s, const struct keys *k, const char *text,
		   const char *country, int64_t now, struct tip_row *row, json_t **facts)
{
	struct fill f = { .want_facts = facts != NULL };
	char ad[96];
	int rc;

	buf_init(&f.json, SCREEN_JSON_MAX);
	rc = screening_with(s, country, text, strlen(text), fill_result, &f);
	if (rc)
		goto out;
	snprintf(ad, sizeof(ad), "tips/screening/%s", row->id);
	rc = seal_encrypt(k, ad, f.json.ptr, f.json.len, &row->screening.data,
			  &row->screening.len);
	if (rc)
		goto out;
	row->screen_status = f.status;
	row->urgency = f.urgency;
	row->kinds = f.kinds;
	row->typology = f.typology;
	f.status = f.urgency = f.kinds = f.typology = NULL;
	row->screened_at = now;
	if (facts) {
		*facts = f.facts;
		f.facts = NULL;
	}
out:
	json_decref(f.facts);
	free(f.status);
	free(f.urgency);
	free(f.kinds);
	free(f.typology);
	buf_release(&f.json);
	return rc;
}

void screening_row_release(struct tip_row *row)
{
	free(row->screen_status);
	free(row->urgency);
	free(row->kinds);
	free(row->typology);
	free(row->screening.data);
	row->screen_status = row->urgency = row->kinds = row->typology = NULL;
	row->screening.data = NULL;
	row->screening.len = 0;
	row->screened_at = 0;
}

#include "base/compat.h"
#include "screen/screen.h"

#include "screen/assess.h"
#include "screen/entities.h"
#include "screen/norm.h"
#include "screen/rules.h"

/*
 * At most this many indicator matches are kept for one text. A text that
 * reaches it has long since tipped every element; the scan stops there and
 * the output says "indicators_truncated". It says so too when a hostile
 * text would make the matcher's checks take more than linear time
 * (rules.h, rules_match()).
 */
#define SCREEN_MAX_MATCHES 4096

/*
 * The engine keeps each rule's id and category as JSON strings, made once
 * and shared by every result that shows the rule (jansson counts
 * references atomically, so threads may share values nobody modifies).
 */
struct screen_engine {
	struct rules rules;
	struct rules_db *db;
	json_t **ids;
	json_t **categories;
};

/* One indicator span, in bytes of the normalised text. */
struct match {
	uint32_t rule;
	bool dead;        /* inside a negation */
	size_t from, to;
};

struct screen_scratch {
	struct rules_scratch *rs;
	struct norm norm;
	struct entities *ents;
	struct rules_span *spans;
	struct match *m;
	size_t nm;
	bool full;
	uint8_t *seen;    /* per rule: counted in hits already */
	uint32_t *hits;
	size_t nrules;
};

int screen_engine_build(const struct screen_file *files, size_t n,
			struct screen_engine **out, char *err, size_t errsize)
{
	struct screen_engine *e;
	int rc = VG_OK;

	assert(files || !n);
	if (errsize)
		err[0] = '\0';
	e = calloc(1, sizeof(*e));
	if (!e)
		return VG_NOMEM;
	rules_init(&e->rules);
	/* The typology comes first: indicator files name its slugs. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n; i++) {
			bool typ = rules_is_typology(files[i].text, files[i].len);

			if (typ != (pass == 0))
				continue;
			rc = rules_parse(&e->rules, files[i].name, files[i].text, files[i].len,
					 err, errsize);
			if (rc)
				goto out;
		}
	}
	rc = rules_compile(&e->rules, &e->db, err, errsize);
	if (rc)
		goto out;
	rc = VG_NOMEM;
	e->ids = calloc(e->rules.count, sizeof(*e->ids));
	e->categories = calloc(e->rules.count, sizeof(*e->categories));
	if (!e->ids || !e->categories)
		goto out;
	for (size_t i = 0; i < e->rules.count; i++) {
		e->ids[i] = json_string(e->rules.items[i].id);
		e->categories[i] = json_string(e->rules.items[i].category);
		if (!e->ids[i] || !e->categories[i])
			goto out;
	}
	rc = VG_OK;
	*out = e;
	e = NULL;
out:
	screen_engine_free(e);
	return rc;
}

void screen_engine_free(struct screen_engine *e)
{
	if (!e)
		return;
	for (size_t i = 0; e->ids && i < e->rules.count; i++)
		json_decref(e->ids[i]);
	for (size_t i = 0; e->categories && i < e->rules.count; i++)
		json_decref(e->categories[i]);
	free(e->ids);
	free(e->categories);
	rules_db_free(e->db);
	rules_release(&e->rules);
	free(e);
}

size_t screen_engine_patterns(const struct screen_engine *e)
{
	return e->rules.count;
}

int screen_scratch_new(const struct screen_engine *e, struct screen_scratch **out)
{
	struct screen_scratch *s;
	size_t n = e->rules.count;
	int rc = VG_NOMEM;

	s = calloc(1, sizeof(*s));
	if (!s)
		return VG_NOMEM;
	norm_init(&s->norm);
	s->nrules = n;
	s->ents = malloc(sizeof(*s->ents));
	s->spans = malloc(SCREEN_MAX_MATCHES * sizeof(*s->spans));
	s->m = malloc(SCREEN_MAX_MATCHES * sizeof(*s->m));
	s->seen = calloc(n, 1);
	s->hits = malloc(n * sizeof(*s->hits));
	if (!s->ents || !s->spans || !s->m || !s->seen || !s->hits)
		goto out;
	if (rules_scratch_new(e->db, &s->rs))
		goto out;
	*out = s;
	s = NULL;
	rc = VG_OK;
out:
	screen_scratch_free(s);
	return rc;
}

void screen_scratch_free(struct screen_scratch *s)
{
	if (!s)
		return;
	rules_scratch_free(s->rs);
	norm_release(&s->norm);
	free(s->ents);
	free(s->spans);
	free(s->m);
	free(s->seen);
	free(s->hits);
	free(s);
}

/*
 * A negation ("no one forced her", "nadie la obliga") silences every other
 * indicator that starts inside its span; it is kept as evidence itself.
 */
static void apply_negations(const struct rules *r, struct screen_scratch *s)
{
	for (size_t i = 0; i < s->nm; i++) {
		const struct match *neg = &s->m[i];

		if (r->items[neg->rule].family != RULE_NEGATION)
			continue;
		for (size_t j = 0; j < s->nm; j++) {
			struct match *m = &s->m[j];

			if (r->items[m->rule].family != RULE_NEGATION &&
			    m->from >= neg->from && m->from < neg->to)
				m->dead = true;
		}
	}
}

static int match_cmp(const void *a, const void *b)
{
	const struct match *x = a, *y = b;

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	if (x->to != y->to)
		return x->to < y->to ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/* A JSON number without a needless ".0" for whole values such as ages. */
static json_t *json_number(double v)
{
	if (v == (double)(long long)v && v > -1e15 && v < 1e15)
		return json_integer((json_int_t)v);
	return json_real(v);
}

/* Appends v to the array a, taking the reference; -1 when v is NULL or on ENOMEM. */
static int push(json_t *a, json_t *v)
{
	return v ? json_array_append_new(a, v) : -1;
}

/* Sets key of the object o to v, taking the reference; -1 when v is NULL or on ENOMEM. */
static int push_field(json_t *o, const char *key, json_t *v)
{
	return v ? json_object_set_new_nocheck(o, key, v) : -1;
}

static json_t *money_json(const struct entity *en)
{
	const char *v = en->value;
	const char *sp;
	json_t *cur;

	if (!strncmp(v, "debt ", 5))
		v += 5;
	sp = strchr(v, ' ');
	cur = sp ? json_stringn(v, (size_t)(sp - v)) : json_null();
	return json_pack("{s:o, s:o, s:b}", "amount", json_number(en->number),
			 "currency", cur, "debt", en->is_debt);
}

static json_t *entities_json(const struct entities *ents)
{
	json_t *o = json_pack("{s:[], s:[], s:[], s:[], s:[], s:[], s:[]}", "phones", "emails",
			      "urls", "handles", "ages", "age_cues", "money");
	static const char *const keys[] = {
		[ENTITY_PHONE] = "phones", [ENTITY_EMAIL] = "emails", [ENTITY_URL] = "urls",
		[ENTITY_HANDLE] = "handles", [ENTITY_AGE] = "ages", [ENTITY_MONEY] = "money",
	};

	if (!o)
		return NULL;
	for (size_t i = 0; i < ents->count; i++) {
		const struct entity *en = &ents->items[i];
		json_t *v;
		int rc;

		if (en->kind >= ENTITY_KIND_COUNT)
			continue;
		if (en->kind == ENTITY_AGE && en->is_cue) {
			v = json_pack("{s:s, s:o}", "cue", en->value, "under", json_number(en->number));
			rc = push(json_object_get(o, "age_cues"), v);
		} else if (en->kind == ENTITY_AGE) {
			rc = push(json_object_get(o, "ages"), json_number(en->number));
		} else if (en->kind == ENTITY_MONEY) {
			rc = push(json_object_get(o, "money"), money_json(en));
		} else {
			rc = push(json_object_get(o, keys[en->kind]), json_string(en->value));
		}
		if (rc) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

/*
 * {"id", "category", "span", "quote"} for one indicator. Built field by
 * field rather than with json_pack(): it is the bulk of the result, and
 * the format string would be read again for every indicator.
 */
static json_t *indicator_json(const struct screen_engine *e, uint32_t rule, size_t start,
			      size_t end, const char *text)
{
	json_t *o = json_object(), *span = json_array();

	if (!o || !span || push(span, json_integer((json_int_t)start)) ||
	    push(span, json_integer((json_int_t)end)) ||
	    json_object_set_nocheck(o, "id", e->ids[rule]) ||
	    json_object_set_nocheck(o, "category", e->categories[rule]) ||
	    json_object_set_new_nocheck(o, "span", span)) {
		json_decref(span);
		json_decref(o);
		return NULL;
	}
	if (push_field(o, "quote", json_stringn(text + start, end - start))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *indicators_json(const struct screen_engine *e, const struct screen_scratch *s,
			       const char *text)
{
	json_t *a = json_array();

	if (!a)
		return NULL;
	for (size_t i = 0; i < s->nm; i++) {
		const struct match *m = &s->m[i];
		size_t start, end;

		if (m->dead)
			continue;
		norm_span(&s->norm, m->from, m->to, &start, &end);
		if (push(a, indicator_json(e, m->rule, start, end, text))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* The names of the matched rules of one family, each once, in rule order. */
static json_t *names_json(const struct rules *r, const struct screen_scratch *s, size_t nhits,
			  enum rule_family family)
{
	json_t *a = json_array();

	if (!a)
		return NULL;
	for (size_t i = 0; i < nhits; i++) {
		const struct rule *rule = &r->items[s->hits[i]];
		bool dup = false;
		size_t k;
		json_t *v;

		if (rule->family != family)
			continue;
		json_array_foreach(a, k, v) {
			if (!strcmp(json_string_value(v), rule_name(rule)))
				dup = true;
		}
		if (!dup && push(a, json_string(rule_name(rule)))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *result_json(const struct screen_engine *e, const struct screen_scratch *s,
			   size_t nhits, const struct assessment *as, enum assess_framework fw,
			   const char *text)
{
	const struct rules *r = &e->rules;
	const struct assess_elements *el = &as->fw[fw];
	json_t *kinds = json_array(), *types = json_array(), *purpose = json_array();
	json_t *means = json_array();

	if (!kinds || !types || !purpose || !means)
		goto fail;
	if ((as->kinds & ASSESS_KIND_SEX) && push(kinds, json_string("sex")))
		goto fail;
	if ((as->kinds & ASSESS_KIND_LABOR) && push(kinds, json_string("labor")))
		goto fail;
	for (size_t t = 0; t < r->ntypes; t++) {
		if ((as->types >> t & 1) && push(types, json_string(r->types[t].slug)))
			goto fail;
	}
	for (int p = 0; p < PURPOSE_COUNT; p++) {
		if (el->purpose[p] && push(purpose, json_string(rules_purposes[p].name)))
			goto fail;
	}
	for (size_t i = 0; i < rules_means_count; i++) {
		if ((as->means_seen >> i & 1) && push(means, json_string(rules_means[i].name)))
			goto fail;
	}
	return json_pack("{s:s, s:s, s:{s:s, s:s}, s:o, s:o, s:{s:b, s:b, s:o, s:b, s:b},"
			 " s:o, s:o, s:b, s:s, s:f, s:o, s:b, s:o}",
			 "status", assess_status_name(el->status),
			 "framework", fw == ASSESS_TVPA ? "tvpa" : "palermo",
			 "frameworks",
			 "tvpa", assess_status_name(as->fw[ASSESS_TVPA].status),
			 "palermo", assess_status_name(as->fw[ASSESS_PALERMO].status),
			 "kinds", kinds, "typology", types,
			 "elements", "act", el->act, "means", el->means, "purpose", purpose,
			 "minor", as->minor, "act_implied", el->act_implied,
			 "means", means,
			 "risk_factors", names_json(r, s, nhits, RULE_RISK),
			 "labor_exploitation", as->labor_exploitation,
			 "urgency", assess_urgency_name(as->urgency),
			 "ad_score", as->ad_score,
			 "indicators", indicators_json(e, s, text),
			 "indicators_truncated", s->full,
			 "entities", entities_json(s->ents));
fail:
	json_decref(kinds);
	json_decref(types);
	json_decref(purpose);
	json_decref(means);
	return NULL;
}

int screen_run(const struct screen_engine *e, struct screen_scratch *s,
	       const struct screen_options *opt, const char *text, size_t len,
	       json_t **out)
{
	const struct rules *r = &e->rules;
	struct entity_options eopt;
	struct assess_input in;
	struct assessment as;
	size_t nhits = 0;
	json_t *res;
	int rc;

	assert(e && s && opt && (text || !len) && s->nrules == r->count);
	rc = norm_text(&s->norm, text, len);
	if (rc)
		return rc;
	memcpy(eopt.default_country, opt->default_country, sizeof(eopt.default_country));
	eopt.default_country[sizeof(eopt.default_country) - 1] = '\0';
	rc = entities_extract(text, len, &s->norm, &eopt, s->ents);
	if (rc)
		return rc;
	rc = rules_match(e->db, s->rs, s->norm.text, s->norm.len, s->spans, SCREEN_MAX_MATCHES,
			 &s->nm, &s->full);
	if (rc)
		return rc;
	for (size_t i = 0; i < s->nm; i++) {
		s->m[i].rule = s->spans[i].rule;
		s->m[i].dead = false;
		s->m[i].from = s->spans[i].from;
		s->m[i].to = s->spans[i].to;
	}
	apply_negations(r, s);
	qsort(s->m, s->nm, sizeof(*s->m), match_cmp);
	for (size_t i = 0; i < s->nm; i++) {
		uint32_t id = s->m[i].rule;

		if (!s->m[i].dead && !s->seen[id]) {
			s->seen[id] = 1;
			s->hits[nhits++] = id;
		}
	}
	for (size_t i = 0; i < nhits; i++)
		s->seen[s->hits[i]] = 0;
	in.rules = r;
	in.hits = s->hits;
	in.nhits = nhits;
	in.min_age = entities_min_age(s->ents);
	in.framework = opt->framework == SCREEN_PALERMO ? ASSESS_PALERMO : ASSESS_TVPA;
	assess_run(&in, &as);
	res = result_json(e, s, nhits, &as, in.framework, text);
	if (!res)
		return VG_NOMEM;
	*out = res;
	return VG_OK;
}

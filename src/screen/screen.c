#include "base/compat.h"
#include "screen/screen.h"

#include "screen/assess.h"
#include "screen/entities.h"
#include "screen/norm.h"
#include "screen/rules.h"
#include "screen/screen_impl.h"

/*
 * At most this many indicator matches are kept for one text. A text that
 * reaches it has long since tipped every element; the scan stops there and
 * the output says "indicators_truncated". It says so too when a hostile
 * text would make the matcher's checks take more than linear time
 * (rules.h, rules_match()).
 */
#define SCREEN_MAX_MATCHES 4096

struct screen_scratch {
	struct rules_scratch *rs;
	struct norm norm;
	struct entities *ents;
	struct rules_span *spans; /* the matches, in bytes of the normalised text */
	size_t nm;
	struct screen_indicator *ind;
	bool full;
	uint8_t *seen;    /* per rule: counted in hits already */
	uint32_t *hits;
	size_t nrules;
};

/*
 * Fills the per-rule tables that screen_analyse() reads instead of the
 * rules themselves: e->negation from the rules' families, e->assess for
 * assess_run().
 */
static int tables_build(struct screen_engine *e)
{
	e->negation = malloc(e->rules.count * sizeof(*e->negation));
	e->assess = malloc(e->rules.count * sizeof(*e->assess));
	if (!e->negation || !e->assess)
		return VG_NOMEM;
	for (size_t i = 0; i < e->rules.count; i++)
		e->negation[i] = e->rules.items[i].family == RULE_NEGATION;
	assess_table_fill(&e->rules, e->assess);
	return VG_OK;
}

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
	buf_init(&e->heads, HEADS_MAX);
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
	if (!rc)
		rc = screen_json_heads(e);
	if (!rc)
		rc = tables_build(e);
	if (rc)
		goto out;
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
	rules_db_free(e->db);
	rules_release(&e->rules);
	buf_release(&e->heads);
	free(e->head_off);
	free(e->negation);
	free(e->assess);
	free(e);
}

size_t screen_engine_patterns(const struct screen_engine *e)
{
	return e->rules.count;
}

const struct rules *screen_engine_rules(const struct screen_engine *e)
{
	return &e->rules;
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
	s->ind = malloc(SCREEN_MAX_MATCHES * sizeof(*s->ind));
	s->seen = calloc(n, 1);
	s->hits = malloc(n * sizeof(*s->hits));
	if (!s->ents || !s->spans || !s->ind || !s->seen || !s->hits)
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
	free(s->ind);
	free(s->seen);
	free(s->hits);
	free(s);
}

static int match_cmp(const void *a, const void *b)
{
	const struct rules_span *x = a, *y = b;

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	if (x->to != y->to)
		return x->to < y->to ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/*
 * Sorts the matches by start, end and rule. The matcher gives them in
 * order of their first end, which is nearly this order: an insertion sort
 * puts a text's matches right in one pass, however many (one text in eight
 * of the benchmark corpus has more than 64). When they are far from that
 * order (more than SORT_MOVES moves a match), qsort() sorts them instead,
 * so that a hostile text costs no more than n log n. The matcher gives
 * each rule and end once, so no two matches have the same three keys and
 * either sort gives the same order.
 */
#define SORT_MOVES 8

static void matches_sort(struct rules_span *m, size_t n)
{
	size_t moves = 0;

	for (size_t i = 1; i < n; i++) {
		struct rules_span x = m[i];
		size_t j = i;

		for (; j > 0 && match_cmp(&m[j - 1], &x) > 0; j--)
			m[j] = m[j - 1];
		m[j] = x;
		moves += i - j;
		if (moves > SORT_MOVES * n) {
			qsort(m, n, sizeof(*m), match_cmp);
			return;
		}
	}
}

/*
 * Fills s->ind with the matches (sorted) that are live, with their spans in
 * the original text, and s->hits with their rules, each once, in order of
 * first match; returns how many indicators, and sets *nhits.
 *
 * A negation ("no one forced her", "nadie la obliga") silences every other
 * indicator that starts inside its span; it is kept as evidence itself. So
 * a match is dead when it is not a negation and it starts before the end
 * of a negation that starts where it does or before: the matches are read
 * in one pass, a start at a time, keeping the furthest end of the
 * negations started so far.
 */
static size_t live_matches(const struct screen_engine *e, struct screen_scratch *s,
			   size_t *nhits)
{
	const struct rules *r = &e->rules;
	const struct rules_span *m = s->spans;
	size_t neg_to = 0, nind = 0, nh = 0;

	for (size_t i = 0, j = 0; i < s->nm; i = j) {
		size_t from = m[i].from;

		for (j = i; j < s->nm && m[j].from == from; j++) {
			if (e->negation[m[j].rule] && m[j].to > neg_to)
				neg_to = m[j].to;
		}
		for (size_t k = i; k < j; k++) {
			struct screen_indicator *ind;
			uint32_t rule = m[k].rule;

			if (from < neg_to && !e->negation[rule])
				continue;
			if (!s->seen[rule]) {
				s->seen[rule] = 1;
				s->hits[nh++] = rule;
			}
			ind = &s->ind[nind++];
			ind->rule = rule;
			ind->id = r->items[rule].id;
			ind->category = r->items[rule].category;
			norm_span(&s->norm, from, m[k].to, &ind->start, &ind->end);
		}
	}
	*nhits = nh;
	return nind;
}

int screen_analyse(const struct screen_engine *e, struct screen_scratch *s,
		   const struct screen_options *opt, const char *text, size_t len,
		   struct screen_result *out)
{
	const struct rules *r = &e->rules;
	struct entity_options eopt;
	struct assess_input in;
	size_t nhits, nind;
	int rc;

	assert(e && s && opt && out && (text || !len) && s->nrules == r->count);
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
	matches_sort(s->spans, s->nm);
	nind = live_matches(e, s, &nhits);
	for (size_t i = 0; i < nhits; i++)
		s->seen[s->hits[i]] = 0;
	in.table = e->assess;
	in.count = r->count;
	in.hits = s->hits;
	in.nhits = nhits;
	in.min_age = entities_min_age(s->ents);
	in.framework = opt->framework == SCREEN_PALERMO ? ASSESS_PALERMO : ASSESS_TVPA;
	assess_run(&in, &out->assessment);
	out->engine = e;
	out->text = text;
	out->len = len;
	out->framework = in.framework;
	out->hits = s->hits;
	out->nhits = nhits;
	out->indicators = s->ind;
	out->nindicators = nind;
	out->truncated = s->full;
	out->entities = s->ents;
	return VG_OK;
}

int screen_write(const struct screen_engine *e, struct screen_scratch *s,
		 const struct screen_options *opt, const char *text, size_t len,
		 struct buf *out)
{
	struct screen_result r;
	int rc = screen_analyse(e, s, opt, text, len, &r);

	return rc ? rc : screen_result_write(&r, out);
}

int screen_run(const struct screen_engine *e, struct screen_scratch *s,
	       const struct screen_options *opt, const char *text, size_t len,
	       json_t **out)
{
	struct buf b;
	json_t *res;
	int rc;

	buf_init(&b, SCREEN_JSON_MAX);
	rc = screen_write(e, s, opt, text, len, &b);
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

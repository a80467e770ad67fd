#include "base/compat.h"
#include "screen/assess.h"

/*
 * The weights of the matched indicators, added up by what they are evidence
 * of: each rule adds its weight to at most two of these (an act or a means
 * to each framework it counts under), and SUM_NONE takes what counts
 * toward nothing, so that adding is the same two steps for every rule.
 */
enum sum {
	SUM_ACT_TVPA,
	SUM_ACT_PALERMO,
	SUM_MEANS_TVPA,
	SUM_MEANS_PALERMO,
	SUM_SEX,           /* purpose.commercial_sex plus S-kind typology settings */
	SUM_LABOR_CORE,    /* purpose.labor: forced labour and servitude */
	SUM_LABOR_SETTING, /* L-kind typology settings: someone works there */
	SUM_LABOR_RIGHTS,  /* labor.*: wage theft and the like */
	SUM_ORGAN,
	SUM_MINOR,
	SUM_URGENCY,
	SUM_AD,
	SUM_NONE,
	SUM_COUNT
};

/* A framework's act and means sums are the TVPA's plus the framework's number. */
_Static_assert(SUM_ACT_PALERMO == SUM_ACT_TVPA + ASSESS_PALERMO &&
	       SUM_MEANS_PALERMO == SUM_MEANS_TVPA + ASSESS_PALERMO, "sums by framework");

/* The sum of an act or a means under framework fw, SUM_NONE when the term does not count. */
static uint8_t framework_sum(const struct rules_term *t, enum assess_framework fw,
			     enum sum tvpa)
{
	if (fw == ASSESS_TVPA)
		return (uint8_t)(t->tvpa ? tvpa : SUM_NONE);
	return (uint8_t)(t->palermo ? tvpa + ASSESS_PALERMO : SUM_NONE);
}

/* The sum a rule of any other family adds to. */
static uint8_t family_sum(const struct rules *r, const struct rule *rule)
{
	switch (rule->family) {
	case RULE_PURPOSE:
		if (rule->term == PURPOSE_COMMERCIAL_SEX)
			return SUM_SEX;
		return rule->term == PURPOSE_LABOR ? SUM_LABOR_CORE : SUM_ORGAN;
	case RULE_LABOR:
		return SUM_LABOR_RIGHTS;
	case RULE_TYPOLOGY:
		if (r->types[rule->term].kind == 'S')
			return SUM_SEX;
		return r->types[rule->term].kind == 'L' ? SUM_LABOR_SETTING : SUM_NONE;
	case RULE_MINOR:
		return SUM_MINOR;
	case RULE_URGENCY:
		return SUM_URGENCY;
	case RULE_AD:
		return SUM_AD;
	default:
		return SUM_NONE;
	}
}

/* The kinds under which a type of this kind is named (see assess_run()). */
static uint8_t kind_fits(char kind)
{
	switch (kind) {
	case 'S':
		return ASSESS_KIND_SEX;
	case 'L':
		return ASSESS_KIND_LABOR;
	default:
		return ASSESS_KIND_SEX | ASSESS_KIND_LABOR;
	}
}

void assess_table_fill(const struct rules *r, struct assess_rule *table)
{
	for (size_t i = 0; i < r->count; i++) {
		const struct rule *rule = &r->items[i];
		struct assess_rule *t = &table[i];

		t->weight = rule->weight;
		t->means_bit = 0;
		t->sum[0] = SUM_NONE;
		t->sum[1] = SUM_NONE;
		if (rule->family == RULE_ACT || rule->family == RULE_MEANS) {
			const struct rules_term *term = rule->family == RULE_ACT ?
				&rules_acts[rule->term] : &rules_means[rule->term];
			enum sum tvpa = rule->family == RULE_ACT ? SUM_ACT_TVPA : SUM_MEANS_TVPA;

			t->sum[0] = framework_sum(term, ASSESS_TVPA, tvpa);
			t->sum[1] = framework_sum(term, ASSESS_PALERMO, tvpa);
			if (rule->family == RULE_MEANS) {
				assert(rule->term >= 0 && rule->term < 32);
				t->means_bit = 1u << rule->term;
			}
		} else {
			t->sum[0] = family_sum(r, rule);
		}
		assert(rule->type < RULES_TYPES_MAX && RULES_TYPES_MAX <= INT8_MAX);
		t->type = (int8_t)(rule->type >= 0 ? rule->type : -1);
		t->fits = rule->type >= 0 ? kind_fits(r->types[rule->type].kind) : 0;
	}
}

/*
 * The status under one framework (legal-elements.md):
 *  - the child rule: a minor and commercial sex (TVPA), or a minor and any
 *    exploitation (Palermo), need only the act; under the TVPA the act of a
 *    minor's commercial sex is implied, since someone obtains or patronizes
 *    the child (18 USC 1591 counts the buyer), so the status is likely;
 *    under Palermo, which has no demand-side act, a missing act leaves it
 *    possible. For labour the child rule needs forced-labour evidence
 *    (purpose.labor), not merely work or wage theft;
 *  - otherwise act + means + purpose is likely, means + purpose without an
 *    act is possible, and a purpose without means is not indicated: an
 *    adult in commercial sex without force, fraud or coercion is not a
 *    victim, and labour without means is labour exploitation, flagged apart.
 */
static void decide(struct assess_elements *e, enum assess_framework fw, bool minor,
		   bool labor_forced)
{
	bool any = false, child;

	for (int p = 0; p < PURPOSE_COUNT; p++)
		any = any || e->purpose[p];
	e->status = ASSESS_NOT_INDICATED;
	e->act_implied = false;
	if (!any)
		return;
	if (fw == ASSESS_TVPA)
		child = minor && e->purpose[PURPOSE_COMMERCIAL_SEX];
	else
		child = minor && (e->purpose[PURPOSE_COMMERCIAL_SEX] || labor_forced ||
				  e->purpose[PURPOSE_ORGAN_REMOVAL]);
	if (child) {
		if (e->act) {
			e->status = ASSESS_LIKELY;
		} else if (fw == ASSESS_TVPA) {
			e->act_implied = true;
			e->status = ASSESS_LIKELY;
		} else {
			e->status = ASSESS_POSSIBLE;
		}
		return;
	}
	if (e->means)
		e->status = e->act ? ASSESS_LIKELY : ASSESS_POSSIBLE;
}

void assess_run(const struct assess_input *in, struct assessment *out)
{
	double s[SUM_COUNT] = { 0 };
	/* The types named by the hits, by the kinds under which they count (fits). */
	uint64_t named[4] = { 0 };
	const double T = ASSESS_THRESHOLD;
	bool labor_forced;
	const struct assess_elements *cfg;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < in->nhits; i++) {
		const struct assess_rule *t;

		assert(in->hits[i] < in->count);
		t = &in->table[in->hits[i]];
		s[t->sum[0]] += t->weight;
		s[t->sum[1]] += t->weight;
		out->means_seen |= t->means_bit;
		if (t->type >= 0)
			named[t->fits] |= UINT64_C(1) << t->type;
	}
	out->minor = s[SUM_MINOR] >= T || (in->min_age >= 0 && in->min_age < 18);
	labor_forced = s[SUM_LABOR_CORE] >= T;
	for (int fw = 0; fw < ASSESS_FRAMEWORK_COUNT; fw++) {
		struct assess_elements *e = &out->fw[fw];
		double labor = s[SUM_LABOR_CORE] + s[SUM_LABOR_SETTING];

		e->act = s[SUM_ACT_TVPA + fw] >= T;
		e->means = s[SUM_MEANS_TVPA + fw] >= T;
		/* Wage theft is evidence of labour, but of forced labour only beside a means. */
		if (e->means)
			labor += s[SUM_LABOR_RIGHTS];
		e->purpose[PURPOSE_COMMERCIAL_SEX] = s[SUM_SEX] >= T;
		e->purpose[PURPOSE_LABOR] = labor >= T;
		e->purpose[PURPOSE_ORGAN_REMOVAL] = fw == ASSESS_PALERMO && s[SUM_ORGAN] >= T;
		decide(e, (enum assess_framework)fw, out->minor, labor_forced);
	}
	cfg = &out->fw[in->framework];
	out->labor_exploitation = s[SUM_LABOR_RIGHTS] >= T && !cfg->means;
	if (cfg->purpose[PURPOSE_COMMERCIAL_SEX])
		out->kinds |= ASSESS_KIND_SEX;
	if (cfg->purpose[PURPOSE_LABOR] || out->labor_exploitation)
		out->kinds |= ASSESS_KIND_LABOR;
	/*
	 * A type is named when the case is of a kind it fits: a sex-trade
	 * setting only in a sex case, a labour one only in a labour case, one
	 * of both kinds in either.
	 */
	for (unsigned f = 1; f < ARRAY_SIZE(named); f++) {
		if (f & out->kinds)
			out->types |= named[f];
	}
	if (s[SUM_URGENCY] >= T)
		out->urgency = ASSESS_CRISIS;
	else if (out->minor || cfg->status == ASSESS_LIKELY)
		out->urgency = ASSESS_PRIORITY;
	else
		out->urgency = ASSESS_ROUTINE;
	out->ad_score = s[SUM_AD];
}

const char *assess_status_name(enum assess_status st)
{
	switch (st) {
	case ASSESS_LIKELY:
		return "likely";
	case ASSESS_POSSIBLE:
		return "possible";
	default:
		return "not_indicated";
	}
}

const char *assess_urgency_name(enum assess_urgency u)
{
	switch (u) {
	case ASSESS_CRISIS:
		return "crisis";
	case ASSESS_PRIORITY:
		return "priority";
	default:
		return "routine";
	}
}

#include "base/compat.h"
#include "screen/assess.h"

/* The weights of the matched indicators, added up by what they are evidence of. */
struct sums {
	double act[ASSESS_FRAMEWORK_COUNT];
	double means[ASSESS_FRAMEWORK_COUNT];
	double sex;           /* purpose.commercial_sex plus S-kind typology settings */
	double labor_core;    /* purpose.labor: forced labour and servitude */
	double labor_setting; /* L-kind typology settings: someone works there */
	double labor_rights;  /* labor.*: wage theft and the like */
	double organ;
	double minor;
	double urgency;
	double ad;
};

static bool counts(const struct rules_term *t, enum assess_framework fw)
{
	return fw == ASSESS_TVPA ? t->tvpa : t->palermo;
}

static void add_rule(const struct rules *r, const struct rule *rule, struct sums *s,
		     struct assessment *out)
{
	double w = rule->weight;

	switch (rule->family) {
	case RULE_ACT:
		for (int fw = 0; fw < ASSESS_FRAMEWORK_COUNT; fw++) {
			if (counts(&rules_acts[rule->term], (enum assess_framework)fw))
				s->act[fw] += w;
		}
		break;
	case RULE_MEANS:
		for (int fw = 0; fw < ASSESS_FRAMEWORK_COUNT; fw++) {
			if (counts(&rules_means[rule->term], (enum assess_framework)fw))
				s->means[fw] += w;
		}
		out->means_seen |= 1u << rule->term;
		break;
	case RULE_PURPOSE:
		if (rule->term == PURPOSE_COMMERCIAL_SEX)
			s->sex += w;
		else if (rule->term == PURPOSE_LABOR)
			s->labor_core += w;
		else
			s->organ += w;
		break;
	case RULE_LABOR:
		s->labor_rights += w;
		break;
	case RULE_TYPOLOGY:
		if (r->types[rule->term].kind == 'S')
			s->sex += w;
		else if (r->types[rule->term].kind == 'L')
			s->labor_setting += w;
		break;
	case RULE_MINOR:
		s->minor += w;
		break;
	case RULE_URGENCY:
		s->urgency += w;
		break;
	case RULE_AD:
		s->ad += w;
		break;
	case RULE_RISK:
	case RULE_NEGATION:
	case RULE_FAMILY_COUNT:
		break;
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

static bool type_fits(char kind, unsigned kinds)
{
	switch (kind) {
	case 'S':
		return kinds & ASSESS_KIND_SEX;
	case 'L':
		return kinds & ASSESS_KIND_LABOR;
	default:
		return kinds != 0;
	}
}

void assess_run(const struct assess_input *in, struct assessment *out)
{
	const struct rules *r = in->rules;
	struct sums s;
	const double T = ASSESS_THRESHOLD;
	bool labor_forced;
	const struct assess_elements *cfg;

	memset(&s, 0, sizeof(s));
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < in->nhits; i++) {
		assert(in->hits[i] < r->count);
		add_rule(r, &r->items[in->hits[i]], &s, out);
	}
	out->minor = s.minor >= T || (in->min_age >= 0 && in->min_age < 18);
	labor_forced = s.labor_core >= T;
	for (int fw = 0; fw < ASSESS_FRAMEWORK_COUNT; fw++) {
		struct assess_elements *e = &out->fw[fw];
		double labor = s.labor_core + s.labor_setting;

		e->act = s.act[fw] >= T;
		e->means = s.means[fw] >= T;
		/* Wage theft is evidence of labour, but of forced labour only beside a means. */
		if (e->means)
			labor += s.labor_rights;
		e->purpose[PURPOSE_COMMERCIAL_SEX] = s.sex >= T;
		e->purpose[PURPOSE_LABOR] = labor >= T;
		e->purpose[PURPOSE_ORGAN_REMOVAL] = fw == ASSESS_PALERMO && s.organ >= T;
		decide(e, (enum assess_framework)fw, out->minor, labor_forced);
	}
	cfg = &out->fw[in->framework];
	out->labor_exploitation = s.labor_rights >= T && !cfg->means;
	if (cfg->purpose[PURPOSE_COMMERCIAL_SEX])
		out->kinds |= ASSESS_KIND_SEX;
	if (cfg->purpose[PURPOSE_LABOR] || out->labor_exploitation)
		out->kinds |= ASSESS_KIND_LABOR;
	for (size_t i = 0; i < in->nhits; i++) {
		const struct rule *rule = &r->items[in->hits[i]];

		if (rule->type >= 0 && type_fits(r->types[rule->type].kind, out->kinds))
			out->types |= UINT64_C(1) << rule->type;
	}
	if (s.urgency >= T)
		out->urgency = ASSESS_CRISIS;
	else if (out->minor || cfg->status == ASSESS_LIKELY)
		out->urgency = ASSESS_PRIORITY;
	else
		out->urgency = ASSESS_ROUTINE;
	out->ad_score = s.ad;
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

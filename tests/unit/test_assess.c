/*
 * assess.c: from matched indicators to elements, status under both
 * frameworks, kinds, typology and urgency. The rules are a small synthetic
 * lexicon; each test names the indicators that "matched".
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/compat.h"
#include "screen/assess.h"

static const char typology[] =
	"slug\tname\tkind\thtcds\tsource\n"
	"escort_services\tEscort services\tS\tprostitution\ttest\n"
	"illicit_massage\tIllicit massage\tB\tprostitution\ttest\n"
	"agriculture\tAgriculture\tL\tISIC A\ttest\n";

static const char lexicon[] =
	"id\tcategory\tlang\tweight\tpattern\tsource\n"
	"recruit\tact.recruits\ten\t1\trecruited\ttest\n"
	"buyer\tact.patronizes\ten\t1\tbuys sex\ttest\n"
	"passport\tmeans.withholds_documents\ten\t1\ttook her passport\ttest\n"
	"hours\tmeans.excessive_working_hours\ten\t0.5\t16 hours a day\ttest\n"
	"watched\tmeans.restricts_movement\ten\t0.5\talways watched\ttest\n"
	"nowhere\tmeans.abuse_of_vulnerability\ten\t1\tnowhere to go\ttest\n"
	"sex\tpurpose.commercial_sex\ten\t1\tprostitution\ttest\n"
	"sex.escort_services.1\tpurpose.commercial_sex\ten\t1\tescort\ttest\n"
	"forced\tpurpose.labor\ten\t1\tforced to work\ttest\n"
	"work\tpurpose.labor\ten\t0.5\twork\ttest\n"
	"farm\ttypology.agriculture\ten\t0.5\tfarm\ttest\n"
	"spa\ttypology.illicit_massage\ten\t0\tspa\ttest\n"
	"wage\tlabor.wage_theft\ten\t1\tnot paid overtime\ttest\n"
	"organ\tpurpose.organ_removal\ten\t1\tkidney\ttest\n"
	"teen\tminor.child\ten\t1\tteenager\ttest\n"
	"kid\tminor.child\ten\t0.5\tkid\ttest\n"
	"now\turgency.immediate\ten\t1\tright now\ttest\n"
	"young\tad.youth_language\ten\t0.5\tyoung\ttest\n"
	"moving\tad.movement\ten\t-0.3\tnew in town\ttest\n"
	"runaway\trisk.runaway\ten\t1\tran away\ttest\n";

static struct rules rules;
static struct assess_rule table[64];

static int setup(void **state)
{
	char err[256];

	(void)state;
	rules_init(&rules);
	if (rules_parse(&rules, "typology.tsv", typology, strlen(typology), err, sizeof(err)) ||
	    rules_parse(&rules, "t.tsv", lexicon, strlen(lexicon), err, sizeof(err))) {
		printf("# %s\n", err);
		return -1;
	}
	if (rules.count > ARRAY_SIZE(table))
		return -1;
	assess_table_fill(&rules, table);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rules_release(&rules);
	return 0;
}

/* Assesses the named indicators (a NULL-terminated list) with a stated age. */
static void run(struct assessment *a, enum assess_framework fw, double age, ...)
{
	uint32_t hits[64];
	size_t n = 0;
	struct assess_input in;
	const char *id;
	va_list ap;

	va_start(ap, age);
	while ((id = va_arg(ap, const char *))) {
		size_t i;

		for (i = 0; i < rules.count && strcmp(rules.items[i].id, id); i++)
			;
		assert_true(i < rules.count);
		hits[n++] = (uint32_t)i;
	}
	va_end(ap);
	in.table = table;
	in.count = rules.count;
	in.hits = hits;
	in.nhits = n;
	in.min_age = age;
	in.framework = fw;
	assess_run(&in, a);
}

static void test_adult_sex_trafficking(void **state)
{
	struct assessment a;

	(void)state;
	run(&a, ASSESS_TVPA, -1, "recruit", "passport", "sex", NULL);
	assert_int_equal(a.fw[ASSESS_TVPA].status, ASSESS_LIKELY);
	assert_int_equal(a.fw[ASSESS_PALERMO].status, ASSESS_LIKELY);
	assert_int_equal(a.kinds, ASSESS_KIND_SEX);
	assert_int_equal(a.urgency, ASSESS_PRIORITY);
	assert_true(a.means_seen & 1u << 15);
	assert_false(a.minor);
}

/* Prostitution is not trafficking: an act and a purpose without means. */
static void test_adult_sex_without_means(void **state)
{
	struct assessment a;

	(void)state;
	run(&a, ASSESS_TVPA, 30, "recruit", "sex", NULL);
	assert_int_equal(a.fw[ASSESS_TVPA].status, ASSESS_NOT_INDICATED);
	assert_int_equal(a.fw[ASSESS_PALERMO].status, ASSESS_NOT_INDICATED);
	assert_int_equal(a.kinds, ASSESS_KIND_SEX);
	assert_int_equal(a.urgency, ASSESS_ROUTINE);
}

static void test_means_without_act_is_possible(void **state)
{
	struct assessment a;

	(void)state;
	run(&a, ASSESS_TVPA, -1, "passport", "sex", NULL);
	assert_int_equal(a.fw[ASSESS_TVPA].status, ASSESS_POSSIBLE);
	assert_false(a.fw[ASSESS_TVPA].act);
	assert_true(a.fw[ASSESS_TVPA].means);
	assert_int_equal(a.urgency, ASSESS_ROUTINE);
}

/* No purpose, no trafficking, however much control (domestic violence). */
static void test_no_purpose(void **state)
{
	struct assessment a;

	(void)state;
	run(&a, ASSESS_TVPA, -1, "recruit", "passport", NULL);
	assert_int_equal(a.fw[ASSESS_TVPA].status, ASSESS_NOT_INDICATED);
	assert_int_equal(a.kinds, 0);
}

/*
 * A minor in commercial sex with no act word: under the TVPA the buyer's
 * act is implied and the status is likely; Palermo has no demand-side act,
 * so the missing act leaves it possible.
 */
static void test_minor_sex_without_act(void **state)
{
	struct assessment a;

	(void)state;
	run(&a, ASSESS_TVPA, 15, "sex", NULL);
	assert_true(a.minor);
	assert_int_equal(a.fw[ASSESS_TVPA].status, ASSESS_LIKELY);
	assert_true(a.fw[ASSESS_TVPA].act_implied);
	assert_false(a.fw[ASSESS_TVPA].act);
	assert_int_equal(a.fw[ASSESS_PALERMO].status, ASSESS_POSSIBLE);
	assert_false(a.fw[ASSESS_PALERMO].act_implied);
	assert_int_equal(a.urgency, ASSESS_PRIORITY);
}

static void test_minor_boundary(void **state)
{
	struct assessment a;

	(void)state;
	run(&a, ASSESS_TVPA, 17.9, "sex", NULL);
	assert_true(a.minor);
	run(&a, ASSESS_TVPA, 18, "sex", NULL);
	assert_false(a.minor);
	assert_int_equal(a.fw[ASSESS_TVPA].status, ASSESS_NOT_INDICATED);
	run(&a, ASSESS_TVPA, -1, "teen", "sex", NULL);
	assert_true(a.minor);
	/* A weak cue needs company. */
	run(&a, ASSESS_TVPA, -1, "kid", "sex", NULL);
	assert_false(a.minor);
}

/* The child rule covers labour under Palermo only, and needs forced labour. */
static void test_minor_labor(void **state)
{
	struct assessment a;

	(void)state;
	run(&a, ASSESS_TVPA, 15, "recruit", "forced", NULL);
	assert_int_equal(a.fw[ASSESS_TVPA].status, ASSESS_NOT_INDICATED);
	assert_int_equal(a.fw[ASSESS_PALERMO].status, ASSESS_LIKELY);
	/* Mere work is a labour purpose, but not enough for the child rule. */
	run(&a, ASSESS_TVPA, 15, "recruit", "work", "farm", NULL);
	assert_true(a.fw[ASSESS_PALERMO].purpose[PURPOSE_LABOR]);
	assert_int_equal(a.fw[ASSESS_PALERMO].status, ASSESS_NOT_INDICATED);
}

static void test_palermo_only_means(void **state)
{
	struct assessment a;

	(void)state;
	run(&a, ASSESS_TVPA, -1, "recruit", "nowhere", "sex", NULL);
	assert_false(a.fw[ASSESS_TVPA].means);
	assert_int_equal(a.fw[ASSESS_TVPA].status, ASSESS_NOT_INDICATED);
	assert_true(a.fw[ASSESS_PALERMO].means);
	assert_int_equal(a.fw[ASSESS_PALERMO].status, ASSESS_LIKELY);
	/* The configured framework decides priority. */
	assert_int_equal(a.urgency, ASSESS_ROUTINE);
	run(&a, ASSESS_PALERMO, -1, "recruit", "nowhere", "sex", NULL);
	assert_int_equal(a.urgency, ASSESS_PRIORITY);
}

static void test_demand_side_act_is_tvpa_only(void **state)
{
	struct assessment a;

	(void)state;
	run(&a, ASSESS_TVPA, -1, "buyer", "passport", "sex", NULL);
	assert_true(a.fw[ASSESS_TVPA].act);
	assert_int_equal(a.fw[ASSESS_TVPA].status, ASSESS_LIKELY);
	assert_false(a.fw[ASSESS_PALERMO].act);
	assert_int_equal(a.fw[ASSESS_PALERMO].status, ASSESS_POSSIBLE);
}

static void test_weights_add_up(void **state)
{
	struct assessment a;

	(void)state;
	/* 0.5 of work and 0.5 of a farm make a labour purpose; one alone does not. */
	run(&a, ASSESS_TVPA, -1, "work", NULL);
	assert_false(a.fw[ASSESS_TVPA].purpose[PURPOSE_LABOR]);
	run(&a, ASSESS_TVPA, -1, "work", "farm", NULL);
	assert_true(a.fw[ASSESS_TVPA].purpose[PURPOSE_LABOR]);
	/* Long hours alone (0.5) are not a means. */
	run(&a, ASSESS_TVPA, -1, "recruit", "hours", "forced", NULL);
	assert_false(a.fw[ASSESS_TVPA].means);
	run(&a, ASSESS_TVPA, -1, "recruit", "hours", "watched", "forced", NULL);
	assert_true(a.fw[ASSESS_TVPA].means);
}

/* Wage theft without means is flagged apart; beside a means it is forced labour. */
static void test_labor_exploitation(void **state)
{
	struct assessment a;

	(void)state;
	run(&a, ASSESS_TVPA, -1, "wage", NULL);
	assert_true(a.labor_exploitation);
	assert_int_equal(a.fw[ASSESS_TVPA].status, ASSESS_NOT_INDICATED);
	assert_false(a.fw[ASSESS_TVPA].purpose[PURPOSE_LABOR]);
	assert_int_equal(a.kinds, ASSESS_KIND_LABOR);
	run(&a, ASSESS_TVPA, -1, "wage", "passport", "recruit", NULL);
	assert_false(a.labor_exploitation);
	assert_true(a.fw[ASSESS_TVPA].purpose[PURPOSE_LABOR]);
	assert_int_equal(a.fw[ASSESS_TVPA].status, ASSESS_LIKELY);
}

static void test_typology_follows_kind(void **state)
{
	struct assessment a;
	int escort = rules_type_find(&rules, "escort_services", 15);
	int spa = rules_type_find(&rules, "illicit_massage", 15);
	int farm = rules_type_find(&rules, "agriculture", 11);

	(void)state;
	assert_true(escort >= 0 && spa >= 0 && farm >= 0);
	/* A purpose rule names its type in its id. */
	run(&a, ASSESS_TVPA, -1, "sex.escort_services.1", "spa", NULL);
	assert_int_equal(a.types, (UINT64_C(1) << escort) | (UINT64_C(1) << spa));
	/* A setting with no purpose of its kind is not a type. */
	run(&a, ASSESS_TVPA, -1, "sex", "farm", NULL);
	assert_int_equal(a.types, 0);
	run(&a, ASSESS_TVPA, -1, "spa", NULL);
	assert_int_equal(a.types, 0);
}

static void test_urgency(void **state)
{
	struct assessment a;

	(void)state;
	run(&a, ASSESS_TVPA, -1, "now", NULL);
	assert_int_equal(a.urgency, ASSESS_CRISIS);
	run(&a, ASSESS_TVPA, 16, "runaway", NULL);
	assert_int_equal(a.urgency, ASSESS_PRIORITY);
	run(&a, ASSESS_TVPA, -1, "runaway", NULL);
	assert_int_equal(a.urgency, ASSESS_ROUTINE);
	assert_string_equal(assess_urgency_name(ASSESS_CRISIS), "crisis");
	assert_string_equal(assess_status_name(ASSESS_NOT_INDICATED), "not_indicated");
}

static void test_ad_score_and_organs(void **state)
{
	struct assessment a;

	(void)state;
	run(&a, ASSESS_TVPA, -1, "young", "moving", NULL);
	assert_true(a.ad_score > 0.19 && a.ad_score < 0.21);
	run(&a, ASSESS_TVPA, -1, "recruit", "passport", "organ", NULL);
	assert_int_equal(a.fw[ASSESS_TVPA].status, ASSESS_NOT_INDICATED);
	assert_true(a.fw[ASSESS_PALERMO].purpose[PURPOSE_ORGAN_REMOVAL]);
	assert_int_equal(a.fw[ASSESS_PALERMO].status, ASSESS_LIKELY);
	assert_int_equal(a.kinds, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_adult_sex_trafficking),
		cmocka_unit_test(test_adult_sex_without_means),
		cmocka_unit_test(test_means_without_act_is_possible),
		cmocka_unit_test(test_no_purpose),
		cmocka_unit_test(test_minor_sex_without_act),
		cmocka_unit_test(test_minor_boundary),
		cmocka_unit_test(test_minor_labor),
		cmocka_unit_test(test_palermo_only_means),
		cmocka_unit_test(test_demand_side_act_is_tvpa_only),
		cmocka_unit_test(test_weights_add_up),
		cmocka_unit_test(test_labor_exploitation),
		cmocka_unit_test(test_typology_follows_kind),
		cmocka_unit_test(test_urgency),
		cmocka_unit_test(test_ad_score_and_organs),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

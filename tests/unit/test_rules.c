/*
 * rules.c and screen.c: parsing the rule files, their error messages, and
 * the screen end to end on a small synthetic lexicon (spans in the original
 * text, merged matches, negation, hostile input).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/compat.h"
#include "screen/rules.h"
#include "screen/screen.h"

static const char typology[] =
	"# a comment before the header\n"
	"slug\tname\tkind\thtcds\tsource\n"
	"escort_services\tEscort services\tS\tprostitution\ttest\n"
	"agriculture\tAgriculture\tL\tISIC A\ttest\n";

#define HEADER "id\tcategory\tlang\tweight\tpattern\tsource\n"

static const char lexicon[] =
	HEADER
	"\n"
	"# acts\n"
	"recruit\tact.recruits\ten\t1\t\\brecruit(ed|s)?\\b\ttest\r\n"
	"passport\tmeans.withholds_documents\ten\t1\t\\b(took|takes|keeps) (her|his) passports?\\b\ttest\n"
	"force\tmeans.coercion\ten\t1\t\\bforced\\b\ttest\n"
	"sex.escort_services.1\tpurpose.commercial_sex\ten\t1\t\\bescort(s|ing)?\\b\ttest\n"
	"anos\tminor.stated_age\tes\t1\t\\b1[0-7] anos\\b\ttest\n"
	"farm\ttypology.agriculture\ten\t0.5\t\\bfarm\\b\ttest\n"
	"debt\tmeans.debt_bondage\ten\t0.6\t\\bdebt( keeps growing)?\\b\ttest\n"
	"neg\tnegation\ten\t0\t\\bno one forced\\b\ttest\n";

static int parse(struct rules *r, const char *name, const char *text, char *err, size_t size)
{
	return rules_parse(r, name, text, strlen(text), err, size);
}

static void test_parse_files(void **state)
{
	struct rules r;
	char err[256];
	const struct rule *rule;

	(void)state;
	rules_init(&r);
	assert_true(rules_is_typology(typology, strlen(typology)));
	assert_false(rules_is_typology(lexicon, strlen(lexicon)));
	assert_int_equal(parse(&r, "typology.tsv", typology, err, sizeof(err)), VG_OK);
	assert_int_equal(r.ntypes, 2);
	assert_int_equal(r.types[1].kind, 'L');
	assert_int_equal(parse(&r, "en.tsv", lexicon, err, sizeof(err)), VG_OK);
	assert_int_equal(r.count, 8);
	rule = &r.items[0];
	assert_string_equal(rule->id, "recruit");
	assert_int_equal(rule->family, RULE_ACT);
	assert_string_equal(rules_acts[rule->term].name, "recruits");
	/* The CR of a CRLF line end is not part of the source. */
	assert_string_equal(rule->source, "test");
	assert_int_equal(rule->line, 4);
	assert_string_equal(rule->file, "en.tsv");
	rule = &r.items[3];
	assert_int_equal(rule->family, RULE_PURPOSE);
	assert_int_equal(rule->term, PURPOSE_COMMERCIAL_SEX);
	assert_int_equal(rule->type, rules_type_find(&r, "escort_services", 15));
	assert_string_equal(rule_name(rule), "commercial_sex");
	rule = &r.items[5];
	assert_int_equal(rule->family, RULE_TYPOLOGY);
	assert_int_equal(rule->type, 1);
	assert_true(r.items[6].weight > 0.59 && r.items[6].weight < 0.61);
	assert_int_equal(r.items[7].family, RULE_NEGATION);
	assert_string_equal(rule_name(&r.items[7]), "");
	rules_release(&r);
	assert_int_equal(r.count, 0);
}

/* Each bad line is named by file and line, and nothing of the file is kept. */
static void test_parse_errors(void **state)
{
	static const struct {
		const char *text;
		const char *err;
	} cases[] = {
		{ HEADER "a\tact.recruits\ten\t1\tx\n", "x.tsv:2: expected 6 tab-separated fields, found 5" },
		{ HEADER "a\tact.recruits\ten\t1\tx\ty\tz\n", "x.tsv:2: expected 6 tab-separated fields, found 7" },
		{ HEADER "a\tact.kidnaps\ten\t1\tx\ty\n", "x.tsv:2: act.kidnaps: unknown act (see data/README.md for the list)" },
		{ HEADER "a\tmeans.fraud\ten\t1\tx\ty\n", "x.tsv:2: means.fraud: unknown means (see data/README.md for the HTCDS list)" },
		{ HEADER "a\tpurpose.fun\ten\t1\tx\ty\n", "x.tsv:2: purpose.fun: purpose must be commercial_sex, labor or organ_removal" },
		{ HEADER "a\tfeeling.bad\ten\t1\tx\ty\n", "x.tsv:2: feeling.bad: category must start with act., means., purpose., labor., minor., risk., typology., urgency., ad. or be negation" },
		{ HEADER "a\ttypology.mines\ten\t1\tx\ty\n", "x.tsv:2: typology.mines: unknown typology slug (not in typology.tsv, or typology.tsv not loaded first)" },
		{ HEADER "a\tact.recruits\ten\t1.5\tx\ty\n", "x.tsv:2: weight must be a number from -1 to 1" },
		{ HEADER "a\tact.recruits\ten\tone\tx\ty\n", "x.tsv:2: weight must be a number from -1 to 1" },
		{ HEADER "a\tnegation\ten\t1\tx\ty\n", "x.tsv:2: a negation's weight must be 0" },
		{ HEADER "A\tact.recruits\ten\t1\tx\ty\n", "x.tsv:2: id must be 1-63 of [a-z0-9._-]" },
		{ HEADER "a\tact.recruits\tEnglish\t1\tx\ty\n", "x.tsv:2: lang must be a 2- or 3-letter code in lower case" },
		{ HEADER "a\tact.recruits\ten\t1\t\ty\n", "x.tsv:2: pattern must be 1-1023 bytes" },
		{ HEADER "a\tact.recruits\ten\t1\tx\t\n", "x.tsv:2: source must be 1-255 bytes" },
		{ HEADER "a\tact.recruits\ten\t1\tx\ty\n\n# c\na\tact.recruits\ten\t1\tz\ty\n", "x.tsv:5: id \"a\" is used twice" },
		{ "id,category,lang,weight,pattern,source\n", "x.tsv:1: the header row must be" },
	};
	struct rules r;
	char err[256];

	(void)state;
	rules_init(&r);
	assert_int_equal(parse(&r, "typology.tsv", typology, err, sizeof(err)), VG_OK);
	assert_int_equal(parse(&r, "en.tsv", lexicon, err, sizeof(err)), VG_OK);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		err[0] = '\0';
		assert_int_equal(parse(&r, "x.tsv", cases[i].text, err, sizeof(err)), VG_INVAL);
		if (strncmp(err, cases[i].err, strlen(cases[i].err)))
			fail_msg("case %zu: got \"%s\"", i, err);
		assert_int_equal(r.count, 8);
	}
	assert_int_equal(parse(&r, "t.tsv", "slug\tname\tkind\thtcds\tsource\nx\tX\tQ\th\ts\n",
			       err, sizeof(err)), VG_INVAL);
	assert_string_equal(err, "t.tsv:2: kind must be S, L or B");
	assert_int_equal(parse(&r, "t.tsv", "slug\tname\tkind\thtcds\tsource\nagriculture\tX\tL\th\ts\n",
			       err, sizeof(err)), VG_INVAL);
	assert_string_equal(err, "t.tsv:2: slug \"agriculture\" is defined twice");
	assert_int_equal(r.ntypes, 2);
	rules_release(&r);
}

static void test_compile_error_names_the_line(void **state)
{
	static const char bad[] = HEADER
		"ok\tact.recruits\ten\t1\trecruit\ttest\n"
		"# the next pattern has an unbalanced parenthesis\n"
		"bad\tact.harbors\ten\t1\t(harbor\ttest\n";
	struct screen_file files[] = { { "typology.tsv", typology, sizeof(typology) - 1 },
				       { "bad.tsv", bad, sizeof(bad) - 1 } };
	struct screen_engine *e = NULL;
	char err[256];

	(void)state;
	assert_int_equal(screen_engine_build(files, 2, &e, err, sizeof(err)), VG_INVAL);
	assert_null(e);
	assert_true(!strncmp(err, "bad.tsv:4: pattern: ", 20));
	/* An empty rule set is an error too. */
	assert_int_equal(screen_engine_build(files, 1, &e, err, sizeof(err)), VG_INVAL);
	assert_string_equal(err, "no indicator rules were given");
}

static struct screen_engine *engine;
static struct screen_scratch *scratch;

/* The typology is given last: the engine reads it first whatever the order. */
static int setup(void **state)
{
	struct screen_file files[] = { { "en.tsv", lexicon, sizeof(lexicon) - 1 },
				       { "typology.tsv", typology, sizeof(typology) - 1 } };
	char err[256];

	(void)state;
	if (screen_engine_build(files, 2, &engine, err, sizeof(err))) {
		printf("# %s\n", err);
		return -1;
	}
	return screen_scratch_new(engine, &scratch) ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	screen_scratch_free(scratch);
	screen_engine_free(engine);
	return 0;
}

static json_t *screen(const char *text)
{
	struct screen_options opt = { SCREEN_TVPA, "US" };
	json_t *out = NULL;

	assert_int_equal(screen_run(engine, scratch, &opt, text, strlen(text), &out), VG_OK);
	assert_non_null(out);
	return out;
}

static json_t *indicator(json_t *res, size_t i)
{
	return json_array_get(json_object_get(res, "indicators"), i);
}

static void test_spans_in_original_text(void **state)
{
	/* Upper case, an accent and a Cyrillic "а" in "pаssport". */
	static const char text[] = "She was RECRUITED; he tоok her p\xd0\xb0ssport. Tiene 15 años.";
	json_t *res, *ind, *span;
	size_t start, end;

	(void)state;
	assert_int_equal(screen_engine_patterns(engine), 8);
	res = screen(text);
	assert_int_equal(json_array_size(json_object_get(res, "indicators")), 3);
	ind = indicator(res, 0);
	assert_string_equal(json_string_value(json_object_get(ind, "id")), "recruit");
	assert_string_equal(json_string_value(json_object_get(ind, "quote")), "RECRUITED");
	span = json_object_get(ind, "span");
	start = (size_t)json_integer_value(json_array_get(span, 0));
	end = (size_t)json_integer_value(json_array_get(span, 1));
	assert_int_equal(start, 8);
	assert_int_equal(end, 17);
	ind = indicator(res, 1);
	assert_string_equal(json_string_value(json_object_get(ind, "category")),
			    "means.withholds_documents");
	assert_string_equal(json_string_value(json_object_get(ind, "quote")),
			    "tоok her p\xd0\xb0ssport");
	ind = indicator(res, 2);
	assert_string_equal(json_string_value(json_object_get(ind, "quote")), "15 años");
	assert_true(json_is_true(json_object_get(json_object_get(res, "elements"), "minor")));
	json_decref(res);
}

/* "debt keeps growing" reports at "debt" and at "growing": one span. */
static void test_overlapping_matches_merge(void **state)
{
	json_t *res, *ind;

	(void)state;
	res = screen("the debt keeps growing, debt again");
	assert_int_equal(json_array_size(json_object_get(res, "indicators")), 2);
	ind = indicator(res, 0);
	assert_string_equal(json_string_value(json_object_get(ind, "quote")), "debt keeps growing");
	ind = indicator(res, 1);
	assert_string_equal(json_string_value(json_object_get(ind, "quote")), "debt");
	json_decref(res);
}

static void test_negation_silences(void **state)
{
	json_t *res, *means;

	(void)state;
	res = screen("No one forced her; she works as an escort.");
	assert_int_equal(json_array_size(json_object_get(res, "indicators")), 2);
	assert_string_equal(json_string_value(json_object_get(indicator(res, 0), "category")),
			    "negation");
	means = json_object_get(res, "means");
	assert_int_equal(json_array_size(means), 0);
	assert_string_equal(json_string_value(json_object_get(res, "status")), "not_indicated");
	json_decref(res);
	res = screen("He forced her to escort and recruited others.");
	assert_string_equal(json_string_value(json_object_get(res, "status")), "likely");
	assert_string_equal(json_string_value(json_object_get(res, "urgency")), "priority");
	assert_string_equal(json_string_value(json_array_get(json_object_get(res, "typology"), 0)),
			    "escort_services");
	json_decref(res);
}

static void test_output_shape(void **state)
{
	static const char *const keys[] = {
		"status", "framework", "frameworks", "kinds", "typology", "elements", "means",
		"risk_factors", "labor_exploitation", "urgency", "ad_score", "indicators",
		"indicators_truncated", "entities",
	};
	static const char *const ents[] = { "phones", "emails", "urls", "handles", "ages", "money" };
	json_t *res;

	(void)state;
	res = screen("");
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		assert_non_null(json_object_get(res, keys[i]));
	for (size_t i = 0; i < ARRAY_SIZE(ents); i++)
		assert_true(json_is_array(json_object_get(json_object_get(res, "entities"), ents[i])));
	assert_string_equal(json_string_value(json_object_get(json_object_get(res, "frameworks"),
							       "palermo")), "not_indicated");
	assert_string_equal(json_string_value(json_object_get(res, "urgency")), "routine");
	json_decref(res);
}

static void test_hostile_input(void **state)
{
	struct screen_options opt = { SCREEN_PALERMO, "US" };
	json_t *out = NULL;
	size_t len = 1 << 20;
	char *big;

	(void)state;
	assert_int_equal(screen_run(engine, scratch, &opt, "bad \xff byte", 10, &out), VG_UTF8);
	assert_null(out);
	/* A megabyte of one indicator: the evidence stops at its cap, the scan ends. */
	big = malloc(len + 1);
	assert_non_null(big);
	for (size_t i = 0; i < len; i += 5)
		memcpy(big + i, "debt ", len - i < 5 ? len - i : 5);
	big[len] = '\0';
	assert_int_equal(screen_run(engine, scratch, &opt, big, len, &out), VG_OK);
	assert_true(json_is_true(json_object_get(out, "indicators_truncated")));
	assert_int_equal(json_array_size(json_object_get(out, "indicators")), 4096);
	assert_string_equal(json_string_value(json_object_get(out, "framework")), "palermo");
	json_decref(out);
	/* The scratch is clean afterwards: a later text sees only its own matches. */
	out = screen("one debt");
	assert_int_equal(json_array_size(json_object_get(out, "indicators")), 1);
	assert_false(json_is_true(json_object_get(out, "indicators_truncated")));
	json_decref(out);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_files),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_compile_error_names_the_line),
		cmocka_unit_test(test_spans_in_original_text),
		cmocka_unit_test(test_overlapping_matches_merge),
		cmocka_unit_test(test_negation_silences),
		cmocka_unit_test(test_output_shape),
		cmocka_unit_test(test_hostile_input),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

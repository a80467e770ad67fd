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
#include "testlib.h"

#include <ctype.h>

#include <hs/hs.h>

#include "screen/norm.h"
#include "screen/rules.h"
#include "screen/rules_impl.h"
#include "screen/screen.h"
#include "vigil_config.h"

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

/*
 * The categories the referral rules need (data/routing/rules.tsv): two
 * means with their own names, so that DSS and the DOL OIG can be chosen,
 * and two free names under minor. and risk.
 */
static void test_referral_categories_parse(void **state)
{
	static const char text[] = HEADER
		"v\tmeans.visa_fraud\ten\t0.5\t\\bfake visas?\\b\ttest\n"
		"w\tmeans.work_visa_fraud\ten\t0.6\t\\bh-2a fees?\\b\ttest\n"
		"d\trisk.diplomat\ten\t1\t\\bdiplomats?\\b\ttest\n"
		"i\tminor.sexual_images\ten\t1\t\\bchild porn\\b\ttest\n";
	struct rules r;
	char err[256];

	(void)state;
	rules_init(&r);
	assert_int_equal(parse(&r, "typology.tsv", typology, err, sizeof(err)), VG_OK);
	assert_int_equal(parse(&r, "en.tsv", text, err, sizeof(err)), VG_OK);
	assert_int_equal(r.count, 4);
	for (size_t i = 0; i < 2; i++) {
		const struct rules_term *t;

		assert_int_equal(r.items[i].family, RULE_MEANS);
		assert_true(r.items[i].term >= 0 && (size_t)r.items[i].term < rules_means_count);
		t = &rules_means[r.items[i].term];
		assert_string_equal(t->name, i ? "work_visa_fraud" : "visa_fraud");
		/* Fraud is a means under both frameworks. */
		assert_true(t->tvpa && t->palermo);
	}
	assert_int_equal(r.items[2].family, RULE_RISK);
	assert_string_equal(rule_name(&r.items[2]), "diplomat");
	assert_int_equal(r.items[3].family, RULE_MINOR);
	assert_string_equal(rule_name(&r.items[3]), "sexual_images");
	rules_release(&r);
}

/* The categories whose real patterns test_referral_patterns() reads. */
static const char *const referral_categories[] = {
	"means.visa_fraud", "means.work_visa_fraud", "risk.diplomat", "minor.sexual_images",
	"risk.sexual_images",
};

/*
 * Keeps the header and the lines of data/indicators/<name> whose category is
 * one of referral_categories, appended to out: the real patterns, without
 * compiling the whole lexicon.
 */
static void keep_referral_lines(const char *name, char *out, size_t size)
{
	char path[512], *text, *line, *next;
	size_t n = strlen(out);

	snprintf(path, sizeof(path), "%s/indicators/%s", VIGIL_RULES_DIR, name);
	text = test_slurp(path, NULL);
	assert_non_null(text);
	for (line = text; line && *line; line = next) {
		const char *tab = strchr(line, '\t');
		bool keep = !strncmp(line, "id\t", 3);

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		for (size_t i = 0; tab && !keep && i < ARRAY_SIZE(referral_categories); i++) {
			size_t len = strlen(referral_categories[i]);

			keep = !strncmp(tab + 1, referral_categories[i], len) && tab[1 + len] == '\t';
		}
		if (keep) {
			n += (size_t)snprintf(out + n, size - n, "%s\n", line);
			assert_true(n < size);
		}
	}
	free(text);
}

/* True when the screening result has an indicator of category cat. */
static bool has_category(json_t *res, const char *cat)
{
	size_t i;
	json_t *ind;

	json_array_foreach(json_object_get(res, "indicators"), i, ind)
		if (!strcmp(json_string_value(json_object_get(ind, "category")), cat))
			return true;
	return false;
}

/*
 * The real English and Spanish patterns of the referral categories: what
 * each recognises, and the everyday words it must leave alone.
 */
static void test_referral_patterns(void **state)
{
	static const struct {
		const char *text, *category;
		bool want;
	} cases[] = {
		{ "He sold him a forged passport for $900.", "means.visa_fraud", true },
		{ "Le vendieron una visa falsa en Tijuana.", "means.visa_fraud", true },
		/* Words before it once hid this match from vectorscan (data/README.md). */
		{ "Le vendi\xc3\xb3 a mi hermana una visa falsa.", "means.visa_fraud", true },
		{ "A recruiter sold my cousin a fake work visa.", "means.visa_fraud", true },
		{ "She went to the consulate to renew her passport.", "means.visa_fraud", false },
		{ "She went to the consulate to renew her passport.", "risk.diplomat", false },
		{ "The recruiter charged each of us $2,500 for the H-2A visa.", "means.work_visa_fraud", true },
		{ "El contratista nos cobr\xc3\xb3 3,000 d\xc3\xb3lares por la visa H-2A.", "means.work_visa_fraud", true },
		{ "The H-2A workers pick apples from August to October.", "means.work_visa_fraud", false },
		{ "She cleans for a diplomat's family on an A-3 visa.", "risk.diplomat", true },
		{ "Trabaja en la casa de un diplom\xc3\xa1tico.", "risk.diplomat", true },
		{ "She works as a brand ambassador at the mall.", "risk.diplomat", false },
		{ "He has child pornography on his laptop.", "minor.sexual_images", true },
		{ "She is 15 and he has pictures of her on his phone.", "minor.sexual_images", true },
		{ "Tiene fotos de la ni\xc3\xb1" "a desnuda en el celular.", "minor.sexual_images", true },
		{ "He took pictures of her family at the wedding.", "minor.sexual_images", false },
		{ "She is 25 and he has nude pictures of her.", "minor.sexual_images", false },
		{ "She is 25 and he has nude pictures of her.", "risk.sexual_images", true },
	};
	static const char mixed[] = "A forged visa; a diplomat; child porn.";
	static char en[1 << 16], es[1 << 16];
	struct screen_file files[] = { { "typology.tsv", typology, sizeof(typology) - 1 },
				       { "en.tsv", en, 0 }, { "es.tsv", es, 0 } };
	struct screen_engine *e = NULL;
	struct screen_scratch *sc = NULL;
	struct screen_options opt = { SCREEN_TVPA, "US" };
	char err[256];
	json_t *res;

	(void)state;
	en[0] = es[0] = '\0';
	keep_referral_lines("en.tsv", en, sizeof(en));
	keep_referral_lines("es.tsv", es, sizeof(es));
	files[1].len = strlen(en);
	files[2].len = strlen(es);
	if (screen_engine_build(files, ARRAY_SIZE(files), &e, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(screen_scratch_new(e, &sc), VG_OK);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		res = NULL;
		assert_int_equal(screen_run(e, sc, &opt, cases[i].text, strlen(cases[i].text), &res),
				 VG_OK);
		if (has_category(res, cases[i].category) != cases[i].want)
			fail_msg("\"%s\": %s %s", cases[i].text, cases[i].category,
				 cases[i].want ? "missing" : "found");
		json_decref(res);
	}
	/* What the categories add to the result: a means, a risk factor, a minor. */
	res = NULL;
	assert_int_equal(screen_run(e, sc, &opt, mixed, strlen(mixed), &res), VG_OK);
	assert_string_equal(json_string_value(json_array_get(json_object_get(res, "means"), 0)),
			    "visa_fraud");
	assert_string_equal(json_string_value(json_array_get(json_object_get(res, "risk_factors"), 0)),
			    "diplomat");
	assert_true(json_is_true(json_object_get(json_object_get(res, "elements"), "minor")));
	json_decref(res);
	screen_scratch_free(sc);
	screen_engine_free(e);
}

/*
 * The two-phase matcher against what it replaces: each pattern scanned
 * with HS_FLAG_SOM_LEFTMOST | HS_FLAG_UTF8, its matches merged as they
 * arrive in order of their end (the screen's merging before the matcher
 * did it). One database per rule gives each rule's matches as one
 * database of all of them did, and compiles in half the time; no cap is
 * met, so the order between rules does not matter. The screen always
 * added HS_FLAG_CASELESS: so does the reference here when it is given
 * patterns with capitals (caseless); for the lexicon, whose patterns are
 * lower case as is the normalised text, it would change nothing and
 * double the time to build the reference.
 */
struct som_ref {
	hs_database_t **db;
	size_t ndb;
	hs_scratch_t *hs;
	uint32_t rule;            /* being scanned */
	int32_t last;             /* its open span, -1 */
	struct rules_span *spans;
	size_t n, max;
};

static int som_on_match(unsigned int id, unsigned long long from, unsigned long long to,
			unsigned int flags, void *ctx)
{
	struct som_ref *ref = ctx;
	int32_t last = ref->last;

	(void)id;
	(void)flags;
	if (last >= 0 && from <= ref->spans[last].to) {
		if (from < ref->spans[last].from)
			ref->spans[last].from = (size_t)from;
		if (to > ref->spans[last].to)
			ref->spans[last].to = (size_t)to;
		return 0;
	}
	assert_true(ref->n < ref->max);
	ref->spans[ref->n].rule = ref->rule;
	ref->spans[ref->n].from = (size_t)from;
	ref->spans[ref->n].to = (size_t)to;
	ref->last = (int32_t)ref->n++;
	return 0;
}

static void som_init(struct som_ref *ref, const struct rules *r, size_t max, bool caseless)
{
	memset(ref, 0, sizeof(*ref));
	ref->db = calloc(r->count, sizeof(*ref->db));
	ref->spans = malloc(max * sizeof(*ref->spans));
	assert_non_null(ref->db);
	assert_non_null(ref->spans);
	for (size_t i = 0; i < r->count; i++) {
		hs_compile_error_t *cerr = NULL;

		if (hs_compile(r->items[i].pattern, (caseless ? HS_FLAG_CASELESS : 0) | HS_FLAG_UTF8 |
			       HS_FLAG_SOM_LEFTMOST, HS_MODE_BLOCK, NULL, &ref->db[i], &cerr) != HS_SUCCESS)
			fail_msg("reference: %s: %s", r->items[i].id, cerr ? cerr->message : "compile failed");
		assert_int_equal(hs_alloc_scratch(ref->db[i], &ref->hs), HS_SUCCESS);
	}
	ref->ndb = r->count;
	ref->max = max;
}

static void som_release(struct som_ref *ref)
{
	hs_free_scratch(ref->hs);
	for (size_t i = 0; i < ref->ndb; i++)
		hs_free_database(ref->db[i]);
	free(ref->db);
	free(ref->spans);
}

static void som_scan(struct som_ref *ref, const char *text, size_t len)
{
	ref->n = 0;
	for (size_t i = 0; i < ref->ndb; i++) {
		ref->rule = (uint32_t)i;
		ref->last = -1;
		assert_int_equal(hs_scan(ref->db[i], text, (unsigned)len, 0, ref->hs, som_on_match, ref),
				 HS_SUCCESS);
	}
}

static int span_cmp(const void *a, const void *b)
{
	const struct rules_span *x = a, *y = b;

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	if (x->to != y->to)
		return x->to < y->to ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/*
 * Screens text (already normalised) both ways and fails, naming the first
 * span that differs, unless both give the same spans. Returns how many.
 */
static size_t same_spans(const struct rules *r, const struct rules_db *db,
			 struct rules_scratch *rs, struct som_ref *ref, const char *text, size_t len)
{
	struct rules_span *got = malloc(ref->max * sizeof(*got));
	bool truncated = false;
	size_t n = 0;

	assert_non_null(got);
	som_scan(ref, text, len);
	assert_int_equal(rules_match(db, rs, text, len, got, ref->max, &n, &truncated), VG_OK);
	qsort(got, n, sizeof(*got), span_cmp);
	qsort(ref->spans, ref->n, sizeof(*ref->spans), span_cmp);
	for (size_t i = 0; i < n || i < ref->n; i++) {
		const struct rules_span *a = i < n ? &got[i] : NULL;
		const struct rules_span *b = i < ref->n ? &ref->spans[i] : NULL;

		if (a && b && !span_cmp(a, b))
			continue;
		fail_msg("in \"%.80s\": two-phase %s [%zu, %zu), single-phase %s [%zu, %zu)", text,
			 a ? r->items[a->rule].id : "-", a ? a->from : 0, a ? a->to : 0,
			 b ? r->items[b->rule].id : "-", b ? b->from : 0, b ? b->to : 0);
	}
	assert_false(truncated);
	free(got);
	return n;
}

/* Parses the typology and lexicon given; fails on any error. */
static void rules_load(struct rules *r, const char *const *texts, size_t n)
{
	char err[512];

	rules_init(r);
	assert_int_equal(parse(r, "typology.tsv", typology, err, sizeof(err)), VG_OK);
	for (size_t i = 0; i < n; i++) {
		if (parse(r, "t.tsv", texts[i], err, sizeof(err)))
			fail_msg("%s", err);
	}
}

/*
 * The end of a test that screens texts with every rule of r: each rule
 * must have matched somewhere (seen), and everything is released.
 */
static void every_rule_seen(struct rules *r, bool *seen, struct som_ref *ref,
			    struct rules_scratch *rs, struct rules_db *db)
{
	for (size_t i = 0; i < r->count; i++) {
		if (!seen[i])
			fail_msg("rule %s matched nothing", r->items[i].id);
	}
	free(seen);
	som_release(ref);
	rules_scratch_free(rs);
	rules_db_free(db);
	rules_release(r);
}

/*
 * Each construct the matcher takes apart, on texts that put its matches at
 * the ends of the text, next to non-ASCII letters and inside words: the
 * spans must be what the single-phase scan gives, and every rule must
 * match somewhere (so that no comparison is vacuous).
 */
static void test_matcher_constructs(void **state)
{
	static const char lex[] = HEADER
		/* a gap between two word lists, both sides checked around the factor */
		"gap\tact.recruits\ten\t1\t\\b(took|keeps?)\\b[ -~]{0,25}\\b(passports?|papers)\\b\tt\n"
		/* word gaps: an unbounded left side read backwards with a database */
		"words\tmeans.restricts_movement\ten\t1\t\\b(not|never|can['’]?t)\\W+(\\w+\\W+){0,3}(allowed|free) to leave\\b\tt\n"
		/* an unbounded right side */
		"stem\tpurpose.commercial_sex\ten\t1\t\\b(prostitut\\w*|sex work\\w*)\\b\tt\n"
		/* anchors: the end of the text as one branch, the start as another */
		"anchor\tact.harbors\ten\t1\t\\bsold (her|him)\\b( (to|for)\\b|[.,;!]|$)\tt\n"
		"start\tact.transports\ten\t1\t^moved\\b|\\bmoved again$\tt\n"
		/* a capital letter: the pattern is matched without regard to case */
		"caps\tact.obtains\ten\t1\t\\bBOUGHT (her|him)\\b\tt\n"
		/* an optional tail and \\B */
		"tail\tmeans.debt_bondage\ten\t1\t\\bdebt( keeps growing)?\\b|\\Bdebt\\b\tt\n"
		/* a class with a non-ASCII member, and a non-ASCII literal */
		"quote\tmeans.threats\ten\t1\t\\bwon['’]t let (her|him) go\\b|\\bcafé\\b\tt\n"
		/* a repeated class on the right of a short factor */
		"num\tminor.stated_age\ten\t1\t\\broom [0-9]{1,4}\\b\tt\n"
		/* a group distributed: a plain branch and one that is not */
		"mixed\trisk.homeless\ten\t1\t\\b(on the street|couch ?surf\\w*|homeless)\\b\tt\n";
	static const char *const texts[] = {
		"took her passport",
		"he took the girls' papers and keeps passports in a box",
		"tooktook passport; she took a very long walk to the store and back, passport",
		"she is not allowed to leave. They can't ever be free to leave; never - really - free to leave",
		"not\xd0\xb0 allowed to leave; not, he says, allowed to leave",
		"prostitution, prostitutes, sex workers and sex work",
		"prostitute\xc3\xa9 sexwork",
		"he sold her. sold him to a man; sold her",
		"moved again and moved, then moved again",
		"bought her, BOUGHT him, bought them",
		"the debt keeps growing; undebt; debt keeps going",
		"he won't let her go; won’t let him go; wont let her go; caf\xc3\xa9 caf\xc3\xa9s",
		"room 12, room 12345, room 7b, room 0",
		"on the street, couchsurfing, couch surfers, homeless, homelessness",
		"\xe4\xbd\xa0took\xe4\xbd\xa0passport\xe4\xbd\xa0 debt\xf0\x9f\x98\x80 prostitution\xf0\x9f\x98\x80",
	};
	const char *const lexicons[] = { lex };
	struct rules r;
	struct rules_db *db = NULL;
	struct rules_scratch *rs = NULL;
	struct som_ref ref;
	struct norm norm;
	char err[256];
	bool *seen;

	(void)state;
	rules_load(&r, lexicons, 1);
	if (rules_compile(&r, &db, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(rules_scratch_new(db, &rs), VG_OK);
	som_init(&ref, &r, 4096, true);
	seen = calloc(r.count, sizeof(*seen));
	assert_non_null(seen);
	norm_init(&norm);
	for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
		/* The matcher reads normalised text: lower case, curly quotes straight. */
		assert_int_equal(norm_text(&norm, texts[i], strlen(texts[i])), VG_OK);
		same_spans(&r, db, rs, &ref, norm.text, norm.len);
		for (size_t k = 0; k < ref.n; k++)
			seen[ref.spans[k].rule] = true;
	}
	norm_release(&norm);
	every_rule_seen(&r, seen, &ref, rs, db);
}

/*
 * Factor strings that contain others ride on them (phase1_build() in
 * rules.c): "sells her to" is looked for where "sell" is found. The
 * spans must be those of the single-phase scan wherever the longer string
 * is: at either end of the text, twice over the same bytes ("la la la
 * land" holds the host "la" three times), and across the 8 KB chunks that
 * phase one reads, so that a rider ends in the chunk after its host.
 *
 * The phase-one database holds only "la", "sell" and "resell" (which
 * contains no other factor string): no more rules are needed to keep the
 * fault of vectorscan that test_matcher_few_strings() is about away.
 */
static void test_matcher_riders(void **state)
{
	static const char lex[] = HEADER
		"sell\tact.provides\ten\t1\t\\bsells?\\b\tt\n"
		"sellto\tact.recruits\ten\t1\t\\bsells her (to|for)\\b\tt\n"
		"la\tact.harbors\ten\t1\t\\bla\\b\tt\n"
		"land\tact.transports\ten\t1\t\\bla la land\\b|\\bland la la\\b\tt\n"
		"inside\tact.obtains\ten\t1\tresell\\w*\tt\n";
	const char *const lexicons[] = { lex };
	static const char *const texts[] = {
		"sells her to a man",
		"he sells her for money and sells her to them; sell",
		"la la la land, land la la la",
		"resellers resell; sells her tosells her to",
		"sells her forla la land",
	};
	struct rules r;
	struct rules_db *db = NULL;
	struct rules_db_info info;
	struct rules_scratch *rs = NULL;
	struct rules_stats st;
	struct som_ref ref;
	char err[256], *big;
	bool *seen;
	size_t n = 0;

	(void)state;
	rules_load(&r, lexicons, 1);
	if (rules_compile(&r, &db, err, sizeof(err)))
		fail_msg("%s", err);
	rules_db_describe(db, &info);
	assert_true(info.riders > 0);
	assert_int_equal(rules_scratch_new(db, &rs), VG_OK);
	som_init(&ref, &r, 4096, false);
	seen = calloc(r.count, sizeof(*seen));
	assert_non_null(seen);
	for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
		same_spans(&r, db, rs, &ref, texts[i], strlen(texts[i]));
		for (size_t k = 0; k < ref.n; k++)
			seen[ref.spans[k].rule] = true;
	}
	for (size_t i = 0; i < r.count; i++) {
		if (!seen[i])
			fail_msg("rule %s matched nothing", r.items[i].id);
	}
	/* The same phrases at every offset around the first chunk's end. */
	big = malloc(3 * 8192);
	assert_non_null(big);
	for (size_t shift = 0; shift < 16; shift++) {
		static const char tail[] = "sells her to la la land";
		size_t at = 8192 - 12 + shift;

		memset(big, 'x', 3 * 8192);
		big[at - 1] = ' ';
		memcpy(big + at, tail, sizeof(tail) - 1);
		big[at + sizeof(tail) - 1] = ' ';
		n += same_spans(&r, db, rs, &ref, big, 3 * 8192);
	}
	assert_true(n >= 16 * 4);
	rules_scratch_stats(rs, &st);
	assert_true(st.riders > 0);
	free(big);
	free(seen);
	som_release(&ref);
	rules_scratch_free(rs);
	rules_db_free(db);
	rules_release(&r);
}

/*
 * Vectorscan 5.4.9 (Debian 12) misses strings in a literal database of very
 * few strings: from a database of only "la" and "sell" it does not report
 * "sell" in about half of the texts "xxx... sells her to" of 77 bytes and
 * more. The matcher padded its phase-one database, which its own scanner
 * (rules_scan.c) has since replaced; two rules must find every match at
 * every length. The single-phase scan is not the reference here, as a
 * database that small can miss too: the expected span is written out.
 */
static void test_matcher_few_strings(void **state)
{
	static const char lex[] = HEADER
		"la\tact.harbors\ten\t1\t\\bla\\b\tt\n"
		"sell\tact.provides\ten\t1\t\\bsells?\\b\tt\n";
	static const char tail[] = " sells her to la";
	const char *const lexicons[] = { lex };
	struct rules r;
	struct rules_db *db = NULL;
	struct rules_db_info info;
	struct rules_scratch *rs = NULL;
	struct rules_span spans[8];
	char err[256], *text;

	(void)state;
	rules_load(&r, lexicons, 1);
	if (rules_compile(&r, &db, err, sizeof(err)))
		fail_msg("%s", err);
	rules_db_describe(db, &info);
	assert_int_equal(info.literals, 2);
	assert_int_equal(rules_scratch_new(db, &rs), VG_OK);
	text = malloc(1024 + sizeof(tail));
	assert_non_null(text);
	for (size_t x = 0; x <= 1024; x++) {
		size_t n = 0;
		bool truncated = true;

		memset(text, 'x', x);
		memcpy(text + x, tail, sizeof(tail));
		assert_int_equal(rules_match(db, rs, text, x + sizeof(tail) - 1, spans,
					     ARRAY_SIZE(spans), &n, &truncated), VG_OK);
		assert_false(truncated);
		qsort(spans, n, sizeof(*spans), span_cmp);
		if (n != 2 || strcmp(r.items[spans[0].rule].id, "sell") ||
		    spans[0].from != x + 1 || spans[0].to != x + 6 ||
		    strcmp(r.items[spans[1].rule].id, "la") || spans[1].from != x + 14 ||
		    spans[1].to != x + 16)
			fail_msg("after %zu bytes of \"x\": %zu spans, not \"sells\" and \"la\"", x, n);
	}
	free(text);
	rules_scratch_free(rs);
	rules_db_free(db);
	rules_release(&r);
}

/*
 * Screens ntexts random texts, each of words[] with runs of signs[]
 * between them (sometimes none), with the rules of lex both ways (the
 * spans must be the same), and fails unless each rule matches somewhere
 * and the phase-one database holds databases anchored ones.
 */
static void random_spans(const char *lex, const char *const *words, size_t nwords,
			 const char *const *signs, size_t nsigns, size_t ntexts, size_t databases)
{
	const char *const lexicons[] = { lex };
	struct rules r;
	struct rules_db *db = NULL;
	struct rules_db_info info;
	struct rules_scratch *rs = NULL;
	struct som_ref ref;
	struct norm norm;
	uint32_t seed = 12345;
	char err[256], text[512];
	bool *seen;

	rules_load(&r, lexicons, 1);
	if (rules_compile(&r, &db, err, sizeof(err)))
		fail_msg("%s", err);
	rules_db_describe(db, &info);
	assert_int_equal(info.databases, databases);
	assert_int_equal(rules_scratch_new(db, &rs), VG_OK);
	som_init(&ref, &r, 4096, true);
	seen = calloc(r.count, sizeof(*seen));
	assert_non_null(seen);
	norm_init(&norm);
	for (size_t i = 0; i < ntexts; i++) {
		size_t len = 0, ntok;

		seed = seed * 1103515245u + 12345u;
		ntok = 1 + (seed >> 16) % 60;
		for (size_t k = 0; k < ntok; k++) {
			const char *tok;

			seed = seed * 1103515245u + 12345u;
			tok = k % 2 ? signs[(seed >> 16) % nsigns] : words[(seed >> 16) % nwords];
			assert_true(len + strlen(tok) < sizeof(text));
			memcpy(text + len, tok, strlen(tok));
			len += strlen(tok);
		}
		assert_int_equal(norm_text(&norm, text, len), VG_OK);
		same_spans(&r, db, rs, &ref, norm.text, norm.len);
		for (size_t k = 0; k < ref.n; k++)
			seen[ref.spans[k].rule] = true;
	}
	norm_release(&norm);
	every_rule_seen(&r, seen, &ref, rs, db);
}

/* Runs of signs between the words of random_spans(): characters of one to four bytes. */
static const char *const random_signs[] = {
	" ", " ", " ", ", ", " - ", "\n", ".", "\xc3\xa9", " \xe2\x80\x94 ", "\xf0\x9f\x98\x80", "",
};

/*
 * Word gaps, "\W+(\w+\W+){m,n}", are read by the matcher itself rather than
 * by an anchored database (OP_WORDS in rules_impl.h), on either side of a
 * factor, and non-word characters of two to four bytes count as one.
 */
static void test_matcher_word_gaps(void **state)
{
	static const char lex[] = HEADER
		"left\tmeans.restricts_movement\ten\t1\t\\b(not|never)\\W+(\\w+\\W+){0,3}(allowed|free) to leave\\b\tt\n"
		"right\tact.recruits\ten\t1\t\\bzqxjv\\W+(\\w+\\W+){1,2}(now|here)\\b\tt\n"
		"exact\tact.harbors\ten\t1\t\\b(now|here)\\W+(\\w+\\W+){2}zqxjvk\\b\tt\n"
		"range\tact.transports\ten\t1\tkvjxqz\\W+(\\w+\\W+){2,4}(a|bb)\tt\n";
	static const char *const words[] = {
		"not", "never", "allowed", "free", "to leave", "zqxjv", "zqxjvk", "kvjxqz", "now",
		"here", "a", "bb", "42", "_x", "caf\xc3\xa9",
	};

	(void)state;
	random_spans(lex, words, ARRAY_SIZE(words), random_signs, ARRAY_SIZE(random_signs), 3000, 0);
}

/*
 * A gap followed by an anchored database keeps only the ends where the
 * database's first character can start (struct op, lead): a class, an
 * optional sign before digits, and, where a branch may start with a
 * character other than ASCII, every end.
 */
static void test_matcher_gap_before_scan(void **state)
{
	static const char lex[] = HEADER
		"digits\tmeans.debt_bondage\tes\t1\t\\bdebe\\b[ -~]{0,30}\\b(dinero|pesos|\\$?[0-9]+|[a-z]+s [0-9])\\b\tt\n"
		"accent\tact.recruits\tes\t1\t\\bzqxjv\\b[ -~]{0,20}(caf\xc3\xa9|x[0-9]+|\\w+s \\d)\tt\n"
		"left\tact.harbors\tes\t1\t(\\$?[0-9]+|[a-z]+s [0-9])\\b[ -~]{0,20}\\bkvjxqz\\b\tt\n";
	static const char *const words[] = {
		"debe", "dinero", "pesos", "$5", "42", "7", "zqxjv", "kvjxqz", "caf\xc3\xa9", "x9",
		"casas", "a", "$", "bb",
	};

	(void)state;
	random_spans(lex, words, ARRAY_SIZE(words), random_signs, ARRAY_SIZE(random_signs), 3000, 3);
}

/*
 * A side whose far end is a set of strings past a gap is turned away when
 * none of the strings' first three bytes is in the bytes it could reach
 * (struct branch, need): the spans must still be the single-phase ones
 * with each string at every distance from the factor, up to past the end
 * of the gap, on either side, and at the ends of the text; a set with a
 * string under three bytes has no need. Random texts of the same words
 * follow.
 */
static void test_matcher_needs(void **state)
{
	static const char lex[] = HEADER
		"left\tmeans.debt_bondage\ten\t1\t\\b(owe|owes|owed|owing)\\b[ -~]{0,30}\\bzqxjvk\\b\tt\n"
		"right\tmeans.withholds_documents\tes\t1\t\\bkvjxqz\\b[ -~]{0,12}\\b(pasaportes?|papeles|visas?)\\b\tt\n"
		"short\tmeans.withholds_documents\ten\t1\t\\bqqzzxv\\b[ -~]{0,10}\\b(id|ids|papers)\\b\tt\n"
		"both\tact.harbors\ten\t1\t\\b(her|him)\\b[ -~]{0,8}\\bvvqqzz\\b[ -~]{0,6}\\b(locked|house|room)\\b\tt\n";
	static const char *const pairs[][2] = {
		{ "owe", "zqxjvk" }, { "owing", "zqxjvk" }, { "kvjxqz", "pasaportes" },
		{ "kvjxqz", "visa" }, { "qqzzxv", "id" }, { "qqzzxv", "papers" },
		{ "her", "vvqqzz" }, { "vvqqzz", "locked" }, { "him", "vvqqzz room" },
	};
	static const char *const words[] = {
		"owe", "owes", "owing", "zqxjvk", "kvjxqz", "pasaporte", "papeles", "visas", "qqzzxv",
		"id", "papers", "her", "him", "vvqqzz", "locked", "house", "room", "lower", "a",
	};
	const char *const lexicons[] = { lex };
	struct rules r;
	struct rules_db *db = NULL;
	struct rules_scratch *rs = NULL;
	struct som_ref ref;
	char err[256], text[256];
	size_t sides = 0;
	bool *seen;

	(void)state;
	rules_load(&r, lexicons, 1);
	if (rules_compile(&r, &db, err, sizeof(err)))
		fail_msg("%s", err);
	for (size_t i = 0; i < db->nbranches; i++) {
		const struct branch *br = &db->branches[i];

		sides += (br->nlneed > 0) + (br->nrneed > 0);
		if (!strcmp(r.items[br->rule].id, "short"))
			assert_int_equal(br->nrneed, 0);
	}
	/* left, right and both sides of both: the test is not vacuous. */
	assert_true(sides >= 4);
	assert_int_equal(rules_scratch_new(db, &rs), VG_OK);
	som_init(&ref, &r, 4096, true);
	seen = calloc(r.count, sizeof(*seen));
	assert_non_null(seen);
	for (size_t p = 0; p < 2 * ARRAY_SIZE(pairs); p++) {
		for (size_t k = 0; k < 40; k++) {
			/* Every other time not at the ends of the text, where a window is cut. */
			const char *edge = p % 2 ? "zz. " : "";
			int n = snprintf(text, sizeof(text), "%s%s %.*s%s%s%s", edge, pairs[p / 2][0],
					 (int)k, "ab cd ef gh ij kl mn op qr st uv wx yz ab cd ef gh",
					 k ? " " : "", pairs[p / 2][1], p % 2 ? " .zz" : "");

			assert_true(n > 0 && (size_t)n < sizeof(text));
			same_spans(&r, db, rs, &ref, text, (size_t)n);
			for (size_t i = 0; i < ref.n; i++)
				seen[ref.spans[i].rule] = true;
		}
	}
	every_rule_seen(&r, seen, &ref, rs, db);
	random_spans(lex, words, ARRAY_SIZE(words), random_signs, ARRAY_SIZE(random_signs), 3000, 0);
}

#define WORDS_HEADER "word\tlang\tcount\tsource\n"

/* A file of common words: read by its header, its lines checked. */
static void test_parse_common_words(void **state)
{
	static const struct {
		const char *text, *err;
	} cases[] = {
		{ WORDS_HEADER "has\ten\t13\n", "w.tsv:2: expected 4 tab-separated fields, found 3" },
		{ WORDS_HEADER "Has\ten\t13\tt\n", "w.tsv:2: word must be 1 to 31 lower-case letters a-z" },
		{ WORDS_HEADER "a\ten\t1\tt\nno1\ten\t13\tt\n", "w.tsv:3: word must be 1 to 31 lower-case letters a-z" },
		{ WORDS_HEADER "\ten\t13\tt\n", "w.tsv:2: word must be 1 to 31 lower-case letters a-z" },
		{ WORDS_HEADER "has\ten\tmany\tt\n", "w.tsv:2: lang, count (a whole number) and source must be given" },
		{ WORDS_HEADER "has\ten\t13\t\n", "w.tsv:2: lang, count (a whole number) and source must be given" },
	};
	struct rules r;
	char err[256];

	(void)state;
	rules_init(&r);
	assert_int_equal(parse(&r, "w.tsv", "# words\n" WORDS_HEADER "has\ten\t13\tt\ntiene\tes\t9\tt\n",
			       err, sizeof(err)), VG_OK);
	assert_int_equal(r.nwords, 2);
	assert_string_equal(r.words[0], "has");
	assert_string_equal(r.words[1], "tiene");
	/* Words only: no rules, and a failing file adds nothing. */
	assert_int_equal(r.count, 0);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(parse(&r, "w.tsv", cases[i].text, err, sizeof(err)), VG_INVAL);
		if (strcmp(err, cases[i].err))
			fail_msg("case %zu: got \"%s\"", i, err);
		assert_int_equal(r.nwords, 2);
	}
	rules_release(&r);
}

#define GRAMS_HEADER "gram\tcount\tsource\n"

/* A file of four grams: read by its header, "_" read as a space, its lines checked. */
static void test_parse_four_grams(void **state)
{
	static const struct {
		const char *text, *err;
	} cases[] = {
		{ GRAMS_HEADER "_the\t184\n", "g.tsv:2: expected 3 tab-separated fields, found 2" },
		{ GRAMS_HEADER "the\t184\tt\n", "g.tsv:2: gram must be 4 bytes of printable ASCII, \"_\" for a space" },
		{ GRAMS_HEADER "the \t184\tt\n", "g.tsv:2: gram must be 4 bytes of printable ASCII, \"_\" for a space" },
		{ GRAMS_HEADER "and_\t1\tt\ncaf\xc3\xa9\t2\tt\n", "g.tsv:3: gram must be 4 bytes of printable ASCII, \"_\" for a space" },
		{ GRAMS_HEADER "_the\tmany\tt\n", "g.tsv:2: count (a whole number) and source must be given" },
		{ GRAMS_HEADER "_the\t1234567890\tt\n", "g.tsv:2: count (a whole number) and source must be given" },
		{ GRAMS_HEADER "_the\t184\t\n", "g.tsv:2: count (a whole number) and source must be given" },
	};
	struct rules r;
	char err[256];

	(void)state;
	rules_init(&r);
	assert_int_equal(parse(&r, "g.tsv", "# grams\n" GRAMS_HEADER "_the\t184\tt\nsspo\t2\tt\n",
			       err, sizeof(err)), VG_OK);
	assert_int_equal(r.ngrams, 2);
	assert_memory_equal(r.grams[0].g, " the", 4);
	assert_int_equal(r.grams[0].count, 184);
	assert_memory_equal(r.grams[1].g, "sspo", 4);
	assert_int_equal(r.grams[1].count, 2);
	/* Grams only: no rules, and a failing file adds nothing. */
	assert_int_equal(r.count, 0);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(parse(&r, "g.tsv", cases[i].text, err, sizeof(err)), VG_INVAL);
		if (strcmp(err, cases[i].err))
			fail_msg("case %zu: got \"%s\"", i, err);
		assert_int_equal(r.ngrams, 2);
	}
	rules_release(&r);
}

/*
 * Common words change which part of a pattern is looked for first, never
 * what is found. By its letters "has" is about as rare as "ids" and
 * "papers" together, and is chosen; taken as the common word it is, the
 * two strings after the gap are chosen instead. Either way the spans are
 * those of the single-phase scan.
 */
static void test_matcher_common_words(void **state)
{
	static const char lex[] = HEADER
		"has\tmeans.withholds_documents\ten\t1\t\\bhas\\b[ -~]{0,25}\\b(ids|papers)\\b\tt\n";
	static const char words[] = WORDS_HEADER "has\ten\t13\tt\n";
	static const char *const texts[] = {
		"he has her ids",
		"she has no papers, he has them; has, has; ids papers",
		"chase the kids; has papers",
	};

	(void)state;
	for (int with = 0; with < 2; with++) {
		const char *const lexicons[] = { lex, words };
		struct rules r;
		struct rules_db *db = NULL;
		struct rules_db_info info;
		struct rules_scratch *rs = NULL;
		struct som_ref ref;
		char err[256];
		size_t n = 0;

		rules_load(&r, lexicons, 1 + (size_t)with);
		assert_int_equal(r.nwords, (size_t)with);
		if (rules_compile(&r, &db, err, sizeof(err)))
			fail_msg("%s", err);
		rules_db_describe(db, &info);
		assert_int_equal(info.literals, with ? 2 : 1);
		assert_int_equal(rules_scratch_new(db, &rs), VG_OK);
		som_init(&ref, &r, 64, false);
		for (size_t i = 0; i < ARRAY_SIZE(texts); i++)
			n += same_spans(&r, db, rs, &ref, texts[i], strlen(texts[i]));
		assert_int_equal(n, 4);
		som_release(&ref);
		rules_scratch_free(rs);
		rules_db_free(db);
		rules_release(&r);
	}
}

/* What the matcher refuses, named with the file and line of the pattern. */
static void test_matcher_refuses(void **state)
{
	static const struct {
		const char *pattern, *err;
	} cases[] = {
		{ "(?i)sold", "t.tsv:2: pattern: a \"(?\" group other than \"(?:\" is not supported" },
		{ "\\Qa.b\\E", "t.tsv:2: pattern: \\Q...\\E is not supported" },
		{ "\\bsold\\b|[a-z]+[0-9]+", "t.tsv:2: pattern: a branch has no plain text" },
		{ "sold{2", "t.tsv:2: pattern: a brace that is not a repeat count (write \\{) is not supported" },
		{ "(sold", "t.tsv:2: pattern: Missing close parenthesis" },
	};
	struct rules r;
	char text[256], err[256];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct rules_db *db = NULL;

		snprintf(text, sizeof(text), HEADER "x\tact.recruits\ten\t1\t%s\tt\n", cases[i].pattern);
		rules_init(&r);
		assert_int_equal(parse(&r, "t.tsv", text, err, sizeof(err)), VG_OK);
		err[0] = '\0';
		assert_int_equal(rules_compile(&r, &db, err, sizeof(err)), VG_INVAL);
		assert_null(db);
		if (strncmp(err, cases[i].err, strlen(cases[i].err)))
			fail_msg("\"%s\": got \"%s\"", cases[i].pattern, err);
		rules_release(&r);
	}
}

/*
 * The cap: spans are kept in the order they begin (the end of their first
 * match, then rule order); the scan stops at the first that does not fit,
 * and what was kept covers what was read up to there.
 */
static void test_matcher_cap(void **state)
{
	static const char lex[] = HEADER
		"a\tact.recruits\ten\t1\t\\bab\\b\tt\n"
		"b\tact.harbors\ten\t1\t\\b(ab|b)\\b\tt\n"
		"c\tact.provides\ten\t1\t\\bab( ab)*\\b\tt\n";
	const char *const lexicons[] = { lex };
	static const char text[] = "ab ab ab ab";
	struct rules_span spans[4];
	struct rules_scratch *rs = NULL;
	struct rules_db *db = NULL;
	struct rules_stats st;
	bool truncated = true;
	struct rules r;
	char err[256];
	size_t n = 0;

	(void)state;
	rules_load(&r, lexicons, 1);
	if (rules_compile(&r, &db, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(rules_scratch_new(db, &rs), VG_OK);
	/*
	 * Uncut, a and b have four spans each and c one over the whole
	 * text. All three end a match at 2, so they begin in rule order;
	 * at 5, a begins its second span, and b's second does not fit: the
	 * scan stops there, before c's match at 5 extends its span.
	 */
	assert_int_equal(rules_match(db, rs, text, strlen(text), spans, 4, &n, &truncated), VG_OK);
	assert_true(truncated);
	assert_int_equal(n, 4);
	assert_int_equal(spans[0].rule, 0);
	assert_int_equal(spans[1].rule, 1);
	assert_int_equal(spans[2].rule, 2);
	assert_int_equal(spans[3].rule, 0);
	assert_int_equal(spans[3].from, 3);
	assert_int_equal(spans[3].to, 5);
	assert_int_equal(spans[2].from, 0);
	assert_int_equal(spans[2].to, 2);
	assert_int_equal(rules_match(db, rs, text, strlen(text), spans, 3, &n, &truncated), VG_OK);
	assert_true(truncated);
	assert_int_equal(n, 3);
	assert_int_equal(spans[2].rule, 2);
	/* Room for everything: nothing is cut, and c's span covers the text. */
	{
		struct rules_span all[16];

		assert_int_equal(rules_match(db, rs, text, strlen(text), all, 16, &n, &truncated),
				 VG_OK);
		assert_false(truncated);
		assert_int_equal(n, 9);
		assert_int_equal(all[2].rule, 2);
		assert_int_equal(all[2].to, strlen(text));
	}
	rules_scratch_stats(rs, &st);
	assert_int_equal(st.texts, 3);
	assert_true(st.hits > 0 && st.matches > 0);
	rules_scratch_free(rs);
	rules_db_free(db);
	rules_release(&r);
}

/*
 * Work that would grow with the square of the text is cut: a side that
 * repeats a class without bound, read from each of the factors of one
 * long word. The spans of the chunks read before the cut stay.
 */
static void test_matcher_bounded_work(void **state)
{
	static const char lex[] = HEADER
		"stem\tpurpose.commercial_sex\ten\t1\tprostitut\\w*\tt\n"
		"debt\tmeans.debt_bondage\ten\t1\t\\bdebt\\b\tt\n";
	const char *const lexicons[] = { lex };
	size_t len = 9000 + (1 << 15), n = 0;
	struct rules_scratch *rs = NULL;
	struct rules_span spans[16];
	struct rules_db *db = NULL;
	struct rules_stats st;
	bool truncated = false;
	struct rules r;
	char err[256], *text;

	(void)state;
	rules_load(&r, lexicons, 1);
	if (rules_compile(&r, &db, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(rules_scratch_new(db, &rs), VG_OK);
	text = malloc(len);
	assert_non_null(text);
	memcpy(text, "debt ", 5);
	memset(text + 5, ' ', 9000 - 5);
	for (size_t i = 9000; i < len; i++)
		text[i] = "prostitut"[(i - 9000) % 9];
	assert_int_equal(rules_match(db, rs, text, len, spans, ARRAY_SIZE(spans), &n, &truncated),
			 VG_OK);
	assert_true(truncated);
	assert_int_equal(n, 1);
	assert_int_equal(spans[0].rule, 1);
	assert_int_equal(spans[0].to, 4);
	/* The bound is checked after each step of a program, which may read the word once more. */
	rules_scratch_stats(rs, &st);
	assert_true(st.steps <= 256 * (uint64_t)len + 65536 + 2 * (uint64_t)len);
	/* The next text is read whole again. */
	assert_int_equal(rules_match(db, rs, "debt prostitutes", 16, spans, ARRAY_SIZE(spans), &n,
				     &truncated), VG_OK);
	assert_false(truncated);
	assert_int_equal(n, 2);
	free(text);
	rules_scratch_free(rs);
	rules_db_free(db);
	rules_release(&r);
}

/* Appends the "text" of every JSON line of path to the texts array. */
static void corpus_texts(const char *path, char ***texts, size_t *n, size_t *cap)
{
	char *data = test_slurp(path, NULL), *line, *next;

	assert_non_null(data);
	for (line = data; line && *line; line = next) {
		json_t *o;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		o = json_loads(line, 0, NULL);
		if (!o)
			continue;
		if (*n == *cap) {
			*cap = *cap ? 2 * *cap : 128;
			*texts = realloc(*texts, *cap * sizeof(**texts));
			assert_non_null(*texts);
		}
		(*texts)[(*n)++] = strdup(json_string_value(json_object_get(o, "text")));
		json_decref(o);
	}
	free(data);
}

/*
 * Reads the rule files of data/ into r (initialised here), common words
 * and four grams included: what the screen itself reads.
 */
static void read_data_rules(struct rules *r)
{
	static const char *const names[] = { "typology.tsv", "indicators/en.tsv", "indicators/es.tsv",
					     "indicators/common-words.tsv",
					     "indicators/four-grams.tsv" };
	char path[512], err[512];

	rules_init(r);
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char *text;

		snprintf(path, sizeof(path), "%s/%s", VIGIL_RULES_DIR, names[i]);
		text = test_slurp(path, NULL);
		assert_non_null(text);
		if (rules_parse(r, names[i], text, strlen(text), err, sizeof(err)))
			fail_msg("%s", err);
		free(text);
	}
}

/*
 * The real lexicon over the labelled corpus, its tips in capitals, all of
 * them in one text (which phase one reads in several chunks), and a few
 * hostile texts: the two-phase spans are the single-phase ones.
 */
static void test_matcher_against_single_phase(void **state)
{
	char **texts = NULL, *all, err[512];
	size_t n = 0, cap = 0, total = 0, spans = 0;
	struct rules_scratch *rs = NULL;
	struct rules_db *db = NULL;
	struct norm norm;
	struct som_ref ref;
	struct rules r;

	(void)state;
	read_data_rules(&r);
	/* The common words are read: the chooser's choices are those checked here. */
	assert_true(r.nwords >= 100);
	if (rules_compile(&r, &db, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(rules_scratch_new(db, &rs), VG_OK);
	som_init(&ref, &r, 1 << 16, false);
	corpus_texts(VIGIL_RULES_DIR "/../tests/corpus/tune.jsonl", &texts, &n, &cap);
	corpus_texts(VIGIL_RULES_DIR "/../tests/corpus/heldout.jsonl", &texts, &n, &cap);
	assert_true(n >= 80);
	for (size_t i = 0; i < n; i++)
		total += strlen(texts[i]) + 1;
	all = malloc(total + 1);
	assert_non_null(all);
	all[0] = '\0';
	norm_init(&norm);
	for (size_t i = 0, off = 0; i < n; i++) {
		size_t len = strlen(texts[i]);

		memcpy(all + off, texts[i], len);
		all[off + len] = ' ';
		off += len + 1;
		all[off] = '\0';
		for (int upper = 0; upper < 2; upper++) {
			if (upper) {
				for (char *p = texts[i]; *p; p++)
					*p = (char)toupper((unsigned char)*p);
			}
			assert_int_equal(norm_text(&norm, texts[i], len), VG_OK);
			spans += same_spans(&r, db, rs, &ref, norm.text, norm.len);
		}
	}
	/* Phase one reads it in three chunks or more. */
	assert_true(total > 2 * 8192);
	assert_int_equal(norm_text(&norm, all, total), VG_OK);
	spans += same_spans(&r, db, rs, &ref, norm.text, norm.len);
	/* Many spans in one text: what the corpus found, and more. */
	assert_true(spans > 20 * n);
	{
		static const char *const hostile[] = { "not ", "debt ", "took ", "a" };
		size_t len = 1 << 16;
		char *big = malloc(len + 64);

		assert_non_null(big);
		for (size_t h = 0; h < ARRAY_SIZE(hostile); h++) {
			size_t k = strlen(hostile[h]);

			for (size_t i = 0; i < len; i++)
				big[i] = hostile[h][i % k];
			memcpy(big + len, " allowed to leave his passport", 30);
			assert_int_equal(norm_text(&norm, big, len + 30), VG_OK);
			same_spans(&r, db, rs, &ref, norm.text, norm.len);
		}
		free(big);
	}
	norm_release(&norm);
	for (size_t i = 0; i < n; i++)
		free(texts[i]);
	free(texts);
	free(all);
	som_release(&ref);
	rules_scratch_free(rs);
	rules_db_free(db);
	rules_release(&r);
}

/*
 * The phase-one scanner's strings by id; those of one byte in lists by
 * that byte, the others by their first two (head, then next).
 */
struct p1ref {
	const char **s;
	size_t *len, n;
	int32_t head1[256], head2[1 << 16], *next;
};

static uint64_t p1_rand(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static int hit_order(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;

	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/*
 * Reads text in the chunks rules_match() reads, and checks that each chunk
 * gives, in order of their ends, exactly the (string, end) pairs of every
 * string at every offset that end in it. Returns how many there were.
 */
static size_t p1_same(const struct rules_db *db, struct rules_scratch *rs,
		      const struct p1ref *ref, const char *text, size_t len)
{
	struct hit *want = NULL;
	size_t nwant = 0, capwant = 0, total = 0;

	rs->text = text;
	rs->len = len;
	rs->nhits = rs->ncarry = 0;
	for (size_t from = 0; from < len; from += 8192) {
		size_t to = len - from < 8192 ? len : from + 8192;

		nwant = 0;
		/* Every string that starts at st and ends in (from, to]. */
		for (size_t st = from >= LIT_LEN ? from - LIT_LEN : 0; st < to; st++) {
			const unsigned char *u = (const unsigned char *)text + st;

			for (int h = 0; h < 2; h++) {
				int32_t id = !h ? ref->head1[u[0]] :
					     st + 1 < len ? ref->head2[u[0] | u[1] << 8] : -1;

				for (; id >= 0; id = ref->next[id]) {
					size_t k = ref->len[id];

					if (st + k <= from || st + k > to || memcmp(text + st, ref->s[id], k))
						continue;
					if (nwant == capwant) {
						capwant = capwant ? 2 * capwant : 64;
						want = realloc(want, capwant * sizeof(*want));
						assert_non_null(want);
					}
					want[nwant].id = (uint32_t)id;
					want[nwant].end = (uint32_t)(st + k);
					nwant++;
				}
			}
		}
		assert_int_equal(p1scan_chunk(db, rs, from, to), VG_OK);
		for (size_t i = 1; i < rs->nhits; i++)
			assert_true(rs->hits[i - 1].end <= rs->hits[i].end);
		assert_int_equal(rs->nhits, nwant);
		/* Either may still be NULL when nothing was found: no qsort() on it. */
		if (nwant) {
			qsort(rs->hits, rs->nhits, sizeof(*rs->hits), hit_order);
			qsort(want, nwant, sizeof(*want), hit_order);
		}
		for (size_t i = 0; i < nwant; i++) {
			assert_int_equal(rs->hits[i].id, want[i].id);
			assert_int_equal(rs->hits[i].end, want[i].end);
		}
		total += nwant;
		rs->nhits = 0;
	}
	assert_int_equal(rs->ncarry, 0);
	free(want);
	rs->text = NULL;
	return total;
}

/*
 * Phase one's scanner against a reference that compares every string at
 * every offset, with the real lexicon and its keys: random texts of the
 * strings, letters, signs and characters of two to four bytes, of up to
 * three chunks; each string alone, at the start and the end of a text and
 * across the end of a chunk at every offset; texts of a megabyte of one
 * byte.
 */
static void test_phase1_against_reference(void **state)
{
	static const char *const filler[] = { " ", "a", "e", "o", "s", "-", "\xc3\xa9", "\xc3\xb1",
					      "\xe2\x80\x99", "\xf0\x9f\x98\x80", "her ", "the " };
	struct rules_scratch *rs = NULL;
	struct rules_db *db = NULL;
	struct p1ref ref;
	struct rules r;
	char err[512], *text;
	size_t cap = 3 * 8192 + 2 * LIT_LEN, found = 0, n3 = 0, n2 = 0;
	uint64_t seed = 0x9e3779b97f4a7c15u;

	(void)state;
	read_data_rules(&r);
	assert_true(r.ngrams >= 1000);
	if (rules_compile(&r, &db, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(rules_scratch_new(db, &rs), VG_OK);
	ref.n = db->nlit1;
	ref.s = calloc(ref.n, sizeof(*ref.s));
	ref.len = calloc(ref.n, sizeof(*ref.len));
	ref.next = calloc(ref.n, sizeof(*ref.next));
	assert_true(ref.s && ref.len && ref.next);
	memset(ref.head1, 0xff, sizeof(ref.head1));
	memset(ref.head2, 0xff, sizeof(ref.head2));
	for (size_t i = 0; i < db->scan.nstrs + db->scan.nshorts; i++) {
		const struct p1str *ps = i < db->scan.nstrs ? &db->scan.strs[i] :
				       &db->scan.shorts[i - db->scan.nstrs];
		const unsigned char *u = (const unsigned char *)db->litbuf + ps->lit;
		int32_t *head = ps->len == 1 ? &ref.head1[u[0]] : &ref.head2[u[0] | u[1] << 8];

		ref.s[ps->id] = db->litbuf + ps->lit;
		ref.len[ps->id] = ps->len;
		ref.next[ps->id] = *head;
		*head = (int32_t)ps->id;
		n3 += ps->len == 3;
		n2 += ps->len < 3;
	}
	/* Every kind of string is there: shorter than three bytes, three, more. */
	assert_true(n2 >= 1 && n3 >= 1 && ref.n > 1000);
	text = malloc(1 << 20);
	assert_non_null(text);
	for (int t = 0; t < 300; t++) {
		size_t len = 0, want = p1_rand(&seed) % (t < 200 ? 3000 : 3 * 8192);

		while (len < want) {
			const char *piece;

			if (p1_rand(&seed) % 3 == 0) {
				size_t id = p1_rand(&seed) % ref.n;

				memcpy(text + len, ref.s[id], ref.len[id]);
				len += ref.len[id];
				continue;
			}
			piece = filler[p1_rand(&seed) % ARRAY_SIZE(filler)];
			memcpy(text + len, piece, strlen(piece));
			len += strlen(piece);
		}
		assert_true(len <= cap);
		found += p1_same(db, rs, &ref, text, len);
	}
	for (size_t id = 0; id < ref.n; id++) {
		size_t k = ref.len[id];

		found += p1_same(db, rs, &ref, ref.s[id], k);
		memcpy(text, ref.s[id], k);
		memset(text + k, 'x', 40);
		memcpy(text + k + 40, ref.s[id], k);
		found += p1_same(db, rs, &ref, text, 2 * k + 40);
		/* Across the end of the first chunk, at each offset (in turns). */
		memset(text, ' ', 8192 + LIT_LEN);
		memcpy(text + 8192 - 1 - id % k, ref.s[id], k);
		found += p1_same(db, rs, &ref, text, 8192 + LIT_LEN);
	}
	for (const char *c = "a-e "; *c; c++) {
		memset(text, *c, 1 << 20);
		p1_same(db, rs, &ref, text, 1 << 20);
	}
	assert_true(found > 100000);
	free(text);
	free(ref.s);
	free(ref.len);
	free(ref.next);
	rules_scratch_free(rs);
	rules_db_free(db);
	rules_release(&r);
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
		cmocka_unit_test(test_referral_categories_parse),
		cmocka_unit_test(test_referral_patterns),
		cmocka_unit_test(test_matcher_constructs),
		cmocka_unit_test(test_matcher_riders),
		cmocka_unit_test(test_matcher_few_strings),
		cmocka_unit_test(test_matcher_word_gaps),
		cmocka_unit_test(test_matcher_gap_before_scan),
		cmocka_unit_test(test_parse_common_words),
		cmocka_unit_test(test_parse_four_grams),
		cmocka_unit_test(test_matcher_common_words),
		cmocka_unit_test(test_matcher_refuses),
		cmocka_unit_test(test_matcher_cap),
		cmocka_unit_test(test_matcher_bounded_work),
		cmocka_unit_test(test_matcher_needs),
		cmocka_unit_test(test_matcher_against_single_phase),
		cmocka_unit_test(test_phase1_against_reference),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

/*
 * The screen's JSON writer (screen_result_write()) against a reference:
 * the result object built with jansson, as screen_run() built it before
 * the writer existed, then serialised with json_dumps(JSON_COMPACT). The
 * two must give the same bytes for every tip of the labelled corpus under
 * both frameworks and for texts chosen to exercise escaping, numbers,
 * truncation and the writer's limit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/compat.h"
#include "screen/norm.h"
#include "screen/screen.h"
#include "screen/screen_impl.h"
#include "testlib.h"
#include "vigil_config.h"

#define CORPUS_DIR VIGIL_RULES_DIR "/../tests/corpus"

static struct screen_engine *engine;
static struct screen_scratch *scratch;

static int setup(void **state)
{
	(void)state;
	return test_screen_engine(&engine, &scratch);
}

static int teardown(void **state)
{
	(void)state;
	screen_scratch_free(scratch);
	screen_engine_free(engine);
	return 0;
}

/* The reference: the result object as jansson builds it. */

static json_t *ref_number(double v)
{
	if (v == (double)(long long)v && v > -1e15 && v < 1e15)
		return json_integer((json_int_t)v);
	return json_real(v);
}

static void push(json_t *a, json_t *v)
{
	assert_non_null(v);
	assert_int_equal(json_array_append_new(a, v), 0);
}

static json_t *ref_entities(const struct entities *ents)
{
	static const char *const keys[] = {
		[ENTITY_PHONE] = "phones", [ENTITY_EMAIL] = "emails", [ENTITY_URL] = "urls",
		[ENTITY_HANDLE] = "handles", [ENTITY_AGE] = "ages", [ENTITY_MONEY] = "money",
	};
	json_t *o = json_pack("{s:[], s:[], s:[], s:[], s:[], s:[], s:[]}", "phones", "emails",
			      "urls", "handles", "ages", "age_cues", "money");

	assert_non_null(o);
	for (size_t i = 0; i < ents->count; i++) {
		const struct entity *en = &ents->items[i];

		if (en->kind == ENTITY_AGE && en->is_cue) {
			push(json_object_get(o, "age_cues"),
			     json_pack("{s:s, s:o}", "cue", en->value, "under",
				       ref_number(en->number)));
		} else if (en->kind == ENTITY_AGE) {
			push(json_object_get(o, "ages"), ref_number(en->number));
		} else if (en->kind == ENTITY_MONEY) {
			const char *v = en->value, *sp;

			if (!strncmp(v, "debt ", 5))
				v += 5;
			sp = strchr(v, ' ');
			push(json_object_get(o, "money"),
			     json_pack("{s:o, s:o, s:b}", "amount", ref_number(en->number),
				       "currency",
				       sp ? json_stringn(v, (size_t)(sp - v)) : json_null(),
				       "debt", en->is_debt));
		} else {
			push(json_object_get(o, keys[en->kind]), json_string(en->value));
		}
	}
	return o;
}

static json_t *ref_names(const struct rules *r, const struct screen_result *res,
			 enum rule_family family)
{
	json_t *a = json_array(), *v;
	size_t k;

	for (size_t i = 0; i < res->nhits; i++) {
		const struct rule *rule = &r->items[res->hits[i]];
		bool dup = false;

		if (rule->family != family)
			continue;
		json_array_foreach(a, k, v)
			dup = dup || !strcmp(json_string_value(v), rule_name(rule));
		if (!dup)
			push(a, json_string(rule_name(rule)));
	}
	return a;
}

static json_t *ref_result(const struct screen_result *res)
{
	const struct rules *r = screen_engine_rules(res->engine);
	const struct assessment *as = &res->assessment;
	const struct assess_elements *el = &as->fw[res->framework];
	json_t *kinds = json_array(), *types = json_array(), *purpose = json_array();
	json_t *means = json_array(), *ind = json_array();

	if (as->kinds & ASSESS_KIND_SEX)
		push(kinds, json_string("sex"));
	if (as->kinds & ASSESS_KIND_LABOR)
		push(kinds, json_string("labor"));
	for (size_t t = 0; t < r->ntypes; t++)
		if (as->types >> t & 1)
			push(types, json_string(r->types[t].slug));
	for (int p = 0; p < PURPOSE_COUNT; p++)
		if (el->purpose[p])
			push(purpose, json_string(rules_purposes[p].name));
	for (size_t i = 0; i < rules_means_count; i++)
		if (as->means_seen >> i & 1)
			push(means, json_string(rules_means[i].name));
	for (size_t i = 0; i < res->nindicators; i++) {
		const struct screen_indicator *x = &res->indicators[i];

		push(ind, json_pack("{s:s, s:s, s:[I, I], s:s#}", "id", x->id,
				    "category", x->category, "span", (json_int_t)x->start,
				    (json_int_t)x->end, "quote", res->text + x->start,
				    (int)(x->end - x->start)));
	}
	return json_pack("{s:s, s:s, s:{s:s, s:s}, s:o, s:o, s:{s:b, s:b, s:o, s:b, s:b},"
			 " s:o, s:o, s:b, s:s, s:f, s:o, s:b, s:o}",
			 "status", assess_status_name(el->status),
			 "framework", res->framework == ASSESS_TVPA ? "tvpa" : "palermo",
			 "frameworks",
			 "tvpa", assess_status_name(as->fw[ASSESS_TVPA].status),
			 "palermo", assess_status_name(as->fw[ASSESS_PALERMO].status),
			 "kinds", kinds, "typology", types,
			 "elements", "act", el->act, "means", el->means, "purpose", purpose,
			 "minor", as->minor, "act_implied", el->act_implied,
			 "means", means,
			 "risk_factors", ref_names(r, res, RULE_RISK),
			 "labor_exploitation", as->labor_exploitation,
			 "urgency", assess_urgency_name(as->urgency),
			 "ad_score", as->ad_score,
			 "indicators", ind,
			 "indicators_truncated", res->truncated,
			 "entities", ref_entities(res->entities));
}

/*
 * Screens text and checks that the writer, the reference and screen_run()
 * agree byte for byte. Returns the number of indicators, for the callers
 * that want to know the text exercised something.
 */
static size_t check_text(const char *text, size_t len, enum screen_framework fw,
			 const char *country)
{
	struct screen_options opt = { .framework = fw };
	struct screen_result res;
	json_t *ref, *run = NULL;
	char *want, *again;
	struct buf b;
	size_t n;

	snprintf(opt.default_country, sizeof(opt.default_country), "%s", country);
	buf_init(&b, SCREEN_JSON_MAX);
	assert_int_equal(screen_analyse(engine, scratch, &opt, text, len, &res), VG_OK);
	n = res.nindicators;
	ref = ref_result(&res);
	assert_non_null(ref);
	want = json_dumps(ref, JSON_COMPACT);
	assert_non_null(want);
	assert_int_equal(screen_result_write(&res, &b), VG_OK);
	assert_string_equal(buf_str(&b), want);
	assert_int_equal(screen_run(engine, scratch, &opt, text, len, &run), VG_OK);
	again = json_dumps(run, JSON_COMPACT);
	assert_non_null(again);
	assert_string_equal(again, want);
	free(again);
	free(want);
	json_decref(run);
	json_decref(ref);
	buf_release(&b);
	return n;
}

/*
 * The live indicators against the rule they follow, read the plain way: a
 * negation silences every other match that starts inside its span, the
 * others are sorted by start, end and rule. The matcher's spans are found
 * again here, the rule applied to every pair, and the result must hold
 * exactly the matches left, with their spans in the original text.
 */
static int span_cmp(const void *a, const void *b)
{
	const struct rules_span *x = a, *y = b;

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	if (x->to != y->to)
		return x->to < y->to ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

static size_t check_negations(const char *text, size_t len)
{
	static struct rules_span spans[4096];
	struct screen_options opt = { .framework = SCREEN_TVPA, .default_country = "US" };
	const struct rules *r = screen_engine_rules(engine);
	struct rules_scratch *rs;
	struct screen_result res;
	struct norm n;
	size_t nm, live = 0, dead = 0;
	bool full;

	norm_init(&n);
	assert_int_equal(norm_text(&n, text, len), VG_OK);
	assert_int_equal(rules_scratch_new(engine->db, &rs), VG_OK);
	assert_int_equal(rules_match(engine->db, rs, n.text, n.len, spans, ARRAY_SIZE(spans), &nm,
				     &full), VG_OK);
	qsort(spans, nm, sizeof(*spans), span_cmp);
	assert_int_equal(screen_analyse(engine, scratch, &opt, text, len, &res), VG_OK);
	for (size_t i = 0; i < nm; i++) {
		bool killed = false;
		size_t start, end;

		for (size_t j = 0; j < nm && r->items[spans[i].rule].family != RULE_NEGATION; j++) {
			const struct rules_span *neg = &spans[j];

			killed = killed || (r->items[neg->rule].family == RULE_NEGATION &&
					    spans[i].from >= neg->from && spans[i].from < neg->to);
		}
		if (killed) {
			dead++;
			continue;
		}
		assert_true(live < res.nindicators);
		norm_span(&n, spans[i].from, spans[i].to, &start, &end);
		assert_int_equal(res.indicators[live].rule, spans[i].rule);
		assert_int_equal(res.indicators[live].start, start);
		assert_int_equal(res.indicators[live].end, end);
		live++;
	}
	assert_int_equal(res.nindicators, live);
	rules_scratch_free(rs);
	norm_release(&n);
	return dead;
}

static void check_file(const char *path, size_t *texts, size_t *indicators)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;

	assert_non_null(f);
	while (getline(&line, &cap, f) > 0) {
		json_t *tip = json_loads(line, 0, NULL), *text;
		const char *country;

		assert_non_null(tip);
		text = json_object_get(tip, "text");
		country = json_string_value(json_object_get(tip, "country"));
		assert_true(json_is_string(text));
		for (int fw = SCREEN_TVPA; fw <= SCREEN_PALERMO; fw++) {
			*indicators += check_text(json_string_value(text), json_string_length(text),
						  (enum screen_framework)fw, country ? country : "US");
		}
		check_negations(json_string_value(text), json_string_length(text));
		(*texts)++;
		json_decref(tip);
	}
	free(line);
	fclose(f);
}

static void test_corpus_agrees(void **state)
{
	size_t texts = 0, indicators = 0;

	(void)state;
	check_file(CORPUS_DIR "/tune.jsonl", &texts, &indicators);
	check_file(CORPUS_DIR "/heldout.jsonl", &texts, &indicators);
	printf("# %zu texts, %zu indicators written alike\n", texts, indicators);
	assert_true(texts >= 80);
	assert_true(indicators > texts);
}

/* Quotes with every character JSON escapes, money, ages and cues, look-alikes. */
static void test_escapes_and_numbers_agree(void **state)
{
	static const char *const texts[] = {
		"He took her \"passport\"\tand\\she owes a debt of $3,000.50\r\n to the boss.",
		"They keep her\x01 passport\x1f and she is 16 years old, \xe2\x80\xa8 looks about 14.",
		"Debe 2500 pesos, le quitaron el pasaporte; tiene 15 a\xc3\xb1os. \x7f",
		"Call 510 555 O1Z3 or write to ana at example dot com, owes \xe2\x82\xac" "1200.",
		"new in town, young, 100 roses, $0.25 special, she can't leave the house",
		"",
		"\xd1\x81he took her passport",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
		check_text(texts[i], strlen(texts[i]), SCREEN_TVPA, "US");
		check_text(texts[i], strlen(texts[i]), SCREEN_PALERMO, "MX");
	}
}

/* A NUL byte inside an indicator's span: "\u0000" in the quote, and screen_run() reads it back. */
static void test_nul_in_quote(void **state)
{
	static const char text[] = "I am an escort and I work for myself. Nobody work for \005\000myself. "
				   "Nob tonn escort any. They took her\000passport.";
	struct screen_options opt = { .framework = SCREEN_TVPA, .default_country = "US" };
	struct buf b;

	(void)state;
	check_text(text, sizeof(text) - 1, SCREEN_TVPA, "US");
	buf_init(&b, SCREEN_JSON_MAX);
	assert_int_equal(screen_write(engine, scratch, &opt, text, sizeof(text) - 1, &b), VG_OK);
	assert_non_null(strstr(buf_str(&b), "\\u0000"));
	buf_release(&b);
}

/* More spans than are kept: indicators_truncated, and thousands of quotes. */
static void test_truncated_agrees(void **state)
{
	static const char unit[] = "he took her passport. ";
	size_t n = 5000, len = n * (sizeof(unit) - 1);
	char *text = malloc(len + 1);
	struct screen_options opt = { .framework = SCREEN_TVPA, .default_country = "US" };
	struct screen_result res;

	(void)state;
	assert_non_null(text);
	for (size_t i = 0; i < n; i++)
		memcpy(text + i * (sizeof(unit) - 1), unit, sizeof(unit) - 1);
	text[len] = '\0';
	assert_int_equal(screen_analyse(engine, scratch, &opt, text, len, &res), VG_OK);
	assert_true(res.truncated);
	check_text(text, len, SCREEN_TVPA, "US");
	free(text);
}

/* A buffer too small for the result: VG_TOOBIG, and nothing past its limit. */
static void test_write_limit(void **state)
{
	static const char text[] = "They took her passport and she owes $4,000.";
	struct screen_options opt = { .framework = SCREEN_TVPA, .default_country = "US" };
	struct screen_result res;
	struct buf b;
	size_t full;

	(void)state;
	buf_init(&b, SCREEN_JSON_MAX);
	assert_int_equal(screen_write(engine, scratch, &opt, text, sizeof(text) - 1, &b), VG_OK);
	full = b.len;
	buf_release(&b);
	buf_init(&b, full - 1);
	assert_int_equal(screen_analyse(engine, scratch, &opt, text, sizeof(text) - 1, &res), VG_OK);
	assert_int_equal(screen_result_write(&res, &b), VG_TOOBIG);
	assert_true(b.len < full);
	buf_release(&b);
	buf_init(&b, full);
	assert_int_equal(screen_result_write(&res, &b), VG_OK);
	assert_int_equal(b.len, full);
	buf_release(&b);
}

/*
 * The ad score as json_dumps() writes a real, for the values the writer
 * writes without snprintf() (whole numbers of 1024ths below a million,
 * both signs) and for values on either side of that path.
 */
static void test_score_agrees(void **state)
{
	static const double extra[] = {
		0.0, -0.0, 999999.9990234375, -999999.9990234375, 1e6, -1e6, 1e6 + 0.5, 0.1, 0.6 + 0.7,
		1.0 / 3, 1e-300, 123456.5, 1e15, 2.5e-5, 0.0009765625, 0.00048828125,
	};
	struct screen_options opt = { .framework = SCREEN_TVPA, .default_country = "US" };
	struct screen_result res;
	struct buf b;

	(void)state;
	buf_init(&b, SCREEN_JSON_MAX);
	assert_int_equal(screen_analyse(engine, scratch, &opt, "hello", 5, &res), VG_OK);
	for (long m = -3000; m < 3000 + (long)ARRAY_SIZE(extra); m++) {
		double v = m < 3000 ? (double)m / 1024 * (m % 7 ? 1 : 97) : extra[m - 3000];
		json_t *real = json_real(v);
		char *want = json_dumps(real, JSON_ENCODE_ANY | JSON_COMPACT);
		const char *got, *end;

		assert_non_null(want);
		res.assessment.ad_score = v;
		buf_reset(&b);
		assert_int_equal(screen_result_write(&res, &b), VG_OK);
		got = strstr(buf_str(&b), "\"ad_score\":");
		assert_non_null(got);
		got += strlen("\"ad_score\":");
		end = strchr(got, ',');
		assert_non_null(end);
		if ((size_t)(end - got) != strlen(want) || memcmp(got, want, strlen(want)))
			fail_msg("ad_score %.17g: writer %.*s, jansson %s", v, (int)(end - got), got,
				 want);
		free(want);
		json_decref(real);
	}
	buf_release(&b);
}

/*
 * The writer copies quotes sixteen bytes at a time, reading on past a
 * quote when the text goes on and not when it ends: quotes of every length
 * from a few bytes to past 32, with a byte to escape (a tab, a control
 * character) at each place in them, at the end of the text and before more
 * of it, and with nothing to escape.
 */
static void test_quotes_every_offset(void **state)
{
	static const char *const gaps[] = { " ", "\t", "\x01", " \t", "\r\n", "  " };
	size_t indicators = 0;
	char text[160];

	(void)state;
	for (size_t a = 0; a < 12; a++) {
		for (size_t b = 0; b < 12; b++) {
			for (size_t g = 0; g < ARRAY_SIZE(gaps); g++) {
				const char *g2 = gaps[(g + b) % ARRAY_SIZE(gaps)];
				int n = snprintf(text, sizeof(text), "%s took%.*s%sher%.*s%spassport",
						 a % 2 ? "He" : "They", (int)a, "            ",
						 gaps[g], (int)b, "            ", g2);

				assert_true(n > 0 && (size_t)n < sizeof(text) - 20);
				indicators += check_text(text, (size_t)n, SCREEN_TVPA, "US");
				memcpy(text + n, " and more.", 11);
				indicators += check_text(text, (size_t)n + 10, SCREEN_TVPA, "US");
			}
		}
	}
	assert_true(indicators >= 2 * 12 * 12 * ARRAY_SIZE(gaps));
}

static void test_negations_agree(void **state)
{
	static const char *const texts[] = {
		"No one forced her; she works as an escort.",
		"Nobody forced her and no one threatened her, but he forced her to work and took "
		"her passport.",
		"She is free to leave, she keeps her own money, he forced her; she can quit "
		"whenever.",
		"nobody forced nobody forced forced her to work, not threatened, never made to "
		"pay a debt",
		"She has her own passport. He keeps her passport and they are not forced to stay.",
		"Nadie la obliga. La obligan a trabajar y le quitaron el pasaporte.",
	};
	size_t dead = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(texts); i++)
		dead += check_negations(texts[i], strlen(texts[i]));
	assert_true(dead >= 3);
}

/* The errors of the analysis come through both entry points. */
static void test_errors(void **state)
{
	struct screen_options opt = { .framework = SCREEN_TVPA, .default_country = "US" };
	json_t *out = NULL;
	struct buf b;

	(void)state;
	buf_init(&b, 1024);
	assert_int_equal(screen_write(engine, scratch, &opt, "bad \xff byte", 10, &b), VG_UTF8);
	assert_int_equal(b.len, 0);
	assert_int_equal(screen_run(engine, scratch, &opt, "bad \xff byte", 10, &out), VG_UTF8);
	assert_null(out);
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus_agrees),
		cmocka_unit_test(test_escapes_and_numbers_agree),
		cmocka_unit_test(test_nul_in_quote),
		cmocka_unit_test(test_truncated_agrees),
		cmocka_unit_test(test_quotes_every_offset),
		cmocka_unit_test(test_negations_agree),
		cmocka_unit_test(test_write_limit),
		cmocka_unit_test(test_score_agrees),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

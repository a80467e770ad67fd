#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/compat.h"
#include "testlib.h"
#include "directory/route.h"
#include "vigil_config.h"

#include <dirent.h>

/* A fixture directory: fictional numbers only (555-01xx). */
static const char fixture_dir[] =
	"[xx-911]\nname = Emergency\ncountry = US\nshort = 55501\nhours = 24/7\n"
	"services = emergency\nsource = F\n"
	"[xx-police]\nname = Police\ncountry = US\nshort = 55502\nservices = emergency, report\n"
	"source = F\n"
	"[xx-hotline]\nname = Hotline\ncountry = US\nphone = +15555550110 | 555-0110\n"
	"hours = 24/7\nservices = help, report\ntrafficking = yes\nsource = F\n"
	"[xx-hsi]\nname = HSI\ncountry = US\nphone = +15555550111 | 555-0111\nhours = 24/7\n"
	"services = report\ntrafficking = yes\nsource = F\n"
	"[xx-ncmec]\nname = Child line\ncountry = US\nphone = +15555550112 | 555-0112\n"
	"services = child, report\nsource = F\n"
	"[xx-whd]\nname = Wages\ncountry = US\nphone = +15555550113 | 555-0113\n"
	"hours = Mo-Fr 09:00-17:00\nzone = America/New_York\nservices = labor, wage_theft\n"
	"source = F\n"
	"[xx-dss]\nname = Visas\ncountry = US\nemail = tips@example.org\nservices = visa_fraud\n"
	"source = F\n"
	"[xx-fbi]\nname = Tips online\ncountry = US\nweb = https://example.org/tips\n"
	"services = report\nsource = F\n"
	"[xx-ca-team]\nname = County team\ncountry = US\nregion = US-CA\n"
	"phone = +15555550115 | 555-0115\nservices = child, report\ntrafficking = yes\nsource = F\n"
	"[xx-tx-team]\nname = Other county team\ncountry = US\nregion = US-TX\n"
	"phone = +15555550116 | 555-0116\nservices = child, report\ntrafficking = yes\nsource = F\n"
	"[de-112]\nname = Notruf\ncountry = DE\nshort = 55501\nhours = 24/7\nservices = emergency\n"
	"source = F\n"
	"[de-day]\nname = Day line\ncountry = DE\nphone = +15555550120 | 555-0120\n"
	"hours = Mo-Fr 09:00-17:00\nzone = Europe/Berlin\nservices = help\ntrafficking = yes\n"
	"source = F\n"
	"[de-always]\nname = Night and day line\ncountry = DE\nphone = +15555550121 | 555-0121\n"
	"hours = 24/7\nservices = help\ntrafficking = yes\nsource = F\n";

static struct directory *fixture(void)
{
	struct directory_file f = { "fixture.ini", fixture_dir, sizeof(fixture_dir) - 1 };
	struct directory *d = NULL;
	char err[256] = "";

	if (directory_parse(&f, 1, &d, err, sizeof(err)))
		fail_msg("%s", err);
	return d;
}

#define HEADER "id\tpriority\twhen\ttargets\treason\n"

static struct route_rules *rules_from(const struct directory *d, const char *text)
{
	struct directory_file f = { "r.tsv", text, strlen(text) };
	struct route_rules *r = NULL;
	char err[256] = "";

	if (route_parse(d, &f, 1, &r, err, sizeof(err)))
		fail_msg("%s", err);
	return r;
}

static json_t *load_json(const char *text)
{
	json_error_t jerr;
	json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);

	if (!j)
		fail_msg("bad test JSON: %s", jerr.text);
	return j;
}

static int64_t at(const char *iso)
{
	int64_t t = 0;

	assert_int_equal(hours_parse_instant(iso, &t), VG_OK);
	return t;
}

/* The referral ids, space-separated, in order. */
static void route_ids(const struct route_rules *r, const char *screening, const char *country,
		      const char *region, const char *iso, char *out, size_t size)
{
	struct route_result res;
	struct route_place pl;
	json_t *s = load_json(screening);
	char err[256] = "";
	size_t i, used = 0;

	route_result_init(&res);
	assert_int_equal(route_place_set(&pl, country, region), VG_OK);
	if (route_eval(r, s, &pl, at(iso), &res, err, sizeof(err)))
		fail_msg("%s", err);
	out[0] = '\0';
	for (i = 0; i < res.n; i++)
		used += (size_t)snprintf(out + used, size - used, "%s%s", i ? " " : "",
					 res.v[i].entry->id);
	route_result_release(&res);
	json_decref(s);
}

/* Whether a one-rule set with condition `when` fires for the screening. */
static bool fires(const char *when, const char *screening, const char *country,
		  const char *region)
{
	struct directory *d = fixture();
	struct route_rules *r;
	char text[512], ids[256];

	snprintf(text, sizeof(text), HEADER "t\t5\t%s\txx-hotline\tbecause\n", when);
	r = rules_from(d, text);
	route_ids(r, screening, country, region, "2026-03-30T14:30:00Z", ids, sizeof(ids));
	route_free(r);
	directory_free(d);
	return !strcmp(ids, "xx-hotline");
}

static const char sex_minor[] =
	"{\"status\": \"likely\", \"urgency\": \"priority\", \"kinds\": [\"sex\"],"
	" \"typology\": [\"escort_services\"],"
	" \"elements\": {\"act\": true, \"means\": false, \"purpose\": [\"commercial_sex\"],"
	" \"minor\": true}, \"labor_exploitation\": false,"
	" \"indicators\": [{\"id\": \"en.means.documents.1\", \"category\": \"means.withholds_documents\","
	" \"span\": [0, 4], \"quote\": \"took\"}]}";

static void test_conditions(void **state)
{
	const char *s = sex_minor;

	(void)state;
	assert_true(fires("status=likely", s, "US", NULL));
	assert_false(fires("status=possible", s, "US", NULL));
	assert_true(fires("status!=possible", s, "US", NULL));
	assert_false(fires("status!=likely", s, "US", NULL));
	assert_true(fires("!status=possible", s, "US", NULL));
	assert_true(fires("urgency=priority", s, "US", NULL));
	assert_false(fires("urgency=crisis", s, "US", NULL));
	assert_true(fires("kinds=sex", s, "US", NULL));
	assert_false(fires("kinds=labor", s, "US", NULL));
	assert_true(fires("kinds!=labor", s, "US", NULL));
	assert_true(fires("typology=escort_services", s, "US", NULL));
	assert_true(fires("typology~escort", s, "US", NULL));
	assert_false(fires("typology=escort", s, "US", NULL));
	assert_true(fires("purpose=commercial_sex", s, "US", NULL));
	assert_false(fires("purpose=labor", s, "US", NULL));
	assert_true(fires("minor", s, "US", NULL));
	assert_false(fires("!minor", s, "US", NULL));
	assert_true(fires("act", s, "US", NULL));
	assert_false(fires("means", s, "US", NULL));
	assert_false(fires("labor_exploitation", s, "US", NULL));
	/* Indicators: a category, a category prefix, an id, or a part of either. */
	assert_true(fires("indicator=means.withholds_documents", s, "US", NULL));
	assert_true(fires("indicator=means", s, "US", NULL));
	assert_false(fires("indicator=means.withholds", s, "US", NULL));
	assert_true(fires("indicator=en.means.documents.1", s, "US", NULL));
	assert_true(fires("indicator~documents", s, "US", NULL));
	assert_false(fires("indicator~visa", s, "US", NULL));
	assert_true(fires("indicator!=means.visa_fraud", s, "US", NULL));
	/* The place. */
	assert_true(fires("country=US", s, "us", NULL));
	assert_false(fires("country!=US", s, "US", NULL));
	assert_true(fires("country!=US", s, "DE", NULL));
	assert_true(fires("country!=US", s, NULL, NULL));
	assert_true(fires("region=US-CA", s, "US", "CA"));
	assert_true(fires("region=US-CA", s, "US", "US-CA"));
	assert_false(fires("region=US-CA", s, "US", "TX"));
	assert_false(fires("region=US-CA", s, "US", NULL));
	/* & binds tighter than |. */
	assert_true(fires("status=possible & minor | kinds=sex", s, "US", NULL));
	assert_false(fires("status=possible & kinds=sex | urgency=crisis", s, "US", NULL));
	assert_true(fires("urgency=crisis | status=likely & minor & country=US", s, "US", NULL));
	assert_false(fires("urgency=crisis | status=likely & minor & country=DE", s, "US", NULL));
	assert_true(fires(" minor&kinds = sex ", s, "US", NULL));
	/* Missing fields are empty lists and false. */
	assert_false(fires("minor", "{\"status\": \"possible\"}", "US", NULL));
	assert_false(fires("kinds=sex", "{\"status\": \"possible\"}", "US", NULL));
	assert_true(fires("kinds!=sex", "{\"status\": \"possible\"}", "US", NULL));
	assert_false(fires("urgency=routine", "{\"status\": \"possible\"}", "US", NULL));
}

static void expect_parse_error(const char *text, const char *want)
{
	struct directory *d = fixture();
	struct directory_file f = { "r.tsv", text, strlen(text) };
	struct route_rules *r = (struct route_rules *)&f;
	char err[256] = "";

	assert_int_equal(route_parse(d, &f, 1, &r, err, sizeof(err)), VG_INVAL);
	if (strncmp(err, want, strlen(want)))
		fail_msg("got \"%s\", want \"%s\"", err, want);
	assert_ptr_equal(r, (struct route_rules *)&f);
	directory_free(d);
}

static void test_parse_errors_name_file_and_line(void **state)
{
	(void)state;
	expect_parse_error("", "r.tsv:0: no header line");
	expect_parse_error("# only a comment\n", "r.tsv:1: no header line");
	expect_parse_error("id priority when targets reason\n", "r.tsv:1: the first line must be");
	expect_parse_error(HEADER "a\t5\tminor\txx-hotline\n", "r.tsv:2: expected 5 tab-separated");
	expect_parse_error(HEADER "a\t5\tminor\txx-hotline\twhy\textra\n", "r.tsv:2: more than 5");
	expect_parse_error(HEADER "a\t5\t \txx-hotline\twhy\n", "r.tsv:2: empty column 3");
	expect_parse_error(HEADER "A rule\t5\tminor\txx-hotline\twhy\n", "r.tsv:2: bad rule id");
	expect_parse_error(HEADER "a\tsoon\tminor\txx-hotline\twhy\n", "r.tsv:2: priority \"soon\"");
	expect_parse_error(HEADER "a\t0\tminor\txx-hotline\twhy\n", "r.tsv:2: priority \"0\"");
	expect_parse_error(HEADER "a\t1000\tminor\txx-hotline\twhy\n", "r.tsv:2: priority");
	expect_parse_error(HEADER "# c\n\na\t5\tcolour=red\txx-hotline\twhy\n",
			   "r.tsv:4: unknown field \"colour\"");
	expect_parse_error(HEADER "a\t5\tminor=yes\txx-hotline\twhy\n",
			   "r.tsv:2: minor is yes or no: write \"minor\" or \"!minor\"");
	expect_parse_error(HEADER "a\t5\tstatus\txx-hotline\twhy\n",
			   "r.tsv:2: status needs =, != or ~");
	expect_parse_error(HEADER "a\t5\tstatus=maybe\txx-hotline\twhy\n",
			   "r.tsv:2: status \"maybe\" is not one of: likely possible not_indicated");
	expect_parse_error(HEADER "a\t5\turgency=soon\txx-hotline\twhy\n", "r.tsv:2: urgency");
	expect_parse_error(HEADER "a\t5\tkinds=organs\txx-hotline\twhy\n", "r.tsv:2: kinds");
	expect_parse_error(HEADER "a\t5\tcountry=us\txx-hotline\twhy\n", "r.tsv:2: country \"us\"");
	expect_parse_error(HEADER "a\t5\tregion=CA\txx-hotline\twhy\n", "r.tsv:2: region \"CA\"");
	expect_parse_error(HEADER "a\t5\tstatus=\txx-hotline\twhy\n", "r.tsv:2: status: expected a value");
	expect_parse_error(HEADER "a\t5\tminor &\txx-hotline\twhy\n", "r.tsv:2: unknown field");
	expect_parse_error(HEADER "a\t5\tminor && act\txx-hotline\twhy\n", "r.tsv:2: unknown field");
	expect_parse_error(HEADER "a\t5\tminor act\txx-hotline\twhy\n", "r.tsv:2: expected & or |");
	expect_parse_error(HEADER "a\t5\tminor\txx-nobody\twhy\n",
			   "r.tsv:2: target \"xx-nobody\" is not an entry");
	expect_parse_error(HEADER "a\t5\tminor\tsleep@country\twhy\n",
			   "r.tsv:2: \"sleep\" is neither a service");
	expect_parse_error(HEADER "a\t5\tminor\thelp@planet\twhy\n", "r.tsv:2: lookup \"help@planet\"");
	expect_parse_error(HEADER "a\t5\tminor\thelp@country:0\twhy\n", "r.tsv:2: \":0\" is not a count");
	expect_parse_error(HEADER "a\t5\tminor\thelp@country:x\twhy\n", "r.tsv:2: \":x\"");
	expect_parse_error(HEADER "a\t5\tminor\txx-hotline,\twhy\n", "r.tsv:2: empty target");
	expect_parse_error(HEADER "a\t5\tminor\txx-hotline\twhy\na\t6\tact\txx-hsi\twhy\n",
			   "r.tsv:3: rule id a is used twice");
	expect_parse_error(HEADER "a\t5\tminor\txx-hotline\twhy \xff\n", "r.tsv: not UTF-8");
}

static void test_order_dedupe_and_lookups(void **state)
{
	struct directory *d = fixture();
	struct route_rules *r = rules_from(d, HEADER
		"# later rules may be more urgent; an entry keeps its most urgent rule\n"
		"lines\t40\tstatus!=not_indicated\ttrafficking@country\tlines\n"
		"team\t22\tminor\tchild@region\tteam\n"
		"crisis\t10\turgency=crisis\temergency@country:1\tcrisis\n"
		"hotline\t30\tstatus=likely & country=US\txx-hotline, xx-dss\thotline\n"
		"wages\t30\tlabor_exploitation\txx-whd\twages\n"
		"fbi\t30\tstatus=likely\txx-fbi\tfbi\n");
	char ids[512];

	(void)state;
	/* Crisis first (the first emergency line only), then the county team,
	 * then priority 30 (open, unknown hours), then the rest of priority 40. */
	route_ids(r, "{\"status\": \"likely\", \"urgency\": \"crisis\", \"elements\": {\"minor\": true}}",
		  "US", "CA", "2026-03-30T14:30:00Z", ids, sizeof(ids));
	assert_string_equal(ids, "xx-911 xx-ca-team xx-hotline xx-dss xx-fbi xx-hsi");

	/* Without a region the county teams of every region are left out. */
	route_ids(r, "{\"status\": \"likely\", \"elements\": {\"minor\": true}}", "US", NULL,
		  "2026-03-30T14:30:00Z", ids, sizeof(ids));
	assert_string_equal(ids, "xx-hotline xx-dss xx-fbi xx-hsi");

	/* Open before unknown before closed within one priority: the wage line
	 * is open on Monday at 10:30 in New York and closed at 19:30. */
	route_ids(r, "{\"status\": \"likely\", \"labor_exploitation\": true}", "US", NULL,
		  "2026-03-30T14:30:00Z", ids, sizeof(ids));
	assert_string_equal(ids, "xx-hotline xx-whd xx-dss xx-fbi xx-hsi");
	route_ids(r, "{\"status\": \"likely\", \"labor_exploitation\": true}", "US", NULL,
		  "2026-03-30T23:30:00Z", ids, sizeof(ids));
	assert_string_equal(ids, "xx-hotline xx-dss xx-fbi xx-whd xx-hsi");

	/* Another country: only its own lines, open ones first. */
	route_ids(r, "{\"status\": \"possible\", \"urgency\": \"crisis\"}", "DE", NULL,
		  "2026-03-30T23:30:00Z", ids, sizeof(ids));
	assert_string_equal(ids, "de-112 de-always de-day");
	route_ids(r, "{\"status\": \"possible\"}", "DE", NULL, "2026-03-30T10:30:00Z", ids,
		  sizeof(ids));
	assert_string_equal(ids, "de-day de-always");

	/* Nothing applies. */
	route_ids(r, "{\"status\": \"not_indicated\", \"urgency\": \"routine\"}", "US", NULL,
		  "2026-03-30T14:30:00Z", ids, sizeof(ids));
	assert_string_equal(ids, "");
	/* No country: lookups find nothing, named entries still apply. */
	route_ids(r, "{\"status\": \"likely\", \"urgency\": \"crisis\"}", NULL, NULL,
		  "2026-03-30T14:30:00Z", ids, sizeof(ids));
	assert_string_equal(ids, "xx-fbi");

	assert_int_equal(route_count(r), 6);
	assert_string_equal(route_rule_id(r, 2), "crisis");
	route_free(r);
	directory_free(d);
}

static void test_result_json(void **state)
{
	struct directory *d = fixture();
	struct route_rules *r = rules_from(d, HEADER
		"crisis\t10\turgency=crisis\txx-911\tCall now.\n"
		"any\t50\tstatus=likely\txx-whd, xx-dss, xx-police\tBecause.\n");
	json_t *s = load_json("{\"status\": \"likely\", \"urgency\": \"crisis\"}"), *a = NULL, *o;
	struct route_result res;
	struct route_place pl;
	char err[256] = "";

	(void)state;
	route_result_init(&res);
	assert_int_equal(route_place_set(&pl, "US", NULL), VG_OK);
	assert_int_equal(route_eval(r, s, &pl, at("2026-03-30T23:30:00Z"), &res, err, sizeof(err)),
			 VG_OK);
	assert_int_equal(route_result_json(&res, &a), VG_OK);
	assert_int_equal(json_array_size(a), 4);
	o = json_array_get(a, 0);
	assert_string_equal(json_string_value(json_object_get(o, "id")), "xx-911");
	assert_string_equal(json_string_value(json_object_get(o, "name")), "Emergency");
	assert_string_equal(json_string_value(json_object_get(o, "phone")), "55501");
	assert_string_equal(json_string_value(json_object_get(o, "reason")), "Call now.");
	assert_true(json_is_true(json_object_get(o, "open_now")));
	assert_int_equal(json_integer_value(json_object_get(o, "priority")), 10);
	assert_string_equal(json_string_value(json_object_get(o, "rule")), "crisis");
	assert_true(json_is_null(json_object_get(o, "email")));
	/* Priority 50: unknown hours (e-mail only, the police) before closed (wages). */
	o = json_array_get(a, 1);
	assert_string_equal(json_string_value(json_object_get(o, "id")), "xx-dss");
	assert_true(json_is_null(json_object_get(o, "phone")));
	assert_string_equal(json_string_value(json_object_get(o, "email")), "tips@example.org");
	assert_true(json_is_null(json_object_get(o, "open_now")));
	o = json_array_get(a, 3);
	assert_string_equal(json_string_value(json_object_get(o, "id")), "xx-whd");
	assert_string_equal(json_string_value(json_object_get(o, "phone")), "+15555550113");
	assert_true(json_is_false(json_object_get(o, "open_now")));
	json_decref(a);
	route_result_release(&res);
	json_decref(s);
	route_free(r);
	directory_free(d);
}

static void expect_input_error(const struct route_rules *r, const char *screening,
			       const char *want)
{
	struct route_result res = { (struct route_referral *)&res, 99 };
	struct route_place pl;
	json_t *s = load_json(screening);
	char err[256] = "";

	assert_int_equal(route_place_set(&pl, "US", NULL), VG_OK);
	assert_int_equal(route_eval(r, s, &pl, 0, &res, err, sizeof(err)), VG_INVAL);
	if (!strstr(err, want))
		fail_msg("got \"%s\", want \"%s\"", err, want);
	/* The result is untouched. */
	assert_int_equal(res.n, 99);
	json_decref(s);
}

static void test_bad_screening_results(void **state)
{
	struct directory *d = fixture();
	struct route_rules *r = rules_from(d, HEADER "a\t5\tminor\txx-hotline\twhy\n");

	(void)state;
	expect_input_error(r, "[1, 2]", "must be a JSON object");
	expect_input_error(r, "{\"text\": \"not screened\"}", "no \"status\"");
	expect_input_error(r, "{\"status\": \"certain\"}", "\"status\" must be one of");
	expect_input_error(r, "{\"status\": \"likely\", \"urgency\": 3}", "\"urgency\" must be");
	expect_input_error(r, "{\"status\": \"likely\", \"kinds\": \"sex\"}", "\"kinds\" must be a list");
	expect_input_error(r, "{\"status\": \"likely\", \"typology\": [1]}", "\"typology\"");
	expect_input_error(r, "{\"status\": \"likely\", \"elements\": []}", "\"elements\" must be");
	expect_input_error(r, "{\"status\": \"likely\", \"elements\": {\"minor\": \"yes\"}}",
			   "\"minor\" must be true or false");
	expect_input_error(r, "{\"status\": \"likely\", \"elements\": {\"purpose\": [true]}}",
			   "\"purpose\" must be a list");
	expect_input_error(r, "{\"status\": \"likely\", \"labor_exploitation\": 1}",
			   "\"labor_exploitation\"");
	expect_input_error(r, "{\"status\": \"likely\", \"indicators\": {}}", "\"indicators\" must be");
	expect_input_error(r, "{\"status\": \"likely\", \"indicators\": [{\"id\": \"x\"}]}",
			   "indicator 0 needs a \"category\"");
	expect_input_error(r, "{\"status\": \"likely\", \"indicators\": [{\"category\": \"a\", \"id\": 1}]}",
			   "indicator 0");
	route_free(r);
	directory_free(d);
}

static void test_places(void **state)
{
	struct route_place pl = { "ZZ", "ZZ-ZZ" };

	(void)state;
	assert_int_equal(route_place_set(&pl, "us", "ca"), VG_OK);
	assert_string_equal(pl.country, "US");
	assert_string_equal(pl.region, "US-CA");
	assert_int_equal(route_place_set(&pl, "US", "us-ca"), VG_OK);
	assert_string_equal(pl.region, "US-CA");
	assert_int_equal(route_place_set(&pl, "GB", "GB-ENG"), VG_OK);
	assert_string_equal(pl.region, "GB-ENG");
	assert_int_equal(route_place_set(&pl, NULL, NULL), VG_OK);
	assert_string_equal(pl.country, "");
	assert_string_equal(pl.region, "");
	assert_int_equal(route_place_set(&pl, "DE", ""), VG_OK);
	assert_string_equal(pl.region, "");

	memcpy(pl.country, "ZZ", 3);
	assert_int_equal(route_place_set(&pl, "USA", NULL), VG_INVAL);
	assert_int_equal(route_place_set(&pl, "U1", NULL), VG_INVAL);
	assert_int_equal(route_place_set(&pl, "US", "MX-CMX"), VG_INVAL);
	assert_int_equal(route_place_set(&pl, NULL, "CA"), VG_INVAL);
	assert_int_equal(route_place_set(&pl, "US", "CALI"), VG_INVAL);
	assert_int_equal(route_place_set(&pl, "US", "C A"), VG_INVAL);
	assert_string_equal(pl.country, "ZZ");
}

/* The real rules, data/routing, against the real directory. */
static const char *wanted_suffix;

static int has_suffix(const struct dirent *de)
{
	size_t n = strlen(de->d_name), m = strlen(wanted_suffix);

	return n > m && !strcmp(de->d_name + n - m, wanted_suffix);
}

/* Reads the files of VIGIL_RULES_DIR/sub ending in suffix, in name order. */
static size_t read_data(const char *sub, const char *suffix, struct directory_file *files,
			size_t max)
{
	static char names[128][300];
	static size_t used;
	struct dirent **list;
	char path[512];
	int i, n;

	wanted_suffix = suffix;
	snprintf(path, sizeof(path), "%s/%s", VIGIL_RULES_DIR, sub);
	n = scandir(path, &list, has_suffix, alphasort);
	assert_true(n > 0 && (size_t)n <= max && used + (size_t)n <= 128);
	for (i = 0; i < n; i++, used++) {
		snprintf(names[used], sizeof(names[used]), "%s", list[i]->d_name);
		snprintf(path, sizeof(path), "%s/%s/%s", VIGIL_RULES_DIR, sub, list[i]->d_name);
		files[i].name = names[used];
		files[i].text = test_slurp(path, &files[i].len);
		assert_non_null(files[i].text);
		free(list[i]);
	}
	free(list);
	return (size_t)n;
}

static void free_files(struct directory_file *files, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free((char *)files[i].text);
}

struct real {
	struct directory *dir;
	struct route_rules *rules;
};

static int setup_real(void **state)
{
	static struct real real;
	struct directory_file files[64];
	char err[256] = "";
	size_t n;

	n = read_data("directory", ".ini", files, 64);
	if (directory_parse(files, n, &real.dir, err, sizeof(err)))
		fail_msg("%s", err);
	free_files(files, n);
	n = read_data("routing", ".tsv", files, 64);
	if (route_parse(real.dir, files, n, &real.rules, err, sizeof(err)))
		fail_msg("%s", err);
	free_files(files, n);
	*state = &real;
	return 0;
}

static int teardown_real(void **state)
{
	struct real *real = *state;

	route_free(real->rules);
	directory_free(real->dir);
	return 0;
}

/* Synthetic screening results for the real rules, and what each must get. */
static const struct {
	const char *what, *screening, *country, *region;
	const char *want; /* the referral ids, in order */
} scenarios[] = {
	{ "a child sold for sex, in danger now, in Alameda County",
	  "{\"status\": \"likely\", \"urgency\": \"crisis\", \"kinds\": [\"sex\"],"
	  " \"typology\": [\"escort_services\"], \"elements\": {\"act\": true, \"means\": false,"
	  " \"purpose\": [\"commercial_sex\"], \"minor\": true}, \"labor_exploitation\": false,"
	  " \"indicators\": []}", "US", "CA",
	  "us-911 us-ncmec us-ca-alameda-heat-watch us-nhth us-dhs-hsi us-fbi-tips" },
	{ "possible trafficking of an adult in California",
	  "{\"status\": \"possible\", \"urgency\": \"routine\", \"kinds\": [\"sex\"],"
	  " \"elements\": {\"purpose\": [\"commercial_sex\"], \"minor\": false}}", "US", "US-CA",
	  "us-nhth us-ca-alameda-heat-watch" },
	{ "unpaid wages, no force, fraud or coercion",
	  "{\"status\": \"not_indicated\", \"urgency\": \"routine\", \"kinds\": [],"
	  " \"elements\": {\"purpose\": [\"labor\"]}, \"labor_exploitation\": true}", "US", NULL,
	  "us-dol-whd" },
	{ "likely labour trafficking",
	  "{\"status\": \"likely\", \"urgency\": \"priority\", \"kinds\": [\"labor\"],"
	  " \"elements\": {\"act\": true, \"means\": true, \"purpose\": [\"labor\"]},"
	  " \"labor_exploitation\": false}", "US", NULL,
	  "us-nhth us-dhs-hsi us-fbi-tips us-eeoc" },
	{ "fraud in an H-2A work visa",
	  "{\"status\": \"possible\", \"urgency\": \"routine\", \"kinds\": [\"labor\"],"
	  " \"indicators\": [{\"id\": \"en.means.work_visa.1\", \"category\": \"means.work_visa_fraud\"}]}",
	  "US", NULL, "us-dss us-dol-oig us-nhth" },
	{ "a diplomat's domestic worker",
	  "{\"status\": \"possible\", \"urgency\": \"routine\", \"kinds\": [\"labor\"],"
	  " \"indicators\": [{\"id\": \"en.risk.diplomat.1\", \"category\": \"risk.diplomat\"}]}",
	  "US", NULL, "us-dss us-nhth" },
	{ "passport fraud",
	  "{\"status\": \"not_indicated\", \"urgency\": \"routine\","
	  " \"indicators\": [{\"id\": \"en.means.visa.1\", \"category\": \"means.visa_fraud\"}]}",
	  "US", NULL, "us-dss" },
	{ "a mention of sexual images of a child, nothing else",
	  "{\"status\": \"not_indicated\", \"urgency\": \"priority\","
	  " \"indicators\": [{\"id\": \"en.minor.images.1\", \"category\": \"minor.sexual_images\"}]}",
	  "US", NULL, "us-ncmec" },
	{ "nothing indicated",
	  "{\"status\": \"not_indicated\", \"urgency\": \"routine\", \"kinds\": []}", "US", NULL, "" },
	{ "a child exploited in Greece",
	  "{\"status\": \"possible\", \"urgency\": \"priority\", \"kinds\": [\"labor\"],"
	  " \"elements\": {\"minor\": true}}", "GR", NULL,
	  "gr-sspuam gr-child-1107 gr-missing-116000 gr-a21-1109" },
	{ "labour exploitation in the Netherlands",
	  "{\"status\": \"not_indicated\", \"urgency\": \"routine\", \"labor_exploitation\": true}",
	  "NL", NULL, "nl-labour-authority nl-fairwork" },
	{ "someone held now in Germany, where no national line is listed",
	  "{\"status\": \"likely\", \"urgency\": \"crisis\", \"kinds\": [\"sex\"]}", "DE", NULL,
	  "de-112" },
	{ "trafficking in Denmark on a Sunday morning",
	  "{\"status\": \"likely\", \"urgency\": \"priority\", \"kinds\": [\"sex\"]}", "DK", NULL,
	  "dk-cmm" },
};

static void test_real_rules(void **state)
{
	struct real *real = *state;
	bool *used = calloc(route_count(real->rules), sizeof(*used));
	size_t i, j;

	assert_non_null(used);
	for (i = 0; i < ARRAY_SIZE(scenarios); i++) {
		struct route_result res;
		struct route_place pl;
		json_t *s = load_json(scenarios[i].screening);
		char err[256] = "", ids[512] = "";
		size_t n = 0;

		route_result_init(&res);
		assert_int_equal(route_place_set(&pl, scenarios[i].country, scenarios[i].region), VG_OK);
		/* Sunday 29 March 2026, 08:00 UTC. */
		if (route_eval(real->rules, s, &pl, at("2026-03-29T08:00:00Z"), &res, err, sizeof(err)))
			fail_msg("%s: %s", scenarios[i].what, err);
		for (j = 0; j < res.n; j++) {
			size_t k;

			n += (size_t)snprintf(ids + n, sizeof(ids) - n, "%s%s", j ? " " : "",
					      res.v[j].entry->id);
			for (k = 0; k < route_count(real->rules); k++) {
				if (!strcmp(route_rule_id(real->rules, k), res.v[j].rule))
					used[k] = true;
			}
		}
		if (strcmp(ids, scenarios[i].want))
			fail_msg("%s: got \"%s\", want \"%s\"", scenarios[i].what, ids,
				 scenarios[i].want);
		route_result_release(&res);
		json_decref(s);
	}
	/* Every real rule is tested by at least one scenario. */
	for (i = 0; i < route_count(real->rules); i++) {
		if (!used[i])
			fail_msg("rule %s is not exercised by any scenario",
				 route_rule_id(real->rules, i));
	}
	free(used);
}

/* Outside the US, the country's trafficking lines: open ones first. */
static void test_real_rules_abroad(void **state)
{
	struct real *real = *state;
	char ids[512];

	/* Monday 30 March 2026, 12:00 UTC: 15:00 in Sofia, the commission is open. */
	route_ids(real->rules, "{\"status\": \"likely\", \"urgency\": \"crisis\"}", "BG", NULL,
		  "2026-03-30T12:00:00Z", ids, sizeof(ids));
	assert_string_equal(ids, "bg-112 bg-a21 bg-animus bg-nccthb");
	/* Prague: Caritas (Mo-Fr 09:00-17:00) comes first while open, last once closed. */
	route_ids(real->rules, "{\"status\": \"likely\", \"urgency\": \"crisis\"}", "CZ", NULL,
		  "2026-03-30T08:00:00Z", ids, sizeof(ids));
	assert_string_equal(ids, "cz-112 cz-caritas-prague cz-la-strada cz-diaconia cz-iom");
	route_ids(real->rules, "{\"status\": \"likely\", \"urgency\": \"crisis\"}", "CZ", NULL,
		  "2026-03-30T18:00:00Z", ids, sizeof(ids));
	assert_string_equal(ids, "cz-112 cz-la-strada cz-diaconia cz-iom cz-caritas-prague");
	route_ids(real->rules, "{\"status\": \"possible\", \"urgency\": \"routine\"}", "FR", NULL,
		  "2026-03-30T17:00:00Z", ids, sizeof(ids));
	assert_string_equal(ids, "fr-thb-helpline");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conditions),
		cmocka_unit_test(test_parse_errors_name_file_and_line),
		cmocka_unit_test(test_order_dedupe_and_lookups),
		cmocka_unit_test(test_result_json),
		cmocka_unit_test(test_bad_screening_results),
		cmocka_unit_test(test_places),
		cmocka_unit_test_setup_teardown(test_real_rules, setup_real, teardown_real),
		cmocka_unit_test_setup_teardown(test_real_rules_abroad, setup_real, teardown_real),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

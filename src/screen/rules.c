#include "base/compat.h"
#include "screen/rules.h"

#include <ctype.h>
#include <math.h>

#include <hs/hs.h>
#include <utf8proc.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "base/buf.h"
#include "screen/swar.h"

/*
 * The category vocabulary. Means use the HTCDS "methods of control" names
 * (../shared/reference/htcds-field-definitions.md), plus "coercion" for force
 * or compulsion that names no particular method, "abduction", and the two
 * means only the Palermo Protocol lists. Isolation is part of HTCDS
 * "restricts movement"; deprivation of food or sleep is "withholds
 * necessities".
 */
const struct rules_term rules_acts[] = {
	{ "recruits", true, true },
	{ "harbors", true, true },
	{ "transports", true, true },
	{ "provides", true, true },
	{ "obtains", true, true },
	{ "patronizes", true, false },
	{ "solicits", true, false },
};
const size_t rules_acts_count = ARRAY_SIZE(rules_acts);

const struct rules_term rules_means[] = {
	{ "debt_bondage", true, true },
	{ "takes_earnings", true, true },
	{ "restricts_financial_access", true, true },
	{ "threats", true, true },
	{ "psychological_abuse", true, true },
	{ "physical_abuse", true, true },
	{ "sexual_abuse", true, true },
	{ "false_promises", true, true },
	{ "psychoactive_substances", true, true },
	{ "restricts_movement", true, true },
	{ "restricts_medical_care", true, true },
	{ "excessive_working_hours", true, true },
	{ "uses_children", true, true },
	{ "threat_of_law_enforcement", true, true },
	{ "withholds_necessities", true, true },
	{ "withholds_documents", true, true },
	{ "coercion", true, true },
	{ "abduction", true, true },
	{ "other", true, true },
	{ "abuse_of_vulnerability", false, true },
	{ "payment_to_controller", false, true },
	/*
	 * Fraud with visas or passports, and in the work-visa programmes
	 * (H-1B, H-2A, H-2B, PERM): fraud under both frameworks, named apart
	 * because the referral rules send them to DSS and the DOL OIG.
	 */
	{ "visa_fraud", true, true },
	{ "work_visa_fraud", true, true },
};
const size_t rules_means_count = ARRAY_SIZE(rules_means);
/* assess.h keeps the means seen as bits of a uint32_t. */
_Static_assert(ARRAY_SIZE(rules_means) <= 32, "too many means for a 32-bit mask");

const struct rules_term rules_purposes[] = {
	[PURPOSE_COMMERCIAL_SEX] = { "commercial_sex", true, true },
	[PURPOSE_LABOR] = { "labor", true, true },
	[PURPOSE_ORGAN_REMOVAL] = { "organ_removal", false, true },
};

const struct rules_term rules_urgencies[] = {
	{ "immediate", true, true },
	{ "threat_to_life", true, true },
	{ "injury", true, true },
	{ "held_now", true, true },
	{ "tonight", true, true },
};
const size_t rules_urgencies_count = ARRAY_SIZE(rules_urgencies);

const struct rules_term rules_ad_signals[] = {
	{ "youth_language", true, true },
	{ "third_person", true, true },
	{ "movement", true, true },
	{ "ethnicity", true, true },
	{ "control_cues", true, true },
	{ "obscured_contact", true, true },
	{ "reassurance", true, true },
};
const size_t rules_ad_signals_count = ARRAY_SIZE(rules_ad_signals);

static const char *const family_names[RULE_FAMILY_COUNT] = {
	[RULE_ACT] = "act",
	[RULE_MEANS] = "means",
	[RULE_PURPOSE] = "purpose",
	[RULE_LABOR] = "labor",
	[RULE_MINOR] = "minor",
	[RULE_RISK] = "risk",
	[RULE_TYPOLOGY] = "typology",
	[RULE_URGENCY] = "urgency",
	[RULE_AD] = "ad",
	[RULE_NEGATION] = "negation",
};

static const char typology_header[] = "slug\tname\tkind\thtcds\tsource";
static const char indicator_header[] = "id\tcategory\tlang\tweight\tpattern\tsource";
static const char words_header[] = "word\tlang\tcount\tsource";

#define FIELDS_MAX 6

/* One line of a file cut into its tab-separated fields (not NUL-terminated). */
struct fields {
	const char *at[FIELDS_MAX];
	size_t len[FIELDS_MAX];
	size_t n;
};

void rules_init(struct rules *r)
{
	memset(r, 0, sizeof(*r));
}

static void rule_release(struct rule *rule)
{
	free(rule->pattern);
	free(rule->source);
	rule->pattern = NULL;
	rule->source = NULL;
}

void rules_release(struct rules *r)
{
	for (size_t i = 0; i < r->count; i++)
		rule_release(&r->items[i]);
	free(r->items);
	free(r->words);
	rules_init(r);
}

static int fail(char *err, size_t errsize, const char *file, unsigned line,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int fail(char *err, size_t errsize, const char *file, unsigned line,
		const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!errsize)
		return VG_INVAL;
	n = snprintf(err, errsize, "%s:%u: ", file, line);
	if (n >= 0 && (size_t)n < errsize) {
		va_start(ap, fmt);
		vsnprintf(err + n, errsize - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return VG_INVAL;
}

/* Cuts s[0..len) at tabs; more than FIELDS_MAX fields is reported as FIELDS_MAX + 1. */
static void fields_split(const char *s, size_t len, struct fields *f)
{
	size_t start = 0;

	f->n = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != '\t')
			continue;
		if (f->n == FIELDS_MAX) {
			f->n++;
			return;
		}
		f->at[f->n] = s + start;
		f->len[f->n] = i - start;
		f->n++;
		start = i + 1;
	}
}

/* Every byte is in the set [a-z0-9] plus the extra characters given. */
static bool field_charset(const char *s, size_t len, const char *extra)
{
	if (!len)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			continue;
		if (!strchr(extra, c) || c == '\0')
			return false;
	}
	return true;
}

/* Every byte is from lo to hi, and there is at least one. */
static bool field_range(const char *s, size_t len, char lo, char hi)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] < lo || s[i] > hi)
			return false;
	}
	return len > 0;
}

static char *field_dup(const char *s, size_t len)
{
	char *p = malloc(len + 1);

	if (!p)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

static void field_copy(char *dst, size_t size, const char *s, size_t len)
{
	assert(len < size);
	memcpy(dst, s, len);
	dst[len] = '\0';
}

/* Walks the lines of a file: *line is 1-based; CR before LF is dropped. */
struct cursor {
	const char *text;
	size_t len;
	size_t pos;
	unsigned line;
};

static bool cursor_next(struct cursor *c, const char **s, size_t *len)
{
	const char *nl;
	size_t n;

	if (c->pos >= c->len)
		return false;
	nl = memchr(c->text + c->pos, '\n', c->len - c->pos);
	n = nl ? (size_t)(nl - (c->text + c->pos)) : c->len - c->pos;
	*s = c->text + c->pos;
	*len = n;
	c->pos += n + (nl ? 1 : 0);
	c->line++;
	if (n && (*s)[n - 1] == '\r')
		(*len)--;
	return true;
}

/* Skips blank lines and comments; the next line that holds something. */
static bool cursor_content(struct cursor *c, const char **s, size_t *len)
{
	while (cursor_next(c, s, len)) {
		if (*len && (*s)[0] != '#')
			return true;
	}
	return false;
}

static bool first_line_is(const char *text, size_t len, const char *header)
{
	struct cursor c = { text, len, 0, 0 };
	const char *s;
	size_t n;

	if (!cursor_content(&c, &s, &n))
		return false;
	return n == strlen(header) && !memcmp(s, header, n);
}

bool rules_is_typology(const char *text, size_t len)
{
	return first_line_is(text, len, typology_header);
}

int rules_type_find(const struct rules *r, const char *slug, size_t len)
{
	for (size_t i = 0; i < r->ntypes; i++) {
		if (strlen(r->types[i].slug) == len && !memcmp(r->types[i].slug, slug, len))
			return (int)i;
	}
	return -1;
}

/* One line of a rule file, its fields counted: adds what it holds to r, or fails. */
typedef int line_fn(struct rules *r, const char *name, unsigned line, const struct fields *f,
		    char *err, size_t errsize);

/*
 * Hands each line after the header of a file of nfields tab-separated
 * fields to fn, and stops at the first that fails.
 */
static int each_line(struct rules *r, const char *name, const char *text, size_t len,
		     size_t nfields, line_fn *fn, char *err, size_t errsize)
{
	struct cursor c = { text, len, 0, 0 };
	struct fields f;
	const char *s;
	size_t n;
	int rc;

	cursor_content(&c, &s, &n);
	while (cursor_content(&c, &s, &n)) {
		fields_split(s, n, &f);
		if (f.n != nfields)
			return fail(err, errsize, name, c.line,
				    "expected %zu tab-separated fields, found %zu", nfields, f.n);
		rc = fn(r, name, c.line, &f, err, errsize);
		if (rc)
			return rc;
	}
	return VG_OK;
}

static int typology_line(struct rules *r, const char *name, unsigned line,
			 const struct fields *f, char *err, size_t errsize)
{
	struct rules_type *t;

	if (!field_charset(f->at[0], f->len[0], "_") || f->len[0] >= RULES_SLUG_MAX)
		return fail(err, errsize, name, line, "slug must be 1-%d of [a-z0-9_]",
			    RULES_SLUG_MAX - 1);
	if (rules_type_find(r, f->at[0], f->len[0]) >= 0)
		return fail(err, errsize, name, line, "slug \"%.*s\" is defined twice",
			    (int)f->len[0], f->at[0]);
	if (!f->len[1] || f->len[1] >= RULES_NAME_MAX)
		return fail(err, errsize, name, line, "name must be 1-%d bytes", RULES_NAME_MAX - 1);
	if (f->len[2] != 1 || !strchr("SLB", f->at[2][0]))
		return fail(err, errsize, name, line, "kind must be S, L or B");
	if (!f->len[4])
		return fail(err, errsize, name, line, "source is empty");
	if (r->ntypes == RULES_TYPES_MAX)
		return fail(err, errsize, name, line, "more than %d types", RULES_TYPES_MAX);
	t = &r->types[r->ntypes++];
	field_copy(t->slug, sizeof(t->slug), f->at[0], f->len[0]);
	field_copy(t->name, sizeof(t->name), f->at[1], f->len[1]);
	t->kind = f->at[2][0];
	return VG_OK;
}

/*
 * each_line() for a file whose lines each add one to *count: on an error,
 * what the file added is dropped again.
 */
static int each_line_counted(struct rules *r, const char *name, const char *text, size_t len,
			     size_t nfields, line_fn *fn, size_t *count, char *err,
			     size_t errsize)
{
	size_t before = *count;
	int rc = each_line(r, name, text, len, nfields, fn, err, errsize);

	if (rc)
		*count = before;
	return rc;
}

static int term_find(const struct rules_term *terms, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++) {
		if (strlen(terms[i].name) == len && !memcmp(terms[i].name, s, len))
			return (int)i;
	}
	return -1;
}

/*
 * Sets family and term from the category field. A "what" message is
 * left in *why on failure.
 */
static bool parse_category(const struct rules *r, struct rule *rule, const char **why)
{
	const char *cat = rule->category;
	const char *dot = strchr(cat, '.');
	size_t flen = dot ? (size_t)(dot - cat) : strlen(cat);
	const char *name = dot ? dot + 1 : "";
	size_t nlen = strlen(name);
	int fam = -1;

	for (int i = 0; i < RULE_FAMILY_COUNT; i++) {
		if (strlen(family_names[i]) == flen && !memcmp(family_names[i], cat, flen))
			fam = i;
	}
	if (fam < 0) {
		*why = "category must start with act., means., purpose., labor., minor., risk., "
		       "typology., urgency., ad. or be negation";
		return false;
	}
	rule->family = (enum rule_family)fam;
	rule->term = -1;
	if (rule->family == RULE_NEGATION) {
		if (dot) {
			*why = "negation takes no name after it";
			return false;
		}
		return true;
	}
	if (!dot || !field_charset(name, nlen, "_")) {
		*why = "category needs a name of [a-z0-9_] after the dot";
		return false;
	}
	switch (rule->family) {
	case RULE_ACT:
		rule->term = term_find(rules_acts, rules_acts_count, name, nlen);
		*why = "unknown act (see data/README.md for the list)";
		break;
	case RULE_MEANS:
		rule->term = term_find(rules_means, rules_means_count, name, nlen);
		*why = "unknown means (see data/README.md for the HTCDS list)";
		break;
	case RULE_PURPOSE:
		rule->term = term_find(rules_purposes, PURPOSE_COUNT, name, nlen);
		*why = "purpose must be commercial_sex, labor or organ_removal";
		break;
	case RULE_URGENCY:
		rule->term = term_find(rules_urgencies, rules_urgencies_count, name, nlen);
		*why = "unknown urgency (see data/README.md)";
		break;
	case RULE_AD:
		rule->term = term_find(rules_ad_signals, rules_ad_signals_count, name, nlen);
		*why = "unknown ad signal (see data/README.md)";
		break;
	case RULE_TYPOLOGY:
		rule->term = rules_type_find(r, name, nlen);
		*why = "unknown typology slug (not in typology.tsv, or typology.tsv not loaded first)";
		break;
	default:
		return true;
	}
	return rule->term >= 0;
}

/* The typology type a purpose or labor rule names in a component of its id. */
static int id_type(const struct rules *r, const char *id)
{
	const char *p = id;

	while (*p) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		int t = rules_type_find(r, p, len);

		if (t >= 0)
			return t;
		if (!dot)
			break;
		p = dot + 1;
	}
	return -1;
}

static bool id_taken(const struct rules *r, const char *id, size_t len)
{
	for (size_t i = 0; i < r->count; i++) {
		if (strlen(r->items[i].id) == len && !memcmp(r->items[i].id, id, len))
			return true;
	}
	return false;
}

static int parse_weight(const char *s, size_t len, double *out)
{
	char tmp[32];
	char *end;
	double w;

	if (!len || len >= sizeof(tmp))
		return VG_INVAL;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	errno = 0;
	w = strtod(tmp, &end);
	if (errno || *end || !isfinite(w) || w < -1.0 || w > 1.0)
		return VG_INVAL;
	*out = w;
	return VG_OK;
}

static int rules_grow(struct rules *r)
{
	struct rule *p;
	size_t cap;

	if (r->count < r->cap)
		return VG_OK;
	cap = r->cap ? r->cap * 2 : 256;
	p = realloc(r->items, cap * sizeof(*p));
	if (!p)
		return VG_NOMEM;
	r->items = p;
	r->cap = cap;
	return VG_OK;
}

static int parse_indicator_line(struct rules *r, const char *name, unsigned line,
				const struct fields *f, char *err, size_t errsize)
{
	struct rule *rule;
	const char *why;
	int rc;

	if (!field_charset(f->at[0], f->len[0], "._-") || f->len[0] >= RULES_ID_MAX)
		return fail(err, errsize, name, line, "id must be 1-%d of [a-z0-9._-]", RULES_ID_MAX - 1);
	if (id_taken(r, f->at[0], f->len[0]))
		return fail(err, errsize, name, line, "id \"%.*s\" is used twice",
			    (int)f->len[0], f->at[0]);
	if (!f->len[1] || f->len[1] >= RULES_CATEGORY_MAX)
		return fail(err, errsize, name, line, "category is empty or too long");
	if (f->len[2] < 2 || f->len[2] > 3 || !field_charset(f->at[2], f->len[2], ""))
		return fail(err, errsize, name, line, "lang must be a 2- or 3-letter code in lower case");
	if (!f->len[4] || f->len[4] >= RULES_PATTERN_MAX)
		return fail(err, errsize, name, line, "pattern must be 1-%d bytes", RULES_PATTERN_MAX - 1);
	if (!f->len[5] || f->len[5] >= RULES_SOURCE_MAX)
		return fail(err, errsize, name, line, "source must be 1-%d bytes", RULES_SOURCE_MAX - 1);
	if (r->count == RULES_MAX)
		return fail(err, errsize, name, line, "more than %d indicators", RULES_MAX);
	rc = rules_grow(r);
	if (rc)
		return rc;
	rule = &r->items[r->count];
	memset(rule, 0, sizeof(*rule));
	field_copy(rule->id, sizeof(rule->id), f->at[0], f->len[0]);
	field_copy(rule->category, sizeof(rule->category), f->at[1], f->len[1]);
	field_copy(rule->lang, sizeof(rule->lang), f->at[2], f->len[2]);
	if (!parse_category(r, rule, &why))
		return fail(err, errsize, name, line, "%s: %s", rule->category, why);
	if (parse_weight(f->at[3], f->len[3], &rule->weight))
		return fail(err, errsize, name, line, "weight must be a number from -1 to 1");
	if (rule->family == RULE_NEGATION && rule->weight != 0.0)
		return fail(err, errsize, name, line, "a negation's weight must be 0");
	rule->type = (rule->family == RULE_PURPOSE || rule->family == RULE_LABOR) ?
		id_type(r, rule->id) : -1;
	if (rule->family == RULE_TYPOLOGY)
		rule->type = rule->term;
	snprintf(rule->file, sizeof(rule->file), "%s", name);
	rule->line = line;
	rule->pattern = field_dup(f->at[4], f->len[4]);
	rule->source = field_dup(f->at[5], f->len[5]);
	if (!rule->pattern || !rule->source) {
		rule_release(rule);
		return VG_NOMEM;
	}
	r->count++;
	return VG_OK;
}

static int parse_indicators(struct rules *r, const char *name, const char *text, size_t len,
			    char *err, size_t errsize)
{
	size_t before = r->count;
	int rc = each_line(r, name, text, len, 6, parse_indicator_line, err, errsize);

	if (rc) {
		while (r->count > before)
			rule_release(&r->items[--r->count]);
	}
	return rc;
}

/*
 * A line of a file of common words: a word of lower-case ASCII letters,
 * its language, how often it was counted and where.
 */
static int word_line(struct rules *r, const char *name, unsigned line, const struct fields *f,
		     char *err, size_t errsize)
{
	if (f->len[0] >= RULES_WORD_MAX || !field_range(f->at[0], f->len[0], 'a', 'z'))
		return fail(err, errsize, name, line, "word must be 1 to %d lower-case letters a-z",
			    RULES_WORD_MAX - 1);
	if (!field_charset(f->at[1], f->len[1], "") || !field_range(f->at[2], f->len[2], '0', '9') ||
	    !f->len[3])
		return fail(err, errsize, name, line,
			    "lang, count (a whole number) and source must be given");
	if (r->nwords == RULES_WORDS_MAX)
		return fail(err, errsize, name, line, "more than %d common words", RULES_WORDS_MAX);
	if (!r->words) {
		r->words = malloc(RULES_WORDS_MAX * sizeof(*r->words));
		if (!r->words)
			return VG_NOMEM;
	}
	field_copy(r->words[r->nwords++], RULES_WORD_MAX, f->at[0], f->len[0]);
	return VG_OK;
}

int rules_parse(struct rules *r, const char *name, const char *text, size_t len,
		char *err, size_t errsize)
{
	assert(name && (text || !len));
	if (memchr(text, '\0', len))
		return fail(err, errsize, name, 0, "file holds a NUL byte");
	if (rules_is_typology(text, len))
		return each_line_counted(r, name, text, len, 5, typology_line, &r->ntypes, err,
					 errsize);
	if (first_line_is(text, len, indicator_header))
		return parse_indicators(r, name, text, len, err, errsize);
	if (first_line_is(text, len, words_header))
		return each_line_counted(r, name, text, len, 4, word_line, &r->nwords, err,
					 errsize);
	return fail(err, errsize, name, 1,
		    "the header row must be \"%s\", \"%s\" or \"%s\" (tab-separated)",
		    "id category lang weight pattern source", "slug name kind htcds source",
		    "word lang count source");
}

/*
 * The matcher (rules.h, "The compiled matcher"). Compiling reads each
 * pattern into a small tree (items: characters, classes, assertions, groups,
 * each with its repeat counts), picks one run of plain-text items of every
 * branch as its factor, and turns what comes before and after the factor
 * into programs of four kinds of step: an assertion, a set of strings, a
 * run of one ASCII class, and anything else as an anchored vectorscan
 * database. Only what vectorscan must do goes to vectorscan: the anchored
 * databases of a gap such as "[ -~]{0,30}" followed by a word list take a
 * tenth of a second each to build, while reading the gap byte by byte and
 * comparing the words costs nothing to build and little to run.
 */

#define REPEAT_INF UINT32_MAX
/* A set of strings: at most this many, each at most LIT_LEN bytes. */
#define LITS_MAX 32
#define LIT_LEN 64
/* The members of a class are listed (for sets of strings) up to this many. */
#define CLASS_CHARS_MAX 10
#define GROUP_DEPTH_MAX 32
/*
 * How deep groups are distributed to find a rarer factor (deeper only when
 * a branch has none yet), and into how many branches at most.
 */
#define EXPAND_DEPTH_MAX 2
#define EXPAND_DEPTH_NEEDED 8
#define EXPAND_PARTS_MAX 32
/* Phase one reads the text in chunks of this many bytes: see rules_match(). */
#define CHUNK 8192
/*
 * Phase two may take at most this many steps (a position tried or reached
 * by a step of a program, a string compared, an anchored scan counting
 * 16) per byte of text, and WORK_MIN more: see rules_match().
 */
#define WORK_PER_BYTE 256
#define WORK_MIN 65536

/*
 * Choosing a factor. Its cost is the number of places per byte of text
 * where it is expected to be found, plus a little per string for being in
 * the phase-one database (the literal matcher slows as strings are added).
 * Text is not random: spaces and short words are everywhere, so a string
 * is taken to be LETTER_ODDS times rarer for each letter or digit in it,
 * OTHER_ODDS for each other byte, and no rarer for a space. Thus "keeps the
 * card" is preferred to " the ", which a model of random letters would
 * rate as rare. The constants were set by measuring rules_match() on the
 * benchmark corpus (bench/screen): both sides of them are within a few
 * per cent. A group is distributed ("\b(prostitut\w*|sex work)" read as
 * two branches) only when no run of plain text is rarer than a word of
 * five or six letters.
 */
#define LETTER_ODDS 6.0
#define OTHER_ODDS 2.45
#define COST_PER_STRING 1e-5
#define EXPAND_ABOVE 5e-5
/*
 * A string made only of common words (struct rules.words: "has", "call
 * her", "tiene") is taken to be this many times commoner than its letters
 * say, so that the chooser prefers a rarer run where a branch has one.
 * Counted over the benchmark corpus (BENCHMARKS.md, "Screen", sixth run),
 * the branches checked a text: 109 with no common words, 104 with 2, 95
 * with 3, 94 with 5 (and more phase-one strings), 110 with 10 (groups
 * distributed into many branches that each find a word).
 */
#define COMMON_ODDS 3.0

enum item_kind { ITEM_CHAR, ITEM_CLASS, ITEM_ASSERT, ITEM_GROUP };

struct seq;

/*
 * A set of strings, each matched byte for byte in the normalised text,
 * with how rare each is as a factor (see LETTER_ODDS).
 */
struct litset {
	uint32_t n;
	uint8_t len[LITS_MAX];
	double odds[LITS_MAX];
	char s[LITS_MAX][LIT_LEN];
};

struct item {
	enum item_kind kind;
	const char *src;          /* the atom as written, without its repeat */
	uint32_t srclen;
	const char *q;            /* the repeat as written, "" when none */
	uint32_t qlen;
	uint32_t min, max;        /* repeat counts, max REPEAT_INF for * and + */
	struct seq *alts;         /* ITEM_GROUP */
	uint32_t nalts;
	char anchor;              /* ITEM_ASSERT: b, B, ^, $, A, z or Z (\b, \B, ^, ...) */
	/*
	 * ITEM_CHAR and ITEM_CLASS: the characters matched, in UTF-8, when
	 * they can be listed (nchars > 0) and each can be compared byte for
	 * byte with case-folded text; ascii when bytes holds all it matches.
	 */
	uint8_t nchars;
	char chars[CLASS_CHARS_MAX][5];
	bool ascii;
	uint8_t bytes[32];
	const struct litset *lang; /* its strings, once computed; NULL when not finite */
	bool lang_done;
};

struct seq {
	struct item **items;
	uint32_t n;
	const struct litset *lang; /* as item.lang */
	bool lang_done;
};

/*
 * The common words of a rule set (struct rules.words) in an open-addressed
 * hash table: the factor chooser asks about every word of every string it
 * weighs, some millions of times for the 413 rules.
 */
#define WORDS_SLOTS (2 * RULES_WORDS_MAX)

struct words {
	const char (*w)[RULES_WORD_MAX];
	uint16_t slot[WORDS_SLOTS]; /* 1 + the word's index, or 0 */
};

static unsigned words_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h & (WORDS_SLOTS - 1);
}

static void words_build(struct words *t, const struct rules *r)
{
	_Static_assert(RULES_WORDS_MAX < UINT16_MAX, "a slot holds a word's index");
	memset(t->slot, 0, sizeof(t->slot));
	t->w = (const char (*)[RULES_WORD_MAX])r->words;
	for (size_t i = 0; i < r->nwords; i++) {
		unsigned h = words_hash(r->words[i], strlen(r->words[i]));

		while (t->slot[h])
			h = (h + 1) & (WORDS_SLOTS - 1);
		t->slot[h] = (uint16_t)(i + 1);
	}
}

/* True when s[0..n) is one of the words. */
static bool words_has(const struct words *t, const char *s, size_t n)
{
	if (n >= RULES_WORD_MAX)
		return false;
	for (unsigned h = words_hash(s, n); t->slot[h]; h = (h + 1) & (WORDS_SLOTS - 1)) {
		const char *w = t->w[t->slot[h] - 1];

		if (!memcmp(w, s, n) && w[n] == '\0')
			return true;
	}
	return false;
}

/* One pattern read into items; every array is allocated for the worst case. */
struct pattern {
	const char *p;
	size_t len, pos;
	struct item *items;
	size_t nitems;
	struct seq *seqs;
	size_t nseqs;
	struct item **ptrs;       /* the items of every seq, seq after seq */
	size_t nptrs;
	struct item **stack;      /* items of the seqs being read */
	size_t nstack;
	struct seq *seqstack;     /* branches of the groups being read */
	size_t nseqstack;
	struct seq *top;          /* the top-level branches */
	uint32_t ntop;
	struct litset **sets;     /* every litset made, to free */
	size_t nsets, capsets;
	struct item **made;       /* groups made while choosing factors, to free */
	size_t nmade, capmade;
	const char *why;          /* what is not supported */
	const struct words *common; /* the common words */
};

enum op_kind { OP_ASSERT, OP_SET, OP_GAP, OP_DB };

/* One step of a program, applied to a set of positions. */
struct op {
	uint8_t kind;
	char anchor;              /* OP_ASSERT: as item.anchor; OP_GAP and OP_SET: an
				   * assertion the positions reached must meet, or 0 */
	uint8_t bytes[32];        /* OP_GAP: the ASCII bytes of the class; OP_SET: the bytes
				   * its strings start with (end with, read backwards) */
	uint32_t min, max;        /* OP_GAP */
	uint32_t lit, nlit;       /* OP_SET: db->lits[lit .. lit + nlit) */
	bool empty;               /* OP_SET: one of its strings is "" */
	uint8_t key[LITS_MAX];    /* OP_SET: each string's first byte (last, backwards) */
	uint8_t key2[LITS_MAX];   /* OP_SET: its second (second to last), 0 when shorter */
	uint32_t one, nonempty;   /* OP_SET: bit k for string k of one byte, of one or more */
	uint32_t hdb;             /* OP_DB: db->hdbs[hdb] */
};

/*
 * A string of a set. head and mask are its first eight bytes (its last
 * eight, read backwards) as swar_load8() reads them from the text, so that
 * one load and one comparison settle most strings of a set with no call
 * to memcmp(): in prose most strings of a set start with the same space.
 */
struct lit {
	uint32_t off, len;        /* in db->litbuf */
	uint64_t head, mask;
};

/*
 * A string that rides on another (struct target): it would start back
 * bytes before the end of the string found, and is read like a string of
 * a set.
 */
struct rider {
	struct lit lit;
	uint32_t target;          /* in db->p1 */
	uint32_t back;
};

/*
 * A branch of a rule with its factor: left is applied backwards from the
 * start of the factor, right forwards from its end.
 */
struct branch {
	uint32_t rule;
	uint32_t lop, nlop;
	uint32_t rop, nrop;
	/*
	 * The assertions each side starts with (the \b next to the factor),
	 * when there are at most two, copied here from the steps: most
	 * factors found inside a word are turned away by them, and reading
	 * them here spares a read of the steps for each such factor.
	 */
	char lassert[2], rassert[2];
	uint8_t nlassert, nrassert; /* how many; 3 for more than two (then none are copied) */
};

/*
 * A factor string and the branches it is the factor of. Only the strings
 * that contain no other factor string are in the phase-one database; each
 * of the others rides on the longest of those that it contains (see
 * phase1_build()), and is looked for where that one is found.
 */
struct target {
	uint32_t first, count;    /* in db->targets */
	uint32_t len;
	uint32_t rider, nriders;  /* in db->riders: the strings that ride on this one */
	/*
	 * What the riders need next to this string, bit (c & 63) for byte c:
	 * after it, for those that go on past its end; before it, for the
	 * others. Most places where the string is found have neither, and
	 * none of its riders is compared there.
	 */
	uint64_t after, before;
};

/* An anchored phase-two database, kept once however many branches use it. */
struct hdb {
	hs_database_t *h;
	char *expr;
};

struct rules_db {
	size_t nrules;
	hs_database_t *phase1;
	struct target *p1;        /* every factor string; phase-one ids are the first nlit1 */
	size_t np1, nlit1;
	struct rider *riders;
	size_t nriders;
	uint32_t *targets;        /* branch indices */
	size_t ntargets;
	struct branch *branches;
	size_t nbranches, capbranches;
	struct op *ops;
	size_t nops, capops;
	struct lit *lits;
	size_t nlits, caplits;
	char *litbuf;
	size_t litbuflen, capbuf;
	struct hdb *hdbs;
	size_t nhdbs, caphdbs;
	hs_scratch_t *proto;      /* big enough for every database */
};

/* A factor string found, while building: the string and its branch. */
struct p1lit {
	char s[LIT_LEN];
	uint8_t len;
	uint32_t branch;
};

struct compiler {
	const struct rules *r;
	struct rules_db *db;
	struct p1lit *p1;
	size_t np1, capp1;
	const struct rule *rule; /* being compiled, for messages */
	uint32_t ruleno;
	char *err;
	size_t errsize;
	struct words common;     /* r->words, looked up by hash */
};

/* Grows *p (of *cap elements of size) to hold need; VG_NOMEM. */
static int grow(void *p, size_t *cap, size_t need, size_t size)
{
	void **pp = p;
	size_t n = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return VG_OK;
	while (n < need)
		n *= 2;
	q = realloc(*pp, n * size);
	if (!q)
		return VG_NOMEM;
	*pp = q;
	*cap = n;
	return VG_OK;
}

/* The length of the UTF-8 sequence that starts with c (the text is valid UTF-8). */
static size_t utf8_seqlen(unsigned char c)
{
	return c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

static void bytes_add(uint8_t *b, unsigned c)
{
	b[c >> 3] |= (uint8_t)(1u << (c & 7));
}

static bool bytes_has(const uint8_t *b, unsigned char c)
{
	return b[c >> 3] >> (c & 7) & 1;
}

/*
 * The bytes of \w without HS_FLAG_UCP, as a set read with bytes_has():
 * 0-9 (0x30-0x39), A-Z (0x41-0x5a), _ (0x5f) and a-z (0x61-0x7a). Phase
 * two asks about the bytes around every factor found; one load and a bit
 * test answer it.
 */
static const uint8_t word_bytes[32] = {
	[6] = 0xff, [7] = 0x03, [8] = 0xfe, [9] = 0xff, [10] = 0xff, [11] = 0x87,
	[12] = 0xfe, [13] = 0xff, [14] = 0xff, [15] = 0x07,
};

static bool is_word(unsigned char c)
{
	return bytes_has(word_bytes, c);
}

/* ---------------------------------------------------------------------
 * Reading a pattern.
 */

static int pattern_init(struct pattern *pt, const char *p)
{
	size_t n;

	memset(pt, 0, sizeof(*pt));
	pt->p = p;
	pt->len = strlen(p);
	n = pt->len + 2;
	pt->items = calloc(n, sizeof(*pt->items));
	pt->seqs = calloc(n, sizeof(*pt->seqs));
	pt->ptrs = calloc(n, sizeof(*pt->ptrs));
	pt->stack = calloc(n, sizeof(*pt->stack));
	pt->seqstack = calloc(n, sizeof(*pt->seqstack));
	if (!pt->items || !pt->seqs || !pt->ptrs || !pt->stack || !pt->seqstack)
		return VG_NOMEM;
	return VG_OK;
}

static void pattern_release(struct pattern *pt)
{
	for (size_t i = 0; i < pt->nsets; i++)
		free(pt->sets[i]);
	free(pt->sets);
	for (size_t i = 0; i < pt->nmade; i++) {
		free(pt->made[i]->alts);
		free(pt->made[i]);
	}
	free(pt->made);
	free(pt->items);
	free(pt->seqs);
	free(pt->ptrs);
	free(pt->stack);
	free(pt->seqstack);
	memset(pt, 0, sizeof(*pt));
}

static int unsupported(struct pattern *pt, const char *why)
{
	pt->why = why;
	return VG_INVAL;
}

static char peek(const struct pattern *pt, size_t ahead)
{
	return pt->pos + ahead < pt->len ? pt->p[pt->pos + ahead] : '\0';
}

/*
 * Adds the character cp (UTF-8 in s[0..n)) to the members of a character
 * or class. It can be compared byte for byte with case-folded text when it
 * is its own lower case; an ASCII capital stands for its small letter.
 */
static void member_add(struct item *it, int32_t cp, const char *s, size_t n, bool *listable)
{
	char lower[5];

	if (cp < 128) {
		unsigned c = (unsigned)cp;

		bytes_add(it->bytes, c);
		if (c >= 'A' && c <= 'Z')
			bytes_add(it->bytes, c + 32);
		if (c >= 'a' && c <= 'z')
			bytes_add(it->bytes, c - 32);
		lower[0] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		lower[1] = '\0';
		s = lower;
		n = 1;
	} else {
		it->ascii = false;
		if (utf8proc_tolower(cp) != cp)
			*listable = false;
	}
	if (!*listable)
		return;
	for (uint8_t i = 0; i < it->nchars; i++) {
		if (!strcmp(it->chars[i], s))
			return;
	}
	if (it->nchars == CLASS_CHARS_MAX) {
		*listable = false;
		return;
	}
	memcpy(it->chars[it->nchars], s, n);
	it->chars[it->nchars][n] = '\0';
	it->nchars++;
}

/* Decodes the UTF-8 character at the read position and moves past it. */
static int32_t take_char(struct pattern *pt, const char **s, size_t *n)
{
	utf8proc_int32_t cp = -1;
	utf8proc_ssize_t k;

	*s = pt->p + pt->pos;
	k = utf8proc_iterate((const utf8proc_uint8_t *)*s, (utf8proc_ssize_t)(pt->len - pt->pos),
			     &cp);
	if (k <= 0) {
		k = 1;
		cp = -1;
	}
	*n = (size_t)k;
	pt->pos += (size_t)k;
	return cp;
}

/* The ASCII members of \w, \d and \s. */
static void class_shorthand(struct item *it, char c, bool *listable)
{
	static const char space[] = "\t\n\v\f\r ";

	if (c == 'd') {
		for (int d = '0'; d <= '9'; d++)
			member_add(it, d, NULL, 0, listable);
		return;
	}
	*listable = false;
	if (c == 's') {
		for (const char *p = space; *p; p++)
			bytes_add(it->bytes, (unsigned char)*p);
		return;
	}
	for (unsigned b = 0; b < 128; b++) {
		if (is_word((unsigned char)b))
			bytes_add(it->bytes, b);
	}
}

/*
 * Reads an escape after its backslash, inside a class or not. Sets *cp to
 * the character it stands for, or -1 for a class (\w, \p{L}, ...), whose
 * members it adds to it when they are ASCII. Fails on what is refused.
 */
static int parse_escape(struct pattern *pt, struct item *it, bool in_class, int32_t *cp,
			bool *listable)
{
	char c = peek(pt, 0);
	const char *s;
	size_t n;

	*cp = -1;
	switch (c) {
	case 'w': case 'd': case 's':
		pt->pos++;
		class_shorthand(it, c, listable);
		return VG_OK;
	case 'W': case 'D': case 'S': case 'h': case 'H': case 'v': case 'V':
		pt->pos++;
		it->ascii = false;
		*listable = false;
		return VG_OK;
	case 'p': case 'P':
		pt->pos++;
		if (peek(pt, 0) == '{') {
			while (pt->pos < pt->len && pt->p[pt->pos] != '}')
				pt->pos++;
			if (pt->pos == pt->len)
				return unsupported(pt, "an unterminated \\p{...}");
		}
		pt->pos++;
		it->ascii = false;
		*listable = false;
		return VG_OK;
	case 'x':
		pt->pos++;
		if (peek(pt, 0) == '{') {
			while (pt->pos < pt->len && pt->p[pt->pos] != '}')
				pt->pos++;
			if (pt->pos == pt->len)
				return unsupported(pt, "an unterminated \\x{...}");
			pt->pos++;
		} else if (isxdigit((unsigned char)peek(pt, 0)) &&
			   isxdigit((unsigned char)peek(pt, 1))) {
			pt->pos += 2;
		} else {
			return unsupported(pt, "\\x without two hex digits");
		}
		it->ascii = false;
		*listable = false;
		return VG_OK;
	case 'c':
		if (pt->pos + 1 >= pt->len)
			return unsupported(pt, "\\c at the end");
		pt->pos += 2;
		it->ascii = false;
		*listable = false;
		return VG_OK;
	case 't': *cp = '\t'; break;
	case 'n': *cp = '\n'; break;
	case 'r': *cp = '\r'; break;
	case 'f': *cp = '\f'; break;
	case 'e': *cp = 0x1b; break;
	case 'a': *cp = 0x07; break;
	case 'b':
		/* Outside a class \b is an assertion, read by the caller. */
		assert(in_class);
		*cp = 0x08;
		break;
	default:
		if (isdigit((unsigned char)c))
			return unsupported(pt, "a back-reference or octal escape");
		if (c == 'G')
			return unsupported(pt, "\\G");
		if (c == 'Q' || c == 'E')
			return unsupported(pt, "\\Q...\\E");
		if (isalpha((unsigned char)c) || c == '\0')
			return unsupported(pt, "this escape");
		*cp = take_char(pt, &s, &n);
		return *cp < 0 ? unsupported(pt, "invalid UTF-8") : VG_OK;
	}
	pt->pos++;
	return VG_OK;
}

static int parse_class(struct pattern *pt, struct item *it)
{
	bool listable = true, negated = false, first = true;
	int32_t prev = -1;
	int rc;

	it->kind = ITEM_CLASS;
	it->ascii = true;
	pt->pos++;
	if (peek(pt, 0) == '^') {
		negated = true;
		pt->pos++;
	}
	for (;;) {
		char c = peek(pt, 0);
		const char *s;
		size_t n;
		int32_t cp;

		if (pt->pos >= pt->len)
			return unsupported(pt, "an unterminated class");
		if (c == ']' && !first) {
			pt->pos++;
			break;
		}
		first = false;
		if (c == '[' && peek(pt, 1) == ':') {
			const char *end = strstr(pt->p + pt->pos, ":]");

			if (!end)
				return unsupported(pt, "an unterminated [:class:]");
			pt->pos = (size_t)(end - pt->p) + 2;
			it->ascii = false;
			listable = false;
			prev = -1;
			continue;
		}
		if (c == '-' && prev >= 0 && peek(pt, 1) != ']' && pt->pos + 1 < pt->len) {
			int32_t hi;

			pt->pos++;
			if (peek(pt, 0) == '\\') {
				pt->pos++;
				rc = parse_escape(pt, it, true, &hi, &listable);
				if (rc)
					return rc;
			} else {
				hi = take_char(pt, &s, &n);
			}
			if (hi < 0) {
				/* An end written as \x{...}: the class is read as a whole. */
				it->ascii = false;
				listable = false;
				prev = -1;
				continue;
			}
			if (hi < prev)
				return unsupported(pt, "this range");
			for (int32_t x = prev + 1; x <= hi; x++) {
				char u[5];
				utf8proc_ssize_t k = utf8proc_encode_char(x, (utf8proc_uint8_t *)u);

				if (k <= 0 || hi - prev > 128) {
					it->ascii = false;
					listable = false;
					break;
				}
				member_add(it, x, u, (size_t)k, &listable);
			}
			prev = -1;
			continue;
		}
		if (c == '\\') {
			pt->pos++;
			rc = parse_escape(pt, it, true, &cp, &listable);
			if (rc)
				return rc;
			if (cp < 0) {
				prev = -1;
				continue;
			}
			s = NULL;
			n = 0;
		} else {
			cp = take_char(pt, &s, &n);
			if (cp < 0)
				return unsupported(pt, "invalid UTF-8");
		}
		{
			char u[5];
			utf8proc_ssize_t k = utf8proc_encode_char(cp, (utf8proc_uint8_t *)u);

			member_add(it, cp, u, (size_t)k, &listable);
		}
		prev = cp;
	}
	if (negated) {
		it->ascii = false;
		listable = false;
	}
	if (!listable)
		it->nchars = 0;
	return VG_OK;
}

/* Reads a repeat after an atom, if there is one. */
static int parse_repeat(struct pattern *pt, struct item *it)
{
	size_t start = pt->pos;
	char c = peek(pt, 0);

	it->min = it->max = 1;
	if (c == '?' || c == '*' || c == '+') {
		it->min = c == '+' ? 1 : 0;
		it->max = c == '?' ? 1 : REPEAT_INF;
		pt->pos++;
	} else if (c == '{') {
		char *end;
		unsigned long m, n;

		errno = 0;
		m = strtoul(pt->p + pt->pos + 1, &end, 10);
		if (end == pt->p + pt->pos + 1 || errno || m > 65535)
			return unsupported(pt, "a brace that is not a repeat count (write \\{)");
		n = m;
		if (*end == ',') {
			const char *from = end + 1;

			n = strtoul(from, &end, 10);
			if (end == from)
				n = REPEAT_INF;
			else if (errno || n > 65535 || n < m)
				return unsupported(pt, "this repeat count");
		}
		if (*end != '}')
			return unsupported(pt, "a brace that is not a repeat count (write \\{)");
		it->min = (uint32_t)m;
		it->max = n == REPEAT_INF ? REPEAT_INF : (uint32_t)n;
		pt->pos = (size_t)(end - pt->p) + 1;
	} else {
		it->q = "";
		it->qlen = 0;
		return VG_OK;
	}
	/* A lazy or possessive mark changes nothing: every match is reported. */
	if (peek(pt, 0) == '?' || peek(pt, 0) == '+')
		pt->pos++;
	it->q = pt->p + start;
	it->qlen = (uint32_t)(pt->pos - start);
	return VG_OK;
}

static int parse_alts(struct pattern *pt, unsigned depth, struct seq **out, uint32_t *nout);

static int parse_item(struct pattern *pt, unsigned depth, struct item *it)
{
	size_t start = pt->pos;
	char c = peek(pt, 0);
	const char *s;
	size_t n;
	int32_t cp;
	int rc;

	memset(it, 0, sizeof(*it));
	switch (c) {
	case '(':
		if (depth == GROUP_DEPTH_MAX)
			return unsupported(pt, "groups nested this deep");
		if (peek(pt, 1) == '?') {
			if (peek(pt, 2) != ':')
				return unsupported(pt, "a \"(?\" group other than \"(?:\"");
			pt->pos += 3;
		} else {
			pt->pos++;
		}
		it->kind = ITEM_GROUP;
		rc = parse_alts(pt, depth + 1, &it->alts, &it->nalts);
		if (rc)
			return rc;
		if (peek(pt, 0) != ')')
			return unsupported(pt, "an unclosed group");
		pt->pos++;
		break;
	case '[':
		rc = parse_class(pt, it);
		if (rc)
			return rc;
		break;
	case '.':
		it->kind = ITEM_CLASS;
		pt->pos++;
		break;
	case '^': case '$':
		it->kind = ITEM_ASSERT;
		it->anchor = c;
		pt->pos++;
		break;
	case '*': case '+': case '?': case '{': case ')': case '|':
		return unsupported(pt, "a repeat of nothing");
	case '\\':
		pt->pos++;
		if (strchr("bBAzZ", peek(pt, 0)) && peek(pt, 0)) {
			it->kind = ITEM_ASSERT;
			it->anchor = peek(pt, 0);
			pt->pos++;
			break;
		}
		{
			bool listable = true;

			it->kind = ITEM_CLASS;
			it->ascii = true;
			rc = parse_escape(pt, it, false, &cp, &listable);
			if (rc)
				return rc;
			if (cp >= 0) {
				char u[5];
				utf8proc_ssize_t k;

				k = utf8proc_encode_char(cp, (utf8proc_uint8_t *)u);

				it->kind = ITEM_CHAR;
				member_add(it, cp, u, (size_t)k, &listable);
			}
			if (!listable)
				it->nchars = 0;
		}
		break;
	default: {
		bool listable = true;

		cp = take_char(pt, &s, &n);
		if (cp < 0)
			return unsupported(pt, "invalid UTF-8");
		it->kind = ITEM_CHAR;
		it->ascii = true;
		member_add(it, cp, s, n, &listable);
		if (!listable)
			it->nchars = 0;
		break;
	}
	}
	it->src = pt->p + start;
	it->srclen = (uint32_t)(pt->pos - start);
	rc = parse_repeat(pt, it);
	if (rc)
		return rc;
	if (it->kind == ITEM_ASSERT && it->qlen)
		return unsupported(pt, "a repeated assertion");
	return VG_OK;
}

/* Reads items up to "|", ")" or the end into seq. */
static int parse_seq(struct pattern *pt, unsigned depth, struct seq *seq)
{
	size_t base = pt->nstack;
	int rc;

	while (pt->pos < pt->len && peek(pt, 0) != '|' && peek(pt, 0) != ')') {
		struct item *it;

		assert(pt->nitems < pt->len + 2 && pt->nstack < pt->len + 2);
		it = &pt->items[pt->nitems++];
		rc = parse_item(pt, depth, it);
		if (rc)
			return rc;
		pt->stack[pt->nstack++] = it;
	}
	seq->n = (uint32_t)(pt->nstack - base);
	seq->items = &pt->ptrs[pt->nptrs];
	memcpy(seq->items, &pt->stack[base], seq->n * sizeof(*seq->items));
	pt->nptrs += seq->n;
	pt->nstack = base;
	return VG_OK;
}

/* Reads branches up to ")" or the end; a group's branches are kept side by side. */
static int parse_alts(struct pattern *pt, unsigned depth, struct seq **out, uint32_t *nout)
{
	size_t base = pt->nseqstack, n;
	int rc;

	for (;;) {
		assert(pt->nseqstack < pt->len + 2);
		rc = parse_seq(pt, depth, &pt->seqstack[pt->nseqstack++]);
		if (rc)
			return rc;
		if (peek(pt, 0) != '|')
			break;
		pt->pos++;
	}
	n = pt->nseqstack - base;
	assert(pt->nseqs + n <= pt->len + 2);
	memcpy(&pt->seqs[pt->nseqs], &pt->seqstack[base], n * sizeof(*pt->seqs));
	*out = &pt->seqs[pt->nseqs];
	*nout = (uint32_t)n;
	pt->nseqs += n;
	pt->nseqstack = base;
	return VG_OK;
}

static int pattern_parse(struct pattern *pt)
{
	int rc = parse_alts(pt, 0, &pt->top, &pt->ntop);

	if (rc)
		return rc;
	if (pt->pos != pt->len)
		return unsupported(pt, "an unmatched \")\"");
	return VG_OK;
}

/* ---------------------------------------------------------------------
 * Sets of strings.
 */

static struct litset *litset_new(struct pattern *pt)
{
	struct litset *s;

	if (grow(&pt->sets, &pt->capsets, pt->nsets + 1, sizeof(*pt->sets)))
		return NULL;
	s = calloc(1, sizeof(*s));
	if (s)
		pt->sets[pt->nsets++] = s;
	return s;
}

/* How often s[0..n) is expected per byte of text, from its bytes alone (see LETTER_ODDS). */
static double string_odds(const char *s, size_t n)
{
	double p = 1;

	for (size_t k = 0; k < n; k++) {
		unsigned char ch = (unsigned char)s[k];

		if (is_word(ch) && ch != '_')
			p *= 1 / LETTER_ODDS;
		else if (ch != ' ')
			p *= 1 / OTHER_ODDS;
	}
	return p;
}

/*
 * Adds s[0..n), whose odds are given, to set unless it is there; false
 * when the set is full or s too long.
 */
static bool litset_put(struct litset *set, const char *s, size_t n, double odds)
{
	if (n >= LIT_LEN)
		return false;
	for (uint32_t i = 0; i < set->n; i++) {
		if (set->len[i] != n)
			continue;
		if (!n || (set->s[i][0] == s[0] && set->s[i][n - 1] == s[n - 1] &&
			   !memcmp(set->s[i], s, n)))
			return true;
	}
	if (set->n == LITS_MAX)
		return false;
	memcpy(set->s[set->n], s, n);
	set->len[set->n] = (uint8_t)n;
	set->odds[set->n] = odds;
	set->n++;
	return true;
}

static bool litset_add(struct litset *set, const char *s, size_t n)
{
	return litset_put(set, s, n, string_odds(s, n));
}

/* out = every a followed by every b; false when it does not fit. */
static bool litset_product(const struct litset *a, const struct litset *b, struct litset *out)
{
	out->n = 0;
	for (uint32_t i = 0; i < a->n; i++) {
		for (uint32_t j = 0; j < b->n; j++) {
			char s[2 * LIT_LEN];

			if (a->len[i] + b->len[j] >= LIT_LEN)
				return false;
			memcpy(s, a->s[i], a->len[i]);
			memcpy(s + a->len[i], b->s[j], b->len[j]);
			if (!litset_put(out, s, (size_t)a->len[i] + b->len[j],
					a->odds[i] * b->odds[j]))
				return false;
		}
	}
	return true;
}

static bool litset_has_empty(const struct litset *set)
{
	for (uint32_t i = 0; i < set->n; i++) {
		if (!set->len[i])
			return true;
	}
	return false;
}

/*
 * True when s[0..n) is made of common words and spaces only, with at least
 * one word. A word at either end may be the end of a longer word of the
 * text ("one" of "phone"): it is found at least as often as the word.
 */
static bool common_only(const struct pattern *pt, const char *s, size_t n)
{
	bool any = false;

	for (size_t a = 0; a < n;) {
		size_t b = a;

		if (s[a] == ' ') {
			a++;
			continue;
		}
		while (b < n && s[b] >= 'a' && s[b] <= 'z')
			b++;
		if (b == a || !words_has(pt->common, s + a, b - a))
			return false;
		any = true;
		a = b;
	}
	return any;
}

/* The cost of a set of strings as a factor (see LETTER_ODDS and COMMON_ODDS). */
static double litset_cost(const struct pattern *pt, const struct litset *set)
{
	double c = 0;

	for (uint32_t i = 0; i < set->n; i++) {
		double odds = set->odds[i];

		if (common_only(pt, set->s[i], set->len[i]))
			odds *= COMMON_ODDS;
		c += odds + COST_PER_STRING;
	}
	return c;
}

static const struct litset *item_lang(struct pattern *pt, struct item *it);

/*
 * The strings of a branch of a group, or NULL (running out of memory
 * gives NULL too: the caller's next allocation fails as well).
 */
static const struct litset *seq_lang(struct pattern *pt, struct seq *seq)
{
	struct litset *acc, *tmp;

	if (seq->lang_done)
		return seq->lang;
	seq->lang_done = true;
	acc = litset_new(pt);
	tmp = litset_new(pt);
	if (!acc || !tmp)
		return NULL;
	litset_add(acc, "", 0);
	for (uint32_t k = 0; k < seq->n; k++) {
		const struct litset *l = item_lang(pt, seq->items[k]);
		struct litset *swap;

		if (!l || !litset_product(acc, l, tmp))
			return NULL;
		swap = acc;
		acc = tmp;
		tmp = swap;
	}
	seq->lang = acc;
	return acc;
}

/*
 * The strings an item matches, when they are few and can be compared byte
 * for byte: characters, small classes, groups of such, repeated at most
 * three times. NULL otherwise (and for assertions, which a set of strings
 * cannot check).
 */
static const struct litset *item_lang(struct pattern *pt, struct item *it)
{
	struct litset *base, *acc, *out, *tmp;

	if (it->lang_done)
		return it->lang;
	it->lang_done = true;
	if (it->kind == ITEM_ASSERT || it->max == REPEAT_INF || it->max > 3)
		return NULL;
	base = litset_new(pt);
	if (!base)
		return NULL;
	if (it->kind == ITEM_GROUP) {
		for (uint32_t a = 0; a < it->nalts; a++) {
			const struct litset *l = seq_lang(pt, &it->alts[a]);

			if (!l)
				return NULL;
			for (uint32_t i = 0; i < l->n; i++) {
				if (!litset_put(base, l->s[i], l->len[i], l->odds[i]))
					return NULL;
			}
		}
	} else {
		if (!it->nchars)
			return NULL;
		for (uint8_t i = 0; i < it->nchars; i++)
			litset_add(base, it->chars[i], strlen(it->chars[i]));
	}
	out = litset_new(pt);
	acc = litset_new(pt);
	tmp = litset_new(pt);
	if (!out || !acc || !tmp)
		return NULL;
	litset_add(acc, "", 0);
	for (uint32_t r = 0; r <= it->max; r++) {
		struct litset *swap;

		if (r >= it->min) {
			for (uint32_t i = 0; i < acc->n; i++) {
				if (!litset_put(out, acc->s[i], acc->len[i], acc->odds[i]))
					return NULL;
			}
		}
		if (r == it->max)
			break;
		if (!litset_product(acc, base, tmp))
			return NULL;
		swap = acc;
		acc = tmp;
		tmp = swap;
	}
	it->lang = out;
	return out;
}

/* ---------------------------------------------------------------------
 * Choosing the factors.
 */

/* One branch with its factor seq[i..j). */
struct part {
	struct item **seq;
	uint32_t n, i, j;
	struct litset lits;
};

struct plan {
	struct part *parts;
	size_t n;
	double cost;
};

static void plan_release(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->parts[i].seq);
	free(p->parts);
	p->parts = NULL;
	p->n = 0;
}

/* Appends items to v, inlining groups that occur once and have one branch. */
static int flatten(struct item *const *items, uint32_t n, struct item ***v, uint32_t *len,
		   size_t *cap)
{
	for (uint32_t k = 0; k < n; k++) {
		struct item *it = items[k];
		int rc;

		if (it->kind == ITEM_GROUP && it->min == 1 && it->max == 1 && it->nalts == 1) {
			rc = flatten(it->alts[0].items, it->alts[0].n, v, len, cap);
		} else {
			rc = grow(v, cap, *len + 1, sizeof(**v));
			if (!rc)
				(*v)[(*len)++] = it;
		}
		if (rc)
			return rc;
	}
	return VG_OK;
}

/* True when items[0..n) hold an item that only an anchored database can check. */
static bool needs_db(struct pattern *pt, struct item *const *items, uint32_t n)
{
	for (uint32_t k = 0; k < n; k++) {
		struct item *it = items[k];

		if (it->kind == ITEM_ASSERT || item_lang(pt, it))
			continue;
		if (it->kind != ITEM_GROUP && it->ascii)
			continue;
		return true;
	}
	return false;
}

/*
 * A group of the branches of g that are plain text, when some are and
 * some are not (so that distributing g makes one branch of the plain ones
 * and one of each other); *out is NULL otherwise.
 */
static int group_plain(struct pattern *pt, const struct item *g, struct item **out)
{
	struct item *it;
	uint32_t n = 0;

	*out = NULL;
	for (uint32_t a = 0; a < g->nalts; a++)
		n += seq_lang(pt, &g->alts[a]) != NULL;
	if (!n || n == g->nalts)
		return VG_OK;
	if (grow(&pt->made, &pt->capmade, pt->nmade + 1, sizeof(*pt->made)))
		return VG_NOMEM;
	it = calloc(1, sizeof(*it));
	if (!it)
		return VG_NOMEM;
	it->alts = calloc(n, sizeof(*it->alts));
	if (!it->alts) {
		free(it);
		return VG_NOMEM;
	}
	pt->made[pt->nmade++] = it;
	it->kind = ITEM_GROUP;
	it->q = "";
	it->min = it->max = 1;
	for (uint32_t a = 0; a < g->nalts; a++) {
		if (seq_lang(pt, &g->alts[a]))
			it->alts[it->nalts++] = g->alts[a];
	}
	*out = it;
	return VG_OK;
}

/*
 * The best factor of seq[0..n) (which the plan takes over): the cheapest
 * run of items whose strings are never empty, or, when that is not rare
 * enough, the best plans of the branches made by distributing one group
 * over the rest. best->n is 0 when no part of the branch is plain text.
 */
static int plan_branch(struct pattern *pt, struct item **seq, uint32_t n, unsigned depth,
		       struct plan *best)
{
	struct plan run = { NULL, 0, HUGE_VAL }, exp = { NULL, 0, HUGE_VAL };
	struct litset sets[2];
	bool *db_before = NULL, *db_after = NULL;
	struct part one;
	int rc = VG_OK;

	memset(&one, 0, sizeof(one));
	/* Whether the items before i, and after j, need an anchored database. */
	db_before = malloc((n + 1) * sizeof(*db_before));
	db_after = malloc((n + 1) * sizeof(*db_after));
	if (!db_before || !db_after) {
		free(db_before);
		free(db_after);
		free(seq);
		return VG_NOMEM;
	}
	db_before[0] = false;
	for (uint32_t i = 0; i < n; i++)
		db_before[i + 1] = db_before[i] || needs_db(pt, seq + i, 1);
	db_after[n] = false;
	for (uint32_t i = n; i > 0; i--)
		db_after[i - 1] = db_after[i] || needs_db(pt, seq + i - 1, 1);
	for (uint32_t i = 0; i < n; i++) {
		struct litset *acc = &sets[0], *tmp = &sets[1], *swap;

		acc->n = 0;
		litset_add(acc, "", 0);
		for (uint32_t j = i; j < n; j++) {
			const struct litset *l = item_lang(pt, seq[j]);
			double cost;

			if (!l || !litset_product(acc, l, tmp))
				break;
			swap = acc;
			acc = tmp;
			tmp = swap;
			if (litset_has_empty(acc))
				continue;
			cost = litset_cost(pt, acc) * (1.0 + db_before[i] + db_after[j + 1]);
			if (cost < run.cost) {
				run.cost = cost;
				run.n = 1;
				one.i = i;
				one.j = j + 1;
				one.lits = *acc;
			}
		}
	}
	free(db_before);
	free(db_after);
	for (uint32_t k = 0; k < n && run.cost > EXPAND_ABOVE &&
	     depth < (run.n ? EXPAND_DEPTH_MAX : EXPAND_DEPTH_NEEDED); k++) {
		struct item *g = seq[k], *plain = NULL;
		struct plan sum = { NULL, 0, 0 };
		size_t capparts = 0;
		bool ok = true;

		if (g->kind != ITEM_GROUP || g->min != 1 || g->max != 1 || g->nalts < 2)
			continue;
		rc = group_plain(pt, g, &plain);
		for (uint32_t a = 0; a <= g->nalts && ok && !rc; a++) {
			struct item **v = NULL;
			uint32_t len = 0;
			size_t cap = 0;
			struct plan sub = { NULL, 0, 0 };

			/* Branch a of g, or (a == nalts) its plain branches as one group. */
			if (a == g->nalts ? !plain :
			    plain && seq_lang(pt, &g->alts[a]))
				continue;
			rc = flatten(seq, k, &v, &len, &cap);
			if (!rc && a < g->nalts)
				rc = flatten(g->alts[a].items, g->alts[a].n, &v, &len, &cap);
			if (!rc && a == g->nalts)
				rc = flatten(&plain, 1, &v, &len, &cap);
			if (!rc)
				rc = flatten(seq + k + 1, n - k - 1, &v, &len, &cap);
			if (rc) {
				free(v);
				break;
			}
			rc = plan_branch(pt, v, len, depth + 1, &sub);
			if (!rc && (!sub.n || sum.n + sub.n > EXPAND_PARTS_MAX))
				ok = false;
			if (!rc && ok)
				rc = grow(&sum.parts, &capparts, sum.n + sub.n, sizeof(*sum.parts));
			if (!rc && ok) {
				memcpy(sum.parts + sum.n, sub.parts, sub.n * sizeof(*sub.parts));
				sum.n += sub.n;
				sum.cost += sub.cost;
				sub.n = 0;
			}
			plan_release(&sub);
		}
		if (!rc && ok && sum.cost < exp.cost) {
			plan_release(&exp);
			exp = sum;
		} else {
			plan_release(&sum);
		}
		if (rc)
			break;
	}
	memset(best, 0, sizeof(*best));
	if (rc) {
		plan_release(&exp);
		free(seq);
		return rc;
	}
	if (exp.n && exp.cost < 0.9 * run.cost) {
		*best = exp;
		free(seq);
		return VG_OK;
	}
	plan_release(&exp);
	if (!run.n) {
		free(seq);
		return VG_OK;
	}
	run.parts = malloc(sizeof(*run.parts));
	if (!run.parts) {
		free(seq);
		return VG_NOMEM;
	}
	one.seq = seq;
	one.n = n;
	run.parts[0] = one;
	*best = run;
	return VG_OK;
}

/* ---------------------------------------------------------------------
 * Programs and databases.
 */

static int compile_fail(struct compiler *c, const char *what, const char *msg)
{
	return fail(c->err, c->errsize, c->rule->file, c->rule->line, "pattern: %s%s", what, msg);
}

static int ser_item(struct buf *b, const struct item *it, bool reverse);

static int ser_seq(struct buf *b, struct item *const *items, uint32_t n, bool reverse)
{
	int rc = VG_OK;

	for (uint32_t k = 0; k < n && !rc; k++)
		rc = ser_item(b, items[reverse ? n - 1 - k : k], reverse);
	return rc;
}

/* Writes an item back as a pattern; reverse writes the groups' contents backwards. */
static int ser_item(struct buf *b, const struct item *it, bool reverse)
{
	int rc;

	if (it->kind == ITEM_GROUP) {
		rc = buf_adds(b, "(?:");
		for (uint32_t a = 0; a < it->nalts && !rc; a++) {
			if (a)
				rc = buf_addch(b, '|');
			if (!rc)
				rc = ser_seq(b, it->alts[a].items, it->alts[a].n, reverse);
		}
		if (!rc)
			rc = buf_addch(b, ')');
	} else if (reverse && it->kind == ITEM_ASSERT && it->anchor != 'b' && it->anchor != 'B') {
		/*
		 * Read backwards, the start of the text is the end of what is
		 * read. The end of the text is never inside a left side (a
		 * factor follows it), so an end anchor there is never true,
		 * and \A after the character in front of the buffer is not.
		 */
		rc = buf_adds(b, it->anchor == '^' || it->anchor == 'A' ? "\\z" : "\\A");
	} else {
		rc = buf_add(b, it->src, it->srclen);
	}
	if (!rc)
		rc = buf_add(b, it->q, it->qlen);
	return rc;
}

static int op_push(struct rules_db *db, const struct op *op)
{
	if (grow(&db->ops, &db->capops, db->nops + 1, sizeof(*db->ops)))
		return VG_NOMEM;
	db->ops[db->nops++] = *op;
	return VG_OK;
}

/*
 * Sets l's head and mask from its string s: the first (backwards: the
 * last) min(8, len) bytes, where a load of the eight bytes after the
 * position (backwards: before it) puts them.
 */
static void lit_head(struct lit *l, const char *s, bool reverse)
{
	uint32_t m = l->len < 8 ? l->len : 8;

	l->head = l->mask = 0;
	for (uint32_t i = 0; i < m; i++) {
		unsigned shift = reverse ? 8 * (8 - m + i) : 8 * i;
		unsigned char ch = (unsigned char)s[reverse ? l->len - m + i : i];

		l->head |= (uint64_t)ch << shift;
		l->mask |= (uint64_t)0xff << shift;
	}
}

/* Emits the set of strings built so far, unless it is only the empty string. */
static int flush_set(struct rules_db *db, struct litset *cur, bool *has, bool reverse)
{
	struct op op;

	if (!*has)
		return VG_OK;
	*has = false;
	if (cur->n == 1 && !cur->len[0])
		return VG_OK;
	memset(&op, 0, sizeof(op));
	op.kind = OP_SET;
	for (uint32_t i = 0; i < cur->n; i++) {
		if (!cur->len[i]) {
			op.empty = true;
			continue;
		}
		op.key[i] = (uint8_t)cur->s[i][reverse ? cur->len[i] - 1 : 0];
		if (cur->len[i] > 1)
			op.key2[i] = (uint8_t)cur->s[i][reverse ? cur->len[i] - 2 : 1];
		else
			op.one |= UINT32_C(1) << i;
		op.nonempty |= UINT32_C(1) << i;
		bytes_add(op.bytes, op.key[i]);
	}
	op.lit = (uint32_t)db->nlits;
	op.nlit = cur->n;
	if (grow(&db->lits, &db->caplits, db->nlits + cur->n, sizeof(*db->lits)))
		return VG_NOMEM;
	for (uint32_t i = 0; i < cur->n; i++) {
		if (grow(&db->litbuf, &db->capbuf, db->litbuflen + cur->len[i] + 1, 1))
			return VG_NOMEM;
		memcpy(db->litbuf + db->litbuflen, cur->s[i], cur->len[i]);
		db->lits[db->nlits].off = (uint32_t)db->litbuflen;
		db->lits[db->nlits].len = cur->len[i];
		lit_head(&db->lits[db->nlits], cur->s[i], reverse);
		db->nlits++;
		db->litbuflen += cur->len[i];
	}
	return op_push(db, &op);
}

/*
 * Emits an anchored database for the items gathered in seg (in the order
 * they are read: backwards for a left side). The text it is given starts
 * one character before the position it reads from, so that \b and \B see
 * the character there; "^[\s\S]" steps over it.
 */
static int flush_db(struct compiler *c, struct item **seg, uint32_t *nseg, bool reverse)
{
	struct rules_db *db = c->db;
	hs_compile_error_t *cerr = NULL;
	hs_database_t *h = NULL;
	struct buf b;
	struct op op;
	size_t i;
	int rc;

	if (!*nseg)
		return VG_OK;
	buf_init(&b, 4 * RULES_PATTERN_MAX + 16);
	rc = buf_adds(&b, "^[\\s\\S]");
	for (uint32_t k = 0; k < *nseg && !rc; k++)
		rc = ser_item(&b, seg[k], reverse);
	*nseg = 0;
	if (rc)
		goto out;
	memset(&op, 0, sizeof(op));
	op.kind = OP_DB;
	for (i = 0; i < db->nhdbs; i++) {
		if (!strcmp(db->hdbs[i].expr, buf_str(&b)))
			break;
	}
	if (i == db->nhdbs) {
		struct hdb *slot;

		/*
		 * The flags the whole pattern always had: case-insensitive
		 * UTF-8, so that what the database checks matches as before.
		 */
		if (hs_compile(buf_str(&b), HS_FLAG_UTF8 | HS_FLAG_CASELESS, HS_MODE_BLOCK, NULL,
			       &h, &cerr) != HS_SUCCESS) {
			rc = compile_fail(c, "vectorscan: ",
					  cerr ? cerr->message : "compile failed");
			goto out;
		}
		rc = grow(&db->hdbs, &db->caphdbs, db->nhdbs + 1, sizeof(struct hdb));
		if (rc)
			goto out;
		slot = &db->hdbs[db->nhdbs];
		slot->expr = buf_detach(&b, NULL);
		if (!slot->expr) {
			rc = VG_NOMEM;
			goto out;
		}
		slot->h = h;
		h = NULL;
		db->nhdbs++;
	}
	op.hdb = (uint32_t)i;
	rc = op_push(db, &op);
out:
	if (cerr)
		hs_free_compile_error(cerr);
	hs_free_database(h);
	buf_release(&b);
	return rc;
}

/*
 * The program for items[0..n): read forwards, or backwards for the part
 * before a factor. Runs of plain text become sets of strings, assertions
 * stay assertions, a repeated ASCII class becomes a gap, and everything
 * else is gathered into anchored databases.
 */
static int prog_build(struct compiler *c, struct pattern *pt, struct item *const *items,
		      uint32_t n, bool reverse, uint32_t *first, uint32_t *count)
{
	struct rules_db *db = c->db;
	struct litset cur, tmp;
	struct item **seg = NULL;
	uint32_t nseg = 0;
	bool has = false;
	int rc = VG_OK;

	*first = (uint32_t)db->nops;
	if (n && !(seg = malloc(n * sizeof(*seg))))
		return VG_NOMEM;
	for (uint32_t k = 0; k < n && !rc; k++) {
		struct item *it = items[reverse ? n - 1 - k : k];
		const struct litset *l = item_lang(pt, it);
		struct op op;

		if (l) {
			rc = flush_db(c, seg, &nseg, reverse);
			if (!rc && has && (reverse ? litset_product(l, &cur, &tmp) :
					   litset_product(&cur, l, &tmp))) {
				cur = tmp;
				continue;
			}
			if (!rc)
				rc = flush_set(db, &cur, &has, reverse);
			cur = *l;
			has = true;
			continue;
		}
		rc = flush_set(db, &cur, &has, reverse);
		if (rc)
			break;
		if (it->kind != ITEM_ASSERT && (it->kind == ITEM_GROUP || !it->ascii)) {
			seg[nseg++] = it;
			continue;
		}
		rc = flush_db(c, seg, &nseg, reverse);
		if (rc)
			break;
		memset(&op, 0, sizeof(op));
		if (it->kind == ITEM_ASSERT && db->nops > *first && !db->ops[db->nops - 1].anchor &&
		    (db->ops[db->nops - 1].kind == OP_GAP ||
		     db->ops[db->nops - 1].kind == OP_SET)) {
			/* The step before checks it as it goes: one pass fewer. */
			db->ops[db->nops - 1].anchor = it->anchor;
			continue;
		}
		if (it->kind == ITEM_ASSERT) {
			op.kind = OP_ASSERT;
			op.anchor = it->anchor;
		} else {
			op.kind = OP_GAP;
			memcpy(op.bytes, it->bytes, sizeof(op.bytes));
			op.min = it->min;
			op.max = it->max;
		}
		rc = op_push(db, &op);
	}
	if (!rc)
		rc = flush_set(db, &cur, &has, reverse);
	if (!rc)
		rc = flush_db(c, seg, &nseg, reverse);
	free(seg);
	*count = (uint32_t)(db->nops - *first);
	return rc;
}

/*
 * The assertions the nop steps from first start with, copied to a (at
 * most two); returns how many, or 3 when there are more than two.
 */
static uint8_t leading_asserts(const struct rules_db *db, uint32_t first, uint32_t nop, char *a)
{
	uint32_t k = 0;

	while (k < nop && db->ops[first + k].kind == OP_ASSERT) {
		if (k == 2)
			return 3;
		a[k] = db->ops[first + k].anchor;
		k++;
	}
	return (uint8_t)k;
}

static int branch_add(struct compiler *c, struct pattern *pt, const struct part *p)
{
	struct rules_db *db = c->db;
	struct branch br;
	int rc;

	memset(&br, 0, sizeof(br));
	br.rule = c->ruleno;
	rc = prog_build(c, pt, p->seq, p->i, true, &br.lop, &br.nlop);
	if (!rc)
		rc = prog_build(c, pt, p->seq + p->j, p->n - p->j, false, &br.rop, &br.nrop);
	if (!rc) {
		br.nlassert = leading_asserts(db, br.lop, br.nlop, br.lassert);
		br.nrassert = leading_asserts(db, br.rop, br.nrop, br.rassert);
	}
	if (!rc)
		rc = grow(&db->branches, &db->capbranches, db->nbranches + 1, sizeof(*db->branches));
	if (!rc)
		rc = grow(&c->p1, &c->capp1, c->np1 + p->lits.n, sizeof(*c->p1));
	if (rc)
		return rc;
	for (uint32_t i = 0; i < p->lits.n; i++) {
		struct p1lit *l = &c->p1[c->np1++];

		memcpy(l->s, p->lits.s[i], p->lits.len[i]);
		l->len = p->lits.len[i];
		l->branch = (uint32_t)db->nbranches;
	}
	db->branches[db->nbranches++] = br;
	return VG_OK;
}

static int compile_rule(struct compiler *c, uint32_t index)
{
	const struct rule *rule = &c->r->items[index];
	hs_compile_error_t *cerr = NULL;
	hs_expr_info_t *info = NULL;
	struct pattern pt;
	int rc;

	c->rule = rule;
	c->ruleno = index;
	/* vectorscan's own word on a pattern it refuses, with the flags patterns always had. */
	if (hs_expression_info(rule->pattern, HS_FLAG_UTF8 | HS_FLAG_CASELESS, &info, &cerr) !=
	    HS_SUCCESS) {
		rc = compile_fail(c, "", cerr ? cerr->message : "invalid");
		if (cerr)
			hs_free_compile_error(cerr);
		return rc;
	}
	free(info);
	rc = pattern_init(&pt, rule->pattern);
	pt.common = &c->common;
	if (!rc)
		rc = pattern_parse(&pt);
	if (rc == VG_INVAL) {
		rc = fail(c->err, c->errsize, rule->file, rule->line, "pattern: %s is not supported",
			  pt.why);
	}
	for (uint32_t b = 0; b < pt.ntop && !rc; b++) {
		struct item **v = NULL;
		uint32_t len = 0;
		size_t cap = 0;
		struct plan plan;

		rc = flatten(pt.top[b].items, pt.top[b].n, &v, &len, &cap);
		if (rc) {
			free(v);
			break;
		}
		rc = plan_branch(&pt, v, len, 0, &plan);
		if (!rc && !plan.n)
			rc = compile_fail(c, "", "a branch has no plain text that each of its matches "
					  "contains (a word, a character, or a small set such as "
					  "(her|him) or [oa])");
		for (size_t k = 0; k < plan.n && !rc; k++)
			rc = branch_add(c, &pt, &plan.parts[k]);
		plan_release(&plan);
	}
	pattern_release(&pt);
	return rc;
}

static int p1lit_cmp(const void *a, const void *b)
{
	const struct p1lit *x = a, *y = b;
	int d;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	d = memcmp(x->s, y->s, x->len);
	if (d)
		return d;
	return x->branch < y->branch ? -1 : x->branch > y->branch;
}

/* A string to look for among the distinct factor strings, with bsearch(). */
struct p1key {
	const char *s;
	size_t len;
};

static int p1key_cmp(const void *key, const void *elem)
{
	const struct p1key *k = key;
	const struct p1lit *l = *(const struct p1lit *const *)elem;

	if (k->len != l->len)
		return k->len < l->len ? -1 : 1;
	return memcmp(k->s, l->s, k->len);
}

/*
 * Finds, for the distinct string u[b], the longest of the strings u[0..b)
 * marked kept that it contains (the first of them, at the first offset,
 * when several are as long). u is in p1lit_cmp() order, so every shorter
 * string comes before u[b]. Returns its index, or -1, and its offset.
 */
static long p1_contained(struct p1lit *const *u, size_t b, const bool *kept, size_t *off)
{
	const struct p1lit *big = u[b];

	for (size_t l = big->len - 1; l > 0; l--) {
		for (size_t o = 0; o + l <= big->len; o++) {
			struct p1key k = { big->s + o, l };
			struct p1lit *const *hit = bsearch(&k, u, b, sizeof(*u), p1key_cmp);

			if (hit && kept[hit - u]) {
				*off = o;
				return (long)(hit - u);
			}
		}
	}
	return -1;
}

/*
 * Vectorscan 5.4.9 (Debian 12) misses strings in a literal database of
 * very few strings: "sell" in "xxx... sells her to" from a database of
 * "la" and "sell", in about half the texts of 77 bytes and more, and
 * rarely with as many as nine strings, in block and streaming mode alike
 * (docs/screening.md). With one more string that begins with a byte the
 * text never holds, every string was found in every trial; the phase-one
 * database gets P1_PAD of them, a margin over the one that is needed.
 * Each begins with 0xff, which valid UTF-8 (all that norm_text() emits)
 * never holds, so none is ever reported; their ids, from nlit1 on, are
 * still turned away by on_hit().
 */
#define P1_PAD 8
#define P1_PAD_LEN 4

static const char p1_pad[P1_PAD][P1_PAD_LEN + 1] = {
	"\xff\xfe\xc0\xc0", "\xff\xfe\xc1\xc0", "\xff\xfe\xc2\xc0", "\xff\xfe\xc3\xc0",
	"\xff\xfe\xc4\xc0", "\xff\xfe\xc5\xc0", "\xff\xfe\xc6\xc0", "\xff\xfe\xc7\xc0",
};

/*
 * The phase-one database, in streaming mode (rules_match() reads the text
 * in chunks), matched byte for byte: the normalised text is lower case and
 * the strings are too.
 *
 * A factor string that contains another ("took her passport" and
 * "passport", "sells" and "sell") is found wherever the shorter one is:
 * the literal matcher slows with every string it holds (3,217 strings
 * read at 250 MB/s, the 1,753 that contain no other at 365), so only the
 * strings that contain no other are in the database, and each of the
 * others rides on the longest of them that it contains, at the first
 * place it contains it. Where that one is found, the rider is compared
 * with the text around it. Every place the rider is, the string it rides
 * on is, at that offset, and is found: no place is missed, and none is
 * found twice. A rider can end after the chunk its string was found in;
 * its matches end there too, and wait in s->pend like any match that ends
 * past the chunk. After the strings that are looked for come the P1_PAD
 * strings above, which are never found.
 */
static int phase1_build(struct compiler *c)
{
	struct rules_db *db = c->db;
	hs_compile_error_t *cerr = NULL;
	const char **exprs = NULL;
	size_t *lens = NULL, *order = NULL, *offs = NULL;
	unsigned *flags = NULL, *ids = NULL;
	struct p1lit **u = NULL;
	struct target *sorted = NULL;
	long *host = NULL;
	bool *kept = NULL;
	size_t cap = 0, nu, k;
	int rc = VG_NOMEM;

	qsort(c->p1, c->np1, sizeof(*c->p1), p1lit_cmp);
	db->targets = malloc(c->np1 * sizeof(*db->targets));
	u = malloc(c->np1 * sizeof(*u));
	if (!db->targets || !u)
		goto out;
	for (size_t i = 0; i < c->np1; i++) {
		const struct p1lit *l = &c->p1[i];

		if (!i || l->len != c->p1[i - 1].len || memcmp(l->s, c->p1[i - 1].s, l->len)) {
			if (grow(&db->p1, &cap, db->np1 + 1, sizeof(*db->p1)))
				goto out;
			memset(&db->p1[db->np1], 0, sizeof(*db->p1));
			db->p1[db->np1].first = (uint32_t)db->ntargets;
			db->p1[db->np1].len = l->len;
			u[db->np1] = &c->p1[i];
			db->np1++;
		}
		db->p1[db->np1 - 1].count++;
		db->targets[db->ntargets++] = l->branch;
	}
	nu = db->np1;
	kept = calloc(nu, sizeof(*kept));
	host = malloc(nu * sizeof(*host));
	offs = malloc(nu * sizeof(*offs));
	order = malloc(nu * sizeof(*order));
	sorted = malloc(nu * sizeof(*sorted));
	exprs = malloc((nu + P1_PAD) * sizeof(*exprs));
	lens = malloc((nu + P1_PAD) * sizeof(*lens));
	flags = calloc(nu + P1_PAD, sizeof(*flags));
	ids = malloc((nu + P1_PAD) * sizeof(*ids));
	if (!kept || !host || !offs || !order || !sorted || !exprs || !lens || !flags || !ids)
		goto out;
	for (size_t b = 0; b < nu; b++) {
		host[b] = p1_contained(u, b, kept, &offs[b]);
		kept[b] = host[b] < 0;
	}
	/*
	 * The kept strings become ids 0.. of the database, each followed in
	 * db->riders by the strings that ride on it; the riders' targets
	 * come after all the kept ones.
	 */
	k = 0;
	for (size_t b = 0; b < nu; b++) {
		if (kept[b])
			order[b] = k++;
	}
	db->nlit1 = k;
	for (size_t b = 0; b < nu; b++) {
		if (!kept[b])
			order[b] = k++;
	}
	for (size_t b = 0; b < nu; b++)
		sorted[order[b]] = db->p1[b];
	memcpy(db->p1, sorted, nu * sizeof(*sorted));
	db->riders = malloc((nu - db->nlit1) * sizeof(*db->riders) + 1);
	if (!db->riders)
		goto out;
	for (size_t b = 0; b < nu; b++) {
		if (!kept[b])
			db->p1[order[host[b]]].nriders++;
	}
	for (size_t b = 0; b < nu; b++) {
		struct target *tg = &db->p1[order[b]];

		if (!kept[b])
			continue;
		exprs[order[b]] = u[b]->s;
		lens[order[b]] = u[b]->len;
		ids[order[b]] = (unsigned)order[b];
		tg->rider = (uint32_t)db->nriders;
		db->nriders += tg->nriders;
		tg->nriders = 0;
	}
	for (size_t r = 0; r < nu; r++) {
		struct target *tg;
		struct rider *rd;

		if (kept[r])
			continue;
		if (grow(&db->litbuf, &db->capbuf, db->litbuflen + u[r]->len + 1, 1))
			goto out;
		tg = &db->p1[order[host[r]]];
		rd = &db->riders[tg->rider + tg->nriders++];
		rd->target = (uint32_t)order[r];
		rd->back = (uint32_t)(offs[r] + u[host[r]]->len);
		if (u[r]->len > rd->back)
			tg->after |= UINT64_C(1) << ((unsigned char)u[r]->s[rd->back] & 63);
		else
			tg->before |= UINT64_C(1) << ((unsigned char)u[r]->s[offs[r] - 1] & 63);
		rd->lit.off = (uint32_t)db->litbuflen;
		rd->lit.len = u[r]->len;
		lit_head(&rd->lit, u[r]->s, false);
		memcpy(db->litbuf + db->litbuflen, u[r]->s, u[r]->len);
		db->litbuflen += u[r]->len;
	}
	for (size_t j = 0; j < P1_PAD; j++) {
		exprs[db->nlit1 + j] = p1_pad[j];
		lens[db->nlit1 + j] = P1_PAD_LEN;
		ids[db->nlit1 + j] = (unsigned)(db->nlit1 + j);
	}
	if (hs_compile_lit_multi(exprs, flags, ids, lens, (unsigned)(db->nlit1 + P1_PAD),
				 HS_MODE_STREAM, NULL, &db->phase1, &cerr) != HS_SUCCESS) {
		if (c->errsize)
			snprintf(c->err, c->errsize, "vectorscan: %s",
				 cerr ? cerr->message : "compile failed");
		rc = VG_INVAL;
		goto out;
	}
	rc = VG_OK;
out:
	if (cerr)
		hs_free_compile_error(cerr);
	free(u);
	free(kept);
	free(host);
	free(offs);
	free(order);
	free(sorted);
	free(exprs);
	free(lens);
	free(flags);
	free(ids);
	return rc;
}

void rules_db_free(struct rules_db *db)
{
	if (!db)
		return;
	hs_free_database(db->phase1);
	for (size_t i = 0; i < db->nhdbs; i++) {
		hs_free_database(db->hdbs[i].h);
		free(db->hdbs[i].expr);
	}
	hs_free_scratch(db->proto);
	free(db->hdbs);
	free(db->p1);
	free(db->riders);
	free(db->targets);
	free(db->branches);
	free(db->ops);
	free(db->lits);
	free(db->litbuf);
	free(db);
}

int rules_compile(const struct rules *r, struct rules_db **out, char *err, size_t errsize)
{
	struct compiler c;
	struct rules_db *db;
	int rc = VG_OK;

	if (!r->count) {
		if (errsize)
			snprintf(err, errsize, "no indicator rules were given");
		return VG_INVAL;
	}
	db = calloc(1, sizeof(*db));
	if (!db)
		return VG_NOMEM;
	memset(&c, 0, sizeof(c));
	c.r = r;
	c.db = db;
	c.err = err;
	c.errsize = errsize;
	words_build(&c.common, r);
	db->nrules = r->count;
	for (size_t i = 0; i < r->count && !rc; i++)
		rc = compile_rule(&c, (uint32_t)i);
	if (!rc)
		rc = phase1_build(&c);
	if (rc)
		goto out;
	rc = VG_NOMEM;
	if (hs_alloc_scratch(db->phase1, &db->proto) != HS_SUCCESS)
		goto out;
	for (size_t i = 0; i < db->nhdbs; i++) {
		if (hs_alloc_scratch(db->hdbs[i].h, &db->proto) != HS_SUCCESS)
			goto out;
	}
	*out = db;
	db = NULL;
	rc = VG_OK;
out:
	free(c.p1);
	rules_db_free(db);
	return rc;
}

void rules_db_describe(const struct rules_db *db, struct rules_db_info *out)
{
	out->literals = db->nlit1;
	out->riders = db->np1 - db->nlit1;
	out->branches = db->nbranches;
	out->databases = db->nhdbs;
}

/* ---------------------------------------------------------------------
 * Matching.
 */

/* A match found in phase two: the leftmost start for one end of one rule. */
struct trip {
	uint32_t rule, from, to;
};

/* A factor string found by phase one: its id and where it ends. */
struct hit {
	uint32_t id, end;
};

/* A set of positions in the text, sorted when a step is done with it. */
struct posv {
	uint32_t *v;
	size_t n, cap;
};

struct rules_scratch {
	const struct rules_db *db;
	hs_scratch_t *hs;
	hs_stream_t *stream;
	const char *text;
	size_t len;
	char *rev;                /* the text with its characters in reverse order */
	size_t revcap;
	bool rev_ok;
	struct hit *hits;
	size_t nhits, caphits;
	struct trip *pend;        /* matches whose end is past what was flushed */
	size_t npend, cappend;
	struct posv pos[4];
	int32_t *last;            /* per rule: index in spans of its open span, -1 */
	struct rules_span *spans;
	size_t max, nspans;
	bool full, oom, timing;
	uint64_t work, budget;    /* steps of phase two so far, and the most allowed */
	struct rules_stats stats;
};

int rules_scratch_new(const struct rules_db *db, struct rules_scratch **out)
{
	struct rules_scratch *s = calloc(1, sizeof(*s));
	int rc = VG_NOMEM;

	if (!s)
		return VG_NOMEM;
	s->db = db;
	s->last = malloc(db->nrules * sizeof(*s->last));
	if (!s->last)
		goto out;
	for (size_t i = 0; i < db->nrules; i++)
		s->last[i] = -1;
	if (hs_clone_scratch(db->proto, &s->hs) != HS_SUCCESS ||
	    hs_open_stream(db->phase1, 0, &s->stream) != HS_SUCCESS)
		goto out;
	*out = s;
	s = NULL;
	rc = VG_OK;
out:
	rules_scratch_free(s);
	return rc;
}

void rules_scratch_free(struct rules_scratch *s)
{
	if (!s)
		return;
	if (s->stream)
		hs_close_stream(s->stream, NULL, NULL, NULL);
	hs_free_scratch(s->hs);
	free(s->rev);
	free(s->hits);
	free(s->pend);
	for (size_t i = 0; i < ARRAY_SIZE(s->pos); i++)
		free(s->pos[i].v);
	free(s->last);
	free(s);
}

void rules_scratch_timing(struct rules_scratch *s, bool on)
{
	s->timing = on;
}

void rules_scratch_stats(const struct rules_scratch *s, struct rules_stats *out)
{
	*out = s->stats;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int posv_push(struct posv *p, uint32_t x)
{
	if (p->n == p->cap && grow(&p->v, &p->cap, p->n + 1, sizeof(*p->v)))
		return VG_NOMEM;
	p->v[p->n++] = x;
	return VG_OK;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Sorts p and drops repeats. A step mostly leaves its positions in order,
 * or in reverse order when it reads backwards (a gap gives its ends from
 * the nearest): either is put right in one pass. Others are sorted with
 * an insertion sort when small, with qsort() when not.
 */
static void posv_settle(struct posv *p)
{
	bool up = true, down = true;
	size_t k = 0;

	for (size_t i = 1; i < p->n && (up || down); i++) {
		up = up && p->v[i - 1] <= p->v[i];
		down = down && p->v[i - 1] >= p->v[i];
	}
	if (down && !up) {
		for (size_t i = 0, j = p->n - 1; i < j; i++, j--) {
			uint32_t x = p->v[i];

			p->v[i] = p->v[j];
			p->v[j] = x;
		}
	} else if (!up && p->n > 32) {
		qsort(p->v, p->n, sizeof(*p->v), u32_cmp);
	} else if (!up) {
		for (size_t i = 1; i < p->n; i++) {
			uint32_t x = p->v[i];
			size_t j = i;

			for (; j > 0 && p->v[j - 1] > x; j--)
				p->v[j] = p->v[j - 1];
			p->v[j] = x;
		}
	}
	for (size_t i = 0; i < p->n; i++) {
		if (!k || p->v[k - 1] != p->v[i])
			p->v[k++] = p->v[i];
	}
	p->n = k;
}

/*
 * Builds s->rev, the text with its characters in reverse order (the bytes
 * of each character stay in order, so that it is UTF-8): position y of the
 * text is position len - y of s->rev. Eight bytes are turned at a time,
 * then the few characters of more than one byte are put right.
 */
static int rev_build(struct rules_scratch *s)
{
	const unsigned char *t = (const unsigned char *)s->text;
	unsigned char *r;
	size_t n = s->len, i = 0;
	uint64_t high = 0;

	if (n > s->revcap && grow(&s->rev, &s->revcap, n, 1))
		return VG_NOMEM;
	r = (unsigned char *)s->rev;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, t + i, 8);
		high |= w;
		w = __builtin_bswap64(w);
		memcpy(r + n - i - 8, &w, 8);
	}
	for (; i < n; i++) {
		high |= t[i];
		r[n - 1 - i] = t[i];
	}
	for (i = 0; high & 0x8080808080808080u && i < n;) {
		size_t k = utf8_seqlen(t[i]);

		if (k > n - i)
			k = n - i;
		if (k > 1)
			memcpy(r + n - i - k, t + i, k);
		i += k;
	}
	s->rev_ok = true;
	return VG_OK;
}

/* Where an anchored scan's matches end, as positions of the text. */
struct anchored {
	struct posv *out;
	int64_t base;             /* the position of offset 0 */
	bool backwards;           /* offsets count towards the start of the text */
	bool oom;
};

static int on_anchored(unsigned int id, unsigned long long from, unsigned long long to,
		       unsigned int flags, void *ctx)
{
	struct anchored *a = ctx;
	int64_t x = a->backwards ? a->base - (int64_t)to : a->base + (int64_t)to;

	(void)id;
	(void)from;
	(void)flags;
	if (posv_push(a->out, (uint32_t)x)) {
		a->oom = true;
		return 1;
	}
	return 0;
}

/*
 * Runs an anchored database from position x. Forwards, the text it reads
 * starts with the character before x; backwards, it is s->rev from the
 * character at x to the start of the text. Either way the database's
 * "^[\s\S]" steps over a character that \b and \B can see, and the far
 * end of what it reads is the end (or start) of the text.
 */
static int db_scan(const struct rules_db *db, struct rules_scratch *s, const struct op *op,
		   bool reverse, uint32_t x, struct posv *next)
{
	const unsigned char *t = (const unsigned char *)s->text;
	const struct hdb *h = &db->hdbs[op->hdb];
	struct anchored a = { next, 0, reverse, false };
	const char *buf;
	size_t blen, c;
	hs_error_t herr;

	if (!reverse) {
		/* A factor is never empty, so a right side starts after at least one character. */
		assert(x > 0);
		c = 1;
		while (c < x && (t[x - c] & 0xc0) == 0x80)
			c++;
		buf = s->text + x - c;
		blen = s->len - (x - c);
		a.base = (int64_t)x - (int64_t)c;
	} else {
		/* A factor follows a left side, so there is a character at x. */
		assert(x < s->len);
		if (!s->rev_ok && rev_build(s))
			return VG_NOMEM;
		c = utf8_seqlen(t[x]);
		if (c > s->len - x)
			c = s->len - x;
		buf = s->rev + s->len - x - c;
		blen = x + c;
		a.base = (int64_t)(x + c);
	}
	s->stats.scans++;
	herr = hs_scan(h->h, buf, (unsigned)blen, 0, s->hs, on_anchored, &a);
	if (a.oom)
		return VG_NOMEM;
	return herr == HS_SUCCESS ? VG_OK : VG_INTERNAL;
}

/*
 * Whether an assertion holds at x. \w is ASCII (vectorscan without
 * HS_FLAG_UCP); $ and \Z also hold before a newline that ends the text.
 */
static inline bool assert_holds(const unsigned char *t, size_t len, size_t x, char anchor)
{
	bool before = x > 0 && is_word(t[x - 1]), after = x < len && is_word(t[x]);

	switch (anchor) {
	case 'b':
		return before != after;
	case 'B':
		return before == after;
	case '^': case 'A':
		return x == 0;
	case 'z':
		return x == len;
	default:
		return x == len || (x + 1 == len && t[x] == '\n');
	}
}

/*
 * Bit k set when key[k] == c, for the LITS_MAX keys of a set: sixteen
 * compared at a time with SSE2 (every x86-64 has it), eight at a time
 * elsewhere.
 */
static uint32_t key_match(const uint8_t *key, unsigned c)
{
#if defined(__SSE2__)
	__m128i v = _mm_set1_epi8((char)c);
	__m128i a = _mm_loadu_si128((const __m128i *)key);
	__m128i b = _mm_loadu_si128((const __m128i *)(key + 16));

	_Static_assert(LITS_MAX == 32, "key_match() reads 32 keys");
	return (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(a, v)) |
	       (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(b, v)) << 16;
#else
	uint32_t m = 0;

	for (unsigned q = 0; q < LITS_MAX / 8; q++) {
		uint64_t x = swar_load8(key + 8 * q) ^ (SWAR_ONES * c);

		m |= (uint32_t)swar_mask(swar_between(x, -1, 1)) << (8 * q);
	}
	return m;
#endif
}

/*
 * The bits set in x. __builtin_popcount() is a call into libgcc on an
 * x86-64 without the POPCNT instruction (the build targets them all);
 * this is a dozen instructions inline.
 */
static unsigned popcount32(uint32_t x)
{
	x = x - ((x >> 1) & 0x55555555u);
	x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
	x = (x + (x >> 4)) & 0x0f0f0f0fu;
	return (x * 0x01010101u) >> 24;
}

/* Adds x to p when it meets the assertion anchor (none when 0). */
static int push_if(struct posv *p, const unsigned char *t, size_t len, uint32_t x, char anchor)
{
	if (anchor && !assert_holds(t, len, x, anchor))
		return VG_OK;
	return posv_push(p, x);
}

/*
 * Whether a gap's end y can be where the set after it (follow) starts:
 * the byte there must begin one of the set's strings, or the set would
 * turn y away at once. NULL follow: any y can.
 */
static bool gap_leads(const unsigned char *t, size_t len, const struct op *follow, bool reverse,
		      uint32_t y)
{
	if (!follow)
		return true;
	if (reverse)
		return y > 0 && bytes_has(follow->bytes, t[y - 1]);
	return y < len && bytes_has(follow->bytes, t[y]);
}

/*
 * next = where op leads from the positions in cur. follow is the step
 * after a gap when it is a set with no empty string, else NULL: the gap
 * keeps only the ends the set can read from.
 */
static int op_apply(const struct rules_db *db, struct rules_scratch *s, const struct op *op,
		    const struct op *follow, bool reverse, const struct posv *cur,
		    struct posv *next)
{
	const unsigned char *t = (const unsigned char *)s->text;
	size_t len = s->len;
	uint64_t turned = 0;
	int rc = VG_OK;

	next->n = 0;
	for (size_t i = 0; i < cur->n && !rc; i++) {
		uint32_t x = cur->v[i];

		s->work += op->kind == OP_DB ? 16 : 1;

		switch (op->kind) {
		case OP_ASSERT:
			if (assert_holds(t, len, x, op->anchor))
				rc = posv_push(next, x);
			break;
		case OP_SET: {
			/* Most positions are turned away by the byte next to them. */
			unsigned c = reverse ? (x ? t[x - 1] : 256) : (x < len ? t[x] : 256);
			uint64_t w = 0;
			uint32_t cand;
			unsigned c2;
			bool wide;

			if (op->empty && (!op->anchor || assert_holds(t, len, x, op->anchor)))
				rc = posv_push(next, x);
			if (c == 256 || !bytes_has(op->bytes, (unsigned char)c))
				break;
			/*
			 * The strings whose first byte is c (each a step of work),
			 * of those the ones whose second byte is the next one, and
			 * the eight bytes next to x when the text has them (struct
			 * lit): most strings are settled with no read of them.
			 */
			c2 = reverse ? (x >= 2 ? t[x - 2] : 256) : (len - x >= 2 ? t[x + 1] : 256);
			cand = key_match(op->key, c) & op->nonempty;
			s->work += popcount32(cand);
			cand &= (c2 == 256 ? 0 : key_match(op->key2, c2)) | op->one;
			wide = reverse ? x >= 8 : len - x >= 8;
			if (wide)
				w = swar_load8(t + (reverse ? x - 8 : x));
			while (cand && !rc) {
				uint32_t k = (uint32_t)__builtin_ctz(cand);
				const struct lit *l = &db->lits[op->lit + k];
				const unsigned char *str;

				cand &= cand - 1;
				if (wide && (w & l->mask) != l->head)
					continue;
				str = (const unsigned char *)db->litbuf + l->off;
				if (!reverse && l->len <= len - x &&
				    ((wide && l->len <= 8) || !memcmp(t + x, str, l->len)))
					rc = push_if(next, t, len, x + l->len, op->anchor);
				else if (reverse && l->len <= x &&
					 ((wide && l->len <= 8) || !memcmp(t + x - l->len, str, l->len)))
					rc = push_if(next, t, len, x - l->len, op->anchor);
			}
			break;
		}
		case OP_GAP: {
			uint32_t y = x, k = 0;

			/* The class is ASCII, so each character it reads is one byte. */
			while (k < op->min && (reverse ? y > 0 && bytes_has(op->bytes, t[y - 1]) :
					       y < len && bytes_has(op->bytes, t[y]))) {
				y = reverse ? y - 1 : y + 1;
				k++;
			}
			if (k < op->min)
				break;
			for (;;) {
				if (gap_leads(t, len, follow, reverse, y))
					rc = push_if(next, t, len, y, op->anchor);
				else
					turned++;
				if (rc || k >= op->max ||
				    !(reverse ? y > 0 && bytes_has(op->bytes, t[y - 1]) :
				      y < len && bytes_has(op->bytes, t[y])))
					break;
				y = reverse ? y - 1 : y + 1;
				k++;
			}
			break;
		}
		default:
			rc = db_scan(db, s, op, reverse, x, next);
			break;
		}
	}
	/*
	 * An end the gap turned away for the set after it counts as the gap
	 * and the set would have counted it, so that the bound on the work
	 * stays where it was.
	 */
	s->work += next->n + 2 * turned;
	posv_settle(next);
	if (!rc && s->work > s->budget)
		rc = VG_TOOBIG;
	return rc;
}

/*
 * Runs the nop steps of db->ops from first on, from start; *out is left
 * pointing at the positions reached. (Indices rather than a pointer: a
 * database of plain words has no steps, and db->ops is then NULL.)
 */
static int prog_run(const struct rules_db *db, struct rules_scratch *s, uint32_t first,
		    uint32_t nop, bool reverse, uint32_t start, struct posv *a, struct posv *b,
		    struct posv **out)
{
	const unsigned char *t = (const unsigned char *)s->text;
	const struct op *ops = nop ? &db->ops[first] : NULL;
	uint32_t k = 0;
	int rc;

	*out = a;
	a->n = 0;
	/*
	 * Most programs are an assertion or two (the \b around a word):
	 * those are read here, with no set of positions made.
	 */
	for (; k < nop && ops[k].kind == OP_ASSERT; k++) {
		if (!assert_holds(t, s->len, start, ops[k].anchor))
			return VG_OK;
	}
	rc = posv_push(a, start);
	for (; k < nop && !rc && a->n; k++) {
		const struct op *follow = ops[k].kind == OP_GAP && k + 1 < nop &&
					  ops[k + 1].kind == OP_SET && !ops[k + 1].empty ?
					  &ops[k + 1] : NULL;
		struct posv *swap;

		rc = op_apply(db, s, &ops[k], follow, reverse, a, b);
		swap = a;
		a = b;
		b = swap;
	}
	*out = a;
	return rc;
}

/* The matches of one branch around a factor found at [fs, fe). */
static int verify(const struct rules_db *db, struct rules_scratch *s, const struct branch *br,
		  uint32_t fs, uint32_t fe)
{
	const unsigned char *t = (const unsigned char *)s->text;
	struct posv *ends, *starts;
	uint32_t nl, nr;
	int rc;

	/*
	 * The assertions next to the factor on either side cost nothing to
	 * check and turn away most factors found inside a word: they are
	 * read before either side's program is run.
	 */
	if (br->nlassert > 2) {
		for (uint32_t k = 0; k < br->nlop && db->ops[br->lop + k].kind == OP_ASSERT; k++) {
			if (!assert_holds(t, s->len, fs, db->ops[br->lop + k].anchor))
				return VG_OK;
		}
		nl = 0;
	} else {
		for (nl = 0; nl < br->nlassert; nl++) {
			if (!assert_holds(t, s->len, fs, br->lassert[nl]))
				return VG_OK;
		}
	}
	/* The right side's copied assertions are what prog_run() would check first. */
	nr = br->nrassert > 2 ? 0 : br->nrassert;
	for (uint32_t k = 0; k < nr; k++) {
		if (!assert_holds(t, s->len, fe, br->rassert[k]))
			return VG_OK;
	}
	rc = prog_run(db, s, br->rop + nr, br->nrop - nr, false, fe, &s->pos[0], &s->pos[1],
		      &ends);
	if (rc || !ends->n)
		return rc;
	rc = prog_run(db, s, br->lop + nl, br->nlop - nl, true, fs, &s->pos[2], &s->pos[3],
		      &starts);
	if (rc || !starts->n)
		return rc;
	if (s->npend + ends->n > s->cappend &&
	    grow(&s->pend, &s->cappend, s->npend + ends->n, sizeof(*s->pend)))
		return VG_NOMEM;
	for (size_t i = 0; i < ends->n; i++) {
		struct trip *m = &s->pend[s->npend++];

		m->rule = br->rule;
		m->from = starts->v[0];
		m->to = ends->v[i];
	}
	return VG_OK;
}

static int on_hit(unsigned int id, unsigned long long from, unsigned long long to,
		  unsigned int flags, void *ctx)
{
	struct rules_scratch *s = ctx;

	(void)from;
	(void)flags;
	/* One of the strings that only pad the database (P1_PAD). */
	if (id >= s->db->nlit1)
		return 0;
	if (s->nhits == s->caphits && grow(&s->hits, &s->caphits, s->nhits + 1, sizeof(*s->hits))) {
		s->oom = true;
		return 1;
	}
	s->hits[s->nhits].id = id;
	s->hits[s->nhits].end = (uint32_t)to;
	s->nhits++;
	return 0;
}

/*
 * Whether a rider of tg can be where tg was found ending at fe: the byte
 * after it or the one before it is one that a rider needs there (or
 * shares its low six bits with one).
 */
static bool rider_may_be(const struct target *tg, const unsigned char *t, size_t len,
			 uint32_t fe)
{
	uint32_t fs = fe - tg->len;

	return (fe < len && (tg->after >> (t[fe] & 63) & 1)) ||
	       (fs > 0 && (tg->before >> (t[fs - 1] & 63) & 1));
}

static int hits_process(const struct rules_db *db, struct rules_scratch *s)
{
	int rc = VG_OK;

	s->stats.hits += s->nhits;
	for (size_t i = 0; i < s->nhits && !rc; i++) {
		const struct target *tg = &db->p1[s->hits[i].id];
		uint32_t fe = s->hits[i].end;

		for (uint32_t k = 0; k < tg->count && !rc; k++)
			rc = verify(db, s, &db->branches[db->targets[tg->first + k]], fe - tg->len, fe);
		if (!rider_may_be(tg, (const unsigned char *)s->text, s->len, fe))
			continue;
		for (uint32_t r = 0; r < tg->nriders && !rc; r++) {
			const struct rider *rd = &db->riders[tg->rider + r];
			const struct target *rt = &db->p1[rd->target];
			uint32_t fs, n = rd->lit.len;

			/* The rider would start rd->back bytes before fe: is it there? */
			if (fe < rd->back || n > s->len - (fe - rd->back))
				continue;
			fs = fe - rd->back;
			if (s->len - fs >= 8) {
				uint64_t w = swar_load8((const unsigned char *)s->text + fs);

				if ((w & rd->lit.mask) != rd->lit.head ||
				    (n > 8 && memcmp(s->text + fs + 8, db->litbuf + rd->lit.off + 8,
						     n - 8)))
					continue;
			} else if (memcmp(s->text + fs, db->litbuf + rd->lit.off, n)) {
				continue;
			}
			s->stats.riders++;
			for (uint32_t k = 0; k < rt->count && !rc; k++)
				rc = verify(db, s, &db->branches[db->targets[rt->first + k]], fs,
					    fs + rt->len);
		}
	}
	s->nhits = 0;
	return rc;
}

static int trip_cmp(const void *a, const void *b)
{
	const struct trip *x = a, *y = b;

	if (x->to != y->to)
		return x->to < y->to ? -1 : 1;
	if (x->rule != y->rule)
		return x->rule < y->rule ? -1 : 1;
	return x->from < y->from ? -1 : x->from > y->from;
}

/*
 * Adds one match: it extends the rule's open span when it starts at or
 * before that span's end, and begins a new span otherwise. False when
 * there is no room for a new span.
 */
static bool span_add(struct rules_scratch *s, const struct trip *m)
{
	int32_t last = s->last[m->rule];
	struct rules_span *sp;

	s->stats.matches++;
	if (last >= 0 && m->from <= s->spans[last].to) {
		sp = &s->spans[last];
		if (m->from < sp->from)
			sp->from = m->from;
		if (m->to > sp->to)
			sp->to = m->to;
		return true;
	}
	if (s->nspans == s->max)
		return false;
	sp = &s->spans[s->nspans];
	sp->rule = m->rule;
	sp->from = m->from;
	sp->to = m->to;
	s->last[m->rule] = (int32_t)s->nspans++;
	return true;
}

/*
 * Merges the matches that end at or before bound, in order of their end
 * (then rule), each (rule, end) once with its leftmost start. No match
 * found later can end there: see rules_match().
 */
static void flush(struct rules_scratch *s, size_t bound)
{
	size_t i, rest;

	/* Matches are found nearly in order: an insertion sort, unless there are many. */
	if (s->npend > 256) {
		qsort(s->pend, s->npend, sizeof(*s->pend), trip_cmp);
	} else {
		for (i = 1; i < s->npend; i++) {
			struct trip m = s->pend[i];
			size_t j = i;

			for (; j > 0 && trip_cmp(&s->pend[j - 1], &m) > 0; j--)
				s->pend[j] = s->pend[j - 1];
			s->pend[j] = m;
		}
	}
	for (i = 0; i < s->npend && s->pend[i].to <= bound; i++) {
		const struct trip *m = &s->pend[i];

		if (i && m->to == m[-1].to && m->rule == m[-1].rule)
			continue;
		if (!span_add(s, m)) {
			s->full = true;
			s->npend = 0;
			return;
		}
	}
	rest = s->npend - i;
	/* pend may still be NULL when nothing was found: no memmove on it. */
	if (rest)
		memmove(s->pend, s->pend + i, rest * sizeof(*s->pend));
	s->npend = rest;
}

/*
 * Phase one reads the text in chunks with a streaming database: vectorscan
 * does not report matches in order, but it reports every match that ends
 * in a chunk while it reads that chunk. A factor found later ends later,
 * and the matches around it end no sooner than it does, so after each
 * chunk the matches that end within it are complete and are merged. The
 * memory a text needs is bounded by a chunk's factors, not the text's.
 *
 * Phase two's time is bounded too. Checking around each factor costs
 * little in prose (under two steps per byte over the benchmark corpus,
 * about twenty in a text that repeats "took " for a megabyte), but a side
 * that repeats a class without bound ("prostitut\w*") read from every
 * factor found in one long word would take time that grows with the
 * square of the text. A text that needs more than WORK_PER_BYTE steps per
 * byte is cut like one with too many spans: the spans of the chunks read
 * before stay, and *truncated is set.
 */
int rules_match(const struct rules_db *db, struct rules_scratch *s, const char *text,
		size_t len, struct rules_span *spans, size_t max, size_t *n, bool *truncated)
{
	int rc = VG_OK;

	assert(s->db == db && (text || !len) && (spans || !max) && max <= INT32_MAX);
	if (len >= UINT32_MAX)
		return VG_TOOBIG;
	s->text = text;
	s->len = len;
	s->rev_ok = false;
	s->nhits = s->npend = 0;
	s->spans = spans;
	s->max = max;
	s->nspans = 0;
	s->full = s->oom = false;
	s->work = 0;
	s->budget = (uint64_t)len * WORK_PER_BYTE + WORK_MIN;
	s->stats.texts++;
	for (size_t off = 0; off < len && !s->full; off += CHUNK) {
		unsigned clen = (unsigned)(len - off < CHUNK ? len - off : CHUNK);
		uint64_t t0 = s->timing ? now_ns() : 0, t1;
		hs_error_t herr;

		herr = hs_scan_stream(s->stream, text + off, clen, 0, s->hs, on_hit, s);
		t1 = s->timing ? now_ns() : 0;
		if (s->oom) {
			rc = VG_NOMEM;
			break;
		}
		if (herr != HS_SUCCESS) {
			rc = VG_INTERNAL;
			break;
		}
		rc = hits_process(db, s);
		if (rc == VG_TOOBIG) {
			/* What was merged is whole; what this chunk began is dropped. */
			s->full = true;
			rc = VG_OK;
			break;
		}
		if (rc)
			break;
		flush(s, off + clen);
		if (s->timing) {
			s->stats.phase1_ns += t1 - t0;
			s->stats.phase2_ns += now_ns() - t1;
		}
	}
	s->stats.steps += s->work;
	if (hs_reset_stream(s->stream, 0, NULL, NULL, NULL) != HS_SUCCESS && !rc)
		rc = VG_INTERNAL;
	for (size_t i = 0; i < s->nspans; i++)
		s->last[spans[i].rule] = -1;
	s->nhits = s->npend = 0;
	s->text = NULL;
	if (rc)
		return rc;
	*n = s->nspans;
	*truncated = s->full;
	return VG_OK;
}

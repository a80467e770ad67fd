#include "base/compat.h"
#include "screen/rules.h"

#include <math.h>

#include "screen/rules_impl.h"

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
static const char grams_header[] = "gram\tcount\tsource";

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
	free(r->grams);
	rules_init(r);
}

int rules_fail(char *err, size_t errsize, const char *file, unsigned line,
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

int array_grow(void *p, size_t *cap, size_t need, size_t size)
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
			return rules_fail(err, errsize, name, c.line,
					  "expected %zu tab-separated fields, found %zu",
					  nfields, f.n);
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
		return rules_fail(err, errsize, name, line, "slug must be 1-%d of [a-z0-9_]",
				  RULES_SLUG_MAX - 1);
	if (rules_type_find(r, f->at[0], f->len[0]) >= 0)
		return rules_fail(err, errsize, name, line, "slug \"%.*s\" is defined twice",
				  (int)f->len[0], f->at[0]);
	if (!f->len[1] || f->len[1] >= RULES_NAME_MAX)
		return rules_fail(err, errsize, name, line, "name must be 1-%d bytes",
				  RULES_NAME_MAX - 1);
	if (f->len[2] != 1 || !strchr("SLB", f->at[2][0]))
		return rules_fail(err, errsize, name, line, "kind must be S, L or B");
	if (!f->len[4])
		return rules_fail(err, errsize, name, line, "source is empty");
	if (r->ntypes == RULES_TYPES_MAX)
		return rules_fail(err, errsize, name, line, "more than %d types", RULES_TYPES_MAX);
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
		return rules_fail(err, errsize, name, line, "id must be 1-%d of [a-z0-9._-]",
				  RULES_ID_MAX - 1);
	if (id_taken(r, f->at[0], f->len[0]))
		return rules_fail(err, errsize, name, line, "id \"%.*s\" is used twice",
				  (int)f->len[0], f->at[0]);
	if (!f->len[1] || f->len[1] >= RULES_CATEGORY_MAX)
		return rules_fail(err, errsize, name, line, "category is empty or too long");
	if (f->len[2] < 2 || f->len[2] > 3 || !field_charset(f->at[2], f->len[2], ""))
		return rules_fail(err, errsize, name, line,
				  "lang must be a 2- or 3-letter code in lower case");
	if (!f->len[4] || f->len[4] >= RULES_PATTERN_MAX)
		return rules_fail(err, errsize, name, line, "pattern must be 1-%d bytes",
				  RULES_PATTERN_MAX - 1);
	if (!f->len[5] || f->len[5] >= RULES_SOURCE_MAX)
		return rules_fail(err, errsize, name, line, "source must be 1-%d bytes",
				  RULES_SOURCE_MAX - 1);
	if (r->count == RULES_MAX)
		return rules_fail(err, errsize, name, line, "more than %d indicators", RULES_MAX);
	rc = rules_grow(r);
	if (rc)
		return rc;
	rule = &r->items[r->count];
	memset(rule, 0, sizeof(*rule));
	field_copy(rule->id, sizeof(rule->id), f->at[0], f->len[0]);
	field_copy(rule->category, sizeof(rule->category), f->at[1], f->len[1]);
	field_copy(rule->lang, sizeof(rule->lang), f->at[2], f->len[2]);
	if (!parse_category(r, rule, &why))
		return rules_fail(err, errsize, name, line, "%s: %s", rule->category, why);
	if (parse_weight(f->at[3], f->len[3], &rule->weight))
		return rules_fail(err, errsize, name, line, "weight must be a number from -1 to 1");
	if (rule->family == RULE_NEGATION && rule->weight != 0.0)
		return rules_fail(err, errsize, name, line, "a negation's weight must be 0");
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
		return rules_fail(err, errsize, name, line,
				  "word must be 1 to %d lower-case letters a-z",
				  RULES_WORD_MAX - 1);
	if (!field_charset(f->at[1], f->len[1], "") || !field_range(f->at[2], f->len[2], '0', '9') ||
	    !f->len[3])
		return rules_fail(err, errsize, name, line,
				  "lang, count (a whole number) and source must be given");
	if (r->nwords == RULES_WORDS_MAX)
		return rules_fail(err, errsize, name, line, "more than %d common words",
				  RULES_WORDS_MAX);
	if (!r->words) {
		r->words = malloc(RULES_WORDS_MAX * sizeof(*r->words));
		if (!r->words)
			return VG_NOMEM;
	}
	field_copy(r->words[r->nwords++], RULES_WORD_MAX, f->at[0], f->len[0]);
	return VG_OK;
}

/*
 * A line of a file of four grams: four bytes of printable ASCII, a space
 * written as "_", how often they were counted and where.
 */
static int gram_line(struct rules *r, const char *name, unsigned line, const struct fields *f,
		     char *err, size_t errsize)
{
	struct rules_gram *g;

	if (f->len[0] != 4 || !field_range(f->at[0], 4, ' ' + 1, '~'))
		return rules_fail(err, errsize, name, line,
				  "gram must be 4 bytes of printable ASCII, \"_\" for a space");
	if (!f->len[1] || f->len[1] > 9 || !field_range(f->at[1], f->len[1], '0', '9') || !f->len[2])
		return rules_fail(err, errsize, name, line,
				  "count (a whole number) and source must be given");
	if (r->ngrams == RULES_GRAMS_MAX)
		return rules_fail(err, errsize, name, line, "more than %d four grams",
				  RULES_GRAMS_MAX);
	if (!r->grams) {
		r->grams = malloc(RULES_GRAMS_MAX * sizeof(*r->grams));
		if (!r->grams)
			return VG_NOMEM;
	}
	g = &r->grams[r->ngrams++];
	g->count = 0;
	for (size_t i = 0; i < f->len[1]; i++)
		g->count = g->count * 10 + (uint32_t)(f->at[1][i] - '0');
	for (size_t i = 0; i < 4; i++)
		g->g[i] = f->at[0][i] == '_' ? ' ' : f->at[0][i];
	return VG_OK;
}

int rules_parse(struct rules *r, const char *name, const char *text, size_t len,
		char *err, size_t errsize)
{
	assert(name && (text || !len));
	if (memchr(text, '\0', len))
		return rules_fail(err, errsize, name, 0, "file holds a NUL byte");
	if (rules_is_typology(text, len))
		return each_line_counted(r, name, text, len, 5, typology_line, &r->ntypes, err,
					 errsize);
	if (first_line_is(text, len, indicator_header))
		return parse_indicators(r, name, text, len, err, errsize);
	if (first_line_is(text, len, words_header))
		return each_line_counted(r, name, text, len, 4, word_line, &r->nwords, err,
					 errsize);
	if (first_line_is(text, len, grams_header))
		return each_line_counted(r, name, text, len, 3, gram_line, &r->ngrams, err,
					 errsize);
	return rules_fail(err, errsize, name, 1,
			  "the header row must be \"%s\", \"%s\", \"%s\" or \"%s\" (tab-separated)",
			  "id category lang weight pattern source", "slug name kind htcds source",
			  "word lang count source", "gram count source");
}

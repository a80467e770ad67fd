/*
 * rules.h - the indicator lexicons and the typology, parsed from their text
 * and compiled for vectorscan.
 *
 * Two kinds of rule file exist, told apart by their header row (the formats
 * are documented in data/README.md):
 *
 *   slug  name  kind  htcds  source                  (data/typology.tsv)
 *   id  category  lang  weight  pattern  source      (data/indicators/xx.tsv)
 *
 * Parsing is pure: it is given a file's name and contents and never reads
 * the disk. Every error is one line "file:line: what" in the caller's err.
 * The category vocabulary (acts, means, purposes, urgency, ad signals) is
 * the grammar of the rule format and lives in the tables below; the facts
 * (which words are evidence of what) live in the data files.
 */
#ifndef VIGIL_RULES_H
#define VIGIL_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <hs/hs.h>

#define RULES_ID_MAX 64
#define RULES_CATEGORY_MAX 64
#define RULES_FILE_MAX 64
#define RULES_SLUG_MAX 40
#define RULES_NAME_MAX 80
#define RULES_PATTERN_MAX 1024
#define RULES_SOURCE_MAX 256

/* The most rules and typology types an engine holds. */
#define RULES_MAX 8192
#define RULES_TYPES_MAX 64

/* What a matched indicator is evidence of: the part of its category before the dot. */
enum rule_family {
	RULE_ACT,
	RULE_MEANS,
	RULE_PURPOSE,
	RULE_LABOR,     /* labour exploitation below the trafficking threshold */
	RULE_MINOR,
	RULE_RISK,
	RULE_TYPOLOGY,
	RULE_URGENCY,
	RULE_AD,
	RULE_NEGATION,
	RULE_FAMILY_COUNT
};

/*
 * One entry of a closed vocabulary. tvpa and palermo say whether a match
 * counts toward the element under each framework (legal-elements.md: the
 * demand-side acts are TVPA only, abuse of vulnerability and payments to a
 * controller are Palermo means only, organ removal is a Palermo purpose).
 */
struct rules_term {
	const char *name;
	bool tvpa;
	bool palermo;
};

enum rules_purpose { PURPOSE_COMMERCIAL_SEX, PURPOSE_LABOR, PURPOSE_ORGAN_REMOVAL, PURPOSE_COUNT };

extern const struct rules_term rules_acts[];
extern const size_t rules_acts_count;
extern const struct rules_term rules_means[];
extern const size_t rules_means_count;
extern const struct rules_term rules_purposes[];    /* indexed by enum rules_purpose */
extern const struct rules_term rules_urgencies[];
extern const size_t rules_urgencies_count;
extern const struct rules_term rules_ad_signals[];
extern const size_t rules_ad_signals_count;

/* One type of the Polaris typology (data/typology.tsv). */
struct rules_type {
	char slug[RULES_SLUG_MAX];
	char name[RULES_NAME_MAX];
	char kind;                 /* 'S' sex, 'L' labor, 'B' both */
};

struct rule {
	char id[RULES_ID_MAX];             /* "en.means.passport.1", unique */
	char category[RULES_CATEGORY_MAX]; /* "means.withholds_documents" */
	enum rule_family family;
	int term;       /* index in the family's table or the typology; -1 for free names */
	int type;       /* typology type a purpose rule names in its id, -1 if none */
	char lang[8];
	double weight;
	char *pattern;  /* as written in the file: lower case, normalised text */
	char *source;
	char file[RULES_FILE_MAX];
	unsigned line;
};

struct rules {
	struct rule *items;
	size_t count;
	size_t cap;
	struct rules_type types[RULES_TYPES_MAX];
	size_t ntypes;
};

/* The category after the dot ("withholds_documents"); "" for negation. */
static inline const char *rule_name(const struct rule *rule)
{
	const char *dot = strchr(rule->category, '.');

	return dot ? dot + 1 : "";
}

void rules_init(struct rules *r);
void rules_release(struct rules *r);

/*
 * Parses one file of either kind (told apart by its header row) and
 * appends what it holds. Typology files must all come before the indicator
 * files that name their slugs. VG_INVAL with err set on a format error
 * (the rules added from this file are removed again); VG_NOMEM.
 */
int rules_parse(struct rules *r, const char *name, const char *text, size_t len,
		char *err, size_t errsize);

/* True when text starts with the typology header row. */
bool rules_is_typology(const char *text, size_t len);

/* The typology type with this slug, or -1. */
int rules_type_find(const struct rules *r, const char *slug, size_t len);

/*
 * Compiles every pattern into one vectorscan block-mode database, match id
 * = rule index, each pattern CASELESS | UTF8 | SOM_LEFTMOST so that a match
 * has a start. VG_INVAL with "file:line: pattern: <reason>" for a pattern
 * vectorscan rejects; VG_INVAL when there are no rules; VG_NOMEM.
 */
int rules_compile(const struct rules *r, hs_database_t **out, char *err, size_t errsize);

#endif

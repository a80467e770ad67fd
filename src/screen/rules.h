/*
 * rules.h - the indicator lexicons and the typology, parsed from their text
 * and compiled into the two-phase matcher below.
 *
 * Four kinds of rule file exist, told apart by their header row (the
 * formats are documented in data/README.md):
 *
 *   slug  name  kind  htcds  source                  (data/typology.tsv)
 *   id  category  lang  weight  pattern  source      (data/indicators/xx.tsv)
 *   word  lang  count  source                        (indicators/common-words.tsv)
 *   gram  count  source                              (indicators/four-grams.tsv)
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
#include <stdint.h>
#include <string.h>

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
/* The most common words (data/indicators/common-words.tsv), and their longest, with the NUL. */
#define RULES_WORDS_MAX 2048
#define RULES_WORD_MAX 32
/* The most runs of four bytes (data/indicators/four-grams.tsv). */
#define RULES_GRAMS_MAX 16384

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

/* A run of four bytes and how many times it was counted. */
struct rules_gram {
	char g[4];
	uint32_t count;
};

struct rules {
	struct rule *items;
	size_t count;
	size_t cap;
	struct rules_type types[RULES_TYPES_MAX];
	size_t ntypes;
	/*
	 * The commonest words of ordinary prose (a file of common words): they
	 * change no pattern, only which part of it the matcher looks for first
	 * (see rules_compile()).
	 */
	char (*words)[RULES_WORD_MAX];
	size_t nwords;
	/*
	 * How often runs of four bytes were counted in prose (a file of four
	 * grams): they change no pattern, only which run of each string
	 * phase one keys it by (see rules_compile()).
	 */
	struct rules_gram *grams;
	size_t ngrams;
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
 * Parses one file of any of the four kinds (told apart by its header row:
 * typology, indicators, common words, four grams) and appends what it holds. Typology
 * files must all come before the indicator files that name their slugs.
 * VG_INVAL with err set on a format error (what was added from this file
 * is removed again); VG_NOMEM.
 */
int rules_parse(struct rules *r, const char *name, const char *text, size_t len,
		char *err, size_t errsize);

/* True when text starts with the typology header row. */
bool rules_is_typology(const char *text, size_t len);

/* The typology type with this slug, or -1. */
int rules_type_find(const struct rules *r, const char *slug, size_t len);

/*
 * The compiled matcher: every pattern of a rule set, ready to be found in a
 * normalised text in two phases (docs/screening.md, "Speed").
 *
 * Phase one is the only pass over the whole text: a scanner of the
 * matcher's own (rules_scan.c) looks for, for each pattern, a set of plain
 * strings of which every match contains one (its factor: for
 * "\b(took|keeps) (her|his) passports?\b", the eight strings from "took
 * her passport" to "keeps his passports"), each by its rarest run of four
 * bytes. A factor string that contains another ("sells her" and "sell")
 * is not scanned for but compared with the text where the longest one
 * scanned for that it contains is found: it is found at the same places,
 * and the scan has about half the strings. Phase two
 * looks only around the places where a factor was
 * found: the parts of the pattern before and after it are checked there,
 * by comparing strings, by reading a class of characters ("[ -~]{0,25}")
 * and, for what is neither, with small anchored vectorscan databases. The
 * part after the factor gives the ends of the matches; the part before it,
 * read backwards, their leftmost starts. The result is what one vectorscan
 * scan with HS_FLAG_SOM_LEFTMOST over the whole text would report: every
 * end offset of every pattern, each with its leftmost start.
 *
 * The pattern language is vectorscan's (PCRE) with what the rule format
 * allows (data/README.md), less a few constructs that have no use on
 * normalised text and are refused with the name of the construct: option
 * settings and other "(?" groups than "(?:", \Q...\E, \G, back-references
 * and octal escapes, and a "{" that is not a repeat count. Every branch of
 * a pattern must contain some plain text (a character, a word, or a set of
 * at most 32 strings such as "(her|him)" or "[oa]") that each of its
 * matches includes; a branch made only of classes and repeats ("\w+") is
 * refused.
 */
struct rules_db;

/* Per-thread state for rules_match(); made for one rules_db. */
struct rules_scratch;

/* One indicator span: merged matches of one rule, in the normalised text. */
struct rules_span {
	uint32_t rule;       /* index in rules.items */
	size_t from, to;     /* [from, to) */
};

/* What rules_compile() made, for the benchmark and the tests. */
struct rules_db_info {
	size_t literals;     /* strings in the phase-one database */
	size_t riders;       /* factor strings found through one of those that they contain */
	size_t branches;     /* pattern branches, each with one factor */
	size_t databases;    /* anchored phase-two databases */
};

/*
 * Counts since rules_scratch_new(), added to by every rules_match(). The
 * times are kept only after rules_scratch_timing(s, true): phase one is the
 * literal scan, phase two everything after it (checks, merging).
 */
struct rules_stats {
	uint64_t texts;
	uint64_t hits;       /* factors found by phase one */
	uint64_t riders;     /* factors found around those (rules_db_info.riders) */
	uint64_t scans;      /* anchored vectorscan scans in phase two */
	uint64_t matches;    /* (rule, end) pairs found */
	uint64_t steps;      /* phase-two work (see rules_match()) */
	uint64_t phase1_ns;
	uint64_t phase2_ns;
};

/*
 * Compiles every pattern of r. VG_INVAL with "file:line: pattern: <reason>"
 * for a pattern vectorscan rejects or that uses a construct the matcher
 * does not take (see above); VG_INVAL when there are no rules; VG_NOMEM.
 * The result keeps no pointer into r, is read-only and may be shared by
 * threads, each with its own rules_scratch. The common words of r, when
 * there are any, make the factor chooser take a string made only of them
 * ("has", "call her") as that much commoner than its letters say; what is
 * found is the same with or without them.
 */
int rules_compile(const struct rules *r, struct rules_db **out, char *err, size_t errsize);
void rules_db_free(struct rules_db *db);
void rules_db_describe(const struct rules_db *db, struct rules_db_info *out);

int rules_scratch_new(const struct rules_db *db, struct rules_scratch **out);
void rules_scratch_free(struct rules_scratch *s);
void rules_scratch_timing(struct rules_scratch *s, bool on);
void rules_scratch_stats(const struct rules_scratch *s, struct rules_stats *out);

/*
 * Finds every match of every rule in len bytes of normalised text (as made
 * by norm_text(): valid UTF-8, case-folded) and merges them, rule by rule,
 * as they are met in order of their end: a match that starts at or before
 * the end of the rule's last span extends that span, any other starts a
 * new one. The spans go to spans[0..*n), in the order they were begun
 * (their first match's end; ties in rule order). When a text has more than
 * max spans, the scan stops at the one that does not fit, *truncated is
 * set, and the spans kept cover what was read up to there. The work is
 * linear in len: a hostile text that would make the checks around the
 * factors take more than a fixed number of steps per byte is cut the same
 * way, at the end of the last 8 KB chunk checked whole. VG_TOOBIG for a
 * text of 4 GB or more; VG_INTERNAL if vectorscan fails; VG_NOMEM. s is
 * left ready for the next text.
 */
int rules_match(const struct rules_db *db, struct rules_scratch *s, const char *text,
		size_t len, struct rules_span *spans, size_t max, size_t *n, bool *truncated);

#endif

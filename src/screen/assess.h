/*
 * assess.h - from matched indicators to the legal elements, the status
 * under the TVPA and the Palermo Protocol, the kinds, the typology and the
 * urgency (the rules are explained in docs/screening.md).
 *
 * Every matched indicator counts once, with its weight; an element is
 * present when the weights of its indicators add up to ASSESS_THRESHOLD, so
 * weak cues need company and negative weights (movement language) take
 * something away. Pure and cheap: no allocation.
 */
#ifndef VIGIL_ASSESS_H
#define VIGIL_ASSESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "screen/rules.h"

#define ASSESS_THRESHOLD 1.0

enum assess_status { ASSESS_NOT_INDICATED, ASSESS_POSSIBLE, ASSESS_LIKELY };
enum assess_urgency { ASSESS_ROUTINE, ASSESS_PRIORITY, ASSESS_CRISIS };
enum assess_framework { ASSESS_TVPA, ASSESS_PALERMO, ASSESS_FRAMEWORK_COUNT };

#define ASSESS_KIND_SEX 1u
#define ASSESS_KIND_LABOR 2u

/* The elements as read under one framework. */
struct assess_elements {
	bool act;
	bool act_implied;                /* a minor in commercial sex: the buyer's act (TVPA) */
	bool means;
	bool purpose[PURPOSE_COUNT];
	enum assess_status status;
};

struct assessment {
	struct assess_elements fw[ASSESS_FRAMEWORK_COUNT];
	bool minor;
	bool labor_exploitation;         /* under the framework given to assess_run() */
	unsigned kinds;                  /* ASSESS_KIND_* */
	uint64_t types;                  /* bit i: typology type i */
	uint32_t means_seen;             /* bit i: rules_means[i] has an indicator */
	enum assess_urgency urgency;
	double ad_score;                 /* sum of the ad.* weights */
};

/*
 * What assess_run() reads of one rule, made once for a rule set by
 * assess_table_fill() (sixteen bytes a rule: a struct rule is some 250, so
 * that each hit read a cache line of its own). The fields are private to
 * assess.c; callers only allocate and fill the table.
 */
struct assess_rule {
	double weight;
	uint32_t means_bit;              /* 1 << term for a means rule, else 0 */
	uint8_t sum[2];                  /* the sums the weight adds to */
	int8_t type;                     /* the typology type the rule names, -1 if none */
	uint8_t fits;                    /* the kinds (ASSESS_KIND_*) that name that type */
};

/* Fills table[0..r->count) from the rules; r->types must be complete. */
void assess_table_fill(const struct rules *r, struct assess_rule *table);

struct assess_input {
	const struct assess_rule *table; /* from assess_table_fill() */
	size_t count;                    /* entries of table */
	const uint32_t *hits;            /* indices of the matched rules, each once */
	size_t nhits;
	double min_age;                  /* youngest stated age, -1 when none */
	enum assess_framework framework; /* decides labor exploitation and priority */
};

void assess_run(const struct assess_input *in, struct assessment *out);

const char *assess_status_name(enum assess_status s);
const char *assess_urgency_name(enum assess_urgency u);

#endif

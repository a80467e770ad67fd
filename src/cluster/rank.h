/*
 * rank.h - which clusters and networks deserve a human look first, and why.
 *
 * The risk score of a group of ads (a template cluster or a network) is a
 * weighted mean of features, each read as a number x from 0 to 1:
 *
 *   an indicator category ("ad.reassurance", any name with a dot):
 *                 x = the share of the group's ads that showed it;
 *   age_under_18, age_under_23:
 *                 x = the share of ads stating an age under 18 (under 23);
 *   ads, cities, regions, phones, emails:
 *                 x = (v - 1) / (scale - 1), at most 1: one city gives 0,
 *                 `scale` cities or more give 1;
 *   posting_rate: x = ads per day / scale, at most 1;
 *
 *   risk = sum(weight * x) / sum(positive weights), cut to [0, 1].
 *
 * The weights, scales, labels and the source of each weight are data
 * (data/ads/weights.tsv, docs/ads.md): they follow the research in
 * indicators.md, so movement language and a stated age under 23 weigh 0.
 * Groups in which any ad states an age under 18 are ranked before all
 * others, then by risk, then by size. The explanation ("why") lists every
 * feature present, the heaviest first, with what it added.
 *
 * Pure: parsing is from a buffer (the caller reads the file).
 */
#ifndef VIGIL_RANK_H
#define VIGIL_RANK_H

#include <stddef.h>
#include <stdint.h>

#include "cluster/index.h"

#define RANK_FEATURES_MAX 32
#define RANK_NAME_MAX 48
#define RANK_LABEL_MAX 96
#define RANK_WHY_LEN 200

enum rank_kind {
	RANK_CATEGORY,   /* share of ads with an indicator category */
	RANK_UNDER_18,
	RANK_UNDER_23,
	RANK_ADS,
	RANK_CITIES,
	RANK_REGIONS,
	RANK_PHONES,
	RANK_EMAILS,
	RANK_RATE,
};

struct rank_feature {
	char name[RANK_NAME_MAX];
	enum rank_kind kind;
	double weight;
	double scale;
	char label[RANK_LABEL_MAX];
};

struct rank_weights {
	struct rank_feature f[RANK_FEATURES_MAX];
	size_t n;
	double positive; /* the sum of the positive weights */
};

/*
 * Parses weights.tsv: comments (#) and blank lines, a header row
 * "feature<TAB>weight<TAB>scale<TAB>label<TAB>source", then one row per
 * feature. Every feature name appears once; weights are from -10 to 10,
 * scales above 1 for counts and above 0 for rates, the source not empty.
 * VG_INVAL with "weights.tsv:LINE: what" in err (name is the file name).
 */
int rank_weights_parse(const char *name, const char *text, size_t len, struct rank_weights *w,
		       char *err, size_t errsize);

/* What is known of a group. */
struct rank_stats {
	uint32_t ads;
	uint32_t clusters;                /* template clusters (1 for a cluster) */
	uint32_t cities, regions, phones, emails;
	int64_t first, last;              /* posting times, or INDEX_NO_TIME */
	uint32_t under18, under23;        /* ads stating such an age */
	int youngest;                     /* the youngest stated age, or -1 */
	uint32_t cat_ads[INDEX_CATS_MAX]; /* ads showing each category of the index */
	const struct intern *cats;        /* the index's category names */
};

/* The posting rate of a group: ads per day over its span, at least one day. */
double rank_rate(const struct rank_stats *s);

struct rank_result {
	double risk;
	size_t n_why;
	char why[RANK_FEATURES_MAX][RANK_WHY_LEN];
};

void rank_score(const struct rank_weights *w, const struct rank_stats *s, struct rank_result *out);

/*
 * The risk rank_score() gives, bit for bit, without writing the reasons:
 * for ranking many groups of which only the written ones need them.
 */
double rank_risk(const struct rank_weights *w, const struct rank_stats *s);

/* Orders groups: any stated age under 18 first, then higher risk, then more ads. */
int rank_compare(const struct rank_stats *a, double risk_a, const struct rank_stats *b,
		 double risk_b);

#endif

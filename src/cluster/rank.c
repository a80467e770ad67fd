#include "base/compat.h"
#include "cluster/rank.h"

#include <math.h> /* isfinite, a macro: no libm */

static const struct {
	const char *name;
	enum rank_kind kind;
} plain[] = {
	{"age_under_18", RANK_UNDER_18},
	{"age_under_23", RANK_UNDER_23},
	{"ads", RANK_ADS},
	{"cities", RANK_CITIES},
	{"regions", RANK_REGIONS},
	{"phones", RANK_PHONES},
	{"emails", RANK_EMAILS},
	{"posting_rate", RANK_RATE},
};

#define FIELDS 5

static double at_most_one(double x)
{
	return x < 1.0 ? x : 1.0;
}

/* Splits line (len bytes) at tabs into at most FIELDS fields; returns how many. */
static size_t split_tabs(const char *line, size_t len, const char *f[FIELDS], size_t flen[FIELDS])
{
	size_t n = 0, start = 0, i;

	for (i = 0; i <= len; i++) {
		if (i < len && line[i] != '\t')
			continue;
		if (n == FIELDS)
			return FIELDS + 1;
		f[n] = line + start;
		flen[n] = i - start;
		n++;
		start = i + 1;
	}
	return n;
}

static int number(const char *s, size_t len, double *out)
{
	char buf[32], *end;
	double v;

	if (!len || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	v = strtod(buf, &end);
	if (errno || *end || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

/* Fills in one feature from a row's fields; returns a message, or NULL when it is good. */
static const char *feature_row(struct rank_weights *w, const char *f[FIELDS], size_t flen[FIELDS])
{
	struct rank_feature *ft = &w->f[w->n];
	size_t i;

	if (!flen[0] || flen[0] >= RANK_NAME_MAX)
		return "the feature name is empty or too long";
	memcpy(ft->name, f[0], flen[0]);
	ft->name[flen[0]] = '\0';
	for (i = 0; i < w->n; i++)
		if (!strcmp(w->f[i].name, ft->name))
			return "the feature is listed twice";
	if (memchr(f[0], '.', flen[0])) {
		ft->kind = RANK_CATEGORY;
	} else {
		for (i = 0; i < ARRAY_SIZE(plain) && strcmp(plain[i].name, ft->name); i++)
			;
		if (i == ARRAY_SIZE(plain))
			return "unknown feature (an indicator category such as ad.reassurance, or "
			       "age_under_18, age_under_23, ads, cities, regions, phones, emails, "
			       "posting_rate)";
		ft->kind = plain[i].kind;
	}
	if (number(f[1], flen[1], &ft->weight) || ft->weight < -10 || ft->weight > 10)
		return "the weight must be a number from -10 to 10";
	if (number(f[2], flen[2], &ft->scale))
		return "the scale must be a number";
	if (ft->kind >= RANK_ADS && ft->kind <= RANK_EMAILS && ft->scale <= 1)
		return "the scale of a count must be above 1";
	if (ft->kind == RANK_RATE && ft->scale <= 0)
		return "the scale of a rate must be above 0";
	if (!flen[3] || flen[3] >= RANK_LABEL_MAX)
		return "the label is empty or too long";
	memcpy(ft->label, f[3], flen[3]);
	ft->label[flen[3]] = '\0';
	if (!flen[4])
		return "every weight needs its source";
	return NULL;
}

int rank_weights_parse(const char *name, const char *text, size_t len, struct rank_weights *w,
		       char *err, size_t errsize)
{
	static const char header[] = "feature\tweight\tscale\tlabel\tsource";
	size_t pos = 0, lineno = 0, i;
	int seen_header = 0;

	memset(w, 0, sizeof(*w));
	while (pos < len) {
		const char *line = text + pos, *nl = memchr(line, '\n', len - pos), *f[FIELDS], *msg;
		size_t llen = nl ? (size_t)(nl - line) : len - pos, flen[FIELDS];

		pos += llen + (nl != NULL);
		lineno++;
		if (llen && line[llen - 1] == '\r')
			llen--;
		if (!llen || line[0] == '#')
			continue;
		if (!seen_header) {
			if (llen != sizeof(header) - 1 || memcmp(line, header, llen)) {
				snprintf(err, errsize, "%s:%zu: the header must be \"feature, weight, "
					 "scale, label, source\", tab-separated", name, lineno);
				return VG_INVAL;
			}
			seen_header = 1;
			continue;
		}
		if (split_tabs(line, llen, f, flen) != FIELDS) {
			snprintf(err, errsize, "%s:%zu: a row has 5 tab-separated fields", name, lineno);
			return VG_INVAL;
		}
		if (w->n == RANK_FEATURES_MAX) {
			snprintf(err, errsize, "%s:%zu: more than %d features", name, lineno,
				 RANK_FEATURES_MAX);
			return VG_INVAL;
		}
		msg = feature_row(w, f, flen);
		if (msg) {
			snprintf(err, errsize, "%s:%zu: %s", name, lineno, msg);
			return VG_INVAL;
		}
		w->n++;
	}
	if (!seen_header) {
		snprintf(err, errsize, "%s: no header row", name);
		return VG_INVAL;
	}
	for (i = 0; i < w->n; i++)
		if (w->f[i].weight > 0)
			w->positive += w->f[i].weight;
	return VG_OK;
}

double rank_rate(const struct rank_stats *s)
{
	double days = 1;

	if (s->first != INDEX_NO_TIME && s->last != INDEX_NO_TIME && s->last - s->first > 86400)
		days = (double)(s->last - s->first) / 86400.0;
	return s->ads / days;
}

/* The count behind a feature of kind k. */
static uint32_t count_of(const struct rank_stats *s, enum rank_kind k)
{
	switch (k) {
	case RANK_ADS: return s->ads;
	case RANK_CITIES: return s->cities;
	case RANK_REGIONS: return s->regions;
	case RANK_PHONES: return s->phones;
	default: return s->emails;
	}
}

struct reason {
	double contribution;
	int first; /* 1: shown before everything else */
	char text[RANK_WHY_LEN];
};

static int cmp_reason(const void *a, const void *b)
{
	const struct reason *x = a, *y = b;
	double ax = x->contribution < 0 ? -x->contribution : x->contribution;
	double ay = y->contribution < 0 ? -y->contribution : y->contribution;

	if (x->first != y->first)
		return y->first - x->first;
	return ax < ay ? 1 : ax > ay ? -1 : strcmp(x->text, y->text);
}

/* "+0.083", or "weight 0, not counted". */
static void effect(char *buf, size_t size, double weight, double contribution)
{
	if (weight == 0)
		snprintf(buf, size, "weight 0, not counted");
	else
		snprintf(buf, size, "%+.3f", contribution);
}

/* Feature f's x (0 to 1) for s, and in *have the ads that showed it, for the reason. */
static double feature_x(const struct rank_feature *f, const struct rank_stats *s, uint32_t *have)
{
	uint32_t v;

	*have = 0;
	switch (f->kind) {
	case RANK_CATEGORY: {
		uint32_t bit = s->cats ? intern_find(s->cats, f->name, strlen(f->name)) : INTERN_NONE;

		*have = bit == INTERN_NONE ? 0 : s->cat_ads[bit];
		return s->ads ? (double)*have / s->ads : 0;
	}
	case RANK_UNDER_18:
	case RANK_UNDER_23:
		*have = f->kind == RANK_UNDER_18 ? s->under18 : s->under23;
		return s->ads ? (double)*have / s->ads : 0;
	case RANK_RATE:
		return at_most_one(rank_rate(s) / f->scale);
	default:
		v = count_of(s, f->kind);
		return v > 1 ? at_most_one((v - 1) / (f->scale - 1)) : 0;
	}
}

/* The risk of a sum of weight times x: the same steps for rank_risk() and rank_score(). */
static double risk_of(const struct rank_weights *w, double sum)
{
	double risk = w->positive > 0 ? sum / w->positive : 0;

	return risk < 0 ? 0 : risk > 1 ? 1 : risk;
}

double rank_risk(const struct rank_weights *w, const struct rank_stats *s)
{
	size_t i;
	double sum = 0;

	for (i = 0; i < w->n; i++) {
		uint32_t have;
		double x = feature_x(&w->f[i], s, &have);

		if (x > 0)
			sum += w->f[i].weight * x;
	}
	return risk_of(w, sum);
}

void rank_score(const struct rank_weights *w, const struct rank_stats *s, struct rank_result *out)
{
	struct reason r[RANK_FEATURES_MAX];
	size_t n = 0, i;
	double sum = 0;

	for (i = 0; i < w->n; i++) {
		const struct rank_feature *f = &w->f[i];
		struct reason *rs = &r[n];
		uint32_t have;
		double x = feature_x(f, s, &have);
		char eff[32];

		if (x <= 0)
			continue;
		rs->contribution = w->positive > 0 ? f->weight * x / w->positive : 0;
		rs->first = f->kind == RANK_UNDER_18;
		sum += f->weight * x;
		effect(eff, sizeof(eff), f->weight, rs->contribution);
		switch (f->kind) {
		case RANK_CATEGORY:
		case RANK_UNDER_23:
			snprintf(rs->text, sizeof(rs->text), "%s in %" PRIu32 " of %" PRIu32 " ads: %s",
				 f->label, have, s->ads, eff);
			break;
		case RANK_UNDER_18:
			snprintf(rs->text, sizeof(rs->text),
				 "%s in %" PRIu32 " of %" PRIu32 " ads (youngest %d): ranked first, %s",
				 f->label, have, s->ads, s->youngest, eff);
			break;
		case RANK_RATE:
			snprintf(rs->text, sizeof(rs->text), "%s: %.1f: %s", f->label, rank_rate(s), eff);
			break;
		default:
			snprintf(rs->text, sizeof(rs->text), "%s: %" PRIu32 ": %s", f->label,
				 count_of(s, f->kind), eff);
			break;
		}
		n++;
	}
	qsort(r, n, sizeof(*r), cmp_reason);
	out->risk = risk_of(w, sum);
	out->n_why = n;
	for (i = 0; i < n; i++)
		memcpy(out->why[i], r[i].text, sizeof(r[i].text));
}

int rank_compare(const struct rank_stats *a, double risk_a, const struct rank_stats *b,
		 double risk_b)
{
	if ((a->under18 > 0) != (b->under18 > 0))
		return a->under18 > 0 ? -1 : 1;
	if (risk_a != risk_b)
		return risk_a > risk_b ? -1 : 1;
	if (a->ads != b->ads)
		return a->ads > b->ads ? -1 : 1;
	return 0;
}

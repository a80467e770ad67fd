/*
 * groups.h - the ads of each template cluster or network, and what is
 * known of a group (for rank.h).
 *
 * A grouping is given as root_of[a] for every ad a: its group's first ad
 * (a flattened union-find, as index_flatten() and networks_build() leave
 * them). groups_build() lists each group's ads in order, so that the ads
 * of the group whose first ad is r are ads[start[r] .. start[r + 1]).
 *
 * Pure; the memory is the caller's to release.
 */
#ifndef VIGIL_GROUPS_H
#define VIGIL_GROUPS_H

#include <stddef.h>
#include <stdint.h>

#include "cluster/index.h"
#include "cluster/rank.h"

struct groups {
	uint32_t *start; /* n + 1 entries, by first ad */
	uint32_t *ads;   /* n entries */
	size_t n;
};

/* VG_NOMEM. root_of[a] <= a and root_of[root_of[a]] == root_of[a] (asserted). */
int groups_build(const uint32_t *root_of, size_t n, struct groups *g);
void groups_release(struct groups *g);

static inline size_t groups_size(const struct groups *g, uint32_t root)
{
	return g->start[root + 1] - g->start[root];
}

static inline const uint32_t *groups_ads(const struct groups *g, uint32_t root)
{
	return g->ads + g->start[root];
}

/* Scratch space for groups_stats() and groups_contacts(), reused between calls. */
struct groups_scratch {
	uint32_t *v;
	size_t cap;
};

void groups_scratch_release(struct groups_scratch *s);

/*
 * What is known of the n ads: counts, distinct cities, regions, phones,
 * emails and clusters (cluster_of as in the index, flattened), times, ages
 * and categories. VG_NOMEM.
 */
int groups_stats(const struct ads_index *x, const uint32_t *ads, size_t n,
		 struct groups_scratch *s, struct rank_stats *out);

/*
 * The distinct contacts of the n ads, phones first and then emails, each
 * in the index's order; *out points into the scratch, valid until its next
 * use. VG_NOMEM.
 */
int groups_contacts(const struct ads_index *x, const uint32_t *ads, size_t n,
		    struct groups_scratch *s, const uint32_t **out, size_t *count);

/*
 * The distinct places of the n ads, in the index's order, as groups_contacts().
 */
int groups_places(const struct ads_index *x, const uint32_t *ads, size_t n,
		  struct groups_scratch *s, const uint32_t **out, size_t *count);

#endif

#include "base/compat.h"
#include "cluster/network.h"

#include "cluster/unionfind.h"

/* The ads of each contact: ads[start[c] .. start[c + 1]). */
struct by_contact {
	uint32_t *start;
	uint32_t *ads;
};

static int by_contact_build(const struct ads_index *x, struct by_contact *bc)
{
	size_t nc = x->contacts.n, i, pairs = x->n_extra;
	uint32_t *fill = NULL;

	for (i = 0; i < x->n; i++)
		pairs += x->contact[i] != INDEX_NONE;
	bc->start = calloc(nc + 1, sizeof(*bc->start));
	bc->ads = malloc((pairs ? pairs : 1) * sizeof(*bc->ads));
	fill = malloc((nc ? nc : 1) * sizeof(*fill));
	if (!bc->start || !bc->ads || !fill) {
		free(fill);
		return VG_NOMEM;
	}
	for (i = 0; i < x->n; i++)
		if (x->contact[i] != INDEX_NONE)
			bc->start[x->contact[i] + 1]++;
	for (i = 0; i < x->n_extra; i++)
		bc->start[x->extra[i].contact + 1]++;
	for (i = 0; i < nc; i++)
		bc->start[i + 1] += bc->start[i];
	memcpy(fill, bc->start, nc * sizeof(*fill));
	/* Ads in increasing order within each contact: firsts, then extras by ad. */
	for (i = 0; i < x->n; i++)
		if (x->contact[i] != INDEX_NONE)
			bc->ads[fill[x->contact[i]]++] = (uint32_t)i;
	for (i = 0; i < x->n_extra; i++)
		bc->ads[fill[x->extra[i].contact]++] = x->extra[i].ad;
	free(fill);
	return VG_OK;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorts v and keeps each value once; returns how many remain. */
static size_t sort_unique(uint32_t *v, size_t n)
{
	size_t i, k = 0;

	qsort(v, n, sizeof(*v), cmp_u32);
	for (i = 0; i < n; i++)
		if (!k || v[i] != v[k - 1])
			v[k++] = v[i];
	return k;
}

/* Whether ad a gives a specific contact other than c. */
static int other_specific(const struct ads_index *x, const uint8_t *specific, uint32_t a, size_t c)
{
	size_t j;

	if (x->contact[a] != c && specific[x->contact[a]])
		return 1;
	for (j = index_extra(x, a); j < x->n_extra && x->extra[j].ad == a; j++)
		if (x->extra[j].contact != c && specific[x->extra[j].contact])
			return 1;
	return 0;
}

int networks_build(const struct ads_index *x, unsigned guard, struct networks *out)
{
	struct by_contact bc = {0};
	struct uf net;
	uint8_t *specific = NULL;
	uint32_t *tmp = NULL;
	struct network_generic *gen = NULL;
	size_t n_gen = 0, cap_gen = 0, c, i, longest = 0;
	int rc;

	assert(guard >= 1);
	uf_init(&net);
	rc = by_contact_build(x, &bc);
	if (rc)
		goto out;
	for (c = 0; c < x->contacts.n; c++)
		if (bc.start[c + 1] - bc.start[c] > longest)
			longest = bc.start[c + 1] - bc.start[c];
	tmp = malloc((longest ? longest : 1) * sizeof(*tmp));
	specific = calloc(x->contacts.n ? x->contacts.n : 1, 1);
	rc = uf_reserve(&net, x->n ? x->n : 1);
	if (rc || !tmp || !specific) {
		rc = rc ? rc : VG_NOMEM;
		goto out;
	}
	/* Networks start as the template clusters. */
	net.n = x->n;
	if (x->n)
		memcpy(net.parent, x->tpl.parent, x->n * sizeof(*net.parent));

	/* 1. Specific contacts, in few clusters, join them. */
	for (c = 0; c < x->contacts.n; c++) {
		const uint32_t *ads = bc.ads + bc.start[c];
		size_t n = bc.start[c + 1] - bc.start[c];

		for (i = 0; i < n; i++)
			tmp[i] = x->tpl.parent[ads[i]];
		if (sort_unique(tmp, n) > guard)
			continue;
		specific[c] = 1;
		for (i = 1; i < n; i++)
			uf_union(&net, ads[0], ads[i]);
	}
	/*
	 * 2. Widespread ones join too, unless they are shared by more than
	 * guard posters who each give a specific number of their own.
	 */
	for (c = 0; c < x->contacts.n; c++) {
		const uint32_t *ads = bc.ads + bc.start[c];
		size_t n = bc.start[c + 1] - bc.start[c], k = 0, u;

		if (specific[c] || !n)
			continue;
		for (i = 0; i < n; i++)
			if (other_specific(x, specific, ads[i], c))
				tmp[k++] = uf_find(&net, ads[i]);
		u = sort_unique(tmp, k);
		if (u > guard) {
			if (n_gen == cap_gen) {
				size_t cap = cap_gen ? cap_gen * 2 : 16;
				struct network_generic *g = realloc(gen, cap * sizeof(*g));

				if (!g) {
					rc = VG_NOMEM;
					goto out;
				}
				gen = g;
				cap_gen = cap;
			}
			gen[n_gen].contact = (uint32_t)c;
			gen[n_gen].networks = (uint32_t)u;
			gen[n_gen].ads = (uint32_t)n;
			n_gen++;
			continue;
		}
		for (i = 1; i < n; i++)
			uf_union(&net, ads[0], ads[i]);
	}
	/* Flatten: a parent is never after its child, so one pass in order will do. */
	for (i = 0; i < x->n; i++)
		net.parent[i] = net.parent[net.parent[i]];
	out->of = net.parent;
	out->generic = gen;
	out->n_generic = n_gen;
	uf_init(&net);
	gen = NULL;
out:
	uf_release(&net);
	free(gen);
	free(tmp);
	free(specific);
	free(bc.start);
	free(bc.ads);
	return rc;
}

void networks_release(struct networks *nw)
{
	free(nw->of);
	free(nw->generic);
	nw->of = NULL;
	nw->generic = NULL;
	nw->n_generic = 0;
}

#include "base/compat.h"
#include "cluster/groups.h"

int groups_build(const uint32_t *root_of, size_t n, struct groups *g)
{
	size_t i;

	g->n = n;
	g->start = calloc(n + 1, sizeof(*g->start));
	g->ads = malloc((n ? n : 1) * sizeof(*g->ads));
	if (!g->start || !g->ads) {
		groups_release(g);
		return VG_NOMEM;
	}
	/* Count into start[root + 1], sum, then place with start[root] as the cursor. */
	for (i = 0; i < n; i++) {
		assert(root_of[i] <= i && root_of[root_of[i]] == root_of[i]);
		g->start[root_of[i] + 1]++;
	}
	for (i = 0; i < n; i++)
		g->start[i + 1] += g->start[i];
	for (i = 0; i < n; i++)
		g->ads[g->start[root_of[i]]++] = (uint32_t)i;
	/* The cursors now sit at each group's end: shift them back by one group. */
	for (i = n; i > 0; i--)
		g->start[i] = g->start[i - 1];
	g->start[0] = 0;
	return VG_OK;
}

void groups_release(struct groups *g)
{
	free(g->start);
	free(g->ads);
	g->start = g->ads = NULL;
	g->n = 0;
}

void groups_scratch_release(struct groups_scratch *s)
{
	free(s->v);
	s->v = NULL;
	s->cap = 0;
}

static int room(struct groups_scratch *s, size_t need)
{
	uint32_t *v;
	size_t cap = s->cap ? s->cap : 256;

	if (need <= s->cap)
		return VG_OK;
	while (cap < need)
		cap *= 2;
	v = realloc(s->v, cap * sizeof(*v));
	if (!v)
		return VG_NOMEM;
	s->v = v;
	s->cap = cap;
	return VG_OK;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static size_t sort_unique(uint32_t *v, size_t n)
{
	size_t i, k = 0;

	qsort(v, n, sizeof(*v), cmp_u32);
	for (i = 0; i < n; i++)
		if (!k || v[i] != v[k - 1])
			v[k++] = v[i];
	return k;
}

int groups_contacts(const struct ads_index *x, const uint32_t *ads, size_t n,
		    struct groups_scratch *s, const uint32_t **out, size_t *count)
{
	size_t k = 0, i, j, phones = 0, total;
	uint32_t *v;
	int rc;

	for (i = 0; i < n; i++) {
		if (x->contact[ads[i]] == INDEX_NONE)
			continue;
		for (j = index_extra(x, ads[i]); j < x->n_extra && x->extra[j].ad == ads[i]; j++)
			k++;
		k++;
	}
	rc = room(s, 2 * k + 1);
	if (rc)
		return rc;
	v = s->v;
	k = 0;
	for (i = 0; i < n; i++) {
		if (x->contact[ads[i]] == INDEX_NONE)
			continue;
		v[k++] = x->contact[ads[i]];
		for (j = index_extra(x, ads[i]); j < x->n_extra && x->extra[j].ad == ads[i]; j++)
			v[k++] = x->extra[j].contact;
	}
	total = sort_unique(v, k);
	/* Phones (E.164, "+...") first, then emails, each kept in order. */
	for (i = 0; i < total; i++)
		if (intern_str(&x->contacts, v[i])[0] == '+')
			v[total + phones++] = v[i];
	for (i = 0, j = phones; i < total; i++)
		if (intern_str(&x->contacts, v[i])[0] != '+')
			v[total + j++] = v[i];
	*out = v + total;
	*count = total;
	return VG_OK;
}

int groups_places(const struct ads_index *x, const uint32_t *ads, size_t n,
		  struct groups_scratch *s, const uint32_t **out, size_t *count)
{
	size_t i;
	int rc = room(s, n + 1);

	if (rc)
		return rc;
	for (i = 0; i < n; i++)
		s->v[i] = x->place[ads[i]];
	*count = sort_unique(s->v, n);
	*out = s->v;
	return VG_OK;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int groups_stats(const struct ads_index *x, const uint32_t *ads, size_t n,
		 struct groups_scratch *s, struct rank_stats *out)
{
	const uint32_t *list;
	const char **regions = NULL;
	size_t count, i, k;
	int rc;

	memset(out, 0, sizeof(*out));
	out->ads = (uint32_t)n;
	out->first = out->last = INDEX_NO_TIME;
	out->youngest = -1;
	out->cats = &x->cats;
	for (i = 0; i < n; i++) {
		uint32_t a = ads[i];
		unsigned b;

		if (x->posted[a] != INDEX_NO_TIME) {
			if (out->first == INDEX_NO_TIME || x->posted[a] < out->first)
				out->first = x->posted[a];
			if (out->last == INDEX_NO_TIME || x->posted[a] > out->last)
				out->last = x->posted[a];
		}
		if (x->age[a] != INDEX_NO_AGE) {
			out->under18 += x->age[a] < 18;
			out->under23 += x->age[a] < 23;
			if (out->youngest < 0 || x->age[a] < out->youngest)
				out->youngest = x->age[a];
		}
		for (b = 0; b < INDEX_CATS_MAX; b++)
			out->cat_ads[b] += (x->catbits[a] >> b) & 1;
	}
	rc = room(s, n + 1);
	if (rc)
		return rc;
	for (i = 0; i < n; i++)
		s->v[i] = x->tpl.parent[ads[i]];
	out->clusters = (uint32_t)sort_unique(s->v, n);
	rc = groups_contacts(x, ads, n, s, &list, &count);
	if (rc)
		return rc;
	for (i = 0; i < count; i++) {
		if (intern_str(&x->contacts, list[i])[0] == '+')
			out->phones++;
		else
			out->emails++;
	}
	rc = groups_places(x, ads, n, s, &list, &count);
	if (rc)
		return rc;
	regions = malloc((count ? count : 1) * sizeof(*regions));
	if (!regions)
		return VG_NOMEM;
	for (i = k = 0; i < count; i++) {
		const char *city, *region;
		size_t clen;

		index_place(x, list[i], &city, &clen, &region);
		out->cities += clen > 0;
		if (region[0])
			regions[k++] = region;
	}
	qsort(regions, k, sizeof(*regions), cmp_str);
	for (i = 0; i < k; i++)
		out->regions += !i || strcmp(regions[i], regions[i - 1]);
	free(regions);
	return VG_OK;
}

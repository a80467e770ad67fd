#include "base/compat.h"
#include "cluster/unionfind.h"
#include "base/hugepage.h"

void uf_init(struct uf *u)
{
	u->parent = NULL;
	u->n = 0;
	u->cap = 0;
}

void uf_release(struct uf *u)
{
	free(u->parent);
	uf_init(u);
}

int uf_reserve(struct uf *u, size_t n)
{
	uint32_t *p;

	if (n > UF_MAX)
		return VG_TOOBIG;
	if (n <= u->cap)
		return VG_OK;
	p = realloc(u->parent, n * sizeof(*p));
	if (!p)
		return VG_NOMEM;
	u->parent = p;
	u->cap = n;
	hugepage_advise(p, n * sizeof(*p));
	return VG_OK;
}

int uf_add(struct uf *u)
{
	int rc;

	if (u->n == u->cap) {
		rc = uf_reserve(u, u->cap ? u->cap + u->cap / 2 : 1024);
		if (rc == VG_TOOBIG && u->n < UF_MAX)
			rc = uf_reserve(u, UF_MAX);
		if (rc)
			return rc;
	}
	u->parent[u->n] = (uint32_t)u->n;
	u->n++;
	return VG_OK;
}

uint32_t uf_find(struct uf *u, uint32_t x)
{
	uint32_t *p = u->parent;

	assert(x < u->n);
	while (p[x] != x) {
		p[x] = p[p[x]];
		x = p[x];
	}
	return x;
}

uint32_t uf_union(struct uf *u, uint32_t a, uint32_t b)
{
	a = uf_find(u, a);
	b = uf_find(u, b);
	if (a == b)
		return a;
	if (a < b) {
		u->parent[b] = a;
		return a;
	}
	u->parent[a] = b;
	return b;
}

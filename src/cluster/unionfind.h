/*
 * unionfind.h - disjoint sets over 0 .. n-1 (union-find), for clusters of
 * ads.
 *
 * The root of a set is always its smallest member: a union links the root
 * with the larger index under the other. So the name of a cluster (its
 * first ad) is stable as ads are added, and changes only when two clusters
 * merge, to the older one's. Finds halve their path as they go, so a find
 * changes the parent array (never the sets).
 *
 * Caller-owned: uf_init() allocates nothing; elements are added one at a
 * time and the array grows by half its size when full.
 */
#ifndef VIGIL_UNIONFIND_H
#define VIGIL_UNIONFIND_H

#include <stddef.h>
#include <stdint.h>

/* The most elements a set may hold: indices fit in uint32_t. */
#define UF_MAX ((size_t)UINT32_MAX - 1)

struct uf {
	uint32_t *parent;
	size_t n;
	size_t cap;
};

void uf_init(struct uf *u);
void uf_release(struct uf *u);

/* Makes room for n elements in all without adding any. VG_NOMEM, VG_TOOBIG. */
int uf_reserve(struct uf *u, size_t n);

/* Adds element u->n as a set of its own. VG_NOMEM, VG_TOOBIG past UF_MAX. */
int uf_add(struct uf *u);

/* The root (smallest member) of x's set. */
uint32_t uf_find(struct uf *u, uint32_t x);

/* Joins the sets of a and b; returns the root of the joined set. */
uint32_t uf_union(struct uf *u, uint32_t a, uint32_t b);

#endif

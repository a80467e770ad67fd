#include "base/compat.h"
#include "screen/rules_impl.h"

/*
 * The phase-one strings (rules_impl.h, phase1_build()): the distinct
 * factor strings of every branch, those that contain no other looked for
 * by the scanner (rules_scan.c), and the others riding on them.
 */

static int p1lit_cmp(const void *a, const void *b)
{
	const struct p1lit *x = a, *y = b;
	int d;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	d = memcmp(x->s, y->s, x->len);
	if (d)
		return d;
	return x->branch < y->branch ? -1 : x->branch > y->branch;
}

/* A string to look for among the distinct factor strings, with bsearch(). */
struct p1key {
	const char *s;
	size_t len;
};

static int p1key_cmp(const void *key, const void *elem)
{
	const struct p1key *k = key;
	const struct p1lit *l = *(const struct p1lit *const *)elem;

	if (k->len != l->len)
		return k->len < l->len ? -1 : 1;
	return memcmp(k->s, l->s, k->len);
}

/*
 * Finds, for the distinct string u[b], the longest of the strings u[0..b)
 * marked kept that it contains (the first of them, at the first offset,
 * when several are as long). u is in p1lit_cmp() order, so every shorter
 * string comes before u[b]. Returns its index, or -1, and its offset.
 */
static long p1_contained(struct p1lit *const *u, size_t b, const bool *kept, size_t *off)
{
	const struct p1lit *big = u[b];

	for (size_t l = big->len - 1; l > 0; l--) {
		for (size_t o = 0; o + l <= big->len; o++) {
			struct p1key k = { big->s + o, l };
			struct p1lit *const *hit = bsearch(&k, u, b, sizeof(*u), p1key_cmp);

			if (hit && kept[hit - u]) {
				*off = o;
				return (long)(hit - u);
			}
		}
	}
	return -1;
}

/* Those that go on past their host's end first (struct target), then by target. */
static int rider_cmp(const void *a, const void *b)
{
	const struct rider *x = a, *y = b;
	bool xa = x->lit.len > x->back, ya = y->lit.len > y->back;

	if (xa != ya)
		return xa ? -1 : 1;
	return x->target < y->target ? -1 : x->target > y->target;
}

/* Sets db->rkey[r] and db->rmask[r] from the rider's string (see RKEY_PAD). */
static void rkey_make(struct rules_db *db, uint32_t r, uint32_t hostlen)
{
	const struct rider *rd = &db->riders[r];
	const unsigned char *str = (const unsigned char *)db->litbuf + rd->lit.off;
	uint16_t key = 0, mask = 0;

	for (uint32_t i = 0; i < 2; i++) {
		uint32_t at;

		if (rd->lit.len > rd->back) {
			at = rd->back + i;
			if (at >= rd->lit.len)
				break;
		} else {
			at = rd->back - hostlen;
			if (at < i + 1)
				break;
			at -= i + 1;
		}
		key |= (uint16_t)(str[at] << (8 * i));
		mask |= (uint16_t)(0xff << (8 * i));
	}
	db->rkey[r] = key;
	db->rmask[r] = mask;
}

/*
 * Puts each host's riders in the order struct target says, and makes their
 * keys; VG_NOMEM. The padding's key is 1 and its mask 0: it never matches.
 */
static int riders_order(struct rules_db *db)
{
	db->rkey = malloc((db->nriders + RKEY_PAD) * sizeof(*db->rkey));
	db->rmask = malloc((db->nriders + RKEY_PAD) * sizeof(*db->rmask));
	if (!db->rkey || !db->rmask)
		return VG_NOMEM;
	for (size_t b = 0; b < db->nlit1; b++) {
		const struct target *tg = &db->p1[b];

		qsort(db->riders + tg->rider, tg->nriders, sizeof(*db->riders), rider_cmp);
		for (uint32_t r = tg->rider; r < tg->rider + tg->nriders; r++)
			rkey_make(db, r, tg->len);
	}
	for (size_t r = db->nriders; r < db->nriders + RKEY_PAD; r++) {
		db->rkey[r] = 1;
		db->rmask[r] = 0;
	}
	return VG_OK;
}

/*
 * The phase-one strings, for the scanner (rules_scan.c), matched byte for
 * byte: the normalised text is lower case and the strings are too.
 *
 * A factor string that contains another ("took her passport" and
 * "passport", "sells" and "sell") is found wherever the shorter one is:
 * a literal matcher slows with every string it holds (vectorscan read
 * 3,217 strings at 250 MB/s, the 1,753 that contain no other at 365), so
 * only the strings that contain no other are looked for, and each of the
 * others rides on the longest of them that it contains, at the first
 * place it contains it. Where that one is found, the rider is compared
 * with the text around it. Every place the rider is, the string it rides
 * on is, at that offset, and is found: no place is missed, and none is
 * found twice. A rider can end after the chunk its string was found in;
 * its matches end there too, and wait in s->pend like any match that ends
 * past the chunk.
 */
int phase1_build(struct rules_db *db, struct p1lit *p1, size_t np1, const struct rules *rs)
{
	const char **exprs = NULL;
	size_t *lens = NULL, *order = NULL, *offs = NULL;
	struct p1lit **u = NULL;
	struct target *sorted = NULL;
	long *host = NULL;
	bool *kept = NULL;
	size_t cap = 0, nu, k;
	int rc = VG_NOMEM;

	qsort(p1, np1, sizeof(*p1), p1lit_cmp);
	db->targets = malloc(np1 * sizeof(*db->targets));
	u = malloc(np1 * sizeof(*u));
	if (!db->targets || !u)
		goto out;
	for (size_t i = 0; i < np1; i++) {
		const struct p1lit *l = &p1[i];

		if (!i || l->len != p1[i - 1].len || memcmp(l->s, p1[i - 1].s, l->len)) {
			if (array_grow(&db->p1, &cap, db->np1 + 1, sizeof(*db->p1)))
				goto out;
			memset(&db->p1[db->np1], 0, sizeof(*db->p1));
			db->p1[db->np1].first = (uint32_t)db->ntargets;
			db->p1[db->np1].len = l->len;
			u[db->np1] = &p1[i];
			db->np1++;
		}
		db->p1[db->np1 - 1].count++;
		db->targets[db->ntargets++] = l->branch;
	}
	nu = db->np1;
	kept = calloc(nu, sizeof(*kept));
	host = malloc(nu * sizeof(*host));
	offs = malloc(nu * sizeof(*offs));
	order = malloc(nu * sizeof(*order));
	sorted = malloc(nu * sizeof(*sorted));
	exprs = malloc(nu * sizeof(*exprs));
	lens = malloc(nu * sizeof(*lens));
	if (!kept || !host || !offs || !order || !sorted || !exprs || !lens)
		goto out;
	for (size_t b = 0; b < nu; b++) {
		host[b] = p1_contained(u, b, kept, &offs[b]);
		kept[b] = host[b] < 0;
	}
	/*
	 * The kept strings become ids 0.. of the scanner, each followed in
	 * db->riders by the strings that ride on it; the riders' targets
	 * come after all the kept ones.
	 */
	k = 0;
	for (size_t b = 0; b < nu; b++) {
		if (kept[b])
			order[b] = k++;
	}
	db->nlit1 = k;
	for (size_t b = 0; b < nu; b++) {
		if (!kept[b])
			order[b] = k++;
	}
	for (size_t b = 0; b < nu; b++)
		sorted[order[b]] = db->p1[b];
	memcpy(db->p1, sorted, nu * sizeof(*sorted));
	db->riders = malloc((nu - db->nlit1) * sizeof(*db->riders) + 1);
	if (!db->riders)
		goto out;
	for (size_t b = 0; b < nu; b++) {
		if (!kept[b])
			db->p1[order[host[b]]].nriders++;
	}
	for (size_t b = 0; b < nu; b++) {
		struct target *tg = &db->p1[order[b]];

		if (!kept[b])
			continue;
		exprs[order[b]] = u[b]->s;
		lens[order[b]] = u[b]->len;
		tg->rider = (uint32_t)db->nriders;
		db->nriders += tg->nriders;
		tg->nriders = 0;
	}
	for (size_t r = 0; r < nu; r++) {
		struct target *tg;
		struct rider *rd;

		if (kept[r])
			continue;
		if (array_grow(&db->litbuf, &db->capbuf, db->litbuflen + u[r]->len + 1, 1))
			goto out;
		tg = &db->p1[order[host[r]]];
		rd = &db->riders[tg->rider + tg->nriders++];
		rd->target = (uint32_t)order[r];
		rd->back = (uint32_t)(offs[r] + u[host[r]]->len);
		if (u[r]->len > rd->back) {
			tg->after |= UINT64_C(1) << ((unsigned char)u[r]->s[rd->back] & 63);
			tg->nafter++;
		} else {
			tg->before |= UINT64_C(1) << ((unsigned char)u[r]->s[offs[r] - 1] & 63);
		}
		rd->lit.off = (uint32_t)db->litbuflen;
		rd->lit.len = u[r]->len;
		lit_head(&rd->lit, u[r]->s, false);
		memcpy(db->litbuf + db->litbuflen, u[r]->s, u[r]->len);
		db->litbuflen += u[r]->len;
	}
	rc = riders_order(db);
	if (rc)
		goto out;
	rc = p1scan_build(db, exprs, lens, db->nlit1, rs);
out:
	free(u);
	free(kept);
	free(host);
	free(offs);
	free(order);
	free(sorted);
	free(exprs);
	free(lens);
	return rc;
}

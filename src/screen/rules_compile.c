#include "base/compat.h"
#include "screen/rules_impl.h"

#include "base/buf.h"

/*
 * Programs and databases (rules.h, rules_compile()): every branch of
 * every pattern gets its factor strings and the programs of steps around
 * them; then the factor strings are put in the phase-one database.
 */

/* A factor string found, while building: the string and its branch. */
struct p1lit {
	char s[LIT_LEN];
	uint8_t len;
	uint32_t branch;
};

struct compiler {
	const struct rules *r;
	struct rules_db *db;
	struct p1lit *p1;
	size_t np1, capp1;
	const struct rule *rule; /* being compiled, for messages */
	uint32_t ruleno;
	char *err;
	size_t errsize;
	struct words common;     /* r->words, looked up by hash */
};

static int compile_fail(struct compiler *c, const char *what, const char *msg)
{
	return rules_fail(c->err, c->errsize, c->rule->file, c->rule->line, "pattern: %s%s", what,
			  msg);
}

static int ser_item(struct buf *b, const struct item *it, bool reverse);

static int ser_seq(struct buf *b, struct item *const *items, uint32_t n, bool reverse)
{
	int rc = VG_OK;

	for (uint32_t k = 0; k < n && !rc; k++)
		rc = ser_item(b, items[reverse ? n - 1 - k : k], reverse);
	return rc;
}

/* Writes an item back as a pattern; reverse writes the groups' contents backwards. */
static int ser_item(struct buf *b, const struct item *it, bool reverse)
{
	int rc;

	if (it->kind == ITEM_GROUP) {
		rc = buf_adds(b, "(?:");
		for (uint32_t a = 0; a < it->nalts && !rc; a++) {
			if (a)
				rc = buf_addch(b, '|');
			if (!rc)
				rc = ser_seq(b, it->alts[a].items, it->alts[a].n, reverse);
		}
		if (!rc)
			rc = buf_addch(b, ')');
	} else if (reverse && it->kind == ITEM_ASSERT && it->anchor != 'b' && it->anchor != 'B') {
		/*
		 * Read backwards, the start of the text is the end of what is
		 * read. The end of the text is never inside a left side (a
		 * factor follows it), so an end anchor there is never true,
		 * and \A after the character in front of the buffer is not.
		 */
		rc = buf_adds(b, it->anchor == '^' || it->anchor == 'A' ? "\\z" : "\\A");
	} else {
		rc = buf_add(b, it->src, it->srclen);
	}
	if (!rc)
		rc = buf_add(b, it->q, it->qlen);
	return rc;
}

static int op_push(struct rules_db *db, const struct op *op)
{
	if (array_grow(&db->ops, &db->capops, db->nops + 1, sizeof(*db->ops)))
		return VG_NOMEM;
	db->ops[db->nops++] = *op;
	return VG_OK;
}

/*
 * Sets l's head and mask from its string s: the first (backwards: the
 * last) min(8, len) bytes, where a load of the eight bytes after the
 * position (backwards: before it) puts them.
 */
static void lit_head(struct lit *l, const char *s, bool reverse)
{
	uint32_t m = l->len < 8 ? l->len : 8;

	l->head = l->mask = 0;
	for (uint32_t i = 0; i < m; i++) {
		unsigned shift = reverse ? 8 * (8 - m + i) : 8 * i;
		unsigned char ch = (unsigned char)s[reverse ? l->len - m + i : i];

		l->head |= (uint64_t)ch << shift;
		l->mask |= (uint64_t)0xff << shift;
	}
}

/* Emits the set of strings built so far, unless it is only the empty string. */
static int flush_set(struct rules_db *db, struct litset *cur, bool *has, bool reverse)
{
	struct op op;

	if (!*has)
		return VG_OK;
	*has = false;
	if (cur->n == 1 && !cur->len[0])
		return VG_OK;
	memset(&op, 0, sizeof(op));
	op.kind = OP_SET;
	for (uint32_t i = 0; i < cur->n; i++) {
		if (!cur->len[i]) {
			op.empty = true;
			continue;
		}
		op.key[i] = (uint8_t)cur->s[i][reverse ? cur->len[i] - 1 : 0];
		if (cur->len[i] > 1)
			op.key2[i] = (uint8_t)cur->s[i][reverse ? cur->len[i] - 2 : 1];
		else
			op.one |= UINT32_C(1) << i;
		op.nonempty |= UINT32_C(1) << i;
		bytes_add(op.bytes, op.key[i]);
	}
	op.lit = (uint32_t)db->nlits;
	op.nlit = cur->n;
	if (array_grow(&db->lits, &db->caplits, db->nlits + cur->n, sizeof(*db->lits)))
		return VG_NOMEM;
	for (uint32_t i = 0; i < cur->n; i++) {
		if (array_grow(&db->litbuf, &db->capbuf, db->litbuflen + cur->len[i] + 1, 1))
			return VG_NOMEM;
		memcpy(db->litbuf + db->litbuflen, cur->s[i], cur->len[i]);
		db->lits[db->nlits].off = (uint32_t)db->litbuflen;
		db->lits[db->nlits].len = cur->len[i];
		lit_head(&db->lits[db->nlits], cur->s[i], reverse);
		db->nlits++;
		db->litbuflen += cur->len[i];
	}
	return op_push(db, &op);
}

/*
 * Emits an anchored database for the items gathered in seg (in the order
 * they are read: backwards for a left side). The text it is given starts
 * one character before the position it reads from, so that \b and \B see
 * the character there; "^[\s\S]" steps over it.
 */
static int flush_db(struct compiler *c, struct item **seg, uint32_t *nseg, bool reverse)
{
	struct rules_db *db = c->db;
	hs_compile_error_t *cerr = NULL;
	hs_database_t *h = NULL;
	struct buf b;
	struct op op;
	size_t i;
	int rc;

	if (!*nseg)
		return VG_OK;
	buf_init(&b, 4 * RULES_PATTERN_MAX + 16);
	rc = buf_adds(&b, "^[\\s\\S]");
	for (uint32_t k = 0; k < *nseg && !rc; k++)
		rc = ser_item(&b, seg[k], reverse);
	*nseg = 0;
	if (rc)
		goto out;
	memset(&op, 0, sizeof(op));
	op.kind = OP_DB;
	for (i = 0; i < db->nhdbs; i++) {
		if (!strcmp(db->hdbs[i].expr, buf_str(&b)))
			break;
	}
	if (i == db->nhdbs) {
		struct hdb *slot;

		/*
		 * The flags the whole pattern always had: case-insensitive
		 * UTF-8, so that what the database checks matches as before.
		 */
		if (hs_compile(buf_str(&b), HS_FLAG_UTF8 | HS_FLAG_CASELESS, HS_MODE_BLOCK, NULL,
			       &h, &cerr) != HS_SUCCESS) {
			rc = compile_fail(c, "vectorscan: ",
					  cerr ? cerr->message : "compile failed");
			goto out;
		}
		rc = array_grow(&db->hdbs, &db->caphdbs, db->nhdbs + 1, sizeof(struct hdb));
		if (rc)
			goto out;
		slot = &db->hdbs[db->nhdbs];
		slot->expr = buf_detach(&b, NULL);
		if (!slot->expr) {
			rc = VG_NOMEM;
			goto out;
		}
		slot->h = h;
		h = NULL;
		db->nhdbs++;
	}
	op.hdb = (uint32_t)i;
	rc = op_push(db, &op);
out:
	if (cerr)
		hs_free_compile_error(cerr);
	hs_free_database(h);
	buf_release(&b);
	return rc;
}

/*
 * The program for items[0..n): read forwards, or backwards for the part
 * before a factor. Runs of plain text become sets of strings, assertions
 * stay assertions, a repeated ASCII class becomes a gap, and everything
 * else is gathered into anchored databases.
 */
static int prog_build(struct compiler *c, struct pattern *pt, struct item *const *items,
		      uint32_t n, bool reverse, uint32_t *first, uint32_t *count)
{
	struct rules_db *db = c->db;
	struct litset cur, tmp;
	struct item **seg = NULL;
	uint32_t nseg = 0;
	bool has = false;
	int rc = VG_OK;

	*first = (uint32_t)db->nops;
	if (n && !(seg = malloc(n * sizeof(*seg))))
		return VG_NOMEM;
	for (uint32_t k = 0; k < n && !rc; k++) {
		struct item *it = items[reverse ? n - 1 - k : k];
		const struct litset *l = item_lang(pt, it);
		struct op op;

		if (l) {
			rc = flush_db(c, seg, &nseg, reverse);
			if (!rc && has && (reverse ? litset_product(l, &cur, &tmp) :
					   litset_product(&cur, l, &tmp))) {
				cur = tmp;
				continue;
			}
			if (!rc)
				rc = flush_set(db, &cur, &has, reverse);
			cur = *l;
			has = true;
			continue;
		}
		rc = flush_set(db, &cur, &has, reverse);
		if (rc)
			break;
		if (it->kind != ITEM_ASSERT && (it->kind == ITEM_GROUP || !it->ascii)) {
			seg[nseg++] = it;
			continue;
		}
		rc = flush_db(c, seg, &nseg, reverse);
		if (rc)
			break;
		memset(&op, 0, sizeof(op));
		if (it->kind == ITEM_ASSERT && db->nops > *first && !db->ops[db->nops - 1].anchor &&
		    (db->ops[db->nops - 1].kind == OP_GAP ||
		     db->ops[db->nops - 1].kind == OP_SET)) {
			/* The step before checks it as it goes: one pass fewer. */
			db->ops[db->nops - 1].anchor = it->anchor;
			continue;
		}
		if (it->kind == ITEM_ASSERT) {
			op.kind = OP_ASSERT;
			op.anchor = it->anchor;
		} else {
			op.kind = OP_GAP;
			memcpy(op.bytes, it->bytes, sizeof(op.bytes));
			op.min = it->min;
			op.max = it->max;
		}
		rc = op_push(db, &op);
	}
	if (!rc)
		rc = flush_set(db, &cur, &has, reverse);
	if (!rc)
		rc = flush_db(c, seg, &nseg, reverse);
	free(seg);
	*count = (uint32_t)(db->nops - *first);
	return rc;
}

/*
 * The assertions the nop steps from first start with, copied to a (at
 * most two); returns how many, or 3 when there are more than two.
 */
static uint8_t leading_asserts(const struct rules_db *db, uint32_t first, uint32_t nop, char *a)
{
	uint32_t k = 0;

	while (k < nop && db->ops[first + k].kind == OP_ASSERT) {
		if (k == 2)
			return 3;
		a[k] = db->ops[first + k].anchor;
		k++;
	}
	return (uint8_t)k;
}

static int branch_add(struct compiler *c, struct pattern *pt, const struct part *p)
{
	struct rules_db *db = c->db;
	struct branch br;
	int rc;

	memset(&br, 0, sizeof(br));
	br.rule = c->ruleno;
	rc = prog_build(c, pt, p->seq, p->i, true, &br.lop, &br.nlop);
	if (!rc)
		rc = prog_build(c, pt, p->seq + p->j, p->n - p->j, false, &br.rop, &br.nrop);
	if (!rc) {
		br.nlassert = leading_asserts(db, br.lop, br.nlop, br.lassert);
		br.nrassert = leading_asserts(db, br.rop, br.nrop, br.rassert);
	}
	if (!rc)
		rc = array_grow(&db->branches, &db->capbranches, db->nbranches + 1,
				sizeof(*db->branches));
	if (!rc)
		rc = array_grow(&c->p1, &c->capp1, c->np1 + p->lits.n, sizeof(*c->p1));
	if (rc)
		return rc;
	for (uint32_t i = 0; i < p->lits.n; i++) {
		struct p1lit *l = &c->p1[c->np1++];

		memcpy(l->s, p->lits.s[i], p->lits.len[i]);
		l->len = p->lits.len[i];
		l->branch = (uint32_t)db->nbranches;
	}
	db->branches[db->nbranches++] = br;
	return VG_OK;
}

static int compile_rule(struct compiler *c, uint32_t index)
{
	const struct rule *rule = &c->r->items[index];
	hs_compile_error_t *cerr = NULL;
	hs_expr_info_t *info = NULL;
	struct pattern pt;
	int rc;

	c->rule = rule;
	c->ruleno = index;
	/* vectorscan's own word on a pattern it refuses, with the flags patterns always had. */
	if (hs_expression_info(rule->pattern, HS_FLAG_UTF8 | HS_FLAG_CASELESS, &info, &cerr) !=
	    HS_SUCCESS) {
		rc = compile_fail(c, "", cerr ? cerr->message : "invalid");
		if (cerr)
			hs_free_compile_error(cerr);
		return rc;
	}
	free(info);
	rc = pattern_init(&pt, rule->pattern);
	pt.common = &c->common;
	if (!rc)
		rc = pattern_parse(&pt);
	if (rc == VG_INVAL) {
		rc = rules_fail(c->err, c->errsize, rule->file, rule->line,
				"pattern: %s is not supported", pt.why);
	}
	for (uint32_t b = 0; b < pt.ntop && !rc; b++) {
		struct item **v = NULL;
		uint32_t len = 0;
		size_t cap = 0;
		struct plan plan;

		rc = items_flatten(pt.top[b].items, pt.top[b].n, &v, &len, &cap);
		if (rc) {
			free(v);
			break;
		}
		rc = plan_branch(&pt, v, len, 0, &plan);
		if (!rc && !plan.n)
			rc = compile_fail(c, "", "a branch has no plain text that each of its matches "
					  "contains (a word, a character, or a small set such as "
					  "(her|him) or [oa])");
		for (size_t k = 0; k < plan.n && !rc; k++)
			rc = branch_add(c, &pt, &plan.parts[k]);
		plan_release(&plan);
	}
	pattern_release(&pt);
	return rc;
}

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

/*
 * Vectorscan 5.4.9 (Debian 12) misses strings in a literal database of
 * very few strings: "sell" in "xxx... sells her to" from a database of
 * "la" and "sell", in about half the texts of 77 bytes and more, and
 * rarely with as many as nine strings, in block and streaming mode alike
 * (docs/screening.md). With one more string that begins with a byte the
 * text never holds, every string was found in every trial; the phase-one
 * database gets P1_PAD of them, a margin over the one that is needed.
 * Each begins with 0xff, which valid UTF-8 (all that norm_text() emits)
 * never holds, so none is ever reported; their ids, from nlit1 on, are
 * still turned away by on_hit().
 */
#define P1_PAD 8
#define P1_PAD_LEN 4

static const char p1_pad[P1_PAD][P1_PAD_LEN + 1] = {
	"\xff\xfe\xc0\xc0", "\xff\xfe\xc1\xc0", "\xff\xfe\xc2\xc0", "\xff\xfe\xc3\xc0",
	"\xff\xfe\xc4\xc0", "\xff\xfe\xc5\xc0", "\xff\xfe\xc6\xc0", "\xff\xfe\xc7\xc0",
};

/*
 * The phase-one database, in streaming mode (rules_match() reads the text
 * in chunks), matched byte for byte: the normalised text is lower case and
 * the strings are too.
 *
 * A factor string that contains another ("took her passport" and
 * "passport", "sells" and "sell") is found wherever the shorter one is:
 * the literal matcher slows with every string it holds (3,217 strings
 * read at 250 MB/s, the 1,753 that contain no other at 365), so only the
 * strings that contain no other are in the database, and each of the
 * others rides on the longest of them that it contains, at the first
 * place it contains it. Where that one is found, the rider is compared
 * with the text around it. Every place the rider is, the string it rides
 * on is, at that offset, and is found: no place is missed, and none is
 * found twice. A rider can end after the chunk its string was found in;
 * its matches end there too, and wait in s->pend like any match that ends
 * past the chunk. After the strings that are looked for come the P1_PAD
 * strings above, which are never found.
 */
static int phase1_build(struct compiler *c)
{
	struct rules_db *db = c->db;
	hs_compile_error_t *cerr = NULL;
	const char **exprs = NULL;
	size_t *lens = NULL, *order = NULL, *offs = NULL;
	unsigned *flags = NULL, *ids = NULL;
	struct p1lit **u = NULL;
	struct target *sorted = NULL;
	long *host = NULL;
	bool *kept = NULL;
	size_t cap = 0, nu, k;
	int rc = VG_NOMEM;

	qsort(c->p1, c->np1, sizeof(*c->p1), p1lit_cmp);
	db->targets = malloc(c->np1 * sizeof(*db->targets));
	u = malloc(c->np1 * sizeof(*u));
	if (!db->targets || !u)
		goto out;
	for (size_t i = 0; i < c->np1; i++) {
		const struct p1lit *l = &c->p1[i];

		if (!i || l->len != c->p1[i - 1].len || memcmp(l->s, c->p1[i - 1].s, l->len)) {
			if (array_grow(&db->p1, &cap, db->np1 + 1, sizeof(*db->p1)))
				goto out;
			memset(&db->p1[db->np1], 0, sizeof(*db->p1));
			db->p1[db->np1].first = (uint32_t)db->ntargets;
			db->p1[db->np1].len = l->len;
			u[db->np1] = &c->p1[i];
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
	exprs = malloc((nu + P1_PAD) * sizeof(*exprs));
	lens = malloc((nu + P1_PAD) * sizeof(*lens));
	flags = calloc(nu + P1_PAD, sizeof(*flags));
	ids = malloc((nu + P1_PAD) * sizeof(*ids));
	if (!kept || !host || !offs || !order || !sorted || !exprs || !lens || !flags || !ids)
		goto out;
	for (size_t b = 0; b < nu; b++) {
		host[b] = p1_contained(u, b, kept, &offs[b]);
		kept[b] = host[b] < 0;
	}
	/*
	 * The kept strings become ids 0.. of the database, each followed in
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
		ids[order[b]] = (unsigned)order[b];
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
		if (u[r]->len > rd->back)
			tg->after |= UINT64_C(1) << ((unsigned char)u[r]->s[rd->back] & 63);
		else
			tg->before |= UINT64_C(1) << ((unsigned char)u[r]->s[offs[r] - 1] & 63);
		rd->lit.off = (uint32_t)db->litbuflen;
		rd->lit.len = u[r]->len;
		lit_head(&rd->lit, u[r]->s, false);
		memcpy(db->litbuf + db->litbuflen, u[r]->s, u[r]->len);
		db->litbuflen += u[r]->len;
	}
	for (size_t j = 0; j < P1_PAD; j++) {
		exprs[db->nlit1 + j] = p1_pad[j];
		lens[db->nlit1 + j] = P1_PAD_LEN;
		ids[db->nlit1 + j] = (unsigned)(db->nlit1 + j);
	}
	if (hs_compile_lit_multi(exprs, flags, ids, lens, (unsigned)(db->nlit1 + P1_PAD),
				 HS_MODE_STREAM, NULL, &db->phase1, &cerr) != HS_SUCCESS) {
		if (c->errsize)
			snprintf(c->err, c->errsize, "vectorscan: %s",
				 cerr ? cerr->message : "compile failed");
		rc = VG_INVAL;
		goto out;
	}
	rc = VG_OK;
out:
	if (cerr)
		hs_free_compile_error(cerr);
	free(u);
	free(kept);
	free(host);
	free(offs);
	free(order);
	free(sorted);
	free(exprs);
	free(lens);
	free(flags);
	free(ids);
	return rc;
}

void rules_db_free(struct rules_db *db)
{
	if (!db)
		return;
	hs_free_database(db->phase1);
	for (size_t i = 0; i < db->nhdbs; i++) {
		hs_free_database(db->hdbs[i].h);
		free(db->hdbs[i].expr);
	}
	hs_free_scratch(db->proto);
	free(db->hdbs);
	free(db->p1);
	free(db->riders);
	free(db->targets);
	free(db->branches);
	free(db->ops);
	free(db->lits);
	free(db->litbuf);
	free(db);
}

int rules_compile(const struct rules *r, struct rules_db **out, char *err, size_t errsize)
{
	struct compiler c;
	struct rules_db *db;
	int rc = VG_OK;

	if (!r->count) {
		if (errsize)
			snprintf(err, errsize, "no indicator rules were given");
		return VG_INVAL;
	}
	db = calloc(1, sizeof(*db));
	if (!db)
		return VG_NOMEM;
	memset(&c, 0, sizeof(c));
	c.r = r;
	c.db = db;
	c.err = err;
	c.errsize = errsize;
	words_build(&c.common, r);
	db->nrules = r->count;
	for (size_t i = 0; i < r->count && !rc; i++)
		rc = compile_rule(&c, (uint32_t)i);
	if (!rc)
		rc = phase1_build(&c);
	if (rc)
		goto out;
	rc = VG_NOMEM;
	if (hs_alloc_scratch(db->phase1, &db->proto) != HS_SUCCESS)
		goto out;
	for (size_t i = 0; i < db->nhdbs; i++) {
		if (hs_alloc_scratch(db->hdbs[i].h, &db->proto) != HS_SUCCESS)
			goto out;
	}
	*out = db;
	db = NULL;
	rc = VG_OK;
out:
	free(c.p1);
	rules_db_free(db);
	return rc;
}

void rules_db_describe(const struct rules_db *db, struct rules_db_info *out)
{
	out->literals = db->nlit1;
	out->riders = db->np1 - db->nlit1;
	out->branches = db->nbranches;
	out->databases = db->nhdbs;
}


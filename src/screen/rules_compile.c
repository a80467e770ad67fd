#include "base/compat.h"
#include "screen/rules_impl.h"

#include "base/buf.h"

/*
 * Programs and databases (rules.h, rules_compile()): every branch of
 * every pattern gets its factor strings and the programs of steps around
 * them; then the factor strings are put in the phase-one database
 * (rules_phase1.c).
 */

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
void lit_head(struct lit *l, const char *s, bool reverse)
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
 * Reads "{min,max}" or "{n}" from *p, moving *p past it; false when it is
 * not there, or min > max.
 */
static bool repeat_read(const char **p, uint32_t *min, uint32_t *max)
{
	const char *q = *p;
	char *end;
	unsigned long a, b;

	if (*q != '{' || *++q < '0' || *q > '9')
		return false;
	a = strtoul(q, &end, 10);
	b = a;
	if (*end == ',') {
		q = end + 1;
		if (*q < '0' || *q > '9')
			return false;
		b = strtoul(q, &end, 10);
	}
	if (*end != '}' || a > b || b > UINT32_MAX)
		return false;
	*min = (uint32_t)a;
	*max = (uint32_t)b;
	*p = end + 1;
	return true;
}

/* Moves *p past lit when *p starts with it; false when it does not. */
static bool skip(const char **p, const char *lit)
{
	size_t n = strlen(lit);

	if (strncmp(*p, lit, n))
		return false;
	*p += n;
	return true;
}

/*
 * Whether expr, an anchored database's pattern as flush_db() writes it, is
 * the word gap "\W+(\w+\W+){min,max}" (struct op, OP_WORDS); read
 * backwards, it was written "(\W+\w+){min,max}\W+", the same gap.
 */
static bool words_gap(const char *expr, bool reverse, uint32_t *min, uint32_t *max)
{
	const char *p = expr;

	if (!skip(&p, "^[\\s\\S]"))
		return false;
	if (!reverse)
		return skip(&p, "\\W+(?:\\w+\\W+)") && repeat_read(&p, min, max) && !*p;
	return skip(&p, "(?:\\W+\\w+)") && repeat_read(&p, min, max) && skip(&p, "\\W+") && !*p;
}

enum lead { LEAD_UNKNOWN, LEAD_EMPTY, LEAD_SOME };

static enum lead seq_lead(struct item *const *items, uint32_t n, bool backwards, bool reverse,
			  uint8_t *b);

/*
 * Adds to b the bytes that the first character an item reads (read
 * backwards when reverse) can start with (end with). LEAD_SOME when it
 * always reads one, LEAD_EMPTY when it may read none, LEAD_UNKNOWN when
 * that character may be other than ASCII (b is then of no use).
 */
static enum lead item_lead(const struct item *it, bool reverse, uint8_t *b)
{
	enum lead all = LEAD_SOME;

	if (it->kind == ITEM_ASSERT)
		return LEAD_EMPTY;
	if (it->kind != ITEM_GROUP) {
		if (!it->ascii)
			return LEAD_UNKNOWN;
		for (size_t k = 0; k < sizeof(it->bytes); k++)
			b[k] |= it->bytes[k];
		return it->min ? LEAD_SOME : LEAD_EMPTY;
	}
	for (uint32_t a = 0; a < it->nalts; a++) {
		enum lead l = seq_lead(it->alts[a].items, it->alts[a].n, reverse, reverse, b);

		if (l == LEAD_UNKNOWN)
			return LEAD_UNKNOWN;
		if (l == LEAD_EMPTY)
			all = LEAD_EMPTY;
	}
	return it->min ? all : LEAD_EMPTY;
}

/*
 * As item_lead(), for items[0..n) read in the order given, or from the
 * last when backwards; their groups are read backwards when reverse.
 */
static enum lead seq_lead(struct item *const *items, uint32_t n, bool backwards, bool reverse,
			  uint8_t *b)
{
	for (uint32_t k = 0; k < n; k++) {
		enum lead l = item_lead(items[backwards ? n - 1 - k : k], reverse, b);

		if (l != LEAD_EMPTY)
			return l;
	}
	return LEAD_EMPTY;
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
	if (rc)
		goto out;
	memset(&op, 0, sizeof(op));
	if (words_gap(buf_str(&b), reverse, &op.min, &op.max)) {
		op.kind = OP_WORDS;
		rc = op_push(db, &op);
		goto out;
	}
	op.kind = OP_DB;
	/* seg is in the order it is read: the first item read is seg[0]. */
	op.lead = seq_lead(seg, *nseg, false, reverse, op.bytes) == LEAD_SOME;
	if (!op.lead)
		memset(op.bytes, 0, sizeof(op.bytes));
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
	*nseg = 0;
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

/*
 * The lead bits (struct branch) of the steps first..first+nop, whose first
 * nassert (3: none copied) are copied assertions.
 */
static uint64_t side_lead(const struct rules_db *db, uint32_t first, uint32_t nop, uint8_t nassert)
{
	const struct op *op;
	uint64_t lead = 0;

	if (nassert > 2 || nassert >= nop)
		return UINT64_MAX;
	op = &db->ops[first + nassert];
	if (!(op->kind == OP_SET && !op->empty) && !(op->kind == OP_GAP && op->min > 0))
		return UINT64_MAX;
	for (unsigned c = 0; c < 256; c++) {
		if (bytes_has(op->bytes, (unsigned char)c))
			lead |= UINT64_C(1) << (c & 63);
	}
	return lead;
}

/*
 * A side's need (struct branch) is looked for only past a gap, and with
 * at most this many runs of three bytes in at most NEED_WIN bytes: a
 * set next to the factor is read as cheaply by the side's program.
 */
#define NEED_RUNS 8
#define NEED_WIN 96

/*
 * Sets the need of the nop steps from first (read backwards when reverse)
 * into *need, *nneed and *win: the first three bytes of each string of
 * the last set that lies past a gap, when the steps before it read a
 * bounded number of bytes; *nneed stays 0 when there is none.
 */
static int side_need(struct rules_db *db, uint32_t first, uint32_t nop, bool reverse,
		     uint32_t *need, uint8_t *nneed, uint16_t *win)
{
	uint32_t runs[NEED_RUNS], keep[NEED_RUNS], nkeep = 0, w = 0, kw = 0;
	bool gap = false;

	for (uint32_t k = 0; k < nop; k++) {
		const struct op *op = &db->ops[first + k];
		uint32_t maxlen = 0, m = 0;
		bool ok = !op->empty;

		if (op->kind == OP_GAP && op->max != REPEAT_INF) {
			w += op->max;
			gap = gap || op->max > 0;
			continue;
		}
		if (op->kind == OP_ASSERT)
			continue;
		if (op->kind != OP_SET)
			break;
		for (uint32_t i = 0; i < op->nlit; i++) {
			const struct lit *l = &db->lits[op->lit + i];
			uint32_t run = 0, j = 0;

			maxlen = l->len > maxlen ? l->len : maxlen;
			if (l->len < 3) {
				ok = false;
				continue;
			}
			memcpy(&run, db->litbuf + l->off, 3);
			while (j < m && runs[j] != run)
				j++;
			if (j < m)
				continue;
			if (m == NEED_RUNS)
				ok = false;
			else
				runs[m++] = run;
		}
		/* Forwards a string starts within w bytes; backwards it ends within them. */
		if (ok && gap && w + (reverse ? maxlen : 3) <= NEED_WIN) {
			kw = w + (reverse ? maxlen : 3);
			nkeep = m;
			memcpy(keep, runs, m * sizeof(*runs));
		}
		w += maxlen;
	}
	*nneed = (uint8_t)nkeep;
	*win = (uint16_t)kw;
	if (!nkeep)
		return VG_OK;
	if (array_grow(&db->needs, &db->capneeds, db->nneeds + nkeep, sizeof(*db->needs)))
		return VG_NOMEM;
	*need = (uint32_t)db->nneeds;
	memcpy(db->needs + db->nneeds, keep, nkeep * sizeof(*keep));
	db->nneeds += nkeep;
	return VG_OK;
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
		br.llead = side_lead(db, br.lop, br.nlop, br.nlassert);
		br.rlead = side_lead(db, br.rop, br.nrop, br.nrassert);
		rc = side_need(db, br.lop, br.nlop, true, &br.lneed, &br.nlneed, &br.lwin);
	}
	if (!rc)
		rc = side_need(db, br.rop, br.nrop, false, &br.rneed, &br.nrneed, &br.rwin);
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

void rules_db_free(struct rules_db *db)
{
	if (!db)
		return;
	p1scan_release(&db->scan);
	for (size_t i = 0; i < db->nhdbs; i++) {
		hs_free_database(db->hdbs[i].h);
		free(db->hdbs[i].expr);
	}
	hs_free_scratch(db->proto);
	free(db->hdbs);
	free(db->p1);
	free(db->riders);
	free(db->rkey);
	free(db->rmask);
	free(db->targets);
	free(db->branches);
	free(db->ops);
	free(db->lits);
	free(db->needs);
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
		rc = phase1_build(db, c.p1, c.np1, r);
	if (rc)
		goto out;
	rc = VG_NOMEM;
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


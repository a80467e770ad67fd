#include "base/compat.h"
#include "screen/rules_impl.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "screen/swar.h"

/*
 * Matching (rules.h, rules_match()): phase one scans the text for the
 * factor strings, phase two runs the programs around each one found and
 * merges the matches into spans. The hot loops (the phase-one callback,
 * the steps of phase two, gaps and sets) are all in this file so that the
 * compiler inlines them.
 */

/* Phase one reads the text in chunks of this many bytes: see rules_match(). */
#define CHUNK 8192
/*
 * Phase two may take at most this many steps (a position tried or reached
 * by a step of a program, a string compared, an anchored scan counting
 * 16) per byte of text, and WORK_MIN more: see rules_match().
 */
#define WORK_PER_BYTE 256
#define WORK_MIN 65536

/* The length of the UTF-8 sequence that starts with c (the text is valid UTF-8). */
static size_t utf8_seqlen(unsigned char c)
{
	return c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

/* A match found in phase two: the leftmost start for one end of one rule. */
struct trip {
	uint32_t rule, from, to;
};

/* A factor string found by phase one: its id and where it ends. */
struct hit {
	uint32_t id, end;
};

/* A set of positions in the text, sorted when a step is done with it. */
struct posv {
	uint32_t *v;
	size_t n, cap;
};

struct rules_scratch {
	const struct rules_db *db;
	hs_scratch_t *hs;
	hs_stream_t *stream;
	const char *text;
	size_t len;
	char *rev;                /* the text with its characters in reverse order */
	size_t revcap;
	bool rev_ok;
	struct hit *hits;
	size_t nhits, caphits;
	struct trip *pend;        /* matches whose end is past what was flushed */
	size_t npend, cappend;
	struct posv pos[4];
	int32_t *last;            /* per rule: index in spans of its open span, -1 */
	struct rules_span *spans;
	size_t max, nspans;
	bool full, oom, timing;
	uint64_t work, budget;    /* steps of phase two so far, and the most allowed */
	struct rules_stats stats;
};

int rules_scratch_new(const struct rules_db *db, struct rules_scratch **out)
{
	struct rules_scratch *s = calloc(1, sizeof(*s));
	int rc = VG_NOMEM;

	if (!s)
		return VG_NOMEM;
	s->db = db;
	s->last = malloc(db->nrules * sizeof(*s->last));
	if (!s->last)
		goto out;
	for (size_t i = 0; i < db->nrules; i++)
		s->last[i] = -1;
	if (hs_clone_scratch(db->proto, &s->hs) != HS_SUCCESS ||
	    hs_open_stream(db->phase1, 0, &s->stream) != HS_SUCCESS)
		goto out;
	*out = s;
	s = NULL;
	rc = VG_OK;
out:
	rules_scratch_free(s);
	return rc;
}

void rules_scratch_free(struct rules_scratch *s)
{
	if (!s)
		return;
	if (s->stream)
		hs_close_stream(s->stream, NULL, NULL, NULL);
	hs_free_scratch(s->hs);
	free(s->rev);
	free(s->hits);
	free(s->pend);
	for (size_t i = 0; i < ARRAY_SIZE(s->pos); i++)
		free(s->pos[i].v);
	free(s->last);
	free(s);
}

void rules_scratch_timing(struct rules_scratch *s, bool on)
{
	s->timing = on;
}

void rules_scratch_stats(const struct rules_scratch *s, struct rules_stats *out)
{
	*out = s->stats;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int posv_push(struct posv *p, uint32_t x)
{
	if (p->n == p->cap && array_grow(&p->v, &p->cap, p->n + 1, sizeof(*p->v)))
		return VG_NOMEM;
	p->v[p->n++] = x;
	return VG_OK;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Sorts p and drops repeats. A step mostly leaves its positions in order,
 * or in reverse order when it reads backwards (a gap gives its ends from
 * the nearest): either is put right in one pass. Others are sorted with
 * an insertion sort when small, with qsort() when not.
 */
static void posv_settle(struct posv *p)
{
	bool up = true, down = true;
	size_t k = 0;

	for (size_t i = 1; i < p->n && (up || down); i++) {
		up = up && p->v[i - 1] <= p->v[i];
		down = down && p->v[i - 1] >= p->v[i];
	}
	if (down && !up) {
		for (size_t i = 0, j = p->n - 1; i < j; i++, j--) {
			uint32_t x = p->v[i];

			p->v[i] = p->v[j];
			p->v[j] = x;
		}
	} else if (!up && p->n > 32) {
		qsort(p->v, p->n, sizeof(*p->v), u32_cmp);
	} else if (!up) {
		for (size_t i = 1; i < p->n; i++) {
			uint32_t x = p->v[i];
			size_t j = i;

			for (; j > 0 && p->v[j - 1] > x; j--)
				p->v[j] = p->v[j - 1];
			p->v[j] = x;
		}
	}
	for (size_t i = 0; i < p->n; i++) {
		if (!k || p->v[k - 1] != p->v[i])
			p->v[k++] = p->v[i];
	}
	p->n = k;
}

/*
 * Builds s->rev, the text with its characters in reverse order (the bytes
 * of each character stay in order, so that it is UTF-8): position y of the
 * text is position len - y of s->rev. Eight bytes are turned at a time,
 * then the few characters of more than one byte are put right.
 */
static int rev_build(struct rules_scratch *s)
{
	const unsigned char *t = (const unsigned char *)s->text;
	unsigned char *r;
	size_t n = s->len, i = 0;
	uint64_t high = 0;

	if (n > s->revcap && array_grow(&s->rev, &s->revcap, n, 1))
		return VG_NOMEM;
	r = (unsigned char *)s->rev;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, t + i, 8);
		high |= w;
		w = __builtin_bswap64(w);
		memcpy(r + n - i - 8, &w, 8);
	}
	for (; i < n; i++) {
		high |= t[i];
		r[n - 1 - i] = t[i];
	}
	for (i = 0; high & 0x8080808080808080u && i < n;) {
		size_t k = utf8_seqlen(t[i]);

		if (k > n - i)
			k = n - i;
		if (k > 1)
			memcpy(r + n - i - k, t + i, k);
		i += k;
	}
	s->rev_ok = true;
	return VG_OK;
}

/* Where an anchored scan's matches end, as positions of the text. */
struct anchored {
	struct posv *out;
	int64_t base;             /* the position of offset 0 */
	bool backwards;           /* offsets count towards the start of the text */
	bool oom;
};

static int on_anchored(unsigned int id, unsigned long long from, unsigned long long to,
		       unsigned int flags, void *ctx)
{
	struct anchored *a = ctx;
	int64_t x = a->backwards ? a->base - (int64_t)to : a->base + (int64_t)to;

	(void)id;
	(void)from;
	(void)flags;
	if (posv_push(a->out, (uint32_t)x)) {
		a->oom = true;
		return 1;
	}
	return 0;
}

/*
 * Runs an anchored database from position x. Forwards, the text it reads
 * starts with the character before x; backwards, it is s->rev from the
 * character at x to the start of the text. Either way the database's
 * "^[\s\S]" steps over a character that \b and \B can see, and the far
 * end of what it reads is the end (or start) of the text.
 */
static int db_scan(const struct rules_db *db, struct rules_scratch *s, const struct op *op,
		   bool reverse, uint32_t x, struct posv *next)
{
	const unsigned char *t = (const unsigned char *)s->text;
	const struct hdb *h = &db->hdbs[op->hdb];
	struct anchored a = { next, 0, reverse, false };
	const char *buf;
	size_t blen, c;
	hs_error_t herr;

	if (!reverse) {
		/* A factor is never empty, so a right side starts after at least one character. */
		assert(x > 0);
		c = 1;
		while (c < x && (t[x - c] & 0xc0) == 0x80)
			c++;
		buf = s->text + x - c;
		blen = s->len - (x - c);
		a.base = (int64_t)x - (int64_t)c;
	} else {
		/* A factor follows a left side, so there is a character at x. */
		assert(x < s->len);
		if (!s->rev_ok && rev_build(s))
			return VG_NOMEM;
		c = utf8_seqlen(t[x]);
		if (c > s->len - x)
			c = s->len - x;
		buf = s->rev + s->len - x - c;
		blen = x + c;
		a.base = (int64_t)(x + c);
	}
	s->stats.scans++;
	herr = hs_scan(h->h, buf, (unsigned)blen, 0, s->hs, on_anchored, &a);
	if (a.oom)
		return VG_NOMEM;
	return herr == HS_SUCCESS ? VG_OK : VG_INTERNAL;
}

/*
 * Whether an assertion holds at x. \w is ASCII (vectorscan without
 * HS_FLAG_UCP); $ and \Z also hold before a newline that ends the text.
 */
static inline bool assert_holds(const unsigned char *t, size_t len, size_t x, char anchor)
{
	bool before = x > 0 && is_word(t[x - 1]), after = x < len && is_word(t[x]);

	switch (anchor) {
	case 'b':
		return before != after;
	case 'B':
		return before == after;
	case '^': case 'A':
		return x == 0;
	case 'z':
		return x == len;
	default:
		return x == len || (x + 1 == len && t[x] == '\n');
	}
}

/*
 * Bit k set when key[k] == c, for the LITS_MAX keys of a set: sixteen
 * compared at a time with SSE2 (every x86-64 has it), eight at a time
 * elsewhere.
 */
static uint32_t key_match(const uint8_t *key, unsigned c)
{
#if defined(__SSE2__)
	__m128i v = _mm_set1_epi8((char)c);
	__m128i a = _mm_loadu_si128((const __m128i *)key);
	__m128i b = _mm_loadu_si128((const __m128i *)(key + 16));

	_Static_assert(LITS_MAX == 32, "key_match() reads 32 keys");
	return (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(a, v)) |
	       (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(b, v)) << 16;
#else
	uint32_t m = 0;

	for (unsigned q = 0; q < LITS_MAX / 8; q++) {
		uint64_t x = swar_load8(key + 8 * q) ^ (SWAR_ONES * c);

		m |= (uint32_t)swar_mask(swar_between(x, -1, 1)) << (8 * q);
	}
	return m;
#endif
}

/*
 * The bits set in x. __builtin_popcount() is a call into libgcc on an
 * x86-64 without the POPCNT instruction (the build targets them all);
 * this is a dozen instructions inline.
 */
static unsigned popcount32(uint32_t x)
{
	x = x - ((x >> 1) & 0x55555555u);
	x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
	x = (x + (x >> 4)) & 0x0f0f0f0fu;
	return (x * 0x01010101u) >> 24;
}

/* Adds x to p when it meets the assertion anchor (none when 0). */
static int push_if(struct posv *p, const unsigned char *t, size_t len, uint32_t x, char anchor)
{
	if (anchor && !assert_holds(t, len, x, anchor))
		return VG_OK;
	return posv_push(p, x);
}

/*
 * Whether a gap's end y can be where the set after it (follow) starts:
 * the byte there must begin one of the set's strings, or the set would
 * turn y away at once. NULL follow: any y can.
 */
static bool gap_leads(const unsigned char *t, size_t len, const struct op *follow, bool reverse,
		      uint32_t y)
{
	if (!follow)
		return true;
	if (reverse)
		return y > 0 && bytes_has(follow->bytes, t[y - 1]);
	return y < len && bytes_has(follow->bytes, t[y]);
}

/*
 * next = where op leads from the positions in cur. follow is the step
 * after a gap when it is a set with no empty string, else NULL: the gap
 * keeps only the ends the set can read from.
 */
static int op_apply(const struct rules_db *db, struct rules_scratch *s, const struct op *op,
		    const struct op *follow, bool reverse, const struct posv *cur,
		    struct posv *next)
{
	const unsigned char *t = (const unsigned char *)s->text;
	size_t len = s->len;
	uint64_t turned = 0;
	int rc = VG_OK;

	next->n = 0;
	for (size_t i = 0; i < cur->n && !rc; i++) {
		uint32_t x = cur->v[i];

		s->work += op->kind == OP_DB ? 16 : 1;

		switch (op->kind) {
		case OP_ASSERT:
			if (assert_holds(t, len, x, op->anchor))
				rc = posv_push(next, x);
			break;
		case OP_SET: {
			/* Most positions are turned away by the byte next to them. */
			unsigned c = reverse ? (x ? t[x - 1] : 256) : (x < len ? t[x] : 256);
			uint64_t w = 0;
			uint32_t cand;
			unsigned c2;
			bool wide;

			if (op->empty && (!op->anchor || assert_holds(t, len, x, op->anchor)))
				rc = posv_push(next, x);
			if (c == 256 || !bytes_has(op->bytes, (unsigned char)c))
				break;
			/*
			 * The strings whose first byte is c (each a step of work),
			 * of those the ones whose second byte is the next one, and
			 * the eight bytes next to x when the text has them (struct
			 * lit): most strings are settled with no read of them.
			 */
			c2 = reverse ? (x >= 2 ? t[x - 2] : 256) : (len - x >= 2 ? t[x + 1] : 256);
			cand = key_match(op->key, c) & op->nonempty;
			s->work += popcount32(cand);
			cand &= (c2 == 256 ? 0 : key_match(op->key2, c2)) | op->one;
			wide = reverse ? x >= 8 : len - x >= 8;
			if (wide)
				w = swar_load8(t + (reverse ? x - 8 : x));
			while (cand && !rc) {
				uint32_t k = (uint32_t)__builtin_ctz(cand);
				const struct lit *l = &db->lits[op->lit + k];
				const unsigned char *str;

				cand &= cand - 1;
				if (wide && (w & l->mask) != l->head)
					continue;
				str = (const unsigned char *)db->litbuf + l->off;
				if (!reverse && l->len <= len - x &&
				    ((wide && l->len <= 8) || !memcmp(t + x, str, l->len)))
					rc = push_if(next, t, len, x + l->len, op->anchor);
				else if (reverse && l->len <= x &&
					 ((wide && l->len <= 8) || !memcmp(t + x - l->len, str, l->len)))
					rc = push_if(next, t, len, x - l->len, op->anchor);
			}
			break;
		}
		case OP_GAP: {
			uint32_t y = x, k = 0;

			/* The class is ASCII, so each character it reads is one byte. */
			while (k < op->min && (reverse ? y > 0 && bytes_has(op->bytes, t[y - 1]) :
					       y < len && bytes_has(op->bytes, t[y]))) {
				y = reverse ? y - 1 : y + 1;
				k++;
			}
			if (k < op->min)
				break;
			for (;;) {
				if (gap_leads(t, len, follow, reverse, y))
					rc = push_if(next, t, len, y, op->anchor);
				else
					turned++;
				if (rc || k >= op->max ||
				    !(reverse ? y > 0 && bytes_has(op->bytes, t[y - 1]) :
				      y < len && bytes_has(op->bytes, t[y])))
					break;
				y = reverse ? y - 1 : y + 1;
				k++;
			}
			break;
		}
		default:
			rc = db_scan(db, s, op, reverse, x, next);
			break;
		}
	}
	/*
	 * An end the gap turned away for the set after it counts as the gap
	 * and the set would have counted it, so that the bound on the work
	 * stays where it was.
	 */
	s->work += next->n + 2 * turned;
	posv_settle(next);
	if (!rc && s->work > s->budget)
		rc = VG_TOOBIG;
	return rc;
}

/*
 * Runs the nop steps of db->ops from first on, from start; *out is left
 * pointing at the positions reached. (Indices rather than a pointer: a
 * database of plain words has no steps, and db->ops is then NULL.)
 */
static int prog_run(const struct rules_db *db, struct rules_scratch *s, uint32_t first,
		    uint32_t nop, bool reverse, uint32_t start, struct posv *a, struct posv *b,
		    struct posv **out)
{
	const unsigned char *t = (const unsigned char *)s->text;
	const struct op *ops = nop ? &db->ops[first] : NULL;
	uint32_t k = 0;
	int rc;

	*out = a;
	a->n = 0;
	/*
	 * Most programs are an assertion or two (the \b around a word):
	 * those are read here, with no set of positions made.
	 */
	for (; k < nop && ops[k].kind == OP_ASSERT; k++) {
		if (!assert_holds(t, s->len, start, ops[k].anchor))
			return VG_OK;
	}
	rc = posv_push(a, start);
	for (; k < nop && !rc && a->n; k++) {
		const struct op *follow = ops[k].kind == OP_GAP && k + 1 < nop &&
					  ops[k + 1].kind == OP_SET && !ops[k + 1].empty ?
					  &ops[k + 1] : NULL;
		struct posv *swap;

		rc = op_apply(db, s, &ops[k], follow, reverse, a, b);
		swap = a;
		a = b;
		b = swap;
	}
	*out = a;
	return rc;
}

/* The matches of one branch around a factor found at [fs, fe). */
static int verify(const struct rules_db *db, struct rules_scratch *s, const struct branch *br,
		  uint32_t fs, uint32_t fe)
{
	const unsigned char *t = (const unsigned char *)s->text;
	struct posv *ends, *starts;
	uint32_t nl, nr;
	int rc;

	/*
	 * The assertions next to the factor on either side cost nothing to
	 * check and turn away most factors found inside a word: they are
	 * read before either side's program is run.
	 */
	if (br->nlassert > 2) {
		for (uint32_t k = 0; k < br->nlop && db->ops[br->lop + k].kind == OP_ASSERT; k++) {
			if (!assert_holds(t, s->len, fs, db->ops[br->lop + k].anchor))
				return VG_OK;
		}
		nl = 0;
	} else {
		for (nl = 0; nl < br->nlassert; nl++) {
			if (!assert_holds(t, s->len, fs, br->lassert[nl]))
				return VG_OK;
		}
	}
	/* The right side's copied assertions are what prog_run() would check first. */
	nr = br->nrassert > 2 ? 0 : br->nrassert;
	for (uint32_t k = 0; k < nr; k++) {
		if (!assert_holds(t, s->len, fe, br->rassert[k]))
			return VG_OK;
	}
	rc = prog_run(db, s, br->rop + nr, br->nrop - nr, false, fe, &s->pos[0], &s->pos[1],
		      &ends);
	if (rc || !ends->n)
		return rc;
	rc = prog_run(db, s, br->lop + nl, br->nlop - nl, true, fs, &s->pos[2], &s->pos[3],
		      &starts);
	if (rc || !starts->n)
		return rc;
	if (s->npend + ends->n > s->cappend &&
	    array_grow(&s->pend, &s->cappend, s->npend + ends->n, sizeof(*s->pend)))
		return VG_NOMEM;
	for (size_t i = 0; i < ends->n; i++) {
		struct trip *m = &s->pend[s->npend++];

		m->rule = br->rule;
		m->from = starts->v[0];
		m->to = ends->v[i];
	}
	return VG_OK;
}

static int on_hit(unsigned int id, unsigned long long from, unsigned long long to,
		  unsigned int flags, void *ctx)
{
	struct rules_scratch *s = ctx;

	(void)from;
	(void)flags;
	/* One of the strings that only pad the database (P1_PAD). */
	if (id >= s->db->nlit1)
		return 0;
	if (s->nhits == s->caphits && array_grow(&s->hits, &s->caphits, s->nhits + 1, sizeof(*s->hits))) {
		s->oom = true;
		return 1;
	}
	s->hits[s->nhits].id = id;
	s->hits[s->nhits].end = (uint32_t)to;
	s->nhits++;
	return 0;
}

/*
 * Whether a rider of tg can be where tg was found ending at fe: the byte
 * after it or the one before it is one that a rider needs there (or
 * shares its low six bits with one).
 */
static bool rider_may_be(const struct target *tg, const unsigned char *t, size_t len,
			 uint32_t fe)
{
	uint32_t fs = fe - tg->len;

	return (fe < len && (tg->after >> (t[fe] & 63) & 1)) ||
	       (fs > 0 && (tg->before >> (t[fs - 1] & 63) & 1));
}

static int hits_process(const struct rules_db *db, struct rules_scratch *s)
{
	int rc = VG_OK;

	s->stats.hits += s->nhits;
	for (size_t i = 0; i < s->nhits && !rc; i++) {
		const struct target *tg = &db->p1[s->hits[i].id];
		uint32_t fe = s->hits[i].end;

		for (uint32_t k = 0; k < tg->count && !rc; k++)
			rc = verify(db, s, &db->branches[db->targets[tg->first + k]], fe - tg->len, fe);
		if (!rider_may_be(tg, (const unsigned char *)s->text, s->len, fe))
			continue;
		for (uint32_t r = 0; r < tg->nriders && !rc; r++) {
			const struct rider *rd = &db->riders[tg->rider + r];
			const struct target *rt = &db->p1[rd->target];
			uint32_t fs, n = rd->lit.len;

			/* The rider would start rd->back bytes before fe: is it there? */
			if (fe < rd->back || n > s->len - (fe - rd->back))
				continue;
			fs = fe - rd->back;
			if (s->len - fs >= 8) {
				uint64_t w = swar_load8((const unsigned char *)s->text + fs);

				if ((w & rd->lit.mask) != rd->lit.head ||
				    (n > 8 && memcmp(s->text + fs + 8, db->litbuf + rd->lit.off + 8,
						     n - 8)))
					continue;
			} else if (memcmp(s->text + fs, db->litbuf + rd->lit.off, n)) {
				continue;
			}
			s->stats.riders++;
			for (uint32_t k = 0; k < rt->count && !rc; k++)
				rc = verify(db, s, &db->branches[db->targets[rt->first + k]], fs,
					    fs + rt->len);
		}
	}
	s->nhits = 0;
	return rc;
}

static int trip_cmp(const void *a, const void *b)
{
	const struct trip *x = a, *y = b;

	if (x->to != y->to)
		return x->to < y->to ? -1 : 1;
	if (x->rule != y->rule)
		return x->rule < y->rule ? -1 : 1;
	return x->from < y->from ? -1 : x->from > y->from;
}

/*
 * Adds one match: it extends the rule's open span when it starts at or
 * before that span's end, and begins a new span otherwise. False when
 * there is no room for a new span.
 */
static bool span_add(struct rules_scratch *s, const struct trip *m)
{
	int32_t last = s->last[m->rule];
	struct rules_span *sp;

	s->stats.matches++;
	if (last >= 0 && m->from <= s->spans[last].to) {
		sp = &s->spans[last];
		if (m->from < sp->from)
			sp->from = m->from;
		if (m->to > sp->to)
			sp->to = m->to;
		return true;
	}
	if (s->nspans == s->max)
		return false;
	sp = &s->spans[s->nspans];
	sp->rule = m->rule;
	sp->from = m->from;
	sp->to = m->to;
	s->last[m->rule] = (int32_t)s->nspans++;
	return true;
}

/*
 * Merges the matches that end at or before bound, in order of their end
 * (then rule), each (rule, end) once with its leftmost start. No match
 * found later can end there: see rules_match().
 */
static void flush(struct rules_scratch *s, size_t bound)
{
	size_t i, rest;

	/* Matches are found nearly in order: an insertion sort, unless there are many. */
	if (s->npend > 256) {
		qsort(s->pend, s->npend, sizeof(*s->pend), trip_cmp);
	} else {
		for (i = 1; i < s->npend; i++) {
			struct trip m = s->pend[i];
			size_t j = i;

			for (; j > 0 && trip_cmp(&s->pend[j - 1], &m) > 0; j--)
				s->pend[j] = s->pend[j - 1];
			s->pend[j] = m;
		}
	}
	for (i = 0; i < s->npend && s->pend[i].to <= bound; i++) {
		const struct trip *m = &s->pend[i];

		if (i && m->to == m[-1].to && m->rule == m[-1].rule)
			continue;
		if (!span_add(s, m)) {
			s->full = true;
			s->npend = 0;
			return;
		}
	}
	rest = s->npend - i;
	/* pend may still be NULL when nothing was found: no memmove on it. */
	if (rest)
		memmove(s->pend, s->pend + i, rest * sizeof(*s->pend));
	s->npend = rest;
}

/*
 * Phase one reads the text in chunks with a streaming database: vectorscan
 * does not report matches in order, but it reports every match that ends
 * in a chunk while it reads that chunk. A factor found later ends later,
 * and the matches around it end no sooner than it does, so after each
 * chunk the matches that end within it are complete and are merged. The
 * memory a text needs is bounded by a chunk's factors, not the text's.
 *
 * Phase two's time is bounded too. Checking around each factor costs
 * little in prose (under two steps per byte over the benchmark corpus,
 * about twenty in a text that repeats "took " for a megabyte), but a side
 * that repeats a class without bound ("prostitut\w*") read from every
 * factor found in one long word would take time that grows with the
 * square of the text. A text that needs more than WORK_PER_BYTE steps per
 * byte is cut like one with too many spans: the spans of the chunks read
 * before stay, and *truncated is set.
 */
int rules_match(const struct rules_db *db, struct rules_scratch *s, const char *text,
		size_t len, struct rules_span *spans, size_t max, size_t *n, bool *truncated)
{
	int rc = VG_OK;

	assert(s->db == db && (text || !len) && (spans || !max) && max <= INT32_MAX);
	if (len >= UINT32_MAX)
		return VG_TOOBIG;
	s->text = text;
	s->len = len;
	s->rev_ok = false;
	s->nhits = s->npend = 0;
	s->spans = spans;
	s->max = max;
	s->nspans = 0;
	s->full = s->oom = false;
	s->work = 0;
	s->budget = (uint64_t)len * WORK_PER_BYTE + WORK_MIN;
	s->stats.texts++;
	for (size_t off = 0; off < len && !s->full; off += CHUNK) {
		unsigned clen = (unsigned)(len - off < CHUNK ? len - off : CHUNK);
		uint64_t t0 = s->timing ? now_ns() : 0, t1;
		hs_error_t herr;

		herr = hs_scan_stream(s->stream, text + off, clen, 0, s->hs, on_hit, s);
		t1 = s->timing ? now_ns() : 0;
		if (s->oom) {
			rc = VG_NOMEM;
			break;
		}
		if (herr != HS_SUCCESS) {
			rc = VG_INTERNAL;
			break;
		}
		rc = hits_process(db, s);
		if (rc == VG_TOOBIG) {
			/* What was merged is whole; what this chunk began is dropped. */
			s->full = true;
			rc = VG_OK;
			break;
		}
		if (rc)
			break;
		flush(s, off + clen);
		if (s->timing) {
			s->stats.phase1_ns += t1 - t0;
			s->stats.phase2_ns += now_ns() - t1;
		}
	}
	s->stats.steps += s->work;
	if (hs_reset_stream(s->stream, 0, NULL, NULL, NULL) != HS_SUCCESS && !rc)
		rc = VG_INTERNAL;
	for (size_t i = 0; i < s->nspans; i++)
		s->last[spans[i].rule] = -1;
	s->nhits = s->npend = 0;
	s->text = NULL;
	if (rc)
		return rc;
	*n = s->nspans;
	*truncated = s->full;
	return VG_OK;
}


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
	/* Without anchored databases there is no scratch to clone, nor need of one. */
	if (db->proto && hs_clone_scratch(db->proto, &s->hs) != HS_SUCCESS)
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
	hs_free_scratch(s->hs);
	free(s->rev);
	free(s->hits);
	free(s->carry);
	free(s->cand);
	free(s->pend);
	for (size_t i = 0; i < ARRAY_SIZE(s->pos); i++)
		free(s->pos[i].v);
	free(s->turned.v);
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
static inline __attribute__((always_inline)) void posv_settle(struct posv *p)
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
 * An end y of a gap that the step after it cannot read from (see
 * op_apply()): counted in *turned for a set, kept in s->turned for an
 * anchored scan when the gap would have kept it.
 */
static int gap_turn(struct rules_scratch *s, const struct op *op, const struct op *follow,
		    uint32_t y, uint64_t *turned)
{
	if (follow->kind == OP_SET) {
		(*turned)++;
		return VG_OK;
	}
	if (op->anchor && !assert_holds((const unsigned char *)s->text, s->len, y, op->anchor))
		return VG_OK;
	return posv_push(&s->turned, y);
}

/*
 * The ends of a gap (a repeated ASCII class, so each character it reads
 * is one byte) read forwards from x, as op_apply() says; gap_back() reads
 * backwards. Two loops rather than one with the direction in it: a gap
 * reads some twenty bytes each time.
 */
static int gap_forth(struct rules_scratch *s, const struct op *op, const struct op *follow,
		     uint32_t x, struct posv *next, uint64_t *turned)
{
	const unsigned char *t = (const unsigned char *)s->text;
	uint32_t len = (uint32_t)s->len, y = x, stop;
	int rc = VG_OK;

	stop = op->max == REPEAT_INF || op->max > len - x ? len : x + op->max;
	while (y < x + op->min && y < len && bytes_has(op->bytes, t[y]))
		y++;
	if (y - x < op->min)
		return VG_OK;
	for (;;) {
		if (!follow || (y < len && bytes_has(follow->bytes, t[y])))
			rc = push_if(next, t, len, y, op->anchor);
		else
			rc = gap_turn(s, op, follow, y, turned);
		if (rc || y >= stop || !bytes_has(op->bytes, t[y]))
			return rc;
		y++;
	}
}

static int gap_back(struct rules_scratch *s, const struct op *op, const struct op *follow,
		    uint32_t x, struct posv *next, uint64_t *turned)
{
	const unsigned char *t = (const unsigned char *)s->text;
	uint32_t len = (uint32_t)s->len, y = x, stop;
	int rc = VG_OK;

	stop = op->max == REPEAT_INF || op->max > x ? 0 : x - op->max;
	while (x - y < op->min && y > 0 && bytes_has(op->bytes, t[y - 1]))
		y--;
	if (x - y < op->min)
		return VG_OK;
	for (;;) {
		if (!follow || (y > 0 && bytes_has(follow->bytes, t[y - 1])))
			rc = push_if(next, t, len, y, op->anchor);
		else
			rc = gap_turn(s, op, follow, y, turned);
		if (rc || y <= stop || !bytes_has(op->bytes, t[y - 1]))
			return rc;
		y--;
	}
}

/*
 * The work of the ends in p that a gap turned away for the anchored scan
 * after it (see op_apply()); p is left sorted. Out of line: it is rare,
 * and op_apply() stays small.
 */
static __attribute__((noinline)) uint64_t turned_work(struct posv *p)
{
	uint64_t all = p->n;

	posv_settle(p);
	return all + 16 * p->n;
}

/*
 * next = where op leads from the positions in cur. follow is the step
 * after a gap when it is a set with no empty string or an anchored scan
 * whose first bytes are known, else NULL: the gap keeps only the ends
 * that step can read from.
 */
static inline __attribute__((always_inline)) int
op_apply(const struct rules_db *db, struct rules_scratch *s, const struct op *op,
	 const struct op *follow, bool reverse, const struct posv *cur, struct posv *next)
{
	const unsigned char *t = (const unsigned char *)s->text;
	size_t len = s->len;
	uint64_t turned = 0;
	int rc = VG_OK;

	next->n = 0;
	s->turned.n = 0;
	for (size_t i = 0; i < cur->n && !rc; i++) {
		uint32_t x = cur->v[i];

		/* The word gap counts as the anchored scan it replaces, so that the bound stays. */
		s->work += op->kind == OP_DB || op->kind == OP_WORDS ? 16 : 1;

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
				    (wide ? l->len <= 8 || swar_equal_after8(t + x, str, l->len) :
					    !memcmp(t + x, str, l->len)))
					rc = push_if(next, t, len, x + l->len, op->anchor);
				else if (reverse && l->len <= x &&
					 ((wide && l->len <= 8) || !memcmp(t + x - l->len, str, l->len)))
					rc = push_if(next, t, len, x - l->len, op->anchor);
			}
			break;
		}
		case OP_GAP:
			rc = reverse ? gap_back(s, op, follow, x, next, &turned) :
				       gap_forth(s, op, follow, x, next, &turned);
			break;
		case OP_WORDS:
			rc = wordgap_ends(s, op, reverse, x, next);
			break;
		default:
			rc = anchored_scan(db, s, op, reverse, x, next);
			break;
		}
	}
	/*
	 * An end the gap turned away for the step after it counts as the gap
	 * and that step would have counted it, so that the bound on the work
	 * stays where it was: for a set, each end twice (one for the gap, one
	 * for the set); for an anchored scan, each end the gap would have
	 * kept once, and each distinct one 16 more (the scan).
	 */
	s->work += next->n + 2 * turned;
	if (s->turned.n)
		s->work += turned_work(&s->turned);
	posv_settle(next);
	if (!rc && s->work > s->budget)
		rc = VG_TOOBIG;
	return rc;
}

/*
 * Runs the nop steps of db->ops from first on, from start; *out is left
 * pointing at the positions reached. (Indices rather than a pointer: a
 * database of plain words has no steps, and db->ops is then NULL.) It is
 * compiled twice, through prog_forth() and prog_back(), so that neither
 * tests the direction at each byte it reads.
 */
static inline __attribute__((always_inline)) int
prog_run(const struct rules_db *db, struct rules_scratch *s, uint32_t first, uint32_t nop,
	 bool reverse, uint32_t start, struct posv *a, struct posv *b, struct posv **out)
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
					  ((ops[k + 1].kind == OP_SET && !ops[k + 1].empty) ||
					   (ops[k + 1].kind == OP_DB && ops[k + 1].lead)) ?
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

/*
 * A side turned away by its lead bits (struct branch) counts the one step
 * its first step would have taken to turn the position away, so that the
 * bound on the work stays where it was. One turned away by its need counts
 * the same one step: its program would have taken more, and the bound is
 * on the work done.
 */
static int side_turned(struct rules_scratch *s)
{
	s->work++;
	return s->work > s->budget ? VG_TOOBIG : VG_OK;
}

/* prog_run() forwards, for the right side of a branch. */
static int prog_forth(const struct rules_db *db, struct rules_scratch *s, uint32_t first,
		      uint32_t nop, uint32_t start, struct posv **out)
{
	return prog_run(db, s, first, nop, false, start, &s->pos[0], &s->pos[1], out);
}

/* prog_run() backwards, for the left side. */
static int prog_back(const struct rules_db *db, struct rules_scratch *s, uint32_t first,
		     uint32_t nop, uint32_t start, struct posv **out)
{
	return prog_run(db, s, first, nop, true, start, &s->pos[2], &s->pos[3], out);
}

/*
 * Whether one of the n runs of three bytes from db->needs[need] starts in
 * t[a..b - 3]: sixteen places at a time with SSE2 while the text has the
 * bytes, one at a time after.
 */
static bool need_find(const struct rules_db *db, const unsigned char *t, size_t len, size_t a,
		      size_t b, uint32_t need, uint32_t n)
{
	const unsigned char(*runs)[4] = (const unsigned char(*)[4])(db->needs + need);

	if (b > len)
		b = len;
	if (b < a + 3)
		return false;
#if defined(__SSE2__)
	for (; a + 3 <= b && len - a >= 18; a += 16) {
		__m128i v0 = _mm_loadu_si128((const __m128i *)(t + a));
		__m128i v1 = _mm_loadu_si128((const __m128i *)(t + a + 1));
		__m128i v2 = _mm_loadu_si128((const __m128i *)(t + a + 2));
		__m128i any = _mm_setzero_si128();
		unsigned m;

		for (uint32_t k = 0; k < n; k++) {
			__m128i e = _mm_and_si128(_mm_cmpeq_epi8(v0, _mm_set1_epi8((char)runs[k][0])),
						  _mm_cmpeq_epi8(v1, _mm_set1_epi8((char)runs[k][1])));

			any = _mm_or_si128(any, _mm_and_si128(e, _mm_cmpeq_epi8(
						v2, _mm_set1_epi8((char)runs[k][2]))));
		}
		m = (unsigned)_mm_movemask_epi8(any);
		/* Only the places that leave the run inside [a, b). */
		if (b - a < 18)
			m &= (1u << (b - a - 2)) - 1;
		if (m)
			return true;
	}
#endif
	for (; a + 3 <= b; a++) {
		for (uint32_t k = 0; k < n; k++) {
			if (t[a] == runs[k][0] && t[a + 1] == runs[k][1] && t[a + 2] == runs[k][2])
				return true;
		}
	}
	return false;
}

/* The matches of one branch around a factor found at [fs, fe). */
static int verify(const struct rules_db *db, struct rules_scratch *s, const struct branch *br,
		  uint32_t fs, uint32_t fe)
{
	const unsigned char *t = (const unsigned char *)s->text;
	struct posv *ends, *starts;
	const uint32_t *endv;
	size_t nend;
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
	/*
	 * A side with nothing left after its assertions (the \b around a
	 * word, most rules) is its one position: no program is run for it.
	 */
	if (br->nrop == nr) {
		endv = &fe;
		nend = 1;
	} else {
		if ((fe < s->len && !(br->rlead >> (t[fe] & 63) & 1)) ||
		    (br->nrneed && !need_find(db, t, s->len, fe, fe + br->rwin, br->rneed, br->nrneed)))
			return side_turned(s);
		rc = prog_forth(db, s, br->rop + nr, br->nrop - nr, fe, &ends);
		if (rc || !ends->n)
			return rc;
		endv = ends->v;
		nend = ends->n;
	}
	if (br->nlop != nl) {
		if ((fs > 0 && !(br->llead >> (t[fs - 1] & 63) & 1)) ||
		    (br->nlneed && !need_find(db, t, s->len, fs > br->lwin ? fs - br->lwin : 0, fs,
					      br->lneed, br->nlneed)))
			return side_turned(s);
		rc = prog_back(db, s, br->lop + nl, br->nlop - nl, fs, &starts);
		if (rc || !starts->n)
			return rc;
		fs = starts->v[0];
	}
	if (s->npend + nend > s->cappend &&
	    array_grow(&s->pend, &s->cappend, s->npend + nend, sizeof(*s->pend)))
		return VG_NOMEM;
	for (size_t i = 0; i < nend; i++) {
		struct trip *m = &s->pend[s->npend++];

		m->rule = br->rule;
		m->from = fs;
		m->to = endv[i];
	}
	return VG_OK;
}

/*
 * The two bytes from t[x] on (backwards: from t[x - 1] back), as struct
 * rkey reads them; 0 for a byte past the end of the text. The key only
 * spares reads: a rider it lets through is compared in full.
 */
static uint16_t rkey_bytes(const unsigned char *t, size_t len, uint32_t x, bool backwards)
{
	if (!backwards)
		return (uint16_t)((x < len ? t[x] : 0) | (x + 1 < len ? t[x + 1] << 8 : 0));
	return (uint16_t)((x > 0 ? t[x - 1] : 0) | (x > 1 ? t[x - 2] << 8 : 0));
}

/*
 * Bit 2k set when rider r + k's key (RKEY_PAD) matches bytes, for the
 * eight riders from r: with SSE2, eight compared at once.
 */
static uint32_t rkeys_match(const struct rules_db *db, uint32_t r, uint16_t bytes)
{
#if defined(__SSE2__)
	__m128i v = _mm_set1_epi16((short)bytes);
	__m128i m = _mm_loadu_si128((const __m128i *)(db->rmask + r));
	__m128i k = _mm_loadu_si128((const __m128i *)(db->rkey + r));

	_Static_assert(RKEY_PAD == 8, "rkeys_match() reads 8 keys");
	return (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi16(_mm_and_si128(v, m), k)) & 0x5555u;
#else
	uint32_t bits = 0;

	for (uint32_t k = 0; k < RKEY_PAD; k++) {
		if ((bytes & db->rmask[r + k]) == db->rkey[r + k])
			bits |= UINT32_C(1) << (2 * k);
	}
	return bits;
#endif
}

/*
 * Whether the rider r is in the text where the string it rides on was
 * found ending at fe; *fs is then where it starts.
 */
static bool rider_there(const struct rules_db *db, const struct rules_scratch *s, uint32_t r,
			uint32_t fe, uint32_t *fs)
{
	const unsigned char *t = (const unsigned char *)s->text;
	const struct rider *rd = &db->riders[r];
	uint32_t n = rd->lit.len, x;

	/* The rider would start rd->back bytes before fe. */
	if (fe < rd->back || n > s->len - (fe - rd->back))
		return false;
	x = fe - rd->back;
	if (s->len - x >= 8) {
		uint64_t w = swar_load8(t + x);

		if ((w & rd->lit.mask) != rd->lit.head ||
		    (n > 8 && !swar_equal_after8(t + x,
						 (const unsigned char *)db->litbuf + rd->lit.off, n)))
			return false;
	} else if (memcmp(t + x, db->litbuf + rd->lit.off, n)) {
		return false;
	}
	*fs = x;
	return true;
}

/*
 * Checks the riders from..to of db->riders, whose keys read bytes (see
 * RKEY_PAD), where the string they ride on was found ending at fe, and the
 * branches of each one that is there.
 */
static int riders_check(const struct rules_db *db, struct rules_scratch *s, uint32_t from,
			uint32_t to, uint16_t bytes, uint32_t fe)
{
	int rc = VG_OK;

	for (uint32_t r = from; r < to && !rc; r += RKEY_PAD) {
		uint32_t bits = rkeys_match(db, r, bytes);

		/* Only the riders of this range: the keys after it are another host's. */
		if (to - r < RKEY_PAD)
			bits &= (UINT32_C(1) << (2 * (to - r))) - 1;
		while (bits && !rc) {
			uint32_t k = r + (uint32_t)__builtin_ctz(bits) / 2, fs;
			const struct target *rt;

			bits &= bits - 1;
			if (!rider_there(db, s, k, fe, &fs))
				continue;
			s->stats.riders++;
			rt = &db->p1[db->riders[k].target];
			for (uint32_t j = 0; j < rt->count && !rc; j++)
				rc = verify(db, s, &db->branches[db->targets[rt->first + j]], fs,
					    fs + rt->len);
		}
	}
	return rc;
}

static int hits_process(const struct rules_db *db, struct rules_scratch *s)
{
	const unsigned char *t = (const unsigned char *)s->text;
	int rc = VG_OK;

	s->stats.hits += s->nhits;
	for (size_t i = 0; i < s->nhits && !rc; i++) {
		const struct target *tg = &db->p1[s->hits[i].id];
		uint32_t fe = s->hits[i].end, fs = fe - tg->len, mid = tg->rider + tg->nafter;

		for (uint32_t k = 0; k < tg->count && !rc; k++)
			rc = verify(db, s, &db->branches[db->targets[tg->first + k]], fs, fe);
		/*
		 * A rider needs the byte after the string found (or before it):
		 * most places have neither, and none of the riders is read.
		 */
		if (!rc && fe < s->len && (tg->after >> (t[fe] & 63) & 1))
			rc = riders_check(db, s, tg->rider, mid, rkey_bytes(t, s->len, fe, false), fe);
		if (!rc && fs > 0 && (tg->before >> (t[fs - 1] & 63) & 1))
			rc = riders_check(db, s, mid, tg->rider + tg->nriders,
					  rkey_bytes(t, s->len, fs, true), fe);
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
 * Phase one reads the text in chunks (p1scan_chunk()) and reports every
 * string that ends in a chunk while it reads that chunk, as a streaming
 * vectorscan database did. A factor found later ends later, and the
 * matches around it end no sooner than it does, so after each
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
	s->nhits = s->npend = s->ncarry = 0;
	s->spans = spans;
	s->max = max;
	s->nspans = 0;
	s->full = false;
	s->work = 0;
	s->budget = (uint64_t)len * WORK_PER_BYTE + WORK_MIN;
	s->stats.texts++;
	for (size_t off = 0; off < len && !s->full; off += CHUNK) {
		unsigned clen = (unsigned)(len - off < CHUNK ? len - off : CHUNK);
		uint64_t t0 = s->timing ? now_ns() : 0, t1;

		rc = p1scan_chunk(db, s, off, off + clen);
		t1 = s->timing ? now_ns() : 0;
		if (rc)
			break;
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
	for (size_t i = 0; i < s->nspans; i++)
		s->last[spans[i].rule] = -1;
	s->nhits = s->npend = s->ncarry = 0;
	s->text = NULL;
	if (rc)
		return rc;
	*n = s->nspans;
	*truncated = s->full;
	return VG_OK;
}


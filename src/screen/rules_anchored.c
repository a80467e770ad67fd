#include "base/compat.h"
#include "screen/rules_impl.h"

/*
 * The steps of phase two that are read outside its hot loop
 * (rules_impl.h): anchored vectorscan scans, on a reversed copy of the
 * text for the part before a factor, and word gaps.
 */

/* The length of the UTF-8 sequence that starts with c (the text is valid UTF-8). */
static size_t utf8_seqlen(unsigned char c)
{
	return c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
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
int anchored_scan(const struct rules_db *db, struct rules_scratch *s, const struct op *op,
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
 * The ends of the word gap op (OP_WORDS) read from x: in each run of
 * non-word characters it reads, every character boundary after the run's
 * first character, from the run after its min-th word on. Each run but
 * the first follows a word, and there are at most max words. \w is ASCII
 * and UTF-8 continuation bytes are not word bytes, so the runs are found
 * byte by byte; a boundary is a byte that does not continue a character.
 */
int wordgap_ends(struct rules_scratch *s, const struct op *op, bool reverse, uint32_t x,
		 struct posv *next)
{
	const unsigned char *t = (const unsigned char *)s->text;
	uint32_t len = (uint32_t)s->len, y = x, from;
	int rc = VG_OK;

	for (uint32_t k = 0;; k++) {
		from = y;
		if (!reverse) {
			while (!rc && y < len && !is_word(t[y])) {
				y++;
				if (k >= op->min && (y == len || (t[y] & 0xc0) != 0x80))
					rc = posv_push(next, y);
			}
		} else {
			while (!rc && y > 0 && !is_word(t[y - 1])) {
				y--;
				if (k >= op->min && (t[y] & 0xc0) != 0x80)
					rc = posv_push(next, y);
			}
		}
		if (rc || y == from || k == op->max)
			break;
		if (!reverse) {
			while (y < len && is_word(t[y]))
				y++;
		} else {
			while (y > 0 && is_word(t[y - 1]))
				y--;
		}
	}
	return rc;
}

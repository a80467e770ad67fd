#include "base/compat.h"
#include "screen/norm.h"

#include <pthread.h>

#include <unicode/uchar.h>
#include <unicode/uspoof.h>
#include <unicode/utf16.h>
#include <utf8proc.h>

#include "screen/swar.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/*
 * The work is split in two paths. Plain ASCII, which is nearly all of the
 * text the screen reads, is folded sixteen bytes at a time (SSE2, on every
 * x86-64) or eight (SWAR, elsewhere and for the tails) with no library
 * calls. Everything else is read one grapheme cluster at a time (so that a
 * letter and the accents written after it are normalised together) and
 * every output byte of a cluster maps back to the whole cluster.
 */

/*
 * NFKC without case folding, accents and other marks removed, default
 * ignorable characters (zero-width space, soft hyphen, joiners) dropped, and
 * look-alike punctuation lumped to ASCII (en dash to "-", fraction slash to
 * "/", the various spaces to " "). Case is folded later, after the
 * look-alike step, because upper-case Cyrillic letters have more Latin twins
 * than lower-case ones ("Н" reads as "H", "н" as a small capital).
 */
#define NFKC_OPTS (UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_STRIPMARK | \
		   UTF8PROC_IGNORE | UTF8PROC_LUMP)
#define FOLD_OPTS (NFKC_OPTS | UTF8PROC_CASEFOLD)

/* utf8proc decomposes one code point into at most 18 (U+FDFA). */
#define DECOMP_MAX 18
/* A longer cluster (a letter with hundreds of marks) is read in pieces. */
#define CLUSTER_MAX 16
/* Skeletons of one code point are short; longer ones are not used. */
#define SKEL_MAX 16
/* Room for what one code point of a cluster can become. */
#define PIECE_MAX (DECOMP_MAX * SKEL_MAX)

/*
 * Single code points, with what they became. What a code point becomes
 * never changes, so the cache is kept with the struct norm between calls.
 */
#define CACHE_SIZE 256

struct cache_entry {
	int32_t cp;       /* 0 when empty: NUL never takes the slow path */
	uint8_t len;
	char bytes[27];
};

struct norm_cache {
	struct cache_entry e[CACHE_SIZE];
};

struct out {
	struct norm *n;
	size_t len;
	size_t max;       /* the most bytes the normalised text may take */
	int space;        /* the last byte written is a space that may grow */
};

/*
 * ASCII folding: upper case to lower case, every control character and
 * white space (NUL included) to ' ', everything else unchanged.
 */
static const unsigned char ascii_fold[128] = {
	' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ',
	' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ',
	' ', '!', '"', '#', '$', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/',
	'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?',
	'@', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
	'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', '[', '\\', ']', '^', '_',
	'`', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
	'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', '{', '|', '}', '~', ' ',
};

/*
 * One read-only checker serves every thread: uspoof_getSkeleton() takes a
 * const checker and ICU documents such calls as thread-safe. It is created
 * on first need and never changed afterwards, so it is not state that
 * differs between calls; it lives until the process exits.
 */
static pthread_once_t spoof_once = PTHREAD_ONCE_INIT;
static USpoofChecker *spoof_checker;

static void spoof_open(void)
{
	UErrorCode st = U_ZERO_ERROR;
	USpoofChecker *sc = uspoof_open(&st);

	if (U_FAILURE(st)) {
		if (sc)
			uspoof_close(sc);
		return;
	}
	spoof_checker = sc;
}

static const USpoofChecker *spoof_get(void)
{
	pthread_once(&spoof_once, spoof_open);
	return spoof_checker;
}

void norm_init(struct norm *n)
{
	n->text = NULL;
	n->len = 0;
	n->from = NULL;
	n->to = NULL;
	n->cap = 0;
	n->cache = NULL;
}

void norm_release(struct norm *n)
{
	free(n->text);
	free(n->from);
	free(n->to);
	free(n->cache);
	norm_init(n);
}

/* Makes room for extra more bytes (and the terminator) in the output. */
static int reserve(struct out *o, size_t extra)
{
	struct norm *n = o->n;
	size_t need = o->len + extra, cap;
	char *text;
	uint32_t *from, *to;

	if (need <= n->cap)
		return VG_OK;
	if (need > o->max)
		return VG_TOOBIG;
	cap = n->cap ? n->cap : 64;
	while (cap < need)
		cap *= 2;
	if (cap > o->max)
		cap = o->max;
	text = realloc(n->text, cap + 1);
	if (!text)
		return VG_NOMEM;
	n->text = text;
	from = realloc(n->from, cap * sizeof(*from));
	if (!from)
		return VG_NOMEM;
	n->from = from;
	to = realloc(n->to, cap * sizeof(*to));
	if (!to)
		return VG_NOMEM;
	n->to = to;
	n->cap = cap;
	return VG_OK;
}

/* Writes one space for the source [start, end), or widens the last one. */
static int put_space(struct out *o, size_t start, size_t end)
{
	struct norm *n = o->n;
	int rc;

	if (o->space) {
		n->to[o->len - 1] = (uint32_t)end;
		return VG_OK;
	}
	rc = reserve(o, 1);
	if (rc)
		return rc;
	n->text[o->len] = ' ';
	n->from[o->len] = (uint32_t)start;
	n->to[o->len] = (uint32_t)end;
	o->len++;
	o->space = 1;
	return VG_OK;
}

static int put_bytes(struct out *o, const char *s, size_t len, size_t start, size_t end)
{
	struct norm *n = o->n;
	size_t i;
	int rc;

	if (!len)
		return VG_OK;
	rc = reserve(o, len);
	if (rc)
		return rc;
	for (i = 0; i < len; i++) {
		n->text[o->len] = s[i];
		n->from[o->len] = (uint32_t)start;
		n->to[o->len] = (uint32_t)end;
		o->len++;
	}
	o->space = 0;
	return VG_OK;
}

/*
 * from[w..w+8) = i, i+1, ... and to[w..w+8) = i+1, i+2, ...: the offsets of
 * eight bytes that map one to one. Four 16-byte stores rather than sixteen
 * of four bytes: the stores were what this path spent its time on.
 */
static inline void offsets8(uint32_t *from, uint32_t *to, size_t w, size_t i)
{
#if defined(__SSE2__)
	__m128i a = _mm_add_epi32(_mm_set1_epi32((int)i), _mm_setr_epi32(0, 1, 2, 3));
	__m128i four = _mm_set1_epi32(4), one = _mm_set1_epi32(1);
	__m128i b = _mm_add_epi32(a, four);

	_mm_storeu_si128((__m128i *)(void *)(from + w), a);
	_mm_storeu_si128((__m128i *)(void *)(from + w + 4), b);
	_mm_storeu_si128((__m128i *)(void *)(to + w), _mm_add_epi32(a, one));
	_mm_storeu_si128((__m128i *)(void *)(to + w + 4), _mm_add_epi32(b, one));
#else
	for (unsigned j = 0; j < 8; j++) {
		from[w + j] = (uint32_t)(i + j);
		to[w + j] = (uint32_t)(i + j + 1);
	}
#endif
}

/*
 * Folds the eight ASCII bytes at in[i] to text[w] when each maps to one
 * byte: no two white space bytes together, none right after a space
 * already written, no DEL. Returns 0 and writes nothing otherwise.
 */
static int fold8(const unsigned char *in, size_t i, char *text, uint32_t *from,
		 uint32_t *to, size_t w, int *space)
{
	uint64_t x = swar_load8(in + i), sp, upper, y;

	sp = swar_between(x, -1, ' ' + 1);
	if ((sp & (sp << 8)) || (*space && (sp & 0x80)) || swar_between(x, 0x7e, 0x80))
		return 0;
	upper = swar_between(x, 'A' - 1, 'Z' + 1);
	sp = (sp >> 7) * 0xff;
	y = ((x | (upper >> 2)) & ~sp) | (sp & (SWAR_ONES * ' '));
	swar_store8((unsigned char *)text + w, y);
	offsets8(from, to, w, i);
	*space = (int)(sp >> 63);
	return 1;
}

#if defined(__SSE2__)
/*
 * fold8() for the sixteen ASCII bytes at in[i], with SSE2: the same test
 * and the same bytes, sixteen at a time. The bytes are ASCII, so signed
 * comparisons order them as unsigned ones would.
 */
static int fold16(const unsigned char *in, size_t i, char *text, uint32_t *from,
		  uint32_t *to, size_t w, int *space)
{
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(in + i));
	__m128i sp = _mm_cmplt_epi8(x, _mm_set1_epi8(' ' + 1));
	__m128i upper = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('A' - 1)),
				      _mm_cmplt_epi8(x, _mm_set1_epi8('Z' + 1)));
	unsigned spm = (unsigned)_mm_movemask_epi8(sp);
	__m128i y;

	if ((spm & (spm << 1)) || (*space && (spm & 1)) ||
	    _mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f))))
		return 0;
	y = _mm_or_si128(x, _mm_and_si128(upper, _mm_set1_epi8(0x20)));
	y = _mm_or_si128(_mm_andnot_si128(sp, y), _mm_and_si128(sp, _mm_set1_epi8(' ')));
	_mm_storeu_si128((__m128i *)(void *)(text + w), y);
	offsets8(from, to, w, i);
	offsets8(from, to, w + 8, i + 8);
	*space = (int)(spm >> 15);
	return 1;
}
#endif

/* The fast path: len bytes of ASCII at in[start]. */
static int put_ascii(struct out *o, const unsigned char *in, size_t start, size_t len)
{
	struct norm *n = o->n;
	char *text;
	uint32_t *from, *to;
	size_t i = start, w, end = start + len, stop;
	int space = o->space, rc;

	rc = reserve(o, len);
	if (rc)
		return rc;
	text = n->text;
	from = n->from;
	to = n->to;
	w = o->len;
	while (i < end) {
#if defined(__SSE2__)
		if (end - i >= 16 && fold16(in, i, text, from, to, w, &space)) {
			i += 16;
			w += 16;
			continue;
		}
#endif
		if (end - i >= 8 && fold8(in, i, text, from, to, w, &space)) {
			i += 8;
			w += 8;
			continue;
		}
		for (stop = end - i >= 8 ? i + 8 : end; i < stop; i++) {
			unsigned char c = ascii_fold[in[i]];

			if (c == ' ') {
				if (space) {
					to[w - 1] = (uint32_t)(i + 1);
					continue;
				}
				space = 1;
			} else {
				space = 0;
			}
			text[w] = (char)c;
			from[w] = (uint32_t)i;
			to[w] = (uint32_t)(i + 1);
			w++;
		}
	}
	o->len = w;
	o->space = space;
	return VG_OK;
}

static int is_letter(int32_t cp)
{
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_LU:
	case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
		return 1;
	default:
		return 0;
	}
}

static int is_space(int32_t cp)
{
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_ZS:
	case UTF8PROC_CATEGORY_ZL:
	case UTF8PROC_CATEGORY_ZP:
	case UTF8PROC_CATEGORY_CC:
		return 1;
	default:
		return 0;
	}
}

/*
 * The ASCII digit a code point stands for, or -1: every Unicode decimal
 * digit (Nd), and the other single-digit numbers (No) that NFKC leaves
 * alone, such as the dingbat "❶".
 */
static int digit_value(int32_t cp)
{
	utf8proc_category_t cat = utf8proc_category(cp);
	double v;

	if (cat == UTF8PROC_CATEGORY_ND)
		return u_charDigitValue(cp);
	if (cat != UTF8PROC_CATEGORY_NO)
		return -1;
	v = u_getNumericValue(cp);
	if (v >= 0 && v <= 9 && v == (double)(int)v)
		return (int)v;
	return -1;
}

/* Case-folds cp (NFKC, no marks) into buf; returns how many code points. */
static size_t fold_cp(int32_t cp, int32_t *buf, size_t size)
{
	utf8proc_ssize_t k;

	assert(size >= DECOMP_MAX);
	k = utf8proc_decompose_char(cp, buf, (utf8proc_ssize_t)size, FOLD_OPTS, NULL);
	assert(k >= 0 && (size_t)k <= size);
	k = utf8proc_normalize_utf32(buf, k, FOLD_OPTS);
	assert(k >= 0);
	return (size_t)k;
}

/*
 * The Latin skeleton of one letter when it is made only of ASCII letters
 * (Cyrillic "а" gives "a"), lower case, in out; 0 otherwise. Skeletons that
 * turn a letter into a digit (Cyrillic "З" gives "3") are not used: digits
 * are read by the entity extractors, which know when they are in a number.
 */
static size_t skeleton_ascii(const USpoofChecker *sc, int32_t cp, char *out, size_t size)
{
	UChar in[2], skel[SKEL_MAX];
	UErrorCode st = U_ZERO_ERROR;
	int32_t in_len = 0, skel_len, i = 0;
	size_t len = 0;

	U16_APPEND_UNSAFE(in, in_len, cp);
	skel_len = uspoof_getSkeleton(sc, 0, in, in_len, skel, SKEL_MAX, &st);
	if (U_FAILURE(st))
		return 0;
	while (i < skel_len) {
		int32_t buf[DECOMP_MAX], c;
		size_t k, j;

		U16_NEXT(skel, i, skel_len, c);
		k = fold_cp(c, buf, ARRAY_SIZE(buf));
		for (j = 0; j < k; j++) {
			if (buf[j] < 'a' || buf[j] > 'z' || len == size)
				return 0;
			out[len++] = (char)buf[j];
		}
	}
	return len;
}

/* Appends the UTF-8 of cp to piece; returns the new length. */
static size_t piece_add(char *piece, size_t len, int32_t cp)
{
	assert(len + 4 <= PIECE_MAX);
	return len + (size_t)utf8proc_encode_char(cp, (utf8proc_uint8_t *)piece + len);
}

/*
 * What one non-space code point of a normalised cluster becomes: its ASCII
 * digit; for a letter, its Latin skeleton when that is ASCII letters, else
 * its case folding (with the skeletons of what that is made of); anything
 * else stays as it is.
 */
static int map_cp(int32_t cp, char *piece, size_t *piece_len)
{
	const USpoofChecker *sc;
	int32_t folded[DECOMP_MAX];
	size_t len = *piece_len, k, i, s;
	int d;

	if (cp < 0x80) {
		piece[len++] = (char)ascii_fold[cp];
		*piece_len = len;
		return VG_OK;
	}
	d = digit_value(cp);
	if (d >= 0) {
		piece[len++] = (char)('0' + d);
		*piece_len = len;
		return VG_OK;
	}
	if (!is_letter(cp)) {
		*piece_len = piece_add(piece, len, cp);
		return VG_OK;
	}
	sc = spoof_get();
	if (!sc)
		return VG_INTERNAL;
	s = skeleton_ascii(sc, cp, piece + len, SKEL_MAX);
	if (s) {
		*piece_len = len + s;
		return VG_OK;
	}
	k = fold_cp(cp, folded, ARRAY_SIZE(folded));
	for (i = 0; i < k; i++) {
		if (folded[i] < 0x80) {
			piece[len++] = (char)ascii_fold[folded[i]];
			continue;
		}
		s = is_letter(folded[i]) ? skeleton_ascii(sc, folded[i], piece + len, SKEL_MAX) : 0;
		if (s)
			len += s;
		else
			len = piece_add(piece, len, folded[i]);
	}
	*piece_len = len;
	return VG_OK;
}

/*
 * Normalises the cluster cps[0..count) whose source is [start, end) and
 * writes it out.
 */
static int put_cluster(struct out *o, const int32_t *cps, size_t count,
		       size_t start, size_t end)
{
	int32_t buf[CLUSTER_MAX * DECOMP_MAX];
	size_t k = 0, i;
	utf8proc_ssize_t m;
	int rc;

	for (i = 0; i < count; i++) {
		m = utf8proc_decompose_char(cps[i], buf + k,
			(utf8proc_ssize_t)(ARRAY_SIZE(buf) - k), NFKC_OPTS, NULL);
		assert(m >= 0 && (size_t)m <= ARRAY_SIZE(buf) - k);
		k += (size_t)m;
	}
	m = utf8proc_normalize_utf32(buf, (utf8proc_ssize_t)k, NFKC_OPTS);
	assert(m >= 0);
	k = (size_t)m;
	for (i = 0; i < k; i++) {
		char piece[PIECE_MAX];
		size_t len = 0;

		if (buf[i] < 0x80 ? ascii_fold[buf[i]] == ' ' : is_space(buf[i])) {
			rc = put_space(o, start, end);
		} else {
			rc = map_cp(buf[i], piece, &len);
			if (!rc)
				rc = put_bytes(o, piece, len, start, end);
		}
		if (rc)
			return rc;
	}
	return VG_OK;
}

/*
 * A cluster of one non-ASCII code point, the common case in text that is
 * not ASCII: what it becomes is looked up in, or added to, the cache.
 */
static int put_single(struct out *o, int32_t cp, size_t start, size_t end)
{
	struct cache_entry *e = &o->n->cache->e[(uint32_t)cp % CACHE_SIZE];
	size_t len0 = o->len;
	int space0 = o->space, rc;

	if (e->cp == cp)
		return put_bytes(o, e->bytes, e->len, start, end);
	rc = put_cluster(o, &cp, 1, start, end);
	if (rc)
		return rc;
	/*
	 * Output with a space in it depends on what came before (runs of
	 * space are merged), so it is not kept; nor is output that may have
	 * been a space merged into the one before.
	 */
	if (o->len - len0 > sizeof(e->bytes) || o->space || (space0 && o->len == len0) ||
	    memchr(o->n->text + len0, ' ', o->len - len0))
		return VG_OK;
	e->cp = cp;
	e->len = (uint8_t)(o->len - len0);
	if (e->len)
		memcpy(e->bytes, o->n->text + len0, e->len);
	return VG_OK;
}

/*
 * Whether c starts a character of U+0080..U+00FF (Latin-1: the accented
 * letters of Spanish, "¿", "¡", the no-break space). None of them is a
 * mark, a joiner or a prefix (Unicode's Extend, ZWJ, SpacingMark and
 * Prepend), so there is always a break between one of them and ASCII on
 * either side: neither joins a cluster with an ASCII neighbour.
 */
static bool latin1_lead(unsigned char c)
{
	return c == 0xc2 || c == 0xc3;
}

/* The slow path: one grapheme cluster (or CLUSTER_MAX code points of it). */
static int put_slow(struct out *o, const unsigned char *in, size_t len, size_t *pos)
{
	int32_t cps[CLUSTER_MAX];
	utf8proc_int32_t cp, state = 0;
	utf8proc_ssize_t k;
	size_t start = *pos, end = *pos, count = 0;
	int rc;

	k = utf8proc_iterate(in + end, (utf8proc_ssize_t)(len - end), &cp);
	if (k <= 0)
		return VG_UTF8;
	cps[count++] = cp;
	end += (size_t)k;
	/* A Latin-1 letter before ASCII is a cluster of its own (see latin1_lead()). */
	while (end < len && count < CLUSTER_MAX &&
	       !(latin1_lead(in[start]) && in[end] < 0x80)) {
		utf8proc_int32_t next;

		k = utf8proc_iterate(in + end, (utf8proc_ssize_t)(len - end), &next);
		if (k <= 0)
			break;
		if (utf8proc_grapheme_break_stateful(cps[count - 1], next, &state))
			break;
		cps[count++] = next;
		end += (size_t)k;
	}
	if (count == 1 && cp < 0x80)
		rc = put_ascii(o, in, start, 1);
	else if (count == 1)
		rc = put_single(o, cp, start, end);
	else
		rc = put_cluster(o, cps, count, start, end);
	if (rc)
		return rc;
	*pos = end;
	return VG_OK;
}

/*
 * The length of the run of ASCII bytes at in[i]: sixteen bytes at a time
 * where SSE2 is there (every x86-64), then eight, then one.
 */
static size_t ascii_run(const unsigned char *in, size_t len, size_t i)
{
	size_t j = i;

#if defined(__SSE2__)
	while (len - j >= 16) {
		unsigned m = (unsigned)_mm_movemask_epi8(
			_mm_loadu_si128((const __m128i *)(const void *)(in + j)));

		if (m)
			return j + (size_t)__builtin_ctz(m) - i;
		j += 16;
	}
#endif
	while (len - j >= 8) {
		uint64_t w = swar_load8(in + j) & SWAR_HIGH;

		if (w)
			return j + (size_t)__builtin_ctzll(w) / 8 - i;
		j += 8;
	}
	while (j < len && in[j] < 0x80)
		j++;
	return j - i;
}

int norm_text(struct norm *n, const char *text, size_t len)
{
	const unsigned char *in = (const unsigned char *)text;
	struct out o = { .n = n };
	size_t i = 0;
	int rc;

	if (len > NORM_MAX_INPUT)
		return VG_TOOBIG;
	/*
	 * Compatibility forms can grow a lot (U+FDFA is 3 bytes and becomes
	 * 33); a text made of them is refused rather than let it take memory
	 * without bound.
	 */
	o.max = 4 * len + 64;
	n->len = 0;
	rc = reserve(&o, len + 1);
	if (rc)
		goto out;
	while (i < len) {
		size_t run = ascii_run(in, len, i);

		/*
		 * The last ASCII byte before other text may start a cluster
		 * with the marks that follow it ("e" and U+0301), unless what
		 * follows is a character of Latin-1 (see latin1_lead()).
		 */
		if (i + run < len && run > 0 && !latin1_lead(in[i + run]))
			run--;
		if (run) {
			rc = put_ascii(&o, in, i, run);
			if (rc)
				goto out;
			i += run;
			continue;
		}
		if (!n->cache) {
			n->cache = calloc(1, sizeof(*n->cache));
			if (!n->cache) {
				rc = VG_NOMEM;
				goto out;
			}
		}
		rc = put_slow(&o, in, len, &i);
		if (rc)
			goto out;
	}
	n->len = o.len;
out:
	if (rc)
		n->len = 0;
	if (n->text)
		n->text[n->len] = '\0';
	return rc;
}

void norm_span(const struct norm *n, size_t a, size_t b, size_t *start, size_t *end)
{
	assert(a < b && b <= n->len);
	*start = n->from[a];
	*end = n->to[b - 1];
}

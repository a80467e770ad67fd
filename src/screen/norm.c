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
	uint8_t alone;    /* ALONE_BEFORE, ALONE_AFTER */
	char bytes[26];
};

/*
 * What a cached character does next to ASCII, as utf8proc's grapheme
 * rules say (asked once, when the entry is made): ALONE_BEFORE, there is a
 * break between an ASCII byte and it (it is not a mark or a joiner that
 * extends the byte's cluster); ALONE_AFTER, there is one between it and an
 * ASCII byte (it is not a prefix). The rules treat every printable ASCII
 * byte alike, and break around control characters in any case.
 */
#define ALONE_BEFORE 1u
#define ALONE_AFTER 2u

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

#if !defined(__SSE2__)
/*
 * from[w..w+8) = i, i+1, ... and to[w..w+8) = i+1, i+2, ...: the offsets of
 * eight bytes that map one to one.
 */
static void offsets8(uint32_t *from, uint32_t *to, size_t w, size_t i)
{
	for (unsigned j = 0; j < 8; j++) {
		from[w + j] = (uint32_t)(i + j);
		to[w + j] = (uint32_t)(i + j + 1);
	}
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
#endif

#if defined(__SSE2__)
/* Whether the sixteen bytes at p are all ASCII. */
static inline bool ascii16(const unsigned char *p)
{
	return !_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(const void *)p));
}

/* Stores four offsets at p. */
static inline void store4(uint32_t *p, __m128i v)
{
	_mm_storeu_si128((__m128i *)(void *)p, v);
}

/*
 * Folds the ASCII bytes at in[i] to text[w] sixteen at a time, with SSE2,
 * up to the first that does not map to one byte (white space after white
 * space or after a space already written, DEL) or r bytes, whichever comes
 * first, and returns how many it folded (0 to r). It loads and stores
 * sixteen bytes and sixteen offsets whatever r is: the caller makes sure
 * in[i..i+16) may be read and text, from and to have room for sixteen more
 * at w. The bytes are ASCII, so signed comparisons order them as unsigned
 * ones would.
 */
static inline __attribute__((always_inline)) size_t
fold16(const unsigned char *in, size_t i, size_t r, char *text, uint32_t *from, uint32_t *to,
       size_t w, int *space)
{
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(in + i));
	unsigned spm = (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(x, _mm_set1_epi8(' ' + 1)));
	unsigned del = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f)));
	unsigned bad = ((spm & ((spm << 1) | (unsigned)*space)) | del) &
		       (0xffffu >> (16 - r));
	size_t k = bad ? (size_t)__builtin_ctz(bad) : r;
	/* 'A' to 'Z' are the bytes that x + 63 takes below -128 + 26. */
	__m128i upper = _mm_cmplt_epi8(_mm_add_epi8(x, _mm_set1_epi8(63)),
				       _mm_set1_epi8(-128 + 26));
	__m128i y = _mm_or_si128(_mm_max_epu8(x, _mm_set1_epi8(' ')),
				 _mm_and_si128(upper, _mm_set1_epi8(0x20)));
	__m128i b = _mm_set1_epi32((int)i);

	if (!k)
		return 0;
	_mm_storeu_si128((__m128i *)(void *)(text + w), y);
	store4(from + w, _mm_add_epi32(b, _mm_setr_epi32(0, 1, 2, 3)));
	store4(from + w + 4, _mm_add_epi32(b, _mm_setr_epi32(4, 5, 6, 7)));
	store4(from + w + 8, _mm_add_epi32(b, _mm_setr_epi32(8, 9, 10, 11)));
	store4(from + w + 12, _mm_add_epi32(b, _mm_setr_epi32(12, 13, 14, 15)));
	store4(to + w, _mm_add_epi32(b, _mm_setr_epi32(1, 2, 3, 4)));
	store4(to + w + 4, _mm_add_epi32(b, _mm_setr_epi32(5, 6, 7, 8)));
	store4(to + w + 8, _mm_add_epi32(b, _mm_setr_epi32(9, 10, 11, 12)));
	store4(to + w + 12, _mm_add_epi32(b, _mm_setr_epi32(13, 14, 15, 16)));
	*space = (int)(spm >> (k - 1) & 1);
	return k;
}
#endif

/*
 * One ASCII byte at in[i], folded to text[w] or merged into the space
 * before it; returns the new w.
 */
static size_t fold1(const unsigned char *in, size_t i, char *text, uint32_t *from,
		    uint32_t *to, size_t w, int *space)
{
	unsigned char c = ascii_fold[in[i]];

	if (c == ' ') {
		if (*space) {
			to[w - 1] = (uint32_t)(i + 1);
			return w;
		}
		*space = 1;
	} else {
		*space = 0;
	}
	text[w] = (char)c;
	from[w] = (uint32_t)i;
	to[w] = (uint32_t)(i + 1);
	return w + 1;
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
	utf8proc_int32_t state;

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
	e->alone = 0;
	state = 0;
	if (utf8proc_grapheme_break_stateful('a', cp, &state))
		e->alone |= ALONE_BEFORE;
	state = 0;
	if (utf8proc_grapheme_break_stateful(cp, 'a', &state))
		e->alone |= ALONE_AFTER;
	return VG_OK;
}

/*
 * Decodes the character at in[i] when it is two to four bytes of valid
 * UTF-8: returns its length and sets *cp; 0 for anything else (ASCII,
 * invalid or cut-off sequences, overlong forms, surrogates), which the
 * callers leave to the slow path and its checks.
 */
static size_t utf8_decode(const unsigned char *in, size_t len, size_t i, int32_t *cp)
{
	unsigned c = in[i];
	uint32_t v;

	if (c < 0xc2 || c > 0xf4)
		return 0;
	if (c < 0xe0) {
		if (len - i < 2 || (in[i + 1] & 0xc0) != 0x80)
			return 0;
		*cp = (int32_t)((c & 0x1fu) << 6 | (in[i + 1] & 0x3fu));
		return 2;
	}
	if (c < 0xf0) {
		if (len - i < 3 || (in[i + 1] & 0xc0) != 0x80 || (in[i + 2] & 0xc0) != 0x80)
			return 0;
		v = (c & 0x0fu) << 12 | (in[i + 1] & 0x3fu) << 6 | (in[i + 2] & 0x3fu);
		if (v < 0x800 || (v >= 0xd800 && v < 0xe000))
			return 0;
		*cp = (int32_t)v;
		return 3;
	}
	if (len - i < 4 || (in[i + 1] & 0xc0) != 0x80 || (in[i + 2] & 0xc0) != 0x80 ||
	    (in[i + 3] & 0xc0) != 0x80)
		return 0;
	v = (c & 0x07u) << 18 | (in[i + 1] & 0x3fu) << 12 | (in[i + 2] & 0x3fu) << 6 |
	    (in[i + 3] & 0x3fu);
	if (v < 0x10000 || v > 0x10ffff)
		return 0;
	*cp = (int32_t)v;
	return 4;
}

/*
 * The cache entry of the character at in[i] when it has one, with *size
 * set to the character's length; NULL otherwise.
 */
static const struct cache_entry *cache_at(const struct norm *n, const unsigned char *in,
					  size_t len, size_t i, size_t *size)
{
	const struct cache_entry *e;
	int32_t cp;

	if (!n->cache || !(*size = utf8_decode(in, len, i, &cp)))
		return NULL;
	e = &n->cache->e[(uint32_t)cp % CACHE_SIZE];
	return e->cp == cp ? e : NULL;
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
	if (count == 1 && cp < 0x80) {
		rc = reserve(o, 1);
		if (!rc)
			o->len = fold1(in, start, o->n->text, o->n->from, o->n->to, o->len,
				       &o->space);
	} else if (count == 1)
		rc = put_single(o, cp, start, end);
	else
		rc = put_cluster(o, cps, count, start, end);
	if (rc)
		return rc;
	*pos = end;
	return VG_OK;
}

/*
 * Whether the cached character e ends its cluster, the next character
 * starting at in[j]: after it comes the end, ASCII after which the cache
 * says there is a break, or a character utf8proc breaks from it (asked as
 * the slow path would ask it, with a fresh state).
 */
static bool alone_after(const struct cache_entry *e, const unsigned char *in, size_t len,
			size_t j)
{
	utf8proc_int32_t state = 0;
	int32_t next;

	if (j == len || in[j] < 0x80)
		return e->alone & ALONE_AFTER;
	return utf8_decode(in, len, j, &next) &&
	       utf8proc_grapheme_break_stateful(e->cp, next, &state);
}

/*
 * How many of the (at most) sixteen bytes at in[i] are ASCII before the
 * first that is not: one load where SSE2 is there (every x86-64) and the
 * text goes on for sixteen bytes, else one byte at a time.
 */
static size_t ascii_prefix(const unsigned char *in, size_t len, size_t i)
{
	size_t j = i, stop = len - i < 16 ? len : i + 16;

#if defined(__SSE2__)
	if (len - i >= 16) {
		unsigned m = (unsigned)_mm_movemask_epi8(
			_mm_loadu_si128((const __m128i *)(const void *)(in + i)));

		return m ? (size_t)__builtin_ctz(m) : 16;
	}
#endif
	while (j < stop && in[j] < 0x80)
		j++;
	return j - i;
}

/*
 * Folds the r ASCII bytes at in[i] to the output at *w (which has room for
 * them): with SSE2 every stretch of bytes that map one to one sixteen at a
 * time, when the text and the output have room for a whole load and store;
 * elsewhere eight at a time (SWAR) where a whole word maps one to one; the
 * bytes that merge into a space and DEL one by one.
 */
static void fold_run(struct norm *n, const unsigned char *in, size_t len, size_t i, size_t r,
		     size_t *w, int *space)
{
	size_t end = i + r, o = *w;

	while (i < end) {
#if defined(__SSE2__)
		if (len - i >= 16 && n->cap - o >= 16) {
			size_t k = fold16(in, i, end - i, n->text, n->from, n->to, o, space);

			i += k;
			o += k;
			if (i == end)
				break;
		}
#else
		(void)len;
		if (end - i >= 8 && fold8(in, i, n->text, n->from, n->to, o, space)) {
			i += 8;
			o += 8;
			continue;
		}
#endif
		o = fold1(in, i++, n->text, n->from, n->to, o, space);
	}
	*w = o;
}

/*
 * The fast path, from in[*pos] up to the first byte that needs the slow
 * path (or the end), where it leaves *pos: ASCII, read sixteen bytes at a
 * time, and characters the cache holds that are a cluster of their own
 * (the accents and emoji of most texts), written as the cache says; when
 * ASCII or the end follows one, without asking utf8proc at all. The last
 * ASCII byte before other text may start a cluster with the marks that
 * follow it ("e" and U+0301), so it is left to the slow path unless what
 * follows is a character of Latin-1 (see latin1_lead()) or one the cache
 * knows is not such a mark.
 */
static int put_fast(struct out *o, const unsigned char *in, size_t len, size_t *pos)
{
	struct norm *n = o->n;
	size_t i = *pos, w = o->len;
	int space = o->space, rc = VG_OK;

	while (i < len) {
		size_t r, size = 0;
		const struct cache_entry *e;

#if defined(__SSE2__)
		/*
		 * Whole blocks of sixteen ASCII bytes followed by ASCII, the
		 * bulk of most texts, in a loop of their own.
		 */
		while (len - i > 16 && n->cap - w >= 16 && in[i + 16] < 0x80 && ascii16(in + i)) {
			size_t k = fold16(in, i, 16, n->text, n->from, n->to, w, &space);

			i += k;
			w += k;
			if (k < 16)
				w = fold1(in, i++, n->text, n->from, n->to, w, &space);
		}
		if (i == len)
			break;
#endif
		r = ascii_prefix(in, len, i);
		e = NULL;
		if (r) {
			bool hold = false;

			if (i + r < len && in[i + r] >= 0x80) {
				e = cache_at(n, in, len, i + r, &size);
				hold = !latin1_lead(in[i + r]) && !(e && (e->alone & ALONE_BEFORE));
				r -= hold;
			}
			if (n->cap - w < r) {
				o->len = w;
				rc = reserve(o, r);
				if (rc)
					break;
			}
			fold_run(n, in, len, i, r, &w, &space);
			i += r;
			if (hold)
				break;
			if (!e)
				continue;
		} else {
			e = cache_at(n, in, len, i, &size);
		}
		if (!e || !alone_after(e, in, len, i + size))
			break;
		if (e->len) {
			if (n->cap - w < e->len) {
				o->len = w;
				rc = reserve(o, e->len);
				if (rc)
					break;
			}
			for (size_t k = 0; k < e->len; k++, w++) {
				n->text[w] = e->bytes[k];
				n->from[w] = (uint32_t)i;
				n->to[w] = (uint32_t)(i + size);
			}
			space = 0;
		}
		i += size;
	}
	o->len = w;
	o->space = space;
	*pos = i;
	return rc;
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
		rc = put_fast(&o, in, len, &i);
		if (rc || i == len)
			break;
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

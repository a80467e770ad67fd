#include "base/compat.h"
#include "app/ads_json.h"

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull
/* Numbers longer than this are left to jansson, which may find them too big. */
#define NUMBER_MAX 18

/* A value to hand out once the whole line has been read: decoded then if esc. */
struct pending {
	char *s;
	size_t len;
	int esc;
	struct ads_json_str *dst;
};

struct parse {
	const char *end;
	struct ads_json res;
	struct pending pend[ADS_JSON_WANT + ADS_JSON_ITEMS];
	size_t n_pend;
};

/*
 * Strict UTF-8 as jansson checks it: no overlong forms, no surrogates,
 * nothing past U+10FFFF. ASCII is skipped eight bytes at a time.
 */
static int utf8_valid(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned c = s[i], c1;
		uint64_t w;

		if (len - i >= 8) {
			memcpy(&w, s + i, 8);
			if (!(w & HIGHS)) {
				i += 8;
				continue;
			}
		}
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c < 0xc2 || c > 0xf4)
			return 0;
		if (c < 0xe0) {
			if (len - i < 2 || (s[i + 1] & 0xc0) != 0x80)
				return 0;
			i += 2;
			continue;
		}
		if (len - i < 3)
			return 0;
		c1 = s[i + 1];
		if ((c1 & 0xc0) != 0x80 || (s[i + 2] & 0xc0) != 0x80)
			return 0;
		if (c < 0xf0) {
			if ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 > 0x9f))
				return 0;
			i += 3;
			continue;
		}
		if (len - i < 4 || (s[i + 3] & 0xc0) != 0x80 || (c == 0xf0 && c1 < 0x90) ||
		    (c == 0xf4 && c1 > 0x8f))
			return 0;
		i += 4;
	}
	return 1;
}

static char *skip_ws(char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* The value of four hex digits at p (end - p >= 4 checked by the caller), or -1. */
static long hex4(const char *p)
{
	long v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/*
 * p is just after a backslash and "u". Returns after the escape (and the
 * low half of a surrogate pair), or NULL for what jansson refuses: "\u0000"
 * and a surrogate that is not half of a pair.
 */
static char *scan_unicode(char *p, const char *end)
{
	long v, lo;

	if (end - p < 4 || (v = hex4(p)) <= 0)
		return NULL;
	p += 4;
	if (v >= 0xdc00 && v <= 0xdfff)
		return NULL;
	if (v < 0xd800 || v > 0xdbff)
		return p;
	if (end - p < 6 || p[0] != '\\' || p[1] != 'u')
		return NULL;
	lo = hex4(p + 2);
	if (lo < 0xdc00 || lo > 0xdfff)
		return NULL;
	return p + 6;
}

/*
 * p is just after a string's opening quote. Returns its closing quote,
 * and sets *esc when it holds an escape; NULL for a control character, a
 * bad or refused escape, or no closing quote. The bytes are already known
 * to be valid UTF-8.
 */
static char *scan_string(char *p, const char *end, int *esc)
{
	for (;;) {
		unsigned char c;

		/* Eight bytes at a time until one may be a quote, a backslash or a control. */
		while (end - p >= 8) {
			uint64_t w, q, b, t;

			memcpy(&w, p, 8);
			q = w ^ (0x22 * ONES);
			b = w ^ (0x5c * ONES);
			t = ((q - ONES) & ~q) | ((b - ONES) & ~b) | ((w - 0x20 * ONES) & ~w);
			if (t & HIGHS)
				break;
			p += 8;
		}
		if (p >= end)
			return NULL;
		c = (unsigned char)*p;
		if (c == '"')
			return p;
		if (c < 0x20)
			return NULL;
		if (c != '\\') {
			p++;
			continue;
		}
		*esc = 1;
		if (end - p < 2)
			return NULL;
		switch (p[1]) {
		case '"':
		case '\\':
		case '/':
		case 'b':
		case 'f':
		case 'n':
		case 'r':
		case 't':
			p += 2;
			break;
		case 'u':
			p = scan_unicode(p + 2, end);
			if (!p)
				return NULL;
			break;
		default:
			return NULL;
		}
	}
}

static size_t put_utf8(char *w, long cp)
{
	if (cp < 0x80) {
		w[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		w[0] = (char)(0xc0 | (cp >> 6));
		w[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		w[0] = (char)(0xe0 | (cp >> 12));
		w[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		w[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	w[0] = (char)(0xf0 | (cp >> 18));
	w[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	w[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	w[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Decodes the escapes of s[0..len), already checked by scan_string(), in
 * place (a decoded escape is never longer than its text); returns the new
 * length.
 */
static size_t decode(char *s, size_t len)
{
	const char *p = s, *end = s + len;
	char *w = s;

	while (p < end) {
		long cp;

		if (*p != '\\') {
			*w++ = *p++;
			continue;
		}
		switch (p[1]) {
		case 'b':
			*w++ = '\b';
			break;
		case 'f':
			*w++ = '\f';
			break;
		case 'n':
			*w++ = '\n';
			break;
		case 'r':
			*w++ = '\r';
			break;
		case 't':
			*w++ = '\t';
			break;
		case 'u':
			cp = hex4(p + 2);
			if (cp >= 0xd800 && cp <= 0xdbff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (hex4(p + 8) - 0xdc00);
				p += 6;
			}
			w += put_utf8(w, cp);
			p += 4;
			break;
		default: /* '"', '\\' and '/' stand for themselves */
			*w++ = p[1];
			break;
		}
		p += 2;
	}
	return (size_t)(w - s);
}

/* A number, as jansson reads one, short enough never to be too big for it. */
static char *skip_number(char *p, const char *end, int *integer)
{
	char *start = p;

	*integer = 1;
	if (p < end && *p == '-')
		p++;
	if (p < end && *p == '0') {
		p++;
	} else if (p < end && *p >= '1' && *p <= '9') {
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	} else {
		return NULL;
	}
	if (p < end && *p == '.') {
		*integer = 0;
		p++;
		if (p >= end || *p < '0' || *p > '9')
			return NULL;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	/* An exponent could overflow a double: jansson's to judge. */
	if (p < end && (*p == 'e' || *p == 'E'))
		return NULL;
	return p - start > NUMBER_MAX ? NULL : p;
}

static char *skip_literal(char *p, const char *end, const char *word, size_t len)
{
	return (size_t)(end - p) >= len && !memcmp(p, word, len) ? p + len : NULL;
}

static char *skip_value(char *p, const char *end, int depth);

/*
 * Reads a key at p (which must be a string without escapes) and checks it
 * against the keys seen before in its object. Returns after the colon and
 * white space, with the key in *key.
 */
static char *read_key(char *p, const char *end, struct ads_json_str *seen, size_t *n_seen,
		      struct ads_json_str *key)
{
	size_t i;
	char *q;
	int esc = 0;

	if (p >= end || *p != '"')
		return NULL;
	q = scan_string(p + 1, end, &esc);
	if (!q || esc)
		return NULL;
	key->s = p + 1;
	key->len = (size_t)(q - key->s);
	for (i = 0; i < *n_seen; i++)
		if (seen[i].len == key->len && !memcmp(seen[i].s, key->s, key->len))
			return NULL;
	if (*n_seen == ADS_JSON_KEYS)
		return NULL;
	seen[(*n_seen)++] = *key;
	q = skip_ws(q + 1, end);
	if (q >= end || *q != ':')
		return NULL;
	return skip_ws(q + 1, end);
}

/* After a member or an element: returns after a comma, or sets *closed at the closer. */
static char *next_member(char *p, const char *end, char closer, int *closed)
{
	p = skip_ws(p, end);
	if (p < end && *p == ',')
		return skip_ws(p + 1, end);
	if (p < end && *p == closer) {
		*closed = 1;
		return p + 1;
	}
	return NULL;
}

static char *skip_object(char *p, const char *end, int depth)
{
	struct ads_json_str seen[ADS_JSON_KEYS], key;
	size_t n_seen = 0;
	int closed = 0;

	p = skip_ws(p + 1, end);
	if (p < end && *p == '}')
		return p + 1;
	while (p && !closed) {
		p = read_key(p, end, seen, &n_seen, &key);
		if (p)
			p = skip_value(p, end, depth);
		if (p)
			p = next_member(p, end, '}', &closed);
	}
	return p;
}

static char *skip_array(char *p, const char *end, int depth)
{
	int closed = 0;

	p = skip_ws(p + 1, end);
	if (p < end && *p == ']')
		return p + 1;
	while (p && !closed) {
		p = skip_value(p, end, depth);
		if (p)
			p = next_member(p, end, ']', &closed);
	}
	return p;
}

/* Skips the value at p, of an object or array at depth. */
static char *skip_value(char *p, const char *end, int depth)
{
	int esc = 0, integer;

	if (p >= end)
		return NULL;
	switch (*p) {
	case '"':
		p = scan_string(p + 1, end, &esc);
		return p ? p + 1 : NULL;
	case '{':
		return depth < ADS_JSON_DEPTH ? skip_object(p, end, depth + 1) : NULL;
	case '[':
		return depth < ADS_JSON_DEPTH ? skip_array(p, end, depth + 1) : NULL;
	case 't':
		return skip_literal(p, end, "true", 4);
	case 'f':
		return skip_literal(p, end, "false", 5);
	case 'n':
		return skip_literal(p, end, "null", 4);
	default:
		return skip_number(p, end, &integer);
	}
}

/* Reads a string value into a pending slot for dst. */
static char *take_string(struct parse *ps, char *p, struct ads_json_str *dst)
{
	struct pending *pd = &ps->pend[ps->n_pend];
	char *q;

	if (p >= ps->end || *p != '"')
		return NULL;
	pd->esc = 0;
	q = scan_string(p + 1, ps->end, &pd->esc);
	if (!q)
		return NULL;
	pd->s = p + 1;
	pd->len = (size_t)(q - pd->s);
	pd->dst = dst;
	ps->n_pend++;
	return q + 1;
}

static char *take_list(struct parse *ps, char *p, struct ads_json_str *dst)
{
	int closed = 0;

	if (*p != '[')
		return NULL;
	dst->s = p;
	dst->len = 0;
	ps->res.n_items = 0;
	p = skip_ws(p + 1, ps->end);
	if (p < ps->end && *p == ']')
		return p + 1;
	while (p && !closed) {
		if (ps->res.n_items == ADS_JSON_ITEMS)
			return NULL;
		p = take_string(ps, p, &ps->res.item[ps->res.n_items++]);
		if (p)
			p = next_member(p, ps->end, ']', &closed);
	}
	return p;
}

/* The value of a key asked for: null, or of the key's kind. */
static char *take_value(struct parse *ps, char *p, const struct ads_json_key *k,
			struct ads_json_str *dst)
{
	char *q;
	int integer;

	if (p >= ps->end)
		return NULL;
	if (*p == 'n')
		return skip_literal(p, ps->end, "null", 4);
	if (k->kind == ADS_JSON_LIST)
		return take_list(ps, p, dst);
	if (*p == '"')
		return take_string(ps, p, dst);
	if (k->kind != ADS_JSON_ID || (*p != '-' && (*p < '0' || *p > '9')))
		return NULL;
	/* An integer id is kept as jansson prints it: the same digits, but "-0" is "0". */
	q = skip_number(p, ps->end, &integer);
	if (!q || !integer || (q - p == 2 && p[0] == '-'))
		return NULL;
	dst->s = p;
	dst->len = (size_t)(q - p);
	return q;
}

int ads_json_read(char *line, size_t len, const struct ads_json_key *keys, size_t n,
		  struct ads_json *out)
{
	struct parse ps;
	struct ads_json_str seen[ADS_JSON_KEYS], key;
	size_t n_seen = 0, i;
	char *p;
	int closed = 0;

	assert(n <= ADS_JSON_WANT);
	if (!utf8_valid((const unsigned char *)line, len))
		return 0;
	memset(&ps.res.val, 0, sizeof(ps.res.val));
	ps.res.n_items = 0;
	ps.n_pend = 0;
	ps.end = line + len;
	p = skip_ws(line, ps.end);
	if (p >= ps.end || *p != '{')
		return 0;
	p = skip_ws(p + 1, ps.end);
	if (p < ps.end && *p == '}') {
		p++;
		closed = 1;
	}
	/* Every key goes into seen[], so a key asked for twice is refused as any duplicate is. */
	while (p && !closed) {
		p = read_key(p, ps.end, seen, &n_seen, &key);
		if (!p)
			break;
		for (i = 0; i < n; i++)
			if (strlen(keys[i].name) == key.len && !memcmp(keys[i].name, key.s, key.len))
				break;
		if (i < n)
			p = take_value(&ps, p, &keys[i], &ps.res.val[i]);
		else
			p = skip_value(p, ps.end, 1);
		if (p)
			p = next_member(p, ps.end, '}', &closed);
	}
	if (!p || skip_ws(p, ps.end) != ps.end)
		return 0;
	for (i = 0; i < ps.n_pend; i++) {
		struct pending *pd = &ps.pend[i];

		pd->dst->s = pd->s;
		pd->dst->len = pd->esc ? decode(pd->s, pd->len) : pd->len;
	}
	*out = ps.res;
	return 1;
}

/* Printable ASCII eight bytes at a time, other characters by their bytes. */
int ads_json_plain(const char *str, size_t len, int newlines)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		unsigned c = s[i];
		uint64_t w, del;

		if (len - i >= 8) {
			memcpy(&w, s + i, 8);
			del = w ^ (0x7f * ONES);
			/* No byte with its top bit set, below 0x20, or 0x7f: all printable. */
			if (!((w | ((w - 0x20 * ONES) & ~w) | ((del - ONES) & ~del)) & HIGHS)) {
				i += 8;
				continue;
			}
		}
		if (c < 0x20) {
			if (c != '\t' && !(newlines && (c == '\n' || c == '\r')))
				return 0;
			i++;
		} else if (c < 0x7f) {
			i++;
		} else if (c >= 0xc2 && c < 0xe0) {
			/* U+0080 to U+009F (C2 80 to C2 9F) are the C1 controls. */
			if (len - i < 2 || (s[i + 1] & 0xc0) != 0x80 || (c == 0xc2 && s[i + 1] < 0xa0))
				return 0;
			i += 2;
		} else if (c >= 0xe0 && c < 0xf0) {
			if (len - i < 3 || (s[i + 1] & 0xc0) != 0x80 || (s[i + 2] & 0xc0) != 0x80 ||
			    (c == 0xe0 && s[i + 1] < 0xa0) || (c == 0xed && s[i + 1] > 0x9f))
				return 0;
			i += 3;
		} else if (c >= 0xf0 && c < 0xf5) {
			if (len - i < 4 || (s[i + 1] & 0xc0) != 0x80 || (s[i + 2] & 0xc0) != 0x80 ||
			    (s[i + 3] & 0xc0) != 0x80 || (c == 0xf0 && s[i + 1] < 0x90) ||
			    (c == 0xf4 && s[i + 1] > 0x8f))
				return 0;
			i += 4;
		} else {
			return 0;
		}
	}
	return 1;
}

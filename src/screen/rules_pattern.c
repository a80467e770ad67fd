#include "base/compat.h"
#include "screen/rules_impl.h"

#include <ctype.h>

#include <utf8proc.h>

/*
 * Reading a pattern (rules_impl.h, "Reading a pattern"): a recursive
 * descent over the pattern text into the items and seqs of struct pattern.
 */

#define GROUP_DEPTH_MAX 32

int pattern_init(struct pattern *pt, const char *p)
{
	size_t n;

	memset(pt, 0, sizeof(*pt));
	pt->p = p;
	pt->len = strlen(p);
	n = pt->len + 2;
	pt->items = calloc(n, sizeof(*pt->items));
	pt->seqs = calloc(n, sizeof(*pt->seqs));
	pt->ptrs = calloc(n, sizeof(*pt->ptrs));
	pt->stack = calloc(n, sizeof(*pt->stack));
	pt->seqstack = calloc(n, sizeof(*pt->seqstack));
	if (!pt->items || !pt->seqs || !pt->ptrs || !pt->stack || !pt->seqstack)
		return VG_NOMEM;
	return VG_OK;
}

void pattern_release(struct pattern *pt)
{
	for (size_t i = 0; i < pt->nsets; i++)
		free(pt->sets[i]);
	free(pt->sets);
	for (size_t i = 0; i < pt->nmade; i++) {
		free(pt->made[i]->alts);
		free(pt->made[i]);
	}
	free(pt->made);
	free(pt->items);
	free(pt->seqs);
	free(pt->ptrs);
	free(pt->stack);
	free(pt->seqstack);
	memset(pt, 0, sizeof(*pt));
}

static int unsupported(struct pattern *pt, const char *why)
{
	pt->why = why;
	return VG_INVAL;
}

static char peek(const struct pattern *pt, size_t ahead)
{
	return pt->pos + ahead < pt->len ? pt->p[pt->pos + ahead] : '\0';
}

/*
 * Adds the character cp (UTF-8 in s[0..n)) to the members of a character
 * or class. It can be compared byte for byte with case-folded text when it
 * is its own lower case; an ASCII capital stands for its small letter.
 */
static void member_add(struct item *it, int32_t cp, const char *s, size_t n, bool *listable)
{
	char lower[5];

	if (cp < 128) {
		unsigned c = (unsigned)cp;

		bytes_add(it->bytes, c);
		if (c >= 'A' && c <= 'Z')
			bytes_add(it->bytes, c + 32);
		if (c >= 'a' && c <= 'z')
			bytes_add(it->bytes, c - 32);
		lower[0] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		lower[1] = '\0';
		s = lower;
		n = 1;
	} else {
		it->ascii = false;
		if (utf8proc_tolower(cp) != cp)
			*listable = false;
	}
	if (!*listable)
		return;
	for (uint8_t i = 0; i < it->nchars; i++) {
		if (!strcmp(it->chars[i], s))
			return;
	}
	if (it->nchars == CLASS_CHARS_MAX) {
		*listable = false;
		return;
	}
	memcpy(it->chars[it->nchars], s, n);
	it->chars[it->nchars][n] = '\0';
	it->nchars++;
}

/* Decodes the UTF-8 character at the read position and moves past it. */
/* Moves pt->pos to the "}" that closes the "{" at it; false when none does. */
static bool brace_skip(struct pattern *pt)
{
	while (pt->pos < pt->len && pt->p[pt->pos] != '}')
		pt->pos++;
	return pt->pos < pt->len;
}

static int32_t take_char(struct pattern *pt, const char **s, size_t *n)
{
	utf8proc_int32_t cp = -1;
	utf8proc_ssize_t k;

	*s = pt->p + pt->pos;
	k = utf8proc_iterate((const utf8proc_uint8_t *)*s, (utf8proc_ssize_t)(pt->len - pt->pos),
			     &cp);
	if (k <= 0) {
		k = 1;
		cp = -1;
	}
	*n = (size_t)k;
	pt->pos += (size_t)k;
	return cp;
}

/* The ASCII members of \w, \d and \s. */
static void class_shorthand(struct item *it, char c, bool *listable)
{
	static const char space[] = "\t\n\v\f\r ";

	if (c == 'd') {
		for (int d = '0'; d <= '9'; d++)
			member_add(it, d, NULL, 0, listable);
		return;
	}
	*listable = false;
	if (c == 's') {
		for (const char *p = space; *p; p++)
			bytes_add(it->bytes, (unsigned char)*p);
		return;
	}
	for (unsigned b = 0; b < 128; b++) {
		if (is_word((unsigned char)b))
			bytes_add(it->bytes, b);
	}
}

/*
 * Reads an escape after its backslash, inside a class or not. Sets *cp to
 * the character it stands for, or -1 for a class (\w, \p{L}, ...), whose
 * members it adds to it when they are ASCII. Fails on what is refused.
 */
static int parse_escape(struct pattern *pt, struct item *it, bool in_class, int32_t *cp,
			bool *listable)
{
	char c = peek(pt, 0);
	const char *s;
	size_t n;

	*cp = -1;
	switch (c) {
	case 'w': case 'd': case 's':
		pt->pos++;
		class_shorthand(it, c, listable);
		return VG_OK;
	case 'W': case 'D': case 'S': case 'h': case 'H': case 'v': case 'V':
		pt->pos++;
		it->ascii = false;
		*listable = false;
		return VG_OK;
	case 'p': case 'P':
		pt->pos++;
		if (peek(pt, 0) == '{' && !brace_skip(pt))
			return unsupported(pt, "an unterminated \\p{...}");
		pt->pos++;
		it->ascii = false;
		*listable = false;
		return VG_OK;
	case 'x':
		pt->pos++;
		if (peek(pt, 0) == '{') {
			if (!brace_skip(pt))
				return unsupported(pt, "an unterminated \\x{...}");
			pt->pos++;
		} else if (isxdigit((unsigned char)peek(pt, 0)) &&
			   isxdigit((unsigned char)peek(pt, 1))) {
			pt->pos += 2;
		} else {
			return unsupported(pt, "\\x without two hex digits");
		}
		it->ascii = false;
		*listable = false;
		return VG_OK;
	case 'c':
		if (pt->pos + 1 >= pt->len)
			return unsupported(pt, "\\c at the end");
		pt->pos += 2;
		it->ascii = false;
		*listable = false;
		return VG_OK;
	case 't': *cp = '\t'; break;
	case 'n': *cp = '\n'; break;
	case 'r': *cp = '\r'; break;
	case 'f': *cp = '\f'; break;
	case 'e': *cp = 0x1b; break;
	case 'a': *cp = 0x07; break;
	case 'b':
		/* Outside a class \b is an assertion, read by the caller. */
		assert(in_class);
		*cp = 0x08;
		break;
	default:
		if (isdigit((unsigned char)c))
			return unsupported(pt, "a back-reference or octal escape");
		if (c == 'G')
			return unsupported(pt, "\\G");
		if (c == 'Q' || c == 'E')
			return unsupported(pt, "\\Q...\\E");
		if (isalpha((unsigned char)c) || c == '\0')
			return unsupported(pt, "this escape");
		*cp = take_char(pt, &s, &n);
		return *cp < 0 ? unsupported(pt, "invalid UTF-8") : VG_OK;
	}
	pt->pos++;
	return VG_OK;
}

static int parse_class(struct pattern *pt, struct item *it)
{
	bool listable = true, negated = false, first = true;
	int32_t prev = -1;
	int rc;

	it->kind = ITEM_CLASS;
	it->ascii = true;
	pt->pos++;
	if (peek(pt, 0) == '^') {
		negated = true;
		pt->pos++;
	}
	for (;;) {
		char c = peek(pt, 0);
		const char *s;
		size_t n;
		int32_t cp;

		if (pt->pos >= pt->len)
			return unsupported(pt, "an unterminated class");
		if (c == ']' && !first) {
			pt->pos++;
			break;
		}
		first = false;
		if (c == '[' && peek(pt, 1) == ':') {
			const char *end = strstr(pt->p + pt->pos, ":]");

			if (!end)
				return unsupported(pt, "an unterminated [:class:]");
			pt->pos = (size_t)(end - pt->p) + 2;
			it->ascii = false;
			listable = false;
			prev = -1;
			continue;
		}
		if (c == '-' && prev >= 0 && peek(pt, 1) != ']' && pt->pos + 1 < pt->len) {
			int32_t hi;

			pt->pos++;
			if (peek(pt, 0) == '\\') {
				pt->pos++;
				rc = parse_escape(pt, it, true, &hi, &listable);
				if (rc)
					return rc;
			} else {
				hi = take_char(pt, &s, &n);
			}
			if (hi < 0) {
				/* An end written as \x{...}: the class is read as a whole. */
				it->ascii = false;
				listable = false;
				prev = -1;
				continue;
			}
			if (hi < prev)
				return unsupported(pt, "this range");
			for (int32_t x = prev + 1; x <= hi; x++) {
				char u[5];
				utf8proc_ssize_t k = utf8proc_encode_char(x, (utf8proc_uint8_t *)u);

				if (k <= 0 || hi - prev > 128) {
					it->ascii = false;
					listable = false;
					break;
				}
				member_add(it, x, u, (size_t)k, &listable);
			}
			prev = -1;
			continue;
		}
		if (c == '\\') {
			pt->pos++;
			rc = parse_escape(pt, it, true, &cp, &listable);
			if (rc)
				return rc;
			if (cp < 0) {
				prev = -1;
				continue;
			}
			s = NULL;
			n = 0;
		} else {
			cp = take_char(pt, &s, &n);
			if (cp < 0)
				return unsupported(pt, "invalid UTF-8");
		}
		{
			char u[5];
			utf8proc_ssize_t k = utf8proc_encode_char(cp, (utf8proc_uint8_t *)u);

			member_add(it, cp, u, (size_t)k, &listable);
		}
		prev = cp;
	}
	if (negated) {
		it->ascii = false;
		listable = false;
	}
	if (!listable)
		it->nchars = 0;
	return VG_OK;
}

/* Reads a repeat after an atom, if there is one. */
static int parse_repeat(struct pattern *pt, struct item *it)
{
	size_t start = pt->pos;
	char c = peek(pt, 0);

	it->min = it->max = 1;
	if (c == '?' || c == '*' || c == '+') {
		it->min = c == '+' ? 1 : 0;
		it->max = c == '?' ? 1 : REPEAT_INF;
		pt->pos++;
	} else if (c == '{') {
		char *end;
		unsigned long m, n;

		errno = 0;
		m = strtoul(pt->p + pt->pos + 1, &end, 10);
		if (end == pt->p + pt->pos + 1 || errno || m > 65535)
			return unsupported(pt, "a brace that is not a repeat count (write \\{)");
		n = m;
		if (*end == ',') {
			const char *from = end + 1;

			n = strtoul(from, &end, 10);
			if (end == from)
				n = REPEAT_INF;
			else if (errno || n > 65535 || n < m)
				return unsupported(pt, "this repeat count");
		}
		if (*end != '}')
			return unsupported(pt, "a brace that is not a repeat count (write \\{)");
		it->min = (uint32_t)m;
		it->max = n == REPEAT_INF ? REPEAT_INF : (uint32_t)n;
		pt->pos = (size_t)(end - pt->p) + 1;
	} else {
		it->q = "";
		it->qlen = 0;
		return VG_OK;
	}
	/* A lazy or possessive mark changes nothing: every match is reported. */
	if (peek(pt, 0) == '?' || peek(pt, 0) == '+')
		pt->pos++;
	it->q = pt->p + start;
	it->qlen = (uint32_t)(pt->pos - start);
	return VG_OK;
}

static int parse_alts(struct pattern *pt, unsigned depth, struct seq **out, uint32_t *nout);

static int parse_item(struct pattern *pt, unsigned depth, struct item *it)
{
	size_t start = pt->pos;
	char c = peek(pt, 0);
	const char *s;
	size_t n;
	int32_t cp;
	int rc;

	memset(it, 0, sizeof(*it));
	switch (c) {
	case '(':
		if (depth == GROUP_DEPTH_MAX)
			return unsupported(pt, "groups nested this deep");
		if (peek(pt, 1) == '?') {
			if (peek(pt, 2) != ':')
				return unsupported(pt, "a \"(?\" group other than \"(?:\"");
			pt->pos += 3;
		} else {
			pt->pos++;
		}
		it->kind = ITEM_GROUP;
		rc = parse_alts(pt, depth + 1, &it->alts, &it->nalts);
		if (rc)
			return rc;
		if (peek(pt, 0) != ')')
			return unsupported(pt, "an unclosed group");
		pt->pos++;
		break;
	case '[':
		rc = parse_class(pt, it);
		if (rc)
			return rc;
		break;
	case '.':
		it->kind = ITEM_CLASS;
		pt->pos++;
		break;
	case '^': case '$':
		it->kind = ITEM_ASSERT;
		it->anchor = c;
		pt->pos++;
		break;
	case '*': case '+': case '?': case '{': case ')': case '|':
		return unsupported(pt, "a repeat of nothing");
	case '\\':
		pt->pos++;
		if (strchr("bBAzZ", peek(pt, 0)) && peek(pt, 0)) {
			it->kind = ITEM_ASSERT;
			it->anchor = peek(pt, 0);
			pt->pos++;
			break;
		}
		{
			bool listable = true;

			it->kind = ITEM_CLASS;
			it->ascii = true;
			rc = parse_escape(pt, it, false, &cp, &listable);
			if (rc)
				return rc;
			if (cp >= 0) {
				char u[5];
				utf8proc_ssize_t k;

				k = utf8proc_encode_char(cp, (utf8proc_uint8_t *)u);

				it->kind = ITEM_CHAR;
				member_add(it, cp, u, (size_t)k, &listable);
			}
			if (!listable)
				it->nchars = 0;
		}
		break;
	default: {
		bool listable = true;

		cp = take_char(pt, &s, &n);
		if (cp < 0)
			return unsupported(pt, "invalid UTF-8");
		it->kind = ITEM_CHAR;
		it->ascii = true;
		member_add(it, cp, s, n, &listable);
		if (!listable)
			it->nchars = 0;
		break;
	}
	}
	it->src = pt->p + start;
	it->srclen = (uint32_t)(pt->pos - start);
	rc = parse_repeat(pt, it);
	if (rc)
		return rc;
	if (it->kind == ITEM_ASSERT && it->qlen)
		return unsupported(pt, "a repeated assertion");
	return VG_OK;
}

/* Reads items up to "|", ")" or the end into seq. */
static int parse_seq(struct pattern *pt, unsigned depth, struct seq *seq)
{
	size_t base = pt->nstack;
	int rc;

	while (pt->pos < pt->len && peek(pt, 0) != '|' && peek(pt, 0) != ')') {
		struct item *it;

		assert(pt->nitems < pt->len + 2 && pt->nstack < pt->len + 2);
		it = &pt->items[pt->nitems++];
		rc = parse_item(pt, depth, it);
		if (rc)
			return rc;
		pt->stack[pt->nstack++] = it;
	}
	seq->n = (uint32_t)(pt->nstack - base);
	seq->items = &pt->ptrs[pt->nptrs];
	memcpy(seq->items, &pt->stack[base], seq->n * sizeof(*seq->items));
	pt->nptrs += seq->n;
	pt->nstack = base;
	return VG_OK;
}

/* Reads branches up to ")" or the end; a group's branches are kept side by side. */
static int parse_alts(struct pattern *pt, unsigned depth, struct seq **out, uint32_t *nout)
{
	size_t base = pt->nseqstack, n;
	int rc;

	for (;;) {
		assert(pt->nseqstack < pt->len + 2);
		rc = parse_seq(pt, depth, &pt->seqstack[pt->nseqstack++]);
		if (rc)
			return rc;
		if (peek(pt, 0) != '|')
			break;
		pt->pos++;
	}
	n = pt->nseqstack - base;
	assert(pt->nseqs + n <= pt->len + 2);
	memcpy(&pt->seqs[pt->nseqs], &pt->seqstack[base], n * sizeof(*pt->seqs));
	*out = &pt->seqs[pt->nseqs];
	*nout = (uint32_t)n;
	pt->nseqs += n;
	pt->nseqstack = base;
	return VG_OK;
}

int pattern_parse(struct pattern *pt)
{
	int rc = parse_alts(pt, 0, &pt->top, &pt->ntop);

	if (rc)
		return rc;
	if (pt->pos != pt->len)
		return unsupported(pt, "an unmatched \")\"");
	return VG_OK;
}

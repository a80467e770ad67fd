#include "base/compat.h"
#include "screen/phrase.h"

#include "screen/swar.h"

/*
 * The phrases are short and most differ from the text within a byte or
 * two, so they are compared byte by byte as their end is looked for,
 * rather than measured with strlen() and then compared with memcmp().
 * at_from() is phrase_at() once the first n bytes of p are known to stand
 * at t[i].
 */
static inline size_t at_from(const char *t, size_t len, size_t i, const char *p, size_t n)
{
	for (; p[n]; n++)
		if (i + n >= len || t[i + n] != p[n])
			return 0;
	/* An empty phrase stands nowhere. */
	if (!n || (p[n - 1] != ' ' && i + n < len && phrase_is_alnum(t[i + n])))
		return 0;
	return i + n;
}

static inline size_t at(const char *t, size_t len, size_t i, const char *p)
{
	return at_from(t, len, i, p, 0);
}

size_t phrase_at(const char *t, size_t len, size_t i, const char *p)
{
	return at(t, len, i, p);
}

void phrase_list_init(struct phrase_list *l, const char *const *phrases, size_t count)
{
	size_t k, n;

	assert(count <= PHRASE_LIST_MAX);
	l->phrases = phrases;
	memset(l->first, 0, sizeof(l->first));
	memset(l->second_last, 0, sizeof(l->second_last));
	l->all = 0;
	for (k = 0; k < count; k++) {
		uint32_t bit = UINT32_C(1) << k;

		n = strlen(phrases[k]);
		assert(n > 0 && n <= UINT8_MAX);
		l->all |= bit;
		if (n >= 2)
			l->second_last[(unsigned char)phrases[k][n - 2]] |= bit;
		else
			for (size_t c = 0; c < 256; c++)
				l->second_last[c] |= bit;
		l->len[k] = (uint8_t)n;
		l->head[k] = l->mask[k] = 0;
		for (size_t j = 0; j < n && j < 8; j++) {
			l->head[k] |= (uint64_t)(unsigned char)phrases[k][j] << (8 * j);
			l->mask[k] |= UINT64_C(0xff) << (8 * j);
		}
		l->first[(unsigned char)phrases[k][0]] |= bit;
	}
}

size_t phrase_list_at(const struct phrase_list *l, const char *t, size_t len, size_t i)
{
	uint32_t m;
	uint64_t x;
	size_t e, n;

	if (i >= len)
		return 0;
	/* The bits are taken lowest first: the phrases are tried in their order. */
	m = l->first[(unsigned char)t[i]];
	if (!m)
		return 0;
	/* Eight bytes cannot be loaded at the very end of the text: byte by byte there. */
	if (len - i < 8) {
		for (; m; m &= m - 1) {
			e = at(t, len, i, l->phrases[__builtin_ctz(m)]);
			if (e)
				return e;
		}
		return 0;
	}
	x = swar_load8((const unsigned char *)t + i);
	for (; m; m &= m - 1) {
		unsigned k = (unsigned)__builtin_ctz(m);
		const char *p = l->phrases[k];

		if ((x & l->mask[k]) != l->head[k])
			continue;
		n = l->len[k];
		if (n > 8) {
			e = at_from(t, len, i, p, 8);
			if (e)
				return e;
		} else if (p[n - 1] == ' ' || i + n == len || !phrase_is_alnum(t[i + n])) {
			return i + n;
		}
	}
	return 0;
}

const char *phrase_list_before(const struct phrase_list *l, const char *t, size_t i)
{
	uint32_t m = i >= 2 ? l->second_last[(unsigned char)t[i - 2]] : l->all;

	for (; m; m &= m - 1) {
		unsigned k = (unsigned)__builtin_ctz(m);
		const char *p = l->phrases[k];
		size_t n = l->len[k], j;

		if (i < n || t[i - n] != p[0])
			continue;
		for (j = 1; j < n && t[i - n + j] == p[j]; j++)
			;
		if (j == n && (i == n || !phrase_is_alnum(t[i - n - 1])))
			return p;
	}
	return NULL;
}

int phrase_before(const char *t, size_t i, const char *p)
{
	size_t n = strlen(p);

	/*
	 * The byte before the last (most phrases end with a space) and the
	 * first turn most phrases away before memcmp() is called.
	 */
	return i >= n && (n < 2 || (t[i - 2] == p[n - 2] && t[i - n] == p[0])) &&
	       !memcmp(t + i - n, p, n) &&
	       (i == n || !phrase_is_alnum(t[i - n - 1]));
}

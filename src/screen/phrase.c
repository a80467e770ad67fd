#include "base/compat.h"
#include "screen/phrase.h"

size_t phrase_at(const char *t, size_t len, size_t i, const char *p)
{
	size_t n;

	if (i >= len || t[i] != p[0])
		return 0;
	n = strlen(p);
	if (len - i < n || memcmp(t + i, p, n) ||
	    (p[n - 1] != ' ' && i + n < len && phrase_is_alnum(t[i + n])))
		return 0;
	return i + n;
}

size_t phrase_any_at(const char *t, size_t len, size_t i, const char *const *phrases,
		     size_t count)
{
	size_t k, e;

	if (i >= len)
		return 0;
	for (k = 0; k < count; k++) {
		/* Most phrases differ at the first byte: that is read before the call. */
		if (phrases[k][0] != t[i])
			continue;
		e = phrase_at(t, len, i, phrases[k]);
		if (e)
			return e;
	}
	return 0;
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

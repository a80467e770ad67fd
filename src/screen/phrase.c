#include "base/compat.h"
#include "screen/phrase.h"

/*
 * The phrases are short and most differ from the text within a byte or
 * two, so they are compared byte by byte as their end is looked for,
 * rather than measured with strlen() and then compared with memcmp().
 */
static inline size_t at(const char *t, size_t len, size_t i, const char *p)
{
	size_t n;

	for (n = 0; p[n]; n++)
		if (i + n >= len || t[i + n] != p[n])
			return 0;
	/* An empty phrase stands nowhere. */
	if (!n || (p[n - 1] != ' ' && i + n < len && phrase_is_alnum(t[i + n])))
		return 0;
	return i + n;
}

size_t phrase_at(const char *t, size_t len, size_t i, const char *p)
{
	return at(t, len, i, p);
}

size_t phrase_any_at(const char *t, size_t len, size_t i, const char *const *phrases,
		     size_t count)
{
	size_t k, e;

	if (i >= len)
		return 0;
	for (k = 0; k < count; k++) {
		const char *p = phrases[k];

		/*
		 * Most phrases differ at the first or second byte ("years old",
		 * "yrs old", "yo"): those are read before the whole phrase is.
		 */
		if (p[0] != t[i] || (p[1] && (i + 1 == len || p[1] != t[i + 1])))
			continue;
		e = at(t, len, i, p);
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

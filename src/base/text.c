#include "base/compat.h"
#include "base/text.h"

#include <utf8proc.h>

static int check(const char *s, size_t len, size_t max_bytes, int allow_newline)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	size_t off = 0;

	if (len > max_bytes)
		return VG_TOOBIG;
	while (off < len) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate(p + off,
			(utf8proc_ssize_t)(len - off), &cp);

		if (n <= 0)
			return VG_UTF8;
		if (cp == '\n' || cp == '\r') {
			if (!allow_newline)
				return VG_UTF8;
		} else if (cp != '\t' && (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))) {
			return VG_UTF8;
		}
		off += (size_t)n;
	}
	return VG_OK;
}

int text_check(const char *s, size_t len, size_t max_bytes)
{
	return check(s, len, max_bytes, 1);
}

int text_check_line(const char *s, size_t len, size_t max_bytes)
{
	return check(s, len, max_bytes, 0);
}

int text_is_alpha(const char *s, size_t n)
{
	size_t i;

	if (strlen(s) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z')))
			return 0;
	return 1;
}

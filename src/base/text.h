/*
 * text.h - checks on text that comes from outside.
 *
 * Every free-text field a person submits passes text_check before it is
 * used: valid UTF-8 (utf8proc decides), no NUL or other C0/C1 control
 * characters except tab, CR and LF, and at most max_bytes long.
 */
#ifndef VIGIL_TEXT_H
#define VIGIL_TEXT_H

#include <stddef.h>

/* VG_OK, VG_UTF8 (invalid encoding or a control character), VG_TOOBIG. */
int text_check(const char *s, size_t len, size_t max_bytes);

/* Like text_check, but newlines are not allowed either (one-line fields). */
int text_check_line(const char *s, size_t len, size_t max_bytes);

/* True when s is exactly `n` ASCII letters in [A-Za-z]; for codes like "US". */
int text_is_alpha(const char *s, size_t n);

#endif

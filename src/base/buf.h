/*
 * buf.h - a growable byte buffer bounded by construction (curl's dynbuf).
 *
 * Every buffer is given its maximum length at init; an append that would go
 * past it fails with VG_TOOBIG and leaves the buffer as it was, so no input
 * can make the process grow without limit. The contents are always
 * NUL-terminated (the terminator is not counted in len and not in max).
 *
 * Lifecycle: buf_init() sets up caller-owned memory without allocating;
 * buf_release() frees the storage and leaves an empty buffer with the same
 * limit; buf_detach() hands the storage to the caller.
 */
#ifndef VIGIL_BUF_H
#define VIGIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *ptr;   /* NULL until the first append */
	size_t len;  /* bytes used, not counting the NUL */
	size_t cap;  /* bytes allocated */
	size_t max;  /* the most len may ever be */
};

void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);

/* Empties the buffer but keeps its storage for reuse. */
void buf_reset(struct buf *b);

int buf_add(struct buf *b, const void *data, size_t len);
int buf_adds(struct buf *b, const char *s);
int buf_addch(struct buf *b, char c);
int buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int buf_vaddf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* The contents as a string; "" (never NULL) when nothing was added. */
const char *buf_str(const struct buf *b);

/*
 * Hands the storage to the caller (who frees it) and leaves the buffer
 * empty. Returns a malloc'd "" for an empty buffer; NULL only on ENOMEM.
 */
char *buf_detach(struct buf *b, size_t *len);

#endif

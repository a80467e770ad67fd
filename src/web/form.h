/*
 * form.h - application/x-www-form-urlencoded bodies.
 *
 * The whole body is decoded at once into one allocation; fields keep their
 * order. Limits: at most FORM_MAX_FIELDS fields and names of at most
 * FORM_NAME_MAX bytes; a name given twice is an error, because accepting
 * either copy silently would hide tampering, except a list's: a name ending
 * in "[]" (a multiple select, a set of checkboxes) may come any number of
 * times, each value a field of its own in order.
 * Values must be valid UTF-8 without control characters other than tab, CR
 * and LF; CRLF is folded to LF as browsers send textareas.
 */
#ifndef VIGIL_FORM_H
#define VIGIL_FORM_H

#include <stddef.h>

/* The 64 tips a split may move and the CSRF token fit. */
#define FORM_MAX_FIELDS 96
#define FORM_NAME_MAX 32

struct form_field {
	const char *name;
	const char *value;
	size_t len;
};

struct form {
	struct form_field fields[FORM_MAX_FIELDS];
	size_t count;
	char *storage;
	char error_field[FORM_NAME_MAX + 1]; /* the field that failed, if known */
};

void form_init(struct form *f);
void form_release(struct form *f);

/*
 * Parses body into f. VG_INVAL for a malformed body or a repeated name,
 * VG_TOOBIG for too many fields or too long a name, VG_UTF8 for a value that
 * is not text; f->error_field names the field where that is known.
 */
int form_parse(struct form *f, const char *body, size_t len);

/* 1 when name is a list's, which may repeat: it ends in "[]". */
int form_is_list(const char *name);

/* The value of field name, or NULL; its length in *len when len is not NULL. */
const char *form_get(const struct form *f, const char *name, size_t *len);

#endif

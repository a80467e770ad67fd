/*
 * embedded.h - files compiled into the binary by tools/embed.c: templates,
 * static assets and SQL migrations. Each table ends with a NULL name; data
 * is NUL-terminated (the NUL is not counted in len).
 */
#ifndef VIGIL_EMBEDDED_H
#define VIGIL_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
	const char *name;
	const unsigned char *data;
	size_t len;
};

extern const struct embedded_file embedded_templates[];
extern const struct embedded_file embedded_static[];
extern const struct embedded_file embedded_migrations[];

/* The entry called name in table, or NULL. */
const struct embedded_file *embedded_find(const struct embedded_file *table,
					  const char *name);

#endif

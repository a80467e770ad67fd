/*
 * geo.h - countries (ISO 3166-1) and their subdivisions (ISO 3166-2).
 *
 * The lists come from Debian's iso-codes package (JSON files), which is
 * maintained with the standard and ships translated names as gettext
 * catalogs ("iso_3166-1", "iso_3166-2"), so vigil keeps no copy of its own.
 */
#ifndef VIGIL_GEO_H
#define VIGIL_GEO_H

#include <stddef.h>

#define GEO_REGION_SIZE 8 /* subdivision suffix such as "CA" or "BY" and a NUL */

struct geo;

struct geo_country {
	char code[3];     /* alpha-2, upper case */
	const char *name; /* English name, the msgid for translation */
};

/* Loads iso_3166-1.json and iso_3166-2.json from dir. */
int geo_load(const char *dir, struct geo **out);
void geo_free(struct geo *g);

/* The countries, sorted by code; count in *n. */
const struct geo_country *geo_countries(const struct geo *g, size_t *n);

/* The country with this alpha-2 code (either case), or NULL. */
const struct geo_country *geo_country(const struct geo *g, const char *code);

/*
 * Finds a subdivision of country from what a person typed: its code alone
 * ("CA"), its full code ("US-CA") or its name ("California"), case
 * insensitively. On success writes the code suffix ("CA") to out.
 * VG_NOTFOUND when nothing matches.
 */
int geo_region_find(const struct geo *g, const char *country, const char *text,
		    char out[GEO_REGION_SIZE]);

#endif

/*
 * help.h - the help lines a person sees: on the "Get help" page, after a
 * report, with a report's status, on the 429 page and in the footer. Lines
 * open now come first, the emergency number always first of all.
 */
#ifndef VIGIL_HELP_H
#define VIGIL_HELP_H

#include <jansson.h>

#include "site/site.h"

/*
 * The lines for country (and region, may be NULL) as the templates show
 * them: [{name, emergency, open_now, closed_now, hours_unknown, hours,
 * languages, phones[{href, written, note}], texts[...], emails[...],
 * webs[...]}]. At most limit lines (0: all). An unknown country gives [].
 */
json_t *help_lines(struct reqctx *c, const char *country, const char *region, size_t limit);

/*
 * Adds key: {country, country_name, lines} to a public page's data: the
 * lines of country, or of the configured default country when country is
 * NULL or unknown. Pages use "help" for their list and "footer" for the
 * few lines every public page ends with.
 */
void help_add(struct reqctx *c, json_t *data, const char *key, const char *country,
	      size_t limit);

#endif

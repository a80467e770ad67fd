/*
 * network.h - networks: template clusters joined through the phone numbers
 * and email addresses their ads share.
 *
 * One operation posts from several templates and rotates a few numbers, so
 * two clusters whose ads give the same contact are one network. Some
 * numbers are not a poster's own: a booking line, a "verification" line, a
 * site's support number, a placeholder. They appear in the ads of many
 * posters who each also give a number of their own. Such a contact is
 * *generic*: it is reported and not used to join anything.
 *
 * The rule (docs/ads.md, "Networks"), with guard G:
 *   1. A contact whose ads fall in at most G template clusters is
 *      specific: it joins them.
 *   2. Every other contact, in order, is widespread: count the networks
 *      (as joined so far) of its ads that also give a specific contact.
 *      More than G: the contact is generic. Otherwise it joins its
 *      clusters.
 * So an operation's number stays a link however many ads and templates it
 * is in, even with its other numbers beside it, while a number shared by
 * more than G posters who each give a number of their own links nobody.
 *
 * Pure: reads the index, allocates its result; no global state.
 */
#ifndef VIGIL_NETWORK_H
#define VIGIL_NETWORK_H

#include <stddef.h>
#include <stdint.h>

#include "cluster/index.h"

#define NETWORK_GUARD_DEFAULT 8

struct network_generic {
	uint32_t contact;  /* number in the index's contacts */
	uint32_t networks; /* unrelated networks of posters with numbers of their own */
	uint32_t ads;      /* ads that give it */
};

struct networks {
	uint32_t *of;                     /* per ad: its network's first ad */
	struct network_generic *generic;  /* in contact order */
	size_t n_generic;
};

/*
 * Joins the index's clusters into networks. The index must be flattened
 * (index_flatten()) and guard at least 1. VG_NOMEM.
 */
int networks_build(const struct ads_index *x, unsigned guard, struct networks *out);
void networks_release(struct networks *nw);

#endif

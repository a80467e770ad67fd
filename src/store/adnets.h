/*
 * adnets.h - storage of the networks of online ads and of the leads opened
 * from them (src/store/migrations/0010_leads.sql, docs/ads.md).
 *
 * A network's summary arrives sealed (ad "ad_networks/summary/<id>") and
 * leaves sealed. Its ads are known only by their blind indexes, which the
 * app computes: a network read again is found by any ad it shares with one
 * stored before (store_adnet_find), so storing it again updates that row.
 *
 * A lead is a case that holds no tip. store_adnet_lead() opens it, with
 * its entities, in one transaction, and opens at most one per network.
 * Errors and ownership as in store.h.
 */
#ifndef VIGIL_STORE_ADNETS_H
#define VIGIL_STORE_ADNETS_H

#include <stddef.h>
#include <stdint.h>

#include "store/cases.h"
#include "store/entities.h"
#include "store/store.h"

#define ADNET_ID_SIZE 17   /* 16 hex digits and a NUL */
#define ADNET_LIST_MAX 500 /* rows one list may hold */

struct adnet_row {
	char *id;
	char *name;             /* the network's name in its last import, "n0" */
	int64_t imported_at;
	int64_t updated_at;
	int64_t size;           /* ads */
	double risk;
	int under_18;           /* 1 when an ad states an age under 18 */
	struct sealed summary;  /* ad "ad_networks/summary/<id>": JSON */
	char *case_id;          /* the lead, "" when none */
};

struct adnet_list {
	struct adnet_row *rows;
	size_t count;
};

/*
 * The id of the stored network that holds any of the n ads whose blind
 * indexes are blinds (the one stored first when they are in several), or
 * VG_NOTFOUND.
 */
int store_adnet_find(struct store *s, const unsigned char (*blinds)[32], size_t n,
		     char id[ADNET_ID_SIZE]);

/*
 * Inserts network r->id, or when it exists replaces its name, size, risk,
 * under_18 and summary (imported_at and its lead are kept), and records
 * that the n ads belong to it; an ad already recorded for another network
 * stays with that one. r->case_id is ignored. One transaction.
 */
int store_adnet_put(struct store *s, const struct adnet_row *r,
		    const unsigned char (*blinds)[32], size_t n, int64_t now);

int store_adnet_get(struct store *s, const char *id, struct adnet_row *out);

/* Up to limit (1..ADNET_LIST_MAX) networks in rank order. */
int store_adnet_list(struct store *s, int limit, struct adnet_list *out);

/*
 * Opens the lead of network net_id: a case case_id with no tip, the event
 * "opened" (by user_id, 0 for a command) naming the network, and the n
 * entities ents (their case_id is set here; one the case would have twice
 * is skipped). When the network already has a lead, nothing changes and
 * *created is 0; either way case_out is the lead. VG_NOTFOUND for no such
 * network.
 */
int store_adnet_lead(struct store *s, const char *net_id, const char *case_id,
		     const struct entity_row *ents, size_t n, int64_t user_id, int64_t now,
		     char case_out[CASE_ID_SIZE], int *created);

void adnet_row_release(struct adnet_row *r);
void adnet_list_release(struct adnet_list *l);

#endif

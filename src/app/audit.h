/*
 * audit.h - the audit log as a hash chain.
 *
 * Every entry's hash is a BLAKE2b keyed with the audit key (crypto/keys.h)
 * over the previous entry's hash and the entry itself (id, time, actor,
 * action, object, detail). Without the key nobody can forge a chain, and
 * with the database alone an edited, inserted or deleted entry shows as a
 * link that does not hold. Deleting entries from the end leaves a shorter
 * chain that still holds: compare the head with one recorded elsewhere
 * (`vigil audit verify --expect`) to catch that.
 */
#ifndef VIGIL_AUDIT_H
#define VIGIL_AUDIT_H

#include "app/app.h"

#define AUDIT_HEAD_SIZE 96 /* "<id>:<64 hex digits>" and a NUL */

struct audit_report {
	int64_t entries;     /* entries read */
	int64_t unchained;   /* entries from before the chain began */
	int64_t broken_id;   /* the first entry that does not hold; 0 when all do */
	char reason[160];    /* why it does not hold */
	char head[AUDIT_HEAD_SIZE]; /* the last entry's id and hash, "0:" when empty */
};

/* Computes an entry's chained hash; the store calls it through app_audit. */
void audit_hash(const struct keys *k, const struct audit_row *e, unsigned char out[32]);

/*
 * Reads the whole log in order and checks every link and hash. VG_OK with
 * report->broken_id 0 when the chain holds; VG_CRYPTO with the first
 * broken entry named otherwise.
 */
int audit_verify(struct app *app, struct audit_report *report);

#endif

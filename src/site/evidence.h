/*
 * evidence.h - the screen's findings as the staff see them: the narrative
 * with the evidence marked where the reporter wrote it, and the result in
 * words. A person decides; these pages show why the screen said what it did.
 */
#ifndef VIGIL_EVIDENCE_H
#define VIGIL_EVIDENCE_H

#include <jansson.h>

#include "site/site.h"

/*
 * The narrative cut into parts [{text, mark, categories}], marking every
 * indicator span of screening (may be NULL) that falls inside it;
 * overlapping spans become one mark naming all their categories.
 */
json_t *evidence_parts(const char *narrative, json_t *screening);

/*
 * The screening for the tip page: labels for status, frameworks, urgency and
 * kinds, the elements, the evidence list and the entities. NULL when the tip
 * has not been screened.
 */
json_t *evidence_view(struct reqctx *c, json_t *screening);

/* Labels for the queue: a status and urgency in words, kinds as a list. */
const char *evidence_status_label(const char *status);
const char *evidence_urgency_label(const char *urgency);
const char *evidence_kind_label(const char *kind);

#endif

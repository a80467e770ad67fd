#ifndef VIGIL_SCREEN_IMPL_H
#define VIGIL_SCREEN_IMPL_H

/*
 * The insides of the screen (screen.h), shared by its two files and by no
 * other module:
 *
 *   screen.c       the engine, the scratch and screen_analyse()
 *   screen_json.c  screen_result_write(): the result as JSON text
 */

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "screen/assess.h"
#include "screen/rules.h"

/*
 * The most bytes of the rules' indicator heads (see struct screen_engine):
 * an id and a category of under 64 bytes each are at most six times as
 * long escaped, so a head is under 1 KB.
 */
#define HEADS_MAX ((size_t)RULES_MAX * 1024)

/*
 * The engine keeps, for each rule, the start of its indicator object as
 * JSON text ({"id":"...","category":"...","span":[), escaped once when the
 * engine is built: a result has some forty indicators, and escaping the
 * same two names for each of them was a third of the writer's time. The
 * heads are followed by SCREEN_HEADS_PAD bytes that belong to no head, so
 * that the writer may copy a head sixteen bytes at a time.
 */
#define SCREEN_HEADS_PAD 16

struct screen_engine {
	struct rules rules;
	struct rules_db *db;
	struct buf heads;         /* every rule's head, one after the other, then the pad */
	uint32_t *head_off;       /* per rule: where its head starts in heads; one more after */
	bool *negation;           /* per rule: a negation (RULE_NEGATION) */
	struct assess_rule *assess; /* per rule: what the assessment reads of it */
};

/* Writes every rule's indicator head into e->heads and e->head_off. */
int screen_json_heads(struct screen_engine *e);

#endif

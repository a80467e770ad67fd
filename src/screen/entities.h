/*
 * entities.h - what can be looked up or linked in a text: phone numbers,
 * email addresses, URLs, social handles, stated ages, money and debts.
 *
 * Extractors read both the original and the normalised text (norm.h) and
 * see through obfuscation: "(5l0) 555-O1Z3" and "five one zero five five
 * five ..." are phone numbers; "name at domain dot com" is an address.
 * Every entity carries its span in the original text (byte offsets).
 * docs/screening-text.md lists what each extractor reads and its limits.
 *
 * Pure: no I/O and no state that changes between calls (the word lists are
 * compiled once, on first use, and only read after that); safe to call
 * from several threads with their own struct entities.
 */
#ifndef VIGIL_ENTITIES_H
#define VIGIL_ENTITIES_H

#include <stddef.h>

#include "screen/norm.h"

/* At most this many entities of one kind are kept per text. */
#define ENTITIES_MAX 64

enum entity_kind {
	ENTITY_PHONE,   /* value: E.164, "+15105550123" */
	ENTITY_EMAIL,   /* value: lower case "name@domain.tld" */
	ENTITY_URL,     /* value: as written, scheme added when missing: "https://example.com/x" */
	ENTITY_HANDLE,  /* value: "@name" or "platform:name" as written, lower case */
	ENTITY_AGE,     /* number: the age in years; value: the cue ("16yo", "high school") */
	ENTITY_MONEY,   /* number: the amount; value: "USD 3000" or "debt USD 3000" when a debt */
	ENTITY_KIND_COUNT
};

struct entity {
	enum entity_kind kind;
	char value[128];
	size_t len;         /* strlen(value) */
	double number;      /* ages and amounts; 0 otherwise */
	int is_cue;         /* ages: 1 for a cue: "high school" (number is an upper
			     * bound), "looks about 14" (number is an estimate) */
	int is_debt;        /* money: 1 when the amount is owed */
	size_t start, end;  /* span in the original text */
};

struct entity_options {
	/* ISO 3166-1 alpha-2 country for numbers written without a country
	 * code (either case; "" for none); North American 10-digit numbers
	 * are +1 whatever this is, except in "MX", whose own national numbers
	 * have 10 digits. It also says which dollar "$" is (CAD in "CA", MXN
	 * in "MX", ...). The countries known are listed in
	 * docs/screening-text.md; with any other, only international and
	 * North American numbers are read. */
	char default_country[3];
};

struct entities {
	struct entity items[ENTITY_KIND_COUNT * ENTITIES_MAX];
	size_t count;
	size_t per_kind[ENTITY_KIND_COUNT]; /* how many of items are of each kind */
};

/*
 * Extracts every entity of text (len bytes of the original, already
 * normalised into n). Duplicates (same kind and value) are kept once, at
 * their first span; each kind keeps its first ENTITIES_MAX. Never fails on
 * odd input: the contract allows VG_NOMEM, but nothing is allocated, so it
 * returns VG_OK. Linear in len.
 */
int entities_extract(const char *text, size_t len, const struct norm *n,
		     const struct entity_options *opt, struct entities *out);

/* The youngest stated age, or -1 when none. Cues count as their bound. */
double entities_min_age(const struct entities *e);

/*
 * For the extractors: adds an entity of kind with value (cut to fit) and
 * the original span [start, end), number, is_cue and is_debt 0. Returns it
 * for the caller to fill in, or NULL when one of the same kind and value is
 * already there or the kind already holds ENTITIES_MAX.
 */
struct entity *entities_add(struct entities *e, enum entity_kind kind,
			    const char *value, size_t start, size_t end);

/* True when no more entities of kind can be added. Inline: the pass asks at every word it reads. */
static inline int entities_full(const struct entities *e, enum entity_kind kind)
{
	return e->per_kind[kind] >= ENTITIES_MAX;
}

#endif

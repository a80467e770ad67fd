/*
 * route.h - referral rules: from a screened tip and where it happened, the
 * lines and agencies to refer it to, each with the reason, most urgent
 * first.
 *
 * Rules are data (data/routing/, tab-separated; docs/directory.md is the
 * reference), one per line:
 *
 *     id	priority	when	targets	reason
 *     crisis	10	urgency=crisis	emergency@country:1	Someone is in danger now.
 *
 * "when" is a small condition language over the screening result (the
 * output of screen.h, docs/screening.md) and the place:
 *
 *     when := conj ('|' conj)*        any conjunction holds
 *     conj := term ('&' term)*        every term holds
 *     term := ['!'] field [op value]  op is =, != or ~ (contains)
 *
 * Fields: status, urgency, country, region (strings); kinds, typology,
 * purpose (= elements.purpose) and indicator (lists: "=" means "has", and
 * indicator=means matches every category under "means."); minor, act,
 * means (elements.*) and labor_exploitation (yes/no, written bare: "minor",
 * "!minor").
 *
 * "targets" is a comma-separated list of entry ids ("us-ncmec") and
 * lookups "SERVICE@country" or "SERVICE@region", optionally ":N" for the
 * first N in data order, where SERVICE is a service name (directory.h) or
 * "trafficking" for the lines dedicated to trafficking.
 *
 * Parsing and evaluation are pure. A rule set points into the directory it
 * was parsed against, which must outlive it; both are read-only once built
 * and may be shared by threads.
 */
#ifndef VIGIL_ROUTE_H
#define VIGIL_ROUTE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "directory/directory.h"

#define ROUTE_PRIORITY_MAX 999

struct route_rules;

/* Where the tip is about: ISO 3166-1 and ISO 3166-2 codes, "" when unknown. */
struct route_place {
	char country[3];
	char region[DIRECTORY_REGION_SIZE]; /* always the full code, "US-CA" */
};

struct route_referral {
	const struct directory_entry *entry;
	const char *rule;       /* the id of the rule that chose it */
	const char *reason;     /* that rule's reason */
	int priority;           /* 1 is the most urgent */
	enum hours_state state; /* at the evaluation's `now` */
};

/* An evaluation's answer; owned by the caller (init, then release). */
struct route_result {
	struct route_referral *v;
	size_t n;
};

/*
 * Parses the rule files against dir: every target id must be an entry and
 * every lookup a known service. On VG_INVAL err holds one line,
 * "file:line: what is wrong".
 */
int route_parse(const struct directory *dir, const struct directory_file *files, size_t n,
		struct route_rules **out, char *err, size_t errsize);
void route_free(struct route_rules *r);

/* The number of rules, and the id of rule i in file order. */
size_t route_count(const struct route_rules *r);
const char *route_rule_id(const struct route_rules *r, size_t i);

/*
 * Fills *out from a country code ("us" or "US") and a region written with
 * or without its country ("CA" or "US-CA"); either may be NULL or "".
 * VG_INVAL when they are not codes or the region names another country.
 * The codes are checked for form only: geo.h knows which exist.
 */
int route_place_set(struct route_place *out, const char *country, const char *region);

void route_result_init(struct route_result *res);
void route_result_release(struct route_result *res);

/*
 * Applies every rule to one screening result at place and instant now
 * (seconds since the epoch). The referrals are ordered by priority, then
 * open before unknown hours before closed, then rule and target order; an
 * entry chosen by several rules appears once, with its most urgent rule.
 * VG_INVAL, with a message in err, when screening is not a screening
 * result ("status" missing, a field of the wrong type). out is replaced
 * only on success.
 */
int route_eval(const struct route_rules *r, const json_t *screening,
	       const struct route_place *place, int64_t now,
	       struct route_result *out, char *err, size_t errsize);

/*
 * The referrals as the JSON array `vigil route` writes: objects with "id",
 * "name", "phone" (the number to dial, or null), "email", "web" (or null),
 * "reason", "open_now" (true, false, or null when the hours are unknown),
 * "priority" and "rule". *out is a new reference.
 */
int route_result_json(const struct route_result *res, json_t **out);

#endif

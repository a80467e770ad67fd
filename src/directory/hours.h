/*
 * hours.h - opening hours, and whether a line is open at an instant in its
 * own time zone.
 *
 * An hours expression is "24/7" or weekly ranges in the style of
 * OpenStreetMap's opening_hours, with the line's IANA time zone given
 * beside it:
 *
 *     24/7
 *     Mo-Fr 09:00-17:00
 *     Mo-Fr 08:30-16:00; Sa,Su 09:00-15:00
 *     Mo,We 09:00-12:00,13:00-17:00; Fr 22:00-02:00
 *
 * Rules are separated by ";" and the line is open during the union of
 * them. Days are Mo Tu We Th Fr Sa Su, single or as ranges ("Fr-Mo" wraps
 * over the weekend), separated by ",". Times are HH:MM on a 24-hour clock;
 * "24:00" may end a range, and a range that ends at or before its start
 * runs past midnight into the next day ("Fr 22:00-02:00" is open early on
 * Saturday). The times are wall-clock times in the zone, so a line keeps
 * its local hours across daylight-saving changes.
 *
 * Local time comes from ICU's calendar (ucal_*), which is thread-safe and
 * follows the tz database; nothing here touches TZ or the process locale.
 * Parsing is pure: no I/O.
 */
#ifndef VIGIL_HOURS_H
#define VIGIL_HOURS_H

#include <stddef.h>
#include <stdint.h>

#define HOURS_ZONE_SIZE 64 /* the longest IANA zone id we accept, with its NUL */
#define HOURS_WEEK_MINUTES (7 * 24 * 60)

enum hours_kind {
	HOURS_NONE,   /* not known: the source does not say */
	HOURS_ALWAYS, /* 24/7 */
	HOURS_WEEKLY, /* weekly ranges in zone */
};

enum hours_state {
	HOURS_CLOSED,
	HOURS_OPEN,
	HOURS_UNKNOWN, /* the hours are not known (HOURS_NONE) */
};

struct hours {
	enum hours_kind kind;
	char zone[HOURS_ZONE_SIZE]; /* IANA id; required for HOURS_WEEKLY */
	/* Bit m is set when the line is open during minute m of the local week,
	 * counted from Monday 00:00. */
	uint8_t week[HOURS_WEEK_MINUTES / 8];
};

/* A local wall-clock time: weekday 0 is Monday. */
struct hours_local {
	int weekday;
	int hour;
	int minute;
};

/* Sets h to HOURS_NONE (unknown hours, no zone). */
void hours_init(struct hours *h);

/*
 * Parses expr with its zone (NULL or "" only for "24/7"). VG_INVAL with a
 * message in err ("bad day 'Xx'", "unknown time zone 'Mars/Base'") when
 * either is wrong. *out is written only on success.
 */
int hours_parse(const char *expr, const char *zone, struct hours *out,
		char *err, size_t errsize);

/*
 * VG_OK when zone is a time zone id of the tz database that ICU knows
 * ("Europe/Berlin", "America/New_York"); VG_NOTFOUND otherwise, including
 * ICU's "Etc/Unknown" and custom ids such as "GMT+05:00".
 */
int hours_zone_check(const char *zone);

/*
 * The local time in zone at t (seconds since the epoch, UTC). VG_NOTFOUND
 * for an unknown zone, VG_INTERNAL when ICU fails.
 */
int hours_local(const char *zone, int64_t t, struct hours_local *out);

/*
 * Whether h is open at t: HOURS_OPEN or HOURS_CLOSED, or HOURS_UNKNOWN for
 * HOURS_NONE. Fails only as hours_local does.
 */
int hours_state_at(const struct hours *h, int64_t t, enum hours_state *out);

/* "open", "closed" or "unknown". */
const char *hours_state_name(enum hours_state s);

/*
 * Parses an instant written in ISO 8601 with its offset, as the --at
 * options take it: "2026-03-29T01:30:00Z", "2026-03-29T03:30+02:00".
 * Seconds are optional; the offset (Z or +HH:MM) is required, because a
 * local time alone names no instant. Fields out of range ("2026-02-30")
 * are VG_INVAL. *out is seconds since the epoch.
 */
int hours_parse_instant(const char *text, int64_t *out);

#endif

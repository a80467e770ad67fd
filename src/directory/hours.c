#include "base/compat.h"
#include "directory/hours.h"

#include <unicode/ucal.h>
#include <unicode/udat.h>
#include <unicode/ustring.h>

#define DAY_MINUTES (24 * 60)
#define INSTANT_MAX 40 /* "2026-03-29T01:30:00.000+02:00" with room to spare */

static const char *const day_names[7] = {"Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"};

void hours_init(struct hours *h)
{
	memset(h, 0, sizeof(*h));
	h->kind = HOURS_NONE;
}

const char *hours_state_name(enum hours_state s)
{
	switch (s) {
	case HOURS_OPEN:
		return "open";
	case HOURS_CLOSED:
		return "closed";
	case HOURS_UNKNOWN:
		break;
	}
	return "unknown";
}

/*
 * Copies an ASCII string into ICU's UTF-16. Zone ids and ISO 8601 instants
 * are ASCII by construction, which u_charsToUChars requires; anything else
 * is refused rather than mangled.
 */
static int to_uchars(const char *s, UChar *out, size_t cap)
{
	size_t i, len = strlen(s);

	if (len + 1 > cap)
		return VG_TOOBIG;
	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return VG_INVAL;
	}
	u_charsToUChars(s, out, (int32_t)len + 1);
	return VG_OK;
}

static bool is_unknown_zone(const UChar *id, int32_t len)
{
	static const char unknown[] = "Etc/Unknown";
	UChar u[sizeof(unknown)];

	u_charsToUChars(unknown, u, (int32_t)sizeof(unknown));
	return len == (int32_t)(sizeof(unknown) - 1) && !u_strncmp(id, u, len);
}

/*
 * ICU finds a canonical id for some spellings it cannot open a calendar
 * for ("America:Atikokan": its resource keys write '/' as ':'), so a zone
 * is only accepted when hours_local() can use it as well; otherwise hours
 * would parse and then never say whether the line is open.
 */
int hours_zone_check(const char *zone)
{
	UChar id[HOURS_ZONE_SIZE], canon[2 * HOURS_ZONE_SIZE];
	UErrorCode st = U_ZERO_ERROR;
	UBool system = 0;
	struct hours_local lt;
	int32_t n;

	if (!zone || !*zone || to_uchars(zone, id, ARRAY_SIZE(id)))
		return VG_NOTFOUND;
	n = ucal_getCanonicalTimeZoneID(id, -1, canon, (int32_t)ARRAY_SIZE(canon), &system, &st);
	if (U_FAILURE(st) || !system || is_unknown_zone(canon, n))
		return VG_NOTFOUND;
	if (hours_local(zone, 0, &lt))
		return VG_NOTFOUND;
	return VG_OK;
}

int hours_local(const char *zone, int64_t t, struct hours_local *out)
{
	UChar id[HOURS_ZONE_SIZE], got[2 * HOURS_ZONE_SIZE];
	UErrorCode st = U_ZERO_ERROR;
	UCalendar *cal;
	int32_t dow, hour, minute, n;
	int rc = VG_INTERNAL;

	if (to_uchars(zone, id, ARRAY_SIZE(id)))
		return VG_NOTFOUND;
	cal = ucal_open(id, -1, NULL, UCAL_GREGORIAN, &st);
	if (U_FAILURE(st))
		return st == U_MEMORY_ALLOCATION_ERROR ? VG_NOMEM : VG_INTERNAL;
	/* ICU falls back to "Etc/Unknown" (GMT) for an id it does not know. */
	n = ucal_getTimeZoneID(cal, got, (int32_t)ARRAY_SIZE(got), &st);
	if (U_FAILURE(st))
		goto out;
	if (is_unknown_zone(got, n)) {
		rc = VG_NOTFOUND;
		goto out;
	}
	ucal_setMillis(cal, (UDate)t * 1000.0, &st);
	dow = ucal_get(cal, UCAL_DAY_OF_WEEK, &st);
	hour = ucal_get(cal, UCAL_HOUR_OF_DAY, &st);
	minute = ucal_get(cal, UCAL_MINUTE, &st);
	if (U_FAILURE(st))
		goto out;
	/* ICU counts UCAL_SUNDAY = 1 ... UCAL_SATURDAY = 7; ours start on Monday. */
	out->weekday = (dow + 5) % 7;
	out->hour = hour;
	out->minute = minute;
	rc = VG_OK;
out:
	ucal_close(cal);
	return rc;
}

static bool week_test(const struct hours *h, int m)
{
	return h->week[m / 8] >> (m % 8) & 1;
}

static void week_set(struct hours *h, int day, int from, int to)
{
	int m;

	for (m = from; m < to; m++) {
		int w = (day * DAY_MINUTES + m) % HOURS_WEEK_MINUTES;

		h->week[w / 8] |= (uint8_t)(1u << (w % 8));
	}
}

int hours_state_at(const struct hours *h, int64_t t, enum hours_state *out)
{
	struct hours_local lt;
	int rc;

	if (h->kind == HOURS_NONE) {
		*out = HOURS_UNKNOWN;
		return VG_OK;
	}
	if (h->kind == HOURS_ALWAYS) {
		*out = HOURS_OPEN;
		return VG_OK;
	}
	rc = hours_local(h->zone, t, &lt);
	if (rc)
		return rc;
	*out = week_test(h, lt.weekday * DAY_MINUTES + lt.hour * 60 + lt.minute) ?
		HOURS_OPEN : HOURS_CLOSED;
	return VG_OK;
}

/* The parser's position in the expression, for messages that show it. */
struct cursor {
	const char *p;
	char *err;
	size_t errsize;
};

static int fail(struct cursor *c, const char *what)
{
	if (*c->p)
		snprintf(c->err, c->errsize, "hours: %s at \"%.20s\"", what, c->p);
	else
		snprintf(c->err, c->errsize, "hours: %s at the end", what);
	return VG_INVAL;
}

static void skip_spaces(struct cursor *c)
{
	while (*c->p == ' ' || *c->p == '\t')
		c->p++;
}

static int parse_day(struct cursor *c, int *day)
{
	int d;

	for (d = 0; d < 7; d++) {
		if (!strncmp(c->p, day_names[d], 2)) {
			c->p += 2;
			*day = d;
			return VG_OK;
		}
	}
	return fail(c, "expected a day (Mo Tu We Th Fr Sa Su)");
}

/* The days of one rule as a bit set, bit 0 for Monday. */
static int parse_days(struct cursor *c, unsigned *days)
{
	unsigned set = 0;
	int from, to, rc;

	for (;;) {
		rc = parse_day(c, &from);
		if (rc)
			return rc;
		to = from;
		if (*c->p == '-') {
			c->p++;
			rc = parse_day(c, &to);
			if (rc)
				return rc;
		}
		for (;;) {
			set |= 1u << from;
			if (from == to)
				break;
			from = (from + 1) % 7;
		}
		if (*c->p != ',')
			break;
		c->p++;
	}
	*days = set;
	return VG_OK;
}

static int two_digits(const char *p, int *out)
{
	if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
		return VG_INVAL;
	*out = (p[0] - '0') * 10 + (p[1] - '0');
	return VG_OK;
}

/* HH:MM as minutes since midnight; 24:00 only where an end is expected. */
static int parse_time(struct cursor *c, bool is_end, int *minutes)
{
	int hh, mm;

	if (two_digits(c->p, &hh) || c->p[2] != ':' || two_digits(c->p + 3, &mm))
		return fail(c, "expected a time HH:MM");
	if (mm > 59 || hh > 24 || (hh == 24 && (mm || !is_end)))
		return fail(c, "time out of range");
	c->p += 5;
	*minutes = hh * 60 + mm;
	return VG_OK;
}

static int parse_spans(struct cursor *c, unsigned days, struct hours *h)
{
	int from, to, d, rc;

	for (;;) {
		rc = parse_time(c, false, &from);
		if (rc)
			return rc;
		if (*c->p != '-')
			return fail(c, "expected '-' between two times");
		c->p++;
		rc = parse_time(c, true, &to);
		if (rc)
			return rc;
		if (to == from)
			return fail(c, "a range must not start and end at the same time");
		for (d = 0; d < 7; d++) {
			if (!(days >> d & 1))
				continue;
			/* An end at or before the start runs into the next day. */
			week_set(h, d, from, to > from ? to : to + DAY_MINUTES);
		}
		if (*c->p != ',')
			return VG_OK;
		c->p++;
	}
}

static int parse_weekly(struct cursor *c, struct hours *h)
{
	unsigned days;
	int rc;

	for (;;) {
		skip_spaces(c);
		rc = parse_days(c, &days);
		if (rc)
			return rc;
		if (*c->p != ' ' && *c->p != '\t')
			return fail(c, "expected a space between days and times");
		skip_spaces(c);
		rc = parse_spans(c, days, h);
		if (rc)
			return rc;
		skip_spaces(c);
		if (!*c->p)
			return VG_OK;
		if (*c->p != ';')
			return fail(c, "expected ';' between rules");
		c->p++;
	}
}

int hours_parse(const char *expr, const char *zone, struct hours *out,
		char *err, size_t errsize)
{
	struct cursor c = { .p = expr, .err = err, .errsize = errsize };
	struct hours h;
	int rc;

	hours_init(&h);
	if (zone && *zone) {
		if (strlen(zone) >= sizeof(h.zone) || hours_zone_check(zone)) {
			snprintf(err, errsize, "unknown time zone \"%.*s\"", HOURS_ZONE_SIZE, zone);
			return VG_INVAL;
		}
		memcpy(h.zone, zone, strlen(zone) + 1);
	}
	if (!strcmp(expr, "24/7")) {
		h.kind = HOURS_ALWAYS;
		*out = h;
		return VG_OK;
	}
	if (!*h.zone) {
		snprintf(err, errsize, "hours other than 24/7 need a time zone");
		return VG_INVAL;
	}
	h.kind = HOURS_WEEKLY;
	rc = parse_weekly(&c, &h);
	if (rc)
		return rc;
	*out = h;
	return VG_OK;
}

/* Digits at p[i] for every 'D' in shape, the other characters literally. */
static bool has_shape(const char *p, const char *shape)
{
	for (; *shape; shape++, p++) {
		if (*shape == 'D' ? (*p < '0' || *p > '9') : *p != *shape)
			return false;
	}
	return true;
}

int hours_parse_instant(const char *text, int64_t *out)
{
	/* Tried in order; the first that consumes the whole text wins. */
	static const char *const patterns[] = {
		"yyyy-MM-dd'T'HH:mm:ssXXX",
		"yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
		"yyyy-MM-dd'T'HH:mmXXX",
	};
	UChar utext[INSTANT_MAX], pat[48], utc[4];
	size_t i, len = strlen(text);
	int rc = VG_INVAL;

	/* ICU alone would take "26-3-29T1:30Z"; ISO 8601 is fixed-width. */
	if (len >= INSTANT_MAX || !has_shape(text, "DDDD-DD-DDTDD:DD") ||
	    to_uchars(text, utext, ARRAY_SIZE(utext)))
		return VG_INVAL;
	u_charsToUChars("UTC", utc, 4);
	for (i = 0; i < ARRAY_SIZE(patterns) && rc; i++) {
		UErrorCode st = U_ZERO_ERROR;
		UDateFormat *fmt;
		int32_t pos = 0;
		UDate d;

		u_charsToUChars(patterns[i], pat, (int32_t)strlen(patterns[i]) + 1);
		fmt = udat_open(UDAT_PATTERN, UDAT_PATTERN, "en_US_POSIX", utc, -1, pat, -1, &st);
		if (U_FAILURE(st))
			return st == U_MEMORY_ALLOCATION_ERROR ? VG_NOMEM : VG_INTERNAL;
		/* Strict: "2026-02-30" is an error, not 2 March. */
		udat_setLenient(fmt, 0);
		d = udat_parse(fmt, utext, (int32_t)len, &pos, &st);
		udat_close(fmt);
		if (U_SUCCESS(st) && pos == (int32_t)len) {
			int64_t ms = (int64_t)d;

			*out = ms / 1000 - (ms % 1000 < 0);
			rc = VG_OK;
		}
	}
	return rc;
}

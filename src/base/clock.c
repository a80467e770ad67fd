#include "base/compat.h"
#include "base/clock.h"

int64_t clock_now(void)
{
	return (int64_t)time(NULL);
}

int64_t clock_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void clock_sleep_until_ms(int64_t until_ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(until_ms / 1000);
	ts.tv_nsec = (long)(until_ms % 1000) * 1000000;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

double clock_mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double clock_thread_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* t in UTC, or 0 when the year does not fit a struct tm. */
static int utc(int64_t t, struct tm *tm)
{
	time_t tt = (time_t)t;

	return gmtime_r(&tt, tm) != NULL;
}

void clock_iso(int64_t t, char out[CLOCK_ISO_SIZE])
{
	struct tm tm;

	if (!utc(t, &tm) || !strftime(out, CLOCK_ISO_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm))
		out[0] = '\0';
}

void clock_human(int64_t t, char out[CLOCK_ISO_SIZE + 4])
{
	struct tm tm;

	if (!utc(t, &tm) || !strftime(out, CLOCK_ISO_SIZE + 4, "%Y-%m-%d %H:%M UTC", &tm))
		out[0] = '\0';
}

/* Builds a UTC time from parts checked to be a real date and time. */
static int make_time(int y, int mo, int d, int h, int mi, int64_t *out)
{
	struct tm tm = { 0 }, back;
	time_t t;

	if (y < 2000 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 ||
	    mi < 0 || mi > 59)
		return VG_INVAL;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	t = timegm(&tm);
	/* 31 February normalises to March: a date that moved was not a date. */
	if (!gmtime_r(&t, &back) || back.tm_mday != d || back.tm_mon != mo - 1)
		return VG_INVAL;
	*out = (int64_t)t;
	return VG_OK;
}

int clock_parse_minute(const char *s, int64_t *out)
{
	int y, mo, d, h, mi, n = 0;
	char sep;

	if (!s || sscanf(s, "%4d-%2d-%2d%c%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &n) != 6 ||
	    s[n] != '\0' || (sep != 'T' && sep != ' ') || strlen(s) != 16)
		return VG_INVAL;
	return make_time(y, mo, d, h, mi, out);
}

int clock_parse_day_end(const char *s, int64_t *out)
{
	int y, mo, d, n = 0;
	int64_t t;
	int rc;

	if (!s || sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || s[n] != '\0' ||
	    strlen(s) != 10)
		return VG_INVAL;
	rc = make_time(y, mo, d, 23, 59, &t);
	if (!rc)
		*out = t + 59;
	return rc;
}

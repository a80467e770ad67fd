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

static struct tm utc(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	return tm;
}

void clock_iso(int64_t t, char out[CLOCK_ISO_SIZE])
{
	struct tm tm = utc(t);

	if (!strftime(out, CLOCK_ISO_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm))
		out[0] = '\0';
}

void clock_human(int64_t t, char out[CLOCK_ISO_SIZE + 4])
{
	struct tm tm = utc(t);

	if (!strftime(out, CLOCK_ISO_SIZE + 4, "%Y-%m-%d %H:%M UTC", &tm))
		out[0] = '\0';
}

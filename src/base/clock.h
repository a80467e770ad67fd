/*
 * clock.h - wall-clock time for records and a monotonic clock for delays.
 */
#ifndef VIGIL_CLOCK_H
#define VIGIL_CLOCK_H

#include <stdint.h>

#define CLOCK_ISO_SIZE 21 /* "2026-11-22T14:44:39Z" and a NUL */

/* Seconds since the epoch, UTC. */
int64_t clock_now(void);

/* Monotonic milliseconds, for measuring and padding durations. */
int64_t clock_mono_ms(void);

/* Monotonic seconds, and this thread's CPU seconds: for timing stages of work. */
double clock_mono_s(void);
double clock_thread_cpu_s(void);

/* Sleeps until the monotonic clock reads at least until_ms. */
void clock_sleep_until_ms(int64_t until_ms);

/* Formats t as ISO 8601 UTC, e.g. "2026-11-22T14:44:39Z"; "" for a year out of range. */
void clock_iso(int64_t t, char out[CLOCK_ISO_SIZE]);

/* Formats t for people, "2026-11-22 14:44 UTC"; "" for a year out of range. */
void clock_human(int64_t t, char out[CLOCK_ISO_SIZE + 4]);

/*
 * Parses "YYYY-MM-DDTHH:MM" or "YYYY-MM-DD HH:MM" (what a browser's
 * datetime-local field sends), read as UTC; a date that does not exist
 * (30 February) is VG_INVAL, as is anything else.
 */
int clock_parse_minute(const char *s, int64_t *out);
/* Parses a due date "YYYY-MM-DD" as the last second of that day, UTC. */
int clock_parse_day_end(const char *s, int64_t *out);

#endif

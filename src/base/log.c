#include "base/compat.h"
#include "base/log.h"

static void emit(const char *level, const char *fmt, va_list ap)
{
	char stamp[32];
	char line[1024];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	vsnprintf(line, sizeof(line), fmt, ap);
	/* One write per line so that lines from several threads do not mix. */
	fprintf(stderr, "%s vigil %s: %s\n", stamp, level, line);
}

#define LOG_FN(name, level)                        \
	void name(const char *fmt, ...)            \
	{                                          \
		va_list ap;                        \
		va_start(ap, fmt);                 \
		emit(level, fmt, ap);              \
		va_end(ap);                        \
	}

LOG_FN(log_info, "info")
LOG_FN(log_warn, "warning")
LOG_FN(log_error, "error")

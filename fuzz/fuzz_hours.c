/*
 * fuzz_hours.c - opening hours and instants (directory/hours.h): the
 * "hours" and "zone" of every directory entry, and the ISO 8601 instants
 * the --at options of `vigil directory` and `vigil route` take.
 *
 * The input is an hours expression, then optionally a line break and a
 * time zone id. The whole input is also read as an instant. A failed
 * parse must explain itself and leave its output alone; hours that parse
 * must give open or closed at any instant.
 */
#include "base/compat.h"
#include "fuzz.h"
#include "directory/hours.h"

/* Instants around the spring change of clocks in Europe, and far ones. */
static const int64_t instants[] = {
	0, 1774746000, 1774749600, 1774879200, -2208988800LL, 4102444800LL,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup((const char *)data, size);
	char *nl = strchr(text, '\n');
	const char *zone = NULL;
	struct hours h;
	char err[256];
	int64_t t = 42;
	size_t i;
	int rc;

	if (hours_parse_instant(text, &t))
		fuzz_check(t == 42);
	if (nl) {
		*nl = '\0';
		zone = nl + 1;
		hours_zone_check(zone);
	}
	memset(&h, 0xa5, sizeof(h));
	err[0] = '\0';
	rc = hours_parse(text, zone, &h, err, sizeof(err));
	if (rc) {
		fuzz_check(rc != VG_INVAL || err[0] != '\0');
		fuzz_check(h.zone[0] == (char)0xa5);
		goto out;
	}
	fuzz_check(h.kind == HOURS_ALWAYS || h.kind == HOURS_WEEKLY);
	fuzz_check(memchr(h.zone, '\0', sizeof(h.zone)) != NULL);
	fuzz_check(h.kind != HOURS_WEEKLY || h.zone[0] != '\0');
	for (i = 0; i < ARRAY_SIZE(instants); i++) {
		enum hours_state st;

		fuzz_check(hours_state_at(&h, instants[i], &st) == VG_OK);
		fuzz_check(st == HOURS_OPEN || st == HOURS_CLOSED);
	}
out:
	free(text);
	return 0;
}

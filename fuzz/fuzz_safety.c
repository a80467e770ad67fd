/*
 * fuzz_safety.c - the safety statuses of team meetings (app/meetings.h
 * meeting_safety_load), read from <rules>/meetings/safety_status.tsv on
 * each recorded outcome: each input is written there, in a temporary rules
 * directory made once, and loaded.
 *
 * A file that loads must hold "unknown", at most SAFETY_STATUS_MAX
 * statuses, each a terminated [a-z0-9_] slug listed once with a one-line
 * label; one that does not must leave the output alone.
 */
#include "base/compat.h"
#include "fuzz.h"
#include "app/meetings.h"
#include "base/text.h"

#include <sys/stat.h>

static char dir[256];
static char path[512];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/meetings", dir);
	if (mkdir(path, 0700)) {
		fprintf(stderr, "fuzz_safety: cannot make %s\n", path);
		abort();
	}
	snprintf(path, sizeof(path), "%s/%s", dir, MEETING_SAFETY_FILE);
	return 0;
}

static int slug_ok(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct safety_list *l = malloc(sizeof(*l));
	FILE *f = fopen(path, "wb");
	size_t i;

	if (!l || !f || (size && fwrite(data, 1, size, f) != size) || fclose(f)) {
		fprintf(stderr, "fuzz_safety: cannot write %s\n", path);
		abort();
	}
	memset(l, 0xa5, sizeof(*l));
	if (meeting_safety_load(dir, l) != VG_OK) {
		fuzz_check(l->n == (size_t)0xa5a5a5a5a5a5a5a5ULL);
		goto out;
	}
	fuzz_check(l->n >= 1 && l->n <= SAFETY_STATUS_MAX);
	fuzz_check(meeting_safety_find(l, "unknown") != NULL);
	for (i = 0; i < l->n; i++) {
		const struct safety_status *e = &l->v[i];

		fuzz_check(memchr(e->slug, '\0', sizeof(e->slug)) && e->slug[0] && slug_ok(e->slug));
		fuzz_check(memchr(e->label, '\0', sizeof(e->label)) && e->label[0]);
		fuzz_check(text_check_line(e->label, strlen(e->label), sizeof(e->label)) == VG_OK);
		fuzz_check(meeting_safety_find(l, e->slug) == e);
	}
out:
	free(l);
	return 0;
}

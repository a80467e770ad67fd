#include "base/compat.h"
#include "fuzz.h"

#include <ftw.h>
#include <sanitizer/common_interface_defs.h>

/*
 * Weak, so that the targets also link without a sanitizer; with one, it
 * writes to the report descriptor, which stays open under libFuzzer's
 * -close_fd_mask=2 when stderr does not.
 */
#pragma weak __sanitizer_report_error_summary

size_t fuzz_split(const uint8_t *data, size_t size, struct fuzz_part *parts, size_t max)
{
	const char *p = (const char *)data, *end = p + size;
	size_t n = 0;

	assert(max > 0);
	while (n + 1 < max) {
		const char *sep = memchr(p, FUZZ_FILE_SEPARATOR, (size_t)(end - p));

		if (!sep)
			break;
		parts[n].data = p;
		parts[n].len = (size_t)(sep - p);
		n++;
		p = sep + 1;
	}
	parts[n].data = p;
	parts[n].len = (size_t)(end - p);
	return n + 1;
}

char *fuzz_strndup(const char *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

void fuzz_check_at(int cond, const char *what, const char *file, int line)
{
	char msg[512];

	if (cond)
		return;
	snprintf(msg, sizeof(msg), "%s:%d: contract broken: %s", file, line, what);
	if (__sanitizer_report_error_summary)
		__sanitizer_report_error_summary(msg);
	else
		fprintf(stderr, "%s\n", msg);
	abort();
}

/* The directory fuzz_tmpdir() made, removed at exit; set once by Initialize. */
static char tmpdir_path[256];

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void tmpdir_remove(void)
{
	if (tmpdir_path[0])
		nftw(tmpdir_path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void fuzz_tmpdir(char *out, size_t size)
{
	const char *base = getenv("TMPDIR");
	int n;

	assert(!tmpdir_path[0]);
	n = snprintf(tmpdir_path, sizeof(tmpdir_path), "%s/vigil-fuzz-XXXXXX",
		     base && base[0] ? base : "/tmp");
	if (n < 0 || (size_t)n >= sizeof(tmpdir_path) || !mkdtemp(tmpdir_path)) {
		fprintf(stderr, "fuzz: cannot make a temporary directory\n");
		abort();
	}
	atexit(tmpdir_remove);
	n = snprintf(out, size, "%s", tmpdir_path);
	if (n < 0 || (size_t)n >= size)
		abort();
}

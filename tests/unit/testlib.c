#include "base/compat.h"

#include <unistd.h>

#include "testlib.h"
#include "screen/screen.h"
#include "vigil_config.h"

char *test_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	long n;

	if (!f) {
		printf("# cannot read %s: %s\n", path, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		p = malloc((size_t)n + 1);
		if (p && fread(p, 1, (size_t)n, f) == (size_t)n) {
			p[n] = '\0';
			if (len)
				*len = (size_t)n;
		} else {
			free(p);
			p = NULL;
		}
	}
	fclose(f);
	if (!p)
		printf("# cannot read %s\n", path);
	return p;
}

void test_remove_db(const char *path)
{
	static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
	char p[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(suffixes); i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffixes[i]);
		unlink(p);
	}
}

int test_screen_engine(struct screen_engine **engine, struct screen_scratch **scratch)
{
	static const char *const names[] = { "typology.tsv", "en.tsv", "es.tsv" };
	static const char *const paths[] = {
		VIGIL_RULES_DIR "/typology.tsv",
		VIGIL_RULES_DIR "/indicators/en.tsv",
		VIGIL_RULES_DIR "/indicators/es.tsv",
	};
	struct screen_file files[3];
	char err[256];
	int rc = -1;

	memset(files, 0, sizeof(files));
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		files[i].name = names[i];
		files[i].text = test_slurp(paths[i], &files[i].len);
		if (!files[i].text)
			goto out;
	}
	if (screen_engine_build(files, ARRAY_SIZE(files), engine, err, sizeof(err))) {
		printf("# %s\n", err);
		goto out;
	}
	if (screen_scratch_new(*engine, scratch)) {
		screen_engine_free(*engine);
		goto out;
	}
	rc = 0;
out:
	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		free((char *)files[i].text);
	return rc;
}

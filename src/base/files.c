#include "base/compat.h"
#include "base/files.h"
#include "base/buf.h"

#include <dirent.h>
#include <sys/stat.h>

void file_set_init(struct file_set *s)
{
	s->v = NULL;
	s->n = 0;
}

void file_set_release(struct file_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->v[i].path);
		free(s->v[i].text);
	}
	free(s->v);
	file_set_init(s);
}

int file_set_add(struct file_set *s, const char *path, size_t max, char *err, size_t errsize)
{
	struct file_text *v, f = {0};
	struct buf b;
	char chunk[8192];
	size_t n;
	FILE *in;
	int rc = VG_OK;

	if (s->n == FILES_MAX) {
		snprintf(err, errsize, "%s: more than %d files", path, FILES_MAX);
		return VG_TOOBIG;
	}
	in = fopen(path, "rb");
	if (!in) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		return VG_IO;
	}
	buf_init(&b, max);
	while (!rc && (n = fread(chunk, 1, sizeof(chunk), in)) > 0)
		rc = buf_add(&b, chunk, n);
	if (!rc && ferror(in))
		rc = VG_IO;
	fclose(in);
	if (rc) {
		snprintf(err, errsize, "%s: %s", path, rc == VG_TOOBIG ? "too large" : "cannot be read");
		buf_release(&b);
		return rc;
	}
	v = realloc(s->v, (s->n + 1) * sizeof(*v));
	f.path = strdup(path);
	f.text = buf_detach(&b, &f.len);
	if (!v || !f.path || !f.text) {
		if (v)
			s->v = v;
		free(f.path);
		free(f.text);
		snprintf(err, errsize, "%s: %s", path, vg_strerror(VG_NOMEM));
		return VG_NOMEM;
	}
	f.name = strrchr(f.path, '/') ? strrchr(f.path, '/') + 1 : f.path;
	s->v = v;
	s->v[s->n++] = f;
	return VG_OK;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int file_set_add_dir(struct file_set *s, const char *dir, const char *suffix, size_t max,
		     char *err, size_t errsize)
{
	char *names[FILES_MAX];
	size_t count = 0, i, slen = strlen(suffix);
	struct dirent *de;
	DIR *d = opendir(dir);
	int rc = VG_OK;

	if (!d) {
		snprintf(err, errsize, "%s: %s", dir, strerror(errno));
		return VG_IO;
	}
	while (!rc && (de = readdir(d))) {
		size_t len = strlen(de->d_name);
		struct stat st;
		char *path;

		if (de->d_name[0] == '.' || len <= slen || strcmp(de->d_name + len - slen, suffix))
			continue;
		if (asprintf(&path, "%s/%s", dir, de->d_name) < 0) {
			rc = VG_NOMEM;
			break;
		}
		if (stat(path, &st) || !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		if (count == FILES_MAX) {
			free(path);
			snprintf(err, errsize, "%s: more than %d files", dir, FILES_MAX);
			rc = VG_TOOBIG;
			break;
		}
		names[count++] = path;
	}
	closedir(d);
	qsort(names, count, sizeof(*names), by_name);
	for (i = 0; i < count; i++) {
		if (!rc)
			rc = file_set_add(s, names[i], max, err, errsize);
		free(names[i]);
	}
	return rc;
}

#include "base/compat.h"
#include "app/helplines.h"
#include "base/files.h"
#include "directory/directory.h"
#include "directory/route.h"

/* Both parsers take {name, text, len}; the file set's entries carry those. */
static struct directory_file *as_directory_files(const struct file_set *set)
{
	struct directory_file *v = calloc(set->n + 1, sizeof(*v));
	size_t i;

	for (i = 0; v && i < set->n; i++) {
		v[i].name = set->v[i].name;
		v[i].text = set->v[i].text;
		v[i].len = set->v[i].len;
	}
	return v;
}

static int load_part(const char *dir, const char *sub, const char *suffix,
		     struct file_set *set, struct directory_file **files, char *err, size_t errsize)
{
	char path[1024];
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	rc = file_set_add_dir(set, path, suffix, DIRECTORY_FILE_MAX, err, errsize);
	if (rc)
		return rc;
	*files = as_directory_files(set);
	return *files ? VG_OK : VG_NOMEM;
}

int helplines_load(const char *dir, const struct geo *g, int with_rules,
		   struct helplines *out, char *err, size_t errsize)
{
	struct helplines h = {0};
	struct file_set dset, rset;
	struct directory_file *dfiles = NULL, *rfiles = NULL;
	int rc;

	file_set_init(&dset);
	file_set_init(&rset);
	rc = load_part(dir, "directory", ".ini", &dset, &dfiles, err, errsize);
	if (!rc)
		rc = directory_parse(dfiles, dset.n, &h.directory, err, errsize);
	if (!rc)
		rc = directory_check_geo(h.directory, g, err, errsize);
	if (!rc && with_rules)
		rc = load_part(dir, "routing", ".tsv", &rset, &rfiles, err, errsize);
	if (!rc && with_rules)
		rc = route_parse(h.directory, rfiles, rset.n, &h.rules, err, errsize);
	free(dfiles);
	free(rfiles);
	file_set_release(&dset);
	file_set_release(&rset);
	if (rc) {
		helplines_release(&h);
		return rc;
	}
	*out = h;
	return VG_OK;
}

void helplines_release(struct helplines *h)
{
	route_free(h->rules);
	directory_free(h->directory);
	h->rules = NULL;
	h->directory = NULL;
}

/*
 * helplines.h - the directory of help lines and the referral rules, read
 * from the rules folder (the .ini files of directory/, the .tsv files of
 * routing/) and checked against the ISO 3166 lists. Read-only once loaded;
 * shared by threads.
 */
#ifndef VIGIL_HELPLINES_H
#define VIGIL_HELPLINES_H

#include <stddef.h>

struct directory;
struct route_rules;
struct geo;

struct helplines {
	struct directory *directory;
	struct route_rules *rules;
};

/*
 * Loads dir/directory and dir/routing. VG_INVAL for bad data and VG_IO for
 * files that cannot be read, with one line in err naming file and line.
 * with_rules 0 loads the directory alone.
 */
int helplines_load(const char *dir, const struct geo *g, int with_rules,
		   struct helplines *out, char *err, size_t errsize);
void helplines_release(struct helplines *h);

#endif

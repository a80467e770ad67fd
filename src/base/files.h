/*
 * files.h - reading whole data files (rules, directory) into memory.
 *
 * A file set owns the text of each file it read, NUL-terminated, with its
 * path and bare name for messages. Every file has a size limit, and a
 * folder's files come in name order, so loading is repeatable.
 */
#ifndef VIGIL_FILES_H
#define VIGIL_FILES_H

#include <stddef.h>

#define FILES_MAX 256

struct file_text {
	char *path;       /* as opened */
	const char *name; /* the part of path after the last '/' */
	char *text;       /* the contents and a NUL */
	size_t len;       /* bytes, without the NUL */
};

struct file_set {
	struct file_text *v;
	size_t n;
};

void file_set_init(struct file_set *s);
void file_set_release(struct file_set *s);

/*
 * Reads path (at most max bytes) and appends it. VG_IO when it cannot be
 * read, VG_TOOBIG past max; err says which file and why.
 */
int file_set_add(struct file_set *s, const char *path, size_t max, char *err, size_t errsize);

/*
 * Appends every regular file of dir whose name ends in suffix (hidden files
 * skipped), in name order. VG_IO when dir cannot be listed.
 */
int file_set_add_dir(struct file_set *s, const char *dir, const char *suffix, size_t max,
		     char *err, size_t errsize);

#endif

/*
 * testlib.h - what several unit tests share: reading a file of the source
 * tree, and the screening engine built from the real rules in data/.
 */
#ifndef VIGIL_TESTLIB_H
#define VIGIL_TESTLIB_H

#include <stddef.h>

struct screen_engine;
struct screen_scratch;

/*
 * The whole file at path with a NUL after it, malloc'd, and its length in
 * *len when len is not NULL; NULL (with a TAP comment saying why) when it
 * cannot be read.
 */
char *test_slurp(const char *path, size_t *len);

/* Removes an SQLite database and its -wal, -shm and -journal files. */
void test_remove_db(const char *path);

/*
 * Builds the engine from data/typology.tsv and data/indicators/{en,es}.tsv
 * and a scratch for it: 0, or -1 with a TAP comment.
 */
int test_screen_engine(struct screen_engine **engine, struct screen_scratch **scratch);

#endif

/*
 * intern.h - a set of strings, each with a number: 0, 1, 2, ... in the
 * order they were first added. Ad ids, places and contacts are kept once
 * each and named by number everywhere else.
 *
 * Strings are kept NUL-terminated in one growing arena; a slot of the
 * hash table holds a number and 32 bits of its string's hash (8 bytes), so
 * that a lookup reads the arena only when the hashes agree: adding a new
 * id costs one memory access, not two. A string may not contain NUL and is
 * at most INTERN_STR_MAX bytes. Pure and caller-owned.
 */
#ifndef VIGIL_INTERN_H
#define VIGIL_INTERN_H

#include <stddef.h>
#include <stdint.h>

#define INTERN_STR_MAX 1024
/* The arena's offsets are 32 bits: at most 4 GiB of strings. */
#define INTERN_ARENA_MAX ((size_t)UINT32_MAX)
#define INTERN_NONE UINT32_MAX

struct intern_slot {
	uint32_t id;       /* INTERN_NONE when free */
	uint32_t hash;
};

struct intern {
	char *arena;
	size_t len, cap;   /* arena bytes used and allocated */
	uint32_t *off;     /* per number: where its string starts */
	size_t n, ncap;
	struct intern_slot *slots;
	size_t scap;       /* a power of two, or 0 */
};

void intern_init(struct intern *t);
void intern_release(struct intern *t);

/* The number of s (len bytes), or INTERN_NONE when it is not in the set. */
uint32_t intern_find(const struct intern *t, const char *s, size_t len);

/*
 * Adds s unless it is there; *id is its number either way, and *added (if
 * not NULL) says whether it was new. VG_INVAL for a NUL inside s,
 * VG_TOOBIG past INTERN_STR_MAX or the arena's limit, VG_NOMEM.
 */
int intern_add(struct intern *t, const char *s, size_t len, uint32_t *id, int *added);

/*
 * The same in two steps, for a caller with several strings to add at once:
 * intern_hash() of each, intern_prefetch() of each, then
 * intern_add_hashed() of each with its hash. The slots of a large set are
 * far apart in memory, and each lookup used to wait for its own; asked
 * for together, their cache misses overlap. The numbers given are the
 * same as intern_add()'s. h must be intern_hash(s, len).
 */
uint64_t intern_hash(const char *s, size_t len);
void intern_prefetch(const struct intern *t, uint64_t h);
int intern_add_hashed(struct intern *t, const char *s, size_t len, uint64_t h, uint32_t *id,
		      int *added);

/*
 * For a string that is likely already in the set (a contact seen before),
 * the lookup goes on to read its offset and then its bytes, each a miss
 * of its own after the slot's. Once intern_prefetch(t, h) has brought the
 * slot, intern_prefetch_match(t, h, 0) asks for the offset of the number
 * whose hash matches in the slot's cache line, and later, once that has
 * arrived, intern_prefetch_match(t, h, 1) for its string. Hints only: a
 * lookup gives the same answer with or without them.
 */
void intern_prefetch_match(const struct intern *t, uint64_t h, int string);

/* The string numbered id (id < t->n). */
static inline const char *intern_str(const struct intern *t, uint32_t id)
{
	return t->arena + t->off[id];
}

#endif

#include "base/compat.h"
#include "cluster/intern.h"
#include "base/hugepage.h"

/* Inline, as in minhash.c: a call through the library costs as much as a short string's hash. */
#define XXH_INLINE_ALL
#include <xxhash.h>

void intern_init(struct intern *t)
{
	memset(t, 0, sizeof(*t));
}

void intern_release(struct intern *t)
{
	free(t->arena);
	free(t->off);
	free(t->slots);
	intern_init(t);
}

static uint64_t hash_of(const char *s, size_t len)
{
	return XXH3_64bits(s, len);
}

uint64_t intern_hash(const char *s, size_t len)
{
	return hash_of(s, len);
}

void intern_prefetch(const struct intern *t, uint64_t h)
{
	if (t->scap)
		__builtin_prefetch(&t->slots[(size_t)h & (t->scap - 1)]);
}

void intern_prefetch_match(const struct intern *t, uint64_t h, int string)
{
	size_t i;

	if (!t->scap)
		return;
	/* The slots from the home one to the end of its line: those the slot's prefetch brought. */
	for (i = (size_t)h & (t->scap - 1); i < t->scap; i++) {
		const struct intern_slot *sl = &t->slots[i];

		if (sl->id == INTERN_NONE)
			return;
		if (sl->hash == (uint32_t)(h >> 32)) {
			if (string)
				__builtin_prefetch(t->arena + t->off[sl->id]);
			else
				__builtin_prefetch(&t->off[sl->id]);
			return;
		}
		if ((uintptr_t)(sl + 1) % 64 == 0)
			return;
	}
}

static int same(const struct intern *t, uint32_t id, const char *s, size_t len)
{
	const char *a = t->arena + t->off[id];

	return !memcmp(a, s, len) && a[len] == '\0';
}

/* The slot of s: where it is, or the free slot where it would go. */
static size_t probe(const struct intern *t, const char *s, size_t len, uint64_t h)
{
	size_t i = (size_t)h & (t->scap - 1);

	for (;; i = (i + 1) & (t->scap - 1)) {
		const struct intern_slot *sl = &t->slots[i];

		if (sl->id == INTERN_NONE || (sl->hash == (uint32_t)(h >> 32) && same(t, sl->id, s, len)))
			return i;
	}
}

uint32_t intern_find(const struct intern *t, const char *s, size_t len)
{
	if (!t->scap)
		return INTERN_NONE;
	return t->slots[probe(t, s, len, hash_of(s, len))].id;
}

/* How many numbers ahead rehash() asks for the slot it will fill. */
#define REHASH_AHEAD 8

/* Puts number id, of hash h, in its first free slot from its home. */
static void place(struct intern_slot *slots, size_t cap, uint32_t id, uint64_t h)
{
	size_t j;

	for (j = (size_t)h & (cap - 1); slots[j].id != INTERN_NONE; j = (j + 1) & (cap - 1))
		;
	slots[j].id = id;
	slots[j].hash = (uint32_t)(h >> 32);
}

/*
 * Doubles the hash table (load stays under 3/4) and places every number
 * again. The low bits of a hash are its home slot, and only the high ones
 * are kept, so each string is hashed again. They are taken in the order of
 * their numbers, which reads the offsets and the arena from start to end
 * (a walk of the old slots read both at random), and each new slot is
 * asked for REHASH_AHEAD strings before it is filled. Where a number lands
 * differs from a walk of the old slots, but not which number a lookup finds.
 */
static int rehash(struct intern *t)
{
	size_t cap = t->scap ? t->scap * 2 : 256, i;
	struct intern_slot *slots = malloc(cap * sizeof(*slots));
	uint64_t ahead[REHASH_AHEAD];

	if (!slots)
		return VG_NOMEM;
	hugepage_advise(slots, cap * sizeof(*slots));
	for (i = 0; i < cap; i++)
		slots[i].id = INTERN_NONE;
	for (i = 0; i < t->n + REHASH_AHEAD; i++) {
		if (i >= REHASH_AHEAD)
			place(slots, cap, (uint32_t)(i - REHASH_AHEAD), ahead[i % REHASH_AHEAD]);
		if (i < t->n) {
			size_t end = i + 1 < t->n ? t->off[i + 1] : t->len;
			uint64_t h = hash_of(t->arena + t->off[i], end - t->off[i] - 1);

			__builtin_prefetch(&slots[(size_t)h & (cap - 1)], 1);
			ahead[i % REHASH_AHEAD] = h;
		}
	}
	free(t->slots);
	t->slots = slots;
	t->scap = cap;
	return VG_OK;
}

/* Grows *p (of *cap elements of size each) to hold need elements. */
static int reserve(void **p, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return VG_OK;
	while (c < need)
		c += c / 2;
	q = realloc(*p, c * size);
	if (!q)
		return VG_NOMEM;
	*p = q;
	*cap = c;
	hugepage_advise(q, c * size);
	return VG_OK;
}

int intern_add(struct intern *t, const char *s, size_t len, uint32_t *id, int *added)
{
	if (len > INTERN_STR_MAX)
		return VG_TOOBIG;
	return intern_add_hashed(t, s, len, hash_of(s, len), id, added);
}

int intern_add_hashed(struct intern *t, const char *s, size_t len, uint64_t h, uint32_t *id,
		      int *added)
{
	size_t i;
	int rc;

	if (len > INTERN_STR_MAX)
		return VG_TOOBIG;
	if (memchr(s, '\0', len))
		return VG_INVAL;
	if (t->scap) {
		i = probe(t, s, len, h);
		if (t->slots[i].id != INTERN_NONE) {
			*id = t->slots[i].id;
			if (added)
				*added = 0;
			return VG_OK;
		}
	}
	if (t->len + len + 1 > INTERN_ARENA_MAX || t->n >= INTERN_NONE - 1)
		return VG_TOOBIG;
	rc = reserve((void **)&t->arena, &t->cap, t->len + len + 1, 1);
	if (!rc)
		rc = reserve((void **)&t->off, &t->ncap, t->n + 1, sizeof(*t->off));
	if (!rc && (t->n + 1) * 4 > t->scap * 3)
		rc = rehash(t);
	if (rc)
		return rc;
	memcpy(t->arena + t->len, s, len);
	t->arena[t->len + len] = '\0';
	t->off[t->n] = (uint32_t)t->len;
	t->len += len + 1;
	i = probe(t, s, len, h);
	t->slots[i].id = (uint32_t)t->n;
	t->slots[i].hash = (uint32_t)(h >> 32);
	*id = (uint32_t)t->n++;
	if (added)
		*added = 1;
	return VG_OK;
}

#include "base/compat.h"
#include "screen/wordset.h"

void wordset_init(struct wordset *w)
{
	memset(w, 0, sizeof(*w));
}

void wordset_add(struct wordset *w, const char *phrase)
{
	size_t len = 0;
	unsigned h;

	while (phrase[len] >= 'a' && phrase[len] <= 'z')
		len++;
	assert(len > 0);
	w->lengths[wordset_key(phrase, len)] |= (uint16_t)wordset_length_bit(len);
	w->ends[len > 1 ? wordset_key(phrase + len - 2, 2) : wordset_key(phrase, 1)] |=
		(uint16_t)wordset_length_bit(len);
	h = wordset_hash(phrase, len);
	w->hashes[h / 64] |= UINT64_C(1) << (h % 64);
}

void wordset_merge(struct wordset *w, const struct wordset *other)
{
	size_t i;

	for (i = 0; i < WORDSET_KEYS; i++) {
		w->lengths[i] |= other->lengths[i];
		w->ends[i] |= other->ends[i];
	}
	for (i = 0; i < ARRAY_SIZE(w->hashes); i++)
		w->hashes[i] |= other->hashes[i];
}

void wordset_add_all(struct wordset *w, const char *const *phrases, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		wordset_add(w, phrases[i]);
}

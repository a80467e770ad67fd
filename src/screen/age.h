/*
 * age.h - stated ages and age cues in normalised text.
 *
 * Stated ages: "16 years old", "16yo", "16 y/o", "16-year-old", "age 16",
 * "aged 16", "sixteen years old", "a los 15 años", "tiene 15 años", "de 15
 * años", "15 añitos", "quince años de edad", and a bare number after a
 * person and a verb ("she is 15", "he's 14"), a birthday ("turned 16",
 * "cumplió 16") or "tiene 15", when the clause ends there ("she is 15
 * minutes away" is not an age). Cues: "looks about 14" (the number is an
 * estimate), and "high school", "secundaria", "prepa", "minor",
 * "underage", "menor de edad", which stand for AGE_MINOR_BOUND. Numbers
 * outside 1-99 are not ages. See docs/screening-text.md.
 */
#ifndef VIGIL_AGE_H
#define VIGIL_AGE_H

#include <stddef.h>
#include <stdint.h>

#include "screen/entities.h"
#include "screen/norm.h"
#include "screen/phrase.h"
#include "screen/wordset.h"

/* What an age cue with no number stands for: under 18. */
#define AGE_MINOR_BOUND 17

/* The words the phrases of each kind of age start with. */
struct age_words {
	struct wordset numbers;  /* "sixteen", "quince": before "years old", "años" */
	struct wordset before;   /* "age", "aged", "looks", "parece" */
	struct wordset cues;     /* "high", "secundaria", "minor" */
	/*
	 * The bytes that the words after a number start with, bit c for
	 * byte c: a unit ("years old", "yo", "años") and what may follow a
	 * bare age ("and", "now", "last"). Most numbers of a text (prices,
	 * the digits of a phone number) are followed by none of them.
	 */
	uint8_t unit_first[32], follow_first[32];
	/*
	 * The last two bytes before the space of every phrase that may stand
	 * before a bare age ("she is ", "turned ", "de "): most numbers
	 * (those of a phone number in words, "five one zero") follow a word
	 * that ends otherwise.
	 */
	uint8_t verb_last[32], verb_second_last[32];
	/* The lists of phrases read at or before a position, indexed (phrase.h). */
	struct {
		struct phrase_list after, follow, follow_time, before, cue_before, cues,
				   not_minor, anos_before, subjects, turned_before, person_of,
				   has_before;
	} lists;
};

void age_words_init(struct age_words *w);

/*
 * Reads the age that starts at the word at n->text[i] (a run of letters or
 * digits at a word boundary) and adds it to out (ENTITY_AGE). Returns where
 * it ends, or 0 when there is none. For a run of letters pr is the word's
 * probe (wordset_probe_init()); for digits it is not read and may be NULL.
 */
size_t age_at(const struct norm *n, const struct age_words *w, size_t i,
	      const struct wordset_probe *pr, struct entities *out);

#endif

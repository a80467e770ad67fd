/*
 * numword.h - numbers written as words, in English and Spanish.
 *
 * The entity extractors read normalised text (norm.h: lower case, accents
 * removed), so the words here are written that way: "dieciseis" stands for
 * "dieciséis". Pure functions of their arguments (the words are indexed
 * once, on first use, and only read after that).
 */
#ifndef VIGIL_NUMWORD_H
#define VIGIL_NUMWORD_H

#include <stddef.h>

#include "screen/wordset.h"

/*
 * The digit the whole word w[0..len) stands for when a phone number is
 * spelled out ("five", "cinco", "oh" and "cero" as 0), or -1.
 */
int numword_digit(const char *w, size_t len);

/*
 * Reads a number from 1 to 99 written in words at text[pos]: "sixteen",
 * "twenty-one", "twenty one", "quince", "veintiuno", "treinta y dos". The
 * number must start at pos and end at a word boundary. Returns the value
 * and sets *end past it, or returns -1 and leaves *end alone.
 */
int numword_parse(const char *text, size_t len, size_t pos, size_t *end);

/* Adds the words numword_digit() reads to w. */
void numword_add_digits(struct wordset *w);

/* Adds the words a number read by numword_parse() may start with to w. */
void numword_add_numbers(struct wordset *w);

#endif

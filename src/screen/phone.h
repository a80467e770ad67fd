/*
 * phone.h - phone numbers in normalised text, as E.164.
 *
 * A number may be written with any separators between its digits (spaces,
 * dots, dashes, slashes, parentheses, "*", "~", emoji), with letters that
 * look like digits inside it ("5l0", "O1Z3") and with digits spelled out in
 * English or Spanish ("five one zero", "cinco uno cero", "oh" for 0).
 * Dates, prices and digit strings longer than a phone number are not read
 * as numbers. See docs/screening-text.md for the rules and their limits.
 */
#ifndef VIGIL_PHONE_H
#define VIGIL_PHONE_H

#include <stdbool.h>
#include <stddef.h>

#include "screen/entities.h"
#include "screen/norm.h"
#include "screen/wordset.h"

/* E.164 numbers are at most 15 digits; "+" and the NUL make 17. */
#define PHONE_E164_SIZE 17

/*
 * Converts the digits of a number as written (digits[0..len), no
 * separators) to E.164 in out: plus says it was written after a "+";
 * country is the ISO 3166-1 alpha-2 code for national numbers ("" for
 * none). Returns 1, or 0 when the digits are not a phone number there.
 */
int phone_e164(const char *digits, size_t len, int plus, const char *country,
	       char out[PHONE_E164_SIZE]);

/* E.164 numbers have at most 15 digits, written after "00" at most 17. */
#define PHONE_DIGITS_MAX 15
#define PHONE_WINDOW_DIGITS (PHONE_DIGITS_MAX + 2)

/*
 * The scanner reads the normalised text left to right, driven by the
 * caller (entities.c reads every word once for all the extractors). Digits
 * with no separator between them form a group; a spelled-out digit is a
 * group of its own. Groups at most a few separators apart form a
 * candidate, which a window of at most PHONE_WINDOW_DIGITS digits cuts
 * into numbers from the left, longest first, so that two numbers written
 * one after the other are both read. The fields are private to phone.c;
 * the struct is here so that callers can keep it on the stack.
 */
struct phone_group {
	char digits[PHONE_DIGITS_MAX + 1];
	size_t ndig;
	size_t start, end;     /* normalised offsets */
	char sep;              /* the one separator before it, ' ' for several */
	bool plus;             /* written after "+" */
	bool currency;         /* written after a currency sign: a price */
	bool overlong;         /* more digits than any number has */
};

struct phone_country;

struct phone_scan {
	const struct norm *n;
	const struct phone_country *country; /* the default, or NULL */
	struct entities *out;
	const struct wordset *digit_words;
	struct phone_group win[2 * (PHONE_WINDOW_DIGITS + 1)];
	size_t head;           /* the window is win[head .. head + count) */
	size_t count, digits;  /* groups and digits in the window */
	struct phone_group cur;/* the group being read */
	bool in_group;
	size_t gap;            /* separators since the last group */
	char gap_char;
	bool after_plus, after_currency;
	size_t plus_pos;
	bool done;             /* the kind is full */
};

/*
 * Starts reading n; numbers go to out (ENTITY_PHONE, original spans).
 * digit_words holds the spelled-out digits (numword_add_digits()).
 */
void phone_scan_init(struct phone_scan *s, const struct norm *n, const char *country,
		     const struct wordset *digit_words, struct entities *out);

/*
 * True when a number may start at n->text[i]: a digit, "+", a currency
 * sign (what follows is a price), or the run of letters n->text[i..k)
 * when it is a spelled-out digit or stands right before a digit ("O1Z3").
 */
int phone_scan_wants(const struct phone_scan *s, size_t i, size_t k);

/*
 * Reads from n->text[i] to the end of the candidate that starts there;
 * returns where the scanner has nothing pending any more. The caller
 * starts it again only at or after that point.
 */
size_t phone_scan_run(struct phone_scan *s, size_t i);

/* Reads what is pending at the end of the text. */
void phone_scan_finish(struct phone_scan *s);

#endif

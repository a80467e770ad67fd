/*
 * money.h - amounts of money and debts in normalised text.
 *
 * An amount needs a currency: "$3,000", "USD 3000", "€500", "3000 dollars",
 * "500 euros", "3.000 pesos", "$20k", "5 mil pesos". A word of debt nearby
 * in the same sentence ("owes", "debt", "debe", "deuda", "pay back",
 * "pagar") makes it a debt. See docs/screening-text.md.
 */
#ifndef VIGIL_MONEY_H
#define VIGIL_MONEY_H

#include <stddef.h>

#include "screen/entities.h"
#include "screen/norm.h"
#include "screen/phrase.h"
#include "screen/wordset.h"

/*
 * A word of debt counts within this many bytes of normalised text of an
 * amount, in the same sentence (entities.c applies it).
 */
#define MONEY_DEBT_WINDOW 60

/* An amount read in normalised text. */
struct money {
	size_t start, end;     /* normalised span, currency included */
	double amount;
	const char *currency;  /* ISO 4217: "USD" */
};

/*
 * Fills debt with the words of debt ("owes", "deuda", "pay back"), and
 * phrases with them whole, for money_debt_at().
 */
void money_words_init(struct wordset *debt, struct phrase_list *phrases);

/*
 * The word or phrase of debt at t[i], a word start; returns its end or 0.
 * phrases is the list money_words_init() filled.
 */
size_t money_debt_at(const struct phrase_list *phrases, const char *t, size_t len, size_t i);

/*
 * Reads the amount whose digits start at n->text[i]. Returns 1 and sets *m
 * when there is one with a currency; country ("US", "" for none) says
 * which dollar "$" is.
 */
int money_read(const struct norm *n, const char *country, size_t i, struct money *m);

/* Adds m to out (ENTITY_MONEY), as a debt when debt. */
void money_add(const struct norm *n, const struct money *m, int debt, struct entities *out);

#endif

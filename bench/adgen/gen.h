/*
 * gen.h - synthetic online ads with known truth, for the tests and the
 * benchmark of `vigil ads` (docs/ads.md, "The generator").
 *
 * Every ad comes from one of two sources. Most are copies of a template of
 * a network: the template's sentences with the slots filled per copy (a
 * name, a price, a city, an age, one of the network's phone numbers, the
 * network's email), then 0 to max_subs words substituted at scattered
 * places, sometimes a word inserted or deleted, and disguises laid on top:
 * look-alike letters from other scripts, emoji, case changes and phone
 * numbers written in many ways. A network has one to four templates and
 * one to four numbers, and posts in one to six cities. The rest are
 * background ads, each written once, with a number of its own. A few
 * generic numbers (a booking line, a "verification" line) appear in ads
 * of many unrelated posters and must not link them.
 *
 * The truth of each ad is its template and its network: two ads are a
 * true template pair when they share the template, a true network pair
 * when they share the network. Background ads are alone in both.
 *
 * Every phone number is in the fictional +1 555 area (never assigned) and
 * every email address is at example.com, example.net or example.org.
 * The same options and seed always give the same ads, in the same order.
 */
#ifndef VIGIL_ADGEN_H
#define VIGIL_ADGEN_H

#include <stddef.h>
#include <stdint.h>

#define ADGEN_TEXT_MAX 4096

struct adgen_options {
	uint64_t seed;
	uint64_t ads;              /* how many ads to make */
	unsigned background_pct;   /* share of ads written once, 0-100 (30) */
	unsigned max_subs;         /* most scattered substitutions per copy (5) */
	unsigned generic_permille; /* ads that also give a generic number (20) */
	unsigned minor_permille;   /* networks whose ads state an age under 18 (10) */
	unsigned days;             /* the period the ads are posted over (30) */
};

/* The defaults named above. */
void adgen_options_default(struct adgen_options *o);

struct adgen_ad {
	uint64_t seq;                 /* 0, 1, 2, ... */
	char id[24];
	char posted_at[24];           /* RFC 3339, UTC */
	char site[16];
	char city[32];
	char region[8];
	char title[160];
	char text[ADGEN_TEXT_MAX];
	char phone_field[32];         /* a number for the "phones" field, or "" */
	uint32_t truth_template;      /* unique per template and per background ad */
	uint32_t truth_network;       /* unique per network and per background ad */
	unsigned subs;                /* substitutions made in this copy */
	int generic;                  /* 1 when a generic number was added */
	int background;               /* 1 for a background ad */
};

struct adgen;

/* 0, or -1 when memory runs out or the options make no sense. */
int adgen_new(const struct adgen_options *o, struct adgen **out);
void adgen_free(struct adgen *g);

/* Fills ad with the next ad; returns 1, or 0 when all were made. */
int adgen_next(struct adgen *g, struct adgen_ad *ad);

#endif

/*
 * ads_json.h - the fast path of reading one JSON line of `vigil ads`.
 *
 * jansson builds a tree of allocated objects for every line, and on a
 * million generated ads that cost about 8 CPU seconds, more than all the
 * clustering (docs/ads.md, "Where the time goes"). ads_json_read() reads
 * the one shape bulk ads come in, a flat object of strings with at most a
 * few small nested values, in place and without allocating: it finds the
 * values of the keys asked for, and decodes their escapes in the line's
 * own bytes.
 *
 * It is a fast path beside jansson, not a replacement: it accepts a line only
 * when it is sure that jansson (json_loadb() with JSON_REJECT_DUPLICATES)
 * would accept it too and give the same values, and says "not sure"
 * otherwise. Then the caller parses the line with jansson, which gives
 * the error message or the values. So a malformed line, a wrong type, a
 * duplicate key, invalid UTF-8, a "\u0000", a lone surrogate, a key
 * written with escapes, a number that jansson might find too big (more
 * than 18 characters, or with an exponent), an integer id written "-0"
 * (jansson gives "0"), nesting deeper than ADS_JSON_DEPTH, more than
 * ADS_JSON_KEYS keys in an object or more than ADS_JSON_ITEMS items in the
 * list are all left to jansson. The fuzz target fuzz_ads_json checks the
 * promise: whatever it accepts, jansson accepts with the same values.
 */
#ifndef VIGIL_ADS_JSON_H
#define VIGIL_ADS_JSON_H

#include <stddef.h>

/* Keys the caller may ask for. */
#define ADS_JSON_WANT 16
/* Nesting the fast path follows; deeper values are left to jansson. */
#define ADS_JSON_DEPTH 8
/* Keys per object whose duplicates the fast path can rule out. */
#define ADS_JSON_KEYS 32
/* Strings in the list value. */
#define ADS_JSON_ITEMS 16

enum ads_json_kind {
	ADS_JSON_TEXT,  /* a string */
	ADS_JSON_ID,    /* a string, or an integer given as its decimal digits */
	ADS_JSON_LIST,  /* an array of strings */
};

struct ads_json_key {
	const char *name;
	enum ads_json_kind kind;
};

struct ads_json_str {
	const char *s;  /* into the line; not NUL-terminated */
	size_t len;
};

struct ads_json {
	/* Per key asked for: s is NULL when the key is absent or null. */
	struct ads_json_str val[ADS_JSON_WANT];
	/* The items of the ADS_JSON_LIST key, when val[] of it is not NULL. */
	struct ads_json_str item[ADS_JSON_ITEMS];
	size_t n_items;
};

/*
 * Reads the JSON object line[0..len) for the n keys (at most ADS_JSON_WANT,
 * at most one of them ADS_JSON_LIST). Returns 1 with *out filled and the
 * strings it points to decoded in line's bytes, or 0 when the line is left
 * to jansson; then line is unchanged and *out is not set.
 */
int ads_json_read(char *line, size_t len, const struct ads_json_key *keys, size_t n,
		  struct ads_json *out);

/*
 * Whether s[0..len) is valid UTF-8 without control characters other than
 * tab and (when newlines) line breaks: then text_check() (or, without
 * newlines, text_check_line()) passes it too, and need not decode every
 * character with utf8proc, which cost about as much as reading the JSON
 * of an ad. A text this refuses is for text_check() to judge.
 */
int ads_json_plain(const char *s, size_t len, int newlines);

#endif

/*
 * contact.h - email addresses, URLs and social media handles in
 * normalised text.
 *
 * Addresses are read as written ("name@domain.com") and as people write
 * them to get past filters ("name at domain dot com", "name (at) domain
 * [dot] com", "name arroba domain punto com", "name@domain . com"). URLs
 * are read with a scheme, after "www." or as a bare domain with a common
 * top-level domain. Handles are "@name" and a platform followed by a name
 * ("IG: name", "snap: name", "instagram name"). See docs/screening-text.md.
 *
 * Every host has a dot, and addresses and handles start at a word or an
 * "@": all three are read in the one pass entities.c makes over the words
 * and signs of a text for several extractors.
 */
#ifndef VIGIL_CONTACT_H
#define VIGIL_CONTACT_H

#include <stddef.h>

#include "screen/entities.h"
#include "screen/norm.h"
#include "screen/wordset.h"

/*
 * Reads the URL whose host holds the dot at n->text[d], if any, and adds
 * it to out (ENTITY_URL); text is the original that n was made from (URL
 * paths keep their case from it). The caller visits the dots of n in
 * order while the kind is not full: from is 0 at the first, then what the
 * last call returned, and dots before it are passed over. The host is read
 * from no earlier than from, so a text is read in linear time.
 */
size_t contact_url_at_dot(const char *text, const struct norm *n, size_t from, size_t d,
			  struct entities *out);

/* Adds the words an address may be spelled with ("at", "arroba") to w. */
void contact_at_words(struct wordset *w);

/*
 * Reads the address whose "at" starts at n->text[i] ("@", or the word "at"
 * or "arroba", maybe in brackets) and adds it to out (ENTITY_EMAIL).
 * Returns where it ends, or 0 when there is none.
 */
size_t contact_email_at(const struct norm *n, size_t i, struct entities *out);

/* Fills w with the platform names a handle may follow ("ig", "snapchat"). */
void contact_platforms_init(struct wordset *w);

/*
 * Reads the handle at n->text[i]: "@name" when that is "@", else the word
 * n->text[i..k) followed by a name when the word is a platform in words
 * ("ig: name"). Adds it to out (ENTITY_HANDLE); returns its end or 0.
 */
size_t contact_handle_at(const struct norm *n, const struct wordset *words, size_t i,
			 size_t k, struct entities *out);

#endif

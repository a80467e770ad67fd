/*
 * links.h - entities that tie tips and cases together, and the blind index
 * that lets equal values be found without storing them in the clear.
 *
 * Every value is first normalised, so that the ways people write one thing
 * read alike: phone numbers become E.164 through the screen's extractor
 * ("(510) 555-0142" and "+1 510 555 0142" are both "+15105550142"), email
 * addresses and handles are case-folded as the screen reads them, URLs lose
 * their scheme, a leading "www.", the host's case and a trailing "/", and
 * names, addresses and plates are case-, accent- and space-folded (plates
 * lose their spaces and dashes altogether). The blind index is a BLAKE2b
 * keyed with the index key (crypto/keys.h) over "<kind>:<normalised
 * value>"; the value itself is sealed under "entities/value/<id>".
 *
 * Entities the screen finds in a tip (phones, emails, URLs, handles) are
 * stored when the tip is stored or screened (links_index_tip) and, for tips
 * screened before that, at start (links_backlog). Staff add names,
 * addresses and vehicle plates, or any other kind, to a case (links_add).
 *
 * What is related is shown only where the user may see it: every tip and
 * case in a result passes app/access.h first.
 */
#ifndef VIGIL_LINKS_H
#define VIGIL_LINKS_H

#include <jansson.h>

#include "app/app.h"
#include "app/auth.h"

enum links_kind {
	LINKS_PHONE,
	LINKS_EMAIL,
	LINKS_URL,
	LINKS_HANDLE,
	LINKS_NAME,
	LINKS_ADDRESS,
	LINKS_PLATE,
	LINKS_KIND_COUNT
};

/* The longest normalised value, with its NUL. */
#define LINKS_VALUE_MAX 256
/* The longest value staff may type, in bytes. */
#define LINKS_INPUT_MAX 200
/* At most this many related tips and cases are shown. */
#define LINKS_RELATED_MAX 50

/* "phone", "email", ...; NULL for a kind out of range. */
const char *links_kind_name(enum links_kind kind);
/* The kind named name, or -1. */
int links_kind_parse(const char *name);
/* The English msgid of a kind's label ("phone number"), for display. */
const char *links_kind_label(enum links_kind kind);

/*
 * Normalises value as a kind. country (ISO 3166-1 alpha-2, "" or NULL for
 * none) is where a phone number written without its country code is read
 * from. VG_INVAL when value is not one of kind (no phone number in it, an
 * empty name), VG_UTF8 or VG_TOOBIG for bad or overlong input.
 */
int links_normalise(enum links_kind kind, const char *value, const char *country,
		    char out[LINKS_VALUE_MAX]);

/* The blind index of a normalised value of kind. */
void links_blind(const struct keys *k, enum links_kind kind, const char *norm,
		 unsigned char out[32]);

/*
 * When query as a whole is a phone number, email address, URL or handle
 * (as the screen reads them), its kind and normalised value; VG_NOTFOUND
 * otherwise. A query with an explicit "kind:" prefix ("plate:7ABC123",
 * "name:Ana Diaz") is that kind. Public ids (16 hex digits) never are.
 */
int links_detect(const char *query, enum links_kind *kind, char out[LINKS_VALUE_MAX]);

/* The value for display: E.164 numbers of North America grouped "+1 510 555 0142". */
void links_display(enum links_kind kind, const char *norm, char *out, size_t size);

/*
 * Stores the entities of tip tip_id's screening (it must have been
 * screened: VG_INVAL otherwise) and records the tip as scanned. Doing it
 * again adds nothing twice.
 */
int links_index_tip(struct app *app, const char *tip_id);
/*
 * links_index_tip() for a screening result already at hand, as JSON (the
 * whole result, or its facts from screening_fill()), of a tip from country.
 */
int links_index_result(struct app *app, const char *tip_id, const char *country,
		       const json_t *screening);

/* Indexes every screened tip not yet indexed; *done counts them. */
int links_backlog(struct app *app, int64_t *done);

/*
 * Staff add an entity to case case_id: VG_FORBIDDEN or VG_NOTFOUND from
 * access_case(ACCESS_LINK), VG_INVAL for an unknown kind or a value that is
 * not one, VG_EXISTS when the case already has it, VG_MERGED when the case
 * was merged into another. Audited as
 * "entity.add" with the kind only.
 */
int links_add(struct app *app, const struct auth_user *u, const char *case_id,
	      const char *kind, const char *value, const char *country);

/* Removes an entity staff added to a case; audited as "entity.remove". */
int links_remove(struct app *app, const struct auth_user *u, const char *case_id,
		 const char *entity_id);

/*
 * The entities of a tip or a case (pass "" for the other) as a JSON array
 * of {"id","kind","value","display","source","at"}, values opened. The
 * caller has already checked that the user may read the owner.
 */
int links_entities(struct app *app, const char *tip_id, const char *case_id, json_t **out);

/*
 * The tips and cases related to tip tip_id or case case_id (one of them
 * "") that the user may see, newest first, as a JSON array of
 * {"kind":"tip"|"case","id","why":[{"kind","value","display"}]}. The
 * caller has already checked that the user may read the owner.
 */
int links_related(struct app *app, const struct auth_user *u, const char *tip_id,
		  const char *case_id, json_t **out);

#endif

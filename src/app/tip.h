/*
 * tip.h - tips: submitted by the public, read and answered by staff.
 *
 * tip_submit() validates, seals the narrative, contact and details with the
 * field key, and commits the tip durably before returning its receipt: a
 * receipt is never shown for a tip that could still be lost.
 */
#ifndef VIGIL_TIP_H
#define VIGIL_TIP_H

#include <jansson.h>

#include "app/app.h"
#include "crypto/receipt.h"
#include "crypto/token.h"

/* Field limits, in bytes of UTF-8. */
#define TIP_NARRATIVE_MAX 20000
#define TIP_LONG_MAX 4000   /* place, people, contact */
#define TIP_SHORT_MAX 200   /* region, city, when, ages */
#define TIP_MESSAGE_MAX 10000
#define TIP_MESSAGES_MAX 500 /* messages one tip may hold, so none grows without limit */
#define TIP_MAX_ERRORS 16

/* What a person submits; NULL or "" for what they left out. */
struct tip_input {
	const char *narrative;
	const char *country;   /* ISO 3166-1 alpha-2 */
	const char *region;    /* a subdivision code or name */
	const char *city;
	const char *place;
	const char *when;
	const char *people;
	const char *ages;
	const char *contact;
	const char *language;  /* "en", "es" */
	int danger_now;
	int may_contact;
	const char *source;    /* "web", "api", "phone" */
	/* 1 (the API): a region that is not a known code is an error; 0 (the
	 * form): it is kept, sealed, as part of the place description. */
	int strict_region;
};

/* One problem with one field; msg is an English msgid for translation. */
struct tip_error {
	const char *field;
	const char *msg;
};

struct tip_errors {
	struct tip_error e[TIP_MAX_ERRORS];
	size_t count;
};

struct tip_receipt {
	char id[TOKEN_ID_SIZE];
	char receipt[RECEIPT_TEXT_SIZE]; /* grouped for reading aloud */
};

/*
 * Checks and stores a tip. VG_INVAL with *errs filled when a field is wrong
 * (nothing is stored); VG_READONLY when storage cannot take writes.
 */
int tip_submit(struct app *app, const struct tip_input *in, struct tip_errors *errs,
	       struct tip_receipt *out);

/* A tip opened for reading: the row and its plaintext fields. */
struct tip_view {
	struct tip_row row;
	char *narrative;
	char *contact;   /* NULL when none was given */
	json_t *details; /* {"when","place","people","ages","region_text"} */
	json_t *screening; /* the screen's result (screen/screen.h), or NULL */
};

int tip_open(struct app *app, const char *id, struct tip_view *out);
void tip_view_release(struct tip_view *v);

/*
 * Finds the tip for a receipt as a person typed it. Every failure (a
 * malformed receipt or an unknown one) is VG_NOTFOUND and takes the same
 * path; when failures from everyone pass the configured rate, every lookup
 * is delayed first, so guessing is slowed without knowing who guesses.
 */
int tip_find_by_receipt(struct app *app, const char *receipt, size_t len,
			struct tip_row *out);

/*
 * A message from the reporter (user_id 0) or staff; the body is sealed.
 * VG_TOOBIG when the body or the tip's number of messages is past its limit.
 */
int tip_add_message(struct app *app, const char *tip_id, const char *author,
		    int64_t user_id, const char *body, size_t len);

/*
 * The messages of a tip, oldest first, as a JSON array of
 * {"id","at","author","from_staff","body"}.
 */
int tip_messages(struct app *app, const char *tip_id, json_t **out);

/*
 * Screens every stored tip not screened yet (stored before screening
 * existed, or when the screen could not read it) and counts them in *done.
 * Needs app_load_screening().
 */
int tip_screen_backlog(struct app *app, int64_t *done);

/* VG_INVAL for a status other than new, in_review, closed. */
int tip_set_status(struct app *app, const char *id, const char *status);

/* 1 when s is a valid tip status. */
int tip_status_valid(const char *s);

/* The reporter-facing and staff-facing label msgid of a status. */
const char *tip_status_label(const char *status);

#endif

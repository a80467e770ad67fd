/*
 * cases.h - cases: the unit staff work. Every tip belongs to exactly one
 * case; a case is opened for each new tip, so the triage queue is a queue
 * of cases. Cases gather tips (merge, split), persons and locations, and
 * keep a history (docs/cases.md).
 *
 * Every function that takes a user audits what it did (app_audit) with ids
 * and field names only, never content. Access is the caller's: handlers
 * check access_case()/access_allowed() of app/access.h first; cases_list()
 * applies the visibility of restricted cases itself.
 *
 * Persons' names and notes and locations' addresses and descriptions are
 * sealed with the associated data "<table>/<column>/<id>". Picklist values
 * (roles, gender, methods of control, ...) are checked against
 * data/cases/picklists.tsv, loaded by cases_load().
 */
#ifndef VIGIL_APP_CASES_H
#define VIGIL_APP_CASES_H

#include <jansson.h>

#include "app/app.h"
#include "app/auth.h"
#include "store/cases.h"

#define CASES_TEXT_MAX 4000   /* a name, a note, an address, a description */
#define CASES_MAX_ERRORS 16

/* One problem with one field; msg is an English msgid for translation. */
struct case_error {
	const char *field;
	const char *msg;
};

struct case_errors {
	struct case_error e[CASES_MAX_ERRORS];
	size_t count;
};

/*
 * Loads data/cases/picklists.tsv from cfg.rules_dir into app->picklists.
 * VG_INVAL (with the line logged) for a malformed file.
 */
int cases_load(struct app *app);
void cases_picklists_free(struct case_picklists *p);

/*
 * The picklists as a JSON object {field: [{"slug","label"}, ...]}, for
 * forms and the API; labels are English msgids.
 */
json_t *cases_picklists_json(const struct app *app);

/* 1 when slug is a value of picklist field (e.g. "gender"). */
int cases_pick_valid(const struct app *app, const char *field, const char *slug);
/* The label msgid of slug in picklist field, or NULL when it is none of its values. */
const char *cases_pick_label(const struct app *app, const char *field, const char *slug);

/*
 * Opens a new case for tip tip_id and writes its id to case_id. Called
 * after a tip is stored; VG_EXISTS when the tip already has a case.
 */
int cases_open_for_tip(struct app *app, const char *tip_id, char case_id[CASE_ID_SIZE]);

/*
 * Opens a case for every stored tip that has none (a crash between storing
 * a tip and opening its case, or tips from before cases existed); *opened
 * says how many. Run by `vigil serve` at start.
 */
int cases_backlog(struct app *app, int64_t *opened);

/* Recomputes the triage fields of the case of tip tip_id after it was screened. */
int cases_tip_screened(struct app *app, const char *tip_id);

/*
 * The triage queue for user u (restricted cases only where granted, unless
 * the role sees all), audited as "case.list".
 */
int cases_list(struct app *app, const struct auth_user *u, const struct case_filter *f,
	       struct case_list *out);

/* A case opened for reading: the row and everything shown with it. */
struct case_view {
	struct case_row row;
	struct case_tip_list tips;
	struct case_event_list events;
	json_t *persons;   /* array of person objects (cases_person_json) */
	json_t *locations; /* array of location objects */
};

/* Reads case id with its tips, persons (unsealed), locations and history; audited "case.read". */
int cases_view(struct app *app, const struct auth_user *u, const char *id, struct case_view *out);
void case_view_release(struct case_view *v);

/* The case row as JSON: id, status, times, triage fields, assignees. */
json_t *cases_row_json(const struct case_row *c);

/* VG_INVAL for an unknown status or a merged case. Audited "case.status". */
int cases_set_status(struct app *app, const struct auth_user *u, const char *id,
		     const char *status);

/* Merges case from into case into (store_case_merge); audited "case.merge". */
int cases_merge(struct app *app, const struct auth_user *u, const char *from, const char *into);

/*
 * Moves tips tip_ids of case id to a new case whose id is written to
 * new_id; audited "case.split". Errors as store_case_split().
 */
int cases_split(struct app *app, const struct auth_user *u, const char *id,
		const char *const *tip_ids, size_t n, char new_id[CASE_ID_SIZE]);

/*
 * A person as staff enter it; NULL or "" for what is unknown. age is a
 * whole number ("17") or a range ("14-17"); the list fields hold
 * comma-separated picklist slugs.
 */
struct person_input {
	const char *case_role;          /* required */
	const char *age;
	const char *gender;
	const char *nationality;        /* ISO 3166-1 alpha-2 */
	const char *process_roles;
	const char *control_methods;
	const char *exploitation;
	const char *industry;
	const char *trafficking_status; /* default "possible" */
	const char *name;               /* sealed */
	const char *notes;              /* sealed */
};

/*
 * Checks and adds a person to case case_id, writing its id to id. VG_INVAL
 * with errs naming each wrong field (nothing stored), VG_MERGED for a case
 * merged into another. Audited "case.person.add".
 */
int cases_add_person(struct app *app, const struct auth_user *u, const char *case_id,
		     const struct person_input *in, struct case_errors *errs,
		     char id[CASE_ID_SIZE]);

/* The case person person_id belongs to, for the caller's access check. */
int cases_person_case(struct app *app, const char *person_id, char case_id[CASE_ID_SIZE]);

/*
 * Person person_id unsealed, as in a case view plus "case_id", into *out
 * (the caller's to json_decref). Audited "case.person.read".
 */
int cases_person(struct app *app, const struct auth_user *u, const char *person_id, json_t **out);

/*
 * Checks and replaces every field of person person_id of case case_id, as
 * cases_add_person() checks them: what is left empty becomes unknown.
 * VG_NOTFOUND when the case holds no such person, VG_MERGED for a merged
 * case, VG_INVAL (with errs) for wrong fields. Audited "case.person.change".
 */
int cases_update_person(struct app *app, const struct auth_user *u, const char *case_id,
			const char *person_id, const struct person_input *in,
			struct case_errors *errs);

struct location_input {
	const char *kind;        /* a location_kind slug, default "other" */
	const char *country;     /* ISO 3166-1 alpha-2 */
	const char *region;      /* a subdivision code of country */
	const char *city;
	const char *address;     /* sealed */
	const char *description; /* sealed */
};

/* As cases_add_person(), for a location; audited "case.location.add". */
int cases_add_location(struct app *app, const struct auth_user *u, const char *case_id,
		       const struct location_input *in, struct case_errors *errs,
		       char id[CASE_ID_SIZE]);

/* The label msgid of a case status, e.g. "Follow-up" for follow_up. */
const char *cases_status_label(const char *status);

#endif

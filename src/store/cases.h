/*
 * cases.h - storage of cases: the tips each holds, their history, persons,
 * locations (src/store/migrations/0005_cases.sql).
 *
 * Every tip belongs to exactly one case (case_tips has the tip as its
 * key). A case's triage fields (urgency, danger_now, screen_status, kinds,
 * typology, country, region, city, ntips) are derived from its tips: every
 * call here that adds, moves or re-screens a tip recomputes them in the
 * same transaction, so they are never stale.
 *
 * Changes are recorded in case_events in the same transaction as the
 * change itself. Sealed fields arrive sealed and leave sealed, with the
 * associated data given at each field. Errors and ownership as in store.h.
 */
#ifndef VIGIL_STORE_CASES_H
#define VIGIL_STORE_CASES_H

#include <stdint.h>

#include "store/store.h"

#define CASE_ID_SIZE 17   /* 16 hex digits and a NUL, like a tip id */
#define CASE_LIST_MAX 200 /* rows one page of the queue may hold */
#define CASE_SPLIT_MAX 64 /* tips one split may move */

struct case_row {
	char *id;
	int64_t created_at;
	int64_t updated_at;
	int64_t closed_at;      /* 0 while open */
	char *status;           /* active, follow_up, closed, closed_referred, merged */
	char *merged_into;      /* "" unless merged */
	char *urgency;          /* "", crisis, priority, routine: the worst of its tips */
	int danger_now;         /* 1 when any tip says someone is in danger now */
	char *screen_status;    /* the strongest of its tips: likely, possible, ... */
	char *kinds;            /* comma-separated union of its tips' kinds */
	char *typology;         /* comma-separated union of its tips' typology slugs */
	char *country;          /* the coarse place of its first tip that has one */
	char *region;
	char *city;
	int64_t ntips;
	int64_t assignee_user;  /* 0 when none */
	int64_t assignee_team;  /* 0 when none */
	int restricted;         /* 0 or 1 */
	int urgency_rank;       /* 0 crisis or danger now, 1 priority or unscreened, 2 routine */
};

struct case_list {
	struct case_row *rows;
	size_t count;
};

/*
 * The triage queue: by urgency_rank, then oldest first, then id. Every
 * filter field is optional (NULL, "" or 0 for none).
 */
struct case_filter {
	/* NULL or "open": active and follow_up; "all": every status but
	 * merged; otherwise one status. */
	const char *status;
	const char *kind;       /* a kind the case's tips were screened with */
	const char *typology;   /* a typology slug */
	const char *country;
	const char *region;
	int64_t assignee_user;
	int64_t assignee_team;
	int unassigned;         /* 1: only cases assigned to nobody */
	/* Not 0: only cases assigned to this user or to a team they are in
	 * ("assigned to me or my teams", docs/work.md). */
	int64_t mine;
	/* Visibility: when viewer is not 0, restricted cases are listed only
	 * when case_access names the viewer or a team the viewer is in. 0 lists
	 * every case (for roles that see all). */
	int64_t viewer;
	/* The keyset cursor: only cases after (after_rank, after_created,
	 * after_id) in the order; after_id "" or NULL means from the start. */
	int after_rank;
	int64_t after_created;
	const char *after_id;
	int limit;              /* 1..CASE_LIST_MAX */
};

/* A tip in a case, with what its screen found (the plain columns only). */
struct case_tip_row {
	char *tip_id;
	int64_t added_at;
	int64_t created_at;
	char *status;           /* the tip's own status */
	char *source;
	char *urgency;
	int danger_now;
	char *screen_status;
	char *kinds;
	char *typology;
};

struct case_tip_list {
	struct case_tip_row *rows;
	size_t count;
};

/* One entry of a case's history. */
struct case_event_row {
	int64_t id;
	char *case_id;
	int64_t at;
	int64_t user_id;        /* 0 for the system */
	char *user_name;        /* read only: "" for the system */
	char *kind;             /* opened, status, merged_from, ... (docs/cases.md) */
	char *other_case;       /* "" when none */
	char *detail;           /* ids, statuses and field names; never sealed text */
};

struct case_event_list {
	struct case_event_row *rows;
	size_t count;
};

struct person_row {
	char *id;               /* random public id, 16 hex digits */
	char *case_id;
	int64_t created_at;
	int64_t updated_at;
	int64_t created_by;
	char *case_role;        /* potential_victim, suspected_exploiter, other */
	int age_min;            /* -1 when unknown */
	int age_max;            /* -1 when unknown */
	char *gender;
	char *nationality;      /* ISO 3166-1 alpha-2 or "" */
	char *process_roles;    /* comma-separated slugs */
	char *control_methods;  /* comma-separated slugs */
	char *exploitation;     /* comma-separated slugs */
	char *industry;
	char *trafficking_status; /* possible, actual, not */
	struct sealed name;     /* ad "persons/name/<id>", may be absent */
	struct sealed notes;    /* ad "persons/notes/<id>", may be absent */
};

struct person_list {
	struct person_row *rows;
	size_t count;
};

struct location_row {
	char *id;
	char *case_id;
	int64_t created_at;
	int64_t created_by;
	char *kind;
	char *country;
	char *region;
	char *city;
	struct sealed address;     /* ad "locations/address/<id>", may be absent */
	struct sealed description; /* ad "locations/description/<id>", may be absent */
};

struct location_list {
	struct location_row *rows;
	size_t count;
};

/*
 * Opens case case_id holding tip tip_id, recording the event "opened"
 * (user 0, the system). VG_EXISTS when the tip is already in a case (no
 * change), VG_NOTFOUND when there is no such tip.
 */
int store_case_open_for_tip(struct store *s, const char *case_id, const char *tip_id,
			    int64_t now);

/*
 * Up to limit ids of tips that are in no case (the backlog), oldest
 * first, into ids (limit entries of CASE_ID_SIZE); *count how many.
 */
int store_case_backlog(struct store *s, char (*ids)[CASE_ID_SIZE], size_t limit,
		       size_t *count);

/* Recomputes the triage fields of the case holding tip tip_id (after the
 * tip was screened again). VG_NOTFOUND when the tip is in no case. */
int store_case_refresh_tip(struct store *s, const char *tip_id, int64_t now);

int store_case_get(struct store *s, const char *id, struct case_row *out);
/* The case holding tip tip_id. */
int store_case_by_tip(struct store *s, const char *tip_id, struct case_row *out);
int store_case_list(struct store *s, const struct case_filter *f, struct case_list *out);

/*
 * Sets the status (not "merged": merging does that), closed_at and
 * updated_at, and records the event "status" with "old->new". VG_NOTFOUND
 * for no such case, VG_INVAL for a merged case or an unknown status.
 */
int store_case_set_status(struct store *s, const char *id, const char *status,
			  int64_t user_id, int64_t now);

/*
 * Merges case from into case into: from's tips, persons, locations, access
 * grants, notes, tasks, meeting agenda items and linked entities move to
 * into (a row that would duplicate one of into's stays with from), into
 * has waited since the older of the two, becomes restricted if from was,
 * and from is kept with status merged pointing at into. Events merged_from (on into)
 * and merged_into (on from). VG_INVAL when they are the same case or either
 * is already merged; VG_NOTFOUND when either does not exist.
 */
int store_case_merge(struct store *s, const char *from, const char *into,
		     int64_t user_id, int64_t now);

/*
 * Moves the n tips tip_ids of case from to a new case new_id, which takes
 * from's restriction, grants and assignees and has waited since the oldest
 * tip it holds arrived. Events split_to (on from) and
 * split_from (on new_id). VG_INVAL when n is 0 or past CASE_SPLIT_MAX, a
 * tip is not in from, or every tip of from would move (a case keeps at
 * least one); VG_NOTFOUND when from does not exist.
 */
int store_case_split(struct store *s, const char *from, const char *new_id,
		     const char *const *tip_ids, size_t n, int64_t user_id, int64_t now);

/*
 * Appends one event to a case's history and bumps updated_at, for the
 * changes other modules make (assigned, restricted, note_added, ...).
 * detail must hold no sealed content. VG_NOTFOUND for no such case.
 */
int store_case_event_add(struct store *s, const char *case_id, int64_t user_id,
			 const char *kind, const char *other_case, const char *detail,
			 int64_t now);

/* A case's tips, oldest first; its history, oldest first. */
int store_case_tips(struct store *s, const char *case_id, struct case_tip_list *out);
int store_case_events(struct store *s, const char *case_id, struct case_event_list *out);

/*
 * Adds a person (p->id, p->case_id set by the caller) and records the event
 * person_added. VG_NOTFOUND for no such case, VG_MERGED for a merged case.
 */
int store_person_insert(struct store *s, const struct person_row *p);
/*
 * Replaces every field of person p->id but its case and creation, and
 * records person_changed by user_id. VG_NOTFOUND when p->case_id holds no
 * such person, VG_MERGED for a merged case.
 */
int store_person_update(struct store *s, const struct person_row *p, int64_t user_id);
/* Person id, whatever its case; VG_NOTFOUND when there is none. */
int store_person_get(struct store *s, const char *id, struct person_row *out);
int store_person_list(struct store *s, const char *case_id, struct person_list *out);

/* Adds a location and records location_added; errors as store_person_insert(). */
int store_location_insert(struct store *s, const struct location_row *l);
int store_location_list(struct store *s, const char *case_id, struct location_list *out);

void case_row_release(struct case_row *c);
void case_list_release(struct case_list *l);
void case_tip_list_release(struct case_tip_list *l);
void case_event_list_release(struct case_event_list *l);
void person_row_release(struct person_row *p);
void person_list_release(struct person_list *l);
void location_row_release(struct location_row *l);
void location_list_release(struct location_list *l);

#endif

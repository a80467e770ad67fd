/*
 * meetings.h - storage of child-exploitation team (MDT) meetings, as
 * Alameda County's SafetyNet runs them: a meeting of one team, the youth
 * cases on its agenda with a pre-meeting summary, the attendees from the
 * member agencies, and per youth the outcome (safety status, safety plan,
 * stabilisation steps) and action items.
 *
 * What staff write about a youth (the summary, the outcome, action items)
 * and attendees' names arrive sealed and leave sealed, like every sealed
 * field of store.h; the associated data of each is given at its field.
 * Errors and ownership as in store.h: output parameters are set only on
 * success, strings are malloc'd and freed by the matching *_release().
 */
#ifndef VIGIL_STORE_MEETINGS_H
#define VIGIL_STORE_MEETINGS_H

#include <stdint.h>

#include "store/store.h"

struct meeting_row {
	char *id;               /* random public id, 16 hex digits */
	int64_t team_id;        /* the team (cases.h's teams) that meets */
	char *team_name;        /* read only: the team's name */
	int64_t starts_at;      /* unix seconds, UTC */
	char *title;            /* e.g. "SafetyNet weekly"; says nothing about a youth */
	char *place;            /* a room or a call; says nothing about a youth */
	char *status;           /* "scheduled", "held", "cancelled" */
	int64_t created_at;
	int64_t created_by;     /* user id */
	int64_t updated_at;
	int64_t agenda_count;   /* read only: items on the agenda */
};

struct meeting_list {
	struct meeting_row *rows;
	size_t count;
};

/* One youth case on a meeting's agenda. */
struct agenda_row {
	char *id;               /* random public id */
	char *meeting_id;
	char *case_id;
	int64_t position;       /* the order of discussion, 1, 2, ... */
	/* Sealed JSON {background, case_status, safety_concerns},
	 * ad "meeting_agenda/summary/<id>". */
	struct sealed summary;
	char *safety_status;    /* a slug of data/meetings/safety_status.tsv */
	/* Sealed JSON {safety_plan, stabilisation}, ad
	 * "meeting_agenda/outcome/<id>"; absent until recorded. */
	struct sealed outcome;
	int64_t updated_at;
	int64_t updated_by;
};

struct agenda_list {
	struct agenda_row *rows;
	size_t count;
};

/* Someone at the meeting; a vigil user or not. */
struct attendee_row {
	char *id;
	char *meeting_id;
	int64_t user_id;        /* 0 when the attendee has no vigil account */
	struct sealed name;     /* ad "meeting_attendees/name/<id>" */
	char *agency;           /* the member agency, e.g. "Probation" */
	int present;            /* 1 present, 0 absent (expected or apologised) */
};

struct attendee_list {
	struct attendee_row *rows;
	size_t count;
};

/* An action item agreed for one youth. */
struct action_row {
	char *id;
	char *agenda_id;
	char *meeting_id;       /* read only: the agenda item's meeting */
	/* Sealed JSON {text, owner}, ad "meeting_actions/body/<id>". */
	struct sealed body;
	int64_t owner_id;       /* the owner's vigil account, 0 when none */
	int64_t due_at;         /* unix seconds, 0 when no due date */
	int done;
	int64_t done_at;        /* 0 while not done */
	int64_t done_by;
	int64_t created_at;
};

struct action_list {
	struct action_row *rows;
	size_t count;
};

struct meeting_filter {
	/* 0: every meeting; else only those of teams user_id belongs to or
	 * is recorded as attending. */
	int64_t member;
	/* 1: starts_at >= now, soonest first; 0: starts_at < now, latest first. */
	int upcoming;
	int64_t now;
	int limit;              /* 1..500 */
};

/* VG_NOTFOUND when the team does not exist. */
int store_meeting_insert(struct store *s, const struct meeting_row *m);
int store_meeting_get(struct store *s, const char *id, struct meeting_row *out);
/* Replaces starts_at, title, place, status and updated_at of m->id. */
int store_meeting_update(struct store *s, const struct meeting_row *m);
int store_meeting_list(struct store *s, const struct meeting_filter *f,
		       struct meeting_list *out);
/* The meetings with case_id on their agenda, latest first. */
int store_meeting_list_for_case(struct store *s, const char *case_id,
				struct meeting_list *out);

/*
 * Appends a case to a meeting's agenda at the next position (a->position
 * is ignored). VG_NOTFOUND when the meeting or the case does not exist,
 * VG_MERGED when the case was merged into another, VG_EXISTS when the case
 * is already on this agenda.
 */
int store_agenda_insert(struct store *s, const struct agenda_row *a);
/* In the order of discussion. */
int store_agenda_list(struct store *s, const char *meeting_id, struct agenda_list *out);
/* The agenda item id of meeting_id; VG_NOTFOUND when it is not on that meeting. */
int store_agenda_get(struct store *s, const char *meeting_id, const char *id,
		     struct agenda_row *out);
/* Replaces the sealed summary of item id of meeting_id. */
int store_agenda_set_summary(struct store *s, const char *meeting_id, const char *id,
			     const struct sealed *summary, int64_t at, int64_t by);
/* Replaces the safety status and sealed outcome of item id of meeting_id. */
int store_agenda_set_outcome(struct store *s, const char *meeting_id, const char *id,
			     const char *safety_status, const struct sealed *outcome,
			     int64_t at, int64_t by);
/* Takes item id off the agenda of meeting_id, with its action items. */
int store_agenda_delete(struct store *s, const char *meeting_id, const char *id);

/* VG_NOTFOUND when the meeting does not exist. */
int store_attendee_insert(struct store *s, const struct attendee_row *a);
/* Oldest first. */
int store_attendee_list(struct store *s, const char *meeting_id, struct attendee_list *out);
int store_attendee_set_present(struct store *s, const char *meeting_id, const char *id,
			       int present);

/* VG_NOTFOUND when the agenda item does not exist. */
int store_action_insert(struct store *s, const struct action_row *a);
/* Every action item of the meeting's agenda, by agenda item, then oldest first. */
int store_action_list(struct store *s, const char *meeting_id, struct action_list *out);
/* Marks action id of meeting_id done (at, by) or not done. */
int store_action_set_done(struct store *s, const char *meeting_id, const char *id,
			  int done, int64_t at, int64_t by);

/*
 * Whether a team member may see case_id: VG_OK when case_id is on the
 * agenda of a meeting of a team user_id belongs to, or of a meeting
 * user_id is recorded as attending; VG_NOTFOUND otherwise. This is the
 * lookup app/access.c makes for the team_member role.
 */
int store_meeting_case_on_agenda(struct store *s, int64_t user_id, const char *case_id);

/*
 * VG_OK when user_id belongs to the team of meeting_id or is recorded as
 * one of its attendees; VG_NOTFOUND otherwise.
 */
int store_meeting_is_member(struct store *s, int64_t user_id, const char *meeting_id);

void meeting_row_release(struct meeting_row *m);
void meeting_list_release(struct meeting_list *l);
void agenda_row_release(struct agenda_row *a);
void agenda_list_release(struct agenda_list *l);
void attendee_row_release(struct attendee_row *a);
void attendee_list_release(struct attendee_list *l);
void action_row_release(struct action_row *a);
void action_list_release(struct action_list *l);

#endif

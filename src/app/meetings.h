/*
 * meetings.h - child-exploitation team (MDT) meetings, as Alameda County's
 * SafetyNet runs them (docs/meetings.md): schedule a meeting of a team, put
 * youth cases on its agenda with a pre-meeting summary, record who
 * attended from which agency, and per youth the safety status, safety
 * plan, stabilisation steps and action items.
 *
 * Every function takes the acting user and checks access itself through
 * app/access.h, so the staff pages and the API cannot differ:
 *  - reading needs ACCESS_READ_MEETINGS; a team_member reads only the
 *    meetings of their teams or that they are recorded as attending, and
 *    any other meeting is VG_NOTFOUND, as if it did not exist;
 *  - an agenda item is shown only when access_case() lets the user read
 *    its case, so a restricted case stays hidden on a shared agenda;
 *  - every change needs ACCESS_MANAGE_MEETINGS (VG_FORBIDDEN otherwise).
 * Every read and change is written to the audit log (app_audit) without
 * any of the sealed text.
 *
 * Free text about a youth and attendees' names are sealed before they are
 * stored (store/meetings.h names the associated data). Times are unix
 * seconds, UTC.
 */
#ifndef VIGIL_APP_MEETINGS_H
#define VIGIL_APP_MEETINGS_H

#include <jansson.h>

#include "app/app.h"
#include "app/auth.h"
#include "crypto/token.h"

/* Field limits, in bytes of UTF-8. */
#define MEETING_LINE_MAX 200    /* title, place, name, agency, owner */
#define MEETING_TEXT_MAX 8000   /* summary parts, safety plan, stabilisation, action */
#define MEETING_AGENDA_MAX 100  /* youth on one agenda */
#define MEETING_ATTENDEES_MAX 100
#define MEETING_ACTIONS_MAX 500 /* action items on one meeting's agenda */
#define MEETING_LIST_PAGE 100

/* The file of safety statuses, under the rules folder (cfg.rules_dir). */
#define MEETING_SAFETY_FILE "meetings/safety_status.tsv"

/* One safety status of the picklist. */
struct safety_status {
	char slug[32];
	char label[96];         /* an English msgid, translated by the site */
};

#define SAFETY_STATUS_MAX 32

struct safety_list {
	struct safety_status v[SAFETY_STATUS_MAX];
	size_t n;
};

/*
 * Reads the safety statuses from dir/MEETING_SAFETY_FILE, in file order.
 * VG_IO when it cannot be read, VG_INVAL (logged with the line) when it is
 * malformed or lacks "unknown", the status of a youth nobody assessed yet.
 */
int meeting_safety_load(const char *dir, struct safety_list *out);
/* The entry for slug, or NULL. */
const struct safety_status *meeting_safety_find(const struct safety_list *l,
						const char *slug);

/* 1 for scheduled, held, cancelled. */
int meeting_status_valid(const char *status);

struct meeting_input {
	int64_t team_id;
	int64_t starts_at;
	const char *title;      /* 1..MEETING_LINE_MAX, one line */
	const char *place;      /* may be "" */
	const char *status;     /* NULL means "scheduled" */
};

/*
 * Schedules a meeting. VG_INVAL for a bad field, VG_NOTFOUND for an unknown
 * team, VG_FORBIDDEN without ACCESS_MANAGE_MEETINGS.
 */
int meeting_schedule(struct app *app, const struct auth_user *u,
		     const struct meeting_input *in, char id_out[TOKEN_ID_SIZE]);
/* Changes time, title, place and status of meeting id (team_id is ignored). */
int meeting_update(struct app *app, const struct auth_user *u, const char *id,
		   const struct meeting_input *in);

/*
 * VG_OK when u may read meeting id; VG_NOTFOUND when it does not exist or u
 * may not know it does; VG_FORBIDDEN for a role that reads no meetings.
 */
int meeting_may_read(struct app *app, const struct auth_user *u, const char *id);

/*
 * The meetings u may read, upcoming (soonest first) or past (latest
 * first): [{id, team_id, team, starts_at, starts, title, place, status,
 * agenda_count}]; agenda_count counts only the cases u may read
 * (access_case_listed()), as the agenda shows only those.
 */
int meeting_list(struct app *app, const struct auth_user *u, int upcoming, json_t **out);

/*
 * The whole meeting with its sealed text opened: {id, team_id, team,
 * starts_at, starts, title, place, status, agenda: [{id, case_id, position,
 * background, case_status, safety_concerns, safety_status, safety_plan,
 * stabilisation, actions: [{id, text, owner, owner_user, due, due_at, done,
 * done_at}]}], attendees: [{id, name, agency, user, present}]}.
 */
int meeting_view(struct app *app, const struct auth_user *u, const char *id, json_t **out);

/* The meetings with case_id on their agenda that u may read, latest first. */
int meeting_for_case(struct app *app, const struct auth_user *u, const char *case_id,
		     json_t **out);

/* The pre-meeting summary of one youth; each part may be "". */
struct agenda_summary {
	const char *background;
	const char *case_status;
	const char *safety_concerns;
};

/*
 * Puts case_id on the agenda of meeting_id. VG_NOTFOUND for an unknown
 * meeting or a case u may not read, VG_MERGED for a case merged into
 * another (put that one on the agenda), VG_EXISTS when it is already on it,
 * VG_TOOBIG past MEETING_AGENDA_MAX, VG_INVAL for a bad summary.
 */
int meeting_agenda_add(struct app *app, const struct auth_user *u, const char *meeting_id,
		       const char *case_id, const struct agenda_summary *sum,
		       char id_out[TOKEN_ID_SIZE]);
int meeting_agenda_summary(struct app *app, const struct auth_user *u,
			   const char *meeting_id, const char *item_id,
			   const struct agenda_summary *sum);
int meeting_agenda_remove(struct app *app, const struct auth_user *u,
			  const char *meeting_id, const char *item_id);

/* What the meeting decided for one youth. */
struct agenda_outcome {
	const char *safety_status;  /* a slug of the picklist */
	const char *safety_plan;
	const char *stabilisation;
};

/* VG_INVAL for a status not in the picklist or a bad text. */
int meeting_outcome_set(struct app *app, const struct auth_user *u,
			const char *meeting_id, const char *item_id,
			const struct agenda_outcome *o);

/*
 * Records an attendee. user_name names their vigil account, or is NULL or
 * "" for someone without one (VG_INVAL for a name that is no account).
 */
int meeting_attendee_add(struct app *app, const struct auth_user *u, const char *meeting_id,
			 const char *name, const char *agency, const char *user_name,
			 int present, char id_out[TOKEN_ID_SIZE]);
int meeting_attendee_present(struct app *app, const struct auth_user *u,
			     const char *meeting_id, const char *attendee_id, int present);

/*
 * Adds an action item to agenda item item_id of meeting_id: text, the
 * owner's name (and optionally their vigil account, owner_user), a due
 * time (0 for none).
 */
int meeting_action_add(struct app *app, const struct auth_user *u, const char *meeting_id,
		       const char *item_id, const char *text, const char *owner,
		       const char *owner_user, int64_t due_at, char id_out[TOKEN_ID_SIZE]);
int meeting_action_done(struct app *app, const struct auth_user *u, const char *meeting_id,
			const char *action_id, int done);

#endif

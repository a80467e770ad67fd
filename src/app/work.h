/*
 * work.h - the daily work on cases: assignment to a user or a team, teams
 * and their members, notes, tasks (some started automatically by what the
 * screen found), as the staff console, the API and the CLI all use it.
 *
 * Notes and task titles are sealed with the field key under the associated
 * data "notes/body/<id>" and "tasks/title/<id>". Every change is recorded
 * in the case's history (store_case_event_add) with ids only; the callers
 * (handlers, commands) write the audit entry naming the actor, except for
 * the automatic tasks, which this module audits as the system.
 *
 * Access is the caller's business: these functions assume the caller has
 * already checked access_case() for the case.
 */
#ifndef VIGIL_WORK_H
#define VIGIL_WORK_H

#include <jansson.h>

#include "app/app.h"
#include "crypto/token.h"
#include "store/work.h"

#define WORK_NOTE_MAX 10000     /* bytes of UTF-8 in one note */
#define WORK_NOTES_MAX 1000     /* notes one case may hold */
#define WORK_TITLE_MAX 500      /* bytes of UTF-8 in a task title */
#define WORK_TASKS_MAX 500      /* tasks one case may hold */
#define WORK_TEAM_NAME_MAX 64
#define WORK_MINE_MAX 200       /* rows of "my tasks" */

/*
 * The automatic tasks. A crisis tip (the hotline's own definition of
 * crisis: a response is needed within 24 hours) starts a task due 24 hours
 * after the tip arrived; a tip that involves a minor starts a referral to
 * the child-exploitation team, due as soon as possible (no fixed time).
 */
#define WORK_CRISIS_DUE (24 * 3600)

/* A new task as staff write it; 0 for no due time or no owner. */
struct work_task_input {
	const char *title;
	int64_t due_at;
	int64_t owner_user;
	int64_t owner_team;
};

/* 1 when task t is open and its due time has passed at now. */
int work_task_overdue(const struct task_row *t, int64_t now);

/*
 * Adds a note by user_id to case case_id; *id_out is its id. VG_INVAL for
 * an empty or invalid (non-UTF-8, control characters) note, VG_TOOBIG past
 * WORK_NOTE_MAX or WORK_NOTES_MAX, VG_NOTFOUND for no such case, VG_MERGED
 * for a case merged into another (a closed case takes notes: follow-up
 * after closing is normal).
 */
int work_note_add(struct app *app, const char *case_id, int64_t user_id, const char *body,
		  size_t len, char id_out[TOKEN_ID_SIZE]);
/* The notes of a case, oldest first: [{"id","at","author","body"}]. */
int work_notes(struct app *app, const char *case_id, json_t **out);

/*
 * Adds a manual task. VG_INVAL for an empty or invalid title, VG_TOOBIG
 * past the limits, VG_NOTFOUND for no such case, owner or team, VG_MERGED
 * for a case merged into another.
 */
int work_task_add(struct app *app, const char *case_id, int64_t user_id,
		  const struct work_task_input *in, char id_out[TOKEN_ID_SIZE]);
/* Marks task task_id of case_id done or open again; VG_NOTFOUND when none. */
int work_task_set_done(struct app *app, const char *case_id, const char *task_id, int done,
		       int64_t user_id);
/*
 * A case's tasks as JSON, open ones first and soonest due first:
 * [{"id","case_id","kind","title","due_at","owner_user","owner_team","done",
 *   "done_at","overdue"}]; an automatic task's title is its kind's English
 * msgid (work_task_title), for the caller to translate.
 */
int work_tasks(struct app *app, const char *case_id, int64_t now, json_t **out);
/* The open tasks of user_id and their teams (store_task_mine), as work_tasks. */
int work_tasks_mine(struct app *app, int64_t user_id, int64_t now, json_t **out);
/* The English msgid of an automatic task's title; NULL for a manual one. */
const char *work_task_title(const char *kind);

/*
 * Starts the automatic tasks the tips of case case_id call for, each at
 * most once per case and never twice for the same tip (not on screening
 * again, nor after a merge). *created (may be NULL) counts the new ones.
 */
int work_auto_tasks(struct app *app, const char *case_id, int *created);
/*
 * Runs work_auto_tasks() on every case holding a screened tip it has not
 * looked at yet (tips from before tasks existed, cases opened at start by
 * the backlog); *cases counts them. Run by `vigil serve` at start.
 */
#define WORK_BACKLOG_BATCH 100
int work_auto_backlog(struct app *app, int64_t *cases);
/*
 * The hook for a tip whose screening was just stored: runs
 * work_auto_tasks() on the case holding it. VG_OK when it is in no case
 * yet (the case's opening runs it then). Failures are logged.
 */
void work_tip_screened(struct app *app, const char *tip_id);
/*
 * work_auto_tasks() for row, a tip just stored and the only tip of its new
 * case case_id, from its screening result at hand (as JSON: the whole
 * result or its facts from screening_fill(); NULL when it was not
 * screened) instead of reading both back.
 * Failures are logged; work_auto_backlog() makes the tasks at next start.
 */
void work_new_tip(struct app *app, const char *case_id, const struct tip_row *row,
		  const json_t *result);

/*
 * Assigns case case_id to the user and the team named (NULL or "" for
 * none). VG_INVAL for an unknown or disabled user or team name,
 * VG_NOTFOUND for no such case.
 */
int work_assign(struct app *app, const char *case_id, int64_t by, const char *user_name,
		const char *team_name);
/* {"user": name or null, "team": name or null, "user_id", "team_id"}. */
int work_assignment(struct app *app, const char *case_id, json_t **out);

/*
 * Creates a team (kind "staff" or "mdt"). VG_INVAL for a bad name (1-64
 * of [A-Za-z0-9._ -], not starting with a space) or kind, VG_EXISTS when
 * taken.
 */
int work_team_add(struct app *app, const char *name, const char *kind, int64_t *id_out);
/*
 * Adds (add != 0) or removes user user_name to or from team team_name;
 * agency is the member's agency for a child-exploitation team (may be NULL).
 * VG_INVAL for an unknown team or user, VG_EXISTS when already a member,
 * VG_NOTFOUND when removing someone who is not.
 */
int work_team_member(struct app *app, const char *team_name, const char *user_name,
		     int add, const char *agency);
/* [{"id","name","kind","members":[{"id","name","role","agency"}]}], by name. */
int work_teams(struct app *app, json_t **out);

#endif

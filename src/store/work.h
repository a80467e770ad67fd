/*
 * work.h - storage of the daily work on cases: assignment, teams and their
 * members, notes, tasks, and the retention purge of closed cases
 * (migration 0006_work.sql on the tables of 0005_cases.sql).
 *
 * The same rules as store.h: every function may be called from any thread,
 * a call that changes data commits durably before returning VG_OK, output
 * parameters are set only on success, and sealed values arrive and leave
 * sealed. Strings in rows are malloc'd and freed by the matching release.
 */
#ifndef VIGIL_STORE_WORK_H
#define VIGIL_STORE_WORK_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* Task kinds; the automatic ones are started by app/work.c. */
#define TASK_MANUAL "manual"
#define TASK_CRISIS "crisis_response"
#define TASK_CSE "cse_referral"
/* Not a task: marks in task_triggers a tip whose screening has been looked at. */
#define TASK_CHECKED "checked"

struct team_row {
	int64_t id;
	char *name;
	char *kind;             /* "staff" or "mdt" */
	int64_t created_at;
	int disabled;
};

struct team_list {
	struct team_row *rows;
	size_t count;
};

struct member_row {
	int64_t team_id;
	int64_t user_id;
	char *user_name;
	char *role;
	char *agency;
	int64_t added_at;
};

struct member_list {
	struct member_row *rows;
	size_t count;
};

struct note_row {
	char *id;               /* random public id */
	char *case_id;
	int64_t created_at;
	int64_t user_id;
	char *author;           /* the author's user name, filled in by lists */
	struct sealed body;     /* ad "notes/body/<id>" */
};

struct note_list {
	struct note_row *rows;
	size_t count;
};

struct task_row {
	char *id;               /* random public id */
	char *case_id;
	char *kind;             /* TASK_MANUAL, TASK_CRISIS, TASK_CSE */
	struct sealed title;    /* ad "tasks/title/<id>"; absent for automatic tasks */
	int64_t created_at;
	int64_t created_by;     /* 0 for the system */
	int64_t due_at;         /* 0: no due time */
	int64_t owner_user;     /* 0: none */
	int64_t owner_team;     /* 0: none */
	char *owner_user_name;  /* filled in by lists; "" without an owner */
	char *owner_team_name;
	int64_t done_at;        /* 0 while open */
	int64_t done_by;
	char *tip_id;           /* the tip that started an automatic task, or "" */
};

struct task_list {
	struct task_row *rows;
	size_t count;
};

/* The assignees of a case; 0 for none. */
struct assignment {
	int64_t user_id;
	int64_t team_id;
};

/* A case's tip as the automatic tasks need it. */
struct work_tip {
	char *id;
	int64_t created_at;
	char *urgency;          /* "crisis", ... or "" */
	struct sealed screening; /* ad "tips/screening/<id>", may be absent */
};

struct work_tip_list {
	struct work_tip *rows;
	size_t count;
};

/* Teams. VG_EXISTS when the name is taken. */
int store_team_insert(struct store *s, const char *name, const char *kind, int64_t now,
		      int64_t *id_out);
int store_team_by_name(struct store *s, const char *name, struct team_row *out);
int store_team_by_id(struct store *s, int64_t id, struct team_row *out);
/* Every team, by name. */
int store_team_list(struct store *s, struct team_list *out);
/*
 * Adds a member: VG_NOTFOUND when the team or the user does not exist,
 * VG_EXISTS when already a member.
 */
int store_team_member_add(struct store *s, int64_t team_id, int64_t user_id,
			  const char *agency, int64_t now);
/* VG_NOTFOUND when the user was not a member. */
int store_team_member_remove(struct store *s, int64_t team_id, int64_t user_id);
/* A team's members by user name. */
int store_team_members(struct store *s, int64_t team_id, struct member_list *out);
/* The teams user_id belongs to (team_id and agency set), by team id. */
int store_user_teams(struct store *s, int64_t user_id, struct member_list *out);
/* Every enabled user (id, name, role), by name, for the assignment choices. */
int store_user_list(struct store *s, struct member_list *out);
void team_row_release(struct team_row *t);
void team_list_release(struct team_list *l);
void member_list_release(struct member_list *l);

/*
 * Assignment. store_case_assign() sets both assignees (0 clears one) and
 * updates the case's updated_at; VG_NOTFOUND when there is no such case,
 * or no such user or team.
 */
int store_case_assignment(struct store *s, const char *case_id, struct assignment *out);
int store_case_assign(struct store *s, const char *case_id, const struct assignment *a,
		      int64_t now);

/*
 * Notes. store_note_insert: VG_NOTFOUND when the case does not exist,
 * VG_MERGED when it was merged into another (add to that one).
 */
int store_note_insert(struct store *s, const struct note_row *n);
/* Oldest first, with author. */
int store_note_list(struct store *s, const char *case_id, struct note_list *out);
int store_note_count(struct store *s, const char *case_id, int64_t *out);
void note_list_release(struct note_list *l);

/*
 * Tasks. store_task_insert: VG_NOTFOUND when the case, owner or team does
 * not exist, VG_MERGED when the case was merged into another.
 */
int store_task_insert(struct store *s, const struct task_row *t);
/*
 * Starts the automatic task t (kind, case_id and tip_id set) unless tip
 * t->tip_id has started one of that kind before or the case already has
 * one: *created says which. Both are recorded in one transaction.
 */
int store_task_auto(struct store *s, const struct task_row *t, int *created);
/* The task id of case case_id; VG_NOTFOUND when the case has no such task. */
int store_task_get(struct store *s, const char *case_id, const char *id, struct task_row *out);
/* Marks a task done (done != 0, at and by recorded) or open again. */
int store_task_set_done(struct store *s, const char *case_id, const char *id, int done,
			int64_t at, int64_t by);
/* A case's tasks: open ones first, soonest due first, then done ones. */
int store_task_list(struct store *s, const char *case_id, struct task_list *out);
/*
 * The open tasks of user_id: owned by them or by one of their teams, or
 * without an owner on a case assigned to them or their teams. Soonest due
 * first (those without a due time last), at most limit.
 */
int store_task_mine(struct store *s, int64_t user_id, int limit, struct task_list *out);
/* Open tasks of case_id due before now. */
int store_task_overdue_count(struct store *s, const char *case_id, int64_t now, int64_t *out);
void task_row_release(struct task_row *t);
void task_list_release(struct task_list *l);

/* The tips of a case with what the automatic tasks read. */
int store_work_tips(struct store *s, const char *case_id, struct work_tip_list *out);
void work_tip_list_release(struct work_tip_list *l);
/* Records that tip_id's screening has been looked at for automatic tasks. */
int store_task_checked(struct store *s, const char *tip_id);
/*
 * Up to limit ids of cases holding a screened tip not yet looked at for
 * automatic tasks (stored before tasks existed, or whose case was opened
 * at start by the backlog), as malloc'd strings.
 */
int store_work_backlog(struct store *s, size_t limit, char ***ids, size_t *count);
/* The case tip_id belongs to, as a malloc'd id; VG_NOTFOUND when none. */
int store_tip_case(struct store *s, const char *tip_id, char **out);

/* What the purge of one case removed. */
struct purge_counts {
	int64_t tips;
	int64_t messages;
	int64_t referrals;
	int64_t persons;
	int64_t locations;
	int64_t notes;
	int64_t tasks;
	int64_t entities;       /* of its tips and of the case itself */
};

/*
 * Up to limit ids of cases due for the purge, oldest closing first, as
 * malloc'd strings in *ids: closed (closed, closed_referred) at or before
 * `before`, or merged into a case that has been purged (status merged,
 * merged_into emptied by the purge).
 */
int store_purge_candidates(struct store *s, int64_t before, size_t limit, char ***ids,
			   size_t *count);
/*
 * Deletes case case_id if it is still due as store_purge_candidates() says,
 * with its tips and their messages and referrals, and the entities staff
 * added to it; the rest goes by ON DELETE CASCADE, and the cases merged
 * into it lose their merged_into, which makes them due. One transaction.
 * VG_NOTFOUND when the case is gone or no longer qualifies. Counts what
 * went in *counts.
 */
int store_case_purge(struct store *s, const char *case_id, int64_t before,
		     struct purge_counts *counts);
/* Moves what was deleted out of the write-ahead log into the (zeroed) main file. */
int store_checkpoint(struct store *s);

#endif

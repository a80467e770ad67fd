/*
 * access.h - who may do what: the role matrix and the rules per case.
 *
 * Two levels, and every handler and command asks this module instead of
 * comparing role names itself:
 *
 *  - access_allowed() is the role-level matrix: may a user with this role
 *    ever do op? It needs no storage and answers 1 or 0. The matrix is the
 *    one table in access.c, written out in docs/permissions.md.
 *
 *  - access_case() adds the object-level rules for one case:
 *      a restricted case (cases.restricted, e.g. a minor) is visible only to
 *      admin, supervisor and the users and teams named in case_access;
 *      a team_member sees only the cases on the agenda of a meeting of a
 *      team they belong to, and only to read them.
 *    A case a user may not know exists answers VG_NOTFOUND, exactly as a
 *    case that does not exist, so guessing ids reveals nothing; the denial
 *    of a restricted case is audited ("access.denied").
 *
 * access_tip() applies the same rules to a tip through the cases it belongs
 * to: a tip in a restricted case is as hidden as the case.
 */
#ifndef VIGIL_ACCESS_H
#define VIGIL_ACCESS_H

#include "app/app.h"
#include "app/auth.h"

/* What a user wants to do. Keep in step with the matrix in access.c. */
enum access_op {
	ACCESS_READ_TIPS,       /* list and open tips, the tip queue */
	ACCESS_WORK_TIPS,       /* tip status, replies to the tipster, referrals */
	ACCESS_READ_CASE,       /* open a case, its persons, locations, history */
	ACCESS_CREATE_CASE,     /* open a case from tips */
	ACCESS_WORK_CASE,       /* edit a case, its persons, locations, notes, tasks */
	ACCESS_LINK,            /* link tips and entities to a case */
	ACCESS_ASSIGN,          /* assign a case to a user or a team */
	ACCESS_RESTRICT,        /* mark a case restricted and name who may see it */
	ACCESS_MERGE,           /* merge and split cases */
	ACCESS_MANAGE_TEAMS,    /* create teams, add and remove members */
	ACCESS_READ_MEETINGS,   /* see meetings and their agendas */
	ACCESS_MANAGE_MEETINGS, /* schedule meetings, set agendas, record outcomes */
	ACCESS_SEARCH,          /* full-text and entity search */
	ACCESS_AUDIT,           /* read the audit log */
	ACCESS_ADMIN,           /* users, roles, second factors of others */
	ACCESS_ADS,             /* see networks of online ads, turn one into a lead */
	ACCESS_OP_COUNT
};

/* The op's name as written in docs/permissions.md ("read_case"), or NULL. */
const char *access_op_name(enum access_op op);
/* The op named name, or -1. */
int access_op_parse(const char *name);

/*
 * 1 when the user's role may do op at all, 0 otherwise (also for a role
 * vigil does not know). For a team_member, ACCESS_READ_CASE is allowed
 * here and narrowed to agenda cases by access_case().
 */
int access_allowed(const struct auth_user *u, enum access_op op);

/* 1 for the roles that see every case, restricted or not (admin, supervisor). */
int access_sees_all(const struct auth_user *u);

/*
 * The object-level check for case case_id. VG_OK when allowed;
 * VG_FORBIDDEN when the role may not do op at all; VG_NOTFOUND when the
 * case does not exist or the user may not know it does; VG_DB and the like
 * when the store fails.
 */
int access_case(struct app *app, const struct auth_user *u, const char *case_id,
		enum access_op op);

/*
 * For lists, counts, search results, related cases and agendas: 1 when u
 * may read case case_id (the role-level check for ACCESS_READ_CASE, then
 * the rules above), 0 otherwise, also when the store fails. A hidden case
 * is left out silently: listing is no attempt to open it, so nothing is
 * audited.
 */
int access_case_listed(struct app *app, const struct auth_user *u, const char *case_id);

/*
 * For lists and queues: 1 when u may see tip tip_id, which the caller has
 * just read from the store. A hidden tip is left out silently: listing is
 * no attempt to open it, so nothing is audited.
 */
int access_tip_listed(struct app *app, const struct auth_user *u, const char *tip_id);

/*
 * The same for tip tip_id (its public id, as in /staff/tips/{id}): the
 * role-level check for op, then the tip's cases: a tip in a restricted case
 * the user may not see is VG_NOTFOUND.
 */
int access_tip(struct app *app, const struct auth_user *u, const char *tip_id,
	       enum access_op op);

#endif

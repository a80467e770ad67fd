#include "base/compat.h"
#include "app/access.h"
#include "store/access.h"
#include "store/meetings.h"

/* The roles, as bits of the matrix below. */
enum {
	R_ADMIN = 1 << 0,
	R_SUPERVISOR = 1 << 1,
	R_ADVOCATE = 1 << 2,
	R_ANALYST = 1 << 3,
	R_INVESTIGATOR = 1 << 4,
	R_TEAM_MEMBER = 1 << 5,
	R_VOLUNTEER = 1 << 6,
};

static const struct {
	const char *name;
	unsigned bit;
} roles[] = {
	{"admin", R_ADMIN},
	{"supervisor", R_SUPERVISOR},
	{"advocate", R_ADVOCATE},
	{"analyst", R_ANALYST},
	{"investigator", R_INVESTIGATOR},
	{"team_member", R_TEAM_MEMBER},
	{"volunteer", R_VOLUNTEER},
};

#define R_LEAD (R_ADMIN | R_SUPERVISOR)
#define R_CASEWORK (R_LEAD | R_ADVOCATE | R_ANALYST | R_INVESTIGATOR)

/*
 * The permission matrix: for each op, the roles that may do it. This is
 * the one place it is written in code; docs/permissions.md is its text and
 * tests/unit/test_access.c checks the two agree. A volunteer appears in no
 * row: volunteers have their own account and nothing else.
 */
static const struct {
	const char *name;
	unsigned roles;
} matrix[ACCESS_OP_COUNT] = {
	[ACCESS_READ_TIPS] = {"read_tips", R_CASEWORK},
	[ACCESS_WORK_TIPS] = {"work_tips", R_LEAD | R_ADVOCATE},
	[ACCESS_READ_CASE] = {"read_case", R_CASEWORK | R_TEAM_MEMBER},
	[ACCESS_CREATE_CASE] = {"create_case", R_LEAD | R_ADVOCATE},
	[ACCESS_WORK_CASE] = {"work_case", R_LEAD | R_ADVOCATE | R_INVESTIGATOR},
	[ACCESS_LINK] = {"link", R_CASEWORK},
	[ACCESS_ASSIGN] = {"assign", R_LEAD},
	[ACCESS_RESTRICT] = {"restrict", R_LEAD},
	[ACCESS_MERGE] = {"merge", R_LEAD | R_ADVOCATE},
	[ACCESS_MANAGE_TEAMS] = {"manage_teams", R_LEAD},
	[ACCESS_READ_MEETINGS] = {"read_meetings", R_LEAD | R_ADVOCATE | R_INVESTIGATOR | R_TEAM_MEMBER},
	[ACCESS_MANAGE_MEETINGS] = {"manage_meetings", R_LEAD},
	[ACCESS_SEARCH] = {"search", R_CASEWORK},
	[ACCESS_AUDIT] = {"audit", R_ADMIN},
	[ACCESS_ADMIN] = {"admin", R_ADMIN},
	[ACCESS_ADS] = {"ads", R_LEAD | R_ANALYST},
};

static unsigned role_bit(const char *role)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(roles); i++)
		if (!strcmp(role, roles[i].name))
			return roles[i].bit;
	return 0;
}

const char *access_op_name(enum access_op op)
{
	if ((int)op < 0 || op >= ACCESS_OP_COUNT)
		return NULL;
	return matrix[op].name;
}

int access_op_parse(const char *name)
{
	int i;

	for (i = 0; name && i < ACCESS_OP_COUNT; i++)
		if (!strcmp(name, matrix[i].name))
			return i;
	return -1;
}

int access_allowed(const struct auth_user *u, enum access_op op)
{
	assert(u && op < ACCESS_OP_COUNT);
	return (matrix[op].roles & role_bit(u->role)) != 0;
}

int access_sees_all(const struct auth_user *u)
{
	return (role_bit(u->role) & R_LEAD) != 0;
}

/*
 * Whether u may see case case_id, of which f holds the facts: a team member
 * sees the cases on the agendas of their teams' meetings, restricted or not
 * (putting a case on an agenda is a supervisor's decision to share it with
 * that team); the other roles that do not see all need a grant for a
 * restricted case.
 */
static int may_see(struct app *app, const struct auth_user *u, const char *case_id,
		   const struct access_facts *f, int *rc)
{
	*rc = VG_OK;
	if (access_sees_all(u))
		return 1;
	if (!strcmp(u->role, "team_member")) {
		*rc = store_meeting_case_on_agenda(app->store, u->id, case_id);
		if (*rc == VG_NOTFOUND)
			*rc = VG_OK;
		else if (!*rc)
			return 1;
		return 0;
	}
	return !f->restricted || f->granted;
}

int access_case(struct app *app, const struct auth_user *u, const char *case_id,
		enum access_op op)
{
	struct access_facts f;
	int rc;

	assert(app && u && case_id);
	if (!access_allowed(u, op))
		return VG_FORBIDDEN;
	/* A team member reads agenda cases and does nothing else with them. */
	if (!strcmp(u->role, "team_member") && op != ACCESS_READ_CASE)
		return VG_FORBIDDEN;
	rc = store_access_case(app->store, case_id, u->id, &f);
	if (rc)
		return rc;
	if (may_see(app, u, case_id, &f, &rc))
		return VG_OK;
	if (rc)
		return rc;
	if (f.restricted)
		app_audit(app, u->id, "access.denied", case_id, access_op_name(op));
	return VG_NOTFOUND;
}

int access_case_listed(struct app *app, const struct auth_user *u, const char *case_id)
{
	struct access_facts f;
	int rc;

	assert(app && u && case_id);
	if (!access_allowed(u, ACCESS_READ_CASE))
		return 0;
	if (store_access_case(app->store, case_id, u->id, &f))
		return 0;
	return may_see(app, u, case_id, &f, &rc);
}

/* VG_OK, VG_NOTFOUND for a tip hidden from u, or a store failure. */
static int tip_visible(struct app *app, const struct auth_user *u, const char *tip_id,
		       int *hidden)
{
	struct access_facts f;
	int rc;

	*hidden = 0;
	if (access_sees_all(u))
		return VG_OK;
	rc = store_access_tip(app->store, tip_id, u->id, &f);
	if (rc)
		return rc;
	if (!f.restricted || f.granted)
		return VG_OK;
	*hidden = 1;
	return VG_NOTFOUND;
}

int access_tip_listed(struct app *app, const struct auth_user *u, const char *tip_id)
{
	int hidden;

	assert(app && u && tip_id);
	return access_allowed(u, ACCESS_READ_TIPS) && !tip_visible(app, u, tip_id, &hidden);
}

int access_tip(struct app *app, const struct auth_user *u, const char *tip_id,
	       enum access_op op)
{
	int rc, hidden;

	assert(app && u && tip_id);
	if (!access_allowed(u, op))
		return VG_FORBIDDEN;
	rc = tip_visible(app, u, tip_id, &hidden);
	if (hidden)
		app_audit(app, u->id, "access.denied", tip_id, access_op_name(op));
	return rc;
}

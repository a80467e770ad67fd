/*
 * access.h (store) - the facts app/access.c decides on, and the list of
 * users and teams a restricted case is opened to (table case_access of
 * migration 0005).
 *
 * Every function takes the store's lock for its whole run.
 */
#ifndef VIGIL_STORE_ACCESS_H
#define VIGIL_STORE_ACCESS_H

#include "store/store.h"

/* What the rules of app/access.c need to know about one case and one user. */
struct access_facts {
	int restricted;  /* the case is restricted */
	int granted;     /* case_access names the user or one of their teams */
};

/*
 * The facts for case case_id and user user_id. VG_NOTFOUND when there is
 * no such case.
 */
int store_access_case(struct store *s, const char *case_id, int64_t user_id,
		      struct access_facts *out);

/*
 * The same for the case tip tip_id belongs to. A tip in no case yet (the
 * backlog the server opens cases for) is not restricted. VG_NOTFOUND when
 * there is no such tip.
 */
int store_access_tip(struct store *s, const char *tip_id, int64_t user_id,
		     struct access_facts *out);

/* One entry of a case's access list: a user or a team. */
struct access_grant {
	int64_t id;
	int64_t user_id;     /* 0 for a team */
	int64_t team_id;     /* 0 for a user */
	char *name;          /* the user's or team's name */
	int64_t granted_at;
};

struct access_grant_list {
	struct access_grant *rows;
	size_t count;
};

/* The access list of case_id, users first, then teams, each by name. */
int store_access_grants(struct store *s, const char *case_id,
			struct access_grant_list *out);
void access_grant_list_release(struct access_grant_list *l);

/*
 * Sets or clears the restricted flag of case_id and records the change in
 * the case's history (case_events "restricted" or "unrestricted") in one
 * transaction. VG_NOTFOUND for no such case.
 */
int store_access_restrict(struct store *s, const char *case_id, int restricted,
			  int64_t by, int64_t now);

/*
 * Opens case_id to the user (team == 0) or team (team == 1) called name,
 * with a "granted" event in the case's history. VG_NOTFOUND when there is
 * no such case, enabled user or team; VG_EXISTS when already granted.
 */
int store_access_grant(struct store *s, const char *case_id, int team,
		       const char *name, int64_t by, int64_t now);

/*
 * Removes grant grant_id of case_id, with a "revoked" event. VG_NOTFOUND
 * when the case has no such grant.
 */
int store_access_revoke(struct store *s, const char *case_id, int64_t grant_id,
			int64_t by, int64_t now);

#endif

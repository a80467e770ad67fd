#include "base/compat.h"
#include "store/cases.h"
#include "store/db.h"
#include "base/buf.h"

/* The longest derived kinds or typology list: every slug of the typology. */
#define CASE_SET_MAX 2048

#define CASE_COLUMNS                                                          \
	"id, created_at, updated_at, closed_at, status, merged_into, urgency, " \
	"danger_now, screen_status, kinds, typology, country, region, city, "   \
	"ntips, assignee_user, assignee_team, restricted, urgency_rank"

/*
 * A case opened for a tip has waited since the tip arrived, and its triage
 * fields are the tip's, as refresh() would derive them from one tip (the
 * place only when the tip names a country): written in the INSERT, so
 * that opening a case costs no UPDATE of the row, its indexes and its
 * search document.
 */
static const char SQL_CASE_INSERT[] =
	"INSERT INTO cases (id, created_at, updated_at, urgency, danger_now, screen_status, "
	"kinds, typology, country, region, city, ntips) "
	"SELECT ?1, created_at, ?2, urgency, danger_now, screen_status, kinds, typology, "
	"country, CASE WHEN country <> '' THEN region ELSE '' END, "
	"CASE WHEN country <> '' THEN city ELSE '' END, 1 FROM tips WHERE id = ?3";
static const char SQL_CASE_TIP_INSERT[] =
	"INSERT INTO case_tips (tip_id, case_id, added_at) VALUES (?1, ?2, ?3)";
static const char SQL_TIP_EXISTS[] = "SELECT 1 FROM tips WHERE id = ?1";
static const char SQL_TIP_CASE[] = "SELECT case_id FROM case_tips WHERE tip_id = ?1";
static const char SQL_EVENT_INSERT[] =
	"INSERT INTO case_events (case_id, at, user_id, kind, other_case, detail) "
	"VALUES (?1, ?2, ?3, ?4, nullif(?5, ''), ?6)";
static const char SQL_TOUCH[] = "UPDATE cases SET updated_at = ?2 WHERE id = ?1";
static const char SQL_BACKLOG[] =
	"SELECT t.id FROM tips t WHERE NOT EXISTS "
	"(SELECT 1 FROM case_tips ct WHERE ct.tip_id = t.id) "
	"ORDER BY t.created_at, t.id LIMIT ?1";
static const char SQL_REFRESH_READ[] =
	"SELECT t.urgency, t.danger_now, t.screen_status, t.kinds, t.typology, "
	"t.country, t.region, t.city FROM case_tips ct JOIN tips t ON t.id = ct.tip_id "
	"WHERE ct.case_id = ?1 ORDER BY t.created_at, t.id";
static const char SQL_REFRESH_WRITE[] =
	"UPDATE cases SET urgency = ?2, danger_now = ?3, screen_status = ?4, "
	"kinds = ?5, typology = ?6, country = ?7, region = ?8, city = ?9, "
	"ntips = ?10, updated_at = ?11 WHERE id = ?1";
static const char SQL_CASE_GET[] = "SELECT " CASE_COLUMNS " FROM cases WHERE id = ?1";
static const char SQL_CASE_BY_TIP[] =
	"SELECT " CASE_COLUMNS " FROM cases WHERE id = "
	"(SELECT case_id FROM case_tips WHERE tip_id = ?1)";
/*
 * The queue. Optional filters are bound as NULL or '' and then match
 * everything; the order is the cases_triage index, so a page stops after
 * `limit` matching rows without sorting the table. A later page is its
 * own statement with the keyset cursor as a plain range on the index's
 * columns: inside an OR (`?10 = '' OR ...`) SQLite cannot start the
 * index scan at the cursor and reads every row before it. Both take the
 * same parameters; the first page leaves ?10 to ?12 unused.
 */
#define CASE_LIST_WHERE                                                        \
	"(CASE ?1 WHEN 'open' THEN status IN ('active', 'follow_up') "         \
	"WHEN 'all' THEN status <> 'merged' ELSE status = ?1 END) "             \
	"AND (?2 = '' OR instr(',' || kinds || ',', ',' || ?2 || ',') > 0) "    \
	"AND (?3 = '' OR instr(',' || typology || ',', ',' || ?3 || ',') > 0) " \
	"AND (?4 = '' OR country = ?4) AND (?5 = '' OR region = ?5) "          \
	"AND (?6 IS NULL OR assignee_user = ?6) "                              \
	"AND (?7 IS NULL OR assignee_team = ?7) "                              \
	"AND (?8 = 0 OR (assignee_user IS NULL AND assignee_team IS NULL)) "   \
	"AND (?9 IS NULL OR restricted = 0 OR EXISTS (SELECT 1 FROM case_access a " \
	"WHERE a.case_id = cases.id AND (a.user_id = ?9 OR a.team_id IN "      \
	"(SELECT m.team_id FROM team_members m JOIN teams t ON t.id = m.team_id " \
	"WHERE m.user_id = ?9 AND t.disabled = 0)))) "                         \
	"AND (?14 IS NULL OR assignee_user = ?14 OR assignee_team IN "         \
	"(SELECT team_id FROM team_members WHERE user_id = ?14)) "
static const char SQL_CASE_LIST_FIRST[] =
	"SELECT " CASE_COLUMNS " FROM cases WHERE " CASE_LIST_WHERE
	"ORDER BY urgency_rank, created_at, id LIMIT ?13";
static const char SQL_CASE_LIST_AFTER[] =
	"SELECT " CASE_COLUMNS " FROM cases WHERE " CASE_LIST_WHERE
	"AND (urgency_rank, created_at, id) > (?11, ?12, ?10) "
	"ORDER BY urgency_rank, created_at, id LIMIT ?13";
static const char SQL_STATUS_GET[] = "SELECT status FROM cases WHERE id = ?1";
static const char SQL_SET_STATUS[] =
	"UPDATE cases SET status = ?2, updated_at = ?3, closed_at = CASE "
	"WHEN ?2 IN ('closed', 'closed_referred') THEN coalesce(closed_at, ?3) "
	"ELSE NULL END WHERE id = ?1";
static const char SQL_MERGE_TIPS[] = "UPDATE case_tips SET case_id = ?2 WHERE case_id = ?1";
static const char SQL_MERGE_PERSONS[] = "UPDATE persons SET case_id = ?2 WHERE case_id = ?1";
static const char SQL_MERGE_LOCATIONS[] = "UPDATE locations SET case_id = ?2 WHERE case_id = ?1";
static const char SQL_COPY_GRANTS[] =
	"INSERT OR IGNORE INTO case_access (case_id, user_id, team_id, granted_by, granted_at) "
	"SELECT ?2, user_id, team_id, granted_by, granted_at FROM case_access WHERE case_id = ?1";
/*
 * The other features' rows of a case move with it too: notes and tasks
 * (0006), agenda items of team meetings with their outcomes and actions
 * (0009) and linked entities (0007). A row that would break a uniqueness
 * rule of its table (an automatic task of a kind the other case already
 * has, an agenda item of a meeting the other case is already on, an entity
 * it already holds) stays with the merged case, which is kept and links to
 * the other: nothing is dropped.
 */
static const char SQL_MERGE_NOTES[] = "UPDATE notes SET case_id = ?2 WHERE case_id = ?1";
static const char SQL_MERGE_TASKS[] =
	"UPDATE OR IGNORE tasks SET case_id = ?2 WHERE case_id = ?1";
static const char SQL_MERGE_AGENDA[] =
	"UPDATE OR IGNORE meeting_agenda SET case_id = ?2 WHERE case_id = ?1";
static const char SQL_MERGE_ENTITIES[] =
	"UPDATE OR IGNORE entities SET case_id = ?2 WHERE case_id = ?1";
/*
 * A case has waited since its oldest tip arrived: after a split the new
 * case, after a merge the case merged into (when the other case was older).
 */
static const char SQL_SINCE[] =
	"UPDATE cases SET created_at = coalesce((SELECT min(t.created_at) FROM case_tips ct "
	"JOIN tips t ON t.id = ct.tip_id WHERE ct.case_id = ?1), created_at) WHERE id = ?1";
static const char SQL_MERGE_MARK[] =
	"UPDATE cases SET status = 'merged', merged_into = ?2, updated_at = ?3 WHERE id = ?1";
static const char SQL_MERGE_RESTRICT[] =
	"UPDATE cases SET restricted = max(restricted, "
	"(SELECT restricted FROM cases WHERE id = ?1)) WHERE id = ?2";
static const char SQL_SPLIT_NEW[] =
	"INSERT INTO cases (id, created_at, updated_at, restricted, assignee_user, assignee_team) "
	"SELECT ?2, ?3, ?3, restricted, assignee_user, assignee_team FROM cases WHERE id = ?1";
static const char SQL_SPLIT_MOVE[] =
	"UPDATE case_tips SET case_id = ?3 WHERE tip_id = ?2 AND case_id = ?1";
static const char SQL_CASE_NTIPS[] = "SELECT count(*) FROM case_tips WHERE case_id = ?1";
static const char SQL_CASE_TIPS[] =
	"SELECT ct.tip_id, ct.added_at, t.created_at, t.status, t.source, t.urgency, "
	"t.danger_now, t.screen_status, t.kinds, t.typology FROM case_tips ct "
	"JOIN tips t ON t.id = ct.tip_id WHERE ct.case_id = ?1 ORDER BY t.created_at, t.id";
static const char SQL_CASE_EVENTS[] =
	"SELECT e.id, e.case_id, e.at, e.user_id, coalesce(u.name, ''), e.kind, "
	"coalesce(e.other_case, ''), e.detail FROM case_events e "
	"LEFT JOIN users u ON u.id = e.user_id WHERE e.case_id = ?1 ORDER BY e.at, e.id";

#define PERSON_COLUMNS                                                         \
	"id, case_id, created_at, updated_at, created_by, case_role, age_min, "  \
	"age_max, gender, nationality, process_roles, control_methods, "         \
	"exploitation, industry, trafficking_status, name, notes"

static const char SQL_PERSON_INSERT[] =
	"INSERT INTO persons (" PERSON_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
	"?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)";
static const char SQL_PERSON_UPDATE[] =
	"UPDATE persons SET updated_at = ?4, case_role = ?6, age_min = ?7, "
	"age_max = ?8, gender = ?9, nationality = ?10, process_roles = ?11, "
	"control_methods = ?12, exploitation = ?13, industry = ?14, "
	"trafficking_status = ?15, name = ?16, notes = ?17 "
	"WHERE id = ?1 AND case_id = ?2";
static const char SQL_PERSON_GET[] = "SELECT " PERSON_COLUMNS " FROM persons WHERE id = ?1";
static const char SQL_PERSON_LIST[] =
	"SELECT " PERSON_COLUMNS " FROM persons WHERE case_id = ?1 ORDER BY created_at, id";

#define LOCATION_COLUMNS                                                       \
	"id, case_id, created_at, created_by, kind, country, region, city, "     \
	"address, description"

static const char SQL_LOCATION_INSERT[] =
	"INSERT INTO locations (" LOCATION_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, "
	"?6, ?7, ?8, ?9, ?10)";
static const char SQL_LOCATION_LIST[] =
	"SELECT " LOCATION_COLUMNS " FROM locations WHERE case_id = ?1 ORDER BY created_at, id";

/* Runs a cached statement that takes one or two text parameters and returns no rows. */
static int write_ids(struct store *s, const char *sql, const char *a, const char *b,
		     const char *what)
{
	sqlite3_stmt *st;
	int rc, src;

	rc = db_stmt(s, sql, &st);
	if (rc)
		return rc;
	src = db_bind_text(st, 1, a);
	if (src == SQLITE_OK && b)
		src = db_bind_text(st, 2, b);
	rc = db_bind_check(s, src, what);
	if (!rc)
		rc = db_write(s, st, what);
	db_done(st);
	return rc;
}

static int event_add(struct store *s, const char *case_id, int64_t user_id,
		     const char *kind, const char *other, const char *detail, int64_t now)
{
	sqlite3_stmt *st;
	int rc, src;

	rc = db_stmt(s, SQL_EVENT_INSERT, &st);
	if (rc)
		return rc;
	src = db_bind_text(st, 1, case_id);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 2, now);
	if (src == SQLITE_OK)
		src = db_bind_user(st, 3, user_id);
	if (src == SQLITE_OK)
		src = db_bind_text(st, 4, kind);
	if (src == SQLITE_OK)
		src = db_bind_text(st, 5, other);
	if (src == SQLITE_OK)
		src = db_bind_text(st, 6, detail);
	rc = db_bind_check(s, src, __func__);
	if (!rc)
		rc = db_write(s, st, __func__);
	db_done(st);
	if (rc)
		return rc;
	rc = db_stmt(s, SQL_TOUCH, &st);
	if (rc)
		return rc;
	src = db_bind_text(st, 1, case_id);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 2, now);
	rc = db_bind_check(s, src, __func__);
	if (!rc)
		rc = db_write(s, st, __func__);
	db_done(st);
	return rc;
}

/* The status of case id into status (at most 16 bytes), or VG_NOTFOUND. */
static int case_status(struct store *s, const char *id, char status[16])
{
	sqlite3_stmt *st;
	int rc;

	rc = db_stmt(s, SQL_STATUS_GET, &st);
	if (rc)
		return rc;
	rc = db_bind_check(s, db_bind_text(st, 1, id), __func__);
	if (!rc)
		rc = db_row(s, st, __func__, false);
	if (!rc)
		snprintf(status, 16, "%s", (const char *)sqlite3_column_text(st, 0));
	db_done(st);
	return rc;
}

/* Adds each slug of the comma-separated list to the set b, keeping first-seen order. */
static int set_union(struct buf *b, const char *list)
{
	const char *p = list;
	int rc = VG_OK;

	while (!rc && *p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		const char *have = buf_str(b);
		const char *q = have;
		int found = 0;

		while (n && *q && !found) {
			const char *qe = strchr(q, ',');
			size_t qn = qe ? (size_t)(qe - q) : strlen(q);

			found = qn == n && !memcmp(q, p, n);
			q = qe ? qe + 1 : q + qn;
		}
		if (n && !found) {
			if (b->len)
				rc = buf_addch(b, ',');
			if (!rc)
				rc = buf_add(b, p, n);
		}
		p = end ? end + 1 : p + n;
	}
	return rc;
}

/* Higher is worse: a crisis outranks everything, an unread tip outranks a routine one. */
static int urgency_score(const char *u)
{
	if (!strcmp(u, "crisis"))
		return 4;
	if (!strcmp(u, "priority"))
		return 3;
	if (!strcmp(u, "routine"))
		return 1;
	return 2;
}

static int screen_score(const char *v)
{
	if (!strcmp(v, "likely"))
		return 3;
	if (!strcmp(v, "possible"))
		return 2;
	if (!strcmp(v, "not_indicated"))
		return 1;
	return 0;
}

struct derived {
	char urgency[16];
	char screen_status[16];
	char country[8];
	char region[16];
	char city[256];
	int danger_now;
	int64_t ntips;
};

static const char *col(sqlite3_stmt *st, int i)
{
	const unsigned char *v = sqlite3_column_text(st, i);

	return v ? (const char *)v : "";
}

/* Recomputes the triage fields of case id from its tips; lock held, in a transaction. */
static int refresh(struct store *s, const char *id, int64_t now)
{
	struct derived d = { .urgency = "routine" };
	struct buf kinds, typology;
	sqlite3_stmt *st;
	int best_u = 0, best_s = 0, rc, src;

	buf_init(&kinds, CASE_SET_MAX);
	buf_init(&typology, CASE_SET_MAX);
	rc = db_stmt(s, SQL_REFRESH_READ, &st);
	if (rc)
		goto out;
	rc = db_bind_check(s, db_bind_text(st, 1, id), __func__);
	while (!rc) {
		const char *u, *v;

		rc = db_row(s, st, __func__, false);
		if (rc)
			break;
		d.ntips++;
		u = col(st, 0);
		v = col(st, 2);
		if (urgency_score(u) > best_u) {
			best_u = urgency_score(u);
			snprintf(d.urgency, sizeof(d.urgency), "%s", u);
		}
		if (screen_score(v) > best_s) {
			best_s = screen_score(v);
			snprintf(d.screen_status, sizeof(d.screen_status), "%s", v);
		}
		d.danger_now |= sqlite3_column_int(st, 1) != 0;
		rc = set_union(&kinds, col(st, 3));
		if (!rc)
			rc = set_union(&typology, col(st, 4));
		if (!rc && !d.country[0] && col(st, 5)[0]) {
			snprintf(d.country, sizeof(d.country), "%s", col(st, 5));
			snprintf(d.region, sizeof(d.region), "%s", col(st, 6));
			snprintf(d.city, sizeof(d.city), "%s", col(st, 7));
		}
	}
	db_done(st);
	if (rc != VG_NOTFOUND)
		goto out;
	if (!d.ntips)
		d.urgency[0] = '\0';
	rc = db_stmt(s, SQL_REFRESH_WRITE, &st);
	if (rc)
		goto out;
	src = db_bind_text(st, 1, id);
	if (src == SQLITE_OK)
		src = db_bind_text(st, 2, d.urgency);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int(st, 3, d.danger_now);
	if (src == SQLITE_OK)
		src = db_bind_text(st, 4, d.screen_status);
	if (src == SQLITE_OK)
		src = db_bind_text(st, 5, buf_str(&kinds));
	if (src == SQLITE_OK)
		src = db_bind_text(st, 6, buf_str(&typology));
	if (src == SQLITE_OK)
		src = db_bind_text(st, 7, d.country);
	if (src == SQLITE_OK)
		src = db_bind_text(st, 8, d.region);
	if (src == SQLITE_OK)
		src = db_bind_text(st, 9, d.city);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 10, d.ntips);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 11, now);
	rc = db_bind_check(s, src, __func__);
	if (!rc)
		rc = db_write(s, st, __func__);
	db_done(st);
out:
	buf_release(&kinds);
	buf_release(&typology);
	return rc;
}

/* The case holding tip_id, into case_id; VG_NOTFOUND when in none. */
static int tip_case(struct store *s, const char *tip_id, char case_id[CASE_ID_SIZE])
{
	sqlite3_stmt *st;
	int rc;

	rc = db_stmt(s, SQL_TIP_CASE, &st);
	if (rc)
		return rc;
	rc = db_bind_check(s, db_bind_text(st, 1, tip_id), __func__);
	if (!rc)
		rc = db_row(s, st, __func__, false);
	if (!rc)
		snprintf(case_id, CASE_ID_SIZE, "%s", col(st, 0));
	db_done(st);
	return rc;
}

static int tip_exists(struct store *s, const char *tip_id)
{
	sqlite3_stmt *st;
	int rc;

	rc = db_stmt(s, SQL_TIP_EXISTS, &st);
	if (rc)
		return rc;
	rc = db_bind_check(s, db_bind_text(st, 1, tip_id), __func__);
	if (!rc)
		rc = db_row(s, st, __func__, false);
	db_done(st);
	return rc;
}

/* Puts tip tip_id into case case_id at now; lock held, in a transaction. */
static int add_tip(struct store *s, const char *case_id, const char *tip_id, int64_t now)
{
	sqlite3_stmt *st;
	int rc, src;

	rc = db_stmt(s, SQL_CASE_TIP_INSERT, &st);
	if (rc)
		return rc;
	src = db_bind_text(st, 1, tip_id);
	if (src == SQLITE_OK)
		src = db_bind_text(st, 2, case_id);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 3, now);
	rc = db_bind_check(s, src, __func__);
	if (!rc)
		rc = db_write(s, st, __func__);
	db_done(st);
	return rc;
}

static int insert_case(struct store *s, const char *id, const char *tip_id, int64_t now)
{
	sqlite3_stmt *st;
	int rc, src;

	rc = db_stmt(s, SQL_CASE_INSERT, &st);
	if (rc)
		return rc;
	src = db_bind_text(st, 1, id);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 2, now);
	if (src == SQLITE_OK)
		src = db_bind_text(st, 3, tip_id);
	rc = db_bind_check(s, src, __func__);
	if (!rc)
		rc = db_write(s, st, __func__);
	db_done(st);
	return rc;
}

int store_case_open_for_tip(struct store *s, const char *case_id, const char *tip_id,
			    int64_t now)
{
	char existing[CASE_ID_SIZE];
	int rc;

	assert(case_id && tip_id);
	db_lock(s);
	/* Derived from the tip: cases_backlog() opens it again if a crash loses it. */
	rc = db_begin_deferred(s, __func__);
	if (rc)
		goto out;
	rc = tip_exists(s, tip_id);
	if (!rc) {
		rc = tip_case(s, tip_id, existing);
		rc = rc == VG_OK ? VG_EXISTS : rc == VG_NOTFOUND ? VG_OK : rc;
	}
	if (!rc)
		rc = insert_case(s, case_id, tip_id, now);
	if (!rc)
		rc = add_tip(s, case_id, tip_id, now);
	if (!rc)
		rc = event_add(s, case_id, 0, "opened", NULL, tip_id, now);
	if (!rc)
		rc = db_commit(s, __func__);
	if (rc)
		db_rollback(s);
	rc = db_end_deferred(s, rc);
out:
	db_unlock(s);
	return rc;
}

int store_case_backlog(struct store *s, char (*ids)[CASE_ID_SIZE], size_t limit,
		       size_t *count)
{
	sqlite3_stmt *st;
	size_t n = 0;
	int rc;

	assert(ids && count && limit > 0);
	db_lock(s);
	rc = db_stmt(s, SQL_BACKLOG, &st);
	if (rc)
		goto out;
	rc = db_bind_check(s, sqlite3_bind_int64(st, 1, (sqlite3_int64)limit), __func__);
	while (!rc && n < limit) {
		rc = db_row(s, st, __func__, false);
		if (!rc)
			snprintf(ids[n++], CASE_ID_SIZE, "%s", col(st, 0));
	}
	if (rc == VG_NOTFOUND)
		rc = VG_OK;
	db_done(st);
out:
	db_unlock(s);
	if (!rc)
		*count = n;
	return rc;
}

int store_case_refresh_tip(struct store *s, const char *tip_id, int64_t now)
{
	char case_id[CASE_ID_SIZE];
	int rc;

	assert(tip_id);
	db_lock(s);
	rc = db_begin(s, __func__);
	if (rc)
		goto out;
	rc = tip_case(s, tip_id, case_id);
	if (!rc)
		rc = refresh(s, case_id, now);
	if (!rc)
		rc = db_commit(s, __func__);
	if (rc)
		db_rollback(s);
out:
	db_unlock(s);
	return rc;
}

static int read_case(sqlite3_stmt *st, void *row)
{
	struct case_row c = { 0 };
	int rc;

	rc = db_col_text(st, 0, &c.id);
	c.created_at = sqlite3_column_int64(st, 1);
	c.updated_at = sqlite3_column_int64(st, 2);
	c.closed_at = sqlite3_column_int64(st, 3);
	if (!rc)
		rc = db_col_text(st, 4, &c.status);
	if (!rc)
		rc = db_col_text(st, 5, &c.merged_into);
	if (!rc)
		rc = db_col_text(st, 6, &c.urgency);
	c.danger_now = sqlite3_column_int(st, 7);
	if (!rc)
		rc = db_col_text(st, 8, &c.screen_status);
	if (!rc)
		rc = db_col_text(st, 9, &c.kinds);
	if (!rc)
		rc = db_col_text(st, 10, &c.typology);
	if (!rc)
		rc = db_col_text(st, 11, &c.country);
	if (!rc)
		rc = db_col_text(st, 12, &c.region);
	if (!rc)
		rc = db_col_text(st, 13, &c.city);
	c.ntips = sqlite3_column_int64(st, 14);
	c.assignee_user = sqlite3_column_int64(st, 15);
	c.assignee_team = sqlite3_column_int64(st, 16);
	c.restricted = sqlite3_column_int(st, 17);
	c.urgency_rank = sqlite3_column_int(st, 18);
	if (rc) {
		case_row_release(&c);
		return rc;
	}
	*(struct case_row *)row = c;
	return VG_OK;
}

/* Runs a one-parameter statement whose one row is a case. */
static int get_case(struct store *s, const char *sql, const char *key, struct case_row *out)
{
	sqlite3_stmt *st;
	int rc;

	db_lock(s);
	rc = db_stmt(s, sql, &st);
	if (rc)
		goto out;
	rc = db_bind_check(s, db_bind_text(st, 1, key), __func__);
	if (!rc)
		rc = db_row(s, st, __func__, false);
	if (!rc)
		rc = read_case(st, out);
	db_done(st);
out:
	db_unlock(s);
	return rc;
}

int store_case_get(struct store *s, const char *id, struct case_row *out)
{
	assert(id && out);
	return get_case(s, SQL_CASE_GET, id, out);
}

int store_case_by_tip(struct store *s, const char *tip_id, struct case_row *out)
{
	assert(tip_id && out);
	return get_case(s, SQL_CASE_BY_TIP, tip_id, out);
}

static int bind_optional_id(sqlite3_stmt *st, int idx, int64_t v)
{
	return v ? sqlite3_bind_int64(st, idx, v) : sqlite3_bind_null(st, idx);
}

int store_case_list(struct store *s, const struct case_filter *f, struct case_list *out)
{
	struct case_list l = { 0 };
	sqlite3_stmt *st;
	int limit, later, rc, src;

	assert(f && out);
	limit = f->limit < 1 ? 1 : f->limit > CASE_LIST_MAX ? CASE_LIST_MAX : f->limit;
	db_lock(s);
	later = f->after_id && f->after_id[0];
	rc = db_stmt(s, later ? SQL_CASE_LIST_AFTER : SQL_CASE_LIST_FIRST, &st);
	if (rc)
		goto out;
	src = db_bind_text(st, 1, f->status && f->status[0] ? f->status : "open");
	if (src == SQLITE_OK)
		src = db_bind_text(st, 2, f->kind);
	if (src == SQLITE_OK)
		src = db_bind_text(st, 3, f->typology);
	if (src == SQLITE_OK)
		src = db_bind_text(st, 4, f->country);
	if (src == SQLITE_OK)
		src = db_bind_text(st, 5, f->region);
	if (src == SQLITE_OK)
		src = bind_optional_id(st, 6, f->assignee_user);
	if (src == SQLITE_OK)
		src = bind_optional_id(st, 7, f->assignee_team);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int(st, 8, !!f->unassigned);
	if (src == SQLITE_OK)
		src = bind_optional_id(st, 9, f->viewer);
	if (src == SQLITE_OK)
		src = db_bind_text(st, 10, f->after_id);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int(st, 11, f->after_rank);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 12, f->after_created);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int(st, 13, limit);
	if (src == SQLITE_OK)
		src = bind_optional_id(st, 14, f->mine);
	rc = db_bind_check(s, src, __func__);
	if (!rc)
		rc = db_collect(s, st, __func__, sizeof(*l.rows), read_case,
				(void **)&l.rows, &l.count);
	db_done(st);
out:
	db_unlock(s);
	if (rc) {
		case_list_release(&l);
		return rc;
	}
	*out = l;
	return VG_OK;
}

static int status_known(const char *status)
{
	static const char *const known[] = {"active", "follow_up", "closed", "closed_referred"};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(known); i++)
		if (!strcmp(status, known[i]))
			return 1;
	return 0;
}

int store_case_set_status(struct store *s, const char *id, const char *status,
			  int64_t user_id, int64_t now)
{
	char old[16], detail[48];
	sqlite3_stmt *st;
	int rc, src;

	assert(id && status);
	if (!status_known(status))
		return VG_INVAL;
	db_lock(s);
	rc = db_begin(s, __func__);
	if (rc)
		goto out;
	rc = case_status(s, id, old);
	if (!rc && !strcmp(old, "merged"))
		rc = VG_INVAL;
	if (!rc)
		rc = db_stmt(s, SQL_SET_STATUS, &st);
	if (!rc) {
		src = db_bind_text(st, 1, id);
		if (src == SQLITE_OK)
			src = db_bind_text(st, 2, status);
		if (src == SQLITE_OK)
			src = sqlite3_bind_int64(st, 3, now);
		rc = db_bind_check(s, src, __func__);
		if (!rc)
			rc = db_write(s, st, __func__);
		db_done(st);
	}
	snprintf(detail, sizeof(detail), "%s->%s", old, status);
	if (!rc)
		rc = event_add(s, id, user_id, "status", NULL, detail, now);
	if (!rc)
		rc = db_commit(s, __func__);
	if (rc)
		db_rollback(s);
out:
	db_unlock(s);
	return rc;
}

int store_case_merge(struct store *s, const char *from, const char *into,
		     int64_t user_id, int64_t now)
{
	char sf[16], si[16];
	sqlite3_stmt *st;
	int rc, src;

	assert(from && into);
	if (!strcmp(from, into))
		return VG_INVAL;
	db_lock(s);
	rc = db_begin(s, __func__);
	if (rc)
		goto out;
	rc = case_status(s, from, sf);
	if (!rc)
		rc = case_status(s, into, si);
	if (!rc && (!strcmp(sf, "merged") || !strcmp(si, "merged")))
		rc = VG_INVAL;
	if (!rc)
		rc = write_ids(s, SQL_MERGE_TIPS, from, into, __func__);
	if (!rc)
		rc = write_ids(s, SQL_MERGE_PERSONS, from, into, __func__);
	if (!rc)
		rc = write_ids(s, SQL_MERGE_LOCATIONS, from, into, __func__);
	if (!rc)
		rc = write_ids(s, SQL_MERGE_NOTES, from, into, __func__);
	if (!rc)
		rc = write_ids(s, SQL_MERGE_TASKS, from, into, __func__);
	if (!rc)
		rc = write_ids(s, SQL_MERGE_AGENDA, from, into, __func__);
	if (!rc)
		rc = write_ids(s, SQL_MERGE_ENTITIES, from, into, __func__);
	if (!rc)
		rc = write_ids(s, SQL_SINCE, into, NULL, __func__);
	if (!rc)
		rc = write_ids(s, SQL_COPY_GRANTS, from, into, __func__);
	if (!rc)
		rc = write_ids(s, SQL_MERGE_RESTRICT, from, into, __func__);
	if (!rc)
		rc = db_stmt(s, SQL_MERGE_MARK, &st);
	if (!rc) {
		src = db_bind_text(st, 1, from);
		if (src == SQLITE_OK)
			src = db_bind_text(st, 2, into);
		if (src == SQLITE_OK)
			src = sqlite3_bind_int64(st, 3, now);
		rc = db_bind_check(s, src, __func__);
		if (!rc)
			rc = db_write(s, st, __func__);
		db_done(st);
	}
	if (!rc)
		rc = event_add(s, into, user_id, "merged_from", from, "", now);
	if (!rc)
		rc = event_add(s, from, user_id, "merged_into", into, "", now);
	if (!rc)
		rc = refresh(s, into, now);
	if (!rc)
		rc = refresh(s, from, now);
	if (!rc)
		rc = db_commit(s, __func__);
	if (rc)
		db_rollback(s);
out:
	db_unlock(s);
	return rc;
}

static int count_tips(struct store *s, const char *case_id, int64_t *n)
{
	sqlite3_stmt *st;
	int rc;

	rc = db_stmt(s, SQL_CASE_NTIPS, &st);
	if (rc)
		return rc;
	rc = db_bind_check(s, db_bind_text(st, 1, case_id), __func__);
	if (!rc)
		rc = db_int64(s, st, __func__, false, n);
	db_done(st);
	return rc;
}

/* Moves one tip of from to to; VG_INVAL when from does not hold it. */
static int move_tip(struct store *s, const char *from, const char *tip_id, const char *to)
{
	sqlite3_stmt *st;
	int rc, src;

	rc = db_stmt(s, SQL_SPLIT_MOVE, &st);
	if (rc)
		return rc;
	src = db_bind_text(st, 1, from);
	if (src == SQLITE_OK)
		src = db_bind_text(st, 2, tip_id);
	if (src == SQLITE_OK)
		src = db_bind_text(st, 3, to);
	rc = db_bind_check(s, src, __func__);
	if (!rc)
		rc = db_write(s, st, __func__);
	if (!rc && sqlite3_changes(s->db) != 1)
		rc = VG_INVAL;
	db_done(st);
	return rc;
}

int store_case_split(struct store *s, const char *from, const char *new_id,
		     const char *const *tip_ids, size_t n, int64_t user_id, int64_t now)
{
	char status[16], detail[32];
	sqlite3_stmt *st;
	int64_t left = 0;
	size_t i;
	int rc, src;

	assert(from && new_id && (tip_ids || !n));
	if (n == 0 || n > CASE_SPLIT_MAX)
		return VG_INVAL;
	db_lock(s);
	rc = db_begin(s, __func__);
	if (rc)
		goto out;
	rc = case_status(s, from, status);
	if (!rc && !strcmp(status, "merged"))
		rc = VG_INVAL;
	if (!rc)
		rc = db_stmt(s, SQL_SPLIT_NEW, &st);
	if (!rc) {
		src = db_bind_text(st, 1, from);
		if (src == SQLITE_OK)
			src = db_bind_text(st, 2, new_id);
		if (src == SQLITE_OK)
			src = sqlite3_bind_int64(st, 3, now);
		rc = db_bind_check(s, src, __func__);
		if (!rc)
			rc = db_write(s, st, __func__);
		db_done(st);
	}
	if (!rc)
		rc = write_ids(s, SQL_COPY_GRANTS, from, new_id, __func__);
	for (i = 0; !rc && i < n; i++)
		rc = move_tip(s, from, tip_ids[i], new_id);
	if (!rc)
		rc = count_tips(s, from, &left);
	if (!rc && left == 0)
		rc = VG_INVAL;
	if (!rc)
		rc = write_ids(s, SQL_SINCE, new_id, NULL, __func__);
	snprintf(detail, sizeof(detail), "%zu", n);
	if (!rc)
		rc = event_add(s, new_id, user_id, "split_from", from, detail, now);
	if (!rc)
		rc = event_add(s, from, user_id, "split_to", new_id, detail, now);
	if (!rc)
		rc = refresh(s, from, now);
	if (!rc)
		rc = refresh(s, new_id, now);
	if (!rc)
		rc = db_commit(s, __func__);
	if (rc)
		db_rollback(s);
out:
	db_unlock(s);
	return rc;
}

int store_case_event_add(struct store *s, const char *case_id, int64_t user_id,
			 const char *kind, const char *other_case, const char *detail,
			 int64_t now)
{
	char status[16];
	int rc;

	assert(case_id && kind);
	db_lock(s);
	rc = db_begin(s, __func__);
	if (rc)
		goto out;
	rc = case_status(s, case_id, status);
	if (!rc)
		rc = event_add(s, case_id, user_id, kind, other_case, detail, now);
	if (!rc)
		rc = db_commit(s, __func__);
	if (rc)
		db_rollback(s);
out:
	db_unlock(s);
	return rc;
}

static void case_tip_row_release(struct case_tip_row *t)
{
	free(t->tip_id);
	free(t->status);
	free(t->source);
	free(t->urgency);
	free(t->screen_status);
	free(t->kinds);
	free(t->typology);
	memset(t, 0, sizeof(*t));
}

static int read_case_tip(sqlite3_stmt *st, void *row)
{
	struct case_tip_row t = { 0 };
	int rc;

	rc = db_col_text(st, 0, &t.tip_id);
	t.added_at = sqlite3_column_int64(st, 1);
	t.created_at = sqlite3_column_int64(st, 2);
	if (!rc)
		rc = db_col_text(st, 3, &t.status);
	if (!rc)
		rc = db_col_text(st, 4, &t.source);
	if (!rc)
		rc = db_col_text(st, 5, &t.urgency);
	t.danger_now = sqlite3_column_int(st, 6);
	if (!rc)
		rc = db_col_text(st, 7, &t.screen_status);
	if (!rc)
		rc = db_col_text(st, 8, &t.kinds);
	if (!rc)
		rc = db_col_text(st, 9, &t.typology);
	if (rc) {
		case_tip_row_release(&t);
		return rc;
	}
	*(struct case_tip_row *)row = t;
	return VG_OK;
}

int store_case_tips(struct store *s, const char *case_id, struct case_tip_list *out)
{
	struct case_tip_list l = { 0 };
	int rc;

	assert(case_id && out);
	rc = db_collect_by(s, SQL_CASE_TIPS, case_id, __func__, sizeof(*l.rows), read_case_tip,
			   (void **)&l.rows, &l.count);
	if (rc) {
		case_tip_list_release(&l);
		return rc;
	}
	*out = l;
	return VG_OK;
}

static void case_event_row_release(struct case_event_row *e)
{
	free(e->case_id);
	free(e->user_name);
	free(e->kind);
	free(e->other_case);
	free(e->detail);
	memset(e, 0, sizeof(*e));
}

static int read_event(sqlite3_stmt *st, void *row)
{
	struct case_event_row e = { 0 };
	int rc;

	e.id = sqlite3_column_int64(st, 0);
	rc = db_col_text(st, 1, &e.case_id);
	e.at = sqlite3_column_int64(st, 2);
	e.user_id = sqlite3_column_int64(st, 3);
	if (!rc)
		rc = db_col_text(st, 4, &e.user_name);
	if (!rc)
		rc = db_col_text(st, 5, &e.kind);
	if (!rc)
		rc = db_col_text(st, 6, &e.other_case);
	if (!rc)
		rc = db_col_text(st, 7, &e.detail);
	if (rc) {
		case_event_row_release(&e);
		return rc;
	}
	*(struct case_event_row *)row = e;
	return VG_OK;
}

int store_case_events(struct store *s, const char *case_id, struct case_event_list *out)
{
	struct case_event_list l = { 0 };
	int rc;

	assert(case_id && out);
	rc = db_collect_by(s, SQL_CASE_EVENTS, case_id, __func__, sizeof(*l.rows), read_event,
			   (void **)&l.rows, &l.count);
	if (rc) {
		case_event_list_release(&l);
		return rc;
	}
	*out = l;
	return VG_OK;
}

static int bind_age(sqlite3_stmt *st, int idx, int age)
{
	return age < 0 ? sqlite3_bind_null(st, idx) : sqlite3_bind_int(st, idx, age);
}

static int bind_person(sqlite3_stmt *st, const struct person_row *p)
{
	int src = db_bind_text(st, 1, p->id);

	if (src == SQLITE_OK)
		src = db_bind_text(st, 2, p->case_id);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 3, p->created_at);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 4, p->updated_at);
	if (src == SQLITE_OK)
		src = db_bind_user(st, 5, p->created_by);
	if (src == SQLITE_OK)
		src = db_bind_text(st, 6, p->case_role);
	if (src == SQLITE_OK)
		src = bind_age(st, 7, p->age_min);
	if (src == SQLITE_OK)
		src = bind_age(st, 8, p->age_max);
	if (src == SQLITE_OK)
		src = db_bind_text(st, 9, p->gender);
	if (src == SQLITE_OK)
		src = db_bind_text(st, 10, p->nationality);
	if (src == SQLITE_OK)
		src = db_bind_text(st, 11, p->process_roles);
	if (src == SQLITE_OK)
		src = db_bind_text(st, 12, p->control_methods);
	if (src == SQLITE_OK)
		src = db_bind_text(st, 13, p->exploitation);
	if (src == SQLITE_OK)
		src = db_bind_text(st, 14, p->industry);
	if (src == SQLITE_OK)
		src = db_bind_text(st, 15, p->trafficking_status);
	if (src == SQLITE_OK)
		src = db_bind_sealed(st, 16, &p->name);
	if (src == SQLITE_OK)
		src = db_bind_sealed(st, 17, &p->notes);
	return src;
}

/*
 * Runs an insert or update of a case's child row in a transaction that
 * first checks the case is open to changes and then records the event.
 */
static int child_write(struct store *s, const char *sql, const char *case_id,
		       int (*bind)(sqlite3_stmt *st, const void *row), const void *row,
		       const char *event, const char *object, int64_t user_id, int64_t now)
{
	char status[16];
	sqlite3_stmt *st;
	int rc;

	db_lock(s);
	rc = db_begin(s, __func__);
	if (rc)
		goto out;
	rc = case_status(s, case_id, status);
	if (!rc && !strcmp(status, "merged"))
		rc = VG_MERGED;
	if (!rc)
		rc = db_stmt(s, sql, &st);
	if (!rc) {
		rc = db_bind_check(s, bind(st, row), __func__);
		if (!rc)
			rc = db_write(s, st, __func__);
		if (!rc && sqlite3_changes(s->db) != 1)
			rc = VG_NOTFOUND;
		db_done(st);
	}
	if (!rc)
		rc = event_add(s, case_id, user_id, event, NULL, object, now);
	if (!rc)
		rc = db_commit(s, __func__);
	if (rc)
		db_rollback(s);
out:
	db_unlock(s);
	return rc;
}

static int bind_person_any(sqlite3_stmt *st, const void *row)
{
	return bind_person(st, row);
}

int store_person_insert(struct store *s, const struct person_row *p)
{
	assert(p && p->id && p->case_id);
	return child_write(s, SQL_PERSON_INSERT, p->case_id, bind_person_any, p,
			   "person_added", p->id, p->created_by, p->created_at);
}

int store_person_update(struct store *s, const struct person_row *p, int64_t user_id)
{
	assert(p && p->id && p->case_id);
	return child_write(s, SQL_PERSON_UPDATE, p->case_id, bind_person_any, p,
			   "person_changed", p->id, user_id, p->updated_at);
}

static int read_person(sqlite3_stmt *st, void *row)
{
	struct person_row p = { 0 };
	int rc;

	rc = db_col_text(st, 0, &p.id);
	if (!rc)
		rc = db_col_text(st, 1, &p.case_id);
	p.created_at = sqlite3_column_int64(st, 2);
	p.updated_at = sqlite3_column_int64(st, 3);
	p.created_by = sqlite3_column_int64(st, 4);
	if (!rc)
		rc = db_col_text(st, 5, &p.case_role);
	p.age_min = sqlite3_column_type(st, 6) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 6);
	p.age_max = sqlite3_column_type(st, 7) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 7);
	if (!rc)
		rc = db_col_text(st, 8, &p.gender);
	if (!rc)
		rc = db_col_text(st, 9, &p.nationality);
	if (!rc)
		rc = db_col_text(st, 10, &p.process_roles);
	if (!rc)
		rc = db_col_text(st, 11, &p.control_methods);
	if (!rc)
		rc = db_col_text(st, 12, &p.exploitation);
	if (!rc)
		rc = db_col_text(st, 13, &p.industry);
	if (!rc)
		rc = db_col_text(st, 14, &p.trafficking_status);
	if (!rc)
		rc = db_col_sealed(st, 15, &p.name);
	if (!rc)
		rc = db_col_sealed(st, 16, &p.notes);
	if (rc) {
		person_row_release(&p);
		return rc;
	}
	*(struct person_row *)row = p;
	return VG_OK;
}

int store_person_get(struct store *s, const char *id, struct person_row *out)
{
	sqlite3_stmt *st;
	int rc;

	assert(id && out);
	db_lock(s);
	rc = db_stmt(s, SQL_PERSON_GET, &st);
	if (rc)
		goto out;
	rc = db_bind_check(s, db_bind_text(st, 1, id), __func__);
	if (!rc)
		rc = db_row(s, st, __func__, false);
	if (!rc)
		rc = read_person(st, out);
	db_done(st);
out:
	db_unlock(s);
	return rc;
}

int store_person_list(struct store *s, const char *case_id, struct person_list *out)
{
	struct person_list l = { 0 };
	int rc;

	assert(case_id && out);
	rc = db_collect_by(s, SQL_PERSON_LIST, case_id, __func__, sizeof(*l.rows), read_person,
			   (void **)&l.rows, &l.count);
	if (rc) {
		person_list_release(&l);
		return rc;
	}
	*out = l;
	return VG_OK;
}

static int bind_location(sqlite3_stmt *st, const void *row)
{
	const struct location_row *l = row;
	int src = db_bind_text(st, 1, l->id);

	if (src == SQLITE_OK)
		src = db_bind_text(st, 2, l->case_id);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 3, l->created_at);
	if (src == SQLITE_OK)
		src = db_bind_user(st, 4, l->created_by);
	if (src == SQLITE_OK)
		src = db_bind_text(st, 5, l->kind);
	if (src == SQLITE_OK)
		src = db_bind_text(st, 6, l->country);
	if (src == SQLITE_OK)
		src = db_bind_text(st, 7, l->region);
	if (src == SQLITE_OK)
		src = db_bind_text(st, 8, l->city);
	if (src == SQLITE_OK)
		src = db_bind_sealed(st, 9, &l->address);
	if (src == SQLITE_OK)
		src = db_bind_sealed(st, 10, &l->description);
	return src;
}

int store_location_insert(struct store *s, const struct location_row *l)
{
	assert(l && l->id && l->case_id);
	return child_write(s, SQL_LOCATION_INSERT, l->case_id, bind_location, l,
			   "location_added", l->id, l->created_by, l->created_at);
}

static int read_location(sqlite3_stmt *st, void *row)
{
	struct location_row l = { 0 };
	int rc;

	rc = db_col_text(st, 0, &l.id);
	if (!rc)
		rc = db_col_text(st, 1, &l.case_id);
	l.created_at = sqlite3_column_int64(st, 2);
	l.created_by = sqlite3_column_int64(st, 3);
	if (!rc)
		rc = db_col_text(st, 4, &l.kind);
	if (!rc)
		rc = db_col_text(st, 5, &l.country);
	if (!rc)
		rc = db_col_text(st, 6, &l.region);
	if (!rc)
		rc = db_col_text(st, 7, &l.city);
	if (!rc)
		rc = db_col_sealed(st, 8, &l.address);
	if (!rc)
		rc = db_col_sealed(st, 9, &l.description);
	if (rc) {
		location_row_release(&l);
		return rc;
	}
	*(struct location_row *)row = l;
	return VG_OK;
}

int store_location_list(struct store *s, const char *case_id, struct location_list *out)
{
	struct location_list l = { 0 };
	int rc;

	assert(case_id && out);
	rc = db_collect_by(s, SQL_LOCATION_LIST, case_id, __func__, sizeof(*l.rows), read_location,
			   (void **)&l.rows, &l.count);
	if (rc) {
		location_list_release(&l);
		return rc;
	}
	*out = l;
	return VG_OK;
}

void case_row_release(struct case_row *c)
{
	free(c->id);
	free(c->status);
	free(c->merged_into);
	free(c->urgency);
	free(c->screen_status);
	free(c->kinds);
	free(c->typology);
	free(c->country);
	free(c->region);
	free(c->city);
	memset(c, 0, sizeof(*c));
}

DB_LIST_RELEASE(case_list_release, case_list, case_row_release)

DB_LIST_RELEASE(case_tip_list_release, case_tip_list, case_tip_row_release)

DB_LIST_RELEASE(case_event_list_release, case_event_list, case_event_row_release)

void person_row_release(struct person_row *p)
{
	free(p->id);
	free(p->case_id);
	free(p->case_role);
	free(p->gender);
	free(p->nationality);
	free(p->process_roles);
	free(p->control_methods);
	free(p->exploitation);
	free(p->industry);
	free(p->trafficking_status);
	free(p->name.data);
	free(p->notes.data);
	memset(p, 0, sizeof(*p));
}

DB_LIST_RELEASE(person_list_release, person_list, person_row_release)

void location_row_release(struct location_row *l)
{
	free(l->id);
	free(l->case_id);
	free(l->kind);
	free(l->country);
	free(l->region);
	free(l->city);
	free(l->address.data);
	free(l->description.data);
	memset(l, 0, sizeof(*l));
}

DB_LIST_RELEASE(location_list_release, location_list, location_row_release)

/*
 * adnets.c - networks of online ads and leads (adnets.h).
 */
#include "base/compat.h"
#include "store/adnets.h"
#include "store/db.h"

#define ADNET_COLUMNS \
	"id, name, imported_at, updated_at, size, risk, under_18, summary, case_id"

static const char SQL_FIND[] =
	"SELECT a.network_id FROM ad_network_ads a JOIN ad_networks n ON n.id = a.network_id "
	"WHERE a.blind = ?1";
static const char SQL_IMPORTED_AT[] = "SELECT imported_at FROM ad_networks WHERE id = ?1";
static const char SQL_PUT[] =
	"INSERT INTO ad_networks (id, name, imported_at, updated_at, size, risk, under_18, "
	"summary) VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO UPDATE SET "
	"name = excluded.name, updated_at = excluded.updated_at, size = excluded.size, "
	"risk = excluded.risk, under_18 = excluded.under_18, summary = excluded.summary";
static const char SQL_AD_INSERT[] =
	"INSERT OR IGNORE INTO ad_network_ads (blind, network_id) VALUES (?1, ?2)";
static const char SQL_GET[] =
	"SELECT " ADNET_COLUMNS " FROM ad_networks WHERE id = ?1";
static const char SQL_LIST[] =
	"SELECT " ADNET_COLUMNS " FROM ad_networks "
	"ORDER BY under_18 DESC, risk DESC, size DESC, id LIMIT ?1";
static const char SQL_LEAD_OF[] =
	"SELECT coalesce(case_id, '') FROM ad_networks WHERE id = ?1";
static const char SQL_CASE_INSERT[] =
	"INSERT INTO cases (id, created_at, updated_at) VALUES (?1, ?2, ?2)";
static const char SQL_EVENT_INSERT[] =
	"INSERT INTO case_events (case_id, at, user_id, kind, other_case, detail) "
	"VALUES (?1, ?2, ?3, 'opened', NULL, ?4)";
static const char SQL_ENTITY_INSERT[] =
	"INSERT OR IGNORE INTO entities (id, kind, blind, value, tip_id, case_id, source, "
	"user_id, created_at) VALUES (?1, ?2, ?3, ?4, NULL, ?5, 'screening', NULL, ?6)";
static const char SQL_SET_LEAD[] =
	"UPDATE ad_networks SET case_id = ?2, lead_at = ?3, lead_by = ?4 WHERE id = ?1";

static int bind_text(sqlite3_stmt *st, int i, const char *v)
{
	return sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

/* The network of one ad, or VG_NOTFOUND; with its import time. */
static int find_one(struct store *s, const unsigned char blind[32], char id[ADNET_ID_SIZE],
		    int64_t *imported_at)
{
	sqlite3_stmt *st;
	int rc;

	rc = db_stmt(s, SQL_FIND, &st);
	if (rc)
		return rc;
	rc = db_bind_check(s, db_bind_hash(st, 1, blind), __func__);
	if (!rc)
		rc = db_row(s, st, __func__, false);
	if (!rc)
		snprintf(id, ADNET_ID_SIZE, "%s", (const char *)sqlite3_column_text(st, 0));
	db_done(st);
	if (rc)
		return rc;
	rc = db_stmt(s, SQL_IMPORTED_AT, &st);
	if (rc)
		return rc;
	rc = db_bind_check(s, bind_text(st, 1, id), __func__);
	if (!rc)
		rc = db_int64(s, st, __func__, false, imported_at);
	db_done(st);
	return rc;
}

int store_adnet_find(struct store *s, const unsigned char (*blinds)[32], size_t n,
		     char id[ADNET_ID_SIZE])
{
	char best[ADNET_ID_SIZE] = "", cur[ADNET_ID_SIZE];
	int64_t best_at = 0, at;
	size_t i;
	int rc = VG_OK;

	assert(blinds || n == 0);
	db_lock(s);
	for (i = 0; i < n && !rc; i++) {
		rc = find_one(s, blinds[i], cur, &at);
		if (rc == VG_NOTFOUND) {
			rc = VG_OK;
			continue;
		}
		if (!rc && (!best[0] || at < best_at ||
			    (at == best_at && strcmp(cur, best) < 0))) {
			memcpy(best, cur, sizeof(best));
			best_at = at;
		}
	}
	db_unlock(s);
	if (rc)
		return rc;
	if (!best[0])
		return VG_NOTFOUND;
	memcpy(id, best, ADNET_ID_SIZE);
	return VG_OK;
}

static int put_row(struct store *s, const struct adnet_row *r, int64_t now)
{
	sqlite3_stmt *st;
	int rc, src;

	rc = db_stmt(s, SQL_PUT, &st);
	if (rc)
		return rc;
	src = bind_text(st, 1, r->id);
	if (src == SQLITE_OK)
		src = bind_text(st, 2, r->name);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 3, now);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 4, r->size);
	if (src == SQLITE_OK)
		src = sqlite3_bind_double(st, 5, r->risk);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int(st, 6, r->under_18 ? 1 : 0);
	if (src == SQLITE_OK)
		src = db_bind_sealed(st, 7, &r->summary);
	rc = db_bind_check(s, src, __func__);
	if (!rc)
		rc = db_write(s, st, __func__);
	db_done(st);
	return rc;
}

static int put_ad(struct store *s, const unsigned char blind[32], const char *id)
{
	sqlite3_stmt *st;
	int rc, src;

	rc = db_stmt(s, SQL_AD_INSERT, &st);
	if (rc)
		return rc;
	src = db_bind_hash(st, 1, blind);
	if (src == SQLITE_OK)
		src = bind_text(st, 2, id);
	rc = db_bind_check(s, src, __func__);
	if (!rc)
		rc = db_write(s, st, __func__);
	db_done(st);
	return rc;
}

int store_adnet_put(struct store *s, const struct adnet_row *r,
		    const unsigned char (*blinds)[32], size_t n, int64_t now)
{
	size_t i;
	int rc;

	assert(r && r->id && r->name && (blinds || n == 0));
	db_lock(s);
	rc = db_begin(s, __func__);
	if (rc)
		goto out;
	rc = put_row(s, r, now);
	for (i = 0; i < n && !rc; i++)
		rc = put_ad(s, blinds[i], r->id);
	if (!rc)
		rc = db_commit(s, __func__);
	if (rc)
		db_rollback(s);
out:
	db_unlock(s);
	return rc;
}

static int read_row(sqlite3_stmt *st, void *row)
{
	struct adnet_row *r = row;
	int rc;

	rc = db_col_text(st, 0, &r->id);
	if (!rc)
		rc = db_col_text(st, 1, &r->name);
	r->imported_at = sqlite3_column_int64(st, 2);
	r->updated_at = sqlite3_column_int64(st, 3);
	r->size = sqlite3_column_int64(st, 4);
	r->risk = sqlite3_column_double(st, 5);
	r->under_18 = sqlite3_column_int(st, 6);
	if (!rc)
		rc = db_col_sealed(st, 7, &r->summary);
	if (!rc)
		rc = db_col_text(st, 8, &r->case_id);
	return rc;
}

int store_adnet_get(struct store *s, const char *id, struct adnet_row *out)
{
	struct adnet_row r = {0};
	sqlite3_stmt *st;
	int rc;

	assert(id && out);
	db_lock(s);
	rc = db_stmt(s, SQL_GET, &st);
	if (rc)
		goto out;
	rc = db_bind_check(s, bind_text(st, 1, id), __func__);
	if (!rc)
		rc = db_row(s, st, __func__, false);
	if (!rc)
		rc = read_row(st, &r);
	db_done(st);
out:
	db_unlock(s);
	if (rc) {
		adnet_row_release(&r);
		return rc;
	}
	*out = r;
	return VG_OK;
}

int store_adnet_list(struct store *s, int limit, struct adnet_list *out)
{
	struct adnet_list l = {0};
	sqlite3_stmt *st;
	int rc;

	assert(out && limit >= 1 && limit <= ADNET_LIST_MAX);
	db_lock(s);
	rc = db_stmt(s, SQL_LIST, &st);
	if (rc)
		goto out;
	rc = db_bind_check(s, sqlite3_bind_int(st, 1, limit), __func__);
	if (!rc)
		rc = db_collect(s, st, __func__, sizeof(*l.rows), read_row, (void **)&l.rows,
				&l.count);
	db_done(st);
out:
	db_unlock(s);
	if (rc) {
		adnet_list_release(&l);
		return rc;
	}
	*out = l;
	return VG_OK;
}

/* The lead of a network into lead ("" when none), or VG_NOTFOUND. */
static int lead_of(struct store *s, const char *net_id, char lead[CASE_ID_SIZE])
{
	sqlite3_stmt *st;
	int rc;

	rc = db_stmt(s, SQL_LEAD_OF, &st);
	if (rc)
		return rc;
	rc = db_bind_check(s, bind_text(st, 1, net_id), __func__);
	if (!rc)
		rc = db_row(s, st, __func__, true);
	if (!rc)
		snprintf(lead, CASE_ID_SIZE, "%s", (const char *)sqlite3_column_text(st, 0));
	db_done(st);
	return rc;
}

/* Inserts the lead's case row and its "opened" event naming the network. */
static int open_case(struct store *s, const char *net_id, const char *case_id,
		     int64_t user_id, int64_t now)
{
	char detail[64];
	sqlite3_stmt *st;
	int rc, src;

	rc = db_stmt(s, SQL_CASE_INSERT, &st);
	if (rc)
		return rc;
	src = bind_text(st, 1, case_id);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 2, now);
	rc = db_bind_check(s, src, __func__);
	if (!rc)
		rc = db_write(s, st, __func__);
	db_done(st);
	if (rc)
		return rc;
	snprintf(detail, sizeof(detail), "ads network %s", net_id);
	rc = db_stmt(s, SQL_EVENT_INSERT, &st);
	if (rc)
		return rc;
	src = bind_text(st, 1, case_id);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 2, now);
	if (src == SQLITE_OK)
		src = db_bind_user(st, 3, user_id);
	if (src == SQLITE_OK)
		src = bind_text(st, 4, detail);
	rc = db_bind_check(s, src, __func__);
	if (!rc)
		rc = db_write(s, st, __func__);
	db_done(st);
	return rc;
}

static int add_entity(struct store *s, const struct entity_row *e, const char *case_id,
		      int64_t now)
{
	sqlite3_stmt *st;
	int rc, src;

	rc = db_stmt(s, SQL_ENTITY_INSERT, &st);
	if (rc)
		return rc;
	src = bind_text(st, 1, e->id);
	if (src == SQLITE_OK)
		src = bind_text(st, 2, e->kind);
	if (src == SQLITE_OK)
		src = db_bind_hash(st, 3, e->blind);
	if (src == SQLITE_OK)
		src = db_bind_sealed(st, 4, &e->value);
	if (src == SQLITE_OK)
		src = bind_text(st, 5, case_id);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 6, now);
	rc = db_bind_check(s, src, __func__);
	if (!rc)
		rc = db_write(s, st, __func__);
	db_done(st);
	return rc;
}

static int set_lead(struct store *s, const char *net_id, const char *case_id,
		    int64_t user_id, int64_t now)
{
	sqlite3_stmt *st;
	int rc, src;

	rc = db_stmt(s, SQL_SET_LEAD, &st);
	if (rc)
		return rc;
	src = bind_text(st, 1, net_id);
	if (src == SQLITE_OK)
		src = bind_text(st, 2, case_id);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 3, now);
	if (src == SQLITE_OK)
		src = db_bind_user(st, 4, user_id);
	rc = db_bind_check(s, src, __func__);
	if (!rc)
		rc = db_write(s, st, __func__);
	db_done(st);
	return rc;
}

int store_adnet_lead(struct store *s, const char *net_id, const char *case_id,
		     const struct entity_row *ents, size_t n, int64_t user_id, int64_t now,
		     char case_out[CASE_ID_SIZE], int *created)
{
	char lead[CASE_ID_SIZE];
	size_t i;
	int rc;

	assert(net_id && case_id && (ents || n == 0) && case_out && created);
	db_lock(s);
	rc = db_begin(s, __func__);
	if (rc)
		goto out;
	rc = lead_of(s, net_id, lead);
	if (!rc && lead[0]) {
		rc = db_commit(s, __func__);
		if (!rc) {
			memcpy(case_out, lead, CASE_ID_SIZE);
			*created = 0;
		}
		goto done;
	}
	if (!rc)
		rc = open_case(s, net_id, case_id, user_id, now);
	for (i = 0; i < n && !rc; i++)
		rc = add_entity(s, &ents[i], case_id, now);
	if (!rc)
		rc = set_lead(s, net_id, case_id, user_id, now);
	if (!rc)
		rc = db_commit(s, __func__);
	if (!rc) {
		snprintf(case_out, CASE_ID_SIZE, "%s", case_id);
		*created = 1;
	}
done:
	if (rc)
		db_rollback(s);
out:
	db_unlock(s);
	return rc;
}

void adnet_row_release(struct adnet_row *r)
{
	free(r->id);
	free(r->name);
	free(r->summary.data);
	free(r->case_id);
	memset(r, 0, sizeof(*r));
}

void adnet_list_release(struct adnet_list *l)
{
	size_t i;

	for (i = 0; i < l->count; i++)
		adnet_row_release(&l->rows[i]);
	free(l->rows);
	l->rows = NULL;
	l->count = 0;
}

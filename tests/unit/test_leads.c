/*
 * Networks of online ads in the database and leads (app/leads.h): a
 * network imported twice is stored once, grown or not; its lead is opened
 * once, with its phones and emails as entities, and is related to a tip
 * that gives one of its numbers written another way; the summary is
 * sealed; the console's list is in rank order and only for the roles
 * allowed; malformed networks are refused. Runs against a real data
 * directory; every number is fictional (555-01xx).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/compat.h"
#include "app/app.h"
#include "app/auth.h"
#include "app/leads.h"
#include "app/links.h"
#include "app/tip.h"
#include "crypto/keys.h"
#include "store/access.h"
#include "store/cases.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

struct fixture {
	char dir[64];
	struct app app;
};

static const struct auth_user admin = { .id = 1, .name = "ada", .role = "admin" };
static const struct auth_user analyst = { .id = 2, .name = "ben", .role = "analyst" };
static const struct auth_user volunteer = { .id = 3, .name = "cy", .role = "volunteer" };
static const struct auth_user member = { .id = 4, .name = "di", .role = "team_member" };
static const struct auth_user advocate = { .id = 5, .name = "ed", .role = "advocate" };

static const char NET_A[] =
	"{\"network\": \"n0\", \"clusters\": [\"c0\", \"c4\"], \"size\": 3, "
	"\"ads\": [\"a1\", \"a2\", \"a3\"], \"phones\": [\"+15105550142\", \"+15105550177\"], "
	"\"emails\": [\"Lola@Example.com\"], \"cities\": [\"Oakland, CA\", \"Fresno, CA\"], "
	"\"regions\": [\"CA\"], \"first_seen\": \"2026-05-01T10:00:00Z\", "
	"\"last_seen\": \"2026-05-03T10:00:00Z\", \"posting_rate\": 1.5, "
	"\"indicators\": {\"ad.reassurance\": 3}, \"ages_under_18\": 0, \"youngest\": 21, "
	"\"risk\": 0.27, \"why\": [\"trust or reassurance language in 3 of 3 ads: +0.118\"]}";
/* The same network a day later: one more ad. */
static const char NET_A_GROWN[] =
	"{\"network\": \"n0\", \"clusters\": [\"c0\"], \"size\": 4, "
	"\"ads\": [\"a1\", \"a2\", \"a3\", \"a9\"], \"phones\": [\"+15105550142\"], "
	"\"risk\": 0.31, \"why\": []}";
static const char NET_YOUNG[] =
	"{\"network\": \"n7\", \"clusters\": [\"c7\"], \"size\": 2, \"ads\": [\"y1\", \"y2\"], "
	"\"phones\": [\"+15105550155\"], \"ages_under_18\": 2, \"youngest\": 16, "
	"\"risk\": 0.1, \"why\": [\"stated age under 18 in 2 of 2 ads (youngest 16): ranked first\"]}";

static int setup(void **state)
{
	static const struct auth_user *const users[] = {
		&admin, &analyst, &volunteer, &member, &advocate,
	};
	struct fixture *fx = calloc(1, sizeof(*fx));
	char path[128];
	size_t i;

	assert_non_null(fx);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/vigil-leads-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(path, sizeof(path), "%s/keys", fx->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/keys/master.key", fx->dir);
	assert_int_equal(keys_create(path), VG_OK);
	assert_int_equal(app_open(fx->dir, &fx->app), VG_OK);
	assert_int_equal(app_load_screening(&fx->app), VG_OK);
	for (i = 0; i < ARRAY_SIZE(users); i++) {
		struct user_row u = { .name = (char *)users[i]->name, .role = (char *)users[i]->role,
				      .password_hash = (char *)"x", .created_at = 1 };
		int64_t id;

		assert_int_equal(store_user_insert(fx->app.store, &u, &id), VG_OK);
		assert_int_equal(id, users[i]->id);
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[128];

	app_release(&fx->app);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	assert_int_equal(system(cmd), 0);
	free(fx);
	return 0;
}

/* Stores the network written as JSON text, expecting rc. */
static int store_text(struct fixture *fx, const char *text, char id[ADNET_ID_SIZE],
		      int *created)
{
	json_t *net = json_loads(text, 0, NULL);
	const char *msg;
	int rc;

	assert_non_null(net);
	rc = leads_store(&fx->app, net, id, created, &msg);
	json_decref(net);
	return rc;
}

/* One integer from the database, by SQL. */
static int64_t sql_int(struct fixture *fx, const char *sql)
{
	char path[128];
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t v;

	snprintf(path, sizeof(path), "%s/vigil.db", fx->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void test_import_is_idempotent(void **state)
{
	struct fixture *fx = *state;
	char id[ADNET_ID_SIZE], again[ADNET_ID_SIZE], grown[ADNET_ID_SIZE];
	int created = -1;

	assert_int_equal(store_text(fx, NET_A, id, &created), VG_OK);
	assert_int_equal(created, 1);
	assert_int_equal(store_text(fx, NET_A, again, &created), VG_OK);
	assert_int_equal(created, 0);
	assert_string_equal(again, id);
	/* Grown by a day's ads, it is still the network stored before. */
	assert_int_equal(store_text(fx, NET_A_GROWN, grown, &created), VG_OK);
	assert_int_equal(created, 0);
	assert_string_equal(grown, id);
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM ad_networks"), 1);
	assert_int_equal(sql_int(fx, "SELECT size FROM ad_networks"), 4);
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM ad_network_ads"), 4);
	/*
	 * Neither the ads' ids nor the contacts are in the clear. The summary
	 * is sealed, random bytes to look at: it is searched for what the
	 * clear text would hold whole ("a1" in quotes, a phone's ten digits),
	 * which a few hundred random bytes hold about once in ten million
	 * times, not for "a1" or "555", which they held once in a hundred.
	 */
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM ad_networks WHERE "
				 "instr(summary, '5105550142') > 0 OR instr(summary, '\"a1\"') > 0 "
				 "OR instr(summary, 'Oakland') > 0"), 0);
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM audit WHERE action = 'ads.import'"), 3);
}

static void test_lead_once_with_entities(void **state)
{
	struct fixture *fx = *state;
	char id[ADNET_ID_SIZE], c1[CASE_ID_SIZE], c2[CASE_ID_SIZE];
	int created = -1, opened = -1;
	struct case_row row;
	json_t *ents;

	assert_int_equal(store_text(fx, NET_A, id, &created), VG_OK);
	assert_int_equal(leads_make(&fx->app, NULL, id, c1, &opened), VG_OK);
	assert_int_equal(opened, 1);
	assert_int_equal(leads_make(&fx->app, &analyst, id, c2, &opened), VG_OK);
	assert_int_equal(opened, 0);
	assert_string_equal(c2, c1);
	/* Importing the network again keeps its lead. */
	assert_int_equal(store_text(fx, NET_A_GROWN, id, &created), VG_OK);
	assert_int_equal(leads_make(&fx->app, NULL, id, c2, &opened), VG_OK);
	assert_int_equal(opened, 0);
	assert_string_equal(c2, c1);
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM cases"), 1);

	/* A case in the queue with no tip. */
	assert_int_equal(store_case_get(fx->app.store, c1, &row), VG_OK);
	assert_string_equal(row.status, "active");
	assert_int_equal(row.ntips, 0);
	case_row_release(&row);

	/* Its entities: both phones and the email, normalised. */
	assert_int_equal(links_entities(&fx->app, "", c1, &ents), VG_OK);
	assert_int_equal(json_array_size(ents), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(ents, 0), "value")),
			    "+15105550142");
	assert_string_equal(json_string_value(json_object_get(json_array_get(ents, 2), "value")),
			    "lola@example.com");
	json_decref(ents);
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM audit WHERE action = 'ads.lead'"), 3);
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM audit WHERE action = 'ads.lead' "
				 "AND user_id = 2"), 1);

	assert_int_equal(leads_make(&fx->app, NULL, "0000000000000000", c2, &opened),
			 VG_NOTFOUND);
}

static void test_tip_with_same_phone_is_related(void **state)
{
	struct fixture *fx = *state;
	struct tip_input in = {0};
	struct tip_errors errs;
	struct tip_receipt r;
	char id[ADNET_ID_SIZE], lead[CASE_ID_SIZE];
	int created, opened;
	json_t *rel, *o;

	assert_int_equal(store_text(fx, NET_A, id, &created), VG_OK);
	assert_int_equal(leads_make(&fx->app, &admin, id, lead, &opened), VG_OK);

	in.narrative = "The girls at the motel are moved every week; the man answers (510) 555-0177.";
	in.country = "US";
	in.region = "CA";
	in.source = "web";
	in.language = "en";
	assert_int_equal(tip_submit(&fx->app, &in, &errs, &r), VG_OK);

	assert_int_equal(links_related(&fx->app, &admin, r.id, "", &rel), VG_OK);
	assert_int_equal(json_array_size(rel), 1);
	o = json_array_get(rel, 0);
	assert_string_equal(json_string_value(json_object_get(o, "kind")), "case");
	assert_string_equal(json_string_value(json_object_get(o, "id")), lead);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
		json_object_get(o, "why"), 0), "display")), "+1 510 555 0177");
	json_decref(rel);

	/* And the lead's page shows the tip. */
	assert_int_equal(links_related(&fx->app, &admin, "", lead, &rel), VG_OK);
	assert_int_equal(json_array_size(rel), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(rel, 0), "kind")),
			    "tip");
	json_decref(rel);
}

static void test_list_ranked_and_allowed(void **state)
{
	struct fixture *fx = *state;
	char a[ADNET_ID_SIZE], y[ADNET_ID_SIZE], c[CASE_ID_SIZE];
	int created, opened;
	json_t *list;

	assert_int_equal(store_text(fx, NET_A, a, &created), VG_OK);
	assert_int_equal(store_text(fx, NET_YOUNG, y, &created), VG_OK);
	assert_int_equal(leads_make(&fx->app, NULL, a, c, &opened), VG_OK);

	assert_int_equal(leads_list(&fx->app, &analyst, 10, &list), VG_OK);
	assert_int_equal(json_array_size(list), 2);
	/* A stated age under 18 ranks first, whatever the risk. */
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "id")), y);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0),
							      "case_id")), "");
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 1),
							      "case_id")), c);
	assert_string_equal(json_string_value(json_array_get(json_object_get(
		json_array_get(list, 1), "cities"), 0)), "Oakland, CA");
	json_decref(list);
	assert_int_equal(leads_list(&fx->app, &admin, 1, &list), VG_OK);
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);

	assert_int_equal(leads_list(&fx->app, &volunteer, 10, &list), VG_FORBIDDEN);
	assert_int_equal(leads_list(&fx->app, &member, 10, &list), VG_FORBIDDEN);
	assert_int_equal(leads_list(&fx->app, &advocate, 10, &list), VG_FORBIDDEN);
	assert_int_equal(leads_make(&fx->app, &volunteer, y, c, &opened), VG_FORBIDDEN);
	assert_int_equal(leads_make(&fx->app, &member, y, c, &opened), VG_FORBIDDEN);
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM cases"), 1);
}

static void test_malformed_networks(void **state)
{
	static const char *const bad[] = {
		"{\"cluster\": \"c0\", \"network\": \"n0\", \"ads\": [\"a1\"], \"risk\": 0.1}",
		"{\"network\": \"n0\", \"ads\": [], \"risk\": 0.1}",
		"{\"network\": \"n0\", \"ads\": [\"a1\", 7], \"risk\": 0.1}",
		"{\"network\": \"n0\", \"ads\": [\"a1\"]}",
		"{\"network\": \"n0\", \"ads\": [\"a1\"], \"risk\": 0.1, \"phones\": \"x\"}",
		"{\"network\": \"n0\", \"ads\": [\"a1\"], \"risk\": 0.1, \"size\": -1}",
		"{\"network\": \"n0\", \"ads\": [\"a1\"], \"risk\": 0.1, \"first_seen\": 5}",
		"{\"ads\": [\"a1\"], \"risk\": 0.1}",
		"[1, 2]",
	};
	struct fixture *fx = *state;
	char id[ADNET_ID_SIZE];
	int created;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(store_text(fx, bad[i], id, &created), VG_INVAL);
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM ad_networks"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_import_is_idempotent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lead_once_with_entities, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tip_with_same_phone_is_related, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_ranked_and_allowed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_networks, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

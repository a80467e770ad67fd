/*
 * Linking and search: normalisation variants that must link and values
 * that must not, the blind index, related tips through real screening,
 * full-text search with paging, entity search, access filtering and what
 * the audit log keeps of a search. Runs against a real data directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/compat.h"
#include "app/app.h"
#include "app/auth.h"
#include "app/cases.h"
#include "app/links.h"
#include "app/search.h"
#include "app/tip.h"
#include "crypto/keys.h"
#include "store/access.h"
#include "store/cases.h"
#include "store/entities.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

struct fixture {
	char dir[64];
	struct app app;
};

static const struct auth_user admin = { .id = 1, .name = "ada", .role = "admin" };
static const struct auth_user advocate = { .id = 2, .name = "ben", .role = "advocate" };
static const struct auth_user volunteer = { .id = 3, .name = "cy", .role = "volunteer" };

static int setup(void **state)
{
	static const struct auth_user *const users[] = { &admin, &advocate, &volunteer };
	struct fixture *fx = calloc(1, sizeof(*fx));
	char path[128];
	size_t i;

	assert_non_null(fx);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/vigil-links-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(path, sizeof(path), "%s/keys", fx->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/keys/master.key", fx->dir);
	assert_int_equal(keys_create(path), VG_OK);
	assert_int_equal(app_open(fx->dir, &fx->app), VG_OK);
	assert_int_equal(app_load_screening(&fx->app), VG_OK);
	/* The accounts the users below stand for, ids 1, 2, 3 in a new store. */
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

static void norm_equal(enum links_kind kind, const char *value, const char *want)
{
	char out[LINKS_VALUE_MAX];

	assert_int_equal(links_normalise(kind, value, "US", out), VG_OK);
	assert_string_equal(out, want);
}

static void test_phone_variants_normalise_alike(void **state)
{
	(void)state;
	norm_equal(LINKS_PHONE, "(510) 555-0142", "+15105550142");
	norm_equal(LINKS_PHONE, "+1 510 555 0142", "+15105550142");
	norm_equal(LINKS_PHONE, "510.555.0142", "+15105550142");
	norm_equal(LINKS_PHONE, "1-510-555-0142", "+15105550142");
	norm_equal(LINKS_PHONE, "five one zero five five five zero one four two", "+15105550142");
	norm_equal(LINKS_PHONE, "(510) 555-0143", "+15105550143");
}

static void test_other_kinds_normalise(void **state)
{
	char out[LINKS_VALUE_MAX];

	(void)state;
	norm_equal(LINKS_EMAIL, "Ana.Diaz@Example.COM", "ana.diaz@example.com");
	norm_equal(LINKS_EMAIL, "ana.diaz at example dot com", "ana.diaz@example.com");
	norm_equal(LINKS_URL, "https://www.Example.com/Ads/7/", "example.com/Ads/7");
	norm_equal(LINKS_URL, "example.com/Ads/7", "example.com/Ads/7");
	norm_equal(LINKS_HANDLE, "@Sunny_Nails", "@sunny_nails");
	norm_equal(LINKS_HANDLE, "Sunny_Nails", "@sunny_nails");
	norm_equal(LINKS_NAME, "  José   DÍAZ ", "jose diaz");
	norm_equal(LINKS_NAME, "jose diaz", "jose diaz");
	norm_equal(LINKS_ADDRESS, "12 Main St., Oakland", "12 main st oakland");
	norm_equal(LINKS_PLATE, "7abc 123", "7abc123");
	norm_equal(LINKS_PLATE, "7ABC-123", "7abc123");
	assert_int_equal(links_normalise(LINKS_PHONE, "no number here", "US", out), VG_INVAL);
	assert_int_equal(links_normalise(LINKS_NAME, " .,; ", "US", out), VG_INVAL);
	assert_int_equal(links_normalise(LINKS_EMAIL, "not an address", "US", out), VG_INVAL);
}

static void test_blind_index(void **state)
{
	struct fixture *fx = *state;
	unsigned char a[32], b[32], c[32], d[32];
	const char *v = "+15105550142";

	links_blind(&fx->app.keys, LINKS_PHONE, v, a);
	links_blind(&fx->app.keys, LINKS_PHONE, v, b);
	links_blind(&fx->app.keys, LINKS_PHONE, "+15105550143", c);
	links_blind(&fx->app.keys, LINKS_NAME, v, d);
	assert_memory_equal(a, b, 32);
	assert_memory_not_equal(a, c, 32);
	/* The kind is part of what is hashed. */
	assert_memory_not_equal(a, d, 32);
	/* The index is neither the value nor contains it. */
	assert_memory_not_equal(a, v, strlen(v));
	assert_null(memmem(a, 32, "5550142", 7));
}

static void test_detect(void **state)
{
	char out[LINKS_VALUE_MAX];
	enum links_kind k;

	(void)state;
	assert_int_equal(links_detect("(510) 555-0142", &k, out), VG_OK);
	assert_int_equal(k, LINKS_PHONE);
	assert_string_equal(out, "+15105550142");
	assert_int_equal(links_detect("Ana@Example.com", &k, out), VG_OK);
	assert_int_equal(k, LINKS_EMAIL);
	assert_int_equal(links_detect("plate:7ABC 123", &k, out), VG_OK);
	assert_int_equal(k, LINKS_PLATE);
	assert_string_equal(out, "7abc123");
	assert_int_equal(links_detect("crisis", &k, out), VG_NOTFOUND);
	assert_int_equal(links_detect("sex-trafficking US-CA", &k, out), VG_NOTFOUND);
	assert_int_equal(links_detect("0a1b2c3d4e5f6071", &k, out), VG_NOTFOUND);
}

static void test_fts_query(void **state)
{
	char out[256];

	(void)state;
	assert_int_equal(search_fts_query("US-CA  labor\") OR x", out, sizeof(out)), VG_OK);
	assert_string_equal(out, "\"US-CA\" \"labor\" \"OR\" \"x\"");
	/* A prefix only when asked for, and not for one or two letters. */
	assert_int_equal(search_fts_query("escort* ca* x", out, sizeof(out)), VG_OK);
	assert_string_equal(out, "\"escort\"* \"ca\" \"x\"");
	assert_int_equal(search_fts_query(" ;:() ", out, sizeof(out)), VG_INVAL);
}

static void submit(struct fixture *fx, const char *narrative, const char *region,
		   char id[TOKEN_ID_SIZE])
{
	struct tip_input in = {0};
	struct tip_errors errs;
	struct tip_receipt r;

	in.narrative = narrative;
	in.country = "US";
	in.region = region;
	in.source = "web";
	in.language = "en";
	assert_int_equal(tip_submit(&fx->app, &in, &errs, &r), VG_OK);
	memcpy(id, r.id, TOKEN_ID_SIZE);
}

/* The ids of a JSON array of {"kind","id"}, as "kind:id" joined by spaces. */
static void ids_of(json_t *arr, char *out, size_t size)
{
	json_t *o;
	size_t i, n = 0;

	out[0] = '\0';
	json_array_foreach(arr, i, o) {
		n += (size_t)snprintf(out + n, size - n, "%s:%s ",
				      json_string_value(json_object_get(o, "kind")),
				      json_string_value(json_object_get(o, "id")));
		assert_true(n < size);
	}
}

static void test_related_tips_and_why(void **state)
{
	struct fixture *fx = *state;
	char t1[TOKEN_ID_SIZE], t2[TOKEN_ID_SIZE], t3[TOKEN_ID_SIZE], want[64], got[512];
	json_t *rel, *why;

	submit(fx, "A man keeps the passports of the girls at the nail salon. Call (510) 555-0142.",
	       "CA", t1);
	submit(fx, "They post ads with +1 510 555 0142 and take all the money.", "CA", t2);
	submit(fx, "Workers cannot leave the farm; the boss answers 510-555-0199.", "CA", t3);

	assert_int_equal(links_related(&fx->app, &admin, t1, "", &rel), VG_OK);
	ids_of(rel, got, sizeof(got));
	snprintf(want, sizeof(want), "tip:%s ", t2);
	assert_string_equal(got, want);
	why = json_array_get(json_object_get(json_array_get(rel, 0), "why"), 0);
	assert_string_equal(json_string_value(json_object_get(why, "kind")), "phone");
	assert_string_equal(json_string_value(json_object_get(why, "display")), "+1 510 555 0142");
	json_decref(rel);

	/* A different number links nothing. */
	assert_int_equal(links_related(&fx->app, &admin, t3, "", &rel), VG_OK);
	assert_int_equal(json_array_size(rel), 0);
	json_decref(rel);

	/* Indexing again adds nothing twice. */
	assert_int_equal(links_index_tip(&fx->app, t1), VG_OK);
	assert_int_equal(links_entities(&fx->app, t1, "", &rel), VG_OK);
	assert_int_equal(json_array_size(rel), 1);
	json_decref(rel);
}

static void test_staff_entities_link_cases(void **state)
{
	struct fixture *fx = *state;
	char t1[TOKEN_ID_SIZE], t2[TOKEN_ID_SIZE], want[64], got[512];
	struct case_row c1, c2;
	json_t *rel;

	submit(fx, "Someone is made to work without pay at a house on Elm Street.", "CA", t1);
	submit(fx, "A car picks the women up every night from the motel.", "CA", t2);
	assert_int_equal(store_case_by_tip(fx->app.store, t1, &c1), VG_OK);
	assert_int_equal(store_case_by_tip(fx->app.store, t2, &c2), VG_OK);
	assert_int_equal(links_add(&fx->app, &admin, c1.id, "plate", "7ABC 123", ""), VG_OK);
	assert_int_equal(links_add(&fx->app, &admin, c1.id, "plate", "7abc-123", ""), VG_EXISTS);
	assert_int_equal(links_add(&fx->app, &admin, c2.id, "plate", "7abc-123", ""), VG_OK);
	assert_int_equal(links_add(&fx->app, &admin, c2.id, "colour", "red", ""), VG_INVAL);
	assert_int_equal(links_add(&fx->app, &volunteer, c2.id, "name", "Ana", ""), VG_FORBIDDEN);

	assert_int_equal(links_related(&fx->app, &admin, "", c1.id, &rel), VG_OK);
	ids_of(rel, got, sizeof(got));
	snprintf(want, sizeof(want), "case:%s ", c2.id);
	assert_string_equal(got, want);
	json_decref(rel);

	/* Restricted, the other case is hidden from an advocate, not from an admin. */
	assert_int_equal(store_access_restrict(fx->app.store, c2.id, 1, 0, 1), VG_OK);
	assert_int_equal(links_related(&fx->app, &advocate, "", c1.id, &rel), VG_OK);
	assert_int_equal(json_array_size(rel), 0);
	json_decref(rel);
	assert_int_equal(links_related(&fx->app, &admin, "", c1.id, &rel), VG_OK);
	assert_int_equal(json_array_size(rel), 1);
	json_decref(rel);

	/* Removing the plate from the first case unlinks them. */
	assert_int_equal(links_entities(&fx->app, "", c1.id, &rel), VG_OK);
	assert_int_equal(json_array_size(rel), 1);
	snprintf(want, sizeof(want), "%s",
		 json_string_value(json_object_get(json_array_get(rel, 0), "id")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(rel, 0), "value")),
			    "7abc123");
	json_decref(rel);
	assert_int_equal(links_remove(&fx->app, &admin, c2.id, want), VG_NOTFOUND);
	assert_int_equal(links_remove(&fx->app, &admin, c1.id, want), VG_OK);
	assert_int_equal(links_related(&fx->app, &admin, "", c1.id, &rel), VG_OK);
	assert_int_equal(json_array_size(rel), 0);
	json_decref(rel);
	case_row_release(&c1);
	case_row_release(&c2);
}

static void test_search_paging(void **state)
{
	struct fixture *fx = *state;
	char ids[5][TOKEN_ID_SIZE], got[1024], all[1024];
	json_t *res;
	int64_t next;
	size_t i;

	for (i = 0; i < 5; i++)
		submit(fx, "They took her passport and she cannot leave.", "NV", ids[i]);
	/* Each tip and its case are documents: ten in all, newest first. */
	assert_int_equal(search_run(&fx->app, &admin, "US-NV", 0, 4, &res), VG_OK);
	assert_string_equal(json_string_value(json_object_get(res, "mode")), "text");
	assert_int_equal(json_array_size(json_object_get(res, "results")), 4);
	ids_of(json_object_get(res, "results"), all, sizeof(all));
	next = json_integer_value(json_object_get(res, "next"));
	assert_true(next > 0);
	json_decref(res);
	assert_int_equal(search_run(&fx->app, &admin, "US-NV", next, 4, &res), VG_OK);
	assert_int_equal(json_array_size(json_object_get(res, "results")), 4);
	ids_of(json_object_get(res, "results"), got, sizeof(got));
	/* The second page holds none of the first. */
	assert_null(strstr(all, got));
	snprintf(all + strlen(all), sizeof(all) - strlen(all), "%s", got);
	next = json_integer_value(json_object_get(res, "next"));
	json_decref(res);
	assert_int_equal(search_run(&fx->app, &admin, "US-NV", next, 4, &res), VG_OK);
	assert_int_equal(json_array_size(json_object_get(res, "results")), 2);
	assert_int_equal(json_integer_value(json_object_get(res, "next")), 0);
	ids_of(json_object_get(res, "results"), got, sizeof(got));
	snprintf(all + strlen(all), sizeof(all) - strlen(all), "%s", got);
	json_decref(res);
	for (i = 0; i < 5; i++) {
		char want[TOKEN_ID_SIZE + 8];

		snprintf(want, sizeof(want), "tip:%.16s ", ids[i]);
		assert_non_null(strstr(all, want));
	}
	/* Another region is not found; a tip id is. */
	assert_int_equal(search_run(&fx->app, &admin, "US-OR", 0, 10, &res), VG_OK);
	assert_int_equal(json_array_size(json_object_get(res, "results")), 0);
	json_decref(res);
	assert_int_equal(search_run(&fx->app, &admin, ids[2], 0, 10, &res), VG_OK);
	ids_of(json_object_get(res, "results"), got, sizeof(got));
	assert_non_null(strstr(got, ids[2]));
	json_decref(res);
	assert_int_equal(search_run(&fx->app, &volunteer, "US-NV", 0, 10, &res), VG_FORBIDDEN);
	assert_int_equal(search_run(&fx->app, &admin, "();", 0, 10, &res), VG_INVAL);
}

static void test_entity_search_filtered_and_audited(void **state)
{
	struct fixture *fx = *state;
	char t1[TOKEN_ID_SIZE], t2[TOKEN_ID_SIZE], got[512];
	struct audit_list log = {0};
	struct case_row c2;
	int64_t count;
	json_t *res;

	submit(fx, "Text maria.ads@example.com for dates, she is 16.", "CA", t1);
	submit(fx, "The ad says to write to MARIA.ADS@EXAMPLE.COM.", "CA", t2);
	assert_int_equal(search_run(&fx->app, &admin, "Maria.Ads@Example.com", 0, 10, &res), VG_OK);
	assert_string_equal(json_string_value(json_object_get(res, "mode")), "entity");
	assert_string_equal(json_string_value(json_object_get(res, "entity_kind")), "email");
	ids_of(json_object_get(res, "results"), got, sizeof(got));
	assert_non_null(strstr(got, t1));
	assert_non_null(strstr(got, t2));
	json_decref(res);

	/* The audit entry names the kind and never the address. */
	assert_int_equal(store_audit_count(fx->app.store, &count), VG_OK);
	assert_int_equal(store_audit_list(fx->app.store, count - 1, 1, &log), VG_OK);
	assert_int_equal(log.count, 1);
	assert_string_equal(log.rows[0].action, "search");
	assert_string_equal(log.rows[0].detail, "entity email");
	audit_list_release(&log);

	/* A tip in a restricted case is left out for an advocate. */
	assert_int_equal(store_case_by_tip(fx->app.store, t2, &c2), VG_OK);
	assert_int_equal(store_access_restrict(fx->app.store, c2.id, 1, 0, 1), VG_OK);
	assert_int_equal(search_run(&fx->app, &advocate, "maria.ads@example.com", 0, 10, &res),
			 VG_OK);
	ids_of(json_object_get(res, "results"), got, sizeof(got));
	assert_non_null(strstr(got, t1));
	assert_null(strstr(got, t2));
	json_decref(res);
	case_row_release(&c2);
}

static void test_backlog_indexes_old_tips(void **state)
{
	struct fixture *fx = *state;
	char t1[TOKEN_ID_SIZE], t2[TOKEN_ID_SIZE], path[128];
	char **ids = NULL;
	size_t n = 0;
	int64_t done = -1;
	sqlite3 *db;
	json_t *rel;

	submit(fx, "Call 510 555 0177 about the girls.", "CA", t1);
	submit(fx, "The number on the card was (510) 555-0177.", "CA", t2);
	/* As if both were stored before entities were kept. */
	snprintf(path, sizeof(path), "%s/vigil.db", fx->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DELETE FROM entities; DELETE FROM entity_scans;",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(links_related(&fx->app, &admin, t1, "", &rel), VG_OK);
	assert_int_equal(json_array_size(rel), 0);
	json_decref(rel);
	assert_int_equal(store_entity_unscanned(fx->app.store, 10, &ids, &n), VG_OK);
	assert_int_equal(n, 2);
	store_ids_free(ids, n);

	assert_int_equal(links_backlog(&fx->app, &done), VG_OK);
	assert_int_equal(done, 2);
	assert_int_equal(links_related(&fx->app, &admin, t1, "", &rel), VG_OK);
	assert_int_equal(json_array_size(rel), 1);
	json_decref(rel);
	assert_int_equal(links_backlog(&fx->app, &done), VG_OK);
	assert_int_equal(done, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phone_variants_normalise_alike),
		cmocka_unit_test(test_other_kinds_normalise),
		cmocka_unit_test_setup_teardown(test_blind_index, setup, teardown),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_fts_query),
		cmocka_unit_test_setup_teardown(test_related_tips_and_why, setup, teardown),
		cmocka_unit_test_setup_teardown(test_staff_entities_link_cases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search_paging, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entity_search_filtered_and_audited, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_backlog_indexes_old_tips, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

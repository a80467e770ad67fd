/*
 * test_store.c - the conformance suite of store.h.
 *
 * Written only against store.h (and the embedded migration table, to know
 * how many migrations there are), so that the same cases can run against
 * every backend. Each case gets a fresh database in its own temporary
 * directory. All data is synthetic.
 */
#include "base/compat.h"

#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/embedded.h"
#include "store/db.h"
#include "store/entities.h"
#include "store/store.h"
#include "testlib.h"

struct fixture {
	char dir[64];
	char path[96];
	struct store *s;
};

/* A tip whose strings and blobs live in the struct, derived from n. */
struct tip_fixture {
	char id[17];
	char status[16];
	char source[8];
	char country[3];
	char region[4];
	char city[32];
	char language[3];
	unsigned char narrative[48];
	unsigned char contact[24];
	unsigned char details[40];
	struct tip_row row;
};

static void fill_bytes(unsigned char *p, size_t len, unsigned seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)((seed * 31u + i * 7u + 1u) & 0xff);
}

static void receipt_for(unsigned n, unsigned char out[32])
{
	memset(out, 0xa5, 32);
	out[0] = (unsigned char)(n & 0xff);
	out[1] = (unsigned char)((n >> 8) & 0xff);
	out[2] = (unsigned char)((n >> 16) & 0xff);
}

/*
 * Fills f with tip number n. Odd tips have no contact, so both a present
 * and an absent sealed value are exercised.
 */
static void tip_make(struct tip_fixture *f, unsigned n, int64_t created_at,
		     const char *status)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->id, sizeof(f->id), "%016x", n);
	snprintf(f->status, sizeof(f->status), "%s", status);
	snprintf(f->source, sizeof(f->source), "%s", n % 3 ? "web" : "phone");
	snprintf(f->country, sizeof(f->country), "US");
	snprintf(f->region, sizeof(f->region), "CA");
	snprintf(f->city, sizeof(f->city), "Sample City %u", n);
	snprintf(f->language, sizeof(f->language), "%s", n % 2 ? "es" : "en");
	fill_bytes(f->narrative, sizeof(f->narrative), n);
	fill_bytes(f->contact, sizeof(f->contact), n + 1000);
	fill_bytes(f->details, sizeof(f->details), n + 2000);

	f->row.id = f->id;
	f->row.created_at = created_at;
	f->row.updated_at = created_at;
	f->row.status = f->status;
	f->row.source = f->source;
	f->row.country = f->country;
	f->row.region = f->region;
	f->row.city = f->city;
	f->row.language = f->language;
	f->row.danger_now = (int)(n % 2);
	f->row.may_contact = (int)(n % 2 == 0);
	receipt_for(n, f->row.receipt_index);
	f->row.narrative.data = f->narrative;
	f->row.narrative.len = sizeof(f->narrative);
	if (n % 2 == 0) {
		f->row.contact.data = f->contact;
		f->row.contact.len = sizeof(f->contact);
	}
	f->row.details.data = f->details;
	f->row.details.len = sizeof(f->details);
}

static void tip_insert_n(struct store *s, unsigned n, int64_t created_at,
			 const char *status)
{
	struct tip_fixture f;

	tip_make(&f, n, created_at, status);
	assert_int_equal(store_tip_insert(s, &f.row), VG_OK);
}

static void assert_sealed_equal(const struct sealed *got,
				const struct sealed *want)
{
	if (!want->data) {
		assert_null(got->data);
		assert_int_equal(got->len, 0);
		return;
	}
	assert_non_null(got->data);
	assert_int_equal(got->len, want->len);
	assert_memory_equal(got->data, want->data, want->len);
}

static void assert_tip_equal(const struct tip_row *got,
			     const struct tip_row *want)
{
	assert_string_equal(got->id, want->id);
	assert_int_equal(got->created_at, want->created_at);
	assert_int_equal(got->updated_at, want->updated_at);
	assert_string_equal(got->status, want->status);
	assert_string_equal(got->source, want->source);
	assert_string_equal(got->country, want->country);
	assert_string_equal(got->region, want->region);
	assert_string_equal(got->city, want->city);
	assert_string_equal(got->language, want->language);
	assert_int_equal(got->danger_now, want->danger_now);
	assert_int_equal(got->may_contact, want->may_contact);
	assert_memory_equal(got->receipt_index, want->receipt_index, 32);
	assert_sealed_equal(&got->narrative, &want->narrative);
	assert_sealed_equal(&got->contact, &want->contact);
	assert_sealed_equal(&got->details, &want->details);
}

static int64_t user_add(struct store *s, const char *name, const char *role)
{
	char name_buf[64], role_buf[32], hash_buf[64];
	struct user_row u = { 0 };
	int64_t id = 0;

	snprintf(name_buf, sizeof(name_buf), "%s", name);
	snprintf(role_buf, sizeof(role_buf), "%s", role);
	snprintf(hash_buf, sizeof(hash_buf), "$argon2id$synthetic-%s", name);
	u.name = name_buf;
	u.role = role_buf;
	u.password_hash = hash_buf;
	u.created_at = 1000;
	assert_int_equal(store_user_insert(s, &u, &id), VG_OK);
	assert_true(id > 0);
	return id;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/vigil-store-XXXXXX");
	if (!mkdtemp(fx->dir)) {
		free(fx);
		return -1;
	}
	snprintf(fx->path, sizeof(fx->path), "%s/vigil.db", fx->dir);
	if (store_open(fx->path, &fx->s)) {
		test_remove_db(fx->path);
		rmdir(fx->dir);
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	store_free(fx->s);
	test_remove_db(fx->path);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

static int migration_count(void)
{
	const struct embedded_file *m;
	int n = 0;

	for (m = embedded_migrations; m->name; m++)
		n++;
	return n;
}

static void test_open_creates_schema(void **state)
{
	struct fixture *fx = *state;
	int version = -1;
	int64_t n = -1;

	assert_true(migration_count() > 0);
	assert_int_equal(store_schema_version(fx->s, &version), VG_OK);
	assert_int_equal(version, migration_count());
	assert_int_equal(store_tip_count(fx->s, NULL, &n), VG_OK);
	assert_int_equal(n, 0);
	n = -1;
	assert_int_equal(store_user_count(fx->s, &n), VG_OK);
	assert_int_equal(n, 0);
	n = -1;
	assert_int_equal(store_audit_count(fx->s, &n), VG_OK);
	assert_int_equal(n, 0);
}

static void test_reopen_applies_nothing(void **state)
{
	struct fixture *fx = *state;
	struct tip_fixture f;
	struct tip_row got = { 0 };
	int before = -1, after = -1;

	assert_int_equal(store_schema_version(fx->s, &before), VG_OK);
	tip_make(&f, 1, 100, "new");
	assert_int_equal(store_tip_insert(fx->s, &f.row), VG_OK);
	store_free(fx->s);
	fx->s = NULL;

	/* Re-running a migration would fail on the existing tables. */
	assert_int_equal(store_open(fx->path, &fx->s), VG_OK);
	assert_int_equal(store_schema_version(fx->s, &after), VG_OK);
	assert_int_equal(after, before);
	assert_int_equal(store_tip_get(fx->s, f.id, &got), VG_OK);
	assert_tip_equal(&got, &f.row);
	tip_row_release(&got);
}

static void test_tip_roundtrip(void **state)
{
	struct fixture *fx = *state;
	struct tip_fixture with_contact, anonymous;
	struct tip_row got = { 0 };
	const unsigned char *index;

	tip_make(&with_contact, 2, 1700000000, "new");
	tip_make(&anonymous, 3, 1700000100, "in_review");
	anonymous.row.details.data = NULL;
	anonymous.row.details.len = 0;
	assert_int_equal(store_tip_insert(fx->s, &with_contact.row), VG_OK);
	assert_int_equal(store_tip_insert(fx->s, &anonymous.row), VG_OK);

	assert_int_equal(store_tip_get(fx->s, with_contact.id, &got), VG_OK);
	assert_tip_equal(&got, &with_contact.row);
	tip_row_release(&got);
	assert_null(got.id);
	assert_null(got.narrative.data);

	assert_int_equal(store_tip_get(fx->s, anonymous.id, &got), VG_OK);
	assert_tip_equal(&got, &anonymous.row);
	tip_row_release(&got);

	index = anonymous.row.receipt_index;
	assert_int_equal(store_tip_by_receipt(fx->s, index, &got), VG_OK);
	assert_tip_equal(&got, &anonymous.row);
	tip_row_release(&got);
}

static void test_tip_unknown(void **state)
{
	struct fixture *fx = *state;
	struct tip_row got = { 0 };
	unsigned char index[32];

	tip_insert_n(fx->s, 4, 100, "new");
	assert_int_equal(store_tip_get(fx->s, "00000000deadbeef", &got),
			 VG_NOTFOUND);
	assert_null(got.id);
	receipt_for(5, index);
	assert_int_equal(store_tip_by_receipt(fx->s, index, &got), VG_NOTFOUND);
	assert_null(got.id);
}

static void test_tip_duplicates(void **state)
{
	struct fixture *fx = *state;
	struct tip_fixture a, b;
	struct tip_row got = { 0 };
	int64_t n = 0;

	tip_make(&a, 6, 100, "new");
	assert_int_equal(store_tip_insert(fx->s, &a.row), VG_OK);

	/* Another id with the same receipt index. */
	tip_make(&b, 7, 200, "new");
	memcpy(b.row.receipt_index, a.row.receipt_index, 32);
	assert_int_equal(store_tip_insert(fx->s, &b.row), VG_EXISTS);

	/* The same id with another receipt index. */
	tip_make(&b, 7, 200, "new");
	memcpy(b.id, a.id, sizeof(b.id));
	assert_int_equal(store_tip_insert(fx->s, &b.row), VG_EXISTS);

	assert_int_equal(store_tip_count(fx->s, NULL, &n), VG_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_tip_get(fx->s, a.id, &got), VG_OK);
	assert_tip_equal(&got, &a.row);
	tip_row_release(&got);
}

static void test_tip_list(void **state)
{
	struct fixture *fx = *state;
	struct tip_filter f = { 0 };
	struct tip_list l = { 0 };
	int64_t seq12;

	/*
	 * The order is the order of insertion (seq), whatever the clocks said:
	 * tip 13 was written after 12 although its created_at is earlier.
	 */
	tip_insert_n(fx->s, 10, 300, "new");
	tip_insert_n(fx->s, 11, 300, "closed");
	tip_insert_n(fx->s, 12, 100, "new");
	tip_insert_n(fx->s, 13, 400, "in_review");
	tip_insert_n(fx->s, 14, 200, "new");

	f.limit = 10;
	assert_int_equal(store_tip_list(fx->s, &f, &l), VG_OK);
	assert_int_equal(l.count, 5);
	assert_string_equal(l.rows[0].id, "000000000000000e");
	assert_string_equal(l.rows[1].id, "000000000000000d");
	assert_string_equal(l.rows[2].id, "000000000000000c");
	assert_string_equal(l.rows[3].id, "000000000000000b");
	assert_string_equal(l.rows[4].id, "000000000000000a");
	assert_int_equal(l.rows[1].created_at, 400);
	assert_true(l.rows[0].seq > l.rows[1].seq);
	assert_true(l.rows[3].seq > l.rows[4].seq);
	seq12 = l.rows[2].seq;
	tip_list_release(&l);
	assert_null(l.rows);
	assert_int_equal(l.count, 0);

	f.status = "new";
	assert_int_equal(store_tip_list(fx->s, &f, &l), VG_OK);
	assert_int_equal(l.count, 3);
	assert_string_equal(l.rows[0].id, "000000000000000e");
	assert_string_equal(l.rows[1].id, "000000000000000c");
	assert_string_equal(l.rows[2].id, "000000000000000a");
	assert_string_equal(l.rows[2].status, "new");
	tip_list_release(&l);

	/* Strictly before the cursor: tip 12 itself is left out. */
	f.status = NULL;
	f.before_seq = seq12;
	assert_int_equal(store_tip_list(fx->s, &f, &l), VG_OK);
	assert_int_equal(l.count, 2);
	assert_string_equal(l.rows[0].id, "000000000000000b");
	assert_string_equal(l.rows[1].id, "000000000000000a");
	tip_list_release(&l);

	f.status = "new";
	f.limit = 1;
	assert_int_equal(store_tip_list(fx->s, &f, &l), VG_OK);
	assert_int_equal(l.count, 1);
	assert_string_equal(l.rows[0].id, "000000000000000a");
	tip_list_release(&l);

	/* A limit below 1 is clamped to 1. */
	f.status = NULL;
	f.before_seq = 0;
	f.limit = 0;
	assert_int_equal(store_tip_list(fx->s, &f, &l), VG_OK);
	assert_int_equal(l.count, 1);
	assert_string_equal(l.rows[0].id, "000000000000000e");
	tip_list_release(&l);

	f.status = "in_review";
	f.before_seq = seq12;
	f.limit = 10;
	assert_int_equal(store_tip_list(fx->s, &f, &l), VG_OK);
	assert_int_equal(l.count, 0);
	tip_list_release(&l);
}

static void test_tip_list_limit_clamped(void **state)
{
	struct fixture *fx = *state;
	struct tip_filter f = { 0 };
	struct tip_list l = { 0 };
	unsigned i;

	for (i = 0; i < 501; i++)
		tip_insert_n(fx->s, 1000 + i, 1000 + (int64_t)i, "new");
	f.limit = 100000;
	assert_int_equal(store_tip_list(fx->s, &f, &l), VG_OK);
	assert_int_equal(l.count, 500);
	assert_int_equal(l.rows[0].created_at, 1500);
	assert_int_equal(l.rows[499].created_at, 1001);
	tip_list_release(&l);
}

static void test_tip_status(void **state)
{
	struct fixture *fx = *state;
	struct tip_fixture f;
	struct tip_row got = { 0 };
	int64_t n = -1;

	tip_make(&f, 20, 100, "new");
	assert_int_equal(store_tip_insert(fx->s, &f.row), VG_OK);
	tip_insert_n(fx->s, 21, 110, "new");

	assert_int_equal(store_tip_set_status(fx->s, f.id, "in_review", 500),
			 VG_OK);
	assert_int_equal(store_tip_get(fx->s, f.id, &got), VG_OK);
	assert_string_equal(got.status, "in_review");
	assert_int_equal(got.updated_at, 500);
	assert_int_equal(got.created_at, 100);
	tip_row_release(&got);

	assert_int_equal(store_tip_count(fx->s, "in_review", &n), VG_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_tip_count(fx->s, "new", &n), VG_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_tip_count(fx->s, "closed", &n), VG_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_tip_count(fx->s, NULL, &n), VG_OK);
	assert_int_equal(n, 2);

	assert_int_equal(store_tip_set_status(fx->s, "00000000deadbeef",
					      "closed", 600), VG_NOTFOUND);

	/* A status outside the schema's list fails and changes nothing. */
	assert_int_equal(store_tip_set_status(fx->s, f.id, "bogus", 700),
			 VG_DB);
	assert_int_equal(store_tip_get(fx->s, f.id, &got), VG_OK);
	assert_string_equal(got.status, "in_review");
	assert_int_equal(got.updated_at, 500);
	tip_row_release(&got);
}

static void message_make(struct message_row *m, char *id, size_t id_size,
			 unsigned n, char *tip_id, int64_t at, char *author,
			 int64_t user_id, unsigned char *body, size_t body_len)
{
	snprintf(id, id_size, "m%015x", n);
	fill_bytes(body, body_len, n + 3000);
	memset(m, 0, sizeof(*m));
	m->id = id;
	m->tip_id = tip_id;
	m->created_at = at;
	m->author = author;
	m->user_id = user_id;
	m->body.data = body;
	m->body.len = body_len;
}

static void test_messages(void **state)
{
	struct fixture *fx = *state;
	struct tip_fixture f;
	struct message_row m[3];
	struct message_list l = { 0 };
	struct tip_row got = { 0 };
	char ids[3][17], reporter[] = "reporter", staff[] = "staff";
	unsigned char bodies[3][32];
	int64_t uid;
	size_t i;

	uid = user_add(fx->s, "advocate.one", "advocate");
	tip_make(&f, 30, 100, "new");
	assert_int_equal(store_tip_insert(fx->s, &f.row), VG_OK);

	assert_int_equal(store_message_list(fx->s, f.id, &l), VG_OK);
	assert_int_equal(l.count, 0);
	message_list_release(&l);

	/* Inserted out of time order; two share a time. */
	message_make(&m[0], ids[0], sizeof(ids[0]), 1, f.id, 300, staff, uid,
		     bodies[0], sizeof(bodies[0]));
	message_make(&m[1], ids[1], sizeof(ids[1]), 2, f.id, 200, reporter, 0,
		     bodies[1], 20);
	message_make(&m[2], ids[2], sizeof(ids[2]), 3, f.id, 200, staff, uid,
		     bodies[2], 7);
	for (i = 0; i < 3; i++)
		assert_int_equal(store_message_insert(fx->s, &m[i]), VG_OK);

	assert_int_equal(store_message_list(fx->s, f.id, &l), VG_OK);
	assert_int_equal(l.count, 3);
	assert_string_equal(l.rows[0].id, ids[1]);
	assert_string_equal(l.rows[1].id, ids[2]);
	assert_string_equal(l.rows[2].id, ids[0]);
	assert_string_equal(l.rows[0].tip_id, f.id);
	assert_string_equal(l.rows[0].author, "reporter");
	assert_int_equal(l.rows[0].user_id, 0);
	assert_int_equal(l.rows[0].created_at, 200);
	assert_sealed_equal(&l.rows[0].body, &m[1].body);
	assert_string_equal(l.rows[2].author, "staff");
	assert_int_equal(l.rows[2].user_id, uid);
	assert_sealed_equal(&l.rows[2].body, &m[0].body);
	message_list_release(&l);
	assert_null(l.rows);

	/* The latest message's time, not the last inserted one's. */
	assert_int_equal(store_tip_get(fx->s, f.id, &got), VG_OK);
	assert_int_equal(got.updated_at, 300);
	assert_int_equal(got.created_at, 100);
	tip_row_release(&got);
}

static void test_message_unknown_tip(void **state)
{
	struct fixture *fx = *state;
	struct message_row m;
	struct message_list l = { 0 };
	char id[17], tip_id[] = "00000000deadbeef", reporter[] = "reporter";
	unsigned char body[16];

	message_make(&m, id, sizeof(id), 9, tip_id, 100, reporter, 0, body,
		     sizeof(body));
	assert_int_equal(store_message_insert(fx->s, &m), VG_NOTFOUND);
	assert_int_equal(store_message_list(fx->s, tip_id, &l), VG_OK);
	assert_int_equal(l.count, 0);
	message_list_release(&l);
}

static void test_users(void **state)
{
	struct fixture *fx = *state;
	struct user_row u = { 0 }, got = { 0 };
	char name[] = "supervisor.one", role[] = "supervisor";
	char hash[] = "$argon2id$v=19$m=65536,t=2,p=1$synthetic";
	int64_t id = 0, other, n = -1;

	u.name = name;
	u.role = role;
	u.password_hash = hash;
	u.created_at = 1234;
	u.must_change = 1;
	assert_int_equal(store_user_insert(fx->s, &u, &id), VG_OK);
	assert_true(id > 0);

	/* A taken name, whatever the rest of the row, and id_out untouched. */
	other = -7;
	u.created_at = 999;
	assert_int_equal(store_user_insert(fx->s, &u, &other), VG_EXISTS);
	assert_int_equal(other, -7);

	/* id_out may be NULL. */
	u.name = role;
	u.must_change = 0;
	u.disabled = 1;
	assert_int_equal(store_user_insert(fx->s, &u, NULL), VG_OK);

	assert_int_equal(store_user_count(fx->s, &n), VG_OK);
	assert_int_equal(n, 2);

	assert_int_equal(store_user_by_name(fx->s, "supervisor.one", &got),
			 VG_OK);
	assert_int_equal(got.id, id);
	assert_string_equal(got.name, "supervisor.one");
	assert_string_equal(got.role, "supervisor");
	assert_string_equal(got.password_hash, hash);
	assert_int_equal(got.created_at, 1234);
	assert_int_equal(got.must_change, 1);
	assert_int_equal(got.disabled, 0);
	user_row_release(&got);
	assert_null(got.name);

	assert_int_equal(store_user_by_id(fx->s, id, &got), VG_OK);
	assert_string_equal(got.name, "supervisor.one");
	user_row_release(&got);

	assert_int_equal(store_user_by_name(fx->s, "supervisor", &got), VG_OK);
	assert_true(got.id != id);
	assert_int_equal(got.must_change, 0);
	assert_int_equal(got.disabled, 1);
	user_row_release(&got);

	assert_int_equal(store_user_by_name(fx->s, "nobody", &got),
			 VG_NOTFOUND);
	assert_null(got.name);
	assert_int_equal(store_user_by_id(fx->s, id + 1000, &got), VG_NOTFOUND);
	assert_null(got.name);
}

static void test_user_set_password(void **state)
{
	struct fixture *fx = *state;
	struct user_row got = { 0 };
	int64_t a, b;

	a = user_add(fx->s, "advocate.two", "advocate");
	b = user_add(fx->s, "advocate.three", "advocate");
	assert_int_equal(store_user_set_password(fx->s, a, "$argon2id$new", 1),
			 VG_OK);
	assert_int_equal(store_user_by_id(fx->s, a, &got), VG_OK);
	assert_string_equal(got.password_hash, "$argon2id$new");
	assert_int_equal(got.must_change, 1);
	user_row_release(&got);

	assert_int_equal(store_user_set_password(fx->s, a, "$argon2id$next", 0),
			 VG_OK);
	assert_int_equal(store_user_by_id(fx->s, a, &got), VG_OK);
	assert_string_equal(got.password_hash, "$argon2id$next");
	assert_int_equal(got.must_change, 0);
	user_row_release(&got);

	/* The other user is untouched. */
	assert_int_equal(store_user_by_id(fx->s, b, &got), VG_OK);
	assert_string_equal(got.password_hash,
			    "$argon2id$synthetic-advocate.three");
	user_row_release(&got);

	assert_int_equal(store_user_set_password(fx->s, b + 1000, "$x", 0),
			 VG_NOTFOUND);
}

static void test_sessions(void **state)
{
	struct fixture *fx = *state;
	struct session_row row = { 0 }, got = { 0 };
	unsigned char a[32], b[32], c[32];
	char web[] = "web", api[] = "api";
	int64_t uid;

	uid = user_add(fx->s, "analyst.one", "analyst");
	memset(a, 0x11, sizeof(a));
	memset(b, 0x22, sizeof(b));
	memset(c, 0x33, sizeof(c));

	row.user_id = uid;
	row.kind = web;
	row.created_at = 100;
	row.last_seen = 100;
	assert_int_equal(store_session_insert(fx->s, a, &row), VG_OK);
	assert_int_equal(store_session_insert(fx->s, a, &row), VG_EXISTS);
	row.kind = api;
	row.created_at = 150;
	row.last_seen = 200;
	assert_int_equal(store_session_insert(fx->s, b, &row), VG_OK);

	assert_int_equal(store_session_get(fx->s, a, &got), VG_OK);
	assert_int_equal(got.user_id, uid);
	assert_string_equal(got.kind, "web");
	assert_int_equal(got.created_at, 100);
	assert_int_equal(got.last_seen, 100);
	session_row_release(&got);
	assert_null(got.kind);

	assert_int_equal(store_session_get(fx->s, c, &got), VG_NOTFOUND);
	assert_null(got.kind);

	assert_int_equal(store_session_touch(fx->s, a, 140), VG_OK);
	assert_int_equal(store_session_get(fx->s, a, &got), VG_OK);
	assert_int_equal(got.last_seen, 140);
	assert_int_equal(got.created_at, 100);
	session_row_release(&got);
	assert_int_equal(store_session_touch(fx->s, c, 140), VG_NOTFOUND);

	/* Expiry removes a (last seen 140) but keeps b (last seen 200). */
	assert_int_equal(store_session_expire(fx->s, 150), VG_OK);
	assert_int_equal(store_session_get(fx->s, a, &got), VG_NOTFOUND);
	assert_int_equal(store_session_get(fx->s, b, &got), VG_OK);
	assert_string_equal(got.kind, "api");
	session_row_release(&got);

	assert_int_equal(store_session_delete(fx->s, b), VG_OK);
	assert_int_equal(store_session_get(fx->s, b, &got), VG_NOTFOUND);
	/* Deleting again is not an error. */
	assert_int_equal(store_session_delete(fx->s, b), VG_OK);
}

/*
 * A stand-in for the app's keyed hash: any function of prev and the entry
 * will do to check that the store chains what it is given.
 */
static void fake_hash(void *ctx, const struct audit_row *e, unsigned char out[32])
{
	size_t i;

	(void)ctx;
	for (i = 0; i < 32; i++)
		out[i] = (unsigned char)(e->prev[i] ^ (unsigned char)(e->id * 31 + (int64_t)i));
}

static void audit_add(struct store *s, int64_t at, int64_t user, const char *action,
		      const char *object, const char *detail, int64_t want_id)
{
	struct audit_row e = { 0 };

	e.at = at;
	e.user_id = user;
	e.action = (char *)action;
	e.object = (char *)object;
	e.detail = (char *)detail;
	assert_int_equal(store_audit_append(s, &e, fake_hash, NULL), VG_OK);
	assert_int_equal(e.id, want_id);
}

static void test_audit(void **state)
{
	struct fixture *fx = *state;
	struct audit_list l = { 0 };
	unsigned char zeros[32] = { 0 };
	int64_t uid, n = -1;

	uid = user_add(fx->s, "admin.one", "admin");
	audit_add(fx->s, 100, 0, "store.open", NULL, NULL, 1);
	assert_int_equal(store_audit_count(fx->s, &n), VG_OK);
	assert_int_equal(n, 1);
	audit_add(fx->s, 200, uid, "tip.status", "0000000000000001", "new -> in_review", 2);
	audit_add(fx->s, 300, uid, "tip.view", "0000000000000001", NULL, 3);
	assert_int_equal(store_audit_count(fx->s, &n), VG_OK);
	assert_int_equal(n, 3);

	assert_int_equal(store_audit_list(fx->s, 0, 10, &l), VG_OK);
	assert_int_equal(l.count, 3);
	assert_int_equal(l.rows[0].id, 1);
	assert_true(l.rows[0].chained);
	assert_memory_equal(l.rows[0].prev, zeros, 32);
	/* Each entry carries the hash of the one before it. */
	assert_memory_equal(l.rows[1].prev, l.rows[0].hash, 32);
	assert_memory_equal(l.rows[2].prev, l.rows[1].hash, 32);
	assert_string_equal(l.rows[1].action, "tip.status");
	assert_string_equal(l.rows[1].object, "0000000000000001");
	assert_string_equal(l.rows[1].detail, "new -> in_review");
	assert_int_equal(l.rows[1].user_id, uid);
	assert_null(l.rows[0].object);
	assert_null(l.rows[2].detail);
	audit_list_release(&l);
	assert_int_equal(store_audit_list(fx->s, 2, 10, &l), VG_OK);
	assert_int_equal(l.count, 1);
	assert_int_equal(l.rows[0].id, 3);
	audit_list_release(&l);
	assert_int_equal(store_audit_list(fx->s, 0, 2, &l), VG_OK);
	assert_int_equal(l.count, 2);
	audit_list_release(&l);
}

/* The count after one hit, or -1 when the hit failed. */
static int64_t hit(struct store *s, const char *name, int64_t now)
{
	int64_t n = -1;

	if (store_throttle_hit(s, name, now, 60, &n))
		return -1;
	return n;
}

/* The count without a hit, or -1 when the peek failed. */
static int64_t peek(struct store *s, const char *name, int64_t now)
{
	int64_t n = -1;

	if (store_throttle_peek(s, name, now, 60, &n))
		return -1;
	return n;
}

/* The connection's durability level: 2 is FULL, 1 NORMAL. */
/* The first column of the first row sql answers, or -1. */
static int64_t query_int(struct store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(s->db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int64_t sync_level(struct store *s)
{
	return query_int(s, "PRAGMA synchronous");
}

/*
 * A deferred entry is chained like any other, and the connection is back
 * at FULL afterwards, so that the next tip is durable when acknowledged;
 * a failed deferred transaction restores FULL too.
 */
static void test_audit_deferred(void **state)
{
	struct fixture *fx = *state;
	struct audit_row e = { 0 };
	struct audit_list l = { 0 };

	assert_int_equal(sync_level(fx->s), 2);
	audit_add(fx->s, 100, 0, "store.open", NULL, NULL, 1);
	e.at = 200;
	e.action = (char *)"case.open";
	e.object = (char *)"0000000000000001";
	e.deferred = 1;
	assert_int_equal(store_audit_append(fx->s, &e, fake_hash, NULL), VG_OK);
	assert_int_equal(e.id, 2);
	assert_int_equal(sync_level(fx->s), 2);
	assert_int_equal(store_audit_list(fx->s, 0, 10, &l), VG_OK);
	assert_int_equal(l.count, 2);
	assert_memory_equal(l.rows[1].prev, l.rows[0].hash, 32);
	audit_list_release(&l);

	/* BEGIN fails inside an open transaction: the level is still restored. */
	db_lock(fx->s);
	assert_int_equal(db_begin(fx->s, "test"), VG_OK);
	db_unlock(fx->s);
	db_lock(fx->s);
	assert_int_not_equal(db_begin_deferred(fx->s, "test"), VG_OK);
	db_rollback(fx->s);
	db_unlock(fx->s);
	assert_int_equal(sync_level(fx->s), 2);
}

static void test_throttle(void **state)
{
	struct fixture *fx = *state;

	/* Windows of 60 seconds: [120, 180), [180, 240), [240, 300). */
	assert_int_equal(peek(fx->s, "receipt", 125), 0);
	assert_int_equal(hit(fx->s, "receipt", 120), 1);
	assert_int_equal(hit(fx->s, "receipt", 130), 2);
	assert_int_equal(hit(fx->s, "receipt", 179), 3);
	assert_int_equal(peek(fx->s, "receipt", 150), 3);

	/* Another name counts on its own. */
	assert_int_equal(hit(fx->s, "login", 125), 1);

	/* A new window starts from one; the previous one is kept. */
	assert_int_equal(hit(fx->s, "receipt", 180), 1);
	assert_int_equal(peek(fx->s, "receipt", 239), 1);
	assert_int_equal(peek(fx->s, "receipt", 170), 3);

	/* A hit in [240, 300) drops [120, 180) for this name only. */
	assert_int_equal(hit(fx->s, "receipt", 250), 1);
	assert_int_equal(peek(fx->s, "receipt", 170), 0);
	assert_int_equal(peek(fx->s, "receipt", 200), 1);
	assert_int_equal(peek(fx->s, "login", 130), 1);
}

/*
 * Root ignores file modes, so as root the read-only case runs with the
 * effective ids of an unprivileged account; the directory is handed to it
 * so that SQLite can create its shared-memory file beside the database.
 */
#define UNPRIVILEGED_ID 65534

struct readonly_result {
	int open, get, tip, status, message, user, session, touch, expire,
		audit, throttle;
};

static void readonly_attempt(const char *path, unsigned tip_n,
			     struct readonly_result *r)
{
	struct store *ro = NULL;
	struct tip_fixture f, g;
	struct tip_row got = { 0 };
	struct message_row m;
	struct user_row u = { 0 };
	struct session_row sr = { 0 };
	struct audit_row ae = { 0 };
	char mid[17], reporter[] = "reporter", name[] = "volunteer.one";
	char role[] = "volunteer", hash[] = "synthetic", web[] = "web";
	unsigned char body[16], token[32];
	int64_t n = 0;

	r->open = store_open(path, &ro);
	if (r->open)
		return;
	tip_make(&f, tip_n, 100, "new");
	r->get = store_tip_get(ro, f.id, &got);
	tip_row_release(&got);
	tip_make(&g, tip_n + 1, 200, "new");
	r->tip = store_tip_insert(ro, &g.row);
	r->status = store_tip_set_status(ro, f.id, "closed", 300);
	message_make(&m, mid, sizeof(mid), 1, f.id, 300, reporter, 0, body,
		     sizeof(body));
	r->message = store_message_insert(ro, &m);
	u.name = name;
	u.role = role;
	u.password_hash = hash;
	r->user = store_user_insert(ro, &u, NULL);
	memset(token, 0x44, sizeof(token));
	sr.user_id = 1;
	sr.kind = web;
	r->session = store_session_insert(ro, token, &sr);
	r->touch = store_session_touch(ro, token, 400);
	r->expire = store_session_expire(ro, 500);
	ae.at = 100;
	ae.action = (char *)"test";
	r->audit = store_audit_append(ro, &ae, fake_hash, NULL);
	r->throttle = store_throttle_hit(ro, "receipt", 100, 60, &n);
	store_free(ro);
}

static void test_readonly(void **state)
{
	struct fixture *fx = *state;
	struct readonly_result r;
	bool root = geteuid() == 0;
	struct tip_row got = { 0 };
	struct tip_fixture f;

	tip_insert_n(fx->s, 40, 100, "new");
	user_add(fx->s, "investigator.one", "investigator");
	store_free(fx->s);
	fx->s = NULL;
	assert_int_equal(chmod(fx->path, 0444), 0);
	if (root) {
		assert_int_equal(chown(fx->dir, UNPRIVILEGED_ID,
				       UNPRIVILEGED_ID), 0);
		assert_int_equal(setegid(UNPRIVILEGED_ID), 0);
		assert_int_equal(seteuid(UNPRIVILEGED_ID), 0);
	}
	/* Results are checked once root is restored, whatever they are. */
	memset(&r, 0xff, sizeof(r));
	readonly_attempt(fx->path, 40, &r);
	if (root) {
		assert_int_equal(seteuid(0), 0);
		assert_int_equal(setegid(0), 0);
	}

	assert_int_equal(r.open, VG_OK);
	assert_int_equal(r.get, VG_OK);
	assert_int_equal(r.tip, VG_READONLY);
	assert_int_equal(r.status, VG_READONLY);
	assert_int_equal(r.message, VG_READONLY);
	assert_int_equal(r.user, VG_READONLY);
	assert_int_equal(r.session, VG_READONLY);
	assert_int_equal(r.touch, VG_READONLY);
	assert_int_equal(r.expire, VG_READONLY);
	assert_int_equal(r.audit, VG_READONLY);
	assert_int_equal(r.throttle, VG_READONLY);

	/* Once writable again, nothing from the attempts is there. */
	assert_int_equal(chmod(fx->path, 0600), 0);
	assert_int_equal(store_open(fx->path, &fx->s), VG_OK);
	tip_make(&f, 40, 100, "new");
	assert_int_equal(store_tip_get(fx->s, f.id, &got), VG_OK);
	assert_tip_equal(&got, &f.row);
	tip_row_release(&got);
	tip_make(&f, 41, 200, "new");
	assert_int_equal(store_tip_get(fx->s, f.id, &got), VG_NOTFOUND);
}

#define THREADS 8
#define TIPS_PER_THREAD 50

struct worker {
	pthread_t thread;
	struct store *s;
	unsigned first;
	bool batch;             /* each tip in a batch of its own */
	int rc;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct tip_fixture f;
	unsigned i;

	w->rc = VG_OK;
	for (i = 0; i < TIPS_PER_THREAD && !w->rc; i++) {
		tip_make(&f, w->first + i, 1000 + (int64_t)(w->first + i),
			 "new");
		if (!w->batch) {
			w->rc = store_tip_insert(w->s, &f.row);
			continue;
		}
		w->rc = store_batch_begin(w->s);
		if (!w->rc)
			w->rc = store_batch_end(w->s, store_tip_insert(w->s, &f.row));
	}
	return NULL;
}

/* THREADS threads store TIPS_PER_THREAD tips each from tip `first` on; all must arrive. */
static void insert_concurrently(struct fixture *fx, unsigned first, bool batch)
{
	struct worker w[THREADS];
	struct tip_fixture f;
	struct tip_row got = { 0 };
	int64_t n = 0;
	unsigned i;

	for (i = 0; i < THREADS; i++) {
		w[i].s = fx->s;
		w[i].first = first + i * TIPS_PER_THREAD;
		w[i].batch = batch;
		w[i].rc = -1;
		assert_int_equal(pthread_create(&w[i].thread, NULL, worker_run,
						&w[i]), 0);
	}
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_join(w[i].thread, NULL), 0);
	for (i = 0; i < THREADS; i++)
		assert_int_equal(w[i].rc, VG_OK);

	assert_int_equal(store_tip_count(fx->s, NULL, &n), VG_OK);
	assert_int_equal(n, THREADS * TIPS_PER_THREAD);
	for (i = 0; i < THREADS * TIPS_PER_THREAD; i++) {
		tip_make(&f, first + i, 1000 + first + (int64_t)i, "new");
		assert_int_equal(store_tip_get(fx->s, f.id, &got), VG_OK);
		assert_tip_equal(&got, &f.row);
		tip_row_release(&got);
	}
}

static void test_concurrent_inserts(void **state)
{
	insert_concurrently(*state, 5000, false);
}

static void test_release_zeroed(void **state)
{
	struct tip_row t = { 0 };
	struct tip_list tl = { 0 };
	struct message_row m = { 0 };
	struct message_list ml = { 0 };
	struct user_row u = { 0 };
	struct session_row r = { 0 };

	(void)state;
	tip_row_release(&t);
	tip_list_release(&tl);
	message_row_release(&m);
	message_list_release(&ml);
	user_row_release(&u);
	session_row_release(&r);
	assert_null(t.id);
	assert_null(tl.rows);
	assert_null(m.id);
	assert_null(ml.rows);
	assert_null(u.name);
	assert_null(r.kind);
	store_free(NULL);
}

/* Inserts tip n already screened with the given urgency. */
static void tip_insert_screened(struct store *s, unsigned n, const char *urgency)
{
	struct tip_fixture f;
	unsigned char result[48];

	tip_make(&f, n, 1000 + n, "new");
	fill_bytes(result, sizeof(result), n + 3000);
	f.row.screened_at = 1000 + n;
	f.row.screen_status = (char *)"possible";
	f.row.urgency = (char *)urgency;
	f.row.kinds = (char *)"sex,labor";
	f.row.typology = (char *)"illicit_massage";
	f.row.screening.data = result;
	f.row.screening.len = sizeof(result);
	assert_int_equal(store_tip_insert(s, &f.row), VG_OK);
}

static void test_tip_screening(void **state)
{
	struct fixture *fx = *state;
	struct tip_filter f = { .triage = 1, .limit = 10 };
	struct tip_list l = { 0 };
	struct tip_row t = { 0 };
	struct tip_fixture plain;
	unsigned char result[8] = "rescreen";

	tip_insert_screened(fx->s, 1, "routine");
	tip_insert_screened(fx->s, 2, "crisis");
	tip_insert_n(fx->s, 3, 1003, "new"); /* not screened */
	tip_insert_screened(fx->s, 4, "priority");
	tip_insert_screened(fx->s, 5, "crisis");

	/* Crisis first, then priority with the unscreened, then routine; newest first in each. */
	assert_int_equal(store_tip_list(fx->s, &f, &l), VG_OK);
	assert_int_equal(l.count, 5);
	assert_string_equal(l.rows[0].id, "0000000000000005");
	assert_string_equal(l.rows[1].id, "0000000000000002");
	assert_string_equal(l.rows[2].id, "0000000000000004");
	assert_string_equal(l.rows[3].id, "0000000000000003");
	assert_string_equal(l.rows[4].id, "0000000000000001");
	assert_int_equal(l.rows[0].urgency_rank, 0);
	assert_int_equal(l.rows[3].urgency_rank, 1);
	assert_int_equal(l.rows[4].urgency_rank, 2);
	assert_string_equal(l.rows[0].kinds, "sex,labor");
	assert_string_equal(l.rows[0].typology, "illicit_massage");
	assert_string_equal(l.rows[3].urgency, "");
	assert_int_equal(l.rows[3].screened_at, 0);
	assert_null(l.rows[3].screening.data);
	assert_int_equal(l.rows[0].screening.len, 48);

	/* The cursor continues after the second row, across the rank change. */
	f.before_rank = l.rows[1].urgency_rank;
	f.before_seq = l.rows[1].seq;
	tip_list_release(&l);
	f.limit = 2;
	assert_int_equal(store_tip_list(fx->s, &f, &l), VG_OK);
	assert_int_equal(l.count, 2);
	assert_string_equal(l.rows[0].id, "0000000000000004");
	assert_string_equal(l.rows[1].id, "0000000000000003");
	tip_list_release(&l);

	/* Only the unscreened tip, then screening it takes it off that list. */
	memset(&f, 0, sizeof(f));
	f.unscreened = 1;
	f.limit = 10;
	assert_int_equal(store_tip_list(fx->s, &f, &l), VG_OK);
	assert_int_equal(l.count, 1);
	assert_string_equal(l.rows[0].id, "0000000000000003");
	tip_list_release(&l);
	tip_make(&plain, 3, 1003, "new");
	plain.row.screened_at = 2000;
	plain.row.screen_status = (char *)"likely";
	plain.row.urgency = (char *)"crisis";
	plain.row.screening.data = result;
	plain.row.screening.len = sizeof(result);
	assert_int_equal(store_tip_set_screening(fx->s, &plain.row), VG_OK);
	assert_int_equal(store_tip_list(fx->s, &f, &l), VG_OK);
	assert_int_equal(l.count, 0);
	tip_list_release(&l);
	assert_int_equal(store_tip_get(fx->s, "0000000000000003", &t), VG_OK);
	assert_int_equal(t.screened_at, 2000);
	assert_string_equal(t.screen_status, "likely");
	assert_string_equal(t.urgency, "crisis");
	assert_int_equal(t.urgency_rank, 0);
	assert_memory_equal(t.screening.data, "rescreen", 8);
	/* Nothing else changed. */
	assert_string_equal(t.status, "new");
	assert_int_equal(t.updated_at, 1003);
	tip_row_release(&t);

	plain.row.id = (char *)"00000000000000ff";
	assert_int_equal(store_tip_set_screening(fx->s, &plain.row), VG_NOTFOUND);
	plain.row.id = (char *)"0000000000000003";
	plain.row.urgency = (char *)"urgent";
	assert_int_not_equal(store_tip_set_screening(fx->s, &plain.row), VG_OK);
}

static void test_referrals(void **state)
{
	struct fixture *fx = *state;
	struct referral_row r = { 0 };
	struct referral_list l = { 0 };
	struct user_row u = { 0 };
	unsigned char why[20] = "sealed override text";
	int64_t uid;

	u.name = (char *)"ana";
	u.role = (char *)"advocate";
	u.password_hash = (char *)"$argon2id$fake";
	assert_int_equal(store_user_insert(fx->s, &u, &uid), VG_OK);
	tip_insert_n(fx->s, 1, 100, "new");

	r.id = (char *)"r1";
	r.tip_id = (char *)"0000000000000001";
	r.entry_id = (char *)"xx-hotline";
	r.rule = (char *)"crisis-emergency";
	r.made_at = 200;
	r.user_id = uid;
	r.consent = 1;
	r.outcome = (char *)"made";
	assert_int_equal(store_referral_insert(fx->s, &r), VG_OK);
	/* Without consent, the sealed reason is required. */
	r.id = (char *)"r2";
	r.consent = 0;
	r.rule = NULL;
	assert_int_not_equal(store_referral_insert(fx->s, &r), VG_OK);
	r.override.data = why;
	r.override.len = sizeof(why);
	r.made_at = 300;
	assert_int_equal(store_referral_insert(fx->s, &r), VG_OK);
	r.id = (char *)"r3";
	r.tip_id = (char *)"00000000000000ff";
	assert_int_equal(store_referral_insert(fx->s, &r), VG_NOTFOUND);
	r.id = (char *)"r1";
	r.tip_id = (char *)"0000000000000001";
	assert_int_equal(store_referral_insert(fx->s, &r), VG_EXISTS);

	assert_int_equal(store_referral_set_outcome(fx->s, "r1", "0000000000000001", "accepted", 400, uid), VG_OK);
	assert_int_equal(store_referral_set_outcome(fx->s, "r1", "00000000000000ff", "done", 400, uid), VG_NOTFOUND);
	assert_int_not_equal(store_referral_set_outcome(fx->s, "r1", "0000000000000001", "lost", 400, uid), VG_OK);

	assert_int_equal(store_referral_list(fx->s, "0000000000000001", &l), VG_OK);
	assert_int_equal(l.count, 2);
	assert_string_equal(l.rows[0].id, "r1");
	assert_string_equal(l.rows[0].rule, "crisis-emergency");
	assert_string_equal(l.rows[0].outcome, "accepted");
	assert_int_equal(l.rows[0].outcome_at, 400);
	assert_int_equal(l.rows[0].outcome_by, uid);
	assert_int_equal(l.rows[0].consent, 1);
	assert_null(l.rows[0].override.data);
	assert_string_equal(l.rows[1].id, "r2");
	assert_string_equal(l.rows[1].rule, "");
	assert_string_equal(l.rows[1].outcome, "made");
	assert_int_equal(l.rows[1].outcome_at, 0);
	assert_int_equal(l.rows[1].consent, 0);
	assert_memory_equal(l.rows[1].override.data, why, sizeof(why));
	referral_list_release(&l);
	assert_int_equal(store_referral_list(fx->s, "00000000000000ff", &l), VG_OK);
	assert_int_equal(l.count, 0);
	referral_list_release(&l);
}

/* A batch's calls commit together; one that fails is undone alone. */
static void test_batch(void **state)
{
	struct fixture *fx = *state;
	struct tip_fixture a, b, dup;
	struct tip_row got = { 0 };
	struct audit_row e = { 0 };
	int64_t n = -1;

	tip_make(&a, 1, 100, "new");
	tip_make(&b, 2, 200, "new");
	assert_int_equal(store_batch_begin(fx->s), VG_OK);
	assert_int_equal(store_tip_insert(fx->s, &a.row), VG_OK);
	/* The same id again: the insert fails and only it is undone. */
	tip_make(&dup, 1, 100, "new");
	assert_int_equal(store_tip_insert(fx->s, &dup.row), VG_EXISTS);
	assert_int_equal(store_tip_insert(fx->s, &b.row), VG_OK);
	/* A deferred write inside the batch neither commits nor changes the level. */
	e.at = 300;
	e.action = (char *)"case.open";
	e.deferred = 1;
	assert_int_equal(store_audit_append(fx->s, &e, fake_hash, NULL), VG_OK);
	assert_int_equal(store_batch_end(fx->s, VG_OK), VG_OK);
	assert_int_equal(sync_level(fx->s), 2);
	assert_int_equal(store_tip_count(fx->s, NULL, &n), VG_OK);
	assert_int_equal(n, 2);
	assert_int_equal(store_tip_get(fx->s, b.id, &got), VG_OK);
	assert_tip_equal(&got, &b.row);
	tip_row_release(&got);
	assert_int_equal(store_audit_count(fx->s, &n), VG_OK);
	assert_int_equal(n, 1);

	/* A failed batch leaves nothing of its calls behind. */
	tip_make(&a, 3, 400, "new");
	assert_int_equal(store_batch_begin(fx->s), VG_OK);
	assert_int_equal(store_tip_insert(fx->s, &a.row), VG_OK);
	assert_int_equal(store_batch_end(fx->s, VG_NOMEM), VG_NOMEM);
	assert_int_equal(store_tip_get(fx->s, a.id, &got), VG_NOTFOUND);
	assert_int_equal(store_tip_count(fx->s, NULL, &n), VG_OK);
	assert_int_equal(n, 2);
	assert_int_equal(sync_level(fx->s), 2);
}

/* Batches from many threads share the log's flushes and all arrive. */
static void test_batch_concurrent(void **state)
{
	struct fixture *fx = *state;

	insert_concurrently(fx, 7000, true);
	/* Every commit was counted and every count was synced. */
	assert_int_equal(fx->s->wal.committed, THREADS * TIPS_PER_THREAD);
	assert_true(fx->s->wal.synced == fx->s->wal.committed);
	assert_int_equal(sync_level(fx->s), 2);
}

static int64_t queued(struct store *s)
{
	return query_int(s, "SELECT count(*) FROM search_queue");
}

/* New documents wait in the queue; a search indexes them first. */
static void test_search_queue(void **state)
{
	struct fixture *fx = *state;
	struct search_hit_list l = {0};
	struct tip_fixture f[4];
	unsigned i;

	for (i = 0; i < 3; i++) {
		tip_make(&f[i], 60 + i, 100 + i, "new");
		assert_int_equal(store_tip_insert(fx->s, &f[i].row), VG_OK);
	}
	assert_int_equal(queued(fx->s), 3);
	assert_int_equal(query_int(fx->s, "SELECT count(*) FROM search_fts"), 0);
	/* A queued document has no search_docs row yet (migration 0013). */
	assert_int_equal(query_int(fx->s, "SELECT count(*) FROM search_docs"), 0);
	/* Fewer than asked for: nothing is indexed yet. */
	assert_int_equal(store_search_catch_up(fx->s, 4), VG_OK);
	assert_int_equal(queued(fx->s), 3);

	/* A queued document that goes leaves the queue with it. */
	assert_int_equal(sqlite3_exec(fx->s->db, "DELETE FROM tips WHERE rowid = 2",
				      NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(queued(fx->s), 2);

	assert_int_equal(store_search(fx->s, "new", 0, 10, &l), VG_OK);
	assert_int_equal(queued(fx->s), 0);
	assert_int_equal(l.count, 2);
	assert_string_equal(l.rows[0].ref, f[2].id);
	assert_string_equal(l.rows[1].ref, f[0].id);
	search_hit_list_release(&l);

	/* Changed while queued: the text indexed is the one it has then. */
	tip_make(&f[3], 63, 200, "new");
	assert_int_equal(store_tip_insert(fx->s, &f[3].row), VG_OK);
	assert_int_equal(store_tip_set_status(fx->s, f[3].id, "closed", 300), VG_OK);
	assert_int_equal(store_search_catch_up(fx->s, 1), VG_OK);
	assert_int_equal(queued(fx->s), 0);
	assert_int_equal(store_search(fx->s, "closed", 0, 10, &l), VG_OK);
	assert_int_equal(l.count, 1);
	assert_string_equal(l.rows[0].ref, f[3].id);
	search_hit_list_release(&l);
	assert_int_equal(store_search(fx->s, "new", 0, 10, &l), VG_OK);
	assert_int_equal(l.count, 2);
	search_hit_list_release(&l);
	/* The rows were made in the order the documents arrived. */
	assert_int_equal(query_int(fx->s, "SELECT count(*) FROM search_docs d1, search_docs d2 "
				   "WHERE d1.ref = '000000000000003c' AND d2.ref = '000000000000003e' "
				   "AND d1.rowid < d2.rowid"), 1);

	/* A queued document that has its row already is indexed once, not an error. */
	assert_int_equal(sqlite3_exec(fx->s->db, "INSERT INTO search_queue (kind, ref) "
				      "SELECT 'tip', ref FROM search_docs WHERE rowid = 1",
				      NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(store_search_catch_up(fx->s, 1), VG_OK);
	assert_int_equal(queued(fx->s), 0);
	assert_int_equal(query_int(fx->s, "SELECT count(*) FROM search_docs"), 3);
	assert_int_equal(store_search(fx->s, "new", 0, 10, &l), VG_OK);
	assert_int_equal(l.count, 2);
	search_hit_list_release(&l);
}

#define STORE_TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		STORE_TEST(test_open_creates_schema),
		STORE_TEST(test_reopen_applies_nothing),
		STORE_TEST(test_tip_roundtrip),
		STORE_TEST(test_tip_unknown),
		STORE_TEST(test_tip_duplicates),
		STORE_TEST(test_tip_list),
		STORE_TEST(test_tip_list_limit_clamped),
		STORE_TEST(test_tip_status),
		STORE_TEST(test_tip_screening),
		STORE_TEST(test_referrals),
		STORE_TEST(test_messages),
		STORE_TEST(test_message_unknown_tip),
		STORE_TEST(test_users),
		STORE_TEST(test_user_set_password),
		STORE_TEST(test_sessions),
		STORE_TEST(test_audit),
		STORE_TEST(test_audit_deferred),
		STORE_TEST(test_throttle),
		STORE_TEST(test_readonly),
		STORE_TEST(test_concurrent_inserts),
		STORE_TEST(test_batch),
		STORE_TEST(test_batch_concurrent),
		STORE_TEST(test_search_queue),
		cmocka_unit_test(test_release_zeroed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

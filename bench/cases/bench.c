/*
 * bench/cases/bench.c - triage queue and entity lookup latency with a
 * large database, through the store API and, as the reference, the same
 * queries on a plain SQLite connection to the same file in the same run.
 *
 * usage: bench --data DIR --tips N [--runs K] [--json FILE]
 *
 * DIR must have been made with `vigil init`. When it holds fewer than N
 * tips, synthetic ones are added first, each with its case, its case_tips
 * row and one phone number entity (+1 NPA 555 01xx: 80,000 numbers, so
 * every number is shared by about N / 80,000 tips); the store's triggers
 * queue their search documents, indexed before the measurements. Rows are written with plain SQL in
 * large transactions (the store commits one row at a time, durably, which
 * would take hours for a million); the sealed values and blind indexes
 * are made with the real keys, exactly as the app makes them.
 */
#include "base/compat.h"
#include "app/app.h"
#include "app/links.h"
#include "crypto/seal.h"
#include "store/cases.h"
#include "store/entities.h"

#include <sqlite3.h>
#include <time.h>

#define BATCH 20000
#define PAGE 50
#define CURSORS 400

static uint64_t splitmix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void die(const char *what, int rc)
{
	fprintf(stderr, "bench/cases: %s: %d\n", what, rc);
	exit(1);
}

static void sql_ok(sqlite3 *db, int rc, const char *what)
{
	if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
		fprintf(stderr, "bench/cases: %s: %s\n", what, sqlite3_errmsg(db));
		exit(1);
	}
}

/* The phone number of synthetic tip i: +1 NPA 555 01xx. */
static void phone_of(uint64_t i, char out[16])
{
	uint64_t h = splitmix(i ^ 0x5eedull);

	snprintf(out, 16, "+1%03u55501%02u", (unsigned)(200 + h % 800),
		 (unsigned)((h >> 20) % 100));
}

static void bind_sealed(sqlite3_stmt *st, int idx, const struct keys *k, const char *ad,
			const char *text)
{
	unsigned char *ct;
	size_t len;

	if (seal_encrypt(k, ad, text, strlen(text), &ct, &len))
		die("seal", 0);
	sqlite3_bind_blob(st, idx, ct, (int)len, free);
}

static void generate(struct app *app, const char *dbpath, int64_t have, int64_t want)
{
	static const char *const regions[] = {"CA", "NV", "OR", "WA", "TX", "NY", "FL", "IL"};
	static const char *const statuses[] = {"new", "in_review", "closed"};
	static const char *const cstatuses[] = {"active", "follow_up", "closed"};
	static const char *const kinds[] = {"sex", "labor", "sex,labor"};
	static const char *const typ[] = {"escort_services", "agriculture", "domestic_work",
					  "illicit_massage", "restaurants"};
	sqlite3 *db;
	sqlite3_stmt *tip, *cs, *ct, *en, *sc;
	int64_t i, base = 1700000000;
	double t0 = now_ms();

	sql_ok(NULL, sqlite3_open(dbpath, &db), "open");
	sqlite3_busy_timeout(db, 5000);
	sql_ok(db, sqlite3_exec(db, "PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF",
				NULL, NULL, NULL), "pragma");
	sql_ok(db, sqlite3_prepare_v2(db,
		"INSERT INTO tips (id, receipt_index, created_at, updated_at, status, source, "
		"country, region, city, language, danger_now, may_contact, narrative, contact, "
		"details, screened_at, screen_status, urgency, kinds, typology, screening) VALUES "
		"(?1, ?2, ?3, ?3, ?4, 'web', 'US', ?5, '', 'en', ?6, 0, ?7, NULL, NULL, ?3, "
		"'possible', ?8, ?9, ?10, NULL)", -1, &tip, NULL), "prepare tips");
	sql_ok(db, sqlite3_prepare_v2(db,
		"INSERT INTO cases (id, created_at, updated_at, status, urgency, danger_now, "
		"screen_status, kinds, typology, country, region, city, ntips) VALUES "
		"(?1, ?2, ?2, ?3, ?4, ?5, 'possible', ?6, ?7, 'US', ?8, '', 1)", -1, &cs, NULL),
	       "prepare cases");
	sql_ok(db, sqlite3_prepare_v2(db,
		"INSERT INTO case_tips (tip_id, case_id, added_at) VALUES (?1, ?2, ?3)", -1, &ct,
		NULL), "prepare case_tips");
	sql_ok(db, sqlite3_prepare_v2(db,
		"INSERT INTO entities (id, kind, blind, value, tip_id, case_id, source, user_id, "
		"created_at) VALUES (?1, 'phone', ?2, ?3, ?4, NULL, 'screening', NULL, ?5)", -1,
		&en, NULL), "prepare entities");
	sql_ok(db, sqlite3_prepare_v2(db,
		"INSERT INTO entity_scans (tip_id, scanned_at) VALUES (?1, ?2)", -1, &sc, NULL),
	       "prepare scans");
	sql_ok(db, sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), "begin");
	for (i = have; i < want; i++) {
		char tid[17], cid[17], eid[17], ad[64], phone[16];
		unsigned char receipt[32], blind[32];
		uint64_t h = splitmix((uint64_t)i);
		int64_t at = base + i * 30;
		const char *urgency = h % 50 == 0 ? "crisis" : h % 5 == 0 ? "priority" : "routine";
		const char *region = regions[(h >> 8) % ARRAY_SIZE(regions)];
		int danger = h % 97 == 0, k;

		snprintf(tid, sizeof(tid), "%016" PRIx64, splitmix((uint64_t)i ^ 0x7101ull));
		snprintf(cid, sizeof(cid), "%016" PRIx64, splitmix((uint64_t)i ^ 0xca5eull));
		snprintf(eid, sizeof(eid), "%016" PRIx64, splitmix((uint64_t)i ^ 0xe417ull));
		for (k = 0; k < 4; k++) {
			uint64_t r = splitmix(h + (uint64_t)k);

			memcpy(receipt + 8 * k, &r, 8);
		}
		sqlite3_bind_text(tip, 1, tid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_blob(tip, 2, receipt, 32, SQLITE_TRANSIENT);
		sqlite3_bind_int64(tip, 3, at);
		sqlite3_bind_text(tip, 4, statuses[(h >> 16) % 3], -1, SQLITE_STATIC);
		sqlite3_bind_text(tip, 5, region, -1, SQLITE_STATIC);
		sqlite3_bind_int(tip, 6, danger);
		snprintf(ad, sizeof(ad), "tips/narrative/%s", tid);
		bind_sealed(tip, 7, &app->keys, ad, "A synthetic tip for the benchmark.");
		sqlite3_bind_text(tip, 8, urgency, -1, SQLITE_STATIC);
		sqlite3_bind_text(tip, 9, kinds[(h >> 24) % 3], -1, SQLITE_STATIC);
		sqlite3_bind_text(tip, 10, typ[(h >> 28) % ARRAY_SIZE(typ)], -1, SQLITE_STATIC);
		sql_ok(db, sqlite3_step(tip), "insert tip");
		sqlite3_reset(tip);

		sqlite3_bind_text(cs, 1, cid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(cs, 2, at);
		sqlite3_bind_text(cs, 3, cstatuses[(h >> 16) % 3], -1, SQLITE_STATIC);
		sqlite3_bind_text(cs, 4, urgency, -1, SQLITE_STATIC);
		sqlite3_bind_int(cs, 5, danger);
		sqlite3_bind_text(cs, 6, kinds[(h >> 24) % 3], -1, SQLITE_STATIC);
		sqlite3_bind_text(cs, 7, typ[(h >> 28) % ARRAY_SIZE(typ)], -1, SQLITE_STATIC);
		sqlite3_bind_text(cs, 8, region, -1, SQLITE_STATIC);
		sql_ok(db, sqlite3_step(cs), "insert case");
		sqlite3_reset(cs);

		sqlite3_bind_text(ct, 1, tid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ct, 2, cid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(ct, 3, at);
		sql_ok(db, sqlite3_step(ct), "insert case_tips");
		sqlite3_reset(ct);

		phone_of((uint64_t)i, phone);
		links_blind(&app->keys, LINKS_PHONE, phone, blind);
		sqlite3_bind_text(en, 1, eid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_blob(en, 2, blind, 32, SQLITE_TRANSIENT);
		snprintf(ad, sizeof(ad), "entities/value/%s", eid);
		bind_sealed(en, 3, &app->keys, ad, phone);
		sqlite3_bind_text(en, 4, tid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(en, 5, at);
		sql_ok(db, sqlite3_step(en), "insert entity");
		sqlite3_reset(en);

		sqlite3_bind_text(sc, 1, tid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(sc, 2, at);
		sql_ok(db, sqlite3_step(sc), "insert scan");
		sqlite3_reset(sc);

		if ((i + 1) % BATCH == 0) {
			sql_ok(db, sqlite3_exec(db, "COMMIT; BEGIN", NULL, NULL, NULL), "commit");
			fprintf(stderr, "\rbench/cases: %" PRId64 " tips (%.0f s)", i + 1,
				(now_ms() - t0) / 1e3);
		}
	}
	sql_ok(db, sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), "commit");
	sql_ok(db, sqlite3_exec(db, "ANALYZE; PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL),
	       "analyze");
	fprintf(stderr, "\nbench/cases: generated %" PRId64 " tips in %.0f s\n", want - have,
		(now_ms() - t0) / 1e3);
	sqlite3_finalize(tip);
	sqlite3_finalize(cs);
	sqlite3_finalize(ct);
	sqlite3_finalize(en);
	sqlite3_finalize(sc);
	sqlite3_close(db);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct stat_line {
	const char *name;
	double p50, p99, max;
	double ref_p50, ref_p99;
	double rows;
};

static void summarise(double *v, int n, double *p50, double *p99, double *max)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	*p50 = v[n / 2];
	*p99 = v[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1];
	*max = v[n - 1];
}

/* Steps st to its end reading every column, as a store read would; returns the rows. */
static int drain(sqlite3_stmt *st)
{
	int rows = 0, i;

	while (sqlite3_step(st) == SQLITE_ROW) {
		for (i = 0; i < sqlite3_column_count(st); i++)
			(void)sqlite3_column_blob(st, i);
		rows++;
	}
	sqlite3_reset(st);
	return rows;
}

/* The queue's cursors at increasing depths, walked once through the store. */
static int cursors(struct store *s, struct case_filter *cur, char (*ids)[CASE_ID_SIZE], int n)
{
	struct case_filter f = { .limit = PAGE };
	int i;

	for (i = 0; i < n; i++) {
		struct case_list l = {0};

		if (store_case_list(s, &f, &l) || l.count == 0) {
			case_list_release(&l);
			break;
		}
		cur[i] = f;
		snprintf(ids[i], CASE_ID_SIZE, "%s", l.rows[l.count - 1].id);
		f.after_rank = l.rows[l.count - 1].urgency_rank;
		f.after_created = l.rows[l.count - 1].created_at;
		f.after_id = ids[i];
		case_list_release(&l);
	}
	return i;
}

/* The tips queue's cursors in triage order (the staff page), likewise. */
static int tip_cursors(struct store *s, struct tip_filter *cur, int n)
{
	struct tip_filter f = { .triage = 1, .limit = PAGE };
	int i;

	for (i = 0; i < n; i++) {
		struct tip_list l = {0};

		if (store_tip_list(s, &f, &l) || l.count == 0) {
			tip_list_release(&l);
			break;
		}
		cur[i] = f;
		f.before_rank = l.rows[l.count - 1].urgency_rank;
		f.before_seq = l.rows[l.count - 1].seq;
		tip_list_release(&l);
	}
	return i;
}

/* What the probes share. */
struct ctx {
	struct app *app;
	int64_t tips;
	struct case_filter *cur;
	int ncur;
	struct tip_filter *tcur;
	int ntcur;
	sqlite3_stmt *q_first, *q_after, *q_find, *q_search;
	double rows;
};

/* One query: the store's way and the reference's way for run i, each timed. */
struct probe {
	const char *name;
	double (*store)(struct ctx *x, int i);
	double (*ref)(struct ctx *x, int i); /* NULL: no reference */
	int runs_div;                        /* runs / runs_div timed runs */
};

static const char *const words[] = {"\"US-CA\"", "\"US-NV\"", "\"crisis\"", "\"labor\" \"US-TX\""};
static const char *const prefixes[] = {"\"US-CA\"*", "\"US-NV\"*", "\"crisis\"*",
				       "\"labor\"* \"US-TX\"*"};

static double queue_first(struct ctx *x, int i)
{
	struct case_filter f = { .limit = PAGE };
	struct case_list l = {0};
	double s = now_ms(), e;

	(void)i;
	if (store_case_list(x->app->store, &f, &l))
		die("store_case_list", 0);
	e = now_ms() - s;
	x->rows += (double)l.count;
	case_list_release(&l);
	return e;
}

static double queue_first_ref(struct ctx *x, int i)
{
	double s = now_ms();

	(void)i;
	drain(x->q_first);
	return now_ms() - s;
}

static const struct case_filter *deep(struct ctx *x, int i)
{
	return &x->cur[1 + (int)(splitmix((uint64_t)i) % (uint64_t)(x->ncur - 1))];
}

static double queue_deep(struct ctx *x, int i)
{
	struct case_filter f = *deep(x, i);
	struct case_list l = {0};
	double s = now_ms(), e;

	if (store_case_list(x->app->store, &f, &l))
		die("store_case_list", 0);
	e = now_ms() - s;
	x->rows += (double)l.count;
	case_list_release(&l);
	return e;
}

static double queue_deep_ref(struct ctx *x, int i)
{
	const struct case_filter *f = deep(x, i);
	double s = now_ms();

	sqlite3_bind_int(x->q_after, 1, f->after_rank);
	sqlite3_bind_int64(x->q_after, 2, f->after_created);
	sqlite3_bind_text(x->q_after, 3, f->after_id, -1, SQLITE_STATIC);
	drain(x->q_after);
	return now_ms() - s;
}

static double tips_with(struct ctx *x, const struct tip_filter *f)
{
	struct tip_list l = {0};
	double s = now_ms(), e;

	if (store_tip_list(x->app->store, f, &l))
		die("store_tip_list", 0);
	e = now_ms() - s;
	x->rows += (double)l.count;
	tip_list_release(&l);
	return e;
}

static double tips_first(struct ctx *x, int i)
{
	(void)i;
	return tips_with(x, &x->tcur[0]);
}

static double tips_deep(struct ctx *x, int i)
{
	return tips_with(x, &x->tcur[1 + (int)(splitmix((uint64_t)i) % (uint64_t)(x->ntcur - 1))]);
}

/* A random one of the 80,000 numbers, as a blind index. */
static void blind_of(struct ctx *x, int i, unsigned char blind[32])
{
	char phone[16];

	phone_of(splitmix((uint64_t)i * 7 + 1) % (uint64_t)x->tips, phone);
	links_blind(&x->app->keys, LINKS_PHONE, phone, blind);
}

static double entity_find(struct ctx *x, int i)
{
	struct entity_link_list l = {0};
	unsigned char blind[32];
	int64_t next;
	double s, e;

	blind_of(x, i, blind);
	s = now_ms();
	if (store_entity_find(x->app->store, blind, 0, PAGE, &l, &next))
		die("store_entity_find", 0);
	e = now_ms() - s;
	x->rows += (double)l.count;
	entity_link_list_release(&l);
	return e;
}

static double entity_find_ref(struct ctx *x, int i)
{
	unsigned char blind[32];
	double s;

	blind_of(x, i, blind);
	s = now_ms();
	sqlite3_bind_blob(x->q_find, 1, blind, 32, SQLITE_STATIC);
	drain(x->q_find);
	return now_ms() - s;
}

static double related(struct ctx *x, int i)
{
	struct entity_link_list l = {0};
	char tid[17];
	double s, e;

	snprintf(tid, sizeof(tid), "%016" PRIx64,
		 splitmix((splitmix((uint64_t)i * 13 + 5) % (uint64_t)x->tips) ^ 0x7101ull));
	s = now_ms();
	if (store_entity_related_tip(x->app->store, tid, PAGE, &l))
		die("store_entity_related_tip", 0);
	e = now_ms() - s;
	x->rows += (double)l.count;
	entity_link_list_release(&l);
	return e;
}

static double search_with(struct ctx *x, const char *q)
{
	struct search_hit_list l = {0};
	double s = now_ms(), e;

	if (store_search(x->app->store, q, 0, 40, &l))
		die("store_search", 0);
	e = now_ms() - s;
	x->rows += (double)l.count;
	search_hit_list_release(&l);
	return e;
}

static double search_ref_with(struct ctx *x, const char *q)
{
	double s = now_ms();

	sqlite3_bind_text(x->q_search, 1, q, -1, SQLITE_STATIC);
	drain(x->q_search);
	return now_ms() - s;
}

static double search_words(struct ctx *x, int i) { return search_with(x, words[i % 4]); }
static double search_words_ref(struct ctx *x, int i) { return search_ref_with(x, words[i % 4]); }
static double search_prefix(struct ctx *x, int i) { return search_with(x, prefixes[i % 4]); }
static double search_prefix_ref(struct ctx *x, int i) { return search_ref_with(x, prefixes[i % 4]); }

static const struct probe probes[] = {
	{"triage queue, first page (50 cases)", queue_first, queue_first_ref, 1},
	{"triage queue, page 2-400 by cursor", queue_deep, queue_deep_ref, 1},
	{"tips queue (triage), first page", tips_first, NULL, 1},
	{"tips queue (triage), page 2-400", tips_deep, NULL, 1},
	{"entity lookup (phone, blind index)", entity_find, entity_find_ref, 1},
	{"related tips of a tip (store only)", related, NULL, 1},
	{"word search, first 40 hits", search_words, search_words_ref, 1},
	{"word search with prefixes, first 40", search_prefix, search_prefix_ref, 10},
};

/*
 * Runs a probe: each run times the store and the reference, in turns first
 * (so neither always finds the pages the other just read in the cache).
 */
static void measure(struct ctx *x, const struct probe *p, int runs, double *t, double *r,
		    struct stat_line *out)
{
	int i, n = runs / p->runs_div;

	x->rows = 0;
	for (i = 0; i < n; i++) {
		if (p->ref && i % 2) {
			r[i] = p->ref(x, i);
			t[i] = p->store(x, i);
		} else {
			t[i] = p->store(x, i);
			r[i] = p->ref ? p->ref(x, i) : 0;
		}
	}
	out->name = p->name;
	out->rows = x->rows / n;
	out->ref_p50 = out->ref_p99 = -1;
	if (p->ref)
		summarise(r, n, &out->ref_p50, &out->ref_p99, &out->max);
	summarise(t, n, &out->p50, &out->p99, &out->max);
}

int main(int argc, char **argv)
{
	const char *dir = NULL, *json = NULL;
	int64_t want = 1000000, have = 0;
	int runs = 2000, i, a;
	struct stat_line lines[ARRAY_SIZE(probes)];
	char (*ids)[CASE_ID_SIZE];
	struct ctx x = {0};
	struct app app;
	char dbpath[1100];
	double *t, *r;
	sqlite3 *ref;
	sqlite3_stmt *q_count;
	FILE *f;

	for (a = 1; a + 1 < argc; a += 2) {
		if (!strcmp(argv[a], "--data"))
			dir = argv[a + 1];
		else if (!strcmp(argv[a], "--tips"))
			want = strtoll(argv[a + 1], NULL, 10);
		else if (!strcmp(argv[a], "--runs"))
			runs = (int)strtol(argv[a + 1], NULL, 10);
		else if (!strcmp(argv[a], "--json"))
			json = argv[a + 1];
	}
	if (!dir || want < PAGE || runs < 100) {
		fprintf(stderr, "usage: bench --data DIR --tips N [--runs K>=100] [--json FILE]\n");
		return 2;
	}
	if (app_open(dir, &app))
		die("app_open (run vigil init first)", 0);
	snprintf(dbpath, sizeof(dbpath), "%s/vigil.db", dir);
	sql_ok(NULL, sqlite3_open_v2(dbpath, &ref, SQLITE_OPEN_READWRITE, NULL), "open ref");
	sql_ok(ref, sqlite3_prepare_v2(ref, "SELECT count(*) FROM tips", -1, &q_count, NULL),
	       "count");
	if (sqlite3_step(q_count) == SQLITE_ROW)
		have = sqlite3_column_int64(q_count, 0);
	sqlite3_finalize(q_count);
	if (have < want)
		generate(&app, dbpath, have, want);
	/* The generated documents were queued for the search index: index them now. */
	if (store_search_catch_up(app.store, 0))
		die("store_search_catch_up", 0);

	/* The reference: the same queries as plain SQL on a connection of its own. */
	sql_ok(ref, sqlite3_prepare_v2(ref,
		"SELECT * FROM cases WHERE status IN ('active', 'follow_up') "
		"ORDER BY urgency_rank, created_at, id LIMIT 50", -1, &x.q_first, NULL), "q_first");
	sql_ok(ref, sqlite3_prepare_v2(ref,
		"SELECT * FROM cases WHERE status IN ('active', 'follow_up') "
		"AND (urgency_rank, created_at, id) > (?1, ?2, ?3) "
		"ORDER BY urgency_rank, created_at, id LIMIT 50", -1, &x.q_after, NULL), "q_after");
	sql_ok(ref, sqlite3_prepare_v2(ref,
		"SELECT * FROM entities WHERE blind = ?1 ORDER BY rowid DESC LIMIT 50", -1,
		&x.q_find, NULL), "q_find");
	sql_ok(ref, sqlite3_prepare_v2(ref,
		"SELECT d.rowid, d.kind, d.ref FROM search_fts f JOIN search_docs d "
		"ON d.rowid = f.rowid WHERE search_fts MATCH ?1 ORDER BY f.rowid DESC LIMIT 40",
		-1, &x.q_search, NULL), "q_search");

	x.app = &app;
	x.tips = want;
	x.cur = calloc(CURSORS, sizeof(*x.cur));
	ids = calloc(CURSORS, CASE_ID_SIZE);
	t = calloc((size_t)runs, sizeof(*t));
	r = calloc((size_t)runs, sizeof(*r));
	if (!x.cur || !ids || !t || !r)
		die("out of memory", 0);
	x.ncur = cursors(app.store, x.cur, ids, CURSORS);
	if (x.ncur < 2)
		die("the queue is empty", 0);
	x.tcur = calloc(CURSORS, sizeof(*x.tcur));
	if (!x.tcur)
		die("out of memory", 0);
	x.ntcur = tip_cursors(app.store, x.tcur, CURSORS);
	if (x.ntcur < 2)
		die("the tips queue is empty", 0);
	for (i = 0; i < (int)ARRAY_SIZE(probes); i++)
		measure(&x, &probes[i], runs, t, r, &lines[i]);

	printf("%-40s %8s %8s %8s %8s %8s %8s\n", "query", "p50 ms", "p99 ms", "max ms",
	       "ref p50", "ref p99", "rows");
	for (i = 0; i < (int)ARRAY_SIZE(probes); i++) {
		printf("%-40s %8.3f %8.3f %8.3f ", lines[i].name, lines[i].p50, lines[i].p99,
		       lines[i].max);
		if (lines[i].ref_p50 >= 0)
			printf("%8.3f %8.3f", lines[i].ref_p50, lines[i].ref_p99);
		else
			printf("%8s %8s", "-", "-");
		printf(" %8.1f\n", lines[i].rows);
	}
	if (json && (f = fopen(json, "w"))) {
		fprintf(f, "{\"tips\": %" PRId64 ", \"runs\": %d, \"queries\": [\n", want, runs);
		for (i = 0; i < (int)ARRAY_SIZE(probes); i++)
			fprintf(f, "  {\"name\": \"%s\", \"p50_ms\": %.4f, \"p99_ms\": %.4f, "
				"\"max_ms\": %.4f, \"ref_p50_ms\": %.4f, \"ref_p99_ms\": %.4f, "
				"\"rows\": %.1f}%s\n", lines[i].name, lines[i].p50, lines[i].p99,
				lines[i].max, lines[i].ref_p50, lines[i].ref_p99, lines[i].rows,
				i + 1 < (int)ARRAY_SIZE(probes) ? "," : "");
		fprintf(f, "]}\n");
		fclose(f);
	}
	sqlite3_finalize(x.q_first);
	sqlite3_finalize(x.q_after);
	sqlite3_finalize(x.q_find);
	sqlite3_finalize(x.q_search);
	sqlite3_close(ref);
	free(x.cur);
	free(x.tcur);
	free(ids);
	free(t);
	free(r);
	app_release(&app);
	return 0;
}

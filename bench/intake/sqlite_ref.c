/*
 * sqlite_ref - the practical limit for durable tip intake on this machine.
 *
 * It does what the vigil store does for one submitted tip and nothing else:
 * one INSERT into the `tips` table, in its own transaction, on a database in
 * WAL mode with synchronous=FULL, so every committed row has been fsync'ed
 * to the write-ahead log. The schema is the file given with --schema, which
 * bench/intake/run makes from every migration in src/store/migrations, so
 * the table has the server's columns and indexes. There is no HTTP,
 * no JSON and no sealing; the blobs are random bytes of the lengths the
 * sealed columns have. Comparing vigil's rate with this one shows what the
 * server costs on top of the disk.
 *
 * With --connections own (the default) each of --threads threads has its
 * own connection and waits for the write lock with busy_timeout, as
 * independent SQLite clients would, trying again after SQLITE_BUSY (counted
 * in busy_retries). With --connections shared the threads take turns on one
 * connection behind a mutex, as the vigil store does (store_sqlite.c): the
 * same serialised commits without SQLite's sleeping busy handler.
 *
 * It runs for --seconds (counting, as wrk does, only the rows committed in
 * that time) or until --rows rows are in, and times each INSERT:
 * from binding (or, in shared mode, from asking for the mutex) to the end of
 * its commit, which includes waiting for the write lock and the commit's
 * fsync. It prints one JSON line:
 *
 *   {"threads":8,"connections":"own","rows":2040,"seconds":10.003,
 *    "rate":203.9,"p50_ms":38.1,"p99_ms":91.0,"max_ms":140.2,
 *    "busy_retries":0}
 *
 * Exit status 0 on success; 1 if any INSERT failed (the error is printed),
 * 2 on bad usage.
 */
#include "base/compat.h"

#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>

/* Each thread keeps at most this many latencies (8 bytes each). */
#define REF_MAX_SAMPLES_PER_THREAD ((size_t)1 << 22)
#define REF_MAX_THREADS 1024
/* The schema file is a few kilobytes; anything near this is not it. */
#define REF_MAX_SCHEMA (1u << 20)
/*
 * With 64 connections a writer can wait out the whole busy_timeout while
 * others keep winning the lock; a client that must store the row tries
 * again, so the reference does too and counts it. The latency of such a
 * row runs from its first attempt to its commit.
 */
#define REF_MAX_BUSY_RETRIES 10

struct ref_options {
	const char *db_path;
	const char *schema_path;
	long threads;
	double seconds;         /* 0 when --rows bounds the run */
	long rows;              /* 0 when --seconds bounds the run */
	long narrative_len;     /* stored (sealed) lengths in bytes */
	long contact_len;
	long details_len;
	int shared;             /* one connection for all threads */
};

/* One row's random values, generated before its INSERT is timed. */
struct ref_row {
	char id[17];            /* 16 hex digits, as token_id() makes */
	unsigned char index[32];
	unsigned char *narrative;
	unsigned char *contact;
	unsigned char *details;
};

struct ref_thread {
	pthread_t tid;
	const struct ref_options *opt;
	struct ref_row row;
	uint64_t *lat_ns;
	size_t count;
	size_t cap;
	long busy_retries;
	int failed;
	char error[256];
};

/*
 * The start gate: every thread opens its connection, counts itself ready and
 * waits for the gate to open, so the clock does not include opening 64
 * connections. gate_abort tells the threads to leave without inserting.
 */
static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static long gate_ready;
static int gate_open;
static int gate_abort;
/* Written before the gate opens, read only after it. */
static uint64_t deadline_ns;
/* Rows claimed so far in --rows mode; each thread claims one per INSERT. */
static long rows_claimed;
static pthread_mutex_t claim_lock = PTHREAD_MUTEX_INITIALIZER;
/* In shared mode: the one connection, its statement and their lock. */
static sqlite3 *shared_db;
static sqlite3_stmt *shared_st;
static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: sqlite_ref --db PATH --schema SQLFILE --threads N\n"
		"                  (--seconds S | --rows N)\n"
		"                  --narrative BYTES --contact BYTES --details BYTES\n"
		"                  [--connections own|shared]\n"
		"The BYTES are the stored lengths of the sealed columns.\n");
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return VG_INVAL;
	*out = v;
	return VG_OK;
}

static int parse_args(int argc, char **argv, struct ref_options *o)
{
	long secs = 0;
	int i;

	memset(o, 0, sizeof(*o));
	o->narrative_len = o->contact_len = o->details_len = -1;
	for (i = 1; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];
		int rc = VG_OK;

		if (!strcmp(k, "--db"))
			o->db_path = v;
		else if (!strcmp(k, "--schema"))
			o->schema_path = v;
		else if (!strcmp(k, "--threads"))
			rc = parse_long(v, 1, REF_MAX_THREADS, &o->threads);
		else if (!strcmp(k, "--seconds"))
			rc = parse_long(v, 1, 3600, &secs);
		else if (!strcmp(k, "--rows"))
			rc = parse_long(v, 1, 100000000, &o->rows);
		else if (!strcmp(k, "--narrative"))
			rc = parse_long(v, 1, 1 << 20, &o->narrative_len);
		else if (!strcmp(k, "--contact"))
			rc = parse_long(v, 0, 1 << 20, &o->contact_len);
		else if (!strcmp(k, "--details"))
			rc = parse_long(v, 0, 1 << 20, &o->details_len);
		else if (!strcmp(k, "--connections") && !strcmp(v, "own"))
			o->shared = 0;
		else if (!strcmp(k, "--connections") && !strcmp(v, "shared"))
			o->shared = 1;
		else
			rc = VG_INVAL;
		if (rc) {
			fprintf(stderr, "sqlite_ref: bad argument %s %s\n", k, v);
			return VG_INVAL;
		}
	}
	o->seconds = (double)secs;
	if (i != argc || !o->db_path || !o->schema_path || !o->threads ||
	    !secs == !o->rows || o->narrative_len < 0 || o->contact_len < 0 ||
	    o->details_len < 0)
		return VG_INVAL;
	return VG_OK;
}

/* Reads the whole schema file into a NUL-terminated malloc'd string. */
static int read_schema(const char *path, char **out)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	size_t len;
	int rc = VG_IO;

	if (!f)
		goto out;
	text = malloc(REF_MAX_SCHEMA + 1);
	if (!text) {
		rc = VG_NOMEM;
		goto out;
	}
	len = fread(text, 1, REF_MAX_SCHEMA + 1, f);
	if (ferror(f))
		goto out;
	if (len > REF_MAX_SCHEMA) {
		rc = VG_TOOBIG;
		goto out;
	}
	text[len] = '\0';
	*out = text;
	text = NULL;
	rc = VG_OK;
out:
	free(text);
	if (f)
		fclose(f);
	return rc;
}

/*
 * Opens a connection with the store's settings (store_sqlite.c): the busy
 * timeout first, so that switching to WAL waits for other connections; then
 * WAL, synchronous=FULL (a per-connection setting, so every thread sets it),
 * foreign keys and secure_delete. On failure the message goes to err.
 */
static int open_db(const char *path, sqlite3 **out, char *err, size_t errsize)
{
	static const char *const pragmas[] = {
		"PRAGMA busy_timeout = 5000",
		"PRAGMA journal_mode = WAL",
		"PRAGMA synchronous = FULL",
		"PRAGMA foreign_keys = ON",
		"PRAGMA secure_delete = ON",
	};
	sqlite3 *db = NULL;
	size_t i;
	int rc = VG_DB;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errsize, "open %s: %s", path,
			 db ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(pragmas); i++) {
		if (sqlite3_exec(db, pragmas[i], NULL, NULL, NULL) != SQLITE_OK) {
			snprintf(err, errsize, "%s: %s", pragmas[i], sqlite3_errmsg(db));
			goto out;
		}
	}
	*out = db;
	db = NULL;
	rc = VG_OK;
out:
	sqlite3_close(db);
	return rc;
}

/* Creates the schema on a fresh database, in one transaction as store_open() does. */
static int create_schema(const struct ref_options *o)
{
	sqlite3 *db = NULL;
	char *schema = NULL, *msg = NULL, err[256];
	int rc;

	rc = read_schema(o->schema_path, &schema);
	if (rc) {
		fprintf(stderr, "sqlite_ref: cannot read %s: %s\n", o->schema_path,
			rc == VG_IO ? strerror(errno) : "too large or out of memory");
		goto out;
	}
	rc = open_db(o->db_path, &db, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "sqlite_ref: %s\n", err);
		goto out;
	}
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK ||
	    sqlite3_exec(db, schema, NULL, NULL, &msg) != SQLITE_OK ||
	    sqlite3_exec(db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "sqlite_ref: schema %s: %s (the database must be new)\n",
			o->schema_path, msg ? msg : sqlite3_errmsg(db));
		rc = VG_DB;
	}
out:
	sqlite3_free(msg);
	sqlite3_close(db);
	free(schema);
	return rc;
}

/* Whether the thread may insert one more row: the clock or the row budget. */
static int claim_row(const struct ref_options *o)
{
	int ok;

	if (!o->rows)
		return mono_ns() < deadline_ns;
	pthread_mutex_lock(&claim_lock);
	ok = rows_claimed < o->rows;
	if (ok)
		rows_claimed++;
	pthread_mutex_unlock(&claim_lock);
	return ok;
}

static int record(struct ref_thread *t, uint64_t ns)
{
	uint64_t *p;
	size_t cap;

	if (t->count == t->cap) {
		if (t->cap == REF_MAX_SAMPLES_PER_THREAD)
			return VG_TOOBIG;
		cap = t->cap ? t->cap * 2 : 4096;
		p = realloc(t->lat_ns, cap * sizeof(*p));
		if (!p)
			return VG_NOMEM;
		t->lat_ns = p;
		t->cap = cap;
	}
	t->lat_ns[t->count++] = ns;
	return VG_OK;
}

/*
 * Makes one tip of the vigil shape: a random 16-hex id and receipt index and
 * random blobs standing for the sealed narrative, contact and details.
 */
static void fill_row(struct ref_row *r, const struct ref_options *o)
{
	unsigned char raw_id[8];

	randombytes_buf(raw_id, sizeof(raw_id));
	sodium_bin2hex(r->id, sizeof(r->id), raw_id, sizeof(raw_id));
	randombytes_buf(r->index, sizeof(r->index));
	randombytes_buf(r->narrative, (size_t)o->narrative_len);
	randombytes_buf(r->contact, (size_t)o->contact_len);
	randombytes_buf(r->details, (size_t)o->details_len);
}

/* Binds a row with the text columns a submission through the API stores. */
static int bind_row(sqlite3_stmt *st, const struct ref_options *o,
		    const struct ref_row *r)
{
	int64_t now = (int64_t)time(NULL);
	int src;

	src = sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_blob(st, 2, r->index, sizeof(r->index), SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 3, now);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 4, now);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 5, "new", -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 6, "api", -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 7, "US", -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 8, "CA", -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 9, "Oakland", -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 10, "en", -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int(st, 11, 0);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int(st, 12, 0);
	if (src == SQLITE_OK)
		src = sqlite3_bind_blob(st, 13, r->narrative, (int)o->narrative_len,
					  SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = o->contact_len ?
		      sqlite3_bind_blob(st, 14, r->contact, (int)o->contact_len, SQLITE_STATIC) :
		      sqlite3_bind_null(st, 14);
	if (src == SQLITE_OK)
		src = o->details_len ?
		      sqlite3_bind_blob(st, 15, r->details, (int)o->details_len, SQLITE_STATIC) :
		      sqlite3_bind_null(st, 15);
	return src;
}

static const char insert_sql[] =
	"INSERT INTO tips (id, receipt_index, created_at, updated_at, status,"
	" source, country, region, city, language, danger_now, may_contact,"
	" narrative, contact, details)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

/* Waits at the start gate; returns nonzero when the run was called off. */
static int gate_wait(void)
{
	int abort_run;

	pthread_mutex_lock(&gate_lock);
	gate_ready++;
	pthread_cond_broadcast(&gate_cond);
	while (!gate_open)
		pthread_cond_wait(&gate_cond, &gate_lock);
	abort_run = gate_abort;
	pthread_mutex_unlock(&gate_lock);
	return abort_run;
}

/*
 * Binds the thread's row and steps the INSERT to its commit, trying again
 * while the write lock is busy. The statement is reset and keeps no pointer
 * to the row afterwards (SQLITE_STATIC bindings are only read by the step).
 */
static int insert_one(struct ref_thread *t, sqlite3 *db, sqlite3_stmt *st)
{
	int src, tries;

	if (bind_row(st, t->opt, &t->row) != SQLITE_OK) {
		snprintf(t->error, sizeof(t->error), "bind: %s", sqlite3_errmsg(db));
		return VG_DB;
	}
	for (tries = 0;; tries++) {
		src = sqlite3_step(st);
		if (src != SQLITE_DONE)
			snprintf(t->error, sizeof(t->error), "insert: %s",
				 sqlite3_errmsg(db));
		sqlite3_reset(st);
		if (src != SQLITE_BUSY || tries == REF_MAX_BUSY_RETRIES)
			break;
		t->busy_retries++;
	}
	sqlite3_clear_bindings(st);
	return src == SQLITE_DONE ? VG_OK : VG_DB;
}

/* Inserts one row through the shared connection, or the thread's own. */
static int insert_timed(struct ref_thread *t, sqlite3 *db, sqlite3_stmt *st)
{
	uint64_t t0 = mono_ns(), t1;
	int rc;

	if (t->opt->shared) {
		pthread_mutex_lock(&shared_lock);
		rc = insert_one(t, shared_db, shared_st);
		pthread_mutex_unlock(&shared_lock);
	} else {
		rc = insert_one(t, db, st);
	}
	t1 = mono_ns();
	/*
	 * As wrk does with requests still in flight when its time is up, a row
	 * committed after the deadline is neither counted nor timed: otherwise
	 * one connection starved by the busy handler would stretch the run
	 * and lower the rate although every other thread had stopped.
	 */
	if (!t->opt->rows && t1 >= deadline_ns)
		return rc;
	if (!rc && record(t, t1 - t0)) {
		snprintf(t->error, sizeof(t->error), "too many samples");
		rc = VG_TOOBIG;
	}
	return rc;
}

/* Opens the thread's connection and prepares its INSERT (own mode only). */
static int thread_open(struct ref_thread *t, sqlite3 **db, sqlite3_stmt **st)
{
	sqlite3 *d = NULL;
	sqlite3_stmt *s = NULL;
	int rc = open_db(t->opt->db_path, &d, t->error, sizeof(t->error));

	if (rc)
		return rc;
	if (sqlite3_prepare_v2(d, insert_sql, -1, &s, NULL) != SQLITE_OK) {
		snprintf(t->error, sizeof(t->error), "prepare: %s", sqlite3_errmsg(d));
		sqlite3_close(d);
		return VG_DB;
	}
	*db = d;
	*st = s;
	return VG_OK;
}

static void *insert_thread(void *arg)
{
	struct ref_thread *t = arg;
	const struct ref_options *o = t->opt;
	struct ref_row *r = &t->row;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc = VG_OK;

	/* One extra byte each, so that a zero length is still a valid buffer. */
	r->narrative = malloc((size_t)o->narrative_len + 1);
	r->contact = malloc((size_t)o->contact_len + 1);
	r->details = malloc((size_t)o->details_len + 1);
	if (!r->narrative || !r->contact || !r->details) {
		snprintf(t->error, sizeof(t->error), "out of memory");
		rc = VG_NOMEM;
	}
	if (!rc && !o->shared)
		rc = thread_open(t, &db, &st);
	t->failed = rc != VG_OK;
	/* A failed thread still passes the gate, so that main is not left waiting. */
	if (gate_wait())
		goto out;
	while (!t->failed && claim_row(o)) {
		fill_row(r, o);
		t->failed = insert_timed(t, db, st) != VG_OK;
	}
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(r->narrative);
	free(r->contact);
	free(r->details);
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* The nearest-rank percentile p (0 < p <= 100) of n sorted values, in ms. */
static double percentile_ms(const uint64_t *sorted, size_t n, double p)
{
	size_t rank = (size_t)((p / 100.0) * (double)n + 0.999999);

	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return (double)sorted[rank - 1] / 1e6;
}

/* Joins the threads' latencies, sorts them and prints the JSON line. */
static int report(const struct ref_options *o, struct ref_thread *th, double elapsed)
{
	long n = o->threads;
	uint64_t *all;
	size_t total = 0, k = 0;
	long i, retries = 0;

	for (i = 0; i < n; i++) {
		total += th[i].count;
		retries += th[i].busy_retries;
	}
	if (!total) {
		fprintf(stderr, "sqlite_ref: no row was inserted\n");
		return VG_INTERNAL;
	}
	all = malloc(total * sizeof(*all));
	if (!all) {
		fprintf(stderr, "sqlite_ref: out of memory\n");
		return VG_NOMEM;
	}
	/* A thread the busy handler starved all run long has no samples. */
	for (i = 0; i < n; i++) {
		if (!th[i].count)
			continue;
		memcpy(all + k, th[i].lat_ns, th[i].count * sizeof(*all));
		k += th[i].count;
	}
	qsort(all, total, sizeof(*all), cmp_u64);
	printf("{\"threads\":%ld,\"connections\":\"%s\",\"rows\":%zu,"
	       "\"seconds\":%.3f,\"rate\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,"
	       "\"max_ms\":%.3f,\"busy_retries\":%ld}\n",
	       n, o->shared ? "shared" : "own", total, elapsed, (double)total / elapsed,
	       percentile_ms(all, total, 50), percentile_ms(all, total, 99),
	       (double)all[total - 1] / 1e6, retries);
	free(all);
	return VG_OK;
}

/* Opens the one connection and INSERT that every thread uses in shared mode. */
static int shared_open(const struct ref_options *o)
{
	char err[256];
	int rc = open_db(o->db_path, &shared_db, err, sizeof(err));

	if (!rc && sqlite3_prepare_v2(shared_db, insert_sql, -1, &shared_st,
				      NULL) != SQLITE_OK) {
		snprintf(err, sizeof(err), "prepare: %s", sqlite3_errmsg(shared_db));
		rc = VG_DB;
	}
	if (rc)
		fprintf(stderr, "sqlite_ref: %s\n", err);
	return rc;
}

/*
 * Starts the threads, opens the gate once all that started are ready, and
 * returns the seconds from the gate opening to the last thread's end (the
 * time --rows rows took). If a
 * thread cannot be started the run is called off and *ok is cleared.
 */
static double run_threads(struct ref_options *o, struct ref_thread *th, int *ok)
{
	uint64_t start;
	long i, started;

	for (started = 0; started < o->threads; started++) {
		th[started].opt = o;
		if (pthread_create(&th[started].tid, NULL, insert_thread, &th[started]))
			break;
	}
	pthread_mutex_lock(&gate_lock);
	while (gate_ready < started)
		pthread_cond_wait(&gate_cond, &gate_lock);
	gate_abort = started < o->threads;
	start = mono_ns();
	deadline_ns = start + (uint64_t)(o->seconds * 1e9);
	gate_open = 1;
	pthread_cond_broadcast(&gate_cond);
	pthread_mutex_unlock(&gate_lock);

	*ok = !gate_abort;
	if (gate_abort)
		fprintf(stderr, "sqlite_ref: cannot start thread %ld\n", started);
	for (i = 0; i < started; i++) {
		pthread_join(th[i].tid, NULL);
		if (th[i].failed) {
			fprintf(stderr, "sqlite_ref: thread %ld: %s\n", i, th[i].error);
			*ok = 0;
		}
	}
	return (double)(mono_ns() - start) / 1e9;
}

int main(int argc, char **argv)
{
	struct ref_options o;
	struct ref_thread *th = NULL;
	double elapsed;
	long i;
	int ok = 0;

	if (parse_args(argc, argv, &o)) {
		usage();
		return 2;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "sqlite_ref: libsodium does not initialise\n");
		return 1;
	}
	if (create_schema(&o))
		return 1;
	if (o.shared && shared_open(&o))
		goto out;
	th = calloc((size_t)o.threads, sizeof(*th));
	if (!th) {
		fprintf(stderr, "sqlite_ref: out of memory\n");
		goto out;
	}
	elapsed = run_threads(&o, th, &ok);
	if (!o.rows)
		elapsed = o.seconds;
	if (ok)
		ok = report(&o, th, elapsed) == VG_OK;
	for (i = 0; i < o.threads; i++)
		free(th[i].lat_ns);
out:
	free(th);
	sqlite3_finalize(shared_st);
	sqlite3_close(shared_db);
	return ok ? 0 : 1;
}

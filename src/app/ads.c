#include "base/compat.h"
#include "app/ads.h"

#include "app/ads_json.h"
#include "app/screening.h"
#include "base/embedded.h"
#include "base/text.h"
#include "cluster/groups.h"
#include "cluster/network.h"
#include "screen/entities.h"
#include "screen/norm.h"
#include "web/template.h"

#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* Records per chunk, and the bytes after which a chunk takes no more. */
#define CHUNK_RECORDS 512
#define CHUNK_BYTES (4u << 20)
/* Records a worker claims at a time: its stages are timed per batch. */
#define BATCH 16
#define THREADS_MAX 64
#define CATEGORY_MAX 64
#define ERR_MAX 160
#define READ_BLOCK (64u << 10)
/* Bytes of normalisation buffers a worker keeps between ads. */
#define NORM_KEEP (64u << 10)
/* Ads listed by name per network in the report. */
#define REPORT_ADS 200

/* What a worker makes of one record, for this thread to add in order. */
/*
 * A record's results. What consume() reads of every ad comes first, up to
 * the sketch and the keys, so that it can ask for those lines a few ads
 * ahead (item_prefetch()).
 */
struct item {
	struct index_ad ad;        /* item_ready(): the fields below, as index_add() takes them */
	struct index_hashes hashes;
	size_t n_cats;
	char err[ERR_MAX];         /* "" when the record was good */
	struct index_sig sig;      /* of which index_add() reads the sketch and the first bands */
	uint64_t lineno;
	char id[INDEX_FIELD_MAX + 1];
	size_t id_len;
	char city[INDEX_FIELD_MAX + 1];
	char region[INDEX_FIELD_MAX + 1];
	int64_t posted;
	char contacts[INDEX_CONTACTS_MAX][sizeof(((struct entity *)0)->value)];
	size_t n_contacts;
	char cats[INDEX_CATS_MAX][CATEGORY_MAX];
	unsigned min_age;
	int has_sig;
};

struct chunk {
	struct buf text;          /* the records, each NUL-terminated */
	size_t off[CHUNK_RECORDS];
	uint64_t lineno[CHUNK_RECORDS];
	uint8_t too_long[CHUNK_RECORDS];
	size_t n;
	struct item *items;
	atomic_size_t next;       /* the next record a worker may claim */
};

/* The CSV columns the reader knows, by position in the header (-1: absent). */
enum { COL_ID, COL_POSTED, COL_SITE, COL_CITY, COL_REGION, COL_TITLE, COL_TEXT, COL_PHONES, COLS };
static const char *const col_names[COLS] = {
	"id", "posted_at", "site", "city", "region", "title", "text", "phones",
};

struct worker {
	struct ads_session *s;
	pthread_t thread;
	struct norm norm;          /* for the "phones" field */
	struct norm texts[BATCH];  /* each ad of a batch, normalised */
	struct entities *ents;
	double screen_s, norm_s, sign_s;
	int started;
};

struct ads_session {
	struct ads_options o;
	struct ads_index index;
	int incremental;          /* ads_session_load() was called: the index is filled ad by ad */
	struct networks nets;
	int finished;
	struct ads_stats stats;
	int csv;
	int *col_of;              /* CSV: our column of each header field, or -1 */
	size_t ncols;
	uint32_t *order;          /* ADS_ASSIGN: each ad read, in input order */
	size_t n_order, cap_order;
	/* The pool. */
	struct worker *workers;
	unsigned n_workers;
	pthread_mutex_t mu;
	pthread_cond_t go, done;
	struct chunk *job;
	unsigned gen, busy;
	int quit, pool_up;
};

static double cpu_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double wall_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

uint64_t ads_peak_rss(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return (uint64_t)ru.ru_maxrss * 1024;
}

/* Parsing the fields of one ad. */

/*
 * Copies a string field into dst (size bytes); a message on failure. v may
 * be NULL for a field that was not given (len 0).
 */
static const char *field_copy(const char *v, size_t len, char *dst, size_t size, int required,
			      const char *name, char *err)
{
	if (!len && required) {
		snprintf(err, ERR_MAX, "\"%s\" is empty", name);
		return err;
	}
	if (!len) {
		dst[0] = '\0';
		return NULL;
	}
	if (len >= size) {
		snprintf(err, ERR_MAX, "\"%s\" is longer than %zu bytes", name, size - 1);
		return err;
	}
	if (!ads_json_plain(v, len, 0) && text_check_line(v, len, size - 1)) {
		snprintf(err, ERR_MAX, "\"%s\" holds invalid UTF-8 or a control character", name);
		return err;
	}
	if (memchr(v, '\x1f', len)) {
		snprintf(err, ERR_MAX, "\"%s\" holds a control character", name);
		return err;
	}
	memcpy(dst, v, len);
	dst[len] = '\0';
	return NULL;
}

/*
 * RFC 3339: "2026-05-01T10:00:00Z", with optional fractional seconds and a
 * numeric offset instead of Z. Returns 0 and the seconds since 1970.
 */
static int parse_time(const char *s, size_t len, int64_t *out)
{
	struct tm tm = {0};
	unsigned v[6];
	size_t i, pos = 0;
	static const size_t widths[6] = {4, 2, 2, 2, 2, 2};
	static const char seps[6] = {'-', '-', 'T', ':', ':', '\0'};
	int64_t t, off = 0;

	for (i = 0; i < 6; i++) {
		size_t k;

		v[i] = 0;
		for (k = 0; k < widths[i]; k++, pos++) {
			if (pos >= len || s[pos] < '0' || s[pos] > '9')
				return -1;
			v[i] = v[i] * 10 + (unsigned)(s[pos] - '0');
		}
		if (seps[i]) {
			if (pos >= len || (s[pos] != seps[i] && !(seps[i] == 'T' && s[pos] == 't')))
				return -1;
			pos++;
		}
	}
	if (pos < len && s[pos] == '.') {
		pos++;
		if (pos >= len || s[pos] < '0' || s[pos] > '9')
			return -1;
		while (pos < len && s[pos] >= '0' && s[pos] <= '9')
			pos++;
	}
	if (pos < len && (s[pos] == 'Z' || s[pos] == 'z')) {
		pos++;
	} else if (pos + 6 == len && (s[pos] == '+' || s[pos] == '-') && s[pos + 3] == ':') {
		unsigned hh, mm;

		if (s[pos + 1] < '0' || s[pos + 1] > '9' || s[pos + 2] < '0' || s[pos + 2] > '9' ||
		    s[pos + 4] < '0' || s[pos + 4] > '9' || s[pos + 5] < '0' || s[pos + 5] > '9')
			return -1;
		hh = (unsigned)(s[pos + 1] - '0') * 10 + (unsigned)(s[pos + 2] - '0');
		mm = (unsigned)(s[pos + 4] - '0') * 10 + (unsigned)(s[pos + 5] - '0');
		if (hh > 23 || mm > 59)
			return -1;
		off = (int64_t)(hh * 3600 + mm * 60) * (s[pos] == '+' ? 1 : -1);
		pos += 6;
	} else {
		return -1;
	}
	if (pos != len || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 ||
	    v[4] > 59 || v[5] > 60)
		return -1;
	tm.tm_year = (int)v[0] - 1900;
	tm.tm_mon = (int)v[1] - 1;
	tm.tm_mday = (int)v[2];
	tm.tm_hour = (int)v[3];
	tm.tm_min = (int)v[4];
	tm.tm_sec = (int)v[5];
	t = (int64_t)timegm(&tm);
	/* timegm() normalises 31 April into 1 May: refuse dates that moved. */
	if (tm.tm_mday != (int)v[2])
		return -1;
	*out = t - off;
	return 0;
}

static void format_time(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == INDEX_NO_TIME || !gmtime_r(&tt, &tm)) {
		snprintf(buf, size, "%s", "");
		return;
	}
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The keys ads_json_read() looks for, in the order of the columns. */
static const struct ads_json_key json_keys[COLS] = {
	{"id", ADS_JSON_ID}, {"posted_at", ADS_JSON_TEXT}, {"site", ADS_JSON_TEXT},
	{"city", ADS_JSON_TEXT}, {"region", ADS_JSON_TEXT}, {"title", ADS_JSON_TEXT},
	{"text", ADS_JSON_TEXT}, {"phones", ADS_JSON_LIST},
};

/* The fields of one record, as borrowed strings. */
struct fields {
	const char *v[COLS];
	size_t len[COLS];
	json_t *phones;          /* JSON read by jansson: the array, or NULL */
	const struct ads_json_str *items; /* JSON read by ads_json_read(): the phones */
	size_t n_items;
	int have[COLS];
	char id_digits[32];      /* JSON: a numeric id, written out */
	struct ads_json fast;    /* what ads_json_read() found */
};

/*
 * Reads a JSON line the fast way (app/ads_json.h), which does not allocate;
 * returns 0 when the line is left to jansson.
 */
static int json_fields_fast(char *line, size_t len, struct fields *f)
{
	size_t i;

	if (!ads_json_read(line, len, json_keys, COLS, &f->fast))
		return 0;
	for (i = 0; i < COLS; i++) {
		if (!f->fast.val[i].s)
			continue;
		f->have[i] = 1;
		if (i == COL_PHONES) {
			f->items = f->fast.item;
			f->n_items = f->fast.n_items;
			continue;
		}
		f->v[i] = f->fast.val[i].s;
		f->len[i] = f->fast.val[i].len;
	}
	return 1;
}

/* Reads a JSON line into f; a message on failure. f's strings live in *root. */
static const char *json_fields(const char *line, size_t len, json_t **root, struct fields *f,
			       char *err)
{
	json_error_t jerr;
	json_t *o, *v;
	size_t i;

	*root = o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!o) {
		snprintf(err, ERR_MAX, "malformed JSON at column %d: %.120s", jerr.column, jerr.text);
		return err;
	}
	if (!json_is_object(o)) {
		snprintf(err, ERR_MAX, "an object is required");
		return err;
	}
	for (i = 0; i < COLS; i++) {
		v = json_object_get(o, col_names[i]);
		if (!v || json_is_null(v))
			continue;
		if (i == COL_PHONES) {
			size_t k;
			json_t *p;

			if (!json_is_array(v)) {
				snprintf(err, ERR_MAX, "\"phones\" must be an array of strings");
				return err;
			}
			json_array_foreach(v, k, p) {
				if (!json_is_string(p)) {
					snprintf(err, ERR_MAX, "\"phones\" must be an array of strings");
					return err;
				}
			}
			f->phones = v;
			f->have[i] = 1;
			continue;
		}
		if (i == COL_ID && json_is_integer(v)) {
			/* A numeric id is kept as its decimal digits. */
			snprintf(f->id_digits, sizeof(f->id_digits), "%" JSON_INTEGER_FORMAT,
				 json_integer_value(v));
			f->v[i] = f->id_digits;
			f->len[i] = strlen(f->id_digits);
			f->have[i] = 1;
			continue;
		}
		if (!json_is_string(v)) {
			snprintf(err, ERR_MAX, "\"%s\" must be a string", col_names[i]);
			return err;
		}
		f->v[i] = json_string_value(v);
		f->len[i] = json_string_length(v);
		f->have[i] = 1;
	}
	return NULL;
}

/*
 * Reads one CSV record (RFC 4180: fields separated by commas, quoted with
 * '"' when they hold commas, quotes or line breaks, "" for a quote) into
 * f, unquoting in place. cols maps the header's positions to ours.
 */
static const char *csv_fields(char *rec, size_t len, const int *col_of, size_t ncols,
			      struct fields *f, char *err)
{
	size_t pos = 0, field = 0;

	for (;;) {
		char *start = rec + pos, *w = start;
		int col = field < ncols ? col_of[field] : -1;

		if (pos < len && rec[pos] == '"') {
			pos++;
			for (;;) {
				if (pos >= len) {
					snprintf(err, ERR_MAX, "a quoted field is not closed");
					return err;
				}
				if (rec[pos] == '"') {
					if (pos + 1 < len && rec[pos + 1] == '"') {
						*w++ = '"';
						pos += 2;
						continue;
					}
					pos++;
					break;
				}
				*w++ = rec[pos++];
			}
			if (pos < len && rec[pos] != ',') {
				snprintf(err, ERR_MAX, "text after a quoted field, in field %zu", field + 1);
				return err;
			}
		} else {
			while (pos < len && rec[pos] != ',') {
				if (rec[pos] == '"') {
					snprintf(err, ERR_MAX, "a quote inside an unquoted field, in field %zu",
						 field + 1);
					return err;
				}
				*w++ = rec[pos++];
			}
		}
		if (col >= 0) {
			f->v[col] = start;
			f->len[col] = (size_t)(w - start);
			f->have[col] = 1;
		}
		field++;
		if (pos >= len)
			break;
		pos++; /* the comma */
	}
	if (field != ncols) {
		snprintf(err, ERR_MAX, "%zu fields where the header has %zu", field, ncols);
		return err;
	}
	return NULL;
}

/* The work of one record. */

/* Adds value as a contact of it unless it is there or the list is full. */
static void add_contact(struct item *it, const char *value)
{
	size_t i;

	for (i = 0; i < it->n_contacts; i++)
		if (!strcmp(it->contacts[i], value))
			return;
	if (it->n_contacts < INDEX_CONTACTS_MAX)
		snprintf(it->contacts[it->n_contacts++], sizeof(it->contacts[0]), "%s", value);
}

static void add_category(struct item *it, const char *cat)
{
	size_t i;

	if (strncmp(cat, "ad.", 3) && strncmp(cat, "minor.", 6))
		return;
	for (i = 0; i < it->n_cats; i++)
		if (!strcmp(it->cats[i], cat))
			return;
	if (it->n_cats < INDEX_CATS_MAX && strlen(cat) < CATEGORY_MAX)
		snprintf(it->cats[it->n_cats++], CATEGORY_MAX, "%s", cat);
}

static void note_age(struct item *it, double age)
{
	if (age >= 0 && age < INDEX_NO_AGE && (unsigned)age < it->min_age)
		it->min_age = (unsigned)age;
}

/* The numbers written in one "phones" field value, in E.164. */
static void field_phones(struct worker *w, const char *v, size_t len, struct item *it)
{
	struct entity_options eo;
	size_t i;

	memcpy(eo.default_country, w->s->o.default_country, 3);
	if (norm_text(&w->norm, v, len))
		return;
	entities_extract(v, len, &w->norm, &eo, w->ents);
	for (i = 0; i < w->ents->count; i++)
		if (w->ents->items[i].kind == ENTITY_PHONE)
			add_contact(it, w->ents->items[i].value);
}

/* Reads the screen's result into the item (arg): contacts, ages and ad categories. */
static int take_screen(const struct screen_result *r, void *arg)
{
	static const enum entity_kind contacts[] = { ENTITY_PHONE, ENTITY_EMAIL };
	const struct entities *ents = r->entities;
	struct item *it = arg;
	size_t i, k;

	for (i = 0; i < r->nindicators; i++)
		add_category(it, r->indicators[i].category);
	/* Phones before emails, as the result lists them. */
	for (k = 0; k < ARRAY_SIZE(contacts); k++)
		for (i = 0; i < ents->count; i++)
			if (ents->items[i].kind == contacts[k])
				add_contact(it, ents->items[i].value);
	for (i = 0; i < ents->count; i++)
		if (ents->items[i].kind == ENTITY_AGE)
			note_age(it, ents->items[i].number);
	return VG_OK;
}

/* Reads the extractors' entities of text, already normalised into n. */
static void take_entities(struct worker *w, const char *text, size_t len, const struct norm *n,
			  struct item *it)
{
	struct entity_options eo;
	size_t i;

	memcpy(eo.default_country, w->s->o.default_country, 3);
	entities_extract(text, len, n, &eo, w->ents);
	for (i = 0; i < w->ents->count; i++) {
		const struct entity *e = &w->ents->items[i];

		if (e->kind == ENTITY_PHONE || e->kind == ENTITY_EMAIL)
			add_contact(it, e->value);
		else if (e->kind == ENTITY_AGE)
			note_age(it, e->number);
	}
}


/*
 * Parses and screens record k of c into its item, and leaves the text to
 * sign (the title, a blank line, the text) in ad_text. Returns 0, or -1
 * when the record is skipped (the item says why).
 */
static int screen_record(struct worker *w, struct chunk *c, size_t k, struct buf *ad_text)
{
	struct ads_session *s = w->s;
	struct item *it = &c->items[k];
	struct fields f = {0};
	json_t *root = NULL, *p;
	char *rec = c->text.ptr + c->off[k];
	const char *msg;
	size_t i;
	int rc = -1;

	buf_reset(ad_text);
	it->min_age = INDEX_NO_AGE;
	it->posted = INDEX_NO_TIME;
	if (c->too_long[k]) {
		snprintf(it->err, ERR_MAX, "longer than %u bytes", ADS_RECORD_MAX);
		return -1;
	}
	if (s->csv)
		msg = csv_fields(rec, strlen(rec), s->col_of, s->ncols, &f, it->err);
	else if (json_fields_fast(rec, strlen(rec), &f))
		msg = NULL;
	else
		msg = json_fields(rec, strlen(rec), &root, &f, it->err);
	if (msg)
		goto out;
	if (!f.have[COL_ID] || !f.have[COL_TEXT]) {
		snprintf(it->err, ERR_MAX, "\"id\" and \"text\" are required");
		goto out;
	}
	if (field_copy(f.v[COL_ID], f.len[COL_ID], it->id, sizeof(it->id), 1, "id", it->err) ||
	    field_copy(f.v[COL_CITY], f.len[COL_CITY], it->city, sizeof(it->city), 0, "city",
		       it->err) ||
	    field_copy(f.v[COL_REGION], f.len[COL_REGION], it->region, sizeof(it->region), 0,
		       "region", it->err))
		goto out;
	it->id_len = f.len[COL_ID];
	if (f.len[COL_POSTED] && parse_time(f.v[COL_POSTED], f.len[COL_POSTED], &it->posted)) {
		snprintf(it->err, ERR_MAX, "\"posted_at\" is not an RFC 3339 time such as "
			 "2026-05-01T10:00:00Z");
		goto out;
	}
	if ((f.len[COL_TITLE] && buf_add(ad_text, f.v[COL_TITLE], f.len[COL_TITLE])) ||
	    (f.len[COL_TITLE] && buf_adds(ad_text, "\n\n")) ||
	    buf_add(ad_text, f.v[COL_TEXT], f.len[COL_TEXT])) {
		snprintf(it->err, ERR_MAX, "longer than %u bytes", ADS_RECORD_MAX);
		goto out;
	}
	if (!ads_json_plain(ad_text->ptr, ad_text->len, 1) &&
	    text_check(ad_text->ptr, ad_text->len, ADS_RECORD_MAX)) {
		snprintf(it->err, ERR_MAX, "the title or text holds invalid UTF-8 or a control "
			 "character");
		goto out;
	}
	/* Declared numbers first: they are the poster's own word for them. */
	if (f.phones) {
		json_array_foreach(f.phones, i, p)
			field_phones(w, json_string_value(p), json_string_length(p), it);
	} else if (f.items) {
		for (i = 0; i < f.n_items; i++)
			field_phones(w, f.items[i].s, f.items[i].len, it);
	} else if (f.len[COL_PHONES]) {
		const char *v = f.v[COL_PHONES], *end = v + f.len[COL_PHONES];

		while (v < end) {
			const char *sep = v;

			while (sep < end && *sep != ';' && *sep != '|')
				sep++;
			field_phones(w, v, (size_t)(sep - v), it);
			v = sep + 1;
		}
	}
	if (s->o.screening) {
		int r = screening_with(s->o.screening, s->o.default_country, ad_text->ptr,
				       ad_text->len, take_screen, it);

		if (r) {
			snprintf(it->err, ERR_MAX, "cannot be screened: %s", vg_strerror(r));
			goto out;
		}
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

/*
 * Empties an item for the next record: only what is read before it is
 * written. Clearing all of it, 3 KiB of fixed-size fields, wrote 3 GB for
 * a million ads and pushed the chunk's records out of the cache.
 */
static void item_reset(struct item *it)
{
	it->err[0] = '\0';
	it->id[0] = it->city[0] = it->region[0] = '\0';
	it->id_len = 0;
	it->n_contacts = 0;
	it->n_cats = 0;
	it->has_sig = 0;
}

/*
 * Makes it->ad from a good record's fields, and the hashes index_add()
 * will look them up by: here on a worker, so that the main thread finds
 * them made and can ask for the table slots ahead (consume()). The
 * indicator categories are the index's to number, in consume().
 */
static void item_ready(struct item *it)
{
	struct index_ad *ad = &it->ad;
	size_t j;

	memset(ad, 0, sizeof(*ad));
	ad->id = it->id;
	ad->id_len = it->id_len;
	ad->posted = it->posted;
	ad->city = it->city;
	ad->region = it->region;
	for (j = 0; j < it->n_contacts; j++)
		ad->contacts[j] = it->contacts[j];
	ad->n_contacts = it->n_contacts;
	ad->min_age = it->min_age;
	ad->sig = it->has_sig ? &it->sig : NULL;
	index_hash(ad, &it->hashes);
	ad->h = &it->hashes;
}

/*
 * Works through a chunk BATCH records at a time, in passes over the batch
 * (parse and screen; normalise; read contacts and ages when the indicator
 * screen is off; sign), timing each pass: the stages of --stats.
 */
static void work_chunk(struct worker *w, struct chunk *c)
{
	const struct ads_session *s = w->s;
	struct buf texts[BATCH];
	int ok[BATCH];
	size_t i;

	for (i = 0; i < BATCH; i++)
		buf_init(&texts[i], ADS_RECORD_MAX);
	for (;;) {
		size_t first = atomic_fetch_add(&c->next, BATCH), n, k;
		struct item *items = c->items + first;
		double t0, t1, t2, t3;

		if (first >= c->n)
			break;
		n = c->n - first < BATCH ? c->n - first : BATCH;
		t0 = cpu_now();
		for (k = 0; k < n; k++) {
			item_reset(&items[k]);
			items[k].lineno = c->lineno[first + k];
			ok[k] = !screen_record(w, c, first + k, &texts[k]);
		}
		t1 = cpu_now();
		for (k = 0; k < n; k++)
			ok[k] = ok[k] && !norm_text(&w->texts[k], buf_str(&texts[k]), texts[k].len);
		t2 = cpu_now();
		if (!s->o.screening)
			for (k = 0; k < n; k++)
				if (ok[k])
					take_entities(w, buf_str(&texts[k]), texts[k].len, &w->texts[k],
						      &items[k]);
		t3 = cpu_now();
		for (k = 0; k < n; k++) {
			uint32_t sig[MINHASH_K];

			items[k].has_sig = ok[k] && minhash_sign(&s->index.mh, w->texts[k].text,
								 w->texts[k].len, sig) > 0;
			if (items[k].has_sig)
				index_sign(&s->index, sig, &items[k].sig);
		}
		for (k = 0; k < n; k++)
			if (!items[k].err[0])
				item_ready(&items[k]);
		w->screen_s += t1 - t0 + t3 - t2;
		w->norm_s += t2 - t1;
		w->sign_s += cpu_now() - t3;
		/* A long ad's buffers are not kept for the short ones after it. */
		for (k = 0; k < n; k++) {
			if (w->texts[k].cap <= NORM_KEEP)
				continue;
			norm_release(&w->texts[k]);
			norm_init(&w->texts[k]);
		}
	}
	for (i = 0; i < BATCH; i++)
		buf_release(&texts[i]);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct ads_session *s = w->s;
	unsigned seen = 0;

	for (;;) {
		struct chunk *c;

		pthread_mutex_lock(&s->mu);
		while (s->gen == seen && !s->quit)
			pthread_cond_wait(&s->go, &s->mu);
		if (s->quit) {
			pthread_mutex_unlock(&s->mu);
			return NULL;
		}
		seen = s->gen;
		c = s->job;
		pthread_mutex_unlock(&s->mu);
		work_chunk(w, c);
		pthread_mutex_lock(&s->mu);
		if (--s->busy == 0)
			pthread_cond_signal(&s->done);
		pthread_mutex_unlock(&s->mu);
	}
}

/* Starts the pool's threads on c; the main thread is workers[0] and joins in itself. */
static void pool_start(struct ads_session *s, struct chunk *c)
{
	atomic_store(&c->next, 0);
	pthread_mutex_lock(&s->mu);
	s->job = c;
	s->busy = s->n_workers - 1;
	s->gen++;
	pthread_cond_broadcast(&s->go);
	pthread_mutex_unlock(&s->mu);
}

static void pool_wait(struct ads_session *s)
{
	pthread_mutex_lock(&s->mu);
	while (s->busy)
		pthread_cond_wait(&s->done, &s->mu);
	pthread_mutex_unlock(&s->mu);
}

static void pool_stop(struct ads_session *s)
{
	unsigned i;

	if (!s->pool_up)
		return;
	pthread_mutex_lock(&s->mu);
	s->quit = 1;
	pthread_cond_broadcast(&s->go);
	pthread_mutex_unlock(&s->mu);
	for (i = 0; i < s->n_workers; i++) {
		if (s->workers[i].started)
			pthread_join(s->workers[i].thread, NULL);
		s->stats.screen_s += s->workers[i].screen_s;
		s->stats.norm_s += s->workers[i].norm_s;
		s->stats.sign_s += s->workers[i].sign_s;
	}
	s->pool_up = 0;
}

/*
 * Starts n_workers - 1 threads: workers[0] is the main thread's, which
 * works on each chunk beside them once it has added the previous chunk
 * to the index. So there are as many threads as CPUs, not one more that
 * would take turns with a worker and push the index out of the cache.
 */
static int pool_begin(struct ads_session *s)
{
	unsigned i;

	s->quit = 0;
	for (i = 0; i < s->n_workers; i++) {
		s->workers[i].s = s;
		s->workers[i].screen_s = s->workers[i].norm_s = s->workers[i].sign_s = 0;
	}
	for (i = 1; i < s->n_workers; i++) {
		if (pthread_create(&s->workers[i].thread, NULL, worker_main, &s->workers[i])) {
			s->n_workers = i;
			break;
		}
		s->workers[i].started = 1;
	}
	s->pool_up = 1;
	return VG_OK;
}

/* Reading records. */

struct reader {
	FILE *in;
	char *blk;
	size_t len, pos;
	int eof;
	uint64_t lineno; /* lines consumed so far */
};

/* Reads the next block; 0 at the end of the input (VG_IO in *err on an error). */
static int refill(struct reader *r, int *err)
{
	if (r->eof)
		return 0;
	r->len = fread(r->blk, 1, READ_BLOCK, r->in);
	r->pos = 0;
	if (r->len < READ_BLOCK) {
		r->eof = 1;
		if (ferror(r->in))
			*err = VG_IO;
	}
	return r->len > 0;
}

/* Appends n bytes of a record, or marks it too long (and keeps it empty). */
static void record_add(struct buf *out, size_t start, const char *p, size_t n, int *too_long)
{
	if (*too_long)
		return;
	if (n > ADS_RECORD_MAX - (out->len - start) || buf_add(out, p, n)) {
		*too_long = 1;
		out->len = start;
	}
}

/*
 * Appends the next record to out: a line, or for CSV the lines up to a
 * line break outside quotes, without the line break (or "\r\n"), and a
 * NUL. White space before a record, blank lines included, is skipped.
 * *lineno is its first line's number; *too_long is set when it passed
 * ADS_RECORD_MAX (the rest is read and dropped). Returns 1, or 0 at the
 * end of the input.
 */
static int next_record(struct reader *r, int csv, struct buf *out, uint64_t *lineno,
		       int *too_long, int *err)
{
	size_t start = out->len;
	int quoted = 0, any = 0;

	*too_long = 0;
	for (;;) {
		const char *p, *end, *stop = NULL, *q;

		if (r->pos == r->len && !refill(r, err)) {
			if (!any)
				return 0;
			r->lineno++;
			break;
		}
		p = r->blk + r->pos;
		end = r->blk + r->len;
		if (!any) {
			for (; p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'); p++)
				r->lineno += *p == '\n';
			r->pos = (size_t)(p - r->blk);
			if (p == end)
				continue;
			any = 1;
			*lineno = r->lineno + 1;
		}
		if (!csv) {
			stop = memchr(p, '\n', (size_t)(end - p));
		} else {
			for (q = p; q < end; q++) {
				if (*q == '"') {
					quoted = !quoted;
				} else if (*q == '\n') {
					if (!quoted) {
						stop = q;
						break;
					}
					r->lineno++;
				}
			}
		}
		record_add(out, start, p, (size_t)((stop ? stop : end) - p), too_long);
		if (stop) {
			r->pos = (size_t)(stop + 1 - r->blk);
			r->lineno++;
			break;
		}
		r->pos = r->len;
	}
	while (out->len > start && out->ptr[out->len - 1] == '\r')
		out->len--;
	if (buf_addch(out, '\0'))
		*too_long = 1;
	return 1;
}

/* Reads the CSV header row into the session's column map. */
static int read_header(struct ads_session *s, struct reader *r, char *err, size_t errsize)
{
	struct buf h;
	uint64_t lineno;
	size_t pos = 0, n = 0, i, len;
	int too_long, rc = VG_OK, io = 0, have_id = 0, have_text = 0;

	buf_init(&h, ADS_RECORD_MAX + 1);
	if (!next_record(r, 1, &h, &lineno, &too_long, &io) || too_long) {
		snprintf(err, errsize, "the CSV input has no header row");
		rc = io ? io : VG_INVAL;
		goto out;
	}
	len = strlen(h.ptr);
	for (i = 0; i <= len; i++)
		n += i == len || h.ptr[i] == ',';
	s->col_of = malloc(n * sizeof(*s->col_of));
	if (!s->col_of) {
		rc = VG_NOMEM;
		goto out;
	}
	s->ncols = n;
	for (i = 0, n = 0; i <= len; i++) {
		size_t c, flen;
		const char *name;

		if (i < len && h.ptr[i] != ',')
			continue;
		name = h.ptr + pos;
		flen = i - pos;
		/* Header names may be quoted. */
		if (flen >= 2 && name[0] == '"' && name[flen - 1] == '"') {
			name++;
			flen -= 2;
		}
		s->col_of[n] = -1;
		for (c = 0; c < COLS; c++)
			if (strlen(col_names[c]) == flen && !strncmp(col_names[c], name, flen))
				s->col_of[n] = (int)c;
		have_id |= s->col_of[n] == COL_ID;
		have_text |= s->col_of[n] == COL_TEXT;
		n++;
		pos = i + 1;
	}
	if (!have_id || !have_text) {
		snprintf(err, errsize, "line %" PRIu64 ": the CSV header needs an \"id\" and a "
			 "\"text\" column", lineno);
		rc = VG_INVAL;
	}
out:
	buf_release(&h);
	return rc;
}

/* Reads up to a chunk of records; returns how many. */
static size_t fill_chunk(struct reader *r, int csv, struct chunk *c, int *err)
{
	buf_reset(&c->text);
	c->n = 0;
	while (c->n < CHUNK_RECORDS && c->text.len < CHUNK_BYTES) {
		int too_long;

		c->off[c->n] = c->text.len;
		if (!next_record(r, csv, &c->text, &c->lineno[c->n], &too_long, err))
			break;
		c->too_long[c->n] = (uint8_t)too_long;
		c->n++;
	}
	return c->n;
}

/* How many ads ahead consume() asks for an item's first lines, and for its table slots. */
#define ITEM_AHEAD 8
#define SLOTS_AHEAD 4

/*
 * Asks for the lines of item it that consume() reads: up to its error's
 * first byte, and its sketch and the keys of the index's bands.
 */
static void item_prefetch(const struct ads_index *x, const struct item *it)
{
	uintptr_t line = (uintptr_t)it & ~(uintptr_t)63, end;

	end = (uintptr_t)&it->sig.keys[x->params.bands];
	for (; line < end; line += 64)
		__builtin_prefetch((const void *)line);
}

/*
 * Asks for the index's slots of a good item's id and contacts, and for
 * the strings index_add() will compare or copy.
 */
static void item_prefetch_slots(const struct ads_index *x, const struct item *it)
{
	size_t j;

	if (it->err[0])
		return;
	index_prefetch(x, &it->hashes, it->ad.n_contacts);
	__builtin_prefetch(it->id);
	__builtin_prefetch(it->city);
	for (j = 0; j < it->ad.n_contacts; j++)
		__builtin_prefetch(it->contacts[j]);
}

/*
 * Adds a chunk's results to the index, in order. The items were written
 * on the workers' CPUs and the index's tables outgrow the caches: each
 * item's lines are asked for ITEM_AHEAD ads ahead, and its slots in the
 * tables SLOTS_AHEAD ads ahead, once its hashes have arrived.
 */
static int consume(struct ads_session *s, struct chunk *c, ads_report_fn report, void *arg)
{
	size_t k, j;
	int rc;

	for (k = 0; k < ITEM_AHEAD && k < c->n; k++)
		item_prefetch(&s->index, &c->items[k]);
	for (k = 0; k < c->n; k++) {
		struct item *it = &c->items[k];
		uint32_t a;

		if (k + ITEM_AHEAD < c->n)
			item_prefetch(&s->index, &c->items[k + ITEM_AHEAD]);
		if (k + SLOTS_AHEAD < c->n)
			item_prefetch_slots(&s->index, &c->items[k + SLOTS_AHEAD]);
		for (j = 0; j < 2; j++)
			if (k + 2 - j < c->n && !c->items[k + 2 - j].err[0])
				index_prefetch_contacts(&s->index, &c->items[k + 2 - j].hashes,
							c->items[k + 2 - j].ad.n_contacts, (int)j);
		s->stats.records++;
		if (it->err[0]) {
			s->stats.malformed++;
			if (report)
				report(arg, it->lineno, it->err);
			continue;
		}
		for (j = 0; j < it->n_cats; j++) {
			unsigned bit;

			if (!index_category(&s->index, it->cats[j], &bit))
				it->ad.cats |= (uint16_t)(1u << bit);
		}
		rc = index_add(&s->index, &it->ad, &a);
		if (rc == VG_EXISTS) {
			s->stats.duplicates++;
			a = intern_find(&s->index.ids, it->id, it->id_len);
		} else if (rc) {
			return rc;
		} else {
			s->stats.added++;
			s->stats.empty += !it->has_sig;
		}
		if (s->o.keep_order) {
			if (s->n_order == s->cap_order) {
				size_t cap = s->cap_order ? s->cap_order * 2 : 4096;
				uint32_t *o = realloc(s->order, cap * sizeof(*o));

				if (!o)
					return VG_NOMEM;
				s->order = o;
				s->cap_order = cap;
			}
			s->order[s->n_order++] = a;
		}
	}
	return VG_OK;
}

static int chunk_init(struct chunk *c)
{
	buf_init(&c->text, CHUNK_BYTES + ADS_RECORD_MAX + 2);
	c->n = 0;
	c->items = malloc(CHUNK_RECORDS * sizeof(*c->items));
	return c->items ? VG_OK : VG_NOMEM;
}

static void chunk_release(struct chunk *c)
{
	buf_release(&c->text);
	free(c->items);
	c->items = NULL;
}

/* The first byte of the input that is not white space, or -1; nothing else is consumed. */
static int peek_format(struct reader *r, int *err)
{
	for (;;) {
		if (r->pos == r->len && !refill(r, err))
			return -1;
		for (; r->pos < r->len; r->pos++) {
			char c = r->blk[r->pos];

			if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
				return (unsigned char)c;
			r->lineno += c == '\n';
		}
	}
}

int ads_session_read(struct ads_session *s, FILE *in, ads_report_fn report, void *arg,
		     char *err, size_t errsize)
{
	struct reader r = {.in = in};
	struct chunk chunks[2];
	int rc, io = 0, have_prev = 0, first;
	unsigned cur = 0;
	double w0 = wall_now(), t;

	assert(!s->finished);
	memset(chunks, 0, sizeof(chunks));
	r.blk = malloc(READ_BLOCK);
	rc = r.blk ? chunk_init(&chunks[0]) : VG_NOMEM;
	if (!rc)
		rc = chunk_init(&chunks[1]);
	if (rc)
		goto out;
	first = peek_format(&r, &io);
	s->csv = s->o.format == ADS_CSV || (s->o.format == ADS_AUTO && first >= 0 && first != '{');
	if (s->csv && first >= 0) {
		rc = read_header(s, &r, err, errsize);
		if (rc)
			goto out;
	}
	/*
	 * A run that starts from nothing and will not be added to later takes
	 * the batch path (index_defer()): its clustering is done by sorting once
	 * every ad is in, in ads_session_finish().
	 */
	if (!s->incremental && !s->index.n && !s->index.deferred)
		index_defer(&s->index);
	rc = pool_begin(s);
	if (rc)
		goto out;
	for (;;) {
		t = cpu_now();
		fill_chunk(&r, s->csv, &chunks[cur], &io);
		s->stats.read_s += cpu_now() - t;
		if (chunks[cur].n)
			pool_start(s, &chunks[cur]);
		if (have_prev) {
			/* The previous chunk goes into the index while the workers read this one. */
			t = cpu_now();
			rc = consume(s, &chunks[cur ^ 1], report, arg);
			s->stats.index_s += cpu_now() - t;
		}
		if (chunks[cur].n) {
			work_chunk(&s->workers[0], &chunks[cur]);
			pool_wait(s);
		}
		if (rc || !chunks[cur].n)
			break;
		have_prev = 1;
		cur ^= 1;
	}
	if (!rc && io) {
		snprintf(err, errsize, "cannot read the input: %s", strerror(errno));
		rc = VG_IO;
	}
out:
	pool_stop(s);
	if (rc == VG_NOMEM)
		snprintf(err, errsize, "%s", vg_strerror(rc));
	s->stats.wall_s += wall_now() - w0;
	chunk_release(&chunks[0]);
	chunk_release(&chunks[1]);
	free(r.blk);
	return rc;
}

/* Finishing and writing. */

int ads_session_finish(struct ads_session *s, int keep_index)
{
	double t;
	int rc;

	assert(!s->finished);
	if (s->index.deferred) {
		t = cpu_now();
		rc = index_settle(&s->index);
		s->stats.index_s += cpu_now() - t;
		if (rc)
			return rc;
	}
	t = wall_now();
	if (!keep_index)
		index_drop_lookup(&s->index);
	index_flatten(&s->index);
	rc = networks_build(&s->index, s->o.guard, &s->nets);
	if (rc)
		return rc;
	s->finished = 1;
	s->stats.networks_s = wall_now() - t;
	return VG_OK;
}

size_t ads_session_generic(const struct ads_session *s, size_t i, char *buf, size_t size)
{
	if (i < s->nets.n_generic) {
		const struct network_generic *g = &s->nets.generic[i];

		snprintf(buf, size, "%s: in the ads of %" PRIu32 " unrelated posters (%" PRIu32 " ads)",
			 intern_str(&s->index.contacts, g->contact), g->networks, g->ads);
	}
	return s->nets.n_generic;
}

/* A group to write: its first ad and what decides its rank. */
struct ranked {
	uint32_t root;
	double risk;
	struct rank_stats st;     /* kept so that writing the group need not count again */
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	int c = rank_compare(&x->st, x->risk, &y->st, y->risk);

	return c ? c : x->root < y->root ? -1 : x->root > y->root;
}

/* The networks that hold an ad of this run (all of them unless only): one bit per first ad. */
static uint8_t *touched_networks(const struct ads_session *s, int only)
{
	uint8_t *t = calloc(s->index.n / 8 + 1, 1);
	size_t a;

	if (!t)
		return NULL;
	for (a = only ? s->index.n_loaded : 0; a < s->index.n; a++) {
		uint32_t n = s->nets.of[a];

		t[n / 8] |= (uint8_t)(1u << (n % 8));
	}
	return t;
}

static int is_set(const uint8_t *bits, uint32_t i)
{
	return bits[i / 8] >> (i % 8) & 1;
}

/* One thread's share of ranking: the groups whose first ad is in [lo, hi). */
struct rank_job {
	struct ads_session *s;
	const struct groups *g, *nets;
	const uint8_t *touched;
	int clusters;
	size_t lo, hi;
	struct ranked *v;
	size_t n;
	int rc;
};

/*
 * Runs fn(a) on this thread and fn(b) (b may be NULL) on a second one;
 * without a second thread, this one runs both.
 */
static void run_jobs(void *(*fn)(void *), void *a, void *b)
{
	pthread_t helper;
	int helped = b && !pthread_create(&helper, NULL, fn, b);

	fn(a);
	if (helped)
		pthread_join(helper, NULL);
	else if (b)
		fn(b);
}

static void *rank_range(void *arg)
{
	struct rank_job *j = arg;
	struct ads_session *s = j->s;
	struct groups_scratch sc = {0};
	size_t cap = 0, r;

	j->v = NULL;
	j->n = 0;
	j->rc = VG_OK;
	for (r = j->lo; r < j->hi; r++) {
		uint32_t root = (uint32_t)r, net = s->nets.of[r];
		struct rank_stats st;
		size_t size = groups_size(j->g, root);

		if (!size || !is_set(j->touched, net))
			continue;
		if (size < 2 && !(j->clusters && groups_size(j->nets, net) >= 2))
			continue;
		j->rc = groups_stats(&s->index, groups_ads(j->g, root), size, &sc, &st);
		if (j->rc)
			break;
		if (j->n == cap) {
			struct ranked *nv;

			cap = cap ? cap * 2 : 1024;
			nv = realloc(j->v, cap * sizeof(*nv));
			if (!nv) {
				j->rc = VG_NOMEM;
				break;
			}
			j->v = nv;
		}
		j->v[j->n].root = root;
		j->v[j->n].risk = rank_risk(s->o.weights, &st);
		j->v[j->n].st = st;
		j->n++;
	}
	groups_scratch_release(&sc);
	return NULL;
}

/*
 * The groups of g worth writing (two ads or more, or for clusters a network
 * that has), ranked; with touched_only, only those whose network holds an
 * ad of this run. With two threads or more, a second thread counts the
 * groups of the later half of the ads: the order is total (ties go to the
 * first ad), so the result is the same.
 */
static int rank_groups(struct ads_session *s, const struct groups *g, const struct groups *nets,
		       int clusters, int touched_only, struct ranked **out, size_t *count)
{
	struct rank_job jobs[2];
	uint8_t *touched = touched_networks(s, touched_only);
	size_t ways = s->n_workers > 1 ? 2 : 1, k, n = 0;
	struct ranked *v = NULL;
	int rc = touched ? VG_OK : VG_NOMEM;

	if (rc)
		return rc;
	for (k = 0; k < ways; k++) {
		jobs[k].s = s;
		jobs[k].g = g;
		jobs[k].nets = nets;
		jobs[k].touched = touched;
		jobs[k].clusters = clusters;
		jobs[k].lo = s->index.n * k / ways;
		jobs[k].hi = s->index.n * (k + 1) / ways;
	}
	run_jobs(rank_range, &jobs[0], ways > 1 ? &jobs[1] : NULL);
	free(touched);
	for (k = 0; k < ways; k++)
		rc = rc ? rc : jobs[k].rc;
	if (!rc && ways > 1 && jobs[1].n) {
		v = realloc(jobs[0].v, (jobs[0].n + jobs[1].n) * sizeof(*v));
		if (v) {
			memcpy(v + jobs[0].n, jobs[1].v, jobs[1].n * sizeof(*v));
			jobs[0].v = v;
		} else {
			rc = VG_NOMEM;
		}
	}
	for (k = 0; k < ways; k++)
		n += jobs[k].n;
	v = jobs[0].v;
	if (ways > 1)
		free(jobs[1].v);
	if (rc) {
		free(v);
		return rc;
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_ranked);
	*out = v;
	*count = n;
	return VG_OK;
}

static json_t *id_string(char prefix, uint32_t n)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%c%" PRIu32, prefix, n);
	return json_string(buf);
}

/*
 * The JSON object of a group (docs/ads.md, "Output"); without its "ads"
 * unless with_ads, for callers that write the ads' ids themselves. known
 * is the group's groups_stats() when the caller has it, or NULL.
 */
static json_t *group_json(struct ads_session *s, const uint32_t *ads, size_t n, int cluster,
			  int with_ads, uint32_t root, struct groups_scratch *sc,
			  const struct rank_stats *known)
{
	const struct ads_index *x = &s->index;
	struct rank_stats st;
	struct rank_result res;
	const uint32_t *list;
	size_t count, i;
	json_t *o = json_object(), *arr, *phones = json_array(), *emails = json_array();
	json_t *cities = json_array(), *regions = json_array(), *cats = json_object();
	char t[32];

	if (known)
		st = *known;
	else if (groups_stats(x, ads, n, sc, &st))
		goto fail;
	rank_score(s->o.weights, &st, &res);
	if (cluster) {
		json_object_set_new(o, "cluster", id_string('c', root));
		json_object_set_new(o, "network", id_string('n', s->nets.of[root]));
	} else {
		json_object_set_new(o, "network", id_string('n', root));
		arr = json_array();
		for (i = 0; i < n; i++)
			if (x->tpl.parent[ads[i]] == ads[i])
				json_array_append_new(arr, id_string('c', ads[i]));
		json_object_set_new(o, "clusters", arr);
	}
	json_object_set_new(o, "size", json_integer((json_int_t)n));
	if (with_ads) {
		arr = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(arr, json_string(intern_str(&x->ids, ads[i])));
		json_object_set_new(o, "ads", arr);
	}
	if (groups_contacts(x, ads, n, sc, &list, &count))
		goto fail;
	for (i = 0; i < count; i++) {
		const char *c = intern_str(&x->contacts, list[i]);

		json_array_append_new(c[0] == '+' ? phones : emails, json_string(c));
	}
	if (groups_places(x, ads, n, sc, &list, &count))
		goto fail;
	for (i = 0; i < count; i++) {
		const char *city, *region;
		size_t clen;
		char buf[2 * INDEX_FIELD_MAX + 4];
		size_t k;
		int seen = 0;

		index_place(x, list[i], &city, &clen, &region);
		if (clen) {
			snprintf(buf, sizeof(buf), "%.*s%s%s", (int)clen, city, region[0] ? ", " : "",
				 region);
			json_array_append_new(cities, json_string(buf));
		}
		if (!region[0])
			continue;
		for (k = 0; k < json_array_size(regions) && !seen; k++)
			seen = !strcmp(json_string_value(json_array_get(regions, k)), region);
		if (!seen)
			json_array_append_new(regions, json_string(region));
	}
	json_object_set_new(o, "phones", phones);
	json_object_set_new(o, "emails", emails);
	json_object_set_new(o, "cities", cities);
	json_object_set_new(o, "regions", regions);
	phones = emails = cities = regions = NULL;
	format_time(st.first, t, sizeof(t));
	json_object_set_new(o, "first_seen", t[0] ? json_string(t) : json_null());
	format_time(st.last, t, sizeof(t));
	json_object_set_new(o, "last_seen", t[0] ? json_string(t) : json_null());
	json_object_set_new(o, "posting_rate", json_real((double)(int64_t)(rank_rate(&st) * 100 + 0.5) / 100));
	for (i = 0; i < x->cats.n; i++)
		if (st.cat_ads[i])
			json_object_set_new(cats, intern_str(&x->cats, (uint32_t)i),
					    json_integer(st.cat_ads[i]));
	json_object_set_new(o, "indicators", cats);
	cats = NULL;
	json_object_set_new(o, "ages_under_18", json_integer(st.under18));
	json_object_set_new(o, "youngest", st.youngest >= 0 ? json_integer(st.youngest) : json_null());
	json_object_set_new(o, "risk", json_real((double)(int64_t)(res.risk * 1000 + 0.5) / 1000));
	arr = json_array();
	for (i = 0; i < res.n_why; i++)
		json_array_append_new(arr, json_string(res.why[i]));
	json_object_set_new(o, "why", arr);
	return o;
fail:
	json_decref(phones);
	json_decref(emails);
	json_decref(cities);
	json_decref(regions);
	json_decref(cats);
	json_decref(o);
	return NULL;
}

/*
 * Writes s[0..len) as a JSON string, exactly as json_dumpf() would: as it
 * is between quotes when no byte needs an escape (ids, places and contacts
 * have no control characters: index_add() and the reader refuse them), or
 * else escaped by jansson.
 */
static int put_json_string(FILE *out, const char *s, size_t len)
{
	char esc[6 * INDEX_FIELD_MAX + 3];
	json_t *v;
	size_t i, n;

	for (i = 0; i < len; i++)
		if (s[i] == '"' || s[i] == '\\' || (unsigned char)s[i] < 0x20)
			break;
	if (i == len)
		return fputc('"', out) == EOF || fwrite(s, 1, len, out) != len ||
		       fputc('"', out) == EOF ? VG_IO : VG_OK;
	assert(len <= INDEX_FIELD_MAX);
	v = json_stringn(s, len);
	if (!v)
		return VG_NOMEM;
	n = json_dumpb(v, esc, sizeof(esc), JSON_ENCODE_ANY);
	json_decref(v);
	assert(n > 0 && n <= sizeof(esc));
	return fwrite(esc, 1, n, out) == n ? VG_OK : VG_IO;
}

/*
 * Writes the line of group o (made without its "ads") with the ids of
 * ads[0..n) as its "ads", where group_json() would have put them: after
 * "size", before "phones". The ids are written here and not as a million
 * jansson strings to build, write and free. Everything before "phones" is
 * names and numbers vigil makes, so the first `,"phones":` is the place.
 */
static int write_group(struct ads_session *s, json_t *o, const uint32_t *ads, size_t n,
		       FILE *out)
{
	char *text, *at;
	size_t i;
	int rc = VG_OK;

	if (!o)
		return VG_NOMEM;
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
	json_decref(o);
	if (!text)
		return VG_NOMEM;
	at = strstr(text, ",\"phones\":");
	assert(at);
	if (fwrite(text, 1, (size_t)(at - text), out) != (size_t)(at - text) ||
	    fputs(",\"ads\":[", out) == EOF)
		rc = VG_IO;
	for (i = 0; !rc && i < n; i++) {
		const char *id = intern_str(&s->index.ids, ads[i]);

		if (i && fputc(',', out) == EOF)
			rc = VG_IO;
		if (!rc)
			rc = put_json_string(out, id, strlen(id));
	}
	if (!rc && (fputc(']', out) == EOF || fputs(at, out) == EOF || fputc('\n', out) == EOF))
		rc = VG_IO;
	free(text);
	return rc;
}

/*
 * One line per ad read, as json_dumpf() would write the object {"id",
 * "cluster", "network"} compact and in order: only the id needs escaping,
 * and jansson does that; the names are digits. A million lines are a
 * million objects fewer to build and free.
 */
static int write_assign(struct ads_session *s, FILE *out)
{
	size_t i;
	int rc = VG_OK;

	for (i = 0; !rc && i < s->n_order; i++) {
		uint32_t a = s->order[i];
		const char *id = intern_str(&s->index.ids, a);

		if (fputs("{\"id\":", out) == EOF)
			rc = VG_IO;
		if (!rc)
			rc = put_json_string(out, id, strlen(id));
		if (!rc && fprintf(out, ",\"cluster\":\"c%" PRIu32 "\",\"network\":\"n%" PRIu32
				   "\"}\n", s->index.tpl.parent[a], s->nets.of[a]) < 0)
			rc = VG_IO;
	}
	return rc;
}

/* Lines built by each thread in a round of writing: enough to share the work evenly. */
#define WRITE_BLOCK 256

/* One thread's block of lines: groups v[lo, hi) of g, written to a memory stream. */
struct write_job {
	struct ads_session *s;
	const struct groups *g;
	const struct ranked *v;
	size_t lo, hi;
	int clusters;
	struct groups_scratch sc;
	char *text;
	size_t len;
	int rc;
};

static void *write_block(void *arg)
{
	struct write_job *j = arg;
	FILE *f = open_memstream(&j->text, &j->len);
	size_t i;

	j->rc = f ? VG_OK : VG_NOMEM;
	for (i = j->lo; !j->rc && i < j->hi; i++) {
		const uint32_t *ads = groups_ads(j->g, j->v[i].root);
		size_t size = groups_size(j->g, j->v[i].root);

		j->rc = write_group(j->s, group_json(j->s, ads, size, j->clusters, 0, j->v[i].root,
						     &j->sc, &j->v[i].st),
				    ads, size, f);
	}
	if (f && fclose(f) && !j->rc)
		j->rc = VG_NOMEM;
	return NULL;
}

/*
 * Writes the lines of the ranked groups v[0, n) in order. Building a line
 * (its JSON, its ads' ids) is most of the time of writing, and each line
 * is built on its own; so with two threads or more the lines are built in
 * rounds of two blocks, one of them on a second thread, and each round is
 * written in order: the output is the same byte for byte.
 */
static int write_groups(struct ads_session *s, const struct groups *g, const struct ranked *v,
			size_t n, int clusters, FILE *out)
{
	struct write_job jobs[2];
	size_t lo, k, ways = s->n_workers > 1 ? 2 : 1;
	int rc = VG_OK;

	memset(jobs, 0, sizeof(jobs));
	for (lo = 0; !rc && lo < n; lo += ways * WRITE_BLOCK) {

		for (k = 0; k < ways; k++) {
			jobs[k].s = s;
			jobs[k].g = g;
			jobs[k].v = v;
			jobs[k].clusters = clusters;
			jobs[k].lo = lo + k * WRITE_BLOCK < n ? lo + k * WRITE_BLOCK : n;
			jobs[k].hi = jobs[k].lo + WRITE_BLOCK < n ? jobs[k].lo + WRITE_BLOCK : n;
			jobs[k].text = NULL;
			jobs[k].len = 0;
		}
		run_jobs(write_block, &jobs[0], ways > 1 ? &jobs[1] : NULL);
		for (k = 0; k < ways; k++) {
			if (!rc)
				rc = jobs[k].rc;
			if (!rc && jobs[k].len && fwrite(jobs[k].text, 1, jobs[k].len, out) != jobs[k].len)
				rc = VG_IO;
			free(jobs[k].text);
		}
	}
	for (k = 0; k < ways; k++)
		groups_scratch_release(&jobs[k].sc);
	return rc;
}

int ads_session_write(struct ads_session *s, enum ads_output mode, FILE *out)
{
	struct groups clusters = {0}, nets = {0};
	struct ranked *v = NULL;
	size_t n = 0;
	double t = wall_now();
	int rc;

	assert(s->finished);
	if (mode == ADS_ASSIGN) {
		rc = write_assign(s, out);
		goto out;
	}
	rc = groups_build(s->index.tpl.parent, s->index.n, &clusters);
	if (!rc)
		rc = groups_build(s->nets.of, s->index.n, &nets);
	if (!rc)
		rc = rank_groups(s, mode == ADS_CLUSTERS ? &clusters : &nets, &nets,
				 mode == ADS_CLUSTERS, 1, &v, &n);
	if (!rc)
		rc = write_groups(s, mode == ADS_CLUSTERS ? &clusters : &nets, v, n,
				  mode == ADS_CLUSTERS, out);
out:
	if (!rc && (fflush(out) || ferror(out)))
		rc = VG_IO;
	free(v);
	groups_release(&clusters);
	groups_release(&nets);
	s->stats.output_s += wall_now() - t;
	return rc;
}

/* The report: the top networks as data for templates/ads_report.html. */
int ads_session_report(struct ads_session *s, size_t top, struct buf *html)
{
	struct groups clusters = {0}, nets = {0};
	struct groups_scratch sc = {0};
	struct tpl_set *set = NULL;
	struct ranked *v = NULL;
	json_t *data = json_object(), *list = json_array(), *generic = json_array();
	size_t n = 0, i;
	char t[32];
	int rc;

	assert(s->finished);
	rc = groups_build(s->index.tpl.parent, s->index.n, &clusters);
	if (!rc)
		rc = groups_build(s->nets.of, s->index.n, &nets);
	if (!rc)
		rc = rank_groups(s, &nets, &nets, 0, 0, &v, &n);
	if (rc)
		goto out;
	for (i = 0; i < n && (!top || i < top); i++) {
		json_t *g = group_json(s, groups_ads(&nets, v[i].root), groups_size(&nets, v[i].root),
				       0, 1, v[i].root, &sc, &v[i].st);
		json_t *cl = json_array(), *c;
		size_t k;

		if (!g) {
			rc = VG_NOMEM;
			goto out;
		}
		/* Each cluster of the network, with its own size and risk. */
		json_array_foreach(json_object_get(g, "clusters"), k, c) {
			uint32_t root = (uint32_t)strtoul(json_string_value(c) + 1, NULL, 10);
			json_t *one = group_json(s, groups_ads(&clusters, root),
						 groups_size(&clusters, root), 1, 0, root, &sc, NULL);

			if (!one) {
				json_decref(g);
				rc = VG_NOMEM;
				goto out;
			}
			json_array_append_new(cl, one);
		}
		json_object_set_new(g, "cluster_list", cl);
		/* A page lists the first ads of a network; the JSON output has them all. */
		if (json_array_size(json_object_get(g, "ads")) > REPORT_ADS) {
			json_t *all = json_object_get(g, "ads");

			json_object_set_new(g, "more_ads",
					    json_integer((json_int_t)(json_array_size(all) - REPORT_ADS)));
			while (json_array_size(all) > REPORT_ADS)
				json_array_remove(all, json_array_size(all) - 1);
		}
		json_object_set_new(g, "rank", json_integer((json_int_t)i + 1));
		json_array_append_new(list, g);
	}
	for (i = 0; i < s->nets.n_generic; i++) {
		char line[256];

		ads_session_generic(s, i, line, sizeof(line));
		json_array_append_new(generic, json_string(line));
	}
	format_time((int64_t)time(NULL), t, sizeof(t));
	json_object_set_new(data, "generated_at", json_string(t));
	json_object_set_new(data, "ads", json_integer((json_int_t)s->index.n));
	json_object_set_new(data, "networks_total", json_integer((json_int_t)n));
	json_object_set_new(data, "shown", json_integer((json_int_t)json_array_size(list)));
	json_object_set_new(data, "networks", list);
	json_object_set_new(data, "has_generic", json_boolean(json_array_size(generic) > 0));
	json_object_set_new(data, "generic", generic);
	list = generic = NULL;
	rc = tpl_set_load(embedded_templates, &set);
	if (!rc)
		rc = tpl_render(set, "ads_report", data, NULL, NULL, html);
out:
	tpl_set_free(set);
	json_decref(list);
	json_decref(generic);
	json_decref(data);
	free(v);
	groups_scratch_release(&sc);
	groups_release(&clusters);
	groups_release(&nets);
	return rc;
}

/* The index file. */

static int file_write(void *arg, const void *data, size_t len)
{
	return fwrite(data, 1, len, arg) == len ? VG_OK : VG_IO;
}

static int file_read(void *arg, void *data, size_t len)
{
	FILE *f = arg;

	if (fread(data, 1, len, f) == len)
		return VG_OK;
	return ferror(f) ? VG_IO : VG_INVAL;
}

int ads_session_load(struct ads_session *s, const char *path, char *err, size_t errsize)
{
	struct index_params want = s->o.params;
	struct stat st;
	FILE *f = fopen(path, "rb");
	int rc;

	s->incremental = 1;
	if (!f) {
		if (errno == ENOENT)
			return VG_OK;
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		return VG_IO;
	}
	if (fstat(fileno(f), &st)) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		fclose(f);
		return VG_IO;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	rc = index_load(&s->index, file_read, f, (uint64_t)st.st_size);
	fclose(f);
	if (rc == VG_INVAL) {
		snprintf(err, errsize, "%s: not a vigil ads index of this version, or damaged", path);
	} else if (rc) {
		snprintf(err, errsize, "%s: %s", path, vg_strerror(rc));
	} else if (s->o.params_given &&
		   (want.bands != s->index.params.bands || want.rows != s->index.params.rows ||
		    want.shingle != s->index.params.shingle || want.seed != s->index.params.seed ||
		    (uint32_t)(want.threshold * 1e6 + 0.5) !=
			    (uint32_t)(s->index.params.threshold * 1e6 + 0.5))) {
		snprintf(err, errsize, "%s was made with threshold %g, bands %ux%u and %u-word "
			 "shingles: give the same or none", path, s->index.params.threshold,
			 s->index.params.bands, s->index.params.rows, s->index.params.shingle);
		rc = VG_INVAL;
	}
	if (rc) {
		index_release(&s->index);
		index_init(&s->index, &want);
		return rc;
	}
	s->stats.loaded = s->index.n;
	return VG_OK;
}

int ads_session_save(struct ads_session *s, const char *path, char *err, size_t errsize)
{
	char tmp[4096];
	FILE *f = NULL;
	int fd, rc;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= sizeof(tmp)) {
		snprintf(err, errsize, "%s: the path is too long", path);
		return VG_IO;
	}
	fd = mkstemp(tmp);
	if (fd < 0 || !(f = fdopen(fd, "wb"))) {
		snprintf(err, errsize, "%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return VG_IO;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	rc = index_save(&s->index, file_write, f);
	if (!rc && (fflush(f) || fsync(fileno(f))))
		rc = VG_IO;
	if (fclose(f) && !rc)
		rc = VG_IO;
	if (!rc && rename(tmp, path))
		rc = VG_IO;
	if (rc) {
		snprintf(err, errsize, "%s: cannot write the index: %s", path, strerror(errno));
		unlink(tmp);
		return rc;
	}
	/* The rename is durable once the folder is flushed too. */
	{
		char dir[4096];
		const char *slash = strrchr(path, '/');
		int dfd;

		snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) + 1 : 1,
			 slash ? path : ".");
		dfd = open(dir, O_RDONLY | O_DIRECTORY);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	return VG_OK;
}

/* The session. */

int ads_session_new(const struct ads_options *o, struct ads_session **out, char *err,
		    size_t errsize)
{
	struct ads_session *s;
	unsigned i, threads = o->threads;
	long cpus;
	int rc;

	rc = index_params_check(&o->params, err, errsize);
	if (rc)
		return rc;
	if (o->guard < 1) {
		snprintf(err, errsize, "the guard must be at least 1");
		return VG_INVAL;
	}
	assert(o->weights);
	if (!threads) {
		cpus = sysconf(_SC_NPROCESSORS_ONLN);
		threads = cpus > 0 ? (unsigned)cpus : 1;
	}
	if (threads > THREADS_MAX)
		threads = THREADS_MAX;
	s = calloc(1, sizeof(*s));
	if (!s)
		return VG_NOMEM;
	s->o = *o;
	index_init(&s->index, &o->params);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->go, NULL);
	pthread_cond_init(&s->done, NULL);
	s->workers = calloc(threads, sizeof(*s->workers));
	if (!s->workers) {
		ads_session_free(s);
		return VG_NOMEM;
	}
	s->n_workers = threads;
	s->stats.threads = threads;
	for (i = 0; i < threads; i++) {
		unsigned k;

		norm_init(&s->workers[i].norm);
		for (k = 0; k < BATCH; k++)
			norm_init(&s->workers[i].texts[k]);
		s->workers[i].ents = malloc(sizeof(*s->workers[i].ents));
		if (!s->workers[i].ents) {
			ads_session_free(s);
			return VG_NOMEM;
		}
	}
	*out = s;
	return VG_OK;
}

void ads_session_free(struct ads_session *s)
{
	unsigned i;

	if (!s)
		return;
	pool_stop(s);
	for (i = 0; s->workers && i < s->n_workers; i++) {
		unsigned k;

		norm_release(&s->workers[i].norm);
		for (k = 0; k < BATCH; k++)
			norm_release(&s->workers[i].texts[k]);
		free(s->workers[i].ents);
	}
	free(s->workers);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->go);
	pthread_cond_destroy(&s->done);
	networks_release(&s->nets);
	index_release(&s->index);
	free(s->col_of);
	free(s->order);
	free(s);
}

const struct ads_stats *ads_session_stats(const struct ads_session *s)
{
	return &s->stats;
}

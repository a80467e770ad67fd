#include "base/compat.h"
#include "app/ads_session.h"

#include "app/ads_json.h"
#include "app/screening.h"
#include "base/clock.h"
#include "base/text.h"

#include <fcntl.h>
#include <jansson.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* The CSV columns the reader knows, by position in the header (-1: absent). */
enum { COL_ID, COL_POSTED, COL_SITE, COL_CITY, COL_REGION, COL_TITLE, COL_TEXT, COL_PHONES, COLS };
static const char *const col_names[COLS] = {
	"id", "posted_at", "site", "city", "region", "title", "text", "phones",
};

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
		t0 = clock_thread_cpu_s();
		for (k = 0; k < n; k++) {
			item_reset(&items[k]);
			items[k].lineno = c->lineno[first + k];
			ok[k] = !screen_record(w, c, first + k, &texts[k]);
		}
		t1 = clock_thread_cpu_s();
		for (k = 0; k < n; k++)
			ok[k] = ok[k] && !norm_text(&w->texts[k], buf_str(&texts[k]), texts[k].len);
		t2 = clock_thread_cpu_s();
		if (!s->o.screening)
			for (k = 0; k < n; k++)
				if (ok[k])
					take_entities(w, buf_str(&texts[k]), texts[k].len, &w->texts[k],
						      &items[k]);
		t3 = clock_thread_cpu_s();
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
		w->sign_s += clock_thread_cpu_s() - t3;
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
	double w0 = clock_mono_s(), t;

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
		t = clock_thread_cpu_s();
		fill_chunk(&r, s->csv, &chunks[cur], &io);
		s->stats.read_s += clock_thread_cpu_s() - t;
		if (chunks[cur].n)
			pool_start(s, &chunks[cur]);
		if (have_prev) {
			/* The previous chunk goes into the index while the workers read this one. */
			t = clock_thread_cpu_s();
			rc = consume(s, &chunks[cur ^ 1], report, arg);
			s->stats.index_s += clock_thread_cpu_s() - t;
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
	s->stats.wall_s += clock_mono_s() - w0;
	chunk_release(&chunks[0]);
	chunk_release(&chunks[1]);
	free(r.blk);
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

#include "base/compat.h"
#include "app/tip.h"
#include "app/cases.h"
#include "app/screening.h"
#include "app/links.h"
#include "app/throttle.h"
#include "app/work.h"
#include "base/log.h"
#include "base/clock.h"
#include "base/text.h"
#include "crypto/seal.h"
#include "store/entities.h"
#include "web/i18n.h"

#include <sodium.h>

static const char *const statuses[] = {"new", "in_review", "closed"};

int tip_status_valid(const char *s)
{
	size_t i;

	for (i = 0; s && i < ARRAY_SIZE(statuses); i++)
		if (!strcmp(s, statuses[i]))
			return 1;
	return 0;
}

const char *tip_status_label(const char *status)
{
	if (!strcmp(status, "new"))
		return N_("Received");
	if (!strcmp(status, "in_review"))
		return N_("Being reviewed");
	return N_("Closed");
}

static void add_error(struct tip_errors *errs, const char *field, const char *msg)
{
	if (errs->count < TIP_MAX_ERRORS) {
		errs->e[errs->count].field = field;
		errs->e[errs->count].msg = msg;
		errs->count++;
	}
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

/* Checks one optional free-text field against its limit. */
static void check_text(struct tip_errors *errs, const char *field, const char *v,
		       size_t max, int one_line)
{
	size_t len = strlen(nz(v));
	int rc = one_line ? text_check_line(nz(v), len, max) : text_check(nz(v), len, max);

	if (rc == VG_TOOBIG)
		add_error(errs, field, N_("This is too long."));
	else if (rc)
		add_error(errs, field, N_("This contains characters we cannot accept."));
}

static void validate(struct app *app, const struct tip_input *in, char region[GEO_REGION_SIZE],
		     int *region_matched, struct tip_errors *errs)
{
	const char *narrative = nz(in->narrative);
	size_t i, nlen = strlen(narrative);
	int blank = 1;

	for (i = 0; i < nlen && blank; i++)
		blank = narrative[i] == ' ' || narrative[i] == '\n' ||
			narrative[i] == '\r' || narrative[i] == '\t';
	if (blank)
		add_error(errs, "narrative", N_("Please tell us what happened."));
	else
		check_text(errs, "narrative", narrative, TIP_NARRATIVE_MAX, 0);
	check_text(errs, "region", in->region, TIP_SHORT_MAX, 1);
	check_text(errs, "city", in->city, TIP_SHORT_MAX, 1);
	check_text(errs, "when", in->when, TIP_SHORT_MAX, 0);
	check_text(errs, "ages", in->ages, TIP_SHORT_MAX, 0);
	check_text(errs, "place", in->place, TIP_LONG_MAX, 0);
	check_text(errs, "people", in->people, TIP_LONG_MAX, 0);
	check_text(errs, "contact", in->contact, TIP_LONG_MAX, 0);
	if (nz(in->language)[0] && i18n_lang(in->language) < 0)
		add_error(errs, "language", N_("Choose one of the languages offered."));

	*region_matched = 0;
	region[0] = '\0';
	if (nz(in->country)[0] && !geo_country(app->geo, in->country)) {
		add_error(errs, "country", N_("Choose a country from the list."));
		return;
	}
	if (!nz(in->region)[0])
		return;
	if (!nz(in->country)[0]) {
		if (in->strict_region)
			add_error(errs, "region", N_("A region needs a country."));
		return;
	}
	if (!geo_region_find(app->geo, in->country, in->region, region))
		*region_matched = 1;
	else if (in->strict_region)
		add_error(errs, "region", N_("This is not a region code of that country."));
}

static int seal_field(struct app *app, const char *table, const char *column,
		      const char *id, const char *text, struct sealed *out)
{
	char ad[96];

	snprintf(ad, sizeof(ad), "%s/%s/%s", table, column, id);
	return seal_encrypt(&app->keys, ad, text, strlen(text), &out->data, &out->len);
}

static int open_field(struct app *app, const char *table, const char *column,
		      const char *id, const struct sealed *in, char **out)
{
	char ad[96];
	size_t len;

	snprintf(ad, sizeof(ad), "%s/%s/%s", table, column, id);
	return seal_decrypt(&app->keys, ad, in->data, in->len, out, &len);
}

static json_t *details_json(const struct tip_input *in, int region_matched)
{
	json_t *d = json_object();

	if (!d)
		return NULL;
	json_object_set_new(d, "when", json_string(nz(in->when)));
	json_object_set_new(d, "place", json_string(nz(in->place)));
	json_object_set_new(d, "people", json_string(nz(in->people)));
	json_object_set_new(d, "ages", json_string(nz(in->ages)));
	json_object_set_new(d, "region_text", json_string(region_matched ? "" : nz(in->region)));
	return d;
}

/*
 * Fills row's screening before it is stored, so a tip is never in the queue
 * unread, and *facts with what the derived records need of the result
 * (screening_fill(); NULL when it could not be screened). A tip the screen
 * cannot read is still stored (losing a tip is worse) and is picked up by
 * app_screen_backlog() at the next start.
 */
static void screen_tip(struct app *app, const char *narrative, json_t *details,
		       struct tip_row *row, json_t **facts)
{
	char *text;
	int rc;

	if (!app->screening)
		return;
	text = screening_tip_text(narrative, details);
	rc = text ? screening_fill(app->screening, &app->keys, text, row->country, clock_now(), row,
				   facts) : VG_NOMEM;
	if (rc)
		log_error("tip %s stored unscreened: %s", row->id, vg_strerror(rc));
	free(text);
}

/*
 * New tips' and cases' search documents are indexed this many at a time
 * (store_search_catch_up(); every search indexes what is queued first),
 * that is every 128 tips with their cases. FTS5 writes a segment for each
 * catch-up and merges segments as they pile up, and the catch-up's
 * search_docs rows share index leaves: 256 rather than 64 cut the server's
 * CPU time per tip by a few per cent at 64 clients. 1024 saved about 3%
 * more but doubled the p99 latency of tips at 1 client (7.6 to 15 ms in
 * 8 s runs; BENCHMARKS.md, "Intake").
 */
#define SEARCH_BATCH 256

/*
 * What a new tip's store leads to, from the facts of its screening
 * (screening_fill(); NULL: not screened); failures are logged and redone at
 * the next start.
 */
static void derive(struct app *app, const struct tip_row *row, const json_t *facts)
{
	char case_id[CASE_ID_SIZE];
	int rc;

	if (facts && links_index_result(app, row->id, row->country, facts))
		log_error("tip %s: entities not indexed yet", row->id);
	rc = cases_open_for_tip(app, row->id, case_id);
	if (rc)
		log_error("tip %s stored without a case: %s", row->id, vg_strerror(rc));
	else
		work_new_tip(app, case_id, row, facts);
	if (store_search_catch_up(app->store, SEARCH_BATCH))
		log_error("tip %s: the search index is behind", row->id);
}

int tip_submit(struct app *app, const struct tip_input *in, struct tip_errors *errs,
	       struct tip_receipt *out)
{
	struct tip_row row = {0};
	struct tip_receipt r;
	char digits[RECEIPT_DIGITS + 1];
	char region[GEO_REGION_SIZE];
	const struct geo_country *country;
	char *details = NULL;
	json_t *dj = NULL, *facts = NULL;
	int region_matched, rc, tries;

	errs->count = 0;
	validate(app, in, region, &region_matched, errs);
	if (errs->count)
		return VG_INVAL;
	if (throttle_submit(app))
		return VG_THROTTLED;

	token_id(r.id);
	country = nz(in->country)[0] ? geo_country(app->geo, in->country) : NULL;
	row.id = r.id;
	row.created_at = row.updated_at = clock_now();
	row.status = (char *)"new";
	row.source = (char *)in->source;
	row.country = (char *)(country ? country->code : "");
	row.region = region;
	row.city = (char *)nz(in->city);
	row.language = (char *)(nz(in->language)[0] ? in->language : "en");
	row.danger_now = !!in->danger_now;
	row.may_contact = !!in->may_contact;

	dj = details_json(in, region_matched);
	details = dj ? json_dumps(dj, JSON_COMPACT) : NULL;
	if (!details) {
		rc = VG_NOMEM;
		goto out;
	}
	screen_tip(app, in->narrative, dj, &row, &facts);
	rc = seal_field(app, "tips", "narrative", r.id, in->narrative, &row.narrative);
	if (!rc && nz(in->contact)[0])
		rc = seal_field(app, "tips", "contact", r.id, in->contact, &row.contact);
	if (!rc)
		rc = seal_field(app, "tips", "details", r.id, details, &row.details);
	if (rc)
		goto out;
	/*
	 * The tip and what is derived from it (its entities, its case, the
	 * case's automatic tasks, the audit entry) go to disk in one commit
	 * and a flush of the log shared with the tips committed meanwhile. A derived write that fails is undone
	 * alone and made again at the next start (links_backlog(),
	 * cases_backlog()); the reporter's receipt is good once the batch is.
	 */
	rc = store_batch_begin(app->store);
	if (rc)
		goto out;
	/* An 83-bit receipt colliding is not expected; retrying costs nothing. */
	for (tries = 0; tries < 3; tries++) {
		receipt_generate(digits);
		receipt_index(&app->keys, digits, row.receipt_index);
		rc = store_tip_insert(app->store, &row);
		if (rc != VG_EXISTS)
			break;
	}
	if (!rc)
		derive(app, &row, facts);
	rc = store_batch_end(app->store, rc);
	if (rc)
		goto out;
	receipt_format(digits, r.receipt);
	*out = r;
out:
	sodium_memzero(digits, sizeof(digits));
	free(row.narrative.data);
	free(row.contact.data);
	free(row.details.data);
	screening_row_release(&row);
	free(details);
	json_decref(dj);
	json_decref(facts);
	return rc;
}

int tip_open(struct app *app, const char *id, struct tip_view *out)
{
	struct tip_view v = {0};
	char *details = NULL, *screening = NULL;
	json_error_t jerr;
	int rc;

	rc = store_tip_get(app->store, id, &v.row);
	if (rc)
		return rc;
	rc = open_field(app, "tips", "narrative", id, &v.row.narrative, &v.narrative);
	if (!rc && v.row.contact.data)
		rc = open_field(app, "tips", "contact", id, &v.row.contact, &v.contact);
	if (!rc && v.row.details.data)
		rc = open_field(app, "tips", "details", id, &v.row.details, &details);
	if (!rc && v.row.screening.data)
		rc = open_field(app, "tips", "screening", id, &v.row.screening, &screening);
	if (rc)
		goto out;
	v.details = details ? json_loads(details, JSON_REJECT_DUPLICATES, &jerr) : json_object();
	if (!json_is_object(v.details))
		rc = VG_INTERNAL;
	if (screening) {
		v.screening = json_loads(screening, JSON_REJECT_DUPLICATES, &jerr);
		if (!json_is_object(v.screening))
			rc = VG_INTERNAL;
	}
out:
	free(details);
	free(screening);
	if (rc) {
		tip_view_release(&v);
		return rc;
	}
	*out = v;
	return VG_OK;
}

void tip_view_release(struct tip_view *v)
{
	tip_row_release(&v->row);
	if (v->narrative)
		sodium_memzero(v->narrative, strlen(v->narrative));
	free(v->narrative);
	free(v->contact);
	json_decref(v->details);
	json_decref(v->screening);
	memset(v, 0, sizeof(*v));
}

int tip_find_by_receipt(struct app *app, const char *receipt, size_t len,
			struct tip_row *out)
{
	char digits[RECEIPT_DIGITS + 1];
	unsigned char index[RECEIPT_INDEX_LEN];
	struct tip_row row = {0};
	int parsed, rc;

	throttle_receipt_wait(app);
	/*
	 * A malformed receipt is looked up as all zeros (which no tip has, the
	 * index being keyed) so that it costs what an unknown one costs.
	 */
	parsed = receipt_parse(receipt, len, digits) == VG_OK;
	if (!parsed)
		memset(digits, '0', RECEIPT_DIGITS);
	digits[RECEIPT_DIGITS] = '\0';
	receipt_index(&app->keys, digits, index);
	sodium_memzero(digits, sizeof(digits));
	rc = store_tip_by_receipt(app->store, index, &row);
	if (rc == VG_OK && !parsed) {
		tip_row_release(&row);
		rc = VG_NOTFOUND;
	}
	if (rc == VG_NOTFOUND)
		throttle_receipt_failed(app);
	if (rc)
		return rc;
	*out = row;
	return VG_OK;
}

int tip_add_message(struct app *app, const char *tip_id, const char *author,
		    int64_t user_id, const char *body, size_t len)
{
	struct message_row m = {0};
	struct message_list existing = {0};
	char id[TOKEN_ID_SIZE];
	int rc;

	if (len == 0)
		return VG_INVAL;
	rc = text_check(body, len, TIP_MESSAGE_MAX);
	if (rc)
		return rc;
	rc = store_message_list(app->store, tip_id, &existing);
	if (!rc && existing.count >= TIP_MESSAGES_MAX)
		rc = VG_TOOBIG;
	message_list_release(&existing);
	if (rc)
		return rc;
	token_id(id);
	m.id = id;
	m.tip_id = (char *)tip_id;
	m.created_at = clock_now();
	m.author = (char *)author;
	m.user_id = user_id;
	rc = seal_field(app, "messages", "body", id, body, &m.body);
	if (rc)
		return rc;
	rc = store_message_insert(app->store, &m);
	free(m.body.data);
	return rc;
}

int tip_messages(struct app *app, const char *tip_id, json_t **out)
{
	struct message_list list = {0};
	json_t *arr = json_array();
	size_t i;
	int rc;

	if (!arr)
		return VG_NOMEM;
	rc = store_message_list(app->store, tip_id, &list);
	for (i = 0; !rc && i < list.count; i++) {
		struct message_row *m = &list.rows[i];
		char at[CLOCK_ISO_SIZE + 4];
		char *body = NULL;

		rc = open_field(app, "messages", "body", m->id, &m->body, &body);
		if (rc)
			break;
		clock_human(m->created_at, at);
		rc = json_array_append_new(arr, json_pack("{s:s, s:s, s:I, s:s, s:b, s:s}",
			"id", m->id, "at", at, "at_unix", (json_int_t)m->created_at,
			"author", m->author, "from_staff", !strcmp(m->author, "staff"),
			"body", body)) ? VG_NOMEM : VG_OK;
		free(body);
	}
	message_list_release(&list);
	if (rc) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return VG_OK;
}

int tip_set_status(struct app *app, const char *id, const char *status)
{
	if (!tip_status_valid(status))
		return VG_INVAL;
	return store_tip_set_status(app->store, id, status, clock_now());
}

int tip_screen_backlog(struct app *app, int64_t *done)
{
	struct tip_filter f = { .unscreened = 1, .limit = 100 };
	int64_t n = 0;
	int rc = VG_OK;

	assert(app->screening);
	for (;;) {
		struct tip_list list = {0};
		size_t i;

		rc = store_tip_list(app->store, &f, &list);
		if (rc || list.count == 0) {
			tip_list_release(&list);
			break;
		}
		for (i = 0; !rc && i < list.count; i++) {
			struct tip_view v;
			struct tip_row row = {0};
			char *text;

			rc = tip_open(app, list.rows[i].id, &v);
			if (rc)
				break;
			row.id = v.row.id;
			text = screening_tip_text(v.narrative, v.details);
			rc = text ? screening_fill(app->screening, &app->keys, text, v.row.country,
						   clock_now(), &row, NULL) : VG_NOMEM;
			if (!rc)
				rc = store_tip_set_screening(app->store, &row);
			/* A tip in no case yet is opened one, screening and all, by cases_backlog(). */
			if (!rc) {
				int crc = cases_tip_screened(app, row.id);

				if (crc && crc != VG_NOTFOUND)
					log_error("tip %s: its case's triage fields are stale", row.id);
				work_tip_screened(app, row.id);
			}
			if (!rc && links_index_tip(app, row.id))
				log_error("tip %s: entities not indexed yet", row.id);
			if (!rc)
				n++;
			screening_row_release(&row);
			free(text);
			tip_view_release(&v);
		}
		/* The next page starts after the last tip of this one. */
		f.before_seq = list.rows[list.count - 1].seq;
		tip_list_release(&list);
		if (rc)
			break;
	}
	*done = n;
	return rc;
}

#include "base/compat.h"
#include "app/screening.h"
#include "base/buf.h"
#include "base/log.h"
#include "crypto/keys.h"
#include "crypto/seal.h"

#include "base/files.h"

#include <pthread.h>

#define RULE_FILE_MAX (4u << 20)
#define POOL_MAX 64

struct screening {
	struct screen_engine *engine;
	struct screen_options opt;
	pthread_mutex_t lock;
	struct screen_scratch *pool[POOL_MAX]; /* idle scratch, reused */
	size_t idle;
};

int screening_load(const char *dir, const struct screen_options *opt,
		   struct screening **out, char *err, size_t errsize)
{
	struct screen_file files[FILES_MAX];
	struct file_set set;
	struct screening *s = NULL;
	char path[1024];
	size_t i;
	int rc;

	file_set_init(&set);
	snprintf(path, sizeof(path), "%s/typology.tsv", dir);
	rc = file_set_add(&set, path, RULE_FILE_MAX, err, errsize);
	snprintf(path, sizeof(path), "%s/indicators", dir);
	if (!rc)
		rc = file_set_add_dir(&set, path, ".tsv", RULE_FILE_MAX, err, errsize);
	if (rc)
		goto out;
	for (i = 0; i < set.n; i++) {
		files[i].name = set.v[i].name;
		files[i].text = set.v[i].text;
		files[i].len = set.v[i].len;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		rc = VG_NOMEM;
		goto out;
	}
	rc = screen_engine_build(files, set.n, &s->engine, err, errsize);
	if (rc)
		goto out;
	s->opt = *opt;
	pthread_mutex_init(&s->lock, NULL);
	*out = s;
	s = NULL;
out:
	file_set_release(&set);
	free(s);
	return rc;
}

void screening_free(struct screening *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->idle; i++)
		screen_scratch_free(s->pool[i]);
	screen_engine_free(s->engine);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

int screening_run(struct screening *s, const char *country, const char *text, size_t len,
		  json_t **out)
{
	struct screen_scratch *scratch = NULL;
	struct screen_options opt = s->opt;
	int rc = VG_OK;

	if (country && strlen(country) == 2)
		memcpy(opt.default_country, country, 3);
	pthread_mutex_lock(&s->lock);
	if (s->idle)
		scratch = s->pool[--s->idle];
	pthread_mutex_unlock(&s->lock);
	if (!scratch)
		rc = screen_scratch_new(s->engine, &scratch);
	if (rc)
		return rc;
	rc = screen_run(s->engine, scratch, &opt, text, len, out);
	pthread_mutex_lock(&s->lock);
	if (s->idle < POOL_MAX) {
		s->pool[s->idle++] = scratch;
		scratch = NULL;
	}
	pthread_mutex_unlock(&s->lock);
	screen_scratch_free(scratch);
	return rc;
}

char *screening_tip_text(const char *narrative, json_t *details)
{
	static const char *const fields[] = {"people", "ages", "place", "when", "region_text"};
	struct buf b;
	size_t i;

	/* The tip fields' own limits add up to far less than this. */
	buf_init(&b, 1u << 20);
	if (buf_adds(&b, narrative))
		goto fail;
	for (i = 0; details && i < ARRAY_SIZE(fields); i++) {
		const char *v = json_string_value(json_object_get(details, fields[i]));

		if (v && v[0] && (buf_adds(&b, "\n\n") || buf_adds(&b, v)))
			goto fail;
	}
	return buf_detach(&b, NULL);
fail:
	buf_release(&b);
	return NULL;
}

/* The strings of a JSON array joined with commas. */
static char *join(json_t *arr)
{
	struct buf b;
	json_t *v;
	size_t i;

	buf_init(&b, 4096);
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v))
			continue;
		if ((b.len && buf_addch(&b, ',')) || buf_adds(&b, json_string_value(v))) {
			buf_release(&b);
			return NULL;
		}
	}
	return buf_detach(&b, NULL);
}

static const char *member(json_t *obj, const char *key)
{
	const char *v = json_string_value(json_object_get(obj, key));

	return v ? v : "";
}

int screening_fill(struct screening *s, const struct keys *k, const char *text,
		   const char *country, int64_t now, struct tip_row *row)
{
	json_t *result = NULL;
	char *dump = NULL, ad[96];
	int rc;

	rc = screening_run(s, country, text, strlen(text), &result);
	if (rc)
		return rc;
	dump = json_dumps(result, JSON_COMPACT);
	row->screen_status = strdup(member(result, "status"));
	row->urgency = strdup(member(result, "urgency"));
	row->kinds = join(json_object_get(result, "kinds"));
	row->typology = join(json_object_get(result, "typology"));
	if (!dump || !row->screen_status || !row->urgency || !row->kinds || !row->typology) {
		rc = VG_NOMEM;
		goto out;
	}
	snprintf(ad, sizeof(ad), "tips/screening/%s", row->id);
	rc = seal_encrypt(k, ad, dump, strlen(dump), &row->screening.data, &row->screening.len);
	if (!rc)
		row->screened_at = now;
out:
	if (rc)
		screening_row_release(row);
	free(dump);
	json_decref(result);
	return rc;
}

void screening_row_release(struct tip_row *row)
{
	free(row->screen_status);
	free(row->urgency);
	free(row->kinds);
	free(row->typology);
	free(row->screening.data);
	row->screen_status = row->urgency = row->kinds = row->typology = NULL;
	row->screening.data = NULL;
	row->screening.len = 0;
	row->screened_at = 0;
}

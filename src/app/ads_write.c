#include "base/compat.h"
#include "app/ads_session.h"

#include "base/clock.h"
#include "base/embedded.h"
#include "base/text.h"
#include "cluster/groups.h"
#include "web/template.h"

#include <jansson.h>

/* Ads listed by name per network in the report. */
#define REPORT_ADS 200

/* An ad's posting time as RFC 3339 text, or "" when it has none. */
static void format_time(int64_t t, char out[CLOCK_ISO_SIZE])
{
	if (t == INDEX_NO_TIME)
		out[0] = '\0';
	else
		clock_iso(t, out);
}

/* Finishing and writing. */

int ads_session_finish(struct ads_session *s, int keep_index)
{
	double t;
	int rc;

	assert(!s->finished);
	if (s->index.deferred) {
		t = clock_thread_cpu_s();
		rc = index_settle(&s->index);
		s->stats.index_s += clock_thread_cpu_s() - t;
		if (rc)
			return rc;
	}
	t = clock_mono_s();
	if (!keep_index)
		index_drop_lookup(&s->index);
	index_flatten(&s->index);
	rc = networks_build(&s->index, s->o.guard, &s->nets);
	if (rc)
		return rc;
	s->finished = 1;
	s->stats.networks_s = clock_mono_s() - t;
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
	char t[CLOCK_ISO_SIZE];

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
	format_time(st.first, t);
	json_object_set_new(o, "first_seen", t[0] ? json_string(t) : json_null());
	format_time(st.last, t);
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
	double t = clock_mono_s();
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
	s->stats.output_s += clock_mono_s() - t;
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
	char t[CLOCK_ISO_SIZE];
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
	format_time(clock_now(), t);
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


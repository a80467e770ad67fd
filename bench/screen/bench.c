/*
 * bench/screen/bench.c - how fast the screen reads: MB/s and tips/s over a
 * corpus of JSON Lines (bench/screen/gen.py), the cost of each stage, the
 * latency of a 2 KB tip, and the time to build the engine, with a
 * reference measured in the same run.
 *
 * Usage: bench [--rules DIR] [--runs N] [--latency N] [--json OUT] CORPUS
 *
 * Every figure is single-threaded. Throughputs are bytes of original text
 * per second of this thread's CPU time (CLOCK_THREAD_CPUTIME_ID), so that
 * other work on a shared machine does not count against the screen; each
 * is the median of --runs passes over the whole corpus. The stages are
 * timed as passes that add one stage at a time to the ones before it:
 *
 *   normalise       norm_text()
 *   entities        entities_extract() (pass with it, less the pass without)
 *   first phase     rules_match(), split by its own clock between the
 *   span recovery   literal scan and the work around what it found
 *   assessment      the hits of the spans and assess_run()
 *   result          screen_analyse() less everything above: negations,
 *                   sorting, the spans in the original text
 *   JSON            screen_write() less screen_analyse(): writing the
 *                   result's JSON text
 *
 * and, beside the screen, screen_run(): the same result as a jansson
 * object, parsed back from that text, for the callers that want a tree.
 *
 * The reference is zlib's deflate at level 1 (what `gzip -1` does) of each
 * text with one reused stream: a familiar single-threaded pass of similar
 * work per byte, to read the screen's numbers against on a noisy machine.
 * The latency is wall-clock time of screen_write() on texts of 1900-2100
 * bytes, one after the other, p50 and p99.
 */
#include "base/compat.h"

#include <dirent.h>
#include <getopt.h>

#include <jansson.h>
#include <zlib.h>

#include "screen/assess.h"
#include "screen/entities.h"
#include "screen/norm.h"
#include "screen/rules.h"
#include "screen/screen.h"

#define FILES_MAX 64
#define SPANS_MAX 4096

struct corpus {
	char **text;
	size_t *len;
	size_t n, cap;
	size_t bytes;
};

/* The medians of one measurement over the runs. */
enum stage {
	ST_REF, ST_NORM, ST_ENT, ST_MATCH, ST_ASSESS, ST_ANALYSE, ST_WHOLE, ST_TREE, ST_COUNT
};

static const char *const stage_names[ST_COUNT] = {
	[ST_REF] = "reference (deflate -1)",
	[ST_NORM] = "pass: normalise",
	[ST_ENT] = "pass: + entities",
	[ST_MATCH] = "pass: normalise + match",
	[ST_ASSESS] = "pass: + assessment",
	[ST_ANALYSE] = "pass: screen_analyse",
	[ST_WHOLE] = "pass: screen_write",
	[ST_TREE] = "pass: screen_run",
};

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("bench/screen: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long n;

	if (!f)
		die("cannot open %s", path);
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		die("cannot read %s", path);
	p = malloc((size_t)n + 1);
	if (!p || fread(p, 1, (size_t)n, f) != (size_t)n)
		die("cannot read %s", path);
	p[n] = '\0';
	*len = (size_t)n;
	fclose(f);
	return p;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* typology.tsv, then the .tsv files of indicators/ in name order, as the server reads them. */
static size_t load_rules(const char *dir, struct screen_file *files)
{
	char path[4096], *names[FILES_MAX];
	size_t n = 0, k = 0;
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/indicators", dir);
	d = opendir(path);
	if (!d)
		die("cannot open %s", path);
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len > 4 && !strcmp(de->d_name + len - 4, ".tsv")) {
			if (k == FILES_MAX - 1)
				die("more than %d rule files", FILES_MAX - 1);
			names[k] = strdup(de->d_name);
			if (!names[k++])
				die("out of memory");
		}
	}
	closedir(d);
	qsort(names, k, sizeof(*names), name_cmp);
	snprintf(path, sizeof(path), "%s/typology.tsv", dir);
	files[n].name = "typology.tsv";
	files[n].text = slurp(path, &files[n].len);
	n++;
	for (size_t i = 0; i < k; i++) {
		snprintf(path, sizeof(path), "%s/indicators/%s", dir, names[i]);
		files[n].name = names[i];
		files[n].text = slurp(path, &files[n].len);
		n++;
	}
	return n;
}

static void load_corpus(const char *path, struct corpus *c)
{
	size_t len;
	char *data = slurp(path, &len), *line = data, *next;
	size_t lineno = 0;

	memset(c, 0, sizeof(*c));
	for (; line && *line; line = next) {
		json_error_t jerr;
		const char *text;
		json_t *o;

		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		o = json_loads(line, 0, &jerr);
		text = o ? json_string_value(json_object_get(o, "text")) : NULL;
		if (!text)
			die("%s:%zu: not a JSON object with a \"text\"", path, lineno);
		if (c->n == c->cap) {
			c->cap = c->cap ? 2 * c->cap : 4096;
			c->text = realloc(c->text, c->cap * sizeof(*c->text));
			c->len = realloc(c->len, c->cap * sizeof(*c->len));
			if (!c->text || !c->len)
				die("out of memory");
		}
		c->len[c->n] = strlen(text);
		c->text[c->n] = strdup(text);
		if (!c->text[c->n])
			die("out of memory");
		c->bytes += c->len[c->n];
		c->n++;
		json_decref(o);
	}
	free(data);
	if (!c->n)
		die("%s holds no texts", path);
}

static int double_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), double_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* What the passes share. */
struct bench {
	struct screen_engine *engine;
	struct screen_scratch *scratch;
	struct rules rules;
	struct rules_db *db;
	struct rules_scratch *rs;
	struct norm norm;
	struct entities ents;
	struct rules_span *spans;
	uint32_t *hits;
	uint8_t *seen;
	struct assess_rule *table; /* made once, as the engine makes its own */
	const struct corpus *c;
	struct screen_options opt;
	struct buf out;       /* screen_write()'s result, reused */
	z_stream z;
	unsigned char *zout;
	size_t zcap;
	size_t sink;          /* keeps the compiler from dropping work */
};

static void pass_ref(struct bench *b)
{
	for (size_t i = 0; i < b->c->n; i++) {
		size_t need = deflateBound(&b->z, (uLong)b->c->len[i]);

		if (need > b->zcap) {
			b->zout = realloc(b->zout, need);
			if (!b->zout)
				die("out of memory");
			b->zcap = need;
		}
		deflateReset(&b->z);
		b->z.next_in = (Bytef *)b->c->text[i];
		b->z.avail_in = (uInt)b->c->len[i];
		b->z.next_out = b->zout;
		b->z.avail_out = (uInt)b->zcap;
		if (deflate(&b->z, Z_FINISH) != Z_STREAM_END)
			die("deflate failed");
		b->sink += b->z.total_out;
	}
}

static void do_norm(struct bench *b, size_t i)
{
	if (norm_text(&b->norm, b->c->text[i], b->c->len[i]))
		die("text %zu: norm_text failed", i + 1);
}

static void do_match(struct bench *b, size_t *n)
{
	bool truncated;

	if (rules_match(b->db, b->rs, b->norm.text, b->norm.len, b->spans, SPANS_MAX, n,
			&truncated))
		die("rules_match failed");
}

static void pass_norm(struct bench *b)
{
	for (size_t i = 0; i < b->c->n; i++) {
		do_norm(b, i);
		b->sink += b->norm.len;
	}
}

static void pass_entities(struct bench *b)
{
	struct entity_options eopt = { "US" };

	for (size_t i = 0; i < b->c->n; i++) {
		do_norm(b, i);
		entities_extract(b->c->text[i], b->c->len[i], &b->norm, &eopt, &b->ents);
		b->sink += b->ents.count;
	}
}

static void pass_match(struct bench *b)
{
	for (size_t i = 0; i < b->c->n; i++) {
		size_t n;

		do_norm(b, i);
		do_match(b, &n);
		b->sink += n;
	}
}

/* The assessment as screen_run() feeds it: each matched rule once. */
static void pass_assess(struct bench *b)
{
	for (size_t i = 0; i < b->c->n; i++) {
		struct assess_input in = { b->table, b->rules.count, b->hits, 0, -1, ASSESS_TVPA };
		struct assessment as;
		size_t n;

		do_norm(b, i);
		do_match(b, &n);
		for (size_t k = 0; k < n; k++) {
			uint32_t id = b->spans[k].rule;

			if (!b->seen[id]) {
				b->seen[id] = 1;
				b->hits[in.nhits++] = id;
			}
		}
		for (size_t k = 0; k < in.nhits; k++)
			b->seen[b->hits[k]] = 0;
		assess_run(&in, &as);
		b->sink += as.urgency;
	}
}

static void do_write(struct bench *b, size_t i)
{
	buf_reset(&b->out);
	if (screen_write(b->engine, b->scratch, &b->opt, b->c->text[i], b->c->len[i], &b->out))
		die("text %zu: screen_write failed", i + 1);
}

static void pass_analyse(struct bench *b)
{
	for (size_t i = 0; i < b->c->n; i++) {
		struct screen_result r;

		if (screen_analyse(b->engine, b->scratch, &b->opt, b->c->text[i], b->c->len[i], &r))
			die("text %zu: screen_analyse failed", i + 1);
		b->sink += r.nindicators;
	}
}

static void pass_whole(struct bench *b)
{
	for (size_t i = 0; i < b->c->n; i++) {
		do_write(b, i);
		b->sink += b->out.len;
	}
}

static void pass_tree(struct bench *b)
{
	for (size_t i = 0; i < b->c->n; i++) {
		json_t *res = NULL;

		if (screen_run(b->engine, b->scratch, &b->opt, b->c->text[i], b->c->len[i], &res))
			die("text %zu: screen_run failed", i + 1);
		b->sink += json_object_size(res);
		json_decref(res);
	}
}

static double timed(struct bench *b, enum stage st, struct rules_stats *st1,
		    struct rules_stats *st2)
{
	double t0 = cpu_now();

	if (st1)
		rules_scratch_stats(b->rs, st1);
	switch (st) {
	case ST_REF: pass_ref(b); break;
	case ST_NORM: pass_norm(b); break;
	case ST_ENT: pass_entities(b); break;
	case ST_MATCH: pass_match(b); break;
	case ST_ASSESS: pass_assess(b); break;
	case ST_ANALYSE: pass_analyse(b); break;
	case ST_WHOLE: pass_whole(b); break;
	case ST_TREE: pass_tree(b); break;
	default: assert(0);
	}
	if (st2)
		rules_scratch_stats(b->rs, st2);
	return cpu_now() - t0;
}

static void latency(struct bench *b, size_t runs, double *p50, double *p99, size_t *ntexts)
{
	size_t *pick = malloc(b->c->n * sizeof(*pick)), n = 0;
	double *lat = malloc(runs * sizeof(*lat));

	if (!pick || !lat)
		die("out of memory");
	for (size_t i = 0; i < b->c->n; i++) {
		if (b->c->len[i] >= 1900 && b->c->len[i] <= 2100)
			pick[n++] = i;
	}
	if (!n)
		die("the corpus has no text of 1900-2100 bytes");
	for (size_t r = 0; r < runs; r++) {
		size_t i = pick[r % n];
		double t0 = wall_now();

		do_write(b, i);
		lat[r] = wall_now() - t0;
	}
	qsort(lat, runs, sizeof(*lat), double_cmp);
	*p50 = lat[runs / 2];
	*p99 = lat[runs * 99 / 100];
	*ntexts = n;
	free(lat);
	free(pick);
}

static void usage(void)
{
	fputs("usage: bench [--rules DIR] [--runs N] [--latency N] [--json OUT] CORPUS\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rules", required_argument, NULL, 'r' },
		{ "runs", required_argument, NULL, 'n' },
		{ "latency", required_argument, NULL, 'l' },
		{ "json", required_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *rules_dir = "data", *json_out = NULL;
	struct screen_file files[FILES_MAX];
	double t[ST_COUNT], *runs_t[ST_COUNT], build[5], p50, p99;
	double share1 = 0, hits = 0, riders = 0, scans = 0, matches = 0;
	size_t nfiles, runs = 5, lat_runs = 20000, nlat;
	struct rules_db_info info;
	struct corpus corpus;
	struct bench b;
	char err[512];
	json_t *out;
	int opt;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		char *end;

		switch (opt) {
		case 'r': rules_dir = optarg; break;
		case 'j': json_out = optarg; break;
		case 'n': case 'l': {
			unsigned long v = strtoul(optarg, &end, 10);

			if (*end || !v || v > 1000000)
				usage();
			*(opt == 'n' ? &runs : &lat_runs) = v;
			break;
		}
		default: usage();
		}
	}
	if (optind != argc - 1)
		usage();
	memset(&b, 0, sizeof(b));
	nfiles = load_rules(rules_dir, files);
	for (size_t i = 0; i < ARRAY_SIZE(build); i++) {
		struct screen_engine *e;
		double t0 = wall_now();

		if (screen_engine_build(files, nfiles, &e, err, sizeof(err)))
			die("%s", err);
		build[i] = wall_now() - t0;
		screen_engine_free(e);
	}
	if (screen_engine_build(files, nfiles, &b.engine, err, sizeof(err)) ||
	    screen_scratch_new(b.engine, &b.scratch))
		die("cannot build the engine: %s", err);
	/* A second copy of the rules for the stage passes, which screen.h keeps private. */
	rules_init(&b.rules);
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < nfiles; i++) {
			if (rules_is_typology(files[i].text, files[i].len) != (pass == 0))
				continue;
			if (rules_parse(&b.rules, files[i].name, files[i].text, files[i].len, err,
					sizeof(err)))
				die("%s", err);
		}
	}
	if (rules_compile(&b.rules, &b.db, err, sizeof(err)) || rules_scratch_new(b.db, &b.rs))
		die("cannot compile the rules: %s", err);
	rules_db_describe(b.db, &info);
	rules_scratch_timing(b.rs, true);
	b.spans = malloc(SPANS_MAX * sizeof(*b.spans));
	b.hits = malloc(b.rules.count * sizeof(*b.hits));
	b.seen = calloc(b.rules.count, 1);
	b.table = malloc(b.rules.count * sizeof(*b.table));
	if (!b.spans || !b.hits || !b.seen || !b.table)
		die("out of memory");
	assess_table_fill(&b.rules, b.table);
	norm_init(&b.norm);
	buf_init(&b.out, SCREEN_JSON_MAX);
	b.opt.framework = SCREEN_TVPA;
	memcpy(b.opt.default_country, "US", 3);
	if (deflateInit(&b.z, 1) != Z_OK)
		die("deflateInit failed");
	load_corpus(argv[optind], &corpus);
	b.c = &corpus;
	for (int s = 0; s < ST_COUNT; s++) {
		runs_t[s] = malloc(runs * sizeof(double));
		if (!runs_t[s])
			die("out of memory");
	}
	fprintf(stderr, "bench/screen: %zu texts, %zu bytes, %zu runs\n", corpus.n, corpus.bytes,
		runs);
	for (size_t r = 0; r < runs; r++) {
		for (int s = 0; s < ST_COUNT; s++) {
			struct rules_stats a, z;

			runs_t[s][r] = timed(&b, (enum stage)s, &a, &z);
			if (s == ST_MATCH) {
				uint64_t p1 = z.phase1_ns - a.phase1_ns, p2 = z.phase2_ns - a.phase2_ns;

				share1 += p1 + p2 ? (double)p1 / (double)(p1 + p2) / (double)runs : 0;
				hits = (double)(z.hits - a.hits) / (double)corpus.n;
				riders = (double)(z.riders - a.riders) / (double)corpus.n;
				scans = (double)(z.scans - a.scans) / (double)corpus.n;
				matches = (double)(z.matches - a.matches) / (double)corpus.n;
			}
		}
		fprintf(stderr, "bench/screen: run %zu of %zu: screen %.1f MB/s, reference %.1f MB/s\n",
			r + 1, runs, (double)corpus.bytes / runs_t[ST_WHOLE][r] / 1e6,
			(double)corpus.bytes / runs_t[ST_REF][r] / 1e6);
	}
	for (int s = 0; s < ST_COUNT; s++)
		t[s] = median(runs_t[s], runs);
	latency(&b, lat_runs, &p50, &p99, &nlat);

	{
		double mb = (double)corpus.bytes / 1e6, n = (double)corpus.n;
		double match = t[ST_MATCH] - t[ST_NORM];
		struct {
			const char *name;
			double secs;
		} rows[] = {
			{ "normalise", t[ST_NORM] },
			{ "entities", t[ST_ENT] - t[ST_NORM] },
			{ "first phase (literal scan)", match * share1 },
			{ "span recovery (phase two)", match * (1 - share1) },
			{ "assessment", t[ST_ASSESS] - t[ST_MATCH] },
			{ "result (negations, sorting, spans)",
			  t[ST_ANALYSE] - t[ST_ASSESS] - (t[ST_ENT] - t[ST_NORM]) },
			{ "JSON text (screen_result_write)", t[ST_WHOLE] - t[ST_ANALYSE] },
		};
		json_t *stages = json_array();

		printf("corpus: %zu texts, %.1f MB, mean %.0f bytes\n", corpus.n, mb,
		       (double)corpus.bytes / n);
		printf("rules: %zu patterns; phase one %zu strings (and %zu found through them), "
		       "%zu branches; %zu anchored databases\n",
		       b.rules.count, info.literals, info.riders, info.branches, info.databases);
		printf("engine build (screen_engine_build, median of %zu): %.3f s\n", ARRAY_SIZE(build),
		       median(build, ARRAY_SIZE(build)));
		printf("per text: %.1f factors found (and %.1f found through them), %.1f anchored scans, "
		       "%.1f matches\n", hits, riders, scans, matches);
		printf("\n%-34s %10s %10s %9s %7s\n", "", "MB/s", "tips/s", "us/tip", "share");
		printf("%-34s %10.1f %10.0f %9.2f %7s\n", "whole screen (screen_write)",
		       mb / t[ST_WHOLE], n / t[ST_WHOLE], t[ST_WHOLE] / n * 1e6, "100%");
		for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
			printf("%-34s %10.1f %10.0f %9.2f %6.1f%%\n", rows[i].name, mb / rows[i].secs,
			       n / rows[i].secs, rows[i].secs / n * 1e6,
			       100 * rows[i].secs / t[ST_WHOLE]);
			json_array_append_new(stages, json_pack("{s:s, s:f, s:f}", "stage", rows[i].name,
								"mb_per_s", mb / rows[i].secs,
								"us_per_tip", rows[i].secs / n * 1e6));
		}
		printf("%-34s %10.1f %10.0f %9.2f\n", "screen_run (a jansson object)",
		       mb / t[ST_TREE], n / t[ST_TREE], t[ST_TREE] / n * 1e6);
		printf("%-34s %10.1f %10.0f %9.2f\n", stage_names[ST_REF], mb / t[ST_REF],
		       n / t[ST_REF], t[ST_REF] / n * 1e6);
		printf("\nscreen / reference: %.2f\n", t[ST_REF] / t[ST_WHOLE]);
		printf("latency of a 2 KB tip (%zu texts of 1900-2100 bytes, %zu runs): "
		       "p50 %.3f ms, p99 %.3f ms\n", nlat, lat_runs, p50 * 1e3, p99 * 1e3);
		out = json_pack("{s:i, s:f, s:i, s:i, s:i, s:i, s:i, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:o}",
				"texts", (json_int_t)corpus.n, "mb", mb, "runs", (json_int_t)runs,
				"patterns", (json_int_t)b.rules.count,
				"literals", (json_int_t)info.literals,
				"riders", (json_int_t)info.riders,
				"databases", (json_int_t)info.databases,
				"build_s", median(build, ARRAY_SIZE(build)),
				"screen_mb_per_s", mb / t[ST_WHOLE], "screen_tips_per_s", n / t[ST_WHOLE],
				"reference_mb_per_s", mb / t[ST_REF], "ratio", t[ST_REF] / t[ST_WHOLE],
				"screen_run_us_per_tip", t[ST_TREE] / n * 1e6,
				"latency_p50_ms", p50 * 1e3, "latency_p99_ms", p99 * 1e3,
				"stages", stages);
	}
	if (json_out && json_dump_file(out, json_out, JSON_INDENT(2)))
		die("cannot write %s", json_out);
	json_decref(out);
	buf_release(&b.out);
	fprintf(stderr, "bench/screen: done (%zu)\n", b.sink % 10);
	return 0;
}

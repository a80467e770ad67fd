/*
 * vigil ads cluster [--threshold T] [--bands BxR] [--shingle N] [--guard N]
 *                   [--index FILE] [--assign | --networks] [--rules DIR]
 *                   [--no-indicators] [--format auto|jsonl|csv]
 *                   [--default-country CC] [--threads N] [--stats]
 * vigil ads report  [--index FILE] [--top N] [same options]
 *
 * `cluster` reads ads (JSON Lines or CSV with a header row) on stdin and
 * writes one JSON line per cluster, network or ad on stdout (docs/ads.md).
 * With --index FILE the index is loaded first (when the file exists) and
 * saved after the output, so the next day's ads join the same clusters.
 * `report` writes an HTML page of the top networks: those of the index
 * with --index (stdin is not read then), else of the ads on stdin.
 *
 * Exit status: 0; 2 for bad usage or bad input, including any record that
 * had to be skipped (each is named on stderr by its line number; the run
 * still finishes and its output is complete for the other records); 1 for
 * a runtime failure.
 */
#include "base/compat.h"
#include "cli/cli.h"
#include "app/ads.h"
#include "app/screening.h"
#include "base/config.h"
#include "base/files.h"
#include "cluster/network.h"

#define WEIGHTS_MAX (1u << 20)
#define REPORT_MAX (64u << 20)
#define GENERIC_SHOWN 20
/* Networks in a report unless --top says otherwise. */
#define REPORT_TOP 100

struct args {
	const char *index, *rules;
	enum ads_output mode;
	int stats, indicators;
	size_t top;
};

static const char usage_text[] =
	"usage: vigil ads cluster [--threshold T] [--bands BxR] [--shingle N] [--guard N] "
	"[--index FILE] [--assign | --networks] [--rules DIR] [--no-indicators] "
	"[--format auto|jsonl|csv] [--default-country CC] [--threads N] [--stats]\n"
	"       vigil ads report [--index FILE] [--top N] [the same options]\n"
	"       vigil ads import [--networks NAME[,NAME...]] < networks.jsonl";

static int number(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Parses the options shared by both commands; returns CLI_OK or CLI_USAGE. */
static int parse(int argc, char **argv, int report, struct ads_options *o, struct args *a)
{
	int i;

	for (i = 2; i < argc; i++) {
		const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		unsigned long v;
		char *end;

		if (!strcmp(opt, "--assign") && !report) {
			a->mode = ADS_ASSIGN;
			continue;
		}
		if (!strcmp(opt, "--networks") && !report) {
			a->mode = ADS_NETWORKS;
			continue;
		}
		if (!strcmp(opt, "--stats")) {
			a->stats = 1;
			continue;
		}
		if (!strcmp(opt, "--no-indicators")) {
			a->indicators = 0;
			continue;
		}
		if (!val)
			goto bad;
		i++;
		if (!strcmp(opt, "--index")) {
			a->index = val;
		} else if (!strcmp(opt, "--rules")) {
			a->rules = val;
		} else if (!strcmp(opt, "--threshold")) {
			errno = 0;
			o->params.threshold = strtod(val, &end);
			if (errno || end == val || *end || !(o->params.threshold > 0) ||
			    o->params.threshold > 1) {
				cli_error("ads: --threshold is a number above 0 and at most 1");
				return CLI_USAGE;
			}
			o->params_given = 1;
		} else if (!strcmp(opt, "--bands")) {
			unsigned long b, r;
			const char *x = strchr(val, 'x');
			char part[16];

			if (!x || (size_t)(x - val) >= sizeof(part)) {
				cli_error("ads: --bands is BANDSxROWS, such as 9x2");
				return CLI_USAGE;
			}
			snprintf(part, sizeof(part), "%.*s", (int)(x - val), val);
			if (number(part, 1000, &b) || number(x + 1, 1000, &r) ||
			    !lsh_layout_ok((unsigned)b, (unsigned)r)) {
				cli_error("ads: --bands is BANDSxROWS with 1 to %d bands and at most %d "
					  "values in all", LSH_BANDS_MAX, MINHASH_K);
				return CLI_USAGE;
			}
			o->params.bands = (unsigned)b;
			o->params.rows = (unsigned)r;
			o->params_given = 1;
		} else if (!strcmp(opt, "--shingle")) {
			if (number(val, MINHASH_SHINGLE_MAX, &v) || !v) {
				cli_error("ads: --shingle is 1 to %d words", MINHASH_SHINGLE_MAX);
				return CLI_USAGE;
			}
			o->params.shingle = (unsigned)v;
			o->params_given = 1;
		} else if (!strcmp(opt, "--guard")) {
			if (number(val, 1000000, &v) || !v) {
				cli_error("ads: --guard is a whole number from 1");
				return CLI_USAGE;
			}
			o->guard = (unsigned)v;
		} else if (!strcmp(opt, "--threads")) {
			if (number(val, 64, &v)) {
				cli_error("ads: --threads is 0 (one per CPU) to 64");
				return CLI_USAGE;
			}
			o->threads = (unsigned)v;
		} else if (!strcmp(opt, "--top") && report) {
			if (number(val, 1000000, &v)) {
				cli_error("ads: --top is a whole number (0 for all)");
				return CLI_USAGE;
			}
			a->top = v;
		} else if (!strcmp(opt, "--format")) {
			if (!strcmp(val, "auto"))
				o->format = ADS_AUTO;
			else if (!strcmp(val, "jsonl"))
				o->format = ADS_JSONL;
			else if (!strcmp(val, "csv"))
				o->format = ADS_CSV;
			else {
				cli_error("ads: --format is auto, jsonl or csv");
				return CLI_USAGE;
			}
		} else if (!strcmp(opt, "--default-country")) {
			if (strlen(val) != 2) {
				cli_error("ads: --default-country is a two-letter country code");
				return CLI_USAGE;
			}
			memcpy(o->default_country, val, 3);
		} else {
			i--; /* name the option, not its value */
			goto bad;
		}
	}
	return CLI_OK;
bad:
	cli_error("ads: unknown or incomplete argument %s\n%s", argv[i], usage_text);
	return CLI_USAGE;
}

static void report_line(void *arg, uint64_t lineno, const char *msg)
{
	(void)arg;
	cli_error("line %" PRIu64 ": %s", lineno, msg);
}

static int load_weights(const char *rules, struct rank_weights *w)
{
	struct file_set set;
	char path[CONFIG_PATH_MAX + 32], err[512];
	int rc;

	file_set_init(&set);
	snprintf(path, sizeof(path), "%s/ads/weights.tsv", rules);
	rc = file_set_add(&set, path, WEIGHTS_MAX, err, sizeof(err));
	if (!rc)
		rc = rank_weights_parse(set.v[0].name, set.v[0].text, set.v[0].len, w, err,
					sizeof(err));
	file_set_release(&set);
	if (rc)
		cli_error("ads: %s", err);
	return rc == VG_INVAL ? CLI_USAGE : rc ? CLI_FAIL : CLI_OK;
}

static void print_stats(const struct ads_session *s)
{
	const struct ads_stats *st = ads_session_stats(s);

	fprintf(stderr, "vigil: ads stats: {\"records\": %" PRIu64 ", \"added\": %" PRIu64
		", \"duplicates\": %" PRIu64 ", \"malformed\": %" PRIu64 ", \"empty\": %" PRIu64
		", \"loaded\": %" PRIu64 ", \"threads\": %u, \"read_s\": %.3f, \"screen_cpu_s\": %.3f"
		", \"norm_cpu_s\": %.3f, \"sign_cpu_s\": %.3f, \"index_s\": %.3f, \"networks_s\": %.3f"
		", \"output_s\": %.3f, \"wall_s\": %.3f, \"peak_rss\": %" PRIu64 "}\n",
		st->records, st->added, st->duplicates, st->malformed, st->empty, st->loaded,
		st->threads, st->read_s, st->screen_s, st->norm_s, st->sign_s, st->index_s,
		st->networks_s, st->output_s, st->wall_s, ads_peak_rss());
}

static void print_generic(const struct ads_session *s)
{
	char line[256];
	size_t n = ads_session_generic(s, 0, line, sizeof(line)), i;

	for (i = 0; i < n && i < GENERIC_SHOWN; i++) {
		ads_session_generic(s, i, line, sizeof(line));
		cli_error("ads: generic contact %s: not used to link networks", line);
	}
	if (n > GENERIC_SHOWN)
		cli_error("ads: and %zu more generic contacts", n - GENERIC_SHOWN);
}

int cmd_ads(int argc, char **argv, const char *data_dir)
{
	struct ads_options o = {0};
	struct args a = {.mode = ADS_CLUSTERS, .indicators = 1, .top = REPORT_TOP};
	struct rank_weights w;
	struct screening *scr = NULL;
	struct ads_session *s = NULL;
	struct screen_options so = {.framework = SCREEN_TVPA};
	struct config cfg;
	struct buf html;
	char err[512];
	int report, status, rc;

	if (argc >= 2 && !strcmp(argv[1], "import"))
		return cmd_ads_import(argc - 1, argv + 1, data_dir);
	if (argc < 2 || (strcmp(argv[1], "cluster") && strcmp(argv[1], "report"))) {
		cli_error("ads: %s", usage_text);
		return CLI_USAGE;
	}
	report = !strcmp(argv[1], "report");
	if (config_load(data_dir, &cfg))
		config_defaults(&cfg, data_dir);
	index_params_default(&o.params);
	o.guard = NETWORK_GUARD_DEFAULT;
	memcpy(o.default_country, cfg.default_country, 3);
	status = parse(argc, argv, report, &o, &a);
	if (status)
		return status;
	if (!a.rules)
		a.rules = cfg.rules_dir;
	status = load_weights(a.rules, &w);
	if (status)
		return status;
	o.weights = &w;
	o.keep_order = a.mode == ADS_ASSIGN;
	if (a.indicators && !(report && a.index)) {
		so.framework = cfg.framework_palermo ? SCREEN_PALERMO : SCREEN_TVPA;
		memcpy(so.default_country, o.default_country, 3);
		rc = screening_load(a.rules, &so, &scr, err, sizeof(err));
		if (rc) {
			cli_error("ads: %s", err);
			return rc == VG_INVAL ? CLI_USAGE : CLI_FAIL;
		}
		o.screening = scr;
	}
	rc = ads_session_new(&o, &s, err, sizeof(err));
	if (rc) {
		cli_error("ads: %s", err);
		status = rc == VG_INVAL ? CLI_USAGE : CLI_FAIL;
		goto out;
	}
	if (a.index) {
		rc = ads_session_load(s, a.index, err, sizeof(err));
		if (rc) {
			cli_error("ads: %s", err);
			status = rc == VG_INVAL ? CLI_USAGE : CLI_FAIL;
			goto out;
		}
	}
	if (!(report && a.index)) {
		rc = ads_session_read(s, stdin, report_line, NULL, err, sizeof(err));
		if (rc) {
			cli_error("ads: %s", err);
			status = rc == VG_INVAL ? CLI_USAGE : CLI_FAIL;
			goto out;
		}
	}
	rc = ads_session_finish(s, a.index && !report);
	if (rc) {
		cli_error("ads: %s", vg_strerror(rc));
		status = CLI_FAIL;
		goto out;
	}
	print_generic(s);
	if (report) {
		buf_init(&html, REPORT_MAX);
		rc = ads_session_report(s, a.top, &html);
		if (!rc && (fwrite(buf_str(&html), 1, html.len, stdout) != html.len || fflush(stdout)))
			rc = VG_IO;
		buf_release(&html);
	} else {
		rc = ads_session_write(s, a.mode, stdout);
	}
	if (rc) {
		cli_error("ads: cannot write the %s: %s", report ? "report" : "results",
			  vg_strerror(rc));
		status = CLI_FAIL;
		goto out;
	}
	/* The index is saved only after the output is out, so a failed run can be run again. */
	if (a.index && !report) {
		rc = ads_session_save(s, a.index, err, sizeof(err));
		if (rc) {
			cli_error("ads: %s", err);
			status = CLI_FAIL;
			goto out;
		}
	}
	status = ads_session_stats(s)->malformed ? CLI_USAGE : CLI_OK;
out:
	if (a.stats && s)
		print_stats(s);
	ads_session_free(s);
	screening_free(scr);
	return status;
}

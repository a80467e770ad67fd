/*
 * vigil route [--rules DIR] [--at ISO8601]
 *
 * Reads screening results as JSON Lines on stdin (what `vigil screen`
 * writes, with "country" and "region" carried through) and writes each
 * back on stdout, in order, with "referrals" added: the lines and agencies
 * the rules in DIR/routing choose, most urgent first (route.h). A line
 * without a country is taken to be in vigil.conf's default_country. A bad
 * line gets one error on stderr naming its number, the other lines are
 * still routed, and the exit status is 2.
 */
#include "base/compat.h"
#include "cli/cli.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/config.h"
#include "app/helplines.h"
#include "directory/geo.h"
#include "directory/route.h"
#include "vigil_config.h"

/* The longest input line: a screening result with its evidence quotes. */
#define LINE_MAX_BYTES (8u << 20)

static const char usage_text[] = "usage: vigil route [--rules DIR] [--at ISO8601]";

struct router {
	const struct route_rules *rules;
	const struct geo *geo;
	const char *default_country;
	int64_t now;
};

/* A member that must be a string when present: NULL when absent or null. */
static int optional_string(const json_t *o, const char *key, const char **out)
{
	const json_t *v = json_object_get(o, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return VG_OK;
	if (!json_is_string(v))
		return VG_INVAL;
	*out = json_string_value(v);
	return VG_OK;
}

/* Where the tip is, from the line or the default, checked against ISO 3166. */
static int line_place(const struct router *r, const json_t *in, struct route_place *pl,
		      size_t lineno)
{
	const char *country, *region;
	char suffix[GEO_REGION_SIZE];

	if (optional_string(in, "country", &country) || optional_string(in, "region", &region)) {
		cli_error("line %zu: \"country\" and \"region\" must be strings", lineno);
		return CLI_USAGE;
	}
	if (!country || !*country)
		country = r->default_country;
	if (route_place_set(pl, country, NULL) || !geo_country(r->geo, pl->country)) {
		cli_error("line %zu: unknown country \"%s\" (an ISO 3166-1 code such as US)",
			  lineno, country);
		return CLI_USAGE;
	}
	if (region && *region && (route_place_set(pl, country, region) ||
				  geo_region_find(r->geo, pl->country, pl->region, suffix))) {
		cli_error("line %zu: unknown region \"%s\" (an ISO 3166-2 code such as US-CA)",
			  lineno, region);
		return CLI_USAGE;
	}
	return CLI_OK;
}

/* Routes one line; CLI_OK, CLI_USAGE for bad input, CLI_FAIL to stop. */
static int route_line(const struct router *r, const char *line, size_t len, size_t lineno)
{
	struct route_result res;
	struct route_place pl;
	json_error_t jerr;
	json_t *in, *refs = NULL;
	char err[256];
	int status, rc;

	route_result_init(&res);
	in = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!in) {
		cli_error("line %zu: malformed JSON at column %d: %s", lineno, jerr.column, jerr.text);
		return CLI_USAGE;
	}
	if (!json_is_object(in)) {
		cli_error("line %zu: a screening result must be a JSON object", lineno);
		status = CLI_USAGE;
		goto out;
	}
	status = line_place(r, in, &pl, lineno);
	if (status)
		goto out;
	rc = route_eval(r->rules, in, &pl, r->now, &res, err, sizeof(err));
	if (!rc) {
		rc = route_result_json(&res, &refs);
		if (rc)
			snprintf(err, sizeof(err), "%s", vg_strerror(rc));
	}
	if (rc) {
		cli_error("line %zu: %s", lineno, err);
		status = rc == VG_INVAL ? CLI_USAGE : CLI_FAIL;
		goto out;
	}
	if (json_object_set_new(in, "referrals", refs) ||
	    json_dumpf(in, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER) || fputc('\n', stdout) == EOF)
		status = CLI_FAIL;
out:
	route_result_release(&res);
	json_decref(in);
	return status;
}

/*
 * Reads one line into b without its newline: 1 for a line, 0 at the end,
 * -1 for a line longer than b allows (the rest of it is skipped).
 */
static int read_line(FILE *f, struct buf *b)
{
	char chunk[8192];
	bool any = false, too_long = false;

	buf_reset(b);
	while (fgets(chunk, sizeof(chunk), f)) {
		size_t n = strlen(chunk);
		bool newline = n && chunk[n - 1] == '\n';

		any = true;
		if (newline)
			n--;
		if (!too_long && buf_add(b, chunk, n))
			too_long = true;
		if (newline)
			break;
	}
	if (!any)
		return 0;
	return too_long ? -1 : 1;
}

static int route_stream(const struct router *r)
{
	struct buf line;
	size_t lineno = 0;
	int status = CLI_OK, got;

	buf_init(&line, LINE_MAX_BYTES);
	while ((got = read_line(stdin, &line)) != 0) {
		int rc;

		lineno++;
		if (got < 0) {
			cli_error("line %zu: longer than %u bytes", lineno, LINE_MAX_BYTES);
			status = CLI_USAGE;
			continue;
		}
		while (line.len && line.ptr[line.len - 1] == '\r')
			line.ptr[--line.len] = '\0';
		if (!line.len)
			continue;
		rc = route_line(r, line.ptr, line.len, lineno);
		if (rc == CLI_FAIL) {
			status = CLI_FAIL;
			break;
		}
		if (rc)
			status = CLI_USAGE;
	}
	buf_release(&line);
	if (ferror(stdin)) {
		cli_error("route: cannot read standard input");
		status = CLI_FAIL;
	}
	if (fflush(stdout) || ferror(stdout)) {
		cli_error("route: cannot write the results");
		status = CLI_FAIL;
	}
	return status;
}

int cmd_route(int argc, char **argv, const char *data_dir)
{
	struct router r = { 0 };
	struct helplines h = {0};
	struct geo *g = NULL;
	struct config cfg;
	const char *rules_dir = NULL, *at = NULL;
	int i, status;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--rules") && i + 1 < argc) {
			rules_dir = argv[++i];
		} else if (!strcmp(argv[i], "--at") && i + 1 < argc) {
			at = argv[++i];
		} else {
			cli_error("route: unknown argument %s (%s)", argv[i], usage_text);
			return CLI_USAGE;
		}
	}
	if (config_load(data_dir, &cfg))
		config_defaults(&cfg, data_dir);
	r.default_country = cfg.default_country;
	r.now = clock_now();
	if (at && hours_parse_instant(at, &r.now)) {
		cli_error("route: --at \"%s\" is not an ISO 8601 instant such as "
			  "2026-03-29T09:30:00+02:00 or 2026-03-29T07:30:00Z", at);
		return CLI_USAGE;
	}
	if (geo_load(VIGIL_ISO_CODES_DIR, &g)) {
		cli_error("route: cannot load the ISO 3166 lists from %s", VIGIL_ISO_CODES_DIR);
		return CLI_FAIL;
	}
	if (!rules_dir)
		rules_dir = cfg.rules_dir;
	status = cli_helplines_load(rules_dir, g, 1, &h);
	if (!status) {
		r.rules = h.rules;
		r.geo = g;
		status = route_stream(&r);
	}
	helplines_release(&h);
	geo_free(g);
	return status;
}

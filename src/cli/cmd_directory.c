/*
 * vigil directory [--rules DIR] [--country CC] [--region CC-RR] [--service S]
 *                 [--open-now] [--at ISO8601] [--json]
 *
 * Lists the hotline directory (the .ini files in DIR/directory; DIR defaults
 * to the rules directory of vigil.conf), emergency lines first, then the lines
 * open now, then those with unknown hours, then the closed ones. A text
 * table by default, JSON Lines with --json. --at fixes the clock. An
 * unknown country, region or service, or a malformed --at, exits 2.
 */
#include "base/compat.h"
#include "cli/cli.h"
#include "base/clock.h"
#include "base/config.h"
#include "app/helplines.h"
#include "directory/directory.h"
#include "directory/geo.h"
#include "vigil_config.h"

static const char usage_text[] =
	"usage: vigil directory [--rules DIR] [--country CC] [--region CC-RR] [--service S] "
	"[--open-now] [--at ISO8601] [--json]";

int cli_helplines_load(const char *rules, const struct geo *g, int with_rules,
		       struct helplines *out)
{
	char err[512];
	int rc = helplines_load(rules, g, with_rules, out, err, sizeof(err));

	if (rc) {
		cli_error("%s", err);
		return rc == VG_INVAL ? CLI_USAGE : CLI_FAIL;
	}
	return CLI_OK;
}

/* The first channel to show in the table: a number, else e-mail, else web. */
static const char *contact(const struct directory_entry *e)
{
	const struct directory_channel *ch = directory_dial(e);

	if (!ch)
		ch = directory_channel(e, DIR_CH_TEXT);
	if (!ch)
		ch = directory_channel(e, DIR_CH_EMAIL);
	if (!ch)
		ch = directory_channel(e, DIR_CH_WEB);
	return ch ? ch->written : "";
}

static void print_row(const struct directory_hit *h)
{
	const struct directory_entry *e = h->entry;
	size_t i;
	bool first = true;

	printf("%-8s %-28s %-22s %s (", hours_state_name(h->state), e->id, contact(e), e->name);
	printf("%s", *e->hours_text ? e->hours_text : "hours unknown");
	if (*e->hours.zone)
		printf(" %s", e->hours.zone);
	printf(";");
	for (i = 0; i < DIR_SVC_COUNT; i++) {
		if (e->services >> i & 1) {
			printf("%s%s", first ? " " : ", ", directory_service_name((enum directory_service)i));
			first = false;
		}
	}
	if (e->nlanguages) {
		printf("; languages");
		for (i = 0; i < e->nlanguages; i++)
			printf("%s%s", i ? ", " : " ", e->languages[i]);
	}
	printf(")\n");
}

static int print_json(const struct directory_hit *h)
{
	json_t *o;
	int rc = directory_entry_json(h->entry, h->state, &o);

	if (rc)
		return rc;
	rc = json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(o);
	return rc ? VG_IO : VG_OK;
}

struct options {
	const char *rules, *country, *region, *service, *at;
	bool open_only, json;
};

static int parse_args(int argc, char **argv, struct options *o)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has_value = i + 1 < argc;

		if (!strcmp(a, "--open-now")) {
			o->open_only = true;
		} else if (!strcmp(a, "--json")) {
			o->json = true;
		} else if (!strcmp(a, "--rules") && has_value) {
			o->rules = argv[++i];
		} else if (!strcmp(a, "--country") && has_value) {
			o->country = argv[++i];
		} else if (!strcmp(a, "--region") && has_value) {
			o->region = argv[++i];
		} else if (!strcmp(a, "--service") && has_value) {
			o->service = argv[++i];
		} else if (!strcmp(a, "--at") && has_value) {
			o->at = argv[++i];
		} else {
			cli_error("directory: unknown argument %s (%s)", a, usage_text);
			return CLI_USAGE;
		}
	}
	return CLI_OK;
}

/*
 * Checks --country and --region against ISO 3166 and writes the codes the
 * query uses: "US" and "US-CA". A region given as "US-CA" implies its
 * country.
 */
static int resolve_place(const struct geo *g, const struct options *o, char country[3],
			 char region[3 + GEO_REGION_SIZE])
{
	char suffix[GEO_REGION_SIZE];
	const struct geo_country *c;

	country[0] = region[0] = '\0';
	if (o->country) {
		c = geo_country(g, o->country);
		if (!c) {
			cli_error("directory: unknown country \"%s\" (an ISO 3166-1 code such as US)",
				  o->country);
			return CLI_USAGE;
		}
		memcpy(country, c->code, 3);
	}
	if (!o->region)
		return CLI_OK;
	if (!*country && strlen(o->region) > 3 && o->region[2] == '-') {
		char cc[3] = { o->region[0], o->region[1], '\0' };

		c = geo_country(g, cc);
		if (c)
			memcpy(country, c->code, 3);
	}
	if (!*country) {
		cli_error("directory: --region needs --country, or a code such as US-CA");
		return CLI_USAGE;
	}
	if (geo_region_find(g, country, o->region, suffix)) {
		cli_error("directory: unknown region \"%s\" in %s (an ISO 3166-2 code such as US-CA)",
			  o->region, country);
		return CLI_USAGE;
	}
	snprintf(region, 3 + GEO_REGION_SIZE, "%s-%s", country, suffix);
	return CLI_OK;
}

int cmd_directory(int argc, char **argv, const char *data_dir)
{
	struct options o = { 0 };
	struct directory_query q = { .service = -1 };
	struct directory_hits hits;
	struct helplines h = {0};
	struct geo *g = NULL;
	struct config cfg;
	char country[3], region[3 + GEO_REGION_SIZE];
	size_t i;
	int status, rc;

	directory_hits_init(&hits);
	status = parse_args(argc, argv, &o);
	if (status)
		return status;
	if (config_load(data_dir, &cfg))
		config_defaults(&cfg, data_dir);
	q.now = clock_now();
	if (o.at && hours_parse_instant(o.at, &q.now)) {
		cli_error("directory: --at \"%s\" is not an ISO 8601 instant such as "
			  "2026-03-29T09:30:00+02:00 or 2026-03-29T07:30:00Z", o.at);
		return CLI_USAGE;
	}
	if (o.service) {
		enum directory_service s;

		if (directory_service_parse(o.service, &s)) {
			cli_error("directory: unknown service \"%s\" (emergency, report, help, child, "
				  "labor, women, refugees, visa_fraud, wage_theft, discrimination, "
				  "training)", o.service);
			return CLI_USAGE;
		}
		q.service = (int)s;
	}
	if (geo_load(VIGIL_ISO_CODES_DIR, &g)) {
		cli_error("directory: cannot load the ISO 3166 lists from %s", VIGIL_ISO_CODES_DIR);
		return CLI_FAIL;
	}
	status = resolve_place(g, &o, country, region);
	if (status)
		goto out;
	status = cli_helplines_load(o.rules ? o.rules : cfg.rules_dir, g, 0, &h);
	if (status)
		goto out;
	q.country = country;
	q.region = region;
	q.open_only = o.open_only;
	rc = directory_query(h.directory, &q, &hits);
	if (rc) {
		cli_error("directory: %s", vg_strerror(rc));
		status = CLI_FAIL;
		goto out;
	}
	if (!o.json)
		printf("%-8s %-28s %-22s %s\n", "STATE", "ID", "CONTACT", "NAME (HOURS; SERVICES)");
	for (i = 0; i < hits.n && !status; i++) {
		if (!o.json)
			print_row(&hits.v[i]);
		else if (print_json(&hits.v[i]))
			status = CLI_FAIL;
	}
	if (fflush(stdout) || ferror(stdout)) {
		cli_error("directory: cannot write the list");
		status = CLI_FAIL;
	}
out:
	directory_hits_release(&hits);
	helplines_release(&h);
	geo_free(g);
	return status;
}

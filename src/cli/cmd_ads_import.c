/*
 * vigil ads import [--networks NAME[,NAME...]] < networks.jsonl
 *
 * Reads what `vigil ads cluster --networks` wrote (with or without
 * --index), stores every network
 * in the database for the staff console (/staff/ads), and opens a lead (a
 * case with the network's phones and emails) for each network named by
 * --networks, by its name in the input ("n0"). Writes one JSON line per
 * network read: {"network", "id", "stored": "new"|"updated", "case",
 * "lead": "opened"|"existing"|null}. Importing the same networks again
 * updates them and finds their leads (app/leads.h).
 *
 * Exit status: 0; 2 for bad usage or when a line had to be skipped (named
 * on stderr with its number) or a name given to --networks was not in the
 * input; 1 for a runtime failure.
 */
#include "base/compat.h"
#include "cli/cli.h"
#include "app/leads.h"
#include "base/buf.h"

#include <jansson.h>

/* Names --networks may give. */
#define IMPORT_CHOSEN_MAX 256

struct chosen {
	char *names[IMPORT_CHOSEN_MAX];
	int seen[IMPORT_CHOSEN_MAX];
	size_t count;
};

/* Splits list (modified in place) at commas into c. */
static int parse_chosen(char *list, struct chosen *c)
{
	char *p = list, *comma;

	while (*p) {
		comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		if (!*p || c->count == IMPORT_CHOSEN_MAX)
			return -1;
		c->names[c->count++] = p;
		if (!comma)
			break;
		p = comma + 1;
	}
	return c->count ? 0 : -1;
}

/* The index of name among the chosen, or -1. */
static int chosen_find(const struct chosen *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->count; i++)
		if (!strcmp(c->names[i], name))
			return (int)i;
	return -1;
}

/*
 * Reads one line of in into line, without its newline. 1 for a line, 0 at
 * the end, -1 for a line past the buffer's limit (read to its end and
 * dropped), -2 for a read error.
 */
static int read_line(FILE *in, struct buf *line)
{
	int ch, over = 0, any = 0;

	buf_reset(line);
	while ((ch = getc(in)) != EOF) {
		any = 1;
		if (ch == '\n')
			break;
		if (!over && buf_addch(line, (char)ch))
			over = 1;
	}
	if (ferror(in))
		return -2;
	if (!any)
		return 0;
	return over ? -1 : 1;
}

static int blank(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!s[i] || !strchr(" \t\r\n\f\v", s[i]))
			return 0;
	return 1;
}

/* Stores one network and opens its lead when chosen; prints its line. */
static int import_one(struct app *app, json_t *net, struct chosen *c, uint64_t lineno,
		      int *bad)
{
	char id[ADNET_ID_SIZE], case_id[CASE_ID_SIZE];
	const char *msg, *name;
	int created, opened = 0, k, rc;
	json_t *out;

	rc = leads_store(app, net, id, &created, &msg);
	if (rc == VG_INVAL) {
		cli_error("line %" PRIu64 ": %s", lineno, msg);
		*bad = 1;
		return VG_OK;
	}
	if (rc) {
		cli_error("line %" PRIu64 ": cannot store the network: %s", lineno,
			  vg_strerror(rc));
		return rc;
	}
	name = json_string_value(json_object_get(net, "network"));
	k = chosen_find(c, name);
	if (k >= 0) {
		c->seen[k] = 1;
		rc = leads_make(app, NULL, id, case_id, &opened);
		if (rc) {
			cli_error("line %" PRIu64 ": cannot open the lead of %s: %s", lineno, name,
				  vg_strerror(rc));
			return rc;
		}
	}
	out = json_pack("{s:s, s:s, s:s, s:o, s:o}", "network", name, "id", id,
			"stored", created ? "new" : "updated",
			"case", k >= 0 ? json_string(case_id) : json_null(),
			"lead", k >= 0 ? json_string(opened ? "opened" : "existing") : json_null());
	if (!out)
		return VG_NOMEM;
	rc = json_dumpf(out, stdout, JSON_COMPACT) || putchar('\n') == EOF ? VG_IO : VG_OK;
	json_decref(out);
	return rc;
}

int cmd_ads_import(int argc, char **argv, const char *data_dir)
{
	struct chosen c = {0};
	struct buf line;
	struct app app;
	uint64_t lineno = 0;
	json_error_t jerr;
	int i, r, bad = 0, rc = VG_OK;
	size_t k;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--networks") && i + 1 < argc && !c.count) {
			if (parse_chosen(argv[++i], &c)) {
				cli_error("ads import: --networks takes 1 to %d names separated by commas",
					  IMPORT_CHOSEN_MAX);
				return CLI_USAGE;
			}
		} else {
			cli_error("ads import: unknown argument %s (usage: vigil ads import "
				  "[--networks NAME[,NAME...]] < networks.jsonl)", argv[i]);
			return CLI_USAGE;
		}
	}
	rc = app_open(data_dir, &app);
	if (rc) {
		cli_error("%s: %s", data_dir, vg_strerror(rc));
		return CLI_FAIL;
	}
	buf_init(&line, LEADS_LINE_MAX);
	while (!rc) {
		json_t *net;

		r = read_line(stdin, &line);
		if (r == 0)
			break;
		lineno++;
		if (r == -2) {
			cli_error("ads import: cannot read standard input: %s", strerror(errno));
			rc = VG_IO;
			break;
		}
		if (r == -1) {
			cli_error("line %" PRIu64 ": longer than %u bytes", lineno, LEADS_LINE_MAX);
			bad = 1;
			continue;
		}
		if (blank(line.ptr, line.len))
			continue;
		net = json_loadb(line.ptr, line.len, JSON_REJECT_DUPLICATES, &jerr);
		if (!net) {
			cli_error("line %" PRIu64 ": malformed JSON at column %d: %s", lineno,
				  jerr.column, jerr.text);
			bad = 1;
			continue;
		}
		rc = import_one(&app, net, &c, lineno, &bad);
		json_decref(net);
	}
	for (k = 0; k < c.count && !rc; k++) {
		if (!c.seen[k]) {
			cli_error("ads import: network %s is not in the input", c.names[k]);
			bad = 1;
		}
	}
	if (!rc && fflush(stdout))
		rc = VG_IO;
	buf_release(&line);
	app_release(&app);
	if (rc)
		return CLI_FAIL;
	return bad ? CLI_USAGE : CLI_OK;
}

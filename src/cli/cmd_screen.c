/*
 * vigil screen [--rules DIR] [--framework tvpa|palermo] [--default-country CC]
 *              [--text TEXT]
 *
 * Reads JSON Lines on stdin, {"id": ..., "text": "...", "country": "US",
 * "language": "en"} (only text required), and writes one result per line on
 * stdout, in order, with the id echoed. A line that cannot be read gets one
 * error line on stderr naming its number, is skipped, and the exit status
 * becomes 2. With --text, screens that text alone.
 */
#include "base/compat.h"
#include "cli/cli.h"
#include "app/screening.h"
#include "base/config.h"
#include "screen/norm.h"
#include "vigil_config.h"

#include <jansson.h>

/* The longest input line: the longest text, JSON-escaped, with room to spare. */
#define LINE_MAX_BYTES (2 * (size_t)NORM_MAX_INPUT)

/*
 * Writes one result line: the input's id, then the input's country, region
 * and language carried through for `vigil route`, then the members of the
 * result, whose JSON text (an object) is in result. in may be NULL.
 */
static int print_result(json_t *in, const struct buf *result)
{
	static const char *const carried[] = {"country", "region", "language"};
	json_t *line = json_object(), *id = json_object_get(in, "id");
	char *head = NULL;
	size_t i, n;
	int rc = -1;

	assert(result->len >= 2 && result->ptr[0] == '{');
	if (!line || json_object_set(line, "id", id ? id : json_null()))
		goto out;
	for (i = 0; i < ARRAY_SIZE(carried); i++) {
		json_t *v = json_object_get(in, carried[i]);

		if (v && json_object_set(line, carried[i], v))
			goto out;
	}
	head = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!head)
		goto out;
	/* The head's closing brace gives way to the result's members. */
	n = strlen(head) - 1;
	if (fwrite(head, 1, n, stdout) != n || fputc(',', stdout) == EOF ||
	    fwrite(result->ptr + 1, 1, result->len - 1, stdout) != result->len - 1 ||
	    fputc('\n', stdout) == EOF)
		goto out;
	rc = 0;
out:
	free(head);
	json_decref(line);
	return rc;
}

/* Screens one JSON line into result; 0 when done, 2 when the line is bad input. */
static int screen_line(struct screening *s, const char *line, size_t len, size_t lineno,
		       struct buf *result)
{
	json_error_t jerr;
	json_t *in, *text;
	int rc;

	in = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!in) {
		cli_error("line %zu: malformed JSON at column %d: %s", lineno, jerr.column, jerr.text);
		return CLI_USAGE;
	}
	text = json_object_get(in, "text");
	if (!json_is_object(in) || !json_is_string(text)) {
		cli_error("line %zu: an object with a \"text\" string is required", lineno);
		json_decref(in);
		return CLI_USAGE;
	}
	buf_reset(result);
	rc = screening_write(s, json_string_value(json_object_get(in, "country")),
			     json_string_value(text), json_string_length(text), result);
	if (rc) {
		cli_error("line %zu: %s", lineno, vg_strerror(rc));
		json_decref(in);
		return rc == VG_NOMEM ? CLI_FAIL : CLI_USAGE;
	}
	rc = print_result(in, result);
	json_decref(in);
	return rc ? CLI_FAIL : CLI_OK;
}

static int screen_stream(struct screening *s)
{
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;
	int status = CLI_OK;
	struct buf result;

	buf_init(&result, SCREEN_JSON_MAX);

	while ((n = getline(&line, &cap, stdin)) >= 0) {
		int rc;

		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0)
			continue;
		if ((size_t)n > LINE_MAX_BYTES) {
			cli_error("line %zu: longer than %zu bytes", lineno, LINE_MAX_BYTES);
			status = CLI_USAGE;
			continue;
		}
		rc = screen_line(s, line, (size_t)n, lineno, &result);
		if (rc == CLI_FAIL) {
			status = CLI_FAIL;
			break;
		}
		if (rc)
			status = CLI_USAGE;
	}
	free(line);
	buf_release(&result);
	if (fflush(stdout) || ferror(stdout)) {
		cli_error("screen: cannot write the results");
		return CLI_FAIL;
	}
	return status;
}

int cmd_screen(int argc, char **argv, const char *data_dir)
{
	struct screen_options opt = { .framework = SCREEN_TVPA };
	struct screening *s = NULL;
	struct config cfg;
	const char *text = NULL, *rules = NULL;
	char err[512];
	int i, rc, status;

	/* The data directory's settings are the defaults when it has any. */
	if (config_load(data_dir, &cfg))
		config_defaults(&cfg, data_dir);
	opt.framework = cfg.framework_palermo ? SCREEN_PALERMO : SCREEN_TVPA;
	memcpy(opt.default_country, cfg.default_country, 3);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--rules") && i + 1 < argc) {
			rules = argv[++i];
		} else if (!strcmp(argv[i], "--text") && i + 1 < argc) {
			text = argv[++i];
		} else if (!strcmp(argv[i], "--framework") && i + 1 < argc) {
			i++;
			if (strcmp(argv[i], "tvpa") && strcmp(argv[i], "palermo")) {
				cli_error("screen: --framework is tvpa or palermo");
				return CLI_USAGE;
			}
			opt.framework = strcmp(argv[i], "tvpa") ? SCREEN_PALERMO : SCREEN_TVPA;
		} else if (!strcmp(argv[i], "--default-country") && i + 1 < argc) {
			i++;
			if (strlen(argv[i]) != 2) {
				cli_error("screen: --default-country is a two-letter country code");
				return CLI_USAGE;
			}
			memcpy(opt.default_country, argv[i], 3);
		} else {
			cli_error("screen: unknown argument %s (usage: vigil screen [--rules DIR] "
				  "[--framework tvpa|palermo] [--default-country CC] [--text TEXT])", argv[i]);
			return CLI_USAGE;
		}
	}
	rc = screening_load(rules ? rules : cfg.rules_dir, &opt, &s, err, sizeof(err));
	if (rc) {
		cli_error("screen: %s", err);
		return rc == VG_INVAL ? CLI_USAGE : CLI_FAIL;
	}
	if (text) {
		struct buf result;

		buf_init(&result, SCREEN_JSON_MAX);
		rc = screening_write(s, NULL, text, strlen(text), &result);
		if (rc)
			cli_error("screen: %s", vg_strerror(rc));
		status = rc ? CLI_USAGE : print_result(NULL, &result) ? CLI_FAIL : CLI_OK;
		buf_release(&result);
	} else {
		status = screen_stream(s);
	}
	screening_free(s);
	return status;
}

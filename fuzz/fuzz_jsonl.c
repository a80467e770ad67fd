/*
 * fuzz_jsonl.c - the JSON Lines that `vigil screen` reads on stdin.
 *
 * The command's line handling is static in src/cli/cmd_screen.c, so this
 * target does what its screen_stream() and screen_line() do, through the
 * same library calls: cut the input into lines, drop the line end, skip
 * empty lines, read each with JSON_REJECT_DUPLICATES, require an object
 * with a "text" string, screen it with its "country", and write the
 * result line with the id, country, region and language carried through.
 * Each result line must be JSON that reads back with the input's id.
 */
#include "base/compat.h"
#include "fuzz.h"
#include "app/screening.h"
#include "vigil_config.h"

static struct screening *screening;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct screen_options opt = { .framework = SCREEN_PALERMO, .default_country = "US" };
	char err[512];

	(void)argc;
	(void)argv;
	if (screening_load(VIGIL_RULES_DIR, &opt, &screening, err, sizeof(err))) {
		fprintf(stderr, "fuzz_jsonl: %s\n", err);
		abort();
	}
	return 0;
}

/*
 * What print_result() in cmd_screen.c writes, as a string: the head with
 * the id and the carried fields, its closing brace giving way to the
 * members of the result's JSON text.
 */
static char *result_line(json_t *in, const struct buf *result)
{
	static const char *const carried[] = {"country", "region", "language"};
	json_t *line = json_object(), *id = json_object_get(in, "id");
	char *head, *text;
	size_t i, n;

	fuzz_check(line != NULL);
	json_object_set(line, "id", id ? id : json_null());
	for (i = 0; i < ARRAY_SIZE(carried); i++) {
		json_t *v = json_object_get(in, carried[i]);

		if (v)
			json_object_set(line, carried[i], v);
	}
	head = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(line);
	fuzz_check(head != NULL);
	fuzz_check(result->len >= 2 && result->ptr[0] == '{');
	n = strlen(head) - 1;
	text = malloc(n + result->len + 1);
	fuzz_check(text != NULL);
	memcpy(text, head, n);
	text[n] = ',';
	memcpy(text + n + 1, result->ptr + 1, result->len);
	free(head);
	return text;
}

static void screen_line(const char *line, size_t len)
{
	json_t *in, *text, *back;
	json_error_t jerr;
	struct buf result;
	char *out;

	buf_init(&result, SCREEN_JSON_MAX);
	in = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!in)
		return;
	text = json_object_get(in, "text");
	if (!json_is_object(in) || !json_is_string(text))
		goto out;
	if (screening_write(screening, json_string_value(json_object_get(in, "country")),
			    json_string_value(text), json_string_length(text), &result))
		goto out;
	out = result_line(in, &result);
	back = json_loads(out, JSON_REJECT_DUPLICATES, &jerr);
	fuzz_check(back != NULL);
	fuzz_check(json_equal(json_object_get(back, "id"),
			      json_object_get(in, "id") ? json_object_get(in, "id") : json_null()));
	json_decref(back);
	free(out);
out:
	buf_release(&result);
	json_decref(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl : end;
		size_t n = (size_t)(stop - p);

		while (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > 0)
			screen_line(p, n);
		p = nl ? nl + 1 : end;
	}
	return 0;
}

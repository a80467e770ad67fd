/*
 * fuzz_screen.c - the screening entry point (screen/screen.h: the analysis
 * and the JSON writer, read back by jansson, through app/screening.h's
 * screening_run) with the real rules of data/, loaded once.
 *
 * The input is the text of a tip as it is. Text that is valid UTF-8 (as
 * jansson judges it) must be screened (VG_TOOBIG only for text whose
 * normalised form outgrows its limit), and the result must keep the output
 * contract of docs/screening.md: JSON that jansson reads (a writer that
 * wrote anything else would fail the run), a known status and urgency, and every
 * indicator's span inside the text with its quote the original bytes.
 */
#include "base/compat.h"
#include "fuzz.h"
#include "app/screening.h"
#include "vigil_config.h"

static struct screening *screening;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct screen_options opt = { .framework = SCREEN_TVPA, .default_country = "US" };
	char err[512];

	(void)argc;
	(void)argv;
	if (screening_load(VIGIL_RULES_DIR, &opt, &screening, err, sizeof(err))) {
		fprintf(stderr, "fuzz_screen: %s\n", err);
		abort();
	}
	return 0;
}

static int one_of(const char *s, const char *const *set, size_t n)
{
	size_t i;

	for (i = 0; s && i < n; i++)
		if (!strcmp(s, set[i]))
			return 1;
	return 0;
}

static void check_result(json_t *r, const char *text, size_t len)
{
	static const char *const statuses[] = {"likely", "possible", "not_indicated"};
	static const char *const urgencies[] = {"crisis", "priority", "routine"};
	json_t *ind, *it;
	size_t i;

	fuzz_check(json_is_object(r));
	fuzz_check(one_of(json_string_value(json_object_get(r, "status")), statuses, 3));
	fuzz_check(one_of(json_string_value(json_object_get(r, "urgency")), urgencies, 3));
	fuzz_check(json_is_object(json_object_get(r, "entities")));
	ind = json_object_get(r, "indicators");
	fuzz_check(json_is_array(ind));
	json_array_foreach(ind, i, it) {
		json_t *span = json_object_get(it, "span"), *quote = json_object_get(it, "quote");
		json_int_t start = json_integer_value(json_array_get(span, 0));
		json_int_t end = json_integer_value(json_array_get(span, 1));

		fuzz_check(json_array_size(span) == 2);
		fuzz_check(start >= 0 && start <= end && (size_t)end <= len);
		fuzz_check(json_is_string(quote));
		fuzz_check(json_string_length(quote) == (size_t)(end - start));
		fuzz_check(!memcmp(json_string_value(quote), text + start, (size_t)(end - start)));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	json_t *result = NULL, *as_string = json_stringn(text, size);
	int rc = screening_run(screening, NULL, text, size, &result);

	if (as_string)
		fuzz_check(rc == VG_OK || rc == VG_TOOBIG);
	else
		fuzz_check(rc == VG_UTF8);
	if (!rc)
		check_result(result, text, size);
	json_decref(result);
	json_decref(as_string);
	return 0;
}

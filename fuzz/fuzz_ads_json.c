/*
 * fuzz_ads_json.c - the fast path of reading ads' JSON lines
 * (app/ads_json.h), held to its promise: whatever line it accepts,
 * jansson (json_loadb() with JSON_REJECT_DUPLICATES, as app/ads.c calls
 * it) accepts too, with the same values for every key asked for; and a
 * line it leaves to jansson is left unchanged. And whatever text
 * ads_json_plain() passes, text_check() passes too.
 */
#include "base/compat.h"
#include "fuzz.h"
#include "app/ads_json.h"
#include "base/text.h"

#include <jansson.h>

static const struct ads_json_key keys[] = {
	{"id", ADS_JSON_ID}, {"posted_at", ADS_JSON_TEXT}, {"text", ADS_JSON_TEXT},
	{"phones", ADS_JSON_LIST},
};

static int same(const struct ads_json_str *s, const char *v, size_t len)
{
	return s->len == len && !memcmp(s->s, v, len);
}

static void check_value(const struct ads_json *r, size_t k, json_t *v)
{
	json_t *item;
	size_t i;

	if (!r->val[k].s) {
		fuzz_check(!v || json_is_null(v));
		return;
	}
	fuzz_check(v != NULL);
	if (keys[k].kind == ADS_JSON_LIST) {
		fuzz_check(json_is_array(v) && json_array_size(v) == r->n_items);
		json_array_foreach(v, i, item)
			fuzz_check(json_is_string(item) && same(&r->item[i], json_string_value(item),
								json_string_length(item)));
	} else if (json_is_integer(v)) {
		char digits[32];

		fuzz_check(keys[k].kind == ADS_JSON_ID);
		snprintf(digits, sizeof(digits), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		fuzz_check(same(&r->val[k], digits, strlen(digits)));
	} else {
		fuzz_check(json_is_string(v) &&
			   same(&r->val[k], json_string_value(v), json_string_length(v)));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1);
	struct ads_json r;
	json_t *o;
	size_t k;

	fuzz_check(line != NULL);
	if (ads_json_plain((const char *)data, size, 1))
		fuzz_check(text_check((const char *)data, size, size) == VG_OK);
	if (ads_json_plain((const char *)data, size, 0))
		fuzz_check(text_check_line((const char *)data, size, size) == VG_OK);
	memcpy(line, data, size);
	line[size] = '\0';
	if (!ads_json_read(line, size, keys, ARRAY_SIZE(keys), &r)) {
		fuzz_check(!memcmp(line, data, size));
		free(line);
		return 0;
	}
	o = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	fuzz_check(json_is_object(o));
	for (k = 0; k < ARRAY_SIZE(keys); k++)
		check_value(&r, k, json_object_get(o, keys[k].name));
	json_decref(o);
	free(line);
	return 0;
}

#include "base/compat.h"
#include "directory/geo.h"
#include "base/log.h"

#include <jansson.h>
#include <strings.h>

struct geo_region {
	char code[3 + GEO_REGION_SIZE]; /* "US-CA" */
	const char *name;
};

struct geo {
	json_t *countries_json; /* owns the name strings */
	json_t *regions_json;
	struct geo_country *countries;
	size_t ncountries;
	struct geo_region *regions;
	size_t nregions;
};

static json_t *load_list(const char *dir, const char *file, const char *key)
{
	char path[1024];
	json_error_t err;
	json_t *root, *list;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
	if (!root) {
		log_error("%s:%d: %s", path, err.line, err.text);
		return NULL;
	}
	list = json_object_get(root, key);
	if (!json_is_array(list)) {
		log_error("%s: no \"%s\" list", path, key);
		json_decref(root);
		return NULL;
	}
	return root;
}

static int cmp_country(const void *a, const void *b)
{
	return strcmp(((const struct geo_country *)a)->code,
		      ((const struct geo_country *)b)->code);
}

static int cmp_region(const void *a, const void *b)
{
	return strcmp(((const struct geo_region *)a)->code,
		      ((const struct geo_region *)b)->code);
}

static int fill_countries(struct geo *g)
{
	json_t *list = json_object_get(g->countries_json, "3166-1"), *item;
	size_t i;

	g->countries = calloc(json_array_size(list) + 1, sizeof(*g->countries));
	if (!g->countries)
		return VG_NOMEM;
	json_array_foreach(list, i, item) {
		const char *code = json_string_value(json_object_get(item, "alpha_2"));
		const char *name = json_string_value(json_object_get(item, "name"));

		if (!code || !name || strlen(code) != 2)
			continue;
		memcpy(g->countries[g->ncountries].code, code, 3);
		g->countries[g->ncountries++].name = name;
	}
	qsort(g->countries, g->ncountries, sizeof(*g->countries), cmp_country);
	return VG_OK;
}

static int fill_regions(struct geo *g)
{
	json_t *list = json_object_get(g->regions_json, "3166-2"), *item;
	size_t i;

	g->regions = calloc(json_array_size(list) + 1, sizeof(*g->regions));
	if (!g->regions)
		return VG_NOMEM;
	json_array_foreach(list, i, item) {
		const char *code = json_string_value(json_object_get(item, "code"));
		const char *name = json_string_value(json_object_get(item, "name"));
		struct geo_region *r = &g->regions[g->nregions];

		if (!code || !name || strlen(code) >= sizeof(r->code) || code[2] != '-')
			continue;
		memcpy(r->code, code, strlen(code) + 1);
		r->name = name;
		g->nregions++;
	}
	qsort(g->regions, g->nregions, sizeof(*g->regions), cmp_region);
	return VG_OK;
}

int geo_load(const char *dir, struct geo **out)
{
	struct geo *g = calloc(1, sizeof(*g));
	int rc = VG_CONFIG;

	if (!g)
		return VG_NOMEM;
	g->countries_json = load_list(dir, "iso_3166-1.json", "3166-1");
	g->regions_json = load_list(dir, "iso_3166-2.json", "3166-2");
	if (!g->countries_json || !g->regions_json)
		goto out;
	rc = fill_countries(g);
	if (!rc)
		rc = fill_regions(g);
out:
	if (rc) {
		geo_free(g);
		return rc;
	}
	*out = g;
	return VG_OK;
}

void geo_free(struct geo *g)
{
	if (!g)
		return;
	free(g->countries);
	free(g->regions);
	json_decref(g->countries_json);
	json_decref(g->regions_json);
	free(g);
}

const struct geo_country *geo_countries(const struct geo *g, size_t *n)
{
	*n = g->ncountries;
	return g->countries;
}

const struct geo_country *geo_country(const struct geo *g, const char *code)
{
	struct geo_country key;

	if (strlen(code) != 2)
		return NULL;
	key.code[0] = (char)(code[0] & ~0x20);
	key.code[1] = (char)(code[1] & ~0x20);
	key.code[2] = '\0';
	return bsearch(&key, g->countries, g->ncountries, sizeof(key), cmp_country);
}

/*
 * The first subdivision of country code cc in the sorted table: the codes
 * start with the country's ("US-CA"), so its subdivisions lie together.
 * A binary search, since every tip with a place looks its region up here.
 */
static size_t first_region(const struct geo *g, const char cc[3])
{
	size_t lo = 0, hi = g->nregions;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strncmp(g->regions[mid].code, cc, 2) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int geo_region_find(const struct geo *g, const char *country, const char *text,
		    char out[GEO_REGION_SIZE])
{
	const struct geo_country *c = geo_country(g, country);
	size_t i, tlen = strlen(text);

	if (!c || !tlen)
		return VG_NOTFOUND;
	/* Accept "US-CA" by dropping a prefix that names the same country. */
	if (tlen > 3 && text[2] == '-' && !strncasecmp(text, c->code, 2)) {
		text += 3;
		tlen -= 3;
	}
	for (i = first_region(g, c->code); i < g->nregions; i++) {
		const struct geo_region *r = &g->regions[i];
		const char *suffix = r->code + 3;

		if (strncmp(r->code, c->code, 2))
			break;
		if (!strcasecmp(suffix, text) || !strcasecmp(r->name, text)) {
			memcpy(out, suffix, strlen(suffix) + 1);
			return VG_OK;
		}
	}
	return VG_NOTFOUND;
}

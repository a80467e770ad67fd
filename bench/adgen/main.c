/*
 * adgen - writes synthetic ads with known truth on stdout (gen.h).
 *
 * usage: adgen [--ads N] [--seed S] [--background PCT] [--max-subs N]
 *              [--generic PERMILLE] [--minor PERMILLE] [--days N]
 *              [--csv] [--no-truth]
 *
 * JSON Lines by default, in the input format of `vigil ads cluster`, each
 * with "truth": {"template", "network", "subs", "background", "generic"},
 * which vigil ignores and bench/ads/score.py reads. --csv writes CSV with a
 * header row instead (truth in the last two columns).
 */
#include "base/compat.h"
#include "gen.h"

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* RFC 4180: every field quoted, quotes doubled. */
static void csv_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static int number(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || v > max || s[0] == '-')
		return -1;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	struct adgen_options o;
	struct adgen_ad *ad;
	struct adgen *g;
	int i, csv = 0, truth = 1;
	uint64_t v;

	adgen_options_default(&o);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		int has = i + 1 < argc;

		if (!strcmp(a, "--csv")) {
			csv = 1;
		} else if (!strcmp(a, "--no-truth")) {
			truth = 0;
		} else if (has && !strcmp(a, "--ads") && !number(argv[i + 1], UINT32_MAX / 2, &v)) {
			o.ads = v;
			i++;
		} else if (has && !strcmp(a, "--seed") && !number(argv[i + 1], UINT64_MAX, &v)) {
			o.seed = v;
			i++;
		} else if (has && !strcmp(a, "--background") && !number(argv[i + 1], 100, &v)) {
			o.background_pct = (unsigned)v;
			i++;
		} else if (has && !strcmp(a, "--max-subs") && !number(argv[i + 1], 20, &v)) {
			o.max_subs = (unsigned)v;
			i++;
		} else if (has && !strcmp(a, "--generic") && !number(argv[i + 1], 1000, &v)) {
			o.generic_permille = (unsigned)v;
			i++;
		} else if (has && !strcmp(a, "--minor") && !number(argv[i + 1], 1000, &v)) {
			o.minor_permille = (unsigned)v;
			i++;
		} else if (has && !strcmp(a, "--days") && !number(argv[i + 1], 3650, &v) && v) {
			o.days = (unsigned)v;
			i++;
		} else {
			fprintf(stderr, "adgen: bad argument %s (see the comment in bench/adgen/main.c)\n", a);
			return 2;
		}
	}
	ad = malloc(sizeof(*ad));
	if (!ad || adgen_new(&o, &g)) {
		fprintf(stderr, "adgen: out of memory or bad options\n");
		free(ad);
		return 1;
	}
	if (csv)
		printf("id,posted_at,site,city,region,title,text,phones%s\n",
		       truth ? ",truth_template,truth_network" : "");
	while (adgen_next(g, ad)) {
		if (csv) {
			printf("%s,%s,%s,", ad->id, ad->posted_at, ad->site);
			csv_str(stdout, ad->city);
			printf(",%s,", ad->region);
			csv_str(stdout, ad->title);
			fputc(',', stdout);
			csv_str(stdout, ad->text);
			fputc(',', stdout);
			csv_str(stdout, ad->phone_field);
			if (truth)
				printf(",%" PRIu32 ",%" PRIu32, ad->truth_template, ad->truth_network);
			fputc('\n', stdout);
			continue;
		}
		printf("{\"id\":\"%s\",\"posted_at\":\"%s\",\"site\":\"%s\",\"city\":", ad->id,
		       ad->posted_at, ad->site);
		json_str(stdout, ad->city);
		printf(",\"region\":\"%s\",\"title\":", ad->region);
		json_str(stdout, ad->title);
		fputs(",\"text\":", stdout);
		json_str(stdout, ad->text);
		if (ad->phone_field[0])
			printf(",\"phones\":[\"%s\"]", ad->phone_field);
		if (truth)
			printf(",\"truth\":{\"template\":%" PRIu32 ",\"network\":%" PRIu32
			       ",\"subs\":%u,\"background\":%s,\"generic\":%s}",
			       ad->truth_template, ad->truth_network, ad->subs,
			       ad->background ? "true" : "false", ad->generic ? "true" : "false");
		fputs("}\n", stdout);
	}
	adgen_free(g);
	free(ad);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "adgen: cannot write\n");
		return 1;
	}
	return 0;
}

/*
 * fuzz_ads.c - the ads a `vigil ads` run reads (app/ads.h
 * ads_session_read): JSON Lines or RFC 4180 CSV, told apart by the first
 * byte as the command does, then clustered, ranked and written.
 *
 * Each input is a whole stream, read by a fresh session with one worker
 * and the real ranking weights of data/ads/weights.tsv (loaded once). The
 * screen is left out (contacts and ages only): the fuzz_screen target
 * covers it, and loading the rules would cost this target most of a
 * minute. Every line written, clusters and each ad's assignment, must be
 * a JSON object, and the HTML report must render.
 */
#include "base/compat.h"
#include "fuzz.h"
#include "app/ads.h"
#include "base/files.h"
#include "cluster/network.h"
#include "vigil_config.h"

#include <jansson.h>

static struct rank_weights weights;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct file_set set;
	char err[512];
	int rc;

	(void)argc;
	(void)argv;
	file_set_init(&set);
	rc = file_set_add(&set, VIGIL_RULES_DIR "/ads/weights.tsv", 1 << 20, err, sizeof(err));
	if (!rc)
		rc = rank_weights_parse(set.v[0].name, set.v[0].text, set.v[0].len, &weights,
					err, sizeof(err));
	file_set_release(&set);
	if (rc) {
		fprintf(stderr, "fuzz_ads: %s\n", err);
		abort();
	}
	return 0;
}

/* Skipped records are expected: the run goes on. */
static void report(void *arg, uint64_t lineno, const char *msg)
{
	(void)arg;
	(void)lineno;
	fuzz_check(msg != NULL && msg[0] != '\0');
}

/* Every line of text[0..len) must read as a JSON object. */
static void check_lines(const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		json_t *j = json_loadb(p, n, 0, NULL);

		fuzz_check(json_is_object(j));
		json_decref(j);
		p = nl ? nl + 1 : end;
	}
}

static void write_mode(struct ads_session *s, enum ads_output mode)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	fuzz_check(out != NULL);
	fuzz_check(ads_session_write(s, mode, out) == VG_OK);
	fuzz_check(fclose(out) == 0);
	check_lines(text, len);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ads_options o = {0};
	struct ads_session *s = NULL;
	struct buf html;
	char err[512] = "";
	FILE *in;
	int rc;

	/* fmemopen() refuses an empty buffer; an empty stream is the seeds' job. */
	if (size == 0)
		return 0;
	index_params_default(&o.params);
	o.guard = NETWORK_GUARD_DEFAULT;
	o.threads = 1;
	o.format = ADS_AUTO;
	memcpy(o.default_country, "US", 3);
	o.weights = &weights;
	o.keep_order = 1;
	fuzz_check(ads_session_new(&o, &s, err, sizeof(err)) == VG_OK);
	in = fmemopen((void *)data, size, "rb");
	fuzz_check(in != NULL);
	rc = ads_session_read(s, in, report, NULL, err, sizeof(err));
	fclose(in);
	if (rc) {
		fuzz_check(rc == VG_INVAL && err[0] != '\0');
		goto out;
	}
	fuzz_check(ads_session_finish(s, 0) == VG_OK);
	write_mode(s, ADS_CLUSTERS);
	write_mode(s, ADS_ASSIGN);
	write_mode(s, ADS_NETWORKS);
	buf_init(&html, 1 << 20);
	rc = ads_session_report(s, 0, &html);
	fuzz_check(rc == VG_OK || rc == VG_TOOBIG);
	buf_release(&html);
out:
	ads_session_free(s);
	return 0;
}

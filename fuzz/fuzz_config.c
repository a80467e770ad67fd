/*
 * fuzz_config.c - the configuration file (base/config.h config_load),
 * which inih reads from <data>/vigil.conf: each input is written there, in
 * a temporary data directory made once, and loaded.
 *
 * A file that loads must leave every setting in its documented range and
 * every string terminated; one that does not must leave the output alone.
 */
#include "base/compat.h"
#include "fuzz.h"
#include "base/config.h"

static char dir[256];
static char conf_path[512];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_tmpdir(dir, sizeof(dir));
	snprintf(conf_path, sizeof(conf_path), "%s/vigil.conf", dir);
	return 0;
}

static int terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

static void check_config(const struct config *c)
{
	fuzz_check(terminated(c->data_dir, sizeof(c->data_dir)) &&
		   terminated(c->database, sizeof(c->database)) &&
		   terminated(c->key_file, sizeof(c->key_file)) &&
		   terminated(c->listen, sizeof(c->listen)) &&
		   terminated(c->quick_exit_url, sizeof(c->quick_exit_url)) &&
		   terminated(c->rules_dir, sizeof(c->rules_dir)) &&
		   terminated(c->default_country, sizeof(c->default_country)));
	fuzz_check(c->threads >= 1 && c->threads <= 256);
	fuzz_check(c->connection_timeout >= 1 && c->connection_timeout <= 3600);
	fuzz_check(c->idle_timeout >= 1 && c->idle_timeout <= 86400);
	fuzz_check(c->session_max_age >= 60 && c->session_max_age <= 604800);
	fuzz_check(c->body_max >= 1024 && c->body_max <= 16777216);
	fuzz_check(c->submit_window >= 1 && c->submit_max >= 1);
	fuzz_check(c->receipt_window >= 1 && c->receipt_free_failures >= 0 &&
		   c->receipt_max_delay_ms >= 0 && c->receipt_max_delay_ms <= 60000);
	fuzz_check(c->behind_tls == 0 || c->behind_tls == 1);
	fuzz_check(c->framework_palermo == 0 || c->framework_palermo == 1);
	fuzz_check(!strncmp(c->quick_exit_url, "https://", 8) ||
		   !strncmp(c->quick_exit_url, "http://", 7));
	fuzz_check(strlen(c->default_country) == 2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *c = malloc(sizeof(*c));
	FILE *f = fopen(conf_path, "wb");

	if (!c || !f || (size && fwrite(data, 1, size, f) != size) || fclose(f)) {
		fprintf(stderr, "fuzz_config: cannot write %s\n", conf_path);
		abort();
	}
	memset(c, 0x5a, sizeof(*c));
	if (config_load(dir, c) == VG_OK)
		check_config(c);
	else
		fuzz_check(c->threads == 0x5a5a5a5a);
	free(c);
	return 0;
}

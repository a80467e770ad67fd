#include "base/compat.h"
#include "base/config.h"
#include "base/log.h"

#include "vigil_config.h"

#include <ini.h>

static const char template_text[] =
	"# vigil configuration. Every key is shown with its default.\n"
	"# Paths are relative to the data directory.\n"
	"\n"
	"[server]\n"
	"# listen = 127.0.0.1:8080\n"
	"# threads = 4\n"
	"# Set to true when a TLS reverse proxy is in front: cookies get Secure.\n"
	"# behind_tls = false\n"
	"# quick_exit_url = https://www.google.com/\n"
	"# Staff sessions end after this many idle seconds, and after max_age.\n"
	"# idle_timeout = 1800\n"
	"# session_max_age = 43200\n"
	"# A connection idle this many seconds is closed.\n"
	"# connection_timeout = 15\n"
	"# Open connections from all clients together (at least threads);\n"
	"# more wait, unaccepted, until one closes.\n"
	"# connection_max = 1024\n"
	"\n"
	"[limits]\n"
	"# body_max = 65536\n"
	"# Tips accepted from all clients together per submit_window seconds.\n"
	"# submit_window = 60\n"
	"# submit_max = 600\n"
	"\n"
	"[receipts]\n"
	"# Failed receipt lookups (from everyone: no address is kept) per\n"
	"# window before each further attempt is slowed down, up to max_delay_ms.\n"
	"# window = 300\n"
	"# free_failures = 30\n"
	"# max_delay_ms = 4000\n"
	"\n"
	"[screen]\n"
	"# Where the screening rules are (typology.tsv and indicators/*.tsv).\n"
	"# rules = <the data/ folder of the source tree vigil was built from>\n"
	"# Which law decides a tip's status: tvpa (US) or palermo (UN).\n"
	"# framework = tvpa\n"
	"# The country of phone numbers written without a country code.\n"
	"# default_country = US\n"
	"\n"
	"[retention]\n"
	"# Closed cases (and their tips, notes, tasks, ...) are deleted this many\n"
	"# days after they were closed, by `vigil purge` and daily by the server.\n"
	"# closed_days = 365\n"
	"\n"
	"[auth]\n"
	"# required: an administrator without a second factor (TOTP) must set one\n"
	"# up before using the staff console or the API; optional: it is up to them.\n"
	"# totp_admin = optional\n"
	"\n"
	"[storage]\n"
	"# database = vigil.db\n"
	"# Keep the key file off the database's disk and out of its backups.\n"
	"# key_file = keys/master.key\n";

const char *config_template(void)
{
	return template_text;
}

static int join_path(char *out, size_t size, const char *dir, const char *p)
{
	int n;

	if (p[0] == '/')
		n = snprintf(out, size, "%s", p);
	else
		n = snprintf(out, size, "%s/%s", dir, p);
	return n < 0 || (size_t)n >= size ? VG_TOOBIG : VG_OK;
}

static int copy_str(char *dst, size_t size, const char *v)
{
	int n = snprintf(dst, size, "%s", v);

	return n < 0 || (size_t)n >= size ? VG_CONFIG : VG_OK;
}

int config_defaults(struct config *c, const char *dir)
{
	memset(c, 0, sizeof(*c));
	if (copy_str(c->data_dir, sizeof(c->data_dir), dir[0] ? dir : "."))
		return VG_TOOBIG;
	if (join_path(c->database, sizeof(c->database), c->data_dir, "vigil.db") ||
	    join_path(c->key_file, sizeof(c->key_file), c->data_dir, "keys/master.key"))
		return VG_TOOBIG;
	snprintf(c->listen, sizeof(c->listen), "127.0.0.1:8080");
	snprintf(c->quick_exit_url, sizeof(c->quick_exit_url), "https://www.google.com/");
	c->threads = 4;
	c->idle_timeout = 1800;
	c->session_max_age = 43200;
	c->body_max = 65536;
	c->connection_timeout = 15;
	c->connection_max = 1024;
	c->receipt_window = 300;
	c->receipt_free_failures = 30;
	c->receipt_max_delay_ms = 4000;
	c->submit_window = 60;
	c->submit_max = 600;
	c->retention_closed_days = 365;
	snprintf(c->rules_dir, sizeof(c->rules_dir), "%s", VIGIL_RULES_DIR);
	memcpy(c->default_country, "US", 3);
	return VG_OK;
}

static int parse_int(const char *v, int64_t lo, int64_t hi, int64_t *out)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || end == v || *end || n < lo || n > hi)
		return VG_CONFIG;
	*out = n;
	return VG_OK;
}

static int parse_bool(const char *v, int *out)
{
	if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "1"))
		*out = 1;
	else if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "0"))
		*out = 0;
	else
		return VG_CONFIG;
	return VG_OK;
}

/* Integer settings: section, key, bounds, and where the value goes. */
struct int_key {
	const char *section, *name;
	int64_t lo, hi;
	size_t offset;
};

static const struct int_key int_keys[] = {
	{"server", "idle_timeout", 1, 86400, offsetof(struct config, idle_timeout)},
	{"server", "session_max_age", 60, 604800, offsetof(struct config, session_max_age)},
	{"limits", "body_max", 1024, 16777216, offsetof(struct config, body_max)},
	{"limits", "submit_window", 1, 86400, offsetof(struct config, submit_window)},
	{"limits", "submit_max", 1, 100000000, offsetof(struct config, submit_max)},
	{"receipts", "window", 1, 86400, offsetof(struct config, receipt_window)},
	{"receipts", "free_failures", 0, 1000000, offsetof(struct config, receipt_free_failures)},
	{"receipts", "max_delay_ms", 0, 60000, offsetof(struct config, receipt_max_delay_ms)},
	{"retention", "closed_days", 1, 36500, offsetof(struct config, retention_closed_days)},
};

static int set_value(struct config *c, const char *section, const char *name,
		     const char *v)
{
	int64_t n;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(int_keys); i++) {
		if (strcmp(section, int_keys[i].section) || strcmp(name, int_keys[i].name))
			continue;
		if (parse_int(v, int_keys[i].lo, int_keys[i].hi, &n))
			return VG_CONFIG;
		*(int64_t *)((char *)c + int_keys[i].offset) = n;
		return VG_OK;
	}
	if (!strcmp(section, "server")) {
		if (!strcmp(name, "listen"))
			return copy_str(c->listen, sizeof(c->listen), v);
		if (!strcmp(name, "behind_tls"))
			return parse_bool(v, &c->behind_tls);
		if (!strcmp(name, "quick_exit_url")) {
			if (strncmp(v, "https://", 8) && strncmp(v, "http://", 7))
				return VG_CONFIG;
			return copy_str(c->quick_exit_url, sizeof(c->quick_exit_url), v);
		}
		if (!strcmp(name, "threads")) {
			if (parse_int(v, 1, 256, &n))
				return VG_CONFIG;
			c->threads = (unsigned)n;
			return VG_OK;
		}
		if (!strcmp(name, "connection_timeout")) {
			if (parse_int(v, 1, 3600, &n))
				return VG_CONFIG;
			c->connection_timeout = (unsigned)n;
			return VG_OK;
		}
		if (!strcmp(name, "connection_max")) {
			if (parse_int(v, 4, 65536, &n))
				return VG_CONFIG;
			c->connection_max = (unsigned)n;
			return VG_OK;
		}
	}
	if (!strcmp(section, "screen")) {
		if (!strcmp(name, "rules"))
			return join_path(c->rules_dir, sizeof(c->rules_dir), c->data_dir, v) ? VG_CONFIG : VG_OK;
		if (!strcmp(name, "framework")) {
			if (strcmp(v, "tvpa") && strcmp(v, "palermo"))
				return VG_CONFIG;
			c->framework_palermo = !strcmp(v, "palermo");
			return VG_OK;
		}
		if (!strcmp(name, "default_country")) {
			if (strlen(v) != 2 || v[0] < 'A' || v[0] > 'Z' || v[1] < 'A' || v[1] > 'Z')
				return VG_CONFIG;
			memcpy(c->default_country, v, 3);
			return VG_OK;
		}
	}
	if (!strcmp(section, "auth") && !strcmp(name, "totp_admin")) {
		if (strcmp(v, "required") && strcmp(v, "optional"))
			return VG_CONFIG;
		c->totp_admin_required = !strcmp(v, "required");
		return VG_OK;
	}
	if (!strcmp(section, "storage")) {
		if (!strcmp(name, "database"))
			return join_path(c->database, sizeof(c->database), c->data_dir, v) ? VG_CONFIG : VG_OK;
		if (!strcmp(name, "key_file"))
			return join_path(c->key_file, sizeof(c->key_file), c->data_dir, v) ? VG_CONFIG : VG_OK;
	}
	return VG_CONFIG;
}

struct parse_state {
	struct config *c;
	const char *path;
};

static int on_value(void *user, const char *section, const char *name,
		    const char *value)
{
	struct parse_state *st = user;

	if (set_value(st->c, section, name, value)) {
		log_error("%s: [%s] %s = %s: unknown key or bad value", st->path,
			  section, name, value);
		return 0;
	}
	return 1;
}

int config_load(const char *dir, struct config *out)
{
	struct config c;
	struct parse_state st;
	char path[CONFIG_PATH_MAX];
	FILE *f;
	int line, rc;

	rc = config_defaults(&c, dir);
	if (rc)
		return rc;
	if (join_path(path, sizeof(path), c.data_dir, "vigil.conf"))
		return VG_CONFIG;
	f = fopen(path, "r");
	if (!f) {
		if (errno != ENOENT) {
			log_error("%s: %s", path, strerror(errno));
			return VG_CONFIG;
		}
		*out = c;
		return VG_OK;
	}
	st.c = &c;
	st.path = path;
	line = ini_parse_file(f, on_value, &st);
	fclose(f);
	if (line) {
		if (line > 0)
			log_error("%s:%d: invalid configuration", path, line);
		return VG_CONFIG;
	}
	*out = c;
	return VG_OK;
}

/*
 * vigil init: creates the data directory with a new key file, a commented
 * vigil.conf, the database, and a first `admin` account whose one-time
 * password is printed once and must be changed at first sign-in.
 */
#include "base/compat.h"
#include "cli/cli.h"
#include "app/auth.h"
#include "crypto/password.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

static int make_dir(const char *path)
{
	if (mkdir(path, 0700) && errno != EEXIST) {
		cli_error("%s: %s", path, strerror(errno));
		return CLI_FAIL;
	}
	return CLI_OK;
}

/* The directory part of path, for the key file's folder. */
static int parent_dir(const char *path, char *out, size_t size)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;

	if (!slash || n == 0 || n >= size)
		return CLI_FAIL;
	memcpy(out, path, n);
	out[n] = '\0';
	return CLI_OK;
}

static int write_config(const char *dir)
{
	char path[CONFIG_PATH_MAX + 16];
	const char *text = config_template();
	int fd;

	snprintf(path, sizeof(path), "%s/vigil.conf", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		return errno == EEXIST ? CLI_OK : CLI_FAIL;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text) || fsync(fd)) {
		close(fd);
		return CLI_FAIL;
	}
	return close(fd) ? CLI_FAIL : CLI_OK;
}

int cmd_init(int argc, char **argv, const char *data_dir)
{
	struct config cfg;
	struct app app;
	char keydir[CONFIG_PATH_MAX], password[21];
	struct stat st;
	int rc;

	(void)argv;
	if (argc != 1) {
		cli_error("usage: vigil [--data DIR] init");
		return CLI_USAGE;
	}
	if (sodium_init() < 0)
		return CLI_FAIL;
	if (make_dir(data_dir))
		return CLI_FAIL;
	if (config_load(data_dir, &cfg)) {
		cli_error("%s/vigil.conf is not valid", data_dir);
		return CLI_USAGE;
	}
	if (!stat(cfg.database, &st)) {
		cli_error("%s is already initialised; nothing was changed", data_dir);
		return CLI_FAIL;
	}
	if (parent_dir(cfg.key_file, keydir, sizeof(keydir)) == CLI_OK && make_dir(keydir))
		return CLI_FAIL;
	/* A key left by an init that stopped half-way is kept, never replaced. */
	rc = keys_create(cfg.key_file);
	if (rc && rc != VG_EXISTS) {
		cli_error("%s: cannot create the key file: %s", cfg.key_file, vg_strerror(rc));
		return CLI_FAIL;
	}
	if (write_config(data_dir)) {
		cli_error("%s/vigil.conf: cannot write: %s", data_dir, strerror(errno));
		return CLI_FAIL;
	}
	rc = app_open(data_dir, &app);
	if (rc) {
		cli_error("%s: cannot open the new database: %s", cfg.database, vg_strerror(rc));
		return CLI_FAIL;
	}
	rc = password_generate(password);
	if (!rc)
		rc = auth_user_add(&app, "admin", "admin", password, 1, NULL);
	if (!rc)
		app_audit(&app, 0, "init", NULL, "created admin");
	app_release(&app);
	if (rc) {
		cli_error("cannot create the admin account: %s", vg_strerror(rc));
		return CLI_FAIL;
	}
	printf("Initialised %s\n"
	       "First sign-in: name \"admin\", one-time password: %s\n"
	       "This password is shown only now and must be changed at first sign-in.\n",
	       data_dir, password);
	sodium_memzero(password, sizeof(password));
	return CLI_OK;
}

/*
 * vigil user add --name N --role R: creates a staff account. The password
 * is read from standard input (one line), never from the command line where
 * other users of the machine could see it.
 */
#include "base/compat.h"
#include "cli/cli.h"
#include "app/auth.h"
#include "app/totp.h"
#include "crypto/password.h"

#include <sodium.h>

static int read_password(char *out, size_t size)
{
	size_t n;

	if (!fgets(out, (int)size, stdin))
		return VG_INVAL;
	n = strlen(out);
	if (n && out[n - 1] == '\n')
		out[--n] = '\0';
	else if (!feof(stdin))
		return VG_TOOBIG;
	if (n && out[n - 1] == '\r')
		out[--n] = '\0';
	return VG_OK;
}

static int user_add(int argc, char **argv, const char *data_dir)
{
	const char *name = NULL, *role = NULL;
	char password[PASSWORD_MAX_LEN + 2];
	struct app app;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--name") && i + 1 < argc)
			name = argv[++i];
		else if (!strcmp(argv[i], "--role") && i + 1 < argc)
			role = argv[++i];
		else {
			cli_error("user add: unknown argument %s", argv[i]);
			return CLI_USAGE;
		}
	}
	if (!name || !role) {
		cli_error("usage: vigil user add --name N --role R (password on stdin)");
		return CLI_USAGE;
	}
	if (!auth_role_valid(role)) {
		cli_error("user add: unknown role %s (admin, supervisor, advocate, analyst, "
			  "investigator, team_member, volunteer)", role);
		return CLI_USAGE;
	}
	if (read_password(password, sizeof(password))) {
		cli_error("user add: no password on standard input, or longer than %d bytes",
			  PASSWORD_MAX_LEN);
		return CLI_USAGE;
	}
	if (strlen(password) < PASSWORD_MIN_LEN) {
		cli_error("user add: the password must be at least %d characters", PASSWORD_MIN_LEN);
		return CLI_USAGE;
	}
	rc = app_open(data_dir, &app);
	if (rc) {
		cli_error("%s: %s", data_dir, vg_strerror(rc));
		return CLI_FAIL;
	}
	rc = auth_user_add(&app, name, role, password, 0, NULL);
	sodium_memzero(password, sizeof(password));
	if (!rc)
		app_audit(&app, 0, "user_add", name, role);
	app_release(&app);
	if (rc == VG_EXISTS || rc == VG_INVAL) {
		cli_error("user add: %s", rc == VG_EXISTS ? "that name is taken" :
			  "a name is 1-64 letters, digits, '.', '_' or '-'");
		return CLI_USAGE;
	}
	if (rc) {
		cli_error("user add: %s", vg_strerror(rc));
		return CLI_FAIL;
	}
	printf("added %s (%s)\n", name, role);
	return CLI_OK;
}

/*
 * vigil user totp --name N [--remove]: sets up (or removes) N's second
 * factor and prints the key and otpauth:// URI to hand to them. For a user
 * who lost their device, and for the first admin when the configuration
 * requires a second factor.
 */
static int user_totp(int argc, char **argv, const char *data_dir)
{
	const char *name = NULL;
	struct totp_enrolment e;
	struct user_row row = {0};
	struct auth_user u = {0};
	struct app app;
	int i, rc, remove = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--name") && i + 1 < argc)
			name = argv[++i];
		else if (!strcmp(argv[i], "--remove"))
			remove = 1;
		else {
			cli_error("user totp: unknown argument %s", argv[i]);
			return CLI_USAGE;
		}
	}
	if (!name) {
		cli_error("usage: vigil user totp --name N [--remove]");
		return CLI_USAGE;
	}
	rc = app_open(data_dir, &app);
	if (rc) {
		cli_error("%s: %s", data_dir, vg_strerror(rc));
		return CLI_FAIL;
	}
	rc = store_user_by_name(app.store, name, &row);
	if (rc == VG_NOTFOUND) {
		cli_error("user totp: there is no user %s", name);
		app_release(&app);
		return CLI_USAGE;
	}
	if (!rc) {
		u.id = row.id;
		snprintf(u.name, sizeof(u.name), "%s", row.name);
		user_row_release(&row);
		rc = remove ? totp_remove(&app, u.id) : totp_enrol(&app, &u, 1, &e);
	}
	if (!rc)
		app_audit(&app, 0, remove ? "totp.remove" : "totp.enrol", name, "cli");
	app_release(&app);
	if (rc) {
		cli_error("user totp: %s", vg_strerror(rc));
		return CLI_FAIL;
	}
	if (remove) {
		printf("removed the second factor of %s\n", name);
		return CLI_OK;
	}
	printf("secret %s\nuri %s\n", e.secret, e.uri);
	sodium_memzero(&e, sizeof(e));
	return CLI_OK;
}

int cmd_user(int argc, char **argv, const char *data_dir)
{
	if (argc >= 2 && !strcmp(argv[1], "add"))
		return user_add(argc - 1, argv + 1, data_dir);
	if (argc >= 2 && !strcmp(argv[1], "totp"))
		return user_totp(argc - 1, argv + 1, data_dir);
	cli_error("usage: vigil user add --name N --role R (password on stdin) | "
		  "vigil user totp --name N [--remove]");
	return CLI_USAGE;
}

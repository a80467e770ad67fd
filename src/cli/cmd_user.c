/*
 * vigil user add --name N --role R: creates a staff account. The password
 * is read from standard input (one line), never from the command line where
 * other users of the machine could see it.
 */
#include "base/compat.h"
#include "cli/cli.h"
#include "app/auth.h"
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

int cmd_user(int argc, char **argv, const char *data_dir)
{
	if (argc >= 2 && !strcmp(argv[1], "add"))
		return user_add(argc - 1, argv + 1, data_dir);
	cli_error("usage: vigil user add --name N --role R (password on stdin)");
	return CLI_USAGE;
}

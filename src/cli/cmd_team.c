/*
 * vigil team: teams of staff and child-exploitation teams (work.h).
 *
 *   vigil team add --name N [--kind staff|mdt]
 *   vigil team member --team N --user U [--agency A] [--remove]
 *   vigil team list
 *
 * Each change is recorded in the audit log as the system (user 0): the
 * command line has no signed-in user.
 */
#include "base/compat.h"
#include "cli/cli.h"
#include "app/work.h"

#define TEAM_USAGE "usage: vigil team add --name N [--kind staff|mdt] | " \
	"team member --team N --user U [--agency A] [--remove] | team list"

static int open_app(const char *data_dir, struct app *app)
{
	int rc = app_open(data_dir, app);

	if (rc)
		cli_error("%s: %s", data_dir, vg_strerror(rc));
	return rc;
}

static int team_add(int argc, char **argv, const char *data_dir)
{
	const char *name = NULL, *kind = "staff";
	struct app app;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--name") && i + 1 < argc)
			name = argv[++i];
		else if (!strcmp(argv[i], "--kind") && i + 1 < argc)
			kind = argv[++i];
		else {
			cli_error("team add: unknown argument %s", argv[i]);
			return CLI_USAGE;
		}
	}
	if (!name) {
		cli_error(TEAM_USAGE);
		return CLI_USAGE;
	}
	if (open_app(data_dir, &app))
		return CLI_FAIL;
	rc = work_team_add(&app, name, kind, NULL);
	if (!rc)
		app_audit(&app, 0, "team_add", name, kind);
	app_release(&app);
	if (rc == VG_INVAL || rc == VG_EXISTS) {
		cli_error("team add: %s", rc == VG_EXISTS ? "that name is taken" :
			  "a name is 1-64 letters, digits, spaces, '.', '_' or '-', and the kind "
			  "staff or mdt");
		return CLI_USAGE;
	}
	if (rc) {
		cli_error("team add: %s", vg_strerror(rc));
		return CLI_FAIL;
	}
	printf("added team %s (%s)\n", name, kind);
	return CLI_OK;
}

static int team_member(int argc, char **argv, const char *data_dir)
{
	const char *team = NULL, *user = NULL, *agency = NULL;
	char detail[160];
	struct app app;
	int i, rc, add = 1;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--team") && i + 1 < argc)
			team = argv[++i];
		else if (!strcmp(argv[i], "--user") && i + 1 < argc)
			user = argv[++i];
		else if (!strcmp(argv[i], "--agency") && i + 1 < argc)
			agency = argv[++i];
		else if (!strcmp(argv[i], "--remove"))
			add = 0;
		else {
			cli_error("team member: unknown argument %s", argv[i]);
			return CLI_USAGE;
		}
	}
	if (!team || !user) {
		cli_error(TEAM_USAGE);
		return CLI_USAGE;
	}
	if (open_app(data_dir, &app))
		return CLI_FAIL;
	rc = work_team_member(&app, team, user, add, agency);
	if (!rc) {
		snprintf(detail, sizeof(detail), "%.64s", user);
		app_audit(&app, 0, add ? "team_member_add" : "team_member_remove", team, detail);
	}
	app_release(&app);
	if (rc == VG_INVAL || rc == VG_EXISTS || rc == VG_NOTFOUND) {
		cli_error("team member: %s", rc == VG_INVAL ? "no such team or user" :
			  rc == VG_EXISTS ? "already a member" : "not a member");
		return CLI_USAGE;
	}
	if (rc) {
		cli_error("team member: %s", vg_strerror(rc));
		return CLI_FAIL;
	}
	printf("%s %s %s %s\n", add ? "added" : "removed", user, add ? "to" : "from", team);
	return CLI_OK;
}

static int team_list(const char *data_dir)
{
	struct app app;
	json_t *teams = NULL, *t, *m;
	size_t i, j;
	int rc;

	if (open_app(data_dir, &app))
		return CLI_FAIL;
	rc = work_teams(&app, &teams);
	app_release(&app);
	if (rc) {
		cli_error("team list: %s", vg_strerror(rc));
		return CLI_FAIL;
	}
	json_array_foreach(teams, i, t) {
		printf("%s\t%s", json_string_value(json_object_get(t, "name")),
		       json_string_value(json_object_get(t, "kind")));
		json_array_foreach(json_object_get(t, "members"), j, m)
			printf("%s%s", j ? "," : "\t", json_string_value(json_object_get(m, "name")));
		putchar('\n');
	}
	json_decref(teams);
	return CLI_OK;
}

int cmd_team(int argc, char **argv, const char *data_dir)
{
	if (argc >= 2 && !strcmp(argv[1], "add"))
		return team_add(argc - 1, argv + 1, data_dir);
	if (argc >= 2 && !strcmp(argv[1], "member"))
		return team_member(argc - 1, argv + 1, data_dir);
	if (argc == 2 && !strcmp(argv[1], "list"))
		return team_list(data_dir);
	cli_error(TEAM_USAGE);
	return CLI_USAGE;
}

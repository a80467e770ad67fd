#include "base/compat.h"
#include "cli/cli.h"
#include "vigil_config.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv, const char *data_dir);
	const char *summary;
} commands[] = {
	{"init", cmd_init, "create the data directory: keys, database, first admin"},
	{"user", cmd_user, "manage staff accounts (user add --name N --role R, user totp --name N)"},
	{"serve", cmd_serve, "serve the site and API (serve --listen HOST:PORT)"},
	{"screen", cmd_screen, "screen texts for signs of trafficking (JSON Lines on stdin)"},
	{"audit", cmd_audit, "check the audit log's hash chain (audit verify)"},
	{"directory", cmd_directory, "list the help lines (directory --country CC --open-now)"},
	{"route", cmd_route, "add referrals to screening results (JSON Lines on stdin)"},
	{"ads", cmd_ads, "cluster online ads into templates and networks (ads cluster, ads report, ads import)"},
	{"backup", cmd_backup, "copy the database to FILE while the server runs (backup FILE)"},
	{"restore", cmd_restore, "replace the database with a backup, server stopped (restore FILE)"},
	{"team", cmd_team, "manage teams (team add --name N, team member --team N --user U)"},
	{"purge", cmd_purge, "delete cases closed longer ago than the retention period"},
};

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("vigil: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: vigil [--data DIR] [--help] [--version] <command> [<args>]\n\n"
		     "  --data DIR   the data directory (default ./var)\n\ncommands:\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nSee docs/cli.md for each command's options.\n");
}

int main(int argc, char **argv)
{
	const char *data_dir = "./var";
	int i = 1;
	size_t c;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return CLI_OK;
		}
		if (!strcmp(argv[i], "--version")) {
			printf("vigil %s\n", VIGIL_VERSION);
			return CLI_OK;
		}
		if (!strcmp(argv[i], "--data") && i + 1 < argc) {
			data_dir = argv[++i];
			continue;
		}
		if (!strncmp(argv[i], "--data=", 7)) {
			data_dir = argv[i] + 7;
			continue;
		}
		cli_error("unknown option %s (see vigil --help)", argv[i]);
		return CLI_USAGE;
	}
	if (i == argc) {
		usage(stderr);
		return CLI_USAGE;
	}
	for (c = 0; c < ARRAY_SIZE(commands); c++)
		if (!strcmp(argv[i], commands[c].name))
			return commands[c].fn(argc - i, argv + i, data_dir);
	cli_error("unknown command %s (see vigil --help)", argv[i]);
	return CLI_USAGE;
}

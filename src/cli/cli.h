/*
 * cli.h - `vigil <command>`: one file per subcommand, as git's builtin/.
 *
 * Each command gets the arguments after its name and the data directory,
 * and returns the process exit status: 0 ok, 1 runtime failure, 2 bad usage
 * or bad input. Errors go to stderr as one line saying what was wrong.
 */
#ifndef VIGIL_CLI_H
#define VIGIL_CLI_H

#define CLI_OK 0
#define CLI_FAIL 1
#define CLI_USAGE 2

int cmd_init(int argc, char **argv, const char *data_dir);
int cmd_user(int argc, char **argv, const char *data_dir);
int cmd_serve(int argc, char **argv, const char *data_dir);
int cmd_screen(int argc, char **argv, const char *data_dir);
int cmd_audit(int argc, char **argv, const char *data_dir);
int cmd_directory(int argc, char **argv, const char *data_dir);
int cmd_route(int argc, char **argv, const char *data_dir);
int cmd_ads(int argc, char **argv, const char *data_dir);
/* `vigil ads import` (cmd_ads_import.c), reached through cmd_ads. */
int cmd_ads_import(int argc, char **argv, const char *data_dir);
int cmd_backup(int argc, char **argv, const char *data_dir);
int cmd_restore(int argc, char **argv, const char *data_dir);
int cmd_team(int argc, char **argv, const char *data_dir);
int cmd_purge(int argc, char **argv, const char *data_dir);

struct geo;
struct helplines;

/*
 * Loads the directory (and, with with_rules, the referral rules) from the
 * rules folder; prints the error and returns CLI_USAGE for bad data,
 * CLI_FAIL when the files cannot be read. (cmd_directory.c.)
 */
int cli_helplines_load(const char *rules, const struct geo *g, int with_rules,
		       struct helplines *out);

/* Prints "vigil: " and the message to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

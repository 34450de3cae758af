/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cli.h - the ktrim front end: one file per subcommand, one table.
 *
 * A subcommand's run() gets argv with argv[0] set to its own name and
 * returns the process exit status: 0 success, 1 failure, 2 usage error.
 * It owns nothing after it returns.
 */
#ifndef KTRIM_CLI_H
#define KTRIM_CLI_H

#include <stdio.h>

struct cli_cmd {
	const char *name;
	const char *summary;	/* one line for `ktrim --help` */
	const char *usage;	/* full text for `ktrim help NAME` */
	int (*run)(int argc, char **argv);
};

/* The dispatch table (cli/commands.c), NULL-terminated. */
extern const struct cli_cmd *const cli_commands[];

const struct cli_cmd *cli_cmd_find(const char *name);
void cli_cmd_print_usage(const struct cli_cmd *cmd, FILE *f);
/*
 * For a subcommand's option parser: print its usage to stderr and return
 * the usage exit status (2).
 */
int cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* True when argv holds -h/--help; prints usage to stdout. */
int cli_wants_help(const struct cli_cmd *cmd, int argc, char **argv);

#endif

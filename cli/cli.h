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

struct kt_cmd {
	const char *name;
	const char *summary;	/* one line for `ktrim --help` */
	const char *usage;	/* full text for `ktrim help NAME` */
	int (*run)(int argc, char **argv);
};

/* The dispatch table (cli/commands.c), NULL-terminated. */
extern const struct kt_cmd *const kt_commands[];

const struct kt_cmd *kt_cmd_find(const char *name);
void kt_cmd_print_usage(const struct kt_cmd *cmd, FILE *f);
/*
 * For a subcommand's option parser: print its usage to stderr and return
 * the usage exit status (2).
 */
int kt_cmd_usage_error(const struct kt_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* True when argv holds -h/--help; prints usage to stdout. */
int kt_cmd_wants_help(const struct kt_cmd *cmd, int argc, char **argv);

/* Where recipes and guest binaries live: the source tree or DATADIR. */
const char *kt_cli_datadir(void);
/*
 * A static guest program ("ktrim-init", "ktrim-agent"): $KTRIM_INIT or
 * $KTRIM_AGENT when set, else build/guest/ in the source tree, else
 * DATADIR/guest/. Returns a static buffer per name.
 */
const char *kt_cli_guest_path(const char *name);

#endif

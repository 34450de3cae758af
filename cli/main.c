// SPDX-License-Identifier: GPL-2.0-only
/* ktrim: entry point, global options and dispatch. */
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/common.h"

static void print_main_usage(FILE *f)
{
	fprintf(f,
		"usage: ktrim [-v|-q] [--version] [--help] COMMAND [ARGS]\n"
		"\n"
		"Make per-application Linux kernels for VM-isolated containers.\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; cli_commands[i]; i++)
		fprintf(f, "  %-13s %s\n", cli_commands[i]->name,
			cli_commands[i]->summary);
	fprintf(f,
		"\n"
		"Options:\n"
		"  -v, --verbose  more output (repeatable)\n"
		"  -q, --quiet    only warnings and errors\n"
		"  -h, --help     this text; `ktrim help COMMAND` for a command\n"
		"  -V, --version  print the version\n");
}

const struct cli_cmd *cli_cmd_find(const char *name)
{
	for (size_t i = 0; cli_commands[i]; i++)
		if (strcmp(cli_commands[i]->name, name) == 0)
			return cli_commands[i];
	return NULL;
}

void cli_cmd_print_usage(const struct cli_cmd *cmd, FILE *f)
{
	fputs(cmd->usage, f);
}

int cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ktrim %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cli_cmd_print_usage(cmd, stderr);
	return 2;
}

int cli_wants_help(const struct cli_cmd *cmd, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			cli_cmd_print_usage(cmd, stdout);
			return 1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_cmd *cmd;
	int level = KT_LOG_INFO;
	int c;

	/* '+' stops at the first non-option: the command owns the rest. */
	while ((c = getopt_long(argc, argv, "+vqhV", opts, NULL)) != -1) {
		switch (c) {
		case 'v':
			level++;
			break;
		case 'q':
			level = KT_LOG_WARN;
			break;
		case 'h':
			print_main_usage(stdout);
			return 0;
		case 'V':
			printf("ktrim %s\n", KTRIM_VERSION);
			return 0;
		default:
			print_main_usage(stderr);
			return 2;
		}
	}
	kt_log_set_level(level);
	if (optind >= argc) {
		print_main_usage(stderr);
		return 2;
	}
	cmd = cli_cmd_find(argv[optind]);
	if (!cmd) {
		fprintf(stderr, "ktrim: '%s' is not a ktrim command\n\n",
			argv[optind]);
		print_main_usage(stderr);
		return 2;
	}
	if (cli_wants_help(cmd, argc - optind, argv + optind))
		return 0;
	/* Reset getopt for the subcommand's own parse. */
	argc -= optind;
	argv += optind;
	optind = 0;
	return cmd->run(argc, argv);
}

/* `ktrim help [COMMAND]` */
static int cmd_help_run(int argc, char **argv)
{
	const struct cli_cmd *cmd;

	if (argc < 2) {
		print_main_usage(stdout);
		return 0;
	}
	cmd = cli_cmd_find(argv[1]);
	if (!cmd) {
		fprintf(stderr, "ktrim help: no such command '%s'\n", argv[1]);
		print_main_usage(stderr);
		return 2;
	}
	cli_cmd_print_usage(cmd, stdout);
	return 0;
}

const struct cli_cmd cli_cmd_help = {
	.name = "help",
	.summary = "show usage of ktrim or of one command",
	.usage = "usage: ktrim help [COMMAND]\n",
	.run = cmd_help_run,
};

static int cmd_version_run(int argc, char **argv)
{
	printf("ktrim %s\n", KTRIM_VERSION);
	return 0;
}

const struct cli_cmd cli_cmd_version = {
	.name = "version",
	.summary = "print the version",
	.usage = "usage: ktrim version\n",
	.run = cmd_version_run,
};

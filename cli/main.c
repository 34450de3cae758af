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
	for (size_t i = 0; kt_commands[i]; i++)
		fprintf(f, "  %-13s %s\n", kt_commands[i]->name,
			kt_commands[i]->summary);
	fprintf(f,
		"\n"
		"Options:\n"
		"  -v, --verbose  more output (repeatable)\n"
		"  -q, --quiet    only warnings and errors\n"
		"  -h, --help     this text; `ktrim help COMMAND` for a command\n"
		"  -V, --version  print the version\n");
}

const struct kt_cmd *kt_cmd_find(const char *name)
{
	for (size_t i = 0; kt_commands[i]; i++)
		if (strcmp(kt_commands[i]->name, name) == 0)
			return kt_commands[i];
	return NULL;
}

void kt_cmd_print_usage(const struct kt_cmd *cmd, FILE *f)
{
	fputs(cmd->usage, f);
}

int kt_cmd_usage_error(const struct kt_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ktrim %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	kt_cmd_print_usage(cmd, stderr);
	return 2;
}

int kt_cmd_wants_help(const struct kt_cmd *cmd, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			kt_cmd_print_usage(cmd, stdout);
			return 1;
		}
	}
	return 0;
}

const char *kt_cli_datadir(void)
{
	/* The source tree (./ktrim beside recipes/), then an install prefix. */
	static const char *const beside_exe[] = { "", "/../share/ktrim" };
	static char dir[PATH_MAX + 64];
	char exe[PATH_MAX], probe[PATH_MAX + 64];
	const char *env = getenv("KTRIM_DATADIR");
	char *slash;
	ssize_t n;

	if (env && *env)
		return env;
	if (dir[0])
		return dir;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		for (size_t i = 0; slash && i < KT_ARRAY_SIZE(beside_exe); i++) {
			snprintf(probe, sizeof(probe), "%s%s/recipes/targets", exe,
				 beside_exe[i]);
			if (access(probe, R_OK) == 0) {
				snprintf(dir, sizeof(dir), "%s%s", exe, beside_exe[i]);
				return dir;
			}
		}
	}
	snprintf(dir, sizeof(dir), "%s", KTRIM_DATADIR);
	return dir;
}

const char *kt_cli_guest_path(const char *name)
{
	static char path[2][PATH_MAX + 64];
	bool agent = strcmp(name, "ktrim-agent") == 0;
	const char *env = getenv(agent ? "KTRIM_AGENT" : "KTRIM_INIT");
	char *buf = path[agent];

	if (env && *env)
		return env;
	snprintf(buf, sizeof(path[0]), "%s/build/guest/%s", kt_cli_datadir(), name);
	if (access(buf, R_OK) == 0)
		return buf;
	snprintf(buf, sizeof(path[0]), "%s/guest/%s", kt_cli_datadir(), name);
	return buf;
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
	const struct kt_cmd *cmd;
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
	cmd = kt_cmd_find(argv[optind]);
	if (!cmd) {
		fprintf(stderr, "ktrim: '%s' is not a ktrim command\n\n",
			argv[optind]);
		print_main_usage(stderr);
		return 2;
	}
	if (kt_cmd_wants_help(cmd, argc - optind, argv + optind))
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
	const struct kt_cmd *cmd;

	if (argc < 2) {
		print_main_usage(stdout);
		return 0;
	}
	cmd = kt_cmd_find(argv[1]);
	if (!cmd) {
		fprintf(stderr, "ktrim help: no such command '%s'\n", argv[1]);
		print_main_usage(stderr);
		return 2;
	}
	kt_cmd_print_usage(cmd, stdout);
	return 0;
}

const struct kt_cmd kt_cmd_help = {
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

const struct kt_cmd kt_cmd_version = {
	.name = "version",
	.summary = "print the version",
	.usage = "usage: ktrim version\n",
	.run = cmd_version_run,
};

// SPDX-License-Identifier: GPL-2.0-only
/* `ktrim olddefconfig`: resolve a .config the way `make olddefconfig` does. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/common.h"
#include "pipeline/pipeline.h"

extern const struct cli_cmd cli_cmd_olddefconfig;

enum { OPT_KSRC = 256, OPT_ARCH, OPT_NO_CACHE, OPT_STATS, OPT_RULES };

static int run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ksrc", required_argument, NULL, OPT_KSRC },
		{ "arch", required_argument, NULL, OPT_ARCH },
		{ "output", required_argument, NULL, 'o' },
		{ "no-cache", no_argument, NULL, OPT_NO_CACHE },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "rules", required_argument, NULL, OPT_RULES },
		{ NULL, 0, NULL, 0 },
	};
	struct pipeline_kconfig_opts o = { 0 };
	struct kt_str err = KT_STR_INIT;
	const char *out = NULL;
	int c, r;

	while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_KSRC: o.ksrc = optarg; break;
		case OPT_ARCH: o.arch = optarg; break;
		case 'o': out = optarg; break;
		case OPT_NO_CACHE: o.no_cache = true; break;
		case OPT_STATS: o.stats = true; break;
		case OPT_RULES:
			if (!strcmp(optarg, "6.1"))
				o.rules = KCONF_RULES_6_1;
			else if (!strcmp(optarg, "6.11"))
				o.rules = KCONF_RULES_6_11;
			else
				return cli_usage_error(&cli_cmd_olddefconfig,
						       "--rules takes 6.1 or 6.11");
			break;
		default: return cli_usage_error(&cli_cmd_olddefconfig, "unknown option");
		}
	}
	if (!o.ksrc)
		return cli_usage_error(&cli_cmd_olddefconfig, "--ksrc is required");
	if (!out)
		return cli_usage_error(&cli_cmd_olddefconfig, "-o OUT is required");
	if (optind + 1 != argc)
		return cli_usage_error(&cli_cmd_olddefconfig,
				       "exactly one input .config is required");
	r = pipeline_olddefconfig(&o, argv[optind], out, &err);
	if (r < 0)
		kt_err("%s", err.len ? kt_str_cstr(&err) : strerror(-r));
	kt_str_free(&err);
	return r < 0 ? 1 : 0;
}

const struct cli_cmd cli_cmd_olddefconfig = {
	.name = "olddefconfig",
	.summary = "resolve a .config like `make olddefconfig`",
	.usage =
	"usage: ktrim olddefconfig --ksrc DIR [--arch ARCH] [--rules R] -o OUT IN\n"
	"\n"
	"Read the kernel's Kconfig files under DIR, load the configuration IN,\n"
	"give every new or invalid option its default exactly as the kernel's\n"
	"`make olddefconfig` does, and write the result to OUT (atomically).\n"
	"\n"
	"  --ksrc DIR     kernel source tree\n"
	"  --arch ARCH    ARCH as given to the kernel's make (default: the\n"
	"                 host's, mapped as the kernel does: x86_64 -> x86);\n"
	"                 SRCARCH is derived (x86_64, i386 -> x86)\n"
	"  -o, --output OUT  where to write the resolved .config\n"
	"  --no-cache     run every $(shell,...) probe instead of using the\n"
	"                 per-toolchain cache in ~/.cache/ktrim\n"
	"  --stats        print timing and shell-cache statistics (and whose\n"
	"                 rules the engine follows)\n"
	"  --rules R      follow conf 6.1's rules (up to 6.10) or 6.11's; by\n"
	"                 default the tree's own (scripts/kconfig, else its\n"
	"                 version); for trees that ship no conf, like the\n"
	"                 kernel's Kconfig test fixtures\n"
	"\n"
	"Exit status: 0 on success, 1 on a Kconfig or I/O error, 2 on usage.\n",
	.run = run,
};

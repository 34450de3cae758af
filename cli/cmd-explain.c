// SPDX-License-Identifier: GPL-2.0-only
/* `ktrim explain`: why a symbol is on or off in a .config. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/common.h"
#include "pipeline/pipeline.h"

extern const struct cli_cmd cli_cmd_explain;

enum { OPT_KSRC = 256, OPT_ARCH, OPT_CONFIG, OPT_REPORT };

static int run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ksrc", required_argument, NULL, OPT_KSRC },
		{ "arch", required_argument, NULL, OPT_ARCH },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "report", required_argument, NULL, OPT_REPORT },
		{ NULL, 0, NULL, 0 },
	};
	struct pipeline_kconfig_opts o = { 0 };
	struct kt_str err = KT_STR_INIT, out = KT_STR_INIT;
	const char *config = NULL, *report = NULL;
	int c, r;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_KSRC: o.ksrc = optarg; break;
		case OPT_ARCH: o.arch = optarg; break;
		case OPT_CONFIG: config = optarg; break;
		case OPT_REPORT: report = optarg; break;
		default: return cli_usage_error(&cli_cmd_explain, "unknown option");
		}
	}
	if (!o.ksrc || !config)
		return cli_usage_error(&cli_cmd_explain, "--ksrc and --config are required");
	if (optind >= argc)
		return cli_usage_error(&cli_cmd_explain, "name at least one CONFIG_ symbol");
	r = pipeline_explain(&o, config, report, (const char *const *)argv + optind,
			     (size_t)(argc - optind), &out, &err);
	fputs(kt_str_cstr(&out), stdout);
	if (r < 0)
		kt_err("%s", err.len ? kt_str_cstr(&err) : strerror(-r));
	kt_str_free(&err);
	kt_str_free(&out);
	return r == 0 ? 0 : 1;
}

const struct cli_cmd cli_cmd_explain = {
	.name = "explain",
	.summary = "say why a Kconfig symbol is on or off in a .config",
	.usage =
	"usage: ktrim explain --ksrc DIR --config FILE [--report REPORT.yaml] CONFIG_X...\n"
	"\n"
	"For a symbol that is on, print the chain back to what turned it on:\n"
	"with the report of `ktrim config --report`, the requirement (profile\n"
	"fact or recipe) at its root; without it, the selects, implies and\n"
	"defaults the tree shows, and the enabled symbols depending on it.\n"
	"For a symbol that is off, print what keeps it off: the unmet\n"
	"dependencies, a user n, the choice member selected instead, the\n"
	"selectors that are off.\n"
	"\n"
	"  --ksrc DIR       kernel source tree\n"
	"  --arch ARCH      ARCH as given to the kernel's make (default: host)\n"
	"  --config FILE    the .config to explain\n"
	"  --report FILE    reasons recorded by `ktrim config --report`\n"
	"\n"
	"Exit status: 0 on success, 1 on an unknown symbol or bad input, 2 on usage.\n",
	.run = run,
};

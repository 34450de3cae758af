// SPDX-License-Identifier: GPL-2.0-only
/* `ktrim explain`: why a symbol is on or off in a .config. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/common.h"
#include "kconfig-trim/kconfig.h"

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
	struct kconf_load_opts lo = { 0 };
	struct kconf_tree *tree = NULL;
	struct kconf_reasons *rs = NULL;
	struct kt_str err = KT_STR_INIT, out = KT_STR_INIT;
	const char *ksrc = NULL, *config = NULL, *report = NULL;
	int c, r, status = 1;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_KSRC:
			ksrc = optarg;
			break;
		case OPT_ARCH:
			lo.arch = optarg;
			break;
		case OPT_CONFIG:
			config = optarg;
			break;
		case OPT_REPORT:
			report = optarg;
			break;
		default:
			return cli_usage_error(&cli_cmd_explain, "unknown option");
		}
	}
	if (!ksrc || !config)
		return cli_usage_error(&cli_cmd_explain, "--ksrc and --config are required");
	if (optind >= argc)
		return cli_usage_error(&cli_cmd_explain, "name at least one CONFIG_ symbol");
	if (report) {
		rs = kconf_reasons_new();
		if (!rs)
			goto out;
		r = kconf_reasons_load_report(rs, report, &err);
		if (r < 0) {
			kt_err("%s", err.len ? kt_str_cstr(&err) : report);
			goto out;
		}
	}
	r = kconf_tree_load(ksrc, &lo, &tree, &err);
	if (r < 0) {
		kt_err("%s", err.len ? kt_str_cstr(&err) : strerror(-r));
		goto out;
	}
	r = kconf_config_read(tree, config, &err);
	if (r < 0) {
		kt_err("%s", err.len ? kt_str_cstr(&err) : strerror(-r));
		goto out;
	}
	status = 0;
	for (int i = optind; i < argc; i++) {
		kt_str_reset(&out);
		r = kconf_explain(tree, rs, argv[i], &out);
		if (r == -ENOENT) {
			kt_err("%s: no such symbol in %s", argv[i], ksrc);
			status = 1;
			continue;
		}
		fputs(kt_str_cstr(&out), stdout);
	}
out:
	kconf_reasons_free(rs);
	kconf_tree_free(tree);
	kt_str_free(&err);
	kt_str_free(&out);
	return status;
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

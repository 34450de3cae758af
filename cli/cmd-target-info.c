// SPDX-License-Identifier: GPL-2.0-only
/* `ktrim target-info`: a target as the pipeline sees it, for ci/ktrim.mk. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "common/common.h"
#include "pipeline/pipeline.h"

extern const struct cli_cmd cli_cmd_target_info;

enum { OPT_FIELD = 256, OPT_RECIPES_DIR };

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "field", required_argument, NULL, OPT_FIELD },
		{ "recipes-dir", required_argument, NULL, OPT_RECIPES_DIR },
		{ NULL, 0, NULL, 0 },
	};
	struct pipeline_target t;
	struct kt_str err = KT_STR_INIT, out = KT_STR_INIT;
	const char *field = NULL, *recipes_dir = NULL;
	int c, r;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_FIELD: field = optarg; break;
		case OPT_RECIPES_DIR: recipes_dir = optarg; break;
		default: return cli_usage_error(&cli_cmd_target_info, "unknown option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(&cli_cmd_target_info, "name one target");
	if (!recipes_dir)
		recipes_dir = pipeline_recipes_dir();
	r = pipeline_target_load(&t, recipes_dir, argv[optind], &err);
	if (r == 0) {
		r = pipeline_target_format(&t, field, &out);
		if (r == -ENOENT)
			kt_str_printf(&err, "target %s has no field '%s'", t.name, field);
		pipeline_target_release(&t);
	}
	if (r == 0)
		fputs(out.buf, stdout);
	else
		kt_err("%s", err.len ? err.buf : strerror(-r));
	kt_str_free(&err);
	kt_str_free(&out);
	return r == 0 ? 0 : 1;
}

const struct cli_cmd cli_cmd_target_info = {
	.name = "target-info",
	.summary = "print a target as ktrim build sees it (YAML, or one field)",
	.usage =
	"usage: ktrim target-info TARGET [--field F] [--recipes-dir DIR]\n"
	"\n"
	"Loads the target recipe with its includes, as `ktrim build` and\n"
	"`ktrim certify` do, and prints it as YAML: name, file, recipes (in\n"
	"include order), arch, machine, kernel-format, make-goal, built-path\n"
	"(relative to the kernel's O= folder), kernel-name and initramfs-name\n"
	"(as shipped), modules, console, cmdline, checks.\n"
	"With --field F only that value is printed (lists space-separated), for\n"
	"Makefiles: $(shell ktrim target-info kvm-q35 --field make-goal).\n"
	"\n"
	"Exit status: 0, 1 for a bad target or unknown field, 2 on usage.\n",
	.run = run,
};

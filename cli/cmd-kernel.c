// SPDX-License-Identifier: GPL-2.0-only
/* `ktrim kernel`: the kernel stage of `ktrim build` on its own. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/common.h"
#include "pipeline/pipeline.h"

extern const struct cli_cmd cli_cmd_kernel;

enum { OPT_KSRC = 256, OPT_CONFIG, OPT_TARGET, OPT_LOG, OPT_REBUILD };

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ksrc", required_argument, NULL, OPT_KSRC },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "target", required_argument, NULL, OPT_TARGET },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "jobs", required_argument, NULL, 'j' },
		{ "rebuild", no_argument, NULL, OPT_REBUILD },
		{ NULL, 0, NULL, 0 },
	};
	struct pipeline_kernel k = { 0 };
	struct pipeline_target t = { 0 };
	struct kt_str err = KT_STR_INIT, log = KT_STR_INIT;
	const char *target = NULL, *out = NULL, *goals[2];
	char *build_dir = NULL;
	unsigned long v;
	bool rebuilt;
	int c, r;

	while ((c = getopt_long(argc, argv, "O:j:", opts, NULL)) != -1) {
		switch (c) {
		case OPT_KSRC: k.ksrc = optarg; break;
		case OPT_CONFIG: k.config = optarg; break;
		case OPT_TARGET: target = optarg; break;
		case OPT_LOG: k.log_path = optarg; break;
		case OPT_REBUILD: k.force = true; break;
		case 'O': out = optarg; break;
		case 'j':
			if (kt_parse_ulong(optarg, 1024, &v) < 0 || !v)
				return cli_usage_error(&cli_cmd_kernel, "bad -j '%s'", optarg);
			k.jobs = (unsigned)v;
			break;
		default: return cli_usage_error(&cli_cmd_kernel, "unknown option");
		}
	}
	if (!k.ksrc || !k.config || !out)
		return cli_usage_error(&cli_cmd_kernel, "--ksrc, --config and -O are required");
	if (!target == (optind == argc))
		return cli_usage_error(&cli_cmd_kernel, "name --target or make goals, not both");
	/* make runs in the source tree (-C): O= must not be relative to here. */
	r = kt_mkdir_p(out, 0755);
	if (r == 0 && !(build_dir = realpath(out, NULL)))
		r = -errno;
	if (r < 0) {
		kt_err("%s: %s", out, strerror(-r));
		return 1;
	}
	k.build_dir = build_dir;
	if (!k.log_path) {
		kt_str_printf(&log, "%s/kernel-build.log", build_dir);
		k.log_path = log.buf;
		if (kt_str_error(&log)) {
			free(build_dir);
			kt_str_free(&log);
			return 1;
		}
	}
	k.goals = (const char *const *)argv + optind;
	k.ngoals = (size_t)(argc - optind);
	if (target) {
		r = pipeline_target_load(&t, pipeline_recipes_dir(), target, &err);
		k.goals = goals;
		k.ngoals = r == 0 ? (size_t)pipeline_kernel_goals(&t, k.config, goals) : 0;
		if (r == 0)
			k.arch = pipeline_target_make_arch(&t);
	}
	if (r == 0)
		r = pipeline_kernel_build(&k, &rebuilt);
	if (r < 0 && err.len)
		kt_err("%s", err.buf);
	if (target)
		pipeline_target_release(&t);
	free(build_dir);
	kt_str_free(&err);
	kt_str_free(&log);
	return r < 0 ? 1 : 0;
}

const struct cli_cmd cli_cmd_kernel = {
	.name = "kernel",
	.summary = "build a kernel with the kernel's own make (the build's kernel stage)",
	.usage =
	"usage: ktrim kernel --ksrc DIR --config .config -O BUILD_DIR\n"
	"                    (--target NAME | GOAL...) [-j N] [--log FILE] [--rebuild]\n"
	"\n"
	"Copies .config into BUILD_DIR, runs `make olddefconfig` and the goals\n"
	"there out of tree (make -C DIR O=BUILD_DIR), exactly as `ktrim build`\n"
	"does: with --target, the target's make goal (see `ktrim target-info`)\n"
	"and `modules` when the configuration has modules;\n"
	"else the GOALs given (e.g. init/main.o). ccache is used when installed\n"
	"and CC is unset; CC and HOSTCC pass through (distcc, icecc). Skipped when\n"
	"the config, the newest source file, CC and the goals are unchanged.\n"
	"\n"
	"  -j N         make jobs (default: the CPU count)\n"
	"  --log FILE   make's output (default BUILD_DIR/kernel-build.log)\n"
	"  --rebuild    run make even when nothing changed\n"
	"\n"
	"Exit status: 0 when make succeeded, 1 otherwise, 2 on usage.\n",
	.run = run,
};

// SPDX-License-Identifier: GPL-2.0-only
/* `ktrim config`: options for pipeline_config(). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/common.h"
#include "pipeline/pipeline.h"

extern const struct cli_cmd cli_cmd_config;

enum {
	OPT_KSRC = 256, OPT_ARCH, OPT_PROFILE, OPT_RECIPE, OPT_BASE, OPT_REPORT,
	OPT_REQUIRE, OPT_FORBID, OPT_MODULES, OPT_RECIPES_DIR, OPT_RESCAN, OPT_STATS,
	OPT_STRICT, OPT_PROJECT, OPT_SHUFFLE, OPT_COMPARE,
};

static int run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ksrc", required_argument, NULL, OPT_KSRC },
		{ "arch", required_argument, NULL, OPT_ARCH },
		{ "profile", required_argument, NULL, OPT_PROFILE },
		{ "recipe", required_argument, NULL, OPT_RECIPE },
		{ "base", required_argument, NULL, OPT_BASE },
		{ "report", required_argument, NULL, OPT_REPORT },
		{ "require", required_argument, NULL, OPT_REQUIRE },
		{ "forbid", required_argument, NULL, OPT_FORBID },
		{ "modules", required_argument, NULL, OPT_MODULES },
		{ "recipes-dir", required_argument, NULL, OPT_RECIPES_DIR },
		{ "rescan", no_argument, NULL, OPT_RESCAN },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "project", required_argument, NULL, OPT_PROJECT },
		{ "shuffle-seed", required_argument, NULL, OPT_SHUFFLE },
		{ "compare", required_argument, NULL, OPT_COMPARE },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	/* Each repeatable option collects into its own list. */
	struct kt_array profiles = KT_ARRAY_INIT(char *), recipes = KT_ARRAY_INIT(char *);
	struct kt_array pins = KT_ARRAY_INIT(char *), bans = KT_ARRAY_INIT(char *);
	struct pipeline_config_opts o = { 0 };
	struct kconf_recipe_set rs;
	const struct kconf_recipe_set *sets[1] = { &rs };
	struct kprof_project project;
	const char *project_file = NULL;
	struct kt_str err = KT_STR_INIT;
	const char *recipes_dir = NULL;
	int c, r = 0, status = 1;

	kconf_recipe_set_init(&rs);
	kprof_project_init(&project);
	while (r == 0 && (c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_KSRC: o.ksrc = optarg; break;
		case OPT_ARCH: o.arch = optarg; break;
		case OPT_PROFILE: r = kt_array_push_ptr(&profiles, optarg); break;
		case OPT_RECIPE: r = kt_array_push_ptr(&recipes, optarg); break;
		case OPT_BASE: o.base = optarg; break;
		case OPT_REPORT: o.report = optarg; break;
		case OPT_COMPARE: o.compare = optarg; break;
		case OPT_REQUIRE: r = kt_array_push_ptr(&pins, optarg); break;
		case OPT_FORBID: r = kt_array_push_ptr(&bans, optarg); break;
		case OPT_MODULES: o.modules = optarg; break;
		case OPT_RECIPES_DIR: recipes_dir = optarg; break;
		case OPT_RESCAN: o.rescan = true; break;
		case OPT_STATS: o.stats = true; break;
		case OPT_STRICT: o.strict = true; break;
		case OPT_PROJECT: project_file = optarg; break;
		case OPT_SHUFFLE:
			if (kt_parse_ulong(optarg, ULONG_MAX, &o.shuffle_seed) < 0) {
				status = cli_usage_error(&cli_cmd_config,
							 "--shuffle-seed takes a number");
				goto out;
			}
			break;
		case 'o': o.output = optarg; break;
		default:
			status = cli_usage_error(&cli_cmd_config, "unknown option");
			goto out;
		}
	}
	if (!o.ksrc || !o.output || optind != argc) {
		status = cli_usage_error(&cli_cmd_config, !o.ksrc ? "--ksrc is required" :
					 !o.output ? "-o OUT is required" :
					 "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (o.modules && strcmp(o.modules, "builtin") && strcmp(o.modules, "as-needed")) {
		status = cli_usage_error(&cli_cmd_config, "--modules is builtin or as-needed");
		goto out;
	}
	if (!recipes_dir)
		recipes_dir = pipeline_recipes_dir();
	for (size_t i = 0; r == 0 && i < recipes.len; i++)
		r = kconf_recipe_set_load(&rs, recipes_dir, kt_array_ptr(&recipes, i), &err);
	o.profiles = (const char *const *)profiles.items;
	o.nprofiles = profiles.len;
	o.recipes = sets;
	o.nrecipes = 1;
	o.require = (const char *const *)pins.items;
	o.nrequire = pins.len;
	o.forbid = (const char *const *)bans.items;
	o.nforbid = bans.len;
	if (r == 0 && project_file) {
		r = kprof_project_load(project_file, &project, &err);
		o.project = &project;
	}
	if (r == 0)
		r = pipeline_config(&o, &err);
	if (r < 0)
		kt_err("%s", err.len ? kt_str_cstr(&err) : strerror(-r));
	status = r < 0 ? 1 : 0;
out:
	kconf_recipe_set_release(&rs);
	kprof_project_release(&project);
	kt_array_free(&profiles);
	kt_array_free(&recipes);
	kt_array_free(&pins);
	kt_array_free(&bans);
	kt_str_free(&err);
	return status;
}

const struct cli_cmd cli_cmd_config = {
	.name = "config",
	.summary = "trim Kconfig to what profiles and recipes need",
	.usage =
	"usage: ktrim config --ksrc DIR [--profile P.yaml]... [--recipe R]... [--project F]\n"
	"                    [--base allnoconfig|FILE] -o OUT [--report REPORT.yaml]\n"
	"\n"
	"Compute the smallest valid configuration of the kernel tree DIR that\n"
	"provides every feature the profiles observed (modules, filesystems,\n"
	"socket families, syscalls, namespaces, cgroup controllers, device\n"
	"nodes and the ioctls on them, sysctls) and every symbol or feature\n"
	"the recipes require, with nothing they forbid. Devices and sysctls\n"
	"that name nothing beyond the base kernel (/dev/null, kernel.*) are\n"
	"counted, not required.\n"
	"Features map to symbols through the tree's own Makefiles and sources\n"
	"(scanned once per tree, cached in ~/.cache/ktrim).\n"
	"\n"
	"  --ksrc DIR         kernel source tree\n"
	"  --arch ARCH        ARCH as given to the kernel's make (default: host)\n"
	"  --profile P.yaml   a ktrim.profile.yaml (repeatable)\n"
	"  --recipe R         a recipe file or name: kvm-q35 (recipes/targets/),\n"
	"                     bases/container, ... (repeatable; includes follow)\n"
	"  --base B           allnoconfig (default) or a .config to trim: every\n"
	"                     switch not required goes, built-ins included; its\n"
	"                     numbers, strings and choices are kept\n"
	"  --require X        also require X: CONFIG_FOO[=v] or KIND:NAME\n"
	"                     (module:, syscall:, filesystem:, socket:, cgroup:,\n"
	"                     namespace:, device:, sysctl:) (repeatable)\n"
	"  --forbid X         X must end up off (repeatable)\n"
	"  --project FILE     the ktrim.yaml whose shipped image this is: what its\n"
	"                     network: needs (IPv6, the kernel's DHCP client)\n"
	"  --modules M        builtin or as-needed (default: from the recipes)\n"
	"  --recipes-dir DIR  where recipe names and includes resolve\n"
	"  --rescan           scan the tree again instead of using the cache\n"
	"  -o, --output OUT   the .config to write (atomically)\n"
	"  --report FILE      YAML report: counts before/after, changes by area,\n"
	"                     requirements, warnings, the reason for every\n"
	"                     enabled symbol (ktrim explain reads it)\n"
	"  --compare CONFIG   add the report's attack-surface section against\n"
	"                     CONFIG (a distro's .config for this tree): options,\n"
	"                     drivers and filesystems removed, system calls still\n"
	"                     provided that nothing asked for, hardening kept\n"
	"  --stats            print timings\n"
	"  --strict           profile or recipe facts that name nothing in this\n"
	"                     tree (a module of another version or arch) fail the\n"
	"                     trim instead of one summary warning\n"
	"  --shuffle-seed N   test hook: permute the requirements and prohibitions\n"
	"                     (seed N > 0) before solving; the result is the same\n"
	"\n"
	"Recipes may name a renamed symbol's alternatives, CONFIG_NEW | CONFIG_OLD\n"
	"(the first the tree defines is required), and optional requirements,\n"
	"{optional: CONFIG_X, reason: ...}; a required symbol the tree lacks under\n"
	"every name is an error naming the recipe's file:line.\n"
	"\n"
	"Exit status: 0 on success, 1 when a requirement cannot be met or\n"
	"conflicts with a prohibition (each listed, with both chains), 2 on usage.\n",
	.run = run,
};

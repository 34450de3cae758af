// SPDX-License-Identifier: GPL-2.0-only
/* `ktrim config`: profiles + recipes -> the smallest valid .config. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/common.h"
#include "kconfig-trim/kconfig.h"
#include "profiler/profiler.h"

extern const struct kt_cmd kt_cmd_config;

enum {
	OPT_KSRC = 256, OPT_ARCH, OPT_PROFILE, OPT_RECIPE, OPT_BASE, OPT_REPORT,
	OPT_REQUIRE, OPT_FORBID, OPT_MODULES, OPT_RECIPES_DIR, OPT_RESCAN, OPT_STATS,
};

/* A profile's fact lists and the feature kind each maps to. */
static int fact_kind(enum kprof_kind k, enum kconf_feat_kind *out)
{
	switch (k) {
	case KPROF_MODULES:
	case KPROF_NETFILTER:
		*out = KCONF_FEAT_MODULE;
		return 0;
	case KPROF_FILESYSTEMS:
		*out = KCONF_FEAT_FILESYSTEM;
		return 0;
	case KPROF_SOCKETS:
		*out = KCONF_FEAT_SOCKET;
		return 0;
	case KPROF_SYSCALLS:
		*out = KCONF_FEAT_SYSCALL;
		return 0;
	case KPROF_NAMESPACES:
		*out = KCONF_FEAT_NAMESPACE;
		return 0;
	case KPROF_CGROUPS:
		*out = KCONF_FEAT_CGROUP;
		return 0;
	default:
		/* devices come with their drivers, sysctls with their features */
		return -1;
	}
}

static int add_profile(struct kconf_trim *t, const char *path)
{
	struct kprof_profile p;
	struct kt_str err = KT_STR_INIT, origin = KT_STR_INIT;
	unsigned skipped = 0;
	int r;

	kprof_profile_init(&p);
	r = kprof_profile_load(path, &p, &err);
	if (r < 0) {
		kt_err("%s", err.len ? kt_str_cstr(&err) : path);
		goto out;
	}
	kt_str_printf(&origin, "profile %s", p.workload_name ? p.workload_name : path);
	for (int k = 0; k < KPROF_KIND_COUNT && r == 0; k++) {
		enum kconf_feat_kind fk;

		if (k == KPROF_SYSCTLS && p.facts[k].n) {
			/*
			 * Each sysctl comes with its subsystem; writing any of
			 * them needs /proc/sys itself, which EXPERT can drop.
			 */
			struct kconf_req q;
			struct kt_str why = KT_STR_INIT;

			kt_str_printf(&why, "%s (sysctl %s)", kt_str_cstr(&origin),
				      p.facts[k].items[0].name);
			r = kconf_req_init_symbol(&q, "CONFIG_PROC_SYSCTL", why.buf, path);
			kt_str_free(&why);
			if (r == 0) {
				r = kconf_trim_require(t, &q);
				kconf_req_release(&q);
			}
			continue;
		}
		if (fact_kind((enum kprof_kind)k, &fk) < 0) {
			skipped += (unsigned)p.facts[k].n;
			continue;
		}
		for (size_t i = 0; i < p.facts[k].n && r == 0; i++) {
			const struct kprof_fact *f = &p.facts[k].items[i];
			struct kconf_req q;

			r = kconf_req_init_feature(&q, fk, k == KPROF_SOCKETS ? f->family : f->name,
						   kt_str_cstr(&origin), path);
			if (r == 0) {
				r = kconf_trim_require(t, &q);
				kconf_req_release(&q);
			}
		}
	}
	if (skipped)
		kt_info("%s: %u device facts need no symbol of their own", path, skipped);
out:
	kprof_profile_release(&p);
	kt_str_free(&err);
	kt_str_free(&origin);
	return r;
}

/* --require/--forbid TEXT: CONFIG_X[=v] or kind:name */
static int add_pin(struct kconf_trim *t, const char *text, bool forbid)
{
	const char *colon = strchr(text, ':');
	struct kconf_req q;
	int r;

	if (colon && strncmp(text, "CONFIG_", 7) != 0) {
		char kind[32];
		enum kconf_feat_kind k;

		snprintf(kind, sizeof(kind), "%.*s", (int)(colon - text), text);
		if (kconf_feat_kind_parse(kind, &k) < 0)
			return -EINVAL;
		r = kconf_req_init_feature(&q, k, colon + 1, "command line", NULL);
	} else {
		r = kconf_req_init_symbol(&q, text, "command line", NULL);
	}
	if (r < 0)
		return r;
	r = forbid ? kconf_trim_forbid(t, &q) : kconf_trim_require(t, &q);
	kconf_req_release(&q);
	return r;
}

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
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct kt_array profiles = KT_ARRAY_INIT(char *), recipes = KT_ARRAY_INIT(char *);
	struct kt_array pins = KT_ARRAY_INIT(char *), bans = KT_ARRAY_INIT(char *);
	struct kconf_load_opts lo = { 0 };
	struct kconf_trim_opts to = { 0 };
	struct kconf_recipe_set rs;
	struct kconf_tree *tree = NULL;
	struct kconf_featmap *fm = NULL;
	struct kconf_trim *t = NULL;
	struct kt_str err = KT_STR_INIT, rdir = KT_STR_INIT;
	const char *ksrc = NULL, *out = NULL, *report = NULL, *modules = NULL;
	const char *recipes_dir = NULL;
	bool rescan = false, stats = false;
	unsigned by, bm, y, m;
	int c, r, status = 1;

	kconf_recipe_set_init(&rs);
	while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_KSRC:
			ksrc = optarg;
			break;
		case OPT_ARCH:
			lo.arch = optarg;
			break;
		case OPT_PROFILE:
			kt_array_push_ptr(&profiles, optarg);
			break;
		case OPT_RECIPE:
			kt_array_push_ptr(&recipes, optarg);
			break;
		case OPT_BASE:
			to.base = optarg;
			break;
		case OPT_REPORT:
			report = optarg;
			break;
		case OPT_REQUIRE:
			kt_array_push_ptr(&pins, optarg);
			break;
		case OPT_FORBID:
			kt_array_push_ptr(&bans, optarg);
			break;
		case OPT_MODULES:
			modules = optarg;
			break;
		case OPT_RECIPES_DIR:
			recipes_dir = optarg;
			break;
		case OPT_RESCAN:
			rescan = true;
			break;
		case OPT_STATS:
			stats = true;
			break;
		case 'o':
			out = optarg;
			break;
		default:
			status = kt_cmd_usage_error(&kt_cmd_config, "unknown option");
			goto out;
		}
	}
	if (!ksrc || !out || optind != argc) {
		status = kt_cmd_usage_error(&kt_cmd_config, !ksrc ? "--ksrc is required" :
					    !out ? "-o OUT is required" :
					    "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (modules && strcmp(modules, "builtin") && strcmp(modules, "as-needed")) {
		status = kt_cmd_usage_error(&kt_cmd_config, "--modules is builtin or as-needed");
		goto out;
	}
	if (!recipes_dir) {
		kt_str_printf(&rdir, "%s/recipes", kt_cli_datadir());
		recipes_dir = kt_str_cstr(&rdir);
	}
	for (size_t i = 0; i < recipes.len; i++) {
		r = kconf_recipe_set_load(&rs, recipes_dir, kt_array_ptr(&recipes, i), &err);
		if (r < 0) {
			kt_err("%s", kt_str_cstr(&err));
			goto out;
		}
	}
	to.modules = kconf_recipe_set_modules(&rs);
	if (modules)
		to.modules = strcmp(modules, "as-needed") == 0 ? KCONF_MODULES_AS_NEEDED :
								KCONF_MODULES_BUILTIN;

	r = kconf_tree_load(ksrc, &lo, &tree, &err);
	if (r < 0) {
		kt_err("%s", err.len ? kt_str_cstr(&err) : strerror(-r));
		goto out;
	}
	if (stats)
		kt_progress("parsed Kconfig: %zu symbols", kconf_tree_nsyms(tree));
	r = kconf_featmap_load(ksrc, kconf_arch_to_srcarch(lo.arch ? lo.arch : kconf_host_arch()),
			       NULL, rescan, &fm);
	if (r < 0) {
		kt_err("feature maps for %s: %s", ksrc, strerror(-r));
		goto out;
	}
	if (stats)
		kt_progress("feature maps %s", kconf_featmap_from_cache(fm) ? "from cache" : "scanned");
	r = kconf_trim_new(tree, fm, &t);
	if (r < 0)
		goto out;
	r = kconf_trim_add_recipes(t, &rs);
	for (size_t i = 0; r == 0 && i < profiles.len; i++)
		r = add_profile(t, kt_array_ptr(&profiles, i));
	for (size_t i = 0; r == 0 && i < pins.len; i++) {
		r = add_pin(t, kt_array_ptr(&pins, i), false);
		if (r == -EINVAL) {
			status = kt_cmd_usage_error(&kt_cmd_config, "bad --require '%s'",
						    (char *)kt_array_ptr(&pins, i));
			goto out;
		}
	}
	for (size_t i = 0; r == 0 && i < bans.len; i++) {
		r = add_pin(t, kt_array_ptr(&bans, i), true);
		if (r == -EINVAL) {
			status = kt_cmd_usage_error(&kt_cmd_config, "bad --forbid '%s'",
						    (char *)kt_array_ptr(&bans, i));
			goto out;
		}
	}
	if (r < 0)
		goto out;
	kt_str_reset(&err);
	r = kconf_trim_solve(t, &to, &err);
	if (report && kconf_trim_report_write(t, report) < 0)
		kt_err("cannot write %s", report);
	if (r < 0) {
		kt_err("%s", err.len ? kt_str_cstr(&err) : strerror(-r));
		goto out;
	}
	if (stats)
		kt_progress("solved");
	r = kconf_config_write(tree, out);
	if (r < 0) {
		kt_err("cannot write %s: %s", out, strerror(-r));
		goto out;
	}
	kconf_trim_counts(t, &by, &bm, &y, &m);
	kt_info("%s: %u =y, %u =m (base %s: %u =y, %u =m)%s%s", out, y, m,
		to.base ? to.base : "allnoconfig", by, bm, report ? "; report " : "",
		report ? report : "");
	status = 0;
out:
	kconf_trim_free(t);
	kconf_featmap_free(fm);
	kconf_tree_free(tree);
	kconf_recipe_set_release(&rs);
	kt_array_free(&profiles);
	kt_array_free(&recipes);
	kt_array_free(&pins);
	kt_array_free(&bans);
	kt_str_free(&err);
	kt_str_free(&rdir);
	return status;
}

const struct kt_cmd kt_cmd_config = {
	.name = "config",
	.summary = "trim Kconfig to what profiles and recipes need",
	.usage =
	"usage: ktrim config --ksrc DIR [--profile P.yaml]... [--recipe R]...\n"
	"                    [--base allnoconfig|FILE] -o OUT [--report REPORT.yaml]\n"
	"\n"
	"Compute the smallest valid configuration of the kernel tree DIR that\n"
	"provides every feature the profiles observed (modules, filesystems,\n"
	"socket families, syscalls, namespaces, cgroup controllers) and every\n"
	"symbol or feature the recipes require, with nothing they forbid.\n"
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
	"                     namespace:) (repeatable)\n"
	"  --forbid X         X must end up off (repeatable)\n"
	"  --modules M        builtin or as-needed (default: from the recipes)\n"
	"  --recipes-dir DIR  where recipe names and includes resolve\n"
	"  --rescan           scan the tree again instead of using the cache\n"
	"  -o, --output OUT   the .config to write (atomically)\n"
	"  --report FILE      YAML report: counts before/after, changes by area,\n"
	"                     requirements, warnings, the reason for every\n"
	"                     enabled symbol (ktrim explain reads it)\n"
	"  --stats            print timings\n"
	"\n"
	"Exit status: 0 on success, 1 when a requirement cannot be met or\n"
	"conflicts with a prohibition (each listed, with both chains), 2 on usage.\n",
	.run = run,
};

// SPDX-License-Identifier: GPL-2.0-only
/* `ktrim initramfs`: pack a guest image, or list one. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/common.h"
#include "initramfs/initramfs.h"
#include "kconfig-trim/kconfig.h"
#include "profiler/profiler.h"
#include "cli/workload.h"

extern const struct kt_cmd kt_cmd_initramfs;

enum {
	OPT_LIST = 256, OPT_RECIPE, OPT_PROFILE, OPT_MODDIR, OPT_KREL,
	OPT_MODULE, OPT_ROOTFS, OPT_CMD, OPT_INIT, OPT_COMPRESS, OPT_LEVEL,
	OPT_THREADS, OPT_LONG, OPT_EARLY, OPT_ENV, OPT_CWD, OPT_USER,
	OPT_HOSTNAME, OPT_NS, OPT_CGROUP, OPT_READONLY, OPT_READY_STDOUT,
	OPT_READY_TCP, OPT_TIMEOUT, OPT_GRACE, OPT_ROOTDEV, OPT_KEEPCOMP,
	OPT_FILELIST, OPT_SMOKE, OPT_SMOKE_TIMEOUT, OPT_RECIPES_DIR, OPT_PROJECT,
};

static int list_one(const struct initramfs_entry *e, void *ctx)
{
	struct kt_str *line = ctx;

	kt_str_reset(line);
	if (initramfs_entry_format(e, line) < 0)
		return -ENOMEM;
	puts(kt_str_cstr(line));
	return 0;
}

static int do_list(const char *path)
{
	struct kt_str err = KT_STR_INIT, line = KT_STR_INIT;
	int r = initramfs_read_file(path, list_one, &line, &err);

	if (r < 0)
		kt_err("%s", err.len ? err.buf : strerror(-r));
	kt_str_free(&err);
	kt_str_free(&line);
	return r < 0 ? 1 : 0;
}

/* The `module:` requirements of recipes (and their includes). */
static int recipe_modules(const struct kconf_recipe_set *rs,
			  struct kt_array *mods)
{
	int r = 0;

	for (size_t i = 0; i < rs->recipes.len && r == 0; i++) {
		const struct kconf_recipe *rc = kt_array_ptr(&rs->recipes, i);

		for (size_t j = 0; j < rc->require.len && r == 0; j++) {
			const struct kconf_req *q = kt_array_at(&rc->require, j);

			if (q->kind == KCONF_REQ_FEATURE &&
			    q->feat == KCONF_FEAT_MODULE)
				r = kt_array_push_strdup(mods, q->name);
		}
	}
	return r;
}

/* The modules a profile saw loaded; its command when none was given. */
static int profile_inputs(const char *path, struct kt_array *mods,
			  struct initramfs_spec *spec, struct kt_str *err)
{
	struct kprof_profile p;
	const struct kprof_fact_list *l;
	int r;

	kprof_profile_init(&p);
	r = kprof_profile_load(path, &p, err);
	if (r < 0)
		goto out;
	l = &p.facts[KPROF_MODULES];
	for (size_t i = 0; i < l->n && r == 0; i++)
		r = kt_array_push_strdup(mods, l->items[i].name);
	if (spec->args.len == 0)
		for (size_t i = 0; i < p.command.len && r == 0; i++)
			r = kt_array_push_strdup(&spec->args, kt_array_ptr(&p.command, i));
out:
	kprof_profile_release(&p);
	return r;
}

/*
 * The workload of a ktrim.yaml: its spec (command, env, user, ready
 * condition, smoke test, namespaces); its rootfs is taken after parsing.
 */
static int project_inputs(const char *path, struct kprof_project *pr,
			  struct initramfs_spec *spec, struct kt_str *err)
{
	int r;

	kprof_project_release(pr);
	kprof_project_init(pr);
	r = kprof_project_load(path, pr, err);
	if (r == 0)
		r = kt_workload_spec(pr, spec);
	return r;
}

static int cmd_initramfs_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "list", required_argument, NULL, OPT_LIST },
		{ "project", required_argument, NULL, OPT_PROJECT },
		{ "recipe", required_argument, NULL, OPT_RECIPE },
		{ "recipes-dir", required_argument, NULL, OPT_RECIPES_DIR },
		{ "profile", required_argument, NULL, OPT_PROFILE },
		{ "modules-dir", required_argument, NULL, OPT_MODDIR },
		{ "kernel-release", required_argument, NULL, OPT_KREL },
		{ "module", required_argument, NULL, OPT_MODULE },
		{ "rootfs", required_argument, NULL, OPT_ROOTFS },
		{ "cmd", required_argument, NULL, OPT_CMD },
		{ "init", required_argument, NULL, OPT_INIT },
		{ "compress", required_argument, NULL, OPT_COMPRESS },
		{ "level", required_argument, NULL, OPT_LEVEL },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "long", no_argument, NULL, OPT_LONG },
		{ "early-dir", required_argument, NULL, OPT_EARLY },
		{ "file-list", required_argument, NULL, OPT_FILELIST },
		{ "env", required_argument, NULL, OPT_ENV },
		{ "cwd", required_argument, NULL, OPT_CWD },
		{ "user", required_argument, NULL, OPT_USER },
		{ "hostname", required_argument, NULL, OPT_HOSTNAME },
		{ "namespaces", required_argument, NULL, OPT_NS },
		{ "cgroup", required_argument, NULL, OPT_CGROUP },
		{ "readonly", no_argument, NULL, OPT_READONLY },
		{ "ready-stdout", required_argument, NULL, OPT_READY_STDOUT },
		{ "ready-tcp", required_argument, NULL, OPT_READY_TCP },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "stop-grace", required_argument, NULL, OPT_GRACE },
		{ "root-dev", required_argument, NULL, OPT_ROOTDEV },
		{ "keep-compressed-modules", no_argument, NULL, OPT_KEEPCOMP },
		{ "smoke", required_argument, NULL, OPT_SMOKE },
		{ "smoke-timeout", required_argument, NULL, OPT_SMOKE_TIMEOUT },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const struct kt_cmd *self = &kt_cmd_initramfs;
	struct initramfs_pack_opts po = { 0 };
	struct initramfs_write_opts wo = INITRAMFS_WRITE_OPTS_INIT;
	struct initramfs_archive *early = NULL;
	struct initramfs_spec spec;
	struct kt_array mods = KT_ARRAY_INIT(char *);
	struct kt_array recipes = KT_ARRAY_INIT(char *);
	struct kconf_recipe_set rs;
	struct kt_str rdir = KT_STR_INIT;
	const char *recipes_dir = NULL;
	struct kt_str err = KT_STR_INIT;
	const char *list = NULL, *cmd = NULL, *early_dir = NULL, *smoke = NULL;
	const char *file_list = NULL;
	struct kprof_project project;
	char *project_rootfs = NULL;
	unsigned long v;
	int c, r, status = 1;

#define USAGE(...) do { status = kt_cmd_usage_error(self, __VA_ARGS__); \
		goto out; } while (0)

	initramfs_spec_init(&spec);
	kconf_recipe_set_init(&rs);
	kprof_project_init(&project);
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		char *sep;

		r = 0;
		switch (c) {
		case OPT_LIST: list = optarg; break;
		case OPT_PROJECT:
			r = project_inputs(optarg, &project, &spec, &err);
			break;
		case OPT_RECIPE: r = kt_array_push_ptr(&recipes, optarg); break;
		case OPT_RECIPES_DIR: recipes_dir = optarg; break;
		case OPT_PROFILE:
			r = profile_inputs(optarg, &mods, &spec, &err);
			break;
		case OPT_MODDIR: po.moddir = optarg; break;
		case OPT_KREL: po.kernel_release = optarg; break;
		case OPT_MODULE: r = kt_array_push_strdup(&mods, optarg); break;
		case OPT_ROOTFS: po.rootfs_dir = optarg; break;
		case OPT_CMD: cmd = optarg; break;
		case OPT_INIT: po.init_path = optarg; break;
		case OPT_COMPRESS:
			if (initramfs_compress_parse(optarg, &wo.compress) < 0)
				USAGE("--compress: "
					"'%s' is not none or zstd", optarg);
			break;
		case OPT_LEVEL:
			if (kt_parse_ulong(optarg, 22, &v) < 0 || v == 0)
				USAGE("--level: "
					"1..22 expected");
			wo.level = (int)v;
			break;
		case OPT_THREADS:
			if (kt_parse_ulong(optarg, 256, &v) < 0)
				USAGE("--threads: "
					"0..256 expected");
			wo.threads = (int)v;
			break;
		case OPT_LONG: wo.long_distance = true; break;
		case OPT_EARLY: early_dir = optarg; break;
		case OPT_FILELIST: file_list = optarg; break;
		case OPT_ENV:
			if (!strchr(optarg, '='))
				USAGE("--env wants "
					"NAME=VALUE");
			r = kt_array_push_strdup(&spec.env, optarg);
			break;
		case OPT_CWD: free(spec.cwd); spec.cwd = strdup(optarg); break;
		case OPT_USER: {
			unsigned long u, g;

			sep = strchr(optarg, ':');
			if (sep)
				*sep = '\0';
			if (kt_parse_ulong(optarg, 0xfffffffe, &u) < 0 ||
			    kt_parse_ulong(sep ? sep + 1 : optarg, 0xfffffffe,
				       &g) < 0)
				USAGE("--user wants "
					"UID[:GID] (numbers)");
			spec.uid = (uint32_t)u;
			spec.gid = (uint32_t)g;
			break;
		}
		case OPT_HOSTNAME:
			free(spec.hostname);
			spec.hostname = strdup(optarg);
			break;
		case OPT_NS:
			r = initramfs_spec_parse_namespaces(optarg,
							    &spec.namespaces,
							    &err);
			break;
		case OPT_CGROUP:
			sep = strchr(optarg, '=');
			if (!sep || sep == optarg)
				USAGE("--cgroup wants "
					"FILE=VALUE, e.g. memory.max=64M");
			*sep = '\0';
			r = initramfs_spec_add_cgroup(&spec, optarg, sep + 1);
			break;
		case OPT_READONLY: spec.readonly = true; break;
		case OPT_READY_STDOUT:
			spec.ready = INITRAMFS_READY_STDOUT;
			free(spec.ready_pattern);
			spec.ready_pattern = strdup(optarg);
			break;
		case OPT_READY_TCP:
			if (kt_parse_ulong(optarg, 65535, &v) < 0 || v == 0)
				USAGE("--ready-tcp: "
					"port 1..65535 expected");
			spec.ready = INITRAMFS_READY_TCP;
			spec.ready_port = (uint16_t)v;
			break;
		case OPT_TIMEOUT:
			if (kt_parse_ulong(optarg, 0xffffffff, &v) < 0)
				USAGE("--timeout: "
					"seconds expected");
			spec.timeout_s = (uint32_t)v;
			break;
		case OPT_GRACE:
			if (kt_parse_ulong(optarg, 0xffffffff, &v) < 0)
				USAGE("--stop-grace: "
					"seconds expected");
			spec.stop_grace_s = (uint32_t)v;
			break;
		case OPT_ROOTDEV:
			sep = strchr(optarg, ':');
			if (!sep || sep == optarg || !sep[1])
				USAGE("--root-dev "
					"wants DEVICE:FSTYPE");
			*sep = '\0';
			free(spec.rootfs);
			free(spec.rootfs_type);
			spec.rootfs = strdup(optarg);
			spec.rootfs_type = strdup(sep + 1);
			break;
		case OPT_KEEPCOMP: po.keep_compressed_modules = true; break;
		case OPT_SMOKE: smoke = optarg; break;
		case OPT_SMOKE_TIMEOUT:
			if (kt_parse_ulong(optarg, 0xffffffff, &v) < 0)
				USAGE("--smoke-timeout: seconds expected");
			spec.smoke_timeout_s = (uint32_t)v;
			break;
		case 'o': po.output = optarg; break;
		default:
			USAGE("unknown option");
		}
		if (r < 0) {
			kt_err("%s", err.len ? err.buf : strerror(-r));
			goto out;
		}
	}
	if (optind < argc)
		USAGE("unexpected argument '%s'",
					  argv[optind]);
	if (list) {
		status = do_list(list);
		goto out;
	}
	if (!recipes_dir) {
		kt_str_printf(&rdir, "%s/recipes", kt_cli_datadir());
		recipes_dir = kt_str_cstr(&rdir);
	}
	for (size_t i = 0; i < recipes.len; i++) {
		r = kconf_recipe_set_load(&rs, recipes_dir,
					  kt_array_ptr(&recipes, i), &err);
		if (r < 0) {
			kt_err("%s", kt_str_cstr(&err));
			goto out;
		}
	}
	if (recipe_modules(&rs, &mods) < 0)
		goto out;
	if (!po.output) {
		USAGE("-o OUT is required");
	}
	if (project.file && !po.rootfs_dir) {
		/* A tarball or OCI layout is unpacked beside the output. */
		struct kt_str scratch = KT_STR_INIT;

		kt_str_printf(&scratch, "%s.rootfs", po.output);
		r = kprof_project_rootfs_dir(&project, scratch.buf, &project_rootfs, &err);
		kt_str_free(&scratch);
		if (r < 0) {
			kt_err("%s", err.len ? err.buf : strerror(-r));
			goto out;
		}
		po.rootfs_dir = project_rootfs;
	}
	if (mods.len && !po.moddir) {
		USAGE("modules requested: --modules-dir is required");
	}
	if (cmd) {
		r = initramfs_spec_set_cmd(&spec, cmd, &err);
		if (r < 0) {
			kt_err("%s", err.buf);
			goto out;
		}
	}
	if (smoke) {
		/* The shell-like splitter fills args; move them over. */
		struct initramfs_spec tmp;

		initramfs_spec_init(&tmp);
		r = initramfs_spec_set_cmd(&tmp, smoke, &err);
		if (r < 0) {
			kt_err("--smoke: %s", err.buf);
			initramfs_spec_release(&tmp);
			goto out;
		}
		kt_array_free(&spec.smoke);
		spec.smoke = tmp.args;
		kt_array_init(&tmp.args, sizeof(char *));
		initramfs_spec_release(&tmp);
	}
	if (!po.init_path)
		po.init_path = kt_cli_guest_path("ktrim-init");
	if (access(po.init_path, R_OK) != 0) {
		kt_err("init binary %s not found (build it with `make`, or "
		       "pass --init)", po.init_path);
		goto out;
	}
	if (early_dir) {
		early = initramfs_archive_new();
		if (!early)
			goto out;
		r = initramfs_archive_add_tree(early, "", early_dir, &err);
		if (r < 0) {
			kt_err("%s", err.buf);
			goto out;
		}
		wo.early = early;
	}
	po.modules = (const char *const *)mods.items;
	po.n_modules = mods.len;
	po.spec = &spec;
	po.write = wo;
	po.extra_list = file_list;
	r = initramfs_pack(&po, &err);
	if (r < 0) {
		kt_err("%s", err.len ? err.buf : strerror(-r));
		goto out;
	}
	status = 0;
out:
	kt_array_free_ptrs(&mods);
	kt_array_free(&recipes);
	kconf_recipe_set_release(&rs);
	kprof_project_release(&project);
	free(project_rootfs);
	kt_str_free(&rdir);
	initramfs_archive_free(early);
	initramfs_spec_release(&spec);
	kt_str_free(&err);
	return status;
#undef USAGE
}

const struct kt_cmd kt_cmd_initramfs = {
	.name = "initramfs",
	.summary = "pack a reproducible zstd initramfs with the ktrim init",
	.usage =
"usage: ktrim initramfs [OPTIONS] -o OUT\n"
"       ktrim initramfs --list FILE\n"
"\n"
"Pack an initramfs: the static ktrim init at /init, the module closure of\n"
"the requested modules (libkmod: aliases, modules.dep, softdeps; built-ins\n"
"skipped; vermagic checked) in load order, the workload rootfs at /rootfs\n"
"and the container spec at /etc/ktrim/spec. Same inputs give the same\n"
"bytes (sorted entries, owners 0:0, mtime $SOURCE_DATE_EPOCH or 0).\n"
"\n"
"Inputs:\n"
"  --project ktrim.yaml    the workload of a project file: rootfs, command,\n"
"                          env, user, ready condition, smoke test (options\n"
"                          after it override)\n"
"  --recipe R             add the `module:` requirements of a recipe (a\n"
"                          path, or a name such as kvm-q35) and its includes\n"
"  --recipes-dir DIR       where recipe names and includes resolve\n"
"                          (default: the installed recipes/)\n"
"  --profile P.yaml        add the modules the profile saw; its command\n"
"                          is the default workload command\n"
"  --modules-dir DIR       module tree (/lib/modules/VER, depmod'ed)\n"
"  --kernel-release VER    vermagic to require (default: DIR's name)\n"
"  --module NAME           module name or alias (repeatable)\n"
"  --keep-compressed-modules  store .ko.xz/.ko.zst as they are (the kernel\n"
"                          then needs CONFIG_MODULE_DECOMPRESS)\n"
"  --rootfs DIR            workload root filesystem, copied to /rootfs\n"
"  --file-list FILE        extra entries, gen_init_cpio list format\n"
"  --init PATH             init binary (default: the built ktrim-init)\n"
"\n"
"Workload spec (read by the init):\n"
"  --cmd 'PROGRAM ARGS'    command (shell-like quoting); default: the\n"
"                          rootfs's /sbin/init, else /bin/sh\n"
"  --env NAME=VALUE        environment (repeatable)\n"
"  --cwd DIR               working directory (default /)\n"
"  --user UID[:GID]        run as this user (default 0:0)\n"
"  --hostname NAME         guest hostname (default ktrim)\n"
"  --namespaces LIST       unshare these: mnt,uts,ipc,pid,net,cgroup,time\n"
"  --cgroup FILE=VALUE     cgroup v2 limit, e.g. memory.max=64M (repeatable)\n"
"  --readonly              mount the workload root read-only\n"
"  --root-dev DEV:FSTYPE   root on a block device instead of /rootfs\n"
"  --ready-stdout GLOB     ready when a stdout line matches GLOB\n"
"  --ready-tcp PORT        ready when 127.0.0.1:PORT accepts\n"
"  --timeout SECONDS       stop the workload (SIGTERM) after this long\n"
"  --stop-grace SECONDS    SIGTERM to SIGKILL delay (default 10)\n"
"  --smoke 'PROGRAM ARGS'  once ready, run this in the workload's\n"
"                          namespaces; report smoke-done, then stop it\n"
"  --smoke-timeout SECONDS kill the smoke test after this (default 30)\n"
"\n"
"Output:\n"
"  -o, --output OUT        image file (written atomically)\n"
"  --compress none|zstd    default zstd (checksummed)\n"
"  --level N               zstd level 1..22 (default 3; 19 packs ~15%%\n"
"                          smaller, ~20x slower)\n"
"  --threads N             zstd worker threads (default 0: single)\n"
"  --long                  zstd long-distance matching\n"
"  --early-dir DIR         uncompressed first segment from DIR (e.g.\n"
"                          kernel/x86/microcode/...)\n"
"  --list FILE             list an image (plain, zstd, multi-segment)\n"
"                          like `cpio -tv`, times in UTC\n",
	.run = cmd_initramfs_run,
};

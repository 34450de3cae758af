// SPDX-License-Identifier: GPL-2.0-only
/* `ktrim initramfs`: options for pipeline_initramfs(), or list an image. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/common.h"
#include "pipeline/pipeline.h"

extern const struct cli_cmd cli_cmd_initramfs;

/* Options handled here; every other long option is a spec or write option by name. */
enum {
	OPT_SPEC = 256, OPT_WRITE, OPT_LIST, OPT_PROJECT, OPT_RECIPE, OPT_RECIPES_DIR,
	OPT_PROFILE, OPT_MODDIR, OPT_KREL, OPT_MODULE, OPT_KEEPCOMP, OPT_KEEPSUID, OPT_ROOTFS,
	OPT_FILELIST, OPT_INIT, OPT_EARLY, OPT_OVERLAY,
};

static const struct option opts[] = {
	{ "list", required_argument, NULL, OPT_LIST },
	{ "project", required_argument, NULL, OPT_PROJECT },
	{ "recipe", required_argument, NULL, OPT_RECIPE },
	{ "recipes-dir", required_argument, NULL, OPT_RECIPES_DIR },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "modules-dir", required_argument, NULL, OPT_MODDIR },
	{ "kernel-release", required_argument, NULL, OPT_KREL },
	{ "module", required_argument, NULL, OPT_MODULE },
	{ "keep-compressed-modules", no_argument, NULL, OPT_KEEPCOMP },
	{ "keep-setuid", no_argument, NULL, OPT_KEEPSUID },
	{ "rootfs", required_argument, NULL, OPT_ROOTFS },
	{ "file-list", required_argument, NULL, OPT_FILELIST },
	{ "init", required_argument, NULL, OPT_INIT },
	{ "early-dir", required_argument, NULL, OPT_EARLY },
	{ "overlay", no_argument, NULL, OPT_OVERLAY },
	{ "cmd", required_argument, NULL, OPT_SPEC },
	{ "env", required_argument, NULL, OPT_SPEC },
	{ "cwd", required_argument, NULL, OPT_SPEC },
	{ "user", required_argument, NULL, OPT_SPEC },
	{ "hostname", required_argument, NULL, OPT_SPEC },
	{ "namespaces", required_argument, NULL, OPT_SPEC },
	{ "cgroup", required_argument, NULL, OPT_SPEC },
	{ "readonly", no_argument, NULL, OPT_SPEC },
	{ "root-dev", required_argument, NULL, OPT_SPEC },
	{ "ready-stdout", required_argument, NULL, OPT_SPEC },
	{ "ready-tcp", required_argument, NULL, OPT_SPEC },
	{ "ready-timeout", required_argument, NULL, OPT_SPEC },
	{ "timeout", required_argument, NULL, OPT_SPEC },
	{ "stop-grace", required_argument, NULL, OPT_SPEC },
	{ "restart", required_argument, NULL, OPT_SPEC },
	{ "smoke", required_argument, NULL, OPT_SPEC },
	{ "smoke-timeout", required_argument, NULL, OPT_SPEC },
	{ "ipv4", required_argument, NULL, OPT_SPEC },
	{ "ipv6", required_argument, NULL, OPT_SPEC },
	{ "dhcp", no_argument, NULL, OPT_SPEC },
	{ "cap-add", required_argument, NULL, OPT_SPEC },
	{ "cap-drop", required_argument, NULL, OPT_SPEC },
	{ "device", required_argument, NULL, OPT_SPEC },
	{ "privileged", no_argument, NULL, OPT_SPEC },
	{ "rlimit", required_argument, NULL, OPT_SPEC },
	{ "compress", required_argument, NULL, OPT_WRITE },
	{ "level", required_argument, NULL, OPT_WRITE },
	{ "threads", required_argument, NULL, OPT_WRITE },
	{ "long", no_argument, NULL, OPT_WRITE },
	{ "output", required_argument, NULL, 'o' },
	{ NULL, 0, NULL, 0 },
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

static int list_image(const char *path, struct kt_str *err)
{
	struct kt_str line = KT_STR_INIT;
	int r = initramfs_read_file(path, list_one, &line, err);

	kt_str_free(&line);
	return r;
}

static int run(int argc, char **argv)
{
	struct pipeline_initramfs_opts o = { .write = INITRAMFS_WRITE_OPTS_INIT };
	struct initramfs_spec spec;
	struct kprof_project project;
	struct kt_array mods = KT_ARRAY_INIT(char *), recipes = KT_ARRAY_INIT(char *);
	struct kt_str err = KT_STR_INIT;
	const char *list = NULL, *ktrim_init_opt = NULL;	/* an option only ktrim-init reads */
	const char *profile = NULL;
	bool overlay = false;
	int c, idx, r = 0, status = 1;

	initramfs_spec_init(&spec);
	kprof_project_init(&project);
	while (r == 0 && (c = getopt_long(argc, argv, "o:", opts, &idx)) != -1) {
		switch (c) {
		case OPT_SPEC:
			r = initramfs_spec_set_option(&spec, opts[idx].name, optarg, &err);
			ktrim_init_opt = opts[idx].name;
			break;
		case OPT_WRITE:
			r = initramfs_write_opts_set(&o.write, opts[idx].name, optarg, &err);
			break;
		case OPT_LIST: list = optarg; break;
		case OPT_PROJECT:
			r = pipeline_project_spec(optarg, &project, &spec, &err);
			o.project = &project;
			o.keep_setuid |= project.keep_setuid;
			break;
		case OPT_RECIPE: r = kt_array_push_ptr(&recipes, optarg); break;
		case OPT_RECIPES_DIR: o.recipes_dir = optarg; break;
		case OPT_PROFILE:
			r = pipeline_profile_modules(optarg, &mods, &spec, &err);
			profile = optarg;
			break;
		case OPT_MODDIR: o.moddir = optarg; break;
		case OPT_KREL: o.kernel_release = optarg; break;
		case OPT_MODULE: r = kt_array_push_strdup(&mods, optarg); break;
		case OPT_KEEPCOMP: o.keep_compressed_modules = true; break;
		case OPT_KEEPSUID: o.keep_setuid = true; break;
		case OPT_ROOTFS: o.rootfs_dir = optarg; break;
		case OPT_FILELIST: o.file_list = optarg; break;
		case OPT_INIT: o.init_path = optarg; ktrim_init_opt = "init"; break;
		case OPT_EARLY: o.early_dir = optarg; break;
		case OPT_OVERLAY: overlay = true; break;
		case 'o': o.output = optarg; break;
		default:
			status = cli_usage_error(&cli_cmd_initramfs, "unknown option");
			goto out;
		}
	}
	if (r == -EINVAL && (c == OPT_SPEC || c == OPT_WRITE)) {
		status = cli_usage_error(&cli_cmd_initramfs, "--%s", kt_str_cstr(&err));
		goto out;
	}
	if (r == 0 && optind < argc) {
		status = cli_usage_error(&cli_cmd_initramfs, "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (r == 0 && o.project && project.init_external && ktrim_init_opt) {
		status = cli_usage_error(&cli_cmd_initramfs, "--%s: %s:%u names an external init, "
					 "which reads no ktrim spec", ktrim_init_opt, project.file,
					 project.init_line);
		goto out;
	}
	if (r == 0 && overlay && !o.project) {
		status = cli_usage_error(&cli_cmd_initramfs, "--overlay needs --project");
		goto out;
	}
	if (r == 0 && !list && !o.output) {
		status = cli_usage_error(&cli_cmd_initramfs, "-o OUT is required");
		goto out;
	}
	if (!o.recipes_dir)
		o.recipes_dir = pipeline_recipes_dir();
	o.recipes = (const char *const *)recipes.items;
	o.nrecipes = recipes.len;
	o.modules = (const char *const *)mods.items;
	o.nmodules = mods.len;
	o.spec = &spec;
	if (!o.init_path)
		o.init_path = pipeline_guest_path("ktrim-init", project.arch);	/* NULL: no project */
	if (r == 0 && o.project && !project.init_external && !list && !overlay)
		r = pipeline_project_seccomp(&project, profile, NULL, &spec, &err);
	if (r == 0)
		r = list ? list_image(list, &err) :
		    overlay ? pipeline_overlay(o.project, false, o.output, &err) :
		    pipeline_initramfs(&o, &err);
	if (r < 0)
		kt_err("%s", err.len ? err.buf : strerror(-r));
	status = r < 0 ? 1 : 0;
out:
	kt_array_free_ptrs(&mods);
	kt_array_free(&recipes);
	kprof_project_release(&project);
	initramfs_spec_release(&spec);
	kt_str_free(&err);
	return status;
}

const struct cli_cmd cli_cmd_initramfs = {
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
"                          env, user, ready condition, restart policy (no\n"
"                          smoke test: that is the overlay's; options after\n"
"                          it override)\n"
"  --overlay               with --project: write the project's certification\n"
"                          overlay instead (a plain cpio segment with its\n"
"                          smoke test; appended to the image after zero\n"
"                          padding to 4 bytes, the init runs the test, then\n"
"                          stops the workload and powers off)\n"
"  --recipe R             add the `module:` requirements of a recipe (a\n"
"                          path, or a name such as kvm-q35) and its includes\n"
"  --recipes-dir DIR       where recipe names and includes resolve\n"
"                          (default: the installed recipes/)\n"
"  --profile P.yaml        add the modules the profile saw; its command\n"
"                          is the default workload command; with --project\n"
"                          and seccomp: from-profile, its syscalls are the\n"
"                          filter's allowlist\n"
"  --modules-dir DIR       module tree (/lib/modules/VER, depmod'ed)\n"
"  --kernel-release VER    vermagic to require (default: DIR's name)\n"
"  --module NAME           module name or alias (repeatable)\n"
"  --keep-compressed-modules  store .ko.xz/.ko.zst as they are (the kernel\n"
"                          then needs CONFIG_MODULE_DECOMPRESS)\n"
"  --rootfs DIR            workload root filesystem, copied to /rootfs\n"
"                          (owned by root; a setuid/setgid bit of a file\n"
"                          whose owner/group is not root is cleared)\n"
"  --keep-setuid           keep those bits (each file named in a warning)\n"
"  --file-list FILE        extra entries, gen_init_cpio list format\n"
"  --init PATH             init binary (default: the built ktrim-init)\n"
"                          A project with init: {external: DIR} packs DIR at /\n"
"                          instead, with the module closure (and its\n"
"                          /lib/modules/VER/modules.load-order): no ktrim-init,\n"
"                          spec, rootfs or overlay, so no spec option applies\n"
"\n"
"Workload spec (read by the init):\n"
"  --cmd 'PROGRAM ARGS'    command (shell-like quoting); default: the\n"
"                          rootfs's /sbin/init, else /bin/sh\n"
"  --env NAME=VALUE        environment (repeatable)\n"
"  --cwd DIR               working directory (default /)\n"
"  --user UID[:GID]        run as this user (default 0:0); or USER[:GROUP]\n"
"                          by name, from the rootfs's /etc/passwd and group\n"
"  --hostname NAME         guest hostname (default ktrim)\n"
"  --namespaces LIST       unshare these: mnt,uts,ipc,pid,net,cgroup,time\n"
"  --cgroup FILE=VALUE     cgroup v2 limit, e.g. memory.max=64M (repeatable)\n"
"  --readonly              mount the workload root read-only\n"
"  --root-dev DEV:FSTYPE   root on a block device instead of /rootfs\n"
"  --ready-stdout GLOB     ready when a stdout line matches GLOB\n"
"  --ready-tcp PORT        ready when 127.0.0.1:PORT accepts\n"
"  --ready-timeout SECONDS not ready by then: stop the workload\n"
"  --timeout SECONDS       stop the workload (SIGTERM) after this long\n"
"  --stop-grace SECONDS    SIGTERM to SIGKILL delay (default 10)\n"
"  --restart POLICY        when the workload ends: no (default, power off),\n"
"                          on-failure[:N] (again while it fails, N times\n"
"                          at most) or always (until a stop request)\n"
"  --smoke 'PROGRAM ARGS'  once ready, run this in the workload's\n"
"                          namespaces; report smoke-done, then stop it\n"
"  --smoke-timeout SECONDS kill the smoke test after this (default 30)\n"
"  --ipv4 ADDR/PREFIX[,GW] eth0's IPv4 address (default: QEMU user\n"
"                          networking's 10.0.2.15/24 via 10.0.2.2)\n"
"  --ipv6 ADDR/PREFIX[,GW] eth0's IPv6 address\n"
"  --dhcp                  IPv4 from the kernel's autoconfiguration\n"
"                          (CONFIG_IP_PNP_DHCP, ip=dhcp on the command line)\n"
"                          ip= or ktrim.ip= on the command line win over these\n"
"  --cap-add LIST          capabilities on top of Docker's default 14\n"
"                          (NET_ADMIN,SYS_TIME; CAP_ optional; ALL)\n"
"  --cap-drop LIST         capabilities taken away (ALL: only --cap-add's)\n"
"  --device /dev/PATH      pass this VM device node into the container's\n"
"                          minimal /dev (repeatable)\n"
"  --privileged            none of the security defaults: all capabilities,\n"
"                          no no_new_privs, the VM's /dev, /sys read-write,\n"
"                          no masked or read-only paths\n"
"  --rlimit NAME=SOFT[:HARD]  a resource limit, as Docker's --ulimit (nofile,\n"
"                          nproc, core, ...; numbers or unlimited; repeatable)\n"
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
	.run = run,
};

// SPDX-License-Identifier: GPL-2.0-only
/*
 * `ktrim build`: from a profile to certified artefacts, per target:
 * config -> kernel (the kernel's own make) -> modules -> initramfs ->
 * certificate -> SHA256SUMS, all under OUTDIR/TARGET/.
 *
 * A target may be a union, "kvm-q35+hyperv-gen2": one kernel configured
 * for every member recipe, certified once per member.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/certify.h"
#include "cli/cli.h"
#include "common/common.h"
#include "initramfs/initramfs.h"
#include "cli/kbuild.h"
#include "kconfig-trim/kconfig.h"
#include "profiler/profiler.h"
#include "cli/workload.h"

extern const struct kt_cmd kt_cmd_build;
extern const struct kt_cmd kt_cmd_config;

enum {
	OPT_PROFILE = 256, OPT_TARGET, OPT_KSRC, OPT_NO_CERTIFY, OPT_NO_BISECT,
	OPT_REBUILD, OPT_MEMORY,
};

struct build {
	struct kprof_project pr;
	const char *profile;
	const char *outdir;
	const char *ksrc;
	unsigned jobs;
	unsigned memory_mb;
	bool certify;
	bool bisect;
	bool rebuild;
	char *rootfs;		/* the workload's rootfs as a directory */
};

/* Target recipe names of a union "a+b" (modifies @spec in place). */
static size_t split_union(char *spec, char **names, size_t max)
{
	size_t n = 0;

	for (char *save = NULL, *t = strtok_r(spec, "+", &save); t && n < max;
	     t = strtok_r(NULL, "+", &save))
		names[n++] = t;
	return n;
}

static const char *boot_format(const char *datadir, const char *target,
			       char *buf, size_t len)
{
	struct kconf_recipe_set s;
	struct kt_str dir = KT_STR_INIT, err = KT_STR_INIT;
	const char *v = NULL;

	kconf_recipe_set_init(&s);
	kt_str_printf(&dir, "%s/recipes", datadir);
	if (kconf_recipe_set_load(&s, dir.buf, target, &err) < 0)
		kt_err("%s", kt_str_cstr(&err));
	else if ((v = kt_target_boot_key(&s, "kernel-format")))
		v = snprintf(buf, len, "%s", v) < (int)len ? buf : NULL;
	if (!v && !err.len)
		kt_err("recipe %s has no boot: kernel-format", target);
	kconf_recipe_set_release(&s);
	kt_str_free(&dir);
	kt_str_free(&err);
	return v;
}

/* `ktrim config` through the dispatch table, as a user would run it. */
static int run_config(struct build *b, char **targets, size_t ntargets,
		      const char *config, const char *report)
{
	const char *argv[32];
	int argc = 0;

	argv[argc++] = "config";
	argv[argc++] = "--ksrc";
	argv[argc++] = b->ksrc;
	if (access(b->profile, R_OK) == 0) {
		argv[argc++] = "--profile";
		argv[argc++] = b->profile;
	} else {
		kt_warn("no profile %s: trimming for the recipes alone", b->profile);
	}
	for (size_t i = 0; i < ntargets && argc < 26; i++) {
		argv[argc++] = "--recipe";
		argv[argc++] = targets[i];
	}
	argv[argc++] = "-o";
	argv[argc++] = config;
	argv[argc++] = "--report";
	argv[argc++] = report;
	argv[argc] = NULL;
	optind = 0;
	return kt_cmd_config.run(argc, (char **)argv) == 0 ? 0 : -EINVAL;
}

static bool config_has(const char *config, const char *line)
{
	size_t n = strlen(line);
	char *text = NULL;
	bool found = false;

	if (kt_read_file(config, &text, NULL) < 0)
		return false;
	for (const char *p = text; *p && !found;) {
		const char *eol = strchrnul(p, '\n');

		found = (size_t)(eol - p) == n && !memcmp(p, line, n);
		p = *eol ? eol + 1 : eol;
	}
	free(text);
	return found;
}

/* Modules the profile saw that this kernel builds as modules. */
static int profile_modules(const char *profile, struct kt_array *names)
{
	struct kprof_profile p;
	struct kt_str err = KT_STR_INIT;
	int r;

	kprof_profile_init(&p);
	r = kprof_profile_load(profile, &p, &err);
	if (r < 0) {
		kt_err("%s", kt_str_cstr(&err));
		goto out;
	}
	for (size_t i = 0; i < p.facts[KPROF_MODULES].n && r == 0; i++)
		r = kt_array_push_strdup(names, p.facts[KPROF_MODULES].items[i].name);
out:
	kprof_profile_release(&p);
	kt_str_free(&err);
	return r;
}

static int pack_initramfs(struct build *b, const char *moddir,
			  const char *output)
{
	struct initramfs_pack_opts po = { 0 };
	struct initramfs_spec spec;
	struct kt_array mods = KT_ARRAY_INIT(char *);
	struct kt_str err = KT_STR_INIT;
	int r;

	initramfs_spec_init(&spec);
	r = kt_workload_spec(&b->pr, &spec);
	if (r == 0 && moddir && access(b->profile, R_OK) == 0)
		r = profile_modules(b->profile, &mods);
	if (r < 0)
		goto out;
	po.init_path = kt_cli_guest_path("ktrim-init");
	po.rootfs_dir = b->rootfs;
	po.moddir = moddir;
	po.modules = (const char *const *)mods.items;
	po.n_modules = mods.len;
	po.spec = &spec;
	po.write = (struct initramfs_write_opts)INITRAMFS_WRITE_OPTS_INIT;
	po.output = output;
	r = initramfs_pack(&po, &err);
	if (r < 0)
		kt_err("initramfs: %s", err.len ? err.buf : strerror(-r));
out:
	initramfs_spec_release(&spec);
	kt_array_free_ptrs(&mods);
	kt_str_free(&err);
	return r;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* SHA256SUMS of the shipped files, in `sha256sum -c` format, sorted. */
static int write_sums(const char *dir, const char *const *files, size_t n)
{
	struct kt_array names = KT_ARRAY_INIT(char *);
	struct kt_str text = KT_STR_INIT, path = KT_STR_INIT;
	char hex[65];
	int r = 0;

	for (size_t i = 0; i < n; i++) {
		kt_str_reset(&path);
		kt_str_printf(&path, "%s/%s", dir, files[i]);
		if (access(path.buf, R_OK) == 0 && (r = kt_array_push_strdup(&names, files[i])) < 0)
			goto out;
	}
	kt_array_sort(&names, name_cmp);
	for (size_t i = 0; i < names.len; i++) {
		kt_str_reset(&path);
		kt_str_printf(&path, "%s/%s", dir, (char *)kt_array_ptr(&names, i));
		r = kt_sha256_file(path.buf, hex);
		if (r < 0)
			goto out;
		kt_str_printf(&text, "%s  %s\n", hex, (char *)kt_array_ptr(&names, i));
	}
	kt_str_reset(&path);
	kt_str_printf(&path, "%s/SHA256SUMS", dir);
	r = kt_atomic_write_buf(path.buf, 0644, text.buf, text.len);
out:
	kt_array_free_ptrs(&names);
	kt_str_free(&text);
	kt_str_free(&path);
	return r;
}

static int build_target(struct build *b, const char *target)
{
	char spec_buf[256], fmt_buf[32], *names[8], *release = NULL;
	const char *format, *kernel_name, *initrd_name, *goal;
	struct kt_str out = KT_STR_INIT, bdir = KT_STR_INIT, config = KT_STR_INIT,
		      report = KT_STR_INIT, log = KT_STR_INIT, kernel = KT_STR_INIT,
		      initrd = KT_STR_INIT, built = KT_STR_INIT, moddir = KT_STR_INIT,
		      cert = KT_STR_INIT, scratch = KT_STR_INIT;
	const char *goals[2];
	size_t ngoals = 0, ntargets;
	bool modules, rebuilt;
	int r, failed = 0;

	snprintf(spec_buf, sizeof(spec_buf), "%s", target);
	ntargets = split_union(spec_buf, names, KT_ARRAY_SIZE(names));
	if (!ntargets)
		return -EINVAL;
	/* The first member decides the kernel's format. */
	format = boot_format(kt_cli_datadir(), names[0], fmt_buf, sizeof(fmt_buf));
	if (!format)
		return -EINVAL;
	kt_str_printf(&out, "%s/%s", b->outdir, target);
	kt_str_printf(&bdir, "%s/.build/%s", b->outdir, target);
	kt_str_printf(&config, "%s/.config", out.buf);
	kt_str_printf(&report, "%s/trim-report.yaml", out.buf);
	kt_str_printf(&log, "%s/kernel-build.log", out.buf);
	r = kt_mkdir_p(out.buf, 0755);
	if (r < 0) {
		kt_err("cannot create %s: %s", out.buf, strerror(-r));
		goto out;
	}

	kt_progress("%s: config (profile %s)", target, b->profile);
	r = run_config(b, names, ntargets, config.buf, report.buf);
	if (r < 0)
		goto out;

	modules = config_has(config.buf, "CONFIG_MODULES=y");
	goal = !strcmp(format, "vmlinux") ? "vmlinux" : "bzImage";
	goals[ngoals++] = goal;
	if (modules)
		goals[ngoals++] = "modules";
	kt_progress("%s: kernel %s (log: %s)", target, goal, log.buf);
	r = kt_kbuild_run(&(struct kt_kbuild){
				  .ksrc = b->ksrc, .build_dir = bdir.buf,
				  .config = config.buf, .log_path = log.buf,
				  .targets = goals, .ntargets = ngoals,
				  .jobs = b->jobs, .force = b->rebuild,
			  }, &rebuilt);
	if (r < 0)
		goto out;

	kernel_name = !strcmp(format, "vmlinux") ? "vmlinux" :
		      !strcmp(format, "efi") ? "bzImage.efi" :
		      !strcmp(format, "lcow") ? "kernel" : "bzImage";
	initrd_name = !strcmp(format, "lcow") ? "initrd.img" : "initramfs.cpio.zst";
	kt_str_printf(&built, "%s/%s", bdir.buf,
		      !strcmp(goal, "vmlinux") ? "vmlinux" : "arch/x86/boot/bzImage");
	kt_str_printf(&kernel, "%s/%s", out.buf, kernel_name);
	kt_str_printf(&initrd, "%s/%s", out.buf, initrd_name);
	r = kt_copy_file(built.buf, kernel.buf, 0644);
	if (r < 0) {
		kt_err("cannot copy %s to %s: %s", built.buf, kernel.buf, strerror(-r));
		goto out;
	}

	if (modules) {
		struct kt_kbuild kb = { .ksrc = b->ksrc, .build_dir = bdir.buf,
					.log_path = log.buf, .jobs = b->jobs };
		struct kt_str staging = KT_STR_INIT;
		const char *install[3] = { "INSTALL_MOD_STRIP=1", NULL, "modules_install" };

		kt_str_printf(&staging, "INSTALL_MOD_PATH=%s/staging", bdir.buf);
		install[1] = staging.buf;
		kt_progress("%s: modules_install into %s/staging", target, bdir.buf);
		r = kt_kbuild_make(&kb, install, KT_ARRAY_SIZE(install));
		kt_str_free(&staging);
		if (r == 0)
			r = kt_kbuild_release(bdir.buf, &release);
		if (r < 0)
			goto out;
		kt_str_printf(&moddir, "%s/staging/lib/modules/%s", bdir.buf, release);
	}

	kt_progress("%s: initramfs %s", target, initrd.buf);
	r = pack_initramfs(b, modules ? moddir.buf : NULL, initrd.buf);
	if (r < 0)
		goto out;

	for (size_t i = 0; i < ntargets && b->certify; i++) {
		struct kt_certify_opts co;

		kt_str_reset(&cert);
		if (ntargets == 1)
			kt_str_printf(&cert, "%s/certificate.yaml", out.buf);
		else
			kt_str_printf(&cert, "%s/certificate-%s.yaml", out.buf, names[i]);
		kt_certify_opts_init(&co);
		co.kernel = kernel.buf;
		co.initramfs = initrd.buf;
		co.target = names[i];
		co.config = config.buf;
		co.datadir = kt_cli_datadir();
		co.bisect = b->bisect;
		if (b->memory_mb)
			co.memory_mb = b->memory_mb;
		kt_progress("%s: certify for %s", target, names[i]);
		r = kt_certify(&co, cert.buf);
		if (r < 0)
			goto out;
		failed += r;
	}

	{
		/* A union target has one certificate per member. */
		const char *shipped[4 + KT_ARRAY_SIZE(names)] = {
			kernel_name, initrd_name, ".config", "trim-report.yaml",
		};
		char certs[KT_ARRAY_SIZE(names)][96];
		size_t n = 4;

		for (size_t i = 0; i < ntargets; i++, n++) {
			if (ntargets == 1)
				snprintf(certs[i], sizeof(certs[i]), "certificate.yaml");
			else
				snprintf(certs[i], sizeof(certs[i]), "certificate-%s.yaml",
					 names[i]);
			shipped[n] = certs[i];
		}
		r = write_sums(out.buf, shipped, n);
		if (r < 0)
			goto out;
	}
	kt_progress("%s: done in %s%s", target, out.buf,
		    failed ? " (certificate has failed checks)" : "");
	r = failed ? -EPROTO : 0;
out:
	free(release);
	kt_str_free(&out);
	kt_str_free(&bdir);
	kt_str_free(&config);
	kt_str_free(&report);
	kt_str_free(&log);
	kt_str_free(&kernel);
	kt_str_free(&initrd);
	kt_str_free(&built);
	kt_str_free(&moddir);
	kt_str_free(&cert);
	kt_str_free(&scratch);
	return r;
}

static int build_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "profile", required_argument, NULL, OPT_PROFILE },
		{ "output", required_argument, NULL, 'o' },
		{ "target", required_argument, NULL, OPT_TARGET },
		{ "ksrc", required_argument, NULL, OPT_KSRC },
		{ "jobs", required_argument, NULL, 'j' },
		{ "memory", required_argument, NULL, OPT_MEMORY },
		{ "no-certify", no_argument, NULL, OPT_NO_CERTIFY },
		{ "no-bisect", no_argument, NULL, OPT_NO_BISECT },
		{ "rebuild", no_argument, NULL, OPT_REBUILD },
		{ NULL, 0, NULL, 0 },
	};
	struct build b = { .profile = "ktrim.profile.yaml", .outdir = "ktrim-out",
			   .certify = true, .bisect = true };
	struct kt_array targets = KT_ARRAY_INIT(char *);
	struct kt_str err = KT_STR_INIT, scratch = KT_STR_INIT;
	const char *project = "ktrim.yaml";
	char *outdir_abs = NULL;
	unsigned long v;
	int c, r, status = 1, failed = 0;

	kprof_project_init(&b.pr);
	while ((c = getopt_long(argc, argv, "f:o:j:", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			project = optarg;
			break;
		case OPT_PROFILE:
			b.profile = optarg;
			break;
		case 'o':
			b.outdir = optarg;
			break;
		case OPT_TARGET:
			kt_array_push_ptr(&targets, optarg);
			break;
		case OPT_KSRC:
			b.ksrc = optarg;
			break;
		case 'j':
			if (kt_parse_ulong(optarg, 1024, &v) < 0 || !v) {
				status = kt_cmd_usage_error(&kt_cmd_build, "bad -j '%s'", optarg);
				goto out;
			}
			b.jobs = (unsigned)v;
			break;
		case OPT_MEMORY:
			if (kt_parse_ulong(optarg, 1ul << 20, &v) < 0 || v < 8) {
				status = kt_cmd_usage_error(&kt_cmd_build, "bad --memory '%s'",
							    optarg);
				goto out;
			}
			b.memory_mb = (unsigned)v;
			break;
		case OPT_NO_CERTIFY:
			b.certify = false;
			break;
		case OPT_NO_BISECT:
			b.bisect = false;
			break;
		case OPT_REBUILD:
			b.rebuild = true;
			break;
		default:
			status = kt_cmd_usage_error(&kt_cmd_build, "unknown option");
			goto out;
		}
	}
	if (optind < argc) {
		status = kt_cmd_usage_error(&kt_cmd_build, "unexpected argument '%s'",
					    argv[optind]);
		goto out;
	}
	r = kprof_project_load(project, &b.pr, &err);
	if (r < 0) {
		kt_err("%s", err.len ? err.buf : strerror(-r));
		goto out;
	}
	if (!b.ksrc && kprof_project_kernel_source(&b.pr, &b.ksrc, &err) < 0) {
		kt_err("%s", kt_str_cstr(&err));
		goto out;
	}
	if (!b.ksrc) {
		kt_err("%s names no kernel source and --ksrc was not given", project);
		goto out;
	}
	if (!targets.len)
		for (size_t i = 0; i < b.pr.targets.len; i++)
			kt_array_push_ptr(&targets, kt_array_ptr(&b.pr.targets, i));
	if (!targets.len) {
		kt_err("no targets: name them in %s or with --target", project);
		goto out;
	}
	r = kt_mkdir_p(b.outdir, 0755);
	/*
	 * The kernel's make runs in the source tree (-C), where a relative O=
	 * would land; every path handed to it must be absolute.
	 */
	if (r == 0 && !(outdir_abs = realpath(b.outdir, NULL)))
		r = -errno;
	if (r == 0) {
		b.outdir = outdir_abs;
		kt_str_printf(&scratch, "%s/.build/rootfs", b.outdir);
		r = kprof_project_rootfs_dir(&b.pr, scratch.buf, &b.rootfs, &err);
	}
	if (r < 0) {
		kt_err("%s", err.len ? err.buf : strerror(-r));
		goto out;
	}
	for (size_t i = 0; i < targets.len; i++) {
		r = build_target(&b, kt_array_ptr(&targets, i));
		if (r == -EPROTO)
			failed++;
		else if (r < 0)
			goto out;
	}
	status = failed ? 1 : 0;
out:
	kprof_project_release(&b.pr);
	kt_array_free(&targets);
	kt_str_free(&err);
	kt_str_free(&scratch);
	free(b.rootfs);
	free(outdir_abs);
	return status;
}

const struct kt_cmd kt_cmd_build = {
	.name = "build",
	.summary = "config, kernel, initramfs and certificate for each target",
	.usage =
	"usage: ktrim build [-f ktrim.yaml] [--profile ktrim.profile.yaml] [-o OUTDIR]\n"
	"                   [--target NAME]... [--ksrc DIR] [-j N] [--memory MB]\n"
	"                   [--no-certify] [--no-bisect] [--rebuild]\n"
	"\n"
	"For each target of the project (or each --target), in OUTDIR/TARGET/:\n"
	"  1. .config and trim-report.yaml: `ktrim config` from the profile and the\n"
	"     target recipe (which includes the container base and hardening floor);\n"
	"  2. the kernel, built out of tree with the kernel's own make in\n"
	"     OUTDIR/.build/TARGET (ccache when installed; CC and HOSTCC pass\n"
	"     through); skipped when neither the config nor the source changed;\n"
	"  3. modules_install into a staging tree when the config has modules;\n"
	"  4. the initramfs with the ktrim init, the profile's module closure and\n"
	"     the workload;\n"
	"  5. certificate.yaml from `ktrim certify`, and SHA256SUMS.\n"
	"Kernel files: bzImage (q35, Hyper-V gen1), vmlinux (microvm, PVH),\n"
	"bzImage.efi (Hyper-V gen2), kernel + initrd.img (LCOW).\n"
	"A target \"a+b\" builds one kernel for both recipes and certifies each.\n"
	"\n"
	"  -j N          make jobs (default: the CPU count)\n"
	"  --memory MB   memory for the certification boot (default 256)\n"
	"  --rebuild     build the kernel even when nothing changed\n"
	"\n"
	"Exit status: 0 when every target built and certified, 1 otherwise.\n",
	.run = build_run,
};

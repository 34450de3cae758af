// SPDX-License-Identifier: GPL-2.0-only
/*
 * The build stage: from a profile to certified artefacts, per target:
 * config -> kernel (the kernel's own make) -> modules -> initramfs ->
 * certificate -> SHA256SUMS, all under OUTDIR/TARGET/.
 *
 * A target may be a union, "kvm-q35+hyperv-gen2": one kernel configured
 * for every member recipe, certified once per member. The first member
 * decides the kernel's format.
 */
#include <errno.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pipeline/pipeline.h"

#define MAX_MEMBERS 8

struct build {
	const struct pipeline_build_opts *o;
	struct kprof_project pr;
	const char *ksrc;
	const char *outdir;	/* absolute */
	char *rootfs;		/* the workload's rootfs as a directory */
};

/* The paths of one target's build, all under OUTDIR. */
struct build_paths {
	struct kt_str out, bdir, config, report, log, kernel, initrd, built, moddir;
};

static void paths_release(struct build_paths *p)
{
	kt_str_free(&p->out);
	kt_str_free(&p->bdir);
	kt_str_free(&p->config);
	kt_str_free(&p->report);
	kt_str_free(&p->log);
	kt_str_free(&p->kernel);
	kt_str_free(&p->initrd);
	kt_str_free(&p->built);
	kt_str_free(&p->moddir);
}

/* The first allocation failure among the paths (kt_str's sticky error). */
static int paths_error(const struct build_paths *p)
{
	const struct kt_str *all[] = {
		&p->out, &p->bdir, &p->config, &p->report, &p->log, &p->kernel, &p->initrd,
		&p->built, &p->moddir,
	};

	for (size_t i = 0; i < KT_ARRAY_SIZE(all); i++)
		if (kt_str_error(all[i]))
			return kt_str_error(all[i]);
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* SHA256SUMS of the shipped files, in `sha256sum -c` format, sorted. */
static int write_sums(const char *dir, const struct kt_array *files)
{
	struct kt_array names = KT_ARRAY_INIT(char *);
	struct kt_str text = KT_STR_INIT, path = KT_STR_INIT;
	char hex[65];
	int r = 0;

	for (size_t i = 0; i < files->len && r == 0; i++) {
		kt_str_reset(&path);
		kt_str_printf(&path, "%s/%s", dir, (char *)kt_array_ptr(files, i));
		if (kt_str_error(&path))
			r = -ENOMEM;
		else if (access(path.buf, R_OK) == 0)
			r = kt_array_push_strdup(&names, kt_array_ptr(files, i));
	}
	kt_array_sort(&names, name_cmp);
	for (size_t i = 0; i < names.len && r == 0; i++) {
		kt_str_reset(&path);
		kt_str_printf(&path, "%s/%s", dir, (char *)kt_array_ptr(&names, i));
		r = kt_str_error(&path);
		if (r == 0)
			r = kt_sha256_file(path.buf, hex);
		kt_str_printf(&text, "%s  %s\n", hex, (char *)kt_array_ptr(&names, i));
	}
	kt_str_reset(&path);
	kt_str_printf(&path, "%s/SHA256SUMS", dir);
	if (r == 0)
		r = kt_str_error(&path);
	if (r == 0)
		r = kt_atomic_write_str(path.buf, 0644, &text);
	kt_array_free_ptrs(&names);
	kt_str_free(&text);
	kt_str_free(&path);
	return r;
}

/* A union target has one certificate per member. */
static int certificate_name(struct kt_str *out, const struct pipeline_target *member, size_t n)
{
	kt_str_reset(out);
	if (n == 1)
		kt_str_puts(out, "certificate.yaml");
	else
		kt_str_printf(out, "certificate-%s.yaml", member->name);
	return kt_str_error(out);
}

static int stage_config(struct build *b, struct pipeline_target *members, size_t n,
			const struct build_paths *p)
{
	const struct kconf_recipe_set *sets[MAX_MEMBERS];
	struct pipeline_config_opts co = {
		.ksrc = b->ksrc, .arch = pipeline_target_make_arch(&members[0]),
		.recipes = sets, .nrecipes = n, .project = &b->pr,
		.output = p->config.buf, .report = p->report.buf, .compare = b->o->compare,
	};
	struct kt_str err = KT_STR_INIT;
	int r;

	for (size_t i = 0; i < n; i++)
		sets[i] = &members[i].recipes;
	if (access(b->o->profile, R_OK) == 0) {
		co.profiles = &b->o->profile;
		co.nprofiles = 1;
	} else {
		kt_warn("no profile %s: trimming for the recipes alone", b->o->profile);
	}
	r = pipeline_config(&co, &err);
	if (r < 0)
		kt_err("%s", err.len ? err.buf : strerror(-r));
	kt_str_free(&err);
	return r;
}

/* The kernel and, when the config has modules, their staging tree. */
static int stage_kernel(struct build *b, const struct pipeline_target *t,
			struct build_paths *p, bool modules)
{
	const char *goals[2];
	struct pipeline_kernel k = {
		.ksrc = b->ksrc, .build_dir = p->bdir.buf, .config = p->config.buf,
		.log_path = p->log.buf, .goals = goals,
		.ngoals = (size_t)pipeline_kernel_goals(t, p->config.buf, goals),
		.jobs = b->o->jobs, .force = b->o->rebuild,
		.arch = pipeline_target_make_arch(t),
	};
	struct kt_str staging = KT_STR_INIT, release_path = KT_STR_INIT;
	const char *install[3] = { "INSTALL_MOD_STRIP=1", NULL, "modules_install" };
	char *release = NULL;
	bool rebuilt;
	int r;

	kt_progress("%s: kernel %s (log: %s)", t->name, goals[0], p->log.buf);
	r = pipeline_kernel_build(&k, &rebuilt);
	if (r == 0)
		r = kt_copy_file(p->built.buf, p->kernel.buf, 0644);
	if (r == 0 && pipeline_format_also_shipped(t->format)) {
		const char *also = pipeline_format_also_shipped(t->format);

		kt_str_printf(&staging, "%s/%s", p->bdir.buf, also);
		kt_str_printf(&release_path, "%s/%s", p->out.buf, also);
		r = kt_str_error(&staging) ?: kt_str_error(&release_path);
		if (r == 0)
			r = kt_copy_file(staging.buf, release_path.buf, 0644);
		kt_str_reset(&staging);
	}
	if (r < 0 || !modules)
		goto out;
	kt_str_printf(&staging, "INSTALL_MOD_PATH=%s/staging", p->bdir.buf);
	install[1] = staging.buf;
	kt_progress("%s: modules_install into %s/staging", t->name, p->bdir.buf);
	r = kt_str_error(&staging);
	if (r == 0)
		r = pipeline_kernel_make(&k, install, KT_ARRAY_SIZE(install));
	if (r == 0)
		r = pipeline_kernel_release(p->bdir.buf, &release);
	if (r == 0)
		kt_str_printf(&p->moddir, "%s/staging/lib/modules/%s", p->bdir.buf, release);
	if (r == 0)
		r = kt_str_error(&p->moddir);
out:
	free(release);
	kt_str_free(&staging);
	kt_str_free(&release_path);
	return r;
}

static int stage_pack(struct build *b, const struct build_paths *p, bool modules)
{
	struct pipeline_pack_opts po = {
		.project = &b->pr, .rootfs_dir = b->rootfs, .ksrc = b->ksrc, .profile = b->o->profile,
		.moddir = modules ? p->moddir.buf : NULL,
		.init_path = pipeline_guest_path("ktrim-init", b->pr.arch), .output = p->initrd.buf,
	};
	struct kt_str err = KT_STR_INIT;
	int r = pipeline_pack(&po, &err);

	if (r < 0)
		kt_err("initramfs: %s", err.len ? err.buf : strerror(-r));
	kt_str_free(&err);
	return r;
}

/* A member's disk: disk.vhdx, or disk-MEMBER.vhdx in a union; under @dir when set. */
static int disk_name(struct kt_str *out, const char *dir, const struct pipeline_target *member,
		     size_t n)
{
	kt_str_reset(out);
	if (dir)
		kt_str_printf(out, "%s/", dir);
	if (n == 1)
		kt_str_puts(out, "disk.vhdx");
	else
		kt_str_printf(out, "disk-%s.vhdx", member->name);
	return kt_str_error(out);
}

/*
 * How to use what was shipped, naming the real files: a disk for Hyper-V's
 * New-VM, LCOW's folder for hcsshim. README.md shows the same commands.
 */
static void print_use(const struct pipeline_target *m, const char *disk, const char *outdir)
{
	if (m->disk != PIPELINE_DISK_NONE) {
		bool gen2 = m->disk == PIPELINE_DISK_UEFI;

		kt_progress("%s: Hyper-V (PowerShell): New-VM -Name %s -Generation %d "
			    "-MemoryStartupBytes 256MB -VHDPath '%s'", m->name, m->name,
			    gen2 ? 2 : 1, disk);
		if (gen2)
			kt_progress("%s: Hyper-V (PowerShell): Set-VMFirmware -VMName %s "
				    "-EnableSecureBoot Off   (or sign with --sign and trust that key)",
				    m->name, m->name);
		kt_progress("%s: Hyper-V (PowerShell): Set-VMComPort -VMName %s -Number 1 "
			    "-Path \\\\.\\pipe\\%s; Start-VM -Name %s", m->name, m->name, m->name,
			    m->name);
	} else if (m->format == PIPELINE_FORMAT_LCOW) {
		kt_progress("%s: hcsshim: annotation io.microsoft.virtualmachine.bootfilesrootpath "
			    "(or runhcs option boot_files_root_path) = '%s' (holds %s, %s, %s)",
			    m->name, outdir, pipeline_format_kernel_name(m->format),
			    pipeline_format_also_shipped(m->format),
			    pipeline_format_initramfs_name(m->format));
	}
}

/* The bootable disk of each member that has one (boot: disk:). */
static int stage_disks(struct build *b, const struct pipeline_target *members, size_t n,
		       const struct build_paths *p, struct kt_array *shipped)
{
	struct kt_str name = KT_STR_INIT, path = KT_STR_INIT, err = KT_STR_INIT;
	int r = 0;

	for (size_t i = 0; i < n && r == 0; i++) {
		struct pipeline_disk_opts d = {
			.kind = members[i].disk, .kernel = p->kernel.buf, .initrd = p->initrd.buf,
			.cmdline = members[i].cmdline, .name = members[i].name,
			.sign_key = b->o->sign_key, .sign_cert = b->o->sign_cert,
		};

		if (members[i].disk == PIPELINE_DISK_NONE) {
			print_use(&members[i], NULL, p->out.buf);
			continue;
		}
		r = disk_name(&name, NULL, &members[i], n);
		if (r == 0)
			r = disk_name(&path, p->out.buf, &members[i], n);
		if (r < 0)
			break;
		d.output = path.buf;
		kt_progress("%s: %s disk %s", members[i].name, pipeline_disk_name(d.kind), path.buf);
		r = pipeline_disk_build(&d, &err);
		if (r < 0)
			kt_err("%s: %s", path.buf, err.len ? err.buf : strerror(-r));
		if (r == 0)
			r = kt_array_push_strdup(shipped, name.buf);
		if (r == 0)
			print_use(&members[i], path.buf, p->out.buf);
	}
	kt_str_free(&name);
	kt_str_free(&path);
	kt_str_free(&err);
	return r;
}

/* One certificate per member; the shipped files' names go to @shipped. */
static int stage_certify(struct build *b, const struct pipeline_target *members, size_t n,
			 const struct build_paths *p, struct kt_array *shipped)
{
	struct kt_str cert = KT_STR_INIT, disk = KT_STR_INIT, sysmap = KT_STR_INIT;
	enum pipeline_verdict verdict;
	int r = 0, failed = 0;

	kt_str_printf(&sysmap, "%s/System.map", p->bdir.buf);
	r = kt_str_error(&sysmap);

	for (size_t i = 0; i < n && r == 0; i++) {
		struct pipeline_certify_opts co;

		r = disk_name(&disk, p->out.buf, &members[i], n);
		if (r == 0)
			r = certificate_name(&cert, &members[i], n);
		if (r == 0)
			r = kt_array_push_strdup(shipped, cert.buf);
		if (r < 0 || !b->o->certify)
			continue;
		kt_str_reset(&cert);
		kt_str_printf(&cert, "%s/%s", p->out.buf, (char *)kt_array_ptr(shipped, shipped->len - 1));
		pipeline_certify_opts_init(&co);
		co.kernel = p->kernel.buf;
		co.initramfs = p->initrd.buf;
		co.project = &b->pr;
		co.target = &members[i];
		co.config = p->config.buf;
		co.disk = members[i].disk != PIPELINE_DISK_NONE ? disk.buf : NULL;
		co.output = cert.buf;
		co.bisect = b->o->bisect;
		/* one analysis per kernel: the files beside the certificates are shared */
		co.analyze = b->o->analyze && i == 0;
		co.system_map = sysmap.buf;
		co.ksrc = b->ksrc;
		co.arch = pipeline_target_make_arch(&members[i]);
		co.report = p->report.buf;
		if (b->o->memory_mb)
			co.memory_mb = b->o->memory_mb;
		kt_progress("%s: certify for %s", p->out.buf, members[i].name);
		r = kt_str_error(&cert);
		if (r == 0)
			r = pipeline_certify(&co, &verdict);
		if (r == 0 && (verdict == PIPELINE_FAILED ||
			       (verdict == PIPELINE_PARTIAL && !b->o->allow_partial)))
			failed++;
	}
	kt_str_free(&cert);
	kt_str_free(&disk);
	kt_str_free(&sysmap);
	return r < 0 ? r : failed;
}

/* --plan: what build_target would make, from the same target and paths. */
static int print_plan(const char *spec, const struct pipeline_target *members, size_t n,
		      const struct build_paths *p)
{
	const struct pipeline_target *t = &members[0];
	struct kt_str o = KT_STR_INIT, cert = KT_STR_INIT;
	int r = 0;

	kt_str_puts(&o, "- target: ");
	kt_yaml_put_scalar(&o, spec);
	kt_str_puts(&o, "\n  members:\n");
	for (size_t i = 0; i < n && r == 0; i++) {
		kt_str_puts(&o, "    - name: ");
		kt_yaml_put_scalar(&o, members[i].name);
		kt_str_printf(&o, "\n      machine: %s\n      certificate: ",
			      pipeline_machine_name(members[i].machine));
		r = certificate_name(&cert, &members[i], n);
		kt_yaml_put_scalar(&o, cert.buf);
		kt_str_putc(&o, '\n');
		if (r == 0 && members[i].disk != PIPELINE_DISK_NONE) {
			r = disk_name(&cert, p->out.buf, &members[i], n);
			kt_str_printf(&o, "      disk: %s\n      disk-file: ",
				      pipeline_disk_name(members[i].disk));
			kt_yaml_put_scalar(&o, cert.buf);
			kt_str_putc(&o, '\n');
		}
	}
	kt_str_printf(&o, "  kernel-format: %s\n  make-goal: %s\n  built: ",
		      pipeline_format_name(t->format), pipeline_format_make_goal(t->format));
	kt_yaml_put_scalar(&o, p->built.buf);
	kt_str_puts(&o, "\n  kernel: ");
	kt_yaml_put_scalar(&o, p->kernel.buf);
	kt_str_puts(&o, "\n  initramfs: ");
	kt_yaml_put_scalar(&o, p->initrd.buf);
	kt_str_puts(&o, "\n  config: ");
	kt_yaml_put_scalar(&o, p->config.buf);
	kt_str_putc(&o, '\n');
	if (r == 0)
		r = kt_str_error(&o);
	if (r == 0)
		fputs(o.buf, stdout);
	kt_str_free(&o);
	kt_str_free(&cert);
	return r;
}

static int build_target(struct build *b, const char *spec)
{
	struct pipeline_target members[MAX_MEMBERS];
	struct build_paths p = { 0 };
	struct kt_array shipped = KT_ARRAY_INIT(char *);
	struct kt_str err = KT_STR_INIT;
	const struct pipeline_target *t = &members[0];
	size_t n = 0;
	bool modules;
	int r = 0, failed = 0;

	/* The target names a folder under OUTDIR: nothing that could leave it. */
	if (!spec[0] || spec[strspn(spec, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					"0123456789._+-")] || strstr(spec, "..")) {
		kt_str_printf(&err, "bad target name '%s': letters, digits, '.', '_', '-' and '+' only",
			      spec);
		r = -EINVAL;
	}
	for (const char *m = spec; r == 0 && *m;) {
		size_t len = strcspn(m, "+");
		char name[256];

		if (n == MAX_MEMBERS || !len || len >= sizeof(name)) {
			kt_str_printf(&err, "bad target '%s': at most %d members a+b+..., each a recipe",
				      spec, MAX_MEMBERS);
			r = -EINVAL;
			break;
		}
		snprintf(name, sizeof(name), "%.*s", (int)len, m);
		r = pipeline_target_load(&members[n], pipeline_recipes_dir(), name, &err);
		n += r == 0;
		m += len + (m[len] == '+');
	}
	if (r < 0) {
		kt_err("%s", err.len ? err.buf : strerror(-r));
		goto out;
	}
	/* The image's init and workload are built for the project's arch. */
	for (size_t i = 0; i < n; i++) {
		const char *want = b->pr.arch ? b->pr.arch : "x86_64";

		if (!strcmp(members[i].arch, want) ||
		    (!strcmp(members[i].arch, "x86") && !strcmp(want, "x86_64")))
			continue;
		kt_err("%s:%u: the workload is %s (arch:) but target %s is for %s", b->o->project,
		       b->pr.arch_line ? b->pr.arch_line : 1, want, members[i].name, members[i].arch);
		r = -EINVAL;
		goto out;
	}
	kt_str_printf(&p.out, "%s/%s", b->outdir, spec);
	kt_str_printf(&p.bdir, "%s/.build/%s", b->outdir, spec);
	kt_str_printf(&p.config, "%s/.config", p.out.buf);
	kt_str_printf(&p.report, "%s/trim-report.yaml", p.out.buf);
	kt_str_printf(&p.log, "%s/kernel-build.log", p.out.buf);
	kt_str_printf(&p.built, "%s/%s", p.bdir.buf,
		      pipeline_format_built_path(t->format, t->arch));
	kt_str_printf(&p.kernel, "%s/%s", p.out.buf, pipeline_format_kernel_name(t->format));
	kt_str_printf(&p.initrd, "%s/%s", p.out.buf, pipeline_format_initramfs_name(t->format));
	if (b->o->plan && (r = paths_error(&p)) == 0) {
		r = print_plan(spec, members, n, &p);
		goto out;
	}
	r = paths_error(&p);
	if (r == 0)
		r = kt_mkdir_p(p.out.buf, 0755);
	if (r < 0) {
		kt_err("cannot create %s: %s", p.out.buf, strerror(-r));
		goto out;
	}
	kt_progress("%s: config (profile %s)", spec, b->o->profile);
	r = stage_config(b, members, n, &p);
	if (r < 0)
		goto out;
	modules = pipeline_kernel_goals(t, p.config.buf, NULL) == 2;
	r = stage_kernel(b, t, &p, modules);
	if (r < 0)
		goto out;
	kt_progress("%s: initramfs %s", spec, p.initrd.buf);
	r = stage_pack(b, &p, modules);
	if (r == 0)
		r = kt_array_push_strdup(&shipped, pipeline_format_kernel_name(t->format));
	if (r == 0)
		r = kt_array_push_strdup(&shipped, pipeline_format_initramfs_name(t->format));
	if (r == 0 && pipeline_format_also_shipped(t->format))
		r = kt_array_push_strdup(&shipped, pipeline_format_also_shipped(t->format));
	if (r == 0)
		r = kt_array_push_strdup(&shipped, ".config");
	if (r == 0)
		r = kt_array_push_strdup(&shipped, "trim-report.yaml");
	if (r == 0)
		r = stage_disks(b, members, n, &p, &shipped);
	if (r == 0)
		r = failed = stage_certify(b, members, n, &p, &shipped);
	if (r >= 0)
		r = write_sums(p.out.buf, &shipped);
	if (r < 0)
		goto out;
	kt_progress("%s: done in %s%s", spec, p.out.buf,
		    failed ? " (a certificate is not certified)" : "");
	r = failed ? -EPROTO : 0;
out:
	for (size_t i = 0; i < n; i++)
		pipeline_target_release(&members[i]);
	kt_array_free_ptrs(&shipped);
	paths_release(&p);
	kt_str_free(&err);
	return r;
}

int pipeline_build(const struct pipeline_build_opts *o)
{
	struct build b = { .o = o };
	struct kt_str err = KT_STR_INIT, scratch = KT_STR_INIT;
	char *outdir_abs = NULL;
	int r, failed = 0;

	kprof_project_init(&b.pr);
	r = kprof_project_load(o->project, &b.pr, &err);
	if (r < 0)
		goto out;
	b.ksrc = o->ksrc;
	if (!b.ksrc && (r = kprof_project_kernel_source(&b.pr, &b.ksrc, &err)) < 0)
		goto out;
	if (!b.ksrc) {
		kt_str_printf(&err, "%s names no kernel source and --ksrc was not given",
			      o->project);
		r = -EINVAL;
		goto out;
	}
	/* Before any work: make and Kconfig will see both (O= under OUTDIR). */
	r = kt_path_check_make("kernel tree", b.ksrc, &err);
	if (r == 0)
		r = kt_path_check_make("output directory", o->outdir, &err);
	if (r < 0)
		goto out;
	if (!o->ntargets && !b.pr.targets.len) {
		kt_str_printf(&err, "no targets: name them in %s or with --target", o->project);
		r = -EINVAL;
		goto out;
	}
	r = o->plan ? 0 : kt_mkdir_p(o->outdir, 0755);
	/*
	 * The kernel's make runs in the source tree (-C), where a relative O=
	 * would land; every path handed to it must be absolute.
	 */
	if (r == 0 && !(outdir_abs = realpath(o->outdir, NULL)))
		r = o->plan ? 0 : -errno;
	if (r < 0) {
		kt_str_printf(&err, "%s: %s", o->outdir, strerror(-r));
		goto out;
	}
	/* a relative OUTDIR gets the working directory's characters too */
	if (outdir_abs && (r = kt_path_check_make("output directory", outdir_abs, &err)) < 0)
		goto out;
	b.outdir = outdir_abs ? outdir_abs : o->outdir;
	kt_str_printf(&scratch, "%s/.build/rootfs", b.outdir);
	r = kt_str_error(&scratch);
	/* A user's init ships no workload rootfs: it only served the profile. */
	if (r == 0 && !o->plan && !b.pr.init_external)
		r = kprof_project_rootfs_dir(&b.pr, scratch.buf, &b.rootfs, &err);
	for (size_t i = 0; r == 0 && i < (o->ntargets ? o->ntargets : b.pr.targets.len); i++) {
		r = build_target(&b, o->ntargets ? o->targets[i] : kt_array_ptr(&b.pr.targets, i));
		if (r == -EPROTO)
			failed++;
		r = r == -EPROTO ? 0 : r;
	}
	if (r == 0 && failed)
		r = -EPROTO;
out:
	if (err.len)
		kt_err("%s", err.buf);
	kprof_project_release(&b.pr);
	kt_str_free(&err);
	kt_str_free(&scratch);
	free(b.rootfs);
	free(outdir_abs);
	return r;
}

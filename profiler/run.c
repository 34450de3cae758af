// SPDX-License-Identifier: GPL-2.0-only
/*
 * One profiling run, host side: pack the profiling initramfs, boot the
 * profiling kernel, follow the timeline, decode the agent's records.
 *
 * The guest reaches the profiling kernel's full module tree over virtio-9p
 * (read-only, nothing copied: the Debian tree is 400 MB); only the modules
 * needed to mount it travel in the initramfs, resolved with libkmod here.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "initramfs/initramfs.h"
#include "profiler/profiler.h"

/* Where the workload's tree lies in the image, as in a shipped one. */
#define ROOTFS_DIR "rootfs"
/*
 * What the agent needs before it can mount the module tree; on arm64 virt
 * also the virtio-serial driver of its record channel (one UART there).
 */
static const char *const boot_modules[] = { "virtio_pci", "9pnet_virtio", "9p",
					    "virtio_console" /* last: virt only */ };
#define N_BOOT_MODULES(machine) \
	(KT_ARRAY_SIZE(boot_modules) - ((machine) != KPROF_VM_VIRT))
/* The agent's record channel on virt (profiler/agent/agent.h FACTS_PORT). */
#define FACTS_PORT "ktrim-facts"

/*
 * The container spec of the shipped image (kprof_project_spec, its seccomp
 * filter), plus what
 * the profiling run needs: the smoke test, the ready timeout, and the
 * modules that reach the module tree. One writer, checked against the
 * runtime's limits here, so a spec too large fails before the boot.
 */
static int build_spec(const struct kprof_project *pr, const struct kt_array *mod_paths,
		      struct kt_str *out, struct kt_str *err)
{
	struct initramfs_spec s;
	int ret;

	initramfs_spec_init(&s);
	ret = kprof_project_spec(pr, &s);
	/* the filter that ships; for from-profile, the arch check alone (no profile yet) */
	if (!ret)
		ret = kprof_project_seccomp(pr, NULL, NULL, &s, err);
	for (size_t i = 0; !ret && i < pr->smoke_command.len; i++)
		ret = kt_array_push_strdup(&s.smoke, kt_array_ptr(&pr->smoke_command, i));
	for (size_t i = 0; !ret && i < mod_paths->len; i++)
		ret = kt_array_push_strdup(&s.modules, kt_array_ptr(mod_paths, i));
	if (!ret && !(s.rootfs = strdup("/" ROOTFS_DIR)))
		ret = -ENOMEM;
	s.smoke_timeout_s = pr->smoke_timeout_s;
	s.ready_timeout_s = pr->ready_timeout_s;
	if (!ret)
		ret = initramfs_spec_check(&s, err);
	if (!ret)
		ret = initramfs_spec_format(&s, out);
	initramfs_spec_release(&s);
	return ret;
}

/* Whether @path is an ELF with no program interpreter (a static binary). */
static bool elf_static(const char *path)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	bool is_static = false;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (pread(fd, &eh, sizeof(eh), 0) == (ssize_t)sizeof(eh) &&
	    !memcmp(eh.e_ident, ELFMAG, SELFMAG) && eh.e_ident[EI_CLASS] == ELFCLASS64 &&
	    eh.e_phentsize == sizeof(ph)) {
		is_static = true;
		for (unsigned i = 0; i < eh.e_phnum && is_static; i++)
			if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + i * sizeof(ph))) !=
				    (ssize_t)sizeof(ph) || ph.p_type == PT_INTERP)
				is_static = false;
	}
	close(fd);
	return is_static;
}

/*
 * The modprobe the module helper runs: Debian's kmod and the shared
 * libraries it needs, at their host paths (the agent's root is the
 * initramfs; the workload has its own root); a static one alone.
 */
static int add_kmod(struct initramfs_archive *a, const char *kmod,
		    struct kt_str *err)
{
	const char *argv[] = { "ldd", kmod, NULL };
	struct kt_str out = KT_STR_INIT;
	char *save = NULL, *line;
	int ret;

	ret = initramfs_archive_add_file(a, "ktrim/bin/kmod", kmod, 0755, err);
	if (ret || elf_static(kmod))
		return ret;
	ret = kt_run(argv, &out, NULL);
	if (ret) {
		kt_str_printf(err, "ldd %s failed (%d)", kmod, ret);
		kt_str_free(&out);
		return ret == -ENOMEM ? ret : -EIO;
	}
	for (line = strtok_r(out.buf, "\n", &save); line && !ret;
	     line = strtok_r(NULL, "\n", &save)) {
		char *path = strstr(line, "=> ");

		path = path ? path + 3 : line + strspn(line, " \t");
		if (*path != '/')
			continue;	/* linux-vdso */
		path[strcspn(path, " (")] = '\0';
		ret = initramfs_archive_add_file(a, path, path, 0755, NULL);
		if (ret == -EEXIST)
			ret = 0;
		if (ret)
			kt_str_printf(err, "adding %s: %s", path, strerror(-ret));
	}
	kt_str_free(&out);
	return ret;
}

static int pack(const struct kprof_project *pr, const struct kprof_run_opts *o,
		enum kprof_vm_machine machine, const char *moddir, const char *kmod,
		const char *rootdir, const char *image, char **krel, struct kt_str *err)
{
	struct initramfs_write_opts wo = INITRAMFS_WRITE_OPTS_INIT;
	static const char *const dirs[] = { "proc", "sys", "dev", "run", "tmp" };
	struct initramfs_modset *ms = NULL;
	struct initramfs_archive *a;
	struct kt_array paths = KT_ARRAY_INIT(char *);
	struct kt_str spec = KT_STR_INIT;
	int ret;

	a = initramfs_archive_new();
	if (!a)
		return -ENOMEM;
	ret = initramfs_modset_new(moddir, NULL, &ms, err);
	for (size_t i = 0; !ret && i < N_BOOT_MODULES(machine); i++)
		ret = initramfs_modset_add(ms, boot_modules[i], err);
	if (!ret)
		ret = initramfs_modset_add_to_archive(ms, a, true, &paths, err);
	if (ret)
		goto out;
	*krel = strdup(initramfs_modset_release(ms));
	if (!*krel) {
		ret = -ENOMEM;
		goto out;
	}
	ret = initramfs_archive_add_file(a, "init", o->agent, 0755, err);
	if (!ret)
		ret = initramfs_archive_add_symlink(a, "ktrim/bin/ktrim-modprobe", "/init", err);
	for (size_t i = 0; !ret && i < KT_ARRAY_SIZE(dirs); i++)
		ret = initramfs_archive_add_dir(a, dirs[i], 0755, err);
	if (!ret)
		ret = initramfs_archive_add_node(a, "dev/console", S_IFCHR | 0600,
						 makedev(5, 1), err);
	if (ret)
		goto out;
	if ((ret = add_kmod(a, kmod, err)) ||
	    (ret = build_spec(pr, &paths, &spec, err)))
		goto out;
	ret = initramfs_archive_add_data(a, INITRAMFS_SPEC_PATH, spec.buf, spec.len, 0644, err);
	if (!ret)
		ret = initramfs_archive_add_tree(a, ROOTFS_DIR, rootdir, err);
	if (ret)
		goto out;
	/* Uncompressed: unpacking is faster than decompressing under TCG. */
	wo.compress = INITRAMFS_COMPRESS_NONE;
	ret = initramfs_archive_write_file(a, &wo, image, err);
out:
	for (size_t i = 0; i < paths.len; i++)
		free(kt_array_ptr(&paths, i));
	kt_array_free(&paths);
	kt_str_free(&spec);
	initramfs_modset_free(ms);
	initramfs_archive_free(a);
	return ret;
}

/* Turn timeline events into progress lines as they happen. */
static int on_console(const char *line, void *ctx)
{
	static const struct {
		const char *event;
		const char *say;
	} steps[] = {
		{ "init-start", "guest booted, agent running" },
		{ "modules-loaded", "module tree mounted, module helper installed" },
		{ "workload-exec", "workload started under the tracer" },
		{ "workload-ready", "workload ready" },
		{ "poweroff", "guest powering off" },
	};
	struct kprof_vm_event ev;

	kt_dbg("guest: %s", line);
	if (strstr(line, "Kernel panic"))
		kt_err("guest: %s", line);
	if (kprof_vm_parse_timeline(line, &ev) != 1)
		return 0;
	if (!strcmp(ev.name, "smoke-done")) {
		size_t n;
		const char *st = kprof_vm_event_field(&ev, "status", &n);

		kt_progress("smoke test %s (%s)", st && n == 1 && *st == '0' ? "passed" : "FAILED",
			    ev.args);
	}
	for (size_t i = 0; i < KT_ARRAY_SIZE(steps); i++)
		if (!strcmp(ev.name, steps[i].event))
			kt_progress("%s", steps[i].say);
	kprof_vm_event_release(&ev);
	return 0;
}

static int fill_identity(const struct kprof_project *pr, const char *krel,
			 const char *hash, struct kprof_profile *out)
{
	out->kernel_release = strdup(krel);
	out->arch = strdup(pr->arch);
	out->workload_name = strdup(pr->name);
	out->rootfs_sha256 = strdup(hash);
	if (!out->kernel_release || !out->arch || !out->workload_name || !out->rootfs_sha256)
		return -ENOMEM;
	for (size_t i = 0; i < pr->command.len; i++) {
		char *arg = strdup(kt_array_ptr(&pr->command, i));

		if (!arg || kt_array_push_ptr(&out->command, arg)) {
			free(arg);
			return -ENOMEM;
		}
	}
	return 0;
}

int kprof_run(const struct kprof_project *pr, const struct kprof_run_opts *o,
	      struct kprof_profile *out, struct kprof_guest_report *rep,
	      struct kt_str *err)
{
	char *rootdir = NULL, *krel = NULL, *image = NULL, *facts = NULL, *console = NULL;
	char *facts_text = NULL, cmdline[96];
	const char *kernel, *moddir, *kmod = NULL;
	enum kprof_vm_machine machine;
	struct kprof_vm_result res;
	struct kprof_vm vm;
	size_t facts_len = 0;
	char hash[65];
	int ret;

	kprof_profile_init(out);
	kprof_guest_report_init(rep);
	ret = kprof_vm_machine_for_arch(pr->arch, &machine);
	kprof_vm_init(&vm, ret ? KPROF_VM_Q35 : machine);
	kprof_vm_result_init(&res);
	if (ret) {
		kt_str_printf(err, "%s: no profiling machine for arch %s", pr->file, pr->arch);
		goto out;
	}
	if ((ret = kprof_project_profiling_kernel(pr, &kernel, err)) ||
	    (ret = kprof_project_profiling_modules(pr, &moddir, err)) ||
	    (ret = kprof_project_profiling_modprobe(pr, &kmod, err)))
		goto out;
	if (!kernel || !moddir) {
		kt_str_printf(err, "%s: profiling.kernel and profiling.modules must be set",
			      pr->file);
		ret = -EINVAL;
		goto out;
	}
	/* the host's kmod runs in an x86_64 guest only */
	if (!kmod)
		kmod = o->kmod ? o->kmod : strcmp(pr->arch, "x86_64") ? NULL : "/usr/bin/kmod";
	if (!kmod) {
		kt_str_printf(err, "%s: arch %s: profiling.modprobe must name a static %s "
			      "modprobe (e.g. Debian's busybox-static for it)", pr->file,
			      pr->arch, pr->arch);
		ret = -EINVAL;
		goto out;
	}
	if ((ret = kt_mkdir_p(o->workdir, 0755))) {
		kt_str_printf(err, "%s: %s", o->workdir, strerror(-ret));
		goto out;
	}
	if (asprintf(&image, "%s/profile-initramfs.cpio", o->workdir) < 0 ||
	    asprintf(&facts, "%s/facts.txt", o->workdir) < 0 ||
	    asprintf(&console, "%s/console.log", o->workdir) < 0) {
		ret = -ENOMEM;
		goto out;
	}
	if ((ret = kprof_project_rootfs_dir(pr, o->workdir, &rootdir, err)) ||
	    (ret = kprof_tree_sha256(rootdir, hash, err)))
		goto out;
	kt_progress("rootfs %s (sha256 %.12s)", rootdir, hash);
	if ((ret = pack(pr, o, machine, moddir, kmod, rootdir, image, &krel, err)))
		goto out;
	kt_progress("profiling initramfs %s written", image);
	unlink(facts);
	vm.accel = o->accel;
	vm.memory_mb = pr->profile_memory_mb;
	vm.timeout_s = pr->profile_timeout_s;
	vm.on_line = on_console;
	vm.console_log = strdup(console);
	snprintf(cmdline, sizeof(cmdline), "console=%s quiet loglevel=3 panic=-1",
		 kprof_vm_console(machine));
	if (!vm.console_log ||
	    (ret = kprof_vm_set_kernel(&vm, kernel, image, cmdline)) ||
	    (ret = kprof_vm_add_9p(&vm, "kmods", moddir, true)) ||
	    (ret = machine == KPROF_VM_VIRT ? kprof_vm_add_virtio_serial(&vm, FACTS_PORT, facts)
					    : kprof_vm_add_serial_file(&vm, facts)))
		goto out;
	kt_progress("booting %s (%u MB)", kernel, vm.memory_mb);
	ret = kprof_vm_run(&vm, &res);
	if (ret) {
		kt_str_printf(err, "running QEMU: %s", strerror(-ret));
		goto out;
	}
	kt_progress("guest done after %.1fs on %s (console: %s)", res.elapsed_s,
		    kprof_vm_accel_name(vm.accel), console);
	if (res.timed_out) {
		kt_str_printf(err, "the guest did not finish within %us (profiling.timeout); console in %s",
			      pr->profile_timeout_s, console);
		ret = -ETIMEDOUT;
		goto out;
	}
	if ((ret = kt_read_file(facts, &facts_text, &facts_len))) {
		kt_str_printf(err, "%s: %s (console in %s)", facts, strerror(-ret), console);
		goto out;
	}
	if ((ret = kprof_guest_parse(facts_text, facts_len, out, rep, err))) {
		kt_str_printf(err, " (console in %s)", console);
		goto out;
	}
	if ((ret = fill_identity(pr, krel, hash, out)))
		goto out;
	if (rep->errors.len || !rep->ready ||
	    (pr->smoke_command.len && (rep->smoke_exit != 0 || rep->smoke_timed_out))) {
		for (size_t i = 0; i < rep->errors.len; i++)
			kt_str_printf(err, "%sguest: %s", i ? "\n" : "",
				      (char *)kt_array_ptr(&rep->errors, i));
		if (rep->smoke_timed_out)
			kt_str_printf(err, "%sthe smoke test did not finish within %us",
				      err->len ? "\n" : "", pr->smoke_timeout_s);
		else if (pr->smoke_command.len && rep->smoke_ran && rep->smoke_exit)
			kt_str_printf(err, "%sthe smoke test failed with status %d",
				      err->len ? "\n" : "", rep->smoke_exit);
		else if (!err->len)
			kt_str_puts(err, "the workload did not become ready");
		ret = -EPROTO;
	}
out:
	kprof_vm_result_release(&res);
	kprof_vm_release(&vm);
	free(rootdir);
	free(krel);
	free(image);
	free(facts);
	free(console);
	free(facts_text);
	return ret;
}

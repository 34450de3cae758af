// SPDX-License-Identifier: GPL-2.0-only
/*
 * Certification: static checks of the artefacts against the target recipe,
 * then boots under QEMU, judged only from the init's timeline lines.
 *
 * Every check records where it ran: "static" (read from files), "kvm" or
 * "tcg" (a real boot), or "not-run" with the reason. A certificate never
 * claims a boot that did not happen: Hyper-V targets have no machine model
 * here, so their boot checks are written as not-run.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pipeline/certify-internal.h"

void pipeline_certify_opts_init(struct pipeline_certify_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->memory_mb = 256;
	o->timeout_s = 300;
	o->bisect = true;
	o->icount = true;
	o->accel = KPROF_VM_ACCEL_AUTO;
}

/* ---- boots ---------------------------------------------------------------- */

/* LCOW's VPMem root: the guest's first NVDIMM, where the init mounts it. */
#define VPMEM_DEV "/dev/pmem0"
#define VPMEM_DIR "/run/vpmem0"
/*
 * hcsshim's GCS mounts every VPMem device read-only with "noload,dax"
 * (internal/guest/storage/pmem). Here "noload" only: QEMU's NVDIMM is a
 * label-less NFIT namespace in raw mode, which the kernel gives no page
 * map (only e820, virtio-pmem and OF regions get one), so DAX needs an
 * fsdax info block that a plain image does not have.
 */
#define VPMEM_OPTIONS "noload"

static int event_status(const struct kprof_vm_event *ev)
{
	size_t n;
	const char *s = kprof_vm_event_field(ev, "status", &n);

	return s ? atoi(s) : -1;
}

/* A record's numeric field (tsc=, hz=), 0 when absent. */
static unsigned long long event_number(const struct kprof_vm_event *ev, const char *key)
{
	size_t n;
	const char *s = ev ? kprof_vm_event_field(ev, key, &n) : NULL;

	return s ? strtoull(s, NULL, 10) : 0;
}

static unsigned long long event_tsc(const struct kprof_vm_event *ev)
{
	return event_number(ev, "tsc");
}

/*
 * The kernel's uptime may stand still during early boot (see the init's
 * timeline), so power-on figures come from the TSC, which counts from vCPU
 * reset and so also covers firmware and decompression. Its rate is what the
 * guest's own clock shows between the first and the last record, when the
 * kernel's clocksource runs for certain.
 */
void certify_power_on_times(const struct kprof_vm_result *res, struct certify_boot *b)
{
	const struct kprof_vm_event *first = kprof_vm_result_event(res, "init-start");
	const struct kprof_vm_event *last = NULL;
	unsigned long long t0 = event_tsc(first), t1, t_ready;
	double per_ms;

	for (size_t i = 0; i < res->events.len; i++)
		last = kt_array_at(&res->events, i);
	t1 = event_tsc(last);
	/* arm64's counter states its rate (hz=, CNTFRQ_EL0); the TSC's is estimated */
	if (event_number(first, "hz"))
		per_ms = (double)event_number(first, "hz") / 1000.0;
	else if (!t0 || !t1 || t1 <= t0 || last->uptime_us < first->uptime_us + 1000)
		return;
	else
		per_ms = (double)(t1 - t0) * 1000.0 / (double)(last->uptime_us - first->uptime_us);
	if (!t0)
		return;
	b->init_power_on_ms = (double)t0 / per_ms;
	t_ready = event_tsc(kprof_vm_result_event(res, "workload-ready"));
	if (t_ready)
		b->ready_power_on_ms = (double)t_ready / per_ms;
}

/* One boot's host side, driven by the console's timeline records. */
struct boot_run {
	struct certify *c;
	struct kprof_vm *vm;
	struct certify_boot *b;
	bool host_tests;	/* the main boot runs the host smoke test */
	bool ready, smoke_done;
};

/* The kernel's lines about the init: see struct certify_boot. */
static void kernel_line(const char *line, struct certify_boot *b)
{
	if (strstr(line, "Run /init as init process"))
		b->kernel_ran_init = true;
	if (strstr(line, "Failed to execute /init"))
		b->init_exec_failed = true;
	if (strstr(line, "Kernel panic"))
		b->kernel_panic = true;
}

/*
 * On workload-ready the host smoke test runs (the guest's own runs at the
 * same time); once both are over, the power button asks the init to stop.
 */
static int boot_line(const char *line, void *ctx)
{
	struct boot_run *run = ctx;
	struct certify_boot *b = run->b;
	struct kprof_vm_event ev;
	int r = kprof_vm_parse_timeline(line, &ev);

	kernel_line(line, b);
	if (r != 1)
		return r == -ENOMEM ? r : 0;
	if (!strcmp(ev.name, "smoke-done"))
		run->smoke_done = true;
	if (!strcmp(ev.name, "workload-ready") && !run->ready) {
		run->ready = true;
		if (run->host_tests && b->host_port) {
			struct kt_str detail = KT_STR_INIT;

			kt_progress("certify: host smoke test on 127.0.0.1:%u", b->host_port);
			r = certify_host_smoke(run->c, b->host_port, &detail);
			b->host_smoke = r < 0 ? 1 : r;
			if (r < 0)
				kt_str_printf(&detail, "could not run: %s", strerror(-r));
			b->host_smoke_detail = kt_str_steal(&detail);
		}
	}
	kprof_vm_event_release(&ev);
	if (!run->ready || b->powerdown_sent || (run->c->has_smoke && !run->smoke_done))
		return 0;
	r = kprof_vm_monitor_command(run->vm, "system_powerdown");
	if (r < 0) {
		kt_err("certify: system_powerdown through the QEMU monitor: %s", strerror(-r));
		return r;	/* stops the VM: no clean power-off */
	}
	b->powerdown_sent = true;
	return 0;
}

int certify_boot_once(struct certify *c, unsigned memory_mb, const char *log,
		      struct certify_boot *b)
{
	enum kprof_vm_machine machine;
	struct kprof_vm vm;
	struct kprof_vm_result res;
	struct kt_str cmdline = KT_STR_INIT, monitor = KT_STR_INIT;
	const struct kprof_vm_event *ev;
	const char *dev;
	size_t dev_len;
	struct boot_run run = { .c = c, .vm = &vm, .b = b,
				.host_tests = log != NULL && !c->analyzing };
	const struct kprof_project *pr = c->o->project;
	int r;

	memset(b, 0, sizeof(*b));
	b->smoke_status = b->workload_status = b->host_smoke = -1;
	r = kprof_vm_machine_parse(pipeline_machine_name(c->t->machine), &machine);
	if (r < 0)
		return r;
	kprof_vm_init(&vm, machine);
	kprof_vm_result_init(&res);
	kt_str_puts(&cmdline, c->t->cmdline);
	/* The project's DHCP is the kernel's client: it needs asking. */
	if (pr && pr->net.dhcp)
		kt_str_puts(&cmdline, " ip=dhcp");
	if (c->vpmem_image)
		kt_str_printf(&cmdline, " ktrim.mount=%s,%s,ext4,%s", VPMEM_DEV, VPMEM_DIR,
			      VPMEM_OPTIONS);
	if (c->o->append)
		kt_str_printf(&cmdline, " %s", c->o->append);
	/*
	 * Every initcall on the console with its time: initcall_debug prints
	 * at KERN_DEBUG; without KASLR the addresses are System.map's.
	 */
	if (c->analyzing)
		kt_str_puts(&cmdline, " initcall_debug ignore_loglevel printk.time=1 nokaslr");
	kt_str_printf(&monitor, "%s/monitor.sock", c->tmpdir);
	r = kt_str_error(&cmdline);
	if (r == 0)
		r = kt_str_error(&monitor);
	if (r == 0 && c->twin)
		r = kprof_vm_set_boot_disk(&vm, certify_firmware(c), c->twin);
	else if (r == 0)
		r = kprof_vm_set_kernel(&vm, c->o->kernel, c->boot_image, cmdline.buf);
	if (r == 0)
		r = kprof_vm_add_monitor(&vm, monitor.buf);
	if (r == 0 && c->vpmem_image)
		r = kprof_vm_add_nvdimm(&vm, c->vpmem_image, 16);
	/* Every boot has the NIC, so each boots the same devices. */
	if (r == 0 && pr && pr->ready == KPROF_READY_TCP && !c->no_nic &&
	    (r = kprof_vm_free_port(&b->host_port)) == 0)
		r = kprof_vm_add_user_net(&vm, b->host_port, pr->ready_port, &pr->net);
	if (r < 0)
		goto out;
	vm.accel = c->accel;
	vm.memory_mb = memory_mb;
	vm.icount = certify_icount(c);
	vm.timeout_s = c->o->timeout_s;
	vm.on_line = boot_line;
	vm.ctx = &run;
	if (log && !(vm.console_log = strdup(log))) {
		r = -ENOMEM;
		goto out;
	}
	r = kprof_vm_run(&vm, &res);
	if (r < 0)
		goto out;
	b->ran = true;
	c->accel = vm.accel;	/* the probe is paid once per certification */
	b->accel = kprof_vm_accel_name(vm.accel);
	b->accel_reason = vm.accel_reason ? strdup(vm.accel_reason) : NULL;
	b->cmdline = kt_str_steal(&cmdline);
	b->host_s = res.elapsed_s;
	b->timed_out = res.timed_out;
	b->qemu_status = res.exit_status;
	if ((ev = kprof_vm_result_event(&res, "init-start"))) {
		b->reached_init = true;
		b->init_us = ev->uptime_us;
	}
	if ((ev = kprof_vm_result_event(&res, "modules-loaded")))
		b->modules_us = ev->uptime_us;
	if ((ev = kprof_vm_result_event(&res, "workload-exec")))
		b->exec_us = ev->uptime_us;
	if ((ev = kprof_vm_result_event(&res, "workload-ready"))) {
		b->ready = true;
		b->ready_us = ev->uptime_us;
	}
	if ((ev = kprof_vm_result_event(&res, "smoke-done"))) {
		b->smoke_status = event_status(ev);
		b->smoke_us = ev->uptime_us;
	}
	if ((ev = kprof_vm_result_event(&res, "stop-request"))) {
		size_t n;
		const char *src = kprof_vm_event_field(ev, "source", &n);

		b->stop_us = ev->uptime_us;
		b->stop_source = src ? strndup(src, n) : NULL;
	}
	b->workload_status = event_status(kprof_vm_result_event(&res, "workload-exit"));
	if ((ev = kprof_vm_result_event(&res, "mount")) &&
	    (dev = kprof_vm_event_field(ev, "dev", &dev_len)) &&
	    dev_len == strlen(VPMEM_DEV) && !strncmp(dev, VPMEM_DEV, dev_len)) {
		/* the mount's own fields: the TSC stamp is the timeline's */
		const char *tsc = strstr(ev->args, " tsc=");

		b->vpmem_mount = strndup(ev->args, tsc ? (size_t)(tsc - ev->args) : strlen(ev->args));
	}
	if ((ev = kprof_vm_result_event(&res, "poweroff"))) {
		b->poweroff_us = ev->uptime_us;
		b->poweroff = !res.timed_out && res.exit_status == 0;
	}
	certify_power_on_times(&res, b);
	r = 0;
out:
	kprof_vm_result_release(&res);
	kprof_vm_release(&vm);
	kt_str_free(&cmdline);
	kt_str_free(&monitor);
	return r;
}

/* The init stopped because of the power button the host pressed. */
static bool stopped_by_button(const struct certify_boot *b)
{
	return b->powerdown_sent && b->stop_source && !strcmp(b->stop_source, "power-button");
}

static bool boot_passes(const struct certify *c, const struct certify_boot *b)
{
	return b->ran && b->reached_init && b->ready && b->poweroff && stopped_by_button(b) &&
	       (!c->has_smoke || b->smoke_status == 0);
}

/* The main boot, its console kept; 1 when QEMU did not start (a failed check says so). */
static int main_boot(struct certify *c)
{
	struct certify_boot *b = &c->main_boot;
	int r;

	kt_progress("certify: booting %s on %s with %u MB", c->twin ? c->twin : c->o->kernel,
		    pipeline_machine_name(c->t->machine), c->o->memory_mb);
	r = certify_boot_once(c, c->o->memory_mb, c->console_log, b);
	if (r < 0) {
		kt_err("certify: could not start QEMU: %s", strerror(-r));
		r = certify_check_add(c, "boot", "fail", "not-run", "QEMU did not start: %s",
				      strerror(-r));
		return r < 0 ? r : 1;
	}
	kt_progress("certify: boot done on %s in %.1fs host time", b->accel, b->host_s);
	return 0;
}

static int boot_checks(struct certify *c)
{
	struct certify_boot *b = &c->main_boot;
	const char *where;
	int r = main_boot(c);

	if (r)
		return r < 0 ? r : 0;
	where = b->accel;
	certify_check_add(c, "boot to init", b->reached_init ? "pass" : "fail", where,
		  b->reached_init ? "the init reported init-start" :
				    "no init-start line on the console");
	certify_check_add(c, "workload ready", b->ready ? "pass" : "fail", where,
		  b->ready ? "the init reported workload-ready" : "never became ready");
	if (!c->has_smoke)
		certify_check_add(c, "smoke test", "not-run", "not-run",
			  "the image's container spec has no smoke test");
	else if (b->smoke_status == 0)
		certify_check_add(c, "smoke test", "pass", where, "exit status 0");
	else if (b->smoke_status > 0)
		certify_check_add(c, "smoke test", "fail", where, "exit status %d", b->smoke_status);
	else
		certify_check_add(c, "smoke test", "fail", where, "the smoke test never finished");
	if (!b->host_port)
		certify_check_add(c, "host smoke test", "not-run", "not-run", "%s",
				  c->no_nic ? c->no_nic : "the workload has no ready tcp-port to forward");
	else if (b->host_smoke < 0)
		certify_check_add(c, "host smoke test", "fail", where,
				  "never ran: the workload did not become ready");
	else
		/* The host port changes from run to run: checks do not name it. */
		certify_check_add(c, "host smoke test", b->host_smoke ? "fail" : "pass", where,
				  "a host port forwarded to the guest's port %u: %s",
				  c->o->project->ready_port, b->host_smoke_detail);
	if (c->vpmem_image)
		certify_check_add(c, "VPMem root", b->vpmem_mount ? "pass" : "fail", where,
				  b->vpmem_mount ? "an NVDIMM with an ext4 image; the init mounted it: %s" :
				  "an NVDIMM with an ext4 image; the init did not mount " VPMEM_DEV "%s",
				  b->vpmem_mount ? b->vpmem_mount : "");
	certify_check_add(c, "power-button stop", stopped_by_button(b) ? "pass" : "fail", where,
			  stopped_by_button(b) ? "system_powerdown: the init stopped the workload" :
			  b->powerdown_sent ? "system_powerdown sent, the init saw no power button" :
			  "the tests never finished, no stop was requested");
	return certify_check_add(c, "clean power-off", b->poweroff ? "pass" : "fail", where,
			 b->poweroff ? "the init powered off and QEMU exited 0" :
				       "no clean power-off (timeout, panic or crash)");
}

/*
 * A user's init (init: {external:}) keeps no ktrim timeline, and nothing it
 * prints proves anything: the one claim is the kernel's. It ran /init (its
 * "Run /init as init process" comes before any init can print), did not
 * fail to execute it, and did not panic (an init that exits panics it)
 * until QEMU exited or the boot's timeout stopped it. What only ktrim-init
 * reports is not-run, so the verdict is partial at best.
 */
static int external_boot_checks(struct certify *c)
{
	static const char *const ktrim_init_checks[] = {
		"workload ready", "smoke test", "host smoke test", "VPMem root",
		"power-button stop", "clean power-off", "smallest passing memory",
	};
	struct certify_boot *b = &c->main_boot;
	struct kt_str d = KT_STR_INIT;
	bool pass = false;
	int r = main_boot(c);

	if (r)
		return r < 0 ? r : 0;
	if (!b->kernel_ran_init)
		kt_str_puts(&d, "the kernel never printed 'Run /init as init process'");
	else if (b->init_exec_failed)
		kt_str_puts(&d, "the kernel could not execute /init ('Failed to execute /init')");
	else if (b->kernel_panic)
		kt_str_puts(&d, "the kernel ran /init, then panicked (as when the init exits)");
	else
		pass = true;
	if (pass)
		kt_str_puts(&d, "the kernel ran /init ('Run /init as init process'), printed no "
			    "failure to execute it and no panic");
	if (b->timed_out)
		kt_str_printf(&d, " before the %u s timeout stopped QEMU", c->o->timeout_s);
	else
		kt_str_printf(&d, "; QEMU exited with status %d", b->qemu_status);
	kt_str_printf(&d, " (the kernel's lines only: the init is the project's own, %s, and "
		      "what it prints proves nothing)", c->external);
	r = kt_str_error(&d);
	if (r == 0)
		r = certify_check_add(c, "boot to init", pass ? "pass" : "fail", b->accel, "%s",
				      d.buf);
	for (size_t i = 0; r == 0 && i < KT_ARRAY_SIZE(ktrim_init_checks); i++)
		if (strcmp(ktrim_init_checks[i], "VPMem root") || c->t->format == PIPELINE_FORMAT_LCOW)
			r = certify_check_add(c, ktrim_init_checks[i], "not-run", "not-run",
					      "the init is external (%s: init: {external:}): this "
					      "check reads ktrim-init's timeline, which it does not keep",
					      c->external);
	kt_str_free(&d);
	return r;
}

/*
 * Smallest memory that still passes, to 2 MB: bisect between a size known
 * to fail and the main boot's size, which passed.
 */
static int bisect_memory(struct certify *c)
{
	unsigned good = c->o->memory_mb, bad = 8;
	struct certify_boot b;

	bool bad_booted = false;

	while (good - bad > 2) {
		unsigned mid = bad + (good - bad) / 2;
		bool ok;

		if (certify_boot_once(c, mid, NULL, &b) < 0)
			break;
		c->bisect_boots++;
		ok = boot_passes(c, &b);
		kt_progress("certify: %u MB %s", mid, ok ? "passes" : "fails");
		certify_boot_release(&b);
		if (ok) {
			good = mid;
		} else {
			bad = mid;
			bad_booted = true;
		}
	}
	c->min_memory_mb = good;
	/* Only sizes that were booted are reported. */
	if (bad_booted)
		return certify_check_add(c, "smallest passing memory", "pass", c->main_boot.accel,
					 "%u MB (%u MB fails; %u boots)", good, bad, c->bisect_boots);
	return certify_check_add(c, "smallest passing memory", "pass", c->main_boot.accel,
				 "%u MB (every size booted passed; %u boots)", good, c->bisect_boots);
}

/*
 * What only the target's real host exercises (Hyper-V's VMBus devices):
 * one not-run check, so the verdict stays partial and says why.
 */
static int host_only_checks(struct certify *c)
{
	struct kt_str names = KT_STR_INIT;
	int r;

	if (!c->t->host_only.len)
		return 0;
	for (size_t i = 0; i < c->t->host_only.len; i++)
		kt_str_printf(&names, "%s%s", i ? ", " : "", (char *)kt_array_ptr(&c->t->host_only, i));
	r = kt_str_error(&names);
	if (r == 0)
		r = certify_check_add(c, "host-only devices", "not-run", "not-run",
				      "%s: only a %s host runs them (QEMU has no VMBus); their "
				      "options are checked statically above", names.buf, c->t->name);
	kt_str_free(&names);
	return r;
}

/*
 * The boots' NIC is virtio-net on PCI (or MMIO on microvm): a kernel
 * without its driver gets none, and the host smoke test cannot run.
 */
static void nic_check(struct certify *c)
{
	const char *net = c->config ? kt_map_get(c->config, "VIRTIO_NET") : NULL;
	const char *bus = c->config ? kt_map_get(c->config, c->t->machine == PIPELINE_MACHINE_MICROVM ?
						   "VIRTIO_MMIO" : "VIRTIO_PCI") : NULL;

	if (c->config && !c->config_unbound && !(net && !strcmp(net, "y") && bus && !strcmp(bus, "y")))
		c->no_nic = "the kernel drives no NIC QEMU offers here (virtio-net is off; "
			    "the target's NIC needs its own host)";
}

char *certify_path_beside(const char *file, const char *name)
{
	char *copy = strdup(file), *out = NULL;
	struct kt_str s = KT_STR_INIT;

	if (!copy)
		return NULL;
	kt_str_printf(&s, "%s/%s", dirname(copy), name);
	out = kt_str_steal(&s);
	free(copy);
	return out;
}

int pipeline_certify(const struct pipeline_certify_opts *o, enum pipeline_verdict *verdict)
{
	struct certify c = { .o = o, .t = o->target, .accel = o->accel };
	struct kt_str text = KT_STR_INIT;
	char *out_path = NULL;
	int r;

	kt_array_init(&c.checks, sizeof(struct certify_check));
	out_path = o->output ? strdup(o->output) : certify_path_beside(o->kernel, "certificate.yaml");
	c.config_path = o->config ? strdup(o->config) : certify_path_beside(o->kernel, ".config");
	c.console_log = certify_path_beside(out_path, "console.log");
	c.overlay_path = o->overlay ? strdup(o->overlay) :
			 certify_path_beside(out_path, "certify-overlay.cpio");
	if (o->project && o->project->init_external &&
	    asprintf(&c.external, "%s:%u", o->project->file, o->project->init_line) < 0)
		c.external = NULL;
	if (!out_path || !c.config_path || !c.console_log || !c.overlay_path ||
	    (o->project && o->project->init_external && !c.external)) {
		r = -ENOMEM;
		goto out;
	}

	kt_progress("certify: static checks for %s", c.t->name);
	c.kernel = strdup(o->kernel);
	r = c.kernel ? 0 : -ENOMEM;
	if (r == 0 && c.t->disk != PIPELINE_DISK_NONE)
		r = certify_disk(&c);
	if (r == 0)
		r = certify_kernel_format(&c);
	if (r == 0 && access(c.config_path, R_OK) == 0)
		r = certify_config_load(&c);
	if (r == 0)
		r = certify_config_binding(&c);
	if (r == 0)
		r = certify_required_options(&c);
	if (r == 0)
		r = certify_initramfs(&c);
	if (r == 0)
		r = host_only_checks(&c);
	if (r < 0)
		goto out;
	nic_check(&c);

	if (c.t->machine == PIPELINE_MACHINE_NONE) {
		certify_check_add(&c, "boot", "not-run", "not-run",
			  "target %s needs a Hyper-V host; this machine has none "
			  "(QEMU has no VMBus)", c.t->name);
	} else if (!o->initramfs) {
		certify_check_add(&c, "boot", "not-run", "not-run", "no initramfs to boot");
	} else {
		struct kt_str err = KT_STR_INIT;

		r = certify_stage_image(&c, &err);
		if (r == 0 && c.t->disk != PIPELINE_DISK_NONE && o->disk)
			r = certify_stage_disk(&c, &err);
		/* ktrim-init mounts the VPMem root (ktrim.mount=); a user's init would not. */
		if (r == 0 && c.t->format == PIPELINE_FORMAT_LCOW && !c.external)
			r = certify_stage_vpmem(&c, &err);
		if (r < 0) {
			kt_err("certify: cannot build the boot image: %s",
			       err.len ? err.buf : strerror(-r));
			kt_str_free(&err);
			goto out;
		}
		kt_str_free(&err);
		c.has_smoke |= o->project && o->project->smoke_command.len;
		r = c.external ? external_boot_checks(&c) : boot_checks(&c);
		if (r == 0 && !c.external && o->bisect && boot_passes(&c, &c.main_boot))
			r = bisect_memory(&c);
		else if (r == 0 && !c.external && o->bisect)
			r = certify_check_add(&c, "smallest passing memory", "not-run", "not-run",
				      "the main boot did not pass");
		if (r == 0 && o->analyze && !c.external)
			r = certify_analyze(&c);
		if (r < 0)
			goto out;
	}

	*verdict = certify_verdict(&c);
	r = certify_format(&c, &text);
	if (r == 0)
		r = kt_atomic_write_str(out_path, 0644, &text);
	if (r < 0) {
		kt_err("cannot write %s: %s", out_path, strerror(-r));
		goto out;
	}
	kt_progress("certify: %s: %zu checks, verdict %s", out_path, c.checks.len,
		    pipeline_verdict_name(*verdict));
out:
	certify_release(&c);
	kt_str_free(&text);
	free(out_path);
	return r;
}

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

#include "pipeline/pipeline.h"

/* Xen's ELF note type for the 32-bit PVH entry point. */
#define PVH_NOTE_TYPE 18

struct check {
	char *name;
	const char *result;	/* "pass", "fail", "not-run" */
	const char *where;	/* "static", "kvm", "tcg", "not-run" */
	char *detail;
};

struct boot_outcome {
	bool ran;
	bool reached_init;
	bool ready;
	bool poweroff;		/* the init said so and QEMU exited by itself */
	int smoke_status;	/* -1: no smoke event */
	int workload_status;	/* -1: no exit event */
	uint64_t init_us, ready_us, smoke_us, poweroff_us;
	/* Time since vCPU reset from the TSC; 0 when the records carry none. */
	double init_power_on_ms, ready_power_on_ms;
	double host_s;
	const char *accel;
	char *accel_reason;
};

struct certify {
	const struct pipeline_certify_opts *o;
	const struct pipeline_target *t;
	char *config_path;
	struct kt_array checks;	/* struct check */
	struct kt_map *config;	/* symbol (no CONFIG_) -> value string */
	unsigned opt_y, opt_m;
	bool has_smoke;
	unsigned initramfs_entries;
	struct boot_outcome main_boot;
	unsigned min_memory_mb;	/* 0: not measured */
	unsigned bisect_boots;
	char *console_log;
	/* AUTO until the first boot has probed KVM; then what it chose. */
	enum kprof_vm_accel accel;
};

void pipeline_certify_opts_init(struct pipeline_certify_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->memory_mb = 256;
	o->timeout_s = 300;
	o->bisect = true;
	o->icount = true;
	o->accel = KPROF_VM_ACCEL_AUTO;
}

static int check_add(struct certify *c, const char *name, const char *result,
		     const char *where, const char *fmt, ...) KT_PRINTF(5, 6);

static int check_add(struct certify *c, const char *name, const char *result,
		     const char *where, const char *fmt, ...)
{
	struct check ck = { .result = result, .where = where };
	struct kt_str detail = KT_STR_INIT;
	va_list ap;

	va_start(ap, fmt);
	kt_str_vprintf(&detail, fmt, ap);
	va_end(ap);
	ck.name = strdup(name);
	ck.detail = kt_str_steal(&detail);
	if (!ck.name || !ck.detail || !kt_array_push(&c->checks, &ck)) {
		free(ck.name);
		free(ck.detail);
		return -ENOMEM;
	}
	if (strcmp(result, "fail") == 0)
		kt_err("check %s failed: %s", name, ck.detail);
	return 0;
}

/* ---- static checks ------------------------------------------------------ */

static int config_load(struct certify *c)
{
	char *text = NULL, *line, *save = NULL;
	int r;

	c->config = kt_map_new(free);
	if (!c->config)
		return -ENOMEM;
	r = kt_read_file(c->config_path, &text, NULL);
	if (r < 0)
		return r;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq;

		if (strncmp(line, "CONFIG_", 7) != 0 || !(eq = strchr(line, '=')))
			continue;
		*eq = '\0';
		if (!strcmp(eq + 1, "y"))
			c->opt_y++;
		else if (!strcmp(eq + 1, "m"))
			c->opt_m++;
		r = kt_map_set(c->config, line + 7, strdup(eq + 1));
		if (r < 0)
			break;
	}
	free(text);
	return r;
}

/* Options the target needs built in (its recipes' boot: check lists). */
static int check_required_options(struct certify *c)
{
	int r = 0;

	for (size_t i = 0; i < c->t->checks.len && r == 0; i++) {
		const char *name = kt_array_ptr(&c->t->checks, i);
		const char *val = c->config ? kt_map_get(c->config, name + 7) : NULL;
		struct kt_str check = KT_STR_INIT;

		kt_str_printf(&check, "option %s", name);
		if (kt_str_error(&check))
			r = -ENOMEM;
		else if (!c->config)
			r = check_add(c, check.buf, "not-run", "not-run", "no .config to read");
		else if (val && !strcmp(val, "y"))
			r = check_add(c, check.buf, "pass", "static", "=y (built in)");
		else
			r = check_add(c, check.buf, "fail", "static",
				      "%s, the target needs it built in",
				      val ? (!strcmp(val, "m") ? "=m" : val) : "not set");
		kt_str_free(&check);
	}
	return r;
}

static bool file_has_pvh_note(const char *path, struct kt_str *why)
{
	Elf *elf = NULL;
	bool found = false;
	size_t nphdr = 0;
	int fd;

	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		kt_str_printf(why, "cannot open: %s", strerror(errno));
		return false;
	}
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || elf_getphdrnum(elf, &nphdr) != 0) {
		kt_str_puts(why, "not an ELF file");
		goto out;
	}
	for (size_t i = 0; i < nphdr && !found; i++) {
		GElf_Phdr ph;
		Elf_Data *data;
		GElf_Nhdr nh;
		size_t off = 0, name_off, desc_off;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_NOTE)
			continue;
		data = elf_getdata_rawchunk(elf, (int64_t)ph.p_offset, ph.p_filesz,
					    ELF_T_NHDR);
		while (data && (off = gelf_getnote(data, off, &nh, &name_off,
						   &desc_off)) > 0) {
			const char *name = (const char *)data->d_buf + name_off;

			if (nh.n_type == PVH_NOTE_TYPE && nh.n_namesz == 4 &&
			    !memcmp(name, "Xen", 4)) {
				found = true;
				break;
			}
		}
	}
	if (!found)
		kt_str_puts(why, "ELF, but no PVH entry note (CONFIG_PVH off?)");
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return found;
}

/* The boot protocol header ("HdrS") and, for EFI, the PE/COFF signature. */
static int read_head(const char *path, unsigned char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len);
	close(fd);
	return n < 0 ? -errno : (int)n;
}

static int check_kernel_format(struct certify *c)
{
	unsigned char h[1024];
	struct kt_str why = KT_STR_INIT;
	bool bz, pe;
	int n, r;

	n = read_head(c->o->kernel, h, sizeof(h));
	if (n < 0)
		return check_add(c, "kernel format", "fail", "static",
				 "cannot read %s: %s", c->o->kernel, strerror(-n));
	bz = n > 0x206 && !memcmp(h + 0x202, "HdrS", 4) && h[0x1fe] == 0x55 &&
	     h[0x1ff] == 0xaa;
	pe = n >= 0x40 && h[0] == 'M' && h[1] == 'Z';
	if (pe) {
		uint32_t off = (uint32_t)h[0x3c] | (uint32_t)h[0x3d] << 8 |
			       (uint32_t)h[0x3e] << 16 | (uint32_t)h[0x3f] << 24;

		pe = off + 4 <= (uint32_t)n && !memcmp(h + off, "PE\0\0", 4);
	}
	if (c->t->format == PIPELINE_FORMAT_VMLINUX) {
		bool pvh = file_has_pvh_note(c->o->kernel, &why);

		r = check_add(c, "kernel format", pvh ? "pass" : "fail", "static",
			      pvh ? "ELF vmlinux with a PVH entry note" : "%s",
			      kt_str_cstr(&why));
	} else if (c->t->format == PIPELINE_FORMAT_EFI) {
		r = check_add(c, "kernel format", bz && pe ? "pass" : "fail", "static",
			      "bzImage header %s, PE/COFF (EFI stub) %s",
			      bz ? "present" : "missing", pe ? "present" : "missing");
	} else {
		r = check_add(c, "kernel format", bz ? "pass" : "fail", "static",
			      "bzImage boot header %s", bz ? "present" : "missing");
	}
	kt_str_free(&why);
	return r;
}

struct image_scan {
	unsigned entries;
	bool init_ok;
	bool has_spec;
	bool has_smoke;
};

static int scan_entry(const struct initramfs_entry *e, void *ctx)
{
	struct image_scan *s = ctx;

	s->entries++;
	if (!strcmp(e->path, "init") && S_ISREG(e->mode) && (e->mode & 0111))
		s->init_ok = true;
	if (!strcmp(e->path, INITRAMFS_SPEC_PATH) && S_ISREG(e->mode)) {
		const char *p = e->data, *end = p + e->size;

		s->has_spec = true;
		/* A smoke test is any "smoke-arg" directive at a line start. */
		for (; p && p < end; p++) {
			if ((p == e->data || p[-1] == '\n') &&
			    (size_t)(end - p) > 10 && !memcmp(p, "smoke-arg ", 10)) {
				s->has_smoke = true;
				break;
			}
		}
	}
	return 0;
}

static int check_initramfs(struct certify *c)
{
	struct image_scan s = { 0 };
	struct kt_str err = KT_STR_INIT;
	int r;

	if (!c->o->initramfs)
		return check_add(c, "initramfs", "not-run", "not-run",
				 "no --initramfs given");
	r = initramfs_read_file(c->o->initramfs, scan_entry, &s, &err);
	if (r < 0) {
		r = check_add(c, "initramfs", "fail", "static", "%s", kt_str_cstr(&err));
		kt_str_free(&err);
		return r;
	}
	c->initramfs_entries = s.entries;
	c->has_smoke = s.has_smoke;
	return check_add(c, "initramfs", s.init_ok ? "pass" : "fail", "static",
			 "%u entries, /init %s, container spec %s, smoke test %s",
			 s.entries, s.init_ok ? "executable" : "missing",
			 s.has_spec ? "present" : "absent",
			 s.has_smoke ? "present" : "absent");
}

/* ---- boots ---------------------------------------------------------------- */

static void outcome_release(struct boot_outcome *b)
{
	free(b->accel_reason);
	memset(b, 0, sizeof(*b));
}

static int event_status(const struct kprof_vm_event *ev)
{
	const char *s = ev && ev->args ? strstr(ev->args, "status=") : NULL;

	return s ? atoi(s + 7) : -1;
}

static unsigned long long event_tsc(const struct kprof_vm_event *ev)
{
	const char *s = ev && ev->args ? strstr(ev->args, "tsc=") : NULL;

	return s ? strtoull(s + 4, NULL, 10) : 0;
}

/*
 * The kernel's uptime may stand still during early boot (see the init's
 * timeline), so power-on figures come from the TSC, which counts from vCPU
 * reset and so also covers firmware and decompression. Its rate is what the
 * guest's own clock shows between the first and the last record, when the
 * kernel's clocksource runs for certain.
 */
static void power_on_times(const struct kprof_vm_result *res, struct boot_outcome *b)
{
	const struct kprof_vm_event *first = kprof_vm_result_event(res, "init-start");
	const struct kprof_vm_event *last = NULL;
	unsigned long long t0 = event_tsc(first), t1, t_ready;
	double per_ms;

	for (size_t i = 0; i < res->events.len; i++)
		last = kt_array_at(&res->events, i);
	t1 = event_tsc(last);
	if (!t0 || !t1 || t1 <= t0 || last->uptime_us < first->uptime_us + 1000)
		return;
	per_ms = (double)(t1 - t0) * 1000.0 / (double)(last->uptime_us - first->uptime_us);
	b->init_power_on_ms = (double)t0 / per_ms;
	t_ready = event_tsc(kprof_vm_result_event(res, "workload-ready"));
	if (t_ready)
		b->ready_power_on_ms = (double)t_ready / per_ms;
}

static int boot_once(struct certify *c, unsigned memory_mb, const char *log,
		     struct boot_outcome *b)
{
	enum kprof_vm_machine machine;
	struct kprof_vm vm;
	struct kprof_vm_result res;
	struct kt_str cmdline = KT_STR_INIT;
	const struct kprof_vm_event *ev;
	int r;

	memset(b, 0, sizeof(*b));
	b->smoke_status = b->workload_status = -1;
	r = kprof_vm_machine_parse(pipeline_machine_name(c->t->machine), &machine);
	if (r < 0)
		return r;
	kprof_vm_init(&vm, machine);
	kprof_vm_result_init(&res);
	kt_str_puts(&cmdline, c->t->cmdline);
	if (c->o->append)
		kt_str_printf(&cmdline, " %s", c->o->append);
	r = kprof_vm_set_kernel(&vm, c->o->kernel, c->o->initramfs, cmdline.buf);
	if (r < 0)
		goto out;
	vm.accel = c->accel;
	vm.memory_mb = memory_mb;
	vm.icount = c->o->icount;
	vm.timeout_s = c->o->timeout_s;
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
	b->host_s = res.elapsed_s;
	if ((ev = kprof_vm_result_event(&res, "init-start"))) {
		b->reached_init = true;
		b->init_us = ev->uptime_us;
	}
	if ((ev = kprof_vm_result_event(&res, "workload-ready"))) {
		b->ready = true;
		b->ready_us = ev->uptime_us;
	}
	if ((ev = kprof_vm_result_event(&res, "smoke-done"))) {
		b->smoke_status = event_status(ev);
		b->smoke_us = ev->uptime_us;
	}
	b->workload_status = event_status(kprof_vm_result_event(&res, "workload-exit"));
	if ((ev = kprof_vm_result_event(&res, "poweroff"))) {
		b->poweroff_us = ev->uptime_us;
		b->poweroff = !res.timed_out && res.exit_status == 0;
	}
	power_on_times(&res, b);
	r = 0;
out:
	kprof_vm_result_release(&res);
	kprof_vm_release(&vm);
	kt_str_free(&cmdline);
	return r;
}

static bool boot_passes(const struct certify *c, const struct boot_outcome *b)
{
	return b->ran && b->reached_init && b->ready && b->poweroff &&
	       (!c->has_smoke || b->smoke_status == 0);
}

static int boot_checks(struct certify *c)
{
	struct boot_outcome *b = &c->main_boot;
	const char *where;
	int r;

	kt_progress("certify: booting %s on %s with %u MB", c->o->kernel, pipeline_machine_name(c->t->machine),
		    c->o->memory_mb);
	r = boot_once(c, c->o->memory_mb, c->console_log, b);
	if (r < 0) {
		kt_err("certify: could not start QEMU: %s", strerror(-r));
		return check_add(c, "boot", "fail", "not-run", "QEMU did not start: %s",
				 strerror(-r));
	}
	where = b->accel;
	kt_progress("certify: boot done on %s in %.1fs host time", where, b->host_s);
	check_add(c, "boot to init", b->reached_init ? "pass" : "fail", where,
		  b->reached_init ? "the init reported init-start" :
				    "no init-start line on the console");
	check_add(c, "workload ready", b->ready ? "pass" : "fail", where,
		  b->ready ? "the init reported workload-ready" : "never became ready");
	if (!c->has_smoke)
		check_add(c, "smoke test", "not-run", "not-run",
			  "the image's container spec has no smoke test");
	else if (b->smoke_status == 0)
		check_add(c, "smoke test", "pass", where, "exit status 0");
	else if (b->smoke_status > 0)
		check_add(c, "smoke test", "fail", where, "exit status %d", b->smoke_status);
	else
		check_add(c, "smoke test", "fail", where, "the smoke test never finished");
	return check_add(c, "clean power-off", b->poweroff ? "pass" : "fail", where,
			 b->poweroff ? "the init powered off and QEMU exited 0" :
				       "no clean power-off (timeout, panic or crash)");
}

/*
 * Smallest memory that still passes, to 2 MB: bisect between a size known
 * to fail and the main boot's size, which passed.
 */
static int bisect_memory(struct certify *c)
{
	unsigned good = c->o->memory_mb, bad = 8;
	struct boot_outcome b;

	while (good - bad > 2) {
		unsigned mid = bad + (good - bad) / 2;
		bool ok;

		if (boot_once(c, mid, NULL, &b) < 0)
			break;
		c->bisect_boots++;
		ok = boot_passes(c, &b);
		kt_progress("certify: %u MB %s", mid, ok ? "passes" : "fails");
		outcome_release(&b);
		if (ok)
			good = mid;
		else
			bad = mid;
	}
	c->min_memory_mb = good;
	return check_add(c, "smallest passing memory", "pass", c->main_boot.accel,
			 "%u MB (%u MB fails; %u boots)", good, bad, c->bisect_boots);
}

/* ---- the certificate -------------------------------------------------------- */

static void put_kv(struct kt_str *o, const char *indent, const char *key,
		   const char *value)
{
	kt_str_printf(o, "%s%s: ", indent, key);
	kt_yaml_put_scalar(o, value);
	kt_str_putc(o, '\n');
}

static void put_file(struct kt_str *o, const char *key, const char *path)
{
	char hex[65] = "";
	struct stat st;

	kt_str_printf(o, "%s:\n", key);
	put_kv(o, "  ", "path", path);
	if (stat(path, &st) == 0) {
		kt_str_printf(o, "  bytes: %lld\n", (long long)st.st_size);
		if (kt_sha256_file(path, hex) == 0)
			put_kv(o, "  ", "sha256", hex);
	}
}

static void put_ms(struct kt_str *o, const char *key, bool have, uint64_t us)
{
	if (have)
		kt_str_printf(o, "  %s: %.1f\n", key, (double)us / 1000.0);
}

static int certificate_format(struct certify *c, struct kt_str *o)
{
	const struct boot_outcome *b = &c->main_boot;
	unsigned failed = 0;

	kt_str_puts(o, "ktrim-certificate: 1\n");
	put_kv(o, "", "target", c->t->name);
	put_kv(o, "", "machine", pipeline_machine_name(c->t->machine));
	put_kv(o, "", "kernel-format", pipeline_format_name(c->t->format));
	put_file(o, "kernel", c->o->kernel);
	if (c->o->initramfs)
		put_file(o, "initramfs", c->o->initramfs);
	if (c->config) {
		put_file(o, "config", c->config_path);
		kt_str_printf(o, "  options-y: %u\n  options-m: %u\n", c->opt_y, c->opt_m);
	}
	if (b->ran) {
		put_kv(o, "", "accelerator", b->accel);
		if (b->accel_reason)
			put_kv(o, "", "accelerator-reason", b->accel_reason);
		kt_str_printf(o, "guest-clock: %s\n",
			      !strcmp(b->accel, "tcg") && c->o->icount ?
			      "icount shift=0 (instructions, repeatable)" : "real time");
	}
	kt_str_puts(o, "checks:\n");
	for (size_t i = 0; i < c->checks.len; i++) {
		const struct check *ck = kt_array_at(&c->checks, i);

		failed += !strcmp(ck->result, "fail");
		kt_str_puts(o, "  - name: ");
		kt_yaml_put_scalar(o, ck->name);
		kt_str_printf(o, "\n    result: %s\n    where: %s\n", ck->result, ck->where);
		put_kv(o, "    ", "detail", ck->detail);
	}
	kt_str_printf(o, "summary:\n  checks: %zu\n  failed: %u\n", c->checks.len, failed);
	/* Below: measured values; the host's speed shows in host-seconds only. */
	kt_str_puts(o, "measurements:\n");
	if (b->ran) {
		put_ms(o, "boot-to-init-ms", b->reached_init, b->init_us);
		put_ms(o, "boot-to-ready-ms", b->ready, b->ready_us);
		put_ms(o, "smoke-done-ms", b->smoke_status >= 0, b->smoke_us);
		put_ms(o, "poweroff-ms", b->poweroff_us != 0, b->poweroff_us);
		if (b->init_power_on_ms > 0)
			kt_str_printf(o, "  power-on-to-init-ms: %.1f\n", b->init_power_on_ms);
		if (b->ready_power_on_ms > 0)
			kt_str_printf(o, "  power-on-to-ready-ms: %.1f\n", b->ready_power_on_ms);
		kt_str_printf(o, "  host-seconds: %.2f\n", b->host_s);
		kt_str_printf(o, "  memory-mb: %u\n", c->o->memory_mb);
	}
	if (c->min_memory_mb)
		kt_str_printf(o, "  min-memory-mb: %u\n", c->min_memory_mb);
	return (int)failed;
}

static void certify_release(struct certify *c)
{
	for (size_t i = 0; i < c->checks.len; i++) {
		struct check *ck = kt_array_at(&c->checks, i);

		free(ck->name);
		free(ck->detail);
	}
	kt_array_free(&c->checks);
	kt_map_free(c->config);
	outcome_release(&c->main_boot);
	free(c->config_path);
	free(c->console_log);
}

static char *path_beside(const char *file, const char *name)
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

int pipeline_certify(const struct pipeline_certify_opts *o)
{
	struct certify c = { .o = o, .t = o->target, .accel = o->accel };
	struct kt_str text = KT_STR_INIT;
	char *out_path = NULL;
	int r, failed;

	kt_array_init(&c.checks, sizeof(struct check));
	out_path = o->output ? strdup(o->output) : path_beside(o->kernel, "certificate.yaml");
	c.config_path = o->config ? strdup(o->config) : path_beside(o->kernel, ".config");
	c.console_log = path_beside(out_path, "console.log");
	if (!out_path || !c.config_path || !c.console_log) {
		r = -ENOMEM;
		goto out;
	}

	kt_progress("certify: static checks for %s", c.t->name);
	r = check_kernel_format(&c);
	if (r == 0 && access(c.config_path, R_OK) == 0)
		r = config_load(&c);
	if (r == 0)
		r = check_required_options(&c);
	if (r == 0)
		r = check_initramfs(&c);
	if (r < 0)
		goto out;

	if (c.t->machine == PIPELINE_MACHINE_NONE) {
		check_add(&c, "boot", "not-run", "not-run",
			  "target %s needs a Hyper-V host; this machine has none "
			  "(QEMU has no VMBus)", c.t->name);
	} else if (!o->initramfs) {
		check_add(&c, "boot", "not-run", "not-run", "no initramfs to boot");
	} else {
		r = boot_checks(&c);
		if (r < 0)
			goto out;
		if (o->bisect && boot_passes(&c, &c.main_boot))
			r = bisect_memory(&c);
		else if (o->bisect)
			r = check_add(&c, "smallest passing memory", "not-run", "not-run",
				      "the main boot did not pass");
		if (r < 0)
			goto out;
	}

	failed = certificate_format(&c, &text);
	r = kt_atomic_write_buf(out_path, 0644, text.buf, text.len);
	if (r < 0) {
		kt_err("cannot write %s: %s", out_path, strerror(-r));
		goto out;
	}
	kt_progress("certify: %s: %zu checks, %d failed", out_path, c.checks.len, failed);
	r = failed;
out:
	certify_release(&c);
	kt_str_free(&text);
	free(out_path);
	return r;
}

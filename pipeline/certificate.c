// SPDX-License-Identifier: GPL-2.0-only
/*
 * The certificate: the checks a certification recorded, each with where it
 * ran, and what it measured, written as YAML. Checks (the same artefacts
 * give the same results) are kept apart from measurements (times).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <linux/audit.h>
#include <linux/seccomp.h>

#include "pipeline/certify-internal.h"

int certify_check_add(struct certify *c, const char *name, const char *result,
		      const char *where, const char *fmt, ...)
{
	struct certify_check ck = { .result = result, .where = where };
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

/*
 * The filter that shipped, as read from the image's spec (static), and the
 * project's seccomp: that asked for it when certify was given the project.
 */
static void put_seccomp(struct kt_str *o, const struct certify *c)
{
	const struct initramfs_seccomp_info *i = &c->seccomp.info;
	const struct kprof_project *pr = c->o->project;
	static const char *const modes[] = { "unconfined", "default", "from-profile" };

	if (!c->seccomp.spec)
		return;
	kt_str_puts(o, "seccomp:\n  where: static\n");
	if (pr && (unsigned)pr->seccomp < KT_ARRAY_SIZE(modes))
		kt_str_printf(o, "  project-mode: %s%s\n", pr->privileged ? "privileged" :
			      pr->seccomp_set ? modes[pr->seccomp] : "default",
			      !pr->privileged && !pr->seccomp_set ? " (no seccomp: given)" : "");
	if (!c->seccomp.present) {
		kt_str_puts(o, "  filter: none\n");
		return;
	}
	kt_str_printf(o, "  filter: %s\n  instructions: %u\n", c->seccomp.known ? "ktrim" :
		      "not laid out as ktrim builds filters", c->seccomp.instructions);
	if (c->seccomp.sha256[0])
		put_kv(o, "  ", "sha256", c->seccomp.sha256);
	if (!c->seccomp.known)
		return;
	kt_str_printf(o, "  arch: %s (0x%08x)\n  syscalls-allowed: %u\n  syscalls-by-argument: %u\n"
		      "  syscalls-refused: %u\n", i->arch == AUDIT_ARCH_X86_64 ? "x86_64" :
		      i->arch == AUDIT_ARCH_AARCH64 ? "aarch64" : "other", i->arch, i->allowed,
		      i->by_argument, i->refused);
	if ((i->deflt & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO)
		kt_str_printf(o, "  action: errno %u\n", i->deflt & SECCOMP_RET_DATA);
	else
		kt_str_printf(o, "  action: %s\n", i->deflt == SECCOMP_RET_KILL_PROCESS ? "kill" :
			      i->deflt == SECCOMP_RET_LOG ? "log" :
			      i->deflt == SECCOMP_RET_ALLOW ? "allow" : "other");
}

const char *pipeline_verdict_name(enum pipeline_verdict v)
{
	static const char *const names[] = {
		[PIPELINE_CERTIFIED] = "certified",
		[PIPELINE_PARTIAL] = "partial",
		[PIPELINE_FAILED] = "failed",
	};

	return names[v];
}

static unsigned count_result(const struct certify *c, const char *result)
{
	unsigned n = 0;

	for (size_t i = 0; i < c->checks.len; i++)
		n += !strcmp(((const struct certify_check *)kt_array_at(&c->checks, i))->result,
			     result);
	return n;
}

enum pipeline_verdict certify_verdict(const struct certify *c)
{
	if (count_result(c, "fail"))
		return PIPELINE_FAILED;
	return count_result(c, "not-run") ? PIPELINE_PARTIAL : PIPELINE_CERTIFIED;
}

int certify_format(const struct certify *c, struct kt_str *o)
{
	const struct certify_boot *b = &c->main_boot;

	kt_str_puts(o, "ktrim-certificate: 1\n");
	kt_str_printf(o, "verdict: %s\n", pipeline_verdict_name(certify_verdict(c)));
	if (count_result(c, "not-run")) {
		/* A partial certificate names what it could not check, and why. */
		kt_str_puts(o, "not-run:\n");
		for (size_t i = 0; i < c->checks.len; i++) {
			const struct certify_check *ck = kt_array_at(&c->checks, i);

			if (strcmp(ck->result, "not-run"))
				continue;
			kt_str_puts(o, "  - ");
			kt_yaml_put_scalar(o, ck->name);
			kt_str_putc(o, '\n');
		}
	}
	put_kv(o, "", "target", c->t->name);
	put_kv(o, "", "machine", pipeline_machine_name(c->t->machine));
	put_kv(o, "", "kernel-format", pipeline_format_name(c->t->format));
	put_file(o, "kernel", c->o->kernel);
	if (c->o->disk)
		put_file(o, "disk", c->o->disk);
	if (c->o->initramfs)
		put_file(o, "initramfs", c->o->initramfs);
	/* What the boots added to the shipped bytes, hashed on its own. */
	if (c->boot_image && !c->external)
		put_file(o, "overlay", c->overlay_path);
	if (c->external)
		put_kv(o, "", "init", "external");
	put_seccomp(o, c);
	if (c->config) {
		put_file(o, "config", c->config_path);
		kt_str_printf(o, "  options-y: %u\n  options-m: %u\n", c->opt_y, c->opt_m);
	}
	if (b->ran) {
		put_kv(o, "", "accelerator", b->accel);
		if (b->accel_reason)
			put_kv(o, "", "accelerator-reason", b->accel_reason);
		if (b->cmdline)
			put_kv(o, "", "cmdline", b->cmdline);
		kt_str_printf(o, "guest-clock: %s\n", certify_guest_clock(c, b));
	}
	kt_str_puts(o, "checks:\n");
	for (size_t i = 0; i < c->checks.len; i++) {
		const struct certify_check *ck = kt_array_at(&c->checks, i);

		kt_str_puts(o, "  - name: ");
		kt_yaml_put_scalar(o, ck->name);
		kt_str_printf(o, "\n    result: %s\n    where: %s\n", ck->result, ck->where);
		put_kv(o, "    ", "detail", ck->detail);
	}
	kt_str_printf(o, "summary:\n  checks: %zu\n  failed: %u\n  not-run: %u\n", c->checks.len,
		      count_result(c, "fail"), count_result(c, "not-run"));
	/* Below: measured values; the host's speed shows in host-seconds only. */
	kt_str_puts(o, "measurements:\n");
	if (b->ran) {
		put_ms(o, "boot-to-init-ms", b->reached_init, b->init_us);
		put_ms(o, "boot-to-ready-ms", b->ready, b->ready_us);
		put_ms(o, "smoke-done-ms", b->smoke_status >= 0, b->smoke_us);
		put_ms(o, "poweroff-ms", b->poweroff_us != 0, b->poweroff_us);
		if (b->stop_us && b->poweroff_us > b->stop_us)
			kt_str_printf(o, "  stop-to-poweroff-ms: %.1f\n",
				      (double)(b->poweroff_us - b->stop_us) / 1000.0);
		if (b->init_power_on_ms > 0)
			kt_str_printf(o, "  power-on-to-init-ms: %.1f\n", b->init_power_on_ms);
		if (b->ready_power_on_ms > 0)
			kt_str_printf(o, "  power-on-to-ready-ms: %.1f\n", b->ready_power_on_ms);
		kt_str_printf(o, "  host-seconds: %.2f\n", b->host_s);
		kt_str_printf(o, "  memory-mb: %u\n", c->o->memory_mb);
	}
	if (c->min_memory_mb)
		kt_str_printf(o, "  min-memory-mb: %u\n", c->min_memory_mb);
	certify_analyze_format(c, o);
	return kt_str_error(o);
}

void certify_boot_release(struct certify_boot *b)
{
	free(b->accel_reason);
	free(b->host_smoke_detail);
	free(b->stop_source);
	free(b->cmdline);
	free(b->vpmem_mount);
	memset(b, 0, sizeof(*b));
}

void certify_release(struct certify *c)
{
	for (size_t i = 0; i < c->checks.len; i++) {
		struct certify_check *ck = kt_array_at(&c->checks, i);

		free(ck->name);
		free(ck->detail);
	}
	kt_array_free(&c->checks);
	kt_map_free(c->config);
	certify_boot_release(&c->main_boot);
	certify_boot_release(&c->analyze_boot);
	free(c->profile_path);
	free(c->waterfall_path);
	free(c->profile_slowest);
	free(c->config_path);
	free(c->console_log);
	certify_unstage_image(c);
	free(c->kernel);
	free(c->twin);
	free(c->vpmem_image);
	free(c->overlay_path);
	free(c->external);
	free(c->tmpdir);
	free(c->boot_image);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * certify --analyze: after the checks, one more boot of the same image
 * with initcall_debug, read into boot-profile.yaml and boot-waterfall.svg
 * beside the certificate (boot-profile.c, waterfall.c). The analysis is a
 * measurement, not a check: the certificate names the files, the boot's
 * accelerator, and the slowest initcall with its option.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/boot-profile.h"
#include "pipeline/certify-internal.h"

/* The labelled rows of the waterfall. */
#define WATERFALL_TOP 15

static int write_outputs(struct certify *c, const struct boot_profile *bp)
{
	const struct certify_boot *b = &c->analyze_boot;
	struct kt_str yaml = KT_STR_INIT, svg = KT_STR_INIT, title = KT_STR_INIT;
	char sha[65] = "";
	struct boot_profile_meta m = {
		.kernel = c->o->kernel, .kernel_sha256 = sha, .cmdline = b->cmdline,
		.where = b->accel,
		.clock = certify_guest_clock(c, b),
	};
	const char *clock = certify_boot_icounted(c, b) ? "TCG, icount" : b->accel;
	int r = kt_sha256_file(c->o->kernel, sha);

	if (r == 0)
		r = boot_profile_format(bp, &m, &yaml);
	if (r == 0)
		r = kt_atomic_write_str(c->profile_path, 0644, &yaml);
	kt_str_printf(&title, "%s on %s (%s): power-on to ready %.1f ms", c->t->name,
		      pipeline_machine_name(c->t->machine), clock,
		      b->ready_power_on_ms > 0 ? b->ready_power_on_ms : (double)b->ready_us / 1000.0);
	if (r == 0)
		r = kt_str_error(&title);
	if (r == 0 && bp->nphases) {
		r = boot_profile_svg(bp, title.buf, WATERFALL_TOP, &svg);
		if (r == 0)
			r = kt_atomic_write_str(c->waterfall_path, 0644, &svg);
	}
	if (r == 0 && !bp->nphases) {
		free(c->waterfall_path);
		c->waterfall_path = NULL;
	}
	kt_str_free(&yaml);
	kt_str_free(&svg);
	kt_str_free(&title);
	return r;
}

/* The tree's initcall registrations and the trim report's reasons. */
static int map_and_explain(struct certify *c, struct boot_profile *bp,
			   struct kconf_featmap **fm)
{
	const struct pipeline_certify_opts *o = c->o;
	struct kt_str err = KT_STR_INIT;
	struct kconf_reasons *rs = NULL;
	int r = 0;

	if (o->ksrc) {
		const char *arch = o->arch ? o->arch : kconf_host_arch();

		r = kconf_featmap_load(o->ksrc, kconf_arch_to_srcarch(arch), NULL, false, fm);
		if (r < 0) {
			kt_err("certify: cannot read %s's initcalls: %s", o->ksrc, strerror(-r));
			goto out;
		}
		boot_profile_map_sources(bp, *fm, c->config);
	}
	if (o->report) {
		rs = kconf_reasons_new();
		r = rs ? kconf_reasons_load_report(rs, o->report, &err) : -ENOMEM;
		if (r < 0) {
			kt_err("certify: %s", err.len ? err.buf : strerror(-r));
			goto out;
		}
		r = boot_profile_explain(bp, rs);
	}
out:
	kconf_reasons_free(rs);
	kt_str_free(&err);
	return r;
}

int certify_analyze(struct certify *c)
{
	const struct pipeline_certify_opts *o = c->o;
	struct certify_boot *b = &c->analyze_boot;
	struct kconf_featmap *fm = NULL;
	struct kt_str err = KT_STR_INIT, slow = KT_STR_INIT;
	struct boot_profile bp;
	struct kt_array order = KT_ARRAY_INIT(void *);
	char *log = certify_path_beside(c->console_log, "boot-analyze.log");
	char *text = NULL;
	size_t len;
	int r;

	boot_profile_init(&bp);
	c->profile_path = certify_path_beside(c->console_log, "boot-profile.yaml");
	c->waterfall_path = certify_path_beside(c->console_log, "boot-waterfall.svg");
	if (!log || !c->profile_path || !c->waterfall_path) {
		r = -ENOMEM;
		goto out;
	}
	if (c->twin) {
		/* the command line is the disk's: initcall_debug cannot be added */
		kt_warn("certify: --analyze boots -kernel images only; %s boots from its disk",
			c->t->name);
		r = 0;
		goto none;
	}
	kt_progress("certify: analysis boot with initcall_debug (console: %s)", log);
	c->analyzing = true;
	r = certify_boot_once(c, o->memory_mb, log, b);
	c->analyzing = false;
	if (r < 0 || !b->reached_init) {
		kt_err("certify: the analysis boot %s", r < 0 ? strerror(-r) : "never reached the init");
		r = r < 0 ? r : 0;
		goto none;
	}
	r = kt_read_file(log, &text, &len);
	if (r == 0)
		r = boot_profile_parse_console(&bp, text, len);
	if (r == 0 && o->system_map) {
		r = boot_profile_name_functions(&bp, o->system_map, &err);
		if (r < 0)
			kt_err("certify: %s", err.len ? err.buf : strerror(-r));
	}
	if (r == 0)
		r = map_and_explain(c, &bp, &fm);
	if (r < 0)
		goto out;
	boot_profile_phases(&bp, b->init_power_on_ms, (double)b->init_us / 1000.0,
			    (double)b->modules_us / 1000.0, (double)b->exec_us / 1000.0,
			    (double)b->ready_us / 1000.0);
	r = write_outputs(c, &bp);
	if (r < 0) {
		kt_err("certify: cannot write %s: %s", c->profile_path, strerror(-r));
		goto out;
	}
	c->profile_initcalls = bp.calls.len;
	c->profile_resolved = bp.resolved;
	r = boot_profile_slowest(&bp, &order);
	if (r == 0 && order.len) {
		const struct boot_initcall *ic = kt_array_ptr(&order, 0);

		kt_str_printf(&slow, "%s %.1f ms%s%s", ic->fn, (double)ic->dur_us / 1000.0,
			      ic->option ? " CONFIG_" : "", ic->option ? ic->option : "");
		r = kt_str_error(&slow);
		c->profile_slowest = r ? NULL : kt_str_steal(&slow);
	}
	if (r == 0)
		kt_progress("certify: %s: %zu initcalls, %zu mapped to their source", c->profile_path,
			    bp.calls.len, bp.resolved);
	goto out;
none:
	free(c->profile_path);
	free(c->waterfall_path);
	c->profile_path = c->waterfall_path = NULL;
out:
	kt_array_free(&order);
	boot_profile_release(&bp);
	kconf_featmap_free(fm);
	kt_str_free(&err);
	kt_str_free(&slow);
	free(text);
	free(log);
	return r;
}

void certify_analyze_format(const struct certify *c, struct kt_str *o)
{
	const struct certify_boot *b = &c->analyze_boot;

	if (!c->profile_path)
		return;
	/* A separate boot: initcall_debug's printing slows it, so its times are its own. */
	kt_str_printf(o, "analysis:\n  where: %s\n  boot-profile: ", b->accel);
	kt_yaml_put_scalar(o, c->profile_path);
	if (c->waterfall_path) {
		kt_str_puts(o, "\n  waterfall: ");
		kt_yaml_put_scalar(o, c->waterfall_path);
	}
	kt_str_printf(o, "\n  initcalls: %zu\n  initcalls-mapped: %zu\n", c->profile_initcalls,
		      c->profile_resolved);
	if (c->profile_slowest) {
		kt_str_puts(o, "  slowest-initcall: ");
		kt_yaml_put_scalar(o, c->profile_slowest);
		kt_str_putc(o, '\n');
	}
	if (b->ready_power_on_ms > 0)
		kt_str_printf(o, "  power-on-to-ready-ms: %.1f\n", b->ready_power_on_ms);
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * certify-internal.h - private to pipeline/: the certification's state,
 * shared by the static checks (certify-static.c), the boots (certify.c) and
 * the certificate writer (certificate.c), and reached by the unit tests.
 */
#ifndef KTRIM_PIPELINE_CERTIFY_INTERNAL_H
#define KTRIM_PIPELINE_CERTIFY_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "pipeline/pipeline.h"

struct certify_check {
	char *name;
	const char *result;	/* "pass", "fail", "not-run" */
	const char *where;	/* "static", "kvm", "tcg", "not-run" */
	char *detail;
};

struct certify_boot {
	bool ran;
	bool reached_init;
	bool ready;
	bool poweroff;		/* the init said so and QEMU exited by itself */
	int smoke_status;	/* -1: no smoke event */
	int host_smoke;		/* -1: not run, 0: pass, 1: fail */
	char *host_smoke_detail;
	unsigned host_port;	/* forwarded to the guest's ready port, 0: none */
	bool powerdown_sent;	/* system_powerdown went through the monitor */
	char *stop_source;	/* the init's stop-request source, or NULL */
	uint64_t stop_us;	/* when the init saw the stop request */
	int workload_status;	/* -1: no exit event */
	char *vpmem_mount;	/* the init's mount record for /dev/pmem0, or NULL */
	uint64_t init_us, ready_us, smoke_us, poweroff_us;
	uint64_t modules_us, exec_us;	/* the init's modules-loaded, workload-exec */
	/* Time since vCPU reset from the TSC; 0 when the records carry none. */
	double init_power_on_ms, ready_power_on_ms;
	double host_s;
	const char *accel;
	char *accel_reason;
	char *cmdline;		/* the kernel command line it booted with */
	/*
	 * The kernel's own lines about the init, which it prints before any
	 * init runs (init/main.c): "Run /init as init process", "Failed to
	 * execute /init"; and any "Kernel panic" line.
	 */
	bool kernel_ran_init, init_exec_failed, kernel_panic;
	bool timed_out;		/* QEMU was stopped at the boot's timeout */
	int qemu_status;	/* QEMU's exit status (128+signal when stopped) */
};

struct certify {
	const struct pipeline_certify_opts *o;
	const struct pipeline_target *t;
	char *kernel;		/* what the static checks read: the disk's kernel, or o->kernel */
	char *twin;		/* a disk target's boot disk, with the overlay */
	const char *no_nic;	/* why the boots have no NIC, or NULL */
	/*
	 * The project's own init (init: {external:}): "FILE:LINE", or NULL.
	 * Its timeline is not ktrim-init's: only the kernel's lines are read.
	 */
	char *external;
	char *vpmem_image;	/* LCOW: the NVDIMM's root image, or NULL */
	char *config_path;
	struct kt_array checks;	/* struct certify_check */
	struct kt_map *config;	/* symbol (no CONFIG_) -> value string */
	unsigned opt_y, opt_m;
	/* The kernel names no configuration: the .config may not be its own. */
	bool config_unbound;
	bool has_smoke;
	unsigned initramfs_entries;
	/* The seccomp filter in the shipped spec, read statically. */
	struct {
		bool spec;		/* the image has a ktrim spec at all */
		bool present;		/* it has a filter */
		bool known;		/* laid out as ktrim builds filters: info is read */
		unsigned instructions;	/* 0: the text did not decode */
		char sha256[65];
		struct initramfs_seccomp_info info;
	} seccomp;
	struct certify_boot main_boot;
	unsigned min_memory_mb;	/* 0: not measured */
	unsigned bisect_boots;
	char *console_log;
	char *overlay_path;	/* the overlay, written beside the certificate */
	char *tmpdir;		/* the boot image and the monitor socket */
	char *boot_image;	/* shipped initramfs + overlay, what QEMU boots */
	/* --analyze: the boot being run is the analysis boot; its results. */
	bool analyzing;
	struct certify_boot analyze_boot;
	char *profile_path, *waterfall_path;	/* written, or NULL */
	size_t profile_initcalls, profile_resolved;
	char *profile_slowest;	/* "fn 12.3 ms CONFIG_X" */
	/* AUTO until the first boot has probed KVM; then what it chose. */
	enum kprof_vm_accel accel;
};

/* The kernel the static checks read: the disk's when there is one. */
static inline const char *certify_kernel(const struct certify *c)
{
	return c->kernel ? c->kernel : c->o->kernel;
}

/*
 * Instruction-counted guest time (TCG), except through OVMF: under
 * -icount shift=0 it had not reached the kernel after 300 s here, where in
 * real time the kernel is up in seconds. SeaBIOS is fine with it.
 */
static inline bool certify_icount(const struct certify *c)
{
	return c->o->icount && !(c->twin && c->t->disk == PIPELINE_DISK_UEFI);
}

/* Whether @b's guest time counted instructions (TCG under -icount): repeatable. */
static inline bool certify_boot_icounted(const struct certify *c, const struct certify_boot *b)
{
	return b->accel && !strcmp(b->accel, "tcg") && certify_icount(c);
}

/* The guest-clock line of a certificate or boot profile for @b. */
static inline const char *certify_guest_clock(const struct certify *c,
					      const struct certify_boot *b)
{
	return certify_boot_icounted(c, b) ? "icount shift=0 (instructions, repeatable)" :
					     "real time";
}

/* Record a check; "fail" also logs it. -ENOMEM when it cannot be stored. */
int certify_check_add(struct certify *c, const char *name, const char *result,
		      const char *where, const char *fmt, ...) KT_PRINTF(5, 6);
/* The certificate as YAML into @o, its verdict first. */
int certify_format(const struct certify *c, struct kt_str *o);
/* failed if any check failed, else partial if any did not run, else certified. */
enum pipeline_verdict certify_verdict(const struct certify *c);
void certify_boot_release(struct certify_boot *b);
void certify_release(struct certify *c);

/* Static checks: each adds its checks to @c. */
int certify_config_load(struct certify *c);
/*
 * The kernel against the configuration: -EINVAL (logged) when it names
 * another one; a kernel that names none leaves the configuration
 * unverified (c->config_unbound), so the option checks cannot pass.
 */
int certify_config_binding(struct certify *c);
int certify_required_options(struct certify *c);
int certify_kernel_format(struct certify *c);
int certify_initramfs(struct certify *c);

/* certify-disk.c: the shipped disk read back; its twin for the boots. */
int certify_disk(struct certify *c);
int certify_stage_disk(struct certify *c, struct kt_str *err);
/* The -bios image for the target's disk boot; NULL: the machine's own. */
const char *certify_firmware(const struct certify *c);

/* certify-host.c: the boot image (in c->tmpdir) and what the host runs. */
int certify_stage_image(struct certify *c, struct kt_str *err);
void certify_unstage_image(struct certify *c);
/* LCOW: an ext4 image for the NVDIMM (c->vpmem_image). */
int certify_stage_vpmem(struct certify *c, struct kt_str *err);
/* The host smoke test against 127.0.0.1:@port: 0 pass, 1 fail, or -errno. */
int certify_host_smoke(const struct certify *c, unsigned port, struct kt_str *detail);

/* @name in @file's directory (malloc'd), or NULL. */
char *certify_path_beside(const char *file, const char *name);
/* certify-analyze.c: the analysis boot and what it writes (--analyze). */
int certify_analyze(struct certify *c);
/* Its part of the certificate, if it ran. */
void certify_analyze_format(const struct certify *c, struct kt_str *o);
/* One boot as certify.c runs it; @log keeps the console. */
int certify_boot_once(struct certify *c, unsigned memory_mb, const char *log,
		      struct certify_boot *b);

/*
 * Power-on times of a boot from the TSC in its timeline records; both stay
 * 0 when the records carry no usable TSC.
 */
void certify_power_on_times(const struct kprof_vm_result *res, struct certify_boot *b);

#endif

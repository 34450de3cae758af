/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pipeline.h - ktrim's job as functions, one per stage:
 *
 *   target    a target recipe parsed once: machine, kernel format, command
 *             line, boot checks (pipeline_target_*)
 *   config    profile facts + recipes -> the trimmed .config (pipeline_config)
 *   kernel    the kernel's own make, out of tree (pipeline_kernel_*)
 *   pack      a project's workload -> the initramfs (pipeline_pack*)
 *   certify   static checks + QEMU boots -> certificate.yaml (pipeline_certify)
 *   build     all of the above per target, with SHA256SUMS (pipeline_build)
 *
 * The CLI parses options into the structs below and calls one function.
 * Ownership: option structs point at caller-owned strings and are never
 * freed here; objects with an _init/_load have a matching _release that
 * frees what they own. Errors are negative errno values; messages go to the
 * log (kt_err) or, where a function takes one, to @err as "file:line: ...".
 */
#ifndef KTRIM_PIPELINE_H
#define KTRIM_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/common.h"
#include "initramfs/initramfs.h"
#include "kconfig-trim/kconfig.h"
#include "profiler/profiler.h"

/* ---- where data lives ------------------------------------------------------ */

/*
 * The folder holding recipes/ (and guest/ when installed): $KTRIM_DATADIR,
 * else the source tree beside the running binary, else ../share/ktrim
 * beside it, else the compiled-in DATADIR. Static storage.
 */
const char *pipeline_datadir(void);
/* pipeline_datadir()'s recipes/ folder. Static storage. */
const char *pipeline_recipes_dir(void);
/*
 * A static guest program ("ktrim-init", "ktrim-agent") for @arch (NULL or
 * "x86_64": $KTRIM_INIT or $KTRIM_AGENT when set, else build/guest/ in the
 * source tree, else DATADIR/guest/; "arm64": $KTRIM_INIT_ARM64 or
 * $KTRIM_AGENT_ARM64, else build/guest/arm64/, else DATADIR/guest/arm64/).
 * Static storage per name and arch.
 */
const char *pipeline_guest_path(const char *name, const char *arch);

/* ---- boot disks ----------------------------------------------------------------------- */

/* What a target's VM boots from, besides QEMU's -kernel. */
enum pipeline_disk {
	PIPELINE_DISK_NONE,
	PIPELINE_DISK_UEFI,	/* GPT, EFI System partition, EFI/BOOT/BOOTX64.EFI (a UKI) */
	PIPELINE_DISK_BIOS,	/* MBR, SYSLINUX, bzImage + initrd.img */
};

/* ---- targets ------------------------------------------------------------------ */

enum pipeline_machine {
	PIPELINE_MACHINE_NONE,		/* no model here (Hyper-V): static checks */
	PIPELINE_MACHINE_Q35,
	PIPELINE_MACHINE_MICROVM,
	PIPELINE_MACHINE_PC,		/* i440FX + SeaBIOS: Hyper-V generation 1's nearest */
	PIPELINE_MACHINE_VIRT,		/* QEMU's arm64 virt: DT, GIC, PL011, ECAM PCIe */
};

/*
 * How the kernel is built and shipped. Each format yields the make goal,
 * the built file per architecture and the shipped names (pipeline_format_*).
 */
enum pipeline_format {
	PIPELINE_FORMAT_BZIMAGE,	/* x86 boot protocol image */
	PIPELINE_FORMAT_VMLINUX,	/* ELF with a PVH entry note */
	PIPELINE_FORMAT_EFI,		/* bzImage with the EFI stub, as bzImage.efi */
	PIPELINE_FORMAT_LCOW,		/* hcsshim's LinuxBootFiles: kernel, vmlinux, initrd.img */
	PIPELINE_FORMAT_IMAGE,		/* arm64 Image */
	PIPELINE_FORMAT_COUNT,
};

int pipeline_format_parse(const char *name, enum pipeline_format *out);
const char *pipeline_format_name(enum pipeline_format f);
const char *pipeline_format_make_goal(enum pipeline_format f);
/* Relative to the build directory; NULL when @arch has no such format. */
const char *pipeline_format_built_path(enum pipeline_format f, const char *arch);
const char *pipeline_format_kernel_name(enum pipeline_format f);
const char *pipeline_format_initramfs_name(enum pipeline_format f);
/*
 * A second file of the build the format ships, under the same name in the
 * build directory and beside the kernel (LCOW: vmlinux), or NULL.
 */
const char *pipeline_format_also_shipped(enum pipeline_format f);

int pipeline_machine_parse(const char *name, enum pipeline_machine *out);
const char *pipeline_machine_name(enum pipeline_machine m);

/*
 * A target recipe with its includes, validated. Boot values (machine,
 * kernel-format, arch, console, cmdline) come from the recipes' `boot:`
 * sections in include order, the last recipe that sets a key winning, so a
 * target overrides what it includes; `check:` lists are united in that
 * order without repeats. Owns every string and the recipe set.
 */
struct pipeline_target {
	char *name;			/* the recipe's name: "kvm-q35" */
	char *file;			/* its resolved path */
	char *arch;			/* ARCH for the kernel's make; default x86_64 */
	enum pipeline_machine machine;
	enum pipeline_format format;
	char *console;			/* NULL when unset */
	char *cmdline;			/* never NULL */
	enum pipeline_disk disk;	/* shipped as disk.vhdx and booted from it */
	struct kt_array checks;		/* char *: CONFIG_ names built in */
	/*
	 * char *: what only the real host can exercise (Hyper-V's VMBus
	 * devices); each keeps the verdict at partial, named in the certificate.
	 */
	struct kt_array host_only;
	struct kconf_recipe_set recipes;
};

/*
 * Load @what (a name such as "kvm-q35" or a path) from @recipes_dir. A
 * target needs machine and kernel-format; unknown boot keys or values are
 * -EINVAL with "file:line:col: ..." in @err.
 */
int pipeline_target_load(struct pipeline_target *t, const char *recipes_dir,
			 const char *what, struct kt_str *err);
void pipeline_target_release(struct pipeline_target *t);
/* ARCH= for the kernel's make and Kconfig: NULL when the host's own. */
const char *pipeline_target_make_arch(const struct pipeline_target *t);
/*
 * CROSS_COMPILE for a make ARCH= value (NULL: the host's, no prefix): the
 * environment's when set, else Debian's cross toolchain for @arch, which
 * is then also put in the environment so that the Kconfig engine's
 * toolchain probes and the kernel's make agree. NULL when unknown.
 */
const char *pipeline_arch_cross_compile(const char *arch);
/*
 * The target as YAML (every field), or with @field only that field's
 * value on one line (lists space-separated). -ENOENT for an unknown field.
 */
int pipeline_target_format(const struct pipeline_target *t, const char *field,
			   struct kt_str *out);

/* ---- config --------------------------------------------------------------------- */

struct pipeline_config_opts {
	const char *ksrc;
	const char *arch;		/* NULL: the host's */
	const char *const *profiles;	/* ktrim.profile.yaml files */
	size_t nprofiles;
	/* Recipe sets; a recipe file in several sets counts once. */
	const struct kconf_recipe_set *const *recipes;
	size_t nrecipes;
	const char *const *require;	/* "CONFIG_X[=v]" or "kind:name" */
	size_t nrequire;
	const char *const *forbid;
	size_t nforbid;
	/* NULL, or the project whose shipped image needs more (network:) */
	const struct kprof_project *project;
	const char *base;		/* NULL/"allnoconfig" or a .config */
	const char *modules;		/* NULL (recipes decide), builtin, as-needed */
	bool rescan;			/* ignore the feature-map cache */
	bool strict;			/* facts that name nothing in the tree fail */
	bool stats;			/* progress lines with timings */
	unsigned long shuffle_seed;	/* test hook: permute the requirements (0: no) */
	const char *output;		/* .config, written atomically */
	const char *report;		/* NULL or the YAML report */
	/* NULL, or a distro's .config: the report's attack-surface section */
	const char *compare;
};

/*
 * Trim: load the tree and its feature maps, add recipes, profile facts and
 * pins, solve, write. -EINVAL for a bad pin (message in @err) or an unmet
 * requirement (the solver's report in the log).
 */
int pipeline_config(const struct pipeline_config_opts *o, struct kt_str *err);

/* ---- the Kconfig engine's own commands ------------------------------------------ */

struct pipeline_kconfig_opts {
	const char *ksrc;
	const char *arch;	/* NULL: the host's, as the kernel's make maps it */
	bool no_cache;		/* run every $(shell,...) probe */
	bool stats;		/* progress lines with counts */
	enum kconf_rules rules;	/* KCONF_RULES_AUTO: the tree's conf */
};

/* Resolve @in as `make olddefconfig` does; write @out atomically. */
int pipeline_olddefconfig(const struct pipeline_kconfig_opts *o, const char *in,
			  const char *out, struct kt_str *err);
/*
 * Append why each of @syms is on or off in @config (with @report's
 * reasons when given) to @out. Returns the number of unknown symbols
 * (each logged), or a negative errno.
 */
int pipeline_explain(const struct pipeline_kconfig_opts *o, const char *config,
		     const char *report, const char *const *syms, size_t n,
		     struct kt_str *out, struct kt_str *err);

/* ---- profile ------------------------------------------------------------------------- */

/*
 * Boot @project's profiling kernel with the agent, observe the workload,
 * write the profile to @output (scratch in @workdir, default OUTPUT.work).
 * @arch ("x86_64", "arm64") overrides the project's arch:; NULL keeps it.
 * -EPROTO when the workload never got ready or its smoke test failed (its
 * output is shown; no profile is written).
 */
int pipeline_profile(const char *project, const char *output, const char *workdir,
		     enum kprof_vm_accel accel, const char *arch);
/* The union of @n profiles, counts added, into @output. */
int pipeline_profile_merge(const char *const *inputs, size_t n, const char *output);

/* ---- a kernel bound to its configuration ------------------------------------------------- */

/* "cfg-" and 16 hex digits of the configuration's sha256, NUL-terminated. */
#define PIPELINE_ID_LEN 24

/*
 * The identity the kernel stage builds into a kernel made from @config: its
 * banner names it as the build host, "(ktrim@cfg-0123456789abcdef)".
 */
int pipeline_config_identity(const char *config, char id[PIPELINE_ID_LEN]);
/*
 * The identity in a built image's banner, read without booting it;
 * -ENOENT when the kernel carries none (it was not built by ktrim).
 */
int pipeline_kernel_identity(const char *kernel, enum pipeline_format f,
			     char id[PIPELINE_ID_LEN]);

/* ---- kernel ------------------------------------------------------------------------ */

struct pipeline_kernel {
	const char *ksrc;	/* kernel source tree (never written to) */
	const char *build_dir;	/* O= directory (absolute), created when missing */
	const char *arch;	/* ARCH=; NULL: the kernel's default */
	const char *config;	/* .config to build */
	const char *log_path;	/* make's output goes here */
	const char *const *goals;	/* make goals, e.g. "bzImage" */
	size_t ngoals;
	unsigned jobs;		/* 0: the CPU count */
	bool force;		/* build even when the stamp matches */
};

/*
 * Build @k->goals from @k->config, with the configuration's identity as
 * KBUILD_BUILD_HOST (see pipeline_config_identity). Skipped (and *rebuilt false) when the
 * config, the newest source file, CC and the goals are those of the last
 * successful build. On failure the last lines of the log are printed.
 * Returns 0 or a negative errno (-EIO: make failed).
 */
int pipeline_kernel_build(const struct pipeline_kernel *k, bool *rebuilt);
/*
 * `make -C ksrc O=build_dir ARGS...`, output appended to the log, with
 * @k->config's identity as KBUILD_BUILD_HOST when @k->config is set.
 */
int pipeline_kernel_make(const struct pipeline_kernel *k, const char *const *args,
			 size_t nargs);
/*
 * The make goals a target's kernel needs from @config: the format's goal,
 * then "modules" when the configuration has modules. Returns how many
 * (1 or 2); @goals may be NULL.
 */
int pipeline_kernel_goals(const struct pipeline_target *t, const char *config,
			  const char *goals[2]);
/* The release string of a built tree (include/config/kernel.release). */
int pipeline_kernel_release(const char *build_dir, char **out);

/* ---- pack ---------------------------------------------------------------------------- */

/*
 * Append the names of the modules a profile saw to @mods (char *, owned);
 * with @spec, its command becomes the spec's when the spec has none.
 */
int pipeline_profile_modules(const char *profile, struct kt_array *mods,
			     struct initramfs_spec *spec, struct kt_str *err);
/* (Re)load @pr from @path and replace @spec's workload with it. */
int pipeline_project_spec(const char *path, struct kprof_project *pr,
			  struct initramfs_spec *spec, struct kt_str *err);
/* Append every `module:` requirement of @rs's recipes to @mods. */
int pipeline_recipe_modules(const struct kconf_recipe_set *rs, struct kt_array *mods);

/*
 * The project's seccomp filter into @spec (kprof_project_seccomp), the
 * syscalls of @profile (a path) for seccomp: from-profile, where a missing
 * profile is an error naming the project's line; @ksrc NULL: kernel.source.
 */
int pipeline_project_seccomp(const struct kprof_project *pr, const char *profile,
			     const char *ksrc, struct initramfs_spec *spec, struct kt_str *err);

struct pipeline_pack_opts {
	const struct kprof_project *project;
	const char *rootfs_dir;		/* the project's rootfs, as a directory */
	const char *ksrc;		/* its syscall table; NULL: kernel.source */
	const char *profile;		/* its module and syscall facts; NULL or missing: none */
	const char *moddir;		/* NULL: no modules are packed */
	const char *init_path;
	const char *output;
};

/*
 * A project's shipped initramfs: init, module closure, workload, spec; or,
 * with init: {external:}, the project's init tree and the module closure.
 */
int pipeline_pack(const struct pipeline_pack_opts *o, struct kt_str *err);

/*
 * The certification overlay (@pr NULL: no smoke test), a small plain cpio
 * segment holding only etc/ktrim/spec.d/certify: @pr's smoke test, and with
 * @hold certify-hold (after the test the init waits for the host's stop
 * request; without it, it stops the workload and powers off). Appended to
 * the shipped initramfs (zero-padded to 4 bytes) it makes the image certify
 * boots; the kernel unpacks both.
 */
int pipeline_overlay(const struct kprof_project *pr, bool hold, const char *output,
		     struct kt_str *err);

/* `ktrim initramfs`: an image from explicit inputs. */
struct pipeline_initramfs_opts {
	const struct kprof_project *project;	/* NULL: none; its rootfs when no rootfs_dir */
	const char *const *recipes;	/* their `module:` requirements are packed */
	size_t nrecipes;
	const char *recipes_dir;
	const char *const *modules;	/* names or aliases */
	size_t nmodules;
	const char *moddir;		/* needed when any module is asked for */
	const char *kernel_release;	/* NULL: moddir's name */
	bool keep_compressed_modules;
	bool keep_setuid;		/* keep setuid/setgid of non-root files (said per file) */
	const char *rootfs_dir;
	const char *init_path;
	const char *early_dir;		/* uncompressed first segment */
	const char *file_list;		/* gen_init_cpio list of extra entries */
	const struct initramfs_spec *spec;
	struct initramfs_write_opts write;
	const char *output;
};

int pipeline_initramfs(const struct pipeline_initramfs_opts *o, struct kt_str *err);

int pipeline_disk_parse(const char *name, enum pipeline_disk *out);
const char *pipeline_disk_name(enum pipeline_disk d);

struct pipeline_uki_opts {
	const char *kernel;	/* a bzImage with the EFI stub */
	const char *initrd;
	const char *cmdline;
	const char *name;	/* in the image's os-release */
	const char *sign_key;	/* NULL: unsigned; else sbsign with sign_cert */
	const char *sign_cert;
	const char *workdir;	/* scratch files */
	const char *output;
};

/*
 * A Unified Kernel Image on systemd's EFI stub ($KTRIM_EFI_STUB, default
 * Debian's systemd-boot-efi): reproducible unless signed.
 */
int pipeline_uki_build(const struct pipeline_uki_opts *o, struct kt_str *err);
/* Section @name (".linux", ".initrd", ".cmdline") of a UKI in memory. */
int pipeline_uki_section(const void *uki, size_t len, const char *name, const void **data,
			 size_t *size, struct kt_str *err);

struct pipeline_disk_opts {
	enum pipeline_disk kind;
	const char *kernel;
	const char *initrd;
	const char *cmdline;
	const char *name;		/* the target, in the UKI's os-release */
	const char *sign_key;		/* UEFI: sign the UKI (sbsign); NULL: unsigned */
	const char *sign_cert;
	const char *efi_output;		/* UEFI: NULL or where the UKI goes too */
	const char *output;		/* the VHDX */
};

/*
 * The bootable disk as VHDX (see disk.c), written atomically; the same
 * inputs give the same bytes (SOURCE_DATE_EPOCH, identifiers from the
 * content). Needs objcopy, mkfs.fat, mtools, qemu-img and, for BIOS, syslinux.
 */
int pipeline_disk_build(const struct pipeline_disk_opts *o, struct kt_str *err);
/*
 * Copy @path from the first partition's FAT of the VHDX (or raw disk)
 * @disk to @output; *gpt says which partition table it has.
 */
int pipeline_disk_read(const char *disk, const char *path, const char *output, bool *gpt,
		       struct kt_str *err);

/* ---- certify --------------------------------------------------------------------------- */

struct pipeline_certify_opts {
	const char *kernel;
	/*
	 * A disk target's shipped disk.vhdx: the static checks read the kernel
	 * inside it, the boots go through firmware from its twin (see
	 * certify-disk.c). NULL: -kernel boots.
	 */
	const char *disk;
	const char *initramfs;	/* may be NULL: kernel-only static checks */
	/*
	 * The smoke tests (in-guest through the overlay, host-side through a
	 * port forward to the ready tcp-port); NULL: none of them. With
	 * init: {external:} the image boots without overlay and only the
	 * kernel's lines are judged (certify.c: external_boot_checks).
	 */
	const struct kprof_project *project;
	const char *overlay;	/* NULL: certify-overlay.cpio beside the certificate */
	const struct pipeline_target *target;
	const char *config;	/* NULL: .config beside the kernel */
	const char *append;	/* extra kernel command line */
	const char *output;	/* NULL: certificate.yaml beside the kernel */
	unsigned memory_mb;	/* main boot; default 256 */
	unsigned timeout_s;	/* per boot; default 300 */
	bool bisect;		/* find the smallest passing memory */
	bool icount;		/* under TCG: instruction-counted guest time */
	enum kprof_vm_accel accel;
	/*
	 * --analyze: one more boot with initcall_debug, read into
	 * boot-profile.yaml and boot-waterfall.svg beside the certificate
	 * (pipeline/boot-profile.c). @system_map names the initcalls of a
	 * kernel without KALLSYMS, @ksrc (with @arch) maps them to their
	 * source and option, @report (a trim report) says why each option is
	 * on; any of them may be NULL, and the profile says less.
	 */
	bool analyze;
	const char *system_map;
	const char *ksrc;
	const char *arch;
	const char *report;
};

void pipeline_certify_opts_init(struct pipeline_certify_opts *o);

/*
 * certified: every check ran and passed; partial: none failed, but some
 * could not run here (each is named in the certificate); failed.
 */
enum pipeline_verdict {
	PIPELINE_CERTIFIED,
	PIPELINE_PARTIAL,
	PIPELINE_FAILED,
};

const char *pipeline_verdict_name(enum pipeline_verdict v);

/*
 * Run every check and write the certificate atomically; *verdict is its
 * verdict. -EINVAL (and no certificate) when the kernel names another
 * configuration than --config; another negative errno when certification
 * could not run.
 */
int pipeline_certify(const struct pipeline_certify_opts *o, enum pipeline_verdict *verdict);

/* ---- build ------------------------------------------------------------------------------- */

struct pipeline_build_opts {
	const char *project;		/* ktrim.yaml */
	const char *profile;		/* default ktrim.profile.yaml */
	const char *outdir;		/* default ktrim-out */
	const char *ksrc;		/* NULL: the project's kernel source */
	const char *const *targets;	/* NULL: the project's targets */
	size_t ntargets;
	unsigned jobs;
	unsigned memory_mb;		/* 0: certify's default */
	bool certify;
	bool bisect;
	bool analyze;			/* certify --analyze (the first member of a union) */
	const char *compare;		/* NULL, or a distro's .config: attack-surface section */
	bool rebuild;
	bool allow_partial;		/* a partial certificate is no failure */
	const char *sign_key;		/* NULL, or sign UEFI disks' UKIs (sbsign) */
	const char *sign_cert;
	bool plan;			/* print what would be built, as YAML; build nothing */
};

/*
 * Per target, in OUTDIR/TARGET/: config, kernel, modules, initramfs,
 * certificate(s), SHA256SUMS. A target "a+b" builds one kernel for every
 * member recipe (the first decides the format) and certifies each member.
 * Returns 0, -EPROTO when a certificate has failed checks, or another
 * negative errno when a stage could not run.
 */
int pipeline_build(const struct pipeline_build_opts *o);

#endif

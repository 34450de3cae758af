/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * profiler.h - observing a workload on a full distro kernel.
 *
 * Three parts, usable alone:
 *   - the profile (ktrim.profile.yaml): versioned facts with evidence,
 *     loaded, saved (atomically, deterministically) and merged here; the
 *     trimmer reads it through kprof_profile_load() and the plain structs;
 *   - the project file (ktrim.yaml): one application, its workload, its
 *     targets, its kernel source and its profiling kernel;
 *   - a VM launcher (kprof_vm_*): the QEMU command line for a machine model,
 *     a KVM probe with a timeout, console capture and the guest timeline.
 *     `ktrim certify` uses it too.
 *
 * Ownership: every struct is initialised by its _init() (or _load()) and
 * released by its _release(); strings inside are heap copies owned by the
 * struct. Errors are negative errno values; functions taking a struct
 * kt_str *err append a message naming file:line:col (or the path) when
 * they fail.
 */
#ifndef KTRIM_PROFILER_H
#define KTRIM_PROFILER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "initramfs/initramfs.h"

/* ---- profile facts ------------------------------------------------------ */

#define KPROF_PROFILE_VERSION 1

/* The guest ABI's fact kinds (initramfs/init/abi.h). */
enum kprof_kind {
	KPROF_MODULES = GUEST_FACT_MODULES,
	KPROF_FILESYSTEMS = GUEST_FACT_FILESYSTEMS,
	KPROF_SOCKETS = GUEST_FACT_SOCKETS,
	KPROF_SYSCALLS = GUEST_FACT_SYSCALLS,
	KPROF_DEVICES = GUEST_FACT_DEVICES,
	KPROF_NAMESPACES = GUEST_FACT_NAMESPACES,
	KPROF_CGROUPS = GUEST_FACT_CGROUPS,
	KPROF_NETFILTER = GUEST_FACT_NETFILTER,
	KPROF_SYSCTLS = GUEST_FACT_SYSCTLS,
	KPROF_IOCTLS = GUEST_FACT_IOCTLS,
	KPROF_KIND_COUNT = GUEST_FACT_KINDS,
};

/* "modules", "filesystems", ... (the YAML key); NULL when out of range. */
const char *kprof_kind_name(enum kprof_kind kind);
/* Inverse of kprof_kind_name(); -ENOENT for an unknown key. */
int kprof_kind_parse(const char *name, enum kprof_kind *out);

/*
 * One observed fact. For sockets, family/type/protocol hold the triple
 * ("AF_INET", "SOCK_STREAM", 0) and name is the key "AF_INET/SOCK_STREAM/0";
 * for every other kind family and type are NULL.
 */
struct kprof_fact {
	char *name;
	char *family;
	char *type;
	int protocol;
	uint64_t count;		/* >= 1 */
	char *first;		/* process (comm) that first showed it */
};

struct kprof_fact_list {
	struct kprof_fact *items;	/* sorted by name after kprof_profile_sort */
	size_t n;
	size_t cap;
};

struct kprof_profile {
	int version;			/* KPROF_PROFILE_VERSION */
	char *kernel_release;
	/*
	 * The architecture the facts were taken on ("x86_64", "arm64"; merged:
	 * "x86_64+arm64"); NULL in profiles from before it was recorded.
	 * Syscall names are the kernel's own for that ABI (arm64 has no open).
	 */
	char *arch;
	char *workload_name;
	char *rootfs_sha256;		/* lower-case hex, may be NULL */
	struct kt_array command;	/* char * */
	struct kprof_fact_list facts[KPROF_KIND_COUNT];
};

void kprof_profile_init(struct kprof_profile *p);
void kprof_profile_release(struct kprof_profile *p);

/*
 * Add @count observations of @name. An existing fact gets its count raised
 * and keeps its first process; a new one takes @first (NULL -> "unknown").
 * Sockets must go through kprof_profile_add_socket().
 */
int kprof_profile_add(struct kprof_profile *p, enum kprof_kind kind,
		      const char *name, uint64_t count, const char *first);
int kprof_profile_add_socket(struct kprof_profile *p, const char *family,
			     const char *type, int protocol, uint64_t count,
			     const char *first);
/* Find a fact by key (for sockets "FAMILY/TYPE/PROTO"); NULL if absent. */
const struct kprof_fact *kprof_profile_find(const struct kprof_profile *p,
					    enum kprof_kind kind,
					    const char *name);
/* Sort every list by name (sockets: family, type, protocol). */
void kprof_profile_sort(struct kprof_profile *p);

/*
 * Load and validate @path. Unknown keys, a missing or unsupported
 * `ktrim-profile` version, bad counts: -EINVAL with file:line:col.
 */
int kprof_profile_load(const char *path, struct kprof_profile *p,
		       struct kt_str *err);
int kprof_profile_load_string(const char *name, const char *text,
			      struct kprof_profile *p, struct kt_str *err);
/* Serialise (sorted, so the same facts give the same bytes). */
int kprof_profile_format(const struct kprof_profile *p, struct kt_str *out);
/* kprof_profile_format() written atomically (kt_atomic_write), 0644. */
int kprof_profile_save(const struct kprof_profile *p, const char *path);
/*
 * Union @src into @dst: counts add up, the first process of the fact seen
 * first (in @dst) is kept. Different kernel releases or workloads are
 * joined as "a+b" (and the rootfs hashes combined), so a merged profile
 * says it covers several; architectures as a set ("x86_64+arm64").
 */
int kprof_profile_merge(struct kprof_profile *dst,
			const struct kprof_profile *src);

/* ---- the project file (ktrim.yaml) ------------------------------------- */

enum kprof_rootfs_kind {
	KPROF_ROOTFS_DIR = 0,
	KPROF_ROOTFS_TAR,	/* .tar, .tar.gz/.tgz, .tar.xz, .tar.zst */
	KPROF_ROOTFS_OCI,	/* image: an OCI image layout directory */
	KPROF_ROOTFS_DOCKER,	/* image: a `docker save` archive */
};

/* ---- container images (workload: {image: PATH[:TAG]}) ------------------- */

struct kprof_image_layer {
	char *path;	/* relative to the layout, or the archive's member name */
	char *digest;	/* "sha256:HEX" the file must match */
};

/*
 * What an image gives a project: the chosen manifest's layers and its
 * config's run defaults. The index, manifest and config have been checked
 * against their digests (and sizes) by kprof_image_load(); the layers are
 * by kprof_image_layers().
 */
struct kprof_image {
	enum kprof_rootfs_kind kind;	/* KPROF_ROOTFS_OCI or KPROF_ROOTFS_DOCKER */
	char *path;		/* the layout directory or the archive */
	char *tag;		/* from PATH:TAG, or NULL: the first image */
	char arch[16];		/* OCI architecture: "amd64", "arm64" */
	char *platform;		/* "linux/amd64", the one taken */
	char *config_path;	/* relative, like the layers' */
	char *config_digest;
	char *member_prefix;	/* docker save: "" or "./" before member names */
	struct kt_array layers;	/* struct kprof_image_layer, lowest first */
	/* config.* (empty/NULL/0 when the image does not set them) */
	struct kt_array entrypoint, cmd;	/* char * */
	struct kt_array env;	/* char * "K=V" */
	char *user;		/* "UID[:GID]" or "NAME[:GROUP]" */
	char *workdir;		/* absolute */
	uint16_t port;		/* lowest ExposedPorts TCP port */
};

void kprof_image_init(struct kprof_image *img);
void kprof_image_release(struct kprof_image *img);
/*
 * The OCI architecture (GOARCH) of a machine name: x86_64 -> amd64,
 * arm64/aarch64 -> arm64; NULL for others.
 */
const char *kprof_image_arch(const char *machine);
/*
 * Read the image at @path (an OCI layout directory, or a `docker save`
 * archive, compressed or not) for linux/@arch: the manifest named @tag
 * (NULL: the first), through nested indexes to the one whose platform
 * fits; its config and layer list. -EINVAL with "FILE: KEY: problem" (or
 * FILE:LINE:COL (offset N) for bad JSON) on anything wrong, including a
 * document that is not what its digest says, and the platforms on offer
 * when none fits.
 */
int kprof_image_load(struct kprof_image *img, const char *path, const char *tag,
		     const char *arch, struct kt_str *err);
/*
 * The layer files, lowest first, each checked against its digest, into
 * @files (char *, heap paths): a layout's blobs in place; an archive's
 * layers (and config, checked again) extracted into @workdir first.
 */
int kprof_image_layers(const struct kprof_image *img, const char *workdir,
		       struct kt_array *files, struct kt_str *err);

enum kprof_ready_kind {
	KPROF_READY_NONE = 0,	/* ready as soon as it runs */
	KPROF_READY_STDOUT,	/* a line of its stdout matches a glob */
	KPROF_READY_TCP,	/* 127.0.0.1:port accepts in its net ns */
};

/*
 * A path that only some steps read: the kernel tree, the profiling kernel
 * and its modules. A ${VAR} in it that is unset (or set to nothing) when
 * the file loads is no load error: the message is kept here and returned
 * by the field's accessor, so `ktrim initramfs` runs without the profiling
 * kernel's variables. Read it through the accessors only.
 */
struct kprof_project_path {
	char *value;	/* absolute; NULL when absent or unresolved */
	char *error;	/* "file:line:col: environment variable X is not set" */
};

/* workload: {seccomp: ...} */
enum kprof_seccomp {
	KPROF_SECCOMP_UNCONFINED = 0,	/* no filter (also with privileged: true) */
	KPROF_SECCOMP_DEFAULT,		/* Docker's default profile */
	KPROF_SECCOMP_FROM_PROFILE,	/* the profile's syscalls + the runtime's base set */
};

struct kprof_project {
	char *file;		/* path of the ktrim.yaml */
	char *name;
	/* workload */
	char *rootfs;		/* absolute */
	enum kprof_rootfs_kind rootfs_kind;
	/* image: (OCI or DOCKER rootfs_kind; rootfs is then image.path) */
	struct kprof_image image;
	struct kt_array command;	/* char * argv */
	struct kt_array env;	/* char * "K=V" */
	char *cwd;		/* default "/" */
	uint32_t uid, gid;
	char *user_name;	/* user: by name, "USER[:GROUP]" (the guest resolves it), or NULL */
	char *hostname;		/* default: name */
	unsigned namespaces;	/* enum initramfs_ns bits */
	struct kt_array cgroups;	/* char * controller names */
	enum kprof_ready_kind ready;
	char *ready_pattern;
	uint16_t ready_port;
	unsigned ready_timeout_s;	/* default 60 */
	/* smoke test: argv run inside the container once ready */
	struct kt_array smoke_command;	/* char *; empty = no smoke test */
	unsigned smoke_timeout_s;	/* default 30 */
	/*
	 * host-side smoke test: argv run on the host by `ktrim certify` once
	 * the workload is ready, with KTRIM_HOST_PORT (forwarded to the ready
	 * tcp-port) in its environment; empty = connect and read a reply
	 */
	struct kt_array host_smoke_command;	/* char * */
	unsigned host_smoke_timeout_s;	/* default 30 */
	/* after the workload ends: the init's restart policy */
	enum initramfs_restart restart;
	unsigned restart_max;	/* on-failure:N; 0 = no limit */
	unsigned stop_grace_s;	/* SIGTERM -> SIGKILL; 0: the init's 10 s */
	/*
	 * keep-setuid: setuid/setgid bits of files not owned by root survive
	 * the flattening of owners to root (each named when packed)
	 */
	bool keep_setuid;
	/*
	 * Security: cap-add and cap-drop as masks (abi.h, GUEST_CAPS_ALL for
	 * ALL) on Docker's default set; devices passed into the minimal /dev;
	 * privileged: none of the defaults.
	 */
	uint64_t cap_add, cap_drop;
	struct kt_array devices;	/* char * "/dev/..." */
	bool privileged;
	struct guest_rlimits rlimits;	/* rlimits: {nofile: N, ...} */
	/*
	 * seccomp: the filter the container runs under (kprof_project_seccomp),
	 * its action for the syscalls it does not allow (seccomp-action:).
	 */
	enum kprof_seccomp seccomp;
	enum initramfs_seccomp_action seccomp_action;
	unsigned seccomp_line;	/* of "seccomp:", for messages */
	/*
	 * seccomp: was written. Without it the container gets Docker's default
	 * when the kernel tree is known (kprof_project_seccomp), like Docker.
	 */
	bool seccomp_set;
	/*
	 * init: {external: PATH}: the user's init tree (absolute; its /init
	 * checked at load), packed at / instead of ktrim-init, its spec and
	 * the workload rootfs. NULL: ktrim's own init.
	 */
	char *init_external;
	unsigned init_line;	/* of "external:", for messages and certificates */
	/* network: eth0's addresses in the shipped image */
	struct initramfs_net net;
	unsigned net_line;	/* of "network:", for the trim report's reasons */
	/* build side */
	struct kt_array targets;	/* char * recipe names */
	/* kernel.source; read it with kprof_project_kernel_source() */
	struct kprof_project_path kernel_source;
	/* profiling kernel: kprof_project_profiling_kernel(), _modules() */
	struct kprof_project_path profile_kernel;	/* image (bzImage) */
	struct kprof_project_path profile_modules;	/* /lib/modules/REL tree */
	/*
	 * profiling.modprobe: the modprobe the guest's module helper runs,
	 * static for the guest's arch (a busybox: it answers to its argv[0]);
	 * NULL: the host's kmod with its libraries (x86_64 guests only)
	 */
	struct kprof_project_path profile_modprobe;
	unsigned profile_memory_mb;	/* default 1024 */
	unsigned profile_timeout_s;	/* whole run, default 300 */
	/* arch: the guests' architecture, "x86_64" (default) or "arm64"; static */
	const char *arch;
	unsigned arch_line;	/* of "arch:", 0 when defaulted */
};


/*
 * Replace @s's command, env, cgroup controllers, cwd, hostname, user,
 * namespaces, network, ready condition, restart policy, stop grace,
 * capabilities, devices, privileged and resource limits with
 * @pr's (copied): the container both the shipped image and a profiling run
 * start. The smoke test is cleared (it travels in the overlay).
 */
int kprof_project_spec(const struct kprof_project *pr, struct initramfs_spec *s);
/*
 * The container's seccomp filter into @s->seccomp, numbered by the
 * syscall table of @ksrc (NULL: the project's kernel.source): none when
 * unconfined or privileged; Docker's default for the container's
 * capabilities (also when the project has no seccomp: and a kernel tree
 * is known; with none, a warning and no filter); from-profile, the syscalls of @profile (a loaded profile)
 * and the runtime's base set. A from-profile project with no @profile
 * (its profiling run, which makes the profile) gets the architecture
 * check alone, so the run sees a filter in place and every call allowed.
 * -EINVAL with file:line when the kernel tree is missing.
 */
int kprof_project_seccomp(const struct kprof_project *pr, const struct kprof_profile *profile,
			  const char *ksrc, struct initramfs_spec *s, struct kt_str *err);
void kprof_project_init(struct kprof_project *pr);
void kprof_project_release(struct kprof_project *pr);
/*
 * Load @path. ${VAR} expands from the environment ("$$" is a literal "$");
 * an unset variable is an error, except in kernel.source,
 * profiling.kernel and profiling.modules, where the accessors below report
 * it. Relative paths resolve against the directory of @path; unknown keys
 * and bad values are -EINVAL with file:line:col.
 */
int kprof_project_load(const char *path, struct kprof_project *pr,
		       struct kt_str *err);

/*
 * kernel.source, profiling.kernel and profiling.modules: 0 with *out the
 * absolute path (owned by @pr), or NULL when the file does not set it;
 * -EINVAL with "file:line:col: environment variable X is not set" (or
 * "... is empty") appended to @err when the value named a variable that
 * was unset or empty at load.
 */
int kprof_project_kernel_source(const struct kprof_project *pr,
				const char **out, struct kt_str *err);
int kprof_project_profiling_kernel(const struct kprof_project *pr,
				   const char **out, struct kt_str *err);
int kprof_project_profiling_modules(const struct kprof_project *pr,
				    const char **out, struct kt_str *err);
int kprof_project_profiling_modprobe(const struct kprof_project *pr,
				     const char **out, struct kt_str *err);

/*
 * Materialise the workload's root filesystem as a directory: a DIR rootfs
 * is returned as it is, a tarball or OCI layout is unpacked into @scratch
 * (layers in order, whiteouts applied). *out is a heap string.
 */
int kprof_project_rootfs_dir(const struct kprof_project *pr,
			     const char *scratch, char **out,
			     struct kt_str *err);

/*
 * Open @rel (open(2) @flags) beneath the directory @rootfd, symlinks
 * resolved as the image they belong to sees them: an absolute target or a
 * ".." stops at @rootfd (openat2 RESOLVE_IN_ROOT). -ENOSYS without openat2.
 */
int kprof_open_in_root(int rootfd, const char *rel, int flags);

/* SHA-256 of a tree: sorted paths, types, modes, link targets, contents. */
int kprof_tree_sha256(const char *dir, char hex[65], struct kt_str *err);

/* ---- the guest's record stream (initramfs/init/abi.h) ------------------ */

/* What the agent reported besides facts. */
struct kprof_guest_report {
	unsigned records;	/* verified records */
	bool ready;
	double ready_s;		/* guest seconds from exec to ready */
	bool smoke_ran;
	int smoke_exit;		/* -1 when it did not finish */
	bool smoke_timed_out;
	struct kt_array output;	/* char *: the smoke test's output lines */
	struct kt_array errors;	/* char *: what went wrong in the guest */
};

void kprof_guest_report_init(struct kprof_guest_report *r);
void kprof_guest_report_release(struct kprof_guest_report *r);
/*
 * Verify and decode the stream in @text (whatever the serial port
 * captured): facts go into @p, the rest into @r. A missing end marker, a
 * missing record or a bad checksum is -EPROTO with @err saying which.
 */
int kprof_guest_parse(const char *text, size_t len, struct kprof_profile *p,
		      struct kprof_guest_report *r, struct kt_str *err);

/* ---- VM launcher -------------------------------------------------------- */

enum kprof_vm_machine {
	KPROF_VM_Q35 = 0,	/* q35 + virtio-pci, bzImage */
	KPROF_VM_MICROVM,	/* microvm + virtio-mmio, PVH vmlinux */
	KPROF_VM_PC,		/* i440FX + SeaBIOS (disk boots) */
	KPROF_VM_VIRT,		/* arm64: QEMU virt + virtio-pci, PL011 console, Image */
};

enum kprof_vm_accel {
	KPROF_VM_ACCEL_AUTO = 0,	/* KVM if the probe passes, else TCG */
	KPROF_VM_ACCEL_KVM,
	KPROF_VM_ACCEL_TCG,
};

/* One `ktrim-timeline: <event> <uptime_us> [k=v ...]` line (nonce checked and cut). */
struct kprof_vm_event {
	char *name;		/* "init-start", "workload-ready", ... */
	uint64_t uptime_us;
	char *args;		/* "n=3" etc., "" when none */
	double host_s;		/* host seconds since QEMU started */
};

/*
 * Called for every console line (without the newline). Return non-zero to
 * stop the VM (it is killed and kprof_vm_run returns that value).
 */
typedef int (*kprof_vm_line_fn)(const char *line, void *ctx);

struct kprof_vm {
	enum kprof_vm_machine machine;
	enum kprof_vm_accel accel;	/* AUTO is resolved by kprof_vm_run */
	const char *qemu;		/* default: qemu-system-x86_64, -aarch64 for virt */
	unsigned memory_mb;		/* default 512 */
	unsigned cpus;			/* default 1 */
	bool icount;			/* -icount shift=0,sleep=off (TCG only) */
	char *kernel;			/* -kernel, or NULL with boot_disk */
	char *firmware;			/* -bios, NULL: the machine's own */
	char *boot_disk;		/* the firmware boots this disk (VHDX or raw) */
	char *initrd;
	char *cmdline;
	char *console_log;		/* console copied here when set */
	char *monitor;			/* HMP monitor's unix socket, or NULL */
	double timeout_s;		/* wall clock; 0 = none */
	kprof_vm_line_fn on_line;
	void *ctx;
	struct kt_array devices;	/* char *: extra QEMU arguments, paired */
	unsigned n_serial;		/* ISA serial ports after ttyS0 */
	unsigned n_virtio;		/* device ids handed out */
	unsigned n_nvdimm, nvdimm_mb;	/* NVDIMMs added, their total size */
	char *accel_reason;		/* why this accelerator (after run) */
	/*
	 * This boot's nonce, drawn by kprof_vm_run: passed as ktrim_nonce=
	 * on the kernel command line; the ktrim init and agent end every
	 * timeline record with " nonce=" and it, and a record without it is
	 * no record (on_line sees it behind "untrusted: "). Empty: none.
	 */
	char nonce[33];
};

struct kprof_vm_result {
	int exit_status;	/* QEMU's status, 128+sig when killed */
	bool timed_out;
	double elapsed_s;
	struct kt_array events;	/* struct kprof_vm_event */
};

void kprof_vm_init(struct kprof_vm *vm, enum kprof_vm_machine machine);
void kprof_vm_release(struct kprof_vm *vm);
/* "q35" | "microvm" | "pc" | "virt" */
int kprof_vm_machine_parse(const char *name, enum kprof_vm_machine *out);
/* The guest architecture of @machine: "x86_64" or "arm64". */
const char *kprof_vm_machine_arch(enum kprof_vm_machine machine);
/* The machine a profiling run uses for @arch (NULL: x86_64); -EINVAL if none. */
int kprof_vm_machine_for_arch(const char *arch, enum kprof_vm_machine *out);
/* The kernel's name of @machine's console UART ("ttyS0", "ttyAMA0"). */
const char *kprof_vm_console(enum kprof_vm_machine machine);
const char *kprof_vm_accel_name(enum kprof_vm_accel accel);

int kprof_vm_set_kernel(struct kprof_vm *vm, const char *kernel,
			const char *initrd, const char *cmdline);
/*
 * Boot through firmware from @disk instead of -kernel: @firmware (-bios,
 * e.g. OVMF; NULL: SeaBIOS) loads the boot loader from the first IDE disk.
 */
int kprof_vm_set_boot_disk(struct kprof_vm *vm, const char *firmware, const char *disk);
/*
 * A read-only NVDIMM of @size_mb MiB backed by @path (q35: the machine gets
 * nvdimm=on and memory slots); the guest sees it through ACPI NFIT as
 * /dev/pmemN, as Hyper-V's VPMem devices appear to LCOW.
 */
int kprof_vm_add_nvdimm(struct kprof_vm *vm, const char *path, unsigned size_mb);
/* A raw virtio block device backed by @path. */
int kprof_vm_add_disk(struct kprof_vm *vm, const char *path, bool readonly);
/* A host directory shared over virtio-9p under mount tag @tag. */
int kprof_vm_add_9p(struct kprof_vm *vm, const char *tag, const char *path,
		    bool readonly);
/* The next ISA serial port (ttyS1, ttyS2, ...) written to @path; virt: -EOPNOTSUPP. */
int kprof_vm_add_serial_file(struct kprof_vm *vm, const char *path);
/* A virtio-serial port named @name (/dev/virtio-ports/NAME) to @path. */
int kprof_vm_add_virtio_serial(struct kprof_vm *vm, const char *name,
			       const char *path);
/* Any other QEMU argument, verbatim. */
int kprof_vm_add_arg(struct kprof_vm *vm, const char *arg);
/*
 * A virtio NIC (virtio-net-pci on q35, virtio-net-device on microvm's
 * virtio-mmio) on QEMU user networking, forwarding 127.0.0.1:@host_port on
 * the host to the guest's @guest_port: at @net's static IPv4 address on
 * its subnet (gateway as QEMU's host address), else at 10.0.2.15.
 * -EINVAL for a prefix QEMU cannot serve (over /30).
 */
int kprof_vm_add_user_net(struct kprof_vm *vm, unsigned host_port, unsigned guest_port,
			  const struct initramfs_net *net);
/* A free TCP port on 127.0.0.1 (bound to port 0, then released). */
int kprof_vm_free_port(unsigned *port);
/* An HMP monitor on a unix socket at @path (vm->monitor), created by QEMU. */
int kprof_vm_add_monitor(struct kprof_vm *vm, const char *path);
/*
 * Send one HMP command (e.g. "system_powerdown") to the running VM's
 * monitor; 0 once QEMU has prompted again, a negative errno otherwise.
 */
int kprof_vm_monitor_command(const struct kprof_vm *vm, const char *cmd);

/*
 * The full QEMU argv (char *, caller frees with kt_array free of each) for
 * the accelerator in vm->accel, which must not be AUTO.
 */
int kprof_vm_build_argv(const struct kprof_vm *vm, struct kt_array *argv);

/*
 * Whether KVM really runs a guest: QEMU boots its firmware under KVM and
 * must finish POST within @timeout_s (a vCPU that merely starts is not
 * enough: nested KVM can hang half-way). A hang is killed and reported as
 * "no". Returns 1 (works), 0 (does not; @why says why).
 */
int kprof_vm_probe_kvm(double timeout_s, struct kt_str *why);

/*
 * Resolve AUTO (honouring $KTRIM_ACCEL=kvm|tcg), start QEMU with the
 * console on its stdout, feed console lines to on_line and the timeline
 * parser, and wait for QEMU to exit or the timeout (then it is killed and
 * res->timed_out set). Returns 0, the on_line stop value, or a negative
 * errno when QEMU could not be started.
 */
int kprof_vm_run(struct kprof_vm *vm, struct kprof_vm_result *res);
void kprof_vm_result_init(struct kprof_vm_result *res);
void kprof_vm_result_release(struct kprof_vm_result *res);
/* The first event called @name, or NULL. */
const struct kprof_vm_event *kprof_vm_result_event(
	const struct kprof_vm_result *res, const char *name);

/*
 * Parse a console line that starts with "ktrim-timeline: " (the tag
 * anywhere else in a line is no record).
 * Returns 1 and fills @ev (heap strings), 0 when the line has no timeline
 * record, -EINVAL when it is malformed.
 */
int kprof_vm_parse_timeline(const char *line, struct kprof_vm_event *ev);
/*
 * The value of @ev's field @key ("status" of "status=0 tsc=9"), @len bytes
 * long (not terminated), or NULL: the one reader of the records' k=v fields.
 */
const char *kprof_vm_event_field(const struct kprof_vm_event *ev, const char *key,
				 size_t *len);
void kprof_vm_event_release(struct kprof_vm_event *ev);

/* ---- a whole profiling run --------------------------------------------- */

struct kprof_run_opts {
	const char *agent;	/* host path of the static ktrim-agent */
	/* Debian's kmod binary; NULL: /usr/bin/kmod (x86_64 guests); profiling.modprobe wins */
	const char *kmod;
	const char *workdir;	/* scratch directory (created), kept */
	enum kprof_vm_accel accel;	/* AUTO: probe */
};

/*
 * Build the profiling initramfs (agent at /init, kmod + its libraries for
 * the module helper, the virtio/9p modules that reach the module tree, the
 * workload rootfs under /ktrim/rootfs, /ktrim/spec), boot the profiling
 * kernel with the module tree shared over 9p, and collect the records
 * into @out (initialised here). Returns 0 when the workload became ready
 * and its smoke test (if any) passed; -EPROTO when the guest reported a
 * failure (see @rep, including the smoke test's output); -ETIMEDOUT when
 * the VM had to be killed; other negative errno for host-side problems.
 */
int kprof_run(const struct kprof_project *pr, const struct kprof_run_opts *o,
	      struct kprof_profile *out, struct kprof_guest_report *rep,
	      struct kt_str *err);

#endif

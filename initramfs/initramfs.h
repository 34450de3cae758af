/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * initramfs.h - reproducible initramfs images for ktrim guests.
 *
 * Four parts, usable alone:
 *   - an archive: entries added by archive path, written as a sorted,
 *     deterministic newc cpio, plain or zstd-compressed, optionally behind
 *     an uncompressed first segment (the kernel unpacks concatenations);
 *   - a reader that walks an image (plain, zstd, multi-segment) entry by
 *     entry and can print `cpio -tv` style lines;
 *   - a module set: names/aliases resolved with libkmod against a module
 *     tree into the dependency closure, in load order (dependencies first);
 *   - the container spec: the line-based file the guest init reads
 *     (/etc/ktrim/spec), and initramfs_pack(), which puts all of it together
 *     with the static init at /init.
 *
 * Every function taking "struct kt_str *err" accepts NULL there.
 *
 * Ownership: objects returned by *_new() belong to the caller and are
 * released with the matching *_free(). Strings and buffers passed in are
 * copied unless a comment says otherwise. Errors are negative errno values;
 * functions taking a struct kt_str *err append a human-readable message
 * (naming the path, file:line or byte offset) when they fail.
 */
#ifndef KTRIM_INITRAMFS_H
#define KTRIM_INITRAMFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "common/common.h"
#include "initramfs/init/abi.h"

/* ---- archive (newc cpio writer) --------------------------------------- */

/*
 * Archive paths may be given with or without a leading '/'; they are
 * stored relative ("bin/sh"), as the kernel and GNU cpio expect. A path
 * with an empty, "." or ".." component after normalisation is rejected
 * with -EINVAL. Missing parent directories are created (0755). Adding a
 * path twice is -EEXIST, except a directory added again as a directory.
 *
 * Output is independent of insertion order and of the host: entries are
 * sorted by path (bytewise), uid/gid are 0, mtime is the archive's mtime
 * for every entry, inode numbers are assigned in sorted order (hard links
 * share one), nlink is computed, device numbers of regular entries are 0.
 */
struct initramfs_archive;

/* mtime defaults to $SOURCE_DATE_EPOCH when set and valid, else 0. */
struct initramfs_archive *initramfs_archive_new(void);
void initramfs_archive_free(struct initramfs_archive *a);
void initramfs_archive_set_mtime(struct initramfs_archive *a, int64_t mtime);
int64_t initramfs_archive_get_mtime(const struct initramfs_archive *a);
size_t initramfs_archive_count(const struct initramfs_archive *a);

/* Only permission bits (07777) of @mode are used. */
int initramfs_archive_add_dir(struct initramfs_archive *a, const char *path,
			      mode_t mode, struct kt_str *err);
/*
 * Regular file whose content is read from @host_path when the archive is
 * written (so large trees cost no memory). @mode 0 takes the host file's
 * permission bits, less setuid/setgid of a non-root host owner (see
 * initramfs_archive_add_tree).
 */
int initramfs_archive_add_file(struct initramfs_archive *a, const char *path,
			       const char *host_path, mode_t mode,
			       struct kt_str *err);
/* Regular file with the given content (copied). */
int initramfs_archive_add_data(struct initramfs_archive *a, const char *path,
			       const void *data, size_t len, mode_t mode,
			       struct kt_str *err);
/*
 * Symbolic link. A relative @target that climbs above the archive root
 * ("../../x" from "a/link") is rejected with -EINVAL; absolute targets are
 * kept as they are (they resolve inside the guest's root).
 */
int initramfs_archive_add_symlink(struct initramfs_archive *a,
				  const char *path, const char *target,
				  struct kt_str *err);
/* @mode is S_IFCHR/S_IFBLK/S_IFIFO/S_IFSOCK | permission bits. */
int initramfs_archive_add_node(struct initramfs_archive *a, const char *path,
			       mode_t mode, dev_t rdev, struct kt_str *err);
/* Hard link to a regular file already in the archive. */
int initramfs_archive_add_hardlink(struct initramfs_archive *a,
				   const char *path, const char *existing,
				   struct kt_str *err);
/*
 * Add the host directory tree @host_dir below archive directory @dest
 * ("" or "/" for the root). Keeps files, directories, symlinks, device
 * nodes, fifos and sockets with their permission bits; hard links inside
 * the tree stay hard links. Ownership and times are not taken from the host.
 *
 * Since every entry is owned by root in the image, a regular file's
 * setuid bit is cleared (with a warning naming it) when its host owner is
 * not root, and its setgid bit when its host group is not root: a setuid
 * file of uid 1000 must not become a setuid-root file. The same holds for
 * list files (their uid/gid fields, or the host file's with mode 0).
 * initramfs_archive_keep_setuid(a, true) keeps the bits as they are.
 */
void initramfs_archive_keep_setuid(struct initramfs_archive *a, bool keep);
int initramfs_archive_add_tree(struct initramfs_archive *a, const char *dest,
			       const char *host_dir, struct kt_str *err);
/*
 * Add entries from a gen_init_cpio-style list file, one per line
 * ("#" comments; uid/gid fields are accepted and ignored):
 *   dir   <name> <mode> <uid> <gid>
 *   file  <name> <hostpath> <mode> <uid> <gid>
 *   slink <name> <target> <mode> <uid> <gid>
 *   nod   <name> <mode> <uid> <gid> <c|b> <maj> <min>
 *   pipe  <name> <mode> <uid> <gid>
 *   sock  <name> <mode> <uid> <gid>
 * Errors name list_path:line.
 */
int initramfs_archive_add_list(struct initramfs_archive *a,
			       const char *list_path, struct kt_str *err);

/* ---- writing ---------------------------------------------------------- */

enum initramfs_compress {
	INITRAMFS_COMPRESS_NONE = 0,
	INITRAMFS_COMPRESS_ZSTD,
};

struct initramfs_write_opts {
	enum initramfs_compress compress;
	int level;		/* zstd level; 0 means 3 (zstd default) */
	int threads;		/* zstd worker threads; 0 = single-threaded */
	bool long_distance;	/* zstd long-distance matching */
	/*
	 * Optional first segment, written as plain newc cpio before the
	 * (possibly compressed) main archive; may be NULL.
	 */
	const struct initramfs_archive *early;
};
#define INITRAMFS_WRITE_OPTS_INIT { INITRAMFS_COMPRESS_ZSTD, 0, 0, false, NULL }

/* Parse "none" | "zstd" (for option parsers). */
int initramfs_compress_parse(const char *name, enum initramfs_compress *out);
/*
 * One option by its command-line name: compress (none|zstd), level
 * (1..22), threads (0..256), long (no value). -EINVAL with a message for
 * a bad value, -ENOENT for an unknown name.
 */
int initramfs_write_opts_set(struct initramfs_write_opts *o, const char *key,
			     const char *value, struct kt_str *err);

/* Write the image to @f. @err names the entry or host file at fault. */
int initramfs_archive_write(const struct initramfs_archive *a,
			    const struct initramfs_write_opts *opts, FILE *f,
			    struct kt_str *err);
/* The same, atomically replacing @path (kt_atomic_write), mode 0644. */
int initramfs_archive_write_file(const struct initramfs_archive *a,
				 const struct initramfs_write_opts *opts,
				 const char *path, struct kt_str *err);

/* ---- reading ---------------------------------------------------------- */

/* One entry as read back; pointers are valid only during the callback. */
struct initramfs_entry {
	const char *path;	/* as stored, e.g. "bin/sh" */
	uint32_t ino;
	uint32_t mode;		/* type + permission bits */
	uint32_t uid, gid;
	uint32_t nlink;
	int64_t mtime;
	uint64_t size;		/* file data size (symlink: target length) */
	uint32_t dev_major, dev_minor;
	uint32_t rdev_major, rdev_minor;
	const char *link_target;	/* symlinks only, else NULL */
	const void *data;	/* file data (size bytes) */
	unsigned segment;	/* 0-based segment index in the image */
	uint64_t offset;	/* header offset within its segment's cpio */
};

/*
 * Walk every entry of every segment of the image in @buf. Segments are
 * concatenated newc archives, each plain or zstd-compressed, with zero
 * padding between them (what the kernel accepts). Stops and returns the
 * callback's value when it is non-zero. Malformed input -> -EINVAL and a
 * message naming the segment and byte offset.
 */
typedef int (*initramfs_entry_fn)(const struct initramfs_entry *e, void *ctx);

/*
 * Images come from anywhere, and a 32 KB zstd frame can hold a gigabyte of
 * zeros: reading is bounded. max_size caps the image file and the total
 * decompressed size of its zstd segments (each segment is held in memory
 * while its entries are walked); past it reading fails with -EFBIG and a
 * message naming the limit. 0 means INITRAMFS_READ_MAX_DEFAULT, 2 GiB,
 * far above any initramfs the kernel would unpack into a guest's RAM.
 */
#define INITRAMFS_READ_MAX_DEFAULT (2ULL << 30)
struct initramfs_read_opts {
	uint64_t max_size;
};

int initramfs_read_buf(const void *buf, size_t len, initramfs_entry_fn fn,
		       void *ctx, struct kt_str *err);
int initramfs_read_buf_opts(const void *buf, size_t len,
			    const struct initramfs_read_opts *o,
			    initramfs_entry_fn fn, void *ctx,
			    struct kt_str *err);
/*
 * As initramfs_read_buf() for the image file @path, which must be a
 * regular file (a symlink to one is fine): a device such as /dev/zero, a
 * FIFO or a directory is refused with -EINVAL before anything is read.
 */
int initramfs_read_file(const char *path, initramfs_entry_fn fn, void *ctx,
			struct kt_str *err);
int initramfs_read_file_opts(const char *path,
			     const struct initramfs_read_opts *o,
			     initramfs_entry_fn fn, void *ctx,
			     struct kt_str *err);
/*
 * Append one `cpio -tv` style line (no newline), e.g.
 * "-rwxr-xr-x   1 root     root        12345 Jan  1  1970 bin/busybox"
 * and " -> target" for symlinks. Times are printed in UTC.
 */
int initramfs_entry_format(const struct initramfs_entry *e, struct kt_str *out);

/* ---- module closure ---------------------------------------------------- */

enum initramfs_mod_comp {
	INITRAMFS_MOD_PLAIN = 0,	/* .ko */
	INITRAMFS_MOD_XZ,		/* .ko.xz */
	INITRAMFS_MOD_ZSTD,		/* .ko.zst */
};

struct initramfs_module {
	const char *name;	/* "virtio_blk" */
	const char *path;	/* absolute host path of the file */
	const char *relpath;	/* relative to the module dir: kernel/.../x.ko */
	enum initramfs_mod_comp comp;
};

struct initramfs_modset;

/*
 * @moddir is a depmod'ed /lib/modules/VER tree. @kernel_release, when not
 * NULL, is what every module's vermagic must start with (else the
 * basename of @moddir is used).
 */
int initramfs_modset_new(const char *moddir, const char *kernel_release,
			 struct initramfs_modset **out, struct kt_str *err);
void initramfs_modset_free(struct initramfs_modset *m);
const char *initramfs_modset_release(const struct initramfs_modset *m);
/*
 * Resolve a module name or alias ("virtio_blk", "fs-ext4",
 * "pci:v00001AF4d00001001sv*...") and add it with its dependency closure
 * (modules.dep and softdeps, pre before post). Built-in modules are
 * recorded (initramfs_modset_builtins) and need nothing loaded. Unknown
 * names -> -ENOENT; a vermagic mismatch -> -EKEYREJECTED; both with a
 * message.
 */
int initramfs_modset_add(struct initramfs_modset *m, const char *name,
			 struct kt_str *err);
/* Modules in load order: every module after all it depends on. */
size_t initramfs_modset_count(const struct initramfs_modset *m);
const struct initramfs_module *initramfs_modset_get(
	const struct initramfs_modset *m, size_t i);
/* Names that resolved to built-ins (nothing to load), sorted. */
size_t initramfs_modset_builtin_count(const struct initramfs_modset *m);
const char *initramfs_modset_builtin(const struct initramfs_modset *m,
				     size_t i);
/*
 * Add the modules to @a under lib/modules/VER/<relpath>. With
 * @decompress, .ko.xz/.ko.zst are stored decompressed as .ko (best for a
 * zstd image, and loadable by kernels without CONFIG_MODULE_DECOMPRESS);
 * otherwise they are stored as they are and the init passes
 * MODULE_INIT_COMPRESSED_FILE. @paths (may be NULL) receives the archive
 * paths in load order ("/lib/modules/..."), as char * the caller frees.
 */
int initramfs_modset_add_to_archive(const struct initramfs_modset *m,
				    struct initramfs_archive *a,
				    bool decompress, struct kt_array *paths,
				    struct kt_str *err);
/* Check one module file's .modinfo vermagic (libelf); -EKEYREJECTED. */
int initramfs_module_check_vermagic(const char *path, const char *release,
				    struct kt_str *err);
/* Read a module file, decompressing .ko.xz/.ko.zst; *buf is malloc'd. */
int initramfs_module_read(const char *path, void **buf, size_t *len,
			  struct kt_str *err);

/* ---- container spec ----------------------------------------------------- */

/*
 * The spec: its grammar, escapes and limits are the guest ABI
 * (initramfs/init/abi.h). This is its one writer, for shipped boots and
 * profiling runs alike; the one parser is initramfs/init/spec.c, run by
 * both guest programs. See initramfs/README.md.
 */
#define INITRAMFS_SPEC_PATH GUEST_SPEC_PATH
/*
 * The certification overlay's addition to the spec (a second cpio segment
 * adds it): only smoke-arg, smoke-timeout and certify-hold, so a certified
 * boot runs the shipped workload unchanged. The init reads at most
 * INITRAMFS_SPEC_ADD_MAX bytes of it.
 */
#define INITRAMFS_SPEC_ADD_PATH GUEST_SPEC_ADD_PATH

enum initramfs_ns {
	INITRAMFS_NS_MNT = 1 << 0,
	INITRAMFS_NS_UTS = 1 << 1,
	INITRAMFS_NS_IPC = 1 << 2,
	INITRAMFS_NS_PID = 1 << 3,
	INITRAMFS_NS_NET = 1 << 4,
	INITRAMFS_NS_CGROUP = 1 << 5,
	INITRAMFS_NS_TIME = 1 << 6,
};

enum initramfs_ready {
	INITRAMFS_READY_NONE = 0,	/* ready when exec'd */
	INITRAMFS_READY_STDOUT,		/* a stdout line matches a glob */
	INITRAMFS_READY_TCP,		/* 127.0.0.1:port accepts */
};

/* Docker's restart policies, applied by the init when the workload ends. */
enum initramfs_restart {
	INITRAMFS_RESTART_NO = 0,	/* power off */
	INITRAMFS_RESTART_ON_FAILURE,	/* again while the status is non-zero */
	INITRAMFS_RESTART_ALWAYS,	/* again, until a stop request */
};

struct initramfs_cgroup_limit {
	char *file;		/* "memory.max", "pids.max", "cpu.max" */
	char *value;
};

/*
 * The NIC's addresses (eth0), as the init applies them when the kernel
 * command line sets none (ktrim.ip= or ip= win: the VMM decides).
 * Values are normalised text ("10.0.2.20/24"), checked when set.
 */
struct initramfs_net {
	char *ipv4;		/* "ADDR/PREFIX", or NULL */
	char *ipv4_gateway;	/* NULL: no IPv4 default route */
	char *ipv6;		/* "ADDR/PREFIX", or NULL */
	char *ipv6_gateway;	/* NULL: no IPv6 default route */
	/*
	 * The kernel's IP autoconfiguration (CONFIG_IP_PNP_DHCP and ip=dhcp
	 * on the command line) configures IPv4; the init only reports it.
	 */
	bool dhcp;
};

void initramfs_net_release(struct initramfs_net *n);
int initramfs_net_copy(struct initramfs_net *dst, const struct initramfs_net *src);
/*
 * @key "ipv4" or "ipv6" with "ADDR/PREFIX[,GATEWAY]", or "dhcp" (no
 * value): checked (family, prefix range, a gateway of the same family;
 * dhcp and a static IPv4 address exclude each other) and stored.
 * -EINVAL with a message in @err; -ENOENT for another key.
 */
int initramfs_net_set(struct initramfs_net *n, const char *key, const char *value,
		      struct kt_str *err);
/* Whether @n asks for anything. */
bool initramfs_net_is_set(const struct initramfs_net *n);

struct initramfs_spec {
	struct kt_array args;	/* char *; empty: rootfs /sbin/init, /bin/sh */
	struct kt_array env;	/* char * "K=V" */
	struct kt_array modules;	/* char * archive paths, load order */
	struct kt_array cgroups;	/* struct initramfs_cgroup_limit */
	struct kt_array controllers;	/* char *: cgroup-enable, "memory" */
	char *cwd;		/* NULL = "/" */
	char *hostname;		/* NULL = "ktrim" */
	char *rootfs;		/* dir in the image ("/rootfs") or /dev/...; NULL = "/" */
	char *rootfs_type;	/* fs type when rootfs is a block device */
	uint32_t uid, gid;
	char *user_name;	/* "USER[:GROUP]" resolved in the guest, or NULL */
	bool readonly;
	unsigned namespaces;	/* enum initramfs_ns bits */
	enum initramfs_ready ready;
	char *ready_pattern;	/* READY_STDOUT: fnmatch glob for a line */
	uint16_t ready_port;	/* READY_TCP */
	uint32_t ready_timeout_s;	/* 0 = none; else stop when not ready by then */
	/*
	 * Smoke test: argv run inside the workload's namespaces (all but
	 * pid) and root once it is ready; the init reports "smoke-done
	 * status=S" on the timeline, then stops the workload.
	 */
	struct kt_array smoke;	/* char *; empty = none */
	uint32_t smoke_timeout_s;	/* 0 means 30 */
	uint32_t timeout_s;	/* 0 = none; else SIGTERM after this long */
	uint32_t stop_grace_s;	/* SIGTERM -> SIGKILL delay; 0 means 10 */
	enum initramfs_restart restart;
	uint32_t restart_max;	/* on-failure: most restarts; 0 = no limit */
	/* Overlay only: after the smoke test, wait for a stop request. */
	bool certify_hold;
	struct initramfs_net net;
	/*
	 * Security (initramfs/README.md): Docker's default capabilities with
	 * these masks added and dropped (abi.h's guest_caps_resolve(),
	 * GUEST_CAPS_ALL for ALL); VM device nodes in the minimal /dev; or
	 * privileged, none of the defaults.
	 */
	uint64_t cap_add, cap_drop;
	struct kt_array devices;	/* char * "/dev/..." */
	bool privileged;
	struct guest_rlimits rlimits;	/* setrlimit before exec */
	/* seccomp filter loaded last before exec (initramfs_seccomp_build); empty: none */
	struct kt_array seccomp;	/* struct guest_bpf_insn */
};

void initramfs_spec_init(struct initramfs_spec *s);
void initramfs_spec_release(struct initramfs_spec *s);
/*
 * "SYS_ADMIN,cap_net_admin" -> added to *@mask (Docker's names, any case,
 * with or without CAP_; ALL); unknown name -> -EINVAL naming it.
 */
int initramfs_spec_parse_caps(const char *list, uint64_t *mask, struct kt_str *err);
/*
 * A resource limit as Docker's --ulimit takes it: @name of
 * guest_rlimit_name() (nofile, nproc, core, ...), @value "SOFT[:HARD]",
 * each a number or "unlimited" (HARD defaults to SOFT; SOFT <= HARD).
 * -EINVAL with a message naming what is wrong.
 */
int initramfs_rlimit_set(struct guest_rlimits *r, const char *name, const char *value,
			 struct kt_str *err);
/* "mnt,uts,pid" -> bits; unknown name -> -EINVAL naming it. */
int initramfs_spec_parse_namespaces(const char *list, unsigned *out,
				    struct kt_str *err);
/* Split a command line into args (shell-like quotes '...', "...", \). */
int initramfs_spec_set_cmd(struct initramfs_spec *s, const char *cmdline,
			   struct kt_str *err);
int initramfs_spec_add_cgroup(struct initramfs_spec *s, const char *file,
			      const char *value);
/* "no", "always", "on-failure[:N]" -> @s's policy; -EINVAL naming it. */
int initramfs_spec_set_restart(struct initramfs_spec *s, const char *policy,
			       struct kt_str *err);
/*
 * One option by its command-line name, without the dashes: restart
 * (POLICY), cmd, smoke,
 * env (NAME=VALUE), cwd, hostname, user (UID[:GID], or USER[:GROUP] with
 * names, looked up in the container's /etc/passwd), namespaces, cgroup
 * (FILE=VALUE), root-dev (DEVICE:FSTYPE), readonly (no value), ready-stdout
 * (GLOB), ready-tcp (PORT), ready-timeout, timeout, stop-grace,
 * smoke-timeout (seconds),
 * ipv4 and ipv6 (ADDR/PREFIX[,GATEWAY]), dhcp (no value), cap-add and
 * cap-drop (NAME[,NAME...], Docker's spelling, ALL), device (/dev/PATH),
 * privileged (no value), rlimit (NAME=SOFT[:HARD]).
 * -EINVAL with a message for a bad value, -ENOENT for an unknown name.
 */
int initramfs_spec_set_option(struct initramfs_spec *s, const char *key,
			      const char *value, struct kt_str *err);
/*
 * Whether the guest runtime takes @s: no list longer than its table
 * (initramfs/init/abi.h: args, env, modules, cgroups, smoke-arg,
 * devices), the spec and the overlay's addition each shorter than the
 * bytes it reads. -E2BIG with a message naming the limit otherwise, so an
 * oversized spec fails when packing, not at boot; -EINVAL for a value the
 * runtime would refuse (a controller, device or user name).
 */
int initramfs_spec_check(const struct initramfs_spec *s, struct kt_str *err);
/*
 * Serialise; same spec -> same bytes. Newlines in values are escaped. A
 * smoke test in @s is written too (`ktrim initramfs --smoke`); the shipped
 * image of `ktrim build` has none, its test travels in the overlay.
 * -E2BIG (no message) for a spec initramfs_spec_check() refuses.
 */
int initramfs_spec_format(const struct initramfs_spec *s, struct kt_str *out);
/*
 * The overlay's addition: @s's smoke test and certify-hold only.
 * -E2BIG when it is larger than the init reads.
 */
int initramfs_spec_format_addition(const struct initramfs_spec *s,
				   struct kt_str *out);

/* ---- seccomp filter ----------------------------------------------------- */

/* What a syscall outside the filter's list gets. */
enum initramfs_seccomp_action {
	INITRAMFS_SECCOMP_ERRNO = 0,	/* EPERM, as Docker's default */
	INITRAMFS_SECCOMP_KILL,		/* the process is killed (SIGSYS) */
	INITRAMFS_SECCOMP_LOG,		/* allowed, and logged by the kernel */
};

enum initramfs_seccomp_policy {
	/* Docker's default profile, its capability rules for @caps */
	INITRAMFS_SECCOMP_DOCKER = 0,
	/* @names (a profile's syscalls) and the runtime's base set (seccomp.c) */
	INITRAMFS_SECCOMP_LIST,
	/* the architecture check only: everything else allowed */
	INITRAMFS_SECCOMP_ALLOW_ALL,
};

struct initramfs_seccomp_opts {
	const char *ksrc;	/* the target kernel tree: its syscall table */
	const char *table;	/* or this table file (syscall_64.tbl format) */
	uint32_t arch;		/* AUDIT_ARCH_X86_64 or AUDIT_ARCH_AARCH64 */
	enum initramfs_seccomp_policy policy;
	enum initramfs_seccomp_action action;
	const char *const *names;	/* INITRAMFS_SECCOMP_LIST */
	size_t nnames;
	uint64_t caps;		/* the container's capabilities (guest_caps_resolve) */
};

/*
 * Compile a seccomp filter into @prog (struct guest_bpf_insn, replaced):
 * a process of another architecture (or x86-64's x32 ABI; an arm64
 * kernel's AArch32 tasks) is killed; the
 * listed syscalls, numbered by the tree's table, are allowed; the rest
 * get @o->action. Names the table lacks are left out (Docker's list
 * names other architectures' calls). -EINVAL naming file:line for a bad
 * table, -E2BIG past INITRAMFS_SPEC_MAX_SECCOMP, -EOPNOTSUPP for another
 * architecture.
 */
int initramfs_seccomp_build(const struct initramfs_seccomp_opts *o, struct kt_array *prog,
			    struct kt_str *err);

/* What a filter of initramfs_seccomp_build() does, read back from its program. */
struct initramfs_seccomp_info {
	uint32_t arch;		/* AUDIT_ARCH_* it admits (x32 killed) */
	unsigned allowed;	/* syscalls allowed whatever their arguments */
	unsigned by_argument;	/* allowed only for some argument values */
	unsigned refused;	/* refused with an errno of their own */
	uint32_t deflt;		/* SECCOMP_RET_* for every other syscall */
};

/*
 * Read @prog (@n instructions, as a spec carries it) back into @out: -EINVAL
 * when it is not laid out as initramfs_seccomp_build() lays filters out.
 */
int initramfs_seccomp_describe(const struct guest_bpf_insn *prog, size_t n,
			       struct initramfs_seccomp_info *out);

/* ---- the whole image ---------------------------------------------------- */

struct initramfs_pack_opts {
	const char *init_path;	/* host ktrim-init (static) */
	/*
	 * Or a user's own init: this host tree at the image's root (its /init
	 * is what the kernel runs). Then no init_path, rootfs or spec: only the
	 * tree, the mount points and consoles it lacks, the module closure and
	 * its load order (see initramfs_pack).
	 */
	const char *init_tree;
	const char *rootfs_dir;	/* host tree to copy to /rootfs, or NULL */
	const char *moddir;	/* module tree, or NULL for no modules */
	const char *kernel_release;	/* NULL: basename of moddir */
	const char *const *modules;	/* names/aliases */
	size_t n_modules;
	bool keep_compressed_modules;
	/* keep setuid/setgid of non-root files: initramfs_archive_add_tree() */
	bool keep_setuid;
	const char *extra_list;	/* gen_init_cpio-style list, or NULL */
	/* Spec to embed (args etc.); modules/rootfs fields are filled in. */
	const struct initramfs_spec *spec;
	struct initramfs_write_opts write;
	const char *output;
};

/*
 * Build the image: /init, /dev/console, the mount points the init uses,
 * the module closure, the rootfs under /rootfs and /etc/ktrim/spec; write
 * it atomically to opts->output. Prints progress lines.
 *
 * With init_tree: the tree at /, then what it lacks of /dev, /dev/console,
 * /dev/kmsg, /proc, /sys, /run, /tmp (the kernel opens /dev/console for
 * the init's stdio before any init can mount devtmpfs); the modules under
 * /lib/modules/VER/ with INITRAMFS_LOAD_ORDER there, their archive paths
 * one a line, dependencies first. -ENOENT when the tree has no /init.
 */
#define INITRAMFS_LOAD_ORDER "modules.load-order"
int initramfs_pack(const struct initramfs_pack_opts *o, struct kt_str *err);

#endif

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The security defaults of an OCI runtime (runc with Docker's defaults),
 * applied by the one launcher (container.c) to the workload and to every
 * process it starts in the container (the smoke test too), each as a
 * table: the capability set (guest_caps_default() in abi.h, cap-add and
 * cap-drop on top), no_new_privs, a minimal /dev with the spec's devices,
 * masked and read-only paths, and the spec's seccomp filter (the host
 * built it: this only loads it). `privileged` in the spec turns all of it off.
 * Raw prctl/capset: the static init links no libcap.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "initramfs/init/init.h"

/* What runc hides (Docker's oci/defaults.go): /dev/null over a file, an empty read-only tmpfs over a directory. */
static const char *const masked_paths[] = {
	"proc/acpi", "proc/asound", "proc/kcore", "proc/keys", "proc/latency_stats",
	"proc/timer_list", "proc/timer_stats", "proc/sched_debug", "proc/scsi",
	"sys/firmware", "sys/devices/virtual/powercap",
};
/* ... and leaves readable only. */
static const char *const readonly_paths[] = {
	"proc/bus", "proc/fs", "proc/irq", "proc/sys", "proc/sysrq-trigger",
};

/* The minimal /dev: the nodes runc creates, by number, 0666. */
static const struct {
	const char *name;
	unsigned char major, minor;
} dev_nodes[] = {
	{ "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 }, { "random", 1, 8 },
	{ "urandom", 1, 9 }, { "tty", 5, 0 },
};
static const char *const dev_links[][2] = {
	{ "fd", "/proc/self/fd" }, { "stdin", "/proc/self/fd/0" },
	{ "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
	{ "ptmx", "pts/ptmx" },
};

/* The step that failed, with its path, for child_fail(). */
static char step[640];

static const char *failed(const char *what, const char *path)
{
	int e = errno;

	snprintf(step, sizeof(step), "%s %s", what, path);
	errno = e;
	return step;
}

/*
 * The nodes the container's /dev copies from the VM's: the console, then
 * the spec's devices, taken before a tmpfs may cover the VM's /dev (a
 * container rooted at "/").
 */
static struct stat dev_src[INITRAMFS_SPEC_MAX_DEVICES + 1];

const char *security_dev_probe(const struct spec *s)
{
	if (s->privileged)
		return NULL;
	for (int i = 0; i <= s->ndevices; i++) {
		const char *p = i ? s->devices[i - 1] : "/dev/console";

		if ((i && wait_for(p) < 0) || stat(p, &dev_src[i]) < 0)
			return failed("device", p);
		if (!S_ISCHR(dev_src[i].st_mode) && !S_ISBLK(dev_src[i].st_mode)) {
			errno = ENODEV;
			return failed("device (not a device node)", p);
		}
	}
	return NULL;
}

/* @rel under @root (the container's root, "" for "/") into @out. */
static char *at(char *out, size_t n, const char *root, const char *rel)
{
	snprintf(out, n, "%s/%s", root, rel);
	return out;
}

/* mkdir -p of @path's parents, below @from (which exists). */
static void parents(char *path, size_t from)
{
	for (char *p = path + from + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
}

/* In the container's fresh /dev (a tmpfs): its nodes, the spec's devices, links. */
const char *security_dev_populate(const struct spec *s, const char *root)
{
	char path[600];
	size_t base = strlen(root) + 4;	/* ".../dev" */

	if (s->privileged)
		return NULL;
	for (size_t i = 0; i < sizeof(dev_nodes) / sizeof(dev_nodes[0]); i++) {
		snprintf(path, sizeof(path), "%s/dev/%s", root, dev_nodes[i].name);
		if (mknod(path, S_IFCHR | 0666, makedev(dev_nodes[i].major,
							  dev_nodes[i].minor)) < 0)
			return failed("mknod", path);
	}
	for (int i = 0; i <= s->ndevices; i++) {
		snprintf(path, sizeof(path), "%s%s", root,
			 i ? s->devices[i - 1] : "/dev/console");
		parents(path, base);
		/* umask 0 keeps the VM's node's mode */
		if (mknod(path, dev_src[i].st_mode & (S_IFMT | 07777), dev_src[i].st_rdev) < 0 &&
		    errno != EEXIST)
			return failed("mknod", path);
	}
	for (size_t i = 0; i < sizeof(dev_links) / sizeof(dev_links[0]); i++) {
		snprintf(path, sizeof(path), "%s/dev/%s", root, dev_links[i][0]);
		if (symlink(dev_links[i][1], path) < 0)
			return failed("symlink", path);
	}
	return NULL;
}

/* Masked, then read-only paths under @root, once its /proc and /sys are mounted. */
const char *security_paths(const struct spec *s, const char *root)
{
	char path[600], null[600];
	struct stat st;

	if (s->privileged)
		return NULL;
	at(null, sizeof(null), root, "dev/null");
	for (size_t i = 0; i < sizeof(masked_paths) / sizeof(masked_paths[0]); i++) {
		int r;

		if (lstat(at(path, sizeof(path), root, masked_paths[i]), &st) < 0) {
			if (errno == ENOENT)
				continue;	/* not in this kernel: nothing to hide */
			return failed("mask", path);
		}
		r = S_ISDIR(st.st_mode) ?
		    mount("tmpfs", path, "tmpfs", MS_RDONLY, "size=0") :
		    mount(null, path, NULL, MS_BIND, NULL);
		if (r < 0)
			return failed("mask", path);
	}
	for (size_t i = 0; i < sizeof(readonly_paths) / sizeof(readonly_paths[0]); i++) {
		at(path, sizeof(path), root, readonly_paths[i]);
		if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
			if (errno == ENOENT)
				continue;
			return failed("bind read-only", path);
		}
		/* proc's own flags with it: a remount must not drop them */
		if (mount(path, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID |
			  MS_NODEV | MS_NOEXEC, NULL) < 0)
			return failed("remount read-only", path);
	}
	return NULL;
}

/* Before the capabilities drop: a hard limit may be raised with CAP_SYS_RESOURCE only. */
const char *security_rlimits(const struct spec *s)
{
	for (unsigned i = 0; i < GUEST_RLIMIT_COUNT; i++) {
		struct rlimit rl = { s->rlimits.soft[i], s->rlimits.hard[i] };

		if ((s->rlimits.set & 1u << i) && setrlimit((int)i, &rl) < 0)
			return failed("setrlimit", guest_rlimit_name(i));
	}
	return NULL;
}

/* While the child still has CAP_SETPCAP: the bounding set. */
const char *security_bound(const struct spec *s)
{
	uint64_t keep = guest_caps_resolve(s->cap_add, s->cap_drop);

	if (s->privileged)
		return NULL;
	/* up to the kernel's last capability: EINVAL past it */
	for (unsigned c = 0; c < 64; c++)
		if (!(keep & (uint64_t)1 << c) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0) {
			if (errno == EINVAL)
				break;
			return failed("drop from the bounding set:", guest_cap_name(c) ?
				      guest_cap_name(c) : "?");
		}
	return NULL;
}

/*
 * Last before exec, after the user switch: permitted and effective the
 * bounding set for root (none for another user: setuid cleared them),
 * inheritable and ambient empty as Docker has them since CVE-2022-24769,
 * then no_new_privs.
 */
const char *security_lock(const struct spec *s)
{
	struct { uint32_t version; int pid; } hdr = { 0x20080522, 0 };	/* _V3 */
	struct { uint32_t effective, permitted, inheritable; } data[2];
	uint64_t caps = getuid() == 0 ? guest_caps_resolve(s->cap_add, s->cap_drop) : 0;

	if (s->privileged)
		return NULL;
	memset(data, 0, sizeof(data));
	for (int i = 0; i < 2; i++)
		data[i].effective = data[i].permitted = (uint32_t)(caps >> (32 * i));
	if (syscall(SYS_capset, &hdr, data) < 0)
		return failed("set capabilities", "(capset)");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return failed("clear ambient capabilities", "(prctl)");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return failed("set no_new_privs", "(prctl)");
	return NULL;
}

/*
 * Last before exec, after no_new_privs (which lets an unprivileged
 * process load a filter): what runs from here on is the workload's, and
 * the filter's own base set (initramfs/seccomp.c) lets the exec and a
 * failure report through. Static: no heap in the child.
 */
const char *security_seccomp(const struct spec *s)
{
	static struct guest_bpf_insn insns[INITRAMFS_SPEC_MAX_SECCOMP];
	/* linux/filter.h's struct sock_fprog: musl's headers have no linux/ */
	struct { unsigned short len; struct guest_bpf_insn *filter; } prog;
	int n;

	if (s->privileged || !s->seccomp)
		return NULL;
	n = guest_seccomp_decode(s->seccomp, insns, INITRAMFS_SPEC_MAX_SECCOMP);
	if (n <= 0) {
		errno = EINVAL;
		return failed("decode the seccomp filter", "(spec)");
	}
	prog.len = (unsigned short)n;
	prog.filter = insns;
	if (prctl(PR_SET_SECCOMP, 2 /* SECCOMP_MODE_FILTER */, &prog, 0, 0) < 0)
		return failed("load the seccomp filter", "(prctl)");
	return NULL;
}

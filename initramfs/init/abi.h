/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * abi.h - the guest ABI: what the host writes for the guest runtime and
 * what the runtime writes back, in one header that both sides include (the
 * guest programs in initramfs/init/ and profiler/agent/, the host writer in
 * initramfs/spec.c, the timeline parser in profiler/vm.c). Plain C, no
 * libraries: the guest is static and libc only.
 *
 * The container spec (/etc/ktrim/spec), the same file for a shipped boot
 * and a profiling run:
 *
 *   ktrim-spec 1                       first line, always
 *   # comment
 *   KEY[ VALUE]                        one directive per line
 *
 * The value runs from the first space to the end of the line. One escape
 * scheme: backslash + '\\', 'n', 't' or 'x' and two hex digits (never
 * \x00), so a value holds any byte but NUL and a line never holds a
 * newline. Unknown directives and values out of range are errors: a spec
 * that says more than the runtime understands would run a different
 * container. Directives (lists repeat the key, in order):
 *
 *   arg A              the command, one argument per line (may be empty)
 *   env NAME=VALUE     its environment, after PATH/HOME/TERM defaults
 *   module PATH        a module file loaded before the network, in order
 *   cgroup FILE VALUE  a cgroup v2 limit (memory.max 64M)
 *   cgroup-enable C    a controller enabled for the workload's cgroup
 *   namespaces N ...   of GUEST_NS_NAMES, space-separated
 *   hostname H, cwd D, user UID GID, readonly
 *   rootfs DIR | rootfs-dev FSTYPE /dev/NAME
 *   ready-stdout GLOB | ready-tcp PORT, ready-timeout S
 *   smoke-arg A, smoke-timeout S, certify-hold
 *   timeout S, stop-grace S, restart no|always|on-failure N
 *   net-ipv4 ADDR/PREFIX [GW], net-ipv6 ADDR/PREFIX [GW], net-dhcp
 *
 * The certification overlay (/etc/ktrim/spec.d/certify) has the same
 * grammar and may only add smoke-arg, smoke-timeout and certify-hold.
 *
 * The limits below are the runtime's static tables: the host refuses a spec
 * past them (initramfs_spec_check), so an oversized spec fails when it is
 * written, not at boot.
 */
#ifndef KTRIM_GUEST_ABI_H
#define KTRIM_GUEST_ABI_H

#define GUEST_SPEC_MAGIC "ktrim-spec 1"
/* Where the spec and the overlay's addition lie in the initramfs. */
#define GUEST_SPEC_PATH "etc/ktrim/spec"
#define GUEST_SPEC_ADD_PATH "etc/ktrim/spec.d/certify"

/* The runtime reads less than this many bytes of /etc/ktrim/spec. */
#define INITRAMFS_SPEC_MAX_BYTES (256 * 1024)
/* ... and less than this many of the certification overlay's addition. */
#define INITRAMFS_SPEC_ADD_MAX (16 * 1024)
/* Largest number of seconds or restarts a spec may hold. */
#define INITRAMFS_SPEC_MAX_COUNT 0x7fffffffUL
/* Entries of each list directive. */
#define INITRAMFS_SPEC_MAX_ARGS 128
#define INITRAMFS_SPEC_MAX_ENV 128
#define INITRAMFS_SPEC_MAX_MODULES 512
#define INITRAMFS_SPEC_MAX_CGROUPS 16
#define INITRAMFS_SPEC_MAX_SMOKE 64

/* A hex digit's value, or -1: for the escapes of the spec and the record stream. */
static inline int guest_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Namespace names in bit order: bit i of a namespace mask (enum
 * initramfs_ns on the host, NS_* in the runtime) is name i.
 */
#define GUEST_NS_COUNT 7
static inline const char *guest_ns_name(unsigned i)
{
	static const char *const names[GUEST_NS_COUNT] = {
		"mnt", "uts", "ipc", "pid", "net", "cgroup", "time",
	};

	return i < GUEST_NS_COUNT ? names[i] : 0;
}

/*
 * Fact kinds, the profile's lists, in the profile's order: what the
 * profiling agent reports ("fact KIND ...", profiler/agent/proto.h) and
 * the keys of a profile's facts: (enum kprof_kind, profiler/profile.c).
 */
enum guest_fact_kind {
	GUEST_FACT_MODULES,
	GUEST_FACT_FILESYSTEMS,
	GUEST_FACT_SOCKETS,
	GUEST_FACT_SYSCALLS,
	GUEST_FACT_DEVICES,
	GUEST_FACT_NAMESPACES,
	GUEST_FACT_CGROUPS,
	GUEST_FACT_NETFILTER,
	GUEST_FACT_SYSCTLS,
	GUEST_FACT_KINDS,
};
/* Their names, in that order, for an array initialiser. */
#define GUEST_FACT_KIND_NAMES "modules", "filesystems", "sockets", "syscalls", \
	"devices", "namespaces", "cgroups", "netfilter", "sysctls"

/*
 * The timeline: one console line per milestone, written only by the
 * runtime's timeline() (initramfs/init/log.c), parsed only by
 * kprof_vm_parse_timeline():
 *
 *   ktrim-timeline: <event> <uptime_us> [k=v ...] [tsc=N] [nonce=HEX]
 *
 * The nonce (ktrim_nonce= on the kernel command line, at most
 * GUEST_NONCE_MAX hex digits) comes last; the host takes no record
 * without it when it passed one.
 */
#define GUEST_TIMELINE_TAG "ktrim-timeline: "
#define GUEST_NONCE_MAX 64

#endif

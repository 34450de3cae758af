/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * abi.h - the guest ABI: what the host writes for the guest runtime and
 * what the runtime writes back, in one header that both sides include (the
 * guest programs in initramfs/init/ and profiler/agent/, the host writer in
 * initramfs/spec.c, the timeline parser in profiler/vm.c, the record
 * parser in profiler/guest.c). Plain C, no libraries: the guest is static
 * and libc only.
 *
 * The container spec (/etc/ktrim/spec), the same file for a shipped boot
 * and a profiling run:
 *
 *   ktrim-spec 1                       first line, always
 *   # comment
 *   KEY[ VALUE]                        one directive per line
 *
 * The value runs from the first space to the end of the line, in the
 * ABI's one escape scheme (below, guest_unescape()). Unknown directives
 * and values out of range are errors: a spec
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
 *   cap-add NAME ..., cap-drop NAME ...   capabilities (guest_cap_parse names,
 *                      ALL), applied to Docker's default set as Docker does
 *   device /dev/PATH   a node of the VM's /dev passed into the minimal /dev
 *   privileged         all capabilities, no no_new_privs, the VM's /dev,
 *                      /sys read-write, no masked or read-only paths
 *   user-name USER[:GROUP]   a user (and group) by name or number, looked
 *                      up in the container's /etc/passwd and /etc/group
 *   rlimit NAME SOFT HARD   a resource limit (guest_rlimit_name(), a number
 *                      or "unlimited"), set before the capabilities drop
 *   seccomp HEX        a seccomp filter (classic BPF), built by the host
 *                      (initramfs/seccomp.c), loaded last before exec:
 *                      guest_seccomp_decode() below
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

#include <stddef.h>
#include <stdint.h>
#include <string.h>

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
#define INITRAMFS_SPEC_MAX_DEVICES 32
/* Instructions of the seccomp filter: the kernel's BPF_MAXINSNS. */
#define INITRAMFS_SPEC_MAX_SECCOMP 4096

/* A hex digit's value, or -1. */
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
 * The one escape scheme, for spec values and record fields alike: a
 * backslash and '\\', 'n', 't', or 'x' with two hex digits; "\x00" stands
 * for no byte (so an empty record field still has its place, and no value
 * holds a NUL). Writers escape at least the backslash and the bytes below
 * 0x20 and from 0x7f; a record field, which spaces separate, also the
 * space. Undo it in place; -1 on a malformed escape.
 */
static inline int guest_unescape(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		int hi, lo;

		if (*r != '\\') {
			*w++ = *r;
			continue;
		}
		r++;
		if (*r == '\\' || *r == 'n' || *r == 't') {
			*w++ = *r == 'n' ? '\n' : *r == 't' ? '\t' : '\\';
			continue;
		}
		hi = *r == 'x' ? guest_hexval(r[1]) : -1;
		lo = hi < 0 ? -1 : guest_hexval(r[2]);
		if (lo < 0)
			return -1;
		if (hi || lo)
			*w++ = (char)(hi << 4 | lo);
		r += 2;
	}
	*w = '\0';
	return 0;
}

/* One record field of @s into @out (size @cap); its length, or -1 if too long. */
static inline int guest_escape_field(const char *s, char *out, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= 0x20 || c >= 0x7f || c == '\\') {
			if (o + 5 > cap)
				return -1;
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else {
			if (o + 2 > cap)
				return -1;
			out[o++] = (char)c;
		}
	}
	if (!o) {	/* an empty field still occupies its place */
		if (cap < 5)
			return -1;
		out[o++] = '\\';
		out[o++] = 'x';
		out[o++] = '0';
		out[o++] = '0';
	}
	out[o] = '\0';
	return (int)o;
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
 * Capabilities, by number (linux/capability.h), named as Docker spells
 * them without the CAP_ prefix. A mask has bit i for capability i; "ALL"
 * is every bit, so capabilities newer than this table are kept too.
 */
#define GUEST_CAP_COUNT 41
#define GUEST_CAPS_ALL (~(uint64_t)0)
static inline const char *guest_cap_name(unsigned i)
{
	static const char *const names[GUEST_CAP_COUNT] = {
		"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID",
		"KILL", "SETGID", "SETUID", "SETPCAP", "LINUX_IMMUTABLE",
		"NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW",
		"IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT",
		"SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
		"SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE",
		"AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE",
		"MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ",
		"PERFMON", "BPF", "CHECKPOINT_RESTORE",
	};

	return i < GUEST_CAP_COUNT ? names[i] : 0;
}

/*
 * Docker's default bounding set (moby's oci/caps/defaults.go), the
 * container's unless the spec says otherwise: 0xa80425fb.
 */
static inline uint64_t guest_caps_default(void)
{
	static const unsigned char caps[] = {
		0 /* CHOWN */, 1 /* DAC_OVERRIDE */, 4 /* FSETID */,
		3 /* FOWNER */, 27 /* MKNOD */, 13 /* NET_RAW */, 6 /* SETGID */,
		7 /* SETUID */, 31 /* SETFCAP */, 8 /* SETPCAP */,
		10 /* NET_BIND_SERVICE */, 18 /* SYS_CHROOT */, 5 /* KILL */,
		29 /* AUDIT_WRITE */,
	};
	uint64_t m = 0;

	for (size_t i = 0; i < sizeof(caps); i++)
		m |= (uint64_t)1 << caps[i];
	return m;
}

/*
 * One capability name, as Docker takes it: any case, with or without
 * "CAP_", or "ALL". Its mask (GUEST_CAPS_ALL for ALL), or 0 when unknown.
 */
static inline uint64_t guest_cap_parse(const char *name)
{
	char up[32];
	const char *base;
	size_t n = 0;

	for (; *name && n < sizeof(up) - 1; name++, n++)
		up[n] = *name >= 'a' && *name <= 'z' ? (char)(*name - 32) : *name;
	if (*name)
		return 0;
	up[n] = '\0';
	if (!strcmp(up, "ALL"))
		return GUEST_CAPS_ALL;
	base = n > 4 && up[0] == 'C' && up[1] == 'A' && up[2] == 'P' && up[3] == '_' ?
	       up + 4 : up;
	for (unsigned i = 0; i < GUEST_CAP_COUNT; i++)
		if (!strcmp(base, guest_cap_name(i)))
			return (uint64_t)1 << i;
	return 0;
}

/*
 * The container's capabilities from cap-add and cap-drop, as Docker's
 * TweakCapabilities computes them: adding ALL keeps every capability but
 * the dropped ones; else dropping ALL keeps only the added ones; else the
 * default set less the dropped, plus the added.
 */
static inline uint64_t guest_caps_resolve(uint64_t add, uint64_t drop)
{
	if (add == GUEST_CAPS_ALL)
		return drop == GUEST_CAPS_ALL ? GUEST_CAPS_ALL : ~drop;
	if (drop == GUEST_CAPS_ALL)
		return add;
	return (guest_caps_default() & ~drop) | add;
}

/*
 * A device the spec passes through: a path under /dev/ with no empty,
 * "." or ".." component, so it names a node of the VM's /dev and lands
 * inside the container's.
 */
static inline int guest_device_path_ok(const char *p)
{
	if (strncmp(p, "/dev/", 5))
		return 0;
	for (p += 4; *p; ) {
		size_t n = 0;

		p++;	/* the '/' */
		while (p[n] && p[n] != '/')
			n++;
		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		p += n;
	}
	return 1;
}

/* USER[:GROUP]: a user, then at most one ':' and a group, neither empty. */
static inline int guest_user_name_ok(const char *s)
{
	const char *c = strchr(s, ':');

	return *s && *s != ':' && (!c || (c[1] && !strchr(c + 1, ':'))) &&
	       !strpbrk(s, " \t\n/");
}

/*
 * Resource limits by number (RLIMIT_*), named as Docker's --ulimit names
 * them; a limit value is a number or "unlimited" (RLIM_INFINITY).
 */
#define GUEST_RLIMIT_COUNT 16
#define GUEST_RLIM_INFINITY (~(uint64_t)0)
static inline const char *guest_rlimit_name(unsigned i)
{
	static const char *const names[GUEST_RLIMIT_COUNT] = {
		"cpu", "fsize", "data", "stack", "core", "rss", "nproc", "nofile",
		"memlock", "as", "locks", "sigpending", "msgqueue", "nice", "rtprio",
		"rttime",
	};

	return i < GUEST_RLIMIT_COUNT ? names[i] : 0;
}

/* The resource @name names, or -1. */
static inline int guest_rlimit_parse(const char *name)
{
	for (unsigned i = 0; i < GUEST_RLIMIT_COUNT; i++)
		if (!strcmp(name, guest_rlimit_name(i)))
			return (int)i;
	return -1;
}

/* The limits a spec sets: resource i when bit i of @set. */
struct guest_rlimits {
	uint64_t set;	/* 64 bits: no padding, so two equal sets compare equal */
	uint64_t soft[GUEST_RLIMIT_COUNT], hard[GUEST_RLIMIT_COUNT];
};

/*
 * One classic BPF instruction, laid out as the kernel's struct
 * sock_filter (linux/filter.h), so an array of them is the program
 * PR_SET_SECCOMP takes. In the spec each is 16 hex digits, big-endian
 * fields in order: code (4), jt (2), jf (2), k (8); the filter is one
 * "seccomp" line of them, the host's byte order nowhere involved.
 */
struct guest_bpf_insn {
	uint16_t code;
	uint8_t jt, jf;
	uint32_t k;
};
#define GUEST_BPF_HEX 16

/*
 * Decode @hex into @out (room for @max): the number of instructions, or
 * -1 when the text is not whole instructions of hex digits, is empty or
 * holds more than @max.
 */
static inline int guest_seccomp_decode(const char *hex, struct guest_bpf_insn *out, size_t max)
{
	size_t n = strlen(hex);

	if (!n || n % GUEST_BPF_HEX || n / GUEST_BPF_HEX > max)
		return -1;
	for (size_t i = 0; i < n / GUEST_BPF_HEX; i++) {
		uint64_t v = 0;

		for (size_t j = 0; j < GUEST_BPF_HEX; j++) {
			int d = guest_hexval(hex[i * GUEST_BPF_HEX + j]);

			if (d < 0)
				return -1;
			v = v << 4 | (uint64_t)d;
		}
		out[i].code = (uint16_t)(v >> 48);
		out[i].jt = (uint8_t)(v >> 40);
		out[i].jf = (uint8_t)(v >> 32);
		out[i].k = (uint32_t)v;
	}
	return (int)(n / GUEST_BPF_HEX);
}

/*
 * Fact kinds, the profile's lists, in the profile's order: what the
 * profiling agent reports ("fact KIND ...", the record stream below) and
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
	/*
	 * ioctl(2) calls that succeeded, "OBJECT CMD": OBJECT is the device
	 * node's path (/dev/net/tun), "socket", "pipe", "anon_inode:NAME" or
	 * "file"; CMD the command number as 0x%08x (TUNSETIFF: 0x400454ca).
	 */
	GUEST_FACT_IOCTLS,
	GUEST_FACT_KINDS,
};
/* Their names, in that order, for an array initialiser. */
#define GUEST_FACT_KIND_NAMES "modules", "filesystems", "sockets", "syscalls", \
	"devices", "namespaces", "cgroups", "netfilter", "sysctls", "ioctls"

/*
 * The timeline: one console line per milestone, written only by the
 * runtime's timeline() (initramfs/init/log.c), parsed only by
 * kprof_vm_parse_timeline():
 *
 *   ktrim-timeline: <event> <uptime_us> [k=v ...] [tsc=N [hz=F]] [nonce=HEX]
 *
 * tsc is a counter that runs from vCPU reset (initramfs/init/cycles.h: the
 * TSC on x86, CNTVCT_EL0 on arm64); hz its frequency where the architecture
 * states it (arm64's CNTFRQ_EL0), so the host converts it to time directly;
 * without hz the host derives the rate from two records' uptimes.
 * The nonce (ktrim_nonce= on the kernel command line, at most
 * GUEST_NONCE_MAX hex digits) comes last; the host takes no record
 * without it when it passed one.
 */
#define GUEST_TIMELINE_TAG "ktrim-timeline: "
#define GUEST_NONCE_MAX 64

/*
 * The profiling agent's record stream (agent -> host), on its own serial
 * port (ttyS1), never the console, so kernel messages cannot interleave.
 * Each record is one line:
 *
 *   ktrim-fact: <seq> <crc32 of payload, 8 hex> <payload>
 *
 * seq counts from 0. The payload is space-separated fields, each escaped
 * with guest_escape_field(). The stream ends with
 *
 *   ktrim-facts-end: <number of records>
 *
 * The host (kprof_guest_parse) accepts the stream only when every seq below
 * that number came with a matching checksum, so a truncated or garbled
 * transfer is an error, never a silently smaller profile.
 *
 * Payloads:
 *   fact <kind> <count> <first> <name>              kind: GUEST_FACT_KIND_NAMES
 *   fact sockets <count> <first> <family> <type> <protocol>
 *   status <key> <value>        ready, smoke-exit, smoke-timeout, error
 *   output <line>               a line of the smoke test's output
 */
#define GUEST_RECORD_TAG "ktrim-fact: "
#define GUEST_RECORD_END "ktrim-facts-end: "

/* CRC-32 (IEEE 802.3, reflected), bitwise: records are short. */
static inline uint32_t guest_crc32(const char *p, size_t n)
{
	uint32_t crc = 0xffffffffu;

	while (n--) {
		crc ^= (uint8_t)*p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

#endif

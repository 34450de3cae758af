// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fact table and its transfer to the host. The table lives in one
 * shared anonymous mapping made before any fork, so the container set-up
 * child and the module helper's parent see the same counts; only one of
 * them writes at a time (the agent waits for each set-up step).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "profiler/agent/agent.h"
/* The table of the architecture the agent is built for (gen-syscalls.sh). */
#if defined(__aarch64__)
#include "profiler/agent/syscall-names-arm64.h"
#define SYSCALL_ABI "arm64", "arm"	/* native, compat (AArch32) */
#else
#include "profiler/agent/syscall-names.h"
#define SYSCALL_ABI "x86_64", "i386"
#endif

#define MAX_FACTS 2048
#define NAME_MAX_LEN 120
#define COMM_LEN 16
#define MAX_SYSCALL 512

struct fact {
	uint8_t kind;
	uint32_t count;
	char first[COMM_LEN];
	char name[NAME_MAX_LEN];
};

struct table {
	unsigned n;
	struct fact facts[MAX_FACTS];
	uint32_t sys_count[2][MAX_SYSCALL];	/* [compat][nr] */
	char sys_first[2][MAX_SYSCALL][COMM_LEN];
	unsigned dropped;
};

static struct table *tab;
static int proto_fd = -1;
static unsigned proto_seq;

static const char *const kind_names[GUEST_FACT_KINDS] = { GUEST_FACT_KIND_NAMES };

int facts_init(void)
{
	tab = mmap(NULL, sizeof(*tab), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tab == MAP_FAILED) {
		tab = NULL;
		return -errno;
	}
	return 0;
}

static void copy_trunc(char *dst, const char *src, size_t cap)
{
	size_t n = strlen(src);

	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

void fact_add(enum guest_fact_kind kind, const char *name, const char *first)
{
	struct fact *f;

	if (!tab || !name || !*name)
		return;
	for (unsigned i = 0; i < tab->n; i++) {
		f = &tab->facts[i];
		if (f->kind == kind && !strncmp(f->name, name, NAME_MAX_LEN - 1)) {
			f->count++;
			return;
		}
	}
	if (tab->n == MAX_FACTS) {
		tab->dropped++;
		return;
	}
	f = &tab->facts[tab->n];
	f->kind = kind;
	f->count = 1;
	copy_trunc(f->name, name, sizeof(f->name));
	copy_trunc(f->first, first && *first ? first : "unknown", sizeof(f->first));
	tab->n++;
}

bool fact_has(enum guest_fact_kind kind, const char *name)
{
	for (unsigned i = 0; tab && i < tab->n; i++)
		if (tab->facts[i].kind == kind &&
		    !strncmp(tab->facts[i].name, name, NAME_MAX_LEN - 1))
			return true;
	return false;
}

void fact_syscall(unsigned nr, bool compat, const char *first)
{
	if (!tab || nr >= MAX_SYSCALL)
		return;
	if (!tab->sys_count[compat][nr]++)
		copy_trunc(tab->sys_first[compat][nr], first, COMM_LEN);
}

static const char *family_name(int f)
{
	static char buf[16];

	switch (f) {
	case AF_UNIX: return "AF_UNIX";
	case AF_INET: return "AF_INET";
	case AF_INET6: return "AF_INET6";
	case AF_NETLINK: return "AF_NETLINK";
	case AF_PACKET: return "AF_PACKET";
	case AF_KEY: return "AF_KEY";
	case AF_VSOCK: return "AF_VSOCK";
	case AF_ALG: return "AF_ALG";
	case AF_BLUETOOTH: return "AF_BLUETOOTH";
	case AF_CAN: return "AF_CAN";
	case AF_TIPC: return "AF_TIPC";
	case AF_XDP: return "AF_XDP";
	case AF_SMC: return "AF_SMC";
	case AF_RDS: return "AF_RDS";
	case AF_X25: return "AF_X25";
	case AF_APPLETALK: return "AF_APPLETALK";
	case AF_LLC: return "AF_LLC";
	case AF_IB: return "AF_IB";
	case AF_MPLS: return "AF_MPLS";
	case AF_QIPCRTR: return "AF_QIPCRTR";
	case AF_PPPOX: return "AF_PPPOX";
	case AF_NFC: return "AF_NFC";
	case AF_PHONET: return "AF_PHONET";
	case AF_ISDN: return "AF_ISDN";
	case AF_CAIF: return "AF_CAIF";
	case AF_KCM: return "AF_KCM";
	case AF_ATMPVC: return "AF_ATMPVC";
	case AF_ATMSVC: return "AF_ATMSVC";
	case AF_ROSE: return "AF_ROSE";
	case AF_AX25: return "AF_AX25";
	case AF_NETROM: return "AF_NETROM";
	case AF_IPX: return "AF_IPX";
	case AF_IEEE802154: return "AF_IEEE802154";
	case AF_IUCV: return "AF_IUCV";
	case AF_RXRPC: return "AF_RXRPC";
	}
	snprintf(buf, sizeof(buf), "AF_%d", f);
	return buf;
}

static const char *type_name(int t)
{
	static char buf[16];

	switch (t) {
	case SOCK_STREAM: return "SOCK_STREAM";
	case SOCK_DGRAM: return "SOCK_DGRAM";
	case SOCK_RAW: return "SOCK_RAW";
	case SOCK_RDM: return "SOCK_RDM";
	case SOCK_SEQPACKET: return "SOCK_SEQPACKET";
	case SOCK_PACKET: return "SOCK_PACKET";
	}
	snprintf(buf, sizeof(buf), "SOCK_%d", t);
	return buf;
}

void fact_socket(int family, int type, int protocol, const char *first)
{
	char key[64];

	type &= ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	snprintf(key, sizeof(key), "%s %s %d", family_name(family),
		 type_name(type), protocol < 0 ? 0 : protocol);
	fact_add(GUEST_FACT_SOCKETS, key, first);
	/* NETLINK_NETFILTER is how nft (nf_tables) talks to the kernel. */
	if (family == AF_NETLINK && protocol == 12)
		fact_add(GUEST_FACT_NETFILTER, "nf_tables", first);
}

static const struct {
	unsigned long flag;
	const char *name;
} ns_flags[] = {
	{ CLONE_NEWNS, "mnt" }, { CLONE_NEWUTS, "uts" }, { CLONE_NEWIPC, "ipc" },
	{ CLONE_NEWPID, "pid" }, { CLONE_NEWNET, "net" }, { CLONE_NEWUSER, "user" },
	{ CLONE_NEWCGROUP, "cgroup" }, { 0x80 /* CLONE_NEWTIME */, "time" },
};

void fact_ns_flags(unsigned long flags, const char *first)
{
	for (unsigned i = 0; i < sizeof(ns_flags) / sizeof(ns_flags[0]); i++)
		if (flags & ns_flags[i].flag)
			fact_add(GUEST_FACT_NAMESPACES, ns_flags[i].name, first);
}

/* ---- the record stream ---------------------------------------------------- */

int proto_open(const char *tty)
{
	struct termios t;

	proto_fd = open(tty, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (proto_fd < 0)
		return -errno;
	/* Raw: no \n -> \r\n, no flow control surprises. */
	if (!tcgetattr(proto_fd, &t)) {
		cfmakeraw(&t);
		cfsetospeed(&t, B115200);
		tcsetattr(proto_fd, TCSANOW, &t);
	}
	return 0;
}

int proto_open_port(const char *name)
{
	double until = mono_s() + 10.0;

	/* the host announces its ports after the driver binds: they come late */
	do {
		DIR *d = opendir("/sys/class/virtio-ports");
		struct dirent *e;
		char path[300], buf[64];

		while (d && (e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/name", e->d_name);
			if (read_small(path, buf, sizeof(buf)) <= 0)
				continue;
			buf[strcspn(buf, "\n")] = '\0';
			if (strcmp(buf, name))
				continue;
			snprintf(path, sizeof(path), "/dev/%s", e->d_name);
			closedir(d);
			return proto_open(path);
		}
		if (d)
			closedir(d);
		usleep(20000);
	} while (mono_s() < until);
	return -ENOENT;
}

/* @fields: NULL-terminated, each escaped and joined with spaces. */
static void record(const char *const *fields)
{
	char payload[1024], line[1100];
	size_t o = 0;
	int n;

	if (proto_fd < 0)
		return;
	for (unsigned i = 0; fields[i]; i++) {
		if (i)
			payload[o++] = ' ';
		n = guest_escape_field(fields[i], payload + o, sizeof(payload) - o - 1);
		if (n < 0)
			return;	/* cannot happen with our bounded names */
		o += (size_t)n;
	}
	payload[o] = '\0';
	n = snprintf(line, sizeof(line), GUEST_RECORD_TAG "%u %08x %s\n", proto_seq,
		     guest_crc32(payload, o), payload);
	if (n > 0 && (size_t)n < sizeof(line)) {
		write_all(proto_fd, line, (size_t)n);
		proto_seq++;
	}
}

void proto_status(const char *key, const char *value)
{
	const char *f[] = { "status", key, value, NULL };

	record(f);
}

void proto_output(const char *line)
{
	const char *f[] = { "output", line, NULL };

	record(f);
}

void facts_emit(void)
{
	char count[16], proto[16], fam[32], type[32], end[64];

	for (unsigned i = 0; tab && i < tab->n; i++) {
		const struct fact *f = &tab->facts[i];

		snprintf(count, sizeof(count), "%u", f->count);
		if (f->kind == GUEST_FACT_SOCKETS &&
		    sscanf(f->name, "%31s %31s %15s", fam, type, proto) == 3) {
			const char *r[] = { "fact", "sockets", count, f->first,
					    fam, type, proto, NULL };
			record(r);
		} else {
			const char *r[] = { "fact", kind_names[f->kind], count,
					    f->first, f->name, NULL };
			record(r);
		}
	}
	for (unsigned c = 0; tab && c < 2; c++) {
		static const char *const abi[2] = { SYSCALL_ABI };

		for (unsigned nr = 0; nr < MAX_SYSCALL; nr++) {
			char name[32];

			if (!tab->sys_count[c][nr])
				continue;
			if (!c && nr < sizeof(syscall_names) / sizeof(syscall_names[0]) &&
			    syscall_names[nr])
				snprintf(name, sizeof(name), "%s", syscall_names[nr]);
			else
				snprintf(name, sizeof(name), "%s:%u", abi[c], nr);
			snprintf(count, sizeof(count), "%u", tab->sys_count[c][nr]);
			const char *r[] = { "fact", "syscalls", count,
					    tab->sys_first[c][nr], name, NULL };
			record(r);
		}
	}
	if (tab && tab->dropped) {
		snprintf(count, sizeof(count), "%u", tab->dropped);
		proto_status("dropped-facts", count);
	}
	snprintf(end, sizeof(end), GUEST_RECORD_END "%u\n", proto_seq);
	if (proto_fd >= 0) {
		write_all(proto_fd, end, strlen(end));
		tcdrain(proto_fd);
	}
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The seccomp filter compiler, host side: syscall names -> a classic BPF
 * program (struct guest_bpf_insn, the kernel's struct sock_filter) that
 * the guest runtime only loads (initramfs/init/security.c). Numbers come
 * from the target kernel tree's syscall table for the guest's architecture
 * (kconf_syscalls_read: x86_64 or arm64), never the host's headers: the
 * guest kernel is what runs the filter.
 *
 * The program: the architecture check (any other, and x86-64's x32 ABI,
 * kills the process, as libseccomp's bad-arch action does), then one
 * block per syscall in number order, then the default action. A block is
 * "nr == N: ALLOW", "nr == N: ERRNO(e)", or, for the few rules of
 * Docker's profile that look at an argument, "nr == N: load arg 0, each
 * test that passes jumps to ALLOW, else the default action". A linear
 * list: at most a few hundred syscalls, and jumps stay short (8-bit).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "initramfs/internal.h"
#include "kconfig-trim/kconfig.h"

/* Syscall numbers we take from a table: far above any architecture's. */
#define MAX_NR 4096

/* One argument test of a rule: on arg 0's low 32 bits (all these arguments have). */
enum arg_test { ARG_ANY = 0, ARG_EQ, ARG_NE, ARG_MASK_CLEAR };

struct rule {
	const char *name;
	uint64_t needs;		/* only with this capability (bit mask), 0: always */
	uint64_t unless;	/* not with this capability */
	uint16_t err;		/* 0: allow; else return this errno */
	enum arg_test test;
	uint32_t values[5];	/* ARG_EQ: any of them; ARG_NE, ARG_MASK_CLEAR: [0] */
	unsigned nvalues;
};

#define CAP(n) ((uint64_t)1 << (n))
/* linux/capability.h numbers (guest_cap_name() in abi.h). */
enum {
	C_DAC_READ_SEARCH = 2, C_SYS_MODULE = 16, C_SYS_RAWIO = 17, C_SYS_CHROOT = 18,
	C_SYS_PTRACE = 19, C_SYS_PACCT = 20, C_SYS_ADMIN = 21, C_SYS_BOOT = 22,
	C_SYS_NICE = 23, C_SYS_TIME = 25, C_SYS_TTY_CONFIG = 26, C_SYSLOG = 34,
	C_PERFMON = 38, C_BPF = 39,
};

/*
 * Docker's default profile (moby's profiles/seccomp/default.json): the
 * syscalls it allows with no condition. Names of other architectures
 * (chown32, mmap2, ...) are listed as Docker lists them; the tree's table
 * decides which exist, so the x86-64 filter simply does not have them.
 */
static const char *const docker_allow[] = {
	"accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "capget", "capset",
	"chdir", "chmod", "chown", "chown32", "clock_adjtime", "clock_adjtime64",
	"clock_getres", "clock_getres_time64", "clock_gettime", "clock_gettime64",
	"clock_nanosleep", "clock_nanosleep_time64", "close", "close_range", "connect",
	"copy_file_range", "creat", "dup", "dup2", "dup3", "epoll_create", "epoll_create1",
	"epoll_ctl", "epoll_ctl_old", "epoll_pwait", "epoll_pwait2", "epoll_wait",
	"epoll_wait_old", "eventfd", "eventfd2", "execve", "execveat", "exit", "exit_group",
	"faccessat", "faccessat2", "fadvise64", "fadvise64_64", "fallocate", "fanotify_mark",
	"fchdir", "fchmod", "fchmodat", "fchown", "fchown32", "fchownat", "fcntl", "fcntl64",
	"fdatasync", "fgetxattr", "flistxattr", "flock", "fork", "fremovexattr", "fsetxattr",
	"fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate",
	"ftruncate64", "futex", "futex_time64", "futex_waitv", "futimesat", "getcpu", "getcwd",
	"getdents", "getdents64", "getegid", "getegid32", "geteuid", "geteuid32", "getgid",
	"getgid32", "getgroups", "getgroups32", "getitimer", "getpeername", "getpgid",
	"getpgrp", "getpid", "getppid", "getpriority", "getrandom", "getresgid",
	"getresgid32", "getresuid", "getresuid32", "getrlimit", "get_robust_list",
	"getrusage", "getsid", "getsockname", "getsockopt", "get_thread_area", "gettid",
	"gettimeofday", "getuid", "getuid32", "getxattr", "inotify_add_watch", "inotify_init",
	"inotify_init1", "inotify_rm_watch", "io_cancel", "ioctl", "io_destroy",
	"io_getevents", "io_pgetevents", "io_pgetevents_time64", "ioprio_get", "ioprio_set",
	"io_setup", "io_submit", "io_uring_enter", "io_uring_register", "io_uring_setup",
	"ipc", "kill", "landlock_add_rule", "landlock_create_ruleset",
	"landlock_restrict_self", "lchown", "lchown32", "lgetxattr", "link", "linkat",
	"listen", "listxattr", "llistxattr", "_llseek", "lremovexattr", "lseek", "lsetxattr",
	"lstat", "lstat64", "madvise", "membarrier", "memfd_create", "memfd_secret",
	"mincore", "mkdir", "mkdirat", "mknod", "mknodat", "mlock", "mlock2", "mlockall",
	"mmap", "mmap2", "mprotect", "mq_getsetattr", "mq_notify", "mq_open",
	"mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend", "mq_timedsend_time64",
	"mq_unlink", "mremap", "msgctl", "msgget", "msgrcv", "msgsnd", "msync", "munlock",
	"munlockall", "munmap", "name_to_handle_at", "nanosleep", "newfstatat", "_newselect",
	"open", "openat", "openat2", "pause", "pidfd_open", "pidfd_send_signal", "pipe",
	"pipe2", "pkey_alloc", "pkey_free", "pkey_mprotect", "poll", "ppoll", "ppoll_time64",
	"prctl", "pread64", "preadv", "preadv2", "prlimit64", "process_mrelease", "pselect6",
	"pselect6_time64", "pwrite64", "pwritev", "pwritev2", "read", "readahead", "readlink",
	"readlinkat", "readv", "recv", "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg",
	"remap_file_pages", "removexattr", "rename", "renameat", "renameat2",
	"restart_syscall", "rmdir", "rseq", "rt_sigaction", "rt_sigpending",
	"rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend",
	"rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_tgsigqueueinfo",
	"sched_getaffinity", "sched_getattr", "sched_getparam", "sched_get_priority_max",
	"sched_get_priority_min", "sched_getscheduler", "sched_rr_get_interval",
	"sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr",
	"sched_setparam", "sched_setscheduler", "sched_yield", "seccomp", "select", "semctl",
	"semget", "semop", "semtimedop", "semtimedop_time64", "send", "sendfile",
	"sendfile64", "sendmmsg", "sendmsg", "sendto", "setfsgid", "setfsgid32", "setfsuid",
	"setfsuid32", "setgid", "setgid32", "setgroups", "setgroups32", "setitimer",
	"setpgid", "setpriority", "setregid", "setregid32", "setresgid", "setresgid32",
	"setresuid", "setresuid32", "setreuid", "setreuid32", "setrlimit", "set_robust_list",
	"setsid", "setsockopt", "set_thread_area", "set_tid_address", "setuid", "setuid32",
	"setxattr", "shmat", "shmctl", "shmdt", "shmget", "shutdown", "sigaltstack",
	"signalfd", "signalfd4", "sigprocmask", "sigreturn", "socketcall", "socketpair",
	"splice", "stat", "stat64", "statfs", "statfs64", "statx", "symlink", "symlinkat",
	"sync", "sync_file_range", "syncfs", "sysinfo", "tee", "tgkill", "time",
	"timer_create", "timer_delete", "timer_getoverrun", "timer_gettime",
	"timer_gettime64", "timer_settime", "timer_settime64", "timerfd_create",
	"timerfd_gettime", "timerfd_gettime64", "timerfd_settime", "timerfd_settime64",
	"times", "tkill", "truncate", "truncate64", "ugetrlimit", "umask", "uname", "unlink",
	"unlinkat", "utime", "utimensat", "utimensat_time64", "utimes", "vfork", "vmsplice",
	"wait4", "waitid", "waitpid", "write", "writev",
	/* minKernel 4.8: every kernel ktrim builds */
	"process_vm_readv", "process_vm_writev", "ptrace",
	/* x86-64 only in Docker's list: this compiler's one architecture */
	"arch_prctl", "modify_ldt",
};

/* ... and its rules with a condition: an argument, or the container's capabilities. */
static const struct rule docker_rules[] = {
	/* AF_VSOCK (40) would reach the host */
	{ "socket", 0, 0, 0, ARG_NE, { 40 }, 1 },
	{ "personality", 0, 0, 0, ARG_EQ, { 0x0, 0x8, 0x20000, 0x20008, 0xffffffff }, 5 },
	{ "open_by_handle_at", CAP(C_DAC_READ_SEARCH), 0, 0, ARG_ANY, { 0 }, 0 },
#define SYS_ADMIN_RULE(n) { n, CAP(C_SYS_ADMIN), 0, 0, ARG_ANY, { 0 }, 0 }
	SYS_ADMIN_RULE("bpf"), SYS_ADMIN_RULE("clone"), SYS_ADMIN_RULE("clone3"),
	SYS_ADMIN_RULE("fanotify_init"), SYS_ADMIN_RULE("fsconfig"), SYS_ADMIN_RULE("fsmount"),
	SYS_ADMIN_RULE("fsopen"), SYS_ADMIN_RULE("fspick"), SYS_ADMIN_RULE("lookup_dcookie"),
	SYS_ADMIN_RULE("mount"), SYS_ADMIN_RULE("mount_setattr"), SYS_ADMIN_RULE("move_mount"),
	SYS_ADMIN_RULE("open_tree"), SYS_ADMIN_RULE("perf_event_open"),
	SYS_ADMIN_RULE("quotactl"), SYS_ADMIN_RULE("quotactl_fd"),
	SYS_ADMIN_RULE("setdomainname"), SYS_ADMIN_RULE("sethostname"), SYS_ADMIN_RULE("setns"),
	SYS_ADMIN_RULE("syslog"), SYS_ADMIN_RULE("umount"), SYS_ADMIN_RULE("umount2"),
	SYS_ADMIN_RULE("unshare"),
#undef SYS_ADMIN_RULE
	/* without SYS_ADMIN: no new namespaces (CLONE_NEW* = 0x7e020000) */
	{ "clone", 0, CAP(C_SYS_ADMIN), 0, ARG_MASK_CLEAR, { 0x7e020000 }, 1 },
	/* ENOSYS, not EPERM: glibc then falls back to clone, which the rule above checks */
	{ "clone3", 0, CAP(C_SYS_ADMIN), ENOSYS, ARG_ANY, { 0 }, 0 },
	{ "reboot", CAP(C_SYS_BOOT), 0, 0, ARG_ANY, { 0 }, 0 },
	{ "chroot", CAP(C_SYS_CHROOT), 0, 0, ARG_ANY, { 0 }, 0 },
	{ "delete_module", CAP(C_SYS_MODULE), 0, 0, ARG_ANY, { 0 }, 0 },
	{ "init_module", CAP(C_SYS_MODULE), 0, 0, ARG_ANY, { 0 }, 0 },
	{ "finit_module", CAP(C_SYS_MODULE), 0, 0, ARG_ANY, { 0 }, 0 },
	{ "acct", CAP(C_SYS_PACCT), 0, 0, ARG_ANY, { 0 }, 0 },
	{ "kcmp", CAP(C_SYS_PTRACE), 0, 0, ARG_ANY, { 0 }, 0 },
	{ "pidfd_getfd", CAP(C_SYS_PTRACE), 0, 0, ARG_ANY, { 0 }, 0 },
	{ "process_madvise", CAP(C_SYS_PTRACE), 0, 0, ARG_ANY, { 0 }, 0 },
	{ "iopl", CAP(C_SYS_RAWIO), 0, 0, ARG_ANY, { 0 }, 0 },
	{ "ioperm", CAP(C_SYS_RAWIO), 0, 0, ARG_ANY, { 0 }, 0 },
	{ "settimeofday", CAP(C_SYS_TIME), 0, 0, ARG_ANY, { 0 }, 0 },
	{ "stime", CAP(C_SYS_TIME), 0, 0, ARG_ANY, { 0 }, 0 },
	{ "clock_settime", CAP(C_SYS_TIME), 0, 0, ARG_ANY, { 0 }, 0 },
	{ "clock_settime64", CAP(C_SYS_TIME), 0, 0, ARG_ANY, { 0 }, 0 },
	{ "vhangup", CAP(C_SYS_TTY_CONFIG), 0, 0, ARG_ANY, { 0 }, 0 },
	{ "get_mempolicy", CAP(C_SYS_NICE), 0, 0, ARG_ANY, { 0 }, 0 },
	{ "mbind", CAP(C_SYS_NICE), 0, 0, ARG_ANY, { 0 }, 0 },
	{ "set_mempolicy", CAP(C_SYS_NICE), 0, 0, ARG_ANY, { 0 }, 0 },
	{ "set_mempolicy_home_node", CAP(C_SYS_NICE), 0, 0, ARG_ANY, { 0 }, 0 },
	{ "syslog", CAP(C_SYSLOG), 0, 0, ARG_ANY, { 0 }, 0 },
	{ "bpf", CAP(C_BPF), 0, 0, ARG_ANY, { 0 }, 0 },
	{ "perf_event_open", CAP(C_PERFMON), 0, 0, ARG_ANY, { 0 }, 0 },
};

/*
 * The runtime's base set for an allowlist (from-profile): what the
 * launcher itself does after loading the filter (container.c's
 * become_workload), which a profile need not show as the workload's.
 */
static const char *const runtime_base[] = {
	"execve",	/* exec_workload(): the workload itself */
	"write",	/* child_fail(): the failed step to the init's pipe or the console */
	"clock_gettime",	/* say(): its time stamp, when the vDSO falls back */
	"exit_group",	/* child_fail(): _exit(126) */
};

/* What the filter does for one syscall number. */
struct nr_plan {
	bool allow;		/* unconditionally */
	uint16_t err;		/* else this errno, when set */
	const struct rule *tests[8];	/* else: any of these passes -> allow */
	unsigned ntests;
};

/* The architecture's name for the syscall table reader; NULL: none known. */
static const char *arch_name(uint32_t arch)
{
	switch (arch) {
	case AUDIT_ARCH_X86_64:
		return "x86_64";
	case AUDIT_ARCH_AARCH64:
		return "arm64";
	default:
		return NULL;
	}
}

/*
 * The tree's table for @o->arch (kconf_syscalls_read), or @o->table, a
 * file in syscall_64.tbl's format, its "common" and "64" ABIs.
 */
static int table_load(const struct initramfs_seccomp_opts *o, struct kt_array *t,
		      struct kt_str *err)
{
	static const char *const abis[] = { "common", "64", NULL };

	if (o->table)
		return kconf_syscalls_read_tbl(o->table, abis, t, err);
	return kconf_syscalls_read(o->ksrc ? o->ksrc : ".", arch_name(o->arch), t, err);
}

/* @rule's effect on @p (capabilities already checked). */
static void plan_add(struct nr_plan *p, const struct rule *rule)
{
	if (rule->err)
		p->err = rule->err;
	else if (rule->test == ARG_ANY)
		p->allow = true;
	else if (p->ntests < KT_ARRAY_SIZE(p->tests))
		p->tests[p->ntests++] = rule;
}

static int emit(struct kt_array *prog, uint16_t code, uint32_t k, uint8_t jt, uint8_t jf)
{
	struct guest_bpf_insn i = { code, jt, jf, k };

	return kt_array_push(prog, &i) ? 0 : -ENOMEM;
}

/* One block for syscall @nr, as the file's comment lays it out. */
static int emit_nr(struct kt_array *prog, unsigned nr, const struct nr_plan *p,
		   uint32_t deflt)
{
	unsigned ntests = 0;
	int r;

	if (p->allow || !p->ntests) {
		r = emit(prog, BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1);
		return r ? r : emit(prog, BPF_RET | BPF_K, p->allow ? SECCOMP_RET_ALLOW :
				    SECCOMP_RET_ERRNO | p->err, 0, 0);
	}
	for (unsigned i = 0; i < p->ntests; i++)
		ntests += p->tests[i]->test == ARG_EQ ? p->tests[i]->nvalues : 1;
	/* skip: load, the tests, the default, the allow */
	r = emit(prog, BPF_JMP | BPF_JEQ | BPF_K, nr, 0, (uint8_t)(ntests + 3));
	if (r == 0)
		r = emit(prog, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]),
			 0, 0);
	for (unsigned i = 0, at = 0; r == 0 && i < p->ntests; i++) {
		const struct rule *t = p->tests[i];

		for (unsigned v = 0; r == 0 && v < (t->test == ARG_EQ ? t->nvalues : 1); v++, at++) {
			/* to the allow: past the tests left and the default */
			uint8_t to_allow = (uint8_t)(ntests - at);

			if (t->test == ARG_EQ)
				r = emit(prog, BPF_JMP | BPF_JEQ | BPF_K, t->values[v], to_allow, 0);
			else if (t->test == ARG_NE)
				r = emit(prog, BPF_JMP | BPF_JEQ | BPF_K, t->values[0], 0, to_allow);
			else
				r = emit(prog, BPF_JMP | BPF_JSET | BPF_K, t->values[0], 0, to_allow);
		}
	}
	if (r == 0)
		r = emit(prog, BPF_RET | BPF_K, p->err ? SECCOMP_RET_ERRNO | p->err : deflt, 0, 0);
	return r ? r : emit(prog, BPF_RET | BPF_K, SECCOMP_RET_ALLOW, 0, 0);
}

/* Each name of @names into @plans as an unconditional allow; unknown names are skipped. */
static void plan_names(struct nr_plan *plans, const struct kt_array *t,
		       const char *const *names, size_t n)
{
	static const struct rule allow = { NULL, 0, 0, 0, ARG_ANY, { 0 }, 0 };

	for (size_t i = 0; i < n; i++) {
		int nr = kconf_syscalls_nr(t, names[i]);

		if (nr >= 0)
			plan_add(&plans[nr], &allow);
	}
}

int initramfs_seccomp_build(const struct initramfs_seccomp_opts *o, struct kt_array *prog,
			    struct kt_str *err)
{
	static const uint32_t actions[] = {
		[INITRAMFS_SECCOMP_ERRNO] = SECCOMP_RET_ERRNO | EPERM,
		[INITRAMFS_SECCOMP_KILL] = SECCOMP_RET_KILL_PROCESS,
		[INITRAMFS_SECCOMP_LOG] = SECCOMP_RET_LOG,
	};
	struct kt_array t = KT_ARRAY_INIT(struct kconf_syscall);
	struct nr_plan *plans = calloc(MAX_NR, sizeof(*plans));
	uint32_t deflt;
	int r = plans ? 0 : -ENOMEM;

	kt_array_free(prog);
	kt_array_init(prog, sizeof(struct guest_bpf_insn));
	if (r == 0 && !arch_name(o->arch))
		r = ar_fail(err, -EOPNOTSUPP, "seccomp: architecture 0x%x: only x86-64 and arm64 "
			    "(AUDIT_ARCH_X86_64, AUDIT_ARCH_AARCH64) have a syscall table here",
			    o->arch);
	if (r == 0 && (unsigned)o->action >= KT_ARRAY_SIZE(actions))
		r = -EINVAL;
	if (r < 0)
		goto out;
	deflt = o->policy == INITRAMFS_SECCOMP_ALLOW_ALL ? SECCOMP_RET_ALLOW : actions[o->action];
	/* the arch check alone names no syscall: no table */
	if (o->policy != INITRAMFS_SECCOMP_ALLOW_ALL)
		r = table_load(o, &t, err);
	if (r < 0)
		goto out;
	if (o->policy == INITRAMFS_SECCOMP_DOCKER) {
		plan_names(plans, &t, docker_allow, KT_ARRAY_SIZE(docker_allow));
		for (size_t i = 0; i < KT_ARRAY_SIZE(docker_rules); i++) {
			const struct rule *rule = &docker_rules[i];
			int nr = kconf_syscalls_nr(&t, rule->name);

			if (nr >= 0 && (!rule->needs || (o->caps & rule->needs)) &&
			    !(o->caps & rule->unless))
				plan_add(&plans[nr], rule);
		}
	} else if (o->policy == INITRAMFS_SECCOMP_LIST) {
		plan_names(plans, &t, o->names, o->nnames);
		plan_names(plans, &t, runtime_base, KT_ARRAY_SIZE(runtime_base));
	}
	/*
	 * The architecture (an arm64 kernel's AArch32 tasks report
	 * AUDIT_ARCH_ARM), then x86-64's x32 numbers (same arch, bit 30
	 * set), both fatal.
	 */
	r = emit(prog, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch), 0, 0);
	if (r == 0)
		r = emit(prog, BPF_JMP | BPF_JEQ | BPF_K, o->arch, 1, 0);
	if (r == 0)
		r = emit(prog, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS, 0, 0);
	if (r == 0)
		r = emit(prog, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr), 0, 0);
	if (r == 0 && o->arch == AUDIT_ARCH_X86_64)
		r = emit(prog, BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, 0, 1);
	if (r == 0 && o->arch == AUDIT_ARCH_X86_64)
		r = emit(prog, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS, 0, 0);
	for (unsigned nr = 0; r == 0 && nr < MAX_NR; nr++)
		if (plans[nr].allow || plans[nr].err || plans[nr].ntests)
			r = emit_nr(prog, nr, &plans[nr], deflt);
	if (r == 0)
		r = emit(prog, BPF_RET | BPF_K, deflt, 0, 0);
	if (r == 0 && prog->len > INITRAMFS_SPEC_MAX_SECCOMP)
		r = ar_fail(err, -E2BIG, "seccomp: the filter has %zu instructions; the guest "
			    "loads at most %d", prog->len, INITRAMFS_SPEC_MAX_SECCOMP);
out:
	kconf_syscalls_free(&t);
	free(plans);
	return r;
}

/* The reverse of initramfs_seccomp_build(): its header, its blocks, its last return. */
int initramfs_seccomp_describe(const struct guest_bpf_insn *prog, size_t n,
			       struct initramfs_seccomp_info *out)
{
	static const struct guest_bpf_insn head[] = {
		{ BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, arch) },
		{ BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 0 },	/* k: the architecture */
		{ BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS },
		{ BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, nr) },
		{ BPF_JMP | BPF_JGE | BPF_K, 0, 1, 0x40000000u },
		{ BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS },
	};
	size_t i = KT_ARRAY_SIZE(head);

	memset(out, 0, sizeof(*out));
	/* only x86-64 has the x32 check (the header's last two instructions) */
	if (n > 2 && prog[1].k != AUDIT_ARCH_X86_64)
		i -= 2;
	if (n <= i)
		return -EINVAL;
	for (size_t h = 0; h < i; h++)
		if (prog[h].code != head[h].code || prog[h].jt != head[h].jt ||
		    prog[h].jf != head[h].jf || (h != 1 && prog[h].k != head[h].k))
			return -EINVAL;
	out->arch = prog[1].k;
	/* each block: JEQ nr, then (jf - 1) argument instructions, its returns */
	while (i < n - 1 && prog[i].code == (BPF_JMP | BPF_JEQ | BPF_K)) {
		size_t next = i + 1 + prog[i].jf;

		if (prog[i].jt != 0 || next >= n || prog[next - 1].code != (BPF_RET | BPF_K))
			return -EINVAL;
		if (prog[i].jf > 1)
			out->by_argument++;
		else if (prog[i + 1].k == SECCOMP_RET_ALLOW)
			out->allowed++;
		else
			out->refused++;
		i = next;
	}
	if (i != n - 1 || prog[i].code != (BPF_RET | BPF_K))
		return -EINVAL;
	out->deflt = prog[i].k;
	return 0;
}

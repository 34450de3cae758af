// SPDX-License-Identifier: GPL-2.0-only
/*
 * Syscall tracing of the workload's whole process tree with ptrace.
 *
 * Why ptrace: it is the one mechanism that is complete and needs nothing
 * from the kernel's configuration or rate limits. Fork/vfork/clone
 * children are attached by the kernel before they run their first
 * instruction (PTRACE_O_TRACE{FORK,VFORK,CLONE}), so no syscall of the tree
 * is missed; and the tracer sees arguments and results, which the other
 * facts need (socket triples, mount types, opened device nodes, sysctl
 * paths, namespace flags, iptables table names). seccomp's RET_LOG goes
 * through the audit/printk rate limits and loses events; SECCOMP_RET_TRACE
 * or USER_NOTIF would still need a tracer or a supervisor per syscall;
 * audit needs a netlink client and rules for every syscall. The cost,
 * two stops per syscall, only matters for the profiling run.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>
#if defined(__aarch64__)
#include <elf.h>
/*
 * The arm64 register set PTRACE_GETREGSET(NT_PRSTATUS) gives
 * (asm/ptrace.h's struct user_pt_regs) and the regset that rewrites a
 * stopped call's number: spelled out, musl ships no kernel headers and
 * these are ABI.
 */
struct arm64_user_regs {
	unsigned long long regs[31];
	unsigned long long sp, pc, pstate;
};
#ifndef NT_ARM_SYSTEM_CALL
#define NT_ARM_SYSTEM_CALL 0x404
#endif
#endif

#include "profiler/agent/agent.h"

/* The native ABI's audit arch; any other (i386, AArch32) is compat. */
#if defined(__aarch64__)
#define AUDIT_ARCH_NATIVE 0xc00000b7u	/* AUDIT_ARCH_AARCH64 */
#else
#define AUDIT_ARCH_NATIVE 0xc000003eu	/* AUDIT_ARCH_X86_64 */
#endif
#define MAX_TRACEES 1024
#define MAX_EXITED 64

struct tracee {
	pid_t pid;
	bool fresh;		/* its initial SIGSTOP is still to come */
	bool started;		/* past the exec we asked for (or a child) */
	bool compat;
	uint64_t nr;
	uint64_t args[6];
	off_t modlog_size;
	char comm[16];
};

static struct tracee tracees[MAX_TRACEES];
static unsigned n_tracees;
static struct {
	pid_t pid;
	int status;
} exited[MAX_EXITED];
static unsigned n_exited;
static int modlog_fd = -1;

static struct tracee *find(pid_t pid)
{
	for (unsigned i = 0; i < n_tracees; i++)
		if (tracees[i].pid == pid)
			return &tracees[i];
	return NULL;
}

static void read_comm(struct tracee *t)
{
	char path[64], buf[32];

	snprintf(path, sizeof(path), "/proc/%d/comm", t->pid);
	if (read_small(path, buf, sizeof(buf)) > 0) {
		buf[strcspn(buf, "\n")] = '\0';
		snprintf(t->comm, sizeof(t->comm), "%.15s", buf);
	}
}

/* Before its exec a process is the runtime setting the container up. */
static const char *who_of(const struct tracee *t)
{
	return t->started ? t->comm : AGENT_NAME;
}

static struct tracee *add(pid_t pid, const char *comm)
{
	struct tracee *t = find(pid);

	if (t)
		return t;
	if (n_tracees == MAX_TRACEES) {
		say("more than %d traced processes: %d is not followed", MAX_TRACEES, pid);
		return NULL;
	}
	t = &tracees[n_tracees++];
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->fresh = true;
	snprintf(t->comm, sizeof(t->comm), "%s", comm ? comm : "?");
	if (!comm)
		read_comm(t);
	return t;
}

static void drop(pid_t pid, int status)
{
	struct tracee *t = find(pid);

	if (t)
		*t = tracees[--n_tracees];
	exited[n_exited % MAX_EXITED].pid = pid;
	exited[n_exited % MAX_EXITED].status = status;
	n_exited++;
}

int trace_exit_status(pid_t pid)
{
	for (unsigned i = 0; i < n_exited && i < MAX_EXITED; i++)
		if (exited[i].pid == pid)
			return exited[i].status;
	return -1;
}

unsigned trace_count(void)
{
	return n_tracees;
}

int trace_adopt(pid_t pid)
{
	long opts = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK |
		    PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
		    PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL;
	struct tracee *t;

	if (modlog_fd < 0)
		modlog_fd = open(MODREQ_LOG, O_RDONLY | O_CLOEXEC);
	if (ptrace(PTRACE_SETOPTIONS, pid, 0, opts)) {
		say("PTRACE_SETOPTIONS %d: %s", pid, strerror(errno));
		return -errno;
	}
	t = add(pid, NULL);
	if (!t)
		return -ENOMEM;
	t->fresh = false;	/* that SIGSTOP is the one we just saw */
	t->started = false;	/* count from its exec on */
	return ptrace(PTRACE_SYSCALL, pid, 0, 0) ? -errno : 0;
}

static off_t modlog_size(void)
{
	struct stat st;

	return modlog_fd >= 0 && !fstat(modlog_fd, &st) ? st.st_size : 0;
}

/* Read a NUL-terminated string (or @len raw bytes) from the tracee. */
static bool peek(pid_t pid, uint64_t addr, char *buf, size_t len, bool string)
{
	char path[64];
	ssize_t n;
	int fd;

	if (!addr)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = pread(fd, buf, string ? len - 1 : len, (off_t)addr);
	close(fd);
	if (n <= 0 || (!string && (size_t)n != len))
		return false;
	if (string)
		buf[n] = '\0';
	return true;
}

static bool fd_path(pid_t pid, long fd, char *buf, size_t cap, struct stat *st)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/fd/%ld", pid, fd);
	n = readlink(link, buf, cap - 1);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return !st || !stat(link, st);
}

static const char *const cgroup_controllers[] = {
	"cpu", "cpuset", "io", "memory", "pids", "hugetlb", "rdma", "misc",
	"perf_event", "freezer",
};

static void opened(struct tracee *t, long fd, long flags)
{
	bool writes = (flags & O_ACCMODE) != O_RDONLY;
	char path[512];
	struct stat st;

	if (!fd_path(t->pid, fd, path, sizeof(path), &st))
		return;
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
		fact_add(GUEST_FACT_DEVICES, path, who_of(t));
	if (writes && !strncmp(path, "/proc/sys/", 10)) {
		for (char *p = path + 10; *p; p++)
			if (*p == '/')
				*p = '.';
		fact_add(GUEST_FACT_SYSCTLS, path + 10, who_of(t));
	} else if (writes && strstr(path, "/sys/fs/cgroup/")) {
		const char *base = strrchr(path, '/') + 1;
		size_t n = strcspn(base, ".");

		for (unsigned i = 0; i < sizeof(cgroup_controllers) / sizeof(*cgroup_controllers); i++)
			if (strlen(cgroup_controllers[i]) == n &&
			    !strncmp(base, cgroup_controllers[i], n) && base[n] == '.')
				fact_add(GUEST_FACT_CGROUPS, cgroup_controllers[i], who_of(t));
	}
}

/* iptables-legacy hands the kernel a table by name through setsockopt. */
static void netfilter_sockopt(struct tracee *t)
{
	long level = (long)t->args[1], opt = (long)t->args[2];
	const char *core = NULL, *prefix = NULL;
	char name[33], mod[64];

	if (level == 0 /* SOL_IP */ && opt == 64) {
		core = "ip_tables"; prefix = "iptable_";
	} else if (level == 41 /* SOL_IPV6 */ && opt == 64) {
		core = "ip6_tables"; prefix = "ip6table_";
	} else if (level == 0 && opt == 96) {
		core = "arp_tables"; prefix = "arptable_";
	} else if (level == 0 && opt == 128) {
		core = "ebtables"; prefix = "ebtable_";
	}
	if (!core)
		return;
	fact_add(GUEST_FACT_NETFILTER, core, who_of(t));
	if (peek(t->pid, t->args[3], name, sizeof(name), true) && *name) {
		snprintf(mod, sizeof(mod), "%s%s", prefix, name);
		fact_add(GUEST_FACT_NETFILTER, mod, who_of(t));
	}
}

/* An ioctl that succeeded: its command, by what the descriptor is. */
static void ioctl_fact(struct tracee *t, const char *who)
{
	char path[480], what[512];
	const char *obj = "file";
	struct stat st;

	if (!fd_path(t->pid, (long)t->args[0], path, sizeof(path), &st))
		return;
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
		obj = path;
	else if (S_ISSOCK(st.st_mode))
		obj = "socket";
	else if (S_ISFIFO(st.st_mode))
		obj = "pipe";
	else if (!strncmp(path, "anon_inode:", 11))
		obj = path;	/* "anon_inode:[eventfd]" */
	snprintf(what, sizeof(what), "%s 0x%08x", obj, (unsigned)t->args[1]);
	fact_add(GUEST_FACT_IOCTLS, what, who);
}

/*
 * Turn the syscall @pid is entering into exit_group(@status): a process
 * that was about to exec the module helper exits as the helper would have.
 */
static int exit_instead(pid_t pid, int status)
{
#if defined(__x86_64__)
	struct user_regs_struct regs;

	if (ptrace(PTRACE_GETREGS, pid, 0, &regs))
		return -errno;
	regs.orig_rax = SYS_exit_group;
	regs.rdi = (unsigned long long)status;
	return ptrace(PTRACE_SETREGS, pid, 0, &regs) ? -errno : 0;
#elif defined(__aarch64__)
	struct arm64_user_regs regs;
	struct iovec iov = { &regs, sizeof(regs) };
	int nr = SYS_exit_group;

	if (ptrace(PTRACE_GETREGSET, pid, NT_PRSTATUS, &iov))
		return -errno;
	regs.regs[0] = (unsigned long long)status;
	if (ptrace(PTRACE_SETREGSET, pid, NT_PRSTATUS, &iov))
		return -errno;
	iov = (struct iovec){ &nr, sizeof(nr) };
	return ptrace(PTRACE_SETREGSET, pid, NT_ARM_SYSTEM_CALL, &iov) ? -errno : 0;
#else
	(void)pid;
	(void)status;
	return -ENOSYS;
#endif
}

/*
 * execve(HELPER_PATH, ...) from the container: user space asking for a
 * module (iptables-legacy's xtables_insmod). The path exists only in the
 * agent's mount namespace; serve the request there and let the process
 * exit with the helper's status instead of exec'ing.
 */
static void modprobe_from_user(struct tracee *t)
{
	char path[sizeof(HELPER_PATH) + 1], args[16][256], *argv[17];
	int argc = 0, status, r;
	uint64_t p;

	if (!peek(t->pid, t->args[0], path, sizeof(path), true) || strcmp(path, HELPER_PATH))
		return;
	for (; argc < 16; argc++) {
		if (!peek(t->pid, t->args[1] + (uint64_t)argc * sizeof(p), (char *)&p,
			  sizeof(p), false) || !p ||
		    !peek(t->pid, p, args[argc], sizeof(args[argc]), true))
			break;
		argv[argc] = args[argc];
	}
	argv[argc] = NULL;
	if (argc < 2)
		return;
	status = modules_serve_user(argc, argv, who_of(t));
	r = exit_instead(t->pid, status);
	if (r < 0)
		say("module request %s by %s: served, but the caller cannot be told (%s)",
		    argv[argc - 1], who_of(t), strerror(-r));
}

static void syscall_exit(struct tracee *t, long rval, const char *who)
{
	char buf[256];
	uint64_t u;

	if (rval < 0 && rval > -4096)
		return;	/* failed: the feature was not used */
	switch (t->nr) {
	case SYS_socket:
	case SYS_socketpair:
		fact_socket((int)t->args[0], (int)t->args[1], (int)t->args[2], who);
		break;
	case SYS_mount:
		if (!(t->args[3] & (MS_BIND | MS_MOVE | MS_REMOUNT | MS_SHARED |
				    MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)) &&
		    peek(t->pid, t->args[2], buf, sizeof(buf), true))
			fact_add(GUEST_FACT_FILESYSTEMS, buf, who);
		break;
	case SYS_fsopen:
		if (peek(t->pid, t->args[0], buf, sizeof(buf), true))
			fact_add(GUEST_FACT_FILESYSTEMS, buf, who);
		break;
#ifdef SYS_open	/* the generic table (arm64) has openat only */
	case SYS_open:
		opened(t, rval, (long)t->args[1]);
		break;
	case SYS_creat:
		opened(t, rval, O_WRONLY);
		break;
#endif
	case SYS_openat:
		opened(t, rval, (long)t->args[2]);
		break;
	case SYS_openat2:
		if (peek(t->pid, t->args[2], (char *)&u, sizeof(u), false))
			opened(t, rval, (long)u);
		break;
	case SYS_unshare:
	case SYS_clone:
		fact_ns_flags(t->args[0], who);
		break;
	case SYS_clone3:
		if (peek(t->pid, t->args[0], (char *)&u, sizeof(u), false))
			fact_ns_flags(u, who);
		break;
	case SYS_setns:
		if (t->args[1]) {
			fact_ns_flags(t->args[1], who);
		} else if (fd_path(t->pid, (long)t->args[0], buf, sizeof(buf), NULL)) {
			buf[strcspn(buf, ":")] = '\0';	/* "net:[4026531840]" */
			fact_add(GUEST_FACT_NAMESPACES, buf, who);
		}
		break;
	case SYS_setsockopt:
		netfilter_sockopt(t);
		break;
	case SYS_ioctl:
		ioctl_fact(t, who);
		break;
	}
}

static void on_syscall_stop(struct tracee *t)
{
	struct __ptrace_syscall_info info;
	const char *who = who_of(t);

	memset(&info, 0, sizeof(info));
	if (ptrace(PTRACE_GET_SYSCALL_INFO, t->pid, sizeof(info), &info) <= 0)
		return;
	if (info.op == 1 /* PTRACE_SYSCALL_INFO_ENTRY */) {
		t->nr = info.entry.nr;
		memcpy(t->args, info.entry.args, sizeof(t->args));
		t->compat = info.arch != AUDIT_ARCH_NATIVE;
		t->modlog_size = modlog_size();
		fact_syscall((unsigned)t->nr, t->compat, who);
		if (t->started && !t->compat && t->nr == SYS_execve)
			modprobe_from_user(t);
	} else if (info.op == 2 /* PTRACE_SYSCALL_INFO_EXIT */) {
		if (!t->compat)
			syscall_exit(t, (long)info.exit.rval, who);
		/* The kernel ran our module helper during this syscall. */
		if (modlog_size() != t->modlog_size)
			modules_take_requests(who);
	}
}

static void on_event(struct tracee *t, int event)
{
	unsigned long msg = 0;
	struct tracee *child;

	switch (event) {
	case PTRACE_EVENT_EXEC:
		t->started = true;
		read_comm(t);
		break;
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		if (ptrace(PTRACE_GETEVENTMSG, t->pid, 0, &msg))
			break;
		child = add((pid_t)msg, t->comm);
		if (child)
			child->started = t->started;
		break;
	}
}

/* One ptrace stop of @pid; resumes it. */
static void on_stop(pid_t pid, int status)
{
	struct tracee *t = find(pid);
	int sig = WSTOPSIG(status), inject = 0;
	siginfo_t si;

	if (!t) {
		/* A new child whose first stop came before its parent's event. */
		t = add(pid, NULL);
		if (!t) {
			ptrace(PTRACE_DETACH, pid, 0, 0);
			return;
		}
		t->started = true;
	}
	if (sig == (SIGTRAP | 0x80)) {
		on_syscall_stop(t);
	} else if (sig == SIGTRAP && (status >> 16)) {
		on_event(t, status >> 16);
	} else if (sig == SIGSTOP && t->fresh) {
		t->fresh = false;	/* the attach stop of a new child */
	} else if (ptrace(PTRACE_GETSIGINFO, pid, 0, &si)) {
		/* group-stop: let it run on (no job control in here) */
	} else {
		inject = sig;
	}
	ptrace(PTRACE_SYSCALL, pid, 0, inject);
}

pid_t trace_pump(int *status)
{
	for (;;) {
		int st;
		pid_t pid = waitpid(-1, &st, __WALL | WNOHANG);

		if (pid <= 0)
			return 0;
		if (WIFSTOPPED(st)) {
			on_stop(pid, st);
			continue;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			bool traced = find(pid) != NULL;

			drop(pid, code);
			if (!traced) {
				*status = code;
				return pid;
			}
		}
	}
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The workload runs as a container would under a real runtime: its own
 * namespaces, a cgroup v2 leaf with controllers enabled, an overlay root
 * (the image read-only below, a tmpfs above), the usual /proc, /dev,
 * /sys, /tmp. The agent's own set-up is recorded as facts of the
 * "ktrim-agent" process: the trimmed kernel must support the runtime too.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "profiler/agent/agent.h"

#define CGROUP_DIR "/sys/fs/cgroup/ktrim"
#define MERGED "/run/ktrim/merged"

extern char **environ;

static void die(const char *what)
{
	logmsg("container: %s: %s", what, strerror(errno));
	_exit(126);
}

static void loopback_up(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (!ioctl(s, SIOCGIFFLAGS, &ifr)) {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		if (ioctl(s, SIOCSIFFLAGS, &ifr))
			logmsg("lo up: %s", strerror(errno));
	}
	close(s);
}

static void make_dev(void)
{
	static const struct {
		const char *name;
		unsigned maj, min;
	} nodes[] = {
		{ "dev/null", 1, 3 }, { "dev/zero", 1, 5 }, { "dev/full", 1, 7 },
		{ "dev/random", 1, 8 }, { "dev/urandom", 1, 9 }, { "dev/tty", 5, 0 },
	};

	do_mount("tmpfs", "dev", "tmpfs", MS_NOSUID, "mode=755,size=1024k");
	for (unsigned i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++)
		if (mknod(nodes[i].name, S_IFCHR | 0666,
			  makedev(nodes[i].maj, nodes[i].min)))
			logmsg("mknod %s: %s", nodes[i].name, strerror(errno));
	symlink("/proc/self/fd", "dev/fd");
	symlink("/proc/self/fd/0", "dev/stdin");
	symlink("/proc/self/fd/1", "dev/stdout");
	symlink("/proc/self/fd/2", "dev/stderr");
	do_mount("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		 "newinstance,ptmxmode=0666,mode=620");
	symlink("pts/ptmx", "dev/ptmx");
	do_mount("shm", "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
}

static void drop_privileges(const struct spec *s)
{
	if (chdir(s->cwd))
		die(s->cwd);
	if (s->gid || s->uid) {
		if (setgroups(0, NULL) || setgid(s->gid) || setuid(s->uid))
			die("dropping privileges");
	}
}

/* Stop under ptrace just before exec, so every syscall of the program counts. */
static void traced_exec(char *const *argv, char *const *env)
{
	if (ptrace(PTRACE_TRACEME, 0, 0, 0))
		die("PTRACE_TRACEME");
	/* musl's raise() uses a cached tid that a raw clone() left stale. */
	kill(getpid(), SIGSTOP);
	environ = (char **)env;
	execvp(argv[0], argv);
	logmsg("cannot run %s: %s", argv[0], strerror(errno));
	_exit(127);
}

static void child_setup(const struct spec *s, int out_w)
{
	int devnull;

	if (write_file(CGROUP_DIR "/cgroup.procs", "0"))
		logmsg("joining " CGROUP_DIR ": %s", strerror(errno));
	if ((s->ns_flags & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP))
		die("unshare(CLONE_NEWCGROUP)");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		die("making / private");
	if (do_mount("overlay", MERGED, "overlay", 0,
		     "lowerdir=" ROOTFS_PATH ",upperdir=/run/ktrim/upper,workdir=/run/ktrim/work")) {
		logmsg("no overlayfs: bind-mounting the rootfs writable instead");
		if (do_mount(ROOTFS_PATH, MERGED, NULL, MS_BIND | MS_REC, NULL))
			die("rootfs");
	}
	if (chdir(MERGED))
		die(MERGED);
	do_mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	make_dev();
	if (s->ns_flags & CLONE_NEWIPC)
		do_mount("mqueue", "dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	do_mount("sysfs", "sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	do_mount("cgroup2", "sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	do_mount("tmpfs", "tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	do_mount("tmpfs", "run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=755");
	/* The initramfs root cannot be pivot_root'ed away: move + chroot. */
	if (mount(".", "/", NULL, MS_MOVE, NULL) || chroot(".") || chdir("/"))
		die("entering the rootfs");
	if ((s->ns_flags & CLONE_NEWUTS) && sethostname(s->hostname, strlen(s->hostname)))
		logmsg("sethostname: %s", strerror(errno));
	/*
	 * Its own lo, or the VM's when it shares the VM's network namespace
	 * (the default): the production init brings that one up too.
	 */
	loopback_up();
	drop_privileges(s);
	devnull = open("/dev/null", O_RDWR);
	if (devnull >= 0)
		dup2(devnull, 0);
	if (out_w >= 0)
		dup2(out_w, 1);
	traced_exec(s->args, s->env);
}

static void enable_controllers(const struct spec *s)
{
	char ctl[64];

	mkdir(CGROUP_DIR, 0755);
	for (unsigned i = 0; i < s->n_cgroups; i++) {
		snprintf(ctl, sizeof(ctl), "+%s", s->cgroups[i]);
		if (write_file("/sys/fs/cgroup/cgroup.subtree_control", ctl))
			logmsg("cgroup controller %s: %s", s->cgroups[i], strerror(errno));
		else
			fact_add(F_CGROUPS, s->cgroups[i], AGENT_NAME);
	}
}

/* Wait for the SIGSTOP of traced_exec() and take the child over. */
static int adopt(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, __WALL) != pid || !WIFSTOPPED(st)) {
		logmsg("child %d did not stop for tracing (status 0x%x)", pid, st);
		return -ECHILD;
	}
	return trace_adopt(pid);
}

pid_t container_start(const struct spec *s, int *stdout_fd)
{
	int out[2] = { -1, -1 };
	pid_t pid;

	*stdout_fd = -1;
	enable_controllers(s);
	mkdir_p("/run/ktrim/upper", 0755);
	mkdir_p("/run/ktrim/work", 0755);
	mkdir_p(MERGED, 0755);
	if (s->ready_pattern && pipe2(out, O_CLOEXEC))
		return -errno;
	/* fork-like clone (no new stack): the child gets new namespaces. */
	pid = (pid_t)syscall(SYS_clone, (s->ns_flags & ~(unsigned long)CLONE_NEWCGROUP) | SIGCHLD,
			     0, 0, 0, 0);
	if (pid < 0) {
		logmsg("clone: %s", strerror(errno));
		return -errno;
	}
	if (pid == 0) {
		if (out[0] >= 0)
			close(out[0]);
		child_setup(s, out[1]);
	}
	fact_ns_flags(s->ns_flags, AGENT_NAME);
	if (out[1] >= 0)
		close(out[1]);
	*stdout_fd = out[0];
	if (adopt(pid))
		return -ECHILD;
	modules_take_requests(AGENT_NAME);
	return pid;
}

static int open_ns(pid_t ct, const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", ct, name);
	return open(path, O_RDONLY | O_CLOEXEC);
}

pid_t container_exec_smoke(const struct spec *s, pid_t ct, int *out_fd)
{
	static const struct {
		const char *name;
		unsigned long flag;
	} order[] = {	/* mnt last: /proc paths are needed before it */
		{ "cgroup", CLONE_NEWCGROUP }, { "ipc", CLONE_NEWIPC },
		{ "uts", CLONE_NEWUTS }, { "net", CLONE_NEWNET }, { "mnt", CLONE_NEWNS },
	};
	int fds[5], out[2], own_pid = -1, ct_pid = -1, root;
	char path[64];
	pid_t pid;

	snprintf(path, sizeof(path), "/proc/%d/root", ct);
	root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0 || pipe2(out, O_CLOEXEC))
		return -errno;
	for (unsigned i = 0; i < 5; i++)
		fds[i] = (s->ns_flags & order[i].flag) ? open_ns(ct, order[i].name) : -1;
	if (s->ns_flags & CLONE_NEWPID) {
		/* Our children, not we, enter the workload's PID namespace. */
		own_pid = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
		ct_pid = open_ns(ct, "pid");
		if (setns(ct_pid, CLONE_NEWPID))
			logmsg("setns pid: %s", strerror(errno));
	}
	pid = fork();
	if (pid == 0) {
		close(out[0]);
		write_file(CGROUP_DIR "/cgroup.procs", "0");
		for (unsigned i = 0; i < 5; i++)
			if (fds[i] >= 0 && setns(fds[i], order[i].flag))
				die(order[i].name);
		if (fchdir(root) || chroot("."))
			die("entering the workload's root");
		drop_privileges(s);
		dup2(out[1], 1);
		dup2(out[1], 2);
		traced_exec(s->smoke, s->env);
	}
	if (own_pid >= 0 && setns(own_pid, CLONE_NEWPID))
		logmsg("setns back: %s", strerror(errno));
	for (unsigned i = 0; i < 5; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (own_pid >= 0)
		close(own_pid);
	if (ct_pid >= 0)
		close(ct_pid);
	close(root);
	close(out[1]);
	if (pid < 0 || adopt(pid)) {
		close(out[0]);
		return -ECHILD;
	}
	*out_fd = out[0];
	return pid;
}

bool container_port_open(pid_t ct, unsigned port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int theirs = open_ns(ct, "net"), s = -1;
	bool ok = false;

	/* A socket stays in the namespace it was created in. */
	if (self >= 0 && theirs >= 0 && !setns(theirs, CLONE_NEWNET)) {
		s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		setns(self, CLONE_NEWNET);
	}
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s >= 0)
		ok = !connect(s, (struct sockaddr *)&sa, sizeof(sa));
	if (s >= 0)
		close(s);
	if (self >= 0)
		close(self);
	if (theirs >= 0)
		close(theirs);
	return ok;
}

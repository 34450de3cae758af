// SPDX-License-Identifier: GPL-2.0-only
/*
 * The one container launcher of the guest runtime, for the shipped init
 * and the profiling agent alike (the agent only adds observation through
 * struct container_hooks): a cgroup v2 leaf with its controllers and
 * limits, namespaces, its root (a directory of the image or a block
 * device) with fresh proc, sysfs, cgroup2 and mqueue mounts as an OCI
 * runtime makes them, made "/" with a move mount + chroot (pivot_root
 * cannot leave the initramfs), user, cwd, then exec.
 *
 * PID and time namespaces apply to the children of the caller, so the
 * launcher unshares those in the caller right before the fork; the child
 * unshares the rest.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "initramfs/init/init.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#ifndef SYS_clone3
#define SYS_clone3 435		/* the same number on x86-64 and arm64 */
#endif
#define CLONE_INTO_CGROUP 0x200000000ULL

/* clone3()'s argument, version 2 (Linux 5.7: the cgroup field); ABI. */
struct clone_args_v2 {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};

#define CGROUP_DIR "/sys/fs/cgroup/ktrim"

static char root_buf[512];
static const char *workload_root = "/";
static char *child_env[INITRAMFS_SPEC_MAX_ENV + 4];
static char *default_args[2];
unsigned long ns_clone_flags(unsigned ns)
{
	/* NS_* bit i, in the guest ABI's namespace order */
	static const unsigned long flags[GUEST_NS_COUNT] = {
		CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWPID,
		CLONE_NEWNET, CLONE_NEWCGROUP, CLONE_NEWTIME,
	};
	unsigned long out = 0;

	for (unsigned i = 0; i < GUEST_NS_COUNT; i++)
		if (ns & (1u << i))
			out |= flags[i];
	return out;
}

/* Where the child reports a failed step: the caller's pipe, else the console. */
static int err_fd = -1;
/* Whether the workload's cgroup exists (joined by each process started in it). */
static bool in_cgroup;

/*
 * The workload's own cgroup, as an OCI runtime makes one: the controllers
 * the spec enables (a controller the kernel lacks is reported, and the
 * workload runs without it), then the limits, which must apply.
 */
static int cgroup_setup(const struct spec *s)
{
	char path[256], ctrl[64];

	in_cgroup = mkdir(CGROUP_DIR, 0755) == 0 || errno == EEXIST;
	if (!in_cgroup) {
		say("cgroup: mkdir %s: %s (is cgroup2 mounted?)", CGROUP_DIR,
		    strerror(errno));
		return s->ncgroups ? -1 : 0;
	}
	for (int i = 0; i < s->ncontrollers; i++) {
		snprintf(ctrl, sizeof(ctrl), "+%s", s->controllers[i]);
		if (write_file("/sys/fs/cgroup/cgroup.subtree_control", ctrl) < 0)
			say("cgroup: enabling %s: %s (controller not in this kernel?)",
			    s->controllers[i], strerror(errno));
	}
	for (int i = 0; i < s->ncgroups; i++) {
		const char *file = s->cgroups[i].file;
		size_t n = strcspn(file, ".");

		/* "memory.max" needs +memory in the parent's subtree. */
		if (n == 0 || n >= sizeof(ctrl) - 1 || file[n] != '.') {
			say("cgroup: '%s' is not CONTROLLER.FILE", file);
			return -1;
		}
		ctrl[0] = '+';
		memcpy(ctrl + 1, file, n);
		ctrl[n + 1] = '\0';
		if (strcmp(ctrl, "+cgroup") != 0 &&
		    write_file("/sys/fs/cgroup/cgroup.subtree_control",
			       ctrl) < 0) {
			say("cgroup: enabling %s: %s (controller not in this "
			    "kernel?)", ctrl + 1, strerror(errno));
			return -1;
		}
		snprintf(path, sizeof(path), "%s/%s", CGROUP_DIR, file);
		if (write_file(path, s->cgroups[i].value) < 0) {
			say("cgroup: %s = %s: %s", file, s->cgroups[i].value,
			    strerror(errno));
			return -1;
		}
	}
	return 0;
}

/*
 * fork(), the child born in the workload's cgroup when there is one
 * (*joined true): clone3(CLONE_INTO_CGROUP), as crun starts containers.
 * Moving a running process there instead (writing cgroup.procs) takes
 * cgroup_threadgroup_rwsem for writing, and its first writer waits out an
 * RCU grace period: 9 ms of a 122 ms boot to ready on microvm under TCG.
 * Kernels before 5.7 refuse the call: fork(), and the child joins itself.
 * The child only execs or _exits, so the libc's fork bookkeeping is moot.
 */
static pid_t fork_into_cgroup(bool *joined)
{
	static int dir = -2;
	struct clone_args_v2 a = { .flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD };
	long pid;

	*joined = false;
	if (in_cgroup && dir == -2)
		dir = open(CGROUP_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (in_cgroup && dir >= 0) {
		a.cgroup = (uint64_t)dir;
		pid = syscall(SYS_clone3, &a, sizeof(a));
		if (pid >= 0) {
			*joined = true;
			return (pid_t)pid;
		}
	}
	return fork();
}

/* In the child: report the failed step to the init and give up. */
static void __attribute__((noreturn)) child_fail(const char *step)
{
	char msg[300];
	int n = snprintf(msg, sizeof(msg), "%s: %s", step, strerror(errno));

	if (err_fd < 0)
		say("container setup: %s", msg);
	else if (write(err_fd, msg, (size_t)n) < 0)
		(void)0;
	_exit(126);
}

/*
 * What the container sees under its root, in order, as data: an OCI
 * runtime's (runc's with Docker's defaults). Confined (the default): a
 * minimal /dev on tmpfs (security.c fills it), sysfs and cgroup2
 * read-only; privileged: the VM's /dev, both read-write.
 */
#define NOSUID_NODEV_EXEC (MS_NOSUID | MS_NODEV | MS_NOEXEC)
enum { ANY, CONFINED, PRIVILEGED, READONLY_ROOT };
static const struct {
	const char *dir, *src, *type;
	unsigned long flags;
	const char *data;
	unsigned char when;
	bool required;	/* a failure fails the start (else: said, and on) */
} root_mounts[] = {
	{ "proc", "proc", "proc", NOSUID_NODEV_EXEC, NULL, ANY, false },
	{ "dev", "tmpfs", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k",
	  CONFINED, true },
	{ "dev", "/dev", NULL, MS_BIND | MS_REC, NULL, PRIVILEGED, false },
	{ "dev/pts", "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
	  "newinstance,ptmxmode=0666,mode=0620,gid=5", CONFINED, false },
	{ "dev/shm", "shm", "tmpfs", NOSUID_NODEV_EXEC, "mode=1777,size=65536k", CONFINED, false },
	{ "dev/mqueue", "mqueue", "mqueue", NOSUID_NODEV_EXEC, NULL, ANY, false },
	{ "sys", "sysfs", "sysfs", NOSUID_NODEV_EXEC | MS_RDONLY, NULL, CONFINED, true },
	{ "sys", "sysfs", "sysfs", NOSUID_NODEV_EXEC, NULL, PRIVILEGED, false },
	{ "sys/fs/cgroup", "cgroup2", "cgroup2", NOSUID_NODEV_EXEC | MS_RDONLY, NULL,
	  CONFINED, false },
	{ "sys/fs/cgroup", "cgroup2", "cgroup2", NOSUID_NODEV_EXEC, NULL, PRIVILEGED, false },
	{ "tmp", "tmpfs", "tmpfs", MS_NOSUID | MS_NODEV, NULL, READONLY_ROOT, false },
	{ "run", "tmpfs", "tmpfs", MS_NOSUID | MS_NODEV, NULL, READONLY_ROOT, false },
};

/* The table's mounts under @root ("" for "/"), then the security defaults. */
static void mount_view(const struct spec *s, const char *root)
{
	const char *step = security_dev_probe(s);
	char path[600];

	if (step)
		child_fail(step);
	for (size_t i = 0; i < sizeof(root_mounts) / sizeof(root_mounts[0]); i++) {
		unsigned char when = root_mounts[i].when;

		if ((when == CONFINED && s->privileged) ||
		    (when == PRIVILEGED && !s->privileged) ||
		    (when == READONLY_ROOT && !s->readonly))
			continue;
		snprintf(path, sizeof(path), "%s/%s", root, root_mounts[i].dir);
		/*
		 * At "/", the init's own mounts are there (copies, in this
		 * mount namespace): sysfs and cgroup2 are one superblock per
		 * namespace, which the kernel will not mount twice on one spot.
		 */
		if (!*root && root_mounts[i].type)
			umount2(path, MNT_DETACH);
		if (mkdir(path, 0755) < 0 && errno != EEXIST && !root_mounts[i].required)
			continue;	/* read-only root without this dir: go without */
		if (mount(root_mounts[i].src, path, root_mounts[i].type,
			  root_mounts[i].flags, root_mounts[i].data) == 0) {
			if (!strcmp(root_mounts[i].dir, "proc"))
				nonce_hide(root);
			if (!strcmp(root_mounts[i].dir, "dev") &&
			    (step = security_dev_populate(s, root)))
				child_fail(step);
		} else if (root_mounts[i].required) {
			child_fail(path);
		} else {
			say("container: mount %s on %s: %s", root_mounts[i].src, path,
			    strerror(errno));
		}
	}
	if ((step = security_paths(s, root)))
		child_fail(step);
}

static void enter_root(const struct spec *s, const char *root)
{
	bool mntns = s->namespaces & NS_MNT;

	if (mntns && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		child_fail("make mounts private");
	if (strcmp(root, "/") == 0) {
		/*
		 * The image root itself: the same view in a mount namespace of
		 * its own; without one, the init's mounts (no security mounts).
		 */
		if (mntns)
			mount_view(s, "");
		if (s->readonly && mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND |
					 MS_RDONLY, NULL) < 0)
			child_fail("remount / read-only");
		return;
	}
	/* A bind mount of the root onto itself makes it movable. */
	if (mount(root, root, NULL, MS_BIND | MS_REC, NULL) < 0)
		child_fail("bind the root");
	mount_view(s, root);
	if (s->readonly && mount(NULL, root, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY,
				 NULL) < 0)
		child_fail("remount the root read-only");
	if (chdir(root) < 0)
		child_fail("chdir to the root");
	if (mntns && mount(".", "/", NULL, MS_MOVE, NULL) < 0)
		child_fail("move the root to /");
	if (chroot(".") < 0)
		child_fail("chroot");
	if (chdir("/") < 0)
		child_fail("chdir /");
}

/* The environment's defaults; HOME is the user's when user-name names one. */
static char *const env_defaults[] = {
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	"HOME=/", "TERM=linux",
};

static const char *env_get(char *const *env, const char *name)
{
	size_t n = strlen(name);

	for (; *env; env++)
		if (strncmp(*env, name, n) == 0 && (*env)[n] == '=')
			return *env + n + 1;
	return NULL;
}

/* execvpe() with the child's own PATH, not the init's. */
static void exec_workload(char *const *argv, char *const *env)
{
	static char path[1024];
	const char *p = env_get(env, "PATH");

	if (strchr(argv[0], '/') || !p) {
		execve(argv[0], argv, env);
		return;
	}
	while (*p) {
		size_t n = strcspn(p, ":");

		snprintf(path, sizeof(path), "%.*s/%s", (int)n, p, argv[0]);
		execve(path, argv, env);
		p += n;
		if (*p == ':')
			p++;
	}
	errno = ENOENT;
}

/*
 * Last steps in the container's root: limits, bounding set, user, cwd,
 * capabilities, seccomp, exec.
 */
static void __attribute__((noreturn)) become_workload(const struct spec *s,
						      char *const *argv)
{
	const char *step = security_rlimits(s);

	if (step || (step = security_bound(s)))
		child_fail(step);
	if (s->user_name) {
		static struct user_ids u;
		static char home[262];

		if (user_resolve(s->user_name, &u) < 0) {
			errno = ENOENT;
			child_fail(u.error);
		}
		snprintf(home, sizeof(home), "HOME=%s", u.home);
		for (char **e = child_env; *e; e++)
			if (*e == env_defaults[1])
				*e = home;
		if (setgroups((size_t)u.ngroups, u.groups) < 0 || setgid(u.gid) < 0 ||
		    setuid(u.uid) < 0)
			child_fail("switch user");
	} else if (s->uid || s->gid) {
		if (setgroups(0, NULL) < 0 || setgid(s->gid) < 0 ||
		    setuid(s->uid) < 0)
			child_fail("switch user");
	}
	if (chdir(s->cwd ? s->cwd : "/") < 0)
		child_fail("chdir to cwd");
	if ((step = security_lock(s)) || (step = security_seccomp(s)))
		child_fail(step);
	exec_workload(argv, child_env);
	child_fail(argv[0]);
}

static void build_env(const struct spec *s)
{
	char *const *defaults = env_defaults;
	int n = 0;

	for (size_t i = 0; i < sizeof(env_defaults) / sizeof(env_defaults[0]); i++) {
		size_t k = strcspn(defaults[i], "=");
		bool overridden = false;

		for (int j = 0; j < s->nenv; j++)
			if (strncmp(s->env[j], defaults[i], k + 1) == 0)
				overridden = true;
		if (!overridden)
			child_env[n++] = defaults[i];
	}
	for (int j = 0; j < s->nenv; j++)
		child_env[n++] = s->env[j];
	child_env[n] = NULL;
}

static void __attribute__((noreturn)) child(const struct spec *s,
					    const char *root, char *const *argv,
					    int out_w, const struct container_hooks *h,
					    bool joined)
{
	unsigned long flags = 0;
	sigset_t none;

	if (h && h->child_start)
		h->child_start();
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	setsid();
	if (out_w >= 0 && dup2(out_w, 1) < 0)
		child_fail("stdout pipe");
	if (in_cgroup && !joined && write_file(CGROUP_DIR "/cgroup.procs", "0") < 0)
		child_fail("join cgroup " CGROUP_DIR);
	/* pid and time were the caller's (container_start) */
	flags = ns_clone_flags(s->namespaces & ~(unsigned)(NS_PID | NS_TIME));
	if (flags && unshare((int)flags) < 0)
		child_fail("unshare namespaces");
	if ((s->namespaces & NS_UTS) && s->hostname &&
	    sethostname(s->hostname, strlen(s->hostname)) < 0)
		child_fail("sethostname");
	if ((s->namespaces & NS_NET) && net_loopback_up() < 0)
		child_fail("bring up lo in the new net namespace");
	enter_root(s, root);
	become_workload(s, argv);
}

static const char *prepare_root_once(const struct spec *s)
{
	struct stat st;

	if (s->rootfs_type) {
		if (wait_for(s->rootfs) < 0) {
			say("root device %s did not appear (driver module "
			    "missing?)", s->rootfs);
			return NULL;
		}
		mkdir("/mnt/root", 0755);
		if (mount(s->rootfs, "/mnt/root", s->rootfs_type,
			  s->readonly ? MS_RDONLY : 0, NULL) < 0) {
			say("mount %s (%s) on /mnt/root: %s", s->rootfs,
			    s->rootfs_type, strerror(errno));
			return NULL;
		}
		return "/mnt/root";
	}
	if (!s->rootfs || strcmp(s->rootfs, "/") == 0)
		return "/";
	if (stat(s->rootfs, &st) < 0 || !S_ISDIR(st.st_mode)) {
		say("rootfs %s is not a directory in the image", s->rootfs);
		return NULL;
	}
	snprintf(root_buf, sizeof(root_buf), "%s", s->rootfs);
	return root_buf;
}

static const char *prepare_root(const struct spec *s)
{
	static const char *prepared;

	/* A restart runs in the root the first run prepared. */
	if (prepared)
		return prepared;
	prepared = prepare_root_once(s);
	return prepared;
}

static char *const *choose_command(const struct spec *s, const char *root)
{
	static char probe[600];

	if (s->nargs > 0) {
		say("running %s (from the spec)", s->args[0]);
		return s->args;
	}
	snprintf(probe, sizeof(probe), "%s/sbin/init",
		 strcmp(root, "/") ? root : "");
	default_args[0] = access(probe, X_OK) == 0 ? "/sbin/init" : "/bin/sh";
	default_args[1] = NULL;
	say("no command in the spec: running %s from the rootfs",
	    default_args[0]);
	return default_args;
}

/* The caller's side of @h once @pid exists; -1 (and @pid killed) when it refuses. */
static int hook_started(const struct container_hooks *h, pid_t pid)
{
	if (!h || !h->started || h->started(pid) == 0)
		return 0;
	kill(pid, SIGKILL);
	return -1;
}

int container_start(const struct spec *s, struct workload *w,
		    const struct container_hooks *h)
{
	char *const *argv;
	const char *root;
	int out[2], errp[2];
	unsigned long pre = 0;
	char msg[300];
	ssize_t n;
	bool joined;

	w->pid = -1;
	w->stdout_fd = -1;
	w->netns_fd = -1;
	w->own_net = s->namespaces & NS_NET;
	root = prepare_root(s);
	if (!root)
		return -1;
	workload_root = root;
	if (cgroup_setup(s) < 0)
		return -1;
	argv = choose_command(s, root);
	build_env(s);
	pre = ns_clone_flags(s->namespaces & (NS_PID | NS_TIME));
	/*
	 * A restart: the last run's pid namespace died with its init, and
	 * unshare refuses a second one while our children's namespace is
	 * not our own. Going back to ours first makes each run a fresh one.
	 */
	if (pre & CLONE_NEWPID) {
		static int own_pidns = -2;

		if (own_pidns == -2)
			own_pidns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
		if (own_pidns >= 0)
			setns(own_pidns, CLONE_NEWPID);
	}
	if (pre && unshare((int)pre) < 0) {
		say("unshare pid/time namespace: %s", strerror(errno));
		return -1;
	}
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
		say("pipe: %s", strerror(errno));
		return -1;
	}
	w->pid = fork_into_cgroup(&joined);
	if (w->pid < 0) {
		say("fork: %s", strerror(errno));
		return -1;
	}
	if (w->pid == 0) {
		close(out[0]);
		close(errp[0]);
		/* A traced child cannot reach exec while we wait on the pipe. */
		err_fd = h && h->started ? -1 : errp[1];
		child(s, root, argv, out[1], h, joined);
	}
	close(out[1]);
	close(errp[1]);
	w->stdout_fd = out[0];
	if (h && h->started) {
		close(errp[0]);
		/* its namespaces come later: container_port_open() looks each time */
		return hook_started(h, w->pid);
	}
	/* EOF without a message means exec succeeded (the pipe is CLOEXEC). */
	do
		n = read(errp[0], msg, sizeof(msg) - 1);
	while (n < 0 && errno == EINTR);
	close(errp[0]);
	if (n > 0) {
		msg[n] = '\0';
		say("container setup failed: %s", msg);
		return 1;
	}
	if (s->namespaces & NS_NET) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)w->pid);
		w->netns_fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	return 0;
}

pid_t container_exec_in(const struct spec *s, const struct workload *w,
			char *const *argv, int out_fd, const struct container_hooks *h)
{
	/* The mount namespace goes last: it changes what /proc means. */
	static const struct {
		unsigned bit;
		const char *name;
		int type;
	} ns[] = {
		{ NS_NET, "net", CLONE_NEWNET }, { NS_UTS, "uts", CLONE_NEWUTS },
		{ NS_IPC, "ipc", CLONE_NEWIPC },
		{ NS_CGROUP, "cgroup", CLONE_NEWCGROUP },
		{ NS_MNT, "mnt", CLONE_NEWNS },
	};
	int fds[sizeof(ns) / sizeof(ns[0])];
	char path[64];
	sigset_t none;
	bool joined;
	pid_t pid = fork_into_cgroup(&joined);

	if (pid > 0 && hook_started(h, pid) < 0)
		return -1;
	if (pid != 0)
		return pid;
	if (h && h->child_start)
		h->child_start();
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	err_fd = -1;
	if (out_fd >= 0 && (dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0))
		child_fail("output pipe");
	if (in_cgroup && !joined && write_file(CGROUP_DIR "/cgroup.procs", "0") < 0)
		child_fail("join cgroup " CGROUP_DIR);
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		fds[i] = -1;
		if (!(s->namespaces & ns[i].bit))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)w->pid,
			 ns[i].name);
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0)
			child_fail(path);
	}
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
		if (fds[i] >= 0 && setns(fds[i], ns[i].type) < 0)
			child_fail("setns");
	/* Without a mount namespace the root is only a chroot away. */
	if (!(s->namespaces & NS_MNT) && strcmp(workload_root, "/") != 0 &&
	    (chroot(workload_root) < 0 || chdir("/") < 0))
		child_fail("chroot to the workload root");
	become_workload(s, argv);
}

bool container_port_open(const struct workload *w, unsigned port)
{
	static int own_ns = -2;
	struct sockaddr_in sa;
	char path[64];
	int sock, r, ns = w->netns_fd;

	/* Without the fd (a traced start), the workload's namespace as of now. */
	if (w->own_net && ns < 0) {
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)w->pid);
		ns = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (w->own_net) {
		if (own_ns == -2)
			own_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		r = ns >= 0 && own_ns >= 0 ? setns(ns, CLONE_NEWNET) : -1;
		if (ns != w->netns_fd && ns >= 0)
			close(ns);
		if (r < 0)
			return false;
	}
	/* The socket stays in the namespace it was created in. */
	sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (w->own_net)
		setns(own_ns, CLONE_NEWNET);
	if (sock < 0)
		return false;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r = connect(sock, (struct sockaddr *)&sa, sizeof(sa));
	close(sock);
	return r == 0;
}

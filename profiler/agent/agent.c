// SPDX-License-Identifier: GPL-2.0-only
/*
 * ktrim-agent: PID 1 of the profiling guest. The guest runtime's own steps
 * (the spec, the mounts, the network, the container launcher) set the
 * guest up exactly as the shipped init does; the agent adds observation:
 * it starts the workload traced, waits for it to be ready, runs the smoke
 * test inside its container, then sends everything it observed to the host
 * as checksummed records and powers off. It never exits: a PID 1 that
 * exits panics the kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "profiler/agent/agent.h"

#define MAX_OUTPUT_LINES 400

struct line_reader {
	int fd;
	char buf[4096];
	size_t len;
};

/* Calls @fn for each complete line; returns false once the pipe closed. */
static bool read_lines(struct line_reader *r, void (*fn)(const char *, void *),
		       void *ctx)
{
	ssize_t n;

	if (r->fd < 0)
		return false;
	n = read(r->fd, r->buf + r->len, sizeof(r->buf) - 1 - r->len);
	if (n <= 0) {
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return true;
		if (r->len) {
			r->buf[r->len] = '\0';
			fn(r->buf, ctx);
			r->len = 0;
		}
		close(r->fd);
		r->fd = -1;
		return false;
	}
	r->len += (size_t)n;
	for (;;) {
		char *nl = memchr(r->buf, '\n', r->len);

		if (!nl && r->len < sizeof(r->buf) - 1)
			break;
		if (nl)
			*nl = '\0';
		else
			r->buf[r->len] = '\0';	/* over-long line: cut */
		fn(r->buf, ctx);
		if (!nl) {
			r->len = 0;
			break;
		}
		r->len -= (size_t)(nl + 1 - r->buf);
		memmove(r->buf, nl + 1, r->len);
	}
	return true;
}

struct run {
	struct workload w;
	pid_t smoke;
	struct readiness rd;
	unsigned smoke_lines;
};

static struct spec spec;

static void workload_line(const char *line, void *ctx)
{
	struct run *r = ctx;

	dprintf(1, "workload: %s\n", line);
	ready_line(&spec, &r->rd, line);
}

static void smoke_line(const char *line, void *ctx)
{
	struct run *r = ctx;

	dprintf(1, "smoke-test: %s\n", line);
	if (r->smoke_lines++ < MAX_OUTPUT_LINES)
		proto_output(line);
}

/*
 * Tracing starts at the container's first step, so the runtime's set-up
 * (mounts, namespaces, cgroup, user) is recorded as ktrim-agent's, the
 * workload's from its exec on. The child asks for tracing and waits; the
 * agent stops it (a signal from inside a new PID namespace cannot stop
 * that namespace's init) and adopts it.
 */
static int sync_ack[2] = { -1, -1 }, sync_go[2] = { -1, -1 };

static int trace_prepare(void)
{
	if (pipe2(sync_ack, O_CLOEXEC) == 0 && pipe2(sync_go, O_CLOEXEC) == 0)
		return 0;
	say("pipe: %s", strerror(errno));
	return -1;
}

static void trace_child_start(void)
{
	char c = 0;

	close(sync_ack[0]);
	close(sync_go[1]);
	if (ptrace(PTRACE_TRACEME, 0, 0, 0) || write(sync_ack[1], &c, 1) != 1 ||
	    read(sync_go[0], &c, 1) != 1) {
		say("cannot be traced: %s", strerror(errno));
		_exit(126);
	}
	close(sync_ack[1]);
	close(sync_go[0]);
}

static int trace_started(pid_t pid)
{
	char c = 0;
	int st, r = -1;

	close(sync_ack[1]);
	close(sync_go[0]);
	if (read(sync_ack[0], &c, 1) == 1 && !kill(pid, SIGSTOP) &&
	    waitpid(pid, &st, __WALL) == pid && WIFSTOPPED(st) && !trace_adopt(pid) &&
	    write(sync_go[1], &c, 1) == 1)
		r = 0;
	else
		say("process %d could not be traced", pid);
	close(sync_ack[0]);
	close(sync_go[1]);
	return r;
}

static const struct container_hooks traced = { trace_child_start, trace_started };

/* What the runtime mounted for itself: the trimmed kernel must support it too. */
static void record_mounts(void)
{
	static char buf[16384];
	char *line, *save = NULL;

	if (read_small("/proc/self/mounts", buf, sizeof(buf)) < 0)
		return;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char type[64];

		/* "SOURCE DIR TYPE OPTIONS 0 0"; rootfs is the kernel's own */
		if (sscanf(line, "%*s %*s %63s", type) == 1 && strcmp(type, "rootfs"))
			fact_add(GUEST_FACT_FILESYSTEMS, type, AGENT_NAME);
	}
}

/* What the launcher did in the agent itself, outside the traced child. */
static void record_launch(void)
{
	char ctrl[64];

	fact_ns_flags(ns_clone_flags(spec.namespaces & (NS_PID | NS_TIME)), AGENT_NAME);
	for (int i = 0; i < spec.ncontrollers; i++)
		fact_add(GUEST_FACT_CGROUPS, spec.controllers[i], AGENT_NAME);
	for (int i = 0; i < spec.ncgroups; i++) {
		snprintf(ctrl, sizeof(ctrl), "%.*s", (int)strcspn(spec.cgroups[i].file, "."),
			 spec.cgroups[i].file);
		fact_add(GUEST_FACT_CGROUPS, ctrl, AGENT_NAME);
	}
}

/* The module tree comes from the host over 9p; it is not a workload fact. */
static int mount_module_tree(void)
{
	struct utsname u;
	char dir[300];

	uname(&u);
	snprintf(dir, sizeof(dir), "/lib/modules/%s", u.release);
	mkdir_p(dir, 0755);
	if (!mount("kmods", dir, "9p", MS_RDONLY,
		   "trans=virtio,version=9p2000.L,msize=262144,cache=loose"))
		return 0;
	if (!mount("kmods", dir, "9p", MS_RDONLY, "trans=virtio,version=9p2000.L"))
		return 0;
	say("mounting the module tree (9p) on %s: %s", dir, strerror(errno));
	return -errno;
}

static void fail(const char *msg)
{
	say("%s", msg);
	proto_status("error", msg);
}

/* Stop the workload: SIGTERM, a grace period, then SIGKILL for the tree. */
static void stop_workload(struct run *r, int sfd)
{
	double t = mono_s();
	int st;

	if (trace_exit_status(r->w.pid) < 0)
		kill(r->w.pid, SIGTERM);
	while (trace_count() && mono_s() - t < 8) {
		struct pollfd p = { sfd, POLLIN, 0 };
		struct signalfd_siginfo si;

		if (mono_s() - t > 2 && trace_exit_status(r->w.pid) < 0)
			kill(r->w.pid, SIGKILL);	/* a PID-namespace init ignores SIGTERM */
		if (poll(&p, 1, 100) > 0 && read(sfd, &si, sizeof(si)) < 0)
			break;
		trace_pump(&st);
	}
	if (trace_exit_status(r->w.pid) >= 0)
		timeline("workload-exit", "status=%d", trace_exit_status(r->w.pid));
}

/* The smoke test in the workload's container, traced; its output on *@fd. */
static pid_t start_smoke(struct run *r, int *fd)
{
	int out[2];
	pid_t pid;

	if (pipe2(out, O_CLOEXEC) || trace_prepare()) {
		say("pipe: %s", strerror(errno));
		return -1;
	}
	pid = container_exec_in(&spec, &r->w, spec.smoke, out[1], &traced);
	close(out[1]);
	if (pid < 0) {
		close(out[0]);
		return -1;
	}
	*fd = out[0];
	return pid;
}

static void run_workload(struct run *r)
{
	struct line_reader out = { -1, "", 0 }, smoke = { -1, "", 0 };
	double start = mono_s(), ready_at = 0, smoke_deadline = 0, next_probe = 0;
	bool smoke_done = spec.nsmoke == 0;
	char msg[160];
	sigset_t set;
	int sfd, st;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	r->smoke = -1;
	if (trace_prepare() || container_start(&spec, &r->w, &traced)) {
		fail("the workload could not be started");
		return;
	}
	out.fd = r->w.stdout_fd;
	record_launch();
	modules_take_requests(AGENT_NAME);
	timeline("workload-exec", "pid=%d", r->w.pid);
	ready_begin(&spec, &r->rd);
	for (;;) {
		struct pollfd p[3] = {
			{ sfd, POLLIN, 0 }, { out.fd, POLLIN, 0 }, { smoke.fd, POLLIN, 0 },
		};
		struct signalfd_siginfo si;
		double now;

		while (trace_pump(&st) > 0)
			;
		if (poll(p, 3, 50) > 0) {
			while (read(sfd, &si, sizeof(si)) > 0)
				;
			if (p[1].revents)
				read_lines(&out, workload_line, r);
			if (p[2].revents)
				read_lines(&smoke, smoke_line, r);
		}
		now = mono_s();
		if (trace_exit_status(r->w.pid) >= 0 && (!r->rd.ready || !smoke_done)) {
			snprintf(msg, sizeof(msg), "the workload exited with status %d before %s",
				 trace_exit_status(r->w.pid),
				 r->rd.ready ? "the smoke test ended" : "it was ready");
			fail(msg);
			break;
		}
		if (now >= next_probe) {
			ready_probe(&spec, &r->rd, &r->w);
			next_probe = now + 0.2;
		}
		if (ready_overdue(&r->rd, uptime_us())) {
			snprintf(msg, sizeof(msg), "the workload was not ready after %us",
				 spec.ready_timeout_s);
			fail(msg);
			break;
		}
		if (r->rd.ready && !ready_at) {
			ready_at = now;
			snprintf(msg, sizeof(msg), "%.2f", now - start);
			proto_status("ready", msg);
			if (!smoke_done) {
				r->smoke = start_smoke(r, &smoke.fd);
				if (r->smoke < 0) {
					fail("the smoke test could not be started");
					break;
				}
				smoke_deadline = now + (spec.smoke_timeout_s ? spec.smoke_timeout_s : 30);
			}
		}
		if (r->smoke > 0 && !smoke_done && trace_exit_status(r->smoke) >= 0 &&
		    smoke.fd < 0) {
			smoke_done = true;
			snprintf(msg, sizeof(msg), "%d", trace_exit_status(r->smoke));
			proto_status("smoke-exit", msg);
			timeline("smoke-done", "status=%s", msg);
		}
		if (r->smoke > 0 && !smoke_done && now > smoke_deadline) {
			kill(r->smoke, SIGKILL);
			snprintf(msg, sizeof(msg), "%u", spec.smoke_timeout_s ? spec.smoke_timeout_s : 30);
			proto_status("smoke-timeout", msg);
			smoke_done = true;
		}
		/* Without a smoke test, let the ready workload run briefly. */
		if (r->rd.ready && smoke_done && now - ready_at >= (spec.nsmoke ? 0 : 1))
			break;
	}
	stop_workload(r, sfd);
}

static void pid1(void)
{
	static struct run r;
	char *baseline, err[300];
	bool overlay;
	int n;

	log_init(AGENT_NAME);
	if (facts_init())
		say("no memory for the fact table");
	timeline("init-start", NULL);
	mounts_setup();
	record_mounts();
#ifdef FACTS_TTY
	if (proto_open(FACTS_TTY))
		say("cannot open %s: the host will get no facts", FACTS_TTY);
#endif
	if (spec_load(&spec, &overlay, err, sizeof(err)) < 0) {
		fail(err);
		facts_emit();
		power_off();
	}
	n = modules_load(&spec);
#ifdef FACTS_PORT
	if (proto_open_port(FACTS_PORT))
		say("no virtio-serial port %s: the host will get no facts", FACTS_PORT);
#endif
	if (mount_module_tree()) {
		fail("cannot reach the module tree");
		facts_emit();
		power_off();
	}
	modules_static_nodes();
	baseline = modules_snapshot();
	timeline("modules-loaded", "n=%d", n);
	if (modules_install_helper())
		say("cannot install the module helper: requests are not recorded");
	net_setup(&spec);
	run_workload(&r);
	modules_collect(baseline ? baseline : "\n");
	facts_emit();
	power_off();
}

int main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/');

	base = base ? base + 1 : argv[0];
	if (!strcmp(base, HELPER_NAME))
		return modprobe_helper_main(argc, argv);
	if (getpid() != 1) {
		fprintf(stderr, "%s: runs as PID 1 of a ktrim profiling guest "
			"(or as %s, the kernel's module helper)\n", AGENT_NAME, HELPER_NAME);
		return 2;
	}
	pid1();
	return 0;
}

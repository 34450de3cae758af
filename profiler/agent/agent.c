// SPDX-License-Identifier: GPL-2.0-only
/*
 * ktrim-agent: PID 1 of the profiling guest. Sets the guest up like a
 * container host, starts the workload traced, waits for it to be ready,
 * runs the smoke test inside its container, then sends everything it
 * observed to the host as checksummed records and powers off. It never
 * exits: a PID 1 that exits panics the kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
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
	struct spec spec;
	pid_t ct, smoke;
	bool ready;
	unsigned smoke_lines;
};

static void workload_line(const char *line, void *ctx)
{
	struct run *r = ctx;

	dprintf(1, "workload: %s\n", line);
	if (!r->ready && r->spec.ready_pattern && !fnmatch(r->spec.ready_pattern, line, 0))
		r->ready = true;
}

static void smoke_line(const char *line, void *ctx)
{
	struct run *r = ctx;

	dprintf(1, "smoke-test: %s\n", line);
	if (r->smoke_lines++ < MAX_OUTPUT_LINES)
		proto_output(line);
}

static void mount_base(void)
{
	do_mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	do_mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	do_mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=755");
	do_mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=755");
	do_mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	do_mount("cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
}

/* The module tree comes from the host over 9p; it is not a workload fact. */
static int mount_module_tree(const char *krel)
{
	char dir[256];

	snprintf(dir, sizeof(dir), "/lib/modules/%s", krel);
	mkdir_p(dir, 0755);
	if (!mount("kmods", dir, "9p", MS_RDONLY,
		   "trans=virtio,version=9p2000.L,msize=262144,cache=loose"))
		return 0;
	if (!mount("kmods", dir, "9p", MS_RDONLY, "trans=virtio,version=9p2000.L"))
		return 0;
	logmsg("mounting the module tree (9p) on %s: %s", dir, strerror(errno));
	return -errno;
}

static void poweroff(void)
{
	timeline("poweroff", NULL);
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

static void fail(const char *msg)
{
	logmsg("%s", msg);
	proto_status("error", msg);
}

/* Stop the workload: SIGTERM, a grace period, then SIGKILL for the tree. */
static void stop_workload(struct run *r, int sfd)
{
	double t = mono_s();
	int st;

	if (trace_exit_status(r->ct) < 0)
		kill(r->ct, SIGTERM);
	while (trace_count() && mono_s() - t < 8) {
		struct pollfd p = { sfd, POLLIN, 0 };
		struct signalfd_siginfo si;

		if (mono_s() - t > 2 && trace_exit_status(r->ct) < 0)
			kill(r->ct, SIGKILL);	/* a PID-namespace init ignores SIGTERM */
		if (poll(&p, 1, 100) > 0 && read(sfd, &si, sizeof(si)) < 0)
			break;
		trace_pump(&st);
	}
	if (trace_exit_status(r->ct) >= 0)
		timeline("workload-exit", "status=%d", trace_exit_status(r->ct));
}

static void run_workload(struct run *r)
{
	struct line_reader out = { -1, "", 0 }, smoke = { -1, "", 0 };
	double start = mono_s(), ready_at = 0, smoke_deadline = 0, next_probe = 0;
	bool smoke_done = r->spec.smoke[0] == NULL;
	char msg[160];
	sigset_t set;
	int sfd, st;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	r->smoke = -1;
	r->ct = container_start(&r->spec, &out.fd);
	if (r->ct < 0) {
		fail("the workload could not be started");
		return;
	}
	timeline("workload-exec", "pid=%d", r->ct);
	if (!r->spec.ready_pattern && !r->spec.ready_port)
		r->ready = true;
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
		if (trace_exit_status(r->ct) >= 0 && (!r->ready || !smoke_done)) {
			snprintf(msg, sizeof(msg), "the workload exited with status %d before %s",
				 trace_exit_status(r->ct), r->ready ? "the smoke test ended" : "it was ready");
			fail(msg);
			break;
		}
		if (!r->ready && r->spec.ready_port && now >= next_probe) {
			r->ready = container_port_open(r->ct, r->spec.ready_port);
			next_probe = now + 0.2;
		}
		if (!r->ready && now - start > r->spec.ready_timeout_s) {
			snprintf(msg, sizeof(msg), "the workload was not ready after %us",
				 r->spec.ready_timeout_s);
			fail(msg);
			break;
		}
		if (r->ready && !ready_at) {
			ready_at = now;
			timeline("workload-ready", NULL);
			snprintf(msg, sizeof(msg), "%.2f", now - start);
			proto_status("ready", msg);
			if (!smoke_done) {
				r->smoke = container_exec_smoke(&r->spec, r->ct, &smoke.fd);
				if (r->smoke < 0) {
					fail("the smoke test could not be started");
					break;
				}
				timeline("smoke-start", "pid=%d", r->smoke);
				smoke_deadline = now + r->spec.smoke_timeout_s;
			}
		}
		if (r->smoke > 0 && !smoke_done && trace_exit_status(r->smoke) >= 0 &&
		    smoke.fd < 0) {
			smoke_done = true;
			snprintf(msg, sizeof(msg), "%d", trace_exit_status(r->smoke));
			proto_status("smoke-exit", msg);
			timeline("smoke-exit", "status=%s", msg);
		}
		if (r->smoke > 0 && !smoke_done && now > smoke_deadline) {
			kill(r->smoke, SIGKILL);
			snprintf(msg, sizeof(msg), "%u", r->spec.smoke_timeout_s);
			proto_status("smoke-timeout", msg);
			smoke_done = true;
		}
		/* Without a smoke test, let the ready workload run briefly. */
		if (r->ready && smoke_done && now - ready_at >= (r->spec.smoke[0] ? 0 : 1))
			break;
	}
	stop_workload(r, sfd);
}

static void pid1(void)
{
	static struct run r;
	char *baseline;

	/* Firmware leaves the console mid-line; the host wants records at a line start. */
	dprintf(1, "\n");
	if (facts_init())
		logmsg("no memory for the fact table");
	mount_base();
	timeline("init-start", NULL);
	if (proto_open(FACTS_TTY))
		logmsg("cannot open %s: the host will get no facts", FACTS_TTY);
	if (spec_load(SPEC_PATH, &r.spec)) {
		fail("bad or missing " SPEC_PATH);
		facts_emit();
		poweroff();
	}
	if (modules_boot(&r.spec) || mount_module_tree(r.spec.krel)) {
		fail("cannot reach the module tree");
		facts_emit();
		poweroff();
	}
	baseline = modules_snapshot();
	timeline("modules-loaded", "n=%u", r.spec.n_boot_modules);
	if (modules_install_helper())
		logmsg("cannot install the module helper: requests are not recorded");
	run_workload(&r);
	modules_collect(baseline ? baseline : "\n");
	facts_emit();
	poweroff();
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

// SPDX-License-Identifier: GPL-2.0-only
/*
 * PID 1's loop while the workload runs: reap every zombie (orphans are
 * ours), turn stop requests (SIGTERM, SIGINT from Ctrl-Alt-Del, the power
 * button: ACPI or KEY_POWER, the spec's timeout) into SIGTERM to the workload with a
 * grace period before SIGKILL, forward the workload's stdout to the console and
 * watch for readiness (a stdout line matching a glob, or a TCP port
 * accepting on 127.0.0.1 inside the workload's network namespace).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "initramfs/init/init.h"

#define TCP_POLL_MS 20

static char line[4096];
static size_t line_len;
static struct readiness rd;

static void check_line(const struct spec *s)
{
	line[line_len] = '\0';
	ready_line(s, &rd, line);
	line_len = 0;
}

/* Forward what the workload wrote; match complete lines. */
static bool pump_stdout(const struct spec *s, int fd)
{
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	if (n == 0) {
		if (line_len)
			check_line(s);
		return false;
	}
	console_write(buf, (size_t)n);
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			check_line(s);
			continue;
		}
		/* Over-long lines are matched on their first 4 KiB. */
		if (line_len < sizeof(line) - 1)
			line[line_len++] = buf[i];
	}
	return true;
}

int status_code(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) :
	       WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 255;
}

static void status_text(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d",
			 WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)%s",
			 WTERMSIG(status), strsignal(WTERMSIG(status)),
			 WCOREDUMP(status) ? ", core dumped" : "");
	else
		snprintf(buf, len, "ended with wait status 0x%x", status);
}

/*
 * Whether @pid has a handler for @sig, from /proc/PID/status. The kernel
 * drops signals without a handler that an ancestor namespace sends to a
 * pid namespace's init; waiting out a grace period for those is waste.
 */
static bool catches(pid_t pid, int sig)
{
	char path[64], buf[2048], *cgt, *end;
	unsigned long long mask;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;	/* unknown: assume it does, keep the grace */
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return true;
	buf[n] = '\0';
	cgt = strstr(buf, "\nSigCgt:");
	if (!cgt)
		return true;
	/* strtoull, not sscanf: the scanf engine would add 20 KB to init. */
	mask = strtoull(cgt + 8, &end, 16);
	if (end == cgt + 8)
		return true;
	return mask & (1ull << (sig - 1));
}

/* Ask the workload to stop; SIGKILL when @sig cannot reach it. */
static void stop_workload(const struct spec *s, const struct workload *w,
			  int sig, unsigned grace, uint64_t *kill_at)
{
	if ((s->namespaces & NS_PID) && !catches(w->pid, sig)) {
		say("workload is a pid namespace init without a handler for "
		    "signal %d: sending SIGKILL", sig);
		kill(w->pid, SIGKILL);
		*kill_at = 0;
		return;
	}
	kill(w->pid, sig);
	if (!*kill_at)
		*kill_at = uptime_us() + (uint64_t)grace * 1000000u;
}

/* A stop request from @source: on the timeline once, then SIGTERM. */
static void stop_request(const struct spec *s, const struct workload *w,
			 const char *source, unsigned grace, uint64_t *kill_at,
			 bool *stop)
{
	if (!*stop)
		timeline("stop-request", "source=%s", source);
	*stop = true;
	stop_workload(s, w, SIGTERM, grace, kill_at);
}

int supervise(const struct spec *s, struct workload *w, int button_fd,
	      bool *stop)
{
	uint64_t start = uptime_us(), kill_at = 0, term_at = 0, smoke_at = 0;
	pid_t smoke_pid = 0;
	unsigned grace = s->stop_grace_s ? s->stop_grace_s : 10;
	int status = 0, sfd;
	bool running = true, out_open = w->stdout_fd >= 0;
	sigset_t set;
	char text[128];

	*stop = false;
	line_len = 0;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (s->timeout_s)
		term_at = start + (uint64_t)s->timeout_s * 1000000u;
	ready_begin(s, &rd);
	while (running) {
		struct pollfd pfd[3];
		uint64_t now = uptime_us();
		int nfd = 0, timeout = -1;

		if (term_at && now >= term_at) {
			say("workload timeout (%us): sending SIGTERM",
			    s->timeout_s);
			term_at = 0;
			stop_request(s, w, "timeout", grace, &kill_at, stop);
		}
		if (ready_overdue(&rd, now) && !*stop) {
			say("workload not ready after %us: stopping it", s->ready_timeout_s);
			stop_request(s, w, "ready-timeout", grace, &kill_at, stop);
		}
		if (kill_at && now >= kill_at) {
			say("workload still running %us after SIGTERM: "
			    "sending SIGKILL", grace);
			kill(w->pid, SIGKILL);
			kill_at = 0;
		}
		if (!rd.ready && s->ready == READY_TCP && !ready_probe(s, &rd, w))
			timeout = TCP_POLL_MS;
		if (rd.ready && s->nsmoke && smoke_pid == 0) {
			say("workload ready: running the smoke test %s",
			    s->smoke[0]);
			smoke_pid = container_exec_in(s, w, s->smoke, -1, NULL);
			if (smoke_pid < 0) {
				say("smoke test: fork: %s", strerror(errno));
				timeline("smoke-done", "status=%d", 255);
			}
			smoke_at = now + (uint64_t)(s->smoke_timeout_s ?
				s->smoke_timeout_s : 30) * 1000000u;
		}
		if (smoke_pid > 0 && smoke_at && now >= smoke_at) {
			say("smoke test still running after its timeout: "
			    "killing it");
			kill(smoke_pid, SIGKILL);
			smoke_at = 0;
		}
		for (uint64_t at = rd.ready || *stop ? 0 : rd.by; at; at = 0) {
			int ms = at > now ? (int)((at - now) / 1000) + 1 : 0;

			timeout = timeout < 0 || ms < timeout ? ms : timeout;
		}
		for (uint64_t at = term_at; at; at = 0) {
			int ms = at > now ? (int)((at - now) / 1000) + 1 : 0;

			timeout = timeout < 0 || ms < timeout ? ms : timeout;
		}
		for (uint64_t at = smoke_pid > 0 ? smoke_at : 0; at; at = 0) {
			int ms = at > now ? (int)((at - now) / 1000) + 1 : 0;

			timeout = timeout < 0 || ms < timeout ? ms : timeout;
		}
		for (uint64_t at = kill_at; at; at = 0) {
			int ms = at > now ? (int)((at - now) / 1000) + 1 : 0;

			timeout = timeout < 0 || ms < timeout ? ms : timeout;
		}
		pfd[nfd++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		/* A closed stdout keeps its slot, ignored (fd -1). */
		pfd[nfd++] = (struct pollfd){ .fd = out_open ? w->stdout_fd : -1,
					      .events = POLLIN };
		pfd[nfd++] = (struct pollfd){ .fd = button_fd, .events = POLLIN };
		if (poll(pfd, (nfds_t)nfd, timeout) < 0 && errno != EINTR)
			say("poll: %s", strerror(errno));
		if (out_open && pfd[1].revents)
			out_open = pump_stdout(s, w->stdout_fd);
		if (button_fd >= 0 && (pfd[2].revents & POLLIN) &&
		    power_button_pressed(button_fd)) {
			say("power button pressed: stopping the workload");
			stop_request(s, w, "power-button", grace, &kill_at,
				     stop);
		}
		if (pfd[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGCHLD)
					continue;
				say("got signal %u: stopping the workload",
				    si.ssi_signo);
				stop_request(s, w, si.ssi_signo == SIGINT ?
					     "sigint" : "sigterm", grace,
					     &kill_at, stop);
			}
		}
		/* Reap everything: orphans re-parent to us. */
		for (;;) {
			int st;
			pid_t p = waitpid(-1, &st, WNOHANG);

			if (p <= 0)
				break;
			if (p == w->pid) {
				status = st;
				running = false;
			} else if (p == smoke_pid) {
				status_text(st, text, sizeof(text));
				say("smoke test %s", text);
				timeline("smoke-done", "status=%d",
					 status_code(st));
				smoke_pid = -1;
				/*
				 * The test is over: stop the workload, or
				 * with certify-hold wait for the host's
				 * tests and its stop request.
				 */
				if (!s->certify_hold)
					stop_request(s, w, "smoke-done", grace,
						     &kill_at, stop);
			}
		}
	}
	/* Forward what is left in the pipe without waiting on writers. */
	if (out_open) {
		fcntl(w->stdout_fd, F_SETFL, O_NONBLOCK);
		for (;;) {
			errno = 0;
			if (!pump_stdout(s, w->stdout_fd) || errno == EAGAIN)
				break;
		}
	}
	status_text(status, text, sizeof(text));
	say("workload %s", text);
	return status;
}

bool supervise_backoff(unsigned ms, int button_fd)
{
	uint64_t end = uptime_us() + (uint64_t)ms * 1000u;
	sigset_t set;
	int sfd;
	bool stop = false;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	for (uint64_t now; !stop && (now = uptime_us()) < end;) {
		struct pollfd pfd[2] = {
			{ .fd = sfd, .events = POLLIN },
			{ .fd = button_fd, .events = POLLIN },
		};
		struct signalfd_siginfo si;

		if (poll(pfd, 2, (int)((end - now) / 1000) + 1) < 0 && errno != EINTR)
			break;
		if (sfd >= 0 && read(sfd, &si, sizeof(si)) == sizeof(si)) {
			say("got signal %u while waiting to restart: stopping",
			    si.ssi_signo);
			timeline("stop-request", "source=%s",
				 si.ssi_signo == SIGINT ? "sigint" : "sigterm");
			stop = true;
		}
		if (button_fd >= 0 && (pfd[1].revents & POLLIN) &&
		    power_button_pressed(button_fd)) {
			say("power button pressed while waiting to restart: stopping");
			timeline("stop-request", "source=power-button");
			stop = true;
		}
		/* Orphans of the last run may still end: they are ours. */
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
	if (sfd >= 0)
		close(sfd);
	return stop;
}

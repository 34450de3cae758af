// SPDX-License-Identifier: GPL-2.0-only
/*
 * ktrim-init: mount, load modules, bring up the network, start the
 * container from /etc/ktrim/spec (plus a certification overlay's addition),
 * supervise it, start it again as its restart policy says, power off. PID 1
 * must never exit (the kernel would panic), so every path ends in
 * power_off().
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

#include "initramfs/init/init.h"

static struct spec spec;

/* The shipped spec, then the certification overlay's addition if any. */
static int read_spec(void)
{
	char err[256];
	bool overlay;

	if (spec_load(&spec, &overlay, err, sizeof(err)) < 0) {
		say("FATAL: %s", err);
		return -1;
	}
	if (overlay)
		say("certification overlay %s present", SPEC_ADD_FILE);
	return 0;
}

static void workload_close(struct workload *w)
{
	if (w->stdout_fd >= 0)
		close(w->stdout_fd);
	if (w->netns_fd >= 0)
		close(w->netns_fd);
}

int main(int argc, char **argv)
{
	struct workload w;
	sigset_t set;
	int status, code, r, button_fd;
	bool stop = false;

	log_init("ktrim-init");
	timeline("init-start", NULL);
	if (getpid() != 1)
		say("warning: running as pid %d, not 1", (int)getpid());
	/* Signals are read from a signalfd in supervise(). */
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	/* Ctrl-Alt-Del (how Firecracker asks a guest to stop) becomes SIGINT
	 * to us instead of a reboot: a stop request like SIGTERM. */
	reboot(RB_DISABLE_CAD);
	mounts_setup();
	mounts_from_cmdline();
	if (read_spec() < 0) {
		say("nothing to run: powering off");
		power_off();
	}
	r = modules_load(&spec);
	modules_close_helper();
	timeline("modules-loaded", "n=%d", r);
	net_setup(&spec);
	button_fd = power_button_open();
	/*
	 * Each pass is one run of the workload; the restart policy loops,
	 * backing off as Docker does: 100 ms before the first restart,
	 * doubling up to a minute, back to 100 ms after a run of 10 s.
	 */
	for (unsigned restarts = 0, delay_ms = 0;; restarts++) {
		uint64_t started = uptime_us();

		r = container_start(&spec, &w, NULL);
		if (r < 0) {
			say("workload not started: powering off");
			timeline("workload-exit", "status=%d", 127);
			power_off();
		}
		if (r == 0)
			timeline("workload-exec", "pid=%d", (int)w.pid);
		status = supervise(&spec, &w, button_fd, &stop);
		code = status_code(status);
		timeline("workload-exit", "status=%d", code);
		workload_close(&w);
		if (stop || !spec_restart_wanted(&spec, code, restarts))
			break;
		delay_ms = uptime_us() - started >= 10000000u || !delay_ms ? 100 :
			   delay_ms >= 30000 ? 60000 : delay_ms * 2;
		say("restart policy: starting the workload again in %u ms (restart %u)",
		    delay_ms, restarts + 1);
		if (supervise_backoff(delay_ms, button_fd))
			break;
		timeline("workload-restart", "n=%u delay-ms=%u", restarts + 1, delay_ms);
	}
	power_off();
}

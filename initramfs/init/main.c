// SPDX-License-Identifier: GPL-2.0-only
/*
 * ktrim-init: mount, load modules, bring up the network, start the
 * container from /etc/ktrim/spec, supervise it, power off. PID 1 must never
 * exit (the kernel would panic), so every path ends in power_off().
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

static char spec_text[SPEC_MAX_BYTES + 1];
static struct spec spec;

void power_off(void)
{
	/* Whatever the container left behind goes first. */
	kill(-1, SIGKILL);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	sync();
	timeline("poweroff", NULL);
	reboot(RB_POWER_OFF);
	/* Only reached when the kernel refused: never return. */
	say("reboot(RB_POWER_OFF) failed: %s; halting here", strerror(errno));
	for (;;)
		pause();
}

static int read_spec(void)
{
	char err[256];
	ssize_t n, total = 0;
	int fd = open(SPEC_FILE, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		say("FATAL: cannot open the container spec %s: %s", SPEC_FILE,
		    strerror(errno));
		return -1;
	}
	while ((n = read(fd, spec_text + total,
			 (size_t)(SPEC_MAX_BYTES - total))) > 0)
		total += n;
	close(fd);
	if (n < 0) {
		say("FATAL: reading %s: %s", SPEC_FILE, strerror(errno));
		return -1;
	}
	if (total == SPEC_MAX_BYTES) {
		say("FATAL: %s is larger than %d bytes", SPEC_FILE,
		    SPEC_MAX_BYTES);
		return -1;
	}
	spec_text[total] = '\0';
	if (memchr(spec_text, '\0', (size_t)total)) {
		say("FATAL: %s holds a NUL byte", SPEC_FILE);
		return -1;
	}
	if (spec_parse(spec_text, &spec, err, sizeof(err)) < 0) {
		say("FATAL: bad container spec %s: %s", SPEC_FILE, err);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct workload w;
	sigset_t set;
	int status, r;

	log_init();
	timeline("init-start", NULL);
	if (getpid() != 1)
		say("warning: running as pid %d, not 1", (int)getpid());
	/* Signals are read from a signalfd in supervise(). */
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	/* Ctrl-Alt-Del becomes SIGINT to us, which we forward. */
	reboot(RB_DISABLE_CAD);
	mounts_setup();
	if (read_spec() < 0) {
		say("nothing to run: powering off");
		power_off();
	}
	r = modules_load(&spec);
	timeline("modules-loaded", "n=%d", r);
	net_setup(&spec);
	r = container_start(&spec, &w);
	if (r < 0) {
		say("workload not started: powering off");
		timeline("workload-exit", "status=%d", 127);
		power_off();
	}
	if (r == 0)
		timeline("workload-exec", "pid=%d", (int)w.pid);
	status = supervise(&spec, &w);
	timeline("workload-exit", "status=%d", status_code(status));
	power_off();
}

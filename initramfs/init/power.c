// SPDX-License-Identifier: GPL-2.0-only
/*
 * The end of every guest run, the init's and the profiling agent's alike:
 * a PID 1 must never exit (the kernel would panic).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

#include "initramfs/init/init.h"

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

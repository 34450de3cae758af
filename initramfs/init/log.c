// SPDX-License-Identifier: GPL-2.0-only
/*
 * Messages go to the console (our stdout, opened by the kernel on
 * /dev/console) and to /dev/kmsg. The kmsg copy is written at debug level
 * so that a default console loglevel does not print every line twice,
 * while dmesg and the kernel log still hold it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

#include "initramfs/init/cycles.h"
#include "initramfs/init/init.h"

static int kmsg_fd = -1;
/* Which program says it: "ktrim-init", or "ktrim-agent" for a profiling run. */
static const char *prog = "ktrim-init";
static int console_fd = 1;
/*
 * This boot's nonce: the host passes ktrim_nonce=HEX on the kernel command
 * line (the kernel hands an unknown name=value to init in its
 * environment) and accepts only timeline records that end in it. The
 * workload shares the console, so it must never learn the nonce.
 */
static char nonce[GUEST_NONCE_MAX + 1];


static void nonce_take(void)
{
	char *v = getenv("ktrim_nonce");
	size_t n;

	if (!v)
		return;
	n = strspn(v, "0123456789abcdef");
	if (n && n <= GUEST_NONCE_MAX && !v[n])
		memcpy(nonce, v, n + 1);
	/* /proc/1/environ shows this very memory */
	memset(v, '0', strlen(v));
}

void log_init(const char *name)
{
	prog = name;
	/* The kernel gave us no console when /dev/console was missing. */
	if (fcntl(1, F_GETFD) < 0) {
		int fd = open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC);

		console_fd = fd >= 0 ? fd : -1;
	}
	kmsg_fd = open("/dev/kmsg", O_WRONLY | O_NOCTTY | O_CLOEXEC);
	nonce_take();
	/*
	 * Firmware leaves the console mid-line (SeaBIOS ends in terminal
	 * escapes, a quiet kernel adds nothing): the host takes records only
	 * at the start of a line.
	 */
	write_all(console_fd, "\n", 1);
}

void nonce_hide(const char *root)
{
	char path[600];
	int fd;

	if (!nonce[0])
		return;
	snprintf(path, sizeof(path), "%s/proc/cmdline", root);
	if (mount("/dev/null", path, NULL, MS_BIND, NULL) < 0)
		say("cannot hide %s from the workload: %s", path, strerror(errno));
	/* the kernel log holds the command line too: for CAP_SYSLOG only */
	fd = root[0] ? -1 : open("/proc/sys/kernel/dmesg_restrict", O_WRONLY | O_CLOEXEC);
	if (fd >= 0 && write(fd, "1", 1) != 1)
		say("cannot restrict dmesg: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
}

uint64_t uptime_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void write_all(int fd, const void *data, size_t len)
{
	const char *buf = data;

	while (fd >= 0 && len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

void console_write(const void *buf, size_t len)
{
	write_all(console_fd, buf, len);
}

static void emit(const char *msg)
{
	char buf[1100];
	int n;

	n = snprintf(buf, sizeof(buf), "%s\n", msg);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	write_all(console_fd, buf, (size_t)n);
	n = snprintf(buf, sizeof(buf), "<7>%s\n", msg);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	/* /dev/kmsg takes one record per write. */
	if (kmsg_fd >= 0 && write(kmsg_fd, buf, (size_t)n) < 0)
		(void)0;
}

void say(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int n = snprintf(msg, sizeof(msg), "%s: ", prog);

	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	emit(msg);
}

void timeline(const char *event, const char *fmt, ...)
{
	char msg[512];
	/* what the event says may be cut; the counter, its rate and the nonce always fit */
	const int room = (int)sizeof(msg) - 128;
	unsigned long long tsc = cycles_since_reset(), hz = cycles_hz();
	uint64_t us = uptime_us();
	va_list ap;
	int n;

	n = snprintf(msg, (size_t)room, GUEST_TIMELINE_TAG "%s %llu", event,
		     (unsigned long long)us);
	if (fmt && n < room - 2) {
		msg[n++] = ' ';
		va_start(ap, fmt);
		n += vsnprintf(msg + n, (size_t)(room - n), fmt, ap);
		va_end(ap);
	}
	if (n > room - 1)
		n = room - 1;
	if (tsc)
		n += snprintf(msg + n, sizeof(msg) - (size_t)n, " tsc=%llu", tsc);
	if (tsc && hz)
		n += snprintf(msg + n, sizeof(msg) - (size_t)n, " hz=%llu", hz);
	/* last, where the host checks for it and strips it */
	if (nonce[0])
		snprintf(msg + n, sizeof(msg) - (size_t)n, " nonce=%s", nonce);
	emit(msg);
}

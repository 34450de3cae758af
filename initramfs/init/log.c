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
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "initramfs/init/cycles.h"
#include "initramfs/init/init.h"

static int kmsg_fd = -1;
static int console_fd = 1;

void log_init(void)
{
	/* The kernel gave us no console when /dev/console was missing. */
	if (fcntl(1, F_GETFD) < 0) {
		int fd = open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC);

		console_fd = fd >= 0 ? fd : -1;
	}
	kmsg_fd = open("/dev/kmsg", O_WRONLY | O_NOCTTY | O_CLOEXEC);
}

uint64_t uptime_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void write_all(int fd, const char *buf, size_t len)
{
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
	int n = snprintf(msg, sizeof(msg), "ktrim-init: ");

	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	emit(msg);
}

void timeline(const char *event, const char *fmt, ...)
{
	char msg[512];
	unsigned long long tsc = cycles_since_reset();
	uint64_t us = uptime_us();
	va_list ap;
	int n;

	n = snprintf(msg, sizeof(msg), "ktrim-timeline: %s %llu", event,
		     (unsigned long long)us);
	if (fmt && n < (int)sizeof(msg) - 2) {
		msg[n++] = ' ';
		va_start(ap, fmt);
		n += vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	if (tsc && n < (int)sizeof(msg) - 32)
		snprintf(msg + n, sizeof(msg) - (size_t)n, " tsc=%llu", tsc);
	emit(msg);
}

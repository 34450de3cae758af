// SPDX-License-Identifier: GPL-2.0-only
/* Small helpers for a libc-only PID 1. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "profiler/agent/agent.h"

/* The console is our stdout/stderr (the kernel opened /dev/console). */
void logmsg(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	dprintf(2, AGENT_NAME ": %.*s", n, buf);
}

void timeline(const char *event, const char *fmt, ...)
{
	/*
	 * The host's per-boot nonce (ktrim_nonce= on the command line, in our
	 * environment) ends each record, as the ktrim init's do: the host
	 * takes no record without it.
	 */
	static const char *nonce;
	struct timespec ts;
	char extra[128] = "";
	va_list ap;

	if (!nonce) {
		nonce = getenv("ktrim_nonce");
		nonce = nonce && strlen(nonce) <= 64 &&
			!nonce[strspn(nonce, "0123456789abcdef")] ? nonce : "";
	}
	if (fmt) {
		extra[0] = ' ';
		va_start(ap, fmt);
		vsnprintf(extra + 1, sizeof(extra) - 1, fmt, ap);
		va_end(ap);
	}
	clock_gettime(CLOCK_BOOTTIME, &ts);
	dprintf(1, "ktrim-timeline: %s %llu%s%s%s\n", event,
		(unsigned long long)ts.tv_sec * 1000000ull + ts.tv_nsec / 1000,
		extra, *nonce ? " nonce=" : "", nonce);
}

double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int write_file(const char *path, const char *data)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int err;

	if (fd < 0)
		return -errno;
	n = write(fd, data, strlen(data));
	err = n < 0 ? -errno : 0;
	close(fd);
	return err;
}

ssize_t read_small(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t o = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while (o + 1 < cap && (n = read(fd, buf + o, cap - 1 - o)) > 0)
		o += (size_t)n;
	close(fd);
	buf[o] = '\0';
	return (ssize_t)o;
}

int mkdir_p(const char *path, mode_t mode)
{
	char tmp[512];

	if (strlen(path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	strcpy(tmp, path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, mode) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, mode) && errno != EEXIST)
		return -errno;
	return 0;
}

int do_mount(const char *src, const char *dst, const char *type,
	     unsigned long flags, const char *data)
{
	mkdir_p(dst, 0755);
	if (mount(src, dst, type, flags, data)) {
		int err = errno;

		logmsg("mount %s on %s: %s", type ? type : src, dst, strerror(err));
		return -err;
	}
	if (type && !(flags & (MS_BIND | MS_MOVE | MS_REMOUNT)))
		fact_add(F_FILESYSTEMS, type, AGENT_NAME);
	return 0;
}

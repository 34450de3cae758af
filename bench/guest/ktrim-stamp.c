// SPDX-License-Identifier: GPL-2.0-only
/*
 * ktrim-stamp: the benchmark rootfs's timeline printer.
 *
 * The bench rootfs runs a shell init on kernels ktrim did not build (generic,
 * localmodconfig, Firecracker), so it cannot rely on ktrim's init for the
 * timeline. This prints the same contract line the ktrim init prints:
 *   ktrim-timeline: <event> <uptime_us> [k=v ...]
 * with CLOCK_BOOTTIME (the printk clock) instead of /proc/uptime, whose 10 ms
 * resolution is too coarse for boots that take a few hundred ms. Like
 * ktrim's init it appends tsc=<cycles since vCPU reset>, so the host can
 * time from power-on where the kernel's clock stood still during boot.
 *
 *   ktrim-stamp EVENT [K=V ...]           print the line now
 *   ktrim-stamp -w PORT EVENT [K=V ...]   first wait until 127.0.0.1:PORT
 *                                         accepts a TCP connection (1 ms polls,
 *                                         30 s limit, exit 1 on timeout)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "initramfs/init/cycles.h"

static unsigned long long uptime_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000;
}

static int port_accepts(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd, ok;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

int main(int argc, char **argv)
{
	char line[512];
	unsigned long long tsc;
	int i = 1, len, fd;

	if (argc > 3 && strcmp(argv[1], "-w") == 0) {
		int port = atoi(argv[2]);
		unsigned long long start = uptime_us();
		const struct timespec ms = { 0, 1000000 };

		while (!port_accepts(port)) {
			if (uptime_us() - start > 30000000ULL) {
				fprintf(stderr, "ktrim-stamp: port %d not accepting after 30 s\n", port);
				return 1;
			}
			nanosleep(&ms, NULL);
		}
		i = 3;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: ktrim-stamp [-w PORT] EVENT [K=V ...]\n");
		return 2;
	}
	tsc = cycles_since_reset();
	len = snprintf(line, sizeof(line), "ktrim-timeline: %s %llu", argv[i], uptime_us());
	for (i++; i < argc && len < (int)sizeof(line) - 2; i++)
		len += snprintf(line + len, sizeof(line) - len, " %s", argv[i]);
	if (tsc && len < (int)sizeof(line) - 32)
		len += snprintf(line + len, sizeof(line) - len, " tsc=%llu", tsc);
	if (len > (int)sizeof(line) - 2)
		len = sizeof(line) - 2;
	line[len++] = '\n';
	line[len] = '\0';
	if (write(STDOUT_FILENO, line, len) < 0)
		return 1;
	/* kmsg is best effort: a root without devtmpfs has no /dev/kmsg. */
	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, line, len) < 0)
			errno = 0;
		close(fd);
	}
	return 0;
}

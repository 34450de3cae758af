// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hostname, loopback, and an optional static address for eth0 from the
 * kernel command line: ktrim.ip=ADDR/PREFIX[,GATEWAY]. Plain ioctls: no
 * netlink library, and the kernel assigns 127.0.0.1 to lo when it comes up.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "initramfs/init/init.h"

static int if_up(int sock, const char *name)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0)
		return -1;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	return ioctl(sock, SIOCSIFFLAGS, &ifr);
}

int net_loopback_up(void)
{
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int r;

	if (sock < 0)
		return -1;
	r = if_up(sock, "lo");
	close(sock);
	return r;
}

static void set_addr(struct sockaddr *sa, in_addr_t a)
{
	struct sockaddr_in *in = (struct sockaddr_in *)sa;

	memset(in, 0, sizeof(*in));
	in->sin_family = AF_INET;
	in->sin_addr.s_addr = a;
}

/* The value of "key=" on the kernel command line, copied into @out. */
static bool cmdline_get(const char *key, char *out, size_t outlen)
{
	static char buf[4096];
	size_t klen = strlen(key);
	ssize_t n;
	int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (char *p = buf; (p = strstr(p, key)); p += klen) {
		size_t len;

		if ((p != buf && p[-1] != ' ') || p[klen] != '=')
			continue;
		p += klen + 1;
		len = strcspn(p, " \n");
		if (len >= outlen)
			len = outlen - 1;
		memcpy(out, p, len);
		out[len] = '\0';
		return true;
	}
	return false;
}

static void eth0_setup(const char *spec_ip)
{
	char val[128], *slash, *comma;
	struct ifreq ifr;
	struct in_addr addr, gw;
	unsigned long prefix;
	int sock, tries;

	strncpy(val, spec_ip, sizeof(val) - 1);
	val[sizeof(val) - 1] = '\0';
	comma = strchr(val, ',');
	if (comma)
		*comma++ = '\0';
	slash = strchr(val, '/');
	if (slash)
		*slash++ = '\0';
	prefix = slash ? strtoul(slash, NULL, 10) : 24;
	if (inet_pton(AF_INET, val, &addr) != 1 || prefix > 32 ||
	    (comma && inet_pton(AF_INET, comma, &gw) != 1)) {
		say("ktrim.ip=%s: expected ADDR/PREFIX[,GATEWAY]", spec_ip);
		return;
	}
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, "eth0", IFNAMSIZ - 1);
	/* The NIC driver may still be probing: give it two seconds. */
	for (tries = 0; ioctl(sock, SIOCGIFINDEX, &ifr) < 0 && tries < 200;
	     tries++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	set_addr(&ifr.ifr_addr, addr.s_addr);
	if (ioctl(sock, SIOCSIFADDR, &ifr) < 0) {
		say("eth0: cannot set address: %s", strerror(errno));
		goto out;
	}
	set_addr(&ifr.ifr_netmask,
		 htonl(prefix ? 0xffffffffu << (32 - prefix) : 0));
	if (ioctl(sock, SIOCSIFNETMASK, &ifr) < 0)
		say("eth0: cannot set netmask: %s", strerror(errno));
	if (if_up(sock, "eth0") < 0)
		say("eth0: cannot bring up: %s", strerror(errno));
	if (comma) {
		struct rtentry rt;

		memset(&rt, 0, sizeof(rt));
		set_addr(&rt.rt_dst, 0);
		set_addr(&rt.rt_genmask, 0);
		set_addr(&rt.rt_gateway, gw.s_addr);
		rt.rt_flags = RTF_UP | RTF_GATEWAY;
		if (ioctl(sock, SIOCADDRT, &rt) < 0)
			say("eth0: cannot add default route: %s",
			    strerror(errno));
	}
	say("eth0: %s/%lu%s%s", val, prefix, comma ? " via " : "",
	    comma ? comma : "");
out:
	close(sock);
}

void net_setup(const struct spec *s)
{
	const char *name = s->hostname ? s->hostname : "ktrim";
	char ip[128];

	if (sethostname(name, strlen(name)) < 0)
		say("sethostname %s: %s", name, strerror(errno));
	if (net_loopback_up() < 0)
		say("lo: cannot bring up: %s", strerror(errno));
	if (cmdline_get("ktrim.ip", ip, sizeof(ip)))
		eth0_setup(ip);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hostname, loopback, and a static IPv4 address for the NIC: from the
 * kernel command line (ktrim.ip=ADDR/PREFIX[,GATEWAY], or the kernel's own
 * ip= syntax), else QEMU user networking's 10.0.2.15/24 via 10.0.2.2 when
 * eth0 exists. The container shares this network namespace unless its spec
 * lists "net" (see initramfs/README.md). Plain ioctls: no netlink library,
 * and the kernel assigns 127.0.0.1 to lo when it comes up.
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

/* An IPv4 address: 0 (and @out set) or -1; "" is -1. */
static int parse_ipv4(const char *text, struct in_addr *out)
{
	return *text && inet_pton(AF_INET, text, out) == 1 ? 0 : -1;
}

/* The prefix length of a contiguous netmask, or -1. */
static int mask_prefix(struct in_addr m)
{
	uint32_t v = ntohl(m.s_addr);
	int n = 0;

	while (n < 32 && (v & (0x80000000u >> n)))
		n++;
	return (n == 32 ? 0 : v << n) ? -1 : n;
}

/* @dev gets @addr/@prefix (and a default route through @gw unless 0). */
static void nic_setup(const char *dev, struct in_addr addr, unsigned prefix,
		      struct in_addr gw, bool wait)
{
	struct ifreq ifr;
	char a[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN];
	int sock, tries;

	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, dev, IFNAMSIZ - 1);
	/* When asked for, the NIC driver may still be probing: two seconds. */
	for (tries = 0; ioctl(sock, SIOCGIFINDEX, &ifr) < 0 && wait &&
	     tries < 200; tries++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	set_addr(&ifr.ifr_addr, addr.s_addr);
	if (ioctl(sock, SIOCSIFADDR, &ifr) < 0) {
		say("%s: cannot set address: %s", dev, strerror(errno));
		goto out;
	}
	set_addr(&ifr.ifr_netmask,
		 htonl(prefix ? 0xffffffffu << (32 - prefix) : 0));
	if (ioctl(sock, SIOCSIFNETMASK, &ifr) < 0)
		say("%s: cannot set netmask: %s", dev, strerror(errno));
	if (if_up(sock, dev) < 0)
		say("%s: cannot bring up: %s", dev, strerror(errno));
	if (gw.s_addr) {
		struct rtentry rt;

		memset(&rt, 0, sizeof(rt));
		set_addr(&rt.rt_dst, 0);
		set_addr(&rt.rt_genmask, 0);
		set_addr(&rt.rt_gateway, gw.s_addr);
		rt.rt_flags = RTF_UP | RTF_GATEWAY;
		rt.rt_dev = ifr.ifr_name;
		if (ioctl(sock, SIOCADDRT, &rt) < 0)
			say("%s: cannot add default route: %s", dev,
			    strerror(errno));
	}
	inet_ntop(AF_INET, &addr, a, sizeof(a));
	inet_ntop(AF_INET, &gw, g, sizeof(g));
	say("%s: %s/%u%s%s", dev, a, prefix, gw.s_addr ? " via " : "",
	    gw.s_addr ? g : "");
	timeline("net-up", "dev=%s addr=%s/%u", dev, a, prefix);
out:
	close(sock);
}

/* ktrim.ip=ADDR/PREFIX[,GATEWAY] on eth0. */
static void ktrim_ip(char *val)
{
	char *slash, *comma;
	struct in_addr addr, gw = { 0 };
	unsigned long prefix;

	comma = strchr(val, ',');
	if (comma)
		*comma++ = '\0';
	slash = strchr(val, '/');
	if (slash)
		*slash++ = '\0';
	prefix = slash ? strtoul(slash, NULL, 10) : 24;
	if (parse_ipv4(val, &addr) < 0 || prefix > 32 ||
	    (comma && parse_ipv4(comma, &gw) < 0)) {
		say("ktrim.ip=: expected ADDR/PREFIX[,GATEWAY]");
		return;
	}
	nic_setup("eth0", addr, (unsigned)prefix, gw, true);
}

/*
 * The kernel's own syntax (Documentation/admin-guide/nfs/nfsroot.rst):
 * ip=<client>:<server>:<gw>:<netmask>:<hostname>:<device>:<autoconf>...
 * Static addresses only: the image has no DHCP client. "off" and "none"
 * leave every NIC down.
 */
static void kernel_ip(char *val)
{
	char *f[7] = { 0 };
	struct in_addr addr, gw = { 0 }, mask;
	int prefix = 24, n = 0;

	if (!strcmp(val, "off") || !strcmp(val, "none")) {
		say("ip=%s: leaving the NICs down", val);
		return;
	}
	for (char *p = val; n < 7; n++) {
		f[n] = p;
		p = strchr(p, ':');
		if (!p)
			break;
		*p++ = '\0';
	}
	if (parse_ipv4(f[0], &addr) < 0 ||
	    (f[6] && *f[6] && strcmp(f[6], "off") && strcmp(f[6], "none"))) {
		say("ip=: only a static <client> address is supported "
		    "(no DHCP/BOOTP client in the image)");
		return;
	}
	if (f[2] && *f[2] && parse_ipv4(f[2], &gw) < 0) {
		say("ip=: bad gateway '%s'", f[2]);
		return;
	}
	if (f[3] && *f[3] &&
	    (parse_ipv4(f[3], &mask) < 0 || (prefix = mask_prefix(mask)) < 0)) {
		say("ip=: bad netmask '%s'", f[3]);
		return;
	}
	nic_setup(f[5] && *f[5] ? f[5] : "eth0", addr, (unsigned)prefix, gw,
		  true);
}

/*
 * Without any ip= setting, a NIC that is there gets QEMU user
 * networking's guest address, so a host port forward reaches the
 * workload with no configuration.
 */
static void default_ip(void)
{
	struct in_addr addr = { htonl(0x0a00020f) }, gw = { htonl(0x0a000202) };

	if (if_nametoindex("eth0"))
		nic_setup("eth0", addr, 24, gw, false);
}

void net_setup(const struct spec *s)
{
	const char *name = s->hostname ? s->hostname : "ktrim";
	char ip[256];

	if (sethostname(name, strlen(name)) < 0)
		say("sethostname %s: %s", name, strerror(errno));
	if (net_loopback_up() < 0)
		say("lo: cannot bring up: %s", strerror(errno));
	if (cmdline_get("ktrim.ip", ip, sizeof(ip)))
		ktrim_ip(ip);
	else if (cmdline_get("ip", ip, sizeof(ip)))
		kernel_ip(ip);
	else
		default_ip();
}

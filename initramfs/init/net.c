// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hostname, loopback, and the NIC's addresses. IPv4, first found wins:
 * the kernel command line (ktrim.ip=ADDR/PREFIX[,GATEWAY], or the
 * kernel's own ip= syntax, static or, where the kernel has IP_PNP_DHCP,
 * its autoconfiguration), then the spec's (ktrim.yaml network:), then
 * QEMU user networking's 10.0.2.15/24 via 10.0.2.2 when eth0 exists. The
 * spec's IPv6 address comes on top unless the command line turns the
 * NICs off. The container shares this network namespace unless its spec
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

/* "ADDR[/PREFIX]" and an optional gateway on eth0; @what names the source. */
static void static_ipv4(char *val, const char *gw_text, const char *what)
{
	char *slash = strchr(val, '/');
	struct in_addr addr, gw = { 0 };
	unsigned long prefix;

	if (slash)
		*slash++ = '\0';
	prefix = slash ? strtoul(slash, NULL, 10) : 24;
	if (parse_ipv4(val, &addr) < 0 || prefix > 32 ||
	    (gw_text && parse_ipv4(gw_text, &gw) < 0)) {
		say("%s: expected ADDR/PREFIX[,GATEWAY]", what);
		return;
	}
	nic_setup("eth0", addr, (unsigned)prefix, gw, true);
}

/* ktrim.ip=ADDR/PREFIX[,GATEWAY] on eth0. */
static void ktrim_ip(char *val)
{
	char *comma = strchr(val, ',');

	if (comma)
		*comma++ = '\0';
	static_ipv4(val, comma, "ktrim.ip=");
}

/* The kernel ABI's struct in6_ifreq (uapi/linux/ipv6.h); libcs lack it. */
struct ktrim_in6_ifreq {
	struct in6_addr addr;
	uint32_t prefixlen;
	int ifindex;
};

/* The spec's IPv6 "ADDR/PREFIX" (and default route via @gw_text) on eth0. */
static void static_ipv6(const char *val, const char *gw_text)
{
	char text[INET6_ADDRSTRLEN + 8], *slash;
	struct ktrim_in6_ifreq ifr6;
	struct in6_rtmsg rt;
	unsigned long prefix;
	int sock = -1;

	memset(&ifr6, 0, sizeof(ifr6));
	snprintf(text, sizeof(text), "%s", val);
	slash = strchr(text, '/');
	if (slash)
		*slash++ = '\0';
	prefix = slash ? strtoul(slash, NULL, 10) : 0;
	if (!slash || prefix < 1 || prefix > 128 ||
	    inet_pton(AF_INET6, text, &ifr6.addr) != 1 ||
	    (gw_text && inet_pton(AF_INET6, gw_text, &rt.rtmsg_gateway) != 1)) {
		say("net-ipv6: expected ADDR/PREFIX [GATEWAY], not '%s'", val);
		return;
	}
	ifr6.prefixlen = (uint32_t)prefix;
	ifr6.ifindex = (int)if_nametoindex("eth0");
	sock = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (!ifr6.ifindex || sock < 0 || if_up(sock, "eth0") < 0 ||
	    ioctl(sock, SIOCSIFADDR, &ifr6) < 0) {
		say("eth0: cannot set %s: %s", val, strerror(errno));
		goto out;
	}
	if (gw_text) {
		struct in6_addr gw = rt.rtmsg_gateway;

		memset(&rt, 0, sizeof(rt));
		rt.rtmsg_gateway = gw;
		rt.rtmsg_flags = RTF_UP | RTF_GATEWAY;
		rt.rtmsg_metric = 1;
		rt.rtmsg_ifindex = ifr6.ifindex;
		if (ioctl(sock, SIOCADDRT, &rt) < 0)
			say("eth0: cannot add IPv6 default route: %s", strerror(errno));
	}
	say("eth0: %s%s%s", val, gw_text ? " via " : "", gw_text ? gw_text : "");
	timeline("net-up", "dev=eth0 addr=%s", val);
out:
	if (sock >= 0)
		close(sock);
}

/*
 * What the kernel's IP autoconfiguration gave @dev (ip=dhcp), on the
 * timeline; it needs CONFIG_IP_PNP_DHCP and the driver built in.
 */
static void autoconf_report(const char *dev, const char *why)
{
	struct ifreq ifr;
	char a[INET_ADDRSTRLEN];
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, dev, IFNAMSIZ - 1);
	if (sock < 0 || ioctl(sock, SIOCGIFADDR, &ifr) < 0) {
		say("%s: %s, but %s has no IPv4 address: the kernel's "
		    "autoconfiguration needs CONFIG_IP_PNP_DHCP and ip=dhcp "
		    "on the command line", why, dev, dev);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)&ifr.ifr_addr;

		inet_ntop(AF_INET, &in->sin_addr, a, sizeof(a));
		say("%s: %s by the kernel's autoconfiguration", dev, a);
		timeline("net-up", "dev=%s addr=%s source=autoconf", dev, a);
	}
	if (sock >= 0)
		close(sock);
}

static bool is_autoconf(const char *v)
{
	static const char *const protos[] = { "on", "any", "dhcp", "bootp",
					      "rarp", "both" };

	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (!strcmp(v, protos[i]))
			return true;
	return false;
}

/*
 * The kernel's own syntax (Documentation/admin-guide/nfs/nfsroot.rst):
 * ip=<client>:<server>:<gw>:<netmask>:<hostname>:<device>:<autoconf>...
 * A static <client> address is set here; autoconfiguration (ip=dhcp, or
 * dhcp in the <autoconf> field) is the kernel's, done before the init
 * runs, and only reported. "off" and "none" leave every NIC down: false.
 */
static bool kernel_ip(char *val)
{
	char *f[7] = { 0 };
	struct in_addr addr, gw = { 0 }, mask;
	int prefix = 24, n = 0;

	if (!strcmp(val, "off") || !strcmp(val, "none")) {
		say("ip=%s: leaving the NICs down", val);
		return false;
	}
	if (is_autoconf(val)) {
		autoconf_report("eth0", "ip=dhcp");
		return true;
	}
	for (char *p = val; n < 7; n++) {
		f[n] = p;
		p = strchr(p, ':');
		if (!p)
			break;
		*p++ = '\0';
	}
	if (f[6] && is_autoconf(f[6])) {
		autoconf_report(f[5] && *f[5] ? f[5] : "eth0", "ip= autoconf");
		return true;
	}
	if (parse_ipv4(f[0], &addr) < 0) {
		say("ip=: no static <client> address and no autoconfiguration");
		return true;
	}
	if (f[2] && *f[2] && parse_ipv4(f[2], &gw) < 0) {
		say("ip=: bad gateway '%s'", f[2]);
		return true;
	}
	if (f[3] && *f[3] &&
	    (parse_ipv4(f[3], &mask) < 0 || (prefix = mask_prefix(mask)) < 0)) {
		say("ip=: bad netmask '%s'", f[3]);
		return true;
	}
	nic_setup(f[5] && *f[5] ? f[5] : "eth0", addr, (unsigned)prefix, gw,
		  true);
	return true;
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
	if (cmdline_get("ktrim.ip", ip, sizeof(ip))) {
		ktrim_ip(ip);
	} else if (cmdline_get("ip", ip, sizeof(ip))) {
		if (!kernel_ip(ip))
			return;
	} else if (s->dhcp) {
		autoconf_report("eth0", "spec net-dhcp");
	} else if (s->ipv4) {
		snprintf(ip, sizeof(ip), "%s", s->ipv4);
		static_ipv4(ip, s->ipv4_gw, "net-ipv4");
	} else {
		default_ip();
	}
	if (s->ipv6)
		static_ipv6(s->ipv6, s->ipv6_gw);
}

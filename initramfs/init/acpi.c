// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ACPI power button as a stop request. The kernel's button driver
 * (CONFIG_ACPI_BUTTON, drivers/acpi/button.c) reports a press as a
 * generic-netlink message of family "acpi_event" on the multicast group
 * "acpi_mc_group" (drivers/acpi/event.c); acpid reads the same thing. Raw
 * netlink, no library, static buffers: this runs in PID 1 on the boot path.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "initramfs/init/init.h"

/*
 * The netlink ABI this needs (include/uapi/linux/netlink.h, genetlink.h),
 * spelled out: musl ships no kernel headers, and these values are ABI.
 */
#define NETLINK_GENERIC 16
#define SOL_NETLINK 270
#define NETLINK_ADD_MEMBERSHIP 1
#define NLM_F_REQUEST 1
#define GENL_ID_CTRL 0x10
#define CTRL_CMD_GETFAMILY 3
#define CTRL_ATTR_FAMILY_NAME 2
#define CTRL_ATTR_MCAST_GROUPS 7
#define CTRL_ATTR_MCAST_GRP_NAME 1
#define CTRL_ATTR_MCAST_GRP_ID 2
#define NLA_TYPE_MASK 0x3fff

struct sockaddr_nl {
	unsigned short nl_family;
	unsigned short nl_pad;
	uint32_t nl_pid;
	uint32_t nl_groups;
};

struct nlmsghdr {
	uint32_t nlmsg_len;
	uint16_t nlmsg_type;
	uint16_t nlmsg_flags;
	uint32_t nlmsg_seq;
	uint32_t nlmsg_pid;
};

struct genlmsghdr {
	uint8_t cmd;
	uint8_t version;
	uint16_t reserved;
};

struct nlattr {
	uint16_t nla_len;
	uint16_t nla_type;
};

#define NL_ALIGN(n) (((n) + 3u) & ~3u)
#define NLMSG_HDRLEN ((int)NL_ALIGN(sizeof(struct nlmsghdr)))
#define GENL_HDRLEN ((int)NL_ALIGN(sizeof(struct genlmsghdr)))
#define NLA_HDRLEN ((int)NL_ALIGN(sizeof(struct nlattr)))
#define NLA_ALIGN(n) NL_ALIGN(n)
#define NLMSG_DATA(h) ((char *)(h) + NLMSG_HDRLEN)
#define NLMSG_OK(h, len) ((len) >= NLMSG_HDRLEN && \
	(h)->nlmsg_len >= (uint32_t)NLMSG_HDRLEN && (h)->nlmsg_len <= (uint32_t)(len))
#define NLMSG_NEXT(h, len) ((len) -= (int)NL_ALIGN((h)->nlmsg_len), \
	(struct nlmsghdr *)((char *)(h) + NL_ALIGN((h)->nlmsg_len)))

#define ACPI_FAMILY "acpi_event"
#define ACPI_GROUP "acpi_mc_group"
#define ACPI_GENL_ATTR_EVENT 1

/* struct acpi_genl_event of drivers/acpi/event.c. */
struct acpi_genl_event {
	char device_class[20];
	char bus_id[15];
	uint32_t type;
	uint32_t data;
};

static union {
	struct nlmsghdr h;
	char buf[8192];
} msg;

/* The attributes after a generic-netlink header, walked in order. */
#define FOR_ATTR(a, start, len) \
	for (struct nlattr *a = (struct nlattr *)(start); \
	     (char *)a + NLA_HDRLEN <= (char *)(start) + (len) && \
	     a->nla_len >= NLA_HDRLEN && \
	     (char *)a + a->nla_len <= (char *)(start) + (len); \
	     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len)))

/* The multicast group id of acpi_mc_group in a CTRL_CMD_GETFAMILY reply. */
static int group_id(const struct nlmsghdr *h)
{
	char *attrs = (char *)NLMSG_DATA(h) + GENL_HDRLEN;
	int len = (int)h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;

	FOR_ATTR(a, attrs, len) {
		if ((a->nla_type & NLA_TYPE_MASK) != CTRL_ATTR_MCAST_GROUPS)
			continue;
		FOR_ATTR(g, (char *)a + NLA_HDRLEN, a->nla_len - NLA_HDRLEN) {
			const char *name = NULL;
			int id = -1;

			FOR_ATTR(f, (char *)g + NLA_HDRLEN,
				 g->nla_len - NLA_HDRLEN) {
				if (f->nla_type == CTRL_ATTR_MCAST_GRP_NAME)
					name = (char *)f + NLA_HDRLEN;
				else if (f->nla_type == CTRL_ATTR_MCAST_GRP_ID &&
					 f->nla_len >= NLA_HDRLEN + 4)
					memcpy(&id, (char *)f + NLA_HDRLEN, 4);
			}
			if (name && id >= 0 && !strcmp(name, ACPI_GROUP))
				return id;
		}
	}
	return -1;
}

int acpi_events_open(void)
{
	struct {
		struct nlmsghdr h;
		struct genlmsghdr g;
		struct nlattr a;
		char name[NLA_ALIGN(sizeof(ACPI_FAMILY))];
	} req;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	/* The reply comes at once or never: do not stall the boot on it. */
	struct timeval tv = { 1, 0 };
	ssize_t n;
	int fd, grp = -1;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return -1;
	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = sizeof(req);
	req.h.nlmsg_type = GENL_ID_CTRL;
	req.h.nlmsg_flags = NLM_F_REQUEST;
	req.h.nlmsg_seq = 1;
	req.g.cmd = CTRL_CMD_GETFAMILY;
	req.g.version = 1;
	req.a.nla_type = CTRL_ATTR_FAMILY_NAME;
	req.a.nla_len = NLA_HDRLEN + sizeof(ACPI_FAMILY);
	memcpy(req.name, ACPI_FAMILY, sizeof(ACPI_FAMILY));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0)
		goto fail;
	n = recv(fd, msg.buf, sizeof(msg.buf), 0);
	/* An NLMSG_ERROR reply: no ACPI, or a kernel without ACPI events. */
	if (n >= (ssize_t)NLMSG_HDRLEN && NLMSG_OK(&msg.h, (int)n) &&
	    msg.h.nlmsg_type == GENL_ID_CTRL)
		grp = group_id(&msg.h);
	if (grp < 0 || setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
				  &grp, sizeof(grp)) < 0)
		goto fail;
	fcntl(fd, F_SETFL, O_NONBLOCK);
	say("listening for ACPI power-button events");
	return fd;
fail:
	close(fd);
	return -1;
}

bool acpi_power_pressed(int fd)
{
	bool pressed = false;
	ssize_t n;

	while ((n = recv(fd, msg.buf, sizeof(msg.buf), MSG_DONTWAIT)) > 0) {
		int left = (int)n;

		for (struct nlmsghdr *h = &msg.h; NLMSG_OK(h, left);
		     h = NLMSG_NEXT(h, left)) {
			char *attrs = (char *)NLMSG_DATA(h) + GENL_HDRLEN;
			int len = (int)h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;

			FOR_ATTR(a, attrs, len) {
				struct acpi_genl_event ev;

				if (a->nla_type != ACPI_GENL_ATTR_EVENT ||
				    a->nla_len < NLA_HDRLEN + sizeof(ev))
					continue;
				memcpy(&ev, (char *)a + NLA_HDRLEN, sizeof(ev));
				ev.device_class[sizeof(ev.device_class) - 1] = 0;
				ev.bus_id[sizeof(ev.bus_id) - 1] = 0;
				say("ACPI event %s %s 0x%x", ev.device_class,
				    ev.bus_id, ev.type);
				if (!strncmp(ev.device_class, "button/power", 12))
					pressed = true;
			}
		}
	}
	return pressed;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The NIC's addresses in the spec, host side: checked here so that the
 * init, which has no way to report a bad address but its console, only
 * ever reads well-formed ones. The guest side is initramfs/init/net.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "initramfs/internal.h"

void initramfs_net_release(struct initramfs_net *n)
{
	free(n->ipv4);
	free(n->ipv4_gateway);
	free(n->ipv6);
	free(n->ipv6_gateway);
	memset(n, 0, sizeof(*n));
}

static int dup_or_null(char **dst, const char *src)
{
	*dst = NULL;
	return src && !(*dst = strdup(src)) ? -ENOMEM : 0;
}

int initramfs_net_copy(struct initramfs_net *dst, const struct initramfs_net *src)
{
	int r;

	memset(dst, 0, sizeof(*dst));
	dst->dhcp = src->dhcp;
	r = dup_or_null(&dst->ipv4, src->ipv4);
	if (r == 0)
		r = dup_or_null(&dst->ipv4_gateway, src->ipv4_gateway);
	if (r == 0)
		r = dup_or_null(&dst->ipv6, src->ipv6);
	if (r == 0)
		r = dup_or_null(&dst->ipv6_gateway, src->ipv6_gateway);
	if (r < 0)
		initramfs_net_release(dst);
	return r;
}

bool initramfs_net_is_set(const struct initramfs_net *n)
{
	return n->ipv4 || n->ipv6 || n->dhcp;
}

/* @text as an address of @family, normalised into @out (INET6_ADDRSTRLEN). */
static bool parse_addr(int family, const char *text, char *out)
{
	unsigned char bin[sizeof(struct in6_addr)];

	return inet_pton(family, text, bin) == 1 &&
	       inet_ntop(family, bin, out, INET6_ADDRSTRLEN) != NULL;
}

/* "ADDR/PREFIX[,GATEWAY]" of @family into @addr and @gw (normalised). */
static int parse_cidr(const char *key, int family, const char *value, char **addr,
		      char **gw, struct kt_str *err)
{
	unsigned max = family == AF_INET ? 32 : 128;
	char text[256], a[INET6_ADDRSTRLEN], g[INET6_ADDRSTRLEN];
	char *slash, *comma;
	unsigned long prefix;
	int r;

	if (strlen(value) >= sizeof(text))
		goto bad;
	strcpy(text, value);
	comma = strchr(text, ',');
	if (comma)
		*comma++ = '\0';
	slash = strchr(text, '/');
	if (!slash)
		goto bad;
	*slash++ = '\0';
	if (kt_parse_ulong(slash, max, &prefix) < 0 || prefix == 0 ||
	    !parse_addr(family, text, a) || (comma && !parse_addr(family, comma, g)))
		goto bad;
	snprintf(text, sizeof(text), "%s/%lu", a, prefix);
	r = kt_strdup_replace(addr, text);
	if (r == 0 && comma)
		r = kt_strdup_replace(gw, g);
	else if (r == 0) {
		free(*gw);
		*gw = NULL;
	}
	return r;
bad:
	return ar_fail(err, -EINVAL, "%s: '%s' is not an IPv%c ADDRESS/PREFIX (1..%u)"
		       "[,GATEWAY]", key, value, family == AF_INET ? '4' : '6', max);
}

int initramfs_net_set(struct initramfs_net *n, const char *key, const char *value,
		      struct kt_str *err)
{
	int r;

	if (!strcmp(key, "ipv4"))
		r = parse_cidr(key, AF_INET, value, &n->ipv4, &n->ipv4_gateway, err);
	else if (!strcmp(key, "ipv6"))
		r = parse_cidr(key, AF_INET6, value, &n->ipv6, &n->ipv6_gateway, err);
	else if (!strcmp(key, "dhcp"))
		r = (n->dhcp = true, 0);
	else
		return -ENOENT;
	if (r == 0 && n->dhcp && n->ipv4)
		r = ar_fail(err, -EINVAL, "dhcp and a static ipv4 address exclude each other");
	return r;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * `user-name USER[:GROUP]`: a user and group by name, resolved as runc
 * does (its user.GetExecUser) in the container's own /etc/passwd and
 * /etc/group, read after the chroot, with no NSS: the user's uid, its
 * primary group unless GROUP names one, its home, and as supplementary
 * groups every group of /etc/group that lists it. A number is taken as
 * an id; a number not in /etc/passwd runs with group 0 and home /.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "initramfs/init/init.h"

static char text[64 * 1024];

/* @path whole into text (NUL-terminated); 0, or -1 with errno (EFBIG: too large). */
static int slurp(const char *path)
{
	ssize_t n, total = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((n = read(fd, text + total, sizeof(text) - 1 - (size_t)total)) > 0)
		total += n;
	close(fd);
	if (n < 0 || total == (ssize_t)sizeof(text) - 1) {
		errno = n < 0 ? errno : EFBIG;
		return -1;
	}
	text[total] = '\0';
	return 0;
}

/* A decimal id below 2^32 - 1, or -1. */
static long long id_of(const char *s)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtoull(s, &end, 10);
	return *end || v >= 0xffffffffULL ? -1 : (long long)v;
}

/*
 * The next line of text from *@p split at ':' into @f (up to @max
 * fields, the rest empty); false at the end.
 */
static bool next_entry(char **p, char **f, int max)
{
	char *line = *p, *nl;

	if (!*line)
		return false;
	nl = strchr(line, '\n');
	*p = nl ? nl + 1 : line + strlen(line);
	if (nl)
		*nl = '\0';
	for (int i = 0; i < max; i++) {
		f[i] = line;
		line = strchr(line, ':');
		if (line)
			*line++ = '\0';
		else
			line = f[i] + strlen(f[i]);
	}
	return true;
}

int user_resolve(const char *spec, struct user_ids *u)
{
	char name[256], *group, *p, *f[7];
	long long id = -1;
	bool found = false;

	snprintf(name, sizeof(name), "%s", spec);
	group = strchr(name, ':');
	if (group)
		*group++ = '\0';
	memset(u, 0, sizeof(*u));
	snprintf(u->home, sizeof(u->home), "/");
	/* passwd: NAME:PASSWORD:UID:GID:GECOS:HOME:SHELL */
	if (slurp("/etc/passwd") == 0) {
		for (p = text; !found && next_entry(&p, f, 7);)
			if (!strcmp(f[0], name) || (id_of(name) >= 0 && id_of(f[2]) == id_of(name))) {
				found = id_of(f[2]) >= 0 && id_of(f[3]) >= 0;
				u->uid = (unsigned)id_of(f[2]);
				u->gid = (unsigned)id_of(f[3]);
				snprintf(name, sizeof(name), "%s", f[0]);	/* for membership */
				if (*f[5])
					snprintf(u->home, sizeof(u->home), "%s", f[5]);
			}
	}
	if (!found && (id = id_of(name)) < 0) {
		snprintf(u->error, sizeof(u->error), "no user '%s' in the container's /etc/passwd",
			 name);
		return -1;
	}
	if (!found)
		u->uid = (unsigned)id;
	if (slurp("/etc/group") < 0)
		text[0] = '\0';	/* no groups to look up */
	if (group && (id = id_of(group)) >= 0) {
		u->gid = (unsigned)id;
		group = NULL;
	}
	/* group: NAME:PASSWORD:GID:MEMBER,MEMBER */
	for (p = text; next_entry(&p, f, 4);) {
		if (id_of(f[2]) < 0)
			continue;
		if (group && !strcmp(f[0], group)) {
			u->gid = (unsigned)id_of(f[2]);
			group = NULL;
		}
		for (char *m = strtok(f[3], ","); found && m; m = strtok(NULL, ","))
			if (!strcmp(m, name) && u->ngroups < USER_MAX_GROUPS)
				u->groups[u->ngroups++] = (gid_t)id_of(f[2]);
	}
	if (group) {
		snprintf(u->error, sizeof(u->error), "no group '%s' in the container's /etc/group",
			 group);
		return -1;
	}
	return 0;
}

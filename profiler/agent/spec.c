// SPDX-License-Identifier: GPL-2.0-only
/*
 * /ktrim/spec: "key value" lines written by `ktrim profile`; values are
 * %XX-escaped like the record stream, so any byte survives.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "profiler/agent/agent.h"
#include "profiler/agent/proto.h"

static int push(char **v, unsigned *n, unsigned cap, char *s)
{
	if (*n >= cap)
		return -E2BIG;
	v[(*n)++] = s;
	return 0;
}

static unsigned long ns_flag(const char *name)
{
	static const unsigned long flags[] = {
		CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWPID,
		CLONE_NEWNET, CLONE_NEWCGROUP, 0x80 /* CLONE_NEWTIME */,
	};

	for (unsigned i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (!strcmp(ns_flag_name(flags[i]), name))
			return flags[i];
	return 0;
}

int spec_load(const char *path, struct spec *s)
{
	static char buf[KPROTO_SPEC_MAX_BYTES];
	unsigned nargs = 0, nenv = 0, nsmoke = 0, lineno = 0;
	char *line, *save = NULL;
	int ret = 0;

	memset(s, 0, sizeof(*s));
	s->ready_timeout_s = 60;
	s->smoke_timeout_s = 30;
	ssize_t n = read_small(path, buf, sizeof(buf));

	if (n < 0) {
		logmsg("cannot read %s", path);
		return -ENOENT;
	}
	/* a full buffer may be a cut spec: never run a shorter one */
	if ((size_t)n >= sizeof(buf) - 1) {
		logmsg("%s: larger than %zu bytes", path, sizeof(buf) - 2);
		return -E2BIG;
	}
	for (line = strtok_r(buf, "\n", &save); line && !ret;
	     line = strtok_r(NULL, "\n", &save)) {
		char *key = line, *val = strchr(line, ' ');

		lineno++;
		if (!*line || *line == '#')
			continue;
		if (!val || kproto_unescape(val + 1)) {
			logmsg("%s:%u: malformed line", path, lineno);
			return -EINVAL;
		}
		*val++ = '\0';
		if (!strcmp(key, "krel"))
			s->krel = val;
		else if (!strcmp(key, "arg"))
			ret = push(s->args, &nargs, SPEC_MAX, val);
		else if (!strcmp(key, "env"))
			ret = push(s->env, &nenv, SPEC_MAX, val);
		else if (!strcmp(key, "smoke-arg"))
			ret = push(s->smoke, &nsmoke, SPEC_MAX, val);
		else if (!strcmp(key, "boot-module"))
			ret = push(s->boot_modules, &s->n_boot_modules, SPEC_MAX, val);
		else if (!strcmp(key, "cgroup"))
			ret = push(s->cgroups, &s->n_cgroups, KPROTO_SPEC_MAX_CGROUPS, val);
		else if (!strcmp(key, "cwd"))
			s->cwd = val;
		else if (!strcmp(key, "hostname"))
			s->hostname = val;
		else if (!strcmp(key, "ready-stdout"))
			s->ready_pattern = val;
		else if (!strcmp(key, "ready-tcp"))
			s->ready_port = (unsigned)atoi(val);
		else if (!strcmp(key, "ready-timeout"))
			s->ready_timeout_s = (unsigned)atoi(val);
		else if (!strcmp(key, "smoke-timeout"))
			s->smoke_timeout_s = (unsigned)atoi(val);
		else if (!strcmp(key, "uid"))
			s->uid = (uid_t)strtoul(val, NULL, 10);
		else if (!strcmp(key, "gid"))
			s->gid = (gid_t)strtoul(val, NULL, 10);
		else if (!strcmp(key, "ns")) {
			unsigned long f = ns_flag(val);

			if (!f) {
				logmsg("%s:%u: unknown namespace %s", path, lineno, val);
				return -EINVAL;
			}
			s->ns_flags |= f;
		} else {
			logmsg("%s:%u: unknown key %s", path, lineno, key);
			return -EINVAL;
		}
	}
	if (ret) {
		logmsg("%s: too many entries", path);
		return ret;
	}
	if (!nargs || !s->krel) {
		logmsg("%s: no command or kernel release", path);
		return -EINVAL;
	}
	if (!s->cwd)
		s->cwd = "/";
	if (!s->hostname)
		s->hostname = "ktrim";
	return 0;
}

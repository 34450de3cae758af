// SPDX-License-Identifier: GPL-2.0-only
/*
 * The spec parser of the guest ABI (initramfs/init/abi.h), the only one:
 * the shipped init and the profiling agent both read /etc/ktrim/spec with
 * it. In place: values are unescaped where they lie and the spec points
 * into the text. Strict: an unknown directive or a value out of range is
 * an error, because a spec that says more than the runtime understands
 * would run a different container than the one packed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "initramfs/init/init.h"

static int parse_u32(const char *s, unsigned long max, unsigned *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtoul(s, &end, 10);
	if (*end || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* A limit: a number or "unlimited". */
static int parse_rlim(const char *s, uint64_t *out)
{
	char *end;

	if (!strcmp(s, "unlimited")) {
		*out = GUEST_RLIM_INFINITY;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return *end || errno ? -1 : 0;
}

/* Split "a b" at the first space: returns b (a is terminated), or NULL. */
static char *split(char *v)
{
	char *sp = strchr(v, ' ');

	if (!sp || sp == v || !sp[1])
		return NULL;
	*sp = '\0';
	return sp + 1;
}

static int parse_namespaces(char *v, unsigned *out)
{
	unsigned bits = 0;
	char *save = NULL;

	for (char *t = strtok_r(v, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		size_t i;

		for (i = 0; i < GUEST_NS_COUNT; i++)
			if (strcmp(t, guest_ns_name((unsigned)i)) == 0)
				break;
		if (i == GUEST_NS_COUNT)
			return -1;
		bits |= 1u << i;
	}
	*out = bits;
	return 0;
}

/* "NAME ..." of guest_cap_parse() into *@out (added to it); NULL, or the unknown name. */
static const char *parse_caps(char *v, uint64_t *out)
{
	char *save = NULL;

	for (char *t = strtok_r(v, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		uint64_t m = guest_cap_parse(t);

		if (!m)
			return t;
		*out |= m;
	}
	return NULL;
}

#define FAIL(...) do { snprintf(err, errlen, "line %d: ", lineno); \
	size_t l_ = strlen(err); snprintf(err + l_, errlen - l_, __VA_ARGS__); \
	return -1; } while (0)

/* The directives an overlay may add: the test, never the workload. */
static bool addable(const char *key)
{
	return !strcmp(key, "smoke-arg") || !strcmp(key, "smoke-timeout") ||
	       !strcmp(key, "certify-hold");
}

/* "no", "always", "on-failure N" (N 0: no limit). */
static int parse_restart(char *v, struct spec *s)
{
	char *n = split(v);

	if (!n && !strcmp(v, "no"))
		s->restart = RESTART_NO;
	else if (!n && !strcmp(v, "always"))
		s->restart = RESTART_ALWAYS;
	else if (n && !strcmp(v, "on-failure") &&
		 parse_u32(n, INITRAMFS_SPEC_MAX_COUNT, &s->restart_max) == 0)
		s->restart = RESTART_ON_FAILURE;
	else
		return -1;
	return 0;
}

bool spec_restart_wanted(const struct spec *s, int code, unsigned restarts)
{
	switch (s->restart) {
	case RESTART_ALWAYS:
		return true;
	case RESTART_ON_FAILURE:
		return code != 0 && (!s->restart_max || restarts < s->restart_max);
	default:
		return false;
	}
}

static int parse_lines(char *text, struct spec *s, bool addition, char *err,
		       size_t errlen)
{
	char *line = text, *next;
	int lineno = 0;

	for (; line && *line; line = next) {
		char *key, *val;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if (lineno == 1) {
			if (strcmp(line, GUEST_SPEC_MAGIC) != 0)
				FAIL("first line must be '" GUEST_SPEC_MAGIC "', "
				     "found '%.40s'", line);
			continue;
		}
		if (line[0] == '#' || line[0] == '\0')
			continue;
		key = line;
		val = strchr(line, ' ');
		if (val)
			*val++ = '\0';
		if (val && guest_unescape(val) < 0)
			FAIL("bad escape in value of '%s'", key);
		if (addition && !addable(key))
			FAIL("'%s' cannot be added by an overlay (only smoke-arg, "
			     "smoke-timeout, certify-hold)", key);
		if (strcmp(key, "readonly") == 0) {
			if (val)
				FAIL("'readonly' takes no value");
			s->readonly = true;
			continue;
		}
		if (strcmp(key, "certify-hold") == 0) {
			if (val)
				FAIL("'certify-hold' takes no value");
			s->certify_hold = true;
			continue;
		}
		if (strcmp(key, "net-dhcp") == 0) {
			if (val)
				FAIL("'net-dhcp' takes no value");
			s->dhcp = true;
			continue;
		}
		if (strcmp(key, "privileged") == 0) {
			if (val)
				FAIL("'privileged' takes no value");
			s->privileged = true;
			continue;
		}
		/* An argument may be empty (redis-server --save ""). */
		if (!val || (!*val && strcmp(key, "arg") != 0 &&
			     strcmp(key, "smoke-arg") != 0))
			FAIL("'%s' needs a value", key);
		if (strcmp(key, "arg") == 0) {
			if (s->nargs == INITRAMFS_SPEC_MAX_ARGS)
				FAIL("more than %d args", INITRAMFS_SPEC_MAX_ARGS);
			s->args[s->nargs++] = val;
		} else if (strcmp(key, "smoke-arg") == 0) {
			if (s->nsmoke == INITRAMFS_SPEC_MAX_SMOKE)
				FAIL("more than %d smoke-arg entries",
				     INITRAMFS_SPEC_MAX_SMOKE);
			s->smoke[s->nsmoke++] = val;
		} else if (strcmp(key, "smoke-timeout") == 0) {
			if (parse_u32(val, INITRAMFS_SPEC_MAX_COUNT, &s->smoke_timeout_s) < 0)
				FAIL("smoke-timeout wants seconds");
		} else if (strcmp(key, "env") == 0) {
			if (s->nenv == INITRAMFS_SPEC_MAX_ENV)
				FAIL("more than %d env entries", INITRAMFS_SPEC_MAX_ENV);
			if (!strchr(val, '=') || val[0] == '=')
				FAIL("env '%s' is not NAME=VALUE", val);
			s->env[s->nenv++] = val;
		} else if (strcmp(key, "module") == 0) {
			if (s->nmodules == INITRAMFS_SPEC_MAX_MODULES)
				FAIL("more than %d modules", INITRAMFS_SPEC_MAX_MODULES);
			s->modules[s->nmodules++] = val;
		} else if (strcmp(key, "cgroup") == 0) {
			char *v2 = split(val);

			if (!v2 || strchr(val, '/'))
				FAIL("cgroup wants 'FILE VALUE'");
			if (s->ncgroups == INITRAMFS_SPEC_MAX_CGROUPS)
				FAIL("more than %d cgroup limits",
				     INITRAMFS_SPEC_MAX_CGROUPS);
			s->cgroups[s->ncgroups].file = val;
			s->cgroups[s->ncgroups++].value = v2;
		} else if (strcmp(key, "cgroup-enable") == 0) {
			if (strpbrk(val, " /"))
				FAIL("cgroup-enable wants a controller name");
			if (s->ncontrollers == INITRAMFS_SPEC_MAX_CGROUPS)
				FAIL("more than %d cgroup controllers",
				     INITRAMFS_SPEC_MAX_CGROUPS);
			s->controllers[s->ncontrollers++] = val;
		} else if (strcmp(key, "hostname") == 0) {
			s->hostname = val;
		} else if (strcmp(key, "cwd") == 0) {
			s->cwd = val;
		} else if (strcmp(key, "rootfs") == 0) {
			s->rootfs = val;
			s->rootfs_type = NULL;
		} else if (strcmp(key, "rootfs-dev") == 0) {
			char *dev = split(val);

			if (!dev || dev[0] != '/')
				FAIL("rootfs-dev wants 'FSTYPE /dev/NAME'");
			s->rootfs_type = val;
			s->rootfs = dev;
		} else if (strcmp(key, "user") == 0) {
			char *g = split(val);

			if (!g || parse_u32(val, 0xfffffffeUL, &s->uid) < 0 ||
			    parse_u32(g, 0xfffffffeUL, &s->gid) < 0)
				FAIL("user wants 'UID GID'");
		} else if (strcmp(key, "user-name") == 0) {
			if (!guest_user_name_ok(val))
				FAIL("user-name wants 'USER[:GROUP]'");
			s->user_name = val;
		} else if (strcmp(key, "namespaces") == 0) {
			if (parse_namespaces(val, &s->namespaces) < 0)
				FAIL("unknown namespace in '%s'", val);
		} else if (strcmp(key, "ready-stdout") == 0) {
			s->ready = READY_STDOUT;
			s->ready_pattern = val;
		} else if (strcmp(key, "ready-tcp") == 0) {
			if (parse_u32(val, 65535, &s->ready_port) < 0 ||
			    s->ready_port == 0)
				FAIL("ready-tcp wants a port 1..65535");
			s->ready = READY_TCP;
		} else if (strcmp(key, "ready-timeout") == 0) {
			if (parse_u32(val, INITRAMFS_SPEC_MAX_COUNT, &s->ready_timeout_s) < 0)
				FAIL("ready-timeout wants seconds");
		} else if (strcmp(key, "timeout") == 0) {
			if (parse_u32(val, INITRAMFS_SPEC_MAX_COUNT, &s->timeout_s) < 0)
				FAIL("timeout wants seconds");
		} else if (strcmp(key, "stop-grace") == 0) {
			if (parse_u32(val, INITRAMFS_SPEC_MAX_COUNT, &s->stop_grace_s) < 0)
				FAIL("stop-grace wants seconds");
		} else if (strcmp(key, "net-ipv4") == 0 ||
			   strcmp(key, "net-ipv6") == 0) {
			/* The address is checked where it is applied (net.c). */
			char *gw = strchr(val, ' ');

			if (gw)
				*gw++ = '\0';
			if (!strchr(val, '/') || (gw && !*gw))
				FAIL("%s wants 'ADDR/PREFIX [GATEWAY]'", key);
			if (key[7] == '4')
				s->ipv4 = val, s->ipv4_gw = gw;
			else
				s->ipv6 = val, s->ipv6_gw = gw;
		} else if (strcmp(key, "cap-add") == 0 || strcmp(key, "cap-drop") == 0) {
			const char *bad = parse_caps(val, key[4] == 'a' ? &s->cap_add :
						     &s->cap_drop);

			if (bad)
				FAIL("unknown capability '%s'", bad);
		} else if (strcmp(key, "device") == 0) {
			if (!guest_device_path_ok(val))
				FAIL("device '%s' is not a path under /dev/", val);
			if (s->ndevices == INITRAMFS_SPEC_MAX_DEVICES)
				FAIL("more than %d devices", INITRAMFS_SPEC_MAX_DEVICES);
			s->devices[s->ndevices++] = val;
		} else if (strcmp(key, "rlimit") == 0) {
			char *soft = split(val), *hard = soft ? split(soft) : NULL;
			int r = guest_rlimit_parse(val);

			if (r < 0 || !hard || parse_rlim(soft, &s->rlimits.soft[r]) < 0 ||
			    parse_rlim(hard, &s->rlimits.hard[r]) < 0 ||
			    s->rlimits.soft[r] > s->rlimits.hard[r])
				FAIL("rlimit wants 'NAME SOFT HARD', a known name, SOFT <= HARD");
			s->rlimits.set |= 1u << r;
		} else if (strcmp(key, "seccomp") == 0) {
			size_t n = strlen(val);

			/* decoded where it is loaded (security.c): no second table here */
			if (n % GUEST_BPF_HEX || n / GUEST_BPF_HEX > INITRAMFS_SPEC_MAX_SECCOMP ||
			    val[strspn(val, "0123456789abcdefABCDEF")])
				FAIL("seccomp wants at most %d instructions of %d hex digits",
				     INITRAMFS_SPEC_MAX_SECCOMP, GUEST_BPF_HEX);
			s->seccomp = val;
		} else if (strcmp(key, "restart") == 0) {
			if (parse_restart(val, s) < 0)
				FAIL("restart wants no, always or on-failure N");
		} else {
			FAIL("unknown directive '%s'", key);
		}
	}
	if (lineno == 0)
		FAIL("empty spec");
	s->args[s->nargs] = NULL;
	s->env[s->nenv] = NULL;
	s->smoke[s->nsmoke] = NULL;
	return 0;
}

int spec_parse(char *text, struct spec *s, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	return parse_lines(text, s, false, err, errlen);
}

int spec_parse_addition(char *text, struct spec *s, char *err, size_t errlen)
{
	return parse_lines(text, s, true, err, errlen);
}

/*
 * @path (@what, for messages) into @buf (@max bytes at most,
 * NUL-terminated): 0, 1 when @optional and the file is absent, -1 with
 * the reason in @err.
 */
static int read_text(const char *what, const char *path, char *buf, ssize_t max,
		     bool optional, char *err, size_t errlen)
{
	ssize_t n, total = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 && optional && errno == ENOENT)
		return 1;
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s %s: %s", what, path, strerror(errno));
		return -1;
	}
	while ((n = read(fd, buf + total, (size_t)(max - total))) > 0)
		total += n;
	close(fd);
	if (n < 0)
		snprintf(err, errlen, "reading %s: %s", path, strerror(errno));
	else if (total == max)
		snprintf(err, errlen, "%s is larger than %zd bytes", path, max);
	else if (memchr(buf, '\0', (size_t)total))
		snprintf(err, errlen, "%s holds a NUL byte", path);
	else {
		buf[total] = '\0';
		return 0;
	}
	return -1;
}

int spec_load(struct spec *s, bool *overlay, char *err, size_t errlen)
{
	static char text[INITRAMFS_SPEC_MAX_BYTES + 1];
	static char add_text[INITRAMFS_SPEC_ADD_MAX + 1];
	size_t n;
	int r;

	*overlay = false;
	if (read_text("the container spec", SPEC_FILE, text, INITRAMFS_SPEC_MAX_BYTES,
		      false, err, errlen) < 0)
		return -1;
	n = (size_t)snprintf(err, errlen, "bad container spec %s: ", SPEC_FILE);
	if (spec_parse(text, s, err + n, errlen - n) < 0)
		return -1;
	r = read_text("the overlay", SPEC_ADD_FILE, add_text, INITRAMFS_SPEC_ADD_MAX, true,
		      err, errlen);
	if (r != 0)
		return r < 0 ? -1 : 0;
	*overlay = true;
	n = (size_t)snprintf(err, errlen, "bad overlay %s: ", SPEC_ADD_FILE);
	return spec_parse_addition(add_text, s, err + n, errlen - n);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The container spec, host side: its one writer, for the shipped init and
 * the profiling agent alike. The grammar is the guest ABI's
 * (initramfs/init/abi.h): line-based so the guest runtime parses it in
 * place with no allocator and no library. The guest parser is
 * initramfs/init/spec.c; the unit tests run the two against each other.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "initramfs/internal.h"

void initramfs_spec_init(struct initramfs_spec *s)
{
	memset(s, 0, sizeof(*s));
	kt_array_init(&s->args, sizeof(char *));
	kt_array_init(&s->env, sizeof(char *));
	kt_array_init(&s->modules, sizeof(char *));
	kt_array_init(&s->smoke, sizeof(char *));
	kt_array_init(&s->cgroups, sizeof(struct initramfs_cgroup_limit));
	kt_array_init(&s->controllers, sizeof(char *));
	kt_array_init(&s->devices, sizeof(char *));
	kt_array_init(&s->seccomp, sizeof(struct guest_bpf_insn));
}

void initramfs_spec_release(struct initramfs_spec *s)
{
	kt_array_free_ptrs(&s->args);
	kt_array_free_ptrs(&s->env);
	kt_array_free_ptrs(&s->modules);
	kt_array_free_ptrs(&s->smoke);
	for (size_t i = 0; i < s->cgroups.len; i++) {
		struct initramfs_cgroup_limit *l = kt_array_at(&s->cgroups, i);

		free(l->file);
		free(l->value);
	}
	kt_array_free(&s->cgroups);
	kt_array_free_ptrs(&s->controllers);
	kt_array_free_ptrs(&s->devices);
	kt_array_free(&s->seccomp);
	free(s->cwd);
	free(s->hostname);
	free(s->rootfs);
	free(s->rootfs_type);
	free(s->ready_pattern);
	free(s->user_name);
	initramfs_net_release(&s->net);
	memset(s, 0, sizeof(*s));
}

int initramfs_spec_parse_namespaces(const char *list, unsigned *out,
				    struct kt_str *err)
{
	char *copy = strdup(list), *tok, *save = NULL;
	unsigned bits = 0;
	int r = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ", ", &save); tok;
	     tok = strtok_r(NULL, ", ", &save)) {
		size_t i;

		for (i = 0; i < GUEST_NS_COUNT; i++)
			if (strcmp(tok, guest_ns_name(i)) == 0)
				break;
		if (i == GUEST_NS_COUNT) {
			r = ar_fail(err, -EINVAL, "unknown namespace '%s' "
				    "(known: mnt uts ipc pid net cgroup time)",
				    tok);
			goto out;
		}
		bits |= 1u << i;
	}
	*out = bits;
out:
	free(copy);
	return r;
}

int initramfs_spec_parse_caps(const char *list, uint64_t *mask, struct kt_str *err)
{
	char *copy = strdup(list), *tok, *save = NULL;
	int r = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ", ", &save); tok && r == 0;
	     tok = strtok_r(NULL, ", ", &save)) {
		uint64_t m = guest_cap_parse(tok);

		if (!m)
			r = ar_fail(err, -EINVAL, "unknown capability '%s' (Docker's names, "
				    "e.g. NET_ADMIN or CAP_NET_ADMIN, or ALL)", tok);
		*mask |= m;
	}
	free(copy);
	return r;
}

/* One limit: a number or "unlimited". */
static int rlim_value(const char *v, uint64_t *out)
{
	unsigned long n;

	if (!strcmp(v, "unlimited")) {
		*out = GUEST_RLIM_INFINITY;
		return 0;
	}
	/* below "unlimited": the init reads it back as a number */
	if (kt_parse_ulong(v, ULONG_MAX - 1, &n) < 0)
		return -EINVAL;
	*out = n;
	return 0;
}

int initramfs_rlimit_set(struct guest_rlimits *r, const char *name, const char *value,
			 struct kt_str *err)
{
	int res = guest_rlimit_parse(name);
	const char *colon = strchr(value, ':');
	char soft[32];
	uint64_t s, h;

	if (res < 0) {
		struct kt_str known = KT_STR_INIT;

		for (unsigned i = 0; i < GUEST_RLIMIT_COUNT; i++)
			kt_str_printf(&known, "%s%s", i ? " " : "", guest_rlimit_name(i));
		ar_fail(err, -EINVAL, "unknown resource limit '%s' (known: %s)", name,
			kt_str_cstr(&known));
		kt_str_free(&known);
		return -EINVAL;
	}
	snprintf(soft, sizeof(soft), "%.*s", colon ? (int)(colon - value) : (int)strlen(value),
		 value);
	if ((colon ? colon - value : (ptrdiff_t)strlen(value)) >= (ptrdiff_t)sizeof(soft) ||
	    rlim_value(soft, &s) < 0 || rlim_value(colon ? colon + 1 : soft, &h) < 0 || s > h)
		return ar_fail(err, -EINVAL, "%s: '%s' is not SOFT[:HARD] (numbers or unlimited, "
			       "SOFT <= HARD)", name, value);
	r->set |= (uint64_t)1 << res;
	r->soft[res] = s;
	r->hard[res] = h;
	return 0;
}

int initramfs_spec_set_cmd(struct initramfs_spec *s, const char *cmdline,
			   struct kt_str *err)
{
	struct kt_str word = KT_STR_INIT;
	const char *p = cmdline;
	bool in_word = false;
	int r = 0;

	kt_array_free_ptrs(&s->args);
	kt_array_init(&s->args, sizeof(char *));
	for (;; p++) {
		char c = *p;

		if (c == '\0' || c == ' ' || c == '\t' || c == '\n') {
			if (in_word) {
				/* NULL: the word lost a character (steal checks) */
				char *w = kt_str_steal(&word);

				if (!w || kt_array_push_ptr(&s->args, w) < 0) {
					free(w);
					r = -ENOMEM;
					goto out;
				}
				in_word = false;
			}
			if (c == '\0')
				break;
			continue;
		}
		in_word = true;
		if (c == '\'' || c == '"') {
			char q = c;

			for (p++; *p && *p != q; p++) {
				if (q == '"' && *p == '\\' && p[1])
					p++;
				kt_str_putc(&word, *p);
			}
			if (!*p) {
				r = ar_fail(err, -EINVAL, "unterminated %c "
					    "quote in command '%s'", q,
					    cmdline);
				goto out;
			}
			continue;
		}
		if (c == '\\' && p[1])
			c = *++p;
		r = kt_str_putc(&word, c);
		if (r < 0)
			goto out;
	}
out:
	kt_str_free(&word);
	return r;
}

int initramfs_spec_add_cgroup(struct initramfs_spec *s, const char *file,
			      const char *value)
{
	struct initramfs_cgroup_limit l = { strdup(file), strdup(value) };

	if (!l.file || !l.value || !kt_array_push(&s->cgroups, &l)) {
		free(l.file);
		free(l.value);
		return -ENOMEM;
	}
	return 0;
}

static int opt_uint(const char *key, const char *value, unsigned long max,
		    unsigned long min, uint32_t *out, struct kt_str *err);

/* "key value\n" in the guest ABI's one escape scheme (abi.h). */
static int put(struct kt_str *out, const char *key, const char *value)
{
	int r = kt_str_puts(out, key);

	if (r == 0 && value) {
		r = kt_str_putc(out, ' ');
		for (const unsigned char *p = (const void *)value;
		     r == 0 && *p; p++) {
			if (*p == '\\')
				r = kt_str_puts(out, "\\\\");
			else if (*p == '\n')
				r = kt_str_puts(out, "\\n");
			else if (*p == '\t')
				r = kt_str_puts(out, "\\t");
			else if (*p < 0x20 || *p == 0x7f)
				r = kt_str_printf(out, "\\x%02x", *p);
			else
				r = kt_str_putc(out, (char)*p);
		}
	}
	return r ? r : kt_str_putc(out, '\n');
}

/* "net-ipvN ADDR/PREFIX[ GATEWAY]" when @addr is set. */
static int put_net(struct kt_str *out, const char *key, const char *addr, const char *gw)
{
	struct kt_str v = KT_STR_INIT;
	int r;

	if (!addr)
		return 0;
	kt_str_printf(&v, "%s%s%s", addr, gw ? " " : "", gw ? gw : "");
	r = kt_str_error(&v);
	if (r == 0)
		r = put(out, key, v.buf);
	kt_str_free(&v);
	return r;
}

/* "cap-add NAME ..." for @mask's capabilities, in bit order ("ALL" for all). */
static int put_caps(struct kt_str *out, const char *key, uint64_t mask)
{
	struct kt_str v = KT_STR_INIT;
	int r = 0;

	if (!mask)
		return 0;
	if (mask == GUEST_CAPS_ALL)
		return put(out, key, "ALL");
	for (unsigned i = 0; r == 0 && i < 64; i++)
		if (mask & (uint64_t)1 << i)
			r = guest_cap_name(i) ? kt_str_printf(&v, "%s%s", v.len ? " " : "",
							      guest_cap_name(i)) : -EINVAL;
	if (r == 0)
		r = put(out, key, v.buf);
	kt_str_free(&v);
	return r;
}

/* "seccomp HEX": each instruction as abi.h's GUEST_BPF_HEX digits. */
static int put_seccomp(struct kt_str *out, const struct kt_array *prog)
{
	int r = kt_str_puts(out, "seccomp ");

	for (size_t i = 0; r == 0 && i < prog->len; i++) {
		const struct guest_bpf_insn *b = kt_array_at(prog, i);

		r = kt_str_printf(out, "%04x%02x%02x%08x", b->code, b->jt, b->jf, b->k);
	}
	return r ? r : kt_str_putc(out, '\n');
}

/* Each list against the init's table for it. */
static int check_lists(const struct initramfs_spec *s, struct kt_str *err)
{
	const struct {
		const char *what;
		size_t n, max;
	} lists[] = {
		{ "arguments", s->args.len, INITRAMFS_SPEC_MAX_ARGS },
		{ "environment entries", s->env.len, INITRAMFS_SPEC_MAX_ENV },
		{ "modules to load", s->modules.len, INITRAMFS_SPEC_MAX_MODULES },
		{ "cgroup limits", s->cgroups.len, INITRAMFS_SPEC_MAX_CGROUPS },
		{ "cgroup controllers", s->controllers.len, INITRAMFS_SPEC_MAX_CGROUPS },
		{ "smoke-test arguments", s->smoke.len, INITRAMFS_SPEC_MAX_SMOKE },
		{ "devices", s->devices.len, INITRAMFS_SPEC_MAX_DEVICES },
		{ "seccomp filter instructions", s->seccomp.len, INITRAMFS_SPEC_MAX_SECCOMP },
	};

	for (size_t i = 0; i < KT_ARRAY_SIZE(lists); i++) {
		if (lists[i].n <= lists[i].max)
			continue;
		if (err)
			kt_str_printf(err, "the container spec has %zu %s; the guest init takes at most %zu",
				      lists[i].n, lists[i].what, lists[i].max);
		return -E2BIG;
	}
	return 0;
}

int initramfs_spec_check(const struct initramfs_spec *s, struct kt_str *err)
{
	struct kt_str text = KT_STR_INIT;
	int r = check_lists(s, err);

	/* The runtime writes "+NAME" to cgroup.subtree_control. */
	for (size_t i = 0; r == 0 && i < s->controllers.len; i++) {
		const char *c = kt_array_ptr(&s->controllers, i);

		if (!*c || c[strspn(c, "abcdefghijklmnopqrstuvwxyz0123456789_")])
			r = ar_fail(err, -EINVAL, "cgroup controller '%s' is not a controller name", c);
	}
	if (r == 0 && s->user_name && !guest_user_name_ok(s->user_name))
		r = ar_fail(err, -EINVAL, "user '%s' is not USER[:GROUP]", s->user_name);
	for (size_t i = 0; r == 0 && i < s->devices.len; i++)
		if (!guest_device_path_ok(kt_array_ptr(&s->devices, i)))
			r = ar_fail(err, -EINVAL, "device '%s' is not a path under /dev/",
				    (const char *)kt_array_ptr(&s->devices, i));

	if (r == 0) {
		r = initramfs_spec_format(s, &text);
		if (r == -E2BIG)
			kt_str_printf(err, "the container spec takes %zu bytes or more; the guest init reads less than %d",
				      text.len, INITRAMFS_SPEC_MAX_BYTES);
	}
	if (r == 0) {
		kt_str_reset(&text);
		r = initramfs_spec_format_addition(s, &text);
		if (r == -E2BIG)
			kt_str_printf(err, "the smoke test takes %zu bytes or more; the guest init reads less than %d of it",
				      text.len, INITRAMFS_SPEC_ADD_MAX);
	}
	kt_str_free(&text);
	return r;
}

int initramfs_spec_format(const struct initramfs_spec *s, struct kt_str *out)
{
	size_t start = out->len;
	char num[64];
	int r;

	if (check_lists(s, NULL) < 0)
		return -E2BIG;
	r = kt_str_puts(out, GUEST_SPEC_MAGIC "\n");
	if (r == 0 && s->hostname)
		r = put(out, "hostname", s->hostname);
	for (size_t i = 0; r == 0 && i < s->modules.len; i++)
		r = put(out, "module", kt_array_ptr(&s->modules, i));
	if (r == 0 && s->rootfs) {
		struct kt_str v = KT_STR_INIT;

		/* The type goes first: a device path never holds a space. */
		if (s->rootfs_type)
			r = kt_str_printf(&v, "%s %s", s->rootfs_type,
					  s->rootfs);
		if (r == 0)
			r = put(out, s->rootfs_type ? "rootfs-dev" : "rootfs",
				s->rootfs_type ? v.buf : s->rootfs);
		kt_str_free(&v);
	}
	if (r == 0 && s->readonly)
		r = put(out, "readonly", NULL);
	if (r == 0 && s->namespaces) {
		struct kt_str v = KT_STR_INIT;

		for (unsigned i = 0; r == 0 && i < GUEST_NS_COUNT; i++)
			if (s->namespaces & (1u << i))
				r = kt_str_printf(&v, "%s%s", v.len ? " " : "",
						  guest_ns_name(i));
		if (r == 0)
			r = put(out, "namespaces", v.buf);
		kt_str_free(&v);
	}
	for (size_t i = 0; r == 0 && i < s->cgroups.len; i++) {
		const struct initramfs_cgroup_limit *l =
			kt_array_at(&s->cgroups, i);
		struct kt_str v = KT_STR_INIT;

		r = kt_str_printf(&v, "%s %s", l->file, l->value);
		if (r == 0)
			r = put(out, "cgroup", v.buf);
		kt_str_free(&v);
	}
	for (size_t i = 0; r == 0 && i < s->controllers.len; i++)
		r = put(out, "cgroup-enable", kt_array_ptr(&s->controllers, i));
	if (r == 0 && s->user_name)
		r = put(out, "user-name", s->user_name);
	else if (r == 0 && (s->uid || s->gid)) {
		snprintf(num, sizeof(num), "%u %u", s->uid, s->gid);
		r = put(out, "user", num);
	}
	if (r == 0 && s->cwd)
		r = put(out, "cwd", s->cwd);
	for (size_t i = 0; r == 0 && i < s->env.len; i++)
		r = put(out, "env", kt_array_ptr(&s->env, i));
	for (size_t i = 0; r == 0 && i < s->args.len; i++)
		r = put(out, "arg", kt_array_ptr(&s->args, i));
	if (r == 0 && s->ready == INITRAMFS_READY_STDOUT)
		r = put(out, "ready-stdout", s->ready_pattern ?
			s->ready_pattern : "*");
	if (r == 0 && s->ready == INITRAMFS_READY_TCP) {
		snprintf(num, sizeof(num), "%u", s->ready_port);
		r = put(out, "ready-tcp", num);
	}
	if (r == 0 && s->ready_timeout_s) {
		snprintf(num, sizeof(num), "%u", s->ready_timeout_s);
		r = put(out, "ready-timeout", num);
	}
	for (size_t i = 0; r == 0 && i < s->smoke.len; i++)
		r = put(out, "smoke-arg", kt_array_ptr(&s->smoke, i));
	if (r == 0 && s->smoke_timeout_s) {
		snprintf(num, sizeof(num), "%u", s->smoke_timeout_s);
		r = put(out, "smoke-timeout", num);
	}
	if (r == 0 && s->timeout_s) {
		snprintf(num, sizeof(num), "%u", s->timeout_s);
		r = put(out, "timeout", num);
	}
	if (r == 0 && s->stop_grace_s) {
		snprintf(num, sizeof(num), "%u", s->stop_grace_s);
		r = put(out, "stop-grace", num);
	}
	if (r == 0 && s->restart == INITRAMFS_RESTART_ALWAYS)
		r = put(out, "restart", "always");
	if (r == 0 && s->restart == INITRAMFS_RESTART_ON_FAILURE) {
		snprintf(num, sizeof(num), "on-failure %u", s->restart_max);
		r = put(out, "restart", num);
	}
	if (r == 0 && s->certify_hold)
		r = put(out, "certify-hold", NULL);
	if (r == 0)
		r = put_net(out, "net-ipv4", s->net.ipv4, s->net.ipv4_gateway);
	if (r == 0)
		r = put_net(out, "net-ipv6", s->net.ipv6, s->net.ipv6_gateway);
	if (r == 0 && s->net.dhcp)
		r = put(out, "net-dhcp", NULL);
	if (r == 0 && s->privileged)
		r = put(out, "privileged", NULL);
	if (r == 0)
		r = put_caps(out, "cap-add", s->cap_add);
	if (r == 0)
		r = put_caps(out, "cap-drop", s->cap_drop);
	for (size_t i = 0; r == 0 && i < s->devices.len; i++)
		r = put(out, "device", kt_array_ptr(&s->devices, i));
	for (unsigned i = 0; r == 0 && i < GUEST_RLIMIT_COUNT; i++) {
		char v[96], lim[2][24];

		if (!(s->rlimits.set & 1u << i))
			continue;
		for (int k = 0; k < 2; k++) {
			uint64_t x = k ? s->rlimits.hard[i] : s->rlimits.soft[i];

			if (x == GUEST_RLIM_INFINITY)
				snprintf(lim[k], sizeof(lim[k]), "unlimited");
			else
				snprintf(lim[k], sizeof(lim[k]), "%llu", (unsigned long long)x);
		}
		snprintf(v, sizeof(v), "%s %s %s", guest_rlimit_name(i), lim[0], lim[1]);
		r = put(out, "rlimit", v);
	}
	if (r == 0 && s->seccomp.len && !s->privileged)
		r = put_seccomp(out, &s->seccomp);
	/* The init refuses (and powers off) past its buffer: say it here. */
	if (r == 0 && out->len - start >= INITRAMFS_SPEC_MAX_BYTES)
		r = -E2BIG;
	return r;
}

int initramfs_spec_format_addition(const struct initramfs_spec *s,
				   struct kt_str *out)
{
	size_t start = out->len;
	char num[32];
	int r = s->smoke.len > INITRAMFS_SPEC_MAX_SMOKE ? -E2BIG :
		kt_str_puts(out, GUEST_SPEC_MAGIC "\n");

	for (size_t i = 0; r == 0 && i < s->smoke.len; i++)
		r = put(out, "smoke-arg", kt_array_ptr(&s->smoke, i));
	if (r == 0 && s->smoke_timeout_s) {
		snprintf(num, sizeof(num), "%u", s->smoke_timeout_s);
		r = put(out, "smoke-timeout", num);
	}
	if (r == 0 && s->certify_hold)
		r = put(out, "certify-hold", NULL);
	/* The init refuses (and powers off) past its buffer: say it here. */
	if (r == 0 && out->len - start >= INITRAMFS_SPEC_ADD_MAX)
		r = -E2BIG;
	return r;
}

int initramfs_spec_set_restart(struct initramfs_spec *s, const char *policy,
			       struct kt_str *err)
{
	uint32_t n = 0;

	if (!strcmp(policy, "no") || !strcmp(policy, "always")) {
		s->restart = policy[0] == 'n' ? INITRAMFS_RESTART_NO :
			     INITRAMFS_RESTART_ALWAYS;
		s->restart_max = 0;
		return 0;
	}
	if (strncmp(policy, "on-failure", 10) ||
	    (policy[10] && (policy[10] != ':' ||
			    opt_uint("restart", policy + 11, INITRAMFS_SPEC_MAX_COUNT, 1,
				     &n, err) < 0)))
		return ar_fail(err, -EINVAL, "restart: '%s' is not no, always or "
			       "on-failure[:N]", policy);
	s->restart = INITRAMFS_RESTART_ON_FAILURE;
	s->restart_max = n;
	return 0;
}

/* ---- options by name (the CLI's --env, --user, ...) ----------------------- */

static int opt_uint(const char *key, const char *value, unsigned long max,
		    unsigned long min, uint32_t *out, struct kt_str *err)
{
	unsigned long v;

	if (kt_parse_ulong(value, max, &v) < 0 || v < min)
		return ar_fail(err, -EINVAL, "%s: '%s' is not a number from %lu to %lu",
			       key, value, min, max);
	*out = (uint32_t)v;
	return 0;
}

/* "A=B" split at the first @sep into two non-empty halves (B may be empty when @b_empty). */
static const char *opt_split(const char *value, char sep, bool b_empty, size_t *alen)
{
	const char *at = strchr(value, sep);

	if (!at || at == value || (!b_empty && !at[1]))
		return NULL;
	*alen = (size_t)(at - value);
	return at + 1;
}

int initramfs_spec_set_option(struct initramfs_spec *s, const char *key,
			      const char *value, struct kt_str *err)
{
	const char *rest;
	size_t alen;
	uint32_t n = 0;
	int r;

	if (!strcmp(key, "cmd"))
		return initramfs_spec_set_cmd(s, value, err);
	/* The init refuses an empty value (only arguments may be empty). */
	if (strcmp(key, "readonly") && strcmp(key, "dhcp") && strcmp(key, "smoke") &&
	    strcmp(key, "privileged") && (!value || !*value))
		return ar_fail(err, -EINVAL, "%s: needs a value", key);
	if (!strcmp(key, "smoke")) {
		/* The shell-like splitter fills args; move them over. */
		struct initramfs_spec tmp;

		initramfs_spec_init(&tmp);
		r = initramfs_spec_set_cmd(&tmp, value, err);
		if (r == 0) {
			kt_array_free_ptrs(&s->smoke);
			s->smoke = tmp.args;
			kt_array_init(&tmp.args, sizeof(char *));
		}
		initramfs_spec_release(&tmp);
		return r;
	}
	if (!strcmp(key, "env")) {
		if (!opt_split(value, '=', true, &alen))
			return ar_fail(err, -EINVAL, "env: '%s' is not NAME=VALUE", value);
		return kt_array_push_strdup(&s->env, value);
	}
	if (!strcmp(key, "cwd"))
		return kt_strdup_replace(&s->cwd, value);
	if (!strcmp(key, "hostname"))
		return kt_strdup_replace(&s->hostname, value);
	if (!strcmp(key, "user")) {
		char uid[16];

		rest = strchr(value, ':');
		alen = rest ? (size_t)(rest - value) : strlen(value);
		snprintf(uid, sizeof(uid), "%.*s", (int)alen, value);
		/* a name anywhere: the guest looks it up in the container's passwd */
		if (strspn(value, "0123456789:") != strlen(value)) {
			if (!guest_user_name_ok(value))
				return ar_fail(err, -EINVAL, "user: '%s' is not USER[:GROUP]", value);
			s->uid = s->gid = 0;
			return kt_strdup_replace(&s->user_name, value);
		}
		free(s->user_name);
		s->user_name = NULL;
		if (alen >= sizeof(uid) ||
		    opt_uint("user", uid, 0xfffffffe, 0, &s->uid, err) < 0 ||
		    opt_uint("user", rest ? rest + 1 : uid, 0xfffffffe, 0, &s->gid, err) < 0)
			return ar_fail(err, -EINVAL, " (UID[:GID] expected)");
		return 0;
	}
	if (!strcmp(key, "namespaces"))
		return initramfs_spec_parse_namespaces(value, &s->namespaces, err);
	if (!strcmp(key, "cgroup") || !strcmp(key, "root-dev")) {
		bool cg = key[1] == 'g';
		char first[256];

		rest = opt_split(value, cg ? '=' : ':', false, &alen);
		if (!rest || alen >= sizeof(first))
			return ar_fail(err, -EINVAL, "%s: '%s' is not %s", key, value,
				       cg ? "FILE=VALUE, e.g. memory.max=64M" : "DEVICE:FSTYPE");
		snprintf(first, sizeof(first), "%.*s", (int)alen, value);
		/*
		 * The init splits "cgroup FILE VALUE" and "rootfs-dev FSTYPE
		 * DEVICE" at the first space and wants a file in the cgroup
		 * directory and a device path.
		 */
		if (cg && strpbrk(first, " /"))
			return ar_fail(err, -EINVAL, "cgroup: '%s' is not a file name of the "
				       "cgroup directory", first);
		if (!cg && (first[0] != '/' || strpbrk(first, " \t\n") ||
			    strpbrk(rest, " \t\n")))
			return ar_fail(err, -EINVAL, "root-dev: '%s' is not DEVICE:FSTYPE with a "
				       "device path and no spaces", value);
		if (cg)
			return initramfs_spec_add_cgroup(s, first, rest);
		r = kt_strdup_replace(&s->rootfs, first);
		return r ? r : kt_strdup_replace(&s->rootfs_type, rest);
	}
	if (!strcmp(key, "readonly")) {
		s->readonly = true;
		return 0;
	}
	if (!strcmp(key, "privileged")) {
		s->privileged = true;
		return 0;
	}
	if (!strcmp(key, "cap-add") || !strcmp(key, "cap-drop"))
		return initramfs_spec_parse_caps(value, key[4] == 'a' ? &s->cap_add : &s->cap_drop,
						 err);
	if (!strcmp(key, "rlimit")) {
		char name[32];

		rest = opt_split(value, '=', false, &alen);
		if (!rest || alen >= sizeof(name))
			return ar_fail(err, -EINVAL, "rlimit: '%s' is not NAME=SOFT[:HARD]", value);
		snprintf(name, sizeof(name), "%.*s", (int)alen, value);
		return initramfs_rlimit_set(&s->rlimits, name, rest, err);
	}
	if (!strcmp(key, "device")) {
		if (!guest_device_path_ok(value))
			return ar_fail(err, -EINVAL, "device: '%s' is not a path under /dev/ "
				       "(no '.', '..' or empty parts)", value);
		return kt_array_push_strdup(&s->devices, value);
	}
	if (!strcmp(key, "ready-stdout")) {
		s->ready = INITRAMFS_READY_STDOUT;
		return kt_strdup_replace(&s->ready_pattern, value);
	}
	if (!strcmp(key, "ready-tcp")) {
		r = opt_uint(key, value, 65535, 1, &n, err);
		if (r == 0) {
			s->ready = INITRAMFS_READY_TCP;
			s->ready_port = (uint16_t)n;
		}
		return r;
	}
	if (!strcmp(key, "restart"))
		return initramfs_spec_set_restart(s, value, err);
	if (!strcmp(key, "ipv4") || !strcmp(key, "ipv6") || !strcmp(key, "dhcp"))
		return initramfs_net_set(&s->net, key, value, err);
	/* The guest parser's limit, so a spec the host writes always parses. */
	if (!strcmp(key, "timeout"))
		return opt_uint(key, value, INITRAMFS_SPEC_MAX_COUNT, 0, &s->timeout_s, err);
	if (!strcmp(key, "stop-grace"))
		return opt_uint(key, value, INITRAMFS_SPEC_MAX_COUNT, 0, &s->stop_grace_s, err);
	if (!strcmp(key, "ready-timeout"))
		return opt_uint(key, value, INITRAMFS_SPEC_MAX_COUNT, 0, &s->ready_timeout_s, err);
	if (!strcmp(key, "smoke-timeout"))
		return opt_uint(key, value, INITRAMFS_SPEC_MAX_COUNT, 0, &s->smoke_timeout_s,
				err);
	return ar_fail(err, -ENOENT, "no spec option '%s'", key);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scan the C sources the build descends into for the definitions a
 * profile's facts name:
 *
 *   SYSCALL_DEFINEn(name, ...) / COMPAT_SYSCALL_DEFINEn(name, ...)
 *   struct file_system_type x = { .name = "ext4", ... }
 *   struct net_proto_family x = { .family = PF_INET6, ... }
 *   struct proc_ns_operations x = { .name = "net", ... }
 *   struct cgroup_subsys x = { .legacy_name = "blkio", ... }
 *   struct miscdevice x = { .name = "tun", .nodename = "net/tun", ... }
 *   register_sysctl_init("kernel", ...), register_net_sysctl(net, "net/ipv4", ...)
 *   MODULE_ALIAS("ipt_REDIRECT"), MODULE_ALIAS_FS("overlay"), ... (scan-alias.c)
 *   subsys_initcall(fn), module_init(fn), module_pci_driver(x) (x_init), ...
 *
 * Each definition needs its file's Makefile chain plus the CONFIG_ symbols
 * of the enclosing positive #if/#ifdef blocks (net_namespace.c is always
 * built with NET, but netns_operations only exists with NET_NS).
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kconfig-trim/trim-internal.h"

struct pp_level {
	struct kconf_chain c;
	bool dead;	/* #if 0 */
};

struct src_ctx {
	struct kconf_featmap *m;
	const char *rel;
	const struct kconf_chain *file_chain;
	struct pp_level stack[48];
	size_t depth;
	int line;		/* of the line or directive at hand */
	struct kt_str where;	/* "rel:line", made when something is recorded */
	const struct kconf_makefiles *kb;
	struct kconf_modalias *alias;
	bool aliases;	/* the file has MODULE_ALIAS lines */
	struct kt_str modname;
};

/* Struct initialisers worth reading, and the field that names them. */
static const struct {
	const char *type;
	const char *field;
	enum kconf_feat_kind kind;
} initialisers[] = {
	{ "file_system_type", "name", KCONF_FEAT_FILESYSTEM },
	{ "net_proto_family", "family", KCONF_FEAT_SOCKET },
	{ "proc_ns_operations", "name", KCONF_FEAT_NAMESPACE },
	{ "cgroup_subsys", "legacy_name", KCONF_FEAT_CGROUP },
	/* Both: the node is /dev/NODENAME when there is one, else /dev/NAME. */
	{ "miscdevice", "nodename", KCONF_FEAT_DEVICE },
	{ "miscdevice", "name", KCONF_FEAT_DEVICE },
};

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* "rel:line" for what is being recorded; NULL when out of memory. */
static const char *src_where(struct src_ctx *s)
{
	kt_str_reset(&s->where);
	kt_str_printf(&s->where, "%s:%d", s->rel, s->line);
	return kt_str_error(&s->where) ? NULL : s->where.buf;
}

/*
 * A positive #if: a conjunction of CONFIG_ tests and nothing that could
 * negate or widen it. Anything else constrains nothing.
 */
static int pp_if(struct src_ctx *s, const char *expr, size_t n, bool *dead,
		 struct kconf_chain *out)
{
	const char *p = skip_ws(expr, expr + n);
	const char *where;

	out->n = 0;
	out->v = NULL;
	*dead = (size_t)(expr + n - p) >= 1 && p[0] == '0' &&
		(p + 1 == expr + n || !kconf_is_ident_char((unsigned char)p[1]));
	if (*dead)
		return 0;
	if (memchr(expr, '!', n) || memmem(expr, n, "||", 2) ||
	    memchr(expr, '<', n) || memchr(expr, '>', n) || memchr(expr, '=', n) ||
	    !memmem(expr, n, "CONFIG_", 7))
		return 0;
	where = src_where(s);
	where = where ? kconf_featmap_intern(s->m, where) : NULL;
	return where ? kconf_chain_add_config_refs(s->m, out, expr, n, where) : -ENOMEM;
}

static void pp_pop(struct src_ctx *s)
{
	if (!s->depth)
		return;
	s->depth--;
	if (s->depth < KT_ARRAY_SIZE(s->stack))
		kconf_chain_release(&s->stack[s->depth].c);
}

static bool pp_dead(const struct src_ctx *s)
{
	for (size_t i = 0; i < s->depth && i < KT_ARRAY_SIZE(s->stack); i++) {
		if (s->stack[i].dead)
			return true;
	}
	return false;
}

static int pp_directive(struct src_ctx *s, const char *p, const char *end)
{
	const char *word = skip_ws(p + 1, end);
	size_t wl = 0;
	struct pp_level lv = { 0 };
	int r = 0;

	while (word + wl < end && kconf_is_ident_char((unsigned char)word[wl]))
		wl++;
#define IS(w) (wl == sizeof(w) - 1 && memcmp(word, w, wl) == 0)
	if (IS("ifdef")) {
		r = pp_if(s, word + wl, (size_t)(end - word - wl), &lv.dead, &lv.c);
	} else if (IS("if")) {
		r = pp_if(s, word + wl, (size_t)(end - word - wl), &lv.dead, &lv.c);
	} else if (IS("ifndef")) {
		/* a negation */
	} else if (IS("elif") || IS("else")) {
		if (s->depth && s->depth <= KT_ARRAY_SIZE(s->stack)) {
			struct pp_level *top = &s->stack[s->depth - 1];

			kconf_chain_release(&top->c);
			top->dead = false;
			if (IS("elif"))
				r = pp_if(s, word + wl, (size_t)(end - word - wl),
					  &top->dead, &top->c);
		}
		return r;
	} else if (IS("endif")) {
		pp_pop(s);
		return 0;
	} else {
		return 0;
	}
#undef IS
	if (r < 0)
		return r;
	if (s->depth < KT_ARRAY_SIZE(s->stack))
		s->stack[s->depth] = lv;
	else
		kconf_chain_release(&lv.c);
	s->depth++;
	return 0;
}

static int record(struct src_ctx *s, enum kconf_feat_kind kind, const char *name)
{
	struct kconf_chain ch = { 0 };
	const char *where = src_where(s);
	int r;

	if (!where)
		return -ENOMEM;
	r = kconf_chain_copy(&ch, s->file_chain);
	for (size_t i = 0; r == 0 && i < s->depth && i < KT_ARRAY_SIZE(s->stack); i++) {
		for (size_t j = 0; r == 0 && j < s->stack[i].c.n; j++)
			r = kconf_chain_push(&ch, s->stack[i].c.v[j].sym,
					     s->stack[i].c.v[j].where);
	}
	if (r == 0)
		r = kconf_featmap_add(s->m, kind, name, where, &ch);
	kconf_chain_release(&ch);
	return r;
}

/* SYSCALL_DEFINEn(name, ...) at the start of a line. */
static int try_syscall(struct src_ctx *s, const char *p, const char *end)
{
	bool compat = false;
	const char *q;
	char name[128];
	size_t n;

	if ((size_t)(end - p) > 7 && memcmp(p, "COMPAT_", 7) == 0) {
		compat = true;
		p += 7;
	}
	if ((size_t)(end - p) < 17 || memcmp(p, "SYSCALL_DEFINE", 14) != 0)
		return 0;
	p += 14;
	if (*p < '0' || *p > '6' || p[1] != '(')
		return 0;
	p += 2;
	q = p;
	while (q < end && kconf_is_ident_char((unsigned char)*q))
		q++;
	n = (size_t)(q - p);
	if (!n || n + 8 >= sizeof(name))
		return 0;
	snprintf(name, sizeof(name), "%s%.*s", compat ? "compat_" : "", (int)n, p);
	return record(s, KCONF_FEAT_SYSCALL, name);
}

/*
 * `struct TYPE ident [attrs] = {`: find the field's value inside the
 * braces (which may span lines) and record it.
 */
static int try_initialiser(struct src_ctx *s, const char *line, const char *lend,
			   const char *fend)
{
	for (size_t t = 0; t < KT_ARRAY_SIZE(initialisers); t++) {
		const char *type = initialisers[t].type;
		size_t tl = strlen(type);
		const char *p = line, *brace, *q;
		int depth = 0, r;
		char value[128];

		while ((p = memmem(p, (size_t)(lend - p), "struct ", 7))) {
			const char *tp = skip_ws(p + 7, lend);

			if ((size_t)(lend - tp) > tl && memcmp(tp, type, tl) == 0 &&
			    !kconf_is_ident_char((unsigned char)tp[tl])) {
				p = tp + tl;
				break;
			}
			p += 7;
		}
		if (!p)
			continue;
		/* declarator up to '=' must be plain identifiers/attributes */
		for (q = p; q < lend && *q != '='; q++) {
			if (*q == '(' || *q == ';' || *q == '*' || *q == ',' || *q == ')')
				break;
		}
		if (q >= lend || *q != '=')
			continue;
		brace = q + 1;
		while (brace < fend && (*brace == ' ' || *brace == '\t' || *brace == '\n'))
			brace++;
		if (brace >= fend || *brace != '{')
			continue;
		for (q = brace; q < fend; q++) {
			if (*q == '{') {
				depth++;
			} else if (*q == '}') {
				if (--depth == 0)
					break;
			} else if (*q == '.' && depth == 1 &&
				   strncmp(q + 1, initialisers[t].field,
					   strlen(initialisers[t].field)) == 0) {
				const char *v = q + 1 + strlen(initialisers[t].field);
				size_t n = 0;

				if (kconf_is_ident_char((unsigned char)*v))
					continue;
				while (v < fend && (*v == ' ' || *v == '\t'))
					v++;
				if (*v != '=')
					continue;
				v++;
				while (v < fend && (*v == ' ' || *v == '\t'))
					v++;
				if (*v == '"') {
					v++;
					while (v + n < fend && v[n] != '"' && n + 1 < sizeof(value))
						n++;
				} else {
					while (v + n < fend && kconf_is_ident_char((unsigned char)v[n]) &&
					       n + 1 < sizeof(value))
						n++;
				}
				if (!n)
					break;
				memcpy(value, v, n);
				value[n] = '\0';
				r = record(s, initialisers[t].kind, value);
				if (r < 0)
					return r;
				break;
			}
		}
	}
	return 0;
}

/*
 * A sysctl directory registered with a literal path on this line:
 * register_sysctl*("fs/mqueue", ...), register_net_sysctl*(net,
 * "net/ipv4", ...). Recorded with dots, as the profile names sysctls.
 */
static int try_sysctl(struct src_ctx *s, const char *p, const char *end)
{
	const char *call = NULL, *q, *open;
	char value[128];
	size_t n = 0;

	for (q = p; (q = memmem(q, (size_t)(end - q), "register_", 9)); q += 9) {
		if ((q == p || !kconf_is_ident_char((unsigned char)q[-1])) &&
		    ((size_t)(end - q) > 15 && (memcmp(q + 9, "sysctl", 6) == 0 ||
		     ((size_t)(end - q) > 19 && memcmp(q + 9, "net_sysctl", 10) == 0)))) {
			call = q;
			break;
		}
	}
	if (!call)
		return 0;
	for (q = call + 9; q < end && kconf_is_ident_char((unsigned char)*q);)
		q++;
	if (q >= end || *q != '(')
		return 0;
	open = q;
	q = memchr(open, '"', (size_t)(end - open));
	if (!q || memchr(open, ')', (size_t)(q - open)) || memchr(open, ';', (size_t)(q - open)))
		return 0;
	for (q++; q + n < end && q[n] != '"' && n + 1 < sizeof(value); n++)
		value[n] = q[n] == '/' ? '.' : q[n];
	if (!n || q + n >= end || q[n] != '"')
		return 0;
	value[n] = '\0';
	return record(s, KCONF_FEAT_SYSCTL, value);
}

/* The initcall levels of include/linux/init.h, each also as LEVEL_sync. */
static const char *const initcall_levels[] = {
	"early", "pure", "core", "postcore", "arch", "subsys", "fs", "rootfs", "device", "late",
};

/*
 * An initcall registration at the start of a line: `LEVEL_initcall(fn)`,
 * `LEVEL_initcall_sync(fn)`, `__initcall(fn)` and `module_init(fn)` run fn;
 * `module_driver(x, ...)`, `module_BUS_driver(x)` and `builtin_BUS_driver(x)`
 * run the x_init they define (include/linux/device/driver.h).
 */
static int try_initcall(struct src_ctx *s, const char *p, const char *end)
{
	const char *open = memchr(p, '(', (size_t)(end - p)), *q;
	bool driver = false;
	char name[128];
	size_t n, head;

	if (!open)
		return 0;
	head = (size_t)(open - p);
	if ((head == 11 && memcmp(p, "module_init", 11) == 0) ||
	    (head == 10 && memcmp(p, "__initcall", 10) == 0)) {
		/* runs fn */
	} else if ((head > 14 && memcmp(p, "module_", 7) == 0 &&
		    memcmp(open - 7, "_driver", 7) == 0) ||
		   (head > 15 && memcmp(p, "builtin_", 8) == 0 &&
		    memcmp(open - 7, "_driver", 7) == 0) ||
		   (head == 13 && memcmp(p, "module_driver", 13) == 0)) {
		driver = true;
	} else {
		size_t i;

		for (i = 0; i < KT_ARRAY_SIZE(initcall_levels); i++) {
			size_t l = strlen(initcall_levels[i]);

			if (head > l && memcmp(p, initcall_levels[i], l) == 0 &&
			    ((head == l + 9 && memcmp(p + l, "_initcall", 9) == 0) ||
			     (head == l + 14 && memcmp(p + l, "_initcall_sync", 14) == 0)))
				break;
		}
		if (i == KT_ARRAY_SIZE(initcall_levels))
			return 0;
	}
	for (q = p; q < open; q++) {
		if (!kconf_is_ident_char((unsigned char)*q))
			return 0;	/* a call or declaration, not the macro */
	}
	p = skip_ws(open + 1, end);
	for (q = p; q < end && kconf_is_ident_char((unsigned char)*q);)
		q++;
	n = (size_t)(q - p);
	q = skip_ws(q, end);
	if (!n || q >= end || (*q != ')' && *q != ',') || n + 6 >= sizeof(name))
		return 0;
	snprintf(name, sizeof(name), "%.*s%s", (int)n, p, driver ? "_init" : "");
	return record(s, KCONF_FEAT_INITCALL, name);
}

static int emit_alias(void *ctx, const char *alias)
{
	return record(ctx, KCONF_FEAT_MODALIAS, alias);
}

static bool is_alias_line(const char *t, const char *lend)
{
	return lend - t > 12 && memcmp(t, "MODULE_ALIAS", 12) == 0;
}

static int scan_file(struct src_ctx *s, const char *path)
{
	struct kt_str logical = KT_STR_INIT;
	bool syscalls, structs, initcalls, sysctls;
	char *buf = NULL;
	size_t len;
	int line = 0;
	int r;

	/* a FIFO or device in a hostile tree: an error, not a hang */
	r = kt_read_regular_file(path, 0, &buf, &len);
	if (r == -EINVAL)
		kt_err("%s: not a regular file", path);
	if (r < 0)
		return r;
	syscalls = memmem(buf, len, "SYSCALL_DEFINE", 14);
	structs = memmem(buf, len, "file_system_type", 16) ||
		  memmem(buf, len, "net_proto_family", 16) ||
		  memmem(buf, len, "proc_ns_operations", 18) ||
		  memmem(buf, len, "cgroup_subsys ", 14) ||
		  memmem(buf, len, "miscdevice", 10);
	sysctls = memmem(buf, len, "register_", 9) && memmem(buf, len, "sysctl", 6);
	s->aliases = memmem(buf, len, "MODULE_ALIAS", 12);
	initcalls = memmem(buf, len, "initcall", 8) || memmem(buf, len, "module_init", 11) ||
		    memmem(buf, len, "_driver(", 8);
	if (!syscalls && !structs && !s->aliases && !initcalls && !sysctls)
		goto out;
	if (s->aliases) {
		r = kconf_makefiles_modname(s->kb, s->rel, &s->modname);
		if (r == 0)
			r = kconf_modalias_begin_file(s->alias, s->rel,
						      kt_str_cstr(&s->modname));
		if (r < 0)
			goto out;
	}
	s->depth = 0;
	for (const char *p = buf, *end = buf + len; p < end && r == 0;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *lend = nl ? nl : end;
		const char *t = skip_ws(p, lend);

		line++;
		if (t < lend && *t == '#') {
			/* directives may continue over several lines */
			s->line = line;
			kt_str_reset(&logical);
			while (lend > p && lend[-1] == '\\' && lend < end) {
				kt_str_append(&logical, t, (size_t)(lend - 1 - t));
				p = lend + 1;
				t = p;
				nl = memchr(p, '\n', (size_t)(end - p));
				lend = nl ? nl : end;
				line++;
			}
			kt_str_append(&logical, t, (size_t)(lend - t));
			r = pp_directive(s, kt_str_cstr(&logical),
					 kt_str_cstr(&logical) + logical.len);
			if (r == 0 && s->aliases && !pp_dead(s))
				r = kconf_modalias_directive(s->alias, kt_str_cstr(&logical),
							     logical.len);
		} else if (t < lend && !pp_dead(s)) {
			s->line = line;
			if (syscalls && (*t == 'S' || *t == 'C'))
				r = try_syscall(s, t, lend);
			if (r == 0 && structs && memmem(t, (size_t)(lend - t), "struct ", 7))
				r = try_initialiser(s, t, lend, end);
			if (r == 0 && initcalls && t == p &&
			    (*t == '_' || (*t >= 'a' && *t <= 'z')))
				r = try_initcall(s, t, lend);
			if (r == 0 && sysctls)
				r = try_sysctl(s, t, lend);
			if (r == 0 && s->aliases && is_alias_line(t, lend))
				r = kconf_modalias_expand(s->alias, t, end, emit_alias, s);
		}
		p = nl ? nl + 1 : end;
	}
	while (s->depth)
		pp_pop(s);
out:
	kt_str_free(&logical);
	free(buf);
	return r;
}

static int c_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 2 && strcmp(d->d_name + n - 2, ".c") == 0;
}

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int kconf_srcscan_tree(struct kconf_featmap *m, const char *ksrc,
		       struct kconf_makefiles *kb)
{
	struct src_ctx s = { .m = m, .kb = kb };
	struct kt_str path = KT_STR_INIT, rel = KT_STR_INIT;
	struct kt_map_iter it;
	int r;

	r = kconf_modalias_new(ksrc, kconf_featmap_srcarch(m), &s.alias);
	kt_map_iter_init(&it, kb->dirs);
	while (r == 0 && kt_map_iter_next(&it)) {
		struct dirent **ents = NULL;
		int n;

		kt_str_reset(&path);
		r = kt_str_printf(&path, "%s/%s", ksrc, it.key);
		if (r < 0)
			break;
		n = scandir(kt_str_cstr(&path), &ents, c_filter, name_cmp);
		for (int i = 0; i < n; i++) {
			if (r == 0) {
				kt_str_reset(&rel);
				kt_str_printf(&rel, "%s%s", it.key, ents[i]->d_name);
				kt_str_reset(&path);
				kt_str_printf(&path, "%s/%s", ksrc, kt_str_cstr(&rel));
				/* both are looked up and opened below */
				r = kt_str_error(&rel);
				if (r == 0)
					r = kt_str_error(&path);
				s.rel = kt_str_cstr(&rel);
				s.file_chain = r ? NULL : kconf_makefiles_file_chain(kb, s.rel);
				if (s.file_chain)
					r = scan_file(&s, kt_str_cstr(&path));
				if (r == -ENOENT || r == -EACCES)
					r = 0;	/* dangling symlinks in odd trees */
			}
			free(ents[i]);
		}
		free(ents);
	}
	if (r == 0)
		r = kconf_modalias_stamps(s.alias, &kb->stamps);
	kconf_modalias_free(s.alias);
	kt_str_free(&s.modname);
	kt_str_free(&path);
	kt_str_free(&rel);
	kt_str_free(&s.where);
	return r;
}

/* cgroup_subsys.h: SUBSYS(name) lines under #if IS_ENABLED(CONFIG_X). */
int kconf_hdrscan_cgroups(struct kconf_featmap *m, const char *ksrc,
			  const struct kconf_makefiles *kb)
{
	static const char hdr[] = "include/linux/cgroup_subsys.h";
	struct src_ctx s = { .m = m, .rel = hdr };
	struct kt_str path = KT_STR_INIT;
	char *buf = NULL;
	size_t len;
	int line = 0, r;

	/* The list is compiled into the cgroup core; its chain applies. */
	s.file_chain = kconf_makefiles_file_chain(kb, "kernel/cgroup/cgroup.c");
	r = kt_str_printf(&path, "%s/%s", ksrc, hdr);
	if (r == 0)
		r = kt_read_regular_file(kt_str_cstr(&path), 0, &buf, &len);
	/* a missing header only costs the map; no memory is an error */
	if (r == -ENOMEM)
		goto out;
	if (r < 0) {
		kt_warn("%s: %s; no cgroup controller map", kt_str_cstr(&path),
			strerror(-r));
		r = 0;
		goto out;
	}
	for (char *p = buf, *end = buf + len; p < end && r == 0;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *lend = nl ? nl : end;
		const char *t = skip_ws(p, lend);

		line++;
		s.line = line;
		if (*t == '#') {
			r = pp_directive(&s, t, lend);
		} else if (strncmp(t, "SUBSYS(", 7) == 0 && !pp_dead(&s)) {
			const char *q = t + 7;
			char name[64];
			size_t n = 0;

			while (q + n < lend && kconf_is_ident_char((unsigned char)q[n]) &&
			       n + 1 < sizeof(name))
				n++;
			memcpy(name, q, n);
			name[n] = '\0';
			if (n)
				r = record(&s, KCONF_FEAT_CGROUP, name);
		}
		p = nl ? nl + 1 : end;
	}
	while (s.depth)
		pp_pop(&s);
out:
	free(buf);
	kt_str_free(&path);
	kt_str_free(&s.where);
	return r;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * A kernel tree's native system call table for one architecture: number,
 * user space's name, the kernel's entry point. The one reader of it, for
 * the seccomp compiler (numbers by name) and the trim report's attack
 * surface (entry points built). Three layouts:
 *
 *  - x86_64, every version: arch/x86/entry/syscalls/syscall_64.tbl,
 *    "NR ABI NAME [ENTRY [COMPAT]]", ABIs common and 64 (x32 is not native);
 *  - arm64 from 6.11: the generic scripts/syscall.tbl in the same format,
 *    ABIs common, 64 and those arch/arm64/kernel/Makefile.syscalls adds to
 *    syscall_abis_64 (renameat rlimit memfd_secret);
 *  - arm64 before (6.1): include/uapi/asm-generic/unistd.h, its
 *    "#define __NR_name N" lines and __SYSCALL(__NR_name, sys_entry) (or
 *    __SC_COMP / __SC_3264 / __SC_COMP_3264, whose 64-bit native entry is
 *    taken) under #if conditions on the __ARCH_WANT_ macros that
 *    arch/arm64/include/uapi/asm/unistd.h defines, evaluated here for a
 *    64-bit, non-compat build; "#define __NR_fstat __NR3264_fstat" names
 *    the 64-bit calls.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kconfig-trim/kconfig.h"

/* A syscall table is some 30 KB; far more is not one. */
#define TABLE_MAX (4u << 20)
/* Above any architecture's numbers (x86_64's x32 calls start at 512). */
#define NR_LIMIT 4096
#define NAME_MAX_LEN 64
/* #if nesting in unistd.h is 2 deep. */
#define DEPTH_MAX 16

static int fail(struct kt_str *err, int r, const char *fmt, ...) KT_PRINTF(3, 4);
static int fail(struct kt_str *err, int r, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		kt_str_vprintf(err, fmt, ap);
		va_end(ap);
	}
	return r;
}

void kconf_syscalls_free(struct kt_array *list)
{
	for (size_t i = 0; i < list->len; i++) {
		struct kconf_syscall *s = kt_array_at(list, i);

		free(s->name);
		free(s->entry);
	}
	kt_array_free(list);
}

static int push(struct kt_array *out, unsigned long nr, const char *name, size_t nlen,
		const char *entry, size_t elen)
{
	struct kconf_syscall s = { (unsigned)nr, strndup(name, nlen),
				   entry ? strndup(entry, elen) : NULL };

	if (!s.name || (entry && !s.entry) || !kt_array_push(out, &s)) {
		free(s.name);
		free(s.entry);
		return -ENOMEM;
	}
	return 0;
}

static int nr_cmp(const void *a, const void *b)
{
	const struct kconf_syscall *x = a, *y = b;

	return x->nr < y->nr ? -1 : x->nr > y->nr;
}

/* Each number once: a table that lists one twice is not a table of one ABI set. */
static int check_unique(const struct kt_array *out, const char *path, struct kt_str *err)
{
	for (size_t i = 1; i < out->len; i++) {
		const struct kconf_syscall *a = kt_array_at(out, i - 1), *b = kt_array_at(out, i);

		if (a->nr == b->nr)
			return fail(err, -EINVAL, "%s: syscall number %u listed twice (%s, %s)",
				    path, a->nr, a->name, b->name);
	}
	return 0;
}

/* Splits @line at blanks into at most @max fields; returns how many. */
static int fields(char *line, char **f, int max)
{
	int n = 0;

	line[strcspn(line, "#")] = '\0';
	for (char *p = line; *p && n < max;) {
		p += strspn(p, " \t");
		if (!*p)
			break;
		f[n++] = p;
		p += strcspn(p, " \t");
		if (*p)
			*p++ = '\0';
	}
	return n;
}

static bool in_list(const char *s, const char *const *list)
{
	for (; list && *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

int kconf_syscalls_read_tbl(const char *path, const char *const *abis, struct kt_array *out,
			    struct kt_str *err)
{
	char *text = NULL, *line, *next;
	unsigned lineno = 0;
	size_t len;
	int r = kt_read_regular_file(path, TABLE_MAX, &text, &len);

	kt_array_init(out, sizeof(struct kconf_syscall));
	if (r < 0)
		return fail(err, r, "%s: %s", path, strerror(-r));
	if (memchr(text, '\0', len))
		r = fail(err, -EINVAL, "%s: a NUL byte: not a syscall table", path);
	for (line = text; r == 0 && line && *line; line = next) {
		char *f[4];
		unsigned long nr;
		int n;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		n = fields(line, f, 4);
		if (n == 0)
			continue;
		if (n < 3 || kt_parse_ulong(f[0], NR_LIMIT - 1, &nr) < 0 || strlen(f[2]) >= NAME_MAX_LEN)
			r = fail(err, -EINVAL, "%s:%u: not 'NUMBER ABI NAME' with a number below %d",
				 path, lineno, NR_LIMIT);
		else if (!in_list(f[1], abis))
			continue;
		else if (kconf_syscalls_name(out, (unsigned)nr))
			r = fail(err, -EINVAL, "%s:%u: syscall number %lu listed twice", path,
				 lineno, nr);
		else
			r = push(out, nr, f[2], strlen(f[2]), n > 3 ? f[3] : NULL,
				 n > 3 ? strlen(f[3]) : 0);
	}
	free(text);
	if (r == 0)
		kt_array_sort(out, nr_cmp);
	if (r < 0)
		kconf_syscalls_free(out);
	return r;
}

/* ---- asm-generic/unistd.h ------------------------------------------------ */

/* A macro the header defines: __NR_x / __NR3264_x to a number or another macro. */
struct nr_def {
	char *name;
	char *value;
	char *entry;	/* from its __SYSCALL line */
};

struct unistd {
	const char *path;
	unsigned lineno;
	struct kt_array defs;	/* struct nr_def */
	struct kt_array wants;	/* char *: __ARCH_WANT_ macros defined */
	struct kt_str *err;
};

static struct nr_def *def_find(struct unistd *u, const char *name, size_t len)
{
	for (size_t i = 0; i < u->defs.len; i++) {
		struct nr_def *d = kt_array_at(&u->defs, i);

		if (strlen(d->name) == len && !strncmp(d->name, name, len))
			return d;
	}
	return NULL;
}

static void def_drop(struct unistd *u, const char *name, size_t len)
{
	struct nr_def *d = def_find(u, name, len);

	if (!d)
		return;
	free(d->name);
	free(d->value);
	free(d->entry);
	*d = *(struct nr_def *)kt_array_at(&u->defs, u->defs.len - 1);
	u->defs.len--;
}

static bool is_defined(struct unistd *u, const char *name, size_t len)
{
	for (size_t i = 0; i < u->wants.len; i++) {
		const char *w = kt_array_ptr(&u->wants, i);

		if (strlen(w) == len && !strncmp(w, name, len))
			return true;
	}
	return def_find(u, name, len) != NULL;
}

static const char *skip_blank(const char *p)
{
	return p + strspn(p, " \t");
}

static size_t ident_len(const char *p)
{
	size_t n = 0;

	while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z') ||
	       (p[n] >= '0' && p[n] <= '9') || p[n] == '_')
		n++;
	return n;
}

/*
 * One term of an #if: [!]defined(X), [!]defined X, __BITS_PER_LONG ==|!= N,
 * for a 64-bit build; 0/1, or -1 for anything else.
 */
static int eval_term(struct unistd *u, const char *p, const char *end)
{
	bool neg = false;
	size_t n;
	int v;

	p = skip_blank(p);
	while (p < end && *p == '!') {
		neg = !neg;
		p = skip_blank(p + 1);
	}
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (!strncmp(p, "defined", 7)) {
		bool paren;

		p = skip_blank(p + 7);
		paren = *p == '(';
		p = skip_blank(p + paren);
		n = ident_len(p);
		if (!n || (paren && *skip_blank(p + n) != ')'))
			return -1;
		if ((paren ? skip_blank(p + n) + 1 : p + n) != end)
			return -1;
		v = is_defined(u, p, n);
	} else if (!strncmp(p, "__BITS_PER_LONG", 15)) {
		const char *op = skip_blank(p + 15);
		unsigned long bits;
		char num[16];

		if ((strncmp(op, "==", 2) && strncmp(op, "!=", 2)) ||
		    (size_t)(end - skip_blank(op + 2)) >= sizeof(num))
			return -1;
		snprintf(num, sizeof(num), "%.*s", (int)(end - skip_blank(op + 2)),
			 skip_blank(op + 2));
		if (kt_parse_ulong(num, 128, &bits) < 0)
			return -1;
		v = (bits == 64) == (op[0] == '=');
	} else {
		return -1;
	}
	return neg ? !v : v;
}

/* An #if expression: terms joined by || or by && (the header mixes them not). */
static int eval_expr(struct unistd *u, const char *p)
{
	bool any_or = strstr(p, "||") != NULL, any_and = strstr(p, "&&") != NULL;
	const char *sep = any_or ? "||" : "&&";
	int acc = any_or ? 0 : 1;

	if (any_or && any_and)
		return -1;
	for (;;) {
		const char *end = strstr(p, sep);
		int v = eval_term(u, p, end ? end : p + strlen(p));

		if (v < 0)
			return -1;
		acc = any_or ? (acc || v) : (acc && v);
		if (!end)
			return acc;
		p = end + 2;
	}
}

/* "__SYSCALL(__NR_x, sys_y)" and the __SC_ forms: the macro and its 64-bit entry. */
static int syscall_line(struct unistd *u, const char *p)
{
	static const struct {
		const char *macro;
		unsigned entry_arg;	/* 1-based, after the number */
	} forms[] = {
		{ "__SYSCALL(", 1 }, { "__SC_COMP(", 1 }, { "__SC_3264(", 2 },
		{ "__SC_COMP_3264(", 2 },
	};
	const char *args = NULL, *a;
	unsigned want = 0;
	struct nr_def *d;
	size_t n;

	for (size_t i = 0; i < KT_ARRAY_SIZE(forms) && !args; i++)
		if (!strncmp(p, forms[i].macro, strlen(forms[i].macro))) {
			args = p + strlen(forms[i].macro);
			want = forms[i].entry_arg;
		}
	if (!args)
		return 0;
	a = skip_blank(args);
	n = ident_len(a);
	d = n ? def_find(u, a, n) : NULL;
	if (!d)
		return fail(u->err, -EINVAL, "%s:%u: a syscall for an undefined number",
			    u->path, u->lineno);
	for (unsigned i = 0; i < want; i++) {
		a = strchr(a, ',');
		if (!a)
			return fail(u->err, -EINVAL, "%s:%u: too few arguments", u->path,
				    u->lineno);
		a += 1 + strspn(a + 1, " \t\\");	/* a line continued with "\\" */
	}
	n = ident_len(a);
	if (!n)
		return fail(u->err, -EINVAL, "%s:%u: no entry point", u->path, u->lineno);
	free(d->entry);
	d->entry = strndup(a, n);
	return d->entry ? 0 : -ENOMEM;
}

/* "#define NAME VALUE": __NR macros are kept, __ARCH_WANT_ ones noted. */
static int define_line(struct unistd *u, const char *p)
{
	size_t n = ident_len(p), vn;
	const char *v = skip_blank(p + n);
	struct nr_def d = { NULL, NULL, NULL };

	if (!strncmp(p, "__ARCH_WANT_", 12)) {
		char *w = strndup(p, n);

		if (!w || kt_array_push_ptr(&u->wants, w)) {
			free(w);
			return -ENOMEM;
		}
		return 0;
	}
	if (strncmp(p, "__NR", 4) || p[n] == '(')
		return 0;
	vn = ident_len(v);
	if (!vn || n >= NAME_MAX_LEN)
		return fail(u->err, -EINVAL, "%s:%u: #define %.*s without a value", u->path,
			    u->lineno, (int)n, p);
	if (def_find(u, p, n))
		return fail(u->err, -EINVAL, "%s:%u: %.*s defined twice", u->path, u->lineno,
			    (int)n, p);
	d.name = strndup(p, n);
	d.value = strndup(v, vn);
	if (!d.name || !d.value || !kt_array_push(&u->defs, &d)) {
		free(d.name);
		free(d.value);
		return -ENOMEM;
	}
	return 0;
}

/* One header, its #if/#ifdef/#else/#endif followed; lines in false branches ignored. */
static int unistd_parse(struct unistd *u, const char *path)
{
	bool live[DEPTH_MAX + 1] = { true };
	bool taken[DEPTH_MAX + 1] = { true };
	unsigned depth = 0;
	char *text = NULL, *line, *next;
	size_t len;
	int r = kt_read_regular_file(path, TABLE_MAX, &text, &len);

	u->path = path;
	u->lineno = 0;
	if (r < 0)
		return fail(u->err, r, "%s: %s", path, strerror(-r));
	if (memchr(text, '\0', len))
		r = fail(u->err, -EINVAL, "%s: a NUL byte: not a header", path);
	for (line = text; r == 0 && line && *line; line = next) {
		const char *p = skip_blank(line);
		char *close;

		next = strchr(line, '\n');
		u->lineno++;
		/* a __SYSCALL(...) may continue on the next lines: one line here */
		if (*p == '_' && (close = strchr(p, ')')) && next && close > next) {
			for (; next && next < close; next = strchr(next, '\n')) {
				*next = ' ';
				u->lineno++;
			}
		}
		if (next)
			*next++ = '\0';
		if (*p != '#') {
			if (live[depth])
				r = syscall_line(u, p);
			continue;
		}
		p = skip_blank(p + 1);
		if (!strncmp(p, "ifdef", 5) || !strncmp(p, "ifndef", 6) || !strncmp(p, "if ", 3)) {
			int v;

			if (depth == DEPTH_MAX) {
				r = fail(u->err, -EINVAL, "%s:%u: #if nested too deep", path,
					 u->lineno);
				break;
			}
			if (p[2] == ' ') {
				v = eval_expr(u, p + 3);
			} else {
				bool def = p[2] == 'd';
				const char *id = skip_blank(p + (def ? 5 : 6));
				v = is_defined(u, id, ident_len(id)) == def;
			}
			if (v < 0 && live[depth]) {
				r = fail(u->err, -EINVAL, "%s:%u: an #if this reader cannot "
					 "evaluate: %s", path, u->lineno, p);
				break;
			}
			depth++;
			live[depth] = live[depth - 1] && v > 0;
			taken[depth] = v > 0;
		} else if (!strncmp(p, "else", 4) || !strncmp(p, "endif", 5)) {
			if (!depth) {
				r = fail(u->err, -EINVAL, "%s:%u: #%.5s without #if", path,
					 u->lineno, p);
				break;
			}
			if (p[1] == 'n')
				depth--;
			else
				live[depth] = live[depth - 1] && !taken[depth];
		} else if (!strncmp(p, "elif", 4)) {
			r = fail(u->err, -EINVAL, "%s:%u: #elif is not expected here", path,
				 u->lineno);
		} else if (!strncmp(p, "define", 6) && live[depth]) {
			r = define_line(u, skip_blank(p + 6));
		} else if (!strncmp(p, "undef", 5) && live[depth]) {
			const char *id = skip_blank(p + 5);

			def_drop(u, id, ident_len(id));
		}
	}
	if (r == 0 && depth)
		r = fail(u->err, -EINVAL, "%s: #if without #endif", path);
	free(text);
	return r;
}

/* The number @d stands for, through at most one alias (__NR_fstat -> __NR3264_fstat). */
static const struct nr_def *resolve(struct unistd *u, const struct nr_def *d,
				    unsigned long *nr)
{
	for (int hops = 0; hops < 2 && d; hops++) {
		if (kt_parse_ulong(d->value, NR_LIMIT - 1, nr) == 0)
			return d;
		d = def_find(u, d->value, strlen(d->value));
	}
	return NULL;
}

static int read_unistd(const char *ksrc, struct kt_array *out, struct kt_str *err)
{
	struct unistd u = { .err = err };
	struct kt_str arch = KT_STR_INIT, generic = KT_STR_INIT;
	int r;

	kt_array_init(&u.defs, sizeof(struct nr_def));
	kt_array_init(&u.wants, sizeof(char *));
	kt_array_init(out, sizeof(struct kconf_syscall));
	kt_str_printf(&arch, "%s/arch/arm64/include/uapi/asm/unistd.h", ksrc);
	kt_str_printf(&generic, "%s/include/uapi/asm-generic/unistd.h", ksrc);
	r = kt_str_error(&arch) ? -ENOMEM : kt_str_error(&generic);
	if (r == 0)
		r = unistd_parse(&u, arch.buf);
	if (r == 0)
		r = unistd_parse(&u, generic.buf);
	for (size_t i = 0; r == 0 && i < u.defs.len; i++) {
		const struct nr_def *d = kt_array_at(&u.defs, i), *num;
		const char *entry;
		unsigned long nr;

		/* user space's names; __NR_syscalls is the count, the other the arch base */
		if (strncmp(d->name, "__NR_", 5) || !strcmp(d->name, "__NR_syscalls") ||
		    !strcmp(d->name, "__NR_arch_specific_syscall"))
			continue;
		num = resolve(&u, d, &nr);
		if (!num) {
			r = fail(err, -EINVAL, "%s: %s is no syscall number", generic.buf,
				 d->name);
			break;
		}
		entry = num->entry ? num->entry : d->entry;
		r = push(out, nr, d->name + 5, strlen(d->name + 5), entry,
			 entry ? strlen(entry) : 0);
	}
	if (r == 0) {
		kt_array_sort(out, nr_cmp);
		r = check_unique(out, generic.buf, err);
	}
	for (size_t i = 0; i < u.defs.len; i++) {
		struct nr_def *d = kt_array_at(&u.defs, i);

		free(d->name);
		free(d->value);
		free(d->entry);
	}
	kt_array_free(&u.defs);
	kt_array_free_ptrs(&u.wants);
	kt_str_free(&arch);
	kt_str_free(&generic);
	if (r < 0)
		kconf_syscalls_free(out);
	return r;
}

/* ---- the architecture's layout --------------------------------------------- */

/* arch/arm64/kernel/Makefile.syscalls: the ABIs after "syscall_abis_64 +=". */
static int arm64_abis(const char *path, char **buf, const char **abis, size_t cap,
		      struct kt_str *err)
{
	size_t len, n = 2;
	char *line;
	int r = kt_read_regular_file(path, TABLE_MAX, buf, &len);

	if (r < 0)
		return fail(err, r, "%s: %s", path, strerror(-r));
	abis[0] = "common";
	abis[1] = "64";
	for (line = *buf; line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		char *f[16];
		int nf;

		if (strncmp(line, "syscall_abis_64", 15))
			continue;
		line[strcspn(line, "\n")] = '\0';
		nf = fields(line, f, 16);
		for (int i = 2; i < nf && !strcmp(f[1], "+=") && n + 1 < cap; i++)
			abis[n++] = f[i];
		break;
	}
	abis[n] = NULL;
	return 0;
}

int kconf_syscalls_read(const char *ksrc, const char *arch, struct kt_array *out,
			struct kt_str *err)
{
	static const char *const x86_abis[] = { "common", "64", NULL };
	struct kt_str tbl = KT_STR_INIT, mk = KT_STR_INIT;
	const char *abis[16];
	char *mkbuf = NULL;
	int r;

	kt_array_init(out, sizeof(struct kconf_syscall));
	if (!arch || !strcmp(arch, "x86_64") || !strcmp(arch, "x86")) {
		kt_str_printf(&tbl, "%s/arch/x86/entry/syscalls/syscall_64.tbl", ksrc);
		r = kt_str_error(&tbl);
		if (r == 0)
			r = kconf_syscalls_read_tbl(tbl.buf, x86_abis, out, err);
	} else if (!strcmp(arch, "arm64") || !strcmp(arch, "aarch64")) {
		kt_str_printf(&tbl, "%s/scripts/syscall.tbl", ksrc);
		kt_str_printf(&mk, "%s/arch/arm64/kernel/Makefile.syscalls", ksrc);
		r = kt_str_error(&tbl) ? -ENOMEM : kt_str_error(&mk);
		if (r == 0 && access(mk.buf, F_OK) == 0) {
			r = arm64_abis(mk.buf, &mkbuf, abis, KT_ARRAY_SIZE(abis), err);
			if (r == 0)
				r = kconf_syscalls_read_tbl(tbl.buf, abis, out, err);
		} else if (r == 0) {
			r = read_unistd(ksrc, out, err);
		}
	} else {
		r = fail(err, -EOPNOTSUPP, "syscall table: architecture %s: only x86_64 and "
			 "arm64 are known", arch);
	}
	free(mkbuf);
	kt_str_free(&tbl);
	kt_str_free(&mk);
	return r;
}

const char *kconf_syscalls_name(const struct kt_array *list, unsigned nr)
{
	for (size_t i = 0; i < list->len; i++) {
		const struct kconf_syscall *s = kt_array_at(list, i);

		if (s->nr == nr)
			return s->name;
	}
	return NULL;
}

int kconf_syscalls_nr(const struct kt_array *list, const char *name)
{
	for (size_t i = 0; i < list->len; i++) {
		const struct kconf_syscall *s = kt_array_at(list, i);

		if (!strcmp(s->name, name))
			return (int)s->nr;
	}
	return -1;
}

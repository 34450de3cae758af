// SPDX-License-Identifier: GPL-2.0-only
/*
 * Loading a tree: the environment the kernel's Makefile gives Kconfig
 * (ARCH, SRCARCH, srctree, CC, LD, KERNELVERSION, CC_VERSION_TEXT ...),
 * the toolchain identity that keys the $(shell,...) cache, then parse and
 * finalise. Also the tree's lifetime and its warning list.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "kconfig-trim/kconf-internal.h"

/* ---- out of memory ---------------------------------------------------- */

void kconf__nomem(struct kconf_tree *t)
{
	if (t->err)
		return;
	t->err = -ENOMEM;
	/* said once, here, because most entry points have no err string */
	kt_err("kconfig: out of memory; this Kconfig tree can no longer be used");
}

void *kconf__alloc_check(struct kconf_tree *t, void *p)
{
	if (!p)
		kconf__nomem(t);
	return p;
}

int kconf__push(struct kconf_tree *t, struct kt_array *a, void *p)
{
	int r = kt_array_push_ptr(a, p);

	if (r < 0)
		kconf__nomem(t);
	return r;
}

int kconf__str_check(struct kconf_tree *t, const struct kt_str *s)
{
	int r = kt_str_error(s);

	if (r < 0)
		kconf__nomem(t);
	return r;
}

void kconf__too_deep(struct kconf_tree *t, const char *what)
{
	if (t->err)
		return;
	t->err = -ELOOP;
	kt_err("kconfig: dependencies nested deeper than %d levels at %s; "
	       "this Kconfig tree cannot be used", KCONF_MAX_DEPTH, what);
}

int kconf__tree_check(struct kconf_tree *t, struct kt_str *err)
{
	if (t->err && err)
		kt_str_puts(err, t->err == -ELOOP ?
			    "kconfig: dependencies nested too deep" :
			    "kconfig: out of memory");
	return t->err;
}

int kconf_tree_error(const struct kconf_tree *tree)
{
	return tree->err;
}

/* A warning that cannot be stored is an error: the list is part of the result. */
void kconf__warn(struct kconf_tree *t, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!kconf__alloc_check(t, s))
		return;
	kt_warn("%s", s);
	if (kconf__push(t, &t->warnings, s) < 0)
		free(s);
}

/*
 * Each Kconfig file is sourced once, so names are stored without a search
 * (a search made loading quadratic in the ~1500 files of a real tree).
 */
const char *kconf__intern_file(struct kconf_tree *t, const char *name)
{
	char *c = kconf__alloc_check(t, strdup(name));

	if (c && kconf__push(t, &t->files, c) < 0) {
		free(c);
		c = NULL;
	}
	return c;
}

/* ---- architecture names --------------------------------------------- */

const char *kconf_arch_to_srcarch(const char *arch)
{
	static const char *const map[][2] = {
		{ "i386", "x86" }, { "x86_64", "x86" },
		{ "sparc32", "sparc" }, { "sparc64", "sparc" },
		{ "parisc64", "parisc" }, { "sh64", "sh" },
	};
	size_t i;

	for (i = 0; i < KT_ARRAY_SIZE(map); i++)
		if (!strcmp(arch, map[i][0]))
			return map[i][1];
	return arch;
}

const char *kconf_host_arch(void)
{
	static char buf[65];
	static const char *const map[][2] = {
		{ "x86_64", "x86" }, { "sun4u", "sparc64" }, { "sa110", "arm" },
		{ "s390x", "s390" },
	};
	static const char *const prefix[][2] = {
		{ "arm", "arm" }, { "ppc", "powerpc" }, { "mips", "mips" },
		{ "sh2", "sh" }, { "sh3", "sh" }, { "sh4", "sh" },
		{ "aarch64", "arm64" }, { "riscv", "riscv" },
		{ "loongarch", "loongarch" },
	};
	struct utsname u;
	size_t i;

	if (uname(&u) < 0)
		return "x86";
	snprintf(buf, sizeof(buf), "%s", u.machine);
	/* scripts/subarch.include, as sed rules */
	if (buf[0] == 'i' && buf[1] && !strcmp(buf + 2, "86"))
		return "x86";
	for (i = 0; i < KT_ARRAY_SIZE(map); i++)
		if (!strcmp(buf, map[i][0]))
			return map[i][1];
	for (i = 0; i < KT_ARRAY_SIZE(prefix); i++)
		if (!strncmp(buf, prefix[i][0], strlen(prefix[i][0])))
			return prefix[i][1];
	return buf;
}

/* ---- environment ----------------------------------------------------- */

/*
 * KERNELVERSION from srctree/Makefile in *@out; "" when there is no
 * readable Makefile (the Kconfig files then see an empty version, as
 * before), but -ENOMEM rather than a version that lost a part.
 */
static int kernel_version(const char *srctree, char **out)
{
	char *path = NULL, *buf = NULL, *line, *save = NULL;
	char v[4][64] = { "", "", "", "" };
	static const char *const keys[] = { "VERSION", "PATCHLEVEL",
					    "SUBLEVEL", "EXTRAVERSION" };
	struct kt_str ver = KT_STR_INIT;
	size_t len, i;
	int r;

	if (asprintf(&path, "%s/Makefile", srctree) < 0)
		return -ENOMEM;
	r = kt_read_regular_file(path, 0, &buf, &len);
	free(path);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		*out = strdup("");
		return *out ? 0 : -ENOMEM;
	}
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		for (i = 0; i < 4; i++) {
			size_t kl = strlen(keys[i]);
			char *p = line + kl;

			if (strncmp(line, keys[i], kl) || (*p != ' ' && *p != '='))
				continue;
			while (*p == ' ')
				p++;
			if (*p++ != '=')
				continue;
			while (*p == ' ')
				p++;
			snprintf(v[i], sizeof(v[i]), "%s", p);
		}
		if (!strncmp(line, "NAME", 4))
			break;
	}
	free(buf);
	kt_str_puts(&ver, v[0]);
	if (v[1][0]) {
		kt_str_printf(&ver, ".%s", v[1]);
		if (v[2][0])
			kt_str_printf(&ver, ".%s", v[2]);
	}
	kt_str_puts(&ver, v[3]);
	*out = kt_str_steal(&ver);
	return *out ? 0 : -ENOMEM;
}

/*
 * Which conf the tree ships. conf 6.11 reworked choices (Masahiro
 * Yamada's series "kconfig: refactor choice value calculation" and the
 * removal of tristate and optional choices): its struct symbol gained a
 * choice_link, so the tree's own scripts/kconfig/expr.h tells. A tree
 * without scripts/kconfig is judged by its version.
 */
static bool version_at_least(const char *kver, unsigned int maj,
			      unsigned int min)
{
	unsigned int a, b;

	return sscanf(kver, "%u.%u", &a, &b) == 2 &&
	       (a > maj || (a == maj && b >= min));
}

/* The text of srctree/scripts/kconfig/@name, or NULL. */
static char *kconfig_source(const char *srctree, const char *name)
{
	char *path = NULL, *buf = NULL;
	size_t len;

	if (asprintf(&path, "%s/scripts/kconfig/%s", srctree, name) < 0)
		return NULL;
	if (kt_read_file(path, &buf, &len) < 0)
		buf = NULL;
	free(path);
	return buf;
}

static enum kconf_rules tree_rules(const char *srctree, const char *kver)
{
	char *expr_h = kconfig_source(srctree, "expr.h");
	enum kconf_rules rules;

	if (expr_h)
		rules = strstr(expr_h, "choice_link") ? KCONF_RULES_6_11
						      : KCONF_RULES_6_1;
	else
		rules = version_at_least(kver, 6, 11) ? KCONF_RULES_6_11
						      : KCONF_RULES_6_1;
	free(expr_h);
	return rules;
}

/*
 * conf's symbol table: 9973 buckets, 1 << 14 since it moved to
 * scripts/include/hashtable.h (6.9, with internal.h). Its iteration order
 * is the order conf computes symbols in.
 */
static uint32_t tree_hash_size(const char *srctree, const char *kver,
			       enum kconf_rules rules)
{
	char *internal_h = kconfig_source(srctree, "internal.h");
	char *expr_h = internal_h ? NULL : kconfig_source(srctree, "expr.h");
	uint32_t size;

	if (internal_h && strstr(internal_h, "(1U << 14)"))
		size = 1u << 14;
	else if (internal_h || expr_h)
		size = 9973;
	else
		size = version_at_least(kver, 6, 9) ||
		       rules == KCONF_RULES_6_11 ? 1u << 14 : 9973;
	free(internal_h);
	free(expr_h);
	return size;
}

enum kconf_rules kconf_tree_rules(const struct kconf_tree *tree)
{
	return tree->rules;
}

const char *kconf_rules_name(enum kconf_rules rules)
{
	return rules == KCONF_RULES_6_11 ? "6.11" : "6.1";
}

/*
 * A program's identity: resolved path, size and mtime. It keys the shell
 * cache, so an identity that lost a part must not be used: -ENOMEM.
 */
static int tool_id(struct kt_str *id, const char *prog)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL, *full = NULL;
	struct stat st;
	int r = 0;

	kt_str_printf(id, "|%s", prog);
	if (!path || strchr(prog, '/'))
		path = "";
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	for (dir = strtok_r(copy, ":", &save); dir;
	     dir = strtok_r(NULL, ":", &save)) {
		if (asprintf(&full, "%s/%s", dir, prog) < 0) {
			r = -ENOMEM;
			break;
		}
		if (stat(full, &st) == 0) {
			char *real = realpath(full, NULL);

			kt_str_printf(id, "=%s:%lld:%lld", real ? real : full,
				      (long long)st.st_size,
				      (long long)st.st_mtime);
			free(real);
			free(full);
			break;
		}
		free(full);
	}
	free(copy);
	return r;
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	return remove(path) < 0 ? 0 : 0;
}

/* A variable that silently went missing would read as "": record it. */
static void env_set(struct kconf_tree *t, struct kt_map *env, const char *k,
		    const char *v)
{
	char *c = kconf__alloc_check(t, strdup(v));

	if (c && kt_map_set(env, k, c) < 0) {
		free(c);
		kconf__nomem(t);
	}
}

int kconf_tree_load(const char *srctree, const struct kconf_load_opts *opts,
		    struct kconf_tree **out, struct kt_str *err)
{
	static const struct kconf_load_opts none;
	struct kconf_tree *t;
	struct kconf_pp_opts po = { 0 };
	struct kt_map *env = NULL;
	struct kt_str id = KT_STR_INIT;
	char workdir[] = "/tmp/ktrim-kconfig-XXXXXX";
	bool have_workdir = false;
	char *cache_dir = NULL, *kver = NULL, *ccv = NULL;
	static const char *const tool_names[] = { "gcc", "ld", "ar", "nm",
						  "objcopy" };
	char *tools[KT_ARRAY_SIZE(tool_names)] = { NULL };
	const char *arch, *srcarch, *cc, *ld, *cross;
	int r;

	if (!opts)
		opts = &none;
	*out = NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->srctree = realpath(srctree, NULL);
	if (!t->srctree) {
		r = -errno;
		kt_str_printf(err, "%s: %s", srctree, strerror(errno));
		free(t);
		return r;
	}
	t->names = kt_map_new(NULL);
	t->consts = kt_map_new(NULL);
	kt_array_init(&t->syms, sizeof(void *));
	kt_array_init(&t->all, sizeof(void *));
	kt_array_init(&t->calc_order, sizeof(void *));
	kt_array_init(&t->menus, sizeof(void *));
	kt_array_init(&t->files, sizeof(void *));
	kt_array_init(&t->garbage, sizeof(void *));
	kt_array_init(&t->warnings, sizeof(void *));
	{
		struct kconf_sym *c[3] = { &t->sym_y, &t->sym_m, &t->sym_n };
		static const char *const nm[3] = { "y", "m", "n" };
		int i;

		for (i = 0; i < 3; i++) {
			c[i]->name = kconf__alloc_check(t, strdup(nm[i]));
			c[i]->type = KCONF_TRISTATE;
			c[i]->flags = KS_CONST | KS_VALID;
			c[i]->cur_tri = (enum kconf_tristate)(2 - i);
			c[i]->cur_str = nm[i];
			c[i]->tree = t;
		}
	}
	env = kt_map_new(free);
	if (!kconf__alloc_check(t, t->names) ||
	    !kconf__alloc_check(t, t->consts) || !kconf__alloc_check(t, env)) {
		r = -ENOMEM;
		goto out;
	}

	arch = opts->arch ? opts->arch : kconf_host_arch();
	srcarch = opts->srcarch ? opts->srcarch : kconf_arch_to_srcarch(arch);
	/* the top Makefile's defaults: $(CROSS_COMPILE)gcc and so on */
	cross = getenv("CROSS_COMPILE") ? getenv("CROSS_COMPILE") : "";
	for (size_t i = 0; i < KT_ARRAY_SIZE(tools); i++) {
		if (asprintf(&tools[i], "%s%s", cross, tool_names[i]) < 0) {
			tools[i] = NULL;
			r = -ENOMEM;
			goto out;
		}
	}
	cc = opts->cc ? opts->cc : tools[0];
	ld = opts->ld ? opts->ld : tools[1];
	if (opts->kernelversion) {
		kver = strdup(opts->kernelversion);
		r = kver ? 0 : -ENOMEM;
	} else {
		r = kernel_version(t->srctree, &kver);
	}
	if (r < 0)
		goto out;
	t->rules = opts->rules != KCONF_RULES_AUTO ? opts->rules :
		   tree_rules(t->srctree, kver);
	t->hash_size = tree_hash_size(t->srctree, kver, t->rules);

	env_set(t, env, "srctree", t->srctree);
	env_set(t, env, "objtree", ".");
	env_set(t, env, "ARCH", arch);
	env_set(t, env, "SRCARCH", srcarch);
	env_set(t, env, "KERNELVERSION", kver);
	env_set(t, env, "CC", cc);
	env_set(t, env, "LD", ld);
	env_set(t, env, "HOSTCC", "gcc");
	env_set(t, env, "AR", tools[2]);
	env_set(t, env, "NM", tools[3]);
	env_set(t, env, "OBJCOPY", tools[4]);
	env_set(t, env, "PAHOLE", "pahole");
	env_set(t, env, "RUSTC", "rustc");
	env_set(t, env, "BINDGEN", "bindgen");
	env_set(t, env, "CONFIG_SHELL", "sh");
	env_set(t, env, "LC_COLLATE", "C");
	env_set(t, env, "LC_NUMERIC", "C");
	for (const char *const *e = opts->env; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		char *k;

		if (!eq)
			continue;
		k = kconf__alloc_check(t, strndup(*e, (size_t)(eq - *e)));
		if (k)
			env_set(t, env, k, eq + 1);
		free(k);
	}

	kt_str_printf(&id, "v1|%s|%s|%s|%s", t->srctree, arch, srcarch,
		      getenv("PATH") ? getenv("PATH") : "");
	r = tool_id(&id, cc);
	if (r == 0)
		r = tool_id(&id, ld);
	if (r == 0)
		r = kt_str_error(&id);
	if (r < 0)
		goto out;
	if (mkdtemp(workdir))
		have_workdir = true;
	cache_dir = opts->cache_dir ? strdup(opts->cache_dir)
				    : kt_cache_dir();
	/*
	 * env_set() records its failures on t; a NULL cache_dir can only be
	 * out of memory, since a cache directory is always chosen.
	 */
	if (!cache_dir || t->err) {
		r = -ENOMEM;
		goto out;
	}
	po.cache_dir = cache_dir;
	po.workdir = have_workdir ? workdir : NULL;
	po.env = env;
	po.toolchain_id = kt_str_cstr(&id);
	t->pp = kconf__pp_new(t, &po);
	if (!t->pp) {
		r = -ENOMEM;
		goto out;
	}

	/* as the top Makefile computes it, minus '#' characters */
	{
		char *cmd = NULL;

		if (asprintf(&cmd, "$(shell,LC_ALL=C %s --version 2>/dev/null | head -n 1)",
			     cc) < 0)
			cmd = NULL;
		if (kconf__alloc_check(t, cmd))
			ccv = kconf__pp_expand_string(t->pp, cmd);
		free(cmd);
		if (ccv) {
			char *w = ccv;

			for (char *p = ccv; *p; p++)
				if (*p != '#')
					*w++ = *p;
			*w = 0;
		}
		/* a failed probe reads as "" (as before); a failed allocation stops below */
		env_set(t, env, "CC_VERSION_TEXT", ccv ? ccv : "");
	}
	if (t->err) {
		r = t->err;
		goto out;
	}

	r = kconf__parse(t, opts->kconfig ? opts->kconfig : "Kconfig", err);
	if (r < 0)
		goto out;
	if (!t->modules_sym)
		t->modules_sym = &t->sym_n;
	t->mainmenu_text = kconf__alloc_check(t, strdup(t->rootmenu.prompt ?
		t->rootmenu.prompt->pub.text : "Main menu"));
	kconf__menu_finalize(t, &t->rootmenu);
	kconf__build_calc_order(t);
	t->changed = true;
	/* finalising allocates too: this is the check after the last one */
	r = t->err;
	if (r == -ELOOP)
		kconf__tree_check(t, err);
	/* like conf, refuse a tree where a symbol depends on itself */
	if (r == 0)
		r = kconf__check_deps(t, err);
	if (r == 0)
		kconf__pp_save_cache(t->pp);
out:
	if (have_workdir)
		nftw(workdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(cache_dir);
	free(kver);
	free(ccv);
	for (size_t i = 0; i < KT_ARRAY_SIZE(tools); i++)
		free(tools[i]);
	kt_str_free(&id);
	/* the tree keeps the preprocessor for kconf_expr_parse(); not env */
	kt_map_free(env);
	if (t->pp) {
		kconf__pp_free(t->pp);
		t->pp = NULL;
	}
	if (r == -ENOMEM && err && !err->len)
		kt_str_puts(err, "kconfig: out of memory");
	if (r < 0) {
		kconf_tree_free(t);
		return r;
	}
	*out = t;
	return 0;
}

static void free_prop(struct kconf_iprop *p)
{
	kconf_expr_free(p->pub.expr);
	kconf_expr_free(p->pub.cond);
	kconf_expr_free(p->pub.visible);
	free((char *)p->pub.text);
	free(p);
}

void kconf_tree_free(struct kconf_tree *t)
{
	struct kconf_sym *builtin[3];
	size_t i, j;

	if (!t)
		return;
	builtin[0] = &t->sym_y;
	builtin[1] = &t->sym_m;
	builtin[2] = &t->sym_n;
	for (i = 0; i < t->menus.len; i++) {
		struct kconf_menu *m = kt_array_ptr(&t->menus, i);

		if (!m->sym && m->prompt)
			free_prop(m->prompt);
		kconf_expr_free(m->dep);
		kconf_expr_free(m->visibility);
		free(m->help);
		free(m);
	}
	if (t->rootmenu.prompt)
		free_prop(t->rootmenu.prompt);
	for (i = 0; i < t->all.len; i++) {
		struct kconf_sym *s = kt_array_ptr(&t->all, i);

		for (j = 0; j < s->props.len; j++)
			free_prop(kt_array_ptr(&s->props, j));
		kconf__sym_free(s);
	}
	/* `config n` defines the constant itself, as in conf: props and all */
	for (i = 0; i < KT_ARRAY_SIZE(builtin); i++) {
		for (j = 0; j < builtin[i]->props.len; j++)
			free_prop(kt_array_ptr(&builtin[i]->props, j));
		kconf__sym_release(builtin[i]);
	}
	for (i = 0; i < t->files.len; i++)
		free(kt_array_ptr(&t->files, i));
	for (i = 0; i < t->garbage.len; i++)
		free(kt_array_ptr(&t->garbage, i));
	for (i = 0; i < t->warnings.len; i++)
		free(kt_array_ptr(&t->warnings, i));
	kt_array_free(&t->syms);
	kt_array_free(&t->all);
	kt_array_free(&t->calc_order);
	kt_array_free(&t->menus);
	kt_array_free(&t->files);
	kt_array_free(&t->garbage);
	kt_array_free(&t->warnings);
	kt_map_free(t->names);
	kt_map_free(t->consts);
	kconf__pp_free(t->pp);
	free(t->mainmenu_text);
	free(t->srctree);
	free(t);
}

const char *kconf_tree_srctree(const struct kconf_tree *tree)
{
	return tree->srctree;
}

const char *kconf_tree_mainmenu(const struct kconf_tree *tree)
{
	return tree->mainmenu_text ? tree->mainmenu_text : "Main menu";
}

struct kconf_sym *kconf_tree_modules_sym(const struct kconf_tree *tree)
{
	return tree->modules_sym == &tree->sym_n ? NULL : tree->modules_sym;
}

void kconf_tree_shell_stats(const struct kconf_tree *tree, unsigned *cached,
			    unsigned *run)
{
	if (cached)
		*cached = tree->shell_cached;
	if (run)
		*run = tree->shell_run;
}

size_t kconf_tree_nwarnings(const struct kconf_tree *tree)
{
	return tree->warnings.len;
}

const char *kconf_tree_warning(const struct kconf_tree *tree, size_t i)
{
	return i < tree->warnings.len ? kt_array_ptr(&tree->warnings, i) : NULL;
}

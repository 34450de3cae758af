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

void kconf__warn(struct kconf_tree *t, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s)
		return;
	kt_warn("%s", s);
	kt_array_push_ptr(&t->warnings, s);
}

/*
 * Each Kconfig file is sourced once, so names are stored without a search
 * (a search made loading quadratic in the ~1500 files of a real tree).
 */
const char *kconf__intern_file(struct kconf_tree *t, const char *name)
{
	char *c = strdup(name);

	if (!c)
		abort();
	kt_array_push_ptr(&t->files, c);
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

static char *kernel_version(const char *srctree)
{
	char *path = NULL, *buf = NULL, *line, *save = NULL;
	char v[4][64] = { "", "", "", "" };
	static const char *const keys[] = { "VERSION", "PATCHLEVEL",
					    "SUBLEVEL", "EXTRAVERSION" };
	struct kt_str out = KT_STR_INIT;
	size_t len, i;

	if (asprintf(&path, "%s/Makefile", srctree) < 0)
		return strdup("");
	if (kt_read_file(path, &buf, &len) < 0) {
		free(path);
		return strdup("");
	}
	free(path);
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
	kt_str_puts(&out, v[0]);
	if (v[1][0]) {
		kt_str_printf(&out, ".%s", v[1]);
		if (v[2][0])
			kt_str_printf(&out, ".%s", v[2]);
	}
	kt_str_puts(&out, v[3]);
	return kt_str_steal(&out);
}

/* A program's identity: resolved path, size and mtime. */
static void tool_id(struct kt_str *id, const char *prog)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL, *full = NULL;
	struct stat st;

	kt_str_printf(id, "|%s", prog);
	if (!path || strchr(prog, '/'))
		path = "";
	copy = strdup(path);
	for (dir = strtok_r(copy, ":", &save); dir;
	     dir = strtok_r(NULL, ":", &save)) {
		if (asprintf(&full, "%s/%s", dir, prog) < 0)
			break;
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
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	return remove(path) < 0 ? 0 : 0;
}

static void env_set(struct kt_map *env, const char *k, const char *v)
{
	kt_map_set(env, k, strdup(v));
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
	const char *arch, *srcarch, *cc, *ld;
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
			c[i]->name = strdup(nm[i]);
			c[i]->type = KCONF_TRISTATE;
			c[i]->flags = KS_CONST | KS_VALID;
			c[i]->cur_tri = (enum kconf_tristate)(2 - i);
			c[i]->cur_str = nm[i];
			c[i]->tree = t;
		}
	}

	arch = opts->arch ? opts->arch : kconf_host_arch();
	srcarch = opts->srcarch ? opts->srcarch : kconf_arch_to_srcarch(arch);
	cc = opts->cc ? opts->cc : "gcc";
	ld = opts->ld ? opts->ld : "ld";
	kver = opts->kernelversion ? strdup(opts->kernelversion)
				   : kernel_version(t->srctree);

	env = kt_map_new(free);
	env_set(env, "srctree", t->srctree);
	env_set(env, "objtree", ".");
	env_set(env, "ARCH", arch);
	env_set(env, "SRCARCH", srcarch);
	env_set(env, "KERNELVERSION", kver ? kver : "");
	env_set(env, "CC", cc);
	env_set(env, "LD", ld);
	env_set(env, "HOSTCC", "gcc");
	env_set(env, "NM", "nm");
	env_set(env, "OBJCOPY", "objcopy");
	env_set(env, "PAHOLE", "pahole");
	env_set(env, "RUSTC", "rustc");
	env_set(env, "BINDGEN", "bindgen");
	env_set(env, "CONFIG_SHELL", "sh");
	env_set(env, "LC_COLLATE", "C");
	env_set(env, "LC_NUMERIC", "C");
	for (const char *const *e = opts->env; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		char *k;

		if (!eq)
			continue;
		k = strndup(*e, (size_t)(eq - *e));
		env_set(env, k, eq + 1);
		free(k);
	}

	kt_str_printf(&id, "v1|%s|%s|%s|%s", t->srctree, arch, srcarch,
		      getenv("PATH") ? getenv("PATH") : "");
	tool_id(&id, cc);
	tool_id(&id, ld);
	if (mkdtemp(workdir))
		have_workdir = true;
	cache_dir = opts->cache_dir ? strdup(opts->cache_dir)
				    : kt_cache_dir();
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
			     cc) > 0)
			ccv = kconf__pp_expand_string(t->pp, cmd);
		free(cmd);
		if (ccv) {
			char *w = ccv;

			for (char *p = ccv; *p; p++)
				if (*p != '#')
					*w++ = *p;
			*w = 0;
		}
		env_set(env, "CC_VERSION_TEXT", ccv ? ccv : "");
	}

	r = kconf__parse(t, opts->kconfig ? opts->kconfig : "Kconfig", err);
	if (r < 0)
		goto out;
	if (!t->modules_sym)
		t->modules_sym = &t->sym_n;
	t->mainmenu_text = t->rootmenu.prompt ?
		strdup(t->rootmenu.prompt->pub.text) : strdup("Main menu");
	kconf__menu_finalize(t, &t->rootmenu);
	kconf__build_calc_order(t);
	t->changed = true;
	kconf__pp_save_cache(t->pp);
	r = 0;
out:
	if (have_workdir)
		nftw(workdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(cache_dir);
	free(kver);
	free(ccv);
	kt_str_free(&id);
	/* the tree keeps the preprocessor for kconf_expr_parse(); not env */
	kt_map_free(env);
	if (t->pp) {
		kconf__pp_free(t->pp);
		t->pp = NULL;
	}
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
	size_t i, j;

	if (!t)
		return;
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
	free(t->sym_y.name);
	free(t->sym_m.name);
	free(t->sym_n.name);
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

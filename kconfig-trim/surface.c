// SPDX-License-Identifier: GPL-2.0-only
/*
 * The attack surface a trim took away, against a reference configuration
 * of the same tree (a distro's): the options the reference has on and the
 * trim does not, how many of them build drivers and filesystems, the
 * filesystems the reference kernel could mount and this one cannot, the
 * system calls the trimmed kernel still provides that no requirement asked
 * for (what a seccomp allowlist from the profile takes away at run time),
 * and the hardening floor's options kept. The trim report carries it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kconfig-trim/solve-internal.h"

/* A distro's .config is ~300 KB; far more is not a .config. */
#define REFERENCE_MAX (16u << 20)

void kconf_surface_free(struct kconf_surface *s)
{
	if (!s)
		return;
	free(s->path);
	kt_array_free(&s->fs_removed);
	kt_array_free_ptrs(&s->syscalls_unused);
	kt_array_free(&s->hardening);
	free(s);
}

/*
 * "CONFIG_X=y|m|..." into @ref (name -> (void *)(tristate + 1) for y and m);
 * comments and blank lines skipped, anything else is an error at its line.
 */
static int reference_load(const char *path, struct kt_map *ref, unsigned *y, unsigned *m,
			  struct kt_str *err)
{
	char *text = NULL;
	size_t len, lineno = 0;
	int r = kt_read_regular_file(path, REFERENCE_MAX, &text, &len);

	if (r < 0) {
		kt_str_printf(err, "%s: %s", path, r == -EINVAL ? "not a regular file" :
			      r == -EFBIG ? "too large for a .config" : strerror(-r));
		return r;
	}
	for (char *p = text, *nl; r == 0 && p < text + len; p = nl + 1) {
		char *eq;

		nl = memchr(p, '\n', (size_t)(text + len - p));
		if (!nl)
			nl = text + len;
		*nl = '\0';
		lineno++;
		if (!*p || *p == '#')
			continue;
		eq = strchr(p, '=');
		if (strncmp(p, "CONFIG_", 7) || !eq || eq == p + 7) {
			kt_str_printf(err, "%s:%zu: not a CONFIG_ line", path, lineno);
			r = -EINVAL;
			break;
		}
		*eq = '\0';
		if (strcmp(eq + 1, "y") && strcmp(eq + 1, "m"))
			continue;
		r = kt_map_set(ref, p + 7, (void *)(uintptr_t)(eq[1] == 'y' ? KCONF_Y + 1 :
								      KCONF_M + 1));
		(*(eq[1] == 'y' ? y : m))++;
	}
	free(text);
	return r;
}

static bool chain_on(const struct kconf_feat *f, struct kconf_tree *tree, const struct kt_map *ref)
{
	for (size_t i = 0; i < f->nlinks; i++) {
		struct kconf_sym *s;

		if (ref) {
			if (!kt_map_get(ref, f->links[i].sym))
				return false;
		} else if (!(s = kconf_sym_lookup(tree, f->links[i].sym)) ||
			   kconf_sym_tristate(s) == KCONF_N) {
			return false;
		}
	}
	return true;
}

struct surface_walk {
	struct kconf_trim *t;
	const struct kt_map *ref;
	struct kconf_surface *s;
	struct kt_map *asked;	/* syscalls some requirement names */
	int err;
};

static void fs_each(const struct kconf_feat *f, void *ctx)
{
	struct surface_walk *w = ctx;

	if (!w->err && chain_on(f, w->t->tree, w->ref) && !chain_on(f, w->t->tree, NULL) &&
	    kt_array_push_ptr(&w->s->fs_removed, (void *)f->name) < 0)
		w->err = -ENOMEM;
}

/*
 * The system calls a 64-bit kernel offers are its table's native ones
 * (kconf_syscalls_read: x86_64's syscall_64.tbl, arm64's generic table):
 * "5 common fstat sys_newfstat" is user space's fstat, defined as
 * SYSCALL_DEFINE2(newfstat, ...). One the tree defines and this
 * configuration builds is provided; one that no requirement names (by
 * either name) is unused. Other architectures, or a tree without its
 * table: every definition built, by its definition's name.
 */
static int syscalls_from_table(struct surface_walk *w, const struct kt_array *table)
{
	int r = 0;

	for (size_t i = 0; r == 0 && i < table->len; i++) {
		const struct kconf_syscall *sc = kt_array_at(table, i);
		const struct kconf_feat *f;

		/* sys_ni_syscall: the number is kept, the call is gone */
		if (!sc->entry || strncmp(sc->entry, "sys_", 4) ||
		    !strcmp(sc->entry, "sys_ni_syscall"))
			continue;
		f = kconf_featmap_lookup(w->t->fm, KCONF_FEAT_SYSCALL, sc->entry + 4);
		if (!f || !chain_on(f, w->t->tree, NULL))
			continue;
		w->s->syscalls_provided++;
		if (kt_map_has(w->asked, sc->name) || kt_map_has(w->asked, sc->entry + 4))
			continue;
		r = kt_array_push_strdup(&w->s->syscalls_unused, sc->name);
	}
	return r;
}

/* The tree's 64-bit architecture with a syscall table ktrim reads, or NULL. */
static const char *table_arch(struct kconf_tree *tree)
{
	static const char *const archs[][2] = { { "X86_64", "x86_64" }, { "ARM64", "arm64" } };

	for (size_t i = 0; i < KT_ARRAY_SIZE(archs); i++) {
		struct kconf_sym *sym = kconf_sym_lookup(tree, archs[i][0]);

		if (sym && kconf_sym_tristate(sym) == KCONF_Y)
			return archs[i][1];
	}
	return NULL;
}

static void syscall_each(const struct kconf_feat *f, void *ctx)
{
	struct surface_walk *w = ctx;

	if (w->err || !strncmp(f->name, "compat_", 7) || !chain_on(f, w->t->tree, NULL))
		return;
	w->s->syscalls_provided++;
	if (!kt_map_has(w->asked, f->name) &&
	    kt_array_push_strdup(&w->s->syscalls_unused, f->name) < 0)
		w->err = -ENOMEM;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Options of the tree: on in the reference, off here (and the other way). */
static void count_options(struct kconf_trim *t, const struct kt_map *ref, struct kconf_surface *s)
{
	size_t n = kconf_tree_nsyms(t->tree);

	for (size_t i = 0; i < n; i++) {
		struct kconf_sym *sym = kconf_tree_sym(t->tree, i);
		const char *name = kconf_sym_name(sym), *file = NULL;
		bool there, here;

		if (!name || (kconf_sym_type(sym) != KCONF_BOOL &&
			      kconf_sym_type(sym) != KCONF_TRISTATE))
			continue;
		there = kt_map_get(ref, name);
		here = kconf_sym_is_written(sym) && kconf_sym_tristate(sym) != KCONF_N;
		if (there == here) {
			s->kept += here;
			continue;
		}
		if (here) {
			s->only_here++;
			continue;
		}
		s->removed++;
		kconf_sym_def(sym, 0, &file, NULL, NULL);
		if (file && !strncmp(file, "drivers/", 8))
			s->drivers_removed++;
		else if (file && !strncmp(file, "fs/", 3))
			s->fs_options_removed++;
	}
}

/*
 * The hardening floor's symbols that are on: recipe hardening
 * (bases/hardening.yaml) and its architecture parts, hardening-ARCH.
 */
static bool from_hardening_floor(const char *origin)
{
	return origin && (!strcmp(origin, "recipe hardening") ||
			  !strncmp(origin, "recipe hardening-", 17));
}

static int hardening_kept(struct kconf_trim *t, struct kconf_surface *s)
{
	for (size_t i = 0; i < t->reqs.len; i++) {
		const struct kconf_req *q = kt_array_at(&t->reqs, i);
		struct kconf_sym *sym;

		if (q->kind != KCONF_REQ_SYMBOL || !from_hardening_floor(q->origin))
			continue;
		sym = kconf_sym_lookup(t->tree, q->sym);
		for (size_t j = 0; (!sym || !kconf_sym_ndefs(sym)) && j < q->alts.len; j++)
			sym = kconf_sym_lookup(t->tree, kt_array_ptr(&q->alts, j));
		if (sym && kconf_sym_name(sym) && kconf_sym_tristate(sym) != KCONF_N &&
		    kt_array_push_ptr(&s->hardening, (void *)kconf_sym_name(sym)) < 0)
			return -ENOMEM;
	}
	kt_array_sort(&s->hardening, name_cmp);
	return 0;
}

int kconf_trim_compare(struct kconf_trim *t, const char *reference, struct kt_str *err)
{
	struct kconf_surface *s = calloc(1, sizeof(*s));
	struct kt_map *ref = kt_map_new(NULL), *asked = kt_map_new(NULL);
	struct surface_walk w = { .t = t, .ref = ref, .s = s, .asked = asked };
	int r;

	if (!s || !ref || !asked || !(s->path = strdup(reference))) {
		r = -ENOMEM;
		goto out;
	}
	kt_array_init(&s->fs_removed, sizeof(char *));
	kt_array_init(&s->syscalls_unused, sizeof(char *));
	kt_array_init(&s->hardening, sizeof(char *));
	r = reference_load(reference, ref, &s->ref_y, &s->ref_m, err);
	if (r < 0)
		goto out;
	count_options(t, ref, s);
	for (size_t i = 0; r == 0 && i < t->reqs.len; i++) {
		const struct kconf_req *q = kt_array_at(&t->reqs, i);

		if (q->kind == KCONF_REQ_FEATURE && q->feat == KCONF_FEAT_SYSCALL)
			r = kt_map_set(asked, q->name, (void *)1);
	}
	if (r == 0) {
		const char *arch = table_arch(t->tree);
		struct kt_array table = KT_ARRAY_INIT(struct kconf_syscall);
		struct kt_str why = KT_STR_INIT;

		kconf_featmap_each(t->fm, KCONF_FEAT_FILESYSTEM, fs_each, &w);
		r = arch ? kconf_syscalls_read(kconf_tree_srctree(t->tree), arch, &table, &why)
			 : -ENOENT;
		if (r == 0) {
			r = syscalls_from_table(&w, &table);
		} else if (r == -ENOENT) {
			/* a tree without its table (a test fixture) counts its definitions */
			kconf_featmap_each(t->fm, KCONF_FEAT_SYSCALL, syscall_each, &w);
			r = 0;
		} else if (err) {
			kt_str_puts(err, kt_str_cstr(&why));
		}
		kconf_syscalls_free(&table);
		kt_str_free(&why);
		r = r ? r : w.err;
	}
	if (r == 0)
		r = hardening_kept(t, s);
	if (r < 0)
		goto out;
	kt_array_sort(&s->fs_removed, name_cmp);
	kt_array_sort(&s->syscalls_unused, name_cmp);
	kconf_surface_free(t->surface);
	t->surface = s;
	s = NULL;
out:
	kconf_surface_free(s);
	kt_map_free(ref);
	kt_map_free(asked);
	return r;
}

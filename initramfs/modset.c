// SPDX-License-Identifier: GPL-2.0-only
/*
 * Module closure with libkmod. The result is a flat load order so that the
 * guest init needs neither libkmod nor modules.dep: it just loads the list.
 *
 * Only the target tree's own files are consulted (modules.dep, .alias,
 * .softdep, .builtin): the host's /etc/modprobe.d must not change what
 * goes into an image, so libkmod gets an empty configuration list.
 */
#include <errno.h>
#include <libkmod.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "initramfs/internal.h"

struct modset_entry {
	struct initramfs_module pub;
	char *name;
	char *path;
	char *relpath;
};

struct initramfs_modset {
	struct kmod_ctx *ctx;
	char *moddir;
	char *release;
	struct kt_array order;		/* struct modset_entry * */
	struct kt_map *state;		/* name -> (void *)1 visiting, 2 done */
	struct kt_array builtins;	/* char *, sorted on demand */
};

#define VISITING ((void *)1)
#define DONE ((void *)2)

static void entry_free(struct modset_entry *e)
{
	if (!e)
		return;
	free(e->name);
	free(e->path);
	free(e->relpath);
	free(e);
}

int initramfs_modset_new(const char *moddir, const char *kernel_release,
			 struct initramfs_modset **out, struct kt_str *err)
{
	static const char *const no_config[] = { NULL };
	struct initramfs_modset *m;
	struct stat st;
	const char *base;
	int r;

	if (stat(moddir, &st) < 0 || !S_ISDIR(st.st_mode))
		return ar_fail(err, -ENOENT, "%s: no module directory",
			       moddir);
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	kt_array_init(&m->order, sizeof(void *));
	kt_array_init(&m->builtins, sizeof(void *));
	m->moddir = strdup(moddir);
	base = strrchr(moddir, '/');
	base = base && base[1] ? base + 1 : moddir;
	m->release = strdup(kernel_release ? kernel_release : base);
	m->state = kt_map_new(NULL);
	if (!m->moddir || !m->release || !m->state) {
		r = -ENOMEM;
		goto fail;
	}
	/* Trailing slashes would make every relpath computation wrong. */
	for (size_t n = strlen(m->moddir); n > 1 && m->moddir[n - 1] == '/';)
		m->moddir[--n] = '\0';
	m->ctx = kmod_new(m->moddir, no_config);
	if (!m->ctx) {
		r = ar_fail(err, -EINVAL, "%s: libkmod cannot use this module "
			    "directory", moddir);
		goto fail;
	}
	kmod_set_log_priority(m->ctx, 3);
	r = kmod_load_resources(m->ctx);
	if (r < 0) {
		r = ar_fail(err, r, "%s: cannot load modules.dep indexes "
			    "(run depmod -b ROOT %s)", moddir, m->release);
		goto fail;
	}
	*out = m;
	return 0;
fail:
	initramfs_modset_free(m);
	return r;
}

void initramfs_modset_free(struct initramfs_modset *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->order.len; i++)
		entry_free(kt_array_ptr(&m->order, i));
	kt_array_free(&m->order);
	for (size_t i = 0; i < m->builtins.len; i++)
		free(kt_array_ptr(&m->builtins, i));
	kt_array_free(&m->builtins);
	kt_map_free(m->state);
	if (m->ctx)
		kmod_unref(m->ctx);
	free(m->moddir);
	free(m->release);
	free(m);
}

const char *initramfs_modset_release(const struct initramfs_modset *m)
{
	return m->release;
}

static int note_builtin(struct initramfs_modset *m, const char *name)
{
	char *copy;

	if (kt_map_get(m->state, name))
		return 0;
	copy = strdup(name);
	if (!copy || kt_array_push_ptr(&m->builtins, copy) < 0) {
		free(copy);
		return -ENOMEM;
	}
	return kt_map_set(m->state, name, DONE);
}

static int visit(struct initramfs_modset *m, struct kmod_module *mod,
		 const char *why, struct kt_str *err);

/* Visit every module of a list (deps or softdeps). */
static int visit_list(struct initramfs_modset *m, struct kmod_list *list,
		      const char *why, bool soft, struct kt_str *err)
{
	struct kmod_list *l;
	int r = 0;

	kmod_list_foreach(l, list) {
		struct kmod_module *dep = kmod_module_get_module(l);

		/* A soft dependency that this tree lacks is not an error. */
		if (soft && !kmod_module_get_path(dep) &&
		    kmod_module_get_initstate(dep) != KMOD_MODULE_BUILTIN) {
			kt_dbg("softdep %s of %s not in tree; skipped",
			       kmod_module_get_name(dep), why);
			kmod_module_unref(dep);
			continue;
		}
		r = visit(m, dep, why, err);
		kmod_module_unref(dep);
		if (r < 0)
			break;
	}
	return r;
}

static int visit(struct initramfs_modset *m, struct kmod_module *mod,
		 const char *why, struct kt_str *err)
{
	const char *name = kmod_module_get_name(mod);
	const char *path;
	struct kmod_list *deps = NULL, *pre = NULL, *post = NULL;
	struct modset_entry *e = NULL;
	void *st = kt_map_get(m->state, name);
	size_t dl = strlen(m->moddir);
	int r;

	if (st == DONE)
		return 0;
	/* modules.dep is acyclic; softdeps may not be (a pre b, b post a). */
	if (st == VISITING)
		return 0;
	if (kmod_module_get_initstate(mod) == KMOD_MODULE_BUILTIN)
		return note_builtin(m, name);
	path = kmod_module_get_path(mod);
	if (!path)
		return ar_fail(err, -ENOENT, "module %s (needed by %s) is not "
			       "in %s", name, why, m->moddir);
	r = kt_map_set(m->state, name, VISITING);
	if (r < 0)
		return r;
	r = initramfs_module_check_vermagic(path, m->release, err);
	if (r < 0)
		goto out;
	r = kmod_module_get_softdeps(mod, &pre, &post);
	if (r < 0) {
		r = ar_fail(err, r, "module %s: cannot read softdeps", name);
		goto out;
	}
	r = visit_list(m, pre, name, true, err);
	if (r < 0)
		goto out;
	deps = kmod_module_get_dependencies(mod);
	r = visit_list(m, deps, name, false, err);
	if (r < 0)
		goto out;
	e = calloc(1, sizeof(*e));
	if (!e) {
		r = -ENOMEM;
		goto out;
	}
	e->name = strdup(name);
	e->path = strdup(path);
	e->relpath = strdup(strncmp(path, m->moddir, dl) == 0 &&
			    path[dl] == '/' ? path + dl + 1 : path);
	if (!e->name || !e->path || !e->relpath) {
		r = -ENOMEM;
		goto out;
	}
	e->pub.name = e->name;
	e->pub.path = e->path;
	e->pub.relpath = e->relpath;
	e->pub.comp = strstr(path, ".ko.xz") ? INITRAMFS_MOD_XZ :
		      strstr(path, ".ko.zst") ? INITRAMFS_MOD_ZSTD :
		      INITRAMFS_MOD_PLAIN;
	r = kt_array_push_ptr(&m->order, e);
	if (r < 0)
		goto out;
	e = NULL;
	r = kt_map_set(m->state, name, DONE);
	if (r < 0)
		goto out;
	/* Post softdeps load after the module itself, as modprobe does. */
	r = visit_list(m, post, name, true, err);
out:
	entry_free(e);
	kmod_module_unref_list(deps);
	kmod_module_unref_list(pre);
	kmod_module_unref_list(post);
	return r;
}

int initramfs_modset_add(struct initramfs_modset *m, const char *name,
			 struct kt_str *err)
{
	struct kmod_list *list = NULL;
	int r;

	r = kmod_module_new_from_lookup(m->ctx, name, &list);
	if (r < 0)
		return ar_fail(err, r, "module lookup of '%s' failed", name);
	if (!list)
		return ar_fail(err, -ENOENT, "no module or alias '%s' in %s",
			       name, m->moddir);
	r = visit_list(m, list, name, false, err);
	kmod_module_unref_list(list);
	return r;
}

size_t initramfs_modset_count(const struct initramfs_modset *m)
{
	return m->order.len;
}

const struct initramfs_module *initramfs_modset_get(
	const struct initramfs_modset *m, size_t i)
{
	struct modset_entry *e = kt_array_ptr(&m->order, i);

	return e ? &e->pub : NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t initramfs_modset_builtin_count(const struct initramfs_modset *m)
{
	return m->builtins.len;
}

const char *initramfs_modset_builtin(const struct initramfs_modset *m,
				     size_t i)
{
	/* Sorting here keeps the add path simple; it is cheap and stable. */
	kt_array_sort((struct kt_array *)&m->builtins, cmp_str);
	return kt_array_ptr(&m->builtins, i);
}

static bool strip_suffix(char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	if (n < k || strcmp(s + n - k, suffix) != 0)
		return false;
	s[n - k] = '\0';
	return true;
}

int initramfs_modset_add_to_archive(const struct initramfs_modset *m,
				    struct initramfs_archive *a,
				    bool decompress, struct kt_array *paths,
				    struct kt_str *err)
{
	struct kt_str ap = KT_STR_INIT;
	int r = 0;

	for (size_t i = 0; i < m->order.len; i++) {
		const struct modset_entry *e = kt_array_ptr(&m->order, i);
		char *rel = strdup(e->relpath);
		void *buf = NULL;
		size_t len = 0;

		if (!rel) {
			r = -ENOMEM;
			goto out;
		}
		kt_str_reset(&ap);
		if (decompress && e->pub.comp != INITRAMFS_MOD_PLAIN) {
			if (!strip_suffix(rel, ".xz"))
				strip_suffix(rel, ".zst");
			r = kt_str_printf(&ap, "/lib/modules/%s/%s",
					  m->release, rel);
			if (r == 0)
				r = initramfs_module_read(e->path, &buf, &len,
							  err);
			if (r == 0)
				r = initramfs_archive_add_data(a, ap.buf, buf,
							       len, 0644, err);
		} else {
			r = kt_str_printf(&ap, "/lib/modules/%s/%s",
					  m->release, rel);
			if (r == 0)
				r = initramfs_archive_add_file(a, ap.buf,
							       e->path, 0644,
							       err);
		}
		free(buf);
		free(rel);
		if (r == 0 && paths) {
			char *copy = strdup(ap.buf);

			r = copy ? kt_array_push_ptr(paths, copy) : -ENOMEM;
			if (r < 0)
				free(copy);
		}
		if (r < 0)
			goto out;
	}
out:
	kt_str_free(&ap);
	return r;
}

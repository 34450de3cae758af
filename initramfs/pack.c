// SPDX-License-Identifier: GPL-2.0-only
/*
 * The whole image: init, skeleton, modules, workload rootfs and spec.
 * /dev/console must exist in the archive itself: the kernel opens it for
 * init's stdio before init can mount devtmpfs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "initramfs/internal.h"

/*
 * Whether a user's tree already decided @path: it has it, or its parent is
 * something other than a directory (a "dev -> ..." link, say).
 */
static bool tree_has(const struct initramfs_archive *a, const char *path)
{
	const char *slash = strrchr(path, '/');
	const struct ar_entry *parent;
	char dir[32];

	if (kt_map_get(a->by_path, path))
		return true;
	if (!slash || (size_t)(slash - path) >= sizeof(dir))
		return false;
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	parent = kt_map_get(a->by_path, dir);
	return parent && parent->kind != AR_DIR;
}

/*
 * The mount points and device nodes an init needs before it can mount
 * devtmpfs. Under a user's tree (@tree) only what the tree lacks is added,
 * its own entries untouched (modes included), and not ktrim-init's own
 * /mnt and /etc/ktrim.
 */
static int add_skeleton(struct initramfs_archive *a, bool tree, struct kt_str *err)
{
	static const struct {
		const char *path;
		bool ktrim_init;
	} dirs[] = {
		{ "dev", false }, { "proc", false }, { "sys", false }, { "run", false },
		{ "tmp", false }, { "mnt", true }, { "etc/ktrim", true },
	};
	int r = 0;

	for (size_t i = 0; r == 0 && i < KT_ARRAY_SIZE(dirs); i++)
		if (!tree || (!dirs[i].ktrim_init && !tree_has(a, dirs[i].path)))
			r = initramfs_archive_add_dir(a, dirs[i].path, 0755, err);
	if (r == 0 && (!tree || !tree_has(a, "dev/console")))
		r = initramfs_archive_add_node(a, "dev/console", S_IFCHR | 0600, makedev(5, 1), err);
	if (r == 0 && (!tree || !tree_has(a, "dev/kmsg")))
		r = initramfs_archive_add_node(a, "dev/kmsg", S_IFCHR | 0644, makedev(1, 11), err);
	return r;
}

static void free_paths(struct kt_array *paths)
{
	for (size_t i = 0; i < paths->len; i++)
		free(kt_array_ptr(paths, i));
	kt_array_free(paths);
}

/* INITRAMFS_LOAD_ORDER beside the modules: a user's init has no spec to read it from. */
static int add_load_order(struct initramfs_archive *a, const struct initramfs_modset *m,
			  const struct kt_array *paths, struct kt_str *err)
{
	struct kt_str text = KT_STR_INIT, name = KT_STR_INIT;
	int r;

	for (size_t i = 0; i < paths->len; i++)
		kt_str_printf(&text, "%s\n", (const char *)kt_array_ptr(paths, i));
	kt_str_printf(&name, "lib/modules/%s/" INITRAMFS_LOAD_ORDER, initramfs_modset_release(m));
	r = kt_str_error(&text) ?: kt_str_error(&name);
	if (r == 0)
		r = initramfs_archive_add_data(a, name.buf, text.buf, text.len, 0644, err);
	kt_str_free(&text);
	kt_str_free(&name);
	return r;
}

/* The init: ktrim-init's binary, or a user's whole tree at the root. */
static int add_init(struct initramfs_archive *a, const struct initramfs_pack_opts *o,
		    struct kt_str *err)
{
	int r;

	if (!o->init_tree && !o->init_path)
		return ar_fail(err, -EINVAL, "no init binary given");
	if (!o->init_tree)
		return initramfs_archive_add_file(a, "init", o->init_path, 0755, err);
	if (o->init_path || o->rootfs_dir)
		return ar_fail(err, -EINVAL, "init tree %s: it replaces ktrim-init, which alone "
			       "reads a workload rootfs", o->init_tree);
	r = initramfs_archive_add_tree(a, "", o->init_tree, err);
	if (r == 0 && !kt_map_get(a->by_path, "init"))
		r = ar_fail(err, -ENOENT, "init tree %s has no /init", o->init_tree);
	return r;
}

int initramfs_pack(const struct initramfs_pack_opts *o, struct kt_str *err)
{
	struct initramfs_archive *a = initramfs_archive_new();
	struct initramfs_modset *m = NULL;
	struct initramfs_spec spec;
	struct kt_array paths = KT_ARRAY_INIT(char *);
	struct kt_str text = KT_STR_INIT;
	char rootfs_path[] = "/rootfs";
	struct stat st;
	int r;

	if (!a)
		return -ENOMEM;
	initramfs_archive_keep_setuid(a, o->keep_setuid);
	initramfs_spec_init(&spec);
	/* The caller's spec first, before any work; again once modules are in. */
	r = o->spec && !o->init_tree ? initramfs_spec_check(o->spec, err) : 0;
	if (r == 0)
		r = add_init(a, o, err);
	if (r == 0)
		r = add_skeleton(a, o->init_tree != NULL, err);
	if (r < 0)
		goto out;
	if (o->n_modules && !o->moddir) {
		r = ar_fail(err, -EINVAL, "modules requested but no module "
			    "directory given");
		goto out;
	}
	if (o->moddir && o->n_modules) {
		r = initramfs_modset_new(o->moddir, o->kernel_release, &m, err);
		if (r < 0)
			goto out;
		for (size_t i = 0; i < o->n_modules; i++) {
			r = initramfs_modset_add(m, o->modules[i], err);
			if (r < 0)
				goto out;
		}
		r = initramfs_modset_add_to_archive(m, a,
						    !o->keep_compressed_modules,
						    &paths, err);
		if (r == 0 && o->init_tree && paths.len)
			r = add_load_order(a, m, &paths, err);
		if (r < 0)
			goto out;
		kt_progress("modules: %zu to load (%zu built in) for %s",
			    initramfs_modset_count(m),
			    initramfs_modset_builtin_count(m),
			    initramfs_modset_release(m));
	}
	if (o->rootfs_dir) {
		if (stat(o->rootfs_dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
			r = ar_fail(err, -ENOTDIR, "rootfs %s is not a "
				    "directory", o->rootfs_dir);
			goto out;
		}
		r = initramfs_archive_add_tree(a, "rootfs", o->rootfs_dir,
					       err);
		if (r < 0)
			goto out;
	}
	if (o->extra_list) {
		r = initramfs_archive_add_list(a, o->extra_list, err);
		if (r < 0)
			goto out;
	}
	/* A user's init reads no ktrim spec. */
	if (!o->init_tree) {
		/* A shallow view of the caller's spec with the packed parts set. */
		if (o->spec)
			spec = *o->spec;
		spec.modules = paths;
		if (o->rootfs_dir && !spec.rootfs)
			spec.rootfs = rootfs_path;
		r = initramfs_spec_check(&spec, err);
		if (r == 0)
			r = initramfs_spec_format(&spec, &text);
		if (r == 0)
			r = initramfs_archive_add_data(a, INITRAMFS_SPEC_PATH, text.buf,
						       text.len, 0644, err);
		if (r < 0)
			goto out;
	}
	kt_progress("archive: %zu entries%s", initramfs_archive_count(a),
		    o->init_tree ? " (the init is the user's tree)" : "");
	r = initramfs_archive_write_file(a, &o->write, o->output, err);
	if (r < 0)
		goto out;
	kt_progress("wrote %s", o->output);
out:
	free_paths(&paths);
	kt_str_free(&text);
	initramfs_modset_free(m);
	initramfs_archive_free(a);
	return r;
}

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

static int add_skeleton(struct initramfs_archive *a, struct kt_str *err)
{
	static const char *const dirs[] = {
		"dev", "proc", "sys", "run", "tmp", "mnt", "etc/ktrim",
	};
	int r = 0;

	for (size_t i = 0; r == 0 && i < KT_ARRAY_SIZE(dirs); i++)
		r = initramfs_archive_add_dir(a, dirs[i], 0755, err);
	if (r == 0)
		r = initramfs_archive_add_node(a, "dev/console",
					       S_IFCHR | 0600, makedev(5, 1),
					       err);
	if (r == 0)
		r = initramfs_archive_add_node(a, "dev/kmsg", S_IFCHR | 0644,
					       makedev(1, 11), err);
	return r;
}

static void free_paths(struct kt_array *paths)
{
	for (size_t i = 0; i < paths->len; i++)
		free(kt_array_ptr(paths, i));
	kt_array_free(paths);
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
	r = o->spec ? initramfs_spec_check(o->spec, err) : 0;
	if (r == 0)
		r = add_skeleton(a, err);
	if (r < 0)
		goto out;
	if (!o->init_path) {
		r = ar_fail(err, -EINVAL, "no init binary given");
		goto out;
	}
	r = initramfs_archive_add_file(a, "init", o->init_path, 0755, err);
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
	kt_progress("archive: %zu entries", initramfs_archive_count(a));
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

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Entries from the host: a directory tree, or a gen_init_cpio-style list.
 * Directory order from readdir() is not stable across filesystems, but the
 * archive sorts at write time, so the walk order does not matter.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "initramfs/internal.h"

struct walk {
	struct initramfs_archive *a;
	struct kt_map *inodes;	/* "dev:ino" -> first archive path (owned) */
	struct kt_str *err;
};

static int join(struct kt_str *s, const char *a, const char *b)
{
	kt_str_reset(s);
	if (*a && strcmp(a, "/") != 0)
		return kt_str_printf(s, "%s/%s", a, b);
	return kt_str_puts(s, b);
}

static int add_one(struct walk *w, const char *apath, const char *hpath,
		   const struct stat *st);


static int walk_dir(struct walk *w, const char *apath, const char *hpath)
{
	struct kt_str ha = KT_STR_INIT, aa = KT_STR_INIT;
	DIR *d = opendir(hpath);
	struct dirent *de;
	int r = 0;

	if (!d)
		return ar_fail(w->err, -errno, "%s: %s", hpath,
			       strerror(errno));
	while ((errno = 0, de = readdir(d))) {
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		r = join(&ha, hpath, de->d_name);
		if (r == 0)
			r = join(&aa, apath, de->d_name);
		if (r < 0)
			goto out;
		if (lstat(ha.buf, &st) < 0) {
			r = ar_fail(w->err, -errno, "%s: %s", ha.buf,
				    strerror(errno));
			goto out;
		}
		r = add_one(w, aa.buf, ha.buf, &st);
		if (r < 0)
			goto out;
	}
	if (errno)
		r = ar_fail(w->err, -errno, "%s: %s", hpath, strerror(errno));
out:
	closedir(d);
	kt_str_free(&ha);
	kt_str_free(&aa);
	return r;
}

static int add_one(struct walk *w, const char *apath, const char *hpath,
		   const struct stat *st)
{
	mode_t perm = st->st_mode & 07777;

	if (S_ISDIR(st->st_mode)) {
		int r = 0;

		if (*apath && strcmp(apath, "/") != 0)
			r = initramfs_archive_add_dir(w->a, apath, perm,
						      w->err);
		return r < 0 ? r : walk_dir(w, apath, hpath);
	}
	if (S_ISREG(st->st_mode)) {
		char key[64];
		const char *first;


		/* the host's mode, and its owner for the setuid rule */
		if (st->st_nlink < 2)
			return ar_add_file(w->a, apath, hpath, -1, w->err);
		snprintf(key, sizeof(key), "%llu:%llu",
			 (unsigned long long)st->st_dev,
			 (unsigned long long)st->st_ino);
		first = kt_map_get(w->inodes, key);
		if (first)
			return initramfs_archive_add_hardlink(w->a, apath,
							      first, w->err);
		char *copy = strdup(apath);

		if (!copy || kt_map_set(w->inodes, key, copy) < 0) {
			free(copy);
			return -ENOMEM;
		}
		return ar_add_file(w->a, apath, hpath, -1, w->err);
	}
	if (S_ISLNK(st->st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlink(hpath, target, sizeof(target) - 1);

		if (n < 0)
			return ar_fail(w->err, -errno, "%s: %s", hpath,
				       strerror(errno));
		target[n] = '\0';
		return initramfs_archive_add_symlink(w->a, apath, target,
						     w->err);
	}
	return initramfs_archive_add_node(w->a, apath, st->st_mode,
					  st->st_rdev, w->err);
}

int initramfs_archive_add_tree(struct initramfs_archive *a, const char *dest,
			       const char *host_dir, struct kt_str *err)
{
	struct walk w = { a, kt_map_new(free), err };
	struct stat st;
	int r;

	if (!w.inodes)
		return -ENOMEM;
	if (stat(host_dir, &st) < 0) {
		r = ar_fail(err, -errno, "%s: %s", host_dir, strerror(errno));
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		r = ar_fail(err, -ENOTDIR, "%s: not a directory", host_dir);
		goto out;
	}
	r = add_one(&w, dest ? dest : "", host_dir, &st);
out:
	kt_map_free(w.inodes);
	return r;
}

/* ---- gen_init_cpio list files --------------------------------------- */

static int parse_mode(const char *s, mode_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 8);
	if (errno || *end || v > 07777)
		return -EINVAL;
	*out = (mode_t)v;
	return 0;
}

static int list_line(struct initramfs_archive *a, char **f, int n,
		     struct kt_str *err)
{
	mode_t mode;
	unsigned long maj, min;
	char *end;

#define NEED(k) do { if (n != (k)) return ar_fail(err, -EINVAL, \
		"'%s' takes %d fields, found %d", f[0], (k) - 1, n - 1); } while (0)
	if (strcmp(f[0], "dir") == 0) {
		NEED(5);
		if (parse_mode(f[2], &mode) < 0)
			goto bad_mode;
		return initramfs_archive_add_dir(a, f[1], mode, err);
	}
	if (strcmp(f[0], "file") == 0) {
		/* gen_init_cpio allows extra hard-link names; we do not. */
		NEED(6);
		if (parse_mode(f[3], &mode) < 0)
			goto bad_mode;
		/* mode 0: the host's mode, checked against the host's owner */
		if (mode == 0)
			return ar_add_file(a, f[1], f[2], -1, err);
		/* else the list's owner; a name is not root either */
		maj = strtoul(f[4], &end, 10);
		if (*end || !*f[4])
			maj = ULONG_MAX;
		min = strtoul(f[5], &end, 10);
		if (*end || !*f[5])
			min = ULONG_MAX;
		mode = ar_file_perm(a, f[1], mode, maj, min);
		return ar_add_file(a, f[1], f[2], (int)mode, err);
	}
	if (strcmp(f[0], "slink") == 0) {
		NEED(6);
		return initramfs_archive_add_symlink(a, f[1], f[2], err);
	}
	if (strcmp(f[0], "pipe") == 0 || strcmp(f[0], "sock") == 0) {
		NEED(5);
		if (parse_mode(f[2], &mode) < 0)
			goto bad_mode;
		mode |= f[0][0] == 'p' ? S_IFIFO : S_IFSOCK;
		return initramfs_archive_add_node(a, f[1], mode, 0, err);
	}
	if (strcmp(f[0], "nod") == 0) {
		NEED(8);
		if (parse_mode(f[2], &mode) < 0)
			goto bad_mode;
		if (strcmp(f[5], "c") != 0 && strcmp(f[5], "b") != 0)
			return ar_fail(err, -EINVAL, "device type '%s' is "
				       "neither c nor b", f[5]);
		mode |= f[5][0] == 'c' ? S_IFCHR : S_IFBLK;
		maj = strtoul(f[6], &end, 10);
		if (*end)
			return ar_fail(err, -EINVAL, "bad major '%s'", f[6]);
		min = strtoul(f[7], &end, 10);
		if (*end)
			return ar_fail(err, -EINVAL, "bad minor '%s'", f[7]);
		return initramfs_archive_add_node(a, f[1], mode,
						  makedev(maj, min), err);
	}
#undef NEED
	return ar_fail(err, -EINVAL, "unknown entry type '%s'", f[0]);
bad_mode:
	return ar_fail(err, -EINVAL, "bad octal mode");
}

int initramfs_archive_add_list(struct initramfs_archive *a,
			       const char *list_path, struct kt_str *err)
{
	char *text = NULL, *line, *save = NULL;
	struct kt_str msg = KT_STR_INIT;
	int r, lineno = 0;

	r = kt_read_regular_file(list_path, 0, &text, NULL);
	if (r < 0)
		return ar_fail(err, r, "%s: %s", list_path,
			       r == -EINVAL ? "not a regular file" : strerror(-r));
	for (line = text; line; line = save) {
		char *f[10], *tok, *sp = NULL;
		int n = 0;

		save = strchr(line, '\n');
		if (save)
			*save++ = '\0';
		lineno++;
		for (tok = strtok_r(line, " \t\r", &sp); tok && n < 10;
		     tok = strtok_r(NULL, " \t\r", &sp)) {
			if (tok[0] == '#')
				break;
			f[n++] = tok;
		}
		if (n == 0)
			continue;
		kt_str_reset(&msg);
		r = list_line(a, f, n, &msg);
		if (r < 0) {
			ar_fail(err, r, "%s:%d: %s", list_path, lineno,
				kt_str_cstr(&msg));
			goto out;
		}
	}
out:
	kt_str_free(&msg);
	free(text);
	return r;
}

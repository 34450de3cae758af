// SPDX-License-Identifier: GPL-2.0-only
/*
 * The archive object: a set of entries keyed by normalised path. Nothing
 * about the host survives into it except content and permission bits, so
 * the bytes written later depend only on what was added.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "initramfs/internal.h"

int ar_fail(struct kt_str *err, int r, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return r;
	if (err->len)
		kt_str_puts(err, ": ");
	va_start(ap, fmt);
	kt_str_vprintf(err, fmt, ap);
	va_end(ap);
	return r;
}

static void entry_free(void *p)
{
	struct ar_entry *e = p;

	if (!e)
		return;
	free(e->path);
	free(e->host_path);
	free(e->data);
	free(e);
}

static int64_t default_mtime(void)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long long v;

	if (!sde || !*sde)
		return 0;
	errno = 0;
	v = strtoll(sde, &end, 10);
	/* newc stores 32 unsigned bits; anything else cannot be honoured. */
	if (errno || *end || v < 0 || v > 0xffffffffLL) {
		kt_warn("SOURCE_DATE_EPOCH='%s' is not a valid time for cpio; "
			"using 0", sde);
		return 0;
	}
	return v;
}

struct initramfs_archive *initramfs_archive_new(void)
{
	struct initramfs_archive *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->by_path = kt_map_new(entry_free);
	if (!a->by_path) {
		free(a);
		return NULL;
	}
	kt_array_init(&a->entries, sizeof(struct ar_entry *));
	a->mtime = default_mtime();
	return a;
}

void initramfs_archive_free(struct initramfs_archive *a)
{
	if (!a)
		return;
	kt_map_free(a->by_path);
	kt_array_free(&a->entries);
	free(a);
}

void initramfs_archive_set_mtime(struct initramfs_archive *a, int64_t mtime)
{
	a->mtime = mtime < 0 ? 0 : mtime > 0xffffffffLL ? 0xffffffffLL : mtime;
}

void initramfs_archive_keep_setuid(struct initramfs_archive *a, bool keep)
{
	a->keep_setuid = keep;
}

int64_t initramfs_archive_get_mtime(const struct initramfs_archive *a)
{
	return a->mtime;
}

size_t initramfs_archive_count(const struct initramfs_archive *a)
{
	return kt_map_len(a->by_path);
}

static int insert(struct initramfs_archive *a, struct ar_entry *e)
{
	int r = kt_map_set(a->by_path, e->path, e);

	if (r < 0)
		return r;
	r = kt_array_push_ptr(&a->entries, e);
	if (r < 0) {
		/* The map owns it now; drop it from there to stay consistent. */
		kt_map_del(a->by_path, e->path);
	}
	return r;
}

/* Create missing parents of normalised @path as 0755 directories. */
static int ensure_parents(struct initramfs_archive *a, const char *path,
			  struct kt_str *err)
{
	char *copy = strdup(path);
	int r = 0;

	if (!copy)
		return -ENOMEM;
	for (char *p = strchr(copy, '/'); p; p = strchr(p + 1, '/')) {
		struct ar_entry *e;

		*p = '\0';
		e = kt_map_get(a->by_path, copy);
		if (e && e->kind != AR_DIR) {
			r = ar_fail(err, -ENOTDIR, "archive path '%s': parent "
				    "'%s' is not a directory", path, copy);
			goto out;
		}
		if (!e) {
			e = calloc(1, sizeof(*e));
			if (!e || !(e->path = strdup(copy))) {
				free(e);
				r = -ENOMEM;
				goto out;
			}
			e->kind = AR_DIR;
			e->mode = S_IFDIR | 0755;
			e->group = e;
			r = insert(a, e);
			if (r < 0)
				goto out;
		}
		*p = '/';
	}
out:
	free(copy);
	return r;
}

/*
 * Common front of every add: normalise, check for a clash, make parents.
 * On success *out is a new zeroed entry already inserted (kind and mode
 * set); the caller fills in the rest. Directories added twice return 1
 * with *out pointing at the existing entry.
 */
static int add_entry(struct initramfs_archive *a, const char *path,
		     enum ar_kind kind, uint32_t mode, struct ar_entry **out,
		     struct kt_str *err)
{
	struct ar_entry *e = NULL, *old;
	char *norm = NULL;
	int r;

	r = ar_path_normalize(path, &norm, err);
	if (r < 0)
		return r;
	old = kt_map_get(a->by_path, norm);
	if (old) {
		if (kind == AR_DIR && old->kind == AR_DIR) {
			old->mode = mode;
			*out = old;
			r = 1;
		} else {
			r = ar_fail(err, -EEXIST, "archive path '%s' added "
				    "twice", norm);
		}
		goto out;
	}
	r = ensure_parents(a, norm, err);
	if (r < 0)
		goto out;
	e = calloc(1, sizeof(*e));
	if (!e) {
		r = -ENOMEM;
		goto out;
	}
	e->path = norm;
	norm = NULL;
	e->kind = kind;
	e->mode = mode;
	e->group = e;
	r = insert(a, e);
	if (r < 0)
		goto out;
	*out = e;
out:
	free(norm);
	return r;
}

int initramfs_archive_add_dir(struct initramfs_archive *a, const char *path,
			      mode_t mode, struct kt_str *err)
{
	struct ar_entry *e;
	int r = add_entry(a, path, AR_DIR, S_IFDIR | (mode & 07777), &e, err);

	return r < 0 ? r : 0;
}

/*
 * The permission bits of a regular file that the host has owned by
 * @uid:@gid and the image will own by 0:0. Setuid of a non-root owner
 * (setgid of a non-root group) would become setuid (setgid) root, a
 * privilege the file never had: the bit is dropped, and said, unless the
 * caller asked to keep them.
 */
mode_t ar_file_perm(const struct initramfs_archive *a, const char *apath,
		    mode_t perm, unsigned long uid, unsigned long gid)
{
	if (a->keep_setuid) {
		if ((perm & S_ISUID) && uid != 0)
			kt_warn("%s: setuid bit kept as asked: owned by uid %lu, setuid root "
				"in the image", apath, uid);
		if ((perm & S_ISGID) && gid != 0)
			kt_warn("%s: setgid bit kept as asked: group gid %lu, setgid root "
				"in the image", apath, gid);
		return perm;
	}
	if ((perm & S_ISUID) && uid != 0) {
		kt_warn("%s: setuid bit cleared: owned by uid %lu, would be "
			"setuid root in the image", apath, uid);
		perm &= ~(mode_t)S_ISUID;
	}
	if ((perm & S_ISGID) && gid != 0) {
		kt_warn("%s: setgid bit cleared: group gid %lu, would be "
			"setgid root in the image", apath, gid);
		perm &= ~(mode_t)S_ISGID;
	}
	return perm;
}

int initramfs_archive_add_file(struct initramfs_archive *a, const char *path,
			       const char *host_path, mode_t mode,
			       struct kt_str *err)
{
	return ar_add_file(a, path, host_path, mode ? (int)mode : -1, err);
}

int ar_add_file(struct initramfs_archive *a, const char *path,
		const char *host_path, int mode, struct kt_str *err)
{
	struct ar_entry *e;
	struct stat st;
	int r;

	if (stat(host_path, &st) < 0)
		return ar_fail(err, -errno, "%s: %s", host_path,
			       strerror(errno));
	if (!S_ISREG(st.st_mode))
		return ar_fail(err, -EINVAL, "%s: not a regular file",
			       host_path);
	if (mode < 0)
		mode = (int)ar_file_perm(a, path, st.st_mode & 07777,
					 st.st_uid, st.st_gid);
	r = add_entry(a, path, AR_FILE_HOST, S_IFREG | ((mode_t)mode & 07777),
		      &e, err);
	if (r < 0)
		return r;
	e->size = (uint64_t)st.st_size;
	e->host_path = strdup(host_path);
	return e->host_path ? 0 : -ENOMEM;
}

int initramfs_archive_add_data(struct initramfs_archive *a, const char *path,
			       const void *data, size_t len, mode_t mode,
			       struct kt_str *err)
{
	struct ar_entry *e;
	int r;

	r = add_entry(a, path, AR_FILE_DATA, S_IFREG | (mode & 07777), &e,
		      err);
	if (r < 0)
		return r;
	e->size = len;
	e->data = malloc(len ? len : 1);
	if (!e->data)
		return -ENOMEM;
	if (len)
		memcpy(e->data, data, len);
	return 0;
}

int initramfs_archive_add_symlink(struct initramfs_archive *a,
				  const char *path, const char *target,
				  struct kt_str *err)
{
	struct ar_entry *e;
	char *norm = NULL;
	int r;

	if (!*target)
		return ar_fail(err, -EINVAL, "symlink '%s' has an empty "
			       "target", path);
	r = ar_path_normalize(path, &norm, err);
	if (r < 0)
		return r;
	if (!ar_symlink_inside(norm, target)) {
		r = ar_fail(err, -EINVAL, "symlink '%s' -> '%s' points above "
			    "the archive root", norm, target);
		goto out;
	}
	r = add_entry(a, norm, AR_SYMLINK, S_IFLNK | 0777, &e, err);
	if (r < 0)
		goto out;
	e->size = strlen(target);
	e->data = strdup(target);
	if (!e->data)
		r = -ENOMEM;
out:
	free(norm);
	return r;
}

int initramfs_archive_add_node(struct initramfs_archive *a, const char *path,
			       mode_t mode, dev_t rdev, struct kt_str *err)
{
	struct ar_entry *e;
	mode_t type = mode & S_IFMT;
	int r;

	if (type != S_IFCHR && type != S_IFBLK && type != S_IFIFO &&
	    type != S_IFSOCK)
		return ar_fail(err, -EINVAL, "'%s': mode 0%o is not a device, "
			       "fifo or socket", path, (unsigned)mode);
	r = add_entry(a, path, AR_NODE, type | (mode & 07777), &e, err);
	if (r < 0)
		return r;
	if (type == S_IFCHR || type == S_IFBLK) {
		e->rdev_major = major(rdev);
		e->rdev_minor = minor(rdev);
	}
	return 0;
}

int initramfs_archive_add_hardlink(struct initramfs_archive *a,
				   const char *path, const char *existing,
				   struct kt_str *err)
{
	struct ar_entry *e, *target;
	char *norm = NULL;
	int r;

	r = ar_path_normalize(existing, &norm, err);
	if (r < 0)
		return r;
	target = kt_map_get(a->by_path, norm);
	if (!target || (target->kind != AR_FILE_HOST &&
			target->kind != AR_FILE_DATA &&
			target->kind != AR_HARDLINK)) {
		r = ar_fail(err, -ENOENT, "hard link '%s': '%s' is not a "
			    "regular file in the archive", path, norm);
		goto out;
	}
	r = add_entry(a, path, AR_HARDLINK, target->mode, &e, err);
	if (r < 0)
		goto out;
	e->group = target->group;
	e->size = target->group->size;
out:
	free(norm);
	return r;
}

static int cmp_entry_path(const void *x, const void *y)
{
	const struct ar_entry *const *a = x, *const *b = y;

	return strcmp((*a)->path, (*b)->path);
}

int ar_layout(const struct initramfs_archive *a, struct ar_entry ***sorted,
	      size_t *n)
{
	struct ar_entry **v;
	size_t count = 0;
	uint32_t ino = 1;

	v = calloc(a->entries.len ? a->entries.len : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < a->entries.len; i++) {
		struct ar_entry *e = kt_array_ptr(&a->entries, i);

		/* Entries dropped from the map are not in the archive. */
		if (kt_map_get(a->by_path, e->path) != e)
			continue;
		e->ino = 0;
		e->nlink = e->kind == AR_DIR ? 2 : 1;
		e->data_holder = NULL;
		v[count++] = e;
	}
	qsort(v, count, sizeof(*v), cmp_entry_path);
	for (size_t i = 0; i < count; i++) {
		struct ar_entry *e = v[i], *g = e->group;
		char *slash;

		if (g->ino == 0)
			g->ino = ino++;
		e->ino = g->ino;
		if (e != g)
			g->nlink++;
		/* Data goes with the last link, as GNU cpio writes it. */
		g->data_holder = e;
		/* A subdirectory adds a ".." link to its parent. */
		slash = e->kind == AR_DIR ? strrchr(e->path, '/') : NULL;
		if (slash) {
			struct ar_entry *parent;

			*slash = '\0';
			parent = kt_map_get(a->by_path, e->path);
			*slash = '/';
			if (parent)
				parent->nlink++;
		}
	}
	for (size_t i = 0; i < count; i++)
		v[i]->nlink = v[i]->group->nlink;
	*sorted = v;
	*n = count;
	return 0;
}

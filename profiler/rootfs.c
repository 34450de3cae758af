// SPDX-License-Identifier: GPL-2.0-only
/*
 * The workload's root filesystem: given as a directory, a tarball or a
 * container image (image.c), always handed on as a directory; and its identity, a
 * hash over the tree that does not depend on directory order or on times.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "profiler/profiler.h"

/* ---- tree hash -------------------------------------------------------------- */

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int skip_dots(const struct dirent *d)
{
	return strcmp(d->d_name, ".") && strcmp(d->d_name, "..");
}

static int hash_file(struct kt_sha256 *c, const char *path)
{
	char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		kt_sha256_update(c, buf, (size_t)n);
	close(fd);
	return n < 0 ? -EIO : 0;
}

/* Each entry: relative path, type+mode, then size+content or link target. */
static int hash_tree(struct kt_sha256 *c, const char *root, const char *rel,
		     struct kt_str *err)
{
	struct dirent **ents = NULL;
	char path[4096], sub[4096], head[64];
	int n, ret = 0;

	snprintf(path, sizeof(path), "%s%s%s", root, *rel ? "/" : "", rel);
	n = scandir(path, &ents, skip_dots, name_cmp);
	if (n < 0) {
		kt_str_printf(err, "%s: %s", path, strerror(errno));
		return -errno;
	}
	for (int i = 0; i < n && !ret; i++) {
		struct stat st;

		if (snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "",
			     ents[i]->d_name) >= (int)sizeof(sub) ||
		    snprintf(path, sizeof(path), "%s/%s", root, sub) >= (int)sizeof(path)) {
			kt_str_printf(err, "%s/%s: path too long", root, sub);
			ret = -ENAMETOOLONG;
			break;
		}
		if (lstat(path, &st)) {
			ret = -errno;
			kt_str_printf(err, "%s: %s", path, strerror(errno));
			break;
		}
		kt_sha256_update(c, sub, strlen(sub) + 1);
		snprintf(head, sizeof(head), "%o", (unsigned)st.st_mode);
		kt_sha256_update(c, head, strlen(head) + 1);
		if (S_ISREG(st.st_mode)) {
			snprintf(head, sizeof(head), "%" PRIu64, (uint64_t)st.st_size);
			kt_sha256_update(c, head, strlen(head) + 1);
			ret = hash_file(c, path);
			if (ret)
				kt_str_printf(err, "%s: %s", path, strerror(-ret));
		} else if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t len = readlink(path, target, sizeof(target));

			if (len > 0)
				kt_sha256_update(c, target, (size_t)len);
		} else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
			snprintf(head, sizeof(head), "%" PRIu64, (uint64_t)st.st_rdev);
			kt_sha256_update(c, head, strlen(head) + 1);
		} else if (S_ISDIR(st.st_mode)) {
			ret = hash_tree(c, root, sub, err);
		}
	}
	for (int i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return ret;
}

int kprof_tree_sha256(const char *dir, char hex[65], struct kt_str *err)
{
	struct kt_sha256 c;
	int ret;

	if ((ret = kt_sha256_init(&c)))
		return ret;
	ret = hash_tree(&c, dir, "", err);
	/* Finalising also releases the context, so it runs on errors too. */
	if (kt_sha256_final_hex(&c, hex) && !ret)
		ret = -EIO;
	return ret;
}

/* ---- unpacking ---------------------------------------------------------------- */

static int untar(const char *tarball, const char *dest, struct kt_str *err)
{
	/* GNU tar detects gzip/xz/zstd itself; ownership kept as root would. */
	const char *argv[] = { "tar", "-x", "--no-same-owner", "-f", tarball,
			       "-C", dest, NULL };
	int ret = kt_run(argv, NULL, NULL);

	if (ret) {
		kt_str_printf(err, "unpacking %s failed (tar status %d)", tarball, ret);
		return ret < 0 ? ret : -EIO;
	}
	return 0;
}

static int remove_tree(const char *path)
{
	const char *argv[] = { "rm", "-rf", "--one-file-system", path, NULL };

	return kt_run(argv, NULL, NULL) ? -EIO : 0;
}

/*
 * OCI layers. Unpacking a layer with tar straight over the lower ones let
 * it write and delete through their symlinks: an absolute symlink "evil
 * -> /etc" in one layer and "evil/passwd" (or "evil/.wh.passwd") in the
 * next reached the host's /etc. So each layer is unpacked by tar into an
 * empty staging directory of its own (where GNU tar's own guards hold:
 * no "..", no leading "/", symlinks created last), and then merged into
 * the root here, one directory at a time:
 *
 *   - every directory of the root is opened relative to its parent with
 *     O_NOFOLLOW, so no lower-layer symlink is followed by accident;
 *   - where the layer has a directory and the root a symlink, the symlink
 *     is resolved as the image would see it, inside the root (openat2
 *     RESOLVE_IN_ROOT), so "lib -> usr/lib" keeps working and "/" means
 *     the root, never the host's; without openat2 that case is an error;
 *   - files, symlinks and device nodes are moved in with renameat() over
 *     whatever was there (removed first, never followed);
 *   - ".wh.NAME" deletes NAME and ".wh..wh..opq" empties its directory,
 *     both relative to the same directory fds, before the layer's own
 *     entries of that directory land.
 *
 * Hard links between files of one layer survive the moves (same inode);
 * a hard link to a file of a lower layer fails in the staging directory,
 * an error rather than a wrong tree.
 */
#define WH_PREFIX ".wh."
#define WH_OPAQUE ".wh..wh..opq"

static int remove_at(int dirfd, const char *name);

/*
 * The names in the directory @fd (not "." and ".."), collected before the
 * caller changes it: entries removed or added while readdir() runs may be
 * skipped or seen twice.
 */
static int dir_names(int fd, struct kt_array *names)
{
	struct dirent *de;
	DIR *d;
	int dup_fd = dup(fd), ret = 0;

	if (dup_fd < 0)
		return -errno;
	d = fdopendir(dup_fd);
	if (!d) {
		close(dup_fd);
		return -errno;
	}
	/* a dup shares the offset: start from the top whoever read before */
	rewinddir(d);
	while ((de = readdir(d)) && !ret)
		if (skip_dots(de))
			ret = kt_array_push_strdup(names, de->d_name);
	closedir(d);
	return ret;
}

/* Remove everything in the directory @fd (not @fd itself). */
static int empty_dir(int fd)
{
	struct kt_array names = KT_ARRAY_INIT(char *);
	int ret = dir_names(fd, &names);

	for (size_t i = 0; i < names.len && !ret; i++)
		ret = remove_at(fd, kt_array_ptr(&names, i));
	kt_array_free_ptrs(&names);
	return ret;
}

/* rm -rf of @name in @dirfd, never following a symlink; absent is fine. */
static int remove_at(int dirfd, const char *name)
{
	struct stat st;
	int fd, ret;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (S_ISDIR(st.st_mode)) {
		fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			    O_CLOEXEC);
		if (fd < 0)
			return -errno;
		ret = empty_dir(fd);
		close(fd);
		if (ret)
			return ret;
	}
	if (unlinkat(dirfd, name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) < 0)
		return errno == ENOENT ? 0 : -errno;
	return 0;
}

int kprof_open_in_root(int rootfd, const char *rel, int flags)
{
#ifdef SYS_openat2
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS |
			   RESOLVE_NO_XDEV,
	};
	long fd = syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));

	return fd < 0 ? -errno : (int)fd;
#else
	return -ENOSYS;
#endif
}

struct merge {
	int rootfd;		/* the root being built */
	struct kt_str rel;	/* the current directory, relative to it */
	const char *layer;	/* for messages */
	struct kt_str *err;
};

static int merge_dir(struct merge *m, int src, int dst);

/* The layer's directory @name (in @src) over whatever @dst has there. */
static int merge_subdir(struct merge *m, int src, int dst, const char *name,
			const struct stat *sst)
{
	size_t rel_len = m->rel.len;
	struct stat dst_st;
	int sfd = -1, dfd = -1, ret = 0;

	if (fstatat(dst, name, &dst_st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT)
			return -errno;
		dst_st.st_mode = 0;
	}
	if (m->rel.len)
		kt_str_putc(&m->rel, '/');
	kt_str_puts(&m->rel, name);
	if ((ret = kt_str_error(&m->rel)))
		goto out;
	if (S_ISLNK(dst_st.st_mode)) {
		/* "lib -> usr/lib": the layer's lib/x goes to usr/lib/x */
		dfd = kprof_open_in_root(m->rootfd, m->rel.buf, O_RDONLY | O_DIRECTORY);
		if (dfd == -ENOSYS) {
			kt_str_printf(m->err, "%s: '%s' is a symlink in a lower "
				      "layer; resolving it safely needs openat2 "
				      "(Linux 5.6)", m->layer, m->rel.buf);
			ret = dfd;
			goto out;
		}
		/* dangling, or not a directory: the layer's directory wins */
		if (dfd < 0)
			dst_st.st_mode = S_IFREG;
	}
	if (dfd < 0 && !S_ISDIR(dst_st.st_mode)) {
		if ((ret = remove_at(dst, name)))
			goto out;
		if (mkdirat(dst, name, sst->st_mode & 07777) < 0) {
			ret = -errno;
			goto out;
		}
	}
	if (dfd < 0) {
		dfd = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			     O_CLOEXEC);
		/* the layer's entry says what the directory's mode is */
		if (dfd < 0 || fchmod(dfd, sst->st_mode & 07777) < 0) {
			ret = -errno;
			goto out;
		}
	}
	sfd = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sfd < 0) {
		ret = -errno;
		goto out;
	}
	ret = merge_dir(m, sfd, dfd);
out:
	if (sfd >= 0)
		close(sfd);
	if (dfd >= 0)
		close(dfd);
	m->rel.len = rel_len;
	if (m->rel.buf)
		m->rel.buf[rel_len] = '\0';
	return ret;
}

/* Apply the staged layer directory @src to the root directory @dst. */
static int merge_dir(struct merge *m, int src, int dst)
{
	struct kt_array names = KT_ARRAY_INIT(char *);
	struct stat st;
	int ret = 0;

	/* an opaque directory hides everything below it in lower layers */
	if (fstatat(src, WH_OPAQUE, &st, AT_SYMLINK_NOFOLLOW) == 0)
		ret = empty_dir(dst);
	if (!ret)
		ret = dir_names(src, &names);
	/* whiteouts first: they are about the lower layers only */
	for (size_t i = 0; i < names.len && !ret; i++) {
		const char *name = kt_array_ptr(&names, i), *victim;

		if (strncmp(name, WH_PREFIX, strlen(WH_PREFIX)))
			continue;
		victim = name + strlen(WH_PREFIX);
		if (strcmp(name, WH_OPAQUE) && *victim && strcmp(victim, ".") &&
		    strcmp(victim, ".."))
			ret = remove_at(dst, victim);
	}
	for (size_t i = 0; i < names.len && !ret; i++) {
		const char *name = kt_array_ptr(&names, i);

		if (!strncmp(name, WH_PREFIX, strlen(WH_PREFIX)))
			continue;
		if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			ret = -errno;
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			ret = merge_subdir(m, src, dst, name, &st);
			continue;
		}
		ret = remove_at(dst, name);
		if (!ret && renameat(src, name, dst, name) < 0)
			ret = -errno;
	}
	kt_array_free_ptrs(&names);
	return ret;
}

/* Unpack the layer tarball @layer into the root @dest through @staging. */
static int apply_layer(const char *layer, const char *staging,
		       const char *dest, struct kt_str *err)
{
	struct merge m = { .rootfd = -1, .rel = KT_STR_INIT, .layer = layer,
			   .err = err };
	int src = -1, ret;

	ret = remove_tree(staging);
	if (!ret)
		ret = kt_mkdir_p(staging, 0755);
	if (!ret)
		ret = untar(layer, staging, err);
	if (ret)
		goto out;
	src = open(staging, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	m.rootfd = open(dest, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (src < 0 || m.rootfd < 0) {
		ret = -errno;
		goto out;
	}
	ret = merge_dir(&m, src, m.rootfd);
	if (ret && !err->len)
		kt_str_printf(err, "applying layer %s at '%s': %s", layer,
			      kt_str_cstr(&m.rel), strerror(-ret));
out:
	if (src >= 0)
		close(src);
	if (m.rootfd >= 0)
		close(m.rootfd);
	kt_str_free(&m.rel);
	if (remove_tree(staging) && !ret)
		ret = -EIO;
	return ret;
}

/* The image's layers, verified (image.c), applied in order. */
static int unpack_image(const struct kprof_project *pr, const char *dest,
			struct kt_str *err)
{
	struct kt_array files = KT_ARRAY_INIT(char *);
	char staging[4096], blobs[4096];
	int ret;

	/* beside dest, in the same scratch directory (renameat) */
	if (snprintf(staging, sizeof(staging), "%s.layer", dest) >= (int)sizeof(staging) ||
	    snprintf(blobs, sizeof(blobs), "%s.image", dest) >= (int)sizeof(blobs))
		return -ENAMETOOLONG;
	ret = remove_tree(blobs);
	if (!ret && pr->image.kind == KPROF_ROOTFS_DOCKER)
		ret = kt_mkdir_p(blobs, 0755);
	if (!ret)
		ret = kprof_image_layers(&pr->image, blobs, &files, err);
	for (size_t i = 0; i < files.len && !ret; i++)
		ret = apply_layer(kt_array_ptr(&files, i), staging, dest, err);
	kt_array_free_ptrs(&files);
	if (remove_tree(blobs) && !ret)
		ret = -EIO;
	return ret;
}

/*
 * A `docker save` archive given as rootfs: unpacks "fine" into a tree of
 * layer tarballs. Its top has a manifest.json naming a Config and Layers.
 */
static bool tar_is_image(const char *dir)
{
	char path[4096], *text = NULL;
	size_t len;
	bool image;

	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	if (kt_read_regular_file(path, 1u << 20, &text, &len))
		return false;
	image = text[0] == '[' && strstr(text, "\"Config\"") && strstr(text, "\"Layers\"");
	free(text);
	return image;
}

int kprof_project_rootfs_dir(const struct kprof_project *pr,
			     const char *scratch, char **out,
			     struct kt_str *err)
{
	char *dest = NULL;
	int ret;

	if (pr->rootfs_kind == KPROF_ROOTFS_DIR) {
		*out = strdup(pr->rootfs);
		return *out ? 0 : -ENOMEM;
	}
	if (asprintf(&dest, "%s/rootfs", scratch) < 0)
		return -ENOMEM;
	ret = remove_tree(dest);
	if (!ret)
		ret = kt_mkdir_p(dest, 0755);
	if (!ret)
		ret = pr->rootfs_kind == KPROF_ROOTFS_TAR ? untar(pr->rootfs, dest, err)
							  : unpack_image(pr, dest, err);
	if (!ret && pr->rootfs_kind == KPROF_ROOTFS_TAR && tar_is_image(dest)) {
		kt_str_printf(err, "rootfs %s is a `docker save` archive (its manifest.json "
			      "names a Config and Layers), not a root filesystem: write image: %s",
			      pr->rootfs, pr->rootfs);
		ret = -EINVAL;
	}
	if (ret) {
		free(dest);
		return ret;
	}
	*out = dest;
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The workload's root filesystem: given as a directory, a tarball or an
 * OCI image layout, always handed on as a directory; and its identity, a
 * hash over the tree that does not depend on directory order or on times.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
 * OCI whiteouts, applied before a layer is unpacked: ".wh.NAME" deletes
 * NAME from the lower layers, ".wh..wh..opq" empties its directory.
 */
static int apply_whiteouts(const char *layer, const char *dest, struct kt_str *err)
{
	const char *argv[] = { "tar", "-t", "-f", layer, NULL };
	struct kt_str list = KT_STR_INIT;
	char *save = NULL, *line, path[4096];
	int ret = kt_run(argv, &list, NULL);

	if (ret) {
		kt_str_printf(err, "listing layer %s failed", layer);
		kt_str_free(&list);
		return ret == -ENOMEM ? ret : -EIO;
	}
	for (line = strtok_r(list.buf, "\n", &save); line && !ret;
	     line = strtok_r(NULL, "\n", &save)) {
		char *base = strrchr(line, '/');
		size_t dirlen = base ? (size_t)(base - line + 1) : 0;

		base = base ? base + 1 : line;
		if (strncmp(base, ".wh.", 4) || strstr(line, ".."))
			continue;
		if (!strcmp(base, ".wh..wh..opq")) {
			snprintf(path, sizeof(path), "%s/%.*s", dest, (int)dirlen, line);
			ret = remove_tree(path);
			if (!ret)
				ret = kt_mkdir_p(path, 0755);
		} else {
			snprintf(path, sizeof(path), "%s/%.*s%s", dest, (int)dirlen, line,
				 base + 4);
			ret = remove_tree(path);
		}
	}
	kt_str_free(&list);
	if (ret)
		return ret;
	ret = untar(layer, dest, err);
	if (ret)
		return ret;
	/* The whiteout markers themselves are not part of the result. */
	{
		const char *find[] = { "find", dest, "-name", ".wh.*", "-delete", NULL };

		kt_run(find, NULL, NULL);
	}
	return 0;
}

static const char *digest_path(const char *layout, const char *digest,
			       char *buf, size_t cap)
{
	const char *colon = strchr(digest, ':');

	if (!colon || strchr(colon + 1, '/'))
		return NULL;
	snprintf(buf, cap, "%s/blobs/%.*s/%s", layout, (int)(colon - digest), digest,
		 colon + 1);
	return buf;
}

/* JSON is YAML's flow style: the YAML loader reads OCI documents too. */
static int load_json(const char *path, struct kt_yaml_doc *doc, struct kt_str *err)
{
	int ret = kt_yaml_load_file(path, doc, err);

	if (!ret && (!doc->root || doc->root->type != KT_YAML_MAP)) {
		kt_yaml_doc_release(doc);
		kt_str_printf(err, "%s: not a JSON object", path);
		return -EINVAL;
	}
	return ret;
}

static int unpack_oci(const struct kprof_project *pr, const char *dest,
		      struct kt_str *err)
{
	struct kt_yaml_doc index = { 0 }, manifest = { 0 };
	const struct kt_yaml_node *mans, *chosen = NULL, *layers, *dg;
	char path[4096], blob[4096];
	int ret;

	snprintf(path, sizeof(path), "%s/index.json", pr->rootfs);
	if ((ret = load_json(path, &index, err)))
		return ret;
	mans = kt_yaml_map_get(index.root, "manifests");
	for (size_t i = 0; mans && mans->type == KT_YAML_SEQ && i < mans->n; i++) {
		const struct kt_yaml_node *ann = kt_yaml_map_get(mans->items[i], "annotations");
		const struct kt_yaml_node *ref = ann ? kt_yaml_map_get(ann, "org.opencontainers.image.ref.name") : NULL;

		if (!pr->oci_ref ? !chosen : (ref && ref->scalar && !strcmp(ref->scalar, pr->oci_ref)))
			chosen = mans->items[i];
	}
	dg = chosen ? kt_yaml_map_get(chosen, "digest") : NULL;
	if (!dg || !dg->scalar || !digest_path(pr->rootfs, dg->scalar, blob, sizeof(blob))) {
		kt_str_printf(err, "%s: no manifest%s%s", path, pr->oci_ref ? " named " : "",
			      pr->oci_ref ? pr->oci_ref : "");
		ret = -EINVAL;
		goto out;
	}
	if ((ret = load_json(blob, &manifest, err)))
		goto out;
	layers = kt_yaml_map_get(manifest.root, "layers");
	if (!layers || layers->type != KT_YAML_SEQ) {
		kt_str_printf(err, "%s: manifest without layers", blob);
		ret = -EINVAL;
		goto out;
	}
	for (size_t i = 0; i < layers->n && !ret; i++) {
		dg = kt_yaml_map_get(layers->items[i], "digest");
		if (!dg || !dg->scalar || !digest_path(pr->rootfs, dg->scalar, path, sizeof(path))) {
			kt_str_printf(err, "%s: layer %zu has no usable digest", blob, i);
			ret = -EINVAL;
			break;
		}
		ret = apply_whiteouts(path, dest, err);
	}
out:
	kt_yaml_doc_release(&index);
	kt_yaml_doc_release(&manifest);
	return ret;
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
							  : unpack_oci(pr, dest, err);
	if (ret) {
		free(dest);
		return ret;
	}
	*out = dest;
	return 0;
}

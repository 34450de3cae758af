// SPDX-License-Identifier: GPL-2.0-only
/*
 * newc serialisation and the image writer. The size of the uncompressed
 * stream is computed up front: zstd then records it in the frame header
 * and sizes its window to the data, which bounds what the kernel must
 * allocate to unpack the image.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "initramfs/internal.h"

static const char zeros[4];

static uint64_t pad4(uint64_t n)
{
	return (4 - (n & 3)) & 3;
}

static uint64_t entry_data_size(const struct ar_entry *e)
{
	switch (e->kind) {
	case AR_FILE_HOST:
	case AR_FILE_DATA:
	case AR_HARDLINK:
		return e->group->data_holder == e ? e->group->size : 0;
	case AR_SYMLINK:
		return e->size;
	default:
		return 0;
	}
}

static int sink_put(struct ar_sink *s, const void *buf, size_t len)
{
	int r;

	if (len == 0)
		return 0;
	r = s->write(s, buf, len);
	if (r == 0)
		s->written += len;
	return r;
}

static int put_header(struct ar_sink *s, const char *name, uint32_t ino,
		      uint32_t mode, uint32_t nlink, uint32_t mtime,
		      uint32_t size, uint32_t rmaj, uint32_t rmin)
{
	char hdr[160];
	size_t namesize = strlen(name) + 1;
	int r;

	snprintf(hdr, sizeof(hdr),
		 "%s%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 NEWC_MAGIC, ino, mode, 0u, 0u, nlink, mtime, size, 0u, 0u,
		 rmaj, rmin, (uint32_t)namesize, 0u);
	r = sink_put(s, hdr, NEWC_HDR_LEN);
	if (r == 0)
		r = sink_put(s, name, namesize);
	if (r == 0)
		r = sink_put(s, zeros, pad4(NEWC_HDR_LEN + namesize));
	return r;
}

static int put_host_file(struct ar_sink *s, const struct ar_entry *e,
			 uint64_t size, struct kt_str *err)
{
	char buf[65536];
	uint64_t left = size;
	int fd, r = 0;
	ssize_t n;

	fd = open(e->host_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ar_fail(err, -errno, "%s: %s", e->host_path,
			       strerror(errno));
	while (left) {
		n = read(fd, buf, left < sizeof(buf) ? left : sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = ar_fail(err, n < 0 ? -errno : -EIO,
				    "%s: %s", e->host_path,
				    n < 0 ? strerror(errno) :
				    "file shrank while being packed");
			goto out;
		}
		r = sink_put(s, buf, (size_t)n);
		if (r < 0) {
			r = ar_fail(err, r, "writing %s", e->path);
			goto out;
		}
		left -= (uint64_t)n;
	}
	/* A file that grew would silently lose its tail: refuse. */
	n = read(fd, buf, 1);
	if (n > 0)
		r = ar_fail(err, -EIO, "%s: file grew while being packed",
			    e->host_path);
out:
	close(fd);
	return r;
}

int ar_emit(const struct initramfs_archive *a, struct ar_sink *s,
	    struct kt_str *err)
{
	struct ar_entry **v = NULL;
	size_t n = 0;
	int r;

	r = ar_layout(a, &v, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		const struct ar_entry *e = v[i];
		const struct ar_entry *g = e->group;
		uint64_t size = entry_data_size(e);

		if (size > 0xffffffffULL) {
			r = ar_fail(err, -EFBIG, "'%s' is larger than newc's "
				    "4 GiB limit", e->path);
			goto out;
		}
		r = put_header(s, e->path, e->ino, e->mode, e->nlink,
			       (uint32_t)a->mtime, (uint32_t)size,
			       e->rdev_major, e->rdev_minor);
		if (r < 0) {
			r = ar_fail(err, r, "writing %s", e->path);
			goto out;
		}
		if (size == 0)
			continue;
		if (e->kind == AR_SYMLINK || g->kind == AR_FILE_DATA)
			r = sink_put(s, e->kind == AR_SYMLINK ? e->data :
				     g->data, size);
		else
			r = put_host_file(s, g, size, err);
		if (r == 0)
			r = sink_put(s, zeros, pad4(size));
		if (r < 0) {
			r = ar_fail(err, r, "writing %s", e->path);
			goto out;
		}
	}
	r = put_header(s, NEWC_TRAILER, 0, 0, 1, 0, 0, 0, 0);
out:
	free(v);
	return r;
}

int ar_emit_size(const struct initramfs_archive *a, uint64_t *size)
{
	struct ar_entry **v = NULL;
	uint64_t total = 0;
	size_t n = 0;
	int r;

	r = ar_layout(a, &v, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		uint64_t hdr = NEWC_HDR_LEN + strlen(v[i]->path) + 1;
		uint64_t data = entry_data_size(v[i]);

		total += hdr + pad4(hdr) + data + pad4(data);
	}
	total += NEWC_HDR_LEN + sizeof(NEWC_TRAILER);
	total += pad4(NEWC_HDR_LEN + sizeof(NEWC_TRAILER));
	free(v);
	*size = total;
	return 0;
}

struct file_sink {
	struct ar_sink base;
	FILE *f;
};

static int file_sink_write(struct ar_sink *s, const void *buf, size_t len)
{
	struct file_sink *fs = (struct file_sink *)s;

	return fwrite(buf, 1, len, fs->f) == len ? 0 : -EIO;
}

int initramfs_compress_parse(const char *name, enum initramfs_compress *out)
{
	if (strcmp(name, "none") == 0)
		*out = INITRAMFS_COMPRESS_NONE;
	else if (strcmp(name, "zstd") == 0)
		*out = INITRAMFS_COMPRESS_ZSTD;
	else
		return -EINVAL;
	return 0;
}

int initramfs_archive_write(const struct initramfs_archive *a,
			    const struct initramfs_write_opts *opts, FILE *f,
			    struct kt_str *err)
{
	static const struct initramfs_write_opts defaults =
		INITRAMFS_WRITE_OPTS_INIT;
	struct file_sink plain = { { file_sink_write, 0 }, f };
	struct ar_zstd_sink *z = NULL;
	uint64_t size;
	int r;

	if (!opts)
		opts = &defaults;
	if (opts->early) {
		r = ar_emit(opts->early, &plain.base, err);
		if (r < 0)
			return ar_fail(err, r, "early segment");
	}
	if (opts->compress == INITRAMFS_COMPRESS_NONE) {
		r = ar_emit(a, &plain.base, err);
		goto out;
	}
	r = ar_emit_size(a, &size);
	if (r < 0)
		goto out;
	r = ar_zstd_sink_new(opts, f, size, &z, err);
	if (r < 0)
		goto out;
	r = ar_emit(a, ar_zstd_sink_base(z), err);
	if (r == 0)
		r = ar_zstd_sink_finish(z, err);
out:
	ar_zstd_sink_free(z);
	if (r == 0 && ferror(f))
		r = ar_fail(err, -EIO, "write error");
	return r;
}

struct write_ctx {
	const struct initramfs_archive *a;
	const struct initramfs_write_opts *opts;
	struct kt_str *err;
};

static int fill_image(FILE *f, void *p)
{
	struct write_ctx *c = p;

	return initramfs_archive_write(c->a, c->opts, f, c->err);
}

int initramfs_archive_write_file(const struct initramfs_archive *a,
				 const struct initramfs_write_opts *opts,
				 const char *path, struct kt_str *err)
{
	struct write_ctx c = { a, opts, err };
	int r = kt_atomic_write(path, 0644, fill_image, &c);

	if (r < 0 && (!err || err->len == 0))
		ar_fail(err, r, "%s: %s", path, strerror(-r));
	else if (r < 0)
		ar_fail(err, r, "%s not written", path);
	return r;
}

int initramfs_write_opts_set(struct initramfs_write_opts *o, const char *key,
			     const char *value, struct kt_str *err)
{
	unsigned long v;

	if (!strcmp(key, "long")) {
		o->long_distance = true;
		return 0;
	}
	if (!strcmp(key, "compress")) {
		if (initramfs_compress_parse(value, &o->compress) < 0)
			return ar_fail(err, -EINVAL, "compress: '%s' is not none or zstd", value);
		return 0;
	}
	if (!strcmp(key, "level")) {
		if (kt_parse_ulong(value, 22, &v) < 0 || v == 0)
			return ar_fail(err, -EINVAL, "level: '%s' is not 1..22", value);
		o->level = (int)v;
		return 0;
	}
	if (!strcmp(key, "threads")) {
		if (kt_parse_ulong(value, 256, &v) < 0)
			return ar_fail(err, -EINVAL, "threads: '%s' is not 0..256", value);
		o->threads = (int)v;
		return 0;
	}
	return ar_fail(err, -ENOENT, "no write option '%s'", key);
}

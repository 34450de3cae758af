// SPDX-License-Identifier: GPL-2.0-only
/*
 * Image reader: the same concatenation rules the kernel applies when it
 * unpacks an initramfs (plain newc, compressed blobs, zero padding in
 * between), strict about bounds, and refusing names that would land
 * outside the root so that whatever extracts from this reader is safe.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "initramfs/internal.h"

static int parse_hex8(const char *p, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		char c = p[i];
		uint32_t d;

		if (c >= '0' && c <= '9')
			d = (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (uint32_t)(c - 'A' + 10);
		else
			return -EINVAL;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

static uint64_t align4(uint64_t n)
{
	return (n + 3) & ~(uint64_t)3;
}

/* A stored name that would climb out of the root (or is absolute). */
static bool name_escapes(const char *name)
{
	const char *p = name;

	while (*p) {
		const char *c = p;

		while (*p && *p != '/')
			p++;
		if (p - c == 2 && c[0] == '.' && c[1] == '.')
			return true;
		while (*p == '/')
			p++;
	}
	return false;
}

/*
 * Parse one newc archive starting at @buf. *used receives the bytes up to
 * and including the trailer's padding.
 */
static int read_cpio(const unsigned char *buf, size_t len, unsigned segment,
		     initramfs_entry_fn fn, void *ctx, size_t *used,
		     struct kt_str *err)
{
	static const char *const names[] = {
		"ino", "mode", "uid", "gid", "nlink", "mtime", "filesize",
		"devmajor", "devminor", "rdevmajor", "rdevminor", "namesize",
		"check",
	};
	uint64_t off = 0;

	for (;;) {
		uint32_t f[13];
		struct initramfs_entry e = { 0 };
		const char *name;
		uint64_t data_off;
		char link[4097];
		int r;

		/* off <= len holds (see the end of the loop) */
		if (off == len)
			return ar_fail(err, -EINVAL, "segment %u offset %llu: "
				       "archive ends without a %s entry",
				       segment, (unsigned long long)off,
				       NEWC_TRAILER);
		if (len - off < NEWC_HDR_LEN)
			return ar_fail(err, -EINVAL, "segment %u offset %llu: "
				       "truncated cpio header", segment,
				       (unsigned long long)off);
		if (memcmp(buf + off, NEWC_MAGIC, 6) != 0 &&
		    memcmp(buf + off, NEWC_MAGIC_CRC, 6) != 0)
			return ar_fail(err, -EINVAL, "segment %u offset %llu: "
				       "bad cpio magic (not newc 070701/070702)",
				       segment, (unsigned long long)off);
		for (int i = 0; i < 13; i++)
			if (parse_hex8((const char *)buf + off + 6 + 8 * i,
				       &f[i]) < 0)
				return ar_fail(err, -EINVAL, "segment %u offset "
					       "%llu: bad hex in field %s",
					       segment,
					       (unsigned long long)(off + 6 +
								    8 * i),
					       names[i]);
		if (f[11] == 0 || f[11] > 4096 ||
		    off + NEWC_HDR_LEN + f[11] > len)
			return ar_fail(err, -EINVAL, "segment %u offset %llu: "
				       "name size %u out of bounds", segment,
				       (unsigned long long)off, f[11]);
		name = (const char *)buf + off + NEWC_HDR_LEN;
		if (name[f[11] - 1] != '\0' || strlen(name) != f[11] - 1)
			return ar_fail(err, -EINVAL, "segment %u offset %llu: "
				       "name is not NUL-terminated", segment,
				       (unsigned long long)off);
		data_off = align4(off + NEWC_HDR_LEN + f[11]);
		if (data_off > len || f[6] > len - data_off)
			return ar_fail(err, -EINVAL, "segment %u offset %llu: "
				       "'%s' data (%u bytes) runs past the end",
				       segment, (unsigned long long)off, name,
				       f[6]);
		if (strcmp(name, NEWC_TRAILER) == 0) {
			*used = (size_t)align4(data_off + f[6]);
			if (*used > len)
				*used = len;
			return 0;
		}
		if (name_escapes(name))
			return ar_fail(err, -EINVAL, "segment %u offset %llu: "
				       "unsafe name '%s' ('..' component)",
				       segment, (unsigned long long)off, name);
		e.path = name;
		e.ino = f[0];
		e.mode = f[1];
		e.uid = f[2];
		e.gid = f[3];
		e.nlink = f[4];
		e.mtime = f[5];
		e.size = f[6];
		e.dev_major = f[7];
		e.dev_minor = f[8];
		e.rdev_major = f[9];
		e.rdev_minor = f[10];
		e.data = buf + data_off;
		e.segment = segment;
		e.offset = off;
		if (S_ISLNK(e.mode)) {
			if (e.size == 0 || e.size >= sizeof(link))
				return ar_fail(err, -EINVAL, "segment %u offset "
					       "%llu: symlink '%s' target size "
					       "%llu", segment,
					       (unsigned long long)off, name,
					       (unsigned long long)e.size);
			memcpy(link, e.data, e.size);
			link[e.size] = '\0';
			e.link_target = link;
		}
		/*
		 * Only the trailer may lack its padding: after any other
		 * entry at least a header must follow, and an offset past
		 * the end would make "len - off" wrap at the top.
		 */
		if (align4(data_off + f[6]) > len)
			return ar_fail(err, -EINVAL, "segment %u offset %llu: "
				       "'%s' ends unaligned at the end of the "
				       "archive (padding and %s missing)",
				       segment, (unsigned long long)off, name,
				       NEWC_TRAILER);
		r = fn(&e, ctx);
		if (r)
			return r;
		off = align4(data_off + f[6]);
	}
}

static uint64_t read_max(const struct initramfs_read_opts *o)
{
	return o && o->max_size ? o->max_size : INITRAMFS_READ_MAX_DEFAULT;
}

int initramfs_read_buf(const void *data, size_t len, initramfs_entry_fn fn,
		       void *ctx, struct kt_str *err)
{
	return initramfs_read_buf_opts(data, len, NULL, fn, ctx, err);
}

int initramfs_read_buf_opts(const void *data, size_t len,
			    const struct initramfs_read_opts *o,
			    initramfs_entry_fn fn, void *ctx,
			    struct kt_str *err)
{
	const unsigned char *buf = data;
	struct kt_str plain = KT_STR_INIT;
	/* what the zstd segments may still expand to, all together */
	uint64_t budget = read_max(o);
	unsigned segment = 0;
	size_t pos = 0;
	int r = 0;

	for (;;) {
		size_t used = 0;

		while (pos < len && buf[pos] == 0)
			pos++;
		if (pos >= len)
			break;
		if (len - pos >= 6 && (memcmp(buf + pos, NEWC_MAGIC, 6) == 0 ||
				       memcmp(buf + pos, NEWC_MAGIC_CRC, 6) == 0)) {
			r = read_cpio(buf + pos, len - pos, segment, fn, ctx,
				      &used, err);
			if (r)
				goto out;
		} else if (len - pos >= 4 && buf[pos] == 0x28 &&
			   buf[pos + 1] == 0xb5 && buf[pos + 2] == 0x2f &&
			   buf[pos + 3] == 0xfd) {
			size_t inner = 0;

			kt_str_reset(&plain);
			/* 0 would mean the default: an empty budget is 1 */
			r = ar_zstd_decompress(buf + pos, len - pos,
					       budget ? budget : 1, &plain,
					       &used, err);
			if (r < 0) {
				ar_fail(err, r, "segment %u at image offset "
					"%zu", segment, pos);
				goto out;
			}
			budget -= plain.len;
			/*
			 * The kernel goes on after a trailer inside a
			 * compressed segment: so does the listing, or an
			 * archive behind the first would be unpacked unseen.
			 */
			for (size_t at = 0; r == 0 && at < plain.len;) {
				const unsigned char *p = (const unsigned char *)
							 kt_str_cstr(&plain);

				r = read_cpio(p + at, plain.len - at, segment,
					      fn, ctx, &inner, err);
				at += inner;
				while (at < plain.len && p[at] == 0)
					at++;
			}
			if (r)
				goto out;
		} else {
			const char *what = len - pos >= 2 && buf[pos] == 0x1f &&
				buf[pos + 1] == 0x8b ? "gzip (not supported)" :
				"neither newc cpio nor zstd";
			r = ar_fail(err, -EINVAL, "image offset %zu: segment %u "
				    "is %s", pos, segment, what);
			goto out;
		}
		pos += used;
		segment++;
	}
	if (segment == 0)
		r = ar_fail(err, -EINVAL, "empty image");
out:
	kt_str_free(&plain);
	return r;
}

/*
 * The whole of the image file @path. Devices, FIFOs and directories are
 * refused up front: /dev/zero would be read until memory runs out.
 */
static int read_image(const char *path, uint64_t max, char **buf,
		      size_t *len, struct kt_str *err)
{
	int r = kt_read_regular_file(path, max > SIZE_MAX ? SIZE_MAX :
					   (size_t)max, buf, len);

	if (r == -EINVAL)
		return ar_fail(err, r, "%s: not a regular file", path);
	if (r == -EFBIG)
		return ar_fail(err, r, "%s: larger than %llu bytes (the read "
			       "limit)", path, (unsigned long long)max);
	if (r < 0)
		return ar_fail(err, r, "%s: %s", path, strerror(-r));
	return 0;
}

int initramfs_read_file(const char *path, initramfs_entry_fn fn, void *ctx,
			struct kt_str *err)
{
	return initramfs_read_file_opts(path, NULL, fn, ctx, err);
}

int initramfs_read_file_opts(const char *path,
			     const struct initramfs_read_opts *o,
			     initramfs_entry_fn fn, void *ctx,
			     struct kt_str *err)
{
	char *buf = NULL;
	size_t len = 0;
	int r;

	r = read_image(path, read_max(o), &buf, &len, err);
	if (r < 0)
		return r;
	r = initramfs_read_buf_opts(buf, len, o, fn, ctx, err);
	if (r < 0 && err) {
		struct kt_str msg = KT_STR_INIT;

		kt_str_printf(&msg, "%s: %s", path, kt_str_cstr(err));
		kt_str_reset(err);
		kt_str_puts(err, kt_str_cstr(&msg));
		kt_str_free(&msg);
	}
	free(buf);
	return r;
}

static void mode_string(uint32_t mode, char out[11])
{
	static const char rwx[] = "rwxrwxrwx";
	char t;

	switch (mode & S_IFMT) {
	case S_IFDIR: t = 'd'; break;
	case S_IFLNK: t = 'l'; break;
	case S_IFCHR: t = 'c'; break;
	case S_IFBLK: t = 'b'; break;
	case S_IFIFO: t = 'p'; break;
	case S_IFSOCK: t = 's'; break;
	default: t = '-'; break;
	}
	out[0] = t;
	for (int i = 0; i < 9; i++)
		out[1 + i] = (mode & (0400u >> i)) ? rwx[i] : '-';
	if (mode & S_ISUID)
		out[3] = (mode & 0100) ? 's' : 'S';
	if (mode & S_ISGID)
		out[6] = (mode & 0010) ? 's' : 'S';
	if (mode & S_ISVTX)
		out[9] = (mode & 0001) ? 't' : 'T';
	out[10] = '\0';
}

static void owner_name(uint32_t id, char out[16])
{
	if (id == 0)
		snprintf(out, 16, "root");
	else
		snprintf(out, 16, "%u", id);
}

int initramfs_entry_format(const struct initramfs_entry *e, struct kt_str *out)
{
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May",
		"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	char mode[11], user[16], group[16], when[32];
	time_t t = (time_t)e->mtime, now = time(NULL);
	struct tm tm;
	int r;

	mode_string(e->mode, mode);
	owner_name(e->uid, user);
	owner_name(e->gid, group);
	gmtime_r(&t, &tm);
	/* cpio's rule: older than ~6 months or in the future shows the year. */
	if (now - t > 6L * 30 * 24 * 60 * 60 || now - t < 0)
		snprintf(when, sizeof(when), "%s %2d  %d", mon[tm.tm_mon],
			 tm.tm_mday, tm.tm_year + 1900);
	else
		snprintf(when, sizeof(when), "%s %2d %02d:%02d",
			 mon[tm.tm_mon], tm.tm_mday, tm.tm_hour, tm.tm_min);
	r = kt_str_printf(out, "%s %3u %-8.8s %-8.8s ", mode, e->nlink, user,
			  group);
	if (r == 0 && (S_ISCHR(e->mode) || S_ISBLK(e->mode)))
		r = kt_str_printf(out, "%3u, %3u ", e->rdev_major,
				  e->rdev_minor);
	else if (r == 0)
		r = kt_str_printf(out, "%8llu ", (unsigned long long)e->size);
	if (r == 0)
		r = kt_str_printf(out, "%s %s", when, e->path);
	if (r == 0 && e->link_target)
		r = kt_str_printf(out, " -> %s", e->link_target);
	return r;
}

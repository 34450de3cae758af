// SPDX-License-Identifier: GPL-2.0-only
/* File helpers: atomic replace, whole-file read, mkdir -p. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/common.h"

/* The rename is only durable once the directory entry itself is synced. */
static void sync_parent_dir(const char *path)
{
	char *copy = strdup(path);
	int fd;

	if (!copy)
		return;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

int kt_atomic_write(const char *path, mode_t mode,
		    int (*fill)(FILE *f, void *ctx), void *ctx)
{
	struct kt_str tmp = KT_STR_INIT;
	FILE *f = NULL;
	int fd = -1;
	int r;

	r = kt_str_printf(&tmp, "%s.tmp.XXXXXX", path);
	if (r < 0)
		goto out;
	fd = mkstemp(tmp.buf);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	f = fdopen(fd, "w");
	if (!f) {
		r = -errno;
		close(fd);
		goto out_unlink;
	}
	r = fill(f, ctx);
	if (r < 0)
		goto out_unlink;
	if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) < 0 ||
	    fchmod(fileno(f), mode) < 0) {
		r = errno ? -errno : -EIO;
		goto out_unlink;
	}
	r = fclose(f);
	f = NULL;
	if (r != 0) {
		r = -errno;
		goto out_unlink;
	}
	if (rename(tmp.buf, path) < 0) {
		r = -errno;
		goto out_unlink;
	}
	sync_parent_dir(path);
	r = 0;
	goto out;
out_unlink:
	if (f)
		fclose(f);
	unlink(tmp.buf);
out:
	kt_str_free(&tmp);
	return r;
}

struct buf_ctx {
	const void *buf;
	size_t len;
};

static int fill_from_buf(FILE *f, void *ctx)
{
	const struct buf_ctx *b = ctx;

	if (b->len && fwrite(b->buf, 1, b->len, f) != b->len)
		return -EIO;
	return 0;
}

int kt_atomic_write_buf(const char *path, mode_t mode, const void *buf,
			size_t len)
{
	struct buf_ctx b = { buf, len };

	return kt_atomic_write(path, mode, fill_from_buf, &b);
}

int kt_atomic_write_str(const char *path, mode_t mode, const struct kt_str *s)
{
	/* a string that lost an append must not replace a good file */
	if (kt_str_error(s))
		return kt_str_error(s);
	return kt_atomic_write_buf(path, mode, s->buf, s->len);
}

/*
 * The whole of @path; with @regular_only a device, FIFO or directory is
 * -EINVAL before anything is read, and more than @max bytes (0: no
 * limit) is -EFBIG. O_NONBLOCK keeps the open of a FIFO from waiting for
 * a writer; it does nothing to the reads of a regular file.
 */
static int read_file(const char *path, bool regular_only, size_t max,
		     char **buf, size_t *len)
{
	struct kt_str s = KT_STR_INIT;
	char chunk[65536];
	struct stat st;
	int fd, r = 0;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC |
		  (regular_only ? O_NONBLOCK | O_NOCTTY : 0));
	if (fd < 0)
		return -errno;
	if (regular_only) {
		if (fstat(fd, &st) < 0) {
			r = -errno;
			goto out;
		}
		if (!S_ISREG(st.st_mode)) {
			r = -EINVAL;
			goto out;
		}
	}
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto out;
		}
		/* st_size may be stale: the limit is checked as we read */
		if (max && ((size_t)n > max || s.len > max - (size_t)n)) {
			r = -EFBIG;
			goto out;
		}
		r = kt_str_append(&s, chunk, (size_t)n);
		if (r < 0)
			goto out;
	}
	if (len)
		*len = s.len;
	*buf = kt_str_steal(&s);
	if (!*buf)
		r = -ENOMEM;
out:
	close(fd);
	kt_str_free(&s);
	return r;
}

int kt_read_file(const char *path, char **buf, size_t *len)
{
	return read_file(path, false, 0, buf, len);
}

int kt_read_regular_file(const char *path, size_t max, char **buf,
			 size_t *len)
{
	return read_file(path, true, max, buf, len);
}

static const char *make_unsafe(const char *path)
{
	for (const char *c = path; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f ||
		    strchr(" :$;`'\"\\()&|<>*?[]{}#!~%,", *c))
			return c;
	return NULL;
}

int kt_path_check_make(const char *what, const char *path, struct kt_str *err)
{
	char *real = realpath(path, NULL);
	const char *bad = make_unsafe(path), *in = path;
	int r = 0;

	if (!bad && real && (bad = make_unsafe(real)))
		in = real;
	if (bad) {
		if ((unsigned char)*bad < 0x20 || *bad == 0x7f)
			kt_str_printf(err, "%s '%s' holds a control character", what, in);
		else
			kt_str_printf(err, "%s '%s' holds '%c'", what, in, *bad);
		kt_str_puts(err, ": the kernel's make and Kconfig would split or expand it "
			    "(no whitespace, ':', '$', ';', quotes or other make and shell characters)");
		r = -EINVAL;
	}
	free(real);
	return r;
}

int kt_mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int kt_copy_file(const char *from, const char *to, mode_t mode)
{
	char *data = NULL;
	size_t len = 0;
	int r = kt_read_file(from, &data, &len);

	if (r == 0)
		r = kt_atomic_write_buf(to, mode, data, len);
	free(data);
	return r;
}

char *kt_cache_dir(void)
{
	const char *e = getenv("KTRIM_CACHE");
	char *d = NULL;

	if (e && *e)
		return strdup(e);
	e = getenv("XDG_CACHE_HOME");
	if (e && *e)
		return asprintf(&d, "%s/ktrim", e) < 0 ? NULL : d;
	e = getenv("HOME");
	return asprintf(&d, "%s/.cache/ktrim", e ? e : "/tmp") < 0 ? NULL : d;
}

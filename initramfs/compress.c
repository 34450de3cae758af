// SPDX-License-Identifier: GPL-2.0-only
/*
 * zstd framing for images. The kernel's initramfs unpacker verifies the
 * frame checksum, so it is always on. With worker threads zstd splits the
 * input into jobs; its output is then the same for any thread count >= 1,
 * but differs from single-threaded output: the thread setting is part of
 * what must be equal for two images to be byte-identical.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "initramfs/internal.h"

struct ar_zstd_sink {
	struct ar_sink base;
	ZSTD_CCtx *cctx;
	FILE *f;
	void *out;
	size_t out_cap;
};

static int zstd_err(struct kt_str *err, size_t code, const char *what)
{
	return ar_fail(err, -EIO, "zstd %s: %s", what,
		       ZSTD_getErrorName(code));
}

static int drain(struct ar_zstd_sink *z, const void *buf, size_t len,
		 ZSTD_EndDirective mode)
{
	ZSTD_inBuffer in = { buf, len, 0 };

	for (;;) {
		ZSTD_outBuffer out = { z->out, z->out_cap, 0 };
		size_t left = ZSTD_compressStream2(z->cctx, &out, &in, mode);

		if (ZSTD_isError(left))
			return -EIO;
		if (out.pos && fwrite(z->out, 1, out.pos, z->f) != out.pos)
			return -EIO;
		if (mode == ZSTD_e_end ? left == 0 : in.pos == in.size)
			return 0;
	}
}

static int zstd_sink_write(struct ar_sink *s, const void *buf, size_t len)
{
	return drain((struct ar_zstd_sink *)s, buf, len, ZSTD_e_continue);
}

#define SET(param, value)						\
	do {								\
		size_t rc_ = ZSTD_CCtx_setParameter(z->cctx, param, value); \
		if (ZSTD_isError(rc_)) {				\
			r = zstd_err(err, rc_, #param);			\
			goto out;					\
		}							\
	} while (0)

int ar_zstd_sink_new(const struct initramfs_write_opts *o, FILE *f,
		     uint64_t pledged, struct ar_zstd_sink **out,
		     struct kt_str *err)
{
	struct ar_zstd_sink *z;
	int level = o->level ? o->level : ZSTD_CLEVEL_DEFAULT;
	size_t rc;
	int r = 0;

	if (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel())
		return ar_fail(err, -EINVAL, "zstd level %d out of range "
			       "%d..%d", level, ZSTD_minCLevel(),
			       ZSTD_maxCLevel());
	z = calloc(1, sizeof(*z));
	if (!z)
		return -ENOMEM;
	z->base.write = zstd_sink_write;
	z->f = f;
	z->out_cap = ZSTD_CStreamOutSize();
	z->out = malloc(z->out_cap);
	z->cctx = ZSTD_createCCtx();
	if (!z->out || !z->cctx) {
		r = -ENOMEM;
		goto out;
	}
	SET(ZSTD_c_compressionLevel, level);
	SET(ZSTD_c_checksumFlag, 1);
	SET(ZSTD_c_contentSizeFlag, 1);
	if (o->threads > 0)
		SET(ZSTD_c_nbWorkers, o->threads);
	if (o->long_distance) {
		/*
		 * Long mode raises the window to 128 MiB by default; the
		 * kernel must allocate the window to unpack, so keep it no
		 * larger than the data (and at most 2^27).
		 */
		int wlog = 10;

		while (wlog < 27 && (1ULL << wlog) < pledged)
			wlog++;
		SET(ZSTD_c_enableLongDistanceMatching, 1);
		SET(ZSTD_c_windowLog, wlog);
	}
	rc = ZSTD_CCtx_setPledgedSrcSize(z->cctx, pledged);
	if (ZSTD_isError(rc)) {
		r = zstd_err(err, rc, "pledged size");
		goto out;
	}
out:
	if (r < 0) {
		ar_zstd_sink_free(z);
		return r;
	}
	*out = z;
	return 0;
}
#undef SET

struct ar_sink *ar_zstd_sink_base(struct ar_zstd_sink *z)
{
	return &z->base;
}

int ar_zstd_sink_finish(struct ar_zstd_sink *z, struct kt_str *err)
{
	if (drain(z, NULL, 0, ZSTD_e_end) < 0)
		return ar_fail(err, -EIO, "zstd: finishing the frame failed");
	return 0;
}

void ar_zstd_sink_free(struct ar_zstd_sink *z)
{
	if (!z)
		return;
	ZSTD_freeCCtx(z->cctx);
	free(z->out);
	free(z);
}

int ar_zstd_decompress(const void *buf, size_t len, uint64_t max,
		       struct kt_str *out, size_t *used, struct kt_str *err)
{
	ZSTD_DCtx *d = ZSTD_createDCtx();
	const unsigned char *p = buf;
	size_t pos = 0, chunk = ZSTD_DStreamOutSize();
	char *tmp = malloc(chunk);
	int r = 0;

	if (!d || !tmp) {
		r = -ENOMEM;
		goto out;
	}
	if (!max)
		max = INITRAMFS_READ_MAX_DEFAULT;
	/* Consecutive frames (skippable ones included) form one segment. */
	while (pos + 4 <= len) {
		uint32_t magic = (uint32_t)p[pos] | (uint32_t)p[pos + 1] << 8 |
				 (uint32_t)p[pos + 2] << 16 |
				 (uint32_t)p[pos + 3] << 24;
		size_t fsize;

		if (magic != ZSTD_MAGICNUMBER &&
		    (magic & ZSTD_MAGIC_SKIPPABLE_MASK) !=
		    ZSTD_MAGIC_SKIPPABLE_START)
			break;
		fsize = ZSTD_findFrameCompressedSize(p + pos, len - pos);
		if (ZSTD_isError(fsize)) {
			r = ar_fail(err, -EINVAL, "zstd frame at offset %zu: "
				    "%s", pos, ZSTD_getErrorName(fsize));
			goto out;
		}
		if (magic == ZSTD_MAGICNUMBER) {
			ZSTD_inBuffer in = { p + pos, fsize, 0 };
			size_t rc = 1;

			ZSTD_DCtx_reset(d, ZSTD_reset_session_only);
			while (in.pos < in.size || rc != 0) {
				ZSTD_outBuffer o = { tmp, chunk, 0 };

				rc = ZSTD_decompressStream(d, &o, &in);
				if (ZSTD_isError(rc)) {
					r = ar_fail(err, -EINVAL, "zstd frame "
						    "at offset %zu: %s", pos,
						    ZSTD_getErrorName(rc));
					goto out;
				}
				/* checked before the memory is taken */
				if (o.pos > max || out->len > max - o.pos) {
					r = ar_fail(err, -EFBIG, "zstd frame "
						    "at offset %zu: decompresses "
						    "to more than %llu bytes (the "
						    "read limit)", pos,
						    (unsigned long long)max);
					goto out;
				}
				r = kt_str_append(out, tmp, o.pos);
				if (r < 0)
					goto out;
				if (o.pos == 0 && in.pos == in.size && rc)
					break;
			}
			if (rc != 0) {
				r = ar_fail(err, -EINVAL, "zstd frame at "
					    "offset %zu is truncated", pos);
				goto out;
			}
		}
		pos += fsize;
	}
	*used = pos;
out:
	free(tmp);
	ZSTD_freeDCtx(d);
	return r;
}

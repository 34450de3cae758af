// SPDX-License-Identifier: GPL-2.0-only
/*
 * The newc writer and the image reader: exact header bytes, round trips
 * through our reader, `ktrim initramfs --list` and GNU cpio, zstd framing
 * and segments, reproducibility, and the path rules.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <cmocka.h>
#include <zstd.h>

#include "initramfs/initramfs.h"

static char dir[64];

static int setup(void **state)
{
	unsetenv("SOURCE_DATE_EPOCH");
	snprintf(dir, sizeof(dir), "/tmp/kt-cpio-test.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static void path_in(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

static void write_host(const char *name, const char *content, mode_t mode)
{
	char p[512];
	FILE *f;

	path_in(p, sizeof(p), name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
	chmod(p, mode);
}

static void to_buf(const struct initramfs_archive *a,
		   const struct initramfs_write_opts *o, char **buf,
		   size_t *len)
{
	struct kt_str err = KT_STR_INIT;
	FILE *f = open_memstream(buf, len);

	assert_non_null(f);
	assert_int_equal(initramfs_archive_write(a, o, f, &err), 0);
	fclose(f);
	kt_str_free(&err);
}

static const struct initramfs_write_opts plain = {
	INITRAMFS_COMPRESS_NONE, 0, 0, false, NULL
};

/*
 * Hand-assembled expectation: each header field checked against the newc
 * layout (magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor,
 * devminor, rdevmajor, rdevminor, namesize, check), names NUL-terminated
 * and padded so header+name and data end on 4-byte boundaries.
 */
static void test_header_bytes(void **state)
{
	struct initramfs_archive *a = initramfs_archive_new();
	char *buf = NULL;
	size_t len = 0;
	const char *expect =
		/* "c": char 5:1, 020600, ino 1 */
		"070701" "00000001" "00002180" "00000000" "00000000"
		"00000001" "12345678" "00000000" "00000000" "00000000"
		"00000005" "00000001" "00000002" "00000000" "c\0"
		/* "d": 040755, two links (itself + "."), ino 2 */
		"070701" "00000002" "000041ED" "00000000" "00000000"
		"00000002" "12345678" "00000000" "00000000" "00000000"
		"00000000" "00000000" "00000002" "00000000" "d\0"
		/* "d/f": 0100644, "hi", name pads 114 -> 116, data 2 -> 4 */
		"070701" "00000003" "000081A4" "00000000" "00000000"
		"00000001" "12345678" "00000002" "00000000" "00000000"
		"00000000" "00000000" "00000004" "00000000" "d/f\0" "\0\0"
		"hi\0\0"
		/* "l" -> "d/f": 0120777, target is the data, 3 -> pad 1 */
		"070701" "00000004" "0000A1FF" "00000000" "00000000"
		"00000001" "12345678" "00000003" "00000000" "00000000"
		"00000000" "00000000" "00000002" "00000000" "l\0"
		"d/f\0"
		/* trailer: nlink 1, name 11 bytes -> 121, pad to 124 */
		"070701" "00000000" "00000000" "00000000" "00000000"
		"00000001" "00000000" "00000000" "00000000" "00000000"
		"00000000" "00000000" "0000000B" "00000000" "TRAILER!!!\0"
		"\0";
	size_t elen = 112 + 112 + 116 + 4 + 112 + 4 + 124;

	assert_non_null(a);
	initramfs_archive_set_mtime(a, 0x12345678);
	/* Insertion order differs from output order on purpose. */
	assert_int_equal(initramfs_archive_add_symlink(a, "/l", "d/f", NULL), 0);
	assert_int_equal(initramfs_archive_add_data(a, "d/f", "hi", 2, 0644,
						    NULL), 0);
	assert_int_equal(initramfs_archive_add_node(a, "c", S_IFCHR | 0600,
						    makedev(5, 1), NULL), 0);
	to_buf(a, &plain, &buf, &len);
	assert_int_equal(len, elen);
	assert_memory_equal(buf, expect, elen);
	free(buf);
	initramfs_archive_free(a);
}

struct collected {
	struct kt_str names;
	struct kt_str lines;
	unsigned segments[64];
	size_t n;
};

static int collect(const struct initramfs_entry *e, void *ctx)
{
	struct collected *c = ctx;

	kt_str_printf(&c->names, "%s\n", e->path);
	initramfs_entry_format(e, &c->lines);
	kt_str_putc(&c->lines, '\n');
	if (c->n < 64)
		c->segments[c->n] = e->segment;
	c->n++;
	return 0;
}

static void collected_free(struct collected *c)
{
	kt_str_free(&c->names);
	kt_str_free(&c->lines);
}

/* A small tree with every kind of entry, hard links included. */
static void make_tree(void)
{
	char p[512], q[512];

	path_in(p, sizeof(p), "tree");
	mkdir(p, 0755);
	path_in(p, sizeof(p), "tree/bin");
	mkdir(p, 0750);
	write_host("tree/bin/prog", "#!/bin/sh\necho prog\n", 0755);
	write_host("tree/data.txt", "payload\n", 0640);
	path_in(p, sizeof(p), "tree/bin/prog");
	path_in(q, sizeof(q), "tree/bin/prog-link");
	assert_int_equal(link(p, q), 0);
	path_in(q, sizeof(q), "tree/sh");
	assert_int_equal(symlink("bin/prog", q), 0);
	path_in(q, sizeof(q), "tree/fifo");
	assert_int_equal(mkfifo(q, 0600), 0);
}

static struct initramfs_archive *tree_archive(void)
{
	struct initramfs_archive *a = initramfs_archive_new();
	struct kt_str err = KT_STR_INIT;
	char p[512];

	path_in(p, sizeof(p), "tree");
	assert_int_equal(initramfs_archive_add_tree(a, "/", p, &err), 0);
	assert_int_equal(initramfs_archive_add_node(a, "dev/console",
						    S_IFCHR | 0600,
						    makedev(5, 1), &err), 0);
	kt_str_free(&err);
	return a;
}

static void test_round_trip_reader_list_and_gnu_cpio(void **state)
{
	struct initramfs_archive *a;
	struct collected c = { KT_STR_INIT, KT_STR_INIT, { 0 }, 0 };
	struct kt_str out = KT_STR_INIT, err = KT_STR_INIT;
	char img[512], ktrim[512];
	const char *cpio[] = { "cpio", "-t", "--quiet", "-F", img, NULL };
	const char *cpio_v[] = { "cpio", "-tv", "--quiet", "-F", img, NULL };
	const char *list[] = { ktrim, "initramfs", "--list", img, NULL };

	make_tree();
	a = tree_archive();
	path_in(img, sizeof(img), "tree.cpio");
	assert_int_equal(initramfs_archive_write_file(a, &plain, img, &err), 0);
	assert_int_equal(initramfs_read_file(img, collect, &c, &err), 0);
	assert_string_equal(c.names.buf,
			    "bin\nbin/prog\nbin/prog-link\ndata.txt\ndev\n"
			    "dev/console\nfifo\nsh\n");
	/* GNU cpio agrees on the names ... */
	assert_int_equal(kt_run(cpio, &out, NULL), 0);
	assert_string_equal(out.buf, c.names.buf);
	/* ... and on every field it prints (times in UTC, as we print). */
	setenv("TZ", "UTC", 1);
	kt_str_reset(&out);
	assert_int_equal(kt_run(cpio_v, &out, NULL), 0);
	assert_string_equal(out.buf, c.lines.buf);
	/* And the CLI prints the same listing. */
	snprintf(ktrim, sizeof(ktrim), "%s/ktrim", KT_SRCDIR);
	if (access(ktrim, X_OK) == 0) {
		kt_str_reset(&out);
		assert_int_equal(kt_run(list, &out, NULL), 0);
		assert_string_equal(out.buf, c.lines.buf);
	}
	/* Hard links: same inode, two links, data with the last name only. */
	assert_non_null(strstr(c.lines.buf,
			       "-rwxr-xr-x   2 root     root            0 Jan  1  "
			       "1970 bin/prog\n"));
	assert_non_null(strstr(c.lines.buf,
			       "-rwxr-xr-x   2 root     root           20 Jan  1  "
			       "1970 bin/prog-link\n"));
	assert_non_null(strstr(c.lines.buf, "drwxr-x---   2 root     root"));
	assert_non_null(strstr(c.lines.buf, "-rw-r-----   1 root     root"));
	assert_non_null(strstr(c.lines.buf, " sh -> bin/prog\n"));
	assert_non_null(strstr(c.lines.buf, "prw-------   1 root     root"));
	collected_free(&c);
	kt_str_free(&out);
	kt_str_free(&err);
	initramfs_archive_free(a);
}

static void test_zstd_and_segments(void **state)
{
	struct initramfs_archive *a, *early;
	struct initramfs_write_opts o = INITRAMFS_WRITE_OPTS_INIT;
	struct collected c = { KT_STR_INIT, KT_STR_INIT, { 0 }, 0 };
	struct kt_str err = KT_STR_INIT, out = KT_STR_INIT;
	char *plain_buf = NULL, *z = NULL, img[512];
	size_t plain_len = 0, zlen = 0, early_len;
	const char *unzstd[] = { "zstd", "-dcq", img, NULL };
	unsigned char fhd;

	make_tree();
	a = tree_archive();
	early = initramfs_archive_new();
	assert_int_equal(initramfs_archive_add_data(early,
		"kernel/x86/microcode/GenuineIntel.bin", "ucode", 5, 0644,
		&err), 0);
	to_buf(a, &plain, &plain_buf, &plain_len);

	/* zstd alone: a checksummed frame with the content size in it. */
	o.level = 3;
	to_buf(a, &o, &z, &zlen);
	assert_int_equal(ZSTD_getFrameContentSize(z, zlen), plain_len);
	fhd = (unsigned char)z[4];
	assert_true(fhd & 0x04);	/* Content_Checksum_flag */
	path_in(img, sizeof(img), "tree.cpio.zst");
	assert_int_equal(kt_atomic_write_buf(img, 0644, z, zlen), 0);
	assert_int_equal(kt_run(unzstd, &out, NULL), 0);
	assert_int_equal(out.len, plain_len);
	assert_memory_equal(out.buf, plain_buf, plain_len);
	free(z);

	/* Early plain segment + zstd segment, as the kernel takes them. */
	o.early = early;
	o.threads = 2;
	o.long_distance = true;
	{
		char *e = NULL;

		to_buf(early, &plain, &e, &early_len);
		free(e);
	}
	to_buf(a, &o, &z, &zlen);
	assert_memory_equal(z, "070701", 6);
	assert_true(zlen > early_len);
	assert_int_equal((unsigned char)z[early_len], 0x28);
	assert_int_equal(initramfs_read_buf(z, zlen, collect, &c, &err), 0);
	assert_int_equal(c.n, 4 + 8);
	assert_int_equal(c.segments[0], 0);	/* "kernel" */
	assert_int_equal(c.segments[3], 0);	/* the microcode file */
	assert_int_equal(c.segments[4], 1);	/* "bin": the zstd segment */
	assert_non_null(strstr(c.names.buf,
			       "kernel/x86/microcode/GenuineIntel.bin\nbin\n"));
	free(z);
	free(plain_buf);
	collected_free(&c);
	kt_str_free(&err);
	kt_str_free(&out);
	initramfs_archive_free(a);
	initramfs_archive_free(early);
}

/* Build the same archive in two insertion orders; bytes must be equal. */
static void test_reproducible(void **state)
{
	struct initramfs_write_opts o = INITRAMFS_WRITE_OPTS_INIT;
	struct initramfs_archive *a = initramfs_archive_new();
	struct initramfs_archive *b = initramfs_archive_new();
	char *x = NULL, *y = NULL, *p0 = NULL, *p1 = NULL;
	size_t xl = 0, yl = 0, l0 = 0, l1 = 0;
	size_t diffs = 0, bad = 0;

	o.level = 5;
	assert_int_equal(initramfs_archive_add_data(a, "etc/b", "2", 1, 0600, NULL), 0);
	assert_int_equal(initramfs_archive_add_data(a, "etc/a", "1", 1, 0644, NULL), 0);
	assert_int_equal(initramfs_archive_add_dir(a, "var/empty", 0700, NULL), 0);
	assert_int_equal(initramfs_archive_add_dir(b, "var/empty", 0700, NULL), 0);
	assert_int_equal(initramfs_archive_add_data(b, "etc/a", "1", 1, 0644, NULL), 0);
	assert_int_equal(initramfs_archive_add_data(b, "etc/b", "2", 1, 0600, NULL), 0);
	to_buf(a, &o, &x, &xl);
	to_buf(b, &o, &y, &yl);
	assert_int_equal(xl, yl);
	assert_memory_equal(x, y, xl);
	free(x);
	free(y);
	x = y = NULL;
	to_buf(a, &o, &x, &xl);
	to_buf(a, &o, &y, &yl);
	assert_int_equal(xl, yl);
	assert_memory_equal(x, y, xl);
	free(x);
	free(y);
	initramfs_archive_free(b);

	/* SOURCE_DATE_EPOCH changes the mtime fields and nothing else. */
	to_buf(a, &plain, &p0, &l0);
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	b = initramfs_archive_new();
	unsetenv("SOURCE_DATE_EPOCH");
	assert_int_equal(initramfs_archive_get_mtime(b), 1700000000);
	assert_int_equal(initramfs_archive_add_dir(b, "var/empty", 0700, NULL), 0);
	assert_int_equal(initramfs_archive_add_data(b, "etc/a", "1", 1, 0644, NULL), 0);
	assert_int_equal(initramfs_archive_add_data(b, "etc/b", "2", 1, 0600, NULL), 0);
	to_buf(b, &plain, &p1, &l1);
	assert_int_equal(l0, l1);
	for (size_t i = 0; i < l0; i++) {
		if (p0[i] == p1[i])
			continue;
		diffs++;
		/* mtime is field 6: bytes 46..53 of a header. */
		size_t h = i;

		while (h > 0 && memcmp(p0 + h, "070701", 6) != 0)
			h--;
		if (i - h < 46 || i - h >= 54)
			bad++;
	}
	assert_true(diffs > 0);
	assert_int_equal(bad, 0);
	free(p0);
	free(p1);
	initramfs_archive_free(a);
	initramfs_archive_free(b);
}

static void test_path_rules(void **state)
{
	struct initramfs_archive *a = initramfs_archive_new();
	struct kt_str err = KT_STR_INIT;

	assert_int_equal(initramfs_archive_add_data(a, "../etc/passwd", "x", 1,
						    0644, &err), -EINVAL);
	assert_non_null(strstr(err.buf, "'..'"));
	kt_str_reset(&err);
	assert_int_equal(initramfs_archive_add_dir(a, "a/b/../../../c", 0755,
						   &err), -EINVAL);
	assert_int_equal(initramfs_archive_add_dir(a, "/", 0755, &err), -EINVAL);
	assert_int_equal(initramfs_archive_add_symlink(a, "a/l", "../../x",
						       &err), -EINVAL);
	kt_str_reset(&err);
	/* Inside the root, and absolute targets, are fine. */
	assert_int_equal(initramfs_archive_add_symlink(a, "a/l", "../x", &err), 0);
	assert_int_equal(initramfs_archive_add_symlink(a, "a/m", "/etc", &err), 0);
	/* "./x//y" is just "x/y"; adding it again clashes. */
	assert_int_equal(initramfs_archive_add_data(a, "./x//y", "", 0, 0644,
						    &err), 0);
	assert_int_equal(initramfs_archive_add_data(a, "x/y", "", 0, 0644,
						    &err), -EEXIST);
	/* A file cannot become a parent directory. */
	assert_int_equal(initramfs_archive_add_dir(a, "x/y/z", 0755, &err),
			 -ENOTDIR);
	assert_int_equal(initramfs_archive_add_hardlink(a, "h", "nope", &err),
			 -ENOENT);
	kt_str_free(&err);
	initramfs_archive_free(a);
}

static void test_reader_rejects_bad_input(void **state)
{
	struct initramfs_archive *a = initramfs_archive_new();
	struct collected c = { KT_STR_INIT, KT_STR_INIT, { 0 }, 0 };
	struct kt_str err = KT_STR_INIT;
	char *buf = NULL;
	size_t len = 0;

	assert_int_equal(initramfs_archive_add_data(a, "aa/bb", "x", 1, 0644,
						    NULL), 0);
	to_buf(a, &plain, &buf, &len);
	/* "aa/bb" -> "../bb": a hostile archive. "aa" (116 bytes) is first. */
	assert_memory_equal(buf + 116 + 110, "aa/bb", 5);
	memcpy(buf + 116 + 110, "..", 2);
	assert_int_equal(initramfs_read_buf(buf, len, collect, &c, &err),
			 -EINVAL);
	assert_non_null(strstr(err.buf, "offset 116"));
	assert_non_null(strstr(err.buf, "'../bb'"));
	/* Bad hex in the second header's mode field. */
	memcpy(buf + 116 + 110, "aa", 2);
	kt_str_reset(&err);
	buf[116 + 14] = 'G';
	assert_int_equal(initramfs_read_buf(buf, len, collect, &c, &err),
			 -EINVAL);
	assert_non_null(strstr(err.buf, "offset 130: bad hex in field mode"));
	buf[116 + 14] = '0';
	/* Truncated: the trailer is cut. */
	kt_str_reset(&err);
	assert_int_equal(initramfs_read_buf(buf, len - 60, collect, &c, &err),
			 -EINVAL);
	assert_non_null(strstr(err.buf, "truncated"));
	/* Garbage is neither cpio nor zstd. */
	kt_str_reset(&err);
	assert_int_equal(initramfs_read_buf("\1\2\3\4\5\6\7", 7, collect, &c,
					    &err), -EINVAL);
	assert_non_null(strstr(err.buf, "offset 0"));
	free(buf);
	collected_free(&c);
	kt_str_free(&err);
	initramfs_archive_free(a);
}

/* One newc entry by hand; @pad adds the 4-byte padding after the data. */
static void put_entry(struct kt_str *s, const char *name, unsigned mode,
		      const char *data, size_t size, bool pad)
{
	size_t namesize = strlen(name) + 1;

	kt_str_printf(s, "070701%08x%08x%08x%08x%08x%08x%08zx%08x%08x%08x"
		      "%08x%08zx%08x", 1u, mode, 0u, 0u, 1u, 0u, size, 0u, 0u,
		      0u, 0u, namesize, 0u);
	kt_str_append(s, name, namesize);
	while (s->len % 4)
		kt_str_putc(s, '\0');
	kt_str_append(s, data, size);
	while (pad && s->len % 4)
		kt_str_putc(s, '\0');
	assert_int_equal(kt_str_error(s), 0);
}

static void expect_bad(const struct kt_str *s, size_t len, const char *what)
{
	struct collected c = { KT_STR_INIT, KT_STR_INIT, { 0 }, 0 };
	struct kt_str err = KT_STR_INIT;

	/* a copy of exactly @len bytes, so ASan sees any read past it */
	char *copy = malloc(len ? len : 1);

	assert_non_null(copy);
	memcpy(copy, s->buf, len);
	assert_int_equal(initramfs_read_buf(copy, len, collect, &c, &err),
			 -EINVAL);
	if (!strstr(kt_str_cstr(&err), what))
		fail_msg("'%s' does not say '%s'", kt_str_cstr(&err), what);
	free(copy);
	collected_free(&c);
	kt_str_free(&err);
}

/*
 * An archive whose last entry ends unaligned with no trailer made the
 * reader step past the end (len - off wrapped) and read the heap beyond
 * the buffer. Each kind of truncation is an error naming the offset.
 */
static void test_reader_truncated_archives(void **state)
{
	struct kt_str s = KT_STR_INIT;
	size_t first;

	put_entry(&s, "a", 0100644, "xyz", 3, true);	/* 112 + 4 bytes */
	first = s.len;
	assert_int_equal(first, 116);

	/* the original crash: "b" (5 bytes of data) ends unaligned, no more */
	put_entry(&s, "b", 0100644, "12345", 5, false);
	expect_bad(&s, s.len, "offset 116: 'b' ends unaligned at the end of "
		   "the archive (padding and TRAILER!!! missing)");
	/* padded, and still no trailer */
	kt_str_reset(&s);
	put_entry(&s, "a", 0100644, "xyz", 3, true);
	put_entry(&s, "b", 0100644, "1234", 4, true);
	expect_bad(&s, s.len, "offset 232: archive ends without a TRAILER!!! entry");
	/* a truncated header */
	expect_bad(&s, first + 50, "offset 116: truncated cpio header");
	/* a truncated name: the header is whole, the name is not */
	expect_bad(&s, first + 110 + 1, "offset 116: name size 2 out of bounds");
	/* truncated data */
	expect_bad(&s, first + 112 + 2, "offset 116: 'b' data (4 bytes) runs past the end");
	/* the same behind a zstd frame */
	kt_str_reset(&s);
	put_entry(&s, "a", 0100644, "xyz", 3, true);
	put_entry(&s, "b", 0100644, "12345", 5, false);
	{
		size_t cap = ZSTD_compressBound(s.len), zlen;
		char *z = malloc(cap);
		struct kt_str zs = KT_STR_INIT;

		assert_non_null(z);
		zlen = ZSTD_compress(z, cap, s.buf, s.len, 3);
		assert_false(ZSTD_isError(zlen));
		kt_str_append(&zs, z, zlen);
		expect_bad(&zs, zs.len, "offset 116: 'b' ends unaligned");
		free(z);
		kt_str_free(&zs);
	}
	kt_str_free(&s);
}

/* @in as one zstd frame, replacing @out. */
static void zstd_frame(const struct kt_str *in, struct kt_str *out)
{
	size_t cap = ZSTD_compressBound(in->len), zlen;
	char *z = malloc(cap);

	assert_non_null(z);
	zlen = ZSTD_compress(z, cap, in->buf, in->len, 3);
	assert_false(ZSTD_isError(zlen));
	kt_str_reset(out);
	kt_str_append(out, z, zlen);
	assert_int_equal(kt_str_error(out), 0);
	free(z);
}

/*
 * Two archives in one zstd frame (with zero padding between): the kernel
 * unpacks both, so --list must show both, not stop at the first trailer.
 */
static void test_reader_archives_in_one_frame(void **state)
{
	struct collected c = { KT_STR_INIT, KT_STR_INIT, { 0 }, 0 };
	struct kt_str s = KT_STR_INIT, z = KT_STR_INIT, err = KT_STR_INIT;

	(void)state;
	put_entry(&s, "a", 0100644, "xyz", 3, true);
	put_entry(&s, "TRAILER!!!", 0, "", 0, true);
	kt_str_append(&s, "\0\0\0\0\0\0\0\0", 8);
	put_entry(&s, "hidden", 0100755, "#!/bin/sh\n", 10, true);
	put_entry(&s, "TRAILER!!!", 0, "", 0, true);
	zstd_frame(&s, &z);
	assert_int_equal(initramfs_read_buf(z.buf, z.len, collect, &c, &err), 0);
	assert_string_equal(kt_str_cstr(&c.names), "a\nhidden\n");
	/* junk after the first archive is an error, as in the kernel */
	kt_str_reset(&s);
	put_entry(&s, "a", 0100644, "xyz", 3, true);
	put_entry(&s, "TRAILER!!!", 0, "", 0, true);
	for (int i = 0; i < 30; i++)
		kt_str_puts(&s, "junk");
	zstd_frame(&s, &z);
	assert_int_equal(initramfs_read_buf(z.buf, z.len, collect, &c, &err), -EINVAL);
	assert_non_null(strstr(kt_str_cstr(&err), "bad cpio magic"));
	collected_free(&c);
	kt_str_free(&s);
	kt_str_free(&z);
	kt_str_free(&err);
}

/* @n bytes of zeros as one zstd frame, through the streaming API. */
static void zstd_zeros(struct kt_str *out, size_t n)
{
	ZSTD_CCtx *c = ZSTD_createCCtx();
	size_t chunk = 1 << 20, outcap = ZSTD_CStreamOutSize();
	char *zeros = calloc(1, chunk), *obuf = malloc(outcap);

	assert_non_null(c);
	assert_non_null(zeros);
	assert_non_null(obuf);
	for (size_t done = 0; done < n || n == 0;) {
		size_t take = n - done < chunk ? n - done : chunk;
		bool last = done + take == n;
		ZSTD_inBuffer in = { zeros, take, 0 };
		size_t left;

		do {
			ZSTD_outBuffer o = { obuf, outcap, 0 };

			left = ZSTD_compressStream2(c, &o, &in, last ?
						    ZSTD_e_end : ZSTD_e_continue);
			assert_false(ZSTD_isError(left));
			kt_str_append(out, obuf, o.pos);
		} while (last ? left != 0 : in.pos < in.size);
		done += take;
		if (last)
			break;
	}
	assert_int_equal(kt_str_error(out), 0);
	ZSTD_freeCCtx(c);
	free(zeros);
	free(obuf);
}

/*
 * A zstd bomb (a small frame of a great many zeros) was decompressed
 * with no cap: the read limit stops it before the memory is taken. The
 * limit is set small here so the test stays fast; the default is 2 GiB.
 */
static void test_reader_zstd_bomb(void **state)
{
	struct initramfs_read_opts o = { .max_size = 1 << 20 };
	struct collected c = { KT_STR_INIT, KT_STR_INIT, { 0 }, 0 };
	struct kt_str bomb = KT_STR_INIT, err = KT_STR_INIT;
	char p[512];

	zstd_zeros(&bomb, 64 << 20);
	assert_true(bomb.len < 64 * 1024);	/* 64 MiB in a few KB */
	assert_int_equal(initramfs_read_buf_opts(bomb.buf, bomb.len, &o,
						 collect, &c, &err), -EFBIG);
	assert_non_null(strstr(err.buf, "zstd frame at offset 0: decompresses "
			       "to more than 1048576 bytes (the read limit)"));
	assert_non_null(strstr(err.buf, "segment 0 at image offset 0"));

	/* frames of one segment count together */
	kt_str_reset(&bomb);
	kt_str_reset(&err);
	zstd_zeros(&bomb, 700 << 10);
	zstd_zeros(&bomb, 700 << 10);
	assert_int_equal(initramfs_read_buf_opts(bomb.buf, bomb.len, &o,
						 collect, &c, &err), -EFBIG);
	assert_non_null(strstr(err.buf, "more than 1048576 bytes"));
	assert_null(strstr(err.buf, "zstd frame at offset 0:"));

	/* and so do segments: two 700 KB archives, zero-padded apart */
	{
		struct kt_str cpio = KT_STR_INIT;
		char *zeros = calloc(1, 700 << 10), *z;
		size_t cap, zlen;

		assert_non_null(zeros);
		put_entry(&cpio, "a", 0100644, zeros, 700 << 10, true);
		put_entry(&cpio, "TRAILER!!!", 0, "", 0, true);
		cap = ZSTD_compressBound(cpio.len);
		z = malloc(cap);
		assert_non_null(z);
		zlen = ZSTD_compress(z, cap, cpio.buf, cpio.len, 3);
		assert_false(ZSTD_isError(zlen));
		kt_str_reset(&bomb);
		kt_str_append(&bomb, z, zlen);
		kt_str_append(&bomb, "\0\0\0\0", 4);
		kt_str_append(&bomb, z, zlen);
		assert_int_equal(kt_str_error(&bomb), 0);
		kt_str_reset(&err);
		assert_int_equal(initramfs_read_buf_opts(bomb.buf, bomb.len,
							 &o, collect, &c,
							 &err), -EFBIG);
		assert_non_null(strstr(err.buf, "segment 1 at image offset"));
		/* each alone is within the limit */
		kt_str_reset(&err);
		assert_int_equal(initramfs_read_buf_opts(z, zlen, &o, collect,
							 &c, &err), 0);
		free(z);
		free(zeros);
		kt_str_free(&cpio);
	}

	/* and the image file itself */
	path_in(p, sizeof(p), "big.img");
	kt_str_reset(&err);
	{
		char *zeros = calloc(1, (1 << 20) + 1);

		assert_non_null(zeros);
		assert_int_equal(kt_atomic_write_buf(p, 0644, zeros,
						     (1 << 20) + 1), 0);
		free(zeros);
	}
	assert_int_equal(initramfs_read_file_opts(p, &o, collect, &c, &err),
			 -EFBIG);
	assert_non_null(strstr(err.buf, "big.img: larger than 1048576 bytes"));
	collected_free(&c);
	kt_str_free(&bomb);
	kt_str_free(&err);
}

/* `ktrim initramfs --list /dev/zero` read until memory ran out. */
static void test_reader_refuses_non_regular(void **state)
{
	struct collected c = { KT_STR_INIT, KT_STR_INIT, { 0 }, 0 };
	struct kt_str err = KT_STR_INIT;
	struct initramfs_archive *a = initramfs_archive_new();
	char p[512], link[512], *buf = NULL;
	size_t len = 0;

	assert_int_equal(initramfs_read_file("/dev/zero", collect, &c, &err),
			 -EINVAL);
	assert_string_equal(err.buf, "/dev/zero: not a regular file");
	/* a FIFO: refused, without waiting for a writer */
	path_in(p, sizeof(p), "fifo");
	assert_int_equal(mkfifo(p, 0600), 0);
	kt_str_reset(&err);
	assert_int_equal(initramfs_read_file(p, collect, &c, &err), -EINVAL);
	assert_non_null(strstr(err.buf, "fifo: not a regular file"));
	kt_str_reset(&err);
	assert_int_equal(initramfs_read_file(dir, collect, &c, &err), -EINVAL);
	/* a symlink to an image is still an image */
	assert_int_equal(initramfs_archive_add_data(a, "f", "x", 1, 0644, NULL), 0);
	to_buf(a, &plain, &buf, &len);
	path_in(p, sizeof(p), "img");
	assert_int_equal(kt_atomic_write_buf(p, 0644, buf, len), 0);
	path_in(link, sizeof(link), "img-link");
	assert_int_equal(symlink(p, link), 0);
	kt_str_reset(&err);
	assert_int_equal(initramfs_read_file(link, collect, &c, &err), 0);
	assert_string_equal(c.names.buf, "f\n");
	free(buf);
	initramfs_archive_free(a);
	collected_free(&c);
	kt_str_free(&err);
}

static int mode_of(const struct initramfs_entry *e, void *ctx)
{
	struct kt_str *out = ctx;

	kt_str_printf(out, "%s %o\n", e->path, (unsigned)(e->mode & 07777));
	return 0;
}

/*
 * The image owns everything by root: a setuid file of uid 1000 in a
 * rootfs used to become setuid root. Its setuid (setgid) bit is cleared
 * when the host owner (group) is not root, with a warning naming it; a
 * root-owned file keeps its bits, and so does everything on request.
 */
static void test_tree_setuid_of_non_root_cleared(void **state)
{
	struct initramfs_archive *a;
	struct kt_str err = KT_STR_INIT, modes = KT_STR_INIT;
	char root[512], p[512], list[512], text[2048], *buf = NULL, *log = NULL;
	size_t len = 0, loglen = 0;
	FILE *logf;

	if (geteuid() != 0)
		skip();	/* chown needs root */
	path_in(root, sizeof(root), "root");
	assert_int_equal(mkdir(root, 0755), 0);
	path_in(p, sizeof(p), "root/user-suid");
	write_host("root/user-suid", "x", 0644);
	assert_int_equal(chown(p, 1000, 1000), 0);
	assert_int_equal(chmod(p, 06755), 0);
	path_in(p, sizeof(p), "root/group-sgid");
	write_host("root/group-sgid", "x", 0644);
	assert_int_equal(chown(p, 0, 1000), 0);
	assert_int_equal(chmod(p, 06755), 0);
	path_in(p, sizeof(p), "root/root-suid");
	write_host("root/root-suid", "x", 0644);
	assert_int_equal(chmod(p, 06755), 0);
	/* a list naming uid 1000 for a setuid file, and mode 0 (the host's) */
	path_in(p, sizeof(p), "root/user-suid");
	snprintf(text, sizeof(text), "file /l-user %s 4755 1000 0\n"
		 "file /l-root %s 4755 0 0\n"
		 "file /l-host %s 0 0 0\n", p, p, p);
	write_host("list", text, 0644);
	path_in(list, sizeof(list), "list");

	logf = open_memstream(&log, &loglen);
	assert_non_null(logf);
	kt_log_set_stream(logf);
	a = initramfs_archive_new();
	assert_int_equal(initramfs_archive_add_tree(a, "rootfs", root, &err), 0);
	assert_int_equal(initramfs_archive_add_list(a, list, &err), 0);
	kt_log_set_stream(NULL);
	fclose(logf);
	to_buf(a, &plain, &buf, &len);
	assert_int_equal(initramfs_read_buf(buf, len, mode_of, &modes, &err), 0);
	assert_string_equal(modes.buf,
			    "l-host 755\nl-root 4755\nl-user 755\nrootfs 755\n"
			    "rootfs/group-sgid 4755\nrootfs/root-suid 6755\n"
			    "rootfs/user-suid 755\n");
	assert_non_null(strstr(log, "rootfs/user-suid: setuid bit cleared: "
			       "owned by uid 1000, would be setuid root in "
			       "the image"));
	assert_non_null(strstr(log, "rootfs/user-suid: setgid bit cleared"));
	assert_non_null(strstr(log, "rootfs/group-sgid: setgid bit cleared"));
	assert_null(strstr(log, "root-suid"));
	assert_non_null(strstr(log, "/l-user: setuid bit cleared"));
	initramfs_archive_free(a);
	free(buf);
	free(log);

	/* kept on request */
	a = initramfs_archive_new();
	initramfs_archive_keep_setuid(a, true);
	assert_int_equal(initramfs_archive_add_tree(a, "", root, &err), 0);
	to_buf(a, &plain, &buf, &len);
	kt_str_reset(&modes);
	assert_int_equal(initramfs_read_buf(buf, len, mode_of, &modes, &err), 0);
	assert_non_null(strstr(modes.buf, "user-suid 6755"));
	initramfs_archive_free(a);
	free(buf);
	kt_str_free(&modes);
	kt_str_free(&err);
}

static void test_list_file(void **state)
{
	struct initramfs_archive *a = initramfs_archive_new();
	struct collected c = { KT_STR_INIT, KT_STR_INIT, { 0 }, 0 };
	struct kt_str err = KT_STR_INIT;
	char list[512], host[512], *buf = NULL, text[2048];
	size_t len = 0;

	write_host("payload", "abc", 0644);
	path_in(host, sizeof(host), "payload");
	snprintf(text, sizeof(text),
		 "# comment\n"
		 "dir /dev 0755 0 0\n"
		 "nod /dev/console 0600 0 0 c 5 1\n"
		 "file /bin/payload %s 0755 1000 1000\n"
		 "slink /bin/sh payload 0777 0 0\n"
		 "pipe /run/fifo 0600 0 0\n", host);
	write_host("list", text, 0644);
	path_in(list, sizeof(list), "list");
	assert_int_equal(initramfs_archive_add_list(a, list, &err), 0);
	to_buf(a, &plain, &buf, &len);
	assert_int_equal(initramfs_read_buf(buf, len, collect, &c, &err), 0);
	assert_string_equal(c.names.buf, "bin\nbin/payload\nbin/sh\ndev\n"
			    "dev/console\nrun\nrun/fifo\n");
	/* Owners from the list are not honoured: always 0:0. */
	assert_non_null(strstr(c.lines.buf, "-rwxr-xr-x   1 root     root "
			       "           3 Jan  1  1970 bin/payload"));
	write_host("badlist", "dir /x 0755 0 0\nnod /y 0600 0 0 q 1 1\n", 0644);
	path_in(list, sizeof(list), "badlist");
	kt_str_reset(&err);
	assert_int_equal(initramfs_archive_add_list(a, list, &err), -EINVAL);
	assert_non_null(strstr(err.buf, "badlist:2: device type 'q'"));
	free(buf);
	collected_free(&c);
	kt_str_free(&err);
	initramfs_archive_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_archives_in_one_frame),
		cmocka_unit_test(test_header_bytes),
		cmocka_unit_test_setup_teardown(
			test_round_trip_reader_list_and_gnu_cpio, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_zstd_and_segments, setup,
						teardown),
		cmocka_unit_test(test_reproducible),
		cmocka_unit_test(test_path_rules),
		cmocka_unit_test(test_reader_rejects_bad_input),
		cmocka_unit_test(test_reader_truncated_archives),
		cmocka_unit_test_setup_teardown(test_reader_zstd_bomb, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reader_refuses_non_regular,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_tree_setuid_of_non_root_cleared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_file, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Boot disks: checksums against known values, the UKI against Debian's
 * systemd stub, partition tables as sfdisk reads them, VHDX from qemu-img
 * made reproducible, bad input refused with its offset.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/common.h"
#include "pipeline/disk-internal.h"

#define STUB "/usr/lib/systemd/boot/efi/linuxx64.efi.stub"
#define MIB (1024 * 1024)

static char tmpdir[] = "/tmp/ktrim-test-disk.XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	const char *argv[] = { "rm", "-rf", tmpdir, NULL };

	(void)state;
	return kt_run(argv, NULL, NULL) == 0 ? 0 : -1;
}

static char *tmp(const char *name)
{
	char *p = NULL;

	assert_true(asprintf(&p, "%s/%s", tmpdir, name) > 0);
	return p;
}

static bool have(const char *tool)
{
	const char *argv[] = { "sh", "-c", "command -v \"$0\" >/dev/null", tool, NULL };

	return kt_run(argv, NULL, NULL) == 0;
}

/* Bytes that vary with @seed, as a file. */
static char *pattern_file(const char *name, size_t len, unsigned seed)
{
	char *p = tmp(name), *buf = malloc(len);

	assert_non_null(buf);
	for (size_t i = 0; i < len; i++)
		buf[i] = (char)(i * 2654435761u >> 13 ^ seed);
	assert_int_equal(kt_atomic_write_buf(p, 0644, buf, len), 0);
	free(buf);
	return p;
}

static void test_crc(void **state)
{
	(void)state;
	/* The standard check values of CRC-32 and CRC-32C. */
	assert_int_equal(disk_crc32(0xedb88320u, "123456789", 9), 0xcbf43926u);
	assert_int_equal(disk_crc32(0x82f63b78u, "123456789", 9), 0xe3069283u);
}

/* Our checksum reproduces the one in Debian's stub, a real PE image. */
static void test_pe_checksum_of_stub(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	struct pe_image pe;
	struct kt_str err = KT_STR_INIT;
	uint32_t stored;

	(void)state;
	if (kt_read_file(STUB, &buf, &len) < 0)
		skip();
	assert_int_equal(pe_parse((unsigned char *)buf, len, &pe, &err), 0);
	assert_non_null(pe_section(&pe, ".text"));
	assert_null(pe_section(&pe, ".linux"));
	memcpy(&stored, buf + pe.opt + 64, 4);
	assert_int_equal(pe_checksum((unsigned char *)buf, len, &pe), stored);
	/* not a PE: refused with the offset */
	assert_int_equal(pe_parse((const unsigned char *)"MZ", 2, &pe, &err), -EINVAL);
	assert_non_null(strstr(err.buf, "offset 0"));
	free(buf);
	kt_str_free(&err);
}

/* A UKI: same inputs, same bytes; its sections are the inputs. */
static void test_uki(void **state)
{
	char *kernel = pattern_file("kernel", 300000, 1), *initrd = pattern_file("initrd", 70001, 2);
	char *out1 = tmp("uki1.efi"), *out2 = tmp("uki2.efi"), *a = NULL, *b = NULL, *k = NULL;
	size_t la = 0, lb = 0, lk = 0, n;
	const void *data;
	struct kt_str err = KT_STR_INIT;
	struct pipeline_uki_opts o = {
		.kernel = kernel, .initrd = initrd, .cmdline = "console=ttyS0 panic=-1",
		.name = "test", .workdir = tmpdir, .output = out1,
	};

	(void)state;
	if (access(STUB, R_OK) || !have("objcopy"))
		skip();
	assert_int_equal(pipeline_uki_build(&o, &err), 0);
	o.output = out2;
	sleep(1);	/* objcopy's clock moves on; the image must not */
	assert_int_equal(pipeline_uki_build(&o, &err), 0);
	assert_int_equal(kt_read_file(out1, &a, &la), 0);
	assert_int_equal(kt_read_file(out2, &b, &lb), 0);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	assert_int_equal(kt_read_file(kernel, &k, &lk), 0);
	assert_int_equal(pipeline_uki_section(a, la, ".linux", &data, &n, &err), 0);
	assert_int_equal(n, lk);
	assert_memory_equal(data, k, lk);
	assert_int_equal(pipeline_uki_section(a, la, ".cmdline", &data, &n, &err), 0);
	assert_int_equal(n, strlen(o.cmdline));
	assert_memory_equal(data, o.cmdline, n);
	assert_int_equal(pipeline_uki_section(a, la, ".initrd", &data, &n, &err), 0);
	assert_int_equal(n, 70001);
	assert_int_equal(pipeline_uki_section(a, la, ".nosuch", &data, &n, &err), -ENOENT);
	free(a), free(b), free(k);
	free(kernel), free(initrd), free(out1), free(out2);
	kt_str_free(&err);
}

/* sfdisk --dump of a disk disk_layout wrote. */
static void dump(const char *raw, struct kt_str *out)
{
	const char *argv[] = { "sfdisk", "--dump", raw, NULL };

	kt_str_reset(out);
	assert_int_equal(kt_run(argv, out, "/dev/null"), 0);
}

static void test_partition_tables(void **state)
{
	char *fat = pattern_file("fat", 4 * MIB, 3), *gpt = tmp("gpt.raw"), *mbr = tmp("mbr.raw");
	unsigned char code[440];
	struct kt_str out = KT_STR_INIT, err = KT_STR_INIT;
	uint64_t off = 0;
	bool is_gpt;

	(void)state;
	if (!have("sfdisk"))
		skip();
	assert_int_equal(disk_layout(fat, true, NULL, 6 * MIB, gpt), 0);
	dump(gpt, &out);
	assert_non_null(strstr(out.buf, "label: gpt\n"));
	assert_non_null(strstr(out.buf, "start=        2048, size=        8192, "
				       "type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B"));
	assert_non_null(strstr(out.buf, "name=\"EFI System\""));
	assert_int_equal(disk_first_partition(gpt, &is_gpt, &off, &err), 0);
	assert_true(is_gpt);
	assert_int_equal(off, MIB);

	memset(code, 0xfa, sizeof(code));
	assert_int_equal(disk_layout(fat, false, code, 6 * MIB, mbr), 0);
	dump(mbr, &out);
	assert_non_null(strstr(out.buf, "label: dos\n"));
	assert_non_null(strstr(out.buf, "start=        2048, size=        8192, type=c, bootable"));
	assert_int_equal(disk_first_partition(mbr, &is_gpt, &off, &err), 0);
	assert_false(is_gpt);
	assert_int_equal(off, MIB);

	/* too small a disk for the partition: refused, nothing written */
	unlink(mbr);
	assert_int_equal(disk_layout(fat, false, code, 5 * MIB, mbr), -EINVAL);
	assert_int_not_equal(access(mbr, F_OK), 0);
	/* no partition table */
	assert_int_equal(disk_first_partition(fat, &is_gpt, &off, &err), -EINVAL);
	assert_non_null(strstr(err.buf, "offset 510"));
	free(fat), free(gpt), free(mbr);
	kt_str_free(&out);
	kt_str_free(&err);
}

/* qemu-img writes random GUIDs; normalised, two conversions are one file. */
static void test_vhdx_normalise(void **state)
{
	char *raw = pattern_file("v.raw", 3 * MIB, 4), *v1 = tmp("v1.vhdx"), *v2 = tmp("v2.vhdx");
	struct kt_str err = KT_STR_INIT, out = KT_STR_INIT;
	char h1[65], h2[65], hex[65];

	(void)state;
	if (!have("qemu-img"))
		skip();
	assert_int_equal(kt_sha256_file(raw, hex), 0);
	for (int i = 0; i < 2; i++) {
		const char *cv[] = { "qemu-img", "convert", "-f", "raw", "-O", "vhdx", raw,
				     i ? v2 : v1, NULL };

		assert_int_equal(kt_run(cv, NULL, "/dev/null"), 0);
	}
	assert_int_equal(kt_sha256_file(v1, h1), 0);
	assert_int_equal(kt_sha256_file(v2, h2), 0);
	assert_string_not_equal(h1, h2);
	assert_int_equal(disk_vhdx_normalise(v1, hex, &err), 0);
	assert_int_equal(disk_vhdx_normalise(v2, hex, &err), 0);
	assert_int_equal(kt_sha256_file(v1, h1), 0);
	assert_int_equal(kt_sha256_file(v2, h2), 0);
	assert_string_equal(h1, h2);
	{
		/* still a valid VHDX with the same content */
		const char *ck[] = { "qemu-img", "check", v1, NULL };
		const char *cmp[] = { "qemu-img", "compare", "-f", "raw", "-F", "vhdx", raw, v1, NULL };

		assert_int_equal(kt_run(ck, &out, "/dev/null"), 0);
		assert_int_equal(kt_run(cmp, &out, "/dev/null"), 0);
	}
	assert_int_equal(disk_vhdx_normalise(raw, hex, &err), -EINVAL);
	assert_non_null(strstr(err.buf, "offset 0: not a VHDX file"));
	free(raw), free(v1), free(v2);
	kt_str_free(&err);
	kt_str_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc),
		cmocka_unit_test(test_pe_checksum_of_stub),
		cmocka_unit_test(test_uki),
		cmocka_unit_test(test_partition_tables),
		cmocka_unit_test(test_vhdx_normalise),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

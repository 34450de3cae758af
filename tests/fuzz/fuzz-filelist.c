// SPDX-License-Identifier: GPL-2.0-only
/*
 * The gen_init_cpio-style list file (`ktrim initramfs --list-file`): the
 * entries it adds are written out as an uncompressed image, so the writer
 * sees every name, mode and device the parser let through.
 */
#include "initramfs/initramfs.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct initramfs_write_opts wo = INITRAMFS_WRITE_OPTS_INIT;
	struct initramfs_archive *a = initramfs_archive_new();
	struct kt_str err = KT_STR_INIT;
	static FILE *null;

	fuzz_quiet();
	if (!null)
		null = fopen("/dev/null", "w");
	if (!a || !null)
		abort();
	wo.compress = INITRAMFS_COMPRESS_NONE;
	if (initramfs_archive_add_list(a, fuzz_file("list", data, size),
				       &err) == 0)
		initramfs_archive_write(a, &wo, null, &err);
	initramfs_archive_free(a);
	kt_str_free(&err);
	return 0;
}

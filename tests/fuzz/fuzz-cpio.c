// SPDX-License-Identifier: GPL-2.0-only
/*
 * The initramfs reader (`ktrim initramfs --list`): newc segments, plain or
 * zstd, with the padding between them; every entry formatted as --list
 * prints it.
 */
#include "initramfs/initramfs.h"
#include "tests/fuzz/fuzz.h"

static int entry(const struct initramfs_entry *e, void *ctx)
{
	struct kt_str *line = ctx;

	kt_str_reset(line);
	return initramfs_entry_format(e, line) < 0 ? -ENOMEM : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* below libFuzzer's 2 GB: a bomb must hit ktrim's cap, not ASan's */
	struct initramfs_read_opts o = { .max_size = 64 << 20 };
	struct kt_str err = KT_STR_INIT, line = KT_STR_INIT;

	fuzz_quiet();
	initramfs_read_buf_opts(data, size, &o, entry, &line, &err);
	kt_str_free(&line);
	kt_str_free(&err);
	return 0;
}

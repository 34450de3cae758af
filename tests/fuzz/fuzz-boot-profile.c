// SPDX-License-Identifier: GPL-2.0-only
/*
 * certify --analyze's readers: the input as an initcall_debug console,
 * then as the System.map that names its functions, then the waterfall of
 * what was read. Records keep their order; a call has a duration only
 * with its "returned" line.
 */
#include "pipeline/boot-profile.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct boot_profile bp;
	struct kt_str err = KT_STR_INIT, svg = KT_STR_INIT;

	fuzz_quiet();
	boot_profile_init(&bp);
	if (boot_profile_parse_console(&bp, (const char *)data, size) < 0)
		abort();	/* only out of memory fails */
	for (size_t i = 0; i < bp.calls.len; i++) {
		const struct boot_initcall *ic = kt_array_at(&bp.calls, i);

		if (!ic->done || !ic->fn || !ic->fn[0])
			abort();
	}
	boot_profile_name_functions(&bp, fuzz_file("System.map", data, size), &err);
	boot_profile_phases(&bp, 100.0, 50.0, 60.0, 70.0, 80.0);
	if (boot_profile_svg(&bp, "fuzz", 15, &svg) == 0 && !strstr(kt_str_cstr(&svg), "</svg>"))
		abort();
	kt_str_free(&svg);
	kt_str_free(&err);
	boot_profile_release(&bp);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The trim report (`ktrim config --report`), as `ktrim explain` reads its
 * symbols: section back; every reason found is looked up again.
 */
#include "kconfig-trim/kconfig.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_str err = KT_STR_INIT;
	struct kconf_reasons *rs = kconf_reasons_new();
	const char *via;

	fuzz_quiet();
	if (!rs)
		abort();
	if (kconf_reasons_load_report(rs, fuzz_file("report.yaml", data, size),
				      &err) == 0)
		kconf_reasons_text(rs, "MODULES", &via);
	kconf_reasons_free(rs);
	kt_str_free(&err);
	return 0;
}

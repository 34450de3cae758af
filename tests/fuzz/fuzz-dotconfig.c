// SPDX-License-Identifier: GPL-2.0-only
/*
 * The .config reader: the input is a .config for a small kernel-like tree
 * (tests/fixtures/trim/tree: menus, choices, selects, int/hex/string
 * symbols), read, resolved and written again as olddefconfig does.
 */
#include "kconfig-trim/kconfig.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_str err = KT_STR_INIT, out = KT_STR_INIT;
	struct kconf_tree *t;

	fuzz_quiet();
	/* a fresh tree each time: a reused one would keep the warnings */
	if (fuzz_kconfig_load(KT_SRCDIR "/tests/fixtures/trim/tree", &t, &err) < 0)
		abort();
	if (kconf_config_read_buf(t, ".config", (const char *)data, size,
				  &err) == 0 && kconf_resolve(t) == 0)
		kconf_config_format(t, &out);
	kconf_tree_free(t);
	kt_str_free(&out);
	kt_str_free(&err);
	return 0;
}

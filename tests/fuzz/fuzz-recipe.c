// SPDX-License-Identifier: GPL-2.0-only
/*
 * A recipe (a target, base or workload .yaml under recipes/): loaded with its
 * includes resolved against the shipped recipes/ directory.
 */
#include "kconfig-trim/kconfig.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_str err = KT_STR_INIT;
	struct kconf_recipe_set s;

	fuzz_quiet();
	kconf_recipe_set_init(&s);
	kconf_recipe_set_load(&s, KT_SRCDIR "/recipes",
			      fuzz_file("fuzz.yaml", data, size), &err);
	kconf_recipe_set_modules(&s);
	kconf_recipe_set_release(&s);
	kt_str_free(&err);
	return 0;
}

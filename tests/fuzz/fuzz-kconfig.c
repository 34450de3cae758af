// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Kconfig parser and preprocessor: the input is a tree's top Kconfig
 * file. A tree that loads is resolved and written as conf writes .config,
 * so the evaluator and the writer see whatever the parser accepted.
 * $(shell,...) runs nothing in a fuzzing build (kconf-preproc.c).
 */
#include "kconfig-trim/kconfig.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_str err = KT_STR_INIT, out = KT_STR_INIT;
	struct kconf_tree *t;

	fuzz_quiet();
	fuzz_file("Kconfig", data, size);
	if (fuzz_kconfig_load(fuzz_dir(), &t, &err) == 0 &&
	    kconf_resolve(t) == 0)
		kconf_config_format(t, &out);
	kconf_tree_free(t);
	kt_str_free(&out);
	kt_str_free(&err);
	return 0;
}

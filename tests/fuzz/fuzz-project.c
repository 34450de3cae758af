// SPDX-License-Identifier: GPL-2.0-only
/*
 * ktrim.yaml, the project file: loaded as `ktrim profile` and `ktrim
 * build` load it, with the lazily checked kernel paths asked for too.
 */
#include "profiler/profiler.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_str err = KT_STR_INIT;
	struct kprof_project pr;
	const char *path;

	fuzz_quiet();
	kprof_project_init(&pr);
	if (kprof_project_load(fuzz_file("ktrim.yaml", data, size), &pr,
			       &err) == 0) {
		kprof_project_kernel_source(&pr, &path, &err);
		kprof_project_profiling_kernel(&pr, &path, &err);
		kprof_project_profiling_modules(&pr, &path, &err);
	}
	kprof_project_release(&pr);
	kt_str_free(&err);
	return 0;
}

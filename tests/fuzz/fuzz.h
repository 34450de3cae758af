/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz.h - what every libFuzzer harness in tests/fuzz/ shares: quiet logs,
 * the input as a C string, and the input as a file for the loaders that
 * only take a path. Built only with clang -fsanitize=fuzzer (make fuzz);
 * FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION is defined there, so no
 * harness can make ktrim start a program (common/run.c refuses).
 */
#ifndef KTRIM_FUZZ_H
#define KTRIM_FUZZ_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Errors are the expected outcome of most inputs: keep them off stderr. */
static inline void fuzz_quiet(void)
{
	static FILE *null;

	if (!null)
		null = fopen("/dev/null", "w");
	kt_log_set_level(KT_LOG_ERR);
	kt_log_set_stream(null);
}

/* A NUL-terminated heap copy of the input (which may hold NULs itself). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* A private directory for this process, made once, under $TMPDIR. */
static inline const char *fuzz_dir(void)
{
	static char dir[512];

	if (!dir[0]) {
		const char *t = getenv("TMPDIR");

		snprintf(dir, sizeof(dir), "%s/ktrim-fuzz-XXXXXX",
			 t && *t ? t : "/tmp");
		if (!mkdtemp(dir))
			abort();
	}
	return dir;
}

/* Write the input to fuzz_dir()/@name (replacing it); returns the path. */
static inline const char *fuzz_file(const char *name, const uint8_t *data,
				    size_t size)
{
	static char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fuzz_dir(), name);
	f = fopen(path, "w");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	return path;
}

#ifdef KTRIM_KCONFIG_H
/* A Kconfig tree as the fuzzers load it: x86_64, 6.1, no shell cache. */
static inline int fuzz_kconfig_load(const char *srctree,
				    struct kconf_tree **t, struct kt_str *err)
{
	static const struct kconf_load_opts o = {
		.arch = "x86_64", .kernelversion = "6.1.0", .cache_dir = "",
	};

	*t = NULL;
	return kconf_tree_load(srctree, &o, t, err);
}
#endif

#endif

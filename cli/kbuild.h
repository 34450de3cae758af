/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kbuild.h - private to cli/: building a kernel with the kernel's own make,
 * out of tree, skipping the build when neither the configuration nor the
 * source changed since the last successful one.
 */
#ifndef KTRIM_CLI_KBUILD_H
#define KTRIM_CLI_KBUILD_H

#include <stdbool.h>
#include <stddef.h>

struct kt_kbuild {
	const char *ksrc;	/* kernel source tree (never written to) */
	const char *build_dir;	/* O= directory, created when missing */
	const char *config;	/* .config to build */
	const char *log_path;	/* make's output goes here */
	const char *const *targets;	/* make goals, e.g. "bzImage" */
	size_t ntargets;
	unsigned jobs;		/* 0: the CPU count */
	bool force;		/* build even when the stamp matches */
};

/*
 * Build; *rebuilt says whether make ran. On failure the last lines of the
 * log are printed. Returns 0 or a negative errno (-EIO: make failed).
 */
int kt_kbuild_run(const struct kt_kbuild *kb, bool *rebuilt);

/* `make -C ksrc O=build_dir ARGS...` with make's output to the log. */
int kt_kbuild_make(const struct kt_kbuild *kb, const char *const *args,
		   size_t nargs);

/* The release string of a built tree (include/config/kernel.release). */
int kt_kbuild_release(const char *build_dir, char **out);

#endif

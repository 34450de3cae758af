/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * workload.h - private to cli/: the container spec the guest init runs,
 * derived from a project file (ktrim.yaml), for `ktrim build` and
 * `ktrim initramfs --project`.
 */
#ifndef KTRIM_CLI_WORKLOAD_H
#define KTRIM_CLI_WORKLOAD_H

#include "initramfs/initramfs.h"
#include "profiler/profiler.h"

/*
 * Fill @s (initialised by the caller) from @pr, replacing its command, env,
 * smoke test, cwd, hostname, user and ready condition; strings are copied.
 */
int kt_workload_spec(const struct kprof_project *pr, struct initramfs_spec *s);

#endif

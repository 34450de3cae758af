/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * certify.h - private to cli/: the certification that `ktrim certify` and
 * `ktrim build` share. Options point at caller-owned strings.
 */
#ifndef KTRIM_CLI_CERTIFY_H
#define KTRIM_CLI_CERTIFY_H

#include <stdbool.h>

#include "kconfig-trim/kconfig.h"
#include "profiler/profiler.h"

struct kt_certify_opts {
	const char *kernel;
	const char *initramfs;	/* may be NULL: kernel-only static checks */
	const char *target;	/* recipe name or path */
	const char *config;	/* NULL: .config beside the kernel */
	const char *datadir;	/* holds recipes/ */
	const char *append;	/* extra kernel command line */
	unsigned memory_mb;	/* main boot; default 256 */
	unsigned timeout_s;	/* per boot; default 300 */
	bool bisect;		/* find the smallest passing memory */
	bool icount;		/* under TCG: instruction-counted guest time */
	enum kprof_vm_accel accel;
};

void kt_certify_opts_init(struct kt_certify_opts *o);

/*
 * A target's boot: section value (machine, kernel-format, cmdline) across
 * its recipe set: the last recipe that sets @key wins, so a target
 * overrides what it includes. Owned by the set.
 */
const char *kt_target_boot_key(const struct kconf_recipe_set *s, const char *key);

/*
 * Run every check and write the certificate to @output (atomically; NULL:
 * certificate.yaml beside the kernel). Returns the number of failed
 * checks, or a negative errno when certification itself could not run.
 */
int kt_certify(const struct kt_certify_opts *o, const char *output);

#endif

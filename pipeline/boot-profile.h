/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * boot-profile.h - private to pipeline/: where a boot's time goes, read
 * from a console with initcall_debug (boot-profile.c) and drawn as a
 * waterfall (waterfall.c). certify.c runs the boot (certify --analyze);
 * the unit tests reach the parsing here. The profile owns its strings;
 * @def points into the feature map given to boot_profile_map_sources(),
 * which must outlive it.
 */
#ifndef KTRIM_PIPELINE_BOOT_PROFILE_H
#define KTRIM_PIPELINE_BOOT_PROFILE_H

#include <stdbool.h>

#include "common/common.h"
#include "kconfig-trim/kconfig.h"

struct boot_initcall {
	char *fn;			/* the function, or its "0x..." address */
	double start_ms;		/* on the kernel's clock */
	unsigned long long dur_us;
	int ret;
	bool done;			/* its "returned" line was seen */
	const struct kconf_feat *def;	/* its registration, or NULL */
	const char *option;		/* innermost symbol of def's chain, or NULL */
	char *why;			/* the trim report's chain for @option */
};

struct boot_phase {
	const char *name;
	double start_ms, end_ms;	/* from power-on */
};

struct boot_profile {
	struct kt_array calls;		/* struct boot_initcall, in boot order */
	struct boot_phase phases[8];
	size_t nphases;
	double kernel_zero_ms;		/* power-on time of the kernel clock's zero; 0: unknown */
	double initcall_ms;		/* the initcalls' durations summed */
	double run_init_ms;		/* "Run /init as init process", kernel clock */
	size_t resolved;		/* initcalls whose registration was found */
	size_t with_option;		/* ... and built by a Kconfig symbol */
};

/* What boot-profile.yaml says about the boot itself. */
struct boot_profile_meta {
	const char *kernel, *kernel_sha256, *cmdline, *where, *clock;
};

void boot_profile_init(struct boot_profile *bp);
void boot_profile_release(struct boot_profile *bp);
/* The initcall records of a console log; calls that never returned are dropped. */
int boot_profile_parse_console(struct boot_profile *bp, const char *text, size_t len);
/* Name the "0x..." functions through the build's System.map (errors: file:line). */
int boot_profile_name_functions(struct boot_profile *bp, const char *system_map,
				struct kt_str *err);
/* Source and option of each initcall; @config (symbol -> value) picks among namesakes. */
void boot_profile_map_sources(struct boot_profile *bp, const struct kconf_featmap *fm,
			      const struct kt_map *config);
/* Why the trim kept each initcall's option. */
int boot_profile_explain(struct boot_profile *bp, const struct kconf_reasons *rs);
/* Phases from the init's records (kernel clock, ms; 0: none) and the TSC's power-on time. */
void boot_profile_phases(struct boot_profile *bp, double init_power_on_ms, double init_ms,
			 double modules_ms, double exec_ms, double ready_ms);
/* Pointers to the initcalls, slowest first (ties in boot order); kt_array_free it. */
int boot_profile_slowest(const struct boot_profile *bp, struct kt_array *out);
int boot_profile_format(const struct boot_profile *bp, const struct boot_profile_meta *m,
			struct kt_str *o);
/* The waterfall as SVG: phases as bands, the @top slowest initcalls labelled. */
int boot_profile_svg(const struct boot_profile *bp, const char *title, size_t top,
		     struct kt_str *o);

#endif

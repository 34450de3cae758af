// SPDX-License-Identifier: GPL-2.0-only
/* The subcommand table, in the order of the job. Only implemented commands are listed. */
#include "cli/cli.h"

extern const struct kt_cmd kt_cmd_profile;
extern const struct kt_cmd kt_cmd_config;
extern const struct kt_cmd kt_cmd_olddefconfig;
extern const struct kt_cmd kt_cmd_explain;
extern const struct kt_cmd kt_cmd_initramfs;
extern const struct kt_cmd kt_cmd_build;
extern const struct kt_cmd kt_cmd_certify;
extern const struct kt_cmd kt_cmd_help;
extern const struct kt_cmd kt_cmd_version;

const struct kt_cmd *const kt_commands[] = {
	&kt_cmd_profile,
	&kt_cmd_config,
	&kt_cmd_olddefconfig,
	&kt_cmd_explain,
	&kt_cmd_initramfs,
	&kt_cmd_build,
	&kt_cmd_certify,
	&kt_cmd_help,
	&kt_cmd_version,
	NULL,
};

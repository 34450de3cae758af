// SPDX-License-Identifier: GPL-2.0-only
/* The subcommand table, in the order of the job. Only implemented commands are listed. */
#include "cli/cli.h"

extern const struct cli_cmd cli_cmd_profile;
extern const struct cli_cmd cli_cmd_config;
extern const struct cli_cmd cli_cmd_olddefconfig;
extern const struct cli_cmd cli_cmd_explain;
extern const struct cli_cmd cli_cmd_initramfs;
extern const struct cli_cmd cli_cmd_build;
extern const struct cli_cmd cli_cmd_certify;
extern const struct cli_cmd cli_cmd_kernel;
extern const struct cli_cmd cli_cmd_target_info;
extern const struct cli_cmd cli_cmd_help;
extern const struct cli_cmd cli_cmd_version;

const struct cli_cmd *const cli_commands[] = {
	&cli_cmd_profile,
	&cli_cmd_config,
	&cli_cmd_olddefconfig,
	&cli_cmd_explain,
	&cli_cmd_kernel,
	&cli_cmd_initramfs,
	&cli_cmd_build,
	&cli_cmd_certify,
	&cli_cmd_target_info,
	&cli_cmd_help,
	&cli_cmd_version,
	NULL,
};

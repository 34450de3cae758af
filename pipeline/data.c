// SPDX-License-Identifier: GPL-2.0-only
/* Where recipes and guest programs live: the source tree or an install prefix. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pipeline/pipeline.h"

const char *pipeline_datadir(void)
{
	/* The source tree (./ktrim beside recipes/), then an install prefix. */
	static const char *const beside_exe[] = { "", "/../share/ktrim" };
	static char dir[PATH_MAX + 64];
	char exe[PATH_MAX], probe[PATH_MAX + 64];
	const char *env = getenv("KTRIM_DATADIR");
	char *slash;
	ssize_t n;

	if (env && *env)
		return env;
	if (dir[0])
		return dir;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		for (size_t i = 0; slash && i < KT_ARRAY_SIZE(beside_exe); i++) {
			snprintf(probe, sizeof(probe), "%s%s/recipes/targets", exe,
				 beside_exe[i]);
			if (access(probe, R_OK) == 0) {
				snprintf(dir, sizeof(dir), "%s%s", exe, beside_exe[i]);
				return dir;
			}
		}
	}
	snprintf(dir, sizeof(dir), "%s", KTRIM_DATADIR);
	return dir;
}

const char *pipeline_recipes_dir(void)
{
	static char dir[PATH_MAX + 80];

	snprintf(dir, sizeof(dir), "%s/recipes", pipeline_datadir());
	return dir;
}

const char *pipeline_guest_path(const char *name, const char *arch)
{
	static char path[2][2][PATH_MAX + 64];
	bool agent = strcmp(name, "ktrim-agent") == 0;
	/* x86_64's programs at guest/ as before; another arch's in guest/ARCH/ */
	bool arm64 = arch && !strcmp(arch, "arm64");
	static const char *const vars[2][2] = {
		{ "KTRIM_INIT", "KTRIM_AGENT" }, { "KTRIM_INIT_ARM64", "KTRIM_AGENT_ARM64" },
	};
	const char *env = getenv(vars[arm64][agent]), *sub = arm64 ? "arm64/" : "";
	char *buf = path[arm64][agent];

	if (env && *env)
		return env;
	snprintf(buf, sizeof(path[0][0]), "%s/build/guest/%s%s", pipeline_datadir(), sub, name);
	if (access(buf, R_OK) == 0)
		return buf;
	snprintf(buf, sizeof(path[0][0]), "%s/guest/%s%s", pipeline_datadir(), sub, name);
	return buf;
}

// SPDX-License-Identifier: GPL-2.0-only
/* `ktrim profile`: observe the workload in a guest; or merge profiles. */
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "cli/cli.h"
#include "common/common.h"
#include "pipeline/pipeline.h"

extern const struct cli_cmd cli_cmd_profile;

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "merge", no_argument, NULL, 'm' },
		{ "workdir", required_argument, NULL, 'w' },
		{ "accel", required_argument, NULL, 'a' },
		{ "arch", required_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *project = "ktrim.yaml", *output = NULL, *workdir = NULL, *arch = NULL;
	enum kprof_vm_accel accel = KPROF_VM_ACCEL_AUTO;
	bool merge = false;
	int c;

	if (cli_wants_help(&cli_cmd_profile, argc, argv))
		return 0;
	while ((c = getopt_long(argc, argv, "f:o:", opts, NULL)) != -1) {
		switch (c) {
		case 'f': project = optarg; break;
		case 'o': output = optarg; break;
		case 'm': merge = true; break;
		case 'w': workdir = optarg; break;
		case 'A': arch = optarg; break;
		case 'a':
			if (!strcmp(optarg, "kvm"))
				accel = KPROF_VM_ACCEL_KVM;
			else if (!strcmp(optarg, "tcg"))
				accel = KPROF_VM_ACCEL_TCG;
			else if (strcmp(optarg, "auto"))
				return cli_usage_error(&cli_cmd_profile,
							  "--accel takes kvm, tcg or auto");
			break;
		default:
			return cli_usage_error(&cli_cmd_profile, "unknown option");
		}
	}
	if (merge) {
		if (!output || argc - optind < 2)
			return cli_usage_error(&cli_cmd_profile,
						  "--merge needs two or more profiles and -o");
		return pipeline_profile_merge((const char *const *)argv + optind,
					      (size_t)(argc - optind), output) < 0 ? 1 : 0;
	}
	if (optind != argc)
		return cli_usage_error(&cli_cmd_profile, "unexpected argument '%s'",
					  argv[optind]);
	return pipeline_profile(project, output ? output : "ktrim.profile.yaml", workdir,
				accel, arch) < 0 ? 1 : 0;
}

const struct cli_cmd cli_cmd_profile = {
	.name = "profile",
	.summary = "run the workload in a guest and record the kernel features it uses",
	.usage =
"usage: ktrim profile [-f ktrim.yaml] [-o ktrim.profile.yaml] [--workdir DIR]\n"
"                     [--accel kvm|tcg|auto] [--arch x86_64|arm64]\n"
"       ktrim profile --merge A.yaml B.yaml... -o OUT.yaml\n"
"\n"
"Boot the project's profiling kernel (a full distro kernel) under QEMU with\n"
"the ktrim agent as init, run the workload as a container under ptrace until\n"
"it is ready, run its smoke test inside the container, and write every kernel\n"
"feature seen (modules, filesystems, sockets, syscalls, devices, namespaces,\n"
"cgroup controllers, netfilter, sysctls) to the profile, atomically.\n"
"A workload that is never ready or a failing smoke test exits 1 and shows the\n"
"test's output; no profile is written then.\n"
"\n"
"  -f, --file FILE      project file (default ./ktrim.yaml)\n"
"  -o, --output FILE    profile to write (default ./ktrim.profile.yaml)\n"
"  --workdir DIR        scratch: initramfs, console.log, facts (default OUTPUT.work)\n"
"  --accel MODE         kvm, tcg, or auto: KVM only if a probe boots firmware\n"
"                       under it in time (also KTRIM_ACCEL)\n"
"  --arch ARCH          the guest's architecture, overriding arch: in the\n"
"                       project (x86_64, the default; arm64: QEMU virt under\n"
"                       TCG on an x86_64 host, the arm64 agent)\n"
"  --merge              union of the given profiles, counts added, into -o;\n"
"                       their arches too (arch: x86_64+arm64)\n"
"\n"
"Environment: KTRIM_AGENT (KTRIM_AGENT_ARM64) overrides the guest agent binary.\n",
	.run = run,
};

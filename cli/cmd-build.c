// SPDX-License-Identifier: GPL-2.0-only
/* `ktrim build`: options for pipeline_build(). */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/common.h"
#include "pipeline/pipeline.h"

extern const struct cli_cmd cli_cmd_build;

enum {
	OPT_PROFILE = 256, OPT_TARGET, OPT_KSRC, OPT_NO_CERTIFY, OPT_NO_BISECT,
	OPT_REBUILD, OPT_MEMORY, OPT_PLAN, OPT_ALLOW_PARTIAL, OPT_SIGN, OPT_NO_ANALYZE, OPT_COMPARE,
};

static int build_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "profile", required_argument, NULL, OPT_PROFILE },
		{ "output", required_argument, NULL, 'o' },
		{ "target", required_argument, NULL, OPT_TARGET },
		{ "ksrc", required_argument, NULL, OPT_KSRC },
		{ "jobs", required_argument, NULL, 'j' },
		{ "memory", required_argument, NULL, OPT_MEMORY },
		{ "no-certify", no_argument, NULL, OPT_NO_CERTIFY },
		{ "no-bisect", no_argument, NULL, OPT_NO_BISECT },
		{ "no-analyze", no_argument, NULL, OPT_NO_ANALYZE },
		{ "compare", required_argument, NULL, OPT_COMPARE },
		{ "rebuild", no_argument, NULL, OPT_REBUILD },
		{ "plan", no_argument, NULL, OPT_PLAN },
		{ "allow-partial", no_argument, NULL, OPT_ALLOW_PARTIAL },
		{ "sign", required_argument, NULL, OPT_SIGN },
		{ NULL, 0, NULL, 0 },
	};
	struct pipeline_build_opts o = {
		.project = "ktrim.yaml", .profile = "ktrim.profile.yaml",
		.outdir = "ktrim-out", .certify = true, .bisect = true,
		.analyze = true,
	};
	struct kt_array targets = KT_ARRAY_INIT(char *);
	unsigned long v;
	int c, status = 2;

	while ((c = getopt_long(argc, argv, "f:o:j:", opts, NULL)) != -1) {
		switch (c) {
		case 'f': o.project = optarg; break;
		case OPT_PROFILE: o.profile = optarg; break;
		case 'o': o.outdir = optarg; break;
		case OPT_TARGET:
			if (kt_array_push_ptr(&targets, optarg) < 0)
				goto out;
			break;
		case OPT_KSRC: o.ksrc = optarg; break;
		case 'j':
			if (kt_parse_ulong(optarg, 1024, &v) < 0 || !v) {
				status = cli_usage_error(&cli_cmd_build, "bad -j '%s'", optarg);
				goto out;
			}
			o.jobs = (unsigned)v;
			break;
		case OPT_MEMORY:
			if (kt_parse_ulong(optarg, 1ul << 20, &v) < 0 || v < 8) {
				status = cli_usage_error(&cli_cmd_build, "bad --memory '%s'", optarg);
				goto out;
			}
			o.memory_mb = (unsigned)v;
			break;
		case OPT_NO_CERTIFY: o.certify = false; break;
		case OPT_NO_BISECT: o.bisect = false; break;
		case OPT_NO_ANALYZE: o.analyze = false; break;
		case OPT_COMPARE: o.compare = optarg; break;
		case OPT_REBUILD: o.rebuild = true; break;
		case OPT_PLAN: o.plan = true; break;
		case OPT_ALLOW_PARTIAL: o.allow_partial = true; break;
		case OPT_SIGN: {
			char *comma = strchr(optarg, ',');

			if (!comma || comma == optarg || !comma[1] || strchr(comma + 1, ',')) {
				status = cli_usage_error(&cli_cmd_build, "bad --sign '%s': KEY,CERT",
							 optarg);
				goto out;
			}
			*comma = '\0';
			o.sign_key = optarg;
			o.sign_cert = comma + 1;
			break;
		}
		default:
			status = cli_usage_error(&cli_cmd_build, "unknown option");
			goto out;
		}
	}
	if (optind < argc) {
		status = cli_usage_error(&cli_cmd_build, "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	o.targets = (const char *const *)targets.items;
	o.ntargets = targets.len;
	status = pipeline_build(&o) < 0 ? 1 : 0;
out:
	kt_array_free(&targets);
	return status;
}

const struct cli_cmd cli_cmd_build = {
	.name = "build",
	.summary = "config, kernel, initramfs and certificate for each target",
	.usage =
	"usage: ktrim build [-f ktrim.yaml] [--profile ktrim.profile.yaml] [-o OUTDIR]\n"
	"                   [--target NAME]... [--ksrc DIR] [-j N] [--memory MB]\n"
	"                   [--no-certify] [--no-bisect] [--no-analyze] [--rebuild] [--plan]\n"
	"                   [--allow-partial] [--sign KEY,CERT] [--compare CONFIG]\n"
	"\n"
	"For each target of the project (or each --target), in OUTDIR/TARGET/:\n"
	"  1. .config and trim-report.yaml: `ktrim config` from the profile and the\n"
	"     target recipe (which includes the container base and hardening floor);\n"
	"  2. the kernel, built out of tree with the kernel's own make in\n"
	"     OUTDIR/.build/TARGET (ccache when installed; CC and HOSTCC pass\n"
	"     through); skipped when neither the config nor the source changed;\n"
	"  3. modules_install into a staging tree when the config has modules;\n"
	"  4. the initramfs with the ktrim init, the profile's module closure and\n"
	"     the workload;\n"
	"  5. disk.vhdx for targets booted from a disk (boot: disk:): Hyper-V gen2\n"
	"     a GPT disk with an EFI System partition holding a Unified Kernel\n"
	"     Image as EFI/BOOT/BOOTX64.EFI; gen1 an MBR disk with SYSLINUX;\n"
	"  6. certificate.yaml from `ktrim certify`, and SHA256SUMS; unless\n"
	"     --no-analyze, certify --analyze's boot-profile.yaml and\n"
	"     boot-waterfall.svg (where the boot's time goes, by initcall and\n"
	"     option; -kernel boots only, the first target of a union).\n"
	"Kernel files: bzImage (q35, Hyper-V gen1), vmlinux (microvm, PVH),\n"
	"bzImage.efi (Hyper-V gen2), kernel + initrd.img (LCOW), Image (arm64:\n"
	"kvm-virt-arm64, firecracker-arm64; cross-built with CROSS_COMPILE).\n"
	"A target \"a+b\" builds one kernel for both recipes and certifies each.\n"
	"\n"
	"  -j N          make jobs (default: the CPU count)\n"
	"  --memory MB   memory for the certification boot (default 256)\n"
	"  --rebuild     build the kernel even when nothing changed\n"
	"  --plan        print, as YAML, what would be built and shipped; build nothing\n"
	"  --compare CONFIG  the trim report's attack-surface section against\n"
	"                CONFIG, a distro's .config for the same tree (ktrim config)\n"
	"  --sign KEY,CERT  sign gen2's UKI with sbsign (PEM key and certificate)\n"
	"                for Secure Boot with your own keys\n"
	"  --allow-partial  a partial certificate (checks that cannot run here,\n"
	"                such as a Hyper-V target's boot) is no failure\n"
	"\n"
	"Exit status: 0 when every target built and certified, 1 otherwise.\n",
	.run = build_run,
};

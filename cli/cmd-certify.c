// SPDX-License-Identifier: GPL-2.0-only
/*
 * `ktrim certify`: boot the artefacts for a target and write down what was
 * checked, where it ran, and what could not be run here.
 *
 * The certificate separates checks (deterministic: the same artefacts give
 * the same results) from measurements (times, which vary with the host
 * unless QEMU counts instructions).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "common/common.h"
#include "pipeline/pipeline.h"

extern const struct cli_cmd cli_cmd_certify;

enum {
	OPT_KERNEL = 256, OPT_INITRAMFS, OPT_TARGET, OPT_CONFIG, OPT_MEMORY,
	OPT_NO_BISECT, OPT_ACCEL, OPT_TIMEOUT, OPT_APPEND, OPT_NO_ICOUNT, OPT_ALLOW_PARTIAL,
	OPT_PROJECT, OPT_OVERLAY, OPT_DISK, OPT_ANALYZE, OPT_SYSTEM_MAP, OPT_KSRC, OPT_REPORT,
	OPT_ARCH,
};

static int parse_uint(const char *s, unsigned *out)
{
	unsigned long v;
	int r = kt_parse_ulong(s, 1ul << 20, &v);

	if (r == 0)
		*out = (unsigned)v;
	return r;
}

/* @name in @file's directory when it exists there; *@keep owns it. */
static const char *beside_if_present(const char *file, const char *name, char **keep)
{
	const char *slash = strrchr(file, '/');
	struct stat st;

	if (asprintf(keep, "%.*s%s", slash ? (int)(slash - file + 1) : 0, file, name) < 0) {
		*keep = NULL;
		return NULL;
	}
	return stat(*keep, &st) == 0 ? *keep : NULL;
}

static int certify_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, OPT_KERNEL },
		{ "initramfs", required_argument, NULL, OPT_INITRAMFS },
		{ "target", required_argument, NULL, OPT_TARGET },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "memory", required_argument, NULL, OPT_MEMORY },
		{ "no-bisect", no_argument, NULL, OPT_NO_BISECT },
		{ "accel", required_argument, NULL, OPT_ACCEL },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "append", required_argument, NULL, OPT_APPEND },
		{ "no-icount", no_argument, NULL, OPT_NO_ICOUNT },
		{ "allow-partial", no_argument, NULL, OPT_ALLOW_PARTIAL },
		{ "project", required_argument, NULL, OPT_PROJECT },
		{ "overlay", required_argument, NULL, OPT_OVERLAY },
		{ "disk", required_argument, NULL, OPT_DISK },
		{ "analyze", no_argument, NULL, OPT_ANALYZE },
		{ "system-map", required_argument, NULL, OPT_SYSTEM_MAP },
		{ "ksrc", required_argument, NULL, OPT_KSRC },
		{ "report", required_argument, NULL, OPT_REPORT },
		{ "arch", required_argument, NULL, OPT_ARCH },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct pipeline_certify_opts o;
	struct pipeline_target target;
	struct kt_str err = KT_STR_INIT;
	const char *target_name = NULL;
	enum pipeline_verdict verdict = PIPELINE_FAILED;
	struct kprof_project project;
	const char *project_file = NULL;
	bool allow_partial = false;
	char *map_default = NULL, *report_default = NULL;
	int c, r;

	pipeline_certify_opts_init(&o);
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DISK:
			o.disk = optarg;
			break;
		case OPT_ANALYZE:
			o.analyze = true;
			break;
		case OPT_SYSTEM_MAP:
			o.system_map = optarg;
			break;
		case OPT_KSRC:
			o.ksrc = optarg;
			break;
		case OPT_REPORT:
			o.report = optarg;
			break;
		case OPT_ARCH:
			o.arch = optarg;
			break;
		case OPT_KERNEL:
			o.kernel = optarg;
			break;
		case OPT_INITRAMFS:
			o.initramfs = optarg;
			break;
		case OPT_TARGET:
			target_name = optarg;
			break;
		case OPT_CONFIG:
			o.config = optarg;
			break;
		case OPT_MEMORY:
			if (parse_uint(optarg, &o.memory_mb) < 0 || o.memory_mb < 8)
				return cli_usage_error(&cli_cmd_certify,
							  "bad --memory '%s'", optarg);
			break;
		case OPT_NO_BISECT:
			o.bisect = false;
			break;
		case OPT_ACCEL:
			if (!strcmp(optarg, "kvm"))
				o.accel = KPROF_VM_ACCEL_KVM;
			else if (!strcmp(optarg, "tcg"))
				o.accel = KPROF_VM_ACCEL_TCG;
			else if (!strcmp(optarg, "auto"))
				o.accel = KPROF_VM_ACCEL_AUTO;
			else
				return cli_usage_error(&cli_cmd_certify,
							  "bad --accel '%s'", optarg);
			break;
		case OPT_TIMEOUT:
			if (parse_uint(optarg, &o.timeout_s) < 0 || !o.timeout_s)
				return cli_usage_error(&cli_cmd_certify,
							  "bad --timeout '%s'", optarg);
			break;
		case OPT_APPEND:
			o.append = optarg;
			break;
		case OPT_NO_ICOUNT:
			o.icount = false;
			break;
		case OPT_ALLOW_PARTIAL:
			allow_partial = true;
			break;
		case OPT_PROJECT:
			project_file = optarg;
			break;
		case OPT_OVERLAY:
			o.overlay = optarg;
			break;
		case 'o':
			o.output = optarg;
			break;
		default:
			return cli_usage_error(&cli_cmd_certify, "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage_error(&cli_cmd_certify, "unexpected argument '%s'",
					  argv[optind]);
	if (!o.kernel || !target_name)
		return cli_usage_error(&cli_cmd_certify,
					  "--kernel and --target are required");
	if (o.analyze && !o.system_map)
		o.system_map = beside_if_present(o.kernel, "System.map", &map_default);
	if (o.analyze && !o.report)
		o.report = beside_if_present(o.kernel, "trim-report.yaml", &report_default);
	kprof_project_init(&project);
	r = project_file ? kprof_project_load(project_file, &project, &err) : 0;
	if (r == 0)
		r = pipeline_target_load(&target, pipeline_recipes_dir(), target_name, &err);
	if (r < 0) {
		kt_err("%s", err.len ? err.buf : strerror(-r));
	} else {
		o.target = &target;
		o.project = project_file ? &project : NULL;
		r = pipeline_certify(&o, &verdict);
		pipeline_target_release(&target);
	}
	kprof_project_release(&project);
	kt_str_free(&err);
	free(map_default);
	free(report_default);
	if (r < 0)
		return 1;
	return verdict == PIPELINE_CERTIFIED ||
	       (verdict == PIPELINE_PARTIAL && allow_partial) ? 0 : 1;
}

const struct cli_cmd cli_cmd_certify = {
	.name = "certify",
	.summary = "boot a kernel + initramfs for a target and write a certificate",
	.usage =
	"usage: ktrim certify --kernel K --target NAME [--initramfs I] [--config C]\n"
	"                     [-o CERT.yaml] [--memory MB] [--no-bisect]\n"
	"                     [--accel auto|kvm|tcg] [--no-icount] [--timeout S]\n"
	"                     [--append 'ARGS'] [--allow-partial]\n"
	"                     [--project ktrim.yaml] [--overlay OVERLAY.cpio]\n"
	"                     [--disk disk.vhdx] [--analyze [--system-map F]\n"
	"                     [--ksrc DIR] [--arch A] [--report trim-report.yaml]]\n"
	"\n"
	"Checks the artefacts against the target recipe (recipes/targets/NAME.yaml):\n"
	"the kernel's format (bzImage, PVH vmlinux, EFI stub), that K was built\n"
	"from --config (default K's directory/.config: ktrim's kernels name their\n"
	"configuration's sha256 in their banner; another one is refused), the\n"
	"options the target needs built in,\n"
	"then boots them under QEMU for the target's machine model and reads the\n"
	"init's timeline: boot to init, workload ready, the smoke test, the host\n"
	"smoke test, the power button, a clean power-off, and (unless --no-bisect)\n"
	"the smallest memory that still passes.\n"
	"\n"
	"The initramfs boots unchanged: certify appends an overlay segment (written\n"
	"to --overlay, default certify-overlay.cpio beside the certificate) that\n"
	"carries only the project's smoke test; the certificate hashes the kernel,\n"
	"the initramfs and the overlay separately. With --project, the guest gets\n"
	"a virtio NIC on QEMU user networking with a free host port forwarded to\n"
	"the workload's ready tcp-port; once the workload is ready, the project's\n"
	"host-smoke-test runs on the host with KTRIM_HOST_PORT set (default:\n"
	"connect, send a line, require a reply). When every test is done, certify\n"
	"presses the ACPI power button (QEMU monitor system_powerdown) and\n"
	"expects the init to stop the workload and power off.\n"
	"KVM is used only when a probe shows it runs a guest, else TCG with\n"
	"-icount shift=0,sleep=off so guest times repeat exactly.\n"
	"Targets booted from a disk (Hyper-V gen1/gen2, `ktrim build`'s disk.vhdx\n"
	"given as --disk): the static checks read the kernel out of the disk, and\n"
	"the boot goes through the firmware (OVMF, SeaBIOS) from a twin of the disk\n"
	"whose initramfs has the overlay. What only the target's host runs (its\n"
	"recipe's host-only list: Hyper-V's VMBus devices) is named as not run,\n"
	"so such a verdict is partial at best.\n"
	"\n"
	"--analyze adds one boot with initcall_debug and writes boot-profile.yaml\n"
	"and boot-waterfall.svg beside the certificate: the phases from power-on\n"
	"(firmware and decompression, early kernel, initcalls, late kernel, init,\n"
	"workload start to ready), every initcall with its duration, named through\n"
	"--system-map (default: System.map beside K) when the kernel has no\n"
	"KALLSYMS, its source file and the Kconfig option that builds it (from the\n"
	"--ksrc tree's *_initcall/module_init registrations and Makefiles), and\n"
	"why the trim kept that option (--report, default trim-report.yaml beside\n"
	"K). The certificate's analysis: section names the files and the slowest\n"
	"initcall.\n"
	"\n"
	"  --memory MB   memory for the main boot (default 256)\n"
	"  --timeout S   wall-clock limit per boot (default 300)\n"
	"  --append ARGS extra kernel command line\n"
	"  --project F   the ktrim.yaml whose smoke tests run (without it: none)\n"
	"\n"
	"The certificate's verdict: certified (every check ran and passed), partial\n"
	"(none failed, but some could not run here: each is named) or failed.\n"
	"\n"
	"  --allow-partial  a partial verdict exits 0\n"
	"\n"
	"Exit status: 0 when certified (or partial with --allow-partial), 1 otherwise.\n",
	.run = certify_run,
};

// SPDX-License-Identifier: GPL-2.0-only
/* `ktrim profile`: observe the workload in a guest; or merge profiles. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/common.h"
#include "pipeline/pipeline.h"
#include "profiler/profiler.h"

extern const struct cli_cmd cli_cmd_profile;

static int do_merge(char **inputs, int n, const char *output)
{
	struct kprof_profile acc, p;
	struct kt_str err = KT_STR_INIT;
	int ret = 0;

	kprof_profile_init(&acc);
	for (int i = 0; i < n && !ret; i++) {
		ret = kprof_profile_load(inputs[i], &p, &err);
		if (ret) {
			kt_err("%s", err.len ? kt_str_cstr(&err) : strerror(-ret));
			break;
		}
		if (i == 0) {
			kprof_profile_release(&acc);
			acc = p;
			continue;
		}
		ret = kprof_profile_merge(&acc, &p);
		kprof_profile_release(&p);
		if (ret)
			kt_err("merging %s: %s", inputs[i], strerror(-ret));
	}
	if (!ret && (ret = kprof_profile_save(&acc, output)))
		kt_err("%s: %s", output, strerror(-ret));
	if (!ret)
		kt_info("merged %d profiles into %s", n, output);
	kprof_profile_release(&acc);
	kt_str_free(&err);
	return ret ? 1 : 0;
}

static void summarise(const struct kprof_profile *p)
{
	struct kt_str s = KT_STR_INIT;

	for (unsigned k = 0; k < KPROF_KIND_COUNT; k++)
		kt_str_printf(&s, "%s%zu %s", k ? ", " : "", p->facts[k].n,
			      kprof_kind_name(k));
	kt_info("profile: %s", kt_str_cstr(&s));
	kt_str_free(&s);
}

static int do_profile(const char *project, const char *output,
		      const char *workdir, enum kprof_vm_accel accel)
{
	struct kprof_run_opts o = { pipeline_guest_path("ktrim-agent"), NULL, workdir, accel };
	struct kt_str err = KT_STR_INIT;
	struct kprof_guest_report rep;
	struct kprof_project pr;
	struct kprof_profile p;
	char *wd = NULL;
	int ret;

	ret = kprof_project_load(project, &pr, &err);
	if (ret) {
		kt_err("%s", err.len ? kt_str_cstr(&err) : strerror(-ret));
		kt_str_free(&err);
		return 1;
	}
	if (access(o.agent, R_OK)) {
		kt_err("%s: %s (build it with `make`, or set KTRIM_AGENT)", o.agent,
		       strerror(errno));
		kprof_project_release(&pr);
		return 1;
	}
	if (!o.workdir) {
		if (asprintf(&wd, "%s.work", output) < 0) {
			kprof_project_release(&pr);
			return 1;
		}
		o.workdir = wd;
	}
	kt_progress("profiling %s (%s)", pr.name, pr.file);
	ret = kprof_run(&pr, &o, &p, &rep, &err);
	if (ret == -EPROTO && rep.output.len) {
		fprintf(stderr, "--- smoke test output ---\n");
		for (size_t i = 0; i < rep.output.len; i++)
			fprintf(stderr, "%s\n", (char *)kt_array_ptr(&rep.output, i));
		fprintf(stderr, "--- end of smoke test output ---\n");
	}
	if (ret) {
		kt_err("profiling %s failed: %s", pr.name,
		       err.len ? kt_str_cstr(&err) : strerror(-ret));
		if (ret == -EPROTO)
			kt_err("no profile written");
	} else if ((ret = kprof_profile_save(&p, output))) {
		kt_err("%s: %s", output, strerror(-ret));
	} else {
		summarise(&p);
		kt_progress("wrote %s", output);
	}
	kprof_profile_release(&p);
	kprof_guest_report_release(&rep);
	kprof_project_release(&pr);
	kt_str_free(&err);
	free(wd);
	return ret ? 1 : 0;
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "merge", no_argument, NULL, 'm' },
		{ "workdir", required_argument, NULL, 'w' },
		{ "accel", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *project = "ktrim.yaml", *output = NULL, *workdir = NULL;
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
		return do_merge(argv + optind, argc - optind, output);
	}
	if (optind != argc)
		return cli_usage_error(&cli_cmd_profile, "unexpected argument '%s'",
					  argv[optind]);
	return do_profile(project, output ? output : "ktrim.profile.yaml", workdir, accel);
}

const struct cli_cmd cli_cmd_profile = {
	.name = "profile",
	.summary = "run the workload in a guest and record the kernel features it uses",
	.usage =
"usage: ktrim profile [-f ktrim.yaml] [-o ktrim.profile.yaml] [--workdir DIR]\n"
"                     [--accel kvm|tcg|auto]\n"
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
"  --merge              union of the given profiles, counts added, into -o\n"
"\n"
"Environment: KTRIM_AGENT overrides the guest agent binary.\n",
	.run = run,
};

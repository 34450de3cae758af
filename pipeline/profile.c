// SPDX-License-Identifier: GPL-2.0-only
/* The profile stage: the workload observed on a full kernel, or profiles merged. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pipeline/pipeline.h"

int pipeline_profile_merge(const char *const *inputs, size_t n, const char *output)
{
	struct kprof_profile acc, p;
	struct kt_str err = KT_STR_INIT;
	int ret = 0;

	kprof_profile_init(&acc);
	for (size_t i = 0; i < n && !ret; i++) {
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
		kt_info("merged %zu profiles into %s", n, output);
	kprof_profile_release(&acc);
	kt_str_free(&err);
	return ret;
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

int pipeline_profile(const char *project, const char *output, const char *workdir,
		     enum kprof_vm_accel accel, const char *arch)
{
	static const char *const arches[] = { "x86_64", "arm64" };
	struct kprof_run_opts o = { NULL, NULL, workdir, accel };
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
		return ret;
	}
	for (size_t i = 0; arch && i < KT_ARRAY_SIZE(arches); i++)
		if (!strcmp(arch, arches[i]))
			pr.arch = arches[i];
	if (arch && strcmp(arch, pr.arch)) {
		kt_err("--arch %s: known arches are x86_64 and arm64", arch);
		kprof_project_release(&pr);
		return -EINVAL;
	}
	o.agent = pipeline_guest_path("ktrim-agent", pr.arch);
	if (access(o.agent, R_OK)) {
		kt_err("%s: %s (build it with `make`, or set KTRIM_AGENT%s)", o.agent,
		       strerror(errno), strcmp(pr.arch, "arm64") ? "" : "_ARM64");
		kprof_project_release(&pr);
		return -ENOENT;
	}
	if (!o.workdir) {
		if (asprintf(&wd, "%s.work", output) < 0) {
			kprof_project_release(&pr);
			return -ENOMEM;
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
	return ret;
}

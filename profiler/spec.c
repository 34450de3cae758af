// SPDX-License-Identifier: GPL-2.0-only
/*
 * A project's container, as the guest ABI's spec: the one conversion, used
 * for the shipped image (pipeline pack) and for a profiling run (run.c),
 * so the workload is started the same way in both.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/audit.h>

#include "profiler/profiler.h"

static int copy_strv(struct kt_array *dst, const struct kt_array *src)
{
	int r = 0;

	kt_array_free_ptrs(dst);
	kt_array_init(dst, sizeof(char *));
	for (size_t i = 0; i < src->len && r == 0; i++)
		r = kt_array_push_strdup(dst, kt_array_ptr(src, i));
	return r;
}

int kprof_project_spec(const struct kprof_project *pr, struct initramfs_spec *s)
{
	int r;

	/* The project's workload replaces whatever the spec held. */
	free(s->cwd);
	free(s->hostname);
	free(s->ready_pattern);
	s->cwd = s->hostname = s->ready_pattern = NULL;
	if ((r = copy_strv(&s->args, &pr->command)) ||
	    (r = copy_strv(&s->env, &pr->env)) ||
	    (r = copy_strv(&s->controllers, &pr->cgroups)) ||
	    (r = copy_strv(&s->devices, &pr->devices)))
		return r;
	s->cap_add = pr->cap_add;
	s->cap_drop = pr->cap_drop;
	s->privileged = pr->privileged;
	s->rlimits = pr->rlimits;
	/* The smoke test is no part of what ships: see pipeline_overlay(). */
	kt_array_free_ptrs(&s->smoke);
	kt_array_init(&s->smoke, sizeof(char *));
	s->smoke_timeout_s = 0;
	s->restart = pr->restart;
	s->restart_max = pr->restart_max;
	s->stop_grace_s = pr->stop_grace_s;
	s->cwd = pr->cwd ? strdup(pr->cwd) : NULL;
	s->hostname = pr->hostname ? strdup(pr->hostname) : NULL;
	s->uid = pr->uid;
	s->gid = pr->gid;
	free(s->user_name);
	s->user_name = pr->user_name ? strdup(pr->user_name) : NULL;
	s->namespaces = pr->namespaces;	/* already INITRAMFS_NS_* bits */
	initramfs_net_release(&s->net);
	r = initramfs_net_copy(&s->net, &pr->net);
	if (r < 0)
		return r;
	switch (pr->ready) {
	case KPROF_READY_STDOUT:
		s->ready = INITRAMFS_READY_STDOUT;
		s->ready_pattern = strdup(pr->ready_pattern);
		break;
	case KPROF_READY_TCP:
		s->ready = INITRAMFS_READY_TCP;
		s->ready_port = pr->ready_port;
		break;
	default:
		s->ready = INITRAMFS_READY_NONE;
	}
	if ((pr->cwd && !s->cwd) || (pr->hostname && !s->hostname) ||
	    (pr->user_name && !s->user_name) ||
	    (s->ready == INITRAMFS_READY_STDOUT && !s->ready_pattern))
		return -ENOMEM;
	return 0;
}

int kprof_project_seccomp(const struct kprof_project *pr, const struct kprof_profile *profile,
			  const char *ksrc, struct initramfs_spec *s, struct kt_str *err)
{
	struct initramfs_seccomp_opts o = {
		.arch = strcmp(pr->arch, "arm64") ? AUDIT_ARCH_X86_64 : AUDIT_ARCH_AARCH64,
		.action = pr->seccomp_action,
		.caps = guest_caps_resolve(pr->cap_add, pr->cap_drop),
	};
	const struct kprof_fact_list *l = profile ? &profile->facts[KPROF_SYSCALLS] : NULL;
	enum kprof_seccomp mode = pr->seccomp;
	struct kt_str why = KT_STR_INIT;
	const char **names = NULL;
	int r = 0;

	kt_array_free(&s->seccomp);
	kt_array_init(&s->seccomp, sizeof(struct guest_bpf_insn));
	/*
	 * No seccomp: is Docker's default, as `docker run` gives one; its
	 * syscall numbers need the kernel tree. Without one (`ktrim initramfs`
	 * of a project with no kernel.source) the container runs unconfined,
	 * said out loud: refusing would break packing a tree-less project,
	 * and the certificate names the filter that shipped (or none).
	 */
	if (!pr->seccomp_set && !pr->privileged) {
		if (!ksrc && kprof_project_kernel_source(pr, &ksrc, &why) < 0)
			ksrc = NULL;
		if (!ksrc) {
			kt_warn("%s: no seccomp: and no kernel tree to number syscalls by%s%s: "
				"the container runs unconfined (set kernel.source or --ksrc for "
				"Docker's default, or say seccomp: unconfined)", pr->file,
				why.len ? ": " : "", kt_str_cstr(&why));
			kt_str_free(&why);
			return 0;
		}
		mode = KPROF_SECCOMP_DEFAULT;
	}
	/* privileged is Docker's --privileged: unconfined too */
	if (mode == KPROF_SECCOMP_UNCONFINED || pr->privileged)
		return 0;
	if (!ksrc && kprof_project_kernel_source(pr, &ksrc, err) < 0)
		return -EINVAL;
	if (!ksrc)
		return kt_str_printf(err, "%s:%u: seccomp: the syscall numbers come from the "
				     "kernel tree: set kernel.source (or --ksrc)", pr->file,
				     pr->seccomp_line) < 0 ? -ENOMEM : -EINVAL;
	o.ksrc = ksrc;
	if (mode == KPROF_SECCOMP_DEFAULT) {
		o.policy = INITRAMFS_SECCOMP_DOCKER;
	} else if (!l) {
		o.policy = INITRAMFS_SECCOMP_ALLOW_ALL;
	} else {
		o.policy = INITRAMFS_SECCOMP_LIST;
		names = calloc(l->n + 1, sizeof(*names));
		if (!names)
			return -ENOMEM;
		for (size_t i = 0; i < l->n; i++)
			names[i] = l->items[i].name;
		o.names = names;
		o.nnames = l->n;
	}
	r = initramfs_seccomp_build(&o, &s->seccomp, err);
	free(names);
	return r;
}

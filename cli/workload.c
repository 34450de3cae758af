// SPDX-License-Identifier: GPL-2.0-only
/* The container spec from a project file. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/workload.h"

int kt_workload_spec(const struct kprof_project *pr, struct initramfs_spec *s)
{
	int r = 0;

	/* The project's workload replaces whatever the spec held. */
	kt_array_free_ptrs(&s->args);
	kt_array_free_ptrs(&s->env);
	kt_array_free_ptrs(&s->smoke);
	free(s->cwd);
	free(s->hostname);
	free(s->ready_pattern);
	s->ready_pattern = NULL;
	for (size_t i = 0; i < pr->command.len && r == 0; i++)
		r = kt_array_push_strdup(&s->args, kt_array_ptr(&pr->command, i));
	for (size_t i = 0; i < pr->env.len && r == 0; i++)
		r = kt_array_push_strdup(&s->env, kt_array_ptr(&pr->env, i));
	for (size_t i = 0; i < pr->smoke_command.len && r == 0; i++)
		r = kt_array_push_strdup(&s->smoke, kt_array_ptr(&pr->smoke_command, i));
	if (r < 0)
		return r;
	s->smoke_timeout_s = pr->smoke_timeout_s;
	s->cwd = pr->cwd ? strdup(pr->cwd) : NULL;
	s->hostname = pr->hostname ? strdup(pr->hostname) : NULL;
	s->uid = pr->uid;
	s->gid = pr->gid;
	s->namespaces = pr->namespaces;	/* already INITRAMFS_NS_* bits */
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
	return 0;
}


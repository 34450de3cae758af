// SPDX-License-Identifier: GPL-2.0-only
/*
 * The spec's readiness condition, for the init's supervisor and the
 * profiling agent alike: ready at exec, on a stdout line matching a glob,
 * or when 127.0.0.1:PORT accepts inside the workload's net namespace; the
 * "workload-ready via=..." record is written here, once.
 */
#include <fnmatch.h>

#include "initramfs/init/init.h"

static bool mark(struct readiness *r, const char *how)
{
	if (r->ready)
		return false;
	r->ready = true;
	timeline("workload-ready", "%s", how);
	return true;
}

void ready_begin(const struct spec *s, struct readiness *r)
{
	r->ready = false;
	r->by = s->ready_timeout_s ? uptime_us() + (uint64_t)s->ready_timeout_s * 1000000u : 0;
	if (s->ready == READY_NONE)
		mark(r, "via=exec");
}

bool ready_line(const struct spec *s, struct readiness *r, const char *line)
{
	return !r->ready && s->ready == READY_STDOUT && fnmatch(s->ready_pattern, line, 0) == 0 &&
	       mark(r, "via=stdout");
}

bool ready_probe(const struct spec *s, struct readiness *r, const struct workload *w)
{
	return !r->ready && s->ready == READY_TCP && container_port_open(w, s->ready_port) &&
	       mark(r, "via=tcp");
}

bool ready_overdue(const struct readiness *r, uint64_t now)
{
	return !r->ready && r->by && now >= r->by;
}

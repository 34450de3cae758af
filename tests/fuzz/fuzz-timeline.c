// SPDX-License-Identifier: GPL-2.0-only
/*
 * One console line as the VM runner hands it to the timeline parser:
 * a record found starts the line and is well formed (a lowercase name,
 * a number).
 */
#include "profiler/profiler.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = fuzz_cstr(data, size);
	struct kprof_vm_event ev;

	fuzz_quiet();
	if (kprof_vm_parse_timeline(line, &ev) == 1) {
		/* only the init's own lines: the tag starts the line */
		if (strncmp(line, GUEST_TIMELINE_TAG, strlen(GUEST_TIMELINE_TAG)) != 0 ||
		    !ev.name || !ev.name[0] || !ev.args)
			abort();
		for (const char *c = ev.name; *c; c++)
			if (!((*c >= 'a' && *c <= 'z') ||
			      (*c >= '0' && *c <= '9') || *c == '-'))
				abort();
		kprof_vm_event_release(&ev);
	}
	free(line);
	return 0;
}

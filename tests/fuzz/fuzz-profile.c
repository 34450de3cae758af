// SPDX-License-Identifier: GPL-2.0-only
/*
 * ktrim.profile.yaml: a profile that loads is written again, and what is
 * written must load back to the same bytes (merge and trim read what
 * profile wrote).
 */
#include "profiler/profiler.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_str err = KT_STR_INIT, a = KT_STR_INIT, b = KT_STR_INIT;
	struct kprof_profile p, q;
	char *text = fuzz_cstr(data, size);

	fuzz_quiet();
	kprof_profile_init(&p);
	kprof_profile_init(&q);
	if (kprof_profile_load_string("fuzz.profile.yaml", text, &p, &err) == 0 &&
	    kprof_profile_format(&p, &a) == 0) {
		if (kprof_profile_load_string("written", kt_str_cstr(&a), &q,
					      &err) < 0) {
			fprintf(stderr, "written profile does not load: %s\n%s",
				kt_str_cstr(&err), kt_str_cstr(&a));
			abort();
		}
		if (kprof_profile_format(&q, &b) < 0 || a.len != b.len ||
		    memcmp(a.buf, b.buf, a.len) != 0) {
			fprintf(stderr, "profile changed in a round trip\n");
			abort();
		}
	}
	kprof_profile_release(&p);
	kprof_profile_release(&q);
	kt_str_free(&a);
	kt_str_free(&b);
	kt_str_free(&err);
	free(text);
	return 0;
}

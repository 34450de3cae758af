// SPDX-License-Identifier: GPL-2.0-only
/*
 * The agent's record stream as the host reads it from the serial port.
 * Checksums keep random bytes from reaching the payload decoder, so an
 * input whose first byte is odd is taken as payloads, one a line, and
 * framed as the agent frames them (seq, CRC-32, end marker); an even one
 * goes to the parser as it is.
 */
#include "initramfs/init/abi.h"
#include "profiler/profiler.h"
#include "tests/fuzz/fuzz.h"

static void frame(const char *payloads, size_t size, struct kt_str *out)
{
	unsigned seq = 0;

	for (const char *p = payloads, *e; p < payloads + size; p = e + 1) {
		e = memchr(p, '\n', (size_t)(payloads + size - p));
		if (!e)
			e = payloads + size;
		kt_str_printf(out, GUEST_RECORD_TAG "%u %08x %.*s\n", seq++,
			      (unsigned)guest_crc32(p, (size_t)(e - p)),
			      (int)(e - p), p);
	}
	kt_str_printf(out, GUEST_RECORD_END "%u\n", seq);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_str err = KT_STR_INIT, text = KT_STR_INIT;
	struct kprof_guest_report r;
	struct kprof_profile p;

	fuzz_quiet();
	if (size && (data[0] & 1))
		frame((const char *)data + 1, size - 1, &text);
	else
		kt_str_append(&text, (const char *)data, size);
	if (kt_str_error(&text))
		abort();
	kprof_profile_init(&p);
	kprof_guest_report_init(&r);
	kprof_guest_parse(text.buf ? text.buf : "", text.len, &p, &r, &err);
	kprof_guest_report_release(&r);
	kprof_profile_release(&p);
	kt_str_free(&text);
	kt_str_free(&err);
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sha256.h - private to profiler/: SHA-256 (FIPS 180-4) for workload
 * identities. None of the libraries ktrim links exposes one.
 */
#ifndef KTRIM_PROFILER_SHA256_H
#define KTRIM_PROFILER_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct kprof_sha256 {
	uint32_t h[8];
	uint64_t len;		/* bytes so far */
	uint8_t buf[64];
	size_t used;
};

void kprof_sha256_init(struct kprof_sha256 *c);
void kprof_sha256_update(struct kprof_sha256 *c, const void *data, size_t n);
/* Finish and write 64 lower-case hex digits plus NUL. */
void kprof_sha256_hex(struct kprof_sha256 *c, char hex[65]);

#endif

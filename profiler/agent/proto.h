/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * proto.h - the agent -> host record stream, shared by both sides (the
 * agent is built with musl and no libraries, so this is header-only).
 *
 * The agent writes to its own serial port (ttyS1), never to the console,
 * so kernel messages cannot interleave. Each record is one line:
 *
 *   ktrim-fact: <seq> <crc32 of payload, 8 hex> <payload>
 *
 * seq counts from 0. The payload is space-separated fields, each escaped
 * with %XX for '%', bytes <= 0x20 and >= 0x7f. The stream ends with
 *
 *   ktrim-facts-end: <number of records>
 *
 * The host accepts the stream only when every seq below that number came
 * with a matching checksum, so a truncated or garbled transfer is an error,
 * never a silently smaller profile.
 *
 * Payloads:
 *   fact <kind> <count> <first> <name>              kind as in the profile
 *   fact sockets <count> <first> <family> <type> <protocol>
 *   status <key> <value>        ready, smoke-exit, smoke-timeout, error
 *   output <line>               a line of the smoke test's output
 */
#ifndef KTRIM_AGENT_PROTO_H
#define KTRIM_AGENT_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "initramfs/init/abi.h"

#define KPROTO_RECORD "ktrim-fact: "
#define KPROTO_END "ktrim-facts-end: "

/* CRC-32 (IEEE 802.3, reflected), bitwise: records are short. */
static inline uint32_t kproto_crc32(const char *p, size_t n)
{
	uint32_t crc = 0xffffffffu;

	while (n--) {
		crc ^= (uint8_t)*p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

/* Escape @s into @out (size @cap); returns the length or -1 if too long. */
static inline int kproto_escape(const char *s, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	if (!*s) {	/* an empty field still occupies its place */
		if (cap < 4)
			return -1;
		out[0] = '%'; out[1] = '0'; out[2] = '0'; out[3] = '\0';
		return 3;
	}
	for (; *s; s++) {
		uint8_t c = (uint8_t)*s;

		if (c <= 0x20 || c >= 0x7f || c == '%') {
			if (o + 4 > cap)
				return -1;
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else {
			if (o + 2 > cap)
				return -1;
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return (int)o;
}

/* Unescape in place; returns -1 on a malformed %XX. "%00" alone is "". */
static inline int kproto_unescape(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (*r != '%') {
			*w++ = *r;
			continue;
		}
		int hi = guest_hexval(r[1]), lo = hi < 0 ? -1 : guest_hexval(r[2]);

		if (hi < 0 || lo < 0)
			return -1;
		if (hi || lo)
			*w++ = (char)(hi << 4 | lo);
		r += 2;
	}
	*w = '\0';
	return 0;
}

#endif

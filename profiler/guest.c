// SPDX-License-Identifier: GPL-2.0-only
/*
 * Decoding the agent's record stream. Nothing from the console is parsed:
 * the agent has a serial port of its own and every record is numbered and
 * checksummed, so a lost or damaged line fails the run instead of
 * producing a quietly incomplete profile.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "initramfs/init/abi.h"
#include "profiler/profiler.h"

void kprof_guest_report_init(struct kprof_guest_report *r)
{
	memset(r, 0, sizeof(*r));
	r->smoke_exit = -1;
	kt_array_init(&r->output, sizeof(char *));
	kt_array_init(&r->errors, sizeof(char *));
}

static void strv_release(struct kt_array *a)
{
	for (size_t i = 0; i < a->len; i++)
		free(kt_array_ptr(a, i));
	kt_array_free(a);
}

void kprof_guest_report_release(struct kprof_guest_report *r)
{
	strv_release(&r->output);
	strv_release(&r->errors);
}

static int push_copy(struct kt_array *a, const char *s)
{
	char *d = strdup(s);

	if (!d || kt_array_push_ptr(a, d)) {
		free(d);
		return -ENOMEM;
	}
	return 0;
}

#define MAX_FIELDS 8

/* Split @payload in place into unescaped fields. */
static int split(char *payload, char **f)
{
	int n = 0;

	for (char *tok = strtok(payload, " "); tok; tok = strtok(NULL, " ")) {
		if (n == MAX_FIELDS || guest_unescape(tok))
			return -1;
		f[n++] = tok;
	}
	return n;
}

static int parse_count(const char *s, uint64_t *out)
{
	char *end;

	if (!*s || *s == '-')
		return -EINVAL;
	*out = strtoull(s, &end, 10);
	return *end || !*out ? -EINVAL : 0;
}

static int apply(char **f, int n, struct kprof_profile *p,
		 struct kprof_guest_report *r)
{
	enum kprof_kind kind;
	uint64_t count;

	if (n >= 5 && !strcmp(f[0], "fact")) {
		if (kprof_kind_parse(f[1], &kind) || parse_count(f[2], &count))
			return -EINVAL;
		if (kind == KPROF_SOCKETS) {
			if (n != 7)
				return -EINVAL;
			return kprof_profile_add_socket(p, f[4], f[5], atoi(f[6]),
							count, f[3]);
		}
		return n == 5 ? kprof_profile_add(p, kind, f[4], count, f[3]) : -EINVAL;
	}
	if (n == 3 && !strcmp(f[0], "status")) {
		if (!strcmp(f[1], "ready")) {
			r->ready = true;
			r->ready_s = atof(f[2]);
		} else if (!strcmp(f[1], "smoke-exit")) {
			r->smoke_ran = true;
			r->smoke_exit = atoi(f[2]);
		} else if (!strcmp(f[1], "smoke-timeout")) {
			r->smoke_ran = true;
			r->smoke_timed_out = true;
		} else if (!strcmp(f[1], "error")) {
			return push_copy(&r->errors, f[2]);
		} else if (!strcmp(f[1], "dropped-facts")) {
			return push_copy(&r->errors, "the guest's fact table overflowed");
		}
		return 0;	/* unknown status keys: newer agent, harmless */
	}
	if (n == 2 && !strcmp(f[0], "output"))
		return push_copy(&r->output, f[1]);
	if (n == 1 && !strcmp(f[0], "output"))
		return push_copy(&r->output, "");
	return -EINVAL;
}

int kprof_guest_parse(const char *text, size_t len, struct kprof_profile *p,
		      struct kprof_guest_report *r, struct kt_str *err)
{
	char *copy = strndup(text, len), *line, *save = NULL;
	unsigned expected = 0, next = 0;
	bool ended = false;
	int ret = 0, lineno = 0;

	if (!copy)
		return -ENOMEM;
	for (line = strtok_r(copy, "\n", &save); line && !ret;
	     line = strtok_r(NULL, "\n", &save)) {
		char *rec = strstr(line, GUEST_RECORD_TAG), *end = strstr(line, GUEST_RECORD_END);
		char *payload, *fields[MAX_FIELDS];
		unsigned long seq, crc;
		int n;

		lineno++;
		line[strcspn(line, "\r")] = '\0';
		if (end) {
			expected = (unsigned)strtoul(end + strlen(GUEST_RECORD_END), NULL, 10);
			ended = true;
			break;
		}
		if (!rec)
			continue;	/* noise before the agent opened the port */
		rec += strlen(GUEST_RECORD_TAG);
		seq = strtoul(rec, &payload, 10);
		if (*payload != ' ' || (crc = strtoul(payload + 1, &payload, 16), *payload != ' ')) {
			kt_str_printf(err, "guest record line %d is malformed", lineno);
			ret = -EPROTO;
			break;
		}
		payload++;
		if (seq != next || guest_crc32(payload, strlen(payload)) != crc) {
			kt_str_printf(err, "guest record %lu %s (expected record %u)", seq,
				      seq != next ? "out of sequence" : "has a bad checksum", next);
			ret = -EPROTO;
			break;
		}
		next++;
		n = split(payload, fields);
		if (n <= 0 || (ret = apply(fields, n, p, r))) {
			kt_str_printf(err, "guest record %lu is not understood: %s", seq, payload);
			ret = -EPROTO;
		}
	}
	if (!ret && !ended) {
		kt_str_printf(err, "the guest's record stream ended without its end marker after %u records (guest crashed or timed out?)",
			      next);
		ret = -EPROTO;
	} else if (!ret && expected != next) {
		kt_str_printf(err, "the guest sent %u records but %u arrived", expected, next);
		ret = -EPROTO;
	}
	r->records = next;
	free(copy);
	kprof_profile_sort(p);
	return ret;
}

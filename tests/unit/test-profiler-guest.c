// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "initramfs/init/abi.h"
#include "profiler/profiler.h"

/* The text of a test input: one that lost a piece would test nothing. */
static const char *text_of(const struct kt_str *s)
{
	assert_int_equal(kt_str_error(s), 0);
	return kt_str_cstr(s);
}

/* Frame payloads exactly as the agent does, to feed the host decoder. */
static void frame(struct kt_str *s, unsigned seq, const char *payload)
{
	kt_str_printf(s, GUEST_RECORD_TAG "%u %08x %s\r\n", seq,
		      guest_crc32(payload, strlen(payload)), payload);
}

static void test_stream_decodes(void **state)
{
	struct kt_str s = KT_STR_INIT, err = KT_STR_INIT;
	struct kprof_guest_report r;
	struct kprof_profile p;
	char esc[64];

	kprof_profile_init(&p);
	kprof_guest_report_init(&r);
	kt_str_puts(&s, "garbage before the agent opened the port\n");
	frame(&s, 0, "status ready 0.31");
	frame(&s, 1, "fact syscalls 4 busybox accept");
	frame(&s, 2, "fact sockets 1 exe AF_INET SOCK_STREAM 0");
	assert_true(guest_escape_field("/dev/my dev%", esc, sizeof(esc)) > 0);
	assert_string_equal(esc, "/dev/my\\x20dev%");
	{
		char e2[64];

		/* one escape scheme, the spec's: an empty field keeps its place */
		assert_int_equal(guest_escape_field("", e2, sizeof(e2)), 4);
		assert_string_equal(e2, "\\x00");
		assert_int_equal(guest_unescape(e2), 0);
		assert_string_equal(e2, "");
		assert_true(guest_escape_field("a\\b\tc", e2, sizeof(e2)) > 0);
		assert_int_equal(guest_unescape(e2), 0);
		assert_string_equal(e2, "a\\b\tc");
		strcpy(e2, "bad\\q");
		assert_int_equal(guest_unescape(e2), -1);
	}
	{
		char payload[128];

		snprintf(payload, sizeof(payload), "fact devices 2 sh %s", esc);
		frame(&s, 3, payload);
	}
	frame(&s, 4, "output wget:\\x20server\\x20returned\\x20error");
	frame(&s, 5, "status smoke-exit 1");
	kt_str_puts(&s, GUEST_RECORD_END "6\r\n");
	assert_int_equal(kprof_guest_parse(text_of(&s), s.len, &p, &r, &err), 0);
	assert_int_equal(r.records, 6);
	assert_true(r.ready);
	assert_true(r.smoke_ran);
	assert_int_equal(r.smoke_exit, 1);
	assert_int_equal(r.output.len, 1);
	assert_string_equal(kt_array_ptr(&r.output, 0), "wget: server returned error");
	assert_int_equal(kprof_profile_find(&p, KPROF_SYSCALLS, "accept")->count, 4);
	assert_non_null(kprof_profile_find(&p, KPROF_SOCKETS, "AF_INET/SOCK_STREAM/0"));
	assert_string_equal(kprof_profile_find(&p, KPROF_DEVICES, "/dev/my dev%")->first, "sh");
	kprof_profile_release(&p);
	kprof_guest_report_release(&r);
	kt_str_free(&s);
	kt_str_free(&err);
}

static void expect_rejected(const char *text, const char *why)
{
	struct kt_str err = KT_STR_INIT;
	struct kprof_guest_report r;
	struct kprof_profile p;

	kprof_profile_init(&p);
	kprof_guest_report_init(&r);
	assert_int_equal(kprof_guest_parse(text, strlen(text), &p, &r, &err), -EPROTO);
	if (!strstr(kt_str_cstr(&err), why))
		fail_msg("'%s' lacks '%s'", kt_str_cstr(&err), why);
	kprof_profile_release(&p);
	kprof_guest_report_release(&r);
	kt_str_free(&err);
}

static void test_damage_is_detected(void **state)
{
	struct kt_str s = KT_STR_INIT;
	char *bad;

	frame(&s, 0, "fact syscalls 4 busybox accept");
	/* no end marker: the guest died */
	expect_rejected(text_of(&s), "without its end marker");
	/* a flipped byte */
	bad = strdup(text_of(&s));
	bad[strlen(bad) - 4] = 'X';
	kt_str_puts(&s, GUEST_RECORD_END "1\n");
	{
		struct kt_str t = KT_STR_INIT;

		kt_str_printf(&t, "%s" GUEST_RECORD_END "1\n", bad);
		expect_rejected(text_of(&t), "bad checksum");
		kt_str_free(&t);
	}
	free(bad);
	/* a lost record */
	kt_str_reset(&s);
	frame(&s, 0, "fact syscalls 4 busybox accept");
	frame(&s, 2, "fact syscalls 1 busybox listen");
	kt_str_puts(&s, GUEST_RECORD_END "3\n");
	expect_rejected(text_of(&s), "out of sequence");
	/* a count that does not match */
	kt_str_reset(&s);
	frame(&s, 0, "fact syscalls 4 busybox accept");
	kt_str_puts(&s, GUEST_RECORD_END "2\n");
	expect_rejected(text_of(&s), "sent 2 records but 1 arrived");
	/* a record we do not understand */
	kt_str_reset(&s);
	frame(&s, 0, "fact nonsense 4 busybox accept");
	kt_str_puts(&s, GUEST_RECORD_END "1\n");
	expect_rejected(text_of(&s), "not understood");
	kt_str_free(&s);
}

/* The tree hash sees content, names, modes and links, not times. */
static void test_tree_hash(void **state)
{
	char dir[] = "/tmp/kt-tree-test.XXXXXX", path[256], a[65], b[65], cmd[300];
	struct kt_str err = KT_STR_INIT;

	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/bin && echo hi > %s/bin/x && ln -s x %s/bin/y", dir, dir, dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(kprof_tree_sha256(dir, a, &err), 0);
	snprintf(cmd, sizeof(cmd), "touch -d 2001-01-01 %s/bin/x", dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(kprof_tree_sha256(dir, b, &err), 0);
	assert_string_equal(a, b);
	snprintf(path, sizeof(path), "%s/bin/x", dir);
	assert_int_equal(kt_atomic_write_buf(path, 0644, "ho\n", 3), 0);
	assert_int_equal(kprof_tree_sha256(dir, b, &err), 0);
	assert_string_not_equal(a, b);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(kprof_tree_sha256(dir, b, &err), -ENOENT);
	kt_str_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream_decodes),
		cmocka_unit_test(test_damage_is_detected),
		cmocka_unit_test(test_tree_hash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * A project's container as the guest runtime reads it: kprof_project_spec()
 * (the one conversion, for the shipped image and a profiling run), written
 * by initramfs_spec_format() and parsed by the runtime's own parser
 * (compiled in from initramfs/init/spec.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "profiler/profiler.h"
#include "initramfs/init/spec.c"

#define PROJ KT_FIXTURES "/profiler/proj"

static void test_project_container(void **state)
{
	struct kprof_project pr;
	struct initramfs_spec s;
	struct kt_str err = KT_STR_INIT, text = KT_STR_INIT;
	struct spec out;
	char msg[256];

	setenv("KT_TEST_HOME", "/home/web", 1);
	setenv("KT_TEST_KSRC", "/srv/src", 1);
	kprof_project_init(&pr);
	initramfs_spec_init(&s);
	assert_int_equal(kprof_project_load(PROJ "/ktrim.yaml", &pr, &err), 0);
	/* what the spec held before is replaced, the smoke test dropped */
	kt_array_push_ptr(&s.args, strdup("/bin/old"));
	kt_array_push_ptr(&s.smoke, strdup("/bin/old-test"));
	assert_int_equal(kprof_project_spec(&pr, &s), 0);
	assert_int_equal(s.smoke.len, 0);
	assert_int_equal(initramfs_spec_check(&s, &err), 0);
	assert_int_equal(initramfs_spec_format(&s, &text), 0);
	assert_int_equal(spec_parse(text.buf, &out, msg, sizeof(msg)), 0);

	assert_int_equal(out.nargs, (int)pr.command.len);
	for (int i = 0; i < out.nargs; i++)
		assert_string_equal(out.args[i], kt_array_ptr(&pr.command, i));
	assert_int_equal(out.nenv, (int)pr.env.len);
	assert_string_equal(out.env[1], "HOME=/home/web");
	/* the project's controllers (the default three) reach the runtime */
	assert_int_equal(out.ncontrollers, 3);
	for (int i = 0; i < out.ncontrollers; i++)
		assert_string_equal(out.controllers[i], kt_array_ptr(&pr.cgroups, i));
	assert_int_equal(out.namespaces, NS_MNT | NS_PID | NS_NET);
	assert_int_equal(out.ready, READY_TCP);
	assert_int_equal(out.ready_port, 80);
	assert_int_equal(out.uid, 1000);
	assert_int_equal(out.gid, 100);
	assert_string_equal(out.cwd, "/www");
	assert_string_equal(out.hostname, "web");
	assert_int_equal(out.nsmoke, 0);

	kt_str_free(&text);
	kt_str_free(&err);
	initramfs_spec_release(&s);
	kprof_project_release(&pr);
}

/* The project's security keys reach the runtime's parser unchanged. */
static void test_project_security(void **state)
{
	struct kprof_project pr;
	struct initramfs_spec s;
	struct kt_str err = KT_STR_INIT, text = KT_STR_INIT;
	struct spec out;
	char msg[256];

	initramfs_spec_init(&s);
	assert_int_equal(kprof_project_load(PROJ "/security.yaml", &pr, &err), 0);
	assert_int_equal(kprof_project_spec(&pr, &s), 0);
	assert_int_equal(initramfs_spec_check(&s, &err), 0);
	assert_int_equal(initramfs_spec_format(&s, &text), 0);
	assert_int_equal(spec_parse(text.buf, &out, msg, sizeof(msg)), 0);
	assert_int_equal(out.cap_add, pr.cap_add);
	assert_int_equal(out.cap_drop, pr.cap_drop);
	/* Docker's 14, less NET_RAW, plus NET_ADMIN and SYS_ADMIN */
	assert_int_equal(guest_caps_resolve(out.cap_add, out.cap_drop),
			 (0xa80425fbULL & ~(1ULL << 13)) | 1ULL << 12 | 1ULL << 21);
	assert_int_equal(out.ndevices, 2);
	assert_string_equal(out.devices[1], "/dev/net/tun");
	assert_false(out.privileged);
	assert_memory_equal(&out.rlimits, &pr.rlimits, sizeof(pr.rlimits));
	assert_int_equal(out.rlimits.hard[7], 4096);
	assert_string_equal(out.user_name, "www-data:web");
	kprof_project_release(&pr);

	kt_str_reset(&text);
	assert_int_equal(kprof_project_load(PROJ "/privileged.yaml", &pr, &err), 0);
	assert_int_equal(kprof_project_spec(&pr, &s), 0);
	assert_int_equal(initramfs_spec_format(&s, &text), 0);
	assert_int_equal(spec_parse(text.buf, &out, msg, sizeof(msg)), 0);
	assert_true(out.privileged);
	assert_int_equal(out.ndevices, 0);
	kprof_project_release(&pr);

	kt_str_free(&text);
	kt_str_free(&err);
	initramfs_spec_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_project_container),
		cmocka_unit_test(test_project_security),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

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

#include "profiler/profiler.h"

#define FIX KT_FIXTURES "/profiler/"

static char dir[] = "/tmp/kt-profile-test.XXXXXX";

static int setup(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static void test_load_fixture(void **state)
{
	struct kprof_profile p;
	struct kt_str err = KT_STR_INIT;
	const struct kprof_fact *f;

	assert_int_equal(kprof_profile_load(FIX "busybox.profile.yaml", &p, &err), 0);
	assert_string_equal(p.kernel_release, "6.1.0-56-amd64");
	assert_string_equal(p.workload_name, "busybox-httpd");
	assert_int_equal(p.command.len, 5);
	assert_string_equal(kt_array_ptr(&p.command, 4), "80");
	assert_int_equal(p.facts[KPROF_FILESYSTEMS].n, 2);
	/* loaded lists come out sorted by name */
	assert_string_equal(p.facts[KPROF_FILESYSTEMS].items[0].name, "overlay");
	assert_string_equal(p.facts[KPROF_FILESYSTEMS].items[1].name, "proc");
	f = kprof_profile_find(&p, KPROF_SOCKETS, "AF_INET/SOCK_STREAM/0");
	assert_non_null(f);
	assert_string_equal(f->family, "AF_INET");
	assert_string_equal(f->type, "SOCK_STREAM");
	assert_int_equal(f->count, 5);
	assert_string_equal(f->first, "httpd");
	/* sockets sort by family, then type: DGRAM before STREAM */
	assert_string_equal(p.facts[KPROF_SOCKETS].items[0].type, "SOCK_DGRAM");
	assert_int_equal(p.facts[KPROF_NETFILTER].n, 0);
	assert_string_equal(p.facts[KPROF_SYSCTLS].items[0].name, "net.ipv4.ip_forward");
	/* ioctls: "OBJECT CMD" (initramfs/init/abi.h) */
	f = kprof_profile_find(&p, KPROF_IOCTLS, "/dev/net/tun 0x400454ca");
	assert_non_null(f);
	assert_int_equal(f->count, 2);
	assert_string_equal(f->first, "tunctl");
	assert_int_equal(p.facts[KPROF_IOCTLS].n, 2);
	kprof_profile_release(&p);
	kt_str_free(&err);
}

static void expect_error(const char *file, const char *where, const char *what)
{
	struct kprof_profile p;
	struct kt_str err = KT_STR_INIT;
	char path[512];

	snprintf(path, sizeof(path), FIX "%s", file);
	assert_int_equal(kprof_profile_load(path, &p, &err), -EINVAL);
	assert_non_null(strstr(kt_str_cstr(&err), where));
	assert_non_null(strstr(kt_str_cstr(&err), what));
	kt_str_free(&err);
}

static void test_errors_name_position(void **state)
{
	expect_error("bad-key.profile.yaml", "bad-key.profile.yaml:5:", "frist");
	expect_error("bad-version.profile.yaml", "bad-version.profile.yaml:2:16",
		     "unsupported profile version 7");
	expect_error("bad-count.profile.yaml", "bad-count.profile.yaml:5:30",
		     "count");
}

static void test_not_a_profile(void **state)
{
	struct kprof_profile p;
	struct kt_str err = KT_STR_INIT;

	assert_int_equal(kprof_profile_load_string("x.yaml", "facts: {}\n", &p, &err),
			 -EINVAL);
	assert_non_null(strstr(kt_str_cstr(&err), "x.yaml:1:1: not a ktrim profile"));
	kt_str_free(&err);
}

/* Save, load back, save again: identical bytes and identical facts. */
static void test_round_trip_is_byte_stable(void **state)
{
	struct kprof_profile a, b;
	struct kt_str err = KT_STR_INIT, sa = KT_STR_INIT, sb = KT_STR_INIT;
	char path[256], *buf = NULL;
	size_t len;

	assert_int_equal(kprof_profile_load(FIX "busybox.profile.yaml", &a, &err), 0);
	/* awkward values must survive quoting */
	assert_int_equal(kprof_profile_add(&a, KPROF_DEVICES, "/dev/weird name: \"x\"", 1, "a b"), 0);
	assert_int_equal(kprof_profile_add(&a, KPROF_SYSCALLS, "true", 1, "123"), 0);
	snprintf(path, sizeof(path), "%s/p.yaml", dir);
	assert_int_equal(kprof_profile_save(&a, path), 0);
	assert_int_equal(kprof_profile_load(path, &b, &err), 0);
	assert_int_equal(kprof_profile_format(&a, &sa), 0);
	assert_int_equal(kprof_profile_format(&b, &sb), 0);
	assert_string_equal(kt_str_cstr(&sa), kt_str_cstr(&sb));
	assert_int_equal(kt_read_file(path, &buf, &len), 0);
	assert_string_equal(buf, kt_str_cstr(&sa));
	assert_non_null(kprof_profile_find(&b, KPROF_DEVICES, "/dev/weird name: \"x\""));
	assert_string_equal(kprof_profile_find(&b, KPROF_SYSCALLS, "true")->first, "123");
	assert_non_null(strstr(buf, "ktrim-profile: 1\n"));
	assert_non_null(strstr(buf, "    - {family: AF_INET, type: SOCK_STREAM, protocol: 0, count: 5, first: httpd}\n"));
	free(buf);
	kprof_profile_release(&a);
	kprof_profile_release(&b);
	kt_str_free(&sa);
	kt_str_free(&sb);
	kt_str_free(&err);
}

/* Insertion order must not show in the output. */
static void test_format_independent_of_order(void **state)
{
	static const char *const names[] = { "write", "accept4", "read", "sendfile" };
	struct kprof_profile a, b;
	struct kt_str sa = KT_STR_INIT, sb = KT_STR_INIT;

	kprof_profile_init(&a);
	kprof_profile_init(&b);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(kprof_profile_add(&a, KPROF_SYSCALLS, names[i], i + 1, "x"), 0);
		assert_int_equal(kprof_profile_add(&b, KPROF_SYSCALLS, names[3 - i], 4 - i, "x"), 0);
	}
	assert_int_equal(kprof_profile_format(&a, &sa), 0);
	assert_int_equal(kprof_profile_format(&b, &sb), 0);
	assert_string_equal(kt_str_cstr(&sa), kt_str_cstr(&sb));
	assert_true(strstr(sa.buf, "accept4") < strstr(sa.buf, "sendfile"));
	assert_true(strstr(sa.buf, "read") < strstr(sa.buf, "write"));
	kprof_profile_release(&a);
	kprof_profile_release(&b);
	kt_str_free(&sa);
	kt_str_free(&sb);
}

static void test_merge_counts_and_identity(void **state)
{
	struct kprof_profile a, b, c;
	struct kt_str err = KT_STR_INIT;
	const struct kprof_fact *f;

	assert_int_equal(kprof_profile_load(FIX "busybox.profile.yaml", &a, &err), 0);
	assert_int_equal(kprof_profile_load(FIX "other.profile.yaml", &b, &err), 0);
	assert_int_equal(kprof_profile_merge(&a, &b), 0);
	f = kprof_profile_find(&a, KPROF_SYSCALLS, "accept");
	assert_int_equal(f->count, 10);
	assert_string_equal(f->first, "httpd");
	f = kprof_profile_find(&a, KPROF_SYSCALLS, "epoll_wait");
	assert_int_equal(f->count, 40);
	assert_string_equal(f->first, "redis-server");
	assert_int_equal(kprof_profile_find(&a, KPROF_SOCKETS, "AF_INET/SOCK_STREAM/0")->count, 7);
	assert_non_null(kprof_profile_find(&a, KPROF_SOCKETS, "AF_INET6/SOCK_STREAM/6"));
	assert_int_equal(a.facts[KPROF_SOCKETS].n, 3);
	assert_string_equal(a.workload_name, "busybox-httpd+redis");
	assert_string_equal(a.kernel_release, "6.1.0-56-amd64");
	assert_int_equal(strlen(a.rootfs_sha256), 64);

	/* the combined identity does not depend on merge order */
	assert_int_equal(kprof_profile_load(FIX "other.profile.yaml", &c, &err), 0);
	kprof_profile_release(&b);
	assert_int_equal(kprof_profile_load(FIX "busybox.profile.yaml", &b, &err), 0);
	assert_int_equal(kprof_profile_merge(&c, &b), 0);
	assert_string_equal(a.rootfs_sha256, c.rootfs_sha256);
	assert_string_equal(c.workload_name, "redis+busybox-httpd");
	kprof_profile_release(&a);
	kprof_profile_release(&b);
	kprof_profile_release(&c);
	kt_str_free(&err);
}

/* Architectures merge as a set and survive a save and a load. */
static void test_merge_arch_set(void **state)
{
	struct kprof_profile a, b, c;
	struct kt_str err = KT_STR_INIT, text = KT_STR_INIT;

	assert_int_equal(kprof_profile_load(FIX "busybox.profile.yaml", &a, &err), 0);
	assert_int_equal(kprof_profile_load(FIX "busybox.profile.yaml", &b, &err), 0);
	assert_null(a.arch);	/* a profile from before arch: was recorded */
	a.arch = strdup("x86_64");
	b.arch = strdup("arm64");
	assert_int_equal(kprof_profile_merge(&a, &b), 0);
	assert_string_equal(a.arch, "x86_64+arm64");
	assert_int_equal(kprof_profile_merge(&a, &b), 0);
	assert_string_equal(a.arch, "x86_64+arm64");
	free(b.arch);
	b.arch = strdup("arm64+x86_64");
	assert_int_equal(kprof_profile_merge(&a, &b), 0);
	assert_string_equal(a.arch, "x86_64+arm64");
	free(b.arch);
	b.arch = NULL;	/* unknown: adds nothing */
	assert_int_equal(kprof_profile_merge(&a, &b), 0);
	assert_string_equal(a.arch, "x86_64+arm64");
	assert_int_equal(kprof_profile_format(&a, &text), 0);
	assert_non_null(strstr(kt_str_cstr(&text), "\narch: x86_64+arm64\n"));
	assert_int_equal(kprof_profile_load_string("mem", kt_str_cstr(&text), &c, &err), 0);
	assert_string_equal(c.arch, "x86_64+arm64");
	kprof_profile_release(&a);
	kprof_profile_release(&b);
	kprof_profile_release(&c);
	kt_str_free(&err);
	kt_str_free(&text);
}

static void test_add_rejects_bad_input(void **state)
{
	struct kprof_profile p;

	kprof_profile_init(&p);
	assert_int_equal(kprof_profile_add(&p, KPROF_SOCKETS, "AF_INET", 1, NULL), -EINVAL);
	assert_int_equal(kprof_profile_add(&p, KPROF_MODULES, "", 1, NULL), -EINVAL);
	assert_int_equal(kprof_profile_add(&p, KPROF_MODULES, "x", 0, NULL), -EINVAL);
	assert_int_equal(kprof_profile_add_socket(&p, "AF_INET", "", 0, 1, NULL), -EINVAL);
	assert_int_equal(kprof_profile_add(&p, KPROF_MODULES, "x", 2, NULL), 0);
	assert_string_equal(kprof_profile_find(&p, KPROF_MODULES, "x")->first, "unknown");
	kprof_profile_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_fixture),
		cmocka_unit_test(test_errors_name_position),
		cmocka_unit_test(test_not_a_profile),
		cmocka_unit_test(test_round_trip_is_byte_stable),
		cmocka_unit_test(test_format_independent_of_order),
		cmocka_unit_test(test_merge_counts_and_identity),
		cmocka_unit_test(test_merge_arch_set),
		cmocka_unit_test(test_add_rejects_bad_input),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

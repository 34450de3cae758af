// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "initramfs/initramfs.h"
#include "profiler/profiler.h"

#define PROJ KT_FIXTURES "/profiler/proj"

static void test_full_project(void **state)
{
	struct kprof_project pr;
	struct kt_str err = KT_STR_INIT;
	const char *path;

	setenv("KT_TEST_HOME", "/home/web", 1);
	setenv("KT_TEST_KSRC", "/srv/src", 1);
	assert_int_equal(kprof_project_load(PROJ "/ktrim.yaml", &pr, &err), 0);
	assert_string_equal(pr.name, "web");
	/* relative paths resolve against the file, not the cwd */
	assert_string_equal(pr.rootfs, PROJ "/rootfs");
	assert_int_equal(pr.rootfs_kind, KPROF_ROOTFS_DIR);
	assert_int_equal(kprof_project_profiling_kernel(&pr, &path, &err), 0);
	assert_string_equal(path, PROJ "/../vmlinuz");
	assert_int_equal(kprof_project_profiling_modules(&pr, &path, &err), 0);
	assert_string_equal(path, "/lib/modules/x");
	assert_int_equal(kprof_project_kernel_source(&pr, &path, &err), 0);
	assert_string_equal(path, "/srv/src/linux");
	assert_int_equal(err.len, 0);
	assert_int_equal(pr.command.len, 5);
	assert_string_equal(kt_array_ptr(&pr.env, 1), "HOME=/home/web");
	assert_string_equal(pr.cwd, "/www");
	assert_int_equal(pr.uid, 1000);
	assert_int_equal(pr.gid, 100);
	assert_int_equal(pr.namespaces, INITRAMFS_NS_MNT | INITRAMFS_NS_PID | INITRAMFS_NS_NET);
	assert_int_equal(pr.ready, KPROF_READY_TCP);
	assert_int_equal(pr.ready_port, 80);
	assert_int_equal(pr.ready_timeout_s, 20);
	/* a string smoke test is a shell line; $$ is a literal $ */
	assert_int_equal(pr.smoke_command.len, 3);
	assert_string_equal(kt_array_ptr(&pr.smoke_command, 0), "/bin/sh");
	assert_string_equal(kt_array_ptr(&pr.smoke_command, 2),
			    "wget -q -O - http://127.0.0.1/ | grep -q 'it works: $HOME'");
	assert_int_equal(pr.smoke_timeout_s, 15);
	assert_int_equal(pr.targets.len, 2);
	assert_string_equal(kt_array_ptr(&pr.targets, 1), "kvm-microvm");
	assert_int_equal(pr.profile_memory_mb, 768);
	/* defaults */
	assert_string_equal(pr.hostname, "web");
	assert_int_equal(pr.cgroups.len, 3);
	assert_int_equal(pr.profile_timeout_s, 300);
	assert_string_equal(pr.arch, "x86_64");
	assert_int_equal(pr.arch_line, 0);
	kprof_project_release(&pr);
	kt_str_free(&err);
}

/* Restart policy, stop grace, host smoke test; the default namespaces. */
static void test_production_keys(void **state)
{
	struct kprof_project pr;
	struct kt_str err = KT_STR_INIT;

	assert_int_equal(kprof_project_load(PROJ "/production.yaml", &pr, &err), 0);
	assert_int_equal(pr.restart, INITRAMFS_RESTART_ON_FAILURE);
	assert_int_equal(pr.restart_max, 3);
	assert_int_equal(pr.stop_grace_s, 7);
	assert_true(pr.keep_setuid);
	assert_int_equal(pr.host_smoke_command.len, 3);
	assert_string_equal(kt_array_ptr(&pr.host_smoke_command, 2),
			    "redis-cli -p ${KTRIM_HOST_PORT} ping");
	assert_int_equal(pr.host_smoke_timeout_s, 12);
	/* No net namespace by default: the workload shares the VM's NIC. */
	assert_int_equal(pr.namespaces & INITRAMFS_NS_NET, 0);
	assert_int_equal(pr.namespaces, INITRAMFS_NS_MNT | INITRAMFS_NS_UTS | INITRAMFS_NS_IPC |
			 INITRAMFS_NS_PID | INITRAMFS_NS_CGROUP);
	/* network: addresses normalised, the line kept for the trim report */
	assert_string_equal(pr.net.ipv4, "192.168.7.9/24");
	assert_string_equal(pr.net.ipv4_gateway, "192.168.7.1");
	assert_string_equal(pr.net.ipv6, "fd00::7/64");
	assert_null(pr.net.ipv6_gateway);
	assert_false(pr.net.dhcp);
	assert_int_equal(pr.net_line, 15);
	kprof_project_release(&pr);
	kt_str_free(&err);
}

static void expect_error(const char *file, const char *what)
{
	struct kprof_project pr;
	struct kt_str err = KT_STR_INIT;
	char path[512];

	snprintf(path, sizeof(path), PROJ "/%s", file);
	assert_int_equal(kprof_project_load(path, &pr, &err), -EINVAL);
	if (!strstr(kt_str_cstr(&err), what))
		fail_msg("'%s' does not contain '%s'", kt_str_cstr(&err), what);
	kt_str_free(&err);
}

static void test_errors(void **state)
{
	unsetenv("KT_TEST_SURELY_UNSET_VAR");
	expect_error("typo.yaml", "typo.yaml:7:5: unknown key 'comand'");
	expect_error("unset.yaml", "unset.yaml:4:11: environment variable KT_TEST_SURELY_UNSET_VAR is not set");
	expect_error("both.yaml", "both.yaml:6:9: user must be UID[:GID] or USER[:GROUP]");
	/* an empty path written as such is the file's mistake */
	expect_error("kernel-empty.yaml", "kernel-empty.yaml:7:11: empty path");
	expect_error("restart-bad.yaml", "restart-bad.yaml:6:12: restart: 'sometimes' is not no");
	expect_error("network-bad.yaml", "network-bad.yaml:6:17: ipv4: '10.0.2.300/24' is not an "
		     "IPv4 ADDRESS/PREFIX");
	expect_error("network-dhcp-static.yaml", "network-dhcp-static.yaml:8:9: dhcp and a static "
		     "ipv4 address exclude each other");
	expect_error("cap-bad.yaml", "cap-bad.yaml:6:24: unknown capability 'CAP_SYS_ADMN'");
	expect_error("device-bad.yaml", "device-bad.yaml:8:7: device '/dev/../mem' is not a path "
		     "under /dev/");
	expect_error("privileged-bad.yaml", "privileged-bad.yaml:6:15: expected true or false");
	expect_error("rlimit-bad.yaml", "rlimit-bad.yaml:6:27: unknown resource limit 'files'");
	expect_error("rlimit-value-bad.yaml", "rlimit-value-bad.yaml:7:13: nofile: '4096:1024' is not "
		     "SOFT[:HARD]");
	expect_error("arch-bad.yaml", "arch-bad.yaml:6:7: expected one of x86_64, arm64");
}

/* cap-add, cap-drop (Docker's spellings), devices, privileged; none given: Docker's defaults. */
static void test_security_keys(void **state)
{
	struct kprof_project pr;
	struct kt_str err = KT_STR_INIT;

	assert_int_equal(kprof_project_load(PROJ "/security.yaml", &pr, &err), 0);
	assert_int_equal(pr.cap_add, (1ULL << 21) | (1ULL << 12));
	assert_int_equal(pr.cap_drop, 1ULL << 13);
	assert_int_equal(pr.devices.len, 2);
	assert_string_equal(kt_array_ptr(&pr.devices, 0), "/dev/vda");
	assert_string_equal(kt_array_ptr(&pr.devices, 1), "/dev/net/tun");
	assert_false(pr.privileged);
	assert_int_equal(pr.rlimits.set, 1u << 7 | 1u << 4 | 1u << 8);
	/* a user by name: the guest resolves it in the rootfs's /etc/passwd */
	assert_string_equal(pr.user_name, "www-data:web");
	assert_int_equal(pr.uid, 0);
	assert_int_equal(pr.rlimits.soft[7], 1024);
	assert_int_equal(pr.rlimits.hard[7], 4096);
	assert_true(pr.rlimits.hard[8] == GUEST_RLIM_INFINITY);
	kprof_project_release(&pr);

	assert_int_equal(kprof_project_load(PROJ "/privileged.yaml", &pr, &err), 0);
	assert_true(pr.privileged);
	assert_true(pr.cap_drop == GUEST_CAPS_ALL);
	kprof_project_release(&pr);

	assert_int_equal(kprof_project_load(PROJ "/production.yaml", &pr, &err), 0);
	assert_int_equal(pr.cap_add, 0);
	assert_int_equal(pr.cap_drop, 0);
	assert_int_equal(pr.devices.len, 0);
	assert_false(pr.privileged);
	kprof_project_release(&pr);
	kt_str_free(&err);
}

/*
 * Variables only the kernel fields use may be unset: the workload loads,
 * and reading a kernel field names the variable and where it is used.
 */
static void test_kernel_vars_unset(void **state)
{
	struct kprof_project pr;
	struct kt_str err = KT_STR_INIT;
	const char *path = "not touched";

	unsetenv("KT_TEST_UNSET_KSRC");
	unsetenv("KT_TEST_UNSET_KIMAGE");
	setenv("KT_TEST_EMPTY_KMODDIR", "", 1);
	assert_int_equal(kprof_project_load(PROJ "/kernel-unset.yaml", &pr, &err), 0);
	assert_int_equal(err.len, 0);
	/* what packing the workload reads */
	assert_string_equal(pr.rootfs, PROJ "/rootfs");
	assert_int_equal(pr.rootfs_kind, KPROF_ROOTFS_DIR);
	assert_int_equal(pr.command.len, 5);
	assert_string_equal(kt_array_ptr(&pr.command, 0), "/bin/busybox");

	assert_int_equal(kprof_project_profiling_kernel(&pr, &path, &err), -EINVAL);
	assert_null(path);
	assert_string_equal(kt_str_cstr(&err), PROJ "/kernel-unset.yaml:11:11: "
			    "environment variable KT_TEST_UNSET_KIMAGE is not set");
	kt_str_reset(&err);
	assert_int_equal(kprof_project_kernel_source(&pr, &path, &err), -EINVAL);
	assert_string_equal(kt_str_cstr(&err), PROJ "/kernel-unset.yaml:9:11: "
			    "environment variable KT_TEST_UNSET_KSRC is not set");
	kt_str_reset(&err);
	/* set but empty, as `export KMODDIR` of an empty make variable gives */
	assert_int_equal(kprof_project_profiling_modules(&pr, &path, &err), -EINVAL);
	assert_non_null(strstr(kt_str_cstr(&err), "kernel-unset.yaml:12:12: empty path"));
	kprof_project_release(&pr);
	kt_str_free(&err);

	/* set later: the load reads the environment, so load again */
	setenv("KT_TEST_UNSET_KIMAGE", "/boot/vmlinuz", 1);
	assert_int_equal(kprof_project_load(PROJ "/kernel-unset.yaml", &pr, &err), 0);
	assert_int_equal(kprof_project_profiling_kernel(&pr, &path, &err), 0);
	assert_string_equal(path, "/boot/vmlinuz");
	kprof_project_release(&pr);
	unsetenv("KT_TEST_UNSET_KIMAGE");
	unsetenv("KT_TEST_EMPTY_KMODDIR");
	kt_str_free(&err);
}

static char tmpdir[64];

static void sh(const char *cmd)
{
	char line[1024];

	snprintf(line, sizeof(line), "cd %s && %s", tmpdir, cmd);
	assert_int_equal(system(line), 0);
}

/* @name in tmpdir: a project whose line 5 is @init (columns count from there). */
static int load_init(const char *name, const char *init, struct kprof_project *pr,
		     struct kt_str *err)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "name: ext\nworkload:\n  rootfs: %s/rootfs\n  command: [/bin/sh]\n%s\n",
		PROJ, init);
	fclose(f);
	kt_str_reset(err);
	return kprof_project_load(path, pr, err);
}

static void expect_init_error(const char *init, const char *what)
{
	struct kprof_project pr;
	struct kt_str err = KT_STR_INIT;

	assert_int_equal(load_init("bad.yaml", init, &pr, &err), -EINVAL);
	if (!strstr(kt_str_cstr(&err), what))
		fail_msg("'%s' does not contain '%s'", kt_str_cstr(&err), what);
	kt_str_free(&err);
}

/*
 * init: {external: PATH}: relative to the file, the tree's /init resolved
 * inside the tree (a link to /bin/sh is the tree's /bin/sh, not the
 * host's); every mistake named by file:line:col.
 */
static void test_external_init(void **state)
{
	struct kprof_project pr;
	struct kt_str err = KT_STR_INIT;
	char want[256];

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/kt-proj-init.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	sh("mkdir -p lcow/bin && printf '#!/bin/sh\\n' >lcow/init && chmod 755 lcow/init");
	/* the default: ktrim's own init */
	assert_int_equal(load_init("none.yaml", "", &pr, &err), 0);
	assert_null(pr.init_external);
	kprof_project_release(&pr);
	assert_int_equal(load_init("ok.yaml", "init: {external: lcow}", &pr, &err), 0);
	snprintf(want, sizeof(want), "%s/lcow", tmpdir);
	assert_string_equal(pr.init_external, want);
	assert_int_equal(pr.init_line, 5);
	kprof_project_release(&pr);
	/* a link resolved inside the tree: its /sbin/gcs, present there */
	sh("mkdir -p lcow/sbin && cp lcow/init lcow/sbin/gcs && mv lcow/init lcow/init.sh && "
	   "ln -s /sbin/gcs lcow/init");
	setenv("KT_TEST_INIT_TREE", "lcow", 1);
	assert_int_equal(load_init("ok.yaml", "init:\n  external: ${KT_TEST_INIT_TREE}", &pr,
				   &err), 0);
	assert_string_equal(pr.init_external, want);
	assert_int_equal(pr.init_line, 6);
	kprof_project_release(&pr);

	expect_init_error("init: lcow", "bad.yaml:5:7: init must be a mapping");
	expect_init_error("init: {}", "bad.yaml:5:7: init needs external: PATH");
	expect_init_error("init: {external: lcow, args: x}", "bad.yaml:5:24: unknown key 'args'");
	expect_init_error("init: {external: \"\"}", "bad.yaml:5:18: empty path");
	unsetenv("KT_TEST_SURELY_UNSET_VAR");
	expect_init_error("init:\n  external: ${KT_TEST_SURELY_UNSET_VAR}",
			  "bad.yaml:6:13: environment variable KT_TEST_SURELY_UNSET_VAR is not set");
	expect_init_error("init: {external: nowhere}", "bad.yaml:5:18: init tree ");
	expect_init_error("init: {external: nowhere}", "/nowhere is not a directory");
	/* the host has /bin/sh; the tree has none: resolved inside, no /init */
	sh("ln -sf /bin/sh lcow/init");
	expect_init_error("init: {external: lcow}", "bad.yaml:5:18: init tree");
	expect_init_error("init: {external: lcow}", "has no /init (No such file or directory");
	sh("ln -sf ../../../../../../bin/sh lcow/init");
	expect_init_error("init: {external: lcow}", "has no /init (No such file or directory");
	sh("rm lcow/init && mkdir lcow/init");
	expect_init_error("init: {external: lcow}", "has an /init that is not a regular file");
	sh("rmdir lcow/init && printf x >lcow/init && chmod 644 lcow/init");
	expect_init_error("init: {external: lcow}", "has an /init that is not executable");
	sh("rm lcow/init");
	expect_init_error("init: {external: lcow}", "has no /init");
	unsetenv("KT_TEST_INIT_TREE");
	snprintf(want, sizeof(want), "rm -rf %s", tmpdir);
	assert_int_equal(system(want), 0);
	kt_str_free(&err);
}

static void test_missing_file(void **state)
{
	struct kprof_project pr;
	struct kt_str err = KT_STR_INIT;

	assert_int_equal(kprof_project_load(PROJ "/nope.yaml", &pr, &err), -ENOENT);
	assert_non_null(strstr(kt_str_cstr(&err), "nope.yaml"));
	kt_str_free(&err);
}

/* Whether @prog compares the syscall number with @nr. */
static bool filter_names(const struct kt_array *prog, uint32_t nr)
{
	for (size_t i = 6; i < prog->len; i++) {
		const struct guest_bpf_insn *b = kt_array_at(prog, i);

		if (b->code == 0x15 /* BPF_JMP | BPF_JEQ | BPF_K */ && b->k == nr)
			return true;
	}
	return false;
}

/*
 * workload: {seccomp, seccomp-action}, and the filter each asks for,
 * numbered by the tree's table: the profile's syscalls for from-profile,
 * the arch check alone while there is no profile, nothing when privileged.
 */
static void test_seccomp(void **state)
{
	struct kprof_project pr;
	struct kprof_profile p;
	struct initramfs_spec s;
	struct kt_str err = KT_STR_INIT;
	char ksrc[128];

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/kt-proj-sc.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	sh("mkdir -p src/arch/x86/entry/syscalls && cp " KT_FIXTURES
	   "/initramfs/syscall_64.tbl src/arch/x86/entry/syscalls/");
	snprintf(ksrc, sizeof(ksrc), "%s/src", tmpdir);
	/* the default: unconfined, errno */
	assert_int_equal(load_init("none.yaml", "", &pr, &err), 0);
	assert_int_equal(pr.seccomp, KPROF_SECCOMP_UNCONFINED);
	assert_int_equal(pr.seccomp_action, INITRAMFS_SECCOMP_ERRNO);
	kprof_project_release(&pr);
	assert_int_equal(load_init("sc.yaml", "  seccomp: from-profile\n  seccomp-action: kill",
				   &pr, &err), 0);
	assert_int_equal(pr.seccomp, KPROF_SECCOMP_FROM_PROFILE);
	assert_int_equal(pr.seccomp_action, INITRAMFS_SECCOMP_KILL);
	assert_int_equal(pr.seccomp_line, 5);

	initramfs_spec_init(&s);
	kprof_profile_init(&p);
	assert_int_equal(kprof_profile_add(&p, KPROF_SYSCALLS, "getppid", 3, "sh"), 0);
	assert_int_equal(kprof_project_seccomp(&pr, &p, ksrc, &s, &err), 0);
	assert_true(filter_names(&s.seccomp, 110));	/* getppid */
	assert_true(filter_names(&s.seccomp, 231));	/* exit_group: the runtime's base set */
	assert_false(filter_names(&s.seccomp, 39));	/* getpid: not in the profile */
	assert_int_equal(((struct guest_bpf_insn *)kt_array_at(&s.seccomp, s.seccomp.len - 1))->k,
			 0x80000000u);	/* SECCOMP_RET_KILL_PROCESS */
	/* the profiling run: no profile yet, the arch check alone */
	assert_int_equal(kprof_project_seccomp(&pr, NULL, ksrc, &s, &err), 0);
	assert_int_equal(s.seccomp.len, 7);
	/* privileged: none */
	pr.privileged = true;
	assert_int_equal(kprof_project_seccomp(&pr, &p, ksrc, &s, &err), 0);
	assert_int_equal(s.seccomp.len, 0);
	pr.privileged = false;
	/* no kernel tree: said where */
	assert_int_equal(kprof_project_seccomp(&pr, &p, NULL, &s, &err), -EINVAL);
	assert_non_null(strstr(kt_str_cstr(&err), "sc.yaml:5: seccomp: the syscall numbers come "
					   "from the kernel tree"));
	kprof_profile_release(&p);
	initramfs_spec_release(&s);
	kprof_project_release(&pr);

	expect_init_error("  seccomp: strict", "bad.yaml:5:12: expected one of unconfined, "
			  "default, from-profile");
	expect_init_error("  seccomp-action: trap", "bad.yaml:5:19: expected one of errno, kill, log");
	expect_init_error("  seccomp: [default]", "bad.yaml:5:12: expected one of");
	sh("rm -rf src *.yaml");
	snprintf(ksrc, sizeof(ksrc), "rmdir %s", tmpdir);
	assert_int_equal(system(ksrc), 0);
	kt_str_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_project),
		cmocka_unit_test(test_production_keys),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_security_keys),
		cmocka_unit_test(test_kernel_vars_unset),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_external_init),
		cmocka_unit_test(test_seccomp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

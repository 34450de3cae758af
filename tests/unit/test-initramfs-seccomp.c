// SPDX-License-Identifier: GPL-2.0-only
/*
 * The seccomp filter compiler, run for real: each filter built from the
 * fixture table (linux-6.1's numbers) is loaded into a child process on
 * this x86-64 host, which then makes the calls the test names and reports
 * what the kernel answered. No BPF interpreter of our own: the kernel's.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "initramfs/initramfs.h"

#define TABLE KT_FIXTURES "/initramfs/syscall_64.tbl"

/* One call the child makes under the filter: what it must return. */
struct call {
	long nr, a0;
	int want_errno;		/* 0: success (>= 0); else -1 with this errno */
};

/*
 * In a child: load @prog, make @calls, exit 0 when each returned what it
 * should, else 10 + the index of the first that did not. Raw syscalls
 * only once the filter is in: the child's own library calls are not in it.
 */
static int run_filtered(const struct kt_array *prog, const struct call *calls, size_t n)
{
	struct sock_fprog fp = { (unsigned short)prog->len, prog->items };
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fp, 0, 0) < 0)
			syscall(SYS_exit_group, 2);
		for (size_t i = 0; i < n; i++) {
			long r = syscall(calls[i].nr, calls[i].a0, 0, 0, 0, 0, 0);

			if (r == 0 && calls[i].nr == SYS_clone)
				syscall(SYS_exit_group, 0);	/* a clone that went through */
			if (calls[i].want_errno ? r != -1 || errno != calls[i].want_errno : r < 0)
				syscall(SYS_exit_group, 10 + (int)i);
		}
		syscall(SYS_exit_group, 0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return st;
}

static void build(struct initramfs_seccomp_opts *o, struct kt_array *prog)
{
	struct kt_str err = KT_STR_INIT;

	kt_array_init(prog, sizeof(struct guest_bpf_insn));
	o->table = TABLE;
	o->arch = AUDIT_ARCH_X86_64;
	assert_int_equal(initramfs_seccomp_build(o, prog, &err), 0);
	assert_int_equal(err.len, 0);
	kt_str_free(&err);
}

/* Build @o's filter, run @calls under it: each answered as it should. */
static void expect_answers(struct initramfs_seccomp_opts *o, const struct call *calls, size_t n)
{
	struct kt_array prog;
	int st;

	build(o, &prog);
	st = run_filtered(&prog, calls, n);
	kt_array_free(&prog);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		fail_msg("child status 0x%x: call %d answered otherwise (exit 10 + index)", st,
			 WIFEXITED(st) ? WEXITSTATUS(st) - 10 : -1);
}

static void test_layout_arch_check_first(void **state)
{
	const char *names[] = { "getppid" };
	struct initramfs_seccomp_opts o = { .policy = INITRAMFS_SECCOMP_LIST, .names = names,
					    .nnames = 1 };
	struct kt_array prog;
	const struct guest_bpf_insn *i;

	build(&o, &prog);
	i = prog.items;
	/* the struct is the kernel's, field for field */
	assert_int_equal(sizeof(struct guest_bpf_insn), sizeof(struct sock_filter));
	assert_int_equal(i[0].code, BPF_LD | BPF_W | BPF_ABS);
	assert_int_equal(i[0].k, offsetof(struct seccomp_data, arch));
	assert_int_equal(i[1].code, BPF_JMP | BPF_JEQ | BPF_K);
	assert_int_equal(i[1].k, AUDIT_ARCH_X86_64);
	assert_int_equal(i[2].k, SECCOMP_RET_KILL_PROCESS);
	/* head (6), getppid + the base set write, exit_group (2 each; clock_gettime is not
	 * in the fixture table), the default */
	assert_int_equal(prog.len, 6 + 3 * 2 + 1);
	assert_int_equal(i[prog.len - 1].k, SECCOMP_RET_ERRNO | EPERM);
	/* numbers from the table: write 1, getppid 110, exit_group 231, in order */
	assert_int_equal(i[6].k, 1);
	assert_int_equal(i[8].k, 110);
	assert_int_equal(i[10].k, 231);
	kt_array_free(&prog);
}

/*
 * arm64, numbered by the real 6.1 tree's generic table ($KSRC, or the
 * kernel cache's): the AArch64 arch check, no x32 test, arm64's numbers.
 * It cannot run on this x86-64 host: the layout is what is checked.
 */
static void test_arm64_layout(void **state)
{
	const char *names[] = { "openat", "getppid" };
	struct initramfs_seccomp_opts o = { .policy = INITRAMFS_SECCOMP_LIST, .names = names,
					    .nnames = 2, .arch = AUDIT_ARCH_AARCH64 };
	const char *ksrc = getenv("KSRC");
	char *cache = kt_cache_dir(), tree[4096], tbl[4200];
	struct kt_str err = KT_STR_INIT;
	const struct guest_bpf_insn *i;
	struct kt_array prog;

	assert_non_null(cache);
	if (ksrc && *ksrc)
		snprintf(tree, sizeof(tree), "%s", ksrc);
	else
		snprintf(tree, sizeof(tree), "%s/src/linux-source-6.1", cache);
	free(cache);
	snprintf(tbl, sizeof(tbl), "%s/include/uapi/asm-generic/unistd.h", tree);
	if (access(tbl, R_OK)) {
		const char *no = getenv("KTRIM_TEST_NO_KSRC");

		if (no && *no == '1')
			skip();
		fail_msg("no 6.1 tree at %s: run ci/kernel-cache.sh, set KSRC, or "
			 "KTRIM_TEST_NO_KSRC=1 to skip", tree);
	}
	o.ksrc = tree;
	kt_array_init(&prog, sizeof(struct guest_bpf_insn));
	if (initramfs_seccomp_build(&o, &prog, &err))
		fail_msg("%s", kt_str_cstr(&err));
	i = prog.items;
	assert_int_equal(i[1].k, AUDIT_ARCH_AARCH64);
	assert_int_equal(i[2].k, SECCOMP_RET_KILL_PROCESS);
	assert_int_equal(i[3].k, offsetof(struct seccomp_data, nr));
	/* head (4: no x32 test), openat 56, getppid 173 and the base set's write 64,
	 * exit_group 94, clock_gettime 113, execve 221 (2 each), the default */
	assert_int_equal(prog.len, 4 + 6 * 2 + 1);
	assert_int_equal(i[4].k, 56);
	assert_int_equal(i[6].k, 64);
	assert_int_equal(i[8].k, 94);
	assert_int_equal(i[10].k, 113);
	assert_int_equal(i[12].k, 173);
	assert_int_equal(i[14].k, 221);
	assert_int_equal(i[16].k, SECCOMP_RET_ERRNO | EPERM);
	{
		/* the certificate reads it back: arm64's header has no x32 test */
		struct initramfs_seccomp_info info;

		assert_int_equal(initramfs_seccomp_describe(prog.items, prog.len, &info), 0);
		assert_int_equal(info.arch, AUDIT_ARCH_AARCH64);
		assert_int_equal(info.allowed, 6);
		assert_int_equal(info.deflt, SECCOMP_RET_ERRNO | EPERM);
	}
	kt_array_free(&prog);
	kt_str_free(&err);
}

static void test_list_allows_listed_denies_rest(void **state)
{
	const char *names[] = { "getppid", "no_such_call" };
	struct initramfs_seccomp_opts o = { .policy = INITRAMFS_SECCOMP_LIST, .names = names,
					    .nnames = 2 };
	const struct call calls[] = {
		{ SYS_getppid, 0, 0 },
		{ SYS_getpid, 0, EPERM },
		{ SYS_getpriority, 0, EPERM },
	};

	expect_answers(&o, calls, KT_ARRAY_SIZE(calls));
}

static void test_kill_and_log_actions(void **state)
{
	const char *names[] = { "getppid" };
	struct initramfs_seccomp_opts o = { .policy = INITRAMFS_SECCOMP_LIST, .names = names,
					    .nnames = 1, .action = INITRAMFS_SECCOMP_KILL };
	const struct call denied[] = { { SYS_getpid, 0, EPERM } };
	const struct call logged[] = { { SYS_getpid, 0, 0 } };
	struct kt_array prog;
	int st;

	build(&o, &prog);
	st = run_filtered(&prog, denied, 1);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGSYS);
	kt_array_free(&prog);

	/* log: the call goes through (and the kernel logs it) */
	o.action = INITRAMFS_SECCOMP_LOG;
	expect_answers(&o, logged, 1);
}

/* The i386 ABI (int 0x80) is another architecture: the process is killed. */
static void test_wrong_arch_kills(void **state)
{
	const char *names[] = { "getpid" };
	struct initramfs_seccomp_opts o = { .policy = INITRAMFS_SECCOMP_LIST, .names = names,
					    .nnames = 1 };
	struct kt_array prog;
	struct sock_fprog fp;
	int st;
	pid_t pid;

	build(&o, &prog);
	fp = (struct sock_fprog){ (unsigned short)prog.len, prog.items };
	pid = fork();
	if (pid == 0) {
		long r = 20;	/* i386 getpid */

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fp, 0, 0) < 0)
			syscall(SYS_exit_group, 2);
		__asm__ volatile("int $0x80" : "+a"(r) : : "memory");
		syscall(SYS_exit_group, 3);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st));
	/* SIGSEGV: a host kernel without IA32 emulation has no int 0x80 at all */
	if (WTERMSIG(st) == SIGSEGV) {
		kt_array_free(&prog);
		skip();
	}
	assert_int_equal(WTERMSIG(st), SIGSYS);
	kt_array_free(&prog);
}

/* Docker's default profile in effect for the default capabilities, then with SYS_ADMIN. */
static void test_docker_default(void **state)
{
	struct initramfs_seccomp_opts o = { .policy = INITRAMFS_SECCOMP_DOCKER,
					    .caps = guest_caps_resolve(0, 0) };
	const struct call calls[] = {
		{ SYS_getpid, 0, 0 },
		{ SYS_getpriority, 0, 0 },
		/* personality: only the query and the values Docker lists */
		{ SYS_personality, 0xffffffff, 0 },
		{ SYS_personality, 0x0040000 /* ADDR_NO_RANDOMIZE */, EPERM },
		/* socket: AF_VSOCK (40) refused; AF_UNIX with type 0 reaches the kernel: its own error */
		{ SYS_socket, 40, EPERM },
		{ SYS_socket, 1, ESOCKTNOSUPPORT },
		/* clone3: ENOSYS, so glibc falls back to clone */
		{ SYS_clone3, 0, ENOSYS },
		/* clone: no new namespaces without SYS_ADMIN */
		{ SYS_clone, 0x10000000 /* CLONE_NEWUSER */, EPERM },
		/* not in Docker's list */
		{ SYS_keyctl, 0, EPERM },
		{ SYS_add_key, 0, EPERM },
	};
	/* with SYS_ADMIN, clone3 is the kernel's (EINVAL for a NULL argument) */
	const struct call admin[] = { { SYS_clone3, 0, EINVAL } };

	expect_answers(&o, calls, KT_ARRAY_SIZE(calls));
	o.caps |= (uint64_t)1 << 21;
	expect_answers(&o, admin, 1);
}

static void test_allow_all_is_arch_check_only(void **state)
{
	struct initramfs_seccomp_opts o = { .policy = INITRAMFS_SECCOMP_ALLOW_ALL,
					    .table = "/nonexistent" };
	struct kt_array prog;
	struct kt_str err = KT_STR_INIT;

	kt_array_init(&prog, sizeof(struct guest_bpf_insn));
	o.arch = AUDIT_ARCH_X86_64;
	/* no table needed: no syscall is named */
	assert_int_equal(initramfs_seccomp_build(&o, &prog, &err), 0);
	assert_int_equal(prog.len, 7);
	assert_int_equal(((struct guest_bpf_insn *)prog.items)[6].k, SECCOMP_RET_ALLOW);
	kt_array_free(&prog);
	kt_str_free(&err);
}

/* A filter read back (what a certificate reports): counts and action; damage refused. */
static void test_describe(void **state)
{
	const char *names[] = { "getppid" };
	struct initramfs_seccomp_opts list = { .policy = INITRAMFS_SECCOMP_LIST, .names = names,
					       .nnames = 1 };
	struct initramfs_seccomp_opts docker = { .policy = INITRAMFS_SECCOMP_DOCKER,
						 .caps = guest_caps_resolve(0, 0) };
	struct initramfs_seccomp_opts all = { .policy = INITRAMFS_SECCOMP_ALLOW_ALL };
	struct initramfs_seccomp_info info;
	struct guest_bpf_insn *i;
	struct kt_array prog;

	build(&list, &prog);
	assert_int_equal(initramfs_seccomp_describe(prog.items, prog.len, &info), 0);
	assert_int_equal(info.arch, AUDIT_ARCH_X86_64);
	/* getppid and the base set's write and exit_group (as in the layout test) */
	assert_int_equal(info.allowed, 3);
	assert_int_equal(info.by_argument, 0);
	assert_int_equal(info.refused, 0);
	assert_int_equal(info.deflt, SECCOMP_RET_ERRNO | EPERM);
	/* a return turned into a load, or the last instruction cut: not ktrim's layout */
	i = prog.items;
	i[7].code = BPF_LD | BPF_W | BPF_ABS;
	assert_int_equal(initramfs_seccomp_describe(prog.items, prog.len, &info), -EINVAL);
	i[7].code = BPF_RET | BPF_K;
	assert_int_equal(initramfs_seccomp_describe(prog.items, prog.len - 1, &info), -EINVAL);
	kt_array_free(&prog);

	build(&docker, &prog);
	assert_int_equal(initramfs_seccomp_describe(prog.items, prog.len, &info), 0);
	/*
	 * Of the fixture table's 14 x86-64 calls: personality, socket and
	 * clone by argument; clone3 refused with ENOSYS; add_key and keyctl
	 * not listed (the default); the other 8 allowed
	 */
	assert_int_equal(info.by_argument, 3);
	assert_int_equal(info.refused, 1);
	assert_int_equal(info.allowed, 8);
	assert_int_equal(info.deflt, SECCOMP_RET_ERRNO | EPERM);
	kt_array_free(&prog);

	build(&all, &prog);
	assert_int_equal(initramfs_seccomp_describe(prog.items, prog.len, &info), 0);
	assert_int_equal(info.allowed + info.by_argument + info.refused, 0);
	assert_int_equal(info.deflt, SECCOMP_RET_ALLOW);
	kt_array_free(&prog);
}

static int write_table(char *path, const char *text)
{
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return -1;
	close(fd);
	return 0;
}

static void test_table_errors(void **state)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "0 common read sys_read\n1 common\n", ":2: not 'NUMBER ABI NAME'" },
		{ "# c\n\n5000 common big sys_big\n", ":3: not 'NUMBER ABI NAME' with a number below 4096" },
		{ "0 common read sys_read\n0 64 again sys_again\n", ":2: syscall number 0 listed twice" },
		{ "x common read sys_read\n", ":1: not 'NUMBER ABI NAME'" },
	};
	const char *names[] = { "read" };
	struct initramfs_seccomp_opts o = { .policy = INITRAMFS_SECCOMP_LIST, .names = names,
					    .nnames = 1, .arch = AUDIT_ARCH_X86_64 };
	struct kt_array prog;

	kt_array_init(&prog, sizeof(struct guest_bpf_insn));
	for (size_t i = 0; i < KT_ARRAY_SIZE(bad); i++) {
		char path[] = "/tmp/kt-sctbl.XXXXXX";
		struct kt_str err = KT_STR_INIT;

		assert_int_equal(write_table(path, bad[i].text), 0);
		o.table = path;
		assert_int_equal(initramfs_seccomp_build(&o, &prog, &err), -EINVAL);
		assert_non_null(strstr(kt_str_cstr(&err), path));
		assert_non_null(strstr(kt_str_cstr(&err), bad[i].msg));
		unlink(path);
		kt_str_free(&err);
	}
	/* another architecture: said, not guessed */
	{
		struct kt_str err = KT_STR_INIT;

		o.table = TABLE;
		o.arch = AUDIT_ARCH_RISCV64;
		assert_int_equal(initramfs_seccomp_build(&o, &prog, &err), -EOPNOTSUPP);
		assert_non_null(strstr(kt_str_cstr(&err), "only x86-64 and arm64"));
		kt_str_free(&err);
	}
	kt_array_free(&prog);
}

/* More syscalls than the guest's table of instructions holds: -E2BIG when compiled. */
static void test_too_big(void **state)
{
	char path[] = "/tmp/kt-sctbl.XXXXXX";
	struct kt_str text = KT_STR_INIT, err = KT_STR_INIT;
	const char **names = calloc(2100, sizeof(*names));
	char (*buf)[16] = calloc(2100, 16);
	struct initramfs_seccomp_opts o = { .policy = INITRAMFS_SECCOMP_LIST, .names = names,
					    .nnames = 2100, .arch = AUDIT_ARCH_X86_64 };
	struct kt_array prog;

	assert_non_null(names);
	assert_non_null(buf);
	for (int i = 0; i < 2100; i++) {
		snprintf(buf[i], 16, "s%d", i);
		names[i] = buf[i];
		kt_str_printf(&text, "%d common s%d sys_s%d\n", i, i, i);
	}
	assert_int_equal(write_table(path, text.buf), 0);
	o.table = path;
	kt_array_init(&prog, sizeof(struct guest_bpf_insn));
	assert_int_equal(initramfs_seccomp_build(&o, &prog, &err), -E2BIG);
	assert_non_null(strstr(kt_str_cstr(&err), "at most 4096"));
	unlink(path);
	kt_array_free(&prog);
	kt_str_free(&text);
	kt_str_free(&err);
	free(names);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_arch_check_first),
		cmocka_unit_test(test_arm64_layout),
		cmocka_unit_test(test_list_allows_listed_denies_rest),
		cmocka_unit_test(test_kill_and_log_actions),
		cmocka_unit_test(test_wrong_arch_kills),
		cmocka_unit_test(test_docker_default),
		cmocka_unit_test(test_allow_all_is_arch_check_only),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_table_errors),
		cmocka_unit_test(test_too_big),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

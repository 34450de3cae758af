// SPDX-License-Identifier: GPL-2.0-only
/*
 * The syscall table reader on the real trees: Debian's linux-source-6.1
 * ($KSRC or the kernel cache) and 6.12 ($KSRC_6_12 or the cache's 6.12/),
 * x86_64 and arm64 in both. 6.1's arm64 table comes from asm-generic's
 * unistd.h and 6.12's from scripts/syscall.tbl: two layouts, two parsers,
 * which must agree on every call 6.1 has; and the agent's generated
 * tables (gen-syscalls.sh, the C preprocessor) must agree with this
 * reader. Set KTRIM_TEST_NO_KSRC=1 to skip the tree cases knowingly.
 */
#include <errno.h>
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/common.h"
#include "kconfig-trim/kconfig.h"

/* The agent's tables, under names of their own (each header names its array syscall_names). */
#define syscall_names agent_x86_64_names
#include "profiler/agent/syscall-names.h"
#undef syscall_names
#define syscall_names agent_arm64_names
#include "profiler/agent/syscall-names-arm64.h"
#undef syscall_names

static char ksrc61[4096], ksrc612[4096];

/* $@env, else the cache's @sub; false when absent. */
static bool find_tree(const char *env, const char *sub, char *out, size_t cap)
{
	const char *v = getenv(env);
	char pattern[4096], kbuild[4200], *cache;
	glob_t g;

	if (v && *v) {
		snprintf(out, cap, "%s", v);
	} else {
		cache = kt_cache_dir();
		assert_non_null(cache);
		snprintf(pattern, sizeof(pattern), "%s/%s", cache, sub);
		free(cache);
		if (glob(pattern, 0, NULL, &g) != 0)
			return false;
		snprintf(out, cap, "%s", g.gl_pathv[0]);
		globfree(&g);
	}
	snprintf(kbuild, sizeof(kbuild), "%s/Kbuild", out);
	return access(kbuild, R_OK) == 0;
}

static int setup(void **state)
{
	const char *no = getenv("KTRIM_TEST_NO_KSRC");

	if (find_tree("KSRC", "src/linux-source-6.1*", ksrc61, sizeof(ksrc61)) &&
	    find_tree("KSRC_6_12", "6.12/src/linux-source-6.12*", ksrc612, sizeof(ksrc612))) {
		*state = (void *)1;
		return 0;
	}
	if (no && *no == '1') {
		print_message("no kernel trees and KTRIM_TEST_NO_KSRC=1: skip\n");
		*state = NULL;
		return 0;
	}
	fail_msg("no 6.1 and 6.12 trees: run ci/kernel-cache.sh (and KTRIM_KERNEL=6.12), "
		 "set KSRC and KSRC_6_12, or KTRIM_TEST_NO_KSRC=1 to skip");
	return -1;
}

static void read_ok(const char *ksrc, const char *arch, struct kt_array *out)
{
	struct kt_str err = KT_STR_INIT;
	int r = kconf_syscalls_read(ksrc, arch, out, &err);

	if (r)
		fail_msg("%s %s: %s", ksrc, arch, kt_str_cstr(&err));
	kt_str_free(&err);
}

static const struct kconf_syscall *by_name(const struct kt_array *l, const char *name)
{
	for (size_t i = 0; i < l->len; i++) {
		const struct kconf_syscall *s = kt_array_at(l, i);

		if (!strcmp(s->name, name))
			return s;
	}
	return NULL;
}

static void expect(const struct kt_array *l, const char *name, int nr, const char *entry)
{
	const struct kconf_syscall *s = by_name(l, name);

	if (nr < 0) {
		if (s)
			fail_msg("%s is there (%u), should not be", name, s->nr);
		return;
	}
	if (!s)
		fail_msg("no %s", name);
	assert_int_equal(s->nr, nr);
	assert_int_equal(kconf_syscalls_nr(l, name), nr);
	assert_string_equal(kconf_syscalls_name(l, (unsigned)nr), name);
	if (entry)
		assert_string_equal(s->entry, entry);
}

/* Numbers every arm64 tree agrees on (the generic table), and calls arm64 lacks. */
static void expect_arm64(const struct kt_array *l)
{
	expect(l, "openat", 56, "sys_openat");
	expect(l, "read", 63, "sys_read");
	expect(l, "newfstatat", 79, "sys_newfstatat");
	expect(l, "fstat", 80, "sys_newfstat");	/* __NR_fstat -> __NR3264_fstat */
	expect(l, "fcntl", 25, "sys_fcntl");	/* __SC_COMP_3264: the 64-bit entry */
	expect(l, "mmap", 222, "sys_mmap");
	expect(l, "renameat", 38, "sys_renameat");	/* __ARCH_WANT_RENAMEAT / ABI renameat */
	expect(l, "getrlimit", 163, "sys_getrlimit");	/* rlimit */
	expect(l, "memfd_secret", 447, "sys_memfd_secret");
	expect(l, "timerfd_settime", 86, "sys_timerfd_settime");	/* continued line */
	expect(l, "sync_file_range", 84, "sys_sync_file_range");	/* not ..._range2 */
	expect(l, "clone3", 435, "sys_clone3");
	/* x86-legacy names and 32-bit-only calls are not arm64's */
	expect(l, "open", -1, NULL);
	expect(l, "stat", -1, NULL);
	expect(l, "fork", -1, NULL);
	expect(l, "clock_gettime64", -1, NULL);
	expect(l, "fcntl64", -1, NULL);
	expect(l, "syscalls", -1, NULL);
	expect(l, "arch_specific_syscall", -1, NULL);
	expect(l, "sync_file_range2", -1, NULL);
}

static void expect_x86_64(const struct kt_array *l)
{
	expect(l, "read", 0, "sys_read");
	expect(l, "open", 2, "sys_open");
	expect(l, "fstat", 5, "sys_newfstat");
	expect(l, "openat", 257, "sys_openat");
	expect(l, "uselib", 134, NULL);
	/* x32's rows are not the native table's */
	assert_null(kconf_syscalls_name(l, 512));
}

/* @a (the older tree) is a subset of @b, number for number. */
static void expect_subset(const struct kt_array *a, const struct kt_array *b)
{
	for (size_t i = 0; i < a->len; i++) {
		const struct kconf_syscall *s = kt_array_at(a, i);
		const char *there = kconf_syscalls_name(b, s->nr);

		if (!there || strcmp(there, s->name))
			fail_msg("%u: %s here, %s there", s->nr, s->name, there ? there : "none");
	}
	assert_true(b->len > a->len);
}

/* The agent's generated table has exactly this reader's names. */
static void expect_agent(const struct kt_array *l, const char *const *names, size_t n)
{
	size_t have = 0;

	for (size_t nr = 0; nr < n; nr++) {
		const char *mine = kconf_syscalls_name(l, (unsigned)nr);

		if (!names[nr] != !mine || (mine && strcmp(mine, names[nr])))
			fail_msg("%zu: agent %s, reader %s", nr, names[nr] ? names[nr] : "none",
				 mine ? mine : "none");
		have += mine != NULL;
	}
	assert_int_equal(have, l->len);
}

static void test_arm64(void **state)
{
	struct kt_array a61, a612;

	if (!*state)
		skip();
	read_ok(ksrc61, "arm64", &a61);
	read_ok(ksrc612, "aarch64", &a612);
	expect_arm64(&a61);
	expect_arm64(&a612);
	expect(&a612, "cachestat", 451, "sys_cachestat");
	expect(&a61, "cachestat", -1, NULL);
	/* unistd.h (6.1) and syscall.tbl (6.12) agree on all of 6.1 */
	expect_subset(&a61, &a612);
	expect_agent(&a61, agent_arm64_names, KT_ARRAY_SIZE(agent_arm64_names));
	kconf_syscalls_free(&a61);
	kconf_syscalls_free(&a612);
}

static void test_x86_64(void **state)
{
	struct kt_array x61, x612;

	if (!*state)
		skip();
	read_ok(ksrc61, "x86_64", &x61);
	read_ok(ksrc612, NULL, &x612);
	expect_x86_64(&x61);
	expect_x86_64(&x612);
	expect_subset(&x61, &x612);
	expect_agent(&x61, agent_x86_64_names, KT_ARRAY_SIZE(agent_x86_64_names));
	kconf_syscalls_free(&x61);
	kconf_syscalls_free(&x612);
}

/* A tree of one arm64 6.1-layout header pair, @generic as unistd.h. */
static void fake_tree(char *dir, const char *generic)
{
	char path[512];
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/arch/arm64/include/uapi/asm", dir);
	assert_int_equal(kt_mkdir_p(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/include/uapi/asm-generic", dir);
	assert_int_equal(kt_mkdir_p(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/arch/arm64/include/uapi/asm/unistd.h", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("#define __ARCH_WANT_RENAMEAT\n#include <asm-generic/unistd.h>\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/include/uapi/asm-generic/unistd.h", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(generic, f);
	fclose(f);
}

static void rm_tree(const char *dir)
{
	const char *argv[] = { "rm", "-rf", dir, NULL };

	assert_int_equal(kt_run(argv, NULL, NULL), 0);
}

static void test_bad_input(void **state)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "#define __NR_a 1\n#if __NR_a > 0\n#endif\n", "unistd.h:2: an #if this reader cannot" },
		{ "#ifdef __ARCH_WANT_RENAMEAT\n#define __NR_a 1\n", "unistd.h: #if without #endif" },
		{ "#endif\n", "unistd.h:1: #endif without #if" },
		{ "#if 1\n#elif 0\n#endif\n", "unistd.h:1: an #if this reader cannot" },
		{ "__SYSCALL(__NR_nope, sys_nope)\n", "unistd.h:1: a syscall for an undefined number" },
		{ "#define __NR_a 1\n#define __NR_a 2\n", "unistd.h:2: __NR_a defined twice" },
		{ "#define __NR_a 1\n#define __NR_b 1\n", "syscall number 1 listed twice" },
		{ "#define __NR_a __NR_b\n", "__NR_a is no syscall number" },
	};
	struct kt_array out;

	(void)state;
	for (size_t i = 0; i < KT_ARRAY_SIZE(bad); i++) {
		char dir[] = "/tmp/kt-unistd.XXXXXX";
		struct kt_str err = KT_STR_INIT;

		fake_tree(dir, bad[i].text);
		assert_int_equal(kconf_syscalls_read(dir, "arm64", &out, &err), -EINVAL);
		if (!strstr(kt_str_cstr(&err), bad[i].msg))
			fail_msg("case %zu: '%s' lacks '%s'", i, kt_str_cstr(&err), bad[i].msg);
		assert_int_equal(out.len, 0);
		kt_str_free(&err);
		rm_tree(dir);
	}
	/* a fake that is right: renameat wanted, the 3264 alias, a false branch skipped */
	{
		char dir[] = "/tmp/kt-unistd.XXXXXX";
		struct kt_str err = KT_STR_INIT;

		fake_tree(dir, "#ifdef __ARCH_WANT_RENAMEAT\n#define __NR_renameat 38\n"
			  "__SYSCALL(__NR_renameat, sys_renameat)\n#endif\n"
			  "#define __NR3264_fstat 80\n__SC_3264(__NR3264_fstat, sys_fstat64, \\\n"
			  "\tsys_newfstat)\n#if __BITS_PER_LONG == 32\n#define __NR_x 9\n#else\n"
			  "#define __NR_fstat __NR3264_fstat\n#endif\n");
		assert_int_equal(kconf_syscalls_read(dir, "arm64", &out, &err), 0);
		assert_int_equal(out.len, 2);
		expect(&out, "renameat", 38, "sys_renameat");
		expect(&out, "fstat", 80, "sys_newfstat");
		expect(&out, "x", -1, NULL);
		kconf_syscalls_free(&out);
		kt_str_free(&err);
		rm_tree(dir);
	}
	{
		struct kt_str err = KT_STR_INIT;

		assert_int_equal(kconf_syscalls_read("/nonexistent", "riscv", &out, &err),
				 -EOPNOTSUPP);
		assert_non_null(strstr(kt_str_cstr(&err), "riscv"));
		assert_int_equal(kconf_syscalls_read("/nonexistent", "arm64", &out, &err),
				 -ENOENT);
		assert_non_null(strstr(kt_str_cstr(&err), "/nonexistent/arch/arm64"));
		kt_str_free(&err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arm64),
		cmocka_unit_test(test_x86_64),
		cmocka_unit_test(test_bad_input),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}

// SPDX-License-Identifier: GPL-2.0-only
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/common.h"

static char dir[] = "/tmp/kt-file-test.XXXXXX";

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

static size_t count_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/* Writes a lot, then fails as a full disk or a crashing generator would. */
static int fill_then_fail(FILE *f, void *ctx)
{
	for (int i = 0; i < 100000; i++)
		fprintf(f, "CONFIG_PARTIAL_%d=y\n", i);
	return -ENOSPC;
}

static void test_atomic_write_failure_keeps_old_file(void **state)
{
	char path[256], *buf = NULL;
	size_t len = 0;

	snprintf(path, sizeof(path), "%s/.config", dir);
	assert_int_equal(kt_atomic_write_buf(path, 0644, "CONFIG_OLD=y\n", 13), 0);
	assert_int_equal(kt_atomic_write(path, 0644, fill_then_fail, NULL), -ENOSPC);
	assert_int_equal(kt_read_file(path, &buf, &len), 0);
	assert_string_equal(buf, "CONFIG_OLD=y\n");
	assert_int_equal(len, 13);
	free(buf);
	/* No temporary file is left behind beside it. */
	assert_int_equal(count_entries(dir), 1);
}

static void test_atomic_write_replaces_and_sets_mode(void **state)
{
	char path[256], *buf = NULL;
	struct stat st;

	snprintf(path, sizeof(path), "%s/out.bin", dir);
	assert_int_equal(kt_atomic_write_buf(path, 0600, "one", 3), 0);
	assert_int_equal(kt_atomic_write_buf(path, 0640, "two!", 4), 0);
	assert_int_equal(kt_read_file(path, &buf, NULL), 0);
	assert_string_equal(buf, "two!");
	free(buf);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
}

static void test_atomic_write_into_missing_dir_fails_cleanly(void **state)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/nodir/x", dir);
	assert_int_equal(kt_atomic_write_buf(path, 0644, "x", 1), -ENOENT);
}

static void test_mkdir_p_and_read_missing(void **state)
{
	char path[256], *buf = NULL;
	struct stat st;

	snprintf(path, sizeof(path), "%s/a/b/c", dir);
	assert_int_equal(kt_mkdir_p(path, 0755), 0);
	assert_int_equal(kt_mkdir_p(path, 0755), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	snprintf(path, sizeof(path), "%s/none", dir);
	assert_int_equal(kt_read_file(path, &buf, NULL), -ENOENT);
	assert_null(buf);
}

static void test_copy_file_atomic(void **state)
{
	char from[256], to[256], *buf = NULL;
	struct stat st;

	snprintf(from, sizeof(from), "%s/src.config", dir);
	snprintf(to, sizeof(to), "%s/dst.config", dir);
	assert_int_equal(kt_atomic_write_buf(from, 0600, "CONFIG_NEW=y\n", 13), 0);
	assert_int_equal(kt_atomic_write_buf(to, 0600, "CONFIG_OLD=y\n", 13), 0);
	assert_int_equal(kt_copy_file(from, to, 0644), 0);
	assert_int_equal(kt_read_file(to, &buf, NULL), 0);
	assert_string_equal(buf, "CONFIG_NEW=y\n");
	free(buf);
	assert_int_equal(stat(to, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	/* A missing source leaves the destination as it was. */
	snprintf(from, sizeof(from), "%s/missing", dir);
	assert_int_equal(kt_copy_file(from, to, 0644), -ENOENT);
	assert_int_equal(kt_read_file(to, &buf, NULL), 0);
	assert_string_equal(buf, "CONFIG_NEW=y\n");
	free(buf);
}

/* A string that lost an append never replaces a good file. */
static void test_atomic_write_str_refuses_failed_string(void **state)
{
	struct kt_str s = KT_STR_INIT;
	char path[256], *buf = NULL;
	size_t before;

	snprintf(path, sizeof(path), "%s/str.config", dir);
	assert_int_equal(kt_atomic_write_buf(path, 0644, "CONFIG_OLD=y\n", 13), 0);
	before = count_entries(dir);
	kt_str_puts(&s, "CONFIG_NEW=y\n");
	assert_int_equal(kt_atomic_write_str(path, 0644, &s), 0);
	assert_int_equal(kt_read_file(path, &buf, NULL), 0);
	assert_string_equal(buf, "CONFIG_NEW=y\n");
	free(buf);
	/* the next line fails: what is there must not be written */
	assert_int_equal(kt_str_append(&s, "CONFIG_LOST=y\n", SIZE_MAX / 2), -ENOMEM);
	kt_str_puts(&s, "CONFIG_AFTER=y\n");
	assert_int_equal(kt_atomic_write_str(path, 0644, &s), -ENOMEM);
	assert_int_equal(kt_read_file(path, &buf, NULL), 0);
	assert_string_equal(buf, "CONFIG_NEW=y\n");
	free(buf);
	assert_int_equal(count_entries(dir), before);	/* no temporary left */
	kt_str_free(&s);
}

static void expect_cache_dir(const char *want)
{
	char *d = kt_cache_dir();

	assert_non_null(d);
	assert_string_equal(d, want);
	free(d);
}

static void test_cache_dir(void **state)
{
	char *kc = getenv("KTRIM_CACHE"), *xdg = getenv("XDG_CACHE_HOME");
	char *home = getenv("HOME");

	kc = kc ? strdup(kc) : NULL;
	xdg = xdg ? strdup(xdg) : NULL;
	home = home ? strdup(home) : NULL;
	setenv("KTRIM_CACHE", "/c/kt", 1);
	setenv("XDG_CACHE_HOME", "/c/xdg", 1);
	setenv("HOME", "/c/home", 1);
	expect_cache_dir("/c/kt");
	/* empty is unset */
	setenv("KTRIM_CACHE", "", 1);
	expect_cache_dir("/c/xdg/ktrim");
	unsetenv("XDG_CACHE_HOME");
	expect_cache_dir("/c/home/.cache/ktrim");
	kc ? setenv("KTRIM_CACHE", kc, 1) : unsetenv("KTRIM_CACHE");
	xdg ? setenv("XDG_CACHE_HOME", xdg, 1) : unsetenv("XDG_CACHE_HOME");
	home ? setenv("HOME", home, 1) : unsetenv("HOME");
	free(kc);
	free(xdg);
	free(home);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_atomic_write_failure_keeps_old_file),
		cmocka_unit_test(test_atomic_write_replaces_and_sets_mode),
		cmocka_unit_test(test_atomic_write_into_missing_dir_fails_cleanly),
		cmocka_unit_test(test_mkdir_p_and_read_missing),
		cmocka_unit_test(test_copy_file_atomic),
		cmocka_unit_test(test_atomic_write_str_refuses_failed_string),
		cmocka_unit_test(test_cache_dir),
	};
	return cmocka_run_group_tests_name("common-file", tests, setup, teardown);
}

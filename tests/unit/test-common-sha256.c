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

#include "common/common.h"

/* FIPS 180-4 examples, and the same bytes through the file path. */
static void test_sha256_known_vectors(void **state)
{
	struct kt_sha256 c;
	char hex[65];
	const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	assert_int_equal(kt_sha256_init(&c), 0);
	kt_sha256_update(&c, "abc", 3);
	assert_int_equal(kt_sha256_final_hex(&c, hex), 0);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

	assert_int_equal(kt_sha256_init(&c), 0);
	for (const char *p = two_blocks; *p; p++)	/* byte at a time */
		kt_sha256_update(&c, p, 1);
	assert_int_equal(kt_sha256_final_hex(&c, hex), 0);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_sha256_file_matches_sha256sum(void **state)
{
	char path[] = "/tmp/kt-sha.XXXXXX", hex[65], cmd[128], want[65] = "";
	int fd = mkstemp(path);
	FILE *p;

	assert_true(fd >= 0);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(write(fd, "ktrim-sha256-", 13), 13);
	close(fd);
	assert_int_equal(kt_sha256_file(path, hex), 0);
	snprintf(cmd, sizeof(cmd), "sha256sum '%s'", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%64s", want), 1);
	pclose(p);
	assert_string_equal(hex, want);
	unlink(path);
	assert_int_equal(kt_sha256_file(path, hex), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_known_vectors),
		cmocka_unit_test(test_sha256_file_matches_sha256sum),
	};
	return cmocka_run_group_tests_name("common-sha256", tests, NULL, NULL);
}

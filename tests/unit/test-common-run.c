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

static void test_run_captures_stdout_and_status(void **state)
{
	const char *const argv[] = { "sh", "-c", "echo hello; echo err >&2; exit 3", NULL };
	struct kt_str out = KT_STR_INIT;
	char log[] = "/tmp/kt-run-log.XXXXXX";
	char *buf = NULL;
	int fd = mkstemp(log);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(kt_run(argv, &out, log), 3);
	assert_string_equal(kt_str_cstr(&out), "hello\n");
	assert_int_equal(kt_read_file(log, &buf, NULL), 0);
	assert_string_equal(buf, "err\n");
	free(buf);
	unlink(log);
	kt_str_free(&out);
}

static void test_run_reports_signal_and_missing_program(void **state)
{
	const char *const killed[] = { "sh", "-c", "kill -TERM $$", NULL };
	const char *const missing[] = { "/nonexistent/ktrim-helper", NULL };

	assert_int_equal(kt_run(killed, NULL, NULL), 128 + 15);
	assert_int_equal(kt_run(missing, NULL, NULL), -ENOENT);
}

/* Output that lost a piece is no output: -ENOMEM, not the exit status. */
static void test_run_output_out_of_memory(void **state)
{
	const char *const argv[] = { "echo", "hello", NULL };
	struct kt_str out = KT_STR_INIT;

	kt_str_fail_after(0);
	assert_int_equal(kt_run(argv, &out, NULL), -ENOMEM);
	kt_str_fail_after(-1);
	kt_str_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_captures_stdout_and_status),
		cmocka_unit_test(test_run_reports_signal_and_missing_program),
		cmocka_unit_test(test_run_output_out_of_memory),
	};
	return cmocka_run_group_tests_name("common-run", tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0-only
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/common.h"

static char *capture(void (*emit)(void))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	kt_log_set_stream(f);
	emit();
	kt_log_set_stream(NULL);
	fclose(f);
	return buf;
}

static void emit_all_levels(void)
{
	kt_err("e%d", 1);
	kt_warn("w%d", 2);
	kt_info("i%d", 3);
	kt_dbg("d%d", 4);
}

static void test_log_levels_filter(void **state)
{
	char *out;

	kt_log_set_level(KT_LOG_INFO);
	out = capture(emit_all_levels);
	assert_string_equal(out, "ktrim: error: e1\nktrim: warning: w2\nktrim: i3\n");
	free(out);

	kt_log_set_level(KT_LOG_WARN);	/* -q */
	out = capture(emit_all_levels);
	assert_string_equal(out, "ktrim: error: e1\nktrim: warning: w2\n");
	free(out);

	kt_log_set_level(KT_LOG_DEBUG + 5);	/* -vvvvvv clamps */
	assert_int_equal(kt_log_get_level(), KT_LOG_DEBUG);
	out = capture(emit_all_levels);
	assert_non_null(strstr(out, "ktrim: debug: d4\n"));
	free(out);
	kt_log_set_level(KT_LOG_INFO);
}

static void emit_progress(void)
{
	kt_progress("building %s", "bzImage");
}

static void test_progress_has_elapsed_time(void **state)
{
	char *out = capture(emit_progress);
	double t = -1;
	char word[32];

	assert_int_equal(sscanf(out, "[ %lfs] %31s", &t, word), 2);
	assert_true(t >= 0 && t < 60);
	assert_string_equal(word, "building");
	assert_non_null(strstr(out, "bzImage\n"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log_levels_filter),
		cmocka_unit_test(test_progress_has_elapsed_time),
	};
	return cmocka_run_group_tests_name("common-log", tests, NULL, NULL);
}

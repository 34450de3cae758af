// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/common.h"

static void test_str_grows_and_formats(void **state)
{
	struct kt_str s = KT_STR_INIT;

	assert_string_equal(kt_str_cstr(&s), "");
	for (int i = 0; i < 1000; i++)
		assert_int_equal(kt_str_printf(&s, "%d,", i), 0);
	assert_int_equal(s.len, strlen(s.buf));
	assert_true(strncmp(s.buf, "0,1,2,", 6) == 0);
	assert_non_null(strstr(s.buf, ",999,"));
	kt_str_reset(&s);
	assert_int_equal(s.len, 0);
	assert_string_equal(kt_str_cstr(&s), "");
	kt_str_putc(&s, 'x');
	kt_str_append(&s, "yz\0w", 4);
	assert_int_equal(s.len, 5);
	assert_memory_equal(s.buf, "xyz\0w", 5);
	kt_str_free(&s);
}

static void test_str_steal_hands_over(void **state)
{
	struct kt_str s = KT_STR_INIT;
	char *p;

	kt_str_puts(&s, "kernel");
	p = kt_str_steal(&s);
	assert_string_equal(p, "kernel");
	assert_null(s.buf);
	assert_int_equal(s.len, 0);
	free(p);
	p = kt_str_steal(&s);	/* empty string is still a string */
	assert_string_equal(p, "");
	free(p);
}

/*
 * A length no allocator can satisfy fails before it reaches one (so this
 * allocates nothing and ASan has nothing to abort on), like a real ENOMEM.
 */
static void test_str_error_is_sticky(void **state)
{
	struct kt_str s = KT_STR_INIT;
	char *p;

	assert_int_equal(kt_str_puts(&s, "abc"), 0);
	assert_int_equal(kt_str_error(&s), 0);
	assert_int_equal(kt_str_append(&s, "x", SIZE_MAX / 2), -ENOMEM);
	assert_int_equal(kt_str_error(&s), -ENOMEM);
	/* the contents stay what they were, and nothing more gets in */
	assert_string_equal(kt_str_cstr(&s), "abc");
	assert_int_equal(kt_str_puts(&s, "def"), -ENOMEM);
	assert_int_equal(kt_str_putc(&s, 'g'), -ENOMEM);
	assert_int_equal(kt_str_printf(&s, "%d", 42), -ENOMEM);
	assert_string_equal(kt_str_cstr(&s), "abc");
	assert_int_equal(s.len, 3);
	/* a reset cannot shed the failure */
	kt_str_reset(&s);
	assert_int_equal(s.len, 0);
	assert_int_equal(kt_str_error(&s), -ENOMEM);
	assert_int_equal(kt_str_puts(&s, "new"), -ENOMEM);
	assert_string_equal(kt_str_cstr(&s), "");
	/* steal hands the failure over as NULL and leaves a clean string */
	assert_null(kt_str_steal(&s));
	assert_null(s.buf);
	assert_int_equal(kt_str_error(&s), 0);
	assert_int_equal(kt_str_puts(&s, "again"), 0);
	p = kt_str_steal(&s);
	assert_string_equal(p, "again");
	free(p);
	/* so does free; an overflowing length is the same failure */
	assert_int_equal(kt_str_puts(&s, "abc"), 0);
	assert_int_equal(kt_str_append(&s, "x", SIZE_MAX - 1), -ENOMEM);
	kt_str_free(&s);
	assert_int_equal(kt_str_error(&s), 0);
	assert_int_equal(kt_str_puts(&s, "ok"), 0);
	assert_string_equal(kt_str_cstr(&s), "ok");
	kt_str_free(&s);
}

/* The test hook: a real allocation that fails, mid-way through a string. */
static void test_str_fail_after(void **state)
{
	struct kt_str s = KT_STR_INIT;
	char big[200];

	memset(big, 'b', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	kt_str_fail_after(1);
	assert_int_equal(kt_str_puts(&s, "first"), 0);	/* the one allowed */
	assert_int_equal(kt_str_puts(&s, big), -ENOMEM);	/* has to grow */
	kt_str_fail_after(-1);
	assert_int_equal(kt_str_error(&s), -ENOMEM);
	assert_int_equal(kt_str_puts(&s, "x"), -ENOMEM);	/* still, though it fits */
	assert_string_equal(kt_str_cstr(&s), "first");
	assert_null(kt_str_steal(&s));
	/* every kt_str is affected, even an empty one */
	kt_str_fail_after(0);
	assert_int_equal(kt_str_putc(&s, 'x'), -ENOMEM);
	kt_str_fail_after(-1);
	assert_null(kt_str_steal(&s));
	assert_int_equal(kt_str_putc(&s, 'x'), 0);
	kt_str_free(&s);
}

static void test_parse_ulong_strict(void **state)
{
	unsigned long v = 7;

	assert_int_equal(kt_parse_ulong("256", 1024, &v), 0);
	assert_int_equal(v, 256);
	assert_int_equal(kt_parse_ulong("1025", 1024, &v), -EINVAL);
	assert_int_equal(kt_parse_ulong("-1", ~0ul, &v), -EINVAL);
	assert_int_equal(kt_parse_ulong(" 5", 10, &v), -EINVAL);
	assert_int_equal(kt_parse_ulong("5MB", 10, &v), -EINVAL);
	assert_int_equal(kt_parse_ulong("", 10, &v), -EINVAL);
	assert_int_equal(kt_parse_ulong("99999999999999999999999", ~0ul, &v), -EINVAL);
	assert_int_equal(v, 256);	/* failures leave it alone */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_str_grows_and_formats),
		cmocka_unit_test(test_str_steal_hands_over),
		cmocka_unit_test(test_str_error_is_sticky),
		cmocka_unit_test(test_str_fail_after),
		cmocka_unit_test(test_parse_ulong_strict),
	};
	return cmocka_run_group_tests_name("common-str", tests, NULL, NULL);
}

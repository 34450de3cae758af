// SPDX-License-Identifier: GPL-2.0-only
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "common/common.h"

struct pair {
	int key;
	const char *name;
};

static int cmp_pair(const void *a, const void *b)
{
	return ((const struct pair *)a)->key - ((const struct pair *)b)->key;
}

static void test_array_push_sort(void **state)
{
	struct kt_array a = KT_ARRAY_INIT(struct pair);

	for (int i = 0; i < 100; i++) {
		struct pair p = { (i * 37) % 100, "x" };

		assert_non_null(kt_array_push(&a, &p));
	}
	assert_int_equal(a.len, 100);
	kt_array_sort(&a, cmp_pair);
	for (size_t i = 0; i < a.len; i++)
		assert_int_equal(((struct pair *)kt_array_at(&a, i))->key, (int)i);
	assert_null(kt_array_at(&a, 100));
	kt_array_free(&a);
	assert_int_equal(a.len, 0);
}

static void test_array_pointers(void **state)
{
	struct kt_array a;
	const char *words[] = { "virtio", "vsock", "overlay" };

	kt_array_init(&a, sizeof(void *));
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(kt_array_push_ptr(&a, (void *)words[i]), 0);
	assert_ptr_equal(kt_array_ptr(&a, 1), words[1]);
	assert_null(kt_array_ptr(&a, 3));
	kt_array_free(&a);
}

static void test_array_string_vector(void **state)
{
	struct kt_array a = KT_ARRAY_INIT(char *);
	char word[] = "virtio_blk";

	assert_int_equal(kt_array_push_strdup(&a, word), 0);
	word[0] = 'X';	/* the vector holds its own copy */
	assert_int_equal(kt_array_push_strdup(&a, "overlay"), 0);
	assert_string_equal(kt_array_ptr(&a, 0), "virtio_blk");
	assert_string_equal(kt_array_ptr(&a, 1), "overlay");
	kt_array_free_ptrs(&a);	/* ASan run proves every copy is freed */
	assert_int_equal(a.len, 0);
	assert_null(a.items);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_array_push_sort),
		cmocka_unit_test(test_array_pointers),
		cmocka_unit_test(test_array_string_vector),
	};
	return cmocka_run_group_tests_name("common-array", tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/common.h"

static int freed;

static void count_free(void *p)
{
	freed++;
	free(p);
}

static void test_map_set_get_replace(void **state)
{
	struct kt_map *m = kt_map_new(count_free);
	char key[32];

	freed = 0;
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "CONFIG_%d", i);
		assert_int_equal(kt_map_set(m, key, strdup(key)), 0);
	}
	assert_int_equal(kt_map_len(m), 5000);
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "CONFIG_%d", i);
		assert_string_equal(kt_map_get(m, key), key);
	}
	assert_null(kt_map_get(m, "CONFIG_5000"));
	assert_int_equal(kt_map_set(m, "CONFIG_7", strdup("seven")), 0);
	assert_int_equal(freed, 1);
	assert_string_equal(kt_map_get(m, "CONFIG_7"), "seven");
	assert_int_equal(kt_map_len(m), 5000);
	kt_map_free(m);
	assert_int_equal(freed, 5001);
}

static void test_map_iterates_in_insertion_order_after_deletes(void **state)
{
	struct kt_map *m = kt_map_new(NULL);
	struct kt_map_iter it;
	char key[32];
	int expect = 0, seen = 0;

	for (int i = 0; i < 300; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(kt_map_set(m, key, (void *)(intptr_t)i), 0);
	}
	for (int i = 0; i < 300; i += 2) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(kt_map_del(m, key), 0);
	}
	assert_int_equal(kt_map_del(m, "k0"), -ENOENT);
	/* Inserts after deletes force compaction; order must survive it. */
	for (int i = 300; i < 600; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(kt_map_set(m, key, (void *)(intptr_t)i), 0);
	}
	kt_map_iter_init(&it, m);
	expect = 1;
	while (kt_map_iter_next(&it)) {
		int v = (int)(intptr_t)it.value;

		assert_int_equal(v, expect);
		snprintf(key, sizeof(key), "k%d", v);
		assert_string_equal(it.key, key);
		/* Odd survivors of the first batch, then every later key. */
		expect = expect == 299 ? 300 : expect + (expect < 300 ? 2 : 1);
		seen++;
	}
	assert_int_equal(seen, 450);
	assert_false(kt_map_has(m, "k2"));
	assert_true(kt_map_has(m, "k3"));
	kt_map_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_set_get_replace),
		cmocka_unit_test(test_map_iterates_in_insertion_order_after_deletes),
	};
	return cmocka_run_group_tests_name("common-map", tests, NULL, NULL);
}

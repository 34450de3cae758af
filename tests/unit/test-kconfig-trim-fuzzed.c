// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kconfig inputs found to break the engine, by tests/fuzz/fuzz-kconfig.c
 * or by hand (a device where a file belongs), each loaded here as a tree
 * of its own. Under check-san (ASan, LeakSanitizer) a leak or a bad
 * access fails the test; the plain build checks the outcome.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "kconfig-trim/kconfig.h"

/* Load @text as the top Kconfig of a tree of its own; the load's result. */
static int load_text(const char *text, struct kconf_tree **t, struct kt_str *err)
{
	struct kconf_load_opts o = { .arch = "x86_64", .kernelversion = "6.1.0",
				     .cache_dir = "" };
	char dir[] = "/tmp/ktrim-fuzzed-XXXXXX";
	struct kt_str path = KT_STR_INIT;
	int r;

	assert_non_null(mkdtemp(dir));
	kt_str_printf(&path, "%s/Kconfig", dir);
	assert_int_equal(kt_atomic_write_buf(kt_str_cstr(&path), 0644, text, strlen(text)), 0);
	*t = NULL;
	r = kconf_tree_load(dir, &o, t, err);
	unlink(kt_str_cstr(&path));
	rmdir(dir);
	kt_str_free(&path);
	return r;
}

/*
 * `config n` (or y, m) gives the constant symbol a prompt and a type, as
 * conf lets it; the tree must still free what that entry added.
 */
static void test_config_named_like_a_constant(void **state)
{
	static const char *const texts[] = {
		"config n\n\tbool \"B\"\n",
		"config y\n\ttristate \"Y\"\n\tdefault m\n",
		"config A\n\tbool \"A\"\n\tdepends on m\nconfig m\n\tbool \"M\"\n\tselect A\n",
	};
	struct kt_str err = KT_STR_INIT, out = KT_STR_INIT;
	struct kconf_tree *t;

	(void)state;
	for (size_t i = 0; i < KT_ARRAY_SIZE(texts); i++) {
		kt_str_reset(&err);
		if (load_text(texts[i], &t, &err) == 0) {
			assert_int_equal(kconf_resolve(t), 0);
			kt_str_reset(&out);
			assert_int_equal(kconf_config_format(t, &out), 0);
		}
		kconf_tree_free(t);
	}
	kt_str_free(&out);
	kt_str_free(&err);
}

/*
 * `source "/dev/zero"` read until memory ran out, a FIFO blocked for
 * ever; a .config that is a device too. Each is refused before reading.
 */
static void test_source_of_a_device_refused(void **state)
{
	struct kt_str err = KT_STR_INIT;
	struct kconf_tree *t;
	char fifo[] = "/tmp/ktrim-fifo-XXXXXX", *text = NULL;

	(void)state;
	assert_int_equal(load_text("source \"/dev/zero\"\n", &t, &err), -EINVAL);
	assert_non_null(strstr(kt_str_cstr(&err),
			       "Kconfig:1: can't open file \"/dev/zero\": not a regular file"));
	kconf_tree_free(t);
	assert_non_null(mkdtemp(fifo));
	assert_true(asprintf(&text, "source \"%s/f\"\n", fifo) > 0);
	{
		char path[64];

		snprintf(path, sizeof(path), "%s/f", fifo);
		assert_int_equal(mkfifo(path, 0600), 0);
		kt_str_reset(&err);
		assert_int_equal(load_text(text, &t, &err), -EINVAL);
		assert_non_null(strstr(kt_str_cstr(&err), "not a regular file"));
		kconf_tree_free(t);
		unlink(path);
		rmdir(fifo);
	}
	kt_str_reset(&err);
	assert_int_equal(load_text("config A\n\tbool \"a\"\n", &t, &err), 0);
	assert_int_equal(kconf_config_read(t, "/dev/zero", &err), -EINVAL);
	assert_non_null(strstr(kt_str_cstr(&err), "/dev/zero: not a regular file"));
	kconf_tree_free(t);
	free(text);
	kt_str_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_named_like_a_constant),
		cmocka_unit_test(test_source_of_a_device_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/common.h"

static const char recipe[] =
	"name: kvm-q35\n"
	"include: [bases/container.yaml]\n"
	"require:\n"
	"  - CONFIG_VIRTIO_PCI\n"
	"  - socket: AF_VSOCK\n"
	"boot:\n"
	"  cmdline: \"console=ttyS0\"\n";

static void test_yaml_tree_with_positions(void **state)
{
	struct kt_yaml_doc doc;
	struct kt_str err = KT_STR_INIT;
	struct kt_yaml_node *req, *inc, *sock;

	assert_int_equal(kt_yaml_load_string("r.yaml", recipe, strlen(recipe), &doc, &err), 0);
	assert_int_equal(doc.root->type, KT_YAML_MAP);
	assert_string_equal(kt_yaml_map_get(doc.root, "name")->scalar, "kvm-q35");
	inc = kt_yaml_map_get(doc.root, "include");
	assert_int_equal(inc->type, KT_YAML_SEQ);
	assert_int_equal(inc->n, 1);
	req = kt_yaml_map_get(doc.root, "require");
	assert_int_equal(req->n, 2);
	assert_int_equal(req->items[0]->line, 4);
	assert_int_equal(req->items[0]->col, 5);
	sock = kt_yaml_map_get(req->items[1], "socket");
	assert_string_equal(sock->scalar, "AF_VSOCK");
	assert_int_equal(sock->line, 5);
	assert_false(sock->quoted);
	assert_true(kt_yaml_map_get(kt_yaml_map_get(doc.root, "boot"), "cmdline")->quoted);
	kt_yaml_doc_release(&doc);
	kt_str_free(&err);
}

static void test_yaml_unknown_key_names_position(void **state)
{
	static const char *const allowed[] = { "name", "require", NULL };
	static const char text[] = "name: x\nrequire: []\nrequier: [y]\n";
	struct kt_yaml_doc doc;
	struct kt_str err = KT_STR_INIT;

	assert_int_equal(kt_yaml_load_string("p.yaml", text, strlen(text), &doc, &err), 0);
	assert_int_equal(kt_yaml_map_check_keys(&doc, doc.root, allowed, &err), -EINVAL);
	assert_string_equal(kt_str_cstr(&err), "p.yaml:3:1: unknown key 'requier'");
	kt_yaml_doc_release(&doc);
	kt_str_free(&err);
}

static void test_yaml_syntax_error_names_line(void **state)
{
	static const char text[] = "a: 1\nb: [1, 2\nc: 3\n";
	struct kt_yaml_doc doc;
	struct kt_str err = KT_STR_INIT;

	assert_int_equal(kt_yaml_load_string("bad.yaml", text, strlen(text), &doc, &err), -EINVAL);
	assert_null(doc.root);
	assert_true(strncmp(kt_str_cstr(&err), "bad.yaml:", 9) == 0);
	assert_non_null(strstr(kt_str_cstr(&err), ":3:"));
	kt_str_free(&err);
}

static void test_yaml_duplicate_key_rejected(void **state)
{
	static const char text[] = "a: 1\nb: 2\na: 3\n";
	struct kt_yaml_doc doc;
	struct kt_str err = KT_STR_INIT;

	assert_int_equal(kt_yaml_load_string("d.yaml", text, strlen(text), &doc, &err), -EINVAL);
	assert_string_equal(kt_str_cstr(&err), "d.yaml:3:1: duplicate key 'a'");
	kt_str_free(&err);
}

static void test_yaml_missing_file(void **state)
{
	struct kt_yaml_doc doc;
	struct kt_str err = KT_STR_INIT;

	assert_int_equal(kt_yaml_load_file("/nonexistent/k.yaml", &doc, &err), -ENOENT);
	assert_non_null(strstr(kt_str_cstr(&err), "/nonexistent/k.yaml"));
	kt_str_free(&err);
}

/* Every emitted scalar must load back as the same string, never a bool or number. */
static void test_yaml_put_scalar_round_trips(void **state)
{
	static const char *const samples[] = {
		"virtio_net", "AF_INET", "y", "no", "0x10", "12", "", "-v",
		"a: b", "quote\"s", "back\\slash", "line\nbreak", "/dev/null",
		"tab\there", "#comment", "~", NULL,
	};

	for (size_t i = 0; samples[i]; i++) {
		struct kt_str text = KT_STR_INIT, err = KT_STR_INIT;
		struct kt_yaml_doc doc;

		kt_str_puts(&text, "k: ");
		assert_int_equal(kt_yaml_put_scalar(&text, samples[i]), 0);
		assert_int_equal(kt_str_putc(&text, '\n'), 0);	/* and all before it */
		assert_int_equal(kt_yaml_load_string("s.yaml", text.buf, text.len, &doc, &err), 0);
		assert_string_equal(kt_yaml_map_get(doc.root, "k")->scalar, samples[i]);
		/* Ambiguous ones must have been quoted, so consumers see a string. */
		if (!strcmp(samples[i], "y") || !strcmp(samples[i], "12"))
			assert_true(kt_yaml_map_get(doc.root, "k")->quoted);
		kt_yaml_doc_release(&doc);
		kt_str_free(&text);
		kt_str_free(&err);
	}
}

/* 80 KB of '[' used to overflow the stack of the recursive loader. */
static void test_yaml_deep_nesting_refused(void **state)
{
	size_t len = 80 * 1024;
	char *text = malloc(len);
	struct kt_yaml_doc doc;
	struct kt_str err = KT_STR_INIT;

	assert_non_null(text);
	memset(text, '[', len);
	assert_int_equal(kt_yaml_load_string("deep.yaml", text, len, &doc, &err), -EINVAL);
	assert_null(doc.root);
	/* The 65th '[' is the one too many. */
	assert_string_equal(kt_str_cstr(&err),
			    "deep.yaml:1:65: collections nested deeper than 64 levels");
	free(text);
	kt_str_free(&err);
}

/* 64 levels are still fine, maps included. */
static void test_yaml_nesting_at_limit_loads(void **state)
{
	struct kt_str text = KT_STR_INIT, err = KT_STR_INIT;
	struct kt_yaml_doc doc;
	const struct kt_yaml_node *n;
	int depth = 0;

	for (int i = 0; i < 63; i++)
		kt_str_puts(&text, "{a: ");
	kt_str_puts(&text, "[x]");
	for (int i = 0; i < 63; i++)
		kt_str_putc(&text, '}');
	assert_int_equal(kt_str_error(&text), 0);
	assert_int_equal(kt_yaml_load_string("ok.yaml", text.buf, text.len, &doc, &err), 0);
	for (n = doc.root; n->type == KT_YAML_MAP; n = kt_yaml_map_get(n, "a"))
		depth++;
	assert_int_equal(depth, 63);
	assert_int_equal(n->type, KT_YAML_SEQ);
	kt_yaml_doc_release(&doc);
	kt_str_free(&text);
	kt_str_free(&err);
}

static void make_many_keys(struct kt_str *text, size_t n)
{
	for (size_t i = 0; i < n; i++)
		kt_str_printf(text, "key%zu: %zu\n", i, i);
	assert_int_equal(kt_str_error(text), 0);
}

/* Duplicate detection was quadratic: 100k keys took 22 s. */
static void test_yaml_many_keys_load_fast(void **state)
{
	struct kt_str text = KT_STR_INIT, err = KT_STR_INIT;
	struct kt_yaml_doc doc;
	double t0;

	make_many_keys(&text, 100000);
	t0 = kt_clock_now();
	assert_int_equal(kt_yaml_load_string("big.yaml", text.buf, text.len, &doc, &err), 0);
	/* Generous: the test also runs under ASan on a busy machine. */
	assert_true(kt_clock_now() - t0 < 2.0);
	assert_int_equal(doc.root->n, 100000);
	assert_string_equal(kt_yaml_map_get(doc.root, "key99999")->scalar, "99999");
	kt_yaml_doc_release(&doc);

	/* A duplicate at the very end is still found, with its position. */
	kt_str_puts(&text, "key4242: again\n");
	assert_int_equal(kt_yaml_load_string("big.yaml", text.buf, text.len, &doc, &err), -EINVAL);
	assert_string_equal(kt_str_cstr(&err), "big.yaml:100001:1: duplicate key 'key4242'");
	kt_str_free(&text);
	kt_str_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_yaml_tree_with_positions),
		cmocka_unit_test(test_yaml_unknown_key_names_position),
		cmocka_unit_test(test_yaml_syntax_error_names_line),
		cmocka_unit_test(test_yaml_duplicate_key_rejected),
		cmocka_unit_test(test_yaml_missing_file),
		cmocka_unit_test(test_yaml_put_scalar_round_trips),
		cmocka_unit_test(test_yaml_deep_nesting_refused),
		cmocka_unit_test(test_yaml_nesting_at_limit_loads),
		cmocka_unit_test(test_yaml_many_keys_load_fast),
	};
	return cmocka_run_group_tests_name("common-yaml", tests, NULL, NULL);
}

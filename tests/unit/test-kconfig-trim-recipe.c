// SPDX-License-Identifier: GPL-2.0-only
/* Recipe loading: includes, cycles, items, errors with positions. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/common.h"
#include "kconfig-trim/kconfig.h"

#define RDIR KT_FIXTURES "/trim/recipes"

static const struct kconf_recipe *nth(const struct kconf_recipe_set *s, size_t i)
{
	assert_true(i < s->recipes.len);
	return kt_array_ptr(&s->recipes, i);
}

static void test_includes_in_order_once(void **state)
{
	struct kconf_recipe_set s;
	struct kt_str err = KT_STR_INIT;
	const struct kconf_recipe *g;
	const struct kconf_req *q;

	kconf_recipe_set_init(&s);
	assert_int_equal(kconf_recipe_set_load(&s, RDIR, "good", &err), 0);
	/* a (once, though b includes it too), b, then good itself */
	assert_int_equal(s.recipes.len, 3);
	assert_string_equal(nth(&s, 0)->name, "a");
	assert_string_equal(nth(&s, 1)->name, "b");
	g = nth(&s, 2);
	assert_string_equal(g->name, "good");
	assert_true(g->modules_set);
	assert_int_equal(kconf_recipe_set_modules(&s), KCONF_MODULES_AS_NEEDED);
	assert_int_equal(g->require.len, 4);
	q = kt_array_at(&g->require, 0);
	assert_int_equal(q->kind, KCONF_REQ_SYMBOL);
	assert_string_equal(q->sym, "VIRTIO_NET");
	assert_null(q->value);
	assert_string_equal(q->origin, "recipe good");
	assert_non_null(strstr(q->where, "targets/good.yaml:7:5"));
	q = kt_array_at(&g->require, 1);
	assert_string_equal(q->sym, "NR_CPUS");
	assert_string_equal(q->value, "4");
	q = kt_array_at(&g->require, 2);
	assert_int_equal(q->kind, KCONF_REQ_FEATURE);
	assert_int_equal(q->feat, KCONF_FEAT_SOCKET);
	assert_string_equal(q->name, "AF_INET6");
	/* netfilter facts are module names */
	q = kt_array_at(&g->require, 3);
	assert_int_equal(q->feat, KCONF_FEAT_MODULE);
	assert_string_equal(q->name, "nf_tables");
	assert_int_equal(g->forbid.len, 2);
	q = kt_array_at(&g->forbid, 1);
	assert_int_equal(q->feat, KCONF_FEAT_FILESYSTEM);
	/* boot: is not the trimmer's (pipeline/target.c reads it) but stays in doc */
	assert_non_null(kt_yaml_map_get(g->doc.root, "boot"));
	/* loading the same recipe again adds nothing */
	assert_int_equal(kconf_recipe_set_load(&s, RDIR, "targets/good.yaml", &err), 0);
	assert_int_equal(s.recipes.len, 3);
	kconf_recipe_set_release(&s);
	kt_str_free(&err);
}

static void expect_error(const char *what, const char *text)
{
	struct kconf_recipe_set s;
	struct kt_str err = KT_STR_INIT;

	kconf_recipe_set_init(&s);
	assert_int_equal(kconf_recipe_set_load(&s, RDIR, what, &err), -EINVAL);
	if (!strstr(kt_str_cstr(&err), text))
		fail_msg("'%s' not in '%s'", text, kt_str_cstr(&err));
	assert_int_equal(s.recipes.len, 0);
	kconf_recipe_set_release(&s);
	kt_str_free(&err);
}

static void test_errors_name_file_line_col(void **state)
{
	expect_error("badkey", "targets/badkey.yaml:4:1: ");
	expect_error("badkey", "requires");
	expect_error("baditem", "targets/baditem.yaml:5:5: unknown feature kind 'gadget'");
	expect_error("badsym", "targets/badsym.yaml:4:5: expected CONFIG_NAME");
	expect_error("cycle", "bases/cyc2.yaml:4:5: include cycle:");
	expect_error("cycle", "cyc1.yaml -> ");
}

static void test_missing_recipe(void **state)
{
	struct kconf_recipe_set s;
	struct kt_str err = KT_STR_INIT;

	kconf_recipe_set_init(&s);
	assert_int_equal(kconf_recipe_set_load(&s, RDIR, "nosuch", &err), -ENOENT);
	assert_non_null(strstr(kt_str_cstr(&err), "no recipe 'nosuch'"));
	kconf_recipe_set_release(&s);
	kt_str_free(&err);
}

static void test_shipped_recipes_load(void **state)
{
	static const char *const targets[] = {
		"kvm-q35", "kvm-microvm", "hyperv-gen1", "hyperv-gen2", "lcow",
	};

	for (size_t i = 0; i < KT_ARRAY_SIZE(targets); i++) {
		struct kconf_recipe_set s;
		struct kt_str err = KT_STR_INIT;
		const struct kconf_recipe *top;
		bool container = false, hardening = false;

		kconf_recipe_set_init(&s);
		if (kconf_recipe_set_load(&s, KT_SRCDIR "/recipes", targets[i], &err) < 0)
			fail_msg("%s: %s", targets[i], kt_str_cstr(&err));
		top = nth(&s, s.recipes.len - 1);
		assert_string_equal(top->name, targets[i]);
		for (size_t j = 0; j < s.recipes.len; j++) {
			container |= strcmp(nth(&s, j)->name, "container") == 0;
			hardening |= strcmp(nth(&s, j)->name, "hardening") == 0;
		}
		assert_true(container && hardening);
		kconf_recipe_set_release(&s);
		kt_str_free(&err);
	}
}

static void test_alternatives_and_optional(void **state)
{
	struct kconf_recipe_set s;
	struct kt_str err = KT_STR_INIT, d = KT_STR_INIT;
	const struct kconf_recipe *v;
	const struct kconf_req *q;

	kconf_recipe_set_init(&s);
	assert_int_equal(kconf_recipe_set_load(&s, RDIR, "versions", &err), 0);
	v = nth(&s, 0);
	assert_int_equal(v->require.len, 3);
	q = kt_array_at(&v->require, 0);
	assert_string_equal(q->sym, "MITIGATION_RETPOLINE");
	assert_int_equal(q->alts.len, 1);
	assert_string_equal(kt_array_ptr(&q->alts, 0), "VIRTIO_NET");
	assert_false(q->optional);
	q = kt_array_at(&v->require, 1);
	assert_string_equal(q->value, "4");
	kconf_req_describe(q, &d);
	assert_string_equal(kt_str_cstr(&d), "CONFIG_NR_CPUS=4 | CONFIG_MAX_CPUS");
	q = kt_array_at(&v->require, 2);
	assert_true(q->optional);
	assert_string_equal(q->reason, "only newer kernels have it");
	assert_int_equal(q->alts.len, 1);
	kconf_recipe_set_release(&s);
	kt_str_free(&err);
	kt_str_free(&d);
	expect_error("noreason", "targets/noreason.yaml:4:5: an optional requirement needs a reason");
	expect_error("badalt", "targets/badalt.yaml:4:5: expected CONFIG_NAME[=value] [| CONFIG_OTHER_NAME...]");
}

static void test_req_parsing(void **state)
{
	struct kconf_req q;
	struct kt_str d = KT_STR_INIT;

	assert_int_equal(kconf_req_init_symbol(&q, "CONFIG_CMDLINE=\"a b\"", "x", NULL), 0);
	assert_string_equal(q.sym, "CMDLINE");
	assert_string_equal(q.value, "a b");
	kconf_req_describe(&q, &d);
	assert_string_equal(kt_str_cstr(&d), "CONFIG_CMDLINE=a b");
	kconf_req_release(&q);
	assert_int_equal(kconf_req_init_symbol(&q, "CONFIG_=y", "x", NULL), -EINVAL);
	assert_int_equal(kconf_req_init_symbol(&q, "CONFIG_A-B", "x", NULL), -EINVAL);
	/* a '|' inside a quoted value is no alternative */
	assert_int_equal(kconf_req_init_symbol(&q, "CONFIG_CMDLINE=\"a|b\"", "x", NULL), 0);
	assert_string_equal(q.value, "a|b");
	assert_int_equal(q.alts.len, 0);
	kconf_req_release(&q);
	assert_int_equal(kconf_req_init_symbol(&q, "CONFIG_A |", "x", NULL), -EINVAL);
	kt_str_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_includes_in_order_once),
		cmocka_unit_test(test_errors_name_file_line_col),
		cmocka_unit_test(test_missing_recipe),
		cmocka_unit_test(test_shipped_recipes_load),
		cmocka_unit_test(test_alternatives_and_optional),
		cmocka_unit_test(test_req_parsing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

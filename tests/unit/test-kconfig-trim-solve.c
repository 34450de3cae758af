// SPDX-License-Identifier: GPL-2.0-only
/*
 * The solver on the fixture tree (tests/fixtures/trim/tree/Kconfig): ||
 * branch choice, choice groups, select chains, defaults, conflicts with
 * both chains, modules as-needed, values, reasons, explain, the report.
 * And on tests/fixtures/trim/expert: a plan that turns EXPERT on makes
 * options that were on by `default y` behind `if EXPERT` prompts user n, so
 * requirements met by those defaults must be planned again as values, and
 * what still misses after the final resolve must be reported.
 */
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
#include "kconfig-trim/kconfig.h"

#define TREE KT_FIXTURES "/trim/tree"
#define TREE_EXPERT KT_FIXTURES "/trim/expert"

struct fix {
	struct kconf_tree *tree;
	struct kconf_featmap *fm;
	struct kconf_trim *t;
	struct kt_str err;
};

static int setup_tree(void **state, const char *dir)
{
	struct kconf_load_opts lo = { .arch = "x86_64", .kernelversion = "6.1.0",
				      .cache_dir = "" };
	struct fix *f = calloc(1, sizeof(*f));
	struct kt_str err = KT_STR_INIT;

	assert_non_null(f);
	/* before the scan: the expert fixture has no socket.h, cgroup_subsys.h */
	kt_log_set_level(KT_LOG_ERR);
	if (kconf_tree_load(dir, &lo, &f->tree, &err) < 0)
		fail_msg("%s", kt_str_cstr(&err));
	assert_int_equal(kconf_featmap_scan(dir, "x86", &f->fm), 0);
	assert_int_equal(kconf_trim_new(f->tree, f->fm, &f->t), 0);
	kt_str_free(&err);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_tree(state, TREE);
}

static int setup_expert(void **state)
{
	return setup_tree(state, TREE_EXPERT);
}

static int teardown(void **state)
{
	struct fix *f = *state;

	kconf_trim_free(f->t);
	kconf_featmap_free(f->fm);
	kconf_tree_free(f->tree);
	kt_str_free(&f->err);
	free(f);
	kt_log_set_level(KT_LOG_INFO);
	return 0;
}

static void req_to(struct kconf_trim *t, const char *text)
{
	struct kconf_req q;
	const char *colon = strchr(text, ':');

	if (colon) {
		char kind[32];
		enum kconf_feat_kind k;

		snprintf(kind, sizeof(kind), "%.*s", (int)(colon - text), text);
		assert_int_equal(kconf_feat_kind_parse(kind, &k), 0);
		assert_int_equal(kconf_req_init_feature(&q, k, colon + 1, "recipe test", NULL), 0);
	} else {
		assert_int_equal(kconf_req_init_symbol(&q, text, "recipe test", NULL), 0);
	}
	assert_int_equal(kconf_trim_require(t, &q), 0);
	kconf_req_release(&q);
}

static void req(struct fix *f, const char *text)
{
	req_to(f->t, text);
}

static void forbid(struct fix *f, const char *text)
{
	struct kconf_req q;

	assert_int_equal(kconf_req_init_symbol(&q, text, "recipe nonet", NULL), 0);
	assert_int_equal(kconf_trim_forbid(f->t, &q), 0);
	kconf_req_release(&q);
}

static int solve(struct fix *f, enum kconf_modules_policy mod)
{
	struct kconf_trim_opts o = { .base = NULL, .modules = mod };

	kt_str_reset(&f->err);
	return kconf_trim_solve(f->t, &o, &f->err);
}

static const char *val(struct fix *f, const char *name)
{
	struct kconf_sym *s = kconf_sym_lookup(f->tree, name);

	assert_non_null(s);
	return kconf_sym_value(s);
}

static const char *why(struct fix *f, const char *name, const char **via)
{
	const char *t = kconf_reasons_text(kconf_trim_reasons(f->t), name, via);

	assert_non_null(t);
	return t;
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("'%s' not found in:\n%s", needle, hay);
}

static void test_or_branch_cheapest(void **state)
{
	struct fix *f = *state;
	const char *via;

	req(f, "CONFIG_VIRTIO_NET");
	assert_int_equal(solve(f, KCONF_MODULES_BUILTIN), 0);
	assert_string_equal(val(f, "VIRTIO_NET"), "y");
	/* VIRTIO_MMIO needs one symbol, VIRTIO_PCI two (itself and PCI) */
	assert_string_equal(val(f, "VIRTIO_MMIO"), "y");
	assert_string_equal(val(f, "VIRTIO_PCI"), "n");
	assert_string_equal(val(f, "PCI"), "n");
	assert_string_equal(val(f, "VIRTIO"), "y");
	assert_string_equal(why(f, "VIRTIO_NET", &via), "required by recipe test");
	assert_null(via);
	assert_string_equal(why(f, "NET", &via), "dependency of CONFIG_VIRTIO_NET");
	assert_string_equal(via, "VIRTIO_NET");
	assert_string_equal(why(f, "VIRTIO", &via), "selected by CONFIG_VIRTIO_MMIO");
	/* unrelated prompts stay off: allnoconfig is the base */
	assert_string_equal(val(f, "PROC_FS"), "n");
	/* a promptless default follows its dependency */
	assert_string_equal(val(f, "NET_RX_BUSY_POLL"), "y");
	assert_string_equal(why(f, "NET_RX_BUSY_POLL", NULL), "default");
}

static void test_or_branch_already_on(void **state)
{
	struct fix *f = *state;

	req(f, "CONFIG_VIRTIO_PCI");
	req(f, "CONFIG_VIRTIO_NET");
	assert_int_equal(solve(f, KCONF_MODULES_BUILTIN), 0);
	assert_string_equal(val(f, "VIRTIO_NET"), "y");
	assert_string_equal(val(f, "VIRTIO_PCI"), "y");
	assert_string_equal(val(f, "PCI"), "y");
	assert_string_equal(val(f, "VIRTIO_MMIO"), "n");
}

static void test_select_chain_to_promptless(void **state)
{
	struct fix *f = *state;
	const char *via;

	/* CRC32 has no prompt: only a selector can turn it on */
	req(f, "CONFIG_CRC32");
	assert_int_equal(solve(f, KCONF_MODULES_BUILTIN), 0);
	assert_string_equal(val(f, "CRC32"), "y");
	assert_string_equal(val(f, "LIBCRC32C"), "y");
	assert_string_equal(val(f, "OVERLAY_FS"), "y");
	assert_string_equal(why(f, "OVERLAY_FS", &via), "selects CONFIG_LIBCRC32C");
	assert_string_equal(via, "LIBCRC32C");
	assert_string_equal(why(f, "CRC32", NULL), "required by recipe test");
	/* nothing else came along */
	assert_string_equal(val(f, "EXT4_FS"), "n");
}

static void test_choice_groups(void **state)
{
	struct fix *f = *state;

	req(f, "CONFIG_KERNEL_ZSTD");
	assert_int_equal(solve(f, KCONF_MODULES_BUILTIN), 0);
	assert_string_equal(val(f, "KERNEL_ZSTD"), "y");
	assert_string_equal(val(f, "KERNEL_GZIP"), "n");
}

static void test_choice_default_kept(void **state)
{
	struct fix *f = *state;

	req(f, "CONFIG_NET");
	assert_int_equal(solve(f, KCONF_MODULES_BUILTIN), 0);
	assert_string_equal(val(f, "KERNEL_GZIP"), "y");
	assert_string_equal(why(f, "KERNEL_GZIP", NULL), "choice default");
}

static void test_choice_conflict(void **state)
{
	struct fix *f = *state;

	req(f, "CONFIG_KERNEL_GZIP");
	req(f, "CONFIG_KERNEL_ZSTD");
	assert_int_equal(solve(f, KCONF_MODULES_BUILTIN), -EINVAL);
	assert_contains(kt_str_cstr(&f->err), "conflict on CONFIG_KERNEL_GZIP");
	assert_contains(kt_str_cstr(&f->err), "same choice as CONFIG_KERNEL_ZSTD");
}

static void test_conflict_both_chains(void **state)
{
	struct fix *f = *state;
	const char *e;

	forbid(f, "CONFIG_NET");
	req(f, "socket:AF_INET6");
	assert_int_equal(solve(f, KCONF_MODULES_BUILTIN), -EINVAL);
	e = kt_str_cstr(&f->err);
	assert_contains(e, "conflict on CONFIG_NET");
	/* the chain that needs it ... */
	assert_contains(e, "needed: CONFIG_NET");
	assert_contains(e, "required by recipe test (socket family AF_INET6)");
	/* ... and the chain that forbids it */
	assert_contains(e, "off:    CONFIG_NET (forbidden by recipe nonet (CONFIG_NET))");
	assert_string_equal(val(f, "NET"), "n");
}

static void test_conflict_negative_dependency(void **state)
{
	struct fix *f = *state;
	const char *e;

	req(f, "CONFIG_UNIX98_PTYS");
	req(f, "CONFIG_LEGACY_PTYS");
	assert_int_equal(solve(f, KCONF_MODULES_BUILTIN), -EINVAL);
	e = kt_str_cstr(&f->err);
	assert_contains(e, "conflict on CONFIG_LEGACY_PTYS");
	/* both chains, in either order of the requirements */
	assert_contains(e, "needed: CONFIG_LEGACY_PTYS (required by recipe test)");
	assert_contains(e, "off:    CONFIG_LEGACY_PTYS (must be off for CONFIG_UNIX98_PTYS) <- "
			   "CONFIG_UNIX98_PTYS (required by recipe test)");
}

static void test_features_and_modules(void **state)
{
	struct fix *f = *state;

	req(f, "module:ipv6");
	req(f, "namespace:net");
	req(f, "cgroup:memory");
	req(f, "syscall:sendfile64");
	assert_int_equal(solve(f, KCONF_MODULES_AS_NEEDED), 0);
	assert_string_equal(val(f, "IPV6"), "m");
	assert_string_equal(val(f, "MODULES"), "y");
	assert_string_equal(val(f, "INET"), "y");
	assert_string_equal(val(f, "NET_NS"), "y");
	assert_string_equal(val(f, "NAMESPACES"), "y");
	assert_string_equal(val(f, "MEMCG"), "y");
	assert_string_equal(why(f, "MEMCG", NULL),
			    "required by recipe test (cgroup controller memory)");
	assert_string_equal(why(f, "MODULES", NULL), "modules for IPV6");
}

static void test_selected_needs_no_modules(void **state)
{
	struct fix *f = *state;

	/* CRC32 will be y through OVERLAY_FS -> LIBCRC32C: no module needed */
	req(f, "CONFIG_OVERLAY_FS");
	req(f, "CONFIG_CRC32=m");
	assert_int_equal(solve(f, KCONF_MODULES_AS_NEEDED), 0);
	assert_string_equal(val(f, "CRC32"), "y");
	assert_string_equal(val(f, "MODULES"), "n");
	assert_string_equal(why(f, "CRC32", NULL), "required by recipe test");
}

static void test_values(void **state)
{
	struct fix *f = *state;

	req(f, "CONFIG_NR_CPUS=4");
	assert_int_equal(solve(f, KCONF_MODULES_BUILTIN), 0);
	assert_string_equal(val(f, "NR_CPUS"), "4");
}

static void test_value_out_of_range(void **state)
{
	struct fix *f = *state;

	req(f, "CONFIG_NR_CPUS=4096");
	assert_int_equal(solve(f, KCONF_MODULES_BUILTIN), -EINVAL);
	/* conf does not take a value outside the range */
	assert_contains(kt_str_cstr(&f->err), "CONFIG_NR_CPUS wanted 4096, got ");
}

/* Facts the tree lacks are summarised in one warning; they name no option to lose. */
static void test_unknown_feature_warns(void **state)
{
	struct fix *f = *state;
	struct kconf_trim_opts strict = { .strict = true };

	req(f, "filesystem:btrfs");
	req(f, "socket:AF_NOSUCH");
	assert_int_equal(solve(f, KCONF_MODULES_BUILTIN), 0);
	assert_int_equal(kconf_trim_nwarnings(f->t), 1);
	assert_contains(kconf_trim_warning(f->t, 0), "2 facts name nothing in this tree");
	assert_contains(kconf_trim_warning(f->t, 0), "filesystem btrfs (recipe test)");
	assert_contains(kconf_trim_warning(f->t, 0), "AF_NOSUCH");
	/* --strict: the same facts fail the solve */
	kt_str_reset(&f->err);
	assert_int_equal(kconf_trim_solve(f->t, &strict, &f->err), -EINVAL);
	assert_contains(kt_str_cstr(&f->err), "2 facts name nothing in this tree (--strict)");
}

/* A required symbol the tree lacks fails the solve: never a dropped option. */
static void test_missing_symbol_fails(void **state)
{
	struct fix *f = *state;

	req(f, "CONFIG_VIRTIO_NET");
	req(f, "CONFIG_NO_SUCH_SYMBOL");
	assert_int_equal(solve(f, KCONF_MODULES_BUILTIN), -EINVAL);
	assert_contains(kt_str_cstr(&f->err), "CONFIG_NO_SUCH_SYMBOL");
	assert_contains(kt_str_cstr(&f->err), "not defined in this tree");
}

/* Renamed symbols: the first name the tree defines is the one required. */
static void test_alternatives(void **state)
{
	struct fix *f = *state;

	req(f, "CONFIG_MITIGATION_RETPOLINE | CONFIG_VIRTIO_NET");
	req(f, "CONFIG_NR_CPUS=4 | CONFIG_MAX_CPUS");
	assert_int_equal(solve(f, KCONF_MODULES_BUILTIN), 0);
	assert_string_equal(val(f, "VIRTIO_NET"), "y");
	assert_string_equal(val(f, "NR_CPUS"), "4");
	assert_int_equal(kconf_trim_nwarnings(f->t), 0);
}

static void test_alternatives_all_missing(void **state)
{
	struct fix *f = *state;

	req(f, "CONFIG_MITIGATION_RETPOLINE | CONFIG_RETPOLINE");
	assert_int_equal(solve(f, KCONF_MODULES_BUILTIN), -EINVAL);
	assert_contains(kt_str_cstr(&f->err),
			"CONFIG_MITIGATION_RETPOLINE | CONFIG_RETPOLINE (recipe test): "
			"not defined in this tree under any of its names");
}

/* From recipes: the failure names the recipe's file:line:col. */
static void test_recipe_missing_symbol_names_file_line(void **state)
{
	struct fix *f = *state;
	struct kconf_recipe_set rs;

	kconf_recipe_set_init(&rs);
	assert_int_equal(kconf_recipe_set_load(&rs, KT_FIXTURES "/trim/recipes", "missing",
					       &f->err), 0);
	assert_int_equal(kconf_trim_add_recipes(f->t, &rs), 0);
	assert_int_equal(solve(f, KCONF_MODULES_BUILTIN), -EINVAL);
	assert_contains(kt_str_cstr(&f->err), "targets/missing.yaml:6:5: "
			"CONFIG_MITIGATION_SOMETHING | CONFIG_SOMETHING (recipe missing)");
	kconf_recipe_set_release(&rs);
}

/* An optional requirement the tree lacks is skipped, with its reason logged. */
static void test_optional_skipped(void **state)
{
	struct fix *f = *state;
	struct kconf_recipe_set rs;

	kconf_recipe_set_init(&rs);
	assert_int_equal(kconf_recipe_set_load(&rs, KT_FIXTURES "/trim/recipes", "versions",
					       &f->err), 0);
	assert_int_equal(kconf_trim_add_recipes(f->t, &rs), 0);
	assert_int_equal(solve(f, KCONF_MODULES_BUILTIN), 0);
	assert_string_equal(val(f, "VIRTIO_NET"), "y");
	assert_string_equal(val(f, "NR_CPUS"), "4");
	assert_int_equal(kconf_trim_nwarnings(f->t), 0);
	kconf_recipe_set_release(&rs);
}

/* Module facts that are aliases enable their module; only unknown ones warn. */
static void test_module_alias(void **state)
{
	struct fix *f = *state;

	req(f, "module:ipt_REDIRECT");
	req(f, "module:nfnetlink-subsys-10");
	req(f, "module:net-pf-99");
	assert_int_equal(solve(f, KCONF_MODULES_BUILTIN), 0);
	assert_string_equal(val(f, "NETFILTER_XT_TARGET_REDIRECT"), "y");
	assert_string_equal(val(f, "NF_TABLES"), "y");
	assert_string_equal(val(f, "NETFILTER"), "y");
	assert_int_equal(kconf_trim_nwarnings(f->t), 1);
	assert_contains(kconf_trim_warning(f->t, 0), "module net-pf-99");
	assert_contains(kconf_trim_warning(f->t, 0), "name nothing in this tree");
}

static void test_explain(void **state)
{
	struct fix *f = *state;
	struct kt_str out = KT_STR_INIT;
	const char *o;

	req(f, "CONFIG_CRC32");
	req(f, "CONFIG_VIRTIO_NET");
	assert_int_equal(solve(f, KCONF_MODULES_BUILTIN), 0);
	/* with the solver's reasons: the chain reaches the requirement */
	assert_int_equal(kconf_explain(f->tree, kconf_trim_reasons(f->t), "CONFIG_VIRTIO", &out), 0);
	o = kt_str_cstr(&out);
	assert_contains(o, "CONFIG_VIRTIO=y (bool, Kconfig:");
	assert_contains(o, "CONFIG_VIRTIO=y: selected by CONFIG_VIRTIO_MMIO");
	assert_contains(o, "<- CONFIG_VIRTIO_MMIO=y: dependency of CONFIG_VIRTIO_NET");
	assert_contains(o, "<- CONFIG_VIRTIO_NET=y: required by recipe test");
	/* an off symbol: its unmet dependency */
	kt_str_reset(&out);
	assert_int_equal(kconf_explain(f->tree, NULL, "VIRTIO_PCI", &out), 0);
	o = kt_str_cstr(&out);
	assert_contains(o, "CONFIG_VIRTIO_PCI=n");
	assert_contains(o, "CONFIG_VIRTIO_PCI=n (Kconfig:");
	assert_contains(o, "depends on PCI, which is n\n");
	assert_contains(o, "  <- CONFIG_PCI=n (Kconfig:");
	assert_contains(o, "set n in the config and nothing selects it");
	/* an off symbol with a visible prompt */
	kt_str_reset(&out);
	assert_int_equal(kconf_explain(f->tree, NULL, "PROC_FS", &out), 0);
	assert_contains(kt_str_cstr(&out), "set n in the config and nothing selects it");
	/* a promptless one: its selectors */
	kt_str_reset(&out);
	assert_int_equal(kconf_explain(f->tree, NULL, "CRC16", &out), 0);
	assert_contains(kt_str_cstr(&out), "selectors (all off or their condition n): CONFIG_EXT4_FS");
	assert_int_equal(kconf_explain(f->tree, NULL, "NOPE", &out), -ENOENT);
	kt_str_free(&out);
}

/*
 * explain for a symbol that is off gives the whole chain: each unmet
 * dependency and why it is off in turn, down to the recipe that forbids
 * it (file:line) or the `!X` that holds it; the same from the report.
 */
static void test_explain_off_chain(void **state)
{
	struct fix *f = *state;
	char dir[] = "/tmp/ktrim-explain-XXXXXX";
	struct kt_str out = KT_STR_INIT, rep = KT_STR_INIT, err = KT_STR_INIT;
	struct kconf_reasons *rs = kconf_reasons_new();
	struct kconf_req q;
	const char *const want[] = {
		"CONFIG_IPV6=n (tristate, Kconfig:",
		"what keeps it off:\n  CONFIG_IPV6=n (Kconfig:",
		"): depends on INET, which is n\n",
		"\n    <- CONFIG_INET=n (Kconfig:",
		"): depends on NET, which is n\n",
		"\n      <- CONFIG_NET=n (Kconfig:",
		"): forbidden by recipe nonet (CONFIG_NET, recipes/bases/nonet.yaml:7:5)\n",
	};

	assert_int_equal(kconf_req_init_symbol(&q, "CONFIG_NET", "recipe nonet",
					       "recipes/bases/nonet.yaml:7:5"), 0);
	assert_int_equal(kconf_trim_forbid(f->t, &q), 0);
	kconf_req_release(&q);
	req(f, "CONFIG_ORD_FOO");
	req(f, "CONFIG_PROC_FS");
	assert_int_equal(solve(f, KCONF_MODULES_BUILTIN), 0);
	assert_int_equal(kconf_explain(f->tree, kconf_trim_reasons(f->t), "IPV6", &out), 0);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_contains(kt_str_cstr(&out), want[i]);
	/* a `!X` the solver walked: NEEDS_X is off because FOO holds X off */
	kt_str_reset(&out);
	assert_int_equal(kconf_explain(f->tree, kconf_trim_reasons(f->t), "ORD_NEEDS_X", &out), 0);
	assert_contains(kt_str_cstr(&out), "): depends on ORD_X, which is n\n");
	assert_contains(kt_str_cstr(&out), "<- CONFIG_ORD_X=n (Kconfig:");
	assert_contains(kt_str_cstr(&out), "): kept off: CONFIG_ORD_FOO depends on !ORD_X\n");
	/* the same chain from the report, as `ktrim explain --report` reads it */
	assert_non_null(mkdtemp(dir));
	assert_int_equal(kt_str_printf(&rep, "%s/report.yaml", dir), 0);
	assert_int_equal(kconf_trim_report_write(f->t, kt_str_cstr(&rep)), 0);
	assert_int_equal(kconf_reasons_load_report(rs, kt_str_cstr(&rep), &err), 0);
	kt_str_reset(&out);
	assert_int_equal(kconf_explain(f->tree, rs, "IPV6", &out), 0);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_contains(kt_str_cstr(&out), want[i]);
	unlink(kt_str_cstr(&rep));
	rmdir(dir);
	kconf_reasons_free(rs);
	kt_str_free(&out);
	kt_str_free(&rep);
	kt_str_free(&err);
}

static void test_report_and_fixpoint(void **state)
{
	struct fix *f = *state;
	char dir[] = "/tmp/ktrim-solve-XXXXXX";
	struct kt_str rep = KT_STR_INIT, cfg = KT_STR_INIT, a = KT_STR_INIT, b = KT_STR_INIT;
	struct kt_str err = KT_STR_INIT;
	struct kconf_reasons *rs = kconf_reasons_new();
	const char *via;
	char *text;
	size_t len;

	req(f, "CONFIG_VIRTIO_NET");
	req(f, "socket:AF_UNIX");
	assert_int_equal(solve(f, KCONF_MODULES_BUILTIN), 0);
	assert_non_null(mkdtemp(dir));
	assert_int_equal(kt_str_printf(&rep, "%s/report.yaml", dir), 0);
	assert_int_equal(kt_str_printf(&cfg, "%s/config", dir), 0);
	assert_int_equal(kconf_trim_report_write(f->t, kt_str_cstr(&rep)), 0);
	assert_int_equal(kt_read_file(kt_str_cstr(&rep), &text, &len), 0);
	assert_contains(text, "before: {y: ");
	assert_contains(text, "{what: \"socket AF_UNIX\", from: \"recipe test\", "
			      "symbols: [CONFIG_NET, CONFIG_UNIX], defined-at: \"net/unix/af_unix.c:2\"}");
	free(text);
	assert_int_equal(kconf_reasons_load_report(rs, kt_str_cstr(&rep), &err), 0);
	assert_string_equal(kconf_reasons_text(rs, "CONFIG_VIRTIO", &via),
			    "selected by CONFIG_VIRTIO_MMIO");
	assert_string_equal(via, "VIRTIO_MMIO");
	/* the written config is a fixpoint: reading it back changes nothing */
	assert_int_equal(kconf_config_format(f->tree, &a), 0);
	assert_int_equal(kconf_config_write(f->tree, kt_str_cstr(&cfg)), 0);
	assert_int_equal(kconf_config_read(f->tree, kt_str_cstr(&cfg), &err), 0);
	assert_int_equal(kconf_config_format(f->tree, &b), 0);
	assert_string_equal(kt_str_cstr(&a), kt_str_cstr(&b));
	unlink(kt_str_cstr(&rep));
	unlink(kt_str_cstr(&cfg));
	rmdir(dir);
	kconf_reasons_free(rs);
	kt_str_free(&rep);
	kt_str_free(&cfg);
	kt_str_free(&a);
	kt_str_free(&b);
	kt_str_free(&err);
}

/* ---- order independence (issue 18) ------------------------------------------ */

/* Solve @reqs (NULL-terminated) in a fresh trim of @f's tree; the .config text. */
static int solve_list(struct fix *f, const char *const *reqs, unsigned long seed,
		      struct kt_str *config, struct kt_str *err)
{
	struct kconf_trim_opts o = { .modules = KCONF_MODULES_BUILTIN, .shuffle_seed = seed };
	struct kconf_trim *t;
	int r;

	assert_int_equal(kconf_trim_new(f->tree, f->fm, &t), 0);
	for (size_t i = 0; reqs[i]; i++)
		req_to(t, reqs[i]);
	kt_str_reset(err);
	kt_str_reset(config);
	r = kconf_trim_solve(t, &o, err);
	if (r == 0)
		assert_int_equal(kconf_config_format(f->tree, config), 0);
	kconf_trim_free(t);
	return r;
}

/* Every order of @reqs gives the same config as the first (which must solve). */
static void assert_same_in_any_order(struct fix *f, const char *const *reqs)
{
	struct kt_str want = KT_STR_INIT, got = KT_STR_INIT, err = KT_STR_INIT;

	if (solve_list(f, reqs, 0, &want, &err) != 0)
		fail_msg("%s", kt_str_cstr(&err));
	for (unsigned long seed = 1; seed <= 8; seed++) {
		if (solve_list(f, reqs, seed, &got, &err) != 0)
			fail_msg("seed %lu: %s", seed, kt_str_cstr(&err));
		if (strcmp(kt_str_cstr(&want), kt_str_cstr(&got)) != 0)
			fail_msg("seed %lu gives another config", seed);
	}
	kt_str_free(&want);
	kt_str_free(&got);
	kt_str_free(&err);
}

/* Require @a and @b in both orders: both solve, to the same config (@out). */
static void solve_pair(struct fix *f, const char *a, const char *b, struct kt_str *out)
{
	struct kt_str other = KT_STR_INIT, err = KT_STR_INIT;

	if (solve_list(f, (const char *const[]){ b, a, NULL }, 0, &other, &err) != 0)
		fail_msg("%s then %s: %s", b, a, kt_str_cstr(&err));
	if (solve_list(f, (const char *const[]){ a, b, NULL }, 0, out, &err) != 0)
		fail_msg("%s then %s: %s", a, b, kt_str_cstr(&err));
	assert_string_equal(kt_str_cstr(out), kt_str_cstr(&other));
	kt_str_free(&other);
	kt_str_free(&err);
}

/*
 * The recorded case: FOO depends on (B && !X) || (C && D). Requiring FOO
 * then X was a false conflict (X held off for FOO's cheaper branch); X
 * then FOO worked. Both orders now give C && D.
 */
static void test_order_recorded_case(void **state)
{
	struct fix *f = *state;
	struct kt_str a = KT_STR_INIT, err = KT_STR_INIT;

	solve_pair(f, "CONFIG_ORD_FOO", "CONFIG_ORD_X", &a);
	assert_contains(kt_str_cstr(&a), "CONFIG_ORD_FOO=y\n");
	assert_contains(kt_str_cstr(&a), "CONFIG_ORD_X=y\n");
	assert_contains(kt_str_cstr(&a), "CONFIG_ORD_C=y\nCONFIG_ORD_D=y\n");
	assert_contains(kt_str_cstr(&a), "# CONFIG_ORD_B is not set\n");
	/* alone, FOO takes the cheaper branch and holds X off */
	if (solve_list(f, (const char *const[]){ "CONFIG_ORD_FOO", NULL }, 0, &a, &err) != 0)
		fail_msg("FOO: %s", kt_str_cstr(&err));
	assert_contains(kt_str_cstr(&a), "CONFIG_ORD_B=y\n");
	assert_contains(kt_str_cstr(&a), "# CONFIG_ORD_X is not set\n");
	kt_str_free(&a);
	kt_str_free(&err);
}

/*
 * X needed through a dependency, not required itself: the first pass
 * holds X off for FOO and meets NEEDS_X's need of it; the next pass pins
 * X on and FOO takes the other branch. Either order, the same config.
 */
static void test_order_learnt_pin(void **state)
{
	struct kt_str a = KT_STR_INIT;

	solve_pair(*state, "CONFIG_ORD_FOO", "CONFIG_ORD_NEEDS_X", &a);
	assert_contains(kt_str_cstr(&a), "CONFIG_ORD_X=y\n");
	assert_contains(kt_str_cstr(&a), "CONFIG_ORD_NEEDS_X=y\n");
	assert_contains(kt_str_cstr(&a), "# CONFIG_ORD_B is not set\n");
	kt_str_free(&a);
}

/*
 * PNP depends on OLDBUS || FIRMWARE, OLDBUS on the choice default NARROW,
 * and WIDE is required: the first pass plans OLDBUS, which the resolved
 * tree drops; the next pass avoids it and takes FIRMWARE. The greedy
 * solver failed here in both orders.
 */
static void test_order_avoid(void **state)
{
	struct fix *f = *state;
	struct kt_str a = KT_STR_INIT;

	solve_pair(f, "CONFIG_ORD_PNP", "CONFIG_ORD_WIDE", &a);
	assert_contains(kt_str_cstr(&a), "CONFIG_ORD_WIDE=y\n");
	assert_contains(kt_str_cstr(&a), "CONFIG_ORD_FIRMWARE=y\nCONFIG_ORD_PNP=y\n");
	assert_contains(kt_str_cstr(&a), "# CONFIG_ORD_NARROW is not set\n");
	/* explain follows OLDBUS's dependency into the choice */
	kt_str_reset(&a);
	assert_int_equal(kconf_explain(f->tree, NULL, "ORD_OLDBUS", &a), 0);
	assert_contains(kt_str_cstr(&a), "): depends on ORD_NARROW, which is n\n");
	assert_contains(kt_str_cstr(&a), "<- CONFIG_ORD_NARROW=n (Kconfig:");
	assert_contains(kt_str_cstr(&a), "another member of its choice is selected: CONFIG_ORD_WIDE\n");
	kt_str_free(&a);
}

/* Shuffled lists of much that the fixture tree offers: one answer. */
static void test_order_shuffled(void **state)
{
	assert_same_in_any_order(*state, (const char *const[]){
		"CONFIG_ORD_FOO", "CONFIG_ORD_NEEDS_X", "CONFIG_VIRTIO_NET", "socket:AF_UNIX",
		"socket:AF_INET6", "CONFIG_KERNEL_ZSTD", "CONFIG_UNIX98_PTYS", "CONFIG_CRC32",
		"module:ipv6", "namespace:net", "cgroup:memory", "syscall:sendfile64",
		"filesystem:proc", "CONFIG_OVERLAY_FS", "CONFIG_NR_CPUS=4", "CONFIG_ORD_PNP",
		"CONFIG_ORD_WIDE", NULL });
	/* a real conflict stays one in every order, with the same text */
	{
		struct fix *f = *state;
		struct kt_str first = KT_STR_INIT, cfg = KT_STR_INIT, err = KT_STR_INIT;
		/* PNP and WIDE take a second pass: it plans from the base again */
		const char *const conflicting[] = { "CONFIG_ORD_FOO", "CONFIG_UNIX98_PTYS",
						    "CONFIG_LEGACY_PTYS", "CONFIG_VIRTIO_NET",
						    "CONFIG_ORD_PNP", "CONFIG_ORD_WIDE", NULL };

		assert_int_equal(solve_list(f, conflicting, 0, &cfg, &first), -EINVAL);
		assert_contains(kt_str_cstr(&first), "conflict on CONFIG_LEGACY_PTYS");
		assert_contains(kt_str_cstr(&first), "off:    CONFIG_LEGACY_PTYS (must be off for "
						     "CONFIG_UNIX98_PTYS)");
		assert_null(strstr(kt_str_cstr(&first), "ORD_"));
		for (unsigned long seed = 1; seed <= 8; seed++) {
			assert_int_equal(solve_list(f, conflicting, seed, &cfg, &err), -EINVAL);
			assert_string_equal(kt_str_cstr(&first), kt_str_cstr(&err));
		}
		kt_str_free(&first);
		kt_str_free(&cfg);
		kt_str_free(&err);
	}
}

/* ---- EXPERT (tests/fixtures/trim/expert) ---------------------------------- */

/* Each {name, value} until a NULL name. */
static void assert_vals(struct fix *f, const char *const want[][2])
{
	for (size_t i = 0; want[i][0]; i++) {
		if (strcmp(val(f, want[i][0]), want[i][1]) != 0)
			fail_msg("CONFIG_%s=%s, wanted %s", want[i][0], val(f, want[i][0]),
				 want[i][1]);
	}
}

static void require_workload(struct fix *f)
{
	req(f, "CONFIG_PRINTK");
	req(f, "syscall:futex");
	req(f, "filesystem:proc");
	req(f, "CONFIG_USER_NS");
}

/* Control: without EXPERT the defaults carry the requirements. */
static void test_defaults_without_expert(void **state)
{
	struct fix *f = *state;

	require_workload(f);
	if (solve(f, KCONF_MODULES_BUILTIN) != 0)
		fail_msg("%s", kt_str_cstr(&f->err));
	assert_vals(f, (const char *const[][2]){
		{ "EXPERT", "n" }, { "PRINTK", "y" }, { "FUTEX", "y" }, { "PROC_FS", "y" },
		{ "USER_NS", "y" },
		/* nothing can switch it off without EXPERT */
		{ "BUG", "y" }, { "PHYSICAL_START", "0x1000000" }, { NULL, NULL } });
}

/* Check every value, the reasons, and that the config is a fixpoint. */
static void check_expert_result(struct fix *f)
{
	struct kt_str a = KT_STR_INIT, b = KT_STR_INIT, err = KT_STR_INIT;
	const char *via;

	assert_vals(f, (const char *const[][2]){
		{ "EXPERT", "y" }, { "PHYSICAL_START", "0x200000" },
		/* met by defaults before EXPERT showed their prompts: now values */
		{ "PRINTK", "y" }, { "FUTEX", "y" }, { "PROC_FS", "y" },
		{ "MULTIUSER", "y" }, { "USER_NS", "y" },
		/* what nobody needs goes, as in tinyconfig */
		{ "BUG", "n" }, { "CRASH_DUMP", "n" }, { "STD_DEFAULTS", "n" },
		{ NULL, NULL } });

	assert_string_equal(why(f, "PRINTK", &via), "required by recipe test");
	assert_null(via);
	assert_string_equal(why(f, "FUTEX", NULL), "required by recipe test (syscall futex)");
	assert_string_equal(why(f, "PROC_FS", NULL), "required by recipe test (filesystem proc)");
	assert_string_equal(why(f, "MULTIUSER", &via), "dependency of CONFIG_USER_NS");
	assert_string_equal(via, "USER_NS");
	assert_string_equal(why(f, "EXPERT", &via), "dependency of CONFIG_PHYSICAL_START");
	assert_string_equal(via, "PHYSICAL_START");

	/* what conf reads back is what we wrote */
	assert_int_equal(kconf_config_format(f->tree, &a), 0);
	assert_int_equal(kconf_config_read_buf(f->tree, "trimmed", a.buf, a.len, &err), 0);
	assert_int_equal(kconf_config_format(f->tree, &b), 0);
	assert_string_equal(kt_str_cstr(&a), kt_str_cstr(&b));
	kt_str_free(&a);
	kt_str_free(&b);
	kt_str_free(&err);
}

static void test_expert_last(void **state)
{
	struct fix *f = *state;

	require_workload(f);
	req(f, "CONFIG_PHYSICAL_START=0x200000");
	if (solve(f, KCONF_MODULES_BUILTIN) != 0)
		fail_msg("%s", kt_str_cstr(&f->err));
	check_expert_result(f);
}

static void test_expert_first(void **state)
{
	struct fix *f = *state;

	req(f, "CONFIG_PHYSICAL_START=0x200000");
	require_workload(f);
	if (solve(f, KCONF_MODULES_BUILTIN) != 0)
		fail_msg("%s", kt_str_cstr(&f->err));
	check_expert_result(f);
}

/*
 * STD_DEFAULTS is on only while EXPERT is off and LOG_BUF_SHIFT can be set
 * only with EXPERT: the final check must name the requirement that lost,
 * once, with the symbol that missed.
 */
static void check_miss(struct fix *f, const char *what, const char *header)
{
	const char *e, *first;

	req(f, what);
	req(f, "CONFIG_LOG_BUF_SHIFT=14");
	assert_int_equal(solve(f, KCONF_MODULES_BUILTIN), -EINVAL);
	e = kt_str_cstr(&f->err);
	assert_contains(e, header);
	first = strstr(e, "CONFIG_STD_DEFAULTS wanted y, got n");
	if (!first)
		fail_msg("no CONFIG_STD_DEFAULTS miss in:\n%s", e);
	assert_null(strstr(first + 1, "CONFIG_STD_DEFAULTS wanted"));
	assert_string_equal(val(f, "LOG_BUF_SHIFT"), "14");
	assert_string_equal(val(f, "STD_DEFAULTS"), "n");
}

static void test_miss_reported(void **state)
{
	check_miss(*state, "CONFIG_STD_DEFAULTS",
		   "CONFIG_STD_DEFAULTS (recipe test): not met after the final resolve");
}

/* The same through a feature: every symbol of its chain is checked. */
static void test_feature_miss_reported(void **state)
{
	check_miss(*state, "syscall:uselib",
		   "syscall uselib (recipe test): not met after the final resolve");
}

/*
 * Planned against the 32-bit base, MEMORY_HOTPLUG's SPARSEMEM comes through
 * the memory-model choice; with 64BIT on the choice is gone and SPARSEMEM
 * is on by its default. The solve succeeds in either order, and the moot
 * choice member is not left in the plan or the report.
 */
static void check_moot_choice(struct fix *f)
{
	const char *via;

	if (solve(f, KCONF_MODULES_BUILTIN) != 0)
		fail_msg("%s", kt_str_cstr(&f->err));
	assert_vals(f, (const char *const[][2]){
		{ "64BIT", "y" }, { "SELECT_MEMORY_MODEL", "n" }, { "SPARSEMEM", "y" },
		{ "SPARSEMEM_MANUAL", "n" }, { "FLATMEM_MANUAL", "n" }, { "MEMORY_HOTPLUG", "y" },
		{ NULL, NULL } });
	assert_null(kconf_reasons_text(kconf_trim_reasons(f->t), "SPARSEMEM_MANUAL", &via));
}

static void test_moot_choice_member(void **state)
{
	struct fix *f = *state;

	req(f, "CONFIG_64BIT");
	req(f, "CONFIG_MEMORY_HOTPLUG");
	check_moot_choice(f);
}

static void test_moot_choice_member_reversed(void **state)
{
	struct fix *f = *state;

	req(f, "CONFIG_MEMORY_HOTPLUG");
	req(f, "CONFIG_64BIT");
	check_moot_choice(f);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define TX(fn) cmocka_unit_test_setup_teardown(fn, setup_expert, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_or_branch_cheapest),
		T(test_or_branch_already_on),
		T(test_select_chain_to_promptless),
		T(test_choice_groups),
		T(test_choice_default_kept),
		T(test_choice_conflict),
		T(test_conflict_both_chains),
		T(test_conflict_negative_dependency),
		T(test_features_and_modules),
		T(test_selected_needs_no_modules),
		T(test_values),
		T(test_value_out_of_range),
		T(test_unknown_feature_warns),
		T(test_missing_symbol_fails),
		T(test_alternatives),
		T(test_alternatives_all_missing),
		T(test_recipe_missing_symbol_names_file_line),
		T(test_optional_skipped),
		T(test_module_alias),
		T(test_explain),
		T(test_report_and_fixpoint),
		T(test_explain_off_chain),
		T(test_order_recorded_case),
		T(test_order_learnt_pin),
		T(test_order_avoid),
		T(test_order_shuffled),
		TX(test_defaults_without_expert),
		TX(test_expert_last),
		TX(test_expert_first),
		TX(test_miss_reported),
		TX(test_feature_miss_reported),
		TX(test_moot_choice_member),
		TX(test_moot_choice_member_reversed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

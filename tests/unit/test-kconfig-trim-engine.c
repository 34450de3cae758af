// SPDX-License-Identifier: GPL-2.0-only
/* The Kconfig engine on small fixture trees: one test per semantic rule. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <glob.h>

#include "common/common.h"
#include "kconfig-trim/kconfig.h"

#define FIX KT_FIXTURES "/kconfig"

static struct kconf_tree *load(const char *top, const char *cache)
{
	struct kconf_load_opts o = { .arch = "x86_64", .kconfig = top,
				     .cache_dir = cache ? cache : "" };
	struct kconf_tree *t = NULL;
	struct kt_str err = KT_STR_INIT;
	int r = kconf_tree_load(FIX, &o, &t, &err);

	if (r < 0)
		fail_msg("load %s: %s", top, kt_str_cstr(&err));
	kt_str_free(&err);
	return t;
}

static int load_err(const char *top, struct kt_str *err)
{
	struct kconf_load_opts o = { .arch = "x86_64", .kconfig = top,
				     .cache_dir = "" };
	struct kconf_tree *t = NULL;
	int r = kconf_tree_load(FIX, &o, &t, err);

	kconf_tree_free(t);
	return r;
}

static enum kconf_tristate ev(struct kconf_tree *t, const char *text)
{
	struct kconf_expr *e = NULL;
	struct kt_str err = KT_STR_INIT;
	enum kconf_tristate v;

	if (kconf_expr_parse(t, text, &e, &err) < 0)
		fail_msg("parse '%s': %s", text, kt_str_cstr(&err));
	v = kconf_expr_eval(e);
	kconf_expr_free(e);
	kt_str_free(&err);
	return v;
}

static const char *val(struct kconf_tree *t, const char *name)
{
	struct kconf_sym *s = kconf_sym_lookup(t, name);

	assert_non_null(s);
	return kconf_sym_value(s);
}

static void read_cfg(struct kconf_tree *t, const char *text)
{
	assert_int_equal(kconf_config_read_buf(t, "test.config", text,
					       strlen(text), NULL), 0);
}

static bool has_warning(struct kconf_tree *t, const char *needle)
{
	for (size_t i = 0; i < kconf_tree_nwarnings(t); i++)
		if (strstr(kconf_tree_warning(t, i), needle))
			return true;
	return false;
}

static void test_tristate_logic(void **state)
{
	struct kconf_tree *t = load("logic.Kconfig", NULL);

	kconf_resolve(t);
	assert_string_equal(val(t, "B"), "m");
	assert_int_equal(ev(t, "A && B"), KCONF_M);
	assert_int_equal(ev(t, "A || B"), KCONF_Y);
	assert_int_equal(ev(t, "!B"), KCONF_M);
	assert_int_equal(ev(t, "!C && A"), KCONF_Y);
	assert_int_equal(ev(t, "B = m"), KCONF_Y);
	assert_int_equal(ev(t, "B != y"), KCONF_Y);
	assert_int_equal(ev(t, "N > 63 && N <= 64"), KCONF_Y);
	assert_int_equal(ev(t, "N < 7"), KCONF_N);
	assert_int_equal(ev(t, "H >= 16"), KCONF_Y);	/* hex compares as number */
	assert_int_equal(ev(t, "S = \"abc\""), KCONF_Y);
	assert_int_equal(ev(t, "S = \"abd\""), KCONF_N);
	/* with MODULES off, m reads as y for a tristate */
	assert_int_equal(kconf_sym_set_user(kconf_sym_lookup(t, "CONFIG_MODULES"), "n"), 0);
	kconf_resolve(t);
	assert_string_equal(val(t, "B"), "y");
	kconf_tree_free(t);
}

static bool override_dep(void *ctx, const struct kconf_sym *s,
			  enum kconf_tristate *tri, const char **str)
{
	if (strcmp(kconf_sym_name(s) ? kconf_sym_name(s) : "", ctx))
		return false;
	*tri = KCONF_N;
	*str = "n";
	return true;
}

static void test_eval_with(void **state)
{
	struct kconf_tree *t = load("logic.Kconfig", NULL);
	struct kconf_expr *e = NULL;

	kconf_resolve(t);
	assert_int_equal(kconf_expr_parse(t, "A || C", &e, NULL), 0);
	assert_int_equal(kconf_expr_eval(e), KCONF_Y);
	assert_int_equal(kconf_expr_eval_with(e, override_dep, "A"), KCONF_N);
	kconf_expr_free(e);
	kconf_tree_free(t);
}

static void test_select_overrides_depends(void **state)
{
	struct kconf_tree *t = load("select.Kconfig", NULL);

	kconf_resolve(t);
	assert_string_equal(val(t, "DEP"), "n");
	assert_string_equal(val(t, "TARGET"), "y");
	assert_true(has_warning(t, "unmet direct dependencies detected for TARGET"));
	assert_true(has_warning(t, "- SELECTOR"));
	assert_int_equal(kconf_sym_nselected_by(kconf_sym_lookup(t, "TARGET")), 1);
	assert_ptr_equal(kconf_sym_selected_by(kconf_sym_lookup(t, "TARGET"), 0)->sym,
			 kconf_sym_lookup(t, "SELECTOR"));
	kconf_tree_free(t);
}

static void test_imply(void **state)
{
	struct kconf_tree *t = load("select.Kconfig", NULL);

	read_cfg(t, "CONFIG_MODULES=y\nCONFIG_IMPLIER=m\n");
	assert_string_equal(val(t, "WEAK"), "m");
	/* imply is weak: the user can still say n */
	read_cfg(t, "CONFIG_MODULES=y\nCONFIG_IMPLIER=y\n# CONFIG_WEAK is not set\n");
	assert_string_equal(val(t, "WEAK"), "n");
	read_cfg(t, "CONFIG_MODULES=y\nCONFIG_IMPLIER=y\n");
	assert_string_equal(val(t, "WEAK"), "y");
	kconf_tree_free(t);
}

static void test_m_capped_without_modules(void **state)
{
	struct kconf_tree *t = load("select.Kconfig", NULL);

	read_cfg(t, "CONFIG_MODULES=y\n");
	assert_string_equal(val(t, "MCAP"), "m");
	read_cfg(t, "# CONFIG_MODULES is not set\nCONFIG_MCAP=m\n");
	assert_string_equal(val(t, "MCAP"), "y");
	kconf_tree_free(t);
}

static void test_choice(void **state)
{
	struct kconf_tree *t = load("choice.Kconfig", NULL);
	struct kconf_sym *first = kconf_sym_lookup(t, "FIRST"), *cs;

	read_cfg(t, "");
	cs = kconf_sym_choice(first);
	assert_non_null(cs);
	assert_int_equal(kconf_choice_nmembers(cs), 3);
	assert_ptr_equal(kconf_choice_selection(cs), kconf_sym_lookup(t, "SECOND"));
	assert_string_equal(val(t, "FIRST"), "n");
	read_cfg(t, "CONFIG_FIRST=y\n");
	assert_ptr_equal(kconf_choice_selection(cs), first);
	assert_string_equal(val(t, "SECOND"), "n");
	/* a member whose dependency is off cannot be chosen */
	read_cfg(t, "CONFIG_THIRD=y\n");
	assert_string_equal(val(t, "THIRD"), "n");
	assert_ptr_equal(kconf_choice_selection(cs), kconf_sym_lookup(t, "SECOND"));
	/* optional choice: nothing selected by default */
	assert_string_equal(val(t, "OPT_A"), "n");
	kconf_tree_free(t);
}

static struct kconf_tree *load_rules(const char *top, enum kconf_rules rules)
{
	struct kconf_load_opts o = { .arch = "x86_64", .kconfig = top,
				     .cache_dir = "", .rules = rules };
	struct kconf_tree *t = NULL;
	struct kt_str err = KT_STR_INIT;

	if (kconf_tree_load(FIX, &o, &t, &err) < 0)
		fail_msg("load %s: %s", top, kt_str_cstr(&err));
	kt_str_free(&err);
	return t;
}

/* The chosen member of A's choice after reading @cfg. */
static const char *chosen(struct kconf_tree *t, const char *cfg)
{
	read_cfg(t, cfg);
	return kconf_sym_name(kconf_choice_selection(
		kconf_sym_choice(kconf_sym_lookup(t, "A"))));
}

/*
 * conf 6.11's choices (the values are what 6.12's conf --olddefconfig
 * gives on the same fixture) beside conf 6.1's where they differ.
 */
static void test_choice_611(void **state)
{
	struct kconf_tree *t = load_rules("choice-611.Kconfig", KCONF_RULES_6_11);
	struct kconf_tree *old = load_rules("choice-611.Kconfig", KCONF_RULES_6_1);
	struct kt_str err = KT_STR_INIT;
	struct kconf_load_opts o = { .arch = "x86_64", .cache_dir = "",
				     .kconfig = "choice-611-tristate.Kconfig",
				     .rules = KCONF_RULES_6_11 };
	struct kconf_tree *bad = NULL;

	assert_int_equal(kconf_tree_rules(t), KCONF_RULES_6_11);
	/* a tree without scripts/kconfig or a version: conf 6.1's */
	assert_int_equal(kconf_tree_rules(old), KCONF_RULES_6_1);
	/* members inside an `if` in the choice are members */
	assert_int_equal(kconf_choice_nmembers(kconf_sym_choice(kconf_sym_lookup(t, "A"))), 4);
	assert_string_equal(chosen(t, ""), "B");
	/* the default set to n: the first member the user left alone */
	assert_string_equal(chosen(t, "CONFIG_B=n\n"), "A");
	assert_string_equal(chosen(old, "CONFIG_B=n\n"), "B");
	/* all set to n: the visible member of least priority (read first) */
	assert_string_equal(chosen(t, "CONFIG_A=n\nCONFIG_B=n\nCONFIG_C=n\n"), "A");
	assert_string_equal(chosen(t, "CONFIG_C=n\nCONFIG_B=n\nCONFIG_A=n\n"), "C");
	assert_string_equal(chosen(t, "CONFIG_GATE=y\nCONFIG_A=n\nCONFIG_B=n\nCONFIG_C=n\n"), "D");
	/* two members y: the one read last */
	assert_string_equal(chosen(t, "CONFIG_A=y\nCONFIG_C=y\n"), "C");
	assert_string_equal(chosen(t, "CONFIG_GATE=y\nCONFIG_D=y\n"), "D");
	assert_string_equal(val(t, "A"), "n");
	/* an out-of-range number is kept and clamped, no longer dropped */
	read_cfg(t, "CONFIG_RANGED=20\n");
	assert_string_equal(val(t, "RANGED"), "10");
	read_cfg(old, "CONFIG_RANGED=20\n");
	assert_string_equal(val(old, "RANGED"), "5");
	/* the choice has no value of its own and is never written */
	assert_int_equal(kconf_sym_tristate(kconf_sym_choice(kconf_sym_lookup(t, "A"))), KCONF_N);
	kconf_tree_free(t);
	kconf_tree_free(old);
	/* tristate choices are refused with file:line */
	assert_int_equal(kconf_tree_load(FIX, &o, &bad, &err), -EINVAL);
	assert_non_null(strstr(kt_str_cstr(&err), "choice-611-tristate.Kconfig:3:"));
	kt_str_free(&err);
}

/* The rules come from the tree's own scripts/kconfig, else its version. */
static void test_rules_detected(void **state)
{
	static const struct {
		const char *file, *text;
		enum kconf_rules want;
	} cases[] = {
		{ "scripts/kconfig/expr.h", "struct list_head choice_link;\n", KCONF_RULES_6_11 },
		{ "scripts/kconfig/expr.h", "struct property *prop;\n", KCONF_RULES_6_1 },
		{ "Makefile", "VERSION = 6\nPATCHLEVEL = 12\n", KCONF_RULES_6_11 },
		{ "Makefile", "VERSION = 6\nPATCHLEVEL = 10\n", KCONF_RULES_6_1 },
		{ "Makefile", "VERSION = 5\nPATCHLEVEL = 15\n", KCONF_RULES_6_1 },
	};

	for (size_t i = 0; i < KT_ARRAY_SIZE(cases); i++) {
		char dir[] = "/tmp/ktrim-kconf-rules-XXXXXX";
		struct kconf_load_opts o = { .arch = "x86_64", .cache_dir = "" };
		struct kconf_tree *t = NULL;
		struct kt_str path = KT_STR_INIT, err = KT_STR_INIT;
		struct kt_str text = KT_STR_INIT;

		assert_non_null(mkdtemp(dir));
		kt_str_printf(&path, "%s/Kconfig", dir);
		kt_str_puts(&text, "config X\n\tbool \"x\"\n");
		assert_int_equal(kt_atomic_write_str(kt_str_cstr(&path), 0644, &text), 0);
		kt_str_reset(&path);
		kt_str_printf(&path, "%s/scripts/kconfig", dir);
		assert_int_equal(kt_mkdir_p(kt_str_cstr(&path), 0755), 0);
		kt_str_reset(&path);
		kt_str_reset(&text);
		kt_str_printf(&path, "%s/%s", dir, cases[i].file);
		kt_str_puts(&text, cases[i].text);
		assert_int_equal(kt_atomic_write_str(kt_str_cstr(&path), 0644, &text), 0);
		assert_int_equal(kconf_tree_load(dir, &o, &t, &err), 0);
		assert_int_equal(kconf_tree_rules(t), cases[i].want);
		kconf_tree_free(t);
		unlink(kt_str_cstr(&path));
		for (const char *const *f = (const char *const[]){ "Kconfig",
		     "scripts/kconfig", "scripts", NULL }; *f; f++) {
			kt_str_reset(&path);
			kt_str_printf(&path, "%s/%s", dir, *f);
			remove(kt_str_cstr(&path));
		}
		rmdir(dir);
		kt_str_free(&path);
		kt_str_free(&text);
		kt_str_free(&err);
	}
}

static void test_visible_if_range_defaults(void **state)
{
	struct kconf_tree *t = load("choice.Kconfig", NULL);

	read_cfg(t, "CONFIG_HIDDEN=y\nCONFIG_RANGED=50\n");
	assert_int_equal(kconf_sym_visibility(kconf_sym_lookup(t, "HIDDEN")), KCONF_N);
	assert_string_equal(val(t, "HIDDEN"), "n");	/* invisible: user value ignored */
	/* 50 is out of range: dropped, and the default 20 clamps to 10 */
	assert_string_equal(val(t, "RANGED"), "10");
	read_cfg(t, "CONFIG_RANGED=3\n");
	assert_string_equal(val(t, "RANGED"), "3");
	/* first default whose condition holds */
	assert_string_equal(val(t, "ORDERED"), "7");
	kconf_tree_free(t);
}

static void test_write_format(void **state)
{
	struct kconf_tree *t = load("choice.Kconfig", NULL);
	struct kt_str out = KT_STR_INIT;
	const char *s;

	read_cfg(t, "CONFIG_FIRST=y\n");
	assert_int_equal(kconf_config_format(t, &out), 0);
	s = kt_str_cstr(&out);
	assert_true(!strncmp(s, "#\n# Automatically generated file; DO NOT EDIT.\n# Main menu\n#\n", 60));
	assert_non_null(strstr(s, "CONFIG_FIRST=y\n# CONFIG_SECOND is not set\n"));
	assert_non_null(strstr(s, "\n#\n# Numbers\n#\nCONFIG_RANGED=10\nCONFIG_ORDERED=7\n"
				  "# CONFIG_UNSET_COMMENT is not set\n# end of Numbers\n"));
	assert_null(strstr(s, "Hidden"));	/* invisible menus leave no comment */
	assert_null(strstr(s, "THIRD"));	/* invisible, never written */
	kt_str_free(&out);
	kconf_tree_free(t);
}

static void test_config_warnings(void **state)
{
	struct kconf_tree *t = load("choice.Kconfig", NULL);

	read_cfg(t, "CONFIG_FIRST=y\ngarbage here\nCONFIG_RANGED=abc\nCONFIG_NO_SUCH=y\n");
	assert_true(has_warning(t, "test.config:2:warning: unexpected data: garbage here"));
	assert_true(has_warning(t, "test.config:3:warning: symbol value 'abc' invalid for RANGED"));
	assert_true(has_warning(t, "test.config:4:warning: unknown symbol: NO_SUCH"));
	assert_string_equal(val(t, "FIRST"), "y");
	kconf_tree_free(t);
}

static void test_macros(void **state)
{
	char dir[] = "/tmp/ktrim-kconf-test-XXXXXX";
	struct kconf_tree *t;
	struct kconf_sym *s;
	unsigned cached, run;

	assert_non_null(mkdtemp(dir));
	t = load("macro.Kconfig", dir);
	kconf_resolve(t);
	s = kconf_sym_lookup(t, "WORD_hello");
	assert_non_null(s);
	assert_string_equal(kconf_sym_prompt(s), "hellohello");
	assert_string_equal(kconf_sym_value(s), "one two");
	assert_string_equal(val(t, "FROM_SHELL"), "from-shell");
	assert_string_equal(val(t, "WHERE"), "macro.Kconfig:18");
	assert_string_equal(val(t, "ARCH_SEEN"), "x86");
	assert_string_equal(val(t, "SUB"), "y");
	assert_string_equal(kconf_sym_help(kconf_sym_lookup(t, "SUB")),
			    "Help text, indented.\n\nSecond paragraph.\n");
	assert_non_null(kconf_sym_lookup(t, "AFTER_HELP"));
	kconf_tree_shell_stats(t, &cached, &run);
	assert_int_equal(cached, 0);
	assert_true(run >= 1);
	kconf_tree_free(t);
	/* warm: the shell result comes from the per-toolchain cache */
	t = load("macro.Kconfig", dir);
	kconf_tree_shell_stats(t, &cached, &run);
	assert_int_equal(run, 0);
	assert_true(cached >= 1);
	assert_string_equal(val(t, "FROM_SHELL"), "from-shell");
	kconf_tree_free(t);
	assert_int_equal(system("rm -rf /tmp/ktrim-kconf-test-*"), 0);
}

/* The one shell cache file in @dir, as a heap string. */
static char *cache_file(const char *dir)
{
	struct kt_str pat = KT_STR_INIT;
	glob_t g;
	char *path;

	kt_str_printf(&pat, "%s/kconfig-shell-*.cache", dir);
	assert_int_equal(glob(kt_str_cstr(&pat), 0, NULL, &g), 0);
	assert_int_equal(g.gl_pathc, 1);
	path = strdup(g.gl_pathv[0]);
	globfree(&g);
	kt_str_free(&pat);
	return path;
}

/*
 * A corrupt shell cache used to crash the loader (a length check that
 * wrapped): each kind of damage is now a warning naming the offset, the
 * probes run again and the file is rewritten.
 */
static void test_corrupt_shell_cache(void **state)
{
	char dir[] = "/tmp/ktrim-kconf-cache-XXXXXX";
	static const struct {
		const char *text;
		const char *offset;
	} bad[] = {
		{ "22 10\necho from-shell", "offset 0" },		/* truncated */
		{ "\x7f\x45garbage\n\n\n", "offset 0" },		/* garbage */
		{ "1 1\nab\n18446744073709551615 5\nxyz\n", "offset 7" },
		{ "1 1\nab\n18446744073709551616 1\nxyz\n", "offset 7" },
		{ "1 1\nab\n1 18446744073709551615\nxyz\n", "offset 7" },
		{ "-1 -1\nxyz\n", "offset 0" },
		{ "1 1\nab", "offset 0" },			/* no newline */
		{ "1 1\na\0\n", "offset 0" },			/* NUL */
	};
	struct kconf_tree *t;
	unsigned cached, run;
	char *path;

	assert_non_null(mkdtemp(dir));
	t = load("macro.Kconfig", dir);
	kconf_tree_free(t);
	path = cache_file(dir);
	for (size_t i = 0; i < KT_ARRAY_SIZE(bad); i++) {
		size_t len = strlen(bad[i].text);
		char *log = NULL;
		size_t loglen = 0;
		FILE *f = open_memstream(&log, &loglen);

		if (i == KT_ARRAY_SIZE(bad) - 1)
			len += 3;	/* past the NUL */
		assert_int_equal(kt_atomic_write_buf(path, 0644, bad[i].text, len), 0);
		kt_log_set_stream(f);
		kt_log_set_level(KT_LOG_WARN);
		t = load("macro.Kconfig", dir);
		kt_log_set_level(KT_LOG_ERR);
		kt_log_set_stream(NULL);
		fclose(f);
		assert_non_null(strstr(log, "corrupt shell cache"));
		assert_non_null(strstr(log, bad[i].offset));
		free(log);
		kconf_tree_shell_stats(t, &cached, &run);
		assert_int_equal(cached, 0);
		assert_true(run >= 1);
		kconf_resolve(t);
		assert_string_equal(val(t, "FROM_SHELL"), "from-shell");
		kconf_tree_free(t);
		/* rebuilt: the next load runs nothing */
		t = load("macro.Kconfig", dir);
		kconf_tree_shell_stats(t, &cached, &run);
		assert_int_equal(run, 0);
		assert_true(cached >= 1);
		kconf_tree_free(t);
	}
	unlink(path);
	free(path);
	assert_int_equal(rmdir(dir), 0);
}

static void test_bad_input(void **state)
{
	struct kt_str err = KT_STR_INIT;

	assert_int_equal(load_err("recursive.Kconfig", &err), -EINVAL);
	assert_non_null(strstr(kt_str_cstr(&err), "recursive.Kconfig:5: Recursive variable 'loop'"));
	kt_str_reset(&err);
	assert_int_equal(load_err("error-if.Kconfig", &err), -EINVAL);
	assert_string_equal(kt_str_cstr(&err), "error-if.Kconfig:4: stop here");
	kt_str_reset(&err);
	assert_int_equal(load_err("bad.Kconfig", &err), -EINVAL);
	assert_true(!strncmp(kt_str_cstr(&err), "bad.Kconfig:4: ", 15));
	kt_str_reset(&err);
	assert_int_equal(load_err("bad-stmt.Kconfig", &err), -EINVAL);
	assert_string_equal(kt_str_cstr(&err), "bad-stmt.Kconfig:5: unknown statement \"frobnicate\"");
	kt_str_reset(&err);
	assert_true(load_err("missing.Kconfig", &err) < 0);
	kt_str_free(&err);
}

/*
 * A symbol depending on itself makes conf exit 1 with one diagnostic per
 * loop; the load fails the same way, with conf's lines (taken from the
 * kernel's conf run on these files) in the error.
 */
#define RESOLUTION \
	"For a resolution refer to Documentation/kbuild/kconfig-language.rst\n" \
	"subsection \"Kconfig recursive dependency limitations\""

static void test_dependency_loops_refused(void **state)
{
	static const struct {
		const char *file, *text;
	} cases[] = {
		{ "depcheck-plain.Kconfig",
		  "depcheck-plain.Kconfig:7:error: recursive dependency detected!\n"
		  "depcheck-plain.Kconfig:7:\tsymbol B depends on A\n"
		  "depcheck-plain.Kconfig:3:\tsymbol A depends on B\n" RESOLUTION },
		{ "depcheck-select.Kconfig",
		  "depcheck-select.Kconfig:8:error: recursive dependency detected!\n"
		  "depcheck-select.Kconfig:8:\tsymbol TARGET is selected by SEL\n"
		  "depcheck-select.Kconfig:3:\tsymbol SEL depends on MID\n"
		  "depcheck-select.Kconfig:13:\tsymbol MID default value contains TARGET\n"
		  RESOLUTION },
		{ "depcheck-choice.Kconfig",
		  "depcheck-choice.Kconfig:7:error: recursive dependency detected!\n"
		  "depcheck-choice.Kconfig:7:\tchoice <choice> contains symbol GATE\n"
		  "depcheck-choice.Kconfig:3:\tsymbol GATE depends on FIRST\n"
		  "depcheck-choice.Kconfig:11:\tsymbol FIRST is part of choice <choice>\n"
		  RESOLUTION },
		/* two loops: each block, then a blank line, as conf prints them */
		{ "depcheck-prompt.Kconfig",
		  "depcheck-prompt.Kconfig:13:error: recursive dependency detected!\n"
		  "depcheck-prompt.Kconfig:13:\tsymbol IMPLIER depends on IMPLIED\n"
		  "depcheck-prompt.Kconfig:19:\tsymbol IMPLIED is implied by IMPLIER\n"
		  RESOLUTION "\n\n"
		  "depcheck-prompt.Kconfig:5:error: recursive dependency detected!\n"
		  "depcheck-prompt.Kconfig:5:\tsymbol PROMPTED prompt is visible depending on GUARD\n"
		  "depcheck-prompt.Kconfig:7:\tsymbol GUARD depends on PROMPTED\n"
		  RESOLUTION },
		{ "depcheck-undefined.Kconfig",
		  "?:0:error: recursive dependency detected!\n"
		  "?:0:\tsymbol NOWHERE is selected by SELECTOR\n"
		  "depcheck-undefined.Kconfig:4:\tsymbol SELECTOR depends on NOWHERE\n"
		  RESOLUTION },
	};
	struct kt_str err = KT_STR_INIT;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		kt_str_reset(&err);
		assert_int_equal(load_err(cases[i].file, &err), -EINVAL);
		assert_string_equal(kt_str_cstr(&err), cases[i].text);
	}
	kt_str_free(&err);
}

/*
 * A choice entry whose condition is a member's and more is moved under
 * that member, as conf does: it is no choice value, and naming the member
 * is no loop (conf accepts this tree).
 */
static void test_choice_entry_nested_under_member(void **state)
{
	struct kconf_tree *t = load("choice-nested.Kconfig", NULL);
	struct kconf_sym *early = kconf_sym_lookup(t, "EARLY");
	struct kconf_sym *later = kconf_sym_lookup(t, "LATER");

	assert_non_null(early);
	assert_non_null(later);
	assert_non_null(kconf_sym_choice(early));
	assert_null(kconf_sym_choice(later));
	kconf_tree_free(t);
}

/*
 * Recursion through another variable (the kernel's circular_expansion
 * test) is reported as conf does; ":=" of a variable reads its old value
 * (a new one used to be read as NULL, a crash).
 */
static void test_macro_recursion(void **state)
{
	struct kt_str err = KT_STR_INIT;
	struct kconf_tree *t;

	assert_int_equal(load_err("circular.Kconfig", &err), -EINVAL);
	assert_string_equal(kt_str_cstr(&err),
			    "circular.Kconfig:6: Recursive variable 'X' references itself (eventually)");
	kt_str_reset(&err);
	assert_int_equal(load_err("circular-simple.Kconfig", &err), -EINVAL);
	assert_string_equal(kt_str_cstr(&err),
			    "circular-simple.Kconfig:5: Recursive variable 'X' references itself (eventually)");
	kt_str_free(&err);
	t = load("self-simple.Kconfig", NULL);
	kconf_resolve(t);
	assert_string_equal(val(t, "A"), "[][]");
	kconf_tree_free(t);
}

/* Load @text as the top Kconfig of a scratch tree; the error in @err. */
static int load_text_err(const struct kt_str *text, struct kt_str *err)
{
	char dir[] = "/tmp/ktrim-kconf-deep-XXXXXX";
	struct kconf_load_opts o = { .arch = "x86_64", .cache_dir = "" };
	struct kconf_tree *t = NULL;
	struct kt_str path = KT_STR_INIT;
	int r;

	assert_int_equal(kt_str_error(text), 0);
	assert_non_null(mkdtemp(dir));
	kt_str_printf(&path, "%s/Kconfig", dir);
	assert_int_equal(kt_atomic_write_str(kt_str_cstr(&path), 0644, text), 0);
	r = kconf_tree_load(dir, &o, &t, err);
	kconf_tree_free(t);
	unlink(kt_str_cstr(&path));
	rmdir(dir);
	kt_str_free(&path);
	return r;
}

static void repeat(struct kt_str *s, const char *piece, size_t n)
{
	for (size_t i = 0; i < n; i++)
		kt_str_puts(s, piece);
}

/* 100k nested blocks used to overflow the parser's stack. */
static void test_deep_blocks_refused(void **state)
{
	static const char *const opens[] = { "menu \"m\"\n", "if A\n", NULL };
	struct kt_str text = KT_STR_INIT, err = KT_STR_INIT;

	for (size_t i = 0; opens[i]; i++) {
		kt_str_reset(&text);
		kt_str_reset(&err);
		kt_str_puts(&text, "config A\n\tbool\n");	/* lines 1-2 */
		repeat(&text, opens[i], 100000);
		assert_int_equal(load_text_err(&text, &err), -EINVAL);
		/* the 257th block opens on line 2 + 257 */
		assert_string_equal(kt_str_cstr(&err),
				    "Kconfig:259: blocks nested deeper than 256 levels");
	}

	/* 256 levels are fine */
	kt_str_reset(&text);
	kt_str_reset(&err);
	repeat(&text, "menu \"m\"\n", 256);
	kt_str_puts(&text, "config B\n\tbool \"b\"\n");
	repeat(&text, "endmenu\n", 256);
	assert_int_equal(load_text_err(&text, &err), 0);
	kt_str_free(&text);
	kt_str_free(&err);
}

/* A 200k-deep expression, by nesting or by a long chain, is refused. */
static void test_deep_expressions_refused(void **state)
{
	struct kt_str text = KT_STR_INIT, err = KT_STR_INIT, e = KT_STR_INIT;
	struct kconf_tree *t;
	struct kconf_expr *x = NULL;
	int kind;

	for (kind = 0; kind < 3; kind++) {
		kt_str_reset(&text);
		kt_str_reset(&err);
		kt_str_puts(&text, "config A\n\tbool \"a\"\n\tdepends on ");
		if (kind == 0) {
			repeat(&text, "(", 200000);
			kt_str_puts(&text, "A");
			repeat(&text, ")", 200000);
		} else if (kind == 1) {
			repeat(&text, "!", 200000);
			kt_str_puts(&text, "A");
		} else {
			kt_str_puts(&text, "A");
			repeat(&text, " || A", 200000);
		}
		kt_str_puts(&text, "\n");
		assert_int_equal(load_text_err(&text, &err), -EINVAL);
		assert_string_equal(kt_str_cstr(&err),
				    "Kconfig:3: expression nested deeper than 1024 levels");
	}

	/* the same for expressions given to kconf_expr_parse */
	t = load("logic.Kconfig", NULL);
	repeat(&e, "(", 5000);
	kt_str_puts(&e, "y");
	repeat(&e, ")", 5000);
	assert_int_equal(kt_str_error(&e), 0);
	kt_str_reset(&err);
	assert_int_equal(kconf_expr_parse(t, kt_str_cstr(&e), &x, &err), -EINVAL);
	assert_null(x);
	assert_string_equal(kt_str_cstr(&err),
			    "<expr>:1: expression nested deeper than 1024 levels");
	/* a real-sized one still parses */
	assert_int_equal(ev(t, "((y && !(n || n)) || n) && y"), KCONF_Y);
	kconf_tree_free(t);
	kt_str_free(&e);
	kt_str_free(&text);
	kt_str_free(&err);
}

/* Loading @text fails with @r and exactly @msg. */
static void load_fails(const struct kt_str *text, int r, const char *msg)
{
	struct kt_str err = KT_STR_INIT;

	assert_int_equal(load_text_err(text, &err), r);
	assert_string_equal(kt_str_cstr(&err), msg);
	kt_str_free(&err);
}

/* C1 depends on C0, C2 on C1, ...: @n entries, defined in either order. */
static void chain(struct kt_str *text, int n, bool backwards)
{
	for (int k = 0; k < n; k++) {
		int i = backwards ? n - 1 - k : k;

		kt_str_printf(text, "config C%d\n\tbool \"c\"\n\tdefault y\n", i);
		if (i)
			kt_str_printf(text, "\tdepends on C%d\n", i - 1);
	}
}

/*
 * What accumulates rather than being written out: 200k selects of one
 * symbol or 200k `depends on` lines took minutes to build (then a deep
 * chain to walk), and a 100k-long dependency chain overflowed the stack
 * of the menu finalisation or of the evaluation.
 */
static void test_accumulated_depth_refused(void **state)
{
	struct kt_str text = KT_STR_INIT, err = KT_STR_INIT;
	struct kconf_load_opts o = { .arch = "x86_64", .cache_dir = "" };
	char dir[] = "/tmp/ktrim-kconf-chain-XXXXXX", *path = NULL, *log = NULL;
	struct kconf_tree *t = NULL;
	size_t loglen = 0;
	FILE *logf;
	int r;

	kt_str_puts(&text, "config X\n\tbool\n");
	for (int i = 0; i < 5000; i++)
		kt_str_printf(&text, "config S%d\n\tdef_bool y\n\tselect X\n", i);
	/* the 4097th select: 2 + 4096 * 3 + 3 */
	load_fails(&text, -EINVAL, "Kconfig:12293: 'X' selected or implied "
		   "more than 4096 times");

	kt_str_reset(&text);
	kt_str_puts(&text, "config A\n\tbool \"a\"\n");
	repeat(&text, "\tdepends on A\n", 2000);
	load_fails(&text, -EINVAL, "Kconfig:1027: more than 1024 'depends on' "
		   "or 'visible if' lines for one entry");

	kt_str_reset(&text);
	repeat(&text, "config A\n\tbool \"a\"\n", 2000);
	load_fails(&text, -EINVAL, "Kconfig:2049: 'A' defined more than 1024 "
		   "times");

	/* entries nested by their dependencies: C1 under C0, C2 under C1... */
	kt_str_reset(&text);
	chain(&text, 100000, false);
	logf = open_memstream(&log, &loglen);
	assert_non_null(logf);
	kt_log_set_stream(logf);
	load_fails(&text, -ELOOP, "kconfig: dependencies nested too deep");

	/* the same chain backwards: no nesting, but each value waits on the next */
	kt_str_reset(&text);
	chain(&text, 100000, true);
	assert_int_equal(kt_str_error(&text), 0);
	assert_non_null(mkdtemp(dir));
	assert_true(asprintf(&path, "%s/Kconfig", dir) > 0);
	assert_int_equal(kt_atomic_write_str(path, 0644, &text), 0);
	r = kconf_tree_load(dir, &o, &t, &err);
	if (r == 0)
		r = kconf_resolve(t);
	assert_int_equal(r, -ELOOP);
	kt_log_set_stream(NULL);
	fclose(logf);
	/* where: the entry for the nesting, the symbol for the evaluation */
	assert_non_null(strstr(log, "nested deeper than 2048 levels at Kconfig:"));
	assert_non_null(strstr(log, "nested deeper than 2048 levels at C"));
	free(log);
	kconf_tree_free(t);
	unlink(path);
	rmdir(dir);
	free(path);

	/* 2000 levels are fine */
	kt_str_reset(&text);
	kt_str_reset(&err);
	chain(&text, 2000, false);
	assert_int_equal(load_text_err(&text, &err), 0);
	kt_str_free(&text);
	kt_str_free(&err);
}

/*
 * Out of memory, at every kt_str allocation in turn (kt_str_fail_after):
 * file reads, the shell cache, macro expansion, strings, help texts,
 * warnings, the .config text. Each attempt must fail with -ENOMEM and say
 * so; none may succeed with a value that lost a piece (a macro expanding
 * to "" was the old failure). The first count that lets everything
 * through gives exactly the tree loaded without injection.
 */
static int load_oom(const char *top, const char *cache, long n,
		    struct kconf_tree **t, struct kt_str *err)
{
	struct kconf_load_opts o = { .arch = "x86_64", .kconfig = top,
				     .cache_dir = cache };
	int r;

	/* room for the message beforehand: its own allocation would fail */
	kt_str_free(err);
	kt_str_printf(err, "%200s", "");
	kt_str_reset(err);
	kt_str_fail_after(n);
	r = kconf_tree_load(FIX, &o, t, err);
	kt_str_fail_after(-1);
	return r;
}

static void test_oom_is_an_error(void **state)
{
	char dir[] = "/tmp/ktrim-kconf-test-XXXXXX", path[64];
	struct kt_str err = KT_STR_INIT, ref = KT_STR_INIT, got = KT_STR_INIT;
	FILE *devnull = fopen("/dev/null", "w");
	struct kconf_tree *t;
	int r, failures = 0, in_macros = 0;
	char *buf = NULL;
	long n;

	assert_non_null(devnull);
	assert_non_null(mkdtemp(dir));
	/* the reference, and a warm shell cache: the loop runs no commands */
	t = load("macro.Kconfig", dir);
	assert_int_equal(kconf_config_format(t, &ref), 0);
	kconf_tree_free(t);
	kt_log_set_stream(devnull);	/* one "out of memory" per attempt */
	for (n = 0;; n++) {
		t = NULL;
		r = load_oom("macro.Kconfig", dir, n, &t, &err);
		if (r == 0)
			break;
		assert_int_equal(r, -ENOMEM);
		assert_null(t);
		if (!strstr(kt_str_cstr(&err), "out of memory"))
			fail_msg("attempt %ld: '%s'", n, kt_str_cstr(&err));
		in_macros += !strncmp(kt_str_cstr(&err), "macro.Kconfig:", 14);
		failures++;
		assert_true(n < 10000);
	}
	kt_log_set_stream(NULL);
	/* the injection reached the parse of macro.Kconfig, many times */
	assert_true(failures > 20);
	assert_true(in_macros > 5);
	assert_int_equal(kconf_config_format(t, &got), 0);
	assert_string_equal(kt_str_cstr(&got), kt_str_cstr(&ref));
	assert_string_equal(val(t, "WORD_hello"), "one two");

	/* writing: no .config from a failed text, the old one stays */
	snprintf(path, sizeof(path), "%s/.config", dir);
	assert_int_equal(kt_atomic_write_buf(path, 0644, "OLD\n", 4), 0);
	kt_str_fail_after(0);
	r = kconf_config_write(t, path);
	kt_str_fail_after(-1);
	assert_int_equal(r, -ENOMEM);
	assert_int_equal(kt_read_file(path, &buf, NULL), 0);
	assert_string_equal(buf, "OLD\n");
	free(buf);
	assert_int_equal(kconf_config_write(t, path), 0);
	assert_int_equal(kt_read_file(path, &buf, NULL), 0);
	assert_string_equal(buf, kt_str_cstr(&ref));
	free(buf);
	kconf_tree_free(t);
	kt_str_free(&err);
	kt_str_free(&ref);
	kt_str_free(&got);
	fclose(devnull);
	assert_int_equal(system("rm -rf /tmp/ktrim-kconf-test-*"), 0);
}

/* The sticky error: once set, every entry point refuses, with a message. */
static void test_oom_is_sticky_on_the_tree(void **state)
{
	struct kconf_tree *t = load("logic.Kconfig", NULL);
	struct kt_str err = KT_STR_INIT;
	struct kconf_expr *e = NULL;
	FILE *devnull = fopen("/dev/null", "w");

	assert_non_null(devnull);
	assert_int_equal(kconf_tree_error(t), 0);
	/* a .config that warns: the warning's text is the first allocation */
	kt_str_printf(&err, "%100s", "");	/* room for the message */
	kt_str_reset(&err);
	kt_log_set_stream(devnull);
	kt_str_fail_after(0);
	assert_int_equal(kconf_config_read_buf(t, "oom.config", "garbage\n", 8, &err),
			 -ENOMEM);
	kt_str_fail_after(-1);
	kt_log_set_stream(NULL);
	assert_int_equal(kconf_tree_error(t), -ENOMEM);
	assert_string_equal(kt_str_cstr(&err), "kconfig: out of memory");
	assert_int_equal(kconf_resolve(t), -ENOMEM);
	assert_int_equal(kconf_sym_set_user(kconf_sym_lookup(t, "A"), "y"), -ENOMEM);
	assert_int_equal(kconf_expr_parse(t, "A", &e, NULL), -ENOMEM);
	assert_null(e);
	assert_int_equal(kconf_config_read_buf(t, "ok.config", "", 0, NULL), -ENOMEM);
	kt_str_reset(&err);
	assert_int_equal(kconf_config_format(t, &err), -ENOMEM);
	kt_str_free(&err);
	fclose(devnull);
	kconf_tree_free(t);
}

/* Trees before 5.13 spell some attributes `option NAME`. */
static void test_pre513_options(void **state)
{
	struct kconf_tree *t;
	struct kt_str out = KT_STR_INIT, err = KT_STR_INIT;
	const char *w;

	setenv("KTRIM_TEST_ARCH", "x86_64", 1);
	unsetenv("KTRIM_TEST_UNSET_VARIABLE");
	t = load("options-pre513.Kconfig", NULL);
	assert_int_equal(kconf_resolve(t), 0);
	/* option modules: MODULES=n caps the driver at y-or-n, not m */
	assert_ptr_equal(kconf_tree_modules_sym(t), kconf_sym_lookup(t, "MODULES"));
	assert_string_equal(val(t, "MODULES"), "n");
	assert_string_equal(val(t, "DRIVER"), "y");
	/* option env="VAR": the variable's value, never written to .config */
	assert_string_equal(val(t, "KERNEL_ARCH"), "x86_64");
	assert_string_equal(val(t, "UNSET_ENV"), "");
	assert_true(kconf_sym_allnoconfig_y(kconf_sym_lookup(t, "EMBEDDED_Y")));
	assert_false(kconf_sym_allnoconfig_y(kconf_sym_lookup(t, "DRIVER")));
	assert_int_equal(kconf_config_format(t, &out), 0);
	assert_null(strstr(out.buf, "KERNEL_ARCH"));
	assert_non_null(strstr(out.buf, "CONFIG_DEFCONFIG_LIST=\"arch/x86/configs/x86_64_defconfig\""));
	/* an unset variable is a warning with its position, as conf gives */
	for (size_t i = 0; (w = kconf_tree_warning(t, i)); i++)
		if (strstr(w, "environment variable KTRIM_TEST_UNSET_VARIABLE undefined"))
			break;
	if (!w)
		fail_msg("no warning for the unset variable");
	assert_non_null(strstr(w, "options-pre513.Kconfig:"));
	kconf_tree_free(t);
	kt_str_free(&out);
	/* option allnoconfig_y: the trimmer's allnoconfig base keeps it y */
	{
		struct kconf_trim *tr = NULL;

		t = load("options-pre513.Kconfig", NULL);
		assert_int_equal(kconf_trim_new(t, NULL, &tr), 0);
		assert_int_equal(kconf_trim_solve(tr, NULL, &err), 0);
		assert_string_equal(val(t, "EMBEDDED_Y"), "y");
		assert_string_equal(val(t, "DRIVER"), "n");
		kconf_trim_free(tr);
		kconf_tree_free(t);
	}
	/* an option the kernel never had is an error with file:line */
	assert_int_equal(load_err("options-bad.Kconfig", &err), -EINVAL);
	assert_non_null(strstr(kt_str_cstr(&err), "options-bad.Kconfig:4:"));
	assert_non_null(strstr(kt_str_cstr(&err), "unknown option \"no_such_option\""));
	kt_str_free(&err);
	unsetenv("KTRIM_TEST_ARCH");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tristate_logic),
		cmocka_unit_test(test_eval_with),
		cmocka_unit_test(test_select_overrides_depends),
		cmocka_unit_test(test_imply),
		cmocka_unit_test(test_m_capped_without_modules),
		cmocka_unit_test(test_choice),
		cmocka_unit_test(test_choice_611),
		cmocka_unit_test(test_rules_detected),
		cmocka_unit_test(test_visible_if_range_defaults),
		cmocka_unit_test(test_write_format),
		cmocka_unit_test(test_config_warnings),
		cmocka_unit_test(test_macros),
		cmocka_unit_test(test_pre513_options),
		cmocka_unit_test(test_corrupt_shell_cache),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_macro_recursion),
		cmocka_unit_test(test_deep_blocks_refused),
		cmocka_unit_test(test_deep_expressions_refused),
		cmocka_unit_test(test_accumulated_depth_refused),
		cmocka_unit_test(test_dependency_loops_refused),
		cmocka_unit_test(test_choice_entry_nested_under_member),
		cmocka_unit_test(test_oom_is_an_error),
		cmocka_unit_test(test_oom_is_sticky_on_the_tree),
	};

	kt_log_set_level(KT_LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

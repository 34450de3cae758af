/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kconf-internal.h - private data model of the Kconfig engine (kconf-*.c).
 * Not for other components; they use kconfig.h.
 */
#ifndef KTRIM_KCONF_INTERNAL_H
#define KTRIM_KCONF_INTERNAL_H

#include <stdint.h>

#include "kconfig-trim/kconfig.h"

/* Symbol flags, mirroring the states conf tracks. */
enum {
	KS_CONST = 1u << 0,	/* literal ("64", quoted, y/m/n) */
	KS_CHOICE = 1u << 1,	/* a choice group */
	KS_CHOICEVAL = 1u << 2,	/* member of a choice */
	KS_OPTIONAL = 1u << 3,	/* config symbols and optional choices */
	KS_NO_WRITE = 1u << 4,	/* choices: never written */
	KS_VALID = 1u << 5,	/* current value computed */
	KS_WRITE = 1u << 6,	/* goes to .config */
	KS_DEF_USER = 1u << 7,	/* user value present */
	KS_WRITTEN = 1u << 8,	/* already written in this pass */
	KS_CHECK = 1u << 9,	/* on the path of the dependency loop check */
	KS_CHECKED = 1u << 10,	/* walked by the dependency loop check */
	KS_ALLNOCONFIG_Y = 1u << 11,	/* pre-5.13 `option allnoconfig_y` */
	KS_WARNED = 1u << 12,	/* definition checks done (conf's SYMBOL_WARNED) */
};

/* Property kinds, the public ones first. */
enum {
	KP_PROMPT = KCONF_PROP_PROMPT,
	KP_DEFAULT = KCONF_PROP_DEFAULT,
	KP_SELECT = KCONF_PROP_SELECT,
	KP_IMPLY = KCONF_PROP_IMPLY,
	KP_RANGE = KCONF_PROP_RANGE,
	KP_MENU,		/* `menu` title or a menuconfig's prompt */
	KP_COMMENT,		/* `comment` text */
};

struct kconf_menu;

struct kconf_iprop {
	struct kconf_prop pub;
	int kind;			/* KP_* */
	struct kconf_menu *menu;	/* definition site */
	enum kconf_tristate vis_tri;	/* last evaluation of pub.visible */
	/*
	 * Within pub.visible, the copy of the definition's dependencies
	 * (kconf-menu.c), which are also terms of the symbol's dir_dep: the
	 * loop check need not walk them twice. NULL: none.
	 */
	const struct kconf_expr *inherited;
};

struct kconf_sym {
	char *name;			/* NULL for choices */
	enum kconf_type type;
	uint32_t flags;
	uint32_t order;			/* creation index */
	uint32_t bucket;		/* conf's hash bucket (iteration order) */

	/* current value */
	const char *cur_str;		/* int/hex/string (not owned) */
	enum kconf_tristate cur_tri;
	struct kconf_sym *cur_choice;	/* choices: selected member */

	/* user value */
	char *user_str;			/* owned */
	enum kconf_tristate user_tri;
	struct kconf_sym *user_choice;

	enum kconf_tristate visible;
	struct kconf_expr *dir_dep, *rev_dep, *implied;
	enum kconf_tristate dir_dep_tri, rev_dep_tri, implied_tri;

	struct kt_array props;		/* struct kconf_iprop * */
	struct kt_array menus;		/* struct kconf_menu * (definitions) */
	struct kt_array selected_by;	/* struct kconf_iprop * */
	struct kt_array implied_by;	/* struct kconf_iprop * */
	struct kconf_sym *choice;	/* members: their group */
	struct kt_array members;	/* choices: struct kconf_sym *, in
					 * menu order */
	/*
	 * Choices under KCONF_RULES_6_11: the members in priority order
	 * (conf's choice_members list): menu order, and each member the
	 * .config assigns moves to the front.
	 */
	struct kt_array prio;
	struct kconf_tree *tree;
};

struct kconf_menu {
	struct kconf_menu *next, *parent, *list;
	struct kconf_sym *sym;
	struct kconf_iprop *prompt;
	struct kconf_expr *dep;
	struct kconf_expr *visibility;	/* `visible if` */
	char *help;
	const char *file;
	int line;
};

struct kconf_pp;

struct kconf_tree {
	char *srctree;
	char *mainmenu_text;
	struct kconf_sym sym_y, sym_m, sym_n;
	struct kt_map *names;		/* name -> non-const symbol */
	struct kt_map *consts;		/* name -> const symbol */
	struct kt_array syms;		/* non-const, creation order */
	struct kt_array all;		/* every symbol incl. consts */
	struct kt_array calc_order;	/* conf's for_all_symbols order */
	uint32_t nsyms_created;
	struct kconf_sym *modules_sym;
	enum kconf_tristate modules_val;
	struct kconf_menu rootmenu;
	struct kt_array menus;		/* owned menu nodes */
	struct kt_array files;		/* owned file names */
	struct kt_array garbage;	/* old user strings still referenced */
	struct kt_array warnings;	/* owned char * */
	struct kconf_pp *pp;
	enum kconf_rules rules;		/* never KCONF_RULES_AUTO */
	uint32_t hash_size;		/* conf's symbol table (its for_all_symbols
					 * order): 9973 buckets, 16384 since 6.9 */
	unsigned shell_cached, shell_run;
	bool changed;			/* conf_get_changed() */
	int err;			/* sticky: 0, -ENOMEM (kconf__nomem) or
					 * -ELOOP (kconf__too_deep) */
	unsigned int depth;		/* kconf__menu_finalize / calc_value
					 * recursion, see KCONF_MAX_DEPTH */
};

/*
 * Symbols whose dependencies chain through more than this many others
 * (each waiting on the next), and entries nested this deep by their
 * dependencies, are refused: conf's algorithms recurse once per level and
 * a long enough chain exhausts the stack. Linux's chains are a few dozen
 * long. Likewise the expressions that accumulate rather than being written
 * out: a symbol selected or implied more than KCONF_MAX_REVERSE times
 * (Linux's most selected, REGMAP_I2C, has 402), an entry with more than
 * KCONF_MAX_CLAUSES `depends on` or `visible if` lines, a symbol defined
 * more than KCONF_MAX_CLAUSES times.
 */
#define KCONF_MAX_DEPTH 2048
#define KCONF_MAX_REVERSE 4096
#define KCONF_MAX_CLAUSES 1024

/* kconf-sym.c */
struct kconf_sym *kconf__sym_lookup(struct kconf_tree *t, const char *name,
				    uint32_t flags);
struct kconf_sym *kconf__sym_find(const struct kconf_tree *t,
				  const char *name);
void kconf__sym_free(struct kconf_sym *s);
/* What @s owns, not @s itself (the tree's embedded y, m and n). */
void kconf__sym_release(struct kconf_sym *s);
void kconf__build_calc_order(struct kconf_tree *t);
bool kconf__string_valid(const struct kconf_sym *s, const char *str);

/* kconf-tree.c */
void kconf__warn(struct kconf_tree *t, const char *fmt, ...) KT_PRINTF(2, 3);
/* A copy of @name owned by the tree; NULL (and kconf__nomem) on failure. */
const char *kconf__intern_file(struct kconf_tree *t, const char *name);
/*
 * Out of memory. The engine does not abort and does not stop halfway with
 * a half-built value it cannot tell from a real one: every allocation
 * failure is recorded here, on the tree, and the error is sticky. Code
 * that fails to allocate records it and returns the safest thing at hand
 * (NULL, nothing added); the public entry points check t->err and fail
 * with -ENOMEM, so nothing computed after the failure is ever returned,
 * written or reported as a result (kconfig.h).
 */
void kconf__nomem(struct kconf_tree *t);
/*
 * A recursion deeper than KCONF_MAX_DEPTH at @what: like kconf__nomem, a
 * sticky error on the tree (-ELOOP), said once on the log.
 */
void kconf__too_deep(struct kconf_tree *t, const char *what);
/* @p, after kconf__nomem(@t) when it is NULL. */
void *kconf__alloc_check(struct kconf_tree *t, void *p);
/* kt_array_push_ptr() that records a failure on @t. */
int kconf__push(struct kconf_tree *t, struct kt_array *a, void *p);
/* kt_str_error(@s), recorded on @t. */
int kconf__str_check(struct kconf_tree *t, const struct kt_str *s);
/* t->err, with "out of memory" appended to @err (may be NULL) when set. */
int kconf__tree_check(struct kconf_tree *t, struct kt_str *err);

/* kconf-parse.c */
int kconf__parse(struct kconf_tree *t, const char *topfile,
		 struct kt_str *err);

/*
 * kconf-depcheck.c: conf's recursive dependency check, after finalising.
 * -EINVAL with conf's diagnostics in @err (may be NULL) when a symbol
 * depends on itself.
 */
int kconf__check_deps(struct kconf_tree *t, struct kt_str *err);

/* kconf-menu.c */
void kconf__menu_finalize(struct kconf_tree *t, struct kconf_menu *parent);
bool kconf__menu_visible(struct kconf_menu *m);
struct kconf_expr *kconf__rewrite_m(struct kconf_tree *t,
				    struct kconf_expr *e);

/* kconf-eval.c */
void kconf__calc_value(struct kconf_sym *s);
/* KCONF_RULES_6_11: @m, a member, is the choice's first priority. */
void kconf__choice_prio_front(struct kconf_sym *m);
void kconf__clear_all_valid(struct kconf_tree *t);
bool kconf__string_within_range(struct kconf_sym *s, const char *str);
enum kconf_type kconf__sym_get_type(const struct kconf_sym *s);

/* kconf-preproc.c: the macro language */
struct kconf_pp_opts {
	const char *cache_dir;		/* NULL/"" : no cache */
	const char *workdir;		/* cwd for shell commands */
	struct kt_map *env;		/* overrides: name -> char * */
	const char *toolchain_id;	/* mixed into the cache file name */
};
struct kconf_pp *kconf__pp_new(struct kconf_tree *t,
			       const struct kconf_pp_opts *o);
void kconf__pp_free(struct kconf_pp *pp);
/* The lexer tells the preprocessor where it is (for errors, $(lineno)). */
void kconf__pp_set_pos(struct kconf_pp *pp, const char *file, int line);
/*
 * Returns a malloc'ed string, or NULL after an error (see pp_error). An
 * allocation failure is an error too: it is recorded on the tree
 * (kconf__nomem) and pp_error reads "out of memory", so an expansion can
 * never come back shorter than it is.
 */
char *kconf__pp_expand_string(struct kconf_pp *pp, const char *in);
char *kconf__pp_expand_dollar(struct kconf_pp *pp, const char **str);
char *kconf__pp_expand_token(struct kconf_pp *pp, const char **str);
int kconf__pp_var_add(struct kconf_pp *pp, const char *name,
		      const char *value, int flavor);
const char *kconf__pp_error(const struct kconf_pp *pp); /* NULL: none */
int kconf__pp_save_cache(struct kconf_pp *pp);
enum { KCONF_VAR_RECURSIVE, KCONF_VAR_SIMPLE, KCONF_VAR_APPEND };

#define kconf__container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
static inline struct kconf_iprop *kconf__iprop(const struct kconf_prop *p)
{
	return kconf__container_of(p, struct kconf_iprop, pub);
}

#endif

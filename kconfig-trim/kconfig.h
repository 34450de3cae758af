/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kconfig.h - ktrim's Kconfig engine and the trimmer built on it.
 *
 * The engine parses a kernel tree's Kconfig files (with the preprocessor),
 * evaluates symbols with the semantics of the kernel's own scripts/kconfig
 * (conf), and reads/writes .config files in conf's exact format.
 *
 * Ownership:
 *  - struct kconf_tree owns every symbol, property, menu node and every
 *    expression reachable from them. Pointers returned by kconf_sym_*,
 *    kconf_prop fields and kconf_tree_* accessors stay valid until
 *    kconf_tree_free(); the caller never frees them.
 *  - Expressions the caller builds (kconf_expr_alloc_*, kconf_expr_copy,
 *    kconf_expr_parse) belong to the caller and are released with
 *    kconf_expr_free(). They may point at tree symbols, so free them before
 *    the tree. The alloc helpers take ownership of sub-expressions passed
 *    in.
 *  - Strings returned by value accessors (kconf_sym_value ...) are owned by
 *    the tree and may change on the next kconf_sym_set_user/kconf_resolve.
 *  - Errors: functions returning int give 0 on success or a negative errno.
 *    When a struct kt_str *err is given, a message is appended, for input
 *    problems in the form "file:line: message".
 *  - Out of memory: the engine never aborts and never hands out a value
 *    computed after an allocation failed. A failure inside the tree is
 *    recorded on it and is sticky (kconf_tree_error(); it is also logged
 *    once with kt_err). The entry points that compute or produce results
 *    check it and fail with -ENOMEM (with "out of memory" in @err where
 *    there is one): kconf_tree_load (which frees the half-loaded tree),
 *    kconf_expr_parse, kconf_sym_set_user, kconf_resolve,
 *    kconf_config_read/_read_buf, kconf_config_format/_write (nothing is
 *    written, an existing file stays as it was), kconf_olddefconfig, and
 *    the trimmer's kconf_trim_solve and kconf_trim_report_write. A macro
 *    expansion that runs out of memory is a load error, never a shorter
 *    value. The accessors that return values cannot report it, so after
 *    -ENOMEM from any of these treat the tree as good only for
 *    kconf_tree_free().
 *
 * Values: a symbol carries an optional user value (from a .config or
 * kconf_sym_set_user) and a current value computed by kconf_resolve() the
 * way conf does (visibility, defaults in order, select/imply, choices,
 * ranges, m capped to y when MODULES is off). Setting a user value does not
 * recompute anything until kconf_resolve() is called.
 *
 * Not thread safe: one tree per thread.
 */
#ifndef KTRIM_KCONFIG_H
#define KTRIM_KCONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "common/common.h"

struct kconf_tree;
struct kconf_sym;

enum kconf_tristate {
	KCONF_N = 0,
	KCONF_M = 1,
	KCONF_Y = 2,
};

enum kconf_type {
	KCONF_UNKNOWN = 0,	/* referenced but never given a type */
	KCONF_BOOL,
	KCONF_TRISTATE,
	KCONF_INT,
	KCONF_HEX,
	KCONF_STRING,
};

/* "bool", "tristate", "int", "hex", "string", "unknown" */
const char *kconf_type_name(enum kconf_type type);

/* ---- expressions ------------------------------------------------------ */

enum kconf_expr_op {
	KCONF_E_SYMBOL,		/* sym */
	KCONF_E_NOT,		/* !l */
	KCONF_E_AND,		/* l && r */
	KCONF_E_OR,		/* l || r */
	KCONF_E_EQUAL,		/* sym = sym2 */
	KCONF_E_UNEQUAL,	/* sym != sym2 */
	KCONF_E_LTH,		/* sym < sym2 */
	KCONF_E_LEQ,		/* sym <= sym2 */
	KCONF_E_GTH,		/* sym > sym2 */
	KCONF_E_GEQ,		/* sym >= sym2 */
};

/*
 * A plain tree; NULL stands for "y" (no condition) everywhere an
 * expression is optional. Comparison operands are symbols: constants such
 * as "64" or "y" are constant symbols (kconf_sym_is_const()).
 */
struct kconf_expr {
	enum kconf_expr_op op;
	struct kconf_expr *l, *r;
	struct kconf_sym *sym, *sym2;
};

/*
 * Out of memory: the alloc helpers and kconf_expr_copy free what they were
 * given, record -ENOMEM on the tree of the symbols involved and return
 * NULL. NULL reads as "y", so check kconf_tree_error() before trusting an
 * expression built by hand.
 */
struct kconf_expr *kconf_expr_alloc_sym(struct kconf_sym *sym);
struct kconf_expr *kconf_expr_alloc_not(struct kconf_expr *e);
/* NULL operands are "y": and(NULL, b) returns b, or(NULL, b) returns NULL. */
struct kconf_expr *kconf_expr_alloc_and(struct kconf_expr *a,
					struct kconf_expr *b);
struct kconf_expr *kconf_expr_alloc_or(struct kconf_expr *a,
				       struct kconf_expr *b);
struct kconf_expr *kconf_expr_alloc_comp(enum kconf_expr_op op,
					 struct kconf_sym *a,
					 struct kconf_sym *b);
struct kconf_expr *kconf_expr_copy(const struct kconf_expr *e);
void kconf_expr_free(struct kconf_expr *e);
/* Kconfig syntax, minimal parentheses; NULL prints as "y". */
int kconf_expr_print(const struct kconf_expr *e, struct kt_str *out);
bool kconf_expr_contains_sym(const struct kconf_expr *e,
			     const struct kconf_sym *sym);
/*
 * Parse Kconfig expression syntax ("FOO && (BAR || BAZ=m)") against the
 * tree's symbols; unknown words become constant symbols, as in Kconfig.
 */
int kconf_expr_parse(struct kconf_tree *tree, const char *text,
		     struct kconf_expr **out, struct kt_str *err);
/* Evaluate with the symbols' current values (resolving lazily). */
enum kconf_tristate kconf_expr_eval(const struct kconf_expr *e);

/*
 * Evaluate under a hypothetical assignment: @lookup is asked for every
 * symbol the expression reads; it returns true and fills *tri and *str
 * (the string value, e.g. "y", "64") to override, or false to use the
 * symbol's current value.
 */
typedef bool (*kconf_lookup_fn)(void *ctx, const struct kconf_sym *sym,
				enum kconf_tristate *tri, const char **str);
enum kconf_tristate kconf_expr_eval_with(const struct kconf_expr *e,
					 kconf_lookup_fn lookup, void *ctx);

/* ---- loading a tree --------------------------------------------------- */

/*
 * Whose rules the engine follows where conf changed them (the tree's own,
 * by default; see kconfig-trim/README.md, "Rules by tree").
 */
enum kconf_rules {
	KCONF_RULES_AUTO,	/* from the tree's scripts/kconfig, else its
				 * version (6.11 and later: KCONF_RULES_6_11) */
	KCONF_RULES_6_1,	/* conf up to 6.10: a choice is a symbol with a
				 * mode and a remembered selection */
	KCONF_RULES_6_11,	/* conf from 6.11: a choice picks among bool
				 * members in priority order; invisible user
				 * values are kept */
};

struct kconf_load_opts {
	const char *arch;	/* ARCH; NULL: the host's, as the kernel's
				 * Makefile derives it (x86_64 -> x86) */
	const char *srcarch;	/* SRCARCH; NULL: derived from arch */
	const char *kconfig;	/* top file relative to srctree; "Kconfig" */
	const char *cc;		/* CC for $(shell,...); NULL: "gcc" */
	const char *ld;		/* LD; NULL: "ld" */
	const char *kernelversion; /* NULL: from srctree/Makefile */
	/*
	 * Directory for the $(shell,...) result cache; NULL: $KTRIM_CACHE,
	 * else $XDG_CACHE_HOME/ktrim, else ~/.cache/ktrim. "" disables it.
	 */
	const char *cache_dir;
	/* Extra NAME=VALUE environment overrides, NULL-terminated. */
	const char *const *env;
	enum kconf_rules rules;	/* KCONF_RULES_AUTO: the tree's */
};

/*
 * Parse srctree/opts->kconfig (macros expanded, shell calls run or taken
 * from the cache), finalise menus and dependencies, and check for
 * dependency loops. On a Kconfig error returns -EINVAL with
 * "file:line: message" in @err. @opts may be NULL.
 */
int kconf_tree_load(const char *srctree, const struct kconf_load_opts *opts,
		    struct kconf_tree **out, struct kt_str *err);
void kconf_tree_free(struct kconf_tree *tree);
/* 0, or -ENOMEM once an allocation failed (sticky; see the top). */
int kconf_tree_error(const struct kconf_tree *tree);

/* The rules the tree was loaded with (never KCONF_RULES_AUTO). */
enum kconf_rules kconf_tree_rules(const struct kconf_tree *tree);
/* "6.1" or "6.11", for logs. */
const char *kconf_rules_name(enum kconf_rules rules);

/* The kernel's ARCH -> SRCARCH mapping (x86_64, i386 -> x86, ...). */
const char *kconf_arch_to_srcarch(const char *arch);
/* The host's ARCH as the kernel's Makefile computes SUBARCH (static). */
const char *kconf_host_arch(void);

const char *kconf_tree_srctree(const struct kconf_tree *tree);
const char *kconf_tree_mainmenu(const struct kconf_tree *tree);
/* The symbol with `modules` (MODULES), or NULL. */
struct kconf_sym *kconf_tree_modules_sym(const struct kconf_tree *tree);
/* Number of $(shell,...) calls answered from the cache / really run. */
void kconf_tree_shell_stats(const struct kconf_tree *tree,
			    unsigned *cached, unsigned *run);

/*
 * Warnings issued so far (parse, .config reading, unmet dependencies),
 * each "file:line:warning: text" or conf's multi-line unmet-dependency
 * text. They are also logged with kt_warn.
 */
size_t kconf_tree_nwarnings(const struct kconf_tree *tree);
const char *kconf_tree_warning(const struct kconf_tree *tree, size_t i);

/* ---- symbols ---------------------------------------------------------- */

/*
 * Every non-constant symbol in order of first appearance, choices included
 * (nameless), and symbols only referenced but never defined (type
 * KCONF_UNKNOWN, kconf_sym_ndefs() == 0).
 */
size_t kconf_tree_nsyms(const struct kconf_tree *tree);
struct kconf_sym *kconf_tree_sym(const struct kconf_tree *tree, size_t i);

/* By name, with or without the CONFIG_ prefix; NULL when not found. */
struct kconf_sym *kconf_sym_lookup(const struct kconf_tree *tree,
				   const char *name);

const char *kconf_sym_name(const struct kconf_sym *sym); /* NULL: choice */
enum kconf_type kconf_sym_type(const struct kconf_sym *sym);
bool kconf_sym_is_const(const struct kconf_sym *sym);
bool kconf_sym_is_choice(const struct kconf_sym *sym);
/* Pre-5.13 `option allnoconfig_y`: allnoconfig sets it y, not n. */
bool kconf_sym_allnoconfig_y(const struct kconf_sym *sym);
/* For a choice member, its choice; else NULL. */
struct kconf_sym *kconf_sym_choice(const struct kconf_sym *sym);

/* Definition sites (config/menuconfig/choice entries), in parse order. */
size_t kconf_sym_ndefs(const struct kconf_sym *sym);
/*
 * Location of definition @i and its effective dependency there: its own
 * `depends on` AND the enclosing if/menu/choice conditions (m rewritten to
 * m && MODULES as conf does). Any out pointer may be NULL.
 */
int kconf_sym_def(const struct kconf_sym *sym, size_t i, const char **file,
		  int *line, const struct kconf_expr **dep);
/* First prompt text, or NULL when the symbol has no prompt. */
const char *kconf_sym_prompt(const struct kconf_sym *sym);
const char *kconf_sym_help(const struct kconf_sym *sym); /* NULL: none */

/*
 * The combined expressions conf evaluates: the OR of the dependencies of
 * every definition (dir_dep), the OR of "SELECTOR && cond" for every
 * select of this symbol (rev_dep), and the same for imply (implied).
 * NULL means "y" for the first and "n" for the other two.
 */
const struct kconf_expr *kconf_sym_dir_dep(const struct kconf_sym *sym);
const struct kconf_expr *kconf_sym_rev_dep(const struct kconf_sym *sym);
const struct kconf_expr *kconf_sym_implied(const struct kconf_sym *sym);

enum kconf_prop_type {
	KCONF_PROP_PROMPT,	/* text; a menuconfig's prompt included */
	KCONF_PROP_DEFAULT,	/* expr (a choice's: E_SYMBOL member) */
	KCONF_PROP_SELECT,	/* target */
	KCONF_PROP_IMPLY,	/* target */
	KCONF_PROP_RANGE,	/* lo, hi */
};

struct kconf_prop {
	enum kconf_prop_type type;
	struct kconf_sym *sym;		/* owner */
	const char *text;		/* PROMPT */
	struct kconf_expr *expr;	/* DEFAULT value */
	struct kconf_sym *target;	/* SELECT, IMPLY */
	struct kconf_sym *lo, *hi;	/* RANGE */
	struct kconf_expr *cond;	/* the `if` as written, NULL: none */
	/*
	 * What conf evaluates: cond AND the definition's dependencies (and,
	 * for prompts, enclosing `visible if`s).
	 */
	struct kconf_expr *visible;
	const char *file;
	int line;
};

/* All properties of a symbol in definition order. */
size_t kconf_sym_nprops(const struct kconf_sym *sym);
const struct kconf_prop *kconf_sym_prop(const struct kconf_sym *sym,
					size_t i);
/* Reverse lists: the select/imply properties whose target is @sym. */
size_t kconf_sym_nselected_by(const struct kconf_sym *sym);
const struct kconf_prop *kconf_sym_selected_by(const struct kconf_sym *sym,
					       size_t i);
size_t kconf_sym_nimplied_by(const struct kconf_sym *sym);
const struct kconf_prop *kconf_sym_implied_by(const struct kconf_sym *sym,
					      size_t i);

/* Choices. */
size_t kconf_choice_nmembers(const struct kconf_sym *choice);
struct kconf_sym *kconf_choice_member(const struct kconf_sym *choice,
				      size_t i);
bool kconf_choice_is_optional(const struct kconf_sym *choice);
/* The selected member after resolve, or NULL. */
struct kconf_sym *kconf_choice_selection(const struct kconf_sym *choice);

/* ---- values ----------------------------------------------------------- */

/* Current value (resolving lazily if needed). */
enum kconf_tristate kconf_sym_tristate(struct kconf_sym *sym);
/* "n"/"m"/"y" for bool/tristate, the text for int/hex/string. */
const char *kconf_sym_value(struct kconf_sym *sym);
/* Prompt visibility (n: the user cannot set it). */
enum kconf_tristate kconf_sym_visibility(struct kconf_sym *sym);
/* Current values of the combined dependency expressions. */
enum kconf_tristate kconf_sym_dir_dep_value(struct kconf_sym *sym);
enum kconf_tristate kconf_sym_rev_dep_value(struct kconf_sym *sym);
enum kconf_tristate kconf_sym_implied_value(struct kconf_sym *sym);
/* Whether conf would write the symbol to .config. */
bool kconf_sym_is_written(struct kconf_sym *sym);

/*
 * Set the user value ("y", "m", "n", "64", "0x1000", any string for string
 * symbols); -EINVAL when @value is not valid for the type. Setting a choice
 * member to "y" makes it the choice's user selection. Takes effect at the
 * next kconf_resolve().
 */
int kconf_sym_set_user(struct kconf_sym *sym, const char *value);
void kconf_sym_clear_user(struct kconf_sym *sym);
bool kconf_sym_has_user(const struct kconf_sym *sym);
/* Forget every user value (start from defaults). */
void kconf_tree_clear_user(struct kconf_tree *tree);

/* Recompute every symbol from the user values, as conf does; the tree's error. */
int kconf_resolve(struct kconf_tree *tree);

/* ---- .config ---------------------------------------------------------- */

/*
 * Replace all user values with the ones in @path and resolve, exactly as
 * conf_read() does (out-of-range values dropped, invisible ones ignored).
 * Malformed lines and unknown symbols give warnings with line numbers;
 * only an unreadable file is an error.
 */
int kconf_config_read(struct kconf_tree *tree, const char *path,
		      struct kt_str *err);
/* The same from memory; @name is used in warnings. */
int kconf_config_read_buf(struct kconf_tree *tree, const char *name,
			  const char *text, size_t len, struct kt_str *err);
/* conf's .config text (header, menu comments, "# CONFIG_X is not set"). */
int kconf_config_format(struct kconf_tree *tree, struct kt_str *out);
/* The same, written atomically with kt_atomic_write. */
int kconf_config_write(struct kconf_tree *tree, const char *path);

/* make olddefconfig: read @in, resolve, write @out atomically. */
int kconf_olddefconfig(struct kconf_tree *tree, const char *in,
		       const char *out, struct kt_str *err);

#endif

/* ---------------------------------------------------------------------------
 * Everything below is the trimmer's (issue 4), appended after the engine's
 * section so the two halves never edit the same lines.
 * ------------------------------------------------------------------------- */
#ifndef KTRIM_KCONFIG_TRIM_H
#define KTRIM_KCONFIG_TRIM_H

#include <stdbool.h>
#include <stddef.h>

#include "common/common.h"

/* ======================================================================
 * Trimming (issue 4): feature maps, recipes, solver, reasons.
 * Owner: the trimmer (scan-*.c, recipe.c, solve*.c, reason.c, explain.c).
 * ====================================================================== */

/*
 * Feature maps: what a profile fact (module, syscall, filesystem type,
 * socket family, cgroup controller, namespace) needs, derived from the
 * kernel tree's own Makefiles and sources. A feature needs the conjunction
 * of its links' symbols (outermost directory first); no links means the
 * code is always built in. The map owns every string it hands out.
 */
enum kconf_feat_kind {
	KCONF_FEAT_MODULE,	/* module or object name, '-' and '_' alike */
	KCONF_FEAT_SYSCALL,	/* "accept4"; compat ones as "compat_NAME" */
	KCONF_FEAT_FILESYSTEM,	/* file_system_type .name */
	KCONF_FEAT_SOCKET,	/* canonical AF_ name; PF_ and aliases resolve */
	KCONF_FEAT_CGROUP,	/* controller name, v1 legacy names too */
	KCONF_FEAT_NAMESPACE,	/* proc_ns_operations .name: net, uts, ... */
	/*
	 * MODULE_ALIAS*() of a module's source ("fs-overlay", "net-pf-10",
	 * "ipt_REDIRECT"), '-' and '_' alike outside [...], wildcards as
	 * written. A KCONF_FEAT_MODULE lookup that names no module falls back
	 * to these, as modprobe does.
	 */
	KCONF_FEAT_MODALIAS,
	/*
	 * The function an initcall runs ("pci_arch_init"): *_initcall(fn),
	 * module_init(fn), and the fn_init that module_*_driver(fn) and
	 * builtin_*_driver(fn) define; where it lies and what builds it.
	 * Static names can repeat: the second definition is "fn#2", and so
	 * on (kconf_featmap_lookup_nth).
	 */
	KCONF_FEAT_INITCALL,
	/*
	 * A device node by its path under /dev ("net/tun", "fuse",
	 * "loop-control"): a struct miscdevice's .nodename, else its .name.
	 * A profile's "/dev/net/tun" looks up "net/tun".
	 */
	KCONF_FEAT_DEVICE,
	/*
	 * A sysctl directory ("net.ipv4", "fs.binfmt_misc"), from the
	 * register_sysctl*() and register_net_sysctl*() calls with a literal
	 * path. A lookup of a sysctl ("net.ipv4.ip_forward") takes the
	 * longest registered directory that holds it.
	 */
	KCONF_FEAT_SYSCTL,
	KCONF_FEAT_NKINDS
};

struct kconf_feat_link {
	const char *sym;	/* symbol name without CONFIG_ */
	const char *where;	/* "fs/Makefile:12" or "net/core/x.c:40 #ifdef" */
};

struct kconf_feat {
	enum kconf_feat_kind kind;
	const char *name;
	const char *where;	/* where the feature itself is defined */
	size_t nlinks;
	const struct kconf_feat_link *links;
};

struct kconf_featmap;

/*
 * The maps for the tree at @ksrc, for @srcarch ("x86"). Served from the
 * cache in @cache_dir (NULL: $XDG_CACHE_HOME/ktrim or ~/.cache/ktrim) when
 * it is still valid (no directory, Makefile or scanned header changed),
 * else scanned and saved. @rescan forces a scan.
 */
int kconf_featmap_load(const char *ksrc, const char *srcarch,
		       const char *cache_dir, bool rescan,
		       struct kconf_featmap **out);
/* Scan only, no cache. */
int kconf_featmap_scan(const char *ksrc, const char *srcarch,
		       struct kconf_featmap **out);
void kconf_featmap_free(struct kconf_featmap *m);
/*
 * NULL when the tree defines no such feature. A module name that is no
 * module resolves as an alias: exact first, then the tree's wildcard
 * aliases (fnmatch); of several definitions the cheapest wins.
 */
const struct kconf_feat *kconf_featmap_lookup(const struct kconf_featmap *m,
					      enum kconf_feat_kind kind,
					      const char *name);
/* The @nth (0: the first) definition of @name, for names that repeat. */
const struct kconf_feat *kconf_featmap_lookup_nth(const struct kconf_featmap *m,
						  enum kconf_feat_kind kind,
						  const char *name, unsigned nth);
/* @fn for every feature of @kind, in no particular order. */
void kconf_featmap_each(const struct kconf_featmap *m, enum kconf_feat_kind kind,
			void (*fn)(const struct kconf_feat *f, void *ctx), void *ctx);
size_t kconf_featmap_count(const struct kconf_featmap *m,
			   enum kconf_feat_kind kind);
/* True when the last load came from the cache. */
bool kconf_featmap_from_cache(const struct kconf_featmap *m);
const char *kconf_feat_kind_name(enum kconf_feat_kind kind);
int kconf_feat_kind_parse(const char *s, enum kconf_feat_kind *kind);

/* ---- syscall tables ------------------------------------------------------ */

/* One native system call of a tree's table (kconfig-trim/syscalls.c). */
struct kconf_syscall {
	unsigned nr;
	char *name;	/* user space's: "openat", "fstat", "newfstatat" */
	char *entry;	/* the kernel's entry point ("sys_newfstat"); NULL if none listed */
};

/*
 * The native syscalls of @arch ("x86_64" (or "x86", NULL) or "arm64" (or
 * "aarch64")) in the kernel tree @ksrc, into @out (struct kconf_syscall,
 * sorted by number; free with kconf_syscalls_free): x86_64's
 * syscall_64.tbl; arm64's scripts/syscall.tbl with its ABIs (6.11 on) or
 * asm-generic/unistd.h under arm64's __ARCH_WANT_ macros (6.1). A bad
 * file is -EINVAL naming file:line; another arch -EOPNOTSUPP.
 */
int kconf_syscalls_read(const char *ksrc, const char *arch, struct kt_array *out,
			struct kt_str *err);
/* A "NR ABI NAME [ENTRY ...]" table file, the rows of the ABIs in @abis (NULL-terminated). */
int kconf_syscalls_read_tbl(const char *path, const char *const *abis, struct kt_array *out,
			    struct kt_str *err);
/* The number of @name in @list, or -1; the name of @nr, or NULL. */
int kconf_syscalls_nr(const struct kt_array *list, const char *name);
const char *kconf_syscalls_name(const struct kt_array *list, unsigned nr);
void kconf_syscalls_free(struct kt_array *list);

/* ---- recipes ------------------------------------------------------------ */

enum kconf_modules_policy {
	KCONF_MODULES_BUILTIN = 0,	/* everything =y, MODULES stays off */
	KCONF_MODULES_AS_NEEDED,	/* module facts =m where tristate */
};

enum kconf_req_kind {
	KCONF_REQ_SYMBOL,	/* CONFIG_X or CONFIG_X=value */
	KCONF_REQ_FEATURE,	/* socket: AF_VSOCK, module: virtio_blk, ... */
};

/* One require/forbid item; every string is owned by the item. */
struct kconf_req {
	enum kconf_req_kind kind;
	char *sym;		/* SYMBOL: name without CONFIG_ */
	char *value;		/* SYMBOL: "y", "m", "64", text; NULL: on */
	enum kconf_feat_kind feat;	/* FEATURE */
	char *name;		/* FEATURE: the fact's name */
	char *origin;		/* "recipe kvm-q35", "profile httpd" */
	char *where;		/* "recipes/targets/kvm-q35.yaml:9:5" */
	/*
	 * SYMBOL: names the symbol has had in other kernel versions
	 * ("CONFIG_MITIGATION_RETPOLINE | CONFIG_RETPOLINE"), tried in order
	 * after @sym; the first one the tree defines is required.
	 */
	struct kt_array alts;	/* char *, without CONFIG_ */
	/*
	 * An optional requirement is skipped, with @reason in the log, where
	 * the tree has none of its names; a required one that the tree lacks
	 * fails the solve with @where.
	 */
	bool optional;
	char *reason;
};

void kconf_req_release(struct kconf_req *r);
/*
 * Parse "CONFIG_X", "CONFIG_X=64", "X", "CONFIG_X | CONFIG_Y" (symbols:
 * alternatives take no value of their own, the first one's applies) or a
 * feature kind and name. Copies the strings.
 */
int kconf_req_init_symbol(struct kconf_req *r, const char *text,
			  const char *origin, const char *where);
int kconf_req_init_feature(struct kconf_req *r, enum kconf_feat_kind kind,
			   const char *name, const char *origin,
			   const char *where);
/* A deep copy of @src into @dst. */
int kconf_req_copy(struct kconf_req *dst, const struct kconf_req *src);
/* "CONFIG_X=64", "CONFIG_A | CONFIG_B" or "socket AF_VSOCK" into @out. */
void kconf_req_describe(const struct kconf_req *r, struct kt_str *out);

struct kconf_recipe {
	char *name;
	char *description;
	char *file;
	bool modules_set;
	enum kconf_modules_policy modules;
	struct kt_array require;	/* struct kconf_req */
	struct kt_array forbid;		/* struct kconf_req */
	struct kt_array includes;	/* char * file paths, as written resolved */
	/*
	 * The file as parsed, kept for positions and for the sections other
	 * components own: `boot:` belongs to the target (pipeline/target.c).
	 */
	struct kt_yaml_doc doc;
};

/*
 * Recipes in include order: includes first (depth first, each file once),
 * then the including recipe. The set owns the recipes.
 */
struct kconf_recipe_set {
	struct kt_array recipes;	/* struct kconf_recipe * */
};

void kconf_recipe_set_init(struct kconf_recipe_set *s);
void kconf_recipe_set_release(struct kconf_recipe_set *s);
/*
 * Load @what (a path to a .yaml, or a name: "kvm-q35" -> targets/,
 * "bases/container" -> bases/) and its includes, which resolve relative
 * to @recipes_dir. Unknown keys, bad items and include cycles are -EINVAL
 * with "file:line:col: message" in @err.
 */
int kconf_recipe_set_load(struct kconf_recipe_set *s, const char *recipes_dir,
			  const char *what, struct kt_str *err);
/* as-needed if any recipe in the set asks for it, else builtin. */
enum kconf_modules_policy kconf_recipe_set_modules(const struct kconf_recipe_set *s);

/* ---- reasons -------------------------------------------------------------- */

/*
 * Why each symbol has its value: a text ("required by recipe kvm-q35",
 * "dependency of CONFIG_IPV6", "selected by CONFIG_X", "default") and the
 * symbol it came through (NULL at a root). Owned by the store.
 */
struct kconf_reasons;

struct kconf_reasons *kconf_reasons_new(void);
void kconf_reasons_free(struct kconf_reasons *rs);
/* Set (or replace) the reason for @sym (name without CONFIG_). */
int kconf_reasons_set(struct kconf_reasons *rs, const char *sym,
		      const char *text, const char *via);
const char *kconf_reasons_text(const struct kconf_reasons *rs, const char *sym,
			       const char **via);
/* Read the `symbols:` section of a `ktrim config --report` file. */
int kconf_reasons_load_report(struct kconf_reasons *rs, const char *path,
			      struct kt_str *err);

/* ---- the solver ------------------------------------------------------------ */

struct kconf_trim;

struct kconf_trim_opts {
	/* NULL or "allnoconfig": start from allnoconfig; else a .config */
	const char *base;
	enum kconf_modules_policy modules;
	/* Facts that name nothing in the tree fail the solve (else: one warning). */
	bool strict;
	/*
	 * Test hook: permute the requirement and prohibition lists with this
	 * seed before solving (0: as given). The result must not change.
	 */
	unsigned long shuffle_seed;
};

/* @tree and @fm must outlive the trim; the trim owns nothing of them. */
int kconf_trim_new(struct kconf_tree *tree, const struct kconf_featmap *fm,
		   struct kconf_trim **out);
void kconf_trim_free(struct kconf_trim *t);
/* Queue a requirement or a prohibition (copied). */
int kconf_trim_require(struct kconf_trim *t, const struct kconf_req *req);
int kconf_trim_forbid(struct kconf_trim *t, const struct kconf_req *req);
/* All require/forbid items of every recipe in @s, with origin "recipe NAME". */
int kconf_trim_add_recipes(struct kconf_trim *t, const struct kconf_recipe_set *s);
/* The require/forbid items of one recipe. */
int kconf_trim_add_recipe(struct kconf_trim *t, const struct kconf_recipe *rc);

/*
 * Compute the configuration: the tree is left resolved with the result
 * (write it with kconf_config_write). -EINVAL when a requirement could not
 * be met or collides with a prohibition: @err then lists every failure,
 * conflicts with both chains.
 */
int kconf_trim_solve(struct kconf_trim *t, const struct kconf_trim_opts *opts,
		     struct kt_str *err);
/* Reasons of the last solve (owned by the trim). */
const struct kconf_reasons *kconf_trim_reasons(const struct kconf_trim *t);
size_t kconf_trim_nwarnings(const struct kconf_trim *t);
const char *kconf_trim_warning(const struct kconf_trim *t, size_t i);
/* The YAML report: counts before/after, removed by area, reasons, warnings. */
int kconf_trim_report_write(struct kconf_trim *t, const char *path);
/*
 * After a solve: what the trim took away against @reference (a distro's
 * .config for the same tree): options, drivers and filesystems removed,
 * system calls still provided that no requirement asked for, hardening
 * kept. The report then has an attack-surface section. Errors in @err
 * name the file and line.
 */
int kconf_trim_compare(struct kconf_trim *t, const char *reference, struct kt_str *err);
/* Counts of =y and =m symbols in the base and in the result. */
void kconf_trim_counts(const struct kconf_trim *t, unsigned *base_y,
		       unsigned *base_m, unsigned *y, unsigned *m);

/*
 * explain: the chain from a root requirement to @sym under the tree's
 * current values (load a .config first), using @rs when given (a report's
 * reasons) and the tree's selects/defaults/dependencies otherwise; for a
 * symbol that is off, the chain of what keeps it off, each unmet
 * dependency explained in turn down to a prohibition (with @rs: its
 * recipe's file:line), a `!X`, a user n, a choice or a missing selector.
 */
int kconf_explain(struct kconf_tree *tree, const struct kconf_reasons *rs,
		  const char *sym, struct kt_str *out);

#endif /* KTRIM_KCONFIG_TRIM_H */

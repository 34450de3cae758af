/* SPDX-License-Identifier: GPL-2.0-only */
/* solve-internal.h - the solver's state, shared by solve*.c and explain.c. */
#ifndef KTRIM_SOLVE_INTERNAL_H
#define KTRIM_SOLVE_INTERNAL_H

#include "kconfig-trim/trim-internal.h"

/* One planned value: on (tri), a value (str) or held off. */
struct plan_ent {
	struct kconf_sym *sym;
	enum kconf_tristate tri;
	char *str;		/* int/hex/string value, or NULL */
	bool off;		/* must end up n; with @via: held off by a `!X` dependency */
	struct kconf_sym *via;	/* the symbol this one was planned for */
	char *reason;
};

/* What the trim took away against a reference config (surface.c). */
struct kconf_surface {
	char *path;
	unsigned ref_y, ref_m;		/* the reference's =y and =m */
	unsigned removed;		/* on there, off here */
	unsigned drivers_removed;	/* ... defined under drivers/ */
	unsigned fs_options_removed;	/* ... defined under fs/ */
	unsigned only_here;		/* on here, off there */
	unsigned kept;			/* on in both */
	struct kt_array fs_removed;	/* const char *: filesystems it mounts, this one not */
	size_t syscalls_provided;
	struct kt_array syscalls_unused;	/* char * (owned): provided, asked for by nothing */
	struct kt_array hardening;	/* const char *: the hardening floor's symbols, on */
};

void kconf_surface_free(struct kconf_surface *s);

struct kconf_trim {
	struct kconf_tree *tree;
	const struct kconf_featmap *fm;
	enum kconf_modules_policy modules;
	char *base;
	struct kt_array reqs;		/* struct kconf_req */
	struct kt_array forbids;	/* struct kconf_req */
	struct kt_map *plan;		/* symbol key -> struct plan_ent * */
	/*
	 * What every pass of the search knows before it plans anything, so
	 * no requirement's choices depend on which requirement came first:
	 * @pins, the symbols some requirement sets or that a past pass found
	 * needed on (a `!X` branch is then no choice); @avoid, symbols a past
	 * pass planned as a dependency and the resolved tree did not keep (an
	 * || branch through them is tried last).
	 */
	struct kt_map *pins;		/* symbol key -> why it must be on (char *) */
	struct kt_map *avoid;		/* symbol key -> (void *)1 */
	struct kt_array learn_log;	/* struct learnt: in the order passes added them */
	unsigned learned;		/* pins and avoids added by this pass */
	bool mute;			/* a repeated pass: its warnings were given */
	struct kt_array journal;	/* undo log for trials */
	struct kt_map *roots;		/* symbol key -> reason text of a requirement */
	struct kt_map *base_vals;	/* name -> (void *)(tristate + 1) in the base */
	struct kconf_reasons *reasons;
	struct kt_array warnings;	/* char * */
	struct kt_array unknown;	/* char *: facts that name nothing here, this solve */
	struct kt_str why;		/* last failure text */
	int err;			/* -ENOMEM from where nothing returns it (warnf) */
	bool conflict;
	int overlay_depth;		/* select chains followed in evaluation */
	unsigned base_y, base_m, y, m;
	struct kconf_surface *surface;	/* kconf_trim_compare(), or NULL */
};

struct plan_ent *kconf_plan_get(const struct kconf_trim *t, const struct kconf_sym *s);
enum kconf_tristate kconf_trim_eval(struct kconf_trim *t, const struct kconf_expr *e);
/* Append "CONFIG_X" or "choice 'prompt' (file:line)" to @out. */
void kconf_trim_put_label(struct kt_str *out, const struct kconf_sym *s);
/*
 * The same label alone in @buf, for failure texts (where a cut label is
 * harmless); text that is kept builds with kconf_trim_put_label() and
 * checks its one string.
 */
const char *kconf_trim_sym_label(const struct kconf_sym *s, struct kt_str *buf);
/*
 * Where a requirement or prohibition stands, from "recipes/" on for the
 * shipped and installed recipes, so reports do not depend on where ktrim
 * is installed or checked out; NULL for command-line items.
 */
const char *kconf_trim_where(const struct kconf_req *q);
/* Append the planned chain from @s back to its root. */
void kconf_trim_chain(struct kconf_trim *t, struct kconf_sym *s, struct kt_str *out);
/* solve-report.c */
int kconf_trim_snapshot_base(struct kconf_trim *t);
int kconf_trim_derive_reasons(struct kconf_trim *t);
/* explain.c: the structural reason of an enabled symbol, no report needed. */
const char *kconf_explain_structural(struct kconf_sym *s, struct kconf_sym **via,
				     struct kt_str *buf);

#endif

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The recursive-dependency check conf runs after parsing: a symbol whose
 * value would depend on itself (through `depends on`, select, imply, the
 * conditions of its prompts and defaults, its default values, or its
 * choice) makes the tree unusable, and conf exits 1 with a diagnostic per
 * loop. The walk, its order and its messages follow conf's, so a tree
 * conf refuses is refused here with the same lines.
 *
 * Each symbol is walked once (KS_CHECKED); KS_CHECK marks the symbols on
 * the current path, and meeting one again is a loop. The path is a list
 * of frames living on the call stack, walked back to print the loop.
 */
#include <errno.h>
#include <string.h>

#include "kconfig-trim/kconf-internal.h"

/* Which of a symbol's expressions the walk is in (conf's stack->expr). */
enum {
	DEP_VISIBLE,		/* a property's condition (or none yet) */
	DEP_DIR,		/* depends on */
	DEP_REV,		/* selected by */
	DEP_IMPLIED,		/* implied by */
	DEP_DEFAULT,		/* a default's value */
};

struct dep_frame {
	struct dep_frame *prev, *next;
	struct kconf_sym *sym;
	struct kconf_iprop *prop;	/* NULL: none walked yet */
	int what;			/* DEP_* */
};

struct depcheck {
	struct kconf_tree *t;
	struct dep_frame *top;
	struct kt_str *out;		/* the diagnostics, conf's lines */
};

static void frame_push(struct depcheck *dc, struct dep_frame *f,
		       struct kconf_sym *sym)
{
	memset(f, 0, sizeof(*f));
	f->sym = sym;
	f->prev = dc->top;
	if (dc->top)
		dc->top->next = f;
	dc->top = f;
}

static void frame_pop(struct depcheck *dc)
{
	dc->top = dc->top->prev;
	if (dc->top)
		dc->top->next = NULL;
}

static const char *sym_label(const struct kconf_sym *s)
{
	return s->name ? s->name : "<choice>";
}

static const char *prop_type_name(const struct kconf_iprop *p)
{
	switch (p->kind) {
	case KP_PROMPT:
		return "prompt";
	case KP_DEFAULT:
		return "default";
	case KP_SELECT:
		return "select";
	case KP_IMPLY:
		return "imply";
	case KP_RANGE:
		return "range";
	case KP_MENU:
		return "menu";
	case KP_COMMENT:
		return "comment";
	}
	return "unknown";
}

/*
 * Where conf says a frame is: the property walked, else the symbol's first
 * property, which in conf is the "symbol" entry of its first definition.
 * Choices and their members are always placed at that first definition.
 * A symbol that was never defined has nothing to point at (conf would
 * crash there); "?" keeps the line readable.
 */
static void frame_site(const struct dep_frame *f, const char **file, int *line)
{
	const struct kconf_sym *s = f->sym;
	const struct kconf_menu *m;

	if (f->prop && !(s->flags & (KS_CHOICE | KS_CHOICEVAL))) {
		*file = f->prop->pub.file;
		*line = f->prop->pub.line;
		return;
	}
	if (s->menus.len) {
		m = kt_array_ptr(&s->menus, 0);
		*file = m->file;
		*line = m->line;
		return;
	}
	*file = "?";
	*line = 0;
}

/*
 * One step of a loop as conf 6.11 prints it: no positions but the
 * choice's, a member's step into its choice named as such.
 */
static void print_step611(struct depcheck *dc, const struct dep_frame *f,
			  const struct kconf_sym *next, bool first)
{
	struct kt_str *o = dc->out;
	const char *name = sym_label(f->sym), *nname = sym_label(next);

	if (first)
		kt_str_puts(o, "error: recursive dependency detected!\n");
	if (next->flags & KS_CHOICE) {
		const struct kconf_menu *m = next->menus.len ?
			kt_array_ptr(&next->menus, 0) : NULL;

		kt_str_printf(o, "\tsymbol %s is part of choice block at %s:%d\n",
			      name, m ? m->file : "?", m ? m->line : 0);
	} else if (f->what == DEP_DIR) {
		kt_str_printf(o, "\tsymbol %s depends on %s\n", name, nname);
	} else if (f->what == DEP_REV) {
		kt_str_printf(o, "\tsymbol %s is selected by %s\n", name, nname);
	} else if (f->what == DEP_IMPLIED) {
		kt_str_printf(o, "\tsymbol %s is implied by %s\n", name, nname);
	} else if (f->what == DEP_DEFAULT) {
		kt_str_printf(o, "\tsymbol %s %s value contains %s\n", name,
			      prop_type_name(f->prop), nname);
	} else {
		kt_str_printf(o, "\tsymbol %s %s is visible depending on %s\n",
			      name, f->prop ? prop_type_name(f->prop) : "unknown",
			      nname);
	}
}

/* conf's sym_check_print_recursive(): the loop ending at @last. */
static void print_loop(struct depcheck *dc, struct kconf_sym *last)
{
	struct kt_str *o = dc->out;
	struct dep_frame cv, *f;
	bool cv_pushed = false;

	/* a loop into a choice member is a loop into its choice */
	if ((last->flags & KS_CHOICEVAL) && last->choice) {
		frame_push(dc, &cv, last);
		cv_pushed = true;
		last = last->choice;
	}
	for (f = dc->top; f; f = f->prev)
		if (f->sym == last)
			break;
	if (!f) {
		kt_str_puts(o, "unexpected recursive dependency error\n");
		goto out;
	}
	for (; f; f = f->next) {
		struct kconf_sym *s = f->sym;
		const char *name = sym_label(s);
		const char *next = sym_label(f->next ? f->next->sym : last);
		const char *file;
		int line;

		if (dc->t->rules == KCONF_RULES_6_11) {
			print_step611(dc, f, f->next ? f->next->sym : last, s == last);
			continue;
		}
		frame_site(f, &file, &line);
		if (s == last)
			kt_str_printf(o, "%s:%d:error: recursive dependency detected!\n",
				      file, line);
		if (s->flags & KS_CHOICE)
			kt_str_printf(o, "%s:%d:\tchoice %s contains symbol %s\n",
				      file, line, name, next);
		else if (s->flags & KS_CHOICEVAL)
			kt_str_printf(o, "%s:%d:\tsymbol %s is part of choice %s\n",
				      file, line, name, next);
		else if (f->what == DEP_DIR)
			kt_str_printf(o, "%s:%d:\tsymbol %s depends on %s\n",
				      file, line, name, next);
		else if (f->what == DEP_REV)
			kt_str_printf(o, "%s:%d:\tsymbol %s is selected by %s\n",
				      file, line, name, next);
		else if (f->what == DEP_IMPLIED)
			kt_str_printf(o, "%s:%d:\tsymbol %s is implied by %s\n",
				      file, line, name, next);
		else if (f->what == DEP_DEFAULT)
			kt_str_printf(o, "%s:%d:\tsymbol %s %s value contains %s\n",
				      file, line, name, prop_type_name(f->prop), next);
		else
			kt_str_printf(o, "%s:%d:\tsymbol %s %s is visible depending on %s\n",
				      file, line, name,
				      f->prop ? prop_type_name(f->prop) : "symbol",
				      next);
	}
	kt_str_puts(o, "For a resolution refer to Documentation/kbuild/kconfig-language.rst\n"
		    "subsection \"Kconfig recursive dependency limitations\"\n\n");
out:
	if (cv_pushed)
		frame_pop(dc);
}

static struct kconf_sym *check_deps(struct depcheck *dc, struct kconf_sym *s);

/*
 * check_deps(), without the call for a symbol already walked and off the
 * path: that is most of the symbols an expression names, and the tree's
 * expressions (every condition carries its menu's dependencies) are large.
 */
static inline struct kconf_sym *visit(struct depcheck *dc, struct kconf_sym *s)
{
	if ((s->flags & (KS_CHECK | KS_CHECKED)) == KS_CHECKED)
		return NULL;
	return check_deps(dc, s);
}

/* The first loop through a symbol of @e outside @skip, NULL: none. */
static struct kconf_sym *check_expr(struct depcheck *dc,
				    const struct kconf_expr *e,
				    const struct kconf_expr *skip)
{
	struct kconf_sym *r;

	/* the right operand of && and || by iteration: long chains of them */
	for (; e && e != skip; e = e->r) {
		switch (e->op) {
		case KCONF_E_AND:
		case KCONF_E_OR:
			r = check_expr(dc, e->l, skip);
			if (r)
				return r;
			continue;
		case KCONF_E_NOT:
			return check_expr(dc, e->l, skip);
		case KCONF_E_SYMBOL:
			return visit(dc, e->sym);
		default:	/* comparisons */
			r = visit(dc, e->sym);
			return r ? r : visit(dc, e->sym2);
		}
	}
	return NULL;
}

/*
 * conf's sym_check_sym_deps(), in its order: direct dependencies, then
 * reverse ones, then implications, then each property's condition and a
 * default's value. A choice's defaults name its members, which is no
 * dependency, so their values are not walked.
 *
 * A condition's copy of its definition's dependencies is skipped: those
 * are terms of dir_dep, walked just before without finding a loop, so
 * each symbol there is now checked and off the path, and walking it again
 * finds nothing. conf walks them (and each definition's own "symbol"
 * property, whose condition is the same dependencies) to no effect; on the
 * real tree they are half of what there is to walk. Not for choices: they
 * have no dir_dep (as in conf), their conditions are all there is.
 */
static struct kconf_sym *check_sym_deps(struct depcheck *dc,
					struct kconf_sym *s)
{
	struct dep_frame f;
	struct kconf_sym *r;
	size_t i;

	frame_push(dc, &f, s);
	f.what = DEP_DIR;
	r = check_expr(dc, s->dir_dep, NULL);
	if (r)
		goto out;
	f.what = DEP_REV;
	r = check_expr(dc, s->rev_dep, NULL);
	if (r)
		goto out;
	f.what = DEP_IMPLIED;
	r = check_expr(dc, s->implied, NULL);
	if (r)
		goto out;
	f.what = DEP_VISIBLE;
	for (i = 0; i < s->props.len; i++) {
		struct kconf_iprop *p = kt_array_ptr(&s->props, i);

		if (p->kind == KP_SELECT || p->kind == KP_IMPLY)
			continue;
		f.prop = p;
		r = check_expr(dc, p->pub.visible,
			       (s->flags & KS_CHOICE) ? NULL : p->inherited);
		if (r)
			break;
		if (p->kind != KP_DEFAULT || (s->flags & KS_CHOICE))
			continue;
		f.what = DEP_DEFAULT;
		r = check_expr(dc, p->pub.expr, NULL);
		if (r)
			break;
		f.what = DEP_VISIBLE;
	}
out:
	frame_pop(dc);
	return r;
}

static void members_flag(struct kconf_sym *choice, uint32_t set, uint32_t clear)
{
	size_t i;

	for (i = 0; i < choice->members.len; i++) {
		struct kconf_sym *m = kt_array_ptr(&choice->members, i);

		m->flags = (m->flags | set) & ~clear;
	}
}

/*
 * A choice and its members are one node: all are on the path while any
 * is walked, so a member depending on a sibling or on the choice is a
 * loop, and a loop found into a member is reported as one into the choice.
 */
static struct kconf_sym *check_choice_deps(struct depcheck *dc,
					   struct kconf_sym *choice)
{
	struct dep_frame f;
	struct kconf_sym *r;
	size_t i;

	frame_push(dc, &f, choice);
	members_flag(choice, KS_CHECK | KS_CHECKED, 0);
	choice->flags |= KS_CHECK | KS_CHECKED;
	r = check_sym_deps(dc, choice);
	choice->flags &= ~KS_CHECK;
	for (i = 0; !r && i < choice->members.len; i++)
		r = check_sym_deps(dc, kt_array_ptr(&choice->members, i));
	members_flag(choice, 0, KS_CHECK);
	if (r && (r->flags & KS_CHOICEVAL) && r->choice == choice)
		r = choice;
	frame_pop(dc);
	return r;
}

/* conf's sym_check_deps(): the symbol a loop was found into, or NULL. */
static struct kconf_sym *check_deps(struct depcheck *dc, struct kconf_sym *s)
{
	struct kconf_tree *t = dc->t;
	struct dep_frame f;
	struct kconf_sym *r;

	if (s->flags & KS_CHECK) {
		print_loop(dc, s);
		return s;
	}
	if (s->flags & KS_CHECKED)
		return NULL;
	/* each level is a few frames of ours: a long chain would overflow */
	if (t->depth >= KCONF_MAX_DEPTH) {
		kconf__too_deep(t, sym_label(s));
		return NULL;
	}
	t->depth++;
	if ((s->flags & KS_CHOICEVAL) && s->choice) {
		/* a member is checked with its whole choice */
		frame_push(dc, &f, s);
		r = check_deps(dc, s->choice);
		frame_pop(dc);
	} else if (s->flags & KS_CHOICE) {
		r = check_choice_deps(dc, s);
	} else {
		s->flags |= KS_CHECK | KS_CHECKED;
		r = check_sym_deps(dc, s);
		s->flags &= ~KS_CHECK;
	}
	t->depth--;
	return r;
}

/* conf's menu_next(): depth first through the finalised menu tree. */
static struct kconf_menu *menu_next(struct kconf_menu *m)
{
	if (m->list)
		return m->list;
	while (m && !m->next)
		m = m->parent;
	return m ? m->next : NULL;
}

int kconf__check_deps(struct kconf_tree *t, struct kt_str *err)
{
	struct kt_str msg = KT_STR_INIT;
	struct depcheck dc = { .t = t, .out = &msg };
	struct kconf_menu *m;
	size_t i, loops = 0, len;
	int r;

	if (t->rules == KCONF_RULES_6_11) {
		/* conf 6.11 checks in menu order */
		for (m = t->rootmenu.list; m && !t->err; m = menu_next(m)) {
			if (m->sym && check_deps(&dc, m->sym))
				loops++;
		}
	} else {
		/* conf's for_all_symbols order, so loops come in its order */
		for (i = 0; i < t->calc_order.len && !t->err; i++)
			if (check_deps(&dc, kt_array_ptr(&t->calc_order, i)))
				loops++;
	}
	if (t->err) {
		r = kconf__tree_check(t, err);
		goto out;
	}
	r = kconf__str_check(t, &msg);
	if (r < 0)
		goto out;
	r = loops ? -EINVAL : 0;
	if (!loops || !err)
		goto out;
	/* conf's blocks end in a blank line; the caller ends the last one */
	len = msg.len;
	while (len && msg.buf[len - 1] == '\n')
		len--;
	if (kt_str_append(err, msg.buf, len) < 0)
		r = kconf__str_check(t, err);
out:
	kt_str_free(&msg);
	return r;
}

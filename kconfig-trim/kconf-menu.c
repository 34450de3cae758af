// SPDX-License-Identifier: GPL-2.0-only
/*
 * After parsing: push every enclosing condition (if, menu depends, choice)
 * down into each entry and property, build the reverse dependencies of
 * select and imply, decide choice membership and types, and reshape the
 * menu tree the way conf does (entries that depend on the symbol above
 * them nest under it; `if` blocks and promptless symbols are flattened).
 */
#include <stdlib.h>

#include "kconfig-trim/kconf-internal.h"

/* conf evaluates a literal m in conditions as "m && MODULES". */
struct kconf_expr *kconf__rewrite_m(struct kconf_tree *t, struct kconf_expr *e)
{
	if (!e)
		return e;
	switch (e->op) {
	case KCONF_E_NOT:
		e->l = kconf__rewrite_m(t, e->l);
		break;
	case KCONF_E_AND:
	case KCONF_E_OR:
		e->l = kconf__rewrite_m(t, e->l);
		e->r = kconf__rewrite_m(t, e->r);
		break;
	case KCONF_E_SYMBOL:
		if (e->sym == &t->sym_m)
			return kconf_expr_alloc_and(e,
				kconf_expr_alloc_sym(t->modules_sym));
		break;
	default:
		break;
	}
	return e;
}

static bool depends_on_sym(const struct kconf_expr *dep,
			   const struct kconf_sym *sym)
{
	const struct kconf_tree *t = sym->tree;

	if (!dep)
		return false;
	switch (dep->op) {
	case KCONF_E_AND:
		return depends_on_sym(dep->l, sym) || depends_on_sym(dep->r, sym);
	case KCONF_E_SYMBOL:
		return dep->sym == sym;
	case KCONF_E_EQUAL:
		return dep->sym == sym &&
		       (dep->sym2 == &t->sym_y || dep->sym2 == &t->sym_m);
	case KCONF_E_UNEQUAL:
		return dep->sym == sym && dep->sym2 == &t->sym_n;
	default:
		return false;
	}
}

static bool same_expr(const struct kconf_expr *a, const struct kconf_expr *b)
{
	if (!a || !b)
		return a == b;
	return a->op == b->op && a->sym == b->sym && a->sym2 == b->sym2 &&
	       same_expr(a->l, b->l) && same_expr(a->r, b->r);
}

/* @term is one of the &&-terms of @e */
static bool has_and_term(const struct kconf_expr *e,
			 const struct kconf_expr *term)
{
	if (!e)
		return false;
	if (e->op == KCONF_E_AND)
		return has_and_term(e->l, term) || has_and_term(e->r, term);
	return same_expr(e, term);
}

/* Every &&-term of @base is one of @dep's: @dep is @base && something. */
static bool and_terms_cover(const struct kconf_expr *dep,
			    const struct kconf_expr *base)
{
	if (!base)
		return true;
	if (base->op == KCONF_E_AND)
		return and_terms_cover(dep, base->l) &&
		       and_terms_cover(dep, base->r);
	return has_and_term(dep, base);
}

static void warn_at(struct kconf_tree *t, const char *file, int line,
		    const char *msg, const char *arg)
{
	kconf__warn(t, "%s:%d:warning: %s%s%s", file, line, msg,
		    arg ? " " : "", arg ? arg : "");
}

static void propagate(struct kconf_tree *t, struct kconf_menu *menu,
		      struct kconf_expr *parentdep)
{
	struct kconf_expr *basedep;
	size_t i, n;

	basedep = kconf__rewrite_m(t, menu->dep);
	basedep = kconf_expr_alloc_and(kconf_expr_copy(parentdep), basedep);
	menu->dep = basedep;

	n = menu->sym ? menu->sym->props.len : (menu->prompt ? 1 : 0);
	for (i = 0; i < n; i++) {
		struct kconf_iprop *p = menu->sym ?
			kt_array_ptr(&menu->sym->props, i) : menu->prompt;
		struct kconf_expr *dep, *inh;

		if (p->menu != menu)	/* handled at its own definition */
			continue;
		dep = kconf__rewrite_m(t, p->pub.visible);
		inh = kconf_expr_copy(basedep);
		dep = kconf_expr_alloc_and(inh, dep);
		p->pub.visible = dep;
		/* NULL @dep: out of memory, and @inh is gone with it */
		p->inherited = dep ? inh : NULL;
		if (p->kind == KP_SELECT || p->kind == KP_IMPLY) {
			struct kconf_sym *es = p->pub.target;
			struct kconf_expr *x = kconf_expr_alloc_and(
				kconf_expr_alloc_sym(menu->sym),
				kconf_expr_copy(dep));

			if (p->kind == KP_SELECT)
				es->rev_dep = kconf_expr_alloc_or(es->rev_dep, x);
			else
				es->implied = kconf_expr_alloc_or(es->implied, x);
		}
	}
}

static void check_props(struct kconf_tree *t, struct kconf_sym *sym)
{
	size_t i;

	for (i = 0; i < sym->props.len; i++) {
		struct kconf_iprop *p = kt_array_ptr(&sym->props, i);
		const char *f = p->pub.file;
		int l = p->pub.line;

		switch (p->kind) {
		case KP_SELECT:
		case KP_IMPLY:
			if (sym->type != KCONF_BOOL && sym->type != KCONF_TRISTATE)
				warn_at(t, f, l, "select/imply used by a symbol that is not bool or tristate:",
					sym->name);
			break;
		case KP_RANGE:
			if (sym->type != KCONF_INT && sym->type != KCONF_HEX)
				warn_at(t, f, l, "range is only allowed for int or hex symbols",
					NULL);
			break;
		case KP_DEFAULT:
			if ((sym->flags & KS_CHOICE) && p->pub.expr->sym->choice != sym)
				warn_at(t, f, l, "choice default symbol is not contained in the choice:",
					p->pub.expr->sym->name);
			break;
		default:
			break;
		}
	}
}

static void menu_finalize(struct kconf_tree *t, struct kconf_menu *parent);

/*
 * Recursion follows the menu tree and, through the entries that become
 * children of the symbol they depend on, dependency chains: bounded by
 * KCONF_MAX_DEPTH (block nesting alone is bounded by the parser).
 */
void kconf__menu_finalize(struct kconf_tree *t, struct kconf_menu *parent)
{
	if (t->depth >= KCONF_MAX_DEPTH) {
		struct kt_str where = KT_STR_INIT;

		kt_str_printf(&where, "%s:%d", parent->file ? parent->file :
			      "<root>", parent->line);
		kconf__too_deep(t, kt_str_cstr(&where));
		kt_str_free(&where);
		return;
	}
	t->depth++;
	menu_finalize(t, parent);
	t->depth--;
}

static void menu_finalize(struct kconf_tree *t, struct kconf_menu *parent)
{
	struct kconf_sym *sym = parent->sym;
	struct kconf_menu *menu, *last;
	struct kconf_expr *parentdep;
	bool choice = sym && (sym->flags & KS_CHOICE);
	bool rules611 = t->rules == KCONF_RULES_6_11;

	if (parent->list) {
		if (choice && !rules611) {
			if (sym->type == KCONF_UNKNOWN) {
				for (menu = parent->list; menu; menu = menu->next) {
					if (menu->sym && menu->sym->type != KCONF_UNKNOWN) {
						sym->type = menu->sym->type;
						break;
					}
				}
			}
			for (menu = parent->list; menu; menu = menu->next)
				if (menu->sym && menu->sym->type == KCONF_UNKNOWN)
					menu->sym->type = sym->type;
			/* the choice's mode bounds its members */
			parentdep = kconf_expr_alloc_sym(sym);
		} else {
			parentdep = parent->dep;
		}
		for (menu = parent->list; menu; menu = menu->next)
			propagate(t, menu, parentdep);
		if (parentdep != parent->dep)
			kconf_expr_free(parentdep);
		for (menu = parent->list; menu; menu = menu->next)
			kconf__menu_finalize(t, menu);
	} else if (sym) {
		bool in_choice = parent->parent && parent->parent->sym &&
				 (parent->parent->sym->flags & KS_CHOICE);

		/*
		 * Following entries that depend on this symbol become its
		 * children. conf also nests entries whose dependencies are a
		 * superset of the symbol's; outside a choice that only changes
		 * the menu shape, not values or the .config order, so it is
		 * left out there.
		 */
		last = NULL;
		/* conf 6.11 nests nothing among a choice's own entries */
		for (menu = parent->next; menu && !(rules611 && in_choice);
		     menu = menu->next) {
			struct kconf_expr *dep = menu->prompt ?
				menu->prompt->pub.visible : menu->dep;

			/*
			 * conf also nests an entry that names the symbol anyhow
			 * when its condition is the symbol's prompt condition
			 * and more (compared term by term here; conf first
			 * normalises both). Inside a choice that decides
			 * membership: a nested entry is no choice value, and a
			 * value naming a sibling would be a dependency loop.
			 */
			if (!depends_on_sym(dep, sym) &&
			    !(in_choice && kconf_expr_contains_sym(dep, sym) &&
			      and_terms_cover(dep, parent->prompt ?
					      parent->prompt->pub.visible : NULL)))
				break;
			kconf__menu_finalize(t, menu);
			menu->parent = parent;
			last = menu;
		}
		if (last) {
			parent->list = parent->next;
			parent->next = last->next;
			last->next = NULL;
		}
		sym->dir_dep = kconf_expr_alloc_or(sym->dir_dep,
						   kconf_expr_copy(parent->dep));
	}

	for (menu = parent->list; menu; menu = menu->next) {
		/* (conf 6.11 decided membership while parsing) */
		if (choice && !rules611 && menu->sym &&
		    !(menu->sym->flags & KS_CHOICEVAL)) {
			struct kconf_sym *ms = menu->sym;
			size_t i;

			ms->flags |= KS_CHOICEVAL;
			ms->choice = sym;
			kconf__push(t, &sym->members, ms);
			if (!menu->prompt)
				warn_at(t, menu->file, menu->line,
					"choice value must have a prompt", NULL);
			/* bool members of a tristate choice need it to be y */
			if (sym->type == KCONF_TRISTATE && ms->type != KCONF_TRISTATE) {
				struct kconf_expr *b = kconf_expr_alloc_comp(
					KCONF_E_EQUAL, sym, &t->sym_y);

				menu->dep = kconf_expr_alloc_and(b, menu->dep);
				for (i = 0; i < ms->props.len; i++) {
					struct kconf_iprop *p = kt_array_ptr(&ms->props, i);

					if (p->menu != menu)
						continue;
					p->pub.visible = kconf_expr_alloc_and(
						kconf_expr_copy(b), p->pub.visible);
				}
			}
		}
		/* flatten `if` blocks and children of promptless symbols */
		if (menu->list && (!menu->prompt || !menu->prompt->pub.text)) {
			for (last = menu->list;; last = last->next) {
				last->parent = parent;
				if (!last->next)
					break;
			}
			last->next = menu->next;
			menu->next = menu->list;
			menu->list = NULL;
		}
	}

	if (sym && !(sym->flags & KS_WARNED)) {
		if (sym->type == KCONF_UNKNOWN)
			warn_at(t, parent->file, parent->line,
				"config symbol defined without type", NULL);
		if (choice && !parent->prompt)
			warn_at(t, parent->file, parent->line,
				"choice must have a prompt", NULL);
		check_props(t, sym);
		sym->flags |= KS_WARNED;
	}

	/*
	 * Up to 6.10 a visible non-optional choice cannot be n: "select" it
	 * to m. From 6.11 the choice has no mode, its members decide.
	 */
	if (sym && !(choice && rules611) && !(sym->flags & KS_OPTIONAL) &&
	    parent->prompt)
		sym->rev_dep = kconf_expr_alloc_or(sym->rev_dep,
			kconf_expr_alloc_and(
				kconf_expr_copy(parent->prompt->pub.visible),
				kconf_expr_alloc_sym(&t->sym_m)));
}

bool kconf__menu_visible(struct kconf_menu *m)
{
	enum kconf_tristate vis;
	struct kconf_menu *c;

	if (!m->prompt)
		return false;
	if (m->visibility && kconf_expr_eval(m->visibility) == KCONF_N)
		return false;
	if (m->sym) {
		kconf__calc_value(m->sym);
		vis = m->prompt->vis_tri;
	} else {
		vis = m->prompt->vis_tri = kconf_expr_eval(m->prompt->pub.visible);
	}
	if (vis != KCONF_N)
		return true;
	if (!m->sym || m->sym->cur_tri == KCONF_N)
		return false;
	for (c = m->list; c; c = c->next)
		if (kconf__menu_visible(c))
			return true;
	return false;
}

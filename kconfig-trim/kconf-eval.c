// SPDX-License-Identifier: GPL-2.0-only
/*
 * The evaluator: a symbol's value is computed on demand and memoised
 * (KS_VALID), from its visibility, its user value, its defaults in order,
 * its reverse dependencies (select, imply), its choice and its range. The
 * rules are conf's, including its corner cases: m becomes y for bool
 * symbols and when MODULES is off, a visible choice member of a y choice
 * is bool, and out-of-range numbers snap to the violated bound.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kconfig-trim/kconf-internal.h"

#define TRI_AND(a, b) ((a) < (b) ? (a) : (b))
#define TRI_OR(a, b) ((a) > (b) ? (a) : (b))

static bool is_choice(const struct kconf_sym *s)
{
	return s->flags & KS_CHOICE;
}

static bool is_choice_val(const struct kconf_sym *s)
{
	return s->flags & KS_CHOICEVAL;
}

/* conf 6.11 and later: no choice modes, no tristate members */
static bool rules611(const struct kconf_sym *s)
{
	return s->tree->rules == KCONF_RULES_6_11;
}

static enum kconf_tristate prop_eval_visible(struct kconf_iprop *p)
{
	p->vis_tri = kconf_expr_eval(p->pub.visible);
	return p->vis_tri;
}

enum kconf_type kconf__sym_get_type(const struct kconf_sym *s)
{
	enum kconf_type type = s->type;

	if (type == KCONF_TRISTATE) {
		if (is_choice_val(s) && s->visible == KCONF_Y && !rules611(s))
			type = KCONF_BOOL;
		else if (s->tree->modules_val == KCONF_N)
			type = KCONF_BOOL;
	}
	return type;
}

static struct kconf_iprop *first_visible(struct kconf_sym *s, int kind)
{
	size_t i;

	for (i = 0; i < s->props.len; i++) {
		struct kconf_iprop *p = kt_array_ptr(&s->props, i);

		if (p->kind == kind && prop_eval_visible(p) != KCONF_N)
			return p;
	}
	return NULL;
}

static long long range_val(struct kconf_sym *s, int base)
{
	kconf__calc_value(s);
	if (s->type == KCONF_INT)
		base = 10;
	else if (s->type == KCONF_HEX)
		base = 16;
	return strtoll(kconf_sym_value(s), NULL, base);
}

static void validate_range(struct kconf_sym *s)
{
	struct kconf_iprop *p;
	struct kconf_sym *bound;
	int base;
	long long v, v2;

	if (s->type == KCONF_INT)
		base = 10;
	else if (s->type == KCONF_HEX)
		base = 16;
	else
		return;
	p = first_visible(s, KP_RANGE);
	if (!p)
		return;
	v = strtoll(s->cur_str, NULL, base);
	bound = p->pub.lo;
	v2 = range_val(bound, base);
	if (v >= v2) {
		bound = p->pub.hi;
		v2 = range_val(bound, base);
		if (v <= v2)
			return;
	}
	s->cur_str = kconf_sym_value(bound);
}

static void calc_visibility(struct kconf_sym *s)
{
	struct kconf_tree *t = s->tree;
	struct kconf_sym *cs = is_choice_val(s) ? s->choice : NULL;
	enum kconf_tristate tri = KCONF_N;
	size_t i;

	for (i = 0; i < s->props.len; i++) {
		struct kconf_iprop *p = kt_array_ptr(&s->props, i);

		if (!p->pub.text)
			continue;
		prop_eval_visible(p);
		/* an m member is hidden when its choice is y */
		if (cs && !rules611(s) && s->type == KCONF_TRISTATE &&
		    p->vis_tri == KCONF_M &&
		    cs->cur_tri == KCONF_Y)
			p->vis_tri = KCONF_N;
		tri = TRI_OR(tri, p->vis_tri);
	}
	if (tri == KCONF_M &&
	    (s->type != KCONF_TRISTATE || t->modules_val == KCONF_N))
		tri = KCONF_Y;
	s->visible = tri;
	if (cs)
		return;

	tri = s->dir_dep ? kconf_expr_eval(s->dir_dep) : KCONF_Y;
	if (tri == KCONF_M && kconf__sym_get_type(s) == KCONF_BOOL)
		tri = KCONF_Y;
	s->dir_dep_tri = tri;

	tri = s->rev_dep ? kconf_expr_eval(s->rev_dep) : KCONF_N;
	if (tri == KCONF_M && kconf__sym_get_type(s) == KCONF_BOOL)
		tri = KCONF_Y;
	s->rev_dep_tri = tri;

	tri = s->implied ? kconf_expr_eval(s->implied) : KCONF_N;
	if (tri == KCONF_M && kconf__sym_get_type(s) == KCONF_BOOL)
		tri = KCONF_Y;
	s->implied_tri = tri;
}

static struct kconf_sym *choice_default(struct kconf_sym *cs)
{
	size_t i;

	for (i = 0; i < cs->props.len; i++) {
		struct kconf_iprop *p = kt_array_ptr(&cs->props, i);
		struct kconf_sym *d;

		if (p->kind != KP_DEFAULT || prop_eval_visible(p) == KCONF_N)
			continue;
		d = p->pub.expr->sym;
		if (d->visible != KCONF_N)
			return d;
	}
	for (i = 0; i < cs->members.len; i++) {
		struct kconf_sym *m = kt_array_ptr(&cs->members, i);

		if (m->visible != KCONF_N)
			return m;
	}
	return NULL;
}

static struct kconf_sym *calc_choice(struct kconf_sym *cs)
{
	uint32_t flags = cs->flags;
	struct kconf_sym *d;
	size_t i;

	for (i = 0; i < cs->members.len; i++) {
		struct kconf_sym *m = kt_array_ptr(&cs->members, i);

		calc_visibility(m);
		if (m->visible != KCONF_N)
			flags &= m->flags;
	}
	/* the choice keeps its user value only if every visible member has one */
	cs->flags &= flags | ~KS_DEF_USER;

	d = cs->user_choice;
	if (d && d->visible != KCONF_N)
		return d;
	d = choice_default(cs);
	if (!d)
		cs->cur_tri = KCONF_N;
	return d;
}

void kconf__choice_prio_front(struct kconf_sym *m)
{
	struct kt_array *prio = &m->choice->prio;
	size_t i;

	for (i = 0; i < prio->len && kt_array_ptr(prio, i) != m; i++)
		;
	if (i == prio->len)
		return;
	for (; i > 0; i--)
		((void **)prio->items)[i] = kt_array_ptr(prio, i - 1);
	((void **)prio->items)[0] = m;
}

static bool user_is(const struct kconf_sym *m, enum kconf_tristate v)
{
	return (m->flags & KS_DEF_USER) && m->user_tri == v;
}

/*
 * conf 6.11's sym_calc_choice(): the first visible member in priority
 * order that the user set to y; else the default unless the user set it
 * to n; else the first visible member without a user value; else the
 * visible member of least priority. Every visible member gets its value
 * here, and is computed and written.
 */
static struct kconf_sym *calc_choice611(struct kconf_sym *cs)
{
	struct kconf_sym *res = NULL, *m;
	size_t i;

	for (i = 0; i < cs->prio.len; i++) {
		m = kt_array_ptr(&cs->prio, i);
		calc_visibility(m);
		if (m->visible != KCONF_N && user_is(m, KCONF_Y)) {
			res = m;
			break;
		}
	}
	if (!res) {
		res = choice_default(cs);
		if (res && user_is(res, KCONF_N))
			res = NULL;
	}
	for (i = 0; !res && i < cs->members.len; i++) {
		m = kt_array_ptr(&cs->members, i);
		if (m->visible != KCONF_N && !(m->flags & KS_DEF_USER))
			res = m;
	}
	for (i = cs->prio.len; !res && i > 0; i--) {
		m = kt_array_ptr(&cs->prio, i - 1);
		if (m->visible != KCONF_N)
			res = m;
	}
	for (i = 0; i < cs->members.len; i++) {
		m = kt_array_ptr(&cs->members, i);
		if (m->visible == KCONF_N)
			continue;
		m->cur_tri = m == res ? KCONF_Y : KCONF_N;
		m->flags |= KS_VALID | KS_WRITE;
	}
	return res;
}

static void warn_unmet(struct kconf_sym *s)
{
	struct kt_str w = KT_STR_INIT;
	int pass;

	kt_str_printf(&w, "\nWARNING: unmet direct dependencies detected for %s\n",
		      s->name);
	kt_str_printf(&w, "  Depends on [%c]: ",
		      s->dir_dep_tri == KCONF_M ? 'm' : 'n');
	kconf_expr_print(s->dir_dep, &w);
	kt_str_puts(&w, "\n");
	for (pass = 0; pass < 2; pass++) {
		enum kconf_tristate want = pass ? KCONF_M : KCONF_Y;
		bool header = false;
		size_t i;

		for (i = 0; i < s->selected_by.len; i++) {
			struct kconf_iprop *p = kt_array_ptr(&s->selected_by, i);
			struct kconf_expr *e;

			e = kconf_expr_alloc_and(
				kconf_expr_alloc_sym(p->pub.sym),
				kconf_expr_copy(p->pub.visible));
			if (kconf_expr_eval(e) == want) {
				if (!header)
					kt_str_printf(&w, "  Selected by [%c]:\n",
						      pass ? 'm' : 'y');
				header = true;
				kt_str_puts(&w, "  - ");
				kconf_expr_print(e, &w);
				kt_str_puts(&w, "\n");
			}
			kconf_expr_free(e);
		}
	}
	/* a warning is part of the result: a cut one is an error */
	if (kconf__str_check(s->tree, &w) == 0)
		kconf__warn(s->tree, "%s", kt_str_cstr(&w));
	kt_str_free(&w);
}

static void calc_value(struct kconf_sym *s);

void kconf__calc_value(struct kconf_sym *s)
{
	struct kconf_tree *t;

	if (!s || (s->flags & KS_VALID))
		return;
	t = s->tree;
	s->flags |= KS_VALID;
	/* each level waits on the next: a chain too long would overflow */
	if (t->depth >= KCONF_MAX_DEPTH) {
		kconf__too_deep(t, s->name ? s->name : "<choice>");
		return;
	}
	t->depth++;
	calc_value(s);
	t->depth--;
}

static void calc_value(struct kconf_sym *s)
{
	struct kconf_tree *t = s->tree;
	enum kconf_tristate old_tri, new_tri;
	const char *new_str;
	struct kconf_sym *cs;
	struct kconf_iprop *p;
	size_t i;

	old_tri = s->cur_tri;

	switch (s->type) {
	case KCONF_INT:
	case KCONF_HEX:
	case KCONF_STRING:
	case KCONF_BOOL:
	case KCONF_TRISTATE:
		break;
	default:
		s->cur_str = s->name ? s->name : "";
		s->cur_tri = KCONF_N;
		return;
	}
	new_tri = KCONF_N;
	new_str = "";
	s->flags &= ~KS_WRITE;

	calc_visibility(s);
	if (s->visible != KCONF_N)
		s->flags |= KS_WRITE;

	/* what a recursive reference sees */
	s->cur_tri = KCONF_N;
	s->cur_str = "";
	s->cur_choice = NULL;

	switch (kconf__sym_get_type(s)) {
	case KCONF_BOOL:
	case KCONF_TRISTATE:
		if (is_choice_val(s) && rules611(s)) {
			calc_choice611(s->choice);
			new_tri = s->cur_tri;
		} else if (is_choice_val(s) && s->visible == KCONF_Y) {
			new_tri = s->choice->cur_choice == s ? KCONF_Y : KCONF_N;
		} else {
			if (s->visible != KCONF_N && (s->flags & KS_DEF_USER)) {
				new_tri = TRI_AND(s->user_tri, s->visible);
				goto calc_newval;
			}
			if (s->rev_dep_tri != KCONF_N)
				s->flags |= KS_WRITE;
			if (!is_choice(s)) {
				p = first_visible(s, KP_DEFAULT);
				if (p) {
					new_tri = TRI_AND(kconf_expr_eval(p->pub.expr),
							  p->vis_tri);
					if (new_tri != KCONF_N)
						s->flags |= KS_WRITE;
				}
				if (s->implied_tri != KCONF_N) {
					s->flags |= KS_WRITE;
					new_tri = TRI_OR(new_tri, s->implied_tri);
					new_tri = TRI_AND(new_tri, s->dir_dep_tri);
				}
			}
calc_newval:
			if (s->dir_dep_tri < s->rev_dep_tri)
				warn_unmet(s);
			new_tri = TRI_OR(new_tri, s->rev_dep_tri);
		}
		if (new_tri == KCONF_M && kconf__sym_get_type(s) == KCONF_BOOL)
			new_tri = KCONF_Y;
		break;
	case KCONF_STRING:
	case KCONF_HEX:
	case KCONF_INT:
		if (s->visible != KCONF_N && (s->flags & KS_DEF_USER)) {
			new_str = s->user_str;
			break;
		}
		p = first_visible(s, KP_DEFAULT);
		if (p && p->pub.expr->op == KCONF_E_SYMBOL) {
			struct kconf_sym *ds = p->pub.expr->sym;

			s->flags |= KS_WRITE;
			kconf__calc_value(ds);
			new_str = kconf_sym_value(ds);
		}
		break;
	default:
		break;
	}

	s->cur_tri = new_tri;
	s->cur_str = new_str;
	s->cur_choice = NULL;
	if (is_choice(s) && new_tri == KCONF_Y && !rules611(s))
		s->cur_choice = calc_choice(s);
	validate_range(s);

	if (s == t->modules_sym && old_tri != s->cur_tri)
		t->modules_val = s->cur_tri;

	if (is_choice(s) && !rules611(s)) {
		for (i = 0; i < s->members.len; i++) {
			cs = kt_array_ptr(&s->members, i);
			if ((s->flags & KS_WRITE) && cs->visible != KCONF_N)
				cs->flags |= KS_WRITE;
		}
	}
	if (s->flags & KS_NO_WRITE)
		s->flags &= ~KS_WRITE;
}

void kconf__clear_all_valid(struct kconf_tree *t)
{
	size_t i;

	for (i = 0; i < t->all.len; i++) {
		struct kconf_sym *s = kt_array_ptr(&t->all, i);

		s->flags &= ~KS_VALID;
	}
	t->changed = true;
	if (t->modules_sym)
		kconf__calc_value(t->modules_sym);
}

static bool tristate_within_range(struct kconf_sym *s, enum kconf_tristate v)
{
	enum kconf_type type = kconf__sym_get_type(s);

	if (s->visible == KCONF_N)
		return false;
	if (type != KCONF_BOOL && type != KCONF_TRISTATE)
		return false;
	if (type == KCONF_BOOL && v == KCONF_M)
		return false;
	if (s->visible <= s->rev_dep_tri)
		return false;
	if (is_choice_val(s) && s->visible == KCONF_Y && !rules611(s))
		return v == KCONF_Y;
	return v >= s->rev_dep_tri && v <= s->visible;
}

bool kconf__string_within_range(struct kconf_sym *s, const char *str)
{
	struct kconf_iprop *p;
	long long v;
	int base;

	switch (s->type) {
	case KCONF_STRING:
		return true;
	case KCONF_INT:
	case KCONF_HEX:
		if (!kconf__string_valid(s, str))
			return false;
		p = first_visible(s, KP_RANGE);
		if (!p)
			return true;
		base = s->type == KCONF_INT ? 10 : 16;
		v = strtoll(str, NULL, base);
		return v >= range_val(p->pub.lo, base) &&
		       v <= range_val(p->pub.hi, base);
	case KCONF_BOOL:
	case KCONF_TRISTATE:
		switch (str[0]) {
		case 'y': case 'Y':
			return tristate_within_range(s, KCONF_Y);
		case 'm': case 'M':
			return tristate_within_range(s, KCONF_M);
		case 'n': case 'N':
			return tristate_within_range(s, KCONF_N);
		}
		return false;
	default:
		return false;
	}
}

/* ---- public value API ------------------------------------------------ */

enum kconf_tristate kconf_sym_tristate(struct kconf_sym *sym)
{
	kconf__calc_value(sym);
	return sym->cur_tri;
}

const char *kconf_sym_value(struct kconf_sym *sym)
{
	kconf__calc_value(sym);
	switch (sym->type) {
	case KCONF_BOOL:
	case KCONF_TRISTATE:
		return sym->cur_tri == KCONF_Y ? "y" :
		       sym->cur_tri == KCONF_M ? "m" : "n";
	case KCONF_UNKNOWN:
		return sym->name ? sym->name : "";
	default:
		return sym->cur_str ? sym->cur_str : "";
	}
}

enum kconf_tristate kconf_sym_visibility(struct kconf_sym *sym)
{
	kconf__calc_value(sym);
	return sym->visible;
}

enum kconf_tristate kconf_sym_dir_dep_value(struct kconf_sym *sym)
{
	kconf__calc_value(sym);
	return sym->dir_dep_tri;
}

enum kconf_tristate kconf_sym_rev_dep_value(struct kconf_sym *sym)
{
	kconf__calc_value(sym);
	return sym->rev_dep_tri;
}

enum kconf_tristate kconf_sym_implied_value(struct kconf_sym *sym)
{
	kconf__calc_value(sym);
	return sym->implied_tri;
}

bool kconf_sym_is_written(struct kconf_sym *sym)
{
	kconf__calc_value(sym);
	return sym->flags & KS_WRITE;
}

bool kconf_sym_has_user(const struct kconf_sym *sym)
{
	return sym->flags & KS_DEF_USER;
}

static void drop_user_str(struct kconf_sym *s)
{
	/*
	 * The current value may still point at it until the next resolve;
	 * when it cannot be kept for later it is leaked, not freed.
	 */
	if (s->user_str)
		kconf__push(s->tree, &s->tree->garbage, s->user_str);
	s->user_str = NULL;
}

void kconf_sym_clear_user(struct kconf_sym *sym)
{
	sym->flags &= ~KS_DEF_USER;
	sym->user_tri = KCONF_N;
	sym->user_choice = NULL;
	drop_user_str(sym);
}

void kconf_tree_clear_user(struct kconf_tree *tree)
{
	size_t i;

	for (i = 0; i < tree->syms.len; i++)
		kconf_sym_clear_user(kt_array_ptr(&tree->syms, i));
}

int kconf_sym_set_user(struct kconf_sym *sym, const char *value)
{
	struct kconf_sym *cs;
	size_t i;

	if (sym->tree->err)
		return sym->tree->err;
	if ((sym->flags & KS_CONST) || is_choice(sym) || !value ||
	    !kconf__string_valid(sym, value))
		return -EINVAL;
	switch (sym->type) {
	case KCONF_BOOL:
	case KCONF_TRISTATE:
		sym->user_tri = (value[0] == 'y' || value[0] == 'Y') ? KCONF_Y :
				(value[0] == 'm' || value[0] == 'M') ? KCONF_M :
				KCONF_N;
		if (sym->type == KCONF_BOOL && sym->user_tri == KCONF_M)
			sym->user_tri = KCONF_Y;
		break;
	default:
		drop_user_str(sym);
		if (sym->type == KCONF_HEX && !(value[0] == '0' &&
		    (value[1] == 'x' || value[1] == 'X'))) {
			if (asprintf(&sym->user_str, "0x%s", value) < 0)
				sym->user_str = NULL;
		} else {
			sym->user_str = strdup(value);
		}
		/* the old value is gone: the tree no longer holds what was asked */
		if (!sym->user_str) {
			sym->flags &= ~KS_DEF_USER;
			kconf__nomem(sym->tree);
			return -ENOMEM;
		}
		break;
	}
	sym->flags |= KS_DEF_USER;
	if (is_choice_val(sym) && rules611(sym)) {
		/* as .config reading does: the latest word has priority */
		kconf__choice_prio_front(sym);
	} else if (is_choice_val(sym)) {
		cs = sym->choice;
		if (sym->user_tri == KCONF_Y) {
			/* like conf's interactive set: the whole group is decided */
			cs->user_choice = sym;
			cs->user_tri = KCONF_Y;
			cs->flags |= KS_DEF_USER;
			for (i = 0; i < cs->members.len; i++) {
				struct kconf_sym *m = kt_array_ptr(&cs->members, i);

				m->flags |= KS_DEF_USER;
				if (m != sym)
					m->user_tri = KCONF_N;
			}
		} else if (sym->user_tri == KCONF_M) {
			cs->flags |= KS_DEF_USER;
			if (cs->user_tri != KCONF_Y)
				cs->user_tri = KCONF_M;
		}
	}
	return 0;
}

int kconf_resolve(struct kconf_tree *tree)
{
	size_t i;

	kconf__clear_all_valid(tree);
	for (i = 0; i < tree->calc_order.len; i++)
		kconf__calc_value(kt_array_ptr(&tree->calc_order, i));
	return tree->err;
}

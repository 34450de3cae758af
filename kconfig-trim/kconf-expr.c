// SPDX-License-Identifier: GPL-2.0-only
/*
 * Expression trees: construction, copies, printing and evaluation with
 * conf's rules (tristate logic, and typed comparisons that fall back to
 * string comparison when either side is not a number).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kconfig-trim/kconf-internal.h"

/* The tree an expression belongs to: every expression has a symbol leaf. */
static struct kconf_tree *expr_tree(const struct kconf_expr *e)
{
	while (e && (e->op == KCONF_E_NOT || e->op == KCONF_E_AND ||
		     e->op == KCONF_E_OR))
		e = e->l;
	return e && e->sym ? e->sym->tree : NULL;
}

/*
 * NULL when out of memory, after recording it on @t: NULL also means "y",
 * so the failure must be on the tree for the entry points to refuse the
 * result (kconf-internal.h).
 */
static struct kconf_expr *expr_new(struct kconf_tree *t, enum kconf_expr_op op)
{
	struct kconf_expr *e = calloc(1, sizeof(*e));

	if (!e && t)
		kconf__nomem(t);
	if (e)
		e->op = op;
	return e;
}

struct kconf_expr *kconf_expr_alloc_sym(struct kconf_sym *sym)
{
	struct kconf_expr *e = expr_new(sym ? sym->tree : NULL, KCONF_E_SYMBOL);

	if (e)
		e->sym = sym;
	return e;
}

struct kconf_expr *kconf_expr_alloc_not(struct kconf_expr *l)
{
	struct kconf_expr *e = expr_new(expr_tree(l), KCONF_E_NOT);

	if (!e)
		kconf_expr_free(l);
	else
		e->l = l;
	return e;
}

/* Both helpers treat NULL as "no expression" and keep the other side. */
static struct kconf_expr *alloc_two(enum kconf_expr_op op,
				    struct kconf_expr *a, struct kconf_expr *b)
{
	struct kconf_expr *e;

	if (!a)
		return b;
	if (!b)
		return a;
	e = expr_new(expr_tree(a), op);
	if (!e) {
		kconf_expr_free(a);
		kconf_expr_free(b);
		return NULL;
	}
	e->l = a;
	e->r = b;
	return e;
}

struct kconf_expr *kconf_expr_alloc_and(struct kconf_expr *a,
					struct kconf_expr *b)
{
	return alloc_two(KCONF_E_AND, a, b);
}

struct kconf_expr *kconf_expr_alloc_or(struct kconf_expr *a,
				       struct kconf_expr *b)
{
	return alloc_two(KCONF_E_OR, a, b);
}

struct kconf_expr *kconf_expr_alloc_comp(enum kconf_expr_op op,
					 struct kconf_sym *a,
					 struct kconf_sym *b)
{
	struct kconf_expr *e = expr_new(a ? a->tree : NULL, op);

	if (e) {
		e->sym = a;
		e->sym2 = b;
	}
	return e;
}

struct kconf_expr *kconf_expr_copy(const struct kconf_expr *e)
{
	struct kconf_expr *c;

	if (!e)
		return NULL;
	c = expr_new(expr_tree(e), e->op);
	if (!c)
		return NULL;
	c->sym = e->sym;
	c->sym2 = e->sym2;
	c->l = kconf_expr_copy(e->l);
	c->r = kconf_expr_copy(e->r);
	/* no half copies: a missing operand would read as "y" */
	if ((e->l && !c->l) || (e->r && !c->r)) {
		kconf_expr_free(c);
		return NULL;
	}
	return c;
}

void kconf_expr_free(struct kconf_expr *e)
{
	if (!e)
		return;
	kconf_expr_free(e->l);
	kconf_expr_free(e->r);
	free(e);
}

bool kconf_expr_contains_sym(const struct kconf_expr *e,
			     const struct kconf_sym *sym)
{
	if (!e)
		return false;
	switch (e->op) {
	case KCONF_E_NOT:
		return kconf_expr_contains_sym(e->l, sym);
	case KCONF_E_AND:
	case KCONF_E_OR:
		return kconf_expr_contains_sym(e->l, sym) ||
		       kconf_expr_contains_sym(e->r, sym);
	default:
		return e->sym == sym || e->sym2 == sym;
	}
}

static int prec(enum kconf_expr_op op)
{
	switch (op) {
	case KCONF_E_OR:
		return 1;
	case KCONF_E_AND:
		return 2;
	case KCONF_E_NOT:
		return 3;
	default:
		return 4;
	}
}

static void print_sym(const struct kconf_sym *s, struct kt_str *out)
{
	const char *p;

	if (!s->name) {
		kt_str_puts(out, "<choice>");
		return;
	}
	for (p = s->name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
			break;
	if ((s->flags & KS_CONST) && (*p || !*s->name) &&
	    s != &s->tree->sym_y && s != &s->tree->sym_m &&
	    s != &s->tree->sym_n)
		kt_str_printf(out, "\"%s\"", s->name);
	else
		kt_str_puts(out, s->name);
}

static void print_rec(const struct kconf_expr *e, int outer,
		      struct kt_str *out)
{
	static const char *const ops[] = {
		[KCONF_E_EQUAL] = "=", [KCONF_E_UNEQUAL] = "!=",
		[KCONF_E_LTH] = "<", [KCONF_E_LEQ] = "<=",
		[KCONF_E_GTH] = ">", [KCONF_E_GEQ] = ">=",
	};
	bool paren = prec(e->op) < outer;

	if (paren)
		kt_str_putc(out, '(');
	switch (e->op) {
	case KCONF_E_SYMBOL:
		print_sym(e->sym, out);
		break;
	case KCONF_E_NOT:
		kt_str_putc(out, '!');
		print_rec(e->l, prec(KCONF_E_NOT), out);
		break;
	case KCONF_E_AND:
	case KCONF_E_OR:
		print_rec(e->l, prec(e->op), out);
		kt_str_puts(out, e->op == KCONF_E_AND ? " && " : " || ");
		/* same-operator chains need no parentheses on the right */
		print_rec(e->r, prec(e->op), out);
		break;
	default:
		print_sym(e->sym, out);
		kt_str_puts(out, ops[e->op]);
		print_sym(e->sym2, out);
		break;
	}
	if (paren)
		kt_str_putc(out, ')');
}

int kconf_expr_print(const struct kconf_expr *e, struct kt_str *out)
{
	if (!e)
		return kt_str_puts(out, "y");
	print_rec(e, 0, out);
	return kt_str_error(out);
}

/* ---- evaluation ------------------------------------------------------ */

struct eval_ctx {
	kconf_lookup_fn lookup;
	void *ctx;
};

static const char *tri_str(enum kconf_tristate t)
{
	return t == KCONF_Y ? "y" : t == KCONF_M ? "m" : "n";
}

static void sym_val(const struct eval_ctx *c, struct kconf_sym *s,
		    enum kconf_tristate *tri, const char **str)
{
	if (c && c->lookup && c->lookup(c->ctx, s, tri, str)) {
		if (!*str)
			*str = tri_str(*tri);
		return;
	}
	kconf__calc_value(s);
	*tri = s->cur_tri;
	*str = kconf_sym_value(s);
}

enum kind { K_STRING, K_SIGNED, K_UNSIGNED };

static enum kind parse_num(const char *str, enum kconf_type type,
			   long long *sv, unsigned long long *uv)
{
	char *tail;
	enum kind k;

	errno = 0;
	switch (type) {
	case KCONF_BOOL:
	case KCONF_TRISTATE:
		*sv = !strcmp(str, "n") ? 0 : !strcmp(str, "m") ? 1 :
		      !strcmp(str, "y") ? 2 : -1;
		return K_SIGNED;
	case KCONF_INT:
		*sv = strtoll(str, &tail, 10);
		k = K_SIGNED;
		break;
	case KCONF_HEX:
		*uv = strtoull(str, &tail, 16);
		k = K_UNSIGNED;
		break;
	default:
		*sv = strtoll(str, &tail, 0);
		k = K_SIGNED;
		break;
	}
	/* conf accepts a number only if the whole text was consumed */
	if (!errno && !*tail && tail > str && isxdigit((unsigned char)tail[-1]))
		return k;
	return K_STRING;
}

static enum kconf_tristate eval(const struct kconf_expr *e,
				const struct eval_ctx *c)
{
	enum kconf_tristate a, b;
	const char *s1, *s2;
	long long l1 = 0, l2 = 0;
	unsigned long long u1 = 0, u2 = 0;
	enum kind k1 = K_STRING, k2 = K_STRING;
	int res;

	if (!e)
		return KCONF_Y;
	switch (e->op) {
	case KCONF_E_SYMBOL:
		sym_val(c, e->sym, &a, &s1);
		return a;
	case KCONF_E_AND:
		a = eval(e->l, c);
		b = eval(e->r, c);
		return a < b ? a : b;
	case KCONF_E_OR:
		a = eval(e->l, c);
		b = eval(e->r, c);
		return a > b ? a : b;
	case KCONF_E_NOT:
		return KCONF_Y - eval(e->l, c);
	default:
		break;
	}
	sym_val(c, e->sym, &a, &s1);
	sym_val(c, e->sym2, &b, &s2);
	if (e->sym->type != KCONF_STRING || e->sym2->type != KCONF_STRING) {
		k1 = parse_num(s1, e->sym->type, &l1, &u1);
		k2 = parse_num(s2, e->sym2->type, &l2, &u2);
	}
	if (k1 == K_STRING || k2 == K_STRING) {
		res = strcmp(s1, s2);
	} else if (k1 == K_UNSIGNED || k2 == K_UNSIGNED) {
		/* a signed side is read through the same bits, as conf does */
		if (k1 == K_SIGNED)
			u1 = (unsigned long long)l1;
		if (k2 == K_SIGNED)
			u2 = (unsigned long long)l2;
		res = (u1 > u2) - (u1 < u2);
	} else {
		res = (l1 > l2) - (l1 < l2);
	}
	switch (e->op) {
	case KCONF_E_EQUAL:
		return res ? KCONF_N : KCONF_Y;
	case KCONF_E_UNEQUAL:
		return res ? KCONF_Y : KCONF_N;
	case KCONF_E_LTH:
		return res < 0 ? KCONF_Y : KCONF_N;
	case KCONF_E_LEQ:
		return res <= 0 ? KCONF_Y : KCONF_N;
	case KCONF_E_GTH:
		return res > 0 ? KCONF_Y : KCONF_N;
	case KCONF_E_GEQ:
		return res >= 0 ? KCONF_Y : KCONF_N;
	default:
		return KCONF_N;
	}
}

enum kconf_tristate kconf_expr_eval(const struct kconf_expr *e)
{
	return eval(e, NULL);
}

enum kconf_tristate kconf_expr_eval_with(const struct kconf_expr *e,
					 kconf_lookup_fn lookup, void *ctx)
{
	struct eval_ctx c = { lookup, ctx };

	return eval(e, &c);
}

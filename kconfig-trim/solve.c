// SPDX-License-Identifier: GPL-2.0-only
/*
 * The solver: from required symbols and features to the smallest valid
 * configuration.
 *
 * The base is allnoconfig (every prompted bool/tristate the user could
 * switch is n) or a given .config with the same treatment, so built-ins go
 * too. On top of it we plan: each requirement is enabled and its
 * dependencies satisfied the cheapest way (an || branch that is already on,
 * else the one needing the fewest new symbols; a promptless symbol through
 * its default or a selector). The plan becomes user values, the engine
 * resolves exactly as conf would, and we check every planned value and
 * every requirement (each symbol of a feature's chain included) against
 * the resolved tree. Where values moved under the plan (a default that
 * changed, a choice that moved, or a prompt the plan made visible: EXPERT
 * shows the prompts of options that were on only by `default y`, and from
 * allnoconfig they become n), another round plans them again from the new
 * values, as explicit ones. Rounds stop when everything holds or a round
 * changes nothing; what still misses is listed and the solve fails.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kconfig-trim/solve-internal.h"

static const char *sym_key(const struct kconf_sym *s, char *buf, size_t n)
{
	const char *name = kconf_sym_name(s);

	if (name)
		return name;
	snprintf(buf, n, "<choice@%p>", (const void *)s);
	return buf;
}

void kconf_trim_put_label(struct kt_str *out, const struct kconf_sym *s)
{
	const char *name = kconf_sym_name(s);
	const char *file = NULL;
	int line = 0;

	if (name) {
		kt_str_printf(out, "CONFIG_%s", name);
	} else {
		kconf_sym_def(s, 0, &file, &line, NULL);
		kt_str_printf(out, "choice '%s' (%s:%d)",
			      kconf_sym_prompt(s) ? kconf_sym_prompt(s) : "?",
			      file ? file : "?", line);
	}
}

const char *kconf_trim_sym_label(const struct kconf_sym *s, struct kt_str *buf)
{
	kt_str_reset(buf);
	kconf_trim_put_label(buf, s);
	return kt_str_cstr(buf);
}

static void plan_ent_free(void *p)
{
	struct plan_ent *e = p;

	if (!e)
		return;
	free(e->str);
	free(e->reason);
	free(e);
}

struct plan_ent *kconf_plan_get(const struct kconf_trim *t,
				const struct kconf_sym *s)
{
	char buf[48];

	return kt_map_get(t->plan, sym_key(s, buf, sizeof(buf)));
}

/* Journal entries let a failed || branch or selector trial be undone. */
struct journal_ent {
	char *key;
	struct plan_ent *old;	/* NULL: the entry was new */
};

static int plan_put(struct kconf_trim *t, struct kconf_sym *s,
		    enum kconf_tristate tri, const char *str, bool off,
		    struct kconf_sym *via, const char *reason)
{
	char buf[48];
	const char *key = sym_key(s, buf, sizeof(buf));
	struct plan_ent *old = kt_map_get(t->plan, key);
	struct plan_ent *e = calloc(1, sizeof(*e));
	struct journal_ent j = { 0 };

	if (!e)
		return -ENOMEM;
	e->sym = s;
	e->tri = tri;
	e->off = off;
	e->via = via;
	e->str = str ? strdup(str) : NULL;
	e->reason = strdup(reason);
	j.key = strdup(key);
	if (old) {
		/* keep the old entry alive for rollback: copy it */
		j.old = calloc(1, sizeof(*j.old));
		if (j.old) {
			*j.old = *old;
			j.old->str = old->str ? strdup(old->str) : NULL;
			j.old->reason = strdup(old->reason);
		}
	}
	if (!e->reason || (str && !e->str) || !j.key || (old && !j.old) ||
	    !kt_array_push(&t->journal, &j)) {
		plan_ent_free(e);
		plan_ent_free(j.old);
		free(j.key);
		return -ENOMEM;
	}
	return kt_map_set(t->plan, key, e);
}

/* plan_put() with a reason built in a kt_str: a cut reason is -ENOMEM. */
static int plan_put_text(struct kconf_trim *t, struct kconf_sym *s,
			 enum kconf_tristate tri, bool off, struct kconf_sym *via,
			 const struct kt_str *reason)
{
	int r = kt_str_error(reason);

	return r < 0 ? r : plan_put(t, s, tri, NULL, off, via, kt_str_cstr(reason));
}

static size_t journal_mark(const struct kconf_trim *t)
{
	return t->journal.len;
}

static void journal_rollback(struct kconf_trim *t, size_t mark)
{
	while (t->journal.len > mark) {
		struct journal_ent *j = kt_array_at(&t->journal, t->journal.len - 1);

		if (j->old)
			kt_map_set(t->plan, j->key, j->old);
		else
			kt_map_del(t->plan, j->key);
		free(j->key);
		t->journal.len--;
	}
}

static void journal_clear(struct kconf_trim *t)
{
	for (size_t i = 0; i < t->journal.len; i++) {
		struct journal_ent *j = kt_array_at(&t->journal, i);

		free(j->key);
		plan_ent_free(j->old);
	}
	t->journal.len = 0;
}

/* ---- what passes learn ------------------------------------------------------ */

static bool pinned(const struct kconf_trim *t, const struct kconf_sym *s)
{
	char buf[48];

	return kt_map_has(t->pins, sym_key(s, buf, sizeof(buf)));
}

static bool avoided(const struct kconf_trim *t, const struct kconf_sym *s)
{
	char buf[48];

	return kt_map_has(t->avoid, sym_key(s, buf, sizeof(buf)));
}

/* One learnt pin or avoid, so a search can go back to an earlier pass. */
struct learnt {
	char *key;
	bool avoid;
};

static void learn_add(struct kconf_trim *t, struct kt_map *set, const struct kconf_sym *s,
		      void *value, bool avoid)
{
	char buf[48];
	struct learnt l = { .key = strdup(sym_key(s, buf, sizeof(buf))), .avoid = avoid };

	if (!l.key || !kt_array_push(&t->learn_log, &l)) {
		free(l.key);
		free(avoid ? NULL : value);
		t->err = -ENOMEM;
		return;
	}
	if (kt_map_set(set, l.key, value) < 0) {
		free(avoid ? NULL : value);
		t->err = -ENOMEM;
		return;
	}
	t->learned++;
}

/* Pin @s on for the rest of the search; @why says who needs it. */
static void learn_pin(struct kconf_trim *t, const struct kconf_sym *s, const char *why)
{
	char *v;

	if (pinned(t, s))
		return;
	v = strdup(why);
	if (!v) {
		t->err = -ENOMEM;
		return;
	}
	learn_add(t, t->pins, s, v, false);
}

static void learn_avoid(struct kconf_trim *t, const struct kconf_sym *s)
{
	if (!avoided(t, s))
		learn_add(t, t->avoid, s, (void *)1, true);
}

/* Forget what was learnt after @mark: the search goes back to that pass. */
static void learn_rollback(struct kconf_trim *t, size_t mark)
{
	while (t->learn_log.len > mark) {
		struct learnt *l = kt_array_at(&t->learn_log, t->learn_log.len - 1);

		kt_map_del(l->avoid ? t->avoid : t->pins, l->key);
		free(l->key);
		t->learn_log.len--;
	}
}

/* ---- evaluation under the plan ------------------------------------------ */

static bool overlay_lookup(void *ctx, const struct kconf_sym *s,
			   enum kconf_tristate *tri, const char **str)
{
	struct kconf_trim *t = ctx;
	const struct plan_ent *e = kconf_plan_get(t, s);
	static const char *const names[] = { "n", "m", "y" };

	if (!e) {
		/*
		 * What planned symbols select will be on whatever its
		 * dependencies say; follow selects a few levels deep.
		 */
		const struct kconf_expr *rev = kconf_sym_rev_dep(s);
		enum kconf_tristate v;

		if (!rev || t->overlay_depth >= 4)
			return false;
		t->overlay_depth++;
		v = kconf_expr_eval_with(rev, overlay_lookup, t);
		t->overlay_depth--;
		if (v == KCONF_N || v <= kconf_sym_tristate((struct kconf_sym *)s))
			return false;
		*tri = v;
		*str = names[v];
		return true;
	}
	if (e->off) {
		*tri = KCONF_N;
		*str = "n";
	} else if (e->str) {
		*tri = KCONF_N;
		*str = e->str;
	} else {
		*tri = e->tri;
		*str = names[e->tri];
	}
	return true;
}

enum kconf_tristate kconf_trim_eval(struct kconf_trim *t, const struct kconf_expr *e)
{
	if (!e)
		return KCONF_Y;
	return kconf_expr_eval_with(e, overlay_lookup, t);
}

static enum kconf_tristate sym_now(struct kconf_trim *t, struct kconf_sym *s)
{
	struct kconf_expr e = { .op = KCONF_E_SYMBOL, .sym = s };

	return kconf_trim_eval(t, &e);
}

/* ---- failure texts --------------------------------------------------------- */

static void fail(struct kconf_trim *t, const char *fmt, ...) KT_PRINTF(2, 3);
static void fail(struct kconf_trim *t, const char *fmt, ...)
{
	va_list ap;

	kt_str_reset(&t->why);
	va_start(ap, fmt);
	kt_str_vprintf(&t->why, fmt, ap);
	va_end(ap);
}

/* "CONFIG_A <- dependency of CONFIG_B <- required by recipe x" */
void kconf_trim_chain(struct kconf_trim *t, struct kconf_sym *s, struct kt_str *out)
{
	for (int depth = 0; s && depth < 64; depth++) {
		const struct plan_ent *e = kconf_plan_get(t, s);

		if (depth)
			kt_str_puts(out, " <- ");
		kconf_trim_put_label(out, s);
		if (!e)
			break;
		kt_str_printf(out, " (%s)", e->reason);
		s = e->via;
	}
}

static int conflict(struct kconf_trim *t, struct kconf_sym *s, struct kconf_sym *via,
		    const char *reason)
{
	struct kt_str lab = KT_STR_INIT;

	kconf_trim_sym_label(s, &lab);
	kt_str_reset(&t->why);
	kt_str_printf(&t->why, "conflict on %s:\n    needed: %s (%s)",
		      kt_str_cstr(&lab), kt_str_cstr(&lab), reason);
	if (via) {
		kt_str_puts(&t->why, " <- ");
		kconf_trim_chain(t, via, &t->why);
	}
	kt_str_puts(&t->why, "\n    off:    ");
	kconf_trim_chain(t, s, &t->why);
	kt_str_free(&lab);
	t->conflict = true;
	return -EINVAL;
}

/*
 * A `!X` on the way to @via where X is on in the plan or pinned on (a
 * requirement sets it, or an earlier pass found it needed): the branch is
 * no choice, whichever requirement comes first. Both chains.
 */
static int off_conflict(struct kconf_trim *t, struct kconf_sym *x, struct kconf_sym *via)
{
	char buf[48];
	const struct plan_ent *p = kconf_plan_get(t, x);
	const char *need = kt_map_get(t->pins, sym_key(x, buf, sizeof(buf)));
	struct kt_str lab = KT_STR_INIT;

	kconf_trim_sym_label(x, &lab);
	kt_str_reset(&t->why);
	kt_str_printf(&t->why, "conflict on %s:\n    needed: ", kt_str_cstr(&lab));
	if (p && !p->off)
		kconf_trim_chain(t, x, &t->why);
	else
		kt_str_printf(&t->why, "%s (%s)", kt_str_cstr(&lab), need ? need : "pinned on");
	kt_str_printf(&t->why, "\n    off:    %s (must be off for ", kt_str_cstr(&lab));
	if (via) {
		kconf_trim_put_label(&t->why, via);
		kt_str_puts(&t->why, ") <- ");
		kconf_trim_chain(t, via, &t->why);
	} else {
		kt_str_puts(&t->why, "?)");
	}
	kt_str_free(&lab);
	t->conflict = true;
	return -EINVAL;
}

/* ---- enabling ---------------------------------------------------------------- */

static int satisfy(struct kconf_trim *t, const struct kconf_expr *e,
		   enum kconf_tristate want, struct kconf_sym *via, int depth);
static int enable(struct kconf_trim *t, struct kconf_sym *s, enum kconf_tristate want,
		  struct kconf_sym *via, const char *reason, int depth);

/* enable() with a reason built in a kt_str: a cut reason is -ENOMEM. */
static int enable_text(struct kconf_trim *t, struct kconf_sym *s,
		       enum kconf_tristate want, struct kconf_sym *via,
		       const struct kt_str *reason, int depth)
{
	int r = kt_str_error(reason);

	return r < 0 ? r : enable(t, s, want, via, kt_str_cstr(reason), depth);
}

/* "kept off: CONFIG_VIA depends on !X" */
static void kept_off_reason(struct kt_str *out, const struct kconf_sym *via,
			    const struct kconf_sym *x)
{
	kt_str_puts(out, "kept off: ");
	if (via)
		kconf_trim_put_label(out, via);
	else
		kt_str_putc(out, '?');
	kt_str_printf(out, " depends on !%s", kconf_sym_name(x) ? kconf_sym_name(x) : "?");
}

static bool sym_is_bool_like(const struct kconf_sym *s)
{
	return kconf_sym_type(s) == KCONF_BOOL || kconf_sym_type(s) == KCONF_TRISTATE;
}

/* Symbols of @e that are off and unplanned: the price of satisfying it. */
static unsigned expr_cost(struct kconf_trim *t, const struct kconf_expr *e)
{
	const struct plan_ent *p;

	if (!e)
		return 0;
	switch (e->op) {
	case KCONF_E_SYMBOL:
		if (kconf_sym_is_const(e->sym))
			return sym_now(t, e->sym) ? 0 : 10000;
		p = kconf_plan_get(t, e->sym);
		if ((p && p->off) || avoided(t, e->sym))
			return 10000;
		/* a pinned symbol is on in the end, whoever comes first */
		if (p || pinned(t, e->sym) || sym_now(t, e->sym) != KCONF_N)
			return 0;
		/* deeper unmet dependencies cost too, one level is enough to rank */
		return 1 + (kconf_trim_eval(t, kconf_sym_dir_dep(e->sym)) ? 0 : 2);
	case KCONF_E_NOT:
		if (e->l && e->l->op == KCONF_E_SYMBOL && pinned(t, e->l->sym))
			return 10000;
		return kconf_trim_eval(t, e) ? 0 : 10000;
	case KCONF_E_AND:
		return expr_cost(t, e->l) + expr_cost(t, e->r);
	case KCONF_E_OR: {
		unsigned a = expr_cost(t, e->l), b = expr_cost(t, e->r);

		return a < b ? a : b;
	}
	default:
		return kconf_trim_eval(t, e) ? 0 : 1;
	}
}

static int collect_or(const struct kconf_expr *e, struct kt_array *out)
{
	if (e && e->op == KCONF_E_OR) {
		int r = collect_or(e->l, out);

		return r < 0 ? r : collect_or(e->r, out);
	}
	return kt_array_push_ptr(out, (void *)e);
}

struct option {
	const struct kconf_expr *e;	/* || branch, or condition */
	const struct kconf_expr *e2;	/* a default's value */
	struct kconf_sym *selector;
	unsigned cost;
	size_t order;
};

static int option_cmp(const void *a, const void *b)
{
	const struct option *x = a, *y = b;

	if (x->cost != y->cost)
		return x->cost < y->cost ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/*
 * Try @opts (expressions) cheapest first until one can be satisfied; each
 * failed trial is rolled back. The first failure's text goes to @first.
 */
static int try_cheapest(struct kconf_trim *t, struct kt_array *opts,
			enum kconf_tristate want, struct kconf_sym *via, int depth,
			struct kt_str *first)
{
	int r = -EINVAL;

	kt_array_sort(opts, option_cmp);
	for (size_t i = 0; i < opts->len; i++) {
		const struct option *o = kt_array_at(opts, i);
		size_t mark = journal_mark(t);

		r = satisfy(t, o->e, want, via, depth + 1);
		if (r == 0 || r == -ENOMEM)
			break;
		if (!first->len)
			kt_str_puts(first, kt_str_cstr(&t->why));
		journal_rollback(t, mark);
	}
	return r;
}

static int satisfy_or(struct kconf_trim *t, const struct kconf_expr *e,
		      enum kconf_tristate want, struct kconf_sym *via, int depth)
{
	struct kt_array br = KT_ARRAY_INIT(void *);
	struct kt_array opts = KT_ARRAY_INIT(struct option);
	struct kt_str first = KT_STR_INIT;
	int r;

	r = collect_or(e, &br);
	for (size_t i = 0; r == 0 && i < br.len; i++) {
		struct option o = { .e = kt_array_ptr(&br, i), .order = i };

		o.cost = expr_cost(t, o.e);
		if (!kt_array_push(&opts, &o))
			r = -ENOMEM;
	}
	if (r < 0)
		goto out;
	r = try_cheapest(t, &opts, want, via, depth, &first);
	if (r < 0 && r != -ENOMEM)
		fail(t, "no branch of an || can be met; first: %s", kt_str_cstr(&first));
out:
	kt_array_free(&br);
	kt_array_free(&opts);
	kt_str_free(&first);
	return r;
}

/* A comparison against a constant: X=y, X!=n, NR_CPUS=64 ... */
static int satisfy_comp(struct kconf_trim *t, const struct kconf_expr *e,
			enum kconf_tristate want, struct kconf_sym *via, int depth)
{
	struct kconf_sym *s = e->sym, *c = e->sym2;
	const char *cv;

	if (kconf_sym_is_const(s) && !kconf_sym_is_const(c)) {
		struct kconf_sym *tmp = s;

		s = c;
		c = tmp;
	}
	if (kconf_sym_is_const(s) || !kconf_sym_is_const(c) || !sym_is_bool_like(s)) {
		struct kt_str txt = KT_STR_INIT;

		kconf_expr_print(e, &txt);
		fail(t, "cannot make '%s' true by enabling symbols", kt_str_cstr(&txt));
		kt_str_free(&txt);
		return -EINVAL;
	}
	cv = kconf_sym_name(c) ? kconf_sym_name(c) : kconf_sym_value(c);
	if ((e->op == KCONF_E_EQUAL && strcmp(cv, "y") == 0) ||
	    (e->op == KCONF_E_UNEQUAL && strcmp(cv, "n") == 0))
		return enable(t, s, KCONF_Y, via, "dependency", depth + 1);
	if (e->op == KCONF_E_EQUAL && strcmp(cv, "m") == 0)
		return enable(t, s, KCONF_M, via, "dependency", depth + 1);
	/* X=n or X!=y: X must stay off (m would do for !=y; off is simpler) */
	if (sym_now(t, s) != KCONF_N) {
		struct kt_str lab = KT_STR_INIT;

		fail(t, "%s is on but must be off", kconf_trim_sym_label(s, &lab));
		kt_str_free(&lab);
		return -EINVAL;
	}
	if (kconf_plan_get(t, s))
		return 0;
	if (pinned(t, s))
		return off_conflict(t, s, via);
	return plan_put(t, s, KCONF_N, NULL, true, via, "kept off: a dependency needs it n");
}

static int satisfy(struct kconf_trim *t, const struct kconf_expr *e,
		   enum kconf_tristate want, struct kconf_sym *via, int depth)
{
	struct kt_str lab = KT_STR_INIT;
	int r;

	if (!e)
		return 0;
	/*
	 * Conjunctions are walked even when true: a `!X` inside must hold X
	 * off from now on, so a later requirement of X meets a conflict with
	 * both chains instead of silently breaking this one.
	 */
	if (e->op == KCONF_E_AND) {
		r = satisfy(t, e->l, want, via, depth + 1);
		return r < 0 ? r : satisfy(t, e->r, want, via, depth + 1);
	}
	if (e->op == KCONF_E_NOT && e->l && e->l->op == KCONF_E_SYMBOL &&
	    !kconf_sym_is_const(e->l->sym) && kconf_sym_ndefs(e->l->sym) &&
	    !kconf_plan_get(t, e->l->sym) && kconf_trim_eval(t, e) >= want) {
		if (pinned(t, e->l->sym))
			return off_conflict(t, e->l->sym, via);
		kept_off_reason(&lab, via, e->l->sym);
		r = plan_put_text(t, e->l->sym, KCONF_N, true, via, &lab);
		kt_str_free(&lab);
		return r;
	}
	if (kconf_trim_eval(t, e) >= want)
		return 0;
	if (depth > 400) {
		fail(t, "dependency chain too deep");
		return -ELOOP;
	}
	switch (e->op) {
	case KCONF_E_SYMBOL:
		if (kconf_sym_is_const(e->sym)) {
			fail(t, "needs constant '%s' to be %s", kconf_sym_value(e->sym),
			     want == KCONF_Y ? "y" : "m");
			return -EINVAL;
		}
		kt_str_puts(&lab, "dependency");
		if (via) {
			kt_str_puts(&lab, " of ");
			kconf_trim_put_label(&lab, via);
		}
		r = enable_text(t, e->sym, want, via, &lab, depth + 1);
		break;
	case KCONF_E_AND:
		r = satisfy(t, e->l, want, via, depth + 1);
		if (r == 0)
			r = satisfy(t, e->r, want, via, depth + 1);
		break;
	case KCONF_E_OR:
		r = satisfy_or(t, e, want, via, depth);
		break;
	case KCONF_E_NOT:
		if (e->l && e->l->op == KCONF_E_SYMBOL && !kconf_sym_is_const(e->l->sym)) {
			struct kconf_sym *x = e->l->sym;

			if (sym_now(t, x) != KCONF_N) {
				const struct plan_ent *p = kconf_plan_get(t, x);

				if (p && !p->off) {
					r = off_conflict(t, x, via);
					break;
				}
				fail(t, "%s is on (default or selected) but must be off",
				     kconf_trim_sym_label(x, &lab));
				r = -EINVAL;
				break;
			}
			if (!kconf_plan_get(t, x) && pinned(t, x)) {
				r = off_conflict(t, x, via);
				break;
			}
			if (via)
				kept_off_reason(&lab, via, x);
			else
				kt_str_puts(&lab, "kept off");
			r = kconf_plan_get(t, x) ? 0 :
			    plan_put_text(t, x, KCONF_N, true, via, &lab);
			break;
		}
		{
			struct kt_str txt = KT_STR_INIT;

			kconf_expr_print(e, &txt);
			fail(t, "cannot make '%s' true", kt_str_cstr(&txt));
			kt_str_free(&txt);
		}
		r = -EINVAL;
		break;
	default:
		r = satisfy_comp(t, e, want, via, depth);
		break;
	}
	kt_str_free(&lab);
	return r;
}

/* A prompted symbol takes a user value once one of its prompts shows. */
static int satisfy_prompts(struct kconf_trim *t, struct kconf_sym *s,
			   enum kconf_tristate want, int depth)
{
	struct kt_array opts = KT_ARRAY_INIT(struct option);
	struct kt_str first = KT_STR_INIT;
	int r = 0;

	for (size_t i = 0; i < kconf_sym_nprops(s); i++) {
		const struct kconf_prop *p = kconf_sym_prop(s, i);
		struct option o = { .e = p->visible, .order = i };

		if (p->type != KCONF_PROP_PROMPT)
			continue;
		if (kconf_trim_eval(t, p->visible) >= want) {
			/* already visible; walk it anyway to hold its !deps */
			r = satisfy(t, p->visible, want, s, depth + 1);
			goto out;
		}
		o.cost = expr_cost(t, p->visible);
		if (!kt_array_push(&opts, &o)) {
			r = -ENOMEM;
			goto out;
		}
	}
	r = try_cheapest(t, &opts, want, s, depth, &first);
	if (r < 0 && r != -ENOMEM && first.len)
		fail(t, "%s", kt_str_cstr(&first));
out:
	kt_array_free(&opts);
	kt_str_free(&first);
	return r;
}

/*
 * A symbol without a prompt gets its value from a default or a select:
 * try the cheapest of its defaults and selectors.
 */
static int satisfy_promptless(struct kconf_trim *t, struct kconf_sym *s,
			      enum kconf_tristate want, int depth)
{
	struct kt_array opts = KT_ARRAY_INIT(struct option);
	struct kt_str first = KT_STR_INIT, lab = KT_STR_INIT, why = KT_STR_INIT;
	size_t order = 0;
	int r = 0;

	for (size_t i = 0; i < kconf_sym_nprops(s); i++) {
		const struct kconf_prop *p = kconf_sym_prop(s, i);
		struct option o = { .e = p->visible, .e2 = p->expr, .order = order++ };

		if (p->type != KCONF_PROP_DEFAULT)
			continue;
		o.cost = expr_cost(t, p->visible) + expr_cost(t, p->expr);
		if (!kt_array_push(&opts, &o))
			goto nomem;
	}
	for (size_t i = 0; i < kconf_sym_nselected_by(s); i++) {
		const struct kconf_prop *p = kconf_sym_selected_by(s, i);
		struct kconf_expr one = { .op = KCONF_E_SYMBOL, .sym = p->sym };
		struct option o = { .e = p->cond, .selector = p->sym, .order = order++ };

		o.cost = expr_cost(t, &one) + expr_cost(t, p->cond);
		if (!kt_array_push(&opts, &o))
			goto nomem;
	}
	kt_array_sort(&opts, option_cmp);
	r = -EINVAL;
	/* Trials are bounded: a popular helper has hundreds of selectors. */
	for (size_t i = 0; i < opts.len && i < 12; i++) {
		const struct option *o = kt_array_at(&opts, i);
		size_t mark = journal_mark(t);

		if (o->selector) {
			kt_str_reset(&why);
			kt_str_puts(&why, "selects ");
			kconf_trim_put_label(&why, s);
			r = enable_text(t, o->selector, want, s, &why, depth + 1);
			if (r == 0)
				r = satisfy(t, o->e, want, s, depth + 1);
		} else {
			r = satisfy(t, o->e, want, s, depth + 1);
			if (r == 0)
				r = satisfy(t, o->e2, want, s, depth + 1);
			if (r == 0)
				r = satisfy(t, kconf_sym_dir_dep(s), want, s, depth + 1);
		}
		if (r == 0 || r == -ENOMEM)
			break;
		if (!first.len)
			kt_str_puts(&first, kt_str_cstr(&t->why));
		journal_rollback(t, mark);
	}
	if (r < 0 && r != -ENOMEM)
		fail(t, "%s has no prompt and no default or selector that can be met%s%s",
		     kconf_trim_sym_label(s, &lab), first.len ? "; first: " : "",
		     kt_str_cstr(&first));
	goto out;
nomem:
	r = -ENOMEM;
out:
	kt_array_free(&opts);
	kt_str_free(&first);
	kt_str_free(&lab);
	kt_str_free(&why);
	return r;
}

static int enable_choice_member(struct kconf_trim *t, struct kconf_sym *s,
				struct kconf_sym *choice, int depth)
{
	struct kt_str lab = KT_STR_INIT, why = KT_STR_INIT;
	int r = 0;

	for (size_t i = 0; i < kconf_choice_nmembers(choice); i++) {
		struct kconf_sym *o = kconf_choice_member(choice, i);
		const struct plan_ent *p = o != s ? kconf_plan_get(t, o) : NULL;

		if (p && !p->off && p->tri == KCONF_Y) {
			kt_str_printf(&why, "same choice as %s",
				      kconf_trim_sym_label(s, &lab));
			r = conflict(t, o, s, kt_str_cstr(&why));
			goto out;
		}
	}
	kt_str_puts(&why, "choice of ");
	kconf_trim_put_label(&why, s);
	r = enable_text(t, choice, KCONF_Y, s, &why, depth + 1);
out:
	kt_str_free(&lab);
	kt_str_free(&why);
	return r;
}

static int enable(struct kconf_trim *t, struct kconf_sym *s, enum kconf_tristate want,
		  struct kconf_sym *via, const char *reason, int depth)
{
	const struct plan_ent *p = kconf_plan_get(t, s);
	struct kconf_sym *choice = kconf_sym_choice(s);
	struct kt_str lab = KT_STR_INIT, who = KT_STR_INIT;
	size_t mark;
	int r;

	if (kconf_sym_is_const(s)) {
		if (sym_now(t, s) >= want)
			return 0;
		fail(t, "needs constant '%s'", kconf_sym_value(s));
		return -EINVAL;
	}
	if (!sym_is_bool_like(s) && !kconf_sym_is_choice(s)) {
		/* an int/string in a dependency: its being set is all we can do */
		return 0;
	}
	if (kconf_sym_type(s) == KCONF_BOOL || t->modules == KCONF_MODULES_BUILTIN)
		want = KCONF_Y;
	if (p && p->off) {
		/*
		 * Held off by a `!X` that an earlier choice walked: the next
		 * pass pins it on, so that choice takes another branch.
		 */
		if (p->via) {
			kt_str_printf(&lab, "%s%s%s", reason, via ? ", for " : "",
				      via ? kconf_trim_sym_label(via, &who) : "");
			if (kt_str_error(&lab))
				t->err = -ENOMEM;
			else
				learn_pin(t, s, kt_str_cstr(&lab));
			kt_str_reset(&lab);
		}
		r = conflict(t, s, via, reason);
		goto out;
	}
	/* a dependency whose plan did not hold in an earlier pass: try others */
	if (via && !p && avoided(t, s) && sym_now(t, s) < want) {
		fail(t, "%s did not hold when an earlier pass planned it", kconf_trim_sym_label(s, &lab));
		r = -EINVAL;
		goto out;
	}
	if (p && p->tri >= want) {
		r = 0;
		goto out;
	}
	/* already on by a default, or selected by what is on or planned */
	if (!p && !choice && (sym_now(t, s) >= want ||
			      (kconf_sym_rev_dep(s) &&	/* NULL: nothing selects it */
			       kconf_trim_eval(t, kconf_sym_rev_dep(s)) >= want))) {
		r = 0;
		goto out;
	}
	mark = journal_mark(t);
	r = plan_put(t, s, want, NULL, false, via, reason);
	if (r < 0)
		goto out;
	if (want == KCONF_M) {
		struct kconf_sym *mod = kconf_tree_modules_sym(t->tree);

		kt_str_printf(&lab, "modules for %s", kconf_sym_name(s) ? kconf_sym_name(s) : "?");
		if (mod)
			r = enable_text(t, mod, KCONF_Y, s, &lab, depth + 1);
		kt_str_free(&lab);
	}
	if (r == 0 && choice)
		r = enable_choice_member(t, s, choice, depth);
	if (r == 0 && kconf_sym_prompt(s))
		r = satisfy_prompts(t, s, want, depth);
	else if (r == 0 && !kconf_sym_is_choice(s))
		r = satisfy_promptless(t, s, want, depth);
	if (r < 0 && r != -ENOMEM) {
		struct kt_str w = KT_STR_INIT;

		kt_str_printf(&w, "%s: %s", kconf_trim_sym_label(s, &lab), kt_str_cstr(&t->why));
		if (!t->conflict)
			fail(t, "%s", kt_str_cstr(&w));
		kt_str_free(&w);
		journal_rollback(t, mark);
	}
out:
	kt_str_free(&lab);
	kt_str_free(&who);
	return r;
}

/* ---- requirements ------------------------------------------------------- */

static const char *feat_label(enum kconf_feat_kind k)
{
	switch (k) {
	case KCONF_FEAT_SOCKET:
		return "socket family";
	case KCONF_FEAT_CGROUP:
		return "cgroup controller";
	case KCONF_FEAT_MODALIAS:
		return "module alias";
	default:
		return kconf_feat_kind_name(k);
	}
}

static int root_put(struct kconf_trim *t, struct kconf_sym *s, const char *text)
{
	char buf[48];
	const char *key = sym_key(s, buf, sizeof(buf));
	char *v;

	if (kt_map_has(t->roots, key))
		return 0;	/* first requirement names the reason */
	v = strdup(text);
	if (!v || kt_map_set(t->roots, key, v) < 0) {
		free(v);
		return -ENOMEM;
	}
	return 0;
}

static void warnf(struct kconf_trim *t, const char *fmt, ...) KT_PRINTF(2, 3);
static void warnf(struct kconf_trim *t, const char *fmt, ...)
{
	struct kt_str s = KT_STR_INIT;
	va_list ap;
	char *p;

	if (t->mute)
		return;	/* a repeated pass: given and recorded by the first */
	va_start(ap, fmt);
	kt_str_vprintf(&s, fmt, ap);
	va_end(ap);
	kt_warn("%s", kt_str_cstr(&s));
	/* the warnings go into the report: a lost one fails the solve */
	p = kt_str_steal(&s);
	if (!p || kt_array_push_ptr(&t->warnings, p) < 0) {
		free(p);
		t->err = -ENOMEM;
	}
}

static void errorf(struct kt_str *err, const struct kconf_req *q, const char *fmt, ...)
	KT_PRINTF(3, 4);
static void errorf(struct kt_str *err, const struct kconf_req *q, const char *fmt, ...)
{
	struct kt_str d = KT_STR_INIT;
	va_list ap;

	kconf_req_describe(q, &d);
	kt_str_printf(err, "  %s%s%s (%s): ", q->where ? q->where : "",
		      q->where ? ": " : "", kt_str_cstr(&d), q->origin);
	va_start(ap, fmt);
	kt_str_vprintf(err, fmt, ap);
	va_end(ap);
	kt_str_putc(err, '\n');
	kt_str_free(&d);
}

/* The first of a symbol requirement's names that the tree defines, or NULL. */
static struct kconf_sym *req_sym_defined(const struct kconf_trim *t, const struct kconf_req *q)
{
	struct kconf_sym *s = kconf_sym_lookup(t->tree, q->sym);

	for (size_t i = 0; (!s || kconf_sym_ndefs(s) == 0) && i < q->alts.len; i++)
		s = kconf_sym_lookup(t->tree, kt_array_ptr(&q->alts, i));
	return s && kconf_sym_ndefs(s) ? s : NULL;
}

static struct kconf_sym *req_sym(struct kconf_trim *t, const struct kconf_req *q,
				 bool quiet)
{
	struct kconf_sym *s = req_sym_defined(t, q);

	if (!s) {
		if (!quiet) {
			struct kt_str d = KT_STR_INIT;

			kconf_req_describe(q, &d);
			if (kt_str_error(&d))
				t->err = kt_str_error(&d);	/* as a lost warning */
			else
				warnf(t, "%s%s%s (%s) is not defined in this tree; ignored",
				      q->where ? q->where : "", q->where ? ": " : "",
				      kt_str_cstr(&d), q->origin);
			kt_str_free(&d);
		}
		return NULL;
	}
	return s;
}

const char *kconf_trim_where(const struct kconf_req *q)
{
	const char *w = q->where, *p;

	if (!w)
		return NULL;
	for (p = strstr(w, "/recipes/"); p; p = strstr(p + 1, "/recipes/"))
		w = p + 1;
	return w;
}

/* Every forbid item: the symbol (or the feature's own symbol) is off. */
static int plan_forbids(struct kconf_trim *t, struct kt_str *err)
{
	struct kt_str why = KT_STR_INIT;
	int r = 0;

	for (size_t i = 0; r == 0 && i < t->forbids.len; i++) {
		const struct kconf_req *q = kt_array_at(&t->forbids, i);
		struct kconf_sym *s = NULL;

		if (q->kind == KCONF_REQ_SYMBOL) {
			s = req_sym(t, q, false);
		} else {
			const struct kconf_feat *f = kconf_featmap_lookup(t->fm, q->feat, q->name);

			if (f && f->nlinks)
				s = kconf_sym_lookup(t->tree, f->links[f->nlinks - 1].sym);
			else if (f)
				errorf(err, q, "always built into this kernel, cannot be forbidden");
		}
		if (!s)
			continue;
		kt_str_reset(&why);
		kt_str_printf(&why, "forbidden by %s (", q->origin);
		kconf_req_describe(q, &why);
		if (q->where)
			kt_str_printf(&why, ", %s", kconf_trim_where(q));
		kt_str_putc(&why, ')');
		r = plan_put_text(t, s, KCONF_N, true, NULL, &why);
	}
	kt_str_free(&why);
	return r;
}

static int require_sym(struct kconf_trim *t, const struct kconf_req *q,
		       struct kconf_sym *s, const char *value, const char *text,
		       struct kt_str *err)
{
	enum kconf_tristate want = KCONF_Y;
	int r;

	r = root_put(t, s, text);
	if (r < 0)
		return r;
	t->conflict = false;
	if (value && sym_is_bool_like(s)) {
		if (strcmp(value, "n") == 0) {
			if (sym_now(t, s) != KCONF_N && !kconf_plan_get(t, s)) {
				errorf(err, q, "is on by default or selected and cannot be forced off");
				return 1;
			}
			return plan_put(t, s, KCONF_N, NULL, true, NULL, text);
		}
		want = strcmp(value, "m") == 0 ? KCONF_M : KCONF_Y;
		if (want == KCONF_M && kconf_sym_type(s) == KCONF_TRISTATE &&
		    t->modules == KCONF_MODULES_BUILTIN) {
			/* an explicit =m asks for modules even in a builtin recipe */
			t->modules = KCONF_MODULES_AS_NEEDED;
			r = enable(t, s, want, NULL, text, 0);
			t->modules = KCONF_MODULES_BUILTIN;
		} else {
			r = enable(t, s, want, NULL, text, 0);
		}
	} else if (value) {
		const struct plan_ent *p = kconf_plan_get(t, s);

		if (p && p->str && strcmp(p->str, value) != 0) {
			errorf(err, q, "conflicts with %s=%s (%s)", kconf_sym_name(s), p->str,
			       p->reason);
			return 1;
		}
		r = plan_put(t, s, KCONF_N, value, false, NULL, text);
		if (r == 0)
			r = satisfy_prompts(t, s, KCONF_Y, 0);
	} else {
		r = enable(t, s, want, NULL, text, 0);
	}
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		errorf(err, q, "%s", kt_str_cstr(&t->why));
		return 1;	/* reported; the caller goes on with the next */
	}
	return 0;
}

/* One symbol a requirement sets, and the value it needs (NULL: on). */
struct req_target {
	struct kconf_sym *sym;
	const char *value;
};

/*
 * The symbols a requirement stands for: the symbol itself, or every
 * Kconfig symbol of the feature's chain (a module's own symbol =m under
 * modules: as-needed). Planning and the final check walk the same list;
 * @quiet keeps the second from warning again.
 */
static int req_targets(struct kconf_trim *t, const struct kconf_req *q, bool quiet,
		       struct kt_array *out)
{
	const struct kconf_feat *f;

	out->len = 0;
	if (q->kind == KCONF_REQ_SYMBOL) {
		struct req_target g = { .sym = req_sym(t, q, quiet), .value = q->value };

		return g.sym && !kt_array_push(out, &g) ? -ENOMEM : 0;
	}
	f = kconf_featmap_lookup(t->fm, q->feat, q->name);
	if (!f) {
		struct kt_str d = KT_STR_INIT;
		char *p;

		if (quiet || t->mute)
			return 0;
		/* Listed once for the whole solve (summarise_unknown). */
		kt_str_printf(&d, "%s %s (%s%s%s)", feat_label(q->feat), q->name, q->origin,
			      q->where ? ", " : "", q->where ? q->where : "");
		p = kt_str_steal(&d);
		if (!p || kt_array_push_ptr(&t->unknown, p) < 0) {
			free(p);
			return -ENOMEM;
		}
		return 0;
	}
	for (size_t i = 0; i < f->nlinks; i++) {
		struct req_target g = { .sym = kconf_sym_lookup(t->tree, f->links[i].sym) };

		if (!g.sym || kconf_sym_ndefs(g.sym) == 0) {
			/* Makefile tests of symbols from other arches or helpers */
			if (!quiet)
				warnf(t, "%s %s: %s (%s) is not a Kconfig symbol here; skipped",
				      feat_label(q->feat), q->name, f->links[i].sym,
				      f->links[i].where);
			continue;
		}
		if (i + 1 == f->nlinks && q->feat == KCONF_FEAT_MODULE &&
		    t->modules == KCONF_MODULES_AS_NEEDED &&
		    kconf_sym_type(g.sym) == KCONF_TRISTATE)
			g.value = "m";
		if (!kt_array_push(out, &g))
			return -ENOMEM;
	}
	return 0;
}

/*
 * Facts that name nothing in this tree (a module or socket family of
 * another version or architecture): one warning listing them all, or with
 * @strict one failure. Returns 1 when it failed the solve.
 */
static int summarise_unknown(struct kconf_trim *t, bool strict, struct kt_str *err)
{
	struct kt_str list = KT_STR_INIT;
	int r;

	if (!t->unknown.len)
		return 0;
	for (size_t i = 0; i < t->unknown.len; i++)
		kt_str_printf(&list, "%s%s", i ? "; " : "", (char *)kt_array_ptr(&t->unknown, i));
	r = kt_str_error(&list);
	if (r == 0 && strict)
		kt_str_printf(err, "  %zu facts name nothing in this tree (--strict): %s\n",
			      t->unknown.len, list.buf);
	else if (r == 0)
		warnf(t, "%zu facts name nothing in this tree; nothing to enable for: %s",
		      t->unknown.len, list.buf);
	kt_str_free(&list);
	return r < 0 ? r : strict;
}

/* The reason its symbols get: "required by profile x (socket family AF_INET6)". */
static void req_text(const struct kconf_req *q, struct kt_str *out)
{
	if (q->kind == KCONF_REQ_SYMBOL)
		kt_str_printf(out, "required by %s", q->origin);
	else
		kt_str_printf(out, "required by %s (%s %s)", q->origin,
			      feat_label(q->feat), q->name);
}

/* 0: planned; 1: a failure was reported in @err; < 0: error. */
static int plan_requirement(struct kconf_trim *t, const struct kconf_req *q,
			    bool quiet, struct kt_str *err)
{
	struct kt_array targets = KT_ARRAY_INIT(struct req_target);
	struct kt_str text = KT_STR_INIT;
	int r;

	/*
	 * A required symbol the tree lacks under every name is a failure, never
	 * a warning: a hardening floor must not lose an option to a rename.
	 */
	if (q->kind == KCONF_REQ_SYMBOL && !req_sym_defined(t, q)) {
		if (quiet)
			return q->optional ? 0 : 1;
		kconf_req_describe(q, &text);
		if (q->optional) {
			if (!t->mute)
				kt_info("%s%s%s (%s): optional, not in this tree: %s",
					q->where ? q->where : "", q->where ? ": " : "",
					kt_str_cstr(&text), q->origin, q->reason);
		} else {
			errorf(err, q, "not defined in this tree%s", q->alts.len ?
			       " under any of its names" : "");
		}
		kt_str_free(&text);
		return q->optional ? 0 : 1;
	}
	req_text(q, &text);
	r = kt_str_error(&text);
	if (r == 0)
		r = req_targets(t, q, quiet, &targets);
	for (size_t i = 0; r == 0 && i < targets.len; i++) {
		const struct req_target *g = kt_array_at(&targets, i);

		r = require_sym(t, q, g->sym, g->value, kt_str_cstr(&text), err);
	}
	kt_array_free(&targets);
	kt_str_free(&text);
	return r;
}

/* ---- applying the plan ------------------------------------------------------ */

static int apply_base(struct kconf_trim *t, const char *base, struct kt_str *err)
{
	int r;

	kconf_tree_clear_user(t->tree);
	if (base && strcmp(base, "allnoconfig") != 0) {
		r = kconf_config_read(t->tree, base, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * Trimming: every switch the user could set is n unless planned. Choice
 * members keep the base's selection (or the choice default); int, hex and
 * string values stay as the base has them.
 */
static int apply_plan(struct kconf_trim *t, bool with_plan)
{
	size_t n = kconf_tree_nsyms(t->tree);
	struct kt_map_iter it;
	int r = 0;

	for (size_t i = 0; i < n && r == 0; i++) {
		struct kconf_sym *s = kconf_tree_sym(t->tree, i);

		if (kconf_sym_is_choice(s) || kconf_sym_choice(s) || !sym_is_bool_like(s) ||
		    !kconf_sym_prompt(s))
			continue;
		r = kconf_sym_set_user(s, kconf_sym_allnoconfig_y(s) ? "y" : "n");
	}
	if (!with_plan || r < 0)
		return r;
	kt_map_iter_init(&it, t->plan);
	while (r == 0 && kt_map_iter_next(&it)) {
		const struct plan_ent *e = it.value;

		if (e->off) {
			if (!kconf_sym_choice(e->sym) && !kconf_sym_is_choice(e->sym) &&
			    sym_is_bool_like(e->sym))
				r = kconf_sym_set_user(e->sym, "n");
		} else if (e->str) {
			r = kconf_sym_set_user(e->sym, e->str);
		} else if (kconf_sym_is_choice(e->sym)) {
			/* optional choices: on once a member is picked */
			kconf_sym_set_user(e->sym, "y");
		} else {
			r = kconf_sym_set_user(e->sym, e->tri == KCONF_M ? "m" : "y");
		}
		if (r == -ENOMEM)
			break;
		if (r < 0)
			kt_warn("cannot set %s: %s", kconf_sym_name(e->sym) ?
				kconf_sym_name(e->sym) : "choice", strerror(-r));
		r = 0;
	}
	return r;
}

/* After resolving: planned values that did not hold, into @bad. */
static int check_plan(struct kconf_trim *t, struct kt_array *bad)
{
	struct kt_map_iter it;

	bad->len = 0;
	kt_map_iter_init(&it, t->plan);
	while (kt_map_iter_next(&it)) {
		struct plan_ent *e = it.value;
		bool ok;

		if (kconf_sym_is_choice(e->sym))
			continue;
		if (e->off)
			ok = kconf_sym_tristate(e->sym) == KCONF_N;
		else if (e->str)
			ok = strcmp(kconf_sym_value(e->sym), e->str) == 0;
		else
			ok = kconf_sym_tristate(e->sym) >= e->tri;
		if (!ok && kt_array_push_ptr(bad, e) < 0)
			return -ENOMEM;	/* a shorter list would pass for success */
	}
	return 0;
}

static void count(struct kconf_tree *tree, unsigned *y, unsigned *m)
{
	size_t n = kconf_tree_nsyms(tree);

	*y = *m = 0;
	for (size_t i = 0; i < n; i++) {
		struct kconf_sym *s = kconf_tree_sym(tree, i);

		if (!kconf_sym_name(s) || !sym_is_bool_like(s) || !kconf_sym_is_written(s))
			continue;
		switch (kconf_sym_tristate(s)) {
		case KCONF_Y:
			(*y)++;
			break;
		case KCONF_M:
			(*m)++;
			break;
		default:
			break;
		}
	}
}

/* Why @s did not end up @wanted (@off: n), for the error list. */
static void diagnose_sym(struct kconf_trim *t, struct kconf_sym *s, const char *wanted,
			 bool off, struct kt_str *out)
{
	struct kt_str lab = KT_STR_INIT, ex = KT_STR_INIT;

	kt_str_printf(out, "  %s wanted %s, got %s", kconf_trim_sym_label(s, &lab), wanted,
		      kconf_sym_value(s));
	if (!off) {
		kconf_expr_print(kconf_sym_dir_dep(s), &ex);
		kt_str_printf(out, "; depends on %s = %s", kt_str_cstr(&ex),
			      kconf_sym_dir_dep_value(s) == KCONF_Y ? "y" :
			      kconf_sym_dir_dep_value(s) == KCONF_M ? "m" : "n");
		if (kconf_sym_prompt(s) && kconf_sym_visibility(s) == KCONF_N)
			kt_str_puts(out, "; its prompt is not visible");
	} else if (kconf_sym_rev_dep_value(s) != KCONF_N) {
		kt_str_reset(&ex);
		kconf_expr_print(kconf_sym_rev_dep(s), &ex);
		kt_str_printf(out, "; selected by %s", kt_str_cstr(&ex));
	}
	kt_str_puts(out, "\n    chain: ");
	kconf_trim_chain(t, s, out);
	kt_str_putc(out, '\n');
	kt_str_free(&lab);
	kt_str_free(&ex);
}

static void diagnose(struct kconf_trim *t, const struct plan_ent *e, struct kt_str *out)
{
	diagnose_sym(t, e->sym, e->off ? "n" : e->str ? e->str : e->tri == KCONF_M ? "m" : "y",
		     e->off, out);
}

/* Numbers compare as numbers: "0x200000" is what conf keeps for "200000". */
static bool value_met(struct kconf_sym *s, const char *value)
{
	enum kconf_type type = kconf_sym_type(s);
	const char *v;
	char *end1, *end2;

	if (sym_is_bool_like(s)) {
		enum kconf_tristate tri = kconf_sym_tristate(s);

		if (!value)
			return tri != KCONF_N;
		if (strcmp(value, "n") == 0)
			return tri == KCONF_N;
		return tri >= (strcmp(value, "m") == 0 ? KCONF_M : KCONF_Y);
	}
	if (!value)
		return true;	/* a bare int/string requirement only asks it exists */
	v = kconf_sym_value(s);
	if (type == KCONF_INT || type == KCONF_HEX) {
		int base = type == KCONF_HEX ? 16 : 10;
		unsigned long long a = strtoull(v, &end1, base), b = strtoull(value, &end2, base);

		if (*v && *value && !*end1 && !*end2)
			return a == b;
	}
	return strcmp(v, value) == 0;
}

/*
 * The final word on a requirement: every symbol it stands for has its
 * value in the resolved tree. Planning can be satisfied by values that a
 * later plan takes away (a default behind a prompt that EXPERT shows), so
 * this reads the tree, not the plan.
 */
static bool req_met(struct kconf_trim *t, const struct kconf_req *q, struct kt_array *targets)
{
	if (req_targets(t, q, true, targets) < 0)
		return false;
	for (size_t i = 0; i < targets->len; i++) {
		const struct req_target *g = kt_array_at(targets, i);

		if (!value_met(g->sym, g->value))
			return false;
	}
	return true;
}

/* Indices of the requirements not met (those already reported left out). */
static int check_reqs(struct kconf_trim *t, const bool *reported, struct kt_array *miss)
{
	struct kt_array targets = KT_ARRAY_INIT(struct req_target);
	int r = 0;

	miss->len = 0;
	for (size_t i = 0; r == 0 && i < t->reqs.len; i++) {
		if (!reported[i] && !req_met(t, kt_array_at(&t->reqs, i), &targets) &&
		    !kt_array_push(miss, &i))
			r = -ENOMEM;
	}
	kt_array_free(&targets);
	return r;
}

/* An order-independent digest of the plan: re-planning that changes nothing
 * has reached the fixpoint. */
static unsigned long long plan_digest(const struct kconf_trim *t)
{
	unsigned long long sum = 0;
	struct kt_map_iter it;

	kt_map_iter_init(&it, t->plan);
	while (kt_map_iter_next(&it)) {
		const struct plan_ent *e = it.value;
		unsigned long long h = 1469598103934665603ULL;

		for (const char *c = it.key; *c; c++)
			h = (h ^ (unsigned char)*c) * 1099511628211ULL;
		for (const char *c = e->str ? e->str : ""; *c; c++)
			h = (h ^ (unsigned char)*c) * 1099511628211ULL;
		h = (h ^ (unsigned)(e->tri * 2 + e->off)) * 1099511628211ULL;
		sum += h;
	}
	return sum;
}

/*
 * A dependency planned against values that a later plan moved can be moot:
 * SPARSEMEM through the "Memory model" choice, planned while the base was
 * still 32-bit, is on by its default once 64BIT is, and the choice is gone.
 * An entry that resolved to n had no effect, so when what it was planned
 * for holds anyway it leaves the plan (with the choice planned for it)
 * instead of being planned again or reported. Returns how many left.
 */
static size_t drop_moot(struct kconf_trim *t, struct kt_array *bad)
{
	size_t dropped = 0, k = 0;

	for (size_t i = 0; i < bad->len; i++) {
		struct plan_ent *e = kt_array_ptr(bad, i);
		const struct plan_ent *v = e->via ? kconf_plan_get(t, e->via) : NULL;
		struct kconf_sym *choice = kconf_sym_choice(e->sym);
		const struct plan_ent *c = choice ? kconf_plan_get(t, choice) : NULL;
		char buf[48];

		if (e->off || e->str || !v || v->off || v->str || kconf_sym_is_choice(e->via) ||
		    kconf_sym_tristate(e->sym) != KCONF_N || kconf_sym_tristate(e->via) < v->tri) {
			((void **)bad->items)[k++] = e;
			continue;
		}
		kt_dbg("%s: planned for %s, which holds without it; dropped",
		       kconf_sym_name(e->sym) ? kconf_sym_name(e->sym) : "choice",
		       kconf_sym_name(e->via) ? kconf_sym_name(e->via) : "choice");
		if (c && c->via == e->sym)
			kt_map_del(t->plan, sym_key(choice, buf, sizeof(buf)));
		kt_map_del(t->plan, sym_key(e->sym, buf, sizeof(buf)));
		dropped++;
	}
	bad->len = k;
	return dropped;
}

/*
 * Planned values that moved under the plan: plan them again from here.
 * Re-planning one entry may replace another, so @bad's entries are only
 * read for their symbols, and each is looked up again.
 */
static int replan_bad(struct kconf_trim *t, const struct kt_array *bad, int round)
{
	struct kt_array syms = KT_ARRAY_INIT(void *);
	int r = 0;

	for (size_t i = 0; i < bad->len; i++) {
		const struct plan_ent *e = kt_array_ptr(bad, i);

		if (!e->off && !e->str && kt_array_push_ptr(&syms, e->sym) < 0)
			r = -ENOMEM;
	}
	for (size_t i = 0; r == 0 && i < syms.len; i++) {
		struct kconf_sym *s = kt_array_ptr(&syms, i);
		const struct plan_ent *e = kconf_plan_get(t, s);
		struct kconf_sym *via;
		enum kconf_tristate want;
		char buf[48], *reason;

		if (!e || e->off || e->str)
			continue;
		via = e->via;
		want = e->tri;
		reason = strdup(e->reason);
		if (!reason) {
			r = -ENOMEM;
			break;
		}
		kt_map_del(t->plan, sym_key(s, buf, sizeof(buf)));
		t->conflict = false;
		r = enable(t, s, want, via, reason, 0);
		if (r < 0 && r != -ENOMEM) {
			/* keep it planned: the final check reports it */
			kt_dbg("round %d: %s", round, kt_str_cstr(&t->why));
			r = plan_put(t, s, want, NULL, false, via, reason);
		}
		free(reason);
	}
	kt_array_free(&syms);
	return r;
}

/*
 * Requirements that the resolved tree lost: plan them again against the
 * values as they are now. The typical case is a plan that turned EXPERT on:
 * options on through `default y` behind `if EXPERT` prompts are user n
 * from then on, so what needs them becomes an explicit value. A failure is
 * kept in @last[i] for the final list; "=n" misses have nothing to plan.
 */
static int replan_missed(struct kconf_trim *t, const struct kt_array *miss, char **last)
{
	struct kt_str scratch = KT_STR_INIT;
	int r = 0;

	for (size_t k = 0; r >= 0 && k < miss->len; k++) {
		size_t i = *(const size_t *)kt_array_at(miss, k);
		const struct kconf_req *q = kt_array_at(&t->reqs, i);

		if (q->kind == KCONF_REQ_SYMBOL && q->value && strcmp(q->value, "n") == 0)
			continue;
		kt_str_reset(&scratch);
		r = plan_requirement(t, q, true, &scratch);
		if (r >= 0) {
			/* only the latest attempt explains a miss */
			free(last[i]);
			last[i] = r == 1 ? strdup(kt_str_cstr(&scratch)) : NULL;
			r = 0;
		}
	}
	kt_str_free(&scratch);
	return r;
}

/* The final list: a missed requirement, then each of its symbols that missed. */
static void report_missed(struct kconf_trim *t, const struct kconf_req *q, const char *last,
			  struct kt_map *seen, struct kt_str *out)
{
	struct kt_array targets = KT_ARRAY_INIT(struct req_target);
	struct kt_str d = KT_STR_INIT;

	kconf_req_describe(q, &d);
	kt_str_printf(out, "  %s%s%s (%s): not met after the final resolve\n",
		      q->where ? q->where : "", q->where ? ": " : "", kt_str_cstr(&d), q->origin);
	req_targets(t, q, true, &targets);
	for (size_t i = 0; i < targets.len; i++) {
		const struct req_target *g = kt_array_at(&targets, i);
		char buf[48];

		if (value_met(g->sym, g->value))
			continue;
		diagnose_sym(t, g->sym, g->value ? g->value : "y",
			     g->value && strcmp(g->value, "n") == 0, out);
		kt_map_set(seen, sym_key(g->sym, buf, sizeof(buf)), (void *)1);
	}
	if (last) {
		while (*last == ' ')
			last++;
		kt_str_printf(out, "    planning it again against the final values: %s", last);
		if (!*last || last[strlen(last) - 1] != '\n')
			kt_str_putc(out, '\n');
	}
	kt_array_free(&targets);
	kt_str_free(&d);
}

/* splitmix64: a small, well-mixed sequence from a seed, the same everywhere. */
static unsigned long long shuffle_next(unsigned long long *state)
{
	unsigned long long z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The --shuffle-seed test hook: Fisher-Yates over a list of requirements. */
static void reqs_shuffle(struct kt_array *a, unsigned long long *state)
{
	for (size_t i = a->len; i > 1; i--) {
		size_t j = (size_t)(shuffle_next(state) % i);
		struct kconf_req tmp, *x = kt_array_at(a, i - 1), *y = kt_array_at(a, j);

		tmp = *x;
		*x = *y;
		*y = tmp;
	}
}

/* Rounds of plan -> resolve -> check; each one that changes nothing ends it. */
#define SOLVE_MAX_ROUNDS 16
/* Passes of the search: each starts again with what the ones before learnt. */
#define SOLVE_MAX_PASSES 8

static int nstrcmp(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int req_rank(const struct kconf_req *q)
{
	return q->value && strcmp(q->value, "m") == 0;
}

/* A total order on requirements by what they say, not where they stand. */
static int req_cmp(const void *pa, const void *pb)
{
	const struct kconf_req *a = pa, *b = pb;
	int c;

	/* "=m" asks least: what else is required may select the symbol y */
	if (req_rank(a) != req_rank(b))
		return req_rank(a) < req_rank(b) ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->feat != b->feat)
		return a->feat < b->feat ? -1 : 1;
	if ((c = nstrcmp(a->sym, b->sym)) || (c = nstrcmp(a->name, b->name)) ||
	    (c = nstrcmp(a->value, b->value)))
		return c;
	if (a->alts.len != b->alts.len)
		return a->alts.len < b->alts.len ? -1 : 1;
	for (size_t i = 0; i < a->alts.len; i++) {
		c = strcmp(kt_array_ptr(&a->alts, i), kt_array_ptr(&b->alts, i));
		if (c)
			return c;
	}
	if (a->optional != b->optional)
		return a->optional ? 1 : -1;
	if ((c = nstrcmp(a->origin, b->origin)) || (c = nstrcmp(a->reason, b->reason)))
		return c;
	return nstrcmp(a->where, b->where);
}

/*
 * Before any choice: every symbol a requirement sets on is pinned, so an
 * || branch that needs it off is never taken, whether that requirement
 * comes before or after the one whose dependency has the ||.
 */
static int pins_init(struct kconf_trim *t)
{
	struct kt_array targets = KT_ARRAY_INIT(struct req_target);
	struct kt_str text = KT_STR_INIT;
	int r = 0;

	learn_rollback(t, 0);
	kt_map_free(t->pins);
	t->pins = kt_map_new(free);
	if (!t->pins)
		return -ENOMEM;
	for (size_t i = 0; r == 0 && i < t->reqs.len; i++) {
		const struct kconf_req *q = kt_array_at(&t->reqs, i);

		r = req_targets(t, q, true, &targets);
		for (size_t j = 0; r == 0 && j < targets.len; j++) {
			const struct req_target *g = kt_array_at(&targets, j);
			char buf[48], *v;

			if (!sym_is_bool_like(g->sym) || (g->value && strcmp(g->value, "n") == 0) ||
			    pinned(t, g->sym))
				continue;
			kt_str_reset(&text);
			req_text(q, &text);
			r = kt_str_error(&text);
			v = r ? NULL : strdup(kt_str_cstr(&text));
			if (!v || kt_map_set(t->pins, sym_key(g->sym, buf, sizeof(buf)), v) < 0) {
				free(v);
				r = -ENOMEM;
			}
		}
	}
	kt_array_free(&targets);
	kt_str_free(&text);
	return r;
}

/* A fresh plan for the next pass; what was learnt stays. */
static int pass_reset(struct kconf_trim *t)
{
	journal_clear(t);
	kt_map_free(t->plan);
	kt_map_free(t->roots);
	t->plan = kt_map_new(plan_ent_free);
	t->roots = kt_map_new(free);
	kt_str_reset(&t->why);
	t->conflict = false;
	t->learned = 0;
	return t->plan && t->roots ? 0 : -ENOMEM;
}

/* The state one pass leaves for the final lists. */
struct pass {
	struct kt_str errs;	/* requirements that failed while planning */
	bool *reported;		/* [i]: listed in @errs, not checked again */
	char **last;		/* [i]: the latest re-planning failure */
	size_t nreported;
	struct kt_array bad;	/* struct plan_ent *: planned values that moved */
	struct kt_array miss;	/* size_t: requirements not met */
};

static void pass_clear(struct pass *ps, size_t nreqs)
{
	kt_str_reset(&ps->errs);
	for (size_t i = 0; i < nreqs; i++) {
		free(ps->last[i]);
		ps->last[i] = NULL;
		ps->reported[i] = false;
	}
	ps->nreported = 0;
	ps->bad.len = 0;
	ps->miss.len = 0;
}

/*
 * One pass: plan the prohibitions and the requirements in their canonical
 * order, then resolve, check and plan again what moved until nothing
 * changes. The tree is left resolved with the plan that was checked last;
 * a pass after the first (@again) resolves the trimmed base first.
 */
static int solve_pass(struct kconf_trim *t, const char *base, bool again, struct pass *ps,
		      struct kt_str *err)
{
	size_t nreqs = t->reqs.len;
	int r, round;

	r = pass_reset(t);
	if (r == 0 && again) {
		/* plan against the trimmed base, not the last pass's result */
		r = apply_base(t, base, err);
		if (r == 0)
			r = apply_plan(t, false);
		if (r == 0)
			r = kconf_resolve(t->tree);
	}
	if (r == 0)
		r = plan_forbids(t, &ps->errs);
	for (size_t i = 0; r >= 0 && i < nreqs; i++) {
		r = plan_requirement(t, kt_array_at(&t->reqs, i), false, &ps->errs);
		if (r == 1) {
			ps->reported[i] = true;	/* listed already: not checked again */
			ps->nreported++;
			r = 0;
		}
	}
	if (r < 0)
		return r;
	for (round = 0;; round++) {
		unsigned long long digest;

		journal_clear(t);
		r = apply_base(t, base, err);
		if (r < 0)
			return r;
		r = apply_plan(t, true);
		if (r == 0)
			r = kconf_resolve(t->tree);
		if (r == 0)
			r = check_plan(t, &ps->bad);
		if (r == 0)
			r = check_reqs(t, ps->reported, &ps->miss);
		if (r < 0)
			return r;
		if (round + 1 == SOLVE_MAX_ROUNDS)
			break;
		if (drop_moot(t, &ps->bad))
			continue;	/* resolve without them before anything else */
		if (!ps->bad.len && !ps->miss.len)
			break;
		digest = plan_digest(t);
		r = replan_bad(t, &ps->bad, round);
		if (r == 0)
			r = replan_missed(t, &ps->miss, ps->last);
		if (r < 0)
			return r;
		if (plan_digest(t) == digest)
			break;
	}
	journal_clear(t);
	kt_dbg("plan of %zu symbols, %d resolve rounds", kt_map_len(t->plan), round + 1);
	/* re-planning may have replaced entries; the tree is as checked */
	return check_plan(t, &ps->bad);
}

/*
 * A dependency the plan chose and the resolved tree did not keep because
 * its own dependencies are n (ISA for PNP on 64-bit): later passes take
 * the other branches first.
 */
static void learn_from_bad(struct kconf_trim *t, const struct kt_array *bad)
{
	for (size_t i = 0; i < bad->len; i++) {
		const struct plan_ent *e = kt_array_ptr(bad, i);

		if (!e->off && !e->str && e->via && !kconf_sym_is_choice(e->sym) &&
		    kconf_sym_dir_dep_value(e->sym) == KCONF_N)
			learn_avoid(t, e->sym);
	}
}

/*
 * The search. Requirements are planned in a canonical order (sorted by
 * what they say), so any order of the same requirements gives the same
 * configuration. Within a pass the choices are greedy (cheapest ||
 * branch, selector or default, with the pinned symbols counted as on);
 * a pass that fails teaches the next one: a symbol an earlier choice held
 * off by `!X` but that something needs on is pinned, a dependency whose
 * own dependencies failed is avoided, and the next pass starts again from
 * scratch. The pass with the fewest failures is the answer.
 */
int kconf_trim_solve(struct kconf_trim *t, const struct kconf_trim_opts *opts,
		     struct kt_str *err)
{
	struct pass ps = { .errs = KT_STR_INIT, .bad = KT_ARRAY_INIT(void *),
			   .miss = KT_ARRAY_INIT(size_t) };
	struct kt_str errs = KT_STR_INIT;
	struct kt_map *seen = kt_map_new(NULL);
	const char *base = opts && opts->base ? opts->base : "allnoconfig";
	size_t nreqs = t->reqs.len, best = SIZE_MAX, best_mark = 0;
	bool replay = false;
	int r, pass;

	ps.reported = calloc(nreqs + 1, sizeof(*ps.reported));
	ps.last = calloc(nreqs + 1, sizeof(*ps.last));
	if (!seen || !ps.reported || !ps.last) {
		r = -ENOMEM;
		goto out;
	}
	t->modules = opts ? opts->modules : KCONF_MODULES_BUILTIN;
	if (opts && opts->shuffle_seed) {
		unsigned long long state = opts->shuffle_seed;

		reqs_shuffle(&t->reqs, &state);
		reqs_shuffle(&t->forbids, &state);
	}
	kt_array_sort(&t->reqs, req_cmp);
	kt_array_sort(&t->forbids, req_cmp);
	kt_array_free_ptrs(&t->unknown);
	kt_array_init(&t->unknown, sizeof(char *));
	free(t->base);
	t->base = strdup(base);
	if (!t->base) {
		r = -ENOMEM;
		goto out;
	}
	/* The base as it is: "before" counts and what trimming removes. */
	r = apply_base(t, base, err);
	if (r < 0)
		goto out;
	if (strcmp(base, "allnoconfig") == 0)
		r = apply_plan(t, false);
	if (r == 0)
		r = kconf_resolve(t->tree);
	if (r < 0)
		goto out;
	count(t->tree, &t->base_y, &t->base_m);
	r = kconf_trim_snapshot_base(t);
	if (r < 0)
		goto out;
	/* The trimmed base the plan is made against (allnoconfig already is). */
	if (strcmp(base, "allnoconfig") != 0) {
		r = apply_plan(t, false);
		if (r == 0)
			r = kconf_resolve(t->tree);
		if (r < 0)
			goto out;
	}
	r = pins_init(t);
	if (r < 0)
		goto out;

	for (pass = 0;; pass++) {
		size_t mark = t->learn_log.len, fails;

		pass_clear(&ps, nreqs);
		t->mute = pass > 0;
		r = solve_pass(t, base, pass > 0, &ps, err);
		if (r == 0 && pass == 0) {
			/* the facts naming nothing here are the same in every pass */
			r = summarise_unknown(t, opts && opts->strict, &errs);
			if (r == 1)
				r = 0;	/* in @errs: the solve fails below */
		}
		if (r == 0 && t->err)
			r = t->err;
		if (r < 0)
			goto out;
		fails = ps.nreported + ps.miss.len + ps.bad.len;
		kt_dbg("pass %d: %zu failures, %u learnt", pass + 1, fails, t->learned);
		if (replay || fails == 0)
			break;
		if (fails >= best) {
			/* no better than the best pass: replay that one */
			learn_rollback(t, best_mark);
			replay = true;
			continue;
		}
		best = fails;
		best_mark = mark;
		learn_from_bad(t, &ps.bad);
		if (!t->learned || pass + 1 == SOLVE_MAX_PASSES)
			break;
	}
	t->mute = false;
	kt_str_puts(&errs, kt_str_cstr(&ps.errs));
	for (size_t k = 0; k < ps.miss.len; k++) {
		size_t i = *(size_t *)kt_array_at(&ps.miss, k);

		report_missed(t, kt_array_at(&t->reqs, i), ps.last[i], seen, &errs);
	}
	for (size_t i = 0; i < ps.bad.len; i++) {
		const struct plan_ent *e = kt_array_ptr(&ps.bad, i);
		char buf[48];

		if (!kt_map_has(seen, sym_key(e->sym, buf, sizeof(buf))))
			diagnose(t, e, &errs);
	}
	count(t->tree, &t->y, &t->m);
	r = kconf_trim_derive_reasons(t);
	if (r < 0)
		goto out;
	/*
	 * Out of memory anywhere is the answer, not a shorter list of
	 * failures (an empty one reads as success), a lost warning or values
	 * the tree computed after it failed.
	 */
	r = kt_str_error(&errs);
	if (r == 0)
		r = kt_str_error(&ps.errs);
	if (r == 0)
		r = t->err ? t->err : kconf_tree_error(t->tree);
	if (r < 0)
		goto out;
	if (errs.len) {
		kt_str_printf(err, "the requirements cannot all be met:\n%s", kt_str_cstr(&errs));
		r = -EINVAL;
	}
out:
	t->mute = false;
	for (size_t i = 0; ps.last && i < nreqs; i++)
		free(ps.last[i]);
	free(ps.last);
	free(ps.reported);
	kt_map_free(seen);
	kt_array_free(&ps.bad);
	kt_array_free(&ps.miss);
	kt_str_free(&ps.errs);
	kt_str_free(&errs);
	return r;
}

/* ---- life cycle ------------------------------------------------------------------ */

static void req_free(struct kt_array *a)
{
	for (size_t i = 0; i < a->len; i++)
		kconf_req_release(kt_array_at(a, i));
	kt_array_free(a);
}

int kconf_trim_new(struct kconf_tree *tree, const struct kconf_featmap *fm,
		   struct kconf_trim **out)
{
	struct kconf_trim *t = calloc(1, sizeof(*t));

	*out = NULL;
	if (!t)
		return -ENOMEM;
	t->tree = tree;
	t->fm = fm;
	kt_array_init(&t->reqs, sizeof(struct kconf_req));
	kt_array_init(&t->forbids, sizeof(struct kconf_req));
	kt_array_init(&t->journal, sizeof(struct journal_ent));
	kt_array_init(&t->learn_log, sizeof(struct learnt));
	kt_array_init(&t->warnings, sizeof(char *));
	kt_array_init(&t->unknown, sizeof(char *));
	t->plan = kt_map_new(plan_ent_free);
	t->roots = kt_map_new(free);
	t->pins = kt_map_new(free);
	t->avoid = kt_map_new(NULL);
	t->base_vals = kt_map_new(NULL);
	t->reasons = kconf_reasons_new();
	if (!t->plan || !t->roots || !t->pins || !t->avoid || !t->base_vals || !t->reasons) {
		kconf_trim_free(t);
		return -ENOMEM;
	}
	*out = t;
	return 0;
}

void kconf_trim_free(struct kconf_trim *t)
{
	if (!t)
		return;
	journal_clear(t);
	kt_array_free(&t->journal);
	if (t->pins && t->avoid)
		learn_rollback(t, 0);
	kt_array_free(&t->learn_log);
	kt_map_free(t->pins);
	kt_map_free(t->avoid);
	req_free(&t->reqs);
	req_free(&t->forbids);
	for (size_t i = 0; i < t->warnings.len; i++)
		free(kt_array_ptr(&t->warnings, i));
	kt_array_free(&t->warnings);
	kt_array_free_ptrs(&t->unknown);
	kt_map_free(t->plan);
	kt_map_free(t->roots);
	kt_map_free(t->base_vals);
	kconf_reasons_free(t->reasons);
	kconf_surface_free(t->surface);
	kt_str_free(&t->why);
	free(t->base);
	free(t);
}

static int req_copy(struct kt_array *into, const struct kconf_req *q)
{
	struct kconf_req c;
	int r = kconf_req_copy(&c, q);

	if (r < 0)
		return r;
	if (!kt_array_push(into, &c)) {
		kconf_req_release(&c);
		return -ENOMEM;
	}
	return 0;
}

int kconf_trim_require(struct kconf_trim *t, const struct kconf_req *req)
{
	return req_copy(&t->reqs, req);
}

int kconf_trim_forbid(struct kconf_trim *t, const struct kconf_req *req)
{
	return req_copy(&t->forbids, req);
}

int kconf_trim_add_recipe(struct kconf_trim *t, const struct kconf_recipe *rc)
{
	int r = 0;

	for (size_t j = 0; r == 0 && j < rc->require.len; j++)
		r = kconf_trim_require(t, kt_array_at(&rc->require, j));
	for (size_t j = 0; r == 0 && j < rc->forbid.len; j++)
		r = kconf_trim_forbid(t, kt_array_at(&rc->forbid, j));
	return r;
}

int kconf_trim_add_recipes(struct kconf_trim *t, const struct kconf_recipe_set *s)
{
	int r = 0;

	for (size_t i = 0; r == 0 && i < s->recipes.len; i++)
		r = kconf_trim_add_recipe(t, kt_array_ptr(&s->recipes, i));
	return r;
}

const struct kconf_reasons *kconf_trim_reasons(const struct kconf_trim *t)
{
	return t->reasons;
}

size_t kconf_trim_nwarnings(const struct kconf_trim *t)
{
	return t->warnings.len;
}

const char *kconf_trim_warning(const struct kconf_trim *t, size_t i)
{
	return i < t->warnings.len ? kt_array_ptr(&t->warnings, i) : NULL;
}

void kconf_trim_counts(const struct kconf_trim *t, unsigned *base_y,
		       unsigned *base_m, unsigned *y, unsigned *m)
{
	*base_y = t->base_y;
	*base_m = t->base_m;
	*y = t->y;
	*m = t->m;
}

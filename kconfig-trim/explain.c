// SPDX-License-Identifier: GPL-2.0-only
/*
 * explain: why a symbol has its value in a configuration. For a symbol
 * that is on, the chain back to a root (a requirement when a report's
 * reasons are at hand, else the user value that started it); for one that
 * is off, what keeps it off: unmet dependencies, a user n, no selector.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kconfig-trim/solve-internal.h"

static void label(const struct kconf_sym *s, struct kt_str *out)
{
	kconf_trim_put_label(out, s);
}

/* NULL when @buf ran out of memory: the text would be cut. */
const char *kconf_explain_structural(struct kconf_sym *s, struct kconf_sym **via,
				     struct kt_str *buf)
{
	enum kconf_tristate v = kconf_sym_tristate(s);

	*via = NULL;
	kt_str_reset(buf);
	if (kconf_sym_rev_dep_value(s) >= v) {
		for (size_t i = 0; i < kconf_sym_nselected_by(s); i++) {
			const struct kconf_prop *p = kconf_sym_selected_by(s, i);

			if (kconf_sym_tristate(p->sym) != KCONF_N &&
			    kconf_expr_eval(p->cond) != KCONF_N) {
				*via = p->sym;
				kt_str_puts(buf, "selected by ");
				label(p->sym, buf);
				return kt_str_error(buf) ? NULL : kt_str_cstr(buf);
			}
		}
	}
	if (kconf_sym_choice(s) && !kconf_sym_has_user(s))
		return "choice default";
	if (kconf_sym_prompt(s) && kconf_sym_has_user(s) && kconf_sym_visibility(s) != KCONF_N)
		return "set in the config";
	if (kconf_sym_implied_value(s) != KCONF_N) {
		for (size_t i = 0; i < kconf_sym_nimplied_by(s); i++) {
			const struct kconf_prop *p = kconf_sym_implied_by(s, i);

			if (kconf_sym_tristate(p->sym) != KCONF_N &&
			    kconf_expr_eval(p->cond) != KCONF_N) {
				*via = p->sym;
				kt_str_puts(buf, "implied by ");
				label(p->sym, buf);
				return kt_str_error(buf) ? NULL : kt_str_cstr(buf);
			}
		}
	}
	return "default";
}

/*
 * What holds @e at n: symbols that are n where it needs them on (@need_on)
 * and symbols that are on under a `!X` (@need_off). Every branch of an
 * || that is n is named.
 */
static void unmet(const struct kconf_expr *e, struct kt_array *need_on, struct kt_array *need_off)
{
	if (!e || kconf_expr_eval(e) != KCONF_N)
		return;
	switch (e->op) {
	case KCONF_E_SYMBOL:
		if (!kconf_sym_is_const(e->sym))
			kt_array_push_ptr(need_on, e->sym);
		break;
	case KCONF_E_AND:
	case KCONF_E_OR:
		unmet(e->l, need_on, need_off);
		unmet(e->r, need_on, need_off);
		break;
	case KCONF_E_NOT:
		if (e->l && e->l->op == KCONF_E_SYMBOL && !kconf_sym_is_const(e->l->sym))
			kt_array_push_ptr(need_off, e->l->sym);
		break;
	default:
		/* X=y, X!=n ...: X being n is what a reader can act on */
		if (e->sym && !kconf_sym_is_const(e->sym) && kconf_sym_tristate(e->sym) == KCONF_N)
			kt_array_push_ptr(need_on, e->sym);
		break;
	}
}

static int explain_on(struct kconf_tree *tree, const struct kconf_reasons *rs,
		      struct kconf_sym *s, struct kt_str *out)
{
	struct kt_str buf = KT_STR_INIT;
	struct kconf_sym *seen[64];
	size_t nseen = 0, dependents = 0;
	int r = 0;

	kt_str_puts(out, "why it is on:\n");
	for (int depth = 0; s && depth < 64; depth++) {
		const char *via_name = NULL;
		const char *text = kconf_sym_name(s) ? kconf_reasons_text(rs, kconf_sym_name(s), &via_name) : NULL;
		struct kconf_sym *via = NULL;

		for (size_t i = 0; i < nseen; i++) {
			if (seen[i] == s) {
				kt_str_puts(out, "  (loop)\n");
				goto done;
			}
		}
		seen[nseen++] = s;
		if (text) {
			via = via_name ? kconf_sym_lookup(tree, via_name) : NULL;
		} else {
			text = kconf_explain_structural(s, &via, &buf);
			if (!text) {
				r = -ENOMEM;
				goto out;
			}
		}
		kt_str_printf(out, "  %*s", depth * 2, "");
		if (depth)
			kt_str_puts(out, "<- ");
		label(s, out);
		kt_str_printf(out, "=%s: %s\n", kconf_sym_value(s), text);
		s = via;
	}
done:
	/* Without recorded reasons a user value is a root; who needs it helps. */
	if (!rs && nseen) {
		size_t n = kconf_tree_nsyms(tree);

		for (size_t i = 0; i < n && dependents < 8; i++) {
			struct kconf_sym *o = kconf_tree_sym(tree, i);

			if (o == seen[0] || !kconf_sym_name(o) || kconf_sym_tristate(o) == KCONF_N)
				continue;
			if (kconf_expr_contains_sym(kconf_sym_dir_dep(o), seen[0])) {
				kt_str_puts(out, dependents++ ? ", " : "enabled symbols that depend on it: ");
				label(o, out);
			}
		}
		if (dependents)
			kt_str_puts(out, "\n");
	}
out:
	kt_str_free(&buf);
	return r;
}

/* Depth and size bounds of the tree of reasons for a symbol that is off. */
#define OFF_MAX_DEPTH 8
#define OFF_MAX_LINES 200

struct off_walk {
	struct kconf_tree *tree;
	const struct kconf_reasons *rs;
	struct kt_map *seen;	/* names already explained */
	unsigned lines;
	int err;		/* -ENOMEM where no append records it */
	struct kt_str *out;
};

static void off_sym(struct off_walk *w, struct kconf_sym *s, int depth);

/* "  <- CONFIG_X=n (file:line): " at @depth. */
static void off_head(struct off_walk *w, struct kconf_sym *s, int depth)
{
	const char *file = NULL;
	int line = 0;

	kconf_sym_def(s, 0, &file, &line, NULL);
	kt_str_printf(w->out, "  %*s%s", depth * 2, "", depth ? "<- " : "");
	label(s, w->out);
	kt_str_printf(w->out, "=%s (%s:%d): ", kconf_sym_value(s), file ? file : "?", line);
	w->lines++;
}

/* Each symbol that holds @e at n, one level down. */
static void off_expr(struct off_walk *w, const struct kconf_expr *e, int depth)
{
	struct kt_array need_on = KT_ARRAY_INIT(void *), need_off = KT_ARRAY_INIT(void *);
	struct kt_str buf = KT_STR_INIT;

	unmet(e, &need_on, &need_off);
	for (size_t i = 0; i < need_on.len && i < 16; i++)
		off_sym(w, kt_array_ptr(&need_on, i), depth);
	for (size_t i = 0; i < need_off.len && i < 16 && w->lines < OFF_MAX_LINES; i++) {
		struct kconf_sym *x = kt_array_ptr(&need_off, i), *via = NULL;
		const char *text = kconf_sym_name(x) ?
				   kconf_reasons_text(w->rs, kconf_sym_name(x), NULL) : NULL;

		if (!text)
			text = kconf_explain_structural(x, &via, &buf);
		if (!text)
			w->err = -ENOMEM;
		off_head(w, x, depth);
		kt_str_printf(w->out, "on but needed off (`!%s`): %s\n",
			      kconf_sym_name(x) ? kconf_sym_name(x) : "?", text ? text : "?");
	}
	kt_array_free(&need_on);
	kt_array_free(&need_off);
	kt_str_free(&buf);
}

/* The prompt condition of @s that is n, or NULL. */
static const struct kconf_prop *hidden_prompt(struct kconf_sym *s)
{
	for (size_t i = 0; i < kconf_sym_nprops(s); i++) {
		const struct kconf_prop *p = kconf_sym_prop(s, i);

		if (p->type == KCONF_PROP_PROMPT && kconf_expr_eval(p->visible) == KCONF_N)
			return p;
	}
	return NULL;
}

/*
 * Why @s is off, and below it why each symbol that holds it off is off in
 * turn, down to a root: a prohibition (with its recipe's file:line), a
 * `!X` another symbol needs, a user n, a choice that selected another
 * member, or a symbol nothing selects.
 */
static void off_sym(struct off_walk *w, struct kconf_sym *s, int depth)
{
	const char *name = kconf_sym_name(s);
	const char *via = NULL;
	const char *text = name ? kconf_reasons_text(w->rs, name, &via) : NULL;
	const struct kconf_prop *hid;

	if (w->lines >= OFF_MAX_LINES) {
		if (w->lines++ == OFF_MAX_LINES)
			kt_str_puts(w->out, "  ... (more)\n");
		return;
	}
	off_head(w, s, depth);
	if (kconf_sym_tristate(s) != KCONF_N) {
		kt_str_puts(w->out, "on\n");
		return;
	}
	if (name && depth && kt_map_has(w->seen, name)) {
		kt_str_puts(w->out, "see above\n");
		return;
	}
	if (name && kt_map_set(w->seen, name, (void *)1) < 0)
		w->err = -ENOMEM;
	if (text) {
		/* the solver's own reason: a prohibition or a `!X` it walked */
		kt_str_printf(w->out, "%s\n", text);
		return;
	}
	if (depth >= OFF_MAX_DEPTH) {
		kt_str_puts(w->out, "...\n");
		return;
	}
	/* evaluated here: the engine leaves it unset for choice members */
	if (kconf_expr_eval(kconf_sym_dir_dep(s)) == KCONF_N) {
		/* straight into @out, so its error covers the expression too */
		kt_str_puts(w->out, "depends on ");
		kconf_expr_print(kconf_sym_dir_dep(s), w->out);
		kt_str_puts(w->out, ", which is n\n");
		off_expr(w, kconf_sym_dir_dep(s), depth + 1);
	} else if (kconf_sym_choice(s)) {
		struct kconf_sym *sel = kconf_choice_selection(kconf_sym_choice(s));

		kt_str_puts(w->out, "another member of its choice is selected: ");
		if (sel)
			label(sel, w->out);
		else
			kt_str_puts(w->out, "none (the choice is off)");
		kt_str_putc(w->out, '\n');
	} else if (kconf_sym_prompt(s) && (hid = hidden_prompt(s)) != NULL) {
		kt_str_puts(w->out, "its prompt is hidden: ");
		kconf_expr_print(hid->visible, w->out);
		kt_str_printf(w->out, " is n (%s:%d)\n", hid->file ? hid->file : "?", hid->line);
		off_expr(w, hid->visible, depth + 1);
	} else if (kconf_sym_prompt(s)) {
		kt_str_printf(w->out, "%s and nothing selects it\n",
			      kconf_sym_has_user(s) ? "set n in the config" : "n by default");
	} else {
		kt_str_puts(w->out, "no prompt, no default that applies, and no enabled selector\n");
	}
	if (kconf_sym_nselected_by(s) && w->lines < OFF_MAX_LINES) {
		kt_str_printf(w->out, "  %*sselectors (all off or their condition n): ",
			      depth ? depth * 2 + 3 : 0, "");
		for (size_t i = 0; i < kconf_sym_nselected_by(s) && i < 10; i++) {
			if (i)
				kt_str_puts(w->out, ", ");
			label(kconf_sym_selected_by(s, i)->sym, w->out);
		}
		if (kconf_sym_nselected_by(s) > 10)
			kt_str_printf(w->out, " and %zu more", kconf_sym_nselected_by(s) - 10);
		kt_str_putc(w->out, '\n');
		w->lines++;
	}
}

static int explain_off(struct kconf_tree *tree, const struct kconf_reasons *rs,
		       struct kconf_sym *s, struct kt_str *out)
{
	struct off_walk w = { .tree = tree, .rs = rs, .seen = kt_map_new(NULL), .out = out };

	if (!w.seen)
		return -ENOMEM;
	kt_str_puts(out, "what keeps it off:\n");
	off_sym(&w, s, 0);
	kt_map_free(w.seen);
	return w.err;
}

int kconf_explain(struct kconf_tree *tree, const struct kconf_reasons *rs,
		  const char *name, struct kt_str *out)
{
	struct kconf_sym *s = kconf_sym_lookup(tree, name);
	const char *file = NULL;
	int line = 0;

	if (!s || kconf_sym_ndefs(s) == 0)
		return -ENOENT;
	kconf_sym_def(s, 0, &file, &line, NULL);
	label(s, out);
	kt_str_printf(out, "=%s (%s, %s:%d%s%s)\n", kconf_sym_value(s),
		      kconf_type_name(kconf_sym_type(s)), file ? file : "?", line,
		      kconf_sym_prompt(s) ? ", prompt: " : ", no prompt",
		      kconf_sym_prompt(s) ? kconf_sym_prompt(s) : "");
	if (kconf_sym_type(s) != KCONF_BOOL && kconf_sym_type(s) != KCONF_TRISTATE) {
		kt_str_printf(out, "  value %s\n", kconf_sym_value(s));
		return kt_str_error(out);
	}
	if (kconf_sym_tristate(s) != KCONF_N) {
		int r = explain_on(tree, rs, s, out);

		if (r < 0)
			return r;
	} else {
		int r = explain_off(tree, rs, s, out);

		if (r < 0)
			return r;
	}
	/* the explanation is the result: one that lost a line is -ENOMEM */
	return kt_str_error(out);
}

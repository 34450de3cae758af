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

/* Symbols of @e that are n where the expression needs them on. */
static void unmet(const struct kconf_expr *e, struct kt_array *out)
{
	if (!e || kconf_expr_eval(e) != KCONF_N)
		return;
	switch (e->op) {
	case KCONF_E_SYMBOL:
		if (!kconf_sym_is_const(e->sym))
			kt_array_push_ptr(out, e->sym);
		break;
	case KCONF_E_AND:
		unmet(e->l, out);
		unmet(e->r, out);
		break;
	case KCONF_E_OR:
		/* every branch is off: name them all */
		unmet(e->l, out);
		unmet(e->r, out);
		break;
	default:
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

static void explain_off(struct kconf_tree *tree, const struct kconf_reasons *rs,
			struct kconf_sym *s, struct kt_str *out)
{
	struct kt_array miss = KT_ARRAY_INIT(void *);
	const char *text = kconf_sym_name(s) ? kconf_reasons_text(rs, kconf_sym_name(s), NULL) : NULL;

	kt_str_puts(out, "what keeps it off:\n");
	if (text) {
		kt_str_printf(out, "  recorded: %s\n", text);
	}
	if (kconf_sym_dir_dep_value(s) == KCONF_N) {
		/* straight into @out, so its error covers the expression too */
		kt_str_puts(out, "  depends on ");
		kconf_expr_print(kconf_sym_dir_dep(s), out);
		kt_str_puts(out, ", which is n\n");
		unmet(kconf_sym_dir_dep(s), &miss);
		for (size_t i = 0; i < miss.len && i < 16; i++) {
			struct kconf_sym *m = kt_array_ptr(&miss, i);

			kt_str_puts(out, "    ");
			label(m, out);
			kt_str_printf(out, "=%s", kconf_sym_value(m));
			if (kconf_sym_prompt(m) && kconf_sym_has_user(m))
				kt_str_puts(out, " (set n in the config)");
			else if (!kconf_sym_prompt(m))
				kt_str_puts(out, " (no prompt: only a default or a select turns it on)");
			kt_str_putc(out, '\n');
		}
	} else if (kconf_sym_choice(s)) {
		struct kconf_sym *sel = kconf_choice_selection(kconf_sym_choice(s));

		kt_str_puts(out, "  another member of its choice is selected: ");
		if (sel)
			label(sel, out);
		else
			kt_str_puts(out, "none (the choice is off)");
		kt_str_putc(out, '\n');
	} else if (kconf_sym_prompt(s)) {
		if (kconf_sym_visibility(s) == KCONF_N) {
			kt_str_puts(out, "  its prompt is hidden (a `visible if` or prompt condition is n)\n");
		} else {
			kt_str_puts(out, "  set to n in the config and nothing selects it\n");
		}
	} else {
		kt_str_puts(out, "  no prompt, no default that applies, and no enabled selector\n");
	}
	if (kconf_sym_nselected_by(s)) {
		kt_str_printf(out, "  selectors (all off or their condition n): ");
		for (size_t i = 0; i < kconf_sym_nselected_by(s) && i < 10; i++) {
			if (i)
				kt_str_puts(out, ", ");
			label(kconf_sym_selected_by(s, i)->sym, out);
		}
		if (kconf_sym_nselected_by(s) > 10)
			kt_str_printf(out, " and %zu more", kconf_sym_nselected_by(s) - 10);
		kt_str_putc(out, '\n');
	}
	(void)tree;
	kt_array_free(&miss);
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
		explain_off(tree, rs, s, out);
	}
	/* the explanation is the result: one that lost a line is -ENOMEM */
	return kt_str_error(out);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * .config reading and writing with conf's rules and format: "CONFIG_X=v"
 * and "# CONFIG_X is not set" lines, strings with backslash escapes,
 * choice state rebuilt from its members, warnings for malformed lines,
 * and the written file laid out along the menu tree with its comment
 * blocks, so the output matches `make olddefconfig` byte for byte.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kconfig-trim/kconf-internal.h"

struct reader {
	struct kconf_tree *t;
	const char *name;
	int line;
	int warnings;
};

static void rwarn(struct reader *r, const char *fmt, ...) KT_PRINTF(2, 3);
static void rwarn(struct reader *r, const char *fmt, ...)
{
	struct kt_str s = KT_STR_INIT;
	va_list ap;

	va_start(ap, fmt);
	kt_str_vprintf(&s, fmt, ap);
	va_end(ap);
	/* the warning list is part of the result: no cut texts in it */
	if (kconf__str_check(r->t, &s) == 0)
		kconf__warn(r->t, "%s:%d:warning: %s", r->name, r->line,
			    kt_str_cstr(&s));
	kt_str_free(&s);
	r->warnings++;
}

/* Returns true when the value was rejected (conf's "continue"). */
static bool set_sym_val(struct reader *r, struct kconf_sym *s, char *p)
{
	char *p2;

	switch (s->type) {
	case KCONF_TRISTATE:
		if (p[0] == 'm') {
			s->user_tri = KCONF_M;
			s->flags |= KS_DEF_USER;
			return false;
		}
		/* fall through */
	case KCONF_BOOL:
		if (p[0] == 'y' || p[0] == 'n') {
			s->user_tri = p[0] == 'y' ? KCONF_Y : KCONF_N;
			s->flags |= KS_DEF_USER;
			return false;
		}
		rwarn(r, "symbol value '%s' invalid for %s", p, s->name);
		return true;
	case KCONF_STRING:
		if (*p++ != '"')
			return false;	/* conf silently ignores it */
		for (p2 = p; (p2 = strpbrk(p2, "\"\\")); p2++) {
			if (*p2 == '"') {
				*p2 = 0;
				break;
			}
			memmove(p2, p2 + 1, strlen(p2));
		}
		if (!p2) {
			rwarn(r, "invalid string found");
			return true;
		}
		/* fall through */
	case KCONF_INT:
	case KCONF_HEX:
		if (kconf__string_valid(s, p)) {
			/* the current value may point at the old one: keep it */
			if (s->user_str)
				kconf__push(r->t, &r->t->garbage, s->user_str);
			s->user_str = kconf__alloc_check(r->t, strdup(p));
			if (s->user_str)
				s->flags |= KS_DEF_USER;
			return false;
		}
		rwarn(r, "symbol value '%s' invalid for %s", p, s->name);
		return true;
	default:
		return false;
	}
}

static void read_line(struct reader *r, char *line)
{
	struct kconf_tree *t = r->t;
	struct kconf_sym *s, *cs;
	char *name, *p, *val;

	if (line[0] == '#') {
		if (line[1] != ' ' || strncmp(line + 2, "CONFIG_", 7))
			return;
		name = line + 9;
		p = strchr(name, ' ');
		if (!p)
			return;
		*p++ = 0;
		if (strncmp(p, "is not set", 10))
			return;
		val = "n";
	} else if (!strncmp(line, "CONFIG_", 7)) {
		name = line + 7;
		p = strchr(name, '=');
		if (!p)
			return;
		*p++ = 0;
		val = p;
		p = strchr(p, '\n');
		if (p) {
			*p-- = 0;
			if (*p == '\r')
				*p = 0;
		}
	} else {
		if (line[0] != '\r' && line[0] != '\n')
			rwarn(r, "unexpected data: %.*s",
			      (int)strcspn(line, "\r\n"), line);
		return;
	}

	s = kconf__sym_find(t, name);
	if (!s || (s->flags & KS_CONST)) {
		/* conf stays quiet unless asked; we always say it */
		kconf__warn(t, "%s:%d:warning: unknown symbol: %s", r->name,
			    r->line, name);
		t->changed = true;
		return;
	}
	if (s->flags & KS_DEF_USER)
		rwarn(r, "override: reassigning to symbol %s", s->name);
	if (set_sym_val(r, s, val))
		return;
	if (!(s->flags & KS_CHOICEVAL))
		return;
	if (t->rules == KCONF_RULES_6_11) {
		/* the member read last has the first say, whatever its value */
		kconf__choice_prio_front(s);
		return;
	}
	cs = s->choice;
	switch (s->user_tri) {
	case KCONF_N:
		break;
	case KCONF_M:
		if (cs->user_tri == KCONF_Y) {
			rwarn(r, "%s creates inconsistent choice state", s->name);
			cs->flags &= ~KS_DEF_USER;
		}
		break;
	case KCONF_Y:
		if (cs->user_tri != KCONF_N)
			rwarn(r, "override: %s changes choice state", s->name);
		cs->user_choice = s;
		break;
	}
	if (s->user_tri > cs->user_tri)
		cs->user_tri = s->user_tri;
}

static void read_text(struct reader *r, const char *text, size_t len)
{
	struct kconf_tree *t = r->t;
	const char *p = text, *end = text + len;
	size_t i;

	for (i = 0; i < t->all.len; i++) {
		struct kconf_sym *s = kt_array_ptr(&t->all, i);

		if (s->flags & KS_CONST)
			continue;
		s->flags &= ~(KS_DEF_USER | KS_VALID);
		if ((s->flags & KS_CHOICE) && t->rules != KCONF_RULES_6_11)
			s->flags |= KS_DEF_USER;
		if (s->user_str)
			kconf__push(t, &t->garbage, s->user_str);
		s->user_str = NULL;
		s->user_tri = KCONF_N;
		s->user_choice = NULL;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		char *line = kconf__alloc_check(t, strndup(p, n));

		if (!line)
			return;	/* the caller fails on t->err */
		r->line++;
		read_line(r, line);
		free(line);
		p += n;
	}
}

/* conf_read() after the file is loaded: compute, count what is unsaved. */
static void read_finish(struct reader *r)
{
	struct kconf_tree *t = r->t;
	int unsaved = 0;
	size_t i;

	if (t->modules_sym)
		kconf__calc_value(t->modules_sym);
	for (i = 0; i < t->calc_order.len; i++) {
		struct kconf_sym *s = kt_array_ptr(&t->calc_order, i);

		kconf__calc_value(s);
		if ((s->flags & (KS_CHOICE | KS_NO_WRITE | KS_CONST)))
			continue;
		if ((s->flags & KS_DEF_USER) && (s->flags & KS_WRITE)) {
			if (s->type == KCONF_BOOL || s->type == KCONF_TRISTATE) {
				if (s->user_tri == s->cur_tri)
					continue;
			} else if (s->type != KCONF_UNKNOWN) {
				if (!strcmp(s->cur_str, s->user_str))
					continue;
			} else {
				continue;
			}
		} else if (!(s->flags & KS_DEF_USER) && !(s->flags & KS_WRITE)) {
			continue;
		}
		unsaved++;
	}
	/*
	 * Up to 6.10 conf then forgets invisible user values and drops
	 * out-of-range numbers; from 6.11 it keeps both (a number is clamped
	 * to its range when computed).
	 */
	for (i = 0; i < t->calc_order.len && t->rules != KCONF_RULES_6_11; i++) {
		struct kconf_sym *s = kt_array_ptr(&t->calc_order, i);

		if (!(s->flags & KS_DEF_USER) || (s->flags & KS_CHOICEVAL))
			continue;
		/* invisible user values are forgotten when nothing changed */
		if (s->visible == KCONF_N && !unsaved)
			s->flags &= ~KS_DEF_USER;
		switch (s->type) {
		case KCONF_STRING:
		case KCONF_INT:
		case KCONF_HEX:
			if (kconf__string_within_range(s, s->user_str))
				break;
			s->flags &= ~(KS_VALID | KS_DEF_USER);
			unsaved++;
			break;
		default:
			break;
		}
	}
	if (r->warnings || unsaved)
		t->changed = true;
}

int kconf_config_read_buf(struct kconf_tree *tree, const char *name,
			  const char *text, size_t len, struct kt_str *err)
{
	struct reader r = { .t = tree, .name = name };

	if (kconf__tree_check(tree, err))
		return tree->err;
	tree->changed = false;
	read_text(&r, text, len);
	read_finish(&r);
	/* half a .config read is no .config: the values are not the file's */
	return kconf__tree_check(tree, err);
}

int kconf_config_read(struct kconf_tree *tree, const char *path,
		      struct kt_str *err)
{
	char *buf = NULL;
	size_t len;
	int r = kt_read_regular_file(path, 0, &buf, &len);

	if (r < 0) {
		if (err)
			kt_str_printf(err, "%s: %s", path, r == -EINVAL ? "not a regular file" :
				      strerror(-r));
		return r;
	}
	r = kconf_config_read_buf(tree, path, buf, len, err);
	free(buf);
	return r;
}

/* ---- writing --------------------------------------------------------- */

static void put_symbol(struct kt_str *o, struct kconf_sym *s)
{
	const char *v = kconf_sym_value(s), *p;

	if (s->type == KCONF_UNKNOWN)
		return;
	if ((s->type == KCONF_BOOL || s->type == KCONF_TRISTATE) && *v == 'n') {
		kt_str_printf(o, "# CONFIG_%s is not set\n", s->name);
		return;
	}
	kt_str_printf(o, "CONFIG_%s=", s->name);
	if (s->type == KCONF_STRING) {
		kt_str_putc(o, '"');
		for (p = v; *p; p++) {
			if (*p == '"' || *p == '\\')
				kt_str_putc(o, '\\');
			kt_str_putc(o, *p);
		}
		kt_str_putc(o, '"');
	} else {
		kt_str_puts(o, v);
	}
	kt_str_putc(o, '\n');
}

int kconf_config_format(struct kconf_tree *tree, struct kt_str *o)
{
	struct kconf_menu *m;
	struct kconf_sym *s;
	bool need_newline = false;
	size_t i;

	if (tree->err)
		return tree->err;
	kt_str_printf(o, "#\n# Automatically generated file; DO NOT EDIT.\n# %s\n#\n",
		      kconf_tree_mainmenu(tree));
	if (!tree->changed)
		kconf__clear_all_valid(tree);

	m = tree->rootmenu.list;
	while (m) {
		s = m->sym;
		if (!s) {
			if (!kconf__menu_visible(m))
				goto next;
			kt_str_printf(o, "\n#\n# %s\n#\n", m->prompt->pub.text);
			need_newline = false;
		} else if (!(s->flags & (KS_CHOICE | KS_WRITTEN))) {
			kconf__calc_value(s);
			if (!(s->flags & KS_WRITE))
				goto next;
			if (need_newline) {
				kt_str_putc(o, '\n');
				need_newline = false;
			}
			s->flags |= KS_WRITTEN;
			put_symbol(o, s);
		}
next:
		if (m->list) {
			m = m->list;
			continue;
		}
		for (;;) {
			if (!m->sym && m != &tree->rootmenu &&
			    m->prompt && m->prompt->kind == KP_MENU &&
			    kconf__menu_visible(m)) {
				kt_str_printf(o, "# end of %s\n", m->prompt->pub.text);
				need_newline = true;
			}
			if (m->next) {
				m = m->next;
				break;
			}
			m = m->parent;
			if (!m)
				break;
		}
	}
	for (i = 0; i < tree->all.len; i++) {
		s = kt_array_ptr(&tree->all, i);
		s->flags &= ~KS_WRITTEN;
	}
	/* computing values above may itself have run out of memory */
	return tree->err ? tree->err : kt_str_error(o);
}

int kconf_config_write(struct kconf_tree *tree, const char *path)
{
	struct kt_str s = KT_STR_INIT;
	int r = kconf_config_format(tree, &s);

	if (r == 0)
		r = kt_atomic_write_str(path, 0644, &s);
	kt_str_free(&s);
	return r;
}

int kconf_olddefconfig(struct kconf_tree *tree, const char *in,
		       const char *out, struct kt_str *err)
{
	int r = kconf_config_read(tree, in, err);

	if (r < 0)
		return r;
	r = kconf_config_write(tree, out);
	if (r < 0 && err)
		kt_str_printf(err, "%s: %s", out, strerror(-r));
	return r;
}

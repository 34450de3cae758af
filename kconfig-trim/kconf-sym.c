// SPDX-License-Identifier: GPL-2.0-only
/*
 * The symbol table and the read-only symbol accessors of the public API.
 *
 * conf distinguishes plain symbols from constants (quoted words) with the
 * same name, and y/m/n are always the three constant symbols; lookups here
 * follow the same rules so expressions mean what they mean to conf.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kconfig-trim/kconf-internal.h"


static uint32_t conf_hash(const char *s)
{
	uint32_t h = 2166136261u;

	/* conf hashes plain (signed) chars; names are ASCII */
	for (; *s; s++)
		h = (h ^ (uint32_t)(int)(signed char)*s) * 0x01000193u;
	return h;
}

/* NULL after kconf__nomem(): a nameless symbol would pass for a choice. */
static struct kconf_sym *sym_new(struct kconf_tree *t, const char *name,
				 uint32_t flags)
{
	struct kconf_sym *s = kconf__alloc_check(t, calloc(1, sizeof(*s)));

	if (!s)
		return NULL;
	s->name = name ? kconf__alloc_check(t, strdup(name)) : NULL;
	if (name && !s->name) {
		free(s);
		return NULL;
	}
	s->flags = flags;
	s->tree = t;
	s->order = t->nsyms_created++;
	s->bucket = name ? conf_hash(name) % t->hash_size : 0;
	s->cur_str = "";
	kt_array_init(&s->props, sizeof(void *));
	kt_array_init(&s->menus, sizeof(void *));
	kt_array_init(&s->selected_by, sizeof(void *));
	kt_array_init(&s->implied_by, sizeof(void *));
	kt_array_init(&s->members, sizeof(void *));
	kt_array_init(&s->prio, sizeof(void *));
	if (kconf__push(t, &t->all, s) < 0) {
		kconf__sym_free(s);
		return NULL;
	}
	/* from here the tree owns it; missing from syms is recorded */
	if (!(flags & KS_CONST))
		kconf__push(t, &t->syms, s);
	return s;
}

static struct kconf_sym *ymn(struct kconf_tree *t, const char *name)
{
	if (name[0] && !name[1]) {
		switch (name[0]) {
		case 'y':
			return &t->sym_y;
		case 'm':
			return &t->sym_m;
		case 'n':
			return &t->sym_n;
		}
	}
	return NULL;
}

/* NULL only when out of memory (recorded on @t). */
struct kconf_sym *kconf__sym_lookup(struct kconf_tree *t, const char *name,
				    uint32_t flags)
{
	struct kconf_sym *s;
	struct kt_map *map;

	if (!name)	/* choices are anonymous and always new */
		return sym_new(t, NULL, flags);
	s = ymn(t, name);
	if (s)
		return s;
	map = (flags & KS_CONST) ? t->consts : t->names;
	s = kt_map_get(map, name);
	if (s)
		return s;
	s = sym_new(t, name, flags);
	/* owned by t->all either way; a name the map lost is recorded */
	if (s && kt_map_set(map, name, s) < 0)
		kconf__nomem(t);
	return s;
}

struct kconf_sym *kconf__sym_find(const struct kconf_tree *t,
				  const char *name)
{
	struct kconf_sym *s = ymn((struct kconf_tree *)t, name);

	return s ? s : kt_map_get(t->names, name);
}

void kconf__sym_free(struct kconf_sym *s)
{
	kconf__sym_release(s);
	free(s);
}

void kconf__sym_release(struct kconf_sym *s)
{
	free(s->name);
	free(s->user_str);
	kconf_expr_free(s->dir_dep);
	kconf_expr_free(s->rev_dep);
	kconf_expr_free(s->implied);
	kt_array_free(&s->props);
	kt_array_free(&s->menus);
	kt_array_free(&s->selected_by);
	kt_array_free(&s->implied_by);
	kt_array_free(&s->members);
	kt_array_free(&s->prio);
}

static int calc_order_cmp(const void *a, const void *b)
{
	const struct kconf_sym *x = *(struct kconf_sym *const *)a;
	const struct kconf_sym *y = *(struct kconf_sym *const *)b;

	if (x->bucket != y->bucket)
		return x->bucket < y->bucket ? -1 : 1;
	/* conf pushes new symbols at the head of their bucket */
	return x->order > y->order ? -1 : x->order < y->order;
}

/*
 * conf computes and checks symbols in hash-table order; matching it keeps
 * our results identical even where conf's results depend on order (stale
 * values after out-of-range user values are dropped).
 */
void kconf__build_calc_order(struct kconf_tree *t)
{
	size_t i;

	t->calc_order.len = 0;
	for (i = 0; i < t->all.len; i++)
		if (kconf__push(t, &t->calc_order, kt_array_ptr(&t->all, i)) < 0)
			break;
	kt_array_sort(&t->calc_order, calc_order_cmp);
}

bool kconf__string_valid(const struct kconf_sym *s, const char *str)
{
	const char *p = str;

	switch (s->type) {
	case KCONF_STRING:
		return true;
	case KCONF_INT:
		if (*p == '-')
			p++;
		if (!isdigit((unsigned char)*p))
			return false;
		if (*p == '0' && p[1])
			return false;
		for (p++; *p; p++)
			if (!isdigit((unsigned char)*p))
				return false;
		return true;
	case KCONF_HEX:
		if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
			p += 2;
		if (!isxdigit((unsigned char)*p))
			return false;
		for (p++; *p; p++)
			if (!isxdigit((unsigned char)*p))
				return false;
		return true;
	case KCONF_BOOL:
	case KCONF_TRISTATE:
		return strchr("yYmMnN", str[0]) && str[0];
	default:
		return false;
	}
}

/* ---- public accessors ----------------------------------------------- */

const char *kconf_type_name(enum kconf_type type)
{
	switch (type) {
	case KCONF_BOOL:
		return "bool";
	case KCONF_TRISTATE:
		return "tristate";
	case KCONF_INT:
		return "int";
	case KCONF_HEX:
		return "hex";
	case KCONF_STRING:
		return "string";
	default:
		return "unknown";
	}
}

size_t kconf_tree_nsyms(const struct kconf_tree *tree)
{
	return tree->syms.len;
}

struct kconf_sym *kconf_tree_sym(const struct kconf_tree *tree, size_t i)
{
	return i < tree->syms.len ? kt_array_ptr(&tree->syms, i) : NULL;
}

struct kconf_sym *kconf_sym_lookup(const struct kconf_tree *tree,
				   const char *name)
{
	if (!name)
		return NULL;
	if (!strncmp(name, "CONFIG_", 7) && !kt_map_get(tree->names, name))
		name += 7;
	return kt_map_get(tree->names, name);
}

const char *kconf_sym_name(const struct kconf_sym *sym)
{
	return sym->name;
}

enum kconf_type kconf_sym_type(const struct kconf_sym *sym)
{
	return sym->type;
}

bool kconf_sym_is_const(const struct kconf_sym *sym)
{
	return sym->flags & KS_CONST;
}

bool kconf_sym_allnoconfig_y(const struct kconf_sym *sym)
{
	return sym->flags & KS_ALLNOCONFIG_Y;
}

bool kconf_sym_is_choice(const struct kconf_sym *sym)
{
	return sym->flags & KS_CHOICE;
}

struct kconf_sym *kconf_sym_choice(const struct kconf_sym *sym)
{
	return (sym->flags & KS_CHOICEVAL) ? sym->choice : NULL;
}

size_t kconf_sym_ndefs(const struct kconf_sym *sym)
{
	return sym->menus.len;
}

int kconf_sym_def(const struct kconf_sym *sym, size_t i, const char **file,
		  int *line, const struct kconf_expr **dep)
{
	struct kconf_menu *m;

	if (i >= sym->menus.len)
		return -ENOENT;
	m = kt_array_ptr(&sym->menus, i);
	if (file)
		*file = m->file;
	if (line)
		*line = m->line;
	if (dep)
		*dep = m->dep;
	return 0;
}

const char *kconf_sym_prompt(const struct kconf_sym *sym)
{
	size_t i;

	for (i = 0; i < sym->props.len; i++) {
		struct kconf_iprop *p = kt_array_ptr(&sym->props, i);

		if (p->pub.text)
			return p->pub.text;
	}
	return NULL;
}

const char *kconf_sym_help(const struct kconf_sym *sym)
{
	size_t i;

	for (i = 0; i < sym->menus.len; i++) {
		struct kconf_menu *m = kt_array_ptr(&sym->menus, i);

		if (m->help)
			return m->help;
	}
	return NULL;
}

const struct kconf_expr *kconf_sym_dir_dep(const struct kconf_sym *sym)
{
	return sym->dir_dep;
}

const struct kconf_expr *kconf_sym_rev_dep(const struct kconf_sym *sym)
{
	return sym->rev_dep;
}

const struct kconf_expr *kconf_sym_implied(const struct kconf_sym *sym)
{
	return sym->implied;
}

size_t kconf_sym_nprops(const struct kconf_sym *sym)
{
	return sym->props.len;
}

const struct kconf_prop *kconf_sym_prop(const struct kconf_sym *sym,
					size_t i)
{
	struct kconf_iprop *p;

	if (i >= sym->props.len)
		return NULL;
	p = kt_array_ptr(&sym->props, i);
	return &p->pub;
}

size_t kconf_sym_nselected_by(const struct kconf_sym *sym)
{
	return sym->selected_by.len;
}

const struct kconf_prop *kconf_sym_selected_by(const struct kconf_sym *sym,
					       size_t i)
{
	struct kconf_iprop *p;

	if (i >= sym->selected_by.len)
		return NULL;
	p = kt_array_ptr(&sym->selected_by, i);
	return &p->pub;
}

size_t kconf_sym_nimplied_by(const struct kconf_sym *sym)
{
	return sym->implied_by.len;
}

const struct kconf_prop *kconf_sym_implied_by(const struct kconf_sym *sym,
					      size_t i)
{
	struct kconf_iprop *p;

	if (i >= sym->implied_by.len)
		return NULL;
	p = kt_array_ptr(&sym->implied_by, i);
	return &p->pub;
}

size_t kconf_choice_nmembers(const struct kconf_sym *choice)
{
	return choice->members.len;
}

struct kconf_sym *kconf_choice_member(const struct kconf_sym *choice,
				      size_t i)
{
	return i < choice->members.len ? kt_array_ptr(&choice->members, i)
				       : NULL;
}

bool kconf_choice_is_optional(const struct kconf_sym *choice)
{
	return choice->flags & KS_OPTIONAL;
}

struct kconf_sym *kconf_choice_selection(const struct kconf_sym *choice)
{
	size_t i;

	if (choice->tree->rules == KCONF_RULES_6_11) {
		/* the choice has no value of its own: its members do */
		for (i = 0; i < choice->members.len; i++) {
			struct kconf_sym *m = kt_array_ptr(&choice->members, i);

			if (kconf_sym_tristate(m) == KCONF_Y)
				return m;
		}
		return NULL;
	}
	kconf__calc_value((struct kconf_sym *)choice);
	return choice->cur_tri == KCONF_Y ? choice->cur_choice : NULL;
}

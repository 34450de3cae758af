// SPDX-License-Identifier: GPL-2.0-only
/*
 * Recipes: YAML files naming the symbols and features a target, a base or
 * a user pins on (require) or off (forbid). Includes resolve relative to
 * the recipes directory so a user's recipe can build on the shipped ones.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kconfig-trim/trim-internal.h"

void kconf_req_release(struct kconf_req *r)
{
	free(r->sym);
	free(r->value);
	free(r->name);
	free(r->origin);
	free(r->where);
	free(r->reason);
	kt_array_free_ptrs(&r->alts);
	memset(r, 0, sizeof(*r));
}

/* "CONFIG_X" or "X" (surrounding blanks allowed) -> "X"; NULL: not a name. */
static char *symbol_name(const char *text, size_t n)
{
	while (n && (*text == ' ' || *text == '\t')) {
		text++;
		n--;
	}
	while (n && (text[n - 1] == ' ' || text[n - 1] == '\t'))
		n--;
	if (n >= 7 && strncmp(text, "CONFIG_", 7) == 0) {
		text += 7;
		n -= 7;
	}
	if (!n)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (!kconf_is_ident_char((unsigned char)text[i]))
			return NULL;
	}
	return strndup(text, n);
}

/* The first '|' outside a quoted value, or NULL. */
static const char *find_bar(const char *text)
{
	bool quoted = false;

	for (; *text; text++) {
		if (*text == '"')
			quoted = !quoted;
		else if (*text == '|' && !quoted)
			return text;
	}
	return NULL;
}

/* " | CONFIG_Y | CONFIG_Z" after the first name. */
static int parse_alternatives(struct kconf_req *r, const char *bar)
{
	while (bar) {
		const char *next = find_bar(bar + 1);
		size_t n = next ? (size_t)(next - bar - 1) : strlen(bar + 1);
		char *name;

		if (memchr(bar + 1, '=', n))
			return -EINVAL;	/* the first name carries the value */
		name = symbol_name(bar + 1, n);
		if (!name)
			return -EINVAL;
		if (kt_array_push_ptr(&r->alts, name) < 0) {
			free(name);
			return -ENOMEM;
		}
		bar = next;
	}
	return 0;
}

int kconf_req_init_symbol(struct kconf_req *r, const char *text,
			  const char *origin, const char *where)
{
	const char *bar = find_bar(text);
	const char *eq = memchr(text, '=', bar ? (size_t)(bar - text) : strlen(text));
	size_t n = eq ? (size_t)(eq - text) : bar ? (size_t)(bar - text) : strlen(text);
	int ret;

	memset(r, 0, sizeof(*r));
	r->kind = KCONF_REQ_SYMBOL;
	kt_array_init(&r->alts, sizeof(char *));
	r->sym = symbol_name(text, n);
	if (!r->sym)
		return -EINVAL;
	ret = parse_alternatives(r, bar);
	if (ret < 0) {
		kconf_req_release(r);
		return ret;
	}
	if (eq) {
		const char *v = eq + 1;
		size_t vl = bar ? (size_t)(bar - v) : strlen(v);

		while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
			vl--;
		/* CONFIG_CMDLINE="..." as in a .config */
		if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"')
			r->value = strndup(v + 1, vl - 2);
		else
			r->value = strndup(v, vl);
	}
	r->origin = strdup(origin ? origin : "user");
	r->where = where ? strdup(where) : NULL;
	if (!r->sym || (eq && !r->value) || !r->origin || (where && !r->where)) {
		kconf_req_release(r);
		return -ENOMEM;
	}
	return 0;
}

int kconf_req_init_feature(struct kconf_req *r, enum kconf_feat_kind kind,
			   const char *name, const char *origin,
			   const char *where)
{
	memset(r, 0, sizeof(*r));
	r->kind = KCONF_REQ_FEATURE;
	kt_array_init(&r->alts, sizeof(char *));
	r->feat = kind;
	r->name = strdup(name);
	r->origin = strdup(origin ? origin : "user");
	r->where = where ? strdup(where) : NULL;
	if (!r->name || !r->origin || (where && !r->where)) {
		kconf_req_release(r);
		return -ENOMEM;
	}
	return 0;
}

int kconf_req_copy(struct kconf_req *dst, const struct kconf_req *src)
{
	int r = 0;

	memset(dst, 0, sizeof(*dst));
	dst->kind = src->kind;
	dst->feat = src->feat;
	dst->optional = src->optional;
	kt_array_init(&dst->alts, sizeof(char *));
#define DUP(f) do { if (src->f && !(dst->f = strdup(src->f))) r = -ENOMEM; } while (0)
	DUP(sym);
	DUP(value);
	DUP(name);
	DUP(origin);
	DUP(where);
	DUP(reason);
#undef DUP
	for (size_t i = 0; r == 0 && i < src->alts.len; i++)
		r = kt_array_push_strdup(&dst->alts, kt_array_ptr(&src->alts, i));
	if (r < 0)
		kconf_req_release(dst);
	return r;
}

void kconf_req_describe(const struct kconf_req *r, struct kt_str *out)
{
	if (r->kind == KCONF_REQ_SYMBOL) {
		kt_str_printf(out, "CONFIG_%s", r->sym);
		if (r->value)
			kt_str_printf(out, "=%s", r->value);
		for (size_t i = 0; i < r->alts.len; i++)
			kt_str_printf(out, " | CONFIG_%s", (char *)kt_array_ptr(&r->alts, i));
	} else {
		kt_str_printf(out, "%s %s", kconf_feat_kind_name(r->feat), r->name);
	}
}

static void recipe_free(struct kconf_recipe *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->require.len; i++)
		kconf_req_release(kt_array_at(&r->require, i));
	for (size_t i = 0; i < r->forbid.len; i++)
		kconf_req_release(kt_array_at(&r->forbid, i));
	kt_array_free(&r->require);
	kt_array_free(&r->forbid);
	for (size_t i = 0; i < r->includes.len; i++)
		free(kt_array_ptr(&r->includes, i));
	kt_array_free(&r->includes);
	kt_yaml_doc_release(&r->doc);
	free(r->name);
	free(r->description);
	free(r->file);
	free(r);
}

void kconf_recipe_set_init(struct kconf_recipe_set *s)
{
	kt_array_init(&s->recipes, sizeof(struct kconf_recipe *));
}

void kconf_recipe_set_release(struct kconf_recipe_set *s)
{
	for (size_t i = 0; i < s->recipes.len; i++)
		recipe_free(kt_array_ptr(&s->recipes, i));
	kt_array_free(&s->recipes);
}

enum kconf_modules_policy kconf_recipe_set_modules(const struct kconf_recipe_set *s)
{
	for (size_t i = 0; i < s->recipes.len; i++) {
		const struct kconf_recipe *r = kt_array_ptr(&s->recipes, i);

		if (r->modules_set && r->modules == KCONF_MODULES_AS_NEEDED)
			return KCONF_MODULES_AS_NEEDED;
	}
	return KCONF_MODULES_BUILTIN;
}

static int where_of(const struct kt_yaml_doc *doc, const struct kt_yaml_node *n,
		    struct kt_str *w)
{
	kt_str_reset(w);
	return kt_str_printf(w, "%s:%d:%d", doc->file, n->line, n->col);
}

/*
 * {optional: "CONFIG_A | CONFIG_B", reason: "..."}: a requirement that the
 * tree may lack, with the reason it is worth having where it exists.
 */
static int parse_optional(struct kconf_recipe *r, const struct kt_yaml_node *it,
			  struct kconf_req *req, const char *origin, const char *where,
			  struct kt_str *err)
{
	static const char *const keys[] = { "optional", "reason", NULL };
	const struct kt_yaml_node *sym = kt_yaml_map_get(it, "optional");
	const struct kt_yaml_node *why = kt_yaml_map_get(it, "reason");
	int ret = kt_yaml_map_check_keys(&r->doc, it, keys, err);

	if (ret < 0)
		return ret;
	if (!why || why->type != KT_YAML_SCALAR || !why->scalar[0])
		return kt_yaml_error(&r->doc, it, err, "an optional requirement needs a reason:");
	if (sym->type != KT_YAML_SCALAR || strncmp(sym->scalar, "CONFIG_", 7) ||
	    (ret = kconf_req_init_symbol(req, sym->scalar, origin, where)) == -EINVAL)
		return kt_yaml_error(&r->doc, sym, err,
				     "expected CONFIG_NAME[=value] [| CONFIG_OTHER_NAME...]");
	if (ret < 0)
		return ret;
	req->optional = true;
	req->reason = strdup(why->scalar);
	if (!req->reason) {
		kconf_req_release(req);
		return -ENOMEM;
	}
	return 0;
}

/* One require/forbid item: "CONFIG_X[=v]", "CONFIG_X | CONFIG_Y", {optional: ...} or {kind: name}. */
static int parse_item(struct kconf_recipe *r, const struct kt_yaml_node *it,
		      struct kt_array *into, struct kt_str *err)
{
	struct kt_str origin = KT_STR_INIT, where = KT_STR_INIT;
	struct kconf_req req;
	int ret;

	/* both are copied into the item: a cut one must not be */
	ret = kt_str_printf(&origin, "recipe %s", r->name);
	if (ret == 0)
		ret = where_of(&r->doc, it, &where);
	if (ret < 0)
		goto out;
	if (it->type == KT_YAML_SCALAR) {
		ret = kconf_req_init_symbol(&req, it->scalar, kt_str_cstr(&origin),
					    kt_str_cstr(&where));
		if (ret == -EINVAL || (ret == 0 && strncmp(it->scalar, "CONFIG_", 7))) {
			if (ret == 0)
				kconf_req_release(&req);
			ret = kt_yaml_error(&r->doc, it, err,
					    "expected CONFIG_NAME[=value] [| CONFIG_OTHER_NAME...], got '%s'",
					    it->scalar);
			goto out;
		}
	} else if (it->type == KT_YAML_MAP && kt_yaml_map_get(it, "optional")) {
		ret = parse_optional(r, it, &req, kt_str_cstr(&origin), kt_str_cstr(&where), err);
	} else if (it->type == KT_YAML_MAP && it->n == 1 &&
		   it->keys[0]->type == KT_YAML_SCALAR &&
		   it->items[0]->type == KT_YAML_SCALAR) {
		enum kconf_feat_kind kind;
		const char *k = it->keys[0]->scalar;

		/* netfilter facts are modules (nf_tables, xt_conntrack) */
		if (strcmp(k, "netfilter") == 0)
			kind = KCONF_FEAT_MODULE;
		else if (kconf_feat_kind_parse(k, &kind) < 0) {
			ret = kt_yaml_error(&r->doc, it->keys[0], err,
					    "unknown feature kind '%s' (module, syscall, filesystem, "
					    "socket, cgroup, namespace, netfilter)", k);
			goto out;
		}
		ret = kconf_req_init_feature(&req, kind, it->items[0]->scalar,
					     kt_str_cstr(&origin), kt_str_cstr(&where));
	} else {
		ret = kt_yaml_error(&r->doc, it, err,
				    "expected CONFIG_NAME[=value] or {kind: name}");
		goto out;
	}
	if (ret < 0)
		goto out;
	if (!kt_array_push(into, &req)) {
		kconf_req_release(&req);
		ret = -ENOMEM;
	}
out:
	kt_str_free(&origin);
	kt_str_free(&where);
	return ret;
}

static int parse_list(struct kconf_recipe *r, const char *key,
		      struct kt_array *into, struct kt_str *err)
{
	const struct kt_yaml_node *l = kt_yaml_map_get(r->doc.root, key);
	int ret;

	if (!l)
		return 0;
	if (l->type != KT_YAML_SEQ)
		return kt_yaml_error(&r->doc, l, err, "'%s' must be a list", key);
	for (size_t i = 0; i < l->n; i++) {
		ret = parse_item(r, l->items[i], into, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static const char *scalar_of(const struct kconf_recipe *r, const char *key)
{
	const struct kt_yaml_node *n = kt_yaml_map_get(r->doc.root, key);

	return n && n->type == KT_YAML_SCALAR ? n->scalar : NULL;
}

static int resolve_path(const char *recipes_dir, const char *what,
			struct kt_str *path)
{
	static const char *const subdirs[] = { "targets/", "bases/", "workloads/", "" };
	size_t n = strlen(what);
	struct stat st;

	kt_str_reset(path);
	if (n > 5 && strcmp(what + n - 5, ".yaml") == 0 && stat(what, &st) == 0)
		return kt_str_puts(path, what);
	if (n > 5 && strcmp(what + n - 5, ".yaml") == 0) {
		if (kt_str_printf(path, "%s/%s", recipes_dir, what) < 0)
			return kt_str_error(path);
		return stat(kt_str_cstr(path), &st) == 0 ? 0 : -ENOENT;
	}
	for (size_t i = 0; i < KT_ARRAY_SIZE(subdirs); i++) {
		kt_str_reset(path);
		if (kt_str_printf(path, "%s/%s%s.yaml", recipes_dir, subdirs[i], what) < 0)
			return kt_str_error(path);
		if (stat(kt_str_cstr(path), &st) == 0)
			return 0;
	}
	return -ENOENT;
}

static int load_one(struct kconf_recipe_set *s, const char *recipes_dir,
		    const char *path, struct kt_array *stack, struct kt_str *err);

static bool set_has(const struct kconf_recipe_set *s, const char *real)
{
	for (size_t i = 0; i < s->recipes.len; i++) {
		const struct kconf_recipe *r = kt_array_ptr(&s->recipes, i);

		if (strcmp(r->file, real) == 0)
			return true;
	}
	return false;
}

static int load_includes(struct kconf_recipe_set *s, struct kconf_recipe *r,
			 const char *recipes_dir, struct kt_array *stack,
			 struct kt_str *err)
{
	const struct kt_yaml_node *inc = kt_yaml_map_get(r->doc.root, "include");
	struct kt_str path = KT_STR_INIT;
	int ret = 0;

	if (!inc)
		return 0;
	/* a single include may be written without brackets */
	if (inc->type != KT_YAML_SEQ && inc->type != KT_YAML_SCALAR) {
		return kt_yaml_error(&r->doc, inc, err, "'include' must be a list of recipe files");
	}
	for (size_t i = 0; ret == 0 && i < (inc->type == KT_YAML_SEQ ? inc->n : 1); i++) {
		const struct kt_yaml_node *it = inc->type == KT_YAML_SEQ ? inc->items[i] : inc;
		char real[PATH_MAX];

		if (it->type != KT_YAML_SCALAR) {
			ret = kt_yaml_error(&r->doc, it, err, "include items are file names");
			break;
		}
		kt_str_reset(&path);
		ret = kt_str_printf(&path, "%s/%s", recipes_dir, it->scalar);
		if (ret < 0)
			break;
		if (!realpath(kt_str_cstr(&path), real)) {
			ret = kt_yaml_error(&r->doc, it, err, "cannot include %s: %s",
					    kt_str_cstr(&path), strerror(errno));
			break;
		}
		for (size_t j = 0; j < stack->len; j++) {
			if (strcmp(kt_array_ptr(stack, j), real) == 0) {
				ret = kt_yaml_error(&r->doc, it, err, "include cycle:");
				for (size_t k = j; k < stack->len; k++)
					kt_str_printf(err, " %s ->", (char *)kt_array_ptr(stack, k));
				kt_str_printf(err, " %s", real);
				break;
			}
		}
		if (ret < 0)
			break;
		if (set_has(s, real))
			continue;	/* diamond: loaded through another path */
		ret = load_one(s, recipes_dir, real, stack, err);
		if (ret == 0) {
			char *d = strdup(real);

			if (!d || kt_array_push_ptr(&r->includes, d) < 0) {
				free(d);
				ret = -ENOMEM;
			}
		}
	}
	kt_str_free(&path);
	return ret;
}

static int load_one(struct kconf_recipe_set *s, const char *recipes_dir,
		    const char *path, struct kt_array *stack, struct kt_str *err)
{
	static const char *const keys[] = {
		"name", "description", "include", "modules", "require", "forbid",
		/* not the trimmer's: pipeline/target.c reads it from doc */
		"boot", NULL
	};
	struct kconf_recipe *r = calloc(1, sizeof(*r));
	char real[PATH_MAX];
	const char *v;
	int ret = -ENOMEM;

	if (!r)
		return -ENOMEM;
	kt_array_init(&r->require, sizeof(struct kconf_req));
	kt_array_init(&r->forbid, sizeof(struct kconf_req));
	kt_array_init(&r->includes, sizeof(char *));
	if (!realpath(path, real)) {
		ret = -errno;
		kt_str_printf(err, "%s: %s", path, strerror(errno));
		goto out;
	}
	r->file = strdup(real);
	if (!r->file)
		goto out;
	ret = kt_yaml_load_file(path, &r->doc, err);
	if (ret < 0)
		goto out;
	if (!r->doc.root || r->doc.root->type != KT_YAML_MAP) {
		kt_str_printf(err, "%s:1:1: a recipe is a mapping (name:, require:, ...)", path);
		ret = -EINVAL;
		goto out;
	}
	ret = kt_yaml_map_check_keys(&r->doc, r->doc.root, keys, err);
	if (ret < 0)
		goto out;
	v = scalar_of(r, "name");
	if (!v) {
		/* the file name is the recipe's name when it has none */
		const char *b = strrchr(real, '/');

		r->name = strndup(b + 1, strcspn(b + 1, "."));
	} else {
		r->name = strdup(v);
	}
	v = scalar_of(r, "description");
	r->description = v ? strdup(v) : NULL;
	if (!r->name || (v && !r->description))
		goto nomem;
	v = scalar_of(r, "modules");
	if (v) {
		r->modules_set = true;
		if (strcmp(v, "builtin") == 0) {
			r->modules = KCONF_MODULES_BUILTIN;
		} else if (strcmp(v, "as-needed") == 0) {
			r->modules = KCONF_MODULES_AS_NEEDED;
		} else {
			ret = kt_yaml_error(&r->doc, kt_yaml_map_get(r->doc.root, "modules"),
					    err, "modules: must be builtin or as-needed, not '%s'", v);
			goto out;
		}
	}
	ret = parse_list(r, "require", &r->require, err);
	if (ret < 0)
		goto out;
	ret = parse_list(r, "forbid", &r->forbid, err);
	if (ret < 0)
		goto out;
	ret = kt_array_push_ptr(stack, r->file);
	if (ret < 0)
		goto out;
	ret = load_includes(s, r, recipes_dir, stack, err);
	stack->len--;
	if (ret < 0)
		goto out;
	ret = kt_array_push_ptr(&s->recipes, r);
	if (ret < 0)
		goto out;
	return 0;
nomem:
	ret = -ENOMEM;
out:
	recipe_free(r);
	return ret;
}

int kconf_recipe_set_load(struct kconf_recipe_set *s, const char *recipes_dir,
			  const char *what, struct kt_str *err)
{
	struct kt_array stack = KT_ARRAY_INIT(char *);
	struct kt_str path = KT_STR_INIT;
	char real[PATH_MAX];
	int r;

	r = resolve_path(recipes_dir, what, &path);
	if (r == -ENOENT)
		kt_str_printf(err, "no recipe '%s' (looked in %s/targets, bases, workloads)",
			      what, recipes_dir);
	if (r < 0)
		goto out;
	if (realpath(kt_str_cstr(&path), real) && set_has(s, real))
		goto out;
	r = load_one(s, recipes_dir, kt_str_cstr(&path), &stack, err);
out:
	kt_array_free(&stack);
	kt_str_free(&path);
	return r;
}

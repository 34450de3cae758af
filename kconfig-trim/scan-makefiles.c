// SPDX-License-Identifier: GPL-2.0-only
/*
 * Walk the tree's Kbuild/Makefile graph from the top, the way kbuild
 * descends, and record for every directory and object the chain of
 * CONFIG_ symbols that gets it built:
 *
 *   obj-$(CONFIG_X) += dir/     everything below dir/ needs X
 *   obj-$(CONFIG_X) += foo.o    module/object foo needs X (+ the dir chain)
 *   foo-y / foo-objs / foo-$(CONFIG_Y) += bar.o
 *                               bar.o is part of foo.o (and also needs Y)
 *
 * ifdef/ifeq blocks testing a CONFIG_ symbol positively add it to the
 * chain; anything we cannot evaluate (ARCH tests, negations) adds nothing,
 * which errs towards "needs less", never towards a wrong symbol.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kconfig-trim/trim-internal.h"

enum mk_mode {
	MK_DIR,		/* a directory's Kbuild/Makefile: obj-, lib-, composites */
	MK_ARCHTOP,	/* top and arch Makefiles: core-, drivers-, libs- */
};

struct mk_assign {
	char *base;	/* "obj", "foo" (composite), "drivers" */
	char *suffix;	/* "y", "m", "objs", "$(CONFIG_X)" */
	char *value;
	struct kconf_chain cond;	/* from the suffix and enclosing ifs */
	const char *where;
};

struct mk_ctx {
	struct kconf_featmap *m;
	struct kconf_makefiles *kb;
	const char *ksrc;
	const char *srcarch;
	struct kt_array queue;	/* const char * dir keys, interned */
};

static void chain_free(void *p)
{
	struct kconf_chain *c = p;

	if (c)
		kconf_chain_release(c);
	free(c);
}

void kconf_makefiles_release(struct kconf_makefiles *kb)
{
	kt_map_free(kb->dirs);
	kt_map_free(kb->objs);
	kt_map_free(kb->modules);
	kt_map_free(kb->parents);
	for (size_t i = 0; i < kb->stamps.len; i++)
		free(kt_array_ptr(&kb->stamps, i));
	kt_array_free(&kb->stamps);
	memset(kb, 0, sizeof(*kb));
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/*
 * Substitute the few make variables object names use in practice; 0 or
 * @out's error (the last append reports any before it).
 */
static int expand_vars(const struct mk_ctx *c, const char *in, struct kt_str *out)
{
	static const char bits[] = "64";
	const char *p = in;

	kt_str_reset(out);
	while (*p) {
		if (strncmp(p, "$(SRCARCH)", 10) == 0) {
			kt_str_puts(out, c->srcarch);
			p += 10;
		} else if (strncmp(p, "$(BITS)", 7) == 0) {
			kt_str_puts(out, bits);
			p += 7;
		} else {
			kt_str_putc(out, *p++);
		}
	}
	return kt_str_puts(out, "");
}

static int stamp_add(struct kconf_makefiles *kb, const char *rel)
{
	char *s = strdup(rel);

	if (!s || kt_array_push_ptr(&kb->stamps, s) < 0) {
		free(s);
		return -ENOMEM;
	}
	return 0;
}

/* A positive test of one CONFIG_ symbol, e.g. `ifdef CONFIG_X`,
 * `ifeq ($(CONFIG_X),y)`, `ifneq ($(CONFIG_X),)`. */
static int if_cond(struct mk_ctx *c, const char *line, const char *where,
		   struct kconf_chain *out)
{
	const char *arg;
	bool positive;

	out->n = 0;
	out->v = NULL;
	if (strncmp(line, "ifdef", 5) == 0) {
		arg = line + 5;
		positive = true;
	} else if (strncmp(line, "ifeq", 4) == 0) {
		arg = line + 4;
		/* ifeq ($(CONFIG_X),) is a negation */
		positive = !strstr(arg, ",)") && !strstr(arg, ", )");
	} else if (strncmp(line, "ifneq", 5) == 0) {
		arg = line + 5;
		positive = strstr(arg, ",)") || strstr(arg, ", )");
	} else {
		return 0;	/* ifndef: a negation */
	}
	if (!positive)
		return 0;
	/* Only single-symbol tests are certain enough to record:
	 * ifneq ($(CONFIG_A)$(CONFIG_B),) is an "or". */
	{
		const char *first = strstr(arg, "CONFIG_");

		if (!first || strstr(first + 7, "CONFIG_"))
			return 0;
	}
	return kconf_chain_add_config_refs(c->m, out, arg, strlen(arg), where);
}

static bool split_var(const char *var, char **base, char **suffix)
{
	int depth = 0;
	const char *dash = NULL;

	for (const char *p = var; *p; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		else if (*p == '-' && depth == 0)
			dash = p;
	}
	if (!dash || dash == var || !dash[1])
		return false;
	*base = strndup(var, (size_t)(dash - var));
	*suffix = strdup(dash + 1);
	return *base && *suffix;
}

static bool suffix_ok(const char *s)
{
	return strcmp(s, "y") == 0 || strcmp(s, "m") == 0 ||
	       strcmp(s, "objs") == 0 || strstr(s, "CONFIG_") != NULL;
}

static void assigns_free(struct kt_array *a)
{
	for (size_t i = 0; i < a->len; i++) {
		struct mk_assign *as = kt_array_at(a, i);

		free(as->base);
		free(as->suffix);
		free(as->value);
		kconf_chain_release(&as->cond);
	}
	kt_array_free(a);
}

/*
 * Read @path into assignments. Continuation lines are joined; comments
 * dropped; the if-stack's positive CONFIG_ tests go into each cond.
 */
static int mk_read(struct mk_ctx *c, const char *rel, struct kt_array *out)
{
	struct kt_str path = KT_STR_INIT, logical = KT_STR_INIT, where = KT_STR_INIT;
	struct kconf_chain stack[64];
	size_t depth = 0;
	char *buf = NULL;
	size_t len;
	int line = 0, start_line = 0;
	int r;

	r = kt_str_printf(&path, "%s/%s", c->ksrc, rel);
	if (r == 0)
		r = kt_read_regular_file(kt_str_cstr(&path), 0, &buf, &len);
	if (r == -EINVAL)
		kt_err("%s: not a regular file", kt_str_cstr(&path));
	if (r < 0)
		goto out;
	r = stamp_add(c->kb, rel);
	if (r < 0)
		goto out;
	for (char *p = buf; *p;) {
		char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *l, *hash, *op, *var, *val;
		struct mk_assign as = { 0 };

		line++;
		if (!logical.len)
			start_line = line;
		if (n && p[n - 1] == '\\') {
			kt_str_append(&logical, p, n - 1);
			kt_str_putc(&logical, ' ');
			p = nl ? nl + 1 : p + n;
			continue;
		}
		kt_str_append(&logical, p, n);
		p = nl ? nl + 1 : p + n;
		kt_str_reset(&where);
		kt_str_printf(&where, "%s:%d", rel, start_line);
		/* the line is parsed and its position kept: check both once */
		r = kt_str_error(&logical);
		if (r == 0)
			r = kt_str_error(&where);
		if (r < 0)
			goto out;
		l = (char *)kt_str_cstr(&logical);
		hash = strchr(l, '#');
		if (hash)
			*hash = '\0';
		l = trim(l);

		if (strncmp(l, "if", 2) == 0 && (strncmp(l, "ifdef", 5) == 0 ||
		    strncmp(l, "ifndef", 6) == 0 || strncmp(l, "ifeq", 4) == 0 ||
		    strncmp(l, "ifneq", 5) == 0)) {
			if (depth < KT_ARRAY_SIZE(stack)) {
				r = if_cond(c, l, kconf_featmap_intern(c->m, kt_str_cstr(&where)),
					    &stack[depth]);
				if (r < 0)
					goto out;
			}
			depth++;
			goto next;
		}
		if (strncmp(l, "else", 4) == 0 && (!l[4] || l[4] == ' ' || l[4] == '\t')) {
			/* The else side of a test is a negation: constrains nothing. */
			if (depth && depth <= KT_ARRAY_SIZE(stack))
				kconf_chain_release(&stack[depth - 1]);
			goto next;
		}
		if (strcmp(l, "endif") == 0) {
			if (depth) {
				depth--;
				if (depth < KT_ARRAY_SIZE(stack))
					kconf_chain_release(&stack[depth]);
			}
			goto next;
		}
		/* VAR op VALUE, with op one of += := ?= = */
		op = NULL;
		{
			int pd = 0;

			for (char *q = l; *q; q++) {
				if (*q == '(')
					pd++;
				else if (*q == ')')
					pd--;
				else if (pd == 0 && *q == '=') {
					op = q;
					break;
				} else if (pd == 0 && (*q == ' ' || *q == '\t' || *q == ':')) {
					/* VAR must be one word: find the operator after it */
					char *t = q;

					while (*t == ' ' || *t == '\t')
						t++;
					if ((t[0] == '+' || t[0] == ':' || t[0] == '?') && t[1] == '=')
						op = t + 1;
					else if (t[0] == ':' && t[1] == ':' && t[2] == '=')
						op = t + 2;
					else if (t[0] == '=')
						op = t;
					break;
				}
			}
		}
		if (!op)
			goto next;
		val = op + 1;
		if (op > l && (op[-1] == '+' || op[-1] == ':' || op[-1] == '?'))
			op--;
		if (op > l && op[-1] == ':')
			op--;
		*op = '\0';
		var = trim(l);
		if (!*var || strpbrk(var, " \t:"))
			goto next;
		if (!split_var(var, &as.base, &as.suffix) || !suffix_ok(as.suffix)) {
			free(as.base);
			free(as.suffix);
			goto next;
		}
		as.where = kconf_featmap_intern(c->m, kt_str_cstr(&where));
		as.value = strdup(trim(val));
		r = kconf_chain_add_config_refs(c->m, &as.cond, as.suffix,
						strlen(as.suffix), as.where);
		for (size_t i = 0; r == 0 && i < depth && i < KT_ARRAY_SIZE(stack); i++) {
			for (size_t j = 0; r == 0 && j < stack[i].n; j++)
				r = kconf_chain_push(&as.cond, stack[i].v[j].sym,
						     stack[i].v[j].where);
		}
		if (r < 0 || !as.value || !as.where || !kt_array_push(out, &as)) {
			free(as.base);
			free(as.suffix);
			free(as.value);
			kconf_chain_release(&as.cond);
			r = r < 0 ? r : -ENOMEM;
			goto out;
		}
next:
		kt_str_reset(&logical);
	}
	r = 0;
out:
	for (size_t i = 0; i < depth && i < KT_ARRAY_SIZE(stack); i++)
		kconf_chain_release(&stack[i]);
	free(buf);
	kt_str_free(&path);
	kt_str_free(&logical);
	kt_str_free(&where);
	return r;
}

/*
 * Split a value into words, keeping $(...) groups whole: 1 with the next
 * word in @w, 0 at the end, or @w's error.
 */
static int next_word(const char **pp, struct kt_str *w)
{
	const char *p = *pp;
	int depth = 0;

	kt_str_reset(w);
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return 0;
	for (; *p; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		else if (depth == 0 && (*p == ' ' || *p == '\t'))
			break;
		kt_str_putc(w, *p);
	}
	*pp = p;
	return kt_str_puts(w, "") < 0 ? kt_str_error(w) : 1;
}

/*
 * The next word of a value with make variables substituted: *@word points
 * into @ex, NULL at the end. 0 or a negative errno.
 */
static int next_expanded_word(const struct mk_ctx *c, const char **pp,
			      struct kt_str *w, struct kt_str *ex,
			      const char **word)
{
	int r = next_word(pp, w);

	*word = NULL;
	if (r <= 0)
		return r;
	r = expand_vars(c, kt_str_cstr(w), ex);
	if (r == 0)
		*word = kt_str_cstr(ex);
	return r;
}

static struct kconf_chain *chain_new_from(const struct kconf_chain *parent,
					  const struct kconf_chain *cond)
{
	struct kconf_chain *ch = calloc(1, sizeof(*ch));

	if (!ch)
		return NULL;
	if (kconf_chain_copy(ch, parent) < 0)
		goto fail;
	for (size_t i = 0; cond && i < cond->n; i++) {
		if (kconf_chain_push(ch, cond->v[i].sym, cond->v[i].where) < 0)
			goto fail;
	}
	return ch;
fail:
	chain_free(ch);
	return NULL;
}

static int add_dir(struct mk_ctx *c, const char *key,
		   const struct kconf_chain *parent, const struct kconf_chain *cond)
{
	struct kconf_chain *ch;
	const char *ikey;

	/* First route in wins: kbuild descends once per directory. */
	if (kt_map_has(c->kb->dirs, key))
		return 0;
	ch = chain_new_from(parent, cond);
	ikey = kconf_featmap_intern(c->m, key);
	if (!ch || !ikey || kt_map_set(c->kb->dirs, key, ch) < 0) {
		chain_free(ch);
		return -ENOMEM;
	}
	return kt_array_push_ptr(&c->queue, (void *)ikey);
}

static int add_obj(struct mk_ctx *c, const char *key, bool module,
		   const struct kconf_chain *parent, const struct kconf_chain *cond)
{
	struct kconf_chain *ch;
	const char *base;

	if (!kt_map_has(c->kb->objs, key)) {
		ch = chain_new_from(parent, cond);
		if (!ch || kt_map_set(c->kb->objs, key, ch) < 0) {
			chain_free(ch);
			return -ENOMEM;
		}
	}
	if (!module)
		return 0;
	base = strrchr(key, '/');
	base = base ? base + 1 : key;
	if (!kt_map_has(c->kb->modules, base)) {
		const char *ikey = kconf_featmap_intern(c->m, key);

		if (!ikey || kt_map_set(c->kb->modules, base, (void *)ikey) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Object and directory lines: obj-*, lib-* (and core-/drivers-/libs-). */
static int mk_apply_lists(struct mk_ctx *c, const char *dir,
			  const struct kconf_chain *dchain, struct kt_array *as,
			  enum mk_mode mode)
{
	struct kt_str w = KT_STR_INIT, ex = KT_STR_INIT, key = KT_STR_INIT;
	int r = 0;

	for (size_t i = 0; i < as->len && r == 0; i++) {
		struct mk_assign *a = kt_array_at(as, i);
		bool module;
		const char *p = a->value;

		if (mode == MK_DIR)
			module = strcmp(a->base, "obj") == 0;
		else
			module = false;
		if (mode == MK_DIR && !module && strcmp(a->base, "lib") != 0)
			continue;
		if (mode == MK_ARCHTOP && strcmp(a->base, "core") != 0 &&
		    strcmp(a->base, "drivers") != 0 && strcmp(a->base, "libs") != 0)
			continue;
		while (r == 0) {
			const char *word;
			size_t n;

			r = next_expanded_word(c, &p, &w, &ex, &word);
			if (r < 0 || !word)
				break;
			if (strchr(word, '$'))
				continue;	/* computed names: not modelled */
			n = strlen(word);
			kt_str_reset(&key);
			r = kt_str_printf(&key, "%s%s", dir, word);
			if (r < 0)
				break;
			if (n && word[n - 1] == '/') {
				r = add_dir(c, kt_str_cstr(&key), dchain, &a->cond);
			} else if (n > 2 && strcmp(word + n - 2, ".o") == 0) {
				key.len -= 2;
				key.buf[key.len] = '\0';
				r = add_obj(c, kt_str_cstr(&key), module, dchain, &a->cond);
			}
		}
	}
	kt_str_free(&w);
	kt_str_free(&ex);
	kt_str_free(&key);
	return r;
}

/* foo-y/foo-objs/foo-$(CONFIG_Y) += bar.o: bar is part of foo. */
static int mk_apply_composites(struct mk_ctx *c, const char *dir,
			       struct kt_array *as)
{
	struct kt_str w = KT_STR_INIT, ex = KT_STR_INIT, key = KT_STR_INIT;
	int r = 0;

	/* Nested composites resolve outside-in; a few passes reach them. */
	for (int pass = 0; pass < 3 && r == 0; pass++) {
		for (size_t i = 0; i < as->len && r == 0; i++) {
			struct mk_assign *a = kt_array_at(as, i);
			const struct kconf_chain *parent;
			const char *p = a->value, *pkey;

			if (strcmp(a->base, "obj") == 0 || strcmp(a->base, "lib") == 0)
				continue;
			kt_str_reset(&key);
			r = kt_str_printf(&key, "%s%s", dir, a->base);
			if (r < 0)
				break;
			parent = kt_map_get(c->kb->objs, kt_str_cstr(&key));
			if (!parent)
				continue;
			pkey = kconf_featmap_intern(c->m, kt_str_cstr(&key));
			if (!pkey) {
				r = -ENOMEM;
				break;
			}
			while (r == 0) {
				const char *word;
				size_t n;

				r = next_expanded_word(c, &p, &w, &ex, &word);
				if (r < 0 || !word)
					break;
				n = strlen(word);
				if (strchr(word, '$') || n < 3 || strcmp(word + n - 2, ".o"))
					continue;
				kt_str_reset(&key);
				r = kt_str_printf(&key, "%s%.*s", dir, (int)(n - 2), word);
				if (r < 0)
					break;
				if (kt_map_has(c->kb->objs, kt_str_cstr(&key)))
					continue;
				r = add_obj(c, kt_str_cstr(&key), false, parent, &a->cond);
				if (r == 0)
					r = kt_map_set(c->kb->parents, kt_str_cstr(&key),
						       (void *)pkey);
			}
		}
	}
	kt_str_free(&w);
	kt_str_free(&ex);
	kt_str_free(&key);
	return r;
}

/* Every obj- object is a module name a profile may mention. */
static int kbuild_add_modules(struct kconf_featmap *m, struct kconf_makefiles *kb)
{
	struct kt_str where = KT_STR_INIT;
	struct kt_map_iter it;
	int r = 0;

	kt_map_iter_init(&it, kb->modules);
	while (r == 0 && kt_map_iter_next(&it)) {
		const char *key = it.value;
		const struct kconf_chain *ch = kt_map_get(kb->objs, key);

		kt_str_reset(&where);
		r = kt_str_printf(&where, "%s.o", key);
		if (r == 0)
			r = kconf_featmap_add(m, KCONF_FEAT_MODULE, it.key,
					      kt_str_cstr(&where), ch);
	}
	kt_str_free(&where);
	return r;
}

/* 1 or 0, or -ENOMEM: a directory must not be skipped for want of memory. */
static int file_exists(const char *ksrc, const char *rel)
{
	struct kt_str p = KT_STR_INIT;
	struct stat st;
	int r;

	r = kt_str_printf(&p, "%s/%s", ksrc, rel);
	if (r == 0)
		r = stat(kt_str_cstr(&p), &st) == 0 && S_ISREG(st.st_mode);
	kt_str_free(&p);
	return r;
}

static int mk_process(struct mk_ctx *c, const char *rel, const char *dir,
		      const struct kconf_chain *dchain, enum mk_mode mode)
{
	struct kt_array as = KT_ARRAY_INIT(struct mk_assign);
	int r;

	r = mk_read(c, rel, &as);
	if (r < 0)
		goto out;
	r = mk_apply_lists(c, dir, dchain, &as, mode);
	if (r < 0 || mode != MK_DIR)
		goto out;
	r = mk_apply_composites(c, dir, &as);
out:
	assigns_free(&as);
	return r;
}

int kconf_makefiles_scan(struct kconf_featmap *m, const char *ksrc,
		      const char *srcarch, struct kconf_makefiles *kb)
{
	struct mk_ctx c = { .m = m, .kb = kb, .ksrc = ksrc, .srcarch = srcarch };
	struct kt_str rel = KT_STR_INIT;
	struct kconf_chain none = { 0 };
	int r = -ENOMEM;

	memset(kb, 0, sizeof(*kb));
	kt_array_init(&kb->stamps, sizeof(char *));
	kt_array_init(&c.queue, sizeof(char *));
	kb->dirs = kt_map_new(chain_free);
	kb->objs = kt_map_new(chain_free);
	kb->modules = kt_map_new(NULL);
	kb->parents = kt_map_new(NULL);
	if (!kb->dirs || !kb->objs || !kb->modules || !kb->parents)
		goto out;
	/* The root: Kbuild lists the top directories; the top and arch
	 * Makefiles add core-/drivers-/libs- directories relative to it. */
	r = mk_process(&c, "Kbuild", "", &none, MK_DIR);
	if (r < 0) {
		kt_err("%s/Kbuild: %s (not a kernel source tree?)", ksrc, strerror(-r));
		goto out;
	}
	r = mk_process(&c, "Makefile", "", &none, MK_ARCHTOP);
	if (r < 0)
		goto out;
	r = kt_str_printf(&rel, "arch/%s/Makefile", srcarch);
	if (r < 0)
		goto out;
	r = mk_process(&c, kt_str_cstr(&rel), "", &none, MK_ARCHTOP);
	if (r < 0) {
		kt_err("%s/%s: %s", ksrc, kt_str_cstr(&rel), strerror(-r));
		goto out;
	}
	for (size_t i = 0; i < c.queue.len; i++) {
		const char *dir = kt_array_ptr(&c.queue, i);
		const struct kconf_chain *dchain = kt_map_get(kb->dirs, dir);

		r = stamp_add(kb, dir);
		if (r < 0)
			goto out;
		kt_str_reset(&rel);
		r = kt_str_printf(&rel, "%sKbuild", dir);
		if (r == 0)
			r = file_exists(ksrc, kt_str_cstr(&rel));
		if (r == 0) {
			kt_str_reset(&rel);
			r = kt_str_printf(&rel, "%sMakefile", dir);
			if (r == 0)
				r = file_exists(ksrc, kt_str_cstr(&rel));
			if (r == 0)
				continue;
		}
		if (r < 0)
			goto out;
		r = mk_process(&c, kt_str_cstr(&rel), dir, dchain, MK_DIR);
		if (r < 0) {
			kt_err("%s/%s: %s", ksrc, kt_str_cstr(&rel), strerror(-r));
			goto out;
		}
	}
	r = kbuild_add_modules(m, kb);
out:
	kt_array_free(&c.queue);
	kt_str_free(&rel);
	return r;
}

const struct kconf_chain *kconf_makefiles_file_chain(const struct kconf_makefiles *kb,
						  const char *relpath)
{
	char key[4096];
	const char *dot = strrchr(relpath, '.');
	const char *slash = strrchr(relpath, '/');
	const struct kconf_chain *ch;
	size_t n;

	n = dot && (!slash || dot > slash) ? (size_t)(dot - relpath) : strlen(relpath);
	if (n >= sizeof(key))
		return NULL;
	memcpy(key, relpath, n);
	key[n] = '\0';
	ch = kt_map_get(kb->objs, key);
	if (ch)
		return ch;
	n = slash ? (size_t)(slash - relpath) + 1 : 0;
	memcpy(key, relpath, n);
	key[n] = '\0';
	return kt_map_get(kb->dirs, key);
}

int kconf_makefiles_modname(const struct kconf_makefiles *kb, const char *relpath,
			 struct kt_str *out)
{
	const char *dot = strrchr(relpath, '.'), *slash, *up;
	struct kt_str key = KT_STR_INIT;
	int r;

	kt_str_append(&key, relpath, dot ? (size_t)(dot - relpath) : strlen(relpath));
	r = kt_str_puts(&key, "");
	/* a composite's part takes the composite's name; they nest a little */
	for (int i = 0; r == 0 && i < 8; i++) {
		up = kt_map_get(kb->parents, kt_str_cstr(&key));
		if (!up)
			break;
		kt_str_reset(&key);
		r = kt_str_puts(&key, up);
	}
	slash = strrchr(kt_str_cstr(&key), '/');
	kt_str_reset(out);
	for (const char *p = slash ? slash + 1 : kt_str_cstr(&key); r == 0 && *p; p++)
		r = kt_str_putc(out, *p == '-' ? '_' : *p);
	kt_str_free(&key);
	return r;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Module aliases from the tree's own sources. A profile records the names
 * the kernel asked modprobe for, and many are aliases: "fs-overlay",
 * "net-pf-10", "nfnetlink-subsys-10", "ipt_REDIRECT", "crypto-sha256".
 * Sources write them as MODULE_ALIAS("...") or through the wrappers the
 * tree defines around it (MODULE_ALIAS_FS, _NETPROTO, _NFNL_SUBSYS,
 * _CRYPTO, ...), whose arguments are often macros too (PF_INET6,
 * NFNL_SUBSYS_NFTABLES). Rather than a list of wrappers that the next
 * kernel would outdate, a small preprocessor expands each invocation with
 * the macros its file sees: kbuild's KBUILD_MODNAME, the file's own
 * #defines, then the headers it includes, breadth first through the
 * kernel's include path, stopping at the first header that defines the
 * name. Only MODULE_ALIAS(),
 * __MODULE_INFO(alias, ...) and __stringify() are built in. Conditionals
 * in headers are not evaluated (the first definition wins), CONFIG_ values
 * are unknown; an invocation that does not come out as string literals is
 * dropped, never guessed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kconfig-trim/trim-internal.h"

#define AMAX_PARAMS 16
#define AMAX_DEPTH 32
#define AMAX_TOKS 4096		/* one expansion's output */
#define AMAX_WORK 200000	/* tokens one invocation may expand, in all */
#define AMAX_INVOCATION 4096	/* bytes from MODULE_ALIAS to its ')' */
#define AMAX_BODY 512		/* longer macros are code, not names */
#define AMAX_HEADERS 3000	/* headers one file's search may visit */

struct ainc {
	char *spec;		/* "linux/fs.h" */
	bool angled;
};

/*
 * What one file offers the preprocessor. defs holds "\nNAME\tPARAMS\tBODY"
 * per #define, PARAMS "(a,b)" for a function-like macro, "!" for one too
 * long to be a name; tab is an open-addressing set of the names' hashes,
 * so asking a header for a name it lacks costs one probe.
 */
struct ahdr {
	char *rel;
	struct kt_str defs;
	uint32_t *tab;
	size_t tabsize;		/* a power of two, or 0 */
	size_t nnames;
	struct kt_array incs;	/* struct ainc */
	/* its includes resolved (once: they do not depend on who includes it) */
	struct ahdr **kids;	/* incs.len entries, NULL where not found */
	bool resolved;
	unsigned gen;		/* in the order of the file with this generation */
};

struct kconf_modalias {
	const char *ksrc;
	struct kt_map *hdrs;	/* rel -> struct ahdr *, every header parsed */
	struct kt_map *found;	/* include key -> struct ahdr *, or &absent */
	struct kt_map *used;	/* rel of headers a definition came from */
	char *search[4];	/* the include path: "arch/x86/include/", ... */
	struct kt_str scratch, needle;
	/* the file being scanned */
	char *dir;		/* its directory, "net/netfilter/" */
	struct ahdr file;	/* its own #defines and #includes */
	struct kt_map *memo;	/* name -> definition line, or &absent */
	struct kt_array order;	/* struct ahdr *: its headers, breadth first */
	unsigned gen;		/* the file's number: ahdr.gen marks its order */
	size_t expanded;	/* order[0..expanded) had their includes queued */
	bool seeded;
};

static char absent;

enum atok_kind { AT_IDENT, AT_NUM, AT_STR, AT_CHR, AT_PUNCT, AT_HASH, AT_PASTE };

struct atok {
	enum atok_kind kind;
	bool space;		/* whitespace before it */
	char *text;		/* AT_STR, AT_CHR: between the quotes, as written */
};

struct amacro {
	char *name;
	bool func, variadic, opaque;
	size_t nparams;
	char *params[AMAX_PARAMS];	/* variadic: the last is its name */
	char *body;
};

struct arange {
	size_t start, end;	/* tokens [start, end) */
};

struct aexp {
	struct kconf_modalias *as;
	const char *hide[AMAX_DEPTH + 1];
	size_t nhide;
	int (*emit)(void *ctx, const char *alias);
	void *ctx;
	bool config;	/* a CONFIG_ value was needed: only .config knows it */
	size_t work;
};

/* ---- headers ------------------------------------------------------------ */

static uint32_t name_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h ? h : 1;
}

static void hdr_release(struct ahdr *h)
{
	for (size_t i = 0; i < h->incs.len; i++)
		free(((struct ainc *)kt_array_at(&h->incs, i))->spec);
	kt_array_free(&h->incs);
	kt_str_free(&h->defs);
	free(h->kids);
	free(h->tab);
	free(h->rel);
	memset(h, 0, sizeof(*h));
	kt_array_init(&h->incs, sizeof(struct ainc));
}

static void hdr_free(void *p)
{
	struct ahdr *h = p;

	if (h)
		hdr_release(h);
	free(h);
}

/* Add a hash to the set; one already there (the name or a twin) stays. */
static int hdr_index(struct ahdr *h, uint32_t hash)
{
	size_t mask;

	if ((h->nnames + 1) * 2 > h->tabsize) {
		size_t size = h->tabsize ? h->tabsize * 2 : 16;
		uint32_t *tab = calloc(size, sizeof(*tab));

		if (!tab)
			return -ENOMEM;
		for (size_t i = 0; i < h->tabsize; i++) {
			size_t j = h->tab[i] & (size - 1);

			if (!h->tab[i])
				continue;
			while (tab[j])
				j = (j + 1) & (size - 1);
			tab[j] = h->tab[i];
		}
		free(h->tab);
		h->tab = tab;
		h->tabsize = size;
	}
	mask = h->tabsize - 1;
	for (size_t j = hash & mask;; j = (j + 1) & mask) {
		if (h->tab[j] == hash)
			return 0;
		if (!h->tab[j]) {
			h->tab[j] = hash;
			h->nnames++;
			return 0;
		}
	}
}

/* "NAME\t..." of the first definition of @name in @h, or NULL. */
static const char *hdr_find(const struct ahdr *h, const char *name,
			    struct kt_str *needle)
{
	size_t n = strlen(name), mask = h->tabsize - 1;
	uint32_t hash = name_hash(name, n);
	const char *p;

	if (!h->tabsize)
		return NULL;
	for (size_t j = hash & mask; h->tab[j] != hash; j = (j + 1) & mask) {
		if (!h->tab[j])
			return NULL;
	}
	kt_str_reset(needle);
	kt_str_putc(needle, '\n');
	kt_str_puts(needle, name);
	kt_str_putc(needle, '\t');
	p = memmem(h->defs.buf, h->defs.len, needle->buf, needle->len);
	return p ? p + 1 : NULL;
}

static const char *skip_space(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* One directive's text after the '#': record a #define or an #include. */
static int hdr_directive(struct ahdr *h, const char *p, const char *end)
{
	const char *name, *params = NULL, *pend = NULL;
	struct ainc inc;
	bool opaque;
	size_t n;
	int r;

	p = skip_space(p, end);
	if ((size_t)(end - p) > 7 && memcmp(p, "include", 7) == 0) {
		p = skip_space(p + 7, end);
		if (p >= end || (*p != '<' && *p != '"'))
			return 0;
		inc.angled = *p == '<';
		name = ++p;
		while (p < end && *p != (inc.angled ? '>' : '"'))
			p++;
		if (p >= end || p == name)
			return 0;
		inc.spec = strndup(name, (size_t)(p - name));
		if (!inc.spec || !kt_array_push(&h->incs, &inc)) {
			free(inc.spec);
			return -ENOMEM;
		}
		return 0;
	}
	if ((size_t)(end - p) <= 6 || memcmp(p, "define", 6) != 0 ||
	    (p[6] != ' ' && p[6] != '\t'))
		return 0;
	name = p = skip_space(p + 6, end);
	while (p < end && kconf_is_ident_char((unsigned char)*p))
		p++;
	n = (size_t)(p - name);
	if (!n || (*name >= '0' && *name <= '9'))
		return 0;
	if (p < end && *p == '(') {
		params = p;
		pend = memchr(p, ')', (size_t)(end - p));
		if (!pend)
			return 0;
		p = pend + 1;
	}
	p = skip_space(p, end);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	opaque = (size_t)(end - p) > AMAX_BODY;
	r = kt_str_putc(&h->defs, '\n');
	if (r == 0)
		r = kt_str_append(&h->defs, name, n);
	if (r == 0)
		r = kt_str_putc(&h->defs, '\t');
	if (r == 0 && opaque)
		r = kt_str_putc(&h->defs, '!');
	for (const char *q = params; r == 0 && !opaque && params && q <= pend; q++) {
		if (*q != ' ' && *q != '\t')
			r = kt_str_putc(&h->defs, *q);
	}
	if (r == 0)
		r = kt_str_putc(&h->defs, '\t');
	for (; r == 0 && !opaque && p < end; p++)
		r = kt_str_putc(&h->defs, *p == '\t' ? ' ' : *p);
	return r < 0 ? r : hdr_index(h, name_hash(name, n));
}

/*
 * A directive's logical line: continuations joined, comments dropped
 * (a comment left open runs to the end of the directive).
 */
static int directive_text(const char *p, const char *end, struct kt_str *out,
			  const char **next)
{
	bool comment = false;
	int r = 0;

	kt_str_reset(out);
	while (p < end && r == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *lend = nl ? nl : end;
		bool cont = lend > p && lend[-1] == '\\';

		for (const char *q = p; r == 0 && q < lend - (cont ? 1 : 0); q++) {
			if (comment) {
				if (q[0] == '*' && q + 1 < lend && q[1] == '/') {
					comment = false;
					q++;
				}
			} else if (q[0] == '/' && q + 1 < lend && q[1] == '*') {
				comment = true;
				r = kt_str_putc(out, ' ');
				q++;
			} else if (q[0] == '/' && q + 1 < lend && q[1] == '/') {
				break;
			} else {
				r = kt_str_putc(out, *q);
			}
		}
		p = nl ? nl + 1 : end;
		if (!cont)
			break;
		if (r == 0)
			r = kt_str_putc(out, ' ');
	}
	*next = p;
	return r < 0 ? r : kt_str_puts(out, "");
}

static int hdr_parse(struct ahdr *h, const char *buf, size_t len,
		     struct kt_str *line)
{
	const char *p = buf, *end = buf + len;
	int r = 0;

	while (p < end && r == 0) {
		const char *t = skip_space(p, end);
		const char *nl;

		if (t < end && *t == '#') {
			r = directive_text(t + 1, end, line, &p);
			if (r == 0)
				r = hdr_directive(h, kt_str_cstr(line),
						  kt_str_cstr(line) + line->len);
			continue;
		}
		nl = memchr(t, '\n', (size_t)(end - t));
		p = nl ? nl + 1 : end;
	}
	return r;
}

/* The parsed header at @rel, reading it once; *out NULL when it is absent. */
static int hdr_get(struct kconf_modalias *as, const char *rel,
		   struct ahdr **out)
{
	struct ahdr *h = kt_map_get(as->hdrs, rel);
	char *buf = NULL;
	size_t len;
	int r;

	*out = h;
	if (h)
		return 0;
	kt_str_reset(&as->scratch);
	kt_str_printf(&as->scratch, "%s/%s", as->ksrc, rel);
	if (kt_str_error(&as->scratch))
		return kt_str_error(&as->scratch);
	r = kt_read_file(as->scratch.buf, &buf, &len);
	if (r == -ENOENT || r == -ENOTDIR || r == -EISDIR || r == -EACCES)
		return 0;
	if (r < 0)
		return r;
	h = calloc(1, sizeof(*h));
	if (!h) {
		r = -ENOMEM;
		goto out;
	}
	kt_array_init(&h->incs, sizeof(struct ainc));
	h->rel = strdup(rel);
	r = h->rel ? hdr_parse(h, buf, len, &as->scratch) : -ENOMEM;
	if (r == 0)
		r = kt_map_set(as->hdrs, rel, h);
	if (r < 0) {
		hdr_free(h);
		goto out;
	}
	*out = h;
out:
	free(buf);
	return r;
}

/* @dir + @spec with "." and ".." folded, into @out; false if it leaves the tree. */
static bool path_join(const char *dir, const char *spec, struct kt_str *out)
{
	char *parts[128], *copy, *save = NULL;
	size_t n = 0;
	bool ok = true;

	kt_str_reset(out);
	if (kt_str_printf(out, "%s%s", dir, spec) < 0)
		return false;
	copy = strdup(out->buf);
	if (!copy)
		return false;
	for (char *t = strtok_r(copy, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		if (strcmp(t, ".") == 0)
			continue;
		if (strcmp(t, "..") == 0) {
			if (!n) {
				ok = false;
				break;
			}
			n--;
		} else if (n < KT_ARRAY_SIZE(parts)) {
			parts[n++] = t;
		} else {
			ok = false;
			break;
		}
	}
	kt_str_reset(out);
	for (size_t i = 0; ok && i < n; i++)
		kt_str_printf(out, "%s%s", i ? "/" : "", parts[i]);
	free(copy);
	return ok && out->len && !kt_str_error(out);
}

/*
 * Where the kernel's build finds an #include: a quoted one next to the
 * including file first, then arch and generic include/, then their uapi/;
 * an <asm/...> the arch lacks comes from asm-generic (kbuild's wrappers).
 */
static int include_resolve(struct kconf_modalias *as, const char *dir,
			   const struct ainc *inc, struct ahdr **out)
{
	struct kt_str key = KT_STR_INIT, rel = KT_STR_INIT;
	void *v;
	int r = 0;

	*out = NULL;
	r = kt_str_printf(&key, "%s%c%s", inc->angled ? "" : dir,
			  inc->angled ? '<' : '"', inc->spec);
	if (r < 0)
		goto out;
	v = kt_map_get(as->found, kt_str_cstr(&key));
	if (v) {
		*out = v == &absent ? NULL : v;
		goto out;
	}
	if (!inc->angled && path_join(dir, inc->spec, &rel))
		r = hdr_get(as, kt_str_cstr(&rel), out);
	for (size_t i = 0; r == 0 && !*out && i < KT_ARRAY_SIZE(as->search); i++) {
		kt_str_reset(&rel);
		kt_str_printf(&rel, "%s%s", as->search[i], inc->spec);
		r = kt_str_error(&rel) ?: hdr_get(as, rel.buf, out);
	}
	if (r == 0 && !*out && strncmp(inc->spec, "asm/", 4) == 0) {
		kt_str_reset(&rel);
		kt_str_printf(&rel, "include/asm-generic/%s", inc->spec + 4);
		r = kt_str_error(&rel) ?: hdr_get(as, rel.buf, out);
	}
	if (r == 0)
		r = kt_map_set(as->found, kt_str_cstr(&key), *out ? (void *)*out : &absent);
out:
	kt_str_free(&key);
	kt_str_free(&rel);
	return r;
}

/* ---- the file being scanned: its search order ---------------------------- */

static int order_add(struct kconf_modalias *as, struct ahdr *h)
{
	if (!h || h->gen == as->gen || as->order.len >= AMAX_HEADERS)
		return 0;
	h->gen = as->gen;
	return kt_array_push_ptr(&as->order, h);
}

static int order_expand(struct kconf_modalias *as, struct ahdr *h)
{
	const char *slash = strrchr(h->rel, '/');
	struct kt_str dir = KT_STR_INIT;
	int r = 0;

	if (!h->resolved && h->incs.len) {
		h->kids = calloc(h->incs.len, sizeof(*h->kids));
		r = h->kids ? kt_str_append(&dir, h->rel,
					    slash ? (size_t)(slash - h->rel) + 1 : 0) : -ENOMEM;
		if (r == 0)
			r = kt_str_puts(&dir, "");
		for (size_t i = 0; r == 0 && i < h->incs.len; i++)
			r = include_resolve(as, kt_str_cstr(&dir), kt_array_at(&h->incs, i),
					    &h->kids[i]);
		kt_str_free(&dir);
		if (r < 0) {
			free(h->kids);
			h->kids = NULL;
			return r;
		}
	}
	h->resolved = true;
	for (size_t i = 0; r == 0 && i < h->incs.len; i++)
		r = order_add(as, h->kids[i]);
	return r;
}

/*
 * The definition of @name the file sees: its own, else the nearest header
 * that defines it. *line is "NAME\tPARAMS\tBODY..." or NULL.
 */
static int lookup(struct kconf_modalias *as, const char *name, const char **line)
{
	struct ahdr *h;
	void *v;
	int r = 0;

	*line = NULL;
	/* autoconf.h: what the tree's .config decides, not the source */
	if (strncmp(name, "CONFIG_", 7) == 0)
		return 0;
	*line = hdr_find(&as->file, name, &as->needle);
	if (*line)
		return 0;
	v = kt_map_get(as->memo, name);
	if (v) {
		*line = v == &absent ? NULL : v;
		return 0;
	}
	for (size_t i = 0; !as->seeded && r == 0 && i < as->file.incs.len; i++) {
		r = include_resolve(as, as->dir, kt_array_at(&as->file.incs, i), &h);
		if (r == 0)
			r = order_add(as, h);
	}
	as->seeded = true;
	for (size_t i = 0; r == 0 && !*line; i++) {
		while (r == 0 && i >= as->order.len && as->expanded < as->order.len)
			r = order_expand(as, kt_array_ptr(&as->order, as->expanded++));
		if (r < 0 || i >= as->order.len)
			break;
		h = kt_array_ptr(&as->order, i);
		*line = hdr_find(h, name, &as->needle);
		if (*line)
			r = kt_map_set(as->used, h->rel, NULL);
	}
	if (r == 0)
		r = kt_map_set(as->memo, name, *line ? (void *)*line : &absent);
	return r;
}

/* ---- macros and tokens --------------------------------------------------- */

static void macro_release(struct amacro *m)
{
	free(m->name);
	free(m->body);
	for (size_t i = 0; i < m->nparams; i++)
		free(m->params[i]);
	memset(m, 0, sizeof(*m));
}

/* A "NAME\tPARAMS\tBODY" line into @m. */
static int macro_parse(const char *line, struct amacro *m)
{
	const char *t1 = strchr(line, '\t'), *t2, *end;
	int r = -ENOMEM;

	memset(m, 0, sizeof(*m));
	t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
	if (!t2)
		return -EINVAL;
	end = strchr(t2 + 1, '\n');
	if (!end)
		end = t2 + 1 + strlen(t2 + 1);
	m->name = strndup(line, (size_t)(t1 - line));
	m->body = strndup(t2 + 1, (size_t)(end - t2 - 1));
	if (!m->name || !m->body)
		goto fail;
	m->opaque = t1[1] == '!';
	m->func = t1[1] == '(';
	for (const char *p = t1 + 2; m->func && p < t2 && *p != ')';) {
		const char *q = p;

		while (q < t2 && *q != ',' && *q != ')')
			q++;
		if (m->nparams == AMAX_PARAMS) {
			m->opaque = true;
			break;
		}
		if (q - p >= 3 && memcmp(q - 3, "...", 3) == 0) {
			m->variadic = true;
			m->params[m->nparams] = q - p == 3 ? strdup("__VA_ARGS__") :
					     strndup(p, (size_t)(q - p - 3));
		} else {
			m->params[m->nparams] = strndup(p, (size_t)(q - p));
		}
		if (!m->params[m->nparams++])
			goto fail;
		p = *q == ',' ? q + 1 : q;
	}
	return 0;
fail:
	macro_release(m);
	return r;
}

static void toks_free(struct kt_array *a)
{
	for (size_t i = 0; i < a->len; i++)
		free(((struct atok *)kt_array_at(a, i))->text);
	kt_array_free(a);
}

static int tok_push(struct kt_array *out, enum atok_kind kind, bool space,
		    const char *text, size_t n)
{
	struct atok t = { kind, space, strndup(text, n) };

	if (out->len >= AMAX_TOKS) {
		free(t.text);
		return -E2BIG;
	}
	if (!t.text || !kt_array_push(out, &t)) {
		free(t.text);
		return -ENOMEM;
	}
	return 0;
}

static int tok_copy(struct kt_array *out, const struct atok *t, bool space)
{
	return tok_push(out, t->kind, space, t->text, strlen(t->text));
}

static int tokenize(const char *s, size_t n, struct kt_array *out)
{
	const char *p = s, *end = s + n;
	bool space = false;
	int r = 0;

	while (p < end && r == 0) {
		const char *q = p + 1;

		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\\') {
			space = true;
			p++;
			continue;
		}
		if (*p == '/' && q < end && *q == '*') {
			const char *c = memmem(q + 1, (size_t)(end - q - 1), "*/", 2);

			p = c ? c + 2 : end;
			space = true;
			continue;
		}
		if (*p == '/' && q < end && *q == '/') {
			const char *nl = memchr(q, '\n', (size_t)(end - q));

			p = nl ? nl : end;
			space = true;
			continue;
		}
		if (kconf_is_ident_char((unsigned char)*p) || *p == '.') {
			bool num = (*p >= '0' && *p <= '9') || *p == '.';

			if (*p == '.' && (q >= end || *q < '0' || *q > '9')) {
				r = tok_push(out, AT_PUNCT, space, p, 1);
				p = q;
			} else {
				while (q < end && (kconf_is_ident_char((unsigned char)*q) ||
						   (num && *q == '.')))
					q++;
				r = tok_push(out, num ? AT_NUM : AT_IDENT, space, p,
					     (size_t)(q - p));
				p = q;
			}
		} else if (*p == '"' || *p == '\'') {
			while (q < end && *q != *p) {
				if (*q == '\\' && q + 1 < end)
					q++;
				q++;
			}
			r = tok_push(out, *p == '"' ? AT_STR : AT_CHR, space, p + 1,
				     (size_t)(q - p - 1));
			p = q < end ? q + 1 : end;
		} else if (*p == '#') {
			bool paste = q < end && *q == '#';

			r = tok_push(out, paste ? AT_PASTE : AT_HASH, space, p, paste ? 2 : 1);
			p = paste ? q + 1 : q;
		} else {
			r = tok_push(out, AT_PUNCT, space, p, 1);
			p = q;
		}
		space = false;
	}
	return r;
}

static bool is_punct(const struct atok *t, char c)
{
	return t->kind == AT_PUNCT && t->text[0] == c;
}

/*
 * The arguments of the call whose '(' is in[open]: ranges split at
 * top-level commas, *close the index of the ')'. -EINVAL if unbalanced.
 */
static int args_split(const struct atok *in, size_t n, size_t open,
		      struct arange *args, size_t *nargs, size_t *close)
{
	size_t depth = 0, start = open + 1;

	*nargs = 0;
	for (size_t i = open; i < n; i++) {
		if (is_punct(&in[i], '(')) {
			depth++;
		} else if (is_punct(&in[i], ')') && --depth == 0) {
			if (i > start || *nargs) {
				if (*nargs == AMAX_PARAMS)
					return -EINVAL;
				args[(*nargs)++] = (struct arange){ start, i };
			}
			*close = i;
			return 0;
		} else if (depth == 1 && is_punct(&in[i], ',')) {
			if (*nargs == AMAX_PARAMS)
				return -EINVAL;
			args[(*nargs)++] = (struct arange){ start, i };
			start = i + 1;
		}
	}
	return -EINVAL;
}

/* cpp's #: spellings joined, one space where there was space. */
static int stringify(const struct atok *t, size_t n, struct kt_str *out)
{
	kt_str_reset(out);
	for (size_t i = 0; i < n; i++) {
		bool quoted = t[i].kind == AT_STR || t[i].kind == AT_CHR;
		char q = t[i].kind == AT_STR ? '"' : '\'';

		if (i && t[i].space)
			kt_str_putc(out, ' ');
		if (!quoted) {
			kt_str_puts(out, t[i].text);
			continue;
		}
		kt_str_puts(out, q == '"' ? "\\\"" : "'");
		for (const char *c = t[i].text; *c; c++) {
			if (*c == '"' || *c == '\\')
				kt_str_putc(out, '\\');
			kt_str_putc(out, *c);
		}
		kt_str_puts(out, q == '"' ? "\\\"" : "'");
	}
	return kt_str_puts(out, "");
}

static int expand(struct aexp *x, const struct atok *in, size_t n,
		  struct kt_array *out, unsigned depth);

/* MODULE_ALIAS(x): x must come out as string literals; their text is it. */
static int sink(struct aexp *x, const struct atok *in, size_t n, unsigned depth)
{
	struct kt_array toks = KT_ARRAY_INIT(struct atok);
	struct kt_str alias = KT_STR_INIT;
	int r;

	x->config = false;
	r = expand(x, in, n, &toks, depth + 1);
	if (x->config)
		goto out;
	for (size_t i = 0; r == 0 && i < toks.len; i++) {
		const struct atok *t = kt_array_at(&toks, i);

		if (t->kind != AT_STR)
			goto out;
		r = kt_str_puts(&alias, t->text);
	}
	/* escapes would need C's rules; no alias in the tree has one */
	if (r == 0 && alias.len && alias.len < 256 && !strchr(alias.buf, '\\'))
		r = x->emit(x->ctx, alias.buf);
out:
	toks_free(&toks);
	kt_str_free(&alias);
	return r;
}

static int expand_builtin(struct aexp *x, const struct atok *t, const struct atok *in,
			  const struct arange *args, size_t nargs,
			  struct kt_array *out, unsigned depth)
{
	struct kt_array toks = KT_ARRAY_INIT(struct atok);
	struct kt_str s = KT_STR_INIT;
	int r = 0;

	if (strcmp(t->text, "MODULE_ALIAS") == 0) {
		if (nargs == 1)
			r = sink(x, in + args[0].start, args[0].end - args[0].start, depth);
	} else if (strcmp(t->text, "__MODULE_INFO") == 0) {
		if (nargs == 3 && args[0].end == args[0].start + 1 &&
		    strcmp(in[args[0].start].text, "alias") == 0)
			r = sink(x, in + args[2].start, args[2].end - args[2].start, depth);
	} else if (nargs) {
		/* __stringify(x...): x expanded, then spelt */
		r = expand(x, in + args[0].start, args[nargs - 1].end - args[0].start,
			   &toks, depth + 1);
		if (r == 0)
			r = stringify(toks.items, toks.len, &s);
		if (r == 0)
			r = tok_push(out, AT_STR, t->space, s.buf, s.len);
	}
	toks_free(&toks);
	kt_str_free(&s);
	return r;
}

static int param_index(const struct amacro *m, const struct atok *t)
{
	if (t->kind != AT_IDENT)
		return -1;
	for (size_t i = 0; i < m->nparams; i++) {
		if (strcmp(m->params[i], t->text) == 0)
			return (int)i;
	}
	return -1;
}

/* Parameter @p's argument; a variadic one runs to the last argument. */
static struct arange arg_of(const struct amacro *m, int p, const struct arange *args,
			    size_t nargs)
{
	struct arange none = { 0, 0 };

	if ((size_t)p >= nargs)
		return none;
	if (m->variadic && (size_t)p == m->nparams - 1)
		return (struct arange){ args[p].start, args[nargs - 1].end };
	return args[p];
}

/* ## joins the spellings around it into one token. */
static int paste(const struct kt_array *in, struct kt_array *out)
{
	struct kt_str joined = KT_STR_INIT;
	int r = 0;

	for (size_t i = 0; r == 0 && i < in->len; i++) {
		const struct atok *t = kt_array_at(in, i), *next;
		struct atok *last;
		size_t first;
		bool space;

		if (t->kind != AT_PASTE) {
			r = tok_copy(out, t, t->space);
			continue;
		}
		if (!out->len || i + 1 == in->len)
			continue;
		next = kt_array_at(in, ++i);
		last = kt_array_at(out, out->len - 1);
		if (last->kind == AT_STR || last->kind == AT_CHR ||
		    next->kind == AT_STR || next->kind == AT_CHR) {
			r = tok_copy(out, next, next->space);
			continue;
		}
		kt_str_reset(&joined);
		kt_str_puts(&joined, last->text);
		r = kt_str_puts(&joined, next->text);
		if (r < 0)
			break;
		space = last->space;
		free(last->text);
		first = --out->len;
		r = tokenize(joined.buf, joined.len, out);
		if (r == 0 && out->len > first)
			((struct atok *)kt_array_at(out, first))->space = space;
	}
	kt_str_free(&joined);
	return r;
}

static int expand_call(struct aexp *x, const struct amacro *m, const struct atok *t,
		       const struct atok *in, const struct arange *args, size_t nargs,
		       struct kt_array *out, unsigned depth)
{
	struct kt_array body = KT_ARRAY_INIT(struct atok);
	struct kt_array subst = KT_ARRAY_INIT(struct atok);
	struct kt_array pasted = KT_ARRAY_INIT(struct atok);
	struct kt_str s = KT_STR_INIT;
	int r;

	/* f() passes one empty argument to a one-parameter f */
	if (m->variadic ? nargs + 1 < m->nparams :
	    nargs != m->nparams && !(nargs == 0 && m->nparams == 1))
		return tok_copy(out, t, t->space);
	r = tokenize(m->body, strlen(m->body), &body);
	for (size_t j = 0; r == 0 && j < body.len; j++) {
		const struct atok *b = kt_array_at(&body, j);
		const struct atok *nb = j + 1 < body.len ? kt_array_at(&body, j + 1) : NULL;
		const struct atok *pb = j ? kt_array_at(&body, j - 1) : NULL;
		int p = param_index(m, b);
		struct arange a;

		if (b->kind == AT_HASH && nb && (p = param_index(m, nb)) >= 0) {
			a = arg_of(m, p, args, nargs);
			r = stringify(in + a.start, a.end - a.start, &s);
			if (r == 0)
				r = tok_push(&subst, AT_STR, b->space, s.buf, s.len);
			j++;
		} else if (p < 0) {
			r = tok_copy(&subst, b, b->space);
		} else if ((pb && pb->kind == AT_PASTE) || (nb && nb->kind == AT_PASTE)) {
			a = arg_of(m, p, args, nargs);
			for (size_t k = a.start; r == 0 && k < a.end; k++)
				r = tok_copy(&subst, &in[k], k == a.start ? b->space : in[k].space);
		} else {
			size_t first = subst.len;

			a = arg_of(m, p, args, nargs);
			r = expand(x, in + a.start, a.end - a.start, &subst, depth + 1);
			if (r == 0 && subst.len > first)
				((struct atok *)kt_array_at(&subst, first))->space = b->space;
		}
	}
	if (r == 0)
		r = paste(&subst, &pasted);
	if (r == 0) {
		x->hide[x->nhide++] = m->name;
		r = expand(x, pasted.items, pasted.len, out, depth + 1);
		x->nhide--;
	}
	toks_free(&body);
	toks_free(&subst);
	toks_free(&pasted);
	kt_str_free(&s);
	return r;
}

static bool hidden(const struct aexp *x, const char *name)
{
	for (size_t i = 0; i < x->nhide; i++) {
		if (strcmp(x->hide[i], name) == 0)
			return true;
	}
	return false;
}

static bool builtin(const char *name)
{
	return strcmp(name, "MODULE_ALIAS") == 0 || strcmp(name, "__MODULE_INFO") == 0 ||
	       strcmp(name, "__stringify") == 0;
}

/*
 * The macro defined by @line, named by in[*i]: expanded into @out; *i
 * moves to the last token it used. Not a call of a function-like one, or
 * opaque: the name stays.
 */
static int expand_macro(struct aexp *x, const char *line, const struct atok *in,
			size_t n, size_t *i, struct kt_array *out, unsigned depth)
{
	const struct atok *t = &in[*i];
	bool call = *i + 1 < n && is_punct(&in[*i + 1], '(');
	struct kt_array body = KT_ARRAY_INIT(struct atok);
	struct arange args[AMAX_PARAMS];
	struct amacro m;
	size_t nargs = 0;
	int r;

	r = macro_parse(line, &m);
	if (r < 0)
		return r;
	if (m.opaque || (m.func && !call)) {
		r = tok_copy(out, t, t->space);
	} else if (m.func) {
		r = args_split(in, n, *i + 1, args, &nargs, i);
		if (r == 0)
			r = expand_call(x, &m, t, in, args, nargs, out, depth);
	} else {
		r = tokenize(m.body, strlen(m.body), &body);
		x->hide[x->nhide++] = m.name;
		if (r == 0)
			r = expand(x, body.items, body.len, out, depth + 1);
		x->nhide--;
	}
	toks_free(&body);
	macro_release(&m);
	return r;
}

/*
 * cpp's expansion, simplified: a function-like macro's result is rescanned
 * on its own, not with the tokens after it (no wrapper needs that).
 */
static int expand(struct aexp *x, const struct atok *in, size_t n,
		  struct kt_array *out, unsigned depth)
{
	struct arange args[AMAX_PARAMS];
	int r = 0;

	if (depth > AMAX_DEPTH)
		return -E2BIG;
	for (size_t i = 0; r == 0 && i < n; i++) {
		const struct atok *t = &in[i];
		size_t nargs = 0;
		const char *line = NULL;

		/* arguments expand once per use: bound what nesting multiplies */
		if (++x->work > AMAX_WORK)
			return -E2BIG;
		if (t->kind == AT_IDENT && !hidden(x, t->text) && i + 1 < n &&
		    is_punct(&in[i + 1], '(') && builtin(t->text)) {
			r = args_split(in, n, i + 1, args, &nargs, &i);
			if (r == 0)
				r = expand_builtin(x, t, in, args, nargs, out, depth);
			continue;
		}
		if (t->kind == AT_IDENT && !hidden(x, t->text))
			r = lookup(x->as, t->text, &line);
		if (t->kind == AT_IDENT && strncmp(t->text, "CONFIG_", 7) == 0)
			x->config = true;
		if (r == 0 && line)
			r = expand_macro(x, line, in, n, &i, out, depth);
		else if (r == 0)
			r = tok_copy(out, t, t->space);
	}
	return r;
}

/* ---- the interface ------------------------------------------------------ */

int kconf_modalias_new(const char *ksrc, const char *srcarch,
		       struct kconf_modalias **out)
{
	struct kconf_modalias *as = calloc(1, sizeof(*as));

	*out = NULL;
	if (!as)
		return -ENOMEM;
	as->ksrc = ksrc;
	if (asprintf(&as->search[0], "arch/%s/include/", srcarch) < 0)
		as->search[0] = NULL;
	as->search[1] = strdup("include/");
	if (asprintf(&as->search[2], "arch/%s/include/uapi/", srcarch) < 0)
		as->search[2] = NULL;
	as->search[3] = strdup("include/uapi/");
	as->hdrs = kt_map_new(hdr_free);
	as->found = kt_map_new(NULL);
	as->used = kt_map_new(NULL);
	as->memo = kt_map_new(NULL);
	kt_array_init(&as->order, sizeof(struct ahdr *));
	kt_array_init(&as->file.incs, sizeof(struct ainc));
	if (!as->hdrs || !as->found || !as->used || !as->memo ||
	    !as->search[0] || !as->search[1] || !as->search[2] || !as->search[3]) {
		kconf_modalias_free(as);
		return -ENOMEM;
	}
	*out = as;
	return 0;
}

void kconf_modalias_free(struct kconf_modalias *as)
{
	if (!as)
		return;
	hdr_release(&as->file);
	kt_array_free(&as->file.incs);
	kt_array_free(&as->order);
	kt_map_free(as->memo);
	kt_map_free(as->used);
	kt_map_free(as->found);
	kt_map_free(as->hdrs);
	kt_str_free(&as->scratch);
	kt_str_free(&as->needle);
	for (size_t i = 0; i < KT_ARRAY_SIZE(as->search); i++)
		free(as->search[i]);
	free(as->dir);
	free(as);
}

int kconf_modalias_begin_file(struct kconf_modalias *as, const char *rel,
			      const char *modname)
{
	const char *slash = strrchr(rel, '/');
	int r;

	hdr_release(&as->file);
	kt_map_free(as->memo);
	as->gen++;
	as->order.len = 0;
	as->expanded = 0;
	as->seeded = false;
	free(as->dir);
	as->dir = strndup(rel, slash ? (size_t)(slash - rel) + 1 : 0);
	as->memo = kt_map_new(NULL);
	if (!as->dir || !as->memo)
		return -ENOMEM;
	/* kbuild's -DKBUILD_MODNAME, what the compiler sees before the file */
	kt_str_reset(&as->scratch);
	kt_str_printf(&as->scratch, "define KBUILD_MODNAME \"%s\"", modname);
	r = kt_str_puts(&as->scratch, "");
	return r < 0 ? r : hdr_directive(&as->file, as->scratch.buf,
					  as->scratch.buf + as->scratch.len);
}

int kconf_modalias_directive(struct kconf_modalias *as, const char *text,
			     size_t n)
{
	const char *p = skip_space(text, text + n);

	if (p < text + n && *p == '#')
		p++;
	return hdr_directive(&as->file, p, text + n);
}

int kconf_modalias_expand(struct kconf_modalias *as, const char *start,
			  const char *fend,
			  int (*emit)(void *ctx, const char *alias), void *ctx)
{
	struct kt_array toks = KT_ARRAY_INIT(struct atok);
	struct kt_array out = KT_ARRAY_INIT(struct atok);
	struct aexp x = { .as = as, .emit = emit, .ctx = ctx };
	const char *p = start, *limit;
	int depth = 0, r;

	/* the invocation: up to its ')', which may be lines further down */
	limit = fend - start > AMAX_INVOCATION ? start + AMAX_INVOCATION : fend;
	while (p < limit && kconf_is_ident_char((unsigned char)*p))
		p++;
	p = skip_space(p, limit);
	if (p >= limit || *p != '(')
		return 0;
	for (; p < limit; p++) {
		if (*p == '"' || *p == '\'') {
			char q = *p;

			for (p++; p < limit && *p != q; p++) {
				if (*p == '\\')
					p++;
			}
		} else if (*p == '(') {
			depth++;
		} else if (*p == ')' && --depth == 0) {
			break;
		}
	}
	if (p >= limit)
		return 0;
	r = tokenize(start, (size_t)(p + 1 - start), &toks);
	if (r == 0)
		r = expand(&x, toks.items, toks.len, &out, 0);
	toks_free(&toks);
	toks_free(&out);
	/* too deep, too big, unbalanced: not an alias we can read */
	return r == -E2BIG || r == -EINVAL ? 0 : r;
}

int kconf_modalias_stamps(const struct kconf_modalias *as, struct kt_array *stamps)
{
	struct kt_map_iter it;
	int r = 0;

	kt_map_iter_init(&it, as->used);
	while (r == 0 && kt_map_iter_next(&it))
		r = kt_array_push_strdup(stamps, it.key);
	return r;
}

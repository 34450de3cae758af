// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kconfig lexer and parser. The lexer follows conf's tokenisation (words,
 * quoted strings with escapes, line continuations, words and strings
 * expanded by the macro language, assignment values taken verbatim, help
 * blocks ended by indentation); the parser is a recursive descent over
 * the statement grammar that builds the menu tree and the symbols'
 * properties in definition order. Errors stop at the first problem with
 * "file:line: message".
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kconfig-trim/kconf-internal.h"

enum tok {
	T_EOF, T_EOL, T_WORD, T_WORD_QUOTE, T_ASSIGN_VAL, T_HELPTEXT,
	/* keywords */
	T_BOOL, T_CHOICE, T_COMMENT, T_CONFIG, T_DEF_BOOL, T_DEF_TRISTATE,
	T_DEFAULT, T_DEPENDS, T_ENDCHOICE, T_ENDIF, T_ENDMENU, T_HELP, T_HEX,
	T_IF, T_IMPLY, T_INT, T_MAINMENU, T_MENU, T_MENUCONFIG, T_MODULES,
	T_ON, T_OPTION, T_OPTIONAL, T_PROMPT, T_RANGE, T_SELECT, T_SOURCE, T_STRING,
	T_TRISTATE, T_VISIBLE,
	/* operators */
	T_OR, T_AND, T_EQUAL, T_UNEQUAL, T_LESS, T_LESS_EQUAL, T_GREATER,
	T_GREATER_EQUAL, T_NOT, T_OPEN_PAREN, T_CLOSE_PAREN, T_COLON_EQUAL,
	T_PLUS_EQUAL,
};

static const struct {
	const char *word;
	enum tok tok;
} keywords[] = {
	{ "bool", T_BOOL }, { "choice", T_CHOICE }, { "comment", T_COMMENT },
	{ "config", T_CONFIG }, { "def_bool", T_DEF_BOOL },
	{ "def_tristate", T_DEF_TRISTATE }, { "default", T_DEFAULT },
	{ "depends", T_DEPENDS }, { "endchoice", T_ENDCHOICE },
	{ "endif", T_ENDIF }, { "endmenu", T_ENDMENU }, { "help", T_HELP },
	{ "hex", T_HEX }, { "if", T_IF }, { "imply", T_IMPLY },
	{ "int", T_INT }, { "mainmenu", T_MAINMENU }, { "menu", T_MENU },
	{ "menuconfig", T_MENUCONFIG }, { "modules", T_MODULES },
	{ "on", T_ON }, { "option", T_OPTION }, { "optional", T_OPTIONAL }, { "prompt", T_PROMPT },
	{ "range", T_RANGE }, { "select", T_SELECT }, { "source", T_SOURCE },
	{ "string", T_STRING }, { "tristate", T_TRISTATE },
	{ "visible", T_VISIBLE },
};

struct src {
	struct src *parent;
	char *buf;
	size_t len, pos;
	const char *name;
	int line;
};

struct parser {
	struct kconf_tree *t;
	struct kconf_pp *pp;
	struct src *src;
	struct kt_str *err;
	bool failed;
	bool assign_mode;
	/* second-stage lexer state */
	enum tok prev, prev_prev;
	bool have_peek;
	enum tok peek;
	char *peek_str;
	char *str;			/* text of the last token taken */
	const char *pos_file;		/* statement start */
	int pos_line;
	/* menu construction */
	struct kconf_menu *cur_entry, *cur_menu;
	struct kconf_menu *cur_choice;	/* the choice block we are in */
	struct kconf_menu **last_entry_ptr;
	/* recursion guards, see KCONF_MAX_BLOCK_DEPTH */
	unsigned int block_depth;	/* menu/choice/if blocks open */
	unsigned int expr_nest;		/* '(' and '!' open */
	struct kconf_menu *clause_entry; /* the entry clause_count is for */
	unsigned int clause_count;	/* its `depends on`/`visible if` lines */
};

/*
 * The parser recurses once per nested block and once per '(' or '!', and
 * the engine walks expressions recursively (evaluation, copies, printing),
 * so input nested without bound would exhaust the stack. conf has no
 * limits; ours are far above any real tree (Linux nests blocks about ten
 * deep and its longest expression is a few dozen terms), and the
 * expression limit counts the height of the tree that is built, so a
 * 200k-term "A || A || ..." chain is refused as well as 200k '('.
 */
#define KCONF_MAX_BLOCK_DEPTH 256
#define KCONF_MAX_EXPR_DEPTH 1024

/*
 * The first error stops the parse. After an allocation failure whatever
 * went wrong next is a consequence of it, so that is what is reported.
 */
static void perr(struct parser *p, const char *fmt, ...) KT_PRINTF(2, 3);
static void perr(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return;
	p->failed = true;
	/* no position yet while the top file is being opened */
	if (p->pos_file)
		kt_str_printf(p->err, "%s:%d: ", p->pos_file, p->pos_line);
	if (p->t->err) {
		kt_str_puts(p->err, "out of memory");
		return;
	}
	va_start(ap, fmt);
	kt_str_vprintf(p->err, fmt, ap);
	va_end(ap);
}

/* Out of memory while parsing: record it and stop. Returns false. */
static bool pnomem(struct parser *p)
{
	kconf__nomem(p->t);
	perr(p, "out of memory");
	return false;
}

static void pwarn(struct parser *p, const char *file, int line,
		  const char *fmt, ...) KT_PRINTF(4, 5);
static void pwarn(struct parser *p, const char *file, int line,
		  const char *fmt, ...)
{
	struct kt_str s = KT_STR_INIT;
	va_list ap;

	va_start(ap, fmt);
	kt_str_vprintf(&s, fmt, ap);
	va_end(ap);
	/* warnings are part of the tree's result: none may lose its text */
	if (kconf__str_check(p->t, &s) == 0)
		kconf__warn(p->t, "%s:%d:warning: %s", file, line,
			    kt_str_cstr(&s));
	kt_str_free(&s);
}

static void pp_check(struct parser *p)
{
	const char *e = kconf__pp_error(p->pp);

	if (!e || p->failed)
		return;
	if (p->t->err) {	/* the preprocessor ran out of memory */
		pnomem(p);
		return;
	}
	p->failed = true;
	kt_str_puts(p->err, e);
}

/* ---- files ----------------------------------------------------------- */

static int src_push(struct parser *p, const char *name)
{
	struct src *s, *it;
	char *path;
	int r;

	for (it = p->src; it; it = it->parent) {
		if (!strcmp(it->name, name)) {
			perr(p, "recursive inclusion of \"%s\"", name);
			return -ELOOP;
		}
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		goto nomem;
	if (name[0] == '/')
		path = strdup(name);
	else if (asprintf(&path, "%s/%s", p->t->srctree, name) < 0)
		path = NULL;
	if (!path)
		goto nomem;
	/* `source "/dev/zero"` or a FIFO: refused, never read until memory runs out */
	r = kt_read_regular_file(path, 0, &s->buf, &s->len);
	free(path);
	if (r == -ENOMEM)
		goto nomem;
	if (r < 0) {
		free(s);
		if (p->src && r == -EINVAL)
			perr(p, "can't open file \"%s\": not a regular file", name);
		else if (p->src)
			perr(p, "can't open file \"%s\"", name);
		else
			kt_str_printf(p->err, "can't find file %s", name),
			p->failed = true;
		return r;
	}
	s->name = kconf__intern_file(p->t, name);
	if (!s->name)
		goto nomem;
	s->line = 1;
	s->parent = p->src;
	p->src = s;
	return 0;
nomem:
	/* callers look at p->failed: a file skipped for want of memory must
	 * fail the parse like a missing one */
	if (s)
		free(s->buf);
	free(s);
	pnomem(p);
	return -ENOMEM;
}

static void src_pop(struct parser *p)
{
	struct src *s = p->src;

	p->src = s->parent;
	free(s->buf);
	free(s);
}

static int cur(struct parser *p)
{
	struct src *s = p->src;

	return s->pos < s->len ? (unsigned char)s->buf[s->pos] : -1;
}

static int at(struct parser *p, size_t off)
{
	struct src *s = p->src;

	return s->pos + off < s->len ? (unsigned char)s->buf[s->pos + off] : -1;
}

static void adv(struct parser *p)
{
	struct src *s = p->src;

	if (s->pos < s->len && s->buf[s->pos++] == '\n')
		s->line++;
	kconf__pp_set_pos(p->pp, s->name, s->line);
}

/* The rest of the current line, for the macro expander; NULL: no memory. */
static char *line_rest(struct parser *p)
{
	struct src *s = p->src;
	const char *nl = memchr(s->buf + s->pos, '\n', s->len - s->pos);
	size_t n = nl ? (size_t)(nl - (s->buf + s->pos)) : s->len - s->pos;

	return kconf__alloc_check(p->t, strndup(s->buf + s->pos, n));
}

/* ---- first-stage lexer ------------------------------------------------ */

static bool is_word_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static enum tok lex_string(struct parser *p, char **out)
{
	struct kt_str s = KT_STR_INIT;
	int q = cur(p), c;

	adv(p);
	kt_str_puts(&s, "");
	for (;;) {
		c = cur(p);
		if (c < 0)
			break;
		if (c == '$') {
			char *rest = line_rest(p), *x;
			const char *r;

			if (!rest)
				break;
			r = rest + 1;
			x = kconf__pp_expand_dollar(p->pp, &r);
			if (!x) {
				free(rest);
				pp_check(p);
				break;
			}
			kt_str_puts(&s, x);
			free(x);
			p->src->pos += (size_t)(r - rest);
			free(rest);
			continue;
		}
		if (c == '\\') {
			adv(p);
			c = cur(p);
			if (c >= 0 && c != '\n') {
				kt_str_putc(&s, (char)c);
				adv(p);
			}
			continue;
		}
		if (c == q) {
			adv(p);
			break;
		}
		if (c == '\n') {
			pwarn(p, p->src->name, p->src->line,
			      "multi-line strings not supported");
			break;
		}
		kt_str_putc(&s, (char)c);
		adv(p);
	}
	/* NULL with the error recorded: lex() stops on it */
	*out = kt_str_steal(&s);
	if (!*out)
		kconf__nomem(p->t);
	return T_WORD_QUOTE;
}

static enum tok lex1(struct parser *p, char **out)
{
	int c, c2;
	size_t i;

	*out = NULL;
	if (p->assign_mode) {
		while (cur(p) == ' ' || cur(p) == '\t')
			adv(p);
		c = cur(p);
		if (c == '\n' || c < 0) {
			if (c == '\n')
				adv(p);
			p->assign_mode = false;
			return T_EOL;
		}
		*out = line_rest(p);
		if (!*out)
			return T_EOF;	/* lex() reports it */
		p->src->pos += strlen(*out);
		return T_ASSIGN_VAL;
	}
	for (;;) {
		c = cur(p);
		if (c < 0) {
			if (p->src->parent) {
				src_pop(p);
				return T_EOL;
			}
			return T_EOF;
		}
		if (c == '#') {
			while (cur(p) >= 0 && cur(p) != '\n')
				adv(p);
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r') {
			adv(p);
			continue;
		}
		if (c == '\\' && at(p, 1) == '\n') {
			adv(p);
			adv(p);
			continue;
		}
		if (c == '\n') {
			adv(p);
			return T_EOL;
		}
		if (c == '"' || c == '\'')
			return lex_string(p, out);
		c2 = at(p, 1);
		switch (c) {
		case '|':
		case '&':
			if (c2 == c) {
				adv(p);
				adv(p);
				return c == '|' ? T_OR : T_AND;
			}
			break;
		case '=':
			adv(p);
			return T_EQUAL;
		case '!':
			adv(p);
			if (c2 == '=') {
				adv(p);
				return T_UNEQUAL;
			}
			return T_NOT;
		case '<':
		case '>':
			adv(p);
			if (c2 == '=') {
				adv(p);
				return c == '<' ? T_LESS_EQUAL : T_GREATER_EQUAL;
			}
			return c == '<' ? T_LESS : T_GREATER;
		case '(':
			adv(p);
			return T_OPEN_PAREN;
		case ')':
			adv(p);
			return T_CLOSE_PAREN;
		case ':':
		case '+':
			if (c2 == '=') {
				adv(p);
				adv(p);
				return c == ':' ? T_COLON_EQUAL : T_PLUS_EQUAL;
			}
			break;
		default:
			break;
		}
		if (is_word_char(c) || c == '$') {
			struct src *s = p->src;
			size_t start = s->pos, end = start;
			bool dollar = false;

			while (end < s->len && (is_word_char((unsigned char)s->buf[end]) ||
						s->buf[end] == '$')) {
				dollar |= s->buf[end] == '$';
				end++;
			}
			if (!dollar) {
				*out = kconf__alloc_check(p->t,
					strndup(s->buf + start, end - start));
				if (!*out)
					return T_EOF;	/* lex() reports it */
				s->pos = end;
				for (i = 0; i < KT_ARRAY_SIZE(keywords); i++) {
					if (keywords[i].word[0] == **out &&
					    !strcmp(keywords[i].word, *out)) {
						free(*out);
						*out = NULL;
						return keywords[i].tok;
					}
				}
				return T_WORD;
			} else {
				char *rest = line_rest(p);
				const char *r = rest;
				char *x;

				if (!rest)
					return T_EOF;	/* lex() reports it */
				x = kconf__pp_expand_token(p->pp, &r);
				s->pos += (size_t)(r - rest);
				free(rest);
				if (!x) {
					pp_check(p);
					return T_EOF;
				}
				if (*x) {
					*out = x;
					return T_WORD;
				}
				free(x);
				continue;
			}
		}
		pwarn(p, p->src->name, p->src->line,
		      "ignoring unsupported character '%c'", c);
		adv(p);
	}
}

/* Second stage: drops redundant EOLs, records statement positions. */
static enum tok lex(struct parser *p, char **out)
{
	enum tok t;

	for (;;) {
		t = lex1(p, out);
		if (p->t->err && !p->failed)
			pnomem(p);
		if (p->failed) {
			free(*out);
			*out = NULL;
			return T_EOF;
		}
		if (p->prev == T_EOL || p->prev == T_HELPTEXT) {
			if (t == T_EOL)
				continue;
			p->pos_file = p->src->name;
			p->pos_line = p->src->line;
		}
		break;
	}
	if (p->prev_prev == T_EOL && p->prev == T_WORD &&
	    (t == T_EQUAL || t == T_COLON_EQUAL || t == T_PLUS_EQUAL))
		p->assign_mode = true;
	p->prev_prev = p->prev;
	p->prev = t;
	return t;
}

static enum tok peek(struct parser *p)
{
	if (!p->have_peek) {
		p->peek = lex(p, &p->peek_str);
		p->have_peek = true;
	}
	return p->peek;
}

/* Take the next token; its text (if any) goes to p->str. */
static enum tok take(struct parser *p)
{
	peek(p);
	p->have_peek = false;
	free(p->str);
	p->str = p->peek_str;
	p->peek_str = NULL;
	return p->peek;
}

static bool expect(struct parser *p, enum tok t, const char *what)
{
	if (take(p) == t)
		return true;
	perr(p, "syntax error: expected %s", what);
	return false;
}

static bool expect_eol(struct parser *p)
{
	return expect(p, T_EOL, "end of line");
}

/* Help text: lines indented at least as much as the first one. */
static char *lex_help(struct parser *p)
{
	struct kt_str h = KT_STR_INIT;
	struct src *s = p->src;
	int first_ts = -1;

	kt_str_puts(&h, "");
	while (s->pos < s->len) {
		size_t ls = s->pos, e = ls;
		int ts = 0;
		const char *nl;
		size_t tend;

		while (e < s->len && (s->buf[e] == ' ' || s->buf[e] == '\t')) {
			ts = s->buf[e] == '\t' ? (ts & ~7) + 8 : ts + 1;
			e++;
		}
		if (e >= s->len)
			break;
		if (s->buf[e] == '\n') {	/* blank line stays in the text */
			kt_str_putc(&h, '\n');
			s->pos = e;
			adv(p);
			continue;
		}
		if (first_ts < 0) {
			first_ts = ts;
		} else if (ts < first_ts || ts == 0) {
			break;
		}
		nl = memchr(s->buf + e, '\n', s->len - e);
		tend = nl ? (size_t)(nl - s->buf) : s->len;
		while (tend > e && (s->buf[tend - 1] == ' ' ||
				    s->buf[tend - 1] == '\t'))
			tend--;
		for (int i = first_ts; i < ts; i++)
			kt_str_putc(&h, ' ');
		kt_str_append(&h, s->buf + e, tend - e);
		kt_str_putc(&h, '\n');
		s->pos = nl ? (size_t)(nl - s->buf) : s->len;
		if (nl)
			adv(p);
	}
	p->prev = T_HELPTEXT;
	return kt_str_steal(&h);	/* NULL: out of memory */
}

/* ---- menu construction --------------------------------------------- */

/* NULL when out of memory (recorded and reported). */
static struct kconf_menu *menu_add_entry(struct parser *p,
					 struct kconf_sym *sym)
{
	struct kconf_menu *m = calloc(1, sizeof(*m));

	if (!m || kconf__push(p->t, &p->t->menus, m) < 0) {
		free(m);
		pnomem(p);
		return NULL;
	}
	m->sym = sym;
	m->parent = p->cur_menu;
	m->file = p->pos_file;
	m->line = p->pos_line;
	*p->last_entry_ptr = m;
	p->last_entry_ptr = &m->next;
	p->cur_entry = m;
	if (sym && kconf__push(p->t, &sym->menus, m) < 0)
		pnomem(p);	/* m is the tree's already */
	return m;
}

static void menu_add_menu(struct parser *p)
{
	p->last_entry_ptr = &p->cur_entry->list;
	p->cur_menu = p->cur_entry;
}

static void menu_end_menu(struct parser *p)
{
	p->last_entry_ptr = &p->cur_menu->next;
	p->cur_menu = p->cur_menu->parent;
}

/* Takes @cond; NULL when out of memory (recorded and reported). */
static struct kconf_iprop *add_prop(struct parser *p, int kind,
				    struct kconf_expr *cond)
{
	struct kconf_iprop *ip = calloc(1, sizeof(*ip));
	struct kconf_sym *sym = p->cur_entry->sym;

	if (!ip) {
		kconf_expr_free(cond);
		pnomem(p);
		return NULL;
	}
	ip->kind = kind;
	ip->menu = p->cur_entry;
	ip->pub.type = kind <= KP_RANGE ? (enum kconf_prop_type)kind
					: KCONF_PROP_PROMPT;
	ip->pub.sym = sym;
	ip->pub.cond = cond;
	ip->pub.visible = kconf_expr_copy(cond);
	ip->pub.file = p->pos_file;
	ip->pub.line = p->pos_line;
	if (sym && kconf__push(p->t, &sym->props, ip) < 0) {
		kconf_expr_free(ip->pub.cond);
		kconf_expr_free(ip->pub.visible);
		free(ip);
		pnomem(p);
		return NULL;
	}
	return ip;
}

/* Takes @text and @cond, also on failure (then p->failed is set). */
static void add_prompt(struct parser *p, int kind, char *text,
		       struct kconf_expr *cond)
{
	struct kconf_iprop *ip = add_prop(p, kind, cond);
	struct kconf_menu *m;
	char *t = text;

	if (!ip) {
		free(text);
		return;
	}

	if (isspace((unsigned char)*t)) {
		pwarn(p, ip->pub.file, ip->pub.line, "leading whitespace ignored");
		while (isspace((unsigned char)*t))
			t++;
		memmove(text, t, strlen(t) + 1);
	}
	if (p->cur_entry->prompt)
		pwarn(p, ip->pub.file, ip->pub.line, "prompt redefined");
	if (kind == KP_PROMPT) {
		/* enclosing menus' `visible if` limit the prompt */
		for (m = p->cur_entry->parent; m; m = m->parent) {
			if (m->visibility)
				ip->pub.visible = kconf_expr_alloc_and(
					ip->pub.visible,
					kconf_expr_copy(m->visibility));
		}
	}
	ip->pub.text = text;
	/* a symbol-less entry owns its prompt through the menu node */
	if (p->cur_entry->prompt && !p->cur_entry->sym) {
		struct kconf_iprop *old = p->cur_entry->prompt;

		kconf_expr_free(old->pub.cond);
		kconf_expr_free(old->pub.visible);
		free((char *)old->pub.text);
		free(old);
	}
	p->cur_entry->prompt = ip;
}

static void set_type(struct parser *p, enum kconf_type type)
{
	struct kconf_sym *s = p->cur_entry->sym;

	if (s->type == type)
		return;
	if (s->type == KCONF_UNKNOWN) {
		s->type = type;
		return;
	}
	pwarn(p, p->cur_entry->file, p->cur_entry->line,
	      "ignoring type redefinition of '%s' from '%s' to '%s'",
	      s->name ? s->name : "<choice>", kconf_type_name(s->type),
	      kconf_type_name(type));
}

/* ---- expressions ------------------------------------------------------ */

static struct kconf_expr *parse_expr_h(struct parser *p, unsigned int *h);

static struct kconf_sym *parse_symbol(struct parser *p, bool allow_const)
{
	enum tok t = take(p);

	if (t == T_WORD)
		return kconf__sym_lookup(p->t, p->str, 0);
	if (t == T_WORD_QUOTE && allow_const)
		return kconf__sym_lookup(p->t, p->str, KS_CONST);
	perr(p, "syntax error: expected a symbol");
	return NULL;
}

/* false (and the error) when an expression of height @h is too deep */
static bool expr_depth_ok(struct parser *p, unsigned int h)
{
	if (h <= KCONF_MAX_EXPR_DEPTH)
		return true;
	perr(p, "expression nested deeper than %d levels",
	     KCONF_MAX_EXPR_DEPTH);
	return false;
}

/* Each parse_* sets *@h to the height of the tree it returns. */
static struct kconf_expr *parse_primary(struct parser *p, unsigned int *h)
{
	struct kconf_sym *a, *b;
	enum kconf_expr_op op;
	struct kconf_expr *e = NULL;

	*h = 1;
	switch (peek(p)) {
	case T_NOT:
	case T_OPEN_PAREN:
		if (!expr_depth_ok(p, ++p->expr_nest))
			goto nested;
		if (take(p) == T_NOT) {
			e = parse_primary(p, h);
			(*h)++;
			e = e ? kconf_expr_alloc_not(e) : NULL;
		} else {
			e = parse_expr_h(p, h);
			if (e && !expect(p, T_CLOSE_PAREN, "')'")) {
				kconf_expr_free(e);
				e = NULL;
			}
		}
		if (e && !expr_depth_ok(p, *h)) {
			kconf_expr_free(e);
			e = NULL;
		}
nested:
		p->expr_nest--;
		return e;
	default:
		break;
	}
	a = parse_symbol(p, true);
	if (!a)
		return NULL;
	switch (peek(p)) {
	case T_EQUAL: op = KCONF_E_EQUAL; break;
	case T_UNEQUAL: op = KCONF_E_UNEQUAL; break;
	case T_LESS: op = KCONF_E_LTH; break;
	case T_LESS_EQUAL: op = KCONF_E_LEQ; break;
	case T_GREATER: op = KCONF_E_GTH; break;
	case T_GREATER_EQUAL: op = KCONF_E_GEQ; break;
	default:
		return kconf_expr_alloc_sym(a);
	}
	take(p);
	b = parse_symbol(p, true);
	return b ? kconf_expr_alloc_comp(op, a, b) : NULL;
}

/* A left-associative chain of @op over @sub: a OP b OP c. */
static struct kconf_expr *parse_chain(struct parser *p, enum tok op,
				      struct kconf_expr *(*sub)(struct parser *,
								unsigned int *),
				      unsigned int *h)
{
	struct kconf_expr *e = sub(p, h), *r;
	unsigned int rh;

	while (e && peek(p) == op) {
		take(p);
		r = sub(p, &rh);
		/* the chain leans left: each term adds a level */
		*h = (rh > *h ? rh : *h) + 1;
		if (!r || !expr_depth_ok(p, *h)) {
			kconf_expr_free(r);
			kconf_expr_free(e);
			return NULL;
		}
		e = op == T_AND ? kconf_expr_alloc_and(e, r)
				: kconf_expr_alloc_or(e, r);
	}
	return e;
}

static struct kconf_expr *parse_and(struct parser *p, unsigned int *h)
{
	return parse_chain(p, T_AND, parse_primary, h);
}

static struct kconf_expr *parse_expr_h(struct parser *p, unsigned int *h)
{
	return parse_chain(p, T_OR, parse_and, h);
}

static struct kconf_expr *parse_expr(struct parser *p)
{
	unsigned int h;

	return parse_expr_h(p, &h);
}

/* Optional "if EXPR"; false on a syntax error. */
static bool parse_if_expr(struct parser *p, struct kconf_expr **out)
{
	*out = NULL;
	if (peek(p) != T_IF)
		return true;
	take(p);
	*out = parse_expr(p);
	return *out != NULL;
}

/* ---- statements ------------------------------------------------------ */

/* One more `depends on` or `visible if` line for the current entry. */
static bool clause_ok(struct parser *p)
{
	if (p->clause_entry != p->cur_entry) {
		p->clause_entry = p->cur_entry;
		p->clause_count = 0;
	}
	/* each one deepens the entry's accumulated expression */
	if (++p->clause_count <= KCONF_MAX_CLAUSES)
		return true;
	perr(p, "more than %d 'depends on' or 'visible if' lines for one entry",
	     KCONF_MAX_CLAUSES);
	return false;
}

static bool parse_depends(struct parser *p)
{
	struct kconf_expr *e;

	take(p);
	if (!expect(p, T_ON, "'on'"))
		return false;
	e = parse_expr(p);
	if (!e || !expect_eol(p) || !clause_ok(p)) {
		kconf_expr_free(e);
		return false;
	}
	p->cur_entry->dep = kconf_expr_alloc_and(p->cur_entry->dep, e);
	return true;
}

static bool parse_help(struct parser *p)
{
	struct kconf_menu *m = p->cur_entry;
	char *h;

	take(p);
	/* the help block starts on the next line: consume the EOL by hand */
	if (p->have_peek || p->assign_mode) {
		perr(p, "syntax error after 'help'");
		return false;
	}
	while (cur(p) == ' ' || cur(p) == '\t' || cur(p) == '\r')
		adv(p);
	if (cur(p) == '#')
		while (cur(p) >= 0 && cur(p) != '\n')
			adv(p);
	if (cur(p) == '\n')
		adv(p);
	else if (cur(p) >= 0) {
		perr(p, "syntax error: expected end of line after 'help'");
		return false;
	}
	h = lex_help(p);
	if (!h)
		return pnomem(p);
	if (m->help) {
		free(m->help);
		pwarn(p, p->pos_file, p->pos_line,
		      "'%s' defined with more than one help text -- only the last one will be used",
		      m->sym && m->sym->name ? m->sym->name : "<choice>");
	}
	m->help = h;
	return true;
}

static bool parse_prompt_opt(struct parser *p)
{
	struct kconf_expr *cond;
	char *text;

	if (peek(p) != T_WORD_QUOTE)
		return true;
	take(p);
	text = p->str;
	p->str = NULL;
	if (!parse_if_expr(p, &cond)) {
		free(text);
		return false;
	}
	add_prompt(p, KP_PROMPT, text, cond);
	return true;
}

static enum kconf_type type_of(enum tok t)
{
	switch (t) {
	case T_BOOL: return KCONF_BOOL;
	case T_TRISTATE: return KCONF_TRISTATE;
	case T_INT: return KCONF_INT;
	case T_HEX: return KCONF_HEX;
	case T_STRING: return KCONF_STRING;
	default: return KCONF_UNKNOWN;
	}
}

/* Options of config/menuconfig (in_choice: of a choice header). */
/*
 * Before 5.13 (and env before 4.18) some attributes were spelled
 * `option NAME`: modules and allnoconfig_y mean what they meant;
 * defconfig_list names where a missing .config is taken from, which
 * olddefconfig never needs; env="VAR" gives the symbol the variable's value
 * as its default and keeps it out of .config (conf's SYMBOL_AUTO).
 */
static bool parse_option(struct parser *p)
{
	struct kconf_sym *s = p->cur_entry->sym, *c;
	struct kconf_iprop *ip;
	const char *v;
	enum tok t;

	t = take(p);
	if (t != T_WORD && t != T_MODULES) {
		perr(p, "syntax error: expected an option name");
		return false;
	}
	if (t == T_MODULES) {	/* "modules" lexes as the 5.13+ keyword */
		if (p->t->modules_sym) {
			perr(p, "symbol '%s' redefines option 'modules' already defined by symbol '%s'",
			     s->name, p->t->modules_sym->name);
			return false;
		}
		p->t->modules_sym = s;
	} else if (!strcmp(p->str, "allnoconfig_y")) {
		s->flags |= KS_ALLNOCONFIG_Y;
	} else if (!strcmp(p->str, "env")) {
		if (!expect(p, T_EQUAL, "'='"))
			return false;
		t = take(p);
		if (t != T_WORD_QUOTE && t != T_WORD) {
			perr(p, "syntax error: expected an environment variable name");
			return false;
		}
		s->flags |= KS_NO_WRITE;
		v = getenv(p->str);
		if (!v) {
			pwarn(p, p->pos_file, p->pos_line, "environment variable %s undefined",
			      p->str);
		} else {
			ip = add_prop(p, KP_DEFAULT, NULL);
			if (!ip)
				return false;
			c = kconf__sym_lookup(p->t, v, KS_CONST);
			ip->pub.expr = c ? kconf_expr_alloc_sym(c) : NULL;
			if (!ip->pub.expr)
				return pnomem(p);
		}
	} else if (strcmp(p->str, "defconfig_list")) {
		perr(p, "unknown option \"%s\"", p->str);
		return false;
	}
	return expect_eol(p);
}

static bool parse_options(struct parser *p, bool is_choice)
{
	struct kconf_expr *e, *cond;
	struct kconf_sym *s;
	struct kconf_iprop *ip;
	enum tok t;

	for (;;) {
		t = peek(p);
		if (p->failed)
			return false;
		switch (t) {
		case T_BOOL:
		case T_TRISTATE:
		case T_INT:
		case T_HEX:
		case T_STRING:
			if (is_choice && t != T_BOOL && t != T_TRISTATE)
				goto done;
			take(p);
			if (is_choice && t == T_TRISTATE &&
			    p->t->rules == KCONF_RULES_6_11) {
				perr(p, "a choice is bool (tristate choices are gone since 6.11)");
				return false;
			}
			set_type(p, type_of(t));
			if (!parse_prompt_opt(p) || !expect_eol(p))
				return false;
			break;
		case T_PROMPT:
			take(p);
			if (!expect(p, T_WORD_QUOTE, "a quoted prompt"))
				return false;
			{
				char *text = p->str;

				p->str = NULL;
				if (!parse_if_expr(p, &cond)) {
					free(text);
					return false;
				}
				add_prompt(p, KP_PROMPT, text, cond);
			}
			if (!expect_eol(p))
				return false;
			break;
		case T_DEFAULT:
		case T_DEF_BOOL:
		case T_DEF_TRISTATE:
			if (is_choice && t != T_DEFAULT)
				goto done;
			take(p);
			if (is_choice) {
				s = parse_symbol(p, false);
				e = s ? kconf_expr_alloc_sym(s) : NULL;
			} else {
				e = parse_expr(p);
			}
			if (!e)
				return false;
			if (!parse_if_expr(p, &cond)) {
				kconf_expr_free(e);
				return false;
			}
			ip = add_prop(p, KP_DEFAULT, cond);
			if (!ip) {
				kconf_expr_free(e);
				return false;
			}
			ip->pub.expr = e;
			if (t != T_DEFAULT)
				set_type(p, t == T_DEF_BOOL ? KCONF_BOOL
							    : KCONF_TRISTATE);
			if (!expect_eol(p))
				return false;
			break;
		case T_SELECT:
		case T_IMPLY:
			if (is_choice)
				goto done;
			take(p);
			s = parse_symbol(p, false);
			if (!s || !parse_if_expr(p, &cond))
				return false;
			ip = add_prop(p, t == T_SELECT ? KP_SELECT : KP_IMPLY, cond);
			if (!ip)
				return false;
			ip->pub.target = s;
			if (kconf__push(p->t, t == T_SELECT ? &s->selected_by
							    : &s->implied_by, ip) < 0)
				return pnomem(p);
			/* each one is a term of one reverse dependency */
			if (s->selected_by.len + s->implied_by.len >
			    KCONF_MAX_REVERSE) {
				perr(p, "'%s' selected or implied more than %d "
				     "times", s->name, KCONF_MAX_REVERSE);
				return false;
			}
			if (!expect_eol(p))
				return false;
			break;
		case T_RANGE:
			if (is_choice)
				goto done;
			take(p);
			{
				struct kconf_sym *lo = parse_symbol(p, true), *hi;

				hi = lo ? parse_symbol(p, true) : NULL;
				if (!hi || !parse_if_expr(p, &cond))
					return false;
				ip = add_prop(p, KP_RANGE, cond);
				if (!ip)
					return false;
				ip->pub.lo = lo;
				ip->pub.hi = hi;
			}
			if (!expect_eol(p))
				return false;
			break;
		case T_MODULES:
			if (is_choice)
				goto done;
			take(p);
			if (p->t->modules_sym) {
				perr(p, "symbol '%s' redefines option 'modules' already defined by symbol '%s'",
				     p->cur_entry->sym->name,
				     p->t->modules_sym->name);
				return false;
			}
			p->t->modules_sym = p->cur_entry->sym;
			if (!expect_eol(p))
				return false;
			break;
		case T_OPTION:
			if (is_choice)
				goto done;
			take(p);
			if (!parse_option(p))
				return false;
			break;
		case T_OPTIONAL:
			if (!is_choice)
				goto done;
			take(p);
			if (p->t->rules == KCONF_RULES_6_11) {
				perr(p, "optional choices are gone since 6.11");
				return false;
			}
			p->cur_entry->sym->flags |= KS_OPTIONAL;
			if (!expect_eol(p))
				return false;
			break;
		case T_DEPENDS:
			if (!parse_depends(p))
				return false;
			break;
		case T_HELP:
			if (!parse_help(p))
				return false;
			break;
		default:
			goto done;
		}
	}
done:
	return !p->failed;
}

static bool parse_block(struct parser *p, bool in_choice, enum tok end,
			struct kconf_menu *entry);

/*
 * conf 6.11 makes every config in a choice block, `if` blocks included,
 * a member, in the order of first appearance (its choice_members list);
 * earlier conf decided membership after nesting entries (kconf-menu.c).
 */
static bool choice_member_add(struct parser *p, struct kconf_sym *s)
{
	struct kconf_sym *cs = p->cur_choice->sym;

	/* conf names the entry, not where the parse has got to */
	p->pos_file = p->cur_entry->file;
	p->pos_line = p->cur_entry->line;
	if (!p->cur_entry->prompt) {
		perr(p, "choice member must have a prompt");
		return false;
	}
	if (s->type != KCONF_BOOL) {
		perr(p, "choice member must be bool");
		return false;
	}
	if (s->flags & KS_CHOICEVAL)
		return true;
	s->flags |= KS_CHOICEVAL;
	s->choice = cs;
	if (kconf__push(p->t, &cs->members, s) < 0 ||
	    kconf__push(p->t, &cs->prio, s) < 0)
		return pnomem(p);
	return true;
}

static bool parse_config(struct parser *p, bool menuconfig)
{
	struct kconf_sym *s;

	take(p);
	if (take(p) != T_WORD) {
		perr(p, "syntax error: expected a symbol name");
		return false;
	}
	s = kconf__sym_lookup(p->t, p->str, 0);
	if (!s)
		return pnomem(p);
	if (!expect_eol(p))
		return false;
	s->flags |= KS_OPTIONAL;
	if (!menu_add_entry(p, s))
		return false;
	/* each definition is a term of the symbol's direct dependency */
	if (s->menus.len > KCONF_MAX_CLAUSES) {
		perr(p, "'%s' defined more than %d times", s->name,
		     KCONF_MAX_CLAUSES);
		return false;
	}
	if (!parse_options(p, false))
		return false;
	if (p->cur_choice && p->t->rules == KCONF_RULES_6_11 &&
	    !choice_member_add(p, s))
		return false;
	if (menuconfig) {
		if (p->cur_entry->prompt)
			p->cur_entry->prompt->kind = KP_MENU;
		else
			pwarn(p, p->cur_entry->file, p->cur_entry->line,
			      "menuconfig statement without prompt");
	}
	return true;
}

static bool parse_choice(struct parser *p)
{
	struct kconf_sym *s;
	struct kconf_menu *m;

	bool ok;

	take(p);
	if (peek(p) == T_WORD)
		take(p);	/* named choices: the name has no effect here */
	if (!expect_eol(p))
		return false;
	s = kconf__sym_lookup(p->t, NULL, KS_CHOICE | KS_NO_WRITE);
	if (!s)
		return pnomem(p);
	m = menu_add_entry(p, s);
	if (!m)
		return false;
	if (p->t->rules == KCONF_RULES_6_11)
		s->type = KCONF_BOOL;
	if (!parse_options(p, true))
		return false;
	menu_add_menu(p);
	p->cur_choice = m;
	ok = parse_block(p, true, T_ENDCHOICE, m);
	p->cur_choice = NULL;
	return ok;
}

static bool parse_comment(struct parser *p)
{
	take(p);
	if (!expect(p, T_WORD_QUOTE, "a quoted comment"))
		return false;
	if (!menu_add_entry(p, NULL))
		return false;
	add_prompt(p, KP_COMMENT, p->str, NULL);
	p->str = NULL;
	if (!expect_eol(p))
		return false;
	while (peek(p) == T_DEPENDS)
		if (!parse_depends(p))
			return false;
	return !p->failed;
}

static bool parse_if(struct parser *p, bool in_choice)
{
	struct kconf_expr *e;
	struct kconf_menu *m;

	take(p);
	e = parse_expr(p);
	if (!e || !expect_eol(p)) {
		kconf_expr_free(e);
		return false;
	}
	m = menu_add_entry(p, NULL);
	if (!m) {
		kconf_expr_free(e);
		return false;
	}
	m->dep = e;
	menu_add_menu(p);
	return parse_block(p, in_choice, T_ENDIF, m);
}

static bool parse_menu(struct parser *p)
{
	struct kconf_expr *cond;
	struct kconf_menu *m;

	take(p);
	if (!expect(p, T_WORD_QUOTE, "a quoted menu title"))
		return false;
	m = menu_add_entry(p, NULL);
	if (!m)
		return false;
	add_prompt(p, KP_MENU, p->str, NULL);
	p->str = NULL;
	if (!expect_eol(p))
		return false;
	for (;;) {
		if (peek(p) == T_DEPENDS) {
			if (!parse_depends(p))
				return false;
		} else if (peek(p) == T_VISIBLE) {
			take(p);
			if (!parse_if_expr(p, &cond) || !expect_eol(p) ||
			    !clause_ok(p)) {
				kconf_expr_free(cond);
				return false;
			}
			m->visibility = kconf_expr_alloc_and(m->visibility, cond);
		} else {
			break;
		}
	}
	menu_add_menu(p);
	return parse_block(p, false, T_ENDMENU, m);
}

static bool parse_source(struct parser *p)
{
	char *name;

	take(p);
	if (!expect(p, T_WORD_QUOTE, "a quoted file name"))
		return false;
	name = p->str;
	p->str = NULL;
	if (peek(p) != T_EOL) {
		free(name);
		perr(p, "syntax error: expected end of line");
		return false;
	}
	/* the EOL is ours; the new file starts a fresh statement */
	take(p);
	src_push(p, name);
	free(name);
	return !p->failed;
}

static bool parse_assignment(struct parser *p)
{
	char *name = p->str, *val;
	enum tok op;
	int flavor, r;

	p->str = NULL;
	op = take(p);
	flavor = op == T_EQUAL ? KCONF_VAR_RECURSIVE :
		 op == T_COLON_EQUAL ? KCONF_VAR_SIMPLE : KCONF_VAR_APPEND;
	if (peek(p) == T_ASSIGN_VAL) {
		take(p);
		val = p->str;
		p->str = NULL;
	} else {
		val = strdup("");
	}
	r = kconf__pp_var_add(p->pp, name, val ? val : "", flavor);
	free(name);
	free(val);
	pp_check(p);
	if (r < 0)
		return false;
	return expect_eol(p);
}

static const char *end_name(enum tok t)
{
	return t == T_ENDMENU ? "menu" : t == T_ENDCHOICE ? "choice" : "if";
}

static bool parse_block_items(struct parser *p, bool in_choice,
			      enum tok end, struct kconf_menu *entry);

/*
 * The statements of the block @entry opened (the top level when NULL),
 * up to its @end.
 */
static bool parse_block(struct parser *p, bool in_choice, enum tok end,
			struct kconf_menu *entry)
{
	bool ok;

	if (entry && p->block_depth >= KCONF_MAX_BLOCK_DEPTH) {
		/* the lexer has moved on: point at the block's opening */
		p->pos_file = entry->file;
		p->pos_line = entry->line;
		perr(p, "blocks nested deeper than %d levels",
		     KCONF_MAX_BLOCK_DEPTH);
		return false;
	}
	p->block_depth += !!entry;
	ok = parse_block_items(p, in_choice, end, entry);
	p->block_depth -= !!entry;
	return ok;
}

static bool parse_block_items(struct parser *p, bool in_choice,
			      enum tok end, struct kconf_menu *entry)
{
	enum tok t;

	for (;;) {
		t = peek(p);
		if (p->failed)
			return false;
		switch (t) {
		case T_EOF:
			if (entry) {
				p->pos_file = entry->file;
				p->pos_line = entry->line;
				perr(p, "missing end statement for this entry");
				return false;
			}
			return true;
		case T_EOL:
			take(p);
			break;
		case T_ENDMENU:
		case T_ENDCHOICE:
		case T_ENDIF:
			take(p);
			if (t != end) {
				perr(p, "unexpected '%s' within %s block",
				     end_name(t), entry ? end_name(end) : "no");
				return false;
			}
			if (!expect_eol(p))
				return false;
			menu_end_menu(p);
			return true;
		case T_CONFIG:
		case T_MENUCONFIG:
			if (in_choice && t == T_MENUCONFIG)
				goto invalid;
			if (!parse_config(p, t == T_MENUCONFIG))
				return false;
			break;
		case T_COMMENT:
			if (!parse_comment(p))
				return false;
			break;
		case T_IF:
			if (!parse_if(p, in_choice))
				return false;
			break;
		case T_CHOICE:
			if (in_choice)
				goto invalid;
			if (!parse_choice(p))
				return false;
			break;
		case T_MENU:
			if (in_choice)
				goto invalid;
			if (!parse_menu(p))
				return false;
			break;
		case T_SOURCE:
			if (in_choice)
				goto invalid;
			if (!parse_source(p))
				return false;
			break;
		case T_WORD:
			take(p);
			t = peek(p);
			if (!in_choice && (t == T_EQUAL || t == T_COLON_EQUAL ||
					   t == T_PLUS_EQUAL)) {
				if (!parse_assignment(p))
					return false;
				break;
			}
			perr(p, "unknown statement \"%s\"", p->str);
			return false;
		default:
			goto invalid;
		}
	}
invalid:
	perr(p, "invalid statement");
	return false;
}

int kconf__parse(struct kconf_tree *t, const char *topfile,
		 struct kt_str *err)
{
	struct parser p = {
		.t = t, .pp = t->pp, .err = err,
		.prev = T_EOL, .prev_prev = T_EOL,
	};
	int r;

	p.cur_entry = p.cur_menu = &t->rootmenu;
	p.last_entry_ptr = &t->rootmenu.list;
	r = src_push(&p, topfile);
	if (r < 0)
		return r;
	p.pos_file = p.src->name;
	p.pos_line = 1;
	kconf__pp_set_pos(p.pp, p.src->name, 1);
	if (peek(&p) == T_MAINMENU) {
		take(&p);
		if (expect(&p, T_WORD_QUOTE, "a quoted title")) {
			add_prompt(&p, KP_MENU, p.str, NULL);
			p.str = NULL;
			expect_eol(&p);
		}
	}
	if (!p.failed)
		parse_block(&p, false, T_EOF, NULL);
	while (p.src)
		src_pop(&p);
	free(p.str);
	free(p.peek_str);
	if (t->err)
		return t->err;
	return p.failed ? -EINVAL : 0;
}

int kconf_expr_parse(struct kconf_tree *tree, const char *text,
		     struct kconf_expr **out, struct kt_str *err)
{
	struct kconf_pp_opts po = { 0 };
	struct src s = { .name = "<expr>", .line = 1 };
	struct kt_str dummy = KT_STR_INIT;
	struct parser p = {
		.t = tree, .err = err ? err : &dummy,
		/* mid-statement: "A = y" is a comparison, not an assignment */
		.prev = T_IF, .prev_prev = T_IF,
		.pos_file = "<expr>", .pos_line = 1,
	};
	struct kconf_expr *e;
	int r;

	*out = NULL;
	/* symbols made up after an allocation failure cannot be trusted */
	if (kconf__tree_check(tree, err))
		return tree->err;
	s.buf = strdup(text);
	if (!s.buf)
		return -ENOMEM;
	s.len = strlen(text);
	p.src = &s;
	p.pp = kconf__pp_new(tree, &po);
	if (!p.pp) {
		free(s.buf);
		return -ENOMEM;
	}
	kconf__pp_set_pos(p.pp, s.name, 1);
	e = parse_expr(&p);
	if (e && peek(&p) != T_EOF && peek(&p) != T_EOL)
		perr(&p, "syntax error: unexpected text after the expression");
	free(p.str);
	free(p.peek_str);
	kconf__pp_free(p.pp);
	free(s.buf);
	kt_str_free(&dummy);
	r = tree->err ? tree->err : p.failed || !e ? -EINVAL : 0;
	if (r < 0) {
		kconf_expr_free(e);
		return r;
	}
	*out = e;
	return 0;
}

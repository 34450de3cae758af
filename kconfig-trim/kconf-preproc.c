// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Kconfig macro language: variables (= recursive, := simple, +=),
 * user functions with $(1)..$(n), the built-ins (shell, info, warning-if,
 * error-if, filename, lineno) and environment variables, with conf's
 * lookup order (variable, then built-in, then environment).
 *
 * $(shell,...) runs /bin/sh with the environment the kernel's Makefile
 * exports. Its results are cached on disk per toolchain, since a warm run
 * would otherwise spend most of its time in the compiler probes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "kconfig-trim/kconf-internal.h"

#define MAX_ARGS 16
#define SHELL_MAX 4096		/* conf reads at most this much output */

struct pp_var {
	char *value;
	int flavor;
	int exp_count;
};

struct kconf_pp {
	struct kconf_tree *tree;
	struct kt_map *vars;		/* name -> struct pp_var */
	struct kt_map *env;		/* overrides (not owned) */
	struct kt_map *cache;		/* command -> output (char *) */
	char *cache_path;
	char *workdir;
	bool cache_dirty;
	const char *file;
	int line;
	int err;			/* sticky: 0, -EINVAL or -ENOMEM */
	char *error;			/* with -EINVAL: "file:line: msg" */
};

static void var_free(void *p)
{
	struct pp_var *v = p;

	free(v->value);
	free(v);
}

/*
 * Out of memory is an expansion error like any other: the expansion in
 * progress returns NULL instead of a shorter text, and the tree records it
 * so loading fails with -ENOMEM.
 */
static void pp_nomem(struct kconf_pp *pp)
{
	if (!pp->err)
		pp->err = -ENOMEM;
	kconf__nomem(pp->tree);
}

/* strdup() for expansion results: NULL only after pp_nomem(). */
static char *pp_strdup(struct kconf_pp *pp, const char *s)
{
	char *c = strdup(s);

	if (!c)
		pp_nomem(pp);
	return c;
}

static void pp_fail(struct kconf_pp *pp, const char *fmt, ...) KT_PRINTF(2, 3);
static void pp_fail(struct kconf_pp *pp, const char *fmt, ...)
{
	struct kt_str s = KT_STR_INIT;
	va_list ap;

	if (pp->err)
		return;
	kt_str_printf(&s, "%s:%d: ", pp->file ? pp->file : "<none>", pp->line);
	va_start(ap, fmt);
	kt_str_vprintf(&s, fmt, ap);
	va_end(ap);
	pp->error = kt_str_steal(&s);
	if (pp->error)
		pp->err = -EINVAL;
	else
		pp_nomem(pp);
}

const char *kconf__pp_error(const struct kconf_pp *pp)
{
	if (pp->err == -ENOMEM)
		return "out of memory";
	return pp->err ? pp->error : NULL;
}

void kconf__pp_set_pos(struct kconf_pp *pp, const char *file, int line)
{
	pp->file = file;
	pp->line = line;
}

/* ---- the shell cache ------------------------------------------------- */

/*
 * File format: records "<cmdlen> <outlen>\n<cmd><out>\n". Lengths make it
 * robust against any byte in commands or outputs.
 *
 * The file is ours but lives in a user-writable directory and may be cut
 * short by a full disk or written by anything: every length is checked
 * against what is left of the buffer before it is used. A file that is not
 * exactly a run of well-formed records is dropped whole (a warning, then
 * the probes run again and the file is rewritten), since a record that
 * parses after a bad one cannot be trusted either.
 */

/* "<digits><@stop>" at *@p, below @end; moves *@p past @stop. */
static int cache_parse_len(const char **p, const char *end, char stop,
			   size_t *out)
{
	const char *s = *p;
	size_t v = 0;

	if (s == end || *s < '0' || *s > '9')
		return -EINVAL;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		/* no record is anywhere near this long: refuse, don't wrap */
		if (v > (SIZE_MAX - 9) / 10)
			return -EINVAL;
		v = v * 10 + (size_t)(*s - '0');
	}
	if (s == end || *s != stop)
		return -EINVAL;
	*p = s + 1;
	*out = v;
	return 0;
}

/*
 * The records of @buf (@len bytes) into @m. 0, -ENOMEM, or -EINVAL with
 * the offset of the first bad record in *@bad.
 */
static int cache_parse(const char *buf, size_t len, struct kt_map *m,
		       size_t *bad)
{
	const char *p = buf, *end = buf + len;
	int r = 0;

	while (p < end) {
		size_t cl, ol;
		char *cmd = NULL, *out = NULL;

		*bad = (size_t)(p - buf);
		if (cache_parse_len(&p, end, ' ', &cl) < 0 ||
		    cache_parse_len(&p, end, '\n', &ol) < 0)
			return -EINVAL;
		/* cl + ol + 1 <= end - p, written so that nothing wraps */
		if (cl > (size_t)(end - p) || ol > (size_t)(end - p) - cl ||
		    (size_t)(end - p) - cl - ol < 1 || p[cl + ol] != '\n')
			return -EINVAL;
		/* outputs and commands are C strings: a NUL means damage */
		if (memchr(p, '\0', cl + ol))
			return -EINVAL;
		cmd = strndup(p, cl);
		out = strndup(p + cl, ol);
		if (!cmd || !out || kt_map_set(m, cmd, out) < 0) {
			free(out);
			r = -ENOMEM;
		}
		free(cmd);
		if (r < 0)
			return r;
		p += cl + ol + 1;
	}
	return 0;
}

static void cache_load(struct kconf_pp *pp)
{
	char *buf = NULL;
	size_t len, bad = 0;
	struct kt_map *m = NULL;
	int r = kt_read_regular_file(pp->cache_path, 0, &buf, &len);

	/* no cache yet is normal; no memory for it is not */
	if (r == -ENOMEM)
		goto nomem;
	if (r < 0)
		return;
	m = kt_map_new(free);
	if (!m)
		goto nomem;
	r = cache_parse(buf, len, m, &bad);
	if (r == -ENOMEM)
		goto nomem;
	if (r < 0) {
		kt_warn("%s: corrupt shell cache (bad record at offset %zu); "
			"running the probes again", pp->cache_path, bad);
		kt_map_free(m);
		/* rewritten on save even if no probe runs */
		pp->cache_dirty = true;
	} else {
		kt_map_free(pp->cache);
		pp->cache = m;
	}
	free(buf);
	return;
nomem:
	kt_map_free(m);
	free(buf);
	pp_nomem(pp);
}

static int cache_fill(FILE *f, void *ctx)
{
	struct kconf_pp *pp = ctx;
	struct kt_map_iter it;

	kt_map_iter_init(&it, pp->cache);
	while (kt_map_iter_next(&it)) {
		const char *out = it.value;

		fprintf(f, "%zu %zu\n%s%s\n", strlen(it.key), strlen(out),
			it.key, out);
	}
	return ferror(f) ? -EIO : 0;
}

int kconf__pp_save_cache(struct kconf_pp *pp)
{
	int r;

	if (!pp->cache_path || !pp->cache_dirty)
		return 0;
	r = kt_atomic_write(pp->cache_path, 0644, cache_fill, pp);
	if (r == 0)
		pp->cache_dirty = false;
	return r;
}

static uint64_t fnv64(const char *s, uint64_t h)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

struct kconf_pp *kconf__pp_new(struct kconf_tree *t,
			       const struct kconf_pp_opts *o)
{
	struct kconf_pp *pp = calloc(1, sizeof(*pp));

	if (!pp)
		return NULL;
	pp->tree = t;
	pp->vars = kt_map_new(var_free);
	pp->cache = kt_map_new(free);
	pp->env = o->env;
	pp->workdir = o->workdir ? strdup(o->workdir) : NULL;
	if (!pp->vars || !pp->cache || (o->workdir && !pp->workdir))
		goto nomem;
	if (o->cache_dir && *o->cache_dir &&
	    kt_mkdir_p(o->cache_dir, 0755) == 0) {
		uint64_t h = fnv64(o->toolchain_id ? o->toolchain_id : "",
				   0xcbf29ce484222325ull);

		if (asprintf(&pp->cache_path, "%s/kconfig-shell-%016llx.cache",
			     o->cache_dir, (unsigned long long)h) < 0) {
			pp->cache_path = NULL;
			goto nomem;
		}
		cache_load(pp);
	}
	if (!pp->err)
		return pp;
nomem:
	kconf__pp_free(pp);
	return NULL;
}

void kconf__pp_free(struct kconf_pp *pp)
{
	if (!pp)
		return;
	kt_map_free(pp->vars);
	kt_map_free(pp->cache);
	free(pp->cache_path);
	free(pp->workdir);
	free(pp->error);
	free(pp);
}

/* ---- running commands ------------------------------------------------ */

/* The overrides as NAME=VALUE strings for kt_proc_run. */
static int shell_env(struct kconf_pp *pp, struct kt_array *env)
{
	struct kt_map_iter it;
	char *entry;

	if (!pp->env)
		return 0;
	kt_map_iter_init(&it, pp->env);
	while (kt_map_iter_next(&it)) {
		if (asprintf(&entry, "%s=%s", it.key, (char *)it.value) < 0)
			return -ENOMEM;
		if (kt_array_push_ptr(env, entry) < 0) {
			free(entry);
			return -ENOMEM;
		}
	}
	return kt_array_push_ptr(env, NULL);
}

/*
 * $(shell,...) is a shell command by definition, written in the Kconfig
 * text: the one place ktrim hands a string to /bin/sh -c (everything else
 * runs an argv).
 */
static char *run_shell(struct kconf_pp *pp, const char *cmd)
{
	const char *const argv[] = { "/bin/sh", "-c", cmd, NULL };
	struct kt_array env = KT_ARRAY_INIT(char *);
	struct kt_str out = KT_STR_INIT;
	struct kt_proc_opts o = {
		.argv = argv, .cwd = pp->workdir, .out = &out,
		.out_max = SHELL_MAX - 1,
	};
	const char *cached = kt_map_get(pp->cache, cmd);
	char *result = NULL;
	int r;

	if (cached) {
		pp->tree->shell_cached++;
		return pp_strdup(pp, cached);
	}
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
	/* Fuzzed Kconfig runs nothing: a command that printed nothing. */
	return pp_strdup(pp, "");
#endif
	pp->tree->shell_run++;
	r = shell_env(pp, &env);
	if (!r) {
		o.env = env.len ? (const char *const *)env.items : NULL;
		r = kt_proc_run(&o, NULL);
	}
	/* conf does not care how the command exits, only what it printed */
	if (r < 0) {
		pp_fail(pp, "%s: %s", cmd, strerror(-r));
		goto out;
	}
	if (kt_str_error(&out)) {
		pp_nomem(pp);
		goto out;
	}
	while (out.len > 0 && out.buf[out.len - 1] == '\n')
		out.buf[--out.len] = '\0';
	for (size_t i = 0; i < out.len; i++)
		if (out.buf[i] == '\n')
			out.buf[i] = ' ';
	result = pp_strdup(pp, kt_str_cstr(&out));
	if (result && pp->cache_path) {
		char *c = pp_strdup(pp, result);

		if (!c || kt_map_set(pp->cache, cmd, c) < 0) {
			free(c);
			free(result);
			result = NULL;
			pp_nomem(pp);
			goto out;
		}
		pp->cache_dirty = true;
	}
out:
	kt_array_free_ptrs(&env);
	kt_str_free(&out);
	return result;
}

/* ---- expansion ------------------------------------------------------- */

static char *expand_with_args(struct kconf_pp *pp, const char *in, int argc,
			      char *argv[]);

static const char *env_get(struct kconf_pp *pp, const char *name)
{
	const char *v;

	if (!*name)
		return NULL;
	v = pp->env ? kt_map_get(pp->env, name) : NULL;
	return v ? v : getenv(name);
}

static char *call_builtin(struct kconf_pp *pp, const char *name, int argc,
			  char *argv[], bool *found)
{
	static const struct {
		const char *name;
		int min, max;
	} fns[] = {
		{ "error-if", 2, 2 }, { "filename", 0, 0 }, { "info", 1, 1 },
		{ "lineno", 0, 0 }, { "shell", 1, 1 }, { "warning-if", 2, 2 },
	};
	char num[16];
	size_t i;

	*found = false;
	for (i = 0; i < KT_ARRAY_SIZE(fns); i++)
		if (!strcmp(fns[i].name, name))
			break;
	if (i == KT_ARRAY_SIZE(fns))
		return NULL;
	*found = true;
	if (argc < fns[i].min) {
		pp_fail(pp, "too few function arguments passed to '%s'", name);
		return NULL;
	}
	if (argc > fns[i].max) {
		pp_fail(pp, "too many function arguments passed to '%s'", name);
		return NULL;
	}
	switch (i) {
	case 0:
		if (!strcmp(argv[0], "y")) {
			pp_fail(pp, "%s", argv[1]);
			return NULL;
		}
		break;
	case 1:
		return pp_strdup(pp, pp->file ? pp->file : "");
	case 2:
		printf("%s\n", argv[0]);
		break;
	case 3:
		snprintf(num, sizeof(num), "%d", pp->line);
		return pp_strdup(pp, num);
	case 4:
		return run_shell(pp, argv[0]);
	case 5:
		if (!strcmp(argv[0], "y"))
			kconf__warn(pp->tree, "%s:%d: %s", pp->file, pp->line,
				    argv[1]);
		break;
	}
	return pp_strdup(pp, "");
}

static char *expand_var(struct kconf_pp *pp, const char *name, int argc,
			char *argv[], bool *found)
{
	struct pp_var *v = kt_map_get(pp->vars, name);
	char *res;

	*found = v != NULL;
	if (!v)
		return NULL;
	if (argc == 0 && v->exp_count) {
		pp_fail(pp, "Recursive variable '%s' references itself (eventually)",
			name);
		return NULL;
	}
	if (v->exp_count > 1000) {
		pp_fail(pp, "Too deep recursive expansion");
		return NULL;
	}
	v->exp_count++;
	if (v->flavor == KCONF_VAR_RECURSIVE)
		res = expand_with_args(pp, v->value, argc, argv);
	else
		res = pp_strdup(pp, v->value);
	v->exp_count--;
	return res;
}

/* The text between "$(" and its ")": a variable, function or argument. */
static char *eval_clause(struct kconf_pp *pp, const char *str, size_t len,
			 int argc, char *argv[])
{
	char *tmp = strndup(str, len), *p, *prev, *end, *name = NULL;
	char *nargv[MAX_ARGS];
	/* nargc counts expanded arguments only: the cleanup frees those */
	int nraw = 0, nargc = 0, nest = 0, i;
	unsigned long n;
	char *res = NULL;
	bool found;
	const char *ev;

	if (!tmp) {
		pp_nomem(pp);
		return NULL;
	}
	n = strtoul(tmp, &end, 10);
	if (!*end && n > 0 && n <= (unsigned long)argc) {
		res = pp_strdup(pp, argv[n - 1]);
		free(tmp);
		return res;
	}
	char *raw[MAX_ARGS];

	prev = p = tmp;
	for (; *p; p++) {
		if (nest == 0 && *p == ',') {
			*p = 0;
			if (nraw >= MAX_ARGS) {
				pp_fail(pp, "too many function arguments");
				goto out;
			}
			raw[nraw++] = prev;
			prev = p + 1;
		} else if (*p == '(') {
			nest++;
		} else if (*p == ')') {
			nest--;
		}
	}
	if (nraw >= MAX_ARGS) {
		pp_fail(pp, "too many function arguments");
		goto out;
	}
	raw[nraw++] = prev;

	name = expand_with_args(pp, raw[0], argc, argv);
	if (!name)
		goto out;
	for (i = 0; i + 1 < nraw; i++) {
		nargv[i] = expand_with_args(pp, raw[i + 1], argc, argv);
		if (!nargv[i])
			goto out;
		nargc = i + 1;
	}
	res = expand_var(pp, name, nargc, nargv, &found);
	if (found)
		goto out;
	res = call_builtin(pp, name, nargc, nargv, &found);
	if (found)
		goto out;
	ev = nargc == 0 ? env_get(pp, name) : NULL;
	res = pp_strdup(pp, ev ? ev : "");
out:
	for (i = 0; i < nargc; i++)
		free(nargv[i]);
	free(name);
	free(tmp);
	return pp->err ? (free(res), NULL) : res;
}

/* *str points just after a '$'; advances past the reference. */
static char *expand_dollar(struct kconf_pp *pp, const char **str, int argc,
			   char *argv[])
{
	const char *p = *str, *q;
	int nest = 0;

	if (*p != '(')
		return pp_strdup(pp, "$");
	p++;
	for (q = p; *q; q++) {
		if (*q == '(')
			nest++;
		else if (*q == ')' && nest-- == 0)
			break;
	}
	if (!*q) {
		pp_fail(pp, "unterminated reference to '%s': missing ')'", p);
		return NULL;
	}
	*str = q + 1;
	return eval_clause(pp, p, (size_t)(q - p), argc, argv);
}

static bool end_of_str(char c)
{
	return !c;
}

static bool end_of_token(char c)
{
	return !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		 (c >= '0' && c <= '9') || c == '_' || c == '-');
}

static char *expand_until(struct kconf_pp *pp, const char **str,
			  bool (*is_end)(char), int argc, char *argv[])
{
	struct kt_str out = KT_STR_INIT;
	const char *p = *str, *in = *str;
	char *x;

	for (;;) {
		if (*p == '$') {
			kt_str_append(&out, in, (size_t)(p - in));
			p++;
			x = expand_dollar(pp, &p, argc, argv);
			if (!x) {
				kt_str_free(&out);
				return NULL;
			}
			kt_str_puts(&out, x);
			free(x);
			in = p;
			continue;
		}
		if (is_end(*p))
			break;
		p++;
	}
	kt_str_append(&out, in, (size_t)(p - in));
	*str = p;
	/* the appends above went unchecked: a lost piece is caught here */
	x = kt_str_steal(&out);
	if (!x)
		pp_nomem(pp);
	return x;
}

static char *expand_with_args(struct kconf_pp *pp, const char *in, int argc,
			      char *argv[])
{
	return expand_until(pp, &in, end_of_str, argc, argv);
}

char *kconf__pp_expand_string(struct kconf_pp *pp, const char *in)
{
	return expand_with_args(pp, in, 0, NULL);
}

char *kconf__pp_expand_dollar(struct kconf_pp *pp, const char **str)
{
	return expand_dollar(pp, str, 0, NULL);
}

char *kconf__pp_expand_token(struct kconf_pp *pp, const char **str)
{
	return expand_until(pp, str, end_of_token, 0, NULL);
}

/*
 * The value is expanded (for :=) before the variable changes: "X := $(X)"
 * reads the old X, and "X = $(Y)", "Y = $(X)", "X := $(X)" then reports
 * the recursion. Changing X first made it read its new flavor with the
 * old text (a silently wrong value) or, for a new X, a NULL value.
 */
int kconf__pp_var_add(struct kconf_pp *pp, const char *name,
		      const char *value, int flavor)
{
	struct pp_var *v = kt_map_get(pp->vars, name);
	bool append = false;
	char *nv;

	if (v && flavor == KCONF_VAR_APPEND) {
		flavor = v->flavor;
		append = true;
	} else if (flavor == KCONF_VAR_APPEND) {
		flavor = KCONF_VAR_RECURSIVE;
	}
	nv = flavor == KCONF_VAR_SIMPLE ? kconf__pp_expand_string(pp, value)
					: pp_strdup(pp, value);
	if (!nv)
		return pp->err;
	if (append && v->value) {
		char *joined;

		if (asprintf(&joined, "%s %s", v->value, nv) < 0)
			goto nomem;
		free(nv);
		nv = joined;
	}
	if (!v) {
		v = calloc(1, sizeof(*v));
		if (!v || kt_map_set(pp->vars, name, v) < 0) {
			free(v);
			goto nomem;
		}
	}
	v->flavor = flavor;
	free(v->value);
	v->value = nv;
	return 0;
nomem:
	free(nv);
	pp_nomem(pp);
	return -ENOMEM;
}

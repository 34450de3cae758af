// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the solver did, for people: reasons for every enabled symbol and
 * the YAML report (counts before/after, removals by area, warnings).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kconfig-trim/solve-internal.h"

static bool bool_like(const struct kconf_sym *s)
{
	return kconf_sym_type(s) == KCONF_BOOL || kconf_sym_type(s) == KCONF_TRISTATE;
}

int kconf_trim_snapshot_base(struct kconf_trim *t)
{
	size_t n = kconf_tree_nsyms(t->tree);

	for (size_t i = 0; i < n; i++) {
		struct kconf_sym *s = kconf_tree_sym(t->tree, i);
		enum kconf_tristate v;

		if (!kconf_sym_name(s) || !bool_like(s) || !kconf_sym_is_written(s))
			continue;
		v = kconf_sym_tristate(s);
		if (v != KCONF_N &&
		    kt_map_set(t->base_vals, kconf_sym_name(s), (void *)(uintptr_t)(v + 1)) < 0)
			return -ENOMEM;
	}
	return 0;
}

int kconf_trim_derive_reasons(struct kconf_trim *t)
{
	size_t n = kconf_tree_nsyms(t->tree);
	struct kt_str buf = KT_STR_INIT;
	int r = 0;

	for (size_t i = 0; i < n && r == 0; i++) {
		struct kconf_sym *s = kconf_tree_sym(t->tree, i);
		const struct plan_ent *e;
		const char *root, *text;
		struct kconf_sym *via = NULL;

		if (!kconf_sym_name(s) || !bool_like(s))
			continue;
		e = kconf_plan_get(t, s);
		if (kconf_sym_tristate(s) == KCONF_N) {
			/* held off: forbidden, or for a `!X` of a dependency */
			if (e && e->off)
				r = kconf_reasons_set(t->reasons, kconf_sym_name(s), e->reason,
						      e->via ? kconf_sym_name(e->via) : NULL);
			continue;
		}
		root = kt_map_get(t->roots, kconf_sym_name(s));
		if (root) {
			text = root;
		} else if (e && !e->off) {
			text = e->reason;
			via = e->via;
		} else {
			text = kconf_explain_structural(s, &via, &buf);
			if (!text) {
				r = -ENOMEM;
				break;
			}
			if (strcmp(text, "set in the config") == 0)
				text = strcmp(t->base, "allnoconfig") ? "from the base config" : "default";
		}
		r = kconf_reasons_set(t->reasons, kconf_sym_name(s), text,
				      via ? kconf_sym_name(via) : NULL);
	}
	kt_str_free(&buf);
	return r;
}

/* ---- the YAML report ------------------------------------------------------ */

static void yq(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\x%02x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* drivers/net/Kconfig -> "drivers/net"; net/ipv6/Kconfig -> "net" */
static void area_of(const struct kconf_sym *s, char *buf, size_t n)
{
	const char *file = NULL;
	const char *slash;
	size_t len;

	kconf_sym_def(s, 0, &file, NULL, NULL);
	if (!file) {
		snprintf(buf, n, "other");
		return;
	}
	slash = strchr(file, '/');
	if (slash && (strncmp(file, "drivers/", 8) == 0 || strncmp(file, "arch/", 5) == 0)) {
		const char *s2 = strchr(slash + 1, '/');

		if (s2)
			slash = s2;
	}
	len = slash ? (size_t)(slash - file) : strlen(file);
	if (!slash)
		len = 0;
	snprintf(buf, n, "%.*s", (int)len, len ? file : "top");
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct area_count {
	unsigned removed, added;
};

/* "  - {what: "...", from: "..."" of a list item; the caller closes it. */
static void req_head(FILE *f, const struct kconf_req *q, struct kt_str *d)
{
	kt_str_reset(d);
	kconf_req_describe(q, d);
	fprintf(f, "  - {what: ");
	yq(f, kt_str_cstr(d));
	fprintf(f, ", from: ");
	yq(f, q->origin);
}

/*
 * The reasons of the enabled symbols (@on) or of those held off, sorted by
 * name; @names is scratch.
 */
static int write_reasons(FILE *f, struct kconf_trim *t, bool on, struct kt_array *names)
{
	size_t n = kconf_tree_nsyms(t->tree);

	names->len = 0;
	for (size_t i = 0; i < n; i++) {
		struct kconf_sym *s = kconf_tree_sym(t->tree, i);
		const char *name = kconf_sym_name(s);

		if (!name || !bool_like(s) || (kconf_sym_tristate(s) != KCONF_N) != on)
			continue;
		if (on ? !kconf_sym_is_written(s) : !kconf_reasons_text(t->reasons, name, NULL))
			continue;
		if (kt_array_push_ptr(names, (void *)name) < 0)
			return -ENOMEM;
	}
	kt_array_sort(names, name_cmp);
	for (size_t i = 0; i < names->len; i++) {
		const char *name = kt_array_ptr(names, i);
		struct kconf_sym *s = kconf_sym_lookup(t->tree, name);
		const char *via = NULL;
		const char *text = kconf_reasons_text(t->reasons, name, &via);

		fprintf(f, "  CONFIG_%s: {value: %s, reason: ", name, kconf_sym_value(s));
		yq(f, text ? text : "default");
		if (via)
			fprintf(f, ", via: CONFIG_%s", via);
		fprintf(f, "}\n");
	}
	return 0;
}

static void flow_list(FILE *f, const char *key, const struct kt_array *a)
{
	fprintf(f, "  %s: [", key);
	for (size_t i = 0; i < a->len; i++) {
		fprintf(f, "%s", i ? ", " : "");
		yq(f, kt_array_ptr(a, i));
	}
	fprintf(f, "]\n");
}

/* What the trim took away against a distro's config (kconf_trim_compare). */
static void write_surface(FILE *f, const struct kconf_surface *s)
{
	if (!s)
		return;
	fprintf(f, "attack-surface:   # against the reference config below\n  reference: ");
	yq(f, s->path);
	fprintf(f, "\n  reference-counts: {y: %u, m: %u}\n", s->ref_y, s->ref_m);
	fprintf(f, "  options-removed: %u     # on (y or m) there, off here\n", s->removed);
	fprintf(f, "  drivers-removed: %u     # of them, defined under drivers/\n",
		s->drivers_removed);
	fprintf(f, "  fs-options-removed: %u  # of them, defined under fs/\n",
		s->fs_options_removed);
	fprintf(f, "  options-kept: %u\n  options-only-here: %u\n", s->kept, s->only_here);
	fprintf(f, "  # filesystems the reference kernel can mount and this one cannot\n");
	flow_list(f, "filesystems-removed", &s->fs_removed);
	fprintf(f, "  syscalls-provided: %zu\n", s->syscalls_provided);
	fprintf(f, "  # provided here, asked for by no requirement: a seccomp allowlist\n"
		   "  # from the profile takes them away at run time\n");
	flow_list(f, "syscalls-unused", &s->syscalls_unused);
	fprintf(f, "  hardening-kept: [");
	for (size_t i = 0; i < s->hardening.len; i++)
		fprintf(f, "%sCONFIG_%s", i ? ", " : "", (const char *)kt_array_ptr(&s->hardening, i));
	fprintf(f, "]\n");
}

static int report_fill(FILE *f, void *ctx)
{
	struct kconf_trim *t = ctx;
	struct kt_map *areas = kt_map_new(free);
	struct kt_array names = KT_ARRAY_INIT(char *);
	struct kt_map_iter it;
	size_t n = kconf_tree_nsyms(t->tree);
	struct kt_str d = KT_STR_INIT;
	int r = 0;

	if (!areas)
		return -ENOMEM;
	fprintf(f, "# SPDX-License-Identifier: GPL-2.0-only\n");
	fprintf(f, "ktrim-trim-report: 1\n");
	fprintf(f, "base: ");
	yq(f, t->base);
	fprintf(f, "\nmodules: %s\n",
		t->modules == KCONF_MODULES_AS_NEEDED ? "as-needed" : "builtin");
	fprintf(f, "counts:\n  before: {y: %u, m: %u}\n  after: {y: %u, m: %u}\n",
		t->base_y, t->base_m, t->y, t->m);

	for (size_t i = 0; i < n; i++) {
		struct kconf_sym *s = kconf_tree_sym(t->tree, i);
		const char *name = kconf_sym_name(s);
		bool was, is;
		char area[128];
		struct area_count *ac;

		if (!name || !bool_like(s))
			continue;
		was = kt_map_has(t->base_vals, name);
		is = kconf_sym_is_written(s) && kconf_sym_tristate(s) != KCONF_N;
		if (was == is)
			continue;
		area_of(s, area, sizeof(area));
		ac = kt_map_get(areas, area);
		if (!ac) {
			ac = calloc(1, sizeof(*ac));
			if (!ac || kt_map_set(areas, area, ac) < 0) {
				free(ac);
				r = -ENOMEM;
				goto out;
			}
		}
		if (was)
			ac->removed++;
		else
			ac->added++;
	}
	fprintf(f, "by-area:        # symbols switched off/on relative to the base\n");
	kt_map_iter_init(&it, areas);
	while (r == 0 && kt_map_iter_next(&it))
		r = kt_array_push_ptr(&names, (void *)it.key);
	if (r < 0)
		goto out;
	kt_array_sort(&names, name_cmp);
	for (size_t i = 0; i < names.len; i++) {
		const char *a = kt_array_ptr(&names, i);
		const struct area_count *ac = kt_map_get(areas, a);

		fprintf(f, "  ");
		yq(f, a);
		fprintf(f, ": {removed: %u, added: %u}\n", ac->removed, ac->added);
	}
	if (!names.len)
		fprintf(f, "  {}\n");

	fprintf(f, "requirements:\n");
	for (size_t i = 0; i < t->reqs.len; i++) {
		const struct kconf_req *q = kt_array_at(&t->reqs, i);

		req_head(f, q, &d);
		if (q->kind == KCONF_REQ_FEATURE) {
			const struct kconf_feat *ft = kconf_featmap_lookup(t->fm, q->feat, q->name);

			fprintf(f, ", symbols: [");
			for (size_t j = 0; ft && j < ft->nlinks; j++)
				fprintf(f, "%sCONFIG_%s", j ? ", " : "", ft->links[j].sym);
			fprintf(f, "]");
			if (ft) {
				fprintf(f, ", defined-at: ");
				yq(f, ft->where);
			}
		}
		fprintf(f, "}\n");
	}
	fprintf(f, "forbidden:\n");
	for (size_t i = 0; i < t->forbids.len; i++) {
		const struct kconf_req *q = kt_array_at(&t->forbids, i);

		req_head(f, q, &d);
		if (q->where) {
			fprintf(f, ", at: ");
			yq(f, kconf_trim_where(q));
		}
		fprintf(f, "}\n");
	}
	/* d was reused for every item: once is enough, before the rename */
	r = kt_str_error(&d);
	if (r < 0)
		goto out;
	if (!t->forbids.len)
		fprintf(f, "  []\n");
	fprintf(f, "warnings:\n");
	for (size_t i = 0; i < t->warnings.len; i++) {
		fprintf(f, "  - ");
		yq(f, kt_array_ptr(&t->warnings, i));
		fputc('\n', f);
	}
	if (!t->warnings.len)
		fprintf(f, "  []\n");
	write_surface(f, t->surface);
	fprintf(f, "symbols:        # every enabled symbol, why, and through which symbol\n");
	r = write_reasons(f, t, true, &names);
	if (r < 0)
		goto out;
	/* Symbols the plan held off and why: `ktrim explain` reads them too. */
	fprintf(f, "off:            # every symbol held off: forbidden, or for a !X\n");
	r = write_reasons(f, t, false, &names);
	if (r < 0)
		goto out;
	if (!names.len)
		fprintf(f, "  {}\n");
	r = ferror(f) ? -EIO : 0;
out:
	kt_array_free(&names);
	kt_map_free(areas);
	kt_str_free(&d);
	return r;
}

int kconf_trim_report_write(struct kconf_trim *t, const char *path)
{
	/* after running out of memory the reasons and warnings are not whole */
	if (t->err)
		return t->err;
	if (kconf_tree_error(t->tree))
		return kconf_tree_error(t->tree);
	return kt_atomic_write(path, 0644, report_fill, t);
}

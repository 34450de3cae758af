// SPDX-License-Identifier: GPL-2.0-only
/*
 * The reason store: symbol -> why it has its value and through which
 * symbol. The solver fills it; `ktrim explain` reads it back from a report.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kconfig-trim/trim-internal.h"

struct reason {
	char *text;
	char *via;	/* NULL at a root */
};

struct kconf_reasons {
	struct kt_map *map;	/* name without CONFIG_ -> struct reason * */
};

static void reason_free(void *p)
{
	struct reason *r = p;

	if (!r)
		return;
	free(r->text);
	free(r->via);
	free(r);
}

struct kconf_reasons *kconf_reasons_new(void)
{
	struct kconf_reasons *rs = calloc(1, sizeof(*rs));

	if (!rs)
		return NULL;
	rs->map = kt_map_new(reason_free);
	if (!rs->map) {
		free(rs);
		return NULL;
	}
	return rs;
}

void kconf_reasons_free(struct kconf_reasons *rs)
{
	if (!rs)
		return;
	kt_map_free(rs->map);
	free(rs);
}

static const char *strip_config(const char *s)
{
	return s && strncmp(s, "CONFIG_", 7) == 0 ? s + 7 : s;
}

int kconf_reasons_set(struct kconf_reasons *rs, const char *sym,
		      const char *text, const char *via)
{
	struct reason *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->text = strdup(text);
	r->via = via ? strdup(strip_config(via)) : NULL;
	if (!r->text || (via && !r->via) ||
	    kt_map_set(rs->map, strip_config(sym), r) < 0) {
		reason_free(r);
		return -ENOMEM;
	}
	return 0;
}

const char *kconf_reasons_text(const struct kconf_reasons *rs, const char *sym,
			       const char **via)
{
	const struct reason *r = rs ? kt_map_get(rs->map, strip_config(sym)) : NULL;

	if (via)
		*via = r ? r->via : NULL;
	return r ? r->text : NULL;
}

/* One `NAME: {reason: ..., via: ...}` mapping of a report into @rs. */
static int reasons_load_map(struct kconf_reasons *rs, const struct kt_yaml_node *syms)
{
	for (size_t i = 0; i < syms->n; i++) {
		const struct kt_yaml_node *e = syms->items[i];
		const struct kt_yaml_node *t, *v;
		int r;

		if (e->type != KT_YAML_MAP)
			continue;
		t = kt_yaml_map_get(e, "reason");
		v = kt_yaml_map_get(e, "via");
		if (!t || t->type != KT_YAML_SCALAR)
			continue;
		r = kconf_reasons_set(rs, syms->keys[i]->scalar, t->scalar,
				      v && v->type == KT_YAML_SCALAR && !v->quoted &&
				      strcmp(v->scalar, "null") == 0 ? NULL :
				      v && v->type == KT_YAML_SCALAR ? v->scalar : NULL);
		if (r < 0)
			return r;
	}
	return 0;
}

int kconf_reasons_load_report(struct kconf_reasons *rs, const char *path,
			      struct kt_str *err)
{
	struct kt_yaml_doc doc = { 0 };
	const struct kt_yaml_node *syms, *off;
	int r;

	r = kt_yaml_load_file(path, &doc, err);
	if (r < 0)
		return r;
	syms = doc.root ? kt_yaml_map_get(doc.root, "symbols") : NULL;
	/* the symbols held off (reports since issue 18) read the same way */
	off = syms ? kt_yaml_map_get(doc.root, "off") : NULL;
	if (!syms || syms->type != KT_YAML_MAP) {
		r = doc.root ? kt_yaml_error(&doc, doc.root, err,
					     "not a ktrim config report (no symbols: mapping)")
			     : -EINVAL;
		if (!doc.root)
			kt_str_printf(err, "%s: empty report", path);
		goto out;
	}
	r = reasons_load_map(rs, syms);
	if (r == 0 && off && off->type == KT_YAML_MAP)
		r = reasons_load_map(rs, off);
out:
	kt_yaml_doc_release(&doc);
	return r;
}

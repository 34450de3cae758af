// SPDX-License-Identifier: GPL-2.0-only
/* The Kconfig engine's own commands: olddefconfig and explain. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pipeline/pipeline.h"

int pipeline_olddefconfig(const struct pipeline_kconfig_opts *o, const char *in,
			  const char *out, struct kt_str *err)
{
	struct kconf_load_opts lo = { .arch = o->arch, .cache_dir = o->no_cache ? "" : NULL,
				      .rules = o->rules };
	struct kconf_tree *tree = NULL;
	unsigned cached, ran;
	int r;

	r = kt_path_check_make("kernel tree", o->ksrc, err);
	if (r == 0)
		r = kconf_tree_load(o->ksrc, &lo, &tree, err);
	if (r == 0 && o->stats) {
		kconf_tree_shell_stats(tree, &cached, &ran);
		kt_progress("parsed %s: %zu symbols, conf %s rules, shell calls %u cached, %u run",
			    kconf_tree_srctree(tree), kconf_tree_nsyms(tree),
			    kconf_rules_name(kconf_tree_rules(tree)), cached, ran);
	}
	if (r == 0)
		r = kconf_olddefconfig(tree, in, out, err);
	if (r == 0 && o->stats)
		kt_progress("wrote %s", out);
	kconf_tree_free(tree);
	return r;
}

int pipeline_explain(const struct pipeline_kconfig_opts *o, const char *config,
		     const char *report, const char *const *syms, size_t n,
		     struct kt_str *out, struct kt_str *err)
{
	struct kconf_load_opts lo = { .arch = o->arch };
	struct kconf_tree *tree = NULL;
	struct kconf_reasons *rs = NULL;
	int r = 0, unknown = 0;

	if (report) {
		rs = kconf_reasons_new();
		r = rs ? kconf_reasons_load_report(rs, report, err) : -ENOMEM;
	}
	if (r == 0)
		r = kt_path_check_make("kernel tree", o->ksrc, err);
	if (r == 0)
		r = kconf_tree_load(o->ksrc, &lo, &tree, err);
	if (r == 0)
		r = kconf_config_read(tree, config, err);
	for (size_t i = 0; r == 0 && i < n; i++) {
		r = kconf_explain(tree, rs, syms[i], out);
		if (r == -ENOENT) {
			kt_err("%s: no such symbol in %s", syms[i], o->ksrc);
			unknown++;
			r = 0;
		}
	}
	if (r == 0)
		r = kt_str_error(out);
	kconf_reasons_free(rs);
	kconf_tree_free(tree);
	return r < 0 ? r : unknown;
}

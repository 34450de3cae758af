// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pack stage: a project's workload, spec and module closure -> the
 * shipped initramfs (no test inside), and the certification overlay that
 * carries the smoke test.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pipeline/pipeline.h"

int pipeline_profile_modules(const char *profile, struct kt_array *mods,
			     struct initramfs_spec *spec, struct kt_str *err)
{
	struct kprof_profile p;
	const struct kprof_fact_list *l;
	int r;

	kprof_profile_init(&p);
	r = kprof_profile_load(profile, &p, err);
	l = &p.facts[KPROF_MODULES];
	for (size_t i = 0; r == 0 && i < l->n; i++)
		r = kt_array_push_strdup(mods, l->items[i].name);
	for (size_t i = 0; r == 0 && spec && !spec->args.len && i < p.command.len; i++)
		r = kt_array_push_strdup(&spec->args, kt_array_ptr(&p.command, i));
	kprof_profile_release(&p);
	return r;
}

int pipeline_project_seccomp(const struct kprof_project *pr, const char *profile,
			     const char *ksrc, struct initramfs_spec *spec, struct kt_str *err)
{
	struct kprof_profile p;
	bool from_profile = pr->seccomp == KPROF_SECCOMP_FROM_PROFILE && !pr->privileged;
	int r = 0;

	kprof_profile_init(&p);
	if (from_profile && (!profile || access(profile, R_OK) != 0))
		r = kt_str_printf(err, "%s:%u: seccomp: from-profile needs the profile (%s)",
				  pr->file, pr->seccomp_line, profile ? profile :
				  "none given: --profile") < 0 ? -ENOMEM : -ENOENT;
	if (r == 0 && from_profile)
		r = kprof_profile_load(profile, &p, err);
	if (r == 0)
		r = kprof_project_seccomp(pr, from_profile ? &p : NULL, ksrc, spec, err);
	kprof_profile_release(&p);
	return r;
}

int pipeline_recipe_modules(const struct kconf_recipe_set *rs, struct kt_array *mods)
{
	int r = 0;

	for (size_t i = 0; i < rs->recipes.len && r == 0; i++) {
		const struct kconf_recipe *rc = kt_array_ptr(&rs->recipes, i);

		for (size_t j = 0; j < rc->require.len && r == 0; j++) {
			const struct kconf_req *q = kt_array_at(&rc->require, j);

			if (q->kind == KCONF_REQ_FEATURE && q->feat == KCONF_FEAT_MODULE)
				r = kt_array_push_strdup(mods, q->name);
		}
	}
	return r;
}

int pipeline_pack(const struct pipeline_pack_opts *o, struct kt_str *err)
{
	struct initramfs_pack_opts po = { 0 };
	struct initramfs_spec spec;
	struct kt_array mods = KT_ARRAY_INIT(char *);
	int r;

	initramfs_spec_init(&spec);
	r = kprof_project_spec(o->project, &spec);
	if (r == 0 && !o->project->init_external)
		r = pipeline_project_seccomp(o->project, o->profile, o->ksrc, &spec, err);
	if (r == 0 && o->moddir && o->profile && access(o->profile, R_OK) == 0)
		r = pipeline_profile_modules(o->profile, &mods, NULL, err);
	if (r < 0)
		goto out;
	/* A user's init: its tree and the module closure, nothing ktrim-init reads. */
	po.init_tree = o->project->init_external;
	po.init_path = po.init_tree ? NULL : o->init_path;
	po.rootfs_dir = po.init_tree ? NULL : o->rootfs_dir;
	po.moddir = o->moddir;
	po.modules = (const char *const *)mods.items;
	po.n_modules = mods.len;
	po.spec = &spec;
	po.keep_setuid = o->project->keep_setuid;
	po.write = (struct initramfs_write_opts)INITRAMFS_WRITE_OPTS_INIT;
	po.output = o->output;
	r = initramfs_pack(&po, err);
out:
	initramfs_spec_release(&spec);
	kt_array_free_ptrs(&mods);
	return r;
}

int pipeline_overlay(const struct kprof_project *pr, bool hold, const char *output,
		     struct kt_str *err)
{
	const struct initramfs_write_opts plain = { .compress = INITRAMFS_COMPRESS_NONE };
	struct initramfs_archive *a = initramfs_archive_new();
	struct initramfs_spec spec;
	struct kt_str text = KT_STR_INIT;
	int r = a ? 0 : -ENOMEM;

	initramfs_spec_init(&spec);
	if (pr && pr->init_external)
		r = kt_str_printf(err, "%s:%u: the init is external: the overlay's smoke test is "
				  "ktrim-init's to run", pr->file, pr->init_line) < 0 ? -ENOMEM : -EINVAL;
	for (size_t i = 0; pr && i < pr->smoke_command.len && r == 0; i++)
		r = kt_array_push_strdup(&spec.smoke, kt_array_ptr(&pr->smoke_command, i));
	spec.smoke_timeout_s = pr ? pr->smoke_timeout_s : 0;
	/* With @hold the host's tests run after the guest's, then it asks for the stop. */
	spec.certify_hold = hold;
	if (r == 0)
		r = initramfs_spec_check(&spec, err);
	if (r == 0)
		r = initramfs_spec_format_addition(&spec, &text);
	if (r == 0)
		r = initramfs_archive_add_data(a, INITRAMFS_SPEC_ADD_PATH, text.buf, text.len,
					       0644, err);
	if (r == 0)
		r = initramfs_archive_write_file(a, &plain, output, err);
	initramfs_archive_free(a);
	initramfs_spec_release(&spec);
	kt_str_free(&text);
	return r;
}

int pipeline_project_spec(const char *path, struct kprof_project *pr,
			  struct initramfs_spec *spec, struct kt_str *err)
{
	int r;

	kprof_project_release(pr);
	kprof_project_init(pr);
	r = kprof_project_load(path, pr, err);
	return r < 0 ? r : kprof_project_spec(pr, spec);
}

int pipeline_initramfs(const struct pipeline_initramfs_opts *o, struct kt_str *err)
{
	struct initramfs_pack_opts po = {
		.init_path = o->init_path, .rootfs_dir = o->rootfs_dir, .moddir = o->moddir,
		.kernel_release = o->kernel_release, .spec = o->spec, .write = o->write,
		.keep_compressed_modules = o->keep_compressed_modules, .output = o->output,
		.keep_setuid = o->keep_setuid,
		.extra_list = o->file_list,
	};
	struct kconf_recipe_set rs;
	struct kt_array mods = KT_ARRAY_INIT(char *);
	struct initramfs_archive *early = NULL;
	struct kt_str scratch = KT_STR_INIT;
	char *project_rootfs = NULL;
	bool external = o->project && o->project->init_external;
	int r = 0;

	kconf_recipe_set_init(&rs);
	for (size_t i = 0; r == 0 && i < o->nmodules; i++)
		r = kt_array_push_strdup(&mods, o->modules[i]);
	for (size_t i = 0; r == 0 && i < o->nrecipes; i++)
		r = kconf_recipe_set_load(&rs, o->recipes_dir, o->recipes[i], err);
	if (r == 0)
		r = pipeline_recipe_modules(&rs, &mods);
	if (r == 0 && mods.len && !o->moddir)
		r = kt_str_printf(err, "modules requested: a module tree is required") < 0 ?
		    -ENOMEM : -EINVAL;
	if (external) {
		/* The user's tree replaces ktrim-init, its spec and the workload. */
		po.init_tree = o->project->init_external;
		po.init_path = NULL;
		if (r == 0 && o->rootfs_dir)
			r = kt_str_printf(err, "%s:%u: the init is external: it takes no --rootfs",
					  o->project->file, o->project->init_line) < 0 ?
			    -ENOMEM : -EINVAL;
	} else if (r == 0 && access(o->init_path, R_OK) != 0) {
		r = kt_str_printf(err, "init binary %s not found (build it with `make`)",
				  o->init_path) < 0 ? -ENOMEM : -ENOENT;
	}
	if (r == 0 && o->project && o->project->file && !o->rootfs_dir && !external) {
		/* A tarball or OCI layout is unpacked beside the output. */
		kt_str_printf(&scratch, "%s.rootfs", o->output);
		r = kt_str_error(&scratch);
		if (r == 0)
			r = kprof_project_rootfs_dir(o->project, scratch.buf, &project_rootfs, err);
		po.rootfs_dir = project_rootfs;
	}
	if (r == 0 && o->early_dir) {
		early = initramfs_archive_new();
		r = early ? initramfs_archive_add_tree(early, "", o->early_dir, err) : -ENOMEM;
		po.write.early = early;
	}
	po.modules = (const char *const *)mods.items;
	po.n_modules = mods.len;
	if (r == 0)
		r = initramfs_pack(&po, err);
	initramfs_archive_free(early);
	kconf_recipe_set_release(&rs);
	kt_array_free_ptrs(&mods);
	kt_str_free(&scratch);
	free(project_rootfs);
	return r;
}

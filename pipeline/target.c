// SPDX-License-Identifier: GPL-2.0-only
/*
 * The one owner of "target": a target recipe's `boot:` sections, read once
 * across its includes, validated, and the kernel formats they name.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "pipeline/pipeline.h"

struct format_info {
	const char *name;
	const char *goal;
	const char *built_x86;	/* relative to O=; NULL: not an x86 format */
	const char *built_arm64;	/* NULL: not an arm64 format */
	const char *kernel_name;
	const char *initramfs_name;
	const char *also;	/* another built file shipped under its own name, or NULL */
};

/*
 * EFI and LCOW ship the bzImage under other names: with CONFIG_EFI_STUB
 * the same file is a PE/COFF application too.
 */
static const struct format_info formats[PIPELINE_FORMAT_COUNT] = {
	[PIPELINE_FORMAT_BZIMAGE] = { "bzImage", "bzImage", "arch/x86/boot/bzImage", NULL,
				      "bzImage", "initramfs.cpio.zst", NULL },
	[PIPELINE_FORMAT_VMLINUX] = { "vmlinux", "vmlinux", "vmlinux", NULL,
				      "vmlinux", "initramfs.cpio.zst", NULL },
	[PIPELINE_FORMAT_EFI] = { "efi", "bzImage", "arch/x86/boot/bzImage", NULL,
				  "bzImage.efi", "initramfs.cpio.zst", NULL },
	/* hcsshim's LinuxBootFiles: vmlinux is what make links before the bzImage. */
	[PIPELINE_FORMAT_LCOW] = { "lcow", "bzImage", "arch/x86/boot/bzImage", NULL,
				   "kernel", "initrd.img", "vmlinux" },
	/*
	 * arm64's boot image (Documentation/arm64/booting.rst): uncompressed,
	 * entered at offset 0; with CONFIG_EFI_STUB it is a PE/COFF file too.
	 */
	[PIPELINE_FORMAT_IMAGE] = { "Image", "Image", NULL, "arch/arm64/boot/Image",
				    "Image", "initramfs.cpio.zst", NULL },
};

static const char *const machines[] = {
	[PIPELINE_MACHINE_NONE] = "none",
	[PIPELINE_MACHINE_Q35] = "q35",
	[PIPELINE_MACHINE_MICROVM] = "microvm",
	[PIPELINE_MACHINE_PC] = "pc",
	[PIPELINE_MACHINE_VIRT] = "virt",
};

int pipeline_format_parse(const char *name, enum pipeline_format *out)
{
	for (int f = 0; f < PIPELINE_FORMAT_COUNT; f++) {
		if (!strcmp(formats[f].name, name)) {
			*out = (enum pipeline_format)f;
			return 0;
		}
	}
	return -EINVAL;
}

const char *pipeline_format_name(enum pipeline_format f)
{
	return formats[f].name;
}

const char *pipeline_format_make_goal(enum pipeline_format f)
{
	return formats[f].goal;
}

const char *pipeline_format_built_path(enum pipeline_format f, const char *arch)
{
	if (!strcmp(arch, "x86_64") || !strcmp(arch, "x86"))
		return formats[f].built_x86;
	if (!strcmp(arch, "arm64"))
		return formats[f].built_arm64;
	return NULL;
}

const char *pipeline_format_kernel_name(enum pipeline_format f)
{
	return formats[f].kernel_name;
}

const char *pipeline_format_initramfs_name(enum pipeline_format f)
{
	return formats[f].initramfs_name;
}

const char *pipeline_format_also_shipped(enum pipeline_format f)
{
	return formats[f].also;
}

int pipeline_machine_parse(const char *name, enum pipeline_machine *out)
{
	for (size_t m = 0; m < KT_ARRAY_SIZE(machines); m++) {
		if (!strcmp(machines[m], name)) {
			*out = (enum pipeline_machine)m;
			return 0;
		}
	}
	return -EINVAL;
}

const char *pipeline_machine_name(enum pipeline_machine m)
{
	return machines[m];
}

void pipeline_target_release(struct pipeline_target *t)
{
	free(t->name);
	free(t->file);
	free(t->arch);
	free(t->console);
	free(t->cmdline);
	kt_array_free_ptrs(&t->checks);
	kt_array_free_ptrs(&t->host_only);
	kconf_recipe_set_release(&t->recipes);
	memset(t, 0, sizeof(*t));
}

static bool list_has(const struct kt_array *a, const char *name)
{
	for (size_t i = 0; i < a->len; i++)
		if (!strcmp(kt_array_ptr(a, i), name))
			return true;
	return false;
}

/* `host-only:` names, united across the includes like `check:`. */
static int read_host_only(struct pipeline_target *t, const struct kconf_recipe *rc,
			  const struct kt_yaml_node *list, struct kt_str *err)
{
	int r = 0;

	if (list->type != KT_YAML_SEQ)
		return kt_yaml_error(&rc->doc, list, err, "boot: host-only: must be a list");
	for (size_t i = 0; i < list->n && r == 0; i++) {
		const struct kt_yaml_node *it = list->items[i];

		if (it->type != KT_YAML_SCALAR || !it->scalar[0])
			return kt_yaml_error(&rc->doc, it, err, "boot: host-only: items are names");
		if (!list_has(&t->host_only, it->scalar))
			r = kt_array_push_strdup(&t->host_only, it->scalar);
	}
	return r;
}

static int read_checks(struct pipeline_target *t, const struct kconf_recipe *rc,
		       const struct kt_yaml_node *list, struct kt_str *err)
{
	struct kt_str name = KT_STR_INIT;
	int r = 0;

	if (list->type != KT_YAML_SEQ)
		return kt_yaml_error(&rc->doc, list, err, "boot: check: must be a list of CONFIG_ names");
	for (size_t i = 0; i < list->n && r == 0; i++) {
		const struct kt_yaml_node *it = list->items[i];

		if (it->type != KT_YAML_SCALAR || !it->scalar[0])
			return kt_yaml_error(&rc->doc, it, err, "boot: check: items are CONFIG_ names");
		kt_str_reset(&name);
		if (strncmp(it->scalar, "CONFIG_", 7))
			kt_str_puts(&name, "CONFIG_");
		kt_str_puts(&name, it->scalar);
		if (kt_str_error(&name))
			r = -ENOMEM;
		else if (!list_has(&t->checks, name.buf))
			r = kt_array_push_strdup(&t->checks, name.buf);
	}
	kt_str_free(&name);
	return r;
}

/* One recipe's `boot:` over what its includes said. */
static int read_boot(struct pipeline_target *t, const struct kconf_recipe *rc,
		     struct kt_str *err)
{
	static const char *const keys[] = {
		"machine", "kernel-format", "arch", "console", "cmdline", "check", "disk",
		"host-only", NULL
	};
	const struct kt_yaml_node *boot = kt_yaml_map_get(rc->doc.root, "boot");
	int r;

	if (!boot)
		return 0;
	if (boot->type != KT_YAML_MAP)
		return kt_yaml_error(&rc->doc, boot, err, "boot: must be a mapping");
	r = kt_yaml_map_check_keys(&rc->doc, boot, keys, err);
	for (size_t i = 0; i < boot->n && r == 0; i++) {
		const char *key = boot->keys[i]->scalar;
		const struct kt_yaml_node *v = boot->items[i];

		if (!strcmp(key, "check")) {
			r = read_checks(t, rc, v, err);
			continue;
		}
		if (!strcmp(key, "host-only")) {
			r = read_host_only(t, rc, v, err);
			continue;
		}
		if (v->type != KT_YAML_SCALAR)
			return kt_yaml_error(&rc->doc, v, err, "boot: %s: must be a scalar", key);
		if (!strcmp(key, "machine")) {
			if (pipeline_machine_parse(v->scalar, &t->machine) < 0)
				return kt_yaml_error(&rc->doc, v, err,
						     "boot: machine: '%s' is not q35, microvm, pc, virt or none",
						     v->scalar);
		} else if (!strcmp(key, "disk")) {
			if (pipeline_disk_parse(v->scalar, &t->disk) < 0)
				return kt_yaml_error(&rc->doc, v, err,
						     "boot: disk: '%s' is not uefi, bios or none",
						     v->scalar);
		} else if (!strcmp(key, "kernel-format")) {
			if (pipeline_format_parse(v->scalar, &t->format) < 0)
				return kt_yaml_error(&rc->doc, v, err,
						     "boot: kernel-format: '%s' is not bzImage, vmlinux, efi, lcow or Image",
						     v->scalar);
		} else {
			r = kt_strdup_replace(!strcmp(key, "arch") ? &t->arch :
				       !strcmp(key, "console") ? &t->console : &t->cmdline,
				       v->scalar);
		}
	}
	return r;
}

int pipeline_target_load(struct pipeline_target *t, const char *recipes_dir,
			 const char *what, struct kt_str *err)
{
	const struct kconf_recipe *top;
	bool machine = false, format = false;
	int r;

	memset(t, 0, sizeof(*t));
	kt_array_init(&t->checks, sizeof(char *));
	kt_array_init(&t->host_only, sizeof(char *));
	kconf_recipe_set_init(&t->recipes);
	r = kconf_recipe_set_load(&t->recipes, recipes_dir, what, err);
	if (r < 0)
		goto out;
	/* Include order: includes first, so the last recipe to set a key wins. */
	for (size_t i = 0; i < t->recipes.recipes.len && r == 0; i++) {
		const struct kconf_recipe *rc = kt_array_ptr(&t->recipes.recipes, i);
		const struct kt_yaml_node *boot = kt_yaml_map_get(rc->doc.root, "boot");

		r = read_boot(t, rc, err);
		if (r == 0 && boot && boot->type == KT_YAML_MAP) {
			machine |= kt_yaml_map_get(boot, "machine") != NULL;
			format |= kt_yaml_map_get(boot, "kernel-format") != NULL;
		}
	}
	if (r < 0)
		goto out;
	top = kt_array_ptr(&t->recipes.recipes, t->recipes.recipes.len - 1);
	if (!machine || !format) {
		kt_str_printf(err, "%s:1:1: target %s has no boot: %s", top->file, top->name,
			      !machine ? "machine" : "kernel-format");
		r = -EINVAL;
		goto out;
	}
	r = kt_strdup_replace(&t->name, top->name);
	if (r == 0)
		r = kt_strdup_replace(&t->file, top->file);
	if (r == 0 && !t->arch)
		r = kt_strdup_replace(&t->arch, "x86_64");
	if (r == 0 && !t->cmdline)
		r = kt_strdup_replace(&t->cmdline, "console=ttyS0 panic=-1");
	if (r == 0 && !pipeline_format_built_path(t->format, t->arch)) {
		kt_str_printf(err, "%s:1:1: target %s: kernel-format %s does not exist for arch %s",
			      top->file, top->name, pipeline_format_name(t->format), t->arch);
		r = -EINVAL;
	}
out:
	if (r < 0)
		pipeline_target_release(t);
	return r;
}

/* The kernel's make runs on the host's own architecture for @arch. */
static bool arch_is_host(const char *arch)
{
	struct utsname u;

	return uname(&u) == 0 &&
	       (!strcmp(u.machine, arch) || (!strcmp(u.machine, "x86_64") && !strcmp(arch, "x86")) ||
		(!strcmp(u.machine, "aarch64") && !strcmp(arch, "arm64")));
}

const char *pipeline_target_make_arch(const struct pipeline_target *t)
{
	/*
	 * On its own machine the kernel's make picks ARCH itself (x86 on an
	 * x86_64 host, where 64BIT is a prompt): pass nothing, so ktrim's
	 * Kconfig and `make olddefconfig` see the same tree.
	 */
	return arch_is_host(t->arch) ? NULL : t->arch;
}

const char *pipeline_arch_cross_compile(const char *arch)
{
	static const struct { const char *arch, *prefix; } prefixes[] = {
		/* Debian's cross toolchains: gcc-aarch64-linux-gnu, gcc-x86-64-linux-gnu */
		{ "arm64", "aarch64-linux-gnu-" },
		{ "x86_64", "x86_64-linux-gnu-" },
		{ "x86", "x86_64-linux-gnu-" },
	};

	if (!arch || arch_is_host(arch))
		return NULL;
	if (getenv("CROSS_COMPILE"))
		return getenv("CROSS_COMPILE");
	for (size_t i = 0; i < KT_ARRAY_SIZE(prefixes); i++) {
		if (strcmp(prefixes[i].arch, arch))
			continue;
		/*
		 * Kconfig's toolchain probes ($(cc-option), CC_VERSION_TEXT)
		 * read it too: the Kconfig engine and make must see one compiler.
		 */
		if (setenv("CROSS_COMPILE", prefixes[i].prefix, 0) < 0)
			return NULL;
		return getenv("CROSS_COMPILE");
	}
	return NULL;
}

/* ---- target-info ------------------------------------------------------------ */

struct field {
	const char *name;
	int (*put)(const struct pipeline_target *t, struct kt_str *out, bool yaml);
};

static int put_list(struct kt_str *out, const struct kt_array *a, bool yaml,
		    const char *(*item)(const void *))
{
	if (yaml)
		kt_str_putc(out, '[');
	for (size_t i = 0; i < a->len; i++) {
		const char *s = item(kt_array_ptr(a, i));

		if (i)
			kt_str_puts(out, yaml ? ", " : " ");
		if (yaml)
			kt_yaml_put_scalar(out, s);
		else
			kt_str_puts(out, s);
	}
	if (yaml)
		kt_str_putc(out, ']');
	return kt_str_error(out);
}

static int put_value(struct kt_str *out, const char *v, bool yaml)
{
	if (yaml)
		kt_yaml_put_scalar(out, v);
	else
		kt_str_puts(out, v ? v : "");
	return kt_str_error(out);
}

static const char *as_string(const void *p)
{
	return p;
}

static const char *recipe_file(const void *p)
{
	return ((const struct kconf_recipe *)p)->file;
}

#define FIELD(fname, expr) \
	static int put_##fname(const struct pipeline_target *t, struct kt_str *out, bool yaml) \
	{ return put_value(out, (expr), yaml); }
FIELD(name, t->name)
FIELD(file, t->file)
FIELD(arch, t->arch)
FIELD(machine, pipeline_machine_name(t->machine))
FIELD(format, pipeline_format_name(t->format))
FIELD(goal, pipeline_format_make_goal(t->format))
FIELD(built, pipeline_format_built_path(t->format, t->arch))
FIELD(kernel, pipeline_format_kernel_name(t->format))
FIELD(initramfs, pipeline_format_initramfs_name(t->format))
FIELD(disk, pipeline_disk_name(t->disk))
FIELD(console, t->console)
FIELD(cmdline, t->cmdline)
FIELD(modules, kconf_recipe_set_modules(&t->recipes) == KCONF_MODULES_AS_NEEDED ?
	       "as-needed" : "builtin")
#undef FIELD

static int put_checks(const struct pipeline_target *t, struct kt_str *out, bool yaml)
{
	return put_list(out, &t->checks, yaml, as_string);
}

static int put_host_only(const struct pipeline_target *t, struct kt_str *out, bool yaml)
{
	return put_list(out, &t->host_only, yaml, as_string);
}

static int put_recipes(const struct pipeline_target *t, struct kt_str *out, bool yaml)
{
	return put_list(out, &t->recipes.recipes, yaml, recipe_file);
}

static const struct field fields[] = {
	{ "name", put_name },
	{ "file", put_file },
	{ "recipes", put_recipes },
	{ "arch", put_arch },
	{ "machine", put_machine },
	{ "kernel-format", put_format },
	{ "make-goal", put_goal },
	{ "built-path", put_built },
	{ "kernel-name", put_kernel },
	{ "initramfs-name", put_initramfs },
	{ "modules", put_modules },
	{ "console", put_console },
	{ "cmdline", put_cmdline },
	{ "checks", put_checks },
	{ "disk", put_disk },
	{ "host-only", put_host_only },
};

int pipeline_target_format(const struct pipeline_target *t, const char *field,
			   struct kt_str *out)
{
	int r = 0;

	for (size_t i = 0; i < KT_ARRAY_SIZE(fields) && r == 0; i++) {
		if (field && strcmp(field, fields[i].name))
			continue;
		if (!field)
			kt_str_printf(out, "%s: ", fields[i].name);
		r = fields[i].put(t, out, !field);
		kt_str_putc(out, '\n');
		if (field)
			return r ? r : kt_str_error(out);
	}
	if (field)
		return -ENOENT;
	return r ? r : kt_str_error(out);
}

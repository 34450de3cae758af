// SPDX-License-Identifier: GPL-2.0-only
/* The target type: boot: across includes, validation, formats, target-info. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/common.h"
#include "pipeline/pipeline.h"

#define RDIR KT_FIXTURES "/pipeline/recipes"
#define SHIPPED KT_SRCDIR "/recipes"

static void load_ok(struct pipeline_target *t, const char *dir, const char *what)
{
	struct kt_str err = KT_STR_INIT;

	if (pipeline_target_load(t, dir, what, &err) < 0)
		fail_msg("%s: %s", what, kt_str_cstr(&err));
	kt_str_free(&err);
}

static void assert_checks(const struct pipeline_target *t, const char *const *want, size_t n)
{
	assert_int_equal(t->checks.len, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(kt_array_ptr(&t->checks, i), want[i]);
}

static void test_last_recipe_wins(void **state)
{
	static const char *const checks[] = { "CONFIG_PRINTK", "CONFIG_TTY", "CONFIG_PCI" };
	struct pipeline_target t;

	load_ok(&t, RDIR, "child");
	assert_string_equal(t.name, "child");
	assert_non_null(strstr(t.file, "targets/child.yaml"));
	assert_int_equal(t.machine, PIPELINE_MACHINE_MICROVM);
	assert_int_equal(t.format, PIPELINE_FORMAT_VMLINUX);
	assert_string_equal(t.cmdline, "console=ttyS0 from-child");
	assert_string_equal(t.console, "ttyS0");	/* only the base sets it */
	assert_string_equal(t.arch, "x86_64");		/* nobody does */
	assert_checks(&t, checks, 3);
	/* includes resolved: the base's requirements are in the recipe set */
	assert_int_equal(t.recipes.recipes.len, 2);
	pipeline_target_release(&t);

	/* two levels down, one key overridden */
	load_ok(&t, RDIR, "grandchild");
	assert_int_equal(t.machine, PIPELINE_MACHINE_MICROVM);
	assert_int_equal(t.format, PIPELINE_FORMAT_EFI);
	assert_string_equal(t.cmdline, "console=ttyS0 from-child");
	assert_checks(&t, checks, 3);
	pipeline_target_release(&t);
}

static void expect_error(const char *what, const char *text)
{
	struct pipeline_target t;
	struct kt_str err = KT_STR_INIT;

	assert_int_equal(pipeline_target_load(&t, RDIR, what, &err), -EINVAL);
	if (!strstr(kt_str_cstr(&err), text))
		fail_msg("'%s' not in '%s'", text, kt_str_cstr(&err));
	kt_str_free(&err);
}

static void test_errors_name_file_line(void **state)
{
	expect_error("bad-machine", "targets/bad-machine.yaml:4:12: boot: machine: 'pdp11' is not");
	expect_error("bad-key", "targets/bad-key.yaml:6:3: ");
	expect_error("bad-key", "firmware");
	expect_error("no-format", "targets/no-format.yaml:1:1: target no-format has no boot: kernel-format");
	expect_error("bad-check", "targets/bad-check.yaml:6:10: boot: check: must be a list");
	expect_error("bad-arch", "kernel-format bzImage does not exist for arch arm64");
}

static void test_formats(void **state)
{
	static const struct {
		enum pipeline_format f;
		const char *name, *goal, *built, *built_arm64, *kernel, *initramfs;
	} want[] = {
		{ PIPELINE_FORMAT_BZIMAGE, "bzImage", "bzImage", "arch/x86/boot/bzImage", NULL,
		  "bzImage", "initramfs.cpio.zst" },
		{ PIPELINE_FORMAT_VMLINUX, "vmlinux", "vmlinux", "vmlinux", NULL, "vmlinux",
		  "initramfs.cpio.zst" },
		{ PIPELINE_FORMAT_EFI, "efi", "bzImage", "arch/x86/boot/bzImage", NULL, "bzImage.efi",
		  "initramfs.cpio.zst" },
		{ PIPELINE_FORMAT_LCOW, "lcow", "bzImage", "arch/x86/boot/bzImage", NULL, "kernel",
		  "initrd.img" },
		{ PIPELINE_FORMAT_IMAGE, "Image", "Image", NULL, "arch/arm64/boot/Image", "Image",
		  "initramfs.cpio.zst" },
	};
	enum pipeline_format f;

	assert_int_equal(KT_ARRAY_SIZE(want), PIPELINE_FORMAT_COUNT);
	for (size_t i = 0; i < KT_ARRAY_SIZE(want); i++) {
		assert_int_equal(pipeline_format_parse(want[i].name, &f), 0);
		assert_int_equal(f, want[i].f);
		assert_string_equal(pipeline_format_name(f), want[i].name);
		assert_string_equal(pipeline_format_make_goal(f), want[i].goal);
		if (want[i].built)
			assert_string_equal(pipeline_format_built_path(f, "x86_64"), want[i].built);
		else
			assert_null(pipeline_format_built_path(f, "x86_64"));
		if (want[i].built_arm64)
			assert_string_equal(pipeline_format_built_path(f, "arm64"), want[i].built_arm64);
		else
			assert_null(pipeline_format_built_path(f, "arm64"));
		assert_null(pipeline_format_built_path(f, "riscv"));
		assert_string_equal(pipeline_format_kernel_name(f), want[i].kernel);
		assert_string_equal(pipeline_format_initramfs_name(f), want[i].initramfs);
	}
	assert_int_equal(pipeline_format_parse("zImage", &f), -EINVAL);
}

static void test_shipped_targets(void **state)
{
	static const struct {
		const char *name;
		enum pipeline_machine machine;
		enum pipeline_format format;
		const char *a_check;
		enum pipeline_disk disk;
		size_t host_only;
		const char *arch, *console;
	} want[] = {
		{ "kvm-q35", PIPELINE_MACHINE_Q35, PIPELINE_FORMAT_BZIMAGE, "CONFIG_VIRTIO_PCI",
		  PIPELINE_DISK_NONE, 0, "x86_64", "console=ttyS0" },
		{ "kvm-microvm", PIPELINE_MACHINE_MICROVM, PIPELINE_FORMAT_VMLINUX, "CONFIG_PVH",
		  PIPELINE_DISK_NONE, 0, "x86_64", "console=ttyS0" },
		{ "hyperv-gen1", PIPELINE_MACHINE_PC, PIPELINE_FORMAT_BZIMAGE, "CONFIG_HYPERV",
		  PIPELINE_DISK_BIOS, 5, "x86_64", "console=ttyS0" },
		/* gen2 includes gen1: its checks and host-only devices come along */
		{ "hyperv-gen2", PIPELINE_MACHINE_Q35, PIPELINE_FORMAT_EFI, "CONFIG_HYPERV_NET",
		  PIPELINE_DISK_UEFI, 5, "x86_64", "console=ttyS0" },
		{ "lcow", PIPELINE_MACHINE_Q35, PIPELINE_FORMAT_LCOW, "CONFIG_NET_9P_FD",
		  PIPELINE_DISK_NONE, 6, "x86_64", "console=ttyS0" },
		{ "kvm-virt-arm64", PIPELINE_MACHINE_VIRT, PIPELINE_FORMAT_IMAGE,
		  "CONFIG_SERIAL_AMBA_PL011_CONSOLE", PIPELINE_DISK_NONE, 0, "arm64",
		  "console=ttyAMA0" },
	};

	for (size_t i = 0; i < KT_ARRAY_SIZE(want); i++) {
		struct pipeline_target t;
		bool found = false;

		load_ok(&t, SHIPPED, want[i].name);
		assert_string_equal(t.name, want[i].name);
		assert_int_equal(t.machine, want[i].machine);
		assert_int_equal(t.format, want[i].format);
		assert_int_equal(t.disk, want[i].disk);
		assert_int_equal(t.host_only.len, want[i].host_only);
		assert_string_equal(t.arch, want[i].arch);
		assert_non_null(strstr(t.cmdline, want[i].console));
		for (size_t j = 0; j < t.checks.len; j++)
			found |= !strcmp(kt_array_ptr(&t.checks, j), want[i].a_check);
		if (!found)
			fail_msg("%s lacks check %s", want[i].name, want[i].a_check);
		pipeline_target_release(&t);
	}
}

/* ARCH for make: nothing on the host's own architecture, as the kernel's make does. */
static void test_make_arch(void **state)
{
	struct pipeline_target t;
	struct pipeline_target other = { .arch = (char *)"arm64" };

	load_ok(&t, SHIPPED, "kvm-q35");
#if defined(__x86_64__)
	assert_null(pipeline_target_make_arch(&t));
#endif
#if !defined(__aarch64__)
	assert_string_equal(pipeline_target_make_arch(&other), "arm64");
	/* Debian's cross toolchain unless CROSS_COMPILE says otherwise */
	unsetenv("CROSS_COMPILE");
	assert_string_equal(pipeline_arch_cross_compile("arm64"), "aarch64-linux-gnu-");
	assert_string_equal(getenv("CROSS_COMPILE"), "aarch64-linux-gnu-");
	setenv("CROSS_COMPILE", "/opt/cross/bin/aarch64-none-elf-", 1);
	assert_string_equal(pipeline_arch_cross_compile("arm64"), "/opt/cross/bin/aarch64-none-elf-");
	unsetenv("CROSS_COMPILE");
#endif
#if defined(__x86_64__)
	assert_null(pipeline_arch_cross_compile("x86_64"));
	assert_null(pipeline_arch_cross_compile("x86"));
	assert_null(pipeline_arch_cross_compile(NULL));
#endif
	pipeline_target_release(&t);
}

/* target-info's YAML loads back to the same values; --field prints one. */
static void test_format_round_trip(void **state)
{
	struct pipeline_target t;
	struct kt_str out = KT_STR_INIT, err = KT_STR_INIT;
	struct kt_yaml_doc doc;
	const struct kt_yaml_node *n;

	load_ok(&t, RDIR, "child");
	assert_int_equal(pipeline_target_format(&t, NULL, &out), 0);
	if (kt_yaml_load_string("target-info", out.buf, out.len, &doc, &err) < 0)
		fail_msg("%s\n%s", kt_str_cstr(&err), out.buf);
	assert_string_equal(kt_yaml_map_get(doc.root, "machine")->scalar, "microvm");
	assert_string_equal(kt_yaml_map_get(doc.root, "make-goal")->scalar, "vmlinux");
	assert_string_equal(kt_yaml_map_get(doc.root, "built-path")->scalar, "vmlinux");
	assert_string_equal(kt_yaml_map_get(doc.root, "cmdline")->scalar,
			    "console=ttyS0 from-child");
	n = kt_yaml_map_get(doc.root, "checks");
	assert_int_equal(n->type, KT_YAML_SEQ);
	assert_int_equal(n->n, 3);
	assert_string_equal(n->items[2]->scalar, "CONFIG_PCI");
	n = kt_yaml_map_get(doc.root, "recipes");
	assert_int_equal(n->n, 2);
	assert_non_null(strstr(n->items[0]->scalar, "bases/boot-base.yaml"));
	kt_yaml_doc_release(&doc);

	kt_str_reset(&out);
	assert_int_equal(pipeline_target_format(&t, "checks", &out), 0);
	assert_string_equal(out.buf, "CONFIG_PRINTK CONFIG_TTY CONFIG_PCI\n");
	kt_str_reset(&out);
	assert_int_equal(pipeline_target_format(&t, "kernel-name", &out), 0);
	assert_string_equal(out.buf, "vmlinux\n");
	kt_str_reset(&out);
	assert_int_equal(pipeline_target_format(&t, "nosuch", &out), -ENOENT);
	pipeline_target_release(&t);
	kt_str_free(&out);
	kt_str_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_last_recipe_wins),
		cmocka_unit_test(test_errors_name_file_line),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_shipped_targets),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_make_arch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

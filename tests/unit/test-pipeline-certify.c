// SPDX-License-Identifier: GPL-2.0-only
/* Certification's parts: kernel-format checks, power-on arithmetic, the certificate. */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/common.h"
#include "pipeline/certify-internal.h"

static char tmpdir[] = "/tmp/ktrim-test-certify.XXXXXX";

static int setup(void **state)
{
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd);
}

static const char *write_tmp(const char *name, const void *data, size_t len)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	assert_int_equal(kt_atomic_write_buf(path, 0644, data, len), 0);
	return path;
}

/*
 * A zeroed image with the x86 boot sector signature and "HdrS", boot
 * protocol 2.15, its kernel_version string at 0x400 naming @id as the
 * build host (none when NULL).
 */
static void fake_bzimage_id(unsigned char *img, size_t len, bool pe, const char *id)
{
	memset(img, 0, len);
	img[0x1fe] = 0x55;
	img[0x1ff] = 0xaa;
	memcpy(img + 0x202, "HdrS", 4);
	img[0x206] = 0x0f;
	img[0x207] = 0x02;
	if (id) {
		img[0x20e] = 0x00;	/* 0x400 - 0x200 */
		img[0x20f] = 0x02;
		snprintf((char *)img + 0x400, 256, "6.1.0 (ktrim@%s) #1 SMP PREEMPT_DYNAMIC", id);
	}
	if (pe) {
		/* the EFI stub: MZ, then e_lfanew pointing at "PE\0\0" */
		img[0] = 'M';
		img[1] = 'Z';
		img[0x3c] = 0x40;
		memcpy(img + 0x40, "PE\0\0", 4);
	}
}

/*
 * An arm64 Image header as booting.rst lays it out: code0/code1, text
 * offset, image size (little-endian), flags (bit 0: big-endian; bits 1-2:
 * page size, 1 = 4K), magic "ARM\x64" at 0x38, PE offset at 0x3c.
 */
static void fake_arm64_image(unsigned char *img, size_t len, bool pe, bool big_endian)
{
	memset(img, 0, len);
	img[0x10] = 0x00;	/* image size 0x230000 */
	img[0x11] = 0x00;
	img[0x12] = 0x23;
	img[0x18] = (unsigned char)(big_endian | 1 << 1);
	memcpy(img + 0x38, "ARM\x64", 4);
	if (pe) {
		img[0] = 'M';
		img[1] = 'Z';
		img[0x3c] = 0x40;
		memcpy(img + 0x40, "PE\0\0", 4);
	}
}

/* The smallest ELF64 with a PT_NOTE holding Xen's PVH entry note (type 18). */
static void fake_bzimage(unsigned char *img, size_t len, bool pe)
{
	fake_bzimage_id(img, len, pe, NULL);
}

static size_t fake_pvh_elf(unsigned char *buf, bool with_note)
{
	Elf64_Ehdr eh = { 0 };
	Elf64_Phdr ph = { 0 };
	struct { Elf64_Nhdr nh; char name[4]; uint32_t desc; } note = {
		{ 4, 4, with_note ? 18 : 17 }, "Xen", 0x1000000,
	};

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(ph);
	eh.e_phnum = 1;
	ph.p_type = PT_NOTE;
	ph.p_offset = sizeof(eh) + sizeof(ph);
	ph.p_filesz = ph.p_memsz = sizeof(note);
	ph.p_align = 4;
	memcpy(buf, &eh, sizeof(eh));
	memcpy(buf + sizeof(eh), &ph, sizeof(ph));
	memcpy(buf + sizeof(eh) + sizeof(ph), &note, sizeof(note));
	return sizeof(eh) + sizeof(ph) + sizeof(note);
}

static void certify_setup(struct certify *c, struct pipeline_certify_opts *o,
			  struct pipeline_target *t)
{
	memset(c, 0, sizeof(*c));
	c->o = o;
	c->t = t;
	kt_array_init(&c->checks, sizeof(struct certify_check));
}

/* The one kernel-format check's result and detail. */
static const struct certify_check *format_check(enum pipeline_format f, const char *kernel,
						struct certify *c)
{
	static struct pipeline_certify_opts o;
	static struct pipeline_target t;

	pipeline_certify_opts_init(&o);
	o.kernel = kernel;
	memset(&t, 0, sizeof(t));
	t.format = f;
	certify_setup(c, &o, &t);
	assert_int_equal(certify_kernel_format(c), 0);
	/* LCOW adds its vmlinux's check */
	assert_int_equal(c->checks.len, f == PIPELINE_FORMAT_LCOW ? 2 : 1);
	return kt_array_at(&c->checks, 0);
}

static void expect_format(enum pipeline_format f, const char *kernel, const char *result,
			  const char *detail)
{
	struct certify c;
	const struct certify_check *ck = format_check(f, kernel, &c);

	assert_string_equal(ck->name, "kernel format");
	assert_string_equal(ck->where, "static");
	if (strcmp(ck->result, result) || !strstr(ck->detail, detail))
		fail_msg("%s %s: got %s '%s', want %s '%s'", pipeline_format_name(f), kernel,
			 ck->result, ck->detail, result, detail);
	certify_release(&c);
}

static void test_kernel_format_checks(void **state)
{
	unsigned char img[4096], elf[256];
	char bz[256], efi[256], pvh[256], nonote[256], a64[256], a64efi[256], a64be[256];
	size_t n;

	fake_bzimage(img, sizeof(img), false);
	snprintf(bz, sizeof(bz), "%s", write_tmp("bzImage", img, sizeof(img)));
	fake_bzimage(img, sizeof(img), true);
	snprintf(efi, sizeof(efi), "%s", write_tmp("bzImage.efi", img, sizeof(img)));
	fake_arm64_image(img, sizeof(img), false, false);
	snprintf(a64, sizeof(a64), "%s", write_tmp("Image", img, sizeof(img)));
	fake_arm64_image(img, sizeof(img), true, false);
	snprintf(a64efi, sizeof(a64efi), "%s", write_tmp("Image.efi", img, sizeof(img)));
	fake_arm64_image(img, sizeof(img), false, true);
	snprintf(a64be, sizeof(a64be), "%s", write_tmp("Image.be", img, sizeof(img)));
	n = fake_pvh_elf(elf, true);
	snprintf(pvh, sizeof(pvh), "%s", write_tmp("vmlinux", elf, n));
	n = fake_pvh_elf(elf, false);
	snprintf(nonote, sizeof(nonote), "%s", write_tmp("vmlinux-nonote", elf, n));

	expect_format(PIPELINE_FORMAT_BZIMAGE, bz, "pass", "bzImage boot header present");
	expect_format(PIPELINE_FORMAT_BZIMAGE, pvh, "fail", "bzImage boot header missing");
	expect_format(PIPELINE_FORMAT_EFI, efi, "pass", "PE/COFF (EFI stub) present");
	/* a bzImage without the stub is not an EFI application */
	expect_format(PIPELINE_FORMAT_EFI, bz, "fail", "PE/COFF (EFI stub) missing");
	expect_format(PIPELINE_FORMAT_LCOW, efi, "pass", "PE/COFF (EFI stub) present");
	expect_format(PIPELINE_FORMAT_LCOW, bz, "fail", "PE/COFF (EFI stub) missing");
	{
		/* LCOW's vmlinux beside the kernel: the PVH one written above */
		struct certify c;
		const struct certify_check *ck;

		format_check(PIPELINE_FORMAT_LCOW, efi, &c);
		ck = kt_array_at(&c.checks, 1);
		assert_string_equal(ck->name, "vmlinux format");
		assert_string_equal(ck->result, "pass");
		assert_non_null(strstr(ck->detail, "ELF with a PVH entry note"));
		certify_release(&c);
	}
	expect_format(PIPELINE_FORMAT_VMLINUX, pvh, "pass", "PVH entry note");
	expect_format(PIPELINE_FORMAT_VMLINUX, nonote, "fail", "no PVH entry note");
	expect_format(PIPELINE_FORMAT_VMLINUX, bz, "fail", "not an ELF file");
	expect_format(PIPELINE_FORMAT_BZIMAGE, "/nonexistent/bzImage", "fail", "cannot read");
	expect_format(PIPELINE_FORMAT_IMAGE, a64, "pass",
		      "little-endian, 4K pages, image size 2293760 bytes, PE/COFF (EFI stub) absent");
	expect_format(PIPELINE_FORMAT_IMAGE, a64efi, "pass", "PE/COFF (EFI stub) present");
	expect_format(PIPELINE_FORMAT_IMAGE, a64be, "fail", "big-endian");
	expect_format(PIPELINE_FORMAT_IMAGE, bz, "fail", "arm64 Image header missing");
}

static void add_event(struct kprof_vm_result *res, const char *name, uint64_t us,
		      const char *args)
{
	struct kprof_vm_event ev = { strdup(name), us, strdup(args), 0 };

	assert_non_null(kt_array_push(&res->events, &ev));
}

static void test_power_on_times(void **state)
{
	struct kprof_vm_result res;
	struct certify_boot b = { 0 };

	/*
	 * A 2 GHz TSC: init-start at uptime 1.0 s with 4.0e9 cycles since
	 * reset (2.0 s: firmware and decompression took 1.0 s of it), ready at
	 * 5.0e9 (2.5 s), the last record one second of uptime after init-start.
	 */
	kprof_vm_result_init(&res);
	add_event(&res, "init-start", 1000000, "tsc=4000000000");
	add_event(&res, "workload-ready", 1500000, "pid=7 tsc=5000000000");
	add_event(&res, "poweroff", 2000000, "tsc=6000000000");
	certify_power_on_times(&res, &b);
	assert_float_equal(b.init_power_on_ms, 2000.0, 0.01);
	assert_float_equal(b.ready_power_on_ms, 2500.0, 0.01);
	kprof_vm_result_release(&res);

	/* Records without a TSC (or with the clock standing still): no figure. */
	memset(&b, 0, sizeof(b));
	kprof_vm_result_init(&res);
	add_event(&res, "init-start", 1000000, "");
	add_event(&res, "poweroff", 2000000, "");
	certify_power_on_times(&res, &b);
	assert_true(b.init_power_on_ms == 0 && b.ready_power_on_ms == 0);
	kprof_vm_result_release(&res);

	memset(&b, 0, sizeof(b));
	kprof_vm_result_init(&res);
	add_event(&res, "init-start", 1000000, "tsc=4000000000");
	add_event(&res, "poweroff", 1000500, "tsc=4000100000");	/* < 1 ms of uptime */
	certify_power_on_times(&res, &b);
	assert_true(b.init_power_on_ms == 0);
	kprof_vm_result_release(&res);

	/*
	 * arm64's architected counter says its rate (62.5 MHz): taken as
	 * given, whatever the uptimes say (here they stand still).
	 */
	memset(&b, 0, sizeof(b));
	kprof_vm_result_init(&res);
	add_event(&res, "init-start", 1000000, "tsc=62500000 hz=62500000");
	add_event(&res, "workload-ready", 1000000, "pid=7 tsc=68750000 hz=62500000");
	add_event(&res, "poweroff", 1000000, "tsc=75000000 hz=62500000");
	certify_power_on_times(&res, &b);
	assert_float_equal(b.init_power_on_ms, 1000.0, 0.01);
	assert_float_equal(b.ready_power_on_ms, 1100.0, 0.01);
	kprof_vm_result_release(&res);
}

static const struct kt_yaml_node *check_node(const struct kt_yaml_node *checks, const char *name)
{
	for (size_t i = 0; i < checks->n; i++)
		if (!strcmp(kt_yaml_map_get(checks->items[i], "name")->scalar, name))
			return checks->items[i];
	fail_msg("no check '%s'", name);
	return NULL;
}

static void test_certificate_writer(void **state)
{
	struct pipeline_certify_opts o;
	struct pipeline_target t;
	struct certify c;
	struct kt_str out = KT_STR_INIT, err = KT_STR_INIT;
	struct kt_yaml_doc doc;
	const struct kt_yaml_node *root, *checks, *ck, *m;
	char kernel[256], hex[65];
	unsigned char img[4096];

	assert_int_equal(pipeline_target_load(&t, KT_SRCDIR "/recipes", "kvm-q35", &err), 0);
	fake_bzimage(img, sizeof(img), false);
	snprintf(kernel, sizeof(kernel), "%s", write_tmp("bzImage", img, sizeof(img)));
	pipeline_certify_opts_init(&o);
	o.kernel = kernel;
	certify_setup(&c, &o, &t);
	assert_int_equal(certify_check_add(&c, "kernel format", "pass", "static", "ok"), 0);
	/* details with YAML's special characters load back unchanged */
	assert_int_equal(certify_check_add(&c, "smoke test", "fail", "tcg",
					   "exit status 1: \"quoted\" # not a comment\nline 2"), 0);
	assert_int_equal(certify_check_add(&c, "boot", "not-run", "not-run", "no VMBus here"), 0);
	c.main_boot.ran = true;
	c.main_boot.reached_init = c.main_boot.ready = true;
	c.main_boot.init_us = 352100;
	c.main_boot.ready_us = 383250;
	c.main_boot.init_power_on_ms = 398.04;
	c.main_boot.accel = "tcg";
	c.main_boot.host_s = 2.5;
	c.min_memory_mb = 27;

	assert_int_equal(certify_verdict(&c), PIPELINE_FAILED);
	assert_int_equal(certify_format(&c, &out), 0);
	if (kt_yaml_load_string("certificate", out.buf, out.len, &doc, &err) < 0)
		fail_msg("%s\n%s", kt_str_cstr(&err), out.buf);
	root = doc.root;
	assert_string_equal(kt_yaml_map_get(root, "ktrim-certificate")->scalar, "1");
	assert_string_equal(kt_yaml_map_get(root, "verdict")->scalar, "failed");
	/* what did not run is named at the top */
	assert_int_equal(kt_yaml_map_get(root, "not-run")->n, 1);
	assert_string_equal(kt_yaml_map_get(root, "not-run")->items[0]->scalar, "boot");
	assert_string_equal(kt_yaml_map_get(root, "target")->scalar, "kvm-q35");
	assert_string_equal(kt_yaml_map_get(root, "machine")->scalar, "q35");
	assert_string_equal(kt_yaml_map_get(root, "kernel-format")->scalar, "bzImage");
	assert_int_equal(kt_sha256_file(kernel, hex), 0);
	assert_string_equal(kt_yaml_map_get(kt_yaml_map_get(root, "kernel"), "sha256")->scalar, hex);
	assert_string_equal(kt_yaml_map_get(kt_yaml_map_get(root, "kernel"), "bytes")->scalar,
			    "4096");
	assert_string_equal(kt_yaml_map_get(root, "accelerator")->scalar, "tcg");
	checks = kt_yaml_map_get(root, "checks");
	assert_int_equal(checks->n, 3);
	ck = check_node(checks, "smoke test");
	assert_string_equal(kt_yaml_map_get(ck, "result")->scalar, "fail");
	assert_string_equal(kt_yaml_map_get(ck, "where")->scalar, "tcg");
	assert_string_equal(kt_yaml_map_get(ck, "detail")->scalar,
			    "exit status 1: \"quoted\" # not a comment\nline 2");
	ck = check_node(checks, "boot");
	assert_string_equal(kt_yaml_map_get(ck, "where")->scalar, "not-run");
	assert_string_equal(kt_yaml_map_get(kt_yaml_map_get(root, "summary"), "failed")->scalar,
			    "1");
	m = kt_yaml_map_get(root, "measurements");
	assert_string_equal(kt_yaml_map_get(m, "boot-to-init-ms")->scalar, "352.1");
	assert_string_equal(kt_yaml_map_get(m, "boot-to-ready-ms")->scalar, "383.2");
	assert_string_equal(kt_yaml_map_get(m, "power-on-to-init-ms")->scalar, "398.0");
	assert_null(kt_yaml_map_get(m, "power-on-to-ready-ms"));	/* not measured */
	assert_string_equal(kt_yaml_map_get(m, "min-memory-mb")->scalar, "27");
	kt_yaml_doc_release(&doc);
	c.main_boot.accel = NULL;	/* static, not owned */
	certify_release(&c);
	pipeline_target_release(&t);
	kt_str_free(&out);
	kt_str_free(&err);
}

struct overlay_scan {
	unsigned files;
	char spec[1024];
};

static int scan_overlay(const struct initramfs_entry *e, void *ctx)
{
	struct overlay_scan *sc = ctx;

	if ((e->mode & 0170000) != 0100000)
		return 0;
	sc->files++;
	assert_string_equal(e->path, INITRAMFS_SPEC_ADD_PATH);
	assert_true(e->size < sizeof(sc->spec));
	memcpy(sc->spec, e->data, e->size);
	sc->spec[e->size] = '\0';
	return 0;
}

/*
 * The overlay holds the smoke test and nothing of the workload; the image
 * certify boots is the shipped bytes, zero padding to 4 bytes, the overlay;
 * the certificate hashes the overlay on its own.
 */
/* A kvm-q35 certification of @pr's image @shipped, the overlay written in tmpdir. */
static void certify_image_setup(struct certify *c, struct pipeline_certify_opts *o,
				struct pipeline_target *t, const struct kprof_project *pr,
				const char *shipped)
{
	pipeline_certify_opts_init(o);
	o->kernel = shipped;
	o->initramfs = shipped;
	o->project = pr;
	memset(t, 0, sizeof(*t));
	t->name = "kvm-q35";
	certify_setup(c, o, t);
	c->overlay_path = strdup(write_tmp("certify-overlay.cpio", "", 0));
}

static void test_overlay_and_boot_image(void **state)
{
	struct pipeline_certify_opts o;
	struct pipeline_target t;
	struct kprof_project pr;
	struct certify c;
	struct overlay_scan sc = { 0 };
	struct kt_str out = KT_STR_INIT, err = KT_STR_INIT;
	char *boot = NULL, *ovl = NULL, hex[65], shipped[256];
	size_t boot_len = 0, ovl_len = 0;

	kprof_project_init(&pr);
	kt_array_push_ptr(&pr.command, strdup("/bin/httpd"));
	kt_array_push_ptr(&pr.smoke_command, strdup("/bin/sh"));
	kt_array_push_ptr(&pr.smoke_command, strdup("-c"));
	kt_array_push_ptr(&pr.smoke_command, strdup("wget -O - http://127.0.0.1/"));
	pr.smoke_timeout_s = 20;
	snprintf(shipped, sizeof(shipped), "%s", write_tmp("shipped.cpio.zst", "12345", 5));
	certify_image_setup(&c, &o, &t, &pr, shipped);
	assert_int_equal(certify_stage_image(&c, &err), 0);

	assert_int_equal(initramfs_read_file(c.overlay_path, scan_overlay, &sc, &err), 0);
	assert_int_equal(sc.files, 1);
	assert_string_equal(sc.spec, "ktrim-spec 1\nsmoke-arg /bin/sh\nsmoke-arg -c\n"
			    "smoke-arg wget -O - http://127.0.0.1/\nsmoke-timeout 20\ncertify-hold\n");
	assert_int_equal(kt_read_file(c.boot_image, &boot, &boot_len), 0);
	assert_int_equal(kt_read_file(c.overlay_path, &ovl, &ovl_len), 0);
	assert_int_equal(boot_len, 8 + ovl_len);
	assert_memory_equal(boot, "12345\0\0\0", 8);
	assert_memory_equal(boot + 8, ovl, ovl_len);

	assert_int_equal(certify_format(&c, &out), 0);
	assert_int_equal(kt_sha256_file(c.overlay_path, hex), 0);
	assert_non_null(strstr(out.buf, "\noverlay:\n"));
	assert_non_null(strstr(out.buf, hex));
	/* The temporary image goes with the certification. */
	snprintf(shipped, sizeof(shipped), "%s", c.boot_image);
	certify_release(&c);
	assert_int_not_equal(access(shipped, F_OK), 0);
	kprof_project_release(&pr);
	free(boot);
	free(ovl);
	kt_str_free(&out);
	kt_str_free(&err);
}

/* An image of an init tree: /init a link to @target, bin/sh executable. */
static const char *link_init_image(const char *name, const char *target)
{
	const struct initramfs_write_opts plain = { .compress = INITRAMFS_COMPRESS_NONE };
	struct initramfs_archive *a = initramfs_archive_new();
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	assert_int_equal(initramfs_archive_add_data(a, "bin/sh", "#!", 2, 0755, NULL), 0);
	assert_int_equal(initramfs_archive_add_symlink(a, "init", target, NULL), 0);
	assert_int_equal(initramfs_archive_write_file(a, &plain, path, NULL), 0);
	initramfs_archive_free(a);
	return path;
}

/*
 * A project's own init: the boot image is the shipped bytes alone (no
 * overlay, no padding), the certificate says so and hashes no overlay; a
 * link /init passes the static check when it names an executable of the
 * image, fails when it names none.
 */
static void test_external_init(void **state)
{
	struct pipeline_certify_opts o;
	struct pipeline_target t;
	struct kprof_project pr;
	struct certify c;
	const struct certify_check *ck;
	struct kt_str out = KT_STR_INIT, err = KT_STR_INIT;
	char *boot = NULL, *want = NULL, shipped[256];
	size_t boot_len = 0, want_len = 0;

	kprof_project_init(&pr);
	pr.file = strdup("/p/ktrim.yaml");
	pr.init_external = strdup("/p/lcow-init");
	pr.init_line = 9;
	kt_array_push_ptr(&pr.smoke_command, strdup("/bin/true"));
	snprintf(shipped, sizeof(shipped), "%s", link_init_image("ext.cpio", "/bin/sh"));
	certify_image_setup(&c, &o, &t, &pr, shipped);
	c.external = strdup("/p/ktrim.yaml:9");
	assert_int_equal(certify_stage_image(&c, &err), 0);
	assert_int_equal(kt_read_file(c.boot_image, &boot, &boot_len), 0);
	assert_int_equal(kt_read_file(shipped, &want, &want_len), 0);
	assert_int_equal(boot_len, want_len);
	assert_memory_equal(boot, want, want_len);
	assert_int_equal(certify_initramfs(&c), 0);
	ck = kt_array_at(&c.checks, 0);
	assert_string_equal(ck->result, "pass");
	assert_non_null(strstr(ck->detail, "/init a link to /bin/sh, an executable file "
			       "(the project's own init), container spec absent"));
	assert_int_equal(certify_format(&c, &out), 0);
	assert_non_null(strstr(out.buf, "\ninit: external\n"));
	assert_null(strstr(out.buf, "\noverlay:"));
	certify_release(&c);

	/* a link to nothing the image holds */
	snprintf(shipped, sizeof(shipped), "%s", link_init_image("dangling.cpio", "/bin/gcs"));
	certify_setup(&c, &o, &t);
	assert_int_equal(certify_initramfs(&c), 0);
	ck = kt_array_at(&c.checks, 0);
	assert_string_equal(ck->result, "fail");
	assert_non_null(strstr(ck->detail, "/init a link to /bin/gcs, no executable file of the image"));
	certify_release(&c);
	kprof_project_release(&pr);
	free(boot);
	free(want);
	kt_str_free(&out);
	kt_str_free(&err);
}

static void test_verdicts(void **state)
{
	struct pipeline_certify_opts o;
	struct pipeline_target t = { 0 };
	struct certify c;

	pipeline_certify_opts_init(&o);
	certify_setup(&c, &o, &t);
	assert_int_equal(certify_verdict(&c), PIPELINE_CERTIFIED);	/* vacuous */
	assert_int_equal(certify_check_add(&c, "a", "pass", "static", "ok"), 0);
	assert_int_equal(certify_verdict(&c), PIPELINE_CERTIFIED);
	assert_int_equal(certify_check_add(&c, "b", "not-run", "not-run", "no host"), 0);
	assert_int_equal(certify_verdict(&c), PIPELINE_PARTIAL);
	assert_int_equal(certify_check_add(&c, "c", "fail", "tcg", "exit 1"), 0);
	assert_int_equal(certify_verdict(&c), PIPELINE_FAILED);
	assert_string_equal(pipeline_verdict_name(PIPELINE_PARTIAL), "partial");
	certify_release(&c);
}

static void test_identity(void **state)
{
	const char *cfg = "CONFIG_A=y\n";
	unsigned char img[4096], elf[512];
	char id[PIPELINE_ID_LEN], got[PIPELINE_ID_LEN], hex[65], path[256];
	size_t n;

	snprintf(path, sizeof(path), "%s", write_tmp("id.config", cfg, strlen(cfg)));
	assert_int_equal(pipeline_config_identity(path, id), 0);
	assert_int_equal(kt_sha256_file(path, hex), 0);
	assert_int_equal(strlen(id), 20);
	assert_memory_equal(id, "cfg-", 4);
	assert_memory_equal(id + 4, hex, 16);

	fake_bzimage_id(img, sizeof(img), false, id);
	snprintf(path, sizeof(path), "%s", write_tmp("id-bzImage", img, sizeof(img)));
	assert_int_equal(pipeline_kernel_identity(path, PIPELINE_FORMAT_BZIMAGE, got), 0);
	assert_string_equal(got, id);
	assert_int_equal(pipeline_kernel_identity(path, PIPELINE_FORMAT_EFI, got), 0);
	/* a plain host name, or none at all: no identity */
	fake_bzimage_id(img, sizeof(img), false, "buildd");
	snprintf(path, sizeof(path), "%s", write_tmp("id-other", img, sizeof(img)));
	assert_int_equal(pipeline_kernel_identity(path, PIPELINE_FORMAT_BZIMAGE, got), -ENOENT);
	fake_bzimage(img, sizeof(img), false);
	snprintf(path, sizeof(path), "%s", write_tmp("id-none", img, sizeof(img)));
	assert_int_equal(pipeline_kernel_identity(path, PIPELINE_FORMAT_BZIMAGE, got), -ENOENT);
	/* a vmlinux carries linux_banner in its data */
	n = fake_pvh_elf(elf, true);
	n += (size_t)snprintf((char *)elf + n, sizeof(elf) - n,
			      "Linux version 6.1.0 (ktrim@%s) (gcc 12) #1 SMP\n", id) + 1;
	snprintf(path, sizeof(path), "%s", write_tmp("id-vmlinux", elf, n));
	assert_int_equal(pipeline_kernel_identity(path, PIPELINE_FORMAT_VMLINUX, got), 0);
	assert_string_equal(got, id);
	assert_int_equal(pipeline_kernel_identity("/nonexistent", PIPELINE_FORMAT_VMLINUX, got),
			 -ENOENT);
}

/*
 * pipeline_certify end to end on a Hyper-V target without its disk or an
 * initramfs (nothing boots): every static check passes, the VMBus devices
 * are host-only, the verdict is partial. The same kernel with another .config is refused.
 */
static void test_certify_hyperv_partial_and_binding(void **state)
{
	struct pipeline_certify_opts o;
	struct pipeline_target t;
	struct kt_str cfg = KT_STR_INIT, err = KT_STR_INIT;
	enum pipeline_verdict v;
	unsigned char img[4096];
	char id[PIPELINE_ID_LEN], config[256], kernel[256], cert[256];
	char *text = NULL;

	assert_int_equal(pipeline_target_load(&t, KT_SRCDIR "/recipes", "hyperv-gen1", &err), 0);
	for (size_t i = 0; i < t.checks.len; i++)
		kt_str_printf(&cfg, "%s=y\n", (char *)kt_array_ptr(&t.checks, i));
	snprintf(config, sizeof(config), "%s", write_tmp("hv.config", cfg.buf, cfg.len));
	assert_int_equal(pipeline_config_identity(config, id), 0);
	fake_bzimage_id(img, sizeof(img), false, id);
	snprintf(kernel, sizeof(kernel), "%s", write_tmp("hv-bzImage", img, sizeof(img)));
	snprintf(cert, sizeof(cert), "%s/hv-certificate.yaml", tmpdir);

	pipeline_certify_opts_init(&o);
	o.kernel = kernel;
	o.config = config;
	o.target = &t;
	o.output = cert;
	assert_int_equal(pipeline_certify(&o, &v), 0);
	assert_int_equal(v, PIPELINE_PARTIAL);
	assert_int_equal(kt_read_file(cert, &text, NULL), 0);
	assert_non_null(strstr(text, "verdict: partial\n"));
	assert_non_null(strstr(text, "  - name: \"config binding\"\n    result: pass\n"));
	assert_non_null(strstr(text, "not-run:\n"));
	assert_non_null(strstr(text, "  - name: \"host-only devices\"\n    result: not-run\n"));
	assert_non_null(strstr(text, "storvsc, netvsc, hv_sock, hv_utils, Hyper-V clocksource: "
				     "only a hyperv-gen1 host runs them"));
	/* no disk given: the kernel file is what the static checks read */
	assert_non_null(strstr(text, "  - name: \"disk image\"\n    result: not-run\n"));
	assert_null(strstr(text, "result: fail"));
	free(text);
	text = NULL;

	/* another configuration: refused, no certificate */
	kt_str_puts(&cfg, "CONFIG_EXTRA=y\n");
	snprintf(config, sizeof(config), "%s", write_tmp("other.config", cfg.buf, cfg.len));
	unlink(cert);
	assert_int_equal(pipeline_certify(&o, &v), -EINVAL);
	assert_int_not_equal(access(cert, F_OK), 0);

	/* a kernel that names no configuration: its options cannot pass */
	fake_bzimage(img, sizeof(img), false);
	write_tmp("hv-bzImage", img, sizeof(img));
	assert_int_equal(pipeline_certify(&o, &v), 0);
	assert_int_equal(v, PIPELINE_PARTIAL);
	assert_int_equal(kt_read_file(cert, &text, NULL), 0);
	assert_non_null(strstr(text, "the kernel names no configuration"));
	assert_null(strstr(text, "result: pass\n    where: static\n    detail: \"=y (built in)\""));
	free(text);
	pipeline_target_release(&t);
	kt_str_free(&cfg);
	kt_str_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_format_checks),
		cmocka_unit_test(test_power_on_times),
		cmocka_unit_test(test_certificate_writer),
		cmocka_unit_test(test_overlay_and_boot_image),
		cmocka_unit_test(test_external_init),
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_certify_hyperv_partial_and_binding),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

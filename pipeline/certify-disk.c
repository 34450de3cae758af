// SPDX-License-Identifier: GPL-2.0-only
/*
 * Certifying a boot disk (disk.vhdx): what the shipped disk holds, read
 * back from it (VHDX, partition table, the FAT's files: the UKI's sections
 * or SYSLINUX's kernel and initrd), and the twin the boots use.
 *
 * The static checks then read the kernel taken out of the disk: what ships
 * is what is checked. The twin is made by the same code from that kernel,
 * with the certification overlay appended to the shipped initramfs (as
 * for -kernel boots), because the production image carries no smoke test.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pipeline/certify-internal.h"

#define OVMF "/usr/share/ovmf/OVMF.fd"

const char *certify_firmware(const struct certify *c)
{
	const char *s = getenv("KTRIM_OVMF");

	if (c->t->disk != PIPELINE_DISK_UEFI)
		return NULL;	/* SeaBIOS, the pc machine's own */
	return s && *s ? s : OVMF;
}

static int tmp_path(struct certify *c, const char *name, char **out)
{
	char tmpl[] = "/tmp/ktrim-certify.XXXXXX";

	if (!c->tmpdir) {
		if (!mkdtemp(tmpl))
			return -errno;
		if (!(c->tmpdir = strdup(tmpl)))
			return -ENOMEM;
	}
	free(*out);
	return asprintf(out, "%s/%s", c->tmpdir, name) < 0 ? (*out = NULL, -ENOMEM) : 0;
}

/* Does @file hold exactly @len bytes @data? */
static bool same_bytes(const char *file, const void *data, size_t len)
{
	char *buf = NULL;
	size_t n = 0;
	bool same = kt_read_file(file, &buf, &n) == 0 && n == len && !memcmp(buf, data, len);

	free(buf);
	return same;
}

/* The UKI's .linux to c->kernel; its .initrd and .cmdline compared. */
static int read_uki(struct certify *c, const char *uki, struct kt_str *why)
{
	char *img = NULL;
	size_t len = 0;
	const void *lx, *rd, *cl;
	size_t nlx, nrd, ncl;
	int r = kt_read_file(uki, &img, &len);

	if (r < 0) {
		kt_str_printf(why, "cannot read the UKI: %s", strerror(-r));
		return 0;
	}
	if (pipeline_uki_section(img, len, ".linux", &lx, &nlx, why) < 0 ||
	    pipeline_uki_section(img, len, ".initrd", &rd, &nrd, why) < 0 ||
	    pipeline_uki_section(img, len, ".cmdline", &cl, &ncl, why) < 0) {
		kt_str_printf(why, " in EFI/BOOT/BOOTX64.EFI");
		goto out;
	}
	r = kt_atomic_write_buf(c->kernel, 0644, lx, nlx);
	if (r < 0) {
		kt_str_printf(why, "%s: %s", c->kernel, strerror(-r));
		goto out;
	}
	if (c->o->initramfs && !same_bytes(c->o->initramfs, rd, nrd))
		kt_str_printf(why, "the UKI's .initrd (%zu bytes) is not %s", nrd, c->o->initramfs);
	else if (ncl != strlen(c->t->cmdline) || memcmp(cl, c->t->cmdline, ncl))
		kt_str_printf(why, "the UKI's .cmdline '%.*s' is not the target's '%s'", (int)ncl,
			      (const char *)cl, c->t->cmdline);
out:
	free(img);
	return 0;
}

/* SYSLINUX's bzImage to c->kernel; initrd.img and the APPEND line compared. */
static int read_syslinux(struct certify *c, bool *gpt, struct kt_str *why)
{
	char *rd = NULL, *cfg = NULL, *text = NULL;
	int r = tmp_path(c, "initrd.img", &rd);

	if (r == 0)
		r = tmp_path(c, "syslinux.cfg", &cfg);
	if (r < 0)
		goto out;
	/* ldlinux.sys only has to be there: read into the file initrd.img then replaces. */
	if (pipeline_disk_read(c->o->disk, "bzImage", c->kernel, gpt, why) < 0 ||
	    pipeline_disk_read(c->o->disk, "syslinux.cfg", cfg, gpt, why) < 0 ||
	    pipeline_disk_read(c->o->disk, "ldlinux.sys", rd, gpt, why) < 0 ||
	    pipeline_disk_read(c->o->disk, "initrd.img", rd, gpt, why) < 0)
		goto out;
	if (kt_read_file(cfg, &text, NULL) < 0 || !strstr(text, "APPEND ") ||
	    strncmp(strstr(text, "APPEND ") + 7, c->t->cmdline, strlen(c->t->cmdline)))
		kt_str_printf(why, "syslinux.cfg does not APPEND the target's command line");
	else if (c->o->initramfs) {
		char *a = NULL;
		size_t na = 0;

		if (kt_read_file(c->o->initramfs, &a, &na) == 0 && !same_bytes(rd, a, na))
			kt_str_printf(why, "initrd.img is not %s", c->o->initramfs);
		free(a);
	}
out:
	if (rd)
		unlink(rd);
	if (cfg)
		unlink(cfg);
	free(rd);
	free(cfg);
	free(text);
	return r;
}

int certify_disk(struct certify *c)
{
	struct kt_str why = KT_STR_INIT;
	char head[8] = { 0 };
	char *uki = NULL;
	FILE *f;
	bool gpt = false, uefi = c->t->disk == PIPELINE_DISK_UEFI;
	int r;

	if (!c->o->disk)
		return certify_check_add(c, "disk image", "not-run", "not-run",
					 "no disk given: the checks below read %s", c->o->kernel);
	r = tmp_path(c, "kernel", &c->kernel);
	if (r < 0)
		return r;
	f = fopen(c->o->disk, "rb");
	if (!f || fread(head, 1, 8, f) != 8 || memcmp(head, "vhdxfile", 8))
		kt_str_printf(&why, "%s: %s", c->o->disk, f ? "not a VHDX file" : strerror(errno));
	if (f)
		fclose(f);
	if (!why.len && uefi) {
		r = tmp_path(c, "BOOTX64.EFI", &uki);
		if (r == 0 && pipeline_disk_read(c->o->disk, "EFI/BOOT/BOOTX64.EFI", uki, &gpt,
						 &why) == 0)
			r = read_uki(c, uki, &why);
		if (!why.len && !gpt)
			kt_str_puts(&why, "the partition table is MBR, not GPT");
	} else if (!why.len) {
		r = read_syslinux(c, &gpt, &why);
		if (!why.len && gpt)
			kt_str_puts(&why, "the partition table is GPT, not MBR");
	}
	if (uki)
		unlink(uki);
	free(uki);
	if (r < 0) {
		kt_str_free(&why);
		return r;
	}
	if (why.len) {
		/* Nothing to read the kernel from: the checks below read the shipped kernel file. */
		free(c->kernel);
		c->kernel = strdup(c->o->kernel);
		r = certify_check_add(c, "disk image", "fail", "static", "%s", why.buf);
	} else if (uefi) {
		r = certify_check_add(c, "disk image", "pass", "static",
				      "VHDX, GPT, EFI System partition holding EFI/BOOT/BOOTX64.EFI: "
				      "a UKI on systemd's stub whose .initrd is the shipped initramfs "
				      "and .cmdline the target's; the checks below read its .linux");
	} else {
		r = certify_check_add(c, "disk image", "pass", "static",
				      "VHDX, MBR, FAT partition with SYSLINUX (ldlinux.sys, "
				      "syslinux.cfg APPENDing the target's command line), initrd.img "
				      "the shipped initramfs; the checks below read its bzImage");
	}
	kt_str_free(&why);
	return c->kernel ? r : -ENOMEM;
}

int certify_stage_disk(struct certify *c, struct kt_str *err)
{
	struct pipeline_disk_opts d = {
		.kind = c->t->disk, .kernel = c->kernel, .initrd = c->boot_image,
		.cmdline = c->t->cmdline, .name = c->t->name,
	};
	int r = tmp_path(c, "twin.vhdx", &c->twin);

	if (r < 0)
		return r;
	d.output = c->twin;
	kt_progress("certify: the twin of %s with the overlay in its initramfs", c->o->disk);
	return pipeline_disk_build(&d, err);
}

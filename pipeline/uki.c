// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Unified Kernel Image: systemd's EFI stub (Debian's systemd-boot-efi)
 * with the os-release, the command line, the kernel and the initramfs
 * added as PE sections (.osrel, .cmdline, .linux, .initrd) by objcopy,
 * each mapped after the stub's last section. The firmware loads one file;
 * the stub hands the kernel the command line and the initramfs. Debian 12
 * has no ukify (systemd 252), so this is what it would do.
 *
 * objcopy stamps a PE with the clock; the time stamp is reset to the
 * disk's epoch and the checksum redone, so the same inputs give the same
 * bytes. With a key and a certificate, sbsign signs the result.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pipeline/disk-internal.h"

#define UKI_STUB "/usr/lib/systemd/boot/efi/linuxx64.efi.stub"
#define PE32PLUS 0x20b

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

int pe_parse(const unsigned char *buf, size_t len, struct pe_image *pe, struct kt_str *err)
{
	size_t off, table;
	uint16_t optsize;

	memset(pe, 0, sizeof(*pe));
	if (len < 0x40 || buf[0] != 'M' || buf[1] != 'Z') {
		kt_str_printf(err, "offset 0: no MZ header: not a PE image");
		return -EINVAL;
	}
	off = le32(buf + 0x3c);
	if (off > len - 24 || memcmp(buf + off, "PE\0\0", 4)) {
		kt_str_printf(err, "offset 0x3c: no PE signature at 0x%zx", off);
		return -EINVAL;
	}
	pe->coff = off + 4;
	pe->opt = pe->coff + 20;
	pe->nsections = le16(buf + pe->coff + 2);
	optsize = le16(buf + pe->coff + 16);
	table = pe->opt + optsize;
	if (optsize < 96 || le16(buf + pe->opt) != PE32PLUS) {
		kt_str_printf(err, "offset 0x%zx: not a PE32+ optional header", pe->opt);
		return -EINVAL;
	}
	if (pe->nsections > KT_ARRAY_SIZE(pe->sections) || table + 40 * (size_t)pe->nsections > len) {
		kt_str_printf(err, "offset 0x%zx: %u sections do not fit", pe->coff + 2, pe->nsections);
		return -EINVAL;
	}
	pe->section_align = le32(buf + pe->opt + 32);
	for (unsigned i = 0; i < pe->nsections; i++) {
		const unsigned char *s = buf + table + 40 * i;
		struct pe_section *d = &pe->sections[i];

		memcpy(d->name, s, 8);
		d->name[8] = '\0';
		d->vsize = le32(s + 8);
		d->vaddr = le32(s + 12);
		d->raw_size = le32(s + 16);
		d->raw_off = le32(s + 20);
		if ((uint64_t)d->raw_off + d->raw_size > len) {
			kt_str_printf(err, "offset 0x%zx: section %s runs past the end", table + 40 * i,
				      d->name);
			return -EINVAL;
		}
	}
	return 0;
}

const struct pe_section *pe_section(const struct pe_image *pe, const char *name)
{
	for (unsigned i = 0; i < pe->nsections; i++)
		if (!strcmp(pe->sections[i].name, name))
			return &pe->sections[i];
	return NULL;
}

/* The PE checksum: 16-bit one's-complement-style sum, then the length. */
uint32_t pe_checksum(const unsigned char *buf, size_t len, const struct pe_image *pe)
{
	size_t field = pe->opt + 64;
	uint64_t sum = 0;

	for (size_t i = 0; i < len; i += 2) {
		uint32_t w = buf[i] | (i + 1 < len ? buf[i + 1] << 8 : 0);

		if (i == field || i == field + 2)
			w = 0;
		sum += w;
		sum = (sum & 0xffff) + (sum >> 16);
	}
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint32_t)(sum + len);
}

void pe_set_timestamp(unsigned char *buf, size_t len, const struct pe_image *pe, uint32_t t)
{
	put32(buf + pe->coff + 4, t);
	put32(buf + pe->opt + 64, pe_checksum(buf, len, pe));
}

/* The stub: $KTRIM_EFI_STUB, else Debian's. */
static const char *stub_path(void)
{
	const char *s = getenv("KTRIM_EFI_STUB");

	return s && *s ? s : UKI_STUB;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

/* "--add-section NAME=FILE --change-section-vma NAME=VMA", next VMA after it. */
static int add_section(struct kt_array *argv, const char *name, const char *file,
		       uint64_t *vma)
{
	struct kt_str s = KT_STR_INIT;
	struct stat st;
	int r;

	if (stat(file, &st) < 0)
		return -errno;
	r = kt_array_push_strdup(argv, "--add-section");
	kt_str_printf(&s, "%s=%s", name, file);
	if (r == 0 && !(r = kt_str_error(&s)))
		r = kt_array_push_strdup(argv, s.buf);
	if (r == 0)
		r = kt_array_push_strdup(argv, "--change-section-vma");
	kt_str_reset(&s);
	kt_str_printf(&s, "%s=0x%llx", name, (unsigned long long)*vma);
	if (r == 0 && !(r = kt_str_error(&s)))
		r = kt_array_push_strdup(argv, s.buf);
	*vma = align_up(*vma + (uint64_t)st.st_size, 4096);
	kt_str_free(&s);
	return r;
}

int pipeline_uki_build(const struct pipeline_uki_opts *o, struct kt_str *err)
{
	char *stub = NULL, *img = NULL;
	size_t ls = 0, li = 0;
	struct pe_image pe;
	struct kt_array argv = KT_ARRAY_INIT(char *);
	struct kt_str osrel = KT_STR_INIT, cmdline = KT_STR_INIT, text = KT_STR_INIT;
	struct kt_str unsigned_path = KT_STR_INIT;
	uint64_t vma = 0;
	int r;

	r = kt_read_file(stub_path(), &stub, &ls);
	if (r < 0) {
		kt_str_printf(err, "%s: %s (Debian: apt-get install systemd-boot-efi)", stub_path(),
			      strerror(-r));
		goto out;
	}
	r = pe_parse((unsigned char *)stub, ls, &pe, err);
	if (r < 0) {
		kt_str_printf(err, " (%s)", stub_path());
		goto out;
	}
	for (unsigned i = 0; i < pe.nsections; i++) {
		uint64_t end = (uint64_t)pe.sections[i].vaddr + pe.sections[i].vsize;

		vma = end > vma ? end : vma;
	}
	vma = align_up(vma, 4096);
	/* The stub reads both as text; the command line has no newline. */
	kt_str_printf(&osrel, "%s/osrel", o->workdir);
	kt_str_printf(&cmdline, "%s/cmdline", o->workdir);
	kt_str_printf(&text, "ID=ktrim\nNAME=\"ktrim\"\nPRETTY_NAME=\"ktrim %s\"\n", o->name);
	kt_str_printf(&unsigned_path, "%s/unsigned.efi", o->workdir);
	r = kt_str_error(&osrel) ?: kt_str_error(&cmdline) ?: kt_str_error(&unsigned_path);
	if (r == 0)
		r = kt_atomic_write_str(osrel.buf, 0644, &text);
	if (r == 0)
		r = kt_atomic_write_buf(cmdline.buf, 0644, o->cmdline, strlen(o->cmdline));
	if (r < 0) {
		kt_str_printf(err, "%s: %s", o->workdir, strerror(-r));
		goto out;
	}
	r = kt_array_push_strdup(&argv, "objcopy");
	if (r == 0)
		r = add_section(&argv, ".osrel", osrel.buf, &vma);
	if (r == 0)
		r = add_section(&argv, ".cmdline", cmdline.buf, &vma);
	if (r == 0)
		r = add_section(&argv, ".linux", o->kernel, &vma);
	if (r == 0)
		r = add_section(&argv, ".initrd", o->initrd, &vma);
	if (r == 0)
		r = kt_array_push_strdup(&argv, stub_path());
	if (r == 0)
		r = kt_array_push_strdup(&argv, unsigned_path.buf);
	if (r == 0)
		r = kt_array_push_ptr(&argv, NULL);
	if (r == 0 && (r = kt_run((const char *const *)argv.items, NULL, NULL)) != 0) {
		kt_str_printf(err, "objcopy could not make the UKI from %s (status %d)", stub_path(), r);
		r = r < 0 ? r : -EIO;
		goto out;
	}
	if (r < 0) {
		kt_str_printf(err, "%s: %s", o->kernel, strerror(-r));
		goto out;
	}
	r = kt_read_file(unsigned_path.buf, &img, &li);
	if (r == 0)
		r = pe_parse((unsigned char *)img, li, &pe, err);
	if (r < 0)
		goto out;
	pe_set_timestamp((unsigned char *)img, li, &pe, (uint32_t)disk_epoch());
	if (!o->sign_key) {
		r = kt_atomic_write_buf(o->output, 0644, img, li);
		if (r < 0)
			kt_str_printf(err, "%s: %s", o->output, strerror(-r));
		goto out;
	}
	r = kt_atomic_write_buf(unsigned_path.buf, 0644, img, li);
	if (r == 0) {
		const char *sb[] = { "sbsign", "--key", o->sign_key, "--cert", o->sign_cert,
				     "--output", o->output, unsigned_path.buf, NULL };

		r = kt_run(sb, NULL, NULL);
		if (r != 0)
			kt_str_printf(err, "sbsign --key %s --cert %s failed (status %d)",
				      o->sign_key, o->sign_cert, r);
		r = r < 0 ? r : r ? -EIO : 0;
	}
out:
	if (unsigned_path.buf)
		unlink(unsigned_path.buf);
	if (osrel.buf)
		unlink(osrel.buf);
	if (cmdline.buf)
		unlink(cmdline.buf);
	for (size_t i = 0; i < argv.len; i++)
		free(kt_array_ptr(&argv, i));
	kt_array_free(&argv);
	kt_str_free(&osrel);
	kt_str_free(&cmdline);
	kt_str_free(&text);
	kt_str_free(&unsigned_path);
	free(stub);
	free(img);
	return r;
}

int pipeline_uki_section(const void *uki, size_t len, const char *name, const void **data,
			 size_t *size, struct kt_str *err)
{
	struct pe_image pe;
	const struct pe_section *s;
	int r = pe_parse(uki, len, &pe, err);

	if (r < 0)
		return r;
	s = pe_section(&pe, name);
	if (!s) {
		kt_str_printf(err, "no %s section", name);
		return -ENOENT;
	}
	*data = (const unsigned char *)uki + s->raw_off;
	/* The raw size is padded to the file alignment; the virtual size is exact. */
	*size = s->vsize && s->vsize <= s->raw_size ? s->vsize : s->raw_size;
	return 0;
}

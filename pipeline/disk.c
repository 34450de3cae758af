// SPDX-License-Identifier: GPL-2.0-only
/*
 * The one owner of boot disks: what a Hyper-V VM boots with no other file.
 *
 *   uefi (generation 2): a GPT disk whose only partition is an EFI System
 *        partition (FAT32) holding the UKI as EFI/BOOT/BOOTX64.EFI, the
 *        path a UEFI firmware boots from removable or new media;
 *   bios (generation 1): an MBR with SYSLINUX's boot code, one active FAT32
 *        partition with ldlinux.sys (syslinux --install), syslinux.cfg,
 *        bzImage and initrd.img.
 *
 * Both are written as VHDX (qemu-img convert), the disk format Hyper-V
 * takes. The partition tables are written here; the FAT by mkfs.fat and
 * mtools, which honour SOURCE_DATE_EPOCH; every identifier (volume serial,
 * GPT GUIDs, MBR signature, VHDX GUIDs) derives from the content, so the
 * same kernel and initramfs give the same disk bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pipeline/disk-internal.h"

#define MIB (1024ULL * 1024)
#define SECTOR 512ULL
#define GPT_ENTRIES 128
#define GPT_ENTRY_SIZE 128
#define GPT_ENTRY_SECTORS (GPT_ENTRIES * GPT_ENTRY_SIZE / SECTOR)
#define SYSLINUX_MBR "/usr/lib/syslinux/mbr/mbr.bin"
#define FAT_EPOCH 315532800LL	/* 1980-01-01, the first time FAT can store */

/* EFI System partition type C12A7328-F81F-11D2-BA4B-00A0C93EC93B, on-disk order. */
static const unsigned char esp_type[16] = {
	0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11,
	0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b,
};

uint32_t disk_crc32(uint32_t poly, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint32_t crc = 0xffffffffu;

	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = crc & 1 ? (crc >> 1) ^ poly : crc >> 1;
	}
	return ~crc;
}

long long disk_epoch(void)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long long v;

	if (!s || !*s)
		return FAT_EPOCH;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < FAT_EPOCH || v > 0xffffffffLL) {
		kt_warn("SOURCE_DATE_EPOCH='%s' is not a time a FAT disk can store; using 1980-01-01",
			s);
		return FAT_EPOCH;
	}
	return v;
}

static void hex_bytes(const char *hex, unsigned char *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v = 0;

		sscanf(hex + 2 * i, "%2x", &v);
		out[i] = (unsigned char)v;
	}
}

void disk_guid(const char *hex, const char *what, unsigned char out[16])
{
	struct kt_sha256 c;
	char h[65] = { 0 };

	if (kt_sha256_init(&c) == 0) {
		kt_sha256_update(&c, hex, strlen(hex));
		kt_sha256_update(&c, "", 1);
		kt_sha256_update(&c, what, strlen(what));
		kt_sha256_final_hex(&c, h);
	}
	hex_bytes(h[0] ? h : hex, out, 16);
	out[7] = (unsigned char)((out[7] & 0x0f) | 0x40);	/* version 4 */
	out[8] = (unsigned char)((out[8] & 0x3f) | 0x80);	/* RFC 4122 variant */
}

static void put16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const unsigned char *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* An MBR partition entry addressed by LBA alone (CHS fields saturated). */
static void mbr_entry(unsigned char *e, bool active, unsigned char type, uint64_t lba,
		      uint64_t sectors)
{
	e[0] = active ? 0x80 : 0;
	e[1] = 0xfe, e[2] = 0xff, e[3] = 0xff;
	e[4] = type;
	e[5] = 0xfe, e[6] = 0xff, e[7] = 0xff;
	put32(e + 8, (uint32_t)lba);
	put32(e + 12, sectors > 0xffffffffULL ? 0xffffffffu : (uint32_t)sectors);
}

/* One GPT header (primary at LBA 1 or backup at the last LBA). */
static void gpt_header(unsigned char *h, uint64_t self, uint64_t other, uint64_t entries_lba,
		       uint64_t last_lba, const unsigned char guid[16], uint32_t entries_crc)
{
	memset(h, 0, SECTOR);
	memcpy(h, "EFI PART", 8);
	put32(h + 8, 0x00010000);
	put32(h + 12, 92);
	put64(h + 24, self);
	put64(h + 32, other);
	put64(h + 40, 2 + GPT_ENTRY_SECTORS);		/* first usable */
	put64(h + 48, last_lba - 1 - GPT_ENTRY_SECTORS);	/* last usable */
	memcpy(h + 56, guid, 16);
	put64(h + 72, entries_lba);
	put32(h + 80, GPT_ENTRIES);
	put32(h + 84, GPT_ENTRY_SIZE);
	put32(h + 88, entries_crc);
	put32(h + 16, disk_crc32(0xedb88320u, h, 92));
}

int disk_layout(const char *part, bool uefi, const unsigned char *mbr_code, uint64_t size,
		const char *output)
{
	char hex[65];
	unsigned char *disk = NULL;
	char *fat = NULL;
	size_t lf = 0;
	uint64_t lbas = size / SECTOR, start = MIB / SECTOR;
	int r;

	r = kt_sha256_file(part, hex);
	if (r == 0)
		r = kt_read_file(part, &fat, &lf);
	if (r < 0)
		goto out;
	if (size % MIB || lf % SECTOR || MIB + lf + MIB > size) {
		r = -EINVAL;
		goto out;
	}
	disk = calloc(1, size);
	if (!disk) {
		r = -ENOMEM;
		goto out;
	}
	memcpy(disk + MIB, fat, lf);
	if (uefi) {
		unsigned char guid[16], *e = disk + 2 * SECTOR;
		const char *name = "EFI System";
		uint32_t crc;

		/* The protective MBR covers the disk with one 0xEE partition. */
		mbr_entry(disk + 446, false, 0xee, 1, lbas - 1);
		memcpy(e, esp_type, 16);
		disk_guid(hex, "gpt-partition", guid);
		memcpy(e + 16, guid, 16);
		put64(e + 32, start);
		put64(e + 40, start + lf / SECTOR - 1);
		for (size_t i = 0; name[i]; i++)
			put16(e + 56 + 2 * i, (uint16_t)name[i]);
		crc = disk_crc32(0xedb88320u, e, GPT_ENTRIES * GPT_ENTRY_SIZE);
		memcpy(disk + (lbas - 1 - GPT_ENTRY_SECTORS) * SECTOR, e,
		       GPT_ENTRIES * GPT_ENTRY_SIZE);
		disk_guid(hex, "gpt-disk", guid);
		gpt_header(disk + SECTOR, 1, lbas - 1, 2, lbas - 1, guid, crc);
		gpt_header(disk + (lbas - 1) * SECTOR, lbas - 1, 1, lbas - 1 - GPT_ENTRY_SECTORS,
			   lbas - 1, guid, crc);
	} else {
		unsigned char sig[16];

		if (mbr_code)
			memcpy(disk, mbr_code, 440);
		disk_guid(hex, "mbr-signature", sig);
		memcpy(disk + 440, sig, 4);
		mbr_entry(disk + 446, true, 0x0c, start, lf / SECTOR);	/* FAT32, LBA */
	}
	disk[510] = 0x55;
	disk[511] = 0xaa;
	r = kt_atomic_write_buf(output, 0644, disk, size);
out:
	free(disk);
	free(fat);
	return r;
}

int disk_first_partition(const char *raw, bool *gpt, uint64_t *offset, struct kt_str *err)
{
	unsigned char b[3 * SECTOR];
	ssize_t n;
	int fd = open(raw, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = pread(fd, b, sizeof(b), 0);
	close(fd);
	if (n != (ssize_t)sizeof(b) || b[510] != 0x55 || b[511] != 0xaa) {
		kt_str_printf(err, "offset 510: no boot signature: no partition table");
		return -EINVAL;
	}
	*gpt = b[446 + 4] == 0xee && !memcmp(b + SECTOR, "EFI PART", 8);
	if (*gpt) {
		/* Entry 0 is in the sectors the header points to; here LBA 2. */
		if (get64(b + SECTOR + 72) != 2) {
			kt_str_printf(err, "offset 0x248: GPT entries not at LBA 2");
			return -EINVAL;
		}
		*offset = get64(b + 2 * SECTOR + 32) * SECTOR;
	} else {
		*offset = (uint64_t)get32(b + 446 + 8) * SECTOR;
	}
	if (!*offset) {
		kt_str_printf(err, "offset 446: the first partition is empty");
		return -EINVAL;
	}
	return 0;
}

/* ---- VHDX ------------------------------------------------------------------ */

#define VHDX_HEADER1 0x10000
#define VHDX_HEADER2 0x20000
#define VHDX_REGIONS 0x30000
#define VHDX_CRC32C 0x82f63b78u

/* Region and metadata item ids, on-disk order. */
static const unsigned char metadata_region[16] = {
	0x06, 0xa2, 0x7c, 0x8b, 0x90, 0x47, 0x9a, 0x4b,
	0xb8, 0xfe, 0x57, 0x5f, 0x05, 0x0f, 0x88, 0x6e,
};
static const unsigned char page83_item[16] = {
	0xab, 0x12, 0xca, 0xbe, 0xe6, 0xb2, 0x23, 0x45,
	0x93, 0xef, 0xc3, 0x09, 0xe0, 0x00, 0xc7, 0x46,
};

/* The virtual disk id (Page 83 data): where it is in the file, or 0. */
static uint64_t vhdx_page83(const unsigned char *v, size_t len)
{
	uint32_t n = get32(v + VHDX_REGIONS + 8);
	uint64_t meta = 0;

	for (uint32_t i = 0; i < n && i < 2047; i++) {
		const unsigned char *e = v + VHDX_REGIONS + 16 + 32 * i;

		if (!memcmp(e, metadata_region, 16))
			meta = get64(e + 16);
	}
	if (!meta || meta + 64 * 1024 > len || memcmp(v + meta, "metadata", 8))
		return 0;
	n = get32(v + meta + 8) >> 16;	/* reserved u16, then the entry count */
	for (uint32_t i = 0; i < n && i < 2047; i++) {
		const unsigned char *e = v + meta + 32 + 32 * i;

		if (!memcmp(e, page83_item, 16) && get32(e + 20) == 16 &&
		    meta + get32(e + 16) + 16 <= len)
			return meta + get32(e + 16);
	}
	return 0;
}

int disk_vhdx_normalise(const char *path, const char *hex, struct kt_str *err)
{
	static const unsigned char zero[16];
	unsigned char *v = NULL;
	size_t len = 0;
	uint64_t page83;
	bool newer;
	int r = kt_read_file(path, (char **)&v, &len);

	if (r < 0)
		return r;
	if (len < VHDX_REGIONS + 64 * 1024 || memcmp(v, "vhdxfile", 8)) {
		kt_str_printf(err, "%s:offset 0: not a VHDX file", path);
		r = -EINVAL;
		goto out;
	}
	/* Random sequence numbers too: 1 and 2, the current header still the higher. */
	newer = get64(v + VHDX_HEADER2 + 8) > get64(v + VHDX_HEADER1 + 8);
	for (size_t at = VHDX_HEADER1; at <= VHDX_HEADER2; at += VHDX_HEADER2 - VHDX_HEADER1) {
		unsigned char *h = v + at;
		uint64_t log_off = get64(h + 0x48);
		uint32_t log_len = get32(h + 0x44);

		if (memcmp(h, "head", 4) || memcmp(h + 0x30, zero, 16)) {
			kt_str_printf(err, "%s:offset 0x%zx: no VHDX header with an empty log", path, at);
			r = -EINVAL;
			goto out;
		}
		put64(h + 8, (at == VHDX_HEADER2) == newer ? 2 : 1);
		disk_guid(hex, "vhdx-file-write", h + 0x10);
		disk_guid(hex, "vhdx-data-write", h + 0x20);
		put32(h + 4, 0);
		put32(h + 4, disk_crc32(VHDX_CRC32C, h, 4096));
		/* The log GUID is zero: what the log holds is never replayed. */
		if (log_off + log_len <= len)
			memset(v + log_off, 0, log_len);
	}
	page83 = vhdx_page83(v, len);
	if (!page83) {
		kt_str_printf(err, "%s: no virtual disk id in the metadata region", path);
		r = -EINVAL;
		goto out;
	}
	disk_guid(hex, "vhdx-virtual-disk-id", v + page83);
	r = kt_atomic_write_buf(path, 0644, v, len);
out:
	free(v);
	return r;
}

/* ---- the tools ------------------------------------------------------------- */

static int drop_line(const char *line, size_t len, void *ctx)
{
	(void)line, (void)len, (void)ctx;
	return 0;
}

/* Run @argv with the disk's clock; on failure its output goes to @err. */
static int tool(const char *const *argv, struct kt_str *err)
{
	char epoch[48];
	const char *env[] = { epoch, "MTOOLS_SKIP_CHECK=1", "MTOOLSRC=/dev/null", NULL };
	struct kt_str out = KT_STR_INIT;
	struct kt_proc_opts o = {
		.argv = argv, .env = env, .out = &out, .out_max = 2000, .on_line = drop_line,
		.stdin_null = true, .timeout_s = 600,
	};
	struct kt_proc_result res;
	int r;

	snprintf(epoch, sizeof(epoch), "SOURCE_DATE_EPOCH=%lld", disk_epoch());
	r = kt_proc_run(&o, &res);
	if (r != 0) {
		kt_str_printf(err, "%s failed (%s): %s", argv[0],
			      r < 0 ? strerror(-r) : res.timed_out ? "timed out" : "non-zero exit",
			      out.len ? out.buf : "no output");
		r = r < 0 ? r : -EIO;
	}
	kt_str_free(&out);
	return r;
}

struct scratch {
	struct kt_str dir, uki, fat, raw, vhdx, cfg;
};

static void scratch_release(struct scratch *s)
{
	const struct kt_str *files[] = { &s->uki, &s->fat, &s->raw, &s->vhdx, &s->cfg };

	for (size_t i = 0; i < KT_ARRAY_SIZE(files); i++)
		if (files[i]->buf)
			unlink(files[i]->buf);
	if (s->dir.buf)
		rmdir(s->dir.buf);
	kt_str_free(&s->dir);
	kt_str_free(&s->uki);
	kt_str_free(&s->fat);
	kt_str_free(&s->raw);
	kt_str_free(&s->vhdx);
	kt_str_free(&s->cfg);
}

static int scratch_init(struct scratch *s)
{
	char tmpl[] = "/tmp/ktrim-disk.XXXXXX";

	memset(s, 0, sizeof(*s));
	if (!mkdtemp(tmpl))
		return -errno;
	kt_str_puts(&s->dir, tmpl);
	kt_str_printf(&s->uki, "%s/BOOTX64.EFI", tmpl);
	kt_str_printf(&s->fat, "%s/boot.fat", tmpl);
	kt_str_printf(&s->raw, "%s/disk.raw", tmpl);
	kt_str_printf(&s->vhdx, "%s/disk.vhdx", tmpl);
	kt_str_printf(&s->cfg, "%s/syslinux.cfg", tmpl);
	return kt_str_error(&s->dir) ?: kt_str_error(&s->uki) ?: kt_str_error(&s->fat) ?:
	       kt_str_error(&s->raw) ?: kt_str_error(&s->vhdx) ?: kt_str_error(&s->cfg);
}

static int64_t size_of(const char *path)
{
	struct stat st;

	return stat(path, &st) < 0 ? -errno : (int64_t)st.st_size;
}

/* mcopy @from to ::@to in @fat. */
static int fat_put(const char *fat, const char *from, const char *to, struct kt_str *err)
{
	char dest[256];
	const char *argv[] = { "mcopy", "-o", "-i", fat, from, dest, NULL };

	snprintf(dest, sizeof(dest), "::%s", to);
	return tool(argv, err);
}

/* An empty FAT32 of @mib MiB labelled KTRIM, its serial from @hex. */
static int fat_make(const char *fat, uint64_t mib, const char *hex, struct kt_str *err)
{
	char kb[32], serial[9];
	const char *argv[] = { "mkfs.fat", "-C", "-F", "32", "--invariant", "-i", serial,
			       "-n", "KTRIM", fat, kb, NULL };

	snprintf(kb, sizeof(kb), "%llu", (unsigned long long)(mib * 1024));
	snprintf(serial, sizeof(serial), "%.8s", hex);
	unlink(fat);
	return tool(argv, err);
}

static int write_syslinux_cfg(const char *path, const char *cmdline)
{
	struct kt_str s = KT_STR_INIT;
	int r;

	/* No prompt, no wait; the loader talks on COM1 like the kernel. */
	kt_str_printf(&s, "SERIAL 0 115200\nDEFAULT linux\nPROMPT 0\nTIMEOUT 0\n"
		      "LABEL linux\n  KERNEL /bzImage\n  INITRD /initrd.img\n  APPEND %s\n",
		      cmdline);
	r = kt_atomic_write_str(path, 0644, &s);
	kt_str_free(&s);
	return r;
}

int pipeline_disk_build(const struct pipeline_disk_opts *o, struct kt_str *err)
{
	struct scratch s;
	char hex[65];
	unsigned char mbr[440];
	int64_t payload;
	uint64_t fat_mib;
	int r = scratch_init(&s);

	if (r < 0) {
		kt_str_printf(err, "scratch folder: %s", strerror(-r));
		goto out;
	}
	if (o->kind == PIPELINE_DISK_UEFI) {
		struct pipeline_uki_opts u = {
			.kernel = o->kernel, .initrd = o->initrd, .cmdline = o->cmdline,
			.name = o->name, .sign_key = o->sign_key, .sign_cert = o->sign_cert,
			.workdir = s.dir.buf, .output = o->efi_output ? o->efi_output : s.uki.buf,
		};

		r = pipeline_uki_build(&u, err);
		if (r < 0)
			goto out;
		payload = size_of(u.output);
		r = payload < 0 ? (int)payload : kt_sha256_file(u.output, hex);
	} else {
		payload = size_of(o->kernel);
		if (payload >= 0 && size_of(o->initrd) >= 0)
			payload += size_of(o->initrd);
		r = payload < 0 ? (int)payload : kt_sha256_file(o->initrd, hex);
	}
	if (r < 0) {
		kt_str_printf(err, "%s: %s", o->kernel, strerror(-r));
		goto out;
	}
	/* FAT32 wants 65525 clusters at least: 64 MiB with 512-byte clusters. */
	fat_mib = ((uint64_t)payload * 11 / 10 + 4 * MIB) / MIB + 1;
	fat_mib = fat_mib < 64 ? 64 : fat_mib;
	r = fat_make(s.fat.buf, fat_mib, hex, err);
	if (r == 0 && o->kind == PIPELINE_DISK_UEFI) {
		const char *md[] = { "mmd", "-i", s.fat.buf, "::EFI", "::EFI/BOOT", NULL };

		r = tool(md, err);
		if (r == 0)
			r = fat_put(s.fat.buf, o->efi_output ? o->efi_output : s.uki.buf,
				    "EFI/BOOT/BOOTX64.EFI", err);
	} else if (r == 0) {
		const char *sl[] = { "syslinux", "--install", s.fat.buf, NULL };
		char *code = NULL;
		size_t lc = 0;

		r = write_syslinux_cfg(s.cfg.buf, o->cmdline);
		if (r == 0)
			r = tool(sl, err);
		if (r == 0)
			r = fat_put(s.fat.buf, s.cfg.buf, "syslinux.cfg", err);
		if (r == 0)
			r = fat_put(s.fat.buf, o->kernel, "bzImage", err);
		if (r == 0)
			r = fat_put(s.fat.buf, o->initrd, "initrd.img", err);
		if (r == 0 && (r = kt_read_file(SYSLINUX_MBR, &code, &lc)) < 0)
			kt_str_printf(err, "%s: %s (Debian: apt-get install syslinux-common)",
				      SYSLINUX_MBR, strerror(-r));
		else if (r == 0 && lc < sizeof(mbr))
			r = -EINVAL;
		if (r == -EINVAL)
			kt_str_printf(err, "%s: %zu bytes, not an MBR's 440", SYSLINUX_MBR, lc);
		else if (r == 0)
			memcpy(mbr, code, sizeof(mbr));
		free(code);
	}
	if (r == 0)
		r = disk_layout(s.fat.buf, o->kind == PIPELINE_DISK_UEFI,
				o->kind == PIPELINE_DISK_UEFI ? NULL : mbr,
				(fat_mib + 2) * MIB, s.raw.buf);
	if (r == 0) {
		/* 1 MiB blocks (VHDX's smallest): the sparse file stays small. */
		const char *cv[] = { "qemu-img", "convert", "-f", "raw", "-O", "vhdx", "-o",
				     "subformat=dynamic,block_size=1048576", s.raw.buf, s.vhdx.buf,
				     NULL };

		r = kt_sha256_file(s.raw.buf, hex);
		if (r == 0)
			r = tool(cv, err);
	}
	if (r == 0)
		r = disk_vhdx_normalise(s.vhdx.buf, hex, err);
	if (r == 0)
		r = kt_copy_file(s.vhdx.buf, o->output, 0644);
	if (r < 0 && !err->len)
		kt_str_printf(err, "%s: %s", o->output, strerror(-r));
out:
	scratch_release(&s);
	return r;
}

int pipeline_disk_read(const char *vhdx, const char *path, const char *output, bool *gpt,
		       struct kt_str *err)
{
	struct scratch s;
	uint64_t off = 0;
	char at[64], from[256];
	int r = scratch_init(&s);

	if (r < 0) {
		kt_str_printf(err, "scratch folder: %s", strerror(-r));
		goto out;
	}
	{
		const char *cv[] = { "qemu-img", "convert", "-O", "raw", vhdx, s.raw.buf, NULL };

		r = tool(cv, err);
	}
	if (r == 0)
		r = disk_first_partition(s.raw.buf, gpt, &off, err);
	if (r == 0) {
		const char *mc[] = { "mcopy", "-n", "-o", "-i", at, from, output, NULL };

		snprintf(at, sizeof(at), "%s@@%llu", s.raw.buf, (unsigned long long)off);
		snprintf(from, sizeof(from), "::%s", path);
		unlink(output);
		r = tool(mc, err);
	}
out:
	scratch_release(&s);
	return r;
}

static const char *const disk_names[] = {
	[PIPELINE_DISK_NONE] = "none",
	[PIPELINE_DISK_UEFI] = "uefi",
	[PIPELINE_DISK_BIOS] = "bios",
};

int pipeline_disk_parse(const char *name, enum pipeline_disk *out)
{
	for (size_t d = 0; d < KT_ARRAY_SIZE(disk_names); d++) {
		if (!strcmp(disk_names[d], name)) {
			*out = (enum pipeline_disk)d;
			return 0;
		}
	}
	return -EINVAL;
}

const char *pipeline_disk_name(enum pipeline_disk d)
{
	return disk_names[d];
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * disk-internal.h - private to pipeline/: the pieces of a boot disk
 * (uki.c: PE images and the Unified Kernel Image; disk.c: partition
 * tables, the FAT boot partition, VHDX), reached by the unit tests.
 */
#ifndef KTRIM_PIPELINE_DISK_INTERNAL_H
#define KTRIM_PIPELINE_DISK_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "pipeline/pipeline.h"

/* CRC-32 with the reflected polynomial @poly (GPT: 0xEDB88320, VHDX: 0x82F63B78). */
uint32_t disk_crc32(uint32_t poly, const void *buf, size_t len);

/* ---- PE/COFF (uki.c) ---------------------------------------------------------- */

struct pe_section {
	char name[9];
	uint32_t vaddr, vsize;		/* where it is mapped, its exact size */
	uint32_t raw_off, raw_size;	/* where its bytes are in the file */
};

struct pe_image {
	size_t coff;			/* offset of the COFF header ("PE\0\0" + 4) */
	size_t opt;			/* offset of the optional header */
	uint32_t section_align;
	unsigned nsections;
	struct pe_section sections[32];
};

/* Parse a PE32+ image's headers and sections; -EINVAL (with @err) when it is none. */
int pe_parse(const unsigned char *buf, size_t len, struct pe_image *pe, struct kt_str *err);
/* The section @name, or NULL. */
const struct pe_section *pe_section(const struct pe_image *pe, const char *name);
/* The PE checksum of @buf, its checksum field counted as zero. */
uint32_t pe_checksum(const unsigned char *buf, size_t len, const struct pe_image *pe);
/* Set the COFF time stamp and the checksum to match (objcopy writes the clock). */
void pe_set_timestamp(unsigned char *buf, size_t len, const struct pe_image *pe, uint32_t t);

/* ---- the disk (disk.c) -------------------------------------------------------- */

/*
 * The disk's clock: SOURCE_DATE_EPOCH, else 1980-01-01 (FAT's epoch): no
 * build time goes into a disk.
 */
long long disk_epoch(void);
/*
 * 16 bytes derived from @hex (a sha256) and @what, as an RFC 4122 version 4
 * GUID in its on-disk (mixed-endian) order: fixed by the content, distinct per use.
 */
void disk_guid(const char *hex, const char *what, unsigned char out[16]);
/*
 * A whole raw disk of @size bytes (a MiB multiple) holding @part (a FAT
 * image) as its only partition from 1 MiB: GPT with an EFI System partition
 * (@uefi) or an MBR with @mbr_code (440 bytes, NULL: zeros) and one active
 * FAT32 partition. Identifiers derive from @part's sha256.
 */
int disk_layout(const char *part, bool uefi, const unsigned char *mbr_code,
		uint64_t size, const char *output);
/*
 * Replace the random identifiers qemu-img writes into a VHDX (the headers'
 * file and data write GUIDs, the virtual disk id, the stale log) with ones
 * derived from @hex, checksums redone. -EINVAL when @path is no VHDX or its
 * log is not empty.
 */
int disk_vhdx_normalise(const char *path, const char *hex, struct kt_str *err);
/* Where the first partition starts, in bytes, from a raw disk's GPT or MBR. */
int disk_first_partition(const char *raw, bool *gpt, uint64_t *offset, struct kt_str *err);

#endif

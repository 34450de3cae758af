/* SPDX-License-Identifier: GPL-2.0-only */
/* initramfs/internal.h - private to the initramfs library. */
#ifndef KTRIM_INITRAMFS_INTERNAL_H
#define KTRIM_INITRAMFS_INTERNAL_H

#include "initramfs/initramfs.h"

/* newc header: magic + 13 eight-digit hex fields. */
#define NEWC_MAGIC "070701"
#define NEWC_MAGIC_CRC "070702"
#define NEWC_HDR_LEN 110
#define NEWC_TRAILER "TRAILER!!!"

enum ar_kind {
	AR_DIR,
	AR_FILE_HOST,
	AR_FILE_DATA,
	AR_SYMLINK,
	AR_NODE,
	AR_HARDLINK,
};

struct ar_entry {
	char *path;		/* normalised, relative */
	enum ar_kind kind;
	uint32_t mode;		/* type + permission bits */
	uint32_t rdev_major, rdev_minor;
	char *host_path;	/* AR_FILE_HOST */
	void *data;		/* AR_FILE_DATA content, AR_SYMLINK target */
	uint64_t size;		/* file size (host size at add time) */
	struct ar_entry *group;	/* hard-link group leader (self for files) */
	/* filled by archive_layout() */
	uint32_t ino;
	uint32_t nlink;
	struct ar_entry *data_holder;	/* group member written with data */
};

struct initramfs_archive {
	struct kt_map *by_path;		/* path -> struct ar_entry * (owned) */
	struct kt_array entries;	/* struct ar_entry *, insertion order */
	int64_t mtime;
	bool keep_setuid;		/* initramfs_archive_keep_setuid() */
};

/*
 * A regular file's permission bits @perm for an image that owns it by
 * root, where the host has it owned by @uid:@gid: setuid/setgid of a
 * non-root owner are cleared with a warning (initramfs_archive_add_tree).
 */
mode_t ar_file_perm(const struct initramfs_archive *a, const char *apath,
		    mode_t perm, unsigned long uid, unsigned long gid);
/* initramfs_archive_add_file() with @mode -1 for the host's (ar_file_perm). */
int ar_add_file(struct initramfs_archive *a, const char *path,
		const char *host_path, int mode, struct kt_str *err);

/* Append a message to @err (which may be NULL) and return @r. */
int ar_fail(struct kt_str *err, int r, const char *fmt, ...) KT_PRINTF(3, 4);

/*
 * Normalise an archive path: strip leading '/', collapse "//" and "./";
 * reject "..", empty results and over-long paths. *out is malloc'd.
 */
int ar_path_normalize(const char *in, char **out, struct kt_str *err);
/* Whether a relative symlink target at @link_path stays inside the root. */
bool ar_symlink_inside(const char *link_path, const char *target);

/*
 * Sort the entries and assign inode numbers, link counts and the member of
 * each hard-link group that carries the data. Returns the sorted pointer
 * array (caller frees the array, not the entries) in *sorted.
 */
int ar_layout(const struct initramfs_archive *a, struct ar_entry ***sorted,
	      size_t *n);

/* A byte sink: plain file or zstd stream. */
struct ar_sink {
	int (*write)(struct ar_sink *s, const void *buf, size_t len);
	uint64_t written;	/* uncompressed bytes accepted */
};

/* Emit one newc archive (entries + trailer) into @sink. */
int ar_emit(const struct initramfs_archive *a, struct ar_sink *sink,
	    struct kt_str *err);
/* Exact byte length ar_emit() will produce (for zstd's pledged size). */
int ar_emit_size(const struct initramfs_archive *a, uint64_t *size);

/* zstd helpers (compress.c). */
struct ar_zstd_sink;
int ar_zstd_sink_new(const struct initramfs_write_opts *o, FILE *f,
		     uint64_t pledged, struct ar_zstd_sink **out,
		     struct kt_str *err);
struct ar_sink *ar_zstd_sink_base(struct ar_zstd_sink *z);
int ar_zstd_sink_finish(struct ar_zstd_sink *z, struct kt_str *err);
void ar_zstd_sink_free(struct ar_zstd_sink *z);
/*
 * Decompress every consecutive zstd frame at @buf; *used = input bytes.
 * More than @max bytes of output (0: INITRAMFS_READ_MAX_DEFAULT) is
 * -EFBIG: a small frame can expand a thousandfold and more.
 */
int ar_zstd_decompress(const void *buf, size_t len, uint64_t max,
		       struct kt_str *out, size_t *used, struct kt_str *err);

#endif

// SPDX-License-Identifier: GPL-2.0-only
/*
 * One module file: its bytes (decompressed when it is .ko.xz/.ko.zst) and
 * the vermagic in its .modinfo section. Checking vermagic at pack time
 * turns a guest-side "disagrees about version of symbol" boot failure into
 * a host-side error naming the file.
 */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>

#include "initramfs/internal.h"

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

int initramfs_module_read(const char *path, void **buf, size_t *len,
			  struct kt_str *err)
{
	struct kt_str out = KT_STR_INIT;
	char *raw = NULL;
	size_t rawlen = 0, used = 0;
	int r;

	if (ends_with(path, ".ko.xz")) {
		/* xz-utils is essential on Debian; liblzma is not linked. */
		const char *argv[] = { "xz", "-dc", "--", path, NULL };

		r = kt_run(argv, &out, NULL);
		if (r != 0) {
			r = ar_fail(err, r < 0 ? r : -EIO, "%s: xz -dc failed "
				    "(%d)", path, r);
			goto out;
		}
	} else if (ends_with(path, ".ko.zst")) {
		r = kt_read_file(path, &raw, &rawlen);
		if (r < 0) {
			r = ar_fail(err, r, "%s: %s", path, strerror(-r));
			goto out;
		}
		r = ar_zstd_decompress(raw, rawlen, 0, &out, &used, err);
		if (r < 0 || used != rawlen) {
			r = ar_fail(err, r < 0 ? r : -EINVAL, "%s: not a "
				    "clean zstd file", path);
			goto out;
		}
	} else if (ends_with(path, ".ko")) {
		r = kt_read_file(path, &raw, &rawlen);
		if (r < 0) {
			r = ar_fail(err, r, "%s: %s", path, strerror(-r));
			goto out;
		}
		*buf = raw;
		*len = rawlen;
		raw = NULL;
		goto out;
	} else {
		r = ar_fail(err, -EINVAL, "%s: not a .ko, .ko.xz or .ko.zst "
			    "file", path);
		goto out;
	}
	*len = out.len;
	*buf = kt_str_steal(&out);
	if (!*buf)
		r = -ENOMEM;
out:
	free(raw);
	kt_str_free(&out);
	return r;
}

/* The value of key "vermagic" in .modinfo; NULL when absent. */
static const char *find_vermagic(Elf *elf)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		const char *name, *p, *end;

		if (!gelf_getshdr(scn, &sh))
			return NULL;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name || strcmp(name, ".modinfo") != 0)
			continue;
		d = elf_getdata(scn, NULL);
		if (!d || !d->d_buf)
			return NULL;
		p = d->d_buf;
		end = p + d->d_size;
		/* NUL-separated key=value strings, possibly padded. */
		while (p < end) {
			size_t n = strnlen(p, (size_t)(end - p));

			if (n == (size_t)(end - p))
				break;
			if (strncmp(p, "vermagic=", 9) == 0)
				return p + 9;
			p += n + 1;
		}
		return NULL;
	}
	return NULL;
}

int initramfs_module_check_vermagic(const char *path, const char *release,
				    struct kt_str *err)
{
	void *buf = NULL;
	size_t len = 0, rl = strlen(release);
	const char *vm;
	Elf *elf = NULL;
	int r;

	r = initramfs_module_read(path, &buf, &len, err);
	if (r < 0)
		return r;
	if (elf_version(EV_CURRENT) == EV_NONE) {
		r = ar_fail(err, -EINVAL, "libelf: %s", elf_errmsg(-1));
		goto out;
	}
	elf = elf_memory(buf, len);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		r = ar_fail(err, -EINVAL, "%s: not an ELF module", path);
		goto out;
	}
	vm = find_vermagic(elf);
	if (!vm) {
		r = ar_fail(err, -EINVAL, "%s: no vermagic in .modinfo", path);
		goto out;
	}
	if (strncmp(vm, release, rl) != 0 || (vm[rl] != ' ' && vm[rl])) {
		r = ar_fail(err, -EKEYREJECTED, "%s: vermagic '%s' does not "
			    "match kernel release %s", path, vm, release);
		goto out;
	}
out:
	if (elf)
		elf_end(elf);
	free(buf);
	return r;
}

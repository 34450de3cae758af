// SPDX-License-Identifier: GPL-2.0-only
/* Certification's static checks: read from the files, never booted. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pipeline/certify-internal.h"

/* Xen's ELF note type for the 32-bit PVH entry point. */
#define PVH_NOTE_TYPE 18

int certify_config_load(struct certify *c)
{
	char *text = NULL, *line, *save = NULL;
	int r;

	c->config = kt_map_new(free);
	if (!c->config)
		return -ENOMEM;
	r = kt_read_file(c->config_path, &text, NULL);
	if (r < 0)
		return r;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq;

		if (strncmp(line, "CONFIG_", 7) != 0 || !(eq = strchr(line, '=')))
			continue;
		*eq = '\0';
		if (!strcmp(eq + 1, "y"))
			c->opt_y++;
		else if (!strcmp(eq + 1, "m"))
			c->opt_m++;
		r = kt_map_set(c->config, line + 7, strdup(eq + 1));
		if (r < 0)
			break;
	}
	free(text);
	return r;
}

int certify_config_binding(struct certify *c)
{
	char want[PIPELINE_ID_LEN], have[PIPELINE_ID_LEN];
	int r;

	if (!c->config)
		return 0;	/* nothing to bind: the option checks say not-run */
	r = pipeline_config_identity(c->config_path, want);
	if (r < 0)
		return r;
	r = pipeline_kernel_identity(certify_kernel(c), c->t->format, have);
	if (r == -ENOENT) {
		c->config_unbound = true;
		return certify_check_add(c, "config binding", "not-run", "not-run",
					 "the kernel names no configuration (not built by ktrim); "
					 "%s may not be its own", c->config_path);
	}
	if (r < 0)
		return certify_check_add(c, "config binding", "fail", "static",
					 "cannot read %s: %s", certify_kernel(c), strerror(-r));
	if (strcmp(want, have)) {
		kt_err("certify: %s was built from configuration %s, not from %s (%s)",
		       certify_kernel(c), have, c->config_path, want);
		return -EINVAL;
	}
	return certify_check_add(c, "config binding", "pass", "static",
				 "the kernel's banner names %s, the sha256 of %s", have,
				 c->config_path);
}

/* Options the target needs built in (its recipes' boot: check lists). */
int certify_required_options(struct certify *c)
{
	int r = 0;

	for (size_t i = 0; i < c->t->checks.len && r == 0; i++) {
		const char *name = kt_array_ptr(&c->t->checks, i);
		const char *val = c->config ? kt_map_get(c->config, name + 7) : NULL;
		struct kt_str check = KT_STR_INIT;

		kt_str_printf(&check, "option %s", name);
		if (kt_str_error(&check))
			r = -ENOMEM;
		else if (!c->config)
			r = certify_check_add(c, check.buf, "not-run", "not-run", "no .config to read");
		else if (c->config_unbound)
			r = certify_check_add(c, check.buf, "not-run", "not-run",
					      "%s in a .config the kernel is not bound to",
					      val ? val : "not set");
		else if (val && !strcmp(val, "y"))
			r = certify_check_add(c, check.buf, "pass", "static", "=y (built in)");
		else
			r = certify_check_add(c, check.buf, "fail", "static",
				      "%s, the target needs it built in",
				      val ? (!strcmp(val, "m") ? "=m" : val) : "not set");
		kt_str_free(&check);
	}
	return r;
}

static bool file_has_pvh_note(const char *path, struct kt_str *why)
{
	Elf *elf = NULL;
	bool found = false;
	size_t nphdr = 0;
	int fd;

	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		kt_str_printf(why, "cannot open: %s", strerror(errno));
		return false;
	}
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || elf_getphdrnum(elf, &nphdr) != 0) {
		kt_str_puts(why, "not an ELF file");
		goto out;
	}
	for (size_t i = 0; i < nphdr && !found; i++) {
		GElf_Phdr ph;
		Elf_Data *data;
		GElf_Nhdr nh;
		size_t off = 0, name_off, desc_off;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_NOTE)
			continue;
		data = elf_getdata_rawchunk(elf, (int64_t)ph.p_offset, ph.p_filesz,
					    ELF_T_NHDR);
		while (data && (off = gelf_getnote(data, off, &nh, &name_off,
						   &desc_off)) > 0) {
			const char *name = (const char *)data->d_buf + name_off;

			if (nh.n_type == PVH_NOTE_TYPE && nh.n_namesz == 4 &&
			    !memcmp(name, "Xen", 4)) {
				found = true;
				break;
			}
		}
	}
	if (!found)
		kt_str_puts(why, "ELF, but no PVH entry note (CONFIG_PVH off?)");
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return found;
}

/* LCOW ships vmlinux beside the kernel for hcsshim's KernelDirect boot. */
static int lcow_vmlinux_check(struct certify *c)
{
	struct kt_str path = KT_STR_INIT, why = KT_STR_INIT;
	const char *slash = strrchr(c->o->kernel, '/');
	bool pvh;
	int r;

	if (slash)
		kt_str_printf(&path, "%.*s/vmlinux", (int)(slash - c->o->kernel), c->o->kernel);
	else
		kt_str_puts(&path, "vmlinux");
	r = kt_str_error(&path);
	if (r < 0)
		return r;
	pvh = file_has_pvh_note(path.buf, &why);
	r = certify_check_add(c, "vmlinux format", pvh ? "pass" : "fail", "static",
			      pvh ? "%s: ELF with a PVH entry note" : "%s: %s", path.buf,
			      kt_str_cstr(&why));
	kt_str_free(&path);
	kt_str_free(&why);
	return r;
}

/* The boot protocol header ("HdrS") and, for EFI, the PE/COFF signature. */
static int read_head(const char *path, unsigned char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len);
	close(fd);
	return n < 0 ? -errno : (int)n;
}

static uint64_t le64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/*
 * arm64's Image header (Documentation/arm64/booting.rst): "ARM\x64" at
 * 0x38, the image size at 0x10 (0 only before 3.17: no load size known),
 * flags at 0x18 (bit 0 big-endian, bits 1-2 the page size). With the EFI
 * stub the same file starts "MZ" and is a PE/COFF application too.
 */
static int arm64_image_check(struct certify *c, const unsigned char *h, size_t n, bool pe)
{
	static const char *const page_sizes[] = { "unspecified", "4K", "16K", "64K" };
	bool magic = n >= 0x40 && !memcmp(h + 0x38, "ARM\x64", 4);
	uint64_t size = magic ? le64(h + 0x10) : 0, flags = magic ? le64(h + 0x18) : 0;
	bool ok = magic && size && !(flags & 1);

	if (!magic)
		return certify_check_add(c, "kernel format", "fail", "static",
					 "arm64 Image header missing (no ARM\\x64 magic at 0x38)");
	return certify_check_add(c, "kernel format", ok ? "pass" : "fail", "static",
				 "arm64 Image header: %s, %s pages, image size %llu bytes, "
				 "PE/COFF (EFI stub) %s",
				 flags & 1 ? "big-endian" : "little-endian",
				 page_sizes[(flags >> 1) & 3], (unsigned long long)size,
				 pe ? "present" : "absent");
}

int certify_kernel_format(struct certify *c)
{
	unsigned char h[1024];
	struct kt_str why = KT_STR_INIT;
	bool bz, pe;
	int n, r;

	n = read_head(certify_kernel(c), h, sizeof(h));
	if (n < 0)
		return certify_check_add(c, "kernel format", "fail", "static",
				 "cannot read %s: %s", certify_kernel(c), strerror(-n));
	bz = n > 0x206 && !memcmp(h + 0x202, "HdrS", 4) && h[0x1fe] == 0x55 &&
	     h[0x1ff] == 0xaa;
	pe = n >= 0x40 && h[0] == 'M' && h[1] == 'Z';
	if (pe) {
		uint32_t off = (uint32_t)h[0x3c] | (uint32_t)h[0x3d] << 8 |
			       (uint32_t)h[0x3e] << 16 | (uint32_t)h[0x3f] << 24;

		pe = off + 4 <= (uint32_t)n && !memcmp(h + off, "PE\0\0", 4);
	}
	if (c->t->format == PIPELINE_FORMAT_VMLINUX) {
		bool pvh = file_has_pvh_note(certify_kernel(c), &why);

		r = certify_check_add(c, "kernel format", pvh ? "pass" : "fail", "static",
			      pvh ? "ELF vmlinux with a PVH entry note" : "%s",
			      kt_str_cstr(&why));
	} else if (c->t->format == PIPELINE_FORMAT_IMAGE) {
		r = arm64_image_check(c, h, (size_t)n, pe);
	} else if (c->t->format == PIPELINE_FORMAT_EFI || c->t->format == PIPELINE_FORMAT_LCOW) {
		r = certify_check_add(c, "kernel format", bz && pe ? "pass" : "fail", "static",
			      "bzImage header %s, PE/COFF (EFI stub) %s",
			      bz ? "present" : "missing", pe ? "present" : "missing");
	} else {
		r = certify_check_add(c, "kernel format", bz ? "pass" : "fail", "static",
			      "bzImage boot header %s", bz ? "present" : "missing");
	}
	if (r == 0 && c->t->format == PIPELINE_FORMAT_LCOW)
		r = lcow_vmlinux_check(c);
	kt_str_free(&why);
	return r;
}

struct image_scan {
	unsigned entries;
	bool init_ok;
	bool has_spec;
	bool has_smoke;
	/*
	 * A user's tree may have /init as a link ("init -> bin/busybox"): the
	 * archive path it names, checked in a second pass (one hop).
	 */
	char *init_link;
	const char *want;	/* second pass: that path */
	char *seccomp;		/* the spec's "seccomp HEX" value, or NULL */
};

static int scan_entry(const struct initramfs_entry *e, void *ctx)
{
	struct image_scan *s = ctx;

	if (s->want) {
		if (!strcmp(e->path, s->want) && S_ISREG(e->mode) && (e->mode & 0111))
			s->init_ok = true;
		return 0;
	}
	s->entries++;
	if (!strcmp(e->path, "init") && S_ISREG(e->mode) && (e->mode & 0111))
		s->init_ok = true;
	if (!strcmp(e->path, "init") && S_ISLNK(e->mode) && e->link_target && !s->init_link)
		s->init_link = strdup(e->link_target + strspn(e->link_target, "/"));
	if (!strcmp(e->path, INITRAMFS_SPEC_PATH) && S_ISREG(e->mode)) {
		const char *p = e->data, *end = p + e->size;

		s->has_spec = true;
		/* The filter that ships: the "seccomp" directive (the overlay cannot add one). */
		for (const char *l = p; l && l < end && !s->seccomp;) {
			const char *nl = memchr(l, '\n', (size_t)(end - l)), *eol = nl ? nl : end;

			if (eol - l > 8 && !memcmp(l, "seccomp ", 8))
				s->seccomp = strndup(l + 8, (size_t)(eol - l - 8));
			l = nl ? nl + 1 : NULL;
		}
		/* A smoke test is any "smoke-arg" directive at a line start. */
		for (; p && p < end; p++) {
			if ((p == e->data || p[-1] == '\n') &&
			    (size_t)(end - p) > 10 && !memcmp(p, "smoke-arg ", 10)) {
				s->has_smoke = true;
				break;
			}
		}
	}
	return 0;
}

/* The spec's filter @hex, decoded, hashed and read back (certificate.c prints it). */
static void seccomp_read(struct certify *c, const char *hex)
{
	struct guest_bpf_insn *prog = calloc(INITRAMFS_SPEC_MAX_SECCOMP, sizeof(*prog));
	struct kt_sha256 h;
	int n = prog ? guest_seccomp_decode(hex, prog, INITRAMFS_SPEC_MAX_SECCOMP) : -1;

	c->seccomp.present = true;
	if (n > 0 && kt_sha256_init(&h) == 0) {
		c->seccomp.instructions = (unsigned)n;
		/* the bytes seccomp(2) gets: struct sock_filter[] */
		kt_sha256_update(&h, prog, (size_t)n * sizeof(*prog));
		if (kt_sha256_final_hex(&h, c->seccomp.sha256))
			c->seccomp.sha256[0] = '\0';
		c->seccomp.known = initramfs_seccomp_describe(prog, (size_t)n,
							     &c->seccomp.info) == 0;
	}
	free(prog);
}

int certify_initramfs(struct certify *c)
{
	struct image_scan s = { 0 };
	struct kt_str err = KT_STR_INIT;
	int r;

	if (!c->o->initramfs)
		return certify_check_add(c, "initramfs", "not-run", "not-run",
				 "no --initramfs given");
	r = initramfs_read_file(c->o->initramfs, scan_entry, &s, &err);
	if (r < 0) {
		r = certify_check_add(c, "initramfs", "fail", "static", "%s", kt_str_cstr(&err));
		kt_str_free(&err);
		return r;
	}
	c->initramfs_entries = s.entries;
	c->has_smoke = s.has_smoke;
	c->seccomp.spec = s.has_spec;
	if (s.seccomp)
		seccomp_read(c, s.seccomp);
	if (s.init_link) {
		s.want = s.init_link;
		if (initramfs_read_file(c->o->initramfs, scan_entry, &s, NULL) < 0)
			s.init_ok = false;
		kt_str_printf(&err, "a link to /%s, %s", s.init_link,
			      s.init_ok ? "an executable file" : "no executable file of the image");
	}
	if ((r = kt_str_error(&err)) < 0)
		goto out;
	r = certify_check_add(c, "initramfs", s.init_ok ? "pass" : "fail", "static",
			 "%u entries, /init %s%s, container spec %s, smoke test %s",
			 s.entries, err.len ? err.buf : s.init_ok ? "executable" : "missing",
			 c->external ? " (the project's own init)" : "",
			 s.has_spec ? "present" : "absent",
			 s.has_smoke ? "present" : "absent");
out:
	kt_str_free(&err);
	free(s.init_link);
	free(s.seccomp);
	return r;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The feature map cache: one text file per (tree, arch) under the ktrim
 * cache directory. It lists every directory, Makefile and header the scan
 * read with its mtime and size; the cache is valid while none of them
 * changed. Directories change when files are added, removed or replaced
 * (editors and patch write new files), so new or deleted sources are seen;
 * an in-place edit of a .c file is not: `--rescan` covers that.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kconfig-trim/trim-internal.h"

static uint64_t fnv64(const char *s, uint64_t h)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

int kconf_featmap_cache_path(const char *cache_dir, const char *ksrc_real,
			     const char *srcarch, struct kt_str *path)
{
	uint64_t h = fnv64(srcarch, fnv64(ksrc_real, 14695981039346656037ull));
	char *dir = cache_dir ? NULL : kt_cache_dir();
	int r;

	if (!cache_dir && !dir)
		return -ENOMEM;
	kt_str_reset(path);
	r = kt_str_printf(path, "%s/featmap-%016llx.txt", cache_dir ? cache_dir : dir,
			  (unsigned long long)h);
	free(dir);
	return r;
}

struct save_ctx {
	const struct kconf_featmap *m;
	const char *ksrc;
	const struct kt_array *stamps;
};

static void save_feat(const struct kconf_feat *f, void *p)
{
	FILE *o = p;

	fprintf(o, "F\t%s\t%s\t%s\t%zu", kconf_feat_kind_name(f->kind), f->name,
		f->where, f->nlinks);
	for (size_t i = 0; i < f->nlinks; i++)
		fprintf(o, "\t%s\t%s", f->links[i].sym, f->links[i].where);
	fputc('\n', o);
}

static void save_alias(const char *alias, const char *canon, void *p)
{
	fprintf((FILE *)p, "A\t%s\t%s\n", alias, canon);
}

static int stamp_of(const char *ksrc, const char *rel, struct stat *st)
{
	struct kt_str p = KT_STR_INIT;
	int r;

	r = kt_str_printf(&p, "%s/%s", ksrc, rel);
	if (r == 0)
		r = stat(kt_str_cstr(&p), st) == 0 ? 0 : -errno;
	kt_str_free(&p);
	return r;
}

static int save_fill(FILE *o, void *p)
{
	struct save_ctx *c = p;

	fprintf(o, "ktrim-featmap\t%d\ntree\t%s\narch\t%s\n", KCONF_FEATMAP_VERSION,
		c->ksrc, kconf_featmap_srcarch(c->m));
	for (size_t i = 0; i < c->stamps->len; i++) {
		const char *rel = kt_array_ptr(c->stamps, i);
		struct stat st;
		int r = stamp_of(c->ksrc, rel, &st);

		/* a stamp left out would hide that file's changes for good */
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			continue;
		fprintf(o, "S\t%lld\t%ld\t%lld\t%s\n", (long long)st.st_mtim.tv_sec,
			st.st_mtim.tv_nsec, (long long)st.st_size, rel);
	}
	kconf_featmap_walk(c->m, save_feat, save_alias, o);
	return ferror(o) ? -EIO : 0;
}

int kconf_featmap_cache_save(const struct kconf_featmap *m, const char *path,
			     const char *ksrc, const struct kt_array *stamps)
{
	struct save_ctx c = { .m = m, .ksrc = ksrc, .stamps = stamps };
	char *dir = strdup(path);
	char *slash = dir ? strrchr(dir, '/') : NULL;
	int r;

	if (!dir)
		return -ENOMEM;
	if (slash) {
		*slash = '\0';
		r = kt_mkdir_p(dir, 0755);
		if (r < 0)
			goto out;
	}
	r = kt_atomic_write(path, 0644, save_fill, &c);
out:
	free(dir);
	return r;
}

/* Split @line at tabs into at most @max fields; returns the count. */
static size_t split_tabs(char *line, char **f, size_t max)
{
	size_t n = 0;

	while (n < max) {
		f[n++] = line;
		line = strchr(line, '\t');
		if (!line)
			break;
		*line++ = '\0';
	}
	return n;
}

int kconf_featmap_cache_load(const char *path, const char *ksrc,
			     struct kconf_featmap **out)
{
	struct kconf_featmap *m = NULL;
	struct kconf_chain ch = { 0 };
	char *buf = NULL, *save = NULL;
	char *f[3 + 2 * 64 + 2];
	size_t len;
	int lineno = 0;
	int r;

	*out = NULL;
	r = kt_read_file(path, &buf, &len);
	if (r < 0)
		return r;
	for (char *line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		size_t n = split_tabs(line, f, KT_ARRAY_SIZE(f));

		lineno++;
		if (lineno == 1) {
			if (n != 2 || strcmp(f[0], "ktrim-featmap") ||
			    atoi(f[1]) != KCONF_FEATMAP_VERSION)
				goto stale;
		} else if (lineno == 2) {
			if (n != 2 || strcmp(f[1], ksrc))
				goto stale;
		} else if (lineno == 3) {
			m = kconf_featmap_new(n == 2 ? f[1] : "?");
			if (!m) {
				r = -ENOMEM;
				goto out;
			}
			/* the map keeps the buffer; features point into it */
			kconf_featmap_adopt(m, buf);
			buf = NULL;
		} else if (f[0][0] == 'S' && n == 5) {
			struct stat st;

			r = stamp_of(ksrc, f[4], &st);
			if (r == -ENOMEM)
				goto out;
			if (r < 0 ||
			    st.st_mtim.tv_sec != atoll(f[1]) ||
			    st.st_mtim.tv_nsec != atol(f[2]) ||
			    st.st_size != atoll(f[3]))
				goto stale;
		} else if (f[0][0] == 'A' && n == 3 && m) {
			r = kconf_featmap_add_alias(m, f[1], f[2]);
			if (r < 0)
				goto out;
		} else if (f[0][0] == 'F' && n >= 5 && m) {
			enum kconf_feat_kind kind;
			size_t nl = (size_t)atoi(f[4]);

			if (kconf_feat_kind_parse(f[1], &kind) < 0 || n != 5 + 2 * nl)
				goto stale;
			ch.n = 0;
			for (size_t i = 0; i < nl; i++) {
				r = kconf_chain_push(&ch, f[5 + 2 * i], f[6 + 2 * i]);
				if (r < 0)
					goto out;
			}
			r = kconf_featmap_add(m, kind, f[2], f[3], &ch);
			if (r < 0)
				goto out;
		} else {
			goto stale;
		}
	}
	if (!m)
		goto stale;
	*out = m;
	m = NULL;
	r = 0;
	goto out;
stale:
	r = -ESTALE;
out:
	kconf_chain_release(&ch);
	kconf_featmap_free(m);
	free(buf);
	return r;
}

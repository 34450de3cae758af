// SPDX-License-Identifier: GPL-2.0-only
/*
 * Module closure against Debian's real module tree (the kernel cache of
 * ci/kernel-cache.sh, or $KMODDIR). Expectations are read from the tree's
 * own modules.dep/.alias/.softdep/.builtin, not written down here. When the
 * cache is absent these cases are skipped (the integration suite, which
 * fetches the cache, boots the same closure).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "initramfs/initramfs.h"

static char moddir[4096];
static char release[256];

static bool find_moddir(void)
{
	const char *env = getenv("KMODDIR");
	char cache[512], cur[256], mods[1024];
	const char *xdg = getenv("XDG_CACHE_HOME"), *kc = getenv("KTRIM_CACHE");
	FILE *f;
	DIR *d;
	struct dirent *de;

	if (env && *env) {
		snprintf(moddir, sizeof(moddir), "%s", env);
	} else {
		if (kc && *kc)
			snprintf(cache, sizeof(cache), "%s", kc);
		else if (xdg && *xdg)
			snprintf(cache, sizeof(cache), "%s/ktrim", xdg);
		else
			snprintf(cache, sizeof(cache), "%s/.cache/ktrim",
				 getenv("HOME") ? getenv("HOME") : "/root");
		snprintf(mods, sizeof(mods), "%s/image.current", cache);
		f = fopen(mods, "r");
		if (!f)
			return false;
		if (!fgets(cur, sizeof(cur), f)) {
			fclose(f);
			return false;
		}
		fclose(f);
		cur[strcspn(cur, "\n")] = '\0';
		snprintf(mods, sizeof(mods), "%s/%s/lib/modules", cache, cur);
		d = opendir(mods);
		if (!d)
			return false;
		moddir[0] = '\0';
		while ((de = readdir(d)))
			if (de->d_name[0] != '.')
				snprintf(moddir, sizeof(moddir), "%s/%s", mods,
					 de->d_name);
		closedir(d);
	}
	snprintf(release, sizeof(release), "%s", strrchr(moddir, '/') + 1);
	snprintf(mods, sizeof(mods), "%s/modules.dep", moddir);
	return access(mods, R_OK) == 0;
}

#define NEED_TREE() do { if (!find_moddir()) { \
	print_message("kernel cache absent (run ci/kernel-cache.sh): skip\n"); \
	skip(); } } while (0)

/* Module names treat '-' and '_' alike ("crc32c-intel.ko" is crc32c_intel). */
static bool same_name(const char *file, const char *name)
{
	for (; *name; file++, name++)
		if (*file != *name && !(strchr("-_", *file) &&
					strchr("-_", *name)))
			return false;
	return strncmp(file, ".ko", 3) == 0;
}

/* The deps of one module in modules.dep ("kernel/x.ko: a.ko b.ko"). */
static char *dep_line(const char *name)
{
	char path[PATH_MAX + 32], *text = NULL, *line, *save = NULL, *hit = NULL;

	snprintf(path, sizeof(path), "%s/modules.dep", moddir);
	assert_int_equal(kt_read_file(path, &text, NULL), 0);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':'), *slash;

		*colon = '\0';
		slash = strrchr(line, '/');
		if (same_name(slash + 1, name)) {
			hit = strdup(colon + 1);
			break;
		}
	}
	free(text);
	return hit;
}

static ssize_t index_of(const struct initramfs_modset *m, const char *relpath)
{
	for (size_t i = 0; i < initramfs_modset_count(m); i++)
		if (strcmp(initramfs_modset_get(m, i)->relpath, relpath) == 0)
			return (ssize_t)i;
	return -1;
}

/* Every module comes after everything modules.dep says it needs. */
static void assert_dep_order(const struct initramfs_modset *m)
{
	for (size_t i = 0; i < initramfs_modset_count(m); i++) {
		const struct initramfs_module *mod = initramfs_modset_get(m, i);
		char *deps = dep_line(mod->name), *save = NULL;

		assert_non_null(deps);
		for (char *d = strtok_r(deps, " ", &save); d;
		     d = strtok_r(NULL, " ", &save)) {
			ssize_t at = index_of(m, d);

			if (at < 0 || (size_t)at >= i)
				fail_msg("%s loads at %zu but its dependency "
					 "%s is at %zd", mod->name, i, d, at);
		}
		free(deps);
	}
}

static void test_virtio_blk_closure(void **state)
{
	struct initramfs_modset *m = NULL;
	struct kt_str err = KT_STR_INIT;
	char *deps, *save = NULL;
	size_t ndeps = 0;

	NEED_TREE();
	assert_int_equal(initramfs_modset_new(moddir, NULL, &m, &err), 0);
	assert_string_equal(initramfs_modset_release(m), release);
	assert_int_equal(initramfs_modset_add(m, "virtio_blk", &err), 0);
	deps = dep_line("virtio_blk");
	assert_non_null(deps);
	for (char *d = strtok_r(deps, " ", &save); d;
	     d = strtok_r(NULL, " ", &save), ndeps++)
		assert_true(index_of(m, d) >= 0);
	free(deps);
	assert_true(ndeps >= 1);
	assert_int_equal(initramfs_modset_count(m), ndeps + 1);
	assert_string_equal(initramfs_modset_get(m, ndeps)->name, "virtio_blk");
	assert_dep_order(m);
	/* Adding what is there already changes nothing. */
	assert_int_equal(initramfs_modset_add(m, "virtio-blk", &err), 0);
	assert_int_equal(initramfs_modset_count(m), ndeps + 1);
	initramfs_modset_free(m);
	kt_str_free(&err);
}

/* "softdep ext4 pre: crypto-crc32c" must pull a crc32c provider first. */
static void test_softdeps_and_aliases(void **state)
{
	struct initramfs_modset *m = NULL;
	struct kt_str err = KT_STR_INIT;
	char path[PATH_MAX + 32], *text = NULL, *line, *save = NULL;
	char pre[128] = "", alias[256] = "";
	ssize_t ext4 = -1, provider = -1;

	NEED_TREE();
	snprintf(path, sizeof(path), "%s/modules.softdep", moddir);
	assert_int_equal(kt_read_file(path, &text, NULL), 0);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "softdep ext4 pre: %127s", pre) == 1)
			break;
	free(text);
	if (!pre[0])
		skip();
	assert_int_equal(initramfs_modset_new(moddir, release, &m, &err), 0);
	assert_int_equal(initramfs_modset_add(m, "ext4", &err), 0);
	assert_dep_order(m);
	for (size_t i = 0; i < initramfs_modset_count(m); i++) {
		const char *name = initramfs_modset_get(m, i)->name;
		char cmd[8192];
		struct kt_str out = KT_STR_INIT;
		const char *argv[] = { "sh", "-c", cmd, NULL };

		if (strcmp(name, "ext4") == 0) {
			ext4 = (ssize_t)i;
			continue;
		}
		/* Does modules.alias say this module provides the softdep? */
		snprintf(cmd, sizeof(cmd), "grep -qx 'alias %s %s' '%s/"
			 "modules.alias'", pre, name, moddir);
		if (kt_run(argv, &out, NULL) == 0 && provider < 0)
			provider = (ssize_t)i;
		kt_str_free(&out);
	}
	assert_true(provider >= 0);
	assert_true(ext4 > provider);
	initramfs_modset_free(m);

	/* A device alias resolves to its driver. */
	snprintf(path, sizeof(path), "%s/modules.alias", moddir);
	assert_int_equal(kt_read_file(path, &text, NULL), 0);
	save = NULL;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char a[200], mod[64];

		if (sscanf(line, "alias %199s %63s", a, mod) == 2 &&
		    strcmp(mod, "virtio_blk") == 0 && strncmp(a, "virtio:", 7) == 0) {
			snprintf(alias, sizeof(alias), "%s", a);
			break;
		}
	}
	free(text);
	assert_true(alias[0]);
	/* "virtio:d00000002v*" -> a concrete modalias the glob matches. */
	*strchr(alias, '*') = '\0';
	strcat(alias, "00001AF4");
	assert_int_equal(initramfs_modset_new(moddir, release, &m, &err), 0);
	assert_int_equal(initramfs_modset_add(m, alias, &err), 0);
	assert_true(index_of(m, "kernel/drivers/block/virtio_blk.ko") >= 0);
	initramfs_modset_free(m);
	kt_str_free(&err);
}

static void test_builtin_unknown_and_vermagic(void **state)
{
	struct initramfs_modset *m = NULL;
	struct kt_str err = KT_STR_INIT;
	char path[PATH_MAX + 32], *text = NULL, name[128], *slash;

	NEED_TREE();
	snprintf(path, sizeof(path), "%s/modules.builtin", moddir);
	assert_int_equal(kt_read_file(path, &text, NULL), 0);
	text[strcspn(text, "\n")] = '\0';
	slash = strrchr(text, '/');
	snprintf(name, sizeof(name), "%s", slash ? slash + 1 : text);
	free(text);
	*strstr(name, ".ko") = '\0';
	assert_int_equal(initramfs_modset_new(moddir, release, &m, &err), 0);
	assert_int_equal(initramfs_modset_add(m, name, &err), 0);
	assert_int_equal(initramfs_modset_count(m), 0);
	assert_int_equal(initramfs_modset_builtin_count(m), 1);

	assert_int_equal(initramfs_modset_add(m, "no_such_module_xyz", &err),
			 -ENOENT);
	assert_non_null(strstr(err.buf, "no_such_module_xyz"));
	initramfs_modset_free(m);

	kt_str_reset(&err);
	assert_int_equal(initramfs_modset_new(moddir, "6.1.0-0-bogus", &m,
					      &err), 0);
	assert_int_equal(initramfs_modset_add(m, "virtio_blk", &err),
			 -EKEYREJECTED);
	assert_non_null(strstr(err.buf, "vermagic"));
	assert_non_null(strstr(err.buf, release));
	assert_non_null(strstr(err.buf, "6.1.0-0-bogus"));
	initramfs_modset_free(m);
	kt_str_free(&err);
}

static int sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

struct find_ctx {
	const char *path;
	const void *data;
	uint64_t size;
	bool found;
};

static int find_entry(const struct initramfs_entry *e, void *p)
{
	struct find_ctx *c = p;

	if (strcmp(e->path, c->path) == 0) {
		c->found = true;
		c->data = e->data;
		c->size = e->size;
		return 1;
	}
	return 0;
}

/* .ko.xz and .ko.zst sources: resolved, checked, stored decompressed. */
static void test_compressed_sources(void **state)
{
	char base[] = "/tmp/kt-mod-test.XXXXXX", tree[1024], orig[8192];
	struct initramfs_modset *m = NULL;
	struct initramfs_archive *a = initramfs_archive_new();
	struct kt_array paths = KT_ARRAY_INIT(char *);
	struct kt_str err = KT_STR_INIT;
	char *img = NULL, *ko = NULL, entry[PATH_MAX];
	size_t imglen = 0, kolen = 0;
	FILE *f;
	struct find_ctx fc = { 0 };

	NEED_TREE();
	assert_non_null(mkdtemp(base));
	snprintf(tree, sizeof(tree), "%s/lib/modules/%s", base, release);
	assert_int_equal(sh("mkdir -p %s/kernel && cd %s/kernel/drivers && "
			    "cp virtio/virtio_ring.ko virtio/virtio.ko "
			    "block/virtio_blk.ko %s/kernel/ && cd %s/kernel && "
			    "xz virtio_ring.ko && zstd -q --rm virtio.ko && "
			    "touch ../modules.order ../modules.builtin "
			    "../modules.builtin.modinfo && "
			    "depmod -b %s %s", tree, moddir, tree, tree, base,
			    release), 0);
	assert_int_equal(initramfs_modset_new(tree, NULL, &m, &err), 0);
	if (initramfs_modset_add(m, "virtio_blk", &err) < 0)
		fail_msg("%s", err.buf);
	assert_int_equal(initramfs_modset_count(m), 3);
	assert_int_equal(initramfs_modset_get(m, 0)->comp, INITRAMFS_MOD_XZ);
	assert_int_equal(initramfs_modset_get(m, 1)->comp, INITRAMFS_MOD_ZSTD);
	assert_int_equal(initramfs_modset_get(m, 2)->comp, INITRAMFS_MOD_PLAIN);
	assert_int_equal(initramfs_modset_add_to_archive(m, a, true, &paths,
							 &err), 0);
	assert_int_equal(paths.len, 3);
	snprintf(entry, sizeof(entry), "/lib/modules/%s/kernel/virtio.ko",
		 release);
	assert_string_equal(kt_array_ptr(&paths, 1), entry);
	f = open_memstream(&img, &imglen);
	assert_int_equal(initramfs_archive_write(a, &(struct initramfs_write_opts)
		{ INITRAMFS_COMPRESS_NONE, 0, 0, false, NULL }, f, &err), 0);
	fclose(f);
	/* The stored module is byte-identical to the uncompressed original. */
	fc.path = entry + 1;
	assert_int_equal(initramfs_read_buf(img, imglen, find_entry, &fc, &err), 1);
	snprintf(orig, sizeof(orig), "%s/kernel/drivers/virtio/virtio.ko", moddir);
	assert_int_equal(kt_read_file(orig, &ko, &kolen), 0);
	assert_int_equal(fc.size, kolen);
	assert_memory_equal(fc.data, ko, kolen);
	free(ko);
	free(img);
	for (size_t i = 0; i < paths.len; i++)
		free(kt_array_ptr(&paths, i));
	kt_array_free(&paths);
	initramfs_archive_free(a);

	/* Kept compressed when asked: the init passes the compressed flag. */
	a = initramfs_archive_new();
	assert_int_equal(initramfs_modset_add_to_archive(m, a, false, &paths,
							 &err), 0);
	assert_non_null(strstr(kt_array_ptr(&paths, 0), "virtio_ring.ko.xz"));
	for (size_t i = 0; i < paths.len; i++)
		free(kt_array_ptr(&paths, i));
	kt_array_free(&paths);
	initramfs_archive_free(a);
	initramfs_modset_free(m);
	kt_str_free(&err);
	sh("rm -rf %s", base);
}

static int list_entry(const struct initramfs_entry *e, void *ctx)
{
	struct kt_str *out = ctx;

	kt_str_printf(out, "%s %o%s%s\n", e->path, (unsigned)e->mode,
		      e->link_target ? " -> " : "", e->link_target ? e->link_target : "");
	if (strstr(e->path, "/" INITRAMFS_LOAD_ORDER))
		kt_str_printf(out, "[%.*s]\n", (int)e->size, (const char *)e->data);
	return 0;
}

/*
 * A user's init tree (init: {external:}): the tree at /, what it lacks of
 * the skeleton (its own tmp link is kept), the closure with its load
 * order, and nothing of ktrim-init's (no spec, /mnt, /etc/ktrim); the same
 * bytes twice. Refused: a tree without /init, or with a rootfs beside it.
 */
static void test_pack_init_tree(void **state)
{
	char base[] = "/tmp/kt-inittree-test.XXXXXX", tree[1024], out[1024], out2[1024];
	const char *mods[] = { "virtio_net" };
	struct initramfs_pack_opts o = { .moddir = moddir, .modules = mods, .n_modules = 1,
					 .write = INITRAMFS_WRITE_OPTS_INIT };
	struct initramfs_modset *m = NULL;
	struct initramfs_archive *scratch = initramfs_archive_new();
	struct kt_array paths = KT_ARRAY_INIT(char *);
	struct kt_str err = KT_STR_INIT, list = KT_STR_INIT, order = KT_STR_INIT, line = KT_STR_INIT;
	char *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;

	NEED_TREE();
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	assert_non_null(mkdtemp(base));
	snprintf(tree, sizeof(tree), "%s/tree", base);
	snprintf(out, sizeof(out), "%s/a.cpio.zst", base);
	snprintf(out2, sizeof(out2), "%s/b.cpio.zst", base);
	assert_int_equal(sh("mkdir -p %s/bin && printf '#!/bin/sh\\nexit 0\\n' >%s/init && "
			    "chmod 755 %s/init && cp /bin/true %s/bin/gcs && ln -s run %s/tmp && "
			    "mkdir -m 1777 %s/run", tree, tree, tree, tree, tree, tree), 0);
	o.init_tree = tree;
	o.output = out;
	if (initramfs_pack(&o, &err) < 0)
		fail_msg("%s", err.buf);
	assert_int_equal(initramfs_read_file(out, list_entry, &list, &err), 0);
	assert_non_null(strstr(list.buf, "\ninit 100755\n"));
	assert_non_null(strstr(list.buf, "\nbin/gcs 100755\n"));
	assert_non_null(strstr(list.buf, "\ntmp 120777 -> run\n"));
	assert_non_null(strstr(list.buf, "\nrun 41777\n"));	/* the tree's mode, kept */
	assert_non_null(strstr(list.buf, "dev/console 20600\n"));
	assert_non_null(strstr(list.buf, "\nproc 40755\n"));
	assert_null(strstr(list.buf, "etc/ktrim"));
	assert_null(strstr(list.buf, "\nmnt "));
	assert_null(strstr(list.buf, "rootfs"));
	/* the load order is the closure's, dependencies first: ktrim-init's list */
	assert_int_equal(initramfs_modset_new(moddir, NULL, &m, &err), 0);
	assert_int_equal(initramfs_modset_add(m, "virtio_net", &err), 0);
	assert_true(initramfs_modset_count(m) >= 2);
	assert_int_equal(initramfs_modset_add_to_archive(m, scratch, true, &paths, &err), 0);
	kt_str_putc(&order, '[');
	for (size_t i = 0; i < paths.len; i++) {
		kt_str_reset(&line);
		kt_str_printf(&line, "\n%s 100644\n", (char *)kt_array_ptr(&paths, i) + 1);
		assert_non_null(strstr(list.buf, line.buf));
		kt_str_printf(&order, "%s\n", (char *)kt_array_ptr(&paths, i));
	}
	kt_str_putc(&order, ']');
	assert_non_null(strstr(list.buf, order.buf));
	/* reproducible */
	o.output = out2;
	assert_int_equal(initramfs_pack(&o, &err), 0);
	assert_int_equal(kt_read_file(out, &a, &na), 0);
	assert_int_equal(kt_read_file(out2, &b, &nb), 0);
	assert_true(na == nb && !memcmp(a, b, na));
	/* refused */
	o.rootfs_dir = tree;
	assert_int_equal(initramfs_pack(&o, &err), -EINVAL);
	assert_non_null(strstr(err.buf, "it replaces ktrim-init"));
	o.rootfs_dir = NULL;
	kt_str_reset(&err);
	assert_int_equal(sh("rm %s/init", tree), 0);
	assert_int_equal(initramfs_pack(&o, &err), -ENOENT);
	assert_non_null(strstr(err.buf, "has no /init"));
	initramfs_modset_free(m);
	initramfs_archive_free(scratch);
	kt_array_free_ptrs(&paths);
	free(a);
	free(b);
	kt_str_free(&err);
	kt_str_free(&list);
	kt_str_free(&order);
	kt_str_free(&line);
	unsetenv("SOURCE_DATE_EPOCH");
	sh("rm -rf %s", base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_virtio_blk_closure),
		cmocka_unit_test(test_softdeps_and_aliases),
		cmocka_unit_test(test_builtin_unknown_and_vermagic),
		cmocka_unit_test(test_compressed_sources),
		cmocka_unit_test(test_pack_init_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

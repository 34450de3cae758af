// SPDX-License-Identifier: GPL-2.0-only
/*
 * OCI layouts made by the test (tar + sha256): layers apply inside the
 * scratch root whatever their symlinks say, whiteouts and opaque
 * directories included, and a blob that is not what its digest says is
 * refused.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/common.h"
#include "profiler/profiler.h"

static char top[64];

static int setup(void **state)
{
	snprintf(top, sizeof(top), "/tmp/kt-oci-test.XXXXXX");
	return mkdtemp(top) ? 0 : -1;
}

static int teardown(void **state)
{
	const char *argv[] = { "rm", "-rf", top, NULL };

	return kt_run(argv, NULL, NULL);
}

/* top/@rel as a heap string */
static char *at(const char *rel)
{
	char *p;

	assert_true(asprintf(&p, "%s/%s", top, rel) > 0);
	return p;
}

static void put(const char *rel, const char *text)
{
	char *p = at(rel), *dir = strdup(p);

	assert_non_null(dir);
	*strrchr(dir, '/') = '\0';
	assert_int_equal(kt_mkdir_p(dir, 0755), 0);
	assert_int_equal(kt_atomic_write_buf(p, 0644, text, strlen(text)), 0);
	free(dir);
	free(p);
}

static void link_to(const char *rel, const char *target)
{
	char *p = at(rel), *dir = strdup(p);

	assert_non_null(dir);
	*strrchr(dir, '/') = '\0';
	assert_int_equal(kt_mkdir_p(dir, 0755), 0);
	assert_int_equal(symlink(target, p), 0);
	free(dir);
	free(p);
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* lstat() of @dir/@rel: whether it exists, and its mode in *@mode. */
static bool has(const char *dir, const char *rel, mode_t *mode)
{
	struct stat st;
	char *p;
	bool r;

	assert_true(asprintf(&p, "%s/%s", dir, rel) > 0);
	r = lstat(p, &st) == 0;
	if (r && mode)
		*mode = st.st_mode;
	free(p);
	return r;
}

/* Store @path as a blob of the layout; its "sha256:HEX" into @digest. */
static void blob_add(const char *path, char digest[72])
{
	char hex[65], *dst, *blobs = at("oci/blobs/sha256");

	assert_int_equal(kt_sha256_file(path, hex), 0);
	snprintf(digest, 72, "sha256:%s", hex);
	assert_int_equal(kt_mkdir_p(blobs, 0755), 0);
	free(blobs);
	assert_true(asprintf(&dst, "%s/oci/blobs/sha256/%s", top, hex) > 0);
	assert_int_equal(kt_copy_file(path, dst, 0644), 0);
	free(dst);
}

/* tar the directory top/@dir into a layer blob. */
static void layer_add(const char *dir, char digest[72])
{
	char *src = at(dir), *tar;
	const char *argv[] = { "tar", "-C", src, "-cf", NULL, ".", NULL };

	assert_true(asprintf(&tar, "%s/%s.tar", top, dir) > 0);
	argv[4] = tar;
	assert_int_equal(kt_run(argv, NULL, NULL), 0);
	blob_add(tar, digest);
	free(tar);
	free(src);
}

/* index.json, a config and a manifest naming @n layers, in order. */
static void layout_write(char layers[][72], size_t n)
{
	struct kt_str man = KT_STR_INIT, idx = KT_STR_INIT;
	char mdigest[72], cdigest[72], *mpath = at("manifest.json"), *ipath;

	put("config.json", "{\"architecture\": \"amd64\", \"os\": \"linux\", "
	    "\"config\": {\"Cmd\": [\"/bin/sh\"]}}");
	put("oci/oci-layout", "{\"imageLayoutVersion\": \"1.0.0\"}");
	ipath = at("config.json");
	blob_add(ipath, cdigest);
	free(ipath);
	kt_str_printf(&man, "{\"schemaVersion\": 2, \"config\": {\"digest\": \"%s\"}, "
		      "\"layers\": [", cdigest);
	for (size_t i = 0; i < n; i++)
		kt_str_printf(&man, "%s{\"mediaType\": \"application/vnd.oci."
			      "image.layer.v1.tar\", \"digest\": \"%s\"}",
			      i ? ", " : "", layers[i]);
	kt_str_puts(&man, "]}\n");
	assert_int_equal(kt_atomic_write_str(mpath, 0644, &man), 0);
	blob_add(mpath, mdigest);
	kt_str_printf(&idx, "{\"schemaVersion\": 2, \"manifests\": "
		      "[{\"digest\": \"%s\"}]}\n", mdigest);
	ipath = at("oci/index.json");
	assert_int_equal(kt_atomic_write_str(ipath, 0644, &idx), 0);
	free(ipath);
	free(mpath);
	kt_str_free(&man);
	kt_str_free(&idx);
}

static int unpack(char **dir, struct kt_str *err)
{
	struct kprof_project pr;
	char *scratch = at("scratch");
	int r;

	kprof_project_init(&pr);
	pr.rootfs = at("oci");
	assert_int_equal(kt_mkdir_p(scratch, 0755), 0);
	*dir = NULL;
	r = kprof_image_load(&pr.image, pr.rootfs, NULL, "amd64", err);
	pr.rootfs_kind = pr.image.kind;
	if (!r)
		r = kprof_project_rootfs_dir(&pr, scratch, dir, err);
	kprof_project_release(&pr);
	free(scratch);
	return r;
}

/*
 * Layer 1 has absolute symlinks out of the root; layer 2 writes a file
 * and a whiteout through them. Before, tar wrote top/outside/planted and
 * the whiteout deleted top/outside/keep.
 */
static void test_oci_layers_stay_inside(void **state)
{
	char layers[2][72], *outside = at("outside"), *dir = NULL;
	struct kt_str err = KT_STR_INIT;
	mode_t mode = 0;

	put("outside/keep", "host file\n");
	/* layer 1: escapes, a usr-merge link, and a directory to hide */
	link_to("l1/evil", outside);
	link_to("l1/etc", "/");
	put("l1/usr/lib/libc.so", "libc\n");
	link_to("l1/lib", "usr/lib");
	put("l1/d/old", "old\n");
	put("l1/gone", "gone\n");
	layer_add("l1", layers[0]);
	/* layer 2: through the links, whiteouts, an opaque directory */
	put("l2/evil/planted", "planted\n");
	put("l2/evil/.wh.keep", "");
	put("l2/etc/passwd-test", "x\n");
	put("l2/lib/libm.so", "libm\n");
	put("l2/d/.wh..wh..opq", "");
	put("l2/d/new", "new\n");
	put("l2/.wh.gone", "");
	layer_add("l2", layers[1]);
	layout_write(layers, 2);

	if (unpack(&dir, &err))
		fail_msg("unpack: %s", kt_str_cstr(&err));
	/* nothing outside the scratch root was written or deleted */
	assert_false(has(top, "outside/planted", NULL));
	assert_true(has(top, "outside/keep", NULL));
	assert_false(exists("/passwd-test"));
	assert_false(exists("/etc/passwd-test"));
	/* symlinks resolve inside the root: etc -> / is the root itself */
	assert_true(has(dir, "passwd-test", NULL));
	/* lib -> usr/lib kept, the new library in usr/lib */
	assert_true(has(dir, "usr/lib/libm.so", NULL));
	assert_true(has(dir, "lib", &mode));
	assert_true(S_ISLNK(mode));
	/* evil -> (the host's) outside does not exist in the root: layer 2's
	 * directory replaced the dangling link */
	assert_true(has(dir, "evil/planted", NULL));
	/* whiteouts and the opaque directory */
	assert_false(has(dir, "d/old", NULL));
	assert_true(has(dir, "d/new", NULL));
	assert_false(has(dir, "gone", NULL));
	assert_false(has(dir, ".wh.gone", NULL));
	free(dir);
	free(outside);
	kt_str_free(&err);
}

/* A layer blob that is not what its digest says is refused. */
static void test_oci_bad_digest_refused(void **state)
{
	char layers[1][72], *blob, *dir = NULL;
	struct kt_str err = KT_STR_INIT;
	FILE *f;

	put("l1/file", "content\n");
	layer_add("l1", layers[0]);
	layout_write(layers, 1);
	assert_true(asprintf(&blob, "%s/oci/blobs/sha256/%s", top,
			     layers[0] + 7) > 0);
	f = fopen(blob, "r+");
	assert_non_null(f);
	fseek(f, 600, SEEK_SET);
	fputc('X', f);
	fclose(f);
	assert_int_equal(unpack(&dir, &err), -EINVAL);
	assert_null(dir);
	assert_non_null(strstr(kt_str_cstr(&err), blob));
	assert_non_null(strstr(kt_str_cstr(&err), "its digest says"));
	free(blob);
	kt_str_free(&err);
}

/* A digest that is a path, not hex, names no blob. */
static void test_oci_digest_is_not_a_path(void **state)
{
	char layers[1][72] = { "sha256:../../../etc" }, *dir = NULL;
	struct kt_str err = KT_STR_INIT;

	layout_write(layers, 1);
	assert_int_equal(unpack(&dir, &err), -EINVAL);
	assert_non_null(strstr(kt_str_cstr(&err), "layers[0]: digest 'sha256:../../../etc' is "
					   "not sha256:<64 hex digits>"));
	kt_str_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_oci_layers_stay_inside,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_oci_bad_digest_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_oci_digest_is_not_a_path,
						setup, teardown),
	};

	return cmocka_run_group_tests_name("profiler-rootfs", tests, NULL, NULL);
}

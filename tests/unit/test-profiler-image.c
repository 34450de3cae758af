// SPDX-License-Identifier: GPL-2.0-only
/*
 * Container images (profiler/image.c, layers merged by rootfs.c). OCI
 * layouts made by the test (tar + sha256): layers apply inside the
 * scratch root whatever their symlinks say, whiteouts and opaque
 * directories included. The fixtures of tests/fixtures/image (made by its
 * make.sh): the manifest chosen by tag
 * and platform through a nested index, the config's run defaults, the
 * `docker save` form; damaged copies of them (bad JSON, a blob that is not
 * what its digest or size says, a missing blob, a layer escaping the
 * root, a member name escaping the archive), each refused naming the file
 * and the key; and a project whose ktrim.yaml overrides the image's
 * defaults field by field.
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

#define FIX KT_FIXTURES "/image"

static char top[64];

static int setup(void **state)
{
	snprintf(top, sizeof(top), "/tmp/kt-image-test.XXXXXX");
	return mkdtemp(top) ? 0 : -1;
}

static int teardown(void **state)
{
	const char *argv[] = { "rm", "-rf", top, NULL };

	return kt_run(argv, NULL, NULL);
}

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

/* A copy of the fixture @name in top/@name, to damage. */
static char *copy_fixture(const char *name)
{
	char *src, *dst = at(name);
	const char *argv[] = { "cp", "-a", NULL, dst, NULL };

	assert_true(asprintf(&src, "%s/%s", FIX, name) > 0);
	argv[2] = src;
	assert_int_equal(kt_run(argv, NULL, NULL), 0);
	free(src);
	return dst;
}

static void write_text(const char *path, const char *text)
{
	assert_int_equal(kt_atomic_write_buf(path, 0644, text, strlen(text)), 0);
}

/* The first blob index.json of @layout names (the "multi" list), as a path. */
static char *first_blob(const char *layout)
{
	char *idx, *text = NULL, *p, *blob;
	size_t len;

	assert_true(asprintf(&idx, "%s/index.json", layout) > 0);
	assert_int_equal(kt_read_file(idx, &text, &len), 0);
	p = strstr(text, "sha256:");
	assert_non_null(p);
	assert_true(asprintf(&blob, "%s/blobs/sha256/%.64s", layout, p + 7) > 0);
	free(text);
	free(idx);
	return blob;
}

static const char *str_at(const struct kt_array *a, size_t i)
{
	return kt_array_ptr(a, i);
}

static void expect_error(int ret, const struct kt_str *err, const char *part)
{
	/* -EINVAL, or -ENOENT for what is missing */
	if ((ret != -EINVAL && ret != -ENOENT) || !strstr(kt_str_cstr(err), part))
		fail_msg("want an error with '%s', got %d: %s", part, ret, kt_str_cstr(err));
}

/* "multi" is an index naming a Docker manifest list: amd64's config is taken. */
static void test_nested_index_amd64(void **state)
{
	struct kprof_image img;
	struct kt_str err = KT_STR_INIT;
	const struct kprof_image_layer *l;

	if (kprof_image_load(&img, FIX "/multi", "multi", "amd64", &err))
		fail_msg("%s", kt_str_cstr(&err));
	assert_int_equal(img.kind, KPROF_ROOTFS_OCI);
	assert_string_equal(img.platform, "linux/amd64");
	assert_int_equal(img.entrypoint.len, 2);
	assert_string_equal(str_at(&img.entrypoint, 0), "/bin/busybox");
	assert_int_equal(img.cmd.len, 3);
	assert_string_equal(str_at(&img.cmd, 2), "8080");
	assert_int_equal(img.env.len, 2);
	assert_string_equal(str_at(&img.env, 1), "LANG=C");
	assert_string_equal(img.user, "www:www");
	assert_string_equal(img.workdir, "/srv");
	/* 443 and 8080 are TCP, 9090 UDP: the lowest TCP port */
	assert_int_equal(img.port, 443);
	assert_int_equal(img.layers.len, 1);
	l = kt_array_at(&img.layers, 0);
	assert_int_equal(strncmp(l->path, "blobs/sha256/", 13), 0);
	assert_string_equal(l->path + 13, l->digest + 7);
	kprof_image_release(&img);

	/* no tag: the first entry of index.json, the same manifest */
	if (kprof_image_load(&img, FIX "/multi", NULL, "amd64", &err))
		fail_msg("%s", kt_str_cstr(&err));
	assert_int_equal(img.port, 443);
	kprof_image_release(&img);
	kt_str_free(&err);
}

/* arm64 takes the v8 manifest; an architecture on offer nowhere lists them all. */
static void test_platforms(void **state)
{
	struct kprof_image img;
	struct kt_str err = KT_STR_INIT;

	assert_string_equal(kprof_image_arch("x86_64"), "amd64");
	assert_string_equal(kprof_image_arch("aarch64"), "arm64");
	assert_null(kprof_image_arch("mips"));
	if (kprof_image_load(&img, FIX "/multi", "multi", "arm64", &err))
		fail_msg("%s", kt_str_cstr(&err));
	assert_string_equal(img.platform, "linux/arm64");
	assert_int_equal(img.entrypoint.len, 0);
	assert_int_equal(img.cmd.len, 1);
	assert_int_equal(img.port, 0);
	assert_null(img.user);
	kprof_image_release(&img);

	expect_error(kprof_image_load(&img, FIX "/multi", "multi", "ppc64le", &err), &err,
		     "index.json: manifests: no manifest for linux/ppc64le; the image has "
		     "linux/arm64/v8, linux/amd64, unknown/unknown");
	kprof_image_release(&img);
	kt_str_free(&err);
	expect_error(kprof_image_load(&img, FIX "/multi", "s390x-only", "amd64", &err), &err,
		     "no manifest for linux/amd64; the image has linux/s390x");
	kprof_image_release(&img);
	kt_str_free(&err);
	expect_error(kprof_image_load(&img, FIX "/multi", "nope", "amd64", &err), &err,
		     "index.json: manifests: no manifest is named 'nope'");
	kprof_image_release(&img);
	kt_str_free(&err);
}

/* docker save: the image by RepoTags, members under "./", layers extracted and verified. */
static void test_docker_save(void **state)
{
	struct kprof_image img;
	struct kt_str err = KT_STR_INIT;
	struct kt_array files = KT_ARRAY_INIT(char *);
	const struct kprof_image_layer *l;
	char *work = at("work"), *text = NULL;
	size_t len;

	if (kprof_image_load(&img, FIX "/docker.tar", "example.com/b:2", "amd64", &err))
		fail_msg("%s", kt_str_cstr(&err));
	assert_int_equal(img.kind, KPROF_ROOTFS_DOCKER);
	assert_string_equal(img.member_prefix, "./");
	assert_int_equal(img.entrypoint.len, 1);
	assert_string_equal(str_at(&img.entrypoint, 0), "/bin/b");
	assert_string_equal(str_at(&img.env, 0), "B=2");
	kprof_image_release(&img);

	if (kprof_image_load(&img, FIX "/docker.tar", "1", "amd64", &err))
		fail_msg("%s", kt_str_cstr(&err));
	assert_int_equal(img.port, 443);
	l = kt_array_at(&img.layers, 0);
	/* legacy layers carry no digest in their name: the config's diff_id */
	assert_string_equal(l->path + 65, "layer.tar");
	assert_int_equal(strncmp(l->path, l->digest + 7, 64), 0);
	assert_int_equal(kt_mkdir_p(work, 0755), 0);
	if (kprof_image_layers(&img, work, &files, &err))
		fail_msg("%s", kt_str_cstr(&err));
	assert_int_equal(files.len, 1);
	assert_int_equal(kt_read_file(kt_array_ptr(&files, 0), &text, &len), 0);
	assert_true(len > 512);
	kprof_image_release(&img);

	expect_error(kprof_image_load(&img, FIX "/docker.tar", "nope", "amd64", &err), &err,
		     "docker.tar:manifest.json: RepoTags: no image is tagged 'nope'");
	kprof_image_release(&img);
	kt_str_free(&err);
	expect_error(kprof_image_load(&img, FIX "/docker.tar", NULL, "arm64", &err), &err,
		     ".json: architecture: the image is for linux/amd64, the project for "
		     "linux/arm64");
	kprof_image_release(&img);
	kt_array_free_ptrs(&files);
	kt_str_free(&err);
	free(text);
	free(work);
}

/* Damaged layouts: each refused, naming the file (and the key). */
static void test_bad_layouts(void **state)
{
	struct kprof_image img;
	struct kt_str err = KT_STR_INIT, want = KT_STR_INIT;
	char *layout = copy_fixture("multi"), *idx, *blob = first_blob(layout), *text = NULL;
	size_t len;
	FILE *f;

	assert_true(asprintf(&idx, "%s/index.json", layout) > 0);
	assert_int_equal(kt_read_file(blob, &text, &len), 0);

	/* a byte changed, size kept: the digest catches it */
	f = fopen(blob, "r+");
	assert_non_null(f);
	fseek(f, 10, SEEK_SET);
	fputc('X', f);
	fclose(f);
	kt_str_printf(&want, "%s: sha256 is ", blob);
	expect_error(kprof_image_load(&img, layout, "multi", "amd64", &err), &err, want.buf);
	assert_non_null(strstr(err.buf, "its digest says"));
	kprof_image_release(&img);
	kt_str_free(&err);

	/* one byte more: the descriptor's size */
	write_text(blob, text);
	f = fopen(blob, "a");
	assert_non_null(f);
	fputc(' ', f);
	fclose(f);
	expect_error(kprof_image_load(&img, layout, "multi", "amd64", &err), &err,
		     "index.json: manifests[0]: size is");
	kprof_image_release(&img);
	kt_str_free(&err);

	/* gone */
	assert_int_equal(unlink(blob), 0);
	kt_str_reset(&want);
	kt_str_printf(&want, "%s: missing", blob);
	expect_error(kprof_image_load(&img, layout, "multi", "amd64", &err), &err, want.buf);
	kprof_image_release(&img);
	kt_str_free(&err);
	write_text(blob, text);

	/* not JSON: line, column and offset */
	write_text(idx, "{\"schemaVersion\": 2,\n \"manifests\": [}\n");
	expect_error(kprof_image_load(&img, layout, "multi", "amd64", &err), &err,
		     "index.json:2:");
	assert_non_null(strstr(err.buf, "(offset "));
	assert_non_null(strstr(err.buf, "bad JSON"));
	kprof_image_release(&img);
	kt_str_free(&err);

	/* a digest that is a path */
	write_text(idx, "{\"manifests\": [{\"digest\": \"sha256:../../index.json\"}]}");
	expect_error(kprof_image_load(&img, layout, NULL, "amd64", &err), &err,
		     "index.json: manifests[0]: digest 'sha256:../../index.json' is not "
		     "sha256:<64 hex digits>");
	kprof_image_release(&img);
	kt_str_free(&err);

	/* not an image at all */
	expect_error(kprof_image_load(&img, KT_FIXTURES, NULL, "amd64", &err), &err,
		     "a directory without oci-layout is no OCI image layout");
	kprof_image_release(&img);
	kt_str_free(&err);
	expect_error(kprof_image_load(&img, idx, NULL, "amd64", &err), &err,
		     "neither an OCI image layout nor a `docker save` archive");
	kprof_image_release(&img);
	kt_str_free(&err);
	kt_str_free(&want);
	free(text);
	free(blob);
	free(idx);
	free(layout);
}

/* A missing layer blob is found when the layers are read, not later. */
static void test_missing_layer(void **state)
{
	struct kprof_image img;
	struct kt_str err = KT_STR_INIT;
	struct kt_array files = KT_ARRAY_INIT(char *);
	char *layout = copy_fixture("multi"), *layer;

	if (kprof_image_load(&img, layout, "multi", "amd64", &err))
		fail_msg("%s", kt_str_cstr(&err));
	assert_true(asprintf(&layer, "%s/%s", layout,
			     ((struct kprof_image_layer *)kt_array_at(&img.layers, 0))->path) > 0);
	assert_int_equal(unlink(layer), 0);
	assert_int_equal(kprof_image_layers(&img, top, &files, &err), -ENOENT);
	assert_non_null(strstr(err.buf, layer));
	assert_non_null(strstr(err.buf, "missing blob"));
	assert_int_equal(files.len, 0);
	kprof_image_release(&img);
	kt_array_free_ptrs(&files);
	kt_str_free(&err);
	free(layer);
	free(layout);
}

/* A layer member "../escape": tar refuses it, nothing lands beside the root. */
static void test_layer_escape(void **state)
{
	struct kprof_project pr;
	struct kt_str err = KT_STR_INIT;
	char *scratch = at("scratch"), *dir = NULL, *escape = at("escape"),
	     *escape2 = at("scratch/escape");
	struct stat st;
	int r;

	kprof_project_init(&pr);
	assert_int_equal(kt_mkdir_p(scratch, 0755), 0);
	pr.rootfs = strdup(FIX "/evil");
	if (kprof_image_load(&pr.image, pr.rootfs, NULL, "amd64", &err))
		fail_msg("%s", kt_str_cstr(&err));
	pr.rootfs_kind = pr.image.kind;
	r = kprof_project_rootfs_dir(&pr, scratch, &dir, &err);
	assert_true(r < 0);
	assert_null(dir);
	assert_non_null(strstr(err.buf, "failed (tar status 2)"));
	assert_int_not_equal(stat(escape, &st), 0);
	assert_int_not_equal(stat(escape2, &st), 0);
	kprof_project_release(&pr);
	kt_str_free(&err);
	free(scratch);
	free(escape);
	free(escape2);
}

/* A docker save whose manifest.json names a member outside the archive's tree. */
static void test_docker_member_escape(void **state)
{
	struct kprof_image img;
	struct kt_str err = KT_STR_INIT, man = KT_STR_INIT;
	char *dir = at("save"), *cfg = at("save/config"), *tar = at("save.tar"), hex[65], *named;
	const char *argv[] = { "tar", "-C", dir, "-cf", tar, ".", NULL };

	assert_int_equal(kt_mkdir_p(dir, 0755), 0);
	write_text(cfg, "{\"architecture\": \"amd64\", \"os\": \"linux\", \"config\": {\"Cmd\": [\"/x\"]},"
	    " \"rootfs\": {\"diff_ids\": []}}");
	assert_int_equal(kt_sha256_file(cfg, hex), 0);
	assert_true(asprintf(&named, "%s/%s.json", dir, hex) > 0);
	assert_int_equal(rename(cfg, named), 0);
	kt_str_printf(&man, "[{\"Config\": \"%s.json\", \"Layers\": [\"../evil/layer.tar\"]}]", hex);
	free(cfg);
	cfg = at("save/manifest.json");
	write_text(cfg, man.buf);
	assert_int_equal(kt_run(argv, NULL, NULL), 0);
	expect_error(kprof_image_load(&img, tar, NULL, "amd64", &err), &err,
		     "save.tar:manifest.json: [0].Layers[0]: not a relative member name");
	kprof_image_release(&img);
	kt_str_free(&err);
	kt_str_free(&man);
	free(named);
	free(cfg);
	free(tar);
	free(dir);
}

static int load_project(const char *body, struct kprof_project *pr, struct kt_str *err)
{
	char *path = at("ktrim.yaml");
	int r;

	write_text(path, body);
	r = kprof_project_load(path, pr, err);
	free(path);
	return r;
}

/* The project overrides each field it sets; command: replaces Entrypoint and Cmd. */
static void test_project_defaults(void **state)
{
	struct kprof_project pr;
	struct kt_str err = KT_STR_INIT;

	if (load_project("name: t\nworkload:\n  image: " FIX "/multi:multi\n"
			 "  env: {LANG: en_US.UTF-8, X: \"1\"}\n  cwd: /app\n", &pr, &err))
		fail_msg("%s", kt_str_cstr(&err));
	assert_int_equal(pr.rootfs_kind, KPROF_ROOTFS_OCI);
	assert_string_equal(pr.rootfs, FIX "/multi");
	assert_int_equal(pr.command.len, 5);
	assert_string_equal(str_at(&pr.command, 0), "/bin/busybox");
	assert_string_equal(str_at(&pr.command, 4), "8080");
	assert_int_equal(pr.env.len, 3);
	assert_string_equal(str_at(&pr.env, 0), "PATH=/usr/bin:/bin");
	assert_string_equal(str_at(&pr.env, 1), "LANG=en_US.UTF-8");
	assert_string_equal(str_at(&pr.env, 2), "X=1");
	assert_string_equal(pr.user_name, "www:www");
	assert_string_equal(pr.cwd, "/app");
	assert_int_equal(pr.ready, KPROF_READY_TCP);
	assert_int_equal(pr.ready_port, 443);
	kprof_project_release(&pr);

	if (load_project("name: t\nworkload:\n  image: " FIX "/multi\n  command: [/bin/sh]\n"
			 "  user: \"0\"\n  ready: {stdout: \"*up*\"}\n", &pr, &err))
		fail_msg("%s", kt_str_cstr(&err));
	assert_int_equal(pr.command.len, 1);
	assert_string_equal(str_at(&pr.command, 0), "/bin/sh");
	assert_null(pr.user_name);
	assert_int_equal(pr.uid, 0);
	assert_string_equal(pr.cwd, "/srv");
	assert_int_equal(pr.ready, KPROF_READY_STDOUT);
	kprof_project_release(&pr);

	expect_error(load_project("name: t\nworkload:\n  image: " FIX "/multi:nope\n", &pr, &err),
		     &err, "ktrim.yaml:3:10: image " FIX "/multi/index.json: manifests: no "
		     "manifest is named 'nope'");
	kt_str_free(&err);
	expect_error(load_project("name: t\nworkload:\n  rootfs: " FIX "/multi\n"
				  "  command: [/x]\n", &pr, &err), &err,
		     "is an OCI image layout: write image: ");
	kt_str_free(&err);
	expect_error(load_project("name: t\nworkload:\n  rootfs: /\n  image: " FIX "/multi\n",
				  &pr, &err), &err, "takes rootfs: or image:, not both");
	kt_str_free(&err);
}

/* A docker save archive given as rootfs: is a tarball to tar, but refused once unpacked. */
static void test_archive_as_rootfs(void **state)
{
	struct kprof_project pr;
	struct kt_str err = KT_STR_INIT;
	char *scratch = at("scratch"), *dir = NULL;

	if (load_project("name: t\nworkload:\n  rootfs: " FIX "/docker.tar\n  command: [/x]\n",
			 &pr, &err))
		fail_msg("%s", kt_str_cstr(&err));
	assert_int_equal(kt_mkdir_p(scratch, 0755), 0);
	expect_error(kprof_project_rootfs_dir(&pr, scratch, &dir, &err), &err,
		     "rootfs " FIX "/docker.tar is a `docker save` archive (its manifest.json "
		     "names a Config and Layers), not a root filesystem: write image: ");
	assert_null(dir);
	kprof_project_release(&pr);
	kt_str_free(&err);
	free(scratch);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_oci_layers_stay_inside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oci_bad_digest_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oci_digest_is_not_a_path, setup, teardown),
		cmocka_unit_test(test_nested_index_amd64),
		cmocka_unit_test(test_platforms),
		cmocka_unit_test_setup_teardown(test_docker_save, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_layouts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_layer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_layer_escape, setup, teardown),
		cmocka_unit_test_setup_teardown(test_docker_member_escape, setup, teardown),
		cmocka_unit_test_setup_teardown(test_project_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_archive_as_rootfs, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

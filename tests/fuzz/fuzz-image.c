// SPDX-License-Identifier: GPL-2.0-only
/*
 * Container images (profiler/image.c): an OCI layout whose index.json,
 * manifest or config is the input (the first byte says which, the rest is
 * the document), the others written around it with the digests and sizes
 * that name it, so the input reaches the parser it is meant for. The
 * `docker save` path runs tar, which a fuzzing build never starts.
 */
#include "profiler/profiler.h"
#include "tests/fuzz/fuzz.h"

static const char *layout_path(const char *rel)
{
	static char path[1024];

	snprintf(path, sizeof(path), "%s/layout/%s", fuzz_dir(), rel);
	return path;
}

/* Plain writes: an fsync per document would make this a disk benchmark. */
static void put(const char *rel, const void *data, size_t size)
{
	FILE *f = fopen(layout_path(rel), "w");

	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
}

/* @data as a blob; its descriptor (digest and size) into @desc. */
static void blob(const void *data, size_t size, char blob_rel[96], char desc[160])
{
	struct kt_sha256 c;
	char hex[65];

	if (kt_sha256_init(&c))
		abort();
	kt_sha256_update(&c, data, size);
	if (kt_sha256_final_hex(&c, hex))
		abort();
	snprintf(blob_rel, 96, "blobs/sha256/%s", hex);
	snprintf(desc, 160, "\"digest\": \"sha256:%s\", \"size\": %zu", hex, size);
	put(blob_rel, data, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char config[] = "{\"architecture\": \"amd64\", \"os\": \"linux\"}";
	struct kt_str man = KT_STR_INIT, idx = KT_STR_INIT, err = KT_STR_INIT;
	char crel[96] = "", mrel[96] = "", cdesc[160], mdesc[160];
	struct kprof_image img;
	int which;

	if (size < 1)
		return 0;
	fuzz_quiet();
	which = data[0] % 3;
	data++;
	size--;
	if (kt_mkdir_p(layout_path("blobs/sha256"), 0755))
		abort();
	put("oci-layout", "{}", 2);
	if (which == 0) {
		put("index.json", data, size);
	} else {
		if (which == 1)
			blob(data, size, crel, cdesc);
		else
			blob(config, sizeof(config) - 1, crel, cdesc);
		kt_str_printf(&man, "{\"config\": {%s}, \"layers\": []}", cdesc);
		if (which == 1 && !kt_str_error(&man))
			blob(man.buf, man.len, mrel, mdesc);
		else
			blob(data, size, mrel, mdesc);
		kt_str_printf(&idx, "{\"manifests\": [{%s}]}", mdesc);
		if (kt_str_error(&idx))
			abort();
		put("index.json", idx.buf, idx.len);
	}
	kprof_image_load(&img, layout_path(""), NULL, "amd64", &err);
	kprof_image_release(&img);
	/* blobs are named by content: remove them, or the directory grows forever */
	if (*crel)
		unlink(layout_path(crel));
	if (*mrel)
		unlink(layout_path(mrel));
	kt_str_free(&man);
	kt_str_free(&idx);
	kt_str_free(&err);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Container images as the workload's input (workload: {image: PATH[:TAG]}):
 * an OCI image layout or a `docker save` archive (its legacy form, or the
 * OCI one Docker 25 writes; both have manifest.json). Read here: which
 * manifest (by tag, then by platform through nested indexes), its config
 * (command, environment, user, working directory, exposed ports) and its
 * layers with the digests they must match. Each JSON document is checked
 * against the digest (and size) that names it before it is believed; the
 * layers are verified when the rootfs is made (kprof_image_layers) and
 * merged by rootfs.c.
 *
 * Messages name the file and the JSON key ("index.json: manifests[1].
 * digest: ..."), or line:col (offset) for JSON that does not parse.
 */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profiler/profiler.h"

/* An index, manifest or config is kilobytes; this bounds hostile input. */
#define IMAGE_JSON_MAX (4u << 20)
/* An index may name indexes (Docker's manifest lists inside OCI indexes). */
#define IMAGE_INDEX_DEPTH 4

#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"

void kprof_image_init(struct kprof_image *img)
{
	memset(img, 0, sizeof(*img));
	kt_array_init(&img->layers, sizeof(struct kprof_image_layer));
	kt_array_init(&img->entrypoint, sizeof(char *));
	kt_array_init(&img->cmd, sizeof(char *));
	kt_array_init(&img->env, sizeof(char *));
}

void kprof_image_release(struct kprof_image *img)
{
	for (size_t i = 0; i < img->layers.len; i++) {
		struct kprof_image_layer *l = kt_array_at(&img->layers, i);

		free(l->path);
		free(l->digest);
	}
	kt_array_free(&img->layers);
	kt_array_free_ptrs(&img->entrypoint);
	kt_array_free_ptrs(&img->cmd);
	kt_array_free_ptrs(&img->env);
	free(img->path);
	free(img->tag);
	free(img->platform);
	free(img->config_path);
	free(img->config_digest);
	free(img->member_prefix);
	free(img->user);
	free(img->workdir);
	memset(img, 0, sizeof(*img));
}

const char *kprof_image_arch(const char *machine)
{
	/* Go's GOARCH names, which OCI platforms use */
	if (!strcmp(machine, "x86_64") || !strcmp(machine, "amd64"))
		return "amd64";
	if (!strcmp(machine, "arm64") || !strcmp(machine, "aarch64"))
		return "arm64";
	return NULL;
}

/* "FILE: KEY: message" (KEY may be empty); returns -EINVAL. */
static int KT_PRINTF(4, 5) bad(struct kt_str *err, const char *file, const char *key,
			       const char *fmt, ...)
{
	va_list ap;

	kt_str_printf(err, "%s: %s%s", file, key, *key ? ": " : "");
	va_start(ap, fmt);
	kt_str_vprintf(err, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int json_parse(const char *name, const char *buf, size_t len, json_t **out,
		      struct kt_str *err)
{
	json_error_t je;
	json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);

	if (!j) {
		kt_str_printf(err, "%s:%d:%d (offset %d): bad JSON: %s", name, je.line,
			      je.column, je.position, je.text);
		return -EINVAL;
	}
	if (!json_is_object(j) && !json_is_array(j)) {
		json_decref(j);
		return bad(err, name, "", "not a JSON object");
	}
	*out = j;
	return 0;
}

/* The string at @key of @obj, NULL when absent; a non-string is an error. */
static int get_string(const char *file, const char *where, json_t *obj, const char *key,
		      const char **out, struct kt_str *err)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return bad(err, file, where, "%s must be a string", key);
	*out = json_string_value(v);
	return 0;
}

/*
 * The digest names a file (blobs/ALG/HEX) and is checked against one:
 * "sha256:" and 64 lower-case hex digits, nothing else (OCI requires
 * sha256; a digest that is a path names no blob).
 */
static bool digest_ok(const char *d)
{
	return d && !strncmp(d, "sha256:", 7) && strlen(d + 7) == 64 &&
	       strspn(d + 7, "0123456789abcdef") == 64;
}

static int sha256_buf(const char *buf, size_t len, char hex[65])
{
	struct kt_sha256 c;
	int ret = kt_sha256_init(&c);

	if (ret)
		return ret;
	kt_sha256_update(&c, buf, len);
	return kt_sha256_final_hex(&c, hex);
}

/* @buf must be what @digest says; @file names it in the message. */
static int digest_check(const char *file, const char *buf, size_t len, const char *digest,
			struct kt_str *err)
{
	char hex[65];
	int ret = sha256_buf(buf, len, hex);

	if (ret)
		return ret;
	if (strcmp(hex, digest + 7))
		return bad(err, file, "", "sha256 is %s, not the %s its digest says", hex,
			   digest + 7);
	return 0;
}

/* ---- reading documents ------------------------------------------------------ */

struct reader {
	struct kprof_image *img;
	struct kt_str *err;
};

/* A JSON file of the layout (@rel below it), at most IMAGE_JSON_MAX bytes. */
static int layout_read(struct reader *r, const char *rel, char **buf, size_t *len,
		       char **name)
{
	int ret;

	if (asprintf(name, "%s/%s", r->img->path, rel) < 0) {
		*name = NULL;
		return -ENOMEM;
	}
	ret = kt_read_regular_file(*name, IMAGE_JSON_MAX, buf, len);
	if (ret == -ENOENT)
		kt_str_printf(r->err, "%s: missing", *name);
	else if (ret == -EFBIG)
		kt_str_printf(r->err, "%s: larger than %u bytes", *name, IMAGE_JSON_MAX);
	else if (ret)
		kt_str_printf(r->err, "%s: %s", *name, strerror(-ret));
	return ret;
}

/* Member @rel of the archive on stdout, at most IMAGE_JSON_MAX bytes. */
static int archive_read(struct reader *r, const char *rel, char **buf, size_t *len,
			char **name, struct kt_str *err)
{
	struct kt_str member = KT_STR_INIT, out = KT_STR_INIT;
	/* --occurrence: stop at the member, not at the end of a big archive */
	const char *argv[] = { "tar", "--occurrence=1", "-xOf", r->img->path, "--", NULL, NULL };
	struct kt_proc_opts o = { .argv = argv, .out = &out, .out_max = IMAGE_JSON_MAX + 1,
				  .log_path = "/dev/null", .stdin_null = true };
	int ret;

	*buf = NULL;
	if (asprintf(name, "%s:%s", r->img->path, rel) < 0) {
		*name = NULL;
		return -ENOMEM;
	}
	kt_str_printf(&member, "%s%s", r->img->member_prefix ? r->img->member_prefix : "",
		      rel);
	if ((ret = kt_str_error(&member)))
		goto out;
	argv[5] = member.buf;
	ret = kt_proc_run(&o, NULL);
	if (ret == 0 && (ret = kt_str_error(&out)) == 0 && out.len > IMAGE_JSON_MAX) {
		kt_str_printf(err, "%s: larger than %u bytes", *name, IMAGE_JSON_MAX);
		ret = -EFBIG;
	} else if (ret > 0) {
		kt_str_printf(err, "%s: missing (tar status %d)", *name, ret);
		ret = -ENOENT;
	} else if (ret < 0) {
		kt_str_printf(err, "%s: %s", *name, strerror(-ret));
	}
	if (ret == 0) {
		*len = out.len;
		*buf = kt_str_steal(&out);
		if (!*buf) {
			/* an empty member: a buffer of its own */
			*buf = strdup("");
			ret = *buf ? 0 : -ENOMEM;
		}
	}
out:
	kt_str_free(&member);
	kt_str_free(&out);
	return ret;
}

/*
 * The layout's blob a descriptor (@desc, at @key of @file) names, read and checked
 * against its digest and size; the parsed JSON in *@out, the file name in
 * *@name.
 */
static int blob_json(struct reader *r, const char *file, const char *key, json_t *desc,
		     json_t **out, char **name)
{
	const char *digest;
	json_t *size;
	char *rel = NULL, *buf = NULL;
	size_t len = 0;
	int ret;

	*out = NULL;
	*name = NULL;
	if (!json_is_object(desc))
		return bad(r->err, file, key, "expected a descriptor (an object)");
	if ((ret = get_string(file, key, desc, "digest", &digest, r->err)))
		return ret;
	if (!digest_ok(digest))
		return bad(r->err, file, key, "digest '%s' is not sha256:<64 hex digits>",
			   digest ? digest : "(missing)");
	if (asprintf(&rel, "blobs/sha256/%s", digest + 7) < 0)
		return -ENOMEM;
	if ((ret = layout_read(r, rel, &buf, &len, name)))
		goto out;
	size = json_object_get(desc, "size");
	if (size && (!json_is_integer(size) || json_integer_value(size) != (json_int_t)len)) {
		ret = bad(r->err, file, key, "size is %zu bytes in %s, not the %s the "
			  "descriptor says", len, *name, size && json_is_integer(size) ?
			  "value" : "(non-integer) value");
		goto out;
	}
	if ((ret = digest_check(*name, buf, len, digest, r->err)) ||
	    (ret = json_parse(*name, buf, len, out, r->err)))
		goto out;
out:
	free(rel);
	free(buf);
	return ret;
}

/* ---- the config --------------------------------------------------------------- */

static int string_list(const char *file, const char *key, json_t *v, struct kt_array *a,
		       struct kt_str *err)
{
	size_t i;
	json_t *it;

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return bad(err, file, key, "expected a list of strings");
	json_array_foreach(v, i, it) {
		if (!json_is_string(it))
			return bad(err, file, key, "item %zu is not a string", i);
		if (kt_array_push_strdup(a, json_string_value(it)))
			return -ENOMEM;
	}
	return 0;
}

/* The lowest TCP port of ExposedPorts ("80/tcp", "8080" is TCP too). */
static int exposed_port(const char *file, json_t *ports, uint16_t *out, struct kt_str *err)
{
	const char *key;
	json_t *v;

	if (!ports || json_is_null(ports))
		return 0;
	if (!json_is_object(ports))
		return bad(err, file, "config.ExposedPorts", "expected an object");
	json_object_foreach(ports, key, v) {
		unsigned long port;
		const char *slash = strchr(key, '/');
		char num[8];
		size_t n = slash ? (size_t)(slash - key) : strlen(key);

		if (n == 0 || n >= sizeof(num))
			return bad(err, file, "config.ExposedPorts", "bad port '%s'", key);
		memcpy(num, key, n);
		num[n] = '\0';
		if (kt_parse_ulong(num, 65535, &port) || port == 0 ||
		    (slash && strcmp(slash, "/tcp") && strcmp(slash, "/udp") &&
		     strcmp(slash, "/sctp")))
			return bad(err, file, "config.ExposedPorts", "bad port '%s' "
				   "(PORT[/tcp|udp|sctp])", key);
		if ((!slash || !strcmp(slash, "/tcp")) && (!*out || port < *out))
			*out = (uint16_t)port;
	}
	return 0;
}

/* The image config: platform, then the run defaults (config.*) and diff_ids. */
static int config_parse(struct reader *r, const char *file, json_t *cfg, json_t **diff_ids)
{
	struct kprof_image *img = r->img;
	const char *arch, *os, *user, *wd;
	json_t *c, *env, *rootfs;
	size_t i;
	int ret;

	if (!json_is_object(cfg))
		return bad(r->err, file, "", "not a JSON object");
	if ((ret = get_string(file, "", cfg, "architecture", &arch, r->err)) ||
	    (ret = get_string(file, "", cfg, "os", &os, r->err)))
		return ret;
	if (!arch || !os)
		return bad(r->err, file, arch ? "os" : "architecture", "missing");
	if (strcmp(os, "linux") || strcmp(arch, img->arch))
		return bad(r->err, file, "architecture", "the image is for %s/%s, the "
			   "project for linux/%s", os, arch, img->arch);
	c = json_object_get(cfg, "config");
	if (c && !json_is_null(c) && !json_is_object(c))
		return bad(r->err, file, "config", "expected an object");
	if (c && json_is_object(c)) {
		if ((ret = string_list(file, "config.Entrypoint", json_object_get(c, "Entrypoint"),
				       &img->entrypoint, r->err)) ||
		    (ret = string_list(file, "config.Cmd", json_object_get(c, "Cmd"), &img->cmd,
				       r->err)) ||
		    (ret = string_list(file, "config.Env", env = json_object_get(c, "Env"),
				       &img->env, r->err)) ||
		    (ret = get_string(file, "config", c, "User", &user, r->err)) ||
		    (ret = get_string(file, "config", c, "WorkingDir", &wd, r->err)) ||
		    (ret = exposed_port(file, json_object_get(c, "ExposedPorts"), &img->port,
					r->err)))
			return ret;
		for (i = 0; i < img->env.len; i++) {
			const char *e = kt_array_ptr(&img->env, i);

			if (!strchr(e, '=') || e[0] == '=')
				return bad(r->err, file, "config.Env", "item %zu '%s' is not "
					   "NAME=VALUE", i, e);
		}
		if (wd && *wd && wd[0] != '/')
			return bad(r->err, file, "config.WorkingDir", "'%s' is not absolute", wd);
		if ((user && *user && !(img->user = strdup(user))) ||
		    (wd && *wd && !(img->workdir = strdup(wd))))
			return -ENOMEM;
	}
	rootfs = json_object_get(cfg, "rootfs");
	*diff_ids = rootfs ? json_object_get(rootfs, "diff_ids") : NULL;
	if (*diff_ids && !json_is_array(*diff_ids))
		return bad(r->err, file, "rootfs.diff_ids", "expected a list");
	return 0;
}

/* ---- OCI image layout ------------------------------------------------------ */

static const char *const layer_types[] = {
	"application/vnd.oci.image.layer.v1.tar",
	"application/vnd.oci.image.layer.v1.tar+gzip",
	"application/vnd.oci.image.layer.v1.tar+zstd",
	"application/vnd.docker.image.rootfs.diff.tar",
	"application/vnd.docker.image.rootfs.diff.tar.gzip",
	NULL,
};

static int layer_add(struct kprof_image *img, const char *path, const char *digest)
{
	struct kprof_image_layer l = { strdup(path), strdup(digest) };

	if (!l.path || !l.digest || !kt_array_push(&img->layers, &l)) {
		free(l.path);
		free(l.digest);
		return -ENOMEM;
	}
	return 0;
}

/* The manifest: its config, then its layers (verified later, by file). */
static int manifest_parse(struct reader *r, const char *file, json_t *man)
{
	struct kprof_image *img = r->img;
	json_t *cfg = NULL, *layers, *desc, *diff_ids;
	char *cfg_name = NULL, key[48], blob[96];
	const char *digest, *mt;
	size_t i;
	int ret;

	layers = json_object_get(man, "layers");
	if (!json_is_array(layers))
		return bad(r->err, file, "layers", "missing or not a list");
	if (!json_object_get(man, "config"))
		return bad(r->err, file, "config", "missing (the image config is required)");
	if ((ret = blob_json(r, file, "config", json_object_get(man, "config"), &cfg, &cfg_name)) ||
	    (ret = config_parse(r, cfg_name, cfg, &diff_ids)))
		goto out;
	if ((ret = get_string(file, "config", json_object_get(man, "config"), "digest", &digest,
			      r->err)))
		goto out;
	if (!(img->config_digest = strdup(digest)) ||
	    asprintf(&img->config_path, "blobs/sha256/%s", digest + 7) < 0) {
		img->config_path = NULL;
		ret = -ENOMEM;
		goto out;
	}
	json_array_foreach(layers, i, desc) {
		int t;

		snprintf(key, sizeof(key), "layers[%zu]", i);
		if ((ret = get_string(file, key, desc, "digest", &digest, r->err)) ||
		    (ret = get_string(file, key, desc, "mediaType", &mt, r->err)))
			goto out;
		for (t = 0; mt && layer_types[t] && strcmp(mt, layer_types[t]); t++)
			;
		if (mt && !layer_types[t]) {
			ret = bad(r->err, file, key, "layer type %s is not supported (tar, "
				  "tar+gzip, tar+zstd)", mt);
			goto out;
		}
		if (!digest_ok(digest)) {
			ret = bad(r->err, file, key, "digest '%s' is not sha256:<64 hex digits>",
				  digest ? digest : "(missing)");
			goto out;
		}
		snprintf(blob, sizeof(blob), "blobs/sha256/%s", digest + 7);
		if ((ret = layer_add(img, blob, digest)))
			goto out;
	}
out:
	json_decref(cfg);
	free(cfg_name);
	return ret;
}

static bool platform_fits(const struct kprof_image *img, json_t *p)
{
	const char *os = json_string_value(json_object_get(p, "os"));
	const char *arch = json_string_value(json_object_get(p, "architecture"));
	const char *variant = json_string_value(json_object_get(p, "variant"));

	if (!os || !arch || strcmp(os, "linux") || strcmp(arch, img->arch))
		return false;
	/* arm64 is v8 whatever else it supports; amd64's levels run here */
	return !variant || strcmp(arch, "arm64") || !strcmp(variant, "v8");
}

/* An image name @v is @tag, or NAME:@tag. */
static bool name_fits(const char *v, const char *tag)
{
	size_t vl = v ? strlen(v) : 0, tl = strlen(tag);

	return v && (!strcmp(v, tag) ||
		     (vl > tl && v[vl - tl - 1] == ':' && !strcmp(v + vl - tl, tag)));
}

/* A manifest descriptor named by @tag (its ref name, or containerd's image name)? */
static bool ref_fits(json_t *desc, const char *tag)
{
	json_t *ann = json_object_get(desc, "annotations");

	return name_fits(json_string_value(json_object_get(ann,
			 "org.opencontainers.image.ref.name")), tag) ||
	       name_fits(json_string_value(json_object_get(ann, "io.containerd.image.name")), tag);
}

struct choice {
	struct kt_str seen;	/* platforms offered, for the message */
	bool done;
};

static int index_walk(struct reader *r, const char *file, json_t *idx, int depth,
		      struct choice *ch);

/*
 * One descriptor of an index: an index again (walked), or a manifest,
 * taken when its platform fits (or says none: its config's is checked).
 */
static int desc_take(struct reader *r, const char *file, const char *key, json_t *desc,
		     int depth, struct choice *ch)
{
	json_t *plat = json_object_get(desc, "platform"), *doc = NULL;
	const char *mt;
	char *name = NULL;
	int ret;

	if ((ret = get_string(file, key, desc, "mediaType", &mt, r->err)))
		return ret;
	if (plat && !json_is_object(plat))
		return bad(r->err, file, key, "platform must be an object");
	if (plat) {
		const char *os = json_string_value(json_object_get(plat, "os"));
		const char *arch = json_string_value(json_object_get(plat, "architecture"));
		const char *var = json_string_value(json_object_get(plat, "variant"));

		kt_str_printf(&ch->seen, "%s%s/%s%s%s", ch->seen.len ? ", " : "",
			      os ? os : "?", arch ? arch : "?", var ? "/" : "", var ? var : "");
		if (!platform_fits(r->img, plat))
			return 0;
	}
	if (mt && strcmp(mt, MT_OCI_INDEX) && strcmp(mt, MT_DOCKER_LIST) &&
	    strcmp(mt, MT_OCI_MANIFEST) && strcmp(mt, MT_DOCKER_MANIFEST))
		return bad(r->err, file, key, "media type %s is neither an image index nor a "
			   "manifest", mt);
	if ((ret = blob_json(r, file, key, desc, &doc, &name)))
		goto out;
	/* without a media type (allowed in old layouts) the document says what it is */
	if (mt ? !strcmp(mt, MT_OCI_INDEX) || !strcmp(mt, MT_DOCKER_LIST)
	       : json_object_get(doc, "manifests") != NULL) {
		if (depth >= IMAGE_INDEX_DEPTH)
			ret = bad(r->err, name, "", "indexes nested deeper than %d",
				  IMAGE_INDEX_DEPTH);
		else
			ret = index_walk(r, name, doc, depth + 1, ch);
		goto out;
	}
	if (!json_is_object(doc)) {
		ret = bad(r->err, name, "", "a manifest must be a JSON object");
		goto out;
	}
	ch->done = true;
	ret = manifest_parse(r, name, doc);
out:
	json_decref(doc);
	free(name);
	return ret;
}

static int index_walk(struct reader *r, const char *file, json_t *idx, int depth,
		      struct choice *ch)
{
	json_t *mans = json_object_get(idx, "manifests"), *desc;
	bool named = false;
	char key[48];
	size_t i;
	int ret = 0;

	if (!json_is_array(mans))
		return bad(r->err, file, "manifests", "missing or not a list");
	json_array_foreach(mans, i, desc) {
		snprintf(key, sizeof(key), "manifests[%zu]", i);
		if (!json_is_object(desc))
			return bad(r->err, file, key, "expected a descriptor (an object)");
		/* the tag names an entry of the layout's own index.json */
		if (depth == 0 && r->img->tag && !ref_fits(desc, r->img->tag))
			continue;
		named = true;
		if ((ret = desc_take(r, file, key, desc, depth, ch)) || ch->done)
			return ret;
	}
	if (depth == 0 && r->img->tag && !named)
		return bad(r->err, file, "manifests", "no manifest is named '%s' "
			   "(annotation org.opencontainers.image.ref.name)", r->img->tag);
	return 0;
}

static int oci_load(struct reader *r)
{
	struct choice ch = { KT_STR_INIT, false };
	char *buf = NULL, *name = NULL;
	json_t *idx = NULL;
	size_t len;
	int ret;

	if ((ret = layout_read(r, "index.json", &buf, &len, &name)) ||
	    (ret = json_parse(name, buf, len, &idx, r->err)))
		goto out;
	if (!json_is_object(idx)) {
		ret = bad(r->err, name, "", "not a JSON object");
		goto out;
	}
	if ((ret = index_walk(r, name, idx, 0, &ch)))
		goto out;
	if (!ch.done)
		ret = bad(r->err, name, "manifests", "no manifest for linux/%s; the image "
			  "has %s", r->img->arch, ch.seen.len ? kt_str_cstr(&ch.seen) : "none");
out:
	json_decref(idx);
	kt_str_free(&ch.seen);
	free(buf);
	free(name);
	return ret;
}

/* ---- docker save -------------------------------------------------------------- */

/*
 * A member name from manifest.json: relative, no "..", as GNU tar would
 * extract it (it refuses the others anyway; a clear message is better).
 */
static bool member_ok(const char *m)
{
	const char *p = m;

	if (!*m || *m == '/' || *m == '-')
		return false;
	while (*p) {
		size_t n = strcspn(p, "/");

		if ((n == 2 && !strncmp(p, "..", 2)) || n == 0)
			return false;
		p += n;
		if (*p == '/')
			p++;
	}
	return strcspn(m, "\n\\*?[") == strlen(m);
}

/* "blobs/sha256/HEX" or "HEX.json": the sha256 a member's name carries, or NULL. */
static const char *member_hex(const char *m, const char *suffix)
{
	const char *base = strrchr(m, '/');
	size_t n;

	base = base ? base + 1 : m;
	n = strlen(base);
	if (n != 64 + strlen(suffix) || strcmp(base + 64, suffix) ||
	    strspn(base, "0123456789abcdef") != 64)
		return NULL;
	return base;
}

static bool repo_tag_fits(json_t *tags, const char *tag)
{
	size_t i;
	json_t *t;

	json_array_foreach(tags, i, t)
		if (name_fits(json_string_value(t), tag))
			return true;
	return false;
}

static int docker_load(struct reader *r)
{
	struct kprof_image *img = r->img;
	char *buf = NULL, *name = NULL, *cname = NULL, key[64], hexd[72];
	json_t *man = NULL, *cfg = NULL, *entry = NULL, *e, *layers, *l, *diff_ids;
	struct kt_str quiet = KT_STR_INIT;	/* the first try's message */
	const char *cpath, *chex;
	size_t i;
	int ret;

	/* "manifest.json", or "./manifest.json" from `tar -C dir -cf x.tar .` */
	ret = archive_read(r, "manifest.json", &buf, &i, &name, &quiet);
	if (ret == -ENOENT) {
		free(name);
		name = NULL;
		kt_str_reset(&quiet);
		if (!(img->member_prefix = strdup("./")))
			return -ENOMEM;
		ret = archive_read(r, "manifest.json", &buf, &i, &name, &quiet);
	}
	if (ret == -ENOENT)
		kt_str_printf(r->err, "%s: neither an OCI image layout nor a `docker save` "
			      "archive (no manifest.json in it)", img->path);
	else if (ret)
		kt_str_puts(r->err, kt_str_cstr(&quiet));
	if (ret || (ret = json_parse(name, buf, i, &man, r->err)))
		goto out;
	if (!json_is_array(man) || !json_array_size(man)) {
		ret = bad(r->err, name, "", "expected a non-empty list of images");
		goto out;
	}
	json_array_foreach(man, i, e) {
		json_t *tags = json_object_get(e, "RepoTags");

		if (!img->tag || (json_is_array(tags) && repo_tag_fits(tags, img->tag))) {
			entry = e;
			snprintf(key, sizeof(key), "[%zu]", i);
			break;
		}
	}
	if (!entry) {
		ret = bad(r->err, name, "RepoTags", "no image is tagged '%s'", img->tag);
		goto out;
	}
	if (!json_is_object(entry)) {
		ret = bad(r->err, name, key, "expected an object");
		goto out;
	}
	snprintf(key + strlen(key), sizeof(key) - strlen(key), ".Config");
	if ((ret = get_string(name, "", entry, "Config", &cpath, r->err)))
		goto out;
	if (!cpath || !member_ok(cpath) ||
	    !((chex = member_hex(cpath, ".json")) || (chex = member_hex(cpath, "")))) {
		ret = bad(r->err, name, key, "'%s' is not a member named by its sha256 "
			  "(HEX.json or blobs/sha256/HEX)", cpath ? cpath : "(missing)");
		goto out;
	}
	free(buf);
	buf = NULL;
	snprintf(hexd, sizeof(hexd), "sha256:%.64s", chex);
	if ((ret = archive_read(r, cpath, &buf, &i, &cname, r->err)) ||
	    (ret = digest_check(cname, buf, i, hexd, r->err)) ||
	    (ret = json_parse(cname, buf, i, &cfg, r->err)) ||
	    (ret = config_parse(r, cname, cfg, &diff_ids)))
		goto out;
	if (!(img->config_path = strdup(cpath)) || !(img->config_digest = strdup(hexd))) {
		ret = -ENOMEM;
		goto out;
	}
	key[strlen(key) - strlen(".Config")] = '\0';
	layers = json_object_get(entry, "Layers");
	if (!json_is_array(layers)) {
		ret = bad(r->err, name, key, "Layers: missing or not a list");
		goto out;
	}
	json_array_foreach(layers, i, l) {
		const char *path = json_string_value(l), *hex;
		const char *diff = json_string_value(json_array_get(diff_ids, i));

		snprintf(key + strlen(key), sizeof(key) - strlen(key), ".Layers[%zu]", i);
		if (!path || !member_ok(path)) {
			ret = bad(r->err, name, key, "not a relative member name");
			goto out;
		}
		/* content-addressed (the OCI form) or checked against the config's diff_ids */
		if ((hex = member_hex(path, ""))) {
			snprintf(hexd, sizeof(hexd), "sha256:%.64s", hex);
		} else if (digest_ok(diff)) {
			snprintf(hexd, sizeof(hexd), "%s", diff);
		} else {
			ret = bad(r->err, cname, "rootfs.diff_ids", "no sha256 for layer %zu "
				  "(%s)", i, path);
			goto out;
		}
		if ((ret = layer_add(img, path, hexd)))
			goto out;
		*strrchr(key, '.') = '\0';
	}
	if (json_array_size(diff_ids) != img->layers.len)
		ret = bad(r->err, cname, "rootfs.diff_ids", "%zu entries for %zu layers",
			  json_array_size(diff_ids), img->layers.len);
out:
	json_decref(man);
	json_decref(cfg);
	free(buf);
	free(name);
	free(cname);
	kt_str_free(&quiet);
	return ret;
}

/* ---- entry points -------------------------------------------------------------- */

int kprof_image_load(struct kprof_image *img, const char *path, const char *tag,
		     const char *arch, struct kt_str *err)
{
	struct reader r = { img, err };
	struct stat st;
	char *probe = NULL;
	int ret;

	kprof_image_init(img);
	if (!(img->path = strdup(path)) || (tag && !(img->tag = strdup(tag))))
		return -ENOMEM;
	snprintf(img->arch, sizeof(img->arch), "%s", arch);
	if (stat(path, &st)) {
		ret = -errno;
		kt_str_printf(err, "%s: %s", path, strerror(errno));
		return ret;
	}
	if (S_ISDIR(st.st_mode)) {
		if (asprintf(&probe, "%s/oci-layout", path) < 0)
			return -ENOMEM;
		ret = access(probe, F_OK);
		free(probe);
		if (ret) {
			kt_str_printf(err, "%s: a directory without oci-layout is no OCI image "
				      "layout (a plain root filesystem goes in rootfs:)", path);
			return -EINVAL;
		}
		img->kind = KPROF_ROOTFS_OCI;
		ret = oci_load(&r);
	} else if (S_ISREG(st.st_mode)) {
		img->kind = KPROF_ROOTFS_DOCKER;
		ret = docker_load(&r);
	} else {
		kt_str_printf(err, "%s: neither an OCI image layout nor a `docker save` archive",
			      path);
		return -EINVAL;
	}
	if (!ret && asprintf(&img->platform, "linux/%s", img->arch) < 0) {
		img->platform = NULL;
		ret = -ENOMEM;
	}
	return ret;
}

/* A layer (or config) file of @dir, checked against @digest. */
static int file_verify(const char *path, const char *digest, struct kt_str *err)
{
	struct stat st;
	char hex[65];
	int ret;

	/* a layout's blob may be a symlink (its content is what counts) */
	if (stat(path, &st) < 0) {
		ret = -errno;
		kt_str_printf(err, "%s: %s blob", path, errno == ENOENT ? "missing" :
			      strerror(errno));
		return ret;
	}
	if (!S_ISREG(st.st_mode)) {
		kt_str_printf(err, "%s: not a regular file", path);
		return -EINVAL;
	}
	if ((ret = kt_sha256_file(path, hex))) {
		kt_str_printf(err, "%s: %s", path, strerror(-ret));
		return ret;
	}
	if (strcmp(hex, digest + 7))
		return bad(err, path, "", "sha256 is %s, not the %s its digest says", hex,
			   digest + 7);
	return 0;
}

int kprof_image_layers(const struct kprof_image *img, const char *workdir,
		       struct kt_array *files, struct kt_str *err)
{
	struct kt_array argv = KT_ARRAY_INIT(char *);
	const char *dir = img->path;
	char *p = NULL;
	int ret = 0;

	if (img->kind == KPROF_ROOTFS_DOCKER) {
		/* the config again (the archive is the one loaded), and the layers */
		static const char *const head[] = { "tar", "-x", "--no-same-owner", "-f" };

		for (size_t i = 0; i < KT_ARRAY_SIZE(head) && !ret; i++)
			ret = kt_array_push_strdup(&argv, head[i]);
		if (!ret)
			ret = kt_array_push_strdup(&argv, img->path);
		if (!ret)
			ret = kt_array_push_strdup(&argv, "-C");
		if (!ret)
			ret = kt_array_push_strdup(&argv, workdir);
		if (!ret)
			ret = kt_array_push_strdup(&argv, "--");
		for (size_t i = 0; i <= img->layers.len && !ret; i++) {
			const char *m = i < img->layers.len ?
				((struct kprof_image_layer *)kt_array_at(&img->layers, i))->path :
				img->config_path;

			if (asprintf(&p, "%s%s", img->member_prefix ? img->member_prefix : "",
				     m) < 0 || kt_array_push_ptr(&argv, p)) {
				free(p);
				ret = -ENOMEM;
			}
		}
		if (!ret && (ret = kt_array_push_ptr(&argv, NULL)) == 0 &&
		    (ret = kt_run((const char *const *)argv.items, NULL, NULL))) {
			kt_str_printf(err, "unpacking the layers of %s failed (tar status %d)",
				      img->path, ret);
			ret = ret < 0 ? ret : -EIO;
		}
		dir = workdir;
		if (!ret && asprintf(&p, "%s/%s", dir, img->config_path) >= 0) {
			ret = file_verify(p, img->config_digest, err);
			free(p);
		}
	}
	for (size_t i = 0; i < img->layers.len && !ret; i++) {
		const struct kprof_image_layer *l = kt_array_at(&img->layers, i);

		if (asprintf(&p, "%s/%s", dir, l->path) < 0) {
			ret = -ENOMEM;
			break;
		}
		if (!(ret = file_verify(p, l->digest, err)))
			ret = kt_array_push_ptr(files, p);
		if (ret)
			free(p);
	}
	kt_array_free_ptrs(&argv);
	return ret;
}

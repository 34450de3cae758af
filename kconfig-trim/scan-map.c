// SPDX-License-Identifier: GPL-2.0-only
/*
 * The feature map: facts a profile names -> the symbols the tree's build
 * needs for them. The scanners fill it; the cache stores it.
 */
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kconfig-trim/trim-internal.h"

struct kconf_featmap {
	char *srcarch;
	struct kt_map *pool;			/* interned strings */
	struct kt_map *kinds[KCONF_FEAT_NKINDS];	/* name -> struct kconf_feat * */
	struct kt_map *aliases;			/* socket alias -> canonical */
	struct kt_array wild;	/* const char *: module alias keys with wildcards */
	bool from_cache;
	/* Loaded from the cache: strings point into @backing, no copies. */
	char *backing;
};

static const char *const kind_names[KCONF_FEAT_NKINDS] = {
	[KCONF_FEAT_MODULE] = "module",
	[KCONF_FEAT_SYSCALL] = "syscall",
	[KCONF_FEAT_FILESYSTEM] = "filesystem",
	[KCONF_FEAT_SOCKET] = "socket",
	[KCONF_FEAT_CGROUP] = "cgroup",
	[KCONF_FEAT_NAMESPACE] = "namespace",
	[KCONF_FEAT_MODALIAS] = "module-alias",
	[KCONF_FEAT_INITCALL] = "initcall",
	[KCONF_FEAT_DEVICE] = "device",
	[KCONF_FEAT_SYSCTL] = "sysctl",
};

/* Definitions of one initcall name kept apart ("fn", "fn#2", ...). */
#define INITCALL_MAX_DEFS 16

const char *kconf_feat_kind_name(enum kconf_feat_kind kind)
{
	return kind < KCONF_FEAT_NKINDS ? kind_names[kind] : "?";
}

int kconf_feat_kind_parse(const char *s, enum kconf_feat_kind *kind)
{
	for (int k = 0; k < KCONF_FEAT_NKINDS; k++) {
		if (strcmp(s, kind_names[k]) == 0) {
			*kind = (enum kconf_feat_kind)k;
			return 0;
		}
	}
	return -EINVAL;
}

static void feat_free(void *p)
{
	struct kconf_feat *f = p;

	if (f)
		free((void *)f->links);
	free(f);
}

struct kconf_featmap *kconf_featmap_new(const char *srcarch)
{
	struct kconf_featmap *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	kt_array_init(&m->wild, sizeof(char *));
	m->srcarch = strdup(srcarch);
	m->pool = kt_map_new(free);
	m->aliases = kt_map_new(NULL);
	for (int k = 0; k < KCONF_FEAT_NKINDS; k++)
		m->kinds[k] = kt_map_new(feat_free);
	for (int k = 0; k < KCONF_FEAT_NKINDS; k++) {
		if (!m->kinds[k])
			goto fail;
	}
	if (m->srcarch && m->pool && m->aliases)
		return m;
fail:
	kconf_featmap_free(m);
	return NULL;
}

void kconf_featmap_free(struct kconf_featmap *m)
{
	if (!m)
		return;
	for (int k = 0; k < KCONF_FEAT_NKINDS; k++)
		kt_map_free(m->kinds[k]);
	kt_map_free(m->aliases);
	kt_array_free(&m->wild);
	kt_map_free(m->pool);
	free(m->backing);
	free(m->srcarch);
	free(m);
}

const char *kconf_featmap_intern(struct kconf_featmap *m, const char *s)
{
	char *v = kt_map_get(m->pool, s);

	if (v)
		return v;
	v = strdup(s);
	if (!v || kt_map_set(m->pool, s, v) < 0) {
		free(v);
		return NULL;
	}
	return v;
}

int kconf_chain_push(struct kconf_chain *c, const char *sym, const char *where)
{
	struct kconf_feat_link *v;

	/* A chain is a conjunction: a symbol already in it adds nothing. */
	for (size_t i = 0; i < c->n; i++) {
		if (strcmp(c->v[i].sym, sym) == 0)
			return 0;
	}
	v = realloc(c->v, (c->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	c->v = v;
	c->v[c->n].sym = sym;
	c->v[c->n].where = where;
	c->n++;
	return 0;
}

int kconf_chain_copy(struct kconf_chain *dst, const struct kconf_chain *src)
{
	dst->n = 0;
	dst->v = NULL;
	if (!src || !src->n)
		return 0;
	dst->v = malloc(src->n * sizeof(*dst->v));
	if (!dst->v)
		return -ENOMEM;
	memcpy(dst->v, src->v, src->n * sizeof(*dst->v));
	dst->n = src->n;
	return 0;
}

void kconf_chain_release(struct kconf_chain *c)
{
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

bool kconf_is_ident_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

int kconf_chain_add_config_refs(struct kconf_featmap *m, struct kconf_chain *c,
				const char *s, size_t n, const char *where)
{
	const char *end = s + n;
	const char *p = s;

	while ((p = memmem(p, (size_t)(end - p), "CONFIG_", 7))) {
		const char *q = p + 7;
		char name[256];
		const char *sym;
		size_t len;
		int r;

		if (p > s && kconf_is_ident_char((unsigned char)p[-1])) {
			p = q;
			continue;
		}
		while (q < end && kconf_is_ident_char((unsigned char)*q))
			q++;
		len = (size_t)(q - (p + 7));
		if (len && len < sizeof(name)) {
			memcpy(name, p + 7, len);
			name[len] = '\0';
			sym = kconf_featmap_intern(m, name);
			if (!sym)
				return -ENOMEM;
			r = kconf_chain_push(c, sym, where);
			if (r < 0)
				return r;
		}
		p = q;
	}
	return 0;
}

/*
 * Module names and aliases treat '-' and '_' alike, as modprobe does;
 * inside an alias's [...] a '-' is a range and stays (libkmod's rule).
 */
static void key_normalise(enum kconf_feat_kind kind, const char *name,
			  char *buf, size_t size)
{
	bool dash = kind == KCONF_FEAT_MODULE || kind == KCONF_FEAT_MODALIAS;
	bool bracket = false;
	size_t i;

	for (i = 0; name[i] && i + 1 < size; i++) {
		if (name[i] == '[')
			bracket = true;
		else if (name[i] == ']')
			bracket = false;
		buf[i] = dash && !bracket && name[i] == '-' ? '_' : name[i];
	}
	buf[i] = '\0';
}

int kconf_featmap_add(struct kconf_featmap *m, enum kconf_feat_kind kind,
		      const char *name, const char *where,
		      const struct kconf_chain *chain)
{
	struct kconf_feat *old, *f;
	struct kconf_feat_link *links = NULL;
	size_t n = chain ? chain->n : 0;
	char key[256];

	key_normalise(kind, name, key, sizeof(key));
	if (kind == KCONF_FEAT_SOCKET) {
		const char *canon = kt_map_get(m->aliases, key);

		if (canon)
			snprintf(key, sizeof(key), "%s", canon);
	}
	old = kt_map_get(m->kinds[kind], key);
	/* Static functions of one name in several files: each is a definition. */
	for (unsigned nth = 2; kind == KCONF_FEAT_INITCALL && old && !m->backing &&
	     nth <= INITCALL_MAX_DEFS; nth++) {
		char base[256];

		snprintf(base, sizeof(base), "%s", name);
		snprintf(key, sizeof(key), "%.240s#%u", base, nth);
		old = kt_map_get(m->kinds[kind], key);
	}
	if (kind == KCONF_FEAT_INITCALL && old && !m->backing)
		return 0;	/* more than INITCALL_MAX_DEFS: the first ones stand */
	/*
	 * A feature defined in several places (tmpfs with and without SHMEM,
	 * a syscall in generic and arch code) is available when any of them
	 * is built; the cheapest alternative is the one to ask for. Ties keep
	 * the first seen, which the sorted walk makes reproducible.
	 */
	if (old && old->nlinks <= n)
		return 0;
	f = calloc(1, sizeof(*f));
	if (n)
		links = malloc(n * sizeof(*links));
	if (!f || (n && !links))
		goto nomem;
	if (n)
		memcpy(links, chain->v, n * sizeof(*links));
	f->kind = kind;
	f->name = m->backing && strcmp(key, name) == 0 ? name :
		  kconf_featmap_intern(m, key);
	f->where = m->backing ? where : kconf_featmap_intern(m, where);
	f->nlinks = n;
	f->links = links;
	if (!f->name || !f->where)
		goto nomem;
	if (kt_map_set(m->kinds[kind], key, f) < 0)
		goto nomem;
	/* a wildcard alias is matched against names, not looked up */
	if (!old && kind == KCONF_FEAT_MODALIAS && strpbrk(key, "*?[") &&
	    kt_array_push_ptr(&m->wild, (void *)kconf_featmap_intern(m, key)) < 0)
		return -ENOMEM;
	return 0;
nomem:
	free(links);
	free(f);
	return -ENOMEM;
}

int kconf_featmap_add_alias(struct kconf_featmap *m, const char *alias,
			    const char *canonical)
{
	const char *c = kconf_featmap_intern(m, canonical);

	if (!c || kt_map_set(m->aliases, alias, (void *)c) < 0)
		return -ENOMEM;
	return 0;
}

/* @key (normalised) as an alias: exact, else the cheapest wildcard match. */
static const struct kconf_feat *modalias_lookup(const struct kconf_featmap *m,
						const char *key)
{
	const struct kconf_feat *f = kt_map_get(m->kinds[KCONF_FEAT_MODALIAS], key);

	if (f)
		return f;
	for (size_t i = 0; i < m->wild.len; i++) {
		const char *pat = kt_array_ptr(&m->wild, i);
		const struct kconf_feat *g;

		if (fnmatch(pat, key, 0) != 0)
			continue;
		g = kt_map_get(m->kinds[KCONF_FEAT_MODALIAS], pat);
		if (g && (!f || g->nlinks < f->nlinks))
			f = g;
	}
	return f;
}

const struct kconf_feat *kconf_featmap_lookup(const struct kconf_featmap *m,
					      enum kconf_feat_kind kind,
					      const char *name)
{
	const char *canon;
	char key[256];

	if (kind >= KCONF_FEAT_NKINDS)
		return NULL;
	key_normalise(kind, name, key, sizeof(key));
	if (kind == KCONF_FEAT_SOCKET) {
		canon = kt_map_get(m->aliases, key);
		if (canon)
			return kt_map_get(m->kinds[kind], canon);
	}
	if (kind == KCONF_FEAT_MODULE) {
		const struct kconf_feat *f = kt_map_get(m->kinds[kind], key);

		return f ? f : modalias_lookup(m, key);
	}
	if (kind == KCONF_FEAT_MODALIAS)
		return modalias_lookup(m, key);
	if (kind == KCONF_FEAT_DEVICE && strncmp(key, "/dev/", 5) == 0)
		memmove(key, key + 5, strlen(key + 5) + 1);
	if (kind == KCONF_FEAT_SYSCTL) {
		/* net.ipv4.conf.all.forwarding -> net.ipv4.conf -> net.ipv4 ... */
		for (char *dot;; *dot = '\0') {
			const struct kconf_feat *f = kt_map_get(m->kinds[kind], key);

			dot = strrchr(key, '.');
			if (f || !dot)
				return f;
		}
	}
	return kt_map_get(m->kinds[kind], key);
}

const struct kconf_feat *kconf_featmap_lookup_nth(const struct kconf_featmap *m,
						  enum kconf_feat_kind kind,
						  const char *name, unsigned nth)
{
	char key[256];

	if (nth == 0)
		return kconf_featmap_lookup(m, kind, name);
	if (kind >= KCONF_FEAT_NKINDS || nth >= INITCALL_MAX_DEFS)
		return NULL;
	snprintf(key, sizeof(key), "%.240s#%u", name, nth + 1);
	return kt_map_get(m->kinds[kind], key);
}

void kconf_featmap_each(const struct kconf_featmap *m, enum kconf_feat_kind kind,
			void (*fn)(const struct kconf_feat *f, void *ctx), void *ctx)
{
	struct kt_map_iter it;

	if (kind >= KCONF_FEAT_NKINDS)
		return;
	kt_map_iter_init(&it, m->kinds[kind]);
	while (kt_map_iter_next(&it))
		fn(it.value, ctx);
}

size_t kconf_featmap_count(const struct kconf_featmap *m,
			   enum kconf_feat_kind kind)
{
	return kind < KCONF_FEAT_NKINDS ? kt_map_len(m->kinds[kind]) : 0;
}

bool kconf_featmap_from_cache(const struct kconf_featmap *m)
{
	return m->from_cache;
}

/* For the cache writer: walk features and aliases in insertion order. */
void kconf_featmap_walk(const struct kconf_featmap *m,
			void (*feat_cb)(const struct kconf_feat *, void *),
			void (*alias_cb)(const char *, const char *, void *),
			void *ctx)
{
	struct kt_map_iter it;

	for (int k = 0; k < KCONF_FEAT_NKINDS; k++) {
		kt_map_iter_init(&it, m->kinds[k]);
		while (kt_map_iter_next(&it))
			feat_cb(it.value, ctx);
	}
	kt_map_iter_init(&it, m->aliases);
	while (kt_map_iter_next(&it))
		alias_cb(it.key, it.value, ctx);
}

const char *kconf_featmap_srcarch(const struct kconf_featmap *m)
{
	return m->srcarch;
}

void kconf_featmap_set_from_cache(struct kconf_featmap *m, bool v)
{
	m->from_cache = v;
}

void kconf_featmap_adopt(struct kconf_featmap *m, char *backing)
{
	free(m->backing);
	m->backing = backing;
}

/* Headers read outside the directory walk; their edits invalidate. */
static const char *const scanned_headers[] = {
	"include/linux/socket.h",
	"include/linux/cgroup_subsys.h",
};

static int stamp_push(struct kt_array *a, const char *rel)
{
	char *s = strdup(rel);

	if (!s || kt_array_push_ptr(a, s) < 0) {
		free(s);
		return -ENOMEM;
	}
	return 0;
}

int kconf_featmap_scan_stamps(const char *ksrc, const char *srcarch,
			      struct kconf_featmap **out, struct kt_array *stamps)
{
	struct kconf_makefiles kb = { 0 };
	struct kconf_featmap *m;
	int r;

	*out = NULL;
	m = kconf_featmap_new(srcarch);
	if (!m)
		return -ENOMEM;
	r = kconf_makefiles_scan(m, ksrc, srcarch, &kb);
	if (r < 0)
		goto out;
	/* Aliases first: registrations are stored under canonical names. */
	r = kconf_hdrscan_socket_aliases(m, ksrc);
	if (r < 0)
		goto out;
	r = kconf_srcscan_tree(m, ksrc, &kb);
	if (r < 0)
		goto out;
	r = kconf_hdrscan_cgroups(m, ksrc, &kb);
	if (r < 0)
		goto out;
	for (size_t i = 0; i < KT_ARRAY_SIZE(scanned_headers); i++) {
		r = stamp_push(&kb.stamps, scanned_headers[i]);
		if (r < 0)
			goto out;
	}
	if (stamps) {
		for (size_t i = 0; i < kb.stamps.len; i++) {
			r = kt_array_push_ptr(stamps, kt_array_ptr(&kb.stamps, i));
			if (r < 0)
				goto out;
		}
		kb.stamps.len = 0;	/* ownership moved */
	}
	*out = m;
	m = NULL;
out:
	kconf_makefiles_release(&kb);
	kconf_featmap_free(m);
	return r;
}

int kconf_featmap_scan(const char *ksrc, const char *srcarch,
		       struct kconf_featmap **out)
{
	return kconf_featmap_scan_stamps(ksrc, srcarch, out, NULL);
}

int kconf_featmap_load(const char *ksrc, const char *srcarch,
		       const char *cache_dir, bool rescan,
		       struct kconf_featmap **out)
{
	struct kt_array stamps = KT_ARRAY_INIT(char *);
	struct kt_str path = KT_STR_INIT;
	char real[PATH_MAX];
	int r;

	*out = NULL;
	if (!realpath(ksrc, real))
		return -errno;
	r = kconf_featmap_cache_path(cache_dir, real, srcarch, &path);
	if (r < 0)
		goto out;
	if (!rescan) {
		r = kconf_featmap_cache_load(kt_str_cstr(&path), real, out);
		if (r == 0) {
			kconf_featmap_set_from_cache(*out, true);
			goto out;
		}
	}
	kt_progress("scanning %s for feature maps (once per tree)", real);
	r = kconf_featmap_scan_stamps(real, srcarch, out, &stamps);
	if (r < 0)
		goto out;
	kt_progress("feature maps: %zu modules/objects, %zu module aliases, %zu syscalls, "
		    "%zu filesystems, %zu socket families, %zu cgroup controllers, "
		    "%zu namespaces, %zu device nodes, %zu sysctl directories",
		    kconf_featmap_count(*out, KCONF_FEAT_MODULE),
		    kconf_featmap_count(*out, KCONF_FEAT_MODALIAS),
		    kconf_featmap_count(*out, KCONF_FEAT_SYSCALL),
		    kconf_featmap_count(*out, KCONF_FEAT_FILESYSTEM),
		    kconf_featmap_count(*out, KCONF_FEAT_SOCKET),
		    kconf_featmap_count(*out, KCONF_FEAT_CGROUP),
		    kconf_featmap_count(*out, KCONF_FEAT_NAMESPACE),
		    kconf_featmap_count(*out, KCONF_FEAT_DEVICE),
		    kconf_featmap_count(*out, KCONF_FEAT_SYSCTL));
	/* A cache that cannot be written costs time, not correctness. */
	if (kconf_featmap_cache_save(*out, kt_str_cstr(&path), real, &stamps) < 0)
		kt_warn("cannot write feature map cache %s", kt_str_cstr(&path));
	r = 0;
out:
	for (size_t i = 0; i < stamps.len; i++)
		free(kt_array_ptr(&stamps, i));
	kt_array_free(&stamps);
	kt_str_free(&path);
	return r;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The profile: what a workload was seen using, as data the trimmer maps to
 * Kconfig symbols. The file is the contract between `ktrim profile` and
 * `ktrim config`, so loading is strict and saving is byte-reproducible.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "profiler/profiler.h"

/* NULL-terminated so it doubles as the allowed-key list of facts:. */
static const char *const kind_names[KPROF_KIND_COUNT + 1] = { GUEST_FACT_KIND_NAMES, NULL };

const char *kprof_kind_name(enum kprof_kind kind)
{
	if ((unsigned)kind >= KPROF_KIND_COUNT)
		return NULL;
	return kind_names[kind];
}

int kprof_kind_parse(const char *name, enum kprof_kind *out)
{
	for (unsigned i = 0; i < KPROF_KIND_COUNT; i++) {
		if (!strcmp(kind_names[i], name)) {
			*out = i;
			return 0;
		}
	}
	return -ENOENT;
}

void kprof_profile_init(struct kprof_profile *p)
{
	memset(p, 0, sizeof(*p));
	p->version = KPROF_PROFILE_VERSION;
	kt_array_init(&p->command, sizeof(char *));
}

static void fact_release(struct kprof_fact *f)
{
	free(f->name);
	free(f->family);
	free(f->type);
	free(f->first);
}

void kprof_profile_release(struct kprof_profile *p)
{
	for (unsigned k = 0; k < KPROF_KIND_COUNT; k++) {
		for (size_t i = 0; i < p->facts[k].n; i++)
			fact_release(&p->facts[k].items[i]);
		free(p->facts[k].items);
	}
	for (size_t i = 0; i < p->command.len; i++)
		free(kt_array_ptr(&p->command, i));
	kt_array_free(&p->command);
	free(p->kernel_release);
	free(p->arch);
	free(p->workload_name);
	free(p->rootfs_sha256);
	memset(p, 0, sizeof(*p));
}

static struct kprof_fact *list_find(const struct kprof_fact_list *l,
				    const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->items[i].name, name))
			return &l->items[i];
	return NULL;
}

const struct kprof_fact *kprof_profile_find(const struct kprof_profile *p,
					    enum kprof_kind kind,
					    const char *name)
{
	if ((unsigned)kind >= KPROF_KIND_COUNT)
		return NULL;
	return list_find(&p->facts[kind], name);
}

static uint64_t count_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* Takes ownership of nothing: copies what it keeps. */
static int list_add(struct kprof_fact_list *l, const char *name,
		    const char *family, const char *type, int protocol,
		    uint64_t count, const char *first)
{
	struct kprof_fact *f = list_find(l, name);
	int ret = -ENOMEM;

	if (!count)
		return -EINVAL;
	if (f) {
		f->count = count_add(f->count, count);
		return 0;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct kprof_fact *items = realloc(l->items, cap * sizeof(*items));

		if (!items)
			return -ENOMEM;
		l->items = items;
		l->cap = cap;
	}
	f = &l->items[l->n];
	memset(f, 0, sizeof(*f));
	f->name = strdup(name);
	f->first = strdup(first ? first : "unknown");
	if (family)
		f->family = strdup(family);
	if (type)
		f->type = strdup(type);
	if (!f->name || !f->first || (family && !f->family) ||
	    (type && !f->type))
		goto out;
	f->protocol = protocol;
	f->count = count;
	l->n++;
	ret = 0;
out:
	if (ret)
		fact_release(f);
	return ret;
}

int kprof_profile_add(struct kprof_profile *p, enum kprof_kind kind,
		      const char *name, uint64_t count, const char *first)
{
	if ((unsigned)kind >= KPROF_KIND_COUNT || kind == KPROF_SOCKETS ||
	    !name || !*name)
		return -EINVAL;
	return list_add(&p->facts[kind], name, NULL, NULL, 0, count, first);
}

int kprof_profile_add_socket(struct kprof_profile *p, const char *family,
			     const char *type, int protocol, uint64_t count,
			     const char *first)
{
	struct kt_str key = KT_STR_INIT;
	int ret;

	if (!family || !*family || !type || !*type || protocol < 0)
		return -EINVAL;
	ret = kt_str_printf(&key, "%s/%s/%d", family, type, protocol);
	if (ret >= 0)
		ret = list_add(&p->facts[KPROF_SOCKETS], kt_str_cstr(&key),
			       family, type, protocol, count, first);
	kt_str_free(&key);
	return ret;
}

static int fact_cmp(const void *a, const void *b)
{
	const struct kprof_fact *x = a, *y = b;
	int c;

	if (x->family && y->family) {
		c = strcmp(x->family, y->family);
		if (!c)
			c = strcmp(x->type, y->type);
		if (!c)
			c = (x->protocol > y->protocol) - (x->protocol < y->protocol);
		return c;
	}
	return strcmp(x->name, y->name);
}

void kprof_profile_sort(struct kprof_profile *p)
{
	for (unsigned k = 0; k < KPROF_KIND_COUNT; k++)
		if (p->facts[k].n > 1)
			qsort(p->facts[k].items, p->facts[k].n,
			      sizeof(struct kprof_fact), fact_cmp);
}

/* ---- loading ------------------------------------------------------------ */

struct loader {
	struct kt_yaml_doc *doc;
	struct kt_str *err;
	struct kprof_profile *p;
};

static int want_scalar(struct loader *l, const struct kt_yaml_node *n,
		       const char *what)
{
	if (!n || n->type != KT_YAML_SCALAR || !n->scalar)
		return kt_yaml_error(l->doc, n, l->err, "%s must be a scalar",
				     what);
	return 0;
}

static int parse_u64(struct loader *l, const struct kt_yaml_node *n,
		     const char *what, uint64_t min, uint64_t *out)
{
	char *end;
	unsigned long long v;
	int ret = want_scalar(l, n, what);

	if (ret)
		return ret;
	errno = 0;
	v = strtoull(n->scalar, &end, 10);
	if (n->quoted || !*n->scalar || *end || errno || n->scalar[0] == '-' ||
	    v < min)
		return kt_yaml_error(l->doc, n, l->err,
				     "%s must be an integer >= %" PRIu64
				     ", not '%s'", what, min, n->scalar);
	*out = v;
	return 0;
}

static int dup_scalar(struct loader *l, const struct kt_yaml_node *n,
		      const char *what, char **out)
{
	int ret = want_scalar(l, n, what);

	if (ret)
		return ret;
	if (!*n->scalar)
		return kt_yaml_error(l->doc, n, l->err, "%s is empty", what);
	free(*out);
	*out = strdup(n->scalar);
	return *out ? 0 : -ENOMEM;
}

static int load_fact(struct loader *l, enum kprof_kind kind,
		     const struct kt_yaml_node *item)
{
	static const char *const plain_keys[] = { "name", "count", "first", NULL };
	static const char *const sock_keys[] = { "family", "type", "protocol",
						 "count", "first", NULL };
	const struct kt_yaml_node *n;
	uint64_t count = 1, proto = 0;
	const char *first = NULL;
	int ret;

	if (item->type != KT_YAML_MAP)
		return kt_yaml_error(l->doc, item, l->err,
				     "a %s entry must be a mapping",
				     kind_names[kind]);
	ret = kt_yaml_map_check_keys(l->doc, item,
				     kind == KPROF_SOCKETS ? sock_keys : plain_keys,
				     l->err);
	if (ret)
		return ret;
	n = kt_yaml_map_get(item, "count");
	if (n && (ret = parse_u64(l, n, "count", 1, &count)))
		return ret;
	n = kt_yaml_map_get(item, "first");
	if (n) {
		if ((ret = want_scalar(l, n, "first")))
			return ret;
		first = n->scalar;
	}
	if (kind == KPROF_SOCKETS) {
		const struct kt_yaml_node *fam = kt_yaml_map_get(item, "family");
		const struct kt_yaml_node *typ = kt_yaml_map_get(item, "type");

		if (!fam || !typ)
			return kt_yaml_error(l->doc, item, l->err,
					     "a socket needs family and type");
		if ((ret = want_scalar(l, fam, "family")) ||
		    (ret = want_scalar(l, typ, "type")))
			return ret;
		n = kt_yaml_map_get(item, "protocol");
		if (n && (ret = parse_u64(l, n, "protocol", 0, &proto)))
			return ret;
		if (proto > INT_MAX)
			return kt_yaml_error(l->doc, n, l->err,
					     "protocol out of range");
		ret = kprof_profile_add_socket(l->p, fam->scalar, typ->scalar,
					       (int)proto, count, first);
		if (ret == -EINVAL)
			return kt_yaml_error(l->doc, item, l->err,
					     "empty socket family or type");
		return ret;
	}
	n = kt_yaml_map_get(item, "name");
	if (!n)
		return kt_yaml_error(l->doc, item, l->err,
				     "a %s entry needs a name", kind_names[kind]);
	if ((ret = want_scalar(l, n, "name")))
		return ret;
	if (!*n->scalar)
		return kt_yaml_error(l->doc, n, l->err, "empty name");
	return kprof_profile_add(l->p, kind, n->scalar, count, first);
}

static int load_facts(struct loader *l, const struct kt_yaml_node *facts)
{
	int ret;

	if (facts->type != KT_YAML_MAP)
		return kt_yaml_error(l->doc, facts, l->err,
				     "facts must be a mapping");
	ret = kt_yaml_map_check_keys(l->doc, facts,
				     kind_names, l->err);
	if (ret)
		return ret;
	for (size_t i = 0; i < facts->n; i++) {
		const struct kt_yaml_node *list = facts->items[i];
		enum kprof_kind kind;

		if (kprof_kind_parse(facts->keys[i]->scalar, &kind))
			return -EINVAL;
		if (list->type == KT_YAML_SCALAR && !*list->scalar)
			continue;	/* "modules:" with nothing */
		if (list->type != KT_YAML_SEQ)
			return kt_yaml_error(l->doc, list, l->err,
					     "%s must be a list", kind_names[kind]);
		for (size_t j = 0; j < list->n; j++)
			if ((ret = load_fact(l, kind, list->items[j])))
				return ret;
	}
	return 0;
}

static int load_workload(struct loader *l, const struct kt_yaml_node *w)
{
	static const char *const keys[] = { "name", "rootfs-sha256", "command",
					    NULL };
	const struct kt_yaml_node *n;
	int ret;

	ret = kt_yaml_map_check_keys(l->doc, w, keys, l->err);
	if (ret)
		return ret;
	if ((n = kt_yaml_map_get(w, "name")) &&
	    (ret = dup_scalar(l, n, "workload name", &l->p->workload_name)))
		return ret;
	if ((n = kt_yaml_map_get(w, "rootfs-sha256")) &&
	    (ret = dup_scalar(l, n, "rootfs-sha256", &l->p->rootfs_sha256)))
		return ret;
	n = kt_yaml_map_get(w, "command");
	if (!n)
		return 0;
	if (n->type != KT_YAML_SEQ)
		return kt_yaml_error(l->doc, n, l->err,
				     "command must be a list of strings");
	for (size_t i = 0; i < n->n; i++) {
		char *arg;

		if ((ret = want_scalar(l, n->items[i], "command argument")))
			return ret;
		arg = strdup(n->items[i]->scalar);
		if (!arg || kt_array_push_ptr(&l->p->command, arg)) {
			free(arg);
			return -ENOMEM;
		}
	}
	return 0;
}

static int load_doc(struct loader *l)
{
	static const char *const keys[] = { "ktrim-profile", "kernel-release",
					    "arch", "workload", "facts", NULL };
	const struct kt_yaml_node *root = l->doc->root, *n;
	uint64_t version;
	int ret;

	if (!root || root->type != KT_YAML_MAP)
		return kt_yaml_error(l->doc, root, l->err,
				     "a profile must be a mapping");
	ret = kt_yaml_map_check_keys(l->doc, root, keys, l->err);
	if (ret)
		return ret;
	n = kt_yaml_map_get(root, "ktrim-profile");
	if (!n)
		return kt_yaml_error(l->doc, root, l->err,
				     "not a ktrim profile: no 'ktrim-profile: %d'",
				     KPROF_PROFILE_VERSION);
	if ((ret = parse_u64(l, n, "ktrim-profile", 1, &version)))
		return ret;
	if (version != KPROF_PROFILE_VERSION)
		return kt_yaml_error(l->doc, n, l->err,
				     "unsupported profile version %" PRIu64
				     " (this ktrim reads %d)", version,
				     KPROF_PROFILE_VERSION);
	if ((n = kt_yaml_map_get(root, "kernel-release")) &&
	    (ret = dup_scalar(l, n, "kernel-release", &l->p->kernel_release)))
		return ret;
	if ((n = kt_yaml_map_get(root, "arch")) &&
	    (ret = dup_scalar(l, n, "arch", &l->p->arch)))
		return ret;
	n = kt_yaml_map_get(root, "workload");
	if (n) {
		if (n->type != KT_YAML_MAP)
			return kt_yaml_error(l->doc, n, l->err,
					     "workload must be a mapping");
		if ((ret = load_workload(l, n)))
			return ret;
	}
	n = kt_yaml_map_get(root, "facts");
	if (n && !(n->type == KT_YAML_SCALAR && !*n->scalar))
		if ((ret = load_facts(l, n)))
			return ret;
	kprof_profile_sort(l->p);
	return 0;
}

static int load_common(struct kt_yaml_doc *doc, struct kprof_profile *p,
		       struct kt_str *err)
{
	struct loader l = { doc, err, p };
	int ret;

	kprof_profile_init(p);
	ret = load_doc(&l);
	if (ret)
		kprof_profile_release(p);
	return ret;
}

int kprof_profile_load(const char *path, struct kprof_profile *p,
		       struct kt_str *err)
{
	struct kt_yaml_doc doc;
	int ret;

	ret = kt_yaml_load_file(path, &doc, err);
	if (ret)
		return ret;
	ret = load_common(&doc, p, err);
	kt_yaml_doc_release(&doc);
	return ret;
}

int kprof_profile_load_string(const char *name, const char *text,
			      struct kprof_profile *p, struct kt_str *err)
{
	struct kt_yaml_doc doc;
	int ret;

	ret = kt_yaml_load_string(name, text, strlen(text), &doc, err);
	if (ret)
		return ret;
	ret = load_common(&doc, p, err);
	kt_yaml_doc_release(&doc);
	return ret;
}

/* ---- saving ------------------------------------------------------------- */

static int put_scalar(struct kt_str *o, const char *s)
{
	int ret = kt_yaml_put_scalar(o, s);

	return ret < 0 ? ret : 0;
}

int kprof_profile_format(const struct kprof_profile *p, struct kt_str *o)
{
	struct kprof_profile *mp = (struct kprof_profile *)p;
	int ret = 0;

	/* Sorting is idempotent and keeps the facts the same set. */
	kprof_profile_sort(mp);
	ret = kt_str_printf(o, "ktrim-profile: %d\n", KPROF_PROFILE_VERSION);
	if (ret >= 0 && p->kernel_release) {
		kt_str_puts(o, "kernel-release: ");
		put_scalar(o, p->kernel_release);
		ret = kt_str_putc(o, '\n');
	}
	if (ret >= 0 && p->arch) {
		kt_str_puts(o, "arch: ");
		put_scalar(o, p->arch);
		ret = kt_str_putc(o, '\n');
	}
	if (ret >= 0)
		ret = kt_str_puts(o, "workload:\n");
	if (ret >= 0 && p->workload_name) {
		kt_str_puts(o, "  name: ");
		put_scalar(o, p->workload_name);
		ret = kt_str_putc(o, '\n');
	}
	if (ret >= 0 && p->rootfs_sha256) {
		kt_str_puts(o, "  rootfs-sha256: ");
		put_scalar(o, p->rootfs_sha256);
		ret = kt_str_putc(o, '\n');
	}
	if (ret >= 0) {
		kt_str_puts(o, "  command: [");
		for (size_t i = 0; i < p->command.len; i++) {
			if (i)
				kt_str_puts(o, ", ");
			put_scalar(o, kt_array_ptr(&p->command, i));
		}
		ret = kt_str_puts(o, "]\n");
	}
	if (ret >= 0)
		ret = kt_str_puts(o, "facts:\n");
	for (unsigned k = 0; k < KPROF_KIND_COUNT && ret >= 0; k++) {
		const struct kprof_fact_list *l = &p->facts[k];

		kt_str_printf(o, "  %s:%s\n", kind_names[k], l->n ? "" : " []");
		for (size_t i = 0; i < l->n && ret >= 0; i++) {
			const struct kprof_fact *f = &l->items[i];

			if (k == KPROF_SOCKETS) {
				kt_str_puts(o, "    - {family: ");
				put_scalar(o, f->family);
				kt_str_puts(o, ", type: ");
				put_scalar(o, f->type);
				kt_str_printf(o, ", protocol: %d", f->protocol);
			} else {
				kt_str_puts(o, "    - {name: ");
				put_scalar(o, f->name);
			}
			kt_str_printf(o, ", count: %" PRIu64 ", first: ",
				      f->count);
			put_scalar(o, f->first);
			ret = kt_str_puts(o, "}\n");
		}
	}
	/* the appends between the checked ones are covered by the sticky error */
	return ret < 0 ? ret : kt_str_error(o);
}

int kprof_profile_save(const struct kprof_profile *p, const char *path)
{
	struct kt_str s = KT_STR_INIT;
	int ret;

	ret = kprof_profile_format(p, &s);
	if (!ret)
		ret = kt_atomic_write_str(path, 0644, &s);
	kt_str_free(&s);
	return ret;
}

/* ---- merging ------------------------------------------------------------ */

/* "a" + "b" -> "a+b"; equal strings stay as they are. */
static int join_names(char **dst, const char *src)
{
	char *s;

	if (!src || (*dst && !strcmp(*dst, src)))
		return 0;
	if (!*dst) {
		*dst = strdup(src);
		return *dst ? 0 : -ENOMEM;
	}
	if (asprintf(&s, "%s+%s", *dst, src) < 0)
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

/*
 * Architectures are a set: "x86_64" + "arm64" -> "x86_64+arm64", and an
 * arch already in @dst is not added again.
 */
static int join_set(char **dst, const char *src)
{
	const char *p = src;

	while (p && *p) {
		size_t n = strcspn(p, "+");
		const char *d = *dst;
		bool have = false;
		char *s;

		for (; d && *d && !have; d += strcspn(d, "+"), d += *d == '+')
			have = strcspn(d, "+") == n && !strncmp(d, p, n);
		if (!have) {
			if (asprintf(&s, "%s%s%.*s", *dst ? *dst : "", *dst ? "+" : "",
				     (int)n, p) < 0)
				return -ENOMEM;
			free(*dst);
			*dst = s;
		}
		p += n;
		p += *p == '+';
	}
	return 0;
}

/*
 * Two different rootfs hashes: the merged identity is the hash of both,
 * sorted, so merge order does not change it.
 */
static int join_hashes(char **dst, const char *src)
{
	struct kt_sha256 ctx;
	const char *a, *b;
	char hex[65];
	int ret;

	if (!src || (*dst && !strcmp(*dst, src)))
		return 0;
	if (!*dst) {
		*dst = strdup(src);
		return *dst ? 0 : -ENOMEM;
	}
	a = strcmp(*dst, src) < 0 ? *dst : src;
	b = a == src ? *dst : src;
	if ((ret = kt_sha256_init(&ctx)))
		return ret;
	kt_sha256_update(&ctx, a, strlen(a));
	kt_sha256_update(&ctx, "\n", 1);
	kt_sha256_update(&ctx, b, strlen(b));
	if ((ret = kt_sha256_final_hex(&ctx, hex)))
		return ret;
	free(*dst);
	*dst = strdup(hex);
	return *dst ? 0 : -ENOMEM;
}

int kprof_profile_merge(struct kprof_profile *dst,
			const struct kprof_profile *src)
{
	int ret;

	if ((ret = join_names(&dst->kernel_release, src->kernel_release)) ||
	    (ret = join_set(&dst->arch, src->arch)) ||
	    (ret = join_hashes(&dst->rootfs_sha256, src->rootfs_sha256)) ||
	    (ret = join_names(&dst->workload_name, src->workload_name)))
		return ret;
	for (size_t i = 0; !dst->command.len && i < src->command.len; i++) {
		char *arg = strdup(kt_array_ptr(&src->command, i));

		if (!arg || kt_array_push_ptr(&dst->command, arg)) {
			free(arg);
			return -ENOMEM;
		}
	}
	for (unsigned k = 0; k < KPROF_KIND_COUNT; k++) {
		const struct kprof_fact_list *l = &src->facts[k];

		for (size_t i = 0; i < l->n; i++) {
			const struct kprof_fact *f = &l->items[i];

			ret = list_add(&dst->facts[k], f->name, f->family,
				       f->type, f->protocol, f->count, f->first);
			if (ret)
				return ret;
		}
	}
	kprof_profile_sort(dst);
	return 0;
}

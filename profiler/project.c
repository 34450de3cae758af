// SPDX-License-Identifier: GPL-2.0-only
/*
 * The project file (ktrim.yaml): one application, described once, read by
 * every subcommand. Strict: a typo in a key must not silently drop a
 * setting, so unknown keys are errors with file:line:col.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "initramfs/initramfs.h"
#include "profiler/profiler.h"

void kprof_project_init(struct kprof_project *pr)
{
	memset(pr, 0, sizeof(*pr));
	kt_array_init(&pr->command, sizeof(char *));
	kt_array_init(&pr->env, sizeof(char *));
	kt_array_init(&pr->cgroups, sizeof(char *));
	kt_array_init(&pr->smoke_command, sizeof(char *));
	kt_array_init(&pr->host_smoke_command, sizeof(char *));
	kt_array_init(&pr->targets, sizeof(char *));
	kt_array_init(&pr->devices, sizeof(char *));
	kprof_image_init(&pr->image);
}

static void path_release(struct kprof_project_path *p)
{
	free(p->value);
	free(p->error);
	p->value = NULL;
	p->error = NULL;
}

void kprof_project_release(struct kprof_project *pr)
{
	kt_array_free_ptrs(&pr->command);
	kt_array_free_ptrs(&pr->env);
	kt_array_free_ptrs(&pr->cgroups);
	kt_array_free_ptrs(&pr->smoke_command);
	kt_array_free_ptrs(&pr->host_smoke_command);
	kt_array_free_ptrs(&pr->targets);
	kt_array_free_ptrs(&pr->devices);
	free(pr->file);
	free(pr->name);
	free(pr->rootfs);
	kprof_image_release(&pr->image);
	free(pr->cwd);
	free(pr->user_name);
	free(pr->hostname);
	free(pr->ready_pattern);
	free(pr->init_external);
	initramfs_net_release(&pr->net);
	path_release(&pr->kernel_source);
	path_release(&pr->profile_kernel);
	path_release(&pr->profile_modules);
	path_release(&pr->profile_modprobe);
	memset(pr, 0, sizeof(*pr));
}

static int path_get(const struct kprof_project_path *p, const char **out,
		    struct kt_str *err)
{
	*out = p->value;
	if (!p->error)
		return 0;
	if (err)
		kt_str_puts(err, p->error);
	return -EINVAL;
}

int kprof_project_kernel_source(const struct kprof_project *pr,
				const char **out, struct kt_str *err)
{
	return path_get(&pr->kernel_source, out, err);
}

int kprof_project_profiling_kernel(const struct kprof_project *pr,
				   const char **out, struct kt_str *err)
{
	return path_get(&pr->profile_kernel, out, err);
}

int kprof_project_profiling_modules(const struct kprof_project *pr,
				    const char **out, struct kt_str *err)
{
	return path_get(&pr->profile_modules, out, err);
}

int kprof_project_profiling_modprobe(const struct kprof_project *pr,
				     const char **out, struct kt_str *err)
{
	return path_get(&pr->profile_modprobe, out, err);
}

struct ploader {
	struct kt_yaml_doc *doc;
	struct kt_str *err;
	struct kprof_project *pr;
	const char *dir;	/* directory of the file, absolute */
};

/*
 * ${VAR} from the environment, "$$" for "$". With @unset, an unset
 * variable is not an error: *unset gets the message, *out stays NULL.
 */
static int expand_or_defer(struct ploader *l, const struct kt_yaml_node *n,
			   char **out, char **unset)
{
	struct kt_str s = KT_STR_INIT, msg = KT_STR_INIT;
	const char *p;
	int ret = 0;

	if (!n || n->type != KT_YAML_SCALAR || !n->scalar)
		return kt_yaml_error(l->doc, n, l->err, "expected a scalar");
	for (p = n->scalar; *p && ret >= 0; p++) {
		const char *end, *val;
		char name[256];

		if (p[0] != '$') {
			ret = kt_str_putc(&s, *p);
			continue;
		}
		if (p[1] == '$') {
			ret = kt_str_putc(&s, '$');
			p++;
			continue;
		}
		if (p[1] != '{' || !(end = strchr(p + 2, '}')) ||
		    end == p + 2 || (size_t)(end - p - 2) >= sizeof(name)) {
			ret = kt_yaml_error(l->doc, n, l->err,
					    "bad variable reference in '%s' (use ${NAME}, or $$ for $)",
					    n->scalar);
			goto out;
		}
		memcpy(name, p + 2, end - p - 2);
		name[end - p - 2] = '\0';
		val = getenv(name);
		if (!val && unset) {
			kt_yaml_error(l->doc, n, &msg,
				      "environment variable %s is not set", name);
			*unset = kt_str_steal(&msg);
			ret = *unset ? 0 : -ENOMEM;
			goto out;
		}
		if (!val) {
			ret = kt_yaml_error(l->doc, n, l->err,
					    "environment variable %s is not set",
					    name);
			goto out;
		}
		ret = kt_str_puts(&s, val);
		p = end;
	}
	if (ret < 0)
		goto out;
	*out = kt_str_steal(&s);
	ret = *out ? 0 : -ENOMEM;
out:
	kt_str_free(&s);
	kt_str_free(&msg);
	return ret;
}

static int expand(struct ploader *l, const struct kt_yaml_node *n, char **out)
{
	return expand_or_defer(l, n, out, NULL);
}

static int get_str(struct ploader *l, const struct kt_yaml_node *n,
		   char **dst)
{
	char *v = NULL;
	int ret = expand(l, n, &v);

	if (ret)
		return ret;
	free(*dst);
	*dst = v;
	return 0;
}

/* @v (taken) made absolute against the file's directory, into *dst. */
static int set_path(struct ploader *l, char *v, char **dst)
{
	char *abs;

	if (v[0] != '/') {
		if (asprintf(&abs, "%s/%s", l->dir, v) < 0) {
			free(v);
			return -ENOMEM;
		}
		free(v);
		v = abs;
	}
	free(*dst);
	*dst = v;
	return 0;
}

/* A path: expanded, then made absolute against the file's directory. */
static int get_path(struct ploader *l, const struct kt_yaml_node *n,
		    char **dst)
{
	char *v = NULL;
	int ret = expand(l, n, &v);

	if (ret)
		return ret;
	if (!*v) {
		free(v);
		return kt_yaml_error(l->doc, n, l->err, "empty path");
	}
	return set_path(l, v, dst);
}

/*
 * A path only some steps read: what the environment fails to give it
 * (an unset variable, or one that leaves it empty) is kept for its
 * accessor instead of failing the load.
 */
static int get_deferred_path(struct ploader *l, const struct kt_yaml_node *n,
			     struct kprof_project_path *dst)
{
	struct kt_str msg = KT_STR_INIT;
	char *v = NULL, *unset = NULL;
	int ret;

	path_release(dst);
	ret = expand_or_defer(l, n, &v, &unset);
	if (ret)
		return ret;
	if (unset) {
		dst->error = unset;
		return 0;
	}
	if (*v)
		return set_path(l, v, &dst->value);
	free(v);
	/* "" written as such is a mistake in the file, not in the environment */
	if (!strchr(n->scalar, '$'))
		return kt_yaml_error(l->doc, n, l->err, "empty path");
	kt_yaml_error(l->doc, n, &msg, "empty path: '%s' expands to nothing",
		      n->scalar);
	dst->error = kt_str_steal(&msg);
	return dst->error ? 0 : -ENOMEM;
}

/* true or false, unquoted (a quoted "true" is a string). */
static int get_bool(struct ploader *l, const struct kt_yaml_node *n, bool *out)
{
	if (n->type == KT_YAML_SCALAR && n->scalar && !n->quoted &&
	    (!strcmp(n->scalar, "true") || !strcmp(n->scalar, "false"))) {
		*out = n->scalar[0] == 't';
		return 0;
	}
	return kt_yaml_error(l->doc, n, l->err, "expected true or false");
}

static int get_uint(struct ploader *l, const struct kt_yaml_node *n,
		    unsigned long min, unsigned long max, unsigned long *out)
{
	char *v = NULL, *end;
	unsigned long x;
	int ret = expand(l, n, &v);

	if (ret)
		return ret;
	errno = 0;
	x = strtoul(v, &end, 10);
	if (!*v || *end || errno || v[0] == '-' || x < min || x > max)
		ret = kt_yaml_error(l->doc, n, l->err,
				    "expected an integer in %lu..%lu, not '%s'",
				    min, max, v);
	else
		*out = x;
	free(v);
	return ret;
}

static int push_str(struct kt_array *a, char *s)
{
	if (!s || kt_array_push_ptr(a, s)) {
		free(s);
		return -ENOMEM;
	}
	return 0;
}

static int get_list(struct ploader *l, const struct kt_yaml_node *n,
		    struct kt_array *a)
{
	int ret;

	if (n->type != KT_YAML_SEQ)
		return kt_yaml_error(l->doc, n, l->err, "expected a list");
	for (size_t i = 0; i < n->n; i++) {
		char *v = NULL;

		if ((ret = expand(l, n->items[i], &v)) || (ret = push_str(a, v)))
			return ret;
	}
	return 0;
}

static int get_env(struct ploader *l, const struct kt_yaml_node *n)
{
	int ret;

	if (n->type == KT_YAML_SEQ) {
		if ((ret = get_list(l, n, &l->pr->env)))
			return ret;
		for (size_t i = 0; i < l->pr->env.len; i++) {
			const char *e = kt_array_ptr(&l->pr->env, i);

			if (!strchr(e, '=') || e[0] == '=')
				return kt_yaml_error(l->doc, n->items[i], l->err,
						     "env entry '%s' is not NAME=VALUE", e);
		}
		return 0;
	}
	if (n->type != KT_YAML_MAP)
		return kt_yaml_error(l->doc, n, l->err,
				     "env must be a mapping or a list of NAME=VALUE");
	for (size_t i = 0; i < n->n; i++) {
		char *v = NULL, *kv;

		if ((ret = expand(l, n->items[i], &v)))
			return ret;
		if (asprintf(&kv, "%s=%s", n->keys[i]->scalar, v) < 0)
			kv = NULL;
		free(v);
		if ((ret = push_str(&l->pr->env, kv)))
			return ret;
	}
	return 0;
}

/* UID[:GID] or USER[:GROUP] (@v taken) into @pr; -EINVAL when it is neither. */
static int user_set(struct kprof_project *pr, char *v)
{
	char *end, *colon;
	unsigned long uid, gid;

	/* a name anywhere: looked up in the container's /etc/passwd at its start */
	if (strspn(v, "0123456789:") != strlen(v)) {
		if (!guest_user_name_ok(v))
			goto bad;
		free(pr->user_name);
		pr->user_name = v;
		return 0;
	}
	colon = strchr(v, ':');
	errno = 0;
	uid = strtoul(v, &end, 10);
	if (end == v || (colon ? end != colon : *end != '\0') || errno ||
	    uid > UINT32_MAX - 1)
		goto bad;
	gid = uid;
	if (colon) {
		gid = strtoul(colon + 1, &end, 10);
		if (end == colon + 1 || *end || errno || gid > UINT32_MAX - 1)
			goto bad;
	}
	pr->uid = (uint32_t)uid;
	pr->gid = (uint32_t)gid;
	free(v);
	return 0;
bad:
	free(v);
	return -EINVAL;
}

#define USER_FORMS "UID[:GID] or USER[:GROUP] (names from the rootfs's /etc/passwd and /etc/group)"

static int get_user(struct ploader *l, const struct kt_yaml_node *n)
{
	char *v = NULL, *copy;
	int ret = expand(l, n, &v);

	if (ret)
		return ret;
	if (!(copy = strdup(v)))
		ret = -ENOMEM;
	else if (user_set(l->pr, copy))
		ret = kt_yaml_error(l->doc, n, l->err, "user must be " USER_FORMS ", not '%s'", v);
	free(v);
	return ret;
}

static int get_namespaces(struct ploader *l, const struct kt_yaml_node *n)
{
	if (n->type != KT_YAML_SEQ)
		return kt_yaml_error(l->doc, n, l->err,
				     "namespaces must be a list");
	l->pr->namespaces = 0;
	for (size_t i = 0; i < n->n; i++) {
		const struct kt_yaml_node *it = n->items[i];
		unsigned j;

		if (it->type != KT_YAML_SCALAR)
			return kt_yaml_error(l->doc, it, l->err,
					     "expected a namespace name");
		for (j = 0; j < GUEST_NS_COUNT; j++)
			if (!strcmp(it->scalar, guest_ns_name(j)))
				break;
		if (j == GUEST_NS_COUNT)
			return kt_yaml_error(l->doc, it, l->err,
					     "unknown namespace '%s' (mnt uts ipc pid net cgroup time)",
					     it->scalar);
		l->pr->namespaces |= 1u << j;
	}
	return 0;
}

static int get_ready(struct ploader *l, const struct kt_yaml_node *n)
{
	static const char *const keys[] = { "stdout", "tcp-port", "timeout", NULL };
	const struct kt_yaml_node *out = kt_yaml_map_get(n, "stdout");
	const struct kt_yaml_node *port = kt_yaml_map_get(n, "tcp-port");
	const struct kt_yaml_node *t = kt_yaml_map_get(n, "timeout");
	unsigned long v;
	int ret;

	if ((ret = kt_yaml_map_check_keys(l->doc, n, keys, l->err)))
		return ret;
	if (out && port)
		return kt_yaml_error(l->doc, port, l->err,
				     "ready takes either stdout or tcp-port, not both");
	if (out) {
		l->pr->ready = KPROF_READY_STDOUT;
		if ((ret = get_str(l, out, &l->pr->ready_pattern)))
			return ret;
	}
	if (port) {
		if ((ret = get_uint(l, port, 1, 65535, &v)))
			return ret;
		l->pr->ready = KPROF_READY_TCP;
		l->pr->ready_port = (uint16_t)v;
	}
	if (t) {
		if ((ret = get_uint(l, t, 1, 86400, &v)))
			return ret;
		l->pr->ready_timeout_s = (unsigned)v;
	}
	return 0;
}

/* A test command: a string is a shell line, run by /bin/sh -c. */
static int get_test(struct ploader *l, const struct kt_yaml_node *n,
		    const char *what, struct kt_array *argv, unsigned *timeout_s)
{
	static const char *const keys[] = { "command", "timeout", NULL };
	const struct kt_yaml_node *c = kt_yaml_map_get(n, "command");
	const struct kt_yaml_node *t = kt_yaml_map_get(n, "timeout");
	unsigned long v;
	int ret;

	if (n->type != KT_YAML_MAP)
		return kt_yaml_error(l->doc, n, l->err, "%s must be a mapping", what);
	if ((ret = kt_yaml_map_check_keys(l->doc, n, keys, l->err)))
		return ret;
	if (!c)
		return kt_yaml_error(l->doc, n, l->err, "%s needs a command", what);
	if (c->type == KT_YAML_SCALAR) {
		char *cmd = NULL;

		if ((ret = expand(l, c, &cmd)))
			return ret;
		if ((ret = push_str(argv, strdup("/bin/sh"))) ||
		    (ret = push_str(argv, strdup("-c"))) ||
		    (ret = push_str(argv, cmd)))
			return ret;
	} else if ((ret = get_list(l, c, argv))) {
		return ret;
	}
	if (!argv->len)
		return kt_yaml_error(l->doc, c, l->err, "empty %s command", what);
	if (t) {
		if ((ret = get_uint(l, t, 1, 86400, &v)))
			return ret;
		*timeout_s = (unsigned)v;
	}
	return 0;
}

/* restart: no | always | on-failure[:N], Docker's policies. */
static int get_restart(struct ploader *l, const struct kt_yaml_node *n)
{
	struct initramfs_spec tmp;
	struct kt_str why = KT_STR_INIT;
	char *v = NULL;
	int ret = get_str(l, n, &v);

	initramfs_spec_init(&tmp);
	if (!ret && initramfs_spec_set_restart(&tmp, v, &why) < 0)
		ret = kt_yaml_error(l->doc, n, l->err, "%s", kt_str_cstr(&why));
	l->pr->restart = tmp.restart;
	l->pr->restart_max = tmp.restart_max;
	initramfs_spec_release(&tmp);
	kt_str_free(&why);
	free(v);
	return ret;
}

/* One of @names (NULL-terminated): its index in *@out. */
static int get_choice(struct ploader *l, const struct kt_yaml_node *n,
		      const char *const *names, int *out)
{
	struct kt_str known = KT_STR_INIT;
	int ret;

	for (int i = 0; n->type == KT_YAML_SCALAR && names[i]; i++)
		if (!strcmp(n->scalar, names[i])) {
			*out = i;
			return 0;
		}
	for (int i = 0; names[i]; i++)
		kt_str_printf(&known, "%s%s", i ? ", " : "", names[i]);
	ret = kt_yaml_error(l->doc, n, l->err, "expected one of %s", kt_str_cstr(&known));
	kt_str_free(&known);
	return ret;
}

/* cap-add, cap-drop: a list of Docker's capability names (abi.h) into *@mask. */
static int get_caps(struct ploader *l, const struct kt_yaml_node *n, uint64_t *mask)
{
	if (n->type != KT_YAML_SEQ)
		return kt_yaml_error(l->doc, n, l->err,
				     "expected a list of capabilities, e.g. [NET_ADMIN]");
	*mask = 0;
	for (size_t i = 0; i < n->n; i++) {
		const struct kt_yaml_node *it = n->items[i];
		uint64_t m = it->type == KT_YAML_SCALAR ? guest_cap_parse(it->scalar) : 0;

		if (!m)
			return kt_yaml_error(l->doc, it, l->err,
					     "unknown capability '%s' (Docker's names, e.g. "
					     "NET_ADMIN or CAP_NET_ADMIN, or ALL)",
					     it->type == KT_YAML_SCALAR ? it->scalar : "");
		*mask |= m;
	}
	return 0;
}

/* devices: VM device nodes for the container's /dev, as the guest takes them. */
static int get_devices(struct ploader *l, const struct kt_yaml_node *n)
{
	int ret = get_list(l, n, &l->pr->devices);

	for (size_t i = 0; ret == 0 && i < l->pr->devices.len; i++)
		if (!guest_device_path_ok(kt_array_ptr(&l->pr->devices, i)))
			ret = kt_yaml_error(l->doc, n->items[i], l->err,
					    "device '%s' is not a path under /dev/ (no '.', "
					    "'..' or empty parts)",
					    (const char *)kt_array_ptr(&l->pr->devices, i));
	if (ret == 0 && l->pr->devices.len > INITRAMFS_SPEC_MAX_DEVICES)
		ret = kt_yaml_error(l->doc, n, l->err, "%zu devices; the guest init takes at "
				    "most %d", l->pr->devices.len, INITRAMFS_SPEC_MAX_DEVICES);
	return ret;
}

/* rlimits: {NAME: SOFT[:HARD], ...}, Docker's --ulimit names and values. */
static int get_rlimits(struct ploader *l, const struct kt_yaml_node *n)
{
	struct kt_str why = KT_STR_INIT;
	int ret = 0;

	if (n->type != KT_YAML_MAP)
		return kt_yaml_error(l->doc, n, l->err,
				     "rlimits must be a mapping, e.g. {nofile: 1024, core: 0}");
	for (size_t i = 0; i < n->n && !ret; i++) {
		char *v = NULL;

		ret = expand(l, n->items[i], &v);
		if (!ret && initramfs_rlimit_set(&l->pr->rlimits, n->keys[i]->scalar, v, &why) < 0)
			ret = kt_yaml_error(l->doc, guest_rlimit_parse(n->keys[i]->scalar) < 0 ?
					    n->keys[i] : n->items[i], l->err, "%s",
					    kt_str_cstr(&why));
		free(v);
	}
	kt_str_free(&why);
	return ret;
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && !strcmp(s + a - b, suf);
}

static int get_rootfs(struct ploader *l, const struct kt_yaml_node *n)
{
	struct kprof_project *pr = l->pr;
	struct stat st;
	char *probe;
	int ret;

	if ((ret = get_path(l, n, &pr->rootfs)))
		return ret;
	if (stat(pr->rootfs, &st))
		return kt_yaml_error(l->doc, n, l->err, "rootfs %s: %s",
				     pr->rootfs, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		if (asprintf(&probe, "%s/oci-layout", pr->rootfs) < 0)
			return -ENOMEM;
		ret = access(probe, F_OK);
		free(probe);
		/* one key per input: images (and their config) come in through image: */
		if (!ret)
			return kt_yaml_error(l->doc, n, l->err, "rootfs %s is an OCI image layout: "
					     "write image: %s[:TAG]", pr->rootfs, n->scalar);
		pr->rootfs_kind = KPROF_ROOTFS_DIR;
		return 0;
	}
	if (S_ISREG(st.st_mode) &&
	    (has_suffix(pr->rootfs, ".tar") || has_suffix(pr->rootfs, ".tar.gz") ||
	     has_suffix(pr->rootfs, ".tgz") || has_suffix(pr->rootfs, ".tar.xz") ||
	     has_suffix(pr->rootfs, ".tar.zst"))) {
		pr->rootfs_kind = KPROF_ROOTFS_TAR;
		return 0;
	}
	return kt_yaml_error(l->doc, n, l->err,
			     "rootfs %s is neither a directory nor a .tar[.gz|.xz|.zst] (images: "
			     "image:)", pr->rootfs);
}

/*
 * image: PATH[:TAG]. The value names a path as a whole when one exists
 * there; else the part after its last ':' is the tag (Docker's tag
 * grammar), as in `busybox.tar:1.36` or `layout:latest`.
 */
static int get_image(struct ploader *l, const struct kt_yaml_node *n)
{
	struct kprof_project *pr = l->pr;
	struct kt_str why = KT_STR_INIT;
	char *v = NULL, *tag = NULL, *colon;
	struct stat st;
	int ret = get_str(l, n, &v);

	if (ret)
		return ret;
	colon = strrchr(v, ':');
	if (colon && !strchr(colon, '/') && colon[1] &&
	    strspn(colon + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		   "0123456789_.-") == strlen(colon + 1) && strlen(colon + 1) <= 128) {
		char *whole = NULL;

		/* relative to the file, as the path itself */
		if (asprintf(&whole, "%s%s%s", v[0] == '/' ? "" : l->dir, v[0] == '/' ? "" : "/",
			     v) < 0) {
			ret = -ENOMEM;
			goto out;
		}
		if (stat(whole, &st) != 0) {
			*colon = '\0';
			tag = colon + 1;
		}
		free(whole);
	}
	if (!*v) {
		ret = kt_yaml_error(l->doc, n, l->err, "empty image path");
		goto out;
	}
	if ((ret = set_path(l, strdup(v), &pr->rootfs)))
		goto out;
	/* the platform of the guests' arch (arch: is read before the workload) */
	ret = kprof_image_load(&pr->image, pr->rootfs, tag,
			       kprof_image_arch(pr->arch ? pr->arch : "x86_64"), &why);
	if (ret == -ENOMEM)
		goto out;
	if (ret)
		ret = kt_yaml_error(l->doc, n, l->err, "image %s", kt_str_cstr(&why));
	else
		pr->rootfs_kind = pr->image.kind;
out:
	kt_str_free(&why);
	free(v);
	return ret;
}

/* What the project leaves unset, from the image's config, as Docker does. */
static int image_defaults(struct ploader *l, const struct kt_yaml_node *w)
{
	struct kprof_project *pr = l->pr;
	const struct kprof_image *img = &pr->image;
	struct kt_array env = KT_ARRAY_INIT(char *);
	size_t own = 0;		/* env's first, copied from the image */
	int ret = 0;

	/* command: replaces Entrypoint and Cmd both (docker run --entrypoint) */
	for (size_t i = 0; !kt_yaml_map_get(w, "command") && i < img->entrypoint.len + img->cmd.len &&
	     !ret; i++)
		ret = kt_array_push_strdup(&pr->command, i < img->entrypoint.len ?
					   kt_array_ptr(&img->entrypoint, i) :
					   kt_array_ptr(&img->cmd, i - img->entrypoint.len));
	/* env: the image's, each NAME the project sets replaced */
	for (size_t i = 0; i < img->env.len && !ret; i++) {
		const char *e = kt_array_ptr(&img->env, i);
		size_t nl = strcspn(e, "=");
		bool set = false;

		for (size_t j = 0; j < pr->env.len && !set; j++) {
			const char *p = kt_array_ptr(&pr->env, j);

			set = !strncmp(p, e, nl + 1);
		}
		if (!set && !(ret = kt_array_push_strdup(&env, e)))
			own++;
	}
	for (size_t j = 0; j < pr->env.len && !ret; j++)
		ret = kt_array_push_ptr(&env, kt_array_ptr(&pr->env, j));
	if (!ret) {
		kt_array_free(&pr->env);
		pr->env = env;
	} else {
		env.len = own;	/* the rest are still the project's */
		kt_array_free_ptrs(&env);
	}
	if (!ret && img->user && !kt_yaml_map_get(w, "user")) {
		char *u = strdup(img->user);

		if (!u)
			ret = -ENOMEM;
		else if (user_set(pr, u))
			ret = kt_yaml_error(l->doc, kt_yaml_map_get(w, "image"), l->err,
					    "image %s: config.User '%s' is not " USER_FORMS,
					    img->path, img->user);
	}
	if (!ret && img->workdir && !pr->cwd && !(pr->cwd = strdup(img->workdir)))
		ret = -ENOMEM;
	if (!ret && img->port && pr->ready == KPROF_READY_NONE) {
		pr->ready = KPROF_READY_TCP;
		pr->ready_port = img->port;
	}
	return ret;
}

static int get_workload(struct ploader *l, const struct kt_yaml_node *w)
{
	static const char *const keys[] = { "rootfs", "image", "command",
					    "env", "cwd", "user", "hostname",
					    "namespaces", "cgroups", "ready",
					    "smoke-test", "host-smoke-test",
					    "restart", "stop-grace", "keep-setuid",
					    "cap-add", "cap-drop", "devices", "privileged",
					    "rlimits", "seccomp", "seccomp-action", NULL };
	struct kprof_project *pr = l->pr;
	const struct kt_yaml_node *n;
	int ret;

	if (w->type != KT_YAML_MAP)
		return kt_yaml_error(l->doc, w, l->err, "workload must be a mapping");
	if ((ret = kt_yaml_map_check_keys(l->doc, w, keys, l->err)))
		return ret;
	if ((n = kt_yaml_map_get(w, "rootfs")) && kt_yaml_map_get(w, "image"))
		return kt_yaml_error(l->doc, n, l->err, "workload takes rootfs: or image:, not both");
	if (!n && !(n = kt_yaml_map_get(w, "image")))
		return kt_yaml_error(l->doc, w, l->err, "workload needs a rootfs or an image");
	if ((ret = n == kt_yaml_map_get(w, "image") ? get_image(l, n) : get_rootfs(l, n)))
		return ret;
	if ((n = kt_yaml_map_get(w, "command"))) {
		if ((ret = get_list(l, n, &pr->command)))
			return ret;
		if (!pr->command.len)
			return kt_yaml_error(l->doc, n, l->err, "empty command");
	}
	if ((n = kt_yaml_map_get(w, "env")) && (ret = get_env(l, n)))
		return ret;
	if ((n = kt_yaml_map_get(w, "cwd"))) {
		if ((ret = get_str(l, n, &pr->cwd)))
			return ret;
		if (pr->cwd[0] != '/')
			return kt_yaml_error(l->doc, n, l->err,
					     "cwd must be absolute inside the rootfs");
	}
	if ((n = kt_yaml_map_get(w, "user")) && (ret = get_user(l, n)))
		return ret;
	if ((n = kt_yaml_map_get(w, "hostname")) &&
	    (ret = get_str(l, n, &pr->hostname)))
		return ret;
	if ((n = kt_yaml_map_get(w, "namespaces")) &&
	    (ret = get_namespaces(l, n)))
		return ret;
	if ((n = kt_yaml_map_get(w, "cgroups"))) {
		kt_array_free_ptrs(&pr->cgroups);
		kt_array_init(&pr->cgroups, sizeof(char *));
		if ((ret = get_list(l, n, &pr->cgroups)))
			return ret;
	}
	if ((n = kt_yaml_map_get(w, "ready"))) {
		if (n->type != KT_YAML_MAP)
			return kt_yaml_error(l->doc, n, l->err, "ready must be a mapping");
		if ((ret = get_ready(l, n)))
			return ret;
	}
	if ((n = kt_yaml_map_get(w, "smoke-test")) &&
	    (ret = get_test(l, n, "smoke-test", &pr->smoke_command, &pr->smoke_timeout_s)))
		return ret;
	if ((n = kt_yaml_map_get(w, "host-smoke-test")) &&
	    (ret = get_test(l, n, "host-smoke-test", &pr->host_smoke_command,
			    &pr->host_smoke_timeout_s)))
		return ret;
	if ((n = kt_yaml_map_get(w, "restart")) && (ret = get_restart(l, n)))
		return ret;
	if ((n = kt_yaml_map_get(w, "stop-grace"))) {
		unsigned long v;

		if ((ret = get_uint(l, n, 1, 86400, &v)))
			return ret;
		pr->stop_grace_s = (unsigned)v;
	}
	if ((n = kt_yaml_map_get(w, "keep-setuid")) && (ret = get_bool(l, n, &pr->keep_setuid)))
		return ret;
	if ((n = kt_yaml_map_get(w, "cap-add")) && (ret = get_caps(l, n, &pr->cap_add)))
		return ret;
	if ((n = kt_yaml_map_get(w, "cap-drop")) && (ret = get_caps(l, n, &pr->cap_drop)))
		return ret;
	if ((n = kt_yaml_map_get(w, "devices")) && (ret = get_devices(l, n)))
		return ret;
	if ((n = kt_yaml_map_get(w, "privileged")) && (ret = get_bool(l, n, &pr->privileged)))
		return ret;
	if ((n = kt_yaml_map_get(w, "rlimits")) && (ret = get_rlimits(l, n)))
		return ret;
	if ((n = kt_yaml_map_get(w, "seccomp"))) {
		static const char *const modes[] = { "unconfined", "default", "from-profile", NULL };

		pr->seccomp_line = (unsigned)n->line;
		pr->seccomp_set = true;
		if ((ret = get_choice(l, n, modes, (int *)&pr->seccomp)))
			return ret;
	}
	if ((n = kt_yaml_map_get(w, "seccomp-action"))) {
		static const char *const actions[] = { "errno", "kill", "log", NULL };

		if ((ret = get_choice(l, n, actions, (int *)&pr->seccomp_action)))
			return ret;
	}
	if (pr->rootfs_kind >= KPROF_ROOTFS_OCI && (ret = image_defaults(l, w)))
		return ret;
	if (!pr->command.len)
		return kt_yaml_error(l->doc, w, l->err, "workload needs a command%s",
				     pr->rootfs_kind >= KPROF_ROOTFS_OCI ?
				     " (the image sets no Entrypoint or Cmd)" : "");
	return 0;
}

/* One address of @family: "ADDR/PREFIX" and an optional gateway. */
static int get_address(struct ploader *l, const struct kt_yaml_node *addr,
		       const struct kt_yaml_node *gw, const char *key)
{
	struct kt_str v = KT_STR_INIT, why = KT_STR_INIT;
	char *a = NULL, *g = NULL;
	int ret = get_str(l, addr, &a);

	if (!ret && gw)
		ret = get_str(l, gw, &g);
	if (!ret) {
		kt_str_printf(&v, "%s%s%s", a, g ? "," : "", g ? g : "");
		ret = kt_str_error(&v);
	}
	if (!ret && initramfs_net_set(&l->pr->net, key, v.buf, &why) < 0)
		ret = kt_yaml_error(l->doc, addr, l->err, "%s", kt_str_cstr(&why));
	kt_str_free(&v);
	kt_str_free(&why);
	free(a);
	free(g);
	return ret;
}

/*
 * network: the NIC's addresses in the shipped image (static IPv4/IPv6,
 * or DHCP through the kernel's autoconfiguration); the kernel command
 * line's ip= still wins, so a VMM can override them.
 */
static int get_network(struct ploader *l, const struct kt_yaml_node *n)
{
	static const char *const keys[] = { "ipv4", "ipv4-gateway", "ipv6",
					    "ipv6-gateway", "dhcp", NULL };
	static const char *const families[] = { "ipv4", "ipv6" };
	struct kt_str why = KT_STR_INIT;
	const struct kt_yaml_node *v;
	int ret;

	if (n->type != KT_YAML_MAP)
		return kt_yaml_error(l->doc, n, l->err, "network must be a mapping");
	if ((ret = kt_yaml_map_check_keys(l->doc, n, keys, l->err)))
		return ret;
	l->pr->net_line = (unsigned)n->line;
	for (size_t i = 0; i < KT_ARRAY_SIZE(families) && !ret; i++) {
		char gw_key[32];
		const struct kt_yaml_node *a = kt_yaml_map_get(n, families[i]), *gw;

		snprintf(gw_key, sizeof(gw_key), "%s-gateway", families[i]);
		gw = kt_yaml_map_get(n, gw_key);
		if (gw && !a)
			return kt_yaml_error(l->doc, gw, l->err, "%s without %s", gw_key,
					     families[i]);
		if (a)
			ret = get_address(l, a, gw, families[i]);
	}
	if (!ret && (v = kt_yaml_map_get(n, "dhcp"))) {
		bool on = false;

		if ((ret = get_bool(l, v, &on)))
			return ret;
		if (on && initramfs_net_set(&l->pr->net, "dhcp", NULL, &why) < 0)
			ret = kt_yaml_error(l->doc, v, l->err, "%s", kt_str_cstr(&why));
	}
	kt_str_free(&why);
	return ret;
}

/*
 * The tree's /init as the kernel will find it: beneath the tree, its
 * symlinks resolved inside it; an executable regular file. "" when it is.
 */
static const char *init_tree_problem(const char *dir, char *buf, size_t len)
{
	struct stat st;
	int rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd;
	const char *why = "";

	if (rootfd < 0) {
		snprintf(buf, len, "is not a directory ktrim can open (%s)", strerror(errno));
		return buf;
	}
	fd = kprof_open_in_root(rootfd, "init", O_RDONLY);
	if (fd == -ENOSYS) {
		why = "has an /init that needs openat2 (Linux 5.6) to be resolved inside it";
	} else if (fd < 0) {
		snprintf(buf, len, "has no /init (%s, resolved inside the tree)", strerror(-fd));
		why = buf;
	} else if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		why = "has an /init that is not a regular file";
	} else if (!(st.st_mode & 0111)) {
		why = "has an /init that is not executable";
	}
	if (fd >= 0)
		close(fd);
	close(rootfd);
	return why;
}

/* init: {external: PATH}: the user's init tree instead of ktrim-init. */
static int get_init(struct ploader *l, const struct kt_yaml_node *n)
{
	static const char *const keys[] = { "external", NULL };
	const struct kt_yaml_node *e;
	const char *why;
	char buf[PATH_MAX];
	int ret;

	if (n->type != KT_YAML_MAP)
		return kt_yaml_error(l->doc, n, l->err,
				     "init must be a mapping: {external: PATH}");
	if ((ret = kt_yaml_map_check_keys(l->doc, n, keys, l->err)))
		return ret;
	if (!(e = kt_yaml_map_get(n, "external")))
		return kt_yaml_error(l->doc, n, l->err,
				     "init needs external: PATH (without init:, ktrim's own init is packed)");
	if ((ret = get_path(l, e, &l->pr->init_external)))
		return ret;
	l->pr->init_line = (unsigned)e->line;
	why = init_tree_problem(l->pr->init_external, buf, sizeof(buf));
	if (*why)
		return kt_yaml_error(l->doc, e, l->err, "init tree %s %s",
				     l->pr->init_external, why);
	return 0;
}

static int get_profiling(struct ploader *l, const struct kt_yaml_node *p)
{
	static const char *const keys[] = { "kernel", "modules", "memory",
					    "timeout", "modprobe", NULL };
	struct kprof_project *pr = l->pr;
	const struct kt_yaml_node *n;
	unsigned long v;
	int ret;

	if (p->type != KT_YAML_MAP)
		return kt_yaml_error(l->doc, p, l->err, "profiling must be a mapping");
	if ((ret = kt_yaml_map_check_keys(l->doc, p, keys, l->err)))
		return ret;
	if ((n = kt_yaml_map_get(p, "kernel")) &&
	    (ret = get_deferred_path(l, n, &pr->profile_kernel)))
		return ret;
	if ((n = kt_yaml_map_get(p, "modules")) &&
	    (ret = get_deferred_path(l, n, &pr->profile_modules)))
		return ret;
	if ((n = kt_yaml_map_get(p, "modprobe")) &&
	    (ret = get_deferred_path(l, n, &pr->profile_modprobe)))
		return ret;
	if ((n = kt_yaml_map_get(p, "memory"))) {
		if ((ret = get_uint(l, n, 64, 65536, &v)))
			return ret;
		pr->profile_memory_mb = (unsigned)v;
	}
	if ((n = kt_yaml_map_get(p, "timeout"))) {
		if ((ret = get_uint(l, n, 10, 86400, &v)))
			return ret;
		pr->profile_timeout_s = (unsigned)v;
	}
	return 0;
}

static int set_defaults(struct kprof_project *pr)
{
	static const char *const cgroups[] = { "cpu", "memory", "pids" };

	if (!pr->cwd && !(pr->cwd = strdup("/")))
		return -ENOMEM;
	if (!pr->hostname && !(pr->hostname = strdup(pr->name)))
		return -ENOMEM;
	/*
	 * No "net": the container shares the VM's network namespace, so the
	 * NIC reaches it; the VM is the isolation boundary (README.md).
	 */
	if (!pr->namespaces)
		pr->namespaces = INITRAMFS_NS_MNT | INITRAMFS_NS_UTS |
				 INITRAMFS_NS_IPC | INITRAMFS_NS_PID |
				 INITRAMFS_NS_CGROUP;
	if (!pr->cgroups.len)
		for (size_t i = 0; i < KT_ARRAY_SIZE(cgroups); i++)
			if (push_str(&pr->cgroups, strdup(cgroups[i])))
				return -ENOMEM;
	if (!pr->ready_timeout_s)
		pr->ready_timeout_s = 60;
	if (!pr->smoke_timeout_s)
		pr->smoke_timeout_s = 30;
	if (!pr->host_smoke_timeout_s)
		pr->host_smoke_timeout_s = 30;
	if (!pr->profile_memory_mb)
		pr->profile_memory_mb = 1024;
	if (!pr->profile_timeout_s)
		pr->profile_timeout_s = 300;
	if (!pr->arch)
		pr->arch = "x86_64";
	return 0;
}

static int load_root(struct ploader *l)
{
	static const char *const keys[] = { "name", "workload", "targets",
					    "network", "kernel", "profiling", "init",
					    "arch", NULL };
	static const char *const arches[] = { "x86_64", "arm64", NULL };
	static const char *const kernel_keys[] = { "source", NULL };
	const struct kt_yaml_node *root = l->doc->root, *n, *a_node;
	struct kprof_project *pr = l->pr;
	int ret;

	if (!root || root->type != KT_YAML_MAP)
		return kt_yaml_error(l->doc, root, l->err,
				     "a project file must be a mapping");
	if ((ret = kt_yaml_map_check_keys(l->doc, root, keys, l->err)))
		return ret;
	if (!(n = kt_yaml_map_get(root, "name")))
		return kt_yaml_error(l->doc, root, l->err, "the project needs a name");
	if ((ret = get_str(l, n, &pr->name)))
		return ret;
	if (!*pr->name || strchr(pr->name, '/'))
		return kt_yaml_error(l->doc, n, l->err,
				     "name must be non-empty and without '/'");
	if (!(n = kt_yaml_map_get(root, "workload")))
		return kt_yaml_error(l->doc, root, l->err,
				     "the project needs a workload");
	/* before the workload: an image's platform is the guests' arch */
	if ((a_node = kt_yaml_map_get(root, "arch"))) {
		int a;

		if ((ret = get_choice(l, a_node, arches, &a)))
			return ret;
		pr->arch = arches[a];
		pr->arch_line = (unsigned)a_node->line;
	}
	if ((ret = get_workload(l, n)))
		return ret;
	if ((n = kt_yaml_map_get(root, "targets")) &&
	    (ret = get_list(l, n, &pr->targets)))
		return ret;
	if ((n = kt_yaml_map_get(root, "network")) && (ret = get_network(l, n)))
		return ret;
	if ((n = kt_yaml_map_get(root, "kernel"))) {
		if (n->type != KT_YAML_MAP)
			return kt_yaml_error(l->doc, n, l->err, "kernel must be a mapping");
		if ((ret = kt_yaml_map_check_keys(l->doc, n, kernel_keys, l->err)))
			return ret;
		if ((n = kt_yaml_map_get(n, "source")) &&
		    (ret = get_deferred_path(l, n, &pr->kernel_source)))
			return ret;
	}
	if ((n = kt_yaml_map_get(root, "profiling")) &&
	    (ret = get_profiling(l, n)))
		return ret;
	if ((n = kt_yaml_map_get(root, "init")) && (ret = get_init(l, n)))
		return ret;
	return set_defaults(pr);
}

int kprof_project_load(const char *path, struct kprof_project *pr,
		       struct kt_str *err)
{
	struct kt_yaml_doc doc;
	struct ploader l = { &doc, err, pr, NULL };
	char *abs = NULL, *slash;
	int ret;

	kprof_project_init(pr);
	abs = realpath(path, NULL);
	if (!abs) {
		ret = -errno;
		if (err)
			kt_str_printf(err, "%s: %s", path, strerror(errno));
		return ret;
	}
	ret = kt_yaml_load_file(path, &doc, err);
	if (ret)
		goto out_path;
	pr->file = strdup(abs);
	slash = strrchr(abs, '/');
	*slash = '\0';
	l.dir = *abs ? abs : "/";
	ret = pr->file ? load_root(&l) : -ENOMEM;
	kt_yaml_doc_release(&doc);
out_path:
	free(abs);
	if (ret)
		kprof_project_release(pr);
	return ret;
}

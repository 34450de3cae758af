// SPDX-License-Identifier: GPL-2.0-only
/* The config stage: profile facts + recipes + pins -> the trimmed .config. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/pipeline.h"

/* A profile's fact lists and the feature kind each maps to. */
static int fact_kind(enum kprof_kind k, enum kconf_feat_kind *out)
{
	switch (k) {
	case KPROF_MODULES:
	case KPROF_NETFILTER:
		*out = KCONF_FEAT_MODULE;
		return 0;
	case KPROF_FILESYSTEMS:
		*out = KCONF_FEAT_FILESYSTEM;
		return 0;
	case KPROF_SOCKETS:
		*out = KCONF_FEAT_SOCKET;
		return 0;
	case KPROF_SYSCALLS:
		*out = KCONF_FEAT_SYSCALL;
		return 0;
	case KPROF_NAMESPACES:
		*out = KCONF_FEAT_NAMESPACE;
		return 0;
	case KPROF_CGROUPS:
		*out = KCONF_FEAT_CGROUP;
		return 0;
	case KPROF_DEVICES:
	case KPROF_IOCTLS:
		*out = KCONF_FEAT_DEVICE;
		return 0;
	case KPROF_SYSCTLS:
		*out = KCONF_FEAT_SYSCTL;
		return 0;
	default:
		return -1;
	}
}

/*
 * Devices, ioctls and sysctls name a driver or a subsystem only sometimes:
 * /dev/null, /dev/tty and kernel.* come with every kernel, an ioctl on a
 * socket needs what the socket needs. Those that the tree's feature map
 * names (a misc device's node, a registered sysctl directory) are
 * required; the others are counted, not sent to the solver as unknown.
 * An ioctl is "OBJECT CMD" (initramfs/init/abi.h): its device is OBJECT.
 */
static const char *fact_feature(const struct kconf_featmap *fm, enum kprof_kind k,
				const struct kprof_fact *f, char *buf, size_t cap)
{
	enum kconf_feat_kind fk;
	const char *name = k == KPROF_SOCKETS ? f->family : f->name;

	if (fact_kind(k, &fk) < 0)
		return NULL;
	if (k == KPROF_IOCTLS) {
		size_t n = strcspn(name, " ");

		if (strncmp(name, "/dev/", 5) || n >= cap)
			return NULL;
		memcpy(buf, name, n);
		buf[n] = '\0';
		name = buf;
	}
	if ((k == KPROF_DEVICES || k == KPROF_IOCTLS || k == KPROF_SYSCTLS) &&
	    !kconf_featmap_lookup(fm, fk, name))
		return NULL;
	return name;
}

static int require_one(struct kconf_trim *t, struct kconf_req *q, int init_status)
{
	int r = init_status;

	if (r == 0) {
		r = kconf_trim_require(t, q);
		kconf_req_release(q);
	}
	return r;
}

static int add_profile(struct kconf_trim *t, const struct kconf_featmap *fm,
		       const char *path, struct kt_str *err)
{
	struct kprof_profile p;
	struct kt_str origin = KT_STR_INIT, why = KT_STR_INIT;
	unsigned skipped = 0;
	struct kconf_req q;
	char buf[256];
	int r;

	kprof_profile_init(&p);
	r = kprof_profile_load(path, &p, err);
	if (r < 0)
		goto out;
	kt_str_printf(&origin, "profile %s", p.workload_name ? p.workload_name : path);
	if (kt_str_error(&origin)) {
		r = -ENOMEM;
		goto out;
	}
	for (int k = 0; k < KPROF_KIND_COUNT && r == 0; k++) {
		enum kconf_feat_kind fk;

		if (k == KPROF_SYSCTLS && p.facts[k].n) {
			/*
			 * Each sysctl comes with its subsystem; writing any of
			 * them needs /proc/sys itself, which EXPERT can drop.
			 */
			kt_str_reset(&why);
			kt_str_printf(&why, "%s (sysctl %s)", origin.buf, p.facts[k].items[0].name);
			r = kt_str_error(&why);
			if (r == 0)
				r = require_one(t, &q, kconf_req_init_symbol(&q, "CONFIG_PROC_SYSCTL",
									    why.buf, path));
		}
		if (fact_kind((enum kprof_kind)k, &fk) < 0)
			continue;
		for (size_t i = 0; i < p.facts[k].n && r == 0; i++) {
			const struct kprof_fact *f = &p.facts[k].items[i];
			const char *name = fact_feature(fm, (enum kprof_kind)k, f, buf, sizeof(buf));

			if (!name) {
				skipped++;
				continue;
			}
			/* The fact itself in the reason: "(ioctl /dev/net/tun 0x400454ca)" */
			kt_str_reset(&why);
			if (k == KPROF_IOCTLS)
				kt_str_printf(&why, "%s (ioctl %s)", origin.buf, f->name);
			else
				kt_str_printf(&why, "%s", origin.buf);
			r = kt_str_error(&why);
			if (r == 0)
				r = require_one(t, &q, kconf_req_init_feature(&q, fk, name, why.buf,
									     path));
		}
	}
	if (skipped)
		kt_info("%s: %u device, ioctl and sysctl facts name nothing beyond the base "
			"kernel (/dev/null, sockets, kernel.*)", path, skipped);
out:
	kprof_profile_release(&p);
	kt_str_free(&origin);
	kt_str_free(&why);
	return r;
}

/*
 * What the project's shipped image needs beyond its profile: the init
 * configures an IPv6 address, or the kernel's DHCP client runs before it
 * (ktrim.yaml network:, which the profiling run does not exercise).
 */
static int add_project(struct kconf_trim *t, const struct kprof_project *pr)
{
	const struct {
		const char *what;
		const char *sym;
		bool wanted;
	} needs[] = {
		{ "ipv6", "CONFIG_IPV6", pr->net.ipv6 != NULL },
		{ "dhcp", "CONFIG_IP_PNP_DHCP", pr->net.dhcp },
	};
	struct kt_str where = KT_STR_INIT, why = KT_STR_INIT;
	struct kconf_req q;
	const char *base = strrchr(pr->file, '/');
	int r;

	/* The file's name only: a report does not depend on where it lies. */
	kt_str_printf(&where, "%s:%u", base ? base + 1 : pr->file, pr->net_line);
	r = kt_str_error(&where);
	for (size_t i = 0; i < KT_ARRAY_SIZE(needs) && r == 0; i++) {
		if (!needs[i].wanted)
			continue;
		kt_str_reset(&why);
		kt_str_printf(&why, "project %s (network: %s)", pr->name, needs[i].what);
		r = kt_str_error(&why);
		if (r == 0)
			r = require_one(t, &q, kconf_req_init_symbol(&q, needs[i].sym, why.buf,
								    where.buf));
	}
	kt_str_free(&where);
	kt_str_free(&why);
	return r;
}

/* A pin from the command line: CONFIG_X[=v] or kind:name. */
static int add_pin(struct kconf_trim *t, const char *text, bool forbid, struct kt_str *err)
{
	const char *colon = strchr(text, ':');
	struct kconf_req q;
	int r;

	if (colon && strncmp(text, "CONFIG_", 7) != 0) {
		char kind[32];
		enum kconf_feat_kind k;

		snprintf(kind, sizeof(kind), "%.*s", (int)(colon - text), text);
		r = kconf_feat_kind_parse(kind, &k);
		if (r == 0)
			r = kconf_req_init_feature(&q, k, colon + 1, "command line", NULL);
	} else {
		r = kconf_req_init_symbol(&q, text, "command line", NULL);
	}
	if (r == -EINVAL)
		kt_str_printf(err, "bad %s '%s': CONFIG_NAME[=VALUE] or KIND:NAME expected",
			      forbid ? "--forbid" : "--require", text);
	if (r < 0)
		return r;
	r = forbid ? kconf_trim_forbid(t, &q) : kconf_trim_require(t, &q);
	kconf_req_release(&q);
	return r;
}

/* Every recipe once, however many sets include it, in set order. */
static int add_recipes(struct kconf_trim *t, const struct pipeline_config_opts *o,
		       enum kconf_modules_policy *modules)
{
	struct kt_map *seen = kt_map_new(NULL);
	int r = seen ? 0 : -ENOMEM;

	*modules = KCONF_MODULES_BUILTIN;
	for (size_t i = 0; i < o->nrecipes && r == 0; i++) {
		const struct kconf_recipe_set *s = o->recipes[i];

		if (kconf_recipe_set_modules(s) == KCONF_MODULES_AS_NEEDED)
			*modules = KCONF_MODULES_AS_NEEDED;
		for (size_t j = 0; j < s->recipes.len && r == 0; j++) {
			const struct kconf_recipe *rc = kt_array_ptr(&s->recipes, j);

			if (kt_map_has(seen, rc->file))
				continue;
			r = kt_map_set(seen, rc->file, NULL);
			if (r == 0)
				r = kconf_trim_add_recipe(t, rc);
		}
	}
	kt_map_free(seen);
	return r;
}

int pipeline_config(const struct pipeline_config_opts *o, struct kt_str *err)
{
	struct kconf_load_opts lo = { .arch = o->arch };
	struct kconf_trim_opts to = { .base = o->base, .strict = o->strict,
				      .shuffle_seed = o->shuffle_seed };
	struct kconf_tree *tree = NULL;
	struct kconf_featmap *fm = NULL;
	struct kconf_trim *t = NULL;
	unsigned by, bm, y, m;
	int r;

	r = kt_path_check_make("kernel tree", o->ksrc, err);
	/* a foreign ARCH's toolchain probes need its cross compiler */
	pipeline_arch_cross_compile(o->arch);
	if (r == 0)
		r = kconf_tree_load(o->ksrc, &lo, &tree, err);
	if (r < 0)
		goto out;
	if (o->stats)
		kt_progress("parsed Kconfig: %zu symbols", kconf_tree_nsyms(tree));
	r = kconf_featmap_load(o->ksrc, kconf_arch_to_srcarch(o->arch ? o->arch : kconf_host_arch()),
			       NULL, o->rescan, &fm);
	if (r < 0) {
		kt_str_printf(err, "feature maps for %s: %s", o->ksrc, strerror(-r));
		goto out;
	}
	if (o->stats)
		kt_progress("feature maps %s", kconf_featmap_from_cache(fm) ? "from cache" : "scanned");
	r = kconf_trim_new(tree, fm, &t);
	if (r == 0)
		r = add_recipes(t, o, &to.modules);
	if (o->modules)
		to.modules = strcmp(o->modules, "as-needed") == 0 ? KCONF_MODULES_AS_NEEDED :
								   KCONF_MODULES_BUILTIN;
	for (size_t i = 0; r == 0 && i < o->nprofiles; i++)
		r = add_profile(t, fm, o->profiles[i], err);
	if (r == 0 && o->project)
		r = add_project(t, o->project);
	for (size_t i = 0; r == 0 && i < o->nrequire; i++)
		r = add_pin(t, o->require[i], false, err);
	for (size_t i = 0; r == 0 && i < o->nforbid; i++)
		r = add_pin(t, o->forbid[i], true, err);
	if (r < 0)
		goto out;
	r = kconf_trim_solve(t, &to, err);
	if (r == 0 && o->compare) {
		r = kconf_trim_compare(t, o->compare, err);
		if (r < 0)
			goto out;
	}
	if (o->report && kconf_trim_report_write(t, o->report) < 0)
		kt_err("cannot write %s", o->report);
	if (r < 0)
		goto out;
	if (o->stats)
		kt_progress("solved");
	r = kconf_config_write(tree, o->output);
	if (r < 0) {
		kt_str_printf(err, "cannot write %s: %s", o->output, strerror(-r));
		goto out;
	}
	kconf_trim_counts(t, &by, &bm, &y, &m);
	kt_info("%s: %u =y, %u =m (base %s: %u =y, %u =m)%s%s", o->output, y, m,
		o->base ? o->base : "allnoconfig", by, bm, o->report ? "; report " : "",
		o->report ? o->report : "");
out:
	kconf_trim_free(t);
	kconf_featmap_free(fm);
	kconf_tree_free(tree);
	return r;
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * trim-internal.h - private to the trimmer half of kconfig-trim (scanners,
 * recipes, solver, reasons). Nothing outside kconfig-trim/ includes it.
 */
#ifndef KTRIM_TRIM_INTERNAL_H
#define KTRIM_TRIM_INTERNAL_H

#include "common/common.h"
#include "kconfig-trim/kconfig.h"

/* Bump when the scanners change what they record: old caches are ignored. */
#define KCONF_FEATMAP_VERSION 6

/* Strings that live as long as the map (symbol names, file:line texts). */
const char *kconf_featmap_intern(struct kconf_featmap *m, const char *s);

/*
 * A conjunction of symbols, outermost (directory) first, that one object
 * or source line needs. Links point at interned strings.
 */
struct kconf_chain {
	size_t n;
	struct kconf_feat_link *v;
};

int kconf_chain_push(struct kconf_chain *c, const char *sym, const char *where);
int kconf_chain_copy(struct kconf_chain *dst, const struct kconf_chain *src);
void kconf_chain_release(struct kconf_chain *c);

/* Everything the Makefile walk learnt about a tree. */
struct kconf_makefiles {
	/* "drivers/net/" -> struct kconf_chain *: what descending there needs */
	struct kt_map *dirs;
	/* "drivers/net/virtio_net" -> struct kconf_chain *: object (no .o) */
	struct kt_map *objs;
	/* module name ('-' as '_') -> "drivers/net/virtio_net", from obj- lines */
	struct kt_map *modules;
	/* composite part -> its composite: "fs/fuse/virtio_fs" -> "fs/fuse/virtiofs" */
	struct kt_map *parents;
	/* files read, for the cache's staleness check */
	struct kt_array stamps;	/* char * relative paths */
};

int kconf_makefiles_scan(struct kconf_featmap *m, const char *ksrc,
		      const char *srcarch, struct kconf_makefiles *kb);
void kconf_makefiles_release(struct kconf_makefiles *kb);
/*
 * The chain a source file's code needs: its object's, else (for files
 * #included or built by rules we do not model) its directory's.
 * NULL when the file is in no directory the build descends into.
 */
const struct kconf_chain *kconf_makefiles_file_chain(const struct kconf_makefiles *kb,
						  const char *relpath);

/* KBUILD_MODNAME of a source file, as kbuild defines it: "virtiofs". */
int kconf_makefiles_modname(const struct kconf_makefiles *kb, const char *relpath,
			 struct kt_str *out);

/*
 * The C source scanner adds syscalls, filesystems, families, namespaces
 * and module aliases; the headers the aliases' macros came from go into
 * kb->stamps.
 */
int kconf_srcscan_tree(struct kconf_featmap *m, const char *ksrc,
		       struct kconf_makefiles *kb);

/*
 * Module aliases (scan-alias.c): MODULE_ALIAS() invocations expanded with
 * the macros their file sees. The source scanner hands over each file's
 * directives, then its MODULE_ALIAS* lines; @emit gets every alias.
 */
struct kconf_modalias;
int kconf_modalias_new(const char *ksrc, const char *srcarch,
		       struct kconf_modalias **out);
void kconf_modalias_free(struct kconf_modalias *as);
/* @modname: KBUILD_MODNAME, which some aliases are made of. */
int kconf_modalias_begin_file(struct kconf_modalias *as, const char *rel,
			      const char *modname);
/* One logical "#..." line of the file, in order. */
int kconf_modalias_directive(struct kconf_modalias *as, const char *text,
			     size_t n);
/*
 * The invocation starting at @start (MODULE_ALIAS... up to its ')', which
 * may be on a later line before @fend). One that does not expand to string
 * literals emits nothing and is no error.
 */
int kconf_modalias_expand(struct kconf_modalias *as, const char *start,
			  const char *fend,
			  int (*emit)(void *ctx, const char *alias), void *ctx);
/* Push (copies of) the headers a definition came from. */
int kconf_modalias_stamps(const struct kconf_modalias *as, struct kt_array *stamps);
/* Headers with lists: cgroup controllers, socket family aliases. */
int kconf_hdrscan_cgroups(struct kconf_featmap *m, const char *ksrc,
			  const struct kconf_makefiles *kb);
int kconf_hdrscan_socket_aliases(struct kconf_featmap *m, const char *ksrc);

/* Record one feature; alternatives with fewer links win (see scan-map.c). */
int kconf_featmap_add(struct kconf_featmap *m, enum kconf_feat_kind kind,
		      const char *name, const char *where,
		      const struct kconf_chain *chain);
int kconf_featmap_add_alias(struct kconf_featmap *m, const char *alias,
			    const char *canonical);

/* Cache: path of the cache file for a tree; load/save. */
int kconf_featmap_cache_path(const char *cache_dir, const char *ksrc_real,
			     const char *srcarch, struct kt_str *path);
int kconf_featmap_cache_load(const char *path, const char *ksrc,
			     struct kconf_featmap **out);
int kconf_featmap_cache_save(const struct kconf_featmap *m, const char *path,
			     const char *ksrc, const struct kt_array *stamps);
struct kconf_featmap *kconf_featmap_new(const char *srcarch);
/* Scan and hand back the relative paths read (for the cache's stamps). */
int kconf_featmap_scan_stamps(const char *ksrc, const char *srcarch,
			      struct kconf_featmap **out, struct kt_array *stamps);
void kconf_featmap_walk(const struct kconf_featmap *m,
			void (*feat_cb)(const struct kconf_feat *, void *),
			void (*alias_cb)(const char *, const char *, void *),
			void *ctx);
const char *kconf_featmap_srcarch(const struct kconf_featmap *m);
void kconf_featmap_set_from_cache(struct kconf_featmap *m, bool v);
/* Hand @backing (strings the features point into) to the map. */
void kconf_featmap_adopt(struct kconf_featmap *m, char *backing);

/* Small text helpers shared by the scanners. */
bool kconf_is_ident_char(int c);
/* Collect every CONFIG_FOO in [s, s+n) as "FOO" (interned) into @c. */
int kconf_chain_add_config_refs(struct kconf_featmap *m, struct kconf_chain *c,
				const char *s, size_t n, const char *where);

#endif

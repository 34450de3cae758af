// SPDX-License-Identifier: GPL-2.0-only
/* Feature maps derived from a fixture kernel tree, and their cache. */
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
#include "kconfig-trim/kconfig.h"

#define TREE KT_FIXTURES "/trim/tree"

static struct kconf_featmap *scan(void)
{
	struct kconf_featmap *m = NULL;

	assert_int_equal(kconf_featmap_scan(TREE, "x86", &m), 0);
	assert_non_null(m);
	return m;
}

/* "SYM1 SYM2" of a feature, "-" when always built in, NULL when unknown. */
static const char *syms(const struct kconf_featmap *m, enum kconf_feat_kind k,
			const char *name)
{
	static char buf[256];
	const struct kconf_feat *f = kconf_featmap_lookup(m, k, name);

	if (!f)
		return NULL;
	buf[0] = '\0';
	for (size_t i = 0; i < f->nlinks; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s",
			 i ? " " : "", f->links[i].sym);
	return f->nlinks ? buf : "-";
}

static void test_modules_and_directories(void **state)
{
	struct kconf_featmap *m = scan();
	const struct kconf_feat *f;

	/* composite object: ipv6-objs, below obj-$(CONFIG_INET) += ipv6/ */
	assert_string_equal(syms(m, KCONF_FEAT_MODULE, "ipv6"), "NET INET IPV6");
	/* unix-y composite; '-' and '_' are the same for module names */
	assert_string_equal(syms(m, KCONF_FEAT_MODULE, "unix"), "NET UNIX");
	assert_string_equal(syms(m, KCONF_FEAT_MODULE, "ext4"), "EXT4_FS");
	/* the chain records where each link comes from */
	f = kconf_featmap_lookup(m, KCONF_FEAT_MODULE, "ipv6");
	assert_string_equal(f->links[0].where, "Kbuild:5");
	assert_string_equal(f->links[1].where, "net/Makefile:3");
	assert_string_equal(f->links[2].where, "net/ipv6/Makefile:2");
	assert_string_equal(f->where, "net/ipv6/ipv6.o");
	/* composite parts are not modules */
	assert_null(kconf_featmap_lookup(m, KCONF_FEAT_MODULE, "af_inet6"));
	kconf_featmap_free(m);
}

static void test_syscalls(void **state)
{
	struct kconf_featmap *m = scan();

	assert_string_equal(syms(m, KCONF_FEAT_SYSCALL, "accept4"), "NET");
	/* always built: maps to nothing */
	assert_string_equal(syms(m, KCONF_FEAT_SYSCALL, "sendfile64"), "-");
	assert_string_equal(syms(m, KCONF_FEAT_SYSCALL, "fork"), "-");
	/* $(BITS) expands; arch Makefile drivers- lines count */
	assert_string_equal(syms(m, KCONF_FEAT_SYSCALL, "arch_prctl"), "-");
	assert_string_equal(syms(m, KCONF_FEAT_SYSCALL, "pciconfig_read"), "PCI");
	/* ifdef CONFIG_MODULES in kernel/Makefile */
	assert_string_equal(syms(m, KCONF_FEAT_SYSCALL, "init_module"), "MODULES");
	/* #if 0 and directories the build never enters */
	assert_null(syms(m, KCONF_FEAT_SYSCALL, "dead_syscall"));
	assert_null(syms(m, KCONF_FEAT_SYSCALL, "tools_only"));
	kconf_featmap_free(m);
}

static void test_filesystems_sockets_ns_cgroups(void **state)
{
	struct kconf_featmap *m = scan();

	assert_string_equal(syms(m, KCONF_FEAT_FILESYSTEM, "ext4"), "EXT4_FS");
	assert_string_equal(syms(m, KCONF_FEAT_FILESYSTEM, "proc"), "PROC_FS");
	/* PF_ names in the source, AF_/PF_/aliases in the query */
	assert_string_equal(syms(m, KCONF_FEAT_SOCKET, "AF_INET6"), "NET INET IPV6");
	assert_string_equal(syms(m, KCONF_FEAT_SOCKET, "PF_INET6"), "NET INET IPV6");
	assert_string_equal(syms(m, KCONF_FEAT_SOCKET, "AF_LOCAL"), "NET UNIX");
	assert_string_equal(syms(m, KCONF_FEAT_SOCKET, "PF_UNIX"), "NET UNIX");
	assert_null(syms(m, KCONF_FEAT_SOCKET, "AF_INET"));
	/* #ifdef CONFIG_NET_NS around the ns operations */
	assert_string_equal(syms(m, KCONF_FEAT_NAMESPACE, "net"), "NET NET_NS");
	/* cgroup_subsys.h under the cgroup core's chain */
	assert_string_equal(syms(m, KCONF_FEAT_CGROUP, "memory"), "CGROUPS MEMCG");
	assert_int_equal(kconf_featmap_count(m, KCONF_FEAT_CGROUP), 1);
	kconf_featmap_free(m);
}

static void test_devices_and_sysctls(void **state)
{
	struct kconf_featmap *m = scan();

	/* a miscdevice's .nodename and .name; the profile's /dev/ path */
	assert_string_equal(syms(m, KCONF_FEAT_DEVICE, "/dev/net/tun"), "NET INET IPV6");
	assert_string_equal(syms(m, KCONF_FEAT_DEVICE, "net/tun"), "NET INET IPV6");
	assert_string_equal(syms(m, KCONF_FEAT_DEVICE, "tun"), "NET INET IPV6");
	assert_null(syms(m, KCONF_FEAT_DEVICE, "/dev/null"));
	/* a sysctl: the longest registered directory that holds it */
	assert_string_equal(syms(m, KCONF_FEAT_SYSCTL, "net.ipv6.conf.all.forwarding"),
			    "NET INET IPV6");
	assert_string_equal(syms(m, KCONF_FEAT_SYSCTL, "net.ipv6"), "NET INET IPV6");
	assert_string_equal(syms(m, KCONF_FEAT_SYSCTL, "fs.file-max"), "-");
	assert_null(syms(m, KCONF_FEAT_SYSCTL, "net.ipv4.ip_forward"));
	assert_null(syms(m, KCONF_FEAT_SYSCTL, "net"));
	kconf_featmap_free(m);
}

static void test_module_aliases(void **state)
{
	struct kconf_featmap *m = scan();
	const struct kconf_feat *f;

	/* a wrapper (MODULE_ALIAS_FS) from a header the file includes */
	assert_string_equal(syms(m, KCONF_FEAT_MODULE, "fs-ext4"), "EXT4_FS");
	/* PF_INET6 -> AF_INET6 -> 10 from a header that header includes;
	 * '-' and '_' alike, as for module names */
	assert_string_equal(syms(m, KCONF_FEAT_MODULE, "net-pf-10"), "NET INET IPV6");
	assert_string_equal(syms(m, KCONF_FEAT_MODULE, "net_pf_1"), "NET UNIX");
	/* the argument from a uapi header; the file is a composite's part */
	assert_string_equal(syms(m, KCONF_FEAT_MODULE, "nfnetlink-subsys-10"),
			    "NET NETFILTER NF_TABLES");
	f = kconf_featmap_lookup(m, KCONF_FEAT_MODULE, "nfnetlink-subsys-10");
	assert_int_equal(f->kind, KCONF_FEAT_MODALIAS);
	assert_string_equal(f->where, "net/netfilter/nf_tables_api.c:5");
	/* a wrapper from a quoted include; KBUILD_MODNAME is the composite's */
	assert_string_equal(syms(m, KCONF_FEAT_MODULE, "nft-self-nf_tables"),
			    "NET NETFILTER NF_TABLES");
	/* a CONFIG_ value only .config knows: no alias; #if 0: none */
	assert_null(syms(m, KCONF_FEAT_MODALIAS, "nft-major-CONFIG_NFT_MAJOR"));
	assert_null(syms(m, KCONF_FEAT_MODULE, "nft-dead"));
	/* plain MODULE_ALIAS, and one under #ifdef CONFIG_IPV6 */
	assert_string_equal(syms(m, KCONF_FEAT_MODULE, "ipt_REDIRECT"),
			    "NET NETFILTER NETFILTER_XT_TARGET_REDIRECT");
	assert_string_equal(syms(m, KCONF_FEAT_MODULE, "ip6t_REDIRECT"),
			    "NET NETFILTER NETFILTER_XT_TARGET_REDIRECT IPV6");
	/* the file's own wrapper: ## then __stringify of a macro */
	assert_string_equal(syms(m, KCONF_FEAT_MODULE, "xt-proto-6"),
			    "NET NETFILTER NETFILTER_XT_TARGET_REDIRECT");
	/* a wildcard alias matches with fnmatch; a '-' range in [...] stays */
	assert_string_equal(syms(m, KCONF_FEAT_MODULE, "xt-target-b-42"),
			    "NET NETFILTER NETFILTER_XT_TARGET_REDIRECT");
	assert_null(syms(m, KCONF_FEAT_MODULE, "xt-target-d-42"));
	/* a module's own name wins over another module's alias */
	assert_string_equal(syms(m, KCONF_FEAT_MODULE, "ipv6"), "NET INET IPV6");
	assert_string_equal(syms(m, KCONF_FEAT_MODALIAS, "ipv6"), "NET UNIX");
	assert_null(syms(m, KCONF_FEAT_MODULE, "net-pf-99"));
	kconf_featmap_free(m);
}

static void copy_tree(char *dir)
{
	const char *argv[] = { "cp", "-a", TREE "/.", dir, NULL };

	assert_int_equal(kt_run(argv, NULL, NULL), 0);
}

static void rm_tree(const char *dir)
{
	const char *argv[] = { "rm", "-rf", dir, NULL };

	kt_run(argv, NULL, NULL);
}

static void test_cache_valid_then_stale(void **state)
{
	char tree[] = "/tmp/ktrim-scan-tree-XXXXXX";
	char cache[] = "/tmp/ktrim-scan-cache-XXXXXX";
	struct kconf_featmap *m = NULL;
	struct kt_str mk = KT_STR_INIT;
	FILE *f;

	assert_non_null(mkdtemp(tree));
	assert_non_null(mkdtemp(cache));
	copy_tree(tree);
	assert_int_equal(kconf_featmap_load(tree, "x86", cache, false, &m), 0);
	assert_false(kconf_featmap_from_cache(m));
	kconf_featmap_free(m);
	assert_int_equal(kconf_featmap_load(tree, "x86", cache, false, &m), 0);
	assert_true(kconf_featmap_from_cache(m));
	/* cached answers equal scanned ones, chains included */
	assert_string_equal(syms(m, KCONF_FEAT_SOCKET, "AF_LOCAL"), "NET UNIX");
	assert_string_equal(syms(m, KCONF_FEAT_NAMESPACE, "net"), "NET NET_NS");
	assert_string_equal(kconf_featmap_lookup(m, KCONF_FEAT_MODULE, "ipv6")->links[1].where,
			    "net/Makefile:3");
	assert_string_equal(syms(m, KCONF_FEAT_MODULE, "net-pf-10"), "NET INET IPV6");
	assert_string_equal(syms(m, KCONF_FEAT_MODULE, "xt-target-a-1"),
			    "NET NETFILTER NETFILTER_XT_TARGET_REDIRECT");
	kconf_featmap_free(m);

	/* a Makefile edit makes the cache stale: unix.o gains a new symbol */
	assert_int_equal(kt_str_printf(&mk, "%s/net/unix/Makefile", tree), 0);
	f = fopen(kt_str_cstr(&mk), "w");
	assert_non_null(f);
	fputs("obj-$(CONFIG_UNIX_NEW) += unix.o\nunix-y := af_unix.o\n", f);
	fclose(f);
	assert_int_equal(kconf_featmap_load(tree, "x86", cache, false, &m), 0);
	assert_false(kconf_featmap_from_cache(m));
	assert_string_equal(syms(m, KCONF_FEAT_SOCKET, "AF_UNIX"), "NET UNIX UNIX_NEW");
	kconf_featmap_free(m);
	/* a new source file changes its directory's mtime */
	kt_str_reset(&mk);
	assert_int_equal(kt_str_printf(&mk, "%s/fs/proc/extra.c", tree), 0);
	f = fopen(kt_str_cstr(&mk), "w");
	assert_non_null(f);
	fputs("SYSCALL_DEFINE0(extra)\n{\n}\n", f);
	fclose(f);
	assert_int_equal(kconf_featmap_load(tree, "x86", cache, false, &m), 0);
	assert_false(kconf_featmap_from_cache(m));
	/* extra.c is no object: it needs its directory's chain */
	assert_string_equal(syms(m, KCONF_FEAT_SYSCALL, "extra"), "PROC_FS");
	kconf_featmap_free(m);
	/* a header an alias's wrapper came from is stamped too */
	kt_str_reset(&mk);
	kt_str_printf(&mk, "%s/include/linux/net.h", tree);
	f = fopen(kt_str_cstr(&mk), "w");
	assert_non_null(f);
	fputs("#include <linux/socket.h>\n"
	      "#define MODULE_ALIAS_NETPROTO(p) MODULE_ALIAS(\"net-proto-\" __stringify(p))\n", f);
	fclose(f);
	assert_int_equal(kconf_featmap_load(tree, "x86", cache, false, &m), 0);
	assert_false(kconf_featmap_from_cache(m));
	assert_string_equal(syms(m, KCONF_FEAT_MODULE, "net-proto-10"), "NET INET IPV6");
	assert_null(syms(m, KCONF_FEAT_MODULE, "net-pf-10"));
	kconf_featmap_free(m);
	kt_str_free(&mk);
	rm_tree(tree);
	rm_tree(cache);
}

static void test_not_a_tree(void **state)
{
	struct kconf_featmap *m = NULL;

	kt_log_set_level(-1);
	assert_int_equal(kconf_featmap_scan(KT_FIXTURES "/trim", "x86", &m), -ENOENT);
	kt_log_set_level(KT_LOG_INFO);
	assert_null(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modules_and_directories),
		cmocka_unit_test(test_syscalls),
		cmocka_unit_test(test_filesystems_sockets_ns_cgroups),
		cmocka_unit_test(test_devices_and_sysctls),
		cmocka_unit_test(test_module_aliases),
		cmocka_unit_test(test_cache_valid_then_stale),
		cmocka_unit_test(test_not_a_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

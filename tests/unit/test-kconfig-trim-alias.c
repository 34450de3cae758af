// SPDX-License-Identifier: GPL-2.0-only
/*
 * Module aliases on the real tree: Debian's linux-source-6.1 from the
 * kernel cache (ci/kernel-cache.sh), or $KSRC. `make check` fetches the
 * cache before the unit tests, so a missing tree fails here; set
 * KTRIM_TEST_NO_KSRC=1 to skip these cases knowingly.
 */
#include <errno.h>
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/common.h"
#include "kconfig-trim/kconfig.h"

static char ksrc[4096];

/* $KSRC, else the cache's src/linux-source-6.1*; false when absent. */
static bool find_ksrc(void)
{
	const char *env = getenv("KSRC");
	char pattern[4096], kbuild[4200], *cache;
	glob_t g;

	if (env && *env) {
		snprintf(ksrc, sizeof(ksrc), "%s", env);
	} else {
		cache = kt_cache_dir();
		assert_non_null(cache);
		snprintf(pattern, sizeof(pattern), "%s/src/linux-source-6.1*", cache);
		free(cache);
		if (glob(pattern, 0, NULL, &g) != 0)
			return false;
		snprintf(ksrc, sizeof(ksrc), "%s", g.gl_pathv[0]);
		globfree(&g);
	}
	snprintf(kbuild, sizeof(kbuild), "%s/Kbuild", ksrc);
	return access(kbuild, R_OK) == 0;
}

static int setup(void **state)
{
	struct kconf_featmap *m = NULL;
	const char *no = getenv("KTRIM_TEST_NO_KSRC");

	if (!find_ksrc()) {
		if (no && *no == '1') {
			print_message("no kernel tree and KTRIM_TEST_NO_KSRC=1: skip\n");
			*state = NULL;
			return 0;
		}
		fail_msg("no kernel tree: run ci/kernel-cache.sh, set KSRC, "
			 "or KTRIM_TEST_NO_KSRC=1 to skip");
	}
	/* a scan, not the cache: this tests the scanner */
	kt_log_set_level(KT_LOG_WARN);
	assert_int_equal(kconf_featmap_scan(ksrc, "x86", &m), 0);
	*state = m;
	return 0;
}

static int teardown(void **state)
{
	kconf_featmap_free(*state);
	kt_log_set_level(KT_LOG_INFO);
	return 0;
}

/* The feature @name resolves to, which must need symbol @sym. */
static void expect(const struct kconf_featmap *m, const char *name, const char *sym)
{
	const struct kconf_feat *f = kconf_featmap_lookup(m, KCONF_FEAT_MODULE, name);

	if (!f)
		fail_msg("%s: not resolved", name);
	for (size_t i = 0; i < f->nlinks; i++) {
		if (strcmp(f->links[i].sym, sym) == 0)
			return;
	}
	fail_msg("%s (%s, %zu links, last %s) does not need %s", name, f->where,
		 f->nlinks, f->nlinks ? f->links[f->nlinks - 1].sym : "-", sym);
}

static void test_brief_aliases(void **state)
{
	const struct kconf_featmap *m = *state;

	if (!m)
		skip();
	/* MODULE_ALIAS("ipt_REDIRECT") in net/netfilter/xt_REDIRECT.c */
	expect(m, "ipt_REDIRECT", "NETFILTER_XT_TARGET_REDIRECT");
	/* NFNL_SUBSYS_NFTABLES is 10 in uapi/linux/netfilter/nfnetlink.h; 11 is
	 * NFNL_SUBSYS_NFT_COMPAT */
	expect(m, "nfnetlink-subsys-10", "NF_TABLES");
	expect(m, "nfnetlink-subsys-11", "NFT_COMPAT");
	/* MODULE_ALIAS_NETPROTO(PF_INET6): PF_INET6 -> AF_INET6 -> 10 */
	expect(m, "net-pf-10", "IPV6");
	expect(m, "fs-overlay", "OVERLAY_FS");
}

static void test_wrappers(void **state)
{
	const struct kconf_featmap *m = *state;

	if (!m)
		skip();
	/* MODULE_ALIAS_CRYPTO: "crypto-x" and "x"; the generic one is cheapest */
	expect(m, "crypto-sha256", "CRYPTO_SHA256");
	expect(m, "sha256", "CRYPTO_SHA256");
	expect(m, "nf-logger-2-0", "NF_LOG_SYSLOG");
	expect(m, "nft-expr-masq", "NFT_MASQ");
	expect(m, "rtnl-link-veth", "VETH");
	expect(m, "netdev-sit0", "IPV6_SIT");
	expect(m, "devname:net/tun", "TUN");
	/* MODULE_ALIAS_MISCDEV(TUN_MINOR): MISC_MAJOR and TUN_MINOR */
	expect(m, "char-major-10-200", "TUN");
	/* MODULE_ALIAS_GENL_FAMILY(WG_GENL_NAME): a wrapper of a wrapper */
	expect(m, "net-pf-16-proto-16-family-wireguard", "WIREGUARD");
	/* MODULE_ALIAS_RTNL_LINK(KBUILD_MODNAME), MODULE_ALIAS_FS(KBUILD_MODNAME) */
	expect(m, "rtnl-link-wireguard", "WIREGUARD");
	expect(m, "fs-virtiofs", "VIRTIO_FS");
	/* MODULE_ALIAS_BLOCKDEV_MAJOR: a wildcard alias */
	expect(m, "block-major-8-0", "BLK_DEV_SD");
	/* a module name is still the module */
	expect(m, "overlay", "OVERLAY_FS");
	assert_null(kconf_featmap_lookup(m, KCONF_FEAT_MODULE, "net-pf-99"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_brief_aliases),
		cmocka_unit_test(test_wrappers),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

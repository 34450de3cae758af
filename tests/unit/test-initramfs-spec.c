// SPDX-License-Identifier: GPL-2.0-only
/*
 * The container spec: written by the host library, read by the guest
 * init's own parser (compiled in here from initramfs/init/spec.c), so a
 * change to either side that breaks the other fails here.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "initramfs/initramfs.h"
#include "initramfs/init/spec.c"

static void test_round_trip_every_field(void **state)
{
	struct initramfs_spec in;
	struct spec out;
	struct kt_str text = KT_STR_INIT, err = KT_STR_INIT;
	char msg[256];
	char *tricky = "line1\nline2\ttab \\back\\slash \x01 end ";

	initramfs_spec_init(&in);
	assert_int_equal(initramfs_spec_set_cmd(&in, "/bin/busybox sh -c "
		"'echo \"a  b\"; exit 3' \"two words\" esc\\ aped", &err), 0);
	assert_int_equal(in.args.len, 6);
	assert_string_equal(kt_array_ptr(&in.args, 3),
			    "echo \"a  b\"; exit 3");
	assert_string_equal(kt_array_ptr(&in.args, 4), "two words");
	assert_string_equal(kt_array_ptr(&in.args, 5), "esc aped");
	kt_array_push_ptr(&in.args, strdup(tricky));
	kt_array_push_ptr(&in.env, strdup("PATH=/bin"));
	kt_array_push_ptr(&in.env, strdup("MSG=hello world=1"));
	kt_array_push_ptr(&in.modules,
			  strdup("/lib/modules/6.1/kernel/virtio.ko"));
	kt_array_push_ptr(&in.modules,
			  strdup("/lib/modules/6.1/kernel/virtio_blk.ko.zst"));
	assert_int_equal(initramfs_spec_add_cgroup(&in, "memory.max", "64M"), 0);
	assert_int_equal(initramfs_spec_add_cgroup(&in, "cpu.max",
						   "50000 100000"), 0);
	kt_array_push_ptr(&in.controllers, strdup("memory"));
	kt_array_push_ptr(&in.controllers, strdup("pids"));
	in.ready_timeout_s = 45;
	in.cwd = strdup("/srv/www");
	in.hostname = strdup("box");
	in.rootfs = strdup("/dev/vda");
	in.rootfs_type = strdup("ext4");
	in.uid = 1000;
	in.gid = 100;
	in.readonly = true;
	assert_int_equal(initramfs_spec_parse_namespaces("mnt,pid net,time",
							 &in.namespaces,
							 &err), 0);
	in.ready = INITRAMFS_READY_STDOUT;
	in.ready_pattern = strdup("*listening on *:80*");
	in.timeout_s = 30;
	in.stop_grace_s = 3;
	kt_array_push_ptr(&in.smoke, strdup("/bin/busybox"));
	kt_array_push_ptr(&in.smoke, strdup("wget -q -O - http://127.0.0.1/"));
	in.smoke_timeout_s = 12;
	assert_int_equal(initramfs_spec_format(&in, &text), 0);
	/* One directive per line: the newline in an arg did not leak. */
	assert_null(strstr(text.buf, "line1\nline2"));

	assert_int_equal(spec_parse(text.buf, &out, msg, sizeof(msg)), 0);
	assert_int_equal(out.nargs, 7);
	for (int i = 0; i < out.nargs; i++)
		assert_string_equal(out.args[i], kt_array_ptr(&in.args, i));
	assert_null(out.args[7]);
	assert_string_equal(out.args[6], tricky);
	assert_int_equal(out.nenv, 2);
	assert_string_equal(out.env[1], "MSG=hello world=1");
	assert_int_equal(out.nmodules, 2);
	assert_string_equal(out.modules[1],
			    "/lib/modules/6.1/kernel/virtio_blk.ko.zst");
	assert_int_equal(out.ncgroups, 2);
	assert_string_equal(out.cgroups[1].file, "cpu.max");
	assert_string_equal(out.cgroups[1].value, "50000 100000");
	assert_int_equal(out.ncontrollers, 2);
	assert_string_equal(out.controllers[1], "pids");
	assert_int_equal(out.ready_timeout_s, 45);
	assert_string_equal(out.cwd, "/srv/www");
	assert_string_equal(out.hostname, "box");
	assert_string_equal(out.rootfs, "/dev/vda");
	assert_string_equal(out.rootfs_type, "ext4");
	assert_int_equal(out.uid, 1000);
	assert_int_equal(out.gid, 100);
	assert_true(out.readonly);
	/* The init's bits are the library's bits. */
	assert_int_equal(out.namespaces, in.namespaces);
	assert_int_equal(out.namespaces, INITRAMFS_NS_MNT | INITRAMFS_NS_PID |
			 INITRAMFS_NS_NET | INITRAMFS_NS_TIME);
	assert_int_equal(out.ready, READY_STDOUT);
	assert_string_equal(out.ready_pattern, "*listening on *:80*");
	assert_int_equal(out.timeout_s, 30);
	assert_int_equal(out.stop_grace_s, 3);
	assert_int_equal(out.nsmoke, 2);
	assert_string_equal(out.smoke[1], "wget -q -O - http://127.0.0.1/");
	assert_null(out.smoke[2]);
	assert_int_equal(out.smoke_timeout_s, 12);

	/* TCP readiness and a directory root. */
	kt_str_reset(&text);
	free(in.rootfs_type);
	in.rootfs_type = NULL;
	free(in.rootfs);
	in.rootfs = strdup("/rootfs");
	in.ready = INITRAMFS_READY_TCP;
	in.ready_port = 8080;
	assert_int_equal(initramfs_spec_format(&in, &text), 0);
	assert_int_equal(spec_parse(text.buf, &out, msg, sizeof(msg)), 0);
	assert_int_equal(out.ready, READY_TCP);
	assert_int_equal(out.ready_port, 8080);
	assert_string_equal(out.rootfs, "/rootfs");
	assert_null(out.rootfs_type);

	initramfs_spec_release(&in);
	kt_str_free(&text);
	kt_str_free(&err);
}

static void test_empty_argument_round_trip(void **state)
{
	struct initramfs_spec in;
	struct spec out;
	struct kt_str text = KT_STR_INIT, err = KT_STR_INIT;
	char msg[256];

	initramfs_spec_init(&in);
	assert_int_equal(initramfs_spec_set_cmd(&in, "redis-server --save \"\" --port 1", &err), 0);
	assert_int_equal(in.args.len, 5);
	assert_string_equal(kt_array_ptr(&in.args, 2), "");
	assert_int_equal(initramfs_spec_format(&in, &text), 0);
	assert_int_equal(spec_parse(text.buf, &out, msg, sizeof(msg)), 0);
	assert_int_equal(out.nargs, 5);
	assert_string_equal(out.args[1], "--save");
	assert_string_equal(out.args[2], "");
	assert_string_equal(out.args[3], "--port");
	initramfs_spec_release(&in);
	kt_str_free(&text);
	kt_str_free(&err);
}

static void test_same_spec_same_bytes(void **state)
{
	struct initramfs_spec a, b;
	struct kt_str ta = KT_STR_INIT, tb = KT_STR_INIT;

	initramfs_spec_init(&a);
	initramfs_spec_init(&b);
	assert_int_equal(initramfs_spec_set_cmd(&a, "httpd -f", NULL), 0);
	assert_int_equal(initramfs_spec_set_cmd(&b, "httpd -f", NULL), 0);
	a.namespaces = b.namespaces = INITRAMFS_NS_UTS | INITRAMFS_NS_MNT;
	assert_int_equal(initramfs_spec_format(&a, &ta), 0);
	assert_int_equal(initramfs_spec_format(&b, &tb), 0);
	assert_string_equal(ta.buf, tb.buf);
	assert_string_equal(ta.buf, "ktrim-spec 1\nnamespaces mnt uts\n"
			    "arg httpd\narg -f\n");
	initramfs_spec_release(&a);
	initramfs_spec_release(&b);
	kt_str_free(&ta);
	kt_str_free(&tb);
}

static void expect_error(const char *text, const char *msg_part)
{
	char buf[512], msg[256];
	struct spec s;

	snprintf(buf, sizeof(buf), "%s", text);
	assert_int_equal(spec_parse(buf, &s, msg, sizeof(msg)), -1);
	if (!strstr(msg, msg_part))
		fail_msg("'%s' lacks '%s'", msg, msg_part);
}

static void test_guest_parser_errors(void **state)
{
	struct kt_str err = KT_STR_INIT;
	unsigned ns;

	expect_error("", "empty spec");
	expect_error("ktrim-spec 2\n", "line 1: first line must be");
	expect_error("ktrim-spec 1\narg /bin/sh\nfrobnicate yes\n",
		     "line 3: unknown directive 'frobnicate'");
	expect_error("ktrim-spec 1\nready-tcp 70000\n", "line 2: ready-tcp");
	expect_error("ktrim-spec 1\nnamespaces mnt bogus\n",
		     "unknown namespace");
	expect_error("ktrim-spec 1\nenv NOEQUALS\n", "not NAME=VALUE");
	expect_error("ktrim-spec 1\narg a\\qb\n", "bad escape");
	expect_error("ktrim-spec 1\nuser 0\n", "user wants");
	expect_error("ktrim-spec 1\nrootfs-dev ext4 vda\n", "rootfs-dev");
	expect_error("ktrim-spec 1\nreadonly yes\n", "takes no value");
	expect_error("ktrim-spec 1\narg\n", "'arg' needs a value");
	expect_error("ktrim-spec 1\ncap-add CHOWN BOGUS\n", "line 2: unknown capability 'BOGUS'");
	expect_error("ktrim-spec 1\ncap-drop\n", "'cap-drop' needs a value");
	expect_error("ktrim-spec 1\ndevice /dev/../mem\n", "line 2: device '/dev/../mem' is not a path under /dev/");
	expect_error("ktrim-spec 1\ndevice /etc/shadow\n", "not a path under /dev/");
	expect_error("ktrim-spec 1\nprivileged yes\n", "'privileged' takes no value");
	/* The host side refuses unknown namespaces too, naming them. */
	assert_int_equal(initramfs_spec_parse_namespaces("mnt,usr", &ns, &err),
			 -EINVAL);
	assert_non_null(strstr(err.buf, "'usr'"));
	kt_str_free(&err);
}

/* Each policy the host accepts, written and read back as the same rule. */
static void test_restart_policy_round_trip(void **state)
{
	static const struct {
		const char *policy;
		int guest;
		unsigned max;
	} cases[] = {
		{ "no", RESTART_NO, 0 },
		{ "always", RESTART_ALWAYS, 0 },
		{ "on-failure", RESTART_ON_FAILURE, 0 },
		{ "on-failure:2", RESTART_ON_FAILURE, 2 },
		{ "on-failure:2147483647", RESTART_ON_FAILURE, 0x7fffffff },
	};
	struct kt_str err = KT_STR_INIT;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct initramfs_spec in;
		struct kt_str text = KT_STR_INIT;
		struct spec out;
		char msg[256];

		initramfs_spec_init(&in);
		assert_int_equal(initramfs_spec_set_option(&in, "restart", cases[i].policy,
							   &err), 0);
		assert_int_equal(initramfs_spec_format(&in, &text), 0);
		/* "no" is the default and is not written. */
		assert_int_equal(strstr(text.buf, "restart") != NULL, i != 0);
		assert_int_equal(spec_parse(text.buf, &out, msg, sizeof(msg)), 0);
		assert_int_equal(out.restart, cases[i].guest);
		assert_int_equal(out.restart_max, cases[i].max);
		initramfs_spec_release(&in);
		kt_str_free(&text);
	}
	kt_str_free(&err);
}

/* The NIC's addresses: checked and normalised on the host, read by the init. */
static void test_network_round_trip(void **state)
{
	static const char *const bad[][2] = {
		{ "ipv4", "10.0.2.15" }, { "ipv4", "10.0.2.15/33" }, { "ipv4", "10.0.2.15/0" },
		{ "ipv4", "fd00::1/64" }, { "ipv4", "10.0.2.15/24,fd00::1" },
		{ "ipv6", "fd00::1/129" }, { "ipv6", "10.0.2.15/24" }, { "ipv6", "fd00::1/x" },
	};
	struct initramfs_spec in;
	struct kt_str text = KT_STR_INIT, err = KT_STR_INIT;
	struct spec out;
	char msg[256];

	initramfs_spec_init(&in);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		kt_str_reset(&err);
		assert_int_equal(initramfs_spec_set_option(&in, bad[i][0], bad[i][1], &err),
				 -EINVAL);
		assert_non_null(strstr(err.buf, bad[i][1]));
	}
	assert_false(initramfs_net_is_set(&in.net));
	assert_int_equal(initramfs_spec_set_option(&in, "ipv4", "10.0.2.020/24,10.0.2.2",
						   &err), -EINVAL);
	assert_int_equal(initramfs_spec_set_option(&in, "ipv4", "10.0.2.20/24,10.0.2.2", &err), 0);
	assert_int_equal(initramfs_spec_set_option(&in, "ipv6", "FEC0:0:0::20/64", &err), 0);
	assert_int_equal(initramfs_spec_format(&in, &text), 0);
	assert_non_null(strstr(text.buf, "\nnet-ipv4 10.0.2.20/24 10.0.2.2\n"));
	assert_non_null(strstr(text.buf, "\nnet-ipv6 fec0::20/64\n"));
	assert_int_equal(spec_parse(text.buf, &out, msg, sizeof(msg)), 0);
	assert_string_equal(out.ipv4, "10.0.2.20/24");
	assert_string_equal(out.ipv4_gw, "10.0.2.2");
	assert_string_equal(out.ipv6, "fec0::20/64");
	assert_null(out.ipv6_gw);
	assert_false(out.dhcp);
	/* DHCP is the kernel's and excludes a static IPv4 address. */
	kt_str_reset(&err);
	assert_int_equal(initramfs_spec_set_option(&in, "dhcp", NULL, &err), -EINVAL);
	assert_non_null(strstr(err.buf, "exclude"));
	initramfs_spec_release(&in);
	initramfs_spec_init(&in);
	assert_int_equal(initramfs_spec_set_option(&in, "dhcp", NULL, &err), 0);
	kt_str_free(&text);
	assert_int_equal(initramfs_spec_format(&in, &text), 0);
	assert_int_equal(spec_parse(text.buf, &out, msg, sizeof(msg)), 0);
	assert_true(out.dhcp);
	assert_null(out.ipv4);
	initramfs_spec_release(&in);
	kt_str_free(&text);
	kt_str_free(&err);
	expect_error("ktrim-spec 1\nnet-ipv4 10.0.2.20\n", "net-ipv4 wants");
	expect_error("ktrim-spec 1\nnet-dhcp yes\n", "takes no value");
}

/* Docker's semantics: on-failure:N restarts a failing workload N times. */
static void test_restart_wanted(void **state)
{
	struct spec s;

	memset(&s, 0, sizeof(s));
	assert_false(spec_restart_wanted(&s, 1, 0));
	s.restart = RESTART_ALWAYS;
	assert_true(spec_restart_wanted(&s, 0, 1000));
	s.restart = RESTART_ON_FAILURE;
	s.restart_max = 2;
	assert_false(spec_restart_wanted(&s, 0, 0));
	assert_true(spec_restart_wanted(&s, 1, 0));
	assert_true(spec_restart_wanted(&s, 137, 1));
	assert_false(spec_restart_wanted(&s, 1, 2));
	s.restart_max = 0;
	assert_true(spec_restart_wanted(&s, 1, 100000));
}

/* What the host refuses, and the guest's matching limits. */
static void test_restart_and_limits_refused(void **state)
{
	static const char *const bad[] = {
		"sometimes", "on-failure:", "on-failure:0", "on-failure:x",
		"on-failure:2147483648", "always:3", "on-failure2",
	};
	struct initramfs_spec in;
	struct kt_str err = KT_STR_INIT;

	initramfs_spec_init(&in);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		kt_str_reset(&err);
		assert_int_equal(initramfs_spec_set_option(&in, "restart", bad[i], &err), -EINVAL);
		assert_non_null(strstr(err.buf, "restart"));
	}
	/* Seconds past the guest's limit are refused on the host already. */
	assert_int_equal(initramfs_spec_set_option(&in, "timeout", "2147483648", &err), -EINVAL);
	assert_int_equal(initramfs_spec_set_option(&in, "stop-grace", "2147483647", &err), 0);
	/* A controller the runtime could not name in cgroup.subtree_control. */
	kt_array_push_ptr(&in.controllers, strdup("memory/../x"));
	kt_str_reset(&err);
	assert_int_equal(initramfs_spec_check(&in, &err), -EINVAL);
	assert_non_null(strstr(err.buf, "memory/../x"));
	initramfs_spec_release(&in);
	kt_str_free(&err);
	expect_error("ktrim-spec 1\nrestart sometimes\n", "restart wants");
	expect_error("ktrim-spec 1\nrestart on-failure\n", "restart wants");
	expect_error("ktrim-spec 1\nrestart on-failure 2147483648\n", "restart wants");
	expect_error("ktrim-spec 1\nstop-grace 2147483648\n", "stop-grace wants");
	expect_error("ktrim-spec 1\nready-timeout x\n", "ready-timeout wants");
	expect_error("ktrim-spec 1\ncgroup-enable a/b\n", "cgroup-enable wants");
}

/* The overlay's addition: merged into the shipped spec, the test only. */
static void test_overlay_addition_merge(void **state)
{
	struct initramfs_spec ship, add;
	struct kt_str t1 = KT_STR_INIT, t2 = KT_STR_INIT, err = KT_STR_INIT;
	struct spec out;
	char msg[256], bad[] = "ktrim-spec 1\nsmoke-arg true\narg /bin/evil\n";
	char hold[] = "ktrim-spec 1\ncertify-hold yes\n";

	initramfs_spec_init(&ship);
	initramfs_spec_init(&add);
	assert_int_equal(initramfs_spec_set_cmd(&ship, "/bin/httpd -f", &err), 0);
	assert_int_equal(initramfs_spec_set_option(&ship, "restart", "always", &err), 0);
	assert_int_equal(initramfs_spec_set_option(&add, "smoke", "/bin/sh -c 'wget -O - x'",
						   &err), 0);
	add.smoke_timeout_s = 9;
	add.certify_hold = true;
	/* The addition holds nothing of the workload, even when @add has one. */
	assert_int_equal(initramfs_spec_set_cmd(&add, "/bin/other", &err), 0);
	assert_int_equal(initramfs_spec_format(&ship, &t1), 0);
	assert_int_equal(initramfs_spec_format_addition(&add, &t2), 0);
	assert_null(strstr(t1.buf, "smoke"));
	assert_null(strstr(t2.buf, "arg /bin/other"));
	assert_int_equal(spec_parse(t1.buf, &out, msg, sizeof(msg)), 0);
	assert_false(out.certify_hold);
	assert_int_equal(out.nsmoke, 0);
	assert_int_equal(spec_parse_addition(t2.buf, &out, msg, sizeof(msg)), 0);
	assert_int_equal(out.nargs, 2);
	assert_string_equal(out.args[0], "/bin/httpd");
	assert_int_equal(out.restart, RESTART_ALWAYS);
	assert_int_equal(out.nsmoke, 3);
	assert_string_equal(out.smoke[2], "wget -O - x");
	assert_null(out.smoke[3]);
	assert_int_equal(out.smoke_timeout_s, 9);
	assert_true(out.certify_hold);
	/* Anything else in an overlay is refused, with its line. */
	assert_int_equal(spec_parse_addition(bad, &out, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "line 3: 'arg' cannot be added by an overlay"));
	assert_int_equal(spec_parse_addition(hold, &out, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "takes no value"));
	/* an overlay cannot lift the security defaults of what it certifies */
	{
		char priv[] = "ktrim-spec 1\nprivileged\n", caps[] = "ktrim-spec 1\ncap-add ALL\n";

		assert_int_equal(spec_parse_addition(priv, &out, msg, sizeof(msg)), -1);
		assert_non_null(strstr(msg, "'privileged' cannot be added by an overlay"));
		assert_int_equal(spec_parse_addition(caps, &out, msg, sizeof(msg)), -1);
		assert_false(out.privileged);
		assert_int_equal(out.cap_add, 0);
	}
	/* Larger than the init reads: the host says so. */
	for (int i = 0; i < 2000; i++)
		kt_array_push_ptr(&add.smoke, strdup("0123456789"));
	kt_str_reset(&t2);
	assert_int_equal(initramfs_spec_format_addition(&add, &t2), -E2BIG);
	initramfs_spec_release(&ship);
	initramfs_spec_release(&add);
	kt_str_free(&t1);
	kt_str_free(&t2);
	kt_str_free(&err);
}

/*
 * The init's limits hold on the host: a spec at every limit packs and
 * parses in the init; one more of anything, or more bytes than the init
 * reads, is refused by initramfs_spec_check() naming the limit.
 */
static void push_n(struct kt_array *a, size_t n, const char *pre, const char *post)
{
	char buf[64];

	for (size_t i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "%s%zu%s", pre, i, post);
		kt_array_push_ptr(a, strdup(buf));
	}
}

static void test_init_limits_enforced_by_host(void **state)
{
	struct {
		size_t off, max;
		const char *pre, *post, *what;
	} lists[] = {
		{ offsetof(struct initramfs_spec, args), INITRAMFS_SPEC_MAX_ARGS, "a", "", "arguments" },
		{ offsetof(struct initramfs_spec, env), INITRAMFS_SPEC_MAX_ENV, "V", "=1", "environment entries" },
		{ offsetof(struct initramfs_spec, modules), INITRAMFS_SPEC_MAX_MODULES, "/m", ".ko", "modules to load" },
		{ offsetof(struct initramfs_spec, smoke), INITRAMFS_SPEC_MAX_SMOKE, "s", "", "smoke-test arguments" },
		{ offsetof(struct initramfs_spec, devices), INITRAMFS_SPEC_MAX_DEVICES, "/dev/d", "", "devices" },
	};
	static char text[INITRAMFS_SPEC_MAX_BYTES + 1];
	struct kt_str t = KT_STR_INIT, err = KT_STR_INIT;
	struct initramfs_spec in;
	struct spec out;
	char msg[256], want[128];

	(void)state;
	for (size_t i = 0; i < KT_ARRAY_SIZE(lists); i++) {
		struct kt_array *a;

		initramfs_spec_init(&in);
		a = (struct kt_array *)((char *)&in + lists[i].off);
		push_n(a, lists[i].max, lists[i].pre, lists[i].post);
		assert_int_equal(initramfs_spec_check(&in, &err), 0);
		kt_str_reset(&t);
		assert_int_equal(initramfs_spec_format(&in, &t), 0);
		snprintf(text, sizeof(text), "%s", kt_str_cstr(&t));
		assert_int_equal(spec_parse(text, &out, msg, sizeof(msg)), 0);
		push_n(a, 1, "x", "=y");
		kt_str_reset(&err);
		assert_int_equal(initramfs_spec_check(&in, &err), -E2BIG);
		snprintf(want, sizeof(want), "has %zu %s; the guest init takes at most %zu",
			 lists[i].max + 1, lists[i].what, lists[i].max);
		assert_non_null(strstr(kt_str_cstr(&err), want));
		assert_int_equal(initramfs_spec_format(&in, &t), -E2BIG);
		initramfs_spec_release(&in);
	}
	/* one argument as large as the init's whole buffer */
	initramfs_spec_init(&in);
	kt_array_push_ptr(&in.args, calloc(1, INITRAMFS_SPEC_MAX_BYTES));
	memset(kt_array_ptr(&in.args, 0), 'x', INITRAMFS_SPEC_MAX_BYTES - 1);
	kt_str_reset(&err);
	assert_int_equal(initramfs_spec_check(&in, &err), -E2BIG);
	assert_non_null(strstr(kt_str_cstr(&err), "the guest init reads less than 262144"));
	initramfs_spec_release(&in);
	kt_str_free(&t);
	kt_str_free(&err);
}

/*
 * Values the init would refuse at boot are refused when given (each found
 * by tests/fuzz/fuzz-spec.c: the host wrote a spec the init could not read).
 */
static void test_values_the_init_refuses(void **state)
{
	static const char *const bad[][2] = {
		{ "root-dev", "/dev/vda:ex t4" },	/* the init splits at a space */
		{ "root-dev", "vda:ext4" },		/* not a device path */
		{ "root-dev", "/dev/v da:ext4" },
		{ "cgroup", "memory max=1" },
		{ "cgroup", "../x=1" },
		{ "cgroup", "memory.max=" },
		{ "hostname", "" },
		{ "cwd", "" },
		{ "ready-stdout", "" },
		{ "cap-add", "BOGUS" },			/* the init knows no such capability */
		{ "cap-add", "NET_ADMIN,CAP_" },
		{ "cap-drop", "CAP_ALL" },		/* Docker's ALL has no prefix */
		{ "cap-add", "" },
		{ "device", "/dev/../mem" },		/* the init takes paths under /dev/ */
		{ "device", "vda" },
		{ "device", "/dev//vda" },
		{ "device", "/dev/" },
		{ "device", "/dev/net/./tun" },
	};
	struct kt_str err = KT_STR_INIT;
	struct initramfs_spec s;

	(void)state;
	initramfs_spec_init(&s);
	for (size_t i = 0; i < KT_ARRAY_SIZE(bad); i++) {
		kt_str_reset(&err);
		assert_int_equal(initramfs_spec_set_option(&s, bad[i][0], bad[i][1], &err),
				 -EINVAL);
		assert_true(err.len > 0);
	}
	assert_int_equal(initramfs_spec_set_option(&s, "root-dev", "/dev/vda:ext4", &err), 0);
	assert_int_equal(initramfs_spec_set_option(&s, "cgroup", "cpu.max=5000 10000", &err), 0);
	initramfs_spec_release(&s);
	kt_str_free(&err);
}

/*
 * Docker's capability rules, in the one copy both sides run (abi.h): its
 * default 14, names in any case with or without CAP_, ALL, and how
 * cap-add and cap-drop combine (moby's TweakCapabilities).
 */
static void test_capabilities_as_docker(void **state)
{
	const uint64_t def = 0xa80425fbULL, sys_admin = 1ULL << 21, net_raw = 1ULL << 13;

	(void)state;
	assert_int_equal(guest_caps_default(), def);
	assert_string_equal(guest_cap_name(21), "SYS_ADMIN");
	assert_string_equal(guest_cap_name(40), "CHECKPOINT_RESTORE");
	assert_null(guest_cap_name(GUEST_CAP_COUNT));
	assert_int_equal(guest_cap_parse("SYS_ADMIN"), sys_admin);
	assert_int_equal(guest_cap_parse("cap_sys_admin"), sys_admin);
	assert_int_equal(guest_cap_parse("Cap_Sys_Admin"), sys_admin);
	assert_true(guest_cap_parse("all") == GUEST_CAPS_ALL);
	assert_int_equal(guest_cap_parse("CAP_ALL"), 0);
	assert_int_equal(guest_cap_parse("SYS_ADMINX"), 0);
	assert_int_equal(guest_cap_parse(""), 0);
	assert_int_equal(guest_cap_parse("CAP_"), 0);
	assert_int_equal(guest_cap_parse("A_NAME_LONGER_THAN_ANY_CAPABILITY_NAME"), 0);
	/* none given: the default */
	assert_int_equal(guest_caps_resolve(0, 0), def);
	/* drop some, add some; an added one stays even when also dropped */
	assert_int_equal(guest_caps_resolve(sys_admin, net_raw), (def & ~net_raw) | sys_admin);
	assert_int_equal(guest_caps_resolve(sys_admin, sys_admin), def | sys_admin);
	/* add ALL: everything but the dropped; drop ALL: only the added */
	assert_true(guest_caps_resolve(GUEST_CAPS_ALL, net_raw) == ~net_raw);
	assert_int_equal(guest_caps_resolve(sys_admin, GUEST_CAPS_ALL), sys_admin);
	assert_int_equal(guest_caps_resolve(0, GUEST_CAPS_ALL), 0);
	assert_true(guest_caps_resolve(GUEST_CAPS_ALL, GUEST_CAPS_ALL) == GUEST_CAPS_ALL);
	/* device paths */
	assert_true(guest_device_path_ok("/dev/vda"));
	assert_true(guest_device_path_ok("/dev/net/tun"));
	assert_true(guest_device_path_ok("/dev/..vda"));
	assert_false(guest_device_path_ok("/dev/../mem"));
	assert_false(guest_device_path_ok("/dev/vda/"));
	assert_false(guest_device_path_ok("/devx/vda"));
	assert_false(guest_device_path_ok("dev/vda"));
}

/* cap-add, cap-drop, device and privileged from the host's options, read back by the init. */
static void test_security_round_trip(void **state)
{
	struct initramfs_spec in;
	struct kt_str text = KT_STR_INIT, err = KT_STR_INIT;
	struct spec out;
	char msg[256];

	(void)state;
	initramfs_spec_init(&in);
	assert_int_equal(initramfs_spec_format(&in, &text), 0);
	/* nothing said: nothing written, and the init has Docker's defaults */
	assert_null(strstr(text.buf, "cap-"));
	assert_null(strstr(text.buf, "privileged"));
	assert_int_equal(spec_parse(text.buf, &out, msg, sizeof(msg)), 0);
	assert_int_equal(guest_caps_resolve(out.cap_add, out.cap_drop), 0xa80425fbULL);
	assert_false(out.privileged);
	assert_int_equal(out.ndevices, 0);

	assert_int_equal(initramfs_spec_set_option(&in, "cap-add", "sys_admin,CAP_NET_ADMIN", &err), 0);
	assert_int_equal(initramfs_spec_set_option(&in, "cap-add", "sys_time", &err), 0);
	assert_int_equal(initramfs_spec_set_option(&in, "cap-drop", "NET_RAW", &err), 0);
	assert_int_equal(initramfs_spec_set_option(&in, "device", "/dev/vda", &err), 0);
	assert_int_equal(initramfs_spec_set_option(&in, "device", "/dev/net/tun", &err), 0);
	assert_int_equal(initramfs_spec_set_option(&in, "privileged", NULL, &err), 0);
	assert_int_equal(initramfs_spec_check(&in, &err), 0);
	kt_str_reset(&text);
	assert_int_equal(initramfs_spec_format(&in, &text), 0);
	/* canonical names, in capability order */
	assert_non_null(strstr(text.buf, "\ncap-add NET_ADMIN SYS_ADMIN SYS_TIME\n"));
	assert_non_null(strstr(text.buf, "\ncap-drop NET_RAW\n"));
	assert_non_null(strstr(text.buf, "\nprivileged\n"));
	assert_int_equal(spec_parse(text.buf, &out, msg, sizeof(msg)), 0);
	assert_int_equal(out.cap_add, in.cap_add);
	assert_int_equal(out.cap_drop, in.cap_drop);
	assert_int_equal(out.cap_add, (1ULL << 12) | (1ULL << 21) | (1ULL << 25));
	assert_true(out.privileged);
	assert_int_equal(out.ndevices, 2);
	assert_string_equal(out.devices[0], "/dev/vda");
	assert_string_equal(out.devices[1], "/dev/net/tun");

	/* ALL is written as such and read back as every bit */
	in.cap_add = 0;
	in.cap_drop = 0;
	assert_int_equal(initramfs_spec_set_option(&in, "cap-drop", "ALL", &err), 0);
	assert_int_equal(initramfs_spec_set_option(&in, "cap-add", "chown", &err), 0);
	kt_str_reset(&text);
	assert_int_equal(initramfs_spec_format(&in, &text), 0);
	assert_non_null(strstr(text.buf, "\ncap-drop ALL\n"));
	assert_int_equal(spec_parse(text.buf, &out, msg, sizeof(msg)), 0);
	assert_int_equal(guest_caps_resolve(out.cap_add, out.cap_drop), 1);

	initramfs_spec_release(&in);
	kt_str_free(&text);
	kt_str_free(&err);
}

/*
 * rlimit as Docker's --ulimit: NAME=SOFT[:HARD], unlimited; user by name.
 * The init reads back the same.
 */
static void test_rlimit_user_round_trip(void **state)
{
	static const char *const bad[] = {
		"nofile", "nofile=", "bogus=1", "nofile=2:1", "nofile=x", "nofile=1:",
		"nofile=-1", "nofile=unlimited:5", "nofile=18446744073709551615",
	};
	struct initramfs_spec in;
	struct kt_str text = KT_STR_INIT, err = KT_STR_INIT;
	struct spec out;
	char msg[256];

	(void)state;
	initramfs_spec_init(&in);
	assert_int_equal(initramfs_spec_set_option(&in, "rlimit", "nofile=1024:4096", &err), 0);
	assert_int_equal(initramfs_spec_set_option(&in, "rlimit", "core=0", &err), 0);
	assert_int_equal(initramfs_spec_set_option(&in, "rlimit", "memlock=unlimited", &err), 0);
	assert_int_equal(initramfs_spec_set_option(&in, "rlimit", "nproc=64:unlimited", &err), 0);
	assert_int_equal(initramfs_spec_format(&in, &text), 0);
	assert_non_null(strstr(text.buf, "\nrlimit nofile 1024 4096\n"));
	assert_non_null(strstr(text.buf, "\nrlimit memlock unlimited unlimited\n"));
	assert_int_equal(spec_parse(text.buf, &out, msg, sizeof(msg)), 0);
	assert_int_equal(out.rlimits.set, 1u << 7 | 1u << 4 | 1u << 8 | 1u << 6);
	assert_int_equal(out.rlimits.soft[7], 1024);
	assert_int_equal(out.rlimits.hard[7], 4096);
	assert_int_equal(out.rlimits.soft[4], 0);
	assert_int_equal(out.rlimits.hard[4], 0);
	assert_true(out.rlimits.soft[8] == GUEST_RLIM_INFINITY);
	assert_int_equal(out.rlimits.soft[6], 64);
	assert_true(out.rlimits.hard[6] == GUEST_RLIM_INFINITY);
	assert_memory_equal(&out.rlimits, &in.rlimits, sizeof(in.rlimits));
	for (size_t i = 0; i < KT_ARRAY_SIZE(bad); i++) {
		kt_str_reset(&err);
		if (initramfs_spec_set_option(&in, "rlimit", bad[i], &err) != -EINVAL)
			fail_msg("rlimit %s was taken", bad[i]);
		assert_true(err.len > 0);
	}
	assert_non_null(strstr(kt_str_cstr(&err), "nofile: '18446744073709551615' is not SOFT[:HARD]"));
	expect_error("ktrim-spec 1\nrlimit nofile 5 4\n", "line 2: rlimit wants");
	expect_error("ktrim-spec 1\nrlimit files 5 5\n", "line 2: rlimit wants");
	expect_error("ktrim-spec 1\nrlimit nofile 5\n", "line 2: rlimit wants");
	/* a user by name: written as user-name, refused alike on both sides */
	assert_int_equal(initramfs_spec_set_option(&in, "user", "www-data:web", &err), 0);
	kt_str_reset(&text);
	assert_int_equal(initramfs_spec_format(&in, &text), 0);
	assert_non_null(strstr(text.buf, "\nuser-name www-data:web\n"));
	assert_null(strstr(text.buf, "\nuser "));
	assert_int_equal(spec_parse(text.buf, &out, msg, sizeof(msg)), 0);
	assert_string_equal(out.user_name, "www-data:web");
	assert_int_equal(initramfs_spec_set_option(&in, "user", "1000:100", &err), 0);
	assert_null(in.user_name);
	assert_int_equal(in.uid, 1000);
	assert_int_equal(initramfs_spec_set_option(&in, "user", "nobody", &err), 0);
	assert_int_equal(in.uid, 0);
	for (size_t i = 0; i < 4; i++) {
		static const char *const badu[] = { "a:b:c", ":web", "web:", "we b" };

		assert_int_equal(initramfs_spec_set_option(&in, "user", badu[i], &err), -EINVAL);
	}
	expect_error("ktrim-spec 1\nuser-name a:b:c\n", "line 2: user-name wants");
	expect_error("ktrim-spec 1\nuser-name :x\n", "line 2: user-name wants");
	initramfs_spec_release(&in);
	kt_str_free(&text);
	kt_str_free(&err);
}

/*
 * The compiled filter travels as one "seccomp" line and decodes to the
 * same instructions; privileged writes none; the parser refuses what is
 * not whole instructions or more than the init's table.
 */
static void test_seccomp_round_trip(void **state)
{
	static struct guest_bpf_insn got[INITRAMFS_SPEC_MAX_SECCOMP];
	const char *names[] = { "getppid", "socket" };
	struct initramfs_seccomp_opts o = {
		.table = KT_FIXTURES "/initramfs/syscall_64.tbl", .arch = 0xc000003e,
		.policy = INITRAMFS_SECCOMP_LIST, .names = names, .nnames = 2,
	};
	struct initramfs_spec in;
	struct kt_str text = KT_STR_INIT, err = KT_STR_INIT;
	struct spec out;
	char msg[256], *big;
	int n;

	(void)state;
	initramfs_spec_init(&in);
	assert_int_equal(initramfs_seccomp_build(&o, &in.seccomp, &err), 0);
	assert_true(in.seccomp.len > 6);
	assert_int_equal(initramfs_spec_check(&in, &err), 0);
	assert_int_equal(initramfs_spec_format(&in, &text), 0);
	assert_non_null(strstr(text.buf, "\nseccomp 0020000000000004"));	/* ld [arch] */
	assert_int_equal(spec_parse(text.buf, &out, msg, sizeof(msg)), 0);
	assert_non_null(out.seccomp);
	n = guest_seccomp_decode(out.seccomp, got, INITRAMFS_SPEC_MAX_SECCOMP);
	assert_int_equal(n, (int)in.seccomp.len);
	assert_memory_equal(got, in.seccomp.items, in.seccomp.len * sizeof(got[0]));
	/* privileged: no filter, whatever the spec held */
	in.privileged = true;
	kt_str_reset(&text);
	assert_int_equal(initramfs_spec_format(&in, &text), 0);
	assert_null(strstr(text.buf, "seccomp"));

	expect_error("ktrim-spec 1\nseccomp 00200000000000\n", "line 2: seccomp wants");
	expect_error("ktrim-spec 1\nseccomp 002000000000000g\n", "line 2: seccomp wants");
	expect_error("ktrim-spec 1\nseccomp\n", "'seccomp' needs a value");
	assert_int_equal(guest_seccomp_decode("", got, 4), -1);
	assert_int_equal(guest_seccomp_decode("0006000000000000" "0006000000000000", got, 1), -1);
	/* one instruction past the init's table */
	big = malloc(32 + (INITRAMFS_SPEC_MAX_SECCOMP + 1) * GUEST_BPF_HEX);
	assert_non_null(big);
	n = sprintf(big, "ktrim-spec 1\nseccomp ");
	for (int i = 0; i <= INITRAMFS_SPEC_MAX_SECCOMP; i++)
		n += sprintf(big + n, "0006000000000000");
	assert_int_equal(spec_parse(big, &out, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "at most 4096 instructions"));
	free(big);
	/* and the host refuses such a filter before writing it */
	for (size_t i = in.seccomp.len; i <= INITRAMFS_SPEC_MAX_SECCOMP; i++) {
		struct guest_bpf_insn first = *(struct guest_bpf_insn *)kt_array_at(&in.seccomp, 0);

		assert_non_null(kt_array_push(&in.seccomp, &first));
	}
	in.privileged = false;
	kt_str_reset(&err);
	assert_int_equal(initramfs_spec_check(&in, &err), -E2BIG);
	assert_non_null(strstr(err.buf, "seccomp filter instructions"));
	initramfs_spec_release(&in);
	kt_str_free(&text);
	kt_str_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_every_field),
		cmocka_unit_test(test_same_spec_same_bytes),
		cmocka_unit_test(test_empty_argument_round_trip),
		cmocka_unit_test(test_guest_parser_errors),
		cmocka_unit_test(test_restart_policy_round_trip),
		cmocka_unit_test(test_network_round_trip),
		cmocka_unit_test(test_restart_wanted),
		cmocka_unit_test(test_restart_and_limits_refused),
		cmocka_unit_test(test_overlay_addition_merge),
		cmocka_unit_test(test_init_limits_enforced_by_host),
		cmocka_unit_test(test_values_the_init_refuses),
		cmocka_unit_test(test_capabilities_as_docker),
		cmocka_unit_test(test_security_round_trip),
		cmocka_unit_test(test_rlimit_user_round_trip),
		cmocka_unit_test(test_seccomp_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The boot profile's reading of an initcall_debug console (the lines of a
 * real 6.1 boot without KALLSYMS, and with it), its naming through a
 * System.map, bad System.map lines, the phases on the power-on clock, and
 * the waterfall's escaping.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/common.h"
#include "pipeline/boot-profile.h"

static char tmpdir[] = "/tmp/ktrim-test-boot-profile.XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char path[256];

	(void)state;
	snprintf(path, sizeof(path), "%s/System.map", tmpdir);
	unlink(path);
	return rmdir(tmpdir);
}

static const char *write_map(const char *text)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/System.map", tmpdir);
	assert_int_equal(kt_atomic_write_buf(path, 0644, text, strlen(text)), 0);
	return path;
}

static const char console[] =
	"[    0.017480] Kernel command line: console=ttyS0 initcall_debug\n"
	"[    0.255063] calling  0xffffffff80e5ea91 @ 1\n"
	"[    0.255088] initcall 0xffffffff80e5ea91 returned 0 after 0 usecs\n"
	"ktrim-timeline: noise from elsewhere\n"
	"[    0.300000] calling  acpi_init+0x0/0x2f4 @ 1\n"
	"[    0.312000] initcall acpi_init+0x0/0x2f4 returned -19 after 12000 usecs\n"
	"[    0.320000] calling  0xffffffff80e70000 @ 1\n"
	"[    0.330000] calling  hung_one+0x0/0x10 @ 1\n"
	"[    0.331000] initcall 0xffffffff80e70000 returned 0 after 11000 usecs\n"
	"[    0.342000] Run /init as init process\n"
	/* the workload's console output cannot pose as the kernel's */
	"[    0.350000] calling  fake+0x0/0x10 @ 1\n"
	"[    0.351000] initcall fake+0x0/0x10 returned 0 after 99999 usecs\n";

static void test_parse_and_name(void **state)
{
	struct boot_profile bp;
	struct kt_str err = KT_STR_INIT;
	const struct boot_initcall *ic;

	(void)state;
	boot_profile_init(&bp);
	assert_int_equal(boot_profile_parse_console(&bp, console, sizeof(console) - 1), 0);
	/* hung_one never returned: no duration, not in the profile */
	assert_int_equal(bp.calls.len, 3);
	assert_true(bp.run_init_ms > 341.9 && bp.run_init_ms < 342.1);
	ic = kt_array_at(&bp.calls, 1);
	assert_string_equal(ic->fn, "acpi_init");
	assert_int_equal(ic->dur_us, 12000);
	assert_int_equal(ic->ret, -19);

	assert_int_equal(boot_profile_name_functions(&bp, write_map(
		"ffffffff80200000 T _text\n"
		"ffffffff80e5ea91 t init_hw_perf_events\n"
		"ffffffff80e6ffff t before_it\n"), &err), 0);
	ic = kt_array_at(&bp.calls, 0);
	assert_string_equal(ic->fn, "init_hw_perf_events");
	/* no exact match: the address stays */
	ic = kt_array_at(&bp.calls, 2);
	assert_string_equal(ic->fn, "0xffffffff80e70000");

	/* the kernel's zero is 50 ms after power-on; init at 342 ms, ready at 400 */
	boot_profile_phases(&bp, 392.0, 342.0, 343.0, 350.0, 400.0);
	assert_true(bp.kernel_zero_ms > 49.9 && bp.kernel_zero_ms < 50.1);
	assert_int_equal(bp.nphases, 7);
	assert_string_equal(bp.phases[0].name, "before the kernel clock");
	assert_string_equal(bp.phases[2].name, "initcalls");
	assert_true(bp.phases[2].start_ms > 305.0 && bp.phases[2].start_ms < 305.1);
	assert_true(bp.phases[2].end_ms > 380.9 && bp.phases[2].end_ms < 381.1);
	assert_string_equal(bp.phases[6].name, "workload start to ready");
	assert_true(bp.initcall_ms > 22.9 && bp.initcall_ms < 23.1);
	kt_str_free(&err);
	boot_profile_release(&bp);
}

static void test_bad_system_map(void **state)
{
	struct boot_profile bp;
	struct kt_str err = KT_STR_INIT;

	(void)state;
	boot_profile_init(&bp);
	assert_int_equal(boot_profile_name_functions(&bp, write_map(
		"ffffffff80200000 T _text\ngarbage\n"), &err), -EINVAL);
	assert_non_null(strstr(kt_str_cstr(&err), "System.map:2: not a System.map line"));
	kt_str_reset(&err);
	assert_int_equal(boot_profile_name_functions(&bp, write_map(
		"ffffffff8020zz00 T _text\n"), &err), -EINVAL);
	assert_non_null(strstr(kt_str_cstr(&err), "System.map:1: bad address"));
	kt_str_free(&err);
	boot_profile_release(&bp);
}

/* Stamps that are not plain seconds (an [inf] once made the waterfall's ticks endless). */
static void test_odd_stamps_ignored(void **state)
{
	static const char odd[] =
		"[inf] calling  a+0x0/0x1 @ 1\n"
		"[inf] initcall a+0x0/0x1 returned 0 after 1 usecs\n"
		"[ -1.000000] calling  b+0x0/0x1 @ 1\n"
		"[1e300] calling  c+0x0/0x1 @ 1\n"
		"[ 90000.000000] calling  d+0x0/0x1 @ 1\n"
		"[    0.100000] calling  e+0x0/0x1 @ 1\n"
		"[    0.100001] initcall e+0x0/0x1 returned 0 after 99999999999999 usecs\n";
	struct boot_profile bp;
	struct kt_str svg = KT_STR_INIT;

	(void)state;
	boot_profile_init(&bp);
	assert_int_equal(boot_profile_parse_console(&bp, odd, sizeof(odd) - 1), 0);
	/* nothing sane was recorded: no call, no picture */
	assert_int_equal(bp.calls.len, 0);
	boot_profile_phases(&bp, 0, 150.0, 0, 0, 0);
	assert_int_equal(boot_profile_svg(&bp, "t", 15, &svg), 0);
	kt_str_free(&svg);
	boot_profile_release(&bp);
}

static void test_svg_escapes(void **state)
{
	static const char odd[] =
		"[    0.100000] calling  a<b&c+0x0/0x1 @ 1\n"
		"[    0.101000] initcall a<b&c+0x0/0x1 returned 0 after 1000 usecs\n";
	struct boot_profile bp;
	struct kt_str svg = KT_STR_INIT;

	(void)state;
	boot_profile_init(&bp);
	assert_int_equal(boot_profile_parse_console(&bp, odd, sizeof(odd) - 1), 0);
	/* nothing measured: no picture */
	assert_int_equal(boot_profile_svg(&bp, "t", 15, &svg), -EINVAL);
	boot_profile_phases(&bp, 0, 150.0, 0, 0, 0);
	assert_int_equal(boot_profile_svg(&bp, "title <x>", 15, &svg), 0);
	assert_non_null(strstr(kt_str_cstr(&svg), "a&lt;b&amp;c 1.0 ms"));
	assert_non_null(strstr(kt_str_cstr(&svg), "title &lt;x&gt;"));
	assert_null(strstr(kt_str_cstr(&svg), "a<b"));
	kt_str_free(&svg);
	boot_profile_release(&bp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_and_name),
		cmocka_unit_test(test_bad_system_map),
		cmocka_unit_test(test_odd_stamps_ignored),
		cmocka_unit_test(test_svg_escapes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

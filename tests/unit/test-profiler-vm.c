// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "profiler/profiler.h"

static char *joined(struct kprof_vm *vm)
{
	struct kt_array argv;
	struct kt_str s = KT_STR_INIT;
	char *p;

	assert_int_equal(kprof_vm_build_argv(vm, &argv), 0);
	for (size_t i = 0; i < argv.len; i++) {
		kt_str_printf(&s, "%s%s", i ? " " : "", (char *)kt_array_ptr(&argv, i));
		free(kt_array_ptr(&argv, i));
	}
	kt_array_free(&argv);
	/* NULL when an append failed: stop here, not in a later strstr */
	p = kt_str_steal(&s);
	assert_non_null(p);
	return p;
}

static void test_q35_command_line(void **state)
{
	struct kprof_vm vm;
	char *cmd;

	kprof_vm_init(&vm, KPROF_VM_Q35);
	/* AUTO must be resolved before a command line exists */
	assert_int_equal(kprof_vm_set_kernel(&vm, "/k/bzImage", "/k/initrd", "console=ttyS0"), 0);
	{
		struct kt_array argv;

		assert_int_equal(kprof_vm_build_argv(&vm, &argv), -EINVAL);
	}
	vm.accel = KPROF_VM_ACCEL_TCG;
	vm.icount = true;
	vm.memory_mb = 256;
	assert_int_equal(kprof_vm_add_9p(&vm, "kmods", "/lib/modules/a,b", true), 0);
	assert_int_equal(kprof_vm_add_serial_file(&vm, "/tmp/facts"), 0);
	assert_int_equal(kprof_vm_add_disk(&vm, "/tmp/d.img", false), 0);
	assert_int_equal(kprof_vm_add_virtio_serial(&vm, "ktrim.0", "/tmp/vs"), 0);
	cmd = joined(&vm);
	assert_non_null(strstr(cmd, "qemu-system-x86_64 -machine q35 -accel tcg -cpu max -m 256 "));
	assert_non_null(strstr(cmd, " -icount shift=0,sleep=off"));
	assert_non_null(strstr(cmd, " -kernel /k/bzImage"));
	assert_non_null(strstr(cmd, " -initrd /k/initrd -append console=ttyS0"));
	/* commas in paths are doubled, as QEMU's option syntax wants */
	assert_non_null(strstr(cmd, "-fsdev local,id=fs0,path=/lib/modules/a,,b,security_model=none,readonly=on"));
	assert_non_null(strstr(cmd, "-device virtio-9p-pci,fsdev=fs0,mount_tag=kmods"));
	assert_non_null(strstr(cmd, "-serial stdio"));
	assert_true(strstr(cmd, "-serial stdio") < strstr(cmd, "-serial file:/tmp/facts"));
	assert_non_null(strstr(cmd, "-device virtio-blk-pci,drive=disk1"));
	assert_non_null(strstr(cmd, "-device virtserialport,bus=vser2.0,chardev=vsc2,name=ktrim.0"));
	free(cmd);
	kprof_vm_release(&vm);
}

static void test_microvm_uses_mmio(void **state)
{
	struct kprof_vm vm;
	char *cmd;

	kprof_vm_init(&vm, KPROF_VM_MICROVM);
	vm.accel = KPROF_VM_ACCEL_KVM;
	vm.icount = true;	/* meaningless under KVM: dropped */
	assert_int_equal(kprof_vm_set_kernel(&vm, "/k/vmlinux", NULL, NULL), 0);
	assert_int_equal(kprof_vm_add_disk(&vm, "/tmp/d.img", true), 0);
	cmd = joined(&vm);
	assert_non_null(strstr(cmd, "-machine microvm,"));
	assert_non_null(strstr(cmd, "-accel kvm -cpu host"));
	assert_non_null(strstr(cmd, "-device virtio-blk-device,drive=disk0"));
	assert_null(strstr(cmd, "-icount"));
	assert_null(strstr(cmd, "-initrd"));
	free(cmd);
	kprof_vm_release(&vm);
}

static void test_timeline_lines(void **state)
{
	struct kprof_vm_event ev;

	assert_int_equal(kprof_vm_parse_timeline("ktrim-timeline: init-start 812345", &ev), 1);
	assert_string_equal(ev.name, "init-start");
	assert_int_equal(ev.uptime_us, 812345);
	assert_string_equal(ev.args, "");
	kprof_vm_event_release(&ev);
	/* kernel text before it on the same console line, CR from the tty */
	assert_int_equal(kprof_vm_parse_timeline("[    1.2] x ktrim-timeline: modules-loaded 900001 n=3\r", &ev), 1);
	assert_string_equal(ev.name, "modules-loaded");
	assert_string_equal(ev.args, "n=3");
	kprof_vm_event_release(&ev);
	assert_int_equal(kprof_vm_parse_timeline("ktrim-timeline: workload-exit 5 status=0 pid=7", &ev), 1);
	assert_string_equal(ev.args, "status=0 pid=7");
	kprof_vm_event_release(&ev);
	assert_int_equal(kprof_vm_parse_timeline("Booting the kernel.", &ev), 0);
	assert_int_equal(kprof_vm_parse_timeline("ktrim-timeline: init-start", &ev), -EINVAL);
	assert_int_equal(kprof_vm_parse_timeline("ktrim-timeline: init-start -5", &ev), -EINVAL);
	assert_int_equal(kprof_vm_parse_timeline("ktrim-timeline: Init 5", &ev), -EINVAL);
	assert_int_equal(kprof_vm_parse_timeline("ktrim-timeline: init 12ab", &ev), -EINVAL);
}

/* Whatever KVM does on this machine, the probe answers in bounded time. */
static void test_kvm_probe_is_bounded(void **state)
{
	struct kt_str why = KT_STR_INIT;
	struct timespec a, b;
	double dt;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &a);
	r = kprof_vm_probe_kvm(2.0, &why);
	clock_gettime(CLOCK_MONOTONIC, &b);
	dt = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	assert_true(r == 0 || r == 1);
	assert_true(dt < 3.0);
	if (r == 0)
		assert_true(why.len > 0);
	print_message("kvm probe: %s in %.2fs %s\n", r ? "works" : "unusable", dt,
		      kt_str_cstr(&why));
	kt_str_free(&why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_q35_command_line),
		cmocka_unit_test(test_microvm_uses_mmio),
		cmocka_unit_test(test_timeline_lines),
		cmocka_unit_test(test_kvm_probe_is_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

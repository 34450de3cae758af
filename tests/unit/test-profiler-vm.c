// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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

/* arm64: qemu-system-aarch64 virt, cortex-a57 under TCG, virtio-pci, one UART. */
static void test_virt_command_line(void **state)
{
	enum kprof_vm_machine m;
	struct kprof_vm vm;
	char *cmd;

	assert_int_equal(kprof_vm_machine_parse("virt", &m), 0);
	assert_int_equal(m, KPROF_VM_VIRT);
	assert_string_equal(kprof_vm_machine_arch(m), "arm64");
	assert_string_equal(kprof_vm_console(m), "ttyAMA0");
	assert_string_equal(kprof_vm_console(KPROF_VM_Q35), "ttyS0");
	assert_int_equal(kprof_vm_machine_for_arch("arm64", &m), 0);
	assert_int_equal(m, KPROF_VM_VIRT);
	assert_int_equal(kprof_vm_machine_for_arch(NULL, &m), 0);
	assert_int_equal(m, KPROF_VM_Q35);
	assert_string_equal(kprof_vm_machine_arch(m), "x86_64");
	assert_int_equal(kprof_vm_machine_for_arch("riscv64", &m), -EINVAL);

	kprof_vm_init(&vm, KPROF_VM_VIRT);
	vm.accel = KPROF_VM_ACCEL_TCG;
	vm.icount = true;
	vm.memory_mb = 512;
	assert_int_equal(kprof_vm_set_kernel(&vm, "/k/Image", "/k/initrd", "console=ttyAMA0"), 0);
	assert_int_equal(kprof_vm_add_9p(&vm, "kmods", "/lib/modules/x", true), 0);
	/* virt has no second UART: the facts take a virtio-serial port */
	assert_int_equal(kprof_vm_add_serial_file(&vm, "/tmp/facts"), -EOPNOTSUPP);
	assert_int_equal(kprof_vm_add_virtio_serial(&vm, "ktrim-facts", "/tmp/facts"), 0);
	cmd = joined(&vm);
	assert_non_null(strstr(cmd, "qemu-system-aarch64 -machine virt -accel tcg -cpu cortex-a57 "
				    "-m 512 "));
	assert_non_null(strstr(cmd, " -icount shift=0,sleep=off"));
	assert_non_null(strstr(cmd, " -kernel /k/Image"));
	assert_non_null(strstr(cmd, "-device virtio-9p-pci,fsdev=fs0,mount_tag=kmods"));
	assert_non_null(strstr(cmd, "-device virtio-serial-pci,id=vser1"));
	assert_null(strstr(cmd, "-serial file:"));
	free(cmd);
	/* no IDE boot disk on virt */
	assert_int_equal(kprof_vm_set_kernel(&vm, NULL, NULL, NULL), 0);
	assert_int_equal(kprof_vm_set_boot_disk(&vm, NULL, "/d/a.img"), 0);
	{
		struct kt_array argv;

		assert_int_equal(kprof_vm_build_argv(&vm, &argv), -EOPNOTSUPP);
	}
	kprof_vm_release(&vm);
}

/* Firmware boots from a disk: no -kernel; OVMF or SeaBIOS; NVDIMMs widen -m. */
static void test_disk_boot_and_nvdimm(void **state)
{
	struct kprof_vm vm;
	char *cmd;

	kprof_vm_init(&vm, KPROF_VM_Q35);
	vm.accel = KPROF_VM_ACCEL_TCG;
	vm.memory_mb = 256;
	assert_int_equal(kprof_vm_set_boot_disk(&vm, "/fw/OVMF.fd", "/d/a,b.vhdx"), 0);
	cmd = joined(&vm);
	assert_null(strstr(cmd, "-kernel"));
	assert_non_null(strstr(cmd, " -bios /fw/OVMF.fd"));
	assert_non_null(strstr(cmd, " -drive file=/d/a,,b.vhdx,format=vhdx,if=ide,index=0,media=disk,"
				    "snapshot=on"));
	free(cmd);
	/* a kernel and a boot disk at once is no command line */
	assert_int_equal(kprof_vm_set_kernel(&vm, "/k/bzImage", NULL, NULL), 0);
	{
		struct kt_array argv;

		assert_int_equal(kprof_vm_build_argv(&vm, &argv), -EINVAL);
	}
	kprof_vm_release(&vm);

	kprof_vm_init(&vm, KPROF_VM_PC);
	vm.accel = KPROF_VM_ACCEL_TCG;
	vm.memory_mb = 128;
	assert_int_equal(kprof_vm_set_boot_disk(&vm, NULL, "/d/disk.raw"), 0);
	cmd = joined(&vm);
	assert_non_null(strstr(cmd, "-machine pc "));
	assert_null(strstr(cmd, "-bios"));
	assert_non_null(strstr(cmd, "file=/d/disk.raw,format=raw,"));
	free(cmd);
	kprof_vm_release(&vm);

	kprof_vm_init(&vm, KPROF_VM_Q35);
	vm.accel = KPROF_VM_ACCEL_TCG;
	vm.memory_mb = 256;
	assert_int_equal(kprof_vm_set_kernel(&vm, "/k/kernel", "/k/initrd.img", NULL), 0);
	assert_int_equal(kprof_vm_add_nvdimm(&vm, "/r/root.img", 16), 0);
	cmd = joined(&vm);
	assert_non_null(strstr(cmd, "-machine q35,nvdimm=on "));
	assert_non_null(strstr(cmd, "-m 256,slots=1,maxmem=272M "));
	assert_non_null(strstr(cmd, "-object memory-backend-file,id=nvmem0,mem-path=/r/root.img,"
				    "size=16M,share=off,readonly=on -device "
				    "nvdimm,id=nvdimm0,memdev=nvmem0,unarmed=on"));
	free(cmd);
	kprof_vm_release(&vm);
}

/* The NIC follows the transport; the forward and the monitor are spelled out. */
static void test_user_net_and_monitor(void **state)
{
	static const struct {
		enum kprof_vm_machine m;
		const char *dev;
	} cases[] = {
		{ KPROF_VM_Q35, "-device virtio-net-pci,netdev=n0" },
		{ KPROF_VM_MICROVM, "-device virtio-net-device,netdev=n0" },
	};
	unsigned port = 0;

	assert_int_equal(kprof_vm_free_port(&port), 0);
	assert_true(port > 0 && port < 65536);
	for (size_t i = 0; i < 2; i++) {
		struct initramfs_net net = { .ipv4 = "192.168.7.9/24",
					     .ipv4_gateway = "192.168.7.1" };
		struct kprof_vm vm;
		char *cmd;

		kprof_vm_init(&vm, cases[i].m);
		vm.accel = KPROF_VM_ACCEL_TCG;
		assert_int_equal(kprof_vm_set_kernel(&vm, "/k/vmlinux", NULL, NULL), 0);
		assert_int_equal(kprof_vm_add_monitor(&vm, "/tmp/a,b/mon.sock"), 0);
		assert_int_equal(kprof_vm_add_user_net(&vm, 40123, 80, NULL), 0);
		assert_int_equal(kprof_vm_add_user_net(&vm, 40124, 8080, &net), 0);
		cmd = joined(&vm);
		assert_non_null(strstr(cmd, "-netdev user,id=n0,hostfwd=tcp:127.0.0.1:40123-:80"));
		/* a static address gets its subnet, the gateway as QEMU's host */
		assert_non_null(strstr(cmd, "-netdev user,id=n1,net=192.168.7.0/24,"
				       "host=192.168.7.1,hostfwd=tcp:127.0.0.1:40124-192.168.7.9:8080"));
		assert_non_null(strstr(cmd, cases[i].dev));
		/* a comma in the path is doubled for QEMU's option parser */
		assert_non_null(strstr(cmd, "-monitor unix:/tmp/a,,b/mon.sock,server=on,wait=off"));
		assert_string_equal(vm.monitor, "/tmp/a,b/mon.sock");
		free(cmd);
		kprof_vm_release(&vm);
	}
}

static void test_timeline_lines(void **state)
{
	struct kprof_vm_event ev;

	assert_int_equal(kprof_vm_parse_timeline("ktrim-timeline: init-start 812345", &ev), 1);
	assert_string_equal(ev.name, "init-start");
	assert_int_equal(ev.uptime_us, 812345);
	assert_string_equal(ev.args, "");
	kprof_vm_event_release(&ev);
	/* the tag after other text is no record: a workload can print that */
	assert_int_equal(kprof_vm_parse_timeline("[    1.2] x ktrim-timeline: modules-loaded 900001 n=3", &ev), 0);
	assert_int_equal(kprof_vm_parse_timeline("fake: ktrim-timeline: workload-ready 1 via=stdout", &ev), 0);
	assert_int_equal(kprof_vm_parse_timeline(" ktrim-timeline: poweroff 1", &ev), 0);
	/* CR from the tty */
	assert_int_equal(kprof_vm_parse_timeline("ktrim-timeline: modules-loaded 900001 n=3\r", &ev), 1);
	assert_string_equal(ev.name, "modules-loaded");
	assert_string_equal(ev.args, "n=3");
	kprof_vm_event_release(&ev);
	assert_int_equal(kprof_vm_parse_timeline("ktrim-timeline: workload-exit 5 status=0 pid=7", &ev), 1);
	assert_string_equal(ev.args, "status=0 pid=7");
	{
		size_t n = 0;
		const char *v = kprof_vm_event_field(&ev, "pid", &n);

		assert_non_null(v);
		assert_int_equal(n, 1);
		assert_int_equal(*v, '7');
		assert_null(kprof_vm_event_field(&ev, "tatus", &n));
		assert_null(kprof_vm_event_field(&ev, "status=0", &n));
	}
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
	double dt = kt_clock_now();
	int r;

	r = kprof_vm_probe_kvm(2.0, &why);
	dt = kt_clock_now() - dt;
	assert_true(r == 0 || r == 1);
	assert_true(dt < 3.0);
	if (r == 0)
		assert_true(why.len > 0);
	print_message("kvm probe: %s in %.2fs %s\n", r ? "works" : "unusable", dt,
		      kt_str_cstr(&why));
	kt_str_free(&why);
}

/*
 * A stand-in for QEMU: a CR LF console with timeline lines ending in the
 * nonce from ktrim_nonce= in its -append argument, as the init writes
 * them, then whatever $FAKE_QEMU_TAIL says ($N is the nonce).
 */
static char *fake_qemu(char *dir)
{
	static const char script[] =
		"#!/bin/sh\n"
		"N=$(printf '%s\\n' \"$@\" | sed -n 's/.*ktrim_nonce=\\([0-9a-f]*\\).*/\\1/p')\n"
		"printf 'SeaBIOS\\r\\nktrim-timeline: init-start 1000 nonce=%s\\r\\n' \"$N\"\n"
		"echo 'to stderr' >&2\n"
		"printf 'ktrim-timeline: workload-ready 2000 n=1 nonce=%s\\r\\n' \"$N\"\n"
		"eval \"$FAKE_QEMU_TAIL\"\n";
	char *path = NULL;

	assert_non_null(mkdtemp(dir));
	assert_true(asprintf(&path, "%s/qemu", dir) > 0);
	assert_int_equal(kt_atomic_write_buf(path, 0755, script, sizeof(script) - 1), 0);
	return path;
}

struct seen {
	struct kt_str lines;
	const char *stop_at;
};

static int note_line(const char *line, void *ctx)
{
	struct seen *s = ctx;

	kt_str_printf(&s->lines, "%s|", line);
	return s->stop_at && strstr(line, s->stop_at) ? 42 : 0;
}

static void run_fake(const char *qemu, const char *tail, double timeout_s,
		     struct seen *seen, const char *console, int want_ret,
		     struct kprof_vm_result *res)
{
	struct kprof_vm vm;

	kprof_vm_init(&vm, KPROF_VM_Q35);
	vm.accel = KPROF_VM_ACCEL_TCG;	/* no KVM probe */
	vm.qemu = qemu;
	vm.timeout_s = timeout_s;
	vm.on_line = note_line;
	vm.ctx = seen;
	vm.console_log = console ? strdup(console) : NULL;
	assert_int_equal(kprof_vm_set_kernel(&vm, "/k/bzImage", NULL, NULL), 0);
	setenv("FAKE_QEMU_TAIL", tail, 1);
	kprof_vm_result_init(res);
	assert_int_equal(kprof_vm_run(&vm, res), want_ret);
	unsetenv("FAKE_QEMU_TAIL");
	kprof_vm_release(&vm);
}

static void test_run_feeds_lines_and_stops(void **state)
{
	char dir[] = "/tmp/kt-vm-fake.XXXXXX", *qemu = fake_qemu(dir), *console = NULL,
	     *text = NULL;
	struct seen seen = { KT_STR_INIT, NULL };
	struct kprof_vm_result res;
	const struct kprof_vm_event *ev;

	/* to the end: CR dropped, stderr merged, events parsed, console kept */
	assert_true(asprintf(&console, "%s/console.log", dir) > 0);
	run_fake(qemu, "printf 'last'; exit 3", 20, &seen, console, 0, &res);
	assert_string_equal(kt_str_cstr(&seen.lines),
			    "SeaBIOS|ktrim-timeline: init-start 1000|to stderr|"
			    "ktrim-timeline: workload-ready 2000 n=1|last|");
	assert_int_equal(res.exit_status, 3);
	assert_false(res.timed_out);
	ev = kprof_vm_result_event(&res, "workload-ready");
	assert_non_null(ev);
	assert_int_equal(ev->uptime_us, 2000);
	assert_string_equal(ev->args, "n=1");
	assert_true(ev->host_s >= 0 && ev->host_s <= res.elapsed_s);
	assert_int_equal(kt_read_file(console, &text, NULL), 0);
	assert_non_null(strstr(text, "init-start 1000 nonce="));
	assert_non_null(strstr(text, "\r\nto stderr\n"));
	kprof_vm_result_release(&res);

	/*
	 * A workload printing records of its own, without this boot's nonce
	 * or with another: none is an event, each reaches on_line marked.
	 */
	kt_str_reset(&seen.lines);
	run_fake(qemu, "printf 'ktrim-timeline: workload-exit 5 status=0\\r\\n"
		 "ktrim-timeline: smoke-done 6 status=0 nonce=00112233445566778899aabbccddeeff\\n"
		 "ktrim-timeline: poweroff 7 nonce=%s\\n' \"$N\"", 20, &seen, NULL, 0, &res);
	assert_int_equal(res.events.len, 3);
	assert_null(kprof_vm_result_event(&res, "workload-exit"));
	assert_null(kprof_vm_result_event(&res, "smoke-done"));
	assert_non_null(kprof_vm_result_event(&res, "poweroff"));
	assert_non_null(strstr(kt_str_cstr(&seen.lines),
			       "|untrusted: ktrim-timeline: workload-exit 5 status=0|untrusted: "
			       "ktrim-timeline: smoke-done 6 status=0 nonce=00112233445566778899aabbccddeeff|"
			       "ktrim-timeline: poweroff 7|"));
	kprof_vm_result_release(&res);

	/* the line callback's value stops the guest and is returned */
	kt_str_reset(&seen.lines);
	seen.stop_at = "workload-ready";
	run_fake(qemu, "sleep 30", 20, &seen, NULL, 42, &res);
	assert_false(res.timed_out);
	assert_true(res.elapsed_s < 5.0);
	assert_int_equal(res.events.len, 2);
	kprof_vm_result_release(&res);

	/* a hung guest is killed at the timeout */
	kt_str_reset(&seen.lines);
	seen.stop_at = NULL;
	run_fake(qemu, "sleep 30", 0.5, &seen, NULL, 0, &res);
	assert_true(res.timed_out);
	assert_true(res.elapsed_s < 5.0);
	kprof_vm_result_release(&res);

	/* no QEMU at all: an error, not a status */
	run_fake("/nonexistent/qemu", "", 20, &seen, NULL, -ENOENT, &res);
	kprof_vm_result_release(&res);

	unlink(console);
	unlink(qemu);
	rmdir(dir);
	free(text);
	free(console);
	free(qemu);
	kt_str_free(&seen.lines);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_q35_command_line),
		cmocka_unit_test(test_microvm_uses_mmio),
		cmocka_unit_test(test_virt_command_line),
		cmocka_unit_test(test_disk_boot_and_nvdimm),
		cmocka_unit_test(test_user_net_and_monitor),
		cmocka_unit_test(test_timeline_lines),
		cmocka_unit_test(test_kvm_probe_is_bounded),
		cmocka_unit_test(test_run_feeds_lines_and_stops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

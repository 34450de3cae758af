// SPDX-License-Identifier: GPL-2.0-only
/*
 * One place that knows how to start QEMU for a ktrim guest: the machine
 * model decides the QEMU binary, the CPU, the console and device names
 * (virtio-pci on q35 and arm64 virt, virtio-mmio on microvm), the
 * accelerator is KVM only when a probe shows a vCPU really runs, and
 * the console is read line by line so callers see the guest timeline as
 * it happens and can stop the VM early.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "profiler/profiler.h"

void kprof_vm_init(struct kprof_vm *vm, enum kprof_vm_machine machine)
{
	memset(vm, 0, sizeof(*vm));
	vm->machine = machine;
	vm->qemu = machine == KPROF_VM_VIRT ? "qemu-system-aarch64" : "qemu-system-x86_64";
	vm->memory_mb = 512;
	vm->cpus = 1;
	kt_array_init(&vm->devices, sizeof(char *));
}

void kprof_vm_release(struct kprof_vm *vm)
{
	for (size_t i = 0; i < vm->devices.len; i++)
		free(kt_array_ptr(&vm->devices, i));
	kt_array_free(&vm->devices);
	free(vm->kernel);
	free(vm->firmware);
	free(vm->boot_disk);
	free(vm->initrd);
	free(vm->cmdline);
	free(vm->console_log);
	free(vm->monitor);
	free(vm->accel_reason);
	memset(vm, 0, sizeof(*vm));
}

int kprof_vm_machine_parse(const char *name, enum kprof_vm_machine *out)
{
	if (!strcmp(name, "q35"))
		*out = KPROF_VM_Q35;
	else if (!strcmp(name, "pc"))
		*out = KPROF_VM_PC;
	else if (!strcmp(name, "microvm"))
		*out = KPROF_VM_MICROVM;
	else if (!strcmp(name, "virt"))
		*out = KPROF_VM_VIRT;
	else
		return -EINVAL;
	return 0;
}

const char *kprof_vm_machine_arch(enum kprof_vm_machine machine)
{
	return machine == KPROF_VM_VIRT ? "arm64" : "x86_64";
}

int kprof_vm_machine_for_arch(const char *arch, enum kprof_vm_machine *out)
{
	if (!arch || !strcmp(arch, "x86_64"))
		*out = KPROF_VM_Q35;
	else if (!strcmp(arch, "arm64"))
		*out = KPROF_VM_VIRT;
	else
		return -EINVAL;
	return 0;
}

/* virt's PL011 is ttyAMA0; the x86 machines' first 8250 UART ttyS0. */
const char *kprof_vm_console(enum kprof_vm_machine machine)
{
	return machine == KPROF_VM_VIRT ? "ttyAMA0" : "ttyS0";
}

const char *kprof_vm_accel_name(enum kprof_vm_accel accel)
{
	switch (accel) {
	case KPROF_VM_ACCEL_KVM:
		return "kvm";
	case KPROF_VM_ACCEL_TCG:
		return "tcg";
	default:
		return "auto";
	}
}

static int set_str(char **dst, const char *src)
{
	char *s = NULL;

	if (src && !(s = strdup(src)))
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

int kprof_vm_set_kernel(struct kprof_vm *vm, const char *kernel,
			const char *initrd, const char *cmdline)
{
	int ret;

	if ((ret = set_str(&vm->kernel, kernel)) ||
	    (ret = set_str(&vm->initrd, initrd)) ||
	    (ret = set_str(&vm->cmdline, cmdline)))
		return ret;
	return 0;
}

int kprof_vm_add_arg(struct kprof_vm *vm, const char *arg)
{
	char *s = strdup(arg);

	if (!s || kt_array_push_ptr(&vm->devices, s)) {
		free(s);
		return -ENOMEM;
	}
	return 0;
}

/* QEMU option values use ',' as separator; ",," is a literal comma. */
static int add_fmt(struct kprof_vm *vm, const char *opt, const char *fmt, ...)
	KT_PRINTF(3, 4);
static int add_fmt(struct kprof_vm *vm, const char *opt, const char *fmt, ...)
{
	struct kt_str s = KT_STR_INIT;
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = kt_str_vprintf(&s, fmt, ap);
	va_end(ap);
	if (ret >= 0)
		ret = kprof_vm_add_arg(vm, opt);
	if (ret >= 0)
		ret = kprof_vm_add_arg(vm, kt_str_cstr(&s));
	kt_str_free(&s);
	return ret < 0 ? ret : 0;
}

static char *escape_commas(const char *path)
{
	struct kt_str s = KT_STR_INIT;

	for (const char *p = path; *p; p++)
		if (kt_str_putc(&s, *p) < 0 || (*p == ',' && kt_str_putc(&s, ',') < 0)) {
			kt_str_free(&s);
			return NULL;
		}
	return kt_str_steal(&s);
}

/* virtio device model names differ by transport. */
static const char *virtio_dev(const struct kprof_vm *vm, const char *base)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "%s-%s", base,
		 vm->machine == KPROF_VM_MICROVM ? "device" : "pci");
	return buf;
}

int kprof_vm_set_boot_disk(struct kprof_vm *vm, const char *firmware, const char *disk)
{
	int ret;

	if ((ret = set_str(&vm->firmware, firmware)) || (ret = set_str(&vm->boot_disk, disk)))
		return ret;
	return 0;
}

int kprof_vm_add_nvdimm(struct kprof_vm *vm, const char *path, unsigned size_mb)
{
	char *p = escape_commas(path);
	unsigned id = vm->n_nvdimm++;
	int ret;

	if (!p)
		return -ENOMEM;
	/* Read-only backing, so the DIMM is unarmed: the guest cannot persist writes. */
	ret = add_fmt(vm, "-object",
		      "memory-backend-file,id=nvmem%u,mem-path=%s,size=%uM,share=off,readonly=on",
		      id, p, size_mb);
	if (!ret)
		ret = add_fmt(vm, "-device", "nvdimm,id=nvdimm%u,memdev=nvmem%u,unarmed=on", id, id);
	vm->nvdimm_mb += size_mb;
	free(p);
	return ret;
}

int kprof_vm_add_disk(struct kprof_vm *vm, const char *path, bool readonly)
{
	char *p = escape_commas(path);
	unsigned id = vm->n_virtio++;
	int ret;

	if (!p)
		return -ENOMEM;
	ret = add_fmt(vm, "-drive", "file=%s,format=raw,if=none,id=disk%u%s", p,
		      id, readonly ? ",readonly=on" : "");
	if (!ret)
		ret = add_fmt(vm, "-device", "%s,drive=disk%u",
			      virtio_dev(vm, "virtio-blk"), id);
	free(p);
	return ret;
}

int kprof_vm_add_9p(struct kprof_vm *vm, const char *tag, const char *path,
		    bool readonly)
{
	char *p = escape_commas(path);
	unsigned id = vm->n_virtio++;
	int ret;

	if (!p)
		return -ENOMEM;
	ret = add_fmt(vm, "-fsdev", "local,id=fs%u,path=%s,security_model=none%s",
		      id, p, readonly ? ",readonly=on" : "");
	if (!ret)
		ret = add_fmt(vm, "-device", "%s,fsdev=fs%u,mount_tag=%s",
			      virtio_dev(vm, "virtio-9p"), id, tag);
	free(p);
	return ret;
}

int kprof_vm_add_serial_file(struct kprof_vm *vm, const char *path)
{
	/* QEMU 7.2's virt has one non-secure UART, the console */
	if (vm->machine == KPROF_VM_VIRT)
		return -EOPNOTSUPP;
	vm->n_serial++;
	return add_fmt(vm, "-serial", "file:%s", path);
}

int kprof_vm_add_virtio_serial(struct kprof_vm *vm, const char *name,
			       const char *path)
{
	char *p = escape_commas(path);
	unsigned id = vm->n_virtio++;
	int ret;

	if (!p)
		return -ENOMEM;
	ret = add_fmt(vm, "-device", "%s,id=vser%u",
		      virtio_dev(vm, "virtio-serial"), id);
	if (!ret)
		ret = add_fmt(vm, "-chardev", "file,id=vsc%u,path=%s", id, p);
	if (!ret)
		ret = add_fmt(vm, "-device",
			      "virtserialport,bus=vser%u.0,chardev=vsc%u,name=%s",
			      id, id, name);
	free(p);
	return ret;
}

int kprof_vm_add_user_net(struct kprof_vm *vm, unsigned host_port, unsigned guest_port,
			  const struct initramfs_net *net)
{
	unsigned id = vm->n_virtio++;
	char guest[INET_ADDRSTRLEN] = "", subnet[64] = "";
	int ret;

	/*
	 * A static guest address gets its own user network (net=, host= the
	 * gateway), so the forward reaches the address that ships; the
	 * defaults are the init's own (10.0.2.15 via 10.0.2.2).
	 */
	if (net && net->ipv4) {
		struct in_addr a, mask;
		unsigned long prefix;
		const char *slash = strchr(net->ipv4, '/');

		snprintf(guest, sizeof(guest), "%.*s", slash ? (int)(slash - net->ipv4) : 0,
			 net->ipv4);
		if (!slash || kt_parse_ulong(slash + 1, 30, &prefix) < 0 || prefix < 1 ||
		    inet_pton(AF_INET, guest, &a) != 1)
			return -EINVAL;
		mask.s_addr = htonl(0xffffffffu << (32 - prefix));
		a.s_addr &= mask.s_addr;
		ret = snprintf(subnet, sizeof(subnet), "net=%s/%lu,", inet_ntoa(a), prefix);
		if (net->ipv4_gateway)
			snprintf(subnet + ret, sizeof(subnet) - (size_t)ret, "host=%s,",
				 net->ipv4_gateway);
	}
	ret = add_fmt(vm, "-netdev", "user,id=n%u,%shostfwd=tcp:127.0.0.1:%u-%s:%u", id,
		      subnet, host_port, guest, guest_port);
	if (!ret)
		ret = add_fmt(vm, "-device", "%s,netdev=n%u", virtio_dev(vm, "virtio-net"), id);
	return ret;
}

int kprof_vm_free_port(unsigned *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), ret = 0;

	if (fd < 0)
		return -errno;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* The kernel picks a free port; QEMU binds it again right after. */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		ret = -errno;
	else
		*port = ntohs(sa.sin_port);
	close(fd);
	return ret;
}

int kprof_vm_add_monitor(struct kprof_vm *vm, const char *path)
{
	char *p = escape_commas(path);
	int ret = p ? set_str(&vm->monitor, path) : -ENOMEM;

	if (!ret)
		ret = add_fmt(vm, "-monitor", "unix:%s,server=on,wait=off", p);
	free(p);
	return ret;
}

/* Read from the monitor until its "(qemu) " prompt; 2 s at most. */
static int monitor_prompt(int fd)
{
	char buf[4096];
	size_t have = 0;
	double until = kt_clock_now() + 2.0;

	while (kt_clock_now() < until) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		ssize_t n;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (n <= 0)
			return n ? -errno : -ECONNRESET;
		have += (size_t)n;
		buf[have] = '\0';
		if (strstr(buf, "(qemu) "))
			return 0;
		if (have > sizeof(buf) / 2) {
			/* keep the tail: the prompt may straddle reads */
			memmove(buf, buf + have - 16, 16);
			have = 16;
		}
	}
	return -ETIMEDOUT;
}

int kprof_vm_monitor_command(const struct kprof_vm *vm, const char *cmd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = strlen(cmd);
	int fd, ret;

	if (!vm->monitor || strlen(vm->monitor) >= sizeof(sa.sun_path))
		return -EINVAL;
	strcpy(sa.sun_path, vm->monitor);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? -errno : 0;
	if (!ret)
		ret = monitor_prompt(fd);
	if (!ret && (write(fd, cmd, len) != (ssize_t)len || write(fd, "\n", 1) != 1))
		ret = -EIO;
	if (!ret)
		ret = monitor_prompt(fd);
	close(fd);
	return ret;
}

/* The kernel hands an unknown name=value without a dot to init's environment. */
#define NONCE_PARAM "ktrim_nonce="
#define NONCE_FIELD " nonce="

int kprof_vm_build_argv(const struct kprof_vm *vm, struct kt_array *argv)
{
	char mem[64], smp[32];
	const char *machine, *cpu;
	int ret = 0;

	if (vm->accel == KPROF_VM_ACCEL_AUTO || (!vm->kernel == !vm->boot_disk))
		return -EINVAL;
	/* virt boots a kernel directly: no IDE boot disk, no NVDIMMs here */
	if (vm->machine == KPROF_VM_VIRT && (vm->boot_disk || vm->n_nvdimm))
		return -EOPNOTSUPP;
	kt_array_init(argv, sizeof(char *));
	machine = vm->machine == KPROF_VM_MICROVM
			  ? "microvm,x-option-roms=off,isa-serial=on,rtc=on"
			  : vm->machine == KPROF_VM_PC ? "pc"
			  : vm->machine == KPROF_VM_VIRT ? "virt"
			  : vm->n_nvdimm ? "q35,nvdimm=on" : "q35";
	/*
	 * Under TCG, x86 takes QEMU's "max"; arm64 the Cortex-A57: Debian's
	 * arm64 kernel reaches its init in a quarter of the wall time it needs
	 * on "max", whose pointer authentication (QARMA) TCG computes slowly.
	 */
	cpu = vm->accel == KPROF_VM_ACCEL_KVM ? "host"
	      : vm->machine == KPROF_VM_VIRT ? "cortex-a57" : "max";
	/* NVDIMMs are hot-pluggable memory: slots and room above the RAM. */
	if (vm->n_nvdimm)
		snprintf(mem, sizeof(mem), "%u,slots=%u,maxmem=%uM", vm->memory_mb, vm->n_nvdimm,
			 vm->memory_mb + vm->nvdimm_mb);
	else
		snprintf(mem, sizeof(mem), "%u", vm->memory_mb);
	snprintf(smp, sizeof(smp), "%u", vm->cpus);
	{
		const char *fixed[] = {
			vm->qemu, "-machine", machine, "-accel",
			kprof_vm_accel_name(vm->accel), "-cpu", cpu,
			"-m", mem, "-smp", smp, "-nodefaults", "-no-user-config",
			"-display", "none", "-no-reboot", "-serial", "stdio",
		};

		for (size_t i = 0; i < KT_ARRAY_SIZE(fixed) && !ret; i++)
			ret = kt_array_push_strdup(argv, fixed[i]);
	}
	if (!ret && vm->kernel && !(ret = kt_array_push_strdup(argv, "-kernel")))
		ret = kt_array_push_strdup(argv, vm->kernel);
	if (!ret && vm->firmware && !(ret = kt_array_push_strdup(argv, "-bios")))
		ret = kt_array_push_strdup(argv, vm->firmware);
	if (!ret && vm->boot_disk) {
		/*
		 * The first IDE disk (AHCI on q35), the firmware's boot device;
		 * snapshot=on: a boot never writes the image (IDE has no read-only).
		 */
		char *p = escape_commas(vm->boot_disk);
		struct kt_str d = KT_STR_INIT;
		size_t n = strlen(vm->boot_disk);
		bool vhdx = n > 5 && !strcmp(vm->boot_disk + n - 5, ".vhdx");

		kt_str_printf(&d, "file=%s,format=%s,if=ide,index=0,media=disk,snapshot=on",
			      p ? p : "", vhdx ? "vhdx" : "raw");
		ret = p ? kt_str_error(&d) : -ENOMEM;
		if (!ret)
			ret = kt_array_push_strdup(argv, "-drive");
		if (!ret)
			ret = kt_array_push_strdup(argv, d.buf);
		kt_str_free(&d);
		free(p);
	}
	if (!ret && vm->icount && vm->accel == KPROF_VM_ACCEL_TCG &&
	    !(ret = kt_array_push_strdup(argv, "-icount")))
		ret = kt_array_push_strdup(argv, "shift=0,sleep=off");
	if (!ret && vm->initrd && !(ret = kt_array_push_strdup(argv, "-initrd")))
		ret = kt_array_push_strdup(argv, vm->initrd);
	if (!ret && (vm->cmdline || vm->nonce[0]) &&
	    !(ret = kt_array_push_strdup(argv, "-append"))) {
		struct kt_str append = KT_STR_INIT;

		kt_str_puts(&append, vm->cmdline ? vm->cmdline : "");
		if (vm->nonce[0])
			kt_str_printf(&append, "%s" NONCE_PARAM "%s",
				      append.len ? " " : "", vm->nonce);
		ret = kt_str_error(&append);
		if (!ret) {
			char *a = kt_str_steal(&append);

			ret = kt_array_push_ptr(argv, a);
			if (ret)
				free(a);
		}
		kt_str_free(&append);
	}
	for (size_t i = 0; i < vm->devices.len && !ret; i++)
		ret = kt_array_push_strdup(argv, kt_array_ptr(&vm->devices, i));
	if (ret) {
		for (size_t i = 0; i < argv->len; i++)
			free(kt_array_ptr(argv, i));
		kt_array_free(argv);
	}
	return ret;
}

/* ---- KVM probe ------------------------------------------------------------ */

/*
 * Creating a VM and running a few instructions is not enough: on some
 * hosts (nested virtualisation) KVM runs a vCPU but hangs part way through
 * firmware. So the probe boots QEMU's own firmware under KVM and waits for
 * SeaBIOS to finish POST ("No bootable device" on its debug port).
 */
#define PROBE_DONE "No bootable device"
#define PROBE_POLL_S 0.02	/* how often the debug log is read */

struct probe {
	const char *log;
	bool works;
};

/* Polls the firmware's debug log; 1 (stop QEMU) once POST finished. */
static int probe_check(double elapsed_s, void *ctx)
{
	struct probe *pr = ctx;
	char *buf = NULL;

	if (!kt_read_file(pr->log, &buf, NULL) && strstr(buf, PROBE_DONE))
		pr->works = true;
	free(buf);
	return pr->works;
}

int kprof_vm_probe_kvm(double timeout_s, struct kt_str *why)
{
	char log[] = "/tmp/ktrim-kvm-probe.XXXXXX", chardev[128];
	const char *const argv[] = {
		"qemu-system-x86_64", "-machine", "q35", "-accel", "kvm",
		"-m", "64", "-nodefaults", "-no-user-config", "-display", "none",
		"-no-reboot", "-chardev", chardev,
		"-device", "isa-debugcon,iobase=0x402,chardev=dbg", NULL,
	};
	struct probe pr = { log, false };
	const struct kt_proc_opts o = {
		.argv = argv, .log_path = "/dev/null", .stdin_null = true,
		.timeout_s = timeout_s, .heartbeat_s = PROBE_POLL_S,
		.on_heartbeat = probe_check, .ctx = &pr,
	};
	struct kt_proc_result res;
	int fd, ret;

	if (access("/dev/kvm", R_OK | W_OK)) {
		if (why)
			kt_str_printf(why, "/dev/kvm: %s", strerror(errno));
		return 0;
	}
	fd = mkstemp(log);
	if (fd < 0) {
		if (why)
			kt_str_printf(why, "mkstemp: %s", strerror(errno));
		return 0;
	}
	close(fd);
	snprintf(chardev, sizeof(chardev), "file,id=dbg,path=%s", log);
	ret = kt_proc_run(&o, &res);
	/* QEMU may have finished POST between the last look and its exit. */
	if (ret >= 0 && !pr.works)
		probe_check(res.elapsed_s, &pr);
	if (!pr.works && why) {
		if (ret < 0)
			kt_str_printf(why, "cannot run %s: %s", argv[0], strerror(-ret));
		else if (res.timed_out)
			kt_str_printf(why, "firmware under KVM did not finish POST within %.1fs (KVM hangs here)",
				      timeout_s);
		else
			kt_str_printf(why, "QEMU with KVM exited (status %d) before the firmware finished",
				      ret);
	}
	unlink(log);
	return pr.works;
}

static int resolve_accel(struct kprof_vm *vm)
{
	struct kt_str why = KT_STR_INIT;
	const char *env = getenv("KTRIM_ACCEL");
	struct utsname u;

	/* KVM runs a guest of the host's own architecture only */
	if (vm->machine == KPROF_VM_VIRT && !uname(&u) && strcmp(u.machine, "aarch64")) {
		if (vm->accel == KPROF_VM_ACCEL_KVM)
			kt_warn("KVM cannot run an arm64 guest on this %s host: TCG", u.machine);
		vm->accel = KPROF_VM_ACCEL_TCG;
		kt_str_printf(&why, "arm64 guest on a %s host: TCG (no KVM probe)", u.machine);
	}
	if (vm->accel == KPROF_VM_ACCEL_AUTO && env && *env) {
		if (!strcmp(env, "kvm"))
			vm->accel = KPROF_VM_ACCEL_KVM;
		else if (!strcmp(env, "tcg"))
			vm->accel = KPROF_VM_ACCEL_TCG;
		else
			kt_warn("KTRIM_ACCEL=%s is neither kvm nor tcg; probing", env);
		if (vm->accel != KPROF_VM_ACCEL_AUTO)
			kt_str_printf(&why, "KTRIM_ACCEL=%s", env);
	}
	if (vm->accel == KPROF_VM_ACCEL_AUTO) {
		/* the probe boots x86 firmware: an arm64 host's KVM is taken as it is */
		if (vm->machine == KPROF_VM_VIRT) {
			vm->accel = access("/dev/kvm", R_OK | W_OK) ? KPROF_VM_ACCEL_TCG
								     : KPROF_VM_ACCEL_KVM;
			kt_str_puts(&why, vm->accel == KPROF_VM_ACCEL_KVM ? "/dev/kvm on an arm64 host"
									   : "no /dev/kvm");
		} else if (kprof_vm_probe_kvm(3.0, &why) == 1) {
			vm->accel = KPROF_VM_ACCEL_KVM;
			kt_str_puts(&why, "KVM probe ran a vCPU");
		} else {
			vm->accel = KPROF_VM_ACCEL_TCG;
			kt_info("KVM unusable (%s): falling back to TCG, times are emulated",
				kt_str_cstr(&why));
		}
	} else if (!why.len) {
		kt_str_puts(&why, "requested by the caller");
	}
	free(vm->accel_reason);
	/* the one check of every append above, the probe's included */
	vm->accel_reason = kt_str_steal(&why);
	return vm->accel_reason ? 0 : -ENOMEM;
}

/* ---- timeline ------------------------------------------------------------- */

/* The record format is the guest ABI's (initramfs/init/abi.h). */
#define TIMELINE_TAG GUEST_TIMELINE_TAG

void kprof_vm_event_release(struct kprof_vm_event *ev)
{
	free(ev->name);
	free(ev->args);
	memset(ev, 0, sizeof(*ev));
}

int kprof_vm_parse_timeline(const char *line, struct kprof_vm_event *ev)
{
	const char *name, *end;
	unsigned long long us;
	char *num_end;
	size_t alen;

	/*
	 * Only at the start of a line: the init writes each record in one
	 * write() that starts a line, while a workload's text that merely
	 * holds the tag (after a prefix of its own) is not the init's.
	 */
	if (strncmp(line, TIMELINE_TAG, strlen(TIMELINE_TAG)) != 0)
		return 0;
	memset(ev, 0, sizeof(*ev));
	name = line + strlen(TIMELINE_TAG);
	end = name + strcspn(name, " \t\r");
	if (end == name)
		return -EINVAL;
	for (const char *c = name; c < end; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-'))
			return -EINVAL;
	if (*end != ' ')
		return -EINVAL;
	errno = 0;
	us = strtoull(end + 1, &num_end, 10);
	if (num_end == end + 1 || errno || end[1] == '-' ||
	    (*num_end && *num_end != ' ' && *num_end != '\r'))
		return -EINVAL;
	while (*num_end == ' ')
		num_end++;
	alen = strcspn(num_end, "\r\n");
	while (alen && num_end[alen - 1] == ' ')
		alen--;
	ev->name = strndup(name, end - name);
	ev->args = strndup(num_end, alen);
	ev->uptime_us = us;
	if (!ev->name || !ev->args) {
		kprof_vm_event_release(ev);
		return -ENOMEM;
	}
	return 1;
}

const char *kprof_vm_event_field(const struct kprof_vm_event *ev, const char *key,
				 size_t *len)
{
	size_t klen = strlen(key);

	/* "k=v k=v": a key counts only where a field starts */
	for (const char *f = ev && ev->args ? ev->args : ""; *f; f += strcspn(f, " ")) {
		f += strspn(f, " ");
		if (!strncmp(f, key, klen) && f[klen] == '=') {
			*len = strcspn(f + klen + 1, " ");
			return f + klen + 1;
		}
	}
	return NULL;
}

void kprof_vm_result_init(struct kprof_vm_result *res)
{
	memset(res, 0, sizeof(*res));
	kt_array_init(&res->events, sizeof(struct kprof_vm_event));
}

void kprof_vm_result_release(struct kprof_vm_result *res)
{
	for (size_t i = 0; i < res->events.len; i++)
		kprof_vm_event_release(kt_array_at(&res->events, i));
	kt_array_free(&res->events);
}

const struct kprof_vm_event *kprof_vm_result_event(
	const struct kprof_vm_result *res, const char *name)
{
	for (size_t i = 0; i < res->events.len; i++) {
		const struct kprof_vm_event *ev = kt_array_at(&res->events, i);

		if (!strcmp(ev->name, name))
			return ev;
	}
	return NULL;
}

/* ---- running -------------------------------------------------------------- */

/* 128 random bits as hex, fresh for every boot. */
static int draw_nonce(char out[33])
{
	unsigned char b[16];

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		return -errno;
	for (size_t i = 0; i < sizeof(b); i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	return 0;
}

struct runner {
	struct kprof_vm *vm;
	struct kprof_vm_result *res;
	struct kt_str line;	/* the current line, CR dropped, for the parser */
	double t0;
	unsigned untrusted;	/* records without this boot's nonce */
};

/*
 * A record must end in this boot's nonce, which is cut off; one that does
 * not came from something else on the console (a workload) and is passed
 * on marked, so no parser takes it for the init's.
 */
static bool record_trusted(struct runner *r, const char *text, size_t *len)
{
	size_t flen = strlen(NONCE_FIELD), nlen = strlen(r->vm->nonce);

	if (!nlen || strncmp(text, TIMELINE_TAG, strlen(TIMELINE_TAG)) != 0)
		return true;
	if (*len >= flen + nlen && !memcmp(text + *len - nlen, r->vm->nonce, nlen) &&
	    !memcmp(text + *len - nlen - flen, NONCE_FIELD, flen)) {
		*len -= flen + nlen;
		return true;
	}
	if (!r->untrusted++)
		kt_warn("guest: a timeline line without this boot's nonce is not the init's; "
			"ignored: %.*s", (int)(*len > 200 ? 200 : *len), text);
	return false;
}

/* Each console line: timeline events are recorded, then vm->on_line. */
static int handle_line(const char *text, size_t len, void *ctx)
{
	struct runner *r = ctx;
	struct kprof_vm_event ev;
	const char *line;
	int ret;

	/* the serial console ends its lines with CR LF */
	if (len && text[len - 1] == '\r')
		len--;
	kt_str_reset(&r->line);
	if (!record_trusted(r, text, &len))
		kt_str_puts(&r->line, "untrusted: ");
	if (kt_str_append(&r->line, text, len) < 0)
		return -ENOMEM;
	line = kt_str_cstr(&r->line);
	ret = kprof_vm_parse_timeline(line, &ev);
	if (ret == 1) {
		ev.host_s = kt_clock_now() - r->t0;
		if (!kt_array_push(&r->res->events, &ev)) {
			kprof_vm_event_release(&ev);
			return -ENOMEM;
		}
	} else if (ret < 0 && ret != -EINVAL) {
		return ret;
	}
	return r->vm->on_line ? r->vm->on_line(line, r->vm->ctx) : 0;
}

static void free_argv(struct kt_array *argv)
{
	for (size_t i = 0; i < argv->len; i++)
		free(kt_array_ptr(argv, i));
	kt_array_free(argv);
}

int kprof_vm_run(struct kprof_vm *vm, struct kprof_vm_result *res)
{
	struct runner r = { vm, res, KT_STR_INIT, 0, 0 };
	struct kt_str console = KT_STR_INIT, cmd = KT_STR_INIT;
	struct kt_proc_result pres;
	struct kt_proc_opts o = {
		.on_line = handle_line, .ctx = &r, .timeout_s = vm->timeout_s,
		.new_pgroup = true, .stdin_null = true,
		.out = vm->console_log ? &console : NULL,
	};
	struct kt_array argv;
	int ret;

	ret = resolve_accel(vm);
	if (ret)
		return ret;
	/*
	 * A firmware boot from a disk takes its command line from the disk,
	 * written before this boot: no nonce to pass, so its records are
	 * taken as before the nonce, at the start of a line only.
	 */
	vm->nonce[0] = '\0';
	ret = vm->kernel ? draw_nonce(vm->nonce) : 0;
	if (ret)
		return ret;
	ret = kprof_vm_build_argv(vm, &argv);
	if (ret)
		return ret;
	kt_array_push_ptr(&argv, NULL);
	for (size_t i = 0; i + 1 < argv.len; i++)
		kt_str_printf(&cmd, "%s%s", i ? " " : "", (char *)kt_array_ptr(&argv, i));
	kt_dbg("qemu: %s", kt_str_cstr(&cmd));
	o.argv = (const char *const *)argv.items;
	r.t0 = kt_clock_now();
	ret = kt_proc_run(&o, &pres);
	if (ret < 0)
		goto out;
	res->exit_status = pres.status;
	res->timed_out = pres.timed_out;
	res->elapsed_s = pres.elapsed_s;
	ret = pres.stopped;
	if (vm->console_log) {
		int wret = kt_atomic_write_buf(vm->console_log, 0644,
					       console.buf ? console.buf : "",
					       console.len);

		if (wret)
			kt_warn("cannot write %s: %s", vm->console_log, strerror(-wret));
	}
out:
	free_argv(&argv);
	kt_str_free(&cmd);
	kt_str_free(&console);
	kt_str_free(&r.line);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * One place that knows how to start QEMU for a ktrim guest: the machine
 * model decides device names (virtio-pci on q35, virtio-mmio on microvm),
 * the accelerator is KVM only when a probe shows a vCPU really runs, and
 * the console is read line by line so callers see the guest timeline as
 * it happens and can stop the VM early.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "profiler/profiler.h"

void kprof_vm_init(struct kprof_vm *vm, enum kprof_vm_machine machine)
{
	memset(vm, 0, sizeof(*vm));
	vm->machine = machine;
	vm->qemu = "qemu-system-x86_64";
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
	free(vm->initrd);
	free(vm->cmdline);
	free(vm->console_log);
	free(vm->accel_reason);
	memset(vm, 0, sizeof(*vm));
}

int kprof_vm_machine_parse(const char *name, enum kprof_vm_machine *out)
{
	if (!strcmp(name, "q35"))
		*out = KPROF_VM_Q35;
	else if (!strcmp(name, "microvm"))
		*out = KPROF_VM_MICROVM;
	else
		return -EINVAL;
	return 0;
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

int kprof_vm_build_argv(const struct kprof_vm *vm, struct kt_array *argv)
{
	char mem[32], smp[32];
	const char *machine;
	int ret = 0;

	if (vm->accel == KPROF_VM_ACCEL_AUTO || !vm->kernel)
		return -EINVAL;
	kt_array_init(argv, sizeof(char *));
	machine = vm->machine == KPROF_VM_MICROVM
			  ? "microvm,x-option-roms=off,isa-serial=on,rtc=on"
			  : "q35";
	snprintf(mem, sizeof(mem), "%u", vm->memory_mb);
	snprintf(smp, sizeof(smp), "%u", vm->cpus);
	{
		const char *fixed[] = {
			vm->qemu, "-machine", machine, "-accel",
			kprof_vm_accel_name(vm->accel), "-cpu",
			vm->accel == KPROF_VM_ACCEL_KVM ? "host" : "max",
			"-m", mem, "-smp", smp, "-nodefaults", "-no-user-config",
			"-display", "none", "-no-reboot", "-serial", "stdio",
			"-kernel", vm->kernel,
		};

		for (size_t i = 0; i < KT_ARRAY_SIZE(fixed) && !ret; i++)
			ret = kt_array_push_strdup(argv, fixed[i]);
	}
	if (!ret && vm->icount && vm->accel == KPROF_VM_ACCEL_TCG &&
	    !(ret = kt_array_push_strdup(argv, "-icount")))
		ret = kt_array_push_strdup(argv, "shift=0,sleep=off");
	if (!ret && vm->initrd && !(ret = kt_array_push_strdup(argv, "-initrd")))
		ret = kt_array_push_strdup(argv, vm->initrd);
	if (!ret && vm->cmdline && !(ret = kt_array_push_strdup(argv, "-append")))
		ret = kt_array_push_strdup(argv, vm->cmdline);
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

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Creating a VM and running a few instructions is not enough: on some
 * hosts (nested virtualisation) KVM runs a vCPU but hangs part way through
 * firmware. So the probe boots QEMU's own firmware under KVM and waits for
 * SeaBIOS to finish POST ("No bootable device" on its debug port).
 */
#define PROBE_DONE "No bootable device"

int kprof_vm_probe_kvm(double timeout_s, struct kt_str *why)
{
	char log[] = "/tmp/ktrim-kvm-probe.XXXXXX", chardev[128];
	double deadline = now_s() + timeout_s;
	int fd, status, works = 0;
	char *buf = NULL;
	size_t len;
	pid_t pid;

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
	pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);

		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(devnull, 2);
		execlp("qemu-system-x86_64", "qemu-system-x86_64", "-machine", "q35",
		       "-accel", "kvm", "-m", "64", "-nodefaults", "-no-user-config",
		       "-display", "none", "-no-reboot", "-chardev", chardev,
		       "-device", "isa-debugcon,iobase=0x402,chardev=dbg",
		       (char *)NULL);
		_exit(127);
	}
	if (pid < 0) {
		if (why)
			kt_str_printf(why, "fork: %s", strerror(errno));
		unlink(log);
		return 0;
	}
	for (;;) {
		bool exited = waitpid(pid, &status, WNOHANG) == pid;

		if (!kt_read_file(log, &buf, &len) && strstr(buf, PROBE_DONE))
			works = 1;
		free(buf);
		buf = NULL;
		if (works || exited || now_s() > deadline) {
			if (!exited) {
				kill(pid, SIGKILL);
				waitpid(pid, &status, 0);
			}
			if (!works && why && exited)
				kt_str_printf(why, "QEMU with KVM exited (status %d) before the firmware finished",
					      status);
			else if (!works && why)
				kt_str_printf(why, "firmware under KVM did not finish POST within %.1fs (KVM hangs here)",
					      timeout_s);
			break;
		}
		usleep(20000);
	}
	unlink(log);
	return works;
}

static int resolve_accel(struct kprof_vm *vm)
{
	struct kt_str why = KT_STR_INIT;
	const char *env = getenv("KTRIM_ACCEL");

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
		if (kprof_vm_probe_kvm(3.0, &why) == 1) {
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

#define TIMELINE_TAG "ktrim-timeline: "

void kprof_vm_event_release(struct kprof_vm_event *ev)
{
	free(ev->name);
	free(ev->args);
	memset(ev, 0, sizeof(*ev));
}

int kprof_vm_parse_timeline(const char *line, struct kprof_vm_event *ev)
{
	const char *p = strstr(line, TIMELINE_TAG), *name, *end;
	unsigned long long us;
	char *num_end;
	size_t alen;

	if (!p)
		return 0;
	memset(ev, 0, sizeof(*ev));
	name = p + strlen(TIMELINE_TAG);
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

struct runner {
	struct kprof_vm *vm;
	struct kprof_vm_result *res;
	struct kt_str console;	/* whole console, for the log */
	struct kt_str line;	/* current partial line */
	double t0;
	int stop;
};

static int handle_line(struct runner *r)
{
	struct kprof_vm_event ev;
	const char *line = kt_str_cstr(&r->line);
	int ret;

	ret = kprof_vm_parse_timeline(line, &ev);
	if (ret == 1) {
		ev.host_s = now_s() - r->t0;
		if (!kt_array_push(&r->res->events, &ev)) {
			kprof_vm_event_release(&ev);
			return -ENOMEM;
		}
	} else if (ret < 0 && ret != -EINVAL) {
		return ret;
	}
	if (r->vm->on_line && !r->stop)
		r->stop = r->vm->on_line(line, r->vm->ctx);
	return 0;
}

static int feed(struct runner *r, const char *buf, size_t n)
{
	int ret;

	if (r->vm->console_log && kt_str_append(&r->console, buf, n) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			if (r->line.len && r->line.buf[r->line.len - 1] == '\r')
				r->line.buf[--r->line.len] = '\0';
			if ((ret = handle_line(r)))
				return ret;
			kt_str_reset(&r->line);
		} else if (kt_str_putc(&r->line, buf[i]) < 0) {
			return -ENOMEM;
		}
	}
	return 0;
}

static void free_argv(struct kt_array *argv)
{
	for (size_t i = 0; i < argv->len; i++)
		free(kt_array_ptr(argv, i));
	kt_array_free(argv);
}

int kprof_vm_run(struct kprof_vm *vm, struct kprof_vm_result *res)
{
	struct runner r = { vm, res, KT_STR_INIT, KT_STR_INIT, 0, 0 };
	struct kt_array argv;
	struct kt_str cmd = KT_STR_INIT;
	int pipefd[2] = { -1, -1 }, status = 0, ret;
	bool exited = false;
	pid_t pid = -1;

	ret = resolve_accel(vm);
	if (ret)
		return ret;
	ret = kprof_vm_build_argv(vm, &argv);
	if (ret)
		return ret;
	kt_array_push_ptr(&argv, NULL);
	for (size_t i = 0; i + 1 < argv.len; i++)
		kt_str_printf(&cmd, "%s%s", i ? " " : "", (char *)kt_array_ptr(&argv, i));
	kt_dbg("qemu: %s", kt_str_cstr(&cmd));
	if (pipe2(pipefd, O_CLOEXEC)) {
		ret = -errno;
		goto out;
	}
	r.t0 = now_s();
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		goto out;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		dup2(devnull, 0);
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		setpgid(0, 0);
		execvp(argv.items ? ((char **)argv.items)[0] : "", (char **)argv.items);
		dprintf(2, "ktrim: cannot run %s: %s\n", vm->qemu, strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	pipefd[1] = -1;
	for (;;) {
		struct pollfd pfd = { pipefd[0], POLLIN, 0 };
		double left = vm->timeout_s ? r.t0 + vm->timeout_s - now_s() : 1.0;
		char buf[4096];
		ssize_t n;

		if (vm->timeout_s && left <= 0) {
			res->timed_out = true;
			break;
		}
		if (r.stop)
			break;
		n = poll(&pfd, 1, left > 1.0 ? 1000 : (int)(left * 1000) + 1);
		if (n < 0 && errno != EINTR) {
			ret = -errno;
			break;
		}
		if (n <= 0)
			continue;
		n = read(pipefd[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;	/* QEMU closed its output: it is exiting */
		if ((ret = feed(&r, buf, n)))
			break;
	}
	if (r.line.len && !ret)
		ret = handle_line(&r);
	if (res->timed_out || r.stop || ret) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
	if (waitpid(pid, &status, 0) == pid)
		exited = true;
	res->elapsed_s = now_s() - r.t0;
	if (exited)
		res->exit_status = WIFEXITED(status) ? WEXITSTATUS(status)
						     : 128 + WTERMSIG(status);
	if (!ret && r.stop)
		ret = r.stop;
	if (vm->console_log) {
		int wret = kt_atomic_write_buf(vm->console_log, 0644,
					       r.console.buf ? r.console.buf : "",
					       r.console.len);

		if (wret)
			kt_warn("cannot write %s: %s", vm->console_log, strerror(-wret));
	}
out:
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	free_argv(&argv);
	kt_str_free(&cmd);
	kt_str_free(&r.console);
	kt_str_free(&r.line);
	return ret;
}

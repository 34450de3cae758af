/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ktrim-init: the guest's PID 1. Static, libc only, and no heap in the
 * boot path: every table below is a fixed-size static, so a malformed
 * spec can exhaust nothing but its own limits (reported, then power off).
 */
#ifndef KTRIM_INIT_H
#define KTRIM_INIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "initramfs/init/abi.h"

#define SPEC_FILE "/" GUEST_SPEC_PATH
/*
 * The certification overlay: a second cpio segment that adds this file.
 * It may only add a smoke test and certification switches, so a certified
 * boot runs the shipped workload unchanged.
 */
#define SPEC_ADD_FILE "/" GUEST_SPEC_ADD_PATH

/* Same bit order as enum initramfs_ns in initramfs/initramfs.h. */
enum {
	NS_MNT = 1 << 0,
	NS_UTS = 1 << 1,
	NS_IPC = 1 << 2,
	NS_PID = 1 << 3,
	NS_NET = 1 << 4,
	NS_CGROUP = 1 << 5,
	NS_TIME = 1 << 6,
};

enum { READY_NONE = 0, READY_STDOUT, READY_TCP };

/* Docker's restart policies; same order as enum initramfs_restart. */
enum { RESTART_NO = 0, RESTART_ON_FAILURE, RESTART_ALWAYS };

struct spec {
	char *args[INITRAMFS_SPEC_MAX_ARGS + 1];	/* NULL-terminated */
	int nargs;
	char *env[INITRAMFS_SPEC_MAX_ENV + 1];
	int nenv;
	char *modules[INITRAMFS_SPEC_MAX_MODULES];
	int nmodules;
	struct {
		char *file;
		char *value;
	} cgroups[INITRAMFS_SPEC_MAX_CGROUPS];
	int ncgroups;
	char *controllers[INITRAMFS_SPEC_MAX_CGROUPS];	/* cgroup-enable */
	int ncontrollers;
	char *smoke[INITRAMFS_SPEC_MAX_SMOKE + 1];	/* NULL-terminated */
	int nsmoke;
	unsigned smoke_timeout_s;
	char *hostname;
	char *cwd;
	char *rootfs;		/* directory in the image, or a device */
	char *rootfs_type;	/* set when rootfs is a block device */
	unsigned uid, gid;
	char *user_name;	/* "USER[:GROUP]" by name (user.c), or NULL */
	bool readonly;
	unsigned namespaces;
	int ready;
	char *ready_pattern;
	unsigned ready_port;
	unsigned ready_timeout_s;	/* 0: wait as long as it runs */
	unsigned timeout_s;
	unsigned stop_grace_s;
	int restart;
	unsigned restart_max;	/* on-failure: 0 = no limit */
	/* Overlay: after the smoke test, wait for a stop request. */
	bool certify_hold;
	/* eth0 when the command line says nothing: "ADDR/PREFIX", gateway */
	char *ipv4, *ipv4_gw, *ipv6, *ipv6_gw;
	bool dhcp;		/* the kernel's ip=dhcp configured IPv4 */
	/* security (security.c): masks of cap-add and cap-drop, GUEST_CAPS_ALL for ALL */
	uint64_t cap_add, cap_drop;
	char *devices[INITRAMFS_SPEC_MAX_DEVICES];	/* /dev/... passed through */
	int ndevices;
	bool privileged;	/* none of the security defaults */
	struct guest_rlimits rlimits;
	char *seccomp;		/* the filter, GUEST_BPF_HEX digits an instruction, or NULL */
};

/*
 * Parse @text (NUL-terminated, modified in place; the spec points into
 * it). Returns 0, or -1 with "line N: problem" in @err.
 */
int spec_parse(char *text, struct spec *s, char *err, size_t errlen);
/*
 * Parse the overlay's @text as an addition to @s (already parsed): only
 * smoke-arg, smoke-timeout and certify-hold; anything else is an error.
 */
int spec_parse_addition(char *text, struct spec *s, char *err, size_t errlen);
/*
 * Read and parse SPEC_FILE, then the overlay's SPEC_ADD_FILE when present
 * (*@overlay says so). -1 with "file: problem" in @err; the spec points
 * into static buffers.
 */
int spec_load(struct spec *s, bool *overlay, char *err, size_t errlen);
/* Whether the policy starts the workload again after it ended with @code. */
bool spec_restart_wanted(const struct spec *s, int code, unsigned restarts);

/* log.c: console + /dev/kmsg. */
void log_init(const char *name);
/*
 * When the boot has a nonce: bind an empty file over @root/proc/cmdline
 * (@root "" is the init's own /proc, which also restricts dmesg).
 */
void nonce_hide(const char *root);
uint64_t uptime_us(void);
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void timeline(const char *event, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* All of @len bytes to @fd (-1: nothing), EINTR retried; stops at an error. */
void write_all(int fd, const void *data, size_t len);
/* Raw bytes to the console (workload output being forwarded). */
void console_write(const void *buf, size_t len);

/* cmdline.c: the kernel command line, read before it is hidden */
void cmdline_load(void);
/* @fn for each key=VALUE (the init's own arguments after "--" excluded). */
void cmdline_each(const char *key, void (*fn)(char *value, void *ctx), void *ctx);
/* The first key=VALUE's value, cut to @outlen - 1 bytes. */
bool cmdline_get(const char *key, char *out, size_t outlen);

/* mounts.c */
void mounts_setup(void);
/* ktrim.mount=DEVICE,DIR,FSTYPE[,OPTIONS] from the kernel command line, read-only. */
void mounts_from_cmdline(void);

/* modules.c: returns how many are loaded (already-present counts). */
int modules_load(const struct spec *s);
/* No module helper for the kernel or the container (the shipped init). */
void modules_close_helper(void);

/* net.c */
void net_setup(const struct spec *s);
int net_loopback_up(void);

/* container.c */
struct workload {
	pid_t pid;
	int stdout_fd;		/* read end of the workload's stdout */
	int netns_fd;		/* the workload's net namespace, or -1 */
	bool own_net;		/* it has one (the fd may come later) */
};
/*
 * What a caller adds to a start without changing the container: the
 * profiling agent's tracer. Either may be NULL.
 */
struct container_hooks {
	/* In the new process, before any set-up step (PTRACE_TRACEME + stop). */
	void (*child_start)(void);
	/*
	 * In the caller once the process exists; non-zero kills it and fails
	 * the start. When set, the launcher does not wait for the exec (the
	 * caller runs the child, as a tracer must): set-up failures go to the
	 * console and end the process with status 126.
	 */
	int (*started)(pid_t pid);
};
/* CLONE_NEW* flags of NS_* bits. */
unsigned long ns_clone_flags(unsigned ns);
/*
 * Start the workload: 0, 1 when its set-up failed in the child (said why),
 * -1 when it could not start.
 */
int container_start(const struct spec *s, struct workload *w,
		    const struct container_hooks *h);
/*
 * Run @argv in the workload's namespaces, cgroup and root (its pid
 * namespace too: the caller's children are born there), with stdout and
 * stderr on @out_fd unless it is -1. The pid, or -1.
 */
pid_t container_exec_in(const struct spec *s, const struct workload *w,
			char *const *argv, int out_fd, const struct container_hooks *h);
/* Whether 127.0.0.1:@port accepts, inside the workload's net namespace. */
bool container_port_open(const struct workload *w, unsigned port);

/* file.c: @value into @path (no O_CREAT); 0 or -errno. */
int write_file(const char *path, const char *value);
/* Wait up to 10 s for @path to exist (a device whose driver may still be probing); 0 or -1. */
int wait_for(const char *path);

/* user.c: a user-name resolved in the container's own /etc/passwd and /etc/group. */
#define USER_MAX_GROUPS 32
struct user_ids {
	unsigned uid, gid;
	gid_t groups[USER_MAX_GROUPS];	/* supplementary: the groups listing the user */
	int ngroups;
	char home[256];
	char error[300];	/* why not, when user_resolve() fails */
};
/* After the chroot: "USER[:GROUP]", names or numbers. 0, or -1 with @u->error. */
int user_resolve(const char *spec, struct user_ids *u);

/*
 * security.c: the OCI runtime's defaults, skipped when the spec is
 * privileged. Each returns NULL, or the step that failed (errno set).
 * Before the container's /dev is mounted: look up the VM's nodes it copies.
 */
const char *security_dev_probe(const struct spec *s);
/* In the fresh /dev under @root ("" for "/"): nodes, devices, links. */
const char *security_dev_populate(const struct spec *s, const char *root);
/* Masked and read-only paths under @root, its /proc and /sys mounted. */
const char *security_paths(const struct spec *s, const char *root);
/* The spec's resource limits; first of the last steps, with every capability. */
const char *security_rlimits(const struct spec *s);
/* The bounding set; before the user switch. */
const char *security_bound(const struct spec *s);
/* Capability sets and no_new_privs; after the user switch. */
const char *security_lock(const struct spec *s);
/* The spec's seccomp filter, after security_lock(): the last step before exec. */
const char *security_seccomp(const struct spec *s);

/* ready.c: the spec's readiness condition; each true return wrote the record. */
struct readiness {
	bool ready;
	uint64_t by;	/* uptime_us() deadline (ready-timeout), 0: none */
};
/* At the workload's start; without a condition it is ready now (via=exec). */
void ready_begin(const struct spec *s, struct readiness *r);
/* A line of the workload's stdout (ready-stdout). */
bool ready_line(const struct spec *s, struct readiness *r, const char *line);
/* One probe of the port (ready-tcp). */
bool ready_probe(const struct spec *s, struct readiness *r, const struct workload *w);
/* Not ready by the spec's ready-timeout. */
bool ready_overdue(const struct readiness *r, uint64_t now);

/* acpi.c: the ACPI event netlink socket, or -1 without one. */
int acpi_events_open(void);
/* Drain @fd; true when a power-button press was among the events. */
bool acpi_power_pressed(int fd);
/*
 * powerkey.c: the power button's channel, ACPI events or else an input
 * device with KEY_POWER (arm64 virt's gpio-keys); -1 without either.
 */
int power_button_open(void);
/* Drain @fd; true when the button was pressed. */
bool power_button_pressed(int fd);

/*
 * supervise.c: runs until the workload exits; returns the wait status.
 * *@stop is set when a stop request (signal, power button, timeout, the
 * end of a certification smoke test) ended it: then nothing restarts.
 */
int supervise(const struct spec *s, struct workload *w, int button_fd,
	      bool *stop);
/*
 * Wait @ms before a restart, as Docker's restart policy backs off; a stop
 * request meanwhile (signal, power button) ends the wait: true.
 */
bool supervise_backoff(unsigned ms, int button_fd);
/* Exit code, or 128+signal, from a wait status. */
int status_code(int status);

/* power.c: kill what is left, sync, "poweroff" on the timeline, power off. */
void __attribute__((noreturn)) power_off(void);

#endif

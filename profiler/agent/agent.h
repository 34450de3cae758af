/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * agent.h - private to the profiling guest agent (static, musl, libc only).
 *
 * The agent is PID 1 of the profiling guest. It also runs as the kernel's
 * module helper (/proc/sys/kernel/modprobe points at a link to itself),
 * told apart by argv[0].
 */
#ifndef KTRIM_AGENT_H
#define KTRIM_AGENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "profiler/agent/proto.h"

#define AGENT_NAME "ktrim-agent"
#define HELPER_NAME "ktrim-modprobe"
#define HELPER_PATH "/ktrim/bin/" HELPER_NAME
#define SPEC_PATH "/ktrim/spec"
#define ROOTFS_PATH "/ktrim/rootfs"
#define KMOD_PATH "/ktrim/bin/kmod"	/* Debian's kmod, run as modprobe */
#define MODREQ_LOG "/run/ktrim/modreq"
#define FACTS_TTY "/dev/ttyS1"

/* Fact kinds, in the profile's order (profiler.h enum kprof_kind). */
enum fact_kind {
	F_MODULES,
	F_FILESYSTEMS,
	F_SOCKETS,
	F_SYSCALLS,
	F_DEVICES,
	F_NAMESPACES,
	F_CGROUPS,
	F_NETFILTER,
	F_SYSCTLS,
	F_KINDS,
};

/* ---- facts.c: the table, in shared memory so forked helpers add to it -- */
int facts_init(void);
/* For sockets @name is "FAMILY TYPE PROTO" (three fields). */
void fact_add(enum fact_kind kind, const char *name, const char *first);
bool fact_has(enum fact_kind kind, const char *name);
void fact_syscall(unsigned nr, bool compat, const char *first);
void fact_socket(int family, int type, int protocol, const char *first);
const char *ns_flag_name(unsigned long flag);
void fact_ns_flags(unsigned long flags, const char *first);
/* Open the record channel; the stream is written by facts_emit(). */
int proto_open(const char *tty);
void proto_status(const char *key, const char *value);
void proto_output(const char *line);
void facts_emit(void);

/* ---- util.c ------------------------------------------------------------ */
void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void timeline(const char *event, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int write_file(const char *path, const char *data);
/* Read a whole small file into @buf; returns length or -1. */
ssize_t read_small(const char *path, char *buf, size_t cap);
int mkdir_p(const char *path, mode_t mode);
/* mount(2) that records the filesystem as used by the agent. */
int do_mount(const char *src, const char *dst, const char *type,
	     unsigned long flags, const char *data);
double mono_s(void);

/* ---- spec.c: /ktrim/spec, written by `ktrim profile` -------------------- */
#define SPEC_MAX KPROTO_SPEC_MAX_LIST
struct spec {
	char *krel;
	char *args[SPEC_MAX + 1];
	char *env[SPEC_MAX + 1];
	char *smoke[SPEC_MAX + 1];
	char *boot_modules[SPEC_MAX];
	unsigned n_boot_modules;
	char *cgroups[KPROTO_SPEC_MAX_CGROUPS];
	unsigned n_cgroups;
	char *cwd;
	char *hostname;
	char *ready_pattern;
	unsigned ready_port;
	unsigned ready_timeout_s;
	unsigned smoke_timeout_s;
	unsigned long ns_flags;	/* CLONE_NEW* */
	uid_t uid;
	gid_t gid;
};
int spec_load(const char *path, struct spec *s);

/* ---- modules.c --------------------------------------------------------- */
int modules_boot(const struct spec *s);
int modules_install_helper(void);
/* Names in /proc/modules, as one "\nname\n...\n" string (for diffs). */
char *modules_snapshot(void);
/* Attribute new helper log lines to @who; returns how many. */
int modules_take_requests(const char *who);
/* At the end: modules loaded since @baseline, with their requesters. */
void modules_collect(const char *baseline);
int modprobe_helper_main(int argc, char **argv);

/* ---- container.c ------------------------------------------------------- */
/*
 * Start the workload in its namespaces and cgroup, stopped under ptrace
 * just before exec. *stdout_fd gets its stdout when the ready condition
 * reads it, else -1.
 */
pid_t container_start(const struct spec *s, int *stdout_fd);
/* Start the smoke test inside the workload's container, traced. */
pid_t container_exec_smoke(const struct spec *s, pid_t ct, int *out_fd);
/* Whether 127.0.0.1:@port accepts inside @ct's network namespace. */
bool container_port_open(pid_t ct, unsigned port);

/* ---- trace.c ----------------------------------------------------------- */
/* Adopt a child stopped after PTRACE_TRACEME + SIGSTOP. */
int trace_adopt(pid_t pid);
/*
 * Handle every pending ptrace stop without blocking. Non-traced children
 * that exited are returned through @reaped/@status (one per call), else 0.
 */
pid_t trace_pump(int *status);
/* Exit status of a traced process once it is gone; -1 while running. */
int trace_exit_status(pid_t pid);
unsigned trace_count(void);

#endif

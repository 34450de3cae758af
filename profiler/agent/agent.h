/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * agent.h - private to the profiling guest agent (static, musl, libc only).
 *
 * The agent is the guest runtime (initramfs/init/: spec, mounts, network,
 * container launcher, timeline) plus observation: the tracer and the
 * module-request recorder. It is PID 1 of the profiling guest, and also
 * runs as the kernel's module helper (/proc/sys/kernel/modprobe points at
 * a link to itself), told apart by argv[0].
 */
#ifndef KTRIM_AGENT_H
#define KTRIM_AGENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "initramfs/init/init.h"

#define AGENT_NAME "ktrim-agent"
#define HELPER_NAME "ktrim-modprobe"
#define HELPER_PATH "/ktrim/bin/" HELPER_NAME
#define KMOD_PATH "/ktrim/bin/kmod"	/* Debian's kmod, run as modprobe */
#define MODREQ_LOG "/run/ktrim/modreq"
/*
 * The record channel: x86's second UART; arm64's virt has one UART (the
 * console), so a virtio-serial port of this name (virtio_console, loaded
 * from the spec's modules) carries the records there.
 */
#if defined(__aarch64__)
#define FACTS_PORT "ktrim-facts"
#else
#define FACTS_TTY "/dev/ttyS1"
#endif

/* ---- facts.c: the table, in shared memory so forked helpers add to it -- */
int facts_init(void);
/* For sockets @name is "FAMILY TYPE PROTO" (three fields). */
void fact_add(enum guest_fact_kind kind, const char *name, const char *first);
bool fact_has(enum guest_fact_kind kind, const char *name);
void fact_syscall(unsigned nr, bool compat, const char *first);
void fact_socket(int family, int type, int protocol, const char *first);
void fact_ns_flags(unsigned long flags, const char *first);
/* Open the record channel; the stream is written by facts_emit(). */
int proto_open(const char *tty);
/* The virtio-serial port named @name (/sys/class/virtio-ports), waiting up to 10 s. */
int proto_open_port(const char *name);
void proto_status(const char *key, const char *value);
void proto_output(const char *line);
void facts_emit(void);

/* ---- util.c ------------------------------------------------------------ */
/* Read a whole small file into @buf; returns length or -1. */
ssize_t read_small(const char *path, char *buf, size_t cap);
int mkdir_p(const char *path, mode_t mode);
double mono_s(void);

/* ---- modules.c --------------------------------------------------------- */
int modules_install_helper(void);
/* Device nodes of modules that load on open (modules.devname). */
void modules_static_nodes(void);
/* Names in /proc/modules, as one "\nname\n...\n" string (for diffs). */
char *modules_snapshot(void);
/* Attribute new helper log lines to @who; returns how many. */
int modules_take_requests(const char *who);
/* At the end: modules loaded since @baseline, with their requesters. */
void modules_collect(const char *baseline);
int modprobe_helper_main(int argc, char **argv);
/* A user-space modprobe request, served as the helper; its exit status. */
int modules_serve_user(int argc, char **argv, const char *who);

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

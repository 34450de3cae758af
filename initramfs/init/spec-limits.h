/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * spec-limits.h - what the guest init takes from a spec, in one place: the
 * init (initramfs/init/, static tables of these sizes) and the host that
 * writes the spec (initramfs/spec.c) both include it, so a spec the host
 * packs is one the init reads, and one it would refuse fails at `ktrim
 * initramfs` / `ktrim build` instead of at boot. Plain C, no libraries.
 */
#ifndef KTRIM_INIT_SPEC_LIMITS_H
#define KTRIM_INIT_SPEC_LIMITS_H

/* The init reads less than this many bytes of /etc/ktrim/spec. */
#define INITRAMFS_SPEC_MAX_BYTES (256 * 1024)
/* ... and less than this many of the certification overlay's addition. */
#define INITRAMFS_SPEC_ADD_MAX (16 * 1024)
/* Largest number of seconds or restarts a spec may hold. */
#define INITRAMFS_SPEC_MAX_COUNT 0x7fffffffUL
/* Entries of each list directive. */
#define INITRAMFS_SPEC_MAX_ARGS 128
#define INITRAMFS_SPEC_MAX_ENV 128
#define INITRAMFS_SPEC_MAX_MODULES 512
#define INITRAMFS_SPEC_MAX_CGROUPS 16
#define INITRAMFS_SPEC_MAX_SMOKE 64

#endif

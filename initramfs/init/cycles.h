/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The TSC for timeline records, shared by ktrim's init and the bench's
 * ktrim-stamp. The kernel's clock can stand still during boot: on QEMU
 * microvm under TCG no timer interrupt advances jiffies while the local
 * APIC timer is calibrated, so uptime undercounts the time to init. The TSC
 * counts from vCPU reset whatever the kernel does; the host scales it by the
 * rate it sees between two records. 0 where there is no TSC.
 */
#ifndef KTRIM_INIT_CYCLES_H
#define KTRIM_INIT_CYCLES_H

static inline unsigned long long cycles_since_reset(void)
{
#if defined(__x86_64__) || defined(__i386__)
	return __builtin_ia32_rdtsc();
#else
	return 0;
#endif
}

#endif

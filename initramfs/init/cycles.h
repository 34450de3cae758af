/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A counter that runs from vCPU reset, for timeline records; shared by
 * ktrim's init and the bench's ktrim-stamp. The kernel's clock can stand
 * still during boot: on QEMU microvm under TCG no timer interrupt advances
 * jiffies while the local APIC timer is calibrated, so uptime undercounts
 * the time to init. This counter counts from reset whatever the kernel does.
 *   x86: the TSC; its rate is not architectural, so the host scales it by
 *        the rate it sees between two records (cycles_hz() is 0).
 *   arm64: the architected virtual counter CNTVCT_EL0 (QEMU virt starts it
 *        at 0 on reset and no hypervisor offsets it under TCG), at the
 *        frequency CNTFRQ_EL0 that firmware or QEMU programmed.
 * 0 where there is none.
 */
#ifndef KTRIM_INIT_CYCLES_H
#define KTRIM_INIT_CYCLES_H

static inline unsigned long long cycles_since_reset(void)
{
#if defined(__x86_64__) || defined(__i386__)
	return __builtin_ia32_rdtsc();
#elif defined(__aarch64__)
	unsigned long long v;

	/* isb: the read is not hoisted above earlier instructions */
	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v) :: "memory");
	return v;
#else
	return 0;
#endif
}

/* The counter's frequency in Hz when the architecture states it, else 0. */
static inline unsigned long long cycles_hz(void)
{
#if defined(__aarch64__)
	unsigned long long f;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(f));
	return f;
#else
	return 0;
#endif
}

#endif

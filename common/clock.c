// SPDX-License-Identifier: GPL-2.0-only
/* The host-side clock every timing in ktrim reads. */
#include <time.h>

#include "common/common.h"

double kt_clock_now(void)
{
	struct timespec ts;

	/* Monotonic: durations and deadlines must not jump with the wall clock. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

// SPDX-License-Identifier: GPL-2.0-only
/* Parsing numbers from option arguments and files. */
#include <errno.h>
#include <stdlib.h>

#include "common/common.h"

int kt_parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	/* strtoul accepts "-1" and leading space; a count or size does not. */
	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/* Leveled logging and progress lines. */
#include <stdarg.h>

#include "common/common.h"

static int log_level = KT_LOG_INFO;
static FILE *log_stream;

void kt_log_set_level(int level)
{
	if (level < KT_LOG_ERR)
		level = KT_LOG_ERR;
	if (level > KT_LOG_DEBUG)
		level = KT_LOG_DEBUG;
	log_level = level;
}

int kt_log_get_level(void)
{
	return log_level;
}

void kt_log_set_stream(FILE *f)
{
	log_stream = f;
}

void kt_log(int level, const char *fmt, ...)
{
	static const char *const prefix[] = {
		[KT_LOG_ERR] = "error: ",
		[KT_LOG_WARN] = "warning: ",
		[KT_LOG_INFO] = "",
		[KT_LOG_DEBUG] = "debug: ",
	};
	FILE *f = log_stream ? log_stream : stderr;
	va_list ap;

	if (level > log_level)
		return;
	fputs("ktrim: ", f);
	fputs(prefix[level < 0 ? 0 : level > KT_LOG_DEBUG ? KT_LOG_DEBUG : level], f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
}

double kt_elapsed(void)
{
	static double start = -1;
	double now = kt_clock_now();

	if (start < 0)
		start = now;
	return now - start;
}

void kt_progress(const char *fmt, ...)
{
	FILE *f = log_stream ? log_stream : stderr;
	double t = kt_elapsed();
	va_list ap;

	if (log_level < KT_LOG_INFO)
		return;
	fprintf(f, "[%8.1fs] ", t);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fflush(f);
}

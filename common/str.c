// SPDX-License-Identifier: GPL-2.0-only
/* Growable NUL-terminated string. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"

static int str_reserve(struct kt_str *s, size_t extra)
{
	size_t need = s->len + extra + 1;
	size_t cap;
	char *p;

	if (need <= s->cap)
		return 0;
	cap = s->cap ? s->cap : 64;
	while (cap < need)
		cap *= 2;
	p = realloc(s->buf, cap);
	if (!p)
		return s->err = -ENOMEM;
	s->buf = p;
	s->cap = cap;
	return 0;
}

int kt_str_append(struct kt_str *s, const char *data, size_t n)
{
	int r = str_reserve(s, n);

	if (r < 0)
		return r;
	if (n)
		memcpy(s->buf + s->len, data, n);
	s->len += n;
	s->buf[s->len] = '\0';
	return 0;
}

int kt_str_puts(struct kt_str *s, const char *z)
{
	return kt_str_append(s, z, strlen(z));
}

int kt_str_putc(struct kt_str *s, char c)
{
	return kt_str_append(s, &c, 1);
}

int kt_str_vprintf(struct kt_str *s, const char *fmt, va_list ap)
{
	va_list aq;
	int n, r;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return -EINVAL;
	r = str_reserve(s, (size_t)n);
	if (r < 0)
		return r;
	vsnprintf(s->buf + s->len, (size_t)n + 1, fmt, ap);
	s->len += (size_t)n;
	return 0;
}

int kt_str_printf(struct kt_str *s, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = kt_str_vprintf(s, fmt, ap);
	va_end(ap);
	return r;
}

void kt_str_reset(struct kt_str *s)
{
	s->len = 0;
	if (s->buf)
		s->buf[0] = '\0';
}

const char *kt_str_cstr(const struct kt_str *s)
{
	return s->buf ? s->buf : "";
}

char *kt_str_steal(struct kt_str *s)
{
	char *p = s->buf ? s->buf : strdup("");

	s->buf = NULL;
	s->len = s->cap = 0;
	return p;
}

void kt_str_free(struct kt_str *s)
{
	free(s->buf);
	s->buf = NULL;
	s->len = s->cap = 0;
	s->err = 0;
}

int kt_str_error(const struct kt_str *s)
{
	return s->err;
}

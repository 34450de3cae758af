// SPDX-License-Identifier: GPL-2.0-only
/*
 * Growable NUL-terminated string with a sticky error: the first append that
 * fails is remembered and every later append is a no-op, so a sequence of
 * unchecked appends can be checked once (kt_str_error) where the string is
 * used, and a string that lost a piece can never pass for a complete one.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"

/* Tests only: <0 never fails; else the number of reserves that still succeed. */
static long fail_after = -1;

void kt_str_fail_after(long n)
{
	fail_after = n;
}

/* Records the failure, so the caller only has to return it. */
static int str_fail(struct kt_str *s, int err)
{
	s->err = err;
	return err;
}

static int str_reserve(struct kt_str *s, size_t extra)
{
	size_t need, cap;
	char *p;

	if (s->err)
		return s->err;
	/*
	 * Nothing above PTRDIFF_MAX can be allocated (glibc refuses it); fail
	 * here so an absurd length never reaches the allocator and the
	 * doubling below cannot overflow.
	 */
	if (extra > (size_t)PTRDIFF_MAX - 1 - s->len)
		return str_fail(s, -ENOMEM);
	need = s->len + extra + 1;
	if (need <= s->cap)
		return 0;
	cap = s->cap ? s->cap : 64;
	while (cap < need)
		cap = cap > (size_t)PTRDIFF_MAX / 2 ? need : cap * 2;
	if (fail_after == 0)
		return str_fail(s, -ENOMEM);
	if (fail_after > 0)
		fail_after--;
	p = realloc(s->buf, cap);
	if (!p)
		return str_fail(s, -ENOMEM);
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

	if (s->err)
		return s->err;
	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	/* the text would be missing a piece just like after an ENOMEM */
	if (n < 0)
		return str_fail(s, -EINVAL);
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

int kt_str_error(const struct kt_str *s)
{
	return s->err;
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
	char *p;

	if (s->err) {
		kt_str_free(s);
		return NULL;
	}
	p = s->buf ? s->buf : strdup("");
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

int kt_strdup_replace(char **slot, const char *value)
{
	char *copy = strdup(value);

	if (!copy)
		return -ENOMEM;
	free(*slot);
	*slot = copy;
	return 0;
}

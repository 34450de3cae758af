// SPDX-License-Identifier: GPL-2.0-only
/*
 * Archive path rules. The kernel creates every entry relative to the root
 * it unpacks into, so a ".." component is the only way out of it: refuse
 * it when writing, whatever the caller meant.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "initramfs/internal.h"

/* Next '/'-separated component of *p (empty components skipped). */
static bool next_component(const char **p, const char **comp, size_t *n)
{
	while (**p == '/')
		(*p)++;
	if (!**p)
		return false;
	*comp = *p;
	while (**p && **p != '/')
		(*p)++;
	*n = (size_t)(*p - *comp);
	return true;
}

static bool is_dot(const char *c, size_t n)
{
	return n == 1 && c[0] == '.';
}

static bool is_dotdot(const char *c, size_t n)
{
	return n == 2 && c[0] == '.' && c[1] == '.';
}

int ar_path_normalize(const char *in, char **out, struct kt_str *err)
{
	struct kt_str s = KT_STR_INIT;
	const char *p = in, *comp;
	size_t n;
	int r = 0;

	while (next_component(&p, &comp, &n)) {
		if (is_dot(comp, n))
			continue;
		if (is_dotdot(comp, n)) {
			r = ar_fail(err, -EINVAL, "archive path '%s': '..' "
				    "component would escape the archive root",
				    in);
			goto out;
		}
		if (s.len)
			r = kt_str_putc(&s, '/');
		if (r == 0)
			r = kt_str_append(&s, comp, n);
		if (r < 0)
			goto out;
	}
	if (s.len == 0) {
		r = ar_fail(err, -EINVAL, "archive path '%s' names the root, "
			    "not an entry", in);
		goto out;
	}
	if (s.len >= PATH_MAX) {
		r = ar_fail(err, -ENAMETOOLONG, "archive path '%.40s...' is "
			    "longer than PATH_MAX", in);
		goto out;
	}
	*out = kt_str_steal(&s);
out:
	kt_str_free(&s);
	return r;
}

bool ar_symlink_inside(const char *link_path, const char *target)
{
	const char *p, *comp;
	int depth = 0;
	size_t n;

	if (target[0] == '/')
		return true;
	/* The link lives in its parent directory: count that depth. */
	for (p = link_path; *p; p++)
		if (*p == '/')
			depth++;
	p = target;
	while (next_component(&p, &comp, &n)) {
		if (is_dot(comp, n))
			continue;
		if (!is_dotdot(comp, n))
			depth++;
		else if (--depth < 0)
			return false;
	}
	return true;
}

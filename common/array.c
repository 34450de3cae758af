// SPDX-License-Identifier: GPL-2.0-only
/* Growable array of fixed-size elements. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"

void kt_array_init(struct kt_array *a, size_t elem_size)
{
	a->items = NULL;
	a->len = a->cap = 0;
	a->elem_size = elem_size;
}

void *kt_array_push(struct kt_array *a, const void *elem)
{
	void *slot;

	if (a->len == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 8;
		void *p = realloc(a->items, cap * a->elem_size);

		if (!p)
			return NULL;
		a->items = p;
		a->cap = cap;
	}
	slot = (char *)a->items + a->len * a->elem_size;
	memcpy(slot, elem, a->elem_size);
	a->len++;
	return slot;
}

void *kt_array_at(const struct kt_array *a, size_t i)
{
	if (i >= a->len)
		return NULL;
	return (char *)a->items + i * a->elem_size;
}

void kt_array_sort(struct kt_array *a, int (*cmp)(const void *, const void *))
{
	if (a->len > 1)
		qsort(a->items, a->len, a->elem_size, cmp);
}

void kt_array_free(struct kt_array *a)
{
	free(a->items);
	a->items = NULL;
	a->len = a->cap = 0;
}

int kt_array_push_ptr(struct kt_array *a, void *p)
{
	if (a->elem_size == 0)
		a->elem_size = sizeof(void *);
	return kt_array_push(a, &p) ? 0 : -ENOMEM;
}

void *kt_array_ptr(const struct kt_array *a, size_t i)
{
	void **slot = kt_array_at(a, i);

	return slot ? *slot : NULL;
}

int kt_array_push_strdup(struct kt_array *a, const char *s)
{
	char *d = strdup(s);

	if (!d || kt_array_push_ptr(a, d) < 0) {
		free(d);
		return -ENOMEM;
	}
	return 0;
}

void kt_array_free_ptrs(struct kt_array *a)
{
	for (size_t i = 0; i < a->len; i++)
		free(kt_array_ptr(a, i));
	kt_array_free(a);
}

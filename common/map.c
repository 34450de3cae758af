// SPDX-License-Identifier: GPL-2.0-only
/*
 * String-keyed hash map. Entries live in an insertion-ordered array; an
 * open-addressing index of entry numbers points into it. Keeping order
 * separate from hashing is what makes iteration reproducible.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"

struct map_entry {
	char *key;	/* NULL once deleted */
	void *value;
	uint32_t hash;
};

struct kt_map {
	struct map_entry *entries;
	size_t n_entries;	/* used slots of entries[], deleted included */
	size_t cap_entries;
	size_t live;
	uint32_t *index;	/* entry number + 1; 0 = empty, UINT32_MAX = tombstone */
	size_t index_size;	/* power of two */
	void (*free_value)(void *);
};

#define SLOT_EMPTY 0u
#define SLOT_TOMB UINT32_MAX

static uint32_t map_hash(const char *key)
{
	/* FNV-1a: short keys, no adversarial input. */
	uint32_t h = 2166136261u;

	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 16777619u;
	return h;
}

struct kt_map *kt_map_new(void (*free_value)(void *))
{
	struct kt_map *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->free_value = free_value;
	return m;
}

void kt_map_free(struct kt_map *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_entries; i++) {
		if (!m->entries[i].key)
			continue;
		free(m->entries[i].key);
		if (m->free_value)
			m->free_value(m->entries[i].value);
	}
	free(m->entries);
	free(m->index);
	free(m);
}

/* Index slot holding @key, or where it would go (first tombstone or empty). */
static size_t map_probe(const struct kt_map *m, const char *key, uint32_t h,
			bool *found)
{
	size_t mask = m->index_size - 1;
	size_t i = h & mask;
	size_t tomb = SIZE_MAX;

	*found = false;
	for (;;) {
		uint32_t s = m->index[i];

		if (s == SLOT_EMPTY)
			return tomb != SIZE_MAX ? tomb : i;
		if (s == SLOT_TOMB) {
			if (tomb == SIZE_MAX)
				tomb = i;
		} else {
			const struct map_entry *e = &m->entries[s - 1];

			if (e->hash == h && strcmp(e->key, key) == 0) {
				*found = true;
				return i;
			}
		}
		i = (i + 1) & mask;
	}
}

/* Rebuild the index; deleted entries are dropped, order is kept. */
static int map_rehash(struct kt_map *m, size_t size)
{
	uint32_t *index = calloc(size, sizeof(*index));
	size_t kept = 0;

	if (!index)
		return -ENOMEM;
	for (size_t e = 0; e < m->n_entries; e++)
		if (m->entries[e].key)
			m->entries[kept++] = m->entries[e];
	m->n_entries = kept;
	free(m->index);
	m->index = index;
	m->index_size = size;
	for (size_t e = 0; e < m->n_entries; e++) {
		size_t i;

		if (!m->entries[e].key)
			continue;
		i = m->entries[e].hash & (size - 1);
		while (index[i] != SLOT_EMPTY)
			i = (i + 1) & (size - 1);
		index[i] = (uint32_t)(e + 1);
	}
	return 0;
}

int kt_map_set(struct kt_map *m, const char *key, void *value)
{
	uint32_t h = map_hash(key);
	struct map_entry *e;
	bool found;
	size_t slot;
	int r;

	/* Keep the index at most half full, tombstones included. */
	if ((m->n_entries + 1) * 2 > m->index_size) {
		size_t size = 16;

		while ((m->live + 1) * 2 > size)
			size *= 2;
		r = map_rehash(m, size);
		if (r < 0)
			return r;
	}
	slot = map_probe(m, key, h, &found);
	if (found) {
		e = &m->entries[m->index[slot] - 1];
		if (m->free_value && e->value != value)
			m->free_value(e->value);
		e->value = value;
		return 0;
	}
	if (m->n_entries == m->cap_entries) {
		size_t cap = m->cap_entries ? m->cap_entries * 2 : 16;
		struct map_entry *p = realloc(m->entries, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		m->entries = p;
		m->cap_entries = cap;
	}
	e = &m->entries[m->n_entries];
	e->key = strdup(key);
	if (!e->key)
		return -ENOMEM;
	e->value = value;
	e->hash = h;
	m->index[slot] = (uint32_t)(++m->n_entries);
	m->live++;
	return 0;
}

static struct map_entry *map_find(const struct kt_map *m, const char *key,
				  size_t *slot_out)
{
	bool found;
	size_t slot;

	if (!m->index_size)
		return NULL;
	slot = map_probe(m, key, map_hash(key), &found);
	if (!found)
		return NULL;
	if (slot_out)
		*slot_out = slot;
	return &m->entries[m->index[slot] - 1];
}

void *kt_map_get(const struct kt_map *m, const char *key)
{
	struct map_entry *e = map_find(m, key, NULL);

	return e ? e->value : NULL;
}

bool kt_map_has(const struct kt_map *m, const char *key)
{
	return map_find(m, key, NULL) != NULL;
}

int kt_map_del(struct kt_map *m, const char *key)
{
	size_t slot;
	struct map_entry *e = map_find(m, key, &slot);

	if (!e)
		return -ENOENT;
	free(e->key);
	e->key = NULL;
	if (m->free_value)
		m->free_value(e->value);
	e->value = NULL;
	m->index[slot] = SLOT_TOMB;
	m->live--;
	return 0;
}

size_t kt_map_len(const struct kt_map *m)
{
	return m->live;
}

void kt_map_iter_init(struct kt_map_iter *it, const struct kt_map *m)
{
	it->map = m;
	it->pos = 0;
	it->key = NULL;
	it->value = NULL;
}

bool kt_map_iter_next(struct kt_map_iter *it)
{
	while (it->pos < it->map->n_entries) {
		const struct map_entry *e = &it->map->entries[it->pos++];

		if (e->key) {
			it->key = e->key;
			it->value = e->value;
			return true;
		}
	}
	return false;
}

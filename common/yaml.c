// SPDX-License-Identifier: GPL-2.0-only
/*
 * YAML documents as node trees that remember line and column, so every
 * consumer can point at the offending place in the user's file.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "common/common.h"

static void node_free(struct kt_yaml_node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++) {
		if (n->keys)
			node_free(n->keys[i]);
		node_free(n->items[i]);
	}
	free(n->keys);
	free(n->items);
	free(n->scalar);
	free(n);
}

static struct kt_yaml_node *node_new(enum kt_yaml_type type,
				     const yaml_mark_t *mark)
{
	struct kt_yaml_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->type = type;
	n->line = (int)mark->line + 1;
	n->col = (int)mark->column + 1;
	return n;
}

/*
 * Append @key (maps only) and @item to @parent. *@cap is the room the
 * arrays have; it doubles so that a collection of n items costs O(n).
 */
static int node_append(struct kt_yaml_node *parent, size_t *cap,
		       struct kt_yaml_node *key, struct kt_yaml_node *item)
{
	struct kt_yaml_node **items, **keys;

	if (parent->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;

		items = realloc(parent->items, ncap * sizeof(*items));
		if (!items)
			return -ENOMEM;
		parent->items = items;
		if (parent->type == KT_YAML_MAP) {
			keys = realloc(parent->keys, ncap * sizeof(*keys));
			if (!keys)
				return -ENOMEM;
			parent->keys = keys;
		}
		*cap = ncap;
	}
	if (parent->type == KT_YAML_MAP)
		parent->keys[parent->n] = key;
	parent->items[parent->n++] = item;
	return 0;
}

/*
 * Collections nested deeper than this are refused: load_node() recurses
 * once per level, and an input of nothing but '[' would otherwise exhaust
 * the stack. Our files nest a handful of levels.
 */
#define KT_YAML_MAX_DEPTH 64

struct loader {
	yaml_parser_t parser;
	const char *name;
	struct kt_str *err;
	unsigned int depth;	/* collections open around the current node */
};

static int loader_error(struct loader *l, const yaml_mark_t *mark,
			const char *msg)
{
	if (l->err)
		kt_str_printf(l->err, "%s:%zu:%zu: %s", l->name,
			      (size_t)mark->line + 1, (size_t)mark->column + 1,
			      msg);
	return -EINVAL;
}

static int parser_error(struct loader *l)
{
	const yaml_parser_t *p = &l->parser;
	const yaml_mark_t *mark = p->problem ? &p->problem_mark : &p->mark;
	struct kt_str msg = KT_STR_INIT;
	int r;

	kt_str_puts(&msg, p->problem ? p->problem : "malformed YAML");
	if (p->context)
		kt_str_printf(&msg, " (%s)", p->context);
	r = loader_error(l, mark, kt_str_cstr(&msg));
	kt_str_free(&msg);
	return r;
}

static int key_error(struct loader *l, const struct kt_yaml_node *key,
		     const char *msg)
{
	yaml_mark_t mark = { .line = (size_t)key->line - 1,
			     .column = (size_t)key->col - 1 };

	return loader_error(l, &mark, msg);
}

/*
 * Build the node that starts with @ev (already taken from the parser).
 * Recursion depth equals the document's nesting, bounded by
 * KT_YAML_MAX_DEPTH. A map's keys go into a hash set as they come, so
 * duplicates are found in linear time however many keys there are.
 */
static int load_node(struct loader *l, yaml_event_t *ev,
		     struct kt_yaml_node **out)
{
	struct kt_yaml_node *n = NULL, *key = NULL, *item = NULL;
	struct kt_map *seen = NULL;
	yaml_event_t child;
	size_t cap = 0;
	bool nested = false;
	int r = 0;

	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		n = node_new(KT_YAML_SCALAR, &ev->start_mark);
		if (!n)
			return -ENOMEM;
		n->scalar = strndup((const char *)ev->data.scalar.value,
				    ev->data.scalar.length);
		if (!n->scalar) {
			r = -ENOMEM;
			goto out;
		}
		n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
		goto out;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		break;
	case YAML_ALIAS_EVENT:
		return loader_error(l, &ev->start_mark,
				    "anchors and aliases are not supported");
	default:
		return loader_error(l, &ev->start_mark, "unexpected YAML event");
	}

	if (l->depth >= KT_YAML_MAX_DEPTH) {
		struct kt_str msg = KT_STR_INIT;

		kt_str_printf(&msg, "collections nested deeper than %d levels",
			      KT_YAML_MAX_DEPTH);
		r = loader_error(l, &ev->start_mark, kt_str_cstr(&msg));
		kt_str_free(&msg);
		return r;
	}
	n = node_new(ev->type == YAML_SEQUENCE_START_EVENT ? KT_YAML_SEQ :
							       KT_YAML_MAP,
		     &ev->start_mark);
	if (!n)
		return -ENOMEM;
	if (n->type == KT_YAML_MAP) {
		seen = kt_map_new(NULL);
		if (!seen) {
			r = -ENOMEM;
			goto out;
		}
	}
	l->depth++;
	nested = true;
	for (;;) {
		if (!yaml_parser_parse(&l->parser, &child)) {
			r = parser_error(l);
			goto out;
		}
		if (child.type == YAML_SEQUENCE_END_EVENT ||
		    child.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&child);
			break;
		}
		r = load_node(l, &child, n->type == KT_YAML_MAP && !key ? &key :
									    &item);
		yaml_event_delete(&child);
		if (r < 0)
			goto out;
		if (n->type == KT_YAML_MAP && !item)
			continue;	/* have the key, the value comes next */
		if (n->type == KT_YAML_MAP && key->type != KT_YAML_SCALAR) {
			r = key_error(l, key, "mapping keys must be plain scalars");
			goto out;
		}
		if (n->type == KT_YAML_MAP && kt_map_has(seen, key->scalar)) {
			struct kt_str msg = KT_STR_INIT;

			kt_str_printf(&msg, "duplicate key '%s'", key->scalar);
			r = key_error(l, key, kt_str_cstr(&msg));
			kt_str_free(&msg);
			goto out;
		}
		if (n->type == KT_YAML_MAP) {
			r = kt_map_set(seen, key->scalar, item);
			if (r < 0)
				goto out;
		}
		r = node_append(n, &cap, key, item);
		if (r < 0)
			goto out;
		key = item = NULL;
	}
out:
	if (nested)
		l->depth--;
	kt_map_free(seen);
	node_free(key);
	node_free(item);
	if (r < 0) {
		node_free(n);
		n = NULL;
	}
	*out = n;
	return r;
}

static int load_document(struct loader *l, struct kt_yaml_doc *doc)
{
	yaml_event_t ev;
	int r = 0;
	bool done = false;

	while (!done) {
		if (!yaml_parser_parse(&l->parser, &ev))
			return parser_error(l);
		switch (ev.type) {
		case YAML_STREAM_START_EVENT:
		case YAML_DOCUMENT_START_EVENT:
		case YAML_DOCUMENT_END_EVENT:
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		default:
			if (doc->root) {
				r = loader_error(l, &ev.start_mark,
						 "only one YAML document is allowed");
			} else {
				r = load_node(l, &ev, &doc->root);
			}
			break;
		}
		yaml_event_delete(&ev);
		if (r < 0)
			return r;
	}
	return 0;
}

int kt_yaml_load_string(const char *name, const char *text, size_t len,
			struct kt_yaml_doc *doc, struct kt_str *err)
{
	struct loader l = { .name = name, .err = err };
	int r;

	memset(doc, 0, sizeof(*doc));
	doc->file = strdup(name);
	if (!doc->file)
		return -ENOMEM;
	if (!yaml_parser_initialize(&l.parser)) {
		r = -ENOMEM;
		goto out;
	}
	yaml_parser_set_input_string(&l.parser, (const unsigned char *)text, len);
	r = load_document(&l, doc);
	yaml_parser_delete(&l.parser);
out:
	if (r < 0)
		kt_yaml_doc_release(doc);
	return r;
}

int kt_yaml_load_file(const char *path, struct kt_yaml_doc *doc,
		      struct kt_str *err)
{
	char *text = NULL;
	size_t len = 0;
	int r;

	/* every document may come from anywhere: no reading a device or a FIFO */
	r = kt_read_regular_file(path, 0, &text, &len);
	if (r < 0) {
		memset(doc, 0, sizeof(*doc));
		if (err)
			kt_str_printf(err, "%s: %s", path,
				      r == -EINVAL ? "not a regular file" : strerror(-r));
		return r;
	}
	r = kt_yaml_load_string(path, text, len, doc, err);
	free(text);
	return r;
}

void kt_yaml_doc_release(struct kt_yaml_doc *doc)
{
	node_free(doc->root);
	free(doc->file);
	memset(doc, 0, sizeof(*doc));
}

struct kt_yaml_node *kt_yaml_map_get(const struct kt_yaml_node *map,
				     const char *key)
{
	if (!map || map->type != KT_YAML_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++)
		if (strcmp(map->keys[i]->scalar, key) == 0)
			return map->items[i];
	return NULL;
}

int kt_yaml_error(const struct kt_yaml_doc *doc,
		  const struct kt_yaml_node *node, struct kt_str *err,
		  const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -EINVAL;
	if (node)
		kt_str_printf(err, "%s:%d:%d: ", doc->file, node->line, node->col);
	else
		kt_str_printf(err, "%s: ", doc->file);
	va_start(ap, fmt);
	kt_str_vprintf(err, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int kt_yaml_map_check_keys(const struct kt_yaml_doc *doc,
			   const struct kt_yaml_node *map,
			   const char *const *allowed, struct kt_str *err)
{
	if (!map || map->type != KT_YAML_MAP)
		return kt_yaml_error(doc, map, err, "expected a mapping");
	for (size_t i = 0; i < map->n; i++) {
		const char *key = map->keys[i]->scalar;
		size_t a;

		for (a = 0; allowed[a]; a++)
			if (strcmp(allowed[a], key) == 0)
				break;
		if (!allowed[a])
			return kt_yaml_error(doc, map->keys[i], err,
					     "unknown key '%s'", key);
	}
	return 0;
}

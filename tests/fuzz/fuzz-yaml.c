// SPDX-License-Identifier: GPL-2.0-only
/*
 * The YAML loader every document goes through (common/yaml.c), and the
 * emitter's promise: a scalar written by kt_yaml_put_scalar loads back as
 * exactly the same string (profiles and reports rely on it).
 */
#include "tests/fuzz/fuzz.h"

static unsigned checked;

static void roundtrip(const char *s)
{
	struct kt_str text = KT_STR_INIT, err = KT_STR_INIT;
	struct kt_yaml_doc doc;
	const struct kt_yaml_node *v;

	kt_str_puts(&text, "k: ");
	kt_yaml_put_scalar(&text, s);
	kt_str_puts(&text, "\n");
	if (kt_str_error(&text))
		abort();
	if (kt_yaml_load_string("emitted", kt_str_cstr(&text), text.len,
				&doc, &err) < 0) {
		fprintf(stderr, "emitted scalar does not load: %s\n",
			kt_str_cstr(&err));
		abort();
	}
	v = doc.root ? kt_yaml_map_get(doc.root, "k") : NULL;
	if (!v || v->type != KT_YAML_SCALAR || strcmp(v->scalar, s) != 0) {
		fprintf(stderr, "scalar changed in a round trip: [%s]\n", s);
		abort();
	}
	kt_yaml_doc_release(&doc);
	kt_str_free(&text);
	kt_str_free(&err);
}

static void walk(const struct kt_yaml_node *n)
{
	if (!n)
		return;
	if (n->type == KT_YAML_SCALAR) {
		if (checked++ < 16)
			roundtrip(n->scalar);
		return;
	}
	for (size_t i = 0; i < n->n; i++) {
		if (n->type == KT_YAML_MAP)
			walk(n->keys[i]);
		walk(n->items[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_str err = KT_STR_INIT;
	struct kt_yaml_doc doc;

	fuzz_quiet();
	if (kt_yaml_load_string("fuzz.yaml", (const char *)data, size, &doc,
				&err) == 0) {
		checked = 0;
		walk(doc.root);
		kt_yaml_doc_release(&doc);
	}
	kt_str_free(&err);
	return 0;
}

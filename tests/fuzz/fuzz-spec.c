// SPDX-License-Identifier: GPL-2.0-only
/*
 * The container spec, host to guest. The input is lines of "option value"
 * as `ktrim initramfs` takes them (--env, --cmd, --cgroup, ...); a spec
 * the host accepts and writes must parse in the guest init's own parser
 * (initramfs/init/spec.c) to the same container. An input whose first
 * byte is '!' goes to the guest parser as it is, spec and overlay.
 */
#include "initramfs/init/init.h"
#include "initramfs/initramfs.h"
#include "tests/fuzz/fuzz.h"

static void same(const char *host, const char *guest, const char *what)
{
	if (!host && !guest)
		return;
	if (!host || !guest || strcmp(host, guest) != 0) {
		fprintf(stderr, "%s differs: host [%s] guest [%s]\n", what,
			host ? host : "(null)", guest ? guest : "(null)");
		abort();
	}
}

static void same_list(const struct kt_array *a, char *const *g, int n,
		      const char *what)
{
	if (a->len != (size_t)n) {
		fprintf(stderr, "%s: host %zu, guest %d\n", what, a->len, n);
		abort();
	}
	for (int i = 0; i < n; i++)
		same(kt_array_ptr(a, (size_t)i), g[i], what);
}

static void compare(const struct initramfs_spec *h, const struct spec *g)
{
	same_list(&h->args, g->args, g->nargs, "args");
	same_list(&h->env, g->env, g->nenv, "env");
	same_list(&h->smoke, g->smoke, g->nsmoke, "smoke");
	same_list(&h->modules, g->modules, g->nmodules, "modules");
	same_list(&h->devices, g->devices, g->ndevices, "devices");
	if (h->cgroups.len != (size_t)g->ncgroups)
		abort();
	for (int i = 0; i < g->ncgroups; i++) {
		const struct initramfs_cgroup_limit *l =
			kt_array_at(&h->cgroups, (size_t)i);

		same(l->file, g->cgroups[i].file, "cgroup file");
		same(l->value, g->cgroups[i].value, "cgroup value");
	}
	same(h->cwd, g->cwd, "cwd");
	same(h->user_name, g->user_name, "user-name");
	same(h->hostname, g->hostname, "hostname");
	same(h->rootfs, g->rootfs, "rootfs");
	same(h->rootfs_type, g->rootfs_type, "rootfs type");
	if (h->ready == INITRAMFS_READY_STDOUT)
		same(h->ready_pattern ? h->ready_pattern : "*",
		     g->ready_pattern, "ready pattern");
	if (h->uid != g->uid || h->gid != g->gid ||
	    h->readonly != g->readonly || h->namespaces != g->namespaces ||
	    (int)h->ready != g->ready ||
	    (h->ready == INITRAMFS_READY_TCP && h->ready_port != g->ready_port) ||
	    h->timeout_s != g->timeout_s || h->stop_grace_s != g->stop_grace_s ||
	    h->smoke_timeout_s != g->smoke_timeout_s ||
	    (int)h->restart != g->restart || h->restart_max != g->restart_max ||
	    h->certify_hold != g->certify_hold || h->cap_add != g->cap_add ||
	    h->cap_drop != g->cap_drop || h->privileged != g->privileged ||
	    memcmp(&h->rlimits, &g->rlimits, sizeof(g->rlimits))) {
		fprintf(stderr, "a scalar field differs\n");
		abort();
	}
}

/* The guest's parser alone, on whatever bytes came. */
static void guest_only(const uint8_t *data, size_t size)
{
	static struct spec g;
	const uint8_t *sep = memchr(data, 0, size);
	char *text = fuzz_cstr(data, sep ? (size_t)(sep - data) : size);
	char msg[256];

	if (spec_parse(text, &g, msg, sizeof(msg)) == 0 && sep) {
		char *add = fuzz_cstr(sep + 1, size - (size_t)(sep + 1 - data));

		spec_parse_addition(add, &g, msg, sizeof(msg));
		free(add);
	}
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct spec g;
	struct kt_str err = KT_STR_INIT, text = KT_STR_INIT, add = KT_STR_INIT;
	struct initramfs_spec h;
	char *in, *line, *save = NULL, *gtext = NULL;
	char msg[256];
	int r = 0;

	fuzz_quiet();
	if (size && data[0] == '!') {
		guest_only(data + 1, size - 1);
		return 0;
	}
	in = fuzz_cstr(data, size);
	initramfs_spec_init(&h);
	for (line = strtok_r(in, "\n", &save); line && r == 0;
	     line = strtok_r(NULL, "\n", &save)) {
		char *value = strchr(line, ' ');

		if (value)
			*value++ = '\0';
		/* modules are archive paths the packer fills in */
		if (!strcmp(line, "module")) {
			if (value && *value)
				r = kt_array_push_strdup(&h.modules, value);
		}
		/* certify-hold: a switch of pipeline/pack.c, no option */
		else if (!strcmp(line, "certify-hold"))
			h.certify_hold = true;
		else
			r = initramfs_spec_set_option(&h, line, value ? value : "",
						      &err);
		if (r == -EINVAL || r == -ENOENT)
			r = 0;	/* refused with a message: the next line */
	}
	if (r == 0 && initramfs_spec_check(&h, &err) == 0) {
		if (initramfs_spec_format(&h, &text) < 0 ||
		    initramfs_spec_format_addition(&h, &add) < 0)
			abort();	/* checked, so it must write */
		gtext = fuzz_cstr((const uint8_t *)text.buf, text.len);
		if (spec_parse(gtext, &g, msg, sizeof(msg)) < 0) {
			fprintf(stderr, "the init refuses what the host wrote: %s\n%s",
				msg, kt_str_cstr(&text));
			abort();
		}
		/* the shipped spec's smoke test and the overlay's are one */
		g.nsmoke = 0;
		g.smoke_timeout_s = 0;
		g.certify_hold = false;
		free(in);
		in = fuzz_cstr((const uint8_t *)add.buf, add.len);
		if (spec_parse_addition(in, &g, msg, sizeof(msg)) < 0) {
			fprintf(stderr, "the init refuses the overlay: %s\n", msg);
			abort();
		}
		compare(&h, &g);
	}
	initramfs_spec_release(&h);
	free(gtext);
	free(in);
	kt_str_free(&text);
	kt_str_free(&add);
	kt_str_free(&err);
	return 0;
}

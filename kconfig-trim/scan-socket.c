// SPDX-License-Identifier: GPL-2.0-only
/*
 * Socket family names: include/linux/socket.h defines AF_ numbers and the
 * PF_ and AF_ aliases (PF_INET6, AF_LOCAL, AF_ROUTE). Each name resolves
 * to the first AF_ name with the same number, so a profile may say
 * AF_LOCAL and a registration may say PF_UNIX and both meet at AF_UNIX.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kconfig-trim/trim-internal.h"

int kconf_hdrscan_socket_aliases(struct kconf_featmap *m, const char *ksrc)
{
	static const char hdr[] = "include/linux/socket.h";
	struct kt_map *byname = kt_map_new(free);	/* name -> "number" */
	struct kt_map *bynum = kt_map_new(NULL);	/* "number" -> first AF_ name */
	struct kt_str path = KT_STR_INIT;
	struct kt_map_iter it;
	char *buf = NULL;
	size_t len;
	int r = -ENOMEM;

	if (!byname || !bynum)
		goto out;
	r = kt_str_printf(&path, "%s/%s", ksrc, hdr);
	if (r == 0)
		r = kt_read_regular_file(kt_str_cstr(&path), 0, &buf, &len);
	/* a missing header only costs the aliases; no memory is an error */
	if (r == -ENOMEM)
		goto out;
	if (r < 0) {
		kt_warn("%s: %s; socket families match by exact name only",
			kt_str_cstr(&path), strerror(-r));
		r = 0;
		goto out;
	}
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		char name[64], val[64];
		const char *num;
		char *v;

		if (sscanf(line, "#define %63s %63s", name, val) != 2)
			continue;
		if (strncmp(name, "AF_", 3) != 0 && strncmp(name, "PF_", 3) != 0)
			continue;
		if (strcmp(name + 3, "MAX") == 0)
			continue;
		num = (val[0] >= '0' && val[0] <= '9') ? val : kt_map_get(byname, val);
		if (!num)
			continue;
		v = strdup(num);
		if (!v || kt_map_set(byname, name, v) < 0) {
			free(v);
			r = -ENOMEM;
			goto out;
		}
		if (strncmp(name, "AF_", 3) == 0 && !kt_map_has(bynum, v)) {
			const char *canon = kconf_featmap_intern(m, name);

			if (!canon || kt_map_set(bynum, v, (void *)canon) < 0) {
				r = -ENOMEM;
				goto out;
			}
		}
	}
	kt_map_iter_init(&it, byname);
	while (kt_map_iter_next(&it)) {
		const char *canon = kt_map_get(bynum, it.value);

		if (canon && strcmp(canon, it.key) != 0) {
			r = kconf_featmap_add_alias(m, it.key, canon);
			if (r < 0)
				goto out;
		}
	}
	r = 0;
out:
	free(buf);
	kt_map_free(byname);
	kt_map_free(bynum);
	kt_str_free(&path);
	return r;
}

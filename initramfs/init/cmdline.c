// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel command line, read once: mounts_setup() hides /proc/cmdline
 * from the workload right after /proc is mounted (it holds the timeline's
 * nonce), so everything the init takes from it (ip=, ktrim.ip=,
 * ktrim.mount=) reads this copy. Static buffers: no heap on the boot path.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "initramfs/init/init.h"

static char text[4096];

void cmdline_load(void)
{
	int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;

	if (fd >= 0)
		close(fd);
	text[n > 0 ? n : 0] = '\0';
	text[strcspn(text, "\n")] = '\0';
}

void cmdline_each(const char *key, void (*fn)(char *value, void *ctx), void *ctx)
{
	static char value[sizeof(text)];
	size_t klen = strlen(key);

	for (const char *p = text; *p;) {
		size_t len = strcspn(p, " ");

		/* What follows "--" is the init's own arguments. */
		if (len == 2 && !strncmp(p, "--", 2))
			break;
		if (len > klen && !strncmp(p, key, klen) && p[klen] == '=') {
			memcpy(value, p + klen + 1, len - klen - 1);
			value[len - klen - 1] = '\0';
			fn(value, ctx);
		}
		p += len;
		p += strspn(p, " ");
	}
}

struct first {
	char *out;
	size_t outlen;
	bool found;
};

static void take_first(char *value, void *ctx)
{
	struct first *f = ctx;
	size_t len = strlen(value);

	if (f->found)
		return;
	if (len >= f->outlen)
		len = f->outlen - 1;
	memcpy(f->out, value, len);
	f->out[len] = '\0';
	f->found = true;
}

bool cmdline_get(const char *key, char *out, size_t outlen)
{
	struct first f = { out, outlen, false };

	cmdline_each(key, take_first, &f);
	return f.found;
}

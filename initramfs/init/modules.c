// SPDX-License-Identifier: GPL-2.0-only
/*
 * Module loading in the order computed at pack time (dependencies first),
 * so no modules.dep and no libkmod in the guest.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "initramfs/init/init.h"

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

int modules_load(const struct spec *s)
{
	int loaded = 0;

	for (int i = 0; i < s->nmodules; i++) {
		const char *path = s->modules[i];
		bool compressed = ends_with(path, ".xz") ||
				  ends_with(path, ".zst") ||
				  ends_with(path, ".gz");
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		long r;

		if (fd < 0) {
			say("module %s: %s", path, strerror(errno));
			continue;
		}
		r = syscall(SYS_finit_module, fd, "",
			    compressed ? MODULE_INIT_COMPRESSED_FILE : 0);
		close(fd);
		if (r == 0 || errno == EEXIST) {
			loaded++;
			continue;
		}
		if (compressed && (errno == EOPNOTSUPP || errno == EINVAL))
			say("module %s is compressed, but this kernel cannot "
			    "decompress modules (needs CONFIG_MODULE_DECOMPRESS"
			    ", 5.17+); pack without --keep-compressed-modules",
			    base_name(path));
		else
			say("module %s: %s", base_name(path), strerror(errno));
	}
	return loaded;
}

/*
 * The shipped image has no module helper: its modules are built in or
 * loaded above from the spec. An empty /proc/sys/kernel/modprobe makes
 * the kernel's request_module() fail at once (-ENOENT) instead of running
 * a path that a later mount could provide, and gives user space in the
 * container (iptables runs that program itself) nothing to run. Without
 * CONFIG_MODULES the file does not exist: nothing to do.
 */
void modules_close_helper(void)
{
	int r;

	if (access("/proc/sys/kernel/modprobe", F_OK))
		return;
	r = write_file("/proc/sys/kernel/modprobe", "\n");
	if (r < 0)
		say("cannot empty /proc/sys/kernel/modprobe: %s", strerror(-r));
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The mounts every workload expects, as a table. A trimmed kernel may lack
 * some filesystems (no cgroup2 when the profile never used cgroups): a
 * failure is reported and boot goes on, the workload decides if it cares.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "initramfs/init/init.h"

struct mount_entry {
	const char *source;
	const char *target;
	const char *type;
	unsigned long flags;
	const char *data;
};

#define NOSUID_NODEV_EXEC (MS_NOSUID | MS_NODEV | MS_NOEXEC)

static const struct mount_entry table[] = {
	{ "proc", "/proc", "proc", NOSUID_NODEV_EXEC, NULL },
	{ "sysfs", "/sys", "sysfs", NOSUID_NODEV_EXEC, NULL },
	{ "devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755" },
	{ "devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
	  "mode=0620,ptmxmode=0666" },
	{ "tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777" },
	{ "tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755" },
	{ "tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777" },
	{ "cgroup2", "/sys/fs/cgroup", "cgroup2", NOSUID_NODEV_EXEC,
	  "nsdelegate" },
};

void mounts_setup(void)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct mount_entry *m = &table[i];

		/* Mount points below other mounts appear only after them. */
		if (mkdir(m->target, 0755) < 0 && errno != EEXIST) {
			say("mkdir %s: %s", m->target, strerror(errno));
			continue;
		}
		if (mount(m->source, m->target, m->type, m->flags, m->data) < 0)
			say("mount %s on %s failed: %s (continuing)", m->type,
			    m->target, strerror(errno));
	}
	/* the command line holds the timeline's nonce: read it, then hide it */
	cmdline_load();
	nonce_hide("");
}

/* Block devices behind ACPI (NVDIMMs) may appear after the init starts. */
#define DEVICE_WAIT_MS 5000

static void mount_one(char *spec)
{
	char *dir = strchr(spec, ','), *type = dir ? strchr(dir + 1, ',') : NULL;
	char *data = type ? strchr(type + 1, ',') : NULL;
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	struct stat st;

	if (!dir || !type || spec[0] != '/' || dir[1] != '/' || !type[1] || type[1] == ',' ||
	    (data && !data[1])) {
		say("ktrim.mount=%s: want DEVICE,DIR,FSTYPE[,OPTIONS] (absolute paths)", spec);
		return;
	}
	*dir++ = '\0';
	*type++ = '\0';
	if (data)
		*data++ = '\0';
	for (int waited = 0; stat(spec, &st) < 0 && waited < DEVICE_WAIT_MS; waited += 50)
		nanosleep(&ts, NULL);
	/* One level below a mount of the table (/run/NAME, /mnt/NAME). */
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		say("mkdir %s: %s", dir, strerror(errno));
	else if (mount(spec, dir, type, MS_RDONLY | MS_NOSUID | MS_NODEV, data) < 0)
		say("mount %s (%s%s%s) on %s failed: %s (continuing)", spec, type,
		    data ? ", " : "", data ? data : "", dir, strerror(errno));
	else if (data)
		timeline("mount", "dev=%s dir=%s type=%s options=%s", spec, dir, type, data);
	else
		timeline("mount", "dev=%s dir=%s type=%s", spec, dir, type);
}

static void mount_each(char *value, void *ctx)
{
	(void)ctx;
	mount_one(value);
}

/*
 * ktrim.mount=DEVICE,DIR,FSTYPE[,OPTIONS] on the kernel command line
 * (repeatable): DEVICE mounted read-only on DIR with the filesystem's
 * OPTIONS (the rest of the value, commas included), as hcsshim's GCS
 * mounts a VPMem layer: /dev/pmemN, ext4, "noload,dax".
 * The timeline says what was mounted; a failure is reported and boot goes on.
 */
void mounts_from_cmdline(void)
{
	cmdline_each("ktrim.mount", mount_each, NULL);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Modules: the few the agent itself needs (virtio transport and 9p, to
 * reach the module tree) are the spec's, loaded by the runtime
 * (initramfs/init/modules.c) before recording starts; everything after that goes through the kernel's request_module()
 * helper, which is this same binary: it logs the request, lets Debian's
 * own modprobe (libkmod) serve it against the full tree, and logs what
 * that loaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "profiler/agent/agent.h"

int modules_install_helper(void)
{
	int fd;

	mkdir_p("/run/ktrim", 0755);
	fd = open(MODREQ_LOG, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	close(fd);
	return write_file("/proc/sys/kernel/modprobe", HELPER_PATH);
}

/*
 * The nodes of devices whose modules load on first open (modules.devname:
 * "tun net/tun c10:200"), as every Debian boot makes them (systemd-tmpfiles
 * runs `kmod static-nodes`): a workload given `devices: [/dev/net/tun]`
 * finds its node, and its open loads the module through request_module(),
 * recorded like any other. The trimmed kernel builds those drivers in and
 * devtmpfs has their nodes from boot.
 */
void modules_static_nodes(void)
{
	static char buf[32768];
	char path[300], *line, *save = NULL;
	struct utsname u;

	uname(&u);
	snprintf(path, sizeof(path), "/lib/modules/%s/modules.devname", u.release);
	if (read_small(path, buf, sizeof(buf)) < 0)
		return;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char mod[64], name[128], type;
		unsigned maj, min;

		if (sscanf(line, "%63s %127s %c%u:%u", mod, name, &type, &maj, &min) != 5 ||
		    (type != 'c' && type != 'b') || strstr(name, ".."))
			continue;
		snprintf(path, sizeof(path), "/dev/%s", name);
		if (!access(path, F_OK))
			continue;
		if (strchr(name, '/')) {
			*strrchr(path, '/') = '\0';
			mkdir_p(path, 0755);
			snprintf(path, sizeof(path), "/dev/%s", name);
		}
		if (mknod(path, (type == 'c' ? S_IFCHR : S_IFBLK) | 0600, makedev(maj, min)))
			say("static node %s (%s): %s", path, mod, strerror(errno));
	}
}

char *modules_snapshot(void)
{
	static char buf[65536];
	size_t cap = 1, o = 0;
	char *out, *line, *save = NULL;

	if (read_small("/proc/modules", buf, sizeof(buf)) < 0)
		return strdup("\n");
	cap += strlen(buf) + 2;
	out = malloc(cap);
	if (!out)
		return NULL;
	out[o++] = '\n';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t n = strcspn(line, " ");

		memcpy(out + o, line, n);
		o += n;
		out[o++] = '\n';
	}
	out[o] = '\0';
	return out;
}

static bool snapshot_has(const char *snap, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = strstr(snap, name); p; p = strstr(p + 1, name))
		if (p[-1] == '\n' && p[n] == '\n')
			return true;
	return false;
}

/* Module names that are netfilter tables or matches. */
static void maybe_netfilter(const char *mod, const char *who)
{
	static const char *const pats[] = {
		"nf_*", "nft_*", "nfnetlink*", "xt_*", "x_tables", "ip_tables",
		"ip6_tables", "iptable_*", "ip6table_*", "ipt_*", "ip6t_*",
		"ebtable*", "ebt_*", "arp_tables", "arptable_*", "arpt_*",
		"ip_set*", "ip_vs*",
	};

	for (unsigned i = 0; i < sizeof(pats) / sizeof(pats[0]); i++)
		if (!fnmatch(pats[i], mod, 0)) {
			fact_add(GUEST_FACT_NETFILTER, mod, who);
			return;
		}
}

static off_t log_offset;

int modules_take_requests(const char *who)
{
	char buf[8192], *line, *save = NULL;
	int fd, n_req = 0;
	ssize_t n;

	fd = open(MODREQ_LOG, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = pread(fd, buf, sizeof(buf) - 1, log_offset);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* Only whole lines; a partial one is read next time. */
	while (n > 0 && buf[n - 1] != '\n')
		buf[--n] = '\0';
	log_offset += n;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[256], status[16], loaded[1024];

		if (sscanf(line, "REQ %255s %15s %1023s", name, status, loaded) != 3 ||
		    guest_unescape(name) || guest_unescape(loaded))
			continue;
		n_req++;
		say("request_module(%s) by %s: status %s, loaded %s", name, who,
		       status, *loaded ? loaded : "nothing");
		maybe_netfilter(name, who);
		for (char *m = strtok(loaded, ","); m; m = strtok(NULL, ",")) {
			fact_add(GUEST_FACT_MODULES, m, who);
			maybe_netfilter(m, who);
		}
	}
	return n_req;
}

void modules_collect(const char *baseline)
{
	char *now = modules_snapshot();

	modules_take_requests("kernel");
	if (!now)
		return;
	for (char *p = now + 1, *nl; (nl = strchr(p, '\n')); p = nl + 1) {
		*nl = '\0';
		if (*p && !snapshot_has(baseline, p) && !fact_has(GUEST_FACT_MODULES, p)) {
			fact_add(GUEST_FACT_MODULES, p, "kernel");
			maybe_netfilter(p, "kernel");
		}
	}
	free(now);
}

/*
 * The kernel runs us as "HELPER -q -- NAME" with a minimal environment and
 * no stdio; user space (iptables' xtables_insmod) as "HELPER NAME [-q]".
 * Debian's modprobe does the resolution (aliases, softdeps, blacklists,
 * modules.dep) exactly as on a Debian system.
 */
int modprobe_helper_main(int argc, char **argv)
{
	char *before = modules_snapshot(), *after, line[1500], ename[300];
	char loaded[1024] = "", eloaded[1100];
	_Static_assert(sizeof(line) > sizeof(ename) + sizeof(eloaded) + 32, "line fits");
	const char *name = "";
	int status = 1, fd;
	size_t lo = 0;
	pid_t pid;

	/* The module: the last argument that is no option. */
	for (int i = argc - 1; i > 0 && !*name; i--)
		if (argv[i][0] != '-')
			name = argv[i];
	pid = fork();
	if (pid == 0) {
		argv[0] = "modprobe";
		execv(KMOD_PATH, argv);
		_exit(127);
	}
	if (pid > 0 && waitpid(pid, &status, 0) == pid)
		status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	after = modules_snapshot();
	for (char *p = after ? after + 1 : NULL, *nl; p && (nl = strchr(p, '\n')); p = nl + 1) {
		*nl = '\0';
		if (*p && before && !snapshot_has(before, p) &&
		    lo + strlen(p) + 2 < sizeof(loaded))
			lo += (size_t)sprintf(loaded + lo, "%s%s", lo ? "," : "", p);
	}
	if (guest_escape_field(name, ename, sizeof(ename)) < 0)
		strcpy(ename, "?");
	if (guest_escape_field(loaded, eloaded, sizeof(eloaded)) < 0)
		strcpy(eloaded, "\\x00");
	snprintf(line, sizeof(line), "REQ %.299s %d %.1099s\n", ename, status, eloaded);
	fd = open(MODREQ_LOG, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd >= 0) {
		/* One write: O_APPEND keeps concurrent helpers' lines whole. */
		if (write(fd, line, strlen(line)) < 0)
			status = status ? status : 1;
		close(fd);
	}
	return status;
}

/*
 * A request from user space in the container (iptables runs the program
 * named in /proc/sys/kernel/modprobe itself): the tracer stopped its
 * execve of HELPER_PATH, which does not exist in the container's mount
 * namespace. Serve it here, in the agent's, exactly as a kernel request:
 * the same helper, the same log, recorded for @who.
 */
int modules_serve_user(int argc, char **argv, const char *who)
{
	int status = 1;
	pid_t pid = fork();

	if (pid == 0)
		_exit(modprobe_helper_main(argc, argv));
	if (pid > 0 && waitpid(pid, &status, 0) == pid)
		status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	else
		status = 1;
	modules_take_requests(who);
	return status;
}

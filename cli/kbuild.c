// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel builds through the kernel's own make. The compiler is left to the
 * user (CC and HOSTCC pass through, so distcc or icecc work); ccache is
 * used when it is installed and CC is not set. Build metadata that would
 * make two builds of the same input differ is pinned.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/common.h"
#include "cli/kbuild.h"

#define HEARTBEAT_S 30
#define TAIL_LINES 25

static bool have_program(const char *name)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (!path)
		return false;
	while (*path) {
		const char *colon = strchrnul(path, ':');

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)(colon - path), path, name);
		if (access(buf, X_OK) == 0)
			return true;
		path = *colon ? colon + 1 : colon;
	}
	return false;
}

/* The last @n lines of the log, without the final newline. */
static void log_tail(const char *path, unsigned n, struct kt_str *out)
{
	char *text = NULL;
	size_t len = 0;
	const char *p, *end;

	if (kt_read_file(path, &text, &len) < 0 || !len) {
		free(text);
		return;
	}
	end = text + len;
	while (end > text && end[-1] == '\n')
		end--;
	p = end;
	while (p > text && n) {
		p--;
		if (*p == '\n')
			n--;
	}
	if (*p == '\n')
		p++;
	kt_str_append(out, p, (size_t)(end - p));
	free(text);
}

struct make_beat {
	const char *log_path;
	const char *goal;
};

/* A build takes minutes: show it is alive and what it is doing. */
static int make_heartbeat(double elapsed_s, void *ctx)
{
	const struct make_beat *mb = ctx;
	struct kt_str tail = KT_STR_INIT;

	log_tail(mb->log_path, 1, &tail);
	kt_progress("kernel: make %s running for %.0fs, last: %.70s", mb->goal,
		    elapsed_s, kt_str_cstr(&tail));
	kt_str_free(&tail);
	return 0;
}

int kt_kbuild_make(const struct kt_kbuild *kb, const char *const *args,
		   size_t nargs)
{
	struct kt_str jobs = KT_STR_INIT, odir = KT_STR_INIT, cc = KT_STR_INIT,
		      hostcc = KT_STR_INIT, stamp = KT_STR_INIT;
	struct make_beat mb = { kb->log_path, nargs ? args[nargs - 1] : "" };
	const char **argv = NULL, *env[5];
	struct kt_proc_opts o = {
		.env = env, .log_path = kb->log_path,
		.heartbeat_s = HEARTBEAT_S, .on_heartbeat = make_heartbeat,
		.ctx = &mb,
	};
	size_t n = 0, nenv = 0;
	int r = 0;
	unsigned ncpu = kb->jobs ? kb->jobs : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	bool ccache = have_program("ccache");

	argv = calloc(nargs + 8, sizeof(*argv));
	if (!argv)
		return -ENOMEM;
	kt_str_printf(&odir, "O=%s", kb->build_dir);
	kt_str_printf(&jobs, "-j%u", ncpu ? ncpu : 1);
	argv[n++] = "make";
	argv[n++] = "-C";
	argv[n++] = kb->ksrc;
	argv[n++] = odir.buf;
	argv[n++] = jobs.buf;
	if (getenv("CC") || ccache) {
		kt_str_printf(&cc, "CC=%s", getenv("CC") ? getenv("CC") : "ccache gcc");
		argv[n++] = cc.buf;
	}
	if (getenv("HOSTCC") || ccache) {
		kt_str_printf(&hostcc, "HOSTCC=%s",
			      getenv("HOSTCC") ? getenv("HOSTCC") : "ccache gcc");
		argv[n++] = hostcc.buf;
	}
	for (size_t i = 0; i < nargs; i++)
		argv[n++] = args[i];
	argv[n] = NULL;

	/*
	 * Same inputs, same image: no build host, user, clock or build count
	 * inside it, unless the caller's environment sets them. Without
	 * SOURCE_DATE_EPOCH the time is the source tree's top Makefile's, an
	 * input like the rest.
	 */
	if (!getenv("KBUILD_BUILD_USER"))
		env[nenv++] = "KBUILD_BUILD_USER=ktrim";
	if (!getenv("KBUILD_BUILD_HOST"))
		env[nenv++] = "KBUILD_BUILD_HOST=ktrim";
	if (!getenv("KBUILD_BUILD_VERSION"))
		env[nenv++] = "KBUILD_BUILD_VERSION=1";
	if (!getenv("KBUILD_BUILD_TIMESTAMP")) {
		struct kt_str top = KT_STR_INIT;
		struct stat st;
		time_t t = 0;
		char when[64];

		if (getenv("SOURCE_DATE_EPOCH")) {
			t = (time_t)strtoll(getenv("SOURCE_DATE_EPOCH"), NULL, 10);
		} else {
			kt_str_printf(&top, "%s/Makefile", kb->ksrc);
			if (stat(top.buf, &st) == 0)
				t = st.st_mtime;
			kt_str_free(&top);
		}
		strftime(when, sizeof(when), "%a %b %e %H:%M:%S UTC %Y", gmtime(&t));
		kt_str_printf(&stamp, "KBUILD_BUILD_TIMESTAMP=%s", when);
		env[nenv++] = stamp.buf;
	}
	env[nenv] = NULL;

	o.argv = argv;
	r = kt_proc_run(&o, NULL);
	if (r < 0) {
		kt_err("cannot run make (log %s): %s", kb->log_path, strerror(-r));
	} else if (r != 0) {
		struct kt_str tail = KT_STR_INIT;

		log_tail(kb->log_path, TAIL_LINES, &tail);
		kt_err("kernel make failed; last lines of %s:\n%s", kb->log_path,
		       kt_str_cstr(&tail));
		kt_str_free(&tail);
		r = -EIO;
	}
	kt_str_free(&jobs);
	kt_str_free(&odir);
	kt_str_free(&cc);
	kt_str_free(&hostcc);
	kt_str_free(&stamp);
	free(argv);
	return r;
}

/*
 * Newest modification time below the source tree: an edited file anywhere
 * in it means the kernel must be rebuilt (make then decides what).
 */
static time_t tree_newest;

static int newest_visit(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	if (st->st_mtime > tree_newest)
		tree_newest = st->st_mtime;
	return 0;
}

static int stamp_compute(const struct kt_kbuild *kb, struct kt_str *stamp)
{
	char hex[65];
	int r;

	r = kt_sha256_file(kb->config, hex);
	if (r < 0)
		return r;
	tree_newest = 0;
	if (nftw(kb->ksrc, newest_visit, 64, FTW_PHYS) != 0)
		return -errno ? -errno : -EIO;
	kt_str_printf(stamp, "config %s\nsource %s %lld\nCC %s\ngoals", hex, kb->ksrc,
		      (long long)tree_newest, getenv("CC") ? getenv("CC") : "");
	for (size_t i = 0; i < kb->ntargets; i++)
		kt_str_printf(stamp, " %s", kb->targets[i]);
	kt_str_putc(stamp, '\n');
	return 0;
}

int kt_kbuild_run(const struct kt_kbuild *kb, bool *rebuilt)
{
	struct kt_str stamp = KT_STR_INIT, stamp_path = KT_STR_INIT,
		      dot_config = KT_STR_INIT;
	static const char *const olddef[] = { "olddefconfig" };
	char *old = NULL, *ours = NULL, *theirs = NULL;
	int r;

	*rebuilt = false;
	r = kt_mkdir_p(kb->build_dir, 0755);
	if (r < 0)
		goto out;
	kt_str_printf(&stamp_path, "%s/.ktrim-stamp", kb->build_dir);
	kt_str_printf(&dot_config, "%s/.config", kb->build_dir);
	r = stamp_compute(kb, &stamp);
	if (r < 0)
		goto out;
	if (!kb->force && kt_read_file(stamp_path.buf, &old, NULL) == 0 &&
	    !strcmp(old, stamp.buf)) {
		kt_progress("kernel: config and source unchanged, build skipped");
		goto out;
	}
	unlink(stamp_path.buf);
	/* A fresh log per build; make appends to it step after step. */
	r = kt_atomic_write_buf(kb->log_path, 0644, "", 0);
	if (r == 0)
		r = kt_copy_file(kb->config, dot_config.buf, 0644);
	if (r < 0)
		goto out;
	kt_progress("kernel: make olddefconfig (log: %s)", kb->log_path);
	r = kt_kbuild_make(kb, olddef, 1);
	if (r < 0)
		goto out;
	/* The trimmer claims olddefconfig is a fixed point; say so if not. */
	if (kt_read_file(kb->config, &ours, NULL) == 0 &&
	    kt_read_file(dot_config.buf, &theirs, NULL) == 0 && strcmp(ours, theirs))
		kt_warn("kernel: make olddefconfig changed %s; building the kernel's version",
			kb->config);
	kt_progress("kernel: make %s", kb->targets[0]);
	r = kt_kbuild_make(kb, kb->targets, kb->ntargets);
	if (r < 0)
		goto out;
	*rebuilt = true;
	r = kt_atomic_write_buf(stamp_path.buf, 0644, stamp.buf, stamp.len);
	kt_progress("kernel: built");
out:
	kt_str_free(&stamp);
	kt_str_free(&stamp_path);
	kt_str_free(&dot_config);
	free(old);
	free(ours);
	free(theirs);
	return r;
}

int kt_kbuild_release(const char *build_dir, char **out)
{
	struct kt_str path = KT_STR_INIT;
	char *text = NULL;
	int r;

	kt_str_printf(&path, "%s/include/config/kernel.release", build_dir);
	r = kt_read_file(path.buf, &text, NULL);
	kt_str_free(&path);
	if (r < 0)
		return r;
	text[strcspn(text, "\n")] = '\0';
	*out = text;
	return 0;
}

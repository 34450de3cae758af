// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel builds through the kernel's own make. The compiler is left to the
 * user (CC and HOSTCC pass through, so distcc or icecc work); ccache is
 * used when it is installed and CC is not set. Build metadata that would
 * make two builds of the same input differ is pinned, and the build host
 * is the configuration's identity (see identity.c).
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
#include "pipeline/pipeline.h"

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

int pipeline_kernel_make(const struct pipeline_kernel *k, const char *const *args,
		   size_t nargs)
{
	struct kt_str jobs = KT_STR_INIT, odir = KT_STR_INIT, cc = KT_STR_INIT,
		      hostcc = KT_STR_INIT, arch = KT_STR_INIT, stamp = KT_STR_INIT,
		      host = KT_STR_INIT, cross_arg = KT_STR_INIT;
	const char *cross = pipeline_arch_cross_compile(k->arch);
	struct make_beat mb = { k->log_path, nargs ? args[nargs - 1] : "" };
	const char **argv = NULL, *env[5];
	char id[PIPELINE_ID_LEN];
	struct kt_proc_opts o = {
		.env = env, .log_path = k->log_path,
		.heartbeat_s = HEARTBEAT_S, .on_heartbeat = make_heartbeat,
		.ctx = &mb,
	};
	size_t n = 0, nenv = 0;
	int r = 0;
	unsigned ncpu = k->jobs ? k->jobs : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	bool ccache = have_program("ccache");

	/* The one gate before make: both paths as the kernel's Makefile wants them. */
	if (kt_path_check_make("kernel tree", k->ksrc, &odir) < 0 ||
	    kt_path_check_make("kernel build directory", k->build_dir, &odir) < 0) {
		kt_err("%s", kt_str_cstr(&odir));
		kt_str_free(&odir);
		return -EINVAL;
	}
	argv = calloc(nargs + 10, sizeof(*argv));
	if (!argv)
		return -ENOMEM;
	kt_str_printf(&odir, "O=%s", k->build_dir);
	kt_str_printf(&jobs, "-j%u", ncpu ? ncpu : 1);
	argv[n++] = "make";
	argv[n++] = "-C";
	argv[n++] = k->ksrc;
	argv[n++] = odir.buf;
	argv[n++] = jobs.buf;
	if (k->arch) {
		/* The kernel's make spells x86_64 as x86 or x86_64; both work. */
		kt_str_printf(&arch, "ARCH=%s", k->arch);
		argv[n++] = arch.buf;
	}
	if (cross) {
		kt_str_printf(&cross_arg, "CROSS_COMPILE=%s", cross);
		argv[n++] = cross_arg.buf;
	}
	if (getenv("CC") || ccache) {
		if (getenv("CC"))
			kt_str_printf(&cc, "CC=%s", getenv("CC"));
		else
			kt_str_printf(&cc, "CC=ccache %sgcc", cross ? cross : "");
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
	r = kt_str_error(&odir) ?: kt_str_error(&jobs) ?: kt_str_error(&arch) ?:
	    kt_str_error(&cross_arg) ?: kt_str_error(&cc) ?: kt_str_error(&hostcc);
	if (r < 0)
		goto out;

	/*
	 * Same inputs, same image: no build host, user, clock or build count
	 * inside it, unless the caller's environment sets them. Without
	 * SOURCE_DATE_EPOCH the time is the source tree's top Makefile's, an
	 * input like the rest.
	 */
	if (!getenv("KBUILD_BUILD_USER"))
		env[nenv++] = "KBUILD_BUILD_USER=ktrim";
	/* The banner names the configuration: certify reads it back. */
	if (k->config) {
		r = pipeline_config_identity(k->config, id);
		if (r < 0)
			goto out;
		kt_str_printf(&host, "KBUILD_BUILD_HOST=%s", id);
		env[nenv++] = host.buf;
	} else if (!getenv("KBUILD_BUILD_HOST")) {
		env[nenv++] = "KBUILD_BUILD_HOST=ktrim";
	}
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
			kt_str_printf(&top, "%s/Makefile", k->ksrc);
			if (!kt_str_error(&top) && stat(top.buf, &st) == 0)
				t = st.st_mtime;
			kt_str_free(&top);
		}
		strftime(when, sizeof(when), "%a %b %e %H:%M:%S UTC %Y", gmtime(&t));
		kt_str_printf(&stamp, "KBUILD_BUILD_TIMESTAMP=%s", when);
		env[nenv++] = stamp.buf;
	}
	env[nenv] = NULL;
	r = kt_str_error(&host) ?: kt_str_error(&stamp);
	if (r < 0)
		goto out;

	o.argv = argv;
	r = kt_proc_run(&o, NULL);
	if (r < 0) {
		kt_err("cannot run make (log %s): %s", k->log_path, strerror(-r));
	} else if (r != 0) {
		struct kt_str tail = KT_STR_INIT;

		log_tail(k->log_path, TAIL_LINES, &tail);
		kt_err("kernel make failed; last lines of %s:\n%s", k->log_path,
		       kt_str_cstr(&tail));
		kt_str_free(&tail);
		r = -EIO;
	}
out:
	kt_str_free(&jobs);
	kt_str_free(&odir);
	kt_str_free(&cc);
	kt_str_free(&hostcc);
	kt_str_free(&arch);
	kt_str_free(&cross_arg);
	kt_str_free(&stamp);
	kt_str_free(&host);
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

static int stamp_compute(const struct pipeline_kernel *k, struct kt_str *stamp)
{
	char hex[65];
	int r;

	r = kt_sha256_file(k->config, hex);
	if (r < 0)
		return r;
	tree_newest = 0;
	if (nftw(k->ksrc, newest_visit, 64, FTW_PHYS) != 0)
		return -errno ? -errno : -EIO;
	/* The identity line also tells apart builds from before it existed. */
	kt_str_printf(stamp, "config %s\nidentity cfg-%.16s\nsource %s %lld\nCC %s\n", hex, hex, k->ksrc,
		      (long long)tree_newest, getenv("CC") ? getenv("CC") : "");
	/* Only a foreign ARCH adds lines: host builds keep their stamps. */
	if (k->arch && pipeline_arch_cross_compile(k->arch))
		kt_str_printf(stamp, "ARCH %s CROSS_COMPILE %s\n", k->arch,
			      pipeline_arch_cross_compile(k->arch));
	kt_str_puts(stamp, "goals");
	for (size_t i = 0; i < k->ngoals; i++)
		kt_str_printf(stamp, " %s", k->goals[i]);
	kt_str_putc(stamp, '\n');
	return kt_str_error(stamp);
}

int pipeline_kernel_build(const struct pipeline_kernel *k, bool *rebuilt)
{
	struct kt_str stamp = KT_STR_INIT, stamp_path = KT_STR_INIT,
		      dot_config = KT_STR_INIT;
	static const char *const olddef[] = { "olddefconfig" };
	char *old = NULL, *ours = NULL, *theirs = NULL;
	int r;

	*rebuilt = false;
	r = kt_mkdir_p(k->build_dir, 0755);
	if (r < 0)
		goto out;
	kt_str_printf(&stamp_path, "%s/.ktrim-stamp", k->build_dir);
	kt_str_printf(&dot_config, "%s/.config", k->build_dir);
	r = kt_str_error(&stamp_path) ?: kt_str_error(&dot_config);
	if (r == 0)
		r = stamp_compute(k, &stamp);
	if (r < 0)
		goto out;
	if (!k->force && kt_read_file(stamp_path.buf, &old, NULL) == 0 &&
	    !strcmp(old, stamp.buf)) {
		kt_progress("kernel: config and source unchanged, build skipped");
		goto out;
	}
	unlink(stamp_path.buf);
	/* A fresh log per build; make appends to it step after step. */
	r = kt_atomic_write_buf(k->log_path, 0644, "", 0);
	if (r == 0)
		r = kt_copy_file(k->config, dot_config.buf, 0644);
	if (r < 0)
		goto out;
	kt_progress("kernel: make olddefconfig (log: %s)", k->log_path);
	r = pipeline_kernel_make(k, olddef, 1);
	if (r < 0)
		goto out;
	/* The trimmer claims olddefconfig is a fixed point; say so if not. */
	if (kt_read_file(k->config, &ours, NULL) == 0 &&
	    kt_read_file(dot_config.buf, &theirs, NULL) == 0 && strcmp(ours, theirs))
		kt_warn("kernel: make olddefconfig changed %s; building the kernel's version",
			k->config);
	kt_progress("kernel: make %s", k->goals[0]);
	r = pipeline_kernel_make(k, k->goals, k->ngoals);
	if (r < 0)
		goto out;
	*rebuilt = true;
	r = kt_atomic_write_str(stamp_path.buf, 0644, &stamp);
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

static bool config_has(const char *config, const char *line)
{
	size_t n = strlen(line);
	char *text = NULL;
	bool found = false;

	if (kt_read_file(config, &text, NULL) < 0)
		return false;
	for (const char *p = text; *p && !found;) {
		const char *eol = strchrnul(p, '\n');

		found = (size_t)(eol - p) == n && !memcmp(p, line, n);
		p = *eol ? eol + 1 : eol;
	}
	free(text);
	return found;
}

int pipeline_kernel_goals(const struct pipeline_target *t, const char *config,
			  const char *goals[2])
{
	bool modules = config_has(config, "CONFIG_MODULES=y");

	if (goals) {
		goals[0] = pipeline_format_make_goal(t->format);
		goals[1] = "modules";
	}
	return modules ? 2 : 1;
}

int pipeline_kernel_release(const char *build_dir, char **out)
{
	struct kt_str path = KT_STR_INIT;
	char *text = NULL;
	int r;

	kt_str_printf(&path, "%s/include/config/kernel.release", build_dir);
	r = kt_str_error(&path);
	if (r == 0)
		r = kt_read_file(path.buf, &text, NULL);
	kt_str_free(&path);
	if (r < 0)
		return r;
	text[strcspn(text, "\n")] = '\0';
	*out = text;
	return 0;
}

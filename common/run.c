// SPDX-License-Identifier: GPL-2.0-only
/*
 * Start a helper program and wait for it: the one spawn path (see
 * kt_proc_run in common.h for the policy).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/common.h"

extern char **environ;

/* How often to look for the child's exit when no pidfd tells us. */
#define REAP_TICK_S 0.05
/* Longest single poll(), so a far timeout cannot overflow its int. */
#define POLL_MAX_S 60.0

struct proc {
	const struct kt_proc_opts *o;
	struct kt_proc_result *res;
	pid_t pid;
	int pipe_fd;		/* read end; -1 when none or after EOF */
	int pidfd;		/* readable once the child exits; -1: tick */
	bool reaped;
	int wstatus;		/* waitpid's, once reaped */
	size_t captured;	/* bytes put into o->out by this run */
	struct kt_str line;	/* the line being assembled */
};

static size_t env_name_len(const char *entry)
{
	return strcspn(entry, "=");
}

/*
 * Our environment with @extra laid over it: pointers only, into environ and
 * @extra, so the caller frees just the array.
 */
static int env_merge(const char *const *extra, char ***out)
{
	size_t n = 0, n_extra = 0, k = 0;
	char **envp;

	for (char **e = environ; *e; e++)
		n++;
	while (extra[n_extra])
		n_extra++;
	envp = calloc(n + n_extra + 1, sizeof(*envp));
	if (!envp)
		return -ENOMEM;
	for (char **e = environ; *e; e++) {
		size_t len = env_name_len(*e);
		bool replaced = false;

		for (size_t i = 0; i < n_extra && !replaced; i++)
			replaced = env_name_len(extra[i]) == len &&
				   !strncmp(extra[i], *e, len);
		if (!replaced)
			envp[k++] = *e;
	}
	for (size_t i = 0; i < n_extra; i++)
		envp[k++] = (char *)extra[i];
	envp[k] = NULL;
	*out = envp;
	return 0;
}

static int proc_spawn(struct proc *p, char *const *envp)
{
	const struct kt_proc_opts *o = p->o;
	const int wr = O_WRONLY | O_CREAT | O_APPEND;
	bool out_pipe = o->out || o->on_line;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int pipefd[2] = { -1, -1 };
	int r;

	r = posix_spawn_file_actions_init(&fa);
	if (r)
		return -r;
	r = posix_spawnattr_init(&attr);
	if (r) {
		posix_spawn_file_actions_destroy(&fa);
		return -r;
	}
	/* O_CLOEXEC: only the child's dup2 copy of the write end survives exec. */
	if (out_pipe && pipe2(pipefd, O_CLOEXEC) < 0) {
		r = errno;
		goto out;
	}
	if (o->stdin_null)
		r = posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null",
						     O_RDONLY, 0);
	if (!r && out_pipe)
		r = posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	else if (!r && o->log_path)
		r = posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO,
						     o->log_path, wr, 0644);
	if (!r && o->on_line)
		r = posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDERR_FILENO);
	else if (!r && o->log_path && !out_pipe)
		r = posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO,
						     STDERR_FILENO);
	else if (!r && o->log_path)
		r = posix_spawn_file_actions_addopen(&fa, STDERR_FILENO,
						     o->log_path, wr, 0644);
	if (!r && o->cwd)
		r = posix_spawn_file_actions_addchdir_np(&fa, o->cwd);
	if (!r && o->new_pgroup &&
	    !(r = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP)))
		r = posix_spawnattr_setpgroup(&attr, 0);
	if (!r)
		r = posix_spawnp(&p->pid, o->argv[0], &fa, &attr,
				 (char *const *)o->argv, envp);
	if (!r && out_pipe) {
		p->pipe_fd = pipefd[0];
		pipefd[0] = -1;
	}
out:
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return -r;
}

/* A callback's nonzero value stops the child; the first one is kept. */
static void proc_callback_ret(struct proc *p, int v)
{
	if (v && !p->res->stopped)
		p->res->stopped = v;
}

static void proc_line_end(struct proc *p)
{
	proc_callback_ret(p, p->o->on_line(kt_str_cstr(&p->line), p->line.len,
					   p->o->ctx));
	kt_str_reset(&p->line);
}

static int proc_feed(struct proc *p, const char *buf, size_t n)
{
	const struct kt_proc_opts *o = p->o;
	int r;

	if (o->out) {
		size_t take = n;

		if (o->out_max && take > o->out_max - p->captured)
			take = o->out_max - p->captured;
		if (take && (r = kt_str_append(o->out, buf, take)) < 0)
			return r;
		p->captured += take;
	}
	/* No line after one that said stop: the child is as good as gone. */
	while (o->on_line && n && !p->res->stopped) {
		const char *nl = memchr(buf, '\n', n);
		size_t len = nl ? (size_t)(nl - buf) : n;

		if ((r = kt_str_append(&p->line, buf, len)) < 0)
			return r;
		if (!nl)
			break;
		proc_line_end(p);
		buf += len + 1;
		n -= len + 1;
	}
	return 0;
}

/*
 * One read from the pipe. At the end of the stream the pipe is closed and
 * a last unterminated line delivered. Returns 0 or a negative errno.
 */
static int proc_read(struct proc *p)
{
	char buf[8192];
	ssize_t n = read(p->pipe_fd, buf, sizeof(buf));

	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	if (n > 0)
		return proc_feed(p, buf, (size_t)n);
	close(p->pipe_fd);
	p->pipe_fd = -1;
	if (p->o->on_line && p->line.len && !p->res->stopped)
		proc_line_end(p);
	return 0;
}

static int proc_try_reap(struct proc *p, int flags)
{
	pid_t w;

	do
		w = waitpid(p->pid, &p->wstatus, flags);
	while (w < 0 && errno == EINTR);
	/* ECHILD: nothing left to wait for, and its pid must not be signalled */
	if (w == p->pid || (w < 0 && errno == ECHILD))
		p->reaped = true;
	return w < 0 ? -errno : 0;
}

/* Readable once @pid exits; -1 before Linux 5.3 (the watch loop then ticks). */
static int proc_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	return -1;
#endif
}

/* The shorter of @wait (negative: none yet) and the time until @until. */
static double min_wait(double wait, double until, double now)
{
	if (until <= 0)
		return wait;
	if (until < now)
		return 0;
	return wait < 0 || until - now < wait ? until - now : wait;
}

/*
 * Until the output has ended and the child has exited, or the deadline
 * passes, or a callback says stop (res->timed_out, res->stopped). Returns
 * 0 or a negative errno when the output or the child could not be watched.
 */
static int proc_watch(struct proc *p, double t0)
{
	const struct kt_proc_opts *o = p->o;
	double deadline = o->timeout_s > 0 ? t0 + o->timeout_s : 0;
	double beat = o->on_heartbeat && o->heartbeat_s > 0 ? t0 + o->heartbeat_s : 0;
	int r = 0;

	/* Without a timer, the end of the output is all there is to wait for. */
	while (!r && !p->res->stopped &&
	       (p->pipe_fd >= 0 || ((deadline || beat) && !p->reaped))) {
		struct pollfd pfd = { .events = POLLIN };
		double now = kt_clock_now(), wait = -1;
		int n;

		if (deadline && now >= deadline) {
			p->res->timed_out = true;
			break;
		}
		if (beat && now >= beat) {
			beat = now + o->heartbeat_s;
			proc_callback_ret(p, o->on_heartbeat(now - t0, o->ctx));
			continue;
		}
		wait = min_wait(min_wait(wait, deadline, now), beat, now);
		/* A grandchild may hold the output open: read it to its end first. */
		if (p->pipe_fd >= 0) {
			pfd.fd = p->pipe_fd;
		} else {
			pfd.fd = p->pidfd;	/* poll() skips it when negative */
			if (p->pidfd < 0)
				wait = min_wait(wait, now + REAP_TICK_S, now);
		}
		if (wait > POLL_MAX_S)
			wait = POLL_MAX_S;	/* the loop comes round again */
		n = poll(&pfd, 1, wait < 0 ? -1 : (int)(wait * 1000) + 1);
		if (n < 0 && errno != EINTR)
			r = -errno;
		else if (n > 0 && p->pipe_fd >= 0)
			r = proc_read(p);
		else if (p->pipe_fd < 0)
			r = proc_try_reap(p, WNOHANG);
	}
	return r;
}

int kt_proc_run(const struct kt_proc_opts *o, struct kt_proc_result *res)
{
	struct kt_proc_result ignored;
	struct proc p = {
		.o = o, .res = res ? res : &ignored, .pipe_fd = -1, .pidfd = -1,
		.line = KT_STR_INIT,
	};
	char **envp = NULL;
	double t0 = kt_clock_now();
	int r, err;

	memset(p.res, 0, sizeof(*p.res));
	if (!o->argv || !o->argv[0]) {
		r = -EINVAL;
		goto out;
	}
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
	/* A fuzzer's input must never become a command (tests/fuzz/). */
	r = -EPERM;
	goto out;
#endif
	if (o->env && (r = env_merge(o->env, &envp)))
		goto out;
	r = proc_spawn(&p, envp ? envp : environ);
	if (r)
		goto out;
	if (o->timeout_s > 0 || (o->on_heartbeat && o->heartbeat_s > 0))
		p.pidfd = proc_pidfd(p.pid);
	err = proc_watch(&p, t0);
	/*
	 * A stop or timeout is only decided while the child is not reaped, so
	 * its pid (and group id) cannot have been reused by now.
	 */
	if ((err || p.res->stopped || p.res->timed_out) && !p.reaped) {
		if (o->new_pgroup)
			kill(-p.pid, SIGKILL);
		kill(p.pid, SIGKILL);
	}
	if (!p.reaped && (r = proc_try_reap(&p, 0)))
		goto out;
	p.res->elapsed_s = kt_clock_now() - t0;
	if (err)
		r = err;
	else if (WIFEXITED(p.wstatus))
		r = WEXITSTATUS(p.wstatus);
	else if (WIFSIGNALED(p.wstatus))
		r = 128 + WTERMSIG(p.wstatus);
	else
		r = -ECHILD;
out:
	p.res->status = r;
	if (p.pipe_fd >= 0)
		close(p.pipe_fd);
	if (p.pidfd >= 0)
		close(p.pidfd);
	kt_str_free(&p.line);
	free(envp);
	return r;
}

int kt_run(const char *const argv[], struct kt_str *out, const char *log_path)
{
	const struct kt_proc_opts o = {
		.argv = argv, .out = out, .log_path = log_path,
	};

	return kt_proc_run(&o, NULL);
}

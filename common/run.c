// SPDX-License-Identifier: GPL-2.0-only
/* Spawn a helper program and wait for it. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/common.h"

extern char **environ;

int kt_run(const char *const argv[], struct kt_str *out, const char *log_path)
{
	posix_spawn_file_actions_t fa;
	int pipefd[2] = { -1, -1 };
	int status, r;
	pid_t pid;

	r = posix_spawn_file_actions_init(&fa);
	if (r)
		return -r;
	if (out) {
		if (pipe2(pipefd, O_CLOEXEC) < 0) {
			r = -errno;
			goto out;
		}
		posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	}
	if (log_path) {
		posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, log_path,
						 O_WRONLY | O_CREAT | O_APPEND,
						 0644);
		if (!out)
			posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO,
							 STDOUT_FILENO);
	}
	r = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	if (r) {
		r = -r;
		goto out;
	}
	if (out) {
		char buf[8192];
		ssize_t n;

		close(pipefd[1]);
		pipefd[1] = -1;
		while ((n = read(pipefd[0], buf, sizeof(buf))) != 0) {
			if (n < 0) {
				if (errno == EINTR)
					continue;
				break;
			}
			kt_str_append(out, buf, (size_t)n);
		}
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			r = -errno;
			goto out;
		}
	}
	if (WIFEXITED(status))
		r = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		r = 128 + WTERMSIG(status);
	else
		r = -ECHILD;
	/* output that lost a piece is no output: the caller sees -ENOMEM */
	if (out && kt_str_error(out))
		r = kt_str_error(out);
out:
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	posix_spawn_file_actions_destroy(&fa);
	return r;
}

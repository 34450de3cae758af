// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/common.h"

static void test_run_captures_stdout_and_status(void **state)
{
	const char *const argv[] = { "sh", "-c", "echo hello; echo err >&2; exit 3", NULL };
	struct kt_str out = KT_STR_INIT;
	char log[] = "/tmp/kt-run-log.XXXXXX";
	char *buf = NULL;
	int fd = mkstemp(log);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(kt_run(argv, &out, log), 3);
	assert_string_equal(kt_str_cstr(&out), "hello\n");
	assert_int_equal(kt_read_file(log, &buf, NULL), 0);
	assert_string_equal(buf, "err\n");
	free(buf);
	unlink(log);
	kt_str_free(&out);
}

static void test_run_reports_signal_and_missing_program(void **state)
{
	const char *const killed[] = { "sh", "-c", "kill -TERM $$", NULL };
	const char *const missing[] = { "/nonexistent/ktrim-helper", NULL };

	assert_int_equal(kt_run(killed, NULL, NULL), 128 + 15);
	assert_int_equal(kt_run(missing, NULL, NULL), -ENOENT);
}

/* Output that lost a piece is no output: -ENOMEM, not the exit status. */
static void test_run_output_out_of_memory(void **state)
{
	const char *const argv[] = { "echo", "hello", NULL };
	struct kt_str out = KT_STR_INIT;

	kt_str_fail_after(0);
	assert_int_equal(kt_run(argv, &out, NULL), -ENOMEM);
	kt_str_fail_after(-1);
	kt_str_free(&out);
}

/* Generous: the sanitizer build is slow, but far below the child's own length. */
#define QUICK_S 5.0

static void test_proc_timeout_kills(void **state)
{
	const char *const argv[] = { "sleep", "10", NULL };
	const struct kt_proc_opts o = { .argv = argv, .timeout_s = 0.3 };
	struct kt_proc_result res;
	double t0 = kt_clock_now();

	assert_int_equal(kt_proc_run(&o, &res), 128 + SIGKILL);
	assert_true(kt_clock_now() - t0 < QUICK_S);
	assert_true(res.timed_out);
	assert_int_equal(res.stopped, 0);
	assert_int_equal(res.status, 128 + SIGKILL);
	assert_true(res.elapsed_s >= 0.3 && res.elapsed_s < QUICK_S);
}

static int collect_line(const char *line, size_t len, void *ctx)
{
	struct kt_str *seen = ctx;

	assert_int_equal(strlen(line), len);
	kt_str_printf(seen, "%s|", line);
	return 0;
}

static void test_proc_lines_in_order(void **state)
{
	/* stderr joins the stream; the last line has no newline */
	const char *const argv[] = {
		"sh", "-c", "printf 'a\\nb\\n'; printf 'err\\n' >&2; printf '\\nc'", NULL
	};
	struct kt_str seen = KT_STR_INIT, out = KT_STR_INIT;
	const struct kt_proc_opts o = {
		.argv = argv, .on_line = collect_line, .ctx = &seen, .out = &out,
	};
	struct kt_proc_result res;

	assert_int_equal(kt_proc_run(&o, &res), 0);
	assert_string_equal(kt_str_cstr(&seen), "a|b|err||c|");
	assert_string_equal(kt_str_cstr(&out), "a\nb\nerr\n\nc");
	assert_false(res.timed_out);
	assert_int_equal(res.stopped, 0);
	kt_str_free(&seen);
	kt_str_free(&out);
}

static int stop_at_third(const char *line, size_t len, void *ctx)
{
	int *n = ctx;

	return ++*n == 3 ? 7 : 0;
}

static void test_proc_line_stops_child(void **state)
{
	/* yes never ends by itself; the timeout is only a backstop */
	const char *const argv[] = { "yes", NULL };
	int n = 0;
	const struct kt_proc_opts o = {
		.argv = argv, .on_line = stop_at_third, .ctx = &n, .timeout_s = 20,
	};
	struct kt_proc_result res;
	int r = kt_proc_run(&o, &res);

	assert_int_equal(n, 3);		/* nothing after the stop */
	assert_int_equal(res.stopped, 7);
	assert_false(res.timed_out);
	/* killed by us, and reaped before the pipe closes on it */
	assert_int_equal(r, 128 + SIGKILL);
	assert_true(res.elapsed_s < QUICK_S);
}

static int stop_at_second_beat(double elapsed_s, void *ctx)
{
	int *n = ctx;

	return ++*n == 2 ? -ECANCELED : 0;
}

static void test_proc_heartbeat(void **state)
{
	const char *const argv[] = { "sleep", "10", NULL };
	int n = 0;
	const struct kt_proc_opts o = {
		.argv = argv, .heartbeat_s = 0.1, .on_heartbeat = stop_at_second_beat,
		.ctx = &n, .timeout_s = 20,
	};
	struct kt_proc_result res;

	assert_int_equal(kt_proc_run(&o, &res), 128 + SIGKILL);
	assert_int_equal(n, 2);
	assert_int_equal(res.stopped, -ECANCELED);
	assert_false(res.timed_out);
	assert_true(res.elapsed_s >= 0.2 && res.elapsed_s < QUICK_S);
}

static void test_proc_capture_cap_drains(void **state)
{
	const char *const argv[] = { "head", "-c", "1000000", "/dev/zero", NULL };
	struct kt_str out = KT_STR_INIT;
	/* the timeout is a backstop: a reader that stops reading blocks head */
	const struct kt_proc_opts o = {
		.argv = argv, .out = &out, .out_max = 1000, .timeout_s = 20,
	};
	struct kt_proc_result res;

	/* 0, not 141: head wrote everything, nobody closed the pipe on it */
	assert_int_equal(kt_proc_run(&o, &res), 0);
	assert_false(res.timed_out);
	assert_int_equal(out.len, 1000);
	kt_str_free(&out);
}

static void test_proc_env_and_cwd(void **state)
{
	const char *const argv[] = {
		"sh", "-c", "printf '%s %s %s ' \"$KT_RUN_OLD\" \"$KT_RUN_NEW\" \"$KT_RUN_KEEP\"; pwd -P",
		NULL
	};
	const char *const env[] = { "KT_RUN_OLD=new", "KT_RUN_NEW=fresh", NULL };
	char dir[] = "/tmp/kt-run-cwd.XXXXXX", *real, *want = NULL;
	struct kt_str out = KT_STR_INIT;
	struct kt_proc_opts o = { .argv = argv, .env = env, .out = &out };

	assert_non_null(mkdtemp(dir));
	real = realpath(dir, NULL);
	assert_non_null(real);
	o.cwd = dir;
	setenv("KT_RUN_OLD", "old", 1);
	setenv("KT_RUN_KEEP", "kept", 1);
	assert_int_equal(kt_proc_run(&o, NULL), 0);
	assert_true(asprintf(&want, "new fresh kept %s\n", real) > 0);
	assert_string_equal(kt_str_cstr(&out), want);
	/* our own environment is untouched */
	assert_string_equal(getenv("KT_RUN_OLD"), "old");
	assert_null(getenv("KT_RUN_NEW"));
	/* a working directory that does not exist: not started */
	o.cwd = "/nonexistent/kt-run";
	assert_int_equal(kt_proc_run(&o, NULL), -ENOENT);
	unsetenv("KT_RUN_OLD");
	unsetenv("KT_RUN_KEEP");
	rmdir(dir);
	free(real);
	free(want);
	kt_str_free(&out);
}

/* Dead: no such process, or a zombie waiting for its new parent. */
static bool pid_gone(pid_t pid)
{
	char path[64], *stat = NULL, *p;
	bool gone;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (kt_read_file(path, &stat, NULL) < 0)
		return true;
	p = strrchr(stat, ')');
	gone = p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X');
	free(stat);
	return gone;
}

static void test_proc_group_killed(void **state)
{
	const char *const argv[] = { "sh", "-c", "sleep 30 & echo $!; wait", NULL };
	struct kt_str out = KT_STR_INIT;
	const struct kt_proc_opts o = {
		.argv = argv, .out = &out, .timeout_s = 0.5, .new_pgroup = true,
	};
	struct kt_proc_result res;
	unsigned long sleeper = 0;
	double t0;

	assert_int_equal(kt_proc_run(&o, &res), 128 + SIGKILL);
	assert_true(res.timed_out);
	assert_true(res.elapsed_s < QUICK_S);
	out.buf[strcspn(out.buf, "\n")] = '\0';
	assert_int_equal(kt_parse_ulong(out.buf, 1UL << 22, &sleeper), 0);
	/* SIGKILL is delivered at once, but give the kernel a moment */
	t0 = kt_clock_now();
	while (!pid_gone((pid_t)sleeper) && kt_clock_now() - t0 < QUICK_S)
		usleep(10000);
	if (!pid_gone((pid_t)sleeper))
		kill((pid_t)sleeper, SIGKILL);
	assert_true(pid_gone((pid_t)sleeper) || !"the grandchild survived");
	kt_str_free(&out);
}

static void test_proc_stdin_null(void **state)
{
	const char *const argv[] = { "cat", NULL };
	struct kt_str out = KT_STR_INIT;
	const struct kt_proc_opts o = {
		.argv = argv, .out = &out, .stdin_null = true, .timeout_s = 20,
	};
	struct kt_proc_result res;
	int fds[2], saved = dup(STDIN_FILENO);

	/* our stdin says something, so a child that inherits it would echo it */
	assert_true(saved >= 0);
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], "ours", 4), 4);
	close(fds[1]);
	assert_true(dup2(fds[0], STDIN_FILENO) >= 0);
	close(fds[0]);
	assert_int_equal(kt_proc_run(&o, &res), 0);
	dup2(saved, STDIN_FILENO);
	close(saved);
	assert_false(res.timed_out);
	assert_string_equal(kt_str_cstr(&out), "");
	kt_str_free(&out);
}

static void test_proc_no_stray_fds(void **state)
{
	/* ls sees its own descriptors: of our pipe, only its stdout */
	const char *const argv[] = { "ls", "-l", "/proc/self/fd", NULL };
	struct kt_str out = KT_STR_INIT;
	const struct kt_proc_opts o = { .argv = argv, .out = &out };
	const char *one, *p;
	char pipe_name[64];
	int n = 0;

	assert_int_equal(kt_proc_run(&o, NULL), 0);
	one = strstr(kt_str_cstr(&out), " 1 -> pipe:[");
	assert_non_null(one);
	snprintf(pipe_name, sizeof(pipe_name), "%.*s", (int)strcspn(one + 6, "\n"),
		 one + 6);
	for (p = out.buf; (p = strstr(p, pipe_name)); p++)
		n++;
	assert_int_equal(n, 1);
	kt_str_free(&out);
}

static void test_clock_is_monotonic(void **state)
{
	double a = kt_clock_now(), b;

	usleep(20000);
	b = kt_clock_now();
	assert_true(b - a >= 0.015 && b - a < QUICK_S);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_captures_stdout_and_status),
		cmocka_unit_test(test_run_reports_signal_and_missing_program),
		cmocka_unit_test(test_run_output_out_of_memory),
		cmocka_unit_test(test_proc_timeout_kills),
		cmocka_unit_test(test_proc_lines_in_order),
		cmocka_unit_test(test_proc_line_stops_child),
		cmocka_unit_test(test_proc_heartbeat),
		cmocka_unit_test(test_proc_capture_cap_drains),
		cmocka_unit_test(test_proc_env_and_cwd),
		cmocka_unit_test(test_proc_group_killed),
		cmocka_unit_test(test_proc_stdin_null),
		cmocka_unit_test(test_proc_no_stray_fds),
		cmocka_unit_test(test_clock_is_monotonic),
	};
	return cmocka_run_group_tests_name("common-run", tests, NULL, NULL);
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * common.h - the small helpers every ktrim component shares.
 *
 * Ownership: every object here is owned by the caller that initialised or
 * created it and must be released with the matching _free()/_release()
 * call. Strings handed *into* a map are copied; values stored in a map are
 * not owned by it unless a free function was given at creation.
 * Errors are returned as negative errno values; 0 (or a non-negative count)
 * means success.
 *
 * Out of memory is an error like any other, never a crash and never a
 * silently shorter result: functions return -ENOMEM (or NULL where they
 * return a pointer) and leave their outputs untouched or empty. The one
 * relaxation is struct kt_str, whose error is sticky (see there): its
 * appends may go unchecked provided kt_str_error() is checked once before
 * the string is used - written to a file, passed to exec/open or any other
 * call as a path or argument, returned or handed to a caller, or compared.
 * A function that fills a caller's kt_str returns its error or leaves it
 * in the string for that one check. Diagnostics are exempt: an error message or log line that lost its tail
 * next to a failing return value is not a wrong result.
 */
#ifndef KTRIM_COMMON_H
#define KTRIM_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define KT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define KT_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* ---- growable string ------------------------------------------------- */

/*
 * The error is sticky: the first append that fails (-ENOMEM, or -EINVAL
 * for a format vsnprintf rejects) is recorded in @err, the contents stay
 * what they were before it, and every later append is a no-op returning
 * the same error. So a run of appends may go unchecked as long as
 * kt_str_error() is checked once before the string is used (see the
 * policy at the top of this file); kt_str_steal() and
 * kt_atomic_write_str() check it for you. Only kt_str_free() (and a
 * kt_str_steal() that hands the error over as NULL) clears it;
 * kt_str_reset() keeps it, so a reused string cannot shed a failure.
 */
struct kt_str {
	char *buf;	/* NUL-terminated once anything was appended */
	size_t len;
	size_t cap;
	int err;	/* 0 or the first failure, a negative errno */
};
#define KT_STR_INIT { NULL, 0, 0, 0 }

/* Each returns 0 or the string's (sticky) error. */
int kt_str_append(struct kt_str *s, const char *data, size_t n);
int kt_str_puts(struct kt_str *s, const char *z);
int kt_str_putc(struct kt_str *s, char c);
int kt_str_printf(struct kt_str *s, const char *fmt, ...) KT_PRINTF(2, 3);
int kt_str_vprintf(struct kt_str *s, const char *fmt, va_list ap);
/* 0, or the negative errno of the first failed append since kt_str_free. */
int kt_str_error(const struct kt_str *s);
/* Forget the contents but keep the buffer for reuse, and the error. */
void kt_str_reset(struct kt_str *s);
/* Never NULL: an empty string reads as "". */
const char *kt_str_cstr(const struct kt_str *s);
/*
 * Hand the buffer to the caller (who frees it); @s becomes empty and
 * error-free. NULL when @s has an error (its buffer is freed) or when an
 * empty string cannot be allocated: callers that check for NULL need no
 * kt_str_error() check.
 */
char *kt_str_steal(struct kt_str *s);
/* Release the buffer and clear the error; @s is reusable. */
void kt_str_free(struct kt_str *s);
/*
 * Replace the heap string *@slot with a copy of @value (the old one is
 * freed); on -ENOMEM *@slot is untouched.
 */
int kt_strdup_replace(char **slot, const char *value);
/*
 * Tests only: after @n more successful buffer allocations, every kt_str
 * allocation fails with -ENOMEM; a negative @n (the default) disables the
 * injection. Process-wide and not thread safe.
 */
void kt_str_fail_after(long n);

/* ---- growable array of fixed-size elements --------------------------- */

struct kt_array {
	void *items;
	size_t len;
	size_t cap;
	size_t elem_size;
};
#define KT_ARRAY_INIT(type) { NULL, 0, 0, sizeof(type) }

void kt_array_init(struct kt_array *a, size_t elem_size);
/* Copies *elem in; returns the stored element or NULL on ENOMEM. */
void *kt_array_push(struct kt_array *a, const void *elem);
void *kt_array_at(const struct kt_array *a, size_t i);
void kt_array_sort(struct kt_array *a, int (*cmp)(const void *, const void *));
void kt_array_free(struct kt_array *a);

/* Pointer arrays are the common case: elements are void *. */
int kt_array_push_ptr(struct kt_array *a, void *p);
void *kt_array_ptr(const struct kt_array *a, size_t i);
/* String vectors: push a heap copy of @s; free every element, then @a. */
int kt_array_push_strdup(struct kt_array *a, const char *s);
void kt_array_free_ptrs(struct kt_array *a);

/* ---- string-keyed hash map ------------------------------------------- */

/*
 * Iteration follows insertion order, so output built from a map is
 * reproducible. Deleting leaves a hole the iterator skips.
 */
struct kt_map;
struct kt_map *kt_map_new(void (*free_value)(void *));
void kt_map_free(struct kt_map *m);
/* Insert or replace; the old value is freed with free_value when set. */
int kt_map_set(struct kt_map *m, const char *key, void *value);
void *kt_map_get(const struct kt_map *m, const char *key);
bool kt_map_has(const struct kt_map *m, const char *key);
int kt_map_del(struct kt_map *m, const char *key);
size_t kt_map_len(const struct kt_map *m);

struct kt_map_iter {
	const struct kt_map *map;
	size_t pos;
	const char *key;
	void *value;
};
void kt_map_iter_init(struct kt_map_iter *it, const struct kt_map *m);
bool kt_map_iter_next(struct kt_map_iter *it);

/* ---- clock ----------------------------------------------------------- */

/*
 * Monotonic seconds (arbitrary origin): the one clock for host-side
 * durations and deadlines. The guest programs keep their own.
 */
double kt_clock_now(void);

/* ---- logging --------------------------------------------------------- */

enum kt_log_level {
	KT_LOG_ERR = 0,
	KT_LOG_WARN = 1,
	KT_LOG_INFO = 2,
	KT_LOG_DEBUG = 3,
};

/* Default KT_LOG_INFO; -q lowers to WARN, each -v raises by one. */
void kt_log_set_level(int level);
int kt_log_get_level(void);
/* Redirect log output (tests); NULL restores stderr. */
void kt_log_set_stream(FILE *f);
void kt_log(int level, const char *fmt, ...) KT_PRINTF(2, 3);
#define kt_err(...) kt_log(KT_LOG_ERR, __VA_ARGS__)
#define kt_warn(...) kt_log(KT_LOG_WARN, __VA_ARGS__)
#define kt_info(...) kt_log(KT_LOG_INFO, __VA_ARGS__)
#define kt_dbg(...) kt_log(KT_LOG_DEBUG, __VA_ARGS__)
/* One progress line, "[   12.3s] message", elapsed since the first call. */
void kt_progress(const char *fmt, ...) KT_PRINTF(1, 2);
/* kt_clock_now() seconds since the first call of kt_progress or this. */
double kt_elapsed(void);

/* ---- files ----------------------------------------------------------- */

/*
 * Atomic replace: @fill writes the whole content to @f and returns 0 or a
 * negative errno. Only when it succeeds (and flush + fsync succeed) is the
 * temporary file renamed over @path; otherwise @path is untouched and the
 * temporary is removed.
 */
int kt_atomic_write(const char *path, mode_t mode,
		    int (*fill)(FILE *f, void *ctx), void *ctx);
int kt_atomic_write_buf(const char *path, mode_t mode,
			const void *buf, size_t len);
/* The contents of @s; fails with kt_str_error(@s), @path untouched, if set. */
int kt_atomic_write_str(const char *path, mode_t mode,
			const struct kt_str *s);

/* Copy @from over @to atomically (kt_atomic_write_buf), with @mode. */
int kt_copy_file(const char *from, const char *to, mode_t mode);
/* Whole file into a NUL-terminated heap buffer; *len excludes the NUL. */
int kt_read_file(const char *path, char **buf, size_t *len);
/*
 * kt_read_file() for input that may be hostile: @path must be a regular
 * file (or a symlink to one), else -EINVAL before anything is read (no
 * reading /dev/zero until memory runs out, no blocking on a FIFO); more
 * than @max bytes (0: no limit) is -EFBIG.
 */
int kt_read_regular_file(const char *path, size_t max, char **buf,
			 size_t *len);
int kt_mkdir_p(const char *path, mode_t mode);
/*
 * A path the kernel's make and Kconfig will see (a kernel tree, a build
 * directory for O=): refused, -EINVAL with a message naming @what, when it
 * or its real path holds whitespace or a colon (the kernel's Makefile
 * refuses those itself) or a character that make or a shell would act on
 * ($ ; ` ' " \ ( ) & | < > * ? [ ] { } # ! ~ % , and control bytes): the
 * tree's own $(shell,$(srctree)/...) macros and make's O= expand them.
 */
int kt_path_check_make(const char *what, const char *path, struct kt_str *err);
/*
 * ktrim's cache directory: $KTRIM_CACHE, else $XDG_CACHE_HOME/ktrim, else
 * ~/.cache/ktrim. A heap string; NULL when out of memory.
 */
char *kt_cache_dir(void);

/* ---- YAML with positions (libyaml) ----------------------------------- */

enum kt_yaml_type {
	KT_YAML_SCALAR,
	KT_YAML_SEQ,
	KT_YAML_MAP,
};

struct kt_yaml_node {
	enum kt_yaml_type type;
	int line;		/* 1-based */
	int col;		/* 1-based */
	char *scalar;		/* KT_YAML_SCALAR */
	bool quoted;		/* scalar was quoted: never a number/bool */
	/* KT_YAML_SEQ: items[0..n); KT_YAML_MAP: keys[i] -> items[i] */
	struct kt_yaml_node **keys;
	struct kt_yaml_node **items;
	size_t n;
};

struct kt_yaml_doc {
	char *file;		/* name used in messages */
	struct kt_yaml_node *root;	/* NULL for an empty document */
};

/*
 * Parse @path. On error returns a negative errno and, when @err is given,
 * a message of the form "file:line:col: problem".
 */
int kt_yaml_load_file(const char *path, struct kt_yaml_doc *doc,
		      struct kt_str *err);
int kt_yaml_load_string(const char *name, const char *text, size_t len,
			struct kt_yaml_doc *doc, struct kt_str *err);
void kt_yaml_doc_release(struct kt_yaml_doc *doc);

struct kt_yaml_node *kt_yaml_map_get(const struct kt_yaml_node *map,
				     const char *key);
/*
 * -EINVAL (and a file:line:col message naming the key) when @map holds a key
 * not in the NULL-terminated @allowed list.
 */
int kt_yaml_map_check_keys(const struct kt_yaml_doc *doc,
			   const struct kt_yaml_node *map,
			   const char *const *allowed, struct kt_str *err);
/*
 * Append @s as a YAML scalar that loads back as exactly @s: plain when that
 * is unambiguous, else double-quoted with escapes. NULL writes `null`.
 */
int kt_yaml_put_scalar(struct kt_str *out, const char *s);
/* Append "file:line:col: message" for @node to @err; returns -EINVAL. */
int kt_yaml_error(const struct kt_yaml_doc *doc,
		  const struct kt_yaml_node *node, struct kt_str *err,
		  const char *fmt, ...) KT_PRINTF(4, 5);

/* ---- numbers ---------------------------------------------------------- */

/* Decimal digits only, at most @max; else -EINVAL and *out untouched. */
int kt_parse_ulong(const char *s, unsigned long max, unsigned long *out);

/* ---- SHA-256 (libcrypto) ----------------------------------------------- */

struct kt_sha256 {
	void *ctx;	/* owned until kt_sha256_final_hex() */
};
int kt_sha256_init(struct kt_sha256 *c);
void kt_sha256_update(struct kt_sha256 *c, const void *data, size_t n);
/* Finish (always releases the context); 64 lower-case hex digits + NUL. */
int kt_sha256_final_hex(struct kt_sha256 *c, char hex[65]);
int kt_sha256_file(const char *path, char hex[65]);

/* ---- processes ------------------------------------------------------- */

/*
 * Every program ktrim starts goes through kt_proc_run: posix_spawn of an
 * argv, never a shell command line built from strings (the one exception is
 * Kconfig's $(shell,...), a shell command by definition, which the Kconfig
 * preprocessor hands to /bin/sh -c itself). The child inherits no
 * descriptor of ours other than 0-2.
 *
 * Where the output goes:
 *   - with @on_line, stdout and stderr share one pipe; the callback sees
 *     each line of that merged stream and @out, when set, captures it;
 *   - else with @out, stdout is captured;
 *   - a stream not sent to the pipe is appended to @log_path when set
 *     ("/dev/null" silences it), else inherited.
 * Output is read until the end of the stream (a background grandchild that
 * keeps it open is waited for) and the child until it exits, unless the
 * timeout expires or a callback returns nonzero: then the child (its whole
 * process group with @new_pgroup) gets SIGKILL, the rest of the output is
 * dropped and the child is reaped.
 */
typedef int (*kt_proc_line_fn)(const char *line, size_t len, void *ctx);
typedef int (*kt_proc_beat_fn)(double elapsed_s, void *ctx);

struct kt_proc_opts {
	const char *const *argv;	/* argv[0] looked up in PATH */
	const char *const *env;		/* NAME=VALUE laid over ours, or NULL */
	const char *cwd;		/* the child's working directory, or NULL */
	const char *log_path;		/* see above; O_APPEND, created 0644 */
	struct kt_str *out;		/* appended to, see above */
	size_t out_max;			/* cap on bytes into @out, 0: none; the
					 * rest is still read, so the child
					 * never blocks on a full pipe */
	/*
	 * Each output line without its newline (NUL-terminated at @len),
	 * the last one also when unterminated. Nonzero stops the child.
	 */
	kt_proc_line_fn on_line;
	double timeout_s;		/* 0: none */
	double heartbeat_s;		/* on_heartbeat this often, 0: never */
	kt_proc_beat_fn on_heartbeat;	/* nonzero stops the child */
	void *ctx;			/* for both callbacks */
	bool new_pgroup;		/* own process group, killed as a whole */
	bool stdin_null;		/* stdin from /dev/null, not ours */
};

struct kt_proc_result {
	int status;		/* as returned by kt_proc_run */
	bool timed_out;		/* killed when the timeout expired */
	int stopped;		/* the nonzero callback value that stopped it */
	double elapsed_s;	/* from the start to the child's reaping */
};

/*
 * Run @o->argv and wait as described above. Returns the exit status
 * (0..255), 128+signal when it was killed (also by us: see @res), or a
 * negative errno when it could not be started (-ENOENT for a missing
 * program or cwd) or the output could not be handled (the child is killed
 * and reaped then). @res may be NULL.
 */
int kt_proc_run(const struct kt_proc_opts *o, struct kt_proc_result *res);

/*
 * The common case, kt_proc_run with just these: @out (when given) captures
 * stdout; what is not captured goes to @log_path when given, else is
 * inherited.
 */
int kt_run(const char *const argv[], struct kt_str *out, const char *log_path);

#endif

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The host side of a certification boot: the image QEMU boots (the shipped
 * initramfs with the overlay appended, in a temporary folder), the host
 * smoke test through the forwarded port, and the stop request through the
 * QEMU monitor once every test is done.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pipeline/certify-internal.h"

/* What the default host smoke test sends: HTTP gets a status line back. */
#define PROBE "GET / HTTP/1.0\r\n\r\n"
#define PROBE_RETRY_S 0.25

int certify_stage_image(struct certify *c, struct kt_str *err)
{
	char tmpl[] = "/tmp/ktrim-certify.XXXXXX";
	char *shipped = NULL, *overlay = NULL;
	size_t ls = 0, lo = 0;
	struct kt_str bytes = KT_STR_INIT;
	int r;

	if (!c->tmpdir && !mkdtemp(tmpl))
		return -errno;
	if (!c->tmpdir)
		c->tmpdir = strdup(tmpl);
	if (!c->tmpdir || asprintf(&c->boot_image, "%s/boot.cpio", c->tmpdir) < 0) {
		c->boot_image = NULL;
		return -ENOMEM;
	}
	/* A user's init boots the shipped bytes alone: the overlay is ktrim-init's. */
	r = c->external ? 0 : pipeline_overlay(c->o->project, true, c->overlay_path, err);
	if (r == 0)
		r = kt_read_file(c->o->initramfs, &shipped, &ls);
	if (r == 0 && !c->external)
		r = kt_read_file(c->overlay_path, &overlay, &lo);
	/*
	 * The shipped bytes first, unchanged; the kernel unpacks both. It
	 * takes a cpio magic only at a 4-byte aligned offset and skips zero
	 * bytes between segments (init/initramfs.c: unpack_to_rootfs).
	 */
	if (r == 0) {
		kt_str_append(&bytes, shipped, ls);
		while (overlay && bytes.len % 4)
			kt_str_putc(&bytes, '\0');
		if (overlay)
			kt_str_append(&bytes, overlay, lo);
		r = kt_atomic_write_str(c->boot_image, 0644, &bytes);
	}
	kt_str_free(&bytes);
	free(shipped);
	free(overlay);
	return r;
}

/*
 * LCOW's VPMem root, as QEMU can give it: a small read-only ext4 image on
 * an NVDIMM (the guest's /dev/pmem0 through ACPI NFIT), which the init
 * mounts when the command line says ktrim.mount=/dev/pmem0,...
 */
int certify_stage_vpmem(struct certify *c, struct kt_str *err)
{
	struct kt_str dir = KT_STR_INIT, marker = KT_STR_INIT, text = KT_STR_INIT;
	int r;

	if (asprintf(&c->vpmem_image, "%s/vpmem.img", c->tmpdir) < 0) {
		c->vpmem_image = NULL;
		return -ENOMEM;
	}
	kt_str_printf(&dir, "%s/vpmem-root", c->tmpdir);
	kt_str_printf(&marker, "%s/KTRIM-VPMEM", dir.buf);
	kt_str_puts(&text, "a VPMem root image made by ktrim certify\n");
	r = kt_str_error(&dir) ?: kt_str_error(&marker);
	if (r == 0 && mkdir(dir.buf, 0755) < 0 && errno != EEXIST)
		r = -errno;
	if (r == 0)
		r = kt_atomic_write_str(marker.buf, 0644, &text);
	if (r == 0) {
		/* DAX maps whole pages: the blocks must be page-sized (a 16M ext4 gets 1K). */
		const char *mk[] = { "mkfs.ext4", "-q", "-F", "-b", "4096", "-d", dir.buf,
				     "-L", "vpmem", c->vpmem_image, "16M", NULL };

		r = kt_run(mk, NULL, "/dev/null");
		if (r != 0)
			kt_str_printf(err, "mkfs.ext4 -d %s %s failed", dir.buf, c->vpmem_image);
		r = r > 0 ? -EIO : r;
	}
	if (marker.buf)
		unlink(marker.buf);
	if (dir.buf)
		rmdir(dir.buf);
	kt_str_free(&dir);
	kt_str_free(&marker);
	kt_str_free(&text);
	return r;
}

void certify_unstage_image(struct certify *c)
{
	struct kt_str path = KT_STR_INIT;

	if (!c->tmpdir)
		return;
	if (c->boot_image)
		unlink(c->boot_image);
	if (c->vpmem_image)
		unlink(c->vpmem_image);
	/* The disk's kernel and the twin (certify-disk.c). */
	for (size_t i = 0; i < 2; i++) {
		kt_str_reset(&path);
		kt_str_printf(&path, "%s/%s", c->tmpdir, i ? "twin.vhdx" : "kernel");
		if (kt_str_error(&path) == 0)
			unlink(path.buf);
	}
	kt_str_printf(&path, "%s/monitor.sock", c->tmpdir);
	if (kt_str_error(&path) == 0)
		unlink(path.buf);
	rmdir(c->tmpdir);
	kt_str_free(&path);
}

/* One probe: connect, send, wait up to @wait_s for bytes; 1 with a reply. */
static int probe_once(unsigned port, double wait_s, struct kt_str *detail)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	char buf[256];
	ssize_t n = -1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct pollfd pfd = { fd, POLLIN, 0 };

	if (fd < 0)
		return -errno;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/*
	 * QEMU's user network accepts on the host before it reaches the
	 * guest, so only bytes back prove the workload answered.
	 */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    write(fd, PROBE, strlen(PROBE)) == (ssize_t)strlen(PROBE) &&
	    poll(&pfd, 1, (int)(wait_s * 1000)) == 1)
		n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	kt_str_reset(detail);
	kt_str_printf(detail, "%s replied: %s", !strncmp(buf, "HTTP/", 5) ?
		      "HTTP" : "the workload", buf);
	return 1;
}

int certify_host_smoke(const struct certify *c, unsigned port, struct kt_str *detail)
{
	const struct kprof_project *pr = c->o->project;
	double until = kt_clock_now() + pr->host_smoke_timeout_s;
	char env_port[32];
	const char *env[] = { env_port, "KTRIM_HOST_ADDR=127.0.0.1", NULL };
	struct kt_str out = KT_STR_INIT;
	struct kt_proc_opts o = {
		.argv = (const char *const *)pr->host_smoke_command.items, .env = env,
		.out = &out, .out_max = 2048, .timeout_s = pr->host_smoke_timeout_s,
		.stdin_null = true, .new_pgroup = true,
	};
	struct kt_proc_result res;
	struct kt_array argv = KT_ARRAY_INIT(char *);
	int r;

	if (!pr->host_smoke_command.len) {
		while (kt_clock_now() < until) {
			r = probe_once(port, 2.0, detail);
			if (r != 0)
				return r < 0 ? r : 0;
			usleep((useconds_t)(PROBE_RETRY_S * 1e6));
		}
		kt_str_printf(detail, "no reply within %us", pr->host_smoke_timeout_s);
		return 1;
	}
	/* kt_proc_run wants a NULL-terminated argv. */
	for (size_t i = 0; i < pr->host_smoke_command.len; i++)
		kt_array_push_ptr(&argv, kt_array_ptr(&pr->host_smoke_command, i));
	r = kt_array_push_ptr(&argv, NULL);
	snprintf(env_port, sizeof(env_port), "KTRIM_HOST_PORT=%u", port);
	o.argv = (const char *const *)argv.items;
	if (r == 0)
		r = kt_proc_run(&o, &res);
	if (r >= 0) {
		kt_str_printf(detail, "%s: %s", (char *)kt_array_ptr(&pr->host_smoke_command,
					pr->host_smoke_command.len - 1),
			      res.timed_out ? "timed out" : r ? "failed" : "exit status 0");
		if (r && out.len)
			kt_str_printf(detail, "; output: %.200s", out.buf);
		r = r ? 1 : 0;
	}
	kt_array_free(&argv);
	kt_str_free(&out);
	return r;
}

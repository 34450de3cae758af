// SPDX-License-Identifier: GPL-2.0-only
/*
 * A kernel bound to the configuration it was built from. The kernel stage
 * builds with KBUILD_BUILD_HOST set to the configuration's identity, so the
 * kernel's banner ("Linux version 6.1.0 (ktrim@cfg-0123456789abcdef) ...")
 * names it. Certification reads the banner back from the image, without
 * booting it: a bzImage carries it uncompressed in its real-mode setup
 * (the boot header's kernel_version field points at it); a vmlinux has
 * linux_banner in its read-only data.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pipeline/pipeline.h"

#define ID_PREFIX "cfg-"
#define ID_HEX 16
/* No kernel image is this large; a bigger file is not read whole. */
#define IMAGE_MAX (512u << 20)

int pipeline_config_identity(const char *config, char id[PIPELINE_ID_LEN])
{
	char hex[65];
	int r = kt_sha256_file(config, hex);

	if (r < 0)
		return r;
	snprintf(id, PIPELINE_ID_LEN, ID_PREFIX "%.*s", ID_HEX, hex);
	return 0;
}

/* "...(user@cfg-XXXXXXXXXXXXXXXX)..." within @len bytes of @banner. */
static int id_from_banner(const char *banner, size_t len, char id[PIPELINE_ID_LEN])
{
	const char *end = memchr(banner, '\n', len), *at;

	if (!end)
		end = memchr(banner, '\0', len);
	if (!end)
		end = banner + len;
	at = memmem(banner, (size_t)(end - banner), "@" ID_PREFIX, strlen("@" ID_PREFIX));
	if (!at || (size_t)(end - at) < 1 + strlen(ID_PREFIX) + ID_HEX + 1)
		return -ENOENT;
	at++;
	for (size_t i = strlen(ID_PREFIX); i < strlen(ID_PREFIX) + ID_HEX; i++)
		if (!strchr("0123456789abcdef", at[i]))
			return -ENOENT;
	if (at[strlen(ID_PREFIX) + ID_HEX] != ')')
		return -ENOENT;
	snprintf(id, PIPELINE_ID_LEN, "%.*s", (int)(strlen(ID_PREFIX) + ID_HEX), at);
	return 0;
}

static int read_image(const char *path, char **buf, size_t *len)
{
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	int r = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > IMAGE_MAX) {
		r = S_ISREG(st.st_mode) ? -EFBIG : -EINVAL;
		goto out;
	}
	*buf = malloc((size_t)st.st_size + 1);
	if (!*buf) {
		r = -ENOMEM;
		goto out;
	}
	for (*len = 0; *len < (size_t)st.st_size; *len += (size_t)n) {
		n = read(fd, *buf + *len, (size_t)st.st_size - *len);
		if (n <= 0) {
			r = n < 0 ? -errno : -EIO;
			break;
		}
	}
	if (r == 0)
		(*buf)[*len] = '\0';
out:
	close(fd);
	return r;
}

int pipeline_kernel_identity(const char *kernel, enum pipeline_format f,
			     char id[PIPELINE_ID_LEN])
{
	char *img = NULL;
	size_t len = 0;
	int r = read_image(kernel, &img, &len);

	if (r < 0)
		goto out;
	/* Uncompressed images carry the banner as it is. */
	if (f == PIPELINE_FORMAT_VMLINUX || f == PIPELINE_FORMAT_IMAGE) {
		const char *b = memmem(img, len, "Linux version ", 14);

		r = b ? id_from_banner(b, len - (size_t)(b - img), id) : -ENOENT;
	} else {
		/* Boot protocol 2.00+: kernel_version at 0x20e, relative to 0x200. */
		const unsigned char *h = (const unsigned char *)img;
		size_t off;

		r = -ENOENT;
		if (len > 0x210 && !memcmp(img + 0x202, "HdrS", 4) &&
		    (h[0x206] | h[0x207] << 8) >= 0x200) {
			off = 0x200 + (size_t)(h[0x20e] | h[0x20f] << 8);
			if (off < len)
				r = id_from_banner(img + off, len - off > 512 ? 512 : len - off, id);
		}
	}
out:
	free(img);
	return r;
}

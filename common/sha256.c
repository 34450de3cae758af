// SPDX-License-Identifier: GPL-2.0-only
/* SHA-256 through OpenSSL's libcrypto: artefact sums and identities. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <unistd.h>

#include "common/common.h"

int kt_sha256_init(struct kt_sha256 *c)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	c->ctx = ctx;
	if (!ctx)
		return -ENOMEM;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		c->ctx = NULL;
		return -EIO;
	}
	return 0;
}

void kt_sha256_update(struct kt_sha256 *c, const void *data, size_t n)
{
	if (c->ctx && n)
		EVP_DigestUpdate(c->ctx, data, n);
}

int kt_sha256_final_hex(struct kt_sha256 *c, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	int r = 0;

	if (!c->ctx)
		return -EINVAL;
	if (EVP_DigestFinal_ex(c->ctx, md, &n) != 1 || n != 32) {
		r = -EIO;
		goto out;
	}
	for (unsigned i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
out:
	EVP_MD_CTX_free(c->ctx);
	c->ctx = NULL;
	return r;
}

int kt_sha256_file(const char *path, char hex[65])
{
	struct kt_sha256 c;
	char buf[65536];
	ssize_t n;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = kt_sha256_init(&c);
	if (r < 0)
		goto out;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			kt_sha256_final_hex(&c, hex);
			goto out;
		}
		kt_sha256_update(&c, buf, (size_t)n);
	}
	r = kt_sha256_final_hex(&c, hex);
out:
	close(fd);
	return r;
}

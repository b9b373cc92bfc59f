/* SPDX-License-Identifier: MIT */
/* fuzz_tar.c: the tar reader (headers, pax records, the walk to an archive's end) on any bytes,
 * and the writer's headers read back. */
#include <string.h>

#include "fuzz.h"
#include "tar.h"

/*
 * Input: an archive.  The walker must stop inside it at a block boundary
 * (or report why not); every block read as a header gives a NUL-terminated
 * name; the whole input read as pax records either fails or borrows inside
 * it.  Then a member made from the input's first bytes (path up to the
 * first NUL, size and time from the next bytes) is written and read back:
 * the walker finds the end right after it, and its name and size are those
 * given.
 */

struct mem {
	const uint8_t *p;
	size_t len;
};

static ssize_t mem_read(void *ctx, void *buf, size_t len, unsigned long long off)
{
	const struct mem *m = ctx;
	if (off >= m->len)
		return 0;
	size_t n = m->len - (size_t)off < len ? m->len - (size_t)off : len;
	memcpy(buf, m->p + off, n);
	return (ssize_t)n;
}

static void read_side(const uint8_t *data, size_t size)
{
	struct mem m = {data, size};
	unsigned long long end = 0;
	enum tar_status st = tar_find_end(mem_read, &m, size, &end);
	FUZZ_CHECK(st != TAR_END && st != TAR_IO);
	FUZZ_CHECK(end <= size && end % TAR_BLOCK == 0);
	FUZZ_CHECK(tar_status_text(st)[0] != '?');

	struct tar_member h;
	for (size_t off = 0; off + TAR_BLOCK <= size && off < 64 * TAR_BLOCK; off += TAR_BLOCK)
		if (tar_read_header(data + off, &h) == TAR_OK)
			FUZZ_CHECK(strlen(h.name) <= 256 && h.size <= 0x7fffffffffffffffull);

	struct tar_pax x;
	if (tar_read_pax((const char *)data, size, &x) == TAR_OK && x.path) {
		FUZZ_CHECK(x.path >= (const char *)data);
		FUZZ_CHECK(x.path + x.path_len <= (const char *)data + size);
	}
}

static void write_side(const uint8_t *data, size_t size)
{
	static char buf[TAR_HEADER_MAX + 2 * TAR_BLOCK + 4096];
	char path[TAR_PATH_MAX + 1];
	size_t plen = 0;
	while (plen < size && plen < TAR_PATH_MAX && data[plen])
		plen++;
	memcpy(path, data, plen);
	path[plen] = '\0';
	const uint8_t *rest = data + plen + (plen < size);
	size_t left = size - plen - (plen < size);
	unsigned long long dsize = left >= 2 ? (unsigned)(rest[0] | rest[1] << 8) % 4096 : 0;
	long long mtime = left >= 3 ? (long long)(int8_t)rest[2] * 100000000000ll : 0;

	struct tar_entry e = {path, dsize, mtime, 0644, left >= 4 ? rest[3] * 1000000ul : 0, 0};
	size_t n = tar_header(buf, sizeof buf, &e);
	if (plen == 0) {
		FUZZ_CHECK(n == 0);
		return;
	}
	FUZZ_CHECK(n >= TAR_BLOCK && n <= TAR_HEADER_MAX && n % TAR_BLOCK == 0);
	memset(buf + n, 'd', dsize + tar_pad(dsize));
	size_t total = n + dsize + tar_pad(dsize);
	struct mem m = {(const uint8_t *)buf, total};
	unsigned long long end = 0;
	FUZZ_CHECK(tar_find_end(mem_read, &m, total, &end) == TAR_OK && end == total);

	struct tar_member h;
	FUZZ_CHECK(tar_read_header((const unsigned char *)buf + n - TAR_BLOCK, &h) == TAR_OK);
	FUZZ_CHECK(h.size == dsize && strncmp(h.name, path, 100) == 0);
	if (n > TAR_BLOCK) {
		struct tar_pax x;
		FUZZ_CHECK(tar_read_header((const unsigned char *)buf, &h) == TAR_OK &&
			   h.type == 'x');
		FUZZ_CHECK(tar_read_pax(buf + TAR_BLOCK, (size_t)h.size, &x) == TAR_OK);
		if (plen > 100)
			FUZZ_CHECK(x.path_len == plen && memcmp(x.path, path, plen) == 0);
		else
			FUZZ_CHECK(x.path == NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	read_side(data, size);
	write_side(data, size);
	return 0;
}

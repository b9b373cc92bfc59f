/* SPDX-License-Identifier: MIT */
/* test_tar.c: tar headers read back field by field, pax records at every length, and the walker
 * that finds an archive's end. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "tar.h"

/* An archive in memory, for tar_find_end(). */
struct mem {
	const unsigned char *p;
	size_t len;
	int fail; /* 1: every read fails with EIO */
};

static ssize_t mem_read(void *ctx, void *buf, size_t len, unsigned long long off)
{
	struct mem *m = ctx;
	if (m->fail) {
		errno = EIO;
		return -1;
	}
	if (off >= m->len)
		return 0;
	size_t n = m->len - (size_t)off < len ? m->len - (size_t)off : len;
	memcpy(buf, m->p + off, n);
	return (ssize_t)n;
}

static enum tar_status find_end(const unsigned char *p, size_t len, unsigned long long *end)
{
	struct mem m = {p, len, 0};
	return tar_find_end(mem_read, &m, len, end);
}

static unsigned char arc[TAR_BLOCK * 64];

/* Append a member (headers, data of size bytes of 'd', padding) to arc at *len. */
static void add(size_t *len, const struct tar_entry *e)
{
	size_t h = tar_header((char *)arc + *len, sizeof arc - *len, e);
	*len += h;
	memset(arc + *len, 'd', e->size);
	*len += e->size;
	memset(arc + *len, 0, tar_pad(e->size));
	*len += tar_pad(e->size);
}

static void test_header(void)
{
	char blk[TAR_HEADER_MAX];
	struct tar_member m;
	struct tar_entry e = {"cur/1.hl7", 1234, 1764900000, 0640, 1000, 1000};

	TAP_OK(tar_pad(0) == 0 && tar_pad(1) == 511 && tar_pad(512) == 0 && tar_pad(513) == 511,
	       "tar_pad: 0 1 512 513 -> 0 511 0 511");
	TAP_OK(tar_header(blk, sizeof blk, &e) == TAR_BLOCK, "a short name: one ustar block");
	TAP_OK(memcmp(blk + 257,
		      "ustar\0"
		      "00",
		      8) == 0,
	       "magic ustar, version 00");
	TAP_OK(tar_read_header((unsigned char *)blk, &m) == TAR_OK && m.type == '0' &&
		   strcmp(m.name, "cur/1.hl7") == 0 && m.size == 1234 && m.mtime == 1764900000,
	       "read back: type 0, name, size, mtime");
	TAP_OK(strcmp(blk + 100, "0000640") == 0 && strcmp(blk + 108, "0001750") == 0,
	       "mode 0640 and uid 1000 in octal");
	blk[0] ^= 1;
	TAP_OK(tar_read_header((unsigned char *)blk, &m) == TAR_BAD_CHECKSUM,
	       "a byte changed: bad checksum");
	memset(blk, 0, TAR_BLOCK);
	TAP_OK(tar_read_header((unsigned char *)blk, &m) == TAR_END, "a zero block: the end");

	char small[100];
	memset(small, 'z', sizeof small);
	TAP_OK(tar_header(small, sizeof small, &e) == TAR_BLOCK && small[0] == 'z',
	       "no room: the length needed, nothing written");
	e.path = "";
	TAP_OK(tar_header(blk, sizeof blk, &e) == 0, "an empty path: 0");
	static char huge[TAR_PATH_MAX + 2];
	memset(huge, 'a', TAR_PATH_MAX + 1);
	e.path = huge;
	TAP_OK(tar_header(blk, sizeof blk, &e) == 0, "a path over TAR_PATH_MAX: 0");
	huge[TAR_PATH_MAX] = '\0';
	e.uid = e.gid = 1ul << 30;
	e.mtime = -5;
	e.size = 1ull << 40;
	size_t n = tar_header(blk, sizeof blk, &e);
	TAP_OK(n > 2 * TAR_BLOCK && n <= TAR_HEADER_MAX && n % TAR_BLOCK == 0,
	       "every pax record at once: within TAR_HEADER_MAX (%zu)", n);
}

/* The pax path record at every length around the digit boundaries of LEN. */
static void test_pax_lengths(void)
{
	static char path[1200], blk[TAR_HEADER_MAX];
	struct tar_member m;
	struct tar_pax x;
	int bad = 0;

	for (size_t len = 1; len < sizeof path - 1 && !bad; len++) {
		memset(path, 'p', len);
		path[len] = '\0';
		struct tar_entry e = {path, 7, 0, 0644, 0, 0};
		size_t n = tar_header(blk, sizeof blk, &e);
		if (len <= 100) {
			bad = n != TAR_BLOCK ||
			      tar_read_header((unsigned char *)blk, &m) != TAR_OK ||
			      strlen(m.name) != len;
			continue;
		}
		bad = tar_read_header((unsigned char *)blk, &m) != TAR_OK || m.type != 'x' ||
		      tar_read_pax(blk + TAR_BLOCK, (size_t)m.size, &x) != TAR_OK ||
		      x.path_len != len || memcmp(x.path, path, len) != 0 || x.has_size ||
		      tar_read_header((unsigned char *)blk + n - TAR_BLOCK, &m) != TAR_OK ||
		      m.type != '0' || m.size != 7 || strncmp(m.name, path, 100) != 0;
		if (bad)
			printf("#   path length %zu\n", len);
	}
	TAP_OK(!bad, "paths of 1 to 1198 bytes: ustar up to 100, then a pax path record read back");
}

static void test_pax_records(void)
{
	struct tar_pax x;
	static const struct {
		const char *rec;
		size_t len;
		enum tar_status st;
	} cases[] = {
	    {"12 size=345\n", 12, TAR_OK},
	    {"12 size=345\n\0\0\0", 15, TAR_OK},
	    {"12 size=345\nx", 13, TAR_BAD_PAX},
	    {"13 size=345\n", 12, TAR_BAD_PAX},
	    {"11 size=345\n", 12, TAR_BAD_PAX},
	    {"12 size=34x\n", 12, TAR_BAD_PAX},
	    {"12 sizeX345\n", 12, TAR_BAD_PAX},
	    {"30 size=99999999999999999999\n", 30, TAR_BAD_PAX},
	    {"29 size=9223372036854775808\n", 29, TAR_BAD_PAX},
	    {"7 =abc\n", 7, TAR_BAD_PAX},
	    {"x size=1\n", 9, TAR_BAD_PAX},
	    {"", 0, TAR_OK},
	    {"14 path=a/b/c\n14 mtime=-1.5\n", 28, TAR_OK},
	};
	int bad = 0;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (tar_read_pax(cases[i].rec, cases[i].len, &x) != cases[i].st) {
			printf("#   case %zu: %s\n", i, cases[i].rec);
			bad = 1;
		}
	}
	TAP_OK(!bad, "pax records: LEN exact, KEY=VALUE, a newline; trailing NULs only");
	TAP_OK(tar_read_pax("12 size=345\n", 12, &x) == TAR_OK && x.has_size && x.size == 345,
	       "size=345 is read");
	TAP_OK(tar_read_pax("14 path=a/b/c\n", 14, &x) == TAR_OK && x.path_len == 5 &&
		   memcmp(x.path, "a/b/c", 5) == 0 && !x.has_size,
	       "path=a/b/c is read, borrowed");
}

static void test_find_end(void)
{
	unsigned long long end = 99;
	size_t len = 0;
	struct tar_entry e = {"cur/a.hl7", 700, 1, 0640, 0, 0};

	TAP_OK(find_end(arc, 0, &end) == TAR_OK && end == 0, "an empty archive: end 0");
	add(&len, &e);
	size_t one = len;
	TAP_OK(find_end(arc, len, &end) == TAR_OK && end == one,
	       "a member and no end blocks: end at its end (%zu)", one);
	memset(arc + len, 0, 2 * TAR_BLOCK + 9 * TAR_BLOCK);
	TAP_OK(find_end(arc, len + 11 * TAR_BLOCK, &end) == TAR_OK && end == one,
	       "with end blocks and record padding: end at the first zero block");
	e.path = "cur/a-name-longer-than-a-hundred-bytes-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		 "xxxxxxxxxxxxxxxxxxxxxxxxx.hl7";
	e.size = 0;
	add(&len, &e);
	e.size = 1500;
	add(&len, &e);
	TAP_OK(find_end(arc, len, &end) == TAR_OK && end == len,
	       "members with pax headers: skipped by their sizes");
	TAP_OK(find_end(arc, len - 1, &end) == TAR_TRUNCATED, "one byte short: truncated");
	TAP_OK(find_end(arc, one + 100, &end) == TAR_TRUNCATED && end == one,
	       "a partial header: truncated, at its offset");
	struct mem m = {arc, len, 1};
	TAP_OK(tar_find_end(mem_read, &m, len, &end) == TAR_IO && errno == EIO,
	       "a read error: TAR_IO with errno");

	/* A pax size record overrides the ustar size field of the member after it. */
	len = 0;
	char rec[] = "10 size=5\n";
	struct tar_entry x = {"PaxHeaders/f", sizeof rec - 1, 0, 0644, 0, 0};
	size_t h = tar_header((char *)arc, sizeof arc, &x);
	arc[156] = 'x';
	memset(arc + 148, ' ', 8);
	unsigned sum = 0;
	for (size_t i = 0; i < TAR_BLOCK; i++)
		sum += arc[i];
	snprintf((char *)arc + 148, 8, "%06o", sum);
	memcpy(arc + h, rec, sizeof rec - 1);
	memset(arc + h + sizeof rec - 1, 0, tar_pad(sizeof rec - 1));
	len = h + sizeof rec - 1 + tar_pad(sizeof rec - 1);
	struct tar_entry f = {"f", 0, 0, 0644, 0, 0};
	len += tar_header((char *)arc + len, sizeof arc - len, &f);
	memset(arc + len, 'd', TAR_BLOCK);
	len += TAR_BLOCK;
	TAP_OK(find_end(arc, len, &end) == TAR_OK && end == len,
	       "a pax size=5 over a ustar size 0: its data block is skipped");

	/* GNU base-256 size. */
	len = 0;
	f.size = 0;
	len += tar_header((char *)arc, sizeof arc, &f);
	memset(arc + 124, 0, 12);
	arc[124] = 0x80;
	arc[135] = 2; /* 2 bytes */
	memset(arc + 148, ' ', 8);
	sum = 0;
	for (size_t i = 0; i < TAR_BLOCK; i++)
		sum += arc[i];
	snprintf((char *)arc + 148, 8, "%06o", sum);
	memset(arc + len, 'd', TAR_BLOCK);
	len += TAR_BLOCK;
	TAP_OK(find_end(arc, len, &end) == TAR_OK && end == len, "a base-256 size is read");
	memset(arc, 'g', TAR_BLOCK);
	TAP_OK(find_end(arc, TAR_BLOCK, &end) == TAR_BAD_CHECKSUM && end == 0,
	       "not a tar archive: bad checksum at 0");
	TAP_OK(strcmp(tar_status_text(TAR_TRUNCATED), "archive truncated") == 0,
	       "tar_status_text names the status");
}

int main(void)
{
	test_header();
	test_pax_lengths();
	test_pax_records();
	test_find_end();
	return tap_done();
}

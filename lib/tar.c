/* SPDX-License-Identifier: MIT */
/* tar.c: ustar header blocks (pax records for what does not fit), and an archive walker to find
 * where the next member goes. */
#include "tar.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ustar field offsets and widths (POSIX pax, "ustar Interchange Format"). */
#define F_NAME 0
#define F_MODE 100
#define F_UID 108
#define F_GID 116
#define F_SIZE 124
#define F_MTIME 136
#define F_CHKSUM 148
#define F_TYPE 156
#define F_MAGIC 257
#define F_VERSION 263
#define F_PREFIX 345

/* An octal field of width bytes holds width - 1 digits and a NUL. */
static unsigned long long octal_max(size_t width)
{
	return (1ull << (3 * (width - 1))) - 1;
}

static void put_octal(char *f, size_t width, unsigned long long v)
{
	for (size_t i = width - 1; i-- > 0; v >>= 3)
		f[i] = (char)('0' + (v & 7));
	f[width - 1] = '\0';
}

static unsigned checksum(const unsigned char *blk, int is_signed)
{
	unsigned sum = 0;
	for (size_t i = 0; i < TAR_BLOCK; i++) {
		int c = i >= F_CHKSUM && i < F_CHKSUM + 8 ? ' '
			: is_signed			  ? (int)(signed char)blk[i]
							  : (int)blk[i];
		sum += (unsigned)c;
	}
	return sum;
}

/* One ustar block; values that do not fit are written as their field's largest (a pax record
 * carries the real one). */
static void ustar_block(char *blk, const char *name, size_t name_len, char type,
			const struct tar_entry *e, unsigned long long size)
{
	memset(blk, 0, TAR_BLOCK);
	memcpy(blk + F_NAME, name, name_len > 100 ? 100 : name_len);
	put_octal(blk + F_MODE, 8, e->mode & 07777);
	put_octal(blk + F_UID, 8, e->uid > octal_max(8) ? octal_max(8) : e->uid);
	put_octal(blk + F_GID, 8, e->gid > octal_max(8) ? octal_max(8) : e->gid);
	put_octal(blk + F_SIZE, 12, size > octal_max(12) ? octal_max(12) : size);
	unsigned long long t = e->mtime < 0 ? 0 : (unsigned long long)e->mtime;
	put_octal(blk + F_MTIME, 12, t > octal_max(12) ? octal_max(12) : t);
	blk[F_TYPE] = type;
	memcpy(blk + F_MAGIC, "ustar", 6);
	memcpy(blk + F_VERSION, "00", 2);
	put_octal(blk + F_CHKSUM, 7, checksum((const unsigned char *)blk, 0));
	blk[F_CHKSUM + 7] = ' ';
}

/* Append the record "LEN KEY=VALUE\n" at buf + *len (room checked by the caller's sizing). */
static void pax_record(char *buf, size_t *len, const char *key, const char *val, size_t val_len)
{
	size_t body = 1 + strlen(key) + 1 + val_len + 1, n = body + 1, digits;
	/* LEN counts its own digits: grow until it is stable. */
	for (;;) {
		char tmp[24];
		digits = (size_t)snprintf(tmp, sizeof tmp, "%zu", n);
		if (digits + body == n)
			break;
		n = digits + body;
	}
	*len += (size_t)sprintf(buf + *len, "%zu %s=", n, key);
	memcpy(buf + *len, val, val_len);
	*len += val_len;
	buf[(*len)++] = '\n';
}

/* The pax records e needs, in rec (room for TAR_PATH_MAX + 200): their length, 0 for none. */
static size_t pax_records(char *rec, const struct tar_entry *e, size_t path_len)
{
	char num[32];
	size_t len = 0;
	if (path_len > 100)
		pax_record(rec, &len, "path", e->path, path_len);
	if (e->size > octal_max(12))
		pax_record(rec, &len, "size", num, (size_t)sprintf(num, "%llu", e->size));
	if (e->mtime < 0 || (unsigned long long)e->mtime > octal_max(12))
		pax_record(rec, &len, "mtime", num, (size_t)sprintf(num, "%lld", e->mtime));
	if (e->uid > octal_max(8))
		pax_record(rec, &len, "uid", num, (size_t)sprintf(num, "%lu", e->uid));
	if (e->gid > octal_max(8))
		pax_record(rec, &len, "gid", num, (size_t)sprintf(num, "%lu", e->gid));
	return len;
}

size_t tar_pad(unsigned long long size)
{
	return (size_t)((TAR_BLOCK - size % TAR_BLOCK) % TAR_BLOCK);
}

size_t tar_header(char *dst, size_t cap, const struct tar_entry *e)
{
	char rec[TAR_PATH_MAX + 200];
	size_t path_len = e->path ? strnlen(e->path, TAR_PATH_MAX + 1) : 0;
	if (path_len == 0 || path_len > TAR_PATH_MAX)
		return 0;
	size_t rec_len = pax_records(rec, e, path_len);
	size_t need = TAR_BLOCK + (rec_len ? TAR_BLOCK + rec_len + tar_pad(rec_len) : 0);
	if (need > cap)
		return need;
	char *p = dst;
	if (rec_len) {
		/* The extended header's own name: informative only (GNU tar writes a similar one).
		 */
		const char *base = strrchr(e->path, '/');
		base = base ? base + 1 : e->path;
		char xname[101];
		int n = snprintf(xname, sizeof xname, "PaxHeaders/%.80s", base);
		ustar_block(p, xname, (size_t)n, 'x', e, rec_len);
		memcpy(p + TAR_BLOCK, rec, rec_len);
		memset(p + TAR_BLOCK + rec_len, 0, tar_pad(rec_len));
		p += TAR_BLOCK + rec_len + tar_pad(rec_len);
	}
	ustar_block(p, e->path, path_len, '0', e, e->size);
	return need;
}

/* ---- Reading ---- */

const char *tar_status_text(enum tar_status st)
{
	switch (st) {
	case TAR_OK: return "ok";
	case TAR_END: return "end of archive";
	case TAR_BAD_CHECKSUM: return "bad header checksum: not a tar archive";
	case TAR_BAD_NUMBER: return "bad numeric field in a header";
	case TAR_BAD_PAX: return "bad pax extended header";
	case TAR_TRUNCATED: return "archive truncated";
	case TAR_IO: return "read error";
	}
	return "?";
}

/* Octal digits (leading blanks, ended by NUL or blank), or GNU base-256 (high bit of the first
 * byte); an empty field is 0.  0, or -1 when it is neither or over LLONG_MAX. */
static int read_number(const unsigned char *f, size_t width, unsigned long long *out)
{
	unsigned long long v = 0;
	size_t i = 0;
	if (f[0] & 0x80) {
		if (f[0] != 0x80)
			return -1; /* negative, or more than width - 1 bytes of value */
		for (i = 1; i < width; i++) {
			if (v > (unsigned long long)LLONG_MAX >> 8)
				return -1;
			v = v << 8 | f[i];
		}
		*out = v;
		return 0;
	}
	while (i < width && f[i] == ' ')
		i++;
	for (; i < width && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v > (unsigned long long)LLONG_MAX >> 3)
			return -1;
		v = v << 3 | (unsigned)(f[i] - '0');
	}
	for (; i < width; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return -1;
	*out = v;
	return 0;
}

enum tar_status tar_read_header(const unsigned char *blk, struct tar_member *m)
{
	unsigned long long sum, size, mtime;
	size_t i = 0;
	while (i < TAR_BLOCK && blk[i] == 0)
		i++;
	if (i == TAR_BLOCK)
		return TAR_END;
	if (read_number(blk + F_CHKSUM, 8, &sum) < 0 ||
	    (sum != checksum(blk, 0) && sum != checksum(blk, 1)))
		return TAR_BAD_CHECKSUM;
	if (read_number(blk + F_SIZE, 12, &size) < 0 || read_number(blk + F_MTIME, 12, &mtime) < 0)
		return TAR_BAD_NUMBER;
	memset(m, 0, sizeof *m);
	m->type = blk[F_TYPE] ? (char)blk[F_TYPE] : '0';
	m->size = size;
	m->mtime = (long long)mtime;
	size_t plen = 0;
	if (memcmp(blk + F_MAGIC, "ustar", 6) == 0) {
		plen = strnlen((const char *)blk + F_PREFIX, 155);
		memcpy(m->name, blk + F_PREFIX, plen);
		if (plen)
			m->name[plen++] = '/';
	}
	memcpy(m->name + plen, blk + F_NAME, strnlen((const char *)blk + F_NAME, 100));
	return TAR_OK;
}

/* A decimal number p[0..n), whole, no sign: 0, or -1 (also on overflow). */
static int read_decimal(const char *p, size_t n, unsigned long long *out)
{
	unsigned long long v = 0;
	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		unsigned d = (unsigned)(p[i] - '0');
		if (v > (ULLONG_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* One record at p[0..left): its length, or 0 when it is malformed. */
static size_t pax_one(const char *p, size_t left, struct tar_pax *x)
{
	size_t d = 0;
	unsigned long long n;
	while (d < left && d < 20 && p[d] >= '0' && p[d] <= '9')
		d++;
	if (d == 0 || d >= left || p[d] != ' ' || read_decimal(p, d, &n) < 0 || n <= d + 3 ||
	    n > left || p[n - 1] != '\n')
		return 0;
	const char *key = p + d + 1, *end = p + n - 1;
	const char *eq = memchr(key, '=', (size_t)(end - key));
	if (!eq || eq == key)
		return 0;
	size_t klen = (size_t)(eq - key), vlen = (size_t)(end - eq - 1);
	if (klen == 4 && memcmp(key, "size", 4) == 0) {
		if (read_decimal(eq + 1, vlen, &x->size) < 0 ||
		    x->size > (unsigned long long)LLONG_MAX)
			return 0;
		x->has_size = 1;
	} else if (klen == 4 && memcmp(key, "path", 4) == 0) {
		x->path = eq + 1;
		x->path_len = vlen;
	}
	return (size_t)n;
}

enum tar_status tar_read_pax(const char *p, size_t len, struct tar_pax *x)
{
	size_t pos = 0;
	memset(x, 0, sizeof *x);
	while (pos < len) {
		if (p[pos] == '\0') {
			/* The padding of the last block. */
			for (; pos < len; pos++)
				if (p[pos] != '\0')
					return TAR_BAD_PAX;
			break;
		}
		size_t n = pax_one(p + pos, len - pos, x);
		if (n == 0)
			return TAR_BAD_PAX;
		pos += n;
	}
	return TAR_OK;
}

/* Types whose size field is not followed by data (POSIX: links, devices, directories, FIFOs). */
static int has_data(char type)
{
	return !(type >= '1' && type <= '6');
}

/* The pax header at off (size bytes): the member size it sets, in *out and *has (untouched if
 * none). */
static enum tar_status pax_size(tar_read_fn rd, void *ctx, unsigned long long off,
				unsigned long long size, int *has, unsigned long long *out)
{
	char small[4096];
	struct tar_pax x;
	enum tar_status st = TAR_OK;
	if (size > TAR_PAX_READ_MAX)
		return TAR_BAD_PAX;
	char *p = size <= sizeof small ? small : malloc((size_t)size);
	if (!p)
		return TAR_IO; /* errno ENOMEM */
	ssize_t n = rd(ctx, p, (size_t)size, off);
	if (n < 0)
		st = TAR_IO;
	else if ((unsigned long long)n < size)
		st = TAR_TRUNCATED;
	else if (tar_read_pax(p, (size_t)size, &x) != TAR_OK)
		st = TAR_BAD_PAX;
	else if (x.has_size) {
		*has = 1;
		*out = x.size;
	}
	if (p != small) {
		int saved = errno;
		free(p);
		errno = saved;
	}
	return st;
}

enum tar_status tar_find_end(tar_read_fn rd, void *ctx, unsigned long long total,
			     unsigned long long *end)
{
	unsigned char blk[TAR_BLOCK];
	unsigned long long pos = 0, next_size = 0;
	int has_next = 0;
	struct tar_member m;

	for (;;) {
		*end = pos;
		if (pos == total)
			return TAR_OK;
		if (total - pos < TAR_BLOCK)
			return TAR_TRUNCATED;
		ssize_t n = rd(ctx, blk, TAR_BLOCK, pos);
		if (n < 0)
			return TAR_IO;
		if (n < TAR_BLOCK)
			return TAR_TRUNCATED;
		enum tar_status st = tar_read_header(blk, &m);
		if (st == TAR_END)
			return TAR_OK;
		if (st != TAR_OK)
			return st;
		unsigned long long size = m.size;
		if (m.type == 'x') {
			if (total - pos - TAR_BLOCK < size)
				return TAR_TRUNCATED;
			st = pax_size(rd, ctx, pos + TAR_BLOCK, size, &has_next, &next_size);
			if (st != TAR_OK)
				return st;
		} else if (m.type != 'g' && m.type != 'L' && m.type != 'K') {
			/* A pax size applies to the next member proper. */
			if (has_next)
				size = next_size;
			has_next = 0;
			if (!has_data(m.type))
				size = 0;
		}
		unsigned long long room = total - pos - TAR_BLOCK;
		if (size > room || size + tar_pad(size) > room)
			return TAR_TRUNCATED;
		pos += TAR_BLOCK + size + tar_pad(size);
	}
}

/* SPDX-License-Identifier: MIT */
/* tar.h: ustar headers with pax extended records when needed, and the reader that finds an
 * archive's end to append to it. */
#ifndef MLLPD_TAR_H
#define MLLPD_TAR_H

#include <stddef.h>
#include <sys/types.h>

/*
 * The archive format is POSIX pax (IEEE 1003.1-2001, an extension of
 * ustar): every member is one 512-byte ustar header block, its data, and
 * zero bytes to the next block boundary; the archive ends with two zero
 * blocks.  A value a ustar field cannot hold (a name over 100 bytes, a size
 * of 8 GiB or more, a negative time) is carried by a pax extended header
 * (typeflag 'x') just before, which GNU tar, bsdtar and every POSIX pax read.
 */

#define TAR_BLOCK 512

/* Longest path tar_header() takes, without its NUL. */
#define TAR_PATH_MAX 4096

/* Room for the headers of any member tar_header() accepts. */
#define TAR_HEADER_MAX (TAR_BLOCK * 13)

/* A regular file to write. */
struct tar_entry {
	const char *path; /* the member's name: 1 to TAR_PATH_MAX bytes, no NUL inside */
	unsigned long long size;
	long long mtime; /* seconds since the epoch */
	unsigned mode;	 /* permission bits (07777 kept) */
	unsigned long uid, gid;
};

/*
 * The header blocks of a regular file: one ustar block, preceded by a pax
 * extended header when a value does not fit (records path, size, mtime,
 * uid, gid, only those needed).  Writes at most cap bytes to dst and
 * returns the full length, a multiple of TAR_BLOCK and at most
 * TAR_HEADER_MAX (strlcpy-style); 0 when path is empty or longer than
 * TAR_PATH_MAX.  No user or group names are written (readers show the
 * numbers).
 */
size_t tar_header(char *dst, size_t cap, const struct tar_entry *e);

/* Zero bytes that follow size bytes of data to end their last block (0 to 511). */
size_t tar_pad(unsigned long long size);

enum tar_status {
	TAR_OK,
	TAR_END,	  /* a zero block: the end of the archive */
	TAR_BAD_CHECKSUM, /* not a tar header */
	TAR_BAD_NUMBER,	  /* a numeric field that is neither octal nor base-256 */
	TAR_BAD_PAX,	  /* a pax record that is not "LEN KEY=VALUE\n" or a bad size value */
	TAR_TRUNCATED,	  /* the archive stops inside a header or a member's data */
	TAR_IO,		  /* the read callback failed (errno is its) */
};

/* "ok", "end of archive", "bad header checksum", ... */
const char *tar_status_text(enum tar_status st);

/* One header block, read. */
struct tar_member {
	char type;		 /* typeflag; '0' for a NUL typeflag */
	char name[257];		 /* prefix "/" name, NUL-terminated */
	unsigned long long size; /* of the data that follow the block */
	long long mtime;
};

/*
 * Read the header block blk (TAR_BLOCK bytes) into *m: TAR_OK, TAR_END for
 * a block of zeros, or TAR_BAD_CHECKSUM / TAR_BAD_NUMBER.  Sizes in
 * base-256 (GNU, for 8 GiB and more) are read; values over 2^63 are
 * TAR_BAD_NUMBER.  The magic is not checked (v7, ustar and GNU headers).
 */
enum tar_status tar_read_header(const unsigned char *blk, struct tar_member *m);

/* What a pax extended header sets for the member after it. */
struct tar_pax {
	int has_size;
	unsigned long long size;
	const char *path; /* borrowed from the records: valid while they are; NULL: none */
	size_t path_len;
};

/*
 * Read the records p[0..len) of a pax extended header ("LEN KEY=VALUE\n"
 * each, LEN counting the whole record; trailing NULs after the last
 * record are allowed) into *x: path and size are kept, other keys are
 * skipped.  Returns TAR_OK or TAR_BAD_PAX.
 */
enum tar_status tar_read_pax(const char *p, size_t len, struct tar_pax *x);

/* Largest pax extended header tar_find_end() reads (others are TAR_BAD_PAX). */
#define TAR_PAX_READ_MAX (1u << 20)

/*
 * Read len bytes at offset off into buf: the count read (short only at the
 * end of the archive), or -1 with errno set.
 */
typedef ssize_t (*tar_read_fn)(void *ctx, void *buf, size_t len, unsigned long long off);

/*
 * Walk the archive of total bytes from its start, header to header,
 * through rd, to where a new member may be written: the first zero block
 * at a header's place, or total when the archive stops right after a
 * member (or is empty).  Stores it in *end and returns TAR_OK; otherwise
 * the status of what could not be read (*end is then the offset of the
 * header in question).  Pax 'x' headers are read for the size of the
 * member they precede; every other member is skipped by its size.
 */
enum tar_status tar_find_end(tar_read_fn rd, void *ctx, unsigned long long total,
			     unsigned long long *end);

#endif

/* SPDX-License-Identifier: MIT */
/* sha256.h: SHA-256 (FIPS 180-4), incremental and one-shot; no I/O, no allocation. */
#ifndef MLLPD_SHA256_H
#define MLLPD_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* The length of a digest in bytes. */
#define SHA256_LEN 32

/* Hashing state, owned by the caller: sha256_init() it first. */
struct sha256 {
	uint32_t h[8];
	uint64_t bytes;		 /* hashed so far */
	unsigned char block[64]; /* a partial block */
	size_t n;		 /* bytes in block */
};

/* Start a digest. */
void sha256_init(struct sha256 *c);

/* Add p[0..len) (p may be NULL when len is 0).  Any cutting of the input
 * into calls gives the same digest. */
void sha256_update(struct sha256 *c, const void *p, size_t len);

/* Write the digest of everything added to out[0..SHA256_LEN); c must be
 * initialised again before it is used again. */
void sha256_final(struct sha256 *c, unsigned char out[SHA256_LEN]);

/* The digest of p[0..len) in one call. */
void sha256_digest(const void *p, size_t len, unsigned char out[SHA256_LEN]);

#endif

/* SPDX-License-Identifier: MIT */
/* segnorm.h: normalise HL7 v2 segment separators to CR, for what a sender puts on the wire; no I/O,
 * no allocation. */
#ifndef MLLPD_SEGNORM_H
#define MLLPD_SEGNORM_H

#include <stddef.h>

/*
 * Copy the message src[0..len) to dst with its segments ended the way HL7
 * v2 says: every run of CR and LF bytes (LF, CR LF, blank lines, that is
 * empty segments) becomes one CR; a run before the first segment is
 * dropped; a CR is added after the last segment when it has none.  Nothing
 * else changes, so a message that already follows the standard is copied
 * byte for byte.  An empty input (or one of separators only) gives an empty
 * output.
 *
 * Writes at most cap bytes (no NUL) and returns the full normalised length,
 * at most len + 1 (strlcpy-style: a result over cap means dst holds only
 * the first cap bytes).  dst may be src (in place) when cap >= len + 1: no
 * byte is written before it has been read.  dst may be NULL when cap is 0.
 */
size_t segnorm_copy(char *dst, size_t cap, const char *src, size_t len);

/* A message normalised as it streams past; zero-initialise before the first segnorm_feed(). */
struct segnorm {
	int started; /* a byte other than a separator has been written */
	int in_run;  /* the last byte read was CR or LF */
};

/*
 * Normalise the next len bytes of a message, for a message too large to
 * hold: segnorm_feed() over the message in pieces of any size, then
 * segnorm_end(), give the bytes segnorm_copy() gives for the whole.
 * Writes at most len bytes to dst and returns how many (a separator run
 * may write none); dst may be src (in place).
 */
size_t segnorm_feed(struct segnorm *z, char *dst, const char *src, size_t len);

/* The end of the message: the final CR into dst[0] when one is due.  Returns 0 or 1. */
size_t segnorm_end(struct segnorm *z, char *dst);

/* 1 when segnorm_copy() would return src unchanged, else 0. */
int segnorm_is_normal(const char *src, size_t len);

#endif

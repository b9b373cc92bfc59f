/* SPDX-License-Identifier: MIT */
/* stats.h: counters in a small shared file, updated atomically by every process that maps it. */
#ifndef MLLPD_STATS_H
#define MLLPD_STATS_H

#include <stdint.h>

/*
 * The file (STATS_FILE_SIZE bytes, native byte order):
 *   0   8 bytes  magic "MLLPSTAT"
 *   8   uint32   version (STATS_VERSION)
 *   12  uint32   number of counters (STATS_SLOTS)
 *   16  48 bytes zero (room)
 *   64  STATS_SLOTS uint64 counters, in the order of enum stats_counter
 *
 * Every process that opens the file maps it shared and adds with relaxed
 * atomic additions: counts from concurrent processes (and forked children,
 * which inherit the mapping) add up exactly, and what a process counted is
 * in the file the moment it counted it, so a killed process loses nothing
 * already counted.  A machine crash can lose the last counts (the file is
 * never fsynced): these are metrics, not records.  Counters only grow, and
 * wrap at 2^64.
 */
#define STATS_MAGIC "MLLPSTAT"
#define STATS_VERSION 1u
#define STATS_SLOTS 32
#define STATS_HEADER 64
#define STATS_FILE_SIZE (STATS_HEADER + STATS_SLOTS * 8)

/* The counters.  The first seven are indexed by enum ack_code (lib/ack.h): ACK_NONE is 0. */
enum stats_counter {
	STATS_ACK_NONE, /* a message answered with nothing (an inbound ACK) */
	STATS_ACK_AA,
	STATS_ACK_AE,
	STATS_ACK_AR,
	STATS_ACK_CA,
	STATS_ACK_CE,
	STATS_ACK_CR,
	STATS_BYTES,	   /* bytes of the frames received */
	STATS_CONNECTIONS, /* connections served (TLS ones counted before their handshake) */
	STATS_DUPLICATES,  /* --dedupe resends answered from the record */
	STATS_TLS_REFUSED, /* TLS handshakes that failed (a refused certificate included) */
	STATS_COUNTERS	   /* how many are in use; the rest of the STATS_SLOTS are zero */
};

/* A mapped file.  Zero-initialised: not open (stats_add() does nothing). */
struct stats {
	uint64_t *slot; /* STATS_SLOTS counters in the mapping, or NULL */
	void *map;
};

/* Why stats_open() failed (errno tells more for STATS_ERR_SYSTEM). */
enum stats_error {
	STATS_OK,
	STATS_ERR_SYSTEM,  /* open, flock, ftruncate, mmap: errno is set */
	STATS_ERR_FOREIGN, /* the file is not a stats file (size or magic) */
	STATS_ERR_VERSION, /* a stats file of another version */
};

/* Flags of stats_open(). */
#define STATS_CREATE 1	 /* create the file when missing (mode 0644 under the umask) */
#define STATS_READONLY 2 /* map it read-only: stats_get() only */

/*
 * Open path and map it.  With STATS_CREATE a missing or empty file is made
 * a stats file of zero counts; the file is locked (flock) while that is
 * done, and while it is checked, so processes starting together agree on
 * one file.  An existing file must be exactly STATS_FILE_SIZE bytes with
 * the magic and version, else it is refused and left untouched (a wrong
 * path must never be overwritten).  The descriptor is closed before
 * returning: only the mapping stays (a fork inherits it).
 * Returns STATS_OK, or the reason (s is then not open).
 */
enum stats_error stats_open(struct stats *s, const char *path, int flags);

/* A sentence for the reason (without errno's text): "not a mllpd stats file", ... */
const char *stats_error_text(enum stats_error e);

/* Add n to counter c (atomic, relaxed).  Nothing when s is NULL or not open, or c is out of range.
 */
void stats_add(struct stats *s, enum stats_counter c, uint64_t n);

/* The value of counter c (an atomic load); 0 when s is not open or c is out of range. */
uint64_t stats_get(const struct stats *s, enum stats_counter c);

/* Unmap; s is then not open.  Safe on a zeroed or closed struct. */
void stats_close(struct stats *s);

#endif

/* SPDX-License-Identifier: MIT */
/* ddtable.h: dedupe's record table, one preallocated file mapped by every process sharing DIR. */
#ifndef MLLPD_DDTABLE_H
#define MLLPD_DDTABLE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * DIR/table (lib/dedupe.c uses it; see dedupe.h for what a record means):
 *   bytes [0, 4096)        header: "MLDT", version, sets, ways, slot size
 *                          (little-endian u32 each), zeros
 *   then DDTABLE_SETS sets of 4096 bytes, a set chosen by a hash of the key
 *   fields (without the kind, so a message and a batch share a set):
 *     slot 0               the set's lock (u64: pid | ~pid << 32, 0 free)
 *                          and overflow time (i64: the newest record of
 *                          this set kept as a file instead, 0 none)
 *     slots 1..7 (512 B)   records: FNV-1a 64 of bytes [8, 64 + key + ack),
 *                          "MLDS", key length, time (i64), ACK length,
 *                          window (s), the SHA-256 digest, the key, the ACK
 * The file is created whole and allocated (fallocate) under a temporary
 * name and linked into place, so no process ever maps a short table, nor
 * writes a record into a page the file system has no room for (SIGBUS).
 * A writer clears a slot's magic before changing it and sets it last, and
 * the FNV sum covers it: a slot cut by a kill -9 or damaged on disk is an
 * empty slot, never a record.  Nothing is msynced: the page cache keeps
 * what a killed process wrote.
 */

#define DDTABLE_SETS 16384u
#define DDTABLE_WAYS 7u
#define DDTABLE_SLOT 512u
#define DDTABLE_ROOM (DDTABLE_SLOT - 64u) /* key + ACK bytes a slot holds */
#define DDTABLE_SIZE ((size_t)(DDTABLE_SETS + 1) * 4096u)

struct ddtable {
	unsigned char *map; /* NULL: no table */
};

/* A record as found: pointers into the map, valid while the set is locked. */
struct ddtable_rec {
	long long t;
	uint32_t window;
	const unsigned char *digest; /* 32 bytes */
	const unsigned char *ack;
	size_t ack_len;
};

/*
 * Map DIR/table (dirfd), creating it when missing.  Returns 0, or -1 with
 * errno set (EPROTO: a file that is not a table of this layout).
 */
int ddtable_open(struct ddtable *t, int dirfd);

/* Unmap; safe to call twice. */
void ddtable_close(struct ddtable *t);

/*
 * Lock the set of hash h for process self: an atomic compare-and-swap on
 * its lock word, no system call when free.  A word held by a process that
 * is gone (kill(pid, 0) fails with ESRCH) or that is not a valid word is
 * taken over; else wait (sleeping 50 us to 1 ms between tries).  A word
 * already held by self counts as taken (as an fcntl lock would).  Every
 * process sharing a table must be in one PID namespace.
 */
void ddtable_lock(struct ddtable *t, uint64_t h, pid_t self);

/* Release self's lock on the set of h (nothing if self does not hold it). */
void ddtable_unlock(struct ddtable *t, uint64_t h, pid_t self);

/* 1 and *r when a valid slot of h's set holds key[0..len), else 0. */
int ddtable_find(const struct ddtable *t, uint64_t h, const unsigned char *key, size_t len,
		 struct ddtable_rec *r);

/*
 * Store a record of key in h's set: in the key's slot, else an empty,
 * damaged or expired one (time + its window before now).  Returns 0, or -1
 * when the key and ACK do not fit a slot or every slot holds a live record
 * (the caller keeps it elsewhere and says so with ddtable_set_overflow).
 */
int ddtable_put(struct ddtable *t, uint64_t h, const unsigned char *key, size_t len,
		const unsigned char digest[32], long long now, uint32_t window,
		const unsigned char *ack, size_t ack_len);

/* Empty the slot holding key, if any. */
void ddtable_forget(struct ddtable *t, uint64_t h, const unsigned char *key, size_t len);

/* The set's overflow time (0: none), and raising it to at least when. */
long long ddtable_overflow(const struct ddtable *t, uint64_t h);
void ddtable_set_overflow(struct ddtable *t, uint64_t h, long long when);

/* 1 if b[0..DDTABLE_SLOT) is a valid record slot (the reader's checks). */
int ddtable_slot_valid(const unsigned char *b);

#endif

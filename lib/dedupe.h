/* SPDX-License-Identifier: MIT */
/* dedupe.h: an on-disk record of accepted (MSH-3, MSH-4, MSH-10) keys, shared by every process using one directory. */
#ifndef MLLPD_DEDUPE_H
#define MLLPD_DEDUPE_H

#include <stddef.h>
#include <time.h>

#include "hl7.h"

/*
 * Layout of the directory DIR:
 *   DIR/lock                 empty file, used only for fcntl byte-range locks
 *   DIR/START+SIZE/          a bucket: keys accepted in [START, START+SIZE)
 *   DIR/START+SIZE/HHHH...   one record: 16 lowercase hex digits, a 64-bit
 *                            hash of the key; it holds a header (magic,
 *                            version, acceptance time, key and ACK lengths),
 *                            the key bytes and the ACK bytes
 *   DIR/START+SIZE/.PID.HHHH a record being written (renamed into place)
 * START and SIZE are decimal seconds (epoch, bucket size); SIZE is
 * max(1, window / 2), so a lookup opens 2 to 4 buckets.
 *
 * Guarantees: a record is never seen partly written (temporary name, then
 * rename); a record whose size or header does not add up, or whose stored
 * key differs from the one asked (a hash collision), is absent, never a
 * duplicate.  Records are not fsynced: after a power cut or a crash between
 * delivery and dedupe_record() a duplicate may be delivered again, but no
 * message is ever dropped as a false duplicate.
 *
 * Processes using different windows on one DIR do not see each other's
 * records (each looks only in buckets of its own SIZE), and never prune a
 * bucket still inside the window that made it.
 */

/* The longest window dedupe_parse_window() and dedupe_open() accept (366 days). */
#define DEDUPE_WINDOW_MAX (366L * 24 * 60 * 60)

/*
 * The key of a message: the whole raw fields MSH-3, MSH-4 and MSH-10 (as
 * hl7_msh(m, n, 0) gives them), compared byte for byte.  Borrowed: dedupe
 * never keeps the spans after a call returns.
 */
struct dedupe_key {
	struct hl7_span app, fac, control_id;
};

struct dedupe {
	int dirfd;         /* DIR */
	int lockfd;        /* DIR/lock, read-write: fcntl locks only */
	long window;       /* seconds */
	long bucket;       /* bucket size in seconds: max(1, window / 2) */
	time_t next_prune; /* dedupe_prune() does nothing before this time */
};

/*
 * Open (creating when missing, mode 0750 under the umask) dir and dir/lock,
 * for a window of window_seconds (1 to DEDUPE_WINDOW_MAX).  Returns 0, or
 * -1 with errno set (*what names the part that failed: dir, "lock", or
 * "window" with EINVAL for one out of range).  The descriptors are
 * close-on-exec.
 *
 * The locks are fcntl (POSIX) locks: they belong to the process, are not
 * inherited by fork() (so a struct opened before fork() works in each
 * child), are released when the process dies, and are ALL released when
 * the process closes ANY descriptor of dir/lock.  Keep this one descriptor
 * and open dir/lock nowhere else in the process.
 */
int dedupe_open(struct dedupe *d, const char *dir, long window_seconds, const char **what);

/* Close the descriptors (releasing this process's locks); safe to call twice. */
void dedupe_close(struct dedupe *d);

/*
 * Serialise on key k with every other process: take a write lock on one
 * byte of dir/lock chosen by the key's hash (unrelated keys share a byte
 * rarely, and then only wait for each other).  Blocks until granted,
 * retrying after EINTR.  Use it as
 *   dedupe_lock, dedupe_find, (deliver, dedupe_record), dedupe_unlock
 * so that of two processes holding the same message the second finds the
 * first's record; read the clock for dedupe_find() after dedupe_lock()
 * returns, so that a record made while waiting is not in the future.
 * Hold one key's lock at a time: waiting for a second
 * while holding one can deadlock against another process (the kernel then
 * fails one of the waits with EDEADLK).  Within one process the lock does
 * not exclude anything (fcntl locks are per process).
 * Returns 0, or -1 with errno set.
 */
int dedupe_lock(struct dedupe *d, const struct dedupe_key *k);

/* Release the lock dedupe_lock() took for k.  Returns 0, or -1 with errno. */
int dedupe_unlock(struct dedupe *d, const struct dedupe_key *k);

/*
 * Look k up among the records of the last window: accepted at time t with
 * now - window <= t (a record of time t is found up to now = t + window
 * included, and not from t + window + 1 on).
 * Returns 1 when found: *accepted_at (when not NULL) is t and *ack_len the
 * length of the stored ACK (0: no answer was sent), copied to ack when it
 * fits in cap (ack may be NULL when cap is 0); when it does not fit,
 * nothing is copied, so call again with a buffer of *ack_len bytes.
 * Returns 0 when not found (no record, expired, damaged or unreadable, or
 * another key with the same hash), or -1 with errno set (a record that
 * cannot be opened for another reason than its absence).
 */
int dedupe_find(struct dedupe *d, const struct dedupe_key *k, time_t now, char *ack, size_t cap, size_t *ack_len,
		time_t *accepted_at);

/*
 * Record that k was accepted at now and answered with ack[0..ack_len)
 * (opaque bytes, framed or not, as the caller will want to send them again;
 * ack_len 0 = no answer).  Replaces any record of k in the same bucket.
 * Not fsynced (see above).  Returns 0, or -1 with errno set (EOVERFLOW for
 * a field or ACK of 4 GiB or more); nothing is left behind on failure.
 */
int dedupe_record(struct dedupe *d, const struct dedupe_key *k, time_t now, const char *ack, size_t ack_len);

/*
 * Remove the buckets whose every record is past its window: a bucket of
 * size S ending at E goes when now - E > 2 * S (any window that makes
 * buckets of size S is at most 2 * S + 1), whatever window this struct
 * has.  Does nothing (returns 0, no system call) when called again within
 * one bucket period of the last call, and when another process is pruning
 * (a non-blocking lock on a byte of dir/lock past the key locks): call it
 * freely, e.g. after each dedupe_record().  Temporary files left by a
 * crash go with their bucket.  Returns the number of records removed, or
 * -1 with errno set.
 */
int dedupe_prune(struct dedupe *d, time_t now);

/*
 * Parse a window: decimal digits with an optional unit, s (the default),
 * m, h or d: "600", "600s", "15m", "24h", "7d".  The result must be from 1
 * to DEDUPE_WINDOW_MAX seconds.  Returns 0 and stores it, or -1 (nothing
 * stored) for anything else: empty, a sign, spaces, another suffix, 0,
 * too long.
 */
int dedupe_parse_window(const char *s, long *seconds);

#endif

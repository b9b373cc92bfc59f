/* SPDX-License-Identifier: MIT */
/* dedupe.h: an on-disk record of accepted messages and batches (kind, key, content digest), shared
 * by every process using one directory. */
#ifndef MLLPD_DEDUPE_H
#define MLLPD_DEDUPE_H

#include <stddef.h>
#include <time.h>

#include "ddtable.h"
#include "hl7.h"

/*
 * What is a duplicate.  A unit (a message, or a batch) has a kind, a key
 * and a content:
 *   - a message's key is its MSH-3, MSH-4 and MSH-10; a batch's is the
 *     sending application, facility and control ID of its header (BHS-3,
 *     BHS-4, BHS-11, or FHS-3/4/11 without a BHS);
 *   - the kind is part of the key: a message and a batch never match,
 *     whatever their fields;
 *   - the content is the unit's bytes exactly as received (for MLLP the
 *     bytes between 0x0B and 0x1C, for a plain stream the lib/msgsplit
 *     unit), as its SHA-256 digest.
 * A unit is a duplicate when a record of the same kind and key, with the
 * same digest, was made within the window.  The same kind and key with
 * another digest is a reused control ID (a sender restarted its counter,
 * a second interface): a new message to deliver; recording it replaces
 * the old record, so the newest content of a key is the one remembered.
 *
 * Why exact bytes and SHA-256: two different units taken for the same one
 * would drop a message, so the comparison must never say "same" wrongly,
 * while saying "different" wrongly only delivers a resend twice (what
 * happens without --dedupe).  The exact bytes need no judgement on what
 * may differ in a resend; a sender that changes any byte (MSH-7, say)
 * gets a delivery and a reused-control-ID log line, not a silent drop.
 * SHA-256 (FIPS 180-4, lib/sha256.c, no dependency) is collision resistant:
 * 256 bits, and no way known to make two inputs with one digest, so a
 * false duplicate is out of the question in practice, even for a sender
 * who crafts its messages (a 64-bit or non-cryptographic hash is not,
 * and MD5 and SHA-1 have known collisions).
 *
 * Layout of the directory DIR:
 *   DIR/table                the records (lib/ddtable.h): a slot per record,
 *                            16384 sets of 7, a lock word per set; a record
 *                            that does not fit (set full of live records,
 *                            key and ACK over 448 bytes) goes to a bucket
 *                            file below, and its set says to look there
 *   DIR/lock                 empty file, used only for fcntl byte-range locks
 *                            (the pruner's, and keys after dedupe_files_only)
 *   DIR/START+SIZE/          a bucket: keys accepted in [START, START+SIZE)
 *   DIR/START+SIZE/HHHH...   one record: 16 lowercase hex digits, a 64-bit
 *                            hash of the kind and key; it holds a header
 *                            (magic, version, acceptance time, key and ACK
 *                            lengths, content digest), the kind and key
 *                            bytes and the ACK bytes
 *   DIR/START+SIZE/.PID.HHHH a record being written (renamed into place)
 * START and SIZE are decimal seconds (epoch, bucket size); SIZE is
 * max(1, window / 2), so a lookup opens 2 to 4 buckets.
 *
 * Guarantees: a record is never seen partly written (temporary name, then
 * rename); a record whose size or header does not add up, that claims an
 * ACK longer than DEDUPE_ACK_MAX, or whose stored kind and key differ from
 * the ones asked (a hash collision), is absent, never a duplicate.
 * Records are not fsynced: after a power cut or a crash between delivery
 * and dedupe_store() a duplicate may be delivered again, but no message is
 * ever dropped as a false duplicate.  Records of an older format (version
 * 1, before kinds and digests) are absent too: right after an upgrade a
 * resend may be delivered once more.
 *
 * Processes using different windows on one DIR judge the table's records
 * by their own window; each keeps a record until its own window is past.
 * Bucket files of another window's SIZE are not looked at, and never
 * pruned while still inside the window that made them.
 */

/* The longest window dedupe_parse_window() and dedupe_open() accept (366 days). */
#define DEDUPE_WINDOW_MAX (366L * 24 * 60 * 60)

/*
 * The longest answer a record holds (64 MiB): dedupe_store() refuses a
 * longer one (EMSGSIZE: the unit is then not recorded, and a resend is
 * delivered again), and a record claiming more is damaged (absent), so a
 * caller never needs a buffer larger than this.  An acknowledgement batch
 * for a batch of the default --max-message-size (16 MiB) fits.
 */
#define DEDUPE_ACK_MAX ((size_t)64 << 20)

/* The length of a content digest: SHA-256. */
#define DEDUPE_DIGEST_LEN 32

/*
 * The key fields, compared byte for byte: the whole raw fields (as
 * hl7_msh(m, n, 0) or hl7_batch_field() give them).  Borrowed: dedupe
 * never keeps the spans after a call returns.
 */
struct dedupe_key {
	struct hl7_span app, fac, control_id;
};

/* What a unit is.  0 is none: a unit of kind 0 fails with EINVAL. */
enum dedupe_kind {
	DEDUPE_MESSAGE = 1, /* key: MSH-3, MSH-4, MSH-10 */
	DEDUPE_BATCH = 2,   /* key: BHS-3, BHS-4, BHS-11 (or FHS-3/4/11) */
};

/* A unit as dedupe sees it: make it with dedupe_unit_init(). */
struct dedupe_unit {
	enum dedupe_kind kind;
	struct dedupe_key key;			 /* borrowed spans */
	unsigned char digest[DEDUPE_DIGEST_LEN]; /* SHA-256 of the unit's bytes */
};

/*
 * Fill u: kind, key (spans copied, the bytes still borrowed) and the
 * SHA-256 of bytes[0..len), the unit exactly as received.  Call it before
 * dedupe_lock(): hashing a large unit needs no lock.
 */
void dedupe_unit_init(struct dedupe_unit *u, enum dedupe_kind kind, struct dedupe_key key,
		      const char *bytes, size_t len);

struct dedupe {
	int dirfd;	      /* DIR */
	int lockfd;	      /* DIR/lock, read-write: fcntl locks only */
	long window;	      /* seconds */
	long bucket;	      /* bucket size in seconds: max(1, window / 2) */
	time_t next_prune;    /* dedupe_prune() does nothing before this time */
	struct ddtable table; /* DIR/table mapped; map NULL: records as files only */
	pid_t locker;	      /* the pid that took the table lock */
	pid_t self;	      /* dedupe_set_self(): this process's pid; 0: getpid() per lock */
};

/*
 * Tell d the pid of the one process that will lock with it (getpid()), so
 * that dedupe_lock() need not ask the kernel each time (a system call per
 * unit).  Only for a struct that no fork()ed child will use: a child would
 * take its parent's locks for its own.  Without it (self 0), every lock
 * asks getpid(), and a struct opened before fork() works in each child.
 */
void dedupe_set_self(struct dedupe *d, pid_t self);

/*
 * Keep records only as files, as before the table (and lock with fcntl):
 * what a record too large for a table slot gets.  For tests of that path;
 * every process on one DIR must use the table or none.
 */
void dedupe_files_only(struct dedupe *d);

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
 * byte of dir/lock chosen by a hash of the key fields (unrelated keys
 * share a byte rarely, and then only wait for each other; a message and a
 * batch with the same fields share one).  Blocks until granted, retrying
 * after EINTR.  Pass &u.key of the unit, and use it as
 *   dedupe_unit_init, dedupe_lock, dedupe_lookup, (deliver, dedupe_store),
 *   dedupe_unlock
 * so that of two processes holding the same unit the second finds the
 * first's record; read the clock for dedupe_lookup() after dedupe_lock()
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

/* What dedupe_lookup() found. */
enum dedupe_status {
	DEDUPE_FAILED = -1, /* the record cannot be used: errno is set */
	DEDUPE_NEW =
	    0, /* no record of this kind and key in the window: deliver, then dedupe_store() */
	DEDUPE_DUPLICATE =
	    1, /* same kind, key and content: do not deliver; the stored answer is in ack */
	DEDUPE_REUSED =
	    2, /* same kind and key, other content: deliver as new, log it, then dedupe_store() */
	DEDUPE_TRUNCATED = 3, /* a duplicate whose answer is longer than cap: nothing copied */
};

/* The details of a record found. */
struct dedupe_hit {
	size_t ack_len;	    /* DEDUPE_DUPLICATE: the bytes copied to ack, at most cap; else 0 */
	size_t ack_stored;  /* DUPLICATE, TRUNCATED: the stored answer's length, at most
			       DEDUPE_ACK_MAX; else 0 */
	time_t accepted_at; /* DUPLICATE, TRUNCATED, REUSED: when the record was made; else 0 */
};

/*
 * Look unit u up among the records of the last window: made at time t
 * with now - window <= t (a record of time t is found up to now = t +
 * window included, and not from t + window + 1 on); the newest record of
 * u's kind and key decides.  Always fills *hit.  Returns:
 *   DEDUPE_DUPLICATE  the stored answer (0 bytes: none was sent) is in
 *                     ack[0..hit->ack_len), ack_len <= cap: send exactly
 *                     those bytes, never more;
 *   DEDUPE_TRUNCATED  a duplicate, but its answer (hit->ack_stored bytes,
 *                     at most DEDUPE_ACK_MAX) does not fit in cap: nothing
 *                     is copied and nothing may be sent; still holding the
 *                     lock, call again with a buffer of ack_stored bytes,
 *                     and act on what that call returns (the record may
 *                     have changed or gone meanwhile);
 *   DEDUPE_REUSED     same kind and key with other content: a new unit;
 *   DEDUPE_NEW        no record (none, expired, damaged, unreadable, or
 *                     another key with the same hash);
 *   DEDUPE_FAILED     with errno set: a record that cannot be opened for
 *                     another reason than its absence, or a unit whose
 *                     kind is not a dedupe_kind (EINVAL) or whose key is
 *                     4 GiB or more (EOVERFLOW).
 * ack may be NULL when cap is 0; its bytes past hit->ack_len, and all of
 * them unless DEDUPE_DUPLICATE, are unspecified.
 */
enum dedupe_status dedupe_lookup(struct dedupe *d, const struct dedupe_unit *u, time_t now,
				 char *ack, size_t cap, struct dedupe_hit *hit);

/*
 * Record that u was accepted at now and answered with ack[0..ack_len)
 * (opaque bytes, framed or not, as the caller will want to send them again;
 * ack_len 0 = no answer).  Replaces any record of u's kind and key in the
 * same bucket (in an older bucket it stays, but the newer one decides).
 * Not fsynced (see above).  Returns 0, or -1 with errno set (EMSGSIZE for
 * an ACK longer than DEDUPE_ACK_MAX, EOVERFLOW for a key of 4 GiB or more,
 * EINVAL for a unit of no dedupe_kind); nothing is left behind on failure.
 */
int dedupe_store(struct dedupe *d, const struct dedupe_unit *u, time_t now, const char *ack,
		 size_t ack_len);

/*
 * Remove the buckets whose every record is past its window: a bucket of
 * size S ending at E goes when now - E > 2 * S (any window that makes
 * buckets of size S is at most 2 * S + 1), whatever window this struct
 * has.  Does nothing (returns 0, no system call) when called again within
 * one bucket period of the last call, and when another process is pruning
 * (a non-blocking lock on a byte of dir/lock past the key locks): call it
 * freely, e.g. after each dedupe_store().  Temporary files left by a
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

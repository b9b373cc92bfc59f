/* SPDX-License-Identifier: MIT */
/* msgsplit.h: split a byte stream into HL7 v2 messages (MLLP frames or concatenated text); no I/O,
 * no allocation. */
#ifndef MLLPD_MSGSPLIT_H
#define MLLPD_MSGSPLIT_H

#include <stddef.h>

#include "hl7.h"

/*
 * A stream holds units, one after the other, separated by any number of
 * CR, LF, space and tab bytes:
 *   - an MLLP frame: 0x0B, the message, 0x1C, an optional 0x0D;
 *   - plain text: from its first byte to the next line that begins a new
 *     unit: "MSH", "FHS" or "BHS" (a UTF-8 BOM before them allowed)
 *     followed by a byte that is not a letter, a digit, CR or LF, or a
 *     0x0B.  A line begins after a CR or an LF.
 * A plain unit that starts with FHS or BHS is a batch: MSH lines inside it
 * do not split it; it ends after its trailer line (FTS for FHS, BTS for
 * BHS) and that line's end (CR, LF or CRLF), or before the next FHS line
 * or BHS line (a BHS inside an FHS batch does not end it), or at the end
 * of the stream.
 * A plain unit that does not start with MSH (junk, a stray trailer) is still
 * returned as a unit: hl7_parse() tells the caller what is wrong with it.
 */

enum msgsplit_event {
	MSGSPLIT_NEED_MORE, /* no whole unit in the bytes given: give more (or eof) */
	MSGSPLIT_MESSAGE,   /* a unit is in *msg */
	MSGSPLIT_END,	    /* eof and nothing but separators left */
};

/* Flags of the unit returned (struct msgsplit.flags). */
#define MSGSPLIT_FRAMED 0x01	/* it was an MLLP frame (*msg excludes 0x0B/0x1C) */
#define MSGSPLIT_BATCH 0x02	/* it starts with FHS or BHS (after a BOM) */
#define MSGSPLIT_TRUNCATED 0x04 /* a frame cut off by eof or by a new 0x0B */

/* Splitter state, owned by the caller; zero-initialise it. */
struct msgsplit {
	size_t scan;	/* internal: bytes of the current unit already searched */
	unsigned flags; /* MSGSPLIT_* of the last unit returned */
};

/*
 * Find the next unit in buf[0..len), the bytes the caller has not yet
 * consumed.  eof is 1 when no byte follows buf[len - 1].  Sets *used to the
 * number of bytes to drop from the front of buf before the next call (the
 * unit and what precedes it, or on MSGSPLIT_NEED_MORE the separators
 * skipped so far).  On MSGSPLIT_MESSAGE *msg borrows from buf: valid until
 * the caller moves or overwrites those bytes.  After MSGSPLIT_NEED_MORE,
 * call again with the same unconsumed bytes followed by more: the search
 * resumes where it stopped, so a unit read in small pieces costs O(size).
 * The units (bytes and flags) do not depend on how the stream was cut into
 * pieces: whole, split anywhere or a byte at a time, they are the same
 * (so a trailer's CR last in buf waits for the next byte or eof, in case
 * an LF follows).
 * Never reads outside buf[0..len).
 */
enum msgsplit_event msgsplit_next(struct msgsplit *s, const char *buf, size_t len, int eof,
				  struct hl7_span *msg, size_t *used);

#endif

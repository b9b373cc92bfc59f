/* SPDX-License-Identifier: MIT */
/* batch.h: HL7 v2 batches (FHS/BHS ... BTS/FTS): structure check and walk; no I/O, no allocation.
 */
#ifndef MLLPD_BATCH_H
#define MLLPD_BATCH_H

#include <stddef.h>

#include "hl7.h"

/*
 * A batch is one block that starts with FHS or BHS (a UTF-8 BOM before it
 * allowed) and holds, in this order (HL7 v2 chapter 2, batch protocol):
 *
 *   [FHS] { [BHS] { MSH message } [BTS] } [FTS]
 *
 * - FHS-1/FHS-2 (or BHS-1/BHS-2 without FHS) give the delimiters; every
 *   header and every message must use the same field separator.
 * - A message runs from its MSH to the segment before the next MSH, BHS,
 *   BTS or FTS.  Its own checks are hl7_parse()'s, on its span.
 * - A BHS opens a group, only at the start, after FHS or after a BTS; a
 *   BTS closes the open group.  Lenient, as senders are: a missing BTS
 *   before the FTS or the end, and a missing FTS, are accepted; so are
 *   messages directly inside FHS without BHS (one implicit group).
 * - BTS-1 (batch message count), when valued, must equal the messages of
 *   its group; FTS-1 (file batch count), when valued, the groups of the
 *   file (an implicit group counts as one) or, in a file without any BHS,
 *   the messages of the file (what common senders write there).  A count
 *   that matches none of these means messages were lost on the way: the
 *   batch is refused.
 * - Anything else (a segment other than MSH before the first MSH of a
 *   group, a second FHS, a BHS inside an open group, a segment after FTS) is
 *   a segment sequence error.
 *
 * Spans borrow from the caller's buffer.
 */

/* One piece of a batch, in order. */
enum hl7_batch_kind {
	HL7_BATCH_FHS,	   /* the file header segment */
	HL7_BATCH_BHS,	   /* a batch header segment (opens a group) */
	HL7_BATCH_MESSAGE, /* a message: MSH up to its last segment's separator */
	HL7_BATCH_BTS,	   /* a batch trailer segment (closes a group) */
	HL7_BATCH_FTS,	   /* the file trailer segment */
};

/* Structure errors (X-macro: name, table 0357 code, text: never message bytes). */
#define HL7_BATCH_STATUS_LIST(X)                                                                   \
	X(HL7_BATCH_OK, 0, "ok")                                                                   \
	X(HL7_BATCH_ERR_HEADER, 100, "batch does not start with FHS or BHS")                       \
	X(HL7_BATCH_ERR_DELIMS, 102, "FHS-1/FHS-2 or BHS-1/BHS-2 are not valid delimiters")        \
	X(HL7_BATCH_ERR_SEGMENT_ID, 100, "invalid segment ID in a batch")                          \
	X(HL7_BATCH_ERR_OUTSIDE, 100, "segment outside a message in a batch")                      \
	X(HL7_BATCH_ERR_ORDER, 100, "batch header or trailer out of order")                        \
	X(HL7_BATCH_ERR_COUNT, 100, "BTS-1 or FTS-1 count does not match the batch")

enum hl7_batch_status {
#define HL7_BATCH_X_ENUM(name, code, text) name,
	HL7_BATCH_STATUS_LIST(HL7_BATCH_X_ENUM)
#undef HL7_BATCH_X_ENUM
};

const char *hl7_batch_status_text(enum hl7_batch_status s);
int hl7_batch_status_code(enum hl7_batch_status s);

/* A checked batch: caller-owned, zero-initialisable. */
struct hl7_batch {
	const char *buf;
	size_t len;
	size_t start;		  /* offset of the first header (after a BOM) */
	struct hl7_delims d;	  /* from the first header */
	struct hl7_span fhs, bhs; /* first FHS and first BHS segments, or empty */
	size_t messages;	  /* messages in the whole batch */
	size_t groups;		  /* BHS groups (an implicit group counts one) */
	enum hl7_batch_status status;
	size_t err_offset;   /* where the error is */
	char err_segment[4]; /* segment ID at the error, or "" */
};

/* 1 if the block starts (after an optional UTF-8 BOM) with "FHS" or "BHS", else 0. */
int hl7_batch_is(const char *buf, size_t len);

/*
 * Check the structure of a batch in buf[0..len) (not the messages' own
 * checks: run hl7_parse() on each message span for those).  Returns
 * HL7_BATCH_OK or the first error; the same in b->status.  O(len).
 */
enum hl7_batch_status hl7_batch_parse(struct hl7_batch *b, const char *buf, size_t len);

/*
 * Walk a batch that hl7_batch_parse() accepted: *cursor starts at 0; each
 * call stores the next piece's kind and span (a header or trailer segment
 * without its separator; a message with the separators of its segments,
 * exactly the bytes between its MSH and the next piece) and returns 1, or
 * returns 0 at the end.
 */
int hl7_batch_next(const struct hl7_batch *b, size_t *cursor, enum hl7_batch_kind *kind,
		   struct hl7_span *span);

/*
 * Field n (n >= 1) of a header or trailer segment span of this batch, as
 * HL7 numbers them: FHS-1/BHS-1 are the field separator and FHS-2/BHS-2
 * the encoding characters (as for MSH); BTS-1/FTS-1 are the first field
 * after the segment ID.  Same return convention as hl7_field().
 */
int hl7_batch_field(const struct hl7_batch *b, struct hl7_span seg, unsigned n,
		    struct hl7_span *out);

#endif

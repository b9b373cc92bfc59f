/* SPDX-License-Identifier: MIT */
/* ack.h: choose and build HL7 v2 acknowledgements (the rules: mllpd(8) ACKNOWLEDGEMENTS). */
#ifndef MLLPD_ACK_H
#define MLLPD_ACK_H

#include <stddef.h>

#include "batch.h"
#include "hl7.h"

/* What happened to a message: delivered, failed (send again), refused. */
enum ack_outcome {
	ACK_OUTCOME_ACCEPT,
	ACK_OUTCOME_ERROR,
	ACK_OUTCOME_REJECT,
};

enum ack_mode {
	ACK_MODE_AUTO,	   /* per message from MSH-15/MSH-16 (HL7 table 0155) */
	ACK_MODE_ORIGINAL, /* always AA/AE/AR */
};

enum ack_code {
	ACK_NONE, /* no answer at all */
	ACK_AA,
	ACK_AE,
	ACK_AR,
	ACK_CA,
	ACK_CE,
	ACK_CR,
};

/* "AA", "AE", ... or "none" for ACK_NONE. */
const char *ack_code_name(enum ack_code c);

/* The code named "AA", "AE", ... (as ackread reads MSA-1); ACK_NONE for anything else. */
enum ack_code ack_code_from_name(const char *name);

/* 1 for AA and CA, else 0. */
int ack_code_positive(enum ack_code c);

/*
 * The answer a message gets.  m is the parsed message (hl7_parse() was
 * called, whatever it returned); when it has no readable MSH the answer is
 * AR/AE/AA as in original mode (a minimal NAK).  An inbound acknowledgement
 * (MSH-9.1 "ACK") gets ACK_NONE in either mode.
 */
enum ack_code ack_choose(const struct hl7_msg *m, enum ack_mode mode, enum ack_outcome outcome);

struct ack_params {
	enum ack_code code;	 /* not ACK_NONE */
	int err_code;		 /* HL7 table 0357 code; 0 = no ERR segment */
	const char *err_text;	 /* plain text for MSA-3 and ERR, or NULL; escaped here */
	const char *err_segment; /* segment ID for the error location, or NULL */
	unsigned err_field;	 /* field position for the error location, 0 = none */
	const char *control_id;	 /* MSH-10 of the ACK, fresh (plain text) */
	const char *timestamp;	 /* MSH-7, e.g. "20261126060100+0000" */
	const char *application; /* MSH-3 of the ACK, or NULL for inbound MSH-5 */
	const char *facility;	 /* MSH-4 of the ACK, or NULL for inbound MSH-6 */
};

/*
 * Build the ACK for message m (not framed: no 0x0B/0x1C).  With the inbound
 * delimiters when m->has_delims, else a minimal NAK with |^~\& whose MSA-2
 * is the inbound MSH-10 when MSH-1 was readable.  Every segment ends with
 * \r.  Writes at most cap bytes to dst and returns the full length
 * (strlcpy-style; no NUL is written).
 */
size_t ack_build(char *dst, size_t cap, const struct hl7_msg *m, const struct ack_params *p);

/*
 * The header segment of an acknowledgement batch answering the inbound
 * header hdr (an FHS or BHS segment of batch b, as hl7_batch_next() gave
 * it): the same segment ID and delimiters; -3/-4 the inbound -5/-6 (or
 * p->application / p->facility), -5/-6 the inbound -3/-4, -7 p->timestamp,
 * -11 p->control_id, -12 the inbound -11 (the batch this answers).  Ends
 * with \r.  Only those fields of p are read.  strlcpy-style.
 */
size_t ack_batch_header(char *dst, size_t cap, const struct hl7_batch *b, struct hl7_span hdr,
			const struct ack_params *p);

/* The trailer of an acknowledgement batch: "BTS|count\r" (HL7_BATCH_BTS) or "FTS|count\r"
 * (HL7_BATCH_FTS). */
size_t ack_batch_trailer(char *dst, size_t cap, const struct hl7_batch *b, enum hl7_batch_kind kind,
			 size_t count);

/*
 * The shape of the acknowledgement batch answering batch b (one that
 * hl7_batch_parse() accepted), one step at a time, for mllpd and `hl7 ack`
 * alike: a header for each inbound FHS and BHS, a place for each message's
 * ACK, each BTS counting the ACKs of its group and FTS the groups, and the
 * trailers the sender left out.  Zero-initialise the walk, then call
 * ack_batch_next() until ACK_BATCH_END; after an ACK_BATCH_MESSAGE step
 * that the caller answered, call ack_batch_answered().
 */
enum ack_batch_step {
	ACK_BATCH_END,
	ACK_BATCH_HEADER,  /* append ack_batch_header() answering w->piece */
	ACK_BATCH_MESSAGE, /* answer the message w->piece (or not) */
	ACK_BATCH_TRAILER, /* append ack_batch_trailer(w->kind, w->count) */
};

struct ack_batch_walk {
	struct hl7_span piece;	  /* HEADER: the inbound FHS/BHS; MESSAGE: the message */
	enum hl7_batch_kind kind; /* TRAILER: HL7_BATCH_BTS or HL7_BATCH_FTS */
	size_t count;		  /* TRAILER: its count */
	size_t answered;	  /* the ACKs in the whole answer so far */
	/* internal */
	size_t cursor, in_group;
	int group_open, fhs, fts, pending_fts, done;
};

enum ack_batch_step ack_batch_next(struct ack_batch_walk *w, const struct hl7_batch *b);
void ack_batch_answered(struct ack_batch_walk *w);

/*
 * A fresh MSH-10 for an acknowledgement: at most 20 characters of A-Z0-9
 * (the v2.3-v2.5 length of ST), from the time, a process ID and a sequence
 * number, so IDs from concurrent processes differ.  dst needs 21 bytes.
 */
struct timespec;
void ack_control_id(char *dst, size_t cap, const struct timespec *now, unsigned long pid,
		    unsigned long seq);

/* MSH-7 in local time with the zone offset: YYYYMMDDHHMMSS+ZZZZ (dst: 20+ bytes). */
void ack_timestamp(char *dst, size_t cap, long long epoch_seconds);

/* Text of a table 0357 code ("Required field missing"); never NULL. */
const char *ack_error_text(int code);

#endif

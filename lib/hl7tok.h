/* SPDX-License-Identifier: MIT */
/* hl7tok.h: every leaf (subcomponent) of a parsed message with its coordinates, in caller-sized
 * batches. */
#ifndef MLLPD_HL7TOK_H
#define MLLPD_HL7TOK_H

#include <stddef.h>

#include "hl7.h"

/*
 * What a leaf is the last of, from the delimiter that ended it: a leaf
 * with end >= HL7_TOK_END_REP is the last leaf of its component and of its
 * repetition, and so on.
 */
enum hl7_tok_end {
	HL7_TOK_END_SUB = 1, /* a subcomponent delimiter: its component goes on */
	HL7_TOK_END_COMP,    /* the last leaf of its component */
	HL7_TOK_END_REP,     /* ... of its repetition */
	HL7_TOK_END_FIELD,   /* ... of its field */
	HL7_TOK_END_SEGMENT, /* ... of its segment */
};

/*
 * One leaf: the same leaves, in the same order, with the same numbers and
 * spans as the HL7_WALK_LEAF events of hl7_walk() (hl7walk.h), whose
 * numbering rules apply: MSH-1 and MSH-2 come whole, an empty field is one
 * empty leaf, a segment without an ID (or with only its ID) has no leaves,
 * the escape character splits nothing.  The counts of hl7_walk (nrep, ncomp,
 * nsub) are not known while streaming; end tells where each level closes.
 * Spans are borrowed from the message buffer.
 */
struct hl7_leaf {
	struct hl7_span value;	 /* raw (still escaped) bytes */
	struct hl7_span segment; /* the whole segment, without its separator */
	char id[4];		 /* the segment's ID, NUL-terminated */
	unsigned seg_index; /* 1 for the first segment with this ID...; 0 past 128 distinct IDs */
	unsigned field, rep, comp, sub; /* each from 1 */
	unsigned char end;		/* enum hl7_tok_end */
	unsigned char whole;		/* 1 for MSH-1 and MSH-2: never split, never decoded */
};

#define HL7_TOK_MAX_IDS 128

/*
 * The state of one tokenisation: owned by the caller, set by hl7_tok_init(),
 * about 1.5 KiB; its members are private.
 */
struct hl7_tok {
	const char *buf;
	size_t len;
	size_t next;   /* where the next segment is looked for */
	size_t seg, e; /* the current segment [seg, e) */
	size_t p;      /* where the next leaf starts */
	size_t blk;    /* the 16-byte block whose delimiters are in mask */
	unsigned mask;
	unsigned state;
	unsigned field, rep, comp, sub;
	char id[4];
	unsigned seg_index;
	unsigned nids;
	char ids[HL7_TOK_MAX_IDS][4];
	unsigned counts[HL7_TOK_MAX_IDS];
	unsigned char cls[256];
	char d[4]; /* field, component, repetition, subcomponent */
};

/*
 * Start tokenising m (m->has_delims must be set; otherwise the message has
 * no leaves).  m's buffer must outlive t; m itself need not.
 */
void hl7_tok_init(struct hl7_tok *t, const struct hl7_msg *m);

/*
 * Store the next leaves, at most cap, in out[] and return how many were
 * stored: fewer than cap (0 included) only at the end of the message.  Never
 * allocates; reads the message buffer only within [0, len); O(len) for the
 * whole message, with SSE2 where the compiler targets it (the portable code
 * otherwise, or when built with -DHL7TOK_SCALAR).
 */
size_t hl7_tok_next(struct hl7_tok *t, struct hl7_leaf *out, size_t cap);

#endif

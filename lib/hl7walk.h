/* SPDX-License-Identifier: MIT */
/* hl7walk.h: visit every segment, field, repetition, component and subcomponent of a parsed
 * message. */
#ifndef MLLPD_HL7WALK_H
#define MLLPD_HL7WALK_H

#include <stddef.h>

#include "hl7.h"

enum hl7_walk_event {
	HL7_WALK_SEGMENT, /* a segment begins (id, seg_index) */
	HL7_WALK_FIELD,	  /* a field begins (field, nrep) */
	HL7_WALK_REP,	  /* a repetition begins (rep, ncomp) */
	HL7_WALK_COMP,	  /* a component begins (comp, nsub) */
	HL7_WALK_LEAF,	  /* a subcomponent: value */
	HL7_WALK_COMP_END,
	HL7_WALK_REP_END,
	HL7_WALK_FIELD_END,
	HL7_WALK_SEGMENT_END,
};

struct hl7_walk_pos {
	struct hl7_span segment; /* the whole segment */
	char id[4];		 /* its ID; "" when it has none (then no fields follow) */
	unsigned seg_index;	 /* 1 for the first segment with this ID, 2 for the next... */
	unsigned field, rep, comp, sub;
	unsigned nrep, ncomp, nsub; /* how many the current field, repetition, component hold */
	struct hl7_span value;	    /* raw span of the element the event is about */
	int whole;		    /* MSH-1 and MSH-2: never split, never decoded */
};

typedef void (*hl7_walk_fn)(void *ctx, enum hl7_walk_event ev, const struct hl7_walk_pos *w);

/*
 * Walk m (m->has_delims must be set), calling fn for each event in order.
 * Spans are borrowed from the message buffer; no allocation, no copies.
 */
void hl7_walk(const struct hl7_msg *m, hl7_walk_fn fn, void *ctx);

/*
 * The shortest path that names the leaf at w exactly (what `hl7 get`
 * prints for it): "PID-5.1", "PID-3[2].4.1", "OBX[2]-5".  With level
 * HL7_WALK_FIELD, the field's path ("OBX[2]-5").  Returns its length; dst
 * holds 48 bytes.
 */
size_t hl7_walk_path(const struct hl7_walk_pos *w, enum hl7_walk_event level, char *dst,
		     size_t cap);

#endif

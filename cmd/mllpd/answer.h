/* SPDX-License-Identifier: MIT */
/* answer.h: the framed answers a connection owes its peer, and the builders of each answer. */
#ifndef MLLPD_ANSWER_H
#define MLLPD_ANSWER_H

#include <stddef.h>

#include "ack.h"
#include "batch.h"
#include "hl7.h"

/*
 * Answers not yet written, framed (0x0B ... 0x1C 0x0D), one after the
 * other; the connection loop writes p[0..len) and empties it.  It grows as
 * answers need (an acknowledgement batch may be large); out of memory ends
 * the connection (answer_end() says so).
 */
struct answers {
	char *p;
	size_t len, cap;
	unsigned long pid, seq;		    /* fresh control IDs: ack_control_id() */
	const char *application, *facility; /* --ack-application / --ack-facility, or NULL */
};

/* Allocate; 0, or -1 (out of memory). */
int answers_init(struct answers *a, const char *application, const char *facility);
void answers_free(struct answers *a);

/*
 * One answer being built after the pending ones.  Each append grows the
 * buffer as needed; after a failure (out of memory) the others do nothing
 * and answer_end() returns -1.
 */
struct answer {
	struct answers *to;
	size_t used; /* unframed bytes so far, at answer_bytes() */
	int failed;
};

void answer_begin(struct answer *w, struct answers *to);

/* The ACK for m with code and, unless accepted, the error (ack_build()). */
void answer_ack(struct answer *w, const struct hl7_msg *m, enum ack_code code, int err_code,
		const char *err_text, const char *err_segment, unsigned err_field);

/* An acknowledgement batch's header answering the inbound FHS/BHS hdr, and a trailer counting
 * count. */
void answer_batch_header(struct answer *w, const struct hl7_batch *b, struct hl7_span hdr);
void answer_batch_trailer(struct answer *w, const struct hl7_batch *b, enum hl7_batch_kind kind,
			  size_t count);

/* Bytes given whole: a command's own ACK, a replayed one. */
void answer_raw(struct answer *w, const char *p, size_t n);

/*
 * For a caller that writes bytes itself (a replayed answer): where the next
 * bytes go and how many fit (*room), valid until the next append;
 * answer_reserve() makes room for n (0, or -1: out of memory);
 * answer_commit() takes n bytes written there into the answer.
 */
char *answer_slot(struct answer *w, size_t *room);
int answer_reserve(struct answer *w, size_t n);
void answer_commit(struct answer *w, size_t n);

/* The unframed bytes built so far (valid until the next append). */
const char *answer_bytes(const struct answer *w);

/* Frame the answer, so the loop sends it.  0, or -1 when out of memory (nothing is framed). */
int answer_end(struct answer *w);

#endif

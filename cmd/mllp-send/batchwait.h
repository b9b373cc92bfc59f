/* SPDX-License-Identifier: MIT */
/* batchwait.h: the answer to the batch in flight, for session_wait(). */
#ifndef MLLP_SEND_BATCHWAIT_H
#define MLLP_SEND_BATCHWAIT_H
#include "mllp-send.h"

/*
 * While a batch waits for its answer: 1 when the frame raw[0..len) is
 * rather one ACK, for no message of the batch, of a message sent without
 * waiting before it (that ACK is then skipped), else 0.
 */
int batch_late_noack(struct session *s, const char *raw, size_t len);

/*
 * The whole answer to the batch in flight is raw[0..len): check it and plan
 * its results (s->res), one per message.  SESS_OK, or an error with s->why.
 */
enum sess_result batch_plan(struct session *s, const char *raw, size_t len);

/* Serve the next planned result of the batch in flight; the batch leaves the queue with the last.
 */
enum sess_result batch_serve(struct session *s, struct sess_ack *out);

/* From session.c: a NUL-terminated copy of a span, or NULL; 1 when v is the control ID of a
 * message sent without waiting (then forgotten), else 0. */
char *span_dup(struct hl7_span v);
int noack_match(struct session *s, struct hl7_span v);
#endif

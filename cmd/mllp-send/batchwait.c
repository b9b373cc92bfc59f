/* SPDX-License-Identifier: MIT */
/* batchwait.c: the answer to the batch in flight: match its ACKs to the messages, then serve one
 * result per message. */
#include "batchwait.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"

static int id_is(struct hl7_span v, const char *p, size_t len)
{
	return v.len == len && memcmp(v.p, p, len) == 0;
}

/* The first message of the batch with control ID v that has no result yet, or nmsg. */
static size_t batch_match(const struct session *s, const unsigned char *taken, struct hl7_span v)
{
	const struct flight *f = &s->q[0];
	for (size_t i = 0; i < f->nmsg; i++)
		if (!taken[i] && id_is(v, f->ids + f->off[i], f->off[i + 1] - f->off[i]))
			return i;
	return f->nmsg;
}

static enum sess_result not_in_batch(struct session *s, struct hl7_span v)
{
	const struct flight *f = &s->q[0];
	char idtext[80];
	size_t i = 0;

	while (i < f->nmsg && !id_is(v, f->ids + f->off[i], f->off[i + 1] - f->off[i]))
		i++;
	sanitise(idtext, sizeof idtext, v.p, v.len);
	snprintf(s->why, sizeof s->why, "protocol error: %s: MSA-2 '%s'",
		 i < f->nmsg ? "a second ACK for a message of the batch"
			     : "ACK for a control ID not in the batch",
		 idtext);
	return SESS_PROTOCOL;
}

/* An acknowledgement batch: each ACK's MSA-2 must be a message of the batch (one ACK each). */
static enum sess_result plan_ack_batch(struct session *s, const char *raw, size_t len,
				       unsigned char *taken)
{
	const struct flight *f = &s->q[0];
	struct hl7_batch b;
	enum hl7_batch_kind kind;
	struct hl7_span ack;
	struct hl7_msg m;
	struct ackread a;
	size_t cursor = 0, k = 0;

	if (hl7_batch_parse(&b, raw, len) != HL7_BATCH_OK) {
		snprintf(s->why, sizeof s->why, "protocol error: acknowledgement batch: %s",
			 hl7_batch_status_text(b.status));
		return SESS_PROTOCOL;
	}
	while (hl7_batch_next(&b, &cursor, &kind, &ack)) {
		if (kind != HL7_BATCH_MESSAGE)
			continue;
		k++;
		enum ackread_status st = ackread_parse(&m, ack.p, ack.len, &a);
		if (st != ACKREAD_OK) {
			snprintf(s->why, sizeof s->why,
				 "protocol error: acknowledgement batch message %zu: %s", k,
				 ackread_status_text(st));
			return SESS_PROTOCOL;
		}
		size_t i = batch_match(s, taken, a.control_id);
		if (i == f->nmsg)
			return not_in_batch(s, a.control_id);
		taken[i] = 1;
		s->res[s->nres++] = (struct batch_result){i, ack, 0, 0};
	}
	return SESS_OK;
}

/*
 * One ACK: the ACK of the message its MSA-2 names; or, negative with MSA-2
 * empty or the batch's own control ID (BHS-11, FHS-11), the answer to every
 * message.
 */
static enum sess_result plan_one_ack(struct session *s, const char *raw, size_t len,
				     unsigned char *taken)
{
	const struct flight *f = &s->q[0];
	struct hl7_msg m;
	struct ackread a;
	enum ackread_status st = ackread_parse(&m, raw, len, &a);

	if (st != ACKREAD_OK) {
		snprintf(s->why, sizeof s->why, "protocol error: %s", ackread_status_text(st));
		return SESS_PROTOCOL;
	}
	struct hl7_span whole = {raw, len};
	size_t i = batch_match(s, taken, a.control_id);
	if (i < f->nmsg) {
		taken[i] = 1;
		s->res[s->nres++] = (struct batch_result){i, whole, 0, 0};
		return SESS_OK;
	}
	if (a.positive ||
	    !(a.control_id.len == 0 || id_is(a.control_id, f->batch_id, f->batch_idlen) ||
	      id_is(a.control_id, f->file_id, f->file_idlen)))
		return not_in_batch(s, a.control_id);
	for (i = 0; i < f->nmsg; i++) {
		taken[i] = 1;
		s->res[s->nres++] = (struct batch_result){i, whole, i > 0, 0};
	}
	if (f->nmsg == 0)
		s->res[s->nres++] = (struct batch_result){BATCH_WHOLE, whole, 0, 0};
	return SESS_OK;
}

/* The messages left without an ACK are results too (missing). */
enum sess_result batch_plan(struct session *s, const char *raw, size_t len)
{
	const struct flight *f = &s->q[0];
	unsigned char *taken = calloc(f->nmsg + 1, 1);
	enum sess_result r;

	if (!taken) {
		snprintf(s->why, sizeof s->why, "out of memory");
		return SESS_IO;
	}
	s->nres = s->next = 0;
	r = hl7_batch_is(raw, len) ? plan_ack_batch(s, raw, len, taken)
				   : plan_one_ack(s, raw, len, taken);
	if (r == SESS_OK) {
		for (size_t i = 0; i < f->nmsg; i++)
			if (!taken[i])
				s->res[s->nres++] =
				    (struct batch_result){i, {raw, 0}, 0, f->isack[i]};
		if (s->nres == 0)
			s->res[s->nres++] = (struct batch_result){BATCH_WHOLE, {raw, 0}, 0, 0};
	}
	free(taken);
	return r;
}

int batch_late_noack(struct session *s, const char *raw, size_t len)
{
	const struct flight *f = &s->q[0];
	struct hl7_msg m;
	struct ackread a;

	if (hl7_batch_is(raw, len) || ackread_parse(&m, raw, len, &a) != ACKREAD_OK)
		return 0;
	for (size_t i = 0; i < f->nmsg; i++)
		if (id_is(a.control_id, f->ids + f->off[i], f->off[i + 1] - f->off[i]))
			return 0;
	return noack_match(s, a.control_id);
}

enum sess_result batch_serve(struct session *s, struct sess_ack *out)
{
	struct flight *f = &s->q[0];
	const struct batch_result *r = &s->res[s->next++];
	size_t i = r->msg;
	struct hl7_span id = {"", 0};

	if (i != BATCH_WHOLE)
		id = (struct hl7_span){f->ids + f->off[i], f->off[i + 1] - f->off[i]};
	out->f.id = span_dup(id);
	out->f.label = strdup(f->label);
	if (!out->f.id || !out->f.label) {
		flight_free(&out->f);
		snprintf(s->why, sizeof s->why, "out of memory");
		return SESS_IO;
	}
	out->f.idlen = id.len;
	out->f.index = f->index;
	out->batch = 1;
	out->frame = s->fr.buf;
	out->framelen = s->fr.frame_len;
	out->dup = r->dup;
	if (r->ack.len == 0) {
		out->missing = i != BATCH_WHOLE;
		out->noack = r->noack;
		out->empty = i == BATCH_WHOLE;
		out->raw = "";
	} else {
		/* Checked by batch_plan(): parse again for the reader's spans. */
		ackread_parse(&out->m, r->ack.p, r->ack.len, &out->a);
		out->raw = r->ack.p;
		out->rawlen = r->ack.len;
	}
	if (s->next == s->nres) {
		out->last = 1;
		flight_free(f);
		s->n = 0;
		s->nres = s->next = 0;
	}
	return SESS_OK;
}

/* SPDX-License-Identifier: MIT */
/* answer.c: build each answer in place after the pending ones, framed when whole. */
#include "answer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mllp.h"

#define ANSWERS_START (65536 + 4096)

int answers_init(struct answers *a, const char *application, const char *facility)
{
	memset(a, 0, sizeof *a);
	a->cap = ANSWERS_START;
	a->p = malloc(a->cap);
	a->application = application;
	a->facility = facility;
	return a->p ? 0 : -1;
}

void answers_free(struct answers *a)
{
	free(a->p);
	a->p = NULL;
}

/* Room for an answer of `more` bytes after what w holds, plus its three framing bytes. */
static int reserve(struct answer *w, size_t more)
{
	struct answers *a = w->to;
	if (w->failed || more > SIZE_MAX / 2 - a->len - w->used)
		return w->failed = 1, -1;
	size_t need = a->len + 1 + w->used + more + 2;
	if (need <= a->cap)
		return 0;
	size_t cap = a->cap;
	while (cap < need)
		cap *= 2;
	char *p = realloc(a->p, cap);
	if (!p)
		return w->failed = 1, -1;
	a->p = p;
	a->cap = cap;
	return 0;
}

static char *slot(const struct answer *w)
{
	return w->to->p + w->to->len + 1 + w->used;
}

static size_t room(const struct answer *w)
{
	return w->to->cap - w->to->len - 1 - w->used - 2;
}

/* A strlcpy-style builder into the slot: run it, grow and run again when it did not fit. */
#define BUILD(w, call_with_dst_cap)                                                                \
	do {                                                                                       \
		if ((w)->failed)                                                                   \
			break;                                                                     \
		char *dst = slot(w);                                                               \
		size_t cap = room(w);                                                              \
		size_t need = (call_with_dst_cap);                                                 \
		if (need > cap) {                                                                  \
			if (reserve((w), need) < 0)                                                \
				break;                                                             \
			dst = slot(w);                                                             \
			cap = room(w);                                                             \
			(void)(call_with_dst_cap);                                                 \
		}                                                                                  \
		(w)->used += need;                                                                 \
	} while (0)

void answer_begin(struct answer *w, struct answers *to)
{
	w->to = to;
	w->used = 0;
	w->failed = 0;
	reserve(w, 0);
}

/* A fresh control ID and the time, for the header of an answer. */
static void fresh_ids(struct answers *a, char id[32], char ts[32])
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	ack_control_id(id, 32, &now, a->pid, ++a->seq);
	ack_timestamp(ts, 32, now.tv_sec);
}

void answer_ack(struct answer *w, const struct hl7_msg *m, enum ack_code code, int err_code,
		const char *err_text, const char *err_segment, unsigned err_field)
{
	char id[32], ts[32];
	fresh_ids(w->to, id, ts);
	struct ack_params ap = {
	    .code = code,
	    .err_code = err_code,
	    .err_text = err_text,
	    .err_segment = err_segment,
	    .err_field = err_field,
	    .control_id = id,
	    .timestamp = ts,
	    .application = w->to->application,
	    .facility = w->to->facility,
	};
	BUILD(w, ack_build(dst, cap, m, &ap));
}

void answer_batch_header(struct answer *w, const struct hl7_batch *b, struct hl7_span hdr)
{
	char id[32], ts[32];
	fresh_ids(w->to, id, ts);
	struct ack_params ap = {
	    .control_id = id,
	    .timestamp = ts,
	    .application = w->to->application,
	    .facility = w->to->facility,
	};
	BUILD(w, ack_batch_header(dst, cap, b, hdr, &ap));
}

void answer_batch_trailer(struct answer *w, const struct hl7_batch *b, enum hl7_batch_kind kind,
			  size_t count)
{
	BUILD(w, ack_batch_trailer(dst, cap, b, kind, count));
}

void answer_raw(struct answer *w, const char *p, size_t n)
{
	if (reserve(w, n) < 0)
		return;
	memcpy(slot(w), p, n);
	w->used += n;
}

char *answer_slot(struct answer *w, size_t *room_left)
{
	*room_left = w->failed ? 0 : room(w);
	return w->failed ? NULL : slot(w);
}

int answer_reserve(struct answer *w, size_t n)
{
	return reserve(w, n);
}

void answer_commit(struct answer *w, size_t n)
{
	w->used += n;
}

const char *answer_bytes(const struct answer *w)
{
	return w->to->p + w->to->len + 1;
}

int answer_end(struct answer *w)
{
	if (w->failed)
		return -1;
	char *f = w->to->p + w->to->len;
	f[0] = MLLP_START;
	f[w->used + 1] = MLLP_END;
	f[w->used + 2] = MLLP_CR;
	w->to->len += w->used + 3;
	return 0;
}

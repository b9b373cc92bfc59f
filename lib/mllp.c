/* SPDX-License-Identifier: MIT */
/* mllp.c: incremental MLLP framer; same result for any chunking of the input. */
#include "mllp.h"

#include <string.h>

enum { OUTSIDE, INSIDE, AFTER_END, STRICT_WANT_CR };

void mllp_init(struct mllp_framer *f, char *buf, size_t cap, unsigned flags)
{
	memset(f, 0, sizeof *f);
	f->buf = buf;
	f->cap = cap;
	f->room = cap;
	f->flags = flags;
	f->state = OUTSIDE;
}

void mllp_set_buffer(struct mllp_framer *f, char *buf, size_t room)
{
	f->buf = buf;
	f->room = room < f->cap ? room : f->cap;
}

int mllp_in_frame(const struct mllp_framer *f)
{
	return f->state == INSIDE || f->state == STRICT_WANT_CR;
}

static void frame_begin(struct mllp_framer *f)
{
	f->state = INSIDE;
	f->frame_len = 0;
	f->total = 0;
}

/*
 * Append in-frame bytes, keeping only what fits in cap: the rest is only
 * counted.  Returns how many were taken: fewer than n when the buffer is
 * full before cap (the caller must grow it).
 */
static size_t frame_append(struct mllp_framer *f, const char *p, size_t n)
{
	if (f->frame_len < f->cap) {
		size_t room = f->room - f->frame_len;
		size_t k = n < room ? n : room;
		memcpy(f->buf + f->frame_len, p, k);
		f->frame_len += k;
		if (k < n && f->room < f->cap) {
			f->total += k;
			return k;
		}
	}
	f->total += n;
	return n;
}

static enum mllp_event frame_end(struct mllp_framer *f)
{
	return f->total > f->cap ? MLLP_TOO_LARGE : MLLP_FRAME;
}

/*
 * One state's step over in[*i..len): advances *i past the bytes it consumed.
 * MLLP_NEED_MORE means "no event, go on"; any other event stops mllp_feed(),
 * which reports *i as the bytes used.
 */
static enum mllp_event step_after_end(struct mllp_framer *f, const char *in, size_t *i)
{
	/* The CR after 0x1C is optional (leniency, counted). */
	if (in[*i] == MLLP_CR)
		(*i)++;
	else
		f->no_cr++;
	f->state = OUTSIDE;
	return MLLP_NEED_MORE;
}

static enum mllp_event step_want_cr(struct mllp_framer *f, const char *in, size_t *i)
{
	/* Only the CR belongs to the frame: another byte is left for OUTSIDE. */
	f->state = OUTSIDE;
	if (in[*i] == MLLP_CR) {
		(*i)++;
		return frame_end(f);
	}
	f->no_cr++;
	return MLLP_BAD_TRAILER;
}

static enum mllp_event step_outside(struct mllp_framer *f, const char *in, size_t len, size_t *i)
{
	const char *s = memchr(in + *i, MLLP_START, len - *i);
	size_t skip = s ? (size_t)(s - (in + *i)) : len - *i;
	if (skip > 0 && (f->flags & MLLP_STRICT)) {
		f->junk_bytes++;
		(*i)++;
		return MLLP_JUNK;
	}
	f->junk_bytes += skip;
	*i += skip;
	if (s) {
		(*i)++;
		frame_begin(f);
	}
	return MLLP_NEED_MORE;
}

static enum mllp_event step_inside(struct mllp_framer *f, const char *in, size_t len, size_t *i)
{
	const char *p = in + *i;
	size_t n = len - *i;
	const char *e = memchr(p, MLLP_END, n);
	size_t span = e ? (size_t)(e - p) : n;
	const char *s = memchr(p, MLLP_START, span);
	if (s) {
		/* A new start byte: the partial frame is dropped. */
		f->partial = f->total + (size_t)(s - p);
		f->restarts++;
		frame_begin(f);
		*i += (size_t)(s - p) + 1;
		return MLLP_RESTARTED;
	}
	size_t taken = frame_append(f, p, span);
	*i += taken;
	if (taken < span)
		return MLLP_NEED_ROOM;
	if (!e)
		return MLLP_NEED_MORE;
	(*i)++;
	if (f->flags & MLLP_STRICT) {
		f->state = STRICT_WANT_CR;
		return MLLP_NEED_MORE;
	}
	f->state = AFTER_END;
	return frame_end(f);
}

enum mllp_event mllp_feed(struct mllp_framer *f, const char *in, size_t len, size_t *used)
{
	size_t i = 0;
	enum mllp_event ev = MLLP_NEED_MORE;

	while (i < len) {
		if (f->state == INSIDE)
			ev = step_inside(f, in, len, &i);
		else if (f->state == OUTSIDE)
			ev = step_outside(f, in, len, &i);
		else if (f->state == AFTER_END)
			ev = step_after_end(f, in, &i);
		else
			ev = step_want_cr(f, in, &i);
		if (ev != MLLP_NEED_MORE)
			break;
	}
	*used = i;
	return ev;
}

size_t mllp_wrap(char *dst, size_t cap, const char *msg, size_t len)
{
	size_t need = len + 3;
	if (need <= cap) {
		dst[0] = MLLP_START;
		memcpy(dst + 1, msg, len);
		dst[len + 1] = MLLP_END;
		dst[len + 2] = MLLP_CR;
	}
	return need;
}

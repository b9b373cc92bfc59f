/* SPDX-License-Identifier: MIT */
/* mllp.h: incremental MLLP framer (0x0B message 0x1C 0x0D); no I/O, no allocation. */
#ifndef MLLPD_MLLP_H
#define MLLPD_MLLP_H

#include <stddef.h>

#define MLLP_START 0x0B
#define MLLP_END 0x1C
#define MLLP_CR 0x0D

/* What mllp_feed() stopped on. */
enum mllp_event {
	MLLP_NEED_MORE, /* every byte given was consumed; no event */
	MLLP_FRAME,	/* a whole frame is in buf[0..frame_len) */
	MLLP_TOO_LARGE, /* a frame ended that was over the capacity: buf holds its first cap bytes,
			   frame_len = cap, total = its real size */
	MLLP_RESTARTED, /* a 0x0B inside a frame: the partial frame (partial bytes) was dropped, a
			   new one begun */
	MLLP_BAD_TRAILER, /* strict only: 0x1C not followed by 0x0D; buf as for MLLP_FRAME, or
			     MLLP_TOO_LARGE when total > cap */
	MLLP_JUNK,	  /* strict only: a byte outside a frame */
	MLLP_NEED_ROOM,	  /* buf is full (frame_len == room < cap) inside a frame: give a larger
			     buffer with mllp_set_buffer() and feed the rest again */
};

/* Flags. */
#define MLLP_STRICT 0x01

/*
 * Framer state, owned by the caller.  Set it up with mllp_init(); buf is the
 * caller's frame buffer of cap bytes (the maximum message size): the frame
 * never grows past it.  A caller that grows its buffer on demand starts with
 * a smaller one (mllp_set_buffer()) and gets MLLP_NEED_ROOM when it is full.
 */
struct mllp_framer {
	char *buf;
	size_t cap;
	size_t room; /* bytes of buf: cap, or less until the caller grows it */
	unsigned flags;
	int state;	  /* internal */
	size_t frame_len; /* bytes stored in buf */
	size_t total;	  /* bytes of the current frame, stored or not */
	size_t partial;	  /* size of the frame dropped by MLLP_RESTARTED */
	/* counters over the framer's life (for logs) */
	unsigned long long junk_bytes; /* bytes outside frames, skipped */
	unsigned long long no_cr;      /* frames ended by 0x1C without 0x0D */
	unsigned long long restarts;   /* frames restarted by 0x0B */
};

void mllp_init(struct mllp_framer *f, char *buf, size_t cap, unsigned flags);

/*
 * Give the framer buf of room bytes (frame_len <= room <= cap), holding the
 * frame_len bytes of the frame so far (realloc() keeps them): at the start,
 * for a buffer smaller than cap, and after MLLP_NEED_ROOM with a larger one.
 */
void mllp_set_buffer(struct mllp_framer *f, char *buf, size_t room);

/*
 * Feed len bytes.  Consumes bytes up to and including the one that makes an
 * event and stores how many in *used; the caller feeds the rest again after
 * handling the event.  The frame in buf is borrowed: valid until the next
 * mllp_feed().  The result is the same for any chunking of the input.
 * A frame is reported at its 0x1C; a 0x0D right after it (in this or a
 * later call) is swallowed.
 */
enum mllp_event mllp_feed(struct mllp_framer *f, const char *in, size_t len, size_t *used);

/* 1 while inside a frame (a 0x0B seen, its 0x1C not yet), else 0. */
int mllp_in_frame(const struct mllp_framer *f);

/*
 * Write the frame for msg into dst: 0x0B msg 0x1C 0x0D.  Returns len + 3,
 * writing only if that fits in cap (strlcpy-style).
 */
size_t mllp_wrap(char *dst, size_t cap, const char *msg, size_t len);

#endif

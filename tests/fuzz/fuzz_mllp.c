/* SPDX-License-Identifier: MIT */
/* fuzz_mllp.c: the MLLP framer fed in chunk sizes the input chooses must match a one-shot feed. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mllp.h"

/*
 * Input: byte 0 flags (bit 0: MLLP_STRICT; bit 1: the chunked run's buffer
 * starts at one byte and doubles on MLLP_NEED_ROOM), byte 1 the capacity (bit 7
 * set: 64 KiB, else 1..128), bytes 2..9 eight chunk sizes used in turn
 * (0 = one byte, 255 = all that is left), then the stream.
 */
#define HEADER 10

struct event {
	enum mllp_event ev;
	size_t at; /* stream offset after the bytes consumed */
	size_t frame_len, total, partial;
	uint64_t hash; /* of buf[0..frame_len) on frame events */
};

struct run {
	struct mllp_framer f;
	char *buf;
	struct event *evs;
	size_t nev, maxev;
	size_t at;
	unsigned zero_used; /* events in a row that consumed nothing */
	unsigned long frames, large, restarted, bad_trailer, junk;
};

static uint64_t fnv(const char *p, size_t n)
{
	uint64_t h = 14695981039346656037ULL;

	while (n--)
		h = (h ^ (unsigned char)*p++) * 1099511628211ULL;
	return h;
}

static void check_wrap(const char *frame, size_t len);

static void check_event(struct run *r, enum mllp_event ev)
{
	struct mllp_framer *f = &r->f;

	FUZZ_CHECK(f->frame_len <= f->cap);
	switch (ev) {
	case MLLP_FRAME:
		FUZZ_CHECK(f->total <= f->cap && f->frame_len == f->total);
		FUZZ_CHECK(!memchr(f->buf, MLLP_START, f->frame_len) &&
			   !memchr(f->buf, MLLP_END, f->frame_len));
		break;
	case MLLP_BAD_TRAILER:
		/*
		 * Narrowed: a strict frame over the capacity whose 0x1C lacks
		 * its CR is reported as MLLP_BAD_TRAILER, not MLLP_TOO_LARGE,
		 * with its first cap bytes (seed strict-oversize-bad-trailer).
		 * mllp.h says "as for MLLP_FRAME"; the caller must look at total.
		 */
		FUZZ_CHECK(f->frame_len == (f->total <= f->cap ? f->total : f->cap));
		FUZZ_CHECK(!memchr(f->buf, MLLP_START, f->frame_len) &&
			   !memchr(f->buf, MLLP_END, f->frame_len));
		break;
	case MLLP_TOO_LARGE: FUZZ_CHECK(f->total > f->cap && f->frame_len == f->cap); break;
	case MLLP_RESTARTED:
		FUZZ_CHECK(f->frame_len == 0 && f->total == 0 && mllp_in_frame(f));
		break;
	case MLLP_JUNK:
		FUZZ_CHECK(f->flags & MLLP_STRICT);
		FUZZ_CHECK(!mllp_in_frame(f));
		break;
	case MLLP_NEED_MORE:
	case MLLP_NEED_ROOM: break;
	}
	if (ev == MLLP_BAD_TRAILER)
		FUZZ_CHECK(f->flags & MLLP_STRICT);
	r->frames += ev == MLLP_FRAME;
	r->large += ev == MLLP_TOO_LARGE;
	r->restarted += ev == MLLP_RESTARTED;
	r->bad_trailer += ev == MLLP_BAD_TRAILER;
	r->junk += ev == MLLP_JUNK;
}

static struct event describe(const struct run *r, enum mllp_event ev)
{
	struct event e;

	memset(&e, 0, sizeof e);
	e.ev = ev;
	e.at = r->at;
	e.frame_len = r->f.frame_len;
	e.total = r->f.total;
	e.partial = ev == MLLP_RESTARTED ? r->f.partial : 0;
	if (ev == MLLP_FRAME || ev == MLLP_TOO_LARGE || ev == MLLP_BAD_TRAILER)
		e.hash = fnv(r->f.buf, r->f.frame_len);
	return e;
}

/*
 * Feed one chunk, handling events as a caller does (feed the rest again).
 * With ref NULL the events are recorded, else compared with ref's.
 */
static void feed(struct run *r, const char *p, size_t n, const struct run *ref)
{
	while (n > 0) {
		size_t used = (size_t)-1;
		enum mllp_event ev = mllp_feed(&r->f, p, n, &used);

		FUZZ_CHECK(used <= n);
		p += used;
		n -= used;
		r->at += used;
		/* an event may consume nothing (the byte after a strict 0x1C), never twice running
		 */
		r->zero_used = used ? 0 : r->zero_used + 1;
		if (ev == MLLP_NEED_MORE) {
			FUZZ_CHECK(n == 0);
			break;
		}
		if (ev == MLLP_NEED_ROOM) {
			/* Only a buffer smaller than cap fills up; growing it is not an event. */
			FUZZ_CHECK(r->f.room < r->f.cap && r->f.frame_len == r->f.room &&
				   mllp_in_frame(&r->f));
			size_t room = r->f.room * 2 > r->f.cap ? r->f.cap : r->f.room * 2;
			r->buf = realloc(r->buf, room);
			if (!r->buf)
				abort();
			mllp_set_buffer(&r->f, r->buf, room);
			r->zero_used = 0;
			continue;
		}
		FUZZ_CHECK(r->zero_used <= 1);
		check_event(r, ev);
		struct event e = describe(r, ev);
		if (!ref) {
			FUZZ_CHECK(r->nev < r->maxev);
			r->evs[r->nev++] = e;
			if (ev == MLLP_FRAME)
				check_wrap(r->f.buf, r->f.frame_len);
		} else {
			FUZZ_CHECK(r->nev < ref->nev);
			const struct event *x = &ref->evs[r->nev++];
			FUZZ_CHECK(x->ev == e.ev && x->at == e.at && x->frame_len == e.frame_len &&
				   x->total == e.total && x->partial == e.partial &&
				   x->hash == e.hash);
		}
	}
}

/* A frame wrapped with mllp_wrap() reads back as the same frame. */
static void check_wrap(const char *frame, size_t len)
{
	size_t need = mllp_wrap(NULL, 0, frame, len), used;
	char *w = malloc(need), *b = malloc(len ? len : 1);
	struct mllp_framer f;

	FUZZ_CHECK(need == len + 3);
	if (!w || !b)
		abort();
	FUZZ_CHECK(mllp_wrap(w, need - 1, frame, len) == need); /* writes nothing */
	FUZZ_CHECK(mllp_wrap(w, need, frame, len) == need);
	mllp_init(&f, b, len, MLLP_STRICT);
	FUZZ_CHECK(mllp_feed(&f, w, need, &used) == MLLP_FRAME);
	FUZZ_CHECK(used == need && f.frame_len == len && memcmp(b, frame, len) == 0);
	FUZZ_CHECK(!mllp_in_frame(&f) && f.junk_bytes == 0 && f.no_cr == 0 && f.restarts == 0);
	free(w);
	free(b);
}

static void run_init(struct run *r, size_t cap, unsigned flags, size_t maxev)
{
	memset(r, 0, sizeof *r);
	r->buf = malloc(cap);
	r->maxev = maxev;
	r->evs = malloc(maxev * sizeof *r->evs);
	if (!r->buf || !r->evs)
		abort();
	mllp_init(&r->f, r->buf, cap, flags);
}

static void run_free(struct run *r)
{
	free(r->buf);
	free(r->evs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run one, chunked;
	const char *in;
	size_t len, cap, pos, k;
	unsigned flags;

	if (size < HEADER)
		return 0;
	flags = data[0] & 1 ? MLLP_STRICT : 0;
	cap = data[1] & 0x80 ? 65536 : (size_t)(data[1] & 0x7f) + 1;
	in = (const char *)data + HEADER;
	len = size - HEADER;

	/* one event per byte at most, plus the strict trailer's */
	run_init(&one, cap, flags, 2 * len + 2);
	feed(&one, in, len, NULL);
	FUZZ_CHECK(one.at == len);

	run_init(&chunked, cap, flags, 1);
	if (data[0] & 2) {
		chunked.buf = realloc(chunked.buf, 1);
		if (!chunked.buf)
			abort();
		mllp_set_buffer(&chunked.f, chunked.buf, 1);
	}
	for (pos = 0, k = 0; pos < len; k++) {
		uint8_t c = data[2 + k % 8];
		size_t n = c == 0 ? 1 : c == 255 ? len - pos : c;

		if (n > len - pos)
			n = len - pos;
		feed(&chunked, in + pos, n, &one);
		pos += n;
	}
	FUZZ_CHECK(chunked.nev == one.nev && chunked.at == len);

	/* the counters agree with each other and with the events */
	FUZZ_CHECK(one.f.junk_bytes == chunked.f.junk_bytes && one.f.no_cr == chunked.f.no_cr &&
		   one.f.restarts == chunked.f.restarts);
	FUZZ_CHECK(mllp_in_frame(&one.f) == mllp_in_frame(&chunked.f));
	FUZZ_CHECK(one.f.restarts == one.restarted);
	if (flags & MLLP_STRICT) {
		FUZZ_CHECK(one.f.junk_bytes == one.junk);
		FUZZ_CHECK(one.f.no_cr == one.bad_trailer);
	} else {
		FUZZ_CHECK(one.junk == 0 && one.bad_trailer == 0);
		FUZZ_CHECK(one.f.no_cr <= one.frames + one.large);
		FUZZ_CHECK(one.f.junk_bytes <= len);
	}

	run_free(&one);
	run_free(&chunked);
	return 0;
}

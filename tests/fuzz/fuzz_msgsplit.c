/* SPDX-License-Identifier: MIT */
/* fuzz_msgsplit.c: the stream splitter read whole, byte by byte and in pieces finds the same units.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "msgsplit.h"

/*
 * Input: the stream itself.  It is split four ways, the way a reader does
 * (call until MSGSPLIT_NEED_MORE, drop what *used says, read more):
 *   - whole: every byte present and eof from the first call;
 *   - in one piece, eof only on the call after;
 *   - byte by byte;
 *   - in pieces of 1 to 64 bytes drawn from a generator seeded by the input;
 * and, for inputs of up to 32 bytes, in two pieces cut at every position.
 * Each run must give the same units (offset, length, flags) byte for byte.
 * The bytes not yet read are poisoned under ASan, so that a look past the
 * bytes given is a report, not a lucky read of the rest of the stream.
 */

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUZZ_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define FUZZ_ASAN 1
#endif
#ifdef FUZZ_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define VT 0x0B
#define FS 0x1C

struct unit {
	size_t at, len; /* stream offset and length of *msg */
	unsigned flags;
};

struct run {
	struct unit *u;
	size_t n, max;
	size_t consumed; /* bytes dropped in total */
};

/* A piece size for the next read: the whole rest, one byte, or from the generator. */
enum mode { M_WHOLE, M_ONE_PIECE, M_BYTES, M_RANDOM, M_CUT };

struct pieces {
	enum mode mode;
	uint64_t state; /* M_RANDOM */
	size_t cut;	/* M_CUT: the first piece's size */
	unsigned k;
};

static size_t next_piece(struct pieces *g, size_t left)
{
	size_t n;

	switch (g->mode) {
	case M_BYTES: n = 1; break;
	case M_CUT: n = g->k++ == 0 ? g->cut : left; break;
	case M_RANDOM:
		g->state ^= g->state << 13;
		g->state ^= g->state >> 7;
		g->state ^= g->state << 17;
		n = (g->state >> 11) % 8 == 0 ? (size_t)(g->state >> 20) % 64 + 1
					      : (size_t)(g->state >> 20) % 4 + 1;
		break;
	default: n = left;
	}
	return n < left ? n : left;
}

static int is_blank(char c)
{
	return c == '\r' || c == '\n' || c == ' ' || c == '\t';
}

/* The bytes a unit's call dropped: blanks, then [0x0B] msg [0x1C [CR]] for a frame, or msg alone.
 */
static void check_unit(const char *win, size_t used, struct hl7_span msg, unsigned flags)
{
	size_t off, end;

	FUZZ_CHECK(msg.p >= win && msg.p + msg.len <= win + used);
	off = (size_t)(msg.p - win);
	end = off + msg.len;
	if (flags & MSGSPLIT_FRAMED) {
		FUZZ_CHECK(off >= 1 && win[off - 1] == VT);
		off--;
		FUZZ_CHECK(!memchr(msg.p, VT, msg.len) && !memchr(msg.p, FS, msg.len));
		if (flags & MSGSPLIT_TRUNCATED) {
			FUZZ_CHECK(end == used);
		} else {
			FUZZ_CHECK(end < used && win[end] == FS);
			FUZZ_CHECK(end + 1 == used || (end + 2 == used && win[end + 1] == '\r'));
		}
	} else {
		FUZZ_CHECK(!(flags & MSGSPLIT_TRUNCATED));
		FUZZ_CHECK(msg.len > 0 && !is_blank(msg.p[0]) && msg.p[0] != VT);
		FUZZ_CHECK(end == used);
	}
	for (size_t i = 0; i < off; i++)
		FUZZ_CHECK(is_blank(win[i]));
	if (flags & MSGSPLIT_BATCH) {
		size_t b = msg.len >= 3 && memcmp(msg.p, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;

		FUZZ_CHECK(msg.len >= b + 3 &&
			   (memcmp(msg.p + b, "FHS", 3) == 0 || memcmp(msg.p + b, "BHS", 3) == 0));
	}
}

/* Split buf[0..len) (a private copy: its unread bytes get poisoned) reading it as g says. */
static void split(char *buf, size_t len, struct pieces *g, struct run *r)
{
	struct msgsplit s;
	size_t off = 0, avail = 0, calls = 0;
	int eof = 0;

	memset(&s, 0, sizeof s);
	r->n = 0;
	r->consumed = 0;
	if (g->mode == M_WHOLE) {
		avail = len;
		eof = 1;
	} else {
		POISON(buf, len);
	}
	for (;;) {
		struct hl7_span msg;
		size_t used = (size_t)-1;
		enum msgsplit_event ev =
		    msgsplit_next(&s, buf + off, avail - off, eof, &msg, &used);

		/* each call consumes or waits: at most a few calls per byte */
		FUZZ_CHECK(++calls <= 4 * len + 8);
		FUZZ_CHECK(used <= avail - off);
		if (ev == MSGSPLIT_END) {
			FUZZ_CHECK(eof);
			for (size_t i = 0; i < used; i++)
				FUZZ_CHECK(is_blank(buf[off + i]));
			off += used;
			FUZZ_CHECK(off == len);
			break;
		}
		if (ev == MSGSPLIT_MESSAGE) {
			FUZZ_CHECK(used > 0);
			check_unit(buf + off, used, msg, s.flags);
			FUZZ_CHECK(r->n < r->max);
			r->u[r->n].at = (size_t)(msg.p - buf);
			r->u[r->n].len = msg.len;
			r->u[r->n].flags = s.flags;
			r->n++;
			off += used;
			continue;
		}
		FUZZ_CHECK(ev == MSGSPLIT_NEED_MORE);
		FUZZ_CHECK(!eof);
		/* what a wait drops is separators only */
		for (size_t i = 0; i < used; i++)
			FUZZ_CHECK(is_blank(buf[off + i]));
		off += used;
		if (avail == len) {
			eof = 1;
			continue;
		}
		size_t n = next_piece(g, len - avail);
		FUZZ_CHECK(n > 0);
		UNPOISON(buf + avail, n);
		avail += n;
	}
	UNPOISON(buf, len);
	r->consumed = off;
}

static void same(const struct run *a, const struct run *b)
{
	FUZZ_CHECK(a->n == b->n && a->consumed == b->consumed);
	for (size_t i = 0; i < a->n; i++)
		FUZZ_CHECK(a->u[i].at == b->u[i].at && a->u[i].len == b->u[i].len &&
			   a->u[i].flags == b->u[i].flags);
}

static uint64_t fnv(const uint8_t *p, size_t n)
{
	uint64_t h = 14695981039346656037ULL;

	while (n--)
		h = (h ^ *p++) * 1099511628211ULL;
	return h | 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run ref, other;
	struct pieces g;
	char *buf = malloc(size ? size : 1);

	if (!buf)
		abort();
	if (size)
		memcpy(buf, data, size);
	/* a unit ends with a byte of its own, or eof: at most one unit per byte */
	ref.max = other.max = size + 1;
	ref.u = malloc(ref.max * sizeof *ref.u);
	other.u = malloc(other.max * sizeof *other.u);
	if (!ref.u || !other.u)
		abort();

	memset(&g, 0, sizeof g);
	g.mode = M_WHOLE;
	split(buf, size, &g, &ref);
	FUZZ_CHECK(ref.consumed == size);
	/* the units do not overlap and come in stream order */
	for (size_t i = 1; i < ref.n; i++)
		FUZZ_CHECK(ref.u[i].at >= ref.u[i - 1].at + ref.u[i - 1].len);

	g.mode = M_ONE_PIECE;
	split(buf, size, &g, &other);
	same(&ref, &other);

	g.mode = M_BYTES;
	split(buf, size, &g, &other);
	same(&ref, &other);

	memset(&g, 0, sizeof g);
	g.mode = M_RANDOM;
	g.state = fnv(data, size);
	split(buf, size, &g, &other);
	same(&ref, &other);

	if (size <= 32)
		for (size_t cut = 1; cut < size; cut++) {
			memset(&g, 0, sizeof g);
			g.mode = M_CUT;
			g.cut = cut;
			split(buf, size, &g, &other);
			same(&ref, &other);
		}

	free(ref.u);
	free(other.u);
	free(buf);
	return 0;
}

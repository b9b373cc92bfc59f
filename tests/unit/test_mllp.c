/* SPDX-License-Identifier: MIT */
/* test_mllp.c: the framer gives the same events for any chunking of its input. */
#include <stdlib.h>
#include <string.h>

#include "mllp.h"
#include "tap.h"

/*
 * Events rendered as text: "F:<frame>" "L:<size>" "R:<partial>" "T" "J", joined by '|'.
 * With grow, the buffer starts at one byte and doubles on MLLP_NEED_ROOM (as mllpd's
 * does): the events must be the same.
 */
static void run(const char *in, size_t len, size_t cap, unsigned flags, size_t chunk, int grow,
		char *out, size_t outcap)
{
	char fixed[256], *buf = fixed;
	size_t room = cap;
	struct mllp_framer f;
	size_t o = 0;
	if (grow) {
		room = 1;
		buf = malloc(room);
	}
	mllp_init(&f, buf, cap, flags);
	if (grow)
		mllp_set_buffer(&f, buf, room);
	out[0] = '\0';
	for (size_t pos = 0; pos < len;) {
		size_t n = len - pos < chunk ? len - pos : chunk;
		size_t off = 0;
		while (off < n) {
			size_t used;
			enum mllp_event ev = mllp_feed(&f, in + pos + off, n - off, &used);
			off += used;
			switch (ev) {
			case MLLP_NEED_MORE: break;
			case MLLP_NEED_ROOM:
				if (!grow || room >= cap) {
					o += (size_t)snprintf(out + o, outcap - o, "NEED_ROOM?|");
					off = n;
					break;
				}
				room = room * 2 > cap ? cap : room * 2;
				buf = realloc(buf, room);
				mllp_set_buffer(&f, buf, room);
				break;
			case MLLP_FRAME:
				o += (size_t)snprintf(out + o, outcap - o, "F:%.*s|",
						      (int)f.frame_len, f.buf);
				break;
			case MLLP_TOO_LARGE:
				o += (size_t)snprintf(out + o, outcap - o, "L:%zu:%.*s|", f.total,
						      (int)f.frame_len, f.buf);
				break;
			case MLLP_RESTARTED:
				o += (size_t)snprintf(out + o, outcap - o, "R:%zu|", f.partial);
				break;
			case MLLP_BAD_TRAILER:
				o += (size_t)snprintf(out + o, outcap - o, "T:%.*s|",
						      (int)f.frame_len, f.buf);
				break;
			case MLLP_JUNK: o += (size_t)snprintf(out + o, outcap - o, "J|"); break;
			}
		}
		pos += n;
	}
	snprintf(out + o, outcap - o, "%s%llu/%llu/%llu", mllp_in_frame(&f) ? "open:" : "",
		 f.junk_bytes, f.no_cr, f.restarts);
	if (grow)
		free(buf);
}

struct tcase {
	const char *name;
	const char *in;
	size_t cap;
	unsigned flags;
	const char *want;
};

static const struct tcase cases[] = {
    {"one frame",
     "\x0b"
     "abc\x1c\r",
     64, 0, "F:abc|0/0/0"},
    {"two frames in one read",
     "\x0b"
     "a\x1c\r\x0b"
     "b\x1c\r",
     64, 0, "F:a|F:b|0/0/0"},
    {"no CR after 0x1C is accepted and counted",
     "\x0b"
     "a\x1c\x0b"
     "b\x1c\r",
     64, 0, "F:a|F:b|0/1/0"},
    {"junk before and between frames",
     "xy\x0b"
     "a\x1c\rzz\n\x0b"
     "b\x1c\r",
     64, 0, "F:a|F:b|5/0/0"},
    {"start byte inside a frame restarts",
     "\x0b"
     "abc\x0b"
     "de\x1c\r",
     64, 0, "R:3|F:de|0/0/1"},
    {"frame cut off by EOF stays open",
     "\x0b"
     "abc",
     64, 0, "open:0/0/0"},
    {"empty frame", "\x0b\x1c\r", 64, 0, "F:|0/0/0"},
    {"frame over the capacity",
     "\x0b"
     "abcdef\x1c\r\x0b"
     "ok\x1c\r",
     4, 0, "L:6:abcd|F:ok|0/0/0"},
    {"frame of exactly the capacity",
     "\x0b"
     "abcd\x1c\r",
     4, 0, "F:abcd|0/0/0"},
    {"CR inside a frame is data",
     "\x0b"
     "a\rb\r\x1c\r",
     64, 0, "F:a\rb\r|0/0/0"},
    {"strict: junk is an event",
     "x\x0b"
     "a\x1c\r",
     64, MLLP_STRICT, "J|F:a|1/0/0"},
    {"strict: 0x1C without CR",
     "\x0b"
     "a\x1cZ",
     64, MLLP_STRICT, "T:a|J|1/1/0"},
    {"strict: 0x1C then a new frame",
     "\x0b"
     "a\x1c\x0b"
     "b\x1c\r",
     64, MLLP_STRICT, "T:a|F:b|0/1/0"},
    {"strict: frame waits for its CR",
     "\x0b"
     "a\x1c",
     64, MLLP_STRICT, "open:0/0/0"},
    {"0x1C outside a frame is junk",
     "\x1c\r\x0b"
     "a\x1c\r",
     64, 0, "F:a|2/0/0"},
};

int main(void)
{
	char want_whole[512], got[512];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct tcase *t = &cases[i];
		size_t len = strlen(t->in);
		run(t->in, len, t->cap, t->flags, len ? len : 1, 0, want_whole, sizeof want_whole);
		TAP_OK(strcmp(want_whole, t->want) == 0, "%s (whole): got \"%s\"", t->name,
		       want_whole);
		int same = 1;
		for (size_t chunk = 1; chunk < len; chunk++) {
			run(t->in, len, t->cap, t->flags, chunk, 0, got, sizeof got);
			if (strcmp(got, t->want) != 0) {
				same = 0;
				printf("# chunk %zu: got \"%s\"\n", chunk, got);
			}
		}
		TAP_OK(same, "%s (every chunk size)", t->name);
		same = 1;
		for (size_t chunk = 1; chunk <= len; chunk++) {
			run(t->in, len, t->cap, t->flags, chunk, 1, got, sizeof got);
			if (strcmp(got, t->want) != 0) {
				same = 0;
				printf("# growing buffer, chunk %zu: got \"%s\"\n", chunk, got);
			}
		}
		TAP_OK(same, "%s (buffer growing from 1 byte, every chunk size)", t->name);
	}

	char w[64];
	TAP_OK(mllp_wrap(w, sizeof w, "MSH", 3) == 6 && memcmp(w, "\x0bMSH\x1c\r", 6) == 0,
	       "mllp_wrap frames a message");
	TAP_OK(mllp_wrap(w, 5, "MSH", 3) == 6, "mllp_wrap reports the length it needs");
	return tap_done();
}

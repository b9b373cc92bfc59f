/* SPDX-License-Identifier: MIT */
/* test_msgsplit.c: the stream splitter finds the same units for any chunking of its input. */
#include <stdlib.h>
#include <string.h>

#include "guard.h"
#include "msgsplit.h"
#include "tap.h"

/*
 * Split in the way a reader does, the unconsumed bytes kept at the front
 * of a buffer that ends right at an unreadable page (an over-read
 * crashes): pieces cut at cuts[0..ncuts) (ascending), each one added and
 * split without eof until more is needed, then eof.  The units are written
 * to out as "flags:length:bytes|" items (without ":bytes" when bytes is 0), flags F (framed), B
 * (batch), T (truncated) or "-", then "end" (or "NEED_MORE_AT_EOF", "LOOP"). Returns the length
 * written.
 */
static size_t feed(const char *in, size_t len, const size_t *cuts, size_t ncuts, int bytes,
		   char *out, size_t outcap)
{
	static struct guarded g;
	static const size_t room = 4096;
	size_t have = 0, fed = 0, o = 0, next = 0, guard = 0;
	struct msgsplit s;

	if (!g.map) {
		static char zero[4096];
		g = guard_copy(zero, room);
	}
	memset(&s, 0, sizeof s);
	out[0] = '\0';
	for (;;) {
		int eof = fed == len && next > ncuts;
		char *buf = g.p + room - have; /* the unconsumed bytes end at the guard page */
		struct hl7_span m;
		size_t used;
		enum msgsplit_event ev = msgsplit_next(&s, buf, have, eof, &m, &used);

		if (++guard > 100000 || used > have)
			return o + (size_t)snprintf(out + o, outcap - o, "LOOP");
		have -= used; /* the front dropped: what is left still ends at the guard */
		if (ev == MSGSPLIT_END)
			break;
		if (ev == MSGSPLIT_MESSAGE) {
			char fl[4] = "";

			if (s.flags & MSGSPLIT_FRAMED)
				strcat(fl, "F");
			if (s.flags & MSGSPLIT_BATCH)
				strcat(fl, "B");
			if (s.flags & MSGSPLIT_TRUNCATED)
				strcat(fl, "T");
			o +=
			    (size_t)snprintf(out + o, outcap - o, "%s:%zu%s%.*s|", fl[0] ? fl : "-",
					     m.len, bytes ? ":" : "", bytes ? (int)m.len : 0, m.p);
			if (o >= outcap)
				return outcap - 1;
			continue;
		}
		if (eof)
			return o + (size_t)snprintf(out + o, outcap - o, "NEED_MORE_AT_EOF");
		/* The next piece, or eof when none is left (next becomes ncuts + 1). */
		size_t to = next < ncuts ? cuts[next] : len;
		next++;
		if (to < fed)
			to = fed;
		if (have + (to - fed) > room)
			return o + (size_t)snprintf(out + o, outcap - o, "TOO_LONG");
		memmove(g.p + room - have - (to - fed), g.p + room - have, have);
		memcpy(g.p + room - (to - fed), in + fed, to - fed);
		have += to - fed;
		fed = to;
	}
	return o + (size_t)snprintf(out + o, outcap - o, "end");
}

/* Printable form of a feed() result for a failure note. */
static void show(const char *what, const char *s)
{
	printf("#   %s: ", what);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c >= 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	printf("\n");
}

/* The units' bytes only: "<unit>|" with the whole input in one buffer at eof. */
static void units(const char *in, size_t len, char *out, size_t outcap)
{
	struct msgsplit s;
	size_t pos = 0, o = 0;

	memset(&s, 0, sizeof s);
	out[0] = '\0';
	for (;;) {
		struct hl7_span m;
		size_t used;
		enum msgsplit_event ev = msgsplit_next(&s, in + pos, len - pos, 1, &m, &used);

		pos += used;
		if (ev != MSGSPLIT_MESSAGE)
			break;
		o += (size_t)snprintf(out + o, outcap - o, "%.*s|", (int)m.len, m.p);
	}
}

struct tcase {
	const char *name;
	const char *in;
	const char *want_units; /* \r shown as-is */
	const char *want_events;
};

static const struct tcase cases[] = {
    {"one message, CR", "MSH|^~\\&|A\rPID|1\r", "MSH|^~\\&|A\rPID|1\r|", "-:17|end"},
    {"two messages, CR", "MSH|a\rPID|1\rMSH|b\r", "MSH|a\rPID|1\r|MSH|b\r|", "-:12|-:6|end"},
    {"two messages, LF, no final separator", "MSH|a\nPID|1\nMSH|b", "MSH|a\nPID|1\n|MSH|b|",
     "-:12|-:5|end"},
    {"CRLF and blank lines between", "\r\nMSH|a\r\n\r\nMSH|b\r\n\r\n",
     "MSH|a\r\n\r\n|MSH|b\r\n\r\n|", "-:9|-:9|end"},
    {"MSH inside a line does not split", "MSH|a\rPID|MSH|x\rMSHX|y\rMSH\r",
     "MSH|a\rPID|MSH|x\rMSHX|y\rMSH\r|", "-:27|end"},
    {"BOM at a line start splits", "MSH|a\r\xef\xbb\xbfMSH|b\r", "MSH|a\r|\xef\xbb\xbfMSH|b\r|",
     "-:6|-:9|end"},
    {"MLLP frames", "\x0bMSH|a\r\x1c\r\x0bMSH|b\r\x1c\r", "MSH|a\r|MSH|b\r|", "F:6|F:6|end"},
    {"MLLP frames without CR, LF between", "\x0bMSH|a\r\x1c\n\x0bMSH|b\r\x1c", "MSH|a\r|MSH|b\r|",
     "F:6|F:6|end"},
    {"frame cut by eof", "\x0bMSH|a\r\x1c\r\x0bMSH|b", "MSH|a\r|MSH|b|", "F:6|FT:5|end"},
    {"frame cut by a new start byte", "\x0bMSH|a\x0bMSH|b\x1c\r", "MSH|a|MSH|b|", "FT:5|F:5|end"},
    {"plain text then a frame", "MSH|a\r\x0bMSH|b\x1c\r", "MSH|a\r|MSH|b|", "-:6|F:5|end"},
    {"junk before a message is a unit", "hello\rMSH|a\r", "hello\r|MSH|a\r|", "-:6|-:6|end"},
    {"batch with trailer", "BHS|^~\\&\rMSH|a\rMSH|b\rBTS|2\rMSH|c\r",
     "BHS|^~\\&\rMSH|a\rMSH|b\rBTS|2\r|MSH|c\r|", "B:27|-:6|end"},
    {"file batch: BTS does not end it", "FHS|x\rBHS|y\rMSH|a\rBTS\rFTS|1\nMSH|c",
     "FHS|x\rBHS|y\rMSH|a\rBTS\rFTS|1\n|MSH|c|", "B:28|-:5|end"},
    {"batch without trailer ends at next BHS", "BHS|x\rMSH|a\rBHS|y\rMSH|b",
     "BHS|x\rMSH|a\r|BHS|y\rMSH|b|", "B:12|B:11|end"},
    {"trailer at eof", "BHS|x\rMSH|a\rBTS", "BHS|x\rMSH|a\rBTS|", "B:15|end"},
    {"trailer then CRLF", "BHS|\rBTS\r\n", "BHS|\rBTS\r\n|", "B:10|end"},
    {"file trailer then CRLF, a message", "FHS|\rFTS|1\r\nMSH|a\r", "FHS|\rFTS|1\r\n|MSH|a\r|",
     "B:12|-:6|end"},
    {"trailer, CRLF, blank lines, a message", "BHS|x\rMSH|a\rBTS|1\r\n\r\nMSH|b\r\n",
     "BHS|x\rMSH|a\rBTS|1\r\n|MSH|b\r\n|", "B:19|-:7|end"},
    {"trailer then LF", "BHS|\nBTS\nMSH|a", "BHS|\nBTS\n|MSH|a|", "B:9|-:5|end"},
    {"trailer then CR CR", "BHS|\rBTS\r\rMSH|a\r", "BHS|\rBTS\r|MSH|a\r|", "B:9|-:6|end"},
    {"BOM, batch, trailer then CRLF",
     "\xef\xbb\xbf"
     "BHS|\rBTS\r\n",
     "\xef\xbb\xbf"
     "BHS|\rBTS\r\n|",
     "B:13|end"},
    {"frame, its CR, a batch", "\x0bMSH|a\x1c\rBHS|\rBTS\r\n", "MSH|a|BHS|\rBTS\r\n|",
     "F:5|B:10|end"},
    {"only separators", "\r\n \t\r", "", "end"},
    {"empty", "", "", "end"},
};

/* 1 if feeding in with these cuts gives ref; else a note and 0. */
static int same_as(const char *in, size_t len, const size_t *cuts, size_t ncuts, const char *ref,
		   const char *how)
{
	char got[4096];

	feed(in, len, cuts, ncuts, 1, got, sizeof got);
	if (strcmp(got, ref) == 0)
		return 1;
	printf("#   %s:\n", how);
	show("got ", got);
	show("want", ref);
	return 0;
}

int main(void)
{
	char got[4096], ref[4096];
	size_t cuts[512];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct tcase *t = &cases[i];
		size_t len = strlen(t->in);
		char how[64];
		int same = 1;

		units(t->in, len, got, sizeof got);
		TAP_OK(strcmp(got, t->want_units) == 0, "%s: units", t->name);
		feed(t->in, len, NULL, 0, 0, got, sizeof got);
		TAP_OK(strcmp(got, t->want_events) == 0, "%s: events, fed whole", t->name);
		if (strcmp(got, t->want_events) != 0)
			show("got", got);

		/* Every other feeding finds the same units, bytes and flags. */
		feed(t->in, len, NULL, 0, 1, ref, sizeof ref);
		for (size_t p = 0; same && p <= len; p++) {
			cuts[0] = p;
			snprintf(how, sizeof how, "split at %zu", p);
			same = same_as(t->in, len, cuts, 1, ref, how);
		}
		TAP_OK(same, "%s: split at every position, the same units", t->name);
		for (size_t p = 1; p < len; p++)
			cuts[p - 1] = p;
		TAP_OK(same_as(t->in, len, cuts, len ? len - 1 : 0, ref, "byte by byte"),
		       "%s: byte by byte, the same units", t->name);
		same = 1;
		for (size_t chunk = 2; same && chunk < len; chunk++) {
			size_t n = 0;
			for (size_t p = chunk; p < len; p += chunk)
				cuts[n++] = p;
			snprintf(how, sizeof how, "chunks of %zu", chunk);
			same = same_as(t->in, len, cuts, n, ref, how);
		}
		TAP_OK(same, "%s: in chunks of every size, the same units", t->name);
	}

	/* Resuming costs O(size): a long unit fed a byte at a time stays linear. */
	{
		static char big[200000];
		size_t n = 0;
		memcpy(big, "MSH|x\r", 6);
		n = 6;
		while (n < sizeof big - 10)
			big[n++] = 'a';
		big[n++] = '\r';
		memcpy(big + n, "MSH|y\r", 6);
		n += 6;
		struct msgsplit s;
		struct hl7_span m;
		size_t used, have = 0, calls = 0;
		enum msgsplit_event ev = MSGSPLIT_NEED_MORE;
		memset(&s, 0, sizeof s);
		while (have < n && ev == MSGSPLIT_NEED_MORE) {
			have++;
			calls++;
			ev = msgsplit_next(&s, big, have, 0, &m, &used);
		}
		TAP_OK(ev == MSGSPLIT_MESSAGE && m.len == n - 6 && s.scan == 0 && calls < n,
		       "a long unit fed byte by byte is found once whole");
	}
	return tap_done();
}

/* SPDX-License-Identifier: MIT */
/* test_msgsplit.c: the stream splitter finds the same units for any chunking of its input. */
#include <stdlib.h>
#include <string.h>

#include "msgsplit.h"
#include "tap.h"

/*
 * Split in, fed chunk bytes at a time the way a reader does (unconsumed
 * bytes kept at the front of a buffer), into "flags:<unit>|" items; flags
 * are F (framed), B (batch), T (truncated) or "-".
 */
static void run(const char *in, size_t len, size_t chunk, char *out, size_t outcap)
{
	char buf[1024];
	size_t have = 0, fed = 0, o = 0;
	struct msgsplit s;
	int guard = 0;

	memset(&s, 0, sizeof s);
	out[0] = '\0';
	for (;;) {
		struct hl7_span m;
		size_t used;
		int eof = fed == len;
		enum msgsplit_event ev = msgsplit_next(&s, buf, have, eof, &m, &used);

		if (++guard > 100000) {
			snprintf(out + o, outcap - o, "LOOP");
			return;
		}
		memmove(buf, buf + used, have - used);
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
			o += (size_t)snprintf(out + o, outcap - o, "%s:%zu|", fl[0] ? fl : "-", m.len);
			have -= used;
			continue;
		}
		have -= used;
		if (eof) {
			snprintf(out + o, outcap - o, "NEED_MORE_AT_EOF");
			return;
		}
		size_t n = len - fed < chunk ? len - fed : chunk;
		memcpy(buf + have, in + fed, n);
		have += n;
		fed += n;
	}
	snprintf(out + o, outcap - o, "end");
}

/* Same, but the units' bytes: "<unit>|" with the whole input in one buffer. */
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
	{"CRLF and blank lines between", "\r\nMSH|a\r\n\r\nMSH|b\r\n\r\n", "MSH|a\r\n\r\n|MSH|b\r\n\r\n|",
	 "-:9|-:9|end"},
	{"MSH inside a line does not split", "MSH|a\rPID|MSH|x\rMSHX|y\rMSH\r", "MSH|a\rPID|MSH|x\rMSHX|y\rMSH\r|",
	 "-:27|end"},
	{"BOM at a line start splits", "MSH|a\r\xef\xbb\xbfMSH|b\r", "MSH|a\r|\xef\xbb\xbfMSH|b\r|", "-:6|-:9|end"},
	{"MLLP frames", "\x0bMSH|a\r\x1c\r\x0bMSH|b\r\x1c\r", "MSH|a\r|MSH|b\r|", "F:6|F:6|end"},
	{"MLLP frames without CR, LF between", "\x0bMSH|a\r\x1c\n\x0bMSH|b\r\x1c", "MSH|a\r|MSH|b\r|", "F:6|F:6|end"},
	{"frame cut by eof", "\x0bMSH|a\r\x1c\r\x0bMSH|b", "MSH|a\r|MSH|b|", "F:6|FT:5|end"},
	{"frame cut by a new start byte", "\x0bMSH|a\x0bMSH|b\x1c\r", "MSH|a|MSH|b|", "FT:5|F:5|end"},
	{"plain text then a frame", "MSH|a\r\x0bMSH|b\x1c\r", "MSH|a\r|MSH|b|", "-:6|F:5|end"},
	{"junk before a message is a unit", "hello\rMSH|a\r", "hello\r|MSH|a\r|", "-:6|-:6|end"},
	{"batch with trailer", "BHS|^~\\&\rMSH|a\rMSH|b\rBTS|2\rMSH|c\r", "BHS|^~\\&\rMSH|a\rMSH|b\rBTS|2\r|MSH|c\r|",
	 "B:27|-:6|end"},
	{"file batch: BTS does not end it", "FHS|x\rBHS|y\rMSH|a\rBTS\rFTS|1\nMSH|c", "FHS|x\rBHS|y\rMSH|a\rBTS\rFTS|1\n|MSH|c|",
	 "B:28|-:5|end"},
	{"batch without trailer ends at next BHS", "BHS|x\rMSH|a\rBHS|y\rMSH|b", "BHS|x\rMSH|a\r|BHS|y\rMSH|b|",
	 "B:12|B:11|end"},
	{"trailer at eof", "BHS|x\rMSH|a\rBTS", "BHS|x\rMSH|a\rBTS|", "B:15|end"},
	{"only separators", "\r\n \t\r", "", "end"},
	{"empty", "", "", "end"},
};

int main(void)
{
	char got[4096];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct tcase *t = &cases[i];
		size_t len = strlen(t->in);

		units(t->in, len, got, sizeof got);
		TAP_OK(strcmp(got, t->want_units) == 0, "%s: units", t->name);
		int same = 1;
		for (size_t chunk = 1; chunk <= len + 1; chunk++) {
			run(t->in, len, chunk, got, sizeof got);
			if (strcmp(got, t->want_events) != 0) {
				same = 0;
				printf("# chunk %zu: got \"%s\", want \"%s\"\n", chunk, got, t->want_events);
				break;
			}
		}
		TAP_OK(same, "%s: same events for every chunk size", t->name);
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

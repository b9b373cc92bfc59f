/* SPDX-License-Identifier: MIT */
/* test_batch.c: batch structure check and walk (FHS/BHS ... BTS/FTS). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "tap.h"

#define M1 "MSH|^~\\&|A|B|C|D|20260101||ADT^A01|ID1|P|2.5\rPID|1||X\r"
#define M2 "MSH|^~\\&|A|B|C|D|20260101||ADT^A01|ID2|P|2.5\rPID|1||Y\rOBX|1\r"
#define M3 "MSH|^~\\&|A|B|C|D|20260101||ADT^A01|ID3|P|2.5\rPID|1||Z\r"

/* The walk as "kind:bytes|" items (bytes with \r shown as '/'). */
static void walk(const char *in, char *out, size_t cap)
{
	struct hl7_batch b;
	struct hl7_span s;
	enum hl7_batch_kind k;
	size_t cur = 0, o = 0;
	static const char *names[] = {"FHS", "BHS", "MSG", "BTS", "FTS"};

	out[0] = '\0';
	if (hl7_batch_parse(&b, in, strlen(in)) != HL7_BATCH_OK) {
		snprintf(out, cap, "ERR %s", hl7_batch_status_text(b.status));
		return;
	}
	while (hl7_batch_next(&b, &cur, &k, &s) && o + s.len + 8 < cap) {
		o += (size_t)snprintf(out + o, cap - o, "%s:", names[k]);
		for (size_t i = 0; i < s.len; i++)
			out[o++] = s.p[i] == '\r' ? '/' : s.p[i];
		out[o++] = '|';
		out[o] = '\0';
	}
}

static enum hl7_batch_status status_of(const char *in, struct hl7_batch *b)
{
	return hl7_batch_parse(b, in, strlen(in));
}

static void structure(void)
{
	struct hl7_batch b;
	char out[2048];

	TAP_OK(status_of("BHS|^~\\&|S|F\r" M1 "BTS|1\r", &b) == HL7_BATCH_OK && b.messages == 1 &&
		   b.groups == 1,
	       "BHS, one message, BTS|1");
	TAP_OK(status_of("FHS|^~\\&\rBHS|^~\\&\r" M1 M2 "BTS|2\rFTS|1\r", &b) == HL7_BATCH_OK &&
		   b.messages == 2,
	       "FHS/BHS, two messages, BTS|2, FTS|1");
	TAP_OK(status_of("FHS|^~\\&\rBHS|^~\\&\rBTS|0\rFTS|1\r", &b) == HL7_BATCH_OK &&
		   b.messages == 0 && b.groups == 1,
	       "an empty batch is a batch");
	TAP_OK(status_of("BHS|^~\\&\r" M1, &b) == HL7_BATCH_OK, "lenient: BHS without BTS");
	TAP_OK(status_of("FHS|^~\\&\r" M1 M2 "FTS|1\r", &b) == HL7_BATCH_OK && b.groups == 1 &&
		   b.messages == 2,
	       "lenient: messages directly in FHS (one implicit group)");
	/* FHS ... FTS without BHS: common senders write the message count in FTS-1. */
	TAP_OK(status_of("FHS|^~\\&\r" M1 M2 M3 "FTS|3\r", &b) == HL7_BATCH_OK && b.groups == 1 &&
		   b.messages == 3,
	       "no BHS: FTS-1 may be the number of messages (3)");
	TAP_OK(status_of("FHS|^~\\&\r" M1 M2 M3 "FTS|1\r", &b) == HL7_BATCH_OK,
	       "no BHS: or the one implicit group");
	TAP_OK(status_of("FHS|^~\\&\r" M1 M2 M3 "FTS|2\r", &b) == HL7_BATCH_ERR_COUNT &&
		   strcmp(b.err_segment, "FTS") == 0,
	       "no BHS: an FTS-1 that counts neither (2) is refused");
	TAP_OK(status_of("FHS|^~\\&\rFTS|0\r", &b) == HL7_BATCH_OK, "no BHS, no message: FTS|0");
	TAP_OK(status_of("FHS|^~\\&\rBHS|^~\\&\r" M1 M2 M3 "BTS|3\rFTS|3\r", &b) ==
		   HL7_BATCH_ERR_COUNT,
	       "with a BHS, FTS-1 counts the groups only (3 messages, one group: FTS|3 refused)");
	TAP_OK(status_of("FHS|^~\\&\rBHS|^~\\&\r" M1 "BTS|1\rBHS|^~\\&\r" M2 "BTS\rFTS|2\r", &b) ==
		       HL7_BATCH_OK &&
		   b.groups == 2 && b.messages == 2,
	       "two groups in a file; an empty BTS-1 is not checked");
	TAP_OK(status_of("\xef\xbb\xbf"
			 "BHS|^~\\&\r" M1 "BTS|1\r",
			 &b) == HL7_BATCH_OK &&
		   b.start == 3,
	       "a BOM before BHS");
	TAP_OK(status_of("BHS|^~\\&\n"
			 "MSH|^~\\&|A|B|C|D|1||ADT^A01|ID1|P|2.5\nPID|1\n"
			 "BTS|1\n",
			 &b) == HL7_BATCH_OK,
	       "LF separators");

	TAP_OK(status_of(M1, &b) == HL7_BATCH_ERR_HEADER, "a message is not a batch");
	TAP_OK(status_of("BHS|^~\r" M1, &b) == HL7_BATCH_ERR_DELIMS,
	       "bad encoding characters in BHS-2");
	TAP_OK(status_of("BHS|^~\\&\rEVN|A04\rPID|1\rBTS|1\r", &b) == HL7_BATCH_ERR_OUTSIDE &&
		   strcmp(b.err_segment, "EVN") == 0,
	       "a segment before the first MSH of a group");
	TAP_OK(status_of("BHS|^~\\&\rMSH|^~\\&|A|B|C|D|1||ADT^A04|X|P|2.5\rEVN|A04\rBHS|^~\\&\rPID|"
			 "1\rBTS|1\r",
			 &b) == HL7_BATCH_ERR_ORDER &&
		   strcmp(b.err_segment, "BHS") == 0,
	       "a BHS inside an open group");
	TAP_OK(status_of("BHS|^~\\&\r" M1 M2 "BTS|3\r", &b) == HL7_BATCH_ERR_COUNT,
	       "BTS-1 says 3, two came");
	TAP_OK(status_of("BHS|^~\\&\r" M1 "BTS|x\r", &b) == HL7_BATCH_ERR_COUNT,
	       "BTS-1 not a number");
	TAP_OK(status_of("FHS|^~\\&\rBHS|^~\\&\r" M1 "BTS|1\rFTS|2\r", &b) == HL7_BATCH_ERR_COUNT,
	       "FTS-1 says 2 groups, one came");
	TAP_OK(status_of("FHS|^~\\&\rFHS|^~\\&\r" M1, &b) == HL7_BATCH_ERR_ORDER, "a second FHS");
	TAP_OK(status_of("BHS|^~\\&\r" M1 "BTS|1\rFTS|1\r", &b) == HL7_BATCH_ERR_ORDER,
	       "FTS without FHS");
	TAP_OK(status_of("FHS|^~\\&\r" M1 "FTS|1\r" M2, &b) == HL7_BATCH_ERR_ORDER,
	       "a message after FTS");
	TAP_OK(status_of("BHS|^~\\&\r" M1 "BTS|1\r" M2, &b) == HL7_BATCH_ERR_ORDER,
	       "a message after BTS outside FHS");
	TAP_OK(status_of("FHS|^~\\&\rBTS|0\r", &b) == HL7_BATCH_ERR_ORDER, "BTS without BHS");
	TAP_OK(status_of("BHS|^~\\&\r" M1 "pid|1\rBTS|1\r", &b) == HL7_BATCH_OK,
	       "segments inside a message are left to hl7_parse");
	TAP_OK(status_of("BHS|^~\\&\rpid|1\rBTS|1\r", &b) == HL7_BATCH_ERR_SEGMENT_ID,
	       "a bad segment ID outside a message");

	walk("FHS|^~\\&|S\rBHS|^~\\&\r" M1 M2 "BTS|2\rFTS|1\r", out, sizeof out);
	TAP_OK(strcmp(out, "FHS:FHS|^~\\&|S|BHS:BHS|^~\\&|MSG:MSH|^~\\&|A|B|C|D|20260101||ADT^A01|"
			   "ID1|P|2.5/PID|1||X/|"
			   "MSG:MSH|^~\\&|A|B|C|D|20260101||ADT^A01|ID2|P|2.5/PID|1||Y/OBX|1/"
			   "|BTS:BTS|2|FTS:FTS|1|") == 0,
	       "walk: headers, messages with their separators, trailers (%s)", out);
	walk("BHS|^~\\&\r" M1 "\r\r" M2, out, sizeof out);
	TAP_OK(strcmp(out,
		      "BHS:BHS|^~\\&|MSG:MSH|^~\\&|A|B|C|D|20260101||ADT^A01|ID1|P|2.5/PID|1||X///|"
		      "MSG:MSH|^~\\&|A|B|C|D|20260101||ADT^A01|ID2|P|2.5/PID|1||Y/OBX|1/|") == 0,
	       "walk: empty lines stay with the message before them; no trailer (%s)", out);
}

static void fields(void)
{
	struct hl7_batch b;
	struct hl7_span s, f;
	enum hl7_batch_kind k;
	size_t cur = 0;
	const char *in = "BHS|^~\\&|APP|FAC|RAPP|RFAC|20260101||||B-11|REF\r" M1 "BTS|1|comment\r";

	TAP_OK(hl7_batch_parse(&b, in, strlen(in)) == HL7_BATCH_OK, "fields: parses");
	hl7_batch_next(&b, &cur, &k, &s);
	TAP_OK(k == HL7_BATCH_BHS && hl7_batch_field(&b, s, 1, &f) && hl7_span_eq(f, "|"),
	       "BHS-1 is the separator");
	TAP_OK(hl7_batch_field(&b, s, 2, &f) && hl7_span_eq(f, "^~\\&"),
	       "BHS-2 the encoding characters");
	TAP_OK(hl7_batch_field(&b, s, 3, &f) && hl7_span_eq(f, "APP"), "BHS-3");
	TAP_OK(hl7_batch_field(&b, s, 11, &f) && hl7_span_eq(f, "B-11"), "BHS-11");
	TAP_OK(!hl7_batch_field(&b, s, 13, &f) && f.len == 0, "BHS-13 absent");
	hl7_batch_next(&b, &cur, &k, &s);
	hl7_batch_next(&b, &cur, &k, &s);
	TAP_OK(k == HL7_BATCH_BTS && hl7_batch_field(&b, s, 1, &f) && hl7_span_eq(f, "1"),
	       "BTS-1 is the first field");
	TAP_OK(hl7_batch_field(&b, s, 2, &f) && hl7_span_eq(f, "comment"), "BTS-2");
	TAP_OK(!hl7_batch_next(&b, &cur, &k, &s), "the end");
}

/* Every prefix of a valid batch parses or fails cleanly, without reading past it (ASan). */
static void prefixes(void)
{
	const char *in = "FHS|^~\\&\rBHS|^~\\&\r" M1 M2 "BTS|2\rFTS|1\r";
	size_t n = strlen(in);
	int bad = 0;

	for (size_t len = 0; len <= n; len++) {
		char *p = malloc(len ? len : 1);
		struct hl7_batch b;
		struct hl7_span s;
		enum hl7_batch_kind k;
		size_t cur = 0, guard = 0;
		memcpy(p, in, len);
		hl7_batch_parse(&b, p, len);
		while (hl7_batch_next(&b, &cur, &k, &s))
			if (++guard > 100)
				bad++;
		free(p);
	}
	TAP_OK(bad == 0, "every prefix parses and walks within its bounds");
}

int main(void)
{
	structure();
	fields();
	prefixes();
	return tap_done();
}

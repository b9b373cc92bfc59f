/* SPDX-License-Identifier: MIT */
/* test_hl7walk.c: the full event stream of hl7_walk, pinned against the original (rescanning)
 * walker, with guard pages, and compared with the walker that preceded lib/hl7tok. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hl7.h"
#include "hl7walk.h"
#include "guard.h"
#include "tap.h"

/*
 * Every event becomes one text line:
 *   EVENT ID[seg_index] f r c s n=nrep,ncomp,nsub w=whole @offset+len 'value' path
 * with the offset of value.p in the message buffer, bytes outside printable
 * ASCII (and \ and ') as \xNN, and hl7_walk_path() at FIELD and LEAF events.
 * "!seg" marks an event whose w->segment is not the segment's span.
 */
struct rec {
	const char *base;
	struct hl7_span seg;
	char *p;
	size_t len, cap;
	unsigned events;
};

static void put(struct rec *r, const char *s, size_t n)
{
	if (r->len + n + 1 > r->cap) {
		r->cap = (r->len + n + 1) * 2;
		r->p = realloc(r->p, r->cap);
		if (!r->p) {
			perror("realloc");
			exit(2);
		}
	}
	memcpy(r->p + r->len, s, n);
	r->len += n;
	r->p[r->len] = 0;
}

static void puts_(struct rec *r, const char *s)
{
	put(r, s, strlen(s));
}

static const char *const ev_names[] = {
    "SEG", "FIELD", "REP", "COMP", "LEAF", "/COMP", "/REP", "/FIELD", "/SEG",
};

static void record(void *ctx, enum hl7_walk_event ev, const struct hl7_walk_pos *w)
{
	struct rec *r = ctx;
	char line[256], path[64];
	size_t i;

	r->events++;
	if (ev == HL7_WALK_SEGMENT)
		r->seg = w->segment;
	snprintf(line, sizeof line, "%s %s[%u] f%u r%u c%u s%u n=%u,%u,%u w=%d @%zu+%zu%s '",
		 ev_names[ev], w->id, w->seg_index, w->field, w->rep, w->comp, w->sub, w->nrep,
		 w->ncomp, w->nsub, w->whole, (size_t)(w->value.p - r->base), w->value.len,
		 w->segment.p != r->seg.p || w->segment.len != r->seg.len ? " !seg" : "");
	puts_(r, line);
	for (i = 0; i < w->value.len; i++) {
		unsigned char c = (unsigned char)w->value.p[i];

		if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
			put(r, (const char *)&c, 1);
		} else {
			snprintf(line, sizeof line, "\\x%02X", c);
			puts_(r, line);
		}
	}
	puts_(r, "'");
	if (ev == HL7_WALK_FIELD || ev == HL7_WALK_LEAF) {
		size_t n = hl7_walk_path(w, ev, path, sizeof path);

		put(r, " ", 1);
		put(r, path, n);
	}
	put(r, "\n", 1);
}

/* Parse buf and walk it into r; returns 0 when the message has no delimiters. */
static int walk_text(const char *buf, size_t len, struct rec *r)
{
	struct hl7_msg m;

	memset(r, 0, sizeof *r);
	r->base = buf;
	puts_(r, "");
	hl7_parse(&m, buf, len, 0);
	if (!m.has_delims)
		return 0;
	hl7_walk(&m, record, r);
	return 1;
}

static uint64_t fnv1a(const char *p, size_t len)
{
	uint64_t h = 14695981039346656037u;

	while (len--) {
		h ^= (unsigned char)*p++;
		h *= 1099511628211u;
	}
	return h;
}

/* Small cases: the whole expected stream, as the original walker produced it. */
struct tcase {
	const char *name;
	const char *in;
	const char *want;
};

/* Large cases: built by code, pinned by event count and FNV-1a hash of the stream. */
struct gcase {
	const char *name;
	void (*build)(struct rec *out, unsigned arg);
	unsigned arg;
	unsigned events;
	uint64_t hash;
};

#define MSH_A "MSH|^~\\&|A|B|C|D|20260101120000||ADT^A01|1|P|2.5.1\r"
/* A short MSH (no MSH-9: hl7_parse() refuses it, but the delimiters are known and that is all the
 * walk needs). */
#define MSH_S "MSH|^~\\&|A\r"

/* A field of n delimiters cycling through the kinds in pattern, in segment ZZZ, after some short
 * fields. */
static void build_delims(struct rec *out, unsigned n, const char *pattern)
{
	unsigned i;
	size_t k = strlen(pattern);

	puts_(out, MSH_A "ZZZ|1|x^y|");
	for (i = 0; i < n; i++) {
		char v[2] = {(char)('a' + i % 26), 0};

		if (i % 3 != 1)
			puts_(out, v);
		put(out, pattern + i % k, 1);
	}
	puts_(out, "|last^one\rNTE|2\r");
}

static void build_comps(struct rec *out, unsigned n)
{
	build_delims(out, n, "^");
}

static void build_reps(struct rec *out, unsigned n)
{
	build_delims(out, n, "~");
}

static void build_subs(struct rec *out, unsigned n)
{
	build_delims(out, n, "&");
}

static void build_mixed(struct rec *out, unsigned n)
{
	build_delims(out, n, "^&^~&&^");
}

/* Delimiters only, no text: "^^^^..." and the like, also in MSH-3. */
static void build_bare(struct rec *out, unsigned n)
{
	unsigned i;

	puts_(out, "MSH|^~\\&|");
	for (i = 0; i < n; i++)
		put(out, "^&~" + i % 3, 1);
	puts_(out, "|B|C|D|20260101120000||ADT^A01|1|P|2.5.1\rPID|");
	for (i = 0; i < n; i++)
		put(out, "~", 1);
	puts_(out, "|");
	for (i = 0; i < n; i++)
		put(out, "&", 1);
	puts_(out, "\r");
}

/* Many fields and segments: the ORU^R01 of the benchmark, n OBX segments. */
static void build_oru(struct rec *out, unsigned n)
{
	unsigned i;
	char seg[160];

	puts_(out, "MSH|^~\\&|SENDAPP|SENDFAC|RECVAPP|RECVFAC|20260101120000||ORU^R01^ORU_R01|K64|"
		   "P|2.5.1\r");
	for (i = 1; i <= n; i++) {
		snprintf(seg, sizeof seg, "OBX|%u|TX|1234-5^Result^LN||%.*s||||||F\r", i,
			 (int)(i % 70),
			 "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"
			 "yyyyy");
		puts_(out, seg);
	}
}

/* More distinct segment IDs than the walker counts (then seg_index is 0). */
static void build_ids(struct rec *out, unsigned n)
{
	unsigned i;
	char seg[32];

	puts_(out, MSH_A);
	for (i = 0; i < n; i++) {
		snprintf(seg, sizeof seg, "Z%c%c|%u\r", 'A' + i / 26 % 26, 'A' + i % 26, i);
		puts_(out, seg);
		if (i % 7 == 0)
			puts_(out, "NTE|x^y\r");
	}
	puts_(out, "ZAA|again\rZZZ|end\r");
}

/* A long field with no delimiter at all, and one with a single delimiter far in. */
static void build_long(struct rec *out, unsigned n)
{
	unsigned i;

	puts_(out, MSH_A "OBX|1|TX|||");
	for (i = 0; i < n; i++)
		put(out, "abcdefghijklmnopqrstuvwxyz0123456789" + i % 36, 1);
	puts_(out, "|");
	for (i = 0; i < n; i++)
		put(out, "Z", 1);
	puts_(out, "^&~end|F");
}

#define ADT498                                                                                     \
	"MSH|^~\\&|SENDAPP|SENDFAC|RECVAPP|RECVFAC|20260101120000||ADT^A01^ADT_A01|MSG00001|P|2."  \
	"5.1\r"                                                                                    \
	"EVN|A01|20260101120000\r"                                                                 \
	"PID|1||123456^^^HOSP^MR~987654^^^SSA^SS||DOE^JOHN^Q^JR^^^L||19800101|M|||123 MAIN "       \
	"ST^^ANYTOWN^CA^90210^USA^H||(555)555-1234^PRN^PH|||M|CHR|ACCT0001\r"                      \
	"NK1|1|DOE^JANE|SPO^Spouse^HL70063|123 MAIN ST^^ANYTOWN^CA^90210|(555)555-1235\r"          \
	"PV1|1|I|WARD1^101^A^HOSP||||1234^SMITH^ADAM^^^DR|||MED||||ADM|||1234^SMITH^ADAM^^^DR|IN|" \
	"|||||||||||||||||"                                                                        \
	"||||||||20260101115500\r"                                                                 \
	"NTE|1||xxxxxxxxxxxxxxxxxxxxxxx\r"

/* The 498-byte ADT^A01 of the benchmark; n copies, one message each (parse takes them as one
 * block). */
static void build_adt(struct rec *out, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		puts_(out, ADT498);
}

static const struct {
	void (*fn)(struct rec *, unsigned);
	const char *name;
} builders[] = {
    {build_comps, "build_comps"}, {build_reps, "build_reps"}, {build_subs, "build_subs"},
    {build_mixed, "build_mixed"}, {build_bare, "build_bare"}, {build_oru, "build_oru"},
    {build_ids, "build_ids"},	  {build_long, "build_long"}, {build_adt, "build_adt"},
};

static const char *builder_name(void (*fn)(struct rec *, unsigned))
{
	size_t i;

	for (i = 0; i < sizeof builders / sizeof builders[0]; i++)
		if (builders[i].fn == fn)
			return builders[i].name;
	return "?";
}

/* BEGIN GENERATED: test_hl7walk --gen, run against the original lib/hl7walk.c */
static const struct tcase cases[] = {
    {"minimal", "MSH|^~\\&|A|B|C|D|20260101120000||ADT^A01|1|P|2.5.1\r",
     "SEG MSH[1] f0 r0 c0 s0 n=0,0,0 w=0 @0+50 "
     "'MSH|^~\\x5C&|A|B|C|D|20260101120000||ADT^A01|1|P|2.5.1'\n"
     "FIELD MSH[1] f1 r0 c0 s0 n=1,0,0 w=1 @3+1 '|' MSH-1\n"
     "REP MSH[1] f1 r1 c0 s0 n=1,1,0 w=1 @3+1 '|'\n"
     "COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "LEAF MSH[1] f1 r1 c1 s1 n=1,1,1 w=1 @3+1 '|' MSH-1\n"
     "/COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/REP MSH[1] f1 r1 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/FIELD MSH[1] f1 r0 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "LEAF MSH[1] f2 r1 c1 s1 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "/COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @9+1 'A' MSH-3\n"
     "REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "LEAF MSH[1] f3 r1 c1 s1 n=1,1,1 w=0 @9+1 'A' MSH-3\n"
     "/COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "FIELD MSH[1] f4 r0 c0 s0 n=1,1,1 w=0 @11+1 'B' MSH-4\n"
     "REP MSH[1] f4 r1 c0 s0 n=1,1,1 w=0 @11+1 'B'\n"
     "COMP MSH[1] f4 r1 c1 s0 n=1,1,1 w=0 @11+1 'B'\n"
     "LEAF MSH[1] f4 r1 c1 s1 n=1,1,1 w=0 @11+1 'B' MSH-4\n"
     "/COMP MSH[1] f4 r1 c1 s0 n=1,1,1 w=0 @11+1 'B'\n"
     "/REP MSH[1] f4 r1 c0 s0 n=1,1,1 w=0 @11+1 'B'\n"
     "/FIELD MSH[1] f4 r0 c0 s0 n=1,1,1 w=0 @11+1 'B'\n"
     "FIELD MSH[1] f5 r0 c0 s0 n=1,1,1 w=0 @13+1 'C' MSH-5\n"
     "REP MSH[1] f5 r1 c0 s0 n=1,1,1 w=0 @13+1 'C'\n"
     "COMP MSH[1] f5 r1 c1 s0 n=1,1,1 w=0 @13+1 'C'\n"
     "LEAF MSH[1] f5 r1 c1 s1 n=1,1,1 w=0 @13+1 'C' MSH-5\n"
     "/COMP MSH[1] f5 r1 c1 s0 n=1,1,1 w=0 @13+1 'C'\n"
     "/REP MSH[1] f5 r1 c0 s0 n=1,1,1 w=0 @13+1 'C'\n"
     "/FIELD MSH[1] f5 r0 c0 s0 n=1,1,1 w=0 @13+1 'C'\n"
     "FIELD MSH[1] f6 r0 c0 s0 n=1,1,1 w=0 @15+1 'D' MSH-6\n"
     "REP MSH[1] f6 r1 c0 s0 n=1,1,1 w=0 @15+1 'D'\n"
     "COMP MSH[1] f6 r1 c1 s0 n=1,1,1 w=0 @15+1 'D'\n"
     "LEAF MSH[1] f6 r1 c1 s1 n=1,1,1 w=0 @15+1 'D' MSH-6\n"
     "/COMP MSH[1] f6 r1 c1 s0 n=1,1,1 w=0 @15+1 'D'\n"
     "/REP MSH[1] f6 r1 c0 s0 n=1,1,1 w=0 @15+1 'D'\n"
     "/FIELD MSH[1] f6 r0 c0 s0 n=1,1,1 w=0 @15+1 'D'\n"
     "FIELD MSH[1] f7 r0 c0 s0 n=1,1,1 w=0 @17+14 '20260101120000' MSH-7\n"
     "REP MSH[1] f7 r1 c0 s0 n=1,1,1 w=0 @17+14 '20260101120000'\n"
     "COMP MSH[1] f7 r1 c1 s0 n=1,1,1 w=0 @17+14 '20260101120000'\n"
     "LEAF MSH[1] f7 r1 c1 s1 n=1,1,1 w=0 @17+14 '20260101120000' MSH-7\n"
     "/COMP MSH[1] f7 r1 c1 s0 n=1,1,1 w=0 @17+14 '20260101120000'\n"
     "/REP MSH[1] f7 r1 c0 s0 n=1,1,1 w=0 @17+14 '20260101120000'\n"
     "/FIELD MSH[1] f7 r0 c0 s0 n=1,1,1 w=0 @17+14 '20260101120000'\n"
     "FIELD MSH[1] f8 r0 c0 s0 n=1,1,1 w=0 @32+0 '' MSH-8\n"
     "REP MSH[1] f8 r1 c0 s0 n=1,1,1 w=0 @32+0 ''\n"
     "COMP MSH[1] f8 r1 c1 s0 n=1,1,1 w=0 @32+0 ''\n"
     "LEAF MSH[1] f8 r1 c1 s1 n=1,1,1 w=0 @32+0 '' MSH-8\n"
     "/COMP MSH[1] f8 r1 c1 s0 n=1,1,1 w=0 @32+0 ''\n"
     "/REP MSH[1] f8 r1 c0 s0 n=1,1,1 w=0 @32+0 ''\n"
     "/FIELD MSH[1] f8 r0 c0 s0 n=1,1,1 w=0 @32+0 ''\n"
     "FIELD MSH[1] f9 r0 c0 s0 n=1,1,1 w=0 @33+7 'ADT^A01' MSH-9\n"
     "REP MSH[1] f9 r1 c0 s0 n=1,2,1 w=0 @33+7 'ADT^A01'\n"
     "COMP MSH[1] f9 r1 c1 s0 n=1,2,1 w=0 @33+3 'ADT'\n"
     "LEAF MSH[1] f9 r1 c1 s1 n=1,2,1 w=0 @33+3 'ADT' MSH-9.1\n"
     "/COMP MSH[1] f9 r1 c1 s0 n=1,2,1 w=0 @33+3 'ADT'\n"
     "COMP MSH[1] f9 r1 c2 s0 n=1,2,1 w=0 @37+3 'A01'\n"
     "LEAF MSH[1] f9 r1 c2 s1 n=1,2,1 w=0 @37+3 'A01' MSH-9.2\n"
     "/COMP MSH[1] f9 r1 c2 s0 n=1,2,1 w=0 @37+3 'A01'\n"
     "/REP MSH[1] f9 r1 c0 s0 n=1,2,1 w=0 @33+7 'ADT^A01'\n"
     "/FIELD MSH[1] f9 r0 c0 s0 n=1,2,1 w=0 @33+7 'ADT^A01'\n"
     "FIELD MSH[1] f10 r0 c0 s0 n=1,2,1 w=0 @41+1 '1' MSH-10\n"
     "REP MSH[1] f10 r1 c0 s0 n=1,1,1 w=0 @41+1 '1'\n"
     "COMP MSH[1] f10 r1 c1 s0 n=1,1,1 w=0 @41+1 '1'\n"
     "LEAF MSH[1] f10 r1 c1 s1 n=1,1,1 w=0 @41+1 '1' MSH-10\n"
     "/COMP MSH[1] f10 r1 c1 s0 n=1,1,1 w=0 @41+1 '1'\n"
     "/REP MSH[1] f10 r1 c0 s0 n=1,1,1 w=0 @41+1 '1'\n"
     "/FIELD MSH[1] f10 r0 c0 s0 n=1,1,1 w=0 @41+1 '1'\n"
     "FIELD MSH[1] f11 r0 c0 s0 n=1,1,1 w=0 @43+1 'P' MSH-11\n"
     "REP MSH[1] f11 r1 c0 s0 n=1,1,1 w=0 @43+1 'P'\n"
     "COMP MSH[1] f11 r1 c1 s0 n=1,1,1 w=0 @43+1 'P'\n"
     "LEAF MSH[1] f11 r1 c1 s1 n=1,1,1 w=0 @43+1 'P' MSH-11\n"
     "/COMP MSH[1] f11 r1 c1 s0 n=1,1,1 w=0 @43+1 'P'\n"
     "/REP MSH[1] f11 r1 c0 s0 n=1,1,1 w=0 @43+1 'P'\n"
     "/FIELD MSH[1] f11 r0 c0 s0 n=1,1,1 w=0 @43+1 'P'\n"
     "FIELD MSH[1] f12 r0 c0 s0 n=1,1,1 w=0 @45+5 '2.5.1' MSH-12\n"
     "REP MSH[1] f12 r1 c0 s0 n=1,1,1 w=0 @45+5 '2.5.1'\n"
     "COMP MSH[1] f12 r1 c1 s0 n=1,1,1 w=0 @45+5 '2.5.1'\n"
     "LEAF MSH[1] f12 r1 c1 s1 n=1,1,1 w=0 @45+5 '2.5.1' MSH-12\n"
     "/COMP MSH[1] f12 r1 c1 s0 n=1,1,1 w=0 @45+5 '2.5.1'\n"
     "/REP MSH[1] f12 r1 c0 s0 n=1,1,1 w=0 @45+5 '2.5.1'\n"
     "/FIELD MSH[1] f12 r0 c0 s0 n=1,1,1 w=0 @45+5 '2.5.1'\n"
     "/SEG MSH[1] f0 r0 c0 s0 n=1,1,1 w=0 @0+50 "
     "'MSH|^~\\x5C&|A|B|C|D|20260101120000||ADT^A01|1|P|2.5.1'\n"},
    {"reps, comps, subs", "MSH|^~\\&|A\rPID|1||123^^^H&1.2&ISO^MR~456^^^S^SS||DOE^JOHN\r",
     "SEG MSH[1] f0 r0 c0 s0 n=0,0,0 w=0 @0+10 'MSH|^~\\x5C&|A'\n"
     "FIELD MSH[1] f1 r0 c0 s0 n=1,0,0 w=1 @3+1 '|' MSH-1\n"
     "REP MSH[1] f1 r1 c0 s0 n=1,1,0 w=1 @3+1 '|'\n"
     "COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "LEAF MSH[1] f1 r1 c1 s1 n=1,1,1 w=1 @3+1 '|' MSH-1\n"
     "/COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/REP MSH[1] f1 r1 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/FIELD MSH[1] f1 r0 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "LEAF MSH[1] f2 r1 c1 s1 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "/COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @9+1 'A' MSH-3\n"
     "REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "LEAF MSH[1] f3 r1 c1 s1 n=1,1,1 w=0 @9+1 'A' MSH-3\n"
     "/COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/SEG MSH[1] f0 r0 c0 s0 n=1,1,1 w=0 @0+10 'MSH|^~\\x5C&|A'\n"
     "SEG PID[1] f0 r0 c0 s0 n=0,0,0 w=0 @11+46 'PID|1||123^^^H&1.2&ISO^MR~456^^^S^SS||DOE^JOHN'\n"
     "FIELD PID[1] f1 r0 c0 s0 n=1,0,0 w=0 @15+1 '1' PID-1\n"
     "REP PID[1] f1 r1 c0 s0 n=1,1,0 w=0 @15+1 '1'\n"
     "COMP PID[1] f1 r1 c1 s0 n=1,1,1 w=0 @15+1 '1'\n"
     "LEAF PID[1] f1 r1 c1 s1 n=1,1,1 w=0 @15+1 '1' PID-1\n"
     "/COMP PID[1] f1 r1 c1 s0 n=1,1,1 w=0 @15+1 '1'\n"
     "/REP PID[1] f1 r1 c0 s0 n=1,1,1 w=0 @15+1 '1'\n"
     "/FIELD PID[1] f1 r0 c0 s0 n=1,1,1 w=0 @15+1 '1'\n"
     "FIELD PID[1] f2 r0 c0 s0 n=1,1,1 w=0 @17+0 '' PID-2\n"
     "REP PID[1] f2 r1 c0 s0 n=1,1,1 w=0 @17+0 ''\n"
     "COMP PID[1] f2 r1 c1 s0 n=1,1,1 w=0 @17+0 ''\n"
     "LEAF PID[1] f2 r1 c1 s1 n=1,1,1 w=0 @17+0 '' PID-2\n"
     "/COMP PID[1] f2 r1 c1 s0 n=1,1,1 w=0 @17+0 ''\n"
     "/REP PID[1] f2 r1 c0 s0 n=1,1,1 w=0 @17+0 ''\n"
     "/FIELD PID[1] f2 r0 c0 s0 n=1,1,1 w=0 @17+0 ''\n"
     "FIELD PID[1] f3 r0 c0 s0 n=2,1,1 w=0 @18+29 '123^^^H&1.2&ISO^MR~456^^^S^SS' PID-3\n"
     "REP PID[1] f3 r1 c0 s0 n=2,5,1 w=0 @18+18 '123^^^H&1.2&ISO^MR'\n"
     "COMP PID[1] f3 r1 c1 s0 n=2,5,1 w=0 @18+3 '123'\n"
     "LEAF PID[1] f3 r1 c1 s1 n=2,5,1 w=0 @18+3 '123' PID-3[1].1\n"
     "/COMP PID[1] f3 r1 c1 s0 n=2,5,1 w=0 @18+3 '123'\n"
     "COMP PID[1] f3 r1 c2 s0 n=2,5,1 w=0 @22+0 ''\n"
     "LEAF PID[1] f3 r1 c2 s1 n=2,5,1 w=0 @22+0 '' PID-3[1].2\n"
     "/COMP PID[1] f3 r1 c2 s0 n=2,5,1 w=0 @22+0 ''\n"
     "COMP PID[1] f3 r1 c3 s0 n=2,5,1 w=0 @23+0 ''\n"
     "LEAF PID[1] f3 r1 c3 s1 n=2,5,1 w=0 @23+0 '' PID-3[1].3\n"
     "/COMP PID[1] f3 r1 c3 s0 n=2,5,1 w=0 @23+0 ''\n"
     "COMP PID[1] f3 r1 c4 s0 n=2,5,3 w=0 @24+9 'H&1.2&ISO'\n"
     "LEAF PID[1] f3 r1 c4 s1 n=2,5,3 w=0 @24+1 'H' PID-3[1].4.1\n"
     "LEAF PID[1] f3 r1 c4 s2 n=2,5,3 w=0 @26+3 '1.2' PID-3[1].4.2\n"
     "LEAF PID[1] f3 r1 c4 s3 n=2,5,3 w=0 @30+3 'ISO' PID-3[1].4.3\n"
     "/COMP PID[1] f3 r1 c4 s0 n=2,5,3 w=0 @24+9 'H&1.2&ISO'\n"
     "COMP PID[1] f3 r1 c5 s0 n=2,5,1 w=0 @34+2 'MR'\n"
     "LEAF PID[1] f3 r1 c5 s1 n=2,5,1 w=0 @34+2 'MR' PID-3[1].5\n"
     "/COMP PID[1] f3 r1 c5 s0 n=2,5,1 w=0 @34+2 'MR'\n"
     "/REP PID[1] f3 r1 c0 s0 n=2,5,1 w=0 @18+18 '123^^^H&1.2&ISO^MR'\n"
     "REP PID[1] f3 r2 c0 s0 n=2,5,1 w=0 @37+10 '456^^^S^SS'\n"
     "COMP PID[1] f3 r2 c1 s0 n=2,5,1 w=0 @37+3 '456'\n"
     "LEAF PID[1] f3 r2 c1 s1 n=2,5,1 w=0 @37+3 '456' PID-3[2].1\n"
     "/COMP PID[1] f3 r2 c1 s0 n=2,5,1 w=0 @37+3 '456'\n"
     "COMP PID[1] f3 r2 c2 s0 n=2,5,1 w=0 @41+0 ''\n"
     "LEAF PID[1] f3 r2 c2 s1 n=2,5,1 w=0 @41+0 '' PID-3[2].2\n"
     "/COMP PID[1] f3 r2 c2 s0 n=2,5,1 w=0 @41+0 ''\n"
     "COMP PID[1] f3 r2 c3 s0 n=2,5,1 w=0 @42+0 ''\n"
     "LEAF PID[1] f3 r2 c3 s1 n=2,5,1 w=0 @42+0 '' PID-3[2].3\n"
     "/COMP PID[1] f3 r2 c3 s0 n=2,5,1 w=0 @42+0 ''\n"
     "COMP PID[1] f3 r2 c4 s0 n=2,5,1 w=0 @43+1 'S'\n"
     "LEAF PID[1] f3 r2 c4 s1 n=2,5,1 w=0 @43+1 'S' PID-3[2].4\n"
     "/COMP PID[1] f3 r2 c4 s0 n=2,5,1 w=0 @43+1 'S'\n"
     "COMP PID[1] f3 r2 c5 s0 n=2,5,1 w=0 @45+2 'SS'\n"
     "LEAF PID[1] f3 r2 c5 s1 n=2,5,1 w=0 @45+2 'SS' PID-3[2].5\n"
     "/COMP PID[1] f3 r2 c5 s0 n=2,5,1 w=0 @45+2 'SS'\n"
     "/REP PID[1] f3 r2 c0 s0 n=2,5,1 w=0 @37+10 '456^^^S^SS'\n"
     "/FIELD PID[1] f3 r0 c0 s0 n=2,5,1 w=0 @18+29 '123^^^H&1.2&ISO^MR~456^^^S^SS'\n"
     "FIELD PID[1] f4 r0 c0 s0 n=1,5,1 w=0 @48+0 '' PID-4\n"
     "REP PID[1] f4 r1 c0 s0 n=1,1,1 w=0 @48+0 ''\n"
     "COMP PID[1] f4 r1 c1 s0 n=1,1,1 w=0 @48+0 ''\n"
     "LEAF PID[1] f4 r1 c1 s1 n=1,1,1 w=0 @48+0 '' PID-4\n"
     "/COMP PID[1] f4 r1 c1 s0 n=1,1,1 w=0 @48+0 ''\n"
     "/REP PID[1] f4 r1 c0 s0 n=1,1,1 w=0 @48+0 ''\n"
     "/FIELD PID[1] f4 r0 c0 s0 n=1,1,1 w=0 @48+0 ''\n"
     "FIELD PID[1] f5 r0 c0 s0 n=1,1,1 w=0 @49+8 'DOE^JOHN' PID-5\n"
     "REP PID[1] f5 r1 c0 s0 n=1,2,1 w=0 @49+8 'DOE^JOHN'\n"
     "COMP PID[1] f5 r1 c1 s0 n=1,2,1 w=0 @49+3 'DOE'\n"
     "LEAF PID[1] f5 r1 c1 s1 n=1,2,1 w=0 @49+3 'DOE' PID-5.1\n"
     "/COMP PID[1] f5 r1 c1 s0 n=1,2,1 w=0 @49+3 'DOE'\n"
     "COMP PID[1] f5 r1 c2 s0 n=1,2,1 w=0 @53+4 'JOHN'\n"
     "LEAF PID[1] f5 r1 c2 s1 n=1,2,1 w=0 @53+4 'JOHN' PID-5.2\n"
     "/COMP PID[1] f5 r1 c2 s0 n=1,2,1 w=0 @53+4 'JOHN'\n"
     "/REP PID[1] f5 r1 c0 s0 n=1,2,1 w=0 @49+8 'DOE^JOHN'\n"
     "/FIELD PID[1] f5 r0 c0 s0 n=1,2,1 w=0 @49+8 'DOE^JOHN'\n"
     "/SEG PID[1] f0 r0 c0 s0 n=1,2,1 w=0 @11+46 "
     "'PID|1||123^^^H&1.2&ISO^MR~456^^^S^SS||DOE^JOHN'\n"},
    {"non-default delimiters",
     "MSH#:*!@#A#B#C#D#2026##ADT:A01#1#P#2.5.1\rPID#1##1:2@3*4:5##x|y^z~w&v\\q#!F!\r",
     "SEG MSH[1] f0 r0 c0 s0 n=0,0,0 w=0 @0+40 'MSH#:*!@#A#B#C#D#2026##ADT:A01#1#P#2.5.1'\n"
     "FIELD MSH[1] f1 r0 c0 s0 n=1,0,0 w=1 @3+1 '#' MSH-1\n"
     "REP MSH[1] f1 r1 c0 s0 n=1,1,0 w=1 @3+1 '#'\n"
     "COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '#'\n"
     "LEAF MSH[1] f1 r1 c1 s1 n=1,1,1 w=1 @3+1 '#' MSH-1\n"
     "/COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '#'\n"
     "/REP MSH[1] f1 r1 c0 s0 n=1,1,1 w=1 @3+1 '#'\n"
     "/FIELD MSH[1] f1 r0 c0 s0 n=1,1,1 w=1 @3+1 '#'\n"
     "FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 ':*!@' MSH-2\n"
     "REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 ':*!@'\n"
     "COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 ':*!@'\n"
     "LEAF MSH[1] f2 r1 c1 s1 n=1,1,1 w=1 @4+4 ':*!@' MSH-2\n"
     "/COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 ':*!@'\n"
     "/REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 ':*!@'\n"
     "/FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 ':*!@'\n"
     "FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @9+1 'A' MSH-3\n"
     "REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "LEAF MSH[1] f3 r1 c1 s1 n=1,1,1 w=0 @9+1 'A' MSH-3\n"
     "/COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "FIELD MSH[1] f4 r0 c0 s0 n=1,1,1 w=0 @11+1 'B' MSH-4\n"
     "REP MSH[1] f4 r1 c0 s0 n=1,1,1 w=0 @11+1 'B'\n"
     "COMP MSH[1] f4 r1 c1 s0 n=1,1,1 w=0 @11+1 'B'\n"
     "LEAF MSH[1] f4 r1 c1 s1 n=1,1,1 w=0 @11+1 'B' MSH-4\n"
     "/COMP MSH[1] f4 r1 c1 s0 n=1,1,1 w=0 @11+1 'B'\n"
     "/REP MSH[1] f4 r1 c0 s0 n=1,1,1 w=0 @11+1 'B'\n"
     "/FIELD MSH[1] f4 r0 c0 s0 n=1,1,1 w=0 @11+1 'B'\n"
     "FIELD MSH[1] f5 r0 c0 s0 n=1,1,1 w=0 @13+1 'C' MSH-5\n"
     "REP MSH[1] f5 r1 c0 s0 n=1,1,1 w=0 @13+1 'C'\n"
     "COMP MSH[1] f5 r1 c1 s0 n=1,1,1 w=0 @13+1 'C'\n"
     "LEAF MSH[1] f5 r1 c1 s1 n=1,1,1 w=0 @13+1 'C' MSH-5\n"
     "/COMP MSH[1] f5 r1 c1 s0 n=1,1,1 w=0 @13+1 'C'\n"
     "/REP MSH[1] f5 r1 c0 s0 n=1,1,1 w=0 @13+1 'C'\n"
     "/FIELD MSH[1] f5 r0 c0 s0 n=1,1,1 w=0 @13+1 'C'\n"
     "FIELD MSH[1] f6 r0 c0 s0 n=1,1,1 w=0 @15+1 'D' MSH-6\n"
     "REP MSH[1] f6 r1 c0 s0 n=1,1,1 w=0 @15+1 'D'\n"
     "COMP MSH[1] f6 r1 c1 s0 n=1,1,1 w=0 @15+1 'D'\n"
     "LEAF MSH[1] f6 r1 c1 s1 n=1,1,1 w=0 @15+1 'D' MSH-6\n"
     "/COMP MSH[1] f6 r1 c1 s0 n=1,1,1 w=0 @15+1 'D'\n"
     "/REP MSH[1] f6 r1 c0 s0 n=1,1,1 w=0 @15+1 'D'\n"
     "/FIELD MSH[1] f6 r0 c0 s0 n=1,1,1 w=0 @15+1 'D'\n"
     "FIELD MSH[1] f7 r0 c0 s0 n=1,1,1 w=0 @17+4 '2026' MSH-7\n"
     "REP MSH[1] f7 r1 c0 s0 n=1,1,1 w=0 @17+4 '2026'\n"
     "COMP MSH[1] f7 r1 c1 s0 n=1,1,1 w=0 @17+4 '2026'\n"
     "LEAF MSH[1] f7 r1 c1 s1 n=1,1,1 w=0 @17+4 '2026' MSH-7\n"
     "/COMP MSH[1] f7 r1 c1 s0 n=1,1,1 w=0 @17+4 '2026'\n"
     "/REP MSH[1] f7 r1 c0 s0 n=1,1,1 w=0 @17+4 '2026'\n"
     "/FIELD MSH[1] f7 r0 c0 s0 n=1,1,1 w=0 @17+4 '2026'\n"
     "FIELD MSH[1] f8 r0 c0 s0 n=1,1,1 w=0 @22+0 '' MSH-8\n"
     "REP MSH[1] f8 r1 c0 s0 n=1,1,1 w=0 @22+0 ''\n"
     "COMP MSH[1] f8 r1 c1 s0 n=1,1,1 w=0 @22+0 ''\n"
     "LEAF MSH[1] f8 r1 c1 s1 n=1,1,1 w=0 @22+0 '' MSH-8\n"
     "/COMP MSH[1] f8 r1 c1 s0 n=1,1,1 w=0 @22+0 ''\n"
     "/REP MSH[1] f8 r1 c0 s0 n=1,1,1 w=0 @22+0 ''\n"
     "/FIELD MSH[1] f8 r0 c0 s0 n=1,1,1 w=0 @22+0 ''\n"
     "FIELD MSH[1] f9 r0 c0 s0 n=1,1,1 w=0 @23+7 'ADT:A01' MSH-9\n"
     "REP MSH[1] f9 r1 c0 s0 n=1,2,1 w=0 @23+7 'ADT:A01'\n"
     "COMP MSH[1] f9 r1 c1 s0 n=1,2,1 w=0 @23+3 'ADT'\n"
     "LEAF MSH[1] f9 r1 c1 s1 n=1,2,1 w=0 @23+3 'ADT' MSH-9.1\n"
     "/COMP MSH[1] f9 r1 c1 s0 n=1,2,1 w=0 @23+3 'ADT'\n"
     "COMP MSH[1] f9 r1 c2 s0 n=1,2,1 w=0 @27+3 'A01'\n"
     "LEAF MSH[1] f9 r1 c2 s1 n=1,2,1 w=0 @27+3 'A01' MSH-9.2\n"
     "/COMP MSH[1] f9 r1 c2 s0 n=1,2,1 w=0 @27+3 'A01'\n"
     "/REP MSH[1] f9 r1 c0 s0 n=1,2,1 w=0 @23+7 'ADT:A01'\n"
     "/FIELD MSH[1] f9 r0 c0 s0 n=1,2,1 w=0 @23+7 'ADT:A01'\n"
     "FIELD MSH[1] f10 r0 c0 s0 n=1,2,1 w=0 @31+1 '1' MSH-10\n"
     "REP MSH[1] f10 r1 c0 s0 n=1,1,1 w=0 @31+1 '1'\n"
     "COMP MSH[1] f10 r1 c1 s0 n=1,1,1 w=0 @31+1 '1'\n"
     "LEAF MSH[1] f10 r1 c1 s1 n=1,1,1 w=0 @31+1 '1' MSH-10\n"
     "/COMP MSH[1] f10 r1 c1 s0 n=1,1,1 w=0 @31+1 '1'\n"
     "/REP MSH[1] f10 r1 c0 s0 n=1,1,1 w=0 @31+1 '1'\n"
     "/FIELD MSH[1] f10 r0 c0 s0 n=1,1,1 w=0 @31+1 '1'\n"
     "FIELD MSH[1] f11 r0 c0 s0 n=1,1,1 w=0 @33+1 'P' MSH-11\n"
     "REP MSH[1] f11 r1 c0 s0 n=1,1,1 w=0 @33+1 'P'\n"
     "COMP MSH[1] f11 r1 c1 s0 n=1,1,1 w=0 @33+1 'P'\n"
     "LEAF MSH[1] f11 r1 c1 s1 n=1,1,1 w=0 @33+1 'P' MSH-11\n"
     "/COMP MSH[1] f11 r1 c1 s0 n=1,1,1 w=0 @33+1 'P'\n"
     "/REP MSH[1] f11 r1 c0 s0 n=1,1,1 w=0 @33+1 'P'\n"
     "/FIELD MSH[1] f11 r0 c0 s0 n=1,1,1 w=0 @33+1 'P'\n"
     "FIELD MSH[1] f12 r0 c0 s0 n=1,1,1 w=0 @35+5 '2.5.1' MSH-12\n"
     "REP MSH[1] f12 r1 c0 s0 n=1,1,1 w=0 @35+5 '2.5.1'\n"
     "COMP MSH[1] f12 r1 c1 s0 n=1,1,1 w=0 @35+5 '2.5.1'\n"
     "LEAF MSH[1] f12 r1 c1 s1 n=1,1,1 w=0 @35+5 '2.5.1' MSH-12\n"
     "/COMP MSH[1] f12 r1 c1 s0 n=1,1,1 w=0 @35+5 '2.5.1'\n"
     "/REP MSH[1] f12 r1 c0 s0 n=1,1,1 w=0 @35+5 '2.5.1'\n"
     "/FIELD MSH[1] f12 r0 c0 s0 n=1,1,1 w=0 @35+5 '2.5.1'\n"
     "/SEG MSH[1] f0 r0 c0 s0 n=1,1,1 w=0 @0+40 'MSH#:*!@#A#B#C#D#2026##ADT:A01#1#P#2.5.1'\n"
     "SEG PID[1] f0 r0 c0 s0 n=0,0,0 w=0 @41+33 'PID#1##1:2@3*4:5##x|y^z~w&v\\x5Cq#!F!'\n"
     "FIELD PID[1] f1 r0 c0 s0 n=1,0,0 w=0 @45+1 '1' PID-1\n"
     "REP PID[1] f1 r1 c0 s0 n=1,1,0 w=0 @45+1 '1'\n"
     "COMP PID[1] f1 r1 c1 s0 n=1,1,1 w=0 @45+1 '1'\n"
     "LEAF PID[1] f1 r1 c1 s1 n=1,1,1 w=0 @45+1 '1' PID-1\n"
     "/COMP PID[1] f1 r1 c1 s0 n=1,1,1 w=0 @45+1 '1'\n"
     "/REP PID[1] f1 r1 c0 s0 n=1,1,1 w=0 @45+1 '1'\n"
     "/FIELD PID[1] f1 r0 c0 s0 n=1,1,1 w=0 @45+1 '1'\n"
     "FIELD PID[1] f2 r0 c0 s0 n=1,1,1 w=0 @47+0 '' PID-2\n"
     "REP PID[1] f2 r1 c0 s0 n=1,1,1 w=0 @47+0 ''\n"
     "COMP PID[1] f2 r1 c1 s0 n=1,1,1 w=0 @47+0 ''\n"
     "LEAF PID[1] f2 r1 c1 s1 n=1,1,1 w=0 @47+0 '' PID-2\n"
     "/COMP PID[1] f2 r1 c1 s0 n=1,1,1 w=0 @47+0 ''\n"
     "/REP PID[1] f2 r1 c0 s0 n=1,1,1 w=0 @47+0 ''\n"
     "/FIELD PID[1] f2 r0 c0 s0 n=1,1,1 w=0 @47+0 ''\n"
     "FIELD PID[1] f3 r0 c0 s0 n=2,1,1 w=0 @48+9 '1:2@3*4:5' PID-3\n"
     "REP PID[1] f3 r1 c0 s0 n=2,2,1 w=0 @48+5 '1:2@3'\n"
     "COMP PID[1] f3 r1 c1 s0 n=2,2,1 w=0 @48+1 '1'\n"
     "LEAF PID[1] f3 r1 c1 s1 n=2,2,1 w=0 @48+1 '1' PID-3[1].1\n"
     "/COMP PID[1] f3 r1 c1 s0 n=2,2,1 w=0 @48+1 '1'\n"
     "COMP PID[1] f3 r1 c2 s0 n=2,2,2 w=0 @50+3 '2@3'\n"
     "LEAF PID[1] f3 r1 c2 s1 n=2,2,2 w=0 @50+1 '2' PID-3[1].2.1\n"
     "LEAF PID[1] f3 r1 c2 s2 n=2,2,2 w=0 @52+1 '3' PID-3[1].2.2\n"
     "/COMP PID[1] f3 r1 c2 s0 n=2,2,2 w=0 @50+3 '2@3'\n"
     "/REP PID[1] f3 r1 c0 s0 n=2,2,2 w=0 @48+5 '1:2@3'\n"
     "REP PID[1] f3 r2 c0 s0 n=2,2,2 w=0 @54+3 '4:5'\n"
     "COMP PID[1] f3 r2 c1 s0 n=2,2,1 w=0 @54+1 '4'\n"
     "LEAF PID[1] f3 r2 c1 s1 n=2,2,1 w=0 @54+1 '4' PID-3[2].1\n"
     "/COMP PID[1] f3 r2 c1 s0 n=2,2,1 w=0 @54+1 '4'\n"
     "COMP PID[1] f3 r2 c2 s0 n=2,2,1 w=0 @56+1 '5'\n"
     "LEAF PID[1] f3 r2 c2 s1 n=2,2,1 w=0 @56+1 '5' PID-3[2].2\n"
     "/COMP PID[1] f3 r2 c2 s0 n=2,2,1 w=0 @56+1 '5'\n"
     "/REP PID[1] f3 r2 c0 s0 n=2,2,1 w=0 @54+3 '4:5'\n"
     "/FIELD PID[1] f3 r0 c0 s0 n=2,2,1 w=0 @48+9 '1:2@3*4:5'\n"
     "FIELD PID[1] f4 r0 c0 s0 n=1,2,1 w=0 @58+0 '' PID-4\n"
     "REP PID[1] f4 r1 c0 s0 n=1,1,1 w=0 @58+0 ''\n"
     "COMP PID[1] f4 r1 c1 s0 n=1,1,1 w=0 @58+0 ''\n"
     "LEAF PID[1] f4 r1 c1 s1 n=1,1,1 w=0 @58+0 '' PID-4\n"
     "/COMP PID[1] f4 r1 c1 s0 n=1,1,1 w=0 @58+0 ''\n"
     "/REP PID[1] f4 r1 c0 s0 n=1,1,1 w=0 @58+0 ''\n"
     "/FIELD PID[1] f4 r0 c0 s0 n=1,1,1 w=0 @58+0 ''\n"
     "FIELD PID[1] f5 r0 c0 s0 n=1,1,1 w=0 @59+11 'x|y^z~w&v\\x5Cq' PID-5\n"
     "REP PID[1] f5 r1 c0 s0 n=1,1,1 w=0 @59+11 'x|y^z~w&v\\x5Cq'\n"
     "COMP PID[1] f5 r1 c1 s0 n=1,1,1 w=0 @59+11 'x|y^z~w&v\\x5Cq'\n"
     "LEAF PID[1] f5 r1 c1 s1 n=1,1,1 w=0 @59+11 'x|y^z~w&v\\x5Cq' PID-5\n"
     "/COMP PID[1] f5 r1 c1 s0 n=1,1,1 w=0 @59+11 'x|y^z~w&v\\x5Cq'\n"
     "/REP PID[1] f5 r1 c0 s0 n=1,1,1 w=0 @59+11 'x|y^z~w&v\\x5Cq'\n"
     "/FIELD PID[1] f5 r0 c0 s0 n=1,1,1 w=0 @59+11 'x|y^z~w&v\\x5Cq'\n"
     "FIELD PID[1] f6 r0 c0 s0 n=1,1,1 w=0 @71+3 '!F!' PID-6\n"
     "REP PID[1] f6 r1 c0 s0 n=1,1,1 w=0 @71+3 '!F!'\n"
     "COMP PID[1] f6 r1 c1 s0 n=1,1,1 w=0 @71+3 '!F!'\n"
     "LEAF PID[1] f6 r1 c1 s1 n=1,1,1 w=0 @71+3 '!F!' PID-6\n"
     "/COMP PID[1] f6 r1 c1 s0 n=1,1,1 w=0 @71+3 '!F!'\n"
     "/REP PID[1] f6 r1 c0 s0 n=1,1,1 w=0 @71+3 '!F!'\n"
     "/FIELD PID[1] f6 r0 c0 s0 n=1,1,1 w=0 @71+3 '!F!'\n"
     "/SEG PID[1] f0 r0 c0 s0 n=1,1,1 w=0 @41+33 'PID#1##1:2@3*4:5##x|y^z~w&v\\x5Cq#!F!'\n"},
    {"MSH-2 with 5 characters",
     "MSH|^~\\&#|A|B|C|D|2026||ADT^A01|1|P|2.7\rOBX|1|ST|x||ab#c^d#&e~#\r",
     "SEG MSH[1] f0 r0 c0 s0 n=0,0,0 w=0 @0+39 'MSH|^~\\x5C&#|A|B|C|D|2026||ADT^A01|1|P|2.7'\n"
     "FIELD MSH[1] f1 r0 c0 s0 n=1,0,0 w=1 @3+1 '|' MSH-1\n"
     "REP MSH[1] f1 r1 c0 s0 n=1,1,0 w=1 @3+1 '|'\n"
     "COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "LEAF MSH[1] f1 r1 c1 s1 n=1,1,1 w=1 @3+1 '|' MSH-1\n"
     "/COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/REP MSH[1] f1 r1 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/FIELD MSH[1] f1 r0 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+5 '^~\\x5C&#' MSH-2\n"
     "REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+5 '^~\\x5C&#'\n"
     "COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+5 '^~\\x5C&#'\n"
     "LEAF MSH[1] f2 r1 c1 s1 n=1,1,1 w=1 @4+5 '^~\\x5C&#' MSH-2\n"
     "/COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+5 '^~\\x5C&#'\n"
     "/REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+5 '^~\\x5C&#'\n"
     "/FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+5 '^~\\x5C&#'\n"
     "FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @10+1 'A' MSH-3\n"
     "REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @10+1 'A'\n"
     "COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @10+1 'A'\n"
     "LEAF MSH[1] f3 r1 c1 s1 n=1,1,1 w=0 @10+1 'A' MSH-3\n"
     "/COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @10+1 'A'\n"
     "/REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @10+1 'A'\n"
     "/FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @10+1 'A'\n"
     "FIELD MSH[1] f4 r0 c0 s0 n=1,1,1 w=0 @12+1 'B' MSH-4\n"
     "REP MSH[1] f4 r1 c0 s0 n=1,1,1 w=0 @12+1 'B'\n"
     "COMP MSH[1] f4 r1 c1 s0 n=1,1,1 w=0 @12+1 'B'\n"
     "LEAF MSH[1] f4 r1 c1 s1 n=1,1,1 w=0 @12+1 'B' MSH-4\n"
     "/COMP MSH[1] f4 r1 c1 s0 n=1,1,1 w=0 @12+1 'B'\n"
     "/REP MSH[1] f4 r1 c0 s0 n=1,1,1 w=0 @12+1 'B'\n"
     "/FIELD MSH[1] f4 r0 c0 s0 n=1,1,1 w=0 @12+1 'B'\n"
     "FIELD MSH[1] f5 r0 c0 s0 n=1,1,1 w=0 @14+1 'C' MSH-5\n"
     "REP MSH[1] f5 r1 c0 s0 n=1,1,1 w=0 @14+1 'C'\n"
     "COMP MSH[1] f5 r1 c1 s0 n=1,1,1 w=0 @14+1 'C'\n"
     "LEAF MSH[1] f5 r1 c1 s1 n=1,1,1 w=0 @14+1 'C' MSH-5\n"
     "/COMP MSH[1] f5 r1 c1 s0 n=1,1,1 w=0 @14+1 'C'\n"
     "/REP MSH[1] f5 r1 c0 s0 n=1,1,1 w=0 @14+1 'C'\n"
     "/FIELD MSH[1] f5 r0 c0 s0 n=1,1,1 w=0 @14+1 'C'\n"
     "FIELD MSH[1] f6 r0 c0 s0 n=1,1,1 w=0 @16+1 'D' MSH-6\n"
     "REP MSH[1] f6 r1 c0 s0 n=1,1,1 w=0 @16+1 'D'\n"
     "COMP MSH[1] f6 r1 c1 s0 n=1,1,1 w=0 @16+1 'D'\n"
     "LEAF MSH[1] f6 r1 c1 s1 n=1,1,1 w=0 @16+1 'D' MSH-6\n"
     "/COMP MSH[1] f6 r1 c1 s0 n=1,1,1 w=0 @16+1 'D'\n"
     "/REP MSH[1] f6 r1 c0 s0 n=1,1,1 w=0 @16+1 'D'\n"
     "/FIELD MSH[1] f6 r0 c0 s0 n=1,1,1 w=0 @16+1 'D'\n"
     "FIELD MSH[1] f7 r0 c0 s0 n=1,1,1 w=0 @18+4 '2026' MSH-7\n"
     "REP MSH[1] f7 r1 c0 s0 n=1,1,1 w=0 @18+4 '2026'\n"
     "COMP MSH[1] f7 r1 c1 s0 n=1,1,1 w=0 @18+4 '2026'\n"
     "LEAF MSH[1] f7 r1 c1 s1 n=1,1,1 w=0 @18+4 '2026' MSH-7\n"
     "/COMP MSH[1] f7 r1 c1 s0 n=1,1,1 w=0 @18+4 '2026'\n"
     "/REP MSH[1] f7 r1 c0 s0 n=1,1,1 w=0 @18+4 '2026'\n"
     "/FIELD MSH[1] f7 r0 c0 s0 n=1,1,1 w=0 @18+4 '2026'\n"
     "FIELD MSH[1] f8 r0 c0 s0 n=1,1,1 w=0 @23+0 '' MSH-8\n"
     "REP MSH[1] f8 r1 c0 s0 n=1,1,1 w=0 @23+0 ''\n"
     "COMP MSH[1] f8 r1 c1 s0 n=1,1,1 w=0 @23+0 ''\n"
     "LEAF MSH[1] f8 r1 c1 s1 n=1,1,1 w=0 @23+0 '' MSH-8\n"
     "/COMP MSH[1] f8 r1 c1 s0 n=1,1,1 w=0 @23+0 ''\n"
     "/REP MSH[1] f8 r1 c0 s0 n=1,1,1 w=0 @23+0 ''\n"
     "/FIELD MSH[1] f8 r0 c0 s0 n=1,1,1 w=0 @23+0 ''\n"
     "FIELD MSH[1] f9 r0 c0 s0 n=1,1,1 w=0 @24+7 'ADT^A01' MSH-9\n"
     "REP MSH[1] f9 r1 c0 s0 n=1,2,1 w=0 @24+7 'ADT^A01'\n"
     "COMP MSH[1] f9 r1 c1 s0 n=1,2,1 w=0 @24+3 'ADT'\n"
     "LEAF MSH[1] f9 r1 c1 s1 n=1,2,1 w=0 @24+3 'ADT' MSH-9.1\n"
     "/COMP MSH[1] f9 r1 c1 s0 n=1,2,1 w=0 @24+3 'ADT'\n"
     "COMP MSH[1] f9 r1 c2 s0 n=1,2,1 w=0 @28+3 'A01'\n"
     "LEAF MSH[1] f9 r1 c2 s1 n=1,2,1 w=0 @28+3 'A01' MSH-9.2\n"
     "/COMP MSH[1] f9 r1 c2 s0 n=1,2,1 w=0 @28+3 'A01'\n"
     "/REP MSH[1] f9 r1 c0 s0 n=1,2,1 w=0 @24+7 'ADT^A01'\n"
     "/FIELD MSH[1] f9 r0 c0 s0 n=1,2,1 w=0 @24+7 'ADT^A01'\n"
     "FIELD MSH[1] f10 r0 c0 s0 n=1,2,1 w=0 @32+1 '1' MSH-10\n"
     "REP MSH[1] f10 r1 c0 s0 n=1,1,1 w=0 @32+1 '1'\n"
     "COMP MSH[1] f10 r1 c1 s0 n=1,1,1 w=0 @32+1 '1'\n"
     "LEAF MSH[1] f10 r1 c1 s1 n=1,1,1 w=0 @32+1 '1' MSH-10\n"
     "/COMP MSH[1] f10 r1 c1 s0 n=1,1,1 w=0 @32+1 '1'\n"
     "/REP MSH[1] f10 r1 c0 s0 n=1,1,1 w=0 @32+1 '1'\n"
     "/FIELD MSH[1] f10 r0 c0 s0 n=1,1,1 w=0 @32+1 '1'\n"
     "FIELD MSH[1] f11 r0 c0 s0 n=1,1,1 w=0 @34+1 'P' MSH-11\n"
     "REP MSH[1] f11 r1 c0 s0 n=1,1,1 w=0 @34+1 'P'\n"
     "COMP MSH[1] f11 r1 c1 s0 n=1,1,1 w=0 @34+1 'P'\n"
     "LEAF MSH[1] f11 r1 c1 s1 n=1,1,1 w=0 @34+1 'P' MSH-11\n"
     "/COMP MSH[1] f11 r1 c1 s0 n=1,1,1 w=0 @34+1 'P'\n"
     "/REP MSH[1] f11 r1 c0 s0 n=1,1,1 w=0 @34+1 'P'\n"
     "/FIELD MSH[1] f11 r0 c0 s0 n=1,1,1 w=0 @34+1 'P'\n"
     "FIELD MSH[1] f12 r0 c0 s0 n=1,1,1 w=0 @36+3 '2.7' MSH-12\n"
     "REP MSH[1] f12 r1 c0 s0 n=1,1,1 w=0 @36+3 '2.7'\n"
     "COMP MSH[1] f12 r1 c1 s0 n=1,1,1 w=0 @36+3 '2.7'\n"
     "LEAF MSH[1] f12 r1 c1 s1 n=1,1,1 w=0 @36+3 '2.7' MSH-12\n"
     "/COMP MSH[1] f12 r1 c1 s0 n=1,1,1 w=0 @36+3 '2.7'\n"
     "/REP MSH[1] f12 r1 c0 s0 n=1,1,1 w=0 @36+3 '2.7'\n"
     "/FIELD MSH[1] f12 r0 c0 s0 n=1,1,1 w=0 @36+3 '2.7'\n"
     "/SEG MSH[1] f0 r0 c0 s0 n=1,1,1 w=0 @0+39 'MSH|^~\\x5C&#|A|B|C|D|2026||ADT^A01|1|P|2.7'\n"
     "SEG OBX[1] f0 r0 c0 s0 n=0,0,0 w=0 @40+23 'OBX|1|ST|x||ab#c^d#&e~#'\n"
     "FIELD OBX[1] f1 r0 c0 s0 n=1,0,0 w=0 @44+1 '1' OBX-1\n"
     "REP OBX[1] f1 r1 c0 s0 n=1,1,0 w=0 @44+1 '1'\n"
     "COMP OBX[1] f1 r1 c1 s0 n=1,1,1 w=0 @44+1 '1'\n"
     "LEAF OBX[1] f1 r1 c1 s1 n=1,1,1 w=0 @44+1 '1' OBX-1\n"
     "/COMP OBX[1] f1 r1 c1 s0 n=1,1,1 w=0 @44+1 '1'\n"
     "/REP OBX[1] f1 r1 c0 s0 n=1,1,1 w=0 @44+1 '1'\n"
     "/FIELD OBX[1] f1 r0 c0 s0 n=1,1,1 w=0 @44+1 '1'\n"
     "FIELD OBX[1] f2 r0 c0 s0 n=1,1,1 w=0 @46+2 'ST' OBX-2\n"
     "REP OBX[1] f2 r1 c0 s0 n=1,1,1 w=0 @46+2 'ST'\n"
     "COMP OBX[1] f2 r1 c1 s0 n=1,1,1 w=0 @46+2 'ST'\n"
     "LEAF OBX[1] f2 r1 c1 s1 n=1,1,1 w=0 @46+2 'ST' OBX-2\n"
     "/COMP OBX[1] f2 r1 c1 s0 n=1,1,1 w=0 @46+2 'ST'\n"
     "/REP OBX[1] f2 r1 c0 s0 n=1,1,1 w=0 @46+2 'ST'\n"
     "/FIELD OBX[1] f2 r0 c0 s0 n=1,1,1 w=0 @46+2 'ST'\n"
     "FIELD OBX[1] f3 r0 c0 s0 n=1,1,1 w=0 @49+1 'x' OBX-3\n"
     "REP OBX[1] f3 r1 c0 s0 n=1,1,1 w=0 @49+1 'x'\n"
     "COMP OBX[1] f3 r1 c1 s0 n=1,1,1 w=0 @49+1 'x'\n"
     "LEAF OBX[1] f3 r1 c1 s1 n=1,1,1 w=0 @49+1 'x' OBX-3\n"
     "/COMP OBX[1] f3 r1 c1 s0 n=1,1,1 w=0 @49+1 'x'\n"
     "/REP OBX[1] f3 r1 c0 s0 n=1,1,1 w=0 @49+1 'x'\n"
     "/FIELD OBX[1] f3 r0 c0 s0 n=1,1,1 w=0 @49+1 'x'\n"
     "FIELD OBX[1] f4 r0 c0 s0 n=1,1,1 w=0 @51+0 '' OBX-4\n"
     "REP OBX[1] f4 r1 c0 s0 n=1,1,1 w=0 @51+0 ''\n"
     "COMP OBX[1] f4 r1 c1 s0 n=1,1,1 w=0 @51+0 ''\n"
     "LEAF OBX[1] f4 r1 c1 s1 n=1,1,1 w=0 @51+0 '' OBX-4\n"
     "/COMP OBX[1] f4 r1 c1 s0 n=1,1,1 w=0 @51+0 ''\n"
     "/REP OBX[1] f4 r1 c0 s0 n=1,1,1 w=0 @51+0 ''\n"
     "/FIELD OBX[1] f4 r0 c0 s0 n=1,1,1 w=0 @51+0 ''\n"
     "FIELD OBX[1] f5 r0 c0 s0 n=2,1,1 w=0 @52+11 'ab#c^d#&e~#' OBX-5\n"
     "REP OBX[1] f5 r1 c0 s0 n=2,2,1 w=0 @52+9 'ab#c^d#&e'\n"
     "COMP OBX[1] f5 r1 c1 s0 n=2,2,1 w=0 @52+4 'ab#c'\n"
     "LEAF OBX[1] f5 r1 c1 s1 n=2,2,1 w=0 @52+4 'ab#c' OBX-5[1].1\n"
     "/COMP OBX[1] f5 r1 c1 s0 n=2,2,1 w=0 @52+4 'ab#c'\n"
     "COMP OBX[1] f5 r1 c2 s0 n=2,2,2 w=0 @57+4 'd#&e'\n"
     "LEAF OBX[1] f5 r1 c2 s1 n=2,2,2 w=0 @57+2 'd#' OBX-5[1].2.1\n"
     "LEAF OBX[1] f5 r1 c2 s2 n=2,2,2 w=0 @60+1 'e' OBX-5[1].2.2\n"
     "/COMP OBX[1] f5 r1 c2 s0 n=2,2,2 w=0 @57+4 'd#&e'\n"
     "/REP OBX[1] f5 r1 c0 s0 n=2,2,2 w=0 @52+9 'ab#c^d#&e'\n"
     "REP OBX[1] f5 r2 c0 s0 n=2,1,2 w=0 @62+1 '#'\n"
     "COMP OBX[1] f5 r2 c1 s0 n=2,1,1 w=0 @62+1 '#'\n"
     "LEAF OBX[1] f5 r2 c1 s1 n=2,1,1 w=0 @62+1 '#' OBX-5[2]\n"
     "/COMP OBX[1] f5 r2 c1 s0 n=2,1,1 w=0 @62+1 '#'\n"
     "/REP OBX[1] f5 r2 c0 s0 n=2,1,1 w=0 @62+1 '#'\n"
     "/FIELD OBX[1] f5 r0 c0 s0 n=2,1,1 w=0 @52+11 'ab#c^d#&e~#'\n"
     "/SEG OBX[1] f0 r0 c0 s0 n=2,1,1 w=0 @40+23 'OBX|1|ST|x||ab#c^d#&e~#'\n"},
    {"empty fields", "MSH|^~\\&|A\rPID|||||\rPV1|\rNK1||\r",
     "SEG MSH[1] f0 r0 c0 s0 n=0,0,0 w=0 @0+10 'MSH|^~\\x5C&|A'\n"
     "FIELD MSH[1] f1 r0 c0 s0 n=1,0,0 w=1 @3+1 '|' MSH-1\n"
     "REP MSH[1] f1 r1 c0 s0 n=1,1,0 w=1 @3+1 '|'\n"
     "COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "LEAF MSH[1] f1 r1 c1 s1 n=1,1,1 w=1 @3+1 '|' MSH-1\n"
     "/COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/REP MSH[1] f1 r1 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/FIELD MSH[1] f1 r0 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "LEAF MSH[1] f2 r1 c1 s1 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "/COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @9+1 'A' MSH-3\n"
     "REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "LEAF MSH[1] f3 r1 c1 s1 n=1,1,1 w=0 @9+1 'A' MSH-3\n"
     "/COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/SEG MSH[1] f0 r0 c0 s0 n=1,1,1 w=0 @0+10 'MSH|^~\\x5C&|A'\n"
     "SEG PID[1] f0 r0 c0 s0 n=0,0,0 w=0 @11+8 'PID|||||'\n"
     "FIELD PID[1] f1 r0 c0 s0 n=1,0,0 w=0 @15+0 '' PID-1\n"
     "REP PID[1] f1 r1 c0 s0 n=1,1,0 w=0 @15+0 ''\n"
     "COMP PID[1] f1 r1 c1 s0 n=1,1,1 w=0 @15+0 ''\n"
     "LEAF PID[1] f1 r1 c1 s1 n=1,1,1 w=0 @15+0 '' PID-1\n"
     "/COMP PID[1] f1 r1 c1 s0 n=1,1,1 w=0 @15+0 ''\n"
     "/REP PID[1] f1 r1 c0 s0 n=1,1,1 w=0 @15+0 ''\n"
     "/FIELD PID[1] f1 r0 c0 s0 n=1,1,1 w=0 @15+0 ''\n"
     "FIELD PID[1] f2 r0 c0 s0 n=1,1,1 w=0 @16+0 '' PID-2\n"
     "REP PID[1] f2 r1 c0 s0 n=1,1,1 w=0 @16+0 ''\n"
     "COMP PID[1] f2 r1 c1 s0 n=1,1,1 w=0 @16+0 ''\n"
     "LEAF PID[1] f2 r1 c1 s1 n=1,1,1 w=0 @16+0 '' PID-2\n"
     "/COMP PID[1] f2 r1 c1 s0 n=1,1,1 w=0 @16+0 ''\n"
     "/REP PID[1] f2 r1 c0 s0 n=1,1,1 w=0 @16+0 ''\n"
     "/FIELD PID[1] f2 r0 c0 s0 n=1,1,1 w=0 @16+0 ''\n"
     "FIELD PID[1] f3 r0 c0 s0 n=1,1,1 w=0 @17+0 '' PID-3\n"
     "REP PID[1] f3 r1 c0 s0 n=1,1,1 w=0 @17+0 ''\n"
     "COMP PID[1] f3 r1 c1 s0 n=1,1,1 w=0 @17+0 ''\n"
     "LEAF PID[1] f3 r1 c1 s1 n=1,1,1 w=0 @17+0 '' PID-3\n"
     "/COMP PID[1] f3 r1 c1 s0 n=1,1,1 w=0 @17+0 ''\n"
     "/REP PID[1] f3 r1 c0 s0 n=1,1,1 w=0 @17+0 ''\n"
     "/FIELD PID[1] f3 r0 c0 s0 n=1,1,1 w=0 @17+0 ''\n"
     "FIELD PID[1] f4 r0 c0 s0 n=1,1,1 w=0 @18+0 '' PID-4\n"
     "REP PID[1] f4 r1 c0 s0 n=1,1,1 w=0 @18+0 ''\n"
     "COMP PID[1] f4 r1 c1 s0 n=1,1,1 w=0 @18+0 ''\n"
     "LEAF PID[1] f4 r1 c1 s1 n=1,1,1 w=0 @18+0 '' PID-4\n"
     "/COMP PID[1] f4 r1 c1 s0 n=1,1,1 w=0 @18+0 ''\n"
     "/REP PID[1] f4 r1 c0 s0 n=1,1,1 w=0 @18+0 ''\n"
     "/FIELD PID[1] f4 r0 c0 s0 n=1,1,1 w=0 @18+0 ''\n"
     "FIELD PID[1] f5 r0 c0 s0 n=1,1,1 w=0 @19+0 '' PID-5\n"
     "REP PID[1] f5 r1 c0 s0 n=1,1,1 w=0 @19+0 ''\n"
     "COMP PID[1] f5 r1 c1 s0 n=1,1,1 w=0 @19+0 ''\n"
     "LEAF PID[1] f5 r1 c1 s1 n=1,1,1 w=0 @19+0 '' PID-5\n"
     "/COMP PID[1] f5 r1 c1 s0 n=1,1,1 w=0 @19+0 ''\n"
     "/REP PID[1] f5 r1 c0 s0 n=1,1,1 w=0 @19+0 ''\n"
     "/FIELD PID[1] f5 r0 c0 s0 n=1,1,1 w=0 @19+0 ''\n"
     "/SEG PID[1] f0 r0 c0 s0 n=1,1,1 w=0 @11+8 'PID|||||'\n"
     "SEG PV1[1] f0 r0 c0 s0 n=0,0,0 w=0 @20+4 'PV1|'\n"
     "FIELD PV1[1] f1 r0 c0 s0 n=1,0,0 w=0 @24+0 '' PV1-1\n"
     "REP PV1[1] f1 r1 c0 s0 n=1,1,0 w=0 @24+0 ''\n"
     "COMP PV1[1] f1 r1 c1 s0 n=1,1,1 w=0 @24+0 ''\n"
     "LEAF PV1[1] f1 r1 c1 s1 n=1,1,1 w=0 @24+0 '' PV1-1\n"
     "/COMP PV1[1] f1 r1 c1 s0 n=1,1,1 w=0 @24+0 ''\n"
     "/REP PV1[1] f1 r1 c0 s0 n=1,1,1 w=0 @24+0 ''\n"
     "/FIELD PV1[1] f1 r0 c0 s0 n=1,1,1 w=0 @24+0 ''\n"
     "/SEG PV1[1] f0 r0 c0 s0 n=1,1,1 w=0 @20+4 'PV1|'\n"
     "SEG NK1[1] f0 r0 c0 s0 n=0,0,0 w=0 @25+5 'NK1||'\n"
     "FIELD NK1[1] f1 r0 c0 s0 n=1,0,0 w=0 @29+0 '' NK1-1\n"
     "REP NK1[1] f1 r1 c0 s0 n=1,1,0 w=0 @29+0 ''\n"
     "COMP NK1[1] f1 r1 c1 s0 n=1,1,1 w=0 @29+0 ''\n"
     "LEAF NK1[1] f1 r1 c1 s1 n=1,1,1 w=0 @29+0 '' NK1-1\n"
     "/COMP NK1[1] f1 r1 c1 s0 n=1,1,1 w=0 @29+0 ''\n"
     "/REP NK1[1] f1 r1 c0 s0 n=1,1,1 w=0 @29+0 ''\n"
     "/FIELD NK1[1] f1 r0 c0 s0 n=1,1,1 w=0 @29+0 ''\n"
     "FIELD NK1[1] f2 r0 c0 s0 n=1,1,1 w=0 @30+0 '' NK1-2\n"
     "REP NK1[1] f2 r1 c0 s0 n=1,1,1 w=0 @30+0 ''\n"
     "COMP NK1[1] f2 r1 c1 s0 n=1,1,1 w=0 @30+0 ''\n"
     "LEAF NK1[1] f2 r1 c1 s1 n=1,1,1 w=0 @30+0 '' NK1-2\n"
     "/COMP NK1[1] f2 r1 c1 s0 n=1,1,1 w=0 @30+0 ''\n"
     "/REP NK1[1] f2 r1 c0 s0 n=1,1,1 w=0 @30+0 ''\n"
     "/FIELD NK1[1] f2 r0 c0 s0 n=1,1,1 w=0 @30+0 ''\n"
     "/SEG NK1[1] f0 r0 c0 s0 n=1,1,1 w=0 @25+5 'NK1||'\n"},
    {"trailing delimiters", "MSH|^~\\&|A\rPID|a^|b~|c&|d^&~|e~^&\r",
     "SEG MSH[1] f0 r0 c0 s0 n=0,0,0 w=0 @0+10 'MSH|^~\\x5C&|A'\n"
     "FIELD MSH[1] f1 r0 c0 s0 n=1,0,0 w=1 @3+1 '|' MSH-1\n"
     "REP MSH[1] f1 r1 c0 s0 n=1,1,0 w=1 @3+1 '|'\n"
     "COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "LEAF MSH[1] f1 r1 c1 s1 n=1,1,1 w=1 @3+1 '|' MSH-1\n"
     "/COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/REP MSH[1] f1 r1 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/FIELD MSH[1] f1 r0 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "LEAF MSH[1] f2 r1 c1 s1 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "/COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @9+1 'A' MSH-3\n"
     "REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "LEAF MSH[1] f3 r1 c1 s1 n=1,1,1 w=0 @9+1 'A' MSH-3\n"
     "/COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/SEG MSH[1] f0 r0 c0 s0 n=1,1,1 w=0 @0+10 'MSH|^~\\x5C&|A'\n"
     "SEG PID[1] f0 r0 c0 s0 n=0,0,0 w=0 @11+22 'PID|a^|b~|c&|d^&~|e~^&'\n"
     "FIELD PID[1] f1 r0 c0 s0 n=1,0,0 w=0 @15+2 'a^' PID-1\n"
     "REP PID[1] f1 r1 c0 s0 n=1,2,0 w=0 @15+2 'a^'\n"
     "COMP PID[1] f1 r1 c1 s0 n=1,2,1 w=0 @15+1 'a'\n"
     "LEAF PID[1] f1 r1 c1 s1 n=1,2,1 w=0 @15+1 'a' PID-1.1\n"
     "/COMP PID[1] f1 r1 c1 s0 n=1,2,1 w=0 @15+1 'a'\n"
     "COMP PID[1] f1 r1 c2 s0 n=1,2,1 w=0 @17+0 ''\n"
     "LEAF PID[1] f1 r1 c2 s1 n=1,2,1 w=0 @17+0 '' PID-1.2\n"
     "/COMP PID[1] f1 r1 c2 s0 n=1,2,1 w=0 @17+0 ''\n"
     "/REP PID[1] f1 r1 c0 s0 n=1,2,1 w=0 @15+2 'a^'\n"
     "/FIELD PID[1] f1 r0 c0 s0 n=1,2,1 w=0 @15+2 'a^'\n"
     "FIELD PID[1] f2 r0 c0 s0 n=2,2,1 w=0 @18+2 'b~' PID-2\n"
     "REP PID[1] f2 r1 c0 s0 n=2,1,1 w=0 @18+1 'b'\n"
     "COMP PID[1] f2 r1 c1 s0 n=2,1,1 w=0 @18+1 'b'\n"
     "LEAF PID[1] f2 r1 c1 s1 n=2,1,1 w=0 @18+1 'b' PID-2[1]\n"
     "/COMP PID[1] f2 r1 c1 s0 n=2,1,1 w=0 @18+1 'b'\n"
     "/REP PID[1] f2 r1 c0 s0 n=2,1,1 w=0 @18+1 'b'\n"
     "REP PID[1] f2 r2 c0 s0 n=2,1,1 w=0 @20+0 ''\n"
     "COMP PID[1] f2 r2 c1 s0 n=2,1,1 w=0 @20+0 ''\n"
     "LEAF PID[1] f2 r2 c1 s1 n=2,1,1 w=0 @20+0 '' PID-2[2]\n"
     "/COMP PID[1] f2 r2 c1 s0 n=2,1,1 w=0 @20+0 ''\n"
     "/REP PID[1] f2 r2 c0 s0 n=2,1,1 w=0 @20+0 ''\n"
     "/FIELD PID[1] f2 r0 c0 s0 n=2,1,1 w=0 @18+2 'b~'\n"
     "FIELD PID[1] f3 r0 c0 s0 n=1,1,1 w=0 @21+2 'c&' PID-3\n"
     "REP PID[1] f3 r1 c0 s0 n=1,1,1 w=0 @21+2 'c&'\n"
     "COMP PID[1] f3 r1 c1 s0 n=1,1,2 w=0 @21+2 'c&'\n"
     "LEAF PID[1] f3 r1 c1 s1 n=1,1,2 w=0 @21+1 'c' PID-3.1.1\n"
     "LEAF PID[1] f3 r1 c1 s2 n=1,1,2 w=0 @23+0 '' PID-3.1.2\n"
     "/COMP PID[1] f3 r1 c1 s0 n=1,1,2 w=0 @21+2 'c&'\n"
     "/REP PID[1] f3 r1 c0 s0 n=1,1,2 w=0 @21+2 'c&'\n"
     "/FIELD PID[1] f3 r0 c0 s0 n=1,1,2 w=0 @21+2 'c&'\n"
     "FIELD PID[1] f4 r0 c0 s0 n=2,1,2 w=0 @24+4 'd^&~' PID-4\n"
     "REP PID[1] f4 r1 c0 s0 n=2,2,2 w=0 @24+3 'd^&'\n"
     "COMP PID[1] f4 r1 c1 s0 n=2,2,1 w=0 @24+1 'd'\n"
     "LEAF PID[1] f4 r1 c1 s1 n=2,2,1 w=0 @24+1 'd' PID-4[1].1\n"
     "/COMP PID[1] f4 r1 c1 s0 n=2,2,1 w=0 @24+1 'd'\n"
     "COMP PID[1] f4 r1 c2 s0 n=2,2,2 w=0 @26+1 '&'\n"
     "LEAF PID[1] f4 r1 c2 s1 n=2,2,2 w=0 @26+0 '' PID-4[1].2.1\n"
     "LEAF PID[1] f4 r1 c2 s2 n=2,2,2 w=0 @27+0 '' PID-4[1].2.2\n"
     "/COMP PID[1] f4 r1 c2 s0 n=2,2,2 w=0 @26+1 '&'\n"
     "/REP PID[1] f4 r1 c0 s0 n=2,2,2 w=0 @24+3 'd^&'\n"
     "REP PID[1] f4 r2 c0 s0 n=2,1,2 w=0 @28+0 ''\n"
     "COMP PID[1] f4 r2 c1 s0 n=2,1,1 w=0 @28+0 ''\n"
     "LEAF PID[1] f4 r2 c1 s1 n=2,1,1 w=0 @28+0 '' PID-4[2]\n"
     "/COMP PID[1] f4 r2 c1 s0 n=2,1,1 w=0 @28+0 ''\n"
     "/REP PID[1] f4 r2 c0 s0 n=2,1,1 w=0 @28+0 ''\n"
     "/FIELD PID[1] f4 r0 c0 s0 n=2,1,1 w=0 @24+4 'd^&~'\n"
     "FIELD PID[1] f5 r0 c0 s0 n=2,1,1 w=0 @29+4 'e~^&' PID-5\n"
     "REP PID[1] f5 r1 c0 s0 n=2,1,1 w=0 @29+1 'e'\n"
     "COMP PID[1] f5 r1 c1 s0 n=2,1,1 w=0 @29+1 'e'\n"
     "LEAF PID[1] f5 r1 c1 s1 n=2,1,1 w=0 @29+1 'e' PID-5[1]\n"
     "/COMP PID[1] f5 r1 c1 s0 n=2,1,1 w=0 @29+1 'e'\n"
     "/REP PID[1] f5 r1 c0 s0 n=2,1,1 w=0 @29+1 'e'\n"
     "REP PID[1] f5 r2 c0 s0 n=2,2,1 w=0 @31+2 '^&'\n"
     "COMP PID[1] f5 r2 c1 s0 n=2,2,1 w=0 @31+0 ''\n"
     "LEAF PID[1] f5 r2 c1 s1 n=2,2,1 w=0 @31+0 '' PID-5[2].1\n"
     "/COMP PID[1] f5 r2 c1 s0 n=2,2,1 w=0 @31+0 ''\n"
     "COMP PID[1] f5 r2 c2 s0 n=2,2,2 w=0 @32+1 '&'\n"
     "LEAF PID[1] f5 r2 c2 s1 n=2,2,2 w=0 @32+0 '' PID-5[2].2.1\n"
     "LEAF PID[1] f5 r2 c2 s2 n=2,2,2 w=0 @33+0 '' PID-5[2].2.2\n"
     "/COMP PID[1] f5 r2 c2 s0 n=2,2,2 w=0 @32+1 '&'\n"
     "/REP PID[1] f5 r2 c0 s0 n=2,2,2 w=0 @31+2 '^&'\n"
     "/FIELD PID[1] f5 r0 c0 s0 n=2,2,2 w=0 @29+4 'e~^&'\n"
     "/SEG PID[1] f0 r0 c0 s0 n=2,2,2 w=0 @11+22 'PID|a^|b~|c&|d^&~|e~^&'\n"},
    {"doubled delimiters", "MSH|^~\\&|A\rZZZ|~~|^^|&&|~^&|&^~|^~^|&~&\r",
     "SEG MSH[1] f0 r0 c0 s0 n=0,0,0 w=0 @0+10 'MSH|^~\\x5C&|A'\n"
     "FIELD MSH[1] f1 r0 c0 s0 n=1,0,0 w=1 @3+1 '|' MSH-1\n"
     "REP MSH[1] f1 r1 c0 s0 n=1,1,0 w=1 @3+1 '|'\n"
     "COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "LEAF MSH[1] f1 r1 c1 s1 n=1,1,1 w=1 @3+1 '|' MSH-1\n"
     "/COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/REP MSH[1] f1 r1 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/FIELD MSH[1] f1 r0 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "LEAF MSH[1] f2 r1 c1 s1 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "/COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @9+1 'A' MSH-3\n"
     "REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "LEAF MSH[1] f3 r1 c1 s1 n=1,1,1 w=0 @9+1 'A' MSH-3\n"
     "/COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/SEG MSH[1] f0 r0 c0 s0 n=1,1,1 w=0 @0+10 'MSH|^~\\x5C&|A'\n"
     "SEG ZZZ[1] f0 r0 c0 s0 n=0,0,0 w=0 @11+28 'ZZZ|~~|^^|&&|~^&|&^~|^~^|&~&'\n"
     "FIELD ZZZ[1] f1 r0 c0 s0 n=3,0,0 w=0 @15+2 '~~' ZZZ-1\n"
     "REP ZZZ[1] f1 r1 c0 s0 n=3,1,0 w=0 @15+0 ''\n"
     "COMP ZZZ[1] f1 r1 c1 s0 n=3,1,1 w=0 @15+0 ''\n"
     "LEAF ZZZ[1] f1 r1 c1 s1 n=3,1,1 w=0 @15+0 '' ZZZ-1[1]\n"
     "/COMP ZZZ[1] f1 r1 c1 s0 n=3,1,1 w=0 @15+0 ''\n"
     "/REP ZZZ[1] f1 r1 c0 s0 n=3,1,1 w=0 @15+0 ''\n"
     "REP ZZZ[1] f1 r2 c0 s0 n=3,1,1 w=0 @16+0 ''\n"
     "COMP ZZZ[1] f1 r2 c1 s0 n=3,1,1 w=0 @16+0 ''\n"
     "LEAF ZZZ[1] f1 r2 c1 s1 n=3,1,1 w=0 @16+0 '' ZZZ-1[2]\n"
     "/COMP ZZZ[1] f1 r2 c1 s0 n=3,1,1 w=0 @16+0 ''\n"
     "/REP ZZZ[1] f1 r2 c0 s0 n=3,1,1 w=0 @16+0 ''\n"
     "REP ZZZ[1] f1 r3 c0 s0 n=3,1,1 w=0 @17+0 ''\n"
     "COMP ZZZ[1] f1 r3 c1 s0 n=3,1,1 w=0 @17+0 ''\n"
     "LEAF ZZZ[1] f1 r3 c1 s1 n=3,1,1 w=0 @17+0 '' ZZZ-1[3]\n"
     "/COMP ZZZ[1] f1 r3 c1 s0 n=3,1,1 w=0 @17+0 ''\n"
     "/REP ZZZ[1] f1 r3 c0 s0 n=3,1,1 w=0 @17+0 ''\n"
     "/FIELD ZZZ[1] f1 r0 c0 s0 n=3,1,1 w=0 @15+2 '~~'\n"
     "FIELD ZZZ[1] f2 r0 c0 s0 n=1,1,1 w=0 @18+2 '^^' ZZZ-2\n"
     "REP ZZZ[1] f2 r1 c0 s0 n=1,3,1 w=0 @18+2 '^^'\n"
     "COMP ZZZ[1] f2 r1 c1 s0 n=1,3,1 w=0 @18+0 ''\n"
     "LEAF ZZZ[1] f2 r1 c1 s1 n=1,3,1 w=0 @18+0 '' ZZZ-2.1\n"
     "/COMP ZZZ[1] f2 r1 c1 s0 n=1,3,1 w=0 @18+0 ''\n"
     "COMP ZZZ[1] f2 r1 c2 s0 n=1,3,1 w=0 @19+0 ''\n"
     "LEAF ZZZ[1] f2 r1 c2 s1 n=1,3,1 w=0 @19+0 '' ZZZ-2.2\n"
     "/COMP ZZZ[1] f2 r1 c2 s0 n=1,3,1 w=0 @19+0 ''\n"
     "COMP ZZZ[1] f2 r1 c3 s0 n=1,3,1 w=0 @20+0 ''\n"
     "LEAF ZZZ[1] f2 r1 c3 s1 n=1,3,1 w=0 @20+0 '' ZZZ-2.3\n"
     "/COMP ZZZ[1] f2 r1 c3 s0 n=1,3,1 w=0 @20+0 ''\n"
     "/REP ZZZ[1] f2 r1 c0 s0 n=1,3,1 w=0 @18+2 '^^'\n"
     "/FIELD ZZZ[1] f2 r0 c0 s0 n=1,3,1 w=0 @18+2 '^^'\n"
     "FIELD ZZZ[1] f3 r0 c0 s0 n=1,3,1 w=0 @21+2 '&&' ZZZ-3\n"
     "REP ZZZ[1] f3 r1 c0 s0 n=1,1,1 w=0 @21+2 '&&'\n"
     "COMP ZZZ[1] f3 r1 c1 s0 n=1,1,3 w=0 @21+2 '&&'\n"
     "LEAF ZZZ[1] f3 r1 c1 s1 n=1,1,3 w=0 @21+0 '' ZZZ-3.1.1\n"
     "LEAF ZZZ[1] f3 r1 c1 s2 n=1,1,3 w=0 @22+0 '' ZZZ-3.1.2\n"
     "LEAF ZZZ[1] f3 r1 c1 s3 n=1,1,3 w=0 @23+0 '' ZZZ-3.1.3\n"
     "/COMP ZZZ[1] f3 r1 c1 s0 n=1,1,3 w=0 @21+2 '&&'\n"
     "/REP ZZZ[1] f3 r1 c0 s0 n=1,1,3 w=0 @21+2 '&&'\n"
     "/FIELD ZZZ[1] f3 r0 c0 s0 n=1,1,3 w=0 @21+2 '&&'\n"
     "FIELD ZZZ[1] f4 r0 c0 s0 n=2,1,3 w=0 @24+3 '~^&' ZZZ-4\n"
     "REP ZZZ[1] f4 r1 c0 s0 n=2,1,3 w=0 @24+0 ''\n"
     "COMP ZZZ[1] f4 r1 c1 s0 n=2,1,1 w=0 @24+0 ''\n"
     "LEAF ZZZ[1] f4 r1 c1 s1 n=2,1,1 w=0 @24+0 '' ZZZ-4[1]\n"
     "/COMP ZZZ[1] f4 r1 c1 s0 n=2,1,1 w=0 @24+0 ''\n"
     "/REP ZZZ[1] f4 r1 c0 s0 n=2,1,1 w=0 @24+0 ''\n"
     "REP ZZZ[1] f4 r2 c0 s0 n=2,2,1 w=0 @25+2 '^&'\n"
     "COMP ZZZ[1] f4 r2 c1 s0 n=2,2,1 w=0 @25+0 ''\n"
     "LEAF ZZZ[1] f4 r2 c1 s1 n=2,2,1 w=0 @25+0 '' ZZZ-4[2].1\n"
     "/COMP ZZZ[1] f4 r2 c1 s0 n=2,2,1 w=0 @25+0 ''\n"
     "COMP ZZZ[1] f4 r2 c2 s0 n=2,2,2 w=0 @26+1 '&'\n"
     "LEAF ZZZ[1] f4 r2 c2 s1 n=2,2,2 w=0 @26+0 '' ZZZ-4[2].2.1\n"
     "LEAF ZZZ[1] f4 r2 c2 s2 n=2,2,2 w=0 @27+0 '' ZZZ-4[2].2.2\n"
     "/COMP ZZZ[1] f4 r2 c2 s0 n=2,2,2 w=0 @26+1 '&'\n"
     "/REP ZZZ[1] f4 r2 c0 s0 n=2,2,2 w=0 @25+2 '^&'\n"
     "/FIELD ZZZ[1] f4 r0 c0 s0 n=2,2,2 w=0 @24+3 '~^&'\n"
     "FIELD ZZZ[1] f5 r0 c0 s0 n=2,2,2 w=0 @28+3 '&^~' ZZZ-5\n"
     "REP ZZZ[1] f5 r1 c0 s0 n=2,2,2 w=0 @28+2 '&^'\n"
     "COMP ZZZ[1] f5 r1 c1 s0 n=2,2,2 w=0 @28+1 '&'\n"
     "LEAF ZZZ[1] f5 r1 c1 s1 n=2,2,2 w=0 @28+0 '' ZZZ-5[1].1.1\n"
     "LEAF ZZZ[1] f5 r1 c1 s2 n=2,2,2 w=0 @29+0 '' ZZZ-5[1].1.2\n"
     "/COMP ZZZ[1] f5 r1 c1 s0 n=2,2,2 w=0 @28+1 '&'\n"
     "COMP ZZZ[1] f5 r1 c2 s0 n=2,2,1 w=0 @30+0 ''\n"
     "LEAF ZZZ[1] f5 r1 c2 s1 n=2,2,1 w=0 @30+0 '' ZZZ-5[1].2\n"
     "/COMP ZZZ[1] f5 r1 c2 s0 n=2,2,1 w=0 @30+0 ''\n"
     "/REP ZZZ[1] f5 r1 c0 s0 n=2,2,1 w=0 @28+2 '&^'\n"
     "REP ZZZ[1] f5 r2 c0 s0 n=2,1,1 w=0 @31+0 ''\n"
     "COMP ZZZ[1] f5 r2 c1 s0 n=2,1,1 w=0 @31+0 ''\n"
     "LEAF ZZZ[1] f5 r2 c1 s1 n=2,1,1 w=0 @31+0 '' ZZZ-5[2]\n"
     "/COMP ZZZ[1] f5 r2 c1 s0 n=2,1,1 w=0 @31+0 ''\n"
     "/REP ZZZ[1] f5 r2 c0 s0 n=2,1,1 w=0 @31+0 ''\n"
     "/FIELD ZZZ[1] f5 r0 c0 s0 n=2,1,1 w=0 @28+3 '&^~'\n"
     "FIELD ZZZ[1] f6 r0 c0 s0 n=2,1,1 w=0 @32+3 '^~^' ZZZ-6\n"
     "REP ZZZ[1] f6 r1 c0 s0 n=2,2,1 w=0 @32+1 '^'\n"
     "COMP ZZZ[1] f6 r1 c1 s0 n=2,2,1 w=0 @32+0 ''\n"
     "LEAF ZZZ[1] f6 r1 c1 s1 n=2,2,1 w=0 @32+0 '' ZZZ-6[1].1\n"
     "/COMP ZZZ[1] f6 r1 c1 s0 n=2,2,1 w=0 @32+0 ''\n"
     "COMP ZZZ[1] f6 r1 c2 s0 n=2,2,1 w=0 @33+0 ''\n"
     "LEAF ZZZ[1] f6 r1 c2 s1 n=2,2,1 w=0 @33+0 '' ZZZ-6[1].2\n"
     "/COMP ZZZ[1] f6 r1 c2 s0 n=2,2,1 w=0 @33+0 ''\n"
     "/REP ZZZ[1] f6 r1 c0 s0 n=2,2,1 w=0 @32+1 '^'\n"
     "REP ZZZ[1] f6 r2 c0 s0 n=2,2,1 w=0 @34+1 '^'\n"
     "COMP ZZZ[1] f6 r2 c1 s0 n=2,2,1 w=0 @34+0 ''\n"
     "LEAF ZZZ[1] f6 r2 c1 s1 n=2,2,1 w=0 @34+0 '' ZZZ-6[2].1\n"
     "/COMP ZZZ[1] f6 r2 c1 s0 n=2,2,1 w=0 @34+0 ''\n"
     "COMP ZZZ[1] f6 r2 c2 s0 n=2,2,1 w=0 @35+0 ''\n"
     "LEAF ZZZ[1] f6 r2 c2 s1 n=2,2,1 w=0 @35+0 '' ZZZ-6[2].2\n"
     "/COMP ZZZ[1] f6 r2 c2 s0 n=2,2,1 w=0 @35+0 ''\n"
     "/REP ZZZ[1] f6 r2 c0 s0 n=2,2,1 w=0 @34+1 '^'\n"
     "/FIELD ZZZ[1] f6 r0 c0 s0 n=2,2,1 w=0 @32+3 '^~^'\n"
     "FIELD ZZZ[1] f7 r0 c0 s0 n=2,2,1 w=0 @36+3 '&~&' ZZZ-7\n"
     "REP ZZZ[1] f7 r1 c0 s0 n=2,1,1 w=0 @36+1 '&'\n"
     "COMP ZZZ[1] f7 r1 c1 s0 n=2,1,2 w=0 @36+1 '&'\n"
     "LEAF ZZZ[1] f7 r1 c1 s1 n=2,1,2 w=0 @36+0 '' ZZZ-7[1].1.1\n"
     "LEAF ZZZ[1] f7 r1 c1 s2 n=2,1,2 w=0 @37+0 '' ZZZ-7[1].1.2\n"
     "/COMP ZZZ[1] f7 r1 c1 s0 n=2,1,2 w=0 @36+1 '&'\n"
     "/REP ZZZ[1] f7 r1 c0 s0 n=2,1,2 w=0 @36+1 '&'\n"
     "REP ZZZ[1] f7 r2 c0 s0 n=2,1,2 w=0 @38+1 '&'\n"
     "COMP ZZZ[1] f7 r2 c1 s0 n=2,1,2 w=0 @38+1 '&'\n"
     "LEAF ZZZ[1] f7 r2 c1 s1 n=2,1,2 w=0 @38+0 '' ZZZ-7[2].1.1\n"
     "LEAF ZZZ[1] f7 r2 c1 s2 n=2,1,2 w=0 @39+0 '' ZZZ-7[2].1.2\n"
     "/COMP ZZZ[1] f7 r2 c1 s0 n=2,1,2 w=0 @38+1 '&'\n"
     "/REP ZZZ[1] f7 r2 c0 s0 n=2,1,2 w=0 @38+1 '&'\n"
     "/FIELD ZZZ[1] f7 r0 c0 s0 n=2,1,2 w=0 @36+3 '&~&'\n"
     "/SEG ZZZ[1] f0 r0 c0 s0 n=2,1,2 w=0 @11+28 'ZZZ|~~|^^|&&|~^&|&^~|^~^|&~&'\n"},
    {"segment ID only", "MSH|^~\\&|A\rEVN\rZZ1\rPID|1\r",
     "SEG MSH[1] f0 r0 c0 s0 n=0,0,0 w=0 @0+10 'MSH|^~\\x5C&|A'\n"
     "FIELD MSH[1] f1 r0 c0 s0 n=1,0,0 w=1 @3+1 '|' MSH-1\n"
     "REP MSH[1] f1 r1 c0 s0 n=1,1,0 w=1 @3+1 '|'\n"
     "COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "LEAF MSH[1] f1 r1 c1 s1 n=1,1,1 w=1 @3+1 '|' MSH-1\n"
     "/COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/REP MSH[1] f1 r1 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/FIELD MSH[1] f1 r0 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "LEAF MSH[1] f2 r1 c1 s1 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "/COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @9+1 'A' MSH-3\n"
     "REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "LEAF MSH[1] f3 r1 c1 s1 n=1,1,1 w=0 @9+1 'A' MSH-3\n"
     "/COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/SEG MSH[1] f0 r0 c0 s0 n=1,1,1 w=0 @0+10 'MSH|^~\\x5C&|A'\n"
     "SEG EVN[1] f0 r0 c0 s0 n=0,0,0 w=0 @11+3 'EVN'\n"
     "/SEG EVN[1] f0 r0 c0 s0 n=0,0,0 w=0 @11+3 'EVN'\n"
     "SEG ZZ1[1] f0 r0 c0 s0 n=0,0,0 w=0 @15+3 'ZZ1'\n"
     "/SEG ZZ1[1] f0 r0 c0 s0 n=0,0,0 w=0 @15+3 'ZZ1'\n"
     "SEG PID[1] f0 r0 c0 s0 n=0,0,0 w=0 @19+5 'PID|1'\n"
     "FIELD PID[1] f1 r0 c0 s0 n=1,0,0 w=0 @23+1 '1' PID-1\n"
     "REP PID[1] f1 r1 c0 s0 n=1,1,0 w=0 @23+1 '1'\n"
     "COMP PID[1] f1 r1 c1 s0 n=1,1,1 w=0 @23+1 '1'\n"
     "LEAF PID[1] f1 r1 c1 s1 n=1,1,1 w=0 @23+1 '1' PID-1\n"
     "/COMP PID[1] f1 r1 c1 s0 n=1,1,1 w=0 @23+1 '1'\n"
     "/REP PID[1] f1 r1 c0 s0 n=1,1,1 w=0 @23+1 '1'\n"
     "/FIELD PID[1] f1 r0 c0 s0 n=1,1,1 w=0 @23+1 '1'\n"
     "/SEG PID[1] f0 r0 c0 s0 n=1,1,1 w=0 @19+5 'PID|1'\n"},
    {"escapes not decoded",
     "MSH|^~\\&|A\rNTE|1||a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f\\X0D0A\\g\\^x\\&y\r",
     "SEG MSH[1] f0 r0 c0 s0 n=0,0,0 w=0 @0+10 'MSH|^~\\x5C&|A'\n"
     "FIELD MSH[1] f1 r0 c0 s0 n=1,0,0 w=1 @3+1 '|' MSH-1\n"
     "REP MSH[1] f1 r1 c0 s0 n=1,1,0 w=1 @3+1 '|'\n"
     "COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "LEAF MSH[1] f1 r1 c1 s1 n=1,1,1 w=1 @3+1 '|' MSH-1\n"
     "/COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/REP MSH[1] f1 r1 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/FIELD MSH[1] f1 r0 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "LEAF MSH[1] f2 r1 c1 s1 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "/COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @9+1 'A' MSH-3\n"
     "REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "LEAF MSH[1] f3 r1 c1 s1 n=1,1,1 w=0 @9+1 'A' MSH-3\n"
     "/COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/SEG MSH[1] f0 r0 c0 s0 n=1,1,1 w=0 @0+10 'MSH|^~\\x5C&|A'\n"
     "SEG NTE[1] f0 r0 c0 s0 n=0,0,0 w=0 @11+42 "
     "'NTE|1||a\\x5CF\\x5Cb\\x5CS\\x5Cc\\x5CT\\x5Cd\\x5CR\\x5Ce\\x5CE\\x5Cf\\x5CX0D0A\\x5Cg\\x5C^"
     "x\\x5C&y'\n"
     "FIELD NTE[1] f1 r0 c0 s0 n=1,0,0 w=0 @15+1 '1' NTE-1\n"
     "REP NTE[1] f1 r1 c0 s0 n=1,1,0 w=0 @15+1 '1'\n"
     "COMP NTE[1] f1 r1 c1 s0 n=1,1,1 w=0 @15+1 '1'\n"
     "LEAF NTE[1] f1 r1 c1 s1 n=1,1,1 w=0 @15+1 '1' NTE-1\n"
     "/COMP NTE[1] f1 r1 c1 s0 n=1,1,1 w=0 @15+1 '1'\n"
     "/REP NTE[1] f1 r1 c0 s0 n=1,1,1 w=0 @15+1 '1'\n"
     "/FIELD NTE[1] f1 r0 c0 s0 n=1,1,1 w=0 @15+1 '1'\n"
     "FIELD NTE[1] f2 r0 c0 s0 n=1,1,1 w=0 @17+0 '' NTE-2\n"
     "REP NTE[1] f2 r1 c0 s0 n=1,1,1 w=0 @17+0 ''\n"
     "COMP NTE[1] f2 r1 c1 s0 n=1,1,1 w=0 @17+0 ''\n"
     "LEAF NTE[1] f2 r1 c1 s1 n=1,1,1 w=0 @17+0 '' NTE-2\n"
     "/COMP NTE[1] f2 r1 c1 s0 n=1,1,1 w=0 @17+0 ''\n"
     "/REP NTE[1] f2 r1 c0 s0 n=1,1,1 w=0 @17+0 ''\n"
     "/FIELD NTE[1] f2 r0 c0 s0 n=1,1,1 w=0 @17+0 ''\n"
     "FIELD NTE[1] f3 r0 c0 s0 n=1,1,1 w=0 @18+35 "
     "'a\\x5CF\\x5Cb\\x5CS\\x5Cc\\x5CT\\x5Cd\\x5CR\\x5Ce\\x5CE\\x5Cf\\x5CX0D0A\\x5Cg\\x5C^x\\x5C&y'"
     " NTE-3\n"
     "REP NTE[1] f3 r1 c0 s0 n=1,2,1 w=0 @18+35 "
     "'a\\x5CF\\x5Cb\\x5CS\\x5Cc\\x5CT\\x5Cd\\x5CR\\x5Ce\\x5CE\\x5Cf\\x5CX0D0A\\x5Cg\\x5C^x\\x5C&y'"
     "\n"
     "COMP NTE[1] f3 r1 c1 s0 n=1,2,1 w=0 @18+30 "
     "'a\\x5CF\\x5Cb\\x5CS\\x5Cc\\x5CT\\x5Cd\\x5CR\\x5Ce\\x5CE\\x5Cf\\x5CX0D0A\\x5Cg\\x5C'\n"
     "LEAF NTE[1] f3 r1 c1 s1 n=1,2,1 w=0 @18+30 "
     "'a\\x5CF\\x5Cb\\x5CS\\x5Cc\\x5CT\\x5Cd\\x5CR\\x5Ce\\x5CE\\x5Cf\\x5CX0D0A\\x5Cg\\x5C' "
     "NTE-3.1\n"
     "/COMP NTE[1] f3 r1 c1 s0 n=1,2,1 w=0 @18+30 "
     "'a\\x5CF\\x5Cb\\x5CS\\x5Cc\\x5CT\\x5Cd\\x5CR\\x5Ce\\x5CE\\x5Cf\\x5CX0D0A\\x5Cg\\x5C'\n"
     "COMP NTE[1] f3 r1 c2 s0 n=1,2,2 w=0 @49+4 'x\\x5C&y'\n"
     "LEAF NTE[1] f3 r1 c2 s1 n=1,2,2 w=0 @49+2 'x\\x5C' NTE-3.2.1\n"
     "LEAF NTE[1] f3 r1 c2 s2 n=1,2,2 w=0 @52+1 'y' NTE-3.2.2\n"
     "/COMP NTE[1] f3 r1 c2 s0 n=1,2,2 w=0 @49+4 'x\\x5C&y'\n"
     "/REP NTE[1] f3 r1 c0 s0 n=1,2,2 w=0 @18+35 "
     "'a\\x5CF\\x5Cb\\x5CS\\x5Cc\\x5CT\\x5Cd\\x5CR\\x5Ce\\x5CE\\x5Cf\\x5CX0D0A\\x5Cg\\x5C^x\\x5C&y'"
     "\n"
     "/FIELD NTE[1] f3 r0 c0 s0 n=1,2,2 w=0 @18+35 "
     "'a\\x5CF\\x5Cb\\x5CS\\x5Cc\\x5CT\\x5Cd\\x5CR\\x5Ce\\x5CE\\x5Cf\\x5CX0D0A\\x5Cg\\x5C^x\\x5C&y'"
     "\n"
     "/SEG NTE[1] f0 r0 c0 s0 n=1,2,2 w=0 @11+42 "
     "'NTE|1||a\\x5CF\\x5Cb\\x5CS\\x5Cc\\x5CT\\x5Cd\\x5CR\\x5Ce\\x5CE\\x5Cf\\x5CX0D0A\\x5Cg\\x5C^"
     "x\\x5C&y'\n"},
    {"MSH-2 ends the segment", "MSH|^~\\&\rPID|1\r",
     "SEG MSH[1] f0 r0 c0 s0 n=0,0,0 w=0 @0+8 'MSH|^~\\x5C&'\n"
     "FIELD MSH[1] f1 r0 c0 s0 n=1,0,0 w=1 @3+1 '|' MSH-1\n"
     "REP MSH[1] f1 r1 c0 s0 n=1,1,0 w=1 @3+1 '|'\n"
     "COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "LEAF MSH[1] f1 r1 c1 s1 n=1,1,1 w=1 @3+1 '|' MSH-1\n"
     "/COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/REP MSH[1] f1 r1 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/FIELD MSH[1] f1 r0 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "LEAF MSH[1] f2 r1 c1 s1 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "/COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/SEG MSH[1] f0 r0 c0 s0 n=1,1,1 w=0 @0+8 'MSH|^~\\x5C&'\n"
     "SEG PID[1] f0 r0 c0 s0 n=0,0,0 w=0 @9+5 'PID|1'\n"
     "FIELD PID[1] f1 r0 c0 s0 n=1,0,0 w=0 @13+1 '1' PID-1\n"
     "REP PID[1] f1 r1 c0 s0 n=1,1,0 w=0 @13+1 '1'\n"
     "COMP PID[1] f1 r1 c1 s0 n=1,1,1 w=0 @13+1 '1'\n"
     "LEAF PID[1] f1 r1 c1 s1 n=1,1,1 w=0 @13+1 '1' PID-1\n"
     "/COMP PID[1] f1 r1 c1 s0 n=1,1,1 w=0 @13+1 '1'\n"
     "/REP PID[1] f1 r1 c0 s0 n=1,1,1 w=0 @13+1 '1'\n"
     "/FIELD PID[1] f1 r0 c0 s0 n=1,1,1 w=0 @13+1 '1'\n"
     "/SEG PID[1] f0 r0 c0 s0 n=1,1,1 w=0 @9+5 'PID|1'\n"},
    {"MSH-2 then an empty field", "MSH|^~\\&|\rPID|1\r",
     "SEG MSH[1] f0 r0 c0 s0 n=0,0,0 w=0 @0+9 'MSH|^~\\x5C&|'\n"
     "FIELD MSH[1] f1 r0 c0 s0 n=1,0,0 w=1 @3+1 '|' MSH-1\n"
     "REP MSH[1] f1 r1 c0 s0 n=1,1,0 w=1 @3+1 '|'\n"
     "COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "LEAF MSH[1] f1 r1 c1 s1 n=1,1,1 w=1 @3+1 '|' MSH-1\n"
     "/COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/REP MSH[1] f1 r1 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/FIELD MSH[1] f1 r0 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "LEAF MSH[1] f2 r1 c1 s1 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "/COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @9+0 '' MSH-3\n"
     "REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @9+0 ''\n"
     "COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @9+0 ''\n"
     "LEAF MSH[1] f3 r1 c1 s1 n=1,1,1 w=0 @9+0 '' MSH-3\n"
     "/COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @9+0 ''\n"
     "/REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @9+0 ''\n"
     "/FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @9+0 ''\n"
     "/SEG MSH[1] f0 r0 c0 s0 n=1,1,1 w=0 @0+9 'MSH|^~\\x5C&|'\n"
     "SEG PID[1] f0 r0 c0 s0 n=0,0,0 w=0 @10+5 'PID|1'\n"
     "FIELD PID[1] f1 r0 c0 s0 n=1,0,0 w=0 @14+1 '1' PID-1\n"
     "REP PID[1] f1 r1 c0 s0 n=1,1,0 w=0 @14+1 '1'\n"
     "COMP PID[1] f1 r1 c1 s0 n=1,1,1 w=0 @14+1 '1'\n"
     "LEAF PID[1] f1 r1 c1 s1 n=1,1,1 w=0 @14+1 '1' PID-1\n"
     "/COMP PID[1] f1 r1 c1 s0 n=1,1,1 w=0 @14+1 '1'\n"
     "/REP PID[1] f1 r1 c0 s0 n=1,1,1 w=0 @14+1 '1'\n"
     "/FIELD PID[1] f1 r0 c0 s0 n=1,1,1 w=0 @14+1 '1'\n"
     "/SEG PID[1] f0 r0 c0 s0 n=1,1,1 w=0 @10+5 'PID|1'\n"},
    {"later MSH with MSH-1 only, or ID only", "MSH|^~\\&|A\rMSH|\rPID|1\rMSH\rMSH||\r",
     "SEG MSH[1] f0 r0 c0 s0 n=0,0,0 w=0 @0+10 'MSH|^~\\x5C&|A'\n"
     "FIELD MSH[1] f1 r0 c0 s0 n=1,0,0 w=1 @3+1 '|' MSH-1\n"
     "REP MSH[1] f1 r1 c0 s0 n=1,1,0 w=1 @3+1 '|'\n"
     "COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "LEAF MSH[1] f1 r1 c1 s1 n=1,1,1 w=1 @3+1 '|' MSH-1\n"
     "/COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/REP MSH[1] f1 r1 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/FIELD MSH[1] f1 r0 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "LEAF MSH[1] f2 r1 c1 s1 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "/COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @9+1 'A' MSH-3\n"
     "REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "LEAF MSH[1] f3 r1 c1 s1 n=1,1,1 w=0 @9+1 'A' MSH-3\n"
     "/COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/SEG MSH[1] f0 r0 c0 s0 n=1,1,1 w=0 @0+10 'MSH|^~\\x5C&|A'\n"
     "SEG MSH[2] f0 r0 c0 s0 n=0,0,0 w=0 @11+4 'MSH|'\n"
     "FIELD MSH[2] f1 r0 c0 s0 n=1,0,0 w=1 @14+1 '|' MSH[2]-1\n"
     "REP MSH[2] f1 r1 c0 s0 n=1,1,0 w=1 @14+1 '|'\n"
     "COMP MSH[2] f1 r1 c1 s0 n=1,1,1 w=1 @14+1 '|'\n"
     "LEAF MSH[2] f1 r1 c1 s1 n=1,1,1 w=1 @14+1 '|' MSH[2]-1\n"
     "/COMP MSH[2] f1 r1 c1 s0 n=1,1,1 w=1 @14+1 '|'\n"
     "/REP MSH[2] f1 r1 c0 s0 n=1,1,1 w=1 @14+1 '|'\n"
     "/FIELD MSH[2] f1 r0 c0 s0 n=1,1,1 w=1 @14+1 '|'\n"
     "FIELD MSH[2] f2 r0 c0 s0 n=1,1,1 w=1 @15+0 '' MSH[2]-2\n"
     "REP MSH[2] f2 r1 c0 s0 n=1,1,1 w=1 @15+0 ''\n"
     "COMP MSH[2] f2 r1 c1 s0 n=1,1,1 w=1 @15+0 ''\n"
     "LEAF MSH[2] f2 r1 c1 s1 n=1,1,1 w=1 @15+0 '' MSH[2]-2\n"
     "/COMP MSH[2] f2 r1 c1 s0 n=1,1,1 w=1 @15+0 ''\n"
     "/REP MSH[2] f2 r1 c0 s0 n=1,1,1 w=1 @15+0 ''\n"
     "/FIELD MSH[2] f2 r0 c0 s0 n=1,1,1 w=1 @15+0 ''\n"
     "/SEG MSH[2] f0 r0 c0 s0 n=1,1,1 w=0 @11+4 'MSH|'\n"
     "SEG PID[1] f0 r0 c0 s0 n=0,0,0 w=0 @16+5 'PID|1'\n"
     "FIELD PID[1] f1 r0 c0 s0 n=1,0,0 w=0 @20+1 '1' PID-1\n"
     "REP PID[1] f1 r1 c0 s0 n=1,1,0 w=0 @20+1 '1'\n"
     "COMP PID[1] f1 r1 c1 s0 n=1,1,1 w=0 @20+1 '1'\n"
     "LEAF PID[1] f1 r1 c1 s1 n=1,1,1 w=0 @20+1 '1' PID-1\n"
     "/COMP PID[1] f1 r1 c1 s0 n=1,1,1 w=0 @20+1 '1'\n"
     "/REP PID[1] f1 r1 c0 s0 n=1,1,1 w=0 @20+1 '1'\n"
     "/FIELD PID[1] f1 r0 c0 s0 n=1,1,1 w=0 @20+1 '1'\n"
     "/SEG PID[1] f0 r0 c0 s0 n=1,1,1 w=0 @16+5 'PID|1'\n"
     "SEG MSH[3] f0 r0 c0 s0 n=0,0,0 w=0 @22+3 'MSH'\n"
     "/SEG MSH[3] f0 r0 c0 s0 n=0,0,0 w=0 @22+3 'MSH'\n"
     "SEG MSH[4] f0 r0 c0 s0 n=0,0,0 w=0 @26+5 'MSH||'\n"
     "FIELD MSH[4] f1 r0 c0 s0 n=1,0,0 w=1 @29+1 '|' MSH[4]-1\n"
     "REP MSH[4] f1 r1 c0 s0 n=1,1,0 w=1 @29+1 '|'\n"
     "COMP MSH[4] f1 r1 c1 s0 n=1,1,1 w=1 @29+1 '|'\n"
     "LEAF MSH[4] f1 r1 c1 s1 n=1,1,1 w=1 @29+1 '|' MSH[4]-1\n"
     "/COMP MSH[4] f1 r1 c1 s0 n=1,1,1 w=1 @29+1 '|'\n"
     "/REP MSH[4] f1 r1 c0 s0 n=1,1,1 w=1 @29+1 '|'\n"
     "/FIELD MSH[4] f1 r0 c0 s0 n=1,1,1 w=1 @29+1 '|'\n"
     "FIELD MSH[4] f2 r0 c0 s0 n=1,1,1 w=1 @30+0 '' MSH[4]-2\n"
     "REP MSH[4] f2 r1 c0 s0 n=1,1,1 w=1 @30+0 ''\n"
     "COMP MSH[4] f2 r1 c1 s0 n=1,1,1 w=1 @30+0 ''\n"
     "LEAF MSH[4] f2 r1 c1 s1 n=1,1,1 w=1 @30+0 '' MSH[4]-2\n"
     "/COMP MSH[4] f2 r1 c1 s0 n=1,1,1 w=1 @30+0 ''\n"
     "/REP MSH[4] f2 r1 c0 s0 n=1,1,1 w=1 @30+0 ''\n"
     "/FIELD MSH[4] f2 r0 c0 s0 n=1,1,1 w=1 @30+0 ''\n"
     "FIELD MSH[4] f3 r0 c0 s0 n=1,1,1 w=0 @31+0 '' MSH[4]-3\n"
     "REP MSH[4] f3 r1 c0 s0 n=1,1,1 w=0 @31+0 ''\n"
     "COMP MSH[4] f3 r1 c1 s0 n=1,1,1 w=0 @31+0 ''\n"
     "LEAF MSH[4] f3 r1 c1 s1 n=1,1,1 w=0 @31+0 '' MSH[4]-3\n"
     "/COMP MSH[4] f3 r1 c1 s0 n=1,1,1 w=0 @31+0 ''\n"
     "/REP MSH[4] f3 r1 c0 s0 n=1,1,1 w=0 @31+0 ''\n"
     "/FIELD MSH[4] f3 r0 c0 s0 n=1,1,1 w=0 @31+0 ''\n"
     "/SEG MSH[4] f0 r0 c0 s0 n=1,1,1 w=0 @26+5 'MSH||'\n"},
    {"MSH fields split from MSH-3 on", "MSH|^~\\&|A^B&C~D|E||ADT^A01^ADT_A01|1|P|2.5.1~x^y\r",
     "SEG MSH[1] f0 r0 c0 s0 n=0,0,0 w=0 @0+49 "
     "'MSH|^~\\x5C&|A^B&C~D|E||ADT^A01^ADT_A01|1|P|2.5.1~x^y'\n"
     "FIELD MSH[1] f1 r0 c0 s0 n=1,0,0 w=1 @3+1 '|' MSH-1\n"
     "REP MSH[1] f1 r1 c0 s0 n=1,1,0 w=1 @3+1 '|'\n"
     "COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "LEAF MSH[1] f1 r1 c1 s1 n=1,1,1 w=1 @3+1 '|' MSH-1\n"
     "/COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/REP MSH[1] f1 r1 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/FIELD MSH[1] f1 r0 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "LEAF MSH[1] f2 r1 c1 s1 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "/COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "FIELD MSH[1] f3 r0 c0 s0 n=2,1,1 w=0 @9+7 'A^B&C~D' MSH-3\n"
     "REP MSH[1] f3 r1 c0 s0 n=2,2,1 w=0 @9+5 'A^B&C'\n"
     "COMP MSH[1] f3 r1 c1 s0 n=2,2,1 w=0 @9+1 'A'\n"
     "LEAF MSH[1] f3 r1 c1 s1 n=2,2,1 w=0 @9+1 'A' MSH-3[1].1\n"
     "/COMP MSH[1] f3 r1 c1 s0 n=2,2,1 w=0 @9+1 'A'\n"
     "COMP MSH[1] f3 r1 c2 s0 n=2,2,2 w=0 @11+3 'B&C'\n"
     "LEAF MSH[1] f3 r1 c2 s1 n=2,2,2 w=0 @11+1 'B' MSH-3[1].2.1\n"
     "LEAF MSH[1] f3 r1 c2 s2 n=2,2,2 w=0 @13+1 'C' MSH-3[1].2.2\n"
     "/COMP MSH[1] f3 r1 c2 s0 n=2,2,2 w=0 @11+3 'B&C'\n"
     "/REP MSH[1] f3 r1 c0 s0 n=2,2,2 w=0 @9+5 'A^B&C'\n"
     "REP MSH[1] f3 r2 c0 s0 n=2,1,2 w=0 @15+1 'D'\n"
     "COMP MSH[1] f3 r2 c1 s0 n=2,1,1 w=0 @15+1 'D'\n"
     "LEAF MSH[1] f3 r2 c1 s1 n=2,1,1 w=0 @15+1 'D' MSH-3[2]\n"
     "/COMP MSH[1] f3 r2 c1 s0 n=2,1,1 w=0 @15+1 'D'\n"
     "/REP MSH[1] f3 r2 c0 s0 n=2,1,1 w=0 @15+1 'D'\n"
     "/FIELD MSH[1] f3 r0 c0 s0 n=2,1,1 w=0 @9+7 'A^B&C~D'\n"
     "FIELD MSH[1] f4 r0 c0 s0 n=1,1,1 w=0 @17+1 'E' MSH-4\n"
     "REP MSH[1] f4 r1 c0 s0 n=1,1,1 w=0 @17+1 'E'\n"
     "COMP MSH[1] f4 r1 c1 s0 n=1,1,1 w=0 @17+1 'E'\n"
     "LEAF MSH[1] f4 r1 c1 s1 n=1,1,1 w=0 @17+1 'E' MSH-4\n"
     "/COMP MSH[1] f4 r1 c1 s0 n=1,1,1 w=0 @17+1 'E'\n"
     "/REP MSH[1] f4 r1 c0 s0 n=1,1,1 w=0 @17+1 'E'\n"
     "/FIELD MSH[1] f4 r0 c0 s0 n=1,1,1 w=0 @17+1 'E'\n"
     "FIELD MSH[1] f5 r0 c0 s0 n=1,1,1 w=0 @19+0 '' MSH-5\n"
     "REP MSH[1] f5 r1 c0 s0 n=1,1,1 w=0 @19+0 ''\n"
     "COMP MSH[1] f5 r1 c1 s0 n=1,1,1 w=0 @19+0 ''\n"
     "LEAF MSH[1] f5 r1 c1 s1 n=1,1,1 w=0 @19+0 '' MSH-5\n"
     "/COMP MSH[1] f5 r1 c1 s0 n=1,1,1 w=0 @19+0 ''\n"
     "/REP MSH[1] f5 r1 c0 s0 n=1,1,1 w=0 @19+0 ''\n"
     "/FIELD MSH[1] f5 r0 c0 s0 n=1,1,1 w=0 @19+0 ''\n"
     "FIELD MSH[1] f6 r0 c0 s0 n=1,1,1 w=0 @20+15 'ADT^A01^ADT_A01' MSH-6\n"
     "REP MSH[1] f6 r1 c0 s0 n=1,3,1 w=0 @20+15 'ADT^A01^ADT_A01'\n"
     "COMP MSH[1] f6 r1 c1 s0 n=1,3,1 w=0 @20+3 'ADT'\n"
     "LEAF MSH[1] f6 r1 c1 s1 n=1,3,1 w=0 @20+3 'ADT' MSH-6.1\n"
     "/COMP MSH[1] f6 r1 c1 s0 n=1,3,1 w=0 @20+3 'ADT'\n"
     "COMP MSH[1] f6 r1 c2 s0 n=1,3,1 w=0 @24+3 'A01'\n"
     "LEAF MSH[1] f6 r1 c2 s1 n=1,3,1 w=0 @24+3 'A01' MSH-6.2\n"
     "/COMP MSH[1] f6 r1 c2 s0 n=1,3,1 w=0 @24+3 'A01'\n"
     "COMP MSH[1] f6 r1 c3 s0 n=1,3,1 w=0 @28+7 'ADT_A01'\n"
     "LEAF MSH[1] f6 r1 c3 s1 n=1,3,1 w=0 @28+7 'ADT_A01' MSH-6.3\n"
     "/COMP MSH[1] f6 r1 c3 s0 n=1,3,1 w=0 @28+7 'ADT_A01'\n"
     "/REP MSH[1] f6 r1 c0 s0 n=1,3,1 w=0 @20+15 'ADT^A01^ADT_A01'\n"
     "/FIELD MSH[1] f6 r0 c0 s0 n=1,3,1 w=0 @20+15 'ADT^A01^ADT_A01'\n"
     "FIELD MSH[1] f7 r0 c0 s0 n=1,3,1 w=0 @36+1 '1' MSH-7\n"
     "REP MSH[1] f7 r1 c0 s0 n=1,1,1 w=0 @36+1 '1'\n"
     "COMP MSH[1] f7 r1 c1 s0 n=1,1,1 w=0 @36+1 '1'\n"
     "LEAF MSH[1] f7 r1 c1 s1 n=1,1,1 w=0 @36+1 '1' MSH-7\n"
     "/COMP MSH[1] f7 r1 c1 s0 n=1,1,1 w=0 @36+1 '1'\n"
     "/REP MSH[1] f7 r1 c0 s0 n=1,1,1 w=0 @36+1 '1'\n"
     "/FIELD MSH[1] f7 r0 c0 s0 n=1,1,1 w=0 @36+1 '1'\n"
     "FIELD MSH[1] f8 r0 c0 s0 n=1,1,1 w=0 @38+1 'P' MSH-8\n"
     "REP MSH[1] f8 r1 c0 s0 n=1,1,1 w=0 @38+1 'P'\n"
     "COMP MSH[1] f8 r1 c1 s0 n=1,1,1 w=0 @38+1 'P'\n"
     "LEAF MSH[1] f8 r1 c1 s1 n=1,1,1 w=0 @38+1 'P' MSH-8\n"
     "/COMP MSH[1] f8 r1 c1 s0 n=1,1,1 w=0 @38+1 'P'\n"
     "/REP MSH[1] f8 r1 c0 s0 n=1,1,1 w=0 @38+1 'P'\n"
     "/FIELD MSH[1] f8 r0 c0 s0 n=1,1,1 w=0 @38+1 'P'\n"
     "FIELD MSH[1] f9 r0 c0 s0 n=2,1,1 w=0 @40+9 '2.5.1~x^y' MSH-9\n"
     "REP MSH[1] f9 r1 c0 s0 n=2,1,1 w=0 @40+5 '2.5.1'\n"
     "COMP MSH[1] f9 r1 c1 s0 n=2,1,1 w=0 @40+5 '2.5.1'\n"
     "LEAF MSH[1] f9 r1 c1 s1 n=2,1,1 w=0 @40+5 '2.5.1' MSH-9[1]\n"
     "/COMP MSH[1] f9 r1 c1 s0 n=2,1,1 w=0 @40+5 '2.5.1'\n"
     "/REP MSH[1] f9 r1 c0 s0 n=2,1,1 w=0 @40+5 '2.5.1'\n"
     "REP MSH[1] f9 r2 c0 s0 n=2,2,1 w=0 @46+3 'x^y'\n"
     "COMP MSH[1] f9 r2 c1 s0 n=2,2,1 w=0 @46+1 'x'\n"
     "LEAF MSH[1] f9 r2 c1 s1 n=2,2,1 w=0 @46+1 'x' MSH-9[2].1\n"
     "/COMP MSH[1] f9 r2 c1 s0 n=2,2,1 w=0 @46+1 'x'\n"
     "COMP MSH[1] f9 r2 c2 s0 n=2,2,1 w=0 @48+1 'y'\n"
     "LEAF MSH[1] f9 r2 c2 s1 n=2,2,1 w=0 @48+1 'y' MSH-9[2].2\n"
     "/COMP MSH[1] f9 r2 c2 s0 n=2,2,1 w=0 @48+1 'y'\n"
     "/REP MSH[1] f9 r2 c0 s0 n=2,2,1 w=0 @46+3 'x^y'\n"
     "/FIELD MSH[1] f9 r0 c0 s0 n=2,2,1 w=0 @40+9 '2.5.1~x^y'\n"
     "/SEG MSH[1] f0 r0 c0 s0 n=2,2,1 w=0 @0+49 "
     "'MSH|^~\\x5C&|A^B&C~D|E||ADT^A01^ADT_A01|1|P|2.5.1~x^y'\n"},
    {"LF separators", "MSH|^~\\&|A|B|C|D|2026||ADT^A01|1|P|2.5.1\nPID|1|a^b\nNTE|x\n",
     "SEG MSH[1] f0 r0 c0 s0 n=0,0,0 w=0 @0+40 'MSH|^~\\x5C&|A|B|C|D|2026||ADT^A01|1|P|2.5.1'\n"
     "FIELD MSH[1] f1 r0 c0 s0 n=1,0,0 w=1 @3+1 '|' MSH-1\n"
     "REP MSH[1] f1 r1 c0 s0 n=1,1,0 w=1 @3+1 '|'\n"
     "COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "LEAF MSH[1] f1 r1 c1 s1 n=1,1,1 w=1 @3+1 '|' MSH-1\n"
     "/COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/REP MSH[1] f1 r1 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/FIELD MSH[1] f1 r0 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "LEAF MSH[1] f2 r1 c1 s1 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "/COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @9+1 'A' MSH-3\n"
     "REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "LEAF MSH[1] f3 r1 c1 s1 n=1,1,1 w=0 @9+1 'A' MSH-3\n"
     "/COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "FIELD MSH[1] f4 r0 c0 s0 n=1,1,1 w=0 @11+1 'B' MSH-4\n"
     "REP MSH[1] f4 r1 c0 s0 n=1,1,1 w=0 @11+1 'B'\n"
     "COMP MSH[1] f4 r1 c1 s0 n=1,1,1 w=0 @11+1 'B'\n"
     "LEAF MSH[1] f4 r1 c1 s1 n=1,1,1 w=0 @11+1 'B' MSH-4\n"
     "/COMP MSH[1] f4 r1 c1 s0 n=1,1,1 w=0 @11+1 'B'\n"
     "/REP MSH[1] f4 r1 c0 s0 n=1,1,1 w=0 @11+1 'B'\n"
     "/FIELD MSH[1] f4 r0 c0 s0 n=1,1,1 w=0 @11+1 'B'\n"
     "FIELD MSH[1] f5 r0 c0 s0 n=1,1,1 w=0 @13+1 'C' MSH-5\n"
     "REP MSH[1] f5 r1 c0 s0 n=1,1,1 w=0 @13+1 'C'\n"
     "COMP MSH[1] f5 r1 c1 s0 n=1,1,1 w=0 @13+1 'C'\n"
     "LEAF MSH[1] f5 r1 c1 s1 n=1,1,1 w=0 @13+1 'C' MSH-5\n"
     "/COMP MSH[1] f5 r1 c1 s0 n=1,1,1 w=0 @13+1 'C'\n"
     "/REP MSH[1] f5 r1 c0 s0 n=1,1,1 w=0 @13+1 'C'\n"
     "/FIELD MSH[1] f5 r0 c0 s0 n=1,1,1 w=0 @13+1 'C'\n"
     "FIELD MSH[1] f6 r0 c0 s0 n=1,1,1 w=0 @15+1 'D' MSH-6\n"
     "REP MSH[1] f6 r1 c0 s0 n=1,1,1 w=0 @15+1 'D'\n"
     "COMP MSH[1] f6 r1 c1 s0 n=1,1,1 w=0 @15+1 'D'\n"
     "LEAF MSH[1] f6 r1 c1 s1 n=1,1,1 w=0 @15+1 'D' MSH-6\n"
     "/COMP MSH[1] f6 r1 c1 s0 n=1,1,1 w=0 @15+1 'D'\n"
     "/REP MSH[1] f6 r1 c0 s0 n=1,1,1 w=0 @15+1 'D'\n"
     "/FIELD MSH[1] f6 r0 c0 s0 n=1,1,1 w=0 @15+1 'D'\n"
     "FIELD MSH[1] f7 r0 c0 s0 n=1,1,1 w=0 @17+4 '2026' MSH-7\n"
     "REP MSH[1] f7 r1 c0 s0 n=1,1,1 w=0 @17+4 '2026'\n"
     "COMP MSH[1] f7 r1 c1 s0 n=1,1,1 w=0 @17+4 '2026'\n"
     "LEAF MSH[1] f7 r1 c1 s1 n=1,1,1 w=0 @17+4 '2026' MSH-7\n"
     "/COMP MSH[1] f7 r1 c1 s0 n=1,1,1 w=0 @17+4 '2026'\n"
     "/REP MSH[1] f7 r1 c0 s0 n=1,1,1 w=0 @17+4 '2026'\n"
     "/FIELD MSH[1] f7 r0 c0 s0 n=1,1,1 w=0 @17+4 '2026'\n"
     "FIELD MSH[1] f8 r0 c0 s0 n=1,1,1 w=0 @22+0 '' MSH-8\n"
     "REP MSH[1] f8 r1 c0 s0 n=1,1,1 w=0 @22+0 ''\n"
     "COMP MSH[1] f8 r1 c1 s0 n=1,1,1 w=0 @22+0 ''\n"
     "LEAF MSH[1] f8 r1 c1 s1 n=1,1,1 w=0 @22+0 '' MSH-8\n"
     "/COMP MSH[1] f8 r1 c1 s0 n=1,1,1 w=0 @22+0 ''\n"
     "/REP MSH[1] f8 r1 c0 s0 n=1,1,1 w=0 @22+0 ''\n"
     "/FIELD MSH[1] f8 r0 c0 s0 n=1,1,1 w=0 @22+0 ''\n"
     "FIELD MSH[1] f9 r0 c0 s0 n=1,1,1 w=0 @23+7 'ADT^A01' MSH-9\n"
     "REP MSH[1] f9 r1 c0 s0 n=1,2,1 w=0 @23+7 'ADT^A01'\n"
     "COMP MSH[1] f9 r1 c1 s0 n=1,2,1 w=0 @23+3 'ADT'\n"
     "LEAF MSH[1] f9 r1 c1 s1 n=1,2,1 w=0 @23+3 'ADT' MSH-9.1\n"
     "/COMP MSH[1] f9 r1 c1 s0 n=1,2,1 w=0 @23+3 'ADT'\n"
     "COMP MSH[1] f9 r1 c2 s0 n=1,2,1 w=0 @27+3 'A01'\n"
     "LEAF MSH[1] f9 r1 c2 s1 n=1,2,1 w=0 @27+3 'A01' MSH-9.2\n"
     "/COMP MSH[1] f9 r1 c2 s0 n=1,2,1 w=0 @27+3 'A01'\n"
     "/REP MSH[1] f9 r1 c0 s0 n=1,2,1 w=0 @23+7 'ADT^A01'\n"
     "/FIELD MSH[1] f9 r0 c0 s0 n=1,2,1 w=0 @23+7 'ADT^A01'\n"
     "FIELD MSH[1] f10 r0 c0 s0 n=1,2,1 w=0 @31+1 '1' MSH-10\n"
     "REP MSH[1] f10 r1 c0 s0 n=1,1,1 w=0 @31+1 '1'\n"
     "COMP MSH[1] f10 r1 c1 s0 n=1,1,1 w=0 @31+1 '1'\n"
     "LEAF MSH[1] f10 r1 c1 s1 n=1,1,1 w=0 @31+1 '1' MSH-10\n"
     "/COMP MSH[1] f10 r1 c1 s0 n=1,1,1 w=0 @31+1 '1'\n"
     "/REP MSH[1] f10 r1 c0 s0 n=1,1,1 w=0 @31+1 '1'\n"
     "/FIELD MSH[1] f10 r0 c0 s0 n=1,1,1 w=0 @31+1 '1'\n"
     "FIELD MSH[1] f11 r0 c0 s0 n=1,1,1 w=0 @33+1 'P' MSH-11\n"
     "REP MSH[1] f11 r1 c0 s0 n=1,1,1 w=0 @33+1 'P'\n"
     "COMP MSH[1] f11 r1 c1 s0 n=1,1,1 w=0 @33+1 'P'\n"
     "LEAF MSH[1] f11 r1 c1 s1 n=1,1,1 w=0 @33+1 'P' MSH-11\n"
     "/COMP MSH[1] f11 r1 c1 s0 n=1,1,1 w=0 @33+1 'P'\n"
     "/REP MSH[1] f11 r1 c0 s0 n=1,1,1 w=0 @33+1 'P'\n"
     "/FIELD MSH[1] f11 r0 c0 s0 n=1,1,1 w=0 @33+1 'P'\n"
     "FIELD MSH[1] f12 r0 c0 s0 n=1,1,1 w=0 @35+5 '2.5.1' MSH-12\n"
     "REP MSH[1] f12 r1 c0 s0 n=1,1,1 w=0 @35+5 '2.5.1'\n"
     "COMP MSH[1] f12 r1 c1 s0 n=1,1,1 w=0 @35+5 '2.5.1'\n"
     "LEAF MSH[1] f12 r1 c1 s1 n=1,1,1 w=0 @35+5 '2.5.1' MSH-12\n"
     "/COMP MSH[1] f12 r1 c1 s0 n=1,1,1 w=0 @35+5 '2.5.1'\n"
     "/REP MSH[1] f12 r1 c0 s0 n=1,1,1 w=0 @35+5 '2.5.1'\n"
     "/FIELD MSH[1] f12 r0 c0 s0 n=1,1,1 w=0 @35+5 '2.5.1'\n"
     "/SEG MSH[1] f0 r0 c0 s0 n=1,1,1 w=0 @0+40 'MSH|^~\\x5C&|A|B|C|D|2026||ADT^A01|1|P|2.5.1'\n"
     "SEG PID[1] f0 r0 c0 s0 n=0,0,0 w=0 @41+9 'PID|1|a^b'\n"
     "FIELD PID[1] f1 r0 c0 s0 n=1,0,0 w=0 @45+1 '1' PID-1\n"
     "REP PID[1] f1 r1 c0 s0 n=1,1,0 w=0 @45+1 '1'\n"
     "COMP PID[1] f1 r1 c1 s0 n=1,1,1 w=0 @45+1 '1'\n"
     "LEAF PID[1] f1 r1 c1 s1 n=1,1,1 w=0 @45+1 '1' PID-1\n"
     "/COMP PID[1] f1 r1 c1 s0 n=1,1,1 w=0 @45+1 '1'\n"
     "/REP PID[1] f1 r1 c0 s0 n=1,1,1 w=0 @45+1 '1'\n"
     "/FIELD PID[1] f1 r0 c0 s0 n=1,1,1 w=0 @45+1 '1'\n"
     "FIELD PID[1] f2 r0 c0 s0 n=1,1,1 w=0 @47+3 'a^b' PID-2\n"
     "REP PID[1] f2 r1 c0 s0 n=1,2,1 w=0 @47+3 'a^b'\n"
     "COMP PID[1] f2 r1 c1 s0 n=1,2,1 w=0 @47+1 'a'\n"
     "LEAF PID[1] f2 r1 c1 s1 n=1,2,1 w=0 @47+1 'a' PID-2.1\n"
     "/COMP PID[1] f2 r1 c1 s0 n=1,2,1 w=0 @47+1 'a'\n"
     "COMP PID[1] f2 r1 c2 s0 n=1,2,1 w=0 @49+1 'b'\n"
     "LEAF PID[1] f2 r1 c2 s1 n=1,2,1 w=0 @49+1 'b' PID-2.2\n"
     "/COMP PID[1] f2 r1 c2 s0 n=1,2,1 w=0 @49+1 'b'\n"
     "/REP PID[1] f2 r1 c0 s0 n=1,2,1 w=0 @47+3 'a^b'\n"
     "/FIELD PID[1] f2 r0 c0 s0 n=1,2,1 w=0 @47+3 'a^b'\n"
     "/SEG PID[1] f0 r0 c0 s0 n=1,2,1 w=0 @41+9 'PID|1|a^b'\n"
     "SEG NTE[1] f0 r0 c0 s0 n=0,0,0 w=0 @51+5 'NTE|x'\n"
     "FIELD NTE[1] f1 r0 c0 s0 n=1,0,0 w=0 @55+1 'x' NTE-1\n"
     "REP NTE[1] f1 r1 c0 s0 n=1,1,0 w=0 @55+1 'x'\n"
     "COMP NTE[1] f1 r1 c1 s0 n=1,1,1 w=0 @55+1 'x'\n"
     "LEAF NTE[1] f1 r1 c1 s1 n=1,1,1 w=0 @55+1 'x' NTE-1\n"
     "/COMP NTE[1] f1 r1 c1 s0 n=1,1,1 w=0 @55+1 'x'\n"
     "/REP NTE[1] f1 r1 c0 s0 n=1,1,1 w=0 @55+1 'x'\n"
     "/FIELD NTE[1] f1 r0 c0 s0 n=1,1,1 w=0 @55+1 'x'\n"
     "/SEG NTE[1] f0 r0 c0 s0 n=1,1,1 w=0 @51+5 'NTE|x'\n"},
    {"CRLF separators, blank lines",
     "MSH|^~\\&|A|B|C|D|2026||ADT^A01|1|P|2.5.1\r\n\r\nPID|1|a^b\r\nNTE|x\r\n",
     "SEG MSH[1] f0 r0 c0 s0 n=0,0,0 w=0 @0+40 'MSH|^~\\x5C&|A|B|C|D|2026||ADT^A01|1|P|2.5.1'\n"
     "FIELD MSH[1] f1 r0 c0 s0 n=1,0,0 w=1 @3+1 '|' MSH-1\n"
     "REP MSH[1] f1 r1 c0 s0 n=1,1,0 w=1 @3+1 '|'\n"
     "COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "LEAF MSH[1] f1 r1 c1 s1 n=1,1,1 w=1 @3+1 '|' MSH-1\n"
     "/COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/REP MSH[1] f1 r1 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/FIELD MSH[1] f1 r0 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "LEAF MSH[1] f2 r1 c1 s1 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "/COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @9+1 'A' MSH-3\n"
     "REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "LEAF MSH[1] f3 r1 c1 s1 n=1,1,1 w=0 @9+1 'A' MSH-3\n"
     "/COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "FIELD MSH[1] f4 r0 c0 s0 n=1,1,1 w=0 @11+1 'B' MSH-4\n"
     "REP MSH[1] f4 r1 c0 s0 n=1,1,1 w=0 @11+1 'B'\n"
     "COMP MSH[1] f4 r1 c1 s0 n=1,1,1 w=0 @11+1 'B'\n"
     "LEAF MSH[1] f4 r1 c1 s1 n=1,1,1 w=0 @11+1 'B' MSH-4\n"
     "/COMP MSH[1] f4 r1 c1 s0 n=1,1,1 w=0 @11+1 'B'\n"
     "/REP MSH[1] f4 r1 c0 s0 n=1,1,1 w=0 @11+1 'B'\n"
     "/FIELD MSH[1] f4 r0 c0 s0 n=1,1,1 w=0 @11+1 'B'\n"
     "FIELD MSH[1] f5 r0 c0 s0 n=1,1,1 w=0 @13+1 'C' MSH-5\n"
     "REP MSH[1] f5 r1 c0 s0 n=1,1,1 w=0 @13+1 'C'\n"
     "COMP MSH[1] f5 r1 c1 s0 n=1,1,1 w=0 @13+1 'C'\n"
     "LEAF MSH[1] f5 r1 c1 s1 n=1,1,1 w=0 @13+1 'C' MSH-5\n"
     "/COMP MSH[1] f5 r1 c1 s0 n=1,1,1 w=0 @13+1 'C'\n"
     "/REP MSH[1] f5 r1 c0 s0 n=1,1,1 w=0 @13+1 'C'\n"
     "/FIELD MSH[1] f5 r0 c0 s0 n=1,1,1 w=0 @13+1 'C'\n"
     "FIELD MSH[1] f6 r0 c0 s0 n=1,1,1 w=0 @15+1 'D' MSH-6\n"
     "REP MSH[1] f6 r1 c0 s0 n=1,1,1 w=0 @15+1 'D'\n"
     "COMP MSH[1] f6 r1 c1 s0 n=1,1,1 w=0 @15+1 'D'\n"
     "LEAF MSH[1] f6 r1 c1 s1 n=1,1,1 w=0 @15+1 'D' MSH-6\n"
     "/COMP MSH[1] f6 r1 c1 s0 n=1,1,1 w=0 @15+1 'D'\n"
     "/REP MSH[1] f6 r1 c0 s0 n=1,1,1 w=0 @15+1 'D'\n"
     "/FIELD MSH[1] f6 r0 c0 s0 n=1,1,1 w=0 @15+1 'D'\n"
     "FIELD MSH[1] f7 r0 c0 s0 n=1,1,1 w=0 @17+4 '2026' MSH-7\n"
     "REP MSH[1] f7 r1 c0 s0 n=1,1,1 w=0 @17+4 '2026'\n"
     "COMP MSH[1] f7 r1 c1 s0 n=1,1,1 w=0 @17+4 '2026'\n"
     "LEAF MSH[1] f7 r1 c1 s1 n=1,1,1 w=0 @17+4 '2026' MSH-7\n"
     "/COMP MSH[1] f7 r1 c1 s0 n=1,1,1 w=0 @17+4 '2026'\n"
     "/REP MSH[1] f7 r1 c0 s0 n=1,1,1 w=0 @17+4 '2026'\n"
     "/FIELD MSH[1] f7 r0 c0 s0 n=1,1,1 w=0 @17+4 '2026'\n"
     "FIELD MSH[1] f8 r0 c0 s0 n=1,1,1 w=0 @22+0 '' MSH-8\n"
     "REP MSH[1] f8 r1 c0 s0 n=1,1,1 w=0 @22+0 ''\n"
     "COMP MSH[1] f8 r1 c1 s0 n=1,1,1 w=0 @22+0 ''\n"
     "LEAF MSH[1] f8 r1 c1 s1 n=1,1,1 w=0 @22+0 '' MSH-8\n"
     "/COMP MSH[1] f8 r1 c1 s0 n=1,1,1 w=0 @22+0 ''\n"
     "/REP MSH[1] f8 r1 c0 s0 n=1,1,1 w=0 @22+0 ''\n"
     "/FIELD MSH[1] f8 r0 c0 s0 n=1,1,1 w=0 @22+0 ''\n"
     "FIELD MSH[1] f9 r0 c0 s0 n=1,1,1 w=0 @23+7 'ADT^A01' MSH-9\n"
     "REP MSH[1] f9 r1 c0 s0 n=1,2,1 w=0 @23+7 'ADT^A01'\n"
     "COMP MSH[1] f9 r1 c1 s0 n=1,2,1 w=0 @23+3 'ADT'\n"
     "LEAF MSH[1] f9 r1 c1 s1 n=1,2,1 w=0 @23+3 'ADT' MSH-9.1\n"
     "/COMP MSH[1] f9 r1 c1 s0 n=1,2,1 w=0 @23+3 'ADT'\n"
     "COMP MSH[1] f9 r1 c2 s0 n=1,2,1 w=0 @27+3 'A01'\n"
     "LEAF MSH[1] f9 r1 c2 s1 n=1,2,1 w=0 @27+3 'A01' MSH-9.2\n"
     "/COMP MSH[1] f9 r1 c2 s0 n=1,2,1 w=0 @27+3 'A01'\n"
     "/REP MSH[1] f9 r1 c0 s0 n=1,2,1 w=0 @23+7 'ADT^A01'\n"
     "/FIELD MSH[1] f9 r0 c0 s0 n=1,2,1 w=0 @23+7 'ADT^A01'\n"
     "FIELD MSH[1] f10 r0 c0 s0 n=1,2,1 w=0 @31+1 '1' MSH-10\n"
     "REP MSH[1] f10 r1 c0 s0 n=1,1,1 w=0 @31+1 '1'\n"
     "COMP MSH[1] f10 r1 c1 s0 n=1,1,1 w=0 @31+1 '1'\n"
     "LEAF MSH[1] f10 r1 c1 s1 n=1,1,1 w=0 @31+1 '1' MSH-10\n"
     "/COMP MSH[1] f10 r1 c1 s0 n=1,1,1 w=0 @31+1 '1'\n"
     "/REP MSH[1] f10 r1 c0 s0 n=1,1,1 w=0 @31+1 '1'\n"
     "/FIELD MSH[1] f10 r0 c0 s0 n=1,1,1 w=0 @31+1 '1'\n"
     "FIELD MSH[1] f11 r0 c0 s0 n=1,1,1 w=0 @33+1 'P' MSH-11\n"
     "REP MSH[1] f11 r1 c0 s0 n=1,1,1 w=0 @33+1 'P'\n"
     "COMP MSH[1] f11 r1 c1 s0 n=1,1,1 w=0 @33+1 'P'\n"
     "LEAF MSH[1] f11 r1 c1 s1 n=1,1,1 w=0 @33+1 'P' MSH-11\n"
     "/COMP MSH[1] f11 r1 c1 s0 n=1,1,1 w=0 @33+1 'P'\n"
     "/REP MSH[1] f11 r1 c0 s0 n=1,1,1 w=0 @33+1 'P'\n"
     "/FIELD MSH[1] f11 r0 c0 s0 n=1,1,1 w=0 @33+1 'P'\n"
     "FIELD MSH[1] f12 r0 c0 s0 n=1,1,1 w=0 @35+5 '2.5.1' MSH-12\n"
     "REP MSH[1] f12 r1 c0 s0 n=1,1,1 w=0 @35+5 '2.5.1'\n"
     "COMP MSH[1] f12 r1 c1 s0 n=1,1,1 w=0 @35+5 '2.5.1'\n"
     "LEAF MSH[1] f12 r1 c1 s1 n=1,1,1 w=0 @35+5 '2.5.1' MSH-12\n"
     "/COMP MSH[1] f12 r1 c1 s0 n=1,1,1 w=0 @35+5 '2.5.1'\n"
     "/REP MSH[1] f12 r1 c0 s0 n=1,1,1 w=0 @35+5 '2.5.1'\n"
     "/FIELD MSH[1] f12 r0 c0 s0 n=1,1,1 w=0 @35+5 '2.5.1'\n"
     "/SEG MSH[1] f0 r0 c0 s0 n=1,1,1 w=0 @0+40 'MSH|^~\\x5C&|A|B|C|D|2026||ADT^A01|1|P|2.5.1'\n"
     "SEG PID[1] f0 r0 c0 s0 n=0,0,0 w=0 @44+9 'PID|1|a^b'\n"
     "FIELD PID[1] f1 r0 c0 s0 n=1,0,0 w=0 @48+1 '1' PID-1\n"
     "REP PID[1] f1 r1 c0 s0 n=1,1,0 w=0 @48+1 '1'\n"
     "COMP PID[1] f1 r1 c1 s0 n=1,1,1 w=0 @48+1 '1'\n"
     "LEAF PID[1] f1 r1 c1 s1 n=1,1,1 w=0 @48+1 '1' PID-1\n"
     "/COMP PID[1] f1 r1 c1 s0 n=1,1,1 w=0 @48+1 '1'\n"
     "/REP PID[1] f1 r1 c0 s0 n=1,1,1 w=0 @48+1 '1'\n"
     "/FIELD PID[1] f1 r0 c0 s0 n=1,1,1 w=0 @48+1 '1'\n"
     "FIELD PID[1] f2 r0 c0 s0 n=1,1,1 w=0 @50+3 'a^b' PID-2\n"
     "REP PID[1] f2 r1 c0 s0 n=1,2,1 w=0 @50+3 'a^b'\n"
     "COMP PID[1] f2 r1 c1 s0 n=1,2,1 w=0 @50+1 'a'\n"
     "LEAF PID[1] f2 r1 c1 s1 n=1,2,1 w=0 @50+1 'a' PID-2.1\n"
     "/COMP PID[1] f2 r1 c1 s0 n=1,2,1 w=0 @50+1 'a'\n"
     "COMP PID[1] f2 r1 c2 s0 n=1,2,1 w=0 @52+1 'b'\n"
     "LEAF PID[1] f2 r1 c2 s1 n=1,2,1 w=0 @52+1 'b' PID-2.2\n"
     "/COMP PID[1] f2 r1 c2 s0 n=1,2,1 w=0 @52+1 'b'\n"
     "/REP PID[1] f2 r1 c0 s0 n=1,2,1 w=0 @50+3 'a^b'\n"
     "/FIELD PID[1] f2 r0 c0 s0 n=1,2,1 w=0 @50+3 'a^b'\n"
     "/SEG PID[1] f0 r0 c0 s0 n=1,2,1 w=0 @44+9 'PID|1|a^b'\n"
     "SEG NTE[1] f0 r0 c0 s0 n=0,0,0 w=0 @55+5 'NTE|x'\n"
     "FIELD NTE[1] f1 r0 c0 s0 n=1,0,0 w=0 @59+1 'x' NTE-1\n"
     "REP NTE[1] f1 r1 c0 s0 n=1,1,0 w=0 @59+1 'x'\n"
     "COMP NTE[1] f1 r1 c1 s0 n=1,1,1 w=0 @59+1 'x'\n"
     "LEAF NTE[1] f1 r1 c1 s1 n=1,1,1 w=0 @59+1 'x' NTE-1\n"
     "/COMP NTE[1] f1 r1 c1 s0 n=1,1,1 w=0 @59+1 'x'\n"
     "/REP NTE[1] f1 r1 c0 s0 n=1,1,1 w=0 @59+1 'x'\n"
     "/FIELD NTE[1] f1 r0 c0 s0 n=1,1,1 w=0 @59+1 'x'\n"
     "/SEG NTE[1] f0 r0 c0 s0 n=1,1,1 w=0 @55+5 'NTE|x'\n"},
    {"no final CR", "MSH|^~\\&|A\rPID|1|a^b~c",
     "SEG MSH[1] f0 r0 c0 s0 n=0,0,0 w=0 @0+10 'MSH|^~\\x5C&|A'\n"
     "FIELD MSH[1] f1 r0 c0 s0 n=1,0,0 w=1 @3+1 '|' MSH-1\n"
     "REP MSH[1] f1 r1 c0 s0 n=1,1,0 w=1 @3+1 '|'\n"
     "COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "LEAF MSH[1] f1 r1 c1 s1 n=1,1,1 w=1 @3+1 '|' MSH-1\n"
     "/COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/REP MSH[1] f1 r1 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/FIELD MSH[1] f1 r0 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "LEAF MSH[1] f2 r1 c1 s1 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "/COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @9+1 'A' MSH-3\n"
     "REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "LEAF MSH[1] f3 r1 c1 s1 n=1,1,1 w=0 @9+1 'A' MSH-3\n"
     "/COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/SEG MSH[1] f0 r0 c0 s0 n=1,1,1 w=0 @0+10 'MSH|^~\\x5C&|A'\n"
     "SEG PID[1] f0 r0 c0 s0 n=0,0,0 w=0 @11+11 'PID|1|a^b~c'\n"
     "FIELD PID[1] f1 r0 c0 s0 n=1,0,0 w=0 @15+1 '1' PID-1\n"
     "REP PID[1] f1 r1 c0 s0 n=1,1,0 w=0 @15+1 '1'\n"
     "COMP PID[1] f1 r1 c1 s0 n=1,1,1 w=0 @15+1 '1'\n"
     "LEAF PID[1] f1 r1 c1 s1 n=1,1,1 w=0 @15+1 '1' PID-1\n"
     "/COMP PID[1] f1 r1 c1 s0 n=1,1,1 w=0 @15+1 '1'\n"
     "/REP PID[1] f1 r1 c0 s0 n=1,1,1 w=0 @15+1 '1'\n"
     "/FIELD PID[1] f1 r0 c0 s0 n=1,1,1 w=0 @15+1 '1'\n"
     "FIELD PID[1] f2 r0 c0 s0 n=2,1,1 w=0 @17+5 'a^b~c' PID-2\n"
     "REP PID[1] f2 r1 c0 s0 n=2,2,1 w=0 @17+3 'a^b'\n"
     "COMP PID[1] f2 r1 c1 s0 n=2,2,1 w=0 @17+1 'a'\n"
     "LEAF PID[1] f2 r1 c1 s1 n=2,2,1 w=0 @17+1 'a' PID-2[1].1\n"
     "/COMP PID[1] f2 r1 c1 s0 n=2,2,1 w=0 @17+1 'a'\n"
     "COMP PID[1] f2 r1 c2 s0 n=2,2,1 w=0 @19+1 'b'\n"
     "LEAF PID[1] f2 r1 c2 s1 n=2,2,1 w=0 @19+1 'b' PID-2[1].2\n"
     "/COMP PID[1] f2 r1 c2 s0 n=2,2,1 w=0 @19+1 'b'\n"
     "/REP PID[1] f2 r1 c0 s0 n=2,2,1 w=0 @17+3 'a^b'\n"
     "REP PID[1] f2 r2 c0 s0 n=2,1,1 w=0 @21+1 'c'\n"
     "COMP PID[1] f2 r2 c1 s0 n=2,1,1 w=0 @21+1 'c'\n"
     "LEAF PID[1] f2 r2 c1 s1 n=2,1,1 w=0 @21+1 'c' PID-2[2]\n"
     "/COMP PID[1] f2 r2 c1 s0 n=2,1,1 w=0 @21+1 'c'\n"
     "/REP PID[1] f2 r2 c0 s0 n=2,1,1 w=0 @21+1 'c'\n"
     "/FIELD PID[1] f2 r0 c0 s0 n=2,1,1 w=0 @17+5 'a^b~c'\n"
     "/SEG PID[1] f0 r0 c0 s0 n=2,1,1 w=0 @11+11 'PID|1|a^b~c'\n"},
    {"no final CR after a delimiter", "MSH|^~\\&|A\rPID|1|a^b~",
     "SEG MSH[1] f0 r0 c0 s0 n=0,0,0 w=0 @0+10 'MSH|^~\\x5C&|A'\n"
     "FIELD MSH[1] f1 r0 c0 s0 n=1,0,0 w=1 @3+1 '|' MSH-1\n"
     "REP MSH[1] f1 r1 c0 s0 n=1,1,0 w=1 @3+1 '|'\n"
     "COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "LEAF MSH[1] f1 r1 c1 s1 n=1,1,1 w=1 @3+1 '|' MSH-1\n"
     "/COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/REP MSH[1] f1 r1 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/FIELD MSH[1] f1 r0 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "LEAF MSH[1] f2 r1 c1 s1 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "/COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @9+1 'A' MSH-3\n"
     "REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "LEAF MSH[1] f3 r1 c1 s1 n=1,1,1 w=0 @9+1 'A' MSH-3\n"
     "/COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/SEG MSH[1] f0 r0 c0 s0 n=1,1,1 w=0 @0+10 'MSH|^~\\x5C&|A'\n"
     "SEG PID[1] f0 r0 c0 s0 n=0,0,0 w=0 @11+10 'PID|1|a^b~'\n"
     "FIELD PID[1] f1 r0 c0 s0 n=1,0,0 w=0 @15+1 '1' PID-1\n"
     "REP PID[1] f1 r1 c0 s0 n=1,1,0 w=0 @15+1 '1'\n"
     "COMP PID[1] f1 r1 c1 s0 n=1,1,1 w=0 @15+1 '1'\n"
     "LEAF PID[1] f1 r1 c1 s1 n=1,1,1 w=0 @15+1 '1' PID-1\n"
     "/COMP PID[1] f1 r1 c1 s0 n=1,1,1 w=0 @15+1 '1'\n"
     "/REP PID[1] f1 r1 c0 s0 n=1,1,1 w=0 @15+1 '1'\n"
     "/FIELD PID[1] f1 r0 c0 s0 n=1,1,1 w=0 @15+1 '1'\n"
     "FIELD PID[1] f2 r0 c0 s0 n=2,1,1 w=0 @17+4 'a^b~' PID-2\n"
     "REP PID[1] f2 r1 c0 s0 n=2,2,1 w=0 @17+3 'a^b'\n"
     "COMP PID[1] f2 r1 c1 s0 n=2,2,1 w=0 @17+1 'a'\n"
     "LEAF PID[1] f2 r1 c1 s1 n=2,2,1 w=0 @17+1 'a' PID-2[1].1\n"
     "/COMP PID[1] f2 r1 c1 s0 n=2,2,1 w=0 @17+1 'a'\n"
     "COMP PID[1] f2 r1 c2 s0 n=2,2,1 w=0 @19+1 'b'\n"
     "LEAF PID[1] f2 r1 c2 s1 n=2,2,1 w=0 @19+1 'b' PID-2[1].2\n"
     "/COMP PID[1] f2 r1 c2 s0 n=2,2,1 w=0 @19+1 'b'\n"
     "/REP PID[1] f2 r1 c0 s0 n=2,2,1 w=0 @17+3 'a^b'\n"
     "REP PID[1] f2 r2 c0 s0 n=2,1,1 w=0 @21+0 ''\n"
     "COMP PID[1] f2 r2 c1 s0 n=2,1,1 w=0 @21+0 ''\n"
     "LEAF PID[1] f2 r2 c1 s1 n=2,1,1 w=0 @21+0 '' PID-2[2]\n"
     "/COMP PID[1] f2 r2 c1 s0 n=2,1,1 w=0 @21+0 ''\n"
     "/REP PID[1] f2 r2 c0 s0 n=2,1,1 w=0 @21+0 ''\n"
     "/FIELD PID[1] f2 r0 c0 s0 n=2,1,1 w=0 @17+4 'a^b~'\n"
     "/SEG PID[1] f0 r0 c0 s0 n=2,1,1 w=0 @11+10 'PID|1|a^b~'\n"},
    {"UTF-8 BOM",
     "\xEF"
     "\xBB"
     "\xBF"
     "MSH|^~\\&|A\rPID|1\r",
     "SEG MSH[1] f0 r0 c0 s0 n=0,0,0 w=0 @3+10 'MSH|^~\\x5C&|A'\n"
     "FIELD MSH[1] f1 r0 c0 s0 n=1,0,0 w=1 @6+1 '|' MSH-1\n"
     "REP MSH[1] f1 r1 c0 s0 n=1,1,0 w=1 @6+1 '|'\n"
     "COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @6+1 '|'\n"
     "LEAF MSH[1] f1 r1 c1 s1 n=1,1,1 w=1 @6+1 '|' MSH-1\n"
     "/COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @6+1 '|'\n"
     "/REP MSH[1] f1 r1 c0 s0 n=1,1,1 w=1 @6+1 '|'\n"
     "/FIELD MSH[1] f1 r0 c0 s0 n=1,1,1 w=1 @6+1 '|'\n"
     "FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @7+4 '^~\\x5C&' MSH-2\n"
     "REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @7+4 '^~\\x5C&'\n"
     "COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @7+4 '^~\\x5C&'\n"
     "LEAF MSH[1] f2 r1 c1 s1 n=1,1,1 w=1 @7+4 '^~\\x5C&' MSH-2\n"
     "/COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @7+4 '^~\\x5C&'\n"
     "/REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @7+4 '^~\\x5C&'\n"
     "/FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @7+4 '^~\\x5C&'\n"
     "FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @12+1 'A' MSH-3\n"
     "REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @12+1 'A'\n"
     "COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @12+1 'A'\n"
     "LEAF MSH[1] f3 r1 c1 s1 n=1,1,1 w=0 @12+1 'A' MSH-3\n"
     "/COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @12+1 'A'\n"
     "/REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @12+1 'A'\n"
     "/FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @12+1 'A'\n"
     "/SEG MSH[1] f0 r0 c0 s0 n=1,1,1 w=0 @3+10 'MSH|^~\\x5C&|A'\n"
     "SEG PID[1] f0 r0 c0 s0 n=0,0,0 w=0 @14+5 'PID|1'\n"
     "FIELD PID[1] f1 r0 c0 s0 n=1,0,0 w=0 @18+1 '1' PID-1\n"
     "REP PID[1] f1 r1 c0 s0 n=1,1,0 w=0 @18+1 '1'\n"
     "COMP PID[1] f1 r1 c1 s0 n=1,1,1 w=0 @18+1 '1'\n"
     "LEAF PID[1] f1 r1 c1 s1 n=1,1,1 w=0 @18+1 '1' PID-1\n"
     "/COMP PID[1] f1 r1 c1 s0 n=1,1,1 w=0 @18+1 '1'\n"
     "/REP PID[1] f1 r1 c0 s0 n=1,1,1 w=0 @18+1 '1'\n"
     "/FIELD PID[1] f1 r0 c0 s0 n=1,1,1 w=0 @18+1 '1'\n"
     "/SEG PID[1] f0 r0 c0 s0 n=1,1,1 w=0 @14+5 'PID|1'\n"},
    {"segments the parser refuses", "MSH|^~\\&|A\rabc|1^2\rPIDX|3\rZ\rZZ\rZZ9|\r",
     "SEG MSH[1] f0 r0 c0 s0 n=0,0,0 w=0 @0+10 'MSH|^~\\x5C&|A'\n"
     "FIELD MSH[1] f1 r0 c0 s0 n=1,0,0 w=1 @3+1 '|' MSH-1\n"
     "REP MSH[1] f1 r1 c0 s0 n=1,1,0 w=1 @3+1 '|'\n"
     "COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "LEAF MSH[1] f1 r1 c1 s1 n=1,1,1 w=1 @3+1 '|' MSH-1\n"
     "/COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/REP MSH[1] f1 r1 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/FIELD MSH[1] f1 r0 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "LEAF MSH[1] f2 r1 c1 s1 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "/COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @9+1 'A' MSH-3\n"
     "REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "LEAF MSH[1] f3 r1 c1 s1 n=1,1,1 w=0 @9+1 'A' MSH-3\n"
     "/COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/SEG MSH[1] f0 r0 c0 s0 n=1,1,1 w=0 @0+10 'MSH|^~\\x5C&|A'\n"
     "SEG abc[1] f0 r0 c0 s0 n=0,0,0 w=0 @11+7 'abc|1^2'\n"
     "FIELD abc[1] f1 r0 c0 s0 n=1,0,0 w=0 @15+3 '1^2' abc-1\n"
     "REP abc[1] f1 r1 c0 s0 n=1,2,0 w=0 @15+3 '1^2'\n"
     "COMP abc[1] f1 r1 c1 s0 n=1,2,1 w=0 @15+1 '1'\n"
     "LEAF abc[1] f1 r1 c1 s1 n=1,2,1 w=0 @15+1 '1' abc-1.1\n"
     "/COMP abc[1] f1 r1 c1 s0 n=1,2,1 w=0 @15+1 '1'\n"
     "COMP abc[1] f1 r1 c2 s0 n=1,2,1 w=0 @17+1 '2'\n"
     "LEAF abc[1] f1 r1 c2 s1 n=1,2,1 w=0 @17+1 '2' abc-1.2\n"
     "/COMP abc[1] f1 r1 c2 s0 n=1,2,1 w=0 @17+1 '2'\n"
     "/REP abc[1] f1 r1 c0 s0 n=1,2,1 w=0 @15+3 '1^2'\n"
     "/FIELD abc[1] f1 r0 c0 s0 n=1,2,1 w=0 @15+3 '1^2'\n"
     "/SEG abc[1] f0 r0 c0 s0 n=1,2,1 w=0 @11+7 'abc|1^2'\n"
     "SEG [0] f0 r0 c0 s0 n=0,0,0 w=0 @19+6 'PIDX|3'\n"
     "/SEG [0] f0 r0 c0 s0 n=0,0,0 w=0 @19+6 'PIDX|3'\n"
     "SEG [0] f0 r0 c0 s0 n=0,0,0 w=0 @26+1 'Z'\n"
     "/SEG [0] f0 r0 c0 s0 n=0,0,0 w=0 @26+1 'Z'\n"
     "SEG [0] f0 r0 c0 s0 n=0,0,0 w=0 @28+2 'ZZ'\n"
     "/SEG [0] f0 r0 c0 s0 n=0,0,0 w=0 @28+2 'ZZ'\n"
     "SEG ZZ9[1] f0 r0 c0 s0 n=0,0,0 w=0 @31+4 'ZZ9|'\n"
     "FIELD ZZ9[1] f1 r0 c0 s0 n=1,0,0 w=0 @35+0 '' ZZ9-1\n"
     "REP ZZ9[1] f1 r1 c0 s0 n=1,1,0 w=0 @35+0 ''\n"
     "COMP ZZ9[1] f1 r1 c1 s0 n=1,1,1 w=0 @35+0 ''\n"
     "LEAF ZZ9[1] f1 r1 c1 s1 n=1,1,1 w=0 @35+0 '' ZZ9-1\n"
     "/COMP ZZ9[1] f1 r1 c1 s0 n=1,1,1 w=0 @35+0 ''\n"
     "/REP ZZ9[1] f1 r1 c0 s0 n=1,1,1 w=0 @35+0 ''\n"
     "/FIELD ZZ9[1] f1 r0 c0 s0 n=1,1,1 w=0 @35+0 ''\n"
     "/SEG ZZ9[1] f0 r0 c0 s0 n=1,1,1 w=0 @31+4 'ZZ9|'\n"},
    {"second MSH", "MSH|^~\\&|A\rMSH|^~\\&|B^C|x~y\rPID|1\r",
     "SEG MSH[1] f0 r0 c0 s0 n=0,0,0 w=0 @0+10 'MSH|^~\\x5C&|A'\n"
     "FIELD MSH[1] f1 r0 c0 s0 n=1,0,0 w=1 @3+1 '|' MSH-1\n"
     "REP MSH[1] f1 r1 c0 s0 n=1,1,0 w=1 @3+1 '|'\n"
     "COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "LEAF MSH[1] f1 r1 c1 s1 n=1,1,1 w=1 @3+1 '|' MSH-1\n"
     "/COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/REP MSH[1] f1 r1 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/FIELD MSH[1] f1 r0 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "LEAF MSH[1] f2 r1 c1 s1 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "/COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @9+1 'A' MSH-3\n"
     "REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "LEAF MSH[1] f3 r1 c1 s1 n=1,1,1 w=0 @9+1 'A' MSH-3\n"
     "/COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/SEG MSH[1] f0 r0 c0 s0 n=1,1,1 w=0 @0+10 'MSH|^~\\x5C&|A'\n"
     "SEG MSH[2] f0 r0 c0 s0 n=0,0,0 w=0 @11+16 'MSH|^~\\x5C&|B^C|x~y'\n"
     "FIELD MSH[2] f1 r0 c0 s0 n=1,0,0 w=1 @14+1 '|' MSH[2]-1\n"
     "REP MSH[2] f1 r1 c0 s0 n=1,1,0 w=1 @14+1 '|'\n"
     "COMP MSH[2] f1 r1 c1 s0 n=1,1,1 w=1 @14+1 '|'\n"
     "LEAF MSH[2] f1 r1 c1 s1 n=1,1,1 w=1 @14+1 '|' MSH[2]-1\n"
     "/COMP MSH[2] f1 r1 c1 s0 n=1,1,1 w=1 @14+1 '|'\n"
     "/REP MSH[2] f1 r1 c0 s0 n=1,1,1 w=1 @14+1 '|'\n"
     "/FIELD MSH[2] f1 r0 c0 s0 n=1,1,1 w=1 @14+1 '|'\n"
     "FIELD MSH[2] f2 r0 c0 s0 n=1,1,1 w=1 @15+4 '^~\\x5C&' MSH[2]-2\n"
     "REP MSH[2] f2 r1 c0 s0 n=1,1,1 w=1 @15+4 '^~\\x5C&'\n"
     "COMP MSH[2] f2 r1 c1 s0 n=1,1,1 w=1 @15+4 '^~\\x5C&'\n"
     "LEAF MSH[2] f2 r1 c1 s1 n=1,1,1 w=1 @15+4 '^~\\x5C&' MSH[2]-2\n"
     "/COMP MSH[2] f2 r1 c1 s0 n=1,1,1 w=1 @15+4 '^~\\x5C&'\n"
     "/REP MSH[2] f2 r1 c0 s0 n=1,1,1 w=1 @15+4 '^~\\x5C&'\n"
     "/FIELD MSH[2] f2 r0 c0 s0 n=1,1,1 w=1 @15+4 '^~\\x5C&'\n"
     "FIELD MSH[2] f3 r0 c0 s0 n=1,1,1 w=0 @20+3 'B^C' MSH[2]-3\n"
     "REP MSH[2] f3 r1 c0 s0 n=1,2,1 w=0 @20+3 'B^C'\n"
     "COMP MSH[2] f3 r1 c1 s0 n=1,2,1 w=0 @20+1 'B'\n"
     "LEAF MSH[2] f3 r1 c1 s1 n=1,2,1 w=0 @20+1 'B' MSH[2]-3.1\n"
     "/COMP MSH[2] f3 r1 c1 s0 n=1,2,1 w=0 @20+1 'B'\n"
     "COMP MSH[2] f3 r1 c2 s0 n=1,2,1 w=0 @22+1 'C'\n"
     "LEAF MSH[2] f3 r1 c2 s1 n=1,2,1 w=0 @22+1 'C' MSH[2]-3.2\n"
     "/COMP MSH[2] f3 r1 c2 s0 n=1,2,1 w=0 @22+1 'C'\n"
     "/REP MSH[2] f3 r1 c0 s0 n=1,2,1 w=0 @20+3 'B^C'\n"
     "/FIELD MSH[2] f3 r0 c0 s0 n=1,2,1 w=0 @20+3 'B^C'\n"
     "FIELD MSH[2] f4 r0 c0 s0 n=2,2,1 w=0 @24+3 'x~y' MSH[2]-4\n"
     "REP MSH[2] f4 r1 c0 s0 n=2,1,1 w=0 @24+1 'x'\n"
     "COMP MSH[2] f4 r1 c1 s0 n=2,1,1 w=0 @24+1 'x'\n"
     "LEAF MSH[2] f4 r1 c1 s1 n=2,1,1 w=0 @24+1 'x' MSH[2]-4[1]\n"
     "/COMP MSH[2] f4 r1 c1 s0 n=2,1,1 w=0 @24+1 'x'\n"
     "/REP MSH[2] f4 r1 c0 s0 n=2,1,1 w=0 @24+1 'x'\n"
     "REP MSH[2] f4 r2 c0 s0 n=2,1,1 w=0 @26+1 'y'\n"
     "COMP MSH[2] f4 r2 c1 s0 n=2,1,1 w=0 @26+1 'y'\n"
     "LEAF MSH[2] f4 r2 c1 s1 n=2,1,1 w=0 @26+1 'y' MSH[2]-4[2]\n"
     "/COMP MSH[2] f4 r2 c1 s0 n=2,1,1 w=0 @26+1 'y'\n"
     "/REP MSH[2] f4 r2 c0 s0 n=2,1,1 w=0 @26+1 'y'\n"
     "/FIELD MSH[2] f4 r0 c0 s0 n=2,1,1 w=0 @24+3 'x~y'\n"
     "/SEG MSH[2] f0 r0 c0 s0 n=2,1,1 w=0 @11+16 'MSH|^~\\x5C&|B^C|x~y'\n"
     "SEG PID[1] f0 r0 c0 s0 n=0,0,0 w=0 @28+5 'PID|1'\n"
     "FIELD PID[1] f1 r0 c0 s0 n=1,0,0 w=0 @32+1 '1' PID-1\n"
     "REP PID[1] f1 r1 c0 s0 n=1,1,0 w=0 @32+1 '1'\n"
     "COMP PID[1] f1 r1 c1 s0 n=1,1,1 w=0 @32+1 '1'\n"
     "LEAF PID[1] f1 r1 c1 s1 n=1,1,1 w=0 @32+1 '1' PID-1\n"
     "/COMP PID[1] f1 r1 c1 s0 n=1,1,1 w=0 @32+1 '1'\n"
     "/REP PID[1] f1 r1 c0 s0 n=1,1,1 w=0 @32+1 '1'\n"
     "/FIELD PID[1] f1 r0 c0 s0 n=1,1,1 w=0 @32+1 '1'\n"
     "/SEG PID[1] f0 r0 c0 s0 n=1,1,1 w=0 @28+5 'PID|1'\n"},
    {"repeated segment IDs", "MSH|^~\\&|A\rOBX|1\rNTE|a\rOBX|2\rNTE|b\rOBX|3|x~y\rNTE|c\r",
     "SEG MSH[1] f0 r0 c0 s0 n=0,0,0 w=0 @0+10 'MSH|^~\\x5C&|A'\n"
     "FIELD MSH[1] f1 r0 c0 s0 n=1,0,0 w=1 @3+1 '|' MSH-1\n"
     "REP MSH[1] f1 r1 c0 s0 n=1,1,0 w=1 @3+1 '|'\n"
     "COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "LEAF MSH[1] f1 r1 c1 s1 n=1,1,1 w=1 @3+1 '|' MSH-1\n"
     "/COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/REP MSH[1] f1 r1 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/FIELD MSH[1] f1 r0 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "LEAF MSH[1] f2 r1 c1 s1 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "/COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @9+1 'A' MSH-3\n"
     "REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "LEAF MSH[1] f3 r1 c1 s1 n=1,1,1 w=0 @9+1 'A' MSH-3\n"
     "/COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/SEG MSH[1] f0 r0 c0 s0 n=1,1,1 w=0 @0+10 'MSH|^~\\x5C&|A'\n"
     "SEG OBX[1] f0 r0 c0 s0 n=0,0,0 w=0 @11+5 'OBX|1'\n"
     "FIELD OBX[1] f1 r0 c0 s0 n=1,0,0 w=0 @15+1 '1' OBX-1\n"
     "REP OBX[1] f1 r1 c0 s0 n=1,1,0 w=0 @15+1 '1'\n"
     "COMP OBX[1] f1 r1 c1 s0 n=1,1,1 w=0 @15+1 '1'\n"
     "LEAF OBX[1] f1 r1 c1 s1 n=1,1,1 w=0 @15+1 '1' OBX-1\n"
     "/COMP OBX[1] f1 r1 c1 s0 n=1,1,1 w=0 @15+1 '1'\n"
     "/REP OBX[1] f1 r1 c0 s0 n=1,1,1 w=0 @15+1 '1'\n"
     "/FIELD OBX[1] f1 r0 c0 s0 n=1,1,1 w=0 @15+1 '1'\n"
     "/SEG OBX[1] f0 r0 c0 s0 n=1,1,1 w=0 @11+5 'OBX|1'\n"
     "SEG NTE[1] f0 r0 c0 s0 n=0,0,0 w=0 @17+5 'NTE|a'\n"
     "FIELD NTE[1] f1 r0 c0 s0 n=1,0,0 w=0 @21+1 'a' NTE-1\n"
     "REP NTE[1] f1 r1 c0 s0 n=1,1,0 w=0 @21+1 'a'\n"
     "COMP NTE[1] f1 r1 c1 s0 n=1,1,1 w=0 @21+1 'a'\n"
     "LEAF NTE[1] f1 r1 c1 s1 n=1,1,1 w=0 @21+1 'a' NTE-1\n"
     "/COMP NTE[1] f1 r1 c1 s0 n=1,1,1 w=0 @21+1 'a'\n"
     "/REP NTE[1] f1 r1 c0 s0 n=1,1,1 w=0 @21+1 'a'\n"
     "/FIELD NTE[1] f1 r0 c0 s0 n=1,1,1 w=0 @21+1 'a'\n"
     "/SEG NTE[1] f0 r0 c0 s0 n=1,1,1 w=0 @17+5 'NTE|a'\n"
     "SEG OBX[2] f0 r0 c0 s0 n=0,0,0 w=0 @23+5 'OBX|2'\n"
     "FIELD OBX[2] f1 r0 c0 s0 n=1,0,0 w=0 @27+1 '2' OBX[2]-1\n"
     "REP OBX[2] f1 r1 c0 s0 n=1,1,0 w=0 @27+1 '2'\n"
     "COMP OBX[2] f1 r1 c1 s0 n=1,1,1 w=0 @27+1 '2'\n"
     "LEAF OBX[2] f1 r1 c1 s1 n=1,1,1 w=0 @27+1 '2' OBX[2]-1\n"
     "/COMP OBX[2] f1 r1 c1 s0 n=1,1,1 w=0 @27+1 '2'\n"
     "/REP OBX[2] f1 r1 c0 s0 n=1,1,1 w=0 @27+1 '2'\n"
     "/FIELD OBX[2] f1 r0 c0 s0 n=1,1,1 w=0 @27+1 '2'\n"
     "/SEG OBX[2] f0 r0 c0 s0 n=1,1,1 w=0 @23+5 'OBX|2'\n"
     "SEG NTE[2] f0 r0 c0 s0 n=0,0,0 w=0 @29+5 'NTE|b'\n"
     "FIELD NTE[2] f1 r0 c0 s0 n=1,0,0 w=0 @33+1 'b' NTE[2]-1\n"
     "REP NTE[2] f1 r1 c0 s0 n=1,1,0 w=0 @33+1 'b'\n"
     "COMP NTE[2] f1 r1 c1 s0 n=1,1,1 w=0 @33+1 'b'\n"
     "LEAF NTE[2] f1 r1 c1 s1 n=1,1,1 w=0 @33+1 'b' NTE[2]-1\n"
     "/COMP NTE[2] f1 r1 c1 s0 n=1,1,1 w=0 @33+1 'b'\n"
     "/REP NTE[2] f1 r1 c0 s0 n=1,1,1 w=0 @33+1 'b'\n"
     "/FIELD NTE[2] f1 r0 c0 s0 n=1,1,1 w=0 @33+1 'b'\n"
     "/SEG NTE[2] f0 r0 c0 s0 n=1,1,1 w=0 @29+5 'NTE|b'\n"
     "SEG OBX[3] f0 r0 c0 s0 n=0,0,0 w=0 @35+9 'OBX|3|x~y'\n"
     "FIELD OBX[3] f1 r0 c0 s0 n=1,0,0 w=0 @39+1 '3' OBX[3]-1\n"
     "REP OBX[3] f1 r1 c0 s0 n=1,1,0 w=0 @39+1 '3'\n"
     "COMP OBX[3] f1 r1 c1 s0 n=1,1,1 w=0 @39+1 '3'\n"
     "LEAF OBX[3] f1 r1 c1 s1 n=1,1,1 w=0 @39+1 '3' OBX[3]-1\n"
     "/COMP OBX[3] f1 r1 c1 s0 n=1,1,1 w=0 @39+1 '3'\n"
     "/REP OBX[3] f1 r1 c0 s0 n=1,1,1 w=0 @39+1 '3'\n"
     "/FIELD OBX[3] f1 r0 c0 s0 n=1,1,1 w=0 @39+1 '3'\n"
     "FIELD OBX[3] f2 r0 c0 s0 n=2,1,1 w=0 @41+3 'x~y' OBX[3]-2\n"
     "REP OBX[3] f2 r1 c0 s0 n=2,1,1 w=0 @41+1 'x'\n"
     "COMP OBX[3] f2 r1 c1 s0 n=2,1,1 w=0 @41+1 'x'\n"
     "LEAF OBX[3] f2 r1 c1 s1 n=2,1,1 w=0 @41+1 'x' OBX[3]-2[1]\n"
     "/COMP OBX[3] f2 r1 c1 s0 n=2,1,1 w=0 @41+1 'x'\n"
     "/REP OBX[3] f2 r1 c0 s0 n=2,1,1 w=0 @41+1 'x'\n"
     "REP OBX[3] f2 r2 c0 s0 n=2,1,1 w=0 @43+1 'y'\n"
     "COMP OBX[3] f2 r2 c1 s0 n=2,1,1 w=0 @43+1 'y'\n"
     "LEAF OBX[3] f2 r2 c1 s1 n=2,1,1 w=0 @43+1 'y' OBX[3]-2[2]\n"
     "/COMP OBX[3] f2 r2 c1 s0 n=2,1,1 w=0 @43+1 'y'\n"
     "/REP OBX[3] f2 r2 c0 s0 n=2,1,1 w=0 @43+1 'y'\n"
     "/FIELD OBX[3] f2 r0 c0 s0 n=2,1,1 w=0 @41+3 'x~y'\n"
     "/SEG OBX[3] f0 r0 c0 s0 n=2,1,1 w=0 @35+9 'OBX|3|x~y'\n"
     "SEG NTE[3] f0 r0 c0 s0 n=0,0,0 w=0 @45+5 'NTE|c'\n"
     "FIELD NTE[3] f1 r0 c0 s0 n=1,0,0 w=0 @49+1 'c' NTE[3]-1\n"
     "REP NTE[3] f1 r1 c0 s0 n=1,1,0 w=0 @49+1 'c'\n"
     "COMP NTE[3] f1 r1 c1 s0 n=1,1,1 w=0 @49+1 'c'\n"
     "LEAF NTE[3] f1 r1 c1 s1 n=1,1,1 w=0 @49+1 'c' NTE[3]-1\n"
     "/COMP NTE[3] f1 r1 c1 s0 n=1,1,1 w=0 @49+1 'c'\n"
     "/REP NTE[3] f1 r1 c0 s0 n=1,1,1 w=0 @49+1 'c'\n"
     "/FIELD NTE[3] f1 r0 c0 s0 n=1,1,1 w=0 @49+1 'c'\n"
     "/SEG NTE[3] f0 r0 c0 s0 n=1,1,1 w=0 @45+5 'NTE|c'\n"},
    {"bytes outside ASCII",
     "MSH|^~\\&|A\rPID|1||\x01"
     "\x7F"
     "\xC3"
     "\xA9"
     "^\xFF"
     "&\x80"
     "\x09"
     "|\r",
     "SEG MSH[1] f0 r0 c0 s0 n=0,0,0 w=0 @0+10 'MSH|^~\\x5C&|A'\n"
     "FIELD MSH[1] f1 r0 c0 s0 n=1,0,0 w=1 @3+1 '|' MSH-1\n"
     "REP MSH[1] f1 r1 c0 s0 n=1,1,0 w=1 @3+1 '|'\n"
     "COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "LEAF MSH[1] f1 r1 c1 s1 n=1,1,1 w=1 @3+1 '|' MSH-1\n"
     "/COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/REP MSH[1] f1 r1 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/FIELD MSH[1] f1 r0 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "LEAF MSH[1] f2 r1 c1 s1 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "/COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @9+1 'A' MSH-3\n"
     "REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "LEAF MSH[1] f3 r1 c1 s1 n=1,1,1 w=0 @9+1 'A' MSH-3\n"
     "/COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/SEG MSH[1] f0 r0 c0 s0 n=1,1,1 w=0 @0+10 'MSH|^~\\x5C&|A'\n"
     "SEG PID[1] f0 r0 c0 s0 n=0,0,0 w=0 @11+17 'PID|1||\\x01\\x7F\\xC3\\xA9^\\xFF&\\x80\\x09|'\n"
     "FIELD PID[1] f1 r0 c0 s0 n=1,0,0 w=0 @15+1 '1' PID-1\n"
     "REP PID[1] f1 r1 c0 s0 n=1,1,0 w=0 @15+1 '1'\n"
     "COMP PID[1] f1 r1 c1 s0 n=1,1,1 w=0 @15+1 '1'\n"
     "LEAF PID[1] f1 r1 c1 s1 n=1,1,1 w=0 @15+1 '1' PID-1\n"
     "/COMP PID[1] f1 r1 c1 s0 n=1,1,1 w=0 @15+1 '1'\n"
     "/REP PID[1] f1 r1 c0 s0 n=1,1,1 w=0 @15+1 '1'\n"
     "/FIELD PID[1] f1 r0 c0 s0 n=1,1,1 w=0 @15+1 '1'\n"
     "FIELD PID[1] f2 r0 c0 s0 n=1,1,1 w=0 @17+0 '' PID-2\n"
     "REP PID[1] f2 r1 c0 s0 n=1,1,1 w=0 @17+0 ''\n"
     "COMP PID[1] f2 r1 c1 s0 n=1,1,1 w=0 @17+0 ''\n"
     "LEAF PID[1] f2 r1 c1 s1 n=1,1,1 w=0 @17+0 '' PID-2\n"
     "/COMP PID[1] f2 r1 c1 s0 n=1,1,1 w=0 @17+0 ''\n"
     "/REP PID[1] f2 r1 c0 s0 n=1,1,1 w=0 @17+0 ''\n"
     "/FIELD PID[1] f2 r0 c0 s0 n=1,1,1 w=0 @17+0 ''\n"
     "FIELD PID[1] f3 r0 c0 s0 n=1,1,1 w=0 @18+9 '\\x01\\x7F\\xC3\\xA9^\\xFF&\\x80\\x09' PID-3\n"
     "REP PID[1] f3 r1 c0 s0 n=1,2,1 w=0 @18+9 '\\x01\\x7F\\xC3\\xA9^\\xFF&\\x80\\x09'\n"
     "COMP PID[1] f3 r1 c1 s0 n=1,2,1 w=0 @18+4 '\\x01\\x7F\\xC3\\xA9'\n"
     "LEAF PID[1] f3 r1 c1 s1 n=1,2,1 w=0 @18+4 '\\x01\\x7F\\xC3\\xA9' PID-3.1\n"
     "/COMP PID[1] f3 r1 c1 s0 n=1,2,1 w=0 @18+4 '\\x01\\x7F\\xC3\\xA9'\n"
     "COMP PID[1] f3 r1 c2 s0 n=1,2,2 w=0 @23+4 '\\xFF&\\x80\\x09'\n"
     "LEAF PID[1] f3 r1 c2 s1 n=1,2,2 w=0 @23+1 '\\xFF' PID-3.2.1\n"
     "LEAF PID[1] f3 r1 c2 s2 n=1,2,2 w=0 @25+2 '\\x80\\x09' PID-3.2.2\n"
     "/COMP PID[1] f3 r1 c2 s0 n=1,2,2 w=0 @23+4 '\\xFF&\\x80\\x09'\n"
     "/REP PID[1] f3 r1 c0 s0 n=1,2,2 w=0 @18+9 '\\x01\\x7F\\xC3\\xA9^\\xFF&\\x80\\x09'\n"
     "/FIELD PID[1] f3 r0 c0 s0 n=1,2,2 w=0 @18+9 '\\x01\\x7F\\xC3\\xA9^\\xFF&\\x80\\x09'\n"
     "FIELD PID[1] f4 r0 c0 s0 n=1,2,2 w=0 @28+0 '' PID-4\n"
     "REP PID[1] f4 r1 c0 s0 n=1,1,2 w=0 @28+0 ''\n"
     "COMP PID[1] f4 r1 c1 s0 n=1,1,1 w=0 @28+0 ''\n"
     "LEAF PID[1] f4 r1 c1 s1 n=1,1,1 w=0 @28+0 '' PID-4\n"
     "/COMP PID[1] f4 r1 c1 s0 n=1,1,1 w=0 @28+0 ''\n"
     "/REP PID[1] f4 r1 c0 s0 n=1,1,1 w=0 @28+0 ''\n"
     "/FIELD PID[1] f4 r0 c0 s0 n=1,1,1 w=0 @28+0 ''\n"
     "/SEG PID[1] f0 r0 c0 s0 n=1,1,1 w=0 @11+17 "
     "'PID|1||\\x01\\x7F\\xC3\\xA9^\\xFF&\\x80\\x09|'\n"},
    {"one-byte values", "MSH|^~\\&|A\rPID|a|b^c|d~e|f&g|h^i&j~k\r",
     "SEG MSH[1] f0 r0 c0 s0 n=0,0,0 w=0 @0+10 'MSH|^~\\x5C&|A'\n"
     "FIELD MSH[1] f1 r0 c0 s0 n=1,0,0 w=1 @3+1 '|' MSH-1\n"
     "REP MSH[1] f1 r1 c0 s0 n=1,1,0 w=1 @3+1 '|'\n"
     "COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "LEAF MSH[1] f1 r1 c1 s1 n=1,1,1 w=1 @3+1 '|' MSH-1\n"
     "/COMP MSH[1] f1 r1 c1 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/REP MSH[1] f1 r1 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "/FIELD MSH[1] f1 r0 c0 s0 n=1,1,1 w=1 @3+1 '|'\n"
     "FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "LEAF MSH[1] f2 r1 c1 s1 n=1,1,1 w=1 @4+4 '^~\\x5C&' MSH-2\n"
     "/COMP MSH[1] f2 r1 c1 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/REP MSH[1] f2 r1 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "/FIELD MSH[1] f2 r0 c0 s0 n=1,1,1 w=1 @4+4 '^~\\x5C&'\n"
     "FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @9+1 'A' MSH-3\n"
     "REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "LEAF MSH[1] f3 r1 c1 s1 n=1,1,1 w=0 @9+1 'A' MSH-3\n"
     "/COMP MSH[1] f3 r1 c1 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/REP MSH[1] f3 r1 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/FIELD MSH[1] f3 r0 c0 s0 n=1,1,1 w=0 @9+1 'A'\n"
     "/SEG MSH[1] f0 r0 c0 s0 n=1,1,1 w=0 @0+10 'MSH|^~\\x5C&|A'\n"
     "SEG PID[1] f0 r0 c0 s0 n=0,0,0 w=0 @11+25 'PID|a|b^c|d~e|f&g|h^i&j~k'\n"
     "FIELD PID[1] f1 r0 c0 s0 n=1,0,0 w=0 @15+1 'a' PID-1\n"
     "REP PID[1] f1 r1 c0 s0 n=1,1,0 w=0 @15+1 'a'\n"
     "COMP PID[1] f1 r1 c1 s0 n=1,1,1 w=0 @15+1 'a'\n"
     "LEAF PID[1] f1 r1 c1 s1 n=1,1,1 w=0 @15+1 'a' PID-1\n"
     "/COMP PID[1] f1 r1 c1 s0 n=1,1,1 w=0 @15+1 'a'\n"
     "/REP PID[1] f1 r1 c0 s0 n=1,1,1 w=0 @15+1 'a'\n"
     "/FIELD PID[1] f1 r0 c0 s0 n=1,1,1 w=0 @15+1 'a'\n"
     "FIELD PID[1] f2 r0 c0 s0 n=1,1,1 w=0 @17+3 'b^c' PID-2\n"
     "REP PID[1] f2 r1 c0 s0 n=1,2,1 w=0 @17+3 'b^c'\n"
     "COMP PID[1] f2 r1 c1 s0 n=1,2,1 w=0 @17+1 'b'\n"
     "LEAF PID[1] f2 r1 c1 s1 n=1,2,1 w=0 @17+1 'b' PID-2.1\n"
     "/COMP PID[1] f2 r1 c1 s0 n=1,2,1 w=0 @17+1 'b'\n"
     "COMP PID[1] f2 r1 c2 s0 n=1,2,1 w=0 @19+1 'c'\n"
     "LEAF PID[1] f2 r1 c2 s1 n=1,2,1 w=0 @19+1 'c' PID-2.2\n"
     "/COMP PID[1] f2 r1 c2 s0 n=1,2,1 w=0 @19+1 'c'\n"
     "/REP PID[1] f2 r1 c0 s0 n=1,2,1 w=0 @17+3 'b^c'\n"
     "/FIELD PID[1] f2 r0 c0 s0 n=1,2,1 w=0 @17+3 'b^c'\n"
     "FIELD PID[1] f3 r0 c0 s0 n=2,2,1 w=0 @21+3 'd~e' PID-3\n"
     "REP PID[1] f3 r1 c0 s0 n=2,1,1 w=0 @21+1 'd'\n"
     "COMP PID[1] f3 r1 c1 s0 n=2,1,1 w=0 @21+1 'd'\n"
     "LEAF PID[1] f3 r1 c1 s1 n=2,1,1 w=0 @21+1 'd' PID-3[1]\n"
     "/COMP PID[1] f3 r1 c1 s0 n=2,1,1 w=0 @21+1 'd'\n"
     "/REP PID[1] f3 r1 c0 s0 n=2,1,1 w=0 @21+1 'd'\n"
     "REP PID[1] f3 r2 c0 s0 n=2,1,1 w=0 @23+1 'e'\n"
     "COMP PID[1] f3 r2 c1 s0 n=2,1,1 w=0 @23+1 'e'\n"
     "LEAF PID[1] f3 r2 c1 s1 n=2,1,1 w=0 @23+1 'e' PID-3[2]\n"
     "/COMP PID[1] f3 r2 c1 s0 n=2,1,1 w=0 @23+1 'e'\n"
     "/REP PID[1] f3 r2 c0 s0 n=2,1,1 w=0 @23+1 'e'\n"
     "/FIELD PID[1] f3 r0 c0 s0 n=2,1,1 w=0 @21+3 'd~e'\n"
     "FIELD PID[1] f4 r0 c0 s0 n=1,1,1 w=0 @25+3 'f&g' PID-4\n"
     "REP PID[1] f4 r1 c0 s0 n=1,1,1 w=0 @25+3 'f&g'\n"
     "COMP PID[1] f4 r1 c1 s0 n=1,1,2 w=0 @25+3 'f&g'\n"
     "LEAF PID[1] f4 r1 c1 s1 n=1,1,2 w=0 @25+1 'f' PID-4.1.1\n"
     "LEAF PID[1] f4 r1 c1 s2 n=1,1,2 w=0 @27+1 'g' PID-4.1.2\n"
     "/COMP PID[1] f4 r1 c1 s0 n=1,1,2 w=0 @25+3 'f&g'\n"
     "/REP PID[1] f4 r1 c0 s0 n=1,1,2 w=0 @25+3 'f&g'\n"
     "/FIELD PID[1] f4 r0 c0 s0 n=1,1,2 w=0 @25+3 'f&g'\n"
     "FIELD PID[1] f5 r0 c0 s0 n=2,1,2 w=0 @29+7 'h^i&j~k' PID-5\n"
     "REP PID[1] f5 r1 c0 s0 n=2,2,2 w=0 @29+5 'h^i&j'\n"
     "COMP PID[1] f5 r1 c1 s0 n=2,2,1 w=0 @29+1 'h'\n"
     "LEAF PID[1] f5 r1 c1 s1 n=2,2,1 w=0 @29+1 'h' PID-5[1].1\n"
     "/COMP PID[1] f5 r1 c1 s0 n=2,2,1 w=0 @29+1 'h'\n"
     "COMP PID[1] f5 r1 c2 s0 n=2,2,2 w=0 @31+3 'i&j'\n"
     "LEAF PID[1] f5 r1 c2 s1 n=2,2,2 w=0 @31+1 'i' PID-5[1].2.1\n"
     "LEAF PID[1] f5 r1 c2 s2 n=2,2,2 w=0 @33+1 'j' PID-5[1].2.2\n"
     "/COMP PID[1] f5 r1 c2 s0 n=2,2,2 w=0 @31+3 'i&j'\n"
     "/REP PID[1] f5 r1 c0 s0 n=2,2,2 w=0 @29+5 'h^i&j'\n"
     "REP PID[1] f5 r2 c0 s0 n=2,1,2 w=0 @35+1 'k'\n"
     "COMP PID[1] f5 r2 c1 s0 n=2,1,1 w=0 @35+1 'k'\n"
     "LEAF PID[1] f5 r2 c1 s1 n=2,1,1 w=0 @35+1 'k' PID-5[2]\n"
     "/COMP PID[1] f5 r2 c1 s0 n=2,1,1 w=0 @35+1 'k'\n"
     "/REP PID[1] f5 r2 c0 s0 n=2,1,1 w=0 @35+1 'k'\n"
     "/FIELD PID[1] f5 r0 c0 s0 n=2,1,1 w=0 @29+7 'h^i&j~k'\n"
     "/SEG PID[1] f0 r0 c0 s0 n=2,1,1 w=0 @11+25 'PID|a|b^c|d~e|f&g|h^i&j~k'\n"},
};
static const struct gcase gcases[] = {
    {"components", build_comps, 1, 137, 0x73d6023e679ce4e3u},
    {"components", build_comps, 63, 323, 0x8f1c45b7e03c08afu},
    {"components", build_comps, 64, 326, 0x4672a46d2e40730du},
    {"components", build_comps, 65, 329, 0x0d97310d69588f05u},
    {"components", build_comps, 127, 515, 0x3ee451bb2fbbeafdu},
    {"components", build_comps, 128, 518, 0x1ae316f5e2a415bdu},
    {"components", build_comps, 129, 521, 0x5e25cb54b92ccb8cu},
    {"components", build_comps, 255, 899, 0xbb696c36404cb435u},
    {"components", build_comps, 256, 902, 0xffa0a4de95b1a5c7u},
    {"components", build_comps, 257, 905, 0x7e469fce745ee3ebu},
    {"components", build_comps, 1000, 3134, 0x7cd68346a97fa234u},
    {"repetitions", build_reps, 128, 774, 0xc4e8619cde685a3du},
    {"repetitions", build_reps, 129, 779, 0x9506e958a8486887u},
    {"repetitions", build_reps, 1000, 5134, 0x205340ace0aa372eu},
    {"subcomponents", build_subs, 128, 262, 0x62f45097470e4d00u},
    {"subcomponents", build_subs, 129, 263, 0x47d7b6ab243a8911u},
    {"subcomponents", build_subs, 1000, 1134, 0xf0832d1dacff2b39u},
    {"mixed delimiters", build_mixed, 127, 443, 0x9a24a8f225d0d492u},
    {"mixed delimiters", build_mixed, 128, 444, 0x87f8b9a878fb9420u},
    {"mixed delimiters", build_mixed, 129, 447, 0x7fd3dc1efcbe860bu},
    {"mixed delimiters", build_mixed, 256, 758, 0xeda6145bf3272fcau},
    {"mixed delimiters", build_mixed, 257, 759, 0xf91aa72873318dc6u},
    {"mixed delimiters", build_mixed, 5000, 12276, 0x6635b65a8714423fu},
    {"delimiters only", build_bare, 130, 1275, 0x200f754a71fa3399u},
    {"delimiters only", build_bare, 3000, 27105, 0x0db249cdd309c2e7u},
    {"ORU^R01 with OBX segments", build_oru, 675, 57467, 0xe9a83d9076948587u},
    {"distinct segment IDs", build_ids, 140, 1607, 0xf00c1d4dad83779du},
    {"long fields", build_long, 70000, 149, 0x6b7b21fe5b410d0du},
    {"ADT^A01 498 bytes", build_adt, 1, 737, 0xcd6ebac0ec099756u},
    {"ADT^A01 4 times in one block", build_adt, 4, 2948, 0x4fd270100f62dc1du},
};
/* END GENERATED */

/* Print s as a C string literal, one source line per event line. */
static void print_literal(const char *s, size_t len, int per_line)
{
	size_t i;

	printf("\t  \"");
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\' || c == '"')
			printf("\\%c", c);
		else if (c == '\n')
			printf(per_line && i + 1 < len ? "\\n\"\n\t  \"" : "\\n");
		else if (c == '\r')
			printf("\\r");
		else if (c >= 0x20 && c < 0x7f)
			putchar(c);
		else
			printf("\\x%02X\"\"", c);
	}
	printf("\"");
}

static void gen(void)
{
	size_t i;
	struct rec r;

	printf("static const struct tcase cases[] = {\n");
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		walk_text(cases[i].in, strlen(cases[i].in), &r);
		printf("\t{ \"%s\",\n", cases[i].name);
		print_literal(cases[i].in, strlen(cases[i].in), 0);
		printf(",\n");
		print_literal(r.p, r.len, 1);
		printf(" },\n");
		free(r.p);
	}
	printf("};\nstatic const struct gcase gcases[] = {\n");
	for (i = 0; i < sizeof gcases / sizeof gcases[0]; i++) {
		struct rec in;

		memset(&in, 0, sizeof in);
		gcases[i].build(&in, gcases[i].arg);
		walk_text(in.p, in.len, &r);
		printf("\t{ \"%s\", %s, %u, %u, 0x%016llxu },\n", gcases[i].name,
		       builder_name(gcases[i].build), gcases[i].arg, r.events,
		       (unsigned long long)fnv1a(r.p, r.len));
		free(r.p);
		free(in.p);
	}
	printf("};\n");
}

/* Show the first line where got and want differ. */
static void show_diff(const char *got, const char *want)
{
	unsigned line = 1;
	const char *g = got, *w = want;

	while (*g && *g == *w) {
		if (*g == '\n') {
			line++;
			got = g + 1;
			want = w + 1;
		}
		g++;
		w++;
	}
	printf("#   line %u\n#   got:  %.*s\n#   want: %.*s\n", line, (int)strcspn(got, "\n"), got,
	       (int)strcspn(want, "\n"), want);
}

/*
 * The reference model: hl7_walk as it was before it used lib/hl7tok, kept
 * verbatim but renamed.  Each field is read once: a byte-class table marks the field separator and
 * the three splitting delimiters (the escape and truncation characters split
 * nothing), and the positions of the delimiters go into a small array from
 * which the events, counts included, are emitted without touching the bytes
 * again.  A field with more delimiters than the array holds takes the old
 * way (count, then split, at each level): slower, still linear per level.
 */
enum { REF_C_TEXT = 0, REF_C_SUB = 1, REF_C_COMP = 2, REF_C_REP = 3, REF_C_FIELD = 4 };

#define REF_MAX_DELIMS 128

struct ref_tokens {
	unsigned n;
	unsigned nrep; /* repetition delimiters among the n */
	const char *pos[REF_MAX_DELIMS];
	unsigned char kind[REF_MAX_DELIMS];
};

/* How many parts a delimiter splits s into (1 for an empty ref_span). */
static unsigned ref_count_parts(struct hl7_span s, char d)
{
	unsigned n = 1;
	const char *p = s.p, *e = s.p + s.len, *q;

	while (p < e && (q = memchr(p, d, (size_t)(e - p))) != NULL) {
		n++;
		p = q + 1;
	}
	return n;
}

/* Take the next part of *rest up to delimiter d into *out; *rest moves past it. */
static void ref_take(struct hl7_span *rest, char d, struct hl7_span *out)
{
	const char *q = rest->len ? memchr(rest->p, d, rest->len) : NULL;

	out->p = rest->p;
	if (q) {
		out->len = (size_t)(q - rest->p);
		rest->p = q + 1;
		rest->len -= out->len + 1;
	} else {
		out->len = rest->len;
		rest->p += rest->len;
		rest->len = 0;
	}
}

/* The rare field with more than REF_MAX_DELIMS delimiters. */
static void ref_walk_field_slow(const struct hl7_msg *m, struct hl7_walk_pos *w, hl7_walk_fn fn,
				void *ctx)
{
	struct hl7_span f = w->value, reps = f, rep, comps, comp, subs;

	w->nrep = ref_count_parts(f, m->d.repetition);
	w->rep = w->comp = w->sub = 0;
	fn(ctx, HL7_WALK_FIELD, w);
	for (w->rep = 1; w->rep <= w->nrep; w->rep++) {
		ref_take(&reps, m->d.repetition, &rep);
		w->value = rep;
		w->ncomp = ref_count_parts(rep, m->d.component);
		w->comp = w->sub = 0;
		fn(ctx, HL7_WALK_REP, w);
		comps = rep;
		for (w->comp = 1; w->comp <= w->ncomp; w->comp++) {
			ref_take(&comps, m->d.component, &comp);
			w->value = comp;
			w->nsub = ref_count_parts(comp, m->d.subcomponent);
			w->sub = 0;
			fn(ctx, HL7_WALK_COMP, w);
			subs = comp;
			for (w->sub = 1; w->sub <= w->nsub; w->sub++) {
				ref_take(&subs, m->d.subcomponent, &w->value);
				fn(ctx, HL7_WALK_LEAF, w);
			}
			w->sub = 0;
			w->value = comp;
			fn(ctx, HL7_WALK_COMP_END, w);
		}
		w->comp = 0;
		w->value = rep;
		fn(ctx, HL7_WALK_REP_END, w);
	}
	w->rep = 0;
	w->value = f;
	fn(ctx, HL7_WALK_FIELD_END, w);
}

/* A field of one value: one repetition of one component of one subcomponent (also MSH-1, MSH-2). */
static void ref_walk_single(struct hl7_walk_pos *w, hl7_walk_fn fn, void *ctx)
{
	struct hl7_span f = w->value;

	w->nrep = 1;
	w->rep = w->comp = w->sub = 0;
	fn(ctx, HL7_WALK_FIELD, w);
	w->rep = 1;
	w->ncomp = 1;
	w->value = f;
	fn(ctx, HL7_WALK_REP, w);
	w->comp = 1;
	w->nsub = 1;
	w->value = f;
	fn(ctx, HL7_WALK_COMP, w);
	w->sub = 1;
	w->value = f;
	fn(ctx, HL7_WALK_LEAF, w);
	w->sub = 0;
	w->value = f;
	fn(ctx, HL7_WALK_COMP_END, w);
	w->comp = 0;
	w->value = f;
	fn(ctx, HL7_WALK_REP_END, w);
	w->rep = 0;
	w->value = f;
	fn(ctx, HL7_WALK_FIELD_END, w);
}

static struct hl7_span ref_span(const char *p, const char *e)
{
	struct hl7_span s = {p, (size_t)(e - p)};

	return s;
}

/* Emit the events of field [fp, fe) from its delimiters t (t->n > 0). */
static void ref_walk_tokens(struct hl7_walk_pos *w, const struct ref_tokens *t, hl7_walk_fn fn,
			    void *ctx)
{
	const char *fp = w->value.p, *fe = fp + w->value.len, *rp = fp;
	unsigned n = t->n, i = 0, r = 1;

	w->nrep = t->nrep + 1;
	w->rep = w->comp = w->sub = 0;
	fn(ctx, HL7_WALK_FIELD, w);
	for (;;) {
		/* repetition r: delimiters [i, j) */
		unsigned j = i, nc = 1, c = 1;
		const char *re, *cp = rp;

		for (; j < n && t->kind[j] != REF_C_REP; j++)
			nc += t->kind[j] == REF_C_COMP;
		re = j < n ? t->pos[j] : fe;
		w->rep = r;
		w->ncomp = nc;
		w->comp = w->sub = 0;
		w->value = ref_span(rp, re);
		fn(ctx, HL7_WALK_REP, w);
		for (;;) {
			/* component c: subcomponent delimiters [i, k) */
			unsigned k = i, s = 1;
			const char *ce, *sp = cp;

			while (k < j && t->kind[k] == REF_C_SUB)
				k++;
			ce = k < j ? t->pos[k] : re;
			w->comp = c;
			w->nsub = k - i + 1;
			w->sub = 0;
			w->value = ref_span(cp, ce);
			fn(ctx, HL7_WALK_COMP, w);
			for (;; s++, i++) {
				const char *se = i < k ? t->pos[i] : ce;

				w->sub = s;
				w->value = ref_span(sp, se);
				fn(ctx, HL7_WALK_LEAF, w);
				if (i == k)
					break;
				sp = se + 1;
			}
			w->sub = 0;
			w->value = ref_span(cp, ce);
			fn(ctx, HL7_WALK_COMP_END, w);
			if (k == j)
				break;
			cp = ce + 1;
			i = k + 1;
			c++;
		}
		w->comp = 0;
		w->value = ref_span(rp, re);
		fn(ctx, HL7_WALK_REP_END, w);
		if (j == n)
			break;
		rp = re + 1;
		i = j + 1;
		r++;
	}
	w->rep = 0;
	w->value = ref_span(fp, fe);
	fn(ctx, HL7_WALK_FIELD_END, w);
}

/*
 * Walk the fields of a segment from p to e, starting with field w->field.
 * The byte scan tests four bytes per step: most bytes are text.
 */
static void ref_walk_fields(const struct hl7_msg *m, const unsigned char *cls, const char *p,
			    const char *e, struct hl7_walk_pos *w, hl7_walk_fn fn, void *ctx)
{
	struct ref_tokens t;
	unsigned field = w->field;

	for (;;) {
		const char *fp = p;
		unsigned n = 0, nrep = 0, k = REF_C_TEXT;

		for (;;) {
			while (e - p >= 4 &&
			       (cls[(unsigned char)p[0]] | cls[(unsigned char)p[1]] |
				cls[(unsigned char)p[2]] | cls[(unsigned char)p[3]]) == 0)
				p += 4;
			while (p < e && (k = cls[(unsigned char)*p]) == REF_C_TEXT)
				p++;
			if (p == e || k == REF_C_FIELD)
				break;
			if (n == REF_MAX_DELIMS)
				break;
			t.pos[n] = p;
			t.kind[n++] = (unsigned char)k;
			nrep += k == REF_C_REP;
			p++;
			k = REF_C_TEXT;
		}
		w->field = field;
		if (n == REF_MAX_DELIMS && p < e && k != REF_C_FIELD) {
			const char *q = memchr(p, m->d.field, (size_t)(e - p));

			p = q ? q : e;
			w->value = ref_span(fp, p);
			ref_walk_field_slow(m, w, fn, ctx);
		} else {
			w->value = ref_span(fp, p);
			if (n == 0) {
				ref_walk_single(w, fn, ctx);
			} else {
				t.n = n;
				t.nrep = nrep;
				ref_walk_tokens(w, &t, fn, ctx);
			}
		}
		if (p == e)
			return;
		p++; /* the field separator */
		field++;
	}
}

#define REF_MAX_IDS 128

static void ref_walk(const struct hl7_msg *m, hl7_walk_fn fn, void *ctx)
{
	char ids[REF_MAX_IDS][4];
	unsigned counts[REF_MAX_IDS], nids = 0, k;
	unsigned char cls[256];
	size_t cursor = 0;
	struct hl7_span seg;
	char fs = m->d.field;

	memset(cls, REF_C_TEXT, sizeof cls);
	cls[(unsigned char)m->d.subcomponent] = REF_C_SUB;
	cls[(unsigned char)m->d.component] = REF_C_COMP;
	cls[(unsigned char)m->d.repetition] = REF_C_REP;
	cls[(unsigned char)fs] = REF_C_FIELD;
	while (hl7_segment_next(m, &cursor, &seg)) {
		struct hl7_walk_pos w;
		const char *e = seg.p + seg.len;

		memset(&w, 0, sizeof w);
		w.segment = seg;
		w.value = seg;
		if (seg.len >= 3 && (seg.len == 3 || seg.p[3] == fs)) {
			memcpy(w.id, seg.p, 3);
			for (k = 0; k < nids && memcmp(ids[k], w.id, 4) != 0; k++)
				;
			if (k == nids && nids < REF_MAX_IDS) {
				memcpy(ids[nids], w.id, 4);
				counts[nids++] = 0;
			}
			w.seg_index = k < nids ? ++counts[k] : 0;
		}
		fn(ctx, HL7_WALK_SEGMENT, &w);
		if (w.id[0] && seg.len > 3) {
			const char *p = seg.p + 4;

			w.field = 1;
			if (memcmp(w.id, "MSH", 3) == 0) {
				/* MSH-1 is the field separator, MSH-2 the encoding characters:
				 * single values */
				const char *q = memchr(p, fs, (size_t)(e - p));

				w.whole = 1;
				w.value = ref_span(seg.p + 3, seg.p + 4);
				ref_walk_single(&w, fn, ctx);
				w.field = 2;
				w.value = ref_span(p, q ? q : e);
				ref_walk_single(&w, fn, ctx);
				w.whole = 0;
				w.field = 3;
				p = q ? q + 1 : NULL; /* NULL: MSH-2 ended the segment */
			}
			if (p)
				ref_walk_fields(m, cls, p, e, &w, fn, ctx);
		}
		w.field = 0;
		w.value = seg;
		fn(ctx, HL7_WALK_SEGMENT_END, &w);
	}
}

/* Both walkers over buf: 1 when their event streams are the same text. */
static int same_as_ref(const char *buf, size_t len)
{
	struct hl7_msg m;
	struct rec a, b;
	int ok;

	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	a.base = b.base = buf;
	puts_(&a, "");
	puts_(&b, "");
	hl7_parse(&m, buf, len, 0);
	hl7_walk(&m, record, &a);
	ref_walk(&m, record, &b);
	ok = a.len == b.len && memcmp(a.p, b.p, a.len) == 0;
	if (!ok)
		show_diff(a.p, b.p);
	free(a.p);
	free(b.p);
	return ok;
}

/*
 * buf, then nmut variants of it with bytes turned into delimiters, CR, LF and
 * NUL (a fixed pseudo-random sequence; none past 16 KiB, for time): 1 when
 * every one walks as the reference does.
 */
static int mutants_same(const char *buf, size_t len, unsigned seed, unsigned nmut)
{
	static const char alphabet[] = "|^~\\&\r\n\0AM";
	char *v = malloc(len ? len : 1);
	unsigned x = seed * 2654435761u + 1, i, j;
	int ok = same_as_ref(buf, len);

	for (i = 0; ok && len && len <= 16384 && i < nmut; i++) {
		memcpy(v, buf, len);
		for (j = 0; j <= i % 8; j++) {
			x = x * 1103515245u + 12345u;
			v[(x >> 8) % len] = alphabet[(x >> 20) % (sizeof alphabet - 1)];
		}
		ok = same_as_ref(v, len);
	}
	free(v);
	return ok;
}

/* Every regular file under dir (recursively) and its mutants; counts files into *n. */
static int dir_same(const char *dir, unsigned nmut, unsigned *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int ok = 1;

	if (!d)
		return 1;
	while (ok && (e = readdir(d)) != NULL) {
		char path[4096];
		struct stat st;
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			ok = dir_same(path, nmut, n);
			continue;
		}
		if (!S_ISREG(st.st_mode) || st.st_size > (1 << 22) || !(f = fopen(path, "rb")))
			continue;
		{
			char *buf = malloc((size_t)st.st_size + 1);
			size_t len = fread(buf, 1, (size_t)st.st_size, f);

			fclose(f);
			ok = mutants_same(buf, len, ++*n, nmut);
			if (!ok)
				printf("#   %s\n", path);
			free(buf);
		}
	}
	closedir(d);
	return ok;
}

/* The new walker against the reference on every case, seed and corpus message. */
static void test_reference(void)
{
	const char *corpus = getenv("MLLPD_CORPUS");
	unsigned n = 0;
	size_t i;
	int ok = 1;

	for (i = 0; ok && i < sizeof cases / sizeof cases[0]; i++)
		ok = mutants_same(cases[i].in, strlen(cases[i].in), (unsigned)i, 64);
	TAP_OK(ok, "reference walker: the same events on every small case and its mutants");
	for (i = 0, ok = 1; ok && i < sizeof gcases / sizeof gcases[0]; i++) {
		struct rec in;

		memset(&in, 0, sizeof in);
		gcases[i].build(&in, gcases[i].arg);
		ok = same_as_ref(in.p, in.len);
		free(in.p);
	}
	TAP_OK(ok, "reference walker: the same events on every large case");
	ok = dir_same("tests/fuzz/seed/hl7", 64, &n) && dir_same("tests/fuzz/seed/tok", 64, &n);
	TAP_OK(ok && n > 0, "reference walker: the same events on %u fuzz seeds and mutants", n);
	n = 0;
	ok = dir_same(corpus ? corpus : "../shared/corpus", 4, &n);
	TAP_OK(ok, "reference walker: the same events on %u corpus files and mutants", n);
}

int main(int argc, char **argv)
{
	size_t i;
	struct rec r;

	if (argc > 1 && strcmp(argv[1], "--gen") == 0) {
		gen();
		return 0;
	}
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct tcase *t = &cases[i];
		size_t len = strlen(t->in);
		struct guarded g = guard_copy(t->in, len);
		int ok;

		/* The recorded offsets are relative to the buffer, so both copies give the same
		 * text. */
		ok = walk_text(t->in, len, &r) && strcmp(r.p, t->want) == 0;
		TAP_OK(ok, "%s", t->name);
		if (!ok)
			show_diff(r.p, t->want);
		free(r.p);
		ok = walk_text(g.p, len, &r) && strcmp(r.p, t->want) == 0;
		TAP_OK(ok, "%s: input ending at a guard page", t->name);
		free(r.p);
		guard_free(&g);
	}
	for (i = 0; i < sizeof gcases / sizeof gcases[0]; i++) {
		const struct gcase *t = &gcases[i];
		struct rec in;
		struct guarded g;
		uint64_t h;

		memset(&in, 0, sizeof in);
		t->build(&in, t->arg);
		g = guard_copy(in.p, in.len);
		walk_text(g.p, in.len, &r);
		h = fnv1a(r.p, r.len);
		TAP_OK(r.events == t->events && h == t->hash, "%s (%u): %u events, guard page",
		       t->name, t->arg, t->events);
		if (r.events != t->events || h != t->hash)
			printf("#   got %u events, hash 0x%016llx\n", r.events,
			       (unsigned long long)h);
		free(r.p);
		guard_free(&g);
		free(in.p);
	}
	test_reference();
	return tap_done();
}

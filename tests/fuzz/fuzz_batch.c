/* SPDX-License-Identifier: MIT */
/* fuzz_batch.c: hl7_batch_parse on any input: the walk obeys the grammar and the counts, the pieces
 * rebuild the batch. */
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "fuzz.h"
#include "hl7.h"

/*
 * Input: the block itself.  What is checked:
 *  - the status agrees with hl7_batch_is(); an error's offset and segment are
 *    inside the block, and the block cut just before the failing segment is
 *    a valid batch (everything before the error was accepted, and missing
 *    trailers are lenient);
 *  - an accepted batch walks as [FHS] { [BHS] { MSH } [BTS] } [FTS], with as
 *    many messages and groups as the parse counted and BTS-1/FTS-1, when
 *    valued, equal to them; between the pieces there are only separators;
 *  - hl7_batch_field() splits header and trailer segments exactly;
 *  - the pieces joined again with CR separators parse as the same batch.
 */

#define MAX_PIECES 4096

struct piece {
	enum hl7_batch_kind kind;
	struct hl7_span span;
};

static int is_eol(char c)
{
	return c == '\r' || c == '\n';
}

/* The decimal value of a span of at most 9 digits, or -1 for an empty or other one. */
static long count_of(struct hl7_span f)
{
	long v = 0;

	if (f.len == 0 || f.len > 9)
		return -1;
	for (size_t i = 0; i < f.len; i++) {
		if (f.p[i] < '0' || f.p[i] > '9')
			return -1;
		v = v * 10 + (f.p[i] - '0');
	}
	return v;
}

/* BTS-1 or FTS-1 of trailer seg, when valued, is want, or (FTS-1 of a file without BHS) also_ok. */
static void check_count(const struct hl7_batch *b, struct hl7_span seg, size_t want, long also_ok)
{
	struct hl7_span f;

	hl7_batch_field(b, seg, 1, &f);
	FUZZ_CHECK(f.len == 0 || count_of(f) == (long)want || count_of(f) == also_ok);
}

/* hl7_batch_field(1..) of a header or trailer: the fields joined by the separator give the segment
 * back. */
static void check_fields(const struct hl7_batch *b, struct hl7_span seg, int header)
{
	struct hl7_span f, prev = {NULL, 0};
	unsigned n;
	size_t at = 4;

	FUZZ_CHECK(!hl7_batch_field(b, seg, 0, &f) && f.len == 0 && f.p != NULL);
	if (seg.len < 4) {
		FUZZ_CHECK(!hl7_batch_field(b, seg, 1, &f) && f.len == 0);
		return;
	}
	FUZZ_CHECK(seg.p[3] == b->d.field);
	n = 1;
	if (header) {
		FUZZ_CHECK(hl7_batch_field(b, seg, 1, &f) == 1);
		FUZZ_CHECK(f.p == seg.p + 3 && f.len == 1);
		n = 2;
	}
	for (;; n++) {
		if (!hl7_batch_field(b, seg, n, &f)) {
			FUZZ_CHECK(f.len == 0 && f.p != NULL);
			/* the last field ended the segment */
			FUZZ_CHECK(prev.p != NULL && prev.p + prev.len == seg.p + seg.len);
			break;
		}
		FUZZ_CHECK(f.p == seg.p + at && at + f.len <= seg.len);
		FUZZ_CHECK(!memchr(f.p, b->d.field, f.len));
		if (at + f.len < seg.len)
			FUZZ_CHECK(f.p[f.len] == b->d.field);
		at += f.len + 1;
		prev = f;
		FUZZ_CHECK(n <= seg.len);
	}
}

/*
 * Walk an accepted batch into ps[] (at most max) and check it; returns the
 * number of pieces.
 */
static size_t walk(const struct hl7_batch *b, struct piece *ps, size_t max)
{
	enum { S_START, S_FHS, S_BHS, S_MSG_IN_BHS, S_MSG_IMPLICIT, S_BTS, S_FTS } state = S_START;
	size_t cursor = 0, n = 0, at = b->start, groups = 0, messages = 0, group_messages = 0;
	enum hl7_batch_kind k;
	struct hl7_span s;
	int seen_fhs = 0;

	while (hl7_batch_next(b, &cursor, &k, &s)) {
		FUZZ_CHECK(n < max);
		FUZZ_CHECK(s.len >= 3 && s.p >= b->buf + at && s.p + s.len <= b->buf + b->len);
		/* only separators between two pieces; the first starts the batch */
		for (const char *q = b->buf + at; q < s.p; q++)
			FUZZ_CHECK(is_eol(*q));
		FUZZ_CHECK(n > 0 || s.p == b->buf + b->start);
		FUZZ_CHECK(s.len == 3 || s.p[3] == b->d.field ||
			   (k == HL7_BATCH_MESSAGE && is_eol(s.p[3])));
		FUZZ_CHECK(cursor == (size_t)(s.p - b->buf) + s.len);
		at = cursor;
		ps[n].kind = k;
		ps[n].span = s;
		n++;
		switch (k) {
		case HL7_BATCH_FHS:
			FUZZ_CHECK(memcmp(s.p, "FHS", 3) == 0 && state == S_START && n == 1);
			FUZZ_CHECK(b->fhs.p == s.p && b->fhs.len == s.len);
			seen_fhs = 1;
			state = S_FHS;
			break;
		case HL7_BATCH_BHS:
			FUZZ_CHECK(memcmp(s.p, "BHS", 3) == 0);
			FUZZ_CHECK(state == S_START || state == S_FHS || state == S_BTS);
			if (groups == 0)
				FUZZ_CHECK(b->bhs.p == s.p && b->bhs.len == s.len);
			groups++;
			group_messages = 0;
			state = S_BHS;
			break;
		case HL7_BATCH_MESSAGE:
			FUZZ_CHECK(memcmp(s.p, "MSH", 3) == 0);
			if (state == S_FHS) {
				/* messages directly inside FHS: one implicit group */
				groups++;
				group_messages = 0;
				state = S_MSG_IMPLICIT;
			} else if (state == S_BHS) {
				state = S_MSG_IN_BHS;
			} else {
				FUZZ_CHECK(state == S_MSG_IN_BHS || state == S_MSG_IMPLICIT);
			}
			messages++;
			group_messages++;
			break;
		case HL7_BATCH_BTS:
			FUZZ_CHECK(memcmp(s.p, "BTS", 3) == 0 &&
				   (state == S_BHS || state == S_MSG_IN_BHS));
			FUZZ_CHECK(!memchr(s.p, '\r', s.len) && !memchr(s.p, '\n', s.len));
			check_count(b, s, group_messages, -1);
			state = S_BTS;
			break;
		case HL7_BATCH_FTS:
			FUZZ_CHECK(memcmp(s.p, "FTS", 3) == 0 && seen_fhs && state != S_FTS);
			/* batch.h: without any BHS, FTS-1 may count the messages too */
			check_count(b, s, groups, b->bhs.len ? -1 : (long)messages);
			state = S_FTS;
			break;
		default: FUZZ_CHECK(0);
		}
		if (k != HL7_BATCH_MESSAGE) {
			FUZZ_CHECK(!memchr(s.p, '\r', s.len) && !memchr(s.p, '\n', s.len));
			check_fields(b, s, k == HL7_BATCH_FHS || k == HL7_BATCH_BHS);
		} else {
			/* a message runs to the next piece: its own separators included */
			struct hl7_msg m;

			FUZZ_CHECK(at == b->len || !is_eol(b->buf[at]));
			hl7_parse(&m, s.p, s.len, 0);
			if (m.has_field_separator)
				FUZZ_CHECK(m.d.field == b->d.field);
		}
	}
	/* the end: nothing but separators after the last piece */
	for (const char *q = b->buf + at; q < b->buf + b->len; q++)
		FUZZ_CHECK(is_eol(*q));
	FUZZ_CHECK(n > 0);
	FUZZ_CHECK(messages == b->messages && groups == b->groups);
	/* the walk is over for good */
	FUZZ_CHECK(!hl7_batch_next(b, &cursor, &k, &s) && s.len == 0);
	return n;
}

/* The pieces joined with CR after each one that does not end with a separator. */
static char *rebuild(const struct piece *ps, size_t n, size_t *len)
{
	size_t total = 0, k = 0;
	char *out;

	for (size_t i = 0; i < n; i++)
		total += ps[i].span.len + 1;
	out = malloc(total ? total : 1);
	if (!out)
		abort();
	for (size_t i = 0; i < n; i++) {
		memcpy(out + k, ps[i].span.p, ps[i].span.len);
		k += ps[i].span.len;
		if (!is_eol(ps[i].span.p[ps[i].span.len - 1]))
			out[k++] = '\r';
	}
	*len = k;
	return out;
}

/* hl7_batch_parse on an exact-size copy of buf[0..len), so that a read past its end is an ASan
 * report. */
static enum hl7_batch_status parse_copy(struct hl7_batch *b, char **copy, const char *buf,
					size_t len)
{
	*copy = malloc(len ? len : 1);
	if (!*copy)
		abort();
	if (len)
		memcpy(*copy, buf, len);
	return hl7_batch_parse(b, *copy, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct piece ps[MAX_PIECES], qs[MAX_PIECES];
	const char *buf = (const char *)data;
	struct hl7_batch b, again;
	enum hl7_batch_status st = hl7_batch_parse(&b, buf, size);
	size_t n, m, rlen;
	char *copy, *r;

	FUZZ_CHECK(st == b.status && (unsigned)st <= HL7_BATCH_ERR_COUNT);
	FUZZ_CHECK(hl7_batch_status_text(st) != NULL);
	FUZZ_CHECK(hl7_batch_status_code(st) == (st == HL7_BATCH_OK	      ? 0
						 : st == HL7_BATCH_ERR_DELIMS ? 102
									      : 100));
	FUZZ_CHECK(hl7_batch_parse(&again, buf, size) == st && again.err_offset == b.err_offset);
	FUZZ_CHECK((st == HL7_BATCH_ERR_HEADER) == !hl7_batch_is(buf, size));
	FUZZ_CHECK(b.start == 0 || b.start == 3);

	if (st != HL7_BATCH_OK) {
		enum hl7_batch_kind k;
		struct hl7_span s;
		size_t cursor = 0;

		FUZZ_CHECK(b.err_offset >= b.start && b.err_offset <= size);
		FUZZ_CHECK(!hl7_batch_next(&b, &cursor, &k, &s) && s.len == 0 && s.p != NULL);
		FUZZ_CHECK(b.err_segment[3] == 0);
		if (b.err_segment[0])
			FUZZ_CHECK(b.err_offset + 3 <= size &&
				   memcmp(buf + b.err_offset, b.err_segment, 3) == 0);
		if (st == HL7_BATCH_ERR_HEADER || st == HL7_BATCH_ERR_DELIMS) {
			FUZZ_CHECK(b.err_offset == b.start);
			return 0;
		}
		/* a later segment failed: it starts a line, and all before it is a batch */
		FUZZ_CHECK(b.err_offset > b.start && is_eol(buf[b.err_offset - 1]));
		FUZZ_CHECK(parse_copy(&again, &copy, buf, b.err_offset) == HL7_BATCH_OK);
		free(copy);
		return 0;
	}

	n = walk(&b, ps, MAX_PIECES);
	r = rebuild(ps, n, &rlen);
	FUZZ_CHECK(parse_copy(&again, &copy, r, rlen) == HL7_BATCH_OK);
	FUZZ_CHECK(again.messages == b.messages && again.groups == b.groups && again.start == 0);
	FUZZ_CHECK(memcmp(&again.d, &b.d, sizeof b.d) == 0);
	m = walk(&again, qs, MAX_PIECES);
	FUZZ_CHECK(m == n);
	for (size_t i = 0; i < n; i++) {
		size_t a = ps[i].span.len, c = qs[i].span.len;

		FUZZ_CHECK(qs[i].kind == ps[i].kind);
		/* a message may have gained the CR that ended the block */
		FUZZ_CHECK(c == a || (ps[i].kind == HL7_BATCH_MESSAGE && c == a + 1 &&
				      qs[i].span.p[a] == '\r'));
		FUZZ_CHECK(memcmp(qs[i].span.p, ps[i].span.p, a) == 0);
	}
	free(copy);
	free(r);
	return 0;
}

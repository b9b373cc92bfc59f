/* SPDX-License-Identifier: MIT */
/* batch.c: HL7 v2 batch structure (FHS/BHS ... BTS/FTS): check and walk, in place. */
#include <string.h>

#include "batch.h"

#include "chars.h"

static const char empty_text[1] = "";

static const char *const status_text[] = {
#define HL7_BATCH_X_TEXT(name, code, text) text,
    HL7_BATCH_STATUS_LIST(HL7_BATCH_X_TEXT)
#undef HL7_BATCH_X_TEXT
};

static const int status_code[] = {
#define HL7_BATCH_X_CODE(name, code, text) code,
    HL7_BATCH_STATUS_LIST(HL7_BATCH_X_CODE)
#undef HL7_BATCH_X_CODE
};

#define NSTATUS (sizeof status_code / sizeof status_code[0])

const char *hl7_batch_status_text(enum hl7_batch_status s)
{
	return (unsigned)s < NSTATUS ? status_text[s] : "unknown status";
}

int hl7_batch_status_code(enum hl7_batch_status s)
{
	return (unsigned)s < NSTATUS ? status_code[s] : 207;
}

static size_t bom_length(const char *buf, size_t len)
{
	return len >= 3 && (unsigned char)buf[0] == 0xef && (unsigned char)buf[1] == 0xbb &&
		       (unsigned char)buf[2] == 0xbf
		   ? 3
		   : 0;
}

int hl7_batch_is(const char *buf, size_t len)
{
	size_t i = bom_length(buf, len);

	return len - i >= 3 && (memcmp(buf + i, "FHS", 3) == 0 || memcmp(buf + i, "BHS", 3) == 0);
}

/* The segment at *pos (separators before it skipped): its span; *pos moves past it. 0 at the end.
 */
static int next_segment(const char *buf, size_t len, size_t *pos, struct hl7_span *seg)
{
	size_t i = *pos, e;

	while (i < len && chars_is_eol(buf[i]))
		i++;
	if (i >= len) {
		*pos = len;
		return 0;
	}
	for (e = i; e < len && !chars_is_eol(buf[e]); e++)
		;
	seg->p = buf + i;
	seg->len = e - i;
	*pos = e;
	return 1;
}

/* Which piece a segment starts: a header, a trailer, a message (MSH), or -1 for any other segment.
 */
static int kind_of(const struct hl7_batch *b, struct hl7_span seg)
{
	static const struct {
		const char id[4];
		enum hl7_batch_kind kind;
	} ids[] = {
	    {"FHS", HL7_BATCH_FHS}, {"BHS", HL7_BATCH_BHS}, {"MSH", HL7_BATCH_MESSAGE},
	    {"BTS", HL7_BATCH_BTS}, {"FTS", HL7_BATCH_FTS},
	};

	if (seg.len < 3 || (seg.len > 3 && seg.p[3] != b->d.field))
		return -1;
	for (size_t k = 0; k < sizeof ids / sizeof ids[0]; k++)
		if (memcmp(seg.p, ids[k].id, 3) == 0)
			return (int)ids[k].kind;
	return -1;
}

static int valid_segment_id(struct hl7_span seg, char fs)
{
	for (size_t k = 0; k < 3; k++) {
		unsigned char c = k < seg.len ? (unsigned char)seg.p[k] : 0;
		if (!((c >= 'A' && c <= 'Z') || (k > 0 && c >= '0' && c <= '9')))
			return 0;
	}
	return seg.len == 3 || seg.p[3] == fs;
}

static enum hl7_batch_status fail(struct hl7_batch *b, enum hl7_batch_status s, struct hl7_span seg)
{
	b->status = s;
	b->err_offset = (size_t)(seg.p - b->buf);
	memset(b->err_segment, 0, sizeof b->err_segment);
	if (seg.len >= 3 && valid_segment_id(seg, b->d.field))
		memcpy(b->err_segment, seg.p, 3);
	return s;
}

/* Field n of a segment: FHS and BHS numbered as MSH is (1 = the separator), others from the first
 * field. */
int hl7_batch_field(const struct hl7_batch *b, struct hl7_span seg, unsigned n,
		    struct hl7_span *out)
{
	size_t pos, e;
	unsigned first = 1;

	out->p = empty_text;
	out->len = 0;
	if (n == 0 || seg.len < 4 || seg.p[3] != b->d.field)
		return 0;
	if (memcmp(seg.p, "FHS", 3) == 0 || memcmp(seg.p, "BHS", 3) == 0) {
		if (n == 1) {
			out->p = seg.p + 3;
			out->len = 1;
			return 1;
		}
		first = 2;
	}
	pos = 4;
	for (unsigned k = first;; k++) {
		const char *q =
		    pos < seg.len ? memchr(seg.p + pos, b->d.field, seg.len - pos) : NULL;
		e = q ? (size_t)(q - seg.p) : seg.len;
		if (k == n) {
			out->p = seg.p + pos;
			out->len = e - pos;
			return 1;
		}
		if (!q)
			return 0;
		pos = e + 1;
	}
}

/* A trailer's count field (BTS-1, FTS-1): 1 when it is empty or equals want, else 0. */
static int count_matches(const struct hl7_batch *b, struct hl7_span seg, size_t want)
{
	struct hl7_span f;
	size_t v = 0;

	hl7_batch_field(b, seg, 1, &f);
	if (f.len == 0)
		return 1;
	if (f.len > 9)
		return 0;
	for (size_t i = 0; i < f.len; i++) {
		if (f.p[i] < '0' || f.p[i] > '9')
			return 0;
		v = v * 10 + (size_t)(f.p[i] - '0');
	}
	return v == want;
}

/* Where hl7_batch_parse() is in the batch's structure. */
struct batch_walk {
	/* The open group: none, one opened by BHS, or implicit (messages directly in FHS). */
	enum { GROUP_NONE, GROUP_BHS, GROUP_IMPLICIT } group;
	size_t group_messages;
	int in_message, file_closed, seen_fhs;
};

static enum hl7_batch_status take_bhs(struct hl7_batch *b, struct batch_walk *w,
				      struct hl7_span seg)
{
	if (w->group != GROUP_NONE)
		return HL7_BATCH_ERR_ORDER;
	if (b->bhs.len == 0)
		b->bhs = seg;
	w->group = GROUP_BHS;
	w->group_messages = 0;
	w->in_message = 0;
	b->groups++;
	return HL7_BATCH_OK;
}

static enum hl7_batch_status take_message(struct hl7_batch *b, struct batch_walk *w)
{
	if (w->group == GROUP_NONE) {
		/* Messages outside any BHS: only directly inside an FHS. */
		if (!w->seen_fhs || b->groups > 0)
			return HL7_BATCH_ERR_ORDER;
		w->group = GROUP_IMPLICIT;
		w->group_messages = 0;
		b->groups++;
	}
	w->in_message = 1;
	w->group_messages++;
	b->messages++;
	return HL7_BATCH_OK;
}

static enum hl7_batch_status take_bts(struct hl7_batch *b, struct batch_walk *w,
				      struct hl7_span seg)
{
	if (w->group != GROUP_BHS)
		return HL7_BATCH_ERR_ORDER;
	if (!count_matches(b, seg, w->group_messages))
		return HL7_BATCH_ERR_COUNT;
	w->group = GROUP_NONE;
	w->in_message = 0;
	return HL7_BATCH_OK;
}

static enum hl7_batch_status take_fts(struct hl7_batch *b, struct batch_walk *w,
				      struct hl7_span seg)
{
	if (!w->seen_fhs)
		return HL7_BATCH_ERR_ORDER;
	/* Without any BHS, common senders count the messages in FTS-1. */
	if (!count_matches(b, seg, b->groups) &&
	    !(b->bhs.len == 0 && count_matches(b, seg, b->messages)))
		return HL7_BATCH_ERR_COUNT;
	w->group = GROUP_NONE;
	w->in_message = 0;
	w->file_closed = 1;
	return HL7_BATCH_OK;
}

/* One top-level segment: HL7_BATCH_OK or the error it makes. */
static enum hl7_batch_status take_segment(struct hl7_batch *b, struct batch_walk *w,
					  struct hl7_span seg)
{
	if (w->file_closed)
		return HL7_BATCH_ERR_ORDER;
	switch (kind_of(b, seg)) {
	case HL7_BATCH_FHS:
		if (seg.p != b->buf + b->start)
			return HL7_BATCH_ERR_ORDER;
		w->seen_fhs = 1;
		b->fhs = seg;
		return HL7_BATCH_OK;
	case HL7_BATCH_BHS: return take_bhs(b, w, seg);
	case HL7_BATCH_MESSAGE: return take_message(b, w);
	case HL7_BATCH_BTS: return take_bts(b, w, seg);
	case HL7_BATCH_FTS: return take_fts(b, w, seg);
	default:
		/* Inside a message its segments are hl7_parse()'s to check. */
		if (w->in_message)
			return HL7_BATCH_OK;
		if (!valid_segment_id(seg, b->d.field))
			return HL7_BATCH_ERR_SEGMENT_ID;
		return HL7_BATCH_ERR_OUTSIDE;
	}
}

enum hl7_batch_status hl7_batch_parse(struct hl7_batch *b, const char *buf, size_t len)
{
	struct batch_walk w = {GROUP_NONE, 0, 0, 0, 0};
	struct hl7_span seg;
	size_t pos;

	memset(b, 0, sizeof *b);
	b->buf = buf;
	b->len = len;
	b->fhs.p = b->bhs.p = empty_text;
	b->start = bom_length(buf, len);
	pos = b->start;
	if (!hl7_batch_is(buf, len)) {
		b->status = HL7_BATCH_ERR_HEADER;
		b->err_offset = b->start;
		return b->status;
	}
	next_segment(buf, len, &pos, &seg);
	if (!hl7_delims_read(seg.p + 3, seg.len - 3, &b->d))
		return fail(b, HL7_BATCH_ERR_DELIMS, seg);
	pos = b->start;
	while (next_segment(buf, len, &pos, &seg)) {
		enum hl7_batch_status s = take_segment(b, &w, seg);
		if (s != HL7_BATCH_OK)
			return fail(b, s, seg);
	}
	return b->status;
}

int hl7_batch_next(const struct hl7_batch *b, size_t *cursor, enum hl7_batch_kind *kind,
		   struct hl7_span *span)
{
	struct hl7_span seg;
	size_t pos = *cursor < b->start ? b->start : *cursor;
	int k;

	span->p = empty_text;
	span->len = 0;
	if (b->status != HL7_BATCH_OK || !next_segment(b->buf, b->len, &pos, &seg))
		return 0;
	k = kind_of(b, seg);
	if (k != HL7_BATCH_MESSAGE) {
		/* A valid batch has no other top-level segment. */
		*kind = (enum hl7_batch_kind)k;
		*span = seg;
		*cursor = pos;
		return 1;
	}
	/* A message: up to the separators before the next piece, those included. */
	const char *start = seg.p;
	size_t end = pos, probe = pos;
	while (next_segment(b->buf, b->len, &probe, &seg) && kind_of(b, seg) < 0)
		end = probe;
	/* The separators ending its last segment belong to it, up to the next piece. */
	while (end < b->len && chars_is_eol(b->buf[end]))
		end++;
	*kind = HL7_BATCH_MESSAGE;
	span->p = start;
	span->len = (size_t)(b->buf + end - start);
	*cursor = end;
	return 1;
}

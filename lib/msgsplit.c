/* SPDX-License-Identifier: MIT */
/* msgsplit.c: find message boundaries in a stream of MLLP frames or concatenated HL7 text. */
#include <string.h>

#include "msgsplit.h"

#include "chars.h"

#define VT 0x0B
#define FS 0x1C

/* What a line starts with. */
enum kind { K_NONE, K_MORE, K_FRAME, K_MSH, K_FHS, K_BHS, K_FTS, K_BTS };

static int is_alnum(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/*
 * Does p[0..n) begin with segment ID id?  A header (MSH, FHS, BHS) needs a
 * fourth byte that could be a field separator; a trailer (BTS, FTS) may
 * also end the line or the stream.  -1: too few bytes to tell yet.
 */
static int match_id(const char *p, size_t n, int eof, const char *id, int trailer)
{
	size_t k = n < 3 ? n : 3;

	if (memcmp(p, id, k) != 0)
		return 0;
	if (n < 4) {
		if (!eof)
			return -1;
		return n == 3 && trailer;
	}
	if (is_alnum(p[3]))
		return 0;
	return trailer || (p[3] != '\r' && p[3] != '\n');
}

static enum kind line_kind(const char *p, size_t n, int eof)
{
	static const struct {
		const char *id;
		int trailer;
		enum kind kind;
	} ids[] = {
	    {"MSH", 0, K_MSH}, {"FHS", 0, K_FHS}, {"BHS", 0, K_BHS},
	    {"FTS", 1, K_FTS}, {"BTS", 1, K_BTS},
	};
	size_t i = 0, k;
	int more = 0;

	if (n == 0)
		return eof ? K_NONE : K_MORE;
	if (p[0] == VT)
		return K_FRAME;
	if ((unsigned char)p[0] == 0xef) {
		k = n < 3 ? n : 3;
		if (memcmp(p, "\xef\xbb\xbf", k) != 0)
			return K_NONE;
		if (n < 3)
			return eof ? K_NONE : K_MORE;
		i = 3;
	}
	for (k = 0; k < sizeof ids / sizeof ids[0]; k++) {
		int r = match_id(p + i, n - i, eof, ids[k].id, ids[k].trailer);

		if (r > 0)
			return ids[k].kind;
		if (r < 0)
			more = 1;
	}
	return more ? K_MORE : K_NONE;
}

static enum msgsplit_event need_more(struct msgsplit *s, size_t start, size_t scanned, size_t *used)
{
	s->scan = scanned;
	*used = start;
	return MSGSPLIT_NEED_MORE;
}

static enum msgsplit_event unit(struct msgsplit *s, const char *p, size_t len, unsigned flags,
				size_t end, struct hl7_span *msg, size_t *used)
{
	enum kind k = line_kind(p, len, 1);

	if (k == K_FHS || k == K_BHS)
		flags |= MSGSPLIT_BATCH;
	msg->p = p;
	msg->len = len;
	s->flags = flags;
	s->scan = 0;
	*used = end;
	return MSGSPLIT_MESSAGE;
}

/* An MLLP frame starting at buf[start] (the 0x0B). */
static enum msgsplit_event next_frame(struct msgsplit *s, const char *buf, size_t len, int eof,
				      size_t start, struct hl7_span *msg, size_t *used)
{
	size_t pos = start + (s->scan ? s->scan : 1), end;

	while (pos < len && buf[pos] != FS && buf[pos] != VT)
		pos++;
	if (pos < len && buf[pos] == FS) {
		end = pos + 1;
		if (end < len && buf[end] == '\r')
			end++;
		return unit(s, buf + start + 1, pos - start - 1, MSGSPLIT_FRAMED, end, msg, used);
	}
	if (pos < len) /* a new 0x0B: this frame was cut off */
		return unit(s, buf + start + 1, pos - start - 1,
			    MSGSPLIT_FRAMED | MSGSPLIT_TRUNCATED, pos, msg, used);
	if (!eof)
		return need_more(s, start, len - start, used);
	return unit(s, buf + start + 1, len - start - 1, MSGSPLIT_FRAMED | MSGSPLIT_TRUNCATED, len,
		    msg, used);
}

/*
 * The end of the trailer line at buf[q..len), its CR, LF or CR LF included:
 * 1 with *end set, or 0 when more bytes could change it.
 */
static int trailer_end(const char *buf, size_t len, size_t q, int eof, size_t *end)
{
	size_t e;

	for (e = q; e < len && buf[e] != '\r' && buf[e] != '\n'; e++)
		;
	if (e == len) {
		*end = len;
		return eof;
	}
	*end = e + 1;
	/* A CR last in buf may be the first half of a CRLF: the unit must not depend on where a
	 * read stopped. */
	if (buf[e] == '\r' && *end == len && !eof)
		return 0;
	if (buf[e] == '\r' && *end < len && buf[*end] == '\n')
		(*end)++;
	return 1;
}

enum msgsplit_event msgsplit_next(struct msgsplit *s, const char *buf, size_t len, int eof,
				  struct hl7_span *msg, size_t *used)
{
	size_t i = 0, start, pos, end;
	enum kind first, k;
	int batch;

	msg->p = buf;
	msg->len = 0;
	while (i < len && chars_is_white(buf[i]))
		i++;
	if (i == len) {
		s->scan = 0;
		*used = i;
		return eof ? MSGSPLIT_END : MSGSPLIT_NEED_MORE;
	}
	start = i;
	if (buf[start] == VT)
		return next_frame(s, buf, len, eof, start, msg, used);

	first = line_kind(buf + start, len - start, eof);
	if (first == K_MORE)
		return need_more(s, start, 0, used);
	batch = first == K_FHS || first == K_BHS;
	end = len;
	for (pos = start + s->scan; pos < len; pos++) {
		size_t q;

		if (buf[pos] != '\r' && buf[pos] != '\n')
			continue;
		q = pos + 1;
		k = line_kind(buf + q, len - q, eof);
		if (k == K_MORE)
			return need_more(s, start, pos - start, used);
		if (k == K_FRAME || k == K_FHS || (k == K_BHS && first != K_FHS) ||
		    (!batch && k == K_MSH)) {
			end = q;
			break;
		}
		if (batch && ((k == K_FTS && first == K_FHS) || (k == K_BTS && first == K_BHS))) {
			/* the batch ends with its trailer line */
			if (!trailer_end(buf, len, q, eof, &end))
				return need_more(s, start, pos - start, used);
			break;
		}
	}
	if (pos >= len && !eof)
		return need_more(s, start, len - start, used);
	return unit(s, buf + start, end - start, 0, end, msg, used);
}

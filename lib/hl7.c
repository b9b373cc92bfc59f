/* SPDX-License-Identifier: MIT */
/* hl7.c: one-pass, in-place HL7 v2 parser and validator, field access, paths and escapes. */
#include <string.h>

#include "hl7.h"

#include "chars.h"

const struct hl7_delims hl7_default_delims = {'|', '^', '~', '\\', '&', 0};

/* Spans that point nowhere still point somewhere: memcpy(x, p, 0) stays defined. */
static const char empty_text[1] = "";

static const char *const status_text[] = {
#define HL7_X_TEXT(name, code, text) text,
    HL7_STATUS_LIST(HL7_X_TEXT)
#undef HL7_X_TEXT
};

static const int status_code[] = {
#define HL7_X_CODE(name, code, text) code,
    HL7_STATUS_LIST(HL7_X_CODE)
#undef HL7_X_CODE
};

#define NSTATUS (sizeof status_code / sizeof status_code[0])

const char *hl7_status_text(enum hl7_status s)
{
	if ((unsigned)s >= NSTATUS)
		return "unknown status";
	return status_text[s];
}

int hl7_status_code(enum hl7_status s)
{
	if ((unsigned)s >= NSTATUS)
		return 207;
	return status_code[s];
}

/* HL7 table 0104, matched exactly against MSH-12.1. */
static const char *const versions[] = {
    "2.1", "2.2",   "2.3", "2.3.1", "2.4",   "2.5", "2.5.1", "2.6",
    "2.7", "2.7.1", "2.8", "2.8.1", "2.8.2", "2.9", "2.9.1",
};

int hl7_version_known(struct hl7_span v)
{
	if (v.len < 3 || v.len > 5)
		return 0;
	for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++)
		if (strlen(versions[i]) == v.len && memcmp(versions[i], v.p, v.len) == 0)
			return 1;
	return 0;
}

static int is_upper(unsigned char c)
{
	return c >= 'A' && c <= 'Z';
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int is_alnum(unsigned char c)
{
	return is_upper(c) || is_digit(c) || (c >= 'a' && c <= 'z');
}

/*
 * Offset of the first CR or LF in buf[from..len), or len.  memchr in
 * bounded chunks keeps it linear whichever separator a sender uses; the
 * one that ended the previous segment (hint) is looked for first, the
 * other only up to where the first was found.
 */
#define EOL_CHUNK 4096

static size_t find_eol(const char *buf, size_t from, size_t len, char hint)
{
	char other = hint == '\n' ? '\r' : '\n';

	if (hint != '\n')
		hint = '\r';
	while (from < len) {
		size_t n = len - from < EOL_CHUNK ? len - from : EOL_CHUNK;
		const char *a = memchr(buf + from, hint, n);
		size_t lim = a ? (size_t)(a - buf) - from : n;
		const char *b = memchr(buf + from, other, lim);

		if (b)
			return (size_t)(b - buf);
		if (a)
			return (size_t)(a - buf);
		from += n;
	}
	return len;
}

/* Offset of the first byte c in buf[from..end), or end. */
static size_t find_byte(const char *buf, size_t from, size_t end, char c)
{
	const char *q;

	if (from >= end)
		return end;
	q = memchr(buf + from, c, end - from);
	return q ? (size_t)(q - buf) : end;
}

/* Length of the first component of the first repetition of a field. */
static size_t first_component(const struct hl7_delims *d, const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] == d->component || p[i] == d->repetition)
			break;
	return i;
}

/* Record the first error only: later checks may still fill MSH information. */
static void fail(struct hl7_msg *m, enum hl7_status s, size_t off, const char *seg, unsigned field)
{
	if (m->status != HL7_OK)
		return;
	m->status = s;
	m->err_offset = off;
	memset(m->err_segment, 0, sizeof m->err_segment);
	if (seg)
		memcpy(m->err_segment, seg, strnlen(seg, 3));
	m->err_field = field;
}

static void lenient(struct hl7_msg *m, unsigned flag, size_t off, unsigned flags)
{
	m->lenient |= flag;
	if (flags & HL7_PARSE_STRICT)
		fail(m, HL7_ERR_LENIENT, off, "", 0);
}

/*
 * Consume the segment separator at e (CR, LF or CR LF); returns the offset
 * after it.  At the end of the buffer the last segment had none.
 */
static size_t eat_separator(struct hl7_msg *m, size_t e, unsigned flags)
{
	const char *buf = m->buf;

	if (e >= m->len) {
		lenient(m, HL7_LENIENT_NO_FINAL_CR, e, flags);
		return m->len;
	}
	if (buf[e] == '\r') {
		if (e + 1 < m->len && buf[e + 1] == '\n') {
			lenient(m, HL7_LENIENT_LF, e + 1, flags);
			return e + 2;
		}
		return e + 1;
	}
	lenient(m, HL7_LENIENT_LF, e, flags);
	return e + 1;
}

/* MSH-2: 4 or 5 distinct printable, non-alphanumeric bytes, none the field separator. */
static int valid_encoding(const char *p, size_t len, char fs)
{
	size_t i, j;

	if (len != 4 && len != 5)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c < 0x21 || c > 0x7e || is_alnum(c) || p[i] == fs)
			return 0;
		for (j = 0; j < i; j++)
			if (p[j] == p[i])
				return 0;
	}
	return 1;
}

int hl7_delims_read(const char *p, size_t len, struct hl7_delims *d)
{
	size_t n;

	if (len < 1 || is_alnum((unsigned char)p[0]) || chars_is_eol(p[0]))
		return 0;
	n = find_byte(p, 1, len, p[0]) - 1;
	if (!valid_encoding(p + 1, n, p[0]))
		return 0;
	d->field = p[0];
	d->component = p[1];
	d->repetition = p[2];
	d->escape = p[3];
	d->subcomponent = p[4];
	d->truncation = n == 5 ? p[5] : 0;
	return 1;
}

/* Check MSH-9.1, MSH-10 and MSH-12.1 in the MSH segment [from, e). */
static void check_msh_fields(struct hl7_msg *m, size_t from, size_t e)
{
	const char *buf = m->buf;
	char fs = m->d.field;
	unsigned n = 3;
	size_t pos = from, fe;
	int seen9 = 0, seen10 = 0, seen12 = 0;

	/* from is the start of MSH-3, or e when MSH-2 ended the segment */
	while (pos <= e && n <= 12) {
		fe = find_byte(buf, pos, e, fs);
		if (n == 9) {
			seen9 = 1;
			if (first_component(&m->d, buf + pos, fe - pos) == 0)
				fail(m, HL7_ERR_NO_MESSAGE_TYPE, pos, "MSH", 9);
		} else if (n == 10) {
			seen10 = 1;
			if (fe == pos)
				fail(m, HL7_ERR_NO_CONTROL_ID, pos, "MSH", 10);
		} else if (n == 12) {
			seen12 = 1;
			size_t vl = first_component(&m->d, buf + pos, fe - pos);
			/* Empty is a required field missing (101), not an unsupported version
			 * (203). */
			if (vl == 0)
				fail(m, HL7_ERR_NO_VERSION, pos, "MSH", 12);
			else if (!hl7_version_known((struct hl7_span){buf + pos, vl}))
				fail(m, HL7_ERR_VERSION, pos, "MSH", 12);
		}
		if (fe >= e)
			break;
		pos = fe + 1;
		n++;
	}
	if (!seen9)
		fail(m, HL7_ERR_NO_MESSAGE_TYPE, e, "MSH", 9);
	if (!seen10)
		fail(m, HL7_ERR_NO_CONTROL_ID, e, "MSH", 10);
	if (!seen12)
		fail(m, HL7_ERR_NO_VERSION, e, "MSH", 12);
}

static int is_batch_or_header(const char *p)
{
	return memcmp(p, "MSH", 3) == 0 || memcmp(p, "FHS", 3) == 0 || memcmp(p, "BHS", 3) == 0 ||
	       memcmp(p, "BTS", 3) == 0 || memcmp(p, "FTS", 3) == 0;
}

/* A BOM (lenient), "MSH" and the segment's end; 0 when there is no MSH. */
static int find_msh(struct hl7_msg *m, unsigned flags, size_t *end)
{
	const char *buf = m->buf;
	size_t i = 0, len = m->len;

	if (len >= 3 && (unsigned char)buf[0] == 0xef && (unsigned char)buf[1] == 0xbb &&
	    (unsigned char)buf[2] == 0xbf) {
		lenient(m, HL7_LENIENT_BOM, 0, flags);
		i = 3;
	}
	m->start = i;
	if (len - i < 3 || memcmp(buf + i, "MSH", 3) != 0) {
		fail(m, HL7_ERR_NO_MSH, i, "", 0);
		return 0;
	}
	*end = find_eol(buf, i, len, '\r');
	m->msh.p = buf + i;
	m->msh.len = *end - i;
	m->segments = 1;
	return 1;
}

/* MSH-1, MSH-2 and the checked MSH fields of the MSH segment ending at e; 0 without delimiters. */
static int parse_msh(struct hl7_msg *m, size_t e)
{
	const char *buf = m->buf;
	size_t i = m->start, f2;
	char fs;

	if (e == i + 3 || is_alnum((unsigned char)buf[i + 3])) {
		fail(m, HL7_ERR_FIELD_SEPARATOR, i + 3, "MSH", 1);
		return 0;
	}
	fs = buf[i + 3];
	m->d.field = fs;
	m->has_field_separator = 1;

	f2 = find_byte(buf, i + 4, e, fs);
	if (!valid_encoding(buf + i + 4, f2 - (i + 4), fs)) {
		fail(m, HL7_ERR_ENCODING_CHARS, i + 4, "MSH", 2);
		return 0;
	}
	m->d.component = buf[i + 4];
	m->d.repetition = buf[i + 5];
	m->d.escape = buf[i + 6];
	m->d.subcomponent = buf[i + 7];
	m->d.truncation = f2 - (i + 4) == 5 ? buf[i + 8] : 0;
	m->has_delims = 1;

	check_msh_fields(m, f2 < e ? f2 + 1 : e, e);
	return 1;
}

/* A segment ID: three upper-case letters or digits (a letter first), then the end or fs. */
static int valid_segment_id(const char *p, size_t n, char fs)
{
	const unsigned char *s = (const unsigned char *)p;

	return n >= 3 && is_upper(s[0]) && (is_upper(s[1]) || is_digit(s[1])) &&
	       (is_upper(s[2]) || is_digit(s[2])) && (n == 3 || p[3] == fs);
}

/* The segments after MSH, from pos; hint is the separator that ended MSH. */
static void parse_segments(struct hl7_msg *m, size_t pos, char hint, unsigned flags)
{
	const char *buf = m->buf;
	size_t len = m->len, e;

	while (pos < len && m->status == HL7_OK) {
		if (chars_is_eol(buf[pos])) {
			lenient(m, HL7_LENIENT_EMPTY_SEGMENT, pos, flags);
			pos = eat_separator(m, pos, flags);
			continue;
		}
		e = find_eol(buf, pos, len, hint);
		if (!valid_segment_id(buf + pos, e - pos, m->d.field)) {
			fail(m, HL7_ERR_SEGMENT_ID, pos, "", 0);
			break;
		}
		if (is_batch_or_header(buf + pos)) {
			char id[4] = {buf[pos], buf[pos + 1], buf[pos + 2], 0};

			fail(m, HL7_ERR_SEGMENT_SEQUENCE, pos, id, 0);
			break;
		}
		m->segments++;
		if (e < len)
			hint = buf[e];
		pos = eat_separator(m, e, flags);
	}
}

enum hl7_status hl7_parse(struct hl7_msg *m, const char *buf, size_t len, unsigned flags)
{
	size_t e;

	memset(m, 0, sizeof *m);
	m->buf = buf;
	m->len = len;
	m->msh.p = empty_text;
	m->status = HL7_OK;

	if (!find_msh(m, flags, &e) || !parse_msh(m, e))
		return m->status;
	parse_segments(m, eat_separator(m, e, flags), e < len ? buf[e] : '\r', flags);
	return m->status;
}

int hl7_segment_next(const struct hl7_msg *m, size_t *cursor, struct hl7_span *seg)
{
	size_t pos = *cursor, e;
	char hint = '\r';

	seg->p = empty_text;
	seg->len = 0;
	if (!m->has_delims)
		return 0;
	if (pos < m->start)
		pos = m->start;
	if (pos < m->len && chars_is_eol(m->buf[pos]))
		hint = m->buf[pos];
	while (pos < m->len && chars_is_eol(m->buf[pos]))
		pos++;
	if (pos >= m->len) {
		*cursor = m->len;
		return 0;
	}
	e = find_eol(m->buf, pos, m->len, hint);
	seg->p = m->buf + pos;
	seg->len = e - pos;
	*cursor = e;
	return 1;
}

/* Element k (k >= 1) of p[0..len) split on c. */
static int split(const char *p, size_t len, char c, unsigned k, struct hl7_span *out)
{
	size_t pos = 0, e;

	out->p = empty_text;
	out->len = 0;
	if (k == 0)
		return 0;
	for (;;) {
		const char *q = len > pos ? memchr(p + pos, c, len - pos) : NULL;

		e = q ? (size_t)(q - p) : len;
		if (--k == 0) {
			out->p = p + pos;
			out->len = e - pos;
			return 1;
		}
		if (!q)
			return 0;
		pos = e + 1;
	}
}

static int is_msh(const struct hl7_msg *m, struct hl7_span seg)
{
	return seg.len >= 4 && memcmp(seg.p, "MSH", 3) == 0 && seg.p[3] == m->d.field;
}

int hl7_field(const struct hl7_msg *m, struct hl7_span seg, unsigned n, struct hl7_span *out)
{
	out->p = empty_text;
	out->len = 0;
	if (n == 0 || !m->has_field_separator || seg.len < 4 || seg.p[3] != m->d.field)
		return 0;
	if (is_msh(m, seg)) {
		if (n == 1) {
			out->p = seg.p + 3;
			out->len = 1;
			return 1;
		}
		n--;
	}
	return split(seg.p + 4, seg.len - 4, m->d.field, n, out);
}

/* Part n of a span split at one of the message's delimiters (none without them). */
static int part(const struct hl7_msg *m, struct hl7_span s, char delim, unsigned n,
		struct hl7_span *out)
{
	if (!m->has_delims) {
		out->p = empty_text;
		out->len = 0;
		return 0;
	}
	return split(s.p, s.len, delim, n, out);
}

int hl7_repetition(const struct hl7_msg *m, struct hl7_span field, unsigned r, struct hl7_span *out)
{
	return part(m, field, m->d.repetition, r, out);
}

int hl7_component(const struct hl7_msg *m, struct hl7_span rep, unsigned c, struct hl7_span *out)
{
	return part(m, rep, m->d.component, c, out);
}

int hl7_subcomponent(const struct hl7_msg *m, struct hl7_span comp, unsigned s,
		     struct hl7_span *out)
{
	return part(m, comp, m->d.subcomponent, s, out);
}

/* Paths: numbers are bounded so that no count can overflow. */
#define PATH_MAX_NUMBER 999999u

static int path_number(const char *s, size_t len, size_t *i, unsigned *out)
{
	unsigned v = 0;
	size_t start = *i;

	while (*i < len && is_digit((unsigned char)s[*i])) {
		v = v * 10 + (unsigned)(s[*i] - '0');
		if (v > PATH_MAX_NUMBER)
			return -1;
		(*i)++;
	}
	if (*i == start || v == 0)
		return -1;
	*out = v;
	return 0;
}

static int path_index(const char *s, size_t len, size_t *i, unsigned *out)
{
	if (*i >= len || s[*i] != '[')
		return 0;
	(*i)++;
	if (path_number(s, len, i, out) < 0 || *i >= len || s[*i] != ']')
		return -1;
	(*i)++;
	return 0;
}

int hl7_path_parse(const char *s, size_t len, struct hl7_path *p)
{
	size_t i = 3;

	memset(p, 0, sizeof *p);
	if (len < 5 || !is_upper((unsigned char)s[0]) ||
	    !(is_upper((unsigned char)s[1]) || is_digit((unsigned char)s[1])) ||
	    !(is_upper((unsigned char)s[2]) || is_digit((unsigned char)s[2])))
		return -1;
	memcpy(p->seg, s, 3);
	if (path_index(s, len, &i, &p->seg_index) < 0)
		return -1;
	if (i >= len || s[i] != '-')
		return -1;
	i++;
	if (path_number(s, len, &i, &p->field) < 0 || path_index(s, len, &i, &p->rep) < 0)
		return -1;
	if (i < len && s[i] == '.') {
		i++;
		if (path_number(s, len, &i, &p->comp) < 0)
			return -1;
		if (i < len && s[i] == '.') {
			i++;
			if (path_number(s, len, &i, &p->sub) < 0)
				return -1;
		}
	}
	return i == len ? 0 : -1;
}

/* Narrow a field span down to the repetition, component and subcomponent a path asks for. */
static int descend(const struct hl7_msg *m, struct hl7_span f, const struct hl7_path *p,
		   struct hl7_span *out)
{
	struct hl7_span r, c;

	*out = f;
	if (p->rep == 0 && p->comp == 0)
		return 1;
	if (!hl7_repetition(m, f, p->rep ? p->rep : 1, &r))
		goto none;
	if (p->comp == 0) {
		*out = r;
		return 1;
	}
	if (!hl7_component(m, r, p->comp, &c))
		goto none;
	if (p->sub == 0) {
		*out = c;
		return 1;
	}
	if (hl7_subcomponent(m, c, p->sub, out))
		return 1;
none:
	out->p = empty_text;
	out->len = 0;
	return 0;
}

int hl7_get(const struct hl7_msg *m, const struct hl7_path *p, struct hl7_span *out)
{
	struct hl7_span seg, f;
	size_t cursor = 0;
	unsigned want = p->seg_index ? p->seg_index : 1, seen = 0;
	int found = 0;

	out->p = empty_text;
	out->len = 0;
	if (p->field == 0 || !m->has_field_separator)
		return 0;
	if (memcmp(p->seg, "MSH", 3) == 0 && want == 1) {
		/* the first MSH is known even when MSH-2 was not valid */
		seg = m->msh;
		found = 1;
	} else {
		while (hl7_segment_next(m, &cursor, &seg))
			if (seg.len >= 3 && memcmp(seg.p, p->seg, 3) == 0 &&
			    (seg.len == 3 || seg.p[3] == m->d.field) && ++seen == want) {
				found = 1;
				break;
			}
	}
	if (!found || !hl7_field(m, seg, p->field, &f))
		return 0;
	if (is_msh(m, seg) && p->field <= 2) {
		/* MSH-1 and MSH-2 are single values: never split them */
		if (p->rep > 1 || p->comp > 1 || p->sub > 1)
			return 0;
		*out = f;
		return 1;
	}
	if (!m->has_delims && (p->rep || p->comp))
		return 0;
	return descend(m, f, p, out);
}

struct hl7_span hl7_msh(const struct hl7_msg *m, unsigned n, unsigned c)
{
	struct hl7_path p;
	struct hl7_span out;

	memset(&p, 0, sizeof p);
	memcpy(p.seg, "MSH", 4);
	p.field = n;
	p.comp = c;
	hl7_get(m, &p, &out);
	return out;
}

/* Escapes: a bounded writer that counts what it could not store. */
struct sink {
	char *p;
	size_t cap;
	size_t n;
};

static void emit(struct sink *o, const char *s, size_t len)
{
	if (o->n < o->cap) {
		size_t k = o->cap - o->n < len ? o->cap - o->n : len;

		memcpy(o->p + o->n, s, k);
	}
	o->n += len;
}

static void emit1(struct sink *o, char c)
{
	if (o->n < o->cap)
		o->p[o->n] = c;
	o->n++;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode the body of \Xhh..\ into o; 0 if it is not an even run of hex digits. */
static int decode_hex(struct sink *o, const char *p, size_t len)
{
	size_t i;

	if (len == 0 || len % 2)
		return 0;
	for (i = 0; i < len; i++)
		if (hex_value(p[i]) < 0)
			return 0;
	for (i = 0; i < len; i += 2)
		emit1(o, (char)(hex_value(p[i]) * 16 + hex_value(p[i + 1])));
	return 1;
}

size_t hl7_unescape(const struct hl7_delims *d, struct hl7_span in, char *dst, size_t cap)
{
	struct sink o = {dst, cap, 0};
	const char *p = in.p;
	size_t i = 0, len = in.len;
	char esc = d->escape;

	while (i < len) {
		size_t j = find_byte(p, i, len, esc), k;
		const char *body;
		size_t blen;
		char c = 0;
		int known = 0;

		emit(&o, p + i, j - i);
		if (j >= len)
			break;
		k = find_byte(p, j + 1, len, esc);
		if (k >= len) {
			/* a lone escape character: copied through with the rest */
			emit(&o, p + j, len - j);
			break;
		}
		body = p + j + 1;
		blen = k - j - 1;
		if (blen == 1) {
			known = 1;
			switch (body[0]) {
			case 'F': c = d->field; break;
			case 'S': c = d->component; break;
			case 'T': c = d->subcomponent; break;
			case 'R': c = d->repetition; break;
			case 'E': c = d->escape; break;
			case 'P':
				c = d->truncation;
				known = c != 0;
				break;
			default: known = 0; break;
			}
		}
		if (known) {
			emit1(&o, c);
		} else if (blen > 1 && body[0] == 'X' && decode_hex(&o, body + 1, blen - 1)) {
			/* decoded */
		} else if (blen > 0 && (is_upper((unsigned char)body[0]) || body[0] == '.' ||
					(body[0] >= 'a' && body[0] <= 'z'))) {
			/* a sequence we do not interpret (\H\, \.br\, \Cxxyy\): kept whole */
			emit(&o, p + j, k + 1 - j);
		} else {
			/*
			 * Not a sequence at all ("\70_105\F\"): a stray escape
			 * character, copied; its would-be closer may open the next.
			 */
			emit1(&o, esc);
			k = j;
		}
		i = k + 1;
	}
	return o.n;
}

size_t hl7_escape(const struct hl7_delims *d, struct hl7_span in, char *dst, size_t cap)
{
	struct sink o = {dst, cap, 0};
	size_t i;

	for (i = 0; i < in.len; i++) {
		char c = in.p[i], e = 0;

		if (c == d->field)
			e = 'F';
		else if (c == d->component)
			e = 'S';
		else if (c == d->subcomponent)
			e = 'T';
		else if (c == d->repetition)
			e = 'R';
		else if (c == d->escape)
			e = 'E';
		else if (d->truncation && c == d->truncation)
			e = 'P';
		if (e) {
			char seq[3] = {d->escape, e, d->escape};

			emit(&o, seq, 3);
		} else if (c == '\r' || c == '\n') {
			/* a segment separator inside a value would end the segment */
			char seq[5] = {d->escape, 'X', '0', c == '\r' ? 'D' : 'A', d->escape};

			emit(&o, seq, 5);
		} else {
			emit1(&o, c);
		}
	}
	return o.n;
}

int hl7_span_eq(struct hl7_span s, const char *t)
{
	size_t n = strlen(t);

	return s.len == n && (n == 0 || memcmp(s.p, t, n) == 0);
}

/* SPDX-License-Identifier: MIT */
/* hl7tok.c: the leaves of a message, found 16 bytes at a time, with the numbering of hl7_walk. */
#include <string.h>

#include "chars.h"
#include "hl7tok.h"

#if defined(__SSE2__) && !defined(HL7TOK_SCALAR)
#include <emmintrin.h>
#define HL7TOK_SSE2 1
#endif

/*
 * The delimiters of the message, the field separator, CR and LF are found
 * as a bit mask over a 16-byte block (SSE2: six compares, or a byte loop);
 * each leaf then costs a count-trailing-zeros, one table look-up of the
 * delimiter's kind and a few increments, with no per-byte work.  A
 * segment's end is found first (its span goes with each leaf), by a
 * separate scan for CR and LF.  Blocks are loaded whole only when they end
 * inside the buffer; the last few bytes of the message go through the loop.
 */
enum { C_TEXT = 0, C_SUB = HL7_TOK_END_SUB, C_COMP, C_REP, C_FIELD, C_EOS };

enum { ST_SEGMENT, ST_MSH1, ST_MSH2, ST_FIELDS, ST_DONE };

static unsigned ctz(unsigned x)
{
#if defined(__GNUC__)
	return (unsigned)__builtin_ctz(x);
#else
	unsigned n = 0;

	while (!(x & 1)) {
		x >>= 1;
		n++;
	}
	return n;
#endif
}

/* Offset of the first CR or LF in buf[pos..len), or len. */
static size_t find_eol(const char *buf, size_t pos, size_t len)
{
#ifdef HL7TOK_SSE2
	const __m128i cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');

	for (; len - pos >= 16; pos += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(buf + pos));
		unsigned m = (unsigned)_mm_movemask_epi8(
		    _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)));

		if (m)
			return pos + ctz(m);
	}
#endif
	while (pos < len && !chars_is_eol(buf[pos]))
		pos++;
	return pos;
}

/*
 * The bytes that end a leaf, for the block scan: the four splitting
 * delimiters, CR and LF (SSE2: broadcast, held in registers by the caller).
 */
struct stops {
#ifdef HL7TOK_SSE2
	__m128i f, c, r, s, cr, lf;
#else
	int unused;
#endif
};

static struct stops stops_make(const struct hl7_tok *t)
{
	struct stops k;

#ifdef HL7TOK_SSE2
	k.f = _mm_set1_epi8(t->d[0]);
	k.c = _mm_set1_epi8(t->d[1]);
	k.r = _mm_set1_epi8(t->d[2]);
	k.s = _mm_set1_epi8(t->d[3]);
	k.cr = _mm_set1_epi8('\r');
	k.lf = _mm_set1_epi8('\n');
#else
	(void)t;
	k.unused = 0;
#endif
	return k;
}

/* Bit i set when buf[blk + i] ends a leaf (blk < len). */
static inline unsigned block_mask(const struct hl7_tok *t, const struct stops *k, size_t blk)
{
	const char *buf = t->buf;
	size_t i, n = t->len - blk;
	unsigned m = 0;

#ifdef HL7TOK_SSE2
	if (n >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(buf + blk));
		__m128i a = _mm_or_si128(_mm_cmpeq_epi8(v, k->f), _mm_cmpeq_epi8(v, k->c));
		__m128i b = _mm_or_si128(_mm_cmpeq_epi8(v, k->r), _mm_cmpeq_epi8(v, k->s));
		__m128i c = _mm_or_si128(_mm_cmpeq_epi8(v, k->cr), _mm_cmpeq_epi8(v, k->lf));

		return (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(a, b), c));
	}
#else
	(void)k;
#endif
	if (n > 16)
		n = 16;
	for (i = 0; i < n; i++)
		m |= (unsigned)(t->cls[(unsigned char)buf[blk + i]] != C_TEXT) << i;
	return m;
}

/* The next segment with fields from t->next on: sets state; 0 at the end of the message. */
static int segment_start(struct hl7_tok *t)
{
	const char *buf = t->buf;
	size_t pos = t->next, len = t->len;

	for (;;) {
		unsigned k;

		while (pos < len && chars_is_eol(buf[pos]))
			pos++;
		if (pos >= len) {
			t->next = len;
			t->state = ST_DONE;
			return 0;
		}
		t->seg = pos;
		t->e = find_eol(buf, pos, len);
		pos = t->e;
		if (t->e - t->seg < 3 || (t->e - t->seg > 3 && buf[t->seg + 3] != t->d[0]))
			continue; /* no ID: no fields (and no seg_index) */
		memcpy(t->id, buf + t->seg, 3);
		for (k = 0; k < t->nids && memcmp(t->ids[k], t->id, 4) != 0; k++)
			;
		if (k == t->nids && k < HL7_TOK_MAX_IDS) {
			memcpy(t->ids[k], t->id, 4);
			t->counts[t->nids++] = 0;
		}
		t->seg_index = k < t->nids ? ++t->counts[k] : 0;
		/* hl7_walk reads an ID starting with NUL as no ID, after counting it */
		if (t->e - t->seg == 3 || buf[t->seg] == 0)
			continue;
		t->next = t->e;
		t->field = t->rep = t->comp = t->sub = 1;
		if (memcmp(t->id, "MSH", 3) == 0) {
			t->state = ST_MSH1;
		} else {
			t->state = ST_FIELDS;
			t->p = t->seg + 4;
		}
		return 1;
	}
}

/* The block scan starts over at t->p, the first leaf of some fields. */
static void fields_begin(struct hl7_tok *t, const struct stops *k)
{
	t->blk = t->p;
	t->mask = t->p < t->len ? block_mask(t, k, t->p) : 0;
	t->state = ST_FIELDS;
}

static void leaf_set(const struct hl7_tok *t, struct hl7_leaf *l, size_t p, size_t q, unsigned end,
		     int whole)
{
	l->value.p = t->buf + p;
	l->value.len = q - p;
	l->segment.p = t->buf + t->seg;
	l->segment.len = t->e - t->seg;
	memcpy(l->id, t->id, 4);
	l->seg_index = t->seg_index;
	l->field = t->field;
	l->rep = t->rep;
	l->comp = t->comp;
	l->sub = t->sub;
	l->end = (unsigned char)end;
	l->whole = (unsigned char)whole;
}

/*
 * The leaves of the open segment's fields, from t->p on, into out[0..cap):
 * returns how many; the segment is done when t->state is no longer ST_FIELDS.
 */
static size_t fields_next(struct hl7_tok *t, const struct stops *k, struct hl7_leaf *out,
			  size_t cap)
{
	const char *buf = t->buf;
	const unsigned char *cls = t->cls;
	size_t len = t->len, p = t->p, blk = t->blk, n = 0;
	unsigned mask = t->mask;
	unsigned field = t->field, rep = t->rep, comp = t->comp, sub = t->sub;
	struct hl7_leaf tmpl;

	memset(&tmpl, 0, sizeof tmpl);
	tmpl.segment.p = buf + t->seg;
	tmpl.segment.len = t->e - t->seg;
	memcpy(tmpl.id, t->id, 4);
	tmpl.seg_index = t->seg_index;
	while (n < cap) {
		struct hl7_leaf *l = out + n++;
		size_t q;
		unsigned c;

		while (mask == 0) {
			blk += 16;
			if (blk >= len)
				break;
			mask = block_mask(t, k, blk);
		}
		if (mask) {
			q = blk + ctz(mask);
			mask &= mask - 1;
			c = cls[(unsigned char)buf[q]];
		} else {
			q = len; /* the last segment had no separator */
			c = C_EOS;
		}
		*l = tmpl;
		l->value.p = buf + p;
		l->value.len = q - p;
		l->field = field;
		l->rep = rep;
		l->comp = comp;
		l->sub = sub;
		l->end = (unsigned char)c;
		p = q + 1;
		if (c == C_EOS) {
			/* the next segment right here, unless it is an MSH or the end */
			t->state = ST_SEGMENT;
			if (!segment_start(t) || t->state != ST_FIELDS)
				break;
			fields_begin(t, k);
			p = blk = t->p;
			mask = t->mask;
			field = rep = comp = sub = 1;
			tmpl.segment.p = buf + t->seg;
			tmpl.segment.len = t->e - t->seg;
			memcpy(tmpl.id, t->id, 4);
			tmpl.seg_index = t->seg_index;
			continue;
		}
		/*
		 * The next leaf's numbers: a delimiter of level c counts up level
		 * c and restarts the levels below it at 1.  (Conditional moves
		 * with masks instead measured slower: real messages repeat their
		 * pattern of delimiters, which the branch predictor learns.)
		 */
		sub = c == C_SUB ? sub + 1 : 1;
		comp = c == C_COMP ? comp + 1 : c > C_COMP ? 1 : comp;
		rep = c == C_REP ? rep + 1 : c > C_REP ? 1 : rep;
		field += c == C_FIELD;
	}
	if (t->state != ST_FIELDS)
		return n;
	t->p = p;
	t->blk = blk;
	t->mask = mask;
	t->field = field;
	t->rep = rep;
	t->comp = comp;
	t->sub = sub;
	return n;
}

size_t hl7_tok_next(struct hl7_tok *t, struct hl7_leaf *out, size_t cap)
{
	struct stops k = stops_make(t);
	size_t n = 0;

	while (n < cap) {
		switch (t->state) {
		case ST_SEGMENT:
			if (!segment_start(t))
				return n;
			if (t->state == ST_FIELDS)
				fields_begin(t, &k);
			break;
		case ST_MSH1:
			/* MSH-1 is the field separator itself */
			leaf_set(t, &out[n++], t->seg + 3, t->seg + 4, HL7_TOK_END_FIELD, 1);
			t->field = 2;
			t->state = ST_MSH2;
			break;
		case ST_MSH2: {
			/* MSH-2, the encoding characters, up to the next field separator */
			size_t f = t->seg + 4;
			const char *q = memchr(t->buf + f, t->d[0], t->e - f);
			size_t qe = q ? (size_t)(q - t->buf) : t->e;

			leaf_set(t, &out[n++], f, qe, q ? HL7_TOK_END_FIELD : HL7_TOK_END_SEGMENT,
				 1);
			if (!q) {
				t->state = ST_SEGMENT;
				break;
			}
			t->field = 3;
			t->p = qe + 1;
			fields_begin(t, &k);
			break;
		}
		case ST_FIELDS: n += fields_next(t, &k, out + n, cap - n); break;
		default: return n;
		}
	}
	return n;
}

void hl7_tok_init(struct hl7_tok *t, const struct hl7_msg *m)
{
	t->buf = m->buf;
	t->len = m->len;
	t->next = m->start;
	t->seg = t->e = t->p = t->blk = 0;
	t->mask = 0;
	t->state = m->has_delims ? ST_SEGMENT : ST_DONE;
	t->field = t->rep = t->comp = t->sub = 0;
	memset(t->id, 0, sizeof t->id);
	t->seg_index = 0;
	t->nids = 0;
	memset(t->cls, C_TEXT, sizeof t->cls);
	memset(t->d, 0, sizeof t->d);
	if (!m->has_delims)
		return;
	t->d[0] = m->d.field;
	t->d[1] = m->d.component;
	t->d[2] = m->d.repetition;
	t->d[3] = m->d.subcomponent;
	t->cls['\r'] = C_EOS;
	t->cls['\n'] = C_EOS;
	t->cls[(unsigned char)m->d.subcomponent] = C_SUB;
	t->cls[(unsigned char)m->d.component] = C_COMP;
	t->cls[(unsigned char)m->d.repetition] = C_REP;
	t->cls[(unsigned char)m->d.field] = C_FIELD;
}

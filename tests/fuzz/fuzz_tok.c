/* SPDX-License-Identifier: MIT */
/* fuzz_tok.c: every leaf hl7_tok gives, in batches of any size, is the one the accessors and
 * hl7_get find there. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "hl7.h"
#include "hl7tok.h"

/* The tokeniser's portable code beside the library's. */
#include "../unit/hl7tok_scalar.h"

/*
 * Input: byte 0 picks the batch sizes asked of hl7_tok_next, the rest is
 * the message.  Each leaf must be the span hl7_segment_next, hl7_field,
 * hl7_repetition, hl7_component and hl7_subcomponent give at its
 * coordinates, and hl7_get at its path; its end must say which next part
 * the accessors find (a next subcomponent after HL7_TOK_END_SUB, none but
 * a next component after HL7_TOK_END_COMP, ...), so that no leaf is missed;
 * a segment without leaves has no fields.  The portable tokeniser, one leaf
 * at a time, gives the same leaves.
 */

static int same_span(struct hl7_span a, struct hl7_span b)
{
	return a.len == b.len && (a.len == 0 || a.p == b.p);
}

static int same_leaf(const struct hl7_leaf *a, const struct hl7_leaf *b)
{
	return a->value.p == b->value.p && a->value.len == b->value.len &&
	       a->segment.p == b->segment.p && a->segment.len == b->segment.len &&
	       memcmp(a->id, b->id, 4) == 0 && a->seg_index == b->seg_index &&
	       a->field == b->field && a->rep == b->rep && a->comp == b->comp && a->sub == b->sub &&
	       a->end == b->end && a->whole == b->whole;
}

/* hl7_get's count of the segments of each ID (those with an ID: 3 bytes, then the end or a field
 * separator). */
struct ids {
	char id[HL7_TOK_MAX_IDS][4];
	unsigned count[HL7_TOK_MAX_IDS];
	size_t n;
};

static void count_segment(struct ids *c, const struct hl7_msg *m, struct hl7_span seg)
{
	size_t k;

	if (seg.len < 3 || (seg.len > 3 && seg.p[3] != m->d.field))
		return;
	for (k = 0; k < c->n && memcmp(c->id[k], seg.p, 3) != 0; k++)
		;
	if (k == c->n) {
		if (c->n == HL7_TOK_MAX_IDS)
			return;
		memcpy(c->id[k], seg.p, 3);
		c->id[k][3] = 0;
		c->count[k] = 0;
		c->n++;
	}
	c->count[k]++;
}

static unsigned count_of(const struct ids *c, const char *id)
{
	for (size_t k = 0; k < c->n; k++)
		if (memcmp(c->id[k], id, 4) == 0)
			return c->count[k];
	return 0;
}

/*
 * A segment the tokeniser skips has no fields.  Narrowed: a segment whose ID
 * starts with a NUL byte ("\0Z1|x") is "no ID" to hl7_walk (its id[0] is
 * the "none" mark) and so to hl7_tok, but hl7_field and hl7_get read its
 * fields (seed tok/nul-segment-id).  hl7_parse refuses such a message
 * (HL7_ERR_SEGMENT_ID), so only tools that walk a refused message see it.
 */
static void no_leaves(const struct hl7_msg *m, struct hl7_span seg)
{
	struct hl7_span f;

	if (seg.len > 0 && seg.p[0] == 0)
		return;
	FUZZ_CHECK(!hl7_field(m, seg, 1, &f));
}

/* The accessors' view of leaf l in segment seg. */
static void check_leaf(const struct hl7_msg *m, const struct hl7_leaf *l, struct hl7_span seg)
{
	struct hl7_span f, r, c, s, x;
	struct hl7_path p;

	FUZZ_CHECK(memcmp(l->id, seg.p, 3) == 0 && l->id[3] == 0);
	FUZZ_CHECK(hl7_field(m, seg, l->field, &f) == 1);
	FUZZ_CHECK(l->field >= 1 && l->rep >= 1 && l->comp >= 1 && l->sub >= 1);
	if (l->whole) {
		FUZZ_CHECK(memcmp(seg.p, "MSH", 3) == 0 && l->field <= 2);
		FUZZ_CHECK(l->rep == 1 && l->comp == 1 && l->sub == 1);
		FUZZ_CHECK(same_span(l->value, f));
		FUZZ_CHECK(l->end == HL7_TOK_END_FIELD || l->end == HL7_TOK_END_SEGMENT);
	} else {
		FUZZ_CHECK(hl7_repetition(m, f, l->rep, &r) == 1);
		FUZZ_CHECK(hl7_component(m, r, l->comp, &c) == 1);
		FUZZ_CHECK(hl7_subcomponent(m, c, l->sub, &s) == 1);
		FUZZ_CHECK(same_span(l->value, s));
		/* what comes next, or not, at each level */
		FUZZ_CHECK(hl7_subcomponent(m, c, l->sub + 1, &x) == (l->end == HL7_TOK_END_SUB));
		if (l->end >= HL7_TOK_END_COMP)
			FUZZ_CHECK(hl7_component(m, r, l->comp + 1, &x) ==
				   (l->end == HL7_TOK_END_COMP));
		if (l->end >= HL7_TOK_END_REP)
			FUZZ_CHECK(hl7_repetition(m, f, l->rep + 1, &x) ==
				   (l->end == HL7_TOK_END_REP));
	}
	if (l->end >= HL7_TOK_END_FIELD)
		FUZZ_CHECK(hl7_field(m, seg, l->field + 1, &x) == (l->end == HL7_TOK_END_FIELD));

	/* the same leaf by its full path */
	if (l->seg_index) {
		memset(&p, 0, sizeof p);
		memcpy(p.seg, l->id, 4);
		p.seg_index = l->seg_index;
		p.field = l->field;
		p.rep = l->rep;
		p.comp = l->comp;
		p.sub = l->sub;
		FUZZ_CHECK(hl7_get(m, &p, &x) == 1);
		FUZZ_CHECK(same_span(l->value, x));
	}
}

/* Where the leaf after l must be, from l's end. */
static void check_next(const struct hl7_leaf *l, const struct hl7_leaf *n)
{
	if (l->end == HL7_TOK_END_SEGMENT) {
		FUZZ_CHECK(n->segment.p > l->segment.p);
		FUZZ_CHECK(n->field == 1 && n->rep == 1 && n->comp == 1 && n->sub == 1);
		return;
	}
	FUZZ_CHECK(n->segment.p == l->segment.p && n->segment.len == l->segment.len);
	switch (l->end) {
	case HL7_TOK_END_SUB:
		FUZZ_CHECK(n->field == l->field && n->rep == l->rep && n->comp == l->comp &&
			   n->sub == l->sub + 1);
		break;
	case HL7_TOK_END_COMP:
		FUZZ_CHECK(n->field == l->field && n->rep == l->rep && n->comp == l->comp + 1 &&
			   n->sub == 1);
		break;
	case HL7_TOK_END_REP:
		FUZZ_CHECK(n->field == l->field && n->rep == l->rep + 1 && n->comp == 1 &&
			   n->sub == 1);
		break;
	case HL7_TOK_END_FIELD:
		FUZZ_CHECK(n->field == l->field + 1 && n->rep == 1 && n->comp == 1 && n->sub == 1);
		break;
	default: FUZZ_CHECK(0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t caps[] = {1, 2, 3, 5, 16, 17, 64, 4096};
	struct hl7_leaf *out, *one;
	struct hl7_tok tok, stok;
	struct hl7_msg m;
	struct hl7_span seg;
	size_t n = 0, max, got, cursor = 0;
	const char *buf;
	struct ids ids;
	uint8_t sel;
	int have_seg;

	if (size < 1)
		return 0;
	sel = data[0];
	buf = (const char *)data + 1;
	size--;
	hl7_parse(&m, buf, size, 0);
	ids.n = 0;
	/* an empty field is one empty leaf: at most one leaf per byte, and one more */
	max = size + 2;
	out = malloc(max * sizeof *out);
	one = malloc(sizeof *one);
	if (!out || !one)
		abort();

	hl7_tok_init(&tok, &m);
	for (unsigned i = 0;; i++) {
		size_t cap = caps[(sel >> (i % 3 * 2)) % 8];

		if (cap > max - n)
			cap = max - n;
		FUZZ_CHECK(cap > 0);
		got = hl7_tok_next(&tok, out + n, cap);
		FUZZ_CHECK(got <= cap);
		n += got;
		if (got < cap)
			break;
	}
	/* the end is for good */
	FUZZ_CHECK(hl7_tok_next(&tok, one, 1) == 0);
	FUZZ_CHECK(m.has_delims || n == 0);

	/* the portable code, a leaf at a time */
	hl7_tok_init_scalar(&stok, &m);
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(hl7_tok_next_scalar(&stok, one, 1) == 1);
		FUZZ_CHECK(same_leaf(one, &out[i]));
	}
	FUZZ_CHECK(hl7_tok_next_scalar(&stok, one, 1) == 0);

	/* each leaf against the accessors, segment by segment */
	have_seg = 0;
	for (size_t i = 0; i < n; i++) {
		const struct hl7_leaf *l = &out[i];

		FUZZ_CHECK(l->value.p >= l->segment.p &&
			   l->value.p + l->value.len <= l->segment.p + l->segment.len);
		if (i > 0)
			check_next(&out[i - 1], l);
		if (!have_seg || l->segment.p != seg.p) {
			/* a new segment: the accessors' next one with leaves */
			for (;;) {
				FUZZ_CHECK(hl7_segment_next(&m, &cursor, &seg));
				count_segment(&ids, &m, seg);
				if (seg.p == l->segment.p)
					break;
				no_leaves(&m, seg);
			}
			have_seg = 1;
			FUZZ_CHECK(seg.len == l->segment.len);
		}
		FUZZ_CHECK(l->seg_index == count_of(&ids, l->id));
		check_leaf(&m, l, seg);
	}
	FUZZ_CHECK(n == 0 || out[n - 1].end == HL7_TOK_END_SEGMENT);
	while (hl7_segment_next(&m, &cursor, &seg))
		no_leaves(&m, seg);
	free(out);
	free(one);
	return 0;
}

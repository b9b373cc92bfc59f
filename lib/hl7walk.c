/* SPDX-License-Identifier: MIT */
/* hl7walk.c: visit every segment, field, repetition, component and subcomponent of a message in
 * order. */
#include <stdio.h>
#include <string.h>

#include "chars.h"
#include "hl7tok.h"
#include "hl7walk.h"

/*
 * The delimiters are found by lib/hl7tok (16 bytes at a time), which yields
 * each leaf with what it is the last of.  A field's leaves are gathered in a
 * buffer first, so its counts (repetitions, components, subcomponents) are
 * known before its events are emitted, without touching its bytes again.  A
 * field with more leaves than the buffer holds takes the old way (count,
 * then split, at each level): slower, still linear per level.  Segments
 * without leaves (no ID, only an ID) are found between the leaves' segments.
 */
#define LEAVES 256
#define NONE ((size_t)-1)

struct walker {
	const struct hl7_msg *m;
	hl7_walk_fn fn;
	void *ctx;
	size_t i, n; /* the unread leaves: lv[i..n) */
	int eof;     /* the tokenizer has no more leaves */
	struct hl7_tok t;
	struct hl7_leaf lv[LEAVES];
};

/* How many parts a delimiter splits s into (1 for an empty span). */
static unsigned count_parts(struct hl7_span s, char d)
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
static void take(struct hl7_span *rest, char d, struct hl7_span *out)
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

/* The rare field with more than LEAVES leaves. */
static void walk_field_slow(const struct hl7_msg *m, struct hl7_walk_pos *w, hl7_walk_fn fn,
			    void *ctx)
{
	struct hl7_span f = w->value, reps = f, rep, comps, comp, subs;

	w->nrep = count_parts(f, m->d.repetition);
	w->rep = w->comp = w->sub = 0;
	fn(ctx, HL7_WALK_FIELD, w);
	for (w->rep = 1; w->rep <= w->nrep; w->rep++) {
		take(&reps, m->d.repetition, &rep);
		w->value = rep;
		w->ncomp = count_parts(rep, m->d.component);
		w->comp = w->sub = 0;
		fn(ctx, HL7_WALK_REP, w);
		comps = rep;
		for (w->comp = 1; w->comp <= w->ncomp; w->comp++) {
			take(&comps, m->d.component, &comp);
			w->value = comp;
			w->nsub = count_parts(comp, m->d.subcomponent);
			w->sub = 0;
			fn(ctx, HL7_WALK_COMP, w);
			subs = comp;
			for (w->sub = 1; w->sub <= w->nsub; w->sub++) {
				take(&subs, m->d.subcomponent, &w->value);
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
static void walk_single(struct hl7_walk_pos *w, hl7_walk_fn fn, void *ctx)
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

static struct hl7_span span(const char *p, const char *e)
{
	struct hl7_span s = {p, (size_t)(e - p)};

	return s;
}

/* Keep the unread leaves, moved to the front, and fill the rest; returns how many are unread. */
static size_t refill(struct walker *k)
{
	size_t rest = k->n - k->i, got;

	if (k->eof)
		return rest;
	if (k->i)
		memmove(k->lv, k->lv + k->i, rest * sizeof k->lv[0]);
	k->i = 0;
	got = hl7_tok_next(&k->t, k->lv + rest, LEAVES - rest);
	k->eof = got < LEAVES - rest;
	k->n = rest + got;
	return k->n;
}

/*
 * The index of the last leaf of the field whose first leaf is lv[i], with
 * all of the field's leaves in the buffer; NONE when they do not fit.
 */
static size_t field_last(struct walker *k)
{
	size_t j = k->i;

	for (;;) {
		for (; j < k->n; j++)
			if (k->lv[j].end >= HL7_TOK_END_FIELD)
				return j;
		if (k->eof || (k->i == 0 && k->n == LEAVES))
			return NONE;
		j -= k->i;
		refill(k);
	}
}

static const char *leaf_end(const struct hl7_leaf *l)
{
	return l->value.p + l->value.len;
}

/* Component w->comp, leaves [a, b]. */
static void emit_comp(const struct walker *k, size_t a, size_t b, struct hl7_walk_pos *w)
{
	struct hl7_span c = span(k->lv[a].value.p, leaf_end(&k->lv[b]));
	size_t i;

	w->nsub = (unsigned)(b - a + 1);
	w->sub = 0;
	w->value = c;
	k->fn(k->ctx, HL7_WALK_COMP, w);
	for (i = a; i <= b; i++) {
		w->sub = (unsigned)(i - a + 1);
		w->value = k->lv[i].value;
		k->fn(k->ctx, HL7_WALK_LEAF, w);
	}
	w->sub = 0;
	w->value = c;
	k->fn(k->ctx, HL7_WALK_COMP_END, w);
}

/* Repetition w->rep, leaves [a, b]. */
static void emit_rep(const struct walker *k, size_t a, size_t b, struct hl7_walk_pos *w)
{
	struct hl7_span r = span(k->lv[a].value.p, leaf_end(&k->lv[b]));
	unsigned nc = 1;
	size_t i, c;

	for (i = a; i < b; i++)
		nc += k->lv[i].end == HL7_TOK_END_COMP;
	w->ncomp = nc;
	w->comp = w->sub = 0;
	w->value = r;
	k->fn(k->ctx, HL7_WALK_REP, w);
	for (w->comp = 1, c = a; c <= b; w->comp++, c = i + 1) {
		for (i = c; k->lv[i].end < HL7_TOK_END_COMP; i++)
			;
		emit_comp(k, c, i, w);
	}
	w->comp = 0;
	w->value = r;
	k->fn(k->ctx, HL7_WALK_REP_END, w);
}

/* The field whose leaves are [a, b] in the buffer. */
static void emit_field(const struct walker *k, size_t a, size_t b, struct hl7_walk_pos *w)
{
	struct hl7_span f = span(k->lv[a].value.p, leaf_end(&k->lv[b]));
	unsigned nr = 1;
	size_t i, r;

	for (i = a; i < b; i++)
		nr += k->lv[i].end == HL7_TOK_END_REP;
	w->nrep = nr;
	w->rep = w->comp = w->sub = 0;
	w->value = f;
	k->fn(k->ctx, HL7_WALK_FIELD, w);
	for (w->rep = 1, r = a; r <= b; w->rep++, r = i + 1) {
		for (i = r; k->lv[i].end < HL7_TOK_END_REP; i++)
			;
		emit_rep(k, r, i, w);
	}
	w->rep = 0;
	w->value = f;
	k->fn(k->ctx, HL7_WALK_FIELD_END, w);
}

/* A field with more leaves than the buffer: consume them, then split its span. */
static unsigned walk_long(struct walker *k, struct hl7_walk_pos *w)
{
	const char *fp = k->lv[k->i].value.p, *fe = fp;
	unsigned end = HL7_TOK_END_SEGMENT;

	while (k->i < k->n || refill(k)) {
		const struct hl7_leaf *l = &k->lv[k->i++];

		fe = leaf_end(l);
		if (l->end >= HL7_TOK_END_FIELD) {
			end = l->end;
			break;
		}
	}
	w->value = span(fp, fe);
	walk_field_slow(k->m, w, k->fn, k->ctx);
	return end;
}

/* The fields of the segment at w (it has an ID and more): its leaves are next. */
static void walk_fields(struct walker *k, struct hl7_walk_pos *w)
{
	unsigned end = 0;

	while (end != HL7_TOK_END_SEGMENT && (k->i < k->n || refill(k))) {
		const struct hl7_leaf *l = &k->lv[k->i];
		size_t j;

		if (l->segment.p != w->segment.p)
			break; /* cannot happen: hl7tok finds the same segments */
		w->field = l->field;
		w->whole = l->whole;
		if (l->end >= HL7_TOK_END_FIELD) {
			end = l->end;
			w->value = l->value;
			walk_single(w, k->fn, k->ctx);
			k->i++;
		} else if ((j = field_last(k)) != NONE) {
			end = k->lv[j].end;
			emit_field(k, k->i, j, w);
			k->i = j + 1;
		} else {
			end = walk_long(k, w);
		}
	}
	w->whole = 0;
}

/* The next segment: the next leaf's when it starts here, else found by hl7_segment_next(). */
static int segment_next(struct walker *k, size_t *cursor, struct hl7_span *seg)
{
	const struct hl7_msg *m = k->m;
	size_t pos = *cursor;

	while (pos < m->len && chars_is_eol(m->buf[pos]))
		pos++;
	if ((k->i < k->n || refill(k)) && k->lv[k->i].segment.p == m->buf + pos) {
		*seg = k->lv[k->i].segment;
		*cursor = pos + seg->len;
		return 1;
	}
	return hl7_segment_next(m, cursor, seg);
}

#define MAX_IDS 128

/* Its ID and seg_index into w (from seg, which w already holds). */
static void segment_id(struct hl7_walk_pos *w, char fs, char (*ids)[4], unsigned *counts,
		       unsigned *nids)
{
	struct hl7_span seg = w->segment;
	unsigned k;

	if (seg.len < 3 || (seg.len > 3 && seg.p[3] != fs))
		return;
	memcpy(w->id, seg.p, 3);
	for (k = 0; k < *nids && memcmp(ids[k], w->id, 4) != 0; k++)
		;
	if (k == *nids && *nids < MAX_IDS) {
		memcpy(ids[*nids], w->id, 4);
		counts[(*nids)++] = 0;
	}
	w->seg_index = k < *nids ? ++counts[k] : 0;
}

void hl7_walk(const struct hl7_msg *m, hl7_walk_fn fn, void *ctx)
{
	char ids[MAX_IDS][4];
	unsigned counts[MAX_IDS], nids = 0;
	size_t cursor = m->start;
	struct hl7_span seg;
	struct walker k;

	k.m = m;
	k.fn = fn;
	k.ctx = ctx;
	k.i = k.n = 0;
	k.eof = 0;
	hl7_tok_init(&k.t, m);
	while (segment_next(&k, &cursor, &seg)) {
		struct hl7_walk_pos w;

		memset(&w, 0, sizeof w);
		w.segment = seg;
		w.value = seg;
		segment_id(&w, m->d.field, ids, counts, &nids);
		fn(ctx, HL7_WALK_SEGMENT, &w);
		if (w.id[0] && seg.len > 3)
			walk_fields(&k, &w);
		w.field = 0;
		w.value = seg;
		fn(ctx, HL7_WALK_SEGMENT_END, &w);
	}
}

size_t hl7_walk_path(const struct hl7_walk_pos *w, enum hl7_walk_event level, char *dst, size_t cap)
{
	int n;
	char segi[16] = "", repi[16] = "", comp[16] = "", sub[16] = "";

	if (w->seg_index > 1)
		snprintf(segi, sizeof segi, "[%u]", w->seg_index);
	if (level == HL7_WALK_LEAF) {
		if (w->nrep > 1)
			snprintf(repi, sizeof repi, "[%u]", w->rep);
		if (w->ncomp > 1 || w->nsub > 1)
			snprintf(comp, sizeof comp, ".%u", w->comp);
		if (w->nsub > 1)
			snprintf(sub, sizeof sub, ".%u", w->sub);
	}
	n = snprintf(dst, cap, "%s%s-%u%s%s%s", w->id, segi, w->field, repi, comp, sub);
	return n < 0 ? 0 : (size_t)n;
}

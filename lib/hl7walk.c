/* SPDX-License-Identifier: MIT */
/* hl7walk.c: visit every segment, field, repetition, component and subcomponent of a message in
 * order. */
#include <stdio.h>
#include <string.h>

#include "hl7walk.h"

/*
 * Each field is read once: a byte-class table marks the field separator and
 * the three splitting delimiters (the escape and truncation characters split
 * nothing), and the positions of the delimiters go into a small array from
 * which the events, counts included, are emitted without touching the bytes
 * again.  A field with more delimiters than the array holds takes the old
 * way (count, then split, at each level): slower, still linear per level.
 */
enum { C_TEXT = 0, C_SUB = 1, C_COMP = 2, C_REP = 3, C_FIELD = 4 };

#define MAX_DELIMS 128

struct tokens {
	unsigned n;
	unsigned nrep; /* repetition delimiters among the n */
	const char *pos[MAX_DELIMS];
	unsigned char kind[MAX_DELIMS];
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

/* The rare field with more than MAX_DELIMS delimiters. */
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

/* Emit the events of field [fp, fe) from its delimiters t (t->n > 0). */
static void walk_tokens(struct hl7_walk_pos *w, const struct tokens *t, hl7_walk_fn fn, void *ctx)
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

		for (; j < n && t->kind[j] != C_REP; j++)
			nc += t->kind[j] == C_COMP;
		re = j < n ? t->pos[j] : fe;
		w->rep = r;
		w->ncomp = nc;
		w->comp = w->sub = 0;
		w->value = span(rp, re);
		fn(ctx, HL7_WALK_REP, w);
		for (;;) {
			/* component c: subcomponent delimiters [i, k) */
			unsigned k = i, s = 1;
			const char *ce, *sp = cp;

			while (k < j && t->kind[k] == C_SUB)
				k++;
			ce = k < j ? t->pos[k] : re;
			w->comp = c;
			w->nsub = k - i + 1;
			w->sub = 0;
			w->value = span(cp, ce);
			fn(ctx, HL7_WALK_COMP, w);
			for (;; s++, i++) {
				const char *se = i < k ? t->pos[i] : ce;

				w->sub = s;
				w->value = span(sp, se);
				fn(ctx, HL7_WALK_LEAF, w);
				if (i == k)
					break;
				sp = se + 1;
			}
			w->sub = 0;
			w->value = span(cp, ce);
			fn(ctx, HL7_WALK_COMP_END, w);
			if (k == j)
				break;
			cp = ce + 1;
			i = k + 1;
			c++;
		}
		w->comp = 0;
		w->value = span(rp, re);
		fn(ctx, HL7_WALK_REP_END, w);
		if (j == n)
			break;
		rp = re + 1;
		i = j + 1;
		r++;
	}
	w->rep = 0;
	w->value = span(fp, fe);
	fn(ctx, HL7_WALK_FIELD_END, w);
}

/*
 * Walk the fields of a segment from p to e, starting with field w->field.
 * The byte scan tests four bytes per step: most bytes are text.
 */
static void walk_fields(const struct hl7_msg *m, const unsigned char *cls, const char *p,
			const char *e, struct hl7_walk_pos *w, hl7_walk_fn fn, void *ctx)
{
	struct tokens t;
	unsigned field = w->field;

	for (;;) {
		const char *fp = p;
		unsigned n = 0, nrep = 0, k = C_TEXT;

		for (;;) {
			while (e - p >= 4 &&
			       (cls[(unsigned char)p[0]] | cls[(unsigned char)p[1]] |
				cls[(unsigned char)p[2]] | cls[(unsigned char)p[3]]) == 0)
				p += 4;
			while (p < e && (k = cls[(unsigned char)*p]) == C_TEXT)
				p++;
			if (p == e || k == C_FIELD)
				break;
			if (n == MAX_DELIMS)
				break;
			t.pos[n] = p;
			t.kind[n++] = (unsigned char)k;
			nrep += k == C_REP;
			p++;
			k = C_TEXT;
		}
		w->field = field;
		if (n == MAX_DELIMS && p < e && k != C_FIELD) {
			const char *q = memchr(p, m->d.field, (size_t)(e - p));

			p = q ? q : e;
			w->value = span(fp, p);
			walk_field_slow(m, w, fn, ctx);
		} else {
			w->value = span(fp, p);
			if (n == 0) {
				walk_single(w, fn, ctx);
			} else {
				t.n = n;
				t.nrep = nrep;
				walk_tokens(w, &t, fn, ctx);
			}
		}
		if (p == e)
			return;
		p++; /* the field separator */
		field++;
	}
}

#define MAX_IDS 128

void hl7_walk(const struct hl7_msg *m, hl7_walk_fn fn, void *ctx)
{
	char ids[MAX_IDS][4];
	unsigned counts[MAX_IDS], nids = 0, k;
	unsigned char cls[256];
	size_t cursor = 0;
	struct hl7_span seg;
	char fs = m->d.field;

	memset(cls, C_TEXT, sizeof cls);
	cls[(unsigned char)m->d.subcomponent] = C_SUB;
	cls[(unsigned char)m->d.component] = C_COMP;
	cls[(unsigned char)m->d.repetition] = C_REP;
	cls[(unsigned char)fs] = C_FIELD;
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
			if (k == nids && nids < MAX_IDS) {
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
				w.value = span(seg.p + 3, seg.p + 4);
				walk_single(&w, fn, ctx);
				w.field = 2;
				w.value = span(p, q ? q : e);
				walk_single(&w, fn, ctx);
				w.whole = 0;
				w.field = 3;
				p = q ? q + 1 : NULL; /* NULL: MSH-2 ended the segment */
			}
			if (p)
				walk_fields(m, cls, p, e, &w, fn, ctx);
		}
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

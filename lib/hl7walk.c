/* SPDX-License-Identifier: MIT */
/* hl7walk.c: visit every segment, field, repetition, component and subcomponent of a message in order. */
#include <stdio.h>
#include <string.h>

#include "hl7walk.h"

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

static void walk_field(const struct hl7_msg *m, struct hl7_walk_pos *w, hl7_walk_fn fn, void *ctx)
{
	struct hl7_span f = w->value, reps = f, rep, comps, comp, subs;

	w->nrep = w->whole ? 1 : count_parts(f, m->d.repetition);
	w->rep = w->comp = w->sub = 0;
	fn(ctx, HL7_WALK_FIELD, w);
	for (w->rep = 1; w->rep <= w->nrep; w->rep++) {
		if (w->whole)
			rep = f;
		else
			take(&reps, m->d.repetition, &rep);
		w->value = rep;
		w->ncomp = w->whole ? 1 : count_parts(rep, m->d.component);
		w->comp = w->sub = 0;
		fn(ctx, HL7_WALK_REP, w);
		comps = rep;
		for (w->comp = 1; w->comp <= w->ncomp; w->comp++) {
			if (w->whole)
				comp = rep;
			else
				take(&comps, m->d.component, &comp);
			w->value = comp;
			w->nsub = w->whole ? 1 : count_parts(comp, m->d.subcomponent);
			w->sub = 0;
			fn(ctx, HL7_WALK_COMP, w);
			subs = comp;
			for (w->sub = 1; w->sub <= w->nsub; w->sub++) {
				if (w->whole)
					w->value = comp;
				else
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

#define MAX_IDS 128

void hl7_walk(const struct hl7_msg *m, hl7_walk_fn fn, void *ctx)
{
	char ids[MAX_IDS][4];
	unsigned counts[MAX_IDS], nids = 0, k;
	size_t cursor = 0;
	struct hl7_span seg;
	char fs = m->d.field;

	while (hl7_segment_next(m, &cursor, &seg)) {
		struct hl7_walk_pos w;
		struct hl7_span rest;

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
			rest.p = seg.p + 4;
			rest.len = seg.len - 4;
			w.field = 1;
			if (memcmp(w.id, "MSH", 3) == 0) {
				/* MSH-1 is the field separator, MSH-2 the encoding characters: single values */
				w.whole = 1;
				w.value.p = seg.p + 3;
				w.value.len = 1;
				walk_field(m, &w, fn, ctx);
				w.field = 2;
				take(&rest, fs, &w.value);
				walk_field(m, &w, fn, ctx);
				w.whole = 0;
				w.field = 3;
				if (rest.p == seg.p + seg.len && (w.value.p + w.value.len == seg.p + seg.len))
					w.field = 0; /* MSH-2 ended the segment */
			}
			while (w.field) {
				int last = memchr(rest.p, fs, rest.len) == NULL;

				take(&rest, fs, &w.value);
				walk_field(m, &w, fn, ctx);
				w.field = last ? 0 : w.field + 1;
			}
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

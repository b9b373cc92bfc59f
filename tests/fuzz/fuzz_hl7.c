/* SPDX-License-Identifier: MIT */
/* fuzz_hl7.c: hl7_parse (normal and strict), field access, the walk, the tokeniser, paths and
 * escapes on any input. */
#include <stdlib.h>
#include <string.h>

#include "ack.h"
#include "batch.h"
#include "fuzz.h"
#include "hl7.h"
#include "hl7tok.h"
#include "hl7walk.h"

/* The tokeniser's portable code beside the library's: both are checked against the walk. */
#include "../unit/hl7tok_scalar.h"

struct ctx {
	const struct hl7_msg *m;
	const char *lo, *hi; /* the input */
	int depth;
	unsigned long events;
	struct hl7_tok *tok,
	    *stok;	      /* the tokenisers (library, portable), stepped at each LEAF event */
	size_t seg_leaves;    /* leaves of the current segment */
	struct hl7_leaf prev; /* the last leaf, whose end is known at the next event */
};

/* The tokeniser's next leaf equals the walk's LEAF event w (end: from the counts, or SEGMENT_END).
 */
static void check_leaf(struct ctx *c, const struct hl7_walk_pos *w)
{
	struct hl7_leaf l, sl;
	unsigned end = w->sub < w->nsub	    ? HL7_TOK_END_SUB
		       : w->comp < w->ncomp ? HL7_TOK_END_COMP
		       : w->rep < w->nrep   ? HL7_TOK_END_REP
					    : HL7_TOK_END_FIELD;

	FUZZ_CHECK(hl7_tok_next(c->tok, &l, 1) == 1);
	FUZZ_CHECK(hl7_tok_next_scalar(c->stok, &sl, 1) == 1);
	FUZZ_CHECK(sl.value.p == l.value.p && sl.value.len == l.value.len &&
		   sl.segment.p == l.segment.p && sl.segment.len == l.segment.len &&
		   memcmp(sl.id, l.id, 4) == 0 && sl.seg_index == l.seg_index &&
		   sl.field == l.field && sl.rep == l.rep && sl.comp == l.comp && sl.sub == l.sub &&
		   sl.end == l.end && sl.whole == l.whole);
	FUZZ_CHECK(l.value.p == w->value.p && l.value.len == w->value.len);
	FUZZ_CHECK(l.segment.p == w->segment.p && l.segment.len == w->segment.len);
	FUZZ_CHECK(memcmp(l.id, w->id, 4) == 0 && l.seg_index == w->seg_index);
	FUZZ_CHECK(l.field == w->field && l.rep == w->rep && l.comp == w->comp && l.sub == w->sub);
	FUZZ_CHECK(l.whole == w->whole);
	/* the walk knows the segment's last leaf only at its SEGMENT_END */
	FUZZ_CHECK(l.end == end || (end == HL7_TOK_END_FIELD && l.end == HL7_TOK_END_SEGMENT));
	c->prev = l;
	c->seg_leaves++;
}

static void in_buf(const struct ctx *c, struct hl7_span s)
{
	FUZZ_CHECK(s.p != NULL);
	if (s.len)
		FUZZ_CHECK(s.p >= c->lo && s.p + s.len <= c->hi);
}

static int part_of(struct hl7_span inner, struct hl7_span outer)
{
	return inner.len == 0 || (inner.p >= outer.p && inner.p + inner.len <= outer.p + outer.len);
}

static int valid_id(const char *id)
{
	for (int i = 0; i < 3; i++)
		if (!((id[i] >= 'A' && id[i] <= 'Z') || (i > 0 && id[i] >= '0' && id[i] <= '9')))
			return 0;
	return 1;
}

/* The value unescaped into a small and a large buffer: same length, same prefix. */
static void check_unescape(const struct hl7_delims *d, struct hl7_span v)
{
	char small[8];
	size_t n = hl7_unescape(d, v, small, sizeof small), n0 = hl7_unescape(d, v, NULL, 0);
	char *big = malloc(n + 1);

	if (!big)
		abort();
	FUZZ_CHECK(n == n0);
	FUZZ_CHECK(hl7_unescape(d, v, big, n + 1) == n);
	/* unescaping never grows a value: each sequence or byte gives at most as many bytes */
	FUZZ_CHECK(n <= v.len);
	FUZZ_CHECK(memcmp(small, big, n < sizeof small ? n : sizeof small) == 0);
	free(big);
}

/* Any bytes escaped, then unescaped, come back unchanged; the escaped form holds no separator. */
static void check_escape_round_trip(const struct hl7_delims *d, struct hl7_span v)
{
	size_t n = hl7_escape(d, v, NULL, 0), k, i;
	char *e = malloc(n + 1), *u = malloc(v.len + 1);

	if (!e || !u)
		abort();
	FUZZ_CHECK(hl7_escape(d, v, e, n) == n);
	FUZZ_CHECK(n >= v.len);
	for (i = 0; i < n; i++)
		FUZZ_CHECK(e[i] != d->field && e[i] != d->component && e[i] != d->repetition &&
			   e[i] != d->subcomponent && e[i] != '\r' && e[i] != '\n' &&
			   (!d->truncation || e[i] != d->truncation));
	k = hl7_unescape(d, (struct hl7_span){e, n}, u, v.len + 1);
	FUZZ_CHECK(k == v.len);
	FUZZ_CHECK(memcmp(u, v.p, v.len) == 0);
	free(e);
	free(u);
}

static void visit(void *arg, enum hl7_walk_event ev, const struct hl7_walk_pos *w)
{
	struct ctx *c = arg;
	static const int want[] = {
	    [HL7_WALK_SEGMENT] = 0, [HL7_WALK_FIELD] = 1,     [HL7_WALK_REP] = 2,
	    [HL7_WALK_COMP] = 3,    [HL7_WALK_LEAF] = 4,      [HL7_WALK_COMP_END] = 4,
	    [HL7_WALK_REP_END] = 3, [HL7_WALK_FIELD_END] = 2, [HL7_WALK_SEGMENT_END] = 1,
	};

	c->events++;
	FUZZ_CHECK(c->depth == want[ev]);
	if (ev <= HL7_WALK_COMP)
		c->depth++;
	else if (ev != HL7_WALK_LEAF)
		c->depth--;
	in_buf(c, w->segment);
	in_buf(c, w->value);
	FUZZ_CHECK(part_of(w->value, w->segment));
	FUZZ_CHECK(w->id[3] == 0);
	if (ev == HL7_WALK_SEGMENT)
		c->seg_leaves = 0;
	if (ev == HL7_WALK_SEGMENT_END)
		FUZZ_CHECK(c->seg_leaves == 0 || c->prev.end == HL7_TOK_END_SEGMENT);
	if (ev == HL7_WALK_LEAF) {
		check_leaf(c, w);
		FUZZ_CHECK(w->sub >= 1 && w->sub <= w->nsub && w->comp >= 1 &&
			   w->comp <= w->ncomp && w->rep >= 1 && w->rep <= w->nrep);
		if (!w->whole)
			check_unescape(&c->m->d, w->value);
	}
	if ((ev == HL7_WALK_LEAF || ev == HL7_WALK_FIELD) && valid_id(w->id) && w->seg_index) {
		/* the path the walk gives names this very element */
		char path[48];
		struct hl7_path p;
		struct hl7_span got;
		size_t n = hl7_walk_path(w, ev, path, sizeof path);

		FUZZ_CHECK(n < sizeof path);
		FUZZ_CHECK(hl7_path_parse(path, n, &p) == 0);
		FUZZ_CHECK(hl7_get(c->m, &p, &got) == 1);
		FUZZ_CHECK(got.len == w->value.len && (got.len == 0 || got.p == w->value.p));
	}
}

/* Every segment, field, repetition, component and subcomponent through the accessors. */
static void check_access(const struct ctx *c, const struct hl7_msg *m)
{
	struct hl7_span seg, f, r, co, s;
	size_t cursor = 0, prev = 0;
	unsigned nseg = 0;

	while (hl7_segment_next(m, &cursor, &seg)) {
		FUZZ_CHECK(++nseg <= m->len);
		FUZZ_CHECK(cursor > prev && cursor <= m->len);
		prev = cursor;
		in_buf(c, seg);
		FUZZ_CHECK(seg.len > 0 && !memchr(seg.p, '\r', seg.len) &&
			   !memchr(seg.p, '\n', seg.len));
		/* bounded: hl7_field(n) is O(n), and the walk covers every field anyway */
		for (unsigned fi = 1; fi <= 24 && hl7_field(m, seg, fi, &f); fi++) {
			FUZZ_CHECK(part_of(f, seg));
			for (unsigned ri = 1; ri <= 6 && hl7_repetition(m, f, ri, &r); ri++) {
				FUZZ_CHECK(part_of(r, f));
				for (unsigned ci = 1; ci <= 6 && hl7_component(m, r, ci, &co);
				     ci++) {
					FUZZ_CHECK(part_of(co, r));
					for (unsigned si = 1;
					     si <= 4 && hl7_subcomponent(m, co, si, &s); si++) {
						FUZZ_CHECK(part_of(s, co));
						check_unescape(&m->d, s);
					}
				}
			}
		}
		FUZZ_CHECK(!hl7_field(m, seg, 0, &f) && f.len == 0);
	}
	FUZZ_CHECK(!hl7_segment_next(m, &cursor, &seg) && seg.len == 0);
}

/* A few paths built from the input's bytes: they parse back and hl7_get stays inside the message.
 */
static void check_paths(const struct ctx *c, const struct hl7_msg *m, const uint8_t *data,
			size_t size)
{
	static const char *const ids[] = {"MSH", "PID", "OBX", "EVN", "PV1", "NK1", "ZZ9", "ERR"};
	char s[64];
	struct hl7_path p, q;
	struct hl7_span out, f;

	for (size_t i = 0; i + 6 <= size && i < 48; i += 6) {
		const uint8_t *b = data + i;
		int n = snprintf(s, sizeof s, "%s", ids[b[0] % 8]);

		if (b[1] % 4)
			n += snprintf(s + n, sizeof s - (size_t)n, "[%u]", b[1] % 4);
		n += snprintf(s + n, sizeof s - (size_t)n, "-%u", b[2] % 24 + 1);
		if (b[3] % 3)
			n += snprintf(s + n, sizeof s - (size_t)n, "[%u]", b[3] % 3);
		if (b[4] % 4) {
			n += snprintf(s + n, sizeof s - (size_t)n, ".%u", b[4] % 4);
			if (b[5] % 3)
				n += snprintf(s + n, sizeof s - (size_t)n, ".%u", b[5] % 3);
		}
		FUZZ_CHECK(hl7_path_parse(s, (size_t)n, &p) == 0);
		FUZZ_CHECK(memcmp(p.seg, ids[b[0] % 8], 4) == 0 && p.field == b[2] % 24u + 1);
		if (hl7_get(m, &p, &out)) {
			in_buf(c, out);
			if (p.rep == 0 && p.comp == 0 && p.seg_index <= 1 &&
			    memcmp(p.seg, "MSH", 3) == 0) {
				f = hl7_msh(m, p.field, 0);
				FUZZ_CHECK(f.p == out.p && f.len == out.len);
			}
		} else {
			FUZZ_CHECK(out.len == 0 && out.p != NULL);
		}
	}
	/* the input itself, in windows, as a path string: never read past its length */
	for (size_t i = 0; i < size && i < 16; i++)
		for (size_t n = 0; i + n <= size && n <= 24; n++)
			if (hl7_path_parse((const char *)data + i, n, &q) == 0) {
				FUZZ_CHECK(q.field >= 1 && valid_id(q.seg) && q.seg[3] == 0);
				if (hl7_get(m, &q, &out))
					in_buf(c, out);
			}
}

static void check_msg(const struct hl7_msg *m, enum hl7_status st, const uint8_t *data, size_t size)
{
	struct hl7_tok tok, stok;
	struct hl7_leaf rest[4];
	struct ctx c;

	memset(&c, 0, sizeof c);
	c.m = m;
	c.lo = (const char *)data;
	c.hi = (const char *)data + size;
	c.tok = &tok;
	c.stok = &stok;
	FUZZ_CHECK(st == m->status);
	FUZZ_CHECK(hl7_status_text(st) != NULL);
	FUZZ_CHECK(m->err_offset <= size && m->err_segment[3] == 0);
	FUZZ_CHECK(!m->has_delims || m->has_field_separator);
	FUZZ_CHECK(st != HL7_OK || (m->has_delims && m->segments >= 1));
	if (m->has_field_separator) {
		in_buf(&c, m->msh);
		FUZZ_CHECK(m->msh.len >= 4 && memcmp(m->msh.p, "MSH", 3) == 0);
	}
	for (unsigned n = 1; n <= 21; n++) {
		struct hl7_span v = hl7_msh(m, n, n % 3);
		in_buf(&c, v);
	}
	check_paths(&c, m, data, size);
	/* the tokenisers, one leaf at a time, give exactly the walk's leaves (check_leaf) */
	hl7_tok_init(&tok, m);
	hl7_tok_init_scalar(&stok, m);
	if (!m->has_delims) {
		FUZZ_CHECK(hl7_tok_next(&tok, rest, 4) == 0 &&
			   hl7_tok_next_scalar(&stok, rest, 4) == 0);
		return;
	}
	check_access(&c, m);
	hl7_walk(m, visit, &c);
	FUZZ_CHECK(c.depth == 0);
	FUZZ_CHECK(hl7_tok_next(&tok, rest, 4) == 0 && hl7_tok_next_scalar(&stok, rest, 4) == 0);
}

/* A batch: the walk stays in bounds, in order, finds every message; the answer's header builds the
 * same in any buffer. */
static void check_batch(const char *buf, size_t size)
{
	struct hl7_batch b;
	struct hl7_span s;
	enum hl7_batch_kind k;
	size_t cur = 0, msgs = 0;
	const char *prev = buf;
	char small[16], big[4096];
	struct ack_params ap = {.control_id = "ID", .timestamp = "20260101000000+0000"};

	if (hl7_batch_parse(&b, buf, size) != HL7_BATCH_OK) {
		FUZZ_CHECK(b.err_offset <= size);
		return;
	}
	FUZZ_CHECK(hl7_batch_is(buf, size));
	while (hl7_batch_next(&b, &cur, &k, &s)) {
		FUZZ_CHECK(s.len > 0 && s.p >= prev && s.p + s.len <= buf + size);
		prev = s.p + s.len;
		if (k == HL7_BATCH_MESSAGE) {
			struct hl7_msg m;
			msgs++;
			FUZZ_CHECK(s.len >= 3 && memcmp(s.p, "MSH", 3) == 0);
			hl7_parse(&m, s.p, s.len, 0);
		} else if (k == HL7_BATCH_FHS || k == HL7_BATCH_BHS) {
			size_t n = ack_batch_header(small, sizeof small, &b, s, &ap);
			FUZZ_CHECK(n == ack_batch_header(NULL, 0, &b, s, &ap));
			if (n <= sizeof big) {
				FUZZ_CHECK(ack_batch_header(big, sizeof big, &b, s, &ap) == n);
				FUZZ_CHECK(
				    memcmp(small, big, n < sizeof small ? n : sizeof small) == 0);
				FUZZ_CHECK(big[n - 1] == '\r');
			}
		}
	}
	FUZZ_CHECK(msgs == b.messages);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hl7_msg m, s;
	const char *buf = (const char *)data;
	enum hl7_status st = hl7_parse(&m, buf, size, 0), sst;
	struct hl7_span all = {buf, size};

	check_msg(&m, st, data, size);
	check_batch(buf, size);
	sst = hl7_parse(&s, buf, size, HL7_PARSE_STRICT);
	check_msg(&s, sst, data, size);
	/* strict refuses more, never less; what both accept reads the same */
	if (sst == HL7_OK)
		FUZZ_CHECK(st == HL7_OK && s.lenient == 0 && s.segments == m.segments);
	if (st == HL7_OK && m.lenient == 0)
		FUZZ_CHECK(sst == HL7_OK);
	if (m.has_delims)
		FUZZ_CHECK(s.has_delims && memcmp(&m.d, &s.d, sizeof m.d) == 0);

	/* escapes over the whole input with the default and the message's own delimiters */
	check_unescape(&hl7_default_delims, all);
	check_escape_round_trip(&hl7_default_delims, all);
	if (m.has_delims) {
		check_unescape(&m.d, all);
		check_escape_round_trip(&m.d, all);
	}
	return 0;
}

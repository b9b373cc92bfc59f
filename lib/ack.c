/* SPDX-License-Identifier: MIT */
/* ack.c: choose the answer a message gets and build its HL7 v2 acknowledgement bytes. */
#include <string.h>
#include <time.h>

#include "ack.h"

const char *ack_code_name(enum ack_code c)
{
	switch (c) {
	case ACK_AA: return "AA";
	case ACK_AE: return "AE";
	case ACK_AR: return "AR";
	case ACK_CA: return "CA";
	case ACK_CE: return "CE";
	case ACK_CR: return "CR";
	case ACK_NONE: break;
	}
	return "none";
}

enum ack_code ack_code_from_name(const char *name)
{
	for (enum ack_code c = ACK_AA; c <= ACK_CR; c++)
		if (strcmp(name, ack_code_name(c)) == 0)
			return c;
	return ACK_NONE;
}

int ack_code_positive(enum ack_code c)
{
	return c == ACK_AA || c == ACK_CA;
}

const char *ack_error_text(int code)
{
	switch (code) {
	case 0: return "Message accepted";
	case 100: return "Segment sequence error";
	case 101: return "Required field missing";
	case 102: return "Data type error";
	case 103: return "Table value not found";
	case 104: return "Value too long";
	case 200: return "Unsupported message type";
	case 201: return "Unsupported event code";
	case 202: return "Unsupported processing id";
	case 203: return "Unsupported version id";
	case 204: return "Unknown key identifier";
	case 205: return "Duplicate key identifier";
	case 206: return "Application record locked";
	case 207: return "Application internal error";
	default: return "Unknown error";
	}
}

/* HL7 table 0155 values of MSH-15/MSH-16; anything unknown is read as AL. */
enum condition { COND_EMPTY, COND_AL, COND_NE, COND_ER, COND_SU };

static enum condition condition_of(struct hl7_span s)
{
	if (s.len == 0)
		return COND_EMPTY;
	if (hl7_span_eq(s, "NE"))
		return COND_NE;
	if (hl7_span_eq(s, "ER"))
		return COND_ER;
	if (hl7_span_eq(s, "SU"))
		return COND_SU;
	return COND_AL;
}

static int condition_met(enum condition c, enum ack_outcome outcome)
{
	switch (c) {
	case COND_AL: return 1;
	case COND_ER: return outcome != ACK_OUTCOME_ACCEPT;
	case COND_SU: return outcome == ACK_OUTCOME_ACCEPT;
	default: return 0;
	}
}

/* MSH field n as a single value: its first component when the delimiters are known. */
static struct hl7_span msh_value(const struct hl7_msg *m, unsigned n)
{
	return hl7_msh(m, n, m->has_delims ? 1 : 0);
}

/*
 * Whether the inbound message is itself an acknowledgement we could read:
 * valid MSH-1 and MSH-2, and MSH-9.1 "ACK".  A block whose MSH cannot be
 * parsed gets the minimal NAK whatever its MSH-9 seems to say, so that a
 * sender is never left without an answer on a guess.
 */
static int inbound_is_ack(const struct hl7_msg *m)
{
	return m->has_delims && hl7_span_eq(msh_value(m, 9), "ACK");
}

enum ack_code ack_choose(const struct hl7_msg *m, enum ack_mode mode, enum ack_outcome outcome)
{
	static const enum ack_code original[] = {ACK_AA, ACK_AE, ACK_AR};
	static const enum ack_code accept[] = {ACK_CA, ACK_CE, ACK_CR};
	enum condition c15, c16;
	unsigned o =
	    (unsigned)outcome <= ACK_OUTCOME_REJECT ? (unsigned)outcome : ACK_OUTCOME_ERROR;

	if (inbound_is_ack(m))
		return ACK_NONE;
	/*
	 * Without valid MSH-1 and MSH-2 the answer is the minimal NAK, which
	 * speaks original mode: MSH-15/16 are only trusted from a usable MSH.
	 */
	if (mode == ACK_MODE_ORIGINAL || !m->has_delims)
		return original[o];
	c15 = condition_of(msh_value(m, 15));
	c16 = condition_of(msh_value(m, 16));
	if (c15 == COND_EMPTY && c16 == COND_EMPTY)
		return original[o];
	if (c15 != COND_EMPTY && c15 != COND_NE)
		return condition_met(c15, outcome) ? accept[o] : ACK_NONE;
	if (c16 != COND_EMPTY && c16 != COND_NE)
		return condition_met(c16, outcome) ? original[o] : ACK_NONE;
	return ACK_NONE;
}

/* A bounded writer: stores what fits, counts everything (strlcpy-style). */
struct out {
	char *p;
	size_t cap;
	size_t n;
	const struct hl7_delims *d;
};

static void put(struct out *o, const char *s, size_t len)
{
	if (len == 0)
		return;
	if (o->n < o->cap) {
		size_t k = o->cap - o->n < len ? o->cap - o->n : len;

		memcpy(o->p + o->n, s, k);
	}
	o->n += len;
}

static void putc1(struct out *o, char c)
{
	put(o, &c, 1);
}

static void puts0(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void put_span(struct out *o, struct hl7_span s)
{
	put(o, s.p, s.len);
}

/* Plain text, escaped for the delimiters of the ACK. */
static void put_text(struct out *o, const char *s)
{
	struct hl7_span in;

	if (!s)
		return;
	in.p = s;
	in.len = strlen(s);
	if (o->n < o->cap)
		o->n += hl7_escape(o->d, in, o->p + o->n, o->cap - o->n);
	else
		o->n += hl7_escape(o->d, in, NULL, 0);
}

static void put_unsigned(struct out *o, unsigned v)
{
	char b[16];
	size_t i = sizeof b;

	do {
		b[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(o, b + i, sizeof b - i);
}

/* Where a version sits in table 0104 order; unknown versions count as the newest. */
enum vclass { V_BEFORE_231, V_BEFORE_25, V_25_ON };

static enum vclass version_class(struct hl7_span v)
{
	if (hl7_span_eq(v, "2.1") || hl7_span_eq(v, "2.2") || hl7_span_eq(v, "2.3"))
		return V_BEFORE_231;
	if (hl7_span_eq(v, "2.3.1") || hl7_span_eq(v, "2.4"))
		return V_BEFORE_25;
	return V_25_ON;
}

static int has_text(const char *s)
{
	return s && *s;
}

/*
 * The error location: segment ID ^ sequence ^ field.  Only MSH fields are
 * located by the parser, so the sequence is 1 when a field is named and
 * left empty otherwise; an unknown location is "^^".
 */
static void put_location(struct out *o, const struct ack_params *p)
{
	int seg = has_text(p->err_segment);

	if (seg)
		put_text(o, p->err_segment);
	putc1(o, o->d->component);
	if (seg && p->err_field)
		putc1(o, '1');
	putc1(o, o->d->component);
	if (seg && p->err_field)
		put_unsigned(o, p->err_field);
}

static void put_err(struct out *o, const struct ack_params *p, enum vclass v)
{
	const struct hl7_delims *d = o->d;
	struct hl7_span t;

	t.p = ack_error_text(p->err_code);
	t.len = strlen(t.p);
	puts0(o, "ERR");
	putc1(o, d->field);
	if (v != V_25_ON) {
		/* ERR-1 (ELD): segment ^ sequence ^ field ^ code&text&HL70357 */
		put_location(o, p);
		putc1(o, d->component);
		put_unsigned(o, (unsigned)p->err_code);
		putc1(o, d->subcomponent);
		put_text(o, t.p);
		putc1(o, d->subcomponent);
		puts0(o, "HL70357");
	} else {
		/* ERR-2 location, ERR-3 code, ERR-4 severity, ERR-8 user message */
		putc1(o, d->field);
		put_location(o, p);
		putc1(o, d->field);
		put_unsigned(o, (unsigned)p->err_code);
		putc1(o, d->component);
		put_text(o, t.p);
		putc1(o, d->component);
		puts0(o, "HL70357");
		putc1(o, d->field);
		putc1(o, 'E');
		if (has_text(p->err_text)) {
			put(o, (char[]){d->field, d->field, d->field, d->field}, 4);
			put_text(o, p->err_text);
		}
	}
	putc1(o, '\r');
}

static void put_msa(struct out *o, const struct ack_params *p, const struct hl7_msg *m, int raw_id)
{
	const struct hl7_delims *d = o->d;

	puts0(o, "MSA");
	putc1(o, d->field);
	puts0(o, ack_code_name(p->code));
	putc1(o, d->field);
	if (m->has_field_separator) {
		struct hl7_span id = hl7_msh(m, 10, 0);

		if (raw_id) {
			put_span(o, id);
		} else if (o->n < o->cap) {
			o->n += hl7_escape(d, id, o->p + o->n, o->cap - o->n);
		} else {
			o->n += hl7_escape(d, id, NULL, 0);
		}
	}
	if (has_text(p->err_text)) {
		putc1(o, d->field);
		put_text(o, p->err_text);
	}
	putc1(o, '\r');
}

/* No usable delimiters: |^~\& and version 2.5, nothing copied raw. */
static size_t build_minimal(struct out *o, const struct hl7_msg *m, const struct ack_params *p)
{
	o->d = &hl7_default_delims;
	puts0(o, "MSH|^~\\&|");
	put_text(o, p->application);
	putc1(o, '|');
	put_text(o, p->facility);
	puts0(o, "|||");
	put_text(o, p->timestamp);
	puts0(o, "||ACK|");
	put_text(o, p->control_id);
	puts0(o, "|P|2.5\r");
	put_msa(o, p, m, 0);
	if (p->err_code)
		put_err(o, p, V_25_ON);
	return o->n;
}

size_t ack_build(char *dst, size_t cap, const struct hl7_msg *m, const struct ack_params *p)
{
	struct out o = {dst, cap, 0, &m->d};
	struct hl7_span trigger;
	enum vclass v;
	char fs = m->d.field;

	if (!m->has_delims)
		return build_minimal(&o, m, p);
	v = version_class(hl7_msh(m, 12, 1));
	puts0(&o, "MSH");
	putc1(&o, fs);
	put_span(&o, hl7_msh(m, 2, 0));
	putc1(&o, fs);
	if (p->application)
		put_text(&o, p->application);
	else
		put_span(&o, hl7_msh(m, 5, 0));
	putc1(&o, fs);
	if (p->facility)
		put_text(&o, p->facility);
	else
		put_span(&o, hl7_msh(m, 6, 0));
	putc1(&o, fs);
	put_span(&o, hl7_msh(m, 3, 0));
	putc1(&o, fs);
	put_span(&o, hl7_msh(m, 4, 0));
	putc1(&o, fs);
	put_text(&o, p->timestamp);
	putc1(&o, fs);
	putc1(&o, fs);
	puts0(&o, "ACK");
	trigger = hl7_msh(m, 9, 2);
	if (trigger.len) {
		putc1(&o, m->d.component);
		put_span(&o, trigger);
		if (v != V_BEFORE_231) {
			putc1(&o, m->d.component);
			puts0(&o, "ACK");
		}
	}
	putc1(&o, fs);
	put_text(&o, p->control_id);
	putc1(&o, fs);
	put_span(&o, hl7_msh(m, 11, 0));
	putc1(&o, fs);
	/* MSH-12 is required in the ACK too: without one, the version of the ERR form used. */
	if (hl7_msh(m, 12, 0).len)
		put_span(&o, hl7_msh(m, 12, 0));
	else
		puts0(&o, "2.5");
	putc1(&o, '\r');
	put_msa(&o, p, m, 1);
	if (p->err_code)
		put_err(&o, p, v);
	return o.n;
}

size_t ack_batch_header(char *dst, size_t cap, const struct hl7_batch *b, struct hl7_span hdr,
			const struct ack_params *p)
{
	struct out o = {dst, cap, 0, &b->d};
	struct hl7_span f;
	char fs = b->d.field;

	put(&o, hdr.p, 3);
	putc1(&o, fs);
	hl7_batch_field(b, hdr, 2, &f);
	put_span(&o, f);
	putc1(&o, fs);
	if (p->application)
		put_text(&o, p->application);
	else if (hl7_batch_field(b, hdr, 5, &f))
		put_span(&o, f);
	putc1(&o, fs);
	if (p->facility)
		put_text(&o, p->facility);
	else if (hl7_batch_field(b, hdr, 6, &f))
		put_span(&o, f);
	for (unsigned n = 3; n <= 4; n++) {
		putc1(&o, fs);
		hl7_batch_field(b, hdr, n, &f);
		put_span(&o, f);
	}
	putc1(&o, fs);
	put_text(&o, p->timestamp);
	for (int k = 0; k < 4; k++)
		putc1(&o, fs);
	put_text(&o, p->control_id);
	putc1(&o, fs);
	hl7_batch_field(b, hdr, 11, &f);
	put_span(&o, f);
	putc1(&o, '\r');
	return o.n;
}

size_t ack_batch_trailer(char *dst, size_t cap, const struct hl7_batch *b, enum hl7_batch_kind kind,
			 size_t count)
{
	struct out o = {dst, cap, 0, &b->d};

	puts0(&o, kind == HL7_BATCH_FTS ? "FTS" : "BTS");
	putc1(&o, b->d.field);
	put_unsigned(&o, count > 999999999 ? 999999999u : (unsigned)count);
	putc1(&o, '\r');
	return o.n;
}

void ack_control_id(char *dst, size_t cap, const struct timespec *now, unsigned long pid,
		    unsigned long seq)
{
	static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	unsigned long long parts[3] = {(unsigned long long)now->tv_sec * 1000000ULL +
					   (unsigned long long)now->tv_nsec / 1000,
				       pid, seq};
	static const int widths[3] = {11, 5, 4};
	size_t o = 0;

	if (cap == 0)
		return;
	for (int k = 0; k < 3; k++) {
		char tmp[16];
		int n = 0;
		unsigned long long v = parts[k];
		for (int i = 0; i < widths[k]; i++, v /= 36)
			tmp[n++] = digits[v % 36];
		while (n > 0 && o + 1 < cap)
			dst[o++] = tmp[--n];
	}
	dst[o] = '\0';
}

void ack_timestamp(char *dst, size_t cap, long long epoch_seconds)
{
	time_t t = (time_t)epoch_seconds;
	struct tm tm;
	if (cap == 0)
		return;
	if (!localtime_r(&t, &tm) || strftime(dst, cap, "%Y%m%d%H%M%S%z", &tm) == 0)
		dst[0] = '\0';
}

enum ack_batch_step ack_batch_next(struct ack_batch_walk *w, const struct hl7_batch *b)
{
	enum hl7_batch_kind kind;
	struct hl7_span piece;

	if (w->pending_fts) {
		/* An FTS after the BTS the sender left out before it. */
		w->pending_fts = 0;
		w->fts = 1;
		w->kind = HL7_BATCH_FTS;
		w->count = b->groups;
		return ACK_BATCH_TRAILER;
	}
	while (!w->done && hl7_batch_next(b, &w->cursor, &kind, &piece)) {
		switch (kind) {
		case HL7_BATCH_FHS:
			w->fhs = 1;
			w->piece = piece;
			return ACK_BATCH_HEADER;
		case HL7_BATCH_BHS:
			w->group_open = 1;
			w->in_group = 0;
			w->piece = piece;
			return ACK_BATCH_HEADER;
		case HL7_BATCH_MESSAGE: w->piece = piece; return ACK_BATCH_MESSAGE;
		case HL7_BATCH_BTS:
			w->group_open = 0;
			w->kind = HL7_BATCH_BTS;
			w->count = w->in_group;
			return ACK_BATCH_TRAILER;
		case HL7_BATCH_FTS:
			if (w->group_open) {
				w->group_open = 0;
				w->pending_fts = 1;
				w->kind = HL7_BATCH_BTS;
				w->count = w->in_group;
				return ACK_BATCH_TRAILER;
			}
			w->fts = 1;
			w->kind = HL7_BATCH_FTS;
			w->count = b->groups;
			return ACK_BATCH_TRAILER;
		}
	}
	/* Senders may leave out the trailers; the answer has them. */
	w->done = 1;
	if (w->group_open) {
		w->group_open = 0;
		w->kind = HL7_BATCH_BTS;
		w->count = w->in_group;
		return ACK_BATCH_TRAILER;
	}
	if (w->fhs && !w->fts) {
		w->fts = 1;
		w->kind = HL7_BATCH_FTS;
		w->count = b->groups;
		return ACK_BATCH_TRAILER;
	}
	return ACK_BATCH_END;
}

void ack_batch_answered(struct ack_batch_walk *w)
{
	w->in_group++;
	w->answered++;
}

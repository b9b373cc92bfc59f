/* SPDX-License-Identifier: MIT */
/* reply.c: hl7 ack: the acknowledgement (or acknowledgement batch) mllpd would send for each
 * message (lib/ack). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ack.h"
#include "batch.h"
#include "hl7cmd.h"
#include "mllp.h"
#include "msgsplit.h"
#include "parse.h"
#include "termsafe.h"

struct reply {
	int have_code;
	enum ack_outcome outcome;
	const char *text;
	int err_code;
	enum ack_mode mode;
	const char *application, *facility;
	int mllp;
	int raw; /* control characters copied from the message as they are */
	unsigned long seq;
	char *out; /* the answer being built: out[0] is left for 0x0B */
	size_t cap, len;
	/* In a batch some message refused: the others are not delivered (AE), as mllpd does. */
	const char *batch_text;
};

/* Room for n more bytes at r->out + r->len. */
static char *room(struct reply *r, size_t n)
{
	if (r->len + n + 2 > r->cap) {
		size_t c = r->cap ? r->cap : 1024;
		while (c < r->len + n + 2)
			c *= 2;
		char *p = realloc(r->out, c);
		if (!p) {
			report_plain(EX_SOFTWARE, "out of memory");
			exit(EX_OSERR);
		}
		r->out = p;
		r->cap = c;
	}
	return r->out + r->len;
}

/* The size of a control character of k bytes as an HL7 hex escape: esc X hh... esc. */
#define HEX_ESCAPE_LEN(k) (3 + 2 * (k))

/*
 * Unless --raw: rewrite what was built at r->out[from..r->len) with each
 * control character (lib/termsafe) copied from the message, every one but
 * the CRs that end segments, as an HL7 hex escape (\X1B\): the same value
 * to an HL7 reader, and nothing a terminal would obey.
 */
static void make_safe(struct reply *r, size_t from, char esc)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t extra = 0, i, o, end;

	if (r->raw)
		return;
	for (i = from; i < r->len;) {
		size_t k = r->out[i] == '\r' ? 0 : termsafe_control(r->out + i, r->len - i);
		size_t u = termsafe_utf8(r->out + i, r->len - i);

		extra += k ? HEX_ESCAPE_LEN(k) - k : 0;
		i += k ? k : u ? u : 1;
	}
	if (extra == 0)
		return;
	room(r, extra);
	/* the piece moves to the end of its new room and is read from there, ahead of the writer */
	memmove(r->out + from + extra, r->out + from, r->len - from);
	end = r->len + extra;
	for (i = from + extra, o = from; i < end;) {
		size_t k = r->out[i] == '\r' ? 0 : termsafe_control(r->out + i, end - i);
		size_t u = termsafe_utf8(r->out + i, end - i);

		if (!k) {
			for (u = u ? u : 1; u--;)
				r->out[o++] = r->out[i++];
			continue;
		}
		r->out[o++] = esc;
		r->out[o++] = 'X';
		while (k--) {
			unsigned char c = (unsigned char)r->out[i++];

			r->out[o++] = hex[c >> 4];
			r->out[o++] = hex[c & 15];
		}
		r->out[o++] = esc;
	}
	r->len = end;
}

/* A fresh control ID and the time, for an ACK or an acknowledgement batch header. */
static void fresh(struct reply *r, char *id, size_t idcap, char *ts, size_t tscap)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	ack_control_id(id, idcap, &now, (unsigned long)getpid(), ++r->seq);
	ack_timestamp(ts, tscap, now.tv_sec);
}

/*
 * Append the ACK mllpd sends for the message in (reported when it fails
 * validation).  Returns 0 when mllpd sends none.  In a batch, a message that
 * asks for no ACK gets one all the same (batch option 1), an inbound ACK
 * excepted.
 */
static int append_ack(struct reply *r, const struct input_msg *in)
{
	struct hl7_msg m;
	enum hl7_status status;
	enum ack_outcome outcome = r->outcome;
	int err_code = r->err_code;
	const char *text = r->text;
	char id[32], ts[32];

	status = hl7_parse(&m, in->p, in->len, 0);
	if (status != HL7_OK) {
		/* mllpd refuses it whatever a command would say: the same AR */
		report(EX_DATAERR, in, "%s", hl7_status_text(status));
		outcome = ACK_OUTCOME_REJECT;
		err_code = hl7_status_code(status);
		text = hl7_status_text(status);
	} else if (r->batch_text) {
		outcome = ACK_OUTCOME_ERROR;
		err_code = 207;
		text = r->batch_text;
	} else if (outcome == ACK_OUTCOME_ACCEPT) {
		err_code = 0;
	} else if (!err_code) {
		err_code = 207;
	}
	enum ack_code code = ack_choose(&m, r->mode, outcome);
	if (code == ACK_NONE && in->batch)
		code = ack_choose(&m, ACK_MODE_ORIGINAL, outcome);
	if (code == ACK_NONE)
		return 0; /* mllpd would not answer this one */
	fresh(r, id, sizeof id, ts, sizeof ts);
	struct ack_params ap = {
	    .code = code,
	    .err_code = err_code,
	    .err_text = text,
	    .err_segment = status != HL7_OK && m.err_segment[0] ? m.err_segment : NULL,
	    .err_field = status != HL7_OK ? m.err_field : 0,
	    .control_id = id,
	    .timestamp = ts,
	    .application = r->application,
	    .facility = r->facility,
	};
	size_t need = ack_build(NULL, 0, &m, &ap), from = r->len;
	ack_build(room(r, need), need, &m, &ap);
	r->len += need;
	make_safe(r, from, m.has_delims ? m.d.escape : '\\');
	return 1;
}

/* Write what was built since begin(): framed with --mllp. */
static void begin(struct reply *r)
{
	r->len = 1;
	room(r, 0);
}

static void emit(struct reply *r)
{
	if (r->mllp) {
		r->out[0] = MLLP_START;
		r->out[r->len++] = MLLP_END;
		r->out[r->len++] = MLLP_CR;
		out_bytes(r->out, r->len);
	} else {
		out_bytes(r->out + 1, r->len - 1);
	}
}

/* An acknowledgement batch's header (answering the inbound hdr) or trailer (hdr.p NULL). */
static void append_batch_segment(struct reply *r, const struct hl7_batch *b, struct hl7_span hdr,
				 enum hl7_batch_kind trailer, size_t count)
{
	char id[32], ts[32];
	size_t need, from = r->len;

	if (hdr.p) {
		fresh(r, id, sizeof id, ts, sizeof ts);
		struct ack_params ap = {
		    .control_id = id,
		    .timestamp = ts,
		    .application = r->application,
		    .facility = r->facility,
		};
		need = ack_batch_header(NULL, 0, b, hdr, &ap);
		ack_batch_header(room(r, need), need, b, hdr, &ap);
	} else {
		need = ack_batch_trailer(NULL, 0, b, trailer, count);
		ack_batch_trailer(room(r, need), need, b, trailer, count);
	}
	r->len += need;
	make_safe(r, from, b->d.escape ? b->d.escape : '\\');
}

/* The structure of a batch is wrong: mllpd's one plain AR (no MSH first: the minimal NAK). */
static void refuse_batch(struct reply *r, const struct input_msg *in, const struct hl7_batch *b)
{
	struct hl7_msg m;
	char id[32], ts[32];

	report(EX_DATAERR, in, "not an HL7 batch: %s", hl7_batch_status_text(b->status));
	hl7_parse(&m, in->p, in->len, 0);
	fresh(r, id, sizeof id, ts, sizeof ts);
	struct ack_params ap = {
	    .code = ACK_AR,
	    .err_code = hl7_batch_status_code(b->status),
	    .err_text = hl7_batch_status_text(b->status),
	    .err_segment = b->err_segment[0] ? b->err_segment : NULL,
	    .control_id = id,
	    .timestamp = ts,
	    .application = r->application,
	    .facility = r->facility,
	};
	size_t need = ack_build(NULL, 0, &m, &ap);
	begin(r);
	ack_build(room(r, need), need, &m, &ap);
	r->len += need;
	make_safe(r, 1, m.has_delims ? m.d.escape : '\\');
	emit(r);
}

/*
 * A batch: the acknowledgement batch mllpd sends.  Its FHS and BHS answer
 * the inbound ones, one ACK per message, BTS-1 the ACKs of the group,
 * FTS-1 the groups; trailers the sender left out are there.  Nothing for a
 * batch of acknowledgements only.
 */
static void reply_batch(struct reply *r, const struct input_msg *in)
{
	struct hl7_batch b;
	struct input_msg sub = *in;
	enum hl7_batch_kind kind;
	struct hl7_span piece;
	size_t cursor = 0, refused = 0;
	char text[96];

	if (hl7_batch_parse(&b, in->p, in->len) != HL7_BATCH_OK) {
		refuse_batch(r, in, &b);
		return;
	}
	/* mllpd delivers a batch whole or not at all */
	while (hl7_batch_next(&b, &cursor, &kind, &piece)) {
		struct hl7_msg m;
		if (kind == HL7_BATCH_MESSAGE && hl7_parse(&m, piece.p, piece.len, 0) != HL7_OK)
			refused++;
	}
	if (refused) {
		snprintf(text, sizeof text, "not delivered: %zu message%s of the batch refused",
			 refused, refused == 1 ? "" : "s");
		r->batch_text = text;
	}
	sub.flags &= ~(unsigned)MSGSPLIT_BATCH;
	sub.batch = &b;
	begin(r);
	struct ack_batch_walk w = {0};
	enum ack_batch_step step;
	while ((step = ack_batch_next(&w, &b)) != ACK_BATCH_END) {
		if (step == ACK_BATCH_HEADER) {
			append_batch_segment(r, &b, w.piece, 0, 0);
		} else if (step == ACK_BATCH_TRAILER) {
			append_batch_segment(r, &b, (struct hl7_span){NULL, 0}, w.kind, w.count);
		} else {
			sub.batch_message++;
			sub.p = w.piece.p;
			sub.len = w.piece.len;
			if (append_ack(r, &sub))
				ack_batch_answered(&w);
		}
	}
	r->batch_text = NULL;
	if (w.answered > 0 || b.messages == 0)
		emit(r);
}

static void reply_message(void *ctx, const struct input_msg *in)
{
	struct reply *r = ctx;

	if (in->flags & MSGSPLIT_TRUNCATED) {
		report(EX_DATAERR, in, "MLLP frame not ended by 0x1C: skipped");
		return;
	}
	if (in->flags & MSGSPLIT_BATCH) {
		reply_batch(r, in);
		return;
	}
	begin(r);
	if (append_ack(r, in))
		emit(r);
}

static int parse_code(const char *s, enum ack_outcome *o)
{
	if (strlen(s) != 2 || (s[0] != 'A' && s[0] != 'C'))
		return -1;
	switch (s[1]) {
	case 'A': *o = ACK_OUTCOME_ACCEPT; return 0;
	case 'E': *o = ACK_OUTCOME_ERROR; return 0;
	case 'R': *o = ACK_OUTCOME_REJECT; return 0;
	}
	return -1;
}

int cmd_ack(int argc, char **argv)
{
	enum { O_CODE = 256, O_TEXT, O_ERR, O_MODE, O_APP, O_FAC, O_MLLP, O_RAW };
	static const struct option options[] = {
	    {"code", required_argument, NULL, O_CODE},
	    {"text", required_argument, NULL, O_TEXT},
	    {"error-code", required_argument, NULL, O_ERR},
	    {"mode", required_argument, NULL, O_MODE},
	    {"application", required_argument, NULL, O_APP},
	    {"facility", required_argument, NULL, O_FAC},
	    {"mllp", no_argument, NULL, O_MLLP},
	    {"raw", no_argument, NULL, O_RAW},
	    {NULL, 0, NULL, 0},
	};
	struct reply r;
	int c;

	memset(&r, 0, sizeof r);
	r.outcome = ACK_OUTCOME_ACCEPT;
	r.mode = ACK_MODE_AUTO;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
		switch (c) {
		case O_CODE:
			if (parse_code(optarg, &r.outcome) < 0)
				cli_usage_error("ack: --code: must be AA, AE or AR: %s", optarg);
			break;
		case O_TEXT: r.text = optarg; break;
		case O_ERR: {
			unsigned long long v;
			if (parse_count(optarg, 0, 99999, &v) != PARSE_OK)
				cli_usage_error("ack: --error-code: not a table 0357 code: %s",
						optarg);
			r.err_code = (int)v;
			break;
		}
		case O_MODE:
			if (strcmp(optarg, "auto") == 0)
				r.mode = ACK_MODE_AUTO;
			else if (strcmp(optarg, "original") == 0)
				r.mode = ACK_MODE_ORIGINAL;
			else
				cli_usage_error("ack: --mode: must be auto or original: %s",
						optarg);
			break;
		case O_APP: r.application = optarg; break;
		case O_FAC: r.facility = optarg; break;
		case O_MLLP: r.mllp = 1; break;
		case O_RAW: r.raw = 1; break;
		case ':': cli_usage_error("ack: %s: requires a value", argv[optind - 1]);
		default: cli_usage_error("ack: unknown option: %s", argv[optind - 1]);
		}
	}
	input_each(argv + optind, argc - optind, reply_message, &r);
	free(r.out);
	return 0;
}

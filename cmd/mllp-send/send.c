/* SPDX-License-Identifier: MIT */
/* send.c: send the messages of files (or stdin) one by one, or N in flight, and report each ACK. */
#include "mllp-send.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ack.h"
#include "batch.h"
#include "cli.h"
#include "msgsplit.h"
#include "segnorm.h"

const char *noack_text(enum noack n)
{
	return n == NOACK_ACK  ? "an ACK gets no ACK"
	       : n == NOACK_NE ? "no ACK requested (MSH-15/MSH-16)"
			       : "";
}

/* Whether a conforming receiver answers m at all: the rule mllpd follows (ack_choose, auto mode).
 */
static enum noack noack_of(const struct hl7_msg *m)
{
	static const enum ack_outcome outcomes[] = {ACK_OUTCOME_ACCEPT, ACK_OUTCOME_ERROR,
						    ACK_OUTCOME_REJECT};
	for (size_t i = 0; i < sizeof outcomes / sizeof outcomes[0]; i++)
		if (ack_choose(m, ACK_MODE_AUTO, outcomes[i]) != ACK_NONE)
			return NOACK_NO;
	return hl7_span_eq(hl7_msh(m, 9, 1), "ACK") ? NOACK_ACK : NOACK_NE;
}

const char *message_check(const char *p, size_t len, struct hl7_span *id, enum noack *noack)
{
	struct hl7_msg m;
	enum hl7_status st = hl7_parse(&m, p, len, 0);
	/* The version, newer than the parser's table or empty, is the receiver's call, not ours. */
	if (st != HL7_OK && st != HL7_ERR_VERSION && st != HL7_ERR_NO_VERSION)
		return hl7_status_text(st);
	*id = hl7_msh(&m, 10, 0);
	if (id->len == 0)
		return hl7_status_text(HL7_ERR_NO_CONTROL_ID);
	if (noack)
		*noack = noack_of(&m);
	return NULL;
}

void batch_ids_free(struct batch_ids *ids)
{
	free(ids->id);
	free(ids->isack);
	memset(ids, 0, sizeof *ids);
}

int batch_unanswered(const struct batch_ids *ids)
{
	return ids->batch && ids->n > 0 && ids->nack == ids->n;
}

int batch_check(const char *p, size_t len, struct batch_ids *ids, char *why, size_t whycap)
{
	struct hl7_batch b;
	enum hl7_batch_kind kind;
	struct hl7_span piece;
	size_t cursor = 0;

	ids->n = ids->nack = 0;
	ids->batch = 0;
	ids->batch_id = ids->file_id = (struct hl7_span){"", 0};
	if (hl7_batch_parse(&b, p, len) != HL7_BATCH_OK) {
		snprintf(why, whycap, "not an HL7 batch: %s", hl7_batch_status_text(b.status));
		return -1;
	}
	if (b.messages > ids->cap) {
		struct hl7_span *n = realloc(ids->id, b.messages * sizeof *n);
		if (n)
			ids->id = n;
		unsigned char *a = n ? realloc(ids->isack, b.messages) : NULL;
		if (!a) {
			snprintf(why, whycap, "%s", strerror(ENOMEM));
			return -1;
		}
		ids->isack = a;
		ids->cap = b.messages;
	}
	if (b.bhs.len)
		hl7_batch_field(&b, b.bhs, 11, &ids->batch_id);
	if (b.fhs.len)
		hl7_batch_field(&b, b.fhs, 11, &ids->file_id);
	while (hl7_batch_next(&b, &cursor, &kind, &piece)) {
		if (kind != HL7_BATCH_MESSAGE)
			continue;
		enum noack noack = NOACK_NO;
		const char *bad = ids->n < ids->cap
				      ? message_check(piece.p, piece.len, &ids->id[ids->n], &noack)
				      : "too many messages";
		if (bad) {
			snprintf(why, whycap, "batch message %zu: not an HL7 message: %s",
				 ids->n + 1, bad);
			return -1;
		}
		/* Inside a batch mllpd answers NE too: only an ACK gets none. */
		ids->isack[ids->n] = noack == NOACK_ACK;
		ids->nack += noack == NOACK_ACK;
		ids->n++;
	}
	ids->batch = 1;
	return 0;
}

/* An input: a file (or stdin) read in pieces and cut into messages by lib/msgsplit. */
struct input {
	const char *name; /* as given; "-" for stdin */
	int fd;
	char *buf;
	size_t cap, len, drop;
	int eof;
	struct msgsplit sp;
	int count; /* messages returned so far */
};

enum { IN_MESSAGE = 1, IN_END = 0, IN_READ_ERROR = -1, IN_TOO_LARGE = -2 };

static int input_open(struct input *in, const char *name, char *buf, size_t cap)
{
	memset(in, 0, sizeof *in);
	in->name = name;
	in->buf = buf;
	in->cap = cap;
	if (strcmp(name, "-") == 0) {
		in->fd = 0;
		return 0;
	}
	in->fd = open(name, O_RDONLY | O_CLOEXEC);
	return in->fd < 0 ? -1 : 0;
}

static void input_close(struct input *in)
{
	if (in->fd > 0)
		close(in->fd);
	in->fd = -1;
}

/* The next unit in *msg (borrowed until the next call); flags in in->sp.flags. */
static int input_next(struct input *in, struct hl7_span *msg)
{
	for (;;) {
		if (in->drop) {
			memmove(in->buf, in->buf + in->drop, in->len - in->drop);
			in->len -= in->drop;
			in->drop = 0;
		}
		size_t used;
		enum msgsplit_event ev =
		    msgsplit_next(&in->sp, in->buf, in->len, in->eof, msg, &used);
		in->drop = used;
		if (ev == MSGSPLIT_MESSAGE) {
			in->count++;
			return IN_MESSAGE;
		}
		if (ev == MSGSPLIT_END || in->eof)
			return IN_END;
		if (in->drop)
			continue;
		if (in->len == in->cap)
			return IN_TOO_LARGE;
		ssize_t r = read(in->fd, in->buf + in->len, in->cap - in->len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return IN_READ_ERROR;
		}
		if (r == 0)
			in->eof = 1;
		in->len += (size_t)r;
	}
}

/* "FILE" or "FILE: message N" for error lines. */
static void where(char *dst, size_t cap, const struct input *in)
{
	if (in->count > 1)
		snprintf(dst, cap, "%s: message %d", in->name, in->count);
	else
		snprintf(dst, cap, "%s", in->name);
}

/*
 * Take the next message (or batch) of in, normalised into out
 * (SEND_MAX_MESSAGE + 1 bytes).  Returns 1 with *len and *id set (a batch:
 * ids->batch and its control IDs in ids; a message: not ids->batch), 0 at the
 * end of the input, or an exit status after printing why.
 */
static int next_message(struct input *in, char *out, size_t *len, struct hl7_span *id,
			enum noack *noack, struct batch_ids *ids)
{
	struct hl7_span u;
	char at[4200], why[512];

	int r = input_next(in, &u);
	if (r == IN_END) {
		if (in->count == 0) {
			cli_error("%s: not an HL7 message: no message in the input", in->name);
			return EX_DATAERR;
		}
		return 0;
	}
	if (r == IN_READ_ERROR) {
		cli_error("%s: %s", in->name, strerror(errno));
		return EX_IOERR;
	}
	in->count += r == IN_TOO_LARGE;
	where(at, sizeof at, in);
	if (r == IN_TOO_LARGE) {
		cli_error("%s: not an HL7 message: larger than %zu bytes", at, SEND_MAX_MESSAGE);
		return EX_DATAERR;
	}
	if (in->sp.flags & MSGSPLIT_TRUNCATED) {
		cli_error("%s: not an HL7 message: MLLP frame not ended by 0x1C", at);
		return EX_DATAERR;
	}
	*len = segnorm_copy(out, SEND_MAX_MESSAGE + 1, u.p, u.len);
	if (*len > SEND_MAX_MESSAGE) {
		cli_error("%s: not an HL7 message: larger than %zu bytes", at, SEND_MAX_MESSAGE);
		return EX_DATAERR;
	}
	ids->n = 0;
	ids->batch = 0;
	if (in->sp.flags & MSGSPLIT_BATCH) {
		/* A batch is one unit: one block on the wire, one answer. */
		if (batch_check(out, *len, ids, why, sizeof why) < 0) {
			cli_error("%s: %s", at, why);
			return EX_DATAERR;
		}
		return 1;
	}
	const char *bad = message_check(out, *len, id, noack);
	if (bad) {
		cli_error("%s: not an HL7 message: %s", at, bad);
		return EX_DATAERR;
	}
	return 1;
}

/* Read every named file once before connecting, so a bad one stops the run before anything is sent.
 */
static int check_files(char **files, int nfiles, char *buf, char *out, struct batch_ids *ids)
{
	for (int i = 0; i < nfiles; i++) {
		struct input in;
		if (strcmp(files[i], "-") == 0)
			continue;
		if (input_open(&in, files[i], buf, SEND_MAX_MESSAGE + 65536) < 0) {
			cli_error("%s: %s", files[i], strerror(errno));
			return EX_NOINPUT;
		}
		int r;
		size_t len;
		struct hl7_span id;
		enum noack noack;
		while ((r = next_message(&in, out, &len, &id, &noack, ids)) == 1)
			;
		input_close(&in);
		if (r != 0)
			return r;
	}
	return 0;
}

/* Report a result that ends the run, and its exit status. */
static int session_failed(const struct config *cfg, struct session *s, enum sess_result r)
{
	cli_error("%s: %s", cfg->target, s->why);
	session_close(s);
	return r == SESS_PROTOCOL ? EX_PROTOCOL : r == SESS_IO ? EX_IOERR : EX_TEMPFAIL;
}

/* Wait for one ACK and print it; counts negatives.  0, or an exit status. */
static int collect(const struct config *cfg, struct session *s, unsigned *negative)
{
	struct sess_ack k;
	enum sess_result r = session_wait(s, &k);
	if (r != SESS_OK)
		return session_failed(cfg, s, r);
	print_result(cfg, &k);
	if (!k.a.positive && !k.empty && !k.noack)
		(*negative)++;
	flight_free(&k.f);
	return 0;
}

/* What send_files() has sent so far and how many were not accepted. */
struct send_count {
	unsigned sent, negative;
};

/* Send every message of one input, reading ACKs as the window fills: 0 or an exit status. */
static int send_input(const struct config *cfg, struct session *s, struct input *in, char *out,
		      struct batch_ids *ids, struct send_count *n)
{
	int rc = 0;
	for (;;) {
		size_t len;
		struct hl7_span id;
		enum noack noack = NOACK_NO;
		int r = next_message(in, out, &len, &id, &noack, ids);
		if (r != 1)
			return r;
		/* A batch goes alone: the ACKs due first, then its whole answer before
		 * anything else. */
		while ((s->n == cfg->window || (ids->batch && s->n > 0)) && rc == 0)
			rc = collect(cfg, s, &n->negative);
		if (rc != 0)
			return rc;
		enum sess_result sr =
		    ids->batch ? session_send_batch(s, out, len, ids, in->name, (int)n->sent)
			       : session_send(s, out, len, id, in->name, (int)n->sent, noack);
		if (sr != SESS_OK)
			return session_failed(cfg, s, sr);
		if (!ids->batch && noack != NOACK_NO)
			print_noack(cfg, in->name, id, noack);
		for (size_t k = 0; batch_unanswered(ids) && k < ids->n; k++)
			print_noack(cfg, in->name, ids->id[k], NOACK_ACK);
		n->sent += ids->batch && ids->n ? (unsigned)ids->n : 1;
		while (session_batch_busy(s) && rc == 0)
			rc = collect(cfg, s, &n->negative);
		if (rc != 0)
			return rc;
	}
}

/* The ACKs still due (also after a refused message on stdin), then the count of negative ones. */
static int finish_acks(const struct config *cfg, struct session *s, struct send_count *n, int rc)
{
	while (s->n > 0 && session_connected(s)) {
		int r = collect(cfg, s, &n->negative);
		if (r != 0) {
			if (rc == 0 || rc == EX_DATAERR)
				rc = r;
			break;
		}
	}
	if (rc == 0 && n->negative > 0) {
		cli_error("%s: %u of %u message%s not accepted", cfg->target, n->negative, n->sent,
			  n->sent == 1 ? "" : "s");
		rc = EXIT_NEGATIVE;
	}
	return rc;
}

int send_files(const struct config *cfg, char **files, int nfiles)
{
	static char *stdin_only[] = {"-"};
	struct session s;
	struct batch_ids ids = {0};
	struct send_count n = {0, 0};
	int rc = 0;
	char *buf = malloc(SEND_MAX_MESSAGE + 65536), *out = malloc(SEND_MAX_MESSAGE + 1);

	if (nfiles == 0) {
		files = stdin_only;
		nfiles = 1;
	}
	if (!buf || !out || session_init(&s, cfg) < 0) {
		cli_error("%s", strerror(ENOMEM));
		free(buf);
		free(out);
		return EX_OSERR;
	}
	if ((rc = check_files(files, nfiles, buf, out, &ids)) != 0)
		goto done;
	if (session_connect(&s) < 0) {
		cli_error("%s: %s", cfg->target, s.why);
		rc = EX_UNAVAILABLE;
		goto done;
	}
	for (int i = 0; i < nfiles && rc == 0; i++) {
		struct input in;
		if (input_open(&in, files[i], buf, SEND_MAX_MESSAGE + 65536) < 0) {
			cli_error("%s: %s", files[i], strerror(errno));
			rc = EX_NOINPUT;
			break;
		}
		rc = send_input(cfg, &s, &in, out, &ids, &n);
		input_close(&in);
	}
	rc = finish_acks(cfg, &s, &n, rc);
	session_finish(&s);
done:
	session_free(&s);
	batch_ids_free(&ids);
	free(buf);
	free(out);
	return rc;
}

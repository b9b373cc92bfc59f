/* SPDX-License-Identifier: MIT */
/* block.c: the one pipeline every block goes through; a batch is a block of several messages. */
#include "block.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ackread.h"
#include "batch.h"
#include "group.h"
#include "hl7.h"
#include "log.h"
#include "monotime.h"

/* journald MESSAGE_ID of a message's line. */
#define MSGID_MESSAGE "7b0c4f3d2a6e4e1f9d8a5b6c7d8e9f01"

int receiver_init(struct receiver *r, const struct config *cfg, const struct peer *peer,
		  const char *tls_peer, const char *allow_names, struct answers *out, char **envp)
{
	memset(r, 0, sizeof *r);
	r->cfg = cfg;
	r->peer = peer;
	r->tls_peer = tls_peer;
	r->allow_names = allow_names;
	r->out = out;
	if (sinks_init(&r->sinks, cfg, peer, tls_peer, envp) < 0)
		return -1;
	return group_wanted(cfg) ? group_open(r) : 0;
}

void receiver_close(struct receiver *r)
{
	group_close(r);
	sinks_close(&r->sinks);
	if (r->dedupe_ok)
		dedupe_close(&r->dedupe);
	r->dedupe_ok = 0;
}

/* ---- what --exec is told ---- */

static void message_fields(struct block_fields *f, const struct hl7_msg *m)
{
	memset(f, 0, sizeof *f);
	f->control_id = hl7_msh(m, 10, 0);
	f->type = hl7_msh(m, 9, 0);
	f->code = hl7_msh(m, 9, 1);
	f->trigger = hl7_msh(m, 9, 2);
	f->version = hl7_msh(m, 12, 0);
	f->processing = hl7_msh(m, 11, 0);
	f->sending_app = hl7_msh(m, 3, 1);
	f->sending_fac = hl7_msh(m, 4, 1);
	f->receiving_app = hl7_msh(m, 5, 1);
	f->receiving_fac = hl7_msh(m, 6, 1);
}

/* The first component of a header field (up to a component or repetition separator). */
static struct hl7_span first_component(const struct hl7_batch *b, struct hl7_span s)
{
	size_t i = 0;
	while (i < s.len && s.p[i] != b->d.component && s.p[i] != b->d.repetition)
		i++;
	s.len = i;
	return s;
}

/* The header whose fields describe a batch: BHS, else FHS. */
static struct hl7_span batch_header(const struct hl7_batch *b)
{
	return b->bhs.len ? b->bhs : b->fhs;
}

/* A batch: the header's sender, receiver and control ID; no message type. */
static void batch_fields(struct block_fields *f, const struct hl7_batch *b)
{
	struct hl7_span h = batch_header(b), v;
	memset(f, 0, sizeof *f);
	hl7_batch_field(b, h, 11, &f->control_id);
	hl7_batch_field(b, h, 3, &v);
	f->sending_app = first_component(b, v);
	hl7_batch_field(b, h, 4, &v);
	f->sending_fac = first_component(b, v);
	hl7_batch_field(b, h, 5, &v);
	f->receiving_app = first_component(b, v);
	hl7_batch_field(b, h, 6, &v);
	f->receiving_fac = first_component(b, v);
	f->batch = 1;
	snprintf(f->batch_messages, sizeof f->batch_messages, "%zu", b->messages);
}

/* ---- the stages ---- */

/* Validate: the frame, the message or the batch's structure and each of its messages. */
static void validate(struct receiver *r, struct block *k)
{
	k->o.what = ACK_OUTCOME_ACCEPT;
	if (k->refusal) {
		hl7_parse(&k->m, k->data, k->len, 0);
		outcome_fail(&k->o, ACK_OUTCOME_REJECT, 207, "%s", k->refusal);
		return;
	}
	if (!k->batch) {
		enum hl7_status st =
		    hl7_parse(&k->m, k->data, k->len, r->cfg->strict ? HL7_PARSE_STRICT : 0);
		if (st != HL7_OK)
			outcome_fail(&k->o, ACK_OUTCOME_REJECT, hl7_status_code(st), "%s",
				     hl7_status_text(st));
		message_fields(&k->f, &k->m);
		return;
	}
	if (hl7_batch_parse(&k->b, k->data, k->len) != HL7_BATCH_OK) {
		k->broken = 1;
		outcome_fail(&k->o, ACK_OUTCOME_REJECT, hl7_batch_status_code(k->b.status), "%s",
			     hl7_batch_status_text(k->b.status));
		hl7_parse(&k->m, k->data, k->len, 0); /* no MSH first: a minimal NAK */
		return;
	}
	batch_fields(&k->f, &k->b);
	log_sanitise(k->batch_id, sizeof k->batch_id, k->f.control_id.p, k->f.control_id.len);
	size_t cursor = 0;
	enum hl7_batch_kind kind;
	struct hl7_span piece;
	struct hl7_msg m;
	while (hl7_batch_next(&k->b, &cursor, &kind, &piece))
		if (kind == HL7_BATCH_MESSAGE &&
		    hl7_parse(&m, piece.p, piece.len, r->cfg->strict ? HL7_PARSE_STRICT : 0))
			k->refused++;
}

const char *dedupe_path(const struct config *cfg, char *buf, size_t cap)
{
	if (cfg->dedupe_dir)
		return cfg->dedupe_dir;
	snprintf(buf, cap, "%s/dedupe", cfg->spool_dir);
	return buf;
}

/* MSA-1 of a stored answer (the first MSA, read as every ACK reader reads it). */
static enum ack_code stored_code(const char *p, size_t n)
{
	struct hl7_msg m;
	struct ackread a;
	return ackread_parse(&m, p, n, &a) == ACKREAD_OK ? ack_code_from_name(a.code) : ACK_NONE;
}

/* A reused control ID: the same sender and ID as a record, other bytes; delivered as new. */
static void log_reused(const struct receiver *r, const struct dedupe_unit *u, time_t accepted_at)
{
	char id[264], app[264], fac[264];
	log_sanitise(id, sizeof id, u->key.control_id.p, u->key.control_id.len);
	log_sanitise(app, sizeof app, u->key.app.p, u->key.app.len);
	log_sanitise(fac, sizeof fac, u->key.fac.p, u->key.fac.len);
	log_line(LOG_WARNING,
		 "%s: reused control ID: %s id=%s app=%s facility=%s age=%llds: delivered as a new "
		 "message",
		 r->peer->label, u->kind == DEDUPE_BATCH ? "batch" : "message", id, app, fac,
		 (long long)(time(NULL) - accepted_at));
}

/*
 * --dedupe: take the key's lock and look the block up (kind, sender,
 * control ID and the SHA-256 of its bytes).  A duplicate gets its first
 * answer again (k->duplicate); a new block, or a reused control ID, stays
 * locked (k->locked) until dedupe_done(); a record that cannot be used is
 * an AE in k->o (delivering without it could deliver a duplicate).
 */
/* The unit --dedupe knows a block by; 0, or -1 for a batch without a control ID (not looked up). */
static int dedupe_unit_of(struct block *k)
{
	struct dedupe_key key;

	if (k->batch) {
		/* A batch is known by its header's sender and control ID, when it has one. */
		if (k->f.control_id.len == 0)
			return -1;
		key.control_id = k->f.control_id;
		hl7_batch_field(&k->b, batch_header(&k->b), 3, &key.app);
		hl7_batch_field(&k->b, batch_header(&k->b), 4, &key.fac);
	} else {
		key = (struct dedupe_key){hl7_msh(&k->m, 3, 0), hl7_msh(&k->m, 4, 0),
					  hl7_msh(&k->m, 10, 0)};
	}
	dedupe_unit_init(&k->unit, k->batch ? DEDUPE_BATCH : DEDUPE_MESSAGE, key, k->data, k->len);
	return 0;
}

/*
 * Look the unit up with its lock held; a duplicate's stored answer lands in
 * w.  Room is made for the stored answer (at most DEDUPE_ACK_MAX) and the
 * record asked again: only that second answer counts.
 */
static enum dedupe_status dedupe_lookup_into(struct receiver *r, struct block *k, struct answer *w,
					     struct dedupe_hit *hit)
{
	size_t room;
	char *slot = answer_slot(w, &room);
	if (!slot)
		return errno = ENOMEM, DEDUPE_FAILED;
	enum dedupe_status st = dedupe_lookup(&r->dedupe, &k->unit, time(NULL), slot, room, hit);
	if (st != DEDUPE_TRUNCATED)
		return st;
	if (answer_reserve(w, hit->ack_stored) < 0)
		return errno = ENOMEM, DEDUPE_FAILED;
	slot = answer_slot(w, &room);
	st = dedupe_lookup(&r->dedupe, &k->unit, time(NULL), slot, room, hit);
	if (st == DEDUPE_TRUNCATED)
		return errno = EAGAIN, DEDUPE_FAILED; /* the record grew between the two reads */
	return st;
}

/* --stats: a replayed acknowledgement batch counts each ACK in it under its own code. */
static void count_replayed_batch(const struct config *cfg, const char *p, size_t n, size_t messages)
{
	struct hl7_batch b;
	size_t cursor = 0, counted = 0;
	enum hl7_batch_kind kind;
	struct hl7_span piece;

	if (!cfg->stats)
		return;
	if (hl7_batch_parse(&b, p, n) == HL7_BATCH_OK)
		while (hl7_batch_next(&b, &cursor, &kind, &piece))
			if (kind == HL7_BATCH_MESSAGE) {
				metrics_block(cfg, stored_code(piece.p, piece.len), 1, 0, 0);
				counted++;
			}
	if (counted < messages)
		metrics_block(cfg, ACK_NONE, messages - counted, 0, 0);
}

/* A duplicate: its first answer again, framed for the loop to send. */
static void dedupe_replay(struct receiver *r, struct block *k, struct answer *w,
			  const struct dedupe_hit *hit)
{
	r->duplicates++;
	k->duplicate = 1;
	answer_commit(w, hit->ack_len);
	k->replayed = hit->ack_len ? stored_code(answer_bytes(w), hit->ack_len) : ACK_NONE;
	if (k->batch)
		count_replayed_batch(r->cfg, answer_bytes(w), hit->ack_len, k->b.messages);
	if (hit->ack_len && answer_end(w) < 0) {
		log_line(LOG_ERR, "%s: out of memory for an acknowledgement", r->peer->label);
		k->replayed = ACK_NONE;
	}
	snprintf(k->o.sink, sizeof k->o.sink, "duplicate");
}

/*
 * --dedupe: take the key's lock and look the block up (kind, sender,
 * control ID and the SHA-256 of its bytes).  A duplicate gets its first
 * answer again (k->duplicate); a new block, or a reused control ID, stays
 * locked (k->locked) until dedupe_done(); a record that cannot be used is
 * an AE in k->o (delivering without it could deliver a duplicate).
 */
static void dedupe_check(struct receiver *r, struct block *k)
{
	const struct config *cfg = r->cfg;
	const char *what = "lock";
	char dir[4096];

	if (dedupe_unit_of(k) < 0)
		return;
	/* The record lives in the spool: make the spool first (its errors are the sink's to
	 * report). */
	if (cfg->spool_dir)
		sinks_spool_ready(&r->sinks, &what);
	what = "lock";
	if (!r->dedupe_ok && dedupe_open(&r->dedupe, dedupe_path(cfg, dir, sizeof dir),
					 cfg->dedupe_window, &what) == 0) {
		r->dedupe_ok = 1;
		/* This connection's process only (--exec children exec): no getpid() per lock. */
		dedupe_set_self(&r->dedupe, getpid());
	}
	if (r->dedupe_ok && dedupe_lock(&r->dedupe, &k->unit.key) == 0) {
		struct answer w;
		struct dedupe_hit hit;
		answer_begin(&w, r->out);
		enum dedupe_status st = dedupe_lookup_into(r, k, &w, &hit);
		if (st == DEDUPE_NEW || st == DEDUPE_REUSED) {
			if (st == DEDUPE_REUSED)
				log_reused(r, &k->unit, hit.accepted_at);
			k->locked = 1;
			return;
		}
		int saved = errno;
		dedupe_unlock(&r->dedupe, &k->unit.key);
		errno = saved;
		what = "record";
		if (st == DEDUPE_DUPLICATE) {
			dedupe_replay(r, k, &w, &hit);
			return;
		}
	}
	const char *why = strerror(errno);
	outcome_fail(&k->o, ACK_OUTCOME_ERROR, 207, "dedupe: %s: %s", what, why);
	outcome_sink(&k->o, "dedupe:error");
	log_line(LOG_ERR, "%s: --dedupe %s: %s: %s", r->peer->label,
		 dedupe_path(cfg, dir, sizeof dir), what, why);
}

/* After a new block: record the answer of a delivered one; unlock. */
static void dedupe_done(struct receiver *r, struct block *k, const char *answer, size_t len)
{
	if (k->o.what == ACK_OUTCOME_ACCEPT &&
	    dedupe_store(&r->dedupe, &k->unit, time(NULL), answer, len) < 0)
		log_line(LOG_WARNING,
			 "%s: --dedupe: cannot record a delivered message (a resend would be "
			 "delivered again): %s",
			 r->peer->label, strerror(errno));
	dedupe_unlock(&r->dedupe, &k->unit.key);
	dedupe_prune(&r->dedupe, time(NULL));
}

/*
 * The answer and the outcome of one message of the block: its own refusal,
 * else the block's.  A message alone may get no answer (an inbound ACK, or
 * what MSH-15/16 ask for); in a batch every message but an ACK gets one
 * (batch acknowledgement option 1).
 */
static enum ack_code message_verdict(const struct receiver *r, const struct block *k,
				     struct hl7_span piece, struct hl7_msg *m, struct outcome *mo)
{
	memset(mo, 0, sizeof *mo);
	if (sender_check_message(r, m, piece, mo) == 0)
		*mo = k->o;
	enum ack_code code = ack_choose(m, r->cfg->ack_mode, mo->what);
	if (code == ACK_NONE)
		code = ack_choose(m, ACK_MODE_ORIGINAL, mo->what);
	return code;
}

/* Append one ACK for m with the outcome mo, locating a parse error. */
static void answer_message(struct answer *w, const struct hl7_msg *m, enum ack_code code,
			   const struct outcome *mo)
{
	int bad = mo->what != ACK_OUTCOME_ACCEPT;
	int parse_error = bad && m->status != HL7_OK;
	answer_ack(w, m, code, bad ? mo->err_code : 0, bad ? mo->err_text : NULL,
		   parse_error && m->err_segment[0] ? m->err_segment : NULL,
		   parse_error ? m->err_field : 0);
}

/*
 * Build the block's answer in w: a message's ACK (or the command's own),
 * or the acknowledgement batch (headers and trailers mirroring the inbound
 * ones, one ACK per message).  Returns the code for the log of a message
 * alone; *answered is whether anything is to be sent.
 */
static enum ack_code answer_block(struct receiver *r, struct block *k, struct answer *w,
				  int *answered)
{
	*answered = 0;
	if (!k->batch || k->broken) {
		enum ack_code code = ack_choose(&k->m, r->cfg->ack_mode, k->o.what);
		if (k->broken)
			code = ACK_AR;
		if (code == ACK_NONE)
			return code;
		*answered = 1;
		if (k->o.printed_len) {
			answer_raw(w, k->o.printed, k->o.printed_len);
			return k->o.printed_code;
		}
		if (k->broken)
			answer_ack(w, &k->m, code, k->o.err_code, k->o.err_text,
				   k->b.err_segment[0] ? k->b.err_segment : NULL, 0);
		else
			answer_message(w, &k->m, code, &k->o);
		return code;
	}
	struct ack_batch_walk bw = {0};
	struct hl7_msg m;
	struct outcome mo;
	enum ack_batch_step step;
	while ((step = ack_batch_next(&bw, &k->b)) != ACK_BATCH_END) {
		if (step == ACK_BATCH_HEADER) {
			answer_batch_header(w, &k->b, bw.piece);
		} else if (step == ACK_BATCH_TRAILER) {
			answer_batch_trailer(w, &k->b, bw.kind, bw.count);
		} else {
			enum ack_code code = message_verdict(r, k, bw.piece, &m, &mo);
			if (code != ACK_NONE) {
				answer_message(w, &m, code, &mo);
				ack_batch_answered(&bw);
			}
		}
	}
	/* A batch of acknowledgements only is not answered (no ACK of an ACK). */
	*answered = bw.answered > 0 || k->b.messages == 0;
	return ACK_NONE;
}

/* ---- the log: fields only, never content ---- */

/* The log line of one message (of a batch when batch_id is not NULL). */
static void log_message(const struct receiver *r, const struct hl7_msg *m, size_t size,
			enum ack_code code, const struct outcome *o, long long t0,
			const char *batch_id)
{
	if (!log_enabled(LOG_INFO))
		return;
	char id[264], type[264], version[264], extra[1000] = "";
	struct hl7_span s;
	s = hl7_msh(m, 10, 0);
	log_sanitise(id, sizeof id, s.p, s.len);
	s = hl7_msh(m, 9, 0);
	log_sanitise(type, sizeof type, s.p, s.len);
	s = hl7_msh(m, 12, 0);
	log_sanitise(version, sizeof version, s.p, s.len);
	if (batch_id)
		snprintf(extra, sizeof extra, " batch=%s", batch_id);
	if (o->what != ACK_OUTCOME_ACCEPT) {
		char text[sizeof o->err_text * 4 + 8];
		log_sanitise_text(text, sizeof text, o->err_text);
		snprintf(extra + strlen(extra), sizeof extra - strlen(extra), " error=\"%s\"",
			 text);
	}
	char sz[32], us[32];
	snprintf(sz, sizeof sz, "%zu", size);
	snprintf(us, sizeof us, "%lld", monotime_us() - t0);
	const char *sink = o->sink[0] ? o->sink : "none";
	struct log_field fields[] = {
	    {"HL7_CONTROL_ID", id},
	    {"HL7_MESSAGE_TYPE", type},
	    {"HL7_VERSION", version},
	    {"HL7_SIZE", sz},
	    {"MLLP_ACK_CODE", ack_code_name(code)},
	    {"MLLP_SINK", sink},
	    {"MLLP_DURATION_US", us},
	    {"REMOTE_ADDR", r->peer->addr},
	    {"REMOTE_PORT", r->peer->port},
	    {"HL7_BATCH_CONTROL_ID", batch_id},
	};
	log_event(o->what == ACK_OUTCOME_ACCEPT ? LOG_INFO : LOG_WARNING, MSGID_MESSAGE, fields,
		  sizeof fields / sizeof fields[0] - (batch_id ? 0 : 1),
		  "%s: message id=%s type=%s version=%s size=%s ack=%s sink=%s us=%s%s",
		  r->peer->label, id, type, version, sz, ack_code_name(code), sink, us, extra);
}

/* The lines of a block: each message's, and a batch's own. */
static void log_block(const struct receiver *r, const struct block *k, enum ack_code code)
{
	/* A batch counts each message under its own answer: below, or its replayed ACKs. */
	unsigned long n = k->batch && !k->broken ? 0 : 1;
	unsigned long dups = !k->duplicate ? 0 : k->batch ? k->b.messages : 1;
	metrics_block(r->cfg, k->duplicate ? k->replayed : code, n, k->size, dups);
	if (!k->batch) {
		log_message(r, &k->m, k->size, k->duplicate ? k->replayed : code, &k->o, k->t0,
			    NULL);
		return;
	}
	if (k->broken) {
		log_line(LOG_WARNING, "%s: batch refused: %s (byte %zu) size=%zu ack=AR",
			 r->peer->label, k->o.err_text, k->b.err_offset, k->len);
		return;
	}
	if (k->duplicate) {
		log_line(LOG_INFO,
			 "%s: batch id=%s messages=%zu size=%zu outcome=duplicate sink=duplicate",
			 r->peer->label, k->batch_id, k->b.messages, k->len);
		return;
	}
	size_t cursor = 0;
	enum hl7_batch_kind kind;
	struct hl7_span piece;
	struct hl7_msg m;
	struct outcome mo;
	while (hl7_batch_next(&k->b, &cursor, &kind, &piece))
		if (kind == HL7_BATCH_MESSAGE) {
			enum ack_code c = message_verdict(r, k, piece, &m, &mo);
			metrics_block(r->cfg, c, 1, 0, 0);
			log_message(r, &m, piece.len, c, &mo, k->t0, k->batch_id);
		}
	if (!log_enabled(LOG_INFO))
		return;
	int ok = k->o.what == ACK_OUTCOME_ACCEPT;
	char text[sizeof k->o.err_text * 4 + 8] = "";
	if (!ok)
		log_sanitise_text(text, sizeof text, k->o.err_text);
	log_line(ok ? LOG_INFO : LOG_WARNING,
		 "%s: batch id=%s messages=%zu size=%zu outcome=%s sink=%s us=%lld%s%s%s",
		 r->peer->label, k->batch_id, k->b.messages, k->len,
		 ok				   ? "delivered"
		 : k->o.what == ACK_OUTCOME_REJECT ? "refused"
						   : "failed",
		 k->o.sink[0] ? k->o.sink : "none", monotime_us() - k->t0, ok ? "" : " error=\"",
		 text, ok ? "" : "\"");
}

/* ---- the pipeline ---- */

void block_begin(struct receiver *r, struct block *k, const char *data, size_t len,
		 const char *refusal, size_t size)
{
	memset(k, 0, sizeof *k);
	k->data = data;
	k->len = len;
	k->size = size;
	k->refusal = refusal;
	k->t0 = monotime_us();
	r->blocks++;
	k->batch = !refusal && hl7_batch_is(data, len);
	validate(r, k);
	sender_check_block(r, k);
	if (k->o.what == ACK_OUTCOME_ACCEPT && r->cfg->dedupe_window)
		dedupe_check(r, k);
}

int block_end(struct receiver *r, struct block *k)
{
	struct answer w;
	int answered = 0, rc = 0;

	if (k->duplicate) {
		log_block(r, k, k->replayed);
		return 0;
	}
	answer_begin(&w, r->out);
	enum ack_code code = answer_block(r, k, &w, &answered);
	if (k->locked)
		dedupe_done(r, k, w.failed || !answered ? "" : answer_bytes(&w),
			    w.failed || !answered ? 0 : w.used);
	if (answered && answer_end(&w) < 0) {
		log_line(LOG_ERR, "%s: out of memory for an acknowledgement", r->peer->label);
		rc = -1;
	}
	log_block(r, k, code);
	return rc;
}

/* The pipeline: validate, sender check, dedupe, deliver, answer, log. */
int block_handle(struct receiver *r, const char *data, size_t len, const char *refusal, size_t size)
{
	struct block k;

	block_begin(r, &k, data, len, refusal, size);
	if (k.o.what == ACK_OUTCOME_ACCEPT && !k.duplicate)
		sink_deliver(&r->sinks, &k.f,
			     k.batch ? (struct hl7_span){NULL, 0} : hl7_msh(&k.m, 10, 0), data, len,
			     &k.o);
	return block_end(r, &k);
}

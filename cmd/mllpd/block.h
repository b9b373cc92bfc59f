/* SPDX-License-Identifier: MIT */
/* block.h: one block (a message, or a whole batch) through validate, sender check, dedupe, deliver,
 * answer, log. */
#ifndef MLLPD_BLOCK_H
#define MLLPD_BLOCK_H

#include <stddef.h>

#include "answer.h"
#include "batch.h"
#include "dedupe.h"
#include "mllpd.h"
#include "sink.h"

struct group;

/* What the pipeline keeps for one connection. */
struct receiver {
	const struct config *cfg;
	const struct peer *peer;
	const char *tls_peer; /* the client certificate's subject, or "" */
	const char
	    *allow_names; /* with --tls-allow: its identities, NUL-separated, "" last; NULL: none */
	struct answers *out; /* where answers go, framed */
	struct sinks sinks;
	struct dedupe dedupe; /* --dedupe: the shared record, opened on first use */
	int dedupe_ok;
	unsigned long long blocks, duplicates;
	struct group *group; /* --spool alone, durable: group commit (group.h); NULL: none */
};

/* A block on its way through the pipeline. */
struct block {
	const char *data;
	size_t len, size;    /* size: on the wire, for the log */
	const char *refusal; /* refused as a frame (too large, ...) */
	int batch;	     /* starts with FHS or BHS */
	int broken;	     /* a batch whose structure is wrong: one plain AR */
	struct hl7_batch b;
	struct hl7_msg m; /* a message, parsed (also a broken batch, for its minimal NAK) */
	struct block_fields f;
	struct outcome o;   /* the block's: delivered, failed or refused */
	size_t refused;	    /* messages of a batch refused by their own checks */
	char batch_id[264]; /* sanitised, for the log */
	long long t0;
	/* --dedupe */
	struct dedupe_unit unit;
	int locked, duplicate;
	enum ack_code replayed;
};

/* Set up for one connection; 0, or -1 (out of memory). */
int receiver_init(struct receiver *r, const struct config *cfg, const struct peer *peer,
		  const char *tls_peer, const char *allow_names, struct answers *out, char **envp);
void receiver_close(struct receiver *r);

/*
 * Take the block data[0..len) (an MLLP frame's content) through the
 * pipeline: validate it (a message with hl7_parse(), a batch with
 * hl7_batch_parse() and each of its messages), check every sender it
 * claims against --tls-allow, look it up in --dedupe, deliver it to the
 * sinks, append its answer to r->out, and log it.  refusal, when not NULL,
 * refuses the frame before any of that (it is too large, ...: AR with that
 * text); size is then the frame's size on the wire.
 * Returns 0, or -1 when the connection must end (out of memory for an answer: logged).
 */
int block_handle(struct receiver *r, const char *data, size_t len, const char *refusal,
		 size_t size);

/*
 * block_handle() in two halves around the delivery, for group commit
 * (group.c): block_begin() validates, checks the senders and looks the
 * block up in --dedupe; the caller then delivers it when k->o.what is
 * ACK_OUTCOME_ACCEPT and it is no duplicate; block_end() answers, records
 * it in --dedupe and logs it.  block_end() returns as block_handle() does.
 */
void block_begin(struct receiver *r, struct block *k, const char *data, size_t len,
		 const char *refusal, size_t size);
int block_end(struct receiver *r, struct block *k);

/* The sender check (sender.c): --tls-allow on every sender the block claims. */
void sender_check_block(struct receiver *r, struct block *k);
/* One message's own checks: hl7_parse() and --tls-allow (not logged); 0, or the refusal in *o. */
int sender_check_message(const struct receiver *r, struct hl7_msg *m, struct hl7_span p,
			 struct outcome *o);

#endif

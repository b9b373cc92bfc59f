/* SPDX-License-Identifier: MIT */
/* block.h: one block (a message, or a whole batch) through validate, sender check, dedupe, deliver,
 * answer, log. */
#ifndef MLLPD_BLOCK_H
#define MLLPD_BLOCK_H

#include <stddef.h>

#include "answer.h"
#include "dedupe.h"
#include "mllpd.h"
#include "sink.h"

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

#endif

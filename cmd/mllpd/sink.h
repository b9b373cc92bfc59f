/* SPDX-License-Identifier: MIT */
/* sink.h: deliver a block to the spool, the --exec command, or both, and say what came of it. */
#ifndef MLLPD_SINK_H
#define MLLPD_SINK_H

#include <stddef.h>

#include "ack.h"
#include "exec.h"
#include "hl7.h"
#include "mllpd.h"
#include "spool.h"

/* What came of a block: the outcome, the error for the ACK, what each sink did (for the log). */
struct outcome {
	enum ack_outcome what;
	int err_code;	    /* table 0357, when not accepted */
	char err_text[160]; /* plain text for MSA-3/ERR and error= in the log */
	char sink[160];	    /* "spool:ok,exec:ok", ... for sink= in the log */
	/* A command's own acknowledgement of a message, to be sent as it is (see sink_deliver()).
	 */
	const char *printed;
	size_t printed_len;
	enum ack_code printed_code;
};

/* Set a refusal or failure: what, the code, and the text (printf). */
void outcome_fail(struct outcome *o, enum ack_outcome what, int err_code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Append "part" to o->sink (comma-separated). */
void outcome_sink(struct outcome *o, const char *part);

/*
 * What --exec is told of a block: a message's MSH fields, or a batch's
 * header fields (batch 1).
 */
struct block_fields {
	struct hl7_span control_id, type, code, trigger, version, processing;
	struct hl7_span sending_app, sending_fac, receiving_app, receiving_fac;
	int batch;
	char batch_messages[24];
};

struct sinks {
	const struct config *cfg;
	const struct peer *peer;
	const char *tls_peer; /* the client certificate's subject, or "" */
	char **envp;	      /* mllpd's environment, less what commands must not inherit */
	struct spool spool;
	int spool_ok;	      /* spool opened */
	int spool_stale;      /* a step failed: closed and opened afresh by sinks_spool_ready() */
	struct exec_cmd exec; /* --exec CMD, split once */
	int exec_ok;
	char *exec_out; /* the command's output, then its ACK normalised */
};

/* Set up for one connection.  0, or -1 (out of memory). */
int sinks_init(struct sinks *s, const struct config *cfg, const struct peer *peer,
	       const char *tls_peer, char **envp);
void sinks_close(struct sinks *s);

/* Open the spool on first use, and again after a failure (the spool is stale, and whoever
 * calls this with group commit has no group in flight): 0, or -1 with errno and *what naming
 * the part that failed. */
int sinks_spool_ready(struct sinks *s, const char **what);

/* While waiting for input: open the next spool file ahead (spool_prepare()). */
void sinks_idle(struct sinks *s);

/*
 * Deliver data[0..len) to every sink; o->what says whether it was.
 * Order: with the spool alone, a durable file in new/; with --exec alone,
 * the command's verdict; with both, the file is made durable in tmp/ (the
 * command gets its path in MLLP_SPOOL_FILE), and goes to new/ only when
 * the command accepted it, else to failed/: no reader of new/ ever takes a
 * message the command has not accepted.
 *
 * A command's printed acknowledgement of a message (not of a batch) that
 * every ACK reader reads as one for control_id (ackread_answer()) is kept
 * in o->printed when it may be sent: after exit 0 whatever its code (and a
 * negative one makes the outcome negative), after exit 65 or another
 * failure only when it is not positive; never after a timeout or a
 * signal.  Anything else it printed is ignored (logged when it began with
 * MSH).  o->printed is valid until the next sink_deliver().
 */
void sink_deliver(struct sinks *s, const struct block_fields *f, struct hl7_span control_id,
		  const char *data, size_t len, struct outcome *o);

/*
 * Group commit, for the spool alone (no --exec): sink_stage() writes data
 * to the spool's tmp/ in *st, not yet durable (0; or -1 with the AE in o,
 * logged).  The group's files are then made durable in new/ together
 * (spool_commit_group(), or its steps from a flusher thread: group.c), and
 * sink_committed() sets o to the outcome of every one of them from err,
 * the errno of the step that failed, or 0: spool:ok, or the AE of the
 * failed flush (logged once; none of them is then in new/).  Neither closes
 * the spool, which flusher threads may be using: a failure makes it stale,
 * and group.c finishes every group before the next sink_stage() opens it
 * afresh.
 */
int sink_stage(struct sinks *s, const char *data, size_t len, struct spool_staged *st,
	       struct outcome *o);
void sink_committed(struct sinks *s, int err, struct outcome *o);

#endif

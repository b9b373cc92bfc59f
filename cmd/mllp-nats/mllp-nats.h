/* SPDX-License-Identifier: MIT */
/* mllp-nats.h: what main.c, pub.c and drain.c share. */
#ifndef MLLP_NATS_H
#define MLLP_NATS_H

#include <stddef.h>

#include <nats/nats.h>

#include "natsname.h"

/* The longest message read from stdin or a spool file. */
#define NATS_MAX_MESSAGE (64u * 1024 * 1024)

struct config {
	char **servers; /* --server, split at ',' (into servers_buf) */
	char *servers_buf;
	int nservers;
	const char *subject; /* the template, checked */
	int timeout_ms;	     /* --timeout: connection, then each message's acknowledgement */
	const char *drain_dir;
	int watch;
	int inflight; /* --inflight: publishes in flight with --drain */
};

/* The outcome of one message. */
enum pub_result {
	PUB_OK,	      /* acknowledged by the stream (stored now or before) */
	PUB_TEMPFAIL, /* no answer in time, no responders, no leader: try again later */
	PUB_REFUSED,  /* the stream refused the message: do not resend */
};

struct pub {
	const struct config *cfg;
	natsOptions *opts;
	natsConnection *nc;
	jsCtx *js;
};

/*
 * Connect to one of the servers, trying them all again until cfg->timeout_ms has passed.
 * forever: once connected, reconnect after a loss without limit (the forwarder); else for a
 * while.  Returns 0, or -1 with why filled (pub_close() it all the same).
 */
int pub_connect(struct pub *p, const struct config *cfg, int forever, char *why, size_t cap);

/*
 * Publish data[0..len) with its subject and Nats-Msg-Id and wait for the PubAck, retrying
 * what is temporary until timeout_ms from now.  *duplicate is set when the stream had it
 * already.  why (cap bytes) names the failure: message ID and reason, never content.
 */
enum pub_result pub_message(struct pub *p, const char *data, size_t len, int *duplicate, char *why,
			    size_t cap);

/* The subject look-up (natsname.h): %{PATH} from the struct hl7_msg ctx (NULL: empty values,
 * paths still checked), $NAME from the environment. */
int pub_lookup(void *ctx, enum natsname_ref kind, const char *name, size_t len,
	       struct hl7_span *val);

/* Close the connection and free what pub_connect() made. */
void pub_close(struct pub *p);

/* --drain DIR: forward the spool's new/; returns the exit status. */
int drain_spool(const struct config *cfg);

#endif

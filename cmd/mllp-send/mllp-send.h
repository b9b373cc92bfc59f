/* SPDX-License-Identifier: MIT */
/* mllp-send.h: what the parts of mllp-send share: options, the connection seam, the ACK session. */
#ifndef MLLP_SEND_H
#define MLLP_SEND_H

#include <stddef.h>
#include <sys/types.h>
#include <sysexits.h>

#include "ackread.h"
#include "hl7.h"
#include "mllp.h"
#include "monotime.h"
#include "stream.h"
#include "termsafe.h"

/*
 * Exit statuses: <sysexits.h> (EX_DATAERR input not HL7, EX_NOINPUT a file
 * cannot be opened, EX_UNAVAILABLE the peer cannot be reached, EX_TEMPFAIL
 * ACK timeout or connection lost, EX_PROTOCOL not an ACK, EX_CONFIG a TLS
 * file cannot be used), and this one of mllp-send's own:
 */
#define EXIT_NEGATIVE 1 /* some message answered AE/AR/CE/CR */

struct tlsio_ctx;
struct tlsio_conn;

/* Largest message sent and largest ACK read (documented in mllp-send.1). */
#define SEND_MAX_MESSAGE ((size_t)16 << 20)
#define SEND_MAX_ACK ((size_t)1 << 20)
/*
 * --drain: a message file larger than SEND_MAX_MESSAGE is streamed from
 * disk in SEND_STREAM_CHUNK pieces, up to mllpd's largest
 * --max-message-size; its first SEND_STREAM_CHUNK bytes must hold its MSH.
 */
#define SEND_MAX_STREAM ((long long)1 << 30)
#define SEND_STREAM_CHUNK ((size_t)1 << 20)

struct config {
	const char *target; /* HOST:PORT as given, for messages */
	char host[256];
	char port[16];
	double timeout;	 /* seconds to wait for a connection, a write, an ACK */
	unsigned window; /* messages in flight */
	int unordered;	 /* --drain with window > 1: the user accepts a bounded reorder */
	int print_ack;
	int quiet;
	const char *drain_dir;
	int watch;
	int delete_acked;
	int no_fsync;
	long retry_max;	    /* consecutive retries before giving up; -1: never give up */
	double retry_delay; /* first back-off, seconds */
	double retry_max_delay;
	struct tlsio_ctx *tls; /* NULL: plain TCP */
};

/* Split "HOST:PORT" ("[v6]:PORT" too).  Returns 0, or -1 with *why set. */
int net_parse_target(const char *spec, char *host, size_t hcap, char *port, size_t pcap,
		     const char **why);

/*
 * Connect a plain TCP connection to host:port, trying every address, each
 * within timeout_ms (also the bound of one TLS write), as the stream c
 * (lib/stream).  Returns 0, or -1 (c->fd is then -1) with a reason in why
 * (e.g. "connect: Connection refused").
 */
int net_connect(struct stream *c, const char *host, const char *port, int timeout_ms, char *why,
		size_t whycap);

/*
 * With tls non-NULL, net_connect() then runs the TLS handshake (server
 * verified as the context says, its name checked against host) within
 * timeout_ms; a failure reads "TLS handshake: <reason>".
 */
int net_connect_tls(struct stream *c, struct tlsio_ctx *tls, const char *host, const char *port,
		    int timeout_ms, char *why, size_t whycap);

/* Copy len bytes to dst as printable ASCII (\xNN otherwise: lib/termsafe), NUL-terminated, cut
 * at a whole \xNN to fit cap (>= 5). */
static inline void sanitise(char *dst, size_t cap, const char *p, size_t len)
{
	termsafe_ascii(dst, cap, p, len, "");
}

/*
 * Messages a conforming receiver answers with nothing, whatever becomes of
 * them (lib/ack's ack_choose() in auto mode, as mllpd answers): they are
 * sent once and not waited for.
 */
enum noack {
	NOACK_NO,  /* an answer is due */
	NOACK_NE,  /* MSH-15 and MSH-16 both NE, or one NE and the other empty */
	NOACK_ACK, /* an acknowledgement (MSH-9.1 ACK) */
};

/* A message waiting for its ACK, or a batch waiting for its answer. */
struct flight {
	char *id; /* MSH-10, raw (a batch: its first message's) */
	size_t idlen;
	char *label; /* file name for the output line */
	int index;   /* caller's use */
	/* A batch (batch = 1): its nmsg messages' MSH-10s, ids + off[i] for off[i + 1] - off[i]
	 * bytes. */
	int batch;
	size_t nmsg;
	char *ids;
	size_t *off;
	char *batch_id, *file_id; /* BHS-11 and FHS-11, NUL-terminated (may be empty) */
	size_t batch_idlen, file_idlen;
	unsigned char *isack; /* a batch: 1 for each message that is an ACK (it gets no ACK) */
};

/* What batch_check() found in a batch: spans borrow from the checked block. */
struct batch_ids {
	int batch;	      /* 1: a batch was checked (n may be 0: a batch without messages) */
	struct hl7_span *id;  /* MSH-10 of each message, in order */
	unsigned char *isack; /* 1 for each message that is an ACK: mllpd answers it with nothing */
	size_t n, cap;
	size_t nack;		  /* how many are */
	struct hl7_span batch_id; /* BHS-11 of the first BHS, or empty */
	struct hl7_span file_id;  /* FHS-11, or empty */
};

enum sess_result {
	SESS_OK, /* written (session_send), or an ACK matched a message in flight (session_wait) */
	SESS_TIMEOUT,  /* no ACK (or no write progress) within the timeout */
	SESS_CLOSED,   /* the peer closed or reset the connection */
	SESS_IO,       /* another read/write error (errno in why) */
	SESS_PROTOCOL, /* the peer sent something that is not an expected ACK */
	SESS_SKIPPED,  /* session.c only: an ACK of a message sent without waiting, skipped */
	SESS_FILE,     /* session_send_fd(): the file could not be read (errno text in why) */
};

#define BATCH_WHOLE ((size_t)-1) /* a result for a batch without messages */

/* One ACK of the answer to a batch, or a message of the batch it left without one. */
struct batch_result {
	size_t msg;	     /* the message (0-based in the batch), or BATCH_WHOLE */
	struct hl7_span ack; /* its ACK, inside the answer frame; empty: none */
	int dup;	     /* the same ACK as the result before (one NAK for the whole batch) */
	int noack;	     /* an ACK message of the batch, left without an ACK as it should be */
};

struct session {
	const struct config *cfg;
	struct stream conn; /* conn.fd < 0: not connected */
	struct mllp_framer fr;
	char *ackbuf;
	char *wbuf; /* the framed message being written */
	char rbuf[16384];
	size_t rpos, rlen;
	struct flight *q; /* in flight, oldest first */
	unsigned n;
	/* The answer to the batch in flight (q[0]), served one result per session_wait(). */
	struct batch_result *res;
	size_t nres, next;
	char why[256]; /* reason for the last result other than SESS_OK */
	/* Control IDs of the latest messages sent without waiting: an ACK for one is skipped. */
	char *noack_id[64];
	size_t noack_len[64];
	unsigned noack_next;
	int noack_sent; /* such a message was written on this connection */
};

/* What session_wait() got. */
struct sess_ack {
	struct flight f; /* the message it answers (owned by the caller now: flight_free) */
	struct hl7_msg m;
	struct ackread a;
	const char *raw; /* the ACK, unframed, borrowed until the next session call */
	size_t rawlen;
	/* A result of a batch (f is then one of its messages, label the batch's): */
	int batch;   /* 1 for a result of a batch */
	int last;    /* the batch's last result: every message of it is settled */
	int missing; /* the answer holds no ACK for this message (code "", not positive) */
	int noack;   /* ... and the message is an ACK, which gets none: settled, not negative */
	int empty;   /* a batch without messages answered without a NAK: nothing to report */
	int dup;     /* raw is the ACK of the result before, answering the whole batch */
	const char *frame; /* the whole answer, unframed, as raw */
	size_t framelen;
};

int session_init(struct session *s, const struct config *cfg);
void session_free(struct session *s);
int session_connected(const struct session *s);
/* Connect; 0, or -1 with s->why. */
int session_connect(struct session *s);
/* Close the connection and forget what was in flight. */
void session_close(struct session *s);
/*
 * Frame msg and write it; the flight (id, label copied) joins the queue.
 * SESS_OK: written.  With noack (not NOACK_NO) nothing joins the queue: the
 * message is done once written; an ACK that a receiver sends for it anyway
 * (original mode answers everything) is skipped by session_wait().
 */
enum sess_result session_send(struct session *s, const char *msg, size_t len, struct hl7_span id,
			      const char *label, int index, enum noack noack);
/*
 * As session_send(), for a message too large to hold: read from fd (from
 * where it stands to its end) in pieces of cap bytes through buf, its
 * separators normalised on the way (lib/segnorm), framed and written as
 * read; each piece must be written within the timeout.
 */
enum sess_result session_send_fd(struct session *s, int fd, char *buf, size_t cap,
				 struct hl7_span id, const char *label, int index,
				 enum noack noack);
/*
 * End the connection.  When messages needing no ACK were written on it:
 * first half-close it and wait (within the timeout) for the peer to close
 * its side, so that they are read before the connection goes (a close
 * with unread bytes would reset it and could drop them).
 */
void session_finish(struct session *s);
/*
 * Frame a batch and write it as one block; it joins the queue as one flight
 * (ids copied; a batch without messages too).  Only when nothing is in flight (s->n == 0); send
 * nothing else until its last result is in.
 */
enum sess_result session_send_batch(struct session *s, const char *block, size_t len,
				    const struct batch_ids *ids, const char *label, int index);
/* 1 when a batch is in flight (nothing else may be sent), else 0. */
int session_batch_busy(const struct session *s);
/*
 * Wait for the next ACK of a message in flight (s->n > 0).  A batch's
 * answer (an acknowledgement batch, or one ACK) is read and checked whole,
 * then served one result per call, in the order of its ACKs, then the
 * messages it left without one (missing); the batch leaves the queue with
 * its last result.  A batch without messages gets one result: empty, or
 * the NAK that answered it (f.id empty).
 */
enum sess_result session_wait(struct session *s, struct sess_ack *out);
/* When idle: 1 if the peer has closed (the connection is then closed), else 0. */
int session_peer_gone(struct session *s);
void flight_free(struct flight *f);

/* The ACK code and text as one output line: "LABEL ID CODE[ TEXT]". */
void print_result(const struct config *cfg, const struct sess_ack *k);
/* A message sent without waiting, as one output line: "LABEL ID none TEXT" (nothing with -q or
 * --print-ack). */
void print_noack(const struct config *cfg, const char *label, struct hl7_span id, enum noack n);

/* The two modes. */
int send_files(const struct config *cfg, char **files, int nfiles);
int drain_spool(const struct config *cfg);

/* The summary text of a message sent without waiting: "no ACK requested (MSH-15/MSH-16)"... */
const char *noack_text(enum noack n);

/*
 * Check one message before it is sent (already normalised): the checks of
 * hl7_parse(), except an MSH-12 the parser does not know.  Returns NULL and
 * the control ID in *id (and in *noack, when not NULL, whether an answer is
 * due), or the reason it is not an HL7 message.
 */
const char *message_check(const char *p, size_t len, struct hl7_span *id, enum noack *noack);

/*
 * Check a batch before it is sent (already normalised): its structure
 * (lib/batch), then message_check() on each message.  Returns 0 with
 * ids->batch set and the control IDs in *ids (its array grown as needed:
 * batch_ids_free; none for a batch without messages), or -1
 * with the reason in why: "not an HL7 batch: ..." or "batch message N:
 * not an HL7 message: ...".
 */
int batch_check(const char *p, size_t len, struct batch_ids *ids, char *why, size_t whycap);
void batch_ids_free(struct batch_ids *ids);

/* 1 for a batch whose messages are all ACKs (at least one): mllpd answers it with nothing, else 0.
 */
int batch_unanswered(const struct batch_ids *ids);

#endif

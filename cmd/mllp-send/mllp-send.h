/* SPDX-License-Identifier: MIT */
/* mllp-send.h: what the parts of mllp-send share: options, the connection seam, the ACK session. */
#ifndef MLLP_SEND_H
#define MLLP_SEND_H

#include <stddef.h>
#include <sys/types.h>

#include "ackread.h"
#include "hl7.h"
#include "mllp.h"

/* sysexits.h values, named here so every part uses the same. */
enum {
	EXIT_NEGATIVE = 1,   /* some message answered AE/AR/CE/CR */
	EXIT_USAGE = 64,
	EXIT_DATAERR = 65,   /* input is not an HL7 message */
	EXIT_NOINPUT = 66,   /* a file cannot be opened */
	EXIT_UNAVAILABLE = 69, /* the peer cannot be reached */
	EXIT_OSERR = 71,
	EXIT_IOERR = 74,
	EXIT_TEMPFAIL = 75,  /* ACK timeout, connection lost, gave up retrying */
	EXIT_PROTOCOL = 76,  /* the peer answered something that is not an ACK */
	EXIT_CONFIG = 78,    /* a TLS file cannot be used */
};

struct tlsio_ctx;
struct tlsio_conn;

/* Largest message sent and largest ACK read (documented in mllp-send.1). */
#define SEND_MAX_MESSAGE ((size_t)16 << 20)
#define SEND_MAX_ACK ((size_t)1 << 20)

struct config {
	const char *target;   /* HOST:PORT as given, for messages */
	char host[256];
	char port[16];
	double timeout;       /* seconds to wait for a connection, a write, an ACK */
	unsigned window;      /* messages in flight */
	int print_ack;
	int quiet;
	const char *drain_dir;
	int watch;
	int delete_acked;
	int no_fsync;
	long retry_max;       /* consecutive retries before giving up; -1: never give up */
	double retry_delay;   /* first back-off, seconds */
	double retry_max_delay;
	struct tlsio_ctx *tls; /* NULL: plain TCP */
};

/*
 * The connection: a byte stream behind read/write functions, so that TLS
 * (a later issue) plugs in here and nothing else changes.  fd is what
 * poll() waits on.
 */
struct conn {
	int fd;
	ssize_t (*read)(struct conn *c, void *buf, size_t len);
	ssize_t (*write)(struct conn *c, const void *buf, size_t len);
	void (*close)(struct conn *c);
	/* Bytes already read and decrypted: take them before poll() on fd. */
	size_t (*pending)(struct conn *c);
	struct tlsio_conn *tls;
	int timeout_ms;         /* bound of one TLS write */
};

/* Split "HOST:PORT" ("[v6]:PORT" too).  Returns 0, or -1 with *why set. */
int net_parse_target(const char *spec, char *host, size_t hcap, char *port, size_t pcap, const char **why);

/*
 * Connect a plain TCP connection to host:port, trying every address, each
 * within timeout_ms.  Returns 0, or -1 with a reason in why (e.g.
 * "connect: Connection refused").
 */
int net_connect(struct conn *c, const char *host, const char *port, int timeout_ms, char *why, size_t whycap);

/*
 * With tls non-NULL, net_connect() then runs the TLS handshake (server
 * verified as the context says, its name checked against host) within
 * timeout_ms; a failure reads "TLS handshake: <reason>".
 */
int net_connect_tls(struct conn *c, struct tlsio_ctx *tls, const char *host, const char *port, int timeout_ms,
		    char *why, size_t whycap);

/* Milliseconds of a monotonic clock. */
long long now_ms(void);

/* Copy len bytes to dst as printable ASCII (\xNN otherwise), at most about cap - 1 bytes, NUL-terminated. */
void sanitise(char *dst, size_t cap, const char *p, size_t len);

/* A message waiting for its ACK. */
struct flight {
	char *id;      /* MSH-10, raw */
	size_t idlen;
	char *label;   /* file name for the output line */
	int index;     /* caller's use */
};

enum sess_result {
	SESS_OK,       /* written (session_send), or an ACK matched a message in flight (session_wait) */
	SESS_TIMEOUT,  /* no ACK (or no write progress) within the timeout */
	SESS_CLOSED,   /* the peer closed or reset the connection */
	SESS_IO,       /* another read/write error (errno in why) */
	SESS_PROTOCOL, /* the peer sent something that is not an expected ACK */
};

struct session {
	const struct config *cfg;
	struct conn conn;       /* conn.fd < 0: not connected */
	struct mllp_framer fr;
	char *ackbuf;
	char *wbuf;             /* the framed message being written */
	char rbuf[16384];
	size_t rpos, rlen;
	struct flight *q;       /* in flight, oldest first */
	unsigned n;
	char why[256];          /* reason for the last result other than SESS_OK */
};

/* What session_wait() got. */
struct sess_ack {
	struct flight f;        /* the message it answers (owned by the caller now: flight_free) */
	struct hl7_msg m;
	struct ackread a;
	const char *raw;        /* the ACK, unframed, borrowed until the next session call */
	size_t rawlen;
};

int session_init(struct session *s, const struct config *cfg);
void session_free(struct session *s);
int session_connected(const struct session *s);
/* Connect; 0, or -1 with s->why. */
int session_connect(struct session *s);
/* Close the connection and forget what was in flight. */
void session_close(struct session *s);
/* Frame msg and write it; the flight (id, label copied) joins the queue.  SESS_OK: written. */
enum sess_result session_send(struct session *s, const char *msg, size_t len, struct hl7_span id, const char *label,
			      int index);
/* Wait for the next ACK of a message in flight (s->n > 0). */
enum sess_result session_wait(struct session *s, struct sess_ack *out);
/* When idle: 1 if the peer has closed (the connection is then closed), else 0. */
int session_peer_gone(struct session *s);
void flight_free(struct flight *f);

/* The ACK code and text as one output line: "LABEL ID CODE[ TEXT]". */
void print_result(const struct config *cfg, const struct sess_ack *k);

/* The two modes. */
int send_files(const struct config *cfg, char **files, int nfiles);
int drain_spool(const struct config *cfg);

/*
 * Check one message before it is sent (already normalised): the checks of
 * hl7_parse(), except an MSH-12 the parser does not know.  Returns NULL and
 * the control ID in *id, or the reason it is not an HL7 message.
 */
const char *message_check(const char *p, size_t len, struct hl7_span *id);

#endif

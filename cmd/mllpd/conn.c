/* SPDX-License-Identifier: MIT */
/* conn.c: the connection loop: read, frame, time out, write; each block goes to the pipeline
 * (block.c). */
#include "mllpd.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "answer.h"
#include "batch.h"
#include "block.h"
#include "group.h"
#include "log.h"
#include "monotime.h"
#include "selfpipe.h"
#include "mllp.h"
#include "proxyin.h"
#include "stream.h"
#include "tlsio.h"

/* journald MESSAGE_ID of the connection's closing line. */
#define MSGID_CONNECTION "7b0c4f3d2a6e4e1f9d8a5b6c7d8e9f02"

#define READ_CHUNK 65536
/* The frame buffer starts at this size and doubles as frames need, up to --max-message-size. */
#define FRAME_BUF_START 65536

struct conn {
	const struct config *cfg;
	const struct peer *peer;
	char **envp;
	struct stream io; /* the connection's bytes, plain or TLS */
	struct mllp_framer framer;
	char *frame_buf;
	struct answers out;   /* framed answers not yet written */
	struct receiver recv; /* the pipeline's state */
	int batch;	      /* sinks are fast: write answers once per read */
	int read_waits; /* between frames, read() itself waits: no poll() (see direct_read_setup) */
	unsigned long long bytes_in, bytes_out;
	int gone; /* the peer stopped reading */
	const char *gone_reason;
	int junk_logged;
	/* Deadlines (monotime_us(), 0: none): the frame's own, and the idle one, which restarts at
	 * the start and after each frame, not on junk between frames. */
	long long frame_deadline, idle_deadline;
	int restart_idle;
	char tls_peer[512]; /* client certificate subject (mutual TLS), or empty */
	char *allow_names;  /* with --tls-allow: the certificate's identities (tlsio_peer_names);
			       NULL: none */
};

static void flush(struct conn *c)
{
	if (c->out.len == 0 || c->gone)
		return;
	/* Within --frame-timeout: a peer that stops reading does not hold the process. */
	if (stream_write_all(&c->io, c->out.p, c->out.len) < 0) {
		if (errno == ETIMEDOUT) {
			log_line(
			    LOG_WARNING,
			    "%s: cannot send the acknowledgement: not read by the peer within %gs",
			    c->peer->label, c->cfg->frame_timeout);
			c->gone_reason = "write-timeout";
		} else {
			log_line(LOG_WARNING, "%s: cannot send the acknowledgement: %s",
				 c->peer->label, strerror(errno));
		}
		c->gone = 1;
	}
	c->bytes_out += c->out.len;
	c->out.len = 0;
}

/* One block to the pipeline; its answer is written at once unless answers are batched. */
static void handle(struct conn *c, const char *refusal)
{
	size_t size = refusal ? c->framer.total : c->framer.frame_len;
	/* Group commit: answered after the flush that covers it (group.h). */
	int (*pipeline)(struct receiver *, const char *, size_t, const char *, size_t) =
	    c->recv.group ? group_add : block_handle;
	if (pipeline(&c->recv, c->frame_buf, c->framer.frame_len, refusal, size) < 0)
		c->gone = 1;
	if (!c->batch || c->out.len >= 65536)
		flush(c);
}

static int wait_ms_until(long long deadline_us)
{
	if (!deadline_us)
		return -1;
	long long left = (deadline_us - monotime_us() + 999) / 1000;
	if (left <= 0)
		return 0;
	return left > 1000000 ? 1000000 : (int)left;
}

/*
 * Between frames, a poll() before each read() only watches for SIGTERM and
 * the idle timeout; on a synchronous sender it is a system call more on the
 * way from a message to its answer.  Where nothing else needs watching (no
 * TLS, no --idle-timeout) and in_fd is a blocking socket, the read waits
 * itself: SIGTERM interrupts it (its handler is installed without
 * SA_RESTART), and a receive timeout bounds the wait should the signal come
 * between the check of selfpipe_stop and the read.  Inside a frame the
 * poll() stays, for --frame-timeout.  Returns 1 when set up.
 */
static int direct_read_setup(const struct config *cfg, int in_fd)
{
	struct timeval bound = {.tv_sec = 2};
	int fl = fcntl(in_fd, F_GETFL);

	if (cfg->tls || cfg->idle_timeout > 0 || fl < 0 || (fl & O_NONBLOCK))
		return 0;
	return setsockopt(in_fd, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound) == 0;
}

/* The handshake, bounded by --tls-handshake-timeout; nothing is read or spooled before it succeeds.
 * 0, or -1 (logged). */
static int conn_tls(struct conn *c)
{
	const struct config *cfg = c->cfg;
	char why[256];
	double limit = cfg->tls_handshake_timeout;

	if (stream_start_tls(&c->io, cfg->tls, NULL, limit > 0 ? config_ms(limit) : -1, why,
			     sizeof why) < 0) {
		log_line(LOG_WARNING, "%s: TLS handshake failed: %s", c->peer->label, why);
		metrics_tls_refused(cfg);
		return -1;
	}
	tlsio_peer_subject(c->io.tls, c->tls_peer, sizeof c->tls_peer);
	if (cfg->allow) {
		/* A name past NAMES_MAX, or not plain text, is left out whole: it never matches. */
		enum { NAMES_MAX = 16384 };
		size_t skipped = 0;
		c->allow_names = malloc(NAMES_MAX);
		if (c->allow_names)
			tlsio_peer_names(c->io.tls, c->allow_names, NAMES_MAX, &skipped);
		if (skipped)
			log_line(LOG_WARNING,
				 "%s: --tls-allow: %zu certificate name(s) ignored (not text, or "
				 "too many)",
				 c->peer->label, skipped);
	}
	log_line(LOG_DEBUG, "%s: TLS %s %s%s%s%s", c->peer->label, tlsio_version(c->io.tls),
		 tlsio_cipher(c->io.tls), c->tls_peer[0] ? " peer=\"" : "", c->tls_peer,
		 c->tls_peer[0] ? "\"" : "");
	return 0;
}

/* Set up the connection: buffers, TLS, the pipeline.  0, or an exit code (logged). */
static int conn_open(struct conn *c)
{
	const struct config *cfg = c->cfg;
	size_t frame_room = cfg->max_message < FRAME_BUF_START ? cfg->max_message : FRAME_BUF_START;
	int one = 1;

	c->frame_buf = malloc(frame_room);
	if (!c->frame_buf || answers_init(&c->out, cfg->ack_application, cfg->ack_facility) < 0) {
		log_line(LOG_ERR, "%s: out of memory", c->peer->label);
		return EX_OSERR;
	}
	c->out.pid = (unsigned long)getpid();
	c->batch = !cfg->exec_cmd && (cfg->no_fsync || !cfg->spool_dir);
	c->read_waits = direct_read_setup(cfg, c->io.fd);
	/* Answers go out as soon as they are written: no Nagle delay on a TCP peer. */
	setsockopt(c->io.wfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	mllp_init(&c->framer, c->frame_buf, cfg->max_message, cfg->strict ? MLLP_STRICT : 0);
	mllp_set_buffer(&c->framer, c->frame_buf, frame_room);
	log_line(LOG_DEBUG, "%s: connected", c->peer->label);
	metrics_connection(cfg);
	if (cfg->tls && conn_tls(c) < 0)
		return EX_PROTOCOL;
	if (receiver_init(&c->recv, cfg, c->peer, c->tls_peer, c->allow_names, &c->out, c->envp) <
	    0) {
		log_line(LOG_ERR, "%s: out of memory", c->peer->label);
		return EX_OSERR;
	}
	return 0;
}

/* A large frame: double the buffer, never past --max-message-size.  0, or -1 (logged). */
static int grow_frame(struct conn *c)
{
	size_t max = c->cfg->max_message;
	size_t room = c->framer.room > max / 2 ? max : c->framer.room * 2;
	char *grown = realloc(c->frame_buf, room);
	if (!grown) {
		log_line(LOG_ERR,
			 "%s: out of memory for a frame of %zu bytes: closing, not acknowledged",
			 c->peer->label, c->framer.total);
		return -1;
	}
	c->frame_buf = grown;
	mllp_set_buffer(&c->framer, grown, room);
	return 0;
}

/* With group commit, the blocks of this read go to be made durable; the answers of those that
 * are, in order. */
static void end_group(struct conn *c)
{
	if (c->recv.group && group_commit(&c->recv) < 0)
		c->gone = 1;
}

/* With group commit, at the end: every group made durable and answered. */
static void finish_groups(struct conn *c)
{
	if (c->recv.group && group_finish(&c->recv) < 0)
		c->gone = 1;
	flush(c);
}

/*
 * Feed n bytes read to the framer; every whole frame goes to the pipeline.
 * Returns 0, or an exit code with *reason when the connection must end.
 */
static int feed_frames(struct conn *c, const char *buf, size_t n, const char **reason)
{
	for (size_t off = 0; off < n && !c->gone;) {
		size_t used;
		enum mllp_event ev = mllp_feed(&c->framer, buf + off, n - off, &used);
		off += used;
		switch (ev) {
		case MLLP_NEED_MORE: break;
		case MLLP_NEED_ROOM:
			if (grow_frame(c) < 0) {
				*reason = "out-of-memory";
				return EX_OSERR;
			}
			break;
		case MLLP_FRAME: handle(c, NULL); break;
		case MLLP_TOO_LARGE: handle(c, "message too large"); break;
		case MLLP_BAD_TRAILER:
			/* An oversized frame is refused as such, whatever its trailer. */
			handle(c, c->framer.total > c->framer.cap
				      ? "message too large"
				      : "frame not ended by 0x1C 0x0D (--strict)");
			break;
		case MLLP_RESTARTED:
			log_line(
			    LOG_WARNING,
			    "%s: start byte inside a frame: %zu bytes dropped, not acknowledged",
			    c->peer->label, c->framer.partial);
			break;
		case MLLP_JUNK:
			log_line(LOG_ERR, "%s: byte outside a frame (--strict): closing",
				 c->peer->label);
			end_group(c);
			flush(c);
			*reason = "protocol-error";
			return EX_PROTOCOL;
		}
		if (c->framer.junk_bytes && !c->junk_logged) {
			c->junk_logged = 1;
			log_line(LOG_WARNING, "%s: bytes outside frames skipped", c->peer->label);
		}
	}
	return 0;
}

static int feed(struct conn *c, const char *buf, size_t n, const char **reason)
{
	int rc = feed_frames(c, buf, n, reason);
	end_group(c);
	return rc;
}

/* The connection's closing line, with its counts. */
static void log_closed(const struct conn *c, long long start, const char *reason)
{
	const struct peer *peer = c->peer;
	double secs = (double)(monotime_us() - start) / 1e6;
	char msgs[32], bin[32], bout[32], junk[32];
	snprintf(msgs, sizeof msgs, "%llu", c->recv.blocks);
	snprintf(bin, sizeof bin, "%llu", c->bytes_in);
	snprintf(bout, sizeof bout, "%llu", c->bytes_out);
	snprintf(junk, sizeof junk, "%llu", c->framer.junk_bytes);
	char tls[600] = "";
	if (c->cfg->dedupe_window)
		snprintf(tls, sizeof tls, " duplicates=%llu", c->recv.duplicates);
	if (c->io.tls) {
		/* The subject is RFC 2253 text (printable ASCII); quotes inside are escaped by it.
		 */
		size_t used = strlen(tls);
		snprintf(tls + used, sizeof tls - used, " tls=%s%s%s%s", tlsio_version(c->io.tls),
			 c->tls_peer[0] ? " tls_peer=\"" : "", c->tls_peer,
			 c->tls_peer[0] ? "\"" : "");
	}
	struct log_field fields[] = {
	    {"REMOTE_ADDR", peer->addr},    {"REMOTE_PORT", peer->port}, {"MLLP_MESSAGES", msgs},
	    {"MLLP_BYTES_IN", bin},	    {"MLLP_BYTES_OUT", bout},	 {"MLLP_JUNK_BYTES", junk},
	    {"MLLP_TLS_PEER", c->tls_peer},
	};
	log_event(
	    LOG_INFO, MSGID_CONNECTION, fields,
	    sizeof fields / sizeof fields[0] - (c->tls_peer[0] ? 0 : 1),
	    "%s: closed: messages=%s bytes_in=%s bytes_out=%s junk=%s seconds=%.3f reason=%s%s",
	    peer->label, msgs, bin, bout, junk, secs, reason, tls);
}

/*
 * Wait for input: 1 when there is some to read, 0 after a timeout (*reason
 * set, logged), -1 to look again (a signal, or answers of a flushed group
 * sent).  In a frame, the frame's deadline; between frames, the idle one.
 */
static int wait_input(struct conn *c, int in_frame, long long deadline, const char **reason)
{
	int gfd = group_fd(&c->recv);
	struct pollfd p[3] = {{.fd = c->io.fd, .events = POLLIN},
			      {.fd = selfpipe_fd, .events = POLLIN},
			      {.fd = gfd, .events = POLLIN}};

	/* read() waits itself (EINTR on SIGTERM, EAGAIN after its bound) unless a group is being
	 * flushed, or OpenSSL holds decrypted bytes. */
	if ((c->read_waits && !in_frame && gfd < 0) || stream_pending(&c->io) > 0)
		return 1;
	int r = poll(p, 3, wait_ms_until(deadline));
	if (r < 0)
		return errno == EINTR ? -1 : (*reason = "poll-error", 0);
	if (r == 0) {
		*reason = in_frame ? "frame-timeout" : "idle-timeout";
		if (in_frame)
			log_line(LOG_WARNING,
				 "%s: frame not finished within %gs: %zu bytes dropped, not "
				 "acknowledged",
				 c->peer->label, c->cfg->frame_timeout, c->framer.total);
		return 0;
	}
	if (p[1].revents)
		selfpipe_drain();
	if (p[2].revents) {
		end_group(c);
		flush(c);
	}
	return p[0].revents ? 1 : -1;
}

/* A read that failed: -1 to try again, else the exit code with *reason. */
static int read_failed(struct conn *c, const char **reason)
{
	if (errno == EINTR || errno == EAGAIN)
		return -1;
	if (errno == ECONNRESET) {
		*reason = "reset";
		return 0;
	}
	if (errno == EPROTO && c->io.tls)
		log_line(LOG_ERR, "%s: TLS: %s", c->peer->label, tlsio_last_error(c->io.tls));
	else
		log_line(LOG_ERR, "%s: read: %s", c->peer->label, strerror(errno));
	*reason = "read-error";
	return EX_IOERR;
}

/* The deadline that bounds the next wait: the open frame's (set when it began), else the idle one.
 */
static long long deadline(struct conn *c, int in_frame)
{
	const struct config *cfg = c->cfg;
	if (!in_frame) {
		c->frame_deadline = 0;
		if (c->restart_idle)
			c->idle_deadline =
			    cfg->idle_timeout > 0
				? monotime_us() + (long long)(cfg->idle_timeout * 1e6)
				: 0;
		c->restart_idle = 0;
		return c->idle_deadline;
	}
	if (!c->frame_deadline && cfg->frame_timeout > 0)
		c->frame_deadline = monotime_us() + (long long)(cfg->frame_timeout * 1e6);
	return c->frame_deadline;
}

/* Bytes read: frame them, then write the answers and get ready for the next message.  Returns -1
 * to go on, or an exit code (*reason set). */
static int received(struct conn *c, const char *buf, size_t n, const char **reason)
{
	unsigned long long blocks_before = c->recv.blocks;
	int rc;

	c->bytes_in += n;
	rc = feed(c, buf, n, reason);
	if (c->recv.blocks != blocks_before) {
		/* --frame-timeout bounds each frame: the one now open started in this read. */
		c->restart_idle = 1;
		c->frame_deadline = 0;
	}
	flush(c);
	/* The answers are out: open the next message's spool file now, not after it arrives. */
	if (!c->gone)
		sinks_idle(&c->recv.sinks);
	return rc ? rc : -1;
}

/* One turn of the loop: wait, read, frame.  Returns -1 to go on, or the exit code (*reason set). */
static int serve_once(struct conn *c, char *buf, size_t cap, const char **reason)
{
	int in_frame = mllp_in_frame(&c->framer);

	if (c->gone) {
		*reason = c->gone_reason ? c->gone_reason : "peer-gone";
		return 0;
	}
	if (selfpipe_stop && !in_frame) {
		*reason = "terminated";
		return 0;
	}
	int w = wait_input(c, in_frame, deadline(c, in_frame), reason);
	if (w <= 0)
		return w < 0 ? -1 : strcmp(*reason, "poll-error") == 0 ? EX_OSERR : 0;
	ssize_t n = stream_read(&c->io, buf, cap);
	if (n < 0)
		return read_failed(c, reason);
	if (n == 0) {
		if (in_frame)
			log_line(LOG_WARNING,
				 "%s: connection closed inside a frame: %zu bytes dropped, not "
				 "acknowledged",
				 c->peer->label, c->framer.total);
		return 0;
	}
	return received(c, buf, (size_t)n, reason);
}

int conn_serve(const struct config *cfg, int in_fd, int out_fd, const struct peer *peer,
	       char **envp)
{
	static char rbuf[READ_CHUNK];
	struct peer client = *peer; /* with --proxy-protocol, the balancer's client */
	int pr = cfg->proxy_protocol ? proxyin_read(cfg, in_fd, &client) : 0;
	if (pr != 0)
		return pr < 0 ? 0 : pr;
	peer = &client;
	struct conn c = {.cfg = cfg, .peer = peer, .envp = envp, .restart_idle = 1};
	long long start = monotime_us();
	const char *reason = "eof";
	int rc;

	stream_open(&c.io, in_fd, out_fd,
		    cfg->frame_timeout > 0 ? config_ms(cfg->frame_timeout) : -1);
	rc = conn_open(&c);

	if (rc == 0) {
		do
			rc = serve_once(&c, rbuf, sizeof rbuf, &reason);
		while (rc < 0);
		finish_groups(&c);
		log_closed(&c, start, reason);
	}
	stream_close(&c.io);
	receiver_close(&c.recv);
	free(c.allow_names);
	answers_free(&c.out);
	free(c.frame_buf);
	return rc;
}

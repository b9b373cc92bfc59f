/* SPDX-License-Identifier: MIT */
/* session.c: one MLLP connection: write framed messages, read ACK frames, match them by MSA-2. */
#include "mllp-send.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "batch.h"
#include "batchwait.h"
#include "cli.h"
#include "segnorm.h"
#include "tlsio.h"

int session_init(struct session *s, const struct config *cfg)
{
	memset(s, 0, sizeof *s);
	s->cfg = cfg;
	s->conn.fd = -1;
	s->ackbuf = malloc(SEND_MAX_ACK);
	s->wbuf = malloc(SEND_MAX_MESSAGE + 3);
	s->q = calloc(cfg->window, sizeof *s->q);
	if (!s->ackbuf || !s->wbuf || !s->q) {
		session_free(s);
		return -1;
	}
	return 0;
}

void flight_free(struct flight *f)
{
	free(f->id);
	free(f->label);
	free(f->ids);
	free(f->off);
	free(f->batch_id);
	free(f->file_id);
	free(f->isack);
	memset(f, 0, sizeof *f);
}

static void noack_forget(struct session *s)
{
	for (size_t i = 0; i < sizeof s->noack_id / sizeof s->noack_id[0]; i++) {
		free(s->noack_id[i]);
		s->noack_id[i] = NULL;
		s->noack_len[i] = 0;
	}
	s->noack_next = 0;
	s->noack_sent = 0;
}

void session_close(struct session *s)
{
	if (s->conn.fd >= 0)
		stream_close(&s->conn);
	s->conn.fd = -1;
	noack_forget(s);
	for (unsigned i = 0; i < s->n; i++)
		flight_free(&s->q[i]);
	s->n = 0;
	s->rpos = s->rlen = 0;
	free(s->res);
	s->res = NULL;
	s->nres = s->next = 0;
}

void session_free(struct session *s)
{
	session_close(s);
	free(s->ackbuf);
	free(s->wbuf);
	free(s->q);
	s->ackbuf = s->wbuf = NULL;
	s->q = NULL;
}

int session_batch_busy(const struct session *s)
{
	return s->n > 0 && s->q[0].batch;
}

int session_connected(const struct session *s)
{
	return s->conn.fd >= 0;
}

static int timeout_ms(const struct session *s)
{
	return (int)(s->cfg->timeout * 1000 + 0.5);
}

int session_connect(struct session *s)
{
	session_close(s);
	if (net_connect_tls(&s->conn, s->cfg->tls, s->cfg->host, s->cfg->port, timeout_ms(s),
			    s->why, sizeof s->why) < 0)
		return -1;
	/* Lenient framer: the bytes between frames are checked here, before it sees them. */
	mllp_init(&s->fr, s->ackbuf, SEND_MAX_ACK, 0);
	return 0;
}

/*
 * After a reset on a TLS connection: the peer's alert (an unknown CA, a
 * certificate required) may be waiting in the socket ahead of the reset, as
 * TLS 1.3 servers judge a client certificate after the client's handshake
 * has ended.  Read what is there (the fd is non-blocking): 1 with the
 * alert in s->why, else 0.
 */
static int tls_alert(struct session *s)
{
	char b[4096];
	for (int i = 0; i < 64; i++) {
		if (stream_read(&s->conn, b, sizeof b) > 0)
			continue;
		if (errno != EPROTO)
			return 0;
		snprintf(s->why, sizeof s->why, "TLS: %s", tlsio_last_error(s->conn.tls));
		return 1;
	}
	return 0;
}

static enum sess_result io_error(struct session *s, const char *what, int e)
{
	if ((e == EPIPE || e == ECONNRESET) && s->conn.tls && tls_alert(s))
		return SESS_IO;
	if (e == EPIPE || e == ECONNRESET || e == ENOTCONN) {
		snprintf(s->why, sizeof s->why, "connection %s by the peer",
			 e == EPIPE ? "closed" : "reset");
		return SESS_CLOSED;
	}
	if (e == EPROTO && s->conn.tls)
		snprintf(s->why, sizeof s->why, "TLS: %s", tlsio_last_error(s->conn.tls));
	else
		snprintf(s->why, sizeof s->why, "%s: %s", what, strerror(e));
	return SESS_IO;
}

/* Wait until fd is ready for events or the deadline passes: 1 ready, 0 timeout, -1 error. */
static int wait_fd(int fd, short events, long long deadline)
{
	struct pollfd p = {.fd = fd, .events = events};
	for (;;) {
		long long left = deadline - monotime_ms();
		int r = poll(&p, 1, left > 0 ? (int)(left < 1000000000 ? left : 1000000000) : 0);
		if (r >= 0)
			return r;
		if (errno != EINTR)
			return -1;
	}
}

/* Write p[0..n) whole within the timeout. */
static enum sess_result write_all(struct session *s, const char *p, size_t n)
{
	size_t off = 0;
	long long deadline = monotime_ms() + timeout_ms(s);

	while (off < n) {
		int r = wait_fd(s->conn.fd, POLLOUT, deadline);
		if (r < 0)
			return io_error(s, "poll", errno);
		if (r == 0) {
			snprintf(s->why, sizeof s->why, "write timed out after %g s",
				 s->cfg->timeout);
			return SESS_TIMEOUT;
		}
		ssize_t w = stream_write(&s->conn, p + off, n - off);
		if (w < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return io_error(s, "write", errno);
		}
		off += (size_t)w;
	}
	return SESS_OK;
}

/* Frame msg and write it whole within the timeout. */
static enum sess_result write_block(struct session *s, const char *msg, size_t len)
{
	size_t n = mllp_wrap(s->wbuf, SEND_MAX_MESSAGE + 3, msg, len);

	if (n > SEND_MAX_MESSAGE + 3) {
		snprintf(s->why, sizeof s->why, "message larger than %zu bytes", SEND_MAX_MESSAGE);
		return SESS_IO;
	}
	return write_all(s, s->wbuf, n);
}

/* A NUL-terminated copy of a span, or NULL. */
char *span_dup(struct hl7_span v)
{
	char *p = malloc(v.len + 1);
	if (p) {
		memcpy(p, v.p, v.len);
		p[v.len] = '\0';
	}
	return p;
}

static enum sess_result out_of_memory(struct session *s, struct flight *f)
{
	flight_free(f);
	snprintf(s->why, sizeof s->why, "out of memory");
	return SESS_IO;
}

/* A message written: it joins the queue, or, needing no ACK, is remembered. */
static enum sess_result sent(struct session *s, struct hl7_span id, const char *label, int index,
			     enum noack noack)
{
	if (noack != NOACK_NO) {
		/* Remembered (the latest 64) only to skip an answer a receiver sends anyway. */
		unsigned k = s->noack_next++ % (sizeof s->noack_id / sizeof s->noack_id[0]);
		free(s->noack_id[k]);
		s->noack_id[k] = span_dup(id);
		s->noack_len[k] = s->noack_id[k] ? id.len : 0;
		s->noack_sent = 1;
		return SESS_OK;
	}
	struct flight *f = &s->q[s->n];
	memset(f, 0, sizeof *f);
	f->id = span_dup(id);
	f->label = strdup(label);
	if (!f->id || !f->label)
		return out_of_memory(s, f);
	f->idlen = id.len;
	f->index = index;
	s->n++;
	return SESS_OK;
}

enum sess_result session_send(struct session *s, const char *msg, size_t len, struct hl7_span id,
			      const char *label, int index, enum noack noack)
{
	enum sess_result r = write_block(s, msg, len);
	return r == SESS_OK ? sent(s, id, label, index, noack) : r;
}

enum sess_result session_send_fd(struct session *s, int fd, char *buf, size_t cap,
				 struct hl7_span id, const char *label, int index, enum noack noack)
{
	static const char start[] = {MLLP_START}, end[] = {MLLP_END, MLLP_CR};
	struct segnorm z = {0};
	enum sess_result r = write_all(s, start, sizeof start);

	while (r == SESS_OK) {
		ssize_t got = read(fd, buf, cap);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			snprintf(s->why, sizeof s->why, "%s", strerror(errno));
			return SESS_FILE;
		}
		if (got == 0)
			break;
		/* In place: a piece never grows. */
		r = write_all(s, buf, segnorm_feed(&z, buf, buf, (size_t)got));
	}
	if (r == SESS_OK)
		r = write_all(s, buf, segnorm_end(&z, buf));
	if (r == SESS_OK)
		r = write_all(s, end, sizeof end);
	return r == SESS_OK ? sent(s, id, label, index, noack) : r;
}

enum sess_result session_send_batch(struct session *s, const char *block, size_t len,
				    const struct batch_ids *ids, const char *label, int index)
{
	size_t total = 0;

	if (s->n > 0 || !ids->batch) {
		snprintf(s->why, sizeof s->why, "internal error: a batch must go alone");
		return SESS_IO;
	}
	enum sess_result r = write_block(s, block, len);
	if (r != SESS_OK)
		return r;
	if (batch_unanswered(ids)) {
		/* No answer comes: each message is remembered as one sent without waiting. */
		for (size_t i = 0; i < ids->n; i++)
			sent(s, ids->id[i], label, index, NOACK_ACK);
		return SESS_OK;
	}
	struct flight *f = &s->q[0];
	memset(f, 0, sizeof *f);
	for (size_t i = 0; i < ids->n; i++)
		total += ids->id[i].len;
	f->id = span_dup(ids->n ? ids->id[0] : (struct hl7_span){"", 0});
	f->label = strdup(label);
	f->ids = malloc(total + 1);
	f->off = malloc((ids->n + 1) * sizeof *f->off);
	f->batch_id = span_dup(ids->batch_id);
	f->file_id = span_dup(ids->file_id);
	f->isack = malloc(ids->n + 1);
	free(s->res);
	s->res = malloc((ids->n + 1) * sizeof *s->res);
	s->nres = s->next = 0;
	if (!f->id || !f->label || !f->ids || !f->off || !f->batch_id || !f->file_id || !f->isack ||
	    !s->res)
		return out_of_memory(s, f);
	if (ids->n)
		memcpy(f->isack, ids->isack, ids->n);
	f->idlen = ids->n ? ids->id[0].len : 0;
	f->batch_idlen = ids->batch_id.len;
	f->file_idlen = ids->file_id.len;
	f->off[0] = 0;
	for (size_t i = 0; i < ids->n; i++) {
		memcpy(f->ids + f->off[i], ids->id[i].p, ids->id[i].len);
		f->off[i + 1] = f->off[i] + ids->id[i].len;
	}
	f->nmsg = ids->n;
	f->batch = 1;
	f->index = index;
	s->n = 1;
	return SESS_OK;
}

/* 1 when v is the control ID of a message sent without waiting (then forgotten), else 0. */
int noack_match(struct session *s, struct hl7_span v)
{
	for (size_t i = 0; i < sizeof s->noack_id / sizeof s->noack_id[0]; i++) {
		if (s->noack_id[i] && s->noack_len[i] == v.len &&
		    memcmp(s->noack_id[i], v.p, v.len) == 0) {
			free(s->noack_id[i]);
			s->noack_id[i] = NULL;
			s->noack_len[i] = 0;
			return 1;
		}
	}
	return 0;
}

/* A whole ACK frame is in the framer: parse it and take its message out of the queue. */
static enum sess_result take_ack(struct session *s, struct sess_ack *out, int too_large)
{
	char idtext[80];
	const char *raw = s->fr.buf;
	size_t len = s->fr.frame_len;

	if (too_large) {
		snprintf(s->why, sizeof s->why, "protocol error: answer larger than %zu bytes",
			 SEND_MAX_ACK);
		return SESS_PROTOCOL;
	}
	enum ackread_status st = ackread_parse(&out->m, raw, len, &out->a);
	if (st != ACKREAD_OK) {
		snprintf(s->why, sizeof s->why, "protocol error: %s", ackread_status_text(st));
		return SESS_PROTOCOL;
	}
	for (unsigned i = 0; i < s->n; i++) {
		struct flight *f = &s->q[i];
		if (f->idlen == out->a.control_id.len &&
		    memcmp(f->id, out->a.control_id.p, f->idlen) == 0) {
			out->f = *f;
			memmove(&s->q[i], &s->q[i + 1], (s->n - i - 1) * sizeof *f);
			s->n--;
			out->raw = raw;
			out->rawlen = len;
			return SESS_OK;
		}
	}
	if (noack_match(s, out->a.control_id))
		return SESS_SKIPPED;
	sanitise(idtext, sizeof idtext, out->a.control_id.p, out->a.control_id.len);
	snprintf(s->why, sizeof s->why,
		 "protocol error: ACK for a control ID not in flight: MSA-2 '%s'", idtext);
	return SESS_PROTOCOL;
}

/* What the oldest flight waits for, for error lines: "MSG1", or "the batch in FILE". */
static void awaited(const struct session *s, char *dst, size_t cap)
{
	char text[80];
	if (session_batch_busy(s)) {
		sanitise(text, sizeof text, s->q[0].label, strlen(s->q[0].label));
		snprintf(dst, cap, "the batch in %s", text);
	} else {
		sanitise(dst, cap, s->q[0].id, s->q[0].idlen);
	}
}

/*
 * Frame the bytes read so far: 1 with *r set when they make a result (an ACK
 * or an error), 0 when they are used up.
 */
static int take_frames(struct session *s, struct sess_ack *out, enum sess_result *r)
{
	while (s->rpos < s->rlen) {
		if (!mllp_in_frame(&s->fr)) {
			char c = s->rbuf[s->rpos];
			if (c == '\r' || c == '\n') {
				s->rpos++;
				continue;
			}
			if (c != MLLP_START) {
				snprintf(s->why, sizeof s->why,
					 "protocol error: bytes outside an MLLP frame");
				*r = SESS_PROTOCOL;
				return 1;
			}
		}
		size_t used;
		enum mllp_event ev = mllp_feed(&s->fr, s->rbuf + s->rpos, s->rlen - s->rpos, &used);
		s->rpos += used;
		if ((ev == MLLP_FRAME || ev == MLLP_TOO_LARGE) && session_batch_busy(s)) {
			if (ev == MLLP_TOO_LARGE) {
				*r = take_ack(s, out, 1);
				return 1;
			}
			if (batch_late_noack(s, s->fr.buf, s->fr.frame_len))
				continue;
			*r = batch_plan(s, s->fr.buf, s->fr.frame_len);
			if (*r == SESS_OK)
				*r = batch_serve(s, out);
			return 1;
		}
		if (ev == MLLP_FRAME || ev == MLLP_TOO_LARGE) {
			*r = take_ack(s, out, ev == MLLP_TOO_LARGE);
			if (*r != SESS_SKIPPED)
				return 1;
			memset(out, 0, sizeof *out);
		} else if (ev == MLLP_RESTARTED) {
			snprintf(s->why, sizeof s->why,
				 "protocol error: ACK frame restarted by 0x0B");
			*r = SESS_PROTOCOL;
			return 1;
		}
	}
	return 0;
}

/* Read more of the answer before the deadline: SESS_OK (maybe nothing yet), or why not. */
static enum sess_result read_more(struct session *s, long long deadline)
{
	char idtext[120];

	s->rpos = s->rlen = 0;
	int r = stream_pending(&s->conn) > 0 ? 1 : wait_fd(s->conn.fd, POLLIN, deadline);
	if (r < 0)
		return io_error(s, "poll", errno);
	if (r == 0) {
		awaited(s, idtext, sizeof idtext);
		snprintf(s->why, sizeof s->why, "no ACK for %s within %g s", idtext,
			 s->cfg->timeout);
		return SESS_TIMEOUT;
	}
	ssize_t got = stream_read(&s->conn, s->rbuf, sizeof s->rbuf);
	if (got < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return SESS_OK;
		return io_error(s, "read", errno);
	}
	if (got == 0) {
		awaited(s, idtext, sizeof idtext);
		snprintf(s->why, sizeof s->why, "connection closed before the ACK for %s", idtext);
		return SESS_CLOSED;
	}
	s->rlen = (size_t)got;
	return SESS_OK;
}

enum sess_result session_wait(struct session *s, struct sess_ack *out)
{
	long long deadline = monotime_ms() + timeout_ms(s);
	enum sess_result r = SESS_OK;

	memset(out, 0, sizeof *out);
	if (session_batch_busy(s) && s->next < s->nres)
		return batch_serve(s, out);
	while (!take_frames(s, out, &r))
		if ((r = read_more(s, deadline)) != SESS_OK)
			return r;
	return r;
}

void session_finish(struct session *s)
{
	char b[4096];

	if (s->conn.fd >= 0 && s->noack_sent && !s->conn.tls &&
	    shutdown(s->conn.fd, SHUT_WR) == 0) {
		/* The peer closes once it has read everything: what it sends meanwhile is skipped.
		 */
		long long deadline = monotime_ms() + timeout_ms(s);
		while (wait_fd(s->conn.fd, POLLIN, deadline) > 0) {
			ssize_t r = stream_read(&s->conn, b, sizeof b);
			if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN))
				break;
		}
	} else if (s->conn.fd >= 0 && s->noack_sent) {
		/* TLS: no half-close here; at least leave nothing unread (the fd is non-blocking).
		 */
		for (int i = 0; i < 64 && stream_read(&s->conn, b, sizeof b) > 0; i++)
			;
	}
	session_close(s);
}

int session_peer_gone(struct session *s)
{
	if (s->conn.fd < 0)
		return 0;
	struct pollfd p = {.fd = s->conn.fd, .events = POLLIN};
	if (poll(&p, 1, 0) <= 0)
		return 0;
	if (s->conn.tls) {
		/* TLS records that carry no data (a session ticket, a key update) are not the end.
		 */
		char b[1];
		if (stream_read(&s->conn, b, 1) < 0 && errno == EAGAIN)
			return 0;
	}
	/* Nothing is expected while idle: end of stream, an error or stray bytes all end the
	 * connection. */
	session_close(s);
	return 1;
}

void print_result(const struct config *cfg, const struct sess_ack *k)
{
	char id[80], text[256], plain[512];

	if (k->empty)
		return;
	if (k->noack) {
		print_noack(cfg, k->f.label, (struct hl7_span){k->f.id, k->f.idlen}, NOACK_ACK);
		return;
	}
	if (k->missing) {
		sanitise(id, sizeof id, k->f.id, k->f.idlen);
		cli_error("%s: %s: no ACK for %s in the answer to the batch", cfg->target,
			  k->f.label, id);
		return;
	}
	if (cfg->print_ack && k->dup)
		return;
	if (cfg->print_ack) {
		fwrite(k->raw, 1, k->rawlen, stdout);
		putchar('\n');
		fflush(stdout);
		return;
	}
	if (cfg->quiet)
		return;
	sanitise(id, sizeof id, k->f.id, k->f.idlen);
	size_t n = hl7_unescape(&k->m.d, k->a.text, plain, sizeof plain);
	sanitise(text, sizeof text, plain, n < sizeof plain ? n : sizeof plain);
	printf("%s %s %s%s%s\n", k->f.label, id, k->a.code, text[0] ? " " : "", text);
	fflush(stdout);
}

void print_noack(const struct config *cfg, const char *label, struct hl7_span id, enum noack n)
{
	char text[80];

	if (cfg->print_ack || cfg->quiet)
		return;
	sanitise(text, sizeof text, id.p, id.len);
	printf("%s %s none %s\n", label, text, noack_text(n));
	fflush(stdout);
}

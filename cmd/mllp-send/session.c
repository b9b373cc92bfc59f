/* SPDX-License-Identifier: MIT */
/* session.c: one MLLP connection: write framed messages, read ACK frames, match them by MSA-2. */
#include "mllp-send.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	f->id = f->label = NULL;
}

void session_close(struct session *s)
{
	if (s->conn.fd >= 0)
		s->conn.close(&s->conn);
	s->conn.fd = -1;
	for (unsigned i = 0; i < s->n; i++)
		flight_free(&s->q[i]);
	s->n = 0;
	s->rpos = s->rlen = 0;
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
	if (net_connect_tls(&s->conn, s->cfg->tls, s->cfg->host, s->cfg->port, timeout_ms(s), s->why, sizeof s->why) < 0)
		return -1;
	/* Lenient framer: the bytes between frames are checked here, before it sees them. */
	mllp_init(&s->fr, s->ackbuf, SEND_MAX_ACK, 0);
	return 0;
}

static enum sess_result io_error(struct session *s, const char *what, int e)
{
	if (e == EPIPE || e == ECONNRESET || e == ENOTCONN) {
		snprintf(s->why, sizeof s->why, "connection %s by the peer", e == EPIPE ? "closed" : "reset");
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
		long long left = deadline - now_ms();
		int r = poll(&p, 1, left > 0 ? (int)(left < 1000000000 ? left : 1000000000) : 0);
		if (r >= 0)
			return r;
		if (errno != EINTR)
			return -1;
	}
}

enum sess_result session_send(struct session *s, const char *msg, size_t len, struct hl7_span id, const char *label,
			      int index)
{
	size_t n = mllp_wrap(s->wbuf, SEND_MAX_MESSAGE + 3, msg, len);
	size_t off = 0;
	long long deadline = now_ms() + timeout_ms(s);

	if (n > SEND_MAX_MESSAGE + 3) {
		snprintf(s->why, sizeof s->why, "message larger than %zu bytes", SEND_MAX_MESSAGE);
		return SESS_IO;
	}
	while (off < n) {
		int r = wait_fd(s->conn.fd, POLLOUT, deadline);
		if (r < 0)
			return io_error(s, "poll", errno);
		if (r == 0) {
			snprintf(s->why, sizeof s->why, "write timed out after %g s", s->cfg->timeout);
			return SESS_TIMEOUT;
		}
		ssize_t w = s->conn.write(&s->conn, s->wbuf + off, n - off);
		if (w < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return io_error(s, "write", errno);
		}
		off += (size_t)w;
	}
	struct flight *f = &s->q[s->n];
	f->id = malloc(id.len + 1);
	f->label = strdup(label);
	if (!f->id || !f->label) {
		flight_free(f);
		snprintf(s->why, sizeof s->why, "out of memory");
		return SESS_IO;
	}
	memcpy(f->id, id.p, id.len);
	f->id[id.len] = '\0';
	f->idlen = id.len;
	f->index = index;
	s->n++;
	return SESS_OK;
}

/* A whole ACK frame is in the framer: parse it and take its message out of the queue. */
static enum sess_result take_ack(struct session *s, struct sess_ack *out, int too_large)
{
	char idtext[80];
	const char *raw = s->fr.buf;
	size_t len = s->fr.frame_len;

	if (too_large) {
		snprintf(s->why, sizeof s->why, "protocol error: answer larger than %zu bytes", SEND_MAX_ACK);
		return SESS_PROTOCOL;
	}
	enum ackread_status st = ackread_parse(&out->m, raw, len, &out->a);
	if (st != ACKREAD_OK) {
		snprintf(s->why, sizeof s->why, "protocol error: %s", ackread_status_text(st));
		return SESS_PROTOCOL;
	}
	for (unsigned i = 0; i < s->n; i++) {
		struct flight *f = &s->q[i];
		if (f->idlen == out->a.control_id.len && memcmp(f->id, out->a.control_id.p, f->idlen) == 0) {
			out->f = *f;
			memmove(&s->q[i], &s->q[i + 1], (s->n - i - 1) * sizeof *f);
			s->n--;
			out->raw = raw;
			out->rawlen = len;
			return SESS_OK;
		}
	}
	sanitise(idtext, sizeof idtext, out->a.control_id.p, out->a.control_id.len);
	snprintf(s->why, sizeof s->why, "protocol error: ACK for a control ID not in flight: MSA-2 '%s'", idtext);
	return SESS_PROTOCOL;
}

enum sess_result session_wait(struct session *s, struct sess_ack *out)
{
	long long deadline = now_ms() + timeout_ms(s);

	memset(out, 0, sizeof *out);
	for (;;) {
		while (s->rpos < s->rlen) {
			if (!mllp_in_frame(&s->fr)) {
				char c = s->rbuf[s->rpos];
				if (c == '\r' || c == '\n') {
					s->rpos++;
					continue;
				}
				if (c != MLLP_START) {
					snprintf(s->why, sizeof s->why, "protocol error: bytes outside an MLLP frame");
					return SESS_PROTOCOL;
				}
			}
			size_t used;
			enum mllp_event ev = mllp_feed(&s->fr, s->rbuf + s->rpos, s->rlen - s->rpos, &used);
			s->rpos += used;
			if (ev == MLLP_FRAME || ev == MLLP_TOO_LARGE)
				return take_ack(s, out, ev == MLLP_TOO_LARGE);
			if (ev == MLLP_RESTARTED) {
				snprintf(s->why, sizeof s->why, "protocol error: ACK frame restarted by 0x0B");
				return SESS_PROTOCOL;
			}
		}
		s->rpos = s->rlen = 0;
		int r = s->conn.pending(&s->conn) > 0 ? 1 : wait_fd(s->conn.fd, POLLIN, deadline);
		if (r < 0)
			return io_error(s, "poll", errno);
		if (r == 0) {
			char idtext[80];
			sanitise(idtext, sizeof idtext, s->q[0].id, s->q[0].idlen);
			snprintf(s->why, sizeof s->why, "no ACK for %s within %g s", idtext, s->cfg->timeout);
			return SESS_TIMEOUT;
		}
		ssize_t got = s->conn.read(&s->conn, s->rbuf, sizeof s->rbuf);
		if (got < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return io_error(s, "read", errno);
		}
		if (got == 0) {
			char idtext[80];
			sanitise(idtext, sizeof idtext, s->q[0].id, s->q[0].idlen);
			snprintf(s->why, sizeof s->why, "connection closed before the ACK for %s", idtext);
			return SESS_CLOSED;
		}
		s->rlen = (size_t)got;
	}
}

int session_peer_gone(struct session *s)
{
	if (s->conn.fd < 0)
		return 0;
	struct pollfd p = {.fd = s->conn.fd, .events = POLLIN};
	if (poll(&p, 1, 0) <= 0)
		return 0;
	if (s->conn.tls) {
		/* TLS records that carry no data (a session ticket, a key update) are not the end. */
		char b[1];
		if (s->conn.read(&s->conn, b, 1) < 0 && errno == EAGAIN)
			return 0;
	}
	/* Nothing is expected while idle: end of stream, an error or stray bytes all end the connection. */
	session_close(s);
	return 1;
}

void print_result(const struct config *cfg, const struct sess_ack *k)
{
	char id[80], text[256], plain[512];

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

/* SPDX-License-Identifier: MIT */
/* proxyin.c: --proxy-protocol: read the balancer's PROXY header off the connection, nothing more.
 */
#include "proxyin.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sysexits.h>
#include <unistd.h>

#include "log.h"
#include "monotime.h"
#include "proxy.h"
#include "selfpipe.h"

struct hdr_in {
	int fd, sock;
	const struct peer *peer; /* the socket's peer: the balancer */
	char buf[PROXY_MAX];
	size_t have; /* bytes of the header taken off fd */
	struct proxy_header h;
	long long deadline; /* monotime_us(); 0: none */
};

/* 1 when fd can be read, 0 after the deadline, -1 on SIGTERM. */
static int wait_readable(const struct hdr_in *in)
{
	for (;;) {
		struct pollfd p[2] = {{.fd = in->fd, .events = POLLIN},
				      {.fd = selfpipe_fd, .events = POLLIN}};
		int ms = -1;
		if (selfpipe_stop)
			return -1;
		if (in->deadline) {
			long long left = (in->deadline - monotime_us() + 999) / 1000;
			ms = left <= 0 ? 0 : left > 1000000 ? 1000000 : (int)left;
		}
		int r = poll(p, selfpipe_fd >= 0 ? 2 : 1, ms);
		if (r > 0 && p[0].revents)
			return 1;
		if (r == 0 && ms == 0)
			return 0;
		if (r > 0 && p[1].revents) {
			char drain[64];
			while (read(selfpipe_fd, drain, sizeof drain) > 0)
				;
		}
	}
}

/*
 * On a socket: look at what has arrived, and take off the header's part of
 * it (all of it while the header is not whole).  Returns the bytes taken,
 * 0 at EOF, -1 with errno; *s is the parse of what was seen when it ends
 * the header (PROXY_DONE or an error), else PROXY_NEED_MORE.
 */
static ssize_t take_socket(struct hdr_in *in, enum proxy_status *s)
{
	ssize_t n = recv(in->fd, in->buf + in->have, sizeof in->buf - in->have, MSG_PEEK);
	size_t take;
	*s = PROXY_NEED_MORE;
	if (n <= 0)
		return n;
	*s = proxy_parse(in->buf, in->have + (size_t)n, &in->h);
	if (*s == PROXY_DONE)
		take = in->h.len - in->have;
	else if (*s == PROXY_NEED_MORE)
		take = (size_t)n;
	else
		return n;
	/* Peeked bytes are in the socket: this read returns them at once (a signal may cut it). */
	n = recv(in->fd, in->buf + in->have, take, MSG_WAITALL);
	if (n >= 0 && (size_t)n < take)
		*s = PROXY_NEED_MORE;
	return n;
}

/* Elsewhere (a pipe): only as many bytes as surely belong to the header. */
static ssize_t take_stream(struct hdr_in *in, enum proxy_status *s)
{
	size_t want = in->h.want, room = sizeof in->buf - in->have;
	*s = PROXY_NEED_MORE;
	return read(in->fd, in->buf + in->have, want < room ? want : room);
}

/* The client named by the header, as the peer from now on. */
static void use_client(const struct proxy_header *h, struct peer *peer)
{
	struct sockaddr_in in4 = {.sin_family = AF_INET, .sin_port = htons(h->src_port)};
	struct sockaddr_in6 in6 = {.sin6_family = AF_INET6, .sin6_port = htons(h->src_port)};
	char was[sizeof peer->label];

	if (h->family == PROXY_KEEP) {
		log_line(LOG_DEBUG, "%s: PROXY v%d header: %s, the connection's own peer kept",
			 peer->label, h->version,
			 h->version == 1 ? "UNKNOWN" : "LOCAL or no address");
		return;
	}
	memcpy(was, peer->label, sizeof was);
	memcpy(&in4.sin_addr, h->src, 4);
	memcpy(&in6.sin6_addr, h->src, 16);
	peer_from_sockaddr(peer, h->family == PROXY_TCP4 ? (struct sockaddr *)&in4
							 : (struct sockaddr *)&in6);
	log_line(LOG_DEBUG, "%s: PROXY v%d header from %s", peer->label, h->version, was);
}

/*
 * HAProxy's health checks send a LOCAL header (UNKNOWN with send-proxy)
 * and close: when the end follows such a header within a second, the
 * connection ends quietly, not with a closing line every few seconds.
 * Bytes that come first are served at once (the wait ends with them);
 * a connection that stays silent was going to wait for its first byte
 * anyway.
 */
static int health_check(const struct hdr_in *in)
{
	struct pollfd p = {.fd = in->fd, .events = POLLIN};
	char c;
	if (!in->sock || in->h.family != PROXY_KEEP || poll(&p, 1, 1000) != 1)
		return 0;
	/* HAProxy ends its checks with a reset (SO_LINGER 0), others with a FIN. */
	ssize_t r = recv(in->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	return r == 0 || (r < 0 && errno == ECONNRESET);
}

/* The one line for a connection closed before its header was whole; the exit code. */
static int refuse(const struct hdr_in *in, const char *why)
{
	log_line(LOG_WARNING, "%s: --proxy-protocol: %s (%zu bytes): closed, nothing answered",
		 in->peer->label, why, in->have);
	return EX_PROTOCOL;
}

int proxyin_read(const struct config *cfg, int fd, struct peer *peer)
{
	struct hdr_in in = {.fd = fd, .peer = peer};
	int type;
	socklen_t tl = sizeof type;
	enum proxy_status s = proxy_parse(in.buf, 0, &in.h);

	in.sock = getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) == 0;
	if (cfg->frame_timeout > 0)
		in.deadline = monotime_us() + (long long)(cfg->frame_timeout * 1e6);
	while (s == PROXY_NEED_MORE) {
		int w = wait_readable(&in);
		if (w == 0) {
			char why[96];
			snprintf(why, sizeof why, "no whole PROXY header within %gs",
				 cfg->frame_timeout);
			return refuse(&in, why);
		}
		if (w < 0)
			return -1;
		ssize_t n = in.sock ? take_socket(&in, &s) : take_stream(&in, &s);
		if (n < 0)
			s = PROXY_NEED_MORE;
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0) {
			log_line(LOG_ERR, "%s: read: %s", peer->label, strerror(errno));
			return EX_IOERR;
		}
		if (n == 0 && in.have == 0) {
			log_line(LOG_DEBUG, "%s: closed before a PROXY header", peer->label);
			return -1;
		}
		if (n == 0)
			return refuse(&in, "connection closed inside the PROXY header");
		in.have += (size_t)n; /* an error's: the bytes seen, for the log */
		if (s == PROXY_NEED_MORE)
			s = proxy_parse(in.buf, in.have, &in.h);
	}
	if (s != PROXY_DONE)
		return refuse(&in, proxy_status_text(s));
	if (health_check(&in)) {
		log_line(LOG_DEBUG, "%s: PROXY header and the end: a health check", peer->label);
		return -1;
	}
	use_client(&in.h, peer);
	return 0;
}

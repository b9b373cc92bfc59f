/* SPDX-License-Identifier: MIT */
/* stream.c: one branch per call between plain fds and TLS; the plain path calls no OpenSSL. */
#include "stream.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "io.h"
#include "tlsio.h"

void stream_open(struct stream *s, int rfd, int wfd, int timeout_ms)
{
	int type;
	socklen_t tl = sizeof type;

	s->fd = rfd;
	s->wfd = wfd;
	s->wsocket = getsockopt(wfd, SOL_SOCKET, SO_TYPE, &type, &tl) == 0;
	s->timeout_ms = timeout_ms;
	s->tls = NULL;
}

int stream_start_tls(struct stream *s, struct tlsio_ctx *ctx, const char *server_name,
		     int timeout_ms, char *why, size_t whycap)
{
	s->tls = tlsio_handshake(ctx, s->fd, s->wfd, server_name, timeout_ms, why, whycap);
	return s->tls ? 0 : -1;
}

ssize_t stream_read(struct stream *s, void *buf, size_t len)
{
	if (s->tls)
		return tlsio_read(s->tls, buf, len);
	return read(s->fd, buf, len);
}

ssize_t stream_write(struct stream *s, const void *buf, size_t len)
{
	if (s->tls)
		return tlsio_write(s->tls, buf, len, s->timeout_ms);
	if (s->wsocket)
		return send(s->wfd, buf, len, MSG_NOSIGNAL);
	return write(s->wfd, buf, len);
}

int stream_write_all(struct stream *s, const void *buf, size_t len)
{
	if (s->tls)
		return tlsio_write(s->tls, buf, len, s->timeout_ms) < 0 ? -1 : 0;
	return io_write_within(s->wfd, s->wsocket, buf, len, s->timeout_ms);
}

size_t stream_pending(const struct stream *s)
{
	return s->tls ? tlsio_pending(s->tls) : 0;
}

void stream_close(struct stream *s)
{
	int e = errno;

	tlsio_close(s->tls);
	s->tls = NULL;
	if (s->fd >= 0) {
		if (s->wfd >= 0 && s->wfd != s->fd)
			close(s->wfd);
		close(s->fd);
	}
	s->fd = s->wfd = -1;
	errno = e;
}

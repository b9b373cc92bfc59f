/* SPDX-License-Identifier: MIT */
/* net.c: HOST:PORT, a TCP connection as a stream (lib/stream). */
#include "mllp-send.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "parse.h"

int net_parse_target(const char *spec, char *host, size_t hcap, char *port, size_t pcap,
		     const char **why)
{
	const char *colon;
	size_t hl;

	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');
		if (!close || close[1] != ':') {
			*why = "expected [ADDRESS]:PORT";
			return -1;
		}
		hl = (size_t)(close - spec - 1);
		colon = close + 1;
		spec++;
	} else {
		colon = strrchr(spec, ':');
		if (!colon) {
			*why = "expected HOST:PORT";
			return -1;
		}
		hl = (size_t)(colon - spec);
		if (memchr(spec, ':', hl)) {
			*why = "an IPv6 address goes in brackets: [ADDRESS]:PORT";
			return -1;
		}
	}
	if (hl == 0 || hl >= hcap) {
		*why = "invalid host";
		return -1;
	}
	memcpy(host, spec, hl);
	host[hl] = '\0';
	const char *p = colon + 1;
	unsigned long long v;
	if (parse_count(p, 1, 65535, &v) != PARSE_OK) {
		*why = "invalid port (1 to 65535)";
		return -1;
	}
	snprintf(port, pcap, "%llu", v);
	return 0;
}

/* One address: a non-blocking connect bounded by timeout_ms.  Returns the fd, or -1 with errno. */
static int connect_one(const struct addrinfo *ai, int timeout_ms)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0)
		return -1;
	int fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		if (errno != EINPROGRESS)
			goto fail;
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		long long deadline = monotime_ms() + timeout_ms;
		for (;;) {
			long long left = deadline - monotime_ms();
			int r = poll(&p, 1, left > 0 ? (int)left : 0);
			if (r > 0)
				break;
			if (r == 0) {
				errno = ETIMEDOUT;
				goto fail;
			}
			if (errno != EINTR)
				goto fail;
		}
		int err = 0;
		socklen_t el = sizeof err;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
			goto fail;
		if (err) {
			errno = err;
			goto fail;
		}
	}
	/* Blocking from here: every read and write is preceded by poll() with the timeout. */
	fcntl(fd, F_SETFL, fl);
	return fd;
fail:;
	int e = errno;
	close(fd);
	errno = e;
	return -1;
}

int net_connect(struct stream *c, const char *host, const char *port, int timeout_ms, char *why,
		size_t whycap)
{
	/* No AI_ADDRCONFIG: it hides ::1 on a host without a global IPv6 address. */
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct addrinfo *res, *ai;
	int err = getaddrinfo(host, port, &hints, &res);
	if (err) {
		snprintf(why, whycap, "%s",
			 err == EAI_SYSTEM ? strerror(errno) : gai_strerror(err));
		return -1;
	}
	int last = ECONNREFUSED;
	c->fd = -1;
	for (ai = res; ai; ai = ai->ai_next) {
		int fd = connect_one(ai, timeout_ms);
		if (fd >= 0) {
			c->fd = fd;
			break;
		}
		last = errno;
	}
	freeaddrinfo(res);
	if (c->fd < 0) {
		snprintf(why, whycap, "connect: %s",
			 last == ETIMEDOUT ? "timed out" : strerror(last));
		return -1;
	}
	int one = 1;
	setsockopt(c->fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
	stream_open(c, c->fd, c->fd, timeout_ms);
	return 0;
}

int net_connect_tls(struct stream *c, struct tlsio_ctx *tls, const char *host, const char *port,
		    int timeout_ms, char *why, size_t whycap)
{
	if (net_connect(c, host, port, timeout_ms, why, whycap) < 0 || !tls)
		return c->fd >= 0 ? 0 : -1;
	char reason[256];
	if (stream_start_tls(c, tls, host, timeout_ms, reason, sizeof reason) < 0) {
		snprintf(why, whycap, "TLS handshake: %s", reason);
		stream_close(c);
		return -1;
	}
	return 0;
}

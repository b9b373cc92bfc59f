/* SPDX-License-Identifier: MIT */
/* stream.h: one byte stream, plain or TLS (lib/tlsio), so the programs never ask which. */
#ifndef MLLPD_STREAM_H
#define MLLPD_STREAM_H

#include <stddef.h>
#include <sys/types.h>

struct tlsio_ctx;
struct tlsio_conn;

/*
 * A connection's bytes in and out.  fd is read and is what poll() waits on;
 * wfd is written (fd itself for a socket, or the other end of a pipe pair:
 * a super-server's 0 and 1).  The fields may be read; change them through
 * these functions only.  Zero-initialised it is not open: stream_open().
 */
struct stream {
	int fd;			/* read side; -1: closed */
	int wfd;		/* write side */
	int wsocket;		/* wfd is a socket: send(MSG_NOSIGNAL), no SIGPIPE */
	int timeout_ms;		/* bound of one stream_write_all() or TLS write; < 0: none */
	struct tlsio_conn *tls; /* NULL: plain read(2) and write(2) */
};

/* A plain stream on rfd and wfd (the same fd for a socket); the stream owns them from now on. */
void stream_open(struct stream *s, int rfd, int wfd, int timeout_ms);

/*
 * Run the TLS handshake over the stream (server_name: NULL for a server;
 * for a client the name to check and send as SNI) within timeout_ms (< 0:
 * none); from then on the stream reads and writes through TLS.  Returns 0,
 * or -1 with a reason in why (the stream stays open and plain).
 */
int stream_start_tls(struct stream *s, struct tlsio_ctx *ctx, const char *server_name,
		     int timeout_ms, char *why, size_t whycap);

/*
 * Read: > 0 bytes, 0 end of stream, -1 with errno (EINTR, EAGAIN: try again
 * later; ECONNRESET; EPROTO: a TLS failure, tlsio_last_error() says which).
 */
ssize_t stream_read(struct stream *s, void *buf, size_t len);

/*
 * One write, for a caller that polls fd for room itself: plain, the bytes
 * that went out (maybe fewer than len); TLS, all of them within timeout_ms.
 * -1 with errno (EAGAIN, EPIPE, ECONNRESET, ETIMEDOUT, EPROTO).
 */
ssize_t stream_write(struct stream *s, const void *buf, size_t len);

/*
 * Write all len bytes within timeout_ms (lib/io's io_write_within() when
 * plain).  Returns 0, or -1 with errno (ETIMEDOUT when the peer did not
 * read them in time); some bytes may have gone then.
 */
int stream_write_all(struct stream *s, const void *buf, size_t len);

/* Bytes already read and decrypted (TLS): take them before polling fd.  0 when plain. */
size_t stream_pending(const struct stream *s);

/* End TLS (close_notify, no wait) and close the fds; fd becomes -1.  Closing twice is harmless. */
void stream_close(struct stream *s);

#endif

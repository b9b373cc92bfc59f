/* SPDX-License-Identifier: MIT */
/* test_stream.c: bytes both ways on a socket and on a pipe pair, a write bounded by its timeout,
 * no SIGPIPE, close; and the same stream over TLS. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stream.h"
#include "tap.h"
#include "tlsio.h"

static int is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static void socket_pair(void)
{
	int sv[2];
	char buf[16];
	struct stream s;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
		TAP_OK(0, "socketpair: %s", strerror(errno));
		return;
	}
	stream_open(&s, sv[0], sv[0], 1000);
	TAP_OK(s.fd == sv[0] && s.wfd == sv[0] && s.wsocket && !s.tls,
	       "socket: open is plain, writes a socket");
	TAP_OK(stream_write(&s, "\x0bMSH|\x1c\r", 7) == 7 && read(sv[1], buf, sizeof buf) == 7 &&
		   memcmp(buf, "\x0bMSH|\x1c\r", 7) == 0,
	       "socket: stream_write bytes reach the peer as written");
	TAP_OK(stream_write_all(&s, "ACK", 3) == 0 && read(sv[1], buf, sizeof buf) == 3,
	       "socket: stream_write_all writes all");
	TAP_OK(write(sv[1], "abc", 3) == 3 && stream_read(&s, buf, sizeof buf) == 3 &&
		   memcmp(buf, "abc", 3) == 0,
	       "socket: stream_read reads what the peer wrote");
	TAP_OK(stream_pending(&s) == 0, "socket: nothing pending when plain");
	close(sv[1]);
	TAP_OK(stream_read(&s, buf, sizeof buf) == 0, "socket: end of stream reads 0");
	errno = 0;
	TAP_OK(stream_write(&s, "x", 1) < 0 && (errno == EPIPE || errno == ECONNRESET),
	       "socket: a write to a gone peer fails with EPIPE, no SIGPIPE (errno %d)", errno);
	stream_close(&s);
	TAP_OK(s.fd == -1 && s.wfd == -1 && !is_open(sv[0]), "socket: close closes the fd");
	stream_close(&s);
	TAP_OK(s.fd == -1, "socket: a second close is harmless");
}

static void write_timeout(void)
{
	int sv[2];
	static char big[1 << 20];
	struct stream s;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
		TAP_OK(0, "socketpair: %s", strerror(errno));
		return;
	}
	stream_open(&s, sv[0], sv[0], 100);
	errno = 0;
	TAP_OK(stream_write_all(&s, big, sizeof big) < 0 && errno == ETIMEDOUT,
	       "a peer that does not read: stream_write_all gives up with ETIMEDOUT");
	stream_close(&s);
	close(sv[1]);
}

static void pipe_pair(void)
{
	int in[2], out[2];
	char buf[16];
	struct stream s;

	if (pipe(in) < 0 || pipe(out) < 0) {
		TAP_OK(0, "pipe: %s", strerror(errno));
		return;
	}
	stream_open(&s, in[0], out[1], -1);
	TAP_OK(s.fd == in[0] && s.wfd == out[1] && !s.wsocket, "pipes: read one, write the other");
	TAP_OK(write(in[1], "hl7", 3) == 3 && stream_read(&s, buf, sizeof buf) == 3 &&
		   memcmp(buf, "hl7", 3) == 0,
	       "pipes: stream_read reads the read side");
	TAP_OK(stream_write_all(&s, "ack", 3) == 0 && read(out[0], buf, sizeof buf) == 3 &&
		   memcmp(buf, "ack", 3) == 0,
	       "pipes: stream_write_all writes the write side");
	TAP_OK(stream_write(&s, "x", 1) == 1 && read(out[0], buf, sizeof buf) == 1,
	       "pipes: stream_write writes the write side");
	stream_close(&s);
	TAP_OK(!is_open(in[0]) && !is_open(out[1]) && is_open(in[1]) && is_open(out[0]),
	       "pipes: close closes both of its fds and nothing else");
	close(in[1]);
	close(out[0]);
}

static void never_opened(void)
{
	int was_open = is_open(0);
	struct stream s = {.fd = -1}; /* wfd 0, as a zeroed struct holds */

	stream_close(&s);
	TAP_OK(!was_open || is_open(0), "a stream never opened: close closes nothing (not fd 0)");
}

/* Wait until fd is readable (for the TLS reads: the fds are non-blocking after the handshake). */
static ssize_t read_wait(struct stream *s, char *buf, size_t cap)
{
	for (int i = 0; i < 100; i++) {
		ssize_t n = stream_read(s, buf, cap);
		struct pollfd p = {.fd = s->fd, .events = POLLIN};
		if (n >= 0 || errno != EAGAIN)
			return n;
		poll(&p, 1, 100);
	}
	return -1;
}

/* The client in a child: handshake, "hello" out, the answer back out again, close. */
static void tls_client(int fd)
{
	struct tlsio_config cc = {0};
	struct tlsio_report rep;
	struct tlsio_ctx *ctx = tlsio_ctx_new(TLSIO_CLIENT, &cc, &rep);
	struct stream s;
	char why[256], buf[64];
	ssize_t n;

	stream_open(&s, fd, fd, 5000);
	if (!ctx || stream_start_tls(&s, ctx, NULL, 5000, why, sizeof why) < 0)
		_exit(2);
	if (stream_write_all(&s, "hello", 5) < 0 || (n = read_wait(&s, buf, sizeof buf)) <= 0 ||
	    stream_write(&s, buf, (size_t)n) != n)
		_exit(3);
	stream_close(&s);
	_exit(0);
}

static void tls_stream(void)
{
	char dir[] = "/tmp/mllpd-stream-XXXXXX", cmd[512], crt[300], key[300], why[256], buf[64];
	int sv[2], st = -1;

	if (!mkdtemp(dir))
		return;
	snprintf(cmd, sizeof cmd,
		 "cd %s && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
		 "-keyout k.key -subj /CN=localhost -days 1 -out c.crt >/dev/null 2>&1",
		 dir);
	snprintf(crt, sizeof crt, "%s/c.crt", dir);
	snprintf(key, sizeof key, "%s/k.key", dir);
	struct tlsio_config sc = {.cert_file = crt, .key_file = key};
	struct tlsio_report rep;
	struct tlsio_ctx *srv = system(cmd) == 0 ? tlsio_ctx_new(TLSIO_SERVER, &sc, &rep) : NULL;
	if (!srv || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
		printf("# no TLS context (openssl, or OpenSSL's libraries missing): skipped\n");
		tlsio_ctx_free(srv);
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		close(sv[0]);
		tls_client(sv[1]);
	}
	close(sv[1]);
	struct stream s;
	stream_open(&s, sv[0], sv[0], 5000);
	TAP_OK(stream_start_tls(&s, srv, NULL, 5000, why, sizeof why) == 0 && s.tls,
	       "tls: the handshake turns the stream to TLS");
	TAP_OK(read_wait(&s, buf, 2) == 2 && memcmp(buf, "he", 2) == 0 && stream_pending(&s) == 3,
	       "tls: a short read leaves the rest pending (decrypted, not on the fd)");
	TAP_OK(read_wait(&s, buf, sizeof buf) == 3 && memcmp(buf, "llo", 3) == 0,
	       "tls: the pending bytes come next");
	TAP_OK(stream_write_all(&s, "ACK", 3) == 0 && read_wait(&s, buf, sizeof buf) == 3 &&
		   memcmp(buf, "ACK", 3) == 0,
	       "tls: bytes written reach the peer (echoed back)");
	TAP_OK(read_wait(&s, buf, sizeof buf) == 0, "tls: the peer's close reads as end of stream");
	stream_close(&s);
	waitpid(pid, &st, 0);
	TAP_OK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "tls: the client side saw it all (exit %d)",
	       WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	tlsio_ctx_free(srv);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
}

int main(void)
{
	/* SIGPIPE as a program gets it: a socket write without MSG_NOSIGNAL would end the test. */
	signal(SIGPIPE, SIG_DFL);
	socket_pair();
	write_timeout();
	signal(SIGPIPE, SIG_IGN);
	pipe_pair();
	never_opened();
	tls_stream();
	return tap_done();
}

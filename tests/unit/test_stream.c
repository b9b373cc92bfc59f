/* SPDX-License-Identifier: MIT */
/* test_stream.c: the plain stream: bytes both ways on a socket and on a pipe pair, a write bounded
 * by its timeout, no SIGPIPE, close. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "stream.h"
#include "tap.h"

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

int main(void)
{
	/* SIGPIPE as a program gets it: a socket write without MSG_NOSIGNAL would end the test. */
	signal(SIGPIPE, SIG_DFL);
	socket_pair();
	write_timeout();
	signal(SIGPIPE, SIG_IGN);
	pipe_pair();
	never_opened();
	return tap_done();
}

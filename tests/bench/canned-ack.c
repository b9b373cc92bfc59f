/* SPDX-License-Identifier: MIT */
/* canned-ack.c: the ceiling: answer every frame with a fixed ACK carrying its MSH-10, parse nothing
 * else. canned-ack PORT: accept and fork per connection.  canned-ack --inetd: one connection on fd
 * 0/1. canned-ack PORT SPOOLDIR: the same, but each frame is first kept as a file the plain way
 * (create in SPOOLDIR/tmp, write, close, rename into SPOOLDIR/new): the least any receiver keeping
 * a file per message does before its ACK, with no fsync. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int tmpfd = -1, newfd = -1;

/* Keep one frame as SPOOLDIR/new/PID.N: 0, or -1. */
static int keep(const char *frame, size_t len)
{
	static unsigned long seq;
	char name[64];
	snprintf(name, sizeof name, "%d.%lu", (int)getpid(), ++seq);
	int fd = openat(tmpfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd < 0)
		return -1;
	int ok = write(fd, frame, len) == (ssize_t)len;
	if (close(fd) < 0 || !ok)
		return -1;
	return renameat(tmpfd, name, newfd, name);
}

static void serve(int in, int out)
{
	static char buf[1 << 16], frame[1 << 20], ack[512];
	size_t flen = 0;
	int inside = 0;
	ssize_t n;
	while ((n = read(in, buf, sizeof buf)) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			char c = buf[i];
			if (c == 0x0b) {
				inside = 1;
				flen = 0;
			} else if (c == 0x1c && inside) {
				inside = 0;
				if (tmpfd >= 0 && keep(frame, flen) < 0) {
					perror("canned-ack: spool");
					return;
				}
				/* MSH-10: after the ninth '|'. */
				size_t f = 0, s = 0, e = 0;
				for (size_t k = 0; k < flen && frame[k] != '\r'; k++)
					if (frame[k] == '|' && ++f == 9)
						s = k + 1;
					else if (frame[k] == '|' && f == 10 && !e)
						e = k;
				if (!e)
					e = s;
				int a = snprintf(ack, sizeof ack,
						 "\x0bMSH|^~\\&|RCV|RFAC|SND|SFAC|20260101000000||"
						 "ACK^A01^ACK|1|P|2.5.1\rMSA|AA|%.*s\r\x1c\r",
						 (int)(e - s), frame + s);
				if (write(out, ack, (size_t)a) != a)
					return;
			} else if (inside && flen < sizeof frame) {
				frame[flen++] = c;
			}
		}
	}
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--inetd") == 0) {
		serve(0, 1);
		return 0;
	}
	int port = argc > 1 ? atoi(argv[1]) : 2575, one = 1;
	if (argc > 2) {
		char path[4096];
		snprintf(path, sizeof path, "%s/tmp", argv[2]);
		tmpfd = open(path, O_RDONLY | O_DIRECTORY);
		snprintf(path, sizeof path, "%s/new", argv[2]);
		newfd = open(path, O_RDONLY | O_DIRECTORY);
		if (tmpfd < 0 || newfd < 0) {
			perror("canned-ack: SPOOLDIR/tmp, SPOOLDIR/new");
			return 66;
		}
	}
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 1024) < 0) {
		perror("canned-ack");
		return 69;
	}
	signal(SIGCHLD, SIG_IGN);
	for (;;) {
		int c = accept(fd, NULL, NULL);
		if (c < 0)
			continue;
		setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		if (fork() == 0) {
			close(fd);
			serve(c, c);
			_exit(0);
		}
		close(c);
	}
}

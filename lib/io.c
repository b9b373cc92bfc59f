/* SPDX-License-Identifier: MIT */
/* io.c: write loops that finish what they start. */
#include "io.h"

#include "monotime.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int io_write_all(int fd, const void *p, size_t n)
{
	const char *b = p;
	while (n > 0) {
		ssize_t w = write(fd, b, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

int io_write_within(int fd, int is_socket, const void *p, size_t n, int timeout_ms)
{
	const char *b = p;
	long long deadline = timeout_ms >= 0 ? monotime_ms() + timeout_ms : 0;
	int wait = !is_socket; /* a pipe: wait for room first, then write no more than fits */

	if (timeout_ms < 0)
		return io_write_all(fd, p, n);
	while (n > 0) {
		if (wait) {
			long long left = deadline - monotime_ms();
			struct pollfd pfd = {.fd = fd, .events = POLLOUT};
			int r = left > 0 ? poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left) : 0;
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				return -1;
			if (r == 0) {
				errno = ETIMEDOUT;
				return -1;
			}
		}
		ssize_t w;
		if (is_socket)
			w = send(fd, b, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		else
			w = write(fd, b, n < PIPE_BUF ? n : PIPE_BUF);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return -1;
			wait = 1;
			continue;
		}
		b += w;
		n -= (size_t)w;
		wait = !is_socket;
	}
	return 0;
}

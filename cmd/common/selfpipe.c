/* SPDX-License-Identifier: MIT */
/* selfpipe.c: the self-pipe trick, once for mllpd and mllp-send --drain. */
#include "selfpipe.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

volatile sig_atomic_t selfpipe_stop;
int selfpipe_fd = -1;
static int write_fd = -1;

int selfpipe_open(void)
{
	int p[2];

	if (selfpipe_fd >= 0) {
		close(selfpipe_fd);
		close(write_fd);
	}
	selfpipe_fd = write_fd = -1;
	if (pipe(p) < 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		fcntl(p[i], F_SETFL, fcntl(p[i], F_GETFL) | O_NONBLOCK);
		fcntl(p[i], F_SETFD, FD_CLOEXEC);
	}
	selfpipe_fd = p[0];
	write_fd = p[1];
	return 0;
}

void selfpipe_wake(void)
{
	int e = errno;
	if (write_fd >= 0) {
		ssize_t w = write(write_fd, "x", 1);
		(void)w;
	}
	errno = e;
}

void selfpipe_drain(void)
{
	char buf[64];
	while (selfpipe_fd >= 0 && read(selfpipe_fd, buf, sizeof buf) > 0)
		;
}

static void on_stop(int sig)
{
	(void)sig;
	selfpipe_stop = 1;
	selfpipe_wake();
}

void selfpipe_catch_stop(void)
{
	struct sigaction sa = {.sa_handler = on_stop};

	sigemptyset(&sa.sa_mask);
	selfpipe_open();
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

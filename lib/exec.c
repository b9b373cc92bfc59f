/* SPDX-License-Identifier: MIT */
/* exec.c: run "/bin/sh -c CMD" per message, feeding stdin and collecting stdout with a deadline. */
#define _GNU_SOURCE /* close_range(2) */
#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *exec_result_text(enum exec_result r)
{
	switch (r) {
	case EXEC_OK: return "exited 0";
	case EXEC_DATAERR: return "exited 65";
	case EXEC_FAILED: return "exited non-zero";
	case EXEC_SIGNALED: return "killed by a signal";
	case EXEC_TIMEOUT: return "timed out";
	case EXEC_SPAWN: return "could not be started";
	}
	return "?";
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The child: its own process group, the pipes on fd 0/1, stderr inherited,
 * nothing else open, default signal dispositions. */
static void child(const char *cmd, char *const envp[], int in_r, int out_w)
{
	sigset_t none;
	setpgid(0, 0);
	if (dup2(in_r, 0) < 0 || dup2(out_w, 1) < 0)
		_exit(126);
	close_range(3, ~0U, 0);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execle("/bin/sh", "sh", "-c", cmd, (char *)NULL, envp);
	_exit(127);
}

static void set_nonblock(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static int reap(pid_t pid, int *status, long long deadline)
{
	int delay_us = 200;
	for (;;) {
		pid_t r = waitpid(pid, status, deadline ? WNOHANG : 0);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
		if (r == 0) {
			if (now_ms() >= deadline)
				return 1;
			struct timespec ts = {0, delay_us * 1000L};
			nanosleep(&ts, NULL);
			if (delay_us < 10000)
				delay_us *= 2;
		}
	}
}

int exec_run(const char *cmd, char *const envp[], const char *data, size_t len, int timeout_ms,
	     char *out, size_t out_cap, struct exec_status *st)
{
	int in_pipe[2], out_pipe[2], status = 0, saved;
	long long deadline = timeout_ms > 0 ? now_ms() + timeout_ms : 0;
	size_t written = 0;
	pid_t pid;

	memset(st, 0, sizeof *st);
	st->result = EXEC_SPAWN;
	if (pipe(in_pipe) < 0)
		return -1;
	if (pipe(out_pipe) < 0) {
		saved = errno;
		close(in_pipe[0]);
		close(in_pipe[1]);
		errno = saved;
		return -1;
	}
	fcntl(in_pipe[1], F_SETFD, FD_CLOEXEC);
	fcntl(out_pipe[0], F_SETFD, FD_CLOEXEC);
	pid = fork();
	if (pid < 0) {
		saved = errno;
		close(in_pipe[0]);
		close(in_pipe[1]);
		close(out_pipe[0]);
		close(out_pipe[1]);
		errno = saved;
		return -1;
	}
	if (pid == 0)
		child(cmd, envp, in_pipe[0], out_pipe[1]);
	setpgid(pid, pid); /* also here: no race with the kill below */
	close(in_pipe[0]);
	close(out_pipe[1]);
	set_nonblock(in_pipe[1]);
	set_nonblock(out_pipe[0]);

	int in_fd = in_pipe[1], out_fd = out_pipe[0], timed_out = 0;
	if (len == 0) {
		close(in_fd);
		in_fd = -1;
	}
	while (out_fd >= 0) {
		struct pollfd p[2];
		int n = 0, wait_ms = -1;
		p[n++] = (struct pollfd){.fd = out_fd, .events = POLLIN};
		if (in_fd >= 0)
			p[n++] = (struct pollfd){.fd = in_fd, .events = POLLOUT};
		if (deadline) {
			long long left = deadline - now_ms();
			if (left <= 0) {
				timed_out = 1;
				break;
			}
			wait_ms = left > 1000000 ? 1000000 : (int)left;
		}
		int r = poll(p, (nfds_t)n, wait_ms);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (n > 1 && p[1].revents) {
			ssize_t w = write(in_fd, data + written, len - written);
			if (w > 0)
				written += (size_t)w;
			/* EPIPE: the command does not read its input; that is its business. */
			if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == len) {
				close(in_fd);
				in_fd = -1;
			}
		}
		if (p[0].revents) {
			char sink[4096];
			char *dst = st->out_len < out_cap ? out + st->out_len : sink;
			size_t room = st->out_len < out_cap ? out_cap - st->out_len : sizeof sink;
			ssize_t k = read(out_fd, dst, room);
			if (k > 0) {
				if (dst == sink)
					st->out_truncated = 1;
				else
					st->out_len += (size_t)k;
			} else if (k == 0 || (errno != EAGAIN && errno != EINTR)) {
				close(out_fd);
				out_fd = -1;
			}
		}
	}
	if (in_fd >= 0)
		close(in_fd);
	if (out_fd >= 0)
		close(out_fd);
	if (!timed_out && reap(pid, &status, deadline) == 1)
		timed_out = 1;
	if (timed_out) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		reap(pid, &status, 0);
		st->result = EXEC_TIMEOUT;
		return 0;
	}
	if (WIFEXITED(status)) {
		st->code = WEXITSTATUS(status);
		st->result = st->code == 0 ? EXEC_OK : st->code == 65 ? EXEC_DATAERR : EXEC_FAILED;
	} else {
		st->code = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
		st->result = EXEC_SIGNALED;
	}
	return 0;
}

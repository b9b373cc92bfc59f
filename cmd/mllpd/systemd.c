/* SPDX-License-Identifier: MIT */
/* systemd.c: libsystemd through dlopen, so the plain inetd path starts without it. */
#include "systemd.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>

static void *library(void)
{
	static void *handle;
	static int tried;
	if (!tried) {
		tried = 1;
		handle = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
	}
	return handle;
}

/* The symbol, or NULL; typed through the libsystemd header's own prototype. */
#define SYMBOL(name) ((__typeof__(&name))(library() ? dlsym(library(), #name) : NULL))

int systemd_listen_fds(void)
{
	if (!getenv("LISTEN_FDS"))
		return 0;
	__typeof__(&sd_listen_fds) f = SYMBOL(sd_listen_fds);
	return f ? f(1) : -ELIBACC;
}

int systemd_is_stream_socket(int fd, int listening)
{
	__typeof__(&sd_is_socket) f = SYMBOL(sd_is_socket);
	return f ? f(fd, AF_UNSPEC, SOCK_STREAM, listening) : -ELIBACC;
}

void systemd_notify(const char *state)
{
	if (!getenv("NOTIFY_SOCKET"))
		return;
	__typeof__(&sd_notify) f = SYMBOL(sd_notify);
	if (f)
		f(0, state);
}

int systemd_journal_sendv(const struct iovec *iov, int n)
{
	__typeof__(&sd_journal_sendv) f = SYMBOL(sd_journal_sendv);
	return f ? f(iov, n) : -1;
}

/* SPDX-License-Identifier: MIT */
/* io.h: small I/O helpers shared by the programs and lib modules. */
#ifndef MLLPD_IO_H
#define MLLPD_IO_H

#include <stddef.h>

/*
 * Write all n bytes of p to fd, retrying after EINTR and short writes.
 * Returns 0, or -1 with errno set (EPIPE when the peer has gone and SIGPIPE
 * is ignored); some bytes may have been written then.
 */
int io_write_all(int fd, const void *p, size_t n);

/*
 * Write all n bytes of p to fd within timeout_ms (< 0: no limit, as
 * io_write_all()), for a peer that may stop reading.  A socket (is_socket)
 * is written with send(MSG_DONTWAIT) and waited for only when full, so the
 * usual answer costs one system call; anything else is polled for room
 * before each write of at most PIPE_BUF bytes (which then cannot block).
 * Returns 0, or -1 with errno set: ETIMEDOUT when the time ran out; some
 * bytes may have been written then.
 */
int io_write_within(int fd, int is_socket, const void *p, size_t n, int timeout_ms);

#endif

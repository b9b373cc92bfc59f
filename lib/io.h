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

#endif

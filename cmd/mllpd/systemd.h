/* SPDX-License-Identifier: MIT */
/* systemd.h: libsystemd, loaded only when systemd is there to talk to. */
#ifndef MLLPD_SYSTEMD_H
#define MLLPD_SYSTEMD_H

#include <stddef.h>
#include <sys/uio.h>

/*
 * A process started per connection by inetd or tcpserver never needs
 * libsystemd, and loading it (with libgcrypt, liblzma, libzstd, lz4, libcap)
 * is a third of mllpd's start-up.  These wrappers dlopen libsystemd.so.0 on
 * first use, and are not called at all unless LISTEN_FDS, NOTIFY_SOCKET or
 * the journal is in play.
 */

/* The first descriptor passed by socket activation (SD_LISTEN_FDS_START). */
#define SYSTEMD_LISTEN_FDS_START 3

/* sd_listen_fds(1), or 0 without LISTEN_FDS; -errno as sd_listen_fds(3). */
int systemd_listen_fds(void);

/* sd_is_socket(fd, AF_UNSPEC, SOCK_STREAM, listening): 1, 0 or -errno. */
int systemd_is_stream_socket(int fd, int listening);

/* sd_notify(0, state) when NOTIFY_SOCKET is set; otherwise nothing. */
void systemd_notify(const char *state);

/* sd_journal_sendv(); -1 when libsystemd cannot be loaded. */
int systemd_journal_sendv(const struct iovec *iov, int n);

#endif

/* SPDX-License-Identifier: MIT */
/* proxyin.h: --proxy-protocol: the PROXY header that starts a connection, read off its fd. */
#ifndef MLLPD_PROXYIN_H
#define MLLPD_PROXYIN_H

#include "mllpd.h"

/*
 * Read the PROXY protocol header (lib/proxy.h) at the start of fd, before
 * TLS and framing, and make *peer the client it names (a LOCAL or UNKNOWN
 * header keeps *peer).  Not one byte after the header is taken from fd:
 * on a socket the bytes are peeked and only the header's read; on
 * anything else they are read as few at a time as the header's syntax
 * allows.  The header must be whole within --frame-timeout.
 *
 * Returns 0 when the connection goes on; -1 when it ended before its
 * first byte, right after a LOCAL or UNKNOWN header (a balancer's health
 * check), or on SIGTERM (nothing to do: exit 0); else an exit code,
 * after one log line (EX_PROTOCOL: no valid header in time; EX_IOERR).
 * Nothing is answered either way.
 */
int proxyin_read(const struct config *cfg, int fd, struct peer *peer);

#endif

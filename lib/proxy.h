/* SPDX-License-Identifier: MIT */
/* proxy.h: a parser of PROXY protocol headers (HAProxy, versions 1 and 2); no I/O, no allocation.
 */
#ifndef MLLPD_PROXY_H
#define MLLPD_PROXY_H

#include <stddef.h>

/*
 * What a load balancer writes first on a connection it forwards: who the
 * client is.  Version 1 is one text line,
 *
 *     PROXY TCP4 SRC DST SPORT DPORT\r\n    (TCP6: IPv6 addresses)
 *     PROXY UNKNOWN[ anything printable]\r\n
 *
 * single spaces, at most PROXY_V1_MAX bytes with the CRLF; addresses as
 * inet_pton() reads them, ports decimal 0..65535 without a leading zero.
 * Version 2 is binary: a 12-byte signature, a version/command byte (0x20
 * LOCAL, 0x21 PROXY), a family/transport byte, a big-endian length and
 * that many bytes of addresses (and TLVs, skipped), the length at most
 * PROXY_V2_MAX_LEN.  A LOCAL header (any family), a PROXY one with family
 * UNSPEC or AF_UNIX stream, and a v1 UNKNOWN line are valid and say "keep
 * the connection's own peer" (PROXY_KEEP).  Datagram transports are refused.
 */
#define PROXY_V1_MAX 107
#define PROXY_V2_HEAD 16
#define PROXY_V2_MAX_LEN 1024
/* The largest header proxy_parse() accepts: a buffer this large always suffices. */
#define PROXY_MAX (PROXY_V2_HEAD + PROXY_V2_MAX_LEN)

/* Statuses.  X(name, text); the text never holds header bytes. */
#define PROXY_STATUS_LIST(X)                                                                       \
	X(PROXY_DONE, "ok")                                                                        \
	X(PROXY_NEED_MORE, "header not complete")                                                  \
	X(PROXY_ERR_SIGNATURE, "not a PROXY protocol header")                                      \
	X(PROXY_ERR_V1_CHAR, "version 1: a control or non-ASCII byte in the line")                 \
	X(PROXY_ERR_V1_LONG, "version 1: no CRLF within 107 bytes")                                \
	X(PROXY_ERR_V1_PROTOCOL, "version 1: protocol not TCP4, TCP6 or UNKNOWN")                  \
	X(PROXY_ERR_V1_FIELDS, "version 1: not SRC DST SPORT DPORT separated by single spaces")    \
	X(PROXY_ERR_V1_ADDRESS, "version 1: an address not of the protocol's family")              \
	X(PROXY_ERR_V1_PORT, "version 1: a port not a decimal number 0..65535")                    \
	X(PROXY_ERR_V2_VERSION, "version 2: version not 2 or command not LOCAL or PROXY")          \
	X(PROXY_ERR_V2_FAMILY, "version 2: family or transport not TCP, UNSPEC or UNIX stream")    \
	X(PROXY_ERR_V2_LONG, "version 2: address block longer than 1024 bytes")                    \
	X(PROXY_ERR_V2_SHORT, "version 2: address block too short for its family")

enum proxy_status {
#define PROXY_X_ENUM(name, text) name,
	PROXY_STATUS_LIST(PROXY_X_ENUM)
#undef PROXY_X_ENUM
};

/* Text for a status; never NULL. */
const char *proxy_status_text(enum proxy_status s);

/* Whose address the header gives. */
enum proxy_family {
	PROXY_KEEP, /* LOCAL, UNKNOWN, UNSPEC, UNIX: the connection's own peer */
	PROXY_TCP4, /* src/dst: 4 bytes, network order */
	PROXY_TCP6, /* src/dst: 16 bytes, network order */
};

struct proxy_header {
	int version; /* 1 or 2 (once known) */
	enum proxy_family family;
	unsigned char src[16], dst[16];
	unsigned src_port, dst_port;
	size_t len;  /* PROXY_DONE: the header's bytes, all consumed */
	size_t want; /* PROXY_NEED_MORE: bytes that surely belong to the header still (>= 1) */
};

/*
 * Parse the header at the start of buf[0..len).  Returns PROXY_DONE with
 * h filled (the bytes after h->len are the connection's own: they stay
 * the caller's), PROXY_NEED_MORE when buf is a proper prefix of a header
 * that may still be valid (h->want: the caller may read that many bytes
 * more without reading past the header's end, so a reader that cannot
 * give bytes back reads no further), or an error as soon as the bytes
 * given show the header cannot be valid.  Any prefix of an input gives
 * PROXY_NEED_MORE or the input's own result.  Reads nothing past buf[len).
 */
enum proxy_status proxy_parse(const char *buf, size_t len, struct proxy_header *h);

#endif

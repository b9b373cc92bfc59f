/* SPDX-License-Identifier: MIT */
/* termsafe.h: control characters in untrusted text, found and written visibly, so the text is safe
 * on a terminal. */
#ifndef MLLPD_TERMSAFE_H
#define MLLPD_TERMSAFE_H

#include <stddef.h>

/*
 * Length of the valid UTF-8 sequence at p[0..n) (RFC 3629: no overlong
 * forms, no surrogates, nothing over U+10FFFF): 1 for ASCII, 2 to 4, or 0
 * when p[0] starts no valid sequence (or n is 0).
 */
size_t termsafe_utf8(const char *p, size_t n);

/*
 * Length of the control character at p[0..n), or 0 when p[0] starts none
 * (or n is 0): 1 for a C0 byte (0x00-0x1F) or DEL (0x7F); 1 for a byte
 * 0x80-0x9F that is not part of a valid UTF-8 sequence (a C1 control such
 * as CSI 0x9B to an ISO 8859-1 terminal); 2 for a C1 control written in
 * UTF-8 (U+0080-U+009F: C2 80 to C2 9F).  Every other byte, valid UTF-8
 * or not, is text: a Latin-1 letter stays a letter.  p must be at a
 * character boundary: step over text with termsafe_utf8() (a continuation
 * byte of U+20AC is no control), or one byte when that is 0.
 */
size_t termsafe_control(const char *p, size_t n);

/* termsafe_escape() flags. */
#define TERMSAFE_NAMED 1u /* TAB, LF, CR as \t, \n, \r (not \x09, \x0a, \x0d) */
#define TERMSAFE_RAW 2u	  /* only TAB, LF, CR escaped (NAMED); other bytes as they are */

/*
 * Copy src[0..len) to dst with each byte of each control character written
 * \xhh (lower-case hex), so that `printf '%b'` reads the result back to the
 * bytes (a backslash of src stands for itself and is not doubled).  Writes
 * at most cap bytes (no NUL) and returns the full length, at most 4 * len
 * (strlcpy-style: call again with a larger buffer).  dst may be NULL when
 * cap is 0.
 */
size_t termsafe_escape(char *dst, size_t cap, const char *src, size_t len, unsigned flags);

/*
 * Copy src[0..len) to dst as printable ASCII: each byte outside 0x20-0x7E,
 * and each byte found in also (a NUL-terminated set, "" for none), as
 * \xhh; every other byte as it is.  An output that does not fit is cut
 * before the first byte whose form, with 4 more bytes (room for "..." and
 * the NUL), would not fit in cap: never inside a \xhh.  NUL-terminates
 * (cap >= 5).  Returns the length written, without the NUL.
 */
size_t termsafe_ascii(char *dst, size_t cap, const char *src, size_t len, const char *also);

#endif

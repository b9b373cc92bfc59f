/* SPDX-License-Identifier: MIT */
/* allow.h: --tls-allow: which sending application/facility (MSH-3/MSH-4) each client certificate may use. */
#ifndef MLLP_ALLOW_H
#define MLLP_ALLOW_H

#include <stddef.h>

/*
 * The rules file, one rule per line:
 *
 *     IDENTITY APPLICATION FACILITY
 *
 * separated by blanks (spaces or tabs; a CR before the line end is a
 * blank too).  IDENTITY is compared, byte for byte, with a certificate
 * identity (its subject CN); APPLICATION and FACILITY with the first
 * component of MSH-3 and MSH-4 as sent (raw bytes, escapes not decoded),
 * or are "*" for any value (an empty one included).  An identity may have
 * several lines: a message is allowed when any of its certificate's lines
 * matches.  '#' starts a comment to the end of the line; blank lines are
 * ignored.  A line with other than three words, a wildcard identity, or a
 * control character (other than tab and CR) is malformed.
 *
 * Nothing here reads files, prints, exits or reads the environment: the
 * caller reads the file and reports the error.
 */

struct allow_table;

/* Why allow_parse() failed: the line (1-based; 0 when not about a line) and one line of reason. */
struct allow_error {
	size_t line;
	char reason[128];
};

/* Parse len bytes (NULs are malformed).  Returns the table, or NULL with err filled (out of memory: line 0). */
struct allow_table *allow_parse(const char *buf, size_t len, struct allow_error *err);
void allow_free(struct allow_table *t);

/* The number of rules. */
size_t allow_count(const struct allow_table *t);

/*
 * 1 when some rule of one of the nids identities (NUL-terminated) permits
 * application app/app_len and facility fac/fac_len (NULL with length 0:
 * empty), else 0.
 */
int allow_permits(const struct allow_table *t, const char *const *ids, size_t nids, const char *app, size_t app_len,
		  const char *fac, size_t fac_len);

/*
 * The CN values of a subject in RFC 2253 form (as tlsio_peer_subject()
 * gives it: "O=Hospital,CN=lab-sender"), one per call: from *pos (start at
 * 0), the next CN attribute's value with its escapes ("\,", "\5C" ...)
 * undone, into out (NUL-terminated).  Returns 1, or 0 when there is no
 * more.  A value that does not fit in cap - 1 bytes, holds a NUL, or is a
 * hex dump ("#04...") is skipped: it never matches.
 */
int allow_next_cn(const char *subject, size_t *pos, char *out, size_t cap);

#endif

/* SPDX-License-Identifier: MIT */
/* allow.h: --tls-allow: which sending application/facility (MSH-3/MSH-4) each client certificate
 * may use. */
#ifndef MLLP_ALLOW_H
#define MLLP_ALLOW_H

#include <stddef.h>

#include "hl7.h"

/*
 * The rules file, one rule per line:
 *
 *     IDENTITY APPLICATION FACILITY
 *
 * separated by blanks (spaces or tabs; a CR before the line end is a
 * blank too).  IDENTITY names a certificate identity, as KIND:NAME with
 * KIND one of
 *
 *     CN:     a subject CN            DNS:    a dNSName SAN
 *     email:  an rfc822Name SAN       URI:    a uniformResourceIdentifier SAN
 *     IP:     an iPAddress SAN        *:      any of these kinds
 *
 * (the KIND compared without regard to ASCII case), or as a bare NAME,
 * which is a CN, as before there were kinds (so a CN that starts with one
 * of the KINDs must be written CN:NAME).  NAME is compared byte for byte
 * with the identity, except that DNS names compare without regard to
 * ASCII case and IP addresses as addresses (IPv4, or IPv6 in any textual
 * form: "IP:2001:DB8:0::1" matches 2001:db8::1).  A "*:" rule matches an
 * identity when the rule of that identity's kind with the same NAME would.
 * APPLICATION and FACILITY are compared byte for byte with the app and fac
 * the caller gives (mllpd gives MSH-3 and MSH-4 whole, every component, raw,
 * with the message's separators written ^ & ~), or are "*" for any value
 * (an empty one included).  An identity may have several lines: a
 * message is allowed when any line of any of its certificate's identities
 * matches.  '#' starts a comment to the end of the line; blank lines are
 * ignored.  A line with other than three words, a NAME that is empty or
 * "*", an IP: NAME that is not an address, or a control character (other
 * than tab and CR; NUL included, and in a comment too) is malformed.
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

/* Parse len bytes (NULs are malformed).  Returns the table, or NULL with err filled (out of memory:
 * line 0). */
struct allow_table *allow_parse(const char *buf, size_t len, struct allow_error *err);
void allow_free(struct allow_table *t);

/* The number of rules. */
size_t allow_count(const struct allow_table *t);

/*
 * 1 when some rule matches one of the nids identities and permits
 * application app/app_len and facility fac/fac_len (NULL with length 0:
 * empty), else 0.  Each identity is a NUL-terminated "KIND:name" with an
 * explicit KIND (CN, DNS, email, URI or IP; as tlsio_peer_names() writes
 * them); one without, or with "*:", matches nothing.
 */
int allow_permits(const struct allow_table *t, const char *const *ids, size_t nids, const char *app,
		  size_t app_len, const char *fac, size_t fac_len);

/*
 * The sender a block claims, as allow_permits() compares it: app and fac
 * are whole fields (MSH-3/MSH-4, FHS-3/4, BHS-3/4), raw, in the delimiters
 * d of their message; each is rewritten with its component, subcomponent
 * and repetition separators as ^, & and ~ (how rules are written) before
 * the comparison.  names is the certificate's identities, NUL-separated
 * and ended by an empty one (tlsio_peer_names()); NULL: none.  1 when some
 * rule of some identity permits the sender, else 0; a field holding a
 * literal ^, & or ~ that is not its separator (only possible with other
 * separators), or longer than 512 bytes, never matches.
 */
int allow_sender_permits(const struct allow_table *t, const char *names, struct hl7_span app,
			 struct hl7_span fac, const struct hl7_delims *d);

#endif

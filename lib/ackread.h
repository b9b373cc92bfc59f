/* SPDX-License-Identifier: MIT */
/* ackread.h: read what a sender needs from an HL7 v2 acknowledgement (MSA code, control ID, error
 * text). */
#ifndef MLLPD_ACKREAD_H
#define MLLPD_ACKREAD_H

#include <stddef.h>

#include "hl7.h"

/*
 * Status of ackread_parse().  X(name, text); the text never holds message
 * bytes.
 */
#define ACKREAD_STATUS_LIST(X)                                                                     \
	X(ACKREAD_OK, "ok")                                                                        \
	X(ACKREAD_NOT_HL7, "answer is not an HL7 message")                                         \
	X(ACKREAD_NO_MSA, "answer has no MSA segment")                                             \
	X(ACKREAD_BAD_CODE, "MSA-1 is not an acknowledgement code (AA, AE, AR, CA, CE, CR)")       \
	X(ACKREAD_NOT_MSH, "answer does not start with MSH")                                       \
	X(ACKREAD_OTHER_MESSAGE, "MSA-2 does not acknowledge this message")

enum ackread_status {
#define ACKREAD_X_ENUM(name, text) name,
	ACKREAD_STATUS_LIST(ACKREAD_X_ENUM)
#undef ACKREAD_X_ENUM
};

/* Text for a status; never NULL. */
const char *ackread_status_text(enum ackread_status s);

struct ackread {
	char code[3];		    /* MSA-1, NUL-terminated ("AA"...), "" when unreadable */
	int positive;		    /* 1 for AA and CA */
	struct hl7_span control_id; /* MSA-2 (the acknowledged MSH-10), raw */
	/*
	 * The error text, raw (still escaped: decode with hl7_unescape() and
	 * m->d): MSA-3 when valued, else ERR-8 (user message, v2.5+), else
	 * ERR-3.2 (the code's text, v2.5+), else ERR-1.4.2 (before v2.5).
	 * Empty when none of them is.
	 */
	struct hl7_span text;
};

/*
 * Parse buf[0..len) (one acknowledgement, unframed) into m and read its
 * MSA (the first one) and ERR (the first one).  Lenient about everything
 * an ACK's reader need not care for: only MSH-1/MSH-2 must be valid (so
 * the fields can be split), MSH-12, MSH-9 and the segment IDs after MSA are
 * not checked.  Spans borrow from buf.  Returns ACKREAD_OK, or the first
 * problem found (a's fields are then as far as they could be read).
 */
enum ackread_status ackread_parse(struct hl7_msg *m, const char *buf, size_t len,
				  struct ackread *a);

/*
 * What an --exec command printed, taken as the answer to the message whose
 * MSH-10 is control_id (raw, as hl7_msh(m, 10, 0) gives it): the printed
 * bytes out[0..n) with their segment separators normalised to CR
 * (segnorm_copy()) are written to dst, and read with ackread_parse(), the
 * one reader of acknowledgements that mllpd, mllp-send and hl7 share.  It
 * is the answer only when it starts with "MSH", reads as an
 * acknowledgement, and its MSA-2 is control_id byte for byte.
 *
 * dst needs n + 1 bytes (cap); *len is the normalised length.  Spans in *a
 * and *m borrow from dst.  Returns ACKREAD_OK, ACKREAD_NOT_MSH (the output
 * is something else: the command's own chatter), or why it is not usable
 * (ACKREAD_OTHER_MESSAGE and the statuses of ackread_parse(); the caller
 * ignores it and answers by the exit status).  Pure: no I/O.
 */
enum ackread_status ackread_answer(const char *out, size_t n, struct hl7_span control_id, char *dst,
				   size_t cap, size_t *len, struct hl7_msg *m, struct ackread *a);

#endif

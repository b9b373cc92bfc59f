/* SPDX-License-Identifier: MIT */
/* natsname.h: NATS subjects and Nats-Msg-Id values from HL7 fields, sanitised; no I/O, no
 * allocation. */
#ifndef MLLPD_NATSNAME_H
#define MLLPD_NATSNAME_H

#include <stddef.h>

#include "hl7.h"
#include "sha256.h"

/* Bytes of one value kept in a subject token or a message ID field (longer ones are cut). */
#define NATSNAME_VALUE_MAX 64

/* Longest subject natsname_expand() makes, without its NUL. */
#define NATSNAME_SUBJECT_MAX 255

/* Longest message ID natsname_msgid() makes, without its NUL: three fields, the hex digest and
 * the three '/'. */
#define NATSNAME_MSGID_MAX (3 * NATSNAME_VALUE_MAX + 2 * SHA256_LEN + 3)

/*
 * src[0..len) as one subject token: ASCII letters, digits, '-' and '_' are kept, every other
 * byte becomes '_' (so no '.', '*', '>', '$', space or control byte can reach a subject), the
 * value is cut at NATSNAME_VALUE_MAX bytes, and an empty value is "_" (a token is never empty).
 * Writes at most cap bytes (no NUL) and returns the token's length, 1 to NATSNAME_VALUE_MAX
 * (strlcpy-style: the length even when cap was smaller).  dst may be NULL when cap is 0.
 */
size_t natsname_token(char *dst, size_t cap, const char *src, size_t len);

/*
 * The Nats-Msg-Id of a message: "APP/FAC/ID/HEX", where APP, FAC and ID are fields[0..2]
 * (MSH-3, MSH-4, MSH-10) with every byte outside '!'..'~' and every '/' written '_', each cut
 * at NATSNAME_VALUE_MAX bytes (an empty field stays empty), and HEX is digest in lower-case
 * hex.  Safe as a NATS header value.  Writes at most cap bytes and a NUL when cap > 0 (cut
 * short when cap is too small); returns the full length, at most NATSNAME_MSGID_MAX.
 */
size_t natsname_msgid(char *dst, size_t cap, const struct hl7_span fields[3],
		      const unsigned char digest[SHA256_LEN]);

/* What a subject template refers to. */
enum natsname_ref {
	NATSNAME_FIELD, /* %{PATH}: an HL7 path such as MSH-9.1 */
	NATSNAME_ENV,	/* $NAME or ${NAME}: a variable such as HL7_MESSAGE_CODE */
};

/*
 * The caller's look-up: the value of the reference name[0..len) of the given kind, stored in
 * *val (borrowed; an empty span when there is none).  Returns 0, or -1 when name is no valid
 * reference of that kind (NATSNAME_ERR_REF).
 */
typedef int (*natsname_lookup)(void *ctx, enum natsname_ref kind, const char *name, size_t len,
			       struct hl7_span *val);

/*
 * Status of natsname_expand(); X(name, text).
 */
#define NATSNAME_STATUS_LIST(X)                                                                    \
	X(NATSNAME_OK, "ok")                                                                       \
	X(NATSNAME_ERR_SYNTAX, "malformed reference: %{PATH}, $NAME or ${NAME}")                   \
	X(NATSNAME_ERR_CHAR, "character not allowed in a subject")                                 \
	X(NATSNAME_ERR_EMPTY_TOKEN, "empty token (a leading, trailing or double '.')")             \
	X(NATSNAME_ERR_REF, "not a field path")                                                    \
	X(NATSNAME_ERR_TOO_LONG, "subject longer than 255 bytes")

enum natsname_status {
#define NATSNAME_X_ENUM(name, text) name,
	NATSNAME_STATUS_LIST(NATSNAME_X_ENUM)
#undef NATSNAME_X_ENUM
};

/* Text for a status; never NULL. */
const char *natsname_status_text(enum natsname_status s);

/*
 * Expand the subject template tmpl (NUL-terminated) into dst (cap bytes, NUL-terminated when
 * cap > 0).  Literal text may hold the bytes '!'..'~' except '*', '>', '{', '}', '$' and '%',
 * with '.' between tokens (no empty token); "%{PATH}", "$NAME" and "${NAME}" (NAME: a letter or
 * '_', then letters, digits, '_') are replaced by the look-up's value as natsname_token() writes
 * it, so a value never adds a token, a wildcard or a control byte.  lookup may be NULL: every
 * value is then empty (to check a template before there is a message).  Returns NATSNAME_OK
 * with *len the subject's length, or an error with *len the byte offset in tmpl where it is
 * (NATSNAME_ERR_TOO_LONG also when the subject does not fit in cap).
 */
enum natsname_status natsname_expand(char *dst, size_t cap, const char *tmpl,
				     natsname_lookup lookup, void *ctx, size_t *len);

#endif

/* SPDX-License-Identifier: MIT */
/* hl7.h: HL7 v2 parser that indexes a message in place (no allocation). */
#ifndef MLLPD_HL7_H
#define MLLPD_HL7_H

#include <stddef.h>

/*
 * A span of bytes borrowed from the caller's message buffer.  Spans are valid
 * as long as that buffer is; the parser never copies and never allocates.
 */
struct hl7_span {
	const char *p;
	size_t len;
};

/* The delimiters of one message, taken from MSH-1 and MSH-2. */
struct hl7_delims {
	char field;	   /* MSH-1, usually '|' */
	char component;	   /* MSH-2[0], usually '^' */
	char repetition;   /* MSH-2[1], usually '~' */
	char escape;	   /* MSH-2[2], usually '\\' */
	char subcomponent; /* MSH-2[3], usually '&' */
	char truncation;   /* MSH-2[4] when present (v2.7+), else 0 */
};

/*
 * Status of hl7_parse().  One X-macro list gives the enum, the table 0357
 * error code an ACK reports for it, and its message (never message bytes).
 *   X(name, table-0357 code, text)
 */
#define HL7_STATUS_LIST(X)                                                                         \
	X(HL7_OK, 0, "ok")                                                                         \
	X(HL7_ERR_NO_MSH, 100, "message does not start with MSH")                                  \
	X(HL7_ERR_FIELD_SEPARATOR, 102, "MSH-1 is not a valid field separator")                    \
	X(HL7_ERR_ENCODING_CHARS, 102, "MSH-2 is not 4 or 5 distinct encoding characters")         \
	X(HL7_ERR_SEGMENT_ID, 100, "invalid segment ID")                                           \
	X(HL7_ERR_SEGMENT_SEQUENCE, 100, "second MSH or batch segment inside a message")           \
	X(HL7_ERR_NO_MESSAGE_TYPE, 101, "MSH-9.1 message type is empty")                           \
	X(HL7_ERR_NO_CONTROL_ID, 101, "MSH-10 control ID is empty")                                \
	X(HL7_ERR_NO_VERSION, 101, "MSH-12 version is empty")                                      \
	X(HL7_ERR_VERSION, 203, "MSH-12 version is not in HL7 table 0104")                         \
	X(HL7_ERR_LENIENT, 102, "non-standard message (refused by --strict)")

enum hl7_status {
#define HL7_X_ENUM(name, code, text) name,
	HL7_STATUS_LIST(HL7_X_ENUM)
#undef HL7_X_ENUM
};

/* Text for a status ("MSH-10 control ID is empty"); never NULL. */
const char *hl7_status_text(enum hl7_status s);
/* HL7 table 0357 code for a status (0 for HL7_OK). */
int hl7_status_code(enum hl7_status s);

/* Leniencies seen while parsing (bit flags in struct hl7_msg.lenient). */
#define HL7_LENIENT_BOM 0x01	       /* UTF-8 BOM before MSH, skipped */
#define HL7_LENIENT_LF 0x02	       /* \n or \r\n used between segments */
#define HL7_LENIENT_EMPTY_SEGMENT 0x04 /* empty segments, skipped */
#define HL7_LENIENT_NO_FINAL_CR 0x08   /* last segment not ended by a separator */

/* Flags for hl7_parse(). */
#define HL7_PARSE_STRICT 0x01 /* any leniency above is HL7_ERR_LENIENT */

/*
 * A parsed message: state owned by the caller, zero-initialisable.  All
 * spans point into the buffer given to hl7_parse().
 */
struct hl7_msg {
	const char *buf; /* the whole block as given */
	size_t len;
	size_t start; /* offset of "MSH" (after a BOM) */
	struct hl7_delims d;
	int has_field_separator; /* 1 once MSH-1 was valid (fields readable) */
	int has_delims;		 /* 1 once MSH-1 and MSH-2 were valid */
	struct hl7_span msh;	 /* the MSH segment, without its separator */
	unsigned lenient;	 /* HL7_LENIENT_* seen */
	unsigned segments;	 /* non-empty segments seen */
	enum hl7_status status;	 /* as returned by hl7_parse() */
	size_t err_offset;	 /* byte offset in buf where the error is */
	char err_segment[4];	 /* segment ID (or "") where the error is */
	unsigned err_field;	 /* field number of the error, 0 if none */
};

/*
 * Parse and validate one message (mllpd(8) "Validation": those checks and
 * no others).  Never allocates; reads buf[0..len) only; O(len).
 * Returns HL7_OK or the first error found; the same value is stored in
 * m->status, with err_offset/err_segment/err_field.  Even on error, when
 * m->has_delims is set the MSH fields can be read with hl7_msh() etc.; when
 * only m->has_field_separator is set, whole MSH fields still can (hl7_msh()
 * with c == 0).
 */
enum hl7_status hl7_parse(struct hl7_msg *m, const char *buf, size_t len, unsigned flags);

/*
 * Segment iteration.  *cursor starts at 0; each call stores the next
 * non-empty segment (without its separator) in *seg and returns 1, or
 * returns 0 at the end.  Works only when m->has_delims.
 */
int hl7_segment_next(const struct hl7_msg *m, size_t *cursor, struct hl7_span *seg);

/*
 * Field n of a segment (n >= 1; MSH-1 is the field separator itself and
 * MSH-2 the encoding characters, as HL7 numbers them).  Returns 1 and
 * stores the span, or 0 when the segment has no such field (*out is then
 * an empty span).
 */
int hl7_field(const struct hl7_msg *m, struct hl7_span seg, unsigned n, struct hl7_span *out);

/* Repetition r (r >= 1) of a field; same return convention. */
int hl7_repetition(const struct hl7_msg *m, struct hl7_span field, unsigned r,
		   struct hl7_span *out);
/* Component c (c >= 1) of a repetition; same return convention. */
int hl7_component(const struct hl7_msg *m, struct hl7_span rep, unsigned c, struct hl7_span *out);
/* Subcomponent s (s >= 1) of a component; same return convention. */
int hl7_subcomponent(const struct hl7_msg *m, struct hl7_span comp, unsigned s,
		     struct hl7_span *out);

/*
 * A path such as "MSH-9.2", "PID-3[2].1", "OBX[3]-5", "PID-5.1.1".
 * Zero means "not given": seg_index 0 = first matching segment, rep 0 =
 * first repetition, comp 0 = the whole field/repetition, sub 0 = the whole
 * component.  Segment, field, repetition and component numbers count from 1.
 */
struct hl7_path {
	char seg[4];
	unsigned seg_index;
	unsigned field;
	unsigned rep;
	unsigned comp;
	unsigned sub;
};

/* Parse a path string of length len.  Returns 0, or -1 if it is not a path. */
int hl7_path_parse(const char *s, size_t len, struct hl7_path *p);

/*
 * Value at a path.  Returns 1 and stores the raw (still escaped) span, or 0
 * when the message has no such segment/field/part (*out empty).  MSH-1 and
 * MSH-2 are returned whole, never split.
 */
int hl7_get(const struct hl7_msg *m, const struct hl7_path *p, struct hl7_span *out);

/* Convenience: hl7_get() of the MSH field n, component c (0 = whole field). */
struct hl7_span hl7_msh(const struct hl7_msg *m, unsigned n, unsigned c);

/*
 * Decode escape sequences of a value: \F\ \S\ \T\ \R\ \E\ and \Xhh..\ (hex
 * bytes); any other sequence (\H\, \.br\, \Cxxyy\ ...) and a lone escape
 * character are copied through unchanged.  Writes at most cap bytes to dst
 * (no terminating NUL) and returns the decoded length, which may exceed cap
 * (strlcpy-style: call again with a larger buffer).  dst may be NULL if cap
 * is 0.
 */
size_t hl7_unescape(const struct hl7_delims *d, struct hl7_span in, char *dst, size_t cap);

/*
 * Encode text for a field: each delimiter byte becomes its escape sequence
 * (\F\ \S\ \T\ \R\ \E\; the truncation character \P\ when defined), and CR
 * and LF, which would end the segment, become \X0D\ and \X0A\.  Same
 * return convention as hl7_unescape().
 */
size_t hl7_escape(const struct hl7_delims *d, struct hl7_span in, char *dst, size_t cap);

/*
 * The delimiters of a header segment (MSH, FHS, BHS) from the bytes after
 * its 3-letter ID up to the end of the segment: the field separator, then
 * 4 or 5 encoding characters ended by the field separator or the segment's
 * end.  Returns 1 and fills *d, or 0 when they are not valid (MSH-1/MSH-2
 * rules).
 */
int hl7_delims_read(const char *p, size_t len, struct hl7_delims *d);

/* 1 if v (MSH-12.1, e.g. "2.5.1") is a version of HL7 table 0104, else 0. */
int hl7_version_known(struct hl7_span v);

/* The default delimiters |^~\& . */
extern const struct hl7_delims hl7_default_delims;

/* 1 if s/len equals the text t (NUL-terminated), else 0. */
int hl7_span_eq(struct hl7_span s, const char *t);

#endif

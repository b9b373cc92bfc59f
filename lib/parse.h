/* SPDX-License-Identifier: MIT */
/* parse.h: counts, sizes and durations from option values, exactly: no wrap, no sign, no blank. */
#ifndef MLLP_PARSE_H
#define MLLP_PARSE_H

/*
 * The one parser of the numbers that options and configuration keys take.
 * Every function reads the whole NUL-terminated string s: ASCII digits, then
 * what the function allows after them, and nothing else (no sign, no blank,
 * no exponent, no hexadecimal).  Values are computed without overflow: a
 * value past max (however many digits or however large its unit) is
 * PARSE_RANGE, never a wrapped number.  On PARSE_OK *out is set; otherwise
 * it is left alone.  Nothing here prints or exits: the caller reports.
 */

enum parse_status {
	PARSE_OK,
	PARSE_EMPTY,   /* s is NULL or "" */
	PARSE_INVALID, /* not of the form the function reads */
	PARSE_RANGE,   /* of the form, but below min or above max (overflow included) */
};

/* "empty", "invalid", "out of range" ("ok" for PARSE_OK). */
const char *parse_status_text(enum parse_status st);

/* A count: DIGITS, in [min, max]. */
enum parse_status parse_count(const char *s, unsigned long long min, unsigned long long max,
			      unsigned long long *out);

/*
 * A size in bytes: DIGITS with an optional suffix K, M or G (either case;
 * 1024, 1024^2, 1024^3), in [min, max] bytes.
 */
enum parse_status parse_size(const char *s, unsigned long long min, unsigned long long max,
			     unsigned long long *out);

/* Flags of parse_duration_ms(). */
#define PARSE_FRACTION                                                                             \
	1u /* DIGITS.DIGITS allowed, in seconds; finer than 1 ms rounds up to the next ms */
#define PARSE_UNITS 2u /* an optional unit: s, m, h or d (lower case); none is seconds */

/*
 * A duration, as milliseconds in [min_ms, max_ms]: DIGITS (seconds), with
 * a fraction and/or a unit as flags allow ("1.5", "1.5s", "15m"; a
 * fraction of a larger unit, "1.5h", is PARSE_INVALID).  Rounding up keeps
 * a non-zero value non-zero: "0.0001" is 1 ms, never 0, which callers take
 * as "no limit".
 */
enum parse_status parse_duration_ms(const char *s, unsigned flags, unsigned long long min_ms,
				    unsigned long long max_ms, unsigned long long *out);

#endif

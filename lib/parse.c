/* SPDX-License-Identifier: MIT */
/* parse.c: counts, sizes and durations, digit by digit with an overflow check before every step. */
#include "parse.h"

#include <limits.h>
#include <stddef.h>

const char *parse_status_text(enum parse_status st)
{
	switch (st) {
	case PARSE_OK: return "ok";
	case PARSE_EMPTY: return "empty";
	case PARSE_INVALID: return "invalid";
	case PARSE_RANGE: return "out of range";
	}
	return "?";
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Leading digits of *sp into *v, *sp moved past them.  Returns 0, -1 when
 * there are none, 1 when the value passed ULLONG_MAX (the digits are still
 * all read).
 */
static int digits(const char **sp, unsigned long long *v)
{
	const char *s = *sp;
	int over = 0;
	*v = 0;
	if (!is_digit(*s))
		return -1;
	for (; is_digit(*s); s++) {
		unsigned d = (unsigned)(*s - '0');
		if (*v > (ULLONG_MAX - d) / 10)
			over = 1;
		else
			*v = *v * 10 + d;
	}
	*sp = s;
	return over;
}

/* v * unit, or PARSE_RANGE when it passes ULLONG_MAX. */
static enum parse_status times(unsigned long long *v, unsigned long long unit)
{
	if (unit && *v > ULLONG_MAX / unit)
		return PARSE_RANGE;
	*v *= unit;
	return PARSE_OK;
}

static enum parse_status within(unsigned long long v, unsigned long long min,
				unsigned long long max, unsigned long long *out)
{
	if (v < min || v > max)
		return PARSE_RANGE;
	*out = v;
	return PARSE_OK;
}

enum parse_status parse_count(const char *s, unsigned long long min, unsigned long long max,
			      unsigned long long *out)
{
	unsigned long long v;
	if (!s || !*s)
		return PARSE_EMPTY;
	int r = digits(&s, &v);
	if (r < 0 || *s)
		return PARSE_INVALID;
	if (r > 0)
		return PARSE_RANGE;
	return within(v, min, max, out);
}

enum parse_status parse_size(const char *s, unsigned long long min, unsigned long long max,
			     unsigned long long *out)
{
	unsigned long long v, unit = 1;
	if (!s || !*s)
		return PARSE_EMPTY;
	int r = digits(&s, &v);
	if (r < 0)
		return PARSE_INVALID;
	switch (*s) {
	case '\0': break;
	case 'k':
	case 'K': unit = 1ull << 10, s++; break;
	case 'm':
	case 'M': unit = 1ull << 20, s++; break;
	case 'g':
	case 'G': unit = 1ull << 30, s++; break;
	default: return PARSE_INVALID;
	}
	if (*s)
		return PARSE_INVALID;
	if (r > 0 || times(&v, unit) != PARSE_OK)
		return PARSE_RANGE;
	return within(v, min, max, out);
}

enum parse_status parse_duration_ms(const char *s, unsigned flags, unsigned long long min_ms,
				    unsigned long long max_ms, unsigned long long *out)
{
	unsigned long long v, frac = 0, unit = 1000;
	int fraction = 0;
	if (!s || !*s)
		return PARSE_EMPTY;
	int r = digits(&s, &v);
	if (r < 0)
		return PARSE_INVALID;
	if (*s == '.' && (flags & PARSE_FRACTION)) {
		int n = 0, finer = 0;
		fraction = 1;
		if (!is_digit(*++s))
			return PARSE_INVALID;
		/* Milliseconds are the first three digits; any finer non-zero digit rounds up. */
		for (; is_digit(*s); s++, n++) {
			if (n < 3)
				frac = frac * 10 + (unsigned)(*s - '0');
			else if (*s != '0')
				finer = 1;
		}
		for (; n < 3; n++)
			frac *= 10;
		frac += (unsigned long long)finer;
	}
	if (flags & PARSE_UNITS) {
		switch (*s) {
		case 's': s++; break;
		case 'm': unit = 60 * 1000ull, s++; break;
		case 'h': unit = 3600 * 1000ull, s++; break;
		case 'd': unit = 86400 * 1000ull, s++; break;
		}
		/* A fraction is of seconds only: "1.5h" would need rounding rules of its own. */
		if (fraction && unit != 1000)
			return PARSE_INVALID;
	}
	if (*s)
		return PARSE_INVALID;
	if (r > 0 || times(&v, unit) != PARSE_OK || v > ULLONG_MAX - frac)
		return PARSE_RANGE;
	return within(v + frac, min_ms, max_ms, out);
}

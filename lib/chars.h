/* SPDX-License-Identifier: MIT */
/* chars.h: the byte classes the parsers share, ASCII only (ctype.h would follow the locale). */
#ifndef MLLP_CHARS_H
#define MLLP_CHARS_H

/* A segment or line end: CR or LF. */
static inline int chars_is_eol(char c)
{
	return c == '\r' || c == '\n';
}

/* Space or tab. */
static inline int chars_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Blank within a line of a text file: space, tab, or the CR of a CR LF line end. */
static inline int chars_is_line_blank(char c)
{
	return chars_is_blank(c) || c == '\r';
}

/* Space, tab, CR or LF: what may stand between messages. */
static inline int chars_is_white(char c)
{
	return chars_is_blank(c) || chars_is_eol(c);
}

#endif

/* SPDX-License-Identifier: MIT */
/* out.c: output encodings of hl7: decoded values, table cells, JSON strings (always valid UTF-8). */
#include <stdio.h>
#include <stdlib.h>

#include "hl7cmd.h"

static char *scratch;
static size_t scratch_cap;

struct hl7_span value_decode(const struct hl7_msg *m, struct hl7_span raw)
{
	size_t n = hl7_unescape(&m->d, raw, scratch, scratch_cap);

	if (n > scratch_cap) {
		size_t c = scratch_cap ? scratch_cap : 256;
		char *p;

		while (c < n)
			c *= 2;
		p = realloc(scratch, c);
		if (!p) {
			report_plain(EX_SOFTWARE, "out of memory");
			exit(71);
		}
		scratch = p;
		scratch_cap = c;
		n = hl7_unescape(&m->d, raw, scratch, scratch_cap);
	}
	return (struct hl7_span){ scratch ? scratch : "", n };
}

void out_bytes(const char *p, size_t len)
{
	if (len)
		fwrite(p, 1, len, stdout);
}

void out_char(char c)
{
	putchar_unlocked(c);
}

void out_str(const char *s)
{
	fputs(s, stdout);
}

void out_cell(struct hl7_span v)
{
	size_t i, from = 0;

	for (i = 0; i < v.len; i++) {
		char c = v.p[i], e;

		if (c == '\t')
			e = 't';
		else if (c == '\n')
			e = 'n';
		else if (c == '\r')
			e = 'r';
		else
			continue;
		out_bytes(v.p + from, i - from);
		out_char('\\');
		out_char(e);
		from = i + 1;
	}
	out_bytes(v.p + from, v.len - from);
}

/* Length of the valid UTF-8 sequence at p[0..n), or 0 (RFC 3629: no overlongs, surrogates, > U+10FFFF). */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	size_t k, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		k = 2;
	else if (c >= 0xe0 && c <= 0xef)
		k = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		k = 4;
	else
		return 0;
	if (n < k)
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < k; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return k;
}

void out_json_string(const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, from = 0;

	out_char('"');
	while (i < len) {
		unsigned char c = p[i];
		size_t k;
		char e = 0;

		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			i++;
			continue;
		}
		if (c >= 0x80 && (k = utf8_len(p + i, len - i)) > 0) {
			i += k;
			continue;
		}
		out_bytes(s + from, i - from);
		switch (c) {
		case '"': e = '"'; break;
		case '\\': e = '\\'; break;
		case '\n': e = 'n'; break;
		case '\r': e = 'r'; break;
		case '\t': e = 't'; break;
		default: break;
		}
		if (e) {
			out_char('\\');
			out_char(e);
		} else {
			/* a control character, or a byte that is not UTF-8: its Latin-1 meaning */
			out_str("\\u00");
			out_char(hex[c >> 4]);
			out_char(hex[c & 15]);
		}
		i++;
		from = i;
	}
	out_bytes(s + from, len - from);
	out_char('"');
}

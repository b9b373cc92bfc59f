/* SPDX-License-Identifier: MIT */
/* out.c: output encodings of hl7: decoded values, table cells (terminal-safe), JSON strings (valid
 * UTF-8, no raw control byte). */
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
			exit(EX_OSERR);
		}
		scratch = p;
		scratch_cap = c;
		n = hl7_unescape(&m->d, raw, scratch, scratch_cap);
	}
	return (struct hl7_span){scratch ? scratch : "", n};
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

void out_cell(struct hl7_span v, unsigned flags)
{
	static char *cell;
	static size_t cell_cap;
	size_t n = termsafe_escape(cell, cell_cap, v.p, v.len, flags);

	if (n > cell_cap) {
		char *p = realloc(cell, n);

		if (!p) {
			report_plain(EX_SOFTWARE, "out of memory");
			exit(EX_OSERR);
		}
		cell = p;
		cell_cap = n;
		n = termsafe_escape(cell, cell_cap, v.p, v.len, flags);
	}
	out_bytes(cell, n);
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

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			i++;
			continue;
		}
		k = termsafe_control(s + i, len - i);
		if (c >= 0x80 && !k && (k = termsafe_utf8(s + i, len - i)) > 0) {
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
			/*
			 * A control character (C1 in UTF-8: its code point), or a
			 * byte that is not UTF-8: its Latin-1 meaning.
			 */
			if (k == 2) {
				c = (unsigned char)(((p[i] & 0x1f) << 6) | (p[i + 1] & 0x3f));
				i++;
			}
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

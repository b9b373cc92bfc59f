/* SPDX-License-Identifier: MIT */
/* termsafe.c: which bytes a terminal would obey rather than print, and their visible \xhh form. */
#include "termsafe.h"

#include <string.h>

size_t termsafe_utf8(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char c, lo = 0x80, hi = 0xbf;
	size_t k, i;

	if (n == 0)
		return 0;
	c = p[0];
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

size_t termsafe_control(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	if (n == 0)
		return 0;
	if (p[0] < 0x20 || p[0] == 0x7f)
		return 1;
	if (p[0] == 0xc2 && n >= 2 && p[1] >= 0x80 && p[1] <= 0x9f)
		return 2;
	/* a lone 0x80-0x9F: the caller steps over valid UTF-8 whole, so this is not a continuation
	 * byte */
	if (p[0] >= 0x80 && p[0] <= 0x9f)
		return 1;
	return 0;
}

static void put(char *dst, size_t cap, size_t *o, char c)
{
	if (*o < cap)
		dst[*o] = c;
	(*o)++;
}

size_t termsafe_escape(char *dst, size_t cap, const char *src, size_t len, unsigned flags)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, o = 0;

	while (i < len) {
		size_t k = termsafe_control(src + i, len - i);
		unsigned char c = (unsigned char)src[i];
		char named = c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : 0;

		if (k == 0 || ((flags & TERMSAFE_RAW) && !named)) {
			/* text: a whole UTF-8 sequence at once, so its continuation bytes are not
			 * taken for C1 */
			size_t u = termsafe_utf8(src + i, len - i);

			if (u == 0 || k)
				u = 1;
			while (u--)
				put(dst, cap, &o, src[i++]);
			continue;
		}
		if (named && (flags & (TERMSAFE_NAMED | TERMSAFE_RAW))) {
			put(dst, cap, &o, '\\');
			put(dst, cap, &o, named);
			i++;
			continue;
		}
		while (k--) {
			c = (unsigned char)src[i++];
			put(dst, cap, &o, '\\');
			put(dst, cap, &o, 'x');
			put(dst, cap, &o, hex[c >> 4]);
			put(dst, cap, &o, hex[c & 15]);
		}
	}
	return o;
}

size_t termsafe_ascii(char *dst, size_t cap, const char *src, size_t len, const char *also)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)src[i];
		int plain = c >= 0x20 && c < 0x7f && !strchr(also, c);

		if (o + (plain ? 1 : 4) + 4 > cap)
			break;
		if (plain) {
			dst[o++] = (char)c;
			continue;
		}
		dst[o++] = '\\';
		dst[o++] = 'x';
		dst[o++] = hex[c >> 4];
		dst[o++] = hex[c & 15];
	}
	if (cap)
		dst[o] = '\0';
	return o;
}

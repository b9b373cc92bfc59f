/* SPDX-License-Identifier: MIT */
/* segnorm.c: every run of CR/LF becomes one CR, leading runs go, a last CR is added. */
#include "segnorm.h"

#include "chars.h"

size_t segnorm_copy(char *dst, size_t cap, const char *src, size_t len)
{
	size_t i = 0, o = 0;

	while (i < len) {
		if (chars_is_eol(src[i])) {
			/* A run of separators: one CR, unless nothing came before it. */
			while (i < len && chars_is_eol(src[i]))
				i++;
			if (o > 0) {
				if (o < cap)
					dst[o] = '\r';
				o++;
			}
			continue;
		}
		/* Reading src[i] before writing dst[o] with o <= i keeps in-place copies safe. */
		char c = src[i++];
		if (o < cap)
			dst[o] = c;
		o++;
	}
	if (o > 0 && len > 0 && !chars_is_eol(src[len - 1])) {
		if (o < cap)
			dst[o] = '\r';
		o++;
	}
	return o;
}

size_t segnorm_feed(struct segnorm *z, char *dst, const char *src, size_t len)
{
	size_t o = 0;

	/* segnorm_copy()'s rule, one byte at a time: a run's CR is written at its first byte. */
	for (size_t i = 0; i < len; i++) {
		char c = src[i];
		if (chars_is_eol(c)) {
			if (!z->in_run && z->started)
				dst[o++] = '\r';
			z->in_run = 1;
		} else {
			dst[o++] = c;
			z->started = 1;
			z->in_run = 0;
		}
	}
	return o;
}

size_t segnorm_end(struct segnorm *z, char *dst)
{
	if (!z->started || z->in_run)
		return 0;
	dst[0] = '\r';
	z->in_run = 1;
	return 1;
}

int segnorm_is_normal(const char *src, size_t len)
{
	if (len == 0)
		return 1;
	if (chars_is_eol(src[0]) || src[len - 1] != '\r')
		return 0;
	for (size_t i = 0; i + 1 < len; i++)
		if (src[i] == '\n' || (src[i] == '\r' && chars_is_eol(src[i + 1])))
			return 0;
	return 1;
}

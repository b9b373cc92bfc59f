/* SPDX-License-Identifier: MIT */
/* test_segnorm.c: separator normalisation: table cases, every capacity, in place, streamed,
 * is_normal. */
#include <stdlib.h>
#include <string.h>

#include "segnorm.h"
#include "tap.h"

struct tcase {
	const char *name;
	const char *in;
	const char *want;
};

static const struct tcase cases[] = {
    {"already normal", "MSH|^~\\&|A\rPID|1\r", "MSH|^~\\&|A\rPID|1\r"},
    {"LF", "MSH|^~\\&|A\nPID|1\n", "MSH|^~\\&|A\rPID|1\r"},
    {"CRLF", "MSH|^~\\&|A\r\nPID|1\r\n", "MSH|^~\\&|A\rPID|1\r"},
    {"no final separator", "MSH|^~\\&|A\rPID|1", "MSH|^~\\&|A\rPID|1\r"},
    {"empty segments dropped", "MSH|^~\\&|A\r\r\n\nPID|1\n\n", "MSH|^~\\&|A\rPID|1\r"},
    {"leading blank lines dropped", "\n\r\nMSH|^~\\&|A\n", "MSH|^~\\&|A\r"},
    {"mixed", "MSH|^~\\&|A\nEVN|x\r\nPID|1\rOBX|2", "MSH|^~\\&|A\rEVN|x\rPID|1\rOBX|2\r"},
    {"empty input", "", ""},
    {"separators only", "\r\n\n\r", ""},
    {"one byte", "x", "x\r"},
    {"other bytes untouched", "MSH|\x01\x0b\x1c\xff\t \n", "MSH|\x01\x0b\x1c\xff\t \r"},
};

/*
 * Streamed in pieces of size step (0: split once at position at), each
 * piece normalised in place: the result must be segnorm_copy()'s.
 */
static size_t stream(char *out, const char *in, size_t len, size_t step, size_t at)
{
	struct segnorm z = {0};
	char piece[256];
	size_t i = 0, o = 0;

	while (i < len) {
		size_t k = step ? step : (i < at ? at - i : len - i);
		if (k > len - i)
			k = len - i;
		memcpy(piece, in + i, k);
		size_t w = segnorm_feed(&z, piece, piece, k);
		if (w > k)
			return (size_t)-1;
		memcpy(out + o, piece, w);
		o += w;
		i += k;
	}
	return o + segnorm_end(&z, out + o);
}

int main(void)
{
	char out[256], inplace[256];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct tcase *t = &cases[i];
		size_t len = strlen(t->in), want = strlen(t->want);

		memset(out, 0x55, sizeof out);
		size_t n = segnorm_copy(out, sizeof out, t->in, len);
		TAP_OK(n == want && memcmp(out, t->want, want) == 0 &&
			   (unsigned char)out[n] == 0x55,
		       "%s: copy", t->name);

		/* Every capacity: the prefix written is the prefix of the result, the length is
		 * always the full one. */
		int ok = 1;
		for (size_t cap = 0; cap <= want + 1; cap++) {
			char *small = malloc(cap ? cap : 1);
			size_t m = segnorm_copy(cap ? small : NULL, cap, t->in, len);
			size_t k = cap < want ? cap : want;
			if (m != want || memcmp(small, t->want, k) != 0)
				ok = 0;
			free(small);
		}
		TAP_OK(ok, "%s: every capacity 0..%zu", t->name, want + 1);

		/* In place, with room for the final CR. */
		memcpy(inplace, t->in, len);
		n = segnorm_copy(inplace, len + 1, inplace, len);
		TAP_OK(n == want && memcmp(inplace, t->want, want) == 0, "%s: in place", t->name);

		/* Streamed: split at every position, and a byte at a time. */
		ok = 1;
		for (size_t at = 0; at <= len; at++) {
			memset(out, 0x55, sizeof out);
			n = stream(out, t->in, len, 0, at);
			if (n != want || memcmp(out, t->want, want) != 0)
				ok = 0;
		}
		TAP_OK(ok, "%s: streamed, split at every position", t->name);
		n = stream(out, t->in, len, 1, 0);
		TAP_OK(n == want && memcmp(out, t->want, want) == 0,
		       "%s: streamed a byte at a time", t->name);

		TAP_OK(segnorm_is_normal(t->in, len) ==
			   (len == want && memcmp(t->in, t->want, want) == 0),
		       "%s: is_normal agrees with copy", t->name);
	}
	/* The input ends exactly at the end of an allocation (ASan catches a read past it). */
	const char *s = "MSH|^~\\&|A\nPID|1";
	size_t len = strlen(s);
	char *edge = malloc(len);
	memcpy(edge, s, len);
	size_t n = segnorm_copy(out, sizeof out, edge, len);
	TAP_OK(n == len + 1 && memcmp(out, "MSH|^~\\&|A\rPID|1\r", n) == 0,
	       "input ending at the allocation's end");
	TAP_OK(segnorm_is_normal(edge, len) == 0, "is_normal at the allocation's end");
	struct segnorm z = {0};
	n = segnorm_feed(&z, out, edge, len);
	n += segnorm_end(&z, out + n);
	TAP_OK(n == len + 1 && memcmp(out, "MSH|^~\\&|A\rPID|1\r", n) == 0,
	       "streamed input ending at the allocation's end");
	free(edge);
	return tap_done();
}

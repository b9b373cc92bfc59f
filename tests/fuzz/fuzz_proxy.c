/* SPDX-License-Identifier: MIT */
/* fuzz_proxy.c: the PROXY protocol header parser: bounds, any chunking, and a round trip. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "proxy.h"

/*
 * Input: the first bytes of a connection.  The parser must read no byte
 * past the input (ASan), give the same result on every prefix or
 * PROXY_NEED_MORE, tell a reader that cannot give bytes back never to read
 * past a valid header, and keep its bounds.  A header it accepts with an
 * address is written again (v1 as text, v2 as binary) and must parse to
 * the same address and ports.
 */

static void check_same(const struct proxy_header *a, const struct proxy_header *b)
{
	size_t n = a->family == PROXY_TCP4 ? 4 : 16;
	FUZZ_CHECK(a->family == b->family);
	if (a->family == PROXY_KEEP)
		return;
	FUZZ_CHECK(memcmp(a->src, b->src, n) == 0 && memcmp(a->dst, b->dst, n) == 0);
	FUZZ_CHECK(a->src_port == b->src_port && a->dst_port == b->dst_port);
}

/* The header again, in the other version when it has an address. */
static void round_trip(const struct proxy_header *h)
{
	char text[PROXY_V1_MAX + 1], s[64], d[64];
	unsigned char bin[PROXY_V2_HEAD + 36] = "\r\n\r\n\0\r\nQUIT\n\x21";
	struct proxy_header again;
	int af = h->family == PROXY_TCP4 ? AF_INET : AF_INET6;
	size_t n = h->family == PROXY_TCP4 ? 4 : 16;

	if (h->family == PROXY_KEEP)
		return;
	FUZZ_CHECK(inet_ntop(af, h->src, s, sizeof s) && inet_ntop(af, h->dst, d, sizeof d));
	int len = snprintf(text, sizeof text, "PROXY TCP%c %s %s %u %u\r\n",
			   af == AF_INET ? '4' : '6', s, d, h->src_port, h->dst_port);
	FUZZ_CHECK(len > 0 && len <= PROXY_V1_MAX);
	FUZZ_CHECK(proxy_parse(text, (size_t)len, &again) == PROXY_DONE);
	FUZZ_CHECK(again.len == (size_t)len && again.version == 1);
	check_same(h, &again);

	bin[13] = af == AF_INET ? 0x11 : 0x21;
	bin[15] = (unsigned char)(n * 2 + 4);
	memcpy(bin + 16, h->src, n);
	memcpy(bin + 16 + n, h->dst, n);
	bin[16 + 2 * n] = (unsigned char)(h->src_port >> 8);
	bin[17 + 2 * n] = (unsigned char)h->src_port;
	bin[18 + 2 * n] = (unsigned char)(h->dst_port >> 8);
	bin[19 + 2 * n] = (unsigned char)h->dst_port;
	FUZZ_CHECK(proxy_parse((const char *)bin, 20 + 2 * n, &again) == PROXY_DONE);
	FUZZ_CHECK(again.len == 20 + 2 * n && again.version == 2);
	check_same(h, &again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct proxy_header h, p;
	enum proxy_status s = proxy_parse(buf, size, &h);
	size_t end = s == PROXY_DONE ? h.len : size, have = 0;

	FUZZ_CHECK(strlen(proxy_status_text(s)) > 1);
	if (s == PROXY_NEED_MORE)
		FUZZ_CHECK(h.want >= 1 && size < PROXY_MAX);
	if (s == PROXY_DONE) {
		FUZZ_CHECK(h.len >= 15 && h.len <= size && h.len <= PROXY_MAX);
		FUZZ_CHECK(h.version == 2 || h.len <= PROXY_V1_MAX);
		FUZZ_CHECK(h.family == PROXY_KEEP || h.family == PROXY_TCP4 ||
			   h.family == PROXY_TCP6);
		round_trip(&h);
	}
	/* every prefix: NEED_MORE or this result (the first few hundred, then a sample) */
	for (size_t n = 0; n < end; n += n < 300 ? 1 : 1 + n / 16) {
		enum proxy_status ps = proxy_parse(buf, n, &p);
		FUZZ_CHECK(ps == PROXY_NEED_MORE || ps == s);
		if (ps == PROXY_NEED_MORE)
			FUZZ_CHECK(p.want >= 1 && (s != PROXY_DONE || n + p.want <= h.len));
	}
	/* a reader that reads what it is told comes to the same end */
	enum proxy_status rs;
	while ((rs = proxy_parse(buf, have, &p)) == PROXY_NEED_MORE && have < size)
		have += p.want < size - have ? p.want : size - have;
	FUZZ_CHECK(rs == s || (rs == PROXY_NEED_MORE && s == PROXY_NEED_MORE));
	if (s == PROXY_DONE)
		FUZZ_CHECK(have == h.len && p.len == h.len);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/* proxy.c: PROXY protocol v1/v2 header parser: bytes in, the client's address out. */
#include "proxy.h"

#include <arpa/inet.h>
#include <string.h>

static const char v1_sig[] = "PROXY ";
static const unsigned char v2_sig[12] = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D,
					 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
/* The shortest v1 line, "PROXY UNKNOWN\r\n": a reader may always take that many bytes. */
#define V1_MIN 15

const char *proxy_status_text(enum proxy_status s)
{
	switch (s) {
#define PROXY_X_TEXT(name, text)                                                                   \
	case name: return text;
		PROXY_STATUS_LIST(PROXY_X_TEXT)
#undef PROXY_X_TEXT
	}
	return "unknown status";
}

/* Ports: decimal, no sign, no leading zero, at most 65535. */
static int parse_port(const char *p, size_t len, unsigned *out)
{
	unsigned v = 0;
	if (len == 0 || len > 5 || (len > 1 && p[0] == '0'))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(p[i] - '0');
	}
	if (v > 65535)
		return -1;
	*out = v;
	return 0;
}

static int parse_addr(const char *p, size_t len, int af, unsigned char *out)
{
	char text[48];
	if (len == 0 || len >= sizeof text)
		return -1;
	memcpy(text, p, len);
	text[len] = '\0';
	return inet_pton(af, text, out) == 1 ? 0 : -1;
}

/* Split line[0..len) at single spaces into exactly n non-empty words.  0, or -1. */
static int split_words(const char *line, size_t len, const char **w, size_t *wl, size_t n)
{
	size_t k = 0, start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && line[i] != ' ')
			continue;
		if (i == start || k == n)
			return -1;
		w[k] = line + start;
		wl[k++] = i - start;
		start = i + 1;
	}
	return k == n ? 0 : -1;
}

/* The fields of a whole v1 line, line[0..len) between "PROXY " and the CRLF. */
static enum proxy_status v1_fields(const char *line, size_t len, struct proxy_header *h)
{
	static const char unknown[] = "UNKNOWN";
	size_t ul = sizeof unknown - 1;
	const char *w[4];
	size_t wl[4];

	if (len >= ul && memcmp(line, unknown, ul) == 0 && (len == ul || line[ul] == ' ')) {
		h->family = PROXY_KEEP;
		return PROXY_DONE;
	}
	if (len < 5 || memcmp(line, "TCP", 3) != 0 || (line[3] != '4' && line[3] != '6') ||
	    line[4] != ' ')
		return PROXY_ERR_V1_PROTOCOL;
	int af = line[3] == '4' ? AF_INET : AF_INET6;
	if (split_words(line + 5, len - 5, w, wl, 4) < 0)
		return PROXY_ERR_V1_FIELDS;
	if (parse_addr(w[0], wl[0], af, h->src) < 0 || parse_addr(w[1], wl[1], af, h->dst) < 0)
		return PROXY_ERR_V1_ADDRESS;
	if (parse_port(w[2], wl[2], &h->src_port) < 0 || parse_port(w[3], wl[3], &h->dst_port) < 0)
		return PROXY_ERR_V1_PORT;
	h->family = af == AF_INET ? PROXY_TCP4 : PROXY_TCP6;
	return PROXY_DONE;
}

/*
 * Version 1: the bytes are checked in order, so a prefix fails exactly
 * where the whole line would: the signature, then each byte (printable
 * ASCII, a CR only before LF), then the length, then the fields.
 */
static enum proxy_status parse_v1(const char *buf, size_t len, struct proxy_header *h)
{
	size_t sl = sizeof v1_sig - 1;
	h->version = 1;
	for (size_t i = 0; i < len && i < PROXY_V1_MAX; i++) {
		unsigned char c = (unsigned char)buf[i];
		if (i < sl) {
			if (c != (unsigned char)v1_sig[i])
				return PROXY_ERR_SIGNATURE;
			continue;
		}
		if (c == '\r') {
			if (i + 2 > PROXY_V1_MAX)
				return PROXY_ERR_V1_LONG;
			if (i + 1 == len)
				break;
			if (buf[i + 1] != '\n')
				return PROXY_ERR_V1_CHAR;
			h->len = i + 2;
			return v1_fields(buf + sl, i - sl, h);
		}
		if (c < 0x20 || c > 0x7e)
			return PROXY_ERR_V1_CHAR;
	}
	if (len >= PROXY_V1_MAX)
		return PROXY_ERR_V1_LONG;
	h->want = len < V1_MIN ? V1_MIN - len : 1;
	return PROXY_NEED_MORE;
}

/* The address block's least size for a family/transport byte, or -1 when refused. */
static int v2_family_size(unsigned char fam, enum proxy_family *f)
{
	*f = PROXY_KEEP;
	switch (fam) {
	case 0x00: return 0;		       /* UNSPEC */
	case 0x11: *f = PROXY_TCP4; return 12; /* TCP over IPv4 */
	case 0x21: *f = PROXY_TCP6; return 36; /* TCP over IPv6 */
	case 0x31: return 216;		       /* AF_UNIX stream: no IP peer */
	default: return -1;		       /* datagrams, unknown values */
	}
}

static unsigned be16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* Version 2: signature, version/command, family, length, then the block. */
static enum proxy_status parse_v2(const unsigned char *b, size_t len, struct proxy_header *h)
{
	size_t n = len < sizeof v2_sig ? len : sizeof v2_sig;
	h->version = 2;
	if (memcmp(b, v2_sig, n) != 0)
		return PROXY_ERR_SIGNATURE;
	if (len > 12 && b[12] != 0x20 && b[12] != 0x21)
		return PROXY_ERR_V2_VERSION;
	int local = len > 12 && b[12] == 0x20, least = 0;
	if (len > 13 && !local && (least = v2_family_size(b[13], &h->family)) < 0)
		return PROXY_ERR_V2_FAMILY;
	if (len < PROXY_V2_HEAD) {
		h->want = PROXY_V2_HEAD - len;
		return PROXY_NEED_MORE;
	}
	size_t alen = be16(b + 14);
	if (alen > PROXY_V2_MAX_LEN)
		return PROXY_ERR_V2_LONG;
	if (alen < (size_t)least)
		return PROXY_ERR_V2_SHORT;
	if (len < PROXY_V2_HEAD + alen) {
		h->want = PROXY_V2_HEAD + alen - len;
		return PROXY_NEED_MORE;
	}
	h->len = PROXY_V2_HEAD + alen;
	if (local)
		h->family = PROXY_KEEP;
	const unsigned char *a = b + PROXY_V2_HEAD;
	if (h->family == PROXY_TCP4) {
		memcpy(h->src, a, 4);
		memcpy(h->dst, a + 4, 4);
		h->src_port = be16(a + 8);
		h->dst_port = be16(a + 10);
	} else if (h->family == PROXY_TCP6) {
		memcpy(h->src, a, 16);
		memcpy(h->dst, a + 16, 16);
		h->src_port = be16(a + 32);
		h->dst_port = be16(a + 34);
	}
	return PROXY_DONE;
}

enum proxy_status proxy_parse(const char *buf, size_t len, struct proxy_header *h)
{
	memset(h, 0, sizeof *h);
	if (len == 0) {
		h->want = V1_MIN;
		return PROXY_NEED_MORE;
	}
	if (buf[0] == v1_sig[0])
		return parse_v1(buf, len, h);
	return parse_v2((const unsigned char *)buf, len, h);
}

/* SPDX-License-Identifier: MIT */
/* test_proxy.c: PROXY protocol v1/v2 headers: good and bad, whole, at every split, byte by byte. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "guard.h"
#include "proxy.h"
#include "tap.h"

#define SIG "\r\n\r\n\0\r\nQUIT\n"
#define V2(vc, fam, hi, lo) SIG vc fam hi lo
#define V1_MAX_LINE                                                                                \
	"PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "                                   \
	"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n"

struct pcase {
	const char *name;
	const char *in;
	size_t len; /* 0: strlen(in) */
	enum proxy_status want;
	enum proxy_family family;
	const char *src; /* address text (inet_ntop) or NULL */
	unsigned sport;
	size_t hlen; /* header bytes on PROXY_DONE */
	size_t pad;  /* of len, NUL bytes after the literal */
};

static const struct pcase cases[] = {
    {"v1 TCP4", "PROXY TCP4 192.0.2.7 10.0.0.1 56324 2575\r\n", 0, PROXY_DONE, PROXY_TCP4,
     "192.0.2.7", 56324, 42, 0},
    {"v1 TCP6", "PROXY TCP6 2001:db8::7 ::1 1 65535\r\n", 0, PROXY_DONE, PROXY_TCP6, "2001:db8::7",
     1, 36, 0},
    {"v1 TCP6 v4-mapped", "PROXY TCP6 ::ffff:127.0.0.2 ::1 0 2575\r\n", 0, PROXY_DONE, PROXY_TCP6,
     "::ffff:127.0.0.2", 0, 40, 0},
    {"v1 UNKNOWN", "PROXY UNKNOWN\r\n", 0, PROXY_DONE, PROXY_KEEP, NULL, 0, 15, 0},
    {"v1 UNKNOWN with addresses", "PROXY UNKNOWN 1.2.3.4 5.6.7.8 1 2\r\n", 0, PROXY_DONE,
     PROXY_KEEP, NULL, 0, 35, 0},
    {"v1 longest line (107 bytes)", V1_MAX_LINE, 0, PROXY_DONE, PROXY_KEEP, NULL, 0, 107, 0},
    {"v1 108 bytes",
     "PROXY UNKNOWN 0ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
     "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n",
     0, PROXY_ERR_V1_LONG, 0, NULL, 0, 0, 0},
    {"v1 no CRLF",
     "PROXY UNKNOWN 0123456789012345678901234567890123456789012345678901234567890"
     "12345678901234567890123456789012345",
     0, PROXY_ERR_V1_LONG, 0, NULL, 0, 0, 0},
    {"v1 CR as the 107th byte",
     "PROXY UNKNOWN 012345678901234567890123456789012345678901234567"
     "890123456789012345678901234567890123456789012\r\n",
     0, PROXY_ERR_V1_LONG, 0, NULL, 0, 0, 0},
    {"v1 LF only", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", 0, PROXY_ERR_V1_CHAR, 0, NULL, 0, 0, 0},
    {"v1 CR not before LF", "PROXY TCP4 1.2.3.4\r5.6.7.8 1 2\r\n", 0, PROXY_ERR_V1_CHAR, 0, NULL, 0,
     0, 0},
    {"v1 NUL", "PROXY TCP4 1.2.3.4 5.6.7.8 1\0 2\r\n", 33, PROXY_ERR_V1_CHAR, 0, NULL, 0, 0, 0},
    {"v1 tab", "PROXY TCP4\t1.2.3.4 5.6.7.8 1 2\r\n", 0, PROXY_ERR_V1_CHAR, 0, NULL, 0, 0, 0},
    {"v1 8-bit byte", "PROXY UNKNOWN \xff\r\n", 0, PROXY_ERR_V1_CHAR, 0, NULL, 0, 0, 0},
    {"v1 lower case", "proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n", 0, PROXY_ERR_SIGNATURE, 0, NULL, 0, 0,
     0},
    {"v1 two spaces after PROXY", "PROXY  TCP4 1.2.3.4 5.6.7.8 1 2\r\n", 0, PROXY_ERR_V1_PROTOCOL,
     0, NULL, 0, 0, 0},
    {"v1 UDP4", "PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n", 0, PROXY_ERR_V1_PROTOCOL, 0, NULL, 0, 0, 0},
    {"v1 UNKNOWNX", "PROXY UNKNOWNX\r\n", 0, PROXY_ERR_V1_PROTOCOL, 0, NULL, 0, 0, 0},
    {"v1 TCP4 alone", "PROXY TCP4\r\n", 0, PROXY_ERR_V1_PROTOCOL, 0, NULL, 0, 0, 0},
    {"v1 three fields", "PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n", 0, PROXY_ERR_V1_FIELDS, 0, NULL, 0, 0,
     0},
    {"v1 five fields", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n", 0, PROXY_ERR_V1_FIELDS, 0, NULL, 0,
     0, 0},
    {"v1 double space", "PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n", 0, PROXY_ERR_V1_FIELDS, 0, NULL, 0,
     0, 0},
    {"v1 trailing space", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n", 0, PROXY_ERR_V1_FIELDS, 0, NULL, 0,
     0, 0},
    {"v1 TCP4 with IPv6", "PROXY TCP4 ::1 ::1 1 2\r\n", 0, PROXY_ERR_V1_ADDRESS, 0, NULL, 0, 0, 0},
    {"v1 TCP6 with IPv4", "PROXY TCP6 1.2.3.4 5.6.7.8 1 2\r\n", 0, PROXY_ERR_V1_ADDRESS, 0, NULL, 0,
     0, 0},
    {"v1 host name", "PROXY TCP4 localhost 5.6.7.8 1 2\r\n", 0, PROXY_ERR_V1_ADDRESS, 0, NULL, 0, 0,
     0},
    {"v1 bad destination", "PROXY TCP4 1.2.3.4 5.6.7 1 2\r\n", 0, PROXY_ERR_V1_ADDRESS, 0, NULL, 0,
     0, 0},
    {"v1 port 65536", "PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n", 0, PROXY_ERR_V1_PORT, 0, NULL, 0, 0,
     0},
    {"v1 port leading zero", "PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n", 0, PROXY_ERR_V1_PORT, 0, NULL,
     0, 0, 0},
    {"v1 port sign", "PROXY TCP4 1.2.3.4 5.6.7.8 1 +2\r\n", 0, PROXY_ERR_V1_PORT, 0, NULL, 0, 0, 0},
    {"v1 port six digits", "PROXY TCP4 1.2.3.4 5.6.7.8 000001 2\r\n", 0, PROXY_ERR_V1_PORT, 0, NULL,
     0, 0, 0},
    {"v2 TCP4",
     V2("\x21", "\x11", "\x00", "\x0c") "\x7f\x00\x00\x02\x7f\x00\x00\x01\xdb\xfc\x0a\x0f", 28,
     PROXY_DONE, PROXY_TCP4, "127.0.0.2", 56316, 28, 0},
    {"v2 TCP4 with TLVs",
     V2("\x21", "\x11", "\x00", "\x14") "\xc0\x00\x02\x01\x0a\x00\x00\x01\x00\x50\x00\x51"
					"\x03\x00\x04\x11\x22\x33\x44\x04\x00\x00",
     36, PROXY_DONE, PROXY_TCP4, "192.0.2.1", 80, 36, 0},
    {"v2 TCP6",
     V2("\x21", "\x21", "\x00", "\x24") "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x07"
					"\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01\x04\x00\x0a\x0f",
     52, PROXY_DONE, PROXY_TCP6, "2001:db8::7", 1024, 52, 0},
    {"v2 LOCAL", V2("\x20", "\x00", "\x00", "\x00"), 16, PROXY_DONE, PROXY_KEEP, NULL, 0, 16, 0},
    {"v2 LOCAL with an address block",
     V2("\x20", "\x11", "\x00", "\x0c") "\x7f\x00\x00\x02\x7f\x00\x00\x01\xdb\xfc\x0a\x0f", 28,
     PROXY_DONE, PROXY_KEEP, NULL, 0, 28, 0},
    {"v2 LOCAL with a datagram family", V2("\x20", "\x12", "\x00", "\x00"), 16, PROXY_DONE,
     PROXY_KEEP, NULL, 0, 16, 0},
    {"v2 PROXY UNSPEC", V2("\x21", "\x00", "\x00", "\x00"), 16, PROXY_DONE, PROXY_KEEP, NULL, 0, 16,
     0},
    {"v2 UNIX stream", V2("\x21", "\x31", "\x00", "\xd8"), 16 + 216, PROXY_DONE, PROXY_KEEP, NULL,
     0, 232, 216},
    {"v2 longest block", V2("\x21", "\x00", "\x04", "\x00"), 16 + 1024, PROXY_DONE, PROXY_KEEP,
     NULL, 0, 1040, 1024},
    {"v2 block too long", V2("\x21", "\x00", "\x04", "\x01"), 16, PROXY_ERR_V2_LONG, 0, NULL, 0, 0,
     0},
    {"v2 block 65535", V2("\x21", "\x11", "\xff", "\xff"), 16, PROXY_ERR_V2_LONG, 0, NULL, 0, 0, 0},
    {"v2 TCP4 block short", V2("\x21", "\x11", "\x00", "\x0b") "12345678901", 27,
     PROXY_ERR_V2_SHORT, 0, NULL, 0, 0, 0},
    {"v2 TCP6 block of TCP4 size", V2("\x21", "\x21", "\x00", "\x0c") "123456789012", 28,
     PROXY_ERR_V2_SHORT, 0, NULL, 0, 0, 0},
    {"v2 UDP4", V2("\x21", "\x12", "\x00", "\x0c") "123456789012", 28, PROXY_ERR_V2_FAMILY, 0, NULL,
     0, 0, 0},
    {"v2 UNIX datagram", V2("\x21", "\x32", "\x00", "\x00"), 16, PROXY_ERR_V2_FAMILY, 0, NULL, 0, 0,
     0},
    {"v2 family 0x41", V2("\x21", "\x41", "\x00", "\x00"), 16, PROXY_ERR_V2_FAMILY, 0, NULL, 0, 0,
     0},
    {"v2 version 1", V2("\x11", "\x11", "\x00", "\x0c") "123456789012", 28, PROXY_ERR_V2_VERSION, 0,
     NULL, 0, 0, 0},
    {"v2 command 2", V2("\x22", "\x11", "\x00", "\x0c") "123456789012", 28, PROXY_ERR_V2_VERSION, 0,
     NULL, 0, 0, 0},
    {"v2 signature broken", "\r\n\r\n\0\r\nQUIX\n\x21\x11\x00\x00", 16, PROXY_ERR_SIGNATURE, 0,
     NULL, 0, 0, 0},
    {"an MLLP frame", "\x0bMSH|^~\\&|A|B\r\x1c\r", 0, PROXY_ERR_SIGNATURE, 0, NULL, 0, 0, 0},
    {"TLS ClientHello", "\x16\x03\x01\x02\x00\x01", 6, PROXY_ERR_SIGNATURE, 0, NULL, 0, 0, 0},
    {"HTTP", "GET / HTTP/1.0\r\n\r\n", 0, PROXY_ERR_SIGNATURE, 0, NULL, 0, 0, 0},
    {"P then junk", "PX", 0, PROXY_ERR_SIGNATURE, 0, NULL, 0, 0, 0},
};

static char input[2048];

/* The case's bytes in input[]: the literal, then pad NUL bytes.  Returns their count. */
static size_t case_input(const struct pcase *c)
{
	size_t len = c->len ? c->len : strlen(c->in);
	memset(input, 0, sizeof input);
	memcpy(input, c->in, len - c->pad);
	return len;
}

/* The result as text: "STATUS" or "DONE family addr port len". */
static void render(enum proxy_status s, const struct proxy_header *h, char *out, size_t cap)
{
	char a[64] = "-";
	if (s != PROXY_DONE) {
		snprintf(out, cap, "%s", proxy_status_text(s));
		return;
	}
	if (h->family != PROXY_KEEP)
		inet_ntop(h->family == PROXY_TCP4 ? AF_INET : AF_INET6, h->src, a, sizeof a);
	snprintf(out, cap, "done %d %s %u %zu", (int)h->family, a, h->family ? h->src_port : 0,
		 h->len);
}

static void expected(const struct pcase *c, char *out, size_t cap)
{
	struct proxy_header h = {.family = c->family, .src_port = c->sport, .len = c->hlen};
	if (c->want != PROXY_DONE) {
		snprintf(out, cap, "%s", proxy_status_text(c->want));
		return;
	}
	snprintf(out, cap, "done %d %s %u %zu", (int)h.family, c->src ? c->src : "-", c->sport,
		 c->hlen);
}

/* The whole input, ending at a guard page, then with an MLLP frame after it. */
static void test_whole(const struct pcase *c)
{
	size_t len = case_input(c);
	char want[128], got[128], after[2048];
	struct proxy_header h;
	struct guarded g = guard_copy(input, len);

	expected(c, want, sizeof want);
	render(proxy_parse(g.p, len, &h), &h, got, sizeof got);
	TAP_OK(strcmp(got, want) == 0, "%s: whole: %s (want %s)", c->name, got, want);
	guard_free(&g);
	memcpy(after, input, len);
	memcpy(after + len, "\x0bMSH|x\x1c\r", 9);
	render(proxy_parse(after, len + 9, &h), &h, got, sizeof got);
	TAP_OK(strcmp(got, want) == 0, "%s: with a frame after it: %s", c->name, got);
}

/* Every proper prefix: NEED_MORE, or already the whole input's error; never DONE early. */
static void test_prefixes(const struct pcase *c)
{
	size_t len = case_input(c), bad = 0, end = c->want == PROXY_DONE ? c->hlen : len;
	struct proxy_header h;

	for (size_t n = 0; n < end; n++) {
		struct guarded g = guard_copy(input, n);
		enum proxy_status s = proxy_parse(g.p, n, &h);
		guard_free(&g);
		/* a valid header's reader is never told to read past its end */
		int over = c->want == PROXY_DONE && n + h.want > end;
		if (s == PROXY_NEED_MORE ? h.want == 0 || over : s != c->want)
			bad = bad ? bad : n + 1;
	}
	TAP_OK(bad == 0, "%s: every prefix (first bad at %zu bytes)", c->name, bad ? bad - 1 : 0);
}

/* A reader that cannot give bytes back: it takes h.want bytes at a time, never past the header.
 */
static void test_reader(const struct pcase *c)
{
	size_t len = case_input(c), have = 0, reads = 0;
	char want[128], got[128];
	struct proxy_header h;
	enum proxy_status s;

	expected(c, want, sizeof want);
	while ((s = proxy_parse(input, have, &h)) == PROXY_NEED_MORE && have < len) {
		have += h.want < len - have ? h.want : len - have;
		reads++;
	}
	render(s, &h, got, sizeof got);
	TAP_OK(strcmp(got, want) == 0 && (s != PROXY_DONE || have == h.len),
	       "%s: read as told, %zu reads: %s", c->name, reads, got);
}

static void test_texts(void)
{
	int ok = 1;
	for (int s = PROXY_DONE; s <= PROXY_ERR_V2_SHORT; s++)
		ok &= strlen(proxy_status_text((enum proxy_status)s)) > 1;
	TAP_OK(ok && strcmp(proxy_status_text((enum proxy_status)99), "unknown status") == 0,
	       "every status has a text");
}

int main(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		test_whole(&cases[i]);
		test_prefixes(&cases[i]);
		test_reader(&cases[i]);
	}
	test_texts();
	return tap_done();
}
